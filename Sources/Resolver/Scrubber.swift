// Primary responsibilities: remove from an upstream response everything its server has no
// authority to tell us before anything is cached or believed (unbound's iter_scrub, RFC 5452 §6,
// RFC 1034 §4.3.2 "bailiwick"). What survives is data about the question's name chain, the
// delegation below the server's zone, and address glue for that delegation's name servers.

import DNSWire

/// Cleans responses from authoritative servers and forwarders.
package enum Scrubber {
    /// Keeps only what a server of `zone` may speak for, given the question.
    ///
    /// - Answer: RRsets on the CNAME/DNAME chain from the question name (each owner inside
    ///   `zone`), of the asked type, CNAME or DNAME, with their RRSIGs. Anything else in the answer
    ///   section is an attempt to slip in unrelated data (cache poisoning, RFC 5452 §6), and so is
    ///   a CNAME that contradicts the DNAME it claims to be synthesised from.
    /// - Authority: the SOA of `zone` or of a zone below it that holds the final name; NS of one
    ///   delegation strictly below `zone` and above the final name (with its DS); NSEC/NSEC3 owned
    ///   inside `zone`. NS for `zone` itself (the child's own apex NS) is dropped: a delegation's
    ///   lifetime is the parent's to decide, so child data never keeps a ghost domain alive.
    /// - Additional: A and AAAA of the kept delegation's (or an NS answer's) name servers when
    ///   inside `zone` (glue "in bailiwick"). Out-of-bailiwick glue is dropped; those names get resolved on their own.
    /// - A forwarder (`forwarding`) speaks for every zone: only the question-chain rule applies to
    ///   the answer, and the authority keeps SOA and proofs for the final name.
    package static func scrub(
        _ response: Message, question: Question, zone: DomainName, chain: AnswerChain, forwarding: Bool
    ) -> Message {
        var clean = response
        let scope = forwarding ? DomainName.root : zone
        let chainOwners = Set([chain.start] + chain.links.map(\.target))
        let dnameOwners = Set(chain.links.compactMap(\.dname))
        var rewrites: [DomainName: DomainName] = [:]
        for link in chain.links where link.dname != nil { rewrites[link.owner] = link.target }
        clean.answer = response.answer.filter { rrset in
            guard rrset.name.isSubdomain(of: scope) else { return false }
            if dnameOwners.contains(rrset.name) && rrset.type == .dname { return true }
            guard chainOwners.contains(rrset.name) else { return false }
            if rrset.type == .cname, let target = rewrites[rrset.name] {
                // A CNAME synthesised from a DNAME must say what the DNAME says (RFC 6672 §3.1);
                // one that does not is not cached or passed on, and the engine synthesises its own.
                guard case .cname(let cname)? = rrset.rdatas.first else { return false }
                return cname.target == target
            }
            return rrset.type == question.type || question.type == .any || rrset.type == .cname
                || (rrset.type == .rrsig && question.type == .rrsig)
        }
        let finalName = chain.finalName
        var delegation: DomainName? = nil
        clean.authority = response.authority.filter { rrset in
            guard rrset.name.isSubdomain(of: scope) else { return false }
            switch rrset.type {
            case .soa:
                return finalName.isSubdomain(of: rrset.name)
            case .ns:
                guard !forwarding, rrset.name.isStrictSubdomain(of: zone), finalName.isSubdomain(of: rrset.name),
                    delegation == nil || delegation == rrset.name
                else { return false }
                delegation = rrset.name
                return true
            case .nsec, .nsec3:
                return true
            default:
                return false
            }
        }
        // DS belongs with the delegation it describes (RFC 4035 §3.1.4), nowhere else.
        clean.authority += response.authority.filter { $0.type == .ds && $0.name == delegation }
        // Addresses are kept only for name servers: of the delegation, or of an NS answer (priming,
        // RFC 8109 §4.1, and explicit NS queries), and only inside the zone.
        let nameServerSets =
            clean.authority.filter { $0.type == .ns && $0.name == delegation }
            + clean.answer.filter { $0.type == .ns }
        guard !nameServerSets.isEmpty, !forwarding else {
            clean.additional = []
            return clean
        }
        let hosts = Set(
            nameServerSets.flatMap(\.rdatas).compactMap { rdata -> DomainName? in
                if case .ns(let ns) = rdata { ns.nameServer } else { nil }
            })
        clean.additional = response.additional.filter { rrset in
            (rrset.type == .a || rrset.type == .aaaa) && hosts.contains(rrset.name) && rrset.name.isSubdomain(of: zone)
        }
        return clean
    }
}
