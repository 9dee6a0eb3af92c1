// Primary responsibilities: `mamorictl lookup`'s explanation over real signed zones (the val_*
// scenarios): the result, the EDE and reason of a bogus answer, and the chain of trust zone by zone
// (DS at each cut, the DNSKEY verdict, the unsigned delegation where insecurity begins).

import DNSCache
import DNSWire
import Foundation
import MamoriService
import Resolver
import ResolverTestKit
import Testing

@Suite struct ExplanationTests {
    /// Runs the scenario named `file` (so the cache holds its chain), then explains `name`/A with
    /// the same engine, network and clock.
    static func explain(_ name: String, after file: String) async throws -> [String] {
        let engine = try await ReplayTests.engine(afterRunning: file)
        return await engine.explain(Question(name: try DomainName(name), type: .a))
    }

    @Test("secure: the result, the records with RRSIGs, and DS and DNSKEY verdicts from the root down")
    func secure() async throws {
        let lines = try await Self.explain("www.example.", after: "val_secure.rpl")
        #expect(lines.contains("result: NOERROR, secure, from the cache"))
        #expect(lines.contains { $0.hasPrefix("answer: www.example. ") && $0.contains(" IN A ") })
        #expect(lines.contains { $0.hasPrefix("answer: www.example. ") && $0.contains(" RRSIG A 13 ") })
        #expect(lines.contains("chain of trust, from the trust anchor . to example.:"))
        #expect(lines.contains { $0.hasPrefix("  . DNSKEY: secure, keys ") })
        #expect(lines.contains { $0.hasPrefix("  example. DS: secure, ") })
        #expect(lines.contains { $0.hasPrefix("  example. DNSKEY: secure, keys ") && $0.contains("KSK") })
        #expect(lines.last?.hasPrefix("  data signed by example. key ") == true)
    }

    @Test("insecure: the chain ends at the delegation proven to have no DS")
    func insecure() async throws {
        let lines = try await Self.explain("www.insecure.", after: "val_secure.rpl")
        #expect(lines.contains("result: NOERROR, insecure, from the cache"))
        #expect(lines.contains { $0.hasPrefix("  insecure. no DS, proven by NSEC ") && $0.hasSuffix(": insecure") })
        #expect(lines.last == "  below insecure.: unsigned delegation, answers are insecure")
    }

    @Test("bogus: SERVFAIL with its EDE and reason, and the DNSKEY set that failed named in the chain")
    func bogus() async throws {
        let lines = try await Self.explain("www.failed.", after: "val_bogus.rpl")
        #expect(lines.contains { $0.hasPrefix("result: SERVFAIL, bogus") })
        #expect(lines.contains { $0.hasPrefix("extended error: 9 (DNSKEY Missing) ") })
        #expect(lines.contains { $0.hasPrefix("  failed. DS: secure, ") })
        #expect(lines.contains { $0.hasPrefix("  failed. DNSKEY: bogus (") })
    }
}
