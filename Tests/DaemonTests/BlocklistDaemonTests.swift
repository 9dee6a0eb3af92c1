// Primary responsibilities: blocklists in the real `mamorid` — a listed name answered NXDOMAIN with
// EDE 15 naming the list and RA set, AA and AD clear, without an upstream query; a SIGHUP that adds
// a name while queries flow (dnsperf and a client loop) loses no answer and never serves the name
// after the swap, not even from the packet cache; a bad list at reload is rejected and the old list
// kept; a bad list at start stops the daemon naming file and line. Loopback only.

import DNSWire
import Foundation
import SocketTestKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A client asking one name after another over one UDP socket, recording each answer's RCODE.
private final class QueryLoop: @unchecked Sendable {
    // @unchecked: the fields are behind `lock`.
    /// Guards the fields.
    private let lock = NSLock()
    /// The RCODEs of `name`'s answers, in order; nil for a query that got no answer in 2 s.
    private var rcodes: [RCode?] = []
    /// Set by `stop()`.
    private var stopped = false
    /// Set when the thread has finished.
    private var finished = false

    /// Starts asking `name`/A of 127.0.0.1:port in a loop.
    init(port: UInt16, name: String) {
        Thread.detachNewThread { [self] in run(port: port, name: name) }
    }

    /// The answers so far.
    var answers: [RCode?] { lock.withLock { rcodes } }

    /// Stops the loop and waits for its last query.
    func stop() {
        lock.withLock { stopped = true }
        for _ in 0..<300 where !lock.withLock({ finished }) { usleep(10_000) }
    }

    private func run(port: UInt16, name: String) {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer {
            close(descriptor)
            lock.withLock { finished = true }
        }
        _ = connectLoopback(descriptor, port: port)
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var id: UInt16 = 0
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !lock.withLock({ stopped }) {
            id &+= 1
            var header = Header(id: id)
            header.recursionDesired = true
            guard
                let query = try? Message(
                    header: header, questions: [Question(name: DomainName(name), type: .a)], edns: EDNS()
                ).serialized()
            else { return }
            _ = query.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
            var answer: RCode? = nil
            // Replies to earlier IDs (none expected) are skipped; one wait of 2 s at most per query.
            while true {
                let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { break }
                if let message = try? Message(parsing: Array(buffer.prefix(count))), message.header.id == id {
                    answer = message.rcode
                    break
                }
            }
            lock.withLock { rcodes.append(answer) }
        }
    }
}

/// Sends one query for `name`/A to 127.0.0.1:port; the parsed response.
private func query(port: UInt16, _ name: String) throws -> Message? {
    let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    defer { close(descriptor) }
    _ = connectLoopback(descriptor, port: port)
    var header = Header(id: 0x4242)
    header.recursionDesired = true
    let bytes = try Message(header: header, questions: [Question(name: DomainName(name), type: .a)], edns: EDNS())
        .serialized()
    _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
    var buffer = [UInt8](repeating: 0, count: 4096)
    let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
    return count > 0 ? try Message(parsing: Array(buffer.prefix(count))) : nil
}

/// Runs `dnsperf` against 127.0.0.1:port for `seconds`, asking the names in `input`; its output.
private func dnsperf(port: UInt16, input: String, seconds: Int) -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/dnsperf")
    process.arguments = ["-s", "127.0.0.1", "-p", "\(port)", "-d", input, "-l", "\(seconds)", "-Q", "2000", "-t", "3"]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    guard (try? process.run()) != nil else { return "" }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

// In the serialized "mamorid process" suite: a dnsperf run beside another daemon test's flood would
// measure that flood.
extension DaemonTests {
    @Test("a blocked name gets NXDOMAIN + EDE 15 and no upstream query; a SIGHUP swap under load loses no answer")
    func blockAndReloadUnderLoad() throws {
        let stub = StubAuthority()
        defer { stub.stop() }
        let port = freePort()
        let metricsPort = freePort()
        let list = NSTemporaryDirectory() + "mamori-ads-\(UUID().uuidString.prefix(8)).txt"
        try "# ads\nads.blocktest\n".write(toFile: list, atomically: true, encoding: .utf8)
        let isolated = try isolatedResolution().replacingOccurrences(
            of: "resolution:\n",
            with: "resolution:\n  forward-zones: [{ name: blocktest, addresses: [\"127.0.0.1@\(stub.port)\"] }]\n")
        let file = try writeConfiguration(
            "listen: [\"127.0.0.1@\(port)\"]\nthreads: 2\nmetrics: { listen: \"127.0.0.1@\(metricsPort)\" }\n"
                + "dnssec: { validation: false }\nblocklists:\n  - { name: ads, file: \(list), format: domains }\n"
                + isolated)
        let notify = NotifySocket()
        let daemon = try DaemonProcess(arguments: ["--config", file], environment: ["NOTIFY_SOCKET": notify.path])
        defer { if daemon.process.isRunning { daemon.signal(SIGKILL) } }
        #expect(notify.wait(for: "READY=1") != nil)

        let blocked = try #require(try query(port: port, "x.ads.blocktest"))
        #expect(blocked.rcode == .nxDomain)
        #expect(blocked.header.recursionAvailable && !blocked.header.authoritativeAnswer)
        #expect(!blocked.header.authenticData)
        #expect(blocked.answer.isEmpty)
        #expect(blocked.authority.map(\.name) == [DomainName("ads.blocktest.")])
        #expect(blocked.authority.map(\.type) == [.soa])
        #expect(blocked.edns?.extendedErrors == [ExtendedDNSError(.blocked, "blocked by list ads")])
        #expect(stub.cookies.isEmpty, "a blocked name is never sent upstream")

        // Not yet listed: answered from upstream, then from the caches.
        let before = try #require(try query(port: port, "later.blocktest"))
        #expect(before.rcode == .noError && before.answer.first?.rdatas == [.a(A(192, 0, 2, 7))])
        #expect(stub.cookies.count == 1)

        let names = NSTemporaryDirectory() + "mamori-dnsperf-\(UUID().uuidString.prefix(8))"
        try "later.blocktest A\nother.blocktest A\nx.ads.blocktest A\n".write(
            toFile: names, atomically: true, encoding: .utf8)
        let perf = DispatchQueue(label: "dnsperf")
        let perfDone = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var perfOutput = ""
        let havePerf = FileManager.default.isExecutableFile(atPath: "/usr/bin/dnsperf")
        if havePerf {
            perf.async {
                perfOutput = dnsperf(port: port, input: names, seconds: 4)
                perfDone.signal()
            }
        }
        let loop = QueryLoop(port: port, name: "later.blocktest")
        usleep(1_000_000)

        // Listing the name: after the swap it is blocked, even though the packet cache held it.
        try "# ads\nads.blocktest\nlater.blocktest\n".write(toFile: list, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        #expect(notify.wait(for: "RELOADING=1") != nil)
        let reloaded = try #require(notify.wait(for: "READY=1"))
        #expect(!reloaded.contains("Reload failed"))
        let swapped = loop.answers.count
        usleep(1_000_000)

        // A bad list at reload: rejected, the old list kept.
        try "# ads\nads.blocktest\nlater.blocktest\n0.0.0.0 not.a.domain.list\n".write(
            toFile: list, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        #expect(notify.wait(for: "RELOADING=1") != nil)
        let rejected = try #require(notify.wait(for: "READY=1"))
        #expect(rejected.contains("Reload failed, previous configuration kept"))
        usleep(500_000)
        loop.stop()
        if havePerf { perfDone.wait() }

        let answers = loop.answers
        #expect(!answers.contains(nil), "every query of the loop was answered")
        #expect(answers.count > swapped && swapped > 0)
        // Once blocked, never answered again; and blocked from the swap's READY=1 on.
        let firstBlocked = try #require(answers.firstIndex(of: .nxDomain))
        #expect(answers[..<firstBlocked].allSatisfy { $0 == .noError })
        #expect(answers[firstBlocked...].allSatisfy { $0 == .nxDomain })
        #expect(firstBlocked <= swapped + 1, "blocked from the swap on (one query may be in flight at the swap)")
        #expect(try query(port: port, "later.blocktest")?.rcode == .nxDomain)
        #expect(try query(port: port, "other.blocktest")?.rcode == .noError)
        if havePerf {
            #expect(perfOutput.contains("Queries lost:         0 (0.00%)"), "dnsperf lost queries:\n\(perfOutput)")
        }

        let metrics = scrape(port: metricsPort)
        #expect(metrics.contains("mamori_blocklist_names{list=\"ads\"} 2.0\n"))
        #expect(metrics.contains("mamori_blocklist_hits_total{list=\"ads\"}"))
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
        let log = daemon.stderr
        #expect(log.contains("\(list):4: expected one name a line (a hosts file? give it format: hosts)"))
        #expect(log.contains("reload rejected"))
    }

    @Test("a bad list at start: mamorid exits non-zero naming the file and line; --check-config says the same")
    func badListAtStart() throws {
        let port = freePort()
        let list = NSTemporaryDirectory() + "mamori-bad-\(UUID().uuidString.prefix(8)).txt"
        try "good.example\nbad..example\n".write(toFile: list, atomically: true, encoding: .utf8)
        let file = try writeConfiguration(
            "listen: [\"127.0.0.1@\(port)\"]\nblocklists:\n  - { name: bad, file: \(list), format: domains }\n"
                + (try isolatedResolution()))
        let daemon = try DaemonProcess(arguments: ["--config", file])
        let status = daemon.waitForExit()
        #expect(status != nil && status != 0)
        #expect(daemon.stderr.contains("\(list):2: 'bad..example': empty label"))
        let check = try DaemonProcess(arguments: ["--config", file, "--check-config"])
        let checked = check.waitForExit()
        #expect(checked != nil && checked != 0)
        #expect(check.stderr.contains("\(list):2: 'bad..example': empty label"))
    }
}
