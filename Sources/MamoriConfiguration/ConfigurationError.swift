// Primary responsibilities: configuration errors that tell the operator where and what:
// `FILE:LINE:COLUMN: key.path: message`, the form compilers use, so editors can jump to it.

import DNSWire

/// One problem found in a configuration file.
package struct ConfigurationDiagnostic: Hashable, Sendable, CustomStringConvertible {
    /// The file, as given on the command line (or `<string>` for text not read from a file).
    package var file: String
    /// The 1-based line, 0 when unknown (e.g. the file could not be read).
    package var line: Int
    /// The 1-based column, 0 when unknown.
    package var column: Int
    /// The dotted key path, e.g. `resolution.ipv6` or `listen[1]`; empty for the whole file.
    package var keyPath: String
    /// What is wrong.
    package var message: String

    /// Creates a diagnostic.
    package init(file: String, line: Int, column: Int, keyPath: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
    }

    /// `file:line:column: key.path: message`, dropping the parts that are unknown.
    package var description: String {
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
package struct ConfigurationError: CodedError {
    /// What went wrong.
    package enum Code: Hashable, Sendable {
        /// The file could not be read, or is not UTF-8 text.
        case unreadable
        /// The text has unknown or repeated keys, bad values or settings that contradict each other.
        case invalid
    }

    /// What went wrong, for matching.
    package let code: Code
    /// The problems, at least one.
    package var diagnostics: [ConfigurationDiagnostic]

    /// Creates the error.
    package init(_ code: Code, diagnostics: [ConfigurationDiagnostic]) {
        self.code = code
        self.diagnostics = diagnostics
    }

    /// One diagnostic per line: `file:line:column: key.path: message`.
    package var reason: String { diagnostics.map(\.description).joined(separator: "\n") }
}
