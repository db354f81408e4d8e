/* sigevthread.c - POSIX timers that notify with SIGEV_THREAD: glibc runs the function in a
 * new thread, started by its helper thread on the kernel's SIGEV_THREAD_ID signal 32 (which
 * has no host number under vm). A one-shot timer calls it once with its value, in a thread
 * other than the caller's; a periodic one keeps calling it until deleted; a deleted one
 * calls it no more; SIGEV_SIGNAL timers beside them still signal. The same source built
 * for the host prints the same lines under Linux. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static sem_t fired;
static atomic_int calls, last_value, other_thread;
static pthread_t main_thread;

static void notify(union sigval v) {
    atomic_store(&last_value, v.sival_int);
    atomic_store(&other_thread, !pthread_equal(pthread_self(), main_thread));
    atomic_fetch_add(&calls, 1);
    sem_post(&fired);
}

/* Wait up to 10 s for the next call. */
static int wait_call(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 10;
    while (sem_timedwait(&fired, &ts) != 0)
        if (errno != EINTR) return 0;
    return 1;
}

static timer_t make(int value) {
    struct sigevent ev;
    memset(&ev, 0, sizeof(ev));
    ev.sigev_notify = SIGEV_THREAD;
    ev.sigev_notify_function = notify;
    ev.sigev_value.sival_int = value;
    timer_t id;
    if (timer_create(CLOCK_MONOTONIC, &ev, &id) != 0) {
        printf("timer_create: %s\n", strerror(errno));
        exit(1);
    }
    return id;
}

static void arm(timer_t id, long first_ms, long period_ms) {
    struct itimerspec its = {{period_ms / 1000, (period_ms % 1000) * 1000000L},
                             {first_ms / 1000, (first_ms % 1000) * 1000000L}};
    if (timer_settime(id, 0, &its, NULL) != 0) printf("timer_settime: %s\n", strerror(errno));
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    main_thread = pthread_self();
    sem_init(&fired, 0, 0);

    timer_t a = make(42);
    arm(a, 50, 0);
    int ok = wait_call();
    printf("one-shot: called %d value %d other thread %d\n", ok, atomic_load(&last_value),
           atomic_load(&other_thread));
    struct timespec pause = {0, 200 * 1000000L};
    nanosleep(&pause, NULL);
    printf("one-shot calls: %d\n", atomic_load(&calls));
    timer_delete(a);

    /* periodic, beside a SIGEV_SIGNAL timer of the program's own */
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &s, NULL);
    struct sigevent sev;
    memset(&sev, 0, sizeof(sev));
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = SIGRTMIN;
    sev.sigev_value.sival_int = 9;
    timer_t sig_timer;
    timer_create(CLOCK_MONOTONIC, &sev, &sig_timer);
    arm(sig_timer, 30, 0);

    atomic_store(&calls, 0);
    timer_t b = make(7);
    arm(b, 20, 20);
    int got = 0;
    for (int i = 0; i < 5; i++)
        got += wait_call();
    printf("periodic: %d calls, value %d\n", got, atomic_load(&last_value));
    siginfo_t si;
    int sig = sigwaitinfo(&s, &si);
    printf("SIGEV_SIGNAL beside it: %s code %s value %d\n", sig == SIGRTMIN ? "SIGRTMIN" : "?",
           si.si_code == SI_TIMER ? "SI_TIMER" : "other", si.si_value.sival_int);
    timer_delete(b);
    /* a call already started may still finish: let it, then nothing more comes */
    nanosleep(&pause, NULL);
    int before = atomic_load(&calls);
    nanosleep(&pause, NULL);
    printf("after delete: %s\n", atomic_load(&calls) == before ? "no more calls" : "still called");

    /* many timers at once, each once (calls of the periodic timer that came after its fifth
     * are not counted) */
    while (sem_trywait(&fired) == 0) {
    }
    atomic_store(&calls, 0);
    timer_t many[20];
    for (int i = 0; i < 20; i++) {
        many[i] = make(1000 + i);
        arm(many[i], 20 + 5 * i, 0);
    }
    got = 0;
    for (int i = 0; i < 20; i++)
        got += wait_call();
    nanosleep(&pause, NULL);
    printf("20 timers: %d calls, %d counted\n", got, atomic_load(&calls));
    for (int i = 0; i < 20; i++)
        timer_delete(many[i]);
    printf("done\n");
    return 0;
}
