// Primary responsibilities: one failed check of a replay — which step, where in the file, what was
// wrong, and both sides printed in full.

/// A step of a scenario that did not pass.
package struct ReplayFailure: Hashable, Sendable, CustomStringConvertible {
    /// The step number.
    package var step: Int
    /// The scenario file name.
    package var file: String
    /// The line of the `STEP` line (0 when unknown).
    package var line: Int
    /// What was wrong, one sentence per difference.
    package var summary: [String]
    /// What was expected, printed (a message in presentation format, or a query list); may be empty.
    package var expected: String
    /// What came, printed the same way; may be empty.
    package var actual: String

    /// Creates a failure.
    /// - Parameters:
    ///   - step: the step number.
    ///   - file: the file name.
    ///   - line: the `STEP` line.
    ///   - summary: the differences.
    ///   - expected: the expected side, printed.
    ///   - actual: the actual side, printed.
    package init(step: Int, file: String, line: Int, summary: [String], expected: String = "", actual: String = "") {
        self.step = step
        self.file = file
        self.line = line
        self.summary = summary
        self.expected = expected
        self.actual = actual
    }

    /// `file:line: step N: …`, then the differences, then both sides.
    package var description: String {
        var text = "\(file):\(line): step \(step): " + summary.joined(separator: "; ")
        if !expected.isEmpty { text += "\n--- expected\n" + expected }
        if !actual.isEmpty { text += "\n--- got\n" + actual }
        return text
    }
}
