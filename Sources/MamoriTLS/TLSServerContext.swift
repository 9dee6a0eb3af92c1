// Primary responsibilities: a server's TLS configuration as libssl holds it — the certificate chain
// and key from files, TLS 1.2 and 1.3 only, ALPN chosen from the server's list, session resumption
// by tickets whose keys survive a certificate reload — shared by every connection of a listener.

import CTLS
internal import DNSWire

/// A server-side TLS context (an `SSL_CTX`), made once per certificate and key and shared by every
/// connection that starts while it is current; a reload makes a new one and connections already
/// open keep theirs.
///
/// `@unchecked Sendable` invariant: the context is configured in `init` and only read afterwards;
/// libssl allows `SSL_new` on one context from many threads.
package final class TLSServerContext: @unchecked Sendable {
    /// The libssl context, owned.
    let context: OpaquePointer
    /// The ALPN protocols in wire format (length-prefixed, then a zero byte), owned: the selection
    /// callback reads it for the context's lifetime.
    private let protocols: UnsafeMutableBufferPointer<UInt8>
    /// The certificate and key files, for messages.
    package let certificateFile: String
    /// The private key file.
    package let keyFile: String

    /// Loads `certificateFile` (PEM, the server's certificate first, then its chain) and `keyFile`
    /// (PEM) and checks that they belong together.
    /// - Parameters:
    ///   - alpn: the application protocols this server speaks, preferred first (RFC 7301): `dot`
    ///     for DNS over TLS (RFC 7858 §3.2 as registered), `h2` for DNS over HTTPS. A client that
    ///     offers ALPN but none of these is refused; one that offers none is served.
    ///   - ticketKeysFrom: a context whose session-ticket keys to keep, so that clients resume
    ///     across a certificate reload; without it the keys are fresh random ones.
    /// - Throws: ``TLSError`` naming the file and libssl's reason.
    package init(
        certificateFile: String, keyFile: String, alpn: [String], ticketKeysFrom previous: TLSServerContext? = nil
    ) throws(TLSError) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        let wire = alpnWireFormat(alpn) + [0]
        protocols = .allocate(capacity: wire.count)
        _ = protocols.initialize(from: wire)
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_server_method()) else {
            protocols.deallocate()
            throw TLSError(.library, "cannot create a TLS context: \(drainedLibraryErrors())")
        }
        // Every stored property is set from here on: a throw runs deinit, which frees both.
        self.context = context
        // RFC 8310 §5 and RFC 9325 §3.1.1: no protocol older than TLS 1.2.
        _ = CTLS_set_min_proto_version(context, TLS1_2_VERSION)
        _ = SSL_CTX_set_options(context, CTLS_server_options())
        // Partial writes fit the stream transport's "write a prefix" contract; idle connections
        // give their read and write buffers back (about 34 KiB each).
        _ = CTLS_set_mode(
            context,
            Int(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS))
        CTLS_set_read_ahead(context)
        _ = CTLS_set_session_cache_mode(context, Int(SSL_SESS_CACHE_SERVER))
        let sessionContext: [UInt8] = Array("mamori".utf8)
        _ = SSL_CTX_set_session_id_context(context, sessionContext, UInt32(sessionContext.count))
        guard SSL_CTX_use_certificate_chain_file(context, certificateFile) == 1 else {
            let reason = drainedLibraryErrors()
            throw TLSError(.certificate, "\(certificateFile): cannot load the certificate chain: \(reason)")
        }
        guard SSL_CTX_use_PrivateKey_file(context, keyFile, SSL_FILETYPE_PEM) == 1 else {
            let reason = drainedLibraryErrors()
            throw TLSError(.privateKey, "\(keyFile): cannot load the private key: \(reason)")
        }
        guard SSL_CTX_check_private_key(context) == 1 else {
            let reason = drainedLibraryErrors()
            throw TLSError(
                .privateKey,
                "\(keyFile): the private key does not belong to the certificate in \(certificateFile): \(reason)")
        }
        if !alpn.isEmpty { CTLS_set_alpn_select(context, protocols.baseAddress) }
        if let previous {
            var keys = previous.ticketKeys
            _ = CTLS_set_ticket_keys(context, &keys, keys.count)
        }
    }

    deinit {
        SSL_CTX_free(context)
        protocols.deallocate()
    }

    /// Length of libssl's session-ticket key block (name, HMAC secret, AES key).
    private static let ticketKeyLength = 80

    /// The session-ticket keys, to hand to the next context.
    private var ticketKeys: [UInt8] {
        var keys = [UInt8](repeating: 0, count: Self.ticketKeyLength)
        _ = CTLS_get_ticket_keys(context, &keys, keys.count)
        return keys
    }

    /// Most subjectAltName DNS entries read from the certificate (a certificate names a few).
    private static let maxCertificateNames = 100

    /// The DNS names in the certificate's subjectAltName, in order: the names clients may check it
    /// against (RFC 6125), such as the designated resolver's name for discovery (RFC 9462 §4.2).
    package var certificateNames: [String] {
        guard let certificate = SSL_CTX_get0_certificate(context) else { return [] }
        var names: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        for index in 0..<Int32(Self.maxCertificateNames) {
            let length = CTLS_certificate_dns_name(certificate, index, &buffer, Int32(buffer.count))
            guard length >= 0 else { break }
            names.append(String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return names
    }

    /// The certificate's subject and expiry, for the log line at start and reload.
    package var certificateSummary: String {
        guard let certificate = SSL_CTX_get0_certificate(context) else { return "no certificate" }
        var subject = [CChar](repeating: 0, count: 256)
        X509_NAME_oneline(X509_get_subject_name(certificate), &subject, Int32(subject.count))
        let name = String(decoding: subject.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var expiry = "unknown"
        if let notAfter = X509_get0_notAfter(certificate), let bio = BIO_new(BIO_s_mem()) {
            if ASN1_TIME_print(bio, notAfter) == 1 {
                var text = [CChar](repeating: 0, count: 64)
                let count = BIO_read(bio, &text, Int32(text.count - 1))
                if count > 0 {
                    expiry = String(decoding: text.prefix(Int(count)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
                }
            }
            BIO_free(bio)
        }
        return "\(name), valid until \(expiry)"
    }
}
