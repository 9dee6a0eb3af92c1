// Primary responsibilities: the real `mamorid` process — `--check-config`, readiness and status
// through a test NOTIFY_SOCKET, SIGHUP reload with a good and a bad configuration, SIGTERM exit 0,
// watchdog pings, socket activation through `systemd-socket-activate`, and DNS cookies as dig and kdig
// see them. Loopback only.

import DNSWire
import Foundation
import MamoriControl
import SocketTestKit
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The `mamorid` built next to this test bundle.
let daemonPath: String = {
    let executable =
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    return URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("mamorid").path
}()

/// The `mamorictl` built next to this test bundle.
private let controlToolPath = URL(fileURLWithPath: daemonPath).deletingLastPathComponent()
    .appendingPathComponent("mamorictl").path

/// Runs `mamorictl` with `arguments`; its exit status and standard output.
private func mamorictl(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: controlToolPath)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// A free loopback port for both UDP and TCP (bound once, then released).
func freePort() -> UInt16 {
    for _ in 0..<20 {
        let udp = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        let tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer {
            close(udp)
            close(tcp)
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(udp, pointer, length) == 0 && getsockname(udp, pointer, &length) == 0
                    && bind(tcp, pointer, length) == 0
            }
        }
        if bound { return UInt16(bigEndian: address.sin_port) }
    }
    return 0
}

/// A unix datagram socket standing in for systemd's notification socket.
final class NotifySocket {
    /// The socket.
    let descriptor: Int32
    /// Its path, for NOTIFY_SOCKET.
    let path: String

    /// Binds a socket in a fresh temporary path, with a 10 s receive timeout.
    init() {
        path = NSTemporaryDirectory() + "mamori-notify-\(UUID().uuidString.prefix(8))"
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(path.utf8).prefix(raw.count - 1))
        }
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Closes and removes it.
    deinit {
        close(descriptor)
        unlink(path)
    }

    /// The next notification, nil after 10 s without one.
    func next() -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        return count > 0 ? String(decoding: buffer.prefix(count), as: UTF8.self) : nil
    }

    /// Reads notifications until one contains `assignment`; returns it, nil on timeout.
    func wait(for assignment: String) -> String? {
        for _ in 0..<50 {
            guard let message = next() else { return nil }
            if message.split(separator: "\n").contains(Substring(assignment)) { return message }
        }
        return nil
    }
}

/// A running daemon.
final class DaemonProcess {
    /// The process.
    let process = Process()
    /// Its stderr.
    let errors = Pipe()
    /// What stderr carried, read as it comes so a chatty daemon never blocks on a full pipe.
    private let collected = Collected()

    /// Bytes read so far and the end of the stream.
    private final class Collected: Sendable {
        /// The bytes.
        let data = Mutex(Data())
        /// Signalled at the end of the stream.
        let ended = DispatchSemaphore(value: 0)
    }

    /// Starts `executable arguments` with extra environment variables.
    init(executable: String = daemonPath, arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        for key in ["NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "WATCHDOG_USEC", "WATCHDOG_PID"] {
            merged[key] = nil
        }
        merged.merge(environment) { _, new in new }
        process.environment = merged
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let (reader, collected) = (errors.fileHandleForReading, self.collected)
        Thread.detachNewThread {
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                collected.data.withLock { $0.append(chunk) }
            }
            collected.ended.signal()
        }
    }

    /// Sends a signal.
    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits up to 15 s for exit; kills it after that. Returns the exit status, nil if killed.
    func waitForExit() -> Int32? {
        for _ in 0..<1500 where process.isRunning { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    /// Everything written to stderr (after exit; waits up to 10 s for its end).
    var stderr: String {
        _ = collected.ended.wait(timeout: .now() + 10)
        collected.ended.signal()
        return String(decoding: collected.data.withLock { $0 }, as: UTF8.self)
    }
}

/// Writes a temporary configuration file.
func writeConfiguration(_ text: String, to path: String? = nil) throws -> String {
    let file = path ?? NSTemporaryDirectory() + "mamori-\(UUID().uuidString.prefix(8)).yaml"
    try text.write(toFile: file, atomically: true, encoding: .utf8)
    return file
}

/// A `resolution` section whose only root server is a loopback address where nothing listens,
/// so that a daemon under test resolves without sending a packet beyond this machine: its
/// queries are refused at once (ICMP port unreachable) and clients get SERVFAIL with EDE 22.
/// The state directory is fresh, and the control socket is off (or at `controlSocket`), so no
/// test touches /run/mamori. `resolution` adds indented lines to the `resolution` section (forward
/// and stub zones).
func isolatedResolution(controlSocket: String? = nil, resolution: String = "") throws -> String {
    let hints = NSTemporaryDirectory() + "mamori-hints-\(UUID().uuidString.prefix(8))"
    try ". 3600000 NS a.root.invalid.\na.root.invalid. 3600000 A 127.10.99.1\n"
        .write(toFile: hints, atomically: true, encoding: .utf8)
    let state = NSTemporaryDirectory() + "mamori-state-\(UUID().uuidString.prefix(8))"
    return
        "state-directory: \(state)\nresolution:\n\(resolution)  root-hints: \(hints)\n  allow-private-upstreams: true\n"
        + "control: { socket: \(controlSocket ?? "false") }\n"
}

/// A configuration file for a daemon on 127.0.0.1@`port` with metrics on `metricsPort`, validation
/// off (the stub's unsigned answers are final) and `zone` forwarded to `stub`.
func stubForwarded(_ zone: String, stub: StubAuthority, port: UInt16, metricsPort: UInt16) throws -> String {
    let isolated = try isolatedResolution(
        resolution: "  forward-zones: [{ name: \(zone), addresses: [\"127.0.0.1@\(stub.port)\"] }]\n")
    return try writeConfiguration(
        "listen: [\"127.0.0.1@\(port)\"]\nmetrics: { listen: \"127.0.0.1@\(metricsPort)\" }\n"
            + "dnssec: { validation: false }\n" + isolated)
}

/// The state directory an `isolatedResolution()` section names.
private func stateDirectory(in configuration: String) -> String? {
    configuration.split(separator: "\n").first { $0.hasPrefix("state-directory: ") }
        .map { String($0.dropFirst("state-directory: ".count)) }
}

/// Sets a 5 s receive timeout on `descriptor` and connects it to 127.0.0.1:port.
func connectLoopback(_ descriptor: Int32, port: UInt16) -> Bool {
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
}

/// Sends one UDP query to 127.0.0.1:port and parses the answer (5 s timeout, 2 tries).
func ask(port: UInt16, name: String = "example.com", id: UInt16 = 0x55AA) throws -> Message? {
    let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    defer { close(descriptor) }
    _ = connectLoopback(descriptor, port: port)
    var header = Header(id: id)
    header.recursionDesired = true
    let query = try Message(header: header, questions: [Question(name: DomainName(name), type: .a)], edns: EDNS())
        .serialized()
    for _ in 0..<2 {
        _ = query.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count > 0 { return try Message(parsing: Array(buffer.prefix(count))) }
    }
    return nil
}

@Suite("mamorid process", .serialized)
struct DaemonTests {
    @Test("--check-config prints OK for a good file and every error, with file and line, for a bad one")
    func checkConfig() throws {
        let good = try writeConfiguration("listen: [\"127.0.0.1@53\"]\n")
        let ok = try DaemonProcess(arguments: ["--check-config", "--config", good])
        #expect(ok.waitForExit() == 0)

        let bad = try writeConfiguration("resolution:\n    ipv6: maybe\ncache:\n  sise: 1G\n")
        let failing = try DaemonProcess(arguments: ["--check-config", "--config", bad])
        #expect(failing.waitForExit() == 1)
        let output = failing.stderr
        #expect(output.contains("\(bad):2:5: resolution.ipv6: expected a boolean, got \"maybe\""))
        #expect(output.contains("\(bad):4:3: cache.sise: unknown key"))

        // Files the daemon would load are parsed too: it would refuse to start with these.
        let hints = NSTemporaryDirectory() + "mamori-hints-bad-\(UUID().uuidString.prefix(8))"
        try "this is not a zone file\n".write(toFile: hints, atomically: true, encoding: .utf8)
        let badHints = try writeConfiguration("resolution: { root-hints: \(hints) }\n")
        let hintsCheck = try DaemonProcess(arguments: ["--check-config", "--config", badHints])
        #expect(hintsCheck.waitForExit() == 1)
        #expect(hintsCheck.stderr.contains(hints))
        let anchors = NSTemporaryDirectory() + "mamori-anchors-bad-\(UUID().uuidString.prefix(8))"
        try ". IN DS 12345 13 2 nothex\n".write(toFile: anchors, atomically: true, encoding: .utf8)
        let badAnchors = try writeConfiguration("dnssec: { trust-anchor-files: [\(anchors)] }\n")
        let anchorsCheck = try DaemonProcess(arguments: ["--check-config", "--config", badAnchors])
        #expect(anchorsCheck.waitForExit() == 1)
        #expect(anchorsCheck.stderr.contains(anchors))

        let missing = try DaemonProcess(arguments: ["--check-config", "--config", "/nonexistent/mamori.yaml"])
        #expect(missing.waitForExit() == 1)
        #expect(missing.stderr.contains("/nonexistent/mamori.yaml: cannot read: No such file or directory"))
    }

    @Test(
        "a DS anchor whose digest length is wrong for its digest type fails --check-config and start, naming file or key and line"
    )
    func malformedAnchorDigest() throws {
        // A SHA-256-length digest under digest type 1 (SHA-1, 20 octets): RFC 6840 §5.2 would make it bogus.
        let digest = "E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D"
        let anchors = NSTemporaryDirectory() + "mamori-anchors-length-\(UUID().uuidString.prefix(8))"
        try "; root\n. IN DS 20326 8 1 \(digest)\n".write(toFile: anchors, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: anchors) }
        let fileCheck = try DaemonProcess(
            arguments: [
                "--check-config", "--config", writeConfiguration("dnssec: { trust-anchor-files: [\(anchors)] }\n"),
            ])
        #expect(fileCheck.waitForExit() == 1)
        #expect(
            fileCheck.stderr.contains(
                "\(anchors):2: DS 20326 for . has a 32-octet digest; digest type 1 digests are 20 octets"))

        let inline = try writeConfiguration("dnssec: { trust-anchors: [\". IN DS 20326 8 1 \(digest)\"] }\n")
        let inlineCheck = try DaemonProcess(arguments: ["--check-config", "--config", inline])
        #expect(inlineCheck.waitForExit() == 1)
        #expect(inlineCheck.stderr.contains("dnssec.trust-anchors[0]:1: DS 20326 for . has a 32-octet digest"))

        let port = freePort()
        let start = try DaemonProcess(
            arguments: [
                "--config",
                writeConfiguration(
                    "listen: [\"127.0.0.1@\(port)\"]\n" + String(contentsOfFile: inline, encoding: .utf8)),
            ])
        defer { if start.process.isRunning { start.signal(SIGKILL) } }
        #expect(start.waitForExit() != 0)
        #expect(start.stderr.contains("dnssec.trust-anchors[0]:1: DS 20326 for . has a 32-octet digest"))
    }

    @Test("under LD_PRELOAD of libfaketime (which calls setenv early) mamorid still reads its own arguments")
    func argumentsUnderPreload() throws {
        let library = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
        #expect(access(library, R_OK) == 0, "libfaketime is installed by make deps")
        let bad = try writeConfiguration("cache:\n  sise: 1G\n")
        let daemon = try DaemonProcess(
            arguments: ["--check-config", "--config", bad], environment: ["LD_PRELOAD": library, "FAKETIME": "+1d"])
        // Without its arguments it ran on the built-in defaults instead of checking this file.
        #expect(daemon.waitForExit() == 1)
        #expect(daemon.stderr.contains("\(bad):2:3: cache.sise: unknown key"))
    }

    @Test("READY=1 after binding, answers, SIGHUP good and bad reloads, SIGTERM: STOPPING=1 and exit 0")
    func lifecycle() throws {
        let port = freePort()
        let notify = NotifySocket()
        let isolated = try isolatedResolution()
        let file = try writeConfiguration("listen: [\"127.0.0.1@\(port)\"]\nthreads: 2\n" + isolated)
        let daemon = try DaemonProcess(arguments: ["--config", file], environment: ["NOTIFY_SOCKET": notify.path])
        defer { if daemon.process.isRunning { daemon.signal(SIGKILL) } }

        let ready = try #require(notify.wait(for: "READY=1"))
        #expect(ready.contains("STATUS=Serving on UDP 127.0.0.1@\(port)"))
        let answer = try #require(try ask(port: port))
        #expect(answer.header.id == 0x55AA && answer.rcode == .servFail)
        #expect(answer.edns?.extendedErrors.first?.code == .noReachableAuthority)
        #expect(answer.edns?.extendedErrors.first?.extraText.contains("127.10.99.1") == true)

        // A good reload: loopback is now refused, which the next answer shows.
        _ = try writeConfiguration(
            "listen: [\"127.0.0.1@\(port)\"]\nthreads: 2\naccess-control: [{ network: 127.0.0.0/8, action: refuse }]\n"
                + isolated, to: file)
        daemon.signal(SIGHUP)
        #expect(notify.wait(for: "RELOADING=1") != nil)
        let reloaded = try #require(notify.wait(for: "READY=1"))
        #expect(!reloaded.contains("Reload failed"))
        #expect(try ask(port: port)?.rcode == .refused)

        // A bad reload is rejected and the previous configuration stays.
        _ = try writeConfiguration("listen: [\"127.0.0.1@\(port)\"]\nbogus-key: 1\n", to: file)
        daemon.signal(SIGHUP)
        #expect(notify.wait(for: "RELOADING=1") != nil)
        let rejected = try #require(notify.wait(for: "READY=1"))
        #expect(rejected.contains("Reload failed, previous configuration kept"))
        #expect(try ask(port: port)?.rcode == .refused)

        daemon.signal(SIGTERM)
        #expect(notify.wait(for: "STOPPING=1") != nil)
        #expect(daemon.waitForExit() == 0)
        let log = daemon.stderr
        #expect(log.contains("bogus-key: unknown key"))
        #expect(log.contains("reload rejected"))
    }

    @Test("WATCHDOG=1 pings when WATCHDOG_USEC is set")
    func watchdog() throws {
        let port = freePort()
        let notify = NotifySocket()
        let file = try writeConfiguration("listen: [\"127.0.0.1@\(port)\"]\nthreads: 1\n" + isolatedResolution())
        let daemon = try DaemonProcess(
            arguments: ["--config", file], environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "200000"])
        defer { if daemon.process.isRunning { daemon.signal(SIGKILL) } }
        #expect(notify.wait(for: "READY=1") != nil)
        #expect(notify.wait(for: "WATCHDOG=1") != nil)
        #expect(notify.wait(for: "WATCHDOG=1") != nil)
        daemon.signal(SIGINT)
        #expect(daemon.waitForExit() == 0)
    }

    @Test("a configured address that cannot be bound stops start-up with a clear error")
    func bindFailure() throws {
        let file = try writeConfiguration("listen: [\"192.0.2.1@53\"]\n")
        let daemon = try DaemonProcess(arguments: ["--config", file])
        #expect(daemon.waitForExit() == 1)
        #expect(daemon.stderr.contains("cannot bind UDP 192.0.2.1@53"))
    }

    @Test(
        "socket activation: sockets from systemd-socket-activate replace `listen`",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-socket-activate")))
    func socketActivation() throws {
        let port = freePort()
        // `listen` names an address no interface has: only the passed socket can serve.
        let file = try writeConfiguration("listen: [\"192.0.2.1@53\"]\n" + isolatedResolution())
        let activator = try DaemonProcess(
            executable: "/usr/bin/systemd-socket-activate",
            arguments: ["--datagram", "--listen=127.0.0.1:\(port)", "--fdname=dns", daemonPath, "--config", file])
        defer { if activator.process.isRunning { activator.signal(SIGKILL) } }
        usleep(200_000)
        let answer = try #require(try ask(port: port, id: 0x0A0A))
        #expect(answer.header.id == 0x0A0A && answer.rcode == .servFail)
        activator.signal(SIGTERM)
        #expect(activator.waitForExit() == 0)
        #expect(activator.stderr.contains("using 1 sockets from systemd"))
    }

    @Test("RFC 5011: the built-in root anchor is managed and its state saved; static anchors are never probed")
    func trustAnchorMaintenance() throws {
        let port = freePort()
        let isolated = try isolatedResolution()
        let state = try #require(stateDirectory(in: isolated))
        let managed = try writeConfiguration("listen: [\"127.0.0.1@\(port)\"]\n" + isolated)
        let daemon = try DaemonProcess(arguments: ["--config", managed])
        defer { if daemon.process.isRunning { daemon.signal(SIGKILL) } }
        var saved = false
        for _ in 0..<100 where !saved {
            saved = FileManager.default.fileExists(atPath: state + "/trust-anchors.state")
            usleep(100_000)
        }
        #expect(saved, "no RFC 5011 state file in \(state)")
        if saved {
            let text = try String(contentsOfFile: state + "/trust-anchors.state", encoding: .utf8)
            #expect(text.contains("mamori-trust-anchor-state 1"))
            // The dead root could not be asked for its DNSKEY RRset: a failed refresh is recorded
            // for the root zone (RFC 5011 §2.3 retry timing), the proof that the probe ran.
            #expect(text.contains("\nzone . - "))
        }
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)

        // Static anchors (updates off): no maintenance, so no state file at all.
        let staticIsolated = try isolatedResolution()
        let staticState = try #require(stateDirectory(in: staticIsolated))
        let fixed = try writeConfiguration(
            "listen: [\"127.0.0.1@\(port)\"]\ndnssec:\n  trust-anchor-updates: false\n" + staticIsolated)
        let quiet = try DaemonProcess(arguments: ["--config", fixed])
        defer { if quiet.process.isRunning { quiet.signal(SIGKILL) } }
        usleep(1_500_000)
        #expect(!FileManager.default.fileExists(atPath: staticState + "/trust-anchors.state"))
        quiet.signal(SIGTERM)
        #expect(quiet.waitForExit() == 0)
    }

    @Test("cache.persist: the cache is saved at SIGTERM and read back at the next start")
    func cachePersistence() throws {
        let port = freePort()
        let isolated = try isolatedResolution()
        let state = try #require(stateDirectory(in: isolated))
        let file = try writeConfiguration("listen: [\"127.0.0.1@\(port)\"]\n" + isolated)
        let notify = NotifySocket()
        let first = try DaemonProcess(arguments: ["--config", file], environment: ["NOTIFY_SOCKET": notify.path])
        defer { if first.process.isRunning { first.signal(SIGKILL) } }
        #expect(notify.wait(for: "READY=1") != nil)
        _ = try ask(port: port)  // the dead root's NS and glue are cached, a SERVFAIL is not
        first.signal(SIGTERM)
        #expect(first.waitForExit() == 0)
        #expect(first.stderr.contains("cache saved"))
        #expect(FileManager.default.fileExists(atPath: state + "/cache.dump"))

        let again = NotifySocket()
        let second = try DaemonProcess(arguments: ["--config", file], environment: ["NOTIFY_SOCKET": again.path])
        defer { if second.process.isRunning { second.signal(SIGKILL) } }
        #expect(again.wait(for: "READY=1") != nil)
        #expect(try ask(port: port) != nil)
        second.signal(SIGTERM)
        #expect(second.waitForExit() == 0)
        #expect(second.stderr.contains("cache loaded"))

        // Another trust anchor: verdicts saved under the old one must not be loaded.
        let anchored = try writeConfiguration(
            "listen: [\"127.0.0.1@\(port)\"]\n" + isolated
                + "dnssec: { trust-anchors: [\". IN DS 12345 13 2 "
                + String(repeating: "ab", count: 32) + "\"] }\n")
        let third = NotifySocket()
        let restarted = try DaemonProcess(
            arguments: ["--config", anchored], environment: ["NOTIFY_SOCKET": third.path])
        defer { if restarted.process.isRunning { restarted.signal(SIGKILL) } }
        #expect(third.wait(for: "READY=1") != nil)
        restarted.signal(SIGTERM)
        #expect(restarted.waitForExit() == 0)
        let log = restarted.stderr
        #expect(log.contains("cache dump not loaded: it was judged under another configuration"))
        #expect(log.contains("dnssec.trust-anchors"))
        #expect(!log.contains("cache loaded"))
    }

    @Test(
        "mamorictl over control.socket: status, stats, NTA add/list/remove, flush, reload (good and bad), unreachable")
    func controlTool() throws {
        let port = freePort()
        let socket = NSTemporaryDirectory() + "mamori-ctl-\(UUID().uuidString.prefix(8)).sock"
        let isolated = try isolatedResolution(controlSocket: socket)
        let file = try writeConfiguration("listen: [\"127.0.0.1@\(port)\"]\n" + isolated)
        let notify = NotifySocket()
        let daemon = try DaemonProcess(arguments: ["--config", file], environment: ["NOTIFY_SOCKET": notify.path])
        defer { if daemon.process.isRunning { daemon.signal(SIGKILL) } }
        #expect(notify.wait(for: "READY=1") != nil)
        _ = try ask(port: port)

        let status = try mamorictl(["--config", file, "status"])
        #expect(status.status == 0)
        #expect(status.output.contains("listening: UDP 127.0.0.1@\(port)"))
        #expect(status.output.contains("configuration: \(file)"))
        let stats = try mamorictl(["stats", "--socket", socket])
        #expect(stats.status == 0 && stats.output.contains("cache.entries "))
        #expect(try mamorictl(["--socket", socket, "nta", "add", "example.com", "600"]).status == 0)
        let list = try mamorictl(["--socket", socket, "nta", "list"])
        // 600 s left, or 599 once a second boundary has passed.
        #expect(list.output.hasPrefix("example.com. ") && list.output.hasSuffix(" s left\n"))
        #expect(try mamorictl(["--socket", socket, "nta", "remove", "example.com"]).status == 0)
        let again = try mamorictl(["--socket", socket, "nta", "remove", "example.com"])
        #expect(again.status == 1 && again.output.contains("no negative trust anchor for example.com."))
        // An NTA that reaches its lifetime ends (and its zone is flushed) within a second or so.
        #expect(try mamorictl(["--socket", socket, "nta", "add", "short.example", "1"]).status == 0)
        Thread.sleep(forTimeInterval: 2.5)
        #expect(!(try mamorictl(["--socket", socket, "nta", "list"]).output.contains("short.example.")))
        #expect(try mamorictl(["--socket", socket, "flush", "all"]).status == 0)
        // lookup resolves and explains: here the only root is a dead loopback address.
        let lookup = try mamorictl(["--socket", socket, "lookup", "example.com", "AAAA"])
        #expect(lookup.status == 0 && lookup.output.hasPrefix("question: example.com. IN AAAA\n"))
        #expect(lookup.output.contains("result: SERVFAIL") && lookup.output.contains("extended error: 22 "))
        #expect(try mamorictl(["--socket", socket, "reload"]).output.contains("configuration reloaded"))

        // A bad file: the reload is refused with the reason, and the daemon keeps serving.
        _ = try writeConfiguration("listen: [\"127.0.0.1@\(port)\"]\nbogus-key: 1\n" + isolated, to: file)
        let rejected = try mamorictl(["--socket", socket, "reload"])
        #expect(rejected.status == 1 && rejected.output.contains("bogus-key: unknown key"))
        #expect(try ask(port: port) != nil)

        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
        #expect(!FileManager.default.fileExists(atPath: socket))
        #expect(try mamorictl(["--socket", socket, "status"]).status == 2)
    }

    @Test(
        "mamorictl parity: version, status, stats --since-last, config show (a fixpoint through reload), dump-cache and load-cache, requests, forward, an NTA surviving a restart"
    )
    func controlParity() throws {
        let stub = StubAuthority()
        defer { stub.stop() }
        let port = freePort()
        let socket = NSTemporaryDirectory() + "mamori-ctl-\(UUID().uuidString.prefix(8)).sock"
        let isolated = try isolatedResolution(controlSocket: socket)
        let state = try #require(stateDirectory(in: isolated))
        // Without validation the stub's unsigned answers are final (it is reached by `forward add`).
        let file = try writeConfiguration(
            "listen: [\"127.0.0.1@\(port)\"]\ndnssec: { validation: false }\n" + isolated)
        let notify = NotifySocket()
        let daemon = try DaemonProcess(arguments: ["--config", file], environment: ["NOTIFY_SOCKET": notify.path])
        defer { if daemon.process.isRunning { daemon.signal(SIGKILL) } }
        #expect(notify.wait(for: "READY=1") != nil)
        func control(_ words: String...) throws -> (status: Int32, output: String) {
            try mamorictl(["--socket", socket] + words)
        }

        let toolVersion = try mamorictl(["--version"]).output
        #expect(run(daemonPath, ["--version"]) == toolVersion)
        let version = try control("version")
        #expect(version.status == 0 && version.output.hasPrefix("version: ") && version.output.contains("\nrevision: "))
        #expect(toolVersion.hasPrefix(String(version.output.dropFirst("version: ".count).prefix { $0 != "\n" }) + " ("))
        let status = try control("status").output
        #expect(status.contains("\npid: \(daemon.process.processIdentifier)\n"))
        let threads = status.split(separator: "\n").first { $0.hasPrefix("threads: ") }.flatMap { Int($0.dropFirst(9)) }
        #expect((threads ?? 0) >= 2)
        #expect(status.contains("\ncache: ") && status.contains(" %)\n"))

        // config show: what it prints is a configuration mamorid accepts, and reading it in (a
        // reload) and printing it again gives the same text.
        let shown = try control("config", "show")
        #expect(shown.status == 0 && shown.output.contains("\ncontrol:\n  socket: \"\(socket)\"\n"))
        let shownFile = try writeConfiguration(shown.output)
        #expect(run(daemonPath, ["--config", shownFile, "--check-config"]).hasSuffix(": OK\n"))
        _ = try writeConfiguration(shown.output, to: file)
        #expect(try control("reload").output.contains("configuration reloaded"))
        #expect(try control("config", "show").output == shown.output)

        // A forward zone added at run time is asked at once, and listed.
        #expect(try control("forward", "list").output.isEmpty)
        #expect(try control("forward", "add", "stub.test", "127.0.0.1@\(stub.port)").status == 0)
        #expect(try control("forward", "list").output == "stub.test. 127.0.0.1@\(stub.port)\n")
        #expect(try ask(port: port, name: "www.stub.test")?.answer.first?.rdatas == [.a(A(192, 0, 2, 7))])
        #expect(stub.cookies.count == 1)

        let checkpoint = "daemon-test-\(UUID().uuidString.prefix(8))"
        defer {
            let runtime = ProcessInfo.processInfo.environment["XDG_RUNTIME_DIR"].map { $0 + "/mamorictl" }
            for directory in [runtime, "/tmp/mamorictl-\(getuid())"].compactMap({ $0 }) {
                try? FileManager.default.removeItem(atPath: directory + "/stats-" + checkpoint)
            }
        }
        let first = try control("stats", "--since-last", "--checkpoint", checkpoint)
        #expect(first.output.hasPrefix("since: daemon start (no previous values)\n"))
        _ = try ask(port: port, name: "www.stub.test")
        let second = try control("stats", "--since-last", "--checkpoint", checkpoint)
        #expect(second.output.hasPrefix("since: ") && !second.output.contains("daemon start"))
        #expect(second.output.contains("\ncache.hits 1\ncache.misses 0\n"), "\(second.output)")

        let dump = state + "/copy.dump"
        let dumped = try control("dump-cache", dump)
        #expect(dumped.status == 0 && dumped.output.hasPrefix("wrote "), "\(dumped.output)")
        #expect(FileManager.default.fileExists(atPath: dump + ".identity"))
        #expect(try control("flush", "all").status == 0)
        let loaded = try control("load-cache", dump)
        #expect(loaded.status == 0 && loaded.output.hasPrefix("loaded 1 of 1 entries"), "\(loaded.output)")
        #expect(try ask(port: port, name: "www.stub.test")?.answer.first?.rdatas == [.a(A(192, 0, 2, 7))])
        #expect(stub.cookies.count == 1)  // answered from the loaded cache
        let unwritable = try control("dump-cache", "/proc/copy.dump")
        #expect(unwritable.status == 1 && unwritable.output.contains("cannot write /proc/copy.dump.tmp."))
        #expect(unwritable.output.contains("mamorid runs as user"))

        #expect(try control("list", "requests").output == "0 resolutions in flight\n")
        for what in ["bogus", "negative", "requests"] { #expect(try control("flush", what).status == 0) }
        #expect(try control("forward", "remove", "stub.test").status == 0)
        #expect(try control("forward", "list").output.isEmpty)
        // The dump was made while stub.test was forwarded: under the file's forward zones it is refused.
        let refused = try control("load-cache", dump)
        #expect(
            refused.status == 1
                && refused.output.contains("judged under another configuration (changed: resolution.forward-zones)"))

        #expect(try control("nta", "add", "example.com", "600").status == 0)
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
        let again = NotifySocket()
        let restarted = try DaemonProcess(arguments: ["--config", file], environment: ["NOTIFY_SOCKET": again.path])
        defer { if restarted.process.isRunning { restarted.signal(SIGKILL) } }
        #expect(again.wait(for: "READY=1") != nil)
        let list = try control("nta", "list").output
        #expect(list.hasPrefix("example.com. ") && list.hasSuffix(" s left\n"), "\(list)")
        restarted.signal(SIGTERM)
        #expect(restarted.waitForExit() == 0)
        #expect(restarted.stderr.contains("run-time negative trust anchors restored"))
    }

    @Test("a reload rejected for an unusable root-hints file changes nothing, not even the NTAs it lists")
    func rejectedReloadChangesNothing() throws {
        let port = freePort()
        let socket = NSTemporaryDirectory() + "mamori-ctl-\(UUID().uuidString.prefix(8)).sock"
        let isolated = try isolatedResolution(controlSocket: socket)
        let listen = "listen: [\"127.0.0.1@\(port)\"]\n"
        let file = try writeConfiguration(listen + "dnssec: { negative-trust-anchors: [kept.example.] }\n" + isolated)
        let notify = NotifySocket()
        let daemon = try DaemonProcess(arguments: ["--config", file], environment: ["NOTIFY_SOCKET": notify.path])
        defer { if daemon.process.isRunning { daemon.signal(SIGKILL) } }
        #expect(notify.wait(for: "READY=1") != nil)

        // Readable, so the file passes the configuration check, but not root hints.
        let garbage = NSTemporaryDirectory() + "mamori-hints-bad-\(UUID().uuidString.prefix(8))"
        try "this is not a zone file\n".write(toFile: garbage, atomically: true, encoding: .utf8)
        let broken = isolated.replacingOccurrences(
            of: #"root-hints: [^\n]*"#, with: "root-hints: \(garbage)", options: .regularExpression)
        _ = try writeConfiguration(listen + "dnssec: { negative-trust-anchors: [new.example.] }\n" + broken, to: file)
        let rejected = try mamorictl(["--socket", socket, "reload"])
        #expect(rejected.status == 1)
        let list = try mamorictl(["--socket", socket, "nta", "list"]).output
        #expect(list.contains("kept.example."))
        #expect(!list.contains("new.example."))

        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
    }

    @Test("a second instance on the same state directory runs without persistence and names the holder")
    func oneInstancePerStateDirectory() throws {
        let isolated = try isolatedResolution()
        let first = try writeConfiguration("listen: [\"127.0.0.1@\(freePort())\"]\n" + isolated)
        let second = try writeConfiguration("listen: [\"127.0.0.1@\(freePort())\"]\n" + isolated)
        let notify = NotifySocket()
        let holder = try DaemonProcess(arguments: ["--config", first], environment: ["NOTIFY_SOCKET": notify.path])
        defer { if holder.process.isRunning { holder.signal(SIGKILL) } }
        #expect(notify.wait(for: "READY=1") != nil)
        let again = NotifySocket()
        let other = try DaemonProcess(arguments: ["--config", second], environment: ["NOTIFY_SOCKET": again.path])
        defer { if other.process.isRunning { other.signal(SIGKILL) } }
        #expect(again.wait(for: "READY=1") != nil)
        other.signal(SIGTERM)
        #expect(other.waitForExit() == 0)
        let log = other.stderr
        #expect(log.contains("is in use by another mamorid (PID \(holder.process.processIdentifier))"))
        #expect(!log.contains("cache saved"))
        holder.signal(SIGTERM)
        #expect(holder.waitForExit() == 0)
    }

    @Test("a flood of random names under a dead zone at ulimit -n 1024: mamorid stays up and keeps answering others")
    func waterTortureAtLowFileLimit() throws {
        // The dead zone's forwarder: a socket that receives and never answers.
        let (sink, sinkPort) = loopbackSocket(stream: false)
        defer { close(sink) }
        let port = freePort()
        let isolated = try isolatedResolution()
        let forward = "  forward-zones: [{ name: dead.test., addresses: [\"127.0.0.1@\(sinkPort)\"] }]\n"
        let file = try writeConfiguration(
            "listen: [\"127.0.0.1@\(port)\"]\n"
                + isolated.replacingOccurrences(
                    of: "  allow-private-upstreams: true\n", with: "  allow-private-upstreams: true\n" + forward))
        let notify = NotifySocket()
        let daemon = try DaemonProcess(
            executable: "/bin/sh",
            arguments: ["-c", "ulimit -n 1024 && exec \"$0\" --config \"$1\"", daemonPath, file],
            environment: ["NOTIFY_SOCKET": notify.path])
        defer { if daemon.process.isRunning { daemon.signal(SIGKILL) } }
        #expect(notify.wait(for: "READY=1") != nil)

        // One client: 1000 queries a second of random names under dead.test. for 20 s.
        let flood = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        defer { close(flood) }
        _ = connectLoopback(flood, port: port)
        var answeredOthers = 0
        let start = ContinuousClock.now
        var sent = 0
        while ContinuousClock.now - start < .seconds(20) {
            for _ in 0..<10 {
                var header = Header(id: UInt16.random(in: 0...UInt16.max))
                header.recursionDesired = true
                let name = try DomainName("q\(UInt64.random(in: 0...UInt64.max)).dead.test")
                let query = try Message(header: header, questions: [Question(name: name, type: .a)]).serialized()
                _ = query.withUnsafeBytes { send(flood, $0.baseAddress, $0.count, 0) }
                sent += 1
            }
            var drain = [UInt8](repeating: 0, count: 4096)
            while drain.withUnsafeMutableBytes({ recv(flood, $0.baseAddress, $0.count, 0) }) > 0 {}
            if sent % 1000 == 0, let other = try ask(port: port, name: "other.dead.test"), other.header.isResponse {
                answeredOthers += 1
            }
            usleep(10_000)
        }
        #expect(daemon.process.isRunning)
        #expect(answeredOthers >= 8, "a second client was answered during the flood")
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
    }

    @Test("metrics.listen: /metrics over HTTP counts the queries answered, with their RCODE and EDE")
    func metricsEndpoint() throws {
        let port = freePort()
        let metricsPort = freePort()
        let isolated = try isolatedResolution()
        let file = try writeConfiguration(
            "listen: [\"127.0.0.1@\(port)\"]\nmetrics: { listen: \"127.0.0.1@\(metricsPort)\" }\n" + isolated)
        let notify = NotifySocket()
        let daemon = try DaemonProcess(arguments: ["--config", file], environment: ["NOTIFY_SOCKET": notify.path])
        defer { if daemon.process.isRunning { daemon.signal(SIGKILL) } }
        let ready = try #require(notify.wait(for: "READY=1"))
        #expect(ready.contains("metrics on http://127.0.0.1@\(metricsPort)/metrics"))
        #expect(try ask(port: port)?.rcode == .servFail)
        let text = scrape(port: metricsPort)
        #expect(text.hasPrefix("HTTP/1.1 200 OK"))
        #expect(text.contains("mamori_queries_total{transport=\"udp\"} 1\n"))
        #expect(text.contains("mamori_responses_total{rcode=\"SERVFAIL\"} 1\n"))
        #expect(text.contains("mamori_extended_errors_total{code=\"22\"} 1\n"))
        #expect(text.contains("mamori_upstream_replies_total{result=\"network-error\"}"))
        #expect(text.contains("mamori_cache_max_bytes"))
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
    }

    @Test(
        "metrics: promtool accepts the scrape; the latency histogram, security and failure counters, QTYPEs, upstream RTT, process_* and build info count what was asked"
    )
    func metricsDepth() throws {
        let promtool = "/usr/bin/promtool"
        guard FileManager.default.isExecutableFile(atPath: promtool) else {
            Issue.record("promtool is needed (Debian's prometheus package: make deps)")
            return
        }
        let stub = StubAuthority()
        defer { stub.stop() }
        let port = freePort()
        let metricsPort = freePort()
        let file = try stubForwarded("metrics.test", stub: stub, port: port, metricsPort: metricsPort)
        let notify = NotifySocket()
        let started = Date().timeIntervalSince1970
        let daemon = try DaemonProcess(arguments: ["--config", file], environment: ["NOTIFY_SOCKET": notify.path])
        defer { if daemon.process.isRunning { daemon.signal(SIGKILL) } }
        #expect(notify.wait(for: "READY=1") != nil)
        // Resolved once, then from the cache twice (the second cache hit stores it in the packet
        // cache), then replayed by the packet cache twice.
        for round in 0..<5 {
            let answer = try #require(try ask(port: port, name: "www.metrics.test", id: UInt16(round)))
            #expect(answer.rcode == .noError && answer.answer.first?.rdatas == [.a(A(192, 0, 2, 7))], "round \(round)")
        }
        // Root unreachable: SERVFAIL with EDE 22.
        #expect(try ask(port: port, name: "example.com")?.rcode == .servFail)
        let response = scrape(port: metricsPort)
        let body = String(response[(response.range(of: "\r\n\r\n")?.upperBound ?? response.endIndex)...])
        let check = promtoolCheck(promtool, body)
        #expect(check.status == 0, "promtool check metrics: \(check.output)")

        let samples = Dictionary(
            body.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line -> (String, Double)? in
                guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...])
                else { return nil }
                return (String(line[..<space]), value)
            }, uniquingKeysWith: { first, _ in first })
        func value(_ name: String) -> Double? { samples[name] }
        let latency = "mamori_response_duration_seconds"
        #expect(value("\(latency)_count{source=\"resolution\"}") == 2)  // www.metrics.test, example.com
        #expect(value("\(latency)_count{source=\"cache\"}") == 2)
        #expect(value("\(latency)_count{source=\"packet-cache\"}") == 2)
        #expect(value("\(latency)_bucket{source=\"packet-cache\",le=\"+Inf\"}") == 2)
        #expect(value("\(latency)_count{source=\"local\"}") == 0)
        let cacheSum = try #require(value("\(latency)_sum{source=\"cache\"}"))
        #expect(cacheSum > 0 && cacheSum < 10)
        #expect(value("mamori_responses_by_source_total{source=\"packet-cache\"}") == 2)
        // Answers the engine judged: the packet-cache replays are not counted again.
        #expect(value("mamori_answers_by_security_total{security=\"unchecked\"}") == 4)
        #expect(value("mamori_answers_by_security_total{security=\"secure\"}") == 0)
        #expect(value("mamori_answers_by_security_total{security=\"bogus\"}") == 0)
        #expect(value("mamori_answer_failures_total{code=\"22\"}") == 1)
        #expect(value("mamori_answer_failures_total{code=\"6\"}") == 0)
        #expect(value("mamori_queries_by_type_total{qtype=\"A\"}") == 6)
        #expect(value("mamori_queries_by_type_total{qtype=\"other\"}") == 0)
        let rtt = "mamori_upstream_rtt_seconds_count{server=\"127.0.0.1@\(stub.port)\"}"
        #expect(value(rtt) == 1)
        let fds = try #require(value("process_open_fds"))
        let maxFDs = try #require(value("process_max_fds"))
        #expect(fds > 3 && fds < maxFDs)
        #expect(try #require(value("process_resident_memory_bytes")) > 1_000_000)
        #expect(try #require(value("process_virtual_memory_bytes")) > value("process_resident_memory_bytes") ?? 0)
        #expect(try #require(value("process_cpu_seconds_total")) > 0)
        let start = try #require(value("process_start_time_seconds"))
        #expect(abs(start - started) < 60, "start \(start), launched \(started)")
        let buildInfo = samples.first { $0.key.hasPrefix("mamori_build_info{") }
        #expect(buildInfo?.value == 1)
        #expect(
            buildInfo?.key
                == "mamori_build_info{version=\"\(MamoriVersion.version)\",revision=\"\(MamoriVersion.revision)\"}",
            "\(buildInfo?.key ?? "no build info")")
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
    }

    @Test(
        "DNS cookies: dig and kdig get their client cookie back with a 16-octet server cookie, (good) when sent back, also from the packet cache"
    )
    func cookies() throws {
        let dig = "/usr/bin/dig"
        let kdig = "/usr/bin/kdig"
        guard FileManager.default.isExecutableFile(atPath: dig), FileManager.default.isExecutableFile(atPath: kdig)
        else {
            Issue.record("dig and kdig are needed (bind9-dnsutils, knot-dnsutils)")
            return
        }
        let stub = StubAuthority()
        defer { stub.stop() }
        let port = freePort()
        let metricsPort = freePort()
        let file = try stubForwarded("cookie.test", stub: stub, port: port, metricsPort: metricsPort)
        let notify = NotifySocket()
        let daemon = try DaemonProcess(arguments: ["--config", file], environment: ["NOTIFY_SOCKET": notify.path])
        defer { if daemon.process.isRunning { daemon.signal(SIGKILL) } }
        #expect(notify.wait(for: "READY=1") != nil)

        func ask(_ tool: String, cookie: String) -> (hex: String, verdict: String?)? {
            let retry = tool == dig ? ["+tries=2", "+time=5"] : ["+retry=1", "+timeout=5"]
            return printedCookie(
                run(tool, ["@127.0.0.1", "-p", "\(port)", "www.cookie.test", "A", "+cookie=\(cookie)"] + retry))
        }
        // A client cookie alone: it comes back with a 16-octet server cookie (RFC 9018 version 1).
        let client = "0123456789abcdef"
        let first = try #require(ask(dig, cookie: client))
        #expect(first.hex.hasPrefix(client) && first.hex.count == 48 && first.verdict == "good")
        #expect(first.hex.dropFirst(16).hasPrefix("01000000"))
        // Sent back, the server cookie is still good and returned unchanged.
        let second = try #require(ask(dig, cookie: first.hex))
        #expect(second.hex == first.hex && second.verdict == "good")
        let fromKdig = try #require(ask(kdig, cookie: first.hex))
        #expect(fromKdig.hex == first.hex)
        // A fresh client cookie each time, as dig and kdig send by default: the name is now in the
        // packet cache (stored at its second cache hit), and each client gets its own cookie back.
        for round in 0..<4 {
            let fresh = String(repeating: "\(round + 2)", count: 16)
            let tool = round % 2 == 0 ? dig : kdig
            let answer = try #require(ask(tool, cookie: fresh))
            #expect(answer.hex.hasPrefix(fresh) && answer.hex.count == 48, "\(tool) round \(round)")
            if tool == dig { #expect(answer.verdict == "good") }
        }
        let metrics = scrape(port: metricsPort)
        let hits = metrics.split(separator: "\n").first { $0.hasPrefix("mamori_packet_cache_hits_total ") }
        #expect(
            hits.flatMap { Int($0.split(separator: " ").last ?? "") }.map { $0 >= 2 } == true, "\(hits ?? "no hits")")
        // Upstream, the daemon sent the stub one query with its own 8-octet client cookie.
        let upstream = stub.cookies
        #expect(upstream.count == 1 && upstream.first??.client.count == 8 && upstream.first??.server == [])
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
    }
}

// MARK: - Rebinding protection and stub zones

extension DaemonTests {
    @Test("rebinding protection in mamorid: a public name with 192.168.1.5 gets SERVFAIL, EDE 15; a stub zone passes")
    func rebindingProtection() throws {
        let authority = StubAuthority(address: A(192, 168, 1, 5))
        defer { authority.stop() }
        let port = freePort()
        let isolated = try isolatedResolution(
            resolution: "  forward-zones: [{ name: rebind.test, addresses: [\"127.0.0.1@\(authority.port)\"] }]\n"
                + "  stub-zones: [{ name: lan.test, addresses: [\"127.0.0.1@\(authority.port)\"] }]\n")
        let file = try writeConfiguration(
            "listen: [\"127.0.0.1@\(port)\"]\ndnssec: { validation: false }\n"
                + "rebinding-protection: { enabled: true }\n" + isolated)
        let notify = NotifySocket()
        let daemon = try DaemonProcess(arguments: ["--config", file], environment: ["NOTIFY_SOCKET": notify.path])
        defer { if daemon.process.isRunning { daemon.signal(SIGKILL) } }
        #expect(notify.wait(for: "READY=1") != nil)
        let withheld = try #require(try ask(port: port, name: "www.rebind.test"))
        #expect(withheld.rcode == .servFail && withheld.answer.isEmpty)
        #expect(withheld.header.recursionAvailable && !withheld.header.authenticData)
        #expect(
            withheld.edns?.extendedErrors == [
                ExtendedDNSError(
                    .blocked,
                    "answer for www.rebind.test. contained 192.168.1.5 (RFC 1918), withheld by rebinding protection")
            ])
        let local = try #require(try ask(port: port, name: "printer.lan.test", id: 0x1234))
        #expect(local.rcode == .noError && local.answer.first?.rdatas == [.a(A(192, 168, 1, 5))])
        #expect(!local.header.authoritativeAnswer)
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
    }
}

// MARK: - DNS cookies with dig and kdig

/// Runs `tool arguments` (dig, kdig) and returns its standard output; empty when it cannot run.
func run(_ tool: String, _ arguments: [String]) -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return "" }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

/// The hex of the COOKIE line dig (`; COOKIE: HEX (good)`) or kdig (`;; COOKIE: HEX`) printed, lower
/// case, with dig's verdict in parentheses when it gave one.
private func printedCookie(_ output: String) -> (hex: String, verdict: String?)? {
    guard
        let line = output.split(separator: "\n").first(where: {
            $0.hasPrefix("; COOKIE: ") || $0.hasPrefix(";; COOKIE: ")
        })
    else { return nil }
    let words = line.split(separator: " ")
    guard words.count >= 3 else { return nil }
    let verdict = words.count > 3 ? String(words[3]).trimmingCharacters(in: CharacterSet(charactersIn: "()")) : nil
    return (words[2].lowercased(), verdict)
}

/// An authoritative server for `cookie.test.` on an ephemeral loopback UDP port, run on its own thread:
/// every A query gets 192.0.2.7 with TTL 300, its client cookie back with the server cookie
/// `serverCookie`, and is recorded.
final class StubAuthority: @unchecked Sendable {
    // @unchecked: `descriptor` and `port` never change; `received` and `stopped` are behind `lock`.
    /// The server cookie it gives.
    static let serverCookie: [UInt8] = [0x5E, 0x5E, 0x5E, 0x5E, 1, 2, 3, 4]
    /// The UDP socket.
    let descriptor: Int32
    /// Its port.
    let port: UInt16
    /// Guards `received` and `stopped`.
    private let lock = NSLock()
    /// The COOKIE options of the queries received (nil for none), in order.
    private var received: [(client: [UInt8], server: [UInt8])?] = []
    /// Set by `stop()`.
    private var stopped = false

    /// The address every A answer gives.
    let address: A

    /// Binds and starts answering A questions with `address`.
    init(address: A = A(192, 0, 2, 7)) {
        self.address = address
        let (udp, boundPort) = loopbackSocket(stream: false)
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(udp, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        descriptor = udp
        port = boundPort
        Thread.detachNewThread { [self] in serve() }
    }

    /// The COOKIE options received so far.
    var cookies: [(client: [UInt8], server: [UInt8])?] { lock.withLock { received } }

    /// Stops the thread and closes the socket.
    func stop() {
        lock.withLock { stopped = true }
        usleep(300_000)
        close(descriptor)
    }

    /// Answers until stopped (the receive timeout lets the loop see `stopped`).
    private func serve() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !lock.withLock({ stopped }) {
            var peer = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let count = buffer.withUnsafeMutableBytes { bytes in
                withUnsafeMutablePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(descriptor, bytes.baseAddress, bytes.count, 0, $0, &length)
                    }
                }
            }
            guard count > 0, let query = try? Message(parsing: Array(buffer.prefix(count))),
                let question = query.question
            else { continue }
            lock.withLock { received.append(query.edns?.cookie) }
            var response = Message(header: query.header, questions: query.questions)
            response.header.isResponse = true
            response.header.recursionAvailable = true
            // Authoritative too, so it serves as a stub zone's server as well as a forwarder.
            response.header.authoritativeAnswer = true
            if question.type == .a {
                response.answer = [RRSet(name: question.name, type: .a, ttl: 300, rdatas: [.a(address)])]
            }
            if let edns = query.edns {
                response.edns = EDNS(
                    dnssecOK: edns.dnssecOK,
                    options: edns.cookie.map { [.cookie(client: $0.client, server: Self.serverCookie)] } ?? [])
            }
            guard let bytes = try? response.serialized() else { continue }
            _ = bytes.withUnsafeBytes { bytes in
                withUnsafePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(descriptor, bytes.baseAddress, bytes.count, 0, $0, length)
                    }
                }
            }
        }
    }
}

/// `promtool check metrics` on `text`: its exit status (0: no errors and no lint problems) and output.
private func promtoolCheck(_ promtool: String, _ text: String) -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: promtool)
    process.arguments = ["check", "metrics"]
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = output
    guard (try? process.run()) != nil else { return (-1, "could not run \(promtool)") }
    input.fileHandleForWriting.write(Data(text.utf8))
    try? input.fileHandleForWriting.close()
    let printed = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: printed, as: UTF8.self))
}

/// `GET /metrics` from 127.0.0.1:port; the whole HTTP response as text ("" when nothing answers).
func scrape(port: UInt16) -> String {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    guard connectLoopback(descriptor, port: port) else { return "" }
    let request = Array("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8)
    _ = request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let got = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if got <= 0 { break }
        response += buffer.prefix(got)
    }
    return String(decoding: response, as: UTF8.self)
}

/// The fields of a logfmt line (`key=value` or `key="quoted \"value\""`), as the daemon writes them
/// under `logging.format: keyvalue`.
private func logfmtFields(_ line: String) -> [String: String] {
    var fields: [String: String] = [:]
    var characters = Substring(line)
    while !characters.isEmpty {
        characters = characters.drop { $0 == " " }
        let key = String(characters.prefix { $0 != "=" && $0 != " " })
        characters = characters.dropFirst(key.count)
        guard characters.first == "=" else { continue }
        characters = characters.dropFirst()
        var value = ""
        if characters.first == "\"" {
            characters = characters.dropFirst()
            while let next = characters.first, next != "\"" {
                characters = characters.dropFirst()
                if next == "\\", let escaped = characters.first {
                    characters = characters.dropFirst()
                    value.append(escaped == "n" ? "\n" : escaped == "t" ? "\t" : escaped)
                } else {
                    value.append(next)
                }
            }
            characters = characters.dropFirst()
        } else {
            value = String(characters.prefix { $0 != " " })
            characters = characters.dropFirst(value.count)
        }
        fields[key] = value
    }
    return fields
}

/// The JSON objects of the lines of `log` that are JSON objects.
private func jsonLines(_ log: String) -> [[String: String]] {
    log.split(separator: "\n").compactMap {
        try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String]
    }
}

extension DaemonTests {
    @Test("failure log: an unreachable root gives SERVFAIL and one JSON line with the question, client, EDE and site")
    func failureLine() throws {
        let port = freePort()
        let file = try writeConfiguration(
            "listen: [\"127.0.0.1@\(port)\"]\nlogging: { format: json }\n" + (try isolatedResolution()))
        let notify = NotifySocket()
        let daemon = try DaemonProcess(arguments: ["--config", file], environment: ["NOTIFY_SOCKET": notify.path])
        defer { if daemon.process.isRunning { daemon.signal(SIGKILL) } }
        #expect(notify.wait(for: "READY=1") != nil)
        let answer = try #require(try ask(port: port))
        #expect(answer.rcode == .servFail && answer.header.recursionAvailable && !answer.header.authenticData)
        let error = try #require(answer.edns?.extendedErrors.first)
        #expect(error.code == .noReachableAuthority)
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)

        let lines = jsonLines(daemon.stderr)
        #expect(lines.contains { $0["msg"]?.hasPrefix("mamorid started") == true }, "every line is JSON")
        let failures = lines.filter { $0["failure"] != nil }
        #expect(failures.count == 1)
        let line = try #require(failures.first)
        let site = String(error.extraText.suffix(5).dropLast())
        #expect(
            line == [
                "time": line["time"] ?? "", "level": "info",
                "msg": "SERVFAIL example.com. A IN: \(error.extraText)", "failure": "servfail",
                "qname": "example.com.", "qtype": "A", "qclass": "IN", "client": "127.0.0.1",
                "client-port": line["client-port"] ?? "", "transport": "udp", "ede-code": "22",
                "ede-text": error.extraText, "site": site,
            ])
        #expect(site.count == 4 && site.allSatisfy(\.isUppercase) && error.extraText.hasSuffix("[\(site)]"))
        #expect(UInt16(line["client-port"] ?? "") != nil)
    }

    @Test("failure log: a flood of one failing name gives one line and a summary of the lines it held back")
    func failureFlood() throws {
        let port = freePort()
        let file = try writeConfiguration("listen: [\"127.0.0.1@\(port)\"]\n" + (try isolatedResolution()))
        let notify = NotifySocket()
        let daemon = try DaemonProcess(arguments: ["--config", file], environment: ["NOTIFY_SOCKET": notify.path])
        defer { if daemon.process.isRunning { daemon.signal(SIGKILL) } }
        #expect(notify.wait(for: "READY=1") != nil)
        var failed = 0
        for id in 0..<300 where try ask(port: port, id: UInt16(id))?.rcode == .servFail { failed += 1 }
        #expect(failed == 300)
        // A second name still gets its line: the limit is per question.
        #expect(try ask(port: port, name: "other.example")?.rcode == .servFail)
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)

        let lines = daemon.stderr.split(separator: "\n").map { logfmtFields(String($0)) }
        let failures = lines.filter { $0["failure"] == "servfail" }
        #expect(failures.map { $0["qname"] } == ["example.com.", "other.example."])
        let summaries = lines.filter { $0["suppressed"] != nil }
        #expect(!summaries.isEmpty)
        #expect(summaries.allSatisfy { $0["msg"]?.hasPrefix("failure log: suppressed") == true })
        #expect(summaries.compactMap { Int($0["suppressed"] ?? "") }.reduce(0, +) == failed - 1)
    }

    @Test("query log: one keyvalue line per query with client, question, RCODE, flags, EDE, source and latency")
    func queryLog() throws {
        let port = freePort()
        let file = try writeConfiguration(
            "listen: [\"127.0.0.1@\(port)\"]\nlogging: { queries: true, failures: false, format: keyvalue }\n"
                + (try isolatedResolution()))
        let notify = NotifySocket()
        let daemon = try DaemonProcess(arguments: ["--config", file], environment: ["NOTIFY_SOCKET": notify.path])
        defer { if daemon.process.isRunning { daemon.signal(SIGKILL) } }
        #expect(notify.wait(for: "READY=1") != nil)
        #expect(try ask(port: port)?.rcode == .servFail)
        #expect(try ask(port: port, id: 2)?.rcode == .servFail)
        #expect(try ask(port: port, name: "resolver.arpa", id: 3)?.rcode == .noError)
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)

        let lines = daemon.stderr.split(separator: "\n").map { logfmtFields(String($0)) }
        #expect(
            lines.allSatisfy { $0["time"] != nil && $0["level"] != nil && $0["msg"] != nil }, "every line is logfmt")
        #expect(!lines.contains { $0["failure"] != nil }, "logging.failures: false")
        let queries = lines.filter { $0["source"] != nil }
        #expect(queries.map { $0["source"] } == ["resolution", "cache", "local"])
        #expect(queries.map { $0["qname"] } == ["example.com.", "example.com.", "resolver.arpa."])
        #expect(queries.map { $0["rcode"] } == ["SERVFAIL", "SERVFAIL", "NOERROR"])
        #expect(queries.map { $0["ede-code"] } == ["22", "22", nil])
        for query in queries {
            #expect(query["client"] == "127.0.0.1" && query["transport"] == "udp" && query["qtype"] == "A")
            #expect(query["flags"] == "rd ra")
            #expect(query["msg"] == "\(query["qname"] ?? "") A IN \(query["rcode"] ?? "")")
            #expect(Int(query["latency-us"] ?? "") != nil)
        }
    }
}
