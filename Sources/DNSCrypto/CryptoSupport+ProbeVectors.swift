// Primary responsibilities: the known-good inputs the algorithm probe verifies and hashes at start-up.

extension CryptoSupport {
    /// Known-good signatures and digests generated for this project (not taken from any RFC), one per
    /// implemented algorithm, so the probe exercises the exact code path a validation takes.
    ///
    /// The RSA key is 2048 bits with exponent 65537, so a FIPS provider or a crypto policy with a minimum key size
    /// does not reject the probe for a reason real zones would not hit. Every signature covers ``message``.
    enum ProbeVector {
        /// The signed message: the ASCII text "Mamori DNSCrypto algorithm probe".
        static let message = Array("Mamori DNSCrypto algorithm probe".utf8)

        /// An RSA-2048 public key in RFC 3110 §2 form (one-octet exponent length, exponent 65537, modulus).
        static let rsaKey = """
            03010001cf209feb76e72ce6b47ecdc22a386bca3a0db04e45a9b84fe124751a0de19a474f1edd2724add8c1ff34018f
            141ea198053790448847cf3d0f9cda39362a939930502dccda799d9611521c8797588745a94632b8ddee31a4a866f3b1
            3d4c5bc537c65e0f7521c40987d0ffa518436105c3dd2d230d8a45d33d6de9cb2c036efdd53eac9e7cf2037aa7967bf9
            99be9d6c0858b9a1d5e8c3848f333eee72eba3896709536b916a20c0ca146b108645b0fbb09e2dd11ff53c9893ced1fb
            190cad65d7ed553651d736324ec673c8e6aa8ebe69066f2c0ef63da1dc53349ecf620c2d139f350e59725831b3aa9658
            31b8ab22ac696dec51dbba0feae1fcad5d577f3f
            """

        /// RSASSA-PKCS1-v1_5 with SHA-1 of ``message`` under ``rsaKey`` (algorithms 5 and 7).
        static let rsaSHA1 = """
            17103cad9401806ccd4bc2adeda49c1fb0abb33ec69bba74448bfa42b0688eb7b0f5fbb2cd7e1aeb999cd6a159b15635
            414598b6dfca329e2520937d73da6b43d59633d988f3335457cbb57531f62abd8f4ff59ecb74eae138a377a3caf0ce06
            211a4be59e8b9de07db03176b9344a34beccf6e371d893ef4a762c72dbbbd7232ebed73691f511c72d7d58a06a6732ee
            84ded8b3292f5c574eca9a24d9818fe4147a06b6e9ed1054764aae9db00b76046a69764e20f487b98293e94b88d7fcf5
            833a9b996b9607c3fbc16bd98344aa9a7738d9fbdb3bedbc6ec29a3ec75a85a90e907003671d2b9febb5dbcb9857336b
            d73e66546706fbdda9b7abd8431a5e79
            """

        /// RSASSA-PKCS1-v1_5 with SHA-256 of ``message`` under ``rsaKey`` (algorithm 8).
        static let rsaSHA256 = """
            9a80ee636ccd14aebc07994648e50048c10709665bbff35fae1dcbf18e74e7960fbc5f1ae8eb525b3e9d7581db3b5261
            ce6d7b04a94271c07accda83baaea6e45d0b790f38bc2275c1f474dc073dcf71a73f257e293f7b6df90291f068b5ee07
            586e8b46844eed1465c41ae93eb409fa470bfa4b48a3b04e10732303742841f42d0b47b8e5210e65586edf7eed9137c6
            b4f504146c383fac56c4d8886447529d6feddac8cf0b3b23a09737e645b1838abfed5d1274fbba5e06dfb6d4abb6c3f5
            655bfeac129d134f32388fa9d333dd95e16f7f38e045ad3a2d5747daea4b66c726ded862d4b8c0e682d71b0a28b40b81
            519bf14b2511aab8c5c82d607ac085ec
            """

        /// RSASSA-PKCS1-v1_5 with SHA-512 of ``message`` under ``rsaKey`` (algorithm 10).
        static let rsaSHA512 = """
            874f47a6bf38502241558e3cdc1df0aa6416fc47e0d94d833f7a363f67c1c531d9e3a847467365b5c5000eeb3fa3dafb
            ec7fafdc9f94343c28c13ce7382035dd6e1a01b4b23ad19a9e88f1bf90aa2faf0d6a0dbea4b491fbfa71ae511899c1a8
            f8f36ada4ccb13d5a624b73bca787ad2c504a35f4f03bb364a91ffbe7152f7137846471cf1ed6b3d9b3e39d19aae728c
            97b93acf41616b0d53d2b5b2012bc61ca17b4d3efff89c5186663dfd3e8f06badd69326c324d709592dc6e4e33423b65
            9fbfcdf40949b7953bd4a188e1ee21f2f9402c07755e7b78510de1e18aa0caf63a23d2ed881a5ffc8397495660bcfa86
            1d07fbe2a11d81069338f005ae8052f1
            """

        /// A P-256 public key, x ‖ y (RFC 6605 §4).
        static let p256Key = """
            36a98032a0792aa8bfc6eabeb1c3e003530b65e1ab3cf18da148d057f192612894acac25b502bf41c410202b22f5895a
            62c6600dff6068e00e44dc999536e1e7
            """

        /// ECDSA P-256/SHA-256 of ``message``, r ‖ s (algorithm 13).
        static let p256Signature = """
            42dca4f84f68a9278b74749e97201aec108a4918e645afb1635d826aed34adba3e6d6e468af0ffef0ecc58a43d4a0eed
            cf3f78631d8ddaa1c1ad08ebc9587f00
            """

        /// A P-384 public key, x ‖ y (RFC 6605 §4).
        static let p384Key = """
            e187b4866b09b1f0bb5893c7233cb0d25b846bc35a0c36895d24c1696fd75d202a50ab05e95f95bda3a8849183b6c9c7
            42c46c25b63dcf30106e3fc949c94bfa0ef73d36103e601916f6d468f7ebd6d96b109ddb9cf351b8bba1095c7a1bdf64
            """

        /// ECDSA P-384/SHA-384 of ``message``, r ‖ s (algorithm 14).
        static let p384Signature = """
            82d5cdf9ba023a6fe8a87968c7fc23bc5670a45a16f5e3280d6a3226340b1f857586fc6328296f4aa2796d35475db079
            3a107aeee3d179983ea40c75c6650b158d782550e96390c904e054221930a910efd1b5d2f2baef53711e8e105bce6d9d
            """

        /// An Ed25519 public key (RFC 8080 §3).
        static let ed25519Key = """
            96e06eade72871279a53841061b1707bcfe01d6c07e7312fa751a982bc79208c
            """

        /// Ed25519 signature of ``message`` (algorithm 15).
        static let ed25519Signature = """
            c3dd2b24e34fea435c37d16dd2a639cb4549def385ce0d7ae11eeae13495f8bb7970cca1bf51545bd997bbcfde109d04
            695b5628b74cf0691890eee2207c3f00
            """

        /// An Ed448 public key (RFC 8080 §3).
        static let ed448Key = """
            e3f9c0c92dd08d7daa729906ec1038a0feeface9afb0402c49441de934c074f7145e08259cbf8c3dbfb55639a5010ef5
            7286e26a681f9f8100
            """

        /// Ed448 signature of ``message`` (algorithm 16).
        static let ed448Signature = """
            b034d3ff18fc82a9d682fefda114dc3881c52bebfbbdbec040d6a8aa66967c92396545d01fff38eff147599738f61ab0
            3c3cac4ed3fc565500ab57453ecc33a60e15049916219c0ce6669ab22ca33c057fd8b0997e8d97d45766de297bd70609
            f44fb1b8c734a45ee994c454739de5580900
            """

        /// The input hashed by the digest probe: "abc", the FIPS 180-2 Appendix example.
        static let digestInput = Array("abc".utf8)

        /// SHA-1("abc") (FIPS 180-2 Appendix A.1), checking DS digest type 1 and the NSEC3 hash.
        static let sha1OfABC = "a9993e364706816aba3e25717850c26c9cd0d89d"

        /// SHA-256("abc") (FIPS 180-2 Appendix B.1), checking DS digest type 2.
        static let sha256OfABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

        /// SHA-384("abc") (FIPS 180-2 Appendix D.1), checking DS digest type 4.
        static let sha384OfABC = """
            cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7
            """

        /// The wire form of `example.`, the owner name of RFC 5155 Appendix A's first hash.
        static let nsec3Owner = "076578616d706c6500"

        /// `example.` hashed with salt AABBCCDD and 12 iterations: 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom in Base32hex
        /// (RFC 5155 Appendix A).
        static let nsec3Hash = "065368abeed7ec6e9feba96b8c8bc3e8b791f716"

        /// Decodes hexadecimal text, skipping whitespace; the constants above are all well formed.
        static func bytes(_ hex: String) -> [UInt8] {
            var result: [UInt8] = []
            var high: UInt8?
            for character in hex.utf8 {
                let nibble: UInt8
                switch character {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = character - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = character - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = character - UInt8(ascii: "A") + 10
                default: continue
                }
                if let value = high {
                    result.append(value << 4 | nibble)
                    high = nil
                } else {
                    high = nibble
                }
            }
            return result
        }
    }
}
