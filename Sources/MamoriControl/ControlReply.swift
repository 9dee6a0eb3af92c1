// Primary responsibilities: the control protocol's answers — `ok` and the result's lines, or
// `error: REASON` — written by the daemon and read by `mamorictl` from one definition.

/// Why a control request failed, as sent after `error: `.
public struct ControlError: Error, Hashable, CustomStringConvertible {
    /// The message.
    public var description: String

    /// Wraps a message.
    public init(_ description: String) { self.description = description }
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
