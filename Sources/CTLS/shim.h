// CTLS: the libssl (OpenSSL 3) declarations that MamoriTLS uses, plus static-inline shims for the
// function-like macros Swift cannot call. Only MamoriTLS imports this module, as only DNSCrypto
// imports COpenSSL (ARCHITECTURE.md, "TLS beside libcrypto").
#ifndef MAMORI_CTLS_SHIM_H
#define MAMORI_CTLS_SHIM_H

#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static inline int CTLS_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}

/// A server's options: no TLS 1.2 renegotiation (a client could make the server redo the costly
/// part at will), the server's cipher order, and a peer that vanishes without close_notify read as
/// a plain end of stream. The SSL_OP_ bits are macros Swift does not import.
static inline uint64_t CTLS_server_options(void) {
    return SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_IGNORE_UNEXPECTED_EOF;
}

static inline long CTLS_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}

/// Lets libssl read as much as the socket holds in one read(2), not a record header and then its body:
/// two system calls per record become one for a burst of records.
static inline void CTLS_set_read_ahead(SSL_CTX *ctx) {
    SSL_CTX_set_read_ahead(ctx, 1);
}

static inline long CTLS_set_session_cache_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_session_cache_mode(ctx, mode);
}

/// Copies the context's session-ticket keys (80 bytes in OpenSSL 3) into `keys`.
static inline long CTLS_get_ticket_keys(SSL_CTX *ctx, unsigned char *keys, long length) {
    return SSL_CTX_get_tlsext_ticket_keys(ctx, keys, length);
}

/// Sets the context's session-ticket keys from `keys` (80 bytes in OpenSSL 3).
static inline long CTLS_set_ticket_keys(SSL_CTX *ctx, unsigned char *keys, long length) {
    return SSL_CTX_set_tlsext_ticket_keys(ctx, keys, length);
}

/// Sets the Server Name Indication a client sends.
static inline long CTLS_set_host_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}

/// The server's ALPN choice: the first of the server's protocols (wire format in `arg`, a
/// length-prefixed list ending with a zero byte) that the client offers; none is a fatal
/// no_application_protocol alert (RFC 7301 §3.2).
static int CTLS_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
                            unsigned int inlen, void *arg) {
    (void)ssl;
    const unsigned char *server = (const unsigned char *)arg;
    for (const unsigned char *p = server; *p != 0; p += 1 + *p) {
        for (unsigned int i = 0; i < inlen; i += 1u + in[i]) {
            if (in[i] == *p && i + 1u + in[i] <= inlen && memcmp(in + i + 1, p + 1, *p) == 0) {
                *out = in + i + 1;
                *outlen = in[i];
                return SSL_TLSEXT_ERR_OK;
            }
        }
    }
    return SSL_TLSEXT_ERR_ALERT_FATAL;
}

/// Installs ``CTLS_alpn_select`` with the server's protocol list (owned by the caller, alive as long
/// as the context).
static inline void CTLS_set_alpn_select(SSL_CTX *ctx, const unsigned char *protocols) {
    SSL_CTX_set_alpn_select_cb(ctx, CTLS_alpn_select, (void *)protocols);
}

/// Connects `ssl` to socket `fd` with a write buffer of `size` bytes between them: records collect there
/// until ``CTLS_flush``, so a burst of records leaves in one write(2). Reads go straight to the socket.
/// Returns 1, or 0 when a BIO cannot be made.
static inline int CTLS_set_buffered_fd(SSL *ssl, int fd, int size) {
    BIO *reading = BIO_new_socket(fd, BIO_NOCLOSE);
    BIO *writing = BIO_new_socket(fd, BIO_NOCLOSE);
    BIO *buffer = BIO_new(BIO_f_buffer());
    if (reading == NULL || writing == NULL || buffer == NULL) {
        BIO_free(reading);
        BIO_free(writing);
        BIO_free(buffer);
        return 0;
    }
    (void)BIO_set_write_buffer_size(buffer, size);
    BIO_push(buffer, writing);
    SSL_set_bio(ssl, reading, buffer);
    return 1;
}

/// Writes what the write buffer holds: 1 when it is empty, 0 when the socket takes no more now
/// (again when it is writable), -1 when the connection broke.
static inline int CTLS_flush(SSL *ssl) {
    BIO *writing = SSL_get_wbio(ssl);
    if (writing == NULL || BIO_wpending(writing) == 0) return 1;
    if (BIO_flush(writing) > 0) return 1;
    return BIO_should_retry(writing) ? 0 : -1;
}

/// Copies the `index`th DNS name of the certificate's subjectAltName into `out` (NUL-terminated);
/// returns its length, or -1 when there is no such entry (or it does not fit, or holds a NUL).
/// GENERAL_NAME stacks are reached through macros Swift does not import.
static inline int CTLS_certificate_dns_name(X509 *certificate, int index, char *out, int length) {
    GENERAL_NAMES *names = X509_get_ext_d2i(certificate, NID_subject_alt_name, NULL, NULL);
    if (names == NULL) return -1;
    int result = -1, seen = 0;
    for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *name = sk_GENERAL_NAME_value(names, i);
        if (name->type != GEN_DNS) continue;
        if (seen++ != index) continue;
        const unsigned char *data = ASN1_STRING_get0_data(name->d.dNSName);
        int size = ASN1_STRING_length(name->d.dNSName);
        if (size >= 0 && size < length && memchr(data, 0, (size_t)size) == NULL) {
            memcpy(out, data, (size_t)size);
            out[size] = 0;
            result = size;
        }
        break;
    }
    GENERAL_NAMES_free(names);
    return result;
}

#endif
