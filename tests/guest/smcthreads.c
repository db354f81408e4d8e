/* smcthreads.c - code that one thread rewrites while two others keep calling it. The writer
 * stores a new `li a0, K; ret` into an executable page, makes it known the way Linux asks for
 * (`__riscv_flush_icache`, the riscv_flush_icache system call for every hart, before it
 * publishes the round; or the readers' own `fence.i` after they see the round), and waits for
 * both readers to call the function once more and acknowledge. A reader that gets the old K
 * ran stale code. The readers spin in code without system calls, so that nothing but the
 * write itself can tell them. A third variant publishes with plain stores alone (a release
 * store after the code, an acquire load before the call): Linux does not promise that one, but
 * vm (as qemu-riscv64 and x86 hosts) sees every store into code, from any thread. Last, a
 * fork while threads run the code, then patches in the child and in the parent. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/cachectl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define READERS 2
#define ROUNDS  100

enum variant { FLUSH_SYSCALL, READER_FENCE_I, STORES_ALONE };

static uint32_t *code;          /* the function: li a0, K; ret */
static atomic_int round_;       /* the round published (-1: done) */
static atomic_int ack[READERS]; /* the last round each reader checked */
static atomic_int stale;        /* calls that returned an old K */
static enum variant variant;

static int call(void) {
    int (*fn)(void) = (int (*)(void))(uintptr_t)code;
    return fn();
}

static uint32_t li_a0(int k) {
    return 0x00000513u | (uint32_t)k << 20; /* addi a0, zero, k */
}

static void *reader(void *arg) {
    int id = (int)(intptr_t)arg, seen = 0;
    for (;;) {
        (void)call(); /* keeps the code hot (decoded, translated) */
        int r = atomic_load_explicit(&round_, memory_order_acquire);
        if (r == seen) continue;
        if (r < 0) break;
        if (variant == READER_FENCE_I) __asm__ volatile("fence.i" ::: "memory");
        if (call() != r) atomic_fetch_add(&stale, 1);
        seen = r;
        atomic_store_explicit(&ack[id], r, memory_order_release);
    }
    return NULL;
}

static void run(enum variant v, const char *name, int base) {
    variant = v;
    atomic_store(&stale, 0);
    atomic_store(&round_, base);
    for (int i = 0; i < READERS; i++)
        atomic_store(&ack[i], base);
    code[0] = li_a0(base);
    code[1] = 0x00008067u; /* ret */
    __riscv_flush_icache(code, code + 2, 0);
    pthread_t th[READERS];
    for (int i = 0; i < READERS; i++)
        if (pthread_create(&th[i], NULL, reader, (void *)(intptr_t)i) != 0) {
            printf("pthread_create failed\n");
            exit(1);
        }
    for (int k = base + 1; k <= base + ROUNDS; k++) {
        atomic_store_explicit((_Atomic uint32_t *)&code[0], li_a0(k), memory_order_relaxed);
        if (v == FLUSH_SYSCALL) __riscv_flush_icache(code, code + 2, 0);
        atomic_store_explicit(&round_, k, memory_order_release);
        for (int i = 0; i < READERS; i++)
            while (atomic_load_explicit(&ack[i], memory_order_acquire) != k)
                sched_yield();
    }
    atomic_store_explicit(&round_, -1, memory_order_release);
    for (int i = 0; i < READERS; i++)
        pthread_join(th[i], NULL);
    printf("%s: %d rounds, %d readers, %d stale calls\n", name, ROUNDS, READERS,
           atomic_load(&stale));
}

/* A fork while two threads run the code: the child (one thread, its flags started over)
 * patches and calls it, and so does the parent afterwards while its threads still run it. */
static atomic_int spin_stop;

static void *spinner(void *arg) {
    (void)arg;
    long n = 0;
    while (!atomic_load(&spin_stop))
        n += call();
    return (void *)n;
}

static void forks(void) {
    code[0] = li_a0(1);
    code[1] = 0x00008067u;
    __riscv_flush_icache(code, code + 2, 0);
    pthread_t th[READERS];
    for (int i = 0; i < READERS; i++)
        pthread_create(&th[i], NULL, spinner, NULL);
    int bad = 0;
    for (int r = 0; r < 20; r++) {
        pid_t pid = fork();
        if (pid == 0) {
            int ok = call() == 1;
            atomic_store_explicit((_Atomic uint32_t *)&code[0], li_a0(2), memory_order_relaxed);
            ok &= call() == 2;
            _exit(ok ? 0 : 1);
        }
        int st;
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) bad++;
        atomic_store_explicit((_Atomic uint32_t *)&code[0], li_a0(3), memory_order_relaxed);
        if (call() != 3) bad++;
        atomic_store_explicit((_Atomic uint32_t *)&code[0], li_a0(1), memory_order_relaxed);
        if (call() != 1) bad++;
    }
    atomic_store(&spin_stop, 1);
    for (int i = 0; i < READERS; i++)
        pthread_join(th[i], NULL);
    printf("fork while threads run it: 20 rounds, %d wrong\n", bad);
}

int main(void) {
    alarm(100); /* a reader that never acknowledges ends the test */
    code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    run(FLUSH_SYSCALL, "writer calls __riscv_flush_icache", 0);
    run(READER_FENCE_I, "readers run fence.i", 600);
    run(STORES_ALONE, "stores alone", 1200);
    forks();
    return 0;
}
