// Primary responsibilities: the parts of one `ENTRY_BEGIN … ENTRY_END` block as written, and their
// three readings: a scripted server's entry, a client's query, and a CHECK_ANSWER expectation.

import DNSWire
import Resolver

/// An entry block as parsed, before it is known what it is for.
struct RawEntry {
    /// The `ENTRY_BEGIN` line.
    var line: Int
    /// The `ENTRY_BEGIN` label.
    var label: String?
    /// `MATCH` words with their lines, in order.
    var match: [(String, Int)] = []
    /// `REPLY` flags, upper-cased: QR AA TC RD RA AD CD DO.
    var flags: Set<String> = []
    /// The `REPLY` RCODE.
    var rcode: RCode?
    /// The `REPLY` OPCODE.
    var opcode: Opcode?
    /// The `SECTION QUESTION` lines.
    var questions: [Question] = []
    /// Records by section name (ANSWER, AUTHORITY, ADDITIONAL).
    var records: [String: [Record]] = [:]
    /// The `ACTION`.
    var action: EntryAction?
    /// `EDNS` (present) or `NOEDNS` (absent); nil when neither was written.
    var edns: ReplyEDNS?
    /// The `EDNS payload=`.
    var payloadSize: UInt16 = 1232
    /// `EDE` lines.
    var extendedErrors: [ExtendedDNSError] = []
    /// The `COOKIE` line.
    var cookie: ReplyCookie?
    /// `ADJUST delay=`.
    var delay: Duration = .zero

    /// The records of a section.
    private func section(_ name: String) -> [Record] { records[name] ?? [] }

    /// An error at a line.
    private func error(_ fileName: String, _ line: Int, _ message: String) -> ScenarioError {
        ScenarioError(.badScript, message, file: fileName, line: line)
    }

    /// Whether any scripted-server-only line was written.
    private var hasServerOnlyParts: Bool { action != nil || delay != .zero || cookie != nil }

    // MARK: - Readings

    /// Reads the block as a scripted server's entry.
    /// - Parameter fileName: for errors.
    /// - Returns: the entry.
    /// - Throws: ``ScenarioError`` for `MATCH` words that do not apply to upstream queries, or a
    ///   name or type match without a question.
    func scriptedEntry(fileName: String) throws(ScenarioError) -> ScriptedEntry {
        var query = QueryMatch()
        let words = match.isEmpty ? [("opcode", line), ("qname", line), ("qtype", line)] : match
        for (word, wordLine) in words {
            switch word.lowercased() {
            case "opcode": query.opcode = opcode ?? .query
            case "qname", "subdomain", "qtype":
                guard let question = questions.first else {
                    throw error(fileName, wordLine, "MATCH \(word) needs a SECTION QUESTION")
                }
                switch word.lowercased() {
                case "qname": query.name = .exact(question.name)
                case "subdomain": query.name = .subdomain(of: question.name)
                default: query.type = question.type
                }
            case "tcp": query.transport = .tcp
            case "udp": query.transport = .udp
            case "tls": query.transport = .tls
            case "do": query.dnssecOK = true
            case "nodo": query.dnssecOK = false
            case "rd": query.recursionDesired = true
            case "nord": query.recursionDesired = false
            case "cd": query.checkingDisabled = true
            case "nocd": query.checkingDisabled = false
            case "edns": query.hasEDNS = true
            case "noedns": query.hasEDNS = false
            case "cookie": query.cookie = .present
            case "nocookie": query.cookie = .absent
            case let word where word.hasPrefix("cookie="):
                guard let server = BaseEncoding.decodeHex(word.utf8.dropFirst(7)) else {
                    throw error(fileName, wordLine, "MATCH cookie= needs hex digits")
                }
                query.cookie = .serverCookie(server)
            default:
                throw error(
                    fileName, wordLine,
                    "MATCH '\(word)' does not apply to a server entry (opcode, qname, subdomain, qtype, TCP, UDP, "
                        + "DO, noDO, RD, noRD, CD, noCD, edns, noedns, cookie, nocookie, cookie=HEX)")
            }
        }
        let response = ScriptedResponse(
            authoritativeAnswer: flags.contains("AA"), truncated: flags.contains("TC"),
            recursionDesired: flags.contains("RD"), recursionAvailable: flags.contains("RA"),
            authenticData: flags.contains("AD"), checkingDisabled: flags.contains("CD"), rcode: rcode ?? .noError,
            answer: section("ANSWER"), authority: section("AUTHORITY"), additional: section("ADDITIONAL"),
            edns: edns ?? .mirror, dnssecOK: flags.contains("DO") ? true : nil, udpPayloadSize: payloadSize,
            extendedErrors: extendedErrors, cookie: cookie)
        return ScriptedEntry(
            label: label, match: query, action: action ?? .reply, response: response, delay: delay, sourceLine: line)
    }

    /// Reads the block as a client's query (`STEP n QUERY`). `MATCH` and `ADJUST` lines are ignored.
    /// - Parameters:
    ///   - id: the query ID.
    ///   - fileName: for errors.
    /// - Returns: the query: RD, CD, AD from `REPLY`; EDNS when `REPLY DO` or `EDNS` is written.
    /// - Throws: ``ScenarioError`` when there is no question or a server-only line was written.
    func query(id: UInt16, fileName: String) throws(ScenarioError) -> Message {
        guard !questions.isEmpty else { throw error(fileName, line, "a QUERY needs a SECTION QUESTION") }
        guard !hasServerOnlyParts else {
            throw error(fileName, line, "ACTION, ADJUST delay= and COOKIE do not apply to a QUERY")
        }
        var header = Header(id: id, opcode: opcode ?? .query)
        header.recursionDesired = flags.contains("RD")
        header.checkingDisabled = flags.contains("CD")
        header.authenticData = flags.contains("AD")
        let wantsEDNS = edns == .present || (edns == nil && flags.contains("DO"))
        return Message(
            header: header, questions: questions, answer: RRSet.group(section("ANSWER")),
            authority: RRSet.group(section("AUTHORITY")), additional: RRSet.group(section("ADDITIONAL")),
            edns: wantsEDNS ? EDNS(udpPayloadSize: payloadSize, dnssecOK: flags.contains("DO")) : nil)
    }

    /// Reads the block as the expectation of a `CHECK_ANSWER` step.
    /// - Parameter fileName: for errors.
    /// - Returns: the expectation; without `MATCH` lines the aspects are `all`.
    /// - Throws: ``ScenarioError`` for an unknown `MATCH` word or a server-only line.
    func expectation(fileName: String) throws(ScenarioError) -> AnswerExpectation {
        guard !hasServerOnlyParts else {
            throw error(fileName, line, "ACTION, ADJUST delay= and COOKIE do not apply to a CHECK_ANSWER")
        }
        var aspects: AnswerExpectation.Aspects = match.isEmpty ? .all : []
        var codes = extendedErrors.map(\.code)
        var afterEDE = false
        for (word, wordLine) in match {
            if afterEDE, let code = UInt16(word) {
                codes.append(EDECode(code))
                continue
            }
            afterEDE = false
            switch word.lowercased() {
            case "all": aspects.formUnion(.all)
            case "flags": aspects.insert(.flags)
            case "rcode": aspects.insert(.rcode)
            case "opcode": aspects.insert(.opcode)
            case "question": aspects.insert(.question)
            case "answer": aspects.insert(.answer)
            case "authority": aspects.insert(.authority)
            case "additional": aspects.insert(.additional)
            case "ttl": aspects.insert(.ttl)
            case "ede":
                aspects.insert(.ede)
                afterEDE = true
            default:
                throw error(
                    fileName, wordLine,
                    "MATCH '\(word)' does not apply to CHECK_ANSWER (all, flags, rcode, opcode, question, answer, "
                        + "authority, additional, ede [CODE…], ttl)")
            }
        }
        var header = Header(id: 0, opcode: opcode ?? .query)
        header.isResponse = flags.contains("QR")
        header.authoritativeAnswer = flags.contains("AA")
        header.truncated = flags.contains("TC")
        header.recursionDesired = flags.contains("RD")
        header.recursionAvailable = flags.contains("RA")
        header.authenticData = flags.contains("AD")
        header.checkingDisabled = flags.contains("CD")
        let wantsEDNS = edns == .present || (edns == nil && flags.contains("DO"))
        let message = Message(
            header: header, questions: questions, answer: RRSet.group(section("ANSWER")),
            authority: RRSet.group(section("AUTHORITY")), additional: RRSet.group(section("ADDITIONAL")),
            edns: wantsEDNS
                ? EDNS(
                    udpPayloadSize: payloadSize, dnssecOK: flags.contains("DO"),
                    options: extendedErrors.map { .extendedDNSError($0) })
                : nil,
            rcode: rcode ?? .noError)
        let expectsEDNS: Bool? =
            switch edns {
            case .present: true
            case .absent: false
            default: nil
            }
        return AnswerExpectation(
            aspects: aspects, message: message, extendedErrorCodes: codes, expectsEDNS: expectsEDNS)
    }
}
