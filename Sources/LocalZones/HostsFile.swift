// Primary responsibilities: reading `/etc/hosts`-format text into local data — an A or AAAA record
// for every name on a line and a PTR record for each address — with errors naming file and line.

import DNSWire

/// The hosts-file format (`hosts(5)`): an address, then one or more host names, separated by blanks;
/// `#` starts a comment.
///
/// Each name gets the line's address as an A or AAAA record; the address's reverse name
/// (``DNSWire/IPAddress/reverseName``) gets a PTR to the line's first name, the canonical one — from
/// the first line that gives the address, as `gethostbyaddr` reads the file. A link-local
/// address's zone index (`fe80::1%eth0`) is dropped: it means something only on the host that
/// wrote it.
public enum HostsFile {
    /// The TTL of the records made: short, because the file is re-read when it changes and a
    /// client's cache should not keep an old address much longer (dnsmasq gives 0).
    public static let ttl: UInt32 = 60
    /// Most records made from one file: a bound on what a runaway file can make the daemon hold.
    public static let maxRecords = 1_000_000
    /// Most names on one line (glibc reads up to 35 aliases).
    public static let maxNamesPerLine = 64

    /// The records of `text`, read from `source`.
    /// - Throws: ``LocalZonesError`` naming `source` and the line of the first bad address or name.
    public static func records(text: some StringProtocol, source: String) throws(LocalZonesError) -> [LocalRecord] {
        var records: [LocalRecord] = []
        var pointed: Set<IPAddress> = []
        var number = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let content = rawLine.prefix { $0 != "#" }
            let fields = content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard let first = fields.first else { continue }
            let addressText = first.prefix { $0 != "%" }
            guard let address = IPAddress(addressText) else {
                throw LocalZonesError(
                    source: source, line: number, "expected an IPv4 or IPv6 address, got \"\(first)\"")
            }
            guard fields.count > 1 else {
                throw LocalZonesError(source: source, line: number, "no host name after \(first)")
            }
            guard fields.count - 1 <= maxNamesPerLine else {
                throw LocalZonesError(source: source, line: number, "more than \(maxNamesPerLine) names")
            }
            let rdata: RData =
                switch address {
                case .v4(let value): .a(A(address: value))
                case .v6(let high, let low): .aaaa(AAAA(high: high, low: low))
                }
            var names: [DomainName] = []
            for field in fields.dropFirst() {
                do {
                    names.append(try DomainName(field))
                } catch {
                    throw LocalZonesError(source: source, line: number, "bad host name \"\(field)\": \(error.reason)")
                }
            }
            guard records.count + names.count + 1 <= maxRecords else {
                throw LocalZonesError(source: source, line: number, "more than \(maxRecords) records")
            }
            for name in names {
                records.append(LocalRecord(Record(name: name, ttl: ttl, rdata: rdata), source: source, line: number))
            }
            if pointed.insert(address).inserted {
                let pointer = Record(name: address.reverseName, ttl: ttl, rdata: .ptr(PTR(target: names[0])))
                records.append(LocalRecord(pointer, source: source, line: number))
            }
        }
        return records
    }
}
