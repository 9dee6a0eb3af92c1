// Primary responsibilities: the small sections — `logging`, `control`, `metrics` — and `server`,
// the listener limits operators expect from Unbound, BIND and PowerDNS (peers.md §1c, §4).

/// Logging settings (`logging`).
import DNSWire

package struct LoggingSection: Hashable, Sendable {
    /// The lowest level written (`level`).
    package var level: LogLevel
    /// How lines are written (`format`).
    package var format: LogFormat
    /// One line per SERVFAIL and per bogus answer sent to a client (`failures`).
    package var failures: Bool
    /// Most failure lines for one question (name, type, class) per this interval (`failure-interval`).
    package var failureInterval: Duration
    /// Most failure lines per second, all questions together (`failure-rate`).
    package var failureRate: Int
    /// One line per client query answered (`queries`).
    package var queries: Bool

    /// The defaults: info, `auto`, failures on (one per question per minute, at most 10 a
    /// second), queries off.
    package init() {
        level = .info
        format = .auto
        failures = true
        failureInterval = .seconds(60)
        failureRate = 10
        queries = false
    }
}

/// How log lines are written (`logging.format`).
package enum LogFormat: String, CaseIterable, Hashable, Sendable {
    /// `journal` when stderr is the journal (systemd's `JOURNAL_STREAM` names it), else `keyvalue`.
    case auto
    /// Native journald entries (sd_journal_sendv): `MESSAGE`, `PRIORITY` and each field in capitals.
    case journal
    /// logfmt lines on stderr: `time=… level=… msg="…" key=value`.
    case keyvalue
    /// One JSON object per line on stderr.
    case json
}

/// The operator's control socket (`control`), used by `mamorictl`.
package struct ControlSection: Hashable, Sendable {
    /// The unix socket path, absolute, or nil when disabled (`socket: false`).
    package var socket: String?

    /// The default: `/run/mamori/control.sock` (systemd's `RuntimeDirectory=mamori`).
    package init() { socket = "/run/mamori/control.sock" }
}

/// The Prometheus endpoint (`metrics`).
package struct MetricsSection: Hashable, Sendable {
    /// Where to serve `/metrics`, or nil (the default) for no endpoint (`listen`).
    package var listen: ServiceAddress?

    /// The default: off.
    package init() { listen = nil }
}

/// The certificate and key of the DNS-over-TLS listeners (`tls`).
package struct TLSSection: Hashable, Sendable {
    /// The certificate chain, PEM, the server's certificate first (`certificate`), e.g. certbot's
    /// `fullchain.pem`; required when `listen-tls` names an address.
    package var certificate: String?
    /// The private key, PEM (`key`), e.g. certbot's `privkey.pem`. Read again at every reload, after
    /// root was dropped: it must be readable by `server.user`.
    package var key: String?
    /// How long a client has from connecting to a complete handshake (`handshake-timeout`); a
    /// client that says nothing holds a connection slot until then.
    package var handshakeTimeout: Duration

    /// The defaults: no certificate, 10 s to finish a handshake.
    package init() {
        certificate = nil
        key = nil
        handshakeTimeout = .seconds(10)
    }
}

/// DNS over HTTPS (`https`).
package struct HTTPSSection: Hashable, Sendable {
    /// The path DoH is served on (`path`, RFC 8484 §3: the URI template's path, here without a
    /// template); other paths get 404.
    package var path: String

    /// The default path, the one every DoH client tries first.
    package init() { path = "/dns-query" }
}

/// Listener limits (`server`).
package struct ServerSection: Hashable, Sendable {
    /// A TCP connection with no complete query and nothing to send for this long is closed
    /// (`tcp-idle-timeout`, RFC 7766 §6.2.3). Partial frames do not extend it, so slow clients
    /// cannot hold a connection open.
    package var tcpIdleTimeout: Duration
    /// Most TCP connections open at once over all listeners (`tcp-max-connections`); more are
    /// accepted and closed at once.
    package var tcpMaxConnections: Int
    /// Most queries from one TCP connection being resolved at once (`tcp-max-queries-per-connection`);
    /// reading pauses while at the limit.
    package var tcpMaxQueriesPerConnection: Int
    /// Most queries from one source address waiting for resolution (`max-pending-per-client`,
    /// architecture.md §5, the DNSBomb defence); more are dropped (UDP) or REFUSED (TCP).
    package var maxPendingPerClient: Int
    /// Most queries waiting for resolution from all clients together (`max-pending`). When it is
    /// reached, only clients below their fair share (`max-pending` ÷ clients waiting) get in, so
    /// one flooding source cannot lock others out; the total stays below twice this.
    package var maxPending: Int
    /// Most TCP connections from one source address (`tcp-max-connections-per-client`), so one
    /// client cannot hold every slot of `tcp-max-connections`.
    package var tcpMaxConnectionsPerClient: Int
    /// The user to switch to after binding when started as root (`user`); nil (`""`) stays as
    /// started, for containers and user namespaces where switching is not possible.
    package var user: String?
    /// How long, at SIGTERM, in-flight queries are given before being abandoned (`shutdown-timeout`).
    package var shutdownTimeout: Duration
    /// Whether a query's DNS cookie is answered with a server cookie (`answer-cookies`, RFC 7873 §5.2,
    /// RFC 9018); when false, COOKIE options in queries are ignored.
    package var answerCookies: Bool

    /// The defaults.
    package init() {
        tcpIdleTimeout = .seconds(10)
        tcpMaxConnections = 1024
        tcpMaxQueriesPerConnection = 32
        maxPendingPerClient = 1000
        maxPending = 10_000
        tcpMaxConnectionsPerClient = 64
        user = "mamori"
        shutdownTimeout = .seconds(2)
        answerCookies = true
    }
}
