/* signalfd.c - signalfd4: a descriptor that reads the guest's pending signals.
 *
 * The host kernel's own signalfd cannot serve the guest: vm keeps the guest's pending signals
 * itself (signal.c), and guest signals 32 and 33 have no host number at all. So a guest
 * signalfd is one end of a host AF_UNIX socket pair, and vm keeps the other end (one of its
 * own descriptors, core/hostfd.h, which the guest cannot name). The socket carries no data,
 * only readiness: whenever a signal of a signalfd's mask becomes pending for the process (a
 * signal pending for one thread alone: see "readiness per thread" below), whoever raised it (a
 * system call, or vm's host signal handler: a send is safe there) sends one byte to the guest's
 * end, so that poll, select and epoll of the guest's descriptor, which are host calls on a host
 * socket, see it readable and wake. A guest `read` of the descriptor is vm's: it takes the pending
 * signals of the mask (the reading thread's, then the process's, lowest first, one queued instance
 * at a time) as struct signalfd_siginfo, drains the bytes and sends one again when a signal of the
 * mask is still pending for the process. With nothing pending it returns EAGAIN (O_NONBLOCK) or
 * waits as sigwaitinfo does, and a handled signal that comes first restarts it (SA_RESTART)
 * or ends it with EINTR, as Linux does.
 *
 * The guest's end is recognised by its inode (fstat), which is unique to the pair, so dup,
 * fork and descriptor passing keep it a signalfd; a read looks only while a signalfd exists.
 * The mask of an existing descriptor changes with signalfd4(fd, ...). vm's end reports a hang
 * up once the guest closed every copy of its end: the slot is then reused.
 *
 * A signal the guest blocks reaches vm as a host signal on any thread whose host mask lets it
 * in, and a thread waiting in poll or epoll_wait keeps the signals its guest mask blocks
 * blocked on the host (linux_wait_host_mask), so a single-threaded event loop would never see
 * it. A listener thread of vm's (started with the first signalfd) therefore waits with exactly
 * the signals of the signalfds' masks open: the kernel hands it a process-directed signal that
 * no guest thread lets in, its handler makes the signal pending for the process (and the
 * signalfds readable), and it routes a signal that a guest thread does not block to that thread
 * (linux_route_shared_proc). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/hostfd.h"
#include "linux/sys_util.h"

static uint64_t bit(int sig) {
    return 1ull << (sig - 1);
}

/* One byte to the guest's end of s: it reads as readable. Safe in a signal handler. */
static void slot_notify(linux_sfd_t *s) {
    int e = errno;
    send(atomic_load(&s->notify_fd), "", 1, MSG_DONTWAIT | MSG_NOSIGNAL);
    errno = e;
}

void linux_sfd_notify(linux_proc_t *p, int sig) {
    if (!(atomic_load(&p->sfd_mask) & bit(sig))) return;
    for (int i = 0; i < LINUX_SFD_MAX; i++) {
        linux_sfd_t *s = &p->sfd[i];
        atomic_fetch_add(&s->busy, 1);
        if (atomic_load(&s->mask) & bit(sig)) slot_notify(s);
        atomic_fetch_sub(&s->busy, 1);
    }
}

/* Recompute the union of the masks and let the listener wait with it (under sig_lock). */
static void masks_changed(linux_proc_t *p) {
    uint64_t m = 0;
    for (int i = 0; i < LINUX_SFD_MAX; i++)
        m |= atomic_load(&p->sfd[i].mask);
    atomic_store(&p->sfd_mask, m);
    if (p->sfd_listener_pid == getpid()) {
        uint64_t one = 1;
        if (write(p->sfd_wake_fd, &one, sizeof(one)) < 0) {
            /* the counter is full: the listener wakes anyway */
        }
    }
}

/* Free slot s, whose guest end is closed (under sig_lock). */
static void slot_free(linux_proc_t *p, linux_sfd_t *s) {
    atomic_store(&s->mask, 0);
    atomic_store(&s->used, false);
    masks_changed(p);
    /* a handler that saw the old mask may be sending: wait for it */
    while (atomic_load(&s->busy))
        sched_yield();
    int fd = atomic_load(&s->notify_fd);
    vm_hostfd_remove(fd);
    close(fd);
    atomic_fetch_sub(&p->sfd_count, 1);
}

/* Free the slots whose guest ends are all closed (under sig_lock). */
static void collect(linux_proc_t *p) {
    for (int i = 0; i < LINUX_SFD_MAX; i++) {
        linux_sfd_t *s = &p->sfd[i];
        if (!atomic_load(&s->used)) continue;
        struct pollfd pf = {atomic_load(&s->notify_fd), POLLOUT, 0};
        if (poll(&pf, 1, 0) == 1 && (pf.revents & (POLLHUP | POLLERR))) slot_free(p, s);
    }
}

/* The slot of guest descriptor fd, or NULL when it is not a signalfd. */
static linux_sfd_t *slot_of(linux_proc_t *p, int fd) {
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) return NULL;
    for (int i = 0; i < LINUX_SFD_MAX; i++) {
        linux_sfd_t *s = &p->sfd[i];
        if (atomic_load(&s->used) && s->dev == (unsigned long long)st.st_dev &&
            s->ino == (unsigned long long)st.st_ino)
            return s;
    }
    return NULL;
}

/* The listener: waits with the host signals of the signalfds' masks open (see above). */
static void *listener(void *arg) {
    linux_proc_t *p = arg;
    sigset_t all;
    sigfillset(&all);
    sigdelset(&all, SIGSEGV);
    sigdelset(&all, SIGBUS);
    pthread_sigmask(SIG_SETMASK, &all, NULL);
    for (;;) {
        sigset_t open = all;
        /* (not the real-time signals held on the host while their queue is full) */
        for (uint64_t m = atomic_load(&p->sfd_mask) & ~atomic_load(&p->rtq_held); m; m &= m - 1) {
            int hs = linux_sig_to_host(__builtin_ctzll(m) + 1);
            if (hs) sigdelset(&open, hs);
        }
        struct pollfd pf = {p->sfd_wake_fd, POLLIN, 0};
        if (ppoll(&pf, 1, NULL, &open) == 1) {
            uint64_t n;
            if (read(p->sfd_wake_fd, &n, sizeof(n)) < 0) {
                /* nothing to take: woken by a signal meanwhile */
            }
        }
        linux_route_shared_proc(p, NULL);
    }
    return NULL;
}

/* Start the listener in this process unless it runs (under sig_lock). 0 or -LINUX_E*. */
static int listener_start(linux_proc_t *p) {
    if (p->sfd_listener_pid == getpid()) return 0;
    int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (fd < 0) return sys_err();
    if (vm_hostfd_add(fd) != 0) {
        close(fd);
        return -LINUX_EMFILE;
    }
    p->sfd_wake_fd = fd;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    pthread_t th;
    int rc = pthread_create(&th, &attr, listener, p);
    pthread_attr_destroy(&attr);
    if (rc) {
        vm_hostfd_remove(fd);
        close(fd);
        return -LINUX_EAGAIN;
    }
    p->sfd_listener_pid = getpid();
    return 0;
}

void linux_sfd_after_fork(linux_proc_t *p) {
    if (p->sfd_listener_pid == 0) return;
    /* the parent's listener stays with the parent; its wake-up descriptor too */
    vm_hostfd_remove(p->sfd_wake_fd);
    close(p->sfd_wake_fd);
    p->sfd_listener_pid = 0;
    pthread_mutex_lock(&p->sig_lock);
    if (atomic_load(&p->sfd_count) > 0) listener_start(p);
    pthread_mutex_unlock(&p->sig_lock);
}

/* A new slot for the guest end st (its fstat) of a pair whose other end is notify_fd, reading
 * mask: notify_fd becomes one of vm's own descriptors, the listener runs, and the guest end is
 * made readable when a signal of mask is pending already. 0 or -LINUX_E* (nothing kept). */
static int slot_add(linux_proc_t *p, const struct stat *st, int notify_fd, uint64_t mask) {
    pthread_mutex_lock(&p->sig_lock);
    collect(p);
    linux_sfd_t *s = NULL;
    for (int i = 0; i < LINUX_SFD_MAX && !s; i++)
        if (!atomic_load(&p->sfd[i].used)) s = &p->sfd[i];
    int rc = s ? listener_start(p) : -LINUX_EMFILE;
    if (!rc && vm_hostfd_add(notify_fd) != 0) rc = -LINUX_EMFILE;
    if (rc) {
        pthread_mutex_unlock(&p->sig_lock);
        return rc;
    }
    atomic_store(&s->notify_fd, notify_fd);
    s->dev = (unsigned long long)st->st_dev;
    s->ino = (unsigned long long)st->st_ino;
    atomic_store(&s->mask, mask);
    atomic_store(&s->used, true);
    atomic_fetch_add(&p->sfd_count, 1);
    masks_changed(p);
    pthread_mutex_unlock(&p->sig_lock);
    if ((atomic_load(&p->shared_pending) & mask)) slot_notify(s);
    return 0;
}

/* signalfd4(fd, mask, sizemask, flags): a new signalfd for the guest signals in *mask (fd -1),
 * or a new mask for signalfd fd. SIGKILL and SIGSTOP are left out, as Linux does. */
int64_t sys_signalfd4(linux_thread_t *t, const uint64_t a[6]) {
    linux_proc_t *p = t->proc;
    if (a[2] != 8) return -LINUX_EINVAL;
    if (a[3] & ~(uint64_t)(LINUX_SFD_CLOEXEC | LINUX_SFD_NONBLOCK)) return -LINUX_EINVAL;
    uint64_t mask;
    GET_ARG(mask, a[1]);
    mask &= ~SYS_UNBLOCKABLE;
    int fd = (int)a[0];
    if (fd != -1) {
        struct stat st;
        if (fstat(fd, &st) != 0) return sys_err();
        pthread_mutex_lock(&p->sig_lock);
        linux_sfd_t *s = slot_of(p, fd);
        if (s) {
            atomic_store(&s->mask, mask);
            masks_changed(p);
        }
        pthread_mutex_unlock(&p->sig_lock);
        if (!s) return -LINUX_EINVAL;
        if ((atomic_load(&p->shared_pending) & mask)) slot_notify(s);
        return fd;
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return sys_err();
    struct stat st;
    if (fcntl(sv[1], F_SETFL, O_NONBLOCK) != 0 || fstat(sv[0], &st) != 0 ||
        ((a[3] & LINUX_SFD_NONBLOCK) && fcntl(sv[0], F_SETFL, O_NONBLOCK) != 0) ||
        (!(a[3] & LINUX_SFD_CLOEXEC) && fcntl(sv[0], F_SETFD, 0) != 0)) {
        int64_t e = sys_err();
        close(sv[0]);
        close(sv[1]);
        return e;
    }
    int rc = slot_add(p, &st, sv[1], mask);
    if (rc) {
        close(sv[0]);
        close(sv[1]);
        return rc;
    }
    return sv[0];
}

/* struct signalfd_siginfo for info, field by field as the kernel's signalfd_copyinfo does
 * (which fields a si_code carries: the kernel's siginfo_layout). */
static void to_ssi(const linux_siginfo_t *info, linux_signalfd_siginfo_t *o) {
    const linux_siginfo_fields_t *f = (const void *)info;
    memset(o, 0, sizeof(*o));
    o->ssi_signo = (uint32_t)f->si_signo;
    o->ssi_errno = f->si_errno;
    o->ssi_code = f->si_code;
    int sig = f->si_signo, code = f->si_code;
    enum { KILL, TIMER, POLL, FAULT, CHLD, RT, SYS } layout = KILL;
    if (code > LINUX_SI_USER && code < LINUX_SI_KERNEL) {
        if (sig == LINUX_SIGCHLD)
            layout = CHLD;
        else if (sig == LINUX_SIGSYS)
            layout = SYS;
        else if (sig == LINUX_SIGILL || sig == LINUX_SIGFPE || sig == LINUX_SIGSEGV ||
                 sig == LINUX_SIGBUS || sig == LINUX_SIGTRAP)
            layout = FAULT;
        else if (code <= 6)
            layout = POLL;
    } else if (code == LINUX_SI_TIMER) {
        layout = TIMER;
    } else if (code == LINUX_SI_SIGIO) {
        layout = POLL;
    } else if (code < 0) {
        layout = RT;
    }
    switch (layout) {
    case KILL:
        o->ssi_pid = (uint32_t)f->pid;
        o->ssi_uid = f->uid;
        break;
    case TIMER:
        o->ssi_tid = (uint32_t)f->pid;
        o->ssi_overrun = f->uid;
        o->ssi_ptr = f->value;
        o->ssi_int = (int32_t)f->value;
        break;
    case POLL:
        o->ssi_band = (uint32_t)f->pid; /* si_band: a long at 16 */
        o->ssi_fd = (int32_t)f->value;
        break;
    case FAULT: o->ssi_addr = info->u.addr; break;
    case CHLD:
        o->ssi_pid = (uint32_t)f->pid;
        o->ssi_uid = f->uid;
        o->ssi_status = (int32_t)f->value;
        o->ssi_utime = (uint64_t)f->utime;
        o->ssi_stime = (uint64_t)f->stime;
        break;
    case RT:
        o->ssi_pid = (uint32_t)f->pid;
        o->ssi_uid = f->uid;
        o->ssi_ptr = f->value;
        o->ssi_int = (int32_t)f->value;
        break;
    case SYS:
        o->ssi_call_addr = info->u.addr;
        o->ssi_syscall = (int32_t)f->value;
        o->ssi_arch = (uint32_t)(f->value >> 32);
        break;
    }
}

/* Drain the bytes of guest descriptor fd and send one again when a signal of the mask is
 * still pending (a raise between the two sends its own). */
static void resync(linux_proc_t *p, linux_sfd_t *s, int fd) {
    char buf[64];
    while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0) {
    }
    uint64_t mask = atomic_load(&s->mask);
    if (mask && (atomic_load(&p->shared_pending) & mask)) slot_notify(s);
}

/* Write len bytes at offset off of the guest buffer made of segs (a read's one buffer, or a
 * readv's iovecs): a record may span two segments, as the kernel's copy_to_iter does. 0 or
 * -1 on a fault. */
static int put_segs(linux_thread_t *t, const linux_iovec_t *segs, size_t nsegs, uint64_t off,
                    const void *src, size_t len) {
    const char *p = src;
    for (size_t i = 0; i < nsegs && len; i++) {
        uint64_t n = segs[i].iov_len;
        if (off >= n) {
            off -= n;
            continue;
        }
        size_t k = n - off < len ? (size_t)(n - off) : len;
        if (linux_copy_to_guest(t, segs[i].iov_base + off, p, k)) return -1;
        p += k;
        len -= k;
        off = 0;
    }
    return 0;
}

/* The read of signalfd slot s (guest descriptor fd) into the guest buffer made of segs. */
static int64_t sfd_read(linux_thread_t *t, linux_sfd_t *s, int fd, const linux_iovec_t *segs,
                        size_t nsegs) {
    linux_proc_t *p = t->proc;
    uint64_t mask = atomic_load(&s->mask);
    uint64_t total = 0;
    for (size_t i = 0; i < nsegs; i++)
        total += segs[i].iov_len < (1ull << 40) ? segs[i].iov_len : (1ull << 40);
    size_t max = total / sizeof(linux_signalfd_siginfo_t), n = 0;
    if (!max) return -LINUX_EINVAL;
    /* the bytes whole records can fill must be writable */
    uint64_t need = max * sizeof(linux_signalfd_siginfo_t);
    for (size_t i = 0; i < nsegs && need; i++) {
        uint64_t k = segs[i].iov_len < need ? segs[i].iov_len : need;
        if (k && !sys_ptr(t, segs[i].iov_base, k, WR)) return -LINUX_EFAULT;
        need -= k;
    }
    linux_siginfo_t info;
    int sig = 0;
    bool have = false; /* info holds the signal the wait below took */
    for (;;) {
        while (n < max && (have || (sig = linux_take_signal(t, mask, &info)) > 0)) {
            have = false;
            linux_signalfd_siginfo_t o;
            to_ssi(&info, &o);
            if (put_segs(t, segs, nsegs, n * sizeof(o), &o, sizeof(o))) {
                linux_raise(t, &info); /* not lost: it stays pending */
                sig = -1;
                break;
            }
            n++;
        }
        resync(p, s, fd);
        if (n || sig < 0)
            return n ? (int64_t)(n * sizeof(linux_signalfd_siginfo_t)) : -LINUX_EFAULT;
        int fl = fcntl(fd, F_GETFL);
        if (fl >= 0 && (fl & O_NONBLOCK)) return -LINUX_EAGAIN;
        /* wait as sigwaitinfo does; a handled signal first restarts the read (or EINTR) */
        if (sys_sigwait(t, mask, NULL, &info) < 0) return -LINUX_ERESTARTSYS;
        have = true;
    }
}

bool sys_signalfd_read(linux_thread_t *t, const uint64_t a[6], int64_t *ret) {
    linux_sfd_t *s = slot_of(t->proc, (int)a[0]);
    if (!s) return false;
    const linux_iovec_t seg = {a[1], a[2]};
    *ret = sfd_read(t, s, (int)a[0], &seg, 1);
    return true;
}

bool sys_signalfd_readv(linux_thread_t *t, const uint64_t a[6], int64_t *ret) {
    linux_sfd_t *s = slot_of(t->proc, (int)a[0]);
    if (!s) return false;
    if (a[2] > IOV_MAX_GUEST) {
        *ret = -LINUX_EINVAL;
        return true;
    }
    linux_iovec_t *segs = malloc((a[2] ? a[2] : 1) * sizeof(*segs));
    if (!segs) {
        *ret = -LINUX_ENOMEM;
        return true;
    }
    if (a[2] && linux_copy_from_guest(t, segs, a[1], a[2] * sizeof(*segs)))
        *ret = -LINUX_EFAULT;
    else
        *ret = sfd_read(t, s, (int)a[0], segs, a[2]);
    free(segs);
    return true;
}

/* ---- across execve: the new vm gets each signalfd whose guest descriptors survive the host
 * execve as a group "MASK:FD,FD" of --signalfds. Those descriptors are still the guest's ends
 * of the old pairs, whose other ends (vm's own, close-on-exec) are gone: the new vm makes a new
 * pair per group, puts its guest end in their place (dup3, keeping O_NONBLOCK) and registers
 * it as at signalfd4. ---- */

/* Add the surviving guest descriptor fd to out when it is a signalfd's (group per slot). */
static void exec_arg_fd(linux_proc_t *p, int fd, char **groups, size_t *lens) {
    if (vm_hostfd_is_own(fd)) return;
    int fdfl = fcntl(fd, F_GETFD);
    if (fdfl < 0 || (fdfl & FD_CLOEXEC)) return;
    linux_sfd_t *s = slot_of(p, fd);
    if (!s) return;
    size_t i = (size_t)(s - p->sfd);
    char one[24];
    int n = snprintf(one, sizeof(one), "%s%d", groups[i] ? "," : "", fd);
    char *g = realloc(groups[i], lens[i] + (size_t)n + 1);
    if (!g) return;
    memcpy(g + lens[i], one, (size_t)n + 1);
    groups[i] = g;
    lens[i] += (size_t)n;
}

char *linux_sfd_exec_arg(linux_proc_t *p) {
    if (atomic_load(&p->sfd_count) == 0) return NULL;
    char **groups = calloc(LINUX_SFD_MAX, sizeof(*groups));
    size_t *lens = calloc(LINUX_SFD_MAX, sizeof(*lens));
    char *out = NULL;
    if (!groups || !lens) goto out;
    /* every open descriptor: /proc/self/fd, else every number below the descriptor limit */
    DIR *d = opendir("/proc/self/fd");
    if (d) {
        int dfd = dirfd(d);
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            char *end;
            long fd = strtol(e->d_name, &end, 10);
            if (*end || end == e->d_name || fd == dfd) continue;
            exec_arg_fd(p, (int)fd, groups, lens);
        }
        closedir(d);
    } else {
        long max = sysconf(_SC_OPEN_MAX);
        for (long fd = 0; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
            exec_arg_fd(p, (int)fd, groups, lens);
    }
    size_t total = 16;
    for (int i = 0; i < LINUX_SFD_MAX; i++)
        if (groups[i]) total += lens[i] + 20;
    if (total == 16 || !(out = malloc(total))) goto out;
    size_t k = (size_t)snprintf(out, total, "--signalfds=");
    for (int i = 0; i < LINUX_SFD_MAX; i++) {
        if (!groups[i]) continue;
        k += (size_t)snprintf(out + k, total - k, "%s%llx:%s", out[k - 1] == '=' ? "" : ";",
                              (unsigned long long)atomic_load(&p->sfd[i].mask), groups[i]);
    }
out:
    for (int i = 0; groups && i < LINUX_SFD_MAX; i++)
        free(groups[i]);
    free(groups);
    free(lens);
    return out;
}

/* One group "FD,FD..." of --signalfds with mask: a new pair whose guest end takes the place
 * of each descriptor. */
static void inherit_group(linux_proc_t *p, uint64_t mask, const char *fds, const char *end) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return;
    struct stat st;
    memset(&st, 0, sizeof(st));
    bool any = false;
    if (fcntl(sv[1], F_SETFL, O_NONBLOCK) == 0 && fstat(sv[0], &st) == 0) {
        for (const char *c = fds; c < end;) {
            char *next;
            long fd = strtol(c, &next, 10);
            if (next == c || fd < 0 || fd > INT32_MAX) break;
            c = *next == ',' ? next + 1 : next;
            struct stat old;
            int fl = fcntl((int)fd, F_GETFL);
            if (fl < 0 || fstat((int)fd, &old) != 0 || !S_ISSOCK(old.st_mode) ||
                vm_hostfd_is_own((int)fd) || dup3(sv[0], (int)fd, 0) < 0)
                continue;
            /* the descriptors of one group shared one open file: they do again */
            if (fl & O_NONBLOCK) fcntl((int)fd, F_SETFL, O_NONBLOCK);
            any = true;
        }
    }
    close(sv[0]); /* the descriptors in its place keep the guest's end open */
    if (!any || slot_add(p, &st, sv[1], mask & ~SYS_UNBLOCKABLE) != 0) close(sv[1]);
}

void linux_sfd_inherit(linux_thread_t *t, const char *arg) {
    for (const char *c = arg; c && *c;) {
        const char *semi = strchr(c, ';');
        const char *end = semi ? semi : c + strlen(c);
        char *colon;
        uint64_t mask = strtoull(c, &colon, 16);
        if (colon != c && *colon == ':' && colon < end)
            inherit_group(t->proc, mask, colon + 1, end);
        c = semi ? semi + 1 : end;
    }
}

/* ---- readiness per thread: a signalfd's host socket is readable while a signal of its mask is
 * pending for the process (raise_shared notifies it), which every thread sees, as on Linux. A
 * signal pending for one thread alone makes it readable for that thread only: its ppoll and
 * pselect6 look at their signalfds themselves (linux_sfd_reads_own) and report them ready
 * without waiting; epoll_pwait, whose descriptors vm does not know, notifies the signalfds
 * that read such a signal before it waits (then other threads' epoll sees them too). ---- */

bool linux_sfd_own_pending(linux_thread_t *t) {
    return atomic_load(&t->proc->sfd_count) > 0 &&
           (atomic_load(&t->pending) & atomic_load(&t->proc->sfd_mask));
}

bool linux_sfd_reads_own(linux_thread_t *t, int fd) {
    linux_sfd_t *s = slot_of(t->proc, fd);
    return s && (atomic_load(&t->pending) & atomic_load(&s->mask));
}

void linux_sfd_notify_own(linux_thread_t *t) {
    linux_proc_t *p = t->proc;
    uint64_t own = atomic_load(&t->pending);
    for (int i = 0; i < LINUX_SFD_MAX; i++) {
        linux_sfd_t *s = &p->sfd[i];
        if (atomic_load(&s->used) && (atomic_load(&s->mask) & own)) slot_notify(s);
    }
}
