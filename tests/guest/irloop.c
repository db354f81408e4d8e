/* irloop.c - precise state in a loop that the JIT's IR keeps in registers (a back edge to the
 * translation's start: the loop-carried values live in host registers and spill slots from
 * one iteration to the next, carried by the back edge's moves, and the guest registers are
 * written back only where something can observe them). irloop_fn runs a loop over 24 guest
 * registers: t0-t5 rotate through t6 (a cycle of moves on the back edge), s1-s10 and a6
 * accumulate, a7 is loaded through a0 each iteration and summed into s11, a0 advances by a1,
 * a2 counts down. Checked against the same arithmetic in C:
 *   - a fault at the load in iteration K (an unmapped page, whose access faults on the host,
 *     and an address outside the address space, which takes the slow path): SIGSEGV at
 *     irloop_load with every register exactly as K iterations and the part before the load
 *     left them;
 *   - a SIGALRM while the loop runs (a one-shot timer, the handler leaves by siglongjmp):
 *     the signal arrives at the loop head with every register as whole iterations left them
 *     (one that arrives elsewhere, before the loop runs on a loaded host, arms it again);
 *   - a periodic SIGALRM whose handler returns into the loop, and on the third tick sets the
 *     counter in the signal context to 1 (the loop must take it up: one more iteration, then
 *     the return value summarises every register).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <ucontext.h>

extern char irloop_head[], irloop_load[];
uint64_t irloop_fn(uint64_t p, uint64_t stride, uint64_t n, uint64_t seed);
__asm__(".text\n"
        ".balign 4\n"
        ".globl irloop_fn\n"
        "irloop_fn:\n"
        "    addi sp, sp, -112\n"
        "    sd s1, 0(sp)\n"
        "    sd s2, 8(sp)\n"
        "    sd s3, 16(sp)\n"
        "    sd s4, 24(sp)\n"
        "    sd s5, 32(sp)\n"
        "    sd s6, 40(sp)\n"
        "    sd s7, 48(sp)\n"
        "    sd s8, 56(sp)\n"
        "    sd s9, 64(sp)\n"
        "    sd s10, 72(sp)\n"
        "    sd s11, 80(sp)\n"
        "    addi t0, a3, 11\n"
        "    xori t1, a3, 22\n"
        "    slli t2, a3, 3\n"
        "    addi t3, a3, -7\n"
        "    srli t4, a3, 5\n"
        "    add t5, a3, a3\n"
        "    li t6, 0\n"
        "    addi s1, a3, 100\n"
        "    addi s2, a3, 200\n"
        "    addi s3, a3, 300\n"
        "    addi s4, a3, 400\n"
        "    addi s5, a3, 500\n"
        "    addi s6, a3, 600\n"
        "    addi s7, a3, 700\n"
        "    addi s8, a3, 800\n"
        "    addi s9, a3, 900\n"
        "    addi s10, a3, 1000\n"
        "    li s11, 0\n"
        "    li a6, 0\n"
        "    li a7, 0\n"
        "irloop_head:\n"
        "    add s1, s1, t0\n"
        "    addi s2, s2, 2\n"
        "    xor s3, s3, t1\n"
        "    addi s4, s4, 4\n"
        "    sub s5, s5, t2\n"
        "    slli s6, s6, 1\n"
        "    add s6, s6, t3\n"
        "    srli s7, s7, 1\n"
        "    xor s7, s7, s6\n"
        "    addi s8, s8, -8\n"
        "    or s9, s9, t4\n"
        "    mv t6, t0\n"
        "    mv t0, t1\n"
        "    mv t1, t2\n"
        "    mv t2, t3\n"
        "    mv t3, t4\n"
        "    mv t4, t5\n"
        "    mv t5, t6\n"
        "irloop_load:\n"
        "    ld a7, 0(a0)\n"
        "    add s11, s11, a7\n"
        "    add a6, a6, t0\n"
        "    addw s10, s10, s1\n"
        "    add a0, a0, a1\n"
        "    addi a2, a2, -1\n"
        "    bnez a2, irloop_head\n"
        "    add a0, s1, s2\n"
        "    xor a0, a0, s3\n"
        "    add a0, a0, s4\n"
        "    xor a0, a0, s5\n"
        "    add a0, a0, s6\n"
        "    xor a0, a0, s7\n"
        "    add a0, a0, s8\n"
        "    xor a0, a0, s9\n"
        "    add a0, a0, s10\n"
        "    xor a0, a0, s11\n"
        "    add a0, a0, a6\n"
        "    xor a0, a0, a7\n"
        "    add a0, a0, t0\n"
        "    xor a0, a0, t1\n"
        "    add a0, a0, t2\n"
        "    xor a0, a0, t3\n"
        "    add a0, a0, t4\n"
        "    xor a0, a0, t5\n"
        "    add a0, a0, t6\n"
        "    ld s1, 0(sp)\n"
        "    ld s2, 8(sp)\n"
        "    ld s3, 16(sp)\n"
        "    ld s4, 24(sp)\n"
        "    ld s5, 32(sp)\n"
        "    ld s6, 40(sp)\n"
        "    ld s7, 48(sp)\n"
        "    ld s8, 56(sp)\n"
        "    ld s9, 64(sp)\n"
        "    ld s10, 72(sp)\n"
        "    ld s11, 80(sp)\n"
        "    addi sp, sp, 112\n"
        "    ret\n");

/* Register numbers. */
enum {
    T0 = 5,
    T1,
    T2,
    S1 = 9,
    A0,
    A1,
    A2,
    A3,
    A6 = 16,
    A7,
    S2,
    S3,
    S4,
    S5,
    S6,
    S7,
    S8,
    S9,
    S10,
    S11,
    T3,
    T4,
    T5,
    T6
};

/* The C model of irloop_fn: its registers after the set-up. */
static void sim_init(uint64_t x[32], uint64_t p, uint64_t stride, uint64_t n, uint64_t seed) {
    memset(x, 0, 32 * sizeof(x[0]));
    x[A0] = p, x[A1] = stride, x[A2] = n, x[A3] = seed;
    x[T0] = seed + 11, x[T1] = seed ^ 22, x[T2] = seed << 3, x[T3] = seed - 7;
    x[T4] = seed >> 5, x[T5] = seed + seed, x[T6] = 0;
    static const unsigned s[] = {S1, S2, S3, S4, S5, S6, S7, S8, S9, S10};
    for (unsigned i = 0; i < 10; i++)
        x[s[i]] = seed + 100 * (i + 1);
    x[S11] = x[A6] = x[A7] = 0;
}

/* An iteration up to the load. */
static void sim_pre(uint64_t x[32]) {
    x[S1] += x[T0];
    x[S2] += 2;
    x[S3] ^= x[T1];
    x[S4] += 4;
    x[S5] -= x[T2];
    x[S6] = (x[S6] << 1) + x[T3];
    x[S7] = (x[S7] >> 1) ^ x[S6];
    x[S8] -= 8;
    x[S9] |= x[T4];
    x[T6] = x[T0];
    x[T0] = x[T1], x[T1] = x[T2], x[T2] = x[T3], x[T3] = x[T4], x[T4] = x[T5], x[T5] = x[T6];
}

/* The rest of an iteration, `v` loaded. */
static void sim_post(uint64_t x[32], uint64_t v) {
    x[A7] = v;
    x[S11] += v;
    x[A6] += x[T0];
    x[S10] = (uint64_t)(int64_t)(int32_t)(uint32_t)(x[S10] + x[S1]);
    x[A0] += x[A1];
    x[A2] -= 1;
}

/* irloop_fn's return value from its final registers. */
static uint64_t sim_result(const uint64_t x[32]) {
    static const unsigned order[] = {S2, S3, S4, S5, S6, S7, S8, S9, S10, S11,
                                     A6, A7, T0, T1, T2, T3, T4, T5, T6};
    uint64_t r = x[S1];
    for (unsigned i = 0; i < sizeof(order) / sizeof(order[0]); i++)
        r = i % 2 ? r ^ x[order[i]] : r + x[order[i]];
    return r;
}

static sigjmp_buf env;
static volatile uint64_t got[32], got_addr;
static volatile int ticks;

static void on_segv(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    ucontext_t *u = uc;
    for (unsigned r = 0; r < 32; r++)
        got[r] = u->uc_mcontext.__gregs[r]; /* [0] is the pc */
    got_addr = (uint64_t)(uintptr_t)si->si_addr;
    siglongjmp(env, 1);
}

/* A signal that arrives elsewhere (before the loop runs, on a loaded host) is not the case
 * tested: the one-shot timer is armed again. */
static void on_alrm_leave(int sig, siginfo_t *si, void *uc) {
    (void)sig, (void)si;
    ucontext_t *u = uc;
    if (u->uc_mcontext.__gregs[0] != (unsigned long)(uintptr_t)irloop_head) {
        struct itimerval again = {{0, 0}, {0, 10000}};
        setitimer(ITIMER_REAL, &again, NULL);
        return;
    }
    for (unsigned r = 0; r < 32; r++)
        got[r] = u->uc_mcontext.__gregs[r];
    siglongjmp(env, 1);
}

/* The third tick at the loop head ends the loop after one more iteration: the counter in the
 * context is 1. */
static void on_alrm_tick(int sig, siginfo_t *si, void *uc) {
    (void)sig, (void)si;
    ucontext_t *u = uc;
    if (u->uc_mcontext.__gregs[0] != (unsigned long)(uintptr_t)irloop_head) return;
    if (++ticks != 3) return;
    for (unsigned r = 0; r < 32; r++)
        got[r] = u->uc_mcontext.__gregs[r];
    u->uc_mcontext.__gregs[A2] = 1;
}

/* Compare the registers irloop_fn computes (all but ra, sp, gp, tp, s0, a4, a5) as the handler
 * saw them with the model's; prints the wrong ones. */
static unsigned compare(const char *name, const uint64_t want[32]) {
    unsigned wrong = 0;
    for (unsigned r = 5; r < 32; r++)
        if (r != 8 && r != 14 && r != 15 && got[r] != want[r]) {
            printf("%s: x%u is %#llx, expected %#llx\n", name, r, (unsigned long long)got[r],
                   (unsigned long long)want[r]);
            wrong++;
        }
    return wrong;
}

static void handle(int sig, void (*fn)(int, siginfo_t *, void *)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO;
    sigaction(sig, &sa, NULL);
}

int main(void) {
    uint64_t (*volatile fn)(uint64_t, uint64_t, uint64_t, uint64_t) = irloop_fn;
    static uint64_t cells[512];
    for (unsigned i = 0; i < 512; i++)
        cells[i] = i * 0x9e3779b97f4a7c15ull + 3;
    /* warm-up: the loop translated and run many times, results checked */
    unsigned bad = 0;
    for (uint64_t i = 0; i < 300; i++) {
        uint64_t seed = i * 0x2545f4914f6cdd1dull, n = 1 + i % 200, x[32];
        sim_init(x, (uint64_t)(uintptr_t)cells, 8, n, seed);
        for (uint64_t k = 0; k < n; k++) {
            sim_pre(x);
            sim_post(x, cells[k]);
        }
        if (fn((uint64_t)(uintptr_t)cells, 8, n, seed) != sim_result(x)) bad++;
    }
    printf("warm-up: %u wrong results\n", bad);

    /* faults at the load of iteration K */
    handle(SIGSEGV, on_segv);
    char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(page + 4096, 4096);
    uint64_t *end = (uint64_t *)(page + 4096);
    for (unsigned i = 0; i < 512; i++)
        end[-512 + (int)i] = cells[i];
    static const unsigned ks[] = {0, 1, 2, 7, 300};
    const unsigned ncase = sizeof(ks) / sizeof(ks[0]);
    for (unsigned c = 0; c <= ncase; c++) {
        /* the last case: iteration 0 reads cells[0], iteration 1 reads 2^47, outside the
         * address space (the slow path's fault) */
        bool slow = c == ncase;
        unsigned K = slow ? 1 : ks[c];
        uint64_t seed = 0x0123456789abcdefull * (c + 1);
        uint64_t p = (uint64_t)(uintptr_t)(end - K), stride = 8;
        if (slow) p = (uint64_t)(uintptr_t)cells, stride = (1ull << 47) - p;
        char name[64];
        snprintf(name, sizeof(name), "%s fault at iteration %u", slow ? "slow-path" : "host", K);
        uint64_t x[32];
        sim_init(x, p, stride, K + 50, seed);
        for (unsigned k = 0; k < K; k++) {
            sim_pre(x);
            sim_post(x, *(const uint64_t *)(uintptr_t)x[A0]);
        }
        sim_pre(x);
        if (sigsetjmp(env, 1) == 0) {
            fn(p, stride, K + 50, seed);
            printf("%s: no fault\n", name);
            continue;
        }
        unsigned wrong = compare(name, x);
        printf("%s: pc at irloop_load %s, registers %s, si_addr %s\n", name,
               got[0] == (uint64_t)(uintptr_t)irloop_load ? "yes" : "NO", wrong ? "WRONG" : "ok",
               got_addr == x[A0] || slow ? "ok" : "WRONG");
    }

    /* a one-shot SIGALRM while the loop runs (stride 0: the same zero cell every time) */
    static uint64_t zero;
    const uint64_t forever = 1ull << 62;
    handle(SIGALRM, on_alrm_leave);
    if (sigsetjmp(env, 1) == 0) {
        struct itimerval once = {{0, 0}, {0, 30000}};
        setitimer(ITIMER_REAL, &once, NULL);
        fn((uint64_t)(uintptr_t)&zero, 0, forever, 77);
        printf("alarm: the loop ended\n");
    } else {
        uint64_t k = forever - got[A2], x[32];
        sim_init(x, (uint64_t)(uintptr_t)&zero, 0, forever, 77);
        for (uint64_t i = 0; i < k; i++) {
            sim_pre(x);
            sim_post(x, 0);
        }
        unsigned wrong = compare("alarm", x);
        printf("alarm: pc at irloop_head %s, iterations run %s, registers %s\n",
               got[0] == (uint64_t)(uintptr_t)irloop_head ? "yes" : "NO", k > 0 ? "yes" : "none",
               wrong ? "WRONG" : "ok");
    }

    /* a periodic SIGALRM returning into the loop; the third tick ends it */
    handle(SIGALRM, on_alrm_tick);
    struct itimerval per = {{0, 10000}, {0, 10000}};
    setitimer(ITIMER_REAL, &per, NULL);
    uint64_t r = fn((uint64_t)(uintptr_t)&zero, 0, forever, 99);
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    uint64_t k = forever - got[A2] + 1, x[32];
    sim_init(x, (uint64_t)(uintptr_t)&zero, 0, forever, 99);
    for (uint64_t i = 0; i < k; i++) {
        sim_pre(x);
        sim_post(x, 0);
    }
    printf("ticks: pc at irloop_head %s, result %s\n",
           got[0] == (uint64_t)(uintptr_t)irloop_head ? "yes" : "NO",
           r == sim_result(x) ? "ok" : "WRONG");
    return 0;
}
