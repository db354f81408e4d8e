/* test_fp_fast.c - the JIT's host-FPU fast path must give exactly what the soft-float FPU
 * gives (through rv_exec1): the same result bits and the same fflags, or decline. Operands mix
 * random bits with values chosen near every edge the fast path checks: zeros, subnormals,
 * the underflow and overflow thresholds, infinities, NaNs, badly boxed singles, exact and
 * inexact cases, every rounding mode (static and dynamic). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "jit/jit_priv.h"
#include "riscv/decode.h"
#include "exec/exec1.h"
#include "riscv/fpu.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A double or a boxed single near one of the interesting places. */
static uint64_t operand(bool single) {
    static const uint64_t d_edges[] = {0,
                                       1ull << 63,
                                       1,
                                       0x000fffffffffffffull,
                                       0x0010000000000000ull,
                                       0x0020000000000000ull,
                                       0x06d0000000000000ull,
                                       0x06e0000000000000ull,
                                       0x3ff0000000000000ull,
                                       0x4000000000000000ull,
                                       0x3fb999999999999aull,
                                       0x7fefffffffffffffull,
                                       0x7ff0000000000000ull,
                                       0x7ff8000000000000ull,
                                       0x7ff4000000000000ull,
                                       0xc340000000000000ull,
                                       0x4340000000000000ull,
                                       0x43e0000000000000ull,
                                       0xc3e0000000000000ull,
                                       0x41e0000000000000ull,
                                       0xc1e0000000200000ull};
    static const uint32_t f_edges[] = {0,           0x80000000u, 1,           0x007fffffu,
                                       0x00800000u, 0x01000000u, 0x19000000u, 0x3f800000u,
                                       0x40000000u, 0x3dcccccdu, 0x7f7fffffu, 0x7f800000u,
                                       0x7fc00000u, 0x7fa00000u, 0x4b800000u};
    uint64_t r = next();
    unsigned k = (unsigned)(r >> 60);
    uint64_t v;
    if (single) {
        uint32_t x = k < 6 ? f_edges[next() % (sizeof(f_edges) / 4)] : (uint32_t)next();
        if (k == 6) x = (x & 0x807fffffu) | (uint32_t)(0x7f + (next() % 8)) << 23;
        if (k == 7) x ^= 1 + (next() & 3); /* next to an edge */
        v = 0xffffffff00000000ull | x;
        if (k == 8) v &= ~(1ull << 40); /* badly boxed */
    } else {
        v = k < 6 ? d_edges[next() % (sizeof(d_edges) / 8)] : next();
        if (k == 6) v = (v & 0x800fffffffffffffull) | (0x3ff + (next() % 16)) << 52;
        if (k == 7) v ^= 1 + (next() & 3);
        if (k == 8) v &= 0xfffff00000000000ull; /* few significant bits: exact results */
    }
    return v;
}

static void test_matches_softfloat(void **state) {
    (void)state;
    static const unsigned ids[] = {
        RV_I_fadd_d,   RV_I_fsub_d,   RV_I_fmul_d, RV_I_fdiv_d,  RV_I_fsqrt_d,  RV_I_fadd_s,
        RV_I_fsub_s,   RV_I_fmul_s,   RV_I_fdiv_s, RV_I_fsqrt_s, RV_I_fcvt_d_w, RV_I_fcvt_d_l,
        RV_I_fcvt_l_d, RV_I_fcvt_w_d, RV_I_feq_d,  RV_I_flt_d,   RV_I_fle_d};
    rv_cpu_t a, b;
    assert_int_equal(exec_hart_init(&a, NULL), 0);
    unsigned fast = 0, total = 0;
    for (unsigned i = 0; i < 400000; i++) {
        unsigned id = ids[next() % (sizeof(ids) / sizeof(ids[0]))];
        bool single = (rv_insn_table[id].match >> 25 & 3) == 0; /* fmt field: S */
        rv_op_t op = {.id = (uint16_t)id, .rd = 5, .rs1 = 6, .rs2 = 7, .len = 4};
        op.rm = (uint8_t)(next() % 3 == 0 ? RV_RM_DYN : next() % 5);
        if (id == RV_I_fcvt_l_d || id == RV_I_fcvt_w_d) op.rm = next() & 1 ? RV_RM_RTZ : op.rm;
        if (id == RV_I_feq_d) op.rm = 2;
        if (id == RV_I_flt_d) op.rm = 1;
        if (id == RV_I_fle_d) op.rm = 0;
        a.f[6] = operand(single);
        a.f[7] = operand(single);
        a.x[6] = next() % 4 ? (uint64_t)(int64_t)(int32_t)next() : next();
        if (next() % 4 == 0) a.x[6] >>= (next() % 64);
        a.frm = (uint32_t)(next() % 4 == 0 ? next() % 8 : 0);
        a.fflags = (uint32_t)(next() & 31);
        a.mstatus |= RV_MSTATUS_FS;
        a.f[5] = a.x[5] = 0x1234;
        b = a;
        total++;
        if (!jit_fp_fast(&a, &op)) {
            assert_memory_equal(&a.f, &b.f, sizeof(a.f)); /* declined: nothing changed */
            assert_memory_equal(&a.x, &b.x, sizeof(a.x));
            assert_int_equal(a.fflags, b.fflags);
            continue;
        }
        fast++;
        int r = rv_exec1(&b, &op, 0x1000);
        assert_int_equal(r, RV_EXEC1_OK);
        if (a.f[5] != b.f[5] || a.x[5] != b.x[5] || a.fflags != b.fflags)
            fail_msg("%s rm %u frm %u: f6 %016llx f7 %016llx x6 %016llx: fast f5 %016llx x5 "
                     "%llx flags %x, soft f5 %016llx x5 %llx flags %x",
                     rv_insn_table[id].name, op.rm, a.frm, (unsigned long long)a.f[6],
                     (unsigned long long)a.f[7], (unsigned long long)a.x[6],
                     (unsigned long long)a.f[5], (unsigned long long)a.x[5], a.fflags,
                     (unsigned long long)b.f[5], (unsigned long long)b.x[5], b.fflags);
    }
    print_message("fast path took %u of %u cases\n", fast, total);
    assert_true(fast > total / 8); /* the fast path is really exercised */
    exec_hart_destroy(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_matches_softfloat)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
