// Primary responsibilities: NSEC3 hashes against RFC 5155 Appendix A, and the hash's input checks.

import DNSCrypto
import Testing

/// The iterated NSEC3 hash (RFC 5155 §5).
@Suite("NSEC3 hash")
struct NSEC3HashTests {
    /// RFC 5155 Appendix A names (salt AABBCCDD, 12 iterations) with their owner labels in Base32hex.
    static let appendixA: [(name: String, hash: String)] = [
        ("example", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom"),
        ("a.example", "35mthgpgcu1qg68fab165klnsnk3dpvl"),
        ("ai.example", "gjeqe526plbf1g8mklp59enfd789njgi"),
        ("ns1.example", "2t7b4g4vsa5smi47k61mv5bv1a22bojr"),
        ("ns2.example", "q04jkcevqvmu85r014c7dkba38o0ji5r"),
        ("w.example", "k8udemvp1j2f7eg6jebps17vp3n8i58h"),
        ("*.w.example", "r53bq7cc2uvmubfu5ocmm6pers9tk9en"),
        ("x.w.example", "b4um86eghhds6nea196smvmlo4ors995"),
        ("y.w.example", "ji6neoaepv8b5o6k4ev33abha8ht9fgc"),
        ("x.y.w.example", "2vptu5timamqttgl4luu9kg21e0aor3s"),
        ("xx.example", "t644ebqk9bibcna874givr6joj62mlhv"),
    ]

    /// Each Appendix A name hashes to its published owner label.
    @Test(arguments: appendixA)
    func appendixAHash(name: String, hash: String) throws {
        let digest = try NSEC3Hash.hash(ownerName: wireName(name), salt: hex("aabbccdd"), iterations: 12)
        #expect(digest.count == NSEC3Hash.hashLength)
        #expect(base32hex(digest) == hash)
    }

    /// Zero iterations is a single SHA-1 of name ‖ salt; an empty salt adds nothing.
    @Test func zeroIterationsIsOneHash() throws {
        let name = wireName("example")
        let once = try NSEC3Hash.hash(ownerName: name, salt: [], iterations: 0)
        let withSalt = try NSEC3Hash.hash(ownerName: name, salt: [0xAB], iterations: 0)
        #expect(once == (try DSDigest.digest(digestType: 1, of: name)))
        #expect(withSalt == (try DSDigest.digest(digestType: 1, of: name + [0xAB])))
        let twice = try NSEC3Hash.hash(ownerName: name, salt: [0xAB], iterations: 1)
        #expect(twice == (try DSDigest.digest(digestType: 1, of: withSalt + [0xAB])))
    }

    /// The largest inputs the wire allows work; anything larger, or another algorithm, throws.
    @Test func inputLimits() throws {
        let longName = [UInt8](repeating: 1, count: 255)
        let longSalt = [UInt8](repeating: 2, count: 255)
        #expect(try NSEC3Hash.hash(ownerName: longName, salt: longSalt, iterations: 3).count == 20)
        expectError(.inputTooLong) {
            _ = try NSEC3Hash.hash(ownerName: longName + [0], salt: [], iterations: 0)
        }
        expectError(.inputTooLong) {
            _ = try NSEC3Hash.hash(ownerName: [0], salt: longSalt + [0], iterations: 0)
        }
        expectError(.unsupportedDigestType) {
            _ = try NSEC3Hash.hash(algorithm: 2, ownerName: [0], salt: [], iterations: 0)
        }
    }

    /// Converts a presentation name (lowercase, no escapes) to uncompressed wire form with the root label.
    func wireName(_ name: String) -> [UInt8] {
        var wire: [UInt8] = []
        for label in name.split(separator: ".") {
            wire.append(UInt8(label.utf8.count))
            wire.append(contentsOf: label.utf8)
        }
        return wire + [0]
    }

    /// Base32hex without padding, lowercase (RFC 4648 §7, as NSEC3 owner labels are written).
    func base32hex(_ bytes: [UInt8]) -> String {
        let alphabet = Array("0123456789abcdefghijklmnopqrstuv")
        var output = ""
        var buffer = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | Int(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                output.append(alphabet[(buffer >> bits) & 31])
            }
        }
        if bits > 0 { output.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return output
    }
}
