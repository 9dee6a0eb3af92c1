// Primary responsibilities: when an RFC 5011 managed zone's DNSKEY RRset is next fetched — the active refresh
// interval after a success and the retry interval after a failure (RFC 5011 §2.3).

/// The timing rules of RFC 5011 §2.3, as pure functions of the last DNSKEY RRset's original TTL and the time
/// left until its signature expires.
public enum RefreshSchedule {
    /// One hour: no refresh or retry more often (RFC 5011 §2.3).
    public static let minimumInterval: Int64 = 3600
    /// Fifteen days: the longest refresh interval (RFC 5011 §2.3).
    public static let maximumQueryInterval: Int64 = 15 * 86400
    /// One day: the longest retry interval (RFC 5011 §2.3).
    public static let maximumRetryInterval: Int64 = 86400

    /// The refresh interval after a successful refresh (RFC 5011 §2.3):
    /// `MAX(1 hr, MIN(15 days, ½·OrigTTL, ½·RRSigExpirationInterval))`.
    ///
    /// - Parameters:
    ///   - originalTTL: the Original TTL of the RRSIG that validated the DNSKEY RRset (RFC 4034 §3.1.4).
    ///   - expirationInterval: seconds from the fetch to that RRSIG's expiration.
    public static func queryInterval(originalTTL: UInt32, expirationInterval: Int64) -> Int64 {
        max(minimumInterval, min(maximumQueryInterval, Int64(originalTTL) / 2, max(0, expirationInterval) / 2))
    }

    /// The retry interval after a failed refresh (RFC 5011 §2.3):
    /// `MAX(1 hour, MIN(1 day, .1·OrigTTL, .1·expireInterval))`; a term not known yet (no refresh has succeeded)
    /// is left out of the MIN.
    ///
    /// - Parameters:
    ///   - originalTTL: the Original TTL of the last validated DNSKEY RRset's RRSIG, if any.
    ///   - expirationInterval: seconds from now to that RRSIG's expiration, if known.
    public static func retryInterval(originalTTL: UInt32?, expirationInterval: Int64?) -> Int64 {
        var interval = maximumRetryInterval
        if let originalTTL { interval = min(interval, Int64(originalTTL) / 10) }
        if let expirationInterval { interval = min(interval, max(0, expirationInterval) / 10) }
        return max(minimumInterval, interval)
    }
}
