// Primary responsibilities: the test kit's one error shape — a scenario file or its configuration
// lines that cannot be used, naming the file and the line.

import DNSWire

/// A problem in a scenario: `file:line: reason`.
///
/// Errors compare by ``code`` only (``CodedError``), so a test can ask what kind of problem was found.
package struct ScenarioError: CodedError {
    /// What went wrong.
    package enum Code: Hashable, Sendable {
        /// The scenario file could not be read.
        case unreadable
        /// A line of the script (a range, an entry, a step) that cannot be parsed.
        case badScript
        /// A configuration line (`server:` section) with an unknown key or a bad value.
        case badConfiguration
    }

    /// What went wrong, for matching.
    package let code: Code
    /// What is wrong, for a person.
    package let reason: String
    /// The file name as given to the parser; `config` for configuration lines, whose file the
    /// configuration reader is not told.
    package let file: String
    /// The 1-based line, 0 when the whole file is concerned.
    package let line: Int

    /// Creates an error.
    /// - Parameters:
    ///   - code: what went wrong.
    ///   - reason: what is wrong.
    ///   - file: the file name.
    ///   - line: the 1-based line.
    package init(_ code: Code, _ reason: String, file: String, line: Int) {
        self.code = code
        self.reason = reason
        self.file = file
        self.line = line
    }

    /// An error in a configuration line: its key and what is wrong with it.
    package init(configuration line: ConfigLine, _ reason: String) {
        self.init(.badConfiguration, "\(line.key): \(reason)", file: "config", line: line.line)
    }

    /// `file:line: reason`, the form editors and CI logs link.
    package var description: String { "\(file):\(line): \(reason)" }
}
