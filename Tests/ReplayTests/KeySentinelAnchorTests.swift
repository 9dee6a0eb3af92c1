// Primary responsibilities: the RFC 8509 key sentinel follows the root trust anchors in force, not
// the ones an answer was cached under: the same cached, secure data is kept or refused as the
// anchors change (as they do under RFC 5011).

import DNSCache
import DNSSEC
import DNSWire
import Foundation
import Resolver
import ResolverTestKit
import Testing

@Suite struct KeySentinelAnchorTests {
    @Test("after the root anchor changes, cached sentinel answers are judged by the new anchor's key tag")
    func followsTheAnchorsInForce() async throws {
        let file = "val_key_sentinel.rpl"
        let engine = try await ReplayTests.engine(afterRunning: file)
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Scenarios/\(file)").path
        let anchorLine = try #require(try Scenario(contentsOfFile: path).config(for: "trust-anchor").first)
        let oldTag = try #require(UInt16(anchorLine.split(separator: " ")[3]))
        let newTag = oldTag &+ 1
        func label(_ kind: String, _ tag: UInt16) -> String {
            "root-key-sentinel-\(kind)-ta-" + String(repeating: "0", count: 5 - String(tag).count) + "\(tag).example."
        }

        // The same cache, another root anchor: a key tag the scenario's answers never saw as an anchor.
        var configuration = engine.configuration
        configuration.validation.anchors = TrustAnchorStore(anchors: [
            TrustAnchor(
                owner: .root,
                ds: [
                    DS(
                        keyTag: newTag, algorithm: .ecdsaP256SHA256, digestType: .sha256,
                        digest: [UInt8](repeating: 0, count: 32))
                ])
        ])
        let clock = ManualClock()
        let rolled = IterativeResolver(
            configuration: configuration, transport: ScriptedNetwork(clock: clock), clock: clock, cache: engine.cache,
            infrastructure: engine.infrastructure)

        func answer(_ name: String) throws -> Resolution {
            try #require(rolled.answerFromCache(Question(name: try DomainName(name), type: .a)))
        }
        #expect(try answer(label("is", newTag)).rcode == .noError)
        #expect(try answer(label("is", newTag)).status == .secure)
        #expect(try answer(label("not", oldTag)).rcode == .noError)
        let refused = try answer(label("is", oldTag))
        #expect(refused.rcode == .servFail)
        #expect(refused.extendedErrors.map(\.code) == [.other])
        #expect(
            refused.extendedErrors.first?.extraText.contains("key tag \(oldTag) is not a root trust anchor") == true)
        #expect(refused.extendedErrors.first?.extraText.hasSuffix("[KSNT]") == true)
        #expect(try answer(label("not", newTag)).rcode == .servFail)
    }
}
