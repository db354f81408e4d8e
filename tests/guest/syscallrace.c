/* syscallrace.c - a race fuzzer for vm's guest memory accesses in system calls.
 *
 *   syscallrace [SECONDS [SEED]]
 *
 * An arena of ARENA_PAGES pages is changed at random by one thread (mprotect to none, read
 * or read-write, munmap, mmap again, each page on its own or several at once) while two
 * others make random pointer-taking system calls whose buffers, strings and structures lie
 * in the arena at random offsets and lengths, often across a page boundary. vm must never
 * crash (a host SIGSEGV would end the test with a signal), and every call must succeed or
 * fail with EFAULT or an errno that call can give for a reason other than memory (listed per
 * call): never a different error, never a hang. The calls are made with syscall(2), so that
 * only vm touches the arena (the program itself never reads or writes it). The run is bounded
 * by time (SECONDS, default 2); the seed (default from the clock) is printed on failure so
 * that the run can be repeated. Nothing maps memory while the mutator runs (its MAP_FIXED
 * would land on whatever took an unmapped arena page). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define ARENA_PAGES 8
#define PAGE        4096
#define CALLERS     2
#define GUARD       4 /* PROT_NONE pages either side: a buffer reaches at most this far */

static char *arena;
static atomic_int stop;
static atomic_int bad;
static atomic_long n_ok, n_fault, n_other; /* for the line on stderr */
static unsigned long long seed0;
static int pipefd[2], sockfd[2], devnull, dirfd_;

static uint64_t next(uint64_t *s) {
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/* A pointer into the arena (or just around it) and a length that often crosses pages. */
static char *rptr(uint64_t *s, size_t *len) {
    uint64_t r = next(s);
    long off = (long)(r % (ARENA_PAGES * PAGE + 2 * PAGE)) - PAGE; /* a page either side too */
    if (r & (1ull << 40)) off = (off & ~(long)(PAGE - 1)) + PAGE - 8 * (long)((r >> 41) % 4);
    *len = 1 + (size_t)((r >> 20) % (3 * PAGE));
    return arena + off;
}

/* The mutator: random protection changes, unmaps and maps of arena pages. */
static void *mutator(void *arg) {
    uint64_t s = (uint64_t)(uintptr_t)arg | 1;
    while (!atomic_load(&stop)) {
        uint64_t r = next(&s);
        size_t pg = (size_t)(r % ARENA_PAGES), n = 1 + (size_t)((r >> 8) % 3);
        if (pg + n > ARENA_PAGES) n = ARENA_PAGES - pg;
        char *p = arena + pg * PAGE;
        switch ((r >> 16) % 5) {
        case 0: mprotect(p, n * PAGE, PROT_NONE); break;
        case 1: mprotect(p, n * PAGE, PROT_READ); break;
        case 2: mprotect(p, n * PAGE, PROT_READ | PROT_WRITE); break;
        case 3: munmap(p, n * PAGE); break;
        default:
            mmap(p, n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
                 0);
            break;
        }
    }
    return NULL;
}

/* One call's result: ok, EFAULT, or one of the errnos in `also` (0-terminated). */
static void check(const char *name, long r, const int *also) {
    if (r >= 0) {
        atomic_fetch_add(&n_ok, 1);
        return;
    }
    if (errno == EFAULT) {
        atomic_fetch_add(&n_fault, 1);
        return;
    }
    for (; also && *also; also++)
        if (errno == *also) {
            atomic_fetch_add(&n_other, 1);
            return;
        }
    if (atomic_fetch_add(&bad, 1) < 10)
        fprintf(stderr, "syscallrace: %s: unexpected %s (seed %llu)\n", name, strerror(errno),
                seed0);
}

static const int E_PATH[] = {ENOENT, ENAMETOOLONG, ENOTDIR, EACCES, ELOOP, EINVAL, 0};
static const int E_IO[] = {EAGAIN, EINVAL, 0};
static const int E_INVAL[] = {EINVAL, 0};

static void one_call(uint64_t *s) {
    size_t len;
    char *p = rptr(s, &len);
    size_t len2;
    char *q = rptr(s, &len2);
    long r;
    switch (next(s) % 24) {
    case 0:
        r = syscall(SYS_clock_gettime, CLOCK_MONOTONIC, p);
        check("clock_gettime", r, 0);
        break;
    case 1:
        r = syscall(SYS_gettimeofday, p, q);
        check("gettimeofday", r, 0);
        break;
    case 2:
        r = syscall(SYS_uname, p);
        check("uname", r, 0);
        break;
    case 3:
        r = syscall(SYS_getcwd, p, len);
        check("getcwd", r, (const int[]){ERANGE, 0});
        break;
    case 4:
        r = syscall(SYS_write, pipefd[1], p, len < 512 ? len : 512);
        check("write", r, E_IO);
        break;
    case 5:
        r = syscall(SYS_read, pipefd[0], p, len);
        check("read", r, E_IO);
        break;
    case 6:
        r = syscall(SYS_pread64, devnull, p, len, 0);
        check("pread64", r, 0);
        break;
    case 7:
        r = syscall(SYS_newfstatat, AT_FDCWD, p, q, 0);
        check("newfstatat", r, E_PATH);
        break;
    case 8:
        r = syscall(SYS_fstat, devnull, p);
        check("fstat", r, 0);
        break;
    case 9:
        r = syscall(SYS_readlinkat, AT_FDCWD, "/proc/self/exe", p, len);
        check("readlinkat", r, 0);
        break;
    case 10:
        r = syscall(SYS_openat, AT_FDCWD, p, O_RDONLY | O_CLOEXEC, 0);
        check("openat", r, E_PATH);
        if (r >= 0) close((int)r);
        break;
    case 11:
        r = syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, p, 8);
        check("rt_sigprocmask", r, 0);
        break;
    case 12:
        r = syscall(SYS_rt_sigaction, SIGUSR2, NULL, p, 8);
        check("rt_sigaction", r, 0);
        break;
    case 13:
        r = syscall(SYS_getrusage, RUSAGE_SELF, p);
        check("getrusage", r, 0);
        break;
    case 14:
        r = syscall(SYS_sysinfo, p);
        check("sysinfo", r, 0);
        break;
    case 15:
        r = syscall(SYS_getrandom, p, len, GRND_NONBLOCK);
        check("getrandom", r, E_IO);
        break;
    case 16:
        r = syscall(SYS_getdents64, dirfd_, p, len);
        check("getdents64", r, E_INVAL);
        lseek(dirfd_, 0, SEEK_SET);
        break;
    case 17:
        r = syscall(SYS_ppoll, p, 1, &(struct timespec){0, 0}, NULL, 8);
        check("ppoll", r, E_INVAL);
        break;
    case 18:
        r = syscall(SYS_sched_getaffinity, 0, len & ~(size_t)7, p);
        check("sched_getaffinity", r, E_INVAL);
        break;
    case 19:
        r = syscall(SYS_times, p);
        check("times", r, 0);
        break;
    case 20:
        r = syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, p);
        check("prlimit64", r, 0);
        break;
    case 21: {
        struct iovec iov[2] = {{p, len < 256 ? len : 256}, {q, len2 < 256 ? len2 : 256}};
        r = syscall(SYS_writev, sockfd[0], iov, 2);
        check("writev", r, E_IO);
        r = syscall(SYS_recvfrom, sockfd[1], q, len2, MSG_DONTWAIT, NULL, NULL);
        check("recvfrom", r, E_IO);
        break;
    }
    case 22:
        r = syscall(SYS_nanosleep, &(struct timespec){0, 1}, p);
        check("nanosleep", r, 0);
        break;
    default:
        r = syscall(SYS_getitimer, ITIMER_REAL, p);
        check("getitimer", r, 0);
        break;
    }
}

static void *caller(void *arg) {
    uint64_t s = (uint64_t)(uintptr_t)arg | 1;
    while (!atomic_load(&stop))
        one_call(&s);
    return NULL;
}

int main(int argc, char **argv) {
    double secs = argc > 1 ? atof(argv[1]) : 2.0;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    seed0 = argc > 2 ? strtoull(argv[2], NULL, 10) : (unsigned long long)now.tv_nsec + 1;
    arena =
        mmap(NULL, (ARENA_PAGES + 2 * GUARD) * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (arena == MAP_FAILED) return 2;
    arena += GUARD * PAGE; /* guard pages either side, never made accessible: a call's buffer
                              never reaches memory of the program's own */
    mprotect(arena, ARENA_PAGES * PAGE, PROT_READ | PROT_WRITE);
    if (pipe2(pipefd, O_NONBLOCK) || socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sockfd))
        return 2;
    devnull = open("/dev/null", O_RDONLY);
    dirfd_ = open("/", O_RDONLY | O_DIRECTORY);
    if (devnull < 0 || dirfd_ < 0) return 2;
    /* the callers' stacks are mapped before the mutator starts unmapping arena pages: a
     * mapping made later could land in such a hole, which the mutator maps over again */
    pthread_t m, c[CALLERS];
    for (int i = 0; i < CALLERS; i++)
        pthread_create(&c[i], NULL, caller, (void *)(uintptr_t)(seed0 * 7 + (unsigned)i));
    pthread_create(&m, NULL, mutator, (void *)(uintptr_t)(seed0 * 3));
    struct timespec d = {(time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9)};
    nanosleep(&d, NULL);
    atomic_store(&stop, 1);
    pthread_join(m, NULL);
    for (int i = 0; i < CALLERS; i++)
        pthread_join(c[i], NULL);
    fprintf(stderr,
            "syscallrace: %ld calls succeeded, %ld failed with EFAULT, %ld with another "
            "errno they may give (seed %llu)\n",
            atomic_load(&n_ok), atomic_load(&n_fault), atomic_load(&n_other), seed0);
    if (atomic_load(&bad)) {
        printf("syscall race: %d unexpected results (seed %llu)\n", atomic_load(&bad), seed0);
        return 1;
    }
    printf("syscall race: every call succeeded or failed as it may\n");
    return 0;
}
