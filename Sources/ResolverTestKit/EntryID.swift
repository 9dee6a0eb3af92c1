// Primary responsibilities: a handle on one entry added to a scripted network.

/// Identifies an entry added to a ``ScriptedNetwork``: its position among all entries, in the order
/// they were added (file order for a scenario).
public struct EntryID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The 0-based position.
    public var index: Int

    /// Creates a handle.
    /// - Parameter index: the 0-based position.
    public init(_ index: Int) { self.index = index }

    /// Orders by position.
    public static func < (lhs: EntryID, rhs: EntryID) -> Bool { lhs.index < rhs.index }

    /// `entry #n`.
    public var description: String { "entry #\(index)" }
}
