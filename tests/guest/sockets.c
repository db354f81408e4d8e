/* sockets.c - sockets and readiness: a TCP connection over loopback (bind to an ephemeral
 * port, listen, connect, accept4, send/recv, getsockname, setsockopt/getsockopt), a
 * failed copy-out of accept's address length (no descriptor left open), a
 * socketpair with sendmsg/recvmsg, ppoll and epoll on a pipe, the lengths getsockname and
 * getsockopt give back (unbound and abstract AF_UNIX names), and interface names and indexes. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            printf("FAILED line %d: %s (errno %d)\n", __LINE__, #c, errno);                        \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

int main(void) {
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    CHECK(ls >= 0);
    int one = 1, val = 0;
    socklen_t vl = sizeof(val);
    CHECK(setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0);
    CHECK(getsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &val, &vl) == 0 && val == 1);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(bind(ls, (struct sockaddr *)&a, sizeof(a)) == 0);
    socklen_t al = sizeof(a);
    CHECK(getsockname(ls, (struct sockaddr *)&a, &al) == 0 && a.sin_port != 0);
    CHECK(listen(ls, 4) == 0);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(connect(c, (struct sockaddr *)&a, sizeof(a)) == 0);
    struct sockaddr_in peer;
    socklen_t pl = sizeof(peer);
    int s = accept4(ls, (struct sockaddr *)&peer, &pl, SOCK_CLOEXEC);
    CHECK(s >= 0 && peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
    CHECK(send(c, "over tcp", 8, 0) == 8);
    char buf[64] = {0};
    CHECK(recv(s, buf, sizeof(buf), 0) == 8);
    printf("tcp: %s\n", buf);
    CHECK(shutdown(c, SHUT_WR) == 0);
    CHECK(recv(s, buf, sizeof(buf), 0) == 0);
    close(s);
    close(c);
    /* accept whose length word cannot be written back: Linux fails with EFAULT and drops the
     * connection, leaving no descriptor the program never learnt of */
    c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(connect(c, (struct sockaddr *)&a, sizeof(a)) == 0);
    socklen_t *rolen = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(rolen != MAP_FAILED);
    *rolen = sizeof(peer);
    CHECK(mprotect(rolen, 4096, PROT_READ) == 0);
    int before = dup(0);
    close(before);
    errno = 0;
    int bad = accept(ls, (struct sockaddr *)&peer, rolen);
    int bad_errno = errno;
    int after = dup(0);
    close(after);
    printf("accept, length read-only: %d, EFAULT %d, no descriptor left %d\n", bad,
           bad_errno == EFAULT, after == before);
    munmap(rolen, 4096);
    close(c);
    close(ls);

    int sp[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
    struct iovec iov[2] = {{"scatter ", 8}, {"gather", 6}};
    struct msghdr m = {.msg_iov = iov, .msg_iovlen = 2};
    CHECK(sendmsg(sp[0], &m, 0) == 14);
    memset(buf, 0, sizeof(buf));
    struct iovec riov = {buf, sizeof(buf)};
    struct msghdr rm = {.msg_iov = &riov, .msg_iovlen = 1};
    CHECK(recvmsg(sp[1], &rm, 0) == 14);
    printf("socketpair: %s\n", buf);
    close(sp[0]);
    close(sp[1]);

    int p[2];
    CHECK(pipe(p) == 0);
    struct pollfd pf = {.fd = p[0], .events = POLLIN};
    CHECK(poll(&pf, 1, 0) == 0);
    CHECK(write(p[1], "x", 1) == 1);
    CHECK(poll(&pf, 1, 1000) == 1 && (pf.revents & POLLIN));
    int ep = epoll_create1(EPOLL_CLOEXEC);
    CHECK(ep >= 0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0x1122334455667788ull};
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
    struct epoll_event out[4];
    memset(out, 0, sizeof(out));
    CHECK(epoll_wait(ep, out, 4, 1000) == 1);
    printf("epoll: events %#x data %#llx\n", out[0].events, (unsigned long long)out[0].data.u64);
    CHECK(read(p[0], buf, 1) == 1);
    CHECK(epoll_wait(ep, out, 4, 0) == 0);
    close(ep);
    close(p[0]);
    close(p[1]);
    /* socket names come back with the length the kernel gives, not the buffer's: an unbound
     * AF_UNIX socket has only its family, an abstract name its own bytes; so do options */
    int us = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK(us >= 0);
    struct sockaddr_un un;
    socklen_t ulen = sizeof(un);
    CHECK(getsockname(us, (struct sockaddr *)&un, &ulen) == 0);
    printf("unbound unix name length: %u\n", (unsigned)ulen);
    memset(&un, 0, sizeof(un));
    un.sun_family = AF_UNIX;
    /* 17 bytes, unique per process: the sockets tests of each engine run side by side, and
     * abstract names are shared by the whole host */
    snprintf(un.sun_path + 1, sizeof(un.sun_path) - 1, "vm-sock-%08x", (unsigned)getpid());
    CHECK(bind(us, (struct sockaddr *)&un, offsetof(struct sockaddr_un, sun_path) + 17) == 0);
    ulen = sizeof(un);
    CHECK(getsockname(us, (struct sockaddr *)&un, &ulen) == 0);
    printf("abstract name length: %u\n", (unsigned)(ulen - offsetof(struct sockaddr_un, sun_path)));
    int type = 0;
    uint64_t big = 0;
    socklen_t tlen = sizeof(big);
    CHECK(getsockopt(us, SOL_SOCKET, SO_TYPE, &big, &tlen) == 0);
    memcpy(&type, &big, sizeof(type));
    printf("SO_TYPE length %u, stream %d\n", (unsigned)tlen, type == SOCK_STREAM);
    close(us);
    /* interface names and numbers (SIOCGIFINDEX, SIOCGIFNAME on a socket) */
    unsigned lo = if_nametoindex("lo");
    char ifname[IF_NAMESIZE] = "";
    printf("lo: index found %d, its name %s\n", lo > 0, if_indextoname(lo, ifname) ? ifname : "?");
    printf("sockets ok\n");
    return 0;
}
