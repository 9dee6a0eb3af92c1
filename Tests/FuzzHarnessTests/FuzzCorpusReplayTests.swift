// Primary responsibilities: replaying the seed corpora of the response, configuration and control
// fuzz targets (Tests/Fuzz/corpus-*) with the same checks their libFuzzer entries make, so `make test`
// keeps every past finding fixed without libFuzzer; and writing the response target's seeds.

import DNSSEC
import DNSWire
import Foundation
import Resolver
import Testing

@testable import FuzzHarness

/// Each target's property over every file of its seed corpus.
@Suite struct FuzzCorpusReplayTests {
    /// `Tests/Fuzz`, found from this file's path (no resource bundles).
    static let fuzzFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz").path

    /// The files of `corpus-NAME`, sorted, with their bytes.
    static func corpus(_ name: String) throws -> [(file: String, bytes: [UInt8])] {
        let folder = fuzzFolder + "/corpus-" + name
        return try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix(".") }.sorted()
            .map { file in
                (file, Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + file))))
            }
    }

    @Test("every response seed resolves to a result forged data could not have earned")
    func response() async throws {
        let files = try Self.corpus("response")
        #expect(files.count >= 40, "the response corpus looks empty")
        for (file, bytes) in files {
            if let failure = await ResponseFuzzing.failure(bytes) { Issue.record("\(file): \(failure)") }
        }
    }

    @Test("every configuration seed decodes, or is refused with diagnostics that point into the file")
    func configuration() throws {
        let files = try Self.corpus("configuration")
        #expect(files.count >= 5, "the configuration corpus looks empty")
        for (file, bytes) in files {
            if let failure = ConfigurationFuzzing.failure(bytes) { Issue.record("\(file): \(failure)") }
        }
    }

    @Test("every control seed gets one well-formed reply")
    func control() throws {
        let files = try Self.corpus("control")
        #expect(files.count >= 12, "the control corpus looks empty")
        for (file, bytes) in files {
            if let failure = ControlFuzzing.failure(bytes) { Issue.record("\(file): \(failure)") }
        }
    }

    /// Writes the response target's seeds into corpus-response when MAMORI_WRITE_FUZZ_SEEDS is set
    /// (after the signed fixture is regenerated: its keys and signatures change with every run).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["MAMORI_WRITE_FUZZ_SEEDS"] != nil))
    func writeResponseSeeds() async throws {
        let folder = Self.fuzzFolder + "/corpus-response"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for seed in await ResponseFuzzing.seeds() {
            try Data(seed.bytes).write(to: URL(fileURLWithPath: folder + "/" + seed.name))
        }
    }
}

/// The response target's property is not vacuous: the fixture resolves securely, and the check of
/// secure data tells signed data from forged.
@Suite struct ResponseFixtureTests {
    @Test("without replacements, www.example. A resolves secure and the property holds")
    func cleanResolutionIsSecure() async {
        let run = ResponseFuzzing.Fixture.shared.makeRun(.init(question: 0, firstReplaced: 0, replies: []))
        let result = await run.engine.resolve(ResponseFuzzing.questions[0].question)
        #expect(result.rcode == .noError && result.status == .secure)
        #expect(result.answer.allSatisfy(ResponseFuzzing.Fixture.shared.signed))
        #expect(await ResponseFuzzing.failure([0, 0]) == nil)
    }

    @Test("signed data is recognised by owner or wildcard, TTL aside; other data is not")
    func signedData() {
        let fixture = ResponseFuzzing.Fixture.shared
        func rrset(_ name: String, _ lastOctet: UInt8) -> RRSet {
            RRSet(name: DomainName(stringLiteral: name), type: .a, ttl: 60, rdatas: [.a(A(192, 0, 2, lastOctet))])
        }
        #expect(fixture.signed(rrset("www.example.", 80)))
        #expect(fixture.signed(rrset("anything.wild.example.", 99)))
        #expect(!fixture.signed(rrset("www.example.", 81)))
        #expect(!fixture.signed(rrset("www.insecure.", 86)))
    }
}
