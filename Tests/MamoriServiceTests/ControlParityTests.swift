// Primary responsibilities: the control commands of issue 18, in-process — version and status,
// dump-cache/load-cache under the same and another configuration, list and flush requests on a
// resolution held in flight, forward zones changed at run time, config show, and run-time NTAs
// outliving a restart only under the trust anchors they were added under.

import DNSCache
import DNSWire
import Foundation
import MamoriConfiguration
import MamoriControl
import Resolver
import ResolverServer
import ResolverTestKit
import Synchronization
import Testing

@testable import MamoriService

/// A transport that holds every query for `held` until ``open()``, and passes the rest to a
/// scripted network: a resolution stays in flight for as long as the test needs.
final class GatedTransport: UpstreamTransport {
    /// Where queries go once let through.
    let inner: ScriptedNetwork
    /// The name whose queries are held.
    let held: DomainName
    /// Queries for `held` that arrived, the continuations waiting, and whether the gate is open.
    private let state = Mutex<(arrived: Int, waiting: [CheckedContinuation<Void, Never>], open: Bool)>((0, [], false))

    /// Holds `held`'s queries in front of `inner`.
    init(_ inner: ScriptedNetwork, holding held: DomainName) {
        self.inner = inner
        self.held = held
    }

    /// How many queries for `held` arrived.
    var arrived: Int { state.withLock { $0.arrived } }

    /// Lets every held query through, and those to come.
    func open() {
        let waiting = state.withLock { state in
            state.open = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    func send(
        _ query: Message, to server: ServerAddress, over transport: DNSTransport, timeout: Duration
    ) async
        -> UpstreamReply
    {
        if query.question?.name == held {
            await withCheckedContinuation { continuation in
                let pass = state.withLock { state in
                    state.arrived += 1
                    if !state.open { state.waiting.append(continuation) }
                    return state.open
                }
                if pass { continuation.resume() }
            }
        }
        return await inner.send(query, to: server, over: transport, timeout: timeout)
    }
}

@Suite("Resolver service: control commands of issue 18")
struct ControlParityTests {
    typealias Support = PersistenceAndControlTests

    /// A context whose forward zones change as the daemon's do (``ResolverDaemon``): over
    /// `configuration`, through ``ResolverService/changeForwarding(_:zone:)``.
    static func context(_ service: ResolverService, _ configuration: Configuration) -> ControlContext {
        let inForce = Mutex(configuration)
        return ControlContext(
            started: .now, configuration: { inForce.withLock { $0 } }, listening: { "UDP 127.0.0.1@5300" },
            packetCache: nil, waiting: { 0 }, reload: { nil },
            changeForwardZones: { zones, zone in
                var changed = inForce.withLock { $0 }
                changed.resolution.forwardZones = zones
                let removed = try service.changeForwarding(changed, zone: zone)
                inForce.withLock { $0 = changed }
                return removed
            })
    }

    /// Polls (without a deadline of its own: the test's time limit is the bound) until `condition`,
    /// sleeping a millisecond between polls so the thread is free for the tasks it waits on.
    static func eventually(_ condition: () -> Bool) async {
        while !condition() { try? await Task.sleep(for: .milliseconds(1)) }
    }

    @Test("version, status (pid, threads, cache fill, in flight) and stats (process and in-flight lines)")
    func versionAndStatus() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = Support.configuration(directory, persist: false)
        let (service, _) = try Support.makeService(configuration)
        let context = Self.context(service, configuration)
        #expect(
            service.perform(.version, context: context)
                == .ok(["version: \(MamoriVersion.version)", "revision: \(MamoriVersion.revision)"]))
        let status = service.perform(.status, context: context).lines
        #expect(status.first == "version: \(MamoriVersion.description)")
        #expect(status.contains("pid: \(getpid())"))
        let threads = try #require(status.first { $0.hasPrefix("threads: ") }.flatMap { Int($0.dropFirst(9)) })
        #expect(threads >= 1)
        let cache = try #require(status.first { $0.hasPrefix("cache: ") })
        #expect(cache.hasPrefix("cache: 0 entries, ") && cache.hasSuffix(" %)"))
        #expect(status.contains { $0.hasPrefix("cache entries: rrset 0, nxdomain 0,") })
        #expect(status.contains("in flight: 0 resolutions"))
        let stats = service.perform(.stats, context: context).lines
        #expect(stats.contains("process.pid \(getpid())") && stats.contains("requests.in-flight 0"))
        #expect(stats.contains { $0.hasPrefix("process.uptime-seconds ") })
    }

    @Test("dump-cache writes the dump and its identity; load-cache takes it under the same settings only")
    func dumpAndLoad() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = Support.configuration(directory, persist: false)
        let (service, _) = try Support.makeService(configuration, answering: Support.names)
        for name in Support.names { _ = await service.resolver.resolve(Question(name: name, type: .a)) }
        let context = Self.context(service, configuration)
        let file = directory + "/copy.dump"
        let dumped = service.perform(.dumpCache(path: file), context: context)
        #expect(dumped.succeeded && dumped.lines[0].hasPrefix("wrote "), "\(dumped)")
        #expect(FileManager.default.fileExists(atPath: file + ".identity"))

        let (fresh, network) = try Support.makeService(configuration)
        let loaded = fresh.perform(.loadCache(path: file), context: Self.context(fresh, configuration))
        #expect(loaded.succeeded && loaded.lines[0].hasPrefix("loaded 2 of 2 entries from \(file)"), "\(loaded)")
        #expect(Support.cached(fresh, "www.example.") && Support.cached(fresh, "www.other.test."))
        #expect(network.queryCount == 0)

        var other = configuration
        other.dnssec.nsec3MaxIterations = 100
        let (refusing, _) = try Support.makeService(other)
        let refused = refusing.perform(.loadCache(path: file), context: Self.context(refusing, other))
        #expect(!refused.succeeded)
        #expect(
            refused.lines[0].hasPrefix(
                "not loaded: \(file) was judged under another configuration (changed: dnssec.nsec3-max-iterations)"))
        #expect(!Support.cached(refusing, "www.example."))

        let missing = fresh.perform(.loadCache(path: directory + "/none.dump"), context: context)
        #expect(!missing.succeeded && missing.lines[0].hasPrefix("not loaded: \(directory)/none.dump: no such file"))
        let unwritable = service.perform(.dumpCache(path: directory + "/no/such/dir.dump"), context: context)
        #expect(!unwritable.succeeded)
        #expect(unwritable.lines[0].hasPrefix("cannot write \(directory)/no/such/dir.dump.tmp."))
        #expect(unwritable.lines[0].contains("No such file or directory (mamorid runs as user "))
    }

    @Test("list requests shows a held resolution with its waiting callers; flush requests detaches it")
    func requests() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = Support.configuration(directory, persist: false)
        let clock = ManualClock()
        let network = ScriptedNetwork(clock: clock)
        network.setUnmatchedPolicy(.rcode(.refused), for: nil)
        let name: DomainName = "www.example."
        network.add(
            ScriptedEntry(
                match: QueryMatch(name: .exact(name), type: .a),
                response: ScriptedResponse(
                    authoritativeAnswer: true, answer: [Record(name: name, ttl: 3600, rdata: .a(A(192, 0, 2, 7)))])),
            at: [Support.server])
        let gate = GatedTransport(network, holding: name)
        let service = try ResolverService(
            configuration: configuration, logger: LogCapture().logger, persistent: false, transport: gate,
            clock: clock, clientWait: .seconds(60))
        let context = Self.context(service, configuration)
        let question = Question(name: name, type: .a)
        let resolver = service.resolver
        let first = Task { await resolver.resolve(question) }
        let joined = Task { await resolver.resolve(question) }
        await Self.eventually { gate.arrived == 1 && resolver.inFlightResolutions(limit: 1).listed.first?.waiting == 2 }
        let listed = service.perform(.listRequests, context: context).lines
        #expect(listed == ["1 resolutions in flight", "www.example. IN A running 0 ms, 2 waiting"], "\(listed)")

        let flushed = service.perform(.flushRequests, context: context)
        #expect(flushed.lines[0].hasPrefix("1 resolutions in flight detached"))
        #expect(service.perform(.listRequests, context: context).lines == ["0 resolutions in flight"])
        let fresh = Task { await resolver.resolve(question) }
        await Self.eventually { gate.arrived == 2 }
        #expect(
            service.perform(.listRequests, context: context).lines == [
                "1 resolutions in flight", "www.example. IN A running 0 ms, 1 waiting",
            ])
        gate.open()
        for task in [first, joined, fresh] {
            let resolution = await task.value
            #expect(resolution.rcode == .noError && resolution.answer.first?.rdatas == [.a(A(192, 0, 2, 7))])
        }
        #expect(service.perform(.listRequests, context: context).lines == ["0 resolutions in flight"])
    }

    @Test("forward add sends a zone to other servers at once, flushing it; list shows it; remove restores")
    func forwardZones() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = Support.configuration(directory, persist: false)
        let (service, network) = try Support.makeService(configuration)
        let corporate = ServerAddress("192.0.2.54")!
        let name: DomainName = "www.corp.example."
        let entry = network.add(
            ScriptedEntry(
                match: QueryMatch(name: .exact(name), type: .a),
                response: ScriptedResponse(
                    authoritativeAnswer: true, answer: [Record(name: name, ttl: 3600, rdata: .a(A(192, 0, 2, 8)))])),
            at: [corporate])
        let context = Self.context(service, configuration)
        #expect(await service.resolver.resolve(Question(name: name, type: .a)).rcode == .servFail)
        let generation = service.answerGeneration

        let added = service.perform(.forwardAdd("corp.example.", servers: [corporate], tlsName: nil), context: context)
        #expect(added.succeeded, "\(added)")
        #expect(added.lines[0].hasPrefix("corp.example. forwarded to 192.0.2.54@53 until the next reload or restart; "))
        #expect(service.answerGeneration > generation)
        #expect(
            service.perform(.forwardList, context: context).lines == [
                ". 192.0.2.53@53", "corp.example. 192.0.2.54@53",
            ])
        let answered = await service.resolver.resolve(Question(name: name, type: .a))
        #expect(answered.rcode == .noError && answered.answer.first?.rdatas == [.a(A(192, 0, 2, 8))])
        #expect(network.timesMatched(entry) == 1)

        #expect(service.perform(.forwardRemove("corp.example."), context: context).succeeded)
        #expect(service.perform(.forwardList, context: context).lines == [". 192.0.2.53@53"])
        #expect(!Support.cached(service, name))
        let missing = service.perform(.forwardRemove("corp.example."), context: context)
        #expect(missing == .error("corp.example. is not forwarded"))
    }

    @Test("config show prints the configuration in force as YAML that reads back to it")
    func configShow() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = Support.configuration(directory, persist: false)
        let (service, _) = try Support.makeService(configuration)
        let shown = service.perform(.configShow, context: Self.context(service, configuration))
        #expect(shown.succeeded)
        var read = try Configuration(yaml: shown.lines.joined(separator: "\n"))
        read.sourceFile = nil
        #expect(read == configuration)
    }

    @Test("NTAs added at run time outlive a restart (expired ones dropped), not a change of trust anchors")
    func negativeAnchorsAcrossRestarts() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = ManualClock()
        var configuration = Support.configuration(directory, persist: false)
        configuration.dnssec.negativeTrustAnchors = ["configured.test."]
        let (first, _) = try Support.makeService(configuration, clock: clock)
        let context = Support.context()
        for (name, seconds) in [("long.test.", 600), ("short.test.", 10)] as [(DomainName, Int64)] {
            #expect(first.perform(.ntaAdd(name, seconds: seconds), context: context).succeeded)
        }
        #expect(first.perform(.ntaAdd("forever.test.", seconds: nil), context: context).succeeded)
        let text = try String(contentsOfFile: directory + "/negative-trust-anchors.state", encoding: .utf8)
        #expect(!text.contains("configured.test."))
        #expect(
            text.contains("nta long.test. \(clock.wallSeconds + 600)\n") && text.contains("nta forever.test. never\n"))

        clock.shiftWallClock(bySeconds: 20)
        let (second, _) = try Support.makeService(configuration, clock: clock)
        #expect(
            second.perform(.ntaList, context: context).lines.sorted() == [
                "configured.test. until removed", "forever.test. until removed", "long.test. 580 s left",
            ])
        #expect(second.perform(.ntaRemove("forever.test."), context: context).succeeded)
        let (third, _) = try Support.makeService(configuration, clock: clock)
        #expect(
            third.perform(.ntaList, context: context).lines.sorted() == [
                "configured.test. until removed", "long.test. 580 s left",
            ])

        var anchored = configuration
        anchored.dnssec.trustAnchors = [". IN DS 12345 13 2 " + String(repeating: "ab", count: 32)]
        let capture = LogCapture()
        let (foreign, _) = try Support.makeService(anchored, clock: clock, logger: capture.logger)
        #expect(foreign.perform(.ntaList, context: context).lines == ["configured.test. until removed"])
        #expect(
            capture.warnings.contains {
                $0.hasPrefix(
                    "run-time negative trust anchors not restored from \(directory)/negative-trust-anchors.state: written under other configured trust anchors"
                )
            })
        let (notOwner, _) = try Support.makeService(configuration, clock: clock, persistent: false)
        #expect(notOwner.perform(.ntaList, context: context).lines == ["configured.test. until removed"])
    }
}
