// Primary responsibilities: `mamorictl lookup` — resolve a question as a client would, then tell
// in plain lines how its answer was judged: the result and its Extended DNS Errors, the records
// with their signatures, and the chain of trust from the closest anchor down to the signer, zone by
// zone, as the cache holds it (DS at each cut, the DNSKEY set and its verdict).

import DNSCache
import DNSSEC
import DNSWire

extension IterativeResolver {
    /// Resolves `question` (through the cache, as a client's query would) and explains the verdict.
    /// - Returns: lines for an operator, the first ones the result, then the records, then the chain.
    package func explain(_ question: Question, checkingDisabled: Bool = false) async -> [String] {
        let resolution = await resolve(question, checkingDisabled: checkingDisabled)
        let now = CacheTime(seconds: clock.wallSeconds)
        var lines = [
            "question: \(question.name) \(question.rrClass) \(question.type)\(checkingDisabled ? " (CD=1)" : "")",
            "result: \(resolution.rcode), \(resolution.status)\(resolution.fromCache ? ", from the cache" : "")",
        ]
        if let reason = resolution.securityReason { lines.append("why: \(reason)") }
        for error in resolution.extendedErrors {
            lines.append("extended error: \(error.code.rawValue) (\(error.code)) \(error.extraText)")
        }
        for rrset in resolution.answer { lines += rrset.description.split(separator: "\n").map { "answer: \($0)" } }
        for rrset in resolution.authority {
            lines += rrset.description.split(separator: "\n").map { "authority: \($0)" }
        }
        lines += chainOfTrust(for: question.name, resolution: resolution, now: now)
        return lines
    }

    /// The chain from the closest trust anchor down to the zone that signed the data (or, for
    /// unsigned data, as far as the cache knows), one line per step.
    func chainOfTrust(for name: DomainName, resolution: Resolution, now: CacheTime) -> [String] {
        let validation = configuration.validation
        guard validation.enabled else { return ["chain of trust: validation is off (dnssec.validation)"] }
        // The signer of the data, or the queried name when nothing is signed.
        let signatures = (resolution.answer + resolution.authority).flatMap(\.signatures)
        let target = signatures.map(\.signerName).max { $0.labelCount < $1.labelCount } ?? name
        if let negative = validation.anchors.negativeAnchor(covering: target, now: now.seconds) {
            return ["chain of trust: negative trust anchor at \(negative.name): not validated (RFC 7646)"]
        }
        guard let anchor = validation.anchors.closestAnchor(for: target) else {
            return ["chain of trust: no trust anchor at or above \(target): insecure"]
        }
        var lines = ["chain of trust, from the trust anchor \(anchor.owner) to \(target):"]
        let tags =
            anchor.ds.map { "DS \($0.keyTag) alg \($0.algorithm.rawValue)" }
            + anchor.dnskeys.map { "DNSKEY \($0.keyTag) alg \($0.algorithm.rawValue)" }
        lines.append("  \(anchor.owner) trust anchor: \(tags.joined(separator: ", "))")
        // The names from the anchor down to the target, top-down; only zone cuts have entries.
        for zone in [anchor.owner] + target.names(below: anchor.owner) {
            if zone != anchor.owner, let ds = cache.lookupDelegationSigner(zone: zone, now: now) {
                if let set = ds.ds {
                    let keys = set.rdatas.compactMap { rdata -> String? in
                        guard case .ds(let record) = rdata else { return nil }
                        return "\(record.keyTag) alg \(record.algorithm.rawValue) digest \(record.digestType.rawValue)"
                    }
                    lines.append("  \(zone) DS: \(ds.status)\(reason(ds.reason)), \(keys.joined(separator: "; "))")
                } else {
                    let proofs = ds.proofs.map { "\($0.type) \($0.name)" }.joined(separator: ", ")
                    lines.append("  \(zone) no DS, proven by \(proofs): \(ds.status)\(reason(ds.reason))")
                    lines.append("  below \(zone): unsigned delegation, answers are insecure")
                    return lines
                }
            }
            if let keys = cache.lookupKeys(zone: zone, now: now) {
                let described = keys.rrset.rdatas.compactMap { rdata -> String? in
                    guard case .dnskey(let key) = rdata else { return nil }
                    let role = key.flags & 0x0001 != 0 ? "KSK" : "ZSK"
                    return "\(key.keyTag) alg \(key.algorithm.rawValue) \(role)"
                }
                let signers = keys.rrset.signatures.map { String($0.keyTag) }.joined(separator: ", ")
                lines.append(
                    "  \(zone) DNSKEY: \(keys.status)\(reason(keys.reason)), keys \(described.joined(separator: "; "))"
                        + (signers.isEmpty ? "" : ", signed by \(signers)"))
            }
        }
        if !signatures.isEmpty {
            let used = Set(signatures.map { "\($0.signerName) key \($0.keyTag) alg \($0.algorithm.rawValue)" })
            lines.append("  data signed by \(used.sorted().joined(separator: "; "))")
        }
        return lines
    }

    /// ` (REASON)` for a reason, empty without.
    private func reason(_ reason: ValidationReason?) -> String { reason.map { " (\($0))" } ?? "" }
}
