// Primary responsibilities: what a `CHECK_ANSWER` step expects of the resolver's answer — an
// expected message and the aspects of it to compare.

import DNSWire

/// The expectation of a `CHECK_ANSWER` step: a message and which of its aspects count.
package struct AnswerExpectation: Hashable, Sendable {
    /// The aspects of an answer that can be compared (`MATCH` keywords).
    package struct Aspects: OptionSet, Hashable, Sendable {
        /// The bit set.
        package let rawValue: Int
        /// Creates a set from bits.
        /// - Parameter rawValue: the bits.
        package init(rawValue: Int) { self.rawValue = rawValue }

        /// QR AA TC RD RA AD CD and the EDNS DO bit (`MATCH flags`).
        package static let flags = Aspects(rawValue: 1 << 0)
        /// The full RCODE (`MATCH rcode`).
        package static let rcode = Aspects(rawValue: 1 << 1)
        /// The OPCODE (`MATCH opcode`).
        package static let opcode = Aspects(rawValue: 1 << 2)
        /// The question, name case-insensitively (`MATCH question`).
        package static let question = Aspects(rawValue: 1 << 3)
        /// The answer section as a set of RRsets (`MATCH answer`).
        package static let answer = Aspects(rawValue: 1 << 4)
        /// The authority section (`MATCH authority`).
        package static let authority = Aspects(rawValue: 1 << 5)
        /// The additional section, OPT excluded (`MATCH additional`).
        package static let additional = Aspects(rawValue: 1 << 6)
        /// The set of Extended DNS Error codes (`MATCH ede`), text ignored.
        package static let ede = Aspects(rawValue: 1 << 7)
        /// RRset TTLs, in the sections compared (`MATCH ttl`).
        package static let ttl = Aspects(rawValue: 1 << 8)
        /// `MATCH all`: flags, rcode, opcode, question and the three sections; not `ede`, not `ttl`.
        package static let all: Aspects = [.flags, .rcode, .opcode, .question, .answer, .authority, .additional]
    }

    /// The aspects compared.
    package var aspects: Aspects
    /// The expected message. Its ID is not compared; its EDNS matters for DO (in `flags`) and, when
    /// ``expectsEDNS`` is set, for presence.
    package var message: Message
    /// The EDE codes expected (as a set) when ``aspects`` contains ``Aspects/ede``; empty means none.
    package var extendedErrorCodes: [EDECode]
    /// Whether the answer must carry EDNS (true), must not (false), or either (nil).
    package var expectsEDNS: Bool?

    /// Creates an expectation.
    /// - Parameters:
    ///   - aspects: the aspects compared.
    ///   - message: the expected message.
    ///   - extendedErrorCodes: the EDE codes expected.
    ///   - expectsEDNS: EDNS presence required, or nil.
    package init(aspects: Aspects, message: Message, extendedErrorCodes: [EDECode] = [], expectsEDNS: Bool? = nil) {
        self.aspects = aspects
        self.message = message
        self.extendedErrorCodes = extendedErrorCodes
        self.expectsEDNS = expectsEDNS
    }
}
