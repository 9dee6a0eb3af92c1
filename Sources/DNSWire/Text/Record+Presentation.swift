// Primary responsibilities: records and RRsets as zone-file lines (`owner TTL CLASS TYPE RDATA`,
// RFC 1035 §5.1), and a record parsed back from one such line.

extension Record: CustomStringConvertible {
    /// The record as one zone-file line with an absolute owner, e.g. `www.example. 300 IN A 192.0.2.1`.
    public var description: String { "\(name) \(ttl) \(rrClass) \(type) \(rdata.presentation)" }

    /// Parses one record from a zone-file line (it may continue over lines inside parentheses).
    /// - Parameters:
    ///   - presentation: the text; it must hold exactly one record, with its owner.
    ///   - origin: completes relative names.
    ///   - defaultTTL: the TTL when the line gives none (trust-anchor lines often omit it).
    /// - Throws: ``DNSWireError`` `badText` naming the line and column.
    public init(
        presentation: some StringProtocol, origin: DomainName = .root, defaultTTL: UInt32 = 0
    )
        throws(DNSWireError)
    {
        let records = try ZoneFileParser(text: presentation, origin: origin, defaultTTL: defaultTTL).records()
        guard records.count == 1 else {
            throw ZoneFileScanner.error("expected one record, found \(records.count)", line: 1, column: 1)
        }
        self = records[0]
    }
}

extension RRSet: CustomStringConvertible {
    /// The members, then the RRSIGs, one zone-file line each.
    public var description: String {
        (records + signatureRecords).map(\.description).joined(separator: "\n")
    }
}
