// Primary responsibilities: the three log formats — logfmt quoting, JSON escaping (checked by a
// JSON parser no one here wrote), journal field names — and what `auto` decides.

import Foundation
import Logging
import MamoriSystem
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Log output formats")
struct LogOutputTests {
    /// A record with awkward values: spaces, quotes, `=`, a backslash, a newline, a control character.
    let record = LogRecord(
        level: .info, message: "SERVFAIL example.com. A IN: \"quoted\" path\\x\nnext",
        metadata: [
            "qname": "example.com.", "ede-text": "no reachable authority for . [ZUNR]", "empty": "",
            "equals": "a=b", "bell": "\u{07}", "ede-code": "22",
        ])

    @Test("logfmt: bare values stay bare; spaces, =, quotes, backslashes and control characters are quoted and escaped")
    func logfmt() {
        #expect(LogRecord.logfmtValue("example.com.") == "example.com.")
        #expect(LogRecord.logfmtValue("") == "\"\"")
        #expect(LogRecord.logfmtValue("a b") == "\"a b\"")
        #expect(LogRecord.logfmtValue("a=b") == "\"a=b\"")
        #expect(LogRecord.logfmtValue("say \"hi\"") == "\"say \\\"hi\\\"\"")
        #expect(LogRecord.logfmtValue("back\\slash") == "\"back\\\\slash\"")
        #expect(LogRecord.logfmtValue("two\nlines\tand\r") == "\"two\\nlines\\tand\\r\"")
        #expect(LogRecord.logfmtValue("\u{07}") == "\"\\u0007\"")
        #expect(LogRecord.logfmtValue("名前.example.") == "名前.example.")
        #expect(LogRecord.logfmtKey("a key=\"x\"") == "a_key__x_")
        let line = record.keyValueLine(time: "2026-12-05T00:00:00+0000")
        #expect(!line.contains("\n"))
        #expect(
            line
                == "time=2026-12-05T00:00:00+0000 level=info msg=\"SERVFAIL example.com. A IN: \\\"quoted\\\" path\\\\x\\nnext\""
                + " bell=\"\\u0007\" ede-code=22 ede-text=\"no reachable authority for . [ZUNR]\" empty=\"\""
                + " equals=\"a=b\" qname=example.com.")
    }

    @Test("JSON: one object per line that a JSON parser reads back to the same strings")
    func json() throws {
        let line = record.jsonLine(time: "2026-12-05T00:00:00+0000")
        #expect(!line.contains("\n"))
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object["msg"] == record.message)
        #expect(object["level"] == "info")
        #expect(object["time"] == "2026-12-05T00:00:00+0000")
        #expect(object["bell"] == "\u{07}")
        #expect(object["ede-text"] == "no reachable authority for . [ZUNR]")
        #expect(object["empty"] == "")
        #expect(object.count == 9)
        #expect(LogRecord.escaped("\u{08}\u{0C}\u{1F}\u{7F}") == "\\b\\f\\u001f\\u007f")
    }

    @Test("journal: MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, then each field in capitals with _ for other characters")
    func journal() {
        let fields = record.journalFields(identifier: "mamorid")
        #expect(fields[0] == "MESSAGE=\(record.message)")
        #expect(fields[1] == "PRIORITY=6")
        #expect(fields[2] == "SYSLOG_IDENTIFIER=mamorid")
        #expect(fields.contains("EDE_CODE=22"))
        #expect(fields.contains("EDE_TEXT=no reachable authority for . [ZUNR]"))
        #expect(fields.contains("QNAME=example.com."))
        #expect(LogRecord.journalField("_trusted") == "TRUSTED")
        #expect(LogRecord.journalField("4xx") == "F4XX")
        #expect(LogRecord.journalField("latency-us") == "LATENCY_US")
        #expect(LogRecord.journalField(String(repeating: "a", count: 80)).count == 64)
        #expect(LogRecord.priority(.warning) == 4 && LogRecord.priority(.debug) == 7)
    }

    @Test("auto: journal only when JOURNAL_STREAM names this process's stderr")
    func automatic() {
        var status = stat()
        #expect(fstat(2, &status) == 0)
        #expect(LogOutputFormat.automatic(journalStream: "\(status.st_dev):\(status.st_ino)") == .journal)
        #expect(LogOutputFormat.automatic(journalStream: "\(status.st_dev):\(status.st_ino &+ 1)") == .keyvalue)
        #expect(LogOutputFormat.automatic(journalStream: "garbage") == .keyvalue)
        #expect(LogOutputFormat.automatic(journalStream: nil) == .keyvalue)
        #expect(LogOutputFormat(word: "json") == .json && LogOutputFormat(word: "auto") == nil)
    }
}
