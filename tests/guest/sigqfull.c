/* sigqfull.c - a full queue of real-time signals: sigqueue and pthread_sigqueue then fail with
 * EAGAIN (Linux's limit is RLIMIT_SIGPENDING, set low here; vm's own queue is smaller than
 * Linux's default limit), rather than dropping the signal, and every instance that was accepted
 * is delivered, in order. The number accepted differs (it is the limit), so it is not printed.
 * The limit governs how many are accepted (100, then 1000: more than vm's former fixed queue of
 * 256), also for a sender in another process, which gets EAGAIN too (vm once dropped the
 * signals past its queue). The same source built for the host prints the same lines under Linux. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TRIES 100000

/* Queue sig with values 0, 1, ... until a send fails; then take them all back. */
static void fill(const char *name, int sig, int to_thread) {
    int sent = 0, err = 0;
    for (; sent < TRIES; sent++) {
        union sigval v = {.sival_int = sent};
        int rc = to_thread ? pthread_sigqueue(pthread_self(), sig, v)
                           : (sigqueue(getpid(), sig, v) == 0 ? 0 : errno);
        if (rc != 0) {
            err = rc;
            break;
        }
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    const struct timespec zero = {0, 0};
    siginfo_t si;
    int got = 0, in_order = 1;
    while (sigtimedwait(&set, &si, &zero) == sig) {
        if (si.si_value.sival_int != got) in_order = 0;
        got++;
    }
    printf("%s: stopped by %s, accepted ones all delivered: %s, in order: %s\n", name,
           err == EAGAIN ? "EAGAIN"
           : err         ? strerror(err)
                         : "nothing",
           got == sent && sent > 0 ? "yes" : "no", in_order ? "yes" : "no");
}

/* The signals pending for this user now (Linux counts them against RLIMIT_SIGPENDING too):
 * the first field of SigQ in /proc/self/status, 0 when unknown. */
static long user_pending(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long n = 0;
    while (f && fgets(line, sizeof(line), f))
        if (!strncmp(line, "SigQ:", 5)) n = atol(line + 5);
    if (f) fclose(f);
    return n;
}

/* With RLIMIT_SIGPENDING at lim: how many sigqueue calls of sig to this process succeed
 * before the first EAGAIN (every one taken back afterwards). */
static int accepted_under(rlim_t lim, int sig) {
    struct rlimit rl, got;
    if (getrlimit(RLIMIT_SIGPENDING, &rl) != 0 || rl.rlim_max < lim) return -1;
    rl.rlim_cur = lim; /* the hard limit stays: raising it back needs privilege */
    if (setrlimit(RLIMIT_SIGPENDING, &rl) != 0 || getrlimit(RLIMIT_SIGPENDING, &got) != 0 ||
        got.rlim_cur != lim)
        return -1;
    int sent = 0;
    for (; sent < TRIES; sent++) {
        union sigval v = {.sival_int = sent};
        if (sigqueue(getpid(), sig, v) != 0) break;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    const struct timespec zero = {0, 0};
    siginfo_t si;
    while (sigtimedwait(&set, &si, &zero) == sig) {
    }
    return sent;
}

/* Another process (a child) queues sig to this one until it gets EAGAIN, with this process's
 * RLIMIT_SIGPENDING at 300 (more than vm's former queue of 256); then every instance it got
 * accepted is taken back, in order (how many depends on the other pending signals of the user,
 * which Linux counts too). */
static void from_child(int sig) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_SIGPENDING, &rl) != 0 || rl.rlim_max < 300) return;
    rl.rlim_cur = 300;
    setrlimit(RLIMIT_SIGPENDING, &rl);
    int fds[2];
    if (pipe(fds) != 0) return;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        int res[2] = {0, 0}; /* sent, errno */
        for (; res[0] < TRIES; res[0]++) {
            union sigval v = {.sival_int = res[0]};
            if (sigqueue(parent, sig, v) != 0) {
                res[1] = errno;
                break;
            }
        }
        _exit(write(fds[1], res, sizeof(res)) == sizeof(res) ? 0 : 1);
    }
    int res[2] = {0, 0};
    if (pid < 0 || read(fds[0], res, sizeof(res)) != sizeof(res)) res[1] = -1;
    waitpid(pid, NULL, 0);
    close(fds[0]);
    close(fds[1]);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    const struct timespec zero = {0, 0};
    siginfo_t si;
    int got = 0, in_order = 1;
    while (sigtimedwait(&set, &si, &zero) == sig) {
        if (si.si_value.sival_int != got) in_order = 0;
        got++;
    }
    printf("sigqueue from another process: stopped by %s, accepted ones all delivered: %s, in "
           "order: %s\n",
           res[1] == EAGAIN ? "EAGAIN"
           : res[1] > 0     ? strerror(res[1])
                            : "nothing",
           got == res[0] ? "yes" : "no", in_order ? "yes" : "no");
}

int main(void) {
    /* the limit governs the queue: its exact count is the user's (other processes' pending
     * signals count under Linux), so only bounds are printed */
    sigset_t rt;
    sigemptyset(&rt);
    sigaddset(&rt, SIGRTMIN + 3);
    sigprocmask(SIG_BLOCK, &rt, NULL);
    long others = user_pending();
    int n100 = accepted_under(100, SIGRTMIN + 3);
    printf("RLIMIT_SIGPENDING 100: accepted at most 100: %s, at least half of what is left: %s\n",
           n100 >= 0 && n100 <= 100 ? "yes" : "no", n100 >= (100 - others) / 2 ? "yes" : "no");
    others = user_pending();
    int n1000 = accepted_under(1000, SIGRTMIN + 3);
    printf("RLIMIT_SIGPENDING 1000: accepted at most 1000: %s, at least half of what is left: "
           "%s\n",
           n1000 >= 0 && n1000 <= 1000 ? "yes" : "no", n1000 >= (1000 - others) / 2 ? "yes" : "no");
    from_child(SIGRTMIN + 3);
    struct rlimit rl = {512, 512};
    setrlimit(RLIMIT_SIGPENDING, &rl);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN + 1);
    sigaddset(&set, SIGRTMIN + 2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    fill("sigqueue to the process", SIGRTMIN + 1, 0);
    fill("pthread_sigqueue to this thread", SIGRTMIN + 2, 1);
    /* the queue takes signals again once emptied */
    union sigval v = {.sival_int = 7};
    printf("after: %s\n", sigqueue(getpid(), SIGRTMIN + 1, v) == 0 ? "accepted" : strerror(errno));
    return 0;
}
