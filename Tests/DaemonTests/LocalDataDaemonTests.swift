// Primary responsibilities: local data in the real `mamorid` — a hosts-file name answered with RA
// set, AA and AD clear and no upstream query; an edit of the hosts file answered without a reload
// (polled, within a generous deadline), the packet cache not replaying the old answer; a bad edit
// logged and the old data kept; the locally served zones answered without reaching the (dead)
// root; a missing hosts file stopping the start naming it. Loopback only.

import DNSWire
import Foundation
import SocketTestKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Sends one query for `name`/`type` to 127.0.0.1:port; the parsed response.
private func question(port: UInt16, _ name: String, _ type: RRType = .a) throws -> Message? {
    let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    defer { close(descriptor) }
    _ = connectLoopback(descriptor, port: port)
    var header = Header(id: UInt16.random(in: 1...0xFFFF))
    header.recursionDesired = true
    let bytes = try Message(header: header, questions: [Question(name: DomainName(name), type: type)], edns: EDNS())
        .serialized()
    _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
    var buffer = [UInt8](repeating: 0, count: 4096)
    let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
    return count > 0 ? try Message(parsing: Array(buffer.prefix(count))) : nil
}

/// The A addresses of an answer.
private func addresses(_ message: Message?) -> [RData] {
    message?.answer.filter { $0.type == .a }.flatMap(\.rdatas) ?? []
}

extension DaemonTests {
    @Test("a hosts-file edit is answered without a reload, never the old answer from the packet cache")
    func hostsFileEdit() throws {
        let stub = StubAuthority()
        defer { stub.stop() }
        let port = freePort()
        let hosts = NSTemporaryDirectory() + "mamori-hosts-\(UUID().uuidString.prefix(8))"
        try "# the LAN\n192.168.1.20 printer.hoststest\n".write(toFile: hosts, atomically: true, encoding: .utf8)
        let isolated = try isolatedResolution().replacingOccurrences(
            of: "resolution:\n",
            with: "resolution:\n  forward-zones: [{ name: hoststest, addresses: [\"127.0.0.1@\(stub.port)\"] }]\n")
        let configuration =
            "listen: [\"127.0.0.1@\(port)\"]\nthreads: 2\ndnssec: { validation: false }\n"
            + "local: { hosts-files: [\(hosts)] }\n" + isolated
        let file = try writeConfiguration(configuration)
        let notify = NotifySocket()
        let daemon = try DaemonProcess(arguments: ["--config", file], environment: ["NOTIFY_SOCKET": notify.path])
        defer { if daemon.process.isRunning { daemon.signal(SIGKILL) } }
        #expect(notify.wait(for: "READY=1") != nil)

        let printer = try #require(try question(port: port, "printer.hoststest"))
        #expect(printer.rcode == .noError)
        #expect(printer.header.recursionAvailable && !printer.header.authoritativeAnswer)
        #expect(!printer.header.authenticData)
        #expect(
            printer.answer == [RRSet(name: "printer.hoststest.", type: .a, ttl: 60, rdatas: [.a(A(192, 168, 1, 20))])])
        #expect(printer.authority.isEmpty)
        let pointer = try #require(try question(port: port, "20.1.168.192.in-addr.arpa", .ptr))
        #expect(pointer.answer.first?.rdatas == [.ptr(PTR(target: "printer.hoststest."))])
        #expect(stub.cookies.isEmpty, "a hosts-file name is never sent upstream")

        // A locally served zone: answered here, though the root is dead.
        let reverse = try #require(try question(port: port, "1.0.168.192.in-addr.arpa", .ptr))
        #expect(reverse.rcode == .nxDomain && reverse.header.recursionAvailable)
        #expect(reverse.authority.map(\.type) == [.soa, .ns])
        #expect(reverse.authority.map(\.name) == ["168.192.in-addr.arpa.", "168.192.in-addr.arpa."])
        #expect(addresses(try question(port: port, "localhost")) == [.a(A(127, 0, 0, 1))])
        #expect(try question(port: port, "www.invalid")?.rcode == .nxDomain)

        // Not in the file yet: from upstream, then the cache, then the packet cache.
        for _ in 0..<4 { #expect(addresses(try question(port: port, "nas.hoststest")) == [.a(A(192, 0, 2, 7))]) }
        #expect(stub.cookies.count == 1)

        // The edit: answered from the file without a reload, and from then on only the new answer.
        try "# the LAN\n192.168.1.20 printer.hoststest\n192.168.1.30 nas.hoststest\n".write(
            toFile: hosts, atomically: true, encoding: .utf8)
        let deadline = Date().addingTimeInterval(15)
        var answers: [[RData]] = []
        while Date() < deadline {
            answers.append(addresses(try question(port: port, "nas.hoststest")))
            if answers.last == [.a(A(192, 168, 1, 30))] { break }
            usleep(20_000)
        }
        #expect(answers.last == [.a(A(192, 168, 1, 30))], "the edit was not answered within 15 s")
        #expect(answers.dropLast().allSatisfy { $0 == [.a(A(192, 0, 2, 7))] })
        for _ in 0..<20 { #expect(addresses(try question(port: port, "nas.hoststest")) == [.a(A(192, 168, 1, 30))]) }
        #expect(stub.cookies.count == 1)

        // A reload that adds a data line: answered after READY=1; one with a bad line is rejected,
        // the data in force kept.
        let withData = "local:\n  hosts-files: [\(hosts)]\n  data: [\"tv.hoststest. 300 IN A 192.168.1.40\"]\n"
        _ = try writeConfiguration(
            configuration.replacingOccurrences(of: "local: { hosts-files: [\(hosts)] }\n", with: withData), to: file)
        daemon.signal(SIGHUP)
        #expect(notify.wait(for: "RELOADING=1") != nil)
        #expect(notify.wait(for: "READY=1")?.contains("Reload failed") == false)
        #expect(addresses(try question(port: port, "tv.hoststest")) == [.a(A(192, 168, 1, 40))])
        _ = try writeConfiguration(
            configuration.replacingOccurrences(
                of: "local: { hosts-files: [\(hosts)] }\n",
                with: withData.replacingOccurrences(of: "192.168.1.40", with: "192.168.1.400")), to: file)
        daemon.signal(SIGHUP)
        #expect(notify.wait(for: "RELOADING=1") != nil)
        #expect(notify.wait(for: "READY=1")?.contains("Reload failed, previous configuration kept") == true)
        #expect(addresses(try question(port: port, "tv.hoststest")) == [.a(A(192, 168, 1, 40))])
        #expect(addresses(try question(port: port, "nas.hoststest")) == [.a(A(192, 168, 1, 30))])
        #expect(stub.cookies.count == 1)

        // A bad edit: logged, the data answered before stays.
        try "# the LAN\n192.168.1.20 printer.hoststest\n192.168.1.300 nas.hoststest\n".write(
            toFile: hosts, atomically: true, encoding: .utf8)
        // The watch checks every second; the data must stay whatever it read meanwhile.
        for _ in 0..<30 {
            #expect(addresses(try question(port: port, "nas.hoststest")) == [.a(A(192, 168, 1, 30))])
            usleep(100_000)
        }
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
        let log = daemon.stderr
        #expect(log.contains("hosts files re-read"))
        #expect(log.contains("local.data[0]: bad record: "))
        #expect(
            log.contains(
                "hosts file not re-read, the previous local data stays: \(hosts):3: expected an IPv4 or IPv6 address"))
    }

    @Test("a hosts file that cannot be read: mamorid exits non-zero naming it; --check-config says the same")
    func missingHostsFile() throws {
        let port = freePort()
        let hosts = NSTemporaryDirectory() + "mamori-nohosts-\(UUID().uuidString.prefix(8))"
        let file = try writeConfiguration(
            "listen: [\"127.0.0.1@\(port)\"]\nlocal:\n  hosts-files: [\(hosts)]\n" + (try isolatedResolution()))
        let daemon = try DaemonProcess(arguments: ["--config", file])
        let status = daemon.waitForExit()
        #expect(status != nil && status != 0)
        #expect(
            daemon.stderr.contains(
                "\(file):3:17: local.hosts-files[0]: cannot read \(hosts): No such file or directory"))
        let check = try DaemonProcess(arguments: ["--config", file, "--check-config"])
        let checked = check.waitForExit()
        #expect(checked != nil && checked != 0)
        #expect(check.stderr.contains("local.hosts-files[0]: cannot read \(hosts)"))
    }
}
