/* hostfd.h - the registry of vm's own host descriptors.
 *
 * In user mode guest descriptors are host descriptors, so a descriptor vm opens for itself (a
 * log or perf map file, an internal pipe, a code-cache memory file kept open) lives in the
 * same table as the guest's. Whoever opens such a descriptor registers it here and
 * unregisters it before closing it; the system-call layer then treats a registered number as
 * one the guest does not have: fd-taking calls fail with EBADF, /proc/self/fd does not list
 * it and /proc/self/fd/N of it does not exist. The registry is a small fixed table of atomic
 * slots, so that it can be read from any thread without a lock and costs one load per slot
 * when it is empty. */
#pragma once

#include <stdbool.h>

/* Most host descriptors vm keeps open at once for itself. */
#define VM_HOSTFD_MAX 32

/* Mark fd as vm's own. 0, or -1 when the table is full (the descriptor stays usable, only
 * unprotected). */
int vm_hostfd_add(int fd);
/* Forget fd (before vm closes it). */
void vm_hostfd_remove(int fd);
/* Whether fd is one of vm's own descriptors. */
bool vm_hostfd_is_own(int fd);
/* The lowest registered descriptor >= from, or -1 when there is none. */
int vm_hostfd_next(int from);
