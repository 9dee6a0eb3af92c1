// Primary responsibilities: the address policies as the daemon installs them — rebinding protection's
// SERVFAIL with EDE 15 and the text naming the address and the rule, an allowed domain passing, and
// a policy switched off by a reload with the packet cache's generation advanced; a stub zone's
// insecure flag as a negative trust anchor that follows reloads.

import DNSSEC
import DNSWire
import MamoriConfiguration
import MamoriService
import Resolver
import ResolverServer
import ResolverTestKit
import Testing

@Suite("Address policies in the service")
struct AddressPolicyServiceTests {
    /// A service whose forwarder answers `name` A with `address`, rebinding protection on.
    static func makeService(
        _ answers: [(DomainName, A)], allow: [DomainName] = []
    ) throws -> (ResolverService, Configuration) {
        var configuration = PersistenceAndControlTests.configuration("/nonexistent", persist: false)
        configuration.rebindingProtection.enabled = true
        configuration.rebindingProtection.allow = allow
        let network = ScriptedNetwork(clock: ManualClock())
        network.setUnmatchedPolicy(.rcode(.refused), for: nil)
        for (name, address) in answers {
            network.add(
                ScriptedEntry(
                    match: QueryMatch(name: .exact(name), type: .a),
                    response: ScriptedResponse(
                        authoritativeAnswer: true, answer: [Record(name: name, ttl: 3600, rdata: .a(address))])),
                at: [PersistenceAndControlTests.server])
        }
        let service = try ResolverService(
            configuration: configuration, logger: LogCapture().logger, persistent: false, transport: network,
            clock: ManualClock(), clientWait: .seconds(3600))
        service.install(QueryStages().addingAddressPolicies(of: configuration))
        return (service, configuration)
    }

    @Test("a public name with 192.168.1.5: SERVFAIL, EDE 15 naming the address and RFC 1918, no AD; allowed names pass")
    func rebinding() async throws {
        let (service, configuration) = try Self.makeService(
            [("x.example.", A(192, 168, 1, 5)), ("nas.lan.", A(192, 168, 1, 20)), ("www.example.", A(192, 0, 2, 7))],
            allow: ["lan."])
        let withheld = await QueryStagesTests.ask(service, "x.example.")
        #expect(withheld.rcode == .servFail && withheld.answer.isEmpty && withheld.authority.isEmpty)
        // RA is the listener's to set (ResponseBuilder.finish; svc_rebinding.rpl checks the finished flags).
        #expect(!withheld.header.authenticData && !withheld.header.authoritativeAnswer)
        #expect(
            withheld.edns?.extendedErrors == [
                ExtendedDNSError(
                    .blocked, "answer for x.example. contained 192.168.1.5 (RFC 1918), withheld by rebinding protection"
                )
            ])
        // From the cache: the same.
        let cached = try #require(
            service.answerFromCache(QueryStagesTests.query("x.example."), client: QueryStagesTests.client).response)
        #expect(cached.rcode == .servFail && cached.edns?.extendedErrors.first?.code == .blocked)
        let allowed = await QueryStagesTests.ask(service, "nas.lan.")
        #expect(allowed.rcode == .noError && allowed.answer.first?.rdatas == [.a(A(192, 168, 1, 20))])
        #expect(allowed.edns?.extendedErrors.isEmpty ?? true)
        let public_ = await QueryStagesTests.ask(service, "www.example.")
        #expect(public_.rcode == .noError && public_.answer.first?.rdatas == [.a(A(192, 0, 2, 7))])
        // Off by reload (the daemon reinstalls its stages): the cached data is given as resolved.
        var off = configuration
        off.rebindingProtection.enabled = false
        let before = service.answerGeneration
        try service.reload(off)
        service.install(QueryStages().addingAddressPolicies(of: off))
        #expect(service.answerGeneration > before)
        let now = try #require(
            service.answerFromCache(QueryStagesTests.query("x.example."), client: QueryStagesTests.client).response)
        #expect(now.rcode == .noError && now.answer.first?.rdatas == [.a(A(192, 168, 1, 5))])
    }
}

@Suite("Stub zones in the service")
struct StubZoneServiceTests {
    @Test("a stub zone's insecure flag is a negative trust anchor that follows reloads (RFC 7646 §2)")
    func insecureFollowsReload() throws {
        var configuration = PersistenceAndControlTests.configuration("/nonexistent", persist: false)
        configuration.dnssec.validation = true
        configuration.resolution.stubZones = [
            StubZone(zone: "corp.example.", servers: [ServerAddress("192.168.1.1")!], insecure: true),
            StubZone(zone: "lab.example.", servers: [ServerAddress("192.168.1.2")!]),
        ]
        let (service, _) = try PersistenceAndControlTests.makeService(configuration, persistent: false)
        func anchors() -> [String] { service.trustAnchors.negativeAnchors.map { "\($0.name)" }.sorted() }
        #expect(anchors() == ["corp.example."])
        configuration.resolution.stubZones[0].insecure = false
        configuration.resolution.stubZones[1].insecure = true
        try service.reload(configuration)
        #expect(anchors() == ["lab.example."])
        // Listed in dnssec.negative-trust-anchors as well: one NTA, which stays when the flag goes.
        configuration.dnssec.negativeTrustAnchors = ["lab.example."]
        try service.reload(configuration)
        configuration.resolution.stubZones[1].insecure = false
        try service.reload(configuration)
        #expect(anchors() == ["lab.example."])
    }
}
