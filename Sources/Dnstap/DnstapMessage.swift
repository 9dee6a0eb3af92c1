// Primary responsibilities: one dnstap message (dnstap.proto, https://dnstap.info: the `Dnstap`
// envelope around a `Message`) and its Protocol Buffers encoding, field numbers as the schema
// gives them.

package import DNSWire

#if canImport(Glibc)
    import Glibc
#endif

/// A wall-clock instant as dnstap carries it: seconds since the Unix epoch and nanoseconds.
package struct DnstapTime: Hashable, Sendable {
    /// Seconds since 1970-01-01T00:00:00Z.
    package var seconds: UInt64
    /// Nanoseconds within the second.
    package var nanoseconds: UInt32

    /// An instant.
    package init(seconds: UInt64, nanoseconds: UInt32) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    /// Now, by CLOCK_REALTIME: what collectors line up with other logs.
    package static func now() -> DnstapTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return DnstapTime(seconds: UInt64(max(0, spec.tv_sec)), nanoseconds: UInt32(clamping: spec.tv_nsec))
    }
}

/// One DNS message seen by the resolver, as a dnstap `Message`.
///
/// The "initiator" of a query is always the query address and its "responder" the response
/// address (dnstap.proto's comments on `query_address`): for a client message the client is the
/// query address, for a resolver message the resolver is, and the authority the response address.
package struct DnstapMessage: Sendable {
    /// `Message.Type`: the four this resolver emits.
    package enum Kind: UInt64, Sendable, CaseIterable {
        /// A query sent to an authoritative server or forwarder.
        case resolverQuery = 3
        /// Its response.
        case resolverResponse = 4
        /// A query received from a client.
        case clientQuery = 5
        /// The response sent to it.
        case clientResponse = 6
    }

    /// `SocketProtocol`.
    package enum SocketProtocol: UInt64, Sendable {
        case udp = 1
        case tcp = 2
        /// DNS over TLS (RFC 7858).
        case dot = 3
        /// DNS over HTTPS (RFC 8484).
        case doh = 4

        /// The protocol of a transport.
        package init(_ transport: DNSTransport) {
            switch transport {
            case .udp: self = .udp
            case .tcp: self = .tcp
            case .tls: self = .dot
            case .https: self = .doh
            }
        }
    }

    /// What the message is.
    package var kind: Kind
    /// The transport it travelled over.
    package var socketProtocol: SocketProtocol
    /// The initiator's address and port, when known.
    package var queryAddress: ServiceAddress?
    /// The responder's address and port, when known.
    package var responseAddress: ServiceAddress?
    /// When the query was sent or received.
    package var queryTime: DnstapTime?
    /// The query, in wire format.
    package var queryMessage: [UInt8]?
    /// The zone the query was sent to, as a wire-format name (resolver messages).
    package var queryZone: DomainName?
    /// When the response was sent or received.
    package var responseTime: DnstapTime?
    /// The response, in wire format.
    package var responseMessage: [UInt8]?

    /// A message; the rest is set field by field.
    package init(kind: Kind, socketProtocol: SocketProtocol) {
        self.kind = kind
        self.socketProtocol = socketProtocol
    }

    /// `SocketFamily`: INET (1) or INET6 (2), from whichever address is known.
    var socketFamily: UInt64? {
        guard let host = queryAddress?.host ?? responseAddress?.host else { return nil }
        return host.isIPv6 ? 2 : 1
    }

    /// The `Message` encoding: fields in number order (dnstap.proto).
    func encoded() -> [UInt8] {
        var writer = ProtobufWriter(capacity: 64 + (queryMessage?.count ?? 0) + (responseMessage?.count ?? 0))
        writer.field(1, varint: kind.rawValue)
        if let socketFamily { writer.field(2, varint: socketFamily) }
        writer.field(3, varint: socketProtocol.rawValue)
        if let queryAddress { writer.field(4, bytes: queryAddress.host.bytes) }
        if let responseAddress { writer.field(5, bytes: responseAddress.host.bytes) }
        if let queryAddress { writer.field(6, varint: UInt64(queryAddress.port)) }
        if let responseAddress { writer.field(7, varint: UInt64(responseAddress.port)) }
        if let queryTime {
            writer.field(8, varint: queryTime.seconds)
            writer.field(9, fixed32: queryTime.nanoseconds)
        }
        if let queryMessage { writer.field(10, bytes: queryMessage) }
        if let queryZone { writer.field(11, bytes: queryZone.wireBytes) }
        if let responseTime {
            writer.field(12, varint: responseTime.seconds)
            writer.field(13, fixed32: responseTime.nanoseconds)
        }
        if let responseMessage { writer.field(14, bytes: responseMessage) }
        return writer.bytes
    }
}

/// The `Dnstap` envelope: who wrote the message, then the message (dnstap.proto).
package struct DnstapEnvelope: Sendable {
    /// `identity`: the server's name (by default the host name).
    package var identity: [UInt8]
    /// `version`: the software's name and version.
    package var version: [UInt8]

    /// An envelope.
    package init(identity: String, version: String) {
        self.identity = Array(identity.utf8)
        self.version = Array(version.utf8)
    }

    /// The identity, as text.
    package var identityText: String { String(decoding: identity, as: UTF8.self) }

    /// `Dnstap { identity, version, message, type: MESSAGE }`: one Frame Streams data frame's payload.
    package func encode(_ message: DnstapMessage) -> [UInt8] {
        let inner = message.encoded()
        var writer = ProtobufWriter(capacity: inner.count + identity.count + version.count + 16)
        if !identity.isEmpty { writer.field(1, bytes: identity) }
        if !version.isEmpty { writer.field(2, bytes: version) }
        writer.field(14, bytes: inner)
        writer.field(15, varint: 1)  // Dnstap.Type.MESSAGE
        return writer.bytes
    }
}
