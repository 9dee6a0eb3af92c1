// CSystemd: the parts of libsystemd (sd-daemon(3)) that the daemon uses: readiness and status
// notification (sd_notify), the watchdog (sd_watchdog_enabled), socket activation
// (sd_listen_fds, sd_listen_fds_with_names, sd_is_socket), and native journal entries with their
// own fields (sd_journal_sendv, sd-journal(3)) for the log handler.
#ifndef CSYSTEMD_SHIM_H
#define CSYSTEMD_SHIM_H

#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

/// The first file descriptor passed by socket activation (SD_LISTEN_FDS_START is a macro).
static inline int CSystemd_listenFDsStart(void) { return SD_LISTEN_FDS_START; }

#endif
