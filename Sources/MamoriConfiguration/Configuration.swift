// Primary responsibilities: the typed daemon configuration (architecture.md §6) with its
// built-in defaults. Parsing lives in ConfigurationDecoder; loading from disk in
// Configuration+Loading. mamorid, mamorictl and the tests all read this one type.

/// The whole configuration of `mamorid`, as read from `/etc/mamori/mamori.yaml` or built in.
///
/// Every property has a default, so `Configuration()` is what the daemon runs with when there is
/// no file at all: listening on 127.0.0.1 and ::1 port 53, loopback clients only, built-in root
/// hints and root trust anchors. Paths are absolute here: relative ones in the file were resolved
/// against the file's folder when it was read.
import DNSWire

package struct Configuration: Hashable, Sendable {
    /// Where to listen for clients (`listen`). Socket activation, when present, overrides this.
    package var listen: [ServiceAddress]
    /// Where to serve DNS over TLS (`listen-tls`, RFC 7858), port 853 unless given; none by default.
    package var listenTLS: [ServiceAddress]
    /// Where to serve DNS over HTTPS (`listen-https`, RFC 8484, HTTP/2), port 443 unless given;
    /// none by default.
    package var listenHTTPS: [ServiceAddress]
    /// The certificate and key of the TLS listeners, DoT and DoH (`tls`).
    package var tls: TLSSection
    /// DNS over HTTPS (`https`).
    package var https: HTTPSSection
    /// How many UDP and TCP sockets (SO_REUSEPORT), each with its own queue, per address (`threads`).
    package var threads: ThreadCount
    /// Who may query (`access-control`), first match wins; no match means REFUSED.
    package var accessControl: [AccessRule]
    /// How names are resolved (`resolution`).
    package var resolution: ResolutionSection
    /// DNSSEC validation (`dnssec`).
    package var dnssec: DNSSECSection
    /// The cache (`cache`).
    package var cache: CacheSection
    /// Logging (`logging`).
    package var logging: LoggingSection
    /// The operator's control socket (`control`).
    package var control: ControlSection
    /// The Prometheus endpoint (`metrics`).
    package var metrics: MetricsSection
    /// Local data, local zones, hosts files and the locally served zones (`local`).
    package var local: LocalSection
    /// Blocklists (`blocklists`), asked in order, first match wins; none by default.
    package var blocklists: [BlocklistConfiguration]
    /// dnstap output (`dnstap`): by default none.
    package var dnstap: DnstapSection
    /// Listener limits: TCP idle timeout and connection cap, per-client waiting queries (`server`).
    package var server: ServerSection
    /// DNS rebinding protection (`rebinding-protection`), off by default.
    package var rebindingProtection: RebindingSection
    /// DNS64 (`dns64`, RFC 6147); nil (the default) is off.
    package var dns64: DNS64Section?
    /// Writable directory for state kept across restarts, such as RFC 5011 trust-anchor state
    /// (`state-directory`). systemd's `StateDirectory=mamori` creates `/var/lib/mamori`.
    package var stateDirectory: String
    /// The file this configuration was read from, nil for the built-in defaults.
    package var sourceFile: String?

    /// The listening addresses used when the file names none: the IPv4 and IPv6 loopbacks, port 53.
    package static let defaultListen = [
        ServiceAddress(host: .loopbackV4, port: 53), ServiceAddress(host: .loopbackV6, port: 53),
    ]

    /// The access rules used when the file has no `access-control`: loopback clients only, the
    /// default of Unbound and Knot (peers.md §1c).
    package static let defaultAccessControl = [
        AccessRule(network: IPNetwork("127.0.0.0/8")!, action: .allow),
        AccessRule(network: IPNetwork("::1/128")!, action: .allow),
    ]

    /// The default path of the configuration file.
    package static let defaultPath = "/etc/mamori/mamori.yaml"

    /// The built-in defaults (architecture.md §6).
    package init() {
        listen = Self.defaultListen
        listenTLS = []
        listenHTTPS = []
        tls = TLSSection()
        https = HTTPSSection()
        threads = .auto
        accessControl = Self.defaultAccessControl
        resolution = ResolutionSection()
        dnssec = DNSSECSection()
        cache = CacheSection()
        logging = LoggingSection()
        control = ControlSection()
        metrics = MetricsSection()
        dnstap = DnstapSection()
        server = ServerSection()
        blocklists = []
        local = LocalSection()
        stateDirectory = "/var/lib/mamori"
        sourceFile = nil
        rebindingProtection = RebindingSection()
        dns64 = nil
    }
}

/// How many listener sockets per address (`threads`).
package enum ThreadCount: Hashable, Sendable, CustomStringConvertible {
    /// One per online CPU.
    case auto
    /// Exactly this many (1…256).
    case fixed(Int)

    /// The largest accepted fixed count.
    package static let maximum = 256

    /// The count to use, given the number of online CPUs.
    package func resolved(processorCount: Int) -> Int {
        switch self {
        case .auto: max(1, min(processorCount, Self.maximum))
        case .fixed(let count): count
        }
    }

    /// `auto` or the number.
    package var description: String {
        switch self {
        case .auto: "auto"
        case .fixed(let count): "\(count)"
        }
    }
}

/// A severity for `logging.level`, the levels of swift-log.
package enum LogLevel: String, Hashable, Sendable, CaseIterable, Comparable {
    /// Everything, per packet.
    case trace
    /// Diagnostics.
    case debug
    /// Normal operation: start, reload, stop.
    case info
    /// Noteworthy conditions.
    case notice
    /// Something is wrong but the daemon copes.
    case warning
    /// An operation failed.
    case error
    /// The daemon cannot go on.
    case critical

    /// Orders by severity, trace lowest.
    package static func < (lhs: LogLevel, rhs: LogLevel) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
