// Primary responsibilities: the RFC 5011 maintenance loop in-process, on a manual clock and a
// scripted network — the first refresh runs at start and starts a new key's add hold-down, the
// state is saved, a refused fetch is retried later, static anchors are never probed, and nothing is
// probed while validation is off (a reload turning it on or off starts or stops the loop).

import DNSSEC
import DNSWire
import Foundation
import Logging
import MamoriConfiguration
import Resolver
import ResolverTestKit
import Synchronization
import Testing

@testable import MamoriService

@Suite("Resolver service: RFC 5011 maintenance")
struct AnchorMaintenanceTests {
    /// The zone the fixtures sign.
    static let zone: DomainName = "managed.example."
    /// The scripted server of the zone.
    static let server = ServerAddress("192.0.2.53")!

    /// A service managing `managed.example.` (DS of K1, `trust-anchor-updates: true`), whose one
    /// server answers DNSKEY queries with `fixture` (or REFUSED when nil).
    static func makeService(
        fixture: String?, directory: String, updates: TrustAnchorUpdatePolicy = .all, validation: Bool = true,
        unsigned: Bool = false, logger: Logger
    ) throws -> (ResolverService, ScriptedNetwork, ManualClock, Configuration) {
        let clock = ManualClock(wallSeconds: fixtureTime)
        let network = ScriptedNetwork(clock: clock)
        if let fixture {
            let records = try fixtureRecords(fixture, origin: zone).filter {
                $0.type == .dnskey || (!unsigned && $0.type == .rrsig && $0.name == zone)
            }
            network.add(
                ScriptedEntry(
                    match: QueryMatch(name: .exact(zone), type: .dnskey),
                    response: ScriptedResponse(authoritativeAnswer: true, answer: records)),
                at: [server])
        } else {
            network.setUnmatchedPolicy(.rcode(.refused), for: server)
        }
        var configuration = testConfiguration(directory: directory)
        let ds = try String(
            contentsOfFile: String(#filePath).replacingOccurrences(
                of: "MamoriServiceTests/AnchorMaintenanceTests.swift", with: "DNSSECTests/Fixtures/trust-anchor-k1.ds"),
            encoding: .utf8)
        configuration.dnssec.trustAnchors = [ds.trimmingCharacters(in: .whitespacesAndNewlines)]
        configuration.dnssec.trustAnchorUpdates = updates
        configuration.resolution.forwardZones = [ForwardZone(zone: zone, servers: [server])]
        configuration.dnssec.validation = validation
        let service = try ResolverService(
            configuration: configuration, logger: logger, transport: network, clock: clock)
        return (service, network, clock, configuration)
    }

    /// Waits (in real time, briefly) until `condition` holds.
    static func eventually(_ condition: () -> Bool) async throws {
        for _ in 0..<500 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
    }

    @Test(
        "the loop refreshes at start: a new key signed by the trusted one enters its add hold-down, and the state is saved"
    )
    func firstRefresh() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (service, network, _, _) = try Self.makeService(
            fixture: "trust-anchor-k1-k2.signed", directory: directory, logger: LogCapture().logger)
        defer { service.prepareToStop() }
        let keys = try fixtureRecords("trust-anchor-k1-k2.signed", origin: Self.zone).compactMap { record -> DNSKEY? in
            if case .dnskey(let key) = record.rdata, key.flags == 257 { return key }
            return nil
        }
        #expect(keys.count == 2)
        let statePath = directory + "/" + TrustAnchorStateFile.defaultFileName
        try await Self.eventually { FileManager.default.fileExists(atPath: statePath) }
        let managed = try #require(service.trustAnchors.managedAnchors.first { $0.zone == Self.zone })
        let states = keys.compactMap { key in managed.keys.first { $0.dnskey == key }?.state }
        #expect(Set(states) == [.valid, .addPend])
        #expect(network.queries.filter { $0.question?.type == .dnskey }.count == 1)
        let saved = try String(contentsOfFile: statePath, encoding: .utf8)
        #expect(saved.contains("managed.example."))
        // Nothing is due now: a second pass sends nothing.
        #expect(await service.refreshDueAnchors().isEmpty)
        #expect(network.queries.filter { $0.question?.type == .dnskey }.count == 1)
    }

    @Test("a refused DNSKEY fetch is logged, the zone retried at its retry time, and the anchor kept")
    func refusedRefresh() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let capture = LogCapture()
        let (service, network, clock, _) = try Self.makeService(
            fixture: nil, directory: directory, logger: capture.logger)
        defer { service.prepareToStop() }
        try await Self.eventually { capture.warnings.contains { $0.hasPrefix("RFC 5011 refresh failed") } }
        #expect(capture.warnings.contains { $0.hasPrefix("RFC 5011 refresh failed") })
        let retry = try #require(service.trustAnchors.nextRefresh(now: clock.wallSeconds))
        #expect(retry > clock.wallSeconds)
        let before = network.queries.count
        #expect(await service.refreshDueAnchors().isEmpty)  // not due yet
        #expect(network.queries.count == before)
        clock.shiftWallClock(bySeconds: retry - clock.wallSeconds)
        #expect(await service.refreshDueAnchors() == [Self.zone])
        #expect(network.queries.count > before)
        #expect(service.trustAnchors.anchors.contains { $0.owner == Self.zone })
    }

    @Test("a DNSKEY RRset the trusted key does not sign is a failed refresh: logged with its reason and site, retried")
    func unvalidatedRefresh() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let capture = LogCapture()
        let (service, _, clock, _) = try Self.makeService(
            fixture: "trust-anchor-k1-k2.signed", directory: directory, unsigned: true, logger: capture.logger)
        defer { service.prepareToStop() }
        try await Self.eventually { capture.warnings.contains { $0.hasPrefix("RFC 5011 refresh failed") } }
        let index = try #require(capture.warnings.firstIndex { $0.hasPrefix("RFC 5011 refresh failed") })
        let fields = capture.warningFields[index]
        #expect(fields["zone"] == "managed.example.")
        #expect(fields["site"] == "VNON")
        #expect(fields["reason"] == "no RRSIG covers DNSKEY managed.example. in managed.example. [VNON]")
        // Nothing is learnt from the unvalidated set: no key enters a state, the configured DS
        // stays the anchor, and the zone is retried later.
        let managed = try #require(service.trustAnchors.managedAnchors.first { $0.zone == Self.zone })
        #expect(managed.keys.isEmpty)
        #expect(service.trustAnchors.anchors.contains { $0.owner == Self.zone && !$0.ds.isEmpty })
        let retry = try #require(service.trustAnchors.nextRefresh(now: clock.wallSeconds))
        #expect(retry > clock.wallSeconds)
        clock.shiftWallClock(bySeconds: retry - clock.wallSeconds)
        #expect(await service.refreshDueAnchors() == [Self.zone])
    }

    @Test("static anchors (trust-anchor-updates: false) are never probed and leave no state file")
    func staticAnchors() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (service, network, _, _) = try Self.makeService(
            fixture: "trust-anchor-k1-k2.signed", directory: directory, updates: .none, logger: LogCapture().logger)
        #expect(await service.refreshDueAnchors().isEmpty)
        service.prepareToStop()
        #expect(network.queries.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: directory + "/" + TrustAnchorStateFile.defaultFileName))
    }

    @Test("with validation off no RFC 5011 probe is sent; a reload turning it on starts the loop, off stops it")
    func validationOff() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (service, network, clock, configuration) = try Self.makeService(
            fixture: "trust-anchor-k1-k2.signed", directory: directory, validation: false,
            logger: LogCapture().logger)
        defer { service.prepareToStop() }
        let probes = { network.queries.filter { $0.question?.type == .dnskey }.count }
        try await Task.sleep(for: .milliseconds(200))
        #expect(service.maintenance.withLock { $0 == nil })
        #expect(await service.refreshDueAnchors().isEmpty)
        #expect(probes() == 0)

        var on = configuration
        on.dnssec.validation = true
        try service.reload(on)
        try await Self.eventually { probes() == 1 }
        #expect(probes() == 1)
        #expect(service.maintenance.withLock { $0 != nil })

        try service.reload(configuration)
        #expect(service.maintenance.withLock { $0 == nil })
        // Far past every refresh and retry time: still nothing is sent.
        clock.shiftWallClock(bySeconds: 30 * 86400)
        #expect(await service.refreshDueAnchors().isEmpty)
        try await Task.sleep(for: .milliseconds(100))
        #expect(probes() == 1)
    }
}
