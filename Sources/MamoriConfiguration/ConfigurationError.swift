// Primary responsibilities: configuration errors that tell the operator where and what:
// `FILE:LINE:COLUMN: key.path: message`, the form compilers use, so editors can jump to it.

public import DNSWire

/// One problem found in a configuration file.
public struct ConfigurationDiagnostic: Hashable, Sendable, CustomStringConvertible {
    /// The file, as given on the command line (or `<string>` for text not read from a file).
    public var file: String
    /// The 1-based line, 0 when unknown (e.g. the file could not be read).
    public var line: Int
    /// The 1-based column, 0 when unknown.
    public var column: Int
    /// The dotted key path, e.g. `resolution.ipv6` or `listen[1]`; empty for the whole file.
    public var keyPath: String
    /// What is wrong.
    public var message: String

    /// Creates a diagnostic.
    public init(file: String, line: Int, column: Int, keyPath: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
    }

    /// `file:line:column: key.path: message`, dropping the parts that are unknown.
    public var description: String {
        var text = file
        if line > 0 { text += ":\(line)" }
        if column > 0 { text += ":\(column)" }
        text += ": "
        if !keyPath.isEmpty { text += "\(keyPath): " }
        return text + message
    }
}

/// The error thrown when a configuration cannot be used: every problem found, in file order.
/// MamoriConfiguration's one error shape.
///
/// Errors compare by ``code`` only (``CodedError``); what the operator reads is the ``reason``, one
/// diagnostic per line.
public struct ConfigurationError: CodedError {
    /// What went wrong.
    public enum Code: Hashable, Sendable {
        /// The file could not be read, or is not UTF-8 text.
        case unreadable
        /// The text has unknown or repeated keys, bad values or settings that contradict each other.
        case invalid
    }

    /// What went wrong, for matching.
    public let code: Code
    /// The problems, at least one.
    public var diagnostics: [ConfigurationDiagnostic]

    /// Creates the error.
    public init(_ code: Code, diagnostics: [ConfigurationDiagnostic]) {
        self.code = code
        self.diagnostics = diagnostics
    }

    /// One diagnostic per line: `file:line:column: key.path: message`.
    public var reason: String { diagnostics.map(\.description).joined(separator: "\n") }
}
