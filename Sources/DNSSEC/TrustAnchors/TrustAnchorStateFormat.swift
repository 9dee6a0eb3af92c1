// Primary responsibilities: the versioned text form of RFC 5011 state — one line per managed zone with its
// refresh times, one line per tracked key with its state, times and DNSKEY RDATA — written and read as
// strings (the file I/O is MamoriService's, TrustAnchorStateFile), with parse errors naming the line.

public import DNSWire

/// The RFC 5011 state file format, version 1.
///
/// RFC 5011 §2.4 requires hold-down timers to survive restarts (a resolver restarting during a hold-down must
/// not restart it, nor forget a revocation), so the state is written after every change. The format is plain
/// text so an operator can read it, and versioned so a later daemon can refuse or convert an older file:
///
/// ```
/// ; comment lines start with a semicolon
/// mamori-trust-anchor-state 1
/// zone <owner> <last-success> <next-refresh> <original-ttl> <signature-expiration> <failures>
/// key <owner> <key-tag> <algorithm> <state> <first-seen> <last-change> <hold-down-end> <DNSKEY RDATA>
/// ```
/// Times are epoch seconds, `-` when unknown; `<state>` is an RFC 5011 §4 state name; the key tag and
/// algorithm repeat what the RDATA says, for people and as a check. A `key` line follows its `zone` line.
public enum TrustAnchorStateFormat {
    /// The first word of the version line.
    public static let magic = "mamori-trust-anchor-state"
    /// The version this code writes and reads.
    public static let version = 1

    /// One zone's state as the file holds it: everything of ``ManagedTrustAnchor`` except the configured
    /// initial anchor, which comes from the configuration at each start.
    public struct ZoneState: Hashable, Sendable {
        /// The managed zone.
        public var zone: DomainName
        /// The tracked keys (RFC 5011 §4).
        public var keys: [ManagedKey]
        /// The last successful refresh.
        public var lastSuccess: Int64?
        /// When the next refresh is due (RFC 5011 §2.3).
        public var nextRefresh: Int64?
        /// The Original TTL of the last validating RRSIG (RFC 5011 §2.3).
        public var originalTTL: UInt32?
        /// That RRSIG's expiration (RFC 5011 §2.3).
        public var signatureExpiration: Int64?
        /// Failed refreshes since the last success.
        public var failures: Int

        /// Creates a zone state.
        public init(
            zone: DomainName, keys: [ManagedKey] = [], lastSuccess: Int64? = nil, nextRefresh: Int64? = nil,
            originalTTL: UInt32? = nil, signatureExpiration: Int64? = nil, failures: Int = 0
        ) {
            self.zone = zone
            self.keys = keys
            self.lastSuccess = lastSuccess
            self.nextRefresh = nextRefresh
            self.originalTTL = originalTTL
            self.signatureExpiration = signatureExpiration
            self.failures = failures
        }

        /// The persisted part of a managed anchor.
        public init(_ anchor: ManagedTrustAnchor) {
            self.init(
                zone: anchor.zone, keys: anchor.keys, lastSuccess: anchor.lastSuccess, nextRefresh: anchor.nextRefresh,
                originalTTL: anchor.originalTTL, signatureExpiration: anchor.signatureExpiration,
                failures: anchor.failures)
        }
    }

    /// The text of `zones`, ending with a newline.
    public static func serialise(_ zones: [ZoneState]) -> String {
        var lines = [
            "; Mamori RFC 5011 trust-anchor state; written by mamorid, read at start-up.",
            "; zone <owner> <last-success> <next-refresh> <original-ttl> <signature-expiration> <failures>",
            "; key <owner> <key-tag> <algorithm> <state> <first-seen> <last-change> <hold-down-end> <DNSKEY RDATA>",
            "\(magic) \(version)",
        ]
        for zone in zones {
            lines.append(
                [
                    "zone", zone.zone.description, field(zone.lastSuccess), field(zone.nextRefresh),
                    field(zone.originalTTL.map(Int64.init)), field(zone.signatureExpiration), String(zone.failures),
                ].joined(separator: " "))
            for key in zone.keys {
                lines.append(
                    [
                        "key", zone.zone.description, String(key.keyTag), String(key.dnskey.algorithm.rawValue),
                        key.state.rawValue, String(key.firstSeen), String(key.lastChange), field(key.holdDownEnd),
                        RData.dnskey(key.dnskey).presentation,
                    ].joined(separator: " "))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Reads state text.
    ///
    /// - Parameters:
    ///   - text: the file's content.
    ///   - source: names the text in errors (the file path).
    /// - Returns: the zones in file order.
    /// - Throws: ``TrustAnchorParseError`` naming the line: a missing or unknown version line, an unknown line
    ///   kind, a bad field, a `key` line before its `zone` line, a key tag or algorithm that disagrees with the
    ///   RDATA, or a `Start` state (never stored, RFC 5011 §4).
    public static func parse(_ text: String, source: String) throws(TrustAnchorParseError) -> [ZoneState] {
        var zones: [ZoneState] = []
        var sawVersion = false
        var number = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let line = rawLine.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty || line.hasPrefix(";") || line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) {
                continue
            }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            /// An error at this line.
            func fail(_ message: String) -> TrustAnchorParseError {
                TrustAnchorParseError(.badStateText, message, source: source, line: number)
            }
            if !sawVersion {
                guard fields.count == 2, fields[0] == magic else {
                    throw TrustAnchorParseError(
                        .unsupportedStateFormat, "expected '\(magic) \(version)' before any state", source: source,
                        line: number)
                }
                guard fields[1] == String(version) else {
                    throw TrustAnchorParseError(
                        .unsupportedStateFormat,
                        "state format version \(fields[1]) is not supported (this daemon reads \(version))",
                        source: source, line: number)
                }
                sawVersion = true
                continue
            }
            switch fields[0] {
            case "zone":
                guard fields.count == 7 else { throw fail("a zone line has 7 fields, this one \(fields.count)") }
                let zone = try name(fields[1], fail)
                guard !zones.contains(where: { $0.zone == zone }) else { throw fail("zone \(zone) appears twice") }
                let ttl = try optionalTime(fields[4], "original TTL", fail)
                guard ttl.map({ (0...Int64(UInt32.max)).contains($0) }) ?? true else {
                    throw fail("original TTL \(fields[4]) out of range")
                }
                guard let failures = Int(fields[6]), failures >= 0 else {
                    throw fail("bad failure count '\(fields[6])'")
                }
                zones.append(
                    ZoneState(
                        zone: zone, lastSuccess: try optionalTime(fields[2], "last success", fail),
                        nextRefresh: try optionalTime(fields[3], "next refresh", fail),
                        originalTTL: ttl.map(UInt32.init),
                        signatureExpiration: try optionalTime(fields[5], "signature expiration", fail),
                        failures: failures))
            case "key":
                guard fields.count >= 12 else {
                    throw fail("a key line has at least 12 fields, this one \(fields.count)")
                }
                let zone = try name(fields[1], fail)
                guard let index = zones.lastIndex(where: { $0.zone == zone }) else {
                    throw fail("key for \(zone) before its zone line")
                }
                guard let state = ManagedKeyState(rawValue: fields[4]), state != .start else {
                    throw fail("unknown key state '\(fields[4])'")
                }
                let rdata: RData
                do {
                    rdata = try RData(presentation: fields[8...].joined(separator: " "), type: .dnskey)
                } catch {
                    throw fail("bad DNSKEY RDATA: \(error.reason)")
                }
                guard case .dnskey(let dnskey) = rdata else { throw fail("bad DNSKEY RDATA") }
                guard fields[2] == String(dnskey.keyTag) else {
                    throw fail("key tag \(fields[2]) does not match the RDATA's \(dnskey.keyTag)")
                }
                guard fields[3] == String(dnskey.algorithm.rawValue) else {
                    throw fail("algorithm \(fields[3]) does not match the RDATA's \(dnskey.algorithm.rawValue)")
                }
                guard let firstSeen = try optionalTime(fields[5], "first seen", fail),
                    let lastChange = try optionalTime(fields[6], "last change", fail)
                else { throw fail("first-seen and last-change times are required") }
                zones[index].keys.append(
                    ManagedKey(
                        dnskey: dnskey, state: state, firstSeen: firstSeen, lastChange: lastChange,
                        holdDownEnd: try optionalTime(fields[7], "hold-down end", fail)))
            default:
                throw fail("unknown line kind '\(fields[0])' (expected zone or key)")
            }
        }
        guard sawVersion else {
            throw TrustAnchorParseError(
                .unsupportedStateFormat, "empty state: no '\(magic)' line", source: source, line: nil)
        }
        return zones
    }

    /// A time field: the number, or `-` for unknown.
    private static func field(_ value: Int64?) -> String { value.map(String.init) ?? "-" }

    /// Parses an optional time field.
    private static func optionalTime(
        _ text: String, _ what: String, _ fail: (String) -> TrustAnchorParseError
    ) throws(TrustAnchorParseError) -> Int64? {
        if text == "-" { return nil }
        guard let value = Int64(text), value >= 0 else { throw fail("bad \(what) '\(text)'") }
        return value
    }

    /// Parses an owner name.
    private static func name(
        _ text: String, _ fail: (String) -> TrustAnchorParseError
    ) throws(TrustAnchorParseError) -> DomainName {
        do {
            return try DomainName(text)
        } catch {
            throw fail("bad owner name '\(text)': \(error.reason)")
        }
    }
}
