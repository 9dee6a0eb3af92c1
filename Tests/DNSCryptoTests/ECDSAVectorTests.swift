// Primary responsibilities: RFC 6605 §6 ECDSA examples verified at the crypto level, and r ‖ s edge cases.

import DNSCrypto
import Testing

/// The published ECDSAP256SHA256 and ECDSAP384SHA384 examples (RFC 6605 §6.1, §6.2).
///
/// Both signatures verify as published (r ‖ s re-encoded to DER inside DNSCrypto), and the DS digests printed
/// next to them (55648 13 2 …, 10771 14 4 …) match too (see DSDigestTests). The examples' validity windows ended
/// in 2010, which matters only to the DNSSEC layer's time checks, not here. Values were cross-checked against
/// independent copies; the RFC errata pages could not be read from this environment.
@Suite("RFC 6605 ECDSA vectors")
struct ECDSAVectorTests {
    /// RFC 6605 §6.1 DNSKEY (257 3 13, key tag 55648): x ‖ y of a P-256 point.
    static let p256Key = base64(
        "GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA=="
    )

    /// RFC 6605 §6.1 RRSIG signature (r ‖ s) over `www.example.net. 3600 IN A 192.0.2.1`.
    static let p256Signature = base64(
        "qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw=="
    )

    /// Signed data for RFC 6605 §6.1 (RFC 4034 §3.1.8.1: RRSIG RDATA without Signature ‖ canonical RR).
    static let p256SignedData = hex(
        """
        0001                                  ; type covered A
        0d 03                                 ; algorithm 13 (ECDSAP256SHA256), labels 3
        00000e10                              ; original TTL 3600
        4c88b137                              ; expiration 20100909100439 (1284026679)
        4c63c737                              ; inception 20100812100439 (1281607479)
        d960                                  ; key tag 55648
        076578616d706c65036e657400            ; signer example.net.
        03777777076578616d706c65036e657400    ; owner www.example.net.
        0001 0001 00000e10 0004               ; type A, class IN, TTL 3600, RDLENGTH 4
        c0000201                              ; 192.0.2.1
        """
    )

    /// RFC 6605 §6.2 DNSKEY (257 3 14, key tag 10771): x ‖ y of a P-384 point.
    static let p384Key = base64(
        """
        xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1w/egsXvSADtNJhyem5RCOpgQ6K8X1DRSEkrbYQ+OB+v8
        /uX45NBwY8rp65F6Glur8I/mlVNgF6W/qTI37m40
        """
    )

    /// RFC 6605 §6.2 RRSIG signature (r ‖ s) over the same A record.
    static let p384Signature = base64(
        """
        /L5hDKIvGDyI1fcARX3z65qrmPsVz73QD1Mr5CEqOiLP95hxQouuroGCeZOvzFaxsT8Glr74hbavRKayJNuydCuz
        WTSSPdz7wnqXL5bdcJzusdnI0RSMROxxwGipWcJm
        """
    )

    /// Signed data for RFC 6605 §6.2.
    static let p384SignedData = hex(
        """
        0001                                  ; type covered A
        0e 03                                 ; algorithm 14 (ECDSAP384SHA384), labels 3
        00000e10                              ; original TTL 3600
        4c88b4e9                              ; expiration 20100909102025 (1284027625)
        4c63cae9                              ; inception 20100812102025 (1281608425)
        2a13                                  ; key tag 10771
        076578616d706c65036e657400            ; signer example.net.
        03777777076578616d706c65036e657400    ; owner www.example.net.
        0001 0001 00000e10 0004               ; type A, class IN, TTL 3600, RDLENGTH 4
        c0000201                              ; 192.0.2.1
        """
    )

    /// The §6.1 signature verifies under the §6.1 key.
    @Test func p256Example() throws {
        let key = try PublicKey(algorithm: 13, publicKey: Self.p256Key)
        #expect(key.keySize == 256)
        #expect(key.verify(signature: Self.p256Signature, over: Self.p256SignedData))
    }

    /// The §6.2 signature verifies under the §6.2 key.
    @Test func p384Example() throws {
        let key = try PublicKey(algorithm: 14, publicKey: Self.p384Key)
        #expect(key.keySize == 384)
        #expect(key.verify(signature: Self.p384Signature, over: Self.p384SignedData))
    }

    /// Flipped bits in r, in s or in the data, and the other curve's key, all fail.
    @Test func tamperingFails() throws {
        let key = try PublicKey(algorithm: 13, publicKey: Self.p256Key)
        let data = Self.p256SignedData
        let signature = Self.p256Signature
        for index in [0, 31, 32, 63] {
            #expect(!key.verify(signature: flipping(signature, at: index), over: data))
        }
        #expect(!key.verify(signature: signature, over: flipping(data, at: data.count - 1)))
        let p384 = try PublicKey(algorithm: 14, publicKey: Self.p384Key)
        #expect(!p384.verify(signature: signature, over: data))
        #expect(!p384.verify(signature: Self.p384Signature, over: Self.p256SignedData))
    }

    /// Signatures of the wrong length (RFC 6605 §4: exactly 64 or 96 octets) fail without reaching libcrypto.
    @Test(arguments: [0, 1, 63, 65, 70, 72, 96, 128])
    func wrongLengthP256SignaturesFail(length: Int) throws {
        let key = try PublicKey(algorithm: 13, publicKey: Self.p256Key)
        let signature = Array((Self.p256Signature + Self.p256Signature).prefix(length))
        #expect(!key.verify(signature: signature, over: Self.p256SignedData))
    }

    /// A P-384 key rejects the P-256 length and vice versa.
    @Test func crossCurveLengthsFail() throws {
        let key = try PublicKey(algorithm: 14, publicKey: Self.p384Key)
        #expect(!key.verify(signature: Array(Self.p384Signature.prefix(64)), over: Self.p384SignedData))
        #expect(!key.verify(signature: Self.p384Signature + [0], over: Self.p384SignedData))
    }

    /// r or s of zero, all-ones (above the group order), or with the top bit set are `false`, never a trap; these
    /// also exercise the DER re-encoding's padding and leading-zero paths.
    @Test func degenerateSignaturesFail() throws {
        let key = try PublicKey(algorithm: 13, publicKey: Self.p256Key)
        let data = Self.p256SignedData
        let zero = [UInt8](repeating: 0, count: 32)
        let ones = [UInt8](repeating: 0xff, count: 32)
        let r = Array(Self.p256Signature.prefix(32))
        let s = Array(Self.p256Signature.suffix(32))
        #expect(!key.verify(signature: zero + zero, over: data))
        #expect(!key.verify(signature: r + zero, over: data))
        #expect(!key.verify(signature: zero + s, over: data))
        #expect(!key.verify(signature: ones + ones, over: data))
        #expect(!key.verify(signature: [0x00, 0x00, 0x80] + r.dropFirst(3) + s, over: data))
    }

    /// Keys of the wrong length, a point moved off the curve, and all-zero or all-ones coordinates are rejected at
    /// decoding.
    @Test func malformedKeysAreRejected() {
        expectError(.malformedPublicKey) {
            _ = try PublicKey(algorithm: 13, publicKey: Array(Self.p256Key.dropLast()))
        }
        expectError(.malformedPublicKey) {
            _ = try PublicKey(algorithm: 13, publicKey: Self.p384Key)
        }
        expectError(.malformedPublicKey) {
            _ = try PublicKey(algorithm: 14, publicKey: Self.p256Key)
        }
        expectError(.malformedPublicKey) {
            _ = try PublicKey(algorithm: 13, publicKey: flipping(Self.p256Key, at: 63))
        }
        expectError(.malformedPublicKey) {
            _ = try PublicKey(algorithm: 13, publicKey: [UInt8](repeating: 0, count: 64))
        }
        expectError(.malformedPublicKey) {
            _ = try PublicKey(algorithm: 14, publicKey: [UInt8](repeating: 0xff, count: 96))
        }
    }
}
