// CNGHTTP2: Debian's libnghttp2 (the HTTP/2 framing Unbound's DoH uses too), imported only by
// MamoriHTTP2. Nothing here but the header: nghttp2's API is plain functions and structs.
#ifndef MAMORI_CNGHTTP2_SHIM_H
#define MAMORI_CNGHTTP2_SHIM_H

#include <nghttp2/nghttp2.h>

#endif
