// Primary responsibilities: reading scenario text line by line — the configuration block, the
// scenario's ranges, entries and steps — into a Scenario, with errors that name the file and line.
// Record lines are handed to DNSWire's ZoneFileParser; this file only cuts the text into blocks.

import DNSWire
import Resolver

/// Parses the `.rpl` subset and extensions described in `Docs/replay-format.md`.
struct ScenarioParser {
    /// The file name errors give.
    private let fileName: String
    /// The lines of the text, without line terminators.
    private let lines: [Substring]
    /// The index of the next line to read.
    private var index = 0

    /// The TTL of record lines that give none (unbound's testpkts uses the same).
    static let defaultTTL: UInt32 = 3600
    /// Keywords that end a `CHECK_UPSTREAM_SEQUENCE` list or appear at the top level of a scenario.
    private static let topLevelKeywords: Set<String> = [
        "STEP", "RANGE_BEGIN", "SCENARIO_END", "START_TIME", "UNMATCHED",
    ]
    /// Keywords inside `ENTRY_BEGIN` … `ENTRY_END`.
    private static let entryKeywords: Set<String> = [
        "MATCH", "ADJUST", "REPLY", "SECTION", "ACTION", "EDNS", "NOEDNS", "EDE", "COOKIE", "ENTRY_END", "ENTRY_BEGIN",
        "RAW", "EXTRA_PACKET", "RANGE_END", "STEP", "SCENARIO_END",
    ]

    /// Creates a parser.
    /// - Parameters:
    ///   - text: the scenario text.
    ///   - fileName: the name errors give.
    init(text: String, fileName: String) {
        self.fileName = fileName
        self.lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.last == "\r" ? line.dropLast() : line
        }
    }

    // MARK: - Top level

    /// Parses the whole text.
    /// - Returns: the scenario.
    /// - Throws: ``ScenarioError`` for the first problem.
    mutating func parse() throws(ScenarioError) -> Scenario {
        var scenario = Scenario(fileName: fileName, description: "")
        scenario.config = try parseConfig()
        guard let (beginLine, begin) = nextSignificant() else {
            throw error(lines.count, "missing SCENARIO_BEGIN")
        }
        guard begin.first == "SCENARIO_BEGIN" else {
            throw error(beginLine, "expected SCENARIO_BEGIN, found '\(begin[0])'")
        }
        scenario.description = begin.dropFirst().joined(separator: " ")
        var lastStep: Int? = nil
        while true {
            guard let (line, tokens) = nextSignificant() else {
                throw error(lines.count, "missing SCENARIO_END")
            }
            switch tokens[0] {
            case "SCENARIO_END":
                try expectArguments(tokens, 0, line)
                if let (extraLine, extra) = nextSignificant() {
                    throw error(extraLine, "unexpected '\(extra[0])' after SCENARIO_END")
                }
                return scenario
            case "RANGE_BEGIN":
                scenario.ranges.append(try parseRange(tokens, line: line))
            case "STEP":
                let step = try parseStep(tokens, line: line)
                if let lastStep, step.number <= lastStep {
                    throw error(line, "step \(step.number) does not follow step \(lastStep): steps must increase")
                }
                lastStep = step.number
                scenario.steps.append(step)
            case "START_TIME":
                try expectArguments(tokens, 1, line)
                guard let seconds = DNSTime.parse(Array(tokens[1].utf8)) else {
                    throw error(line, "bad START_TIME '\(tokens[1])': want YYYYMMDDHHMMSS or epoch seconds")
                }
                scenario.startWallSeconds = Int64(seconds)
            case "UNMATCHED":
                try expectArguments(tokens, 2, line)
                let server = tokens[1] == "*" ? nil : try serverAddress(tokens[1], line)
                scenario.unmatchedPolicies.append((server, try unmatchedPolicy(tokens[2], line)))
            default:
                throw error(line, "unexpected '\(tokens[0])' in the scenario")
            }
        }
    }

    /// Reads the block before `CONFIG_END`, if the text has one.
    /// - Returns: the `key: value` lines in order.
    /// - Throws: ``ScenarioError`` for a line without a colon.
    private mutating func parseConfig() throws(ScenarioError) -> [ConfigLine] {
        guard let end = lines.firstIndex(where: { $0.trimmingBlanks() == "CONFIG_END" }) else { return [] }
        var config: [ConfigLine] = []
        for position in 0..<end {
            let text = lines[position].trimmingBlanks()
            if text.isEmpty || text.hasPrefix(";") || text.hasPrefix("#") { continue }
            guard let colon = text.firstIndex(of: ":") else {
                throw error(position + 1, "configuration line without ':': '\(text)'")
            }
            config.append(
                ConfigLine(
                    key: String(text[..<colon]).trimmingBlanks(),
                    value: String(text[text.index(after: colon)...]).trimmingBlanks(), line: position + 1))
        }
        index = end + 1
        return config
    }

    // MARK: - Ranges and entries

    /// Parses `RANGE_BEGIN a b [address…]` up to `RANGE_END`.
    /// - Parameters:
    ///   - tokens: the `RANGE_BEGIN` line's tokens.
    ///   - line: its line.
    /// - Returns: the range.
    private mutating func parseRange(_ tokens: [String], line: Int) throws(ScenarioError) -> ScriptedRange {
        guard tokens.count >= 3 else { throw error(line, "RANGE_BEGIN needs a first and a last step") }
        let first = try integer(tokens[1], line, what: "first step")
        let last = try integer(tokens[2], line, what: "last step")
        guard first <= last else { throw error(line, "RANGE_BEGIN \(first) \(last): the range is empty") }
        var range = ScriptedRange(steps: first...last, servers: [], entries: [], sourceLine: line)
        for token in tokens.dropFirst(3) { range.servers.append(try serverAddress(token, line)) }
        while true {
            guard let (entryLine, entryTokens) = nextSignificant() else {
                throw error(line, "RANGE_BEGIN without RANGE_END")
            }
            switch entryTokens[0] {
            case "RANGE_END":
                try expectArguments(entryTokens, 0, entryLine)
                return range
            case "ADDRESS":
                try expectArguments(entryTokens, 1, entryLine)
                range.servers.append(try serverAddress(entryTokens[1], entryLine))
            case "ENTRY_BEGIN":
                let raw = try parseEntry(entryTokens, line: entryLine)
                range.entries.append(try raw.scriptedEntry(fileName: fileName))
            default:
                throw error(entryLine, "unexpected '\(entryTokens[0])' in a range (RANGE_END missing?)")
            }
        }
    }

    /// Parses `ENTRY_BEGIN [label]` up to `ENTRY_END`.
    /// - Parameters:
    ///   - tokens: the `ENTRY_BEGIN` line's tokens.
    ///   - line: its line.
    /// - Returns: the entry's parts, not yet interpreted.
    private mutating func parseEntry(_ tokens: [String], line: Int) throws(ScenarioError) -> RawEntry {
        guard tokens.count <= 2 else { throw error(line, "ENTRY_BEGIN takes at most a label") }
        var entry = RawEntry(line: line, label: tokens.count == 2 ? tokens[1] : nil)
        var section: String? = nil
        var recordLines: [(Int, Substring)] = []
        /// Hands the collected record lines of the current section to the zone-file parser.
        func flush(_ entry: inout RawEntry) throws(ScenarioError) {
            defer { recordLines = [] }
            guard let section, !recordLines.isEmpty else { return }
            if section == "QUESTION" {
                for (lineNumber, text) in recordLines {
                    let words = Self.tokens(text)
                    if words.isEmpty { continue }
                    entry.questions.append(try question(words, lineNumber))
                }
            } else {
                entry.records[section, default: []] += try records(recordLines)
            }
        }
        while index < lines.count {
            let lineNumber = index + 1
            let text = lines[index]
            index += 1
            let words = Self.tokens(text)
            guard let keyword = words.first, Self.entryKeywords.contains(keyword) else {
                if section != nil {
                    recordLines.append((lineNumber, text))
                } else if !words.isEmpty {
                    throw error(lineNumber, "unexpected '\(words[0])' before any SECTION")
                }
                continue
            }
            try flush(&entry)
            let arguments = Array(words.dropFirst())
            switch keyword {
            case "ENTRY_END":
                try expectArguments(words, 0, lineNumber)
                return entry
            case "MATCH":
                entry.match.append(contentsOf: arguments.map { ($0, lineNumber) })
                if arguments.isEmpty { throw error(lineNumber, "MATCH needs at least one keyword") }
            case "ADJUST":
                try parseAdjust(arguments, into: &entry, lineNumber)
            case "REPLY":
                try parseReply(arguments, into: &entry, lineNumber)
            case "SECTION":
                try expectArguments(words, 1, lineNumber)
                let name = arguments[0].uppercased()
                guard ["QUESTION", "ANSWER", "AUTHORITY", "ADDITIONAL"].contains(name) else {
                    throw error(lineNumber, "unknown section '\(arguments[0])'")
                }
                section = name
            case "ACTION":
                entry.action = try action(arguments, lineNumber)
            case "EDNS":
                try parseEDNS(arguments, into: &entry, lineNumber)
            case "NOEDNS":
                try expectArguments(words, 0, lineNumber)
                entry.edns = .absent
            case "EDE":
                guard let code = arguments.first.flatMap({ UInt16($0) }) else {
                    throw error(lineNumber, "EDE needs a numeric INFO-CODE")
                }
                entry.extendedErrors.append(
                    ExtendedDNSError(EDECode(code), arguments.dropFirst().joined(separator: " ")))
            case "COOKIE":
                entry.cookie = try cookie(arguments, lineNumber)
            case "RAW", "EXTRA_PACKET":
                throw error(lineNumber, "\(keyword) is not supported by this kit")
            default:
                throw error(lineNumber, "'\(keyword)' inside an entry (ENTRY_END missing?)")
            }
        }
        throw error(line, "ENTRY_BEGIN without ENTRY_END")
    }

    /// Reads `ADJUST` keywords.
    private func parseAdjust(_ arguments: [String], into entry: inout RawEntry, _ line: Int) throws(ScenarioError) {
        for argument in arguments {
            if argument == "copy_id" || argument == "copy_query" { continue }  // always done
            if argument.hasPrefix("delay=") {
                let milliseconds = try integer(String(argument.dropFirst(6)), line, what: "delay")
                entry.delay = .milliseconds(milliseconds)
                continue
            }
            throw error(line, "unsupported ADJUST '\(argument)' (copy_id, copy_query, delay=MS)")
        }
    }

    /// Reads `REPLY` flags, RCODE and OPCODE.
    private func parseReply(_ arguments: [String], into entry: inout RawEntry, _ line: Int) throws(ScenarioError) {
        for argument in arguments {
            let word = argument.uppercased()
            if ["QR", "AA", "TC", "RD", "RA", "AD", "CD", "DO"].contains(word) {
                entry.flags.insert(word)
            } else if let opcode = Self.opcodes[word] {
                entry.opcode = opcode
            } else if let rcode = Self.rcode(word) {
                guard entry.rcode == nil else { throw error(line, "REPLY gives two RCODEs") }
                entry.rcode = rcode
            } else {
                throw error(line, "unknown REPLY word '\(argument)'")
            }
        }
    }

    /// Reads `EDNS [DO] [payload=N]`.
    private func parseEDNS(_ arguments: [String], into entry: inout RawEntry, _ line: Int) throws(ScenarioError) {
        entry.edns = .present
        for argument in arguments {
            if argument.uppercased() == "DO" {
                entry.flags.insert("DO")
            } else if argument.lowercased().hasPrefix("payload=") {
                let size = try integer(String(argument.dropFirst(8)), line, what: "payload size")
                guard let value = UInt16(exactly: size) else { throw error(line, "payload size \(size) is too large") }
                entry.payloadSize = value
            } else {
                throw error(line, "unknown EDNS word '\(argument)' (DO, payload=N)")
            }
        }
    }

    /// Reads `COOKIE [wrong] [HEX]`: the reply's COOKIE option, the query's client cookie (flipped with
    /// `wrong`) and the server cookie HEX (none when omitted).
    private func cookie(_ arguments: [String], _ line: Int) throws(ScenarioError) -> ReplyCookie {
        let wrong = arguments.first?.lowercased() == "wrong"
        let rest = arguments.dropFirst(wrong ? 1 : 0)
        guard rest.count <= 1 else { throw error(line, "COOKIE takes [wrong] [HEX]") }
        var server: [UInt8] = []
        if let text = rest.first {
            guard let bytes = BaseEncoding.decodeHex(text.utf8), (8...32).contains(bytes.count) else {
                throw error(line, "COOKIE server cookie must be 8 to 32 octets of hex, got '\(text)'")
            }
            server = bytes
        }
        return wrong ? .wrongClient(server: server) : .echo(server: server)
    }

    /// Reads an `ACTION` line's arguments.
    private func action(_ arguments: [String], _ line: Int) throws(ScenarioError) -> EntryAction {
        guard let name = arguments.first?.lowercased() else { throw error(line, "ACTION needs an action") }
        let rest = arguments.dropFirst()
        switch name {
        case "reply", "silence", "truncate", "spoof", "formerr-if-edns":
            guard rest.isEmpty else { throw error(line, "ACTION \(name) takes no argument") }
            switch name {
            case "reply": return .reply
            case "silence": return .silence
            case "truncate": return .truncate
            case "spoof": return .spoof
            default: return .formerrIfEDNS
            }
        case "garbage":
            guard rest.count <= 1 else { throw error(line, "ACTION garbage takes at most a count") }
            let count =
                try rest.first.map { (text) throws(ScenarioError) in try integer(text, line, what: "count") } ?? 1
            return .garbageThenReply(count: count)
        case "network-error":
            return .networkError(rest.isEmpty ? "scripted network error" : rest.joined(separator: " "))
        default:
            throw error(
                line,
                "unknown ACTION '\(arguments[0])' (reply, silence, truncate, spoof, garbage, formerr-if-edns, "
                    + "network-error)")
        }
    }

    // MARK: - Steps

    /// Parses a `STEP n KIND …` line and what follows it.
    private mutating func parseStep(_ tokens: [String], line: Int) throws(ScenarioError) -> ScenarioStep {
        guard tokens.count >= 3 else { throw error(line, "STEP needs a number and a kind") }
        let number = try integer(tokens[1], line, what: "step number")
        let kind = tokens[2]
        let arguments = Array(tokens.dropFirst(3))
        switch kind {
        case "QUERY", "CHECK_ANSWER":
            guard arguments.isEmpty else { throw error(line, "STEP \(kind) takes no argument") }
            guard let (entryLine, entryTokens) = nextSignificant(), entryTokens[0] == "ENTRY_BEGIN" else {
                throw error(line, "STEP \(number) \(kind) must be followed by ENTRY_BEGIN")
            }
            let raw = try parseEntry(entryTokens, line: entryLine)
            let stepKind: ScenarioStep.Kind =
                kind == "QUERY"
                ? .query(try raw.query(id: UInt16(truncatingIfNeeded: number), fileName: fileName))
                : .checkAnswer(try raw.expectation(fileName: fileName))
            return ScenarioStep(number: number, kind: stepKind, line: line)
        case "TIME_PASSES":
            guard arguments.count == 2, arguments[0] == "ELAPSE" else {
                throw error(line, "TIME_PASSES needs 'ELAPSE seconds'")
            }
            guard let duration = Self.seconds(arguments[1]) else {
                throw error(line, "bad number of seconds '\(arguments[1])'")
            }
            return ScenarioStep(number: number, kind: .timePasses(duration), line: line)
        case "CHECK_UPSTREAM_QUERIES":
            guard arguments.count == 1 else { throw error(line, "CHECK_UPSTREAM_QUERIES needs a count") }
            let count = try integer(arguments[0], line, what: "count")
            return ScenarioStep(number: number, kind: .checkUpstreamQueries(count), line: line)
        case "CHECK_UPSTREAM_SEQUENCE":
            guard arguments.isEmpty else { throw error(line, "CHECK_UPSTREAM_SEQUENCE takes no argument") }
            var expected: [ExpectedUpstreamQuery] = []
            while let (queryLine, words) = peekSignificant(), !Self.topLevelKeywords.contains(words[0]) {
                _ = nextSignificant()
                expected.append(try expectedQuery(words, queryLine))
            }
            return ScenarioStep(number: number, kind: .checkUpstreamSequence(expected), line: line)
        case "CHECK_ENTRY_USED":
            guard arguments.count == 2 else { throw error(line, "CHECK_ENTRY_USED needs a label and a count") }
            let count = try integer(arguments[1], line, what: "count")
            return ScenarioStep(number: number, kind: .checkEntryUsed(label: arguments[0], count: count), line: line)
        default:
            throw error(
                line,
                "unsupported step kind '\(kind)' (QUERY, CHECK_ANSWER, TIME_PASSES, CHECK_UPSTREAM_QUERIES, "
                    + "CHECK_UPSTREAM_SEQUENCE, CHECK_ENTRY_USED)")
        }
    }

    /// Parses one `CHECK_UPSTREAM_SEQUENCE` line:
    /// `server qname qtype [tcp|udp] [edns|noedns] [do|nodo] [cookie|nocookie] [rd|nord]`.
    private func expectedQuery(_ words: [String], _ line: Int) throws(ScenarioError) -> ExpectedUpstreamQuery {
        guard words.count >= 3 else { throw error(line, "expected 'server qname qtype [tcp|udp] …'") }
        let server = words[0] == "*" ? nil : try serverAddress(words[0], line)
        let name = try domainName(words[1], line)
        guard let type = RRType(mnemonic: words[2]) else { throw error(line, "unknown type '\(words[2])'") }
        var expected = ExpectedUpstreamQuery(server: server, name: name, type: type, line: line)
        for word in words.dropFirst(3) {
            switch word.lowercased() {
            case "tcp": expected.transport = .tcp
            case "udp": expected.transport = .udp
            case "tls": expected.transport = .tls
            case "edns": expected.hasEDNS = true
            case "noedns": expected.hasEDNS = false
            case "do": expected.dnssecOK = true
            case "nodo": expected.dnssecOK = false
            case "cookie": expected.hasCookie = true
            case "nocookie": expected.hasCookie = false
            case "rd": expected.recursionDesired = true
            case "nord": expected.recursionDesired = false
            default:
                throw error(
                    line, "unknown word '\(word)' (tcp, udp, edns, noedns, do, nodo, cookie, nocookie, rd, nord)")
            }
        }
        return expected
    }

    // MARK: - Fields

    /// Parses a question line `name [class] type`.
    private func question(_ words: [String], _ line: Int) throws(ScenarioError) -> Question {
        guard words.count == 2 || words.count == 3 else { throw error(line, "expected 'name [class] type'") }
        let name = try domainName(words[0], line)
        var rrClass = RRClass.in
        if words.count == 3 {
            guard let value = RRClass(mnemonic: words[1]) else { throw error(line, "unknown class '\(words[1])'") }
            rrClass = value
        }
        guard let type = RRType(mnemonic: words[words.count - 1]) else {
            throw error(line, "unknown type '\(words[words.count - 1])'")
        }
        return Question(name: name, type: type, rrClass: rrClass)
    }

    /// Parses record lines with DNSWire's zone-file parser, keeping the file's line numbers.
    /// - Parameter recordLines: the lines and their numbers, in order.
    /// - Returns: the records.
    private func records(_ recordLines: [(Int, Substring)]) throws(ScenarioError) -> [Record] {
        // Pad with newlines so that the parser's line numbers are the file's. Leading blanks are
        // dropped: every record line names its owner (as in unbound's testpkts).
        var text = ""
        var currentLine = 1
        for (lineNumber, line) in recordLines {
            text += String(repeating: "\n", count: lineNumber - currentLine)
            text += line.drop { $0 == " " || $0 == "\t" }
            currentLine = lineNumber
        }
        do {
            return try ZoneFileParser(text: text, origin: .root, defaultTTL: Self.defaultTTL).records()
        } catch {
            throw zoneError(error, fallbackLine: recordLines.first?.0 ?? 0)
        }
    }

    /// Converts a zone-file parser error ("line L, column C: reason") into a scenario error.
    private func zoneError(_ wireError: DNSWireError, fallbackLine: Int) -> ScenarioError {
        let reason = wireError.reason
        if reason.hasPrefix("line "), let comma = reason.firstIndex(of: ","),
            let line = Int(reason[reason.index(reason.startIndex, offsetBy: 5)..<comma])
        {
            return error(line, String(reason[reason.index(after: comma)...]).trimmingBlanks())
        }
        return error(fallbackLine, reason)
    }

    /// Parses an absolute or relative (to the root) domain name.
    private func domainName(_ text: String, _ line: Int) throws(ScenarioError) -> DomainName {
        do {
            return try DomainName(text)
        } catch {
            throw self.error(line, "bad name '\(text)': \(error)")
        }
    }

    /// Parses `address[@port]`.
    private func serverAddress(_ text: String, _ line: Int) throws(ScenarioError) -> ServerAddress {
        guard let address = ServerAddress(text) else { throw error(line, "bad address '\(text)' (want ip[@port])") }
        return address
    }

    /// Parses `silence` or an RCODE mnemonic.
    private func unmatchedPolicy(_ text: String, _ line: Int) throws(ScenarioError) -> UnmatchedPolicy {
        if text.lowercased() == "silence" { return .silence }
        guard let rcode = Self.rcode(text.uppercased()) else {
            throw error(line, "bad UNMATCHED policy '\(text)' (silence or an RCODE such as REFUSED)")
        }
        return .rcode(rcode)
    }

    /// Parses a non-negative decimal integer.
    private func integer(_ text: String, _ line: Int, what: String) throws(ScenarioError) -> Int {
        guard let value = Int(text), value >= 0 else { throw error(line, "bad \(what) '\(text)'") }
        return value
    }

    /// Checks that a keyword line has exactly `count` arguments.
    private func expectArguments(_ tokens: [String], _ count: Int, _ line: Int) throws(ScenarioError) {
        guard tokens.count == count + 1 else {
            throw error(line, "\(tokens[0]) takes \(count == 0 ? "no" : "\(count)") argument\(count == 1 ? "" : "s")")
        }
    }

    /// An error at a line of this file.
    private func error(_ line: Int, _ message: String) -> ScenarioError {
        ScenarioError(.badScript, message, file: fileName, line: line)
    }

    // MARK: - Lines and words

    /// Reads the next line that is not blank or a comment.
    /// - Returns: its number and tokens, or nil at the end.
    private mutating func nextSignificant() -> (Int, [String])? {
        while index < lines.count {
            let words = Self.tokens(lines[index])
            index += 1
            if !words.isEmpty { return (index, words) }
        }
        return nil
    }

    /// The next line that is not blank or a comment, without consuming it.
    private func peekSignificant() -> (Int, [String])? {
        var copy = self
        return copy.nextSignificant()
    }

    /// Splits a keyword line into words: blanks separate, `"…"` is one word (quotes dropped), `;`
    /// outside quotes and a leading `#` start a comment.
    /// - Parameter line: the line.
    /// - Returns: the words; empty for a blank or comment line.
    static func tokens(_ line: Substring) -> [String] {
        if line.trimmingBlanks().hasPrefix("#") { return [] }
        var words: [String] = []
        var current = ""
        var inQuotes = false
        var hasWord = false
        for character in line {
            if inQuotes {
                if character == "\"" { inQuotes = false } else { current.append(character) }
            } else if character == "\"" {
                inQuotes = true
                hasWord = true
            } else if character == ";" {
                break
            } else if character == " " || character == "\t" {
                if hasWord { words.append(current) }
                current = ""
                hasWord = false
            } else {
                current.append(character)
                hasWord = true
            }
        }
        if hasWord { words.append(current) }
        return words
    }

    /// OPCODE mnemonics a `REPLY` line may give.
    static let opcodes: [String: Opcode] = [
        "QUERY": .query, "IQUERY": .iquery, "STATUS": .status, "NOTIFY": .notify, "UPDATE": .update,
    ]

    /// Parses an RCODE mnemonic (as `RCode.description` prints them) or `RCODEnnn`.
    /// - Parameter word: the upper-cased word.
    /// - Returns: the RCODE, or nil.
    static func rcode(_ word: String) -> RCode? {
        if word.hasPrefix("RCODE"), let value = UInt16(word.dropFirst(5)), value < 4096 { return RCode(value) }
        for value in UInt16(0)...23 where RCode(value).description == word { return RCode(value) }
        return nil
    }

    /// Parses seconds with up to nine decimals (`30`, `1.5`).
    /// - Parameter text: the number.
    /// - Returns: the duration, or nil.
    static func seconds(_ text: String) -> Duration? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int64(parts[0]), whole >= 0 else { return nil }
        var nanoseconds: Int64 = 0
        if parts.count == 2 {
            let fraction = parts[1]
            guard (1...9).contains(fraction.count), fraction.allSatisfy(\.isASCII),
                let digits = Int64(fraction), digits >= 0
            else { return nil }
            nanoseconds = digits * Int64(pow10(9 - fraction.count))
        }
        return .seconds(whole) + .nanoseconds(nanoseconds)
    }

    /// 10 to the power `exponent`.
    private static func pow10(_ exponent: Int) -> Int { (0..<exponent).reduce(1) { result, _ in result * 10 } }
}

extension StringProtocol {
    /// The text without leading and trailing blanks (spaces and tabs).
    func trimmingBlanks() -> String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        return String(drop(while: isBlank).reversed().drop(while: isBlank).reversed())
    }
}
