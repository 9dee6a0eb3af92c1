// Primary responsibilities: the seam between the engine and the network. The engine never opens
// a socket; it asks a transport to deliver one query and waits for what came back. The daemon's
// transport does real UDP/TCP; the replay kit's transport answers from a script.

import DNSWire

/// What came back for one upstream query.
package enum UpstreamReply: Sendable {
    /// A response that passed the RFC 5452 §9.1 acceptance checks: it came from the queried address
    /// and port, to the query's source port, with the query's ID and question (case-insensitive).
    case response(Message)
    /// Nothing acceptable arrived before the timeout. Datagrams that failed the acceptance checks
    /// or did not parse were ignored and did not end the wait.
    case timeout
    /// A reply from the right address carried the wrong ID or question while the real one was
    /// awaited: a sign of spoofing (RFC 5452 §9.2). The engine asks again over TCP.
    case mismatch
    /// The transport could not send, or the connection failed (ICMP unreachable, refused TCP).
    case networkError(String)
    /// Nothing was sent: a local bound on upstream work (outstanding queries, descriptors) was
    /// reached. It says nothing about the server, so the engine must not count it against it.
    case notSent(String)
}

/// Delivers one query to one server and returns what came back.
///
/// Implementations choose a random 16-bit ID and a random source port per query from the system
/// CSPRNG (RFC 5452 §4, §9.2) — the engine's ID in `query` is replaced — and never return a reply
/// that fails acceptance.
package protocol UpstreamTransport: Sendable {
    /// Sends `query` to `server` over `transport` and waits at most `timeout`.
    func send(
        _ query: Message, to server: ServerAddress, over transport: DNSTransport, timeout: Duration
    )
        async -> UpstreamReply
}

/// The engine's only source of time.
///
/// Two readings, because they answer different questions: the monotonic reading measures
/// timeouts, round-trip times and the resolution's wall-time limit and never jumps; the wall
/// reading dates TTL expiry and RRSIG validity (RFC 4034 §3.1.5), and follows a faked system time
/// so that an operator can test validation at another date.
package protocol ResolverClock: Sendable {
    /// Monotonic time since an arbitrary origin.
    var monotonicNow: Duration { get }
    /// Seconds since the Unix epoch.
    var wallSeconds: Int64 { get }
}
