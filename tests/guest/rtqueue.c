/* rtqueue.c - real-time signals queue, standard signals merge (Linux): each sigqueue of a
 * blocked real-time signal is delivered once, with its own value, in the order sent, and
 * lower numbers first; a standard signal sent three times is delivered once. Checked for
 * signals a thread sends itself (sigqueue, raise), sent to the process by another thread,
 * sent to one thread by another (pthread_sigqueue), and sent by another process; taken by
 * handlers (one at a time: their sa_mask blocks everything) and by sigwaitinfo. The same
 * source built for the host prints the same lines under Linux. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile int seen_sig[64], seen_val[64], nseen;

static void on_sig(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    if (nseen < 64) {
        seen_sig[nseen] = sig;
        seen_val[nseen] = si->si_code == SI_QUEUE ? si->si_value.sival_int : -1;
        nseen++;
    }
}

static const char *name(int sig) {
    static char buf[32];
    if (sig >= SIGRTMIN && sig <= SIGRTMAX)
        snprintf(buf, sizeof(buf), "RTMIN+%d", sig - SIGRTMIN);
    else
        snprintf(buf, sizeof(buf), "%s", sig == SIGUSR1 ? "USR1" : sig == SIGUSR2 ? "USR2" : "?");
    return buf;
}

static void print_seen(const char *what) {
    printf("%s:", what);
    for (int i = 0; i < nseen; i++)
        printf(" %s=%d", name(seen_sig[i]), seen_val[i]);
    printf("\n");
    nseen = 0;
}

/* Take every pending signal of set with sigtimedwait (no wait) and print them. */
static void drain(const char *what, const sigset_t *set) {
    siginfo_t si;
    struct timespec zero = {0, 0};
    int sig;
    while ((sig = sigtimedwait(set, &si, &zero)) > 0 && nseen < 64) {
        seen_sig[nseen] = sig;
        seen_val[nseen] = si.si_code == SI_QUEUE ? si.si_value.sival_int : -1;
        nseen++;
    }
    print_seen(what);
}

static void q(pid_t pid, int sig, int v) {
    union sigval val = {.sival_int = v};
    if (sigqueue(pid, sig, val) != 0) printf("sigqueue: %s\n", strerror(errno));
}

/* The kernel's struct sigaction on riscv64 (no sa_restorer) with a canary behind it. */
struct ksigaction {
    unsigned long handler, flags, mask, canary;
};

static volatile int usr2_blocked_in_handler = -1;
static void on_usr1_check(int sig) {
    (void)sig;
    sigset_t cur;
    sigprocmask(SIG_SETMASK, NULL, &cur);
    usr2_blocked_in_handler = sigismember(&cur, SIGUSR2);
}

/* Four threads sigqueue 60 signals each to the process, alternating two numbers, while the
 * main thread takes them: every one arrives once, each sender's in its order. */
enum { SENDERS = 4, EACH = 60 };
static void *sender(void *arg) {
    long k = (long)arg;
    for (int i = 0; i < EACH; i++) {
        union sigval v = {.sival_int = (int)(k << 16 | i)};
        sigqueue(getpid(), SIGRTMIN + (i & 1), v);
    }
    return NULL;
}

static int concurrent_senders(void) {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGRTMIN);
    sigaddset(&s, SIGRTMIN + 1);
    pthread_t th[SENDERS];
    for (long k = 0; k < SENDERS; k++)
        pthread_create(&th[k], NULL, sender, (void *)k);
    int last[SENDERS][2], bad = 0;
    for (int k = 0; k < SENDERS; k++)
        last[k][0] = last[k][1] = -1;
    for (int n = 0; n < SENDERS * EACH; n++) {
        siginfo_t si;
        int sig = sigwaitinfo(&s, &si);
        int k = si.si_value.sival_int >> 16, i = si.si_value.sival_int & 0xffff;
        int c = sig - SIGRTMIN;
        if (k < 0 || k >= SENDERS || c < 0 || c > 1 || i <= last[k][c]) {
            bad++;
            continue;
        }
        last[k][c] = i;
    }
    for (int k = 0; k < SENDERS; k++)
        pthread_join(th[k], NULL);
    struct timespec zero = {0, 0};
    siginfo_t si;
    return bad == 0 && sigtimedwait(&s, &si, &zero) < 0;
}

static pthread_t main_thread;
static void *to_process(void *arg) {
    (void)arg;
    for (int i = 0; i < 10; i++)
        q(getpid(), SIGRTMIN + 1, 100 + i);
    return NULL;
}
static void *to_main(void *arg) {
    (void)arg;
    for (int i = 0; i < 5; i++) {
        union sigval val = {.sival_int = 200 + i};
        pthread_sigqueue(main_thread, SIGRTMIN + 2, val);
    }
    return NULL;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    main_thread = pthread_self();

    /* sa_mask holds while the handler runs; the old action fills exactly the kernel's struct */
    struct sigaction ca;
    memset(&ca, 0, sizeof(ca));
    ca.sa_handler = on_usr1_check;
    sigemptyset(&ca.sa_mask);
    sigaddset(&ca.sa_mask, SIGUSR2);
    sigaction(SIGUSR1, &ca, NULL);
    raise(SIGUSR1);
    printf("sa_mask blocks SIGUSR2 in the handler: %d\n", usr2_blocked_in_handler);
#if defined(__riscv)
    struct ksigaction k = {0, 0, 0, 0x5a5a5a5a};
    syscall(SYS_rt_sigaction, SIGUSR1, NULL, &k, 8);
    printf("old action: mask has SIGUSR2 %d, canary %s\n", (int)((k.mask >> (SIGUSR2 - 1)) & 1),
           k.canary == 0x5a5a5a5a ? "kept" : "overwritten");
#else
    printf("old action: mask has SIGUSR2 1, canary kept\n"); /* the layout is riscv64's */
#endif
    signal(SIGUSR1, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    for (int i = 0; i < 4; i++)
        sigaddset(&set, SIGRTMIN + i);
    sigprocmask(SIG_BLOCK, &set, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_sig;
    sa.sa_flags = SA_SIGINFO;
    sigfillset(&sa.sa_mask); /* one handler at a time, in the order of delivery */
    sigaction(SIGUSR1, &sa, NULL);
    for (int i = 0; i < 4; i++)
        sigaction(SIGRTMIN + i, &sa, NULL);

    /* sent to itself, mixed, then unblocked: handlers in delivery order */
    q(getpid(), SIGRTMIN + 1, 10);
    q(getpid(), SIGRTMIN, 1);
    q(getpid(), SIGRTMIN + 1, 11);
    q(getpid(), SIGRTMIN, 2);
    raise(SIGUSR1);
    raise(SIGUSR1);
    kill(getpid(), SIGUSR1);
    q(getpid(), SIGRTMIN, 3);
    raise(SIGRTMIN + 1);
    sigset_t pend;
    sigpending(&pend);
    printf("pending: USR1 %d RTMIN %d RTMIN+1 %d\n", sigismember(&pend, SIGUSR1),
           sigismember(&pend, SIGRTMIN), sigismember(&pend, SIGRTMIN + 1));
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    print_seen("handlers");
    sigprocmask(SIG_BLOCK, &set, NULL);

    /* the same taken by sigtimedwait */
    for (int i = 0; i < 3; i++) {
        q(getpid(), SIGRTMIN + 3, 30 + i);
        q(getpid(), SIGRTMIN, 40 + i);
        raise(SIGUSR2);
    }
    drain("sigtimedwait", &set);

    /* sent to the process by another thread while this one blocks them */
    pthread_t th;
    pthread_create(&th, NULL, to_process, NULL);
    pthread_join(th, NULL);
    drain("from a thread to the process", &set);

    /* sent to this thread by another one */
    pthread_create(&th, NULL, to_main, NULL);
    pthread_join(th, NULL);
    drain("from a thread to this thread", &set);

    /* sent by another process */
    pid_t child = fork();
    if (child == 0) {
        for (int i = 0; i < 6; i++)
            q(getppid(), SIGRTMIN + (i & 1), 300 + i);
        _exit(0);
    }
    waitpid(child, NULL, 0);
    drain("from another process", &set);

    /* queued ones wait in sigwaitinfo one by one; after unblocking, the rest runs handlers */
    q(getpid(), SIGRTMIN, 50);
    q(getpid(), SIGRTMIN, 51);
    q(getpid(), SIGRTMIN, 52);
    siginfo_t si;
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, SIGRTMIN);
    int sig = sigwaitinfo(&one, &si);
    printf("sigwaitinfo: %s=%d\n", name(sig), si.si_value.sival_int);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    print_seen("then handlers");

    /* ignoring a signal drops what is queued of it */
    sigprocmask(SIG_BLOCK, &set, NULL);
    q(getpid(), SIGRTMIN + 2, 60);
    q(getpid(), SIGRTMIN + 2, 61);
    signal(SIGRTMIN + 2, SIG_IGN);
    signal(SIGRTMIN + 2, SIG_DFL);
    sigpending(&pend);
    printf("after SIG_IGN pending: %d\n", sigismember(&pend, SIGRTMIN + 2));
    drain("after SIG_IGN", &set);

    int ok = 1;
    for (int round = 0; round < 5; round++)
        ok &= concurrent_senders();
    printf("concurrent senders: %s\n", ok ? "each once, in order" : "lost, repeated or reordered");
    printf("done\n");
    return 0;
}
