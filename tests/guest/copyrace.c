/* copyrace.c - system calls whose guest buffers another thread keeps protecting and
 * unprotecting (and unmapping and mapping again): each call must succeed or fail with EFAULT,
 * and the process must survive. One page toggles between read-write and read-only (the
 * calls write to it), another between readable and inaccessible (the calls read from it),
 * a third is unmapped and mapped again. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 4000

static char *wpage; /* toggles PROT_READ|PROT_WRITE <-> PROT_READ */
static char *rpage; /* toggles PROT_READ <-> PROT_NONE */
static char *mpage; /* toggles mapped <-> unmapped */
static atomic_int stop;
static int bad; /* calls that returned something other than success or EFAULT */

static void *toggler(void *arg) {
    (void)arg;
    while (!atomic_load(&stop)) {
        mprotect(wpage, 4096, PROT_READ);
        mprotect(rpage, 4096, PROT_NONE);
        munmap(mpage, 4096);
        sched_yield();
        mprotect(wpage, 4096, PROT_READ | PROT_WRITE);
        mprotect(rpage, 4096, PROT_READ);
        mmap(mpage, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        sched_yield();
    }
    return NULL;
}

/* A raw system call's result: 0 (or more) or -EFAULT is fine, anything else is counted. */
static void check(const char *what, long r) {
    if (r >= 0 || errno == EFAULT) return;
    if (bad++ < 5) printf("%s: unexpected errno %d\n", what, errno);
}

/* Make the page read-only after 20 ms (the caller is waiting by then, or else the call
 * fails the same way), then release the waiter: 8 bytes to the descriptor *arg (an eventfd for
 * epoll, a pipe the child waits on for wait4). */
static void *protect_later(void *arg) {
    usleep(20000);
    mprotect(wpage, 4096, PROT_READ);
    uint64_t one = 1;
    if (write(*(int *)arg, &one, 8) != 8) return NULL;
    return NULL;
}

/* Calls that check their output buffer, wait, and only then write it: the buffer turns
 * read-only while they wait. Linux gives EFAULT; vm used to write anyway and die. */
static void protected_while_waiting(void) {
    int efd = eventfd(0, 0), ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 7};
    epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
    pthread_t th;
    pthread_create(&th, NULL, protect_later, &efd);
    long r = syscall(SYS_epoll_pwait, ep, wpage, 1, 2000, NULL, 8);
    pthread_join(th, NULL);
    printf("epoll_pwait into a page made read-only while waiting: %ld %s\n", r,
           r < 0 && errno == EFAULT ? "EFAULT" : "?");
    mprotect(wpage, 4096, PROT_READ | PROT_WRITE);
    close(ep);
    close(efd);

    int go[2];
    if (pipe(go)) return;
    pid_t pid = fork();
    if (pid == 0) {
        uint64_t v;
        _exit(read(go[0], &v, 8) == 8 ? 3 : 4); /* exits once the page is read-only */
    }
    pthread_create(&th, NULL, protect_later, &go[1]);
    r = syscall(SYS_wait4, pid, wpage, 0, NULL);
    pthread_join(th, NULL);
    printf("wait4 status into a page made read-only while waiting: %ld %s\n", r,
           r < 0 && errno == EFAULT ? "EFAULT" : "?");
    mprotect(wpage, 4096, PROT_READ | PROT_WRITE);
    printf("child reaped all the same: %s\n", waitpid(pid, NULL, WNOHANG) < 0 ? "yes" : "no");
    close(go[0]);
    close(go[1]);
}

int main(void) {
    wpage = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (wpage == MAP_FAILED) return 1;
    rpage = wpage + 4096;
    mpage = wpage + 2 * 4096;
    strcpy(rpage + 512, "/dev/null");
    struct timespec *ts = (struct timespec *)(wpage + 4096 - 8); /* straddles wpage|rpage */
    protected_while_waiting();
    pthread_t th;
    pthread_create(&th, NULL, toggler, NULL);
    /* the case of the bug report: a tight loop on one call */
    for (int i = 0; i < 50 * ROUNDS; i++)
        check("clock_gettime/tight", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, wpage + 8));
    int fd = open("/dev/null", O_RDONLY);
    for (int i = 0; i < ROUNDS; i++) {
        check("clock_gettime", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, wpage));
        check("clock_gettime/straddle", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, ts));
        check("clock_gettime/unmapped", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, mpage));
        check("gettimeofday", syscall(SYS_gettimeofday, wpage + 64, NULL));
        check("uname", syscall(SYS_uname, wpage + 128));
        check("fstat", syscall(SYS_fstat, fd, mpage));
        check("getrusage", syscall(SYS_getrusage, RUSAGE_SELF, wpage + 1024));
        check("rt_sigprocmask", syscall(SYS_rt_sigprocmask, SIG_BLOCK, rpage + 64, mpage, 8));
        check("sigaltstack", syscall(SYS_sigaltstack, NULL, wpage + 2048));
        long o = syscall(SYS_openat, AT_FDCWD, rpage + 512, O_RDONLY);
        check("openat", o);
        if (o >= 0) close((int)o);
        int pfd[2];
        long p = syscall(SYS_pipe2, (int *)(wpage + 3000), 0);
        check("pipe2", p);
        if (p == 0) {
            memcpy(pfd, wpage + 3000, sizeof(pfd));
            close(pfd[0]);
            close(pfd[1]);
        }
        check("read", syscall(SYS_read, fd, mpage, 16));
        check("nanosleep", syscall(SYS_nanosleep, (struct timespec *)(rpage + 256), NULL));
    }
    atomic_store(&stop, 1);
    pthread_join(th, NULL);
    /* no deadline left pending: everything is back to read-write */
    mprotect(wpage, 4096, PROT_READ | PROT_WRITE);
    printf("survived %d rounds, %d unexpected results\n", ROUNDS, bad);
    return 0;
}
