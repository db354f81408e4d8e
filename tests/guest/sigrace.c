/* sigrace.c - a signal that lands just as a thread enters a blocking system call.
 *
 * 1. EINTR: many times over, another thread sends SIGUSR1 (a handler without SA_RESTART) at
 *    a random moment around the main thread's read of an empty pipe. The read must end with
 *    EINTR and the handler must have run. The store that announces the read and the ecall
 *    are one straight-line sequence, so a signal that lands between them is taken after the
 *    ecall, as EINTR. Should the read block anyway, the other thread writes a byte after
 *    three seconds: a handler that ran only after that byte came is a signal that was seen
 *    too late (an emulator that looks at its pending signals and then makes a blocking host
 *    call without letting signals in atomically), and the test fails instead of hanging.
 * 2. SA_RESTART: the same with a handler that has SA_RESTART: the handler must run while the
 *    read waits (the other thread writes its byte only once it has run), and the read then
 *    goes on and returns the byte.
 * 3. poll with an SA_RESTART handler ends with EINTR (Linux never restarts it).
 * 4. A signal at SIG_DFL that the process blocks, sent by another process, stays pending
 *    (sigpending, then sigwaitinfo with the sender's pid) instead of ending the process.
 * 5. A signal at SIG_DFL that is not blocked, sent by another process to a child asleep in
 *    nanosleep, ends that child by that signal (its parent's wait4 sees it). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { ROUNDS = 1000, LATE_NS = 3000000000LL };

static int pfd[2];
static pthread_t main_thread;
static volatile int stage;             /* 2*round+1 while the main thread enters its read */
static atomic_int done = -1;           /* the last round whose read returned */
static volatile sig_atomic_t got;      /* the handler ran in this round */
static volatile sig_atomic_t late;     /* the byte of the watchdog was written */
static volatile sig_atomic_t got_late; /* the handler ran after that */
static int restart_mode;
static volatile int abandon; /* a round failed: the sender stops */

static void on_usr1(int sig) {
    (void)sig;
    if (late) got_late = 1;
    got = 1;
}

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* read(fd, buf, 1) right after `*st = v`, in one straight-line sequence. */
static long armed_read(int fd, void *buf, volatile int *st, int v) {
    register long a0 __asm__("a0") = fd;
    register long a1 __asm__("a1") = (long)buf;
    register long a2 __asm__("a2") = 1;
    register long a7 __asm__("a7") = 63; /* read */
    __asm__ volatile("sw %[v], 0(%[st])\n\tecall"
                     : "+r"(a0)
                     : "r"(a1), "r"(a2), "r"(a7), [v] "r"(v), [st] "r"(st)
                     : "memory");
    return a0;
}

static void *sender(void *arg) {
    (void)arg;
    unsigned seed = 12345;
    for (int i = 0; i < ROUNDS; i++) {
        while (stage != 2 * i + 1 && !abandon)
            ;
        if (abandon) break;
        seed = seed * 1103515245u + 12345u;
        for (volatile unsigned d = (seed >> 16) % 6000; d; d--)
            ;
        pthread_kill(main_thread, SIGUSR1);
        long long t0 = now_ns();
        /* EINTR mode: wait for the read to return; SA_RESTART mode: for the handler */
        while (restart_mode ? !got : atomic_load(&done) != i)
            if (now_ns() - t0 > LATE_NS) {
                late = 1;
                break;
            }
        if (restart_mode || late)
            if (write(pfd[1], "x", 1) != 1) abort();
        while (atomic_load(&done) != i && !abandon)
            ;
    }
    return NULL;
}

/* Parts 1 and 2; 0 when every round behaved. */
static int race(int restart) {
    restart_mode = restart;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;
    sa.sa_flags = restart ? SA_RESTART : 0;
    sigaction(SIGUSR1, &sa, NULL);
    if (pipe(pfd)) return 1;
    abandon = 0;
    stage = 0;
    atomic_store(&done, -1);
    main_thread = pthread_self();
    pthread_t th;
    pthread_create(&th, NULL, sender, NULL);
    int bad = 0, early = 0;
    for (int i = 0; i < ROUNDS && !bad; i++) {
        got = 0;
        late = 0;
        got_late = 0;
        char c;
        long r = armed_read(pfd[0], &c, &stage, 2 * i + 1);
        int g = got, l = late, gl = got_late;
        atomic_store(&done, i);
        if (restart) {
            if (r != 1 || !g || l) {
                printf("restart round %d: read %ld, handler %s\n", i, r,
                       gl  ? "ran only after the read ended"
                       : g ? "ran"
                           : "did not run");
                bad = 1;
            }
        } else if (r == -EINTR && g && !l) {
            /* as it should be */
        } else if (r == 1 && g && !gl) {
            early++; /* the handler ran before the ecall: the read rightly waited */
        } else {
            printf("eintr round %d: read %ld, handler %s\n", i, r,
                   gl  ? "ran only after the read ended"
                   : g ? "ran"
                       : "did not run");
            bad = 1;
        }
    }
    abandon = bad;
    pthread_join(th, NULL);
    close(pfd[0]);
    close(pfd[1]);
    if (early > ROUNDS / 4) {
        printf("%s: %d of %d signals came before the read\n", restart ? "restart" : "eintr", early,
               ROUNDS);
        bad = 1;
    }
    return bad;
}

static void on_usr2(int sig) {
    (void)sig;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int fail = 0;
    if (race(0) == 0)
        printf("eintr: %d reads ended by a signal with EINTR\n", ROUNDS);
    else
        fail = 1;
    if (race(1) == 0)
        printf("restart: %d reads restarted after their SA_RESTART handler\n", ROUNDS);
    else
        fail = 1;

    /* 3: poll is never restarted */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr2;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR2, &sa, NULL);
    if (pipe(pfd)) return 1;
    main_thread = pthread_self();
    pid_t me = getpid();
    pid_t k = fork();
    if (k == 0) {
        struct timespec ts = {0, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
        kill(me, SIGUSR2);
        _exit(0);
    }
    struct pollfd p = {pfd[0], POLLIN, 0};
    int pr = poll(&p, 1, 20000);
    printf("poll with an SA_RESTART handler: %s\n",
           pr < 0 && errno == EINTR ? "EINTR" : "not interrupted");
    if (!(pr < 0 && errno == EINTR)) fail = 1;
    waitpid(k, NULL, 0);

    /* 4: blocked at SIG_DFL, sent by another process */
    signal(SIGUSR2, SIG_DFL);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR2);
    sigprocmask(SIG_BLOCK, &m, NULL);
    k = fork();
    if (k == 0) {
        kill(me, SIGUSR2);
        _exit(0);
    }
    waitpid(k, NULL, 0);
    sigset_t pend;
    sigpending(&pend);
    int is_pending = sigismember(&pend, SIGUSR2);
    siginfo_t si;
    struct timespec zero = {0, 0};
    int s = sigtimedwait(&m, &si, &zero);
    printf("blocked SIGUSR2 at SIG_DFL from another process: %s, taken %s\n",
           is_pending ? "pending" : "not pending",
           s == SIGUSR2 && si.si_pid == k ? "with the sender's pid" : "wrongly");
    if (!is_pending || s != SIGUSR2 || si.si_pid != k) fail = 1;
    sigprocmask(SIG_UNBLOCK, &m, NULL);

    /* 5: not blocked at SIG_DFL: the default action, in a child asleep */
    k = fork();
    if (k == 0) {
        struct timespec ts = {20, 0};
        nanosleep(&ts, NULL);
        _exit(3);
    }
    struct timespec ts = {0, 200 * 1000 * 1000};
    nanosleep(&ts, NULL);
    kill(k, SIGTERM);
    int st = 0;
    waitpid(k, &st, 0);
    printf("SIGTERM at SIG_DFL to a child in nanosleep: %s\n",
           WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM ? "killed by SIGTERM" : "not killed by it");
    if (!(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM)) fail = 1;
    return fail;
}
