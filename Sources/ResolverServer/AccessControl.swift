// Primary responsibilities: deciding, per client address, whether a query is answered, refused or
// dropped (`access-control`, first match wins; no match means refuse, as in Unbound).

import DNSWire

/// The access-control list, compiled for lookups on the hot path.
package struct AccessControl: Hashable, Sendable {
    /// The rules, in the order written; the first network containing the client decides.
    package let rules: [AccessRule]

    /// Creates the list.
    package init(rules: [AccessRule]) { self.rules = rules }

    /// What to do with a query from `address`: the first matching rule's action, else
    /// ``AccessAction/refuse`` (clients outside the list learn that we are not their resolver,
    /// without being given recursion: an open resolver is an amplifier, peers.md §4a).
    package func action(for address: IPAddress) -> AccessAction {
        let client = address.unmapped
        for rule in rules where rule.network.contains(client) { return rule.action }
        return .refuse
    }
}
