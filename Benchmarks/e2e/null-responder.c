/*
 * The load generator's reference: a UDP responder that does no DNS work. It answers every datagram
 * with the datagram itself, QR and RA set (a NOERROR response with the question and no records),
 * draining with recvmmsg/sendmmsg in batches of 32 as Mamori's listener does, in one epoll thread.
 * Benchmarks/e2e/run measures it with the same dnsperf settings as the resolvers: what it reaches
 * is about what this client can drive on this machine (not a strict ceiling: how replies are
 * batched changes how often the client sleeps and wakes).
 *
 * Usage: null-responder ADDRESS   (IPv4, port 53; stops on SIGTERM)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum { BATCH = 32, SLOT = 4096 };

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: null-responder IPV4-ADDRESS\n");
        return 2;
    }
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in local = {.sin_family = AF_INET, .sin_port = htons(53)};
    if (fd < 0 || inet_pton(AF_INET, argv[1], &local.sin_addr) != 1 ||
        bind(fd, (struct sockaddr *)&local, sizeof local) != 0) {
        perror("null-responder: bind");
        return 1;
    }
    int poller = epoll_create1(0);
    struct epoll_event interest = {.events = EPOLLIN};
    epoll_ctl(poller, EPOLL_CTL_ADD, fd, &interest);
    static unsigned char buffers[BATCH][SLOT];
    static struct sockaddr_in peers[BATCH];
    struct mmsghdr messages[BATCH];
    struct iovec vectors[BATCH];
    for (;;) {
        struct epoll_event event;
        if (epoll_wait(poller, &event, 1, -1) < 0) continue;
        for (;;) {
            for (int i = 0; i < BATCH; i++) {
                vectors[i] = (struct iovec){.iov_base = buffers[i], .iov_len = SLOT};
                messages[i].msg_hdr = (struct msghdr){
                    .msg_name = &peers[i], .msg_namelen = sizeof peers[i], .msg_iov = &vectors[i], .msg_iovlen = 1};
            }
            int count = recvmmsg(fd, messages, BATCH, 0, NULL);
            if (count <= 0) break;
            int replies = 0;
            for (int i = 0; i < count; i++) {
                if (messages[i].msg_len < 12) continue;
                buffers[i][2] |= 0x80; /* QR */
                buffers[i][3] = 0x80;  /* RA, RCODE 0 */
                vectors[i].iov_len = messages[i].msg_len;
                if (replies != i) messages[replies] = messages[i];
                replies++;
            }
            if (replies > 0) sendmmsg(fd, messages, replies, 0);
            if (count < BATCH) break;
        }
    }
}
