// Primary responsibilities: decide what an upstream response means for the question asked
// (answer, CNAME to follow, referral, NXDOMAIN, NODATA, lame, throwaway), as unbound's
// iter_resptype and knot's iterate layer do, on a response the scrubber has already cleaned.

import DNSWire

/// What one upstream response means.
package enum ResponseKind: Hashable, Sendable {
    /// The answer section holds the asked type at the (possibly CNAME-rewritten) name.
    case answer
    /// The answer leads, through CNAME/DNAME links, to `target`, whose data is not in the response.
    case cname(target: DomainName)
    /// A delegation to `zone`, a child of the zone asked (RFC 1034 §4.3.2 step 3b).
    case referral(zone: DomainName)
    /// The name (the last one in the chain) does not exist (RFC 2308 §2.1).
    case nxdomain
    /// The name exists but has no data of the type (RFC 2308 §2.2).
    case nodata
    /// The server does not serve the zone it was asked about: an upward or sideways referral,
    /// a non-authoritative answer from an authority, REFUSED or NOTAUTH (RFC 1034 §4.3.4 "lame").
    case lame(String)
    /// A response to ignore: SERVFAIL, FORMERR, NOTIMP, an unknown RCODE, or contents that make no
    /// sense. Another server is tried.
    case throwaway(String)
}

/// Classifies scrubbed responses.
package enum ResponseClassifier {
    /// Classifies `response` to a query for `question`, sent to a server of `zone`.
    ///
    /// - Parameters:
    ///   - chain: the CNAME/DNAME links the response holds from the question name on (see
    ///     ``AnswerChain``); the last name in it is the name whose data or absence counts
    ///     (RFC 6604 §2: the RCODE speaks of the last name in the chain).
    ///   - forwarding: the server is a recursive forwarder, which answers for every zone and
    ///     never refers.
    ///   - sentAuthority: the authority section as the server sent it, before scrubbing. The
    ///     scrubber drops NS records that do not lead below `zone`, but their presence still tells
    ///     a referral from NODATA (RFC 2308 §2.2).
    package static func classify(
        _ response: Message, question: Question, zone: DomainName, chain: AnswerChain, forwarding: Bool,
        sentAuthority: [RRSet]
    ) -> ResponseKind {
        switch response.rcode {
        case .noError, .nxDomain:
            break
        case .refused:
            return .lame("REFUSED")
        case .notAuth:
            return .lame("NOTAUTH")
        default:
            return .throwaway("RCODE \(response.rcode)")
        }
        let finalName = chain.finalName
        // For QTYPE CNAME below a DNAME, the CNAME it synthesises is the answer (``AnswerChain``).
        let hasAnswer =
            response.answer.contains {
                $0.name == finalName && ($0.type == question.type || question.type == .any) && !$0.rdatas.isEmpty
            } || (question.type == .cname && chain.links.last?.dname != nil)
        if hasAnswer { return response.rcode == .noError ? .answer : .throwaway("NXDOMAIN with an answer") }
        if response.rcode == .nxDomain {
            // A chain that leaves the zone ends in a name this server cannot speak for.
            if !chain.links.isEmpty && !forwarding && !finalName.isSubdomain(of: zone) {
                return .cname(target: finalName)
            }
            return .nxdomain
        }
        if !chain.links.isEmpty {
            if forwarding || !finalName.isSubdomain(of: zone) { return .cname(target: finalName) }
            // In-zone chain with no data at its end: NODATA for the final name when the server
            // says so with an SOA, otherwise ask again for the final name.
            let soa = response.authority.contains { $0.type == .soa && finalName.isSubdomain(of: $0.name) }
            return soa ? .nodata : .cname(target: finalName)
        }
        if let cut = response.authority.first(where: { $0.type == .ns }), !forwarding {
            if cut.name.isStrictSubdomain(of: zone) && finalName.isSubdomain(of: cut.name) {
                return .referral(zone: cut.name)
            }
            if !response.header.authoritativeAnswer {
                return .lame("referral to \(cut.name), which is not below \(zone)")
            }
        }
        if response.authority.contains(where: { $0.type == .soa && finalName.isSubdomain(of: $0.name) }) {
            return .nodata
        }
        // RFC 2308 §2.2: NODATA and a referral differ by the SOA, or by the absence of NS. An NS
        // RRset the scrubber dropped (the zone's own, an ancestor's, a sibling's) with no SOA is a
        // referral that does not lead below the zone: the server is lame for it (RFC 1034 §5.3.3),
        // whatever its AA bit says. Taken as NODATA it denied data that exists.
        if !forwarding, let cut = sentAuthority.first(where: { $0.type == .ns }) {
            return .lame("referral to \(cut.name) without SOA, which does not lead below \(zone) to \(finalName)")
        }
        if response.header.authoritativeAnswer || forwarding {
            // RFC 2308 §2.2 NODATA type 3: no SOA, so nothing to cache negatively, but an answer.
            return .nodata
        }
        return .lame("non-authoritative empty answer from a server of \(zone)")
    }
}

extension ResponseClassifier {
    /// The zone a forwarder's response refers to, when it is a referral: NOERROR, nothing in the
    /// answer section, no SOA, NS records in authority. A forwarder must resolve (RFC 1035 §4.3.1,
    /// RD=1), so such a response means the configured address is an authoritative server. Taken
    /// as NODATA it would deny data that exists; the caller treats it as lame, so the next
    /// forwarder is asked, and with none left the client gets SERVFAIL naming the reason. Looked
    /// at before scrubbing, which drops a forwarder's NS records.
    package static func referralFromForwarder(_ response: Message) -> DomainName? {
        guard response.rcode == .noError, response.answer.isEmpty,
            !response.authority.contains(where: { $0.type == .soa })
        else { return nil }
        return response.authority.first { $0.type == .ns }?.name
    }
}

/// The CNAME and DNAME links a response holds, starting at the question name.
package struct AnswerChain: Hashable, Sendable {
    /// One link: the owner, where it leads, and whether it was synthesised from a DNAME.
    package struct Link: Hashable, Sendable {
        /// The alias.
        package var owner: DomainName
        /// Where the alias leads.
        package var target: DomainName
        /// The DNAME this link was synthesised from (RFC 6672 §3.3), if any.
        package var dname: DomainName?
    }

    /// The question name.
    package var start: DomainName
    /// The links in order.
    package var links: [Link]
    /// Why the chain stopped early, if it did (a loop, too long, a rewrite past 255 octets).
    package var problem: String?

    /// The name whose data the response should end with.
    package var finalName: DomainName { links.last?.target ?? start }

    /// Follows CNAME records and DNAME redirections through `answer` from `name`, at most `limit`
    /// links (RFC 1034 §3.6.2, RFC 6672 §3.4). A DNAME whose owner is a proper ancestor of the
    /// current name rewrites it, whatever a CNAME at the current name says (see
    /// ``Scrubber/scrub(_:question:zone:chain:forwarding:)``, which drops a contradicting one).
    ///
    /// For QTYPE CNAME a CNAME at the question name is the answer, not a link to follow; but a
    /// DNAME above the question name still rewrites it (RFC 6672 §3.2), so that one link is kept
    /// and the chain ends there: the DNAME and the CNAME synthesised from it are the answer
    /// (§3.1), and the DNAME is what vouches for the CNAME (§5.3.1). The chain used to stop before
    /// it, so the scrubber dropped the DNAME and the unsigned CNAME was judged alone (bogus).
    package init(following name: DomainName, type: RRType, in answer: [RRSet], limit: Int) {
        start = name
        links = []
        var current = name
        var seen: Set<DomainName> = [name]
        while links.count < limit {
            if type == .any { break }
            if let dname = answer.first(where: {
                $0.type == .dname && current.isStrictSubdomain(of: $0.name) && type != .dname
            }), case .dname(let record)? = dname.rdatas.first {
                guard let target = DNAMESubstitution.rewrite(current, owner: dname.name, target: record.target) else {
                    problem =
                        "DNAME \(dname.name) → \(record.target) makes \(current) too long (RFC 6672 §2.2 YXDOMAIN)"
                    break
                }
                // A CNAME in the answer that disagrees with the DNAME does not stop the chain: the
                // DNAME is the zone's data and defines the rewrite (RFC 6672 §2.2), the CNAME only
                // its synthesis (§3.1). The link follows the DNAME, and the scrubber drops the
                // contradicting CNAME (unbound's scrubber does the same). It used to end the chain
                // here, so the response read as an empty NOERROR answer.
                links.append(Link(owner: current, target: target, dname: dname.name))
                current = target
                if type == .cname { break }
            } else if type == .cname {
                break
            } else if let alias = answer.first(where: { $0.type == .cname && $0.name == current }),
                case .cname(let cname)? = alias.rdatas.first
            {
                links.append(Link(owner: current, target: cname.target, dname: nil))
                current = cname.target
            } else {
                break
            }
            guard seen.insert(current).inserted else {
                problem = "CNAME loop at \(current)"
                break
            }
        }
        if links.count >= limit && problem == nil,
            answer.contains(where: { $0.type == .cname && $0.name == current })
        {
            problem = "CNAME chain longer than \(limit)"
        }
    }
}
