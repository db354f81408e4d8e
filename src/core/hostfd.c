/* hostfd.c - the registry of vm's own host descriptors (see hostfd.h): one bit per descriptor
 * number below VM_HOSTFD_LIMIT, in atomic words. Registration is rare (start-up, a log file, a
 * signalfd); lookups happen on every fd-taking guest system call, so a count of registered
 * descriptors lets the common case (nothing registered) return after one load, and a lookup
 * otherwise costs one more load, however many are registered. */
#include "core/hostfd.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/resource.h>
#include <unistd.h>

/* Bit fd % 64 of word fd / 64: fd is vm's own. */
static _Atomic uint64_t bits[VM_HOSTFD_LIMIT / 64];
/* Number of registered descriptors. */
static _Atomic int used;

int vm_hostfd_add(int fd) {
    if (fd < 0 || fd >= VM_HOSTFD_LIMIT) return -1;
    uint64_t b = 1ull << (fd & 63);
    if (!(atomic_fetch_or(&bits[fd >> 6], b) & b)) atomic_fetch_add(&used, 1);
    return 0;
}

void vm_hostfd_remove(int fd) {
    if (fd < 0 || fd >= VM_HOSTFD_LIMIT) return;
    uint64_t b = 1ull << (fd & 63);
    if (atomic_fetch_and(&bits[fd >> 6], ~b) & b) atomic_fetch_sub(&used, 1);
}

bool vm_hostfd_any(void) {
    return atomic_load(&used) != 0;
}

bool vm_hostfd_is_own(int fd) {
    if (fd < 0 || fd >= VM_HOSTFD_LIMIT || atomic_load(&used) == 0) return false;
    return (atomic_load(&bits[fd >> 6]) >> (fd & 63)) & 1;
}

int vm_hostfd_next(int from) {
    if (atomic_load(&used) == 0 || from >= VM_HOSTFD_LIMIT) return -1;
    if (from < 0) from = 0;
    for (int w = from >> 6; w < VM_HOSTFD_LIMIT / 64; w++) {
        uint64_t v = atomic_load(&bits[w]);
        if (w == from >> 6) v &= ~0ull << (from & 63);
        if (v) return w * 64 + __builtin_ctzll(v);
    }
    return -1;
}

int vm_hostfd_keep_high(int fd, bool *registered) {
    struct rlimit rl;
    rlim_t top = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? rl.rlim_cur : 1024;
    if (top > 1024) top = 1024;
    if (top > 64) {
        int hi = fcntl(fd, F_DUPFD_CLOEXEC, (int)top - 1);
        if (hi < 0) hi = fcntl(fd, F_DUPFD_CLOEXEC, (int)top / 2);
        if (hi >= 0) {
            close(fd);
            fd = hi;
        }
    }
    *registered = vm_hostfd_add(fd) == 0;
    return fd;
}
