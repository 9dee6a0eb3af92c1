// Primary responsibilities: properties over generated data — parse ∘ serialise is the identity on
// decoded messages, printing and parsing presentation text is the identity on records, canonical
// name order is a total order consistent with equality, and arbitrary bytes never trap the parser.

import DNSWire
import Testing

/// Round-trip and robustness properties over seeded random data (SplitMix64, so failures reproduce).
@Suite struct RoundTripPropertyTests {
    /// How many random messages each property sees.
    static let messageCount = 600

    /// parse(serialise(m)) == m for random valid messages of every RDATA kind, and the codec's own
    /// output is a fixed point byte for byte.
    @Test func generatedMessagesRoundTrip() throws {
        var generator = MessageGenerator(seed: 0x4D41_4D4F_5249)
        var kindsSeen = Set<RRType>()
        for index in 0..<Self.messageCount {
            let message = generator.message()
            for rrset in message.answer + message.authority + message.additional { kindsSeen.insert(rrset.type) }
            let bytes = try message.serialized()
            let parsed = try Message(parsing: bytes)
            #expect(parsed == message, "message \(index):\n\(message)\n---\n\(parsed)")
            #expect(try parsed.serialized() == bytes, "message \(index) serialises differently after parsing")
        }
        #expect(kindsSeen.isSuperset(of: MessageGenerator.kinds), "not every RDATA kind was generated")
    }

    /// Every generated record prints as a zone-file line that parses back to the same record, and
    /// every message prints as dig-like text without trapping.
    @Test func generatedRecordsRoundTripThroughText() throws {
        var generator = MessageGenerator(seed: 7)
        for _ in 0..<Self.messageCount {
            let message = generator.message()
            _ = message.description
            for rrset in message.answer + message.authority + message.additional {
                for record in rrset.records + rrset.signatureRecords {
                    let text = record.description
                    let parsed = try Record(presentation: text)
                    #expect(parsed == record, "\(text)")
                    #expect(parsed.name.isIdentical(to: record.name), "owner case lost: \(text)")
                }
            }
        }
    }

    /// Canonical order is total and consistent with `==`: antisymmetric, zero exactly for equal names,
    /// and sorting yields a sequence in which every earlier name precedes or equals every later one.
    @Test func canonicalOrderIsTotalAndConsistent() {
        var generator = MessageGenerator(seed: 42)
        let names = (0..<300).map { _ in generator.name() }
        for left in names.prefix(120) {
            for right in names.prefix(120) {
                let forward = left.canonicalCompare(right)
                #expect(forward == -right.canonicalCompare(left))
                #expect((forward == 0) == (left == right), "\(left) vs \(right)")
            }
        }
        let sorted = names.sorted { $0.canonicallyPrecedes($1) }
        for index in sorted.indices.dropLast() {
            for later in sorted[(index + 1)...] { #expect(sorted[index].canonicalCompare(later) <= 0) }
        }
    }

    /// Random byte strings, and random mutations of valid messages, either parse or throw; when they
    /// parse, they round-trip. A trap fails the whole test run, which is the point.
    @Test func randomAndMutatedBytesNeverTrap() throws {
        var generator = MessageGenerator(seed: 99)
        var parsedCount = 0
        for _ in 0..<3000 {
            let bytes = generator.bytes(0...300)
            if let failure = roundTripFailure(bytes) { Issue.record("\(failure)") }
        }
        for _ in 0..<Self.messageCount {
            var bytes = try generator.message().serialized()
            for _ in 0..<generator.int(1...8) {
                guard !bytes.isEmpty else { break }
                let at = generator.int(0...(bytes.count - 1))
                switch generator.int(0...3) {
                case 0: bytes[at] = generator.value(UInt8.self)
                case 1: bytes[at] ^= 1 << UInt8(generator.int(0...7))
                case 2: bytes.removeSubrange(at...)
                default: bytes.insert(generator.value(UInt8.self), at: at)
                }
            }
            if (try? Message(parsing: bytes)) != nil { parsedCount += 1 }
            if let failure = roundTripFailure(bytes) { Issue.record("\(failure)") }
        }
        // Some mutations must survive parsing, or the mutation test exercises only the error paths.
        #expect(parsedCount > 0)
    }
}
