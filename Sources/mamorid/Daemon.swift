// Primary responsibilities: the daemon's life — logging set-up, the open-file limit, the state
// directory's lock, building the engine, binding (or taking socket-activated sockets), dropping
// root, telling systemd, housekeeping (expired NTAs, wall-clock jumps), and the signals: SIGHUP
// reloads (a bad configuration is rejected and the old one kept), SIGTERM/SIGINT stop within a
// bound and exit 0.

import DNSCache
import DNSWire
import Dispatch
import Logging
import MamoriConfiguration
import MamoriService
import MamoriSystem
import ResolverServer

#if canImport(Glibc)
    import Glibc
#endif

/// The running daemon.
///
/// `@unchecked Sendable` invariant: `configuration`, `engine`, `server` and `signalSources` are
/// written only on `control` once running (checked with `dispatchPrecondition`); before
/// ``run()`` hands over to Dispatch, only the main thread touches them.
final class Daemon: @unchecked Sendable {
    /// Where the configuration is read from, at start and at reload.
    private let source: ConfigurationSource
    /// The configuration in force.
    private(set) var configuration: Configuration
    /// The serial queue for signals, reloads and stopping.
    let control = DispatchQueue(label: "mamori.control")
    /// The shared log level.
    private let levelSetting: LogLevelSetting
    /// The daemon's logger.
    let logger: Logger
    /// systemd notifications.
    private let notifier = SystemdNotifier()
    /// The resolution service.
    private(set) var engine: ResolverService?
    /// The listeners.
    private(set) var server: DNSServer?
    /// The `control.socket` server, when configured and bindable.
    private var controlSocket: ControlSocket?
    /// When the daemon started (CLOCK_MONOTONIC), for `status`.
    let started = ContinuousClock.now
    /// The `metrics.listen` endpoint, when configured.
    private var metricsEndpoint: MetricsEndpoint?
    /// Signal sources, kept alive.
    private var signalSources: [any DispatchSourceSignal] = []
    /// Expired NTAs, wall-clock jumps and freed heap, while running.
    private var housekeeping: Housekeeping?
    /// The soft open-file limit after raising it at start, shared out by ``DescriptorPlan``.
    private var openFileLimit = 1024
    /// Listening sockets, counted against the open-file limit.
    private var listenerCount = 0

    /// Sets up logging for a loaded configuration.
    init(source: ConfigurationSource, configuration: Configuration) {
        self.source = source
        self.configuration = configuration
        let setting = LogLevelSetting(LogLevelSetting.level(configuration.logging.level))
        self.levelSetting = setting
        LoggingSystem.bootstrap { label in JournalLogHandler(label: label, setting: setting) }
        self.logger = Logger(label: "mamorid")
    }

    /// Starts serving and never returns; exits 1 when the daemon cannot start.
    func run() -> Never {
        // Signals first: a SIGTERM that arrives while the engine is built or sockets are bound
        // (systemd stopping a unit that is still starting) must stop the daemon, not be lost.
        installSignalHandlers()
        let (before, after) = DescriptorPlan.raiseOpenFileLimit()
        openFileLimit = after
        let threads = configuration.threads.resolved(processorCount: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        listenerCount = configuration.listen.count * threads * 2
        configuration = planDescriptors(configuration)
        logger.info(
            "open-file limit \(after)\(after != before ? " (raised from \(before))" : "")",
            metadata: [
                "max-outstanding-queries": "\(configuration.resolution.maxOutstandingQueries ?? 0)",
                "tcp-max-connections": "\(configuration.server.tcpMaxConnections)",
            ])
        let server: DNSServer
        do {
            let metrics = configuration.metrics.listen == nil ? nil : ServerMetrics()
            let engine = try ResolverService(
                configuration: configuration, logger: logger, metrics: metrics, persistent: lockStateDirectory())
            self.engine = engine
            server = DNSServer(handler: engine, configuration: configuration, logger: logger, metrics: metrics)
            let activated = try SocketActivation.takeSockets()
            if !activated.isEmpty {
                logger.info("using \(activated.count) sockets from systemd; `listen` is ignored")
            }
            try server.bind(configuration.listen, threads: threads, activated: activated)
            self.server = server
            if let metrics, let address = configuration.metrics.listen {
                metricsEndpoint = try MetricsEndpoint(address: address, metrics: metrics, logger: logger)
            }
            openControlSocket()
            try dropPrivileges()
        } catch {
            logger.critical("cannot start: \(error)")
            notifier.status("Failed to start: \(error)")
            exit(1)
        }
        server.start()
        housekeeping = Housekeeping(
            service: engine!, logger: logger, queue: control)
        metricsEndpoint?.start()
        controlSocket?.start()
        let status = statusLine(server)
        notifier.ready(status: status)
        notifier.startWatchdog { [server] in server.livenessCheck() }
        logger.info(
            "mamorid started: \(status)",
            metadata: ["configuration": "\(configuration.sourceFile ?? "built-in defaults")"])
        dispatchMain()
    }

    /// Takes the state directory's lock. Held by another instance, this one still serves (DNS
    /// stays up) but loads and saves nothing there, and says so loudly, naming the holder.
    /// - Returns: whether this instance may persist state.
    private func lockStateDirectory() -> Bool {
        let directory = configuration.stateDirectory
        switch StateDirectoryLock.acquire(in: directory) {
        case .held:
            return true
        case .busy(let holder):
            logger.error(
                """
                state directory \(directory) is in use by another mamorid (PID \(holder.map { "\($0)" } ?? "unknown")): \
                running WITHOUT persistence (no cache dump loaded or saved, RFC 5011 state not written); \
                give each instance its own state-directory
                """)
            return false
        case .unavailable(let reason):
            // Not writable: the state writers say so; nothing else could use it either.
            logger.warning("no lock on the state directory: \(reason)")
            return true
        }
    }

    /// The configuration with upstream queries and TCP connections fitted into the open-file
    /// limit (`auto` resolved); what had to be lowered is logged.
    private func planDescriptors(_ configuration: Configuration) -> Configuration {
        let plan = DescriptorPlan(openFileLimit: openFileLimit, listeners: listenerCount, configuration: configuration)
        if !plan.reductions.isEmpty {
            logger.warning(
                "lowered to fit the open-file limit of \(openFileLimit): \(plan.reductions.joined(separator: ", "))")
        }
        return plan.applied(to: configuration)
    }

    /// `Serving on UDP …, TCP …`.
    private func statusLine(_ server: DNSServer) -> String {
        let udp = server.udpAddresses.map(\.description).joined(separator: " ")
        let tcp = server.tcpAddresses.map(\.description).joined(separator: " ")
        let metrics = metricsEndpoint.map { ", metrics on http://\($0.localAddress)/metrics" } ?? ""
        return "Serving on UDP \(udp), TCP \(tcp)\(metrics)"
    }

    /// Binds `control.socket` (before privileges are dropped: /run/mamori belongs to root outside
    /// systemd). A socket that cannot be bound is logged and skipped: the resolver still serves.
    private func openControlSocket() {
        guard let path = configuration.control.socket else { return }
        do {
            controlSocket = try ControlSocket(path: path, handler: self, logger: logger)
        } catch {
            logger.warning("no control socket: \(error)")
        }
    }

    /// Switches from root to `server.user` once the sockets are bound (nil: stays as started),
    /// handing it the state directory first: root-owned, it left the cache dump and the RFC 5011
    /// state silently unsaved after the switch. Then says at once if the directory is unwritable.
    private func dropPrivileges() throws {
        guard let user = configuration.server.user else { return }
        if geteuid() == 0, let account = getpwnam(user) {
            // StateDirectoryLock made the directory at start.
            let directory = configuration.stateDirectory
            for path in [directory, directory + "/cache.dump", directory + "/" + TrustAnchorStateFile.defaultFileName] {
                _ = chown(path, account.pointee.pw_uid, account.pointee.pw_gid)
            }
        }
        defer {
            if access(configuration.stateDirectory, W_OK) != 0 {
                logger.error(
                    "state directory \(configuration.stateDirectory) is not writable: the cache and RFC 5011 state will not be saved",
                    metadata: ["error": "\(String(cString: strerror(errno)))"])
            }
        }
        switch try Privileges.dropRoot(to: user) {
        case .notRoot:
            break
        case .dropped(let user, let uid, let gid):
            logger.info("running as user \(user)", metadata: ["uid": "\(uid)", "gid": "\(gid)"])
        case .noSuchUser(let user):
            logger.warning(
                "running as root: there is no user \(user) to switch to (create it with systemd-sysusers or useradd --system \(user))"
            )
        }
    }

    // MARK: - Signals

    /// SIGHUP reloads; SIGTERM and SIGINT stop. Handlers run on `control`, never on the main actor.
    private func installSignalHandlers() {
        for number in [SIGHUP, SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: control)
            source.setEventHandler { [self] in
                if number == SIGHUP { reload() } else { stop(signal: number) }
            }
            source.resume()
            signalSources.append(source)
        }
        signal(SIGPIPE, SIG_IGN)
    }

    /// Re-reads the configuration and applies it, or keeps the old one whole.
    /// - Returns: why it was rejected, or nil when it was taken.
    @discardableResult
    func reload() -> String? {
        dispatchPrecondition(condition: .onQueue(control))
        guard let server, let engine else { return "the daemon is still starting" }
        notifier.reloading()
        logger.info("reloading configuration", metadata: ["file": "\(source.path)"])
        let fresh: Configuration
        do {
            fresh = planDescriptors(try source.load())
            try engine.reload(fresh)
        } catch {
            for line in "\(error)".split(separator: "\n") { logger.error("\(line)") }
            logger.error("reload rejected: keeping the previous configuration")
            notifier.notify("READY=1\nSTATUS=Reload failed, previous configuration kept; \(statusLine(server))")
            return "\(error)".split(separator: "\n").joined(separator: "; ")
        }
        server.reload(ServerPolicy(fresh))
        levelSetting.level = LogLevelSetting.level(fresh.logging.level)
        if fresh.listen != configuration.listen || fresh.threads != configuration.threads
            || fresh.metrics != configuration.metrics
        {
            logger.warning("listen, threads and metrics changes take effect at the next restart")
        }
        if fresh.control != configuration.control {
            logger.warning("control.socket changes take effect at the next restart")
        }
        configuration = fresh
        logger.info("configuration reloaded")
        notifier.ready(status: statusLine(server))
        return nil
    }

    /// Stops taking queries, gives in-flight ones `server.shutdown-timeout`, exits 0.
    private func stop(signal number: Int32) {
        dispatchPrecondition(condition: .onQueue(control))
        notifier.stopping()
        logger.info("stopping (signal \(number))")
        notifier.stopWatchdog()
        metricsEndpoint?.stop()
        controlSocket?.stop()
        let abandoned = server?.stop(timeout: configuration.server.shutdownTimeout) ?? 0
        if abandoned > 0 { logger.notice("abandoned \(abandoned) queries still in resolution") }
        engine?.prepareToStop()
        logger.info("stopped")
        exit(0)
    }
}
