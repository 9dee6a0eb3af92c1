// Primary responsibilities: where resolution starts when nothing is cached — the root servers'
// names and addresses, built in (IANA's named.root) or given by the operator.

import DNSWire

/// The root name servers to prime from (RFC 8109 §3).
package struct RootHints: Hashable, Sendable {
    /// The root servers' host names, in order.
    package var nameServers: [DomainName]
    /// Their addresses.
    package var addresses: [DomainName: [ServerAddress]]

    /// Creates hints.
    package init(nameServers: [DomainName], addresses: [DomainName: [ServerAddress]]) {
        self.nameServers = nameServers
        self.addresses = addresses
    }

    /// Builds hints from zone-file records: NS records owned by the root, and A/AAAA records of
    /// the names they list. Other records are ignored.
    /// - Throws: ``RootHintsError`` when no NS record or no address for any of them is present.
    package init(records: [Record]) throws(RootHintsError) {
        var nameServers: [DomainName] = []
        var addresses: [DomainName: [ServerAddress]] = [:]
        for record in records where record.name.isRoot {
            if case .ns(let ns) = record.rdata, !nameServers.contains(ns.nameServer) {
                nameServers.append(ns.nameServer)
            }
        }
        guard !nameServers.isEmpty else {
            throw RootHintsError(.noNameServers, "root hints: no NS records owned by the root")
        }
        for record in records where nameServers.contains(record.name) {
            switch record.rdata {
            case .a(let a): addresses[record.name, default: []].append(ServerAddress(host: IPAddress(a)))
            case .aaaa(let aaaa): addresses[record.name, default: []].append(ServerAddress(host: IPAddress(aaaa)))
            default: continue
            }
        }
        guard !addresses.isEmpty else {
            throw RootHintsError(.noAddresses, "root hints: no A or AAAA records for the root NS names")
        }
        self.init(nameServers: nameServers, addresses: addresses)
    }

    /// The delegation point the hints stand for; its expiry is irrelevant (hints never expire).
    package var delegationPoint: DelegationPoint {
        DelegationPoint(zone: .root, nameServers: nameServers, addresses: addresses, source: .hints, expiry: .max)
    }

    /// IANA's root servers (named.root of 2024-07), used when `resolution.root-hints` is `built-in`.
    package static let builtIn: RootHints = {
        let table: [(String, String, String)] = [
            ("a", "198.41.0.4", "2001:503:ba3e::2:30"), ("b", "170.247.170.2", "2801:1b8:10::b"),
            ("c", "192.33.4.12", "2001:500:2::c"), ("d", "199.7.91.13", "2001:500:2d::d"),
            ("e", "192.203.230.10", "2001:500:a8::e"), ("f", "192.5.5.241", "2001:500:2f::f"),
            ("g", "192.112.36.4", "2001:500:12::d0d"), ("h", "198.97.190.53", "2001:500:1::53"),
            ("i", "192.36.148.17", "2001:7fe::53"), ("j", "192.58.128.30", "2001:503:c27::2:30"),
            ("k", "193.0.14.129", "2001:7fd::1"), ("l", "199.7.83.42", "2001:500:9f::42"),
            ("m", "202.12.27.33", "2001:dc3::35"),
        ]
        var names: [DomainName] = []
        var addresses: [DomainName: [ServerAddress]] = [:]
        for (letter, v4, v6) in table {
            let name = DomainName(stringLiteral: "\(letter).root-servers.net.")
            names.append(name)
            addresses[name] = [ServerAddress(v4)!, ServerAddress(v6)!]
        }
        return RootHints(nameServers: names, addresses: addresses)
    }()
}

/// Root hints that cannot be used: the Resolver's one error shape, its reason starting
/// `root hints:`. (A resolution that fails is an outcome, not an error: `Resolution.failure`.)
/// Errors compare by code (``CodedError``).
package typealias RootHintsError = SimpleError<RootHintsErrorCode>

/// What is wrong with root hints: no NS record owned by the root, so nothing to prime from
/// (RFC 8109 §3), or no A or AAAA record for any of the root's name servers, so none can be reached.
package enum RootHintsErrorCode: Hashable, Sendable { case noNameServers, noAddresses }
