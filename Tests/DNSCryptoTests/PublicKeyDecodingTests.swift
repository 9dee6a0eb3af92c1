// Primary responsibilities: DNSKEY public key decoding, above all what it rejects (RFC 3110 §2, RFC 5702 §2.1).

import DNSCrypto
import Testing

/// Decoding rules and robustness: every malformed key is an error, no input traps.
@Suite("Public key decoding")
struct PublicKeyDecodingTests {
    /// The RFC 5702 §6.1 key's modulus (512 bits), to build variants around.
    static let modulus = Array(RSAVectorTests.rsaSHA256Key.dropFirst(4))

    /// The RFC 3110 §2 three-octet length form (zero, then a 16-bit length) decodes to the same key.
    @Test func threeOctetExponentLengthForm() throws {
        let key = try PublicKey(algorithm: 8, publicKey: [0, 0, 3, 1, 0, 1] + Self.modulus)
        #expect(key.keySize == 512)
        #expect(key.verify(signature: RSAVectorTests.rsaSHA256Signature, over: RSAVectorTests.rsaSHA256SignedData))
    }

    /// Layout errors: empty, a cut-off length, zero-length exponent (both forms), no modulus, exponent overrun.
    @Test func malformedRSALayouts() {
        let cases: [[UInt8]] = [
            [],
            [0],
            [0, 0],
            [0, 0, 0] + Self.modulus,
            [0] + Self.modulus,
            [3, 1, 0, 1],
            [1, 3],
            [200, 1, 0, 1] + Self.modulus.prefix(100),
            [0, 1, 0] + Self.modulus,
        ]
        for key in cases {
            expectError(.malformedPublicKey) { _ = try PublicKey(algorithm: 8, publicKey: key) }
        }
    }

    /// Zero, one and even exponents, and a zero or even modulus, are rejected.
    @Test func degenerateRSANumbers() {
        let cases: [[UInt8]] = [
            [1, 0] + Self.modulus,
            [3, 0, 0, 0] + Self.modulus,
            [1, 1] + Self.modulus,
            [3, 1, 0, 0] + Self.modulus,
            [3, 1, 0, 1] + [UInt8](repeating: 0, count: 64),
            [3, 1, 0, 1] + Self.modulus.dropLast() + [0x10],
        ]
        for key in cases {
            expectError(.malformedPublicKey) { _ = try PublicKey(algorithm: 8, publicKey: key) }
        }
    }

    /// RFC 5702 §2.1 bounds: 512–4096 bits for RSASHA256, 1024–4096 for RSASHA512; and exponents over 64 bits.
    @Test func rsaSizeBounds() throws {
        let small = [UInt8](repeating: 0xff, count: 63) + [0xff]  // 512 bits
        _ = try PublicKey(algorithm: 8, publicKey: [3, 1, 0, 1] + small)
        expectError(.keySizeOutOfRange) { _ = try PublicKey(algorithm: 10, publicKey: [3, 1, 0, 1] + small) }
        expectError(.keySizeOutOfRange) {
            _ = try PublicKey(algorithm: 8, publicKey: [3, 1, 0, 1, 0x7f] + small.dropFirst())
        }
        let large = [UInt8](repeating: 0xff, count: 512)  // 4096 bits
        #expect(try PublicKey(algorithm: 10, publicKey: [3, 1, 0, 1] + large).keySize == 4096)
        expectError(.keySizeOutOfRange) { _ = try PublicKey(algorithm: 8, publicKey: [3, 1, 0, 1, 1] + large) }
        expectError(.keySizeOutOfRange) {
            _ = try PublicKey(algorithm: 8, publicKey: [9, 1, 0, 0, 0, 0, 0, 0, 0, 1] + Self.modulus)
        }
        let wideExponent = try PublicKey(algorithm: 8, publicKey: [8, 0xff, 0, 0, 0, 0, 0, 0, 1] + Self.modulus)
        #expect(wideExponent.verificationCost > VerificationCost(algorithm: 8, keySize: 512))
    }

    /// Leading zero octets (which RFC 3110 prohibits) are tolerated and do not count towards the size.
    @Test func leadingZerosAreIgnoredForSize() throws {
        let key = try PublicKey(algorithm: 8, publicKey: [4, 0, 1, 0, 1, 0] + Self.modulus)
        #expect(key.keySize == 512)
        #expect(key.verify(signature: RSAVectorTests.rsaSHA256Signature, over: RSAVectorTests.rsaSHA256SignedData))
    }

    /// Every truncation of every published key either throws or verifies nothing.
    @Test func truncatedKeysNeverVerify() {
        let keys: [(UInt8, [UInt8], [UInt8], [UInt8])] = [
            (8, RSAVectorTests.rsaSHA256Key, RSAVectorTests.rsaSHA256Signature, RSAVectorTests.rsaSHA256SignedData),
            (13, ECDSAVectorTests.p256Key, ECDSAVectorTests.p256Signature, ECDSAVectorTests.p256SignedData),
            (14, ECDSAVectorTests.p384Key, ECDSAVectorTests.p384Signature, ECDSAVectorTests.p384SignedData),
        ]
        for (algorithm, key, signature, data) in keys {
            for length in 0..<key.count {
                let truncated = Array(key.prefix(length))
                if let decoded = try? PublicKey(algorithm: algorithm, publicKey: truncated) {
                    #expect(
                        !decoded.verify(signature: signature, over: data), "algorithm \(algorithm) length \(length)")
                }
            }
        }
    }

    /// Algorithms DNSCrypto does not implement are refused by number (RFC 8624 §3.1).
    @Test(arguments: [UInt8(0), 1, 2, 3, 4, 6, 9, 11, 12, 17, 23, 252, 253, 254, 255])
    func unsupportedAlgorithms(algorithm: UInt8) {
        expectError(.unsupportedAlgorithm) {
            _ = try PublicKey(algorithm: algorithm, publicKey: RSAVectorTests.rsaSHA256Key)
        }
    }

    /// Pseudo-random keys and signatures of many lengths, for every algorithm: errors or `false`, never a trap.
    @Test func garbageNeverTraps() {
        var random = SplitMix64(seed: 0x4d61_6d6f_7269)
        let lengths = [0, 1, 2, 3, 4, 5, 31, 32, 33, 56, 57, 58, 63, 64, 65, 95, 96, 97, 114, 128, 256, 260, 520]
        for algorithm in [UInt8(5), 7, 8, 10, 13, 14, 15, 16] {
            for keyLength in lengths {
                let key = random.bytes(keyLength)
                guard let decoded = try? PublicKey(algorithm: algorithm, publicKey: key) else { continue }
                for signatureLength in lengths {
                    let signature = random.bytes(signatureLength)
                    #expect(!decoded.verify(signature: signature, over: random.bytes(signatureLength % 50)))
                }
            }
        }
    }

    /// One decoded key verifies from many tasks at once (the `Sendable` promise).
    @Test func concurrentVerification() async throws {
        let key = try PublicKey(algorithm: 13, publicKey: ECDSAVectorTests.p256Key)
        let results = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<64 {
                group.addTask {
                    let good = key.verify(
                        signature: ECDSAVectorTests.p256Signature, over: ECDSAVectorTests.p256SignedData)
                    let bad = key.verify(
                        signature: ECDSAVectorTests.p256Signature,
                        over: flipping(ECDSAVectorTests.p256SignedData, at: index % 60)
                    )
                    return good && !bad
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 64 && results.allSatisfy { $0 })
    }
}

/// A tiny deterministic generator (SplitMix64) so the garbage test is reproducible.
struct SplitMix64 {
    /// The generator state.
    var state: UInt64

    /// Starts the sequence at `seed`.
    init(seed: UInt64) {
        state = seed
    }

    /// The next 64 pseudo-random bits.
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// `count` pseudo-random octets.
    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
    }
}
