/* sigprocess.c - signals sent to the whole process (kill and sigqueue of the own pid) go to a
 * thread that does not block them, as in Linux, not to the sender when the sender blocks them:
 *   1. main waits in sigwaitinfo (all threads block the signal); another thread sends it;
 *   2. main blocks it, another thread has a handler-visible mask and is blocked in read():
 *      the handler runs on that thread, whose read fails with EINTR;
 *   3. every thread blocks it: it stays pending for the process (sigpending shows it) until
 *      main unblocks it, and the handler then runs on main;
 *   4. an ignored signal that another thread does not block is dropped, not kept pending;
 *   5. sigtimedwait with a timeout in one thread gets a sigqueue value sent from another. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static _Atomic pid_t handler_tid;
static _Atomic int handler_runs;

static void on_signal(int sig) {
    (void)sig;
    atomic_store(&handler_tid, (pid_t)syscall(SYS_gettid));
    atomic_fetch_add(&handler_runs, 1);
}

static pid_t gettid_(void) {
    return (pid_t)syscall(SYS_gettid);
}

static void nap_ms(int ms) {
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

/* 1: send SIGUSR1 to the process once main waits for it */
static void *send_later(void *arg) {
    (void)arg;
    nap_ms(200);
    kill(getpid(), SIGUSR1);
    return NULL;
}

/* 2: a thread blocked in read() with SIGUSR2 unblocked */
static int pipefd[2];
static _Atomic pid_t reader_tid;
static _Atomic int read_result, read_errno;

static void *reader(void *arg) {
    (void)arg;
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    atomic_store(&reader_tid, gettid_());
    char c;
    int r = (int)read(pipefd[0], &c, 1);
    atomic_store(&read_errno, errno);
    atomic_store(&read_result, r);
    return NULL;
}

/* 4: a thread that keeps SIGWINCH unblocked while main checks sigpending */
static _Atomic int stop_idle;
static void *idle(void *arg) {
    (void)arg;
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGWINCH);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    while (!atomic_load(&stop_idle))
        nap_ms(5);
    return NULL;
}

/* 5: queue a value to the process */
static void *queue_later(void *arg) {
    (void)arg;
    nap_ms(100);
    union sigval v = {.sival_int = 4242};
    sigqueue(getpid(), SIGRTMIN + 1, v);
    return NULL;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigaddset(&s, SIGUSR2);
    sigaddset(&s, SIGTERM);
    sigaddset(&s, SIGWINCH);
    sigaddset(&s, SIGRTMIN + 1);
    pthread_sigmask(SIG_BLOCK, &s, NULL); /* inherited by every thread below */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal; /* no SA_RESTART: a blocked read fails with EINTR */
    sigaction(SIGUSR2, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    /* 1 */
    pthread_t th;
    pthread_create(&th, NULL, send_later, NULL);
    sigset_t w;
    sigemptyset(&w);
    sigaddset(&w, SIGUSR1);
    siginfo_t si;
    int got = sigwaitinfo(&w, &si);
    pthread_join(th, NULL);
    printf("1: sigwaitinfo got %s, si_code SI_USER %s, sender is this process %s\n",
           got == SIGUSR1 ? "SIGUSR1" : "something else", si.si_code == SI_USER ? "yes" : "no",
           si.si_pid == getpid() ? "yes" : "no");

    /* 2 */
    if (pipe(pipefd)) return 1;
    pthread_create(&th, NULL, reader, NULL);
    while (!atomic_load(&reader_tid))
        nap_ms(5);
    nap_ms(100); /* in read() by now */
    kill(getpid(), SIGUSR2);
    pthread_join(th, NULL);
    printf("2: handler ran %d time(s), on the reader %s; read %d errno EINTR %s\n",
           atomic_load(&handler_runs), atomic_load(&handler_tid) == reader_tid ? "yes" : "no",
           atomic_load(&read_result), atomic_load(&read_errno) == EINTR ? "yes" : "no");

    /* 3 */
    atomic_store(&handler_runs, 0);
    kill(getpid(), SIGTERM);
    sigset_t pend;
    sigpending(&pend);
    printf("3: pending while blocked %s, handler ran %d time(s)\n",
           sigismember(&pend, SIGTERM) ? "yes" : "no", atomic_load(&handler_runs));
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    pthread_sigmask(SIG_UNBLOCK, &term, NULL);
    printf("3: after unblocking: handler ran %d time(s), on main %s\n", atomic_load(&handler_runs),
           atomic_load(&handler_tid) == gettid_() ? "yes" : "no");
    sigpending(&pend);
    printf("3: still pending %s\n", sigismember(&pend, SIGTERM) ? "yes" : "no");

    /* 4: SIGWINCH is ignored by default; a thread that does not block it takes it */
    pthread_create(&th, NULL, idle, NULL);
    nap_ms(100);
    kill(getpid(), SIGWINCH);
    nap_ms(100);
    sigpending(&pend);
    printf("4: ignored signal pending %s\n", sigismember(&pend, SIGWINCH) ? "yes" : "no");
    atomic_store(&stop_idle, 1);
    pthread_join(th, NULL);

    /* 5 */
    pthread_create(&th, NULL, queue_later, NULL);
    sigemptyset(&w);
    sigaddset(&w, SIGRTMIN + 1);
    struct timespec tmo = {5, 0};
    got = sigtimedwait(&w, &si, &tmo);
    pthread_join(th, NULL);
    printf("5: sigtimedwait got the queued signal %s, SI_QUEUE %s, value %d\n",
           got == SIGRTMIN + 1 ? "yes" : "no", si.si_code == SI_QUEUE ? "yes" : "no",
           si.si_value.sival_int);
    return 0;
}
