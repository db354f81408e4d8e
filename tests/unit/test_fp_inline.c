/* test_fp_inline.c - the JIT's in-line F/D code (src/jit/x86_64/fp_inline.c: single and double
 * arithmetic, square roots, fused multiply-adds, conversions, compares) against the interpreter's
 * semantics (rv_exec1), case by case, on the old path and through the IR.
 *
 * A hart over a small window runs, for every instruction and every rounding-mode field (rne,
 * rtz, rdn, rup, rmm, dyn; compares have none), a translated block of that one instruction and an
 * ecall. Each case sets the operand registers (f6, f7, f8, x6), frm (0 half the time, else 0..4,
 * now and then an invalid 5..7) and fflags, runs the block and compares f5, x5, fflags - or the
 * illegal-instruction trap - with rv_exec1 on the same state. Operands: random bits and values near
 * every edge the in-line checks make (zeros, subnormals, the smallest binade, overflow, the largest
 * binades (a sum rounded down to the largest number overflows inside the two-sum), infinities, NaNs
 * with payloads, singles that are not NaN-boxed), small integers and nearly cancelling addends for
 * the fused operations (exactness decided from the operands' lowest bits), ties and the integer
 * bounds for conversions. The JIT counts (count on) how many of the cases its in-line code ran and
 * how many of those left for the slow path: each instruction must have taken the in-line result in
 * a good share of its cases, so the test proves the fast path, not the helper. VM_FP_INLINE_CASES
 * (default 100000) cases per instruction and path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "exec/exec.h"
#include "exec/exec1.h"
#include "jit/jit.h"
#include "jit/jit_priv.h"
#include "riscv/cpu.h"
#include "riscv/decode.h"
#include "riscv/fpu.h"

#define BASE  0x10000u
#define PAGES 2u
#define WIN   (PAGES * 4096u)

static uint8_t mem[WIN];
static uint8_t flags[PAGES];
static uint64_t lines[PAGES];
static bool ir;

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* How an instruction's operands are chosen. */
enum kind { K_S, K_D, K_S3, K_D3, K_SD, K_DS, K_XS, K_XD, K_I };

static const struct {
    unsigned id;
    enum kind kind;
} ops[] = {
    {RV_I_fadd_d, K_D},    {RV_I_fsub_d, K_D},     {RV_I_fmul_d, K_D},    {RV_I_fdiv_d, K_D},
    {RV_I_fsqrt_d, K_D},   {RV_I_fadd_s, K_S},     {RV_I_fsub_s, K_S},    {RV_I_fmul_s, K_S},
    {RV_I_fdiv_s, K_S},    {RV_I_fsqrt_s, K_S},    {RV_I_fmadd_s, K_S3},  {RV_I_fmsub_s, K_S3},
    {RV_I_fnmsub_s, K_S3}, {RV_I_fnmadd_s, K_S3},  {RV_I_fmadd_d, K_D3},  {RV_I_fmsub_d, K_D3},
    {RV_I_fnmsub_d, K_D3}, {RV_I_fnmadd_d, K_D3},  {RV_I_fcvt_s_d, K_SD}, {RV_I_fcvt_d_s, K_DS},
    {RV_I_fcvt_w_s, K_XS}, {RV_I_fcvt_wu_s, K_XS}, {RV_I_fcvt_l_s, K_XS}, {RV_I_fcvt_lu_s, K_XS},
    {RV_I_fcvt_w_d, K_XD}, {RV_I_fcvt_wu_d, K_XD}, {RV_I_fcvt_l_d, K_XD}, {RV_I_fcvt_lu_d, K_XD},
    {RV_I_fcvt_s_w, K_I},  {RV_I_fcvt_s_wu, K_I},  {RV_I_fcvt_s_l, K_I},  {RV_I_fcvt_s_lu, K_I},
    {RV_I_fcvt_d_w, K_I},  {RV_I_fcvt_d_wu, K_I},  {RV_I_fcvt_d_l, K_I},  {RV_I_fcvt_d_lu, K_I},
    {RV_I_feq_s, K_S},     {RV_I_flt_s, K_S},      {RV_I_fle_s, K_S},     {RV_I_feq_d, K_D},
    {RV_I_flt_d, K_D},     {RV_I_fle_d, K_D},
};
#define NOPS (sizeof(ops) / sizeof(ops[0]))
static const unsigned rms[6] = {0, 1, 2, 3, 4, 7};

/* The block of instruction o with rounding-mode field rms[r]: the instruction, an ecall. */
static uint64_t slot(unsigned o, unsigned r) {
    return BASE + (o * 6 + r) * 8;
}

static uint32_t encode(unsigned id, unsigned rm) {
    const rv_insn_info_t *in = &rv_insn_table[id];
    uint32_t w = in->match | 5u << 7 | 6u << 15;
    if (!(in->mask & 0x7000)) w |= rm << 12; /* compares: funct3 is the operation */
    if (in->reads & RS2_F) w |= 7u << 20;
    if (in->reads & RS3_F) w |= 8u << 27;
    return w;
}

static void load_code(void) {
    memset(mem, 0, sizeof(mem));
    for (unsigned o = 0; o < NOPS; o++)
        for (unsigned r = 0; r < 6; r++) {
            uint32_t w[2] = {encode(ops[o].id, rms[r]), 0x00000073u};
            memcpy(mem + (slot(o, r) - BASE), w, 8);
        }
}

/* A single's register image: NaN-boxed but one time in 32. */
static uint64_t s_operand(void) {
    static const uint32_t edges[] = {
        0,           0x80000000u, 1,           0x807fffffu, 0x007fffffu, 0x00800000u,
        0x80800001u, 0x01000000u, 0x01800000u, 0x19000000u, 0x3f800000u, 0xbf800000u,
        0x40000000u, 0x3dcccccdu, 0x3f000000u, 0x7f7fffffu, 0xff7fffffu, 0x7f800000u,
        0xff800000u, 0x7fc00000u, 0xffc00000u, 0x7fa00000u, 0x7fc12345u, 0xff812345u,
        0x4b800000u, 0x4f000000u, 0xcf000000u, 0x5f000000u, 0xdf000000u, 0x33800000u};
    unsigned k = (unsigned)(next() >> 60);
    uint32_t v = k < 4 ? edges[next() % (sizeof(edges) / 4)] : (uint32_t)next();
    if (k == 4) v ^= 1 + (next() & 3);
    if (k == 5 || k == 6) v &= 0xfff00000u;
    if (k >= 7 && k <= 10) v = (v & 0x807fffffu) | (uint32_t)(0x78 + next() % 16) << 23;
    if (k == 11) v = (v & 0x807fffffu) | (uint32_t)(next() % 0x40) << 23;
    if (k == 12) v = (v & 0x807fffffu) | (uint32_t)(0xe0 + next() % 0x1f) << 23;
    if (k == 13) v = (v & 0x807fffffu) | (uint32_t)(0xfc + next() % 3) << 23; /* next to max */
    uint64_t box = 0xffffffff00000000ull;
    if ((next() & 31) == 0) box = next() & 0xffffffff00000000ull;
    return box | v;
}

static uint64_t d_operand(void) {
    static const uint64_t edges[] = {0,
                                     1ull << 63,
                                     1,
                                     0x800fffffffffffffull,
                                     0x0010000000000000ull,
                                     0x0020000000000000ull,
                                     0x0030000000000000ull,
                                     0x06d0000000000000ull,
                                     0x06e0000000000000ull,
                                     0x3ff0000000000000ull,
                                     0xbff0000000000000ull,
                                     0x3fb999999999999aull,
                                     0x7fefffffffffffffull,
                                     0xffefffffffffffffull,
                                     0x7ff0000000000000ull,
                                     0xfff0000000000000ull,
                                     0x7ff8000000000000ull,
                                     0x7ff4000000000000ull,
                                     0xfff8000000001234ull,
                                     0x43e0000000000000ull,
                                     0xc3e0000000000000ull,
                                     0x41e0000000000000ull};
    unsigned k = (unsigned)(next() >> 60);
    uint64_t v = k < 4 ? edges[next() % (sizeof(edges) / 8)] : next();
    if (k == 4) v ^= 1 + (next() & 3);
    if (k == 5 || k == 6) v &= 0xfffff00000000000ull;
    if (k >= 7 && k <= 10) v = (v & 0x800fffffffffffffull) | (0x3f8 + next() % 16) << 52;
    if (k == 11) v = (v & 0x800fffffffffffffull) | (next() % 0x80) << 52;
    if (k == 12) v = (v & 0x800fffffffffffffull) | (0x7c0 + next() % 0x3f) << 52;
    if (k == 13) v = (v & 0x800fffffffffffffull) | (0x7fc + next() % 3) << 52; /* next to max */
    return v;
}

static uint64_t image(bool single, double d) {
    uint64_t u;
    if (single) {
        float f = (float)d;
        uint32_t w;
        memcpy(&w, &f, 4);
        return 0xffffffff00000000ull | w;
    }
    memcpy(&u, &d, 8);
    return u;
}

/* Fused operands: independent ones, small integers (exact results, equal lowest bits),
 * addends that nearly cancel the product, addends far smaller or larger than it. */
static void fma_operands(bool single, uint64_t *a, uint64_t *b, uint64_t *c) {
    unsigned k = (unsigned)(next() % 8);
    *a = single ? s_operand() : d_operand();
    *b = single ? s_operand() : d_operand();
    *c = single ? s_operand() : d_operand();
    if (k == 0) {
        *a = image(single, (double)((int)(next() % 257) - 128));
        *b = image(single, (double)((int)(next() % 257) - 128));
        *c = image(single, (double)((int)(next() % 65537) - 32768));
    } else if (k == 1 || k == 2) {
        uint64_t ua = (next() & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
        uint64_t ub = (next() & 0x000fffffffffffffull) | (0x3f8 + next() % 16) << 52;
        if (k == 2) ua &= 0xfffffffff0000000ull, ub &= 0xfffffffff0000000ull;
        double x, y;
        memcpy(&x, &ua, 8);
        memcpy(&y, &ub, 8);
        if (single) {
            float fx = (float)x, fy = (float)y, fp = -(fx * fy);
            *a = image(true, fx);
            *b = image(true, fy);
            *c = image(true, fp) + next() % 3 - 1;
        } else {
            *a = ua;
            *b = ub;
            *c = image(false, -(x * y)) + next() % 3 - 1;
        }
    } else if (k == 3) {
        uint64_t e = next() % 2 ? 0x10 : 0x60;
        if (single)
            *c = (*c & 0xffffffff807fffffull) | (e + next() % 0x20) << 23;
        else
            *c = (*c & 0x800fffffffffffffull) | (e * 8 + next() % 0x100) << 52;
    }
}

static uint64_t i_operand(void) {
    uint64_t v = next();
    switch (next() % 8) {
    case 0: return v;
    case 1: return (uint64_t)(int64_t)(int32_t)v;
    case 2: return v >> (next() % 64);
    case 3: return -(v >> (next() % 64));
    case 4: return (1ull << (next() % 64)) + next() % 5 - 2;
    case 5: return -((1ull << (next() % 64)) + next() % 5 - 2);
    case 6: return v & 0xffffffffull;
    default: return v % 2001 - 1000;
    }
}

/* Float-to-int sources: halves and ties, every target's bounds and their neighbours,
 * random values of every magnitude up to 2^66, the general operands. */
static uint64_t cvt_operand(bool single) {
    static const double edges[] = {0.5,
                                   -0.5,
                                   1.5,
                                   -1.5,
                                   2.5,
                                   -2.5,
                                   -1.0,
                                   2147483647.0,
                                   2147483647.5,
                                   2147483648.0,
                                   -2147483648.0,
                                   -2147483648.5,
                                   -2147483649.0,
                                   4294967295.0,
                                   4294967295.5,
                                   4294967296.0,
                                   9.2233720368547758e18,
                                   -9.2233720368547758e18,
                                   1.8446744073709552e19,
                                   9223372036854774784.0};
    unsigned k = (unsigned)(next() % 8);
    if (k == 0) {
        uint64_t v = image(single, edges[next() % (sizeof(edges) / sizeof(edges[0]))]);
        return next() % 4 ? v : v + next() % 3 - 1;
    }
    if (k == 1) return single ? s_operand() : d_operand();
    uint64_t sign = next() & 1, e = next() % 70, frac = next();
    if (k == 2) frac &= single ? ~0x3fffull : ~0x3ffffffffffull;
    if (single) return 0xffffffff00000000ull | sign << 31 | (127 + e - 3) << 23 | (frac & 0x7fffff);
    return sign << 63 | (1023 + e - 3) << 52 | (frac & 0x000fffffffffffffull);
}

static void operands(enum kind k, rv_cpu_t *cpu) {
    cpu->f[6] = cpu->f[7] = cpu->f[8] = 0;
    cpu->x[6] = next();
    switch (k) {
    case K_S:
        cpu->f[6] = s_operand();
        cpu->f[7] = s_operand();
        break;
    case K_D:
        cpu->f[6] = d_operand();
        cpu->f[7] = d_operand();
        break;
    case K_S3: fma_operands(true, &cpu->f[6], &cpu->f[7], &cpu->f[8]); break;
    case K_D3: fma_operands(false, &cpu->f[6], &cpu->f[7], &cpu->f[8]); break;
    case K_SD:
        cpu->f[6] = d_operand();
        if (next() % 2)
            cpu->f[6] = (cpu->f[6] & 0x800fffffffffffffull) | (0x370 + next() % 0x120) << 52;
        if (next() % 4 == 0) /* just below 2^-126: rounded up to it, tiny or not */
            cpu->f[6] = (next() & (1ull << 63)) | 0x380fffffe0000000ull | (next() & 0x1fffffff);
        break;
    case K_DS: cpu->f[6] = s_operand(); break;
    case K_XS: cpu->f[6] = cvt_operand(true); break;
    case K_XD: cpu->f[6] = cvt_operand(false); break;
    case K_I: cpu->x[6] = i_operand(); break;
    }
}

static unsigned cases(void) {
    const char *s = getenv("VM_FP_INLINE_CASES");
    return s ? (unsigned)strtoul(s, NULL, 0) : 100000;
}

static void matches_interpreter(void **state) {
    (void)state;
    rv_cpu_t a, b;
    exec_options_t o = {.engine = "jit", .threshold = 1, .strict = true, .ir = ir, .count = true};
    assert_int_equal(exec_hart_init(&a, &o), 0);
    assert_int_equal(exec_hart_init(&b, NULL), 0);
    load_code();
    a.mem_base = mem;
    a.mem_start = BASE;
    a.mem_size = WIN;
    a.page_flags = flags;
    a.code_lines = lines;
    a.trap_hook = exec_trap_stop;
    a.mstatus |= RV_MSTATUS_FS;
    b.mstatus |= RV_MSTATUS_FS;
    const jit_t *j = a.engine_state;
    assert_non_null(j);
    unsigned n = cases();
    for (unsigned o_ = 0; o_ < NOPS; o_++) {
        uint64_t inl0 = j->stats.fp_inline, slow0 = j->stats.fp_slow;
        for (unsigned i = 0; i < n; i++) {
            unsigned r = (unsigned)(next() % 6);
            operands(ops[o_].kind, &a);
            unsigned fk = (unsigned)(next() % 16);
            a.frm = (uint32_t)(fk == 0 ? 5 + next() % 3 : fk < 8 ? 0 : next() % 5);
            a.fflags = (uint32_t)(next() & 31);
            a.f[5] = a.x[5] = 0x1234;
            memcpy(b.f, a.f, sizeof(a.f));
            memcpy(b.x, a.x, sizeof(a.x));
            b.frm = a.frm;
            b.fflags = a.fflags;
            uint64_t pc = slot(o_, r);
            rv_op_t op;
            uint32_t w;
            memcpy(&w, mem + (pc - BASE), 4);
            assert_true(rv_decode(w, &op));
            assert_int_equal(op.id, ops[o_].id);
            int want = rv_exec1(&b, &op, pc);
            a.pc = pc;
            int got = exec_run(&a, 1000);
            if (want == RV_EXEC1_TRAP) {
                if (got != EXEC_STOP_EXCEPTION || a.cause != RV_CAUSE_ILLEGAL_INSN)
                    fail_msg("%s rm %u frm %u: run ended %d (cause %llu), expected the "
                             "illegal-instruction trap",
                             rv_insn_table[op.id].name, op.rm, b.frm, got,
                             (unsigned long long)a.cause);
                continue;
            }
            assert_int_equal(want, RV_EXEC1_OK);
            if (got != EXEC_STOP_ECALL || a.f[5] != b.f[5] || a.x[5] != b.x[5] ||
                a.fflags != b.fflags)
                fail_msg("%s%s rm %u frm %u: f6 %016llx f7 %016llx f8 %016llx x6 %016llx: "
                         "jit (run %d) f5 %016llx x5 %llx flags %x, interpreter f5 %016llx x5 "
                         "%llx flags %x",
                         rv_insn_table[op.id].name, ir ? " (IR)" : "", op.rm, b.frm,
                         (unsigned long long)b.f[6], (unsigned long long)b.f[7],
                         (unsigned long long)b.f[8], (unsigned long long)b.x[6], got,
                         (unsigned long long)a.f[5], (unsigned long long)a.x[5], a.fflags,
                         (unsigned long long)b.f[5], (unsigned long long)b.x[5], b.fflags);
        }
        uint64_t inl = j->stats.fp_inline - inl0, slow = j->stats.fp_slow - slow0;
        print_message("%-10s %u cases: in line %llu, of which to the slow path %llu\n",
                      rv_insn_table[ops[o_].id].name, n, (unsigned long long)inl,
                      (unsigned long long)slow);
        /* the in-line result was taken in a good share of the cases */
        if (inl - slow < n / 16)
            fail_msg("%s: the in-line result in %llu of %u cases only",
                     rv_insn_table[ops[o_].id].name, (unsigned long long)(inl - slow), n);
    }
    exec_hart_destroy(&a);
    exec_hart_destroy(&b);
}

int main(void) {
    exec_register_engine(&jit_engine);
    if (!jit_engine.supported()) {
        printf("skipped: this host has no JIT backend\n");
        return 0;
    }
    const struct CMUnitTest tests[] = {cmocka_unit_test(matches_interpreter)};
    setenv("VM_JIT_IR", "0", 1); /* the old path only */
    int failed = _cmocka_run_group_tests("jit", tests, 1, NULL, NULL);
    unsetenv("VM_JIT_IR");
    ir = true;
    failed += _cmocka_run_group_tests("jit-ir", tests, 1, NULL, NULL);
    return failed;
}
