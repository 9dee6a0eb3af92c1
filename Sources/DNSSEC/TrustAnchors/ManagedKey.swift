// Primary responsibilities: one key of an RFC 5011 managed zone with its state and the times that drive the
// state machine (first seen, last change, end of the current hold-down).

public import DNSWire

/// A key tracked for an RFC 5011 managed zone (RFC 5011 §4).
public struct ManagedKey: Hashable, Sendable {
    /// The key as last seen; for a revoked key, with the REVOKE bit set (RFC 5011 §2.1), so its key tag is the
    /// revoked one (RFC 5011 §2.1: the bit changes the tag).
    public var dnskey: DNSKEY
    /// Where the key is in RFC 5011 §4.
    public var state: ManagedKeyState
    /// When the key was first seen in a validated DNSKEY RRset, epoch seconds.
    public var firstSeen: Int64
    /// When the state last changed, epoch seconds.
    public var lastChange: Int64
    /// The end of the running hold-down, epoch seconds: AddPend → Valid after the add hold-down
    /// (RFC 5011 §2.4.1), Revoked → Removed after the remove hold-down (RFC 5011 §2.4.2), Removed → forgotten
    /// once that much longer absent; `nil` in the other states.
    public var holdDownEnd: Int64?

    /// Creates a tracked key.
    public init(dnskey: DNSKEY, state: ManagedKeyState, firstSeen: Int64, lastChange: Int64, holdDownEnd: Int64?) {
        self.dnskey = dnskey
        self.state = state
        self.firstSeen = firstSeen
        self.lastChange = lastChange
        self.holdDownEnd = holdDownEnd
    }

    /// The key tag as stored (with the REVOKE bit when revoked, RFC 5011 §2.1).
    public var keyTag: UInt16 { dnskey.keyTag }

    /// Whether `other` is this key, with or without the REVOKE bit: RFC 5011 §2.1 identifies a revoked key by
    /// its key material, the flag being the only difference.
    public func isSameKey(as other: DNSKEY) -> Bool {
        dnskey.publicKey == other.publicKey && dnskey.algorithm == other.algorithm
            && dnskey.protocol == other.protocol
            && dnskey.flags | DNSKEY.revokeFlag == other.flags | DNSKEY.revokeFlag
    }

    /// Moves to `state` at `now` with a new hold-down end.
    mutating func transition(to state: ManagedKeyState, now: Int64, holdDownEnd: Int64?) {
        self.state = state
        self.lastChange = now
        self.holdDownEnd = holdDownEnd
    }
}
