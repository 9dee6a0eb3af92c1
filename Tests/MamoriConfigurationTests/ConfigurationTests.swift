// Primary responsibilities: the configuration contract (architecture.md §6): defaults, every key,
// YAML 1.1 spellings, relative paths, and errors that name file, line, column and key path.

import DNSSEC
import DNSWire
import Foundation
import MamoriConfiguration
import Resolver
import Testing

/// Parses YAML or fails the test with the diagnostics.
private func parse(_ yaml: String, base: String = "/etc/mamori") throws -> Configuration {
    try Configuration(yaml: yaml, file: "/etc/mamori/mamori.yaml", baseDirectory: base)
}

/// The diagnostics of YAML that must not parse.
private func diagnostics(_ yaml: String, base: String = "/etc/mamori") -> [ConfigurationDiagnostic] {
    do {
        _ = try Configuration(yaml: yaml, file: "/etc/mamori/mamori.yaml", baseDirectory: base)
        Issue.record("expected an error for:\n\(yaml)")
        return []
    } catch {
        return error.diagnostics
    }
}

/// A fresh temporary folder.
private func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "mamori-config-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite("Configuration")
struct ConfigurationTests {
    @Test("an empty file gives exactly the built-in defaults of architecture.md §6")
    func defaults() throws {
        var empty = try parse("")
        empty.sourceFile = nil
        #expect(empty == Configuration())
        let configuration = Configuration()
        #expect(configuration.listen.map(\.description) == ["127.0.0.1@53", "::1@53"])
        #expect(configuration.threads == .auto)
        #expect(
            configuration.accessControl.map { "\($0.network) \($0.action)" } == ["127.0.0.0/8 allow", "::1/128 allow"])
        #expect(configuration.resolution.rootHints == .builtIn)
        #expect(configuration.resolution.allowPrivateUpstreams == false)
        #expect(configuration.resolution.doNotQueryLocalhost)
        #expect(configuration.resolution.ipv4 && configuration.resolution.ipv6)
        #expect(configuration.resolution.qnameMinimisation == .relaxed)
        #expect(configuration.resolution.forwardZones.isEmpty)
        #expect(configuration.resolution.ednsBufferSize == 1232)
        #expect(configuration.resolution.queryTimeout == .seconds(10))
        #expect(configuration.resolution.clientTimeout == .milliseconds(2500))
        #expect(configuration.resolution.sendCookies)
        #expect(configuration.dnssec.validation)
        #expect(configuration.dnssec.trustAnchors.isEmpty && configuration.dnssec.trustAnchorFiles.isEmpty)
        #expect(configuration.dnssec.trustAnchorUpdates == .auto)
        #expect(configuration.dnssec.negativeTrustAnchors.isEmpty)
        #expect(configuration.dnssec.nsec3MaxIterations == 50)
        #expect(configuration.dnssec.bogusTTL == 60)
        #expect(configuration.cache.size == 128 * 1024 * 1024)
        #expect(configuration.cache.minTTL == 0 && configuration.cache.maxTTL == 86400)
        #expect(configuration.cache.maxNegativeTTL == 3600)
        #expect(!configuration.cache.serveStale && !configuration.cache.prefetch)
        #expect(configuration.cache.packetCache && configuration.cache.packetCacheBytes == 16 << 20)
        #expect(configuration.cache.rrsetCacheBytes == 112 << 20)
        #expect(configuration.logging.level == .info)
        #expect(configuration.control.socket == "/run/mamori/control.sock")
        #expect(configuration.metrics.listen == nil)
        #expect(configuration.server.tcpIdleTimeout == .seconds(10))
        #expect(configuration.server.tcpMaxConnections == 1024)
        #expect(configuration.server.maxPendingPerClient == 1000)
        #expect(configuration.server.answerCookies)
        #expect(configuration.stateDirectory == "/var/lib/mamori")
    }

    @Test("every key is read")
    func everyKey() throws {
        let folder = try temporaryDirectory()
        _ = FileManager.default.createFile(atPath: folder + "/hints.zone", contents: Data(". NS a.root.\n".utf8))
        _ = FileManager.default.createFile(atPath: folder + "/anchors.keys", contents: Data(". DS 1 8 2 00\n".utf8))
        let configuration = try parse(
            """
            listen: ["192.0.2.1@5353", "2001:db8::1@53", "[2001:db8::2]@54", "198.51.100.1"]
            threads: 4
            access-control:
              - { network: 10.0.0.0/8, action: allow }
              - { network: "2001:db8::/32", action: refuse }
              - { network: 0.0.0.0/0, action: deny }
            resolution:
              root-hints: hints.zone
              allow-private-upstreams: true
              do-not-query-localhost: true
              ipv4: true
              ipv6: no
              qname-minimisation: strict
              forward-zones:
                - { name: example.org, addresses: ["192.0.2.53@53", "2001:db8::53"] }
              edns-buffer-size: 1400
              query-timeout: 5s
              client-timeout: 1500ms
              send-cookies: false
            dnssec:
              validation: false
              trust-anchors: [". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D"]
              trust-anchor-files: [anchors.keys]
              trust-anchor-updates: false
              negative-trust-anchors: [broken.example, "test."]
              nsec3-max-iterations: 100
              bogus-ttl: 2m
            cache:
              size: 1G
              min-ttl: 5
              max-ttl: 1d
              max-negative-ttl: 900
              serve-stale: true
              prefetch: yes
              packet-cache: off
            logging: { level: debug }
            control: { socket: run/control.sock }
            metrics: { listen: "127.0.0.1@9153" }
            server:
              tcp-idle-timeout: 1500ms
              tcp-max-connections: 10
              tcp-max-queries-per-connection: 8
              max-pending-per-client: 20
              shutdown-timeout: 1s
              answer-cookies: no
            state-directory: state
            """, base: folder)
        #expect(
            configuration.listen.map(\.description) == [
                "192.0.2.1@5353", "2001:db8::1@53", "2001:db8::2@54", "198.51.100.1@53",
            ])
        #expect(configuration.threads == .fixed(4))
        #expect(configuration.accessControl.map(\.action) == [.allow, .refuse, .deny])
        #expect(configuration.accessControl[1].network == IPNetwork("2001:db8::/32"))
        #expect(configuration.resolution.rootHints == .file(folder + "/hints.zone"))
        #expect(configuration.resolution.allowPrivateUpstreams)
        #expect(configuration.resolution.doNotQueryLocalhost)
        #expect(configuration.resolution.ipv4 && !configuration.resolution.ipv6)
        #expect(configuration.resolution.qnameMinimisation == .strict)
        #expect(configuration.resolution.forwardZones.count == 1)
        #expect(configuration.resolution.forwardZones[0].zone == DomainName("example.org"))
        #expect(
            configuration.resolution.forwardZones[0].servers.map(\.description) == [
                "192.0.2.53@53", "2001:db8::53@53",
            ])
        #expect(configuration.resolution.ednsBufferSize == 1400)
        #expect(configuration.resolution.queryTimeout == .seconds(5))
        #expect(configuration.resolution.clientTimeout == .milliseconds(1500))
        #expect(!configuration.resolution.sendCookies)
        #expect(!configuration.dnssec.validation)
        #expect(configuration.dnssec.trustAnchors.count == 1)
        #expect(configuration.dnssec.trustAnchorFiles == [folder + "/anchors.keys"])
        #expect(configuration.dnssec.replacesBuiltInAnchors)
        #expect(configuration.dnssec.trustAnchorUpdates == .none)
        #expect(configuration.dnssec.negativeTrustAnchors == [DomainName("broken.example"), DomainName("test")])
        #expect(configuration.dnssec.nsec3MaxIterations == 100)
        #expect(configuration.dnssec.bogusTTL == 120)
        #expect(configuration.cache.size == 1 << 30)
        #expect(configuration.cache.minTTL == 5 && configuration.cache.maxTTL == 86400)
        #expect(configuration.cache.maxNegativeTTL == 900)
        #expect(configuration.cache.serveStale && configuration.cache.prefetch)
        #expect(!configuration.cache.packetCache && configuration.cache.rrsetCacheBytes == 1 << 30)
        #expect(configuration.logging.level == .debug)
        #expect(configuration.control.socket == folder + "/run/control.sock")
        #expect(configuration.metrics.listen?.description == "127.0.0.1@9153")
        #expect(configuration.server.tcpIdleTimeout == .milliseconds(1500))
        #expect(configuration.server.tcpMaxConnections == 10)
        #expect(configuration.server.tcpMaxQueriesPerConnection == 8)
        #expect(configuration.server.maxPendingPerClient == 20)
        #expect(configuration.server.shutdownTimeout == .seconds(1))
        #expect(!configuration.server.answerCookies)
        #expect(configuration.stateDirectory == folder + "/state")
    }

    @Test(
        "qname-minimisation accepts YAML 1.1's bare off as well as the word",
        arguments: [
            ("off", QNAMEMinimisation.off), ("\"off\"", .off), ("false", .off), ("no", .off), ("relaxed", .relaxed),
            ("strict", .strict),
        ])
    func qnameMinimisation(text: String, expected: QNAMEMinimisation) throws {
        #expect(try parse("resolution:\n  qname-minimisation: \(text)\n").resolution.qnameMinimisation == expected)
    }

    @Test(
        "do-not-query-localhost: as given; absent, true unless allow-private-upstreams is true",
        arguments: [
            ("", true), ("  allow-private-upstreams: false\n", true), ("  allow-private-upstreams: true\n", false),
            ("  do-not-query-localhost: true\n", true), ("  do-not-query-localhost: false\n", false),
            ("  allow-private-upstreams: true\n  do-not-query-localhost: true\n", true),
            ("  do-not-query-localhost: yes\n  allow-private-upstreams: true\n", true),
            ("  allow-private-upstreams: true\n  do-not-query-localhost: false\n", false),
        ])
    func doNotQueryLocalhost(text: String, expected: Bool) throws {
        #expect(try parse("resolution:\n  ipv4: true\n" + text).resolution.doNotQueryLocalhost == expected)
    }

    @Test("qname-minimisation rejects true and other words, listing the choices")
    func qnameMinimisationErrors() {
        for text in ["true", "on", "full"] {
            let found = diagnostics("resolution:\n  qname-minimisation: \(text)\n")
            #expect(
                found.map(\.description) == [
                    "/etc/mamori/mamori.yaml:2:3: resolution.qname-minimisation: expected off, relaxed or strict, got \"\(text)\""
                ])
        }
    }

    @Test(
        "trust-anchor-updates is auto, true or false",
        arguments: [
            ("auto", TrustAnchorUpdatePolicy.auto), ("true", .all), ("false", .none), ("off", .none),
        ])
    func trustAnchorUpdates(text: String, expected: TrustAnchorUpdatePolicy) throws {
        #expect(try parse("dnssec: { trust-anchor-updates: \(text) }").dnssec.trustAnchorUpdates == expected)
    }

    @Test("a bad value names file, line, column, key path and the value")
    func badValue() {
        let found = diagnostics(
            """
            # Mamori
            listen: ["127.0.0.1@53"]
            cache:
              size: 64MiB

            resolution:
                ipv6: maybe
            """)
        #expect(
            found.map(\.description) == [
                "/etc/mamori/mamori.yaml:7:5: resolution.ipv6: expected a boolean, got \"maybe\""
            ])
        #expect(found.first?.line == 7 && found.first?.column == 5 && found.first?.keyPath == "resolution.ipv6")
    }

    @Test("unknown keys are errors at every level, all reported at once")
    func unknownKeys() {
        let found = diagnostics(
            """
            lisen: ["127.0.0.1@53"]
            dnssec:
              validaton: true
            access-control:
              - { network: 127.0.0.0/8, action: allow, comment: x }
            """)
        #expect(
            found.map(\.description) == [
                "/etc/mamori/mamori.yaml:1:1: lisen: unknown key",
                "/etc/mamori/mamori.yaml:3:3: dnssec.validaton: unknown key",
                "/etc/mamori/mamori.yaml:5:44: access-control[0].comment: unknown key",
            ])
    }

    @Test("bad values of every kind are named with their key path")
    func badValues() {
        let found = diagnostics(
            """
            listen: ["127.0.0.1@0", "localhost@53", "::1@70000"]
            threads: 0
            access-control:
              - { network: 10.0.0.0/33, action: allow }
              - { network: 10.0.0.0/8, action: permit }
              - { network: 10.0.0.0/8 }
            resolution:
              edns-buffer-size: 100
              forward-zones: [{ name: "bad..name", addresses: [] }]
            cache:
              size: lots
              max-ttl: -1
            logging: { level: loud }
            """)
        let keys = found.map(\.keyPath)
        #expect(
            keys == [
                "listen[0]", "listen[1]", "listen[2]", "threads", "access-control[0].network",
                "access-control[1].action",
                "access-control[2]", "resolution.edns-buffer-size", "resolution.forward-zones[0].name",
                "resolution.forward-zones[0].addresses", "cache.size", "cache.max-ttl", "logging.level",
            ])
        #expect(found.allSatisfy { $0.line > 0 && $0.column > 0 && $0.file == "/etc/mamori/mamori.yaml" })
        #expect(found[6].message == "missing key action")
    }

    @Test("logging: format, the failure log's switch and limits, the query log; bad values name file, line and key")
    func loggingKeys() throws {
        let configuration = try parse(
            """
            logging: { format: json, failures: false, failure-interval: 5s, failure-rate: 3, queries: true }
            """)
        var expected = LoggingSection()
        expected.format = .json
        expected.failures = false
        expected.failureInterval = .seconds(5)
        expected.failureRate = 3
        expected.queries = true
        #expect(configuration.logging == expected)
        #expect(try parse("threads: 1").logging.format == .auto)

        let found = diagnostics(
            """
            logging:
              format: syslog
              failures: sometimes
              failure-interval: 0s
              failure-rate: 0
              queries: 1
              query: true
            """)
        #expect(
            found.map(\.keyPath) == [
                "logging.format", "logging.failures", "logging.failure-interval", "logging.failure-rate",
                "logging.queries", "logging.query",
            ])
        #expect(found.allSatisfy { $0.file == "/etc/mamori/mamori.yaml" && $0.line > 1 })
    }

    @Test("a TLS forward zone: name, pins, CA, port 853 by default (RFC 7858 §3.1, §4.2)")
    func tlsForwardZone() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "".write(toFile: folder + "/ca.pem", atomically: true, encoding: .utf8)
        let pin = BaseEncoding.base64([UInt8](repeating: 7, count: 32))
        let configuration = try parse(
            """
            resolution:
              forward-zones:
                - { name: ".", addresses: ["192.0.2.53", "192.0.2.54@8853"], tls: true, tls-name: "dns.example",
                    tls-pin: "\(pin)", tls-pins: ["\(pin)"], tls-ca: ca.pem }
                - { name: "example.org", addresses: ["192.0.2.1"] }
            """, base: folder)
        let zones = configuration.resolution.forwardZones
        #expect(zones[0].servers.map(\.description) == ["192.0.2.53@853", "192.0.2.54@8853"])
        #expect(
            zones[0].tls
                == ForwarderTLS(
                    name: "dns.example", pins: [[UInt8](repeating: 7, count: 32), [UInt8](repeating: 7, count: 32)],
                    caFile: folder + "/ca.pem"))
        #expect(zones[1].servers.map(\.description) == ["192.0.2.1@53"] && zones[1].tls == nil)
        let pinOnly = try parse(
            #"resolution: { forward-zones: [{ name: ".", addresses: ["192.0.2.53"], tls: true, tls-pin: "\#(pin)" }] }"#
        )
        #expect(
            pinOnly.resolution.forwardZones[0].tls == ForwarderTLS(name: nil, pins: [[UInt8](repeating: 7, count: 32)]))
    }

    @Test("TLS to a forwarder is never unauthenticated; bad pins and stray TLS keys are named")
    func badTLSForwardZones() {
        let found = diagnostics(
            """
            resolution:
              forward-zones:
                - { name: ".", addresses: ["192.0.2.53"], tls: true }
                - { name: "a.example", addresses: ["192.0.2.54"], tls: true, tls-pin: "AAAA" }
                - { name: "b.example", addresses: ["192.0.2.55"], tls-name: "dns.example" }
                - { name: "c.example", addresses: ["192.0.2.56"], tls: true, tls-pins: ["not base64!"], tls-name: x }
            """)
        #expect(
            found.map(\.keyPath) == [
                "resolution.forward-zones[0].tls", "resolution.forward-zones[1].tls-pin",
                "resolution.forward-zones[2].tls-name", "resolution.forward-zones[3].tls-pins[0]",
            ], "\(found)")
        #expect(found[0].line == 3 && found[0].message.contains("needs tls-name or tls-pin"))
        #expect(found[1].line == 4 && found[1].message.contains("32-octet SHA-256 SPKI digest"))
        #expect(found[2].message == "needs tls: true")
        // One address, one set of TLS settings: the transport keeps one pool of connections per address.
        let twice = diagnostics(
            """
            resolution:
              forward-zones:
                - { name: "d.example", addresses: ["192.0.2.57"], tls: true, tls-name: "other.example" }
                - { name: "e.example", addresses: ["192.0.2.57"], tls: true, tls-name: "another.example" }
            """)
        #expect(twice.map(\.keyPath) == ["resolution.forward-zones[1]"])
        #expect(twice.first?.message == "192.0.2.57@853 is given other TLS settings by an earlier forward zone")
    }

    @Test("YAML syntax errors and repeated keys have positions")
    func syntax() {
        let broken = diagnostics("listen: [\"127.0.0.1@53\"\ncache: {")
        #expect(broken.count == 1 && broken[0].line > 0 && broken[0].message.hasPrefix("YAML syntax"))
        let repeated = diagnostics("cache:\n  min-ttl: 1\n  min-ttl: 2\n")
        #expect(repeated.count == 1)
        #expect(repeated.first?.line ?? 0 > 0)
    }

    @Test("a character YAML refuses (libyaml's reader) is placed by line and column, not left at line 0")
    func readerError() {
        // Found by the configuration fuzz target (Tests/Fuzz/corpus-configuration/crash-reader-control-character.bin).
        let found = diagnostics("cache:\n  min-ttl: 1\n  max-ttl: 2\u{01}\n")
        #expect(found.map(\.line) == [3] && found.map(\.column) == [13], "\(found)")
        #expect(found.first?.message.hasPrefix("YAML syntax: control characters are not allowed") == true)
    }

    @Test("repeated keys and keys that are lists are listed in document order, the same every time")
    func repeatedKeysOrder() {
        // Found by the configuration fuzz target (corpus-configuration/crash-duplicate-keys-order.bin).
        let yaml = "threads: 1\n? [a]\n: 1\ncache: {}\nthreads: 2\n? [a]\n: 2\ncache: {}\n"
        let expected = [
            "2:3 : expected a key, got a list", "5:1 threads: key appears more than once",
            "6:3 : expected a key, got a list", "8:1 cache: key appears more than once",
        ]
        for _ in 0..<8 {
            let found = diagnostics(yaml).map { "\($0.line):\($0.column) \($0.keyPath): \($0.message)" }
            #expect(found == expected)
        }
    }

    @Test("keys that differ only in their YAML tag are one key, placed at its second appearance")
    func taggedRepeatedKeys() {
        // Found by the configuration fuzz target (corpus-configuration/crash-duplicate-keys-location.bin):
        // Yams placed this at whichever of the two mappings its unordered key sort put first.
        let yaml = "access-control:\n  - { !a x: 1, !b x: 2, !a x: 3 }\n  - { !b y: 1, y: 2 }\n"
        for _ in 0..<8 {
            let found = diagnostics(yaml).map { "\($0.line):\($0.column) \($0.keyPath)" }
            #expect(found == ["2:16 access-control[0].x", "2:25 access-control[0].x", "3:16 access-control[1].y"])
        }
    }

    @Test("inconsistent values are errors")
    func consistency() {
        #expect(diagnostics("cache: { min-ttl: 100, max-ttl: 10 }").map(\.keyPath) == ["cache.min-ttl"])
        #expect(diagnostics("resolution: { ipv4: false, ipv6: false }").map(\.keyPath) == ["resolution"])
    }

    @Test("relative paths start at the configuration file's folder; missing files are errors")
    func relativePaths() throws {
        let folder = try temporaryDirectory()
        try FileManager.default.createDirectory(atPath: folder + "/keys", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: folder + "/keys/root.keys", contents: Data())
        let file = folder + "/mamori.yaml"
        try "dnssec:\n  trust-anchor-files: [keys/root.keys, ./keys/root.keys, /dev/null]\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let configuration = try Configuration.load(path: file)
        #expect(
            configuration.dnssec.trustAnchorFiles == [
                folder + "/keys/root.keys", folder + "/keys/root.keys", "/dev/null",
            ])
        #expect(configuration.sourceFile == file)

        try "resolution:\n  root-hints: missing.hints\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: ConfigurationError(.invalid, diagnostics: [])) { try Configuration.load(path: file) }
        do {
            _ = try Configuration.load(path: file)
        } catch {
            #expect(
                error.description
                    == "\(file):2:3: resolution.root-hints: cannot read \(folder)/missing.hints: No such file or directory"
            )
        }
    }

    @Test("a missing file is an error naming it")
    func missingFile() {
        do {
            _ = try Configuration.load(path: "/nonexistent/mamori.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .unreadable)
            #expect(error.description == "/nonexistent/mamori.yaml: cannot read: No such file or directory")
        }
    }

    @Test("optional endpoints switch off with false or null")
    func disabling() throws {
        let configuration = try parse("control: { socket: false }\nmetrics: { listen: off }\n")
        #expect(configuration.control.socket == nil)
        #expect(configuration.metrics.listen == nil)
        #expect(try parse("metrics:\n  listen: \"::1\"\n").metrics.listen?.description == "::1@9153")
    }

    @Test("sizes and durations take units")
    func units() throws {
        #expect(try parse("cache: { size: 134217728 }").cache.size == 134_217_728)
        #expect(try parse("cache: { size: 128MiB }").cache.size == 128 << 20)
        #expect(try parse("cache: { size: 512M }").cache.size == 512 << 20)
        #expect(try parse("cache: { size: 200MB }").cache.size == 200_000_000)
        #expect(try parse("cache: { min-ttl: 1h }").cache.minTTL == 3600)
        #expect(try parse("server: { tcp-idle-timeout: 250ms }").server.tcpIdleTimeout == .milliseconds(250))
        #expect(try parse("server: { tcp-idle-timeout: 30 }").server.tcpIdleTimeout == .seconds(30))
        #expect(diagnostics("cache: { min-ttl: 1500ms }").map(\.keyPath) == ["cache.min-ttl"])
    }
}

@Suite("The shipped etc/mamori.yaml")
struct ShippedConfigurationTests {
    @Test("documents the defaults: reading it gives exactly the built-in configuration")
    func shippedFileIsTheDefaults() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("etc/mamori.yaml").path
        var configuration = try Configuration.load(path: file)
        #expect(configuration.sourceFile == file)
        configuration.sourceFile = nil
        #expect(configuration == Configuration())
    }
}
