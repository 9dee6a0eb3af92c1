// Primary responsibilities: turning zone-file text of DS and DNSKEY lines (inline configuration lines or the
// content of anchor files) into trust anchors grouped by owner, refusing any other record type with the source
// and line, and the built-in root anchors.

internal import DNSCrypto
import DNSWire

extension TrustAnchorStore {
    /// The root zone's anchors built into the daemon: the DS records of KSK-2017 (key tag 20326) and KSK-2024
    /// (key tag 38696), algorithm 8, digest type 2, as IANA publishes them in root-anchors.xml (RFC 7958 §2).
    ///
    /// Used when the configuration names no anchor (RFC 4035 §4.4: a validator needs at least one anchor);
    /// the same records are in etc/root.keys, and a test holds the two equal.
    public static let builtInRoot: [TrustAnchor] = [
        TrustAnchor(
            owner: .root,
            ds: [
                DS(
                    keyTag: 20326, algorithm: DNSSECAlgorithm(rawValue: 8), digestType: DigestType(rawValue: 2),
                    digest: hexBytes("E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D")),
                DS(
                    keyTag: 38696, algorithm: DNSSECAlgorithm(rawValue: 8), digestType: DigestType(rawValue: 2),
                    digest: hexBytes("683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16")),
            ])
    ]

    /// Parses zone-file text of DS and DNSKEY records into anchors, one per owner, in first-seen order.
    ///
    /// Comments, blank lines, `$ORIGIN` and `$TTL` are understood (RFC 1035 §5.1); the TTL and class may be
    /// omitted, as in etc/root.keys. DS and DNSKEY records at one owner combine into one anchor (RFC 4035 §5
    /// allows either form). Any other type is refused: an anchor file holding, say, an A record is a mistake
    /// the operator must hear about, not data to ignore.
    ///
    /// - Parameters:
    ///   - text: the lines.
    ///   - source: names the text in errors (a path, or e.g. `dnssec.trust-anchors[0]`).
    /// - Returns: the anchors, possibly empty for text with only comments.
    /// - Throws: ``TrustAnchorParseError`` naming `source` and the line.
    public static func parse(_ text: String, source: String) throws(TrustAnchorParseError) -> [TrustAnchor] {
        let records: [Record]
        do {
            records = try ZoneFileParser(text: text, origin: .root, defaultTTL: 0).records()
        } catch {
            throw TrustAnchorParseError(
                .badAnchorText, strippingPosition(error.reason), source: source, line: error.offset)
        }
        let lines = recordLines(text)
        var order: [DomainName] = []
        var byOwner: [DomainName: TrustAnchor] = [:]
        for (index, record) in records.enumerated() {
            let line = index < lines.count ? lines[index] : nil
            guard record.rrClass == .in else {
                throw TrustAnchorParseError(
                    .notAnAnchor, "class \(record.rrClass) is not IN: anchors are IN DS or DNSKEY", source: source,
                    line: line)
            }
            let anchor: TrustAnchor
            switch record.rdata {
            case .ds(let ds):
                // RFC 6840 §5.2: a digest type this validator implements never makes a zone insecure, so a digest
                // of the wrong length for it is a configuration error, not an anchor to set aside.
                if let length = DSDigest.digestLength(digestType: ds.digestType.rawValue), ds.digest.count != length {
                    throw TrustAnchorParseError(
                        .badAnchorDigest,
                        "DS \(ds.keyTag) for \(record.name) has a \(ds.digest.count)-octet digest; digest type "
                            + "\(ds.digestType.rawValue) digests are \(length) octets",
                        source: source, line: line)
                }
                anchor = TrustAnchor(owner: record.name, ds: [ds])
            case .dnskey(let key): anchor = TrustAnchor(owner: record.name, dnskeys: [key])
            default:
                throw TrustAnchorParseError(
                    .notAnAnchor, "\(record.type) record for \(record.name): a trust anchor is a DS or DNSKEY record",
                    source: source, line: line)
            }
            if let existing = byOwner[record.name] {
                byOwner[record.name] = existing.merging(anchor)
            } else {
                order.append(record.name)
                byOwner[record.name] = anchor
            }
        }
        return order.compactMap { byOwner[$0] }
    }

    /// Parses the configuration's inline anchor lines (`dnssec.trust-anchors`), each named in errors as
    /// `dnssec.trust-anchors[index]` so the operator finds the entry (see ``parse(_:source:)``).
    public static func parse(inline lines: [String]) throws(TrustAnchorParseError) -> [TrustAnchor] {
        var anchors: [TrustAnchor] = []
        for (index, line) in lines.enumerated() {
            anchors += try parse(line, source: "dnssec.trust-anchors[\(index)]")
        }
        return anchors
    }

    /// The starting line of each record entry of `text`, in order (directives skipped), as ZoneFileParser
    /// produces one record per such entry; the text already parsed, so scanning cannot fail here.
    private static func recordLines(_ text: String) -> [Int] {
        var scanner = ZoneFileScanner(text: text)
        var lines: [Int] = []
        while let entry = try? scanner.nextEntry() {
            if !entry.ownerOmitted, entry.tokens[0].text.first == UInt8(ascii: "$") { continue }
            lines.append(entry.line)
        }
        return lines
    }

    /// The reason of a DNSWire text error without its "line L, column C: " prefix, which the error's own line
    /// replaces; the column is kept in the message.
    private static func strippingPosition(_ reason: String) -> String {
        guard reason.hasPrefix("line "), let colon = reason.firstIndex(of: ":") else { return reason }
        let position = reason[reason.index(reason.startIndex, offsetBy: 5)..<colon]
        let rest = reason[reason.index(after: colon)...].drop { $0 == " " }
        if let comma = position.firstIndex(of: ",") {
            return String(rest) + " (" + position[position.index(after: comma)...].trimmingPrefixSpaces() + ")"
        }
        return String(rest)
    }

    /// Bytes from hexadecimal text known to be valid (the built-in digests).
    private static func hexBytes(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var high: UInt8? = nil
        for character in text.utf8 {
            let nibble: UInt8
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = character - UInt8(ascii: "0")
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = character - UInt8(ascii: "A") + 10
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = character - UInt8(ascii: "a") + 10
            default: continue
            }
            if let first = high {
                bytes.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return bytes
    }
}

extension Substring {
    /// The substring without leading spaces.
    fileprivate func trimmingPrefixSpaces() -> String { String(drop { $0 == " " }) }
}
