/* syscall.c - the single entry point of the guest system call layer.
 *
 * linux_syscall() looks the number up in the table generated from syscalls.def (systable.c)
 * and calls the handler it names; the handlers live by area in sys_fs.c, sys_mm.c,
 * sys_proc.c, sys_sig.c, sys_net.c and sys_time.c. Around the call it prints the --strace
 * line: after the call, or before it for the calls that do not come back on success. A
 * descriptor argument that is one of vm's own (core/hostfd.h) fails with EBADF before the
 * handler runs, so no call can read, write, replace or close it. A
 * number without a handler, whether unknown or known by name only, returns -ENOSYS silently,
 * as Linux and qemu-riscv64 do (a warning would change the guest's output); --strace shows
 * such calls with their result, and --log=unimp names each one on stderr once per number
 * (numbers of 512 and above: every time). */
#include <stdio.h>

#include "core/hostfd.h"
#include "linux/sys_util.h"

/* -ENOSYS for a call vm does not implement, logged under --log=unimp. */
static int64_t unsupported(linux_thread_t *t, uint64_t nr, const linux_systable_entry_t *e) {
    if (!t->proc->opt.log_unimp) return -LINUX_ENOSYS;
    if (nr < 512) {
        uint64_t bit = 1ull << (nr % 64);
        if (!(t->proc->warned[nr / 64] & bit)) {
            t->proc->warned[nr / 64] |= bit;
            fprintf(stderr, "vm: unsupported system call %llu (%s), returning -ENOSYS\n",
                    (unsigned long long)nr, e ? e->name : "unknown");
        }
    } else {
        fprintf(stderr, "vm: unsupported system call %llu, returning -ENOSYS\n",
                (unsigned long long)nr);
    }
    return -LINUX_ENOSYS;
}

/* Whether a descriptor argument of the call (format letter 'f') is one of vm's own, which
 * the guest does not have. */
static bool names_own_fd(const linux_systable_entry_t *e, const uint64_t a[6]) {
    if (!vm_hostfd_any()) return false; /* nothing registered: the common case */
    for (int i = 0; i < 6 && e->args[i]; i++)
        if (e->args[i] == 'f' && vm_hostfd_is_own((int)a[i])) return true;
    return false;
}

int64_t linux_syscall(linux_thread_t *t, uint64_t nr, const uint64_t a[6]) {
    const linux_systable_entry_t *e = linux_systable_find(nr);
    bool strace = t->proc->opt.strace;
    bool early = strace && e && (e->flags & LINUX_SC_NORETURN);
    if (early) linux_strace_print(t, nr, a, 0, false);
    int64_t r = !e || !e->handler    ? unsupported(t, nr, e)
                : names_own_fd(e, a) ? -LINUX_EBADF
                                     : e->handler(t, a);
    if (strace && (!early || r < 0)) linux_strace_print(t, nr, a, r, true);
    return r;
}
