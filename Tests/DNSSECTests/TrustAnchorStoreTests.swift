// Primary responsibilities: tests of the trust-anchor store without RFC 5011 — parsing inline lines and
// files' text, the built-in root anchors against etc/root.keys, the closest anchor, negative trust anchors
// (RFC 7646) and which zones each update policy manages.

import DNSSEC
import DNSWire
import Foundation
import Testing

@Suite("Trust-anchor store")
struct TrustAnchorStoreTests {
    /// The repository's etc/root.keys, found from this file's path.
    static func rootKeysText() throws -> String {
        let path = #filePath
        let tests = path[..<path.range(of: "/Tests/DNSSECTests/")!.lowerBound]
        return try String(contentsOfFile: tests + "/etc/root.keys", encoding: .utf8)
    }

    // MARK: - Parsing

    /// DS and DNSKEY lines at several owners, with comments, relative names, TTLs and classes in either order,
    /// and a DNSKEY split over lines: one anchor per owner, DS and DNSKEY combined, in first-seen order.
    @Test func parsesDSAndDNSKEYAtSeveralOwners() throws {
        let text = """
            ; anchors for two zones
            example.com. 3600 IN DS 12345 13 2 \
            0000000000000000000000000000000000000000000000000000000000000001
            $ORIGIN example.net.
            @ IN DNSKEY 257 3 13 ( mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+
                                   KkxLbxILfDLUT0rAK9iUzy1L53eKGQ== ) ; KSK
            example.com. IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=
            sub.example.net. DS 1 8 2 00000000000000000000000000000000000000000000000000000000000000FF

            """.replacingOccurrences(of: "\\\n", with: "")
        let anchors = try TrustAnchorStore.parse(text, source: "inline")
        #expect(anchors.map(\.owner.description) == ["example.com.", "example.net.", "sub.example.net."])
        #expect(anchors[0].ds.map(\.keyTag) == [12345])
        #expect(anchors[0].dnskeys.map(\.algorithm.rawValue) == [15])
        #expect(anchors[1].ds.isEmpty)
        #expect(anchors[1].dnskeys.count == 1)
        #expect(anchors[1].dnskeys[0].flags == 257)
        #expect(anchors[2].ds.map(\.keyTag) == [1])
    }

    /// Text with only comments and blank lines gives no anchor; duplicated lines are kept once.
    @Test func commentsOnlyAndDuplicates() throws {
        #expect(try TrustAnchorStore.parse("; nothing\n\n   ; more\n", source: "f").isEmpty)
        let line = ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n"
        let anchors = try TrustAnchorStore.parse(line + line, source: "f")
        #expect(anchors.count == 1)
        #expect(anchors[0].ds.count == 1)
    }

    /// A record of another type is refused with the source and its line.
    @Test func refusesOtherTypesWithLine() throws {
        let text = """
            ; header
            . IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D

            www.example. IN A 192.0.2.1
            """
        let error = try #require(throws: TrustAnchorParseError.self) {
            try TrustAnchorStore.parse(text, source: "/etc/mamori/anchors.keys")
        }
        #expect(error.code == .notAnAnchor)
        #expect(error.source == "/etc/mamori/anchors.keys")
        #expect(error.line == 4)
        #expect(error.description.hasPrefix("/etc/mamori/anchors.keys:4: A record for www.example."))
    }

    /// A DS of an implemented digest type with a digest of another length could never match: refused with
    /// the line (RFC 6840 §5.2 allows insecure only for unimplemented types); an unimplemented type is kept.
    @Test func refusesWrongDigestLength() throws {
        let sha256 = "E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D"
        for (type, expected) in [(1, 20), (4, 48)] {
            let error = try #require(throws: TrustAnchorParseError.self) {
                try TrustAnchorStore.parse("; root\n. IN DS 20326 8 \(type) \(sha256)\n", source: "anchors.keys")
            }
            #expect(error.code == .badAnchorDigest)
            #expect(error.line == 2)
            #expect(
                error.description
                    == "anchors.keys:2: DS 20326 for . has a 32-octet digest; digest type \(type) digests are \(expected) octets"
            )
        }
        let inline = try #require(throws: TrustAnchorParseError.self) {
            try TrustAnchorStore.parse(inline: [". IN DS 20326 8 2 \(sha256)", ". IN DS 20326 8 2 00"])
        }
        #expect(inline.description.hasPrefix("dnssec.trust-anchors[1]:1: DS 20326 for . has a 1-octet digest"))
        #expect(try TrustAnchorStore.parse(". IN DS 20326 8 3 \(sha256)\n", source: "gost").count == 1)
    }

    /// Syntax errors carry the line too, and a record after a multi-line one is counted right.
    @Test func syntaxErrorsNameTheLine() throws {
        let bad = try #require(throws: TrustAnchorParseError.self) {
            try TrustAnchorStore.parse(
                ". IN DS 20326 8 2 E06D\n. IN DS twelve 8 2 00\n", source: "dnssec.trust-anchors[1]")
        }
        #expect(bad.code == .badAnchorText)
        #expect(bad.line == 2)
        #expect(bad.description.hasPrefix("dnssec.trust-anchors[1]:2: "))
        let multiLine = """
            a.example. DNSKEY 257 3 13 (
                mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+
                KkxLbxILfDLUT0rAK9iUzy1L53eKGQ== )
            $TTL 60
            b.example. TXT "not an anchor"
            """
        let error = try #require(throws: TrustAnchorParseError.self) {
            try TrustAnchorStore.parse(multiLine, source: "f")
        }
        #expect(error.line == 5)
    }

    /// A class other than IN is refused.
    @Test func refusesOtherClasses() throws {
        let error = try #require(throws: TrustAnchorParseError.self) {
            try TrustAnchorStore.parse(". CH DS 20326 8 2 00", source: "f")
        }
        #expect(error.line == 1)
        // Equal by code: the same kind of failure, whatever the text and place.
        #expect(error == TrustAnchorParseError(.notAnAnchor, "another reason", source: "g", line: 9))
        #expect(error != TrustAnchorParseError(.badAnchorText, error.reason, source: "f", line: 1))
    }

    // MARK: - Built-in root anchors

    /// The built-in anchors are the two root DS records of IANA's root-anchors.xml, identical to etc/root.keys.
    @Test func builtInRootMatchesRootKeys() throws {
        let builtIn = TrustAnchorStore.builtInRoot
        #expect(builtIn.count == 1)
        #expect(builtIn[0].owner == .root)
        #expect(builtIn[0].dnskeys.isEmpty)
        #expect(builtIn[0].ds.map(\.keyTag) == [20326, 38696])
        #expect(builtIn[0].ds.allSatisfy { $0.algorithm.rawValue == 8 && $0.digestType.rawValue == 2 })
        let fromFile = try TrustAnchorStore.parse(try Self.rootKeysText(), source: "etc/root.keys")
        #expect(fromFile == builtIn)
        #expect(
            builtIn[0].ds[0].digest
                == hex("E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D"))
        #expect(
            builtIn[0].ds[1].digest
                == hex("683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16"))
    }

    // MARK: - Closest anchor

    /// The deepest anchor at or above a name is chosen: an anchor below the root wins for its subtree, the
    /// root's for everything else; without a root anchor names outside every anchor have none.
    @Test func closestAnchor() throws {
        let below = TrustAnchor(
            owner: DomainName(stringLiteral: "example.net."),
            ds: [
                DS(
                    keyTag: 1, algorithm: DNSSECAlgorithm(rawValue: 13), digestType: DigestType(rawValue: 2),
                    digest: Array(repeating: 0, count: 32))
            ])
        let store = TrustAnchorStore(anchors: TrustAnchorStore.builtInRoot + [below])
        #expect(store.closestAnchor(for: try DomainName("www.EXAMPLE.net."))?.owner.description == "example.net.")
        #expect(store.closestAnchor(for: try DomainName("example.net."))?.owner.description == "example.net.")
        #expect(store.closestAnchor(for: try DomainName("net."))?.owner == .root)
        #expect(store.closestAnchor(for: try DomainName("www.example.org."))?.owner == .root)
        #expect(store.anchors.count == 2)

        let onlyBelow = TrustAnchorStore(anchors: [below])
        #expect(onlyBelow.closestAnchor(for: try DomainName("example.org.")) == nil)
        #expect(onlyBelow.closestAnchor(for: try DomainName("a.b.example.net.")) == below)
    }

    /// A DS anchor and a DNSKEY anchor at one owner combine into one anchor.
    @Test func anchorsAtOneOwnerCombine() throws {
        let zsk = try Managed.zsk()
        let store = TrustAnchorStore(anchors: [
            try Managed.initialAnchor(), TrustAnchor(owner: Managed.zone, dnskeys: [zsk]),
        ])
        let anchor = try #require(store.closestAnchor(for: Managed.zone))
        #expect(anchor.ds == (try Managed.k1DS()))
        #expect(anchor.dnskeys == [zsk])
        #expect(store.anchors.count == 1)
    }

    /// An anchor whose only DS uses an unsupported algorithm is kept as data; the validator calls its zone
    /// insecure (RFC 4035 §5.2).
    @Test func unsupportedAnchorIsKeptAndInsecure() throws {
        let anchor = TrustAnchor(
            owner: Managed.zone,
            ds: [
                DS(
                    keyTag: 1, algorithm: DNSSECAlgorithm(rawValue: 200), digestType: DigestType(rawValue: 2),
                    digest: Array(repeating: 0, count: 32))
            ])
        let store = TrustAnchorStore(anchors: [anchor])
        let kept = try #require(store.closestAnchor(for: Managed.zone))
        #expect(kept == anchor)
        var budget = ValidationBudget()
        let outcome = DNSKEYValidator.validate(
            try Managed.rrset("k1"), anchor: kept, now: UInt32(Managed.start), budget: &budget)
        #expect(outcome.status == .insecure)
    }

    // MARK: - Negative trust anchors (RFC 7646)

    /// An NTA covers its name and names below it, not its parent or siblings; the deepest applies.
    @Test func negativeAnchorCoversBelow() throws {
        let nta = NegativeTrustAnchor(name: DomainName(stringLiteral: "dnssec-failed.org."))
        let store = TrustAnchorStore(anchors: TrustAnchorStore.builtInRoot, negativeAnchors: [nta])
        #expect(store.negativeAnchor(covering: try DomainName("dnssec-failed.org."), now: 0) == nta)
        #expect(store.negativeAnchor(covering: try DomainName("www.DNSSEC-failed.org."), now: 0) == nta)
        #expect(store.negativeAnchor(covering: try DomainName("org."), now: 0) == nil)
        #expect(store.negativeAnchor(covering: try DomainName("other.org."), now: 0) == nil)
        #expect(store.negativeAnchor(covering: try DomainName("xdnssec-failed.org."), now: 0) == nil)
    }

    /// An NTA with an expiry applies strictly before it and not after; expired ones can be swept.
    @Test func negativeAnchorExpires() throws {
        let name = DomainName(stringLiteral: "broken.example.")
        let store = TrustAnchorStore(anchors: [])
        store.addNegativeAnchor(NegativeTrustAnchor(name: name, expiry: 1000))
        #expect(store.negativeAnchor(covering: name, now: 999) != nil)
        #expect(store.negativeAnchor(covering: name, now: 1000) == nil)
        #expect(store.negativeAnchors.count == 1)
        #expect(store.removeExpiredNegativeAnchors(now: 1000) == [name])
        #expect(store.negativeAnchors.isEmpty)
    }

    /// NTAs are added and removed at run time; adding again replaces the expiry.
    @Test func negativeAnchorsAtRunTime() throws {
        let name = DomainName(stringLiteral: "broken.example.")
        let store = TrustAnchorStore(
            anchors: [], negativeAnchors: [NegativeTrustAnchor(name: DomainName(stringLiteral: "a."))])
        store.addNegativeAnchor(NegativeTrustAnchor(name: name, expiry: 50))
        store.addNegativeAnchor(NegativeTrustAnchor(name: name, expiry: nil))
        #expect(store.negativeAnchor(covering: try DomainName("x.broken.example."), now: 100)?.expiry == nil)
        #expect(store.negativeAnchors.map(\.name.description) == ["a.", "broken.example."])
        #expect(store.removeNegativeAnchor(name))
        #expect(!store.removeNegativeAnchor(name))
        #expect(store.negativeAnchor(covering: name, now: 100) == nil)
    }

    // MARK: - Update policy

    /// `auto` manages only the built-in root anchors; `true` every configured one; `false` none — and with
    /// nothing managed no refresh is ever due, so no RFC 5011 probe is sent.
    @Test func updatePolicies() throws {
        let configured = try TrustAnchorStore.parse(try Self.rootKeysText(), source: "etc/root.keys")
        let builtInAuto = TrustAnchorStore(configured: [], policy: .auto)
        #expect(builtInAuto.managedZones == [.root])
        #expect(builtInAuto.nextRefresh(now: 5) == 5)
        #expect(builtInAuto.zonesDueForRefresh(now: 5) == [.root])
        #expect(builtInAuto.anchors == TrustAnchorStore.builtInRoot)

        let configuredAuto = TrustAnchorStore(configured: configured, policy: .auto)
        #expect(configuredAuto.managedZones.isEmpty)
        #expect(configuredAuto.nextRefresh(now: 5) == nil)
        #expect(configuredAuto.zonesDueForRefresh(now: 5).isEmpty)

        let all = TrustAnchorStore(configured: configured + [try Managed.initialAnchor()], policy: .all)
        #expect(all.managedZones == [.root, Managed.zone])

        let none = TrustAnchorStore(configured: [], policy: .none)
        #expect(none.managedZones.isEmpty)
        #expect(none.nextRefresh(now: 5) == nil)
        #expect(none.closestAnchor(for: try DomainName("example.")) == TrustAnchorStore.builtInRoot[0])
        #expect(none.refresh(.root, with: try Managed.rrset("k1"), now: 5) == nil)

        let negative = TrustAnchorStore(
            configured: [], policy: .none, negativeAnchors: [DomainName(stringLiteral: "nta.")])
        #expect(negative.negativeAnchor(covering: try DomainName("a.nta."), now: 0) != nil)
    }
}

extension TrustAnchorStoreTests {
    /// Inline configuration lines are parsed one by one, errors naming the entry; anchors at one owner from
    /// several lines combine in the store.
    @Test func inlineLines() throws {
        let lines = [
            ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
            ". DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16",
        ]
        let store = TrustAnchorStore(configured: try TrustAnchorStore.parse(inline: lines), policy: .auto)
        #expect(store.anchors == TrustAnchorStore.builtInRoot)
        #expect(store.managedZones.isEmpty, "configured anchors are static under auto")
        let error = try #require(throws: TrustAnchorParseError.self) {
            try TrustAnchorStore.parse(inline: [lines[0], "example. IN NS ns.example."])
        }
        #expect(
            error.description
                == "dnssec.trust-anchors[1]:1: NS record for example.: a trust anchor is a DS or DNSKEY record")
    }

    /// A clock that went back far does not postpone RFC 5011 refreshes by the size of the jump.
    @Test func refreshAfterClockJumpsBack() throws {
        let store = TrustAnchorStore(anchors: [try Managed.initialAnchor()], managed: [Managed.zone])
        _ = store.refresh(Managed.zone, with: try Managed.rrset("k1"), now: Managed.start)
        #expect(store.nextRefresh(now: Managed.start) == Managed.start + Managed.day)
        let earlier = Managed.start - 365 * Managed.day
        #expect(store.nextRefresh(now: earlier) == earlier)
        #expect(store.zonesDueForRefresh(now: earlier) == [Managed.zone])
    }
}
