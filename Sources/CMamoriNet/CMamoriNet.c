// CMamoriNet: batch UDP I/O with packet-info control messages, accept4 and privilege dropping.
// Compiled with _GNU_SOURCE (set in Package.swift), which glibc needs for every call here.
#include "CMamoriNet.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <time.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/// Room for one control message carrying the larger of the two packet-info structures.
#define CONTROL_SIZE (CMSG_SPACE(sizeof(struct in6_pktinfo)) > CMSG_SPACE(sizeof(struct in_pktinfo)) \
                          ? CMSG_SPACE(sizeof(struct in6_pktinfo)) : CMSG_SPACE(sizeof(struct in_pktinfo)))

/// An aligned control buffer for one message.
typedef union {
    char bytes[CONTROL_SIZE];
    struct cmsghdr align;
} control_buffer;

/// The metadata of datagram `i` of a recvmmsg: lengths, truncation, and the destination address
/// from its packet-info control message.
static void readMetadata(CMamoriNet_Datagram *datagram, struct mmsghdr *message) {
    struct msghdr *header = &message->msg_hdr;
    datagram->peer_length = header->msg_namelen;
    datagram->length = message->msg_len;
    datagram->truncated = (header->msg_flags & MSG_TRUNC) ? 1 : 0;
    datagram->has_local = 0;
    datagram->interface_index = 0;
    for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(header); cmsg != NULL; cmsg = CMSG_NXTHDR(header, cmsg)) {
        if (cmsg->cmsg_level == IPPROTO_IP && cmsg->cmsg_type == IP_PKTINFO) {
            struct in_pktinfo info;
            memcpy(&info, CMSG_DATA(cmsg), sizeof(info));
            datagram->local4 = info.ipi_addr;
            datagram->interface_index = info.ipi_ifindex;
            datagram->has_local = 1;
        } else if (cmsg->cmsg_level == IPPROTO_IPV6 && cmsg->cmsg_type == IPV6_PKTINFO) {
            struct in6_pktinfo info;
            memcpy(&info, CMSG_DATA(cmsg), sizeof(info));
            datagram->local6 = info.ipi6_addr;
            datagram->interface_index = (int)info.ipi6_ifindex;
            datagram->has_local = 1;
        }
    }
}

struct CMamoriNet_Receiver {
    unsigned count;
    /// Headers the last receive handed to the kernel's writes: only those need resetting.
    unsigned used;
    CMamoriNet_Datagram *datagrams;
    struct mmsghdr messages[CMAMORINET_BATCH_MAX];
    struct iovec vectors[CMAMORINET_BATCH_MAX];
    control_buffer controls[CMAMORINET_BATCH_MAX];
};

CMamoriNet_Receiver *CMamoriNet_makeReceiver(uint8_t *buffers, size_t slot_size, CMamoriNet_Datagram *datagrams,
                                             unsigned count) {
    if (count > CMAMORINET_BATCH_MAX) count = CMAMORINET_BATCH_MAX;
    if (count == 0 || buffers == NULL || datagrams == NULL) return NULL;
    CMamoriNet_Receiver *receiver = calloc(1, sizeof(CMamoriNet_Receiver));
    if (receiver == NULL) return NULL;
    receiver->count = count;
    receiver->used = count;
    receiver->datagrams = datagrams;
    for (unsigned i = 0; i < count; i++) {
        receiver->vectors[i].iov_base = buffers + (size_t)i * slot_size;
        receiver->vectors[i].iov_len = slot_size;
        struct msghdr *header = &receiver->messages[i].msg_hdr;
        header->msg_name = &datagrams[i].peer;
        header->msg_iov = &receiver->vectors[i];
        header->msg_iovlen = 1;
        header->msg_control = receiver->controls[i].bytes;
    }
    return receiver;
}

void CMamoriNet_freeReceiver(CMamoriNet_Receiver *receiver) { free(receiver); }

int CMamoriNet_receive(CMamoriNet_Receiver *receiver, int fd) {
    // The kernel rewrote the lengths of the headers it filled last time; the rest are as set.
    for (unsigned i = 0; i < receiver->used; i++) {
        receiver->messages[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_storage);
        receiver->messages[i].msg_hdr.msg_controllen = sizeof(receiver->controls[i].bytes);
    }
    receiver->used = 0;
    int received;
    do {
        received = recvmmsg(fd, receiver->messages, receiver->count, MSG_DONTWAIT, NULL);
    } while (received < 0 && errno == EINTR);
    if (received < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
        return -1;
    }
    receiver->used = (unsigned)received;
    for (int i = 0; i < received; i++) readMetadata(&receiver->datagrams[i], &receiver->messages[i]);
    return received;
}

int CMamoriNet_sendBatch(int fd, const uint8_t *const *payloads, const CMamoriNet_Datagram *datagrams,
                         unsigned count) {
    if (count > CMAMORINET_BATCH_MAX) count = CMAMORINET_BATCH_MAX;
    if (count == 0 || payloads == NULL || datagrams == NULL) return 0;
    struct mmsghdr messages[CMAMORINET_BATCH_MAX];
    struct iovec vectors[CMAMORINET_BATCH_MAX];
    control_buffer controls[CMAMORINET_BATCH_MAX];
    memset(messages, 0, sizeof(struct mmsghdr) * count);
    memset(controls, 0, sizeof(control_buffer) * count);
    for (unsigned i = 0; i < count; i++) {
        const CMamoriNet_Datagram *datagram = &datagrams[i];
        vectors[i].iov_base = (void *)payloads[i];
        vectors[i].iov_len = datagram->length;
        struct msghdr *header = &messages[i].msg_hdr;
        header->msg_name = (void *)&datagram->peer;
        header->msg_namelen = datagram->peer_length;
        header->msg_iov = &vectors[i];
        header->msg_iovlen = 1;
        if (!datagram->has_local) continue;
        header->msg_control = controls[i].bytes;
        if (datagram->peer.ss_family == AF_INET) {
            header->msg_controllen = CMSG_SPACE(sizeof(struct in_pktinfo));
            struct cmsghdr *cmsg = CMSG_FIRSTHDR(header);
            cmsg->cmsg_level = IPPROTO_IP;
            cmsg->cmsg_type = IP_PKTINFO;
            cmsg->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
            struct in_pktinfo info;
            memset(&info, 0, sizeof(info));
            info.ipi_spec_dst = datagram->local4;
            memcpy(CMSG_DATA(cmsg), &info, sizeof(info));
        } else {
            header->msg_controllen = CMSG_SPACE(sizeof(struct in6_pktinfo));
            struct cmsghdr *cmsg = CMSG_FIRSTHDR(header);
            cmsg->cmsg_level = IPPROTO_IPV6;
            cmsg->cmsg_type = IPV6_PKTINFO;
            cmsg->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
            struct in6_pktinfo info;
            memset(&info, 0, sizeof(info));
            info.ipi6_addr = datagram->local6;
            info.ipi6_ifindex = (unsigned)datagram->interface_index;
            memcpy(CMSG_DATA(cmsg), &info, sizeof(info));
        }
    }
    unsigned done = 0;
    int sent_total = 0;
    while (done < count) {
        int sent = sendmmsg(fd, messages + done, count - done, MSG_DONTWAIT);
        if (sent < 0) {
            if (errno == EINTR) continue;
            // The first remaining datagram was refused (full buffer, unreachable peer): skip it.
            done += 1;
            continue;
        }
        if (sent == 0) break;
        done += (unsigned)sent;
        sent_total += sent;
    }
    return sent_total;
}

int CMamoriNet_enablePacketInfo(int fd, int family) {
    int on = 1;
    if (family == AF_INET6) return setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on));
    return setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
}

int CMamoriNet_accept(int fd, struct sockaddr_storage *peer, socklen_t *peer_length) {
    *peer_length = sizeof(struct sockaddr_storage);
    int client;
    do {
        client = accept4(fd, (struct sockaddr *)peer, peer_length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    } while (client < 0 && errno == EINTR);
    return client;
}

int CMamoriNet_dropPrivileges(uid_t uid, gid_t gid) {
    if (setgroups(1, &gid) != 0) return -1;
    if (setgid(gid) != 0) return -1;
    if (setuid(uid) != 0) return -1;
    if (uid != 0 && setuid(0) == 0) {
        errno = EPERM;
        return -1;
    }
    return 0;
}

/// ppoll for one event on one descriptor.
static int waitFor(int fd, short events, long nanoseconds) {
    struct pollfd watched = {.fd = fd, .events = events};
    struct timespec timeout = {.tv_sec = nanoseconds / 1000000000L, .tv_nsec = nanoseconds % 1000000000L};
    int ready = ppoll(&watched, 1, &timeout, NULL);
    if (ready < 0) return errno == EINTR ? 0 : -1;
    return ready > 0 && (watched.revents & events) ? 1 : 0;
}

void CMamoriNet_nameThread(const char *name) { (void)pthread_setname_np(pthread_self(), name); }

int CMamoriNet_makeWake(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

void CMamoriNet_wake(int wake) {
    uint64_t one = 1;
    // Fails only when the counter is saturated: the thread is woken then anyway.
    (void)!write(wake, &one, sizeof one);
}

int CMamoriNet_waitReadableOrWoken(int fd, int wake) {
    struct pollfd watched[2] = {{.fd = fd, .events = POLLIN}, {.fd = wake, .events = POLLIN}};
    if (poll(watched, 2, -1) < 0) return errno == EINTR ? 0 : -1;
    int result = (watched[0].revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL)) ? 1 : 0;
    if (watched[1].revents & POLLIN) {
        uint64_t count;
        (void)!read(wake, &count, sizeof count);
        result |= 2;
    }
    return result;
}

int CMamoriNet_waitWritable(int fd, long nanoseconds) { return waitFor(fd, POLLOUT, nanoseconds); }
