// Primary responsibilities: the service's address policies at the seams after a judged answer —
// rebinding protection (an AnswerPolicy) and DNS64 (an AnswerSynthesis, RFC 6147) — built from the
// configuration; the rules themselves are AddressPolicy's.

import AddressPolicy
import DNSSEC
import DNSWire
import MamoriConfiguration
import Resolver
import ResolverServer

/// Rebinding protection (`rebinding-protection`): an answer that gives a public name a non-public
/// address becomes SERVFAIL with EDE 15 (Blocked, RFC 8914 §4.16, an operator's security policy)
/// naming the address and the rule.
///
/// SERVFAIL rather than the records removed: an answer with some addresses taken out, or a NODATA
/// in place of data, would be cached by the client as the truth about the name; SERVFAIL says only
/// that this resolver will not give it, and the EDE says why. Stub zones are allowed with the
/// domains of `allow`: the operator named their servers as the authorities of a private zone (as
/// Unbound's `private-domain` must list them). Forward zones are not: a forwarder resolves public
/// names too (`.` is the usual CPE forward zone). Local data never reaches this point: it is
/// answered before the cache (``LocalAnswerStage``).
struct RebindingProtectionPolicy: AnswerPolicy {
    /// The rule with its allow list.
    let rule: RebindingProtection

    /// The policy of `configuration`, nil when it is off.
    init?(_ configuration: Configuration) {
        guard configuration.rebindingProtection.enabled else { return nil }
        rule = RebindingProtection(
            allowed: configuration.rebindingProtection.allow + configuration.resolution.stubZones.map(\.zone))
    }

    func review(_ answer: Resolution, to question: Question, client: ClientAddress) -> Resolution {
        guard answer.rcode == .noError, let finding = rule.finding(in: answer.answer, for: question.name) else {
            return answer
        }
        // Nothing of the data is given, so nothing can carry AD (RFC 4035 §3.2.3).
        return Resolution(
            rcode: .servFail, extendedErrors: [ExtendedDNSError(.blocked, finding.description)],
            fromCache: answer.fromCache)
    }
}

/// DNS64 (`dns64`, RFC 6147): a AAAA question whose answer has no usable AAAA record gets AAAA
/// records made from the name's A records under the NAT64 prefix.
///
/// DNSSEC (RFC 6147 §5.5): a client that sets DO and CD validates for itself and gets the real
/// answer; a bogus answer is never replaced (it stays SERVFAIL, or bogus data for CD=1), nor is one
/// synthesised from a bogus A answer; what is synthesised carries no AD, since no signature covers
/// it (RFC 4035 §3.2.3). Reverse (PTR) queries for the prefix's ip6.arpa names are resolved as any,
/// not synthesised (RFC 6147 §5.3.1 makes that optional, and the prefix's reverse zone belongs to
/// the NAT64 operator, who can serve it).
struct DNS64Stage: AnswerSynthesis {
    /// The rule: prefix and exclusions.
    let rule: DNS64Synthesis

    func sourceQuestion(
        for answer: Resolution, to question: Question, dnssecOK: Bool, checkingDisabled: Bool
    ) -> Question? {
        guard question.type == .aaaa, question.rrClass == .in, !(dnssecOK && checkingDisabled),
            answer.status != .bogus
        else { return nil }
        // A SERVFAIL counts as an empty answer (RFC 6147 §5.1.2) only when resolution failed: one a
        // policy made (rebinding protection) or a validator gave stands.
        if answer.rcode == .servFail && answer.failure == nil { return nil }
        guard rule.wantsSynthesis(rcode: answer.rcode, answer: answer.answer) else { return nil }
        return Question(name: question.name, type: .a, rrClass: .in)
    }

    func synthesise(_ answer: Resolution, from source: Resolution, to question: Question) -> Resolution {
        guard source.rcode == .noError, source.status != .bogus else { return answer }
        // The denial's SOA, its TTL already the negative TTL (RFC 2308 §5), bounds the records
        // (RFC 6147 §5.1.7).
        let negativeTTL = answer.authority.first { $0.type == .soa }?.ttl
        let records = rule.synthesised(from: source.answer, negativeTTL: answer.rcode == .noError ? negativeTTL : nil)
        guard !records.isEmpty else { return answer }
        let validated = answer.status != .unchecked || source.status != .unchecked
        return Resolution(
            rcode: .noError, answer: records, status: validated ? .insecure : .unchecked,
            fromCache: answer.fromCache && source.fromCache)
    }
}

extension QueryStages {
    /// The address policies `configuration` asks for, added to `stages`: rebinding protection
    /// among the answer policies, DNS64 as a synthesis.
    package func addingAddressPolicies(of configuration: Configuration) -> QueryStages {
        var stages = self
        if let rebinding = RebindingProtectionPolicy(configuration) { stages.answerPolicies.append(rebinding) }
        if let dns64 = configuration.dns64 { stages.syntheses.append(DNS64Stage(rule: dns64.synthesis)) }
        return stages
    }
}
