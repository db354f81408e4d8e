/* limits.c - the limits of a guest process: instructions, wall time, threads (and the
 * committed-memory limit, which lives with the address space in space.c).
 *
 * Every limit belongs to one host vm process, which is one guest process: a guest fork makes a
 * new vm process that starts with what its parent had left (the instruction count so far, the
 * same deadline), and a guest execve re-runs vm with what is left passed on as options, so no
 * chain of processes outlives the deadline and no execve resets a count. Reaching the
 * instruction or time limit ends the whole process, all its threads at once, with a message
 * on stderr and status LINUX_LIMIT_STATUS (124, as timeout(1)), never the guest's.
 *
 * Instructions: every thread runs its hart in slices (thread.c) no longer than what is left
 * of the budget and adds what it retired to one process-wide counter; the thread that takes
 * it to the limit ends the process. With several threads running at once the others may each
 * finish the slice they started, so the count can pass the limit by at most one slice per
 * other running thread; with one thread it is exact to a decoded block.
 *
 * Time: a watchdog host thread (all signals blocked, so that it never takes a guest's
 * signal) sleeps until the deadline on CLOCK_MONOTONIC and then ends the process, whatever
 * its threads are doing (running, or blocked in a system call). A forked child starts its
 * own watchdog, since threads do not survive fork. A vfork child (a host process of its own
 * on the parent's memory, with no threads of its own) cannot: the host clone writes its pid
 * into a slot the parent's watchdog reads until the child execs or exits, and the watchdog
 * kills it at the deadline.
 *
 * Threads: the live-thread count is raised with a compare-and-swap before a thread is made,
 * so concurrent clones cannot together pass the limit.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "linux/internal.h"
#include "linux/run.h"

/* Host stack of the watchdog thread: it only sleeps and prints one line. */
#define WATCHDOG_STACK (64u << 10)

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* End the process: a limit was reached. Only the first caller prints. */
static _Noreturn void limit_exit(linux_proc_t *p, const char *what) {
    static _Atomic int once;
    if (!atomic_exchange(&once, 1)) {
        atomic_store(&p->exiting, 1);
        fprintf(stderr, "vm: %s: the guest process was ended (status %d)\n", what,
                LINUX_LIMIT_STATUS);
    }
    _exit(LINUX_LIMIT_STATUS);
}

uint64_t linux_limit_budget(linux_proc_t *p, uint64_t budget) {
    uint64_t max = p->opt.max_insns;
    if (!max) return budget;
    uint64_t used = atomic_load(&p->insns);
    uint64_t left = used < max ? max - used : 1;
    return left < budget ? left : budget;
}

void linux_limit_count(linux_proc_t *p, uint64_t retired) {
    uint64_t max = p->opt.max_insns;
    if (!max) return;
    if (atomic_fetch_add(&p->insns, retired) + retired < max) return;
    char what[96];
    snprintf(what, sizeof(what), "instruction limit of %llu reached", (unsigned long long)max);
    limit_exit(p, what);
}

int linux_limit_vfork_reserve(linux_proc_t *p) {
    if (!p->opt.deadline_ns) return -1;
    for (int i = 0; i < LINUX_VFORK_KIDS; i++) {
        int free_slot = 0; /* -1: reserved, the pid comes with the clone */
        if (atomic_compare_exchange_strong(&p->vfork_kids[i], &free_slot, -1)) return i;
    }
    return -1;
}

void linux_limit_vfork_remove(linux_proc_t *p, int slot) {
    if (slot >= 0) atomic_store(&p->vfork_kids[slot], 0);
}

static void *watchdog(void *arg) {
    linux_proc_t *p = arg;
    uint64_t d = p->opt.deadline_ns;
    struct timespec ts = {.tv_sec = (time_t)(d / 1000000000ull),
                          .tv_nsec = (long)(d % 1000000000ull)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
        /* not with every signal blocked; go on sleeping if it ever happens */
    }
    /* vfork children that have not exec'ed are processes of their own, with no watchdog of
     * theirs: they end with this one (one that has just exec'ed is a vm with the same
     * deadline, ended a moment early); their parent, woken by their end, sees `exiting`
     * and runs no more guest code */
    atomic_store(&p->exiting, 1);
    for (int i = 0; i < LINUX_VFORK_KIDS; i++) {
        int pid = atomic_load(&p->vfork_kids[i]);
        if (pid > 0) kill(pid, SIGKILL);
    }
    limit_exit(p, "time limit reached");
}

int linux_limits_start(linux_proc_t *p) {
    if (!p->opt.deadline_ns) return 0;
    if (now_ns() >= p->opt.deadline_ns) limit_exit(p, "time limit reached");
    sigset_t all, old;
    sigfillset(&all);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, WATCHDOG_STACK);
    pthread_sigmask(SIG_BLOCK, &all, &old); /* inherited by the watchdog */
    pthread_t th;
    int rc = pthread_create(&th, &attr, watchdog, p);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        fprintf(stderr, "vm: cannot start the time limit's watchdog: %s\n", strerror(rc));
        return -rc;
    }
    return 0;
}

bool linux_limit_thread_add(linux_proc_t *p) {
    int n = atomic_load(&p->nthreads);
    do {
        if (p->opt.max_threads && n >= (int)p->opt.max_threads) return false;
    } while (!atomic_compare_exchange_weak(&p->nthreads, &n, n + 1));
    return true;
}

int linux_limit_args(linux_proc_t *p, linux_limit_args_t *a, char **out) {
    int k = 0;
    if (p->opt.max_insns) {
        uint64_t used = atomic_load(&p->insns);
        uint64_t left = used < p->opt.max_insns ? p->opt.max_insns - used : 1;
        snprintf(a->s[k], sizeof(a->s[k]), "--max-insns=%llu", (unsigned long long)left);
        out[k] = a->s[k];
        k++;
    }
    if (p->opt.deadline_ns) {
        uint64_t now = now_ns();
        uint64_t left = p->opt.deadline_ns > now ? p->opt.deadline_ns - now : 1;
        snprintf(a->s[k], sizeof(a->s[k]), "--timeout=%llu.%09llu",
                 (unsigned long long)(left / 1000000000ull),
                 (unsigned long long)(left % 1000000000ull));
        out[k] = a->s[k];
        k++;
    }
    if (p->opt.memory_limit) {
        snprintf(a->s[k], sizeof(a->s[k]), "--memory-limit=%llu",
                 (unsigned long long)p->opt.memory_limit);
        out[k] = a->s[k];
        k++;
    }
    if (p->opt.max_threads) {
        snprintf(a->s[k], sizeof(a->s[k]), "--max-threads=%u", p->opt.max_threads);
        out[k] = a->s[k];
        k++;
    }
    return k;
}

void linux_set_run_limits(uint64_t max_insns, uint64_t max_ns) {
    linux_proc_t *p = linux_the_proc();
    p->opt.max_insns = max_insns;
    p->opt.deadline_ns = max_ns ? now_ns() + max_ns : 0;
}
