// Primary responsibilities: the words of access control — a network and what happens to its
// clients' queries — shared by the configuration that reads `access-control` and the listeners
// that apply it.

/// One `access-control` entry: a network and what to do with its clients.
public struct AccessRule: Hashable, Sendable {
    /// The clients this rule covers.
    public var network: IPNetwork
    /// What happens to their queries.
    public var action: AccessAction

    /// Creates a rule.
    public init(network: IPNetwork, action: AccessAction) {
        self.network = network
        self.action = action
    }
}

/// What happens to a client's query (Unbound's `access-control` actions, peers.md §1c).
public enum AccessAction: String, Hashable, Sendable, CaseIterable {
    /// Answered.
    case allow
    /// Answered with REFUSED (RFC 1035 §4.1.1), nothing else.
    case refuse
    /// Dropped without an answer.
    case deny
}
