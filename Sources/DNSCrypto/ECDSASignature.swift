// Primary responsibilities: re-encode a DNSSEC ECDSA signature (r ‖ s) as the DER that libcrypto verifies.

/// Conversion of the fixed-width ECDSA signature DNSSEC uses into an ASN.1 DER `ECDSA-Sig-Value`.
///
/// RFC 6605 §4 puts r and s side by side, each exactly as long as a coordinate (32 octets for P-256, 48 for
/// P-384). libcrypto's ECDSA verifier takes `SEQUENCE { INTEGER r, INTEGER s }` (SEC 1 §C.5). The encoding is
/// written into a stack buffer, so a verification allocates nothing for it.
enum ECDSASignature {
    /// Calls `body` with the DER encoding of `rs`, which must be `2 * coordinateLength` octets.
    ///
    /// Each integer is minimal: leading zero octets are dropped (keeping one for zero) and a 0x00 is prefixed
    /// when the top bit is set, so the value stays positive. With at most 49 octets per integer the whole
    /// sequence stays under 128 octets and every length fits the one-octet short form.
    static func withDER<Result>(
        rs: UnsafeBufferPointer<UInt8>,
        coordinateLength: Int,
        _ body: (UnsafeBufferPointer<UInt8>) -> Result
    ) -> Result {
        precondition(rs.count == 2 * coordinateLength && coordinateLength <= 48, "caller checks the length")
        let r = UnsafeBufferPointer(rebasing: rs[0..<coordinateLength])
        let s = UnsafeBufferPointer(rebasing: rs[coordinateLength...])
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 * coordinateLength + 8) { buffer in
            var count = 2
            count += writeInteger(r, into: buffer, at: count)
            count += writeInteger(s, into: buffer, at: count)
            buffer[0] = 0x30  // SEQUENCE
            buffer[1] = UInt8(count - 2)
            return body(UnsafeBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    /// Writes `value` as a DER INTEGER at `offset` and returns the octets written.
    private static func writeInteger(
        _ value: UnsafeBufferPointer<UInt8>,
        into buffer: UnsafeMutableBufferPointer<UInt8>,
        at offset: Int
    ) -> Int {
        let start = value.firstIndex(where: { $0 != 0 }) ?? value.count - 1
        let digits = UnsafeBufferPointer(rebasing: value[start...])
        let pad = digits[0] & 0x80 != 0 ? 1 : 0
        buffer[offset] = 0x02  // INTEGER
        buffer[offset + 1] = UInt8(digits.count + pad)
        if pad == 1 { buffer[offset + 2] = 0 }
        for (index, octet) in digits.enumerated() {
            buffer[offset + 2 + pad + index] = octet
        }
        return 2 + pad + digits.count
    }
}
