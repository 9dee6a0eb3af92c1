// Primary responsibilities: turning zone-file text into records (RFC 1035 §5.1): `$ORIGIN` and
// `$TTL` (RFC 2308 §4), relative names and `@`, an omitted owner, TTL or class taken from what came
// before, `TYPEnnn`/`CLASSnnn` and the generic `\#` RDATA (RFC 3597 §5). No `$INCLUDE`: the files
// this reads (trust anchors, root hints, test fixtures) are single files.

/// A parser of zone-file text into ``Record`` values.
///
/// ```swift
/// let records = try ZoneFileParser(text: hints, origin: .root, defaultTTL: 3600000).records()
/// ```
/// Errors are ``DNSWireError`` with code `badText` and a reason starting "line L, column C:".
public struct ZoneFileParser {
    /// The text.
    private let text: String
    /// The origin in effect before any `$ORIGIN`.
    private let origin: DomainName
    /// The TTL in effect before any `$TTL`; nil means a record without a TTL is an error unless an
    /// earlier record gave one.
    private let defaultTTL: UInt32?

    /// Most records read from one text: a bound on what a runaway file can make us hold.
    public static let maxRecords = 1_000_000

    /// Creates a parser.
    /// - Parameters:
    ///   - text: the zone-file text.
    ///   - origin: completes relative names until a `$ORIGIN` line changes it.
    ///   - defaultTTL: the TTL of records that give none, until a `$TTL` line changes it.
    public init(text: some StringProtocol, origin: DomainName = .root, defaultTTL: UInt32? = nil) {
        self.text = String(text)
        self.origin = origin
        self.defaultTTL = defaultTTL
    }

    /// Parses every record.
    /// - Returns: the records in the order written.
    /// - Throws: ``DNSWireError`` `badText` naming the line and column of the first problem.
    public func records() throws(DNSWireError) -> [Record] {
        var scanner = ZoneFileScanner(text: text)
        var records: [Record] = []
        var origin = self.origin
        var directiveTTL = defaultTTL
        var previousOwner: DomainName? = nil
        var previousTTL: UInt32? = nil
        var previousClass = RRClass.in
        while let entry = try scanner.nextEntry() {
            var tokens = entry.tokens[...]
            let first = tokens[tokens.startIndex]
            if !entry.ownerOmitted, first.text.first == 0x24 {  // $
                tokens.removeFirst()
                switch first.description.uppercased() {
                case "$ORIGIN":
                    guard let nameToken = tokens.popFirst() else { throw first.error("$ORIGIN needs a name") }
                    origin = try PresentationFields.name(nameToken, origin: origin, what: "origin")
                case "$TTL":
                    guard let ttlToken = tokens.popFirst() else { throw first.error("$TTL needs a value") }
                    guard let ttl = PresentationFields.duration(ttlToken.text) else {
                        throw ttlToken.error("bad TTL '\(ttlToken)'")
                    }
                    directiveTTL = ttl
                case "$INCLUDE":
                    throw first.error("$INCLUDE is not supported")
                default:
                    throw first.error("unknown directive '\(first)'")
                }
                if let extra = tokens.first { throw extra.error("unexpected '\(extra)'") }
                continue
            }

            let owner: DomainName
            if entry.ownerOmitted {
                guard let previousOwner else { throw first.error("no owner name and no previous record") }
                owner = previousOwner
            } else {
                tokens.removeFirst()
                owner = try PresentationFields.name(first, origin: origin, what: "owner name")
            }

            // [TTL] [class] type, or [class] [TTL] type (RFC 1035 §5.1).
            var ttl: UInt32? = nil
            var rrClass: RRClass? = nil
            while let token = tokens.first, ttl == nil || rrClass == nil {
                if ttl == nil, let byte = token.text.first, (0x30...0x39).contains(byte) {
                    guard let value = PresentationFields.duration(token.text) else {
                        throw token.error("bad TTL '\(token)'")
                    }
                    ttl = value
                } else if rrClass == nil, !token.isQuoted, let value = RRClass(mnemonic: token.description),
                    tokens.count > 1
                {
                    rrClass = value
                } else {
                    break
                }
                tokens.removeFirst()
            }
            guard let typeToken = tokens.popFirst() else { throw first.error("missing type") }
            let type = try PresentationFields.type(typeToken)
            guard type != .opt, !type.isMetaType || type.rawValue < 128 else {
                throw typeToken.error("\(type) is not a type of data")
            }
            let rdata = try RData(tokens: tokens, type: type, origin: origin, anchor: typeToken)

            guard let recordTTL = ttl ?? directiveTTL ?? previousTTL else {
                throw first.error("no TTL, no $TTL and no earlier TTL")
            }
            let recordClass = rrClass ?? previousClass
            guard records.count < Self.maxRecords else { throw first.error("more than \(Self.maxRecords) records") }
            records.append(Record(name: owner, rrClass: recordClass, ttl: recordTTL, rdata: rdata))
            previousOwner = owner
            if let ttl { previousTTL = ttl }
            previousClass = recordClass
        }
        return records
    }
}
