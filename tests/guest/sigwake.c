/* sigwake.c - which signals end a wait, and which stay pending, as Linux decides:
 *   1. rt_sigsuspend sleeps until the signal comes (a handful of voluntary context switches
 *      in 300 ms, not one every few milliseconds);
 *   2. a signal that the main thread blocks, sent by another process while main sleeps in
 *      nanosleep (then in poll, then in recv with a timeout, which times out), does not end
 *      main's wait: the kernel gives it to the other thread, which does not block it, and
 *      that thread's poll ends with EINTR;
 *   3. SIGCHLD and SIGWINCH at SIG_DFL stay pending while blocked (sigpending, then
 *      sigtimedwait with the child's siginfo), and are discarded when unblocked;
 *   4. a SIGCHLD at SIG_DFL that is not blocked does not end nanosleep or poll;
 *   5. an open of a FIFO with no writer ends with EINTR when a handler without SA_RESTART
 *      runs, and the handler runs while the open waits when it has SA_RESTART (the open then
 *      goes on until the writer comes). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static _Atomic pid_t handler_tid;
static _Atomic int handler_runs;

static void on_signal(int sig) {
    (void)sig;
    atomic_store(&handler_tid, (pid_t)syscall(SYS_gettid));
    atomic_fetch_add(&handler_runs, 1);
}

static void nap_ms(int ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static void handle(int sig, int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static void mask(int how, int sig) {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    pthread_sigmask(how, &s, NULL);
}

/* 1 */
static void suspend_sleeps(void) {
    handle(SIGALRM, 0);
    mask(SIG_BLOCK, SIGALRM);
    struct itimerval it = {{0, 0}, {0, 300000}};
    struct rusage before, after;
    getrusage(RUSAGE_THREAD, &before);
    setitimer(ITIMER_REAL, &it, NULL);
    sigset_t none;
    sigemptyset(&none);
    int r = sigsuspend(&none);
    int e = errno;
    getrusage(RUSAGE_THREAD, &after);
    long woke = after.ru_nvcsw - before.ru_nvcsw;
    printf("1 sigsuspend: %d %s, handler ran %d, slept through (woke %s)\n", r, strerror(e),
           atomic_load(&handler_runs), woke <= 5 ? "at most 5 times" : "too often");
    if (woke > 5) fprintf(stderr, "sigwake: sigsuspend woke %ld times\n", woke);
    mask(SIG_UNBLOCK, SIGALRM);
    atomic_store(&handler_runs, 0);
}

/* 2: the other thread, which does not block SIGUSR1 */
static _Atomic int taker_ready;
static _Atomic pid_t taker_tid;
static int taker_rc, taker_errno;

static void *taker(void *arg) {
    (void)arg;
    mask(SIG_UNBLOCK, SIGUSR1);
    atomic_store(&taker_tid, (pid_t)syscall(SYS_gettid));
    atomic_store(&taker_ready, 1);
    taker_rc = poll(NULL, 0, 3000);
    taker_errno = errno;
    return NULL;
}

static void blocked_elsewhere(const char *how) {
    handle(SIGUSR1, SA_RESTART);
    mask(SIG_BLOCK, SIGUSR1);
    atomic_store(&taker_ready, 0);
    atomic_store(&handler_runs, 0);
    atomic_store(&handler_tid, 0);
    pthread_t th;
    pthread_create(&th, NULL, taker, NULL);
    while (!atomic_load(&taker_ready))
        nap_ms(1);
    nap_ms(20); /* the taker is in its poll */
    int go[2];
    if (pipe(go)) return;
    pid_t child = fork();
    if (child == 0) {
        char c;
        if (read(go[0], &c, 1) != 1) _exit(1);
        nap_ms(100);
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    close(go[0]);
    if (write(go[1], "x", 1) != 1) return;
    int r;
    if (!strcmp(how, "nanosleep")) {
        struct timespec ts = {0, 600000000L};
        r = nanosleep(&ts, NULL);
    } else if (!strcmp(how, "poll")) {
        r = poll(NULL, 0, 600);
    } else {
        /* a socket with a receive timeout: Linux does not restart it after a handler */
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) return;
        struct timeval tv = {0, 600000};
        setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        char c;
        r = (int)recv(sv[0], &c, 1, 0);
        int e0 = errno;
        close(sv[0]);
        close(sv[1]);
        errno = e0;
    }
    int e = r < 0 ? errno : 0;
    pthread_join(th, NULL);
    waitpid(child, NULL, 0);
    close(go[1]);
    printf("2 %s on the thread that blocks it: %d %s; the other thread's poll: %d %s, handler "
           "ran %d on %s\n",
           how, r, strerror(e), taker_rc, taker_rc < 0 ? strerror(taker_errno) : "-",
           atomic_load(&handler_runs),
           atomic_load(&handler_tid) == atomic_load(&taker_tid) ? "the other thread" : "main");
    mask(SIG_UNBLOCK, SIGUSR1);
}

static int has_pending(int sig) {
    sigset_t p;
    sigpending(&p);
    return sigismember(&p, sig);
}

/* 3 */
static void dfl_pending(void) {
    signal(SIGCHLD, SIG_DFL);
    signal(SIGWINCH, SIG_DFL);
    mask(SIG_BLOCK, SIGCHLD);
    mask(SIG_BLOCK, SIGWINCH);
    pid_t child = fork();
    if (child == 0) {
        kill(getppid(), SIGWINCH);
        _exit(7);
    }
    int st;
    waitpid(child, &st, 0);
    printf("3 pending after the child's exit: SIGCHLD %d, SIGWINCH %d\n", has_pending(SIGCHLD),
           has_pending(SIGWINCH));
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGCHLD);
    siginfo_t si;
    memset(&si, 0, sizeof(si));
    struct timespec t1 = {1, 0};
    int sig = sigtimedwait(&s, &si, &t1);
    printf("3 sigtimedwait(SIGCHLD): %s, code %s, status %d, from the child %s\n",
           sig == SIGCHLD ? "SIGCHLD"
           : sig < 0      ? strerror(errno)
                          : "another",
           si.si_code == CLD_EXITED ? "CLD_EXITED" : "other", si.si_status,
           si.si_pid == child ? "yes" : "no");
    sigemptyset(&s);
    sigaddset(&s, SIGWINCH);
    memset(&si, 0, sizeof(si));
    sig = sigtimedwait(&s, &si, &t1);
    printf("3 sigtimedwait(SIGWINCH): %s, code %s, from the child %s\n",
           sig == SIGWINCH ? "SIGWINCH"
           : sig < 0       ? strerror(errno)
                           : "another",
           si.si_code == SI_USER ? "SI_USER" : "other", si.si_pid == child ? "yes" : "no");
    /* pending again, then unblocked at SIG_DFL: discarded */
    child = fork();
    if (child == 0) _exit(0);
    waitpid(child, &st, 0);
    int before = has_pending(SIGCHLD);
    mask(SIG_UNBLOCK, SIGCHLD);
    mask(SIG_BLOCK, SIGCHLD);
    printf("3 SIGCHLD pending %d, after unblocking it at SIG_DFL %d\n", before,
           has_pending(SIGCHLD));
    mask(SIG_UNBLOCK, SIGCHLD);
    mask(SIG_UNBLOCK, SIGWINCH);
}

/* 4 */
static void dfl_quiet(const char *how) {
    signal(SIGCHLD, SIG_DFL);
    pid_t child = fork();
    if (child == 0) {
        nap_ms(100);
        _exit(0);
    }
    int r;
    if (!strcmp(how, "nanosleep")) {
        struct timespec ts = {0, 500000000L};
        r = nanosleep(&ts, NULL);
    } else {
        r = poll(NULL, 0, 500);
    }
    int e = r < 0 ? errno : 0;
    waitpid(child, NULL, 0);
    printf("4 %s while a child exits (SIGCHLD at SIG_DFL): %d %s\n", how, r, strerror(e));
}

/* 5 */
static char fifo[64];
static _Atomic int opener_ready;
static int open_rc, open_errno;
static _Atomic int open_done;

static void *opener(void *arg) {
    (void)arg;
    atomic_store(&opener_ready, 1);
    open_rc = open(fifo, O_RDONLY);
    open_errno = errno;
    atomic_store(&open_done, 1);
    return NULL;
}

static void fifo_open(int flags) {
    handle(SIGUSR2, flags);
    atomic_store(&handler_runs, 0);
    atomic_store(&opener_ready, 0);
    atomic_store(&open_done, 0);
    pthread_t th;
    pthread_create(&th, NULL, opener, NULL);
    while (!atomic_load(&opener_ready))
        nap_ms(1);
    nap_ms(100); /* the opener waits in open */
    pthread_kill(th, SIGUSR2);
    /* the handler must run while the open waits: up to 3 s */
    for (int i = 0; i < 300 && !atomic_load(&handler_runs) && !atomic_load(&open_done); i++)
        nap_ms(10);
    int ran_early = atomic_load(&handler_runs);
    int w = -1;
    if (!atomic_load(&open_done)) w = open(fifo, O_WRONLY | O_NONBLOCK); /* ends the wait */
    pthread_join(th, NULL);
    printf("5 open of a FIFO, handler %s SA_RESTART: %s, the handler ran while it waited %s\n",
           flags ? "with" : "without", open_rc >= 0 ? "opened" : strerror(open_errno),
           ran_early ? "yes" : "no");
    if (open_rc >= 0) close(open_rc);
    if (w >= 0) close(w);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    suspend_sleeps();
    blocked_elsewhere("nanosleep");
    blocked_elsewhere("poll");
    blocked_elsewhere("recv");
    dfl_pending();
    dfl_quiet("nanosleep");
    dfl_quiet("poll");
    snprintf(fifo, sizeof(fifo), "/tmp/sigwake-%d", (int)getpid());
    if (mkfifo(fifo, 0600)) {
        perror("mkfifo");
        return 1;
    }
    fifo_open(0);
    fifo_open(SA_RESTART);
    unlink(fifo);
    return 0;
}
