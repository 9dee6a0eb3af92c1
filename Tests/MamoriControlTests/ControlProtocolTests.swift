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
        .lookup("example.", .dnskey, checkingDisabled: true),
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
}
