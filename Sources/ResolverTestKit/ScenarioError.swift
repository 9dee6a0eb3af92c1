// Primary responsibilities: an error in a scenario file, naming the file and the line.

/// A problem in a scenario file: `file:line: message`.
public struct ScenarioError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file name as given to the parser.
    public var file: String
    /// The 1-based line.
    public var line: Int
    /// What is wrong.
    public var message: String

    /// Creates an error.
    /// - Parameters:
    ///   - file: the file name.
    ///   - line: the 1-based line.
    ///   - message: what is wrong.
    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `file:line: message`, the form editors and CI logs link.
    public var description: String { "\(file):\(line): \(message)" }
}
