/* thread.c - guest threads and processes: the run loop of a hart, clone (host threads for
 * CLONE_THREAD, a host vfork for CLONE_VM|CLONE_VFORK, host fork otherwise), exit, execve (vm
 * re-executes itself on the new program).
 *
 * Every guest thread is one host thread with its own rv_cpu_t (its own decode cache) over the
 * shared guest space, so guest atomics and futexes are host atomics and host futexes on the
 * same memory. The threads share their page flags (exec_code_join), so a store by any of them
 * into code any of them decoded drops that page's code in all of them before their next block
 * (a vfork child keeps flags of its own). When code may have changed otherwise (munmap,
 * mprotect) the thread that saw it flushes its own decode cache at once and bumps
 * proc->code_gen; the others flush when they next stop (at the latest after one run budget). */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/hostfd.h"
#include "exec/exec.h"
#include "linux/copy.h"
#include "linux/box.h"
#include "linux/internal.h"
#include "linux/loader.h"
#include "linux/path.h"
#include "mem/asan.h"
#include "riscv/cpu.h"

/* Instructions per exec_run call: bounds how late another thread's code change is noticed. */
#define RUN_BUDGET (1ull << 22)

/* Execute permission of the guest page holding addr, for the decoder: an unmapped page is let
 * through, so that the fetch itself faults (SEGV_MAPERR). */
static bool fetch_ok(void *env, uint64_t addr) {
    int prot = linux_space_prot_at(env, addr);
    return prot < 0 || (prot & LINUX_PROT_EXEC);
}

/* The hart in pages of its own: its software TLB, which user mode never uses, then stays
 * unbacked (a guest thread costs its host memory in pages it writes). */
static rv_cpu_t *cpu_alloc(void) {
    void *p =
        mmap(NULL, sizeof(rv_cpu_t), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* The guest pages' flag bytes, one per page (untouched parts stay unbacked). */
static uint8_t *flags_map(const linux_proc_t *proc) {
    void *pf = mmap(NULL, proc->space.size >> RV_PAGE_SHIFT, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return pf == MAP_FAILED ? NULL : pf;
}

linux_thread_t *linux_thread_new(linux_proc_t *proc, bool shared) {
    linux_thread_t *t = calloc(1, sizeof(*t));
    rv_cpu_t *cpu = cpu_alloc();
    if (!t || !cpu || exec_hart_init(cpu, &proc->opt.exec) != 0) {
        free(t);
        if (cpu) munmap(cpu, sizeof(*cpu));
        return NULL;
    }
    cpu->trap_hook = exec_trap_stop; /* system calls and signals are this layer's */
    cpu->catch_host_faults = true;
    cpu->win_guard = LINUX_SPACE_GUARD; /* signal.c reports faults there as the guest's */
    cpu->priv = RV_PRIV_U;
    cpu->mcounteren = 7; /* as Linux: cycle, time and instret readable in U-mode */
    cpu->mem_base = proc->space.base;
    cpu->mem_start = 0;
    cpu->mem_size = proc->space.size;
    cpu->mem_slow = NULL;
    cpu->env = t;
    exec_set_fetch_check(cpu, fetch_ok, &proc->space);
    /* one flag byte per guest page: stores into pages holding decoded or translated code take
     * the slow path, so self-modifying code is seen even without fence.i. The threads share
     * the flags (exec_code_join), so a store by one thread into code another one decoded
     * drops it there too; a vfork child, a process of its own whose hart the parent frees,
     * keeps flags of its own. */
    if (shared && !proc->code_flags) {
        /* the first thread: the process's flags and share */
        proc->code_flags = flags_map(proc);
        cpu->page_flags = proc->code_flags;
        proc->code_share = proc->code_flags ? exec_code_share_new(cpu) : NULL;
    }
    cpu->page_flags = shared ? proc->code_flags : flags_map(proc);
    if (!cpu->page_flags ||
        (shared && (!proc->code_share || exec_code_join(proc->code_share, cpu) != 0))) {
        if (cpu->page_flags && !shared) munmap(cpu->page_flags, proc->space.size >> RV_PAGE_SHIFT);
        exec_hart_destroy(cpu);
        munmap(cpu, sizeof(*cpu));
        free(t);
        return NULL;
    }
    /* fence.i drops code only for what the flags cannot see (linux_space_t.unseen_code) */
    cpu->unseen_code = &proc->space.unseen_code;
    cpu->unseen_seen = atomic_load(&proc->space.unseen_code);
    t->proc = proc;
    t->cpu = cpu;
    t->altstack.ss_flags = LINUX_SS_DISABLE;
    t->code_gen = atomic_load(&proc->code_gen);
    return t;
}

void linux_thread_free(linux_thread_t *t) {
    if (!t) return;
    if (t->cpu->code_share)
        exec_code_leave(t->cpu);
    else if (t->cpu->page_flags) /* a vfork child's own */
        munmap(t->cpu->page_flags, t->proc->space.size >> RV_PAGE_SHIFT);
    exec_hart_destroy(t->cpu);
    munmap(t->cpu, sizeof(*t->cpu));
    free(t);
}

void linux_code_changed(linux_thread_t *t, uint64_t addr, uint64_t len) {
    uint64_t old = atomic_fetch_add(&t->proc->code_gen, 1);
    /* this thread handles the change now; it still flushes later for changes of others */
    if (old == t->code_gen) t->code_gen = old + 1;
    if (len == UINT64_MAX)
        exec_flush(t->cpu);
    else
        exec_invalidate_range(t->cpu, addr, len);
}

/* Map a guest fault reported by the hart to a guest signal. */
static void exception_to_signal(linux_thread_t *t) {
    rv_cpu_t *cpu = t->cpu;
    uint64_t tval = cpu->tval;
    switch (cpu->cause) {
    case RV_CAUSE_ILLEGAL_INSN:
        linux_signal_sync(t, LINUX_SIGILL, LINUX_ILL_ILLOPC, cpu->pc);
        break;
    case RV_CAUSE_BREAKPOINT: linux_signal_sync(t, LINUX_SIGTRAP, LINUX_TRAP_BRKPT, cpu->pc); break;
    case RV_CAUSE_FETCH_MISALIGNED:
    case RV_CAUSE_LOAD_MISALIGNED:
    case RV_CAUSE_STORE_MISALIGNED:
        linux_signal_sync(t, LINUX_SIGBUS, LINUX_BUS_ADRALN, tval);
        break;
    case RV_CAUSE_LOAD_ACCESS:
    case RV_CAUSE_STORE_ACCESS:
        /* a host SIGBUS inside a mapping (e.g. past the end of a mapped file) */
        if (tval < t->proc->space.size && linux_space_prot_at(&t->proc->space, tval) >= 0) {
            linux_signal_sync(t, LINUX_SIGBUS, 2 /* BUS_ADRERR */, tval);
            break;
        }
        /* fall through */
    default: {
        int prot = tval < t->proc->space.size ? linux_space_prot_at(&t->proc->space, tval) : -1;
        linux_signal_sync(t, LINUX_SIGSEGV, prot < 0 ? LINUX_SEGV_MAPERR : LINUX_SEGV_ACCERR, tval);
    }
    }
}

int linux_thread_run(linux_thread_t *t) {
    rv_cpu_t *cpu = t->cpu;
    linux_proc_t *p = t->proc;
    linux_current = t;
    while (!t->exited) {
        if (t->rtq_blocked) linux_rtq_release(t);
        uint64_t gen = atomic_load(&p->code_gen);
        if (gen != t->code_gen) {
            exec_flush(cpu);
            t->code_gen = gen;
        }
        t->in_guest = true;
        uint64_t before = cpu->instret;
        int stop = exec_run(cpu, linux_limit_budget(p, RUN_BUDGET));
        t->in_guest = false;
        linux_limit_count(p, cpu->instret - before); /* may end the process */
        switch (stop) {
        case EXEC_STOP_ECALL: {
            uint64_t a[6] = {cpu->x[10], cpu->x[11], cpu->x[12],
                             cpu->x[13], cpu->x[14], cpu->x[15]};
            cpu->pc += 4;
            t->skip_result = false;
            uint64_t hooked;
            if (p->opt.syscall_hook &&
                p->opt.syscall_hook(p->opt.hook_opaque, cpu->x[17], a, &hooked)) {
                cpu->x[10] = hooked;
                break;
            }
            int64_t r = linux_syscall(t, cpu->x[17], a);
            if (r == -LINUX_ERESTARTSYS) {
                /* a signal came first: the ecall runs again after it (a0 still holds its
                 * argument), unless the handler it enters lacks SA_RESTART (signal.c) */
                cpu->pc -= 4;
                t->syscall_restart = true;
            } else if (!t->skip_result) {
                cpu->x[10] = (uint64_t)r;
            }
            break;
        }
        case EXEC_STOP_EBREAK:
            linux_signal_sync(t, LINUX_SIGTRAP, LINUX_TRAP_BRKPT, cpu->pc);
            break;
        case EXEC_STOP_EXCEPTION: exception_to_signal(t); break;
        case EXEC_STOP_INTERRUPT: atomic_store(&cpu->interrupt_request, 0); break;
        case EXEC_STOP_HALT:
            atomic_store(&cpu->interrupt_request, 0);
            atomic_store(&cpu->halt_request, 0);
            break;
        default: break;
        }
        if (!t->exited) linux_signal_deliver_pending(t);
    }
    return t->exit_code;
}

/* Print --stats and leave the process with status code. */
static _Noreturn void process_exit(linux_thread_t *t, int code) {
    if (t->proc->opt.stats) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        double now = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
        FILE *out = t->proc->stats_out ? t->proc->stats_out : stderr;
        exec_print_stats(t->cpu, out, now - t->proc->start_time);
        fflush(out);
    }
    fflush(stdout);
    fflush(stderr);
    _exit(code & 0xff);
}

void linux_do_exit(linux_thread_t *t, int code, bool group) {
    t->exited = true;
    t->exit_code = code & 0xff;
    if (t->vfork_child) process_exit(t, code); /* its own process, and shared proc fields */
    if (group || atomic_load(&t->proc->nthreads) <= 1) {
        atomic_store(&t->proc->exiting, 1);
        process_exit(t, code);
    }
}

/* Start-up block handed from clone to the new host thread. */
typedef struct clone_start {
    linux_thread_t *t; /* the new guest thread */
    uint64_t flags;    /* clone flags */
    uint64_t ptid;     /* CLONE_PARENT_SETTID word */
    uint64_t ctid;     /* CLONE_CHILD_SETTID word */
    int tid;           /* the new thread's id for the parent (the thread may be gone) */
    sem_t ready;       /* posted once the tid is known and written */
} clone_start_t;

/* Store a thread id at guest a (CLONE_*_SETTID); a bad address is ignored, as Linux does. */
static void put_tid(linux_thread_t *t, uint64_t a, int tid) {
    int32_t v = tid;
    if (a && linux_copy_to_guest(t, a, &v, 4)) {
        /* nothing to report: the thread runs on */
    }
}

/* CLONE_CHILD_CLEARTID at exit: zero the word and wake one waiter. */
static void thread_finish(linux_thread_t *t) {
    uint64_t a = t->clear_child_tid;
    if (a && linux_put_u32_atomic(t, a, 0) == 0)
        syscall(SYS_futex, linux_space_ptr(&t->proc->space, a), FUTEX_WAKE, 1, NULL, NULL, 0);
}

_Noreturn void linux_thread_exit_host(linux_thread_t *t) {
    linux_proc_t *p = t->proc;
    /* out of the count before the joiner wakes: it may start a thread at once (--max-threads) */
    if (atomic_fetch_sub(&p->nthreads, 1) == 1) process_exit(t, t->exit_code);
    linux_thread_list_remove(t);
    linux_rtq_drop(p, t->tid); /* what was queued for it alone goes with it */
    thread_finish(t);
    linux_current = NULL;
    linux_thread_free(t);
    pthread_exit(NULL);
}

static void *thread_main(void *arg) {
    clone_start_t *cs = arg;
    linux_thread_t *t = cs->t;
    t->tid = (int)syscall(SYS_gettid);
    if (cs->flags & LINUX_CLONE_PARENT_SETTID) put_tid(t, cs->ptid, t->tid);
    if (cs->flags & LINUX_CLONE_CHILD_SETTID) put_tid(t, cs->ctid, t->tid);
    cs->tid = t->tid;
    sem_post(&cs->ready); /* cs is the parent's: do not touch it after this */
    linux_thread_run(t);
    linux_thread_exit_host(t);
}

/* Start-up block of a vfork child (on the parent's memory, so plain pointers work). */
typedef struct vfork_start {
    linux_thread_t *t;  /* the child's guest thread */
    uint64_t flags;     /* clone flags */
    uint64_t ctid;      /* CLONE_CHILD_SETTID word */
    sigset_t host_mask; /* host signal mask to run with (the parent's before the clone) */
} vfork_start_t;

/* The host child of a vfork: runs the guest child until it execs (the host execve ends this
 * process image and lets the parent go on) or exits (process_exit). */
/* The new thread nt starts where t made the clone call: t's registers (a0 = 0, the child's
 * return value), on newsp when given, with the TLS pointer when CLONE_SETTLS, and t's signal
 * mask. */
static void clone_hart_state(linux_thread_t *nt, const linux_thread_t *t, uint64_t flags,
                             uint64_t newsp, uint64_t tls) {
    const rv_cpu_t *cpu = t->cpu;
    memcpy(nt->cpu->x, cpu->x, sizeof(cpu->x));
    memcpy(nt->cpu->f, cpu->f, sizeof(cpu->f));
    nt->cpu->pc = cpu->pc;
    nt->cpu->fflags = cpu->fflags;
    nt->cpu->frm = cpu->frm;
    nt->cpu->x[10] = 0;
    if (newsp) nt->cpu->x[2] = newsp;
    if (flags & LINUX_CLONE_SETTLS) nt->cpu->x[4] = tls;
    nt->sigmask = t->sigmask;
}

static int vfork_child_main(void *arg) {
    vfork_start_t *vs = arg;
    linux_thread_t *t = vs->t;
    t->tid = (int)syscall(SYS_gettid); /* first: the signal handlers tell the two apart by it */
    pthread_sigmask(SIG_SETMASK, &vs->host_mask, NULL);
    if (vs->flags & LINUX_CLONE_CHILD_SETTID) put_tid(t, vs->ctid, t->tid);
    linux_thread_run(t);
    process_exit(t, t->exit_code);
}

/* clone(CLONE_VM|CLONE_VFORK) as Linux does it: the child is a host process made by a host
 * clone(CLONE_VM|CLONE_VFORK) on a stack of its own, with its own hart (registers copied,
 * decode cache and translations its own) over the very same guest memory and the same vm
 * heap, while the calling host thread waits until the child execs or exits, which is vfork's
 * contract: no copy of the address space, so a shell or make pays no fork per command. What
 * the child changes of the process structure is kept small: it exits as a process of its own
 * (vfork_child), signal dispositions it sets are put back for the parent afterwards (the
 * host's are the child's own anyway), and what it allocates is freed by the parent. */
static int64_t do_vfork(linux_thread_t *t, uint64_t flags, uint64_t newsp, uint64_t ptid,
                        uint64_t tls, uint64_t ctid) {
    linux_proc_t *p = t->proc;
    int exit_sig = (flags & 0xff) ? linux_sig_to_host((int)(flags & 0xff)) : 0;
    if ((flags & 0xff) && !exit_sig) return -LINUX_EINVAL;
    linux_thread_t *nt = linux_thread_new(p, false);
    if (!nt) return -LINUX_EAGAIN;
    /* a host stack for the child; untouched pages cost nothing */
    size_t stack_size = 8u << 20;
    void *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    linux_sigaction_t *saved_act = malloc(sizeof(p->act));
    if (stack == MAP_FAILED || !saved_act) {
        if (stack != MAP_FAILED) munmap(stack, stack_size);
        free(saved_act);
        linux_thread_free(nt);
        return -LINUX_ENOMEM;
    }
    clone_hart_state(nt, t, flags, newsp, tls);
    nt->altstack = t->altstack;
    nt->vfork_child = true;
    if (flags & LINUX_CLONE_CHILD_CLEARTID) nt->clear_child_tid = ctid;
    vfork_start_t vs = {.t = nt, .flags = flags, .ctid = ctid};
    /* host signals wait while the child runs: this host thread's handlers would find the
     * child's thread in linux_current, which the two share (the child restores the mask) */
    sigset_t all;
    sigfillset(&all);
    sigdelset(&all, SIGSEGV);
    sigdelset(&all, SIGBUS);
    pthread_sigmask(SIG_BLOCK, &all, &vs.host_mask);
    pthread_mutex_lock(&p->sig_lock);
    memcpy(saved_act, p->act, sizeof(p->act));
    pthread_mutex_unlock(&p->sig_lock);
    fflush(stdout);
    fflush(stderr);
    /* under a time limit the kernel writes the child's pid where the watchdog looks, before
     * the child runs (CLONE_PARENT_SETTID) */
    int slot = linux_limit_vfork_reserve(p);
    int settid = slot >= 0 ? CLONE_PARENT_SETTID : 0;
    pid_t pid = clone(vfork_child_main, (char *)stack + stack_size,
                      CLONE_VM | CLONE_VFORK | settid | exit_sig, &vs,
                      slot >= 0 ? (pid_t *)&p->vfork_kids[slot] : NULL);
    int clone_errno = errno;
    /* a limit ended the child and is ending this process: no more guest code runs */
    while (atomic_load(&p->exiting))
        pause();
    /* the child has exec'ed or exited: what it shared with this thread is ours again */
    linux_limit_vfork_remove(p, slot);
    linux_current = t;
    /* its stores went through flags of its own: the next fence.i here drops the code */
    atomic_fetch_add(&p->space.unseen_code, 1);
    pthread_mutex_lock(&p->sig_lock);
    memcpy(p->act, saved_act, sizeof(p->act));
    pthread_mutex_unlock(&p->sig_lock);
    pthread_sigmask(SIG_SETMASK, &vs.host_mask, NULL);
    free(nt->vfork_exec_mem[0]);
    free(nt->vfork_exec_mem[3]);
    for (int k = 1; k < 3; k++) {
        char **v = nt->vfork_exec_mem[k];
        for (int i = 0; v && v[i]; i++)
            free(v[i]);
        free(v);
    }
    free(saved_act);
    /* real-time signals it queued for itself were its own process's */
    if (nt->tid > 0) linux_rtq_drop(p, nt->tid);
    /* the child left its frames' sanitizer marks behind (it never returned through them) */
    mem_asan_unpoison(stack, stack_size);
    munmap(stack, stack_size);
    linux_thread_free(nt);
    if (pid < 0) return -linux_errno_from_host(clone_errno);
    if (flags & LINUX_CLONE_PARENT_SETTID) put_tid(t, ptid, pid);
    return pid;
}

int64_t linux_do_clone(linux_thread_t *t, uint64_t flags, uint64_t newsp, uint64_t ptid,
                       uint64_t tls, uint64_t ctid) {
    rv_cpu_t *cpu = t->cpu;
    if ((flags & LINUX_CLONE_THREAD) && (flags & LINUX_CLONE_VM)) {
        if (!linux_limit_thread_add(t->proc)) return -LINUX_EAGAIN; /* counted from here on */
        linux_thread_t *nt = linux_thread_new(t->proc, true);
        if (!nt) {
            atomic_fetch_sub(&t->proc->nthreads, 1);
            return -LINUX_EAGAIN;
        }
        clone_hart_state(nt, t, flags, newsp, tls);
        if (flags & LINUX_CLONE_CHILD_CLEARTID) nt->clear_child_tid = ctid;
        clone_start_t cs = {.t = nt, .flags = flags, .ptid = ptid, .ctid = ctid};
        sem_init(&cs.ready, 0, 0);
        linux_thread_list_add(nt);
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attr, 1 << 20);
        pthread_t th;
        int rc = pthread_create(&th, &attr, thread_main, &cs);
        pthread_attr_destroy(&attr);
        if (rc != 0) {
            atomic_fetch_sub(&t->proc->nthreads, 1);
            linux_thread_list_remove(nt);
            sem_destroy(&cs.ready);
            linux_thread_free(nt);
            return -LINUX_EAGAIN;
        }
        while (sem_wait(&cs.ready) != 0 && errno == EINTR) {
        }
        int tid = cs.tid; /* not nt->tid: the thread may have exited and freed nt */
        sem_destroy(&cs.ready);
        return tid;
    }
    if ((flags & LINUX_CLONE_VM) && !(flags & LINUX_CLONE_VFORK)) return -LINUX_EINVAL;
    if (flags & LINUX_CLONE_VM) return do_vfork(t, flags, newsp, ptid, tls, ctid);
    /* a new process: fork the host (memory copied on write) */
    fflush(stdout);
    fflush(stderr);
    /* no lock of the process may be held by another thread at the fork: the child would
     * inherit it locked */
    /* host signals wait until the child has emptied its process's pending set: one sent to
     * the child right after the fork must not be lost */
    sigset_t all, host_mask;
    sigfillset(&all);
    sigdelset(&all, SIGSEGV);
    sigdelset(&all, SIGBUS);
    pthread_sigmask(SIG_BLOCK, &all, &host_mask);
    pthread_mutex_lock(&t->proc->sig_lock);
    pthread_mutex_lock(&t->proc->space.lock);
    struct exec_code_share *code_share = t->cpu->code_share;
    if (code_share) exec_code_share_lock(code_share);
    pid_t pid = fork();
    int fork_errno = errno;
    if (code_share && pid != 0) exec_code_share_unlock(code_share);
    pthread_mutex_unlock(&t->proc->space.lock);
    pthread_mutex_unlock(&t->proc->sig_lock);
    if (pid == 0) {
        /* the only thread, with nothing pending for the process (as fork in Linux) */
        t->proc->threads = t;
        t->next_thread = NULL;
        atomic_store(&t->proc->shared_pending, 0);
        atomic_store(&t->proc->shared_claim, 0);
        linux_rtq_drop(t->proc, -1);
        /* nor are POSIX timers */
        for (int i = 0; i < LINUX_NOHOST_TIMERS; i++)
            atomic_store(&t->proc->nohost_timer[i], 0);
    }
    pthread_sigmask(SIG_SETMASK, &host_mask, NULL);
    if (pid < 0) return -linux_errno_from_host(fork_errno);
    if (pid == 0) {
        t->proc->forked_child = true;
        atomic_store(&t->proc->nthreads, 1);
        exec_after_fork(cpu);            /* the code cache is not inherited */
        exec_code_share_after_fork(cpu); /* nor the other threads' code (unlocks the share) */
        /* nor is the time limit's watchdog thread */
        if (linux_limits_start(t->proc) != 0) _exit(127);
        linux_sfd_after_fork(t->proc); /* nor the signalfd listener */
        t->tid = (int)syscall(SYS_gettid);
        if (newsp) cpu->x[2] = newsp;
        if (flags & LINUX_CLONE_SETTLS) cpu->x[4] = tls;
        if (flags & LINUX_CLONE_CHILD_SETTID) put_tid(t, ctid, t->tid);
        if (flags & LINUX_CLONE_CHILD_CLEARTID) t->clear_child_tid = ctid;
        return 0;
    }
    if (flags & LINUX_CLONE_PARENT_SETTID) put_tid(t, ptid, pid);
    return pid;
}

/* Read a guest NULL-terminated array of strings (at most max entries). NULL on a fault. */
static char **read_strv(linux_thread_t *t, uint64_t a, int max, int *count) {
    char **v = calloc((size_t)max + 1, sizeof(char *));
    size_t cap = 1u << 20; /* longest single string (Linux: MAX_ARG_STRLEN is 128 KiB) */
    char *buf = malloc(cap);
    if (!v || !buf) goto bad;
    int n = 0;
    for (; a; n++) {
        uint64_t ptr;
        if (n >= max || linux_copy_from_guest(t, &ptr, a + 8 * (uint64_t)n, 8)) goto bad;
        if (!ptr) break;
        /* strings are copied to the host: the exec replaces the guest space */
        if (linux_copy_str_from_guest(t, buf, ptr, cap)) goto bad;
        v[n] = strdup(buf);
        if (!v[n]) goto bad;
    }
    free(buf);
    *count = n;
    return v;
bad:
    for (int i = 0; v && i < max && v[i]; i++)
        free(v[i]);
    free(v);
    free(buf);
    return NULL;
}

static void free_strv(char **v) {
    if (!v) return;
    for (int i = 0; v[i]; i++)
        free(v[i]);
    free(v);
}

enum { EXEC_ELF = 1, EXEC_SCRIPT = 2, EXEC_HOST = 3 };

/* What `path` is for execve: EXEC_ELF (a riscv64 ELF), EXEC_HOST (a 64-bit ELF for another
 * machine: a host program), EXEC_SCRIPT (a "#!" line, whose
 * interpreter and optional argument are copied out when interp is given, as Linux splits
 * them: the path up to the first blank, the rest of the line trimmed as one argument), or
 * -errno (-ENOEXEC for anything else). */
static int exec_kind(const char *path, char *interp, char *iarg, size_t n) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -linux_errno_from_host(errno);
    char h[256];
    ssize_t got = read(fd, h, sizeof(h) - 1);
    close(fd);
    if (got < 0) return -linux_errno_from_host(errno);
    uint8_t *u = (uint8_t *)h;
    if (got >= 20 && memcmp(h, "\177ELF", 4) == 0 && u[4] == 2)
        return (u[18] | u[19] << 8) == 243 ? EXEC_ELF : EXEC_HOST;
    if (got < 3 || h[0] != '#' || h[1] != '!') return -LINUX_ENOEXEC;
    h[got] = 0;
    char *nl = strchr(h, '\n');
    if (!nl) return -LINUX_ENOEXEC; /* a line longer than Linux reads */
    *nl = 0;
    char *p = h + 2;
    while (*p == ' ' || *p == '\t')
        p++;
    char *e = p;
    while (*e && *e != ' ' && *e != '\t')
        e++;
    if (e == p) return -LINUX_ENOEXEC;
    char *arg = e;
    while (*arg == ' ' || *arg == '\t')
        arg++;
    *e = 0;
    char *end = arg + strlen(arg);
    while (end > arg && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        *--end = 0;
    if (interp) {
        if (strlen(p) >= n || strlen(arg) >= n) return -LINUX_ENAMETOOLONG;
        strcpy(interp, p);
        strcpy(iarg, arg);
    }
    return EXEC_SCRIPT;
}

/* Whether the new vm would load the riscv64 ELF at path (segments, interpreter): 0 or the
 * errno the guest gets (-LINUX_ENOEXEC, -LINUX_ENOENT, ...), with vm's reason under --strace. */
static int check_image(linux_thread_t *t, const char *path) {
    char err[512];
    int rc = linux_check_program(path, t->proc->opt.sysroot, err, sizeof(err));
    if (!rc) return 0;
    if (t->proc->opt.strace) fprintf(stderr, "vm: execve refused: %s\n", err);
    return -linux_errno_from_host(-rc);
}

/* Replace this process with vm running the riscv64 ELF `prog`. For a script, argv becomes
 * { interp, [iarg,] script, guest argv[1..] } as Linux builds it; else the guest's argv. */
static int64_t exec_vm(linux_thread_t *t, const char *prog, const char *interp, const char *iarg,
                       const char *script, const char *execfn, uint64_t argv_a, uint64_t envp_a) {
    int argc = 0, envc = 0;
    char **argv = read_strv(t, argv_a, 65536, &argc);
    char **envp = read_strv(t, envp_a, 65536, &envc);
    int64_t rc = -LINUX_EFAULT;
    char **hv = NULL, *sfd_opt = NULL;
    if (!argv || !envp) goto out;
    hv = calloc((size_t)argc + 36, sizeof(char *)); /* argv[1..] and at most 30 more */
    if (!hv) {
        rc = -LINUX_ENOMEM;
        goto out;
    }
    int k = 0;
    hv[k++] = (char *)t->proc->opt.vm_exe;
    hv[k++] = "run";
    char box_opt[4200], tree_opt[64];
    if (t->proc->opt.sandbox) {
        /* the new vm opens prog inside the box and keeps the guest's descriptors */
        snprintf(box_opt, sizeof(box_opt), "--sandbox=%s", t->proc->opt.sandbox);
        hv[k++] = box_opt;
        hv[k++] = "--sandbox-exec";
        /* the guest's process tree goes on from the same first process (box.c) */
        snprintf(tree_opt, sizeof(tree_opt), "--sandbox-tree=%d:%llu", t->proc->tree_pid,
                 t->proc->tree_start);
        hv[k++] = tree_opt;
        if (t->proc->opt.net) hv[k++] = "--net";
    } else if (t->proc->opt.sysroot) {
        hv[k++] = "--sysroot";
        hv[k++] = (char *)t->proc->opt.sysroot;
    }
    if (t->proc->opt.strace) hv[k++] = "--strace";
    if (t->proc->opt.host_exec) hv[k++] = "--host-exec";
    /* a guest parent may wait for the program this process becomes */
    if (t->proc->forked_child || t->vfork_child || t->proc->opt.signal_exit)
        hv[k++] = "--signal-exit";
    if (t->proc->opt.stats) hv[k++] = "--stats";
    if (t->proc->opt.log_unimp) hv[k++] = "--log=unimp";
    linux_limit_args_t la; /* what is left of the limits goes on */
    k += linux_limit_args(t->proc, &la, hv + k);
    char engine_opt[64];
    snprintf(engine_opt, sizeof(engine_opt), "--engine=%s", exec_engine_name(t->cpu));
    hv[k++] = engine_opt;
    if (execfn) { /* AT_EXECFN: the name the guest gave */
        hv[k++] = "--execfn";
        hv[k++] = (char *)execfn;
    }
    /* the blocked mask survives execve (pending signals go through the host, below) */
    char mask_opt[64];
    /* signals without a host number (32, 33) cannot wait on the host: named here */
    uint64_t nohost = linux_pending(t) & (3ull << 31);
    if (nohost)
        snprintf(mask_opt, sizeof(mask_opt), "--sigmask=%llx:%llx", (unsigned long long)t->sigmask,
                 (unsigned long long)nohost);
    else
        snprintf(mask_opt, sizeof(mask_opt), "--sigmask=%llx", (unsigned long long)t->sigmask);
    hv[k++] = mask_opt;
    /* and their siginfo (sender, si_code, a sigqueue value), as 256 hexadecimal digits */
    char info_opt[2][16 + 2 * sizeof(linux_siginfo_t)];
    for (int i = 0; i < 2; i++) {
        int sig = 32 + i;
        if (!(nohost & (1ull << (sig - 1)))) continue;
        const linux_siginfo_t *info = (atomic_load(&t->pending) & (1ull << (sig - 1)))
                                          ? &t->pending_info[sig - 1]
                                          : &t->proc->shared_info[sig - 1];
        const uint8_t *b = (const uint8_t *)info;
        int n = snprintf(info_opt[i], sizeof(info_opt[i]), "--siginfo=%d:", sig);
        for (size_t j = 0; j < sizeof(*info); j++)
            n += snprintf(info_opt[i] + n, sizeof(info_opt[i]) - (size_t)n, "%02x", b[j]);
        hv[k++] = info_opt[i];
    }
    /* signalfds that the new program keeps stay signalfds there */
    sfd_opt = linux_sfd_exec_arg(t->proc);
    if (sfd_opt) hv[k++] = sfd_opt;
    const char *argv0 = script ? interp : argc > 0 ? argv[0] : NULL;
    if (argv0) {
        hv[k++] = "--argv0";
        hv[k++] = (char *)argv0;
    }
    hv[k++] = "--";
    hv[k++] = (char *)prog;
    if (script) {
        if (iarg) hv[k++] = (char *)iarg;
        hv[k++] = (char *)script;
    }
    for (int i = 1; i < argc; i++)
        hv[k++] = argv[i];
    hv[k] = NULL;
    fflush(stdout);
    fflush(stderr);
    if (t->vfork_child) {
        /* on success these stay in the heap the parent shares: it frees them */
        t->vfork_exec_mem[0] = hv;
        t->vfork_exec_mem[1] = argv;
        t->vfork_exec_mem[2] = envp;
        t->vfork_exec_mem[3] = sfd_opt;
    }
    sigset_t host_mask;
    linux_signals_exec_begin(t, &host_mask);
    execve(t->proc->opt.vm_exe, hv, envp);
    rc = -linux_errno_from_host(errno);
    linux_signals_exec_failed(t, &host_mask);
    memset(t->vfork_exec_mem, 0, sizeof(t->vfork_exec_mem));
out:
    free(sfd_opt);
    free(hv);
    free_strv(argv);
    free_strv(envp);
    return rc;
}

/* Replace this process with the host program `prog` (--host-exec), with the guest's argv
 * and environment. Returns only on failure. */
static int64_t exec_host(linux_thread_t *t, const char *prog, uint64_t argv_a, uint64_t envp_a) {
    int argc = 0, envc = 0;
    char **argv = read_strv(t, argv_a, 65536, &argc);
    char **envp = read_strv(t, envp_a, 65536, &envc);
    int64_t rc = -LINUX_EFAULT;
    if (argv && envp) {
        fflush(stdout);
        fflush(stderr);
        if (t->vfork_child) {
            /* on success these stay in the heap the parent shares: it frees them */
            t->vfork_exec_mem[1] = argv;
            t->vfork_exec_mem[2] = envp;
        }
        execve(prog, argv, envp);
        rc = -linux_errno_from_host(errno);
        memset(t->vfork_exec_mem, 0, sizeof(t->vfork_exec_mem));
    }
    free_strv(argv);
    free_strv(envp);
    return rc;
}

/* The host file an execve names: the guest path g relative to guest dirfd through the path
 * resolver (the sysroot rule, /proc/self/exe, this process's /proc), or the descriptor itself
 * for AT_EMPTY_PATH. 0 or -LINUX_E*. */
static int exec_path(linux_thread_t *t, int dirfd, const char *g, uint64_t flags, char *out,
                     size_t n, linux_path_t *r_out) {
    if (!g[0]) {
        if (!(flags & LINUX_AT_EMPTY_PATH)) return -LINUX_ENOENT;
        if (vm_hostfd_is_own(dirfd)) return -LINUX_EBADF;
        /* the file the descriptor names, when it has a name (the descriptor itself may be
         * close-on-exec and gone in the new vm); else the descriptor's /proc name */
        char link[64];
        snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
        ssize_t k = readlink(link, out, n - 1);
        if (k < 0) return -LINUX_EBADF;
        out[k] = 0;
        if (out[0] != '/' || access(out, F_OK) != 0) snprintf(out, n, "%s", link);
        return 0;
    }
    linux_path_t *r = r_out; /* kept by the caller: --sandbox's descriptor */
    int rc = linux_path_resolve(t, dirfd, g, LINUX_PATH_LOOKUP, r);
    if (rc) return rc;
    if (r->kind == LINUX_PROC_EXE) snprintf(r->host, sizeof(r->host), "%s", t->proc->exe_host);
    if (r->kind == LINUX_PROC_REFUSED) return -LINUX_EACCES;
    if (flags & LINUX_AT_SYMLINK_NOFOLLOW) {
        struct stat st;
        int hd = dirfd == LINUX_AT_FDCWD ? AT_FDCWD : dirfd;
        if (fstatat(hd, r->host, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
            return -LINUX_ELOOP;
    }
    if (r->host[0] != '/' && dirfd != LINUX_AT_FDCWD) {
        /* relative to a descriptor: name it from the descriptor's directory, the new vm has
         * no such descriptor (the last component stays as it is) */
        char link[64], dir[4096];
        snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
        ssize_t k = readlink(link, dir, sizeof(dir) - 1);
        if (k < 0) return -LINUX_EBADF;
        dir[k] = 0;
        int m = snprintf(out, n, "%s/%s", dir, r->host);
        if (m < 0 || (size_t)m >= n) return -LINUX_ENAMETOOLONG;
        return 0;
    }
    if (strlen(r->host) >= n) return -LINUX_ENAMETOOLONG;
    strcpy(out, r->host);
    return 0;
}

/* --sandbox: the name under which the vm an execve runs finds the program (the host file
 * `host`, resolved from guest path g relative to dirfd as r): its path inside the box, or the
 * /proc/self/fd name of a guest descriptor (fexecve). 0 or -LINUX_E*. */
static int box_exec_name(linux_thread_t *t, int dirfd, const char *g, const linux_path_t *r,
                         const char *host, char *out, size_t n) {
    const char *root = t->proc->opt.sandbox;
    size_t rl = strlen(root);
    if (r->kind == LINUX_PROC_EXE || !g[0]) {
        /* the current program or a descriptor's file: by its place in the box */
        if (!strncmp(host, root, rl) && (host[rl] == '/' || host[rl] == 0))
            return linux_path_guest_view(root, host, out, n);
        if (!g[0] && !strncmp(host, "/proc/self/fd/", 14)) {
            snprintf(out, n, "%s", host);
            return 0;
        }
        return -LINUX_EACCES; /* a program outside the box cannot be run again */
    }
    if (r->kind != LINUX_PROC_NONE) return -LINUX_EACCES;
    return linux_box_abs(t, dirfd, g, out, n);
}

int64_t linux_do_execveat(linux_thread_t *t, int dirfd, uint64_t path_a, uint64_t argv_a,
                          uint64_t envp_a, uint64_t flags) {
    char g[4096], path[4096];
    int prc = linux_copy_str_from_guest(t, g, path_a, sizeof(g));
    if (prc) return prc;
    LINUX_PATH_SCOPED r = {.tmpfd = -1};
    prc = exec_path(t, dirfd, g, flags, path, sizeof(path), &r);
    if (prc) return prc;
    /* --sandbox: the new vm is given the program's name inside the box */
    static _Thread_local char gpath[4096];
    if (t->proc->opt.sandbox) {
        prc = box_exec_name(t, dirfd, g, &r, path, gpath, sizeof(gpath));
        if (prc) return prc;
    }
    if (access(path, X_OK) != 0) return -linux_errno_from_host(errno);
    /* A riscv64 ELF runs in vm; a "#!" script runs its interpreter (one level, as the
     * interpreter must itself be a riscv64 ELF); a host program only with --host-exec;
     * anything else is not executable. */
    char interp[256], iarg[256];
    int kind = exec_kind(path, interp, iarg, sizeof(interp));
    if (kind < 0) return kind;
    if (kind == EXEC_HOST)
        return t->proc->opt.host_exec ? exec_host(t, path, argv_a, envp_a) : -LINUX_ENOEXEC;
    if (kind == EXEC_SCRIPT) {
        LINUX_PATH_SCOPED ri;
        int rc = linux_path_resolve(t, LINUX_AT_FDCWD, interp, LINUX_PATH_LOOKUP, &ri);
        if (rc) return rc;
        if (ri.kind == LINUX_PROC_EXE) snprintf(ri.host, sizeof(ri.host), "%s", t->proc->exe_host);
        int ikind = exec_kind(ri.host, NULL, NULL, 0);
        if (ikind < 0) return ikind == -LINUX_ENOENT ? -LINUX_ENOENT : -LINUX_ENOEXEC;
        if (ikind == EXEC_HOST) /* the host's kernel runs the script with its interpreter */
            return t->proc->opt.host_exec ? exec_host(t, path, argv_a, envp_a) : -LINUX_ENOEXEC;
        if (ikind != EXEC_ELF) return -LINUX_ENOEXEC;
        int crc = check_image(t, ri.host);
        if (crc) return crc;
        /* the interpreter opens the script by the name the guest gave (it resolves the same
         * way in the new process), unless that name was relative to a descriptor */
        const char *script = g[0] == '/' || dirfd == LINUX_AT_FDCWD ? g : path;
        const char *iprog = ri.host;
        static _Thread_local char igpath[4096];
        if (t->proc->opt.sandbox) {
            rc = box_exec_name(t, LINUX_AT_FDCWD, interp, &ri, ri.host, igpath, sizeof(igpath));
            if (rc) return rc;
            iprog = igpath;
            script = gpath;
            /* the new vm opens them by name: the descriptors go now, as their registration
             * lives in memory a vfork parent shares */
            linux_path_release(&ri);
            linux_path_release(&r);
        }
        return exec_vm(t, iprog, interp, iarg[0] ? iarg : NULL, script, script, argv_a, envp_a);
    }
    int crc = check_image(t, path);
    if (crc) return crc;
    linux_path_release(&r); /* as above */
    /* AT_EXECFN is the name given when it means the same in the new process */
    const char *execfn = g[0] == '/' || dirfd == LINUX_AT_FDCWD ? g : NULL;
    return exec_vm(t, t->proc->opt.sandbox ? gpath : path, NULL, NULL, NULL, execfn, argv_a,
                   envp_a);
}

int64_t linux_do_execve(linux_thread_t *t, uint64_t path_a, uint64_t argv_a, uint64_t envp_a) {
    return linux_do_execveat(t, LINUX_AT_FDCWD, path_a, argv_a, envp_a, 0);
}
