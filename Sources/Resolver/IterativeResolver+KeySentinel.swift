// Primary responsibilities: the RFC 8509 key sentinel as the client sees it — a secure answer to a
// sentinel question kept or turned into SERVFAIL, decided from the root trust anchors in force.

import DNSCache
import DNSSEC
import DNSWire

extension IterativeResolver {
    /// `resolution`, the answer to a client's `question`, after the root key sentinel's rule
    /// (RFC 8509 §3.1, §3.2): when the question is A or AAAA, its leftmost label is a sentinel
    /// (``KeySentinel``), the client did not set CD and the answer is secure, an is-ta question for
    /// a key tag that is not a root trust anchor here, or a not-ta question for one that is, gets
    /// SERVFAIL. Anything else is returned unchanged: insecure, bogus or unvalidated answers, CD=1.
    ///
    /// Applied to every answer a client gets — resolved, from the cache, stale — never to what is
    /// cached, so the decision always reads the anchors in force: the cache keeps the data as
    /// resolved, and the packet cache replays nothing made before an anchor change (an RFC 5011 key
    /// change or a reload advances the answer generation).
    ///
    /// The SERVFAIL carries EDE 0 (Other; RFC 8914 has no code for it), its text naming the label
    /// and the key tag and saying the failure is deliberate, with the site tag `KSNT`.
    func applyingKeySentinel(_ resolution: Resolution, to question: Question, checkingDisabled: Bool) -> Resolution {
        guard validating, !checkingDisabled, question.type == .a || question.type == .aaaa,
            resolution.status == .secure, resolution.rcode != .servFail,
            let sentinel = KeySentinel(name: question.name)
        else { return resolution }
        let rootKeyTags = configuration.validation.anchors.closestAnchor(for: .root)?.keyTags ?? []
        guard sentinel.refuses(rootKeyTags: rootKeyTags) else { return resolution }
        let held = sentinel.kind == .isTrustAnchor ? "is not" : "is"
        return .failure(
            ResolutionFailure(
                .other, site: "KSNT",
                "\(sentinel): key tag \(sentinel.keyTag) \(held) a root trust anchor of this resolver; "
                    + "SERVFAIL is the RFC 8509 key sentinel's deliberate answer, not a resolution failure"),
            fromCache: resolution.fromCache)
    }
}
