// Primary responsibilities: the path of one query through the server (architecture.md §3), free
// of sockets: access control, header and message checks (FORMERR, NOTIMP, BADVERS, REFUSED), the
// packet cache and the cache fast path, RD=0 handling, the per-client waiting limit, sizing of every response,
// and the client's DNS cookie in each (RFC 7873 §5.2); every response reported to the observers that
// want it (ResponseObserver: the failure and query logs).

import DNSCache
import DNSWire
import MamoriSystem
import Resolver
import Synchronization

/// Turns query bytes into response bytes, now (fast path) or later (slow path).
///
/// Shared by every listener; each call runs on the calling listener's queue. Listeners only move
/// bytes: everything about DNS is decided here, so it is tested without sockets.
package final class QueryProcessor: Sendable {
    /// What a listener does with one incoming message.
    package enum Outcome: Sendable {
        /// Send nothing (denied client, unreadable header, a response, over the waiting limit on UDP).
        case drop
        /// Send these bytes now.
        case respond([UInt8])
        /// Hand the query to ``resolve(_:client:deliver:)``: a waiting slot is already taken.
        case resolve(AdmittedQuery)
    }

    /// The engine.
    package let handler: any QueryHandler
    /// The waiting queries.
    package let pending = PendingLimiter()
    /// Responses of hot cached names by query bytes, in front of ``QueryHandler/answerFromCache(_:client:)``;
    /// nil when `cache.packet-cache` is off.
    package let packetCache: PacketCache?
    /// Wall-clock seconds for the packet cache's TTLs, the clock the RRset cache runs on.
    private let clock: any ResolverClock
    /// Counters for `metrics.listen`, or nil when metrics are off.
    package let metrics: ServerMetrics?
    /// The server cookies of every listener's clients (`server.answer-cookies`).
    package let serverCookies: ServerCookies
    /// Told of responses as they leave (``report(_:client:flags:hasOptions:started:query:response:)``).
    package let observers: [any ResponseObserver]
    /// The settings in force, replaced at reload, and how many times they were replaced: a part
    /// of the packet cache's generation (``generation(_:)``).
    private let currentPolicy: Mutex<(policy: ServerPolicy, epoch: UInt64)>

    /// Creates a processor.
    /// - Parameters:
    ///   - serverCookies: the server cookies; by default a random secret from now on.
    ///   - observers: told of the responses each wants, in order.
    package init(
        handler: any QueryHandler, policy: ServerPolicy, packetCache: PacketCache? = nil,
        clock: any ResolverClock = SystemClock(), metrics: ServerMetrics? = nil, serverCookies: ServerCookies? = nil,
        observers: [any ResponseObserver] = []
    ) {
        self.observers = observers
        self.handler = handler
        self.packetCache = packetCache
        self.clock = clock
        self.metrics = metrics
        self.serverCookies = serverCookies ?? ServerCookies(now: clock.wallSeconds)
        self.currentPolicy = Mutex((policy, 0))
    }

    /// The settings in force.
    package var policy: ServerPolicy { currentPolicy.withLock { $0.policy } }

    /// Replaces the settings; queries already past their checks are not affected. The packet
    /// cache's responses were sized and built under the old settings: none is replayed after this.
    package func update(policy: ServerPolicy) {
        currentPolicy.withLock { $0 = (policy, $0.epoch + 1) }
    }

    /// The packet cache's generation: the handler's answer generation plus the times the settings
    /// were replaced. Both only grow, so the sum changes whenever either does, and a response is
    /// replayed only while neither the handler's answers nor the server's settings have changed.
    private func generation(_ epoch: UInt64) -> UInt64 { handler.answerGeneration &+ epoch }

    /// The settings one query is handled under, read in one lock when it arrives: the
    /// access-control decision is made once per query, whether or not the packet cache answers it.
    package struct QuerySettings: Sendable {
        /// What access control says of the client.
        let access: AccessAction
        /// ``ServerPolicy/ednsBufferSize``.
        let ednsBufferSize: Int
        /// ``ServerPolicy/maxPendingPerClient``.
        let maxPendingPerClient: Int
        /// ``ServerPolicy/maxPending``.
        let maxPending: Int
        /// ``ServerPolicy/answerCookies``.
        let answerCookies: Bool
        /// The settings epoch, a part of the packet cache's generation.
        let epoch: UInt64
    }

    /// What ``answerFromPacketCache(_:client:into:)`` did.
    package enum PacketCacheReply: Sendable {
        /// The response is in the destination, this many octets long.
        case answered(Int)
        /// Not answered: the listener calls ``handle(_:client:settings:)`` with these settings (nil
        /// when none were read: no packet cache, or not a query).
        case missed(QuerySettings?)

        /// The response's length when answered.
        package var length: Int? {
            guard case .answered(let length) = self else { return nil }
            return length
        }
    }

    /// The settings in force for a query from `client`. Only the fields a query needs are read
    /// under the lock: copying the whole policy retained and released its arrays on every query
    /// (Benchmarks/e2e profile).
    @inline(__always)
    private func settings(for client: ClientAddress) -> QuerySettings {
        currentPolicy.withLock {
            QuerySettings(
                access: $0.policy.accessControl.action(for: client.address), ednsBufferSize: $0.policy.ednsBufferSize,
                maxPendingPerClient: $0.policy.maxPendingPerClient, maxPending: $0.policy.maxPending,
                answerCookies: $0.policy.answerCookies, epoch: $0.epoch)
        }
    }

    /// The packet-cache hit of ``handle(_:client:settings:)``, written straight into a listener's
    /// send slot: no copy of the query, no allocation. On a miss (nothing stored for this client's
    /// query, or not allowed, or not a query) the listener calls ``handle(_:client:settings:)`` with
    /// the settings read here, so access control is not asked twice.
    package func answerFromPacketCache(
        _ bytes: UnsafeBufferPointer<UInt8>, client: ClientAddress, into destination: UnsafeMutableBufferPointer<UInt8>
    ) -> PacketCacheReply {
        guard let packetCache, bytes.count >= 12, bytes[2] & 0x80 == 0 else { return .missed(nil) }
        let started = observedAtArrival()
        let arrival = metrics == nil ? 0 : monotonicNanoseconds()
        let settings = settings(for: client)
        let now = clock.wallSeconds
        let answerCookies = settings.answerCookies
        guard settings.access == .allow,
            let length = packetCache.answer(
                bytes, transport: Self.packetCacheClass(client.transport), now: now,
                generation: generation(settings.epoch), into: destination,
                serverCookie: { cookie, received, out in
                    answerCookies
                        && serverCookies.write(
                            client: cookie, received: received, address: client.address, now: now, into: out)
                })
        else { return .missed(settings) }
        if let metrics {
            metrics.received(client.transport)
            metrics.respondedFromPacketCache(query: bytes, flags: destination[3], started: arrival)
        }
        if !observers.isEmpty {
            report(
                .packetCache, client: client, flags: destination[3], hasOptions: destination[10] | destination[11] != 0,
                started: started, query: { Array(bytes) }, response: { Array(destination.prefix(length)) })
        }
        return .answered(length)
    }

    /// The arrival time, read only when an observer wants every response (for its latency).
    @inline(__always)
    private func observedAtArrival() -> ContinuousClock.Instant? {
        guard !observers.isEmpty, observers.contains(where: { $0.observesEveryResponse }) else { return nil }
        return .now
    }

    /// Tells each observer that wants it of a response: every observer of a failure, the others
    /// only while they want every response. The query and response bytes are made only then.
    @inline(__always)
    private func report(
        _ source: ResponseSource, client: ClientAddress, flags: UInt8, hasOptions: Bool,
        started: ContinuousClock.Instant?, query: () -> [UInt8], response: () -> [UInt8]
    ) {
        let failure = SentResponse.isFailure(flags: flags, hasOptions: hasOptions)
        var sent: SentResponse? = nil
        for observer in observers where failure || observer.observesEveryResponse {
            if sent == nil {
                sent = SentResponse(
                    client: client, source: source, query: query(), response: response(),
                    latency: started.map { .now - $0 })
            }
            observer.observe(sent!)
        }
    }

    /// ``report(_:client:flags:hasOptions:started:query:response:)`` for a response made as an array.
    @inline(__always)
    private func report(
        _ source: ResponseSource, client: ClientAddress, started: ContinuousClock.Instant?, query: [UInt8],
        response: [UInt8]
    ) -> Outcome {
        if !observers.isEmpty, response.count >= 12 {
            report(
                source, client: client, flags: response[3], hasOptions: response[10] | response[11] != 0,
                started: started, query: { query }, response: { response })
        }
        return .respond(response)
    }

    /// Checks one message and answers it from the server or the cache when possible.
    /// - Parameters:
    ///   - bytes: the datagram, or the TCP frame without its length prefix.
    ///   - client: its source.
    ///   - checked: the settings ``answerFromPacketCache(_:client:into:)`` read when it missed: the
    ///     packet cache was asked already, and access control is not asked again.
    /// - Returns: what the listener should do.
    package func handle(_ bytes: [UInt8], client: ClientAddress, settings checked: QuerySettings? = nil) -> Outcome {
        let started = observedAtArrival()
        let arrival = metrics == nil ? 0 : monotonicNanoseconds()
        let settings = checked ?? settings(for: client)
        let (access, ednsBufferSize, answerCookies) = (settings.access, settings.ednsBufferSize, settings.answerCookies)
        let (maxPending, maxPendingTotal, epoch) = (settings.maxPendingPerClient, settings.maxPending, settings.epoch)
        // Read before anything is answered: a response made while the answers change is offered
        // under the old generation, and never replayed under the new one.
        let generation = generation(epoch)
        metrics?.received(client.transport)
        if access == .deny {
            metrics?.dropped(.denied)
            return .drop
        }
        // RFC 1035 §4.1.1: without a whole header there is no ID to answer to. Read in place:
        // `Header.parse` also returns the counts in an array, an allocation per query.
        guard bytes.count >= 12 else {
            metrics?.dropped(.unreadable)
            return .drop
        }
        let header = Header(
            id: UInt16(bytes[0]) << 8 | UInt16(bytes[1]), flagBits: UInt16(bytes[2]) << 8 | UInt16(bytes[3]))
        guard !header.isResponse else {
            metrics?.dropped(.unreadable)
            return .drop
        }
        // A query byte-identical (but for ID and letter case) to one the cache answered recently:
        // replay that response without parsing (PacketCache says why that is exact).
        let transport = Self.packetCacheClass(client.transport)
        let now = clock.wallSeconds
        if access == .allow, checked == nil, let packetCache,
            let response = packetCache.answer(
                bytes, transport: transport, now: now, generation: generation,
                serverCookie: { cookie, received, out in
                    answerCookies
                        && serverCookies.write(
                            client: cookie, received: received, address: client.address, now: now, into: out)
                })
        {
            if let metrics {
                bytes.withUnsafeBufferPointer {
                    metrics.respondedFromPacketCache(query: $0, flags: response[3], started: arrival)
                }
            }
            return report(.packetCache, client: client, started: started, query: bytes, response: response)
        }
        let query: Message
        do {
            query = try Message(parsing: bytes)
        } catch {
            guard access != .refuse else {
                metrics?.dropped(.unreadable)
                return .drop
            }
            metrics?.responded(rcode: RCode.formErr.rawValue, authenticated: false, source: .server, started: arrival)
            return report(
                .server, client: client, started: started, query: bytes,
                response: ResponseBuilder.formatError(header: header))
        }
        let size = ResponseBuilder.size(for: query, over: client.transport, ednsBufferSize: ednsBufferSize)
        // Every response to an EDNS(0) query with a COOKIE carries the client's cookie back
        // (RFC 7873 §5.2); BADVERS does not, the query's options being of another EDNS version.
        var cookie: EDNSOption? = nil
        func reply(_ message: Message) -> Outcome {
            metrics?.responded(message, source: .server, started: arrival)
            return report(
                .server, client: client, started: started, query: bytes,
                response: ResponseBuilder.encode(message, size: size))
        }
        func error(_ rcode: RCode, _ extended: ExtendedDNSError? = nil) -> Outcome {
            reply(
                ResponseBuilder.error(
                    rcode, for: query, ednsBufferSize: ednsBufferSize, extendedError: extended, cookie: cookie))
        }

        if access == .refuse { return error(.refused, ExtendedDNSError(.prohibited)) }
        if answerCookies, let edns = query.edns, edns.version == 0 {
            switch serverCookies.answer(edns, address: client.address, now: now) {
            case .none: break
            case .malformed: return error(.formErr)  // RFC 7873 §5.2.2
            case .option(let option): cookie = option
            }
        }
        guard query.header.opcode == .query else { return error(.notImp) }
        guard query.questions.count == 1, let question = query.question else { return error(.formErr) }
        metrics?.asked(question.type)
        if let edns = query.edns, edns.version != 0 {
            return reply(ResponseBuilder.badVersion(for: query, ednsBufferSize: ednsBufferSize))
        }
        // Zone transfers and meta types are not for a recursive resolver (RFC 5936 §6 leaves it to policy).
        if question.type.rawValue == 251 || question.type.rawValue == 252 { return error(.refused) }
        if question.type == .opt { return error(.formErr) }
        // TKEY, TSIG, MAILB, MAILA and the other meta-types (RFC 6895 §3.1) are not data to look up;
        // ANY (255) is, and gets what the authorities choose to give (RFC 8482).
        if question.type.isMetaType && question.type != .any {
            return error(.notImp, ExtendedDNSError(.notSupported, "QTYPE \(question.type) is not resolved"))
        }
        // Only class IN is resolved: CH, HS and the rest have no delegation tree from the IN root, and
        // sending them to the root servers would only earn errors (Unbound and BIND refuse them too).
        if question.rrClass != .in {
            return error(
                .refused, ExtendedDNSError(.notSupported, "only class IN is resolved, not \(question.rrClass)"))
        }

        /// A response from the cache or a local answer stage, offered to the packet cache.
        func answered(_ cached: Message, source: ResponseSource) -> Outcome {
            let finished = ResponseBuilder.finish(cached, for: query, ednsBufferSize: ednsBufferSize, cookie: cookie)
            metrics?.responded(finished, source: source == .local ? .local : .cache, started: arrival)
            let response = ResponseBuilder.encode(finished, size: size)
            // A padded response is not replayed: the packet cache writes each client's own cookie
            // into a replay, whose length would then miss the padding block.
            if size.paddingBlock == nil {
                packetCache?.offer(
                    query: bytes, response: response, transport: transport, now: now, generation: generation)
            }
            return report(source, client: client, started: started, query: bytes, response: response)
        }
        let miss: CacheMiss
        switch handler.answerFromCache(query, client: client) {
        case .miss(let found): miss = found
        case .response(let cached): return answered(cached, source: .cache)
        case .local(let cached): return answered(cached, source: .local)
        }
        // RD=0: only what the cache holds (TsuKing, peers.md §4a); EDE 20 as RFC 8914 §4.21 suggests.
        guard query.header.recursionDesired else {
            return error(.refused, ExtendedDNSError(.notAuthoritative, "recursion not desired and not cached"))
        }
        let admission = pending.acquire(client.address, limit: maxPending, totalLimit: maxPendingTotal)
        guard admission == .admitted else {
            // UDP sources can be forged: dropping gives a flood nothing back. TCP ones cannot: say no.
            guard client.transport != .udp else {
                metrics?.dropped(admission == .clientLimit ? .waitingLimit : .waitingTotalLimit)
                return .drop
            }
            let reason =
                admission == .clientLimit ? "too many queries waiting" : "resolver busy: too many queries waiting"
            return error(.refused, ExtendedDNSError(.other, reason))
        }
        return .resolve(AdmittedQuery(message: query, miss: miss, bytes: bytes, started: started, arrival: arrival))
    }

    /// The packet cache's transport class: UDP answers are truncated to the client's size, stream
    /// answers are not, and encrypted ones may be padded (``ResponseBuilder/size(for:over:ednsBufferSize:)``),
    /// so a response is replayed only to a query of its own class.
    @inline(__always)
    private static func packetCacheClass(_ transport: DNSTransport) -> UInt8 {
        transport == .udp ? 0 : transport.isEncrypted ? 2 : 1
    }

    /// Resolves a query admitted by ``handle(_:client:)`` and delivers the encoded response.
    /// - Parameter deliver: called once, on the engine's thread, with the bytes to send.
    package func resolve(
        _ admitted: AdmittedQuery, client: ClientAddress, deliver: @escaping @Sendable ([UInt8]) -> Void
    ) {
        let query = admitted.message
        let pending = self.pending
        let (ednsBufferSize, answerCookies) = currentPolicy.withLock {
            ($0.policy.ednsBufferSize, $0.policy.answerCookies)
        }
        let size = ResponseBuilder.size(for: query, over: client.transport, ednsBufferSize: ednsBufferSize)
        let (metrics, observers) = (self.metrics, self.observers)
        let (serverCookies, clock) = (self.serverCookies, self.clock)
        // The handler calls this exactly once (QueryHandler's contract), so the slot is freed once.
        handler.resolve(query, client: client, after: admitted.miss) { response in
            pending.release(client.address)
            // Made when the answer leaves, so its Timestamp is the response's (RFC 9018 §4.3); a
            // malformed COOKIE was answered FORMERR before the query got here.
            var cookie: EDNSOption? = nil
            if answerCookies, let edns = query.edns,
                case .option(let option) = serverCookies.answer(edns, address: client.address, now: clock.wallSeconds)
            {
                cookie = option
            }
            let finished = ResponseBuilder.finish(response, for: query, ednsBufferSize: ednsBufferSize, cookie: cookie)
            metrics?.responded(finished, source: .resolution, started: admitted.arrival)
            let response = ResponseBuilder.encode(finished, size: size)
            if !observers.isEmpty, response.count >= 12 {
                self.report(
                    .resolution, client: client, flags: response[3], hasOptions: response[10] | response[11] != 0,
                    started: admitted.started, query: { admitted.bytes }, response: { response })
            }
            deliver(response)
        }
    }
}

/// A query admitted for resolution by ``QueryProcessor/handle(_:client:settings:)``: a
/// waiting slot is held for it.
package struct AdmittedQuery: Sendable {
    /// The client's query.
    package let message: Message
    /// What the cache lookup found, so resolution does not ask again.
    package let miss: CacheMiss
    /// The query as received, for the observers.
    package let bytes: [UInt8]
    /// When it arrived, when an observer wanted every response then.
    package let started: ContinuousClock.Instant?
    /// When it arrived (``monotonicNanoseconds()``; 0 without metrics), for the latency histogram.
    package var arrival: UInt64 = 0
}
