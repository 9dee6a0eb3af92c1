// Primary responsibilities: package-benchmark entry for DNSCrypto: verification per algorithm with a pre-parsed
// key, key parsing, DS digest and NSEC3 hashing.

import Benchmark
import CryptoVectors
import DNSCrypto

/// The benchmarks package-benchmark runs; see Benchmarks/README.md for how to run them and what they measure.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .cpuTotal, .mallocCountTotal],
        warmupIterations: 100,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )

    // MARK: - Verification with a pre-parsed key (one operation = one verification)

    let verifications: [(name: String, algorithm: UInt8, key: [UInt8], signature: [UInt8])] = [
        ("Verify RSASHA256 (alg 8, 2048 bits)", 8, Vectors.rsaKey, Vectors.rsaSHA256),
        ("Verify RSASHA512 (alg 10, 2048 bits)", 10, Vectors.rsaKey, Vectors.rsaSHA512),
        ("Verify ECDSAP256SHA256 (alg 13)", 13, Vectors.p256Key, Vectors.p256Signature),
        ("Verify ECDSAP384SHA384 (alg 14)", 14, Vectors.p384Key, Vectors.p384Signature),
        ("Verify ED25519 (alg 15)", 15, Vectors.ed25519Key, Vectors.ed25519Signature),
        ("Verify ED448 (alg 16)", 16, Vectors.ed448Key, Vectors.ed448Signature),
    ]
    for vector in verifications {
        let key = try! PublicKey(algorithm: vector.algorithm, publicKey: vector.key)
        precondition(key.verify(signature: vector.signature, over: Vectors.message), "\(vector.name) vector is bad")
        let scaling: BenchmarkScalingFactor = vector.algorithm == 14 ? .one : .kilo
        Benchmark(vector.name, configuration: .init(scalingFactor: scaling)) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(key.verify(signature: vector.signature, over: Vectors.message))
            }
        }
    }

    // MARK: - Key parsing (DNSKEY public key field to a ready key)

    let parses: [(name: String, algorithm: UInt8, key: [UInt8])] = [
        ("Parse key RSA 2048 (alg 8)", 8, Vectors.rsaKey),
        ("Parse key ECDSA P-256 (alg 13)", 13, Vectors.p256Key),
        ("Parse key ED25519 (alg 15)", 15, Vectors.ed25519Key),
    ]
    for parse in parses {
        Benchmark(parse.name) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try! PublicKey(algorithm: parse.algorithm, publicKey: parse.key))
            }
        }
    }

    // MARK: - Digests

    let dsInput = [UInt8](repeating: 0x5a, count: 13) + Vectors.rsaKey  // owner name ‖ DNSKEY RDATA sized
    Benchmark("DS digest SHA-256 (type 2, 277 octets)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try! DSDigest.digest(digestType: 2, of: dsInput))
        }
    }

    // The input of an IPv6 client's server cookie (RFC 9018 §4.4): client cookie, version, reserved,
    // timestamp, address.
    let cookieInput = [UInt8](repeating: 0x5a, count: 32)
    let cookieKey = SipHashKey.random()
    Benchmark("SipHash-2-4 (32 octets)", configuration: .init(scalingFactor: .kilo)) { benchmark in
        cookieInput.withUnsafeBytes { input in
            for _ in benchmark.scaledIterations { blackHole(SipHash24.hash(input, key: cookieKey)) }
        }
    }

    let owner: [UInt8] = [3, 119, 119, 119, 7, 101, 120, 97, 109, 112, 108, 101, 3, 99, 111, 109, 0]
    let salt: [UInt8] = [0xAA, 0xBB, 0xCC, 0xDD]
    for iterations: UInt16 in [0, 10] {
        Benchmark("NSEC3 hash (\(iterations) iterations)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try! NSEC3Hash.hash(ownerName: owner, salt: salt, iterations: iterations))
            }
        }
    }
}
