// Primary responsibilities: one query to a TLS forwarder, from the engine's send until its reply,
// its timeout or its connection's failure, whichever comes first — and only once.

import DNSWire
import Dispatch
import Resolver

/// One query on its way through a forwarder's connection pool.
///
/// `@unchecked Sendable` invariant: every mutable property is touched only on the pool's queue.
final class TLSForwarderQuery: @unchecked Sendable {
    /// The encoded query; its first two octets (the ID) are set by the connection that sends it.
    var message: [UInt8]
    /// The question the reply must echo (RFC 5452 §9.1, case-insensitively).
    let question: Question
    /// The ID on the connection carrying it (unique among that connection's queries in flight).
    var id: UInt16 = 0
    /// The connection carrying it, once placed.
    var connection: TLSForwarderConnection?
    /// How often it was placed again after its connection closed before the reply.
    var replacements = 0
    /// The deadline.
    var timer: (any DispatchSourceTimer)?
    /// Called once with the outcome.
    private var complete: ((UpstreamReply) -> Void)?

    /// Creates a query; nothing is sent until a connection takes it.
    init(message: [UInt8], question: Question, complete: @escaping (UpstreamReply) -> Void) {
        self.message = message
        self.question = question
        self.complete = complete
    }

    /// Whether the outcome was handed on.
    var isFinished: Bool { complete == nil }

    /// Hands `reply` on, once; stops the deadline.
    func finish(_ reply: UpstreamReply) {
        guard let complete else { return }
        self.complete = nil
        timer?.cancel()
        timer = nil
        connection = nil
        complete(reply)
    }
}
