// Primary responsibilities: the service's state across restarts and its control commands,
// in-process — a dump is loaded only under the configuration that judged it (NTA changes flush
// their names), an instance without the state directory neither loads nor writes, and the
// commands flush, add, list, expire and remove negative trust anchors on the manual clock.

import DNSCache
import DNSSEC
import DNSWire
import Dispatch
import Foundation
import Logging
import MamoriConfiguration
import MamoriControl
import Resolver
import ResolverServer
import ResolverTestKit
import Testing

@testable import MamoriService

@Suite("Resolver service: persistence and control")
struct PersistenceAndControlTests {
    /// The scripted server every name is forwarded to.
    static let server = ServerAddress("192.0.2.53")!

    /// A configuration forwarding everything to ``server``, validation off, the cache persisted in
    /// `directory` unless `persist` is false. No RFC 5011 probe: its root DNSKEY query, sent by a
    /// background task at start, would race the tests that count upstream queries.
    static func configuration(_ directory: String, persist: Bool = true) -> Configuration {
        var configuration = testConfiguration(directory: directory)
        configuration.cache.persist = persist
        configuration.dnssec.validation = false
        configuration.dnssec.trustAnchorUpdates = .none
        configuration.resolution.forwardZones = [ForwardZone(zone: .root, servers: [server])]
        return configuration
    }

    /// A service whose server answers A queries for `names` with 192.0.2.7 (everything else REFUSED).
    /// Its client wait is one no loaded test machine reaches: the answers must come first.
    static func makeService(
        _ configuration: Configuration, answering names: [DomainName] = [], clock: ManualClock = ManualClock(),
        logger: Logger = LogCapture().logger, persistent: Bool = true
    ) throws -> (ResolverService, ScriptedNetwork) {
        let network = ScriptedNetwork(clock: clock)
        network.setUnmatchedPolicy(.rcode(.refused), for: nil)
        for name in names {
            network.add(
                ScriptedEntry(
                    match: QueryMatch(name: .exact(name), type: .a),
                    response: ScriptedResponse(
                        authoritativeAnswer: true, answer: [Record(name: name, ttl: 3600, rdata: .a(A(192, 0, 2, 7)))])),
                at: [server])
        }
        let service = try ResolverService(
            configuration: configuration, logger: logger, persistent: persistent, transport: network, clock: clock,
            clientWait: .seconds(60))
        return (service, network)
    }

    /// Whether `service` answers `name`/A from its cache.
    static func cached(_ service: ResolverService, _ name: DomainName) -> Bool {
        var header = Header(id: 1)
        header.recursionDesired = true
        let query = Message(header: header, questions: [Question(name: name, type: .a)])
        return service.answerFromCache(query, client: ClientAddress(address: .loopbackV4, port: 1, transport: .udp))
            .response?.answer.isEmpty == false
    }

    /// Resolves `names` and stops, leaving a dump in `directory`.
    static func fillAndStop(_ configuration: Configuration, _ names: [DomainName]) async throws {
        let (service, _) = try makeService(configuration, answering: names)
        for name in names {
            #expect(await service.resolver.resolve(Question(name: name, type: .a)).rcode == .noError)
        }
        service.prepareToStop()
    }

    static let names: [DomainName] = ["www.example.", "www.other.test."]

    @Test("a restart under the same configuration answers from the dump without asking upstream")
    func sameConfiguration() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await Self.fillAndStop(Self.configuration(directory), Self.names)
        #expect(FileManager.default.fileExists(atPath: directory + "/cache.dump.identity"))
        let (service, network) = try Self.makeService(Self.configuration(directory))
        #expect(Self.names.allSatisfy { Self.cached(service, $0) })
        #expect(network.queries.isEmpty)
    }

    @Test("other trust anchors, forwarders or validation: the dump is not loaded and the log says what changed")
    func otherConfiguration() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await Self.fillAndStop(Self.configuration(directory), Self.names)
        var anchors = Self.configuration(directory)
        anchors.dnssec.trustAnchors = [
            "example. IN DS 28645 13 2 eb5a41863d115d70d52f4aee1ec29e7b4464873724639ee6ac2e3aa203a877ae"
        ]
        var forwarders = Self.configuration(directory)
        forwarders.resolution.forwardZones[0].servers = [ServerAddress("192.0.2.54")!]
        var validation = Self.configuration(directory)
        validation.dnssec.validation = true
        for (configuration, key) in [
            (anchors, "dnssec.trust-anchors"), (forwarders, "resolution.forward-zones"),
            (validation, "dnssec.validation"),
        ] {
            let capture = LogCapture()
            let (service, _) = try Self.makeService(configuration, logger: capture.logger)
            #expect(!Self.names.contains { Self.cached(service, $0) }, "\(key)")
            #expect(capture.messages.contains { $0.hasPrefix("cache dump not loaded") }, "\(key)")
        }
    }

    @Test("only the NTAs changed: the dump is loaded and the names whose NTA began are flushed (RFC 7646 §2)")
    func negativeAnchorsChanged() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await Self.fillAndStop(Self.configuration(directory), Self.names)
        var configuration = Self.configuration(directory)
        configuration.dnssec.negativeTrustAnchors = ["example."]
        let (service, _) = try Self.makeService(configuration)
        #expect(!Self.cached(service, "www.example."))
        #expect(Self.cached(service, "www.other.test."))
    }

    @Test("an instance without the state directory's lock loads nothing and writes nothing")
    func notPersistent() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await Self.fillAndStop(Self.configuration(directory), Self.names)
        let dump = try Data(contentsOf: URL(fileURLWithPath: directory + "/cache.dump"))
        let (service, _) = try Self.makeService(
            Self.configuration(directory), answering: ["new.example."], persistent: false)
        #expect(!Self.cached(service, "www.example."))
        _ = await service.resolver.resolve(Question(name: "new.example.", type: .a))
        service.prepareToStop()
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/cache.dump")) == dump)
    }

    @Test("a miss of the fast path is resolved without asking the cache again (one lookup per miss)")
    func missLookedUpOnce() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = Self.configuration(directory, persist: false)
        let (service, network) = try Self.makeService(configuration, answering: ["www.example."])
        let question = Question(name: "www.example.", type: .a)
        var header = Header(id: 1)
        header.recursionDesired = true
        let query = Message(header: header, questions: [question])
        let client = ClientAddress(address: .loopbackV4, port: 1, transport: .udp)
        guard case .miss(let miss) = service.answerFromCache(query, client: client) else {
            Issue.record("nothing is cached yet")
            return
        }
        #expect(miss == CacheMiss(nothingCached: true))
        #expect(await service.resolver.resolve(question, after: miss).rcode == .noError)
        let sent = network.queries.count
        // Now cached: asked without a miss, or after a miss that found an alias to follow, the
        // cache answers; after a miss that found nothing, the first step goes to the network.
        _ = await service.resolver.resolve(question)
        _ = await service.resolver.resolve(question, after: CacheMiss(nothingCached: false))
        #expect(network.queries.count == sent)
        _ = await service.resolver.resolve(question, after: CacheMiss(nothingCached: true))
        #expect(network.queries.count > sent)
    }

    @Test("housekeeping: an NTA's end and a wall-clock jump each drop what was judged before them")
    func housekeeping() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = ManualClock()
        let configuration = Self.configuration(directory, persist: false)
        let (service, _) = try Self.makeService(configuration, answering: Self.names, clock: clock)
        let capture = LogCapture()
        let housekeeping = Housekeeping(
            service: service, logger: capture.logger, queue: DispatchQueue(label: "test"))
        defer { housekeeping.stop() }
        service.addNegativeAnchor("other.test.", seconds: 10)
        for name in Self.names { _ = await service.resolver.resolve(Question(name: name, type: .a)) }
        #expect(service.endExpiredNegativeAnchors().isEmpty)
        #expect(Self.cached(service, "www.other.test."))
        clock.shiftWallClock(bySeconds: 11)
        #expect(service.endExpiredNegativeAnchors() == ["other.test."])
        #expect(!Self.cached(service, "www.other.test.") && Self.cached(service, "www.example."))
        housekeeping.clockJumped(by: -43_200)
        #expect(!Self.cached(service, "www.example."))
        #expect(capture.warnings == ["wall clock jumped back 43200 s: caches flushed"])
    }

    /// A control context with no listeners.
    static func context(reload: @escaping @Sendable () -> String? = { nil }) -> ControlContext {
        ControlContext(
            started: .now, configuration: { Configuration() }, listening: { "UDP 127.0.0.1@5300, TCP 127.0.0.1@5300" },
            packetCache: nil, waiting: { 3 }, reload: reload,
            changeForwardZones: { _, _ in throw ServiceError(.listeners, "no daemon here") })
    }

    @Test("control: flush, NTAs added for a time, listed, expired on the clock and removed; status and reload")
    func controlCommands() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = ManualClock()
        let configuration = Self.configuration(directory, persist: false)
        let (service, _) = try Self.makeService(configuration, answering: Self.names, clock: clock)
        for name in Self.names { _ = await service.resolver.resolve(Question(name: name, type: .a)) }
        let context = Self.context()

        #expect(service.perform(.flushName("www.example."), context: context).succeeded)
        #expect(!Self.cached(service, "www.example.") && Self.cached(service, "www.other.test."))

        let added = service.perform(.ntaAdd("other.test.", seconds: 60), context: context)
        #expect(added.succeeded && added.lines[0].contains("1 cached entries removed"), "\(added)")
        #expect(!Self.cached(service, "www.other.test."))
        #expect(service.perform(.ntaList, context: context).lines == ["other.test. 60 s left"])
        clock.shiftWallClock(bySeconds: 61)
        #expect(service.endExpiredNegativeAnchors() == ["other.test."])
        #expect(service.perform(.ntaList, context: context).lines.isEmpty)

        #expect(service.perform(.ntaAdd("example.", seconds: nil), context: context).succeeded)
        #expect(service.perform(.ntaRemove("example."), context: context).succeeded)
        let missing = service.perform(.ntaRemove("example."), context: context)
        #expect(!missing.succeeded && missing.lines == ["no negative trust anchor for example."])

        let status = service.perform(.status, context: context).lines
        #expect(status.contains("listening: UDP 127.0.0.1@5300, TCP 127.0.0.1@5300"))
        #expect(status.contains("waiting: 3 queries in resolution"))
        #expect(service.perform(.stats, context: context).lines.contains("queries.waiting 3"))
        let rejected = service.perform(.reload, context: Self.context(reload: { "bad key" }))
        #expect(!rejected.succeeded && rejected.lines == ["reload rejected: bad key"])
    }
}
