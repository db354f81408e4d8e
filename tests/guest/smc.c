/* smc.c - self-modifying and run-time generated code. Machine code is written into mmap'd
 * buffers, made visible to instruction fetch (__builtin___clear_cache, fence.i or the
 * riscv_flush_icache system call), run, patched and run again: an emulator that caches
 * decoded or translated code must notice every change. Cases: patch and rerun with each
 * flush method, RWX and RW->RX buffers; a hot loop calling a generated function, patched
 * between rounds; a function across a page boundary patched in its second page; code that
 * patches a later instruction of its own straight-line block (fence.i in between) and a loop
 * that rewrites its own body on every iteration; a small compiler of random arithmetic
 * expressions whose code is checked against the same expressions evaluated in C. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_riscv_flush_icache
#define __NR_riscv_flush_icache 259
#endif

typedef uint64_t (*fn2_t)(uint64_t, uint64_t);

enum { ZERO = 0, RA = 1, T0 = 5, T1 = 6, T2 = 7, A0 = 10, A1 = 11, A2 = 12, T3 = 28 };

/* instruction encoders (RV64I/M base formats) */
static uint32_t r_type(uint32_t f7, int rs2, int rs1, uint32_t f3, int rd, uint32_t op) {
    return f7 << 25 | (uint32_t)rs2 << 20 | (uint32_t)rs1 << 15 | f3 << 12 | (uint32_t)rd << 7 | op;
}
static uint32_t i_type(int32_t imm, int rs1, uint32_t f3, int rd, uint32_t op) {
    return ((uint32_t)imm & 0xfff) << 20 | (uint32_t)rs1 << 15 | f3 << 12 | (uint32_t)rd << 7 | op;
}
static uint32_t s_type(int32_t imm, int rs2, int rs1, uint32_t f3) {
    uint32_t u = (uint32_t)imm & 0xfff;
    return (u >> 5) << 25 | (uint32_t)rs2 << 20 | (uint32_t)rs1 << 15 | f3 << 12 | (u & 31) << 7 |
           0x23;
}
static uint32_t b_type(int32_t off, int rs2, int rs1, uint32_t f3) {
    uint32_t u = (uint32_t)off;
    return ((u >> 12) & 1) << 31 | ((u >> 5) & 0x3f) << 25 | (uint32_t)rs2 << 20 |
           (uint32_t)rs1 << 15 | f3 << 12 | ((u >> 1) & 0xf) << 8 | ((u >> 11) & 1) << 7 | 0x63;
}
static uint32_t addi(int rd, int rs1, int32_t imm) {
    return i_type(imm, rs1, 0, rd, 0x13);
}
static uint32_t add(int rd, int rs1, int rs2) {
    return r_type(0, rs2, rs1, 0, rd, 0x33);
}
static uint32_t lui(int rd, uint32_t imm20) {
    return (imm20 & 0xfffff) << 12 | (uint32_t)rd << 7 | 0x37;
}
static uint32_t auipc(int rd, uint32_t imm20) {
    return (imm20 & 0xfffff) << 12 | (uint32_t)rd << 7 | 0x17;
}
static const uint32_t RET = 0x00008067; /* jalr x0, 0(ra) */
static const uint32_t FENCE_I = 0x0000100f;

enum { FLUSH_BUILTIN, FLUSH_FENCE_I, FLUSH_SYSCALL };
static const char *flush_name[] = {"clear_cache", "fence.i", "riscv_flush_icache"};

/* Make [p, p+n) visible to instruction fetch by method m. */
static void flush(void *p, size_t n, int m) {
    char *c = p;
    if (m == FLUSH_BUILTIN)
        __builtin___clear_cache(c, c + n);
    else if (m == FLUSH_FENCE_I)
        __asm__ volatile("fence.i" ::: "memory");
    else
        syscall(__NR_riscv_flush_icache, c, c + n, 0UL);
}

static void emit(uint32_t *code, int *n, uint32_t insn) {
    code[(*n)++] = insn;
}

static uint8_t *map_rwx(size_t len) {
    void *p =
        mmap(NULL, len, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* (i) write "a0 = value; ret", run, patch the constant, run again. */
static void patch_and_rerun(void) {
    long page = sysconf(_SC_PAGESIZE);
    for (int m = 0; m < 3; m++) {
        uint32_t *code = (uint32_t *)map_rwx((size_t)page);
        if (!code) {
            printf("mmap rwx failed\n");
            return;
        }
        fn2_t f = (fn2_t)(uintptr_t)code;
        int results[4];
        for (int round = 0; round < 4; round++) {
            int n = 0;
            emit(code, &n, addi(A0, ZERO, 100 + round));
            if (round & 1) emit(code, &n, add(A0, A0, A1)); /* the shape changes too */
            emit(code, &n, RET);
            flush(code, (size_t)n * 4, m);
            results[round] = (int)f(0, 1000);
        }
        printf("rwx %-18s: %d %d %d %d\n", flush_name[m], results[0], results[1], results[2],
               results[3]);
        munmap(code, (size_t)page);
    }
    /* RW -> RX with mprotect between writing and running */
    uint32_t *code =
        mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    fn2_t f = (fn2_t)(uintptr_t)code;
    int r[3];
    for (int round = 0; round < 3; round++) {
        mprotect(code, (size_t)page, PROT_READ | PROT_WRITE);
        int n = 0;
        emit(code, &n, addi(A0, A1, -7 * round));
        emit(code, &n, RET);
        mprotect(code, (size_t)page, PROT_READ | PROT_EXEC);
        __builtin___clear_cache((char *)code, (char *)(code + n));
        r[round] = (int)f(0, 50);
    }
    printf("rw->rx mprotect       : %d %d %d\n", r[0], r[1], r[2]);
    munmap(code, (size_t)page);
}

/* (ii) a hot loop calling a generated "a0 = a0 + K" 100000 times per round, K patched between
 * rounds (the function is hot, so a JIT has translated it by the time it is patched). */
static void hot_patch(void) {
    uint32_t *code = (uint32_t *)map_rwx(4096);
    fn2_t f = (fn2_t)(uintptr_t)code;
    printf("hot loop:");
    for (int round = 0; round < 6; round++) {
        int n = 0;
        emit(code, &n, addi(A0, A0, round * 3 - 5));
        emit(code, &n, round == 4 ? add(A0, A0, A1) : addi(ZERO, ZERO, 0));
        emit(code, &n, RET);
        flush(code, (size_t)n * 4, round % 3);
        uint64_t acc = 0;
        for (int i = 0; i < 100000; i++)
            acc = f(acc, 2);
        printf(" %lld", (long long)acc);
    }
    printf("\n");
    munmap(code, 4096);
}

/* (iii) a function whose instructions run from the end of one page into the next: a0 = 0,
 * then 12 times a0 += 1, ret; the increments in the second page are patched. */
static void page_crossing(void) {
    long page = sysconf(_SC_PAGESIZE);
    uint8_t *buf = map_rwx(2 * (size_t)page);
    uint32_t *code = (uint32_t *)(buf + page - 6 * 4); /* 6 instructions in page 1 */
    fn2_t f = (fn2_t)(uintptr_t)code;
    int n = 0;
    emit(code, &n, addi(A0, ZERO, 0));
    for (int i = 0; i < 12; i++)
        emit(code, &n, addi(A0, A0, 1));
    emit(code, &n, RET);
    flush(code, (size_t)n * 4, FLUSH_BUILTIN);
    uint64_t before = 0;
    for (int i = 0; i < 1000; i++)
        before = f(0, 0);
    /* code[6] is the first instruction of the second page */
    code[6] = addi(A0, A0, 100);
    code[9] = addi(A0, A0, 1000);
    flush(code + 6, 16, FLUSH_BUILTIN);
    uint64_t after = f(0, 0);
    /* and the other way: only the part in the first page changes */
    code[1] = addi(A0, A0, -50);
    flush(code, 8, FLUSH_SYSCALL);
    uint64_t third = f(0, 0);
    printf("page crossing: %llu %llu %llu (second page at insn %ld)\n", (unsigned long long)before,
           (unsigned long long)after, (unsigned long long)third,
           (long)((uintptr_t)(buf + page) - (uintptr_t)code) / 4);
    munmap(buf, 2 * (size_t)page);
}

/* (iv) code that stores a new instruction over a later instruction of its own block, then
 * fence.i, then runs into it without a jump in between:
 *     auipc t0, 0 ; sw a1, 16(t0) ; fence.i ; addi a0, zero, 0 ; (patched) addi a0, zero, 1
 *     ret
 * and a loop that rewrites its own body each iteration (the immediate of "addi a0, a0, imm"
 * counts up), summing imm over 1000 iterations. */
static void same_block(void) {
    uint32_t *code = (uint32_t *)map_rwx(4096);
    fn2_t f = (fn2_t)(uintptr_t)code;
    int n = 0;
    emit(code, &n, auipc(T0, 0));
    emit(code, &n, s_type(16, A1, T0, 2)); /* sw a1, 16(t0): code[4] */
    emit(code, &n, FENCE_I);
    emit(code, &n, addi(A0, ZERO, 0));
    emit(code, &n, addi(A0, ZERO, 1)); /* code[4], overwritten at run time */
    emit(code, &n, RET);
    flush(code, (size_t)n * 4, FLUSH_BUILTIN);
    printf("same block:");
    for (int k = 2; k < 7; k++) {
        uint64_t got = f(0, addi(A0, ZERO, k * 11));
        printf(" %llu", (unsigned long long)got);
    }
    printf(" (in memory: %s)\n", code[4] == addi(A0, ZERO, 66) ? "last patch" : "STALE");

    /* self-rewriting loop: t1 = the instruction word, t3 = 1 << 20 (imm += 1), t2 = count
     *   0 auipc t0, 0
     *   4 loop: sw t1, 20(t0)      -> patches insn at byte 20
     *   8 fence.i
     *  12 add t1, t1, t3
     *  16 addi t2, t2, -1
     *  20 addi a0, a0, 0           (patched)
     *  24 bnez t2, loop (-20)
     *  28 ret                                                                               */
    n = 0;
    uint32_t *loop = code + 64;
    emit(loop, &n, auipc(T0, 0));
    emit(loop, &n, s_type(20, T1, T0, 2));
    emit(loop, &n, FENCE_I);
    emit(loop, &n, add(T1, T1, T3));
    emit(loop, &n, addi(T2, T2, -1));
    emit(loop, &n, addi(A0, A0, 0));
    emit(loop, &n, b_type(-20, ZERO, T2, 1)); /* bne t2, zero */
    emit(loop, &n, RET);
    flush(loop, (size_t)n * 4, FLUSH_BUILTIN);
    uint64_t res;
    uint32_t first = addi(A0, A0, 1);
    __asm__ volatile("mv t1, %[w]\n\tli t3, 1 << 20\n\tli t2, 1000\n\tli a0, 0\n\t"
                     "jalr ra, 0(%[fn])\n\tmv %[r], a0"
                     : [r] "=r"(res)
                     : [w] "r"((uint64_t)first), [fn] "r"(loop)
                     : "ra", "t0", "t1", "t2", "t3", "a0", "memory");
    /* iteration i adds i (the store of i+1 happens before the addi of iteration i) ... */
    printf("self-rewriting loop: %llu (expected %d)\n", (unsigned long long)res, 1000 * 1001 / 2);
    munmap(code, 4096);
}

/* (v) a run-time code generator: random expressions in x, y and constants over + - * ^ & |
 * and shifts by constants, compiled to RISC-V (one register per tree depth), run and compared
 * with the same tree evaluated in C. One code buffer is reused for every expression. */
enum { OP_X, OP_Y, OP_C, OP_ADD, OP_SUB, OP_MUL, OP_XOR, OP_AND, OP_OR, OP_SHL, OP_SHR };
typedef struct node {
    int op;
    int64_t c;
    struct node *l, *r;
} node_t;
static node_t pool[4096];
static int npool;
static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint32_t rnd(void) {
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng >> 33);
}
static node_t *gen(int depth) {
    node_t *n = &pool[npool++];
    if (depth == 0 || rnd() % 4 == 0) {
        n->op = (int)(rnd() % 3);
        n->c = (int64_t)(rnd() % 200001) - 100000;
        n->l = n->r = NULL;
        return n;
    }
    n->op = OP_ADD + (int)(rnd() % 8);
    n->l = gen(depth - 1);
    n->c = rnd() % 64;
    n->r = n->op >= OP_SHL ? NULL : gen(depth - 1);
    return n;
}
static uint64_t eval(const node_t *n, uint64_t x, uint64_t y) {
    switch (n->op) {
    case OP_X: return x;
    case OP_Y: return y;
    case OP_C: return (uint64_t)n->c;
    case OP_ADD: return eval(n->l, x, y) + eval(n->r, x, y);
    case OP_SUB: return eval(n->l, x, y) - eval(n->r, x, y);
    case OP_MUL: return eval(n->l, x, y) * eval(n->r, x, y);
    case OP_XOR: return eval(n->l, x, y) ^ eval(n->r, x, y);
    case OP_AND: return eval(n->l, x, y) & eval(n->r, x, y);
    case OP_OR: return eval(n->l, x, y) | eval(n->r, x, y);
    case OP_SHL: return eval(n->l, x, y) << n->c;
    default: return eval(n->l, x, y) >> n->c;
    }
}
/* registers for depths 0.. (a0/a1 hold x and y) */
static const int depth_reg[] = {5, 6, 7, 28, 29, 30, 31, 12, 13, 14, 15, 16, 17};
static void compile(const node_t *e, int d, uint32_t *code, int *n) {
    int rd = depth_reg[d];
    switch (e->op) {
    case OP_X: emit(code, n, addi(rd, A0, 0)); return;
    case OP_Y: emit(code, n, addi(rd, A1, 0)); return;
    case OP_C: {
        int64_t hi = (e->c + 0x800) >> 12, lo = e->c - hi * 4096;
        emit(code, n, lui(rd, (uint32_t)hi));
        emit(code, n, addi(rd, rd, (int32_t)lo));
        return;
    }
    case OP_SHL:
        compile(e->l, d, code, n);
        emit(code, n, i_type((int32_t)e->c, rd, 1, rd, 0x13));
        return;
    case OP_SHR:
        compile(e->l, d, code, n);
        emit(code, n, i_type((int32_t)e->c, rd, 5, rd, 0x13));
        return;
    default: break;
    }
    compile(e->l, d, code, n);
    compile(e->r, d + 1, code, n);
    int rs2 = depth_reg[d + 1];
    static const uint32_t f7[] = {0, 0x20, 1, 0, 0, 0}, f3[] = {0, 0, 0, 4, 7, 6};
    int k = e->op - OP_ADD;
    emit(code, n, r_type(f7[k], rs2, rd, f3[k], rd, 0x33));
}
static void expr_compiler(void) {
    uint32_t *code = (uint32_t *)map_rwx(65536);
    fn2_t f = (fn2_t)(uintptr_t)code;
    int exprs = 0, checks = 0, bad = 0, max_len = 0;
    uint64_t sum = 0;
    static const uint64_t xs[] = {0, 1, 7, 0xffffffffffffffffULL, 0x123456789abcdefULL};
    for (int i = 0; i < 300; i++) {
        npool = 0;
        node_t *e = gen(1 + i % 10);
        int n = 0;
        compile(e, 0, code, &n);
        emit(code, &n, addi(A0, depth_reg[0], 0));
        emit(code, &n, RET);
        if (n > max_len) max_len = n;
        flush(code, (size_t)n * 4, i % 3);
        exprs++;
        for (int a = 0; a < 5; a++) {
            uint64_t x = xs[a], y = xs[(a + i) % 5] * 3 + (uint64_t)i;
            uint64_t want = eval(e, x, y), got = f(x, y);
            checks++;
            sum = sum * 31 + got;
            if (got != want) {
                if (bad++ < 5)
                    printf("expr %d (x=%llx y=%llx): got %llx, want %llx\n", i,
                           (unsigned long long)x, (unsigned long long)y, (unsigned long long)got,
                           (unsigned long long)want);
            }
        }
    }
    printf("expression compiler: %d expressions, %d checks, %d wrong, longest %d insns, "
           "checksum %016llx\n",
           exprs, checks, bad, max_len, (unsigned long long)sum);
    munmap(code, 65536);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    patch_and_rerun();
    hot_patch();
    page_crossing();
    same_block();
    expr_compiler();
    return 0;
}
