// Primary responsibilities: the client-wait deadlines of queries in resolution — one coarse sweep
// timer for all of them instead of a Dispatch timer each, so an answered query frees what its
// deadline held at once rather than when the deadline passes.

import Dispatch
import MamoriSystem
import ResolverServer
import Synchronization

/// Deadlines that all have the same length, fired in the order they were set.
///
/// Why not `asyncAfter` per query: each one kept its closure (the query, the response function,
/// the engine) alive for the whole wait even when the answer came a millisecond later. Under a
/// cold load of 7 k queries/s with a 2.5 s wait that was 11 MB live for 30 k names, about a third
/// of the heap, and it set the high-water mark of the process's memory (Benchmarks/e2e, malloc_stats).
/// Here an answered query's entry is removed and freed at once; only a 16-byte record of its
/// deadline stays in the queue until it is reached.
final class ClientDeadlines: Sendable {
    /// How long a query may wait.
    let wait: Duration
    /// How often expired deadlines are looked for while any is pending: a deadline fires at most
    /// this late.
    static let sweepInterval = Duration.milliseconds(50)

    /// Pending deadlines.
    private struct State {
        /// The next token.
        var nextToken: UInt64 = 1
        /// What to run at each pending deadline, by token.
        var pending: [UInt64: @Sendable () -> Void] = [:]
        /// Tokens with their deadlines (uptime nanoseconds), oldest first, from `head` on. Deadlines
        /// have one length, so setting order is deadline order.
        var order: [(deadline: UInt64, token: UInt64)] = []
        /// Index of the oldest live record in `order`.
        var head = 0
        /// The sweep timer, while anything is pending.
        var timer: (any DispatchSourceTimer)?
    }

    /// The state.
    private let state = Mutex(State())
    /// Where the sweep runs and expired deadlines fire.
    private let queue = DispatchQueue(label: "mamori.client-wait")

    /// Deadlines of length `wait`.
    init(wait: Duration) { self.wait = wait }

    /// Sets a deadline `wait` from now; `expire` runs on the sweep queue when it passes, unless
    /// ``cancel(_:)`` came first.
    /// - Returns: the token for ``cancel(_:)``.
    func schedule(_ expire: @escaping @Sendable () -> Void) -> UInt64 {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(wait.nanosecondsUpToAnHour)
        return state.withLock { state in
            let token = state.nextToken
            state.nextToken += 1
            state.pending[token] = expire
            state.order.append((deadline, token))
            if state.timer == nil { state.timer = startTimer() }
            return token
        }
    }

    /// Drops a deadline (the answer came); what it held is freed now.
    func cancel(_ token: UInt64) {
        let removed = state.withLock { $0.pending.removeValue(forKey: token) }
        _ = removed  // released here, outside the lock
    }

    /// Deadlines set and neither fired nor cancelled.
    var pendingCount: Int { state.withLock { $0.pending.count } }

    /// A repeating timer that sweeps until nothing is pending.
    private func startTimer() -> any DispatchSourceTimer {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        let interval = DispatchTimeInterval.nanoseconds(Int(Self.sweepInterval.nanosecondsUpToAnHour))
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(10))
        timer.setEventHandler { [self] in sweep() }
        timer.resume()
        return timer
    }

    /// Fires every passed deadline whose query is still waiting; stops the timer when none is left.
    private func sweep() {
        let now = DispatchTime.now().uptimeNanoseconds
        let expired = state.withLock { state -> [@Sendable () -> Void] in
            var expired: [@Sendable () -> Void] = []
            while state.head < state.order.count, state.order[state.head].deadline <= now {
                if let expire = state.pending.removeValue(forKey: state.order[state.head].token) {
                    expired.append(expire)
                }
                state.head += 1
            }
            // Drop the passed records once they are half the array: amortised O(1) per deadline.
            if state.head > 1024 && state.head * 2 > state.order.count {
                state.order.removeFirst(state.head)
                state.head = 0
            }
            if state.head == state.order.count {
                state.order.removeAll(keepingCapacity: state.order.capacity <= 4096)
                state.head = 0
                if state.pending.isEmpty {
                    state.timer?.cancel()
                    state.timer = nil
                }
            }
            return expired
        }
        for expire in expired { expire() }
    }
}
