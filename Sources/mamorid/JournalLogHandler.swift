// Primary responsibilities: swift-log output on stderr that journald understands: under systemd
// (JOURNAL_STREAM set) each line starts with its syslog priority, `<6>message` (sd-daemon(3));
// in a terminal, plain lines with a timestamp and level. The level follows reloads.

import Logging
import MamoriConfiguration
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The log level in force, shared by every handler so SIGHUP can change it.
final class LogLevelSetting: Sendable {
    /// The level as its index in `Logger.Level.allCases`.
    private let index: Atomic<Int>

    /// Creates the setting.
    init(_ level: Logger.Level) { index = Atomic(Logger.Level.allCases.firstIndex(of: level)!) }

    /// The level in force.
    var level: Logger.Level {
        get { Logger.Level.allCases[index.load(ordering: .relaxed)] }
        set { index.store(Logger.Level.allCases.firstIndex(of: newValue)!, ordering: .relaxed) }
    }

    /// The swift-log level for a configuration level.
    static func level(_ level: LogLevel) -> Logger.Level {
        Logger.Level(rawValue: level.rawValue) ?? .info
    }
}

/// Writes log lines to stderr, one write(2) per line so lines from several threads never mix.
struct JournalLogHandler: LogHandler {
    /// The shared level.
    let setting: LogLevelSetting
    /// The logger's label.
    let label: String
    /// True under journald: priority prefixes instead of timestamps.
    let forJournal: Bool
    /// Metadata attached to every line of this logger.
    var metadata: Logger.Metadata = [:]
    /// Required by LogHandler; the shared setting wins.
    var metadataProvider: Logger.MetadataProvider?

    /// Creates a handler.
    init(label: String, setting: LogLevelSetting) {
        self.label = label
        self.setting = setting
        self.forJournal = getenv("JOURNAL_STREAM") != nil
    }

    /// The level in force (shared; setting it changes it for every logger).
    var logLevel: Logger.Level {
        get { setting.level }
        set { setting.level = newValue }
    }

    /// Metadata by key.
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Formats and writes one event.
    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        var line = forJournal ? "<\(Self.priority(event.level))>" : "\(Self.timestamp()) \(event.level) "
        line += "\(event.message)"
        for key in merged.keys.sorted() { line += " \(key)=\(merged[key]!)" }
        line += "\n"
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }

    /// The syslog priority of a level (sd-daemon(3) `SD_*` prefixes).
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// Local time as `2026-08-21T10:00:00`.
    static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S", &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
