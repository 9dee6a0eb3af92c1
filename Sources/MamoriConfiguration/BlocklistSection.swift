// Primary responsibilities: the `blocklists` key — which list files are loaded, in which format,
// and what a listed name gets — as the configuration states it (the lists themselves are read by
// the Blocklists target when the service installs them).

/// One `blocklists` item: `{ name, file, format }`, with `action` and `ttl` optional.
package struct BlocklistConfiguration: Hashable, Sendable {
    /// The file formats (`format`).
    package enum Format: String, Hashable, Sendable, CaseIterable {
        /// `/etc/hosts` lines: names given 0.0.0.0, 127.0.0.1, :: or ::1, each name exactly.
        case hosts
        /// One name a line, covering the names below it.
        case domains
        /// A Response Policy Zone file: its records say what each name gets.
        case rpz
    }

    /// What a hosts or domain list's name gets (`action`); an RPZ file says it per name.
    package enum Action: String, Hashable, Sendable, CaseIterable {
        /// NXDOMAIN with a SOA: the name does not exist (the default, as RPZ's `CNAME .`).
        case nxdomain
        /// NOERROR and no records, with a SOA (RPZ's `CNAME *.`).
        case nodata
        /// 0.0.0.0 for A and :: for AAAA, NODATA for other types: what hosts-file blocking gives,
        /// and what some applications handle faster than NXDOMAIN.
        case nullAddress = "null-address"
        /// The names are not blocked and later lists are not asked: an allowlist of exceptions
        /// (RPZ's PASSTHRU).
        case passthru
    }

    /// The list's name: the metrics label and the EDE text (`blocked by list NAME`).
    package var name: String
    /// The file, absolute.
    package var file: String
    /// How the file is written.
    package var format: Format
    /// What a listed name gets (hosts and domain lists).
    package var action: Action
    /// The TTL of blocked answers and of their SOA's negative TTL (RFC 2308 §5), seconds.
    package var ttl: UInt32

    /// The default `ttl`: clients ask again within minutes, so an unblocked name comes back soon.
    package static let defaultTTL: UInt32 = 300
    /// The longest `name` (a metrics label and part of an EDE text).
    package static let maxNameLength = 64
    /// The most lists: each is asked in turn on every query that reaches the stage.
    package static let maxLists = 64

    /// A list.
    package init(name: String, file: String, format: Format, action: Action = .nxdomain, ttl: UInt32 = defaultTTL) {
        self.name = name
        self.file = file
        self.format = format
        self.action = action
        self.ttl = ttl
    }
}
