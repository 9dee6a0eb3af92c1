// Primary responsibilities: an UpstreamTransport made of scripted authoritative servers. It finds
// the entry that applies to each query (by address, step range and match, first wins), performs its
// action against the manual clock, round-trips replies through the wire codec, and records every
// query and every entry's use for assertions.

import DNSWire
import Resolver
import Synchronization

/// Scripted authoritative servers by address, behind the engine's ``UpstreamTransport`` seam.
///
/// For a query to `server` the network looks, in the order entries were added, for the first entry
/// whose range is active at the current step, serves `server` (or every address) and matches the
/// query; then it performs the entry's ``EntryAction``. An address no range serves has no server:
/// the query times out. A served address with no matching entry follows its ``UnmatchedPolicy``
/// (``UnmatchedPolicy/silence`` unless set otherwise).
///
/// Time: a timeout (silence, no server, a delay at or beyond the timeout) moves the clock by the
/// query's timeout, and a delayed answer by its delay, so a whole resolution takes a realistic,
/// deterministic time. Nothing else moves the clock.
///
/// Replies are encoded and parsed again before they are returned, so the engine receives exactly
/// what the wire would carry. The ID and question are always copied from the query: accepting a
/// reply is the transport's job (RFC 5452), so a reply the transport would reject is scripted with
/// ``EntryAction/spoof`` instead.
///
/// Thread-safe: all state lives behind one `Mutex`; queries are handled one at a time, atomically.
package final class ScriptedNetwork: UpstreamTransport {
    /// One entry with the range it belongs to.
    private struct Slot {
        /// The entry.
        var entry: ScriptedEntry
        /// The active steps of its range.
        var steps: ClosedRange<Int>
        /// Its range's servers; empty for all.
        var servers: Set<ServerAddress>
    }

    /// What handling a query decided.
    private struct Decision {
        /// The transport's result.
        var reply: UpstreamReply
        /// The entry used, if any.
        var entry: EntryID?
        /// Garbage datagrams sent before the reply.
        var ignoredDatagrams = 0
        /// How far the clock moves.
        var elapsed: Duration = .zero
    }

    /// The mutable state.
    private struct State {
        /// Every entry, in the order added.
        var slots: [Slot] = []
        /// Times each entry was used, by position.
        var matchCounts: [Int] = []
        /// Every address some range serves.
        var servedAddresses: Set<ServerAddress> = []
        /// Whether some range serves every address.
        var servesEveryAddress = false
        /// Per-server unmatched-query policies.
        var unmatchedPolicies: [ServerAddress: UnmatchedPolicy] = [:]
        /// The policy for servers without their own.
        var defaultUnmatchedPolicy: UnmatchedPolicy = .silence
        /// The scenario's current step.
        var currentStep = 0
        /// Every query received, in order.
        var queries: [UpstreamQueryRecord] = []
    }

    /// The clock moved by timeouts and delays.
    package let clock: ManualClock
    /// The state, guarded.
    private let state = Mutex(State())

    /// Creates a network with no servers.
    /// - Parameter clock: the clock that timeouts and delays move.
    package init(clock: ManualClock) {
        self.clock = clock
    }

    /// Creates a network scripted by a scenario's ranges and `UNMATCHED` policies.
    /// - Parameters:
    ///   - scenario: the parsed scenario.
    ///   - clock: the clock that timeouts and delays move.
    package convenience init(scenario: Scenario, clock: ManualClock) {
        self.init(clock: clock)
        for range in scenario.ranges { add(range) }
        for (server, policy) in scenario.unmatchedPolicies { setUnmatchedPolicy(policy, for: server) }
    }

    // MARK: - Scripting

    /// Adds a range's entries after those already present.
    /// - Parameter range: the range.
    /// - Returns: the handles of its entries, in order.
    @discardableResult
    package func add(_ range: ScriptedRange) -> [EntryID] {
        state.withLock { state in
            let servers = Set(range.servers)
            if servers.isEmpty { state.servesEveryAddress = true }
            state.servedAddresses.formUnion(servers)
            return range.entries.map { entry in
                state.slots.append(Slot(entry: entry, steps: range.steps, servers: servers))
                state.matchCounts.append(0)
                return EntryID(state.slots.count - 1)
            }
        }
    }

    /// Adds one entry served by `servers` during `steps`.
    /// - Parameters:
    ///   - entry: the entry.
    ///   - servers: the addresses serving it; empty for all.
    ///   - steps: the active steps; always by default.
    /// - Returns: its handle.
    @discardableResult
    package func add(
        _ entry: ScriptedEntry, at servers: [ServerAddress], steps: ClosedRange<Int> = 0...Int.max
    )
        -> EntryID
    {
        add(ScriptedRange(steps: steps, servers: servers, entries: [entry]))[0]
    }

    /// Sets what a server does with queries no entry matches.
    /// - Parameters:
    ///   - policy: the policy.
    ///   - server: the server, or nil to set the default for every server without its own.
    package func setUnmatchedPolicy(_ policy: UnmatchedPolicy, for server: ServerAddress?) {
        state.withLock { state in
            if let server {
                state.unmatchedPolicies[server] = policy
            } else {
                state.defaultUnmatchedPolicy = policy
            }
        }
    }

    /// The scenario step that decides which ranges are active; the runner sets it before each step.
    package var currentStep: Int {
        get { state.withLock { $0.currentStep } }
        set { state.withLock { $0.currentStep = newValue } }
    }

    // MARK: - Observation

    /// Every query received, in order.
    package var queries: [UpstreamQueryRecord] { state.withLock { $0.queries } }

    /// The number of queries received.
    package var queryCount: Int { state.withLock { $0.queries.count } }

    /// Queries that no entry handled (unmatched, or sent to an address without a server).
    package var unmatchedQueries: [UpstreamQueryRecord] { state.withLock { $0.queries.filter { $0.entry == nil } } }

    /// How many queries an entry handled.
    /// - Parameter entry: the handle.
    /// - Returns: the count; 0 for an unknown handle.
    package func timesMatched(_ entry: EntryID) -> Int {
        state.withLock { state in
            state.matchCounts.indices.contains(entry.index) ? state.matchCounts[entry.index] : 0
        }
    }

    /// How many queries the entries with this label handled, together.
    /// - Parameter label: the `ENTRY_BEGIN` label.
    /// - Returns: the sum; nil when no entry has the label.
    package func timesMatched(label: String) -> Int? {
        state.withLock { state in
            let indices = state.slots.indices.filter { state.slots[$0].entry.label == label }
            return indices.isEmpty ? nil : indices.reduce(0) { $0 + state.matchCounts[$1] }
        }
    }

    /// The entry behind a handle.
    /// - Parameter id: the handle.
    /// - Returns: the entry, or nil for an unknown handle.
    package func entry(_ id: EntryID) -> ScriptedEntry? {
        state.withLock { $0.slots.indices.contains(id.index) ? $0.slots[id.index].entry : nil }
    }

    // MARK: - UpstreamTransport

    /// Delivers `query` to the scripted server at `server`, performs what the script says and records
    /// the query.
    /// - Parameters:
    ///   - query: the query as the engine built it.
    ///   - server: the address and port.
    ///   - transport: UDP or TCP.
    ///   - timeout: how long the engine waits; the clock moves by this much when nothing arrives.
    /// - Returns: what the transport would report.
    package func send(
        _ query: Message, to server: ServerAddress, over transport: DNSTransport, timeout: Duration
    )
        async -> UpstreamReply
    {
        state.withLock { state in
            let serverExists = state.servesEveryAddress || state.servedAddresses.contains(server)
            let sentAt = clock.monotonicNow
            var decision: Decision
            if serverExists {
                decision = Self.decide(query, server: server, over: transport, timeout: timeout, state: &state)
            } else {
                decision = Decision(reply: .timeout, elapsed: timeout)
            }
            if case .response(let message) = decision.reply {
                decision.reply = Self.roundTrip(message)
            }
            clock.advance(by: decision.elapsed)
            let outcome: UpstreamQueryRecord.Outcome =
                switch decision.reply {
                case .response(let message): .response(message.rcode, truncated: message.header.truncated)
                case .timeout: .timeout
                case .mismatch: .mismatch
                case .networkError(let reason): .networkError(reason)
                case .notSent(let reason): .networkError("not sent: \(reason)")
                }
            state.queries.append(
                UpstreamQueryRecord(
                    index: state.queries.count, step: state.currentStep, time: sentAt, server: server,
                    transport: transport, question: query.question, opcode: query.header.opcode,
                    recursionDesired: query.header.recursionDesired, checkingDisabled: query.header.checkingDisabled,
                    edns: query.edns, timeout: timeout, entry: decision.entry, serverExists: serverExists,
                    ignoredDatagrams: decision.ignoredDatagrams, outcome: outcome))
            return decision.reply
        }
    }

    // MARK: - Handling

    /// Finds the entry for a query to an existing server and performs its action.
    /// - Parameters:
    ///   - query: the query.
    ///   - server: the server.
    ///   - transport: UDP or TCP.
    ///   - timeout: the engine's timeout.
    ///   - state: the network state (match counts are updated).
    /// - Returns: the decision.
    private static func decide(
        _ query: Message, server: ServerAddress, over transport: DNSTransport, timeout: Duration,
        state: inout State
    ) -> Decision {
        for index in state.slots.indices {
            let slot = state.slots[index]
            guard slot.steps.contains(state.currentStep), slot.servers.isEmpty || slot.servers.contains(server),
                slot.entry.match.matches(query, over: transport)
            else { continue }
            switch slot.entry.action {
            case .truncate where transport != .udp, .spoof where transport != .udp:
                continue  // passed over on a stream (TCP, TLS): the next matching entry applies
            default:
                state.matchCounts[index] += 1
                var decision = perform(slot.entry, for: query, timeout: timeout)
                decision.entry = EntryID(index)
                return decision
            }
        }
        switch state.unmatchedPolicies[server] ?? state.defaultUnmatchedPolicy {
        case .silence:
            return Decision(reply: .timeout, elapsed: timeout)
        case .rcode(let rcode):
            return Decision(reply: .response(ScriptedResponse.bare(rcode, answering: query)))
        }
    }

    /// Performs an entry's action.
    /// - Parameters:
    ///   - entry: the entry.
    ///   - query: the query it matched.
    ///   - timeout: the engine's timeout.
    /// - Returns: the decision, without the entry handle.
    private static func perform(_ entry: ScriptedEntry, for query: Message, timeout: Duration) -> Decision {
        /// An answer that takes the entry's delay to arrive, or a timeout if that is too long.
        func arriving(_ reply: UpstreamReply, garbage: Int = 0) -> Decision {
            guard entry.delay < timeout else {
                return Decision(reply: .timeout, ignoredDatagrams: garbage, elapsed: timeout)
            }
            return Decision(reply: reply, ignoredDatagrams: garbage, elapsed: entry.delay)
        }
        switch entry.action {
        case .reply:
            return arriving(.response(entry.response.message(answering: query)))
        case .silence:
            return Decision(reply: .timeout, elapsed: timeout)
        case .truncate:
            var truncated = entry.response
            truncated.truncated = true
            truncated.answer = []
            truncated.authority = []
            truncated.additional = []
            return arriving(.response(truncated.message(answering: query)))
        case .spoof:
            return arriving(.mismatch)
        case .garbageThenReply(let count):
            return arriving(.response(entry.response.message(answering: query)), garbage: count)
        case .formerrIfEDNS:
            if query.edns != nil { return arriving(.response(ScriptedResponse.bare(.formErr, answering: query))) }
            return arriving(.response(entry.response.message(answering: query)))
        case .networkError(let reason):
            return Decision(reply: .networkError(reason))
        }
    }

    /// Encodes and parses a reply, as the wire would.
    /// - Parameter message: the scripted reply.
    /// - Returns: the parsed reply, or a network error naming the codec's complaint (a script bug).
    private static func roundTrip(_ message: Message) -> UpstreamReply {
        do {
            return .response(try Message(parsing: try message.serialized()))
        } catch {
            return .networkError("scripted reply does not encode: \(error)")
        }
    }
}
