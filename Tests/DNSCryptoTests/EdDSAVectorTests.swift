// Primary responsibilities: RFC 8080 §6 Ed25519 and Ed448 examples verified at the crypto level.

import DNSCrypto
import Testing

/// The published ED25519 and ED448 examples (RFC 8080 §6.1, §6.2), two of each.
///
/// All four verify as published (values cross-checked against dnspython's test suite).
///
/// All four sign `example.com. 3600 IN MX 10 mail.example.com.` with inception 1438207200 and expiration
/// 1440021600; they differ in algorithm, key and key tag.
@Suite("RFC 8080 EdDSA vectors")
struct EdDSAVectorTests {
    /// One published example: algorithm, key, signature and the key tag that goes into the signed data.
    struct Example: Sendable, CustomTestStringConvertible {
        /// Where the example is published.
        let section: String
        /// 15 or 16.
        let algorithm: UInt8
        /// DNSKEY key tag, as four hex digits.
        let keyTagHex: String
        /// DNSKEY public key, Base64.
        let key: String
        /// RRSIG signature, Base64.
        let signature: String

        /// The signed data: RRSIG RDATA without Signature ‖ the canonical MX RR (RFC 4034 §3.1.8.1).
        var signedData: [UInt8] {
            hex(
                """
                000f                                  ; type covered MX
                \(algorithm == 15 ? "0f" : "10") 02                                 ; algorithm, labels 2
                00000e10                              ; original TTL 3600
                55d4fc60                              ; expiration 1440021600
                55b94ce0                              ; inception 1438207200
                \(keyTagHex)                          ; key tag
                076578616d706c6503636f6d00            ; signer example.com.
                076578616d706c6503636f6d00            ; owner example.com.
                000f 0001 00000e10 0014               ; type MX, class IN, TTL 3600, RDLENGTH 20
                000a                                  ; preference 10
                046d61696c076578616d706c6503636f6d00  ; exchange mail.example.com.
                """
            )
        }

        /// Names the example in test output.
        var testDescription: String { section }
    }

    /// The four examples.
    static let examples: [Example] = [
        Example(
            section: "RFC 8080 §6.1 first (key tag 3613)",
            algorithm: 15,
            keyTagHex: "0e1d",
            key: "l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=",
            signature: "oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M3e23mRZ9VrbpMngwcrqNAg=="
        ),
        Example(
            section: "RFC 8080 §6.1 second (key tag 35217)",
            algorithm: 15,
            keyTagHex: "8991",
            key: "zPnZ/QwEe7S8C5SPz2OfS5RR40ATk2/rYnE9xHIEijs=",
            signature: "zXQ0bkYgQTEFyfLyi9QoiY6D8ZdYo4wyUhVioYZXFdT410QPRITQSqJSnzQoSm5poJ7gD7AQR0O7KuI5k2pcBg=="
        ),
        Example(
            section: "RFC 8080 §6.2 first (key tag 9713)",
            algorithm: 16,
            keyTagHex: "25f1",
            key: "3kgROaDjrh0H2iuixWBrc8g2EpBBLCdGzHmn+G2MpTPhpj/OiBVHHSfPodx1FYYUcJKm1MDpJtIA",
            signature: """
                3cPAHkmlnxcDHMyg7vFC34l0blBhuG1qpwLmjInI8w1CMB29FkEAIJUA0amxWndkmnBZ6SKiwZSAxGILn/NBtOXft0+Gj7FSvOKxE/07\
                +4RQvE581N3Aj/JtIyaiYVdnYtyMWbSNyGEY2213WKsJlwEA
                """
        ),
        Example(
            section: "RFC 8080 §6.2 second (key tag 38353)",
            algorithm: 16,
            keyTagHex: "95d1",
            key: "kkreGWoccSDmUBGAe7+zsbG6ZAFQp+syPmYUurBRQc3tDjeMCJcVMRDmgcNLp5HlHAMy12VoISsA",
            signature: """
                E1/oLjSGIbmLny/4fcgM1z4oL6aqo+izT3urCyHyvEp4Sp8Syg1eI+lJ57CSnZqjJP41O/9l4m0AsQ4f7qI1gVnML8vWWiyW2KXhT9ku\
                AICUSxv5OWbf81Rq7Yu60npabODB0QFPb/rkW3kUZmQ0YQUA
                """
        ),
    ]

    /// Each published signature verifies under its published key.
    @Test(arguments: examples)
    func publishedExampleVerifies(example: Example) throws {
        let key = try PublicKey(algorithm: example.algorithm, publicKey: base64(example.key))
        #expect(key.keySize == (example.algorithm == 15 ? 256 : 456))
        #expect(key.verify(signature: base64(example.signature), over: example.signedData))
    }

    /// A flipped bit in the signature or the data fails, and so does a wrong-length signature.
    @Test(arguments: examples)
    func tamperingFails(example: Example) throws {
        let key = try PublicKey(algorithm: example.algorithm, publicKey: base64(example.key))
        let signature = base64(example.signature)
        let data = example.signedData
        #expect(!key.verify(signature: flipping(signature, at: 0), over: data))
        #expect(!key.verify(signature: flipping(signature, at: signature.count - 1), over: data))
        #expect(!key.verify(signature: signature, over: flipping(data, at: 5)))
        #expect(!key.verify(signature: Array(signature.dropLast()), over: data))
        #expect(!key.verify(signature: signature + [0], over: data))
        #expect(!key.verify(signature: [], over: data))
        #expect(!key.verify(signature: [UInt8](repeating: 0xff, count: signature.count), over: data))
    }

    /// The first example's signature does not verify under the second example's key.
    @Test func wrongKeyFails() throws {
        let first = Self.examples[0]
        let second = try PublicKey(algorithm: 15, publicKey: base64(Self.examples[1].key))
        #expect(!second.verify(signature: base64(first.signature), over: first.signedData))
    }

    /// Keys must be exactly 32 (Ed25519) or 57 (Ed448) octets (RFC 8080 §3).
    @Test func wrongLengthKeysAreRejected() {
        for (algorithm, length) in [(15, 31), (15, 33), (15, 0), (15, 57), (16, 56), (16, 58), (16, 32)] {
            expectError(.malformedPublicKey) {
                _ = try PublicKey(algorithm: UInt8(algorithm), publicKey: [UInt8](repeating: 7, count: length))
            }
        }
    }

    /// A right-length key that is not a valid point decodes (libcrypto checks points lazily) but verifies
    /// nothing, and never traps.
    @Test func garbageKeyVerifiesNothing() throws {
        let example = Self.examples[0]
        if let key = try? PublicKey(algorithm: 15, publicKey: [UInt8](repeating: 0xff, count: 32)) {
            #expect(!key.verify(signature: base64(example.signature), over: example.signedData))
        }
    }
}
