// Primary responsibilities: the stored form of one cache entry of any kind, and the links that
// thread it into its name's chain and into its shard's eviction list.

import DNSSEC
import DNSWire

/// One entry as a shard stores it, in a flat array of slots addressed by 32-bit indices.
///
/// The data is kept typed (the decoded ``RData`` values and ``RRSIG``s) rather than as wire bytes:
/// a hit then hands the caller an ``RRSet`` that shares these arrays — a retain, no allocation —
/// and the resolver needs the typed form anyway. Expiry is absolute (``CacheTime`` seconds).
///
/// Links are indices, not references, so a slot has no per-entry object header and the lists
/// cost 12 bytes per entry. `-1` means "none".
struct CacheSlot {
    /// The owner name (or zone, for keys and DS). Shared with every other slot of the same name
    /// and with the shard's index key, so a name's bytes are stored once.
    var name: DomainName
    /// The records (RRset, keys, DS), empty for other kinds.
    var rdatas: [RData]
    /// The RRSIGs covering ``rdatas``.
    var signatures: [RRSIG]
    /// For negative entries the SOA RRset first (when present) then the NSEC/NSEC3 proof RRsets;
    /// for a no-DS result its proof RRsets.
    var extra: [RRSet]
    /// Why the data is not secure, when the validator said, or why the resolution failed, for a
    /// remembered failure. Boxed: most entries have none, and inline the optional would cost every
    /// slot 40 bytes instead of 8 (slot stride 112 → 80; measured 308 → 273 bytes per cached A RRset).
    var reasonBox: ReasonBox?
    /// When the entry stops being fresh, in seconds since the epoch.
    var expiry: Int64
    /// The TTL the entry was stored with after clamping (for prefetch decisions and dumps).
    var ttl: UInt32
    /// Heap bytes this entry owns (``MemoryEstimate``), name excluded.
    var bytes: UInt32
    /// Newer neighbour in the eviction list (towards the head), or -1.
    var newer: Int32
    /// Older neighbour in the eviction list (towards the tail), or -1; the free list's link for free slots.
    var older: Int32
    /// Next slot with the same owner name, or -1.
    var nextSameName: Int32
    /// The type: the RRset's, the NODATA's or bogus result's queried type; DNSKEY for keys, DS for
    /// DS results; 0 for NXDOMAIN.
    var type: RRType
    /// The class.
    var rrClass: RRClass
    /// What the entry stands for; `nil` marks a free slot.
    var kind: CacheEntryKind?
    /// The RFC 2181 §5.4.1 rank of the data's source.
    var rank: TrustRank
    /// The DNSSEC verdict.
    var status: SecurityStatus
    /// SIEVE/CLOCK "visited" bit: set on a hit, cleared by the sweeping hand.
    var visited: Bool

    /// An empty slot, holding nothing on the heap.
    static let free = CacheSlot(
        name: .root, rdatas: [], signatures: [], extra: [], reasonBox: nil, expiry: 0, ttl: 0, bytes: 0,
        newer: -1, older: -1, nextSameName: -1, type: RRType(0), rrClass: .in, kind: nil,
        rank: .additional, status: .unchecked, visited: false)

    /// Why the data is not secure, when the validator said.
    var reason: ValidationReason? {
        guard case .validation(let reason)? = reasonBox?.content else { return nil }
        return reason
    }

    /// Why resolving the question failed, for a remembered failure.
    var failure: ResolutionFailure? {
        guard case .failure(let failure)? = reasonBox?.content else { return nil }
        return failure
    }

    /// A reason on the heap, shared by reference: a validation reason (a judged entry) or a
    /// resolution failure (a failure entry), never both.
    final class ReasonBox: Sendable {
        /// What the box holds.
        enum Content {
            /// Why the entry's data is bogus or insecure.
            case validation(ValidationReason)
            /// Why resolving the entry's question failed.
            case failure(ResolutionFailure)
        }

        /// The reason.
        let content: Content

        /// Boxes a reason.
        init(_ content: Content) { self.content = content }
    }

    /// Whether the slot still answers as fresh at `now`.
    @inline(__always)
    func isFresh(at now: Int64) -> Bool { now < expiry }
}
