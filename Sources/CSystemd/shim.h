// CSystemd: the parts of libsystemd (sd-daemon(3)) that the daemon uses: readiness and status
// notification (sd_notify), the watchdog (sd_watchdog_enabled), socket activation
// (sd_listen_fds, sd_listen_fds_with_names, sd_is_socket). Only ResolverServer imports this.
#ifndef CSYSTEMD_SHIM_H
#define CSYSTEMD_SHIM_H

#include <systemd/sd-daemon.h>

/// The first file descriptor passed by socket activation (SD_LISTEN_FDS_START is a macro).
static inline int CSystemd_listenFDsStart(void) { return SD_LISTEN_FDS_START; }

#endif
