// Primary responsibilities: dnstap from the real `mamorid` — to a collector no one here wrote
// (`fstrm_capture`, Debian's fstrm-bin, over a unix socket with the bidirectional handshake), read
// back by another (`dnstap-read`, BIND's): the client messages of every answer (a resolution, a
// cache answer, a packet-cache replay) and the resolver messages of the one resolution.

import DNSWire
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("mamorid dnstap", .serialized)
struct DnstapDaemonTests {
    @Test(
        "dnstap to fstrm_capture: CLIENT_QUERY/RESPONSE for each answer, RESOLVER_QUERY/RESPONSE for the one resolution, read by dnstap-read"
    )
    func dnstapToCollector() throws {
        let capture = "/usr/bin/fstrm_capture"
        let reader = "/usr/bin/dnstap-read"
        try #require(FileManager.default.isExecutableFile(atPath: capture), "fstrm_capture is needed (fstrm-bin)")
        try #require(FileManager.default.isExecutableFile(atPath: reader), "dnstap-read is needed (bind9-dnsutils)")
        let directory = NSTemporaryDirectory() + "mamori-dnstap-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let socketPath = directory + "/dnstap.sock"
        let capturePath = directory + "/capture.fstrm"

        let collector = try spawnWithSignals(
            capture, ["-t", "protobuf:dnstap.Dnstap", "-u", socketPath, "-w", capturePath])
        var reaped = false
        defer {
            if !reaped {
                kill(collector, SIGKILL)
                waitpid(collector, nil, 0)
            }
        }
        for _ in 0..<500 where access(socketPath, F_OK) != 0 { usleep(10_000) }
        try #require(access(socketPath, F_OK) == 0, "fstrm_capture did not make its socket")

        let stub = StubAuthority()
        defer { stub.stop() }
        let port = freePort()
        let isolated = try isolatedResolution().replacingOccurrences(
            of: "resolution:\n",
            with: "resolution:\n  forward-zones: [{ name: cookie.test, addresses: [\"127.0.0.1@\(stub.port)\"] }]\n")
        let file = try writeConfiguration(
            "listen: [\"127.0.0.1@\(port)\"]\ndnssec: { validation: false }\n"
                + "dnstap: { socket: \(socketPath), identity: dnstap-test, version: mamori-under-test }\n" + isolated)
        let notify = NotifySocket()
        let daemon = try DaemonProcess(arguments: ["--config", file], environment: ["NOTIFY_SOCKET": notify.path])
        defer { if daemon.process.isRunning { daemon.signal(SIGKILL) } }
        #expect(notify.wait(for: "READY=1") != nil)

        // One resolution, then cache answers; the fourth is a packet-cache replay (stored at the
        // name's second cache hit).
        for round in 0..<4 {
            let answer = try #require(try ask(port: port, name: "www.cookie.test", id: UInt16(0x1000 + round)))
            #expect(answer.rcode == .noError && answer.answer.first?.rdatas == [.a(A(192, 0, 2, 7))])
        }
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
        // The daemon closed its stream (STOP, FINISH); fstrm_capture closes its file at SIGTERM.
        kill(collector, SIGTERM)
        var status: Int32 = 0
        #expect(waitpid(collector, &status, 0) == collector)
        reaped = true

        let lines = try output(reader, [capturePath]).split(separator: "\n").map(String.init)
        let kinds = lines.map { $0.split(separator: " ").dropFirst(2).first.map(String.init) ?? "" }
        #expect(kinds.filter { $0 == "CQ" }.count == 4, "\(lines)")
        #expect(kinds.filter { $0 == "CR" }.count == 4, "\(lines)")
        #expect(kinds.filter { $0 == "RQ" }.count == 1, "\(lines)")
        #expect(kinds.filter { $0 == "RR" }.count == 1, "\(lines)")
        // Client messages name the client; resolver messages the stub; each carries the question.
        for line in lines {
            #expect(line.contains("www.cookie.test/IN/A") && line.contains(" UDP "), "\(line)")
            if line.contains(" CQ ") || line.contains(" CR ") {
                #expect(line.contains("127.0.0.1:") && !line.contains(":\(stub.port)"), "\(line)")
            } else {
                #expect(line.contains("127.0.0.1:\(stub.port)"), "\(line)")
            }
        }
        // The resolution: the query upstream and its response, then the client's query and its
        // answer, written together when the answer leaves; the query dated at its arrival, before
        // the query upstream (dnstap-read's second column is the time of day).
        #expect(Array(kinds.prefix(4)) == ["RQ", "RR", "CQ", "CR"], "\(lines)")
        let times = lines.prefix(4).map { $0.split(separator: " ")[1] }
        #expect(times.count == 4 && times[2] <= times[0] && times[0] <= times[1] && times[1] <= times[3], "\(lines)")
        // The long form: the envelope's identity and version, and the answer in each response.
        let yaml = try output(reader, ["-y", capturePath])
        #expect(yaml.components(separatedBy: "identity: dnstap-test").count == 11, "\(yaml)")
        #expect(yaml.components(separatedBy: "version: mamori-under-test").count == 11, "\(yaml)")
        #expect(yaml.components(separatedBy: "www.cookie.test. 300 IN A 192.0.2.7").count >= 5, "\(yaml)")
    }
}

/// Runs `tool arguments` and returns its standard output.
private func output(_ tool: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

/// Starts `tool arguments` with no signal blocked and default dispositions: Foundation's `Process`
/// passes on the mask of the test's thread, which blocks SIGTERM, and fstrm_capture only writes
/// out and closes its file when SIGTERM reaches it.
/// - Returns: the process ID.
private func spawnWithSignals(_ tool: String, _ arguments: [String]) throws -> pid_t {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t()
    sigemptyset(&none)
    var all = sigset_t()
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    let argv = ([tool] + arguments).map { strdup($0) } + [nil]
    defer { for argument in argv { free(argument) } }
    var pid: pid_t = 0
    let result = posix_spawn(&pid, tool, nil, &attributes, argv, environ)
    try #require(result == 0, "\(tool) could not start: \(String(cString: strerror(result)))")
    return pid
}
