/* execsig.c - what a program keeps of its signals across execve, as Linux keeps it: the
 * blocked mask, SIG_IGN dispositions (a handler goes back to SIG_DFL) and pending signals
 * with their siginfo (sender, si_code, sigqueue's value; SI_USER and SI_TKILL are printed
 * alike, as some hosts report a tgkill to oneself as SI_USER). Three ways in: execve from a forked
 * child, fork + execve after the signals were raised, and posix_spawn with a signal mask
 * (glibc's vfork path; the new program raises the blocked signal itself and must not die of
 * it, as python3's test_posix.test_setsigmask checks). Last, signal 32 (the C library's own,
 * which has no host number under vm), blocked and raised with raw system calls, and 33, queued
 * with a value, must still be pending after the execve, with their siginfo.
 *
 * Built for riscv64 it runs under vm; the same source built for the host shows what Linux
 * does, and both must print expected/execsig.out. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void on_int(int sig) {
    (void)sig;
}

/* The new program's view: mask, dispositions, pending signals and their siginfo. */
static int report(const char *how) {
    sigset_t m, p;
    sigprocmask(SIG_SETMASK, NULL, &m);
    sigpending(&p);
    printf("%s: blocked USR1 %d TERM %d RTMIN+1 %d USR2 %d\n", how, sigismember(&m, SIGUSR1),
           sigismember(&m, SIGTERM), sigismember(&m, SIGRTMIN + 1), sigismember(&m, SIGUSR2));
    printf("%s: pending USR1 %d TERM %d RTMIN+1 %d\n", how, sigismember(&p, SIGUSR1),
           sigismember(&p, SIGTERM), sigismember(&p, SIGRTMIN + 1));
    struct sigaction hup, in;
    sigaction(SIGHUP, NULL, &hup);
    sigaction(SIGINT, NULL, &in);
    struct sigaction term;
    sigaction(SIGTERM, NULL, &term);
    printf("%s: SIGHUP %s, SIGINT %s, SIGTERM %s\n", how,
           hup.sa_handler == SIG_IGN ? "ignored" : "default",
           in.sa_handler == SIG_DFL ? "default" : "not default",
           term.sa_handler == SIG_IGN ? "ignored" : "default");
    if (term.sa_handler == SIG_IGN) {
        signal(SIGTERM, SIG_IGN); /* discards the pending one */
        sigpending(&p);
        printf("%s: pending TERM after SIG_IGN %d\n", how, sigismember(&p, SIGTERM));
    }
    const struct timespec zero = {0, 0};
    siginfo_t si;
    sigset_t one;
    int sigs[] = {SIGUSR1, SIGTERM, SIGRTMIN + 1};
    const char *names[] = {"USR1", "TERM", "RTMIN+1"};
    for (int i = 0; i < 3; i++) {
        if (!sigismember(&p, sigs[i])) continue;
        sigemptyset(&one);
        sigaddset(&one, sigs[i]);
        memset(&si, 0, sizeof(si));
        int got = sigtimedwait(&one, &si, &zero);
        printf("%s: took %s %d, code %s, from self %d, value %d\n", how, names[i], got == sigs[i],
               si.si_code == SI_USER || si.si_code == SI_TKILL ? "kill"
               : si.si_code == SI_QUEUE                        ? "SI_QUEUE"
                                                               : "other",
               si.si_pid == getpid(), si.si_code == SI_QUEUE ? si.si_value.sival_int : 0);
    }
    sigpending(&p);
    int left = 0;
    for (int s = 1; s < NSIG; s++)
        left += sigismember(&p, s) == 1;
    printf("%s: still pending %d\n", how, left);
    return 0;
}

/* The state the new program must find: blocked, ignored, handled, and three pending (SIGTERM
 * ignored too when ign: blocked, it still becomes pending). */
static void prepare(int ign) {
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigaddset(&m, SIGTERM);
    sigaddset(&m, SIGRTMIN + 1);
    sigprocmask(SIG_BLOCK, &m, NULL);
    signal(SIGHUP, SIG_IGN);
    signal(SIGINT, on_int);
    if (ign) signal(SIGTERM, SIG_IGN);
    syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1); /* raise: SI_TKILL */
    kill(getpid(), SIGTERM);                          /* SI_USER */
    sigqueue(getpid(), SIGRTMIN + 1, (union sigval){.sival_int = 42});
}

/* Wait for pid and say how it ended. */
static void reap(const char *how, pid_t pid) {
    int st;
    if (waitpid(pid, &st, 0) != pid) {
        printf("%s: waitpid failed\n", how);
        return;
    }
    if (WIFEXITED(st))
        printf("%s: exit %d\n", how, WEXITSTATUS(st));
    else
        printf("%s: killed by signal %d\n", how, WTERMSIG(st));
}

/* The raw blocked and pending sets (the C library hides its own signals 32 and 33), then the
 * two signals taken with their siginfo. */
static void report32(void) {
    uint64_t m = 0, p = 0;
    syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &m, 8);
    syscall(SYS_rt_sigpending, &p, 8);
    printf("exec32: blocked 32 %d 33 %d, pending 32 %d 33 %d\n", (int)(m >> 31 & 1),
           (int)(m >> 32 & 1), (int)(p >> 31 & 1), (int)(p >> 32 & 1));
    for (int sig = 32; sig <= 33; sig++) {
        uint64_t set = 1ull << (sig - 1);
        siginfo_t si;
        struct timespec zero = {0, 0};
        memset(&si, 0, sizeof(si));
        long r = syscall(SYS_rt_sigtimedwait, &set, &si, &zero, 8);
        printf("exec32: took %ld, code %s, from self %d, value %d\n", r,
               si.si_code == SI_QUEUE                            ? "SI_QUEUE"
               : si.si_code == SI_USER || si.si_code == SI_TKILL ? "kill"
                                                                 : "other",
               si.si_pid == getpid(), si.si_value.sival_int);
    }
}

int main(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "report")) return report(argv[2]);
    if (argc > 1 && !strcmp(argv[1], "report32")) {
        report32();
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "spawned")) {
        /* posix_spawn set the mask: raise's tgkill stays pending instead of killing */
        syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1);
        return report("spawn");
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    char *self = argv[0];

    /* 1. the signals are raised in the child that then execs */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        prepare(0);
        execl(self, self, "report", "exec", (char *)NULL);
        _exit(127);
    }
    reap("exec", pid);

    /* 2. the same with SIGTERM ignored: still ignored and pending in the new program, which
     * then discards it by setting SIG_IGN again (as POSIX asks of sigaction) */
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        prepare(1);
        execl(self, self, "report", "exec-ign", (char *)NULL);
        _exit(127);
    }
    reap("exec-ign", pid);

    /* 3. posix_spawn with POSIX_SPAWN_SETSIGMASK, SIGUSR2 ignored by the parent */
    signal(SIGUSR2, SIG_IGN);
    posix_spawnattr_t at;
    posix_spawnattr_init(&at);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigaddset(&m, SIGUSR2);
    posix_spawnattr_setsigmask(&at, &m);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
    char *args[] = {self, "spawned", NULL};
    fflush(stdout);
    int rc = posix_spawn(&pid, self, NULL, &at, args, NULL);
    posix_spawnattr_destroy(&at);
    if (rc != 0) {
        printf("posix_spawn: %s\n", strerror(rc));
        return 1;
    }
    reap("spawn", pid);

    /* 4. signal 32, blocked and pending across execve */
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        uint64_t m = 3ull << 31;
        syscall(SYS_rt_sigprocmask, SIG_BLOCK, &m, NULL, 8);
        syscall(SYS_tgkill, getpid(), gettid(), 32);
        /* 33 with a sigqueue value, which must cross the execve too */
        siginfo_t si;
        memset(&si, 0, sizeof(si));
        si.si_signo = 33;
        si.si_code = SI_QUEUE;
        si.si_pid = getpid();
        si.si_uid = getuid();
        si.si_value.sival_int = 77;
        syscall(SYS_rt_sigqueueinfo, getpid(), 33, &si);
        execl(self, self, "report32", (char *)NULL);
        _exit(127);
    }
    reap("exec32", pid);
    return 0;
}
