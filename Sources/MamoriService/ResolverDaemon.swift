// Primary responsibilities: the daemon's life, in-process — the open-file limit and what fits in it,
// the state directory's lock, building the service and its listeners (bound, or taken from socket
// activation), the metrics endpoint and the control socket, dropping root, housekeeping and telling
// systemd; then reload (a bad configuration is rejected and the old one kept whole) and the bounded
// stop. mamorid adds the command line, the logging and the signals.

import Blocklists
import DNSWire
import Dispatch
import Dnstap
import LocalZones
import Logging
import MamoriConfiguration
import MamoriControl
import MamoriSystem
internal import MamoriTLS
import Resolver
import ResolverServer

#if canImport(Glibc)
    import Glibc
#endif

/// A ``ResolverService`` behind its listeners, from start to stop.
///
/// `@unchecked Sendable` invariant: every `var` is read and written only on `queue`, which
/// ``start()``, ``reload()``, ``stop(signal:)`` and the control commands enter with `sync` (so none
/// may be called from `queue`), and on which the housekeeping's NTA sweep runs.
package final class ResolverDaemon: ControlHandler, @unchecked Sendable {
    /// Where the configuration is read from at reload.
    private let source: ConfigurationSource
    /// The configuration in force, descriptors planned.
    private var inForce: Configuration
    /// Serialises start, reloads (SIGHUP and `mamorictl reload`), the NTA sweep and the stop.
    private let queue = DispatchQueue(label: "mamori.control")
    /// The daemon's logger.
    private let logger: Logger
    /// Told of the `logging` section of each reload taken (the logging system is the caller's).
    private let applyLogging: @Sendable (LoggingSection) -> Void
    /// systemd notifications (none when not started by systemd).
    private let notifier = SystemdNotifier()
    /// When the daemon started (CLOCK_MONOTONIC), for `status`.
    package let started = ContinuousClock.now
    /// The soft open-file limit to plan with, or nil to raise the process's at start.
    private var openFileLimit: Int?
    /// Listening sockets, counted against the open-file limit.
    private var listenerCount = 0
    /// The resolution service, once built.
    private(set) var service: ResolverService?
    /// The listeners, once bound.
    private(set) var server: DNSServer?
    /// The `metrics.listen` endpoint, when configured.
    private var metricsEndpoint: MetricsEndpoint?
    /// The `control.socket` server, when configured and bindable.
    private var controlSocket: ControlSocket?
    /// The blocklists in force and their counters, once started.
    private var blocklists: BlocklistBook?
    /// Every part of the stages before the cache, once started: a part replaced installs them all.
    private var stageParts: InstalledStages?
    /// The hosts files (`local.hosts-files`), re-read on this queue when they change.
    private var hostsWatch: FileWatch?
    /// Expired NTAs, wall-clock jumps and freed heap, while running.
    private var housekeeping: Housekeeping?
    /// dnstap output (`dnstap`), when configured.
    private var dnstap: DnstapTap?

    /// A daemon for a loaded configuration; nothing runs until ``start()``.
    /// - Parameters:
    ///   - source: where ``reload()`` reads the configuration.
    ///   - openFileLimit: the soft open-file limit to share out; nil raises the process's to its
    ///     hard limit at start and uses that.
    ///   - applyLogging: called at each reload taken, with its `logging` (level and format).
    package init(
        source: ConfigurationSource, configuration: Configuration, logger: Logger, openFileLimit: Int? = nil,
        applyLogging: @escaping @Sendable (LoggingSection) -> Void = { _ in }
    ) {
        self.source = source
        self.inForce = configuration
        self.logger = logger
        self.openFileLimit = openFileLimit
        self.applyLogging = applyLogging
    }

    /// The configuration in force: as loaded, with what the open-file limit could not hold lowered.
    package var configuration: Configuration { queue.sync { inForce } }

    // MARK: - Start

    /// Plans descriptors, builds the service, binds (or takes socket-activated sockets), opens the
    /// metrics endpoint and control socket, drops root, then serves and says READY=1.
    /// - Throws: what stopped the start, already logged and sent to systemd as the status.
    package func start() throws {
        try queue.sync {
            let (before, after) = openFileLimit.map { ($0, $0) } ?? DescriptorPlan.raiseOpenFileLimit()
            openFileLimit = after
            let threads = inForce.threads.resolved(processorCount: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
            // Per `listen` address and thread: a UDP socket and its thread's eventfd, and a TCP socket.
            listenerCount = inForce.listen.count * threads * 3 + inForce.listenTLS.count + inForce.listenHTTPS.count
            inForce = planDescriptors(inForce)
            logger.info(
                "open-file limit \(after)\(after != before ? " (raised from \(before))" : "")",
                metadata: [
                    "max-outstanding-queries": "\(inForce.resolution.maxOutstandingQueries ?? 0)",
                    "tcp-max-connections": "\(inForce.server.tcpMaxConnections)",
                ])
            let (service, server): (ResolverService, DNSServer)
            do {
                (service, server) = try open(threads: threads)
            } catch {
                logger.critical("cannot start: \(error)")
                notifier.status("Failed to start: \(error)")
                throw error
            }
            server.start()
            let hostsWatch = FileWatch(queue: queue) { [weak self] changed in self?.hostsFilesChanged(changed) }
            hostsWatch.watch(hostsFiles)
            self.hostsWatch = hostsWatch
            housekeeping = Housekeeping(
                service: service, logger: logger, queue: queue)
            metricsEndpoint?.start()
            controlSocket?.start()
            let status = statusLine(server)
            notifier.ready(status: status)
            notifier.startWatchdog { [server] in server.livenessCheck() }
            logger.info(
                "mamorid started: \(status)",
                metadata: ["configuration": "\(inForce.sourceFile ?? "built-in defaults")"])
        }
    }

    /// Builds the service and its listeners, and everything bound before root is dropped.
    private func open(threads: Int) throws -> (ResolverService, DNSServer) {
        let metrics = inForce.metrics.listen == nil ? nil : ServerMetrics()
        let dnstap = try openDnstap(metrics: metrics)
        let service = try ResolverService(
            configuration: inForce, logger: logger, metrics: metrics, persistent: lockStateDirectory(),
            upstreamTraffic: dnstap?.observesUpstreams == true ? dnstap : nil)
        self.service = service
        let blocklists = BlocklistBook(metrics: metrics, logger: logger)
        blocklists.installed(try blocklists.load(inForce.blocklists))
        self.blocklists = blocklists
        hostsFiles = Self.identities(inForce)
        let local = try LocalTableLoader.load(inForce)
        logLocal(local, inForce)
        let activated = try SocketActivation.takeSockets()
        if !activated.isEmpty {
            logger.info(
                "using \(activated.count) sockets from systemd; `listen`, `listen-tls` and `listen-https` are ignored")
        }
        let tls = try encryptedContext(.tls, activated: activated)
        let https = try encryptedContext(.https, activated: activated)
        let server = DNSServer(
            handler: service, configuration: inForce, logger: logger, metrics: metrics, tls: tls, https: https,
            observers: dnstap.map { $0.observesClients ? [$0] : [] } ?? [])
        try server.bind(
            inForce.listen, threads: threads, tlsAddresses: inForce.listenTLS, httpsAddresses: inForce.listenHTTPS,
            activated: activated)
        self.server = server
        stageParts = InstalledStages(
            Self.parts(server, inForce, blocklists: blocklists.stage, local: local), in: service)
        if let metrics, let address = inForce.metrics.listen {
            metrics.gauge(
                "mamori_build_info",
                labels: [("version", MamoriVersion.version), ("revision", MamoriVersion.revision)],
                help: "Always 1: the version and the git revision of the running daemon."
            ).set(1)
            metricsEndpoint = try MetricsEndpoint(address: address, metrics: metrics, logger: logger)
        }
        openControlSocket()
        try dropPrivileges()
        return (service, server)
    }

    /// Starts the dnstap output `dnstap` names, if any; its I/O thread connects to the collector
    /// (and reconnects) on its own, so a collector not yet there is no error.
    private func openDnstap(metrics: ServerMetrics?) throws -> DnstapTap? {
        let tap: DnstapTap?
        do {
            tap = try DnstapTap.start(inForce)
        } catch {
            throw ServiceError(.dnstap, "dnstap: \(error)")
        }
        guard let tap else { return nil }
        if let metrics { tap.addCollectors(to: metrics) }
        logger.info(
            "dnstap to \(tap.output.destination)",
            metadata: [
                "queue": "\(DnstapOutput.queueCapacity) messages", "identity": "\(tap.output.envelope.identityText)",
            ])
        dnstap = tap
        return tap
    }

    /// Loads every file the daemon would load at start — trust anchors, root hints, the TLS
    /// certificate and key — without serving, for `mamorid --check-config`.
    /// - Throws: the first problem, naming the file.
    package static func checkFiles(_ configuration: Configuration) throws {
        try EngineSettings.checkFiles(configuration)
        _ = try TLSServerContext.dnsOverTLS(configuration)
        for list in configuration.blocklists {
            _ = try Blocklist.load(path: list.file, format: BlocklistBook.format(list.format))
        }
        _ = try LocalTableLoader.load(configuration)
    }

    /// The TLS context of DNS over TLS or over HTTPS, when `listen-tls` or `listen-https`, or a
    /// socket from systemd named for it (``DNSServer/activatedTLSName``,
    /// ``DNSServer/activatedHTTPSName``), asks for one; loaded before root is dropped, so a key only
    /// root may read works at start (a reload reads it again as `server.user`).
    private func encryptedContext(_ transport: DNSTransport, activated: [ActivatedSocket]) throws -> TLSServerContext? {
        let https = transport == .https
        let name = https ? DNSServer.activatedHTTPSName : DNSServer.activatedTLSName
        let configured = https ? inForce.listenHTTPS : inForce.listenTLS
        guard !configured.isEmpty || activated.contains(where: { $0.isStream && $0.name == name }) else { return nil }
        let made = try https ? TLSServerContext.dnsOverHTTPS(inForce) : TLSServerContext.dnsOverTLS(inForce)
        guard let context = made else {
            throw ServiceError(
                .listeners, "a socket named \(name) serves encrypted DNS: set tls.certificate and tls.key")
        }
        logger.info("DNS over \(https ? "HTTPS" : "TLS") certificate: \(context.certificateSummary)")
        return context
    }

    /// The stage parts for what `server` serves: discovery of its encrypted endpoints (RFC 9462),
    /// DoH first (the protocol browsers and operating systems prefer), under the certificate's
    /// first name; before it the local data, the blocklists and the served zones
    /// (``StageParts/stages``); after them the address policies of `configuration`.
    private static func parts(
        _ server: DNSServer, _ configuration: Configuration, blocklists: BlocklistStage?, local: LocalZoneTable
    ) -> StageParts {
        let certificate = server.httpsContext ?? server.tlsContext
        let target = certificate?.certificateNames.first.flatMap { try? DomainName($0) }
        let https = server.httpsPath.map {
            DesignatedResolverStage.Endpoint.dnsOverHTTPS(server.httpsAddresses, path: $0)
        }
        let endpoints = (https ?? []) + DesignatedResolverStage.Endpoint.dnsOverTLS(server.tlsAddresses)
        let discovery = DesignatedResolverStage(target: target, endpoints: endpoints)
        return StageParts(configuration: configuration, local: local, blocklists: blocklists, discovery: discovery)
    }

    // MARK: - Hosts files

    /// The hosts files as they were last read (the watch compares with this).
    private var hostsFiles: [String: FileIdentity?] = [:]

    /// Each hosts file of `configuration` as it is now: taken before the files are read, so a
    /// change made while they are read is seen at the next check.
    private static func identities(_ configuration: Configuration) -> [String: FileIdentity?] {
        Dictionary(configuration.local.hostsFiles.map { ($0, FileIdentity(path: $0)) }, uniquingKeysWith: { $1 })
    }

    /// Says what local data is in force.
    private func logLocal(_ table: LocalZoneTable, _ configuration: Configuration) {
        logger.info(
            "local data: \(configuration.local.data.count) records, \(configuration.local.zones.count) zones, \(configuration.local.hostsFiles.count) hosts files",
            metadata: ["served-zones": "\(table.servedZoneNames.count)"])
    }

    /// Re-reads the hosts files after `changed` changed (on `queue`, never a listener's: the
    /// listeners answer from the old table meanwhile) and installs the new table with every other
    /// stage part as it is; a file that cannot be read or used is logged and the old data kept.
    private func hostsFilesChanged(_ changed: [String]) {
        guard let stageParts, let hostsWatch else { return }
        hostsFiles = Self.identities(inForce)
        hostsWatch.watch(hostsFiles)
        do {
            let table = try LocalTableLoader.load(inForce)
            stageParts.update { $0.local = table }
            logger.info("hosts files re-read", metadata: ["changed": "\(changed.joined(separator: " "))"])
        } catch {
            logger.error("hosts file not re-read, the previous local data stays: \(error)")
        }
    }

    /// Takes the state directory's lock. Held by another instance, this one still serves (DNS
    /// stays up) but loads and saves nothing there, and says so loudly, naming the holder.
    /// - Returns: whether this instance may persist state.
    private func lockStateDirectory() -> Bool {
        let directory = inForce.stateDirectory
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
        let limit = openFileLimit ?? 1024
        let plan = DescriptorPlan(openFileLimit: limit, listeners: listenerCount, configuration: configuration)
        if !plan.reductions.isEmpty {
            logger.warning("lowered to fit the open-file limit of \(limit): \(plan.reductions.joined(separator: ", "))")
        }
        return plan.applied(to: configuration)
    }

    /// `UDP a b, TCP a b`, then `, TLS a` and `, HTTPS a` when DNS over TLS or HTTPS is served:
    /// the addresses bound.
    private static func listening(_ server: DNSServer) -> String {
        let udp = server.udpAddresses.map(\.description).joined(separator: " ")
        let tcp = server.tcpAddresses.map(\.description).joined(separator: " ")
        let tls = server.tlsAddresses.map(\.description).joined(separator: " ")
        let https = server.httpsAddresses.map(\.description).joined(separator: " ")
        return "UDP \(udp), TCP \(tcp)\(tls.isEmpty ? "" : ", TLS \(tls)")\(https.isEmpty ? "" : ", HTTPS \(https)")"
    }

    /// `Serving on UDP …, TCP …`, and the metrics endpoint.
    private func statusLine(_ server: DNSServer) -> String {
        let metrics = metricsEndpoint.map { ", metrics on http://\($0.localAddress)/metrics" } ?? ""
        return "Serving on \(Self.listening(server))\(metrics)"
    }

    /// Binds `control.socket` (before privileges are dropped: /run/mamori belongs to root outside
    /// systemd). A socket that cannot be bound is logged and skipped: the resolver still serves.
    private func openControlSocket() {
        guard let path = inForce.control.socket else { return }
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
        guard let user = inForce.server.user else { return }
        let directory = inForce.stateDirectory
        if geteuid() == 0, let account = getpwnam(user) {
            // StateDirectoryLock made the directory at start.
            for path in [directory, directory + "/cache.dump", directory + "/" + TrustAnchorStateFile.defaultFileName] {
                _ = chown(path, account.pointee.pw_uid, account.pointee.pw_gid)
            }
        }
        defer {
            if access(directory, W_OK) != 0 {
                logger.error(
                    "state directory \(directory) is not writable: the cache and RFC 5011 state will not be saved",
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

    // MARK: - Reload and stop

    /// Re-reads the configuration and applies it, or keeps the old one whole.
    /// - Returns: why it was rejected, or nil when it was taken.
    @discardableResult
    package func reload() -> String? {
        queue.sync {
            guard let server, let service, let blocklists, let stageParts else { return "the daemon is still starting" }
            notifier.reloading()
            logger.info("reloading configuration", metadata: ["file": "\(source.path)"])
            let fresh: Configuration
            let tls: TLSServerContext?
            let https: TLSServerContext?
            let lists: [LoadedBlocklist]
            let local: LocalZoneTable
            let files: [String: FileIdentity?]
            do {
                fresh = planDescriptors(try source.load())
                // Read here, on the control queue: the listeners answer from the old lists meanwhile.
                lists = try blocklists.load(fresh.blocklists)
                files = Self.identities(fresh)
                local = try LocalTableLoader.load(fresh)
                // Renewed certificate and key files (ACME renewal): read before anything changes,
                // so a bad pair rejects the whole reload and the old contexts stay.
                tls = try server.tlsContext.flatMap { try TLSServerContext.dnsOverTLS(fresh, keepingTicketsOf: $0) }
                https = try server.httpsContext.flatMap {
                    try TLSServerContext.dnsOverHTTPS(fresh, keepingTicketsOf: $0)
                }
                try service.reload(fresh)
            } catch {
                for line in "\(error)".split(separator: "\n") { logger.error("\(line)") }
                logger.error("reload rejected: keeping the previous configuration")
                notifier.notify("READY=1\nSTATUS=Reload failed, previous configuration kept; \(statusLine(server))")
                return "\(error)".split(separator: "\n").joined(separator: "; ")
            }
            server.reload(ServerPolicy(fresh), tlsContext: tls, httpsContext: https)
            blocklists.installed(lists)
            if let certificate = tls ?? https {
                logger.info("TLS certificate: \(certificate.certificateSummary)")
            }
            // Every reload: the stages follow the certificate, the configuration's policies and the
            // blocklists, and a new answer generation means nothing answered before is replayed.
            stageParts.update { $0 = Self.parts(server, fresh, blocklists: blocklists.stage, local: local) }
            hostsFiles = files
            hostsWatch?.watch(files)
            logLocal(local, fresh)
            applyLogging(fresh.logging)
            if fresh.listen != inForce.listen || fresh.listenTLS != inForce.listenTLS
                || fresh.listenHTTPS != inForce.listenHTTPS || fresh.https != inForce.https
                || fresh.threads != inForce.threads || fresh.metrics != inForce.metrics
            {
                logger.warning(
                    "listen, listen-tls, listen-https, https.path, threads and metrics changes take effect at the next restart"
                )
            }
            if fresh.dnstap != inForce.dnstap {
                logger.warning("dnstap changes take effect at the next restart")
            }
            if fresh.control != inForce.control {
                logger.warning("control.socket changes take effect at the next restart")
            }
            inForce = fresh
            logger.info("configuration reloaded")
            notifier.ready(status: statusLine(server))
            return nil
        }
    }

    /// Stops taking queries, gives in-flight ones `server.shutdown-timeout`, closes every socket and
    /// saves what outlives the process (the caller then exits).
    package func stop(signal number: Int32) {
        queue.sync {
            notifier.stopping()
            logger.info("stopping (signal \(number))")
            notifier.stopWatchdog()
            housekeeping?.stop()
            hostsWatch?.stop()
            metricsEndpoint?.stop()
            controlSocket?.stop()
            let abandoned = server?.stop(timeout: inForce.server.shutdownTimeout) ?? 0
            if abandoned > 0 { logger.notice("abandoned \(abandoned) queries still in resolution") }
            service?.prepareToStop()
            // After the listeners and the engine: what they wrote last is flushed, then STOP.
            if let dnstap {
                dnstap.output.close()
                logger.info(
                    "dnstap closed",
                    metadata: ["queued": "\(dnstap.output.written)", "dropped": "\(dnstap.output.dropped)"])
            }
            logger.info("stopped")
        }
    }

    // MARK: - Control

    /// Carries out one command on the control socket's queue, with what only the daemon knows: its
    /// listeners, its configuration and its reload.
    package func perform(_ command: ControlCommand) -> ControlReply {
        let (service, server) = queue.sync { (self.service, self.server) }
        guard let service, let server else { return .error("the daemon is still starting") }
        let context = ControlContext(
            started: started, configuration: { [self] in configuration }, listening: { Self.listening(server) },
            packetCache: server.processor.packetCache, waiting: { server.processor.pending.total },
            reload: { [self] in reload() },
            changeForwardZones: { [self] zones, zone in try changeForwardZones(zones, zone: zone) })
        return service.perform(command, context: context)
    }

    /// `mamorictl forward add|remove`: the forward zones in force become `zones` until the next
    /// reload (which reads the file's again) or restart; serialised with reloads on the queue. The
    /// locally served zones follow, since a forward zone takes the names it holds from them
    /// (``LocalZones/LocalZoneTable``): `forward add test. …` is asked, not answered NXDOMAIN.
    /// - Returns: the cached entries removed at and below `zone`.
    private func changeForwardZones(_ zones: [ForwardZone], zone: DomainName) throws -> Int {
        try queue.sync {
            guard let service, let stageParts else { throw ServiceError(.listeners, "the daemon is still starting") }
            var changed = inForce
            changed.resolution.forwardZones = zones
            let local = try LocalTableLoader.load(changed)
            let removed = try service.changeForwarding(changed, zone: zone)
            stageParts.update { $0.local = local }
            inForce = changed
            return removed
        }
    }
}

/// Where the configuration comes from, so a reload reads the same place.
package struct ConfigurationSource: Sendable {
    /// The file.
    package let path: String
    /// True when given with `--config`: then a missing file is an error. A missing default file
    /// means the built-in defaults.
    package let explicit: Bool

    /// A source.
    package init(path: String, explicit: Bool) {
        self.path = path
        self.explicit = explicit
    }

    /// Reads the configuration.
    /// - Throws: ``ConfigurationError``.
    package func load() throws(ConfigurationError) -> Configuration {
        if !explicit && access(path, F_OK) != 0 && errno == ENOENT { return Configuration() }
        return try Configuration.load(path: path)
    }
}
