// Primary responsibilities: the name under which an address's PTR record lives.

import DNSWire

extension IPAddress {
    /// The reverse-mapping name of this address: `d.c.b.a.in-addr.arpa.` for IPv4 (RFC 1035 §3.5),
    /// the 32 nibbles in reverse order under `ip6.arpa.` for IPv6 (RFC 3596 §2.5).
    public var reverseName: DomainName {
        var labels: [[UInt8]] = []
        switch self {
        case .v4:
            labels = bytes.reversed().map { Array(String($0).utf8) }
            labels += [Array("in-addr".utf8), Array("arpa".utf8)]
        case .v6:
            let digits = Array("0123456789abcdef".utf8)
            for byte in bytes.reversed() {
                labels.append([digits[Int(byte & 0x0F)]])
                labels.append([digits[Int(byte >> 4)]])
            }
            labels += [Array("ip6".utf8), Array("arpa".utf8)]
        }
        // At most 34 labels of at most 7 octets: always a valid name.
        return try! DomainName(labels: labels)
    }
}
