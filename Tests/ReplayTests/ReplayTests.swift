// Primary responsibilities: run every scenario in Scenarios/ through the real engine over the
// scripted network, and turn each scenario's configuration lines into engine settings.

import DNSCache
import DNSSEC
import DNSWire
import Foundation
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

    /// Each scenario passes every check it makes.
    @Test(arguments: scenarioFiles)
    func scenario(_ path: String) async throws {
        let scenario = try Scenario(contentsOfFile: path)
        let runner = ScenarioRunner(scenario: scenario)
        let engine = IterativeResolver(
            configuration: try Self.configuration(scenario.config), transport: runner.network, clock: runner.clock,
            cache: ResolverCache(configuration: try Self.cacheConfiguration(scenario.config)),
            infrastructure: InfrastructureCache())
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
            else { throw ConfigError(line: line, reason: "expected STEP MIN MAX (seconds)") }
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
                ?? .failure(ExtendedDNSError(.notReady, "RD=0 and not in the cache"))
        }
        return ResponseBuilder.finish(ClientResponse.make(resolution, for: query), for: query, ednsBufferSize: 1232)
    }

    /// Reads the configuration keys scenarios use:
    /// `root-hint: NAME ADDRESS`, `qname-minimisation: off|relaxed|strict|no|yes`,
    /// `forward-zone: ZONE ADDRESS[,ADDRESS…]`, `ipv4|ipv6|allow-private-upstreams|use-0x20: yes|no`,
    /// `max-upstream-queries|max-referrals|max-cname-chain|max-nameserver-lookups|max-nxdomain-nameservers: N`;
    /// DNSSEC: `trust-anchor: ZONE-FILE LINE` (DS or DNSKEY, repeatable; any anchor turns validation
    /// on), `validation: yes|no`, `nta: NAME`, `nsec3-max-iterations: N`, `bogus-ttl: N` (read by
    /// ``cacheConfiguration(_:)``); `query-seconds: STEP MIN MAX` is for the test itself
    /// (``timeBounds(_:)``). Scenarios without an anchor run without validation, as before.
    static func configuration(_ lines: [ConfigLine]) throws -> ResolverConfiguration {
        var configuration = ResolverConfiguration()
        var hints: [(DomainName, ServerAddress)] = []
        var anchorLines: [String] = []
        var negativeAnchors: [NegativeTrustAnchor] = []
        var validation: Bool? = nil
        for line in lines where !line.key.isEmpty && line.key != "server" {
            let value = line.value
            func flag() throws -> Bool {
                switch value.lowercased() {
                case "yes", "true", "on": return true
                case "no", "false", "off": return false
                default: throw ConfigError(line: line, reason: "expected yes or no")
                }
            }
            func number() throws -> Int {
                guard let number = Int(value) else { throw ConfigError(line: line, reason: "expected a number") }
                return number
            }
            switch line.key {
            case "root-hint":
                let parts = value.split(separator: " ")
                guard parts.count == 2, let address = ServerAddress(parts[1]) else {
                    throw ConfigError(line: line, reason: "expected NAME ADDRESS")
                }
                hints.append((try DomainName(parts[0]), address))
            case "qname-minimisation":
                switch value.lowercased() {
                case "off", "no", "false": configuration.qnameMinimisation = .off
                case "relaxed", "yes", "true": configuration.qnameMinimisation = .relaxed
                case "strict": configuration.qnameMinimisation = .strict
                default: throw ConfigError(line: line, reason: "expected off, relaxed or strict")
                }
            case "forward-zone":
                let parts = value.split(separator: " ")
                guard parts.count == 2 else { throw ConfigError(line: line, reason: "expected ZONE ADDRESS[,…]") }
                let servers = parts[1].split(separator: ",").compactMap { ServerAddress($0) }
                configuration.forwardZones.append(ForwardZone(zone: try DomainName(parts[0]), servers: servers))
            case "ipv4": configuration.useIPv4 = try flag()
            case "ipv6": configuration.useIPv6 = try flag()
            case "allow-private-upstreams": configuration.allowPrivateUpstreams = try flag()
            case "use-0x20": configuration.useCaseRandomisation = try flag()
            case "max-upstream-queries": configuration.limits.maxUpstreamQueries = try number()
            case "max-referrals": configuration.limits.maxReferrals = try number()
            case "max-cname-chain": configuration.limits.maxCNAMEChain = try number()
            case "max-nameserver-lookups": configuration.limits.maxNameServerLookupsPerDelegation = try number()
            case "max-nxdomain-nameservers": configuration.limits.maxNXDOMAINNameServers = try number()
            case "trust-anchor": anchorLines.append(value)
            case "validation": validation = try flag()
            case "nta": negativeAnchors.append(NegativeTrustAnchor(name: try DomainName(value)))
            case "nsec3-max-iterations":
                configuration.validation.limits.maxNSEC3Iterations = UInt16(clamping: try number())
            case "bogus-ttl": continue  // a cache setting (see cacheConfiguration)
            case "serve-stale":
                configuration.serveStale = try flag()  // the cache keeps stale entries too (cacheConfiguration)
            case "prefetch": configuration.prefetch = try flag()
            case "query-seconds": continue  // checked by the test, not the engine (see timeBounds)
            default: throw ConfigError(line: line, reason: "unknown key")
            }
        }
        let anchors = try TrustAnchorStore.parse(anchorLines.joined(separator: "\n"), source: "scenario")
        configuration.validation.anchors = TrustAnchorStore(anchors: anchors, negativeAnchors: negativeAnchors)
        configuration.validation.enabled = validation ?? !anchors.isEmpty
        if !hints.isEmpty {
            var names: [DomainName] = []
            var addresses: [DomainName: [ServerAddress]] = [:]
            for (name, address) in hints {
                if !names.contains(name) { names.append(name) }
                addresses[name, default: []].append(address)
            }
            configuration.rootHints = RootHints(nameServers: names, addresses: addresses)
        }
        return configuration
    }

    /// The cache settings a scenario changes: `bogus-ttl: N` (seconds a bogus result is kept).
    static func cacheConfiguration(_ lines: [ConfigLine]) throws -> CacheConfiguration {
        var configuration = CacheConfiguration()
        for line in lines where line.key == "bogus-ttl" {
            guard let seconds = UInt32(line.value) else { throw ConfigError(line: line, reason: "expected seconds") }
            configuration.bogusTTL = seconds
        }
        configuration.serveStale = lines.contains { $0.key == "serve-stale" && $0.value.lowercased() == "yes" }
        return configuration
    }

    /// A configuration line the adapter does not understand.
    struct ConfigError: Error, CustomStringConvertible {
        /// The line.
        var line: ConfigLine
        /// What is wrong.
        var reason: String
        /// `line N: key: reason`.
        var description: String { "config line \(line.line): \(line.key): \(reason)" }
    }
}
