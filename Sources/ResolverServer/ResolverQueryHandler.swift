// Primary responsibilities: the QueryHandler the daemon runs — cache hits answered synchronously
// on the listener queue, misses resolved by the iterative engine in a task, and a client that has
// waited too long answered SERVFAIL while the resolution goes on filling the cache.

import DNSWire
import Dispatch
import Resolver
import Synchronization

/// Connects the listeners to the iterative engine (architecture §3 steps 2–4).
public final class ResolverQueryHandler: QueryHandler {
    /// The engine in force; SIGHUP swaps in one built from the new configuration (sharing the
    /// caches), while resolutions already running finish on the old one.
    private let current: Mutex<IterativeResolver>
    /// How long a client waits before it is answered SERVFAIL: stubs retry after about two
    /// seconds (architecture §5), so an answer after that helps nobody, and its slot is freed.
    let clientWait: Duration
    /// The client-wait deadlines of queries in resolution.
    private let deadlines: ClientDeadlines

    /// Creates a handler over `engine`.
    public init(engine: IterativeResolver, clientWait: Duration = .milliseconds(2500)) {
        current = Mutex(engine)
        self.clientWait = clientWait
        deadlines = ClientDeadlines(wait: clientWait)
    }

    /// Queries in resolution whose client is still waiting for the answer.
    public var waitingCount: Int { deadlines.pendingCount }

    /// The engine currently in force.
    public var engine: IterativeResolver { current.withLock { $0 } }

    /// Replaces the engine (a reload); resolutions in flight keep the one they started with.
    public func replace(with engine: IterativeResolver) { current.withLock { $0 = engine } }

    /// Answers from the cache alone: no allocation beyond the response, no task, no wait. The
    /// query's CD bit decides whether cached bogus data may be served (RFC 4035 §3.2.2).
    public func answerFromCache(_ query: Message, client: ClientAddress) -> Message? {
        guard let question = query.question,
            let resolution = engine.answerFromCache(question, checkingDisabled: query.header.checkingDisabled)
        else { return nil }
        return ClientResponse.make(resolution, for: query)
    }

    /// Resolves in a task and responds once: with the answer, or with SERVFAIL (EDE 22, saying the
    /// resolution is still running) when ``clientWait`` passes first.
    public func resolve(_ query: Message, client: ClientAddress, respond: @escaping @Sendable (Message) -> Void) {
        guard let question = query.question else { return respond(Message(rcode: .formErr)) }
        let once = Once(respond)
        let engine = self.engine
        let checkingDisabled = query.header.checkingDisabled
        let clientWait = self.clientWait
        let deadline = deadlines.schedule {
            // RFC 8767 §4 client response timer: with serve-stale, expired data beats a SERVFAIL.
            if engine.configuration.serveStale,
                let stale = engine.answerFromCache(question, checkingDisabled: checkingDisabled, allowStale: true)
            {
                return once.call(ClientResponse.make(stale, for: query))
            }
            once.call(
                ClientResponse.make(
                    .failure(
                        ExtendedDNSError(
                            .noReachableAuthority,
                            "no answer for \(question) within \(clientWait); still resolving, ask again")),
                    for: query))
        }
        let deadlines = self.deadlines
        Task {
            let resolution = await engine.resolve(question, checkingDisabled: checkingDisabled)
            deadlines.cancel(deadline)
            once.call(ClientResponse.make(resolution, for: query))
        }
    }

    /// Calls a response function at most once, whoever comes first.
    final class Once: Sendable {
        /// The function, until called.
        private let function: Mutex<(@Sendable (Message) -> Void)?>

        /// Wraps `function`.
        init(_ function: @escaping @Sendable (Message) -> Void) { self.function = Mutex(function) }

        /// Calls the function if nobody has yet.
        func call(_ message: Message) {
            let taken = function.withLock { stored -> (@Sendable (Message) -> Void)? in
                defer { stored = nil }
                return stored
            }
            taken?(message)
        }
    }
}
