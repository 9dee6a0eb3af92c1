// Primary responsibilities: the `rebinding-protection` and `dns64` sections, in AddressPolicy's
// vocabulary (RebindingProtection's allow list, NAT64Prefix, the RFC 6147 exclusions), and their
// decoding with file:line:column: key errors.

import AddressPolicy
import DNSWire
import Yams

/// DNS rebinding protection (`rebinding-protection`).
package struct RebindingSection: Hashable, Sendable {
    /// Whether answers for public names are checked for non-public addresses (`enabled`). Off by
    /// default (Docs/configuration.md says why).
    package var enabled = false
    /// Domains whose names, and everything below them, may resolve to such addresses (`allow`).
    package var allow: [DomainName] = []

    /// The defaults: off, nothing allowed.
    package init() {}
}

/// DNS64 (`dns64`, RFC 6147); absent, DNS64 is off.
package struct DNS64Section: Hashable, Sendable {
    /// The NAT64 prefix (`prefix`, RFC 6052 §2.2).
    package var prefix: NAT64Prefix
    /// AAAA records treated as absent (`exclude`, RFC 6147 §5.1.4).
    package var exclude: [IPNetwork] = DNS64Synthesis.defaultExcludedIPv6
    /// A records never synthesised from (`exclude-ipv4`, RFC 6147 §5.1.4).
    package var excludeIPv4: [IPNetwork] = []

    /// DNS64 with `prefix` and the default exclusions.
    package init(prefix: NAT64Prefix) { self.prefix = prefix }

    /// The rule the service applies.
    package var synthesis: DNS64Synthesis {
        DNS64Synthesis(prefix: prefix, excludedIPv6: exclude, excludedIPv4: excludeIPv4)
    }
}

extension ConfigurationDecoder {
    /// `rebinding-protection: { enabled: BOOL, allow: [NAME, ...] }`.
    mutating func decodeRebinding(_ entry: Entry, into section: inout RebindingSection) {
        for child in entries(of: entry.value, path: entry.path) {
            switch child.name {
            case "enabled":
                if let value = bool(child) { section.enabled = value }
            case "allow":
                guard let items = list(child) else { continue }
                section.allow = items.enumerated().compactMap { index, item in
                    domainName(item, path: "\(child.path)[\(index)]")
                }
            default:
                unknownKey(child)
            }
        }
    }

    /// `dns64: { prefix: PREFIX, exclude: [PREFIX, ...], exclude-ipv4: [PREFIX, ...] }`.
    mutating func decodeDNS64(_ entry: Entry) -> DNS64Section? {
        var prefix: NAT64Prefix?
        var exclude: [IPNetwork]?
        var excludeIPv4: [IPNetwork]?
        for child in entries(of: entry.value, path: entry.path) {
            switch child.name {
            case "prefix":
                guard let text = string(child) else { continue }
                prefix = IPNetwork(text).flatMap(NAT64Prefix.init)
                if prefix == nil {
                    report(
                        child.key, child.path,
                        "expected an IPv6 prefix of length 32, 40, 48, 56, 64 or 96 with bits 64-71 zero "
                            + "(RFC 6052 §2.2), such as 64:ff9b::/96, got \"\(text)\"")
                }
            case "exclude":
                exclude = networks(child, ipv6: true)
            case "exclude-ipv4":
                excludeIPv4 = networks(child, ipv6: false)
            default:
                unknownKey(child)
            }
        }
        guard let prefix else {
            if !hasKey(entry.value, "prefix") { report(entry.key, entry.path, "missing key prefix") }
            return nil
        }
        var section = DNS64Section(prefix: prefix)
        if let exclude { section.exclude = exclude }
        if let excludeIPv4 { section.excludeIPv4 = excludeIPv4 }
        return section
    }

    /// A list of networks of one family.
    private mutating func networks(_ entry: Entry, ipv6: Bool) -> [IPNetwork]? {
        guard let items = list(entry) else { return nil }
        var result: [IPNetwork] = []
        for (index, item) in items.enumerated() {
            guard case .scalar(let scalar) = item, let network = IPNetwork(scalar.string),
                network.address.isIPv6 == ipv6
            else {
                report(
                    item, "\(entry.path)[\(index)]",
                    "expected an \(ipv6 ? "IPv6" : "IPv4") network such as \(ipv6 ? "::ffff:0:0/96" : "10.0.0.0/8"), "
                        + "got \(describe(item))")
                continue
            }
            result.append(network)
        }
        return result
    }
}
