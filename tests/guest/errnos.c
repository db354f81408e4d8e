/* errnos.c - error numbers where the order of Linux's checks matters (a bad pointer that the
 * call never gets to use, a NULL that is not optional), POSIX timers (SIGEV_SIGNAL,
 * SIGEV_NONE, SIGEV_THREAD_ID), mincore and capget/capset. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *en(long r) {
    if (r >= 0) return "ok";
    switch (errno) {
    case EFAULT: return "EFAULT";
    case ECHILD: return "ECHILD";
    case ENOTSOCK: return "ENOTSOCK";
    case EINVAL: return "EINVAL";
    case ENOMEM: return "ENOMEM";
    case EBADF: return "EBADF";
    default: return "other";
    }
}

static volatile int fired;
static void on_usr(int sig) {
    (void)sig;
    fired++;
}

/* Wait up to a second for the handler to have run n times. */
static int wait_fired(int n) {
    for (int i = 0; i < 1000 && fired < n; i++)
        usleep(1000);
    return fired >= n;
}

int main(void) {
    long r = syscall(SYS_clock_gettime, CLOCK_MONOTONIC, NULL);
    printf("clock_gettime(MONOTONIC, NULL): %ld %s\n", r, en(r));
    r = syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL);
    printf("clock_getres(MONOTONIC, NULL): %ld %s\n", r, en(r));
    r = syscall(SYS_clock_gettime, 12345, NULL);
    printf("clock_gettime(bad clock, NULL): %ld %s\n", r, en(r));
    r = syscall(SYS_wait4, -1, (int *)8, WNOHANG, NULL);
    printf("wait4(-1, bad, WNOHANG), no children: %ld %s\n", r, en(r));
    r = syscall(SYS_setitimer, ITIMER_REAL, NULL, NULL);
    printf("setitimer(0, NULL, NULL): %ld %s\n", r, en(r));
    int p[2];
    if (pipe(p)) return 1;
    r = syscall(SYS_getsockopt, p[0], SOL_SOCKET, SO_TYPE, (void *)8, (socklen_t *)8);
    printf("getsockopt(pipe, bad, bad): %ld %s\n", r, en(r));
    r = syscall(SYS_getsockopt, 9999, SOL_SOCKET, SO_TYPE, (void *)8, (socklen_t *)8);
    printf("getsockopt(closed fd, bad, bad): %ld %s\n", r, en(r));

    /* POSIX timers */
    signal(SIGUSR1, on_usr);
    struct sigevent sev;
    memset(&sev, 0, sizeof(sev));
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = SIGUSR1;
    timer_t tm;
    r = timer_create(CLOCK_MONOTONIC, &sev, &tm);
    printf("timer_create(SIGEV_SIGNAL): %ld %s\n", r, en(r));
    struct itimerspec its = {{0, 0}, {0, 20 * 1000 * 1000}}, cur;
    r = timer_settime(tm, 0, &its, NULL);
    printf("timer_settime 20 ms: %ld %s\n", r, en(r));
    printf("signal delivered: %s\n", wait_fired(1) ? "yes" : "no");
    r = timer_gettime(tm, &cur);
    printf("timer_gettime after expiry: %ld %s, disarmed %s\n", r, en(r),
           cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0 ? "yes" : "no");
    r = timer_getoverrun(tm);
    printf("timer_getoverrun: %ld %s\n", r, en(r));
    struct itimerspec periodic = {{0, 5 * 1000 * 1000}, {0, 5 * 1000 * 1000}};
    timer_settime(tm, 0, &periodic, NULL);
    printf("periodic timer fires again: %s\n", wait_fired(4) ? "yes" : "no");
    r = timer_delete(tm);
    printf("timer_delete: %ld %s\n", r, en(r));
    r = timer_delete(tm);
    printf("timer_delete again: %ld %s\n", r, en(r));

    sev.sigev_notify = SIGEV_NONE;
    r = timer_create(CLOCK_MONOTONIC, &sev, &tm);
    printf("timer_create(SIGEV_NONE): %ld %s\n", r, en(r));
    struct itimerspec ten = {{0, 0}, {10, 0}};
    timer_settime(tm, 0, &ten, NULL);
    timer_gettime(tm, &cur);
    printf("SIGEV_NONE timer counts down: %s\n",
           cur.it_value.tv_sec >= 8 && cur.it_value.tv_sec <= 10 ? "yes" : "no");
    timer_delete(tm);

    sev.sigev_notify = SIGEV_THREAD_ID;
    sev._sigev_un._tid = (int)syscall(SYS_gettid);
    int kid;
    r = syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &kid);
    printf("timer_create(SIGEV_THREAD_ID): %ld %s\n", r, en(r));
    int before = fired;
    struct itimerspec soon = {{0, 0}, {0, 10 * 1000 * 1000}};
    syscall(SYS_timer_settime, kid, 0, &soon, NULL);
    printf("thread-directed signal delivered: %s\n", wait_fired(before + 1) ? "yes" : "no");
    syscall(SYS_timer_delete, kid);
    r = syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, (int *)8);
    printf("timer_create(bad timerid): %ld %s\n", r, en(r));

    /* mincore */
    char *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(m + 2 * 4096, 4096);
    m[0] = 1;
    unsigned char vec[2] = {0xff, 0xff};
    r = syscall(SYS_mincore, m, 2 * 4096, vec);
    printf("mincore: %ld %s, touched page resident %d, untouched %d\n", r, en(r), vec[0] & 1,
           vec[1] & 1);
    r = syscall(SYS_mincore, m, 3 * 4096, vec);
    printf("mincore over an unmapped page: %ld %s\n", r, en(r));
    r = syscall(SYS_mincore, m + 1, 4096, vec);
    printf("mincore unaligned: %ld %s\n", r, en(r));
    r = syscall(SYS_mincore, m, 4096, (void *)8);
    printf("mincore bad vector: %ld %s\n", r, en(r));

    /* capabilities: the values depend on the host, the protocol does not */
    struct {
        unsigned version;
        int pid;
    } hdr = {0, 0};
    unsigned data[6];
    r = syscall(SYS_capget, &hdr, NULL);
    printf("capget(version 0): %ld %s, version now 0x%x\n", r, en(r), hdr.version);
    hdr.version = 0x20080522;
    r = syscall(SYS_capget, &hdr, data);
    printf("capget(v3): %ld %s\n", r, en(r));
    r = syscall(SYS_capset, &hdr, data);
    printf("capset(the same sets): %ld %s\n", r, en(r));
    r = syscall(SYS_capget, (void *)8, data);
    printf("capget(bad header): %ld %s\n", r, en(r));
    return 0;
}
