// Primary responsibilities: the one spelling of how DNS messages travel, shared by the listeners
// (a client's query), the engine (an upstream query), the packet cache's key and the metrics.

/// How a DNS message travels; everything that names a transport uses this type.
public enum DNSTransport: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// One datagram each way, answers truncated to the requestor's size (RFC 1035 §4.2.1, RFC 6891).
    case udp
    /// A 2-octet length-prefixed stream (RFC 1035 §4.2.2, RFC 7766).
    case tcp
    /// RFC 7766 framing inside TLS (DNS over TLS, RFC 7858), port 853.
    case tls
    /// One message per HTTP exchange (DNS over HTTPS, RFC 8484).
    case https

    /// Whether the bytes travel encrypted: EDNS padding (RFC 7830) is for these only (RFC 8467 §4).
    public var isEncrypted: Bool { self == .tls || self == .https }

    /// The lowercase name, as logs, metrics labels and `mamorictl` print it.
    public var description: String { rawValue }
}
