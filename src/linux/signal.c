/* signal.c - guest signals: dispositions, host signal forwarding, frames and sigreturn.
 *
 * Dispositions live in the process (act[]); masks, pending bits and the alternate stack in
 * each thread. A guest handler for an asynchronous signal installs a host handler that only
 * sets the thread's pending bit and its hart's interrupt_request, so the guest handler runs
 * at a safe point (between two blocks, or after the system call). SIG_IGN and SIG_DFL are
 * given to the host as they are, so that default actions (termination, stop, ignore) are
 * the host kernel's own, except for SIGSEGV and SIGBUS, which vm always handles: a host fault
 * at a guest address is a guest fault (rv_cpu_host_fault unwinds out of the interpreter), and
 * one that user space sent (si_code <= 0) is forwarded as any other signal.
 *
 * A signal sent to the process (kill or sigqueue of its own pid, or a host signal that lands
 * on a thread that blocks it) goes, as in Linux, to a thread that does not block it: the
 * sender itself when it can, else another thread, which a host signal of the same number
 * interrupts; when every thread blocks it, it waits in the process's shared set for the
 * first thread that unblocks it or waits for it in rt_sigtimedwait (which polls the set).
 *
 * A handler gets the riscv64 rt_sigframe (siginfo + ucontext with all registers, the old mask
 * in uc_sigmask) on its stack and ra pointing at the process's sigreturn trampoline (li a7,
 * 139; ecall), which is where the kernel would point it to its vDSO. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "linux/copy.h"
#include "linux/internal.h"
#include "linux/safe_syscall.h"
#include "exec/exec.h"
#include "riscv/cpu.h"

_Thread_local linux_thread_t *linux_current;

/* Guest and host numbering of the standard signals. */
static const struct {
    int guest; /* LINUX_SIG* */
    int host;  /* SIG* */
} sig_table[] = {
    {LINUX_SIGHUP, SIGHUP},       {LINUX_SIGINT, SIGINT},       {LINUX_SIGQUIT, SIGQUIT},
    {LINUX_SIGILL, SIGILL},       {LINUX_SIGTRAP, SIGTRAP},     {LINUX_SIGABRT, SIGABRT},
    {LINUX_SIGBUS, SIGBUS},       {LINUX_SIGFPE, SIGFPE},       {LINUX_SIGKILL, SIGKILL},
    {LINUX_SIGUSR1, SIGUSR1},     {LINUX_SIGSEGV, SIGSEGV},     {LINUX_SIGUSR2, SIGUSR2},
    {LINUX_SIGPIPE, SIGPIPE},     {LINUX_SIGALRM, SIGALRM},     {LINUX_SIGTERM, SIGTERM},
    {LINUX_SIGSTKFLT, SIGSTKFLT}, {LINUX_SIGCHLD, SIGCHLD},     {LINUX_SIGCONT, SIGCONT},
    {LINUX_SIGSTOP, SIGSTOP},     {LINUX_SIGTSTP, SIGTSTP},     {LINUX_SIGTTIN, SIGTTIN},
    {LINUX_SIGTTOU, SIGTTOU},     {LINUX_SIGURG, SIGURG},       {LINUX_SIGXCPU, SIGXCPU},
    {LINUX_SIGXFSZ, SIGXFSZ},     {LINUX_SIGVTALRM, SIGVTALRM}, {LINUX_SIGPROF, SIGPROF},
    {LINUX_SIGWINCH, SIGWINCH},   {LINUX_SIGIO, SIGIO},         {LINUX_SIGPWR, SIGPWR},
    {LINUX_SIGSYS, SIGSYS},
};

int linux_sig_from_host(int h) {
    for (size_t i = 0; i < sizeof(sig_table) / sizeof(sig_table[0]); i++)
        if (sig_table[i].host == h) return sig_table[i].guest;
    /* real-time signals: the host reserves the first few for its threads library */
    if (h >= SIGRTMIN && h <= SIGRTMAX && h - SIGRTMIN + 34 <= LINUX_NSIG) return h - SIGRTMIN + 34;
    return 0;
}

int linux_sig_to_host(int g) {
    for (size_t i = 0; i < sizeof(sig_table) / sizeof(sig_table[0]); i++)
        if (sig_table[i].guest == g) return sig_table[i].host;
    if (g >= 34 && g <= LINUX_NSIG && SIGRTMIN + (g - 34) <= SIGRTMAX) return SIGRTMIN + (g - 34);
    return 0;
}

static uint64_t bit(int sig) {
    return 1ull << (sig - 1);
}

/* The process of the signal handlers (one guest process per host process). */
static linux_proc_t *the_proc;

/* si_code of the host signal that wakes a thread to take a signal from its process's shared
 * set (negative: a code user space may send to its own process; no sender uses this one). */
#define SI_WAKE (-77)

/* ---- the queue of real-time signals: a pending signal keeps its first siginfo in its slot
 * (pending_info, shared_info); further instances of a real-time signal wait here, in order of
 * sending, and the one that takes the slot's moves the oldest in. Lock-free, as signal
 * handlers push: an entry is claimed by a compare-and-swap on its state. ---- */

/* Instances the queue may hold now: the guest's RLIMIT_SIGPENDING (the host process's own,
 * which the guest's setrlimit and prlimit64 set, read at each push so that a limit another
 * process set counts too) less the first instance pending in its slot, as Linux counts every
 * pending instance against it; at most LINUX_RTQ_MAX. Safe in a signal handler. */
static int rtq_capacity(void) {
    struct rlimit rl;
    if (syscall(SYS_prlimit64, 0, RLIMIT_SIGPENDING, NULL, &rl) != 0) return LINUX_RTQ_MAX;
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > LINUX_RTQ_MAX) return LINUX_RTQ_MAX;
    return rl.rlim_cur > 0 ? (int)rl.rlim_cur - 1 : 0;
}

/* Queue info (signal info->si_signo) for thread tid, or for the process (0). false: full (the
 * capacity reached; for a signal the host delivered, over, only when no entry is left: it
 * was sent already, and hold_if_full keeps the next ones waiting on the host). */
static bool rtq_push(linux_proc_t *p, int tid, const linux_siginfo_t *info, bool over) {
    if (!over && atomic_load(&p->rtq_count) >= rtq_capacity()) return false;
    for (int i = 0; i < LINUX_RTQ_MAX; i++) {
        linux_rtq_entry_t *e = &p->rtq[i];
        int free_state = 0;
        if (atomic_load_explicit(&e->state, memory_order_relaxed) != 0 ||
            !atomic_compare_exchange_strong(&e->state, &free_state, 1))
            continue;
        /* scans look up to rtq_hi: it covers this entry before the entry counts as queued */
        int hi = atomic_load(&p->rtq_hi);
        while (hi < i + 1 && !atomic_compare_exchange_weak(&p->rtq_hi, &hi, i + 1)) {
        }
        e->tid = tid;
        e->sig = info->si_signo;
        e->info = *info;
        e->seq = atomic_fetch_add(&p->rtq_seq, 1);
        atomic_fetch_add(&p->rtq_count, 1);
        atomic_store(&e->state, 2);
        return true;
    }
    return false;
}

/* Take the oldest queued instance of sig for tid (0: the process) into *info. */
static bool rtq_pop(linux_proc_t *p, int tid, int sig, linux_siginfo_t *info) {
    while (atomic_load(&p->rtq_count) > 0) {
        linux_rtq_entry_t *best = NULL;
        for (int i = 0, hi = atomic_load(&p->rtq_hi); i < hi; i++) {
            linux_rtq_entry_t *e = &p->rtq[i];
            if (atomic_load(&e->state) == 2 && e->tid == tid && e->sig == sig &&
                (!best || e->seq < best->seq))
                best = e;
        }
        if (!best) return false;
        int queued = 2;
        if (!atomic_compare_exchange_strong(&best->state, &queued, 3)) continue; /* taken */
        *info = best->info;
        atomic_fetch_sub(&p->rtq_count, 1);
        atomic_store(&best->state, 0);
        return true;
    }
    return false;
}

/* Whether an instance of sig for tid (0: the process) is queued. */
static bool rtq_has(linux_proc_t *p, int tid, int sig) {
    if (atomic_load(&p->rtq_count) == 0) return false;
    for (int i = 0, hi = atomic_load(&p->rtq_hi); i < hi; i++) {
        linux_rtq_entry_t *e = &p->rtq[i];
        if (atomic_load(&e->state) == 2 && e->tid == tid && e->sig == sig) return true;
    }
    return false;
}

/* Drop every queued instance of sig (an ignored signal is discarded). */
static void rtq_discard(linux_proc_t *p, int sig) {
    for (int i = 0, hi = atomic_load(&p->rtq_hi); i < hi && atomic_load(&p->rtq_count) > 0; i++) {
        linux_rtq_entry_t *e = &p->rtq[i];
        int queued = 2;
        if (e->sig == sig && atomic_compare_exchange_strong(&e->state, &queued, 3)) {
            atomic_fetch_sub(&p->rtq_count, 1);
            atomic_store(&e->state, 0);
        }
    }
}

void linux_rtq_drop(linux_proc_t *p, int tid) {
    for (int i = 0, hi = atomic_load(&p->rtq_hi); i < hi && atomic_load(&p->rtq_count) > 0; i++) {
        linux_rtq_entry_t *e = &p->rtq[i];
        int queued = 2;
        if ((tid < 0 || e->tid == tid) && atomic_compare_exchange_strong(&e->state, &queued, 3)) {
            atomic_fetch_sub(&p->rtq_count, 1);
            atomic_store(&e->state, 0);
        }
    }
}

/* Whether one more instance of sig with info queues behind the pending one (real-time
 * signals), rather than merging with it (standard signals; and a timer's expiry while its last
 * one is still pending, which Linux counts as an overrun instead). */
static bool queues(int sig, const linux_siginfo_t *info, const linux_siginfo_t *pending) {
    if (sig < LINUX_SIGRTMIN) return false;
    const linux_siginfo_fields_t *a = (const void *)info, *b = (const void *)pending;
    return !(a->si_code == LINUX_SI_TIMER && b->si_code == LINUX_SI_TIMER && a->pid == b->pid);
}

/* Put sig with info in p's shared set; when it is already there, a real-time signal queues
 * behind it and a standard one merges (Linux). Safe in a signal handler: the claim bit makes
 * this the only writer of the slot's info, and the holder of the claim is the only one that
 * moves a queued instance into the slot. */
static bool raise_shared(linux_proc_t *p, int sig, const linux_siginfo_t *info, bool over) {
    linux_siginfo_t one = *info;
    one.si_signo = sig;
    if (atomic_fetch_or(&p->shared_claim, bit(sig)) & bit(sig)) {
        if (!queues(sig, &one, &p->shared_info[sig - 1])) return true;
        if (!rtq_push(p, 0, &one, over)) return false; /* the queue is full */
        /* the slot may have been taken meanwhile: then this one moves in itself */
        if (!(atomic_load(&p->shared_claim) & bit(sig)) &&
            !(atomic_fetch_or(&p->shared_claim, bit(sig)) & bit(sig))) {
            if (!rtq_pop(p, 0, sig, &p->shared_info[sig - 1])) {
                atomic_fetch_and(&p->shared_claim, ~bit(sig));
                return true;
            }
            atomic_fetch_or(&p->shared_pending, bit(sig));
        }
        linux_sfd_notify(p, sig);
        return true;
    }
    memcpy(&p->shared_info[sig - 1], &one, sizeof(one));
    atomic_fetch_or(&p->shared_pending, bit(sig));
    linux_sfd_notify(p, sig);
    return true;
}

/* ---- a full queue keeps signals from outside waiting on the host: Linux gives a sender
 * EAGAIN when the receiver's RLIMIT_SIGPENDING is reached, but vm's host handlers take every
 * signal off the host's queue at once, so the host never sees a full one. Once the queue holds
 * its capacity, a real-time signal the host delivers is still queued (it was sent), and then
 * its host signal is held: blocked on the thread that took it (through the handler's
 * ucontext, which the kernel restores on return), left out of every wait mask
 * (linux_wait_host_mask) and out of the signalfd listener's. Each thread takes at most one
 * more before it blocks it, then the host keeps the rest pending, counted against the limit,
 * and a sender past it gets EAGAIN from the host kernel. When the queue has room again, each
 * thread that blocked it lets it in again at its next stop (linux_rtq_release), and the host
 * delivers what it kept, in order. ---- */

/* After the host delivered real-time signal sig (host hsig) to this handler: hold it when the
 * queue is full (see above). t: the guest thread the handler runs on, or NULL. */
static void hold_if_full(linux_proc_t *p, linux_thread_t *t, int sig, int hsig, void *uctx) {
    if (sig < LINUX_SIGRTMIN || atomic_load(&p->rtq_count) < rtq_capacity()) return;
    atomic_fetch_or(&p->rtq_held, bit(sig));
    sigaddset(&((ucontext_t *)uctx)->uc_sigmask, hsig);
    if (t) t->rtq_blocked |= bit(sig);
}

void linux_rtq_release(linux_thread_t *t) {
    linux_proc_t *p = t->proc;
    if (atomic_load(&p->rtq_count) >= rtq_capacity()) return;
    atomic_store(&p->rtq_held, 0);
    sigset_t set;
    sigemptyset(&set);
    /* the handler may add one meanwhile: its bit is read back with the host signals blocked */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    for (uint64_t b = t->rtq_blocked; b; b &= b - 1) {
        int hs = linux_sig_to_host(__builtin_ctzll(b) + 1);
        if (hs) sigdelset(&old, hs);
    }
    t->rtq_blocked = 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Host signals blocked on this thread around a change of its own pending set and real-time
 * queue, which its own handler also changes (SIGBUS too: it carries the expiries of timers
 * whose guest signal has no host number; no guest memory is touched meanwhile). */
static void block_all(sigset_t *old) {
    sigset_t all;
    sigfillset(&all);
    sigdelset(&all, SIGSEGV);
    pthread_sigmask(SIG_BLOCK, &all, old);
}

uint64_t linux_pending(const linux_thread_t *t) {
    uint64_t own = atomic_load(&t->pending);
    /* a vfork child shares the parent's process structure but is a process of its own */
    return t->vfork_child ? own : own | atomic_load(&t->proc->shared_pending);
}

void linux_thread_list_add(linux_thread_t *t) {
    linux_proc_t *p = t->proc;
    pthread_mutex_lock(&p->sig_lock);
    t->next_thread = p->threads;
    p->threads = t;
    pthread_mutex_unlock(&p->sig_lock);
}

void linux_thread_list_remove(linux_thread_t *t) {
    linux_proc_t *p = t->proc;
    pthread_mutex_lock(&p->sig_lock);
    for (linux_thread_t **pp = &p->threads; *pp; pp = &(*pp)->next_thread)
        if (*pp == t) {
            *pp = t->next_thread;
            break;
        }
    pthread_mutex_unlock(&p->sig_lock);
}

/* Whether vm's host handler takes sig while its guest action is SIG_DFL: every catchable
 * signal whose default action ends or stops the process, so that a guest that blocks it
 * keeps it pending. One whose default is to do nothing (SIGCHLD, SIGURG, SIGWINCH, SIGCONT)
 * stays the host's SIG_DFL, which discards it without interrupting a host call, until a
 * guest thread blocks it (linux_catch_blocked_dfl). */
static bool host_catches_dfl(int sig);

/* The default action of sig is to do nothing (used by the handler, sigaction, raise and
 * deliver). */
static bool default_ignored(int sig);

/* Host handler of asynchronous signals the guest handles (or blocks at SIG_DFL): keep the host's
 * siginfo (sender, si_code, sigqueue value, timer id, child status: the generic layout is the same
 * on the host and on riscv64, only the number differs), mark pending, stop the hart. A signal for
 * the process that this thread blocks goes to the process's shared set. */
static void host_async_handler(int hsig, siginfo_t *si, void *uctx) {
    int sig = linux_sig_from_host(hsig);
    linux_thread_t *t = linux_current;
    /* the host thread that waits for its vfork child shares vm's thread-local data with it,
     * so the child's thread is current there: a SIGSEGV or SIGBUS sent to the parent (the
     * only ones it lets in meanwhile) is for the parent's process */
    if (t && t->vfork_child && t->tid != (int)syscall(SYS_gettid)) t = NULL;
    _Static_assert(sizeof(siginfo_t) == sizeof(linux_siginfo_t), "host siginfo is 128 bytes");
    bool to_thread = si->si_code == SI_TKILL;
    bool nohost = false; /* signal 32 or 33, which has no host number (nor default action) */
    if (hsig == SIGBUS && si->si_code == SI_TIMER) {
        /* the expiry of a timer whose guest signal has no host number (32, 33): that signal,
         * for the thread the timer names (SIGEV_THREAD_ID) or for the process; any other
         * timer's SIGBUS is the guest's SIGBUS */
        int nh = the_proc ? linux_nohost_timer_sig(the_proc, si->si_timerid) : 0;
        if (nh) {
            sig = nh & 0xff;
            to_thread = (nh & LINUX_NOHOST_TO_THREAD) != 0;
            nohost = true;
        }
    }
    if (!sig) return;
    if (!t) {
        /* a thread that runs no guest code (start-up, a thread on its way out, the signalfd
         * listener): for the process, whose threads take it at their next stop (the listener
         * routes it at once) */
        if (the_proc && si->si_code != SI_WAKE) {
            if (the_proc->act[sig].handler == LINUX_SIG_DFL && !nohost)
                atomic_fetch_or(&the_proc->host_dfl, bit(sig));
            raise_shared(the_proc, sig, (const linux_siginfo_t *)(const void *)si, true);
            hold_if_full(the_proc, NULL, sig, hsig, uctx);
            atomic_store(&the_proc->route_pending, 1);
        }
        return;
    }
    if (si->si_code == SI_WAKE && si->si_pid == getpid()) {
        /* the signal itself is in the process's shared set */
        t->sig_ready = 1;
        linux_safe_syscall_fixup(uctx);
        rv_cpu_interrupt(t->cpu);
        return;
    }
    if (si->si_code > 0 &&
        (hsig == SIGILL || hsig == SIGFPE || hsig == SIGTRAP || hsig == SIGSYS)) {
        /* the kernel's own: a fault of vm itself (or a seccomp trap); it comes back at once
         * and takes the host's default action */
        signal(hsig, SIG_DFL);
        return;
    }
    bool dfl = t->proc->act[sig].handler == LINUX_SIG_DFL;
    if (dfl && default_ignored(sig) && !(t->sigmask & bit(sig)) &&
        !(atomic_load(&t->waiting_set) & bit(sig)))
        return; /* nothing to do, as Linux discards it (a host call it interrupted restarts) */
    /* (signals 32 and 33 have no host default action: vm's own applies) */
    if (dfl && !nohost) atomic_fetch_or(&t->proc->host_dfl, bit(sig));
    if ((t->sigmask & bit(sig)) && !t->vfork_child && !to_thread &&
        !(atomic_load(&t->pending) & bit(sig))) {
        /* for the process: a thread that does not block it is woken (linux_route_shared)
         * once this one is out of the handler; a blocking call of this thread that the
         * signal interrupted goes on afterwards (sys_block) */
        raise_shared(t->proc, sig, (const linux_siginfo_t *)(const void *)si, true);
        hold_if_full(t->proc, t, sig, hsig, uctx);
        atomic_store(&t->proc->route_pending, 1);
        t->sig_ready = 1;
        linux_safe_syscall_fixup(uctx);
        rv_cpu_interrupt(t->cpu);
        return;
    }
    linux_siginfo_t one;
    memcpy(&one, si, sizeof(one));
    one.si_signo = sig;
    if (!(atomic_load(&t->pending) & bit(sig)))
        t->pending_info[sig - 1] = one;
    else if (queues(sig, &one, &t->pending_info[sig - 1]))
        rtq_push(t->proc, t->tid, &one, true); /* this thread's own code does not run meanwhile */
    atomic_fetch_or(&t->pending, bit(sig));
    hold_if_full(t->proc, t, sig, hsig, uctx);
    /* pending for this thread alone: its signalfds are readable for it only, which its own
     * waits look at (linux_sfd_reads_own), so the descriptors are not notified */
    if (!(t->sigmask & bit(sig))) {
        /* a blocking host call about to start, or in progress, ends (safe_syscall.h) */
        t->sig_ready = 1;
        linux_safe_syscall_fixup(uctx);
    }
    rv_cpu_interrupt(t->cpu);
}

/* Host SIGSEGV/SIGBUS: a guest access to a bad page, a real vm bug, or a signal sent. */
static void host_fault_handler(int hsig, siginfo_t *si, void *uctx) {
    linux_thread_t *t = linux_current;
    if (si->si_code <= 0) {
        /* not a fault: a signal that user space sent (kill, sigqueue, tgkill from another
         * process, or vm's own wake-up of a thread, all with si_code <= 0: SI_USER, SI_QUEUE,
         * SI_TKILL...) or a timer's expiry (SI_TIMER), where a fault of the kernel's has a
         * positive one (SEGV_*, BUS_*, SI_KERNEL). It is the guest's, as any other signal:
         * its handler runs, it stays pending while blocked, or its default action ends vm
         * (with a core where the host writes one). */
        host_async_handler(hsig, si, uctx);
        return;
    }
    uint8_t *addr = si->si_addr;
    /* a host-side copy (system call, signal frame) hit a page another thread just took away */
    if (the_proc && linux_copy_active() && addr >= the_proc->space.resv &&
        addr < the_proc->space.resv + the_proc->space.resv_len)
        linux_copy_fault();
    /* (the guards on both sides of the space too: translated code leaves the window check
     * out of an access a few bytes from one it checked, rv_cpu_t.win_guard; the guest
     * address of one below the space wraps, as the guest's own address arithmetic did) */
    if (t && t->in_guest && the_proc && addr >= the_proc->space.base - LINUX_SPACE_GUARD &&
        addr < the_proc->space.base + the_proc->space.size + LINUX_SPACE_GUARD) {
        uint64_t ga = (uint64_t)(addr - the_proc->space.base);
        bool write = false;
#if defined(__x86_64__)
        write = (((ucontext_t *)uctx)->uc_mcontext.gregs[REG_ERR] & 2) != 0;
#else
        (void)uctx;
#endif
        uint64_t cause;
        if (hsig == SIGBUS)
            cause = write ? RV_CAUSE_STORE_ACCESS : RV_CAUSE_LOAD_ACCESS;
        else
            cause = write ? RV_CAUSE_STORE_PAGE_FAULT : RV_CAUSE_LOAD_PAGE_FAULT;
#if defined(__x86_64__)
        exec_host_fault(t->cpu, (uintptr_t)((ucontext_t *)uctx)->uc_mcontext.gregs[REG_RIP],
                        ((ucontext_t *)uctx)->uc_mcontext.gregs);
#endif
        rv_cpu_host_fault(t->cpu, cause, ga);
    }
    /* not a guest access: let the host report the crash */
    signal(hsig, SIG_DFL);
}

int linux_signals_init(linux_proc_t *proc) {
    the_proc = proc;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = host_fault_handler;
    /* SA_RESTART: a timer's SIGBUS (above) must not end vm's own host calls with EINTR */
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, NULL) || sigaction(SIGBUS, &sa, NULL)) return -errno;
    return 0;
}

/* Move the host signals pending in `want` (blocked on this thread) into t's pending set,
 * with their siginfo; real-time signals queued more than once are all taken, and queue in the
 * guest in the same order. */
static void take_host_pending(linux_thread_t *t, const sigset_t *want) {
    sigset_t pend;
    if (sigpending(&pend) != 0) return;
    for (int hs = 1; hs < NSIG; hs++) {
        int sig = linux_sig_from_host(hs);
        if (!sig || !sigismember(&pend, hs) || !sigismember(want, hs)) continue;
        sigset_t one;
        sigemptyset(&one);
        sigaddset(&one, hs);
        siginfo_t si;
        const struct timespec zero = {0, 0};
        for (int n = 0; n < 4096 && sigtimedwait(&one, &si, &zero) == hs; n++) {
            linux_siginfo_t info;
            memcpy(&info, &si, sizeof(info));
            info.si_signo = sig;
            if (hs == SIGBUS && si.si_code == SI_TIMER) {
                /* the expiry of a timer for signal 32 or 33 (the host_async_handler rule); a
                 * timer of the program before execve is gone, and so is its signal */
                info.si_signo = linux_nohost_timer_sig(t->proc, si.si_timerid) & 0xff;
                if (!info.si_signo) continue;
            }
            linux_raise(t, &info);
        }
    }
}

void linux_signals_inherit(linux_thread_t *t) {
    linux_proc_t *p = t->proc;
    sigset_t host;
    if (pthread_sigmask(SIG_SETMASK, NULL, &host) != 0) sigemptyset(&host);
    /* first, as setting SIG_IGN again below would discard an ignored one */
    take_host_pending(t, &host);
    uint64_t mask = 0;
    for (int sig = 1; sig <= LINUX_NSIG; sig++) {
        int hs = linux_sig_to_host(sig);
        if (!hs) continue;
        if (sigismember(&host, hs)) mask |= bit(sig);
        /* SIGSEGV and SIGBUS are vm's own on the host: their guest dispositions start as
         * SIG_DFL */
        if (hs == SIGSEGV || hs == SIGBUS || hs == SIGKILL || hs == SIGSTOP) continue;
        /* SIG_DFL for the guest, vm's handler for the host (one call that also reads the
         * inherited disposition): a signal the guest blocks then stays pending instead of
         * ending vm */
        struct sigaction sa, old;
        memset(&sa, 0, sizeof(sa));
        sa.sa_sigaction = host_async_handler;
        sa.sa_flags = SA_SIGINFO | SA_RESTART;
        sigemptyset(&sa.sa_mask);
        bool catch = host_catches_dfl(sig);
        if (sigaction(hs, catch ? &sa : NULL, &old) == 0 && !(old.sa_flags & SA_SIGINFO) &&
            old.sa_handler == SIG_IGN) {
            p->act[sig].handler = LINUX_SIG_IGN;
            if (catch) sigaction(hs, &old, NULL); /* ignored it stays, also across execve */
        }
    }
    t->sigmask =
        (p->opt.sigmask_set ? p->opt.sigmask : mask) & ~(bit(LINUX_SIGKILL) | bit(LINUX_SIGSTOP));
    linux_catch_blocked_dfl(t, t->sigmask);
    /* signals 32 and 33 crossed an execve on the command line (no host number), with their
     * siginfo when it came along; else as sent by the process to this thread, which keeps
     * its pid */
    for (uint64_t pend = p->opt.sigpend_nohost & (3ull << 31); pend; pend &= pend - 1) {
        int sig = __builtin_ctzll(pend) + 1;
        linux_siginfo_t info;
        _Static_assert(sizeof(p->opt.sigpend_info[0]) == sizeof(info), "siginfo is 128 bytes");
        memcpy(&info, p->opt.sigpend_info[sig - 32], sizeof(info));
        if (info.si_signo != sig) {
            memset(&info, 0, sizeof(info));
            info.si_signo = sig;
            info.si_code = LINUX_SI_TKILL;
            info.u.kill.pid = getpid();
            info.u.kill.uid = getuid();
        }
        linux_raise(t, &info);
    }
    /* signalfds kept across the execve, once the pending signals they read are in */
    linux_sfd_inherit(t, p->opt.signalfds);
    /* vm's handlers forward what the guest asks for; the guest's mask is vm's to keep */
    sigset_t none;
    sigemptyset(&none);
    pthread_sigmask(SIG_SETMASK, &none, NULL);
}

/* Queue info as host signal hs on this very thread, which Linux lets send any si_code: it
 * becomes the new program's only thread. */
static void requeue_host(int hs, const linux_siginfo_t *info) {
    siginfo_t h;
    memcpy(&h, info, sizeof(h));
    h.si_signo = hs;
    syscall(SYS_rt_tgsigqueueinfo, getpid(), (pid_t)syscall(SYS_gettid), hs, &h);
}

/* requeue_host every queued instance of sig for tid (0: the process), oldest first. */
static void requeue_queued(linux_proc_t *p, int tid, int sig, int hs) {
    uint64_t after = 0;
    for (;;) {
        const linux_rtq_entry_t *next = NULL;
        for (int i = 0, hi = atomic_load(&p->rtq_hi); i < hi && atomic_load(&p->rtq_count) > 0;
             i++) {
            const linux_rtq_entry_t *e = &p->rtq[i];
            if (atomic_load(&e->state) == 2 && e->tid == tid && e->sig == sig && e->seq >= after &&
                (!next || e->seq < next->seq))
                next = e;
        }
        if (!next) return;
        requeue_host(hs, &next->info);
        after = next->seq + 1;
    }
}

void linux_signals_exec_begin(linux_thread_t *t, sigset_t *old) {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, old);
    linux_proc_t *p = t->proc;
    uint64_t pend = linux_pending(t);
    while (pend) {
        int sig = __builtin_ctzll(pend) + 1;
        pend &= pend - 1;
        int hs = linux_sig_to_host(sig);
        if (!hs) continue;
        bool own = (atomic_load(&t->pending) & bit(sig)) != 0;
        /* the thread's own siginfo, else the process's (shared) one */
        requeue_host(hs, own ? &t->pending_info[sig - 1] : &p->shared_info[sig - 1]);
        if (sig < LINUX_SIGRTMIN) continue;
        /* a real-time signal's further instances, in order (the host queues them too) */
        if (own) requeue_queued(p, t->tid, sig, hs);
        if (t->vfork_child) continue; /* the process's set is its parent's */
        if (own && (atomic_load(&p->shared_pending) & bit(sig)))
            requeue_host(hs, &p->shared_info[sig - 1]);
        requeue_queued(p, 0, sig, hs);
    }
}

void linux_signals_exec_failed(linux_thread_t *t, const sigset_t *old) {
    sigset_t all;
    sigfillset(&all);
    /* what was queued comes back from the host: the real-time signals, which would queue
     * twice, leave the emulation first (the standard ones merge) */
    uint64_t rt = ~0ull << (LINUX_SIGRTMIN - 1);
    atomic_fetch_and(&t->pending, ~rt);
    linux_rtq_drop(t->proc, t->tid);
    if (!t->vfork_child) {
        uint64_t sh = atomic_load(&t->proc->shared_pending) & rt;
        atomic_fetch_and(&t->proc->shared_pending, ~sh);
        atomic_fetch_and(&t->proc->shared_claim, ~sh);
        linux_rtq_drop(t->proc, 0);
    }
    /* a signal that came meanwhile is not lost */
    take_host_pending(t, &all);
    pthread_sigmask(SIG_SETMASK, old, NULL);
}

int linux_do_sigaction(linux_thread_t *t, int sig, const linux_sigaction_t *act,
                       linux_sigaction_t *old) {
    linux_proc_t *p = t->proc;
    if (sig < 1 || sig > LINUX_NSIG) return -LINUX_EINVAL;
    if (act && (sig == LINUX_SIGKILL || sig == LINUX_SIGSTOP)) return -LINUX_EINVAL;
    pthread_mutex_lock(&p->sig_lock);
    if (old) *old = p->act[sig];
    int rc = 0;
    if (act) {
        p->act[sig] = *act;
        int hs = linux_sig_to_host(sig);
        /* SIGSEGV and SIGBUS stay with vm; the others follow the guest's choice */
        if (hs && hs != SIGSEGV && hs != SIGBUS) {
            struct sigaction sa;
            memset(&sa, 0, sizeof(sa));
            sigemptyset(&sa.sa_mask);
            if (act->handler == LINUX_SIG_DFL && !host_catches_dfl(sig) &&
                !(atomic_load(&p->dfl_caught) & bit(sig)))
                sa.sa_handler = SIG_DFL;
            else if (act->handler == LINUX_SIG_IGN)
                sa.sa_handler = SIG_IGN;
            else {
                sa.sa_sigaction = host_async_handler;
                sa.sa_flags |= SA_SIGINFO;
            }
            /* always SA_RESTART: the kernel then puts a restartable call back on its system
             * call instruction, inside safe_syscall's window, and vm decides by the guest's
             * SA_RESTART (deliver); vm's own host calls never see EINTR */
            sa.sa_flags |= SA_RESTART;
            if (act->flags & LINUX_SA_NOCLDSTOP) sa.sa_flags |= SA_NOCLDSTOP;
            if (sigaction(hs, &sa, NULL) != 0) rc = -linux_errno_from_host(errno);
        }
        if (act->handler == LINUX_SIG_IGN ||
            (act->handler == LINUX_SIG_DFL && default_ignored(sig))) {
            /* an ignored signal that is pending is discarded (POSIX, Linux), blocked or not */
            atomic_fetch_and(&p->shared_pending, ~bit(sig));
            atomic_fetch_and(&p->shared_claim, ~bit(sig));
            atomic_fetch_and(&t->pending, ~bit(sig));
            for (linux_thread_t *o = p->threads; o; o = o->next_thread)
                atomic_fetch_and(&o->pending, ~bit(sig));
            rtq_discard(p, sig);
        }
    }
    pthread_mutex_unlock(&p->sig_lock);
    return rc;
}

bool linux_raise(linux_thread_t *t, const linux_siginfo_t *info) {
    int sig = info->si_signo;
    sigset_t old;
    bool rt = sig >= LINUX_SIGRTMIN, queued = true;
    if (rt) block_all(&old); /* this thread's handler queues too */
    if (!(atomic_load(&t->pending) & bit(sig)))
        t->pending_info[sig - 1] = *info;
    else if (queues(sig, info, &t->pending_info[sig - 1]))
        queued = rtq_push(t->proc, t->tid, info, false);
    atomic_fetch_or(&t->pending, bit(sig));
    if (rt) pthread_sigmask(SIG_SETMASK, &old, NULL);
    /* no signalfd notification: pending for t alone (see host_async_handler) */
    rv_cpu_interrupt(t->cpu);
    return queued;
}

bool linux_raise_process(linux_thread_t *t, const linux_siginfo_t *info) {
    int sig = info->si_signo;
    linux_proc_t *p = t->proc;
    if (t->vfork_child || !(t->sigmask & bit(sig))) return linux_raise(t, info);
    pthread_mutex_lock(&p->sig_lock);
    linux_sigaction_t act = p->act[sig];
    linux_thread_t *to = NULL;
    /* whether `to` was chosen because it waits for sig in sigwaitinfo: read once, as it may
     * stop waiting meanwhile (the signal then stays pending for the process, which it blocks;
     * read twice, a sigwaitinfo that just returned looked like a thread that takes it at once) */
    bool to_waits = false;
    for (linux_thread_t *o = p->threads; o && !to; o = o->next_thread) {
        bool waits = (atomic_load(&o->waiting_set) & bit(sig)) != 0;
        if (o != t && (!(o->sigmask & bit(sig)) || waits)) {
            to = o;
            to_waits = waits;
        }
    }
    bool handled = act.handler != LINUX_SIG_DFL && act.handler != LINUX_SIG_IGN;
    if (to && !to_waits && !handled) {
        pthread_mutex_unlock(&p->sig_lock);
        /* a thread takes it at once: nothing when ignored, else the default action */
        if (act.handler == LINUX_SIG_IGN || default_ignored(sig)) return true;
        if (sig == LINUX_SIGSTOP || sig == LINUX_SIGTSTP || sig == LINUX_SIGTTIN ||
            sig == LINUX_SIGTTOU) {
            raise(SIGSTOP);
            return true;
        }
        linux_die_by_signal(t, sig);
    }
    /* for the first thread that unblocks or waits for it */
    if (!raise_shared(p, sig, info, false)) {
        pthread_mutex_unlock(&p->sig_lock);
        return false;
    }
    if (to) {
        /* the taker sees it at its next stop; a host signal of the same number, marked as a
         * wake-up, interrupts a host call it is blocked in, rt_sigtimedwait's wait too (to
         * stays listed under the lock) */
        rv_cpu_interrupt(to->cpu);
        if ((handled || to_waits) && to->tid && linux_sig_to_host(sig)) {
            siginfo_t h;
            memset(&h, 0, sizeof(h));
            h.si_signo = linux_sig_to_host(sig);
            h.si_code = SI_WAKE;
            h.si_pid = getpid();
            syscall(SYS_rt_tgsigqueueinfo, getpid(), to->tid, h.si_signo, &h);
        }
    }
    pthread_mutex_unlock(&p->sig_lock);
    return true;
}

void linux_route_shared(linux_thread_t *t) {
    /* a vfork child is a process of its own on its parent's structures: not its to route */
    if (t->vfork_child) return;
    linux_route_shared_proc(t->proc, t);
}

void linux_route_shared_proc(linux_proc_t *p, linux_thread_t *self) {
    if (!atomic_load(&p->route_pending) || !atomic_exchange(&p->route_pending, 0)) return;
    pthread_mutex_lock(&p->sig_lock);
    for (uint64_t sh = atomic_load(&p->shared_pending); sh; sh &= sh - 1) {
        int sig = __builtin_ctzll(sh) + 1, hs = linux_sig_to_host(sig);
        if (!hs) continue;
        for (linux_thread_t *o = p->threads; o; o = o->next_thread) {
            if ((o->sigmask & bit(sig)) && !(atomic_load(&o->waiting_set) & bit(sig))) continue;
            /* o takes it at its next stop (self, after this call); a host signal of the
             * same number, marked as a wake-up, ends a host call o is blocked in */
            if (o != self && o->tid) {
                siginfo_t h;
                memset(&h, 0, sizeof(h));
                h.si_signo = hs;
                h.si_code = SI_WAKE;
                h.si_pid = getpid();
                syscall(SYS_rt_tgsigqueueinfo, getpid(), o->tid, hs, &h);
            }
            break;
        }
    }
    pthread_mutex_unlock(&p->sig_lock);
}

void linux_wait_host_mask(const linux_thread_t *t, uint64_t want, sigset_t *set) {
    /* (held real-time signals stay on the host while the queue is full) */
    uint64_t quiet = t->sigmask | atomic_load(&t->proc->rtq_held);
    /* a signal with a default of doing nothing that vm catches (as it was blocked once) */
    for (uint64_t c = atomic_load(&t->proc->dfl_caught); c; c &= c - 1) {
        int sig = __builtin_ctzll(c) + 1;
        if (t->proc->act[sig].handler == LINUX_SIG_DFL) quiet |= bit(sig);
    }
    quiet &= ~want;
    sigemptyset(set);
    for (; quiet; quiet &= quiet - 1) {
        int hs = linux_sig_to_host(__builtin_ctzll(quiet) + 1);
        if (hs && hs != SIGSEGV && hs != SIGBUS && hs != SIGKILL && hs != SIGSTOP)
            sigaddset(set, hs);
    }
}

int linux_take_signal(linux_thread_t *t, uint64_t set, linux_siginfo_t *info) {
    uint64_t ready = atomic_load(&t->pending) & set;
    if (!ready) {
        if (t->vfork_child || !(atomic_load(&t->proc->shared_pending) & set)) return 0;
        /* one of the process's: taken under the lock, as other threads may want it too */
        linux_proc_t *p = t->proc;
        pthread_mutex_lock(&p->sig_lock);
        ready = atomic_load(&p->shared_pending) & set;
        int sig = ready ? __builtin_ctzll(ready) + 1 : 0;
        if (sig) {
            *info = p->shared_info[sig - 1];
            /* the holder of the claim moves the next queued instance in (raise_shared) */
            if (sig < LINUX_SIGRTMIN || !rtq_pop(p, 0, sig, &p->shared_info[sig - 1])) {
                atomic_fetch_and(&p->shared_pending, ~bit(sig));
                atomic_fetch_and(&p->shared_claim, ~bit(sig));
                /* one queued just as the claim went: it moves in now, unless a new one
                 * took the slot (that one queued it behind, and it comes next) */
                if (sig >= LINUX_SIGRTMIN && rtq_has(p, 0, sig) &&
                    !(atomic_fetch_or(&p->shared_claim, bit(sig)) & bit(sig))) {
                    if (rtq_pop(p, 0, sig, &p->shared_info[sig - 1]))
                        atomic_fetch_or(&p->shared_pending, bit(sig));
                    else
                        atomic_fetch_and(&p->shared_claim, ~bit(sig));
                }
            }
        }
        pthread_mutex_unlock(&p->sig_lock);
        return sig;
    }
    int sig = __builtin_ctzll(ready) + 1;
    if (sig >= LINUX_SIGRTMIN) {
        /* the next queued instance moves into the slot; this thread's handler, which also
         * queues, waits meanwhile */
        sigset_t old;
        block_all(&old);
        *info = t->pending_info[sig - 1];
        if (!rtq_pop(t->proc, t->tid, sig, &t->pending_info[sig - 1]))
            atomic_fetch_and(&t->pending, ~bit(sig));
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        return sig;
    }
    /* the info first: a host handler on this thread only writes it while the bit is clear */
    *info = t->pending_info[sig - 1];
    atomic_fetch_and(&t->pending, ~bit(sig));
    return sig;
}

static const char *sig_name(int sig) {
    int hs = linux_sig_to_host(sig);
    const char *s = hs ? strsignal(hs) : NULL;
    return s ? s : "unknown signal";
}

_Noreturn void linux_die_by_signal(linux_thread_t *t, int sig) {
    fprintf(stderr, "vm: guest killed by signal %d (%s) at pc 0x%llx\n", sig, sig_name(sig),
            (unsigned long long)t->cpu->pc);
    fflush(stderr);
    if (t->proc->forked_child || t->vfork_child || t->proc->opt.signal_exit) {
        /* a guest parent waits for this process (forked, or exec'd by a forked one): die by
         * the same signal, without a core */
        int hs = linux_sig_to_host(sig);
        struct rlimit rl = {0, 0};
        setrlimit(RLIMIT_CORE, &rl);
        signal(hs, SIG_DFL);
        sigset_t m;
        sigemptyset(&m);
        sigaddset(&m, hs);
        sigprocmask(SIG_UNBLOCK, &m, NULL);
        /* kill, not raise: a vfork child shares the C library's thread data with its parent,
         * whose thread id raise would use */
        kill(getpid(), hs);
    }
    _exit(128 + sig);
}

/* Signals whose default action is to do nothing. */
static bool default_ignored(int sig) {
    return sig == LINUX_SIGCHLD || sig == LINUX_SIGURG || sig == LINUX_SIGWINCH ||
           sig == LINUX_SIGCONT;
}

static bool host_catches_dfl(int sig) {
    int hs = linux_sig_to_host(sig);
    return hs && hs != SIGSEGV && hs != SIGBUS && hs != SIGKILL && hs != SIGSTOP &&
           !default_ignored(sig);
}

void linux_catch_blocked_dfl(linux_thread_t *t, uint64_t blocked) {
    linux_proc_t *p = t->proc;
    const uint64_t quiet =
        bit(LINUX_SIGCHLD) | bit(LINUX_SIGURG) | bit(LINUX_SIGWINCH) | bit(LINUX_SIGCONT);
    /* a vfork child's dispositions are its own host process's, but p is its parent's: the
     * program it execs catches what it blocks from the start (linux_signals_inherit) */
    if (t->vfork_child || !(blocked & quiet & ~atomic_load(&p->dfl_caught))) return;
    pthread_mutex_lock(&p->sig_lock);
    for (uint64_t b = blocked & quiet & ~atomic_load(&p->dfl_caught); b; b &= b - 1) {
        int sig = __builtin_ctzll(b) + 1;
        atomic_fetch_or(&p->dfl_caught, bit(sig));
        if (p->act[sig].handler != LINUX_SIG_DFL) continue; /* sigaction sees dfl_caught */
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_sigaction = host_async_handler;
        sa.sa_flags = SA_SIGINFO | SA_RESTART;
        sigemptyset(&sa.sa_mask);
        sigaction(linux_sig_to_host(sig), &sa, NULL);
    }
    pthread_mutex_unlock(&p->sig_lock);
}

/* Take the host's default action for guest signal sig on this thread: vm ends by it (a core
 * where the host would write one), or stops and comes back here on SIGCONT. */
static void host_default_action(int sig) {
    int hs = linux_sig_to_host(sig);
    struct sigaction dfl, old;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    fflush(stdout);
    fflush(stderr);
    sigaction(hs, &dfl, &old);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, hs);
    pthread_sigmask(SIG_UNBLOCK, &m, NULL);
    /* to this very thread: a vfork child shares the C library's thread data (no raise) */
    syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), hs);
    sigaction(hs, &old, NULL); /* a stop signal: continued */
}

int linux_altstack_flags(const linux_thread_t *t, uint64_t sp) {
    if (!t->altstack.ss_size) return LINUX_SS_DISABLE;
    return sp > t->altstack.ss_sp && sp - t->altstack.ss_sp <= t->altstack.ss_size
               ? LINUX_SS_ONSTACK
               : 0;
}

int linux_set_altstack(linux_thread_t *t, const linux_stack_t *g, uint64_t sp) {
    if (linux_altstack_flags(t, sp) == LINUX_SS_ONSTACK) return -LINUX_EPERM;
    if (g->ss_flags == LINUX_SS_DISABLE) {
        t->altstack = (linux_stack_t){0, LINUX_SS_DISABLE, 0, 0};
        return 0;
    }
    if (g->ss_flags & ~LINUX_SS_ONSTACK) return -LINUX_EINVAL;
    if (g->ss_size < LINUX_MINSIGSTKSZ) return -LINUX_ENOMEM;
    t->altstack = (linux_stack_t){g->ss_sp, 0, 0, g->ss_size};
    return 0;
}

/* Push the frame for sig and enter the handler. false when the frame cannot be written. */
static bool setup_frame(linux_thread_t *t, int sig, const linux_sigaction_t *act,
                        const linux_siginfo_t *info) {
    rv_cpu_t *cpu = t->cpu;
    uint64_t s = cpu->x[2];
    bool on_alt = linux_altstack_flags(t, s) == LINUX_SS_ONSTACK;
    if ((act->flags & LINUX_SA_ONSTACK) && t->altstack.ss_size && !on_alt)
        s = t->altstack.ss_sp + t->altstack.ss_size;
    s = (s - sizeof(linux_rt_sigframe_t)) & ~15ull;
    linux_rt_sigframe_t f;
    memset(&f, 0, sizeof(f));
    f.info = *info;
    f.uc.uc_stack = t->altstack;
    f.uc.uc_stack.ss_flags = linux_altstack_flags(t, cpu->x[2]);
    f.uc.uc_sigmask = t->restore_mask ? t->saved_mask : t->sigmask;
    f.uc.uc_mcontext.gregs[0] = cpu->pc;
    for (int i = 1; i < 32; i++)
        f.uc.uc_mcontext.gregs[i] = cpu->x[i];
    for (int i = 0; i < 32; i++)
        f.uc.uc_mcontext.fpregs[i] = cpu->f[i];
    f.uc.uc_mcontext.fcsr = (cpu->fflags & 0x1f) | (cpu->frm & 7) << 5;
    if (linux_copy_to_guest(t, s, &f, sizeof(f))) return false;
    t->restore_mask = false;
    t->sigmask |= act->mask;
    if (!(act->flags & LINUX_SA_NODEFER)) t->sigmask |= bit(sig);
    t->sigmask &= ~(bit(LINUX_SIGKILL) | bit(LINUX_SIGSTOP));
    linux_catch_blocked_dfl(t, t->sigmask);
    cpu->pc = act->handler;
    cpu->x[1] = t->proc->sigtramp;
    cpu->x[2] = s;
    cpu->x[10] = (uint64_t)sig;
    cpu->x[11] = s + offsetof(linux_rt_sigframe_t, info);
    cpu->x[12] = s + offsetof(linux_rt_sigframe_t, uc);
    return true;
}

/* Deliver sig with info: handler, ignore or default action. */
static void deliver(linux_thread_t *t, int sig, const linux_siginfo_t *info, bool sync) {
    linux_proc_t *p = t->proc;
    pthread_mutex_lock(&p->sig_lock);
    linux_sigaction_t act = p->act[sig];
    if (act.handler > LINUX_SIG_IGN && (act.flags & LINUX_SA_RESETHAND))
        p->act[sig].handler = LINUX_SIG_DFL;
    pthread_mutex_unlock(&p->sig_lock);
    bool blocked = (t->sigmask & bit(sig)) != 0;
    bool from_host_dfl = !sync && (atomic_fetch_and(&p->host_dfl, ~bit(sig)) & bit(sig));
    if (act.handler == LINUX_SIG_IGN && !sync) return;
    if (act.handler == LINUX_SIG_DFL && from_host_dfl && !default_ignored(sig)) {
        /* what the host would have done had vm not taken it: end (or stop) vm by it */
        host_default_action(sig);
        return;
    }
    if (act.handler == LINUX_SIG_DFL || act.handler == LINUX_SIG_IGN || (sync && blocked)) {
        if (!sync && default_ignored(sig)) return;
        if (!sync && (sig == LINUX_SIGSTOP || sig == LINUX_SIGTSTP || sig == LINUX_SIGTTIN ||
                      sig == LINUX_SIGTTOU)) {
            /* default action "stop": stop vm itself, SIGCONT from outside resumes it */
            raise(SIGSTOP);
            return;
        }
        linux_die_by_signal(t, sig);
    }
    if (t->syscall_restart) {
        /* the interrupted call restarts only for a handler with SA_RESTART, as in Linux */
        t->syscall_restart = false;
        if (!(act.flags & LINUX_SA_RESTART)) {
            t->cpu->pc += 4;
            t->cpu->x[10] = (uint64_t)-LINUX_EINTR;
        }
    }
    if (!setup_frame(t, sig, &act, info)) linux_die_by_signal(t, LINUX_SIGSEGV);
}

void linux_signal_sync(linux_thread_t *t, int sig, int code, uint64_t addr) {
    linux_siginfo_t info;
    memset(&info, 0, sizeof(info));
    info.si_signo = sig;
    info.si_code = code;
    info.u.addr = addr;
    deliver(t, sig, &info, true);
}

void linux_signal_deliver_pending(linux_thread_t *t) {
    linux_route_shared(t);
    for (;;) {
        uint64_t ready = linux_pending(t) & ~t->sigmask;
        if (!ready) {
            t->syscall_restart = false; /* no handler ran: the call simply runs again */
            if (t->restore_mask) {
                /* rt_sigsuspend woke without running a handler (ignored signal) */
                t->sigmask = t->saved_mask;
                t->restore_mask = false;
            }
            return;
        }
        linux_siginfo_t info;
        int sig = linux_take_signal(t, ready, &info);
        deliver(t, sig, &info, false);
    }
}

int64_t linux_do_sigreturn(linux_thread_t *t) {
    rv_cpu_t *cpu = t->cpu;
    uint64_t s = cpu->x[2];
    linux_rt_sigframe_t f;
    if (linux_copy_from_guest(t, &f, s, sizeof(f))) linux_die_by_signal(t, LINUX_SIGSEGV);
    cpu->pc = f.uc.uc_mcontext.gregs[0];
    for (int i = 1; i < 32; i++)
        cpu->x[i] = f.uc.uc_mcontext.gregs[i];
    for (int i = 0; i < 32; i++)
        cpu->f[i] = f.uc.uc_mcontext.fpregs[i];
    cpu->fflags = f.uc.uc_mcontext.fcsr & 0x1f;
    cpu->frm = (f.uc.uc_mcontext.fcsr >> 5) & 7;
    t->sigmask = f.uc.uc_sigmask & ~(bit(LINUX_SIGKILL) | bit(LINUX_SIGSTOP));
    /* the alternate stack of the frame comes back too, unless the frame is on the current
     * one (as Linux's restore_altstack: a change the handler made stays then refused) */
    linux_set_altstack(t, &f.uc.uc_stack, s);
    t->skip_result = true;
    return 0;
}
