// Primary responsibilities: turn the cache into bytes and back, so a restart keeps a warm cache:
// absolute expiries, entries already expired left out, secure entries re-checked against their
// signatures' expiration, damaged dumps refused whole. No file I/O: the service writes the bytes.

import DNSSEC
import DNSWire

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
}
