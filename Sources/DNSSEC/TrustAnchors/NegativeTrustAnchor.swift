// Primary responsibilities: a negative trust anchor (RFC 7646) as a value — the name below which validation
// is switched off, and when that stops — and whether it is in force at a given time.

public import DNSWire

/// A domain whose answers, and those of every name below it, are treated as insecure instead of being
/// validated (RFC 7646 §2), so that an operator can keep a zone with a broken signing setup reachable.
///
/// Expiry is part of the value because RFC 7646 §2 asks that NTAs be temporary and §4 that they be removed
/// once validation succeeds again; `nil` keeps it until an operator removes it (the configuration's NTAs).
public struct NegativeTrustAnchor: Hashable, Sendable {
    /// The name at and below which validation is off (RFC 7646 §2: "a domain name and all names below it").
    public var name: DomainName
    /// When the anchor stops applying, seconds since 1970; `nil` = until removed (RFC 7646 §2, §4).
    public var expiry: Int64?

    /// Creates a negative trust anchor.
    /// - Parameters:
    ///   - name: the domain it covers, with everything below it.
    ///   - expiry: epoch seconds after which it no longer applies, or `nil` for no expiry.
    public init(name: DomainName, expiry: Int64? = nil) {
        self.name = name
        self.expiry = expiry
    }

    /// Whether the anchor applies at `now` (epoch seconds): always without an expiry, else strictly before it
    /// (RFC 7646 §2: an NTA "will expire" and validation resumes).
    public func isActive(at now: Int64) -> Bool {
        guard let expiry else { return true }
        return now < expiry
    }

    /// Whether the anchor covers `name`: the same name or a name below it (RFC 7646 §2).
    public func covers(_ name: DomainName) -> Bool { name.isSubdomain(of: self.name) }
}
