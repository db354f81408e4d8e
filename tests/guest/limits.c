/* limits.c - a guest for vm's limits (--max-insns, --timeout, --memory-limit, --max-threads,
 * `ulimit -v`). argv[1] picks what it does; without one it allocates, starts threads and
 * forks well within any limit the tests set, so that it also runs unlimited (and under
 * qemu-riscv64) with the same output.
 *
 *   spin          print, then loop forever (ended by --max-insns or --timeout)
 *   spin-threads  four threads loop forever, main waits for them (a limit ends them all)
 *   sleep         print, then block in pause() (ended by --timeout)
 *   fork-sleep    a child blocks, the parent waits for it, then blocks (the deadline ends
 *                 both)
 *   exec-sleep    execve itself with "sleep" (the deadline goes on across execve)
 *   memory        allocate in every way until ENOMEM, under --memory-limit=64M
 *   threads       start threads until EAGAIN, under --max-threads=4
 *   ulimit        allocate and start threads, under `ulimit -v`
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define MiB (1ul << 20)

static volatile uint64_t sink;

static void *spinner(void *arg) {
    (void)arg;
    for (;;)
        sink++;
    return NULL;
}

/* Threads that wait until `go` is set, then exit. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int go;

static void *waiter(void *arg) {
    (void)arg;
    pthread_mutex_lock(&lock);
    while (!go)
        pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    return NULL;
}

/* Start up to max waiting threads; returns how many started, *err the first failure. */
static int start_waiters(pthread_t *t, int max, int *err) {
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, 64 << 10);
    *err = 0;
    int n = 0;
    for (; n < max; n++) {
        int rc = pthread_create(&t[n], &a, waiter, NULL);
        if (rc) {
            *err = rc;
            break;
        }
    }
    pthread_attr_destroy(&a);
    return n;
}

static void release_waiters(pthread_t *t, int n) {
    pthread_mutex_lock(&lock);
    go = 1;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
    go = 0;
}

/* malloc `total` bytes in 1 MiB blocks, write every page, free them; true when all came. */
static int alloc_touch(size_t total) {
    size_t n = total / MiB;
    char **b = calloc(n, sizeof(char *));
    size_t got = 0;
    for (; b && got < n; got++) {
        b[got] = malloc(MiB);
        if (!b[got]) break;
        for (size_t o = 0; o < MiB; o += 4096)
            b[got][o] = (char)o;
    }
    int ok = b && got == n;
    for (size_t i = 0; b && i < got; i++)
        free(b[i]);
    free(b);
    return ok;
}

static void say(const char *what, int ok) {
    printf("%s: %s\n", what, ok ? "ok" : "FAILED");
}

/* Under --memory-limit=64M. */
static int memory(void) {
    const size_t limit = 64 * MiB;
    /* anonymous private writable mappings until ENOMEM */
    void *m[128];
    int n = 0;
    for (; n < 128; n++) {
        m[n] = mmap(NULL, MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m[n] == MAP_FAILED) break;
        memset(m[n], 1, MiB);
    }
    say("mmap fails with ENOMEM within the limit",
        n < 128 && errno == ENOMEM && n * MiB <= limit && n * MiB >= limit / 2);
    for (int i = 0; i < n; i++)
        munmap(m[i], MiB);
    void *again = mmap(NULL, MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    say("mmap after munmap", again != MAP_FAILED);
    munmap(again, MiB);
    /* MAP_NORESERVE does not get past it; shared anonymous memory counts too */
    void *p = mmap(NULL, 2 * limit, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    say("MAP_NORESERVE past the limit: ENOMEM", p == MAP_FAILED && errno == ENOMEM);
    p = mmap(NULL, 2 * limit, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    say("MAP_SHARED|MAP_ANONYMOUS past the limit: ENOMEM", p == MAP_FAILED && errno == ENOMEM);
    /* reserved (PROT_NONE) and read-only memory is not committed, until made writable */
    char *r = mmap(NULL, 4 * limit, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    say("PROT_NONE reservation past the limit", r != MAP_FAILED);
    void *ro = mmap(NULL, 4 * limit, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    say("read-only mapping past the limit", ro != MAP_FAILED);
    say("mprotect writable past the limit: ENOMEM",
        mprotect(r, 2 * limit, PROT_READ | PROT_WRITE) != 0 && errno == ENOMEM);
    say("mprotect writable within it", mprotect(r, MiB, PROT_READ | PROT_WRITE) == 0);
    r[0] = 1;
    /* a page written and made read-only again still holds memory: it stays counted */
    mprotect(r, MiB, PROT_READ);
    munmap(ro, 4 * limit);
    /* mremap cannot grow past it */
    char *g = mmap(NULL, MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    void *g2 = mremap(g, MiB, 2 * limit, MREMAP_MAYMOVE);
    say("mremap past the limit: ENOMEM", g2 == MAP_FAILED && errno == ENOMEM);
    g2 = mremap(g, MiB, 4 * MiB, MREMAP_MAYMOVE);
    say("mremap within it", g2 != MAP_FAILED);
    munmap(g2 == MAP_FAILED ? g : g2, g2 == MAP_FAILED ? MiB : 4 * MiB);
    munmap(r, 4 * limit);
    /* brk */
    void *cur = sbrk(0);
    say("brk past the limit: ENOMEM", sbrk((intptr_t)(2 * limit)) == (void *)-1 && errno == ENOMEM);
    say("brk within it", sbrk(MiB) == cur && sbrk(-(intptr_t)MiB) != (void *)-1);
    /* malloc until it fails: NULL, and the memory written so far stays below the limit */
    char *blk[128];
    int k = 0;
    for (; k < 128; k++) {
        blk[k] = malloc(MiB);
        if (!blk[k]) break;
        memset(blk[k], 2, MiB);
    }
    say("malloc returns NULL within the limit", k < 128 && k * MiB <= limit);
    for (int i = 0; i < k; i++)
        free(blk[i]);
    say("malloc after free", alloc_touch(16 * MiB));
    return 0;
}

/* Under --max-threads=4: the main thread and three more. */
static int threads(void) {
    pthread_t t[16];
    int err;
    int n = start_waiters(t, 16, &err);
    printf("started %d threads, then %s\n", n, err == EAGAIN ? "EAGAIN" : strerror(err));
    release_waiters(t, n);
    n = start_waiters(t, 3, &err);
    printf("after they ended: started %d threads\n", n);
    release_waiters(t, n);
    return 0;
}

/* Unlimited (or under `ulimit -v`): allocate, use threads, fork. */
static int plain(void) {
    say("malloc and write 256 MiB", alloc_touch(256 * MiB));
    pthread_t t[8];
    int err;
    int n = start_waiters(t, 8, &err);
    release_waiters(t, n);
    say("8 threads", n == 8);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) _exit(alloc_touch(16 * MiB) ? 7 : 1);
    int st = 0;
    waitpid(pid, &st, 0);
    say("fork", WIFEXITED(st) && WEXITSTATUS(st) == 7);
    return 0;
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    if (!strcmp(mode, "spin")) {
        printf("spinning\n");
        fflush(stdout);
        spinner(NULL);
    } else if (!strcmp(mode, "spin-threads")) {
        printf("spinning in 4 threads\n");
        fflush(stdout);
        pthread_t t[4];
        for (int i = 0; i < 4; i++)
            pthread_create(&t[i], NULL, spinner, NULL);
        for (int i = 0; i < 4; i++)
            pthread_join(t[i], NULL);
    } else if (!strcmp(mode, "sleep")) {
        printf("sleeping\n");
        fflush(stdout);
        for (;;)
            pause();
    } else if (!strcmp(mode, "fork-sleep")) {
        printf("parent waits for a sleeping child\n");
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            for (;;)
                pause();
        }
        waitpid(pid, NULL, 0);
        for (;;) /* the same deadline may end the child a moment before this process */
            pause();
    } else if (!strcmp(mode, "vfork-spin")) {
        /* a vfork child that never execs: the parent waits in vfork all along, and the time
         * limit must end the child too (CTest waits for its end of the output pipe) */
        printf("vfork child spins\n");
        fflush(stdout);
        if (vfork() == 0) {
            for (volatile unsigned long n = 0;; n++) {
            }
        }
        printf("vfork returned\n");
        return 1;
    } else if (!strcmp(mode, "exec-sleep")) {
        printf("exec\n");
        fflush(stdout);
        char *args[] = {argv[0], "sleep", NULL};
        execv("/proc/self/exe", args);
        perror("execv");
        return 1;
    } else if (!strcmp(mode, "memory")) {
        return memory();
    } else if (!strcmp(mode, "threads")) {
        return threads();
    } else {
        return plain();
    }
    return 0;
}
