/* sigqfull.c - a full queue of real-time signals: sigqueue and pthread_sigqueue then fail with
 * EAGAIN (Linux's limit is RLIMIT_SIGPENDING, set low here; vm's own queue is smaller than
 * Linux's default limit), rather than dropping the signal, and every instance that was accepted
 * is delivered, in order. The number accepted differs (it is the limit), so it is not printed.
 * The same source built for the host prints the same lines under Linux. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
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

int main(void) {
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
