/* sfdpoll.c - whose pending signals make a signalfd readable: poll, select and epoll report it
 * readable for the thread a signal is pending for and for every thread when it is pending for
 * the process, as Linux's signalfd_poll looks at the calling thread's own pending set and the
 * process's shared one. Thread B raises SIGUSR1 for itself (blocked everywhere): the main
 * thread does not see the descriptor readable, B does and reads it; then a SIGUSR1 for the
 * process is seen by both. The same source built for the host prints the same lines. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <unistd.h>

static int sfd;
static __thread int ep; /* each thread's own epoll set (Linux polls an epoll item in the
                           context of the thread that waits, once per wake-up) */
static sem_t to_main, to_b;

/* What poll, select and epoll_wait (none of them waiting) say of sfd, as one word each. */
static void look(const char *who) {
    struct pollfd pf = {sfd, POLLIN, 0};
    int p = poll(&pf, 1, 0);
    fd_set rd;
    FD_ZERO(&rd);
    FD_SET(sfd, &rd);
    struct timeval zero = {0, 0};
    int s = select(sfd + 1, &rd, NULL, NULL, &zero);
    struct epoll_event ev;
    int e = epoll_wait(ep, &ev, 1, 0);
    printf("%s: poll %s, select %s, epoll %s\n", who,
           p == 1 && (pf.revents & POLLIN) ? "readable"
           : p == 0                        ? "not readable"
                                           : "error",
           s == 1 && FD_ISSET(sfd, &rd) ? "readable"
           : s == 0                     ? "not readable"
                                        : "error",
           e == 1   ? "readable"
           : e == 0 ? "not readable"
                    : "error");
    fflush(stdout);
}

static void take(const char *who) {
    struct signalfd_siginfo si;
    ssize_t n = read(sfd, &si, sizeof(si));
    printf("%s: read %s\n", who,
           n == sizeof(si) && si.ssi_signo == SIGUSR1 ? "SIGUSR1" : "nothing");
    fflush(stdout);
}

/* This thread's epoll set, holding sfd. */
static int epoll_setup(void) {
    ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = sfd};
    return ep < 0 ? -1 : epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
}

static void *thread_b(void *arg) {
    (void)arg;
    if (epoll_setup() != 0) perror("epoll");
    pthread_kill(pthread_self(), SIGUSR1); /* pending for B alone */
    sem_post(&to_main);
    sem_wait(&to_b);
    look("B, its own signal pending");
    take("B");
    look("B, after its read");
    sem_post(&to_main);
    sem_wait(&to_b);
    look("B, the process's signal pending");
    sem_post(&to_main);
    return NULL;
}

int main(void) {
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigprocmask(SIG_BLOCK, &m, NULL);
    sfd = signalfd(-1, &m, SFD_NONBLOCK);
    if (sfd < 0 || epoll_setup() != 0) {
        perror("signalfd/epoll");
        return 1;
    }
    sem_init(&to_main, 0, 0);
    sem_init(&to_b, 0, 0);
    pthread_t b;
    pthread_create(&b, NULL, thread_b, NULL);
    sem_wait(&to_main);
    look("main, B's signal pending");
    sem_post(&to_b);
    sem_wait(&to_main);
    kill(getpid(), SIGUSR1); /* pending for the process */
    look("main, the process's signal pending");
    sem_post(&to_b);
    sem_wait(&to_main);
    take("main");
    look("main, after its read");
    pthread_join(b, NULL);
    return 0;
}
