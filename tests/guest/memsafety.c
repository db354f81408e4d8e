/* memsafety.c - adversarial memory accesses that must become a guest SIGSEGV (or SIGBUS) and
 * never reach memory outside the guest: every load, store, floating-point load/store and AMO
 * instruction (inline assembly, so the compiler cannot drop or merge them) at the lowest
 * addresses, far above the user address space, at non-canonical and wrapping addresses
 * (base + offset past 2^64), straddling a mapped page and a PROT_NONE or unmapped one, and
 * stores to read-only data, mprotect'ed pages and code. A SA_SIGINFO handler records the
 * signal, si_code and si_addr and siglongjmps back; one line per case.
 * The addresses are free in every layout (Linux's Sv39 user space ends at 2^38, where its
 * stack is; qemu-riscv64 maps its stack and the dynamic loader just above 2^38).
 * qemu-riscv64 differs from Linux in one way, kept in expected/memsafety.qemu.out: from 2^47
 * up it reports si_addr 0 (the x86-64 host faults on a non-canonical address without giving
 * one), where Linux reports the address the instruction accessed. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static sigjmp_buf jb;
static volatile int got_sig, got_code;
static volatile uintptr_t got_addr;
static volatile uint64_t sink;

static void on_fault(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    got_sig = sig;
    got_code = si->si_code;
    got_addr = (uintptr_t)si->si_addr;
    siglongjmp(jb, 1);
}

typedef void (*access_t)(uintptr_t base);

/* one function per instruction; each accesses 0(base) */
#define LOAD(name, insn)                                                                           \
    static void name(uintptr_t a) {                                                                \
        uint64_t v;                                                                                \
        __asm__ volatile(insn " %0, 0(%1)" : "=r"(v) : "r"(a) : "memory");                         \
        sink = v;                                                                                  \
    }
#define FLOAD(name, insn)                                                                          \
    static void name(uintptr_t a) {                                                                \
        double v;                                                                                  \
        __asm__ volatile(insn " %0, 0(%1)" : "=f"(v) : "r"(a) : "memory");                         \
        sink = (uint64_t)v;                                                                        \
    }
#define STORE(name, insn)                                                                          \
    static void name(uintptr_t a) {                                                                \
        __asm__ volatile(insn " %0, 0(%1)" : : "r"(0x5a5a5a5a5a5a5a5aULL), "r"(a) : "memory");     \
    }
#define FSTORE(name, insn)                                                                         \
    static void name(uintptr_t a) {                                                                \
        double v = 1.5;                                                                            \
        __asm__ volatile(insn " %0, 0(%1)" : : "f"(v), "r"(a) : "memory");                         \
    }
#define AMO(name, insn)                                                                            \
    static void name(uintptr_t a) {                                                                \
        uint64_t v;                                                                                \
        __asm__ volatile(insn " %0, %2, (%1)" : "=&r"(v) : "r"(a), "r"(1ULL) : "memory");          \
        sink = v;                                                                                  \
    }
#define LR(name, insn)                                                                             \
    static void name(uintptr_t a) {                                                                \
        uint64_t v;                                                                                \
        __asm__ volatile(insn " %0, (%1)" : "=r"(v) : "r"(a) : "memory");                          \
        sink = v;                                                                                  \
    }
/* lr then sc to the same address: the reservation holds, so the sc must really store */
#define LRSC(name, lr, sc)                                                                         \
    static void name(uintptr_t a) {                                                                \
        uint64_t v, fail;                                                                          \
        __asm__ volatile(lr " %0, (%2)\n\t" sc " %1, %0, (%2)"                                     \
                         : "=&r"(v), "=&r"(fail)                                                   \
                         : "r"(a)                                                                  \
                         : "memory");                                                              \
        sink = v + fail;                                                                           \
    }

LOAD(do_lb, "lb")
LOAD(do_lh, "lh")
LOAD(do_lw, "lw")
LOAD(do_ld, "ld")
LOAD(do_lbu, "lbu")
LOAD(do_lhu, "lhu")
LOAD(do_lwu, "lwu")
FLOAD(do_flw, "flw")
FLOAD(do_fld, "fld")
STORE(do_sb, "sb")
STORE(do_sh, "sh")
STORE(do_sw, "sw")
STORE(do_sd, "sd")
FSTORE(do_fsw, "fsw")
FSTORE(do_fsd, "fsd")
AMO(do_amoadd_w, "amoadd.w")
AMO(do_amoadd_d, "amoadd.d")
AMO(do_amoswap_d, "amoswap.d")
AMO(do_amomaxu_w, "amomaxu.w")
LR(do_lr_w, "lr.w")
LR(do_lr_d, "lr.d")
LRSC(do_lrsc_w, "lr.w", "sc.w")
LRSC(do_lrsc_d, "lr.d", "sc.d")

typedef struct {
    const char *name;
    access_t fn;
    int width;
    int store; /* 1: writes memory (store, AMO, sc) */
} insn_t;

static const insn_t loads[] = {
    {"lb", do_lb, 1, 0},   {"lh", do_lh, 2, 0},     {"lw", do_lw, 4, 0},     {"ld", do_ld, 8, 0},
    {"lbu", do_lbu, 1, 0}, {"lhu", do_lhu, 2, 0},   {"lwu", do_lwu, 4, 0},   {"flw", do_flw, 4, 0},
    {"fld", do_fld, 8, 0}, {"lr.w", do_lr_w, 4, 0}, {"lr.d", do_lr_d, 8, 0},
};
static const insn_t stores[] = {
    {"sb", do_sb, 1, 1},
    {"sh", do_sh, 2, 1},
    {"sw", do_sw, 4, 1},
    {"sd", do_sd, 8, 1},
    {"fsw", do_fsw, 4, 1},
    {"fsd", do_fsd, 8, 1},
    {"amoadd.w", do_amoadd_w, 4, 1},
    {"amoadd.d", do_amoadd_d, 8, 1},
    {"amoswap.d", do_amoswap_d, 8, 1},
    {"amomaxu.w", do_amomaxu_w, 4, 1},
};
static const insn_t lrsc[] = {{"lr/sc.w", do_lrsc_w, 4, 1}, {"lr/sc.d", do_lrsc_d, 8, 1}};
#define N(a) (sizeof(a) / sizeof(a[0]))

static const char *code_name(int sig, int code) {
    if (sig == SIGSEGV && code == SEGV_MAPERR) return "SEGV_MAPERR";
    if (sig == SIGSEGV && code == SEGV_ACCERR) return "SEGV_ACCERR";
    if (sig == SIGBUS && code == BUS_ADRALN) return "BUS_ADRALN";
    if (sig == SIGBUS && code == BUS_ADRERR) return "BUS_ADRERR";
    static char buf[32];
    snprintf(buf, sizeof(buf), "code %d", code);
    return buf;
}

static int cases, faults;

/* Run one access at `addr` (given as `what`); `expect` is the exact si_addr wanted, or 0 to
 * only require that si_addr lies inside the accessed bytes. */
static void run(const insn_t *in, uintptr_t base, const char *what, uintptr_t addr) {
    cases++;
    got_sig = 0;
    if (sigsetjmp(jb, 1) == 0) {
        in->fn(base);
        printf("%-9s %-26s no fault\n", in->name, what);
        return;
    }
    faults++;
    char where[64];
    if (got_addr == addr)
        snprintf(where, sizeof(where), "si_addr exact");
    else if (got_addr > addr && got_addr < addr + (uintptr_t)in->width)
        snprintf(where, sizeof(where), "si_addr inside the access");
    else
        snprintf(where, sizeof(where), "si_addr %#lx", (unsigned long)got_addr);
    printf("%-9s %-26s %s %s %s\n", in->name, what, got_sig == SIGSEGV ? "SIGSEGV" : "SIGBUS",
           code_name(got_sig, got_code), where);
}

/* A function that is not inlined or run from here: its code is the target of stores. */
__attribute__((noinline)) int code_target(int x) {
    return x * 3 + 1;
}

static const uint64_t rodata_words[4] = {0x1111111111111111ULL, 2, 3, 4};

/* the addresses outside every mapping, as (value, description) */
static const struct {
    uintptr_t a;
    const char *what;
} wild[] = {
    {0, "0"},
    {8, "8"},
    {4088, "4088"},
    {(1ULL << 39) + 64, "2^39+64"},
    {1ULL << 47, "2^47"},
    {(1ULL << 47) - 4096, "2^47-4096"},
    {(1ULL << 56) + 8, "2^56+8"},
    {1ULL << 63, "2^63"},
    {0xfffffffffffff000ULL, "-4096"},
    {0xfffffffffffffff8ULL, "-8"},
};

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    long pg = sysconf(_SC_PAGESIZE);

    printf("-- wild addresses\n");
    for (size_t w = 0; w < N(wild); w++) {
        for (size_t i = 0; i < N(loads); i++)
            run(&loads[i], wild[w].a, wild[w].what, wild[w].a);
        for (size_t i = 0; i < N(stores); i++)
            run(&stores[i], wild[w].a, wild[w].what, wild[w].a);
    }

    printf("-- wrapping base + offset\n");
    {
        /* effective address = base + imm, modulo 2^64 */
        uintptr_t v;
        const uintptr_t m8 = (uintptr_t)-8;
        struct {
            const char *what;
            uintptr_t addr;
        } w[3] = {{"-8 + 16", 8}, {"-4 + 2044", 2040}, {"8 + -16", (uintptr_t)-8}};
        for (int k = 0; k < 3; k++) {
            cases++;
            if (sigsetjmp(jb, 1) == 0) {
                if (k == 0)
                    __asm__ volatile("ld %0, 16(%1)" : "=r"(v) : "r"(m8) : "memory");
                else if (k == 1)
                    __asm__ volatile("sw zero, 2044(%0)" : : "r"((uintptr_t)-4) : "memory");
                else
                    __asm__ volatile("ld %0, -16(%1)" : "=r"(v) : "r"((uintptr_t)8) : "memory");
                printf("wrap %-20s no fault\n", w[k].what);
                continue;
            }
            faults++;
            printf("wrap %-20s %s %s %s\n", w[k].what, got_sig == SIGSEGV ? "SIGSEGV" : "SIGBUS",
                   code_name(got_sig, got_code),
                   got_addr == w[k].addr ? "si_addr exact" : "si_addr wrong");
        }
    }

    /* three pages: [0] read-write, [1] PROT_NONE, [2] unmapped */
    uint8_t *p =
        mmap(NULL, 3 * (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return 1;
    mprotect(p + pg, (size_t)pg, PROT_NONE);
    munmap(p + 2 * pg, (size_t)pg);
    uintptr_t guard = (uintptr_t)(p + pg), gone = (uintptr_t)(p + 2 * pg);

    printf("-- PROT_NONE page\n");
    for (size_t i = 0; i < N(loads); i++)
        run(&loads[i], guard + 64, "guard+64", guard + 64);
    for (size_t i = 0; i < N(stores); i++)
        run(&stores[i], guard + 64, "guard+64", guard + 64);
    printf("-- unmapped page\n");
    for (size_t i = 0; i < N(loads); i++)
        run(&loads[i], gone + 128, "gone+128", gone + 128);
    for (size_t i = 0; i < N(stores); i++)
        run(&stores[i], gone + 128, "gone+128", gone + 128);

    printf("-- straddling a mapped page and a PROT_NONE one\n");
    /* plain loads and stores only: a misaligned AMO or LR/SC is an alignment fault first */
    static const char *sname[] = {"lh",  "lw", "ld", "lhu", "lwu", "flw",
                                  "fld", "sh", "sw", "sd",  "fsw", "fsd"};
    memset(p, 0x11, (size_t)pg);
    for (size_t s = 0; s < N(sname); s++) {
        const insn_t *in = NULL;
        for (size_t i = 0; i < N(loads); i++)
            if (!strcmp(loads[i].name, sname[s])) in = &loads[i];
        for (size_t i = 0; i < N(stores); i++)
            if (!strcmp(stores[i].name, sname[s])) in = &stores[i];
        for (int back = 1; back < in->width; back++) {
            char what[32];
            snprintf(what, sizeof(what), "guard-%d", back);
            run(in, guard - (uintptr_t)back, what, guard - (uintptr_t)back);
        }
    }
    /* the guard page itself was never written: make it readable and look */
    mprotect(p + pg, (size_t)pg, PROT_READ);
    int dirty = 0;
    for (long i = 0; i < pg; i++)
        dirty |= p[pg + i];
    printf("guard page after the straddling stores: %s\n", dirty ? "WRITTEN" : "all zero");
    mprotect(p + pg, (size_t)pg, PROT_NONE);

    printf("-- straddling a mapped page and an unmapped one\n");
    {
        /* page [2] is unmapped; make [1] read-write to straddle [1]/[2] */
        mprotect(p + pg, (size_t)pg, PROT_READ | PROT_WRITE);
        const insn_t *ld = &loads[3], *sd = &stores[3], *lw = &loads[2];
        run(ld, gone - 4, "gone-4", gone - 4);
        run(sd, gone - 4, "gone-4", gone - 4);
        run(lw, gone - 2, "gone-2", gone - 2);
        run(sd, gone - 1, "gone-1", gone - 1);
    }

    printf("-- misaligned atomics on a mapped page\n");
    for (size_t i = 6; i < N(stores); i++)
        run(&stores[i], (uintptr_t)p + 2, "page+2", (uintptr_t)p + 2);
    run(&loads[9], (uintptr_t)p + 2, "page+2", (uintptr_t)p + 2);
    run(&loads[10], (uintptr_t)p + 4, "page+4", (uintptr_t)p + 4);

    printf("-- read-only memory\n");
    uint64_t *ro =
        mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ro[1] = 0x2222222222222222ULL;
    mprotect(ro, (size_t)pg, PROT_READ);
    for (size_t i = 0; i < N(stores); i++)
        run(&stores[i], (uintptr_t)&ro[1], "mprotect PROT_READ", (uintptr_t)&ro[1]);
    for (size_t i = 0; i < N(lrsc); i++)
        run(&lrsc[i], (uintptr_t)&ro[1], "mprotect PROT_READ", (uintptr_t)&ro[1]);
    for (size_t i = 0; i < N(stores); i++)
        run(&stores[i], (uintptr_t)&rodata_words[0], ".rodata", (uintptr_t)&rodata_words[0]);
    for (size_t i = 0; i < N(lrsc); i++)
        run(&lrsc[i], (uintptr_t)&rodata_words[0], ".rodata", (uintptr_t)&rodata_words[0]);
    uintptr_t code = (uintptr_t)&code_target & ~(uintptr_t)7;
    run(&stores[3], code, ".text", code);
    run(&stores[7], code, ".text", code);
    /* loads from the same read-only memory work, and nothing was changed */
    do_ld((uintptr_t)&ro[1]);
    uint64_t v1 = sink;
    do_ld((uintptr_t)&rodata_words[0]);
    uint64_t v2 = sink;
    printf("read-only contents unchanged: %s, code still runs: %d\n",
           v1 == 0x2222222222222222ULL && v2 == 0x1111111111111111ULL ? "yes" : "NO",
           code_target((int)sink & 1 ? 7 : 5));

    printf("cases %d, faults %d\n", cases, faults);
    return 0;
}
