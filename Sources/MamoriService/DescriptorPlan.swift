// Primary responsibilities: the daemon's file descriptors — raising the soft open-file limit to
// the hard one at start, and sharing what is available between client TCP connections and
// upstream queries, so that no flood can run the process out of descriptors (libdispatch traps
// when it cannot get one).

import MamoriConfiguration

#if canImport(Glibc)
    import Glibc
#endif

/// How the open-file limit is shared out.
package struct DescriptorPlan: Hashable, Sendable {
    /// Upstream queries outstanding at once when `resolution.max-outstanding-queries` is `auto` and
    /// descriptors allow it (Unbound's `outgoing-range` default is 4096 per thread).
    package static let defaultOutstandingQueries = 4096
    /// Descriptors kept for everything else: Dispatch's own (epoll, eventfds), the control socket
    /// and metrics endpoint and their connections (16 each), the cache dump and state files,
    /// hosts files, and the journal.
    package static let reserved = 96
    /// The fewest of each kind a plan gives, however small the limit.
    package static let minimumShare = 16

    /// The soft `RLIMIT_NOFILE` in force.
    package var openFileLimit: Int
    /// Upstream queries outstanding at once.
    package var outstandingQueries: Int
    /// Client TCP connections open at once.
    package var tcpConnections: Int
    /// What the plan had to lower from the configuration, for a warning; empty when nothing.
    package var reductions: [String]

    /// Shares `openFileLimit` descriptors: `listeners` sockets are already spoken for and
    /// ``reserved`` more are kept; the rest goes to TCP clients and upstream queries as configured,
    /// both scaled down together (never below ``minimumShare``) when they do not fit.
    package init(openFileLimit: Int, listeners: Int, configuration: Configuration) {
        self.openFileLimit = openFileLimit
        let available = max(openFileLimit - listeners - Self.reserved, 2 * Self.minimumShare)
        let configuredUpstream = configuration.resolution.maxOutstandingQueries
        var upstream = configuredUpstream ?? Self.defaultOutstandingQueries
        var tcp = configuration.server.tcpMaxConnections
        var reductions: [String] = []
        if upstream + tcp > available {
            let scale = Double(available) / Double(upstream + tcp)
            let newTCP = max(Self.minimumShare, Int(Double(tcp) * scale))
            let newUpstream = max(Self.minimumShare, available - newTCP)
            if newTCP < tcp { reductions.append("server.tcp-max-connections \(tcp) → \(newTCP)") }
            if newUpstream < upstream {
                reductions.append(
                    configuredUpstream == nil
                        ? "resolution.max-outstanding-queries auto → \(newUpstream)"
                        : "resolution.max-outstanding-queries \(upstream) → \(newUpstream)")
            }
            tcp = min(tcp, newTCP)
            upstream = min(upstream, newUpstream)
        }
        outstandingQueries = upstream
        tcpConnections = tcp
        self.reductions = reductions
    }

    /// The configuration with the plan's figures in place of `auto` and of what did not fit.
    package func applied(to configuration: Configuration) -> Configuration {
        var configuration = configuration
        configuration.resolution.maxOutstandingQueries = outstandingQueries
        configuration.server.tcpMaxConnections = tcpConnections
        return configuration
    }

    /// Raises the soft `RLIMIT_NOFILE` to the hard limit (capped at 1 Mi: a larger table only
    /// costs memory) and returns the soft limit in force afterwards, and before.
    package static func raiseOpenFileLimit() -> (before: Int, after: Int) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return (1024, 1024) }
        let before = Int(clamping: limit.rlim_cur)
        let target = min(limit.rlim_max, 1 << 20)
        if target > limit.rlim_cur {
            var raised = limit
            raised.rlim_cur = target
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { return (before, Int(clamping: target)) }
        }
        return (before, before)
    }
}
