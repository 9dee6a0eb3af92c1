// Primary responsibilities: turning a scenario's configuration lines into the daemon's
// configuration and, through the daemon's own translation, into engine settings, for every test
// that builds a resolver from a scenario (the replay tests, the explanation tests, the response
// fuzz target).

import AddressPolicy
import DNSSEC
import DNSWire
import LocalZones
import MamoriConfiguration
import MamoriService
import Resolver

#if canImport(Glibc)
    import Glibc
#endif

/// A scenario's `server:` lines, read as the daemon's configuration (`mamori.yaml`) and turned into
/// engine settings by the daemon's own translation (``EngineSettings``), so a key wired wrongly in
/// the daemon fails a replay test.
package enum ScenarioConfiguration {
    /// The engine settings a scenario asks for: ``configuration(_:rootHintsFile:)`` translated by
    /// ``EngineSettings``, then the limits no configuration key reaches (``tune(_:_:)``).
    /// - Throws: ``ScenarioError`` for an unknown key or a bad value, or what
    ///   ``EngineSettings`` throws for anchors or hints it cannot use.
    package static func settings(_ lines: [ConfigLine]) throws -> EngineSettings {
        let directory = "/tmp/mamori-scenario-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        guard mkdir(directory, 0o700) == 0 else {
            throw ScenarioError(configuration: ConfigLine(key: "server", value: "", line: 0), "no temporary folder")
        }
        let hintsFile = directory + "/root.hints"
        defer {
            unlink(hintsFile)
            rmdir(directory)
        }
        var settings = try EngineSettings(try configuration(lines, rootHintsFile: hintsFile))
        try tune(&settings, lines)
        return settings
    }

    /// The daemon's configuration for a scenario's lines. Keys and what they set:
    /// `root-hint: NAME ADDRESS` (repeatable; written to `rootHintsFile`, `resolution.root-hints`),
    /// `qname-minimisation: off|relaxed|strict|no|yes`, `forward-zone: ZONE ADDRESS[,ADDRESS…]`,
    /// `ipv4|ipv6|allow-private-upstreams|do-not-query-localhost|use-0x20: yes|no`
    /// (`resolution.case-randomisation` for the last; `do-not-query-localhost` absent follows the
    /// daemon's rule, ``ResolutionSection/doNotQueryLocalhost(given:allowPrivateUpstreams:)``), `serve-stale|prefetch: yes|no` (`cache.`); DNSSEC: `trust-anchor: ZONE-FILE LINE`
    /// (DS or DNSKEY, repeatable; any anchor turns validation on), `validation: yes|no`,
    /// `nta: NAME`, `nsec3-max-iterations: N`, `bogus-ttl: N`, `aggressive-nsec: yes|no`; stub zones:
    /// `stub-zone: ZONE ADDRESS[,…] [insecure]`; the service's address policies
    /// (``usesService(_:)``): `rebinding-protection: yes|no`, `rebinding-allow: NAME` (repeatable),
    /// `dns64-prefix: PREFIX`; its local data (``usesService(_:)`` too): `local-data: ZONE-FILE LINE`
    /// (repeatable), `local-zone: NAME TYPE` (repeatable), `served-zones: yes|no`. Scenarios without an anchor run
    /// without validation; RFC 5011 is off, nothing is persisted. The limits and `query-seconds`
    /// are skipped here (``tune(_:_:)``, the test itself).
    /// - Throws: ``ScenarioError`` for an unknown key or a bad value.
    package static func configuration(_ lines: [ConfigLine], rootHintsFile: String) throws -> Configuration {
        var configuration = Configuration()
        configuration.cache.persist = false
        configuration.dnssec.trustAnchorUpdates = .none
        var hints: [String] = []
        var validation: Bool? = nil
        var localhost: Bool? = nil
        for line in lines where !line.key.isEmpty && line.key != "server" {
            let value = line.value
            switch line.key {
            case "root-hint":
                let parts = value.split(separator: " ")
                guard parts.count == 2, let address = ServerAddress(parts[1]) else {
                    throw ScenarioError(configuration: line, "expected NAME ADDRESS")
                }
                let name = try DomainName(parts[0])
                hints += [
                    ". 3600000 IN NS \(name)",
                    "\(name) 3600000 IN \(address.host.isIPv6 ? "AAAA" : "A") \(address.host)",
                ]
            case "qname-minimisation":
                switch value.lowercased() {
                case "off", "no", "false": configuration.resolution.qnameMinimisation = .off
                case "relaxed", "yes", "true": configuration.resolution.qnameMinimisation = .relaxed
                case "strict": configuration.resolution.qnameMinimisation = .strict
                default: throw ScenarioError(configuration: line, "expected off, relaxed or strict")
                }
            case "forward-zone":
                // `ZONE ADDRESS[,…] [tls=NAME]`: with tls=, the servers are asked over DNS over TLS only.
                let parts = value.split(separator: " ")
                guard parts.count == 2 || (parts.count == 3 && parts[2].hasPrefix("tls=")) else {
                    throw ScenarioError(configuration: line, "expected ZONE ADDRESS[,…] [tls=NAME]")
                }
                let servers = parts[1].split(separator: ",").compactMap { ServerAddress($0) }
                let tls = parts.count == 3 ? ForwarderTLS(name: String(parts[2].dropFirst(4))) : nil
                configuration.resolution.forwardZones.append(
                    ForwardZone(zone: try DomainName(parts[0]), servers: servers, tls: tls))
            case "stub-zone":
                // `ZONE ADDRESS[,…] [insecure]`: the zone's authoritative servers, asked RD=0.
                let parts = value.split(separator: " ")
                guard parts.count == 2 || (parts.count == 3 && parts[2] == "insecure") else {
                    throw ScenarioError(configuration: line, "expected ZONE ADDRESS[,…] [insecure]")
                }
                let servers = parts[1].split(separator: ",").compactMap { ServerAddress($0) }
                configuration.resolution.stubZones.append(
                    StubZone(zone: try DomainName(parts[0]), servers: servers, insecure: parts.count == 3))
            case "local-data":
                // A zone-file line, as an item of `local.data`.
                do {
                    configuration.local.data += try ZoneFileParser(text: value, defaultTTL: LocalSection.defaultTTL)
                        .records().map { LocalRecord($0, source: "local-data", line: line.line) }
                } catch {
                    throw ScenarioError(configuration: line, "bad record: \(error.reason)")
                }
            case "local-zone":
                // `NAME TYPE`, as an item of `local.zones`.
                let parts = value.split(separator: " ")
                guard parts.count == 2, let type = LocalZoneType(rawValue: String(parts[1])) else {
                    throw ScenarioError(
                        configuration: line,
                        "expected NAME \(LocalZoneType.allCases.map(\.rawValue).joined(separator: "|"))")
                }
                configuration.local.zones.append(LocalZone(name: try DomainName(parts[0]), type: type))
            case "served-zones": configuration.local.servedZones = try flag(line)
            case "rebinding-protection": configuration.rebindingProtection.enabled = try flag(line)
            case "rebinding-allow": configuration.rebindingProtection.allow.append(try DomainName(value))
            case "dns64-prefix":
                guard let prefix = IPNetwork(value).flatMap(NAT64Prefix.init) else {
                    throw ScenarioError(configuration: line, "expected an RFC 6052 prefix such as 64:ff9b::/96")
                }
                configuration.dns64 = DNS64Section(prefix: prefix)
            case "ipv4": configuration.resolution.ipv4 = try flag(line)
            case "ipv6": configuration.resolution.ipv6 = try flag(line)
            case "allow-private-upstreams": configuration.resolution.allowPrivateUpstreams = try flag(line)
            case "do-not-query-localhost": localhost = try flag(line)
            case "use-0x20": configuration.resolution.caseRandomisation = try flag(line)
            case "serve-stale": configuration.cache.serveStale = try flag(line)
            case "prefetch": configuration.cache.prefetch = try flag(line)
            case "trust-anchor": configuration.dnssec.trustAnchors.append(value)
            case "validation": validation = try flag(line)
            case "nta": configuration.dnssec.negativeTrustAnchors.append(try DomainName(value))
            case "nsec3-max-iterations": configuration.dnssec.nsec3MaxIterations = try number(line)
            case "bogus-ttl": configuration.dnssec.bogusTTL = UInt32(clamping: try number(line))
            case "aggressive-nsec": configuration.dnssec.aggressiveNSEC = try flag(line)
            case "max-upstream-queries", "max-referrals", "max-cname-chain", "max-nameserver-lookups",
                "max-nxdomain-nameservers":
                continue  // engine limits with no configuration key: tune(_:_:)
            case "query-seconds": continue  // checked by the test, not the engine (ReplayTests.timeBounds)
            default: throw ScenarioError(configuration: line, "unknown key")
            }
        }
        configuration.dnssec.validation = validation ?? !configuration.dnssec.trustAnchors.isEmpty
        configuration.resolution.doNotQueryLocalhost = ResolutionSection.doNotQueryLocalhost(
            given: localhost, allowPrivateUpstreams: configuration.resolution.allowPrivateUpstreams)
        if !hints.isEmpty {
            guard let file = fopen(rootHintsFile, "w") else {
                throw ScenarioError(
                    configuration: ConfigLine(key: "root-hint", value: "", line: 0), "cannot write \(rootHintsFile)")
            }
            fputs(hints.joined(separator: "\n") + "\n", file)
            fclose(file)
            configuration.resolution.rootHints = .file(rootHintsFile)
        }
        return configuration
    }

    /// Whether a scenario's lines set a policy of the service around the engine (rebinding
    /// protection, DNS64, local data and the locally served zones): such a scenario runs through
    /// ``MamoriService/ResolverService`` with the daemon's stages, not through the bare engine.
    package static func usesService(_ lines: [ConfigLine]) -> Bool {
        lines.contains {
            ["rebinding-protection", "rebinding-allow", "dns64-prefix", "local-data", "local-zone", "served-zones"]
                .contains($0.key)
        }
    }

    /// Sets the engine limits scenarios change that no configuration key reaches:
    /// `max-upstream-queries|max-referrals|max-cname-chain|max-nameserver-lookups|max-nxdomain-nameservers: N`.
    /// - Throws: ``ScenarioError`` for a bad value.
    package static func tune(_ settings: inout EngineSettings, _ lines: [ConfigLine]) throws {
        for line in lines {
            switch line.key {
            case "max-upstream-queries": settings.resolver.limits.maxUpstreamQueries = try number(line)
            case "max-referrals": settings.resolver.limits.maxReferrals = try number(line)
            case "max-cname-chain": settings.resolver.limits.maxCNAMEChain = try number(line)
            case "max-nameserver-lookups": settings.resolver.limits.maxNameServerLookupsPerDelegation = try number(line)
            case "max-nxdomain-nameservers": settings.resolver.limits.maxNXDOMAINNameServers = try number(line)
            default: continue
            }
        }
    }

    /// A `yes|no` value.
    static func flag(_ line: ConfigLine) throws -> Bool {
        switch line.value.lowercased() {
        case "yes", "true", "on": return true
        case "no", "false", "off": return false
        default: throw ScenarioError(configuration: line, "expected yes or no")
        }
    }

    /// A whole-number value.
    static func number(_ line: ConfigLine) throws -> Int {
        guard let number = Int(line.value) else {
            throw ScenarioError(configuration: line, "expected a number")
        }
        return number
    }
}
