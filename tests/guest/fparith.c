/* fparith.c - the F and D arithmetic, fused multiply-adds and conversions on operands chosen
 * near every edge of the IEEE formats (zeros of both signs, subnormals, the underflow and
 * overflow thresholds, infinities, quiet and signaling NaNs with payloads, singles that are
 * not NaN-boxed, values with few significant bits so that results are exact, ties, integers
 * at the conversion bounds), in every rounding mode: dynamic (frm 0..4) and static (rne, rtz,
 * rdn, rup, rmm with frm set to another mode). For each operation and mode it prints a
 * checksum of the result bits (the whole 64-bit register: NaN-boxing included) and of the
 * fflags each operation raised: an engine whose arithmetic or flags differ anywhere changes
 * a line. The loops are hot, so a JIT translates them (with its own fast paths) early on.
 *   fparith [N]: N cases per line of the second part (default 6000; the first part, the
 *   double operations under frm, is fixed). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x243f6a8885a308d3ull;
static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint64_t operand(void) {
    static const uint64_t edges[] = {0,
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
                                     0xfff0000000000000ull,
                                     0x4340000000000000ull,
                                     0x8010000000000000ull};
    uint64_t r = next();
    unsigned k = (unsigned)(r >> 60);
    uint64_t v = k < 5 ? edges[next() % (sizeof(edges) / 8)] : next();
    if (k == 5) v ^= 1 + (next() & 3);
    if (k == 6 || k == 7) v &= 0xfffff00000000000ull;
    if (k == 8 || k == 9) v = (v & 0x800fffffffffffffull) | (0x3f0 + (next() % 32)) << 52;
    if (k == 10) v = (v & 0x800fffffffffffffull) | (next() % 0x80) << 52; /* tiny */
    return v;
}

#define OP(name, insn)                                                                             \
    static uint64_t name(uint64_t a, uint64_t b, unsigned *flags) {                                \
        double x, y, r;                                                                            \
        uint64_t out;                                                                              \
        memcpy(&x, &a, 8);                                                                         \
        memcpy(&y, &b, 8);                                                                         \
        unsigned f;                                                                                \
        __asm__ volatile("fsflags zero\n\t" insn " %0, %2, %3\n\tfrflags %1"                       \
                         : "=f"(r), "=r"(f)                                                        \
                         : "f"(x), "f"(y));                                                        \
        memcpy(&out, &r, 8);                                                                       \
        *flags = f;                                                                                \
        return out;                                                                                \
    }
OP(op_add, "fadd.d")
OP(op_sub, "fsub.d")
OP(op_mul, "fmul.d")
OP(op_div, "fdiv.d")

/* ---- the second part: every F/D arithmetic, fused and conversion instruction ---- */

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A single's register image: NaN-boxed, and one time in 64 not (the upper half random). */
static uint64_t s_operand(void) {
    static const uint32_t edges[] = {
        0,           0x80000000u, 1,           0x807fffffu, 0x007fffffu, 0x00800000u, 0x80800001u,
        0x01000000u, 0x0c800000u, 0x3f800000u, 0xbf800000u, 0x40000000u, 0x3dcccccdu, 0x3f000000u,
        0xbf000000u, 0x3fc00000u, 0x40200000u, 0x7f7fffffu, 0xff7fffffu, 0x7f800000u, 0xff800000u,
        0x7fc00000u, 0xffc00000u, 0x7fa00000u, 0x7fc12345u, 0xff812345u, 0x4b800000u, 0x4f000000u,
        0xcf000000u, 0x4f800000u, 0x5f000000u, 0xdf000000u, 0x5f800000u, 0x33800000u, 0x0d000000u};
    unsigned k = (unsigned)(next() >> 60);
    uint32_t v = k < 4 ? edges[next() % COUNT(edges)] : (uint32_t)next();
    if (k == 4) v ^= 1 + (next() & 3);      /* by an edge */
    if (k == 5 || k == 6) v &= 0xfff00000u; /* few bits */
    if (k >= 7 && k <= 10) v = (v & 0x807fffffu) | (uint32_t)(0x78 + next() % 16) << 23;
    if (k == 11) v = (v & 0x807fffffu) | (uint32_t)(next() % 0x20) << 23;        /* tiny */
    if (k == 12) v = (v & 0x807fffffu) | (uint32_t)(0xe0 + next() % 0x1f) << 23; /* huge */
    uint64_t box = 0xffffffff00000000ull;
    if ((next() & 63) == 0) box = next() & 0xffffffff00000000ull; /* not NaN-boxed */
    return box | v;
}

/* A double: part one's operands, and one time in eight a huge one (overflow). */
static uint64_t d_operand(void) {
    uint64_t v = operand();
    if ((next() & 7) == 0) v = (v & 0x800fffffffffffffull) | (0x7c0 + next() % 0x3f) << 52;
    return v;
}

/* A value as a register image of the format (a small integer: exact products). */
static uint64_t from_int(bool single, int v) {
    if (single) {
        float f = (float)v;
        uint32_t u;
        memcpy(&u, &f, 4);
        return 0xffffffff00000000ull | u;
    }
    double d = (double)v;
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

/* Operands of a fused multiply-add: independent ones, small integers (exact results and
 * L == Ly cases), products nearly cancelled by the addend, addends of very different size. */
static void fma_operands(bool single, uint64_t *a, uint64_t *b, uint64_t *c) {
    unsigned k = (unsigned)(next() % 8);
    *a = single ? s_operand() : d_operand();
    *b = single ? s_operand() : d_operand();
    *c = single ? s_operand() : d_operand();
    if (k == 0) {
        *a = from_int(single, (int)(next() % 257) - 128);
        *b = from_int(single, (int)(next() % 257) - 128);
        *c = from_int(single, (int)(next() % 65537) - 32768);
    } else if (k == 1 || k == 2) { /* c = -(a*b) rounded, perhaps nudged */
        uint64_t ua = (next() & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
        uint64_t ub = (next() & 0x000fffffffffffffull) | (0x3f8 + next() % 16) << 52;
        if (k == 2) ua &= 0xfffffffff0000000ull, ub &= 0xfffffffff0000000ull;
        double x, y;
        memcpy(&x, &ua, 8);
        memcpy(&y, &ub, 8);
        if (single) {
            float fx = (float)x, fy = (float)y, fp = -(fx * fy);
            uint32_t u[3];
            memcpy(&u[0], &fx, 4);
            memcpy(&u[1], &fy, 4);
            memcpy(&u[2], &fp, 4);
            u[2] += (uint32_t)(next() % 3) - 1;
            *a = 0xffffffff00000000ull | u[0];
            *b = 0xffffffff00000000ull | u[1];
            *c = 0xffffffff00000000ull | u[2];
        } else {
            double p = -(x * y);
            uint64_t up;
            memcpy(&up, &p, 8);
            *a = ua;
            *b = ub;
            *c = up + (next() % 3) - 1;
        }
    } else if (k == 3) { /* the addend far smaller or far larger than the product */
        uint64_t e = next() % 2 ? 0x10 : 0x60;
        if (single)
            *c = (*c & 0xffffffff807fffffull) | (uint64_t)(e + next() % 0x20) << 23;
        else
            *c = (*c & 0x800fffffffffffffull) | (e * 8 + next() % 0x100) << 52;
    }
}

/* An integer operand of fcvt.{s,d}.{w,wu,l,lu}: full width, 32-bit, every magnitude, next to
 * powers of two (the precision's bounds: 2^24, 2^53, 2^63), small. */
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

/* The source of a float-to-int conversion: ties and halves, the bounds of every target type
 * and next to them, NaNs and infinities, random values of every magnitude up to 2^66. */
static uint64_t cvt_operand(bool single) {
    static const uint64_t d_edges[] = {0,
                                       1ull << 63,
                                       0x3fe0000000000000ull,
                                       0xbfe0000000000000ull,
                                       0x3ff8000000000000ull,
                                       0xbff8000000000000ull,
                                       0x4004000000000000ull,
                                       0xc004000000000000ull,
                                       0x3fd3333333333333ull,
                                       0xbfd3333333333333ull,
                                       0xbff0000000000000ull,
                                       0x41dfffffffc00000ull,
                                       0x41dfffffffe00000ull,
                                       0x41e0000000000000ull,
                                       0xc1e0000000000000ull,
                                       0xc1e0000000100000ull,
                                       0xc1e0000000200000ull,
                                       0x41efffffffe00000ull,
                                       0x41efffffffff0000ull,
                                       0x41f0000000000000ull,
                                       0x43e0000000000000ull,
                                       0xc3e0000000000000ull,
                                       0x43f0000000000000ull,
                                       0x43dfffffffffffffull,
                                       0xc3e0000000000001ull,
                                       0x7ff0000000000000ull,
                                       0xfff0000000000000ull,
                                       0x7ff8000000000000ull,
                                       0x7ff4000000000123ull,
                                       0xfff8000000000456ull,
                                       0x0000000000000001ull,
                                       0x8000000000000001ull};
    static const uint32_t s_edges[] = {
        0,           0x80000000u, 0x3f000000u, 0xbf000000u, 0x3fc00000u, 0xbfc00000u,
        0x40200000u, 0xc0200000u, 0x3e99999au, 0xbe99999au, 0xbf800000u, 0x4effffffu,
        0x4f000000u, 0xcf000000u, 0xcf000001u, 0x4f7fffffu, 0x4f800000u, 0x5effffffu,
        0x5f000000u, 0xdf000000u, 0xdf000001u, 0x5f7fffffu, 0x5f800000u, 0x7f800000u,
        0xff800000u, 0x7fc00000u, 0x7fa00001u, 0x00000001u, 0x80000001u};
    unsigned k = (unsigned)(next() % 8);
    if (k == 0)
        return single ? 0xffffffff00000000ull | s_edges[next() % COUNT(s_edges)]
                      : d_edges[next() % COUNT(d_edges)];
    if (k == 1) return single ? s_operand() : d_operand();
    uint64_t sign = next() & 1, e = next() % 70, frac = next();
    if (k == 2) frac &= single ? ~0x3fffull : ~0x3ffffffffffull; /* halves and ties */
    if (single) return 0xffffffff00000000ull | sign << 31 | (127 + e - 3) << 23 | (frac & 0x7fffff);
    return sign << 63 | (1023 + e - 3) << 52 | (frac & 0x000fffffffffffffull);
}

/* One instruction with a rounding-mode suffix: f = op(f[, f[, f]]), x = op(f), f = op(x).
 * Operands and results are whole 64-bit register images (fmv.d.x / fmv.x.d). */
#define FN_F1(fn, insn)                                                                            \
    static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, unsigned *fl) {                         \
        double x, r;                                                                               \
        uint64_t o;                                                                                \
        unsigned f;                                                                                \
        (void)b, (void)c;                                                                          \
        __asm__ volatile("fmv.d.x %1, %4\n\tfsflags zero\n\t" insn "\n\tfrflags %2\n\t"            \
                         "fmv.x.d %3, %0"                                                          \
                         : "=&f"(r), "=&f"(x), "=&r"(f), "=r"(o)                                   \
                         : "r"(a));                                                                \
        *fl = f;                                                                                   \
        return o;                                                                                  \
    }
#define FN_F2(fn, insn)                                                                            \
    static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, unsigned *fl) {                         \
        double x, y, r;                                                                            \
        uint64_t o;                                                                                \
        unsigned f;                                                                                \
        (void)c;                                                                                   \
        __asm__ volatile("fmv.d.x %1, %5\n\tfmv.d.x %2, %6\n\tfsflags zero\n\t" insn               \
                         "\n\tfrflags %3\n\tfmv.x.d %4, %0"                                        \
                         : "=&f"(r), "=&f"(x), "=&f"(y), "=&r"(f), "=r"(o)                         \
                         : "r"(a), "r"(b));                                                        \
        *fl = f;                                                                                   \
        return o;                                                                                  \
    }
#define FN_F3(fn, insn)                                                                            \
    static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, unsigned *fl) {                         \
        double x, y, z, r;                                                                         \
        uint64_t o;                                                                                \
        unsigned f;                                                                                \
        __asm__ volatile("fmv.d.x %1, %6\n\tfmv.d.x %2, %7\n\tfmv.d.x %3, %8\n\t"                  \
                         "fsflags zero\n\t" insn "\n\tfrflags %4\n\tfmv.x.d %5, %0"                \
                         : "=&f"(r), "=&f"(x), "=&f"(y), "=&f"(z), "=&r"(f), "=r"(o)               \
                         : "r"(a), "r"(b), "r"(c));                                                \
        *fl = f;                                                                                   \
        return o;                                                                                  \
    }
#define FN_XF(fn, insn)                                                                            \
    static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, unsigned *fl) {                         \
        double x;                                                                                  \
        uint64_t o;                                                                                \
        unsigned f;                                                                                \
        (void)b, (void)c;                                                                          \
        __asm__ volatile("fmv.d.x %1, %3\n\tfsflags zero\n\t" insn "\n\tfrflags %2"                \
                         : "=&r"(o), "=&f"(x), "=&r"(f)                                            \
                         : "r"(a));                                                                \
        *fl = f;                                                                                   \
        return o;                                                                                  \
    }
#define FN_FX(fn, insn)                                                                            \
    static uint64_t fn(uint64_t a, uint64_t b, uint64_t c, unsigned *fl) {                         \
        double r;                                                                                  \
        uint64_t o;                                                                                \
        unsigned f;                                                                                \
        (void)b, (void)c;                                                                          \
        __asm__ volatile("fsflags zero\n\t" insn "\n\tfrflags %1\n\tfmv.x.d %2, %0"                \
                         : "=&f"(r), "=&r"(f), "=r"(o)                                             \
                         : "r"(a));                                                                \
        *fl = f;                                                                                   \
        return o;                                                                                  \
    }

/* Six functions per instruction: dyn, then the static modes rne rtz rdn rup rmm. */
#define SIX(FN, name, ins, ops)                                                                    \
    FN(name##_dyn, ins " " ops)                                                                    \
    FN(name##_rne, ins " " ops ", rne")                                                            \
    FN(name##_rtz, ins " " ops ", rtz")                                                            \
    FN(name##_rdn, ins " " ops ", rdn")                                                            \
    FN(name##_rup, ins " " ops ", rup")                                                            \
    FN(name##_rmm, ins " " ops ", rmm")
/* fcvt.d.s, fcvt.d.w and fcvt.d.wu (always exact) take their rounding-mode field through
 * .insn (assemblers differ in accepting a suffix there): OP-FP, funct7, rs2 selects the form. */
#define SIX_INSN(FN, name, funct7, ops)                                                            \
    FN(name##_dyn, ".insn r 0x53, 7, " funct7 ", " ops)                                            \
    FN(name##_rne, ".insn r 0x53, 0, " funct7 ", " ops)                                            \
    FN(name##_rtz, ".insn r 0x53, 1, " funct7 ", " ops)                                            \
    FN(name##_rdn, ".insn r 0x53, 2, " funct7 ", " ops)                                            \
    FN(name##_rup, ".insn r 0x53, 3, " funct7 ", " ops)                                            \
    FN(name##_rmm, ".insn r 0x53, 4, " funct7 ", " ops)

SIX(FN_F2, p2_fadd_d, "fadd.d", "%0, %1, %2")
SIX(FN_F2, p2_fsub_d, "fsub.d", "%0, %1, %2")
SIX(FN_F2, p2_fmul_d, "fmul.d", "%0, %1, %2")
SIX(FN_F2, p2_fdiv_d, "fdiv.d", "%0, %1, %2")
SIX(FN_F1, p2_fsqrt_d, "fsqrt.d", "%0, %1")
SIX(FN_F2, p2_fadd_s, "fadd.s", "%0, %1, %2")
SIX(FN_F2, p2_fsub_s, "fsub.s", "%0, %1, %2")
SIX(FN_F2, p2_fmul_s, "fmul.s", "%0, %1, %2")
SIX(FN_F2, p2_fdiv_s, "fdiv.s", "%0, %1, %2")
SIX(FN_F1, p2_fsqrt_s, "fsqrt.s", "%0, %1")
SIX(FN_F3, p2_fmadd_s, "fmadd.s", "%0, %1, %2, %3")
SIX(FN_F3, p2_fmsub_s, "fmsub.s", "%0, %1, %2, %3")
SIX(FN_F3, p2_fnmsub_s, "fnmsub.s", "%0, %1, %2, %3")
SIX(FN_F3, p2_fnmadd_s, "fnmadd.s", "%0, %1, %2, %3")
SIX(FN_F3, p2_fmadd_d, "fmadd.d", "%0, %1, %2, %3")
SIX(FN_F3, p2_fmsub_d, "fmsub.d", "%0, %1, %2, %3")
SIX(FN_F3, p2_fnmsub_d, "fnmsub.d", "%0, %1, %2, %3")
SIX(FN_F3, p2_fnmadd_d, "fnmadd.d", "%0, %1, %2, %3")
SIX(FN_F1, p2_fcvt_s_d, "fcvt.s.d", "%0, %1")
SIX_INSN(FN_F1, p2_fcvt_d_s, "0x21", "%0, %1, x0")
SIX(FN_XF, p2_fcvt_w_s, "fcvt.w.s", "%0, %1")
SIX(FN_XF, p2_fcvt_wu_s, "fcvt.wu.s", "%0, %1")
SIX(FN_XF, p2_fcvt_l_s, "fcvt.l.s", "%0, %1")
SIX(FN_XF, p2_fcvt_lu_s, "fcvt.lu.s", "%0, %1")
SIX(FN_XF, p2_fcvt_w_d, "fcvt.w.d", "%0, %1")
SIX(FN_XF, p2_fcvt_wu_d, "fcvt.wu.d", "%0, %1")
SIX(FN_XF, p2_fcvt_l_d, "fcvt.l.d", "%0, %1")
SIX(FN_XF, p2_fcvt_lu_d, "fcvt.lu.d", "%0, %1")
SIX(FN_FX, p2_fcvt_s_w, "fcvt.s.w", "%0, %3")
SIX(FN_FX, p2_fcvt_s_wu, "fcvt.s.wu", "%0, %3")
SIX(FN_FX, p2_fcvt_s_l, "fcvt.s.l", "%0, %3")
SIX(FN_FX, p2_fcvt_s_lu, "fcvt.s.lu", "%0, %3")
SIX_INSN(FN_FX, p2_fcvt_d_w, "0x69", "%0, %3, x0")
SIX_INSN(FN_FX, p2_fcvt_d_wu, "0x69", "%0, %3, x1")
SIX(FN_FX, p2_fcvt_d_l, "fcvt.d.l", "%0, %3")
SIX(FN_FX, p2_fcvt_d_lu, "fcvt.d.lu", "%0, %3")

/* How an instruction's operands are chosen. */
enum p2_kind { K_S, K_D, K_S3, K_D3, K_SD, K_DS, K_XS, K_XD, K_I };

typedef uint64_t p2_fn(uint64_t, uint64_t, uint64_t, unsigned *);
#define ROW(name, text, kind)                                                                      \
    {                                                                                              \
        text, kind, {                                                                              \
            name##_dyn, name##_rne, name##_rtz, name##_rdn, name##_rup, name##_rmm                 \
        }                                                                                          \
    }
static const struct {
    const char *name;
    enum p2_kind kind;
    p2_fn *fn[6];
} p2_ops[] = {
    ROW(p2_fadd_d, "fadd.d", K_D),      ROW(p2_fsub_d, "fsub.d", K_D),
    ROW(p2_fmul_d, "fmul.d", K_D),      ROW(p2_fdiv_d, "fdiv.d", K_D),
    ROW(p2_fsqrt_d, "fsqrt.d", K_D),    ROW(p2_fadd_s, "fadd.s", K_S),
    ROW(p2_fsub_s, "fsub.s", K_S),      ROW(p2_fmul_s, "fmul.s", K_S),
    ROW(p2_fdiv_s, "fdiv.s", K_S),      ROW(p2_fsqrt_s, "fsqrt.s", K_S),
    ROW(p2_fmadd_s, "fmadd.s", K_S3),   ROW(p2_fmsub_s, "fmsub.s", K_S3),
    ROW(p2_fnmsub_s, "fnmsub.s", K_S3), ROW(p2_fnmadd_s, "fnmadd.s", K_S3),
    ROW(p2_fmadd_d, "fmadd.d", K_D3),   ROW(p2_fmsub_d, "fmsub.d", K_D3),
    ROW(p2_fnmsub_d, "fnmsub.d", K_D3), ROW(p2_fnmadd_d, "fnmadd.d", K_D3),
    ROW(p2_fcvt_s_d, "fcvt.s.d", K_SD), ROW(p2_fcvt_d_s, "fcvt.d.s", K_DS),
    ROW(p2_fcvt_w_s, "fcvt.w.s", K_XS), ROW(p2_fcvt_wu_s, "fcvt.wu.s", K_XS),
    ROW(p2_fcvt_l_s, "fcvt.l.s", K_XS), ROW(p2_fcvt_lu_s, "fcvt.lu.s", K_XS),
    ROW(p2_fcvt_w_d, "fcvt.w.d", K_XD), ROW(p2_fcvt_wu_d, "fcvt.wu.d", K_XD),
    ROW(p2_fcvt_l_d, "fcvt.l.d", K_XD), ROW(p2_fcvt_lu_d, "fcvt.lu.d", K_XD),
    ROW(p2_fcvt_s_w, "fcvt.s.w", K_I),  ROW(p2_fcvt_s_wu, "fcvt.s.wu", K_I),
    ROW(p2_fcvt_s_l, "fcvt.s.l", K_I),  ROW(p2_fcvt_s_lu, "fcvt.s.lu", K_I),
    ROW(p2_fcvt_d_w, "fcvt.d.w", K_I),  ROW(p2_fcvt_d_wu, "fcvt.d.wu", K_I),
    ROW(p2_fcvt_d_l, "fcvt.d.l", K_I),  ROW(p2_fcvt_d_lu, "fcvt.d.lu", K_I),
};

static void p2_operands(enum p2_kind k, uint64_t *a, uint64_t *b, uint64_t *c) {
    *a = *b = *c = 0;
    switch (k) {
    case K_S:
        *a = s_operand();
        *b = s_operand();
        break;
    case K_D:
        *a = d_operand();
        *b = d_operand();
        break;
    case K_S3: fma_operands(true, a, b, c); break;
    case K_D3: fma_operands(false, a, b, c); break;
    case K_SD: /* doubles around the single range's edges too */
        *a = d_operand();
        if (next() % 2) *a = (*a & 0x800fffffffffffffull) | (0x370 + next() % 0x120) << 52;
        if (next() % 4 == 0) /* just below 2^-126: rounded up to it, tiny or not */
            *a = (next() & (1ull << 63)) | 0x380fffffe0000000ull | (next() & 0x1fffffff);
        break;
    case K_DS: *a = s_operand(); break;
    case K_XS: *a = cvt_operand(true); break;
    case K_XD: *a = cvt_operand(false); break;
    case K_I: *a = i_operand(); break;
    }
}

/* Every instruction in ten modes: dyn with frm 0..4, then each static mode with frm set to
 * another one (an in-line path that read frm would differ). */
static void part2(unsigned n) {
    static const char *const modes[6] = {"dyn", "rne", "rtz", "rdn", "rup", "rmm"};
    for (unsigned o = 0; o < COUNT(p2_ops); o++) {
        for (unsigned v = 0; v < 10; v++) {
            unsigned m = v < 5 ? 0 : v - 4, frm = v < 5 ? v : (v - 5 + 2) % 5;
            __asm__ volatile("fsrm %0" ::"r"(frm));
            uint64_t sum = 0, fsum = 0;
            for (unsigned i = 0; i < n; i++) {
                uint64_t a, b, c;
                unsigned f;
                p2_operands(p2_ops[o].kind, &a, &b, &c);
                uint64_t r = p2_ops[o].fn[m](a, b, c, &f);
                sum = (sum ^ r) * 0x100000001b3ull;
                fsum = fsum * 31 + f;
            }
            printf("%s %s frm %u results %016llx flags %016llx\n", p2_ops[o].name, modes[m], frm,
                   (unsigned long long)sum, (unsigned long long)fsum);
        }
    }
    __asm__ volatile("fsrm zero");
}

int main(int argc, char **argv) {
    unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 6000;
    static uint64_t (*const ops[4])(uint64_t, uint64_t, unsigned *) = {op_add, op_sub, op_mul,
                                                                       op_div};
    static const char *const names[4] = {"fadd.d", "fsub.d", "fmul.d", "fdiv.d"};
    for (unsigned rm = 0; rm < 5; rm++) {
        __asm__ volatile("fsrm %0" ::"r"(rm));
        for (unsigned o = 0; o < 4; o++) {
            uint64_t sum = 0, fsum = 0;
            for (unsigned i = 0; i < 40000; i++) {
                unsigned f;
                uint64_t r = ops[o](operand(), operand(), &f);
                sum = (sum ^ r) * 0x100000001b3ull;
                fsum = fsum * 31 + f;
            }
            printf("rm %u %s results %016llx flags %016llx\n", rm, names[o],
                   (unsigned long long)sum, (unsigned long long)fsum);
        }
    }
    part2(n);
    return 0;
}
