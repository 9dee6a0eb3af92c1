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
            answerCookies: configuration.server.answerCookies,
            responseLog: ResponseLogSettings(
                failures: configuration.logging.failures, failureInterval: configuration.logging.failureInterval,
                failureRate: configuration.logging.failureRate, queries: configuration.logging.queries))
    }
}

extension DNSServer {
    /// The listeners for `configuration`, around `handler`: its policy, and a packet cache of its
    /// share of `cache.size` when `cache.packet-cache` is on; with `tls`, DNS-over-TLS listeners,
    /// with `https`, DNS-over-HTTPS listeners at `https.path`, may be bound, with
    /// `tls.handshake-timeout`; `observers` are told of responses after the failure and query logs.
    package convenience init(
        handler: any QueryHandler, configuration: Configuration, logger: Logger, metrics: ServerMetrics? = nil,
        tls: TLSServerContext? = nil, https: TLSServerContext? = nil, observers: [any ResponseObserver] = []
    ) {
        let timeout = configuration.tls.handshakeTimeout
        self.init(
            handler: handler, policy: ServerPolicy(configuration),
            packetCacheBytes: configuration.cache.packetCache ? configuration.cache.packetCacheBytes : nil,
            logger: logger, metrics: metrics,
            tls: tls.map { TLSAcceptor(context: $0, handshakeTimeout: timeout, metrics: metrics) },
            https: https.map {
                (TLSAcceptor(context: $0, handshakeTimeout: timeout, metrics: metrics), configuration.https.path)
            }, observers: observers)
    }
}

extension TLSServerContext {
    /// The ALPN protocol of DNS over TLS (IANA's ALPN registry, RFC 7858).
    package static let dnsOverTLSProtocol = "dot"

    /// The ALPN protocol of DNS over HTTPS: HTTP/2 only (RFC 8484 §5.2 recommends HTTP/2 as the
    /// minimum; HTTP/1.1 clients are refused at the handshake).
    package static let dnsOverHTTPSProtocol = "h2"

    /// The DNS-over-TLS context of `configuration`'s `tls.certificate` and `tls.key`, or nil when
    /// they are not set; `previous`'s session-ticket keys are kept, so clients resume across a
    /// reload.
    /// - Throws: ``TLSError`` naming the file that cannot be used.
    package static func dnsOverTLS(
        _ configuration: Configuration, keepingTicketsOf previous: TLSServerContext? = nil
    ) throws(TLSError) -> TLSServerContext? {
        try make(configuration, alpn: dnsOverTLSProtocol, keepingTicketsOf: previous)
    }

    /// The DNS-over-HTTPS context: the same certificate and key, ALPN `h2`.
    /// - Throws: ``TLSError`` naming the file that cannot be used.
    package static func dnsOverHTTPS(
        _ configuration: Configuration, keepingTicketsOf previous: TLSServerContext? = nil
    ) throws(TLSError) -> TLSServerContext? {
        try make(configuration, alpn: dnsOverHTTPSProtocol, keepingTicketsOf: previous)
    }

    /// A context of `tls.certificate` and `tls.key` speaking `alpn`, nil when they are not set.
    private static func make(
        _ configuration: Configuration, alpn: String, keepingTicketsOf previous: TLSServerContext?
    ) throws(TLSError) -> TLSServerContext? {
        guard let certificate = configuration.tls.certificate, let key = configuration.tls.key else { return nil }
        return try TLSServerContext(certificateFile: certificate, keyFile: key, alpn: [alpn], ticketKeysFrom: previous)
    }
}
