// Primary responsibilities: the control protocol's answers — `ok` and the result's lines, or
// `error: REASON` — written by the daemon and read by `mamorictl` from one definition.

/// Why a control request line was refused, as sent after `error: `: MamoriControl's one error shape.
///
/// Errors compare by ``code`` only, so callers can match on the kind of failure while the ``reason``
/// stays the text the operator reads; the reply carries the reason alone.
public struct ControlError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Hashable, Sendable {
        /// An empty line.
        case emptyCommand
        /// A first word that names no command.
        case unknownCommand
        /// A known command with a missing, extra or unknown word (`flush everything`, `status now`).
        case badUsage
        /// A word in its place that does not read as what it must be: a domain name, a record type,
        /// an NTA lifetime.
        case badArgument
    }

    /// What went wrong, for matching.
    public let code: Code
    /// The message, as sent after `error: `.
    public let reason: String

    /// Creates an error.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// Errors are equal when their codes are; the reason is commentary.
    public static func == (lhs: ControlError, rhs: ControlError) -> Bool { lhs.code == rhs.code }

    /// Hashes the code only, consistent with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// The reason, as the reply sends it.
    public var description: String { reason }
}

/// The answer to a command: `ok` and lines, or an error.
public struct ControlReply: Hashable, Sendable {
    /// True for `ok`.
    public var succeeded: Bool
    /// The result (for `ok`) or the reason (for an error, one line).
    public var lines: [String]

    /// A success with `lines`.
    public static func ok(_ lines: [String] = []) -> ControlReply { ControlReply(succeeded: true, lines: lines) }

    /// A failure saying `reason`.
    public static func error(_ reason: String) -> ControlReply { ControlReply(succeeded: false, lines: [reason]) }

    /// Creates a reply.
    public init(succeeded: Bool, lines: [String]) {
        self.succeeded = succeeded
        self.lines = lines
    }

    /// Reads an answer as the daemon sends it (``rendered``): `ok` and lines, or `error: REASON`;
    /// nil when it is neither.
    public init?(answer: String) {
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
    public var rendered: [UInt8] {
        let clean = lines.map { $0.replacing("\n", with: " ") }
        let text = succeeded ? (["ok"] + clean).joined(separator: "\n") : "error: " + clean.joined(separator: " ")
        return Array((text + "\n").utf8)
    }
}
