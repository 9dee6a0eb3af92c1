// Primary responsibilities: report what a cache load kept and what it left out, and why.

/// What loading a dump did.
public struct CacheLoadSummary: Hashable, Sendable {
    /// Entries in the file.
    public var entries = 0
    /// Entries now in the cache.
    public var loaded = 0
    /// Entries skipped because they expired before the load (expiries are absolute).
    public var skippedExpired = 0
    /// Secure entries skipped because an RRSIG they carry expired before the load: the data can no
    /// longer be served as secure (RFC 4034 §3.1.5), and revalidating it would fail.
    public var skippedSignatureExpired = 0
    /// Entries the cache refused (limits, ranks: see ``CacheInsertResult``).
    public var refused = 0

    /// Creates an empty summary.
    public init() {}
}
