// Primary responsibilities: RRSet.group's treatment of repeated records: collapsed when equal in
// canonical form (RFC 2181 §5, RFC 4034 §6.2–6.3), in small and large sections, RRSIGs included.

import DNSWire
import Testing

/// Grouping a section's records into RRsets.
@Suite struct RRSetGroupingTests {
    /// The records of `text`, a zone-file fragment.
    func records(_ text: String) throws -> [Record] { try ZoneFileParser(text: text, defaultTTL: 3600).records() }

    /// A repeated record and a repeated RRSIG are kept once, the lowest TTL kept (RFC 2181 §5.2);
    /// names that canonical form lowercases compare without case.
    @Test func repeatsCollapse() throws {
        let sets = RRSet.group(
            try records(
                """
                a.example. 300 A 192.0.2.1
                a.example. 300 RRSIG A 13 2 300 20360101000000 20260101000000 1 example. AAAA
                a.example. 200 A 192.0.2.1
                a.example. 300 A 192.0.2.2
                a.example. 300 RRSIG A 13 2 300 20360101000000 20260101000000 1 EXAMPLE. AAAA
                example. NS ns.example.
                example. NS NS.Example.
                """))
        #expect(sets.count == 2)
        #expect(sets[0].rdatas.count == 2)
        #expect(sets[0].signatures.count == 1)
        #expect(sets[0].ttl == 200)
        #expect(sets[1].rdatas.count == 1)
    }

    /// An NSEC's next name keeps its case in canonical form (RFC 6840 §5.1): records differing
    /// only there are not duplicates.
    @Test func nsecNextNameCaseCounts() throws {
        let sets = RRSet.group(
            try records(
                """
                a.example. NSEC b.example. A
                a.example. NSEC B.example. A
                """))
        #expect(sets.first?.rdatas.count == 2)
    }

    /// A large section (past the linear search) collapses repeats the same way.
    @Test func largeSectionsCollapse() throws {
        let lines =
            (0..<40).map { "a.example. A 192.0.2.\($0 % 20)" }
            + Array(repeating: "a.example. AAAA 2001:db8::1", count: 2)
        let sets = RRSet.group(try records(lines.joined(separator: "\n")))
        #expect(sets.map(\.rdatas.count) == [20, 1])
    }

    /// `keepingDuplicates` keeps them, for a scripted server that repeats records.
    @Test func keepingDuplicates() throws {
        let sets = RRSet.group(
            try records("a.example. A 192.0.2.1\na.example. A 192.0.2.1"), keepingDuplicates: true)
        #expect(sets.first?.rdatas.count == 2)
    }
}
