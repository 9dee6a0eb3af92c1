// Primary responsibilities: the daemon's life in-process — descriptors planned from the open-file
// limit at start and at reload, a state directory held by another instance (serve, persist
// nothing), reloads that are rejected (the old configuration kept whole) or taken (the listeners
// follow), and the control commands before and after start. Listens on 127.10.54.x; the
// only root server is a loopback address where nothing listens.

import DNSWire
import Foundation
import Logging
import MamoriConfiguration
import MamoriControl
import MamoriSystem
import ResolverServer
import Synchronization
import Testing

@testable import MamoriService

@Suite("Resolver daemon: start, reload, stop")
struct ResolverDaemonTests {
    /// Writes `directory/mamori.yaml` (the directory is its state directory too): listening on
    /// 127.10.54.`host` port 15353 (each test its own address; the file format takes no port 0)
    /// with `threads` sockets per protocol, the root hints naming 127.10.99.1 (nothing leaves
    /// loopback), no control socket, no user switch (the tests run as root), then `extra` lines.
    @discardableResult
    static func write(
        _ directory: String, host: Int, threads: Int = 1, server: String = "", hints: String? = nil,
        _ extra: String = ""
    ) throws -> String {
        let hintsFile = directory + "/root.hints"
        try ". 3600000 NS a.root.invalid.\na.root.invalid. 3600000 A 127.10.99.1\n"
            .write(toFile: hintsFile, atomically: true, encoding: .utf8)
        let file = directory + "/mamori.yaml"
        try """
        listen: ["127.10.54.\(host)@15353"]
        threads: \(threads)
        state-directory: \(directory)
        control: { socket: false }
        server: { user: ""\(server) }
        resolution: { root-hints: \(hints ?? hintsFile), allow-private-upstreams: true }

        """.appending(extra).write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    /// A daemon for `file`, not started.
    static func daemon(
        _ file: String, logger: Logger, openFileLimit: Int = 4096,
        applyLogging: @escaping @Sendable (LoggingSection) -> Void = { _ in }
    ) throws -> ResolverDaemon {
        let source = ConfigurationSource(path: file, explicit: true)
        let configuration = try source.load()
        try #require(configuration.server.user == nil, "an in-process daemon must never switch the test's user")
        return ResolverDaemon(
            source: source, configuration: configuration, logger: logger, openFileLimit: openFileLimit,
            applyLogging: applyLogging)
    }

    @Test("start and each reload fit the configuration into the given open-file limit, listeners counted per thread")
    func descriptorsPlanned() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = try Self.write(directory, host: 1, threads: 2)
        let capture = LogCapture()
        let daemon = try Self.daemon(file, logger: capture.logger, openFileLimit: 300)
        try daemon.start()
        defer { daemon.stop(signal: SIGTERM) }

        // One address, two threads: 2 UDP sockets with their threads' eventfds, and 2 TCP sockets.
        let loaded = try ConfigurationSource(path: file, explicit: true).load()
        let plan = DescriptorPlan(openFileLimit: 300, listeners: 6, configuration: loaded)
        #expect(plan.reductions.count == 2)
        #expect(daemon.configuration == plan.applied(to: loaded))
        let transport = try #require(daemon.service?.transport as? UpstreamSocketTransport)
        #expect(transport.maxOutstanding == plan.outstandingQueries)
        #expect(
            capture.warnings.contains(
                "lowered to fit the open-file limit of 300: \(plan.reductions.joined(separator: ", "))"))

        try Self.write(directory, host: 1, threads: 2, server: ", tcp-max-connections: 600")
        #expect(daemon.reload() == nil)
        let fresh = try ConfigurationSource(path: file, explicit: true).load()
        let replanned = DescriptorPlan(openFileLimit: 300, listeners: 6, configuration: fresh)
        #expect(replanned.tcpConnections < 600)
        #expect(daemon.configuration == replanned.applied(to: fresh))
        #expect(daemon.server?.processor.policy == ServerPolicy(replanned.applied(to: fresh)))
        #expect(transport.maxOutstanding == replanned.outstandingQueries)
    }

    @Test("a state directory another holder has locked: the daemon serves, persists nothing, and names the holder")
    func stateDirectoryHeld() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // This process's own second lock on the file conflicts like another process's (flock).
        #expect(StateDirectoryLock.acquire(in: directory) == .held)
        let capture = LogCapture()
        let daemon = try Self.daemon(Self.write(directory, host: 2), logger: capture.logger)
        try daemon.start()
        #expect(daemon.server?.udpAddresses.map(\.description) == ["127.10.54.2@15353"])
        #expect(daemon.service?.persistent == false)
        daemon.stop(signal: SIGTERM)
        #expect(!FileManager.default.fileExists(atPath: directory + "/cache.dump"))
        #expect(
            capture.messages.contains {
                $0.contains("state directory \(directory) is in use by another mamorid (PID \(getpid()))")
                    && $0.contains("running WITHOUT persistence")
            })

        // The same daemon on a directory of its own takes the lock and saves the cache at stop.
        let own = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: own) }
        let owner = try Self.daemon(Self.write(own, host: 3), logger: LogCapture().logger)
        try owner.start()
        #expect(owner.service?.persistent == true)
        owner.stop(signal: SIGTERM)
        #expect(FileManager.default.fileExists(atPath: own + "/cache.dump"))
    }

    @Test(
        "reload: a file that does not parse, or names what the engine cannot use, changes nothing; a good one reaches the listeners"
    )
    func reload() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = try Self.write(directory, host: 4)
        let capture = LogCapture()
        let levels = Mutex<[LogLevel]>([])
        let daemon = try Self.daemon(file, logger: capture.logger) { logging in
            levels.withLock { $0.append(logging.level) }
        }
        #expect(daemon.reload() == "the daemon is still starting")
        #expect(daemon.perform(.status) == .error("the daemon is still starting"))
        try daemon.start()
        defer { daemon.stop(signal: SIGTERM) }
        let server = try #require(daemon.server)
        let address = try #require(server.udpAddresses.first)
        #expect(server.processor.policy.accessControl.action(for: address.host) == .allow)

        try Self.write(
            directory, host: 4,
            "access-control: [{ network: 127.0.0.0/8, action: refuse }]\nlogging: { level: debug, queries: true }\n")
        #expect(daemon.reload() == nil)
        let good = daemon.configuration
        #expect(good.logging.level == .debug)
        #expect(server.processor.policy == ServerPolicy(good))
        #expect(server.processor.policy.accessControl.action(for: address.host) == .refuse)
        #expect(levels.withLock { $0 } == [.debug])
        #expect(server.responseLog.observesEveryResponse, "logging.queries reaches the query log at reload")

        try "bogus-key: 1\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(daemon.reload()?.contains("bogus-key: unknown key") == true)
        try Self.write(directory, host: 4, hints: directory + "/missing.hints", "logging: { level: error }\n")
        #expect(daemon.reload()?.contains("missing.hints") == true)
        let viaControl = daemon.perform(.reload)
        #expect(!viaControl.succeeded && viaControl.lines.first?.hasPrefix("reload rejected: ") == true)
        #expect(daemon.configuration == good)
        #expect(server.processor.policy == ServerPolicy(good))
        #expect(levels.withLock { $0 } == [.debug])
        #expect(capture.messages.filter { $0 == "reload rejected: keeping the previous configuration" }.count == 3)

        let status = daemon.perform(.status)
        #expect(status.succeeded)
        #expect(status.lines.contains("listening: UDP \(address), TCP \(try #require(server.tcpAddresses.first))"))
        #expect(status.lines.contains("configuration: \(file)"))
    }
}
