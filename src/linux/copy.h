/* copy.h - the only way the host side (system calls, signal frames, clone, execve) reads or
 * writes guest memory: copies that cannot crash vm.
 *
 * Checking a guest pointer against the VMA list and then touching it leaves a window: another
 * guest thread may munmap or mprotect the page in between. These copies check the VMA list
 * (for the guest's view of the protection) and then copy under a per-thread recovery point;
 * a host fault inside the copy unwinds to it and the copy reports -LINUX_EFAULT, exactly as a
 * check that failed. Buffers handed straight to a host system call need no such care: the
 * host kernel reports EFAULT itself. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "linux/proc.h"

/* Copy n bytes of guest memory at src (readable) into dst. 0 or -LINUX_EFAULT. */
int linux_copy_from_guest(linux_thread_t *t, void *dst, uint64_t src, size_t n)
    __attribute__((warn_unused_result));
/* Copy n bytes from src to guest memory at dst (writable). 0 or -LINUX_EFAULT. */
int linux_copy_to_guest(linux_thread_t *t, uint64_t dst, const void *src, size_t n)
    __attribute__((warn_unused_result));
/* Copy the guest NUL-terminated string at src, at most n-1 bytes and its NUL, into dst.
 * 0, -LINUX_EFAULT or -LINUX_ENAMETOOLONG. */
int linux_copy_str_from_guest(linux_thread_t *t, char *dst, uint64_t src, size_t n)
    __attribute__((warn_unused_result));
/* Store the 32-bit word v at the 4-byte aligned guest address dst as one atomic store (for
 * futex words). 0 or -LINUX_EFAULT. */
int linux_put_u32_atomic(linux_thread_t *t, uint64_t dst, uint32_t v)
    __attribute__((warn_unused_result));

/* Called by the host SIGSEGV/SIGBUS handler: when this host thread faulted inside one of the
 * copies above, unwind to its recovery point (does not return); otherwise return. */
void linux_copy_fault(void);
/* True while this host thread is inside one of the copies (for the fault handler). */
bool linux_copy_active(void);
