/* siginfo.c - what a handler and sigwaitinfo learn about a signal, and the alternate stack
 * seen from inside a handler: si_code SI_TKILL (raise, pthread_kill), SI_USER (kill) and
 * SI_QUEUE with the value (sigqueue, pthread_sigqueue) with the sender's pid and uid;
 * sigwaitinfo and sigtimedwait on blocked signals (a timer's SI_TIMER and value, a timeout,
 * a bad timeout); sigqueue to another process; sigaltstack reporting SS_ONSTACK and refusing
 * changes with EPERM while a handler runs on the alternate stack. The same source built for
 * the host prints the same lines under Linux. */
#define _GNU_SOURCE
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

static volatile int h_sig, h_code, h_pidok, h_uidok, h_value;

static void on_info(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    h_sig = sig;
    h_code = si->si_code;
    h_pidok = si->si_pid == getpid();
    h_uidok = si->si_uid == getuid();
    h_value = si->si_value.sival_int;
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static const char *code_name(int c) {
    switch (c) {
    case SI_USER: return "SI_USER";
    case SI_QUEUE: return "SI_QUEUE";
    case SI_TKILL: return "SI_TKILL";
    case SI_TIMER: return "SI_TIMER";
    default: return "other";
    }
}

static void report(const char *what) {
    printf("%s: sig %s code %s pid %s uid %s value %d\n", what,
           h_sig == SIGUSR1   ? "USR1"
           : h_sig == SIGUSR2 ? "USR2"
                              : "?",
           code_name(h_code), h_pidok ? "ok" : "bad", h_uidok ? "ok" : "bad",
           h_code == SI_QUEUE ? h_value : 0);
    h_sig = h_code = h_pidok = h_uidok = h_value = 0;
}

/* What sigaltstack says inside a handler, and whether a change is refused. */
static volatile int alt_flags = -1, alt_change_errno = -1, alt_disable_errno = -1;
static char altbuf[65536];

static void on_alt(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    (void)si;
    (void)uc;
    stack_t cur;
    sigaltstack(NULL, &cur);
    alt_flags = cur.ss_flags;
    stack_t other = {.ss_sp = altbuf, .ss_size = sizeof(altbuf) / 2, .ss_flags = 0};
    alt_change_errno = sigaltstack(&other, NULL) == 0 ? 0 : errno;
    stack_t off = {.ss_flags = SS_DISABLE};
    alt_disable_errno = sigaltstack(&off, NULL) == 0 ? 0 : errno;
}

static const char *ss_name(int f) {
    return f == SS_ONSTACK ? "SS_ONSTACK" : f == SS_DISABLE ? "SS_DISABLE" : f == 0 ? "0" : "?";
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    install(SIGUSR1, on_info, 0);
    install(SIGUSR2, on_info, 0);

    raise(SIGUSR1);
    report("raise");
    kill(getpid(), SIGUSR2);
    report("kill");
    pthread_kill(pthread_self(), SIGUSR1);
    report("pthread_kill");
    sigqueue(getpid(), SIGUSR1, (union sigval){.sival_int = 42});
    report("sigqueue");
    pthread_sigqueue(pthread_self(), SIGUSR2, (union sigval){.sival_int = 43});
    report("pthread_sigqueue");

    /* a queued signal that is blocked waits for sigwaitinfo */
    int rt = SIGRTMIN + 1;
    install(rt, on_info, 0);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, rt);
    sigprocmask(SIG_BLOCK, &set, NULL);
    sigqueue(getpid(), rt, (union sigval){.sival_int = 7});
    printf("handler ran while blocked: %s\n", h_sig ? "yes" : "no");
    siginfo_t si;
    memset(&si, 0, sizeof(si));
    int r = sigwaitinfo(&set, &si);
    printf("sigwaitinfo: %s code %s value %d pid %s\n", r == rt ? "rt" : "bad",
           code_name(si.si_code), si.si_value.sival_int, si.si_pid == getpid() ? "ok" : "bad");
    sigpending(&set);
    printf("still pending after sigwaitinfo: %s\n", sigismember(&set, rt) ? "yes" : "no");

    /* nothing comes: EAGAIN after the timeout; a bad timeout is EINVAL */
    sigemptyset(&set);
    sigaddset(&set, rt);
    struct timespec ts = {0, 50 * 1000 * 1000};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = sigtimedwait(&set, &si, &ts);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    printf("sigtimedwait timeout: %d %s, waited %s\n", r, r < 0 && errno == EAGAIN ? "EAGAIN" : "?",
           waited >= 0.045 && waited < 2 ? "about 50 ms" : "wrong");
    struct timespec bad = {0, 2000000000L};
    r = sigtimedwait(&set, &si, &bad);
    printf("sigtimedwait bad timeout: %d %s\n", r, r < 0 && errno == EINVAL ? "EINVAL" : "?");
    struct timespec zero = {0, 0};
    r = sigtimedwait(&set, &si, &zero);
    printf("sigtimedwait zero timeout: %d %s\n", r, r < 0 && errno == EAGAIN ? "EAGAIN" : "?");

    /* a signal that arrives during the wait: a POSIX timer's, with its value */
    int rt2 = SIGRTMIN + 2;
    install(rt2, on_info, 0);
    sigaddset(&set, rt2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    struct sigevent ev;
    memset(&ev, 0, sizeof(ev));
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = rt2;
    ev.sigev_value.sival_int = 5;
    timer_t tm;
    if (timer_create(CLOCK_MONOTONIC, &ev, &tm) != 0) return 10;
    struct itimerspec its = {{0, 0}, {0, 30 * 1000 * 1000}};
    timer_settime(tm, 0, &its, NULL);
    struct timespec five = {5, 0};
    memset(&si, 0, sizeof(si));
    r = sigtimedwait(&set, &si, &five);
    printf("sigtimedwait timer: %s code %s value %d\n", r == rt2 ? "rt2" : "bad",
           code_name(si.si_code), si.si_value.sival_int);
    timer_delete(tm);

    /* sigqueue to another process, which takes it with sigwaitinfo */
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    pid_t child = fork();
    if (child == 0) {
        memset(&si, 0, sizeof(si));
        int s = sigwaitinfo(&set, &si);
        int ok = s == SIGUSR1 && si.si_code == SI_QUEUE && si.si_pid == getppid() &&
                 si.si_uid == getuid();
        _exit(ok ? si.si_value.sival_int : 1);
    }
    sigqueue(child, SIGUSR1, (union sigval){.sival_int = 99});
    int st = 0;
    waitpid(child, &st, 0);
    printf("sigqueue to a child: exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    /* sigqueue with a made-up si_code to another process is refused */
    siginfo_t fake;
    memset(&fake, 0, sizeof(fake));
    fake.si_code = SI_USER;
    r = (int)syscall(SYS_rt_sigqueueinfo, getppid(), SIGUSR1, &fake);
    printf("rt_sigqueueinfo SI_USER to another process: %d %s\n", r,
           r < 0 && errno == EPERM ? "EPERM" : "?");

    /* sigaltstack from inside a handler on the alternate stack, and outside it */
    stack_t ss = {.ss_sp = altbuf, .ss_size = sizeof(altbuf), .ss_flags = 0};
    if (sigaltstack(&ss, NULL) != 0) return 11;
    install(SIGUSR2, on_alt, SA_ONSTACK);
    raise(SIGUSR2);
    printf("in handler on the alternate stack: %s, change: %s, disable: %s\n", ss_name(alt_flags),
           alt_change_errno == EPERM ? "EPERM" : "allowed",
           alt_disable_errno == EPERM ? "EPERM" : "allowed");
    install(SIGUSR2, on_alt, 0);
    raise(SIGUSR2);
    printf("in handler on the normal stack: %s, change: %s, disable: %s\n", ss_name(alt_flags),
           alt_change_errno == EPERM ? "EPERM" : "allowed",
           alt_disable_errno == EPERM ? "EPERM" : "allowed");
    stack_t now;
    sigaltstack(NULL, &now);
    printf("outside a handler: %s\n", ss_name(now.ss_flags));
    return 0;
}
