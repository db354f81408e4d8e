/* hostfd.c - the registry of vm's own host descriptors (see hostfd.h): a table of atomic
 * slots, -1 when free. Registration is rare (start-up, a log file); lookups happen on every
 * fd-taking guest system call, so a quick count of used slots lets the common case (nothing
 * registered) return after one load. */
#include "core/hostfd.h"

#include <stdatomic.h>

/* Slots hold fd + 1, so that the zero-initialised table is empty. */
static _Atomic int slots[VM_HOSTFD_MAX];
/* Number of used slots. */
static _Atomic int used;

int vm_hostfd_add(int fd) {
    if (fd < 0) return -1;
    for (int i = 0; i < VM_HOSTFD_MAX; i++) {
        int expect = 0;
        if (atomic_compare_exchange_strong(&slots[i], &expect, fd + 1)) {
            atomic_fetch_add(&used, 1);
            return 0;
        }
    }
    return -1;
}

void vm_hostfd_remove(int fd) {
    for (int i = 0; i < VM_HOSTFD_MAX; i++) {
        int expect = fd + 1;
        if (atomic_compare_exchange_strong(&slots[i], &expect, 0)) {
            atomic_fetch_sub(&used, 1);
            return;
        }
    }
}

bool vm_hostfd_is_own(int fd) {
    if (fd < 0 || atomic_load(&used) == 0) return false;
    for (int i = 0; i < VM_HOSTFD_MAX; i++)
        if (atomic_load(&slots[i]) == fd + 1) return true;
    return false;
}

int vm_hostfd_next(int from) {
    if (atomic_load(&used) == 0) return -1;
    int best = -1;
    for (int i = 0; i < VM_HOSTFD_MAX; i++) {
        int fd = atomic_load(&slots[i]) - 1;
        if (fd >= from && (best < 0 || fd < best)) best = fd;
    }
    return best;
}
