// Primary responsibilities: the listener settings that a reload may change without rebinding —
// access control, our EDNS size, the per-client and TCP limits, DNS cookies, the failure and query logs.

/// The settings the listeners read for each query or connection; replaced whole at reload.
package struct ServerPolicy: Hashable, Sendable {
    /// Who may query.
    package var accessControl: AccessControl
    /// The EDNS UDP payload size we advertise and the largest UDP response (RFC 6891 §6.2.5).
    package var ednsBufferSize: Int
    /// Most queries from one source address waiting for resolution (architecture.md §5).
    package var maxPendingPerClient: Int
    /// How long a TCP connection may stay without a complete query (RFC 7766 §6.2.3).
    package var tcpIdleTimeout: Duration
    /// Most TCP connections open at once over all listeners.
    package var tcpMaxConnections: Int
    /// Most TCP connections open at once from one source address.
    package var tcpMaxConnectionsPerClient: Int
    /// Most queries waiting for resolution, all clients together (fair share beyond it).
    package var maxPending: Int
    /// Most queries from one TCP connection in resolution at once.
    package var tcpMaxQueriesPerConnection: Int
    /// Answer clients' DNS cookies with server cookies (RFC 7873 §5.2, `server.answer-cookies`).
    package var answerCookies: Bool
    /// The failure log and the query log (`logging.failures`, `logging.queries`, …).
    package var responseLog: ResponseLogSettings

    /// Creates the settings; the values come from the configuration (MamoriService's
    /// `ServerPolicy(_:)`), where their defaults are.
    package init(
        accessControl: AccessControl, ednsBufferSize: Int, maxPendingPerClient: Int, tcpIdleTimeout: Duration,
        tcpMaxConnections: Int, tcpMaxConnectionsPerClient: Int, maxPending: Int, tcpMaxQueriesPerConnection: Int,
        answerCookies: Bool, responseLog: ResponseLogSettings = ResponseLogSettings()
    ) {
        self.accessControl = accessControl
        self.ednsBufferSize = ednsBufferSize
        self.maxPendingPerClient = maxPendingPerClient
        self.tcpIdleTimeout = tcpIdleTimeout
        self.tcpMaxConnections = tcpMaxConnections
        self.tcpMaxConnectionsPerClient = tcpMaxConnectionsPerClient
        self.maxPending = maxPending
        self.tcpMaxQueriesPerConnection = tcpMaxQueriesPerConnection
        self.answerCookies = answerCookies
        self.responseLog = responseLog
    }
}
