/* calls_bare.c - calls and returns on the bare machine, for the JIT's return-address stack
 * under --engine=lockstep (the JIT's machine and the interpreter's compared at every block
 * boundary): deep and mutual recursion, calls through pointers, a hand-written setjmp/longjmp
 * that leaves deep recursion (returns that never come), and a trap (ebreak) in the middle of
 * a recursion whose M-mode handler leaves through that longjmp, across the frames under it.
 * Every result is checked against the same value computed without calls; main's return
 * value names the first check that failed (0: all passed), reported through tohost. */
#include <stdint.h>

/* Entry: stack, trap vector, then main; main's return value goes to tohost as
 * (value << 1) | 1. The trap handler longjmps through trap_jb with the value 40 + mcause. */
__asm__(".pushsection .text.init, \"ax\"\n"
        ".globl _start\n"
        "_start:\n"
        "    la sp, stack_top\n"
        "    la t0, on_trap\n"
        "    csrw mtvec, t0\n"
        "    call main\n"
        "    slli a0, a0, 1\n"
        "    ori a0, a0, 1\n"
        "    la t0, tohost\n"
        "    sd a0, 0(t0)\n"
        "1:  j 1b\n"
        ".align 2\n"
        "on_trap:\n"
        "    csrr a1, mcause\n"
        "    addi a1, a1, 40\n"
        "    la a0, trap_jb\n"
        "    la t0, bare_longjmp\n"
        "    csrw mepc, t0\n"
        "    mret\n"
        /* bare_setjmp(buf): ra, sp, s0-s11 into buf, returns 0 */
        ".globl bare_setjmp\n"
        "bare_setjmp:\n"
        "    sd ra, 0(a0)\n"
        "    sd sp, 8(a0)\n"
        "    sd s0, 16(a0)\n"
        "    sd s1, 24(a0)\n"
        "    sd s2, 32(a0)\n"
        "    sd s3, 40(a0)\n"
        "    sd s4, 48(a0)\n"
        "    sd s5, 56(a0)\n"
        "    sd s6, 64(a0)\n"
        "    sd s7, 72(a0)\n"
        "    sd s8, 80(a0)\n"
        "    sd s9, 88(a0)\n"
        "    sd s10, 96(a0)\n"
        "    sd s11, 104(a0)\n"
        "    li a0, 0\n"
        "    ret\n"
        /* bare_longjmp(buf, v): back to bare_setjmp's caller, which sees v */
        ".globl bare_longjmp\n"
        "bare_longjmp:\n"
        "    ld ra, 0(a0)\n"
        "    ld sp, 8(a0)\n"
        "    ld s0, 16(a0)\n"
        "    ld s1, 24(a0)\n"
        "    ld s2, 32(a0)\n"
        "    ld s3, 40(a0)\n"
        "    ld s4, 48(a0)\n"
        "    ld s5, 56(a0)\n"
        "    ld s6, 64(a0)\n"
        "    ld s7, 72(a0)\n"
        "    ld s8, 80(a0)\n"
        "    ld s9, 88(a0)\n"
        "    ld s10, 96(a0)\n"
        "    ld s11, 104(a0)\n"
        "    mv a0, a1\n"
        "    ret\n"
        ".popsection\n"
        ".pushsection .tohost, \"aw\", @progbits\n"
        ".align 12\n"
        ".globl tohost\n"
        "tohost: .dword 0\n"
        ".globl fromhost\n"
        "fromhost: .dword 0\n"
        ".align 12\n"
        ".popsection\n"
        ".pushsection .bss\n"
        ".align 4\n"
        "stack: .space 262144\n"
        "stack_top:\n"
        ".popsection\n");

#define NOINLINE __attribute__((noinline))

typedef uint64_t jmpbuf_t[14];
int bare_setjmp(jmpbuf_t b) __attribute__((returns_twice));
_Noreturn void bare_longjmp(jmpbuf_t b, int v);
jmpbuf_t trap_jb;
static jmpbuf_t jb;
static volatile uint64_t sink;

/* f(0) = 1, f(n) = f(n-1) * 31 + n */
NOINLINE static uint64_t deep(unsigned n) {
    if (n == 0) return 1;
    uint64_t r = deep(n - 1);
    sink += r;
    return r * 31 + n;
}
static uint64_t deep_loop(unsigned n) {
    uint64_t r = 1;
    for (unsigned i = 1; i <= n; i++)
        r = r * 31 + i;
    return r;
}

NOINLINE static uint64_t odd(unsigned n);
NOINLINE static uint64_t even(unsigned n) {
    if (n == 0) return 0;
    uint64_t r = odd(n - 1);
    sink ^= r;
    return r * 3 + 1;
}
NOINLINE static uint64_t odd(unsigned n) {
    if (n == 0) return 1;
    uint64_t r = even(n - 1);
    sink ^= r;
    return r * 5 + 2;
}
static uint64_t even_loop(unsigned n) {
    /* unwinding from the bottom: the innermost call is odd(0) = 1 or even(0) = 0 */
    uint64_t r = (n & 1) ? 1 : 0;
    for (unsigned k = 1; k <= n; k++) /* k-th frame from the bottom: even when n-k is even */
        r = ((n - k) & 1) == 0 ? r * 3 + 1 : r * 5 + 2;
    return r;
}

typedef uint64_t (*fn_t)(uint64_t);
NOINLINE static uint64_t f_add(uint64_t x) {
    return x + 7;
}
NOINLINE static uint64_t f_mul(uint64_t x) {
    return x * 3;
}
static fn_t fns[2] = {f_add, f_mul};
NOINLINE static uint64_t chain(unsigned n, uint64_t x) {
    if (n == 0) return x;
    return chain(n - 1, fns[n & 1](x)) + 1;
}
static uint64_t chain_loop(unsigned n, uint64_t x) {
    for (unsigned k = n; k > 0; k--)
        x = (k & 1) ? x * 3 : x + 7;
    return x + n;
}

NOINLINE static uint64_t dive(unsigned n, unsigned at, int trap) {
    if (n == at) {
        if (trap) __asm__ volatile("ebreak");
        bare_longjmp(jb, (int)n);
    }
    if (n > 100000) return 0;
    uint64_t r = dive(n + 1, at, trap);
    sink += r;
    return r + n;
}

int main(void) {
    for (unsigned n = 0; n < 300; n++)
        if (deep(n % 40) != deep_loop(n % 40)) return 2;
    if (deep(5000) != deep_loop(5000)) return 3;
    for (unsigned n = 0; n < 200; n++)
        if (even(n) != even_loop(n)) return 4;
    if (chain(3001, 1) != chain_loop(3001, 1)) return 5;
    /* longjmp out of recursion, then calls again (the skipped returns' predictions are stale) */
    unsigned got = 0, want = 0;
    for (unsigned at = 1; at < 80; at += 3) {
        int v = bare_setjmp(jb);
        if (v == 0) dive(0, at, 0);
        got += (unsigned)v + (unsigned)(deep(4) & 0xff);
        want += at + (unsigned)(deep_loop(4) & 0xff);
    }
    if (got != want) return 6;
    /* a trap in the middle of a recursion; the handler leaves across the frames */
    got = want = 0;
    for (unsigned at = 2; at < 60; at += 7) {
        int v = bare_setjmp(trap_jb);
        if (v == 0) dive(0, at, 1);
        got += (unsigned)v + (unsigned)(deep(6) & 0xff);
        want += 40 + 3 /* breakpoint */ + (unsigned)(deep_loop(6) & 0xff);
    }
    if (got != want) return 7;
    return 0;
}
