// Primary responsibilities: the response a scripted server gives — header flags, RCODE (extended
// ones through EDNS), the three sections as records, EDNS, Extended DNS Errors and a DNS cookie —
// and building it as the reply to one particular query (ID and question copied from the query).

import DNSWire

/// A scripted response, turned into a message for each query it answers.
package struct ScriptedResponse: Hashable, Sendable {
    /// AA.
    package var authoritativeAnswer: Bool
    /// TC.
    package var truncated: Bool
    /// RD.
    package var recursionDesired: Bool
    /// RA.
    package var recursionAvailable: Bool
    /// AD.
    package var authenticData: Bool
    /// CD.
    package var checkingDisabled: Bool
    /// The RCODE, 12 bits; values above 15 force an OPT record, which carries the upper bits.
    package var rcode: RCode
    /// The answer section, grouped into RRsets (RRSIGs joined to what they cover) when built.
    package var answer: [Record]
    /// The authority section.
    package var authority: [Record]
    /// The additional section, OPT excluded.
    package var additional: [Record]
    /// Whether an OPT record is included.
    package var edns: ReplyEDNS
    /// The DO bit of the OPT record; nil copies the query's.
    package var dnssecOK: Bool?
    /// The UDP payload size in the OPT record.
    package var udpPayloadSize: UInt16
    /// Extended DNS Errors to include; any forces an OPT record.
    package var extendedErrors: [ExtendedDNSError]
    /// The COOKIE option to include, nil for none; one forces an OPT record.
    package var cookie: ReplyCookie?

    /// Creates a response; the defaults are an empty NOERROR answer with no flags set.
    /// - Parameters:
    ///   - authoritativeAnswer: AA.
    ///   - truncated: TC.
    ///   - recursionDesired: RD.
    ///   - recursionAvailable: RA.
    ///   - authenticData: AD.
    ///   - checkingDisabled: CD.
    ///   - rcode: the RCODE.
    ///   - answer: answer records.
    ///   - authority: authority records.
    ///   - additional: additional records.
    ///   - edns: OPT policy.
    ///   - dnssecOK: DO, or nil to copy the query's.
    ///   - udpPayloadSize: the OPT payload size.
    ///   - extendedErrors: EDE options.
    ///   - cookie: the COOKIE option, or nil.
    package init(
        authoritativeAnswer: Bool = false, truncated: Bool = false, recursionDesired: Bool = false,
        recursionAvailable: Bool = false, authenticData: Bool = false, checkingDisabled: Bool = false,
        rcode: RCode = .noError, answer: [Record] = [], authority: [Record] = [], additional: [Record] = [],
        edns: ReplyEDNS = .mirror, dnssecOK: Bool? = nil, udpPayloadSize: UInt16 = 1232,
        extendedErrors: [ExtendedDNSError] = [], cookie: ReplyCookie? = nil
    ) {
        self.authoritativeAnswer = authoritativeAnswer
        self.truncated = truncated
        self.recursionDesired = recursionDesired
        self.recursionAvailable = recursionAvailable
        self.authenticData = authenticData
        self.checkingDisabled = checkingDisabled
        self.rcode = rcode
        self.answer = answer
        self.authority = authority
        self.additional = additional
        self.edns = edns
        self.dnssecOK = dnssecOK
        self.udpPayloadSize = udpPayloadSize
        self.extendedErrors = extendedErrors
        self.cookie = cookie
    }

    /// This response as the reply to `query`: QR set, ID, OPCODE and question copied from the query
    /// (so a 0x20-mixed name is echoed as sent), flags, RCODE and sections from the script.
    /// - Parameter query: the query answered.
    /// - Returns: the reply message.
    package func message(answering query: Message) -> Message {
        var header = Header(id: query.header.id, opcode: query.header.opcode)
        header.isResponse = true
        header.authoritativeAnswer = authoritativeAnswer
        header.truncated = truncated
        header.recursionDesired = recursionDesired
        header.recursionAvailable = recursionAvailable
        header.authenticData = authenticData
        header.checkingDisabled = checkingDisabled
        let wantsOPT: Bool =
            switch edns {
            case .mirror: query.edns != nil
            case .present: true
            case .absent: false
            }
        let cookieOption = cookie?.option(answering: query.edns?.cookie?.client)
        var opt: EDNS? = nil
        if wantsOPT || rcode.rawValue > 15 || !extendedErrors.isEmpty || cookieOption != nil {
            opt = EDNS(
                udpPayloadSize: udpPayloadSize, dnssecOK: dnssecOK ?? (query.edns?.dnssecOK ?? false),
                options: extendedErrors.map { .extendedDNSError($0) } + (cookieOption.map { [$0] } ?? []))
        }
        return Message(
            header: header, questions: query.questions, answer: RRSet.group(answer, keepingDuplicates: true),
            authority: RRSet.group(authority, keepingDuplicates: true),
            additional: RRSet.group(additional, keepingDuplicates: true), edns: opt, rcode: rcode)
    }

    /// A bare reply to `query` with this RCODE: question copied, no records, no EDNS unless the
    /// RCODE needs it.
    /// - Parameters:
    ///   - rcode: the RCODE.
    ///   - query: the query answered.
    /// - Returns: the reply message.
    package static func bare(_ rcode: RCode, answering query: Message) -> Message {
        ScriptedResponse(rcode: rcode, edns: .absent).message(answering: query)
    }
}
