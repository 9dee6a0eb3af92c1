// Primary responsibilities: the packet cache — whole responses that the RRset cache already
// answered, keyed by the query's bytes, replayed with the client's ID, the client's spelling of
// the name and TTLs aged since they were stored, so a hot name costs a hash, one lock and a copy
// instead of a parse, a lookup and an encode (PowerDNS Recursor keeps the same kind of cache); a
// client's DNS cookie (RFC 7873) is left out of the key and written fresh into each replay.

import Synchronization

/// Responses by query bytes, in front of the RRset cache (architecture §3, fast path).
///
/// **Key.** Everything of the query after its ID — header flags (RD, CD, AD), the counts, the
/// question with its name folded to lower case (RFC 4343 §3), the OPT record with its payload size,
/// DO bit and options — plus the transport, whose size limit differs. Two queries with the same key
/// get the same response from the RRset cache, so a hit is exact, not a guess: a malformed query
/// can never hit (it would have to equal one that was parsed and answered), and anything that
/// changes the answer (DO, CD, the buffer size) changes the key. Keys are compared whole;
/// the 64-bit hash only finds the slot, with a per-process random seed (SipHash), so another
/// key hashing alike only replaces or misses an entry, never serves the wrong response.
///
/// **Cookies.** dig, kdig and every cookie-speaking stub send a fresh client cookie (RFC 7873 §4.1)
/// with each query, which made every such key unique. So a well-formed COOKIE option (RFC 7873 §4:
/// 8 octets, or 16 to 40) in the OPT record is cut out of the key (with the OPT RDLENGTH lowered to
/// match) and its presence marked in the transport octet instead: the response differs only in
/// the COOKIE option it carries, which the server puts last (see ``ResponseShape/cookieLength``).
/// A replay copies the query's client cookie into that option and has the caller's
/// ``CookieWriter`` fill the server cookie for this client. A malformed COOKIE option is not cut
/// out, so such a query keeps its own bytes in the key and, as the server answers it FORMERR
/// (RFC 7873 §5.2.2), never hits.
///
/// **What is stored.** Only responses the RRset cache produced (the listener's cache hits), only
/// NOERROR and NXDOMAIN, never truncated ones, never stale ones (the caller does not offer them),
/// and only on a name's second cache hit within the doorkeeper's memory: names asked once or twice
/// (most of a large cold working set) stay out, so the packet cache holds the hot names and costs
/// memory only for them (TinyLFU's doorkeeper idea, Einziger et al. 2017).
///
/// **Freshness.** Every TTL in the response counts down from when it was stored (RFC 1035 §3.2.1).
/// An entry lives 90 % of the lowest TTL it carries: after that, queries go back to the RRset
/// cache, where a hit in the last tenth of an RRset's TTL triggers the prefetch, and where
/// replaced or re-validated data is seen.
///
/// **Use of the RRsets behind an entry.** A replay does not reach the RRset cache, whose eviction
/// (SIEVE, CLOCK or LRU) would then see a hot name as unused and drop its RRsets; once the entry
/// expires, or a flush or reload makes it a miss, the name would be resolved again, and the
/// prefetch in the last tenth of the TTL would find nothing to refresh. So at most once every
/// ``useInterval`` seconds per entry one hit is turned into a miss: that query goes the cached path,
/// which marks as used every entry the answer is made of (the CNAME chain, a denial's proofs, not
/// only the question's RRset), and the response it makes is offered again and replaces the entry.
/// Remembering the RRset cache's slots with each entry instead would tie the two caches together
/// and miss entries the answer path reads besides; this costs one cached answer per hot name per
/// interval (Docs/performance.md).
///
/// **Generations.** Each entry carries the answer generation the caller gave when it offered the
/// response, and is served only to a lookup that gives the same one. The caller advances its
/// generation whenever an answer could change for a reason other than time — a reload, a cache
/// flush, a negative trust anchor, local data or policy swapped in — so nothing made before the
/// change is replayed after it, including a response computed before the change and offered after
/// it (a flush could not catch that one). Entries of an old generation are dropped when met and
/// otherwise age out under the CLOCK.
///
/// **Memory.** At most `maxBytes`, accounted as malloc chunks (``MemoryEstimate``), CLOCK eviction
/// per shard (a hit sets a bit, the hand clears it or evicts).
public final class PacketCache: Sendable {
    /// What a packet cache did since start; a new generation does not reset the counters.
    public struct Statistics: Hashable, Sendable {
        /// Queries answered from the packet cache.
        public var hits = 0
        /// Queries looked up and not found (or found expired), and hits passed through to the RRset
        /// cache to mark its entries used (see **Use of the RRsets behind an entry**).
        public var misses = 0
        /// Responses stored.
        public var inserts = 0
        /// Responses offered but not stored yet: the doorkeeper had not seen the query before.
        public var notAdmitted = 0
        /// Entries evicted to stay within the memory bound.
        public var evictions = 0
        /// Entries now held.
        public var entries = 0
        /// Bytes now accounted.
        public var bytes = 0

        /// Zeroed statistics.
        public init() {}
    }

    /// Lock shards; listener threads rarely meet on one.
    static let shardCount = 16
    /// Longest key stored (query length minus the ID, plus the transport octet): longer queries
    /// carry options or padding that make them unlikely to repeat.
    public static let maxKeyLength = 512
    /// Fraction of the lowest TTL an entry lives, in tenths (see **Freshness**).
    static let lifetimeTenths: UInt32 = 9
    /// Most seconds between two queries of an entry that go through the RRset cache (see **Use of
    /// the RRsets behind an entry**). The RRset cache's hand must go round a whole shard within this
    /// time to evict a name asked through the packet cache: at the default `cache.size` that is
    /// hundreds of thousands of insertions in 30 s. Shorter costs the names asked every few seconds
    /// most: at 5 s, two answers in five of a name asked every 2 s took the cached path (callgrind,
    /// Benchmarks/e2e: 13.6 k instructions per cached answer against 5.0 k).
    public static let useInterval: UInt16 = 30

    /// The memory bound.
    public let maxBytes: Int
    /// The shards.
    private let shards: [ShardBox]
    /// Random per process: which keys share a slot cannot be chosen from outside.
    private let seed = (UInt64.random(in: 0...UInt64.max), UInt64.random(in: 0...UInt64.max))

    /// One shard's lock and state, boxed so the shards can sit in an array.
    private final class ShardBox: Sendable {
        /// The shard.
        let state: Mutex<PacketCacheShard>

        /// An empty shard.
        init(limit: Int, doorkeeperSize: Int) {
            state = Mutex(PacketCacheShard(limit: limit, doorkeeperSize: doorkeeperSize))
        }
    }

    /// Creates an empty packet cache of at most `maxBytes`.
    public init(maxBytes: Int) {
        self.maxBytes = maxBytes
        let limit = max(maxBytes / Self.shardCount, 1)
        // One doorkeeper slot for about every 256 bytes of bound: a few times the entries it can hold.
        let doorkeeperSize = max(limit / 256, 64)
        shards = (0..<Self.shardCount).map { _ in ShardBox(limit: limit, doorkeeperSize: doorkeeperSize) }
    }

    /// Fills the server cookie of a replayed response: given the query's client cookie (8 octets)
    /// and the server cookie it sent (empty or 8–32 octets), writes this client's server cookie into
    /// the buffer (the stored option's length minus 8). False when it cannot, and the replay becomes
    /// a miss.
    public typealias CookieWriter = (
        _ client: UnsafeRawBufferPointer, _ received: UnsafeRawBufferPointer,
        _ destination: UnsafeMutableRawBufferPointer
    ) -> Bool

    /// The response stored for `query`, made its own: the query's ID and spelling of the name, TTLs
    /// lowered by the seconds since it was stored, and its COOKIE option this client's. Nil when
    /// nothing fresh is stored.
    /// - Parameters:
    ///   - query: the whole query message as received.
    ///   - transport: 0 for UDP, 1 for TCP (or any other distinction below 128 the caller needs).
    ///   - now: seconds since the epoch, the clock the RRset cache uses.
    ///   - generation: the caller's answer generation now; only entries offered under it are served.
    ///   - serverCookie: fills the server cookie of a response that carries a COOKIE option; by
    ///     default it cannot, and such responses miss.
    public func answer(
        _ query: [UInt8], transport: UInt8, now: Int64, generation: UInt64 = 0,
        serverCookie: CookieWriter = { _, _, _ in false }
    ) -> [UInt8]? {
        query.withUnsafeBufferPointer { bytes in
            replay(bytes, transport: transport, now: now, generation: generation) { length, fill in
                let response = [UInt8](unsafeUninitializedCapacity: length) { out, initialized in
                    initialized = Self.finish(fill(out), in: out, serverCookie: serverCookie) ? length : 0
                }
                return response.isEmpty ? nil : response
            }
        }
    }

    /// ``answer(_:transport:now:generation:serverCookie:)`` written straight into `destination` (a listener's
    /// send slot), so a hit allocates nothing. Nil on a miss or when the response does not fit.
    /// - Returns: the response's length.
    public func answer(
        _ query: UnsafeBufferPointer<UInt8>, transport: UInt8, now: Int64, generation: UInt64 = 0,
        into destination: UnsafeMutableBufferPointer<UInt8>, serverCookie: CookieWriter = { _, _, _ in false }
    ) -> Int? {
        replay(query, transport: transport, now: now, generation: generation) { length, fill in
            guard length <= destination.count else { return nil }
            let out = UnsafeMutableBufferPointer(rebasing: destination[0..<length])
            return Self.finish(fill(out), in: out, serverCookie: serverCookie) ? length : nil
        }
    }

    /// Completes a replay the filler wrote into `out`: the server cookie, when the response
    /// carries a COOKIE, written by `serverCookie` into the last octets.
    /// - Returns: false when the filler or the writer failed.
    private static func finish(
        _ filled: ReplayCookie?, in out: UnsafeMutableBufferPointer<UInt8>, serverCookie: CookieWriter
    ) -> Bool {
        guard let filled else { return false }
        guard filled.serverCookieLength > 0 else { return true }
        let destination = UnsafeMutableRawBufferPointer(
            UnsafeMutableBufferPointer(rebasing: out[(out.count - filled.serverCookieLength)...]))
        return serverCookie(filled.client, filled.received, destination)
    }

    /// Looks `query` up and hands a hit's length and a filler (copy, then patch ID, name, TTLs and
    /// client cookie) to `emit`, under the shard's lock. The filler leaves the server cookie to the
    /// caller's writer (``finish(_:in:serverCookie:)``): Swift does not let a filler that captured
    /// the writer, a non-escaping closure, be passed to `emit`, another one, and
    /// `withoutActuallyEscaping` or a generic writer cost an allocation or ~150 ns per hit.
    private func replay<Result: Sendable>(
        _ bytes: UnsafeBufferPointer<UInt8>, transport: UInt8, now: Int64, generation: UInt64,
        emit: (Int, (UnsafeMutableBufferPointer<UInt8>) -> ReplayCookie?) -> Result?
    ) -> Result? {
        guard let nameEnd = PacketKey.questionNameEnd(bytes) else { return nil }
        let cookie = PacketKey.cookie(in: bytes, questionEnd: nameEnd + 4)
        return PacketKey.withKey(bytes, nameEnd: nameEnd, cookie: cookie, transport: transport) { key -> Result? in
            let hash = self.hash(key)
            return shards[Int(truncatingIfNeeded: hash) & (Self.shardCount - 1)].state.withLock {
                $0.answer(
                    hash: hash, key: key, query: bytes, nameEnd: nameEnd, cookie: cookie, now: now,
                    generation: generation, emit: emit)
            }
        }
    }

    /// Offers the response the RRset cache gave to `query` under answer generation `generation`
    /// (read before the answer was made); stored when it qualifies (see the type's documentation)
    /// and the doorkeeper has seen the query before.
    public func offer(query: [UInt8], response: [UInt8], transport: UInt8, now: Int64, generation: UInt64 = 0) {
        query.withUnsafeBufferPointer { bytes in
            guard let nameEnd = PacketKey.questionNameEnd(bytes),
                let shape = response.withUnsafeBufferPointer({ reply -> ResponseShape? in
                    // The response must carry this very question (the server copies it from the query).
                    guard reply.count >= nameEnd + 4,
                        reply[12..<(nameEnd + 4)].elementsEqual(bytes[12..<(nameEnd + 4)])
                    else { return nil }
                    return ResponseShape(parsing: reply, questionEnd: nameEnd + 4)
                }),
                shape.lowestTTL * Self.lifetimeTenths / 10 >= 1
            else { return }
            // A response's COOKIE option can only be rewritten from the query's: one without a
            // well-formed COOKIE cannot have it replayed.
            let cookie = PacketKey.cookie(in: bytes, questionEnd: nameEnd + 4)
            guard shape.cookieLength == 0 || cookie != nil else { return }
            let lifetime = Int64(shape.lowestTTL * Self.lifetimeTenths / 10)
            PacketKey.withKey(bytes, nameEnd: nameEnd, cookie: cookie, transport: transport) { key in
                let hash = self.hash(key)
                shards[Int(truncatingIfNeeded: hash) & (Self.shardCount - 1)].state.withLock {
                    $0.offer(
                        hash: hash, key: key, response: response, ttlOffsets: shape.ttlOffsets,
                        cookieLength: shape.cookieLength, now: now, expiry: now + lifetime, generation: generation)
                }
            }
        }
    }

    /// The counters and sizes, summed over the shards.
    public var statistics: Statistics {
        var total = Statistics()
        for shard in shards {
            let one = shard.state.withLock { $0.statistics }
            total.hits += one.hits
            total.misses += one.misses
            total.inserts += one.inserts
            total.notAdmitted += one.notAdmitted
            total.evictions += one.evictions
            total.entries += one.entries
            total.bytes += one.bytes
        }
        return total
    }

    /// SipHash-1-3 of the key with this cache's seed.
    private func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(seed.0)
        hasher.combine(seed.1)
        hasher.combine(bytes: UnsafeRawBufferPointer(key))
        return UInt64(truncatingIfNeeded: hasher.finalize())
    }
}

/// How a query becomes a key.
enum PacketKey {
    /// The offset just past the question's name, when the query has a header, one question whose
    /// name is plain labels (no compression pointer) followed by its type and class, and fits a key.
    static func questionNameEnd(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard bytes.count >= 17, bytes.count - 2 + 1 <= PacketCache.maxKeyLength,
            bytes[4] == 0, bytes[5] == 1
        else { return nil }
        var offset = 12
        // RFC 1035 §3.1: labels of at most 63 octets, a name of at most 255; the loop is bounded
        // by the 255 octets a name may have.
        while offset < bytes.count {
            let length = Int(bytes[offset])
            if length == 0 {
                offset += 1
                guard offset - 12 <= 255, offset + 4 <= bytes.count else { return nil }
                return offset
            }
            guard length <= 63 else { return nil }
            offset += 1 + length
            guard offset - 12 <= 255 else { return nil }
        }
        return nil
    }

    /// Where a query's COOKIE option is, for a query whose question ends at `questionEnd` and is
    /// followed by nothing but one OPT record (no answer or authority records, ARCOUNT 1, the OPT
    /// RDATA running to the end). Nil when there is no such OPT, no COOKIE option in it, or the
    /// first COOKIE option has a malformed length (RFC 7873 §4: 8 octets, or 16 to 40).
    static func cookie(in bytes: UnsafeBufferPointer<UInt8>, questionEnd: Int) -> QueryCookie? {
        let optEnd = questionEnd + 11
        guard bytes[6] == 0, bytes[7] == 0, bytes[8] == 0, bytes[9] == 0, bytes[10] == 0, bytes[11] == 1,
            optEnd <= bytes.count, bytes[questionEnd] == 0, bytes[questionEnd + 1] == 0, bytes[questionEnd + 2] == 41,
            Int(bytes[questionEnd + 9]) << 8 | Int(bytes[questionEnd + 10]) == bytes.count - optEnd
        else { return nil }
        var offset = optEnd
        // Bounded by the OPT RDATA: every option takes at least its 4-octet header.
        while offset + 4 <= bytes.count {
            let code = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
            let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            guard offset + 4 + length <= bytes.count else { return nil }
            if code == 10 {
                guard length == 8 || (16...40).contains(length) else { return nil }
                return QueryCookie(optionStart: offset, length: length, rdLengthAt: questionEnd + 9)
            }
            offset += 4 + length
        }
        return nil
    }

    /// Calls `body` with the key of `bytes` on the stack: the transport octet, then the query from
    /// offset 2 with the question name's ASCII letters folded to lower case. With a `cookie`, the
    /// transport octet has its top bit set, the COOKIE option is left out and the OPT RDLENGTH
    /// lowered by its size (see **Cookies** on ``PacketCache``).
    static func withKey<Result>(
        _ bytes: UnsafeBufferPointer<UInt8>, nameEnd: Int, cookie: QueryCookie?, transport: UInt8,
        _ body: (UnsafeBufferPointer<UInt8>) -> Result
    ) -> Result {
        let cutStart = cookie?.optionStart ?? bytes.count
        let cutLength = cookie.map { 4 + $0.length } ?? 0
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count - 1 - cutLength) { key in
            key[0] = cookie == nil ? transport : transport | 0x80
            for index in 2..<cutStart {
                let byte = bytes[index]
                // Length octets (≤ 63) are below "A": folding the whole name needs no label walk.
                key[index - 1] = index >= 12 && index < nameEnd && byte &- 0x41 < 26 ? byte | 0x20 : byte
            }
            for index in (cutStart + cutLength)..<bytes.count { key[index - 1 - cutLength] = bytes[index] }
            if let cookie {
                let rdLength = (Int(bytes[cookie.rdLengthAt]) << 8 | Int(bytes[cookie.rdLengthAt + 1])) - cutLength
                key[cookie.rdLengthAt - 1] = UInt8(truncatingIfNeeded: rdLength >> 8)
                key[cookie.rdLengthAt] = UInt8(truncatingIfNeeded: rdLength)
            }
            return body(UnsafeBufferPointer(key))
        }
    }

    /// A big-endian 32-bit value.
    @inline(__always)
    static func readUInt32(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
            | UInt32(bytes[offset + 3])
    }

    /// Writes a big-endian 32-bit value.
    @inline(__always)
    static func writeUInt32(_ bytes: UnsafeMutableBufferPointer<UInt8>, at offset: Int, _ value: UInt32) {
        bytes[offset] = UInt8(truncatingIfNeeded: value >> 24)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: value >> 16)
        bytes[offset + 2] = UInt8(truncatingIfNeeded: value >> 8)
        bytes[offset + 3] = UInt8(truncatingIfNeeded: value)
    }
}

/// What a replay's filler leaves to the caller's ``PacketCache/CookieWriter``: the query's cookies
/// (pointing into the query, valid during the call) and the length of the server cookie to write at
/// the end of the response; 0 when the response carries no COOKIE.
struct ReplayCookie {
    /// The query's client cookie.
    var client: UnsafeRawBufferPointer
    /// The server cookie the query sent back, possibly empty.
    var received: UnsafeRawBufferPointer
    /// Octets of server cookie at the end of the response.
    var serverCookieLength: Int

    /// A replay without a COOKIE.
    static var none: ReplayCookie {
        ReplayCookie(
            client: UnsafeRawBufferPointer(start: nil, count: 0),
            received: UnsafeRawBufferPointer(start: nil, count: 0), serverCookieLength: 0)
    }
}

/// A well-formed COOKIE option found in a query (RFC 7873 §4).
struct QueryCookie {
    /// Offset of the option's code.
    var optionStart: Int
    /// OPTION-LENGTH: 8 (client cookie only) or 16–40 (with a server cookie of 8–32 octets).
    var length: Int
    /// Offset of the OPT record's RDLENGTH.
    var rdLengthAt: Int
}

/// What the packet cache needs to know of a response it is offered: where its TTLs are and the
/// lowest of them, and whether it ends in a COOKIE option. Nil for a response it must not keep.
struct ResponseShape {
    /// Offsets of every record's TTL field, OPT excluded (its "TTL" holds flags, RFC 6891 §6.1.3).
    var ttlOffsets: [UInt16]
    /// The lowest TTL among them.
    var lowestTTL: UInt32
    /// The OPTION-LENGTH (16–40) of the COOKIE option that ends the message when the last record is
    /// the OPT record and its last option is a COOKIE with a server cookie; 0 otherwise. The server
    /// puts the client's COOKIE there (``ResponseBuilder``), so a replay rewrites those octets.
    var cookieLength: Int

    /// Walks a response whose question ends at `questionEnd`; nil unless it is a complete,
    /// untruncated NOERROR or NXDOMAIN response with one question and at least one record with a TTL.
    init?(parsing bytes: UnsafeBufferPointer<UInt8>, questionEnd: Int) {
        guard bytes.count >= questionEnd, bytes.count <= Int(UInt16.max), questionEnd >= 17 else { return nil }
        let flags = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        let rcode = flags & 0x000F
        // QR set, TC clear; RCODE NOERROR (0) or NXDOMAIN (3). An extended RCODE would sit in OPT,
        // and both of these have zero upper bits there.
        guard flags & 0x8000 != 0, flags & 0x0200 == 0, rcode == 0 || rcode == 3 else { return nil }
        guard bytes[4] == 0, bytes[5] == 1 else { return nil }
        let records =
            (Int(bytes[6]) << 8 | Int(bytes[7])) + (Int(bytes[8]) << 8 | Int(bytes[9]))
            + (Int(bytes[10]) << 8 | Int(bytes[11]))
        var offsets: [UInt16] = []
        offsets.reserveCapacity(records)
        var lowest = UInt32.max
        var cookie = 0
        var offset = questionEnd
        // Bounded by the record counts (at most 65535 × 3) and by the message length: every record
        // takes at least 11 octets.
        for _ in 0..<records {
            guard let afterName = Self.skipName(bytes, from: offset), afterName + 10 <= bytes.count else {
                return nil
            }
            let type = UInt16(bytes[afterName]) << 8 | UInt16(bytes[afterName + 1])
            let length = Int(bytes[afterName + 8]) << 8 | Int(bytes[afterName + 9])
            let end = afterName + 10 + length
            guard end <= bytes.count else { return nil }
            if type != 41 {
                let ttl = PacketKey.readUInt32(bytes, at: afterName + 4)
                // RFC 2181 §8: a TTL with the top bit set is read as zero.
                lowest = min(lowest, ttl & 0x8000_0000 != 0 ? 0 : ttl)
                offsets.append(UInt16(afterName + 4))
                cookie = 0  // only a COOKIE in the last record ends the message
            } else if bytes[afterName + 4] != 0 {
                return nil  // extended RCODE bits: not a plain NOERROR/NXDOMAIN
            } else {
                cookie = Self.lastCookieLength(bytes, options: (afterName + 10)..<end)
            }
            offset = end
        }
        guard offset == bytes.count, lowest != .max else { return nil }
        ttlOffsets = offsets
        lowestTTL = lowest
        cookieLength = cookie
    }

    /// The OPTION-LENGTH of the last option in an OPT RDATA when it is a COOKIE with a server cookie
    /// (16–40, RFC 7873 §4) and ends the RDATA; 0 otherwise.
    private static func lastCookieLength(_ bytes: UnsafeBufferPointer<UInt8>, options: Range<Int>) -> Int {
        var offset = options.lowerBound
        var last = 0
        // Bounded by the RDATA: every option takes at least its 4-octet header.
        while offset + 4 <= options.upperBound {
            let code = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
            let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            offset += 4 + length
            last = code == 10 && (16...40).contains(length) ? length : 0
        }
        return offset == options.upperBound ? last : 0
    }

    /// The offset after an owner name (labels, ending in a root label or a compression pointer).
    private static func skipName(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var offset = start
        // At most 128 labels fit in a 255-octet name.
        for _ in 0..<128 {
            guard offset < bytes.count else { return nil }
            let length = bytes[offset]
            if length == 0 { return offset + 1 }
            if length & 0xC0 == 0xC0 { return offset + 2 <= bytes.count ? offset + 2 : nil }
            guard length <= 63 else { return nil }
            offset += 1 + Int(length)
        }
        return nil
    }
}

/// One shard: entries in a flat array indexed by hash, CLOCK eviction, a direct-mapped doorkeeper.
struct PacketCacheShard {
    /// One stored response.
    struct Entry {
        /// The key, then the response, then the TTL offsets as big-endian pairs: one allocation.
        var storage: [UInt8]
        /// The key's hash, to remove the index entry on eviction.
        var hash: UInt64
        /// When it was stored (seconds since the epoch).
        var stored: Int64
        /// When it stops being served.
        var expiry: Int64
        /// The answer generation it was made under (``PacketCache/answer(_:transport:now:generation:serverCookie:)``).
        var generation: UInt64
        /// Octets of key in ``storage``.
        var keyLength: UInt16
        /// Octets of response in ``storage``.
        var responseLength: UInt16
        /// Bytes accounted for it.
        var bytes: Int32
        /// CLOCK bit: set by a hit, cleared by the hand.
        var visited: Bool
        /// Seconds after ``stored`` from which the next hit is passed through to the RRset cache
        /// (``PacketCache/useInterval``); fits beside the other small fields, so no slot grows.
        var useAfter: UInt16 = PacketCache.useInterval
        /// ``ResponseShape/cookieLength``: the response ends in a COOKIE option of this length, rewritten
        /// per replay; 0 for none.
        var cookieLength: UInt8 = 0
    }

    /// Entry slots, some free.
    var entries: [Entry] = []
    /// Slot by key hash.
    var index: [UInt64: Int32] = [:]
    /// Free slots.
    var free: [Int32] = []
    /// The CLOCK hand.
    var hand = 0
    /// Bytes accounted.
    var bytes = 0
    /// The bound.
    let limit: Int
    /// Hashes of keys offered once: a key is stored when it is offered again while still here.
    var doorkeeper: [UInt64]
    /// Counters.
    var statistics = PacketCache.Statistics()

    /// An empty shard.
    init(limit: Int, doorkeeperSize: Int) {
        self.limit = limit
        doorkeeper = Array(repeating: 0, count: doorkeeperSize)
    }

    /// Bytes accounted per entry beyond its storage: the slot and the index's bucket.
    static let overhead = MemoryLayout<Entry>.stride + 24

    /// The stored response for `key` made the client's: `query`'s ID and spelling of the name
    /// (the key folded it), every TTL lowered by the entry's age, and a stored COOKIE option
    /// rewritten with the query's client cookie (its server cookie is left to the caller).
    /// Removes the entry when expired.
    mutating func answer<Result: Sendable>(
        hash: UInt64, key: UnsafeBufferPointer<UInt8>, query: UnsafeBufferPointer<UInt8>, nameEnd: Int,
        cookie: QueryCookie?, now: Int64, generation: UInt64,
        emit: (Int, (UnsafeMutableBufferPointer<UInt8>) -> ReplayCookie?) -> Result?
    ) -> Result? {
        guard let slot = index[hash] else {
            statistics.misses += 1
            return nil
        }
        let position = Int(slot)
        let matches = entries[position].storage.withUnsafeBufferPointer { stored in
            Int(entries[position].keyLength) == key.count && stored.prefix(key.count).elementsEqual(key)
        }
        guard matches else {
            statistics.misses += 1
            return nil
        }
        guard now < entries[position].expiry, now >= entries[position].stored,
            entries[position].generation == generation
        else {
            remove(position)
            statistics.misses += 1
            return nil
        }
        let age = UInt32(clamping: now - entries[position].stored)
        let keyLength = Int(entries[position].keyLength)
        let responseEnd = keyLength + Int(entries[position].responseLength)
        let cookieLength = Int(entries[position].cookieLength)
        // Equal keys mean the query has a cookie whenever the stored query had one.
        guard cookieLength == 0 || cookie != nil else {
            statistics.misses += 1
            return nil
        }
        // One query per interval goes to the RRset cache; the others keep being replayed meanwhile.
        guard age < UInt32(entries[position].useAfter) else {
            entries[position].useAfter = UInt16(clamping: age + UInt32(PacketCache.useInterval))
            statistics.misses += 1
            return nil
        }
        let result = entries[position].storage.withUnsafeBufferPointer { stored in
            let offsets = UnsafeBufferPointer(rebasing: stored[responseEnd...])
            return emit(responseEnd - keyLength) { out in
                _ = out.initialize(from: stored[keyLength..<responseEnd])
                out[0] = query[0]
                out[1] = query[1]
                for index in 12..<nameEnd { out[index] = query[index] }
                var pair = 0
                while pair + 1 < offsets.count {
                    let at = Int(offsets[pair]) << 8 | Int(offsets[pair + 1])
                    let ttl = PacketKey.readUInt32(UnsafeBufferPointer(out), at: at)
                    PacketKey.writeUInt32(out, at: at, ttl > age ? ttl - age : 0)
                    pair += 2
                }
                guard cookieLength > 0, let cookie else { return ReplayCookie.none }
                // RFC 7873 §5.2.3, §5.2.4: the client cookie echoed, then this client's server
                // cookie, which the caller's writer puts in the octets after it.
                let clientAt = out.count - cookieLength
                let dataStart = cookie.optionStart + 4
                let client = UnsafeRawBufferPointer(
                    UnsafeBufferPointer(rebasing: query[dataStart..<(dataStart + 8)]))
                let received = UnsafeRawBufferPointer(
                    UnsafeBufferPointer(rebasing: query[(dataStart + 8)..<(dataStart + cookie.length)]))
                UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: out[clientAt..<(clientAt + 8)]))
                    .copyMemory(from: client)
                return ReplayCookie(client: client, received: received, serverCookieLength: cookieLength - 8)
            }
        }
        if result == nil {
            statistics.misses += 1
        } else {
            entries[position].visited = true
            statistics.hits += 1
        }
        return result
    }

    /// Stores `response` when the doorkeeper saw `hash` before or an entry of `hash` is stored (a
    /// response passed through to mark the RRset cache's entries used replaces it); otherwise
    /// remembers `hash`.
    mutating func offer(
        hash: UInt64, key: UnsafeBufferPointer<UInt8>, response: [UInt8], ttlOffsets: [UInt16], cookieLength: Int,
        now: Int64, expiry: Int64, generation: UInt64
    ) {
        let door = Int(truncatingIfNeeded: hash >> 32) % doorkeeper.count
        guard doorkeeper[door] == hash || index[hash] != nil else {
            doorkeeper[door] = hash
            statistics.notAdmitted += 1
            return
        }
        var storage: [UInt8] = []
        storage.reserveCapacity(key.count + response.count + ttlOffsets.count * 2)
        storage.append(contentsOf: key)
        storage.append(contentsOf: response)
        for offset in ttlOffsets {
            storage.append(UInt8(truncatingIfNeeded: offset >> 8))
            storage.append(UInt8(truncatingIfNeeded: offset))
        }
        let size = MemoryEstimate.array(storage) + Self.overhead
        guard size <= limit else { return }
        if let existing = index[hash] { remove(Int(existing)) }
        evict(toFit: size)
        let entry = Entry(
            storage: storage, hash: hash, stored: now, expiry: expiry, generation: generation,
            keyLength: UInt16(key.count),
            responseLength: UInt16(response.count), bytes: Int32(size), visited: false,
            cookieLength: UInt8(cookieLength))
        let slot: Int
        if let reused = free.popLast() {
            slot = Int(reused)
            entries[slot] = entry
        } else {
            slot = entries.count
            entries.append(entry)
        }
        index[hash] = Int32(slot)
        bytes += size
        statistics.inserts += 1
        statistics.entries += 1
        statistics.bytes = bytes
    }

    /// Evicts by CLOCK until `size` more bytes fit. The hand passes every slot at most twice
    /// (once clearing bits, once evicting), so the loop is bounded by twice the slot count.
    private mutating func evict(toFit size: Int) {
        var steps = 0
        while bytes + size > limit && !index.isEmpty && steps < 2 * entries.count + 2 {
            if hand >= entries.count { hand = 0 }
            if entries[hand].bytes > 0 {
                if entries[hand].visited {
                    entries[hand].visited = false
                } else {
                    remove(hand)
                    statistics.evictions += 1
                }
            }
            hand += 1
            steps += 1
        }
    }

    /// Frees one slot.
    private mutating func remove(_ position: Int) {
        let entry = entries[position]
        guard entry.bytes > 0 else { return }
        index[entry.hash] = nil
        bytes -= Int(entry.bytes)
        entries[position] = Entry(
            storage: [], hash: 0, stored: 0, expiry: 0, generation: 0, keyLength: 0, responseLength: 0, bytes: 0,
            visited: false)
        free.append(Int32(position))
        statistics.entries -= 1
        statistics.bytes = bytes
    }
}
