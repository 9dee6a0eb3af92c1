// Primary responsibilities: comparing a resolver's answer with a CHECK_ANSWER expectation, aspect
// by aspect — flags, RCODE, OPCODE, question, the sections as sets of RRsets (order and, unless
// asked, TTLs ignored; RRSIGs compared where the expectation lists some), EDE codes — and saying
// in words what differs.

import DNSWire

/// Compares answers with expectations.
enum AnswerComparison {
    /// The differences between an answer and an expectation, one sentence each; empty when it meets it.
    /// - Parameters:
    ///   - expectation: what the step expects.
    ///   - actual: the resolver's answer.
    /// - Returns: the differences.
    static func differences(_ expectation: AnswerExpectation, _ actual: Message) -> [String] {
        let expected = expectation.message
        let aspects = expectation.aspects
        var differences: [String] = []
        if aspects.contains(.flags) {
            let wanted = flagWords(expected)
            let got = flagWords(actual)
            if wanted != got {
                differences.append(
                    "flags: expected [\(wanted.joined(separator: " "))], got [\(got.joined(separator: " "))]")
            }
        }
        if aspects.contains(.rcode), expected.rcode != actual.rcode {
            differences.append("rcode: expected \(expected.rcode), got \(actual.rcode)")
        }
        if aspects.contains(.opcode), expected.header.opcode != actual.header.opcode {
            differences.append("opcode: expected \(expected.header.opcode), got \(actual.header.opcode)")
        }
        if aspects.contains(.question), !sameQuestions(expected.questions, actual.questions) {
            let wanted = expected.questions.map(\.description).joined(separator: ", ")
            let got = actual.questions.map(\.description).joined(separator: ", ")
            differences.append("question: expected [\(wanted)], got [\(got)]")
        }
        if let expectsEDNS = expectation.expectsEDNS, expectsEDNS != (actual.edns != nil) {
            differences.append(expectsEDNS ? "edns: expected an OPT record, got none" : "edns: expected no OPT record")
        }
        let sections: [(AnswerExpectation.Aspects, Section, String)] = [
            (.answer, .answer, "answer"), (.authority, .authority, "authority"),
            (.additional, .additional, "additional"),
        ]
        for (aspect, section, name) in sections where aspects.contains(aspect) {
            differences += sectionDifferences(
                name, expected: expected[section], actual: actual[section], compareTTL: aspects.contains(.ttl))
        }
        if aspects.contains(.ede) {
            let wanted = Set(expectation.extendedErrorCodes.map(\.rawValue))
            let got = Set((actual.edns?.extendedErrors ?? []).map(\.code.rawValue))
            if wanted != got {
                differences.append("ede: expected \(codeList(wanted)), got \(codeList(got))")
            }
        }
        return differences
    }

    /// The header flags and DO that are set, in dig's order.
    private static func flagWords(_ message: Message) -> [String] {
        let header = message.header
        let flags: [(Bool, String)] = [
            (header.isResponse, "qr"), (header.authoritativeAnswer, "aa"), (header.truncated, "tc"),
            (header.recursionDesired, "rd"), (header.recursionAvailable, "ra"), (header.authenticData, "ad"),
            (header.checkingDisabled, "cd"), (message.edns?.dnssecOK ?? false, "do"),
        ]
        return flags.filter(\.0).map(\.1)
    }

    /// Whether two question lists are equal, names case-insensitively.
    private static func sameQuestions(_ lhs: [Question], _ rhs: [Question]) -> Bool {
        lhs.count == rhs.count
            && zip(lhs, rhs).allSatisfy { $0.name == $1.name && $0.type == $1.type && $0.rrClass == $1.rrClass }
    }

    /// `{}` or `{6, 22}`.
    private static func codeList(_ codes: Set<UInt16>) -> String {
        "{" + codes.sorted().map(String.init).joined(separator: ", ") + "}"
    }

    // MARK: - Sections

    /// An RRset reduced to what is compared: TTL, members and signatures as multisets.
    private struct Contents: Equatable {
        /// The lowest TTL seen for the key.
        var ttl: UInt32
        /// Members and how often each occurs.
        var rdatas: [RData: Int] = [:]
        /// RRSIGs and how often each occurs.
        var signatures: [RRSIG: Int] = [:]
    }

    /// Merges a section's RRsets by key (owner case-insensitively, type, class).
    /// - Parameters:
    ///   - rrsets: the section.
    ///   - keepSignatures: whether RRSIGs count; when not, RRSIGs and RRsets of type RRSIG are dropped.
    /// - Returns: the contents by key, and the keys in order of first appearance.
    private static func contents(_ rrsets: [RRSet], keepSignatures: Bool) -> ([RRSet.Key: Contents], [RRSet.Key]) {
        var result: [RRSet.Key: Contents] = [:]
        var order: [RRSet.Key] = []
        for rrset in rrsets {
            if !keepSignatures && rrset.type == .rrsig { continue }
            if result[rrset.key] == nil {
                result[rrset.key] = Contents(ttl: rrset.ttl)
                order.append(rrset.key)
            }
            result[rrset.key]!.ttl = min(result[rrset.key]!.ttl, rrset.ttl)
            for rdata in rrset.rdatas { result[rrset.key]!.rdatas[rdata, default: 0] += 1 }
            if keepSignatures {
                for signature in rrset.signatures { result[rrset.key]!.signatures[signature, default: 0] += 1 }
            }
        }
        return (result, order)
    }

    /// The differences within one section.
    /// - Parameters:
    ///   - name: the section's name for messages.
    ///   - expected: the expected RRsets.
    ///   - actual: the answer's RRsets.
    ///   - compareTTL: whether TTLs must be equal.
    /// - Returns: one sentence per RRset missing, unexpected or different.
    private static func sectionDifferences(
        _ name: String, expected: [RRSet], actual: [RRSet], compareTTL: Bool
    )
        -> [String]
    {
        // RRSIGs count when the expectation lists any in this section.
        let keepSignatures = expected.contains { !$0.signatures.isEmpty || $0.type == .rrsig }
        let (wanted, wantedOrder) = contents(expected, keepSignatures: keepSignatures)
        let (got, gotOrder) = contents(actual, keepSignatures: keepSignatures)
        var differences: [String] = []
        for key in wantedOrder {
            let label = "\(key.name) \(key.type)"
            guard let have = got[key] else {
                differences.append("\(name): missing \(label)")
                continue
            }
            let want = wanted[key]!
            if want.rdatas != have.rdatas { differences.append("\(name): \(label) has different records") }
            if want.signatures != have.signatures { differences.append("\(name): \(label) has different RRSIGs") }
            if compareTTL && want.ttl != have.ttl {
                differences.append("\(name): \(label) TTL expected \(want.ttl), got \(have.ttl)")
            }
        }
        for key in gotOrder where wanted[key] == nil {
            differences.append("\(name): unexpected \(key.name) \(key.type)")
        }
        return differences
    }
}
