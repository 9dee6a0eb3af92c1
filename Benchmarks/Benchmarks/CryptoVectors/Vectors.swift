// Primary responsibilities: keys and signatures the crypto benchmarks verify (generated for Mamori, the same
// material as the DNSCrypto algorithm probe), and a hex decoder.

/// Benchmark inputs: an RSA-2048 key (exponent 65537) with SHA-256 and SHA-512 signatures, and one key and
/// signature per elliptic-curve algorithm, all over ``message``.
public enum Vectors {
    /// The signed message (32 octets), about the size of a small RRSIG signed-data prefix.
    public static let message = Array("Mamori DNSCrypto algorithm probe".utf8)

    /// RSA-2048 public key in RFC 3110 §2 form.
    public static let rsaKey = bytes(
        """
        03010001cf209feb76e72ce6b47ecdc22a386bca3a0db04e45a9b84fe124751a0de19a474f1edd2724add8c1ff34018f
        141ea198053790448847cf3d0f9cda39362a939930502dccda799d9611521c8797588745a94632b8ddee31a4a866f3b1
        3d4c5bc537c65e0f7521c40987d0ffa518436105c3dd2d230d8a45d33d6de9cb2c036efdd53eac9e7cf2037aa7967bf9
        99be9d6c0858b9a1d5e8c3848f333eee72eba3896709536b916a20c0ca146b108645b0fbb09e2dd11ff53c9893ced1fb
        190cad65d7ed553651d736324ec673c8e6aa8ebe69066f2c0ef63da1dc53349ecf620c2d139f350e59725831b3aa9658
        31b8ab22ac696dec51dbba0feae1fcad5d577f3f
        """
    )

    /// RSASHA256 signature of ``message`` under ``rsaKey``.
    public static let rsaSHA256 = bytes(
        """
        9a80ee636ccd14aebc07994648e50048c10709665bbff35fae1dcbf18e74e7960fbc5f1ae8eb525b3e9d7581db3b5261
        ce6d7b04a94271c07accda83baaea6e45d0b790f38bc2275c1f474dc073dcf71a73f257e293f7b6df90291f068b5ee07
        586e8b46844eed1465c41ae93eb409fa470bfa4b48a3b04e10732303742841f42d0b47b8e5210e65586edf7eed9137c6
        b4f504146c383fac56c4d8886447529d6feddac8cf0b3b23a09737e645b1838abfed5d1274fbba5e06dfb6d4abb6c3f5
        655bfeac129d134f32388fa9d333dd95e16f7f38e045ad3a2d5747daea4b66c726ded862d4b8c0e682d71b0a28b40b81
        519bf14b2511aab8c5c82d607ac085ec
        """
    )

    /// RSASHA512 signature of ``message`` under ``rsaKey``.
    public static let rsaSHA512 = bytes(
        """
        874f47a6bf38502241558e3cdc1df0aa6416fc47e0d94d833f7a363f67c1c531d9e3a847467365b5c5000eeb3fa3dafb
        ec7fafdc9f94343c28c13ce7382035dd6e1a01b4b23ad19a9e88f1bf90aa2faf0d6a0dbea4b491fbfa71ae511899c1a8
        f8f36ada4ccb13d5a624b73bca787ad2c504a35f4f03bb364a91ffbe7152f7137846471cf1ed6b3d9b3e39d19aae728c
        97b93acf41616b0d53d2b5b2012bc61ca17b4d3efff89c5186663dfd3e8f06badd69326c324d709592dc6e4e33423b65
        9fbfcdf40949b7953bd4a188e1ee21f2f9402c07755e7b78510de1e18aa0caf63a23d2ed881a5ffc8397495660bcfa86
        1d07fbe2a11d81069338f005ae8052f1
        """
    )

    /// P-256 public key, x ‖ y.
    public static let p256Key = bytes(
        """
        36a98032a0792aa8bfc6eabeb1c3e003530b65e1ab3cf18da148d057f192612894acac25b502bf41c410202b22f5895a
        62c6600dff6068e00e44dc999536e1e7
        """
    )

    /// ECDSAP256SHA256 signature, r ‖ s.
    public static let p256Signature = bytes(
        """
        42dca4f84f68a9278b74749e97201aec108a4918e645afb1635d826aed34adba3e6d6e468af0ffef0ecc58a43d4a0eed
        cf3f78631d8ddaa1c1ad08ebc9587f00
        """
    )

    /// P-384 public key, x ‖ y.
    public static let p384Key = bytes(
        """
        e187b4866b09b1f0bb5893c7233cb0d25b846bc35a0c36895d24c1696fd75d202a50ab05e95f95bda3a8849183b6c9c7
        42c46c25b63dcf30106e3fc949c94bfa0ef73d36103e601916f6d468f7ebd6d96b109ddb9cf351b8bba1095c7a1bdf64
        """
    )

    /// ECDSAP384SHA384 signature, r ‖ s.
    public static let p384Signature = bytes(
        """
        82d5cdf9ba023a6fe8a87968c7fc23bc5670a45a16f5e3280d6a3226340b1f857586fc6328296f4aa2796d35475db079
        3a107aeee3d179983ea40c75c6650b158d782550e96390c904e054221930a910efd1b5d2f2baef53711e8e105bce6d9d
        """
    )

    /// Ed25519 public key.
    public static let ed25519Key = bytes(
        """
        96e06eade72871279a53841061b1707bcfe01d6c07e7312fa751a982bc79208c
        """
    )

    /// Ed25519 signature.
    public static let ed25519Signature = bytes(
        """
        c3dd2b24e34fea435c37d16dd2a639cb4549def385ce0d7ae11eeae13495f8bb7970cca1bf51545bd997bbcfde109d04
        695b5628b74cf0691890eee2207c3f00
        """
    )

    /// Ed448 public key.
    public static let ed448Key = bytes(
        """
        e3f9c0c92dd08d7daa729906ec1038a0feeface9afb0402c49441de934c074f7145e08259cbf8c3dbfb55639a5010ef5
        7286e26a681f9f8100
        """
    )

    /// Ed448 signature.
    public static let ed448Signature = bytes(
        """
        b034d3ff18fc82a9d682fefda114dc3881c52bebfbbdbec040d6a8aa66967c92396545d01fff38eff147599738f61ab0
        3c3cac4ed3fc565500ab57453ecc33a60e15049916219c0ce6669ab22ca33c057fd8b0997e8d97d45766de297bd70609
        f44fb1b8c734a45ee994c454739de5580900
        """
    )

    /// Decodes hexadecimal text, ignoring whitespace.
    public static func bytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.utf8.filter { $0 > 0x20 })
        return stride(from: 0, to: digits.count, by: 2).map { index in
            UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16)!
        }
    }
}
