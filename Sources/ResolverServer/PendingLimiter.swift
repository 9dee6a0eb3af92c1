// Primary responsibilities: counting queries waiting for resolution, per source address and in
// total, so one address cannot pile up answers for a pulse (DNSBomb, architecture.md §5) and the
// daemon knows at shutdown how much work is still in flight.

import DNSWire
import Synchronization

/// Counts queries handed to the engine and not yet answered.
package final class PendingLimiter: Sendable {
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
    package init() {}

    /// Whether a query may wait for resolution.
    package enum Admission: Sendable, Equatable {
        /// Admitted: ``release(_:)`` must follow once.
        case admitted
        /// Its address already has its per-client limit waiting.
        case clientLimit
        /// All clients together are at the total limit and this address has its fair share.
        case totalLimit
    }

    /// Takes a slot for `address` unless it already has `limit` queries waiting, or the total is
    /// at `totalLimit` and the address already holds its fair share of it (`totalLimit` divided by
    /// the addresses waiting, this one included). So a flood from one source fills the total and
    /// then only takes back its own freed slots, while every other client is still admitted; the
    /// admitted below-share queries add at most `totalLimit` more (the shares sum to it).
    package func acquire(_ address: IPAddress, limit: Int, totalLimit: Int = .max) -> Admission {
        state.withLock { state in
            let count = state.perClient[address, default: 0]
            guard count < limit else { return .clientLimit }
            if state.total >= totalLimit {
                let clients = state.perClient.count + (count == 0 ? 1 : 0)
                guard count < totalLimit / clients else { return .totalLimit }
            }
            state.perClient[address] = count + 1
            state.total += 1
            return .admitted
        }
    }

    /// Gives back a slot taken by ``acquire(_:limit:)``.
    package func release(_ address: IPAddress) {
        state.withLock { state in
            guard let count = state.perClient[address] else { return }
            state.perClient[address] = count > 1 ? count - 1 : nil
            state.total -= 1
        }
    }

    /// Queries waiting for resolution, all clients together.
    package var total: Int { state.withLock { $0.total } }

    /// Queries waiting for resolution from one address.
    package func count(for address: IPAddress) -> Int { state.withLock { $0.perClient[address, default: 0] } }
}
