/* procs.c - processes: fork + wait4 with exit codes and signals, a pipe between parent and
 * child, getpid/getppid consistency and signals sent by the child to the parent
 * (also while the parent waits in sigsuspend), and setgroups in a child (read back with
 * getgroups as root, EPERM otherwise), waitid (exited and killed children, WNOHANG with
 * none ready) and the scheduler calls sched_setscheduler, sched_setparam and
 * sched_rr_get_interval. */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t got_usr1;
static void on_usr1(int sig) {
    got_usr1 = sig;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    pid_t me = getpid();
    pid_t c = fork();
    if (c == 0) {
        printf("child: parent matches: %s\n", getppid() == me ? "yes" : "no");
        _exit(7);
    }
    int st;
    pid_t w = waitpid(c, &st, 0);
    printf("wait: same pid %s, exited %d code %d\n", w == c ? "yes" : "no", WIFEXITED(st),
           WEXITSTATUS(st));
    c = fork();
    if (c == 0) {
        raise(SIGTERM);
        _exit(0);
    }
    waitpid(c, &st, 0);
    printf("child killed: signaled %d sig %d\n", WIFSIGNALED(st), WTERMSIG(st));
    int p[2];
    pipe(p);
    c = fork();
    if (c == 0) {
        close(p[0]);
        const char msg[] = "message from the child";
        write(p[1], msg, sizeof(msg));
        _exit(0);
    }
    close(p[1]);
    char buf[64] = {0};
    ssize_t n = read(p[0], buf, sizeof(buf));
    waitpid(c, &st, 0);
    printf("pipe from child: %zd '%s'\n", n, buf);
    /* a signal from another process reaches the guest handler */
    signal(SIGUSR1, on_usr1);
    c = fork();
    if (c == 0) {
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    while (waitpid(c, &st, 0) < 0) {
    }
    while (!got_usr1) {
    }
    printf("signal from the child: %d\n", got_usr1);
    /* the classic wait: block, fork, sigsuspend with the signal unblocked */
    sigset_t block, old, none, now;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR2);
    sigprocmask(SIG_BLOCK, &block, &old);
    signal(SIGUSR2, on_usr1);
    got_usr1 = 0;
    c = fork();
    if (c == 0) {
        kill(getppid(), SIGUSR2);
        _exit(0);
    }
    sigemptyset(&none);
    while (!got_usr1)
        sigsuspend(&none);
    sigprocmask(SIG_SETMASK, NULL, &now);
    printf("sigsuspend woke for %d, mask restored: %s\n", got_usr1,
           sigismember(&now, SIGUSR2) ? "yes" : "no");
    waitpid(c, &st, 0);
    /* ppoll with a mask that lets the blocked signal through while it waits */
    got_usr1 = 0;
    int pp[2];
    pipe(pp);
    c = fork();
    if (c == 0) {
        kill(getppid(), SIGUSR2);
        _exit(0);
    }
    struct pollfd pf = {.fd = pp[0], .events = POLLIN};
    struct timespec tmo = {5, 0};
    int pr = 0;
    while (!got_usr1)
        pr = ppoll(&pf, 1, &tmo, &none);
    sigprocmask(SIG_SETMASK, NULL, &now);
    printf("ppoll interrupted: %s, handler %d, mask restored: %s\n",
           pr == -1 && errno == EINTR ? "yes" : "no", got_usr1,
           sigismember(&now, SIGUSR2) ? "yes" : "no");
    sigprocmask(SIG_SETMASK, &old, NULL);
    waitpid(c, &st, 0);
    pid_t g = fork();
    if (g == 0) {
        gid_t want[2] = {getgid(), 4242}, got[8] = {0};
        errno = 0;
        int r = setgroups(2, want);
        int n = getgroups(8, got);
        int ok = geteuid() == 0 ? r == 0 && n == 2 && got[0] == want[0] && got[1] == 4242
                                : r == -1 && errno == EPERM;
        _exit(ok ? 0 : 1);
    }
    st = -1;
    waitpid(g, &st, 0);
    printf("setgroups in a child: %s\n", WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "ok" : "wrong");
    pid_t w1 = fork();
    if (w1 == 0) _exit(7);
    pid_t w2 = fork();
    if (w2 == 0) {
        for (;;)
            pause();
    }
    siginfo_t wi;
    memset(&wi, 0xff, sizeof(wi));
    int wr = waitid(P_PID, (id_t)w2, &wi, WEXITED | WNOHANG);
    printf("waitid WNOHANG, child running: %d, si_pid %d si_signo %d\n", wr, wi.si_pid,
           wi.si_signo);
    memset(&wi, 0, sizeof(wi));
    wr = waitid(P_PID, (id_t)w1, &wi, WEXITED);
    printf("waitid exited: %d, pid matches %d, signo %s, code %s, status %d\n", wr, wi.si_pid == w1,
           wi.si_signo == SIGCHLD ? "SIGCHLD" : "?", wi.si_code == CLD_EXITED ? "CLD_EXITED" : "?",
           wi.si_status);
    kill(w2, SIGKILL);
    memset(&wi, 0, sizeof(wi));
    wr = waitid(P_ALL, 0, &wi, WEXITED);
    printf("waitid killed: %d, pid matches %d, code %s, status %s\n", wr, wi.si_pid == w2,
           wi.si_code == CLD_KILLED ? "CLD_KILLED" : "?",
           wi.si_status == SIGKILL ? "SIGKILL" : "?");
    errno = 0;
    wr = waitid(P_ALL, 0, &wi, WEXITED);
    printf("waitid without children: %d %s\n", wr, errno == ECHILD ? "ECHILD" : "?");
    struct sched_param sp = {0};
    int pol = sched_getscheduler(0);
    struct timespec rr = {-1, -1};
    printf("sched_setscheduler(same policy): %d, sched_setparam: %d, rr interval valid: %d\n",
           sched_setscheduler(0, pol, &sp), sched_setparam(0, &sp),
           sched_rr_get_interval(0, &rr) == 0 && rr.tv_sec >= 0 && rr.tv_nsec >= 0);
    return 0;
}
