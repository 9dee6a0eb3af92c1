// Primary responsibilities: whether a scripted response carries an OPT record, and with what
// payload size and DO bit.

/// The EDNS part of a ``ScriptedResponse``.
package enum ReplyEDNS: Hashable, Sendable {
    /// An OPT record exactly when the query had one (RFC 6891 §7), DO copied from the query
    /// (RFC 3225 §3), unless the response sets DO itself.
    case mirror
    /// Always an OPT record.
    case present
    /// Never an OPT record.
    case absent
}
