/* irstate.c - precise state when a fault arrives in the middle of a superblock that keeps
 * many guest values in host registers (the JIT's IR: register allocation, spills, pinned
 * registers written in place). irstate_fn computes 24 values from its seed into t0-t6,
 * s1-s11, a2-a7 (more than the host registers a translator can keep them in), then loads
 * through its pointer argument. After warm-up calls with a good pointer, bad pointers (an
 * unmapped page inside the address space, whose access faults on the host, and addresses
 * outside it, which take the slow path) must give SIGSEGV at irstate_load with every one of
 * those registers, a0 and a1 exactly as the program computed them (checked against the same
 * arithmetic in C) and si_addr = the address. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

extern char irstate_load[];
uint64_t irstate_fn(uint64_t p, uint64_t seed);
__asm__(".text\n"
        ".balign 4\n"
        ".globl irstate_fn\n"
        "irstate_fn:\n"
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
        "    addi t0, a1, 1\n"
        "    slli t1, t0, 3\n"
        "    xor t2, t1, a1\n"
        "    addw t3, t2, t0\n"
        "    sub t4, t3, t1\n"
        "    or t5, t4, t2\n"
        "    and t6, t5, t3\n"
        "    add s1, t6, t0\n"
        "    sraiw s2, s1, 3\n"
        "    mul s3, s2, t1\n"
        "    srli s4, s3, 7\n"
        "    sltu s5, s4, s3\n"
        "    add s6, s5, t5\n"
        "    xori s7, s6, 1234\n"
        "    subw s8, s7, t4\n"
        "    slli s9, s8, 13\n"
        "    add s10, s9, s7\n"
        "    sext.w s11, s10\n"
        "    add a6, s11, t6\n"
        "    xor a7, a6, s9\n"
        "    add a2, a7, a1\n"
        "    addi a3, a2, 5\n"
        "    add a4, a3, t0\n"
        "    add a5, a4, t1\n"
        "irstate_load:\n"
        "    ld a1, 8(a0)\n"
        "    add a0, a1, a5\n"
        "    add a0, a0, s11\n"
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

static sigjmp_buf env;
static volatile uint64_t got[32], got_addr;

static void handler(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    ucontext_t *u = uc;
    for (unsigned r = 0; r < 32; r++)
        got[r] = u->uc_mcontext.__gregs[r]; /* [0] is the pc */
    got_addr = (uint64_t)(uintptr_t)si->si_addr;
    siglongjmp(env, 1);
}

/* The registers irstate_fn leaves at irstate_load, by number (0: none). */
static void expect(uint64_t p, uint64_t seed, uint64_t x[32]) {
    memset(x, 0, 32 * sizeof(x[0]));
    uint64_t t0 = seed + 1, t1 = t0 << 3, t2 = t1 ^ seed;
    uint64_t t3 = (uint64_t)(int64_t)(int32_t)(uint32_t)(t2 + t0);
    uint64_t t4 = t3 - t1, t5 = t4 | t2, t6 = t5 & t3, s1 = t6 + t0;
    uint64_t s2 = (uint64_t)(int64_t)((int32_t)(uint32_t)s1 >> 3);
    uint64_t s3 = s2 * t1, s4 = s3 >> 7, s5 = s4 < s3, s6 = s5 + t5, s7 = s6 ^ 1234;
    uint64_t s8 = (uint64_t)(int64_t)(int32_t)(uint32_t)(s7 - t4);
    uint64_t s9 = s8 << 13, s10 = s9 + s7, s11 = (uint64_t)(int64_t)(int32_t)(uint32_t)s10;
    uint64_t a6 = s11 + t6, a7 = a6 ^ s9, a2 = a7 + seed, a3 = a2 + 5, a4 = a3 + t0, a5 = a4 + t1;
    uint64_t v[][2] = {{5, t0},  {6, t1},  {7, t2},   {28, t3},  {29, t4},  {30, t5}, {31, t6},
                       {9, s1},  {18, s2}, {19, s3},  {20, s4},  {21, s5},  {22, s6}, {23, s7},
                       {24, s8}, {25, s9}, {26, s10}, {27, s11}, {16, a6},  {17, a7}, {12, a2},
                       {13, a3}, {14, a4}, {15, a5},  {10, p},   {11, seed}};
    for (unsigned k = 0; k < sizeof(v) / sizeof(v[0]); k++)
        x[v[k][0]] = v[k][1];
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    uint64_t (*volatile fn)(uint64_t, uint64_t) = irstate_fn;
    static uint64_t cell[2] = {0, 42};
    uint64_t sum = 0;
    for (uint64_t i = 0; i < 1000; i++)
        sum += fn((uint64_t)(uintptr_t)cell, i * 0x9e3779b97f4a7c15ull);
    printf("warm-up sum %llu\n", (unsigned long long)sum);
    char *gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(gone, 4096);
    const uint64_t bad[] = {(uint64_t)(uintptr_t)gone, 0x1000, 1ull << 47, 0xfffffffffffff000ull};
    const char *name[] = {"unmapped page", "page 1", "2^47", "top page"};
    for (unsigned k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        uint64_t seed = 0x123456789abcdefull * (k + 1);
        if (sigsetjmp(env, 1) == 0) {
            fn(bad[k], seed);
            printf("%s: no fault\n", name[k]);
            continue;
        }
        uint64_t want[32];
        expect(bad[k], seed, want);
        unsigned wrong = 0;
        for (unsigned r = 5; r < 32; r++)
            if (r != 8 && got[r] != want[r]) {
                printf("%s: x%u is %#llx, expected %#llx\n", name[k], r, (unsigned long long)got[r],
                       (unsigned long long)want[r]);
                wrong++;
            }
        printf("%s: pc at irstate_load %s, registers %s, si_addr %s\n", name[k],
               got[0] == (uint64_t)(uintptr_t)irstate_load ? "yes" : "NO", wrong ? "WRONG" : "ok",
               got_addr == bad[k] + 8 || bad[k] >= (1ull << 47) ? "ok" : "WRONG");
    }
    return 0;
}
