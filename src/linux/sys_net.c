/* sys_net.c - system calls on sockets: socket and socketpair, bind, connect, listen and
 * accept, socket names, send and receive with their message forms, socket options and
 * shutdown.
 *
 * Socket addresses, option values, ancillary data (struct cmsghdr is size_t, int, int on
 * both sides) and the flag words have the same encoding on every Linux, so their bytes pass
 * through once the guest buffers are checked; only struct msghdr and its iovec array are
 * rebuilt. Address lengths the guest passes by reference are read, given to the host and
 * written back. */
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>

#include "core/hostfd.h"
#include "linux/box.h"
#include "linux/sys_util.h"

/* Socket address argument: checked guest bytes, or NULL (absent or bad). */
static void *sockaddr_in(linux_thread_t *t, uint64_t a, uint64_t len) {
    if (!a) return NULL;
    if (len > 4096) return NULL;
    return sys_ptr(t, a, len, RD);
}

/* An optional address output: when addr_a is not 0, *lenp is the guest address of the
 * length word (len_a), *len its value and *addr the checked guest buffer of that many bytes
 * (for the host call). 0 or -LINUX_EFAULT. */
static int sockaddr_out(linux_thread_t *t, uint64_t addr_a, uint64_t len_a, void **addr,
                        uint64_t *lenp, socklen_t *len) {
    *addr = NULL;
    *lenp = 0;
    *len = 0;
    if (!addr_a) return 0;
    uint32_t v;
    if (linux_copy_from_guest(t, &v, len_a, 4)) return -LINUX_EFAULT;
    *lenp = len_a;
    *len = v;
    if (!(*addr = sys_ptr(t, addr_a, *len, WR))) return -LINUX_EFAULT;
    return 0;
}

/* A call that returned r and a length *len: *len back to the guest word at lenp on success.
 * A pointer, read here: the call that sets it is another argument of the same call to
 * len_back, and C leaves the order of evaluating arguments open (gcc's x86-64 code read the
 * length before the call had written it, so getsockname gave back the buffer's size). */
static int64_t len_back(linux_thread_t *t, long r, uint64_t lenp, const socklen_t *len) {
    if (r < 0) return sys_err();
    uint32_t v = *len;
    if (lenp && linux_copy_to_guest(t, lenp, &v, 4)) return -LINUX_EFAULT;
    return r;
}

/* The result of a call that used a --sandbox socket address: its temporary descriptor
 * (box.c) closed, errno kept. */
static int64_t box_done(long r, int tmp) {
    int64_t ret = sys_ret(r);
    if (tmp >= 0) {
        vm_hostfd_remove(tmp);
        close(tmp);
    }
    return ret;
}

/* --sandbox: an address output (guest buffer addr_a of glen bytes, length word at lenp) of a
 * call r made on fd into the local b (hl bytes): an AF_UNIX name shown as the guest gave it
 * (box.c), then copied out, truncated to glen as the kernel does. */
static int64_t box_addr_back(linux_thread_t *t, long r, int fd, int which,
                             struct sockaddr_storage *b, socklen_t hl, uint64_t addr_a,
                             uint64_t lenp, socklen_t glen) {
    if (r < 0) return sys_err();
    if (hl > sizeof(*b)) hl = sizeof(*b);
    hl = linux_box_name_show(fd, which, (struct sockaddr_un *)b, hl);
    if (linux_copy_to_guest(t, addr_a, b, hl < glen ? hl : glen)) return -LINUX_EFAULT;
    uint32_t v = hl;
    if (linux_copy_to_guest(t, lenp, &v, 4)) return -LINUX_EFAULT;
    return r;
}

/* socket(domain, type, protocol). */
int64_t sys_socket(linux_thread_t *t, const uint64_t a[6]) {
    if (!linux_box_socket_ok(t->proc, (int)a[0])) return -LINUX_EACCES; /* --sandbox */
    return sys_ret(socket((int)a[0], (int)a[1], (int)a[2]));
}

/* socketpair(domain, type, protocol, sv). */
int64_t sys_socketpair(linux_thread_t *t, const uint64_t a[6]) {
    if (!linux_box_socket_ok(t->proc, (int)a[0])) return -LINUX_EACCES; /* --sandbox */
    BUF_ARG(p, a[3], 8, WR);
    return sys_ret(socketpair((int)a[0], (int)a[1], (int)a[2], p));
}

/* bind(fd, addr, addrlen). */
int64_t sys_bind(linux_thread_t *t, const uint64_t a[6]) {
    void *addr = sockaddr_in(t, a[1], a[2]);
    if (!addr) return -LINUX_EFAULT;
    struct sockaddr_un box;
    socklen_t blen;
    int tmp, b = linux_box_sockaddr(t, a[1], a[2], true, &box, &blen, &tmp);
    if (b < 0) return b;
    long r =
        b ? bind((int)a[0], (struct sockaddr *)&box, blen) : bind((int)a[0], addr, (socklen_t)a[2]);
    if (b && r == 0) linux_box_name_keep((int)a[0], LINUX_BOX_NAME_OWN, addr, a[2]);
    return box_done(r, tmp);
}

/* connect(fd, addr, addrlen). */
int64_t sys_connect(linux_thread_t *t, const uint64_t a[6]) {
    void *addr = sockaddr_in(t, a[1], a[2]);
    if (!addr) return -LINUX_EFAULT;
    struct sockaddr_un box;
    socklen_t blen;
    int tmp, b = linux_box_sockaddr(t, a[1], a[2], false, &box, &blen, &tmp);
    if (b < 0) return b;
    long r = b ? SYS_BLOCK(SYS_connect, (long)a[0], (long)&box, (long)blen)
               : SYS_BLOCK(SYS_connect, (long)a[0], (long)addr, (long)(socklen_t)a[2]);
    if (b && r == 0) linux_box_name_keep((int)a[0], LINUX_BOX_NAME_PEER, addr, a[2]);
    return box_done(r, tmp);
}

/* listen(fd, backlog). */
int64_t sys_listen(linux_thread_t *t, const uint64_t a[6]) {
    (void)t;
    return sys_ret(listen((int)a[0], (int)a[1]));
}

/* accept4(fd, addr, addrlen, flags) with the given flags (0 for accept). As on Linux, a new
 * descriptor whose peer address cannot be copied out to the guest is closed again and the call
 * fails with EFAULT, so that no descriptor the guest never learnt of stays open. */
static int64_t do_accept(linux_thread_t *t, const uint64_t a[6], int flags) {
    void *addr;
    uint64_t lenp;
    socklen_t len;
    int rc = sockaddr_out(t, a[1], a[2], &addr, &lenp, &len);
    if (rc) return rc;
    long r;
    int64_t ret;
    if (t->proc->opt.sandbox) {
        struct sockaddr_storage b;
        socklen_t hl = sizeof(b);
        r = SYS_BLOCK(SYS_accept4, (long)a[0], (long)&b, (long)&hl, (long)flags);
        if (r >= 0) linux_box_name_accepted((int)a[0], (int)r);
        if (!lenp) return sys_ret(r);
        ret = box_addr_back(t, r, (int)r, LINUX_BOX_NAME_OTHER, &b, hl, a[1], lenp, len);
    } else {
        r = SYS_BLOCK(SYS_accept4, (long)a[0], (long)addr, (long)(lenp ? &len : NULL), (long)flags);
        ret = len_back(t, r, lenp, &len);
    }
    if (r >= 0 && ret < 0) close((int)r);
    return ret;
}

/* accept(fd, addr, addrlen). */
int64_t sys_accept(linux_thread_t *t, const uint64_t a[6]) {
    return do_accept(t, a, 0);
}

/* accept4(fd, addr, addrlen, flags). */
int64_t sys_accept4(linux_thread_t *t, const uint64_t a[6]) {
    return do_accept(t, a, (int)a[3]);
}

/* getsockname(fd, addr, addrlen). */
int64_t sys_getsockname(linux_thread_t *t, const uint64_t a[6]) {
    void *addr;
    uint64_t lenp;
    socklen_t len;
    int rc = sockaddr_out(t, a[1], a[2], &addr, &lenp, &len);
    if (rc) return rc;
    if (lenp && t->proc->opt.sandbox) {
        struct sockaddr_storage b;
        socklen_t hl = sizeof(b);
        long r = getsockname((int)a[0], (struct sockaddr *)&b, &hl);
        return box_addr_back(t, r, (int)a[0], LINUX_BOX_NAME_OWN, &b, hl, a[1], lenp, len);
    }
    return len_back(t, getsockname((int)a[0], addr, lenp ? &len : NULL), lenp, &len);
}

/* getpeername(fd, addr, addrlen). */
int64_t sys_getpeername(linux_thread_t *t, const uint64_t a[6]) {
    void *addr;
    uint64_t lenp;
    socklen_t len;
    int rc = sockaddr_out(t, a[1], a[2], &addr, &lenp, &len);
    if (rc) return rc;
    if (lenp && t->proc->opt.sandbox) {
        struct sockaddr_storage b;
        socklen_t hl = sizeof(b);
        long r = getpeername((int)a[0], (struct sockaddr *)&b, &hl);
        return box_addr_back(t, r, (int)a[0], LINUX_BOX_NAME_PEER, &b, hl, a[1], lenp, len);
    }
    return len_back(t, getpeername((int)a[0], addr, lenp ? &len : NULL), lenp, &len);
}

/* sendto(fd, buf, len, flags, dest_addr, addrlen). */
int64_t sys_sendto(linux_thread_t *t, const uint64_t a[6]) {
    BUF_ARG(p, a[1], a[2], RD);
    void *addr = a[4] ? sockaddr_in(t, a[4], a[5]) : NULL;
    if (a[4] && !addr) return -LINUX_EFAULT;
    struct sockaddr_un box;
    socklen_t blen;
    int tmp, b = linux_box_sockaddr(t, a[4], a[5], false, &box, &blen, &tmp);
    if (b < 0) return b;
    long r = b ? SYS_BLOCK(SYS_sendto, (long)a[0], (long)p, (long)a[2], (long)(int)a[3], (long)&box,
                           (long)blen)
               : SYS_BLOCK(SYS_sendto, (long)a[0], (long)p, (long)a[2], (long)(int)a[3], (long)addr,
                           (long)(socklen_t)a[5]);
    return box_done(r, tmp);
}

/* recvfrom(fd, buf, len, flags, src_addr, addrlen). */
int64_t sys_recvfrom(linux_thread_t *t, const uint64_t a[6]) {
    BUF_ARG(p, a[1], a[2], WR);
    void *addr;
    uint64_t lenp;
    socklen_t len;
    int rc = sockaddr_out(t, a[4], a[5], &addr, &lenp, &len);
    if (rc) return rc;
    if (lenp && t->proc->opt.sandbox) {
        struct sockaddr_storage b;
        socklen_t hl = sizeof(b);
        long r = SYS_BLOCK(SYS_recvfrom, (long)a[0], (long)p, (long)a[2], (long)(int)a[3], (long)&b,
                           (long)&hl);
        return box_addr_back(t, r, (int)a[0], LINUX_BOX_NAME_OTHER, &b, hl, a[4], lenp, len);
    }
    long r = SYS_BLOCK(SYS_recvfrom, (long)a[0], (long)p, (long)a[2], (long)(int)a[3], (long)addr,
                       (long)(lenp ? &len : NULL));
    return len_back(t, r, lenp, &len);
}

/* setsockopt(fd, level, optname, optval, optlen). */
int64_t sys_setsockopt(linux_thread_t *t, const uint64_t a[6]) {
    BUF_ARG(p, a[3], a[4], RD);
    return sys_ret(setsockopt((int)a[0], (int)a[1], (int)a[2], p, (socklen_t)a[4]));
}

/* 0 when fd is a socket, else -LINUX_EBADF or -LINUX_ENOTSOCK (checked first, as Linux
 * looks the descriptor up before it reads any argument). */
static int64_t socket_fd(uint64_t fd) {
    struct stat st;
    if (fstat((int)fd, &st) < 0) return sys_err();
    return S_ISSOCK(st.st_mode) ? 0 : -LINUX_ENOTSOCK;
}

/* getsockopt(fd, level, optname, optval, optlen). */
int64_t sys_getsockopt(linux_thread_t *t, const uint64_t a[6]) {
    int64_t nrc = socket_fd(a[0]);
    if (nrc) return nrc;
    uint32_t v;
    GET_ARG(v, a[4]);
    socklen_t len = v;
    BUF_ARG(p, a[3], len, WR);
    return len_back(t, getsockopt((int)a[0], (int)a[1], (int)a[2], p, &len), a[4], &len);
}

/* shutdown(fd, how). */
int64_t sys_shutdown(linux_thread_t *t, const uint64_t a[6]) {
    (void)t;
    return sys_ret(shutdown((int)a[0], (int)a[1]));
}

/* sendmsg/recvmsg(fd, msg, flags): the guest msghdr rebuilt, its buffers checked. */
static int64_t msg_call(linux_thread_t *t, const uint64_t a[6], bool send) {
    linux_msghdr_t g;
    GET_ARG(g, a[1]);
    struct iovec iov[64];
    if (g.msg_iovlen > 64) return -LINUX_EMSGSIZE;
    int rc = sys_get_iov(t, g.msg_iov, g.msg_iovlen, send ? RD : WR, iov);
    if (rc) return rc;
    struct msghdr h = {0};
    h.msg_iov = iov;
    h.msg_iovlen = g.msg_iovlen;
    struct sockaddr_un box;
    socklen_t blen;
    int tmp = -1;
    if (g.msg_name) {
        h.msg_name = sys_ptr(t, g.msg_name, g.msg_namelen, RD | (send ? 0 : WR));
        if (!h.msg_name) return -LINUX_EFAULT;
        h.msg_namelen = g.msg_namelen;
        int b =
            send ? linux_box_sockaddr(t, g.msg_name, g.msg_namelen, false, &box, &blen, &tmp) : 0;
        if (b < 0) return b;
        if (b) {
            h.msg_name = &box;
            h.msg_namelen = blen;
        }
    }
    if (g.msg_control) {
        h.msg_control = sys_ptr(t, g.msg_control, g.msg_controllen, RD | (send ? 0 : WR));
        if (!h.msg_control) return tmp >= 0 ? box_done(-1, tmp), -LINUX_EFAULT : -LINUX_EFAULT;
        h.msg_controllen = g.msg_controllen;
    }
    ssize_t r = SYS_BLOCK(send ? SYS_sendmsg : SYS_recvmsg, (long)a[0], (long)&h, (long)(int)a[2]);
    if (tmp >= 0) r = box_done(r, tmp);
    if (r < 0) return tmp >= 0 ? r : sys_err();
    if (!send && g.msg_name && h.msg_namelen && t->proc->opt.sandbox) {
        /* --sandbox: a sender's AF_UNIX name as the guest may see it (box.c) */
        struct sockaddr_storage b;
        socklen_t cl = h.msg_namelen < g.msg_namelen ? h.msg_namelen : g.msg_namelen;
        if (cl > sizeof(b)) cl = sizeof(b);
        if (linux_copy_from_guest(t, &b, g.msg_name, cl)) return -LINUX_EFAULT;
        socklen_t sl =
            linux_box_name_show((int)a[0], LINUX_BOX_NAME_OTHER, (struct sockaddr_un *)&b, cl);
        if (sl != cl) {
            if (linux_copy_to_guest(t, g.msg_name, &b, sl < g.msg_namelen ? sl : g.msg_namelen))
                return -LINUX_EFAULT;
            h.msg_namelen = sl;
        }
    }
    if (!send) {
        g.msg_namelen = h.msg_namelen;
        g.msg_controllen = h.msg_controllen;
        g.msg_flags = h.msg_flags;
        PUT_ARG(a[1], g);
    }
    return r;
}

/* sendmsg(fd, msg, flags). */
int64_t sys_sendmsg(linux_thread_t *t, const uint64_t a[6]) {
    return msg_call(t, a, true);
}

/* recvmsg(fd, msg, flags). */
int64_t sys_recvmsg(linux_thread_t *t, const uint64_t a[6]) {
    return msg_call(t, a, false);
}
