// Primary responsibilities: `mamorictl config show` — the configuration written as YAML reads
// back to an equal configuration, defaults and every non-default value alike.

import DNSWire
import Foundation
import MamoriConfiguration
import Resolver
import Testing

@Suite("Configuration written as YAML")
struct ConfigurationYAMLTests {
    /// Reads `configuration.yaml` back (without a source file, as the configuration given).
    /// The file and line of each `local.data` record are where it was read, so they are set to
    /// those of `configuration`'s records (in the same order) before the two are compared.
    static func readBack(_ configuration: Configuration) throws -> Configuration {
        var read = try Configuration(yaml: configuration.yaml, file: "shown.yaml")
        read.sourceFile = nil
        #expect(read.local.data.map(\.record) == configuration.local.data.map(\.record))
        if read.local.data.count == configuration.local.data.count { read.local.data = configuration.local.data }
        return read
    }

    @Test("the built-in defaults round-trip, every section written")
    func defaults() throws {
        let defaults = Configuration()
        #expect(try Self.readBack(defaults) == defaults)
        let keys = defaults.yaml.split(separator: "\n").filter { !$0.hasPrefix(" ") && !$0.hasPrefix("#") }
            .map { $0.prefix { $0 != ":" } }
        #expect(
            keys == [
                "listen", "listen-tls", "listen-https", "tls", "https", "threads", "access-control", "resolution",
                "dnssec", "cache", "logging", "control", "metrics", "dnstap", "server", "rebinding-protection",
                "blocklists", "local", "state-directory",
            ])
    }

    @Test("a configuration far from the defaults round-trips: files, TLS forwarders, lists, off switches")
    func everything() throws {
        let directory = NSTemporaryDirectory() + "mamori-yaml-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let hints = directory + "/root \"hints\""
        let anchors = directory + "/anchors"
        let hosts = directory + "/hosts"
        for file in [hints, anchors, hosts] { try "".write(toFile: file, atomically: true, encoding: .utf8) }
        let text = """
            listen: ["127.0.0.1@5300", "::1@5300"]
            listen-tls: ["127.0.0.1@8853"]
            listen-https: ["::1"]
            tls: { certificate: \(anchors), key: \(anchors), handshake-timeout: 1500ms }
            https: { path: /q }
            threads: 3
            access-control:
              - { network: 10.0.0.0/8, action: refuse }
              - { network: "2001:db8::/32", action: deny }
            resolution:
              root-hints: '\(hints)'
              allow-private-upstreams: true
              do-not-query-localhost: true
              ipv6: false
              qname-minimisation: off
              forward-zones:
                - { name: corp.example, addresses: [192.0.2.1, "192.0.2.2@5353"] }
                - name: .
                  addresses: ["2001:db8::53"]
                  tls: true
                  tls-name: dns.example.net
                  tls-pin: \(Data(repeating: 7, count: 32).base64EncodedString())
                  tls-ca: \(anchors)
              stub-zones:
                - { name: internal.example, addresses: ["192.0.2.9@5300"], insecure: true }
              edns-buffer-size: 1400
              query-timeout: 3s
              client-timeout: 1200ms
              max-outstanding-queries: 500
              case-randomisation: true
              send-cookies: false
            dnssec:
              validation: false
              trust-anchors: [". IN DS 12345 13 2 \(String(repeating: "ab", count: 32))"]
              trust-anchor-files: [\(anchors)]
              trust-anchor-updates: false
              negative-trust-anchors: [broken.example, other.test.]
              nsec3-max-iterations: 50
              bogus-ttl: 30
              aggressive-nsec: false
            cache: { size: 64MiB, min-ttl: 5, max-ttl: 3600, max-negative-ttl: 600, serve-stale: true, prefetch: false, persist: false, packet-cache: false }
            logging: { level: debug, format: json, failures: false, failure-interval: 30s, failure-rate: 7, queries: true }
            rebinding-protection: { enabled: true, allow: [corp.example, lan.] }
            dns64: { prefix: "64:ff9b:1::/48", exclude: ["::ffff:0:0/96"], exclude-ipv4: [10.0.0.0/8] }
            control: { socket: false }
            metrics: { listen: "127.0.0.1@9153" }
            server:
              tcp-idle-timeout: 20s
              tcp-max-connections: 10
              tcp-max-queries-per-connection: 4
              max-pending-per-client: 7
              max-pending: 70
              tcp-max-connections-per-client: 2
              user: ""
              shutdown-timeout: 0s
              answer-cookies: false
            dnstap: { file: \(directory)/tap.fstrm, identity: "resolver 1", version: v9, client-queries: false, resolver-responses: false }
            blocklists:
              - { name: ads, file: \(hosts), format: hosts, action: null-address, ttl: 60 }
              - { name: policy.rpz, file: \(anchors), format: rpz }
            local:
              data:
                - "printer.home.arpa. 300 IN A 192.168.1.10"
                - "home.arpa. IN TXT \\"a \\\\\\"quoted\\\\\\" text\\""
                - "mail.home.arpa. 60 IN MX 10 printer.home.arpa."
                - "www.home.arpa. CNAME printer.home.arpa."
              zones:
                - { name: home.arpa, type: static }
                - { name: ads.example, type: always-nxdomain }
              hosts-files: [\(hosts)]
              served-zones: false
            state-directory: \(directory)/state
            """
        var configuration = try Configuration(yaml: text, file: "given.yaml", baseDirectory: directory)
        configuration.sourceFile = nil
        #expect(configuration != Configuration())
        let read = try Self.readBack(configuration)
        #expect(read == configuration, "\(configuration.yaml)")
        #expect(read.resolution.forwardZones.count == 2 && read.resolution.forwardZones[1].tls?.pins.count == 1)
        #expect(read.dns64 != nil && read.resolution.stubZones.count == 1 && read.rebindingProtection.enabled)
        #expect(read.resolution.rootHints == .file(hints) && read.server.user == nil && read.control.socket == nil)
        #expect(read.dnstap.destination == .file(directory + "/tap.fstrm") && read.dnstap.identity == "resolver 1")
        #expect(read.blocklists.map(\.action) == [.nullAddress, .nxdomain] && read.blocklists[1].format == .rpz)
        #expect(read.local.data.count == 4 && read.local.zones.count == 2 && !read.local.servedZones)
        #expect(read.local.hostsFiles == [hosts])
    }
}
