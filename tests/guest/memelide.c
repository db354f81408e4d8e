/* memelide.c - accesses whose checks translated code leaves out, made where they matter.
 *
 * The JIT's IR checks a run of loads and stores through one pointer once: a load or store a
 * few bytes from an access already checked through the same base value takes no window check
 * (it lands in the window or in a guard where its host fault is the guest's precise fault),
 * and the first of several stores through one base checks the window and the code-page flags
 * at the first and last byte of all of them, the others nothing. Each function below is run
 * hot first (so that every JIT engine has translated it through the IR), then so that its
 * second access is the one that goes wrong:
 *   - two loads, the second on the next page, which is PROT_NONE: SIGSEGV at its address,
 *     the pc at the second load, the first load's register written;
 *   - two loads backwards (0, then -8), the second on the page before, PROT_NONE: the same;
 *   - two stores, the second on a PROT_NONE page: SIGSEGV there, the first store made;
 *   - two loads at the top of the address space (Linux's stack ends at 2^38), the second
 *     just past it: SIGSEGV at 2^38 (qemu-riscv64 has its stack above 2^38: skipped there);
 *   - a load 2 MiB - 8 past a base a page below the top (the constant folded into its
 *     displacement): the base is in the window, the address past the top and past the guard
 *     above it, so the load must check its address, not its base: SIGSEGV there;
 *   - two stores, the first on a data page, the second over the first instructions of code
 *     on the next page that ran before (no fence.i: vm sees stores into code without it):
 *     the code then runs as written.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

/* a2 = *(p + 0); a3 = *(p + 8) (second access at two_loads_2nd); returns a2 + a3 */
extern long two_loads(const void *p);
extern char two_loads_2nd[];
/* a2 = *(p + 0); a3 = *(p - 8) */
extern long two_loads_back(const void *p);
extern char two_loads_back_2nd[];
/* *(p + 0) = v; *(p + 8) = v */
extern void two_stores(void *p, long v);
extern char two_stores_2nd[];
/* returns *(p + 2 MiB - 8), the load at far_load_insn */
extern long far_load(const void *p);
extern char far_load_insn[];
__asm__(".text\n"
        ".globl two_loads\n"
        "two_loads:\n"
        "    ld a2, 0(a0)\n"
        ".globl two_loads_2nd\n"
        "two_loads_2nd:\n"
        "    ld a3, 8(a0)\n"
        "    add a0, a2, a3\n"
        "    ret\n"
        ".globl two_loads_back\n"
        "two_loads_back:\n"
        "    ld a2, 0(a0)\n"
        ".globl two_loads_back_2nd\n"
        "two_loads_back_2nd:\n"
        "    ld a3, -8(a0)\n"
        "    add a0, a2, a3\n"
        "    ret\n"
        ".globl two_stores\n"
        "two_stores:\n"
        "    sd a1, 0(a0)\n"
        ".globl two_stores_2nd\n"
        "two_stores_2nd:\n"
        "    sd a1, 8(a0)\n"
        "    ret\n"
        ".globl far_load\n"
        "far_load:\n"
        "    lui t0, 0x200\n"
        "    add t1, a0, t0\n"
        ".globl far_load_insn\n"
        "far_load_insn:\n"
        "    ld a0, -8(t1)\n"
        "    ret\n");

static sigjmp_buf jb;
static volatile uintptr_t got_addr, got_pc;
static volatile long got_a2;

static void on_fault(int sig, siginfo_t *si, void *ucv) {
    (void)sig;
    ucontext_t *uc = ucv;
    got_addr = (uintptr_t)si->si_addr;
    got_pc = (uintptr_t)uc->uc_mcontext.__gregs[REG_PC];
    got_a2 = (long)uc->uc_mcontext.__gregs[12]; /* a2 = x12 */
    siglongjmp(jb, 1);
}

#define HOT 3000

/* Report a fault case: where the fault was, against where it had to be (a2: the first
 * load's value, which its register must hold at the fault; LONG_MIN: not checked). */
static void report(const char *name, int faulted, uintptr_t addr, const void *pc, long a2) {
    if (!faulted) {
        printf("%s: no fault\n", name);
        return;
    }
    printf("%s: SIGSEGV%s%s%s\n", name, got_addr == addr ? "" : " at a wrong address",
           got_pc == (uintptr_t)pc ? "" : " at a wrong pc",
           a2 == LONG_MIN || got_a2 == a2 ? "" : " with a2 not written");
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    long pg = sysconf(_SC_PAGESIZE);
    uint8_t *m = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return 1;
    for (long i = 0; i < 3 * pg; i += 8)
        *(long *)(m + i) = i + 1;
    long sum = 0;

    /* loads forwards: hot on page 1, then the second one on page 2 (PROT_NONE) */
    for (int k = 0; k < HOT; k++)
        sum += two_loads(m + pg + 8 * (k % 64));
    mprotect(m + 2 * pg, pg, PROT_NONE);
    uint8_t *p = m + 2 * pg - 8;
    volatile int f = 0;
    if (sigsetjmp(jb, 1))
        f = 1;
    else
        two_loads(p);
    report("loads forwards", f, (uintptr_t)(p + 8), two_loads_2nd, *(long *)p);

    /* loads backwards: the second one on page 0 (PROT_NONE) */
    for (int k = 0; k < HOT; k++)
        sum += two_loads_back(m + pg + 8 + 8 * (k % 64));
    mprotect(m, pg, PROT_NONE);
    p = m + pg;
    f = 0;
    if (sigsetjmp(jb, 1))
        f = 1;
    else
        two_loads_back(p);
    report("loads backwards", f, (uintptr_t)(p - 8), two_loads_back_2nd, *(long *)p);

    /* stores: the second one on page 2 (PROT_NONE); the first one is made */
    for (int k = 0; k < HOT; k++)
        two_stores(m + pg + 8 * (k % 64), k);
    p = m + 2 * pg - 8;
    *(long *)p = 0;
    f = 0;
    if (sigsetjmp(jb, 1))
        f = 1;
    else
        two_stores(p, 77);
    report("stores", f, (uintptr_t)(p + 8), two_stores_2nd, LONG_MIN);
    printf("stores: first store %s\n", *(long *)p == 77 ? "made" : "missing");

    /* the top of the address space: the stack ends at 2^38 under Linux and vm */
    int local;
    uintptr_t top = (uintptr_t)1 << 38;
    if ((uintptr_t)&local < top && (uintptr_t)&local > top - (64u << 20)) {
        long on_stack = 0;
        for (int k = 0; k < HOT; k++)
            on_stack += two_loads((const void *)((uintptr_t)&local & ~(uintptr_t)7));
        p = (uint8_t *)(top - 8);
        f = 0;
        if (sigsetjmp(jb, 1))
            f = 1;
        else
            two_loads(p);
        report("top", f, top, two_loads_2nd, *(long *)p);
        /* far: hot on a 3 MiB mapping, then from a base a page below the top */
        uint8_t *big = mmap(NULL, 3u << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (big == MAP_FAILED) return 1;
        for (int k = 0; k < HOT; k++)
            on_stack += far_load(big + 8 * (k % 64));
        (void)on_stack;
        p = (uint8_t *)(top - 4096);
        f = 0;
        if (sigsetjmp(jb, 1))
            f = 1;
        else
            far_load(p);
        report("far", f, (uintptr_t)p + (2u << 20) - 8, far_load_insn, LONG_MIN);
    } else {
        printf("top: skipped (the stack does not end at 2^38)\n");
    }

    /* stores into code: page 1 data, page 2 code that returns 1, then written to return 2 */
    uint8_t *c =
        mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (c == MAP_FAILED) return 1;
    const uint32_t ret1[2] = {0x00100513u, 0x00008067u}; /* li a0, 1; ret */
    const uint32_t ret2[2] = {0x00200513u, 0x00008067u}; /* li a0, 2; ret */
    memcpy(c + pg, ret1, sizeof(ret1));
    __builtin___clear_cache((char *)c + pg, (char *)c + pg + 8);
    long (*code)(void) = (long (*)(void))(c + pg);
    long before = 0;
    for (int k = 0; k < HOT; k++) {
        before += code();
        two_stores(c + 8 * (k % 64), k); /* hot, on the data page */
    }
    long v;
    memcpy(&v, ret2, sizeof(v));
    two_stores(c + pg - 8, v); /* the second store writes the code */
    printf("code before: %ld, after the stores: %ld\n", before / HOT, code());
    printf("sum %ld\n", sum);
    return 0;
}
