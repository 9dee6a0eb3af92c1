// COpenSSL: the libcrypto (OpenSSL 3) declarations that DNSCrypto uses, plus static-inline shims
// for the few things Swift cannot call directly: function-like and compound macros.
// Only DNSCrypto imports this module (ARCHITECTURE.md, "Only DNSCrypto imports COpenSSL").
#ifndef MAMORI_COPENSSL_SHIM_H
#define MAMORI_COPENSSL_SHIM_H

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/param_build.h>
#include <openssl/bn.h>

// EVP_PKEY_PUBLIC_KEY is an OR of two selection macros, which the Swift importer skips.
static inline int COpenSSL_EVP_PKEY_PUBLIC_KEY(void) {
    return EVP_PKEY_PUBLIC_KEY;
}

#endif
