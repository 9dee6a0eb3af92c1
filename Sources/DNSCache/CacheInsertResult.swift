// Primary responsibilities: tell the caller what an insertion did, so the resolver can log and
// count refusals and tests can check the RFC 2181 §5.4.1 replacement rule directly.

/// The outcome of putting data into the cache.
public enum CacheInsertResult: Hashable, Sendable {
    /// No entry existed under the key (or only one past its stale window); the data is cached.
    case inserted
    /// An entry existed and the new data took its place: equal or better rank, or the old entry
    /// had expired (RFC 2181 §5.4.1).
    case replaced
    /// A fresh entry of better rank exists; the new data is not cached (RFC 2181 §5.4.1: data
    /// from a less credible source must not replace more credible data still valid).
    case keptExisting
    /// The data is larger than the limits allow (records per RRset, proofs per negative answer,
    /// or more than one shard's memory) and is not cached; counted in ``CacheStatistics``.
    case rejectedTooLarge
    /// The owner already has the maximum number of cached types (architecture §5); not cached, counted.
    case rejectedTooManyTypes

    /// Whether the data is now in the cache.
    public var isCached: Bool { self == .inserted || self == .replaced }
}
