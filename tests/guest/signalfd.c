/* signalfd.c - signalfd4 as Linux has it: flags (SFD_NONBLOCK, SFD_CLOEXEC) and bad
 * arguments; a read takes the pending signals of the mask as struct signalfd_siginfo (the
 * thread's and the process's, lowest first, several per read) with their si_code, sender and
 * value, and consumes them; poll, select and epoll see it readable exactly while one is
 * pending; the mask of an existing descriptor changes; a dup reads the same; a blocking read
 * waits for a signal sent by another thread, and is ended by a handled signal; a
 * single-threaded epoll_wait wakes for a signal sent by another process; SIGCHLD with the
 * child's status; many descriptors opened and closed in turn. The same source built for the
 * host prints the same lines under Linux. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static const char *code_name(int c) {
    switch (c) {
    case SI_USER: return "SI_USER";
    case SI_TKILL: return "SI_TKILL";
    case SI_QUEUE: return "SI_QUEUE";
    case CLD_EXITED: return "CLD_EXITED";
    default: return "other";
    }
}

/* Whether fd polls readable right now. */
static int readable(int fd) {
    struct pollfd pf = {fd, POLLIN, 0};
    return poll(&pf, 1, 0) == 1 && (pf.revents & POLLIN);
}

/* Print what a call returned and its errno (the call is made before the line is formatted). */
static void said(const char *what, long r) {
    int e = errno;
    printf("%s: %s\n", what, r < 0 ? strerror(e) : "succeeded");
}

/* Read one signalfd_siginfo and print it (what a test can compare: the sender as "self",
 * "child" or a number). */
static void read_one(int fd, const char *what, pid_t child) {
    struct signalfd_siginfo si;
    ssize_t n = read(fd, &si, sizeof(si));
    if (n != (ssize_t)sizeof(si)) {
        printf("%s: read %zd errno %s\n", what, n, n < 0 ? strerror(errno) : "-");
        return;
    }
    const char *from = si.ssi_pid == (uint32_t)getpid()         ? "self"
                       : child && si.ssi_pid == (uint32_t)child ? "child"
                                                                : "other";
    printf("%s: sig %u code %s from %s uid %s", what, si.ssi_signo, code_name(si.ssi_code), from,
           si.ssi_uid == getuid() ? "ok" : "bad");
    if (si.ssi_code == SI_QUEUE)
        printf(" int %d ptr %llx", si.ssi_int, (unsigned long long)si.ssi_ptr);
    if (si.ssi_code == CLD_EXITED) printf(" status %d", si.ssi_status);
    printf("\n");
}

static void *send_later(void *arg) {
    sleep_ms(100);
    kill(getpid(), (int)(long)arg);
    return NULL;
}

static volatile sig_atomic_t got_alrm;
static void on_alrm(int sig) {
    (void)sig;
    got_alrm = 1;
}

static pthread_t reader_thread;
static int reader_fd;
static void *reader(void *arg) {
    (void)arg;
    read_one(reader_fd, "thread reads pthread_kill", 0);
    return NULL;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigaddset(&block, SIGUSR2);
    sigaddset(&block, SIGCHLD);
    sigaddset(&block, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &block, NULL);

    /* arguments */
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    said("bad flags", syscall(SYS_signalfd4, -1, &m, 8, 1));
    said("bad size", syscall(SYS_signalfd4, -1, &m, 4, 0));
    said("not a signalfd", signalfd(1, &m, 0));
    said("bad fd", signalfd(999, &m, 0));
    said("bad mask pointer", syscall(SYS_signalfd4, -1, (void *)8, 8, 0));

    /* flags, nothing pending */
    int fd = signalfd(-1, &m, SFD_NONBLOCK | SFD_CLOEXEC);
    printf("signalfd: %s\n", fd >= 0 ? "ok" : strerror(errno));
    printf("cloexec %d nonblock %d\n", (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0,
           (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
    struct signalfd_siginfo si;
    said("empty read", read(fd, &si, sizeof(si)));
    said("short read", read(fd, &si, 100));
    printf("readable before: %d\n", readable(fd));

    /* a signal of the thread (raise) and of the process (kill) */
    raise(SIGUSR1);
    printf("readable after raise: %d\n", readable(fd));
    read_one(fd, "raise", 0);
    printf("readable after read: %d\n", readable(fd));
    sigset_t pend;
    sigpending(&pend);
    printf("still pending: %d\n", sigismember(&pend, SIGUSR1));
    kill(getpid(), SIGUSR1);
    fd_set rf;
    FD_ZERO(&rf);
    FD_SET(fd, &rf);
    struct timeval tv = {0, 0};
    printf("select after kill: %d\n", select(fd + 1, &rf, NULL, NULL, &tv));
    read_one(fd, "kill", 0);
    /* a signal outside the mask stays pending and does not make it readable */
    raise(SIGUSR2);
    printf("readable with SIGUSR2: %d\n", readable(fd));

    /* a new mask on the same descriptor: both, several per read, lowest first */
    sigaddset(&m, SIGUSR2);
    sigaddset(&m, SIGRTMIN);
    printf("new mask: %s\n", signalfd(fd, &m, 0) == fd ? "same fd" : strerror(errno));
    printf("readable with new mask: %d\n", readable(fd));
    raise(SIGUSR1);
    union sigval v = {.sival_int = 1234};
    sigqueue(getpid(), SIGRTMIN, v);
    struct signalfd_siginfo three[4];
    ssize_t n = read(fd, three, sizeof(three));
    printf("read of four: %zd bytes\n", n);
    for (int i = 0; i < n / (ssize_t)sizeof(si); i++)
        printf("  sig %s code %s int %d\n",
               three[i].ssi_signo == (uint32_t)SIGRTMIN ? "SIGRTMIN"
                                                        : strsignal((int)three[i].ssi_signo),
               code_name(three[i].ssi_code), three[i].ssi_code == SI_QUEUE ? three[i].ssi_int : 0);
    printf("readable after all: %d\n", readable(fd));

    /* readv: the records fill the iovecs in turn, one of them across two */
    raise(SIGUSR1);
    raise(SIGUSR2);
    char buf[2 * sizeof(si)];
    struct iovec iv[2] = {{buf, 64}, {buf + 64, sizeof(buf) - 64}};
    n = readv(fd, iv, 2);
    memcpy(three, buf, sizeof(buf));
    printf("readv of two: %zd bytes, %s then %s\n", n,
           n >= (ssize_t)sizeof(si) ? strsignal((int)three[0].ssi_signo) : "-",
           n >= 2 * (ssize_t)sizeof(si) ? strsignal((int)three[1].ssi_signo) : "-");
    printf("readable after readv: %d\n", readable(fd));

    /* a dup reads the same signals */
    int d = dup(fd);
    raise(SIGUSR2);
    printf("dup readable: %d\n", readable(d));
    read_one(d, "dup", 0);
    close(d);

    /* epoll: level-triggered readiness */
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 77};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    struct epoll_event out;
    printf("epoll empty: %d\n", epoll_wait(ep, &out, 1, 0));
    raise(SIGUSR1);
    int ne = epoll_wait(ep, &out, 1, 0);
    printf("epoll pending: %d data %llu\n", ne, (unsigned long long)out.data.u64);
    read_one(fd, "epoll", 0);
    printf("epoll after read: %d\n", epoll_wait(ep, &out, 1, 0));

    /* a single thread waiting in epoll_wait wakes for a signal from another process */
    pid_t child = fork();
    if (child == 0) {
        sleep_ms(100);
        kill(getppid(), SIGUSR2);
        _exit(7);
    }
    int r = epoll_wait(ep, &out, 1, 10000);
    printf("epoll_wait for another process: %d\n", r);
    read_one(fd, "from child", child);
    close(ep);

    /* its SIGCHLD */
    sigset_t c;
    sigemptyset(&c);
    sigaddset(&c, SIGCHLD);
    int cfd = signalfd(-1, &c, SFD_CLOEXEC);
    struct pollfd pf = {cfd, POLLIN, 0};
    printf("poll for SIGCHLD: %d\n", poll(&pf, 1, 10000));
    read_one(cfd, "child exit", child);
    waitpid(child, NULL, 0);
    close(cfd);
    close(fd);

    /* a blocking read waits for another thread's kill */
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    fd = signalfd(-1, &m, 0);
    pthread_t th;
    pthread_create(&th, NULL, send_later, (void *)(long)SIGUSR1);
    read_one(fd, "blocking read", 0);
    pthread_join(th, NULL);

    /* ... and a handled signal ends it (no SA_RESTART: EINTR) */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alrm;
    sigaction(SIGALRM, &sa, NULL);
    alarm(1);
    said("read ended by a handler", read(fd, &si, sizeof(si)));
    printf("alarm handler ran: %d\n", (int)got_alrm);

    /* a signal sent to one thread is read by that thread */
    reader_fd = fd;
    pthread_create(&reader_thread, NULL, reader, NULL);
    sleep_ms(100);
    pthread_kill(reader_thread, SIGUSR1);
    pthread_join(reader_thread, NULL);
    close(fd);

    /* many descriptors in turn: each close frees what the last one held */
    int ok = 1;
    for (int i = 0; i < 100 && ok; i++) {
        int f = signalfd(-1, &m, SFD_NONBLOCK);
        if (f < 0) ok = 0;
        raise(SIGUSR1);
        if (read(f, &si, sizeof(si)) != sizeof(si) || si.ssi_signo != SIGUSR1) ok = 0;
        close(f);
    }
    printf("100 in turn: %s\n", ok ? "ok" : "failed");
    /* and several at once, all woken by one signal, read by one of them */
    int fds[8];
    for (int i = 0; i < 8; i++)
        fds[i] = signalfd(-1, &m, SFD_NONBLOCK);
    kill(getpid(), SIGUSR1);
    int all = 1;
    for (int i = 0; i < 8; i++)
        all &= readable(fds[i]);
    printf("8 at once readable: %d\n", all);
    read_one(fds[3], "one of 8", 0);
    for (int i = 0; i < 8; i++)
        close(fds[i]);
    /* more than 16 at once */
    int many[40], made = 0;
    for (int i = 0; i < 40; i++)
        if ((many[i] = signalfd(-1, &m, SFD_NONBLOCK)) >= 0) made++;
    kill(getpid(), SIGUSR1);
    all = 1;
    for (int i = 0; i < 40; i++)
        all &= many[i] >= 0 && readable(many[i]);
    printf("40 at once: %d made, readable: %d\n", made, all);
    read_one(many[39], "one of 40", 0);
    for (int i = 0; i < 40; i++)
        if (many[i] >= 0) close(many[i]);
    printf("done\n");
    return 0;
}
