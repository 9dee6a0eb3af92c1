// Primary responsibilities: what follows the configuration file across SIGHUP — the service's side
// of a reload, and what it saves when the daemon stops.

import MamoriConfiguration

/// Something whose settings follow the configuration file across SIGHUP.
package protocol Reloadable: Sendable {
    /// Applies a new configuration, already parsed and checked, keeping what the change does not
    /// touch (the cache above all; peers.md §3 item 9).
    /// - Throws: any error to reject the configuration: the old one then stays in force, whole.
    func reload(_ configuration: Configuration) throws

    /// Called once when the daemon stops, after the listeners closed: the place to save what
    /// should outlive the process (the cache, RFC 5011 state). Bounded in time by its own work.
    func prepareToStop()
}

extension Reloadable {
    /// Nothing to save by default.
    package func prepareToStop() {}
}
