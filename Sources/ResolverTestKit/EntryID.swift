// Primary responsibilities: a handle on one entry added to a scripted network.

/// Identifies an entry added to a ``ScriptedNetwork``: its position among all entries, in the order
/// they were added (file order for a scenario).
package struct EntryID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The 0-based position.
    package var index: Int

    /// Creates a handle.
    /// - Parameter index: the 0-based position.
    package init(_ index: Int) { self.index = index }

    /// Orders by position.
    package static func < (lhs: EntryID, rhs: EntryID) -> Bool { lhs.index < rhs.index }

    /// `entry #n`.
    package var description: String { "entry #\(index)" }
}
