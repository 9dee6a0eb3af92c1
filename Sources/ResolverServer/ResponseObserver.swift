// Primary responsibilities: the observer point "a response was sent": the query and response
// bytes, the client, where the answer came from and how long it took, for the failure log, the
// query log and any other tap (dnstap), at no cost to a successful answer nobody asked to see.

import DNSWire

/// Where a response's answer came from.
package enum ResponseSource: UInt8, Sendable, CaseIterable {
    /// Replayed by the packet cache without parsing the query.
    case packetCache
    /// The RRset cache's fast path.
    case cache
    /// A local answer stage in front of the cache (local data, blocklists, `resolver.arpa`).
    case local
    /// A resolution (or what the client-wait deadline gave: stale data or SERVFAIL).
    case resolution
    /// The server itself: FORMERR, NOTIMP, REFUSED, BADVERS.
    case server

    /// The word in log lines.
    package var word: String {
        switch self {
        case .packetCache: "packet-cache"
        case .cache: "cache"
        case .local: "local"
        case .resolution: "resolution"
        case .server: "server"
        }
    }
}

/// One response as it leaves the server.
package struct SentResponse: Sendable {
    /// Who asked, and over which transport.
    package var client: ClientAddress
    /// Where the answer came from.
    package var source: ResponseSource
    /// The query as received (a TCP or DoH message without its framing).
    package var query: [UInt8]
    /// The response as sent (after truncation, padding and the client's cookie).
    package var response: [UInt8]
    /// From the query's arrival at the server to the response, when an observer wanted every
    /// response at arrival (the clock is read only then); nil otherwise.
    package var latency: Duration?

    /// Creates a report.
    package init(
        client: ClientAddress, source: ResponseSource, query: [UInt8], response: [UInt8], latency: Duration? = nil
    ) {
        self.client = client
        self.source = source
        self.query = query
        self.response = response
        self.latency = latency
    }

    /// Whether a response is a failure every observer hears of: SERVFAIL (RFC 1035 §4.1.1 RCODE 2),
    /// or a CD=1 response carrying an Extended DNS Error (bogus data given to a client that does
    /// its own checking, RFC 4035 §3.2.2). Reads two header octets: the cheap test that keeps
    /// successful answers free of observers that want only failures.
    @inline(__always)
    package static func isFailure(flags: UInt8, hasOptions: Bool) -> Bool {
        flags & 0x0F == 2 || (flags & 0x10 != 0 && hasOptions)
    }
}

/// Told of responses as they leave the server: of every one while ``observesEveryResponse`` is
/// true, else only of failures (``SentResponse/isFailure(flags:hasOptions:)``).
///
/// Called on a listener's queue (cached answers) or the engine's thread (resolutions), so an
/// observer must not block; it may be called from several threads at once.
package protocol ResponseObserver: AnyObject, Sendable {
    /// Whether every response is wanted now: read for each response, so an atomic load.
    var observesEveryResponse: Bool { get }

    /// One response.
    func observe(_ response: SentResponse)
}
