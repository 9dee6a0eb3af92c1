// Primary responsibilities: the relative verification costs used for the KeyTrap budget.

import DNSCrypto
import Testing

/// Relative verification costs (RSA-2048 = 1000 milliunits).
@Suite("Verification cost")
struct VerificationCostTests {
    /// The measured order: P-384 is by far the dearest, RSA-1024 the cheapest.
    @Test func measuredOrder() {
        let order: [VerificationCost] = [.rsa1024, .rsa2048, .ecdsaP256, .rsa4096, .ed25519, .ed448, .ecdsaP384]
        #expect(order == order.sorted())
        #expect(VerificationCost.rsa2048.milliunits == 1000)
        #expect(VerificationCost.ecdsaP384.description == "36.063")
    }

    /// Algorithm and size map onto the constants; RSA sizes between measurements are interpolated.
    @Test func lookup() {
        #expect(VerificationCost(algorithm: 8, keySize: 2048) == .rsa2048)
        #expect(VerificationCost(algorithm: 5, keySize: 1024) == .rsa1024)
        #expect(VerificationCost(algorithm: 10, keySize: 4096) == .rsa4096)
        #expect(VerificationCost(algorithm: 8, keySize: 512) == .rsa1024)
        let rsa3072 = VerificationCost(algorithm: 8, keySize: 3072)
        #expect(rsa3072 > .rsa2048 && rsa3072 < .rsa4096)
        #expect(VerificationCost(algorithm: 13, keySize: 256) == .ecdsaP256)
        #expect(VerificationCost(algorithm: 14, keySize: 384) == .ecdsaP384)
        #expect(VerificationCost(algorithm: 15, keySize: 256) == .ed25519)
        #expect(VerificationCost(algorithm: 16, keySize: 456) == .ed448)
        #expect(VerificationCost(algorithm: 1, keySize: 1024).milliunits == 0)
    }

    /// Decoded keys carry their cost.
    @Test func keysCarryCost() throws {
        #expect(try PublicKey(algorithm: 14, publicKey: ECDSAVectorTests.p384Key).verificationCost == .ecdsaP384)
        #expect(try PublicKey(algorithm: 10, publicKey: RSAVectorTests.rsaSHA512Key).verificationCost == .rsa1024)
    }
}
