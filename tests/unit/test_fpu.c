/* test_fpu.c - hand-picked F/D cases whose exact results follow from the ISA manual and
 * IEEE 754: special values, ties in every rounding mode, tininess after rounding, saturating
 * conversions, NaN-boxing, canonical NaNs and the fmin/fmax signed-zero rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "riscv/fpu.h"

enum { RNE = RV_RM_RNE, RTZ = RV_RM_RTZ, RDN = RV_RM_RDN, RUP = RV_RM_RUP, RMM = RV_RM_RMM };
enum { NX = RV_FFLAG_NX, UF = RV_FFLAG_UF, OF = RV_FFLAG_OF, DZ = RV_FFLAG_DZ, NV = RV_FFLAG_NV };

/* Single-precision bit patterns. */
#define S_ZERO   0x00000000u
#define S_NZERO  0x80000000u
#define S_ONE    0x3f800000u
#define S_NONE   0xbf800000u
#define S_TWO    0x40000000u
#define S_THREE  0x40400000u
#define S_HALF   0x3f000000u
#define S_NHALF  0xbf000000u
#define S_INF    0x7f800000u
#define S_NINF   0xff800000u
#define S_QNAN   0x7fc00000u
#define S_SNAN   0x7f800001u
#define S_MAX    0x7f7fffffu
#define S_NMAX   0xff7fffffu
#define S_MINNRM 0x00800000u
#define S_MINSUB 0x00000001u
#define S_MAXSUB 0x007fffffu

/* Double-precision bit patterns. */
#define D_ZERO  0x0000000000000000ull
#define D_NZERO 0x8000000000000000ull
#define D_ONE   0x3ff0000000000000ull
#define D_NONE  0xbff0000000000000ull
#define D_TWO   0x4000000000000000ull
#define D_THREE 0x4008000000000000ull
#define D_INF   0x7ff0000000000000ull
#define D_NINF  0xfff0000000000000ull
#define D_QNAN  0x7ff8000000000000ull
#define D_SNAN  0x7ff0000000000001ull
#define D_MAX   0x7fefffffffffffffull

/* Checks one result and the exact set of flags it raised; names the failing case. */
static void check(const char *what, int line, uint64_t got, uint32_t got_fl, uint64_t want,
                  uint32_t want_fl) {
    if (got == want && got_fl == want_fl) return;
    fail_msg("line %d: %s = %#llx flags %#x, want %#llx flags %#x", line, what,
             (unsigned long long)got, got_fl, (unsigned long long)want, want_fl);
}

/* EXPECT(call using &fl, result, flags): runs the call with fresh flags and checks both. */
#define EXPECT(call, want, want_fl)                                                                \
    do {                                                                                           \
        uint32_t fl = 0;                                                                           \
        uint64_t got_ = (uint64_t)(call);                                                          \
        check(#call, __LINE__, got_, fl, (want), (want_fl));                                       \
    } while (0)

static void rounding_mode_helpers(void **state) {
    (void)state;
    for (unsigned rm = 0; rm < 8; rm++)
        assert_int_equal(rv_fpu_rm_valid(rm), rm <= 4);
    unsigned out = 99;
    assert_true(rv_fpu_rm_resolve(RTZ, RUP, &out));
    assert_int_equal(out, RTZ);
    assert_true(rv_fpu_rm_resolve(RV_RM_DYN, RMM, &out));
    assert_int_equal(out, RMM);
    assert_false(rv_fpu_rm_resolve(5, RNE, &out));
    assert_false(rv_fpu_rm_resolve(6, RNE, &out));
    assert_false(rv_fpu_rm_resolve(RV_RM_DYN, 5, &out));
    assert_false(rv_fpu_rm_resolve(RV_RM_DYN, 7, &out));
}

static void nan_boxing(void **state) {
    (void)state;
    assert_int_equal(rv_f32_box(S_ONE), 0xffffffff3f800000ull);
    assert_int_equal(rv_f32_unbox(0xffffffff3f800000ull), S_ONE);
    assert_int_equal(rv_f32_unbox(rv_f32_box(S_SNAN)), S_SNAN);
    /* Anything not boxed reads as the canonical NaN. */
    assert_int_equal(rv_f32_unbox(0x000000003f800000ull), RV_F32_CANONICAL_NAN);
    assert_int_equal(rv_f32_unbox(0xfffffffe3f800000ull), RV_F32_CANONICAL_NAN);
    assert_int_equal(rv_f32_unbox(0x7fffffff3f800000ull), RV_F32_CANONICAL_NAN);
    assert_int_equal(rv_f32_unbox(D_ONE), RV_F32_CANONICAL_NAN);
}

static void add_sub(void **state) {
    (void)state;
    EXPECT(rv_f32_add(S_ONE, S_TWO, RNE, &fl), S_THREE, 0);
    EXPECT(rv_f64_add(D_ONE, D_TWO, RNE, &fl), D_THREE, 0);
    EXPECT(rv_f32_sub(S_ONE, S_TWO, RNE, &fl), S_NONE, 0);
    /* Exact zero sums: +0, except -0 when rounding down. */
    EXPECT(rv_f32_add(S_ONE, S_NONE, RNE, &fl), S_ZERO, 0);
    EXPECT(rv_f32_add(S_ONE, S_NONE, RDN, &fl), S_NZERO, 0);
    EXPECT(rv_f64_sub(D_ONE, D_ONE, RDN, &fl), D_NZERO, 0);
    EXPECT(rv_f32_add(S_ZERO, S_NZERO, RNE, &fl), S_ZERO, 0);
    EXPECT(rv_f32_add(S_ZERO, S_NZERO, RDN, &fl), S_NZERO, 0);
    EXPECT(rv_f32_add(S_NZERO, S_NZERO, RUP, &fl), S_NZERO, 0);
    EXPECT(rv_f32_sub(S_NZERO, S_ZERO, RNE, &fl), S_NZERO, 0);
    /* 1 + 2^-24 is halfway between 1 and 1 + 2^-23. */
    EXPECT(rv_f32_add(S_ONE, 0x33800000u, RNE, &fl), S_ONE, NX);
    EXPECT(rv_f32_add(S_ONE, 0x33800000u, RTZ, &fl), S_ONE, NX);
    EXPECT(rv_f32_add(S_ONE, 0x33800000u, RDN, &fl), S_ONE, NX);
    EXPECT(rv_f32_add(S_ONE, 0x33800000u, RUP, &fl), 0x3f800001u, NX);
    EXPECT(rv_f32_add(S_ONE, 0x33800000u, RMM, &fl), 0x3f800001u, NX);
    /* (1 + 2^-23) + 2^-24: a tie whose even neighbour is above. */
    EXPECT(rv_f32_add(0x3f800001u, 0x33800000u, RNE, &fl), 0x3f800002u, NX);
    EXPECT(rv_f32_add(0x3f800001u, 0x33800000u, RTZ, &fl), 0x3f800001u, NX);
    /* Negative tie: -1 - 2^-24. */
    EXPECT(rv_f32_sub(S_NONE, 0x33800000u, RNE, &fl), S_NONE, NX);
    EXPECT(rv_f32_sub(S_NONE, 0x33800000u, RDN, &fl), 0xbf800001u, NX);
    EXPECT(rv_f32_sub(S_NONE, 0x33800000u, RUP, &fl), S_NONE, NX);
    EXPECT(rv_f32_sub(S_NONE, 0x33800000u, RMM, &fl), 0xbf800001u, NX);
    /* Double tie: 1 + 2^-53. */
    EXPECT(rv_f64_add(D_ONE, 0x3ca0000000000000ull, RNE, &fl), D_ONE, NX);
    EXPECT(rv_f64_add(D_ONE, 0x3ca0000000000000ull, RMM, &fl), 0x3ff0000000000001ull, NX);
    /* Overflow: infinity or the largest finite number depending on the mode and sign. */
    EXPECT(rv_f32_add(S_MAX, S_MAX, RNE, &fl), S_INF, OF | NX);
    EXPECT(rv_f32_add(S_MAX, S_MAX, RMM, &fl), S_INF, OF | NX);
    EXPECT(rv_f32_add(S_MAX, S_MAX, RTZ, &fl), S_MAX, OF | NX);
    EXPECT(rv_f32_add(S_MAX, S_MAX, RDN, &fl), S_MAX, OF | NX);
    EXPECT(rv_f32_add(S_MAX, S_MAX, RUP, &fl), S_INF, OF | NX);
    EXPECT(rv_f32_add(S_NMAX, S_NMAX, RUP, &fl), S_NMAX, OF | NX);
    EXPECT(rv_f32_add(S_NMAX, S_NMAX, RDN, &fl), S_NINF, OF | NX);
    EXPECT(rv_f64_add(D_MAX, D_MAX, RTZ, &fl), D_MAX, OF | NX);
    EXPECT(rv_f64_add(D_MAX, D_MAX, RNE, &fl), D_INF, OF | NX);
    /* Subnormal sums are exact here: no UF without NX. */
    EXPECT(rv_f32_add(S_MINSUB, S_MINSUB, RNE, &fl), 0x00000002u, 0);
    EXPECT(rv_f32_add(S_MAXSUB, S_MINSUB, RNE, &fl), S_MINNRM, 0);
    EXPECT(rv_f32_sub(S_MINNRM, S_MINSUB, RNE, &fl), S_MAXSUB, 0);
    /* Infinities and NaNs. */
    EXPECT(rv_f32_add(S_INF, S_NINF, RNE, &fl), S_QNAN, NV);
    EXPECT(rv_f32_sub(S_INF, S_INF, RNE, &fl), S_QNAN, NV);
    EXPECT(rv_f32_add(S_INF, S_INF, RNE, &fl), S_INF, 0);
    EXPECT(rv_f32_add(S_NINF, S_MAX, RNE, &fl), S_NINF, 0);
    EXPECT(rv_f32_add(0x7fc12345u, S_ONE, RNE, &fl), S_QNAN, 0); /* payload dropped */
    EXPECT(rv_f32_add(0xffc00000u, S_ONE, RNE, &fl), S_QNAN, 0); /* sign dropped */
    EXPECT(rv_f32_add(S_ONE, S_SNAN, RNE, &fl), S_QNAN, NV);
    EXPECT(rv_f64_add(D_SNAN, D_QNAN, RNE, &fl), D_QNAN, NV);
    EXPECT(rv_f64_add(0xfff8000000000123ull, D_ONE, RNE, &fl), D_QNAN, 0);
}

static void mul_tininess(void **state) {
    (void)state;
    EXPECT(rv_f32_mul(S_TWO, S_THREE, RNE, &fl), 0x40c00000u, 0);
    EXPECT(rv_f32_mul(S_INF, S_ZERO, RNE, &fl), S_QNAN, NV);
    EXPECT(rv_f32_mul(S_NZERO, S_INF, RNE, &fl), S_QNAN, NV);
    EXPECT(rv_f32_mul(S_NINF, S_TWO, RNE, &fl), S_NINF, 0);
    EXPECT(rv_f32_mul(S_NZERO, S_TWO, RNE, &fl), S_NZERO, 0);
    EXPECT(rv_f64_mul(D_NONE, D_ZERO, RNE, &fl), D_NZERO, 0);
    /* (1 - 2^-24) * 2^-126: still below 2^-126 after rounding to 24 bits (tiny), and a tie
     * in the subnormal range that rounds to even = 2^-126: UF although the result is normal. */
    EXPECT(rv_f32_mul(0x3f7fffffu, S_MINNRM, RNE, &fl), S_MINNRM, UF | NX);
    EXPECT(rv_f32_mul(0x3f7fffffu, S_MINNRM, RTZ, &fl), S_MAXSUB, UF | NX);
    /* 2^-75 * 2^-75 = 2^-150: half the smallest subnormal. */
    EXPECT(rv_f32_mul(0x1a000000u, 0x1a000000u, RNE, &fl), S_ZERO, UF | NX);
    EXPECT(rv_f32_mul(0x1a000000u, 0x1a000000u, RMM, &fl), S_MINSUB, UF | NX);
    EXPECT(rv_f32_mul(0x1a000000u, 0x1a000000u, RUP, &fl), S_MINSUB, UF | NX);
    EXPECT(rv_f32_mul(0x1a000000u, 0x9a000000u, RDN, &fl), 0x80000001u, UF | NX);
    EXPECT(rv_f32_mul(0x1a000000u, 0x9a000000u, RTZ, &fl), S_NZERO, UF | NX);
    /* Exact subnormal product: no flags at all. */
    EXPECT(rv_f32_mul(0x00000004u, S_HALF, RNE, &fl), 0x00000002u, 0);
    /* Overflow of a product. */
    EXPECT(rv_f64_mul(D_MAX, D_TWO, RNE, &fl), D_INF, OF | NX);
    EXPECT(rv_f64_mul(D_MAX, D_TWO, RTZ, &fl), D_MAX, OF | NX);
}

static void div_sqrt(void **state) {
    (void)state;
    EXPECT(rv_f32_div(S_ONE, S_ZERO, RNE, &fl), S_INF, DZ);
    EXPECT(rv_f32_div(S_NONE, S_ZERO, RNE, &fl), S_NINF, DZ);
    EXPECT(rv_f32_div(S_ONE, S_NZERO, RNE, &fl), S_NINF, DZ);
    EXPECT(rv_f32_div(S_ZERO, S_ZERO, RNE, &fl), S_QNAN, NV);
    EXPECT(rv_f32_div(S_INF, S_INF, RNE, &fl), S_QNAN, NV);
    EXPECT(rv_f32_div(S_INF, S_ZERO, RNE, &fl), S_INF, 0);
    EXPECT(rv_f32_div(S_ONE, S_NINF, RNE, &fl), S_NZERO, 0);
    EXPECT(rv_f32_div(S_QNAN, S_ZERO, RNE, &fl), S_QNAN, 0);
    /* 1/3 in every mode. */
    EXPECT(rv_f32_div(S_ONE, S_THREE, RNE, &fl), 0x3eaaaaabu, NX);
    EXPECT(rv_f32_div(S_ONE, S_THREE, RTZ, &fl), 0x3eaaaaaau, NX);
    EXPECT(rv_f32_div(S_ONE, S_THREE, RDN, &fl), 0x3eaaaaaau, NX);
    EXPECT(rv_f32_div(S_ONE, S_THREE, RUP, &fl), 0x3eaaaaabu, NX);
    EXPECT(rv_f32_div(S_ONE, S_THREE, RMM, &fl), 0x3eaaaaabu, NX);
    EXPECT(rv_f64_div(D_ONE, D_THREE, RNE, &fl), 0x3fd5555555555555ull, NX);
    EXPECT(rv_f64_div(D_ONE, D_THREE, RUP, &fl), 0x3fd5555555555556ull, NX);
    EXPECT(rv_f64_div(D_THREE, D_TWO, RNE, &fl), 0x3ff8000000000000ull, 0);
    /* Square roots. */
    EXPECT(rv_f32_sqrt(0x40800000u, RNE, &fl), S_TWO, 0);
    EXPECT(rv_f32_sqrt(S_TWO, RNE, &fl), 0x3fb504f3u, NX);
    EXPECT(rv_f32_sqrt(S_TWO, RUP, &fl), 0x3fb504f4u, NX);
    EXPECT(rv_f64_sqrt(D_TWO, RNE, &fl), 0x3ff6a09e667f3bcdull, NX);
    EXPECT(rv_f64_sqrt(D_TWO, RTZ, &fl), 0x3ff6a09e667f3bccull, NX);
    EXPECT(rv_f32_sqrt(S_NZERO, RNE, &fl), S_NZERO, 0);
    EXPECT(rv_f32_sqrt(S_NONE, RNE, &fl), S_QNAN, NV);
    EXPECT(rv_f32_sqrt(S_NINF, RNE, &fl), S_QNAN, NV);
    EXPECT(rv_f32_sqrt(S_INF, RNE, &fl), S_INF, 0);
    EXPECT(rv_f32_sqrt(S_SNAN, RNE, &fl), S_QNAN, NV);
    EXPECT(rv_f64_sqrt(0xfff8000000000000ull, RNE, &fl), D_QNAN, 0);
    /* sqrt(2^-148) = 2^-74 exactly, from a subnormal. */
    EXPECT(rv_f32_sqrt(0x00000002u, RNE, &fl), 0x1a800000u, 0);
    /* sqrt(2^-1074) = 2^-537 exactly. */
    EXPECT(rv_f64_sqrt(0x0000000000000001ull, RNE, &fl), 0x1e60000000000000ull, 0);
}

static void fused_multiply_add(void **state) {
    (void)state;
    /* (1 + 2^-12)^2 - (1 + 2^-11) = 2^-24 only with a single rounding. */
    EXPECT(rv_f32_msub(0x3f800800u, 0x3f800800u, 0x3f801000u, RNE, &fl), 0x33800000u, 0);
    EXPECT(rv_f32_madd(0x3f800800u, 0x3f800800u, 0xbf801000u, RNE, &fl), 0x33800000u, 0);
    /* (1 + 2^-27)^2 - (1 + 2^-26) = 2^-54. */
    EXPECT(
        rv_f64_madd(0x3ff0000002000000ull, 0x3ff0000002000000ull, 0xbff0000004000000ull, RNE, &fl),
        0x3c90000000000000ull, 0);
    EXPECT(rv_f32_madd(S_TWO, S_THREE, S_ONE, RNE, &fl), 0x40e00000u, 0);  /* 7 */
    EXPECT(rv_f32_msub(S_TWO, S_THREE, S_ONE, RNE, &fl), 0x40a00000u, 0);  /* 5 */
    EXPECT(rv_f32_nmsub(S_TWO, S_THREE, S_ONE, RNE, &fl), 0xc0a00000u, 0); /* -5 */
    EXPECT(rv_f32_nmadd(S_TWO, S_THREE, S_ONE, RNE, &fl), 0xc0e00000u, 0); /* -7 */
    EXPECT(rv_f64_nmadd(D_TWO, D_THREE, D_ONE, RNE, &fl), 0xc01c000000000000ull, 0);
    /* Exact zeros: sign rules of the sum. */
    EXPECT(rv_f32_madd(S_ONE, S_ONE, S_NONE, RNE, &fl), S_ZERO, 0);
    EXPECT(rv_f32_madd(S_ONE, S_ONE, S_NONE, RDN, &fl), S_NZERO, 0);
    EXPECT(rv_f32_madd(S_ZERO, S_ONE, S_NZERO, RNE, &fl), S_ZERO, 0);
    EXPECT(rv_f32_madd(S_NZERO, S_ONE, S_NZERO, RNE, &fl), S_NZERO, 0);
    EXPECT(rv_f32_nmadd(S_ZERO, S_ONE, S_ZERO, RNE, &fl), S_NZERO, 0);
    EXPECT(rv_f32_nmsub(S_ZERO, S_ONE, S_ZERO, RNE, &fl), S_ZERO, 0);
    EXPECT(rv_f32_madd(S_ZERO, S_ONE, S_MINSUB, RNE, &fl), S_MINSUB, 0);
    /* inf * 0 is invalid even with a quiet-NaN addend. */
    EXPECT(rv_f32_madd(S_INF, S_ZERO, S_QNAN, RNE, &fl), S_QNAN, NV);
    EXPECT(rv_f64_madd(D_ZERO, D_NINF, D_QNAN, RNE, &fl), D_QNAN, NV);
    EXPECT(rv_f32_madd(S_QNAN, S_ONE, S_ONE, RNE, &fl), S_QNAN, 0);
    EXPECT(rv_f32_madd(S_ONE, S_ONE, S_SNAN, RNE, &fl), S_QNAN, NV);
    EXPECT(rv_f32_madd(S_INF, S_ONE, S_NINF, RNE, &fl), S_QNAN, NV);
    EXPECT(rv_f32_msub(S_INF, S_ONE, S_INF, RNE, &fl), S_QNAN, NV);
    EXPECT(rv_f32_madd(S_INF, S_ONE, S_INF, RNE, &fl), S_INF, 0);
    EXPECT(rv_f32_madd(S_ONE, S_ONE, S_NINF, RNE, &fl), S_NINF, 0);
    /* A product that overflows alone but not after the addend: max * 2 - max = max. */
    EXPECT(rv_f32_madd(S_MAX, S_TWO, S_NMAX, RNE, &fl), S_MAX, 0);
}

static void min_max(void **state) {
    (void)state;
    EXPECT(rv_f32_min(S_NZERO, S_ZERO, &fl), S_NZERO, 0);
    EXPECT(rv_f32_min(S_ZERO, S_NZERO, &fl), S_NZERO, 0);
    EXPECT(rv_f32_max(S_NZERO, S_ZERO, &fl), S_ZERO, 0);
    EXPECT(rv_f32_max(S_ZERO, S_NZERO, &fl), S_ZERO, 0);
    EXPECT(rv_f64_min(D_ZERO, D_NZERO, &fl), D_NZERO, 0);
    EXPECT(rv_f64_max(D_NZERO, D_ZERO, &fl), D_ZERO, 0);
    EXPECT(rv_f32_min(S_QNAN, S_ONE, &fl), S_ONE, 0);
    EXPECT(rv_f32_max(S_ONE, 0xffc12345u, &fl), S_ONE, 0);
    EXPECT(rv_f32_min(S_SNAN, S_ONE, &fl), S_ONE, NV);
    EXPECT(rv_f32_max(S_ONE, S_SNAN, &fl), S_ONE, NV);
    EXPECT(rv_f32_min(0x7fc12345u, 0xffc00001u, &fl), S_QNAN, 0);
    EXPECT(rv_f32_max(S_SNAN, S_QNAN, &fl), S_QNAN, NV);
    EXPECT(rv_f64_min(D_SNAN, D_SNAN, &fl), D_QNAN, NV);
    EXPECT(rv_f32_min(S_NINF, S_ONE, &fl), S_NINF, 0);
    EXPECT(rv_f32_max(S_NINF, S_NMAX, &fl), S_NMAX, 0);
    EXPECT(rv_f32_min(S_NONE, S_TWO, &fl), S_NONE, 0);
    EXPECT(rv_f32_min(0xc0000000u, S_NONE, &fl), 0xc0000000u, 0);
    EXPECT(rv_f64_max(D_TWO, D_ONE, &fl), D_TWO, 0);
}

static void compare(void **state) {
    (void)state;
    EXPECT(rv_f32_eq(S_ONE, S_ONE, &fl), 1, 0);
    EXPECT(rv_f32_eq(S_ZERO, S_NZERO, &fl), 1, 0);
    EXPECT(rv_f32_lt(S_NZERO, S_ZERO, &fl), 0, 0);
    EXPECT(rv_f32_le(S_NZERO, S_ZERO, &fl), 1, 0);
    EXPECT(rv_f32_lt(0xc0000000u, S_NONE, &fl), 1, 0);
    EXPECT(rv_f32_lt(S_NONE, 0xc0000000u, &fl), 0, 0);
    EXPECT(rv_f32_lt(S_NINF, S_NMAX, &fl), 1, 0);
    EXPECT(rv_f32_le(S_ONE, S_ONE, &fl), 1, 0);
    EXPECT(rv_f32_lt(S_ONE, S_ONE, &fl), 0, 0);
    /* feq is quiet: NV only for signaling NaNs; flt/fle signal on every NaN. */
    EXPECT(rv_f32_eq(S_QNAN, S_QNAN, &fl), 0, 0);
    EXPECT(rv_f32_eq(S_SNAN, S_ONE, &fl), 0, NV);
    EXPECT(rv_f32_lt(S_QNAN, S_ONE, &fl), 0, NV);
    EXPECT(rv_f32_le(S_ONE, S_QNAN, &fl), 0, NV);
    EXPECT(rv_f64_eq(D_QNAN, D_ONE, &fl), 0, 0);
    EXPECT(rv_f64_eq(D_ONE, D_SNAN, &fl), 0, NV);
    EXPECT(rv_f64_lt(D_NONE, D_ZERO, &fl), 1, 0);
    EXPECT(rv_f64_le(D_QNAN, D_QNAN, &fl), 0, NV);
}

static void classify(void **state) {
    (void)state;
    assert_int_equal(rv_f32_class(S_NINF), 1 << 0);
    assert_int_equal(rv_f32_class(S_NONE), 1 << 1);
    assert_int_equal(rv_f32_class(0x80000001u), 1 << 2);
    assert_int_equal(rv_f32_class(S_NZERO), 1 << 3);
    assert_int_equal(rv_f32_class(S_ZERO), 1 << 4);
    assert_int_equal(rv_f32_class(S_MAXSUB), 1 << 5);
    assert_int_equal(rv_f32_class(S_MINNRM), 1 << 6);
    assert_int_equal(rv_f32_class(S_INF), 1 << 7);
    assert_int_equal(rv_f32_class(S_SNAN), 1 << 8);
    assert_int_equal(rv_f32_class(0xffbfffffu), 1 << 8);
    assert_int_equal(rv_f32_class(S_QNAN), 1 << 9);
    assert_int_equal(rv_f32_class(0xffc00001u), 1 << 9);
    assert_int_equal(rv_f64_class(D_NINF), 1 << 0);
    assert_int_equal(rv_f64_class(0xffefffffffffffffull), 1 << 1);
    assert_int_equal(rv_f64_class(0x800fffffffffffffull), 1 << 2);
    assert_int_equal(rv_f64_class(D_NZERO), 1 << 3);
    assert_int_equal(rv_f64_class(D_ZERO), 1 << 4);
    assert_int_equal(rv_f64_class(0x0000000000000001ull), 1 << 5);
    assert_int_equal(rv_f64_class(D_ONE), 1 << 6);
    assert_int_equal(rv_f64_class(D_INF), 1 << 7);
    assert_int_equal(rv_f64_class(D_SNAN), 1 << 8);
    assert_int_equal(rv_f64_class(D_QNAN), 1 << 9);
}

static void sign_injection(void **state) {
    (void)state;
    assert_int_equal(rv_f32_sgnj(S_ONE, S_NZERO), S_NONE);
    assert_int_equal(rv_f32_sgnj(S_NONE, S_ZERO), S_ONE);
    assert_int_equal(rv_f32_sgnjn(S_ONE, S_ONE), S_NONE); /* fneg */
    assert_int_equal(rv_f32_sgnjn(S_NONE, S_ONE), S_NONE);
    assert_int_equal(rv_f32_sgnjx(S_NONE, S_NONE), S_ONE); /* fabs */
    assert_int_equal(rv_f32_sgnjx(S_ONE, S_NONE), S_NONE);
    assert_int_equal(rv_f32_sgnj(S_SNAN, S_NONE), 0xff800001u); /* NaNs are not touched */
    assert_int_equal(rv_f64_sgnj(D_ONE, D_NZERO), D_NONE);
    assert_int_equal(rv_f64_sgnjn(D_QNAN, D_QNAN), 0xfff8000000000000ull);
    assert_int_equal(rv_f64_sgnjx(D_NONE, D_NONE), D_ONE);
}

static void float_to_int(void **state) {
    (void)state;
    /* -0.5 rounds to zero (no NV even for unsigned) or to -1 depending on the mode. */
    EXPECT(rv_f32_to_w(S_NHALF, RNE, &fl), 0, NX);
    EXPECT(rv_f32_to_w(S_NHALF, RTZ, &fl), 0, NX);
    EXPECT(rv_f32_to_w(S_NHALF, RUP, &fl), 0, NX);
    EXPECT(rv_f32_to_w(S_NHALF, RDN, &fl), ~0ull, NX);
    EXPECT(rv_f32_to_w(S_NHALF, RMM, &fl), ~0ull, NX);
    EXPECT(rv_f32_to_wu(S_NHALF, RNE, &fl), 0, NX);
    EXPECT(rv_f32_to_wu(S_NHALF, RDN, &fl), 0, NV);
    EXPECT(rv_f32_to_lu(S_NHALF, RTZ, &fl), 0, NX);
    /* 2.5 and -2.5 in every mode. */
    EXPECT(rv_f32_to_w(0x40200000u, RNE, &fl), 2, NX);
    EXPECT(rv_f32_to_w(0x40200000u, RTZ, &fl), 2, NX);
    EXPECT(rv_f32_to_w(0x40200000u, RDN, &fl), 2, NX);
    EXPECT(rv_f32_to_w(0x40200000u, RUP, &fl), 3, NX);
    EXPECT(rv_f32_to_w(0x40200000u, RMM, &fl), 3, NX);
    EXPECT(rv_f64_to_l(0xc004000000000000ull, RNE, &fl), (uint64_t)-2, NX);
    EXPECT(rv_f64_to_l(0xc004000000000000ull, RTZ, &fl), (uint64_t)-2, NX);
    EXPECT(rv_f64_to_l(0xc004000000000000ull, RDN, &fl), (uint64_t)-3, NX);
    EXPECT(rv_f64_to_l(0xc004000000000000ull, RUP, &fl), (uint64_t)-2, NX);
    EXPECT(rv_f64_to_l(0xc004000000000000ull, RMM, &fl), (uint64_t)-3, NX);
    EXPECT(rv_f64_to_l(0x3ff8000000000000ull, RNE, &fl), 2, NX); /* 1.5 */
    EXPECT(rv_f32_to_w(S_THREE, RNE, &fl), 3, 0);
    /* 32-bit bounds; results are sign-extended to 64 bits, also for wu. */
    EXPECT(rv_f32_to_w(0x4f000000u, RNE, &fl), 0x7fffffffull, NV);                   /* 2^31 */
    EXPECT(rv_f32_to_w(0xcf000000u, RNE, &fl), 0xffffffff80000000ull, 0);            /* -2^31 */
    EXPECT(rv_f64_to_w(0xc1e0000000200000ull, RNE, &fl), 0xffffffff80000000ull, NV); /* -1 */
    EXPECT(rv_f64_to_w(0xc1e0000000100000ull, RNE, &fl), 0xffffffff80000000ull, NX); /* .5 */
    EXPECT(rv_f64_to_w(0xc1e0000000100000ull, RDN, &fl), 0xffffffff80000000ull, NV);
    EXPECT(rv_f64_to_w(0x41dfffffffc00000ull, RNE, &fl), 0x7fffffffull, 0);  /* 2^31-1 */
    EXPECT(rv_f64_to_w(0x41dfffffffe00000ull, RNE, &fl), 0x7fffffffull, NV); /* +0.5 tie */
    EXPECT(rv_f64_to_w(0x41dfffffffe00000ull, RTZ, &fl), 0x7fffffffull, NX);
    EXPECT(rv_f64_to_wu(0x41efffffffe00000ull, RNE, &fl), ~0ull, 0);                 /* 2^32-1 */
    EXPECT(rv_f64_to_wu(0x41f0000000000000ull, RNE, &fl), ~0ull, NV);                /* 2^32 */
    EXPECT(rv_f64_to_wu(0x41e0000000000000ull, RNE, &fl), 0xffffffff80000000ull, 0); /* 2^31 */
    EXPECT(rv_f32_to_wu(S_NONE, RNE, &fl), 0, NV);
    /* NaN gives the largest value whatever its sign; infinities saturate. */
    EXPECT(rv_f32_to_w(S_QNAN, RNE, &fl), 0x7fffffffull, NV);
    EXPECT(rv_f32_to_w(0xffc00000u, RNE, &fl), 0x7fffffffull, NV);
    EXPECT(rv_f32_to_wu(S_SNAN, RNE, &fl), ~0ull, NV);
    EXPECT(rv_f32_to_w(S_NINF, RNE, &fl), 0xffffffff80000000ull, NV);
    EXPECT(rv_f32_to_wu(S_NINF, RNE, &fl), 0, NV);
    EXPECT(rv_f32_to_w(S_INF, RNE, &fl), 0x7fffffffull, NV);
    EXPECT(rv_f64_to_l(D_QNAN, RNE, &fl), 0x7fffffffffffffffull, NV);
    EXPECT(rv_f64_to_lu(D_NINF, RNE, &fl), 0, NV);
    EXPECT(rv_f64_to_lu(D_QNAN, RNE, &fl), ~0ull, NV);
    /* 64-bit bounds. */
    EXPECT(rv_f32_to_l(0x5f000000u, RNE, &fl), 0x7fffffffffffffffull, NV); /* 2^63 */
    EXPECT(rv_f32_to_l(0xdf000000u, RNE, &fl), 0x8000000000000000ull, 0);  /* -2^63 */
    EXPECT(rv_f32_to_lu(0x5f000000u, RNE, &fl), 0x8000000000000000ull, 0); /* 2^63 */
    EXPECT(rv_f32_to_lu(0x5f800000u, RNE, &fl), ~0ull, NV);                /* 2^64 */
    EXPECT(rv_f64_to_l(0x43dfffffffffffffull, RNE, &fl), 0x7ffffffffffffc00ull, 0);
    EXPECT(rv_f64_to_l(0xc3e0000000000001ull, RNE, &fl), 0x8000000000000000ull, NV);
    EXPECT(rv_f64_to_lu(0x43efffffffffffffull, RNE, &fl), 0xfffffffffffff800ull, 0);
    /* Tiny values. */
    EXPECT(rv_f64_to_l(0x0000000000000001ull, RUP, &fl), 1, NX);
    EXPECT(rv_f64_to_l(0x8000000000000001ull, RDN, &fl), ~0ull, NX);
    EXPECT(rv_f64_to_l(0x8000000000000001ull, RNE, &fl), 0, NX);
    EXPECT(rv_f32_to_lu(S_NZERO, RDN, &fl), 0, 0);
}

static void int_to_float(void **state) {
    (void)state;
    EXPECT(rv_f32_from_w(0, RDN, &fl), S_ZERO, 0); /* +0, never -0 */
    EXPECT(rv_f32_from_w(-1, RNE, &fl), S_NONE, 0);
    EXPECT(rv_f32_from_w(INT32_MIN, RNE, &fl), 0xcf000000u, 0);
    EXPECT(rv_f32_from_w(INT32_MAX, RNE, &fl), 0x4f000000u, NX);
    EXPECT(rv_f32_from_w(INT32_MAX, RTZ, &fl), 0x4effffffu, NX);
    /* 2^24 + 1 is a tie between 2^24 and 2^24 + 2. */
    EXPECT(rv_f32_from_w(16777217, RNE, &fl), 0x4b800000u, NX);
    EXPECT(rv_f32_from_w(16777217, RMM, &fl), 0x4b800001u, NX);
    EXPECT(rv_f32_from_w(-16777217, RMM, &fl), 0xcb800001u, NX);
    EXPECT(rv_f32_from_w(-16777217, RUP, &fl), 0xcb800000u, NX);
    EXPECT(rv_f32_from_w(16777219, RNE, &fl), 0x4b800002u, NX); /* tie up to even */
    EXPECT(rv_f32_from_wu(UINT32_MAX, RNE, &fl), 0x4f800000u, NX);
    EXPECT(rv_f32_from_l(INT64_MIN, RNE, &fl), 0xdf000000u, 0);
    EXPECT(rv_f32_from_lu(UINT64_MAX, RNE, &fl), 0x5f800000u, NX);
    EXPECT(rv_f32_from_lu(UINT64_MAX, RTZ, &fl), 0x5f7fffffu, NX);
    EXPECT(rv_f64_from_w(INT32_MIN, RNE, &fl), 0xc1e0000000000000ull, 0);
    EXPECT(rv_f64_from_wu(UINT32_MAX, RNE, &fl), 0x41efffffffe00000ull, 0);
    EXPECT(rv_f64_from_l(INT64_MIN, RNE, &fl), 0xc3e0000000000000ull, 0);
    EXPECT(rv_f64_from_l(INT64_MAX, RNE, &fl), 0x43e0000000000000ull, NX);
    EXPECT(rv_f64_from_l(INT64_MAX, RDN, &fl), 0x43dfffffffffffffull, NX);
    EXPECT(rv_f64_from_lu(UINT64_MAX, RNE, &fl), 0x43f0000000000000ull, NX);
    EXPECT(rv_f64_from_lu((1ull << 53) + 1, RNE, &fl), 0x4340000000000000ull, NX);
    EXPECT(rv_f64_from_lu((1ull << 53) + 1, RMM, &fl), 0x4340000000000001ull, NX);
    EXPECT(rv_f64_from_lu(1ull << 53, RUP, &fl), 0x4340000000000000ull, 0);
}

static void between_formats(void **state) {
    (void)state;
    EXPECT(rv_f64_to_f32(0x3fd5555555555555ull, RNE, &fl), 0x3eaaaaabu, NX);
    EXPECT(rv_f64_to_f32(0x3fd5555555555555ull, RTZ, &fl), 0x3eaaaaaau, NX);
    EXPECT(rv_f64_to_f32(D_ONE, RNE, &fl), S_ONE, 0);
    EXPECT(rv_f64_to_f32(D_NZERO, RNE, &fl), S_NZERO, 0);
    EXPECT(rv_f64_to_f32(D_NINF, RNE, &fl), S_NINF, 0);
    EXPECT(rv_f64_to_f32(D_MAX, RNE, &fl), S_INF, OF | NX);
    EXPECT(rv_f64_to_f32(D_MAX, RTZ, &fl), S_MAX, OF | NX);
    EXPECT(rv_f64_to_f32(0xffefffffffffffffull, RUP, &fl), S_NMAX, OF | NX);
    EXPECT(rv_f64_to_f32(D_SNAN, RNE, &fl), S_QNAN, NV);
    EXPECT(rv_f64_to_f32(0xfff8000000012345ull, RNE, &fl), S_QNAN, 0);
    /* 2^-126 * (1 - 2^-26) rounds to 2^-126 at 24 bits: not tiny after rounding, no UF. */
    EXPECT(rv_f64_to_f32(0x380ffffff8000000ull, RNE, &fl), S_MINNRM, NX);
    /* ... but in RTZ it stays below 2^-126: tiny. */
    EXPECT(rv_f64_to_f32(0x380ffffff8000000ull, RTZ, &fl), S_MAXSUB, UF | NX);
    /* 2^-126 * (1 - 2^-24) has 24 bits, so it is tiny even though it rounds up to 2^-126. */
    EXPECT(rv_f64_to_f32(0x380fffffe0000000ull, RNE, &fl), S_MINNRM, UF | NX);
    EXPECT(rv_f64_to_f32(0x380fffffe0000000ull, RDN, &fl), S_MAXSUB, UF | NX);
    /* 2^-150: half the smallest subnormal. */
    EXPECT(rv_f64_to_f32(0x3690000000000000ull, RNE, &fl), S_ZERO, UF | NX);
    EXPECT(rv_f64_to_f32(0x3690000000000000ull, RMM, &fl), S_MINSUB, UF | NX);
    EXPECT(rv_f64_to_f32(0x3690000000000000ull, RUP, &fl), S_MINSUB, UF | NX);
    EXPECT(rv_f64_to_f32(0x36a0000000000000ull, RNE, &fl), S_MINSUB, 0); /* 2^-149 exact */
    EXPECT(rv_f64_to_f32(0x0000000000000001ull, RUP, &fl), S_MINSUB, UF | NX);
    EXPECT(rv_f64_to_f32(0x8000000000000001ull, RUP, &fl), S_NZERO, UF | NX);
    /* Widening is exact; NaNs become the canonical NaN. */
    EXPECT(rv_f32_to_f64(S_ONE, RNE, &fl), D_ONE, 0);
    EXPECT(rv_f32_to_f64(S_MINSUB, RNE, &fl), 0x36a0000000000000ull, 0);
    EXPECT(rv_f32_to_f64(0x80400000u, RNE, &fl), 0xb800000000000000ull, 0);
    EXPECT(rv_f32_to_f64(S_MAX, RNE, &fl), 0x47efffffe0000000ull, 0);
    EXPECT(rv_f32_to_f64(S_SNAN, RNE, &fl), D_QNAN, NV);
    EXPECT(rv_f32_to_f64(0xffc12345u, RNE, &fl), D_QNAN, 0);
    EXPECT(rv_f32_to_f64(S_NINF, RNE, &fl), D_NINF, 0);
}

/* Flags accumulate: functions OR into *fflags and never clear bits. */
static void flags_accumulate(void **state) {
    (void)state;
    uint32_t fl = NV;
    assert_int_equal(rv_f32_add(S_ONE, S_ONE, RNE, &fl), S_TWO);
    assert_int_equal(fl, NV);
    rv_f32_div(S_ONE, S_THREE, RNE, &fl);
    assert_int_equal(fl, NV | NX);
    rv_f64_div(D_ONE, D_ZERO, RNE, &fl);
    assert_int_equal(fl, NV | NX | DZ);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rounding_mode_helpers),
        cmocka_unit_test(nan_boxing),
        cmocka_unit_test(add_sub),
        cmocka_unit_test(mul_tininess),
        cmocka_unit_test(div_sqrt),
        cmocka_unit_test(fused_multiply_add),
        cmocka_unit_test(min_max),
        cmocka_unit_test(compare),
        cmocka_unit_test(classify),
        cmocka_unit_test(sign_injection),
        cmocka_unit_test(float_to_int),
        cmocka_unit_test(int_to_float),
        cmocka_unit_test(between_formats),
        cmocka_unit_test(flags_accumulate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
