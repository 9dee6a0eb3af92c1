// Primary responsibilities: what a resolution hands back to the server — everything needed to
// build the client's response, and why, when it failed.

import DNSCache
import DNSSEC
import DNSWire

/// The outcome of resolving one question.
package struct Resolution: Hashable, Sendable {
    /// The RCODE for the client: NOERROR, NXDOMAIN, or SERVFAIL when resolution failed.
    package var rcode: RCode
    /// The answer: CNAME/DNAME links in order, then the data (empty for negative answers).
    package var answer: [RRSet]
    /// The authority data: for negative answers the SOA and NSEC/NSEC3 proofs, for answers a
    /// wildcard synthesised the NSEC/NSEC3 proving no closer name exists (RFC 4035 §3.1.3.3), all
    /// with their RRSIGs; ``ClientResponse`` leaves the proofs out for DO=0 clients.
    package var authority: [RRSet]
    /// The weakest security status along the answer (RFC 4035 §4.3); `unchecked` without validation.
    package var status: SecurityStatus
    /// Extended DNS Errors to send (RFC 8914): always at least one on SERVFAIL.
    package var extendedErrors: [ExtendedDNSError]
    /// Whether every part came from the cache without an upstream query.
    package var fromCache: Bool
    /// Why ``status`` is not secure, when the validator said: why the data is bogus (EDE code, site
    /// tag, sentence), or why an insecure answer should be reported (EDE 1, 2, 27).
    package var securityReason: ValidationReason?
    /// Why the resolution failed without a validation verdict (no reachable authority, a limit, a
    /// loop): the SERVFAIL's reason, which the cache remembers (RFC 9520 §3.2).
    package var failure: ResolutionFailure?

    /// Creates a resolution.
    package init(
        rcode: RCode, answer: [RRSet] = [], authority: [RRSet] = [], status: SecurityStatus = .unchecked,
        extendedErrors: [ExtendedDNSError] = [], fromCache: Bool = false, securityReason: ValidationReason? = nil,
        failure: ResolutionFailure? = nil
    ) {
        self.rcode = rcode
        self.answer = answer
        self.authority = authority
        self.status = status
        self.extendedErrors = extendedErrors
        self.fromCache = fromCache
        self.securityReason = securityReason
        self.failure = failure
    }

    /// A SERVFAIL for a resolution that failed without a validation verdict, the failure as its EDE
    /// (RFC 8914 §4: 22 when no authority answered, 0 for loops and limits).
    package static func failure(_ failure: ResolutionFailure, fromCache: Bool = false) -> Resolution {
        Resolution(rcode: .servFail, extendedErrors: [failure.extendedDNSError], fromCache: fromCache, failure: failure)
    }

    /// Why a sub-resolution failed, as a validation reason quotes it: the failure's detail without
    /// its site tag (the reason has a tag of its own), else the first EDE's text.
    var cause: String? { failure?.detail ?? extendedErrors.first?.extraText }

    /// A SERVFAIL for data that failed validation: status bogus, the reason as the EDE
    /// (RFC 4035 §5.5: bogus data is never given to a client that did not set CD; RFC 8914 §4).
    package static func bogus(_ reason: ValidationReason, fromCache: Bool = false) -> Resolution {
        Resolution(
            rcode: .servFail, status: .bogus, extendedErrors: [reason.extendedDNSError], fromCache: fromCache,
            securityReason: reason)
    }

    /// The resolution as a client with or without CD sees it.
    ///
    /// - Bogus without CD: SERVFAIL with the reason's EDE, no data (RFC 4035 §5.5, §3.2.2).
    /// - Bogus with CD: the data as received, status bogus so AD stays clear (RFC 4035 §3.2.2:
    ///   the client does its own checking), and the EDE saying why it would have failed.
    /// - Insecure with a reason (EDE 1, 2, 27): the data with the EDE (RFC 9276 §3.2, RFC 8914 §4).
    package func presented(checkingDisabled: Bool) -> Resolution {
        if status == .bogus && !checkingDisabled && rcode != .servFail, let reason = securityReason {
            return .bogus(reason, fromCache: fromCache)
        }
        var result = self
        if let reason = securityReason, status != .secure,
            !result.extendedErrors.contains(where: { $0.code == reason.code })
        {
            result.extendedErrors.append(reason.extendedDNSError)
        }
        return result
    }

    /// With `stale`, the resolution as a stale answer: EDE 3 (Stale Answer, RFC 8914 §4.4) says the
    /// data outlived its TTL because fresh data could not be had (RFC 8767 §4). No AD is lost: the
    /// data keeps the status it was validated with.
    func markedStale(_ stale: Bool) -> Resolution {
        guard stale else { return self }
        var result = self
        result.extendedErrors.append(ExtendedDNSError(.staleAnswer, "served from the cache after its TTL expired"))
        return result
    }
}
