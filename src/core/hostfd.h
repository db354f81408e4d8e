/* hostfd.h - the registry of vm's own host descriptors.
 *
 * In user mode guest descriptors are host descriptors, so a descriptor vm opens for itself (a
 * log or perf map file, an internal pipe, a code-cache memory file kept open) lives in the
 * same table as the guest's. Whoever opens such a descriptor registers it here and
 * unregisters it before closing it; the system-call layer then treats a registered number as
 * one the guest does not have: fd-taking calls fail with EBADF, /proc/self/fd does not list
 * it and /proc/self/fd/N of it does not exist. The registry is a bitmap of atomic words by
 * descriptor number, so that it can be read from any thread without a lock, costs one load
 * when it is empty and one more per lookup otherwise, whatever the number registered (each
 * signalfd of the guest holds one). */
#pragma once

#include <stdbool.h>

/* Descriptor numbers the registry covers (a multiple of 64): a higher one cannot be vm's own. */
#define VM_HOSTFD_LIMIT 65536

/* Mark fd as vm's own. 0, or -1 when fd is not below VM_HOSTFD_LIMIT (the descriptor stays
 * usable, only unprotected). */
int vm_hostfd_add(int fd);
/* Whether any descriptor is registered (one load: the common case is none). */
bool vm_hostfd_any(void);
/* Forget fd (before vm closes it). */
void vm_hostfd_remove(int fd);
/* Whether fd is one of vm's own descriptors. */
bool vm_hostfd_is_own(int fd);
/* The lowest registered descriptor >= from, or -1 when there is none. */
int vm_hostfd_next(int from);
/* Move fd out of the way of the guest's own numbers (a shell's dup2 to 3, 10...), to the top
 * of what RLIMIT_NOFILE allows (at most 1023), close-on-exec, and register it. Returns the
 * descriptor to use (fd itself when it cannot move; fd is closed when it did), registered
 * unless the registry cannot hold it (*registered false then: usable, only unprotected). */
int vm_hostfd_keep_high(int fd, bool *registered);
