/* syscall.c - the guest system call layer: riscv64 (asm-generic) calls onto host calls.
 *
 * Guest descriptors are host descriptors and guest paths are host paths (except
 * /proc/self/exe, which names the guest program), so most calls are a host call with guest
 * pointers turned into host pointers. Every guest pointer is checked against the VMA list
 * first (-EFAULT otherwise) so the host never faults on guest garbage; every structure whose
 * guest layout is not the host's by definition is rebuilt field by field, every flag word
 * goes through an explicit table, and host errno values go through linux_errno_from_host().
 * Calls vm does not know return -ENOSYS with a one-time warning. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <sys/xattr.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/times.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "linux/proc.h"
#include "linux/systable.h"

#define RD LINUX_PROT_READ
#define WR LINUX_PROT_WRITE

/* -errno of the host's last error, in guest numbering. */
static int64_t host_err(void) {
    return -(int64_t)linux_errno_from_host(errno);
}
/* A host call's result in guest terms. */
static int64_t hret(long r) {
    return r < 0 ? host_err() : r;
}

/* Host pointer of a guest buffer that must be mapped with prot, or NULL. */
static void *gptr(linux_thread_t *t, uint64_t a, uint64_t len, int prot) {
    if (!linux_space_check(&t->proc->space, a, len, prot)) return NULL;
    return linux_space_ptr(&t->proc->space, a);
}

/* Copy a guest NUL-terminated string of at most n-1 bytes into buf. 0 or -LINUX_E*. */
static int gstr(linux_thread_t *t, uint64_t a, char *buf, size_t n) {
    linux_space_t *sp = &t->proc->space;
    size_t got = 0;
    while (got < n) {
        uint64_t page_left = LINUX_PAGE_SIZE - ((a + got) & (LINUX_PAGE_SIZE - 1));
        size_t chunk = page_left < n - got ? page_left : n - got;
        if (!linux_space_check(sp, a + got, chunk, RD)) return -LINUX_EFAULT;
        const char *p = linux_space_ptr(sp, a + got);
        const char *z = memchr(p, 0, chunk);
        if (z) {
            memcpy(buf + got, p, (size_t)(z - p) + 1);
            return 0;
        }
        memcpy(buf + got, p, chunk);
        got += chunk;
    }
    return -LINUX_ENAMETOOLONG;
}

/* A guest path, with /proc/self/exe naming the guest program. */
static int gpath(linux_thread_t *t, uint64_t a, char *buf, size_t n) {
    int rc = gstr(t, a, buf, n);
    if (rc) return rc;
    if (!strcmp(buf, "/proc/self/exe")) snprintf(buf, n, "%s", t->proc->exe_path);
    return 0;
}

/* A guest path for a lookup that only reads: an absolute path that exists under the sysroot
 * is taken from there (so the dynamic loader finds the guest's libraries), as -L promises. */
static int gpath_lookup(linux_thread_t *t, uint64_t a, char *buf, size_t n) {
    int rc = gpath(t, a, buf, n);
    if (rc) return rc;
    const char *root = t->proc->opt.sysroot;
    if (root && *root && buf[0] == '/' && buf[1] && strcmp(root, "/") != 0) {
        char alt[4096];
        int k = snprintf(alt, sizeof(alt), "%s%s", root, buf);
        if (k > 0 && (size_t)k < sizeof(alt) && (size_t)k < n && access(alt, F_OK) == 0)
            memcpy(buf, alt, (size_t)k + 1);
    }
    return 0;
}

/* A memory file holding n bytes of data, positioned at its start. */
static int64_t memory_file(const void *data, size_t n, bool cloexec) {
    int fd = memfd_create("proc", cloexec ? MFD_CLOEXEC : 0);
    if (fd < 0) return host_err();
    if (n && write(fd, data, n) != (ssize_t)n) {
        int64_t e = host_err();
        close(fd);
        return e;
    }
    lseek(fd, 0, SEEK_SET);
    return fd;
}

/* /proc/self/maps of the guest: the VMA list in the kernel's format, in a memory file. */
static int64_t open_guest_maps(linux_thread_t *t, bool cloexec) {
    int fd = memfd_create("maps", cloexec ? MFD_CLOEXEC : 0);
    if (fd < 0) return host_err();
    linux_space_t *sp = &t->proc->space;
    size_t cap = 256;
    linux_vma_t *v = NULL;
    size_t n;
    for (;;) {
        linux_vma_t *nv = realloc(v, cap * sizeof(*v));
        if (!nv) {
            free(v);
            close(fd);
            return -LINUX_ENOMEM;
        }
        v = nv;
        n = linux_space_snapshot(sp, v, cap);
        if (n < cap) break;
        cap *= 2;
    }
    FILE *f = fdopen(dup(fd), "w");
    if (!f) {
        free(v);
        close(fd);
        return host_err();
    }
    for (size_t i = 0; i < n; i++) {
        const char *name = "";
        if (v[i].end == LINUX_STACK_TOP) name = "[stack]";
        if (v[i].start >= sp->brk_start && v[i].end <= ((sp->brk_cur + 4095) & ~4095ull) &&
            sp->brk_cur > sp->brk_start)
            name = "[heap]";
        fprintf(f, "%08llx-%08llx %c%c%c%c 00000000 00:00 0          %s\n",
                (unsigned long long)v[i].start, (unsigned long long)v[i].end,
                (v[i].prot & LINUX_PROT_READ) ? 'r' : '-',
                (v[i].prot & LINUX_PROT_WRITE) ? 'w' : '-',
                (v[i].prot & LINUX_PROT_EXEC) ? 'x' : '-',
                (v[i].flags & LINUX_MAP_TYPE) == LINUX_MAP_PRIVATE ? 'p' : 's', name);
    }
    fclose(f);
    free(v);
    lseek(fd, 0, SEEK_SET);
    return fd;
}

/* Host dirfd for a guest one. */
static int hdirfd(uint64_t fd) {
    return (int)fd == LINUX_AT_FDCWD ? AT_FDCWD : (int)fd;
}

/* Host AT_* flags for guest ones. */
static int hatflags(uint64_t g) {
    int h = 0;
    if (g & LINUX_AT_SYMLINK_NOFOLLOW) h |= AT_SYMLINK_NOFOLLOW;
    if (g & LINUX_AT_REMOVEDIR) h |= AT_REMOVEDIR;
    if (g & LINUX_AT_SYMLINK_FOLLOW) h |= AT_SYMLINK_FOLLOW;
    if (g & LINUX_AT_NO_AUTOMOUNT) h |= AT_NO_AUTOMOUNT;
    if (g & LINUX_AT_EMPTY_PATH) h |= AT_EMPTY_PATH;
    return h;
}

/* Guest <-> host open flags, bit by bit. */
static const struct {
    uint64_t guest; /* LINUX_O_* */
    int host;       /* O_* */
} open_bits[] = {
    {LINUX_O_CREAT, O_CREAT},         {LINUX_O_EXCL, O_EXCL},
    {LINUX_O_NOCTTY, O_NOCTTY},       {LINUX_O_TRUNC, O_TRUNC},
    {LINUX_O_APPEND, O_APPEND},       {LINUX_O_NONBLOCK, O_NONBLOCK},
    {LINUX_O_DSYNC, O_DSYNC},         {LINUX_O_ASYNC, O_ASYNC},
    {LINUX_O_DIRECT, O_DIRECT},       {LINUX_O_LARGEFILE, 0100000 /* host O_LARGEFILE */},
    {LINUX_O_DIRECTORY, O_DIRECTORY}, {LINUX_O_NOFOLLOW, O_NOFOLLOW},
    {LINUX_O_NOATIME, O_NOATIME},     {LINUX_O_CLOEXEC, O_CLOEXEC},
    {LINUX_O_SYNC, O_SYNC},           {LINUX_O_PATH, O_PATH},
    {LINUX_O_TMPFILE, O_TMPFILE},
};

int linux_open_flags_to_host(uint64_t g) {
    int h = (int)(g & LINUX_O_ACCMODE);
    for (size_t i = 0; i < sizeof(open_bits) / sizeof(open_bits[0]); i++)
        if ((g & open_bits[i].guest) == open_bits[i].guest) h |= open_bits[i].host;
    return h;
}

uint64_t linux_open_flags_from_host(int h) {
    uint64_t g = (uint64_t)(h & O_ACCMODE);
    for (size_t i = 0; i < sizeof(open_bits) / sizeof(open_bits[0]); i++)
        if (open_bits[i].host && (h & open_bits[i].host) == open_bits[i].host)
            g |= open_bits[i].guest;
    return g;
}

void linux_stat_from_host(linux_stat_t *g, const struct stat *h) {
    memset(g, 0, sizeof(*g));
    g->st_dev = h->st_dev;
    g->st_ino = h->st_ino;
    g->st_mode = h->st_mode;
    g->st_nlink = (uint32_t)h->st_nlink;
    g->st_uid = h->st_uid;
    g->st_gid = h->st_gid;
    g->st_rdev = h->st_rdev;
    g->st_size = h->st_size;
    g->st_blksize = (int32_t)h->st_blksize;
    g->st_blocks = h->st_blocks;
    g->st_atime_sec = h->st_atim.tv_sec;
    g->st_atime_nsec = (uint64_t)h->st_atim.tv_nsec;
    g->st_mtime_sec = h->st_mtim.tv_sec;
    g->st_mtime_nsec = (uint64_t)h->st_mtim.tv_nsec;
    g->st_ctime_sec = h->st_ctim.tv_sec;
    g->st_ctime_nsec = (uint64_t)h->st_ctim.tv_nsec;
}

static void statx_ts(linux_statx_timestamp_t *g, const struct statx_timestamp *h) {
    g->tv_sec = h->tv_sec;
    g->tv_nsec = h->tv_nsec;
    g->__reserved = 0;
}

static void statx_from_host(linux_statx_t *g, const struct statx *h) {
    memset(g, 0, sizeof(*g));
    g->stx_mask = h->stx_mask;
    g->stx_blksize = h->stx_blksize;
    g->stx_attributes = h->stx_attributes;
    g->stx_nlink = h->stx_nlink;
    g->stx_uid = h->stx_uid;
    g->stx_gid = h->stx_gid;
    g->stx_mode = h->stx_mode;
    g->stx_ino = h->stx_ino;
    g->stx_size = h->stx_size;
    g->stx_blocks = h->stx_blocks;
    g->stx_attributes_mask = h->stx_attributes_mask;
    statx_ts(&g->stx_atime, &h->stx_atime);
    statx_ts(&g->stx_btime, &h->stx_btime);
    statx_ts(&g->stx_ctime, &h->stx_ctime);
    statx_ts(&g->stx_mtime, &h->stx_mtime);
    g->stx_rdev_major = h->stx_rdev_major;
    g->stx_rdev_minor = h->stx_rdev_minor;
    g->stx_dev_major = h->stx_dev_major;
    g->stx_dev_minor = h->stx_dev_minor;
}

/* Guest timespec at a into a host one; NULL guest pointer -> *out = NULL. */
static int get_timespec(linux_thread_t *t, uint64_t a, struct timespec *buf,
                        struct timespec **out) {
    if (!a) {
        *out = NULL;
        return 0;
    }
    linux_timespec_t *g = gptr(t, a, sizeof(*g), RD);
    if (!g) return -LINUX_EFAULT;
    buf->tv_sec = g->tv_sec;
    buf->tv_nsec = g->tv_nsec;
    *out = buf;
    return 0;
}

static int put_timespec(linux_thread_t *t, uint64_t a, const struct timespec *h) {
    if (!a) return 0;
    linux_timespec_t *g = gptr(t, a, sizeof(*g), WR);
    if (!g) return -LINUX_EFAULT;
    g->tv_sec = h->tv_sec;
    g->tv_nsec = h->tv_nsec;
    return 0;
}

/* ppoll/pselect6 with a signal mask: the mask holds while the call waits, the old one comes
 * back afterwards (through the frame when a handler runs, as rt_sigsuspend does). Returns 0,
 * -LINUX_EINTR when a signal the new mask lets through is already pending, or -LINUX_E*. */
static int temp_sigmask(linux_thread_t *t, uint64_t mask_addr, uint64_t size) {
    if (!mask_addr) return 0;
    if (size != 8) return -LINUX_EINVAL;
    linux_u64_t *g = gptr(t, mask_addr, 8, RD);
    if (!g) return -LINUX_EFAULT;
    t->saved_mask = t->sigmask;
    t->restore_mask = true;
    t->sigmask = g->v & ~((1ull << (LINUX_SIGKILL - 1)) | (1ull << (LINUX_SIGSTOP - 1)));
    if (atomic_load(&t->pending) & ~t->sigmask) return -LINUX_EINTR;
    return 0;
}

#define IOV_MAX_GUEST 1024

/* Build a host iovec array from a guest one (buffers checked for prot). */
static int get_iov(linux_thread_t *t, uint64_t a, uint64_t n, int prot, struct iovec *h) {
    if (n > IOV_MAX_GUEST) return -LINUX_EINVAL;
    linux_iovec_t *g = gptr(t, a, n * sizeof(*g), RD);
    if (!g && n) return -LINUX_EFAULT;
    for (uint64_t i = 0; i < n; i++) {
        void *p = gptr(t, g[i].iov_base, g[i].iov_len, prot);
        if (!p) return -LINUX_EFAULT;
        h[i].iov_base = p;
        h[i].iov_len = g[i].iov_len;
    }
    return 0;
}

/* fcntl commands, guest -> host. */
static int fcntl_cmd(uint64_t g) {
    switch (g) {
    case LINUX_F_DUPFD: return F_DUPFD;
    case LINUX_F_GETFD: return F_GETFD;
    case LINUX_F_SETFD: return F_SETFD;
    case LINUX_F_GETFL: return F_GETFL;
    case LINUX_F_SETFL: return F_SETFL;
    case LINUX_F_GETLK: return F_GETLK;
    case LINUX_F_SETLK: return F_SETLK;
    case LINUX_F_SETLKW: return F_SETLKW;
    case LINUX_F_DUPFD_CLOEXEC: return F_DUPFD_CLOEXEC;
    default: return -1;
    }
}

static int64_t sys_fcntl(linux_thread_t *t, const uint64_t *a) {
    int cmd = fcntl_cmd(a[1]);
    int fd = (int)a[0];
    switch (cmd) {
    case F_GETFL: {
        int r = fcntl(fd, F_GETFL);
        return r < 0 ? host_err() : (int64_t)linux_open_flags_from_host(r);
    }
    case F_SETFL: return hret(fcntl(fd, F_SETFL, linux_open_flags_to_host(a[2])));
    case F_GETFD: {
        int r = fcntl(fd, F_GETFD);
        return r < 0 ? host_err() : ((r & FD_CLOEXEC) ? LINUX_FD_CLOEXEC : 0);
    }
    case F_SETFD: return hret(fcntl(fd, F_SETFD, (a[2] & LINUX_FD_CLOEXEC) ? FD_CLOEXEC : 0));
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: return hret(fcntl(fd, cmd, (int)a[2]));
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW: {
        /* struct flock: short, short, off_t, off_t, pid_t on both (32 bytes) */
        _Static_assert(sizeof(struct flock) == 32, "host struct flock layout");
        void *p = gptr(t, a[2], sizeof(struct flock), RD | (cmd == F_GETLK ? WR : 0));
        if (!p) return -LINUX_EFAULT;
        return hret(fcntl(fd, cmd, p));
    }
    default: return -LINUX_EINVAL;
    }
}

static int64_t sys_ioctl(linux_thread_t *t, const uint64_t *a) {
    int fd = (int)a[0];
    switch (a[1]) {
    case LINUX_TCGETS: {
        struct termios h;
        if (tcgetattr(fd, &h) < 0) return host_err();
        linux_termios_t *g = gptr(t, a[2], sizeof(*g), WR);
        if (!g) return -LINUX_EFAULT;
        g->c_iflag = h.c_iflag;
        g->c_oflag = h.c_oflag;
        g->c_cflag = h.c_cflag;
        g->c_lflag = h.c_lflag;
        g->c_line = h.c_line;
        memcpy(g->c_cc, h.c_cc,
               sizeof(g->c_cc) < sizeof(h.c_cc) ? sizeof(g->c_cc) : sizeof(h.c_cc));
        return 0;
    }
    case LINUX_TCSETS:
    case LINUX_TCSETSW:
    case LINUX_TCSETSF: {
        linux_termios_t *g = gptr(t, a[2], sizeof(*g), RD);
        if (!g) return -LINUX_EFAULT;
        struct termios h;
        if (tcgetattr(fd, &h) < 0) return host_err();
        h.c_iflag = g->c_iflag;
        h.c_oflag = g->c_oflag;
        h.c_cflag = g->c_cflag;
        h.c_lflag = g->c_lflag;
        h.c_line = g->c_line;
        memcpy(h.c_cc, g->c_cc,
               sizeof(g->c_cc) < sizeof(h.c_cc) ? sizeof(g->c_cc) : sizeof(h.c_cc));
        int how = a[1] == LINUX_TCSETS ? TCSANOW : a[1] == LINUX_TCSETSW ? TCSADRAIN : TCSAFLUSH;
        return hret(tcsetattr(fd, how, &h));
    }
    case LINUX_TIOCGWINSZ: {
        struct winsize h;
        if (ioctl(fd, TIOCGWINSZ, &h) < 0) return host_err();
        linux_winsize_t *g = gptr(t, a[2], sizeof(*g), WR);
        if (!g) return -LINUX_EFAULT;
        *g = (linux_winsize_t){h.ws_row, h.ws_col, h.ws_xpixel, h.ws_ypixel};
        return 0;
    }
    case LINUX_TIOCSWINSZ: {
        linux_winsize_t *g = gptr(t, a[2], sizeof(*g), RD);
        if (!g) return -LINUX_EFAULT;
        struct winsize h = {g->ws_row, g->ws_col, g->ws_xpixel, g->ws_ypixel};
        return hret(ioctl(fd, TIOCSWINSZ, &h));
    }
    case LINUX_TIOCGPGRP: {
        linux_s32_t *g = gptr(t, a[2], 4, WR);
        if (!g) return -LINUX_EFAULT;
        pid_t p = tcgetpgrp(fd);
        if (p < 0) return host_err();
        g->v = p;
        return 0;
    }
    case LINUX_TIOCSPGRP: {
        linux_s32_t *g = gptr(t, a[2], 4, RD);
        if (!g) return -LINUX_EFAULT;
        return hret(tcsetpgrp(fd, g->v));
    }
    case LINUX_FIONREAD:
    case LINUX_FIONBIO: {
        linux_s32_t *g = gptr(t, a[2], 4, RD | WR);
        if (!g) return -LINUX_EFAULT;
        int v = g->v;
        long r = ioctl(fd, a[1] == LINUX_FIONREAD ? FIONREAD : FIONBIO, &v);
        if (r < 0) return host_err();
        g->v = v;
        return 0;
    }
    default: return -LINUX_ENOTTY;
    }
}

static int64_t sys_mmap(linux_thread_t *t, const uint64_t *a) {
    int flags = (int)a[3];
    int fd = (flags & LINUX_MAP_ANONYMOUS) ? -1 : (int)a[4];
    int64_t r = linux_space_mmap(&t->proc->space, a[0], a[1], (int)a[2], flags, fd, a[5]);
    return r;
}

static int64_t sys_uname(linux_thread_t *t, uint64_t a) {
    linux_utsname_t *g = gptr(t, a, sizeof(*g), WR);
    if (!g) return -LINUX_EFAULT;
    struct utsname h;
    if (uname(&h) < 0) return host_err();
    memset(g, 0, sizeof(*g));
    snprintf(g->sysname, sizeof(g->sysname), "Linux");
    snprintf(g->nodename, sizeof(g->nodename), "%s", h.nodename);
    snprintf(g->release, sizeof(g->release), "%s", h.release);
    snprintf(g->version, sizeof(g->version), "%s", h.version);
    snprintf(g->machine, sizeof(g->machine), "riscv64");
    snprintf(g->domainname, sizeof(g->domainname), "%s", h.domainname);
    return 0;
}

static int64_t sys_sysinfo(linux_thread_t *t, uint64_t a) {
    linux_sysinfo_t *g = gptr(t, a, sizeof(*g), WR);
    if (!g) return -LINUX_EFAULT;
    struct sysinfo h;
    if (sysinfo(&h) < 0) return host_err();
    memset(g, 0, sizeof(*g));
    g->uptime = h.uptime;
    for (int i = 0; i < 3; i++)
        g->loads[i] = h.loads[i];
    g->totalram = h.totalram;
    g->freeram = h.freeram;
    g->sharedram = h.sharedram;
    g->bufferram = h.bufferram;
    g->totalswap = h.totalswap;
    g->freeswap = h.freeswap;
    g->procs = h.procs;
    g->totalhigh = h.totalhigh;
    g->freehigh = h.freehigh;
    g->mem_unit = h.mem_unit;
    return 0;
}

static int64_t sys_prlimit(linux_thread_t *t, const uint64_t *a) {
    struct rlimit nl, ol;
    if (a[2]) {
        linux_rlimit_t *g = gptr(t, a[2], sizeof(*g), RD);
        if (!g) return -LINUX_EFAULT;
        nl.rlim_cur = g->rlim_cur;
        nl.rlim_max = g->rlim_max;
    }
    if (prlimit((pid_t)a[0], (int)a[1], a[2] ? &nl : NULL, &ol) < 0) return host_err();
    if (a[3]) {
        linux_rlimit_t *g = gptr(t, a[3], sizeof(*g), WR);
        if (!g) return -LINUX_EFAULT;
        g->rlim_cur = ol.rlim_cur;
        g->rlim_max = ol.rlim_max;
    }
    return 0;
}

static int64_t sys_futex(linux_thread_t *t, const uint64_t *a) {
    int op = (int)a[1];
    int cmd = op & LINUX_FUTEX_CMD_MASK;
    uint32_t *uaddr = gptr(t, a[0], 4, RD);
    if (!uaddr || (a[0] & 3)) return -LINUX_EFAULT;
    /* WAIT, WAIT_BITSET, LOCK_PI, WAIT_REQUEUE_PI take a timespec; the others a value */
    void *timeout = (void *)(uintptr_t)a[3];
    struct timespec ts, *tsp = NULL;
    void *uaddr2 = NULL;
    switch (cmd) {
    case 0 /* WAIT */:
    case 9 /* WAIT_BITSET */:
    case 6 /* LOCK_PI */:
    case 11 /* WAIT_REQUEUE_PI */:
        if (get_timespec(t, a[3], &ts, &tsp)) return -LINUX_EFAULT;
        timeout = tsp;
        break;
    default: break;
    }
    switch (cmd) {
    case 3 /* REQUEUE */:
    case 4 /* CMP_REQUEUE */:
    case 5 /* WAKE_OP */:
    case 11 /* WAIT_REQUEUE_PI */:
    case 12 /* CMP_REQUEUE_PI */:
        uaddr2 = gptr(t, a[4], 4, RD | WR);
        if (!uaddr2 || (a[4] & 3)) return -LINUX_EFAULT;
        break;
    default: break;
    }
    return hret(syscall(SYS_futex, uaddr, op, (uint32_t)a[2], timeout, uaddr2, (uint32_t)a[5]));
}

static int64_t sys_wait4(linux_thread_t *t, const uint64_t *a) {
    int status = 0;
    struct rusage ru;
    if (a[1] && !gptr(t, a[1], 4, WR)) return -LINUX_EFAULT;
    if (a[3] && !gptr(t, a[3], sizeof(linux_rusage_t), WR)) return -LINUX_EFAULT;
    pid_t r = wait4((pid_t)a[0], &status, (int)a[2], &ru);
    if (r < 0) return host_err();
    if (a[1] && r > 0) {
        /* the status word: exit code << 8, or the (guest-numbered) terminating signal */
        int g = status;
        if (WIFSIGNALED(status))
            g = (status & ~0x7f) | linux_sig_from_host(WTERMSIG(status));
        else if (WIFSTOPPED(status))
            g = (linux_sig_from_host(WSTOPSIG(status)) << 8) | 0x7f;
        memcpy(gptr(t, a[1], 4, WR), &g, 4);
    }
    if (a[3]) {
        linux_rusage_t *g = gptr(t, a[3], sizeof(*g), WR);
        memset(g, 0, sizeof(*g));
        g->ru_utime = (linux_timeval_t){ru.ru_utime.tv_sec, ru.ru_utime.tv_usec};
        g->ru_stime = (linux_timeval_t){ru.ru_stime.tv_sec, ru.ru_stime.tv_usec};
        g->rest[0] = ru.ru_maxrss;
    }
    return r;
}

static int64_t sys_getrusage(linux_thread_t *t, const uint64_t *a) {
    linux_rusage_t *g = gptr(t, a[1], sizeof(*g), WR);
    if (!g) return -LINUX_EFAULT;
    struct rusage ru;
    if (getrusage((int)a[0], &ru) < 0) return host_err();
    memset(g, 0, sizeof(*g));
    g->ru_utime = (linux_timeval_t){ru.ru_utime.tv_sec, ru.ru_utime.tv_usec};
    g->ru_stime = (linux_timeval_t){ru.ru_stime.tv_sec, ru.ru_stime.tv_usec};
    g->rest[0] = ru.ru_maxrss;
    g->rest[4] = ru.ru_minflt;
    g->rest[5] = ru.ru_majflt;
    g->rest[12] = ru.ru_nvcsw;
    g->rest[13] = ru.ru_nivcsw;
    return 0;
}

/* Socket address argument: checked guest bytes (the layout is the same on every Linux). */
static void *gsockaddr(linux_thread_t *t, uint64_t a, uint64_t len) {
    if (!a) return NULL;
    if (len > 4096) return NULL;
    return gptr(t, a, len, RD);
}

static int64_t sys_msg(linux_thread_t *t, const uint64_t *a, bool send) {
    linux_msghdr_t *g = gptr(t, a[1], sizeof(*g), RD | (send ? 0 : WR));
    if (!g) return -LINUX_EFAULT;
    struct iovec iov[64];
    if (g->msg_iovlen > 64) return -LINUX_EMSGSIZE;
    int rc = get_iov(t, g->msg_iov, g->msg_iovlen, send ? RD : WR, iov);
    if (rc) return rc;
    struct msghdr h = {0};
    h.msg_iov = iov;
    h.msg_iovlen = g->msg_iovlen;
    if (g->msg_name) {
        h.msg_name = gptr(t, g->msg_name, g->msg_namelen, RD | (send ? 0 : WR));
        if (!h.msg_name) return -LINUX_EFAULT;
        h.msg_namelen = g->msg_namelen;
    }
    if (g->msg_control) {
        /* struct cmsghdr is size_t, int, int on both: the bytes pass through */
        h.msg_control = gptr(t, g->msg_control, g->msg_controllen, RD | (send ? 0 : WR));
        if (!h.msg_control) return -LINUX_EFAULT;
        h.msg_controllen = g->msg_controllen;
    }
    ssize_t r = send ? sendmsg((int)a[0], &h, (int)a[2]) : recvmsg((int)a[0], &h, (int)a[2]);
    if (r < 0) return host_err();
    if (!send) {
        g->msg_namelen = h.msg_namelen;
        g->msg_controllen = h.msg_controllen;
        g->msg_flags = h.msg_flags;
    }
    return r;
}

static int64_t sys_epoll_ctl(linux_thread_t *t, const uint64_t *a) {
    struct epoll_event h = {0}, *hp = NULL;
    if (a[3]) {
        linux_epoll_event_t *g = gptr(t, a[3], sizeof(*g), RD);
        if (!g) return -LINUX_EFAULT;
        h.events = g->events;
        h.data.u64 = g->data;
        hp = &h;
    }
    return hret(epoll_ctl((int)a[0], (int)a[1], (int)a[2], hp));
}

static int64_t sys_epoll_pwait(linux_thread_t *t, const uint64_t *a) {
    int max = (int)a[2];
    if (max <= 0 || max > 4096) return -LINUX_EINVAL;
    linux_epoll_event_t *g = gptr(t, a[1], (uint64_t)max * sizeof(*g), WR);
    if (!g) return -LINUX_EFAULT;
    struct epoll_event h[4096];
    int n = epoll_wait((int)a[0], h, max, (int)a[3]);
    if (n < 0) return host_err();
    for (int i = 0; i < n; i++)
        g[i] = (linux_epoll_event_t){h[i].events, 0, h[i].data.u64};
    return n;
}

static int64_t sys_sigaction(linux_thread_t *t, const uint64_t *a) {
    if (a[3] != 8) return -LINUX_EINVAL;
    linux_sigaction_t act, old;
    if (a[1]) {
        linux_sigaction_t *g = gptr(t, a[1], sizeof(*g), RD);
        if (!g) return -LINUX_EFAULT;
        act = *g;
    }
    if (a[2] && !gptr(t, a[2], sizeof(old), WR)) return -LINUX_EFAULT;
    int rc = linux_do_sigaction(t, (int)a[0], a[1] ? &act : NULL, &old);
    if (rc) return rc;
    if (a[2]) memcpy(gptr(t, a[2], sizeof(old), WR), &old, sizeof(old));
    return 0;
}

static int64_t sys_sigprocmask(linux_thread_t *t, const uint64_t *a) {
    if (a[3] != 8) return -LINUX_EINVAL;
    uint64_t old = t->sigmask;
    if (a[1]) {
        linux_u64_t *g = gptr(t, a[1], 8, RD);
        if (!g) return -LINUX_EFAULT;
        uint64_t set = g->v & ~((1ull << (LINUX_SIGKILL - 1)) | (1ull << (LINUX_SIGSTOP - 1)));
        switch (a[0]) {
        case LINUX_SIG_BLOCK: t->sigmask |= set; break;
        case LINUX_SIG_UNBLOCK: t->sigmask &= ~set; break;
        case LINUX_SIG_SETMASK: t->sigmask = set; break;
        default: return -LINUX_EINVAL;
        }
    }
    if (a[2]) {
        linux_u64_t *g = gptr(t, a[2], 8, WR);
        if (!g) return -LINUX_EFAULT;
        g->v = old;
    }
    return 0;
}

static int64_t sys_sigaltstack(linux_thread_t *t, const uint64_t *a) {
    linux_stack_t old = t->altstack;
    if (a[1]) {
        linux_stack_t *g = gptr(t, a[1], sizeof(*g), WR);
        if (!g) return -LINUX_EFAULT;
        *g = old;
    }
    if (a[0]) {
        linux_stack_t *g = gptr(t, a[0], sizeof(*g), RD);
        if (!g) return -LINUX_EFAULT;
        if (g->ss_flags & LINUX_SS_DISABLE) {
            t->altstack = (linux_stack_t){0, LINUX_SS_DISABLE, 0, 0};
        } else {
            if (g->ss_flags & ~LINUX_SS_ONSTACK) return -LINUX_EINVAL;
            if (g->ss_size < LINUX_MINSIGSTKSZ) return -LINUX_ENOMEM;
            t->altstack = (linux_stack_t){g->ss_sp, 0, 0, g->ss_size};
        }
    }
    return 0;
}

/* Append the names of the bits of v set in a table, "|"-separated, and any rest in hex. */
typedef struct bit_name {
    uint64_t bit;     /* the flag */
    const char *name; /* its guest name */
} bit_name_t;

static int print_bits(char *out, size_t n, uint64_t v, const bit_name_t *names, size_t count,
                      const char *zero) {
    int k = 0;
    if (!v) return snprintf(out, n, "%s", zero);
    for (size_t i = 0; i < count && (size_t)k < n; i++)
        if (names[i].bit && (v & names[i].bit) == names[i].bit) {
            k += snprintf(out + k, n - (size_t)k, "%s%s", k ? "|" : "", names[i].name);
            v &= ~names[i].bit;
        }
    if (v && (size_t)k < n)
        k += snprintf(out + k, n - (size_t)k, "%s0x%llx", k ? "|" : "", (unsigned long long)v);
    return k;
}

static const bit_name_t open_names[] = {
    {LINUX_O_CREAT, "O_CREAT"},         {LINUX_O_EXCL, "O_EXCL"},
    {LINUX_O_NOCTTY, "O_NOCTTY"},       {LINUX_O_TRUNC, "O_TRUNC"},
    {LINUX_O_APPEND, "O_APPEND"},       {LINUX_O_NONBLOCK, "O_NONBLOCK"},
    {LINUX_O_DIRECTORY, "O_DIRECTORY"}, {LINUX_O_NOFOLLOW, "O_NOFOLLOW"},
    {LINUX_O_CLOEXEC, "O_CLOEXEC"},     {LINUX_O_PATH, "O_PATH"},
    {LINUX_O_LARGEFILE, "O_LARGEFILE"},
};
static const bit_name_t prot_names[] = {
    {LINUX_PROT_READ, "PROT_READ"},
    {LINUX_PROT_WRITE, "PROT_WRITE"},
    {LINUX_PROT_EXEC, "PROT_EXEC"},
};
static const bit_name_t map_names[] = {
    {LINUX_MAP_SHARED, "MAP_SHARED"},
    {LINUX_MAP_PRIVATE, "MAP_PRIVATE"},
    {LINUX_MAP_FIXED, "MAP_FIXED"},
    {LINUX_MAP_ANONYMOUS, "MAP_ANONYMOUS"},
    {LINUX_MAP_NORESERVE, "MAP_NORESERVE"},
    {LINUX_MAP_STACK, "MAP_STACK"},
    {LINUX_MAP_FIXED_NOREPLACE, "MAP_FIXED_NOREPLACE"},
};

/* One argument for --strace. */
static int strace_arg(linux_thread_t *t, char *out, size_t n, char fmt, uint64_t v) {
    static const char *acc[4] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};
    switch (fmt) {
    case 'd': return snprintf(out, n, "%lld", (long long)v);
    case 'u': return snprintf(out, n, "%llu", (unsigned long long)v);
    case 'f':
        if ((int)v == LINUX_AT_FDCWD) return snprintf(out, n, "AT_FDCWD");
        return snprintf(out, n, "%d", (int)v);
    case 's': {
        char s[256];
        if (v && gstr(t, v, s, sizeof(s)) == 0) return snprintf(out, n, "\"%.200s\"", s);
        return snprintf(out, n, "0x%llx", (unsigned long long)v);
    }
    case 'o': {
        int k = snprintf(out, n, "%s", acc[v & 3]);
        if ((v & ~3ull) && (size_t)k < n) {
            out[k++] = '|';
            k += print_bits(out + k, n - (size_t)k, v & ~3ull, open_names,
                            sizeof(open_names) / sizeof(open_names[0]), "");
        }
        return k;
    }
    case 'p':
        return print_bits(out, n, v, prot_names, sizeof(prot_names) / sizeof(prot_names[0]),
                          "PROT_NONE");
    case 'm':
        return print_bits(out, n, v, map_names, sizeof(map_names) / sizeof(map_names[0]), "0");
    case 'g': {
        int hs = linux_sig_to_host((int)v);
        const char *name = hs ? sigabbrev_np(hs) : NULL;
        if (name) return snprintf(out, n, "SIG%s", name);
        return snprintf(out, n, "%lld", (long long)v);
    }
    default: return snprintf(out, n, "0x%llx", (unsigned long long)v);
    }
}

/* Print one call for --strace. */
static void strace_print(linux_thread_t *t, uint64_t nr, const uint64_t *a, int64_t r, bool done) {
    const linux_systable_entry_t *e = linux_systable_find(nr);
    char line[1024];
    int n = snprintf(line, sizeof(line), "[%d] %s(", t->tid, e ? e->name : "?");
    const char *fmt = e ? e->args : "xxxxxx";
    if (!e) n += snprintf(line + n, sizeof(line) - (size_t)n, "#%llu, ", (unsigned long long)nr);
    for (int i = 0; fmt[i] && n < (int)sizeof(line) - 64; i++) {
        if (i) n += snprintf(line + n, sizeof(line) - (size_t)n, ", ");
        n += strace_arg(t, line + n, sizeof(line) - 64 - (size_t)n, fmt[i], a[i]);
    }
    if (n > (int)sizeof(line) - 64) n = (int)sizeof(line) - 64;
    if (!done)
        n += snprintf(line + n, sizeof(line) - (size_t)n, ") = ?\n");
    else if (r < 0 && r > -4096)
        n += snprintf(line + n, sizeof(line) - (size_t)n, ") = -1 errno %lld (%s)\n", (long long)-r,
                      strerror((int)-r));
    else
        n += snprintf(line + n, sizeof(line) - (size_t)n, ") = %lld (0x%llx)\n", (long long)r,
                      (unsigned long long)r);
    if (write(2, line, (size_t)n) < 0) {
        /* nothing sensible to do when stderr is gone */
    }
}

static int64_t unsupported(linux_thread_t *t, uint64_t nr) {
    if (nr < 512) {
        uint64_t bit = 1ull << (nr % 64);
        if (!(t->proc->warned[nr / 64] & bit)) {
            t->proc->warned[nr / 64] |= bit;
            const char *name = linux_syscall_name(nr);
            fprintf(stderr, "vm: unsupported system call %llu (%s), returning -ENOSYS\n",
                    (unsigned long long)nr, name ? name : "unknown");
        }
    } else {
        fprintf(stderr, "vm: unsupported system call %llu, returning -ENOSYS\n",
                (unsigned long long)nr);
    }
    return -LINUX_ENOSYS;
}

#define PATHBUF 4096
#define PATH_ARG(var, addr)                                                                        \
    char var[PATHBUF];                                                                             \
    do {                                                                                           \
        int rc_ = gpath(t, (addr), var, sizeof(var));                                              \
        if (rc_) return rc_;                                                                       \
    } while (0)
#define LOOKUP_ARG(var, addr)                                                                      \
    char var[PATHBUF];                                                                             \
    do {                                                                                           \
        int rc_ = gpath_lookup(t, (addr), var, sizeof(var));                                       \
        if (rc_) return rc_;                                                                       \
    } while (0)
#define BUF_ARG(var, addr, len, prot)                                                              \
    void *var = gptr(t, (addr), (len), (prot));                                                    \
    if (!var) return -LINUX_EFAULT

static int64_t dispatch(linux_thread_t *t, uint64_t nr, const uint64_t *a) {
    linux_space_t *sp = &t->proc->space;
    switch (nr) {
    /* ---- files ---- */
    case LINUX_NR_openat: {
        int fl = linux_open_flags_to_host(a[2]);
        if ((fl & O_ACCMODE) == O_RDONLY && !(fl & (O_CREAT | O_TRUNC | O_TMPFILE))) {
            LOOKUP_ARG(path, a[1]);
            char self_maps[64];
            snprintf(self_maps, sizeof(self_maps), "/proc/%d/maps", (int)getpid());
            if (!strcmp(path, "/proc/self/maps") || !strcmp(path, self_maps))
                return open_guest_maps(t, fl & O_CLOEXEC);
            if (!strcmp(path, "/proc/self/cmdline"))
                return memory_file(t->proc->cmdline, t->proc->cmdline_len, fl & O_CLOEXEC);
            if (!strcmp(path, "/proc/self/auxv"))
                return memory_file(t->proc->auxv, t->proc->auxv_len, fl & O_CLOEXEC);
            return hret(openat(hdirfd(a[0]), path, fl, (mode_t)a[3]));
        }
        PATH_ARG(path, a[1]);
        return hret(openat(hdirfd(a[0]), path, fl, (mode_t)a[3]));
    }
    case LINUX_NR_close: return hret(close((int)a[0]));
    case LINUX_NR_read: {
        BUF_ARG(p, a[1], a[2], WR);
        return hret(read((int)a[0], p, a[2]));
    }
    case LINUX_NR_write: {
        BUF_ARG(p, a[1], a[2], RD);
        return hret(write((int)a[0], p, a[2]));
    }
    case LINUX_NR_pread64: {
        BUF_ARG(p, a[1], a[2], WR);
        return hret(pread((int)a[0], p, a[2], (off_t)a[3]));
    }
    case LINUX_NR_pwrite64: {
        BUF_ARG(p, a[1], a[2], RD);
        return hret(pwrite((int)a[0], p, a[2], (off_t)a[3]));
    }
    case LINUX_NR_readv:
    case LINUX_NR_writev:
    case LINUX_NR_preadv:
    case LINUX_NR_pwritev: {
        bool rd = nr == LINUX_NR_readv || nr == LINUX_NR_preadv;
        struct iovec iov[IOV_MAX_GUEST];
        int rc = get_iov(t, a[1], a[2], rd ? WR : RD, iov);
        if (rc) return rc;
        int fd = (int)a[0], n = (int)a[2];
        switch (nr) {
        case LINUX_NR_readv: return hret(readv(fd, iov, n));
        case LINUX_NR_writev: return hret(writev(fd, iov, n));
        case LINUX_NR_preadv: return hret(preadv(fd, iov, n, (off_t)a[3]));
        default: return hret(pwritev(fd, iov, n, (off_t)a[3]));
        }
    }
    case LINUX_NR_lseek: return hret(lseek((int)a[0], (off_t)a[1], (int)a[2]));
    case LINUX_NR_fstat:
    case LINUX_NR_newfstatat: {
        struct stat h;
        int r;
        uint64_t out = nr == LINUX_NR_fstat ? a[1] : a[2];
        if (nr == LINUX_NR_fstat) {
            r = fstat((int)a[0], &h);
        } else {
            LOOKUP_ARG(path, a[1]);
            r = fstatat(hdirfd(a[0]), path, &h, hatflags(a[3]));
        }
        if (r < 0) return host_err();
        linux_stat_t *g = gptr(t, out, sizeof(*g), WR);
        if (!g) return -LINUX_EFAULT;
        linux_stat_from_host(g, &h);
        return 0;
    }
    case LINUX_NR_statx: {
        LOOKUP_ARG(path, a[1]);
        struct statx h;
        if (statx(hdirfd(a[0]), path, hatflags(a[2]) | (int)(a[2] & 0x6000 /* SYNC_* */),
                  (unsigned)a[3], &h) < 0)
            return host_err();
        linux_statx_t *g = gptr(t, a[4], sizeof(*g), WR);
        if (!g) return -LINUX_EFAULT;
        statx_from_host(g, &h);
        return 0;
    }
    case LINUX_NR_getdents64: {
        /* struct linux_dirent64 is the same on every Linux: the host fills the guest buffer */
        BUF_ARG(p, a[1], a[2], WR);
        return hret(syscall(SYS_getdents64, (int)a[0], p, (size_t)a[2]));
    }
    /* Extended attributes: names and values are bytes, the same on every Linux. */
    case LINUX_NR_getxattr:
    case LINUX_NR_lgetxattr:
    case LINUX_NR_fgetxattr: {
        char name[256];
        int rc = gstr(t, a[1], name, sizeof(name));
        if (rc) return rc;
        void *p = NULL;
        if (a[3]) {
            BUF_ARG(q, a[2], a[3], WR);
            p = q;
        }
        if (nr == LINUX_NR_fgetxattr) return hret(fgetxattr((int)a[0], name, p, a[3]));
        LOOKUP_ARG(path, a[0]);
        return hret(nr == LINUX_NR_getxattr ? getxattr(path, name, p, a[3])
                                            : lgetxattr(path, name, p, a[3]));
    }
    case LINUX_NR_listxattr:
    case LINUX_NR_llistxattr:
    case LINUX_NR_flistxattr: {
        char *p = NULL;
        if (a[2]) {
            BUF_ARG(q, a[1], a[2], WR);
            p = q;
        }
        if (nr == LINUX_NR_flistxattr) return hret(flistxattr((int)a[0], p, a[2]));
        LOOKUP_ARG(path, a[0]);
        return hret(nr == LINUX_NR_listxattr ? listxattr(path, p, a[2])
                                             : llistxattr(path, p, a[2]));
    }
    case LINUX_NR_readlinkat: {
        char path[PATHBUF];
        int rc = gstr(t, a[1], path, sizeof(path));
        if (rc) return rc;
        BUF_ARG(p, a[2], a[3], WR);
        if (!strcmp(path, "/proc/self/exe")) {
            size_t n = strlen(t->proc->exe_path);
            if (n > a[3]) n = a[3];
            memcpy(p, t->proc->exe_path, n);
            return (int64_t)n;
        }
        return hret(readlinkat(hdirfd(a[0]), path, p, a[3]));
    }
    case LINUX_NR_faccessat:
    case LINUX_NR_faccessat2: {
        LOOKUP_ARG(path, a[1]);
        int fl = nr == LINUX_NR_faccessat2
                     ? hatflags(a[3]) | ((a[3] & LINUX_AT_EACCESS) ? AT_EACCESS : 0)
                     : 0;
        return hret(faccessat(hdirfd(a[0]), path, (int)a[2], fl));
    }
    case LINUX_NR_unlinkat: {
        PATH_ARG(path, a[1]);
        return hret(unlinkat(hdirfd(a[0]), path, hatflags(a[2])));
    }
    case LINUX_NR_mkdirat: {
        PATH_ARG(path, a[1]);
        return hret(mkdirat(hdirfd(a[0]), path, (mode_t)a[2]));
    }
    case LINUX_NR_mknodat: {
        PATH_ARG(path, a[1]);
        return hret(mknodat(hdirfd(a[0]), path, (mode_t)a[2], (dev_t)a[3]));
    }
    case LINUX_NR_symlinkat: {
        PATH_ARG(target, a[0]);
        PATH_ARG(path, a[2]);
        return hret(symlinkat(target, hdirfd(a[1]), path));
    }
    case LINUX_NR_linkat: {
        PATH_ARG(from, a[1]);
        PATH_ARG(to, a[3]);
        return hret(linkat(hdirfd(a[0]), from, hdirfd(a[2]), to, hatflags(a[4])));
    }
    case LINUX_NR_renameat2: {
        PATH_ARG(from, a[1]);
        PATH_ARG(to, a[3]);
        return hret(syscall(SYS_renameat2, hdirfd(a[0]), from, hdirfd(a[2]), to, (unsigned)a[4]));
    }
    case LINUX_NR_fchmodat: {
        PATH_ARG(path, a[1]);
        return hret(fchmodat(hdirfd(a[0]), path, (mode_t)a[2], 0));
    }
    case LINUX_NR_fchmod: return hret(fchmod((int)a[0], (mode_t)a[1]));
    case LINUX_NR_fchownat: {
        PATH_ARG(path, a[1]);
        return hret(fchownat(hdirfd(a[0]), path, (uid_t)a[2], (gid_t)a[3], hatflags(a[4])));
    }
    case LINUX_NR_fchown: return hret(fchown((int)a[0], (uid_t)a[1], (gid_t)a[2]));
    case LINUX_NR_truncate: {
        PATH_ARG(path, a[0]);
        return hret(truncate(path, (off_t)a[1]));
    }
    case LINUX_NR_ftruncate: return hret(ftruncate((int)a[0], (off_t)a[1]));
    case LINUX_NR_fallocate: return hret(fallocate((int)a[0], (int)a[1], (off_t)a[2], (off_t)a[3]));
    case LINUX_NR_fsync: return hret(fsync((int)a[0]));
    case LINUX_NR_fdatasync: return hret(fdatasync((int)a[0]));
    case LINUX_NR_sync: sync(); return 0;
    case LINUX_NR_statfs:
    case LINUX_NR_fstatfs: {
        /* struct statfs of 64-bit asm-generic and x86-64: the same 120 bytes */
        BUF_ARG(p, a[1], 120, WR);
        if (nr == LINUX_NR_fstatfs) return hret(syscall(SYS_fstatfs, (int)a[0], p));
        PATH_ARG(path, a[0]);
        return hret(syscall(SYS_statfs, path, p));
    }
    case LINUX_NR_dup: return hret(dup((int)a[0]));
    case LINUX_NR_dup3:
        return hret(dup3((int)a[0], (int)a[1], (a[2] & LINUX_O_CLOEXEC) ? O_CLOEXEC : 0));
    case LINUX_NR_fcntl: return sys_fcntl(t, a);
    case LINUX_NR_flock: return hret(flock((int)a[0], (int)a[1]));
    case LINUX_NR_fadvise64: {
        int r = posix_fadvise((int)a[0], (off_t)a[1], (off_t)a[2], (int)a[3]);
        return r ? -(int64_t)linux_errno_from_host(r) : 0;
    }
    case LINUX_NR_close_range:
        return hret(syscall(SYS_close_range, (unsigned)a[0], (unsigned)a[1], (unsigned)a[2]));
    case LINUX_NR_eventfd2:
        return hret(
            eventfd((unsigned)a[0], linux_open_flags_to_host(a[1]) & (O_CLOEXEC | O_NONBLOCK)));
    case LINUX_NR_memfd_create: {
        PATH_ARG(name, a[0]);
        return hret(memfd_create(name, (unsigned)a[1]));
    }
    case LINUX_NR_copy_file_range: {
        /* the two offsets are optional 64-bit guest words */
        off_t offs[2], *op[2] = {NULL, NULL};
        linux_s64_t *g[2] = {NULL, NULL};
        for (int i = 0; i < 2; i++) {
            uint64_t ga = a[1 + 2 * i];
            if (!ga) continue;
            if (!(g[i] = gptr(t, ga, 8, RD | WR))) return -LINUX_EFAULT;
            offs[i] = g[i]->v;
            op[i] = &offs[i];
        }
        ssize_t r = copy_file_range((int)a[0], op[0], (int)a[2], op[1], a[4], (unsigned)a[5]);
        if (r < 0) return host_err();
        for (int i = 0; i < 2; i++)
            if (g[i]) g[i]->v = offs[i];
        return r;
    }
    case LINUX_NR_timerfd_create:
        return hret(
            timerfd_create((int)a[0], linux_open_flags_to_host(a[1]) & (O_CLOEXEC | O_NONBLOCK)));
    case LINUX_NR_timerfd_settime:
    case LINUX_NR_timerfd_gettime: {
        /* struct itimerspec: two timespecs of two 64-bit words on both */
        _Static_assert(sizeof(struct itimerspec) == 32, "host itimerspec layout");
        struct itimerspec nv, ov;
        uint64_t out = nr == LINUX_NR_timerfd_gettime ? a[1] : a[3];
        if (nr == LINUX_NR_timerfd_settime) {
            BUF_ARG(p, a[2], 32, RD);
            memcpy(&nv, p, 32);
            if (timerfd_settime((int)a[0], (int)a[1], &nv, &ov) < 0) return host_err();
        } else if (timerfd_gettime((int)a[0], &ov) < 0) {
            return host_err();
        }
        if (out) {
            BUF_ARG(p, out, 32, WR);
            memcpy(p, &ov, 32);
        }
        return 0;
    }
    case LINUX_NR_ioctl: return sys_ioctl(t, a);
    case LINUX_NR_pipe2: {
        BUF_ARG(p, a[0], 8, WR);
        int fds[2];
        if (pipe2(fds, linux_open_flags_to_host(a[1])) < 0) return host_err();
        memcpy(p, fds, 8);
        return 0;
    }
    case LINUX_NR_getcwd: {
        BUF_ARG(p, a[0], a[1], WR);
        if (!getcwd(p, a[1])) return host_err();
        return (int64_t)strlen(p) + 1;
    }
    case LINUX_NR_chdir: {
        PATH_ARG(path, a[0]);
        return hret(chdir(path));
    }
    case LINUX_NR_fchdir: return hret(fchdir((int)a[0]));
    case LINUX_NR_utimensat: {
        struct timespec ts[2], *tp = NULL;
        if (a[2]) {
            linux_timespec_t *g = gptr(t, a[2], 2 * sizeof(*g), RD);
            if (!g) return -LINUX_EFAULT;
            for (int i = 0; i < 2; i++)
                ts[i] = (struct timespec){g[i].tv_sec, g[i].tv_nsec};
            tp = ts;
        }
        if (!a[1]) return hret(futimens((int)a[0], tp));
        PATH_ARG(path, a[1]);
        return hret(utimensat(hdirfd(a[0]), path, tp, hatflags(a[3])));
    }
    case LINUX_NR_sendfile: {
        off_t off, *op = NULL;
        linux_s64_t *g = NULL;
        if (a[2]) {
            g = gptr(t, a[2], 8, RD | WR);
            if (!g) return -LINUX_EFAULT;
            off = g->v;
            op = &off;
        }
        ssize_t r = sendfile((int)a[0], (int)a[1], op, a[3]);
        if (r < 0) return host_err();
        if (g) g->v = off;
        return r;
    }
    case LINUX_NR_ppoll: {
        if (a[1] > 65536) return -LINUX_EINVAL;
        BUF_ARG(p, a[0], a[1] * sizeof(linux_pollfd_t), RD | WR);
        _Static_assert(sizeof(struct pollfd) == sizeof(linux_pollfd_t), "pollfd layout");
        struct timespec ts, *tsp;
        if (get_timespec(t, a[2], &ts, &tsp)) return -LINUX_EFAULT;
        int mrc = temp_sigmask(t, a[3], a[4]);
        if (mrc) return mrc;
        int r = ppoll(p, a[1], tsp, NULL);
        if (r < 0) return host_err();
        put_timespec(t, a[2], &ts);
        return r;
    }
    case LINUX_NR_pselect6: {
        if (a[0] > 65536) return -LINUX_EINVAL;
        /* fd_set is a bit array of 64-bit words on both */
        void *fds[3] = {0};
        for (int i = 0; i < 3; i++)
            if (a[1 + i] && !(fds[i] = gptr(t, a[1 + i], (a[0] + 7) / 8, RD | WR)))
                return -LINUX_EFAULT;
        struct timespec ts, *tsp;
        if (get_timespec(t, a[4], &ts, &tsp)) return -LINUX_EFAULT;
        if (a[5]) {
            /* the sixth argument points at { const sigset_t *ss; size_t ss_len; } */
            linux_u64_t *sig = gptr(t, a[5], 16, RD);
            if (!sig) return -LINUX_EFAULT;
            int mrc = temp_sigmask(t, sig[0].v, sig[1].v);
            if (mrc) return mrc;
        }
        int r = pselect((int)a[0], fds[0], fds[1], fds[2], tsp, NULL);
        return hret(r);
    }
    case LINUX_NR_epoll_create1:
        return hret(epoll_create1((a[0] & LINUX_O_CLOEXEC) ? EPOLL_CLOEXEC : 0));
    case LINUX_NR_epoll_ctl: return sys_epoll_ctl(t, a);
    case LINUX_NR_epoll_pwait: return sys_epoll_pwait(t, a);
    /* ---- memory ---- */
    case LINUX_NR_brk: return (int64_t)linux_space_brk(sp, a[0]);
    case LINUX_NR_mmap: return sys_mmap(t, a);
    case LINUX_NR_munmap: return linux_space_munmap(sp, a[0], a[1]);
    case LINUX_NR_mprotect: return linux_space_mprotect(sp, a[0], a[1], (int)a[2]);
    case LINUX_NR_mremap: return linux_space_mremap(sp, a[0], a[1], a[2], (int)a[3], a[4]);
    case LINUX_NR_madvise:
        if (a[2] == LINUX_MADV_DONTNEED) return linux_space_dontneed(sp, a[0], a[1]);
        return 0;
    case LINUX_NR_msync: return hret(msync(linux_space_ptr(sp, a[0]), a[1], (int)a[2]));
    case LINUX_NR_riscv_flush_icache: linux_code_changed(t, 0, UINT64_MAX); return 0;
    case LINUX_NR_riscv_hwprobe: return -LINUX_ENOSYS;
    case LINUX_NR_membarrier: return -LINUX_ENOSYS;
    /* ---- time ---- */
    case LINUX_NR_clock_gettime:
    case LINUX_NR_clock_getres: {
        struct timespec ts;
        int r = nr == LINUX_NR_clock_gettime ? clock_gettime((clockid_t)a[0], &ts)
                                             : clock_getres((clockid_t)a[0], &ts);
        if (r < 0) return host_err();
        return put_timespec(t, a[1], &ts);
    }
    case LINUX_NR_gettimeofday: {
        struct timeval tv;
        gettimeofday(&tv, NULL);
        if (a[0]) {
            linux_timeval_t *g = gptr(t, a[0], sizeof(*g), WR);
            if (!g) return -LINUX_EFAULT;
            *g = (linux_timeval_t){tv.tv_sec, tv.tv_usec};
        }
        return 0;
    }
    case LINUX_NR_nanosleep:
    case LINUX_NR_clock_nanosleep: {
        const uint64_t *b = nr == LINUX_NR_nanosleep ? a : a + 2;
        struct timespec req, rem = {0, 0}, *rp;
        if (get_timespec(t, b[0], &req, &rp) || !rp) return -LINUX_EFAULT;
        int r = nr == LINUX_NR_nanosleep ? nanosleep(&req, &rem)
                                         : -clock_nanosleep((clockid_t)a[0], (int)a[1], &req, &rem);
        if (nr == LINUX_NR_clock_nanosleep && r < 0) errno = -r;
        if (r < 0) {
            int64_t e = host_err();
            if (e == -LINUX_EINTR) put_timespec(t, b[1], &rem);
            return e;
        }
        return 0;
    }
    case LINUX_NR_times: {
        struct tms h;
        clock_t r = times(&h);
        if (a[0]) {
            linux_tms_t *g = gptr(t, a[0], sizeof(*g), WR);
            if (!g) return -LINUX_EFAULT;
            *g = (linux_tms_t){h.tms_utime, h.tms_stime, h.tms_cutime, h.tms_cstime};
        }
        return r;
    }
    case LINUX_NR_getitimer:
    case LINUX_NR_setitimer: {
        /* struct itimerval: two timevals of two longs on both */
        if (nr == LINUX_NR_getitimer) {
            BUF_ARG(p, a[1], sizeof(struct itimerval), WR);
            return hret(getitimer((int)a[0], p));
        }
        BUF_ARG(p, a[1], sizeof(struct itimerval), RD);
        void *o = a[2] ? gptr(t, a[2], sizeof(struct itimerval), WR) : NULL;
        if (a[2] && !o) return -LINUX_EFAULT;
        return hret(setitimer((int)a[0], p, o));
    }
    /* ---- process ---- */
    case LINUX_NR_exit: linux_do_exit(t, (int)a[0], false); return 0;
    case LINUX_NR_exit_group: linux_do_exit(t, (int)a[0], true); return 0;
    case LINUX_NR_getpid: return getpid();
    case LINUX_NR_getppid: return getppid();
    case LINUX_NR_gettid: return t->tid;
    case LINUX_NR_getuid: return getuid();
    case LINUX_NR_geteuid: return geteuid();
    case LINUX_NR_getgid: return getgid();
    case LINUX_NR_getegid: return getegid();
    case LINUX_NR_getresuid:
    case LINUX_NR_getresgid: {
        uint32_t v[3];
        if (nr == LINUX_NR_getresuid) {
            uid_t r, e, s;
            getresuid(&r, &e, &s);
            v[0] = r, v[1] = e, v[2] = s;
        } else {
            gid_t r, e, s;
            getresgid(&r, &e, &s);
            v[0] = r, v[1] = e, v[2] = s;
        }
        for (int i = 0; i < 3; i++) {
            BUF_ARG(p, a[i], 4, WR);
            memcpy(p, &v[i], 4);
        }
        return 0;
    }
    case LINUX_NR_setuid: return hret(setuid((uid_t)a[0]));
    case LINUX_NR_setgid: return hret(setgid((gid_t)a[0]));
    case LINUX_NR_setreuid: return hret(setreuid((uid_t)a[0], (uid_t)a[1]));
    case LINUX_NR_setregid: return hret(setregid((gid_t)a[0], (gid_t)a[1]));
    case LINUX_NR_setresuid: return hret(setresuid((uid_t)a[0], (uid_t)a[1], (uid_t)a[2]));
    case LINUX_NR_setresgid: return hret(setresgid((gid_t)a[0], (gid_t)a[1], (gid_t)a[2]));
    case LINUX_NR_getgroups: {
        int n = (int)a[0];
        if (n < 0 || n > 65536) return -LINUX_EINVAL;
        if (n == 0) return hret(getgroups(0, NULL));
        BUF_ARG(p, a[1], (uint64_t)n * 4, WR);
        return hret(getgroups(n, p));
    }
    case LINUX_NR_setpgid: return hret(setpgid((pid_t)a[0], (pid_t)a[1]));
    case LINUX_NR_getpgid: return hret(getpgid((pid_t)a[0]));
    case LINUX_NR_getsid: return hret(getsid((pid_t)a[0]));
    case LINUX_NR_setsid: return hret(setsid());
    case LINUX_NR_umask: return umask((mode_t)a[0]);
    case LINUX_NR_getpriority: return hret(syscall(SYS_getpriority, (int)a[0], (int)a[1]));
    case LINUX_NR_setpriority: return hret(setpriority((int)a[0], (id_t)a[1], (int)a[2]));
    case LINUX_NR_uname: return sys_uname(t, a[0]);
    case LINUX_NR_sysinfo: return sys_sysinfo(t, a[0]);
    case LINUX_NR_getrlimit: {
        uint64_t b[4] = {0, a[0], 0, a[1]};
        return sys_prlimit(t, b);
    }
    case LINUX_NR_setrlimit: {
        uint64_t b[4] = {0, a[0], a[1], 0};
        return sys_prlimit(t, b);
    }
    case LINUX_NR_prlimit64: return sys_prlimit(t, a);
    case LINUX_NR_getrusage: return sys_getrusage(t, a);
    case LINUX_NR_prctl:
        switch (a[0]) {
        case 15 /* PR_SET_NAME */:
        case 16 /* PR_GET_NAME */: {
            BUF_ARG(p, a[1], 16, a[0] == 15 ? RD : WR);
            return hret(prctl((int)a[0], p, 0, 0, 0));
        }
        default: return -LINUX_EINVAL;
        }
    case LINUX_NR_getrandom: {
        BUF_ARG(p, a[0], a[1], WR);
        return hret(getrandom(p, a[1], (unsigned)a[2]));
    }
    case LINUX_NR_sched_getaffinity: {
        if (a[1] == 0 || a[1] > 4096) return -LINUX_EINVAL;
        BUF_ARG(p, a[2], a[1], WR);
        return hret(syscall(SYS_sched_getaffinity, (pid_t)a[0], (size_t)a[1], p));
    }
    case LINUX_NR_sched_setaffinity: {
        if (a[1] > 4096) return -LINUX_EINVAL;
        BUF_ARG(p, a[2], a[1], RD);
        return hret(syscall(SYS_sched_setaffinity, (pid_t)a[0], (size_t)a[1], p));
    }
    case LINUX_NR_sched_yield: sched_yield(); return 0;
    /* Scheduling policies and struct sched_param are the same on every Linux. */
    case LINUX_NR_sched_getscheduler: return hret(sched_getscheduler((pid_t)a[0]));
    case LINUX_NR_sched_getparam: {
        BUF_ARG(p, a[1], sizeof(struct sched_param), WR);
        struct sched_param sp_;
        if (sched_getparam((pid_t)a[0], &sp_) < 0) return host_err();
        memcpy(p, &sp_, sizeof(sp_));
        return 0;
    }
    case LINUX_NR_sched_get_priority_max: return hret(sched_get_priority_max((int)a[0]));
    case LINUX_NR_sched_get_priority_min: return hret(sched_get_priority_min((int)a[0]));
    case LINUX_NR_getcpu: {
        unsigned cpu = 0, node = 0;
        if (getcpu(&cpu, &node) < 0) return host_err();
        if (a[0]) {
            BUF_ARG(p, a[0], 4, WR);
            memcpy(p, &cpu, 4);
        }
        if (a[1]) {
            BUF_ARG(p, a[1], 4, WR);
            memcpy(p, &node, 4);
        }
        return 0;
    }
    case LINUX_NR_set_tid_address: t->clear_child_tid = a[0]; return t->tid;
    case LINUX_NR_set_robust_list: return a[1] == 24 ? 0 : -LINUX_EINVAL;
    case LINUX_NR_rseq: return -LINUX_ENOSYS;   /* glibc runs without restartable sequences */
    case LINUX_NR_clone3: return -LINUX_ENOSYS; /* C libraries fall back to clone */
    case LINUX_NR_futex: return sys_futex(t, a);
    case LINUX_NR_clone: return linux_do_clone(t, a[0], a[1], a[2], a[3], a[4]);
    case LINUX_NR_execve: return linux_do_execve(t, a[0], a[1], a[2]);
    case LINUX_NR_wait4: return sys_wait4(t, a);
    /* ---- signals ---- */
    case LINUX_NR_rt_sigaction: return sys_sigaction(t, a);
    case LINUX_NR_rt_sigprocmask: return sys_sigprocmask(t, a);
    case LINUX_NR_rt_sigreturn: return linux_do_sigreturn(t);
    case LINUX_NR_sigaltstack: return sys_sigaltstack(t, a);
    case LINUX_NR_rt_sigpending: {
        BUF_ARG(p, a[0], 8, WR);
        uint64_t v = atomic_load(&t->pending) & t->sigmask;
        memcpy(p, &v, 8);
        return 0;
    }
    case LINUX_NR_rt_sigsuspend: {
        if (a[1] != 8) return -LINUX_EINVAL;
        BUF_ARG(p, a[0], 8, RD);
        uint64_t m;
        memcpy(&m, p, 8);
        /* wait with the given mask; the handler then runs with it, and the old mask comes
         * back through the frame's uc_sigmask (or right after, when no handler runs) */
        t->saved_mask = t->sigmask;
        t->restore_mask = true;
        t->sigmask = m & ~((1ull << (LINUX_SIGKILL - 1)) | (1ull << (LINUX_SIGSTOP - 1)));
        while (!(atomic_load(&t->pending) & ~t->sigmask)) {
            struct timespec nap = {0, 10 * 1000 * 1000}; /* a signal cuts it short */
            nanosleep(&nap, NULL);
        }
        return -LINUX_EINTR;
    }
    case LINUX_NR_kill: {
        int hs = linux_sig_to_host((int)a[1]);
        if (a[1] && !hs) return -LINUX_EINVAL;
        if ((pid_t)a[0] == getpid() && a[1]) {
            linux_raise(t, (int)a[1]);
            return 0;
        }
        return hret(kill((pid_t)a[0], hs));
    }
    case LINUX_NR_tkill:
    case LINUX_NR_tgkill: {
        uint64_t sig = nr == LINUX_NR_tkill ? a[1] : a[2];
        pid_t tid = (pid_t)(nr == LINUX_NR_tkill ? a[0] : a[1]);
        int hs = linux_sig_to_host((int)sig);
        if (sig && !hs) return -LINUX_EINVAL;
        if (tid == t->tid && sig) {
            linux_raise(t, (int)sig);
            return 0;
        }
        return hret(syscall(SYS_tgkill, nr == LINUX_NR_tkill ? getpid() : (pid_t)a[0], tid, hs));
    }
    /* ---- sockets: addresses, options and flags have the same encoding on every Linux ---- */
    case LINUX_NR_socket: return hret(socket((int)a[0], (int)a[1], (int)a[2]));
    case LINUX_NR_socketpair: {
        BUF_ARG(p, a[3], 8, WR);
        return hret(socketpair((int)a[0], (int)a[1], (int)a[2], p));
    }
    case LINUX_NR_bind:
    case LINUX_NR_connect: {
        void *addr = gsockaddr(t, a[1], a[2]);
        if (!addr) return -LINUX_EFAULT;
        return hret(nr == LINUX_NR_bind ? bind((int)a[0], addr, (socklen_t)a[2])
                                        : connect((int)a[0], addr, (socklen_t)a[2]));
    }
    case LINUX_NR_listen: return hret(listen((int)a[0], (int)a[1]));
    case LINUX_NR_accept:
    case LINUX_NR_accept4:
    case LINUX_NR_getsockname:
    case LINUX_NR_getpeername: {
        void *addr = NULL;
        linux_u32_t *lenp = NULL;
        socklen_t len = 0;
        if (a[1]) {
            lenp = gptr(t, a[2], 4, RD | WR);
            if (!lenp) return -LINUX_EFAULT;
            len = lenp->v;
            addr = gptr(t, a[1], len, WR);
            if (!addr) return -LINUX_EFAULT;
        }
        socklen_t *lp = lenp ? &len : NULL;
        long r;
        switch (nr) {
        case LINUX_NR_accept: r = accept((int)a[0], addr, lp); break;
        case LINUX_NR_accept4: r = accept4((int)a[0], addr, lp, (int)a[3]); break;
        case LINUX_NR_getsockname: r = getsockname((int)a[0], addr, lp); break;
        default: r = getpeername((int)a[0], addr, lp); break;
        }
        if (r >= 0 && lenp) lenp->v = len;
        return hret(r);
    }
    case LINUX_NR_sendto: {
        BUF_ARG(p, a[1], a[2], RD);
        void *addr = a[4] ? gsockaddr(t, a[4], a[5]) : NULL;
        if (a[4] && !addr) return -LINUX_EFAULT;
        return hret(sendto((int)a[0], p, a[2], (int)a[3], addr, (socklen_t)a[5]));
    }
    case LINUX_NR_recvfrom: {
        BUF_ARG(p, a[1], a[2], WR);
        void *addr = NULL;
        linux_u32_t *lenp = NULL;
        socklen_t len = 0;
        if (a[4]) {
            lenp = gptr(t, a[5], 4, RD | WR);
            if (!lenp) return -LINUX_EFAULT;
            len = lenp->v;
            addr = gptr(t, a[4], len, WR);
            if (!addr) return -LINUX_EFAULT;
        }
        long r = recvfrom((int)a[0], p, a[2], (int)a[3], addr, lenp ? &len : NULL);
        if (r >= 0 && lenp) lenp->v = len;
        return hret(r);
    }
    case LINUX_NR_setsockopt: {
        BUF_ARG(p, a[3], a[4], RD);
        return hret(setsockopt((int)a[0], (int)a[1], (int)a[2], p, (socklen_t)a[4]));
    }
    case LINUX_NR_getsockopt: {
        linux_u32_t *lenp = gptr(t, a[4], 4, RD | WR);
        if (!lenp) return -LINUX_EFAULT;
        socklen_t len = lenp->v;
        BUF_ARG(p, a[3], len, WR);
        long r = getsockopt((int)a[0], (int)a[1], (int)a[2], p, &len);
        if (r >= 0) lenp->v = len;
        return hret(r);
    }
    case LINUX_NR_shutdown: return hret(shutdown((int)a[0], (int)a[1]));
    case LINUX_NR_sendmsg: return sys_msg(t, a, true);
    case LINUX_NR_recvmsg: return sys_msg(t, a, false);
    default: return unsupported(t, nr);
    }
}

int64_t linux_syscall(linux_thread_t *t, uint64_t nr, const uint64_t a[6]) {
    bool strace = t->proc->opt.strace;
    /* calls that do not return on success are shown before they run */
    bool early = strace && (nr == LINUX_NR_exit || nr == LINUX_NR_exit_group ||
                            nr == LINUX_NR_execve || nr == LINUX_NR_rt_sigreturn);
    if (early) strace_print(t, nr, a, 0, false);
    int64_t r = dispatch(t, nr, a);
    if (strace && (!early || r < 0)) strace_print(t, nr, a, r, true);
    return r;
}
