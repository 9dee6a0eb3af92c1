// Primary responsibilities: the cache across restarts (`cache.persist`) — the dump in the state
// directory and the identity saved beside it, so that a dump is loaded only by a run that would
// judge its contents the same way (state never lies).

import DNSCache
import DNSCrypto
import DNSSEC
import DNSWire
import Logging
import Resolver

#if canImport(Glibc)
    import Glibc
#endif

/// The cache dump (`STATE/cache.dump`) and its identity (`STATE/cache.dump.identity`).
struct CachePersistence: Sendable {
    /// The dump's path.
    let path: String
    /// Where loads and saves are logged.
    let logger: Logger

    /// The identity file's path.
    var identityPath: String { path + ".identity" }
    /// The identity component listing the NTAs by name (kept readable to flush what changed).
    static let negativeAnchorsKey = "dnssec.negative-trust-anchors"
    /// The largest dump read: the cache's own bound is far below it.
    static let maximumDumpSize = 1 << 32
    /// The largest identity file read.
    static let maximumIdentitySize = 1 << 20

    /// The dump of the state directory `directory`.
    init(directory: String, logger: Logger) {
        path = (directory.hasSuffix("/") ? directory : directory + "/") + "cache.dump"
        self.logger = logger
    }

    /// A dump at `file` (and `file.identity`), for `mamorictl dump-cache` and `load-cache`.
    init(file: String, logger: Logger) {
        path = file
        self.logger = logger
    }

    /// Why a dump was not loaded: a read error, a damaged file, or another configuration.
    struct Refusal: Error, CustomStringConvertible {
        /// The reason, naming the file.
        let description: String
        /// For a dump judged under another configuration, the settings that differ; nil otherwise.
        var changed: String? = nil
    }

    /// What gives the cache's verdicts and delegations their meaning: the `judging` settings
    /// (``EngineSettings/judging``) plus the effective trust anchors (RFC 5011 state included), the
    /// NTAs and the algorithms and digests this OpenSSL accepts. Long values are kept as the dump's
    /// own FNV-1a checksum (the file is the daemon's own; this detects change, it does not authenticate).
    static func identity(_ judging: [String: String], anchors: TrustAnchorStore) -> [String: String] {
        var identity = judging
        identity["dnssec.trust-anchors"] = anchors.anchors.map { "\($0)" }.sorted().joined(separator: "\n")
        identity[negativeAnchorsKey] = anchors.negativeAnchors.map { "\($0.name)" }.joined(separator: " ")
        identity["crypto"] = "\(CryptoSupport.current)"
        return identity.reduce(into: [:]) { result, entry in
            result[entry.key] = entry.key == negativeAnchorsKey ? entry.value : ResolverCache.fingerprint(entry.value)
        }
    }

    /// Warms `cache` from the dump a previous run left. Expiries in the dump are absolute, so
    /// whatever expired while the daemon was down is skipped, and so are secure entries whose
    /// signatures have expired; a missing file is the normal first start, a bad one is logged and
    /// ignored (the daemon starts with an empty cache rather than not at all).
    ///
    /// State never lies: the dump is loaded only when `identity` equals the one saved beside it.
    /// When only the negative trust anchors differ, it is loaded and the names whose NTA began or
    /// ended are flushed (RFC 7646 §2); any other difference leaves it unused, and the log names
    /// what changed.
    func load(into cache: ResolverCache, identity: [String: String], now: CacheTime) {
        if access(path, F_OK) != 0 && errno == ENOENT { return }  // the normal first start
        do {
            let summary = try read(into: cache, identity: identity, now: now)
            logger.info("cache loaded", metadata: ["file": "\(path)", "summary": "\(summary)"])
        } catch {
            if let changed = error.changed {
                logger.notice(
                    "cache dump not loaded: it was judged under another configuration",
                    metadata: ["file": "\(path)", "changed": "\(changed)"])
            } else {
                logger.warning("cache dump not used: \(error)")
            }
        }
    }

    /// ``load(into:identity:now:)`` for a given file: the same rule (state never lies), with the
    /// refusal returned instead of logged.
    /// - Returns: what was loaded.
    /// - Throws: ``Refusal``: no such file, unreadable, damaged, or judged under another configuration.
    func read(into cache: ResolverCache, identity: [String: String], now: CacheTime) throws(Refusal) -> CacheLoadSummary
    {
        let read: [UInt8]?
        do {
            read = try AtomicFile.read(path, limit: Self.maximumDumpSize)
        } catch {
            throw Refusal(description: "\(error)")
        }
        guard let bytes = read else { throw Refusal(description: "\(path): no such file") }
        let saved = readIdentity()
        let changed = identity.keys.sorted().filter { identity[$0] != saved?[$0] }
        guard changed.allSatisfy({ $0 == Self.negativeAnchorsKey }) else {
            let what = saved == nil ? "unknown (no identity file \(identityPath))" : changed.joined(separator: ", ")
            throw Refusal(
                description: "\(path) was judged under another configuration (changed: \(what))", changed: what)
        }
        let summary: CacheLoadSummary
        do {
            summary = try cache.load(bytes, now: now)
        } catch {
            throw Refusal(description: "\(path) is not a usable cache dump: \(error)")
        }
        guard !changed.isEmpty else { return summary }
        let before = Set((saved?[Self.negativeAnchorsKey] ?? "").split(separator: " "))
        let after = Set((identity[Self.negativeAnchorsKey] ?? "").split(separator: " "))
        for name in before.symmetricDifference(after) {
            if let zone = try? DomainName(String(name)) { _ = cache.flushZone(zone) }
        }
        logger.info("negative trust anchors changed since the dump: their names were flushed")
        return summary
    }

    /// Saves `cache` with `identity`. The identity is removed first and written last: a stop
    /// between the two leaves a dump that the next start refuses, never one it trusts under the
    /// wrong settings.
    func save(_ cache: ResolverCache, identity: [String: String], now: CacheTime) {
        do {
            let bytes = try write(cache, identity: identity, now: now)
            logger.info("cache saved", metadata: ["file": "\(path)", "bytes": "\(bytes)"])
        } catch {
            logger.warning("cache not saved: \(error)", metadata: ["file": "\(path)"])
        }
    }

    /// ``save(_:identity:now:)`` with the failure thrown: identity removed first, written last.
    /// - Returns: the dump's size in bytes.
    func write(_ cache: ResolverCache, identity: [String: String], now: CacheTime) throws(AtomicFile.Failure) -> Int {
        AtomicFile.remove(identityPath)
        let bytes = cache.dump(now: now)
        try AtomicFile.write(bytes, to: path, mode: 0o600)
        let text = identity.keys.sorted().map { "\($0)=\(identity[$0]!)\n" }.joined()
        try AtomicFile.write(Array(text.utf8), to: identityPath, mode: 0o600)
        return bytes.count
    }

    /// The saved identity's `key=value` lines, or nil when missing or unreadable.
    func readIdentity() -> [String: String]? {
        guard let bytes = try? AtomicFile.read(identityPath, limit: Self.maximumIdentitySize) else { return nil }
        var identity: [String: String] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            identity[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return identity
    }
}
