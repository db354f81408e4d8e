/* fpu_guest.c - riscv64 half of the FPU differential test (built with the riscv64 cross
 * compiler, run under a reference emulator).
 *
 * Runs every F/D operation, in every static rounding mode, on a fixed table of special values
 * and on pseudo-random operands from a fixed seed (biased towards subnormals, the overflow
 * edge, numbers near 1, near-integers, short significands that make rounding ties, and
 * operand pairs that cancel). Each operation is one inline-asm instruction with the rounding
 * mode encoded in it; fflags is cleared before and read right after it. One line per case:
 *
 *     <op> <rm> <a> <b> <c> <result> <fflags>          (hex, 64-bit register images)
 *
 * The host half (fpu_diff.c) parses the same lines, recomputes them with the vm FPU and
 * compares. Single-precision operands are loaded with fmv.w.x (NaN-boxed); the *_raw ops load
 * full 64-bit images with fmv.d.x to exercise unboxing. Results are read with fmv.x.d, so the
 * NaN-boxing of single results is compared too. The last line is "END <number of cases>".
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t (*guest_fn)(uint64_t a, uint64_t b, uint64_t c, uint32_t *fl);

/* Operand kinds the generator produces for each input. */
enum kind { K_NONE, K_S, K_D, K_RAW, K_INT };

#define CLR  "csrwi fflags, 0\n\t"
#define GET  "\n\tfrflags %[f]\n\t"
#define OUT  [r] "=&r"(r), [f] "=&r"(f)
#define IN   [a] "r"(a), [b] "r"(b), [c] "r"(c)
#define CLOB "ft0", "ft1", "ft2", "ft3"

#define FN_BEGIN(id, n)                                                                            \
    static uint64_t id##_##n(uint64_t a, uint64_t b, uint64_t c, uint32_t *fl) {                   \
        uint64_t r, f;                                                                             \
        (void)a;                                                                                   \
        (void)b;                                                                                   \
        (void)c;
#define FN_END                                                                                     \
    *fl = (uint32_t)f;                                                                             \
    return r;                                                                                      \
    }

/* f <- op(f, f) with rounding mode; ld/st move operands and result between x and f regs. */
#define G_FF_RM(id, insn, ld, st, n, rm)                                                           \
    FN_BEGIN(id, n)                                                                                \
    __asm__ volatile(ld " ft1, %[a]\n\t" ld " ft2, %[b]\n\t" CLR insn                              \
                        " ft0, ft1, ft2, " #rm GET st " %[r], ft0"                                 \
                     : OUT:IN                                                                      \
                     : CLOB);                                                                      \
    FN_END
/* f <- op(f) with rounding mode. */
#define G_F_RM(id, insn, ld, st, n, rm)                                                            \
    FN_BEGIN(id, n)                                                                                \
    __asm__ volatile(ld " ft1, %[a]\n\t" CLR insn " ft0, ft1, " #rm GET st " %[r], ft0"            \
                     : OUT:IN                                                                      \
                     : CLOB);                                                                      \
    FN_END
/* f <- op(f, f, f) with rounding mode. */
#define G_FFF_RM(id, insn, ld, st, n, rm)                                                          \
    FN_BEGIN(id, n)                                                                                \
    __asm__ volatile(ld " ft1, %[a]\n\t" ld " ft2, %[b]\n\t" ld " ft3, %[c]\n\t" CLR insn          \
                        " ft0, ft1, ft2, ft3, " #rm GET st " %[r], ft0"                            \
                     : OUT:IN                                                                      \
                     : CLOB);                                                                      \
    FN_END
/* x <- op(f) with rounding mode (conversions to integers). */
#define G_XF_RM(id, insn, ld, st, n, rm)                                                           \
    FN_BEGIN(id, n)                                                                                \
    __asm__ volatile(ld " ft1, %[a]\n\t" CLR insn " %[r], ft1, " #rm GET:OUT:IN : CLOB);           \
    FN_END
/* f <- op(x) with rounding mode (conversions from integers). */
#define G_FX_RM(id, insn, ld, st, n, rm)                                                           \
    FN_BEGIN(id, n)                                                                                \
    __asm__ volatile(CLR insn " ft0, %[a], " #rm GET st " %[r], ft0" : OUT:IN : CLOB);             \
    FN_END
/* Instructions the assembler refuses a rounding mode for (exact ones): raw encoding of
 * OP-FP with funct7 and rs2 given, rd = ft0, rs1 = ft1 (fsrc) or a register (xsrc). */
#define G_INSN_F(id, f7rs2, ld, st, n, rm)                                                         \
    FN_BEGIN(id, n)                                                                                \
    __asm__ volatile(ld " ft1, %[a]\n\t" CLR ".insn r 0x53, " #n ", " f7rs2 GET st " %[r], ft0"    \
                     : OUT:IN                                                                      \
                     : CLOB);                                                                      \
    FN_END
/* f <- op(f, f) without rounding mode. */
#define G_FF(id, insn, ld, st)                                                                     \
    FN_BEGIN(id, 0)                                                                                \
    __asm__ volatile(ld " ft1, %[a]\n\t" ld " ft2, %[b]\n\t" CLR insn " ft0, ft1, ft2" GET st      \
                        " %[r], ft0"                                                               \
                     : OUT:IN                                                                      \
                     : CLOB);                                                                      \
    FN_END
/* x <- op(f, f) (comparisons). */
#define G_XFF(id, insn, ld)                                                                        \
    FN_BEGIN(id, 0)                                                                                \
    __asm__ volatile(ld " ft1, %[a]\n\t" ld " ft2, %[b]\n\t" CLR insn " %[r], ft1, ft2" GET:OUT:IN \
                     : CLOB);                                                                      \
    FN_END
/* x <- op(f) (fclass). */
#define G_XF(id, insn, ld)                                                                         \
    FN_BEGIN(id, 0)                                                                                \
    __asm__ volatile(ld " ft1, %[a]\n\t" CLR insn " %[r], ft1" GET:OUT:IN : CLOB);                 \
    FN_END

/* One function per static rounding mode. */
#define ALL_RM(M, id, insn, ld, st)                                                                \
    M(id, insn, ld, st, 0, rne)                                                                    \
    M(id, insn, ld, st, 1, rtz)                                                                    \
    M(id, insn, ld, st, 2, rdn) M(id, insn, ld, st, 3, rup) M(id, insn, ld, st, 4, rmm)

/* The operation table: name, generator kinds of a/b/c, rounding-mode functions or one. */
struct op {
    const char *name;     /* printed op name, the host looks it up */
    enum kind ka, kb, kc; /* what to generate for each operand */
    guest_fn rm_fn[5];    /* per rounding mode, or only [0] when the op has no rm */
    int has_rm;           /* 1: run all five modes */
    int count;            /* random cases per mode (beside the special-value cross product) */
};

#define LS "fmv.w.x"
#define LD "fmv.d.x"
#define SX "fmv.x.d"

ALL_RM(G_FF_RM, fadd_s, "fadd.s", LS, SX)
ALL_RM(G_FF_RM, fsub_s, "fsub.s", LS, SX)
ALL_RM(G_FF_RM, fmul_s, "fmul.s", LS, SX)
ALL_RM(G_FF_RM, fdiv_s, "fdiv.s", LS, SX)
ALL_RM(G_F_RM, fsqrt_s, "fsqrt.s", LS, SX)
ALL_RM(G_FFF_RM, fmadd_s, "fmadd.s", LS, SX)
ALL_RM(G_FFF_RM, fmsub_s, "fmsub.s", LS, SX)
ALL_RM(G_FFF_RM, fnmsub_s, "fnmsub.s", LS, SX)
ALL_RM(G_FFF_RM, fnmadd_s, "fnmadd.s", LS, SX)
ALL_RM(G_XF_RM, fcvt_w_s, "fcvt.w.s", LS, SX)
ALL_RM(G_XF_RM, fcvt_wu_s, "fcvt.wu.s", LS, SX)
ALL_RM(G_XF_RM, fcvt_l_s, "fcvt.l.s", LS, SX)
ALL_RM(G_XF_RM, fcvt_lu_s, "fcvt.lu.s", LS, SX)
ALL_RM(G_FX_RM, fcvt_s_w, "fcvt.s.w", LS, SX)
ALL_RM(G_FX_RM, fcvt_s_wu, "fcvt.s.wu", LS, SX)
ALL_RM(G_FX_RM, fcvt_s_l, "fcvt.s.l", LS, SX)
ALL_RM(G_FX_RM, fcvt_s_lu, "fcvt.s.lu", LS, SX)
ALL_RM(G_F_RM, fcvt_s_d, "fcvt.s.d", LD, SX)
G_FF(fmin_s, "fmin.s", LS, SX)
G_FF(fmax_s, "fmax.s", LS, SX)
G_FF(fsgnj_s, "fsgnj.s", LS, SX)
G_FF(fsgnjn_s, "fsgnjn.s", LS, SX)
G_FF(fsgnjx_s, "fsgnjx.s", LS, SX)
G_XFF(feq_s, "feq.s", LS)
G_XFF(flt_s, "flt.s", LS)
G_XFF(fle_s, "fle.s", LS)
G_XF(fclass_s, "fclass.s", LS)
/* Unboxing: single-precision operands given as whole 64-bit register images. */
ALL_RM(G_FF_RM, fadd_s_raw, "fadd.s", LD, SX)
ALL_RM(G_XF_RM, fcvt_w_s_raw, "fcvt.w.s", LD, SX)
G_FF(fsgnjn_s_raw, "fsgnjn.s", LD, SX)
G_FF(fmax_s_raw, "fmax.s", LD, SX)
G_XFF(feq_s_raw, "feq.s", LD)
G_XF(fclass_s_raw, "fclass.s", LD)

ALL_RM(G_FF_RM, fadd_d, "fadd.d", LD, SX)
ALL_RM(G_FF_RM, fsub_d, "fsub.d", LD, SX)
ALL_RM(G_FF_RM, fmul_d, "fmul.d", LD, SX)
ALL_RM(G_FF_RM, fdiv_d, "fdiv.d", LD, SX)
ALL_RM(G_F_RM, fsqrt_d, "fsqrt.d", LD, SX)
ALL_RM(G_FFF_RM, fmadd_d, "fmadd.d", LD, SX)
ALL_RM(G_FFF_RM, fmsub_d, "fmsub.d", LD, SX)
ALL_RM(G_FFF_RM, fnmsub_d, "fnmsub.d", LD, SX)
ALL_RM(G_FFF_RM, fnmadd_d, "fnmadd.d", LD, SX)
ALL_RM(G_XF_RM, fcvt_w_d, "fcvt.w.d", LD, SX)
ALL_RM(G_XF_RM, fcvt_wu_d, "fcvt.wu.d", LD, SX)
ALL_RM(G_XF_RM, fcvt_l_d, "fcvt.l.d", LD, SX)
ALL_RM(G_XF_RM, fcvt_lu_d, "fcvt.lu.d", LD, SX)
ALL_RM(G_INSN_F, fcvt_d_w, "0x69, ft0, %[a], x0", LD, SX)
ALL_RM(G_INSN_F, fcvt_d_wu, "0x69, ft0, %[a], x1", LD, SX)
ALL_RM(G_FX_RM, fcvt_d_l, "fcvt.d.l", LD, SX)
ALL_RM(G_FX_RM, fcvt_d_lu, "fcvt.d.lu", LD, SX)
ALL_RM(G_INSN_F, fcvt_d_s, "0x21, ft0, ft1, f0", LS, SX)
ALL_RM(G_INSN_F, fcvt_d_s_raw, "0x21, ft0, ft1, f0", LD, SX)
G_FF(fmin_d, "fmin.d", LD, SX)
G_FF(fmax_d, "fmax.d", LD, SX)
G_FF(fsgnj_d, "fsgnj.d", LD, SX)
G_FF(fsgnjn_d, "fsgnjn.d", LD, SX)
G_FF(fsgnjx_d, "fsgnjx.d", LD, SX)
G_XFF(feq_d, "feq.d", LD)
G_XFF(flt_d, "flt.d", LD)
G_XFF(fle_d, "fle.d", LD)
G_XF(fclass_d, "fclass.d", LD)

#define RMF(id) {id##_0, id##_1, id##_2, id##_3, id##_4}, 1
#define ONE(id) {id##_0}, 0

#define N_ARITH 2400
#define N_FMA   2400
#define N_CVT   2000
#define N_PLAIN 2000

static const struct op ops[] = {
    {"fadd.s", K_S, K_S, K_NONE, RMF(fadd_s), N_ARITH},
    {"fsub.s", K_S, K_S, K_NONE, RMF(fsub_s), N_ARITH},
    {"fmul.s", K_S, K_S, K_NONE, RMF(fmul_s), N_ARITH},
    {"fdiv.s", K_S, K_S, K_NONE, RMF(fdiv_s), N_ARITH},
    {"fsqrt.s", K_S, K_NONE, K_NONE, RMF(fsqrt_s), N_ARITH},
    {"fmadd.s", K_S, K_S, K_S, RMF(fmadd_s), N_FMA},
    {"fmsub.s", K_S, K_S, K_S, RMF(fmsub_s), N_FMA},
    {"fnmsub.s", K_S, K_S, K_S, RMF(fnmsub_s), N_FMA},
    {"fnmadd.s", K_S, K_S, K_S, RMF(fnmadd_s), N_FMA},
    {"fcvt.w.s", K_S, K_NONE, K_NONE, RMF(fcvt_w_s), N_CVT},
    {"fcvt.wu.s", K_S, K_NONE, K_NONE, RMF(fcvt_wu_s), N_CVT},
    {"fcvt.l.s", K_S, K_NONE, K_NONE, RMF(fcvt_l_s), N_CVT},
    {"fcvt.lu.s", K_S, K_NONE, K_NONE, RMF(fcvt_lu_s), N_CVT},
    {"fcvt.s.w", K_INT, K_NONE, K_NONE, RMF(fcvt_s_w), N_CVT},
    {"fcvt.s.wu", K_INT, K_NONE, K_NONE, RMF(fcvt_s_wu), N_CVT},
    {"fcvt.s.l", K_INT, K_NONE, K_NONE, RMF(fcvt_s_l), N_CVT},
    {"fcvt.s.lu", K_INT, K_NONE, K_NONE, RMF(fcvt_s_lu), N_CVT},
    {"fcvt.s.d", K_D, K_NONE, K_NONE, RMF(fcvt_s_d), N_CVT},
    {"fmin.s", K_S, K_S, K_NONE, ONE(fmin_s), N_PLAIN},
    {"fmax.s", K_S, K_S, K_NONE, ONE(fmax_s), N_PLAIN},
    {"fsgnj.s", K_S, K_S, K_NONE, ONE(fsgnj_s), N_PLAIN},
    {"fsgnjn.s", K_S, K_S, K_NONE, ONE(fsgnjn_s), N_PLAIN},
    {"fsgnjx.s", K_S, K_S, K_NONE, ONE(fsgnjx_s), N_PLAIN},
    {"feq.s", K_S, K_S, K_NONE, ONE(feq_s), N_PLAIN},
    {"flt.s", K_S, K_S, K_NONE, ONE(flt_s), N_PLAIN},
    {"fle.s", K_S, K_S, K_NONE, ONE(fle_s), N_PLAIN},
    {"fclass.s", K_S, K_NONE, K_NONE, ONE(fclass_s), N_PLAIN},
    {"fadd.s/raw", K_RAW, K_RAW, K_NONE, RMF(fadd_s_raw), 400},
    {"fcvt.w.s/raw", K_RAW, K_NONE, K_NONE, RMF(fcvt_w_s_raw), 400},
    {"fsgnjn.s/raw", K_RAW, K_RAW, K_NONE, ONE(fsgnjn_s_raw), 1000},
    {"fmax.s/raw", K_RAW, K_RAW, K_NONE, ONE(fmax_s_raw), 1000},
    {"feq.s/raw", K_RAW, K_RAW, K_NONE, ONE(feq_s_raw), 1000},
    {"fclass.s/raw", K_RAW, K_NONE, K_NONE, ONE(fclass_s_raw), 1000},
    {"fadd.d", K_D, K_D, K_NONE, RMF(fadd_d), N_ARITH},
    {"fsub.d", K_D, K_D, K_NONE, RMF(fsub_d), N_ARITH},
    {"fmul.d", K_D, K_D, K_NONE, RMF(fmul_d), N_ARITH},
    {"fdiv.d", K_D, K_D, K_NONE, RMF(fdiv_d), N_ARITH},
    {"fsqrt.d", K_D, K_NONE, K_NONE, RMF(fsqrt_d), N_ARITH},
    {"fmadd.d", K_D, K_D, K_D, RMF(fmadd_d), N_FMA},
    {"fmsub.d", K_D, K_D, K_D, RMF(fmsub_d), N_FMA},
    {"fnmsub.d", K_D, K_D, K_D, RMF(fnmsub_d), N_FMA},
    {"fnmadd.d", K_D, K_D, K_D, RMF(fnmadd_d), N_FMA},
    {"fcvt.w.d", K_D, K_NONE, K_NONE, RMF(fcvt_w_d), N_CVT},
    {"fcvt.wu.d", K_D, K_NONE, K_NONE, RMF(fcvt_wu_d), N_CVT},
    {"fcvt.l.d", K_D, K_NONE, K_NONE, RMF(fcvt_l_d), N_CVT},
    {"fcvt.lu.d", K_D, K_NONE, K_NONE, RMF(fcvt_lu_d), N_CVT},
    {"fcvt.d.w", K_INT, K_NONE, K_NONE, RMF(fcvt_d_w), N_CVT / 4},
    {"fcvt.d.wu", K_INT, K_NONE, K_NONE, RMF(fcvt_d_wu), N_CVT / 4},
    {"fcvt.d.l", K_INT, K_NONE, K_NONE, RMF(fcvt_d_l), N_CVT},
    {"fcvt.d.lu", K_INT, K_NONE, K_NONE, RMF(fcvt_d_lu), N_CVT},
    {"fcvt.d.s", K_S, K_NONE, K_NONE, RMF(fcvt_d_s), N_CVT / 4},
    {"fcvt.d.s/raw", K_RAW, K_NONE, K_NONE, RMF(fcvt_d_s_raw), 200},
    {"fmin.d", K_D, K_D, K_NONE, ONE(fmin_d), N_PLAIN},
    {"fmax.d", K_D, K_D, K_NONE, ONE(fmax_d), N_PLAIN},
    {"fsgnj.d", K_D, K_D, K_NONE, ONE(fsgnj_d), N_PLAIN},
    {"fsgnjn.d", K_D, K_D, K_NONE, ONE(fsgnjn_d), N_PLAIN},
    {"fsgnjx.d", K_D, K_D, K_NONE, ONE(fsgnjx_d), N_PLAIN},
    {"feq.d", K_D, K_D, K_NONE, ONE(feq_d), N_PLAIN},
    {"flt.d", K_D, K_D, K_NONE, ONE(flt_d), N_PLAIN},
    {"fle.d", K_D, K_D, K_NONE, ONE(fle_d), N_PLAIN},
    {"fclass.d", K_D, K_NONE, K_NONE, ONE(fclass_d), N_PLAIN},
};

/* ---- operand generation (fixed seed: every run prints the same cases) ---- */

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void) {
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dull;
}
static uint64_t rnd_below(uint64_t n) {
    return rnd() % n;
}

static const uint32_t specials_s[] = {
    0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7fc12345,
    0x7f800001, 0xff812345, 0x7fbfffff, 0x00000001, 0x807fffff, 0x00800000, 0x80800000,
    0x7f7fffff, 0xff7fffff, 0x3f800000, 0xbf800000, 0x3fc00000, 0x40000000, 0x3f000000,
    0xbf000000, 0x3f800001, 0x3f7fffff, 0x40200000, 0xc0200000, 0x4b800000, 0x4f000000,
    0xcf000000, 0x4f800000, 0x5f000000, 0xdf000000, 0x5f800000, 0x00400000, 0x7effffff,
};

static const uint64_t specials_d[] = {
    0x0000000000000000, 0x8000000000000000, 0x7ff0000000000000, 0xfff0000000000000,
    0x7ff8000000000000, 0xfff8000000000000, 0x7ff8000000012345, 0x7ff0000000000001,
    0xfff0000000012345, 0x7ff7ffffffffffff, 0x0000000000000001, 0x800fffffffffffff,
    0x0010000000000000, 0x8010000000000000, 0x7fefffffffffffff, 0xffefffffffffffff,
    0x3ff0000000000000, 0xbff0000000000000, 0x3ff8000000000000, 0x4000000000000000,
    0x3fe0000000000000, 0xbfe0000000000000, 0x3ff0000000000001, 0x3fefffffffffffff,
    0x4004000000000000, 0xc004000000000000, 0x41e0000000000000, 0xc1e0000000000000,
    0x41e0000000200000, 0xc1e0000000200000, 0x41dfffffffc00000, 0x41f0000000000000,
    0x43e0000000000000, 0xc3e0000000000000, 0x43f0000000000000, 0x3690000000000000,
    0x3810000000000000, 0x47efffffe0000000, 0x47efffff00000000, 0x0008000000000000,
};

#define NSPEC_S (sizeof specials_s / sizeof specials_s[0])
#define NSPEC_D (sizeof specials_d / sizeof specials_d[0])

/* A random IEEE value of `prec` bits precision, `ebits` exponent bits, biased to the edges. */
static uint64_t gen_float(int ebits, int prec) {
    uint64_t emask = (1ull << ebits) - 1, bias = emask >> 1, fmask = (1ull << (prec - 1)) - 1;
    uint64_t e, fr;
    switch (rnd_below(8)) {
    case 0: e = rnd_below(emask + 1); break;                  /* anywhere, incl. inf/NaN */
    case 1: e = rnd_below(4); break;                          /* subnormal and smallest normal */
    case 2: e = emask - 1 - rnd_below(4); break;              /* near overflow */
    case 3: e = bias - 4 + rnd_below(9); break;               /* near 1 */
    case 4: e = bias - 2 + rnd_below(68); break;              /* integer conversion range */
    case 5: e = bias - prec - 2 + rnd_below(prec + 4); break; /* small fractions */
    default: e = 1 + rnd_below(emask - 1); break;             /* any finite normal */
    }
    switch (rnd_below(5)) {
    case 0:
    case 1: fr = rnd() & fmask; break;
    case 2: fr = (rnd() & fmask) & ~((1ull << rnd_below(prec)) - 1); break; /* short */
    case 3: fr = fmask & ~((1ull << rnd_below(prec)) - 1); break;           /* ones */
    default: fr = (rnd() & fmask) | ((1ull << rnd_below(prec)) - 1); break; /* tail ones */
    }
    if (e == emask && rnd_below(3) != 0) fr = 0; /* infinities more often than a random NaN */
    return ((rnd() & 1) << (ebits + prec - 1)) | (e << (prec - 1)) | fr;
}

static uint64_t gen_s(void) {
    if (rnd_below(8) == 0) return specials_s[rnd_below(NSPEC_S)];
    return gen_float(8, 24);
}
static uint64_t gen_d(void) {
    if (rnd_below(8) == 0) return specials_d[rnd_below(NSPEC_D)];
    return gen_float(11, 53);
}

/* A register image for a single operand: usually properly NaN-boxed, sometimes not. */
static uint64_t gen_raw(void) {
    uint64_t s = gen_s();
    switch (rnd_below(6)) {
    case 0: return s;                                                   /* upper half zero */
    case 1: return (rnd() << 32) | s;                                   /* random upper half */
    case 2: return (0xffffffffull ^ (1ull << rnd_below(32))) << 32 | s; /* one bit short */
    default: return 0xffffffff00000000ull | s;
    }
}

/* Integers with random bit lengths, shifts and signs, so that rounding ties happen. */
static uint64_t gen_int(void) {
    static const uint64_t sp[] = {0,
                                  1,
                                  ~0ull,
                                  0x7fffffff,
                                  0x80000000,
                                  0xffffffff80000000ull,
                                  0xffffffff,
                                  0x100000000ull,
                                  0x7fffffffffffffffull,
                                  0x8000000000000000ull,
                                  0x1000001,
                                  0x1000003,
                                  0x20000000000001ull,
                                  0x20000000000003ull,
                                  0xfffffffffeffffffull};
    if (rnd_below(10) == 0) return sp[rnd_below(sizeof sp / sizeof sp[0])];
    unsigned len = 1 + (unsigned)rnd_below(64);
    uint64_t x = len == 64 ? rnd() : rnd() & ((1ull << len) - 1);
    x |= 1ull << (len - 1);
    if (rnd_below(2))
        x &= ~((1ull << rnd_below(len)) - 1) | 1; /* short significand, then a tie bit */
    if (rnd_below(3) == 0) x <<= rnd_below(65 - len);
    if (rnd_below(2)) x = -x;
    if (rnd_below(4) == 0) x = (uint64_t)(int64_t)(int32_t)x; /* a proper 32-bit value */
    return x;
}

static uint64_t gen(enum kind k) {
    switch (k) {
    case K_S: return gen_s();
    case K_D: return gen_d();
    case K_RAW: return gen_raw();
    case K_INT: return gen_int();
    default: return 0;
    }
}

/* b close to a (same or neighbouring exponent, maybe opposite sign): cancellation, ties. */
static uint64_t near(uint64_t a, int ebits, int prec) {
    int w = ebits + prec;
    uint64_t mask = w == 64 ? ~0ull : (1ull << w) - 1;
    int64_t de = (int64_t)rnd_below((uint64_t)prec * 2 + 5) - prec - 2;
    uint64_t b = a + ((uint64_t)de << (prec - 1));
    if (rnd_below(2)) b ^= 1ull << (w - 1);
    if (rnd_below(2)) b ^= rnd() & ((1ull << rnd_below(prec)) - 1);
    return b & mask;
}

static unsigned long long ncases;

static void emit(const struct op *o, unsigned rm, uint64_t a, uint64_t b, uint64_t c) {
    uint32_t fl = 0;
    uint64_t r = o->rm_fn[rm](a, b, c, &fl);
    printf("%s %u %" PRIx64 " %" PRIx64 " %" PRIx64 " %" PRIx64 " %x\n", o->name, rm, a, b, c, r,
           (unsigned)fl);
    ncases++;
}

/* The special-value cross product of an op (pairs for binary ops, a subset for ternary). */
static void run_specials(const struct op *o, unsigned rm) {
    int dbl = o->ka == K_D;
    size_t n = dbl ? NSPEC_D : NSPEC_S;
    if (o->ka != K_S && o->ka != K_D) return;
#define SPEC(i) (dbl ? specials_d[i] : (uint64_t)specials_s[i])
    for (size_t i = 0; i < n; i++) {
        if (o->kb == K_NONE) {
            emit(o, rm, SPEC(i), 0, 0);
            continue;
        }
        for (size_t j = 0; j < n; j++) {
            if (o->kc == K_NONE)
                emit(o, rm, SPEC(i), SPEC(j), 0);
            else
                emit(o, rm, SPEC(i), SPEC(j), SPEC((i * 7 + j * 3) % n));
        }
    }
#undef SPEC
}

static void run_random(const struct op *o, unsigned rm) {
    int dbl = o->ka == K_D;
    int ebits = dbl ? 11 : 8, prec = dbl ? 53 : 24;
    for (int i = 0; i < o->count; i++) {
        uint64_t a = gen(o->ka), b = 0, c = 0;
        if (o->kb != K_NONE)
            b = (o->kb != K_RAW && rnd_below(3) == 0) ? near(a, ebits, prec) : gen(o->kb);
        if (o->kc != K_NONE) {
            c = gen(o->kc);
            if (rnd_below(2)) { /* c close to -(a*b): cancellation in the fused sum */
                if (dbl) {
                    double x, y, p;
                    memcpy(&x, &a, 8);
                    memcpy(&y, &b, 8);
                    p = -x * y;
                    memcpy(&c, &p, 8);
                } else {
                    float x, y, p;
                    uint32_t ua = (uint32_t)a, ub = (uint32_t)b, uc;
                    memcpy(&x, &ua, 4);
                    memcpy(&y, &ub, 4);
                    p = -x * y;
                    memcpy(&uc, &p, 4);
                    c = uc;
                }
                c = near(c, ebits, prec);
            }
        }
        emit(o, rm, a, b, c);
    }
}

int main(int argc, char **argv) {
    double scale = argc > 1 ? atof(argv[1]) : 1.0; /* optional: more or fewer random cases */
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        struct op o = ops[k];
        o.count = (int)(o.count * scale);
        for (unsigned rm = 0; rm < (o.has_rm ? 5u : 1u); rm++) {
            run_specials(&o, rm);
            run_random(&o, rm);
        }
    }
    printf("END %llu\n", ncases);
    return 0;
}
