// Primary responsibilities: resolution failures name the code site that gave up, as validation
// reasons do — EXTRA-TEXT ends in a `[SITE]` tag — and a failure replayed from the cache
// (RFC 9520 §3.2) keeps its tag and says it is remembered.

import DNSCache
import DNSSEC
import DNSWire
import Foundation
import MamoriService
import Resolver
import ResolverTestKit
import Testing

@Suite struct ResolutionFailureTests {
    /// Runs the scenario `file`, then asks the same engine, network and clock for `name`/A from the
    /// cache alone, as the listeners' fast path does.
    static func lookUp(_ name: String, after file: String) async throws -> Resolution? {
        let engine = try await ReplayTests.engine(afterRunning: file)
        return engine.answerFromCache(Question(name: try DomainName(name), type: .a))
    }

    /// The last failing question of each scenario, and the site that gave up on it.
    static let cases: [(file: String, name: String, code: EDECode, site: String)] = [
        ("iter_lame.rpl", "www.lame.com.", .noReachableAuthority, "ZUNR"),
        ("iter_cname_loop.rpl", "a.example.com.", .other, "CLOP"),
        ("iter_cname_limit.rpl", "b00.example.com.", .other, "CLEN"),
    ]

    @Test("a remembered failure keeps the code and site tag of the failure, saying it is remembered", arguments: 0..<3)
    func remembered(index: Int) async throws {
        let (file, name, code, site) = Self.cases[index]
        let resolution = try #require(try await Self.lookUp(name, after: file), "no failure remembered")
        #expect(resolution.rcode == .servFail && resolution.fromCache)
        #expect(resolution.failure?.code == code)
        #expect(resolution.failure?.site == site)
        let text = try #require(resolution.extendedErrors.first?.extraText)
        #expect(resolution.extendedErrors.map(\.code) == [code])
        #expect(text.hasSuffix(" (a resolution failure, cached briefly: RFC 9520) [\(site)]"), "\(text)")
    }

    @Test("a key fetch that the server denies says which server answered what, not a dependency cycle")
    func deniedKeys() async throws {
        let engine = try await ReplayTests.engine(afterRunning: "val_dnskey_nxdomain.rpl")
        let resolution = try #require(engine.answerFromCache(Question(name: .root, type: .soa)))
        let text = try #require(resolution.extendedErrors.first?.extraText)
        #expect(resolution.extendedErrors.map(\.code) == [.dnskeyMissing], "\(text)")
        #expect(text.contains("192.0.2.1") && text.contains("NXDOMAIN"), "\(text)")
        #expect(!text.contains("cycle"), "\(text)")
    }

    /// A forwarder that never proves who it is.
    struct UnauthenticatedForwarder: UpstreamTransport {
        func send(
            _ query: Message, to server: ServerAddress, over transport: DNSTransport, timeout: Duration
        ) async -> UpstreamReply {
            .networkError("TLS authentication failed: certificate not accepted: hostname mismatch")
        }
    }

    @Test("a forwarder held down after repeated failures is named with its last failure, not as timing out")
    func heldDownReason() async throws {
        var configuration = ResolverConfiguration()
        configuration.forwardZones = [ForwardZone(zone: .root, servers: [ServiceAddress("192.0.2.53@853")!])]
        configuration.validation.enabled = false
        let engine = IterativeResolver(
            configuration: configuration, transport: UnauthenticatedForwarder(), clock: ManualClock(),
            cache: ResolverCache(configuration: CacheConfiguration()), infrastructure: InfrastructureCache())
        var last: Resolution?
        // Each name fails once (the failure cache would answer a repeated one); the fifth finds
        // the forwarder held down.
        for index in 0..<5 {
            last = await engine.resolve(Question(name: try DomainName("n\(index).example."), type: .a))
        }
        let text = try #require(last?.extendedErrors.first?.extraText)
        #expect(last?.rcode == .servFail)
        #expect(text.contains("held down") && text.contains("hostname mismatch"), "\(text)")
        #expect(!text.contains("timeouts"), "\(text)")
    }

    @Test("a failure's EXTRA-TEXT is its detail and its site tag")
    func extraText() {
        let failure = ResolutionFailure(.noReachableAuthority, site: "ZUNR", "no reachable authority for example.")
        #expect(failure.extendedDNSError == ExtendedDNSError(.noReachableAuthority, failure.description))
        #expect(failure.description == "no reachable authority for example. [ZUNR]")
        #expect(failure.remembered.site == "ZUNR" && failure.remembered.code == .noReachableAuthority)
        let resolution = Resolution.failure(failure)
        #expect(resolution.rcode == .servFail && resolution.status == .unchecked && !resolution.fromCache)
        #expect(resolution.extendedErrors == [failure.extendedDNSError])
    }

    @Test("root hints without NS or addresses are refused with a code; errors compare by code")
    func rootHints() throws {
        let address = Record(name: "a.root-servers.net.", ttl: 0, rdata: .a(A(192, 0, 2, 1)))
        #expect(throws: RootHintsError(.noNameServers, "")) { try RootHints(records: [address]) }
        let ns = Record(name: .root, ttl: 0, rdata: .ns(NS(nameServer: "b.root-servers.net.")))
        #expect(throws: RootHintsError(.noAddresses, "")) { try RootHints(records: [ns, address]) }
        #expect(RootHintsError(.noAddresses, "one") == RootHintsError(.noAddresses, "two"))
        do {
            _ = try RootHints(records: [ns, address])
            Issue.record("hints without addresses accepted")
        } catch {
            #expect(error.description == "root hints: no A or AAAA records for the root NS names")
        }
    }
}
