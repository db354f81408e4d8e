/* fp_fast.c - the host FPU for the floating-point instructions translated code calls out for,
 * when the result is provably the one the soft-float FPU would give.
 *
 * The soft-float FPU (src/riscv/fpu.c) is exact but costs 10-20 ns per operation. Under
 * round-to-nearest-even the host's IEEE double and single arithmetic gives the same rounded
 * result; what differs is only how to learn the flags. This file takes the common case: finite
 * operands and a normal result far from the underflow range, where the only possible flag is
 * inexact (NX). Inexactness is decided exactly with error-free transformations: for a sum the
 * two-sum error term; for a product, quotient or square root the residual computed with one
 * fused multiply-add (a*b - p, a - q*b, a - s*s), which is exactly representable under the
 * exponent bounds checked here. Anything else - NaN, infinity, zero or tiny results, other
 * rounding modes, a host without FMA for the multiplicative ops - returns false, and the caller
 * runs the soft-float path, so results and flags always match it bit for bit.
 */
#include <stdint.h>
#include <string.h>

#include "jit/jit_priv.h"
#include "riscv/decode.h"
#include "riscv/fpu.h"
#include "mem/host_arch.h"

#if defined(__x86_64__)
#define FMA_TARGET __attribute__((target("fma")))
#else
#define FMA_TARGET
#endif

static int have_fma = -1; /* -1 unknown, else 0/1 */

static bool host_fma(void) {
    if (have_fma < 0) {
#if defined(__x86_64__)
        have_fma = mem_host_isa().fma; /* no CPUID where the C library knows (host_arch.h) */
#elif defined(__aarch64__)
        have_fma = 1;
#else
        have_fma = 0;
#endif
    }
    return have_fma == 1;
}

static inline double d_of(uint64_t b) {
    double d;
    memcpy(&d, &b, 8);
    return d;
}
static inline uint64_t bits_d(double d) {
    uint64_t b;
    memcpy(&b, &d, 8);
    return b;
}
static inline float f_of(uint32_t b) {
    float f;
    memcpy(&f, &b, 4);
    return f;
}
static inline uint32_t bits_f(float f) {
    uint32_t b;
    memcpy(&b, &f, 4);
    return b;
}
static inline unsigned dexp(uint64_t b) {
    return (unsigned)(b >> 52) & 0x7ff;
}
static inline unsigned fexp(uint32_t b) {
    return (b >> 23) & 0xff;
}

/* Exponent bounds (biased): a result at or above LO is normal and so far from the subnormal
 * range that the error terms below are exact; below HI it is finite. Sums need less margin. */
#define D_SUM_LO 2u
#define D_MUL_LO 110u
#define D_HI     0x7ffu
#define F_SUM_LO 2u
#define F_MUL_LO 50u
#define F_HI     0xffu

/* Double sum a + b: the rounded sum, *nx = inexact; false when not provably like soft-float. */
static bool d_add(uint64_t a, uint64_t b, uint64_t *r, bool *nx) {
    if (dexp(a) == D_HI || dexp(b) == D_HI) return false;
    double x = d_of(a), y = d_of(b), s = x + y;
    uint64_t sb = bits_d(s);
    if (dexp(sb) < D_SUM_LO || dexp(sb) >= D_HI) return false;
    double bb = s - x, err = (x - (s - bb)) + (y - bb);
    *r = sb;
    *nx = err != 0;
    return true;
}

static bool f_add(uint32_t a, uint32_t b, uint32_t *r, bool *nx) {
    if (fexp(a) == F_HI || fexp(b) == F_HI) return false;
    float x = f_of(a), y = f_of(b), s = x + y;
    uint32_t sb = bits_f(s);
    if (fexp(sb) < F_SUM_LO || fexp(sb) >= F_HI) return false;
    float bb = s - x, err = (x - (s - bb)) + (y - bb);
    *r = sb;
    *nx = err != 0;
    return true;
}

FMA_TARGET static bool d_mul(uint64_t a, uint64_t b, uint64_t *r, bool *nx) {
    if (dexp(a) == D_HI || dexp(b) == D_HI) return false;
    double x = d_of(a), y = d_of(b), p = x * y;
    uint64_t pb = bits_d(p);
    if (dexp(pb) < D_MUL_LO || dexp(pb) >= D_HI) return false;
    *r = pb;
    *nx = __builtin_fma(x, y, -p) != 0;
    return true;
}

FMA_TARGET static bool f_mul(uint32_t a, uint32_t b, uint32_t *r, bool *nx) {
    if (fexp(a) == F_HI || fexp(b) == F_HI) return false;
    float x = f_of(a), y = f_of(b), p = x * y;
    uint32_t pb = bits_f(p);
    if (fexp(pb) < F_MUL_LO || fexp(pb) >= F_HI) return false;
    *r = pb;
    *nx = __builtin_fmaf(x, y, -p) != 0;
    return true;
}

FMA_TARGET static bool d_div(uint64_t a, uint64_t b, uint64_t *r, bool *nx) {
    if (dexp(a) < D_MUL_LO || dexp(a) == D_HI || dexp(b) == 0 || dexp(b) == D_HI) return false;
    double x = d_of(a), y = d_of(b), q = x / y;
    uint64_t qb = bits_d(q);
    if (dexp(qb) < D_MUL_LO || dexp(qb) >= D_HI) return false;
    *r = qb;
    *nx = __builtin_fma(-q, y, x) != 0;
    return true;
}

FMA_TARGET static bool f_div(uint32_t a, uint32_t b, uint32_t *r, bool *nx) {
    if (fexp(a) < F_MUL_LO || fexp(a) == F_HI || fexp(b) == 0 || fexp(b) == F_HI) return false;
    float x = f_of(a), y = f_of(b), q = x / y;
    uint32_t qb = bits_f(q);
    if (fexp(qb) < F_MUL_LO || fexp(qb) >= F_HI) return false;
    *r = qb;
    *nx = __builtin_fmaf(-q, y, x) != 0;
    return true;
}

FMA_TARGET static bool d_sqrt(uint64_t a, uint64_t *r, bool *nx) {
    if ((a >> 63) || dexp(a) < D_MUL_LO || dexp(a) == D_HI) return false;
    double x = d_of(a), s = __builtin_sqrt(x);
    *r = bits_d(s);
    *nx = __builtin_fma(-s, s, x) != 0;
    return true;
}

FMA_TARGET static bool f_sqrt(uint32_t a, uint32_t *r, bool *nx) {
    if ((a >> 31) || fexp(a) < F_MUL_LO || fexp(a) == F_HI) return false;
    float x = f_of(a), s = __builtin_sqrtf(x);
    *r = bits_f(s);
    *nx = __builtin_fmaf(-s, s, x) != 0;
    return true;
}

/* A single operand: its bits when properly NaN-boxed, else false (soft-float treats it as the
 * canonical NaN). */
static inline bool unbox(uint64_t reg, uint32_t *v) {
    if ((reg >> 32) != 0xffffffffu) return false;
    *v = (uint32_t)reg;
    return true;
}

bool jit_fp_fast(rv_cpu_t *cpu, const rv_op_t *op) {
    unsigned rm = op->rm == RV_RM_DYN ? cpu->frm : op->rm;
    uint64_t *f = cpu->f, rd;
    uint32_t a32, b32, r32 = 0;
    bool nx = false, ok;
    switch (op->id) {
    case RV_I_fadd_d:
    case RV_I_fsub_d:
        if (rm != RV_RM_RNE) return false;
        ok = d_add(f[op->rs1], f[op->rs2] ^ (op->id == RV_I_fsub_d ? 1ull << 63 : 0), &rd, &nx);
        break;
    case RV_I_fmul_d:
        if (rm != RV_RM_RNE || !host_fma()) return false;
        ok = d_mul(f[op->rs1], f[op->rs2], &rd, &nx);
        break;
    case RV_I_fdiv_d:
        if (rm != RV_RM_RNE || !host_fma()) return false;
        ok = d_div(f[op->rs1], f[op->rs2], &rd, &nx);
        break;
    case RV_I_fsqrt_d:
        if (rm != RV_RM_RNE || !host_fma()) return false;
        ok = d_sqrt(f[op->rs1], &rd, &nx);
        break;
    case RV_I_fadd_s:
    case RV_I_fsub_s:
        if (rm != RV_RM_RNE || !unbox(f[op->rs1], &a32) || !unbox(f[op->rs2], &b32)) return false;
        ok = f_add(a32, b32 ^ (op->id == RV_I_fsub_s ? 1u << 31 : 0), &r32, &nx);
        rd = rv_f32_box(r32);
        break;
    case RV_I_fmul_s:
    case RV_I_fdiv_s:
        if (rm != RV_RM_RNE || !host_fma() || !unbox(f[op->rs1], &a32) || !unbox(f[op->rs2], &b32))
            return false;
        ok = op->id == RV_I_fmul_s ? f_mul(a32, b32, &r32, &nx) : f_div(a32, b32, &r32, &nx);
        rd = rv_f32_box(r32);
        break;
    case RV_I_fsqrt_s:
        if (rm != RV_RM_RNE || !host_fma() || !unbox(f[op->rs1], &a32)) return false;
        ok = f_sqrt(a32, &r32, &nx);
        rd = rv_f32_box(r32);
        break;
    case RV_I_fcvt_d_w: /* always exact */
        if (rm > RV_RM_RMM) return false;
        rd = bits_d((double)(int32_t)cpu->x[op->rs1]);
        ok = true;
        break;
    case RV_I_fcvt_d_l: { /* exact when it fits in 53 bits */
        int64_t v = (int64_t)cpu->x[op->rs1];
        if (rm > RV_RM_RMM || v > (1ll << 53) || v < -(1ll << 53)) return false;
        rd = bits_d((double)v);
        ok = true;
        break;
    }
    case RV_I_fcvt_l_d:
    case RV_I_fcvt_w_d: { /* truncation (C casts) of an in-range value */
        if (rm != RV_RM_RTZ) return false;
        double x = d_of(f[op->rs1]);
        bool l = op->id == RV_I_fcvt_l_d;
        if (!(x > (l ? -9223372036854775808.0 - 1 : -2147483649.0) &&
              x < (l ? 9223372036854775808.0 : 2147483648.0)))
            return false; /* NaN or out of range: NV and saturation are soft-float's */
        int64_t v = (int64_t)x;
        if (!l) v = (int32_t)v;
        if (op->rd) cpu->x[op->rd] = (uint64_t)v;
        if ((double)v != x) cpu->fflags |= RV_FFLAG_NX;
        return true;
    }
    case RV_I_feq_d:
    case RV_I_flt_d:
    case RV_I_fle_d: { /* no flags unless an operand is NaN */
        uint64_t a = f[op->rs1], b = f[op->rs2];
        if ((dexp(a) == D_HI && (a << 12)) || (dexp(b) == D_HI && (b << 12))) return false;
        double x = d_of(a), y = d_of(b);
        bool r = op->id == RV_I_feq_d ? x == y : op->id == RV_I_flt_d ? x < y : x <= y;
        if (op->rd) cpu->x[op->rd] = r;
        return true;
    }
    default: return false;
    }
    if (!ok) return false;
    f[op->rd] = rd;
    if (nx) cpu->fflags |= RV_FFLAG_NX;
    return true;
}
