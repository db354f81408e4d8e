/* safe_syscall.h - host system calls that a guest signal can always interrupt.
 *
 * A guest signal is delivered at a safe point: between two blocks, or after a system call.
 * vm looks at the thread's pending set before it makes a host call that may block (a read
 * on an empty pipe, a wait4, a futex wait), but a signal that lands after that look and
 * before the kernel starts to wait would be seen only when the call returns, which may be
 * never. The cure is to make the last look and the system call instruction one unit that a
 * signal cannot split:
 *
 *   linux_safe_syscall(flag, nr, a0..a5), written in assembly per host architecture
 *   (safe_syscall_x86_64.h, safe_syscall_aarch64.h), loads *flag, returns
 *   -LINUX_HOST_ERESTART at once when it is not zero, else executes the system call
 *   instruction. The host handler of every signal vm takes sets *flag when the guest will
 *   see the signal, and when the interrupted pc lies in [linux_safe_syscall_start,
 *   linux_safe_syscall_end), i.e. on the load, the test or the system call instruction
 *   itself, it moves the pc to linux_safe_syscall_restart, which returns
 *   -LINUX_HOST_ERESTART as well.
 *
 * vm installs its host handlers with SA_RESTART, so a signal that arrives while the kernel
 * waits in a restartable call makes the kernel rewind the pc to the system call instruction
 * before the handler runs: that pc is inside the window, and the call returns
 * -LINUX_HOST_ERESTART too. A call the kernel never restarts (poll, epoll_wait, nanosleep,
 * a socket with a timeout) returns -EINTR with the pc past the window, as on Linux. The
 * caller turns -LINUX_HOST_ERESTART into the guest's restart (the ecall runs again after the
 * handler when the handler has SA_RESTART or no handler runs, else -EINTR), which is the
 * kernel's own ERESTARTSYS rule. */
#pragma once

#include <stdint.h>

/* What the stub returns when a signal came before the system call, or interrupted a call the
 * kernel would restart: the kernel's own ERESTARTSYS, which user space never sees otherwise. */
#define LINUX_HOST_ERESTART 512

/* Make host system call nr with arguments a0..a5 unless *flag is set; the raw kernel result
 * (-errno on failure) or -LINUX_HOST_ERESTART. */
long linux_safe_syscall(const volatile int *flag, long nr, long a0, long a1, long a2, long a3,
                        long a4, long a5);

/* The window of the stub (labels inside it, defined in assembly). */
extern const char linux_safe_syscall_start[], linux_safe_syscall_end[],
    linux_safe_syscall_restart[];

#if defined(__x86_64__)
#include "linux/safe_syscall_x86_64.h"
#elif defined(__aarch64__)
#include "linux/safe_syscall_aarch64.h"
#else
#error "no safe_syscall stub for this host architecture"
#endif

/* In a host signal handler: when the interrupted context (the handler's ucontext) is inside
 * the stub's window, make it return -LINUX_HOST_ERESTART instead of making (or restarting)
 * the system call. */
static inline void linux_safe_syscall_fixup(void *uctx) {
    uintptr_t pc = linux_safe_syscall_pc(uctx);
    if (pc >= (uintptr_t)linux_safe_syscall_start && pc < (uintptr_t)linux_safe_syscall_end)
        linux_safe_syscall_set_pc(uctx, (uintptr_t)linux_safe_syscall_restart);
}
