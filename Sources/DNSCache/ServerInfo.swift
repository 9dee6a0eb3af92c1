// Primary responsibilities: what the resolver knows about one upstream server's behaviour — how
// fast it answers, whether it has been timing out, which transport and EDNS it needs, and the DNS
// cookie it gave us.

/// Whether a server handles EDNS(0) (RFC 6891).
public enum EDNSSupport: UInt8, Hashable, Sendable {
    /// Not known yet: send EDNS (RFC 6891 §7: assume support until shown otherwise).
    case unknown
    /// A response carried an OPT record.
    case supported
    /// The server answered FORMERR/NOTIMP to EDNS queries, or only plain queries got through:
    /// fall back to queries without OPT (RFC 6891 §7) — and so without DNSSEC records.
    case unsupported
}

/// A snapshot of one server's entry in the ``InfrastructureCache``.
public struct ServerInfo: Hashable, Sendable {
    /// Smoothed round-trip time in milliseconds (RFC 6298 §2 SRTT), nil before the first sample.
    public var smoothedRTT: UInt32?
    /// Round-trip time variation in milliseconds (RFC 6298 §2 RTTVAR).
    public var rttVariation: UInt32
    /// How long to wait for this server's answer before retrying elsewhere, in milliseconds
    /// (RFC 6298 §2 RTO, doubled per timeout by §5.5, clamped to the configured range).
    public var retransmissionTimeout: UInt32
    /// Timeouts since the last answer.
    public var consecutiveTimeouts: Int
    /// Until when the server is held down after too many timeouts (only one probe query is let
    /// through after that); nil when usable.
    public var heldDownUntil: CacheTime?
    /// EDNS behaviour seen.
    public var edns: EDNSSupport
    /// The server answers usefully only over TCP (UDP answers truncated or lost).
    public var tcpOnly: Bool
    /// When the entry was last updated; it ages out ``InfrastructureCache/Configuration/hostTTL`` later.
    public var lastUpdate: CacheTime
    /// The server cookie it last sent (RFC 7873 §5.3); nil when it has not been seen to speak cookies.
    public var serverCookie: [UInt8]?
    /// Why the last failed exchange with it failed (timed out, a TLS certificate that did not
    /// match); nil after an answer.
    public var lastFailure: String?

    /// Creates a snapshot.
    public init(
        smoothedRTT: UInt32?, rttVariation: UInt32, retransmissionTimeout: UInt32, consecutiveTimeouts: Int,
        heldDownUntil: CacheTime?, edns: EDNSSupport, tcpOnly: Bool, lastUpdate: CacheTime,
        serverCookie: [UInt8]? = nil, lastFailure: String? = nil
    ) {
        self.smoothedRTT = smoothedRTT
        self.rttVariation = rttVariation
        self.retransmissionTimeout = retransmissionTimeout
        self.consecutiveTimeouts = consecutiveTimeouts
        self.heldDownUntil = heldDownUntil
        self.edns = edns
        self.tcpOnly = tcpOnly
        self.lastUpdate = lastUpdate
        self.serverCookie = serverCookie
        self.lastFailure = lastFailure
    }

    /// Whether a query may be sent to the server at `now` (not held down).
    public func isUsable(at now: CacheTime) -> Bool { heldDownUntil.map { now >= $0 } ?? true }
}
