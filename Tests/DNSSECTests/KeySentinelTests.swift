// Primary responsibilities: reading RFC 8509 key sentinel labels and the rule that keeps or refuses
// a secure answer, against the root trust anchors' key tags.

import DNSSEC
import DNSWire
import Testing

@Suite("Key sentinel (RFC 8509)")
struct KeySentinelTests {
    @Test("the leftmost label names the sentinel: either prefix in any case, exactly five digits, at most 65535")
    func parsing() {
        #expect(
            KeySentinel(name: "root-key-sentinel-is-ta-20326.example.")
                == KeySentinel(kind: .isTrustAnchor, keyTag: 20326))
        #expect(
            KeySentinel(name: "ROOT-Key-Sentinel-NOT-TA-00042.example.")
                == KeySentinel(kind: .notTrustAnchor, keyTag: 42))
        #expect(KeySentinel(name: "root-key-sentinel-is-ta-65535.") == KeySentinel(kind: .isTrustAnchor, keyTag: 65535))
        #expect(KeySentinel(name: "root-key-sentinel-is-ta-65536.example.") == nil)
        #expect(KeySentinel(name: "root-key-sentinel-is-ta-2032.example.") == nil)
        #expect(KeySentinel(name: "root-key-sentinel-is-ta-203260.example.") == nil)
        #expect(KeySentinel(name: "root-key-sentinel-is-ta-2032a.example.") == nil)
        #expect(KeySentinel(name: "kskroll-sentinel-is-ta-20326.example.") == nil)
        #expect(KeySentinel(name: "www.root-key-sentinel-is-ta-20326.example.") == nil)
        #expect(KeySentinel(name: .root) == nil)
    }

    @Test("is-ta refuses a tag that is no anchor; not-ta refuses one that is; the label reads back zero-filled")
    func rule() {
        let anchors: Set<UInt16> = [20326, 38696]
        #expect(!KeySentinel(kind: .isTrustAnchor, keyTag: 20326).refuses(rootKeyTags: anchors))
        #expect(KeySentinel(kind: .isTrustAnchor, keyTag: 19036).refuses(rootKeyTags: anchors))
        #expect(KeySentinel(kind: .notTrustAnchor, keyTag: 38696).refuses(rootKeyTags: anchors))
        #expect(!KeySentinel(kind: .notTrustAnchor, keyTag: 19036).refuses(rootKeyTags: anchors))
        #expect(KeySentinel(kind: .isTrustAnchor, keyTag: 1).refuses(rootKeyTags: []))
        #expect(KeySentinel(kind: .notTrustAnchor, keyTag: 42).description == "root-key-sentinel-not-ta-00042")
    }

    @Test("an anchor's key tags are its DS records' tags and its DNSKEY records' computed ones")
    func anchorKeyTags() {
        let ds = DS(
            keyTag: 20326, algorithm: .ecdsaP256SHA256, digestType: .sha256, digest: [UInt8](repeating: 1, count: 32))
        let key = DNSKEY(
            flags: 257, protocol: 3, algorithm: .ecdsaP256SHA256, publicKey: [UInt8](repeating: 7, count: 64))
        let anchor = TrustAnchor(owner: .root, ds: [ds], dnskeys: [key])
        #expect(anchor.keyTags == [20326, key.keyTag])
    }
}
