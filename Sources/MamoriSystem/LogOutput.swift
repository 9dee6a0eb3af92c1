// Primary responsibilities: how a log line is written (`logging.format`): native journal entries
// whose metadata become journal fields, logfmt key=value lines, or one JSON object per line, with
// the quoting and escaping each needs; and the swift-log handler every logger of the daemon uses.

import CSystemd
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The written shape of a log line, `auto` already decided.
package enum LogOutputFormat: Int, Sendable, CaseIterable {
    /// Native journald entries (sd-journal(3)): `MESSAGE`, `PRIORITY` and each metadata key as a
    /// field of its own, in capitals.
    case journal
    /// logfmt: `time=… level=… msg="…" key=value …`, one line each on stderr.
    case keyvalue
    /// One JSON object per line on stderr.
    case json

    /// `logging.format`'s word for it, or nil for `auto`.
    package init?(word: String) {
        switch word {
        case "journal": self = .journal
        case "keyvalue": self = .keyvalue
        case "json": self = .json
        default: return nil
        }
    }

    /// What `auto` means in this process: `journal` when stderr is the journal stream systemd
    /// connected (JOURNAL_STREAM holds its `device:inode`, systemd.exec(5)), `keyvalue` otherwise
    /// (a terminal, a pipe, a file: a stderr inherited by a child of the service is not the journal).
    package static func automatic(
        journalStream: String? = getenv("JOURNAL_STREAM").map { String(cString: $0) }
    )
        -> LogOutputFormat
    {
        guard let journalStream else { return .keyvalue }
        let parts = journalStream.split(separator: ":")
        var status = stat()
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]), fstat(2, &status) == 0
        else { return .keyvalue }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode ? .journal : .keyvalue
    }
}

/// One log event, formatted: what the three formats share.
package struct LogRecord: Sendable {
    /// The level.
    package var level: Logger.Level
    /// The message.
    package var message: String
    /// The metadata, keys sorted.
    package var fields: [(key: String, value: String)]

    /// Creates a record from a message and metadata; the keys are sorted so lines compare.
    package init(level: Logger.Level, message: String, metadata: Logger.Metadata) {
        self.level = level
        self.message = message
        self.fields = metadata.keys.sorted().map { ($0, "\(metadata[$0]!)") }
    }

    /// The syslog priority of a level (sd-daemon(3) `SD_*`, syslog(3) `LOG_*`).
    package static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    // MARK: - logfmt

    /// The record as a logfmt line (no newline): `time=… level=… msg=… key=value …`.
    package func keyValueLine(time: String) -> String {
        var line = "time=\(Self.logfmtValue(time)) level=\(level) msg=\(Self.logfmtValue(message))"
        for (key, value) in fields { line += " \(Self.logfmtKey(key))=\(Self.logfmtValue(value))" }
        return line
    }

    /// A logfmt key: anything but a space, `=` or `"` and a printable ASCII character becomes `_`.
    package static func logfmtKey(_ key: String) -> String {
        let cleaned = String(
            decoding: key.utf8.map {
                $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "=") && $0 != UInt8(ascii: "\"") ? $0 : UInt8(ascii: "_")
            },
            as: UTF8.self)
        return cleaned.isEmpty ? "_" : cleaned
    }

    /// A logfmt value: bare when it has no space, `=`, `"`, backslash or control character and is
    /// not empty; otherwise quoted, with `"` and `\` escaped and control characters as `\n`, `\t`,
    /// `\r` or `\u00XX` (the go-logfmt encoder's rules), so one value never spans lines.
    package static func logfmtValue(_ value: String) -> String {
        let needsQuotes =
            value.isEmpty
            || value.utf8.contains {
                $0 <= 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "\"")
                    || $0 == UInt8(ascii: "\\")
            }
        guard needsQuotes else { return value }
        return "\"" + escaped(value) + "\""
    }

    // MARK: - JSON

    /// The record as one JSON object (no newline): `time`, `level`, `msg`, then each field, every
    /// value a string (RFC 8259 §7 escaping).
    package func jsonLine(time: String) -> String {
        var line = "{\"time\":\"\(Self.escaped(time))\",\"level\":\"\(level)\",\"msg\":\"\(Self.escaped(message))\""
        for (key, value) in fields where !["time", "level", "msg"].contains(key) {
            line += ",\"\(Self.escaped(key))\":\"\(Self.escaped(value))\""
        }
        return line + "}"
    }

    /// `text` with `"` and `\` escaped and every control character as `\n`, `\r`, `\t`, `\b`, `\f`
    /// or `\u00XX`: valid inside a JSON string (RFC 8259 §7) and inside a quoted logfmt value.
    package static func escaped(_ text: String) -> String {
        guard
            text.utf8.contains(where: {
                $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\")
            })
        else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    // MARK: - Journal

    /// The record as journal fields (sd_journal_sendv(3)): `MESSAGE`, `PRIORITY`,
    /// `SYSLOG_IDENTIFIER`, then each metadata key as a field name (``journalField(_:)``).
    package func journalFields(identifier: String) -> [String] {
        var result = ["MESSAGE=\(message)", "PRIORITY=\(Self.priority(level))", "SYSLOG_IDENTIFIER=\(identifier)"]
        for (key, value) in fields { result.append("\(Self.journalField(key))=\(value)") }
        return result
    }

    /// A metadata key as a journal field name: capitals, digits and `_` only, not starting with
    /// `_` (those are the journal's trusted fields, systemd.journal-fields(7)) or a digit, at most
    /// 64 characters; `ede-code` becomes `EDE_CODE`.
    package static func journalField(_ key: String) -> String {
        var name = String(
            decoding: key.uppercased().utf8.map {
                ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z"))
                    || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                    ? $0 : UInt8(ascii: "_")
            }, as: UTF8.self)
        while name.hasPrefix("_") { name.removeFirst() }
        if name.first.map({ $0.isNumber }) ?? true { name = "F" + name }
        return String(name.prefix(64))
    }
}

/// The level and format in force, shared by every handler so a reload changes them for all.
package final class LogSetting: Sendable {
    /// The level as its index in `Logger.Level.allCases`.
    private let levelIndex: Atomic<Int>
    /// The format as its raw value.
    private let formatValue: Atomic<Int>

    /// Creates the setting.
    package init(level: Logger.Level, format: LogOutputFormat) {
        levelIndex = Atomic(Logger.Level.allCases.firstIndex(of: level)!)
        formatValue = Atomic(format.rawValue)
    }

    /// The level in force.
    package var level: Logger.Level {
        get { Logger.Level.allCases[levelIndex.load(ordering: .relaxed)] }
        set { levelIndex.store(Logger.Level.allCases.firstIndex(of: newValue)!, ordering: .relaxed) }
    }

    /// The format in force.
    package var format: LogOutputFormat {
        get { LogOutputFormat(rawValue: formatValue.load(ordering: .relaxed))! }
        set { formatValue.store(newValue.rawValue, ordering: .relaxed) }
    }
}

/// Writes each event in the format in force: to the journal, or as one write(2) per line on
/// stderr, so lines from several threads never mix.
package struct MamoriLogHandler: LogHandler {
    /// The shared level and format.
    package let setting: LogSetting
    /// The journal's `SYSLOG_IDENTIFIER`.
    package let identifier: String
    /// Metadata attached to every line of this logger.
    package var metadata: Logger.Metadata = [:]
    /// Required by LogHandler; unused.
    package var metadataProvider: Logger.MetadataProvider?

    /// Creates a handler.
    package init(setting: LogSetting, identifier: String = "mamorid") {
        self.setting = setting
        self.identifier = identifier
    }

    /// The level in force (shared; setting it changes it for every logger).
    package var logLevel: Logger.Level {
        get { setting.level }
        set { setting.level = newValue }
    }

    /// Metadata by key.
    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Formats and writes one event.
    package func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let record = LogRecord(level: event.level, message: "\(event.message)", metadata: merged)
        switch setting.format {
        case .journal:
            // Under a journal stream that is going away (journald restarting), the line still goes
            // to stderr, with its priority prefix (sd-daemon(3)).
            if !Self.sendToJournal(record.journalFields(identifier: identifier)) {
                Self.writeLine("<\(LogRecord.priority(event.level))>" + record.keyValueLine(time: Self.timestamp()))
            }
        case .keyvalue: Self.writeLine(record.keyValueLine(time: Self.timestamp()))
        case .json: Self.writeLine(record.jsonLine(time: Self.timestamp()))
        }
    }

    /// One entry through sd_journal_sendv(3); false when the journal did not take it.
    static func sendToJournal(_ fields: [String]) -> Bool {
        var buffer: [UInt8] = []
        var ranges: [(offset: Int, count: Int)] = []
        for field in fields {
            ranges.append((buffer.count, field.utf8.count))
            buffer.append(contentsOf: field.utf8)
        }
        return buffer.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return false }
            var vectors = ranges.map { iovec(iov_base: base + $0.offset, iov_len: $0.count) }
            return sd_journal_sendv(&vectors, Int32(vectors.count)) >= 0
        }
    }

    /// Writes `line` and a newline to stderr in one write(2) (retrying short writes).
    static func writeLine(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }

    /// Local time with its offset, `2026-08-21T10:00:00+0200`.
    static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 40)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
