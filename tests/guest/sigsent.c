/* sigsent.c - SIGSEGV and SIGBUS that another process sends (kill, sigqueue, tgkill) are
 * signals like any other, not faults: the handler runs with the sender's si_code, pid and
 * value, whether the receiver runs code without system calls or waits in one; blocked, they
 * stay pending for sigwaitinfo; at SIG_DFL they end the receiver by that signal; ignored, they
 * do nothing. A real fault after a sent signal is still a fault with its own si_code. Each
 * case runs in a child of its own, which a signal that never comes ends by SIGALRM. The same
 * source built for the host prints the same lines under Linux. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum mode { SPIN, SUSPEND, WAIT, DFL, IGN };
enum how { KILL, QUEUE, TKILL };

static volatile sig_atomic_t got, got_code, got_pid, got_val, got_usr1;
static sigjmp_buf fault_jb;

static void on_sig(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    got_code = si->si_code;
    got_pid = si->si_pid;
    got_val = si->si_code == SI_QUEUE ? si->si_value.sival_int : -1;
    got = sig;
}

static void on_usr1(int sig) {
    (void)sig;
    got_usr1 = 1;
}

static void on_fault(int sig, siginfo_t *si, void *uc) {
    (void)sig, (void)uc;
    got_code = si->si_code;
    siglongjmp(fault_jb, 1);
}

static const char *code_name(int sig, int code) {
    switch (code) {
    case SI_USER: return "SI_USER";
    case SI_QUEUE: return "SI_QUEUE";
    case SI_TKILL: return "SI_TKILL";
    }
    if (sig == SIGSEGV && code == SEGV_MAPERR) return "SEGV_MAPERR";
    if (sig == SIGSEGV && code == SEGV_ACCERR) return "SEGV_ACCERR";
    if (sig == SIGBUS && code == BUS_ADRERR) return "BUS_ADRERR";
    return "other";
}

/* A real fault of kind sig, caught: its si_code. */
static void real_fault(int sig) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(sig, &sa, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL); /* a blocked fault would kill */
    volatile char *p;
    if (sig == SIGSEGV) {
        p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    } else {
        /* past the end of an empty file */
        char name[] = "/tmp/sigsent-XXXXXX";
        int fd = mkstemp(name);
        unlink(name);
        p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        close(fd);
    }
    if (p == MAP_FAILED) {
        printf("  mmap failed\n");
        return;
    }
    got_code = 0;
    if (sigsetjmp(fault_jb, 1) == 0) {
        p[0] = 1;
        printf("  no fault\n");
        return;
    }
    printf("  then a real fault: %s\n", code_name(sig, got_code));
}

static int child(enum mode mode, int sig, int ready_fd) {
    struct rlimit rl = {0, 0};
    setrlimit(RLIMIT_CORE, &rl); /* a default action writes no core file */
    alarm(5);                    /* a signal that never comes ends the child by SIGALRM */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_sig;
    sa.sa_flags = SA_SIGINFO;
    sigset_t set, none;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigemptyset(&none);
    if (mode == SPIN || mode == SUSPEND) sigaction(sig, &sa, NULL);
    if (mode == SUSPEND || mode == WAIT) sigprocmask(SIG_BLOCK, &set, NULL);
    if (mode == IGN) {
        signal(sig, SIG_IGN);
        signal(SIGUSR1, on_usr1);
    }
    if (write(ready_fd, "r", 1) != 1) return 90;
    switch (mode) {
    case SPIN:
        while (!got) {
            /* guest code without system calls */
        }
        break;
    case SUSPEND:
        while (!got)
            sigsuspend(&none);
        break;
    case WAIT: {
        siginfo_t si;
        got = sigwaitinfo(&set, &si);
        got_code = si.si_code;
        got_pid = si.si_pid;
        got_val = si.si_code == SI_QUEUE ? si.si_value.sival_int : -1;
        break;
    }
    case DFL:
        for (;;)
            pause();
    case IGN:
        while (!got_usr1) {
        }
        printf("  ignored, still running\n");
        return 0;
    }
    printf("  got %s: %s, from the parent: %s", sig == SIGSEGV ? "SIGSEGV" : "SIGBUS",
           code_name(sig, got_code), got_pid == getppid() ? "yes" : "no");
    if (got_val >= 0) printf(", value %d", got_val);
    printf("\n");
    if (mode != WAIT) real_fault(sig);
    return 0;
}

static void run(const char *title, enum mode mode, int sig, enum how how) {
    printf("%s\n", title);
    fflush(stdout);
    int fds[2];
    if (pipe(fds) != 0) {
        perror("pipe");
        exit(1);
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        int rc = child(mode, sig, fds[1]);
        fflush(stdout);
        _exit(rc);
    }
    close(fds[1]);
    char c;
    if (read(fds[0], &c, 1) != 1) printf("  child not ready\n");
    close(fds[0]);
    /* the child is in its loop, or about to be */
    struct timespec ms20 = {0, 20 * 1000 * 1000};
    nanosleep(&ms20, NULL);
    if (how == KILL) {
        kill(pid, sig);
    } else if (how == QUEUE) {
        union sigval v = {.sival_int = 42};
        sigqueue(pid, sig, v);
    } else {
        syscall(SYS_tgkill, pid, pid, sig);
    }
    if (mode == IGN) {
        nanosleep(&ms20, NULL);
        kill(pid, SIGUSR1);
    }
    int st;
    if (waitpid(pid, &st, 0) != pid) {
        perror("waitpid");
        exit(1);
    }
    if (WIFEXITED(st))
        printf("  exit %d\n", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("  killed by %s\n", WTERMSIG(st) == SIGSEGV   ? "SIGSEGV"
                                   : WTERMSIG(st) == SIGBUS  ? "SIGBUS"
                                   : WTERMSIG(st) == SIGALRM ? "SIGALRM (the signal never came)"
                                                             : "another signal");
}

int main(void) {
    run("kill SIGSEGV, handler, running code", SPIN, SIGSEGV, KILL);
    run("kill SIGBUS, handler, running code", SPIN, SIGBUS, KILL);
    run("sigqueue SIGBUS, handler, in sigsuspend", SUSPEND, SIGBUS, QUEUE);
    run("tgkill SIGSEGV, handler, running code", SPIN, SIGSEGV, TKILL);
    run("sigqueue SIGSEGV, blocked, sigwaitinfo", WAIT, SIGSEGV, QUEUE);
    run("kill SIGSEGV, SIG_DFL", DFL, SIGSEGV, KILL);
    run("kill SIGBUS, SIG_DFL", DFL, SIGBUS, KILL);
    run("kill SIGSEGV, SIG_IGN", IGN, SIGSEGV, KILL);
    return 0;
}
