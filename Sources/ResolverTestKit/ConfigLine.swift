// Primary responsibilities: one `key: value` line of a scenario's configuration block, as written
// (ScenarioConfiguration reads the keys the engine and cache understand).

/// A line of the block before `CONFIG_END`, uninterpreted: ``ScenarioConfiguration`` turns the
/// lines into engine and cache settings, and a test may read keys of its own.
package struct ConfigLine: Hashable, Sendable, CustomStringConvertible {
    /// The text before the first colon, blanks trimmed (`server`, `qname-minimisation`).
    package var key: String
    /// The text after the first colon, blanks trimmed, quotes kept as written; empty for section
    /// headers such as `server:`.
    package var value: String
    /// The 1-based line in the scenario file.
    package var line: Int

    /// Creates a line.
    /// - Parameters:
    ///   - key: the key.
    ///   - value: the value.
    ///   - line: the file line.
    package init(key: String, value: String, line: Int) {
        self.key = key
        self.value = value
        self.line = line
    }

    /// `key: value`.
    package var description: String { value.isEmpty ? "\(key):" : "\(key): \(value)" }
}
