/* systable.h - the guest system call table generated from syscalls.def: one entry per known
 * number with its name, its --strace argument formats and its handler, plus the prototypes of
 * all handlers (so each sys_*.c file is checked against the uniform signature). */
#pragma once

#include <stdint.h>

#include "linux/proc.h"

/* A system call handler: arguments a[0..5] in, the value for a0 out (negative guest errno on
 * failure). */
typedef int64_t linux_sys_fn(linux_thread_t *t, const uint64_t a[6]);

/* Entry flag: --strace prints the call before it runs (it does not return on success). */
#define LINUX_SC_NORETURN 1u

/* One system call of the table. */
typedef struct linux_systable_entry {
    const char *name;      /* name without the sys_ prefix */
    const char *args;      /* one format letter per argument (d u x s f o p m g) */
    linux_sys_fn *handler; /* what runs it; NULL for a call known by name only (-ENOSYS) */
    unsigned flags;        /* LINUX_SC_* */
} linux_systable_entry_t;

/* The handlers, one per implemented call (defined in sys_fs.c, sys_mm.c, sys_proc.c,
 * sys_sig.c, sys_net.c and sys_time.c). */
#define LINUX_SYSCALL(nr, name, args, handler, flags) linux_sys_fn handler;
#define LINUX_SYSCALL_NI(nr, name, args)
#include "linux/syscalls.def"

/* The entry of nr, or NULL when vm does not know the call. */
const linux_systable_entry_t *linux_systable_find(uint64_t nr);

/* Print one call for --strace on stderr: before it runs (done false, "= ?") or with its
 * result r. */
void linux_strace_print(linux_thread_t *t, uint64_t nr, const uint64_t a[6], int64_t r, bool done);
