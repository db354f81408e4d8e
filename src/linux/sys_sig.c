/* sys_sig.c - system calls on signals: rt_sigaction, rt_sigprocmask, rt_sigpending,
 * rt_sigsuspend, rt_sigtimedwait, rt_sigreturn, sigaltstack, kill, tkill, tgkill,
 * rt_sigqueueinfo and rt_tgsigqueueinfo.
 *
 * Guest signals are emulated rather than handed to the host: dispositions live in the
 * process (linux_do_sigaction), masks and pending sets in the thread, and delivery is the
 * work of signal.c. The guest sigset_t is one 64-bit word; SIGKILL and
 * SIGSTOP can never be blocked. A signal sent to the process itself or to one of its own
 * threads is raised in the emulation with the siginfo Linux gives (SI_USER from kill,
 * SI_TKILL from tkill/tgkill, the caller's own from sigqueue); anything else becomes a host
 * kill or rt_sigqueueinfo with the signal number translated, and the host's siginfo reaches
 * the guest handler (signal.c). */
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "linux/box.h"
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
        linux_catch_blocked_dfl(t, t->sigmask);
    }
    if (a[2]) PUT_ARG(a[2], old);
    return 0;
}

/* rt_sigpending(set, sigsetsize): the pending signals that are blocked. */
int64_t sys_rt_sigpending(linux_thread_t *t, const uint64_t a[6]) {
    uint64_t v = linux_pending(t) & t->sigmask;
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
    /* under the lock: a thread that raises a signal for the process then sees either the
     * new mask (and wakes this thread) or its signal is pending before the look below */
    pthread_mutex_lock(&t->proc->sig_lock);
    t->sigmask = m & ~SYS_UNBLOCKABLE;
    pthread_mutex_unlock(&t->proc->sig_lock);
    linux_catch_blocked_dfl(t, t->sigmask);
    /* sleep until a host signal comes that the guest sees (the others stay blocked on the
     * host meanwhile); one that only went to the pending sets lets it sleep on */
    sigset_t old, wait;
    while (sys_wait_begin(t, 0, &old, &wait)) {
        ppoll(NULL, 0, NULL, &wait);
        sys_wait_end(&old);
    }
    return -LINUX_EINTR;
}

/* rt_sigtimedwait(set, info, timeout, sigsetsize): takes a pending signal of `set` (blocked
 * or not) and returns its number, with its siginfo at info; waits up to timeout (NULL:
 * forever) for one. -EAGAIN when the time runs out, -EINTR when another signal that is not
 * blocked arrives first (its handler then runs). */
int64_t sys_rt_sigtimedwait(linux_thread_t *t, const uint64_t a[6]) {
    if (a[3] != 8) return -LINUX_EINVAL;
    uint64_t set;
    GET_ARG(set, a[0]);
    set &= ~SYS_UNBLOCKABLE;
    struct timespec tbuf, *tsp;
    int trc = sys_get_timespec(t, a[2], &tbuf, &tsp);
    if (trc) return trc;
    if (tsp && (tsp->tv_sec < 0 || tsp->tv_nsec < 0 || tsp->tv_nsec >= 1000000000L))
        return -LINUX_EINVAL;
    struct timespec deadline;
    if (tsp) {
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += tsp->tv_sec;
        deadline.tv_nsec += tsp->tv_nsec;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
    }
    linux_siginfo_t info;
    int sig = sys_sigwait(t, set, tsp ? &deadline : NULL, &info);
    if (sig > 0 && a[1] && linux_copy_to_guest(t, a[1], &info, sizeof(info))) {
        linux_raise(t, &info); /* not lost: it stays pending, as in Linux */
        return -LINUX_EFAULT;
    }
    return sig;
}

int sys_sigwait(linux_thread_t *t, uint64_t set, const struct timespec *deadline,
                linux_siginfo_t *info) {
    /* while it waits, a signal of the set sent to the process may come to this thread */
    atomic_store(&t->waiting_set, set);
    int r;
    for (;;) {
        int sig = linux_take_signal(t, set, info);
        if (sig) {
            r = sig;
            break;
        }
        /* host signals are held from the check to the wait, which lets them in atomically */
        sigset_t old, wait;
        if (!sys_wait_begin(t, set, &old, &wait)) {
            r = -LINUX_EINTR;
            break;
        }
        if (linux_pending(t) & set) {
            sys_wait_end(&old);
            continue;
        }
        /* a signal sent to the process raises no host signal here: look again every 10 ms */
        struct timespec left = {0, 10 * 1000 * 1000};
        bool last = false;
        if (deadline) {
            struct timespec now, d;
            clock_gettime(CLOCK_MONOTONIC, &now);
            d.tv_sec = deadline->tv_sec - now.tv_sec;
            d.tv_nsec = deadline->tv_nsec - now.tv_nsec;
            if (d.tv_nsec < 0) {
                d.tv_sec--;
                d.tv_nsec += 1000000000L;
            }
            if (d.tv_sec < 0) {
                sys_wait_end(&old);
                r = -LINUX_EAGAIN;
                break;
            }
            if (d.tv_sec == 0 && d.tv_nsec <= left.tv_nsec) {
                left = d;
                last = true;
            }
        }
        int pr = ppoll(NULL, 0, &left, &wait);
        sys_wait_end(&old);
        if (pr == 0 && last) {
            /* the time ran out; a signal may still have come just at the end */
            sig = linux_take_signal(t, set, info);
            r = sig ? sig : -LINUX_EAGAIN;
            break;
        }
    }
    atomic_store(&t->waiting_set, 0);
    return r;
}

/* rt_sigreturn(): restores the registers saved in the signal frame. */
int64_t sys_rt_sigreturn(linux_thread_t *t, const uint64_t a[6]) {
    (void)a;
    return linux_do_sigreturn(t);
}

/* sigaltstack(ss, old_ss): while the thread runs on its alternate stack (a handler on it),
 * old_ss says SS_ONSTACK and a change is refused with EPERM, as Linux does. */
int64_t sys_sigaltstack(linux_thread_t *t, const uint64_t a[6]) {
    linux_stack_t old = t->altstack;
    old.ss_flags = linux_altstack_flags(t, t->cpu->x[2]);
    if (a[0]) {
        linux_stack_t g;
        GET_ARG(g, a[0]);
        int rc = linux_set_altstack(t, &g, t->cpu->x[2]);
        if (rc) return rc;
    }
    if (a[1] && linux_copy_to_guest(t, a[1], &old, sizeof(old))) return -LINUX_EFAULT;
    return 0;
}

/* The siginfo of a signal sent by this process to itself: si_code with our pid and uid. */
static linux_siginfo_t own_info(int sig, int code) {
    linux_siginfo_t info;
    memset(&info, 0, sizeof(info));
    info.si_signo = sig;
    info.si_code = code;
    info.u.kill.pid = getpid();
    info.u.kill.uid = getuid();
    return info;
}

/* kill(0 | -PGRP | -1, sig) under --sandbox: the group's members in the guest's process tree
 * (box.c), this process last (its signal may end it). 0 when one was signalled, else the
 * last errno (ESRCH: none). */
static int64_t box_group_kill(linux_thread_t *t, pid_t pid, int sig, int hs) {
    if (pid == INT32_MIN) return -LINUX_ESRCH; /* -pid does not exist */
    int pgrp = pid == 0 ? getpgrp() : pid == -1 ? -1 : -pid;
    enum { MAX_MEMBERS = 4096 };
    int *members = malloc(MAX_MEMBERS * sizeof(int)), outside;
    if (!members) return -LINUX_ENOMEM;
    int n = linux_box_group(t, pgrp, members, MAX_MEMBERS, &outside);
    int64_t rc = -LINUX_ESRCH;
    bool self = false, any = false;
    for (int i = 0; i < n; i++) {
        if (members[i] == getpid()) {
            self = true;
            continue;
        }
        int r = linux_box_kill(t, members[i], hs);
        if (!r)
            any = true;
        else
            rc = r;
    }
    free(members);
    if (self) {
        if (sig) {
            linux_siginfo_t info = own_info(sig, LINUX_SI_USER);
            linux_raise_process(t, &info);
        }
        any = true;
    }
    return any ? 0 : rc;
}

/* kill(pid, sig). Under --sandbox only the guest's own processes (box.c). */
int64_t sys_kill(linux_thread_t *t, const uint64_t a[6]) {
    int hs = linux_sig_to_host((int)a[1]);
    if (a[1] > LINUX_NSIG) return -LINUX_EINVAL;
    pid_t pid = (pid_t)a[0];
    if (pid == getpid() && a[1]) {
        /* also 32 and 33, which have no host number */
        linux_siginfo_t info = own_info((int)a[1], LINUX_SI_USER);
        linux_raise_process(t, &info);
        return 0;
    }
    if (a[1] && !hs) return -LINUX_EINVAL;
    if (t->proc->opt.sandbox) {
        if (pid > 0) return linux_box_kill(t, pid, hs);
        return box_group_kill(t, pid, (int)a[1], hs);
    }
    return sys_ret(kill(pid, hs));
}

/* Send guest signal sig to thread tid of process tgid. */
static int64_t thread_kill(linux_thread_t *t, pid_t tgid, pid_t tid, uint64_t sig) {
    int hs = linux_sig_to_host((int)sig);
    if (sig > LINUX_NSIG) return -LINUX_EINVAL;
    if (tid == t->tid && tgid == getpid() && sig) {
        /* also 32 and 33, which have no host number; a real-time one that finds the queue
         * full fails, as Linux's does past RLIMIT_SIGPENDING (kill's SI_USER does not) */
        linux_siginfo_t info = own_info((int)sig, LINUX_SI_TKILL);
        return linux_raise(t, &info) ? 0 : -LINUX_EAGAIN;
    }
    if (sig && !hs) return -LINUX_EINVAL;
    int rc = linux_box_pid_check(t, tgid); /* --sandbox: the guest's own processes only */
    if (rc) return rc;
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

/* Queue guest signal sig with the caller's siginfo at guest uinfo to process tgid, or to its
 * thread tid when tid > 0. As Linux: another process can only be sent an si_code below zero
 * other than SI_TKILL (EPERM), and si_signo becomes sig. */
static int64_t queue_info(linux_thread_t *t, pid_t tgid, pid_t tid, uint64_t sig, uint64_t uinfo) {
    linux_siginfo_t info;
    GET_ARG(info, uinfo);
    int hs = linux_sig_to_host((int)sig);
    if (sig > LINUX_NSIG) return -LINUX_EINVAL;
    if ((info.si_code >= 0 || info.si_code == LINUX_SI_TKILL) && tgid != getpid())
        return -LINUX_EPERM;
    info.si_signo = (int32_t)sig;
    /* a real-time signal that finds the queue full: EAGAIN, as Linux past RLIMIT_SIGPENDING */
    if (tgid == getpid() && tid == t->tid && sig) return linux_raise(t, &info) ? 0 : -LINUX_EAGAIN;
    if (tgid == getpid() && tid <= 0 && sig)
        return linux_raise_process(t, &info) ? 0 : -LINUX_EAGAIN;
    if (sig && !hs) return -LINUX_EINVAL;  /* 32 and 33 reach no other process */
    int rc = linux_box_pid_check(t, tgid); /* --sandbox: the guest's own processes only */
    if (rc) return rc;
    siginfo_t h;
    _Static_assert(sizeof(h) == sizeof(info), "host siginfo is 128 bytes");
    memcpy(&h, &info, sizeof(h));
    h.si_signo = hs;
    if (tid > 0) return sys_ret(syscall(SYS_rt_tgsigqueueinfo, tgid, tid, hs, &h));
    return sys_ret(syscall(SYS_rt_sigqueueinfo, tgid, hs, &h));
}

/* rt_sigqueueinfo(tgid, sig, info): sigqueue(). */
int64_t sys_rt_sigqueueinfo(linux_thread_t *t, const uint64_t a[6]) {
    return queue_info(t, (pid_t)a[0], 0, a[1], a[2]);
}

/* rt_tgsigqueueinfo(tgid, tid, sig, info): pthread_sigqueue(). */
int64_t sys_rt_tgsigqueueinfo(linux_thread_t *t, const uint64_t a[6]) {
    if ((pid_t)a[0] <= 0 || (pid_t)a[1] <= 0) return -LINUX_EINVAL;
    return queue_info(t, (pid_t)a[0], (pid_t)a[1], a[2], a[3]);
}
