// Primary responsibilities: verifications per second of thread CPU time per DNSSEC algorithm, comparable with
// `openssl speed` (which divides by user CPU time unless given -elapsed).
//
// Run: swift run -c release CryptoCPUTime   (from Benchmarks/)

import CryptoVectors
import DNSCrypto

#if canImport(Glibc)
    import Glibc
#endif

/// Thread CPU time in seconds, unaffected by other processes competing for the cores.
func threadCPUSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
}

/// One algorithm to time: label, algorithm number, key, signature, verifications to run.
let cases: [(name: String, algorithm: UInt8, key: [UInt8], signature: [UInt8], count: Int)] = [
    ("RSASHA256 (8) RSA-2048", 8, Vectors.rsaKey, Vectors.rsaSHA256, 200_000),
    ("RSASHA512 (10) RSA-2048", 10, Vectors.rsaKey, Vectors.rsaSHA512, 200_000),
    ("ECDSAP256SHA256 (13)", 13, Vectors.p256Key, Vectors.p256Signature, 60_000),
    ("ECDSAP384SHA384 (14)", 14, Vectors.p384Key, Vectors.p384Signature, 6_000),
    ("ED25519 (15)", 15, Vectors.ed25519Key, Vectors.ed25519Signature, 45_000),
    ("ED448 (16)", 16, Vectors.ed448Key, Vectors.ed448Signature, 18_000),
]

for entry in cases {
    let key = try! PublicKey(algorithm: entry.algorithm, publicKey: entry.key)
    var valid = 0
    let start = threadCPUSeconds()
    for _ in 0..<entry.count where key.verify(signature: entry.signature, over: Vectors.message) {
        valid += 1
    }
    let seconds = threadCPUSeconds() - start
    precondition(valid == entry.count, "\(entry.name): a known-good signature failed")
    print("\(entry.name): \(Int((Double(entry.count) / seconds).rounded())) verifications/s (thread CPU)")
}
