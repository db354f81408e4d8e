/* sys_sig.c - system calls on signals: rt_sigaction, rt_sigprocmask, rt_sigpending,
 * rt_sigsuspend, rt_sigreturn, sigaltstack, kill, tkill and tgkill.
 *
 * Guest signals are emulated rather than handed to the host: dispositions live in the
 * process (linux_do_sigaction), masks and pending sets in the thread, and delivery is the
 * work of signal.c. The guest sigset_t is one 64-bit word; SIGKILL and
 * SIGSTOP can never be blocked. A signal sent to the process itself or to one of its own
 * threads is raised in the emulation; anything else becomes a host kill with the signal
 * number translated. */
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/sys_util.h"

/* rt_sigaction(sig, act, oldact, sigsetsize). */
int64_t sys_rt_sigaction(linux_thread_t *t, const uint64_t a[6]) {
    if (a[3] != 8) return -LINUX_EINVAL;
    linux_sigaction_t act, old;
    if (a[1]) {
        GET_ARG(act, a[1]);
    }
    if (a[2] && !sys_ptr(t, a[2], sizeof(old), WR)) return -LINUX_EFAULT;
    int rc = linux_do_sigaction(t, (int)a[0], a[1] ? &act : NULL, &old);
    if (rc) return rc;
    if (a[2]) PUT_ARG(a[2], old);
    return 0;
}

/* rt_sigprocmask(how, set, oldset, sigsetsize). */
int64_t sys_rt_sigprocmask(linux_thread_t *t, const uint64_t a[6]) {
    if (a[3] != 8) return -LINUX_EINVAL;
    uint64_t old = t->sigmask;
    if (a[1]) {
        uint64_t set;
        GET_ARG(set, a[1]);
        set &= ~SYS_UNBLOCKABLE;
        switch (a[0]) {
        case LINUX_SIG_BLOCK: t->sigmask |= set; break;
        case LINUX_SIG_UNBLOCK: t->sigmask &= ~set; break;
        case LINUX_SIG_SETMASK: t->sigmask = set; break;
        default: return -LINUX_EINVAL;
        }
    }
    if (a[2]) PUT_ARG(a[2], old);
    return 0;
}

/* rt_sigpending(set, sigsetsize): the pending signals that are blocked. */
int64_t sys_rt_sigpending(linux_thread_t *t, const uint64_t a[6]) {
    uint64_t v = atomic_load(&t->pending) & t->sigmask;
    PUT_ARG(a[0], v);
    return 0;
}

/* rt_sigsuspend(mask, sigsetsize): waits with the given mask until a signal it lets through
 * is pending; always -EINTR. */
int64_t sys_rt_sigsuspend(linux_thread_t *t, const uint64_t a[6]) {
    if (a[1] != 8) return -LINUX_EINVAL;
    uint64_t m;
    GET_ARG(m, a[0]);
    /* wait with the given mask; the handler then runs with it, and the old mask comes
     * back through the frame's uc_sigmask (or right after, when no handler runs) */
    t->saved_mask = t->sigmask;
    t->restore_mask = true;
    t->sigmask = m & ~SYS_UNBLOCKABLE;
    while (!(atomic_load(&t->pending) & ~t->sigmask)) {
        struct timespec nap = {0, 10 * 1000 * 1000}; /* a signal cuts it short */
        nanosleep(&nap, NULL);
    }
    return -LINUX_EINTR;
}

/* rt_sigreturn(): restores the registers saved in the signal frame. */
int64_t sys_rt_sigreturn(linux_thread_t *t, const uint64_t a[6]) {
    (void)a;
    return linux_do_sigreturn(t);
}

/* sigaltstack(ss, old_ss). */
int64_t sys_sigaltstack(linux_thread_t *t, const uint64_t a[6]) {
    linux_stack_t old = t->altstack;
    if (a[1]) PUT_ARG(a[1], old);
    if (a[0]) {
        linux_stack_t g;
        GET_ARG(g, a[0]);
        if (g.ss_flags & LINUX_SS_DISABLE) {
            t->altstack = (linux_stack_t){0, LINUX_SS_DISABLE, 0, 0};
        } else {
            if (g.ss_flags & ~LINUX_SS_ONSTACK) return -LINUX_EINVAL;
            if (g.ss_size < LINUX_MINSIGSTKSZ) return -LINUX_ENOMEM;
            t->altstack = (linux_stack_t){g.ss_sp, 0, 0, g.ss_size};
        }
    }
    return 0;
}

/* kill(pid, sig). */
int64_t sys_kill(linux_thread_t *t, const uint64_t a[6]) {
    int hs = linux_sig_to_host((int)a[1]);
    if (a[1] && !hs) return -LINUX_EINVAL;
    if ((pid_t)a[0] == getpid() && a[1]) {
        linux_raise(t, (int)a[1]);
        return 0;
    }
    return sys_ret(kill((pid_t)a[0], hs));
}

/* Send guest signal sig to thread tid of process tgid. */
static int64_t thread_kill(linux_thread_t *t, pid_t tgid, pid_t tid, uint64_t sig) {
    int hs = linux_sig_to_host((int)sig);
    if (sig && !hs) return -LINUX_EINVAL;
    if (tid == t->tid && sig) {
        linux_raise(t, (int)sig);
        return 0;
    }
    return sys_ret(syscall(SYS_tgkill, tgid, tid, hs));
}

/* tkill(tid, sig). */
int64_t sys_tkill(linux_thread_t *t, const uint64_t a[6]) {
    return thread_kill(t, getpid(), (pid_t)a[0], a[1]);
}

/* tgkill(tgid, tid, sig). */
int64_t sys_tgkill(linux_thread_t *t, const uint64_t a[6]) {
    return thread_kill(t, (pid_t)a[0], (pid_t)a[1], a[2]);
}
