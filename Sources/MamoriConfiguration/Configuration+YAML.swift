// Primary responsibilities: the configuration written back as YAML that `mamorid --config`
// reads to an equal configuration (`mamorictl config show`): every key, defaults included, one
// function per section so that a new section adds one function and one line to `sections`.

import AddressPolicy
import DNSSEC
import DNSWire
import Foundation
import LocalZones
import Resolver

extension Configuration {
    /// Every key with its value in force, as a `mamori.yaml` (`mamorictl config show`). Paths are
    /// absolute, durations and sizes in the units the decoder reads; reading it back gives an equal
    /// configuration (``sourceFile`` aside, and the file and line each `local.data` record was read at).
    package var yaml: String {
        var lines = ["# the configuration in force, defaults included (mamorictl config show)"]
        for section in Self.yamlSections { lines += section(self) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The sections in the order written: each gives its top-level key's lines. A new key or
    /// section of the configuration is added here (the round-trip test fails until it is).
    static let yamlSections: [@Sendable (Configuration) -> [String]] = [
        { ["listen:"] + $0.listen.map { "  - \(YAMLText.quoted($0.description))" } },
        { YAMLText.list("listen-tls", $0.listenTLS.map(\.description)) },
        { YAMLText.list("listen-https", $0.listenHTTPS.map(\.description)) },
        { configuration in
            let tls = configuration.tls
            return ["tls:"] + YAMLText.optionalPath("certificate", tls.certificate)
                + YAMLText.optionalPath("key", tls.key) + [
                    "  handshake-timeout: \(YAMLText.duration(tls.handshakeTimeout))"
                ]
        },
        { ["https:", "  path: \(YAMLText.quoted($0.https.path))"] },
        { ["threads: \($0.threads)"] },
        { configuration in
            ["access-control:" + (configuration.accessControl.isEmpty ? " []" : "")]
                + configuration.accessControl.map {
                    "  - { network: \(YAMLText.quoted($0.network.description)), action: \($0.action.rawValue) }"
                }
        },
        { resolutionLines($0.resolution) },
        { dnssecLines($0.dnssec) },
        { configuration in
            let cache = configuration.cache
            return [
                "cache:", "  size: \(cache.size)", "  min-ttl: \(cache.minTTL)", "  max-ttl: \(cache.maxTTL)",
                "  max-negative-ttl: \(cache.maxNegativeTTL)", "  serve-stale: \(cache.serveStale)",
                "  prefetch: \(cache.prefetch)", "  persist: \(cache.persist)", "  packet-cache: \(cache.packetCache)",
            ]
        },
        { configuration in
            let logging = configuration.logging
            return [
                "logging:", "  level: \(logging.level.rawValue)", "  format: \(logging.format.rawValue)",
                "  failures: \(logging.failures)",
                "  failure-interval: \(YAMLText.duration(logging.failureInterval))",
                "  failure-rate: \(logging.failureRate)", "  queries: \(logging.queries)",
            ]
        },
        { ["control:", "  socket: \($0.control.socket.map(YAMLText.quoted) ?? "false")"] },
        { ["metrics:", "  listen: \($0.metrics.listen.map { YAMLText.quoted($0.description) } ?? "false")"] },
        { dnstapLines($0.dnstap) },
        { configuration in
            let server = configuration.server
            return [
                "server:", "  tcp-idle-timeout: \(YAMLText.duration(server.tcpIdleTimeout))",
                "  tcp-max-connections: \(server.tcpMaxConnections)",
                "  tcp-max-queries-per-connection: \(server.tcpMaxQueriesPerConnection)",
                "  max-pending-per-client: \(server.maxPendingPerClient)", "  max-pending: \(server.maxPending)",
                "  tcp-max-connections-per-client: \(server.tcpMaxConnectionsPerClient)",
                "  user: \(YAMLText.quoted(server.user ?? ""))",
                "  shutdown-timeout: \(YAMLText.duration(server.shutdownTimeout))",
                "  answer-cookies: \(server.answerCookies)",
            ]
        },
        { configuration in
            let rebinding = configuration.rebindingProtection
            return ["rebinding-protection:", "  enabled: \(rebinding.enabled)"]
                + YAMLText.list("allow", rebinding.allow.map(\.description), indent: "  ")
        },
        { configuration in
            // `dns64` has no "off" spelling: absent is off.
            guard let dns64 = configuration.dns64 else { return [] }
            return ["dns64:", "  prefix: \(YAMLText.quoted(dns64.prefix.network.description))"]
                + YAMLText.list("exclude", dns64.exclude.map(\.description), indent: "  ")
                + YAMLText.list("exclude-ipv4", dns64.excludeIPv4.map(\.description), indent: "  ")
        },
        { blocklistLines($0.blocklists) },
        { localLines($0.local) },
        { ["state-directory: \(YAMLText.quoted($0.stateDirectory))"] },
    ]

    /// The `dnstap` section: `socket: false` when there is no output; `identity` and `version`
    /// only when set (unset means the host name and `mamori`, which have no spelling of their own).
    static func dnstapLines(_ dnstap: DnstapSection) -> [String] {
        let destination: String
        switch dnstap.destination {
        case .socket(let path): destination = "  socket: \(YAMLText.quoted(path))"
        case .file(let path): destination = "  file: \(YAMLText.quoted(path))"
        case nil: destination = "  socket: false"
        }
        return ["dnstap:", destination] + (dnstap.identity.map { ["  identity: \(YAMLText.quoted($0))"] } ?? [])
            + (dnstap.version.map { ["  version: \(YAMLText.quoted($0))"] } ?? []) + [
                "  client-queries: \(dnstap.clientQueries)", "  client-responses: \(dnstap.clientResponses)",
                "  resolver-queries: \(dnstap.resolverQueries)", "  resolver-responses: \(dnstap.resolverResponses)",
            ]
    }

    /// The `blocklists` key, in the order the lists are asked; an RPZ list has no `action` (its
    /// records say it).
    static func blocklistLines(_ lists: [BlocklistConfiguration]) -> [String] {
        guard !lists.isEmpty else { return ["blocklists: []"] }
        return ["blocklists:"]
            + lists.map { list in
                let action = list.format == .rpz ? "" : ", action: \(list.action.rawValue)"
                return "  - { name: \(YAMLText.quoted(list.name)), file: \(YAMLText.quoted(list.file)), "
                    + "format: \(list.format.rawValue)\(action), ttl: \(list.ttl) }"
            }
    }

    /// The `local` section: each data record as one zone-file line (owner, TTL, class, type,
    /// RDATA), the zones, the hosts files and `served-zones`.
    static func localLines(_ local: LocalSection) -> [String] {
        ["local:"] + YAMLText.list("data", local.data.map(\.record.description), indent: "  ")
            + ["  zones:" + (local.zones.isEmpty ? " []" : "")]
            + local.zones.map { "    - { name: \(YAMLText.quoted($0.name.description)), type: \($0.type.rawValue) }" }
            + YAMLText.list("hosts-files", local.hostsFiles, indent: "  ") + ["  served-zones: \(local.servedZones)"]
    }

    /// The `resolution` section.
    static func resolutionLines(_ resolution: ResolutionSection) -> [String] {
        let hints: String
        switch resolution.rootHints {
        case .builtIn: hints = "built-in"
        case .file(let path): hints = YAMLText.quoted(path)
        }
        var lines = [
            "resolution:", "  root-hints: \(hints)",
            "  allow-private-upstreams: \(resolution.allowPrivateUpstreams)",
            "  do-not-query-localhost: \(resolution.doNotQueryLocalhost)", "  ipv4: \(resolution.ipv4)",
            "  ipv6: \(resolution.ipv6)",
            "  qname-minimisation: \(YAMLText.quoted(resolution.qnameMinimisation.rawValue))",
            "  forward-zones:" + (resolution.forwardZones.isEmpty ? " []" : ""),
        ]
        for zone in resolution.forwardZones {
            lines.append("    - name: \(YAMLText.quoted(zone.zone.description))")
            lines.append(
                "      addresses: [\(zone.servers.map { YAMLText.quoted($0.description) }.joined(separator: ", "))]")
            guard let tls = zone.tls else { continue }
            lines.append("      tls: true")
            if let name = tls.name { lines.append("      tls-name: \(YAMLText.quoted(name))") }
            if !tls.pins.isEmpty {
                lines.append(
                    "      tls-pins: [\(tls.pins.map { YAMLText.quoted(Data($0).base64EncodedString()) }.joined(separator: ", "))]"
                )
            }
            if let ca = tls.caFile { lines.append("      tls-ca: \(YAMLText.quoted(ca))") }
        }
        lines.append("  stub-zones:" + (resolution.stubZones.isEmpty ? " []" : ""))
        for zone in resolution.stubZones {
            lines.append("    - name: \(YAMLText.quoted(zone.zone.description))")
            lines.append(
                "      addresses: [\(zone.servers.map { YAMLText.quoted($0.description) }.joined(separator: ", "))]")
            lines.append("      insecure: \(zone.insecure)")
        }
        lines += [
            "  edns-buffer-size: \(resolution.ednsBufferSize)",
            "  query-timeout: \(YAMLText.duration(resolution.queryTimeout))",
            "  client-timeout: \(YAMLText.duration(resolution.clientTimeout))",
            "  max-outstanding-queries: \(resolution.maxOutstandingQueries.map(String.init) ?? "auto")",
            "  case-randomisation: \(resolution.caseRandomisation)", "  send-cookies: \(resolution.sendCookies)",
        ]
        return lines
    }

    /// The `dnssec` section.
    static func dnssecLines(_ dnssec: DNSSECSection) -> [String] {
        [
            "dnssec:", "  validation: \(dnssec.validation)",
        ] + YAMLText.list("trust-anchors", dnssec.trustAnchors, indent: "  ")
            + YAMLText.list("trust-anchor-files", dnssec.trustAnchorFiles, indent: "  ") + [
                "  trust-anchor-updates: \(dnssec.trustAnchorUpdates.rawValue)"
            ] + YAMLText.list("negative-trust-anchors", dnssec.negativeTrustAnchors.map(\.description), indent: "  ")
            + [
                "  nsec3-max-iterations: \(dnssec.nsec3MaxIterations)", "  bogus-ttl: \(dnssec.bogusTTL)",
                "  aggressive-nsec: \(dnssec.aggressiveNSEC)",
            ]
    }
}

/// YAML scalars and lists as the configuration writes them.
enum YAMLText {
    /// A double-quoted scalar (YAML 1.2 §7.3.1): every string is quoted, so no value is read as
    /// another type (`off`, `::1@53`, `1e3`).
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    result += "\\x" + String(scalar.value, radix: 16).leftPadded(to: 2)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    /// `key: []`, or `key:` and one `- "item"` line per item.
    static func list(_ key: String, _ items: [String], indent: String = "") -> [String] {
        guard !items.isEmpty else { return ["\(indent)\(key): []"] }
        return ["\(indent)\(key):"] + items.map { "\(indent)  - \(quoted($0))" }
    }

    /// `  key: "path"`, or nothing when unset (the key has no "none" spelling).
    static func optionalPath(_ key: String, _ path: String?) -> [String] {
        path.map { ["  \(key): \(quoted($0))"] } ?? []
    }

    /// A duration the decoder reads back exactly: seconds, or milliseconds when not whole.
    static func duration(_ value: Duration) -> String { ConfigurationDecoder.format(value) }
}

extension String {
    /// Zeros in front up to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
