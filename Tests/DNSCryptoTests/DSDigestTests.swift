// Primary responsibilities: DS digests against the published examples (RFC 4034 §5.4, RFC 4509 §2.3,
// RFC 6605 §6).

import DNSCrypto
import Testing

/// DS digests over owner name ‖ DNSKEY RDATA (RFC 4034 §5.1.4).
@Suite("DS digests")
struct DSDigestTests {
    /// The digest input of RFC 4034 §5.4 and RFC 4509 §2.3: `dskey.example.com.` and its DNSKEY
    /// (256 3 5, key tag 60485).
    static let dskeyInput = hex(
        """
        0564736b6579076578616d706c6503636f6d00  ; owner dskey.example.com.
        0100 03 05                              ; flags 256, protocol 3, algorithm 5 (RSASHA1)
        01 03                                   ; exponent length 1, exponent 3
        9e8a247418e318903b215a848acfd5f37f026bd4062db26c774c690968d5d56df8bfda91e6f36d9a279888f41333357c
        5e6029990d10fdf5663062a512763326980a615ddbf17a05ddfcce7e5fb3abcca05a31b0957452d4521e83870789063115
        bf97f6c308ccf57cdc9ce7fe10f6ed1bd0cc0660038c50dcdb0feb963c2f17  ; modulus (AQOeiiR0…ljwvFw== after 0103)
        """
    )

    /// RFC 4034 §5.4: `DS 60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118`.
    @Test func sha1Example() throws {
        let digest = try DSDigest.digest(digestType: 1, of: Self.dskeyInput)
        #expect(digest == hex("2BB183AF5F22588179A53B0A98631FAD1A292118"))
    }

    /// RFC 4509 §2.3: `DS 60485 5 2 D4B7D520…69DA50A`, the SHA-256 digest of the same key.
    @Test func sha256Example() throws {
        let digest = try DSDigest.digest(digestType: 2, of: Self.dskeyInput)
        #expect(digest == hex("D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E4469DA50A"))
    }

    /// RFC 6605 §6.1: `example.net. DS 55648 13 2 b4c8c1fe…7df61d17` for the P-256 example key.
    @Test func rfc6605SHA256Example() throws {
        let input =
            hex(
                """
                076578616d706c65036e657400  ; owner example.net.
                0101 03 0d                  ; flags 257, protocol 3, algorithm 13
                """
            ) + ECDSAVectorTests.p256Key
        let digest = try DSDigest.digest(digestType: 2, of: input)
        #expect(digest == hex("b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17"))
    }

    /// RFC 6605 §6.2: `example.net. DS 10771 14 4 72d7b629…46df983d6`, the SHA-384 (digest type 4) example.
    @Test func rfc6605SHA384Example() throws {
        let input =
            hex(
                """
                076578616d706c65036e657400  ; owner example.net.
                0101 03 0e                  ; flags 257, protocol 3, algorithm 14
                """
            ) + ECDSAVectorTests.p384Key
        let digest = try DSDigest.digest(digestType: 4, of: input)
        #expect(
            digest
                == hex(
                    "72d7b62976ce06438e9c0bf319013cf801f09ecc84b8d7e9495f27e305c6a9b0563a9b5f4d288405c3008a946df983d6")
        )
    }

    /// Digest lengths follow the types, and the lengths table agrees with the computed digests.
    @Test(arguments: [(UInt8(1), 20), (2, 32), (4, 48)])
    func lengths(digestType: UInt8, length: Int) throws {
        #expect(DSDigest.digestLength(digestType: digestType) == length)
        #expect(try DSDigest.digest(digestType: digestType, of: []).count == length)
    }

    /// GOST (3), reserved (0) and unassigned types are unsupported.
    @Test(arguments: [UInt8(0), 3, 5, 255])
    func unsupportedTypes(digestType: UInt8) {
        #expect(DSDigest.digestLength(digestType: digestType) == nil)
        expectError(.unsupportedDigestType) {
            _ = try DSDigest.digest(digestType: digestType, of: [1, 2, 3])
        }
    }
}
