// Primary responsibilities: what the service tests share — a log capture, temporary state
// directories, the DNSSEC fixtures of the RFC 5011 tests, and a configuration whose upstreams are
// scripted.

import DNSWire
import Foundation
import Logging
import MamoriConfiguration
import ResolverServer
import Synchronization

/// A log handler that keeps the messages in a ``LogCapture``, so tests can check what was warned.
struct CapturingLogHandler: LogHandler {
    /// Where the messages go (shared: handlers are copied).
    let capture: LogCapture
    /// Handler metadata, unused.
    var metadata: Logger.Metadata = [:]
    /// Everything is kept.
    var logLevel: Logger.Level = .trace

    /// Metadata access required by `LogHandler`.
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Keeps the message and its metadata.
    func log(event: LogEvent) {
        let fields = (event.metadata ?? [:]).mapValues(\.description)
        capture.storage.withLock { $0.append((event.level, event.message.description, fields)) }
    }
}

/// Messages logged through ``logger``.
final class LogCapture: Sendable {
    /// The messages with their levels and metadata (values as text).
    let storage = Mutex<[(Logger.Level, String, [String: String])]>([])
    /// A logger writing here.
    var logger: Logger { Logger(label: "test") { _ in CapturingLogHandler(capture: self) } }
    /// The metadata of each warning, in the order of ``warnings``.
    var warningFields: [[String: String]] { storage.withLock { $0.filter { $0.0 == .warning }.map(\.2) } }
    /// The warning texts.
    var warnings: [String] { storage.withLock { $0.filter { $0.0 == .warning }.map(\.1) } }
    /// Every message, whatever its level.
    var messages: [String] { storage.withLock { $0.map(\.1) } }
}

/// A fresh temporary directory, removed by the caller.
func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "mamori-service-\(UInt64.random(in: 0...UInt64.max))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The records of a zone-file fixture of the DNSSEC tests (`Tests/DNSSECTests/Fixtures`), signed
/// to be valid around 2030-01-01 (``fixtureTime``).
func fixtureRecords(_ name: String, origin: DomainName) throws -> [Record] {
    let folder = String(#filePath).split(separator: "/").dropLast(2).joined(separator: "/")
    let text = try String(contentsOfFile: "/\(folder)/DNSSECTests/Fixtures/\(name)", encoding: .utf8)
    return try ZoneFileParser(text: text, origin: origin).records()
}

/// 2030-01-01 00:00:00 UTC: inside the fixtures' signature validity.
let fixtureTime: Int64 = 1_893_456_000

/// A configuration for in-process tests: state in `directory`, private upstreams allowed (the
/// scripted servers use documentation addresses), nothing persisted unless asked.
func testConfiguration(directory: String) -> Configuration {
    var configuration = Configuration()
    configuration.stateDirectory = directory
    configuration.resolution.allowPrivateUpstreams = true
    configuration.resolution.doNotQueryLocalhost = false
    configuration.cache.persist = false
    return configuration
}

extension CacheAnswer {
    /// The response (from the cache or a local answer stage), or nil on a miss.
    var response: Message? {
        switch self {
        case .response(let message), .local(let message): message
        case .miss: nil
        }
    }
}
