// Primary responsibilities: the error for trust-anchor text and RFC 5011 state that cannot be used, naming the
// source (a file path or "dnssec.trust-anchors[2]") and the line, as operators fix configuration by line.

/// Why trust-anchor text or RFC 5011 state text was refused, and where.
///
/// Anchors decide what the resolver trusts (RFC 4035 §4.4), so a line that cannot be read is an error that
/// stops the configuration, never a line silently skipped; the message says where to look.
public struct TrustAnchorParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Where the text came from: a file path, or the configuration key and index for inline lines.
    public var source: String
    /// The 1-based line of the problem, when known.
    public var line: Int?
    /// What was wrong.
    public var message: String

    /// Creates an error.
    public init(source: String, line: Int?, message: String) {
        self.source = source
        self.line = line
        self.message = message
    }

    /// `source:line: message`, the form compilers and editors jump to.
    public var description: String {
        if let line { return "\(source):\(line): \(message)" }
        return "\(source): \(message)"
    }
}
