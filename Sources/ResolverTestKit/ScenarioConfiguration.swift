// Primary responsibilities: turning a scenario's configuration lines into the engine's and the
// cache's settings, for every test that builds a resolver from a scenario (the replay tests, the
// explanation tests, the response fuzz target).

public import DNSCache
import DNSSEC
import DNSWire
public import Resolver

/// The configuration keys scenarios use, read into ``ResolverConfiguration`` and ``CacheConfiguration``.
public enum ScenarioConfiguration {
    /// Reads the configuration keys scenarios use:
    /// `root-hint: NAME ADDRESS`, `qname-minimisation: off|relaxed|strict|no|yes`,
    /// `forward-zone: ZONE ADDRESS[,ADDRESS…]`, `ipv4|ipv6|allow-private-upstreams|use-0x20: yes|no`,
    /// `max-upstream-queries|max-referrals|max-cname-chain|max-nameserver-lookups|max-nxdomain-nameservers: N`;
    /// DNSSEC: `trust-anchor: ZONE-FILE LINE` (DS or DNSKEY, repeatable; any anchor turns validation
    /// on), `validation: yes|no`, `nta: NAME`, `nsec3-max-iterations: N`, `bogus-ttl: N` (read by
    /// ``cache(_:)``); `query-seconds: STEP MIN MAX` is for the test itself (ReplayTests' time
    /// bounds) and skipped here. Scenarios without an anchor run without validation.
    /// - Throws: ``ScenarioConfigurationError`` for an unknown key or a bad value.
    public static func resolver(_ lines: [ConfigLine]) throws -> ResolverConfiguration {
        var configuration = ResolverConfiguration()
        var hints: [(DomainName, ServerAddress)] = []
        var anchorLines: [String] = []
        var negativeAnchors: [NegativeTrustAnchor] = []
        var validation: Bool? = nil
        for line in lines where !line.key.isEmpty && line.key != "server" {
            let value = line.value
            func flag() throws -> Bool {
                switch value.lowercased() {
                case "yes", "true", "on": return true
                case "no", "false", "off": return false
                default: throw ScenarioConfigurationError(line: line, reason: "expected yes or no")
                }
            }
            func number() throws -> Int {
                guard let number = Int(value) else {
                    throw ScenarioConfigurationError(line: line, reason: "expected a number")
                }
                return number
            }
            switch line.key {
            case "root-hint":
                let parts = value.split(separator: " ")
                guard parts.count == 2, let address = ServerAddress(parts[1]) else {
                    throw ScenarioConfigurationError(line: line, reason: "expected NAME ADDRESS")
                }
                hints.append((try DomainName(parts[0]), address))
            case "qname-minimisation":
                switch value.lowercased() {
                case "off", "no", "false": configuration.qnameMinimisation = .off
                case "relaxed", "yes", "true": configuration.qnameMinimisation = .relaxed
                case "strict": configuration.qnameMinimisation = .strict
                default: throw ScenarioConfigurationError(line: line, reason: "expected off, relaxed or strict")
                }
            case "forward-zone":
                let parts = value.split(separator: " ")
                guard parts.count == 2 else {
                    throw ScenarioConfigurationError(line: line, reason: "expected ZONE ADDRESS[,…]")
                }
                let servers = parts[1].split(separator: ",").compactMap { ServerAddress($0) }
                configuration.forwardZones.append(ForwardZone(zone: try DomainName(parts[0]), servers: servers))
            case "ipv4": configuration.useIPv4 = try flag()
            case "ipv6": configuration.useIPv6 = try flag()
            case "allow-private-upstreams": configuration.allowPrivateUpstreams = try flag()
            case "use-0x20": configuration.useCaseRandomisation = try flag()
            case "max-upstream-queries": configuration.limits.maxUpstreamQueries = try number()
            case "max-referrals": configuration.limits.maxReferrals = try number()
            case "max-cname-chain": configuration.limits.maxCNAMEChain = try number()
            case "max-nameserver-lookups": configuration.limits.maxNameServerLookupsPerDelegation = try number()
            case "max-nxdomain-nameservers": configuration.limits.maxNXDOMAINNameServers = try number()
            case "trust-anchor": anchorLines.append(value)
            case "validation": validation = try flag()
            case "nta": negativeAnchors.append(NegativeTrustAnchor(name: try DomainName(value)))
            case "nsec3-max-iterations":
                configuration.validation.limits.maxNSEC3Iterations = UInt16(clamping: try number())
            case "bogus-ttl": continue  // a cache setting (see cache(_:))
            case "serve-stale":
                configuration.serveStale = try flag()  // the cache keeps stale entries too (cache(_:))
            case "prefetch": configuration.prefetch = try flag()
            case "query-seconds": continue  // checked by the test, not the engine (ReplayTests.timeBounds)
            default: throw ScenarioConfigurationError(line: line, reason: "unknown key")
            }
        }
        let anchors = try TrustAnchorStore.parse(anchorLines.joined(separator: "\n"), source: "scenario")
        configuration.validation.anchors = TrustAnchorStore(anchors: anchors, negativeAnchors: negativeAnchors)
        configuration.validation.enabled = validation ?? !anchors.isEmpty
        if !hints.isEmpty {
            var names: [DomainName] = []
            var addresses: [DomainName: [ServerAddress]] = [:]
            for (name, address) in hints {
                if !names.contains(name) { names.append(name) }
                addresses[name, default: []].append(address)
            }
            configuration.rootHints = RootHints(nameServers: names, addresses: addresses)
        }
        return configuration
    }

    /// The cache settings a scenario changes: `bogus-ttl: N` (seconds a bogus result is kept).
    /// - Throws: ``ScenarioConfigurationError`` for a bad value.
    public static func cache(_ lines: [ConfigLine]) throws -> CacheConfiguration {
        var configuration = CacheConfiguration()
        for line in lines where line.key == "bogus-ttl" {
            guard let seconds = UInt32(line.value) else {
                throw ScenarioConfigurationError(line: line, reason: "expected seconds")
            }
            configuration.bogusTTL = seconds
        }
        configuration.serveStale = lines.contains { $0.key == "serve-stale" && $0.value.lowercased() == "yes" }
        return configuration
    }

}

/// A configuration line that cannot be used.
public struct ScenarioConfigurationError: Error, CustomStringConvertible {
    /// The line.
    public var line: ConfigLine
    /// What is wrong.
    public var reason: String

    /// Creates the error.
    /// - Parameters:
    ///   - line: the line.
    ///   - reason: what is wrong.
    public init(line: ConfigLine, reason: String) {
        self.line = line
        self.reason = reason
    }

    /// `config line N: key: reason`.
    public var description: String { "config line \(line.line): \(line.key): \(reason)" }
}
