// Primary responsibilities: the one error MamoriTLS throws, and the text of libssl's error queue
// that goes into its reason.

import CTLS
package import DNSWire

/// What went wrong with TLS set-up.
package enum TLSErrorCode: Hashable, Sendable {
    /// The certificate chain file cannot be read or holds no certificate.
    case certificate
    /// The private key file cannot be read, or the key does not belong to the certificate.
    case privateKey
    /// A CA bundle, an authentication name or an SPKI pin that cannot be used.
    case verification
    /// libssl refused to make a context or session (a crypto policy, no memory).
    case library
}

/// An error from MamoriTLS; the reason names the file and libssl's own words.
package typealias TLSError = SimpleError<TLSErrorCode>

/// libssl's and libcrypto's queued errors for this thread, as one line, oldest first; the queue is
/// emptied, so a later failure does not report an earlier one's cause.
func drainedLibraryErrors() -> String {
    var parts: [String] = []
    // A bounded drain: the queue holds at most ERR_NUM_ERRORS (16) entries per thread.
    for _ in 0..<16 {
        let code = ERR_get_error()
        if code == 0 { break }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        parts.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    return parts.isEmpty ? "no detail from libssl" : parts.joined(separator: "; ")
}

/// `protocols` as ALPN's wire format (RFC 7301 §3.1): each name after its one-octet length.
func alpnWireFormat(_ protocols: [String]) -> [UInt8] {
    var wire: [UInt8] = []
    for name in protocols {
        wire.append(UInt8(truncatingIfNeeded: name.utf8.count))
        wire += name.utf8
    }
    return wire
}
