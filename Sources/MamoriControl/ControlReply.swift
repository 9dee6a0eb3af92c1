// Primary responsibilities: the control protocol's answers — `ok` and the result's lines, or
// `error: REASON` — written by the daemon and read by `mamorictl` from one definition.

import DNSWire

/// Why a control request line was refused: MamoriControl's one error shape. Its reason is what
/// the reply sends after `error: `; errors compare by code (``CodedError``).
package typealias ControlError = SimpleError<ControlErrorCode>

/// What is wrong with a control request line: an empty line; a first word that names no command;
/// a known command with a missing, extra or unknown word (bad usage: `flush everything`,
/// `status now`); a word that does not read as what its place wants (a bad argument: a domain
/// name, a record type, an NTA lifetime).
package enum ControlErrorCode: Hashable, Sendable { case emptyCommand, unknownCommand, badUsage, badArgument }

/// The answer to a command: `ok` and lines, or an error.
package struct ControlReply: Hashable, Sendable {
    /// True for `ok`.
    package var succeeded: Bool
    /// The result (for `ok`) or the reason (for an error, one line).
    package var lines: [String]

    /// A success with `lines`.
    package static func ok(_ lines: [String] = []) -> ControlReply { ControlReply(succeeded: true, lines: lines) }

    /// A failure saying `reason`.
    package static func error(_ reason: String) -> ControlReply { ControlReply(succeeded: false, lines: [reason]) }

    /// Creates a reply.
    package init(succeeded: Bool, lines: [String]) {
        self.succeeded = succeeded
        self.lines = lines
    }

    /// Reads an answer as the daemon sends it (``rendered``): `ok` and lines, or `error: REASON`;
    /// nil when it is neither.
    package init?(answer: String) {
        var lines = answer.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard let first = lines.first else { return nil }
        if first == "ok" {
            self.init(succeeded: true, lines: Array(lines.dropFirst()))
        } else if first.hasPrefix("error: ") {
            self.init(succeeded: false, lines: [String(first.dropFirst("error: ".count))])
        } else {
            return nil
        }
    }

    /// The bytes sent: `ok\n` and the lines, or `error: REASON\n`. Newlines inside a line are
    /// replaced, so a line is always one line.
    package var rendered: [UInt8] {
        let clean = lines.map { $0.replacing("\n", with: " ") }
        let text = succeeded ? (["ok"] + clean).joined(separator: "\n") : "error: " + clean.joined(separator: " ")
        return Array((text + "\n").utf8)
    }
}
