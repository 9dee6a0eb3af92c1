// Primary responsibilities: why a list could not be loaded, naming the file and the line.

/// A list that could not be read: the file, the line (0 for the whole file) and what was wrong.
public struct BlocklistError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file.
    public var file: String
    /// The 1-based line, or 0 when the problem is the file as a whole.
    public var line: Int
    /// What was wrong.
    public var reason: String

    /// An error at `line` of `file`.
    public init(file: String, line: Int, _ reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    /// `file:line: reason`, the form compilers and editors understand.
    public var description: String { line > 0 ? "\(file):\(line): \(reason)" : "\(file): \(reason)" }
}
