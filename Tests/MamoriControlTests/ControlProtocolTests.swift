// Primary responsibilities: the control protocol's one definition — every command written by
// `mamorictl` (`line`) reads back as the same command in the daemon (`init(line:)`), and answers
// read back as they were rendered.

import DNSWire
import MamoriControl
import Testing

@Suite("Control protocol")
struct ControlProtocolTests {
    /// One of each command, with and without their options.
    static let commands: [ControlCommand] = [
        .status, .stats, .reload, .flushAll, .flushName("www.example."), .flushZone("example."),
        .flushInfrastructure, .ntaList, .ntaAdd("example.", seconds: nil), .ntaAdd("example.", seconds: 600),
        .ntaRemove("example."), .anchors, .lookup("www.example.", .a, checkingDisabled: false),
        .lookup("example.", .dnskey, checkingDisabled: true), .version, .dumpCache(path: "/var/lib/mamori/copy.dump"),
        .loadCache(path: "/tmp/x.dump"), .flushBogus, .flushNegative, .flushRequests, .listRequests, .forwardList,
        .forwardAdd("corp.example.", servers: [ServiceAddress("192.0.2.1")!], tlsName: nil),
        .forwardAdd(
            ".", servers: [ServiceAddress("2001:db8::1", defaultPort: 853)!, ServiceAddress("192.0.2.2@8853")!],
            tlsName: "dns.example.net"),
        .forwardRemove("corp.example."), .configShow,
    ]

    @Test("every command's line reads back as the same command", arguments: commands)
    func roundTrip(_ command: ControlCommand) throws {
        #expect(try ControlCommand(line: command.line) == command)
    }

    @Test("bad lines are refused with a reason naming what is wrong")
    func refused() {
        let cases: [(String, ControlError.Code, String)] = [
            ("", .emptyCommand, "empty command"), ("nta add example. 0", .badArgument, "the NTA lifetime is seconds"),
            ("flush everything", .badUsage, "flush takes"),
            ("lookup example. NOTATYPE", .badArgument, "NOTATYPE is not a record type"),
            ("status now", .badUsage, "unexpected now"), ("restart", .unknownCommand, "unknown command restart"),
            ("dump-cache cache.dump", .badArgument, "cache.dump is not an absolute path"),
            ("load-cache", .badUsage, "load-cache needs a file path"),
            ("list things", .badUsage, "list takes requests"),
            ("config edit", .badUsage, "config takes show"), ("flush requests now", .badUsage, "unexpected now"),
            ("forward add corp.example. 192.0.2.300", .badArgument, "192.0.2.300 is not an address"),
            ("forward add corp.example. 192.0.2.1 tls=x", .badUsage, "unexpected tls=x"),
            ("forward add corp.example.", .badUsage, "forward takes list"),
            (
                "forward add . " + Array(repeating: "192.0.2.1", count: 17).joined(separator: ","), .badArgument,
                "forward add takes 1–16 addresses"
            ),
        ]
        for (line, code, reason) in cases {
            // Equal by code: the expected error's text does not matter.
            #expect(throws: ControlError(code, ""), "\(line)") { try ControlCommand(line: line) }
            do {
                _ = try ControlCommand(line: line)
            } catch {
                #expect(error.description.hasPrefix(reason) || error.description.contains(reason), "\(line)")
            }
        }
    }

    @Test("answers read back as rendered; a line break inside a line cannot split it")
    func replies() throws {
        let ok = ControlReply.ok(["one", "two\nthree"])
        let read = try #require(ControlReply(answer: String(decoding: ok.rendered, as: UTF8.self)))
        #expect(read == .ok(["one", "two three"]))
        let failed = ControlReply.error("no negative trust anchor for example.")
        #expect(ControlReply(answer: String(decoding: failed.rendered, as: UTF8.self)) == failed)
        #expect(ControlReply(answer: "garbage\n") == nil)
    }

    @Test("forward add: port 53 by default, 853 with tls-name (RFC 7858 §3.1), a given port kept")
    func forwardPorts() throws {
        #expect(
            try ControlCommand(line: "forward add corp.example 192.0.2.1,192.0.2.2@5353")
                == .forwardAdd(
                    "corp.example.", servers: [ServiceAddress("192.0.2.1@53")!, ServiceAddress("192.0.2.2@5353")!],
                    tlsName: nil))
        #expect(
            try ControlCommand(line: "forward add . 192.0.2.1 tls-name=dns.example.net")
                == .forwardAdd(".", servers: [ServiceAddress("192.0.2.1@853")!], tlsName: "dns.example.net"))
    }

    @Test("stats --since-last: counters as changes, levels as they are, from zero after a restart")
    func statsDelta() {
        let first = StatsSnapshot(lines: [
            "cache.hits 10", "cache.entries 5", "process.pid 42", "process.uptime-seconds 100", "not a value",
        ])
        #expect(first.lines == ["cache.hits 10", "cache.entries 5", "process.pid 42", "process.uptime-seconds 100"])
        #expect(
            first.delta(since: nil) == [
                "since: daemon start (no previous values)", "cache.hits 10", "cache.entries 5",
                "process.uptime-seconds 100",
            ])
        let second = StatsSnapshot(lines: [
            "cache.hits 25", "cache.entries 7", "process.pid 42", "process.uptime-seconds 160",
        ])
        #expect(
            second.delta(since: first) == [
                "since: 60 s", "cache.hits 15", "cache.entries 7", "process.uptime-seconds 160",
            ])
        let restarted = StatsSnapshot(lines: [
            "cache.hits 3", "cache.entries 1", "process.pid 43", "process.uptime-seconds 5",
        ])
        #expect(
            restarted.delta(since: second) == [
                "since: daemon start (the daemon restarted)", "cache.hits 3", "cache.entries 1",
                "process.uptime-seconds 5",
            ])
        #expect(StatsSnapshot.isValidCheckpoint("nightly_1-a") && !StatsSnapshot.isValidCheckpoint("../x"))
        #expect(
            !StatsSnapshot.isValidCheckpoint("") && !StatsSnapshot.isValidCheckpoint(String(repeating: "a", count: 65)))
    }

    @Test("the version names a release and the git revision built from")
    func version() {
        #expect(MamoriVersion.version.split(separator: ".").count == 3)
        #expect(!MamoriVersion.revision.isEmpty)
        #expect(MamoriVersion.description == "\(MamoriVersion.version) (\(MamoriVersion.revision))")
    }
}
