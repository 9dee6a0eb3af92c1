// Primary responsibilities: the TLS forwarders' settings as the service builds them from the
// configuration: a CA bundle libssl cannot load is an error naming the file (at start, at
// --check-config, and a rejected reload), and a good one gives the transport its forwarders.

import DNSWire
import Foundation
import MamoriConfiguration
import MamoriSystem
import Resolver
import Testing

@testable import MamoriService

@Suite("TLS forwarder settings")
struct ForwarderTLSSettingsTests {
    /// A configuration forwarding everything to one TLS forwarder with `caFile`.
    func configuration(caFile: String, in folder: String) throws -> Configuration {
        try Configuration(
            yaml: """
                resolution:
                  forward-zones: [{ name: ".", addresses: ["192.0.2.53"], tls: true, tls-name: dns.example, tls-ca: \(caFile) }]
                dnssec: { validation: false }
                """, file: folder + "/mamori.yaml", baseDirectory: folder)
    }

    @Test("a CA file that is not PEM is named; the system bundle is accepted")
    func caBundle() throws {
        let folder = NSTemporaryDirectory() + "mamori-fwd-tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "not a certificate\n".write(toFile: folder + "/ca.pem", atomically: true, encoding: .utf8)
        let bad = try configuration(caFile: "ca.pem", in: folder)
        do {
            _ = try EngineSettings(bad)
            Issue.record("a CA file that is not PEM was accepted")
        } catch let error as ServiceError {
            #expect(error.code == .forwarderTLS)
            #expect(error.reason.contains(folder + "/ca.pem"), "\(error.reason)")
        }
        #expect(throws: ServiceError(.forwarderTLS, "")) { try EngineSettings.checkFiles(bad) }

        var good = bad
        good.resolution.forwardZones[0].tls?.caFile = nil
        let settings = try EngineSettings(good)
        #expect(settings.tlsForwarders.count == 1)
        #expect(settings.resolver.forwardZones[0].servers.map(\.description) == ["192.0.2.53@853"])
    }
}
