// Primary responsibilities: save the cache to a file and load it back, so a restart keeps a warm
// cache: absolute expiries, entries already expired left out, secure entries re-checked against
// their signatures' expiration, damaged files refused whole.

import DNSSEC
import DNSWire

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension ResolverCache {
    /// The dump's checksum (FNV-1a 64) of `text`, in hex: what the daemon writes beside a dump to
    /// record the configuration it was judged under (change detection, not authentication).
    public static func fingerprint(_ text: String) -> String {
        String(CacheDumpFormat.checksum(text.utf8), radix: 16)
    }

    /// Serialises every entry not yet past its stale window (``CacheDumpFormat``, version 1),
    /// except remembered resolution failures: a restart is often how an operator retries, and
    /// those last seconds anyway. Shards are read one at a time, so the dump is not one atomic instant.
    public func dump(now: CacheTime) -> [UInt8] {
        CacheDumpFormat.encode(liveSlots(now: now).filter { $0.kind != .failure }, now: now)
    }

    /// Loads a dump made by ``dump(now:)``, through the normal insertion rules (ranks, limits,
    /// memory bound).
    ///
    /// Entries whose expiry is not after `now` are skipped; expiries are capped at `now + maxTTL`.
    /// Entries stored as secure are skipped
    /// when any RRSIG they carry (their own, or their SOA's and proofs') has an expiration at or
    /// before `now` (RFC 4034 §3.1.5, serial arithmetic): served as secure they would be a lie,
    /// and revalidating them would only find them bogus.
    /// - Throws: ``CacheDumpError`` for a file that is not a dump, of another version, truncated or
    ///   damaged; nothing is inserted then.
    @discardableResult
    public func load(_ bytes: [UInt8], now: CacheTime) throws(CacheDumpError) -> CacheLoadSummary {
        let entries = try CacheDumpFormat.decode(bytes)
        var summary = CacheLoadSummary()
        summary.entries = entries.count
        for entry in entries {
            guard entry.expiry > now.seconds else {
                summary.skippedExpired += 1
                continue
            }
            if entry.status == .secure && Self.hasExpiredSignature(entry, now: now) {
                summary.skippedSignatureExpired += 1
                continue
            }
            // A dump from a run with a larger max-ttl (or a crafted one) may not extend an entry
            // past what this configuration allows from now, and a clock set back since the dump
            // may not stretch it past the TTL it was stored with.
            let ttl = min(entry.ttl, configuration.maxTTL)
            let expiry = min(entry.expiry, now.adding(ttl).seconds)
            let slot = makeSlot(
                kind: entry.kind, name: entry.name, type: entry.type, rrClass: entry.rrClass, rdatas: entry.rdatas,
                signatures: entry.signatures, extra: entry.extra, ttl: ttl,
                expiry: expiry,
                rank: entry.rank, status: entry.status, reason: entry.reason)
            if store(slot, now: now).isCached { summary.loaded += 1 } else { summary.refused += 1 }
        }
        return summary
    }

    /// Whether an RRSIG carried by `entry` expired at or before `now` (RFC 4034 §3.1.5: the
    /// expiration is compared in 32-bit serial number arithmetic, RFC 1982).
    static func hasExpiredSignature(_ entry: CacheDumpFormat.Entry, now: CacheTime) -> Bool {
        let clock = UInt32(truncatingIfNeeded: now.seconds)
        func expired(_ signature: RRSIG) -> Bool { Int32(bitPattern: signature.expiration &- clock) <= 0 }
        return entry.signatures.contains(where: expired)
            || entry.extra.contains { $0.signatures.contains(where: expired) }
    }

    /// Writes ``dump(now:)`` to `path` atomically: a temporary file beside it, then a rename.
    /// - Returns: the number of bytes written.
    /// - Throws: ``CacheDumpError`` of kind ``CacheDumpError/Kind/io``.
    @discardableResult
    public func dump(toFile path: String, now: CacheTime) throws(CacheDumpError) -> Int {
        let bytes = dump(now: now)
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Self.ioError("cannot create \(temporary)") }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                let error = Self.ioError("cannot write \(temporary)")
                close(descriptor)
                unlink(temporary)
                throw error
            }
            offset += written
        }
        guard fsync(descriptor) == 0, close(descriptor) == 0 else {
            unlink(temporary)
            throw Self.ioError("cannot flush \(temporary)")
        }
        guard rename(temporary, path) == 0 else {
            let error = Self.ioError("cannot rename \(temporary) to \(path)")
            unlink(temporary)
            throw error
        }
        return bytes.count
    }

    /// Reads `path` and ``load(_:now:)``s it.
    /// - Throws: ``CacheDumpError``: I/O failures, or what ``load(_:now:)`` throws.
    @discardableResult
    public func load(fromFile path: String, now: CacheTime) throws(CacheDumpError) -> CacheLoadSummary {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.ioError("cannot open \(path)") }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Self.ioError("cannot read \(path)")
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return try load(bytes, now: now)
    }

    /// An I/O error carrying the current `errno`.
    static func ioError(_ what: String) -> CacheDumpError {
        let code = Int(errno)
        return CacheDumpError(.io, code: code, "\(what): errno \(code)")
    }
}
