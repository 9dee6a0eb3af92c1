// Primary responsibilities: how a forward zone's servers are reached over DNS over TLS (RFC 7858)
// and authenticated (RFC 7858 §4.2, RFC 8310 strict profile), as plain values: the engine only
// chooses the `.tls` transport for them; the socket transport holds the connections and checks.

/// The TLS settings of a forward zone's servers: who the certificate must say the server is.
///
/// RFC 8310 §5's strict profile: a name, a pin, or both, and never an unauthenticated or clear-text
/// fallback. With a name, the certificate must chain to `caFile` (the system bundle when nil) and
/// carry the name; with pins, the server's SubjectPublicKeyInfo must hash to one of them.
package struct ForwarderTLS: Hashable, Sendable {
    /// The authentication name (RFC 8310 §8.1), also sent as SNI; nil for pins only.
    package var name: String?
    /// SHA-256 digests of acceptable SubjectPublicKeyInfo structures (RFC 7858 §4.2, 32 octets each).
    package var pins: [[UInt8]]
    /// A PEM file of trusted CAs for the name check; nil for the system bundle.
    package var caFile: String?

    /// The DNS over TLS port (RFC 7858 §3.1), a TLS forwarder's default.
    package static let defaultPort: UInt16 = 853

    /// Creates TLS settings.
    package init(name: String?, pins: [[UInt8]] = [], caFile: String? = nil) {
        self.name = name
        self.pins = pins
        self.caFile = caFile
    }
}
