// Primary responsibilities: the one translation from the configuration to the listeners' settings
// (ResolverServer's ServerPolicy and packet cache), beside EngineSettings for the engine's.

import Logging
import MamoriConfiguration
package import MamoriTLS
import ResolverServer

extension ServerPolicy {
    /// The listener settings of `configuration`.
    package init(_ configuration: Configuration) {
        self.init(
            accessControl: AccessControl(rules: configuration.accessControl),
            ednsBufferSize: configuration.resolution.ednsBufferSize,
            maxPendingPerClient: configuration.server.maxPendingPerClient,
            tcpIdleTimeout: configuration.server.tcpIdleTimeout,
            tcpMaxConnections: configuration.server.tcpMaxConnections,
            tcpMaxConnectionsPerClient: configuration.server.tcpMaxConnectionsPerClient,
            maxPending: configuration.server.maxPending,
            tcpMaxQueriesPerConnection: configuration.server.tcpMaxQueriesPerConnection,
            answerCookies: configuration.server.answerCookies)
    }
}

extension DNSServer {
    /// The listeners for `configuration`, around `handler`: its policy, and a packet cache of its
    /// share of `cache.size` when `cache.packet-cache` is on; with `tls`, DNS-over-TLS listeners
    /// may be bound, with `tls.handshake-timeout`.
    package convenience init(
        handler: any QueryHandler, configuration: Configuration, logger: Logger, metrics: ServerMetrics? = nil,
        tls: TLSServerContext? = nil
    ) {
        self.init(
            handler: handler, policy: ServerPolicy(configuration),
            packetCacheBytes: configuration.cache.packetCache ? configuration.cache.packetCacheBytes : nil,
            logger: logger, metrics: metrics,
            tls: tls.map {
                TLSAcceptor(context: $0, handshakeTimeout: configuration.tls.handshakeTimeout, metrics: metrics)
            })
    }
}

extension TLSServerContext {
    /// The ALPN protocol of DNS over TLS (IANA's ALPN registry, RFC 7858).
    package static let dnsOverTLSProtocol = "dot"

    /// The DNS-over-TLS context of `configuration`'s `tls.certificate` and `tls.key`, or nil when
    /// they are not set; `previous`'s session-ticket keys are kept, so clients resume across a
    /// reload.
    /// - Throws: ``TLSError`` naming the file that cannot be used.
    package static func dnsOverTLS(
        _ configuration: Configuration, keepingTicketsOf previous: TLSServerContext? = nil
    ) throws(TLSError) -> TLSServerContext? {
        guard let certificate = configuration.tls.certificate, let key = configuration.tls.key else { return nil }
        return try TLSServerContext(
            certificateFile: certificate, keyFile: key, alpn: [dnsOverTLSProtocol], ticketKeysFrom: previous)
    }
}
