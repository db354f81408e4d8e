/* sys_util.c - helpers shared by the system call handlers: guest strings and paths copied in
 * page by page (each page checked before it is read), the guest/host tables for open and
 * AT_* flags, struct stat and struct timespec conversions, the temporary signal mask of
 * ppoll/pselect6 and guest iovec arrays. Each helper reads and writes guest memory only
 * through the fault-safe copies of copy.h and reports a bad guest pointer as -LINUX_EFAULT. */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux/safe_syscall.h"
#include "linux/sys_util.h"

int sys_str(linux_thread_t *t, uint64_t a, char *buf, size_t n) {
    return linux_copy_str_from_guest(t, buf, a, n);
}

int sys_resolve(linux_thread_t *t, uint64_t dirfd, uint64_t a, linux_path_mode_t mode,
                linux_path_t *out) {
    /* nothing for the caller's scoped release to close, even when the path cannot be read */
    out->tmpfd = -1;
    char g[PATHBUF];
    int rc = sys_str(t, a, g, sizeof(g));
    if (rc) return rc;
    rc = linux_path_resolve(t, (int)dirfd, g, mode, out);
    if (rc) return rc;
    /* /proc/self/exe (not a readlink): the guest program's file */
    if (out->kind == LINUX_PROC_EXE)
        snprintf(out->host, sizeof(out->host), "%s", t->proc->exe_host);
    return 0;
}

int sys_dirfd(uint64_t fd) {
    return (int)fd == LINUX_AT_FDCWD ? AT_FDCWD : (int)fd;
}

int sys_atflags(uint64_t g) {
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

int sys_get_timespec(linux_thread_t *t, uint64_t a, struct timespec *buf, struct timespec **out) {
    if (!a) {
        *out = NULL;
        return 0;
    }
    linux_timespec_t g;
    if (linux_copy_from_guest(t, &g, a, sizeof(g))) return -LINUX_EFAULT;
    buf->tv_sec = g.tv_sec;
    buf->tv_nsec = g.tv_nsec;
    *out = buf;
    return 0;
}

int sys_put_timespec(linux_thread_t *t, uint64_t a, const struct timespec *h) {
    if (!a) return 0;
    linux_timespec_t g = {h->tv_sec, h->tv_nsec};
    return linux_copy_to_guest(t, a, &g, sizeof(g));
}

/* The mask holds while the call waits, the old one comes back afterwards (through the frame
 * when a handler runs, as rt_sigsuspend does). */
int sys_temp_sigmask(linux_thread_t *t, uint64_t mask_addr, uint64_t size) {
    if (!mask_addr) return 0;
    if (size != 8) return -LINUX_EINVAL;
    uint64_t m;
    if (linux_copy_from_guest(t, &m, mask_addr, 8)) return -LINUX_EFAULT;
    t->saved_mask = t->sigmask;
    t->restore_mask = true;
    t->sigmask = m & ~SYS_UNBLOCKABLE;
    linux_catch_blocked_dfl(t, t->sigmask);
    if (atomic_load(&t->pending) & ~t->sigmask) return -LINUX_EINTR;
    return 0;
}

bool sys_wait_begin(linux_thread_t *t, uint64_t want, sigset_t *old, sigset_t *wait) {
    sigset_t all;
    sigfillset(&all);
    sigdelset(&all, SIGSEGV); /* synchronous faults stay deliverable (SIGBUS is also the
                                 expiry of a timer whose guest signal has no host number,
                                 which must not slip in before the wait: no guest memory is
                                 touched meanwhile) */
    pthread_sigmask(SIG_BLOCK, &all, old);
    if (linux_pending(t) & ~t->sigmask) {
        pthread_sigmask(SIG_SETMASK, old, NULL);
        return false;
    }
    /* the wait lets in what the guest would see, and only that */
    linux_wait_host_mask(t, want, wait);
    sigorset(wait, wait, old);
    return true;
}

/* sys_block's loop; again_on_eintr: a host EINTR while no signal the guest sees is pending is
 * made again (the calls sys_block_wait does not cover: a socket with a timeout). */
static long block_call(linux_thread_t *t, long nr, const long a[6], bool again_on_eintr) {
    for (;;) {
        /* a signal from here on sets the flag (or, in the stub's window, moves the pc) */
        t->sig_ready = 0;
        atomic_signal_fence(memory_order_seq_cst);
        if (linux_pending(t) & ~t->sigmask) {
            errno = LINUX_HOST_ERESTART;
            return -1;
        }
        long r = linux_safe_syscall(&t->sig_ready, nr, a[0], a[1], a[2], a[3], a[4], a[5]);
        if (r == -LINUX_HOST_ERESTART && !(linux_pending(t) & ~t->sigmask)) {
            /* a signal for the process that this thread blocks (another thread takes it),
             * or one that another thread took first: wait again */
            linux_route_shared(t);
            continue;
        }
        if (r == -EINTR && again_on_eintr && !(linux_pending(t) & ~t->sigmask)) {
            /* Linux never restarts it, but the signal that ended it is one the guest does not
             * see here: blocked by this thread (another takes it), or dropped at SIG_DFL */
            linux_route_shared(t);
            continue;
        }
        if (r < 0 && r > -4096) {
            errno = (int)-r;
            return -1;
        }
        return r;
    }
}

long sys_block(linux_thread_t *t, long nr, const long a[6]) {
    return block_call(t, nr, a, true);
}

long sys_block_wait(linux_thread_t *t, long nr, const long a[6]) {
    sigset_t quiet, old;
    linux_wait_host_mask(t, 0, &quiet);
    bool any = !sigisemptyset(&quiet);
    if (any) pthread_sigmask(SIG_BLOCK, &quiet, &old);
    long r = block_call(t, nr, a, false);
    if (any) sys_wait_end(&old);
    return r;
}

void sys_wait_end(const sigset_t *old) {
    int e = errno;
    pthread_sigmask(SIG_SETMASK, old, NULL);
    errno = e;
}

int sys_get_iov(linux_thread_t *t, uint64_t a, uint64_t n, int prot, struct iovec *h) {
    if (n > IOV_MAX_GUEST) return -LINUX_EINVAL;
    for (uint64_t i = 0; i < n; i++) {
        linux_iovec_t g;
        if (linux_copy_from_guest(t, &g, a + i * sizeof(g), sizeof(g))) return -LINUX_EFAULT;
        void *p = sys_ptr(t, g.iov_base, g.iov_len, prot);
        if (!p) return -LINUX_EFAULT;
        h[i].iov_base = p;
        h[i].iov_len = g.iov_len;
    }
    return 0;
}
