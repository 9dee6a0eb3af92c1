// Primary responsibilities: counting queries waiting for resolution, per source address and in
// total, so one address cannot pile up answers for a pulse (DNSBomb, architecture.md §5) and the
// daemon knows at shutdown how much work is still in flight.

import DNSWire
import MamoriConfiguration
import Synchronization

/// Counts queries handed to the engine and not yet answered.
public final class PendingLimiter: Sendable {
    /// Counts per address, and their sum.
    private struct State {
        /// Waiting queries per source address; addresses at zero are removed.
        var perClient: [IPAddress: Int] = [:]
        /// The sum of `perClient`.
        var total = 0
    }

    /// The counts, under a lock held only for a dictionary update.
    private let state = Mutex(State())

    /// Creates an empty limiter.
    public init() {}

    /// Takes a slot for `address` unless it already has `limit` queries waiting.
    /// - Returns: true when the query may be resolved; then ``release(_:)`` must follow once.
    public func acquire(_ address: IPAddress, limit: Int) -> Bool {
        state.withLock { state in
            let count = state.perClient[address, default: 0]
            guard count < limit else { return false }
            state.perClient[address] = count + 1
            state.total += 1
            return true
        }
    }

    /// Gives back a slot taken by ``acquire(_:limit:)``.
    public func release(_ address: IPAddress) {
        state.withLock { state in
            guard let count = state.perClient[address] else { return }
            state.perClient[address] = count > 1 ? count - 1 : nil
            state.total -= 1
        }
    }

    /// Queries waiting for resolution, all clients together.
    public var total: Int { state.withLock { $0.total } }

    /// Queries waiting for resolution from one address.
    public func count(for address: IPAddress) -> Int { state.withLock { $0.perClient[address, default: 0] } }
}
