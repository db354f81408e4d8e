/* sys_util.h - what the system call handlers (sys_*.c) share: turning guest pointers into
 * checked host pointers, copying guest strings and paths in, host results into guest terms,
 * and the few structure and flag conversions more than one area needs.
 *
 * Guest descriptors are host descriptors (except vm's own, which the guest does not have) and
 * guest paths are host paths after the one resolver of path.c, so most calls are a host call with
 * guest pointers turned into host pointers. A host pointer into guest memory (sys_ptr, BUF_ARG) is
 * only ever handed to a host system call, whose kernel reports EFAULT when another guest
 * thread unmapped the buffer meanwhile; vm itself reads and writes guest memory only through
 * the fault-safe copies of copy.h (GET_ARG, PUT_ARG), never through such a pointer, so a
 * concurrent munmap or mprotect cannot crash it; every structure whose
 * guest layout is not the host's by definition is rebuilt field by field, every flag word
 * goes through an explicit table, and host errno values go through linux_errno_from_host(). */
#pragma once

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>
#include <time.h>

#include "linux/copy.h"
#include "linux/path.h"
#include "linux/proc.h"
#include "linux/systable.h"
#include "riscv/cpu.h"

#define RD            LINUX_PROT_READ  /* the guest buffer is read */
#define WR            LINUX_PROT_WRITE /* the guest buffer is written */
#define PATHBUF       4096             /* room for a guest path */
#define IOV_MAX_GUEST 1024             /* longest guest iovec array */

/* Guest signals that no mask can block. */
#define SYS_UNBLOCKABLE ((1ull << (LINUX_SIGKILL - 1)) | (1ull << (LINUX_SIGSTOP - 1)))

/* -errno of the host's last error, in guest numbering. */
static inline int64_t sys_err(void) {
    return -(int64_t)linux_errno_from_host(errno);
}

/* A host call's result in guest terms. */
static inline int64_t sys_ret(long r) {
    return r < 0 ? sys_err() : r;
}

/* Host pointer of a guest buffer that must be mapped with prot, or NULL: only for handing to
 * a host system call, never to be dereferenced by vm (see copy.h). A buffer the host kernel
 * writes (WR) that holds decoded code counts for fence.i (linux_space_host_writes). */
static inline void *sys_ptr(linux_thread_t *t, uint64_t a, uint64_t len, int prot) {
    if (!linux_space_check(&t->proc->space, a, len, prot)) return NULL;
    if (prot & WR) linux_space_host_writes(&t->proc->space, t->cpu->page_flags, a, len);
    return linux_space_ptr(&t->proc->space, a);
}

/* Copy a guest NUL-terminated string of at most n-1 bytes into buf. 0 or -LINUX_E*. */
int sys_str(linux_thread_t *t, uint64_t a, char *buf, size_t n);
/* The guest path at a, relative to guest descriptor dirfd, through the resolver of path.c
 * (this process's /proc, vm's own descriptors, the sysroot rule for mode); /proc/self/exe
 * names the guest program's file. 0 or -LINUX_E*. */
int sys_resolve(linux_thread_t *t, uint64_t dirfd, uint64_t a, linux_path_mode_t mode,
                linux_path_t *out);
/* Host dirfd for a guest one. */
int sys_dirfd(uint64_t fd);
/* Host AT_* flags for guest ones. */
int sys_atflags(uint64_t g);
/* Guest timespec at a into buf, *out = buf; a NULL guest pointer gives *out = NULL. 0 or
 * -LINUX_EFAULT. */
int sys_get_timespec(linux_thread_t *t, uint64_t a, struct timespec *buf, struct timespec **out);
/* Host timespec out to guest a (nothing when a is 0). 0 or -LINUX_EFAULT. */
int sys_put_timespec(linux_thread_t *t, uint64_t a, const struct timespec *h);
/* ppoll/pselect6 mask: install the guest sigset at mask_addr until the call returns. 0,
 * -LINUX_EINTR when an unblocked signal is already pending, or -LINUX_E*. */
int sys_temp_sigmask(linux_thread_t *t, uint64_t mask_addr, uint64_t size);

/* Before a host wait that takes a signal mask (ppoll, pselect): block host signals, then look
 * at the guest's pending set, so that a signal arriving just before the wait cannot be missed
 * until its timeout. false (nothing blocked): a signal the guest lets through is already
 * pending, return -EINTR. true: wait with *wait as the host call's mask, which unblocks
 * atomically the signals that end the wait for the guest (those it does not block, and the
 * guest signals in `want`, which rt_sigtimedwait waits for) and keeps the others blocked
 * (linux_wait_host_mask), then sys_wait_end(old). */
bool sys_wait_begin(linux_thread_t *t, uint64_t want, sigset_t *old, sigset_t *wait);
/* Wait for a signal of `set` (blocked or not) and take it: its number with its siginfo in
 * *info, -LINUX_EAGAIN when the CLOCK_MONOTONIC deadline passes first (NULL: none), or
 * -LINUX_EINTR when a signal the thread does not block comes first (rt_sigtimedwait, and the
 * blocking read of a signalfd). */
int sys_sigwait(linux_thread_t *t, uint64_t set, const struct timespec *deadline,
                linux_siginfo_t *info);
/* The read of a signalfd (signalfd.c): true when guest descriptor a[0] is one, with read's
 * result in *ret; false for any other descriptor. */
bool sys_signalfd_read(linux_thread_t *t, const uint64_t a[6], int64_t *ret);
/* The same for readv (a record may span two iovecs, as Linux's signalfd_read_iter allows). */
bool sys_signalfd_readv(linux_thread_t *t, const uint64_t a[6], int64_t *ret);
/* After the wait: the host mask of before sys_wait_begin (errno kept). */
void sys_wait_end(const sigset_t *old);
/* A host system call that may block (a read of a pipe, a wait, a futex wait), made through
 * safe_syscall.h so that any guest signal t does not block interrupts it, however late it
 * comes, and made again when the host ends it with EINTR for a signal the guest does not see
 * (a socket with a timeout; its timeout then starts again). The host's convention: the result, or
 * -1 with errno, which is LINUX_HOST_ERESTART when the guest's call is to be restarted after the
 * signal (sys_ret makes that -LINUX_ERESTARTSYS, which the run loop turns into the restart or
 * -EINTR). */
long sys_block(linux_thread_t *t, long nr, const long a[6]);
/* sys_block for host call nr with up to six arguments (long each), in a handler (t). */
#define SYS_BLOCK(nr, ...) sys_block(t, (nr), (const long[6]){__VA_ARGS__})
/* sys_block for a call that Linux does not restart after a handler (nanosleep, epoll_wait, a
 * futex wait with a timeout): the host signals of what the guest blocks or ignores are held
 * blocked during the call (linux_wait_host_mask), so that such a signal neither ends it with
 * EINTR nor is taken by this thread when another one could (the host sends it there). */
long sys_block_wait(linux_thread_t *t, long nr, const long a[6]);
/* sys_block_wait for host call nr with up to six arguments, in a handler (t). */
#define SYS_BLOCK_WAIT(nr, ...) sys_block_wait(t, (nr), (const long[6]){__VA_ARGS__})
/* Host iovec array h of n entries from the guest one at a (buffers checked for prot). 0 or
 * -LINUX_E*. */
int sys_get_iov(linux_thread_t *t, uint64_t a, uint64_t n, int prot, struct iovec *h);

/* Declare const char *var: the host name of the guest path at addr (cwd-relative), resolved
 * for a call in mode (which says how the final component is treated); return its error. The
 * resolution (and a --sandbox temporary descriptor) lives until the end of the scope. */
#define MODE_ARG(var, addr, mode)                                                                  \
    LINUX_PATH_SCOPED var##_r_;                                                                    \
    do {                                                                                           \
        int rc_ = sys_resolve(t, (uint64_t)(int64_t)LINUX_AT_FDCWD, (addr), (mode), &var##_r_);    \
        if (rc_) return rc_;                                                                       \
    } while (0);                                                                                   \
    const char *var = var##_r_.host
/* The guest lookup path at addr (a final symlink is followed). */
#define LOOKUP_ARG(var, addr) MODE_ARG(var, addr, LINUX_PATH_LOOKUP)
/* The guest path at addr for a call that does not follow a final symlink. */
#define NOFOLLOW_ARG(var, addr) MODE_ARG(var, addr, LINUX_PATH_NOFOLLOW)
/* Declare linux_path_t var: the guest path at addr relative to guest dirfd, resolved for a
 * call in mode; return its error. Released at the end of the scope. */
#define MODE_AT(var, dirfd, addr, mode)                                                            \
    LINUX_PATH_SCOPED var;                                                                         \
    do {                                                                                           \
        int rc_ = sys_resolve(t, (dirfd), (addr), (mode), &var);                                   \
        if (rc_) return rc_;                                                                       \
    } while (0)
/* A lookup that follows a final symlink. */
#define LOOKUP_AT(var, dirfd, addr) MODE_AT(var, dirfd, addr, LINUX_PATH_LOOKUP)
/* A lookup that does not follow a final symlink. */
#define NOFOLLOW_AT(var, dirfd, addr) MODE_AT(var, dirfd, addr, LINUX_PATH_NOFOLLOW)
/* A lookup that follows a final symlink unless the guest AT_* flags say AT_SYMLINK_NOFOLLOW. */
#define FLAGS_AT(var, dirfd, addr, flags)                                                          \
    MODE_AT(var, dirfd, addr,                                                                      \
            ((flags)&LINUX_AT_SYMLINK_NOFOLLOW) ? LINUX_PATH_NOFOLLOW : LINUX_PATH_LOOKUP)
/* The same for a call that may create the name (never follows a final symlink). */
#define CREATE_AT(var, dirfd, addr) MODE_AT(var, dirfd, addr, LINUX_PATH_CREATE)
/* Declare void *var for the guest buffer [addr, addr+len) mapped with prot; else -EFAULT. */
#define BUF_ARG(var, addr, len, prot)                                                              \
    void *var = sys_ptr(t, (addr), (len), (prot));                                                 \
    if (!var) return -LINUX_EFAULT
/* Copy the guest object at addr into the host variable var; else return -EFAULT. */
#define GET_ARG(var, addr)                                                                         \
    do {                                                                                           \
        if (linux_copy_from_guest(t, &(var), (addr), sizeof(var))) return -LINUX_EFAULT;           \
    } while (0)
/* Copy the host variable var to the guest object at addr; else return -EFAULT. */
#define PUT_ARG(addr, var)                                                                         \
    do {                                                                                           \
        if (linux_copy_to_guest(t, (addr), &(var), sizeof(var))) return -LINUX_EFAULT;             \
    } while (0)
