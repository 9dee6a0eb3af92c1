// Primary responsibilities: turn a Resolution into the response a client gets — RCODE, sections,
// DNSSEC records only for clients that asked for them, Extended DNS Errors. The server finishes
// the header (ID, question, RD, CD, RA, OPT presence, size) for every response alike.

import DNSSEC
import DNSWire

/// Builds the client-visible part of a response from a resolution.
package enum ClientResponse {
    /// The response to `query` carrying `resolution`.
    ///
    /// - DNSSEC records: with DO=0 the RRSIGs of every RRset and the NSEC/NSEC3 proofs are left
    ///   out, unless the client asked for that very type (RFC 4035 §3.2.1); with DO=1 they are sent.
    /// - AD: set only on secure data and only when the query had DO=1 or AD=1 (RFC 6840 §5.8,
    ///   RFC 4035 §3.2.3), never on a SERVFAIL.
    /// - Extended DNS Errors: every one the resolution carries (RFC 8914 §3); the server keeps them
    ///   when the query had EDNS and drops them otherwise, as only OPT can carry them.
    package static func make(_ resolution: Resolution, for query: Message) -> Message {
        let dnssecOK = query.edns?.dnssecOK ?? false
        let asked = query.question?.type
        var header = Header(id: query.header.id)
        header.authenticData =
            resolution.status == .secure && resolution.rcode != .servFail
            && (dnssecOK || query.header.authenticData)
        var message = Message(header: header, rcode: resolution.rcode)
        message.answer = resolution.answer.map { strip($0, dnssecOK: dnssecOK, asked: asked) }
        message.authority = resolution.authority.compactMap { rrset -> RRSet? in
            if !dnssecOK && (rrset.type == .nsec || rrset.type == .nsec3) && asked != rrset.type { return nil }
            return strip(rrset, dnssecOK: dnssecOK, asked: asked)
        }
        if !resolution.extendedErrors.isEmpty {
            message.edns = EDNS(options: resolution.extendedErrors.map { .extendedDNSError($0) })
        }
        return message
    }

    /// The RRset without its RRSIGs when the client did not set DO and did not ask for RRSIG.
    static func strip(_ rrset: RRSet, dnssecOK: Bool, asked: RRType?) -> RRSet {
        guard !dnssecOK, asked != .rrsig, !rrset.signatures.isEmpty else { return rrset }
        var copy = rrset
        copy.signatures = []
        return copy
    }
}
