// Primary responsibilities: the client side of TLS towards a forwarder (RFC 7858 §4.2, RFC 8310
// strict profile) — trusted CAs, the authentication name checked against the certificate, and an
// optional SPKI pin — and the check of a finished handshake against them.

import CTLS
internal import DNSWire

/// How a TLS client authenticates a server: by name through the CA bundle, by an SPKI pin, or both
/// (then both must hold). One of the two is required: RFC 8310's strict profile never falls back
/// to an unauthenticated connection.
package struct TLSAuthentication: Hashable, Sendable {
    /// The name the certificate must carry (subjectAltName DNS or IP), also sent as SNI.
    package var name: String?
    /// SHA-256 digests of the server's SubjectPublicKeyInfo (RFC 7858 §4.2, RFC 7469 §2.4), any of
    /// which may match.
    package var pins: [[UInt8]]

    /// Creates an authentication rule.
    package init(name: String?, pins: [[UInt8]] = []) {
        self.name = name
        self.pins = pins
    }
}

/// A client-side TLS context (an `SSL_CTX`): TLS 1.2 and later, the CA bundle, the ALPN offer.
///
/// `@unchecked Sendable` invariant: configured in `init`, only read afterwards.
package final class TLSClientContext: @unchecked Sendable {
    /// The libssl context, owned.
    let context: OpaquePointer

    /// Creates a context trusting the certificates in `caFile` (PEM), or the system's default
    /// bundle when nil, and offering `alpn` (RFC 7301).
    /// - Throws: ``TLSError`` when the bundle cannot be loaded.
    package init(caFile: String? = nil, alpn: [String] = ["dot"]) throws(TLSError) {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw TLSError(.library, "cannot create a TLS context: \(drainedLibraryErrors())")
        }
        self.context = context
        _ = CTLS_set_min_proto_version(context, TLS1_2_VERSION)
        _ = CTLS_set_mode(
            context,
            Int(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS))
        let loaded =
            if let caFile { SSL_CTX_load_verify_locations(context, caFile, nil) } else {
                SSL_CTX_set_default_verify_paths(context)
            }
        guard loaded == 1 else {
            let reason = drainedLibraryErrors()  // deinit frees the context
            throw TLSError(.verification, "\(caFile ?? "the system CA bundle"): cannot load: \(reason)")
        }
        let wire = alpnWireFormat(alpn)
        if !wire.isEmpty { _ = SSL_CTX_set_alpn_protos(context, wire, UInt32(wire.count)) }
    }

    deinit { SSL_CTX_free(context) }
}

extension TLSSession {
    /// Starts the client side of a connection on `descriptor` to a server authenticated by
    /// `authentication`: with a name, the certificate must chain to the CA bundle and carry it.
    /// - Throws: ``TLSError`` when libssl cannot make the connection or take the name.
    package convenience init(
        connecting descriptor: Int32, context: TLSClientContext, authentication: TLSAuthentication
    ) throws(TLSError) {
        try self.init(descriptor: descriptor, context: context.context)
        SSL_set_connect_state(connection)
        if let name = authentication.name {
            if !name.contains(":") && name.contains(where: \.isLetter) { _ = CTLS_set_host_name(connection, name) }
            guard SSL_set1_host(connection, name) == 1 else {
                throw TLSError(.verification, "cannot check certificates for the name \(name)")
            }
            SSL_set_verify(connection, SSL_VERIFY_PEER, nil)
        } else {
            SSL_set_verify(connection, SSL_VERIFY_NONE, nil)
        }
    }

    /// After the handshake of a client session: nil when the server is who `authentication` says
    /// (the chain and name were checked during the handshake; the pin is checked here), else why not.
    package func authenticationFailure(_ authentication: TLSAuthentication) -> String? {
        if authentication.name != nil, let refused = verificationFailure {
            return "certificate not accepted: \(refused)"
        }
        guard !authentication.pins.isEmpty else { return nil }
        guard let digest = peerPublicKeyDigest else { return "the server sent no certificate" }
        return authentication.pins.contains(digest) ? nil : "the server's public key matches no configured pin"
    }

    /// Why the server's certificate chain or name was refused, when a client's handshake failed
    /// for that: libssl then reports only "certificate verify failed"; this says what did not hold
    /// (e.g. "hostname mismatch"). Nil when nothing was refused.
    package var verificationFailure: String? {
        let result = SSL_get_verify_result(connection)
        return result == X509_V_OK ? nil : String(cString: X509_verify_cert_error_string(result))
    }

    /// SHA-256 of the peer certificate's SubjectPublicKeyInfo (RFC 7469 §2.4), if it sent one.
    package var peerPublicKeyDigest: [UInt8]? {
        guard let certificate = SSL_get1_peer_certificate(connection) else { return nil }
        defer { X509_free(certificate) }
        guard let key = X509_get0_pubkey(certificate) else { return nil }
        var encoded: UnsafeMutablePointer<UInt8>?
        let length = i2d_PUBKEY(key, &encoded)
        guard length > 0, let encoded else { return nil }
        defer { CRYPTO_free(encoded, #file, #line) }
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var size: UInt32 = 0
        guard EVP_Digest(encoded, Int(length), &digest, &size, EVP_sha256(), nil) == 1 else { return nil }
        return Array(digest.prefix(Int(size)))
    }
}

/// A session a client may resume on its next connection to the same server (RFC 8446 §2.2, RFC
/// 5077): the reconnect then costs no full handshake.
///
/// `@unchecked Sendable` invariant: an `SSL_SESSION` is immutable once the handshake that made it
/// is over, and libssl counts its references atomically.
package final class TLSResumption: @unchecked Sendable {
    /// The libssl session, one reference owned.
    let session: OpaquePointer

    /// Takes one reference to `session`.
    init(session: OpaquePointer) { self.session = session }

    deinit { SSL_SESSION_free(session) }
}

extension TLSSession {
    /// The session to offer on the next connection, once the server sent one (with TLS 1.3, after
    /// the handshake, with the first data read).
    package var resumption: TLSResumption? {
        guard let session = SSL_get1_session(connection) else { return nil }
        guard SSL_SESSION_is_resumable(session) == 1 else {
            SSL_SESSION_free(session)
            return nil
        }
        return TLSResumption(session: session)
    }

    /// Offers `resumption` in the handshake still to come.
    package func resume(_ resumption: TLSResumption) {
        _ = SSL_set_session(connection, resumption.session)
    }
}
