// CFstrm: Debian's libfstrm (Frame Streams, the transport of dnstap that Unbound, Knot and BIND
// use), imported only by Dnstap. Nothing here but the header: its API is plain functions.
#ifndef MAMORI_CFSTRM_SHIM_H
#define MAMORI_CFSTRM_SHIM_H

#include <fstrm.h>

#endif
