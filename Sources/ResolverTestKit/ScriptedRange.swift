// Primary responsibilities: a group of entries served by some addresses during some steps of a
// scenario (`.rpl` `RANGE_BEGIN a b` … `RANGE_END`), so a server can change its behaviour over time.

import Resolver

/// Entries served at some addresses while the scenario's current step is within `steps`.
package struct ScriptedRange: Hashable, Sendable {
    /// The steps during which the entries are active, both ends included.
    package var steps: ClosedRange<Int>
    /// The servers that serve the entries; empty means every address (as in unbound's testbound, a
    /// range without `ADDRESS` answers queries to any server).
    package var servers: [ServerAddress]
    /// The entries, first match wins.
    package var entries: [ScriptedEntry]
    /// The line of `RANGE_BEGIN`, when the range came from a scenario file.
    package var sourceLine: Int?

    /// Creates a range.
    /// - Parameters:
    ///   - steps: active steps, both ends included; the default is always.
    ///   - servers: the addresses served; empty for all.
    ///   - entries: the entries, in priority order.
    ///   - sourceLine: the scenario line, if any.
    package init(
        steps: ClosedRange<Int> = 0...Int.max, servers: [ServerAddress], entries: [ScriptedEntry],
        sourceLine: Int? = nil
    ) {
        self.steps = steps
        self.servers = servers
        self.entries = entries
        self.sourceLine = sourceLine
    }
}
