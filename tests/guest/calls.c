/* calls.c - calls and returns the way compiled code makes them, for the JIT's return-address
 * stack (a ring of 16 predicted returns; any return it mispredicts must still land where the
 * guest's ra says): recursion far deeper than the ring, mutual recursion, calls through
 * function pointers, setjmp/longjmp out of deep recursion (returns that never come), a signal
 * handler that calls and returns inside the interrupted recursion and one that leaves it with
 * siglongjmp, a code-cache flush (riscv_flush_icache) in the middle of a recursion, and a
 * fork whose child and parent both go on calling. Every part prints a value computed through
 * the returns, so a return to the wrong place shows up as a wrong line. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

static volatile uint64_t sink; /* keeps calls from being folded */

/* Not a tail call: work after the return. */
NOINLINE static uint64_t deep(unsigned n) {
    if (n == 0) return 1;
    uint64_t r = deep(n - 1);
    sink += r;
    return r * 31 + n;
}

NOINLINE static uint64_t is_odd(unsigned n, uint64_t acc);
NOINLINE static uint64_t is_even(unsigned n, uint64_t acc) {
    if (n == 0) return acc;
    uint64_t r = is_odd(n - 1, acc * 3 + n);
    sink ^= r;
    return r + 1;
}
NOINLINE static uint64_t is_odd(unsigned n, uint64_t acc) {
    if (n == 0) return acc ^ 0x55;
    uint64_t r = is_even(n - 1, acc * 5 + n);
    sink ^= r;
    return r + 2;
}

/* The Ackermann function: returns to many depths in no simple order. */
NOINLINE static uint64_t ack(uint64_t m, uint64_t n) {
    if (m == 0) return n + 1;
    if (n == 0) return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}

typedef uint64_t (*fn_t)(uint64_t);
NOINLINE static uint64_t f_add(uint64_t x) {
    return x + 7;
}
NOINLINE static uint64_t f_mul(uint64_t x) {
    return x * 3;
}
NOINLINE static uint64_t f_xor(uint64_t x) {
    return x ^ 0x1234;
}
static fn_t fns[3] = {f_add, f_mul, f_xor};
NOINLINE static uint64_t through_pointers(unsigned n, uint64_t x) {
    if (n == 0) return x;
    x = fns[n % 3](x);
    return through_pointers(n - 1, x) + (n & 1);
}

static jmp_buf jb;
NOINLINE static uint64_t dive_and_jump(unsigned n, unsigned at) {
    if (n == at) longjmp(jb, (int)n);
    if (n > 1000) return 0; /* not reached: at is below 1000 */
    uint64_t r = dive_and_jump(n + 1, at);
    sink += r;
    return r + n; /* never reached */
}

static sigjmp_buf sjb;
static volatile unsigned handled;
static volatile uint64_t in_handler;
static void on_usr1(int sig) {
    (void)sig;
    handled++;
    in_handler = deep(40) ^ ack(2, 3); /* calls and returns inside the handler */
}
static void on_usr2(int sig) {
    (void)sig;
    handled++;
    in_handler += deep(20);
    siglongjmp(sjb, 7); /* leaves the handler and the frames under it */
}
NOINLINE static uint64_t dive_signal(unsigned n, unsigned at, int sig) {
    if (n == at) raise(sig);
    if (n == at + 30) return 1000;
    uint64_t r = dive_signal(n + 1, at, sig);
    sink += r;
    return r + n;
}

NOINLINE static uint64_t dive_flush(unsigned n) {
    static char code[64];
    if (n == 0) {
        __builtin___clear_cache(code, code + sizeof(code)); /* riscv_flush_icache */
        /* other code first (the flush comes first in main: the returns' old blocks lie
         * low in the code cache), so that new blocks overwrite where they were */
        printf("code cache flushed at depth 30, %llu\n",
               (unsigned long long)(ack(2, 2) + through_pointers(5, 1) + is_even(7, 1)));
        return 5;
    }
    uint64_t r = dive_flush(n - 1);
    return r * 7 + n;
}

/* Code that changes under a pending return: g (machine code on a page of its own) calls
 * patch_g through a pointer; on its last call, patch_g rewrites the instruction g returns to
 * (li a0, 1 -> li a0, 2) and flushes the instruction cache. The return must run the new
 * instruction, not a translation of the old one that a prediction still points at. */
static uint32_t *g_code;
static int g_patch;
NOINLINE static void patch_g(void) {
    if (!g_patch) return;
    g_code[3] = 0x00200513; /* li a0, 2 */
    __builtin___clear_cache((char *)g_code, (char *)(g_code + 8));
}
static unsigned changed_under_return(void) {
    static const uint32_t g[] = {
        0xff010113, /* addi sp, sp, -16 */
        0x00113423, /* sd ra, 8(sp) */
        0x000500e7, /* jalr ra, 0(a0): patch_g */
        0x00100513, /* li a0, 1 */
        0x00813083, /* ld ra, 8(sp) */
        0x01010113, /* addi sp, sp, 16 */
        0x00008067, /* ret */
    };
    g_code =
        mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (g_code == MAP_FAILED) return 0;
    memcpy(g_code, g, sizeof(g));
    __builtin___clear_cache((char *)g_code, (char *)(g_code + 8));
    unsigned (*fn)(void (*)(void)) = (unsigned (*)(void (*)(void)))(uintptr_t)g_code;
    unsigned sum = 0;
    for (int i = 0; i < 100; i++) {
        g_patch = i == 99;
        sum = sum * 3 + fn(patch_g);
    }
    munmap(g_code, 4096);
    return sum;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    /* a first flush, so that dive_flush's blocks lie at the start of the code cache, where
     * the blocks made after its own flush go */
    static char some[16];
    __builtin___clear_cache(some, some + sizeof(some));
    printf("flush in the middle of a recursion: %llu\n", (unsigned long long)dive_flush(30));
    uint64_t d = 0;
    for (unsigned i = 0; i < 200; i++)
        d += deep(5 + i % 12); /* within the ring */
    printf("shallow recursion: %016llx\n", (unsigned long long)d);
    printf("deep recursion 100000: %016llx\n", (unsigned long long)deep(100000));
    printf("mutual recursion 5001: %016llx\n", (unsigned long long)is_even(5001, 1));
    printf("ackermann(2, 300) = %llu, ackermann(3, 6) = %llu\n", (unsigned long long)ack(2, 300),
           (unsigned long long)ack(3, 6));
    printf("function pointers: %016llx\n", (unsigned long long)through_pointers(3000, 1));

    unsigned jumps = 0;
    for (unsigned at = 1; at < 60; at += 3) {
        int v = setjmp(jb);
        if (v == 0) dive_and_jump(0, at);
        jumps += (unsigned)v;
        /* the returns the longjmp skipped are still on the ring: calls go on */
        jumps += (unsigned)(deep(3) & 0xff);
    }
    printf("longjmp out of recursion: %u\n", jumps);

    signal(SIGUSR1, on_usr1);
    signal(SIGUSR2, on_usr2);
    uint64_t s = dive_signal(0, 10, SIGUSR1);
    printf("handler returning into the recursion: %llu, in the handler %016llx\n",
           (unsigned long long)s, (unsigned long long)in_handler);
    int v = sigsetjmp(sjb, 1);
    if (v == 0) dive_signal(0, 25, SIGUSR2);
    printf("siglongjmp out of a handler: %d, handled %u, then %016llx\n", v, handled,
           (unsigned long long)deep(50));

    printf("code changed under a pending return: %u\n", changed_under_return());

    pid_t pid = fork();
    if (pid == 0) {
        printf("child: %016llx\n", (unsigned long long)(deep(200) + is_even(301, 2)));
        _exit(0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    printf("parent: %016llx, child status %d\n", (unsigned long long)(deep(200) + is_odd(301, 2)),
           WEXITSTATUS(st));
    return 0;
}
