// CMamoriNet: the socket calls Swift cannot reach without _GNU_SOURCE (recvmmsg, sendmmsg,
// struct mmsghdr, struct in_pktinfo / in6_pktinfo, accept4) and the control-message walking
// (CMSG_* macros) that answers a wildcard-bound query from the address it was sent to.
// Primary responsibilities: batch UDP receive and send with local-address metadata, and a few
// small helpers for socket options and privilege dropping. Only ResolverServer and tests use it.
#ifndef CMAMORINET_H
#define CMAMORINET_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

/// Most datagrams handled by one receive or send call (the batch size of architecture.md §3).
#define CMAMORINET_BATCH_MAX 64

/// One datagram's metadata: who sent it (or whom to send to), and the local address it arrived on.
typedef struct {
    /// The peer: source of a query, destination of a response.
    struct sockaddr_storage peer;
    /// The length of `peer`.
    socklen_t peer_length;
    /// 1 when `local4`/`local6` and `interface_index` hold the query's destination (wildcard binds).
    int has_local;
    /// The local IPv4 address (network order) when the family is AF_INET.
    struct in_addr local4;
    /// The local IPv6 address when the family is AF_INET6.
    struct in6_addr local6;
    /// The interface the datagram came in on (needed for IPv6 link-local replies).
    int interface_index;
    /// Bytes received, or bytes to send.
    uint32_t length;
    /// 1 when the datagram was larger than its buffer (MSG_TRUNC) and so was cut.
    int truncated;
} CMamoriNet_Datagram;

/// The recvmmsg headers of one socket's receive slots, set up once: a receive then resets only the
/// lengths the kernel rewrote last time (the headers of a batch of 32 cost more to build than a
/// lone query's answer).
typedef struct CMamoriNet_Receiver CMamoriNet_Receiver;

/// Headers for `count` slots of `slot_size` bytes in `buffers`, with their metadata in
/// `datagrams`; both must outlive the receiver. NULL when out of memory or given nothing.
CMamoriNet_Receiver *CMamoriNet_makeReceiver(uint8_t *buffers, size_t slot_size, CMamoriNet_Datagram *datagrams,
                                             unsigned count);

/// Frees a receiver.
void CMamoriNet_freeReceiver(CMamoriNet_Receiver *receiver);

/// Receives up to the receiver's count of datagrams without blocking. Returns how many were
/// received, 0 when none were waiting, or -1 with errno set.
int CMamoriNet_receive(CMamoriNet_Receiver *receiver, int fd);

/// Sends `count` datagrams, the i-th from `payloads[i]` with `datagrams[i].length` bytes to
/// `datagrams[i].peer`, from the local address in the metadata when `has_local` is 1.
/// A datagram the kernel refuses is skipped. Returns how many were sent.
int CMamoriNet_sendBatch(int fd, const uint8_t *const *payloads, const CMamoriNet_Datagram *datagrams,
                         unsigned count);

/// Waits until `fd` is writable or `nanoseconds` pass (ppoll). Returns 1 when writable, 0 on
/// timeout or interruption, -1 with errno set on error.
int CMamoriNet_waitWritable(int fd, long nanoseconds);

/// A wake-up descriptor (an eventfd, non-blocking, close-on-exec) for a thread waiting in
/// ``CMamoriNet_waitReadableOrWoken``. Returns it, or -1 with errno set.
int CMamoriNet_makeWake(void);

/// Names the calling thread (at most 15 bytes are kept), for top -H and gdb.
void CMamoriNet_nameThread(const char *name);

/// Wakes the thread waiting on `wake`.
void CMamoriNet_wake(int wake);

/// Waits, without a time limit, until `fd` is readable (or has an error to report) or `wake` was
/// woken, and clears the wake-up. Returns 1 when `fd` is ready, 2 when woken, 3 for both, 0 on
/// interruption, -1 with errno set on error.
int CMamoriNet_waitReadableOrWoken(int fd, int wake);

/// Asks the kernel to report each datagram's destination address (IP_PKTINFO or
/// IPV6_RECVPKTINFO by family). Returns 0 or -1 with errno set.
int CMamoriNet_enablePacketInfo(int fd, int family);

/// accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC. Returns the new descriptor or -1 with errno set.
int CMamoriNet_accept(int fd, struct sockaddr_storage *peer, socklen_t *peer_length);

/// Drops root: clears supplementary groups, then setgid, then setuid, then checks that root
/// cannot be regained. Returns 0, or -1 with errno set (the step that failed is not undone).
int CMamoriNet_dropPrivileges(uid_t uid, gid_t gid);

#endif
