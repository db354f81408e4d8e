/* test_fpu_host.c - the soft-float FPU against the host's SSE unit, a second oracle that
 * needs no emulator.
 *
 * x86-64 SSE agrees with RISC-V on everything this test compares: IEEE results in RNE, RTZ,
 * RDN and RUP, the five flags, and tininess detected after rounding (UF only when tiny and
 * inexact). It differs in NaN results (payload propagation, default NaN), in out-of-range
 * conversions to integers (the "integer indefinite" value), in not signaling inf * 0 + qNaN
 * in fused multiply-adds, and has no RMM; those are
 * compared only as far as they agree (any host NaN must be the canonical NaN in vm; NV
 * conversions compare flags only) and RMM is left to the qemu differential test.
 *
 * Operands come through volatile loads after fesetround() and results leave through volatile
 * stores before fetestexcept(), so the compiler can neither fold nor move the host
 * operation across the mode change. Set VM_FPU_HOST_CASES to run more random cases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <fenv.h>
#include <math.h>

#include "riscv/fpu.h"

#define DEFAULT_CASES 40000 /* random operand sets per op and mode */

static const int host_modes[4] = {FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD};

static uint32_t host_flags(void) {
    int e = fetestexcept(FE_ALL_EXCEPT);
    return ((e & FE_INEXACT) ? RV_FFLAG_NX : 0) | ((e & FE_UNDERFLOW) ? RV_FFLAG_UF : 0) |
           ((e & FE_OVERFLOW) ? RV_FFLAG_OF : 0) | ((e & FE_DIVBYZERO) ? RV_FFLAG_DZ : 0) |
           ((e & FE_INVALID) ? RV_FFLAG_NV : 0);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void) {
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dull;
}

/* Random bits of a binary format, biased to subnormals, the overflow edge, numbers near 1,
 * short significands (ties) and the special values. */
static uint64_t gen_bits(int ebits, int prec) {
    uint64_t emask = (1ull << ebits) - 1, bias = emask >> 1, fmask = (1ull << (prec - 1)) - 1;
    uint64_t e, fr = rnd() & fmask;
    switch (rnd() % 7) {
    case 0: e = rnd() % (emask + 1); break;
    case 1: e = rnd() % 3; break;
    case 2: e = emask - 1 - rnd() % 3; break;
    case 3: e = bias - 3 + rnd() % 7; break;
    case 4: e = bias + rnd() % 70; break;
    default: e = 1 + rnd() % (emask - 1); break;
    }
    if (rnd() % 3 == 0) fr &= ~((1ull << (rnd() % prec)) - 1);
    if (e == emask && rnd() % 2) fr = 0;
    return ((rnd() & 1) << (ebits + prec - 1)) | (e << (prec - 1)) | fr;
}
static uint64_t gen_d(void) {
    return gen_bits(11, 53);
}
static uint32_t gen_s(void) {
    return (uint32_t)gen_bits(8, 24);
}

/* b near a: same magnitude range, maybe opposite sign (cancellation, ties). */
static uint64_t near_d(uint64_t a) {
    uint64_t b = a + ((uint64_t)((int64_t)(rnd() % 121) - 60) << 52);
    return (b ^ (rnd() & 1) << 63) ^ (rnd() & ((1ull << (rnd() % 53)) - 1));
}

static double d_of(uint64_t b) {
    double d;
    memcpy(&d, &b, 8);
    return d;
}
static uint64_t bits_of_d(double d) {
    uint64_t b;
    memcpy(&b, &d, 8);
    return b;
}
static float s_of(uint32_t b) {
    float f;
    memcpy(&f, &b, 4);
    return f;
}
static uint32_t bits_of_s(float f) {
    uint32_t b;
    memcpy(&b, &f, 4);
    return b;
}

/* Compares one case; NaN host results must be the canonical NaN in vm. */
static void compare(const char *op, int mode, uint64_t a, uint64_t b, uint64_t c, uint64_t host,
                    bool host_nan, uint32_t hf, uint64_t vm, uint64_t canon, uint32_t vf) {
    bool ok = host_nan ? vm == canon : vm == host;
    if (ok && hf == vf) return;
    fail_msg("%s rm=%d a=%#llx b=%#llx c=%#llx: host %#llx flags %#x, vm %#llx flags %#x", op, mode,
             (unsigned long long)a, (unsigned long long)b, (unsigned long long)c,
             (unsigned long long)host, hf, (unsigned long long)vm, vf);
}

/* RISC-V raises NV for inf * 0 in a fused multiply-add even when the addend is a quiet NaN;
 * the x86 FMA instructions do not. */
static uint32_t inf_times_zero(double x, double y) {
    return ((isinf(x) && y == 0) || (x == 0 && isinf(y))) ? RV_FFLAG_NV : 0;
}

static long cases(void) {
    const char *s = getenv("VM_FPU_HOST_CASES");
    long n = s ? atol(s) : 0;
    return n > 0 ? n : DEFAULT_CASES;
}

/* One double-precision op against the host: `H` is the host expression on x, y, z. */
#define HOST_D(op, H, VM, FIX)                                                                     \
    for (long i_ = 0; i_ < n; i_++) {                                                              \
        uint64_t a = gen_d(), b = rnd() % 3 ? gen_d() : near_d(a), c = gen_d();                    \
        if (rnd() % 2) c = near_d(bits_of_d(-d_of(a) * d_of(b)));                                  \
        volatile double va = d_of(a), vb = d_of(b), vc = d_of(c), vr;                              \
        fesetround(host_modes[m]);                                                                 \
        feclearexcept(FE_ALL_EXCEPT);                                                              \
        double x = va, y = vb, z = vc;                                                             \
        (void)y;                                                                                   \
        (void)z;                                                                                   \
        vr = (H);                                                                                  \
        uint32_t hf = host_flags() | (FIX);                                                        \
        fesetround(FE_TONEAREST);                                                                  \
        double r = vr;                                                                             \
        uint32_t vf = 0;                                                                           \
        uint64_t v = (VM);                                                                         \
        compare(op, m, a, b, c, bits_of_d(r), isnan(r), hf, v, RV_F64_CANONICAL_NAN, vf);          \
    }

/* The same for single precision. */
#define HOST_S(op, H, VM, FIX)                                                                     \
    for (long i_ = 0; i_ < n; i_++) {                                                              \
        uint32_t a = gen_s(), b = gen_s(), c = gen_s();                                            \
        if (rnd() % 2) c = bits_of_s(-s_of(a) * s_of(b)) ^ (uint32_t)(rnd() & 0xff);               \
        volatile float va = s_of(a), vb = s_of(b), vc = s_of(c), vr;                               \
        fesetround(host_modes[m]);                                                                 \
        feclearexcept(FE_ALL_EXCEPT);                                                              \
        float x = va, y = vb, z = vc;                                                              \
        (void)y;                                                                                   \
        (void)z;                                                                                   \
        vr = (H);                                                                                  \
        uint32_t hf = host_flags() | (FIX);                                                        \
        fesetround(FE_TONEAREST);                                                                  \
        float r = vr;                                                                              \
        uint32_t vf = 0;                                                                           \
        uint64_t v = (VM);                                                                         \
        compare(op, m, a, b, c, bits_of_s(r), isnan(r), hf, v, RV_F32_CANONICAL_NAN, vf);          \
    }

static void double_ops(void **state) {
    (void)state;
    long n = cases();
    for (unsigned m = 0; m < 4; m++) {
        HOST_D("fadd.d", x + y, rv_f64_add(a, b, m, &vf), 0);
        HOST_D("fsub.d", x - y, rv_f64_sub(a, b, m, &vf), 0);
        HOST_D("fmul.d", x * y, rv_f64_mul(a, b, m, &vf), 0);
        HOST_D("fdiv.d", x / y, rv_f64_div(a, b, m, &vf), 0);
        HOST_D("fsqrt.d", sqrt(x), rv_f64_sqrt(a, m, &vf), 0);
        HOST_D("fmadd.d", fma(x, y, z), rv_f64_madd(a, b, c, m, &vf), inf_times_zero(x, y));
        HOST_D("fnmsub.d", fma(-x, y, z), rv_f64_nmsub(a, b, c, m, &vf), inf_times_zero(x, y));
        HOST_D("fcvt.s.d", (double)(float)x,
               rv_f32_to_f64(rv_f64_to_f32(a, m, &vf), RV_RM_RNE, &vf), 0);
    }
}

static void single_ops(void **state) {
    (void)state;
    long n = cases();
    for (unsigned m = 0; m < 4; m++) {
        HOST_S("fadd.s", x + y, rv_f32_add(a, b, m, &vf), 0);
        HOST_S("fsub.s", x - y, rv_f32_sub(a, b, m, &vf), 0);
        HOST_S("fmul.s", x * y, rv_f32_mul(a, b, m, &vf), 0);
        HOST_S("fdiv.s", x / y, rv_f32_div(a, b, m, &vf), 0);
        HOST_S("fsqrt.s", sqrtf(x), rv_f32_sqrt(a, m, &vf), 0);
        HOST_S("fmadd.s", fmaf(x, y, z), rv_f32_madd(a, b, c, m, &vf), inf_times_zero(x, y));
        HOST_S("fmsub.s", fmaf(x, y, -z), rv_f32_msub(a, b, c, m, &vf), inf_times_zero(x, y));
    }
}

/* Integer conversions: llrint honours the mode; out-of-range cases compare flags only. */
static void conversions(void **state) {
    (void)state;
    long n = cases();
    for (unsigned m = 0; m < 4; m++) {
        for (long i = 0; i < n; i++) {
            uint64_t a = gen_d();
            volatile double va = d_of(a);
            volatile long long vr;
            fesetround(host_modes[m]);
            feclearexcept(FE_ALL_EXCEPT);
            vr = llrint(va);
            uint32_t hf = host_flags();
            fesetround(FE_TONEAREST);
            uint32_t vf = 0;
            uint64_t v = rv_f64_to_l(a, m, &vf);
            uint64_t h = (uint64_t)vr;
            if (hf & RV_FFLAG_NV) h = v; /* the host's integer indefinite is not the RISC-V bound */
            compare("fcvt.l.d", (int)m, a, 0, 0, h, false, hf, v, 0, vf);

            int64_t x = (int64_t)(rnd() >> (rnd() % 64)) * (rnd() % 2 ? 1 : -1);
            volatile int64_t vx = x;
            volatile double vd;
            volatile float vs;
            fesetround(host_modes[m]);
            feclearexcept(FE_ALL_EXCEPT);
            vd = (double)vx;
            hf = host_flags();
            feclearexcept(FE_ALL_EXCEPT);
            vs = (float)vx;
            uint32_t hfs = host_flags();
            fesetround(FE_TONEAREST);
            vf = 0;
            v = rv_f64_from_l(x, m, &vf);
            compare("fcvt.d.l", (int)m, (uint64_t)x, 0, 0, bits_of_d(vd), false, hf, v, 0, vf);
            vf = 0;
            v = rv_f32_from_l(x, m, &vf);
            compare("fcvt.s.l", (int)m, (uint64_t)x, 0, 0, bits_of_s(vs), false, hfs, v, 0, vf);
        }
    }
}

int main(void) {
#if defined(__x86_64__)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(double_ops),
        cmocka_unit_test(single_ops),
        cmocka_unit_test(conversions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
#else
    printf("SKIPPED: the host-FPU oracle needs x86-64 SSE semantics (tininess after "
           "rounding)\n");
    return 0;
#endif
}
