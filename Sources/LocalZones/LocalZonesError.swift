// Primary responsibilities: why local data could not be taken, naming where it came from.

/// Local data that could not be used: where it came from (a hosts file, or the configuration's
/// `local.data` item), the line (0 when the problem is not one line's) and what was wrong.
public struct LocalZonesError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file, or the configuration key the data was given under.
    public var source: String
    /// The 1-based line, or 0 when the problem is the source as a whole.
    public var line: Int
    /// What was wrong.
    public var reason: String

    /// An error at `line` of `source`.
    public init(source: String, line: Int, _ reason: String) {
        self.source = source
        self.line = line
        self.reason = reason
    }

    /// `source:line: reason`, the form compilers and editors understand.
    public var description: String { line > 0 ? "\(source):\(line): \(reason)" : "\(source): \(reason)" }
}
