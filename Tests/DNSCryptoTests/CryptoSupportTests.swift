// Primary responsibilities: the algorithm probe's verdicts on this system.

import DNSCrypto
import Testing

/// The run-time probe of what libcrypto allows (RFC 8624 §3.1, §3.3).
@Suite("Crypto support probe")
struct CryptoSupportTests {
    /// On the stock OpenSSL 3 of the build machine every implemented algorithm and digest passes.
    @Test func stockOpenSSLSupportsEverythingImplemented() {
        let support = CryptoSupport.current
        for algorithm in CryptoSupport.implementedAlgorithms {
            #expect(support.isSupported(algorithm: algorithm), "\(support)")
        }
        for digestType in CryptoSupport.implementedDigestTypes {
            #expect(support.isSupported(digestType: digestType), "\(support)")
        }
        #expect(support.isNSEC3HashSupported)
        #expect(support.failures.isEmpty)
    }

    /// RSAMD5, DSA, DSA-NSEC3-SHA1, ECC-GOST, reserved and unassigned numbers are never supported.
    @Test(arguments: [UInt8(0), 1, 2, 3, 4, 6, 9, 11, 12, 17, 252, 253, 254, 255])
    func neverSupportedAlgorithms(algorithm: UInt8) {
        #expect(!CryptoSupport.current.isSupported(algorithm: algorithm))
    }

    /// GOST (3), reserved (0) and unassigned digest types are never supported.
    @Test(arguments: [UInt8(0), 3, 5, 255])
    func neverSupportedDigestTypes(digestType: UInt8) {
        #expect(!CryptoSupport.current.isSupported(digestType: digestType))
    }

    /// The log line names every implemented algorithm and digest with its verdict.
    @Test func descriptionForLogs() {
        let text = CryptoSupport.current.description
        for name in ["5 RSASHA1 yes", "8 RSASHA256 yes", "14 ECDSAP384SHA384 yes", "16 ED448 yes", "4 SHA-384 yes"] {
            #expect(text.contains(name), "\(text)")
        }
        #expect(text.contains("NSEC3 SHA-1 yes"))
    }
}
