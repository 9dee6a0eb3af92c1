// Primary responsibilities: the one translation from the configuration to the listeners' settings
// (ResolverServer's ServerPolicy and packet cache), beside EngineSettings for the engine's.

import Logging
import MamoriConfiguration
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
    /// share of `cache.size` when `cache.packet-cache` is on.
    package convenience init(
        handler: any QueryHandler, configuration: Configuration, logger: Logger, metrics: ServerMetrics? = nil
    ) {
        self.init(
            handler: handler, policy: ServerPolicy(configuration),
            packetCacheBytes: configuration.cache.packetCache ? configuration.cache.packetCacheBytes : nil,
            logger: logger, metrics: metrics)
    }
}
