// Primary responsibilities: RFC 5702 §6 RSA/SHA-2 examples verified at the crypto level.

import DNSCrypto
import Testing

/// The published RSASHA256 and RSASHA512 examples (RFC 5702 §6.1, §6.2).
///
/// Both examples verify exactly as published: key, signature and RRSIG fields as printed in the RFC, signed data
/// assembled here. The Base64 was checked against two independent copies (dnspython's and miekg/dns's test
/// suites carry the same values); RFC errata pages could not be read from this environment, so any erratum
/// touching these examples was not consulted, but none is needed for them to verify.
@Suite("RFC 5702 RSA/SHA-2 vectors")
struct RSAVectorTests {
    /// RFC 5702 §6.1 DNSKEY (256 3 8, key tag 9033, 512 bits): `AwEAAcFc…ObdK=`; exponent 65537.
    static let rsaSHA256Key = base64(
        "AwEAAcFcGsaxxdgiuuGmCkVImy4h99CqT7jwY3pexPGcnUFtR2Fh36BponcwtkZ4cAgtvd4Qs8PkxUdp6p/DlUmObdk="
    )

    /// RFC 5702 §6.1 RRSIG signature over `www.example.net. 3600 IN A 192.0.2.91`.
    static let rsaSHA256Signature = base64(
        "kRCOH6u7l0QGy9qpC9l1sLncJcOKFLJ7GhiUOibu4teYp5VE9RncriShZNz85mwlMgNEacFYK/lPtPiVYP4bwg=="
    )

    /// Signed data for RFC 5702 §6.1 (RFC 4034 §3.1.8.1: RRSIG RDATA without Signature ‖ canonical RR).
    static let rsaSHA256SignedData = hex(
        """
        0001                                  ; type covered A
        08 03                                 ; algorithm 8 (RSASHA256), labels 3
        00000e10                              ; original TTL 3600
        70dbd880                              ; expiration 20300101000000 (1893456000)
        386d4380                              ; inception 20000101000000 (946684800)
        2349                                  ; key tag 9033
        076578616d706c65036e657400            ; signer example.net.
        03777777076578616d706c65036e657400    ; owner www.example.net.
        0001 0001 00000e10 0004               ; type A, class IN, TTL 3600, RDLENGTH 4
        c000025b                              ; 192.0.2.91
        """
    )

    /// RFC 5702 §6.2 DNSKEY (256 3 10, key tag 3740, 1024 bits).
    static let rsaSHA512Key = base64(
        """
        AwEAAdHoNTOW+et86KuJOWRDp1pndvwb6Y83nSVXXyLA3DLroROUkN6X0O6pnWnjJQujX/AyhqFD
        xj13tOnD9u/1kTg7cV6rklMrZDtJCQ5PCl/D7QNPsgVsMu1J2Q8gpMpztNFLpPBz1bWXjDtaR7ZQ
        BlZ3PFY12ZTSncorffcGmhOL
        """
    )

    /// RFC 5702 §6.2 RRSIG signature over the same A record.
    static let rsaSHA512Signature = base64(
        """
        tsb4wnjRUDnB1BUi+t6TMTXThjVnG+eCkWqjvvjhzQL1d0YRoOe0CbxrVDYd0xDtsuJRaeUw1ep94PzE
        Wzr0iGYgZBWm/zpq+9fOuagYJRfDqfReKBzMweOLDiNa8iP5g9vMhpuv6OPlvpXwm9Sa9ZXIbNl1MBGk
        0fthPgxdDLw=
        """
    )

    /// Signed data for RFC 5702 §6.2: as §6.1 but algorithm 10 and key tag 3740 (0x0e9c).
    static let rsaSHA512SignedData = hex(
        """
        0001                                  ; type covered A
        0a 03                                 ; algorithm 10 (RSASHA512), labels 3
        00000e10                              ; original TTL 3600
        70dbd880                              ; expiration 20300101000000
        386d4380                              ; inception 20000101000000
        0e9c                                  ; key tag 3740
        076578616d706c65036e657400            ; signer example.net.
        03777777076578616d706c65036e657400    ; owner www.example.net.
        0001 0001 00000e10 0004               ; type A, class IN, TTL 3600, RDLENGTH 4
        c000025b                              ; 192.0.2.91
        """
    )

    /// The §6.1 signature verifies under the §6.1 key.
    @Test func rsaSHA256Example() throws {
        let key = try PublicKey(algorithm: 8, publicKey: Self.rsaSHA256Key)
        #expect(key.keySize == 512)
        #expect(key.verify(signature: Self.rsaSHA256Signature, over: Self.rsaSHA256SignedData))
    }

    /// The §6.2 signature verifies under the §6.2 key.
    @Test func rsaSHA512Example() throws {
        let key = try PublicKey(algorithm: 10, publicKey: Self.rsaSHA512Key)
        #expect(key.keySize == 1024)
        #expect(key.verify(signature: Self.rsaSHA512Signature, over: Self.rsaSHA512SignedData))
    }

    /// Any flipped bit in the signature or the data, or the other example's key, makes verification fail.
    @Test func tamperingFails() throws {
        let key = try PublicKey(algorithm: 8, publicKey: Self.rsaSHA256Key)
        let data = Self.rsaSHA256SignedData
        let signature = Self.rsaSHA256Signature
        for index in [0, signature.count / 2, signature.count - 1] {
            #expect(!key.verify(signature: flipping(signature, at: index), over: data))
        }
        for index in [0, 6, data.count - 1] {
            #expect(!key.verify(signature: signature, over: flipping(data, at: index)))
        }
        let otherKey = try PublicKey(algorithm: 10, publicKey: Self.rsaSHA512Key)
        #expect(!otherKey.verify(signature: signature, over: data))
    }

    /// Verification contexts are pooled per key: failures in between must not spoil later successes.
    @Test func pooledContextsSurviveFailures() throws {
        let key = try PublicKey(algorithm: 8, publicKey: Self.rsaSHA256Key)
        let data = Self.rsaSHA256SignedData
        let signature = Self.rsaSHA256Signature
        for round in 0..<20 {
            #expect(key.verify(signature: signature, over: data), "round \(round)")
            #expect(!key.verify(signature: flipping(signature, at: round), over: data))
            #expect(!key.verify(signature: [1, 2, 3], over: data))
            #expect(!key.verify(signature: signature, over: flipping(data, at: round)))
        }
    }

    /// A signature whose leading zero octet was dropped is the same integer and still verifies; one longer than
    /// the modulus does not.
    ///
    /// The key (RSA-1024, e = 65537) and signature were generated for this test: the message was chosen so that
    /// its RSASHA256 signature begins with 0x00.
    @Test func signaturesMissingLeadingZerosArePadded() throws {
        let key = try PublicKey(
            algorithm: 8,
            publicKey: hex(
                """
                03010001
                ac845a85d98891f599dd0e254609aaac317621e13820104dd86f371ea816ef97df92c02147e73c5e7a643fab37550bc7
                daaa60b3d001bb1ea3f8caaf886f5b4dd4e534dc0563869b05c75aa78a3ce3a7708e262f36f39191b323e4727f5db62e
                d0077e5d87d97d658f0e3570d6ddc46b243e5f2b4020bd0e7d321dbc780944d9
                """
            )
        )
        let signature = hex(
            """
            00b6682cbbe937eb593e661eecc2f3d1ddd09a71e2ef8e51a10fc449d86cd70f64b0ffbfccce246c8deaa8e7715ede1e
            2517c69df3b5244b17b7f765873c67c086ce579f7bb2c707bb2698e650c8cd6a46bc04e236fd39200d5405e203e9f5eb
            ef4343ae851fcfa118ac8ee1306851d968b1130e94fbe1e3e60f4448b4ee1597
            """
        )
        let message = Array("leading zero 27".utf8)
        #expect(key.verify(signature: signature, over: message))
        #expect(key.verify(signature: Array(signature.dropFirst()), over: message))
        #expect(!key.verify(signature: [0] + signature, over: message))
        #expect(!key.verify(signature: Array(signature.dropFirst(2)), over: message))
    }

    /// The same RSA key under the wrong algorithm number hashes differently and fails.
    @Test func wrongHashFails() throws {
        let asSHA1 = try PublicKey(algorithm: 5, publicKey: Self.rsaSHA256Key)
        #expect(!asSHA1.verify(signature: Self.rsaSHA256Signature, over: Self.rsaSHA256SignedData))
    }

    /// Truncated, empty, over-long and garbage signatures are `false`, never a trap.
    @Test func malformedSignaturesFail() throws {
        let key = try PublicKey(algorithm: 8, publicKey: Self.rsaSHA256Key)
        let data = Self.rsaSHA256SignedData
        #expect(!key.verify(signature: [], over: data))
        #expect(!key.verify(signature: Array(Self.rsaSHA256Signature.dropLast()), over: data))
        #expect(!key.verify(signature: Self.rsaSHA256Signature + [0], over: data))
        #expect(!key.verify(signature: [UInt8](repeating: 0xff, count: 64), over: data))
        #expect(!key.verify(signature: [UInt8](repeating: 0, count: 64), over: data))
        #expect(!key.verify(signature: Self.rsaSHA256Signature, over: []))
    }
}
