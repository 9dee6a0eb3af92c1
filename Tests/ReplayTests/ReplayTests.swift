// Primary responsibilities: run every scenario in Scenarios/ through the real engine over the
// scripted network, built from each scenario's configuration lines by the daemon's translation —
// through the service and its address policies when the scenario sets one.

import DNSCache
import DNSSEC
import DNSWire
import Foundation
import Logging
import MamoriConfiguration
import MamoriService
import Resolver
import ResolverServer
import ResolverTestKit
import Testing

/// Whole resolutions against scripted authoritative servers (architecture.md §8, layer 2).
@Suite struct ReplayTests {
    /// The scenario files, found next to this source file.
    static let scenarioFiles: [String] = {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scenarios")
        return Scenario.files(inDirectory: folder.path)
    }()

    /// An engine built from `scenario`'s configuration lines by the daemon's translation, over
    /// the runner's scripted network and manual clock, with an empty cache.
    static func engine(for scenario: Scenario, runner: ScenarioRunner) throws -> IterativeResolver {
        let settings = try ScenarioConfiguration.settings(scenario.config)
        return IterativeResolver(
            configuration: settings.resolver, transport: runner.network, clock: runner.clock,
            cache: ResolverCache(configuration: settings.cache), infrastructure: InfrastructureCache())
    }

    /// Runs the scenario named `file` (in Scenarios/), expecting it to pass, and returns its engine
    /// with what the cache learnt, for a test to ask more of on the same network and clock.
    static func engine(afterRunning file: String) async throws -> IterativeResolver {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Scenarios/\(file)").path
        let scenario = try Scenario(contentsOfFile: path)
        let runner = ScenarioRunner(scenario: scenario)
        let engine = try engine(for: scenario, runner: runner)
        let report = await runner.run { query in await answer(query, engine: engine) }
        #expect(report.passed, "\(report)")
        return engine
    }

    /// A service built from `scenario`'s configuration lines with the daemon's stages installed —
    /// local data, the locally served zones, the address policies
    /// (``ScenarioConfiguration/usesService(_:)``) — over the runner's network and clock.
    static func service(for scenario: Scenario, runner: ScenarioRunner) throws -> ResolverService {
        let directory = NSTemporaryDirectory() + "mamori-replay-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = try ScenarioConfiguration.configuration(
            scenario.config, rootHintsFile: directory + "/root.hints")
        configuration.stateDirectory = directory
        let service = try ResolverService(
            configuration: configuration, logger: Logger(label: "replay"), persistent: false,
            transport: runner.network, clock: runner.clock, clientWait: .seconds(3600))
        service.install(
            StageParts(configuration: configuration, local: try LocalTableLoader.load(configuration)).stages)
        return service
    }

    /// The service's answer to a client query, as the listeners get it: the fast path, then the
    /// resolution; RD=0 queries the cache does not answer get SERVFAIL as from the bare engine.
    static func answer(_ query: Message, service: ResolverService) async -> Message {
        let client = ClientAddress(address: .loopbackV4, port: 1, transport: .udp)
        let response: Message
        switch service.answerFromCache(query, client: client) {
        case .response(let cached), .local(let cached):
            response = cached
        case .miss(let miss):
            guard query.header.recursionDesired else {
                return ResponseBuilder.error(.servFail, for: query, ednsBufferSize: 1232)
            }
            response = await withCheckedContinuation { continuation in
                service.resolve(query, client: client, after: miss) { continuation.resume(returning: $0) }
            }
        }
        return ResponseBuilder.finish(response, for: query, ednsBufferSize: 1232)
    }

    /// Each scenario passes every check it makes.
    @Test(arguments: scenarioFiles)
    func scenario(_ path: String) async throws {
        let scenario = try Scenario(contentsOfFile: path)
        let runner = ScenarioRunner(scenario: scenario)
        if ScenarioConfiguration.usesService(scenario.config) {
            let service = try Self.service(for: scenario, runner: runner)
            let report = await runner.run { query in await Self.answer(query, service: service) }
            #expect(report.passed, "\(report)")
            return
        }
        let engine = try Self.engine(for: scenario, runner: runner)
        let bounds = try Self.timeBounds(scenario.config)
        var elapsed: [Int: Duration] = [:]
        let report = await runner.run { query in
            let start = runner.clock.monotonicNow
            let answer = await Self.answer(query, engine: engine)
            elapsed[Int(query.header.id)] = runner.clock.monotonicNow - start
            return answer
        }
        #expect(report.passed, "\(report)")
        for bound in bounds {
            let took = elapsed[bound.step]
            let range = "\(bound.range.lowerBound)...\(bound.range.upperBound)"
            #expect(
                took.map { bound.range.contains($0) } ?? false,
                "\(scenario.fileName): step \(bound.step) took \(took.map { "\($0)" } ?? "nothing"), expected \(range)")
        }
    }

    /// A `query-seconds: STEP MIN MAX` line: the resolution started by that QUERY step must take
    /// between MIN and MAX seconds of the scenario's manual clock, give or take a millisecond for
    /// the decimal reading (the kit has no step for this).
    struct TimeBound {
        /// The QUERY step (its query's ID, as the runner numbers them).
        var step: Int
        /// The accepted durations.
        var range: ClosedRange<Duration>
    }

    /// The `query-seconds` lines of a scenario.
    static func timeBounds(_ lines: [ConfigLine]) throws -> [TimeBound] {
        try lines.filter { $0.key == "query-seconds" }.map { line in
            let parts = line.value.split(separator: " ")
            guard parts.count == 3, let step = Int(parts[0]), let low = Double(parts[1]), let high = Double(parts[2]),
                low <= high
            else { throw ScenarioError(configuration: line, "expected STEP MIN MAX (seconds)") }
            let slack = Duration.milliseconds(1)
            return TimeBound(step: step, range: (Duration.seconds(low) - slack)...(Duration.seconds(high) + slack))
        }
    }

    /// The engine's answer to a client query, finished as the daemon finishes it. RD=0 queries are
    /// answered from the cache alone (REFUSED-free: an empty NOERROR would lie, so SERVFAIL).
    static func answer(_ query: Message, engine: IterativeResolver) async -> Message {
        guard let question = query.question else {
            return ResponseBuilder.error(.formErr, for: query, ednsBufferSize: 1232)
        }
        let resolution: Resolution
        if query.header.recursionDesired {
            resolution = await engine.resolve(question, checkingDisabled: query.header.checkingDisabled)
        } else {
            resolution =
                engine.answerFromCache(question, checkingDisabled: query.header.checkingDisabled)
                ?? Resolution(
                    rcode: .servFail, extendedErrors: [ExtendedDNSError(.notReady, "RD=0 and not in the cache")])
        }
        return ResponseBuilder.finish(ClientResponse.make(resolution, for: query), for: query, ednsBufferSize: 1232)
    }
}
