// Primary responsibilities: the boundary between the server (sockets, access control, message
// checks, response sizing) and the resolution service, which implements QueryHandler; the server
// never looks inside it, and it never sees a socket.

import DNSWire
import Resolver

/// The resolution engine, as the listeners see it (architecture.md §3).
///
/// The server has already checked the query when it calls either method: the client passed access
/// control, the message parsed, OPCODE is QUERY, there is exactly one question, EDNS (if any) is
/// version 0. The server also finishes every response the handler returns: it copies the ID, the
/// question, RD and CD from the query, sets QR and RA, includes an OPT record exactly when the query
/// had one (with our buffer size and the query's DO bit; the handler's options, such as Extended DNS
/// Errors, RFC 8914, are kept), and truncates to the client's UDP size with TC=1 (RFC 6891 §6.2.5,
/// RFC 1035 §4.2.1). The handler decides everything else: RCODE, AA/AD, the three sections, EDEs.
package protocol QueryHandler: Sendable {
    /// The fast path: a complete response from the cache, or what the miss found.
    ///
    /// Called synchronously on the listener's serial queue for every query, RD=0 ones included, so
    /// it must not block, wait for the network, or run expensive crypto: a lookup and an encode.
    /// - Parameters:
    ///   - query: the client's query, as parsed.
    ///   - client: who asked, and over which transport.
    /// - Returns: the response, or the miss to hand to ``resolve(_:client:after:respond:)`` (when RD=1).
    func answerFromCache(_ query: Message, client: ClientAddress) -> CacheAnswer

    /// The slow path: resolve the query and call `respond` exactly once, from any thread. The
    /// server relies on "exactly once": it frees the client's waiting slot in `respond`.
    ///
    /// Only called for RD=1 queries that ``answerFromCache(_:client:)`` did not answer, and only
    /// while the client has fewer than `server.max-pending-per-client` queries waiting. The
    /// handler bounds its own work (`resolution.query-timeout`) and answers SERVFAIL with an EDE
    /// rather than never calling `respond`: each call holds one of the client's waiting slots.
    /// - Parameters:
    ///   - query: the client's query, as parsed.
    ///   - client: who asked, and over which transport.
    ///   - miss: what ``answerFromCache(_:client:)`` found: the cache is not asked again.
    ///   - respond: takes the response; the server sends it from the queue that owns the socket.
    func resolve(
        _ query: Message, client: ClientAddress, after miss: CacheMiss, respond: @escaping @Sendable (Message) -> Void)

    /// A number that grows whenever an answer ``answerFromCache(_:client:)`` gave could now be
    /// different for a reason other than its TTL running down: a reload, a cache flush, a negative
    /// trust anchor, local data or policy replaced. The packet cache replays a response only under
    /// the generation it was made in, so nothing the handler would now answer differently is
    /// replayed. Read for every query: an atomic load, no lock.
    var answerGeneration: UInt64 { get }
}

/// What the fast path gives: a response, or a miss to resolve.
package enum CacheAnswer: Sendable {
    /// The whole response, from the cache.
    case response(Message)
    /// The whole response, from a local answer stage in front of the cache (reported as such to
    /// the observers; otherwise the same as ``response(_:)``).
    case local(Message)
    /// Not in the cache; what the lookup found.
    case miss(CacheMiss)
}

/// Who sent a query: source address, source port and transport.
package struct ClientAddress: Hashable, Sendable, CustomStringConvertible {
    /// The source address; IPv4-mapped IPv6 addresses are given as IPv4.
    package var address: IPAddress
    /// The source port.
    package var port: UInt16
    /// The transport.
    package var transport: DNSTransport

    /// Creates a client address.
    package init(address: IPAddress, port: UInt16, transport: DNSTransport) {
        self.address = address.unmapped
        self.port = port
        self.transport = transport
    }

    /// `ADDR@PORT/udp`.
    package var description: String { "\(address)@\(port)/\(transport.rawValue)" }
}
