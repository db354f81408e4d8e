/* fpu.c - RISC-V F and D arithmetic in integer soft-float.
 *
 * Design. Every operation is computed with integer arithmetic only: operands are unpacked to
 * an integer significand m and a power of two e (value = m * 2^e), the exact result (or an
 * exact-enough one, see below) is formed in a 64- or 128-bit integer, and a single routine,
 * round_pack(), normalises, rounds in the requested mode, detects tininess after rounding
 * and packs the bits. Both formats share the same code through a small format descriptor
 * that the compiler folds.
 *
 * Why not the host FPU with <fenv.h>: (1) RMM has no host equivalent on x86-64 and would
 * need a soft path anyway; (2) AArch64 hosts detect tininess before rounding while RISC-V
 * (like x86 SSE) detects it after rounding, so UF would differ there; (3) host NaN results
 * and payload propagation differ and need fix-ups on every op; (4) changing MXCSR/FPCR and
 * reading the flags around every operation costs about as much as the soft-float itself,
 * and it makes correctness depend on compiler flags (-frounding-math) that clang and gcc
 * honour differently. Integer soft-float is exact by construction, identical on every host,
 * stateless and thread-safe. The one host FP call is sqrt() as a first estimate of an integer
 * square root, which is then corrected exactly, so its rounding does not matter.
 *
 * Exactness arguments. Sums are formed with both significands normalised to bit 125 of a
 * 128-bit integer; the smaller is shifted right with the lost bits ORed into bit 0 ("jam").
 * When the shift is 0 or 1 nothing is lost (significands have at most 106 bits), and when
 * it is 2 or more at most one bit cancels, so the rounding position stays far above bit 0
 * and the jammed bit is a correct sticky bit. Products of two significands (< 2^53 each) are
 * exact in 128 bits. Quotients and square roots are truncated to at least p + 7 bits (31 to
 * 65) and the remainder's being nonzero is folded into bit 0: a truncated value plus "more
 * follows" is all that rounding at any position above bit 0 needs (including the shorter
 * precision of subnormal results). Fast paths for normal operands (add, mul, fma) and 64-bit
 * variants for single precision follow the same arguments. See docs/fpu.md.
 */
#include "riscv/fpu.h"

#include <math.h>

typedef unsigned __int128 u128;

/* The generic cores are inlined into each public function, so that the format descriptor
 * becomes constants there (about 3x faster than passing it at run time). */
#define FPU_INLINE static inline __attribute__((always_inline))

/* An IEEE binary format: total width, precision (with the implicit bit) and exponent bias. */
struct fpu_fmt {
    int width; /* bits in the encoding: 32 or 64 */
    int prec;  /* significand bits including the implicit one: 24 or 53 */
    int bias;  /* exponent bias: 127 or 1023; also emax */
};

static const struct fpu_fmt fmt_s = {32, 24, 127};
static const struct fpu_fmt fmt_d = {64, 53, 1023};

#define FMT_EMASK(f)    ((1ull << ((f).width - (f).prec)) - 1)
#define FMT_FRACMASK(f) ((1ull << ((f).prec - 1)) - 1)
#define FMT_SIGN(f)     (1ull << ((f).width - 1))
#define FMT_INF(f)      (FMT_EMASK(f) << ((f).prec - 1))
#define FMT_QNAN(f)     (FMT_INF(f) | (1ull << ((f).prec - 2)))
#define FMT_EMIN(f)     (1 - (f).bias)

static inline uint64_t f_exp(struct fpu_fmt f, uint64_t a) {
    return (a >> (f.prec - 1)) & FMT_EMASK(f);
}
static inline uint64_t f_frac(struct fpu_fmt f, uint64_t a) {
    return a & FMT_FRACMASK(f);
}
static inline bool f_sign(struct fpu_fmt f, uint64_t a) {
    return (a >> (f.width - 1)) & 1;
}
static inline bool f_isnan(struct fpu_fmt f, uint64_t a) {
    return f_exp(f, a) == FMT_EMASK(f) && f_frac(f, a) != 0;
}
static inline bool f_issnan(struct fpu_fmt f, uint64_t a) {
    return f_isnan(f, a) && !(a & (1ull << (f.prec - 2)));
}
static inline bool f_isinf(struct fpu_fmt f, uint64_t a) {
    return f_exp(f, a) == FMT_EMASK(f) && f_frac(f, a) == 0;
}
static inline bool f_iszero(struct fpu_fmt f, uint64_t a) {
    return (a & ~FMT_SIGN(f)) == 0;
}
static inline uint64_t f_zero(struct fpu_fmt f, bool sign) {
    return sign ? FMT_SIGN(f) : 0;
}
static inline uint64_t f_inf(struct fpu_fmt f, bool sign) {
    return FMT_INF(f) | f_zero(f, sign);
}

/* Splits a finite nonzero value into value = m * 2^e with m an integer below 2^prec. */
static inline void f_unpack(struct fpu_fmt f, uint64_t a, int *e, uint64_t *m) {
    uint64_t ex = f_exp(f, a);
    if (ex == 0) {
        *m = f_frac(f, a);
        *e = FMT_EMIN(f) - (f.prec - 1);
    } else {
        *m = f_frac(f, a) | (1ull << (f.prec - 1));
        *e = (int)ex - f.bias - (f.prec - 1);
    }
}

static inline int msb64(uint64_t x) {
    return 63 - __builtin_clzll(x);
}
static inline int msb128(u128 x) {
    uint64_t hi = (uint64_t)(x >> 64);
    return hi ? 64 + msb64(hi) : msb64((uint64_t)x);
}

/* Whether rounding a value whose dropped bits are rem (half = the weight of the first
 * dropped bit) away from the truncated result (lsb = its low bit) moves its magnitude up. */
static inline bool round_up(uint64_t rem, uint64_t half, bool lsb, bool sign, unsigned rm) {
    switch (rm) {
    case RV_RM_RTZ: return false;
    case RV_RM_RDN: return sign && rem != 0;
    case RV_RM_RUP: return !sign && rem != 0;
    case RV_RM_RMM: return rem >= half;
    default: return rem > half || (rem == half && lsb);
    }
}

/* The result of an overflow in mode rm: infinity or the largest finite number. */
static uint64_t overflow(struct fpu_fmt f, bool sign, unsigned rm, uint32_t *fl) {
    *fl |= RV_FFLAG_OF | RV_FFLAG_NX;
    bool to_inf = rm == RV_RM_RNE || rm == RV_RM_RMM || (rm == RV_RM_RUP && !sign) ||
                  (rm == RV_RM_RDN && sign) || rm > RV_RM_RMM;
    if (to_inf) return f_inf(f, sign);
    return f_zero(f, sign) | (FMT_INF(f) - 1);
}

/* Rounds (-1)^sign * sig * 2^(ex - 62), sig normalised to [2^62, 2^63) with a sticky bit 0,
 * to format f in mode rm and packs it, raising NX, UF (tiny after rounding and inexact)
 * and OF. */
FPU_INLINE uint64_t round_pack64(struct fpu_fmt f, bool sign, int ex, uint64_t sig, unsigned rm,
                                 uint32_t *fl) {
    if (ex > f.bias) return overflow(f, sign, rm, fl);
    int shift = 63 - f.prec; /* dropped bits of a normal result */
    uint64_t mask = (1ull << shift) - 1, half = 1ull << (shift - 1);
    bool tiny = false;
    if (ex < FMT_EMIN(f)) {
        /* Tiny unless rounding to prec bits with unbounded exponent reaches 2^emin. */
        tiny = true;
        if (ex == FMT_EMIN(f) - 1) {
            uint64_t t = sig >> shift;
            t += round_up(sig & mask, half, t & 1, sign, rm);
            tiny = (t >> f.prec) == 0;
        }
        int d = FMT_EMIN(f) - ex;
        sig = d >= 63 ? 1 : (sig >> d) | ((sig & ((1ull << d) - 1)) != 0);
        ex = FMT_EMIN(f);
    }
    uint64_t rem = sig & mask, t = sig >> shift;
    t += round_up(rem, half, t & 1, sign, rm);
    /* The implicit bit (or a rounding carry) adds itself into the exponent field. */
    uint64_t bits = ((uint64_t)(ex + f.bias - 1) << (f.prec - 1)) + t;
    if (f_exp(f, bits) == FMT_EMASK(f)) return overflow(f, sign, rm, fl);
    if (rem != 0) {
        *fl |= RV_FFLAG_NX;
        if (tiny) *fl |= RV_FFLAG_UF;
    }
    return bits | f_zero(f, sign);
}

/* Rounds (-1)^sign * m * 2^e (m > 0, any width) to format f: see round_pack64. */
FPU_INLINE uint64_t round_pack(struct fpu_fmt f, bool sign, int e, u128 m, unsigned rm,
                               uint32_t *fl) {
    int n = msb128(m);
    uint64_t sig;
    if (n > 62) {
        int s = n - 62;
        sig = (uint64_t)(m >> s) | ((m & (((u128)1 << s) - 1)) != 0);
    } else {
        sig = (uint64_t)m << (62 - n);
    }
    return round_pack64(f, sign, e + n, sig, rm, fl);
}

/* Sum of two nonzero finite values (-1)^s * m * 2^e with m < 2^53, rounded. The same
 * scheme as add_core in 64 bits: significands at bit 61 keep 9 or more zero bits below them,
 * so a shift by 0 or 1 is exact, and with a larger shift at most one bit cancels. */
FPU_INLINE uint64_t add64(struct fpu_fmt f, bool sa, int ea, uint64_t ma, bool sb, int eb,
                          uint64_t mb, unsigned rm, uint32_t *fl) {
    int na = 61 - msb64(ma), nb = 61 - msb64(mb);
    ma <<= na;
    ea -= na;
    mb <<= nb;
    eb -= nb;
    /* Branch-free ordering (operands are often random): 1 is the larger magnitude. */
    bool swap = ea < eb || (ea == eb && ma < mb);
    uint64_t m1 = swap ? mb : ma, m2 = swap ? ma : mb;
    int e1 = swap ? eb : ea, d = swap ? eb - ea : ea - eb;
    bool s1 = swap ? sb : sa;
    if (d > 63) d = 63; /* m2 < 2^62: shifted out entirely, only its sticky bit remains */
    m2 = (m2 >> d) | ((m2 & ((1ull << d) - 1)) != 0);
    uint64_t m = sa == sb ? m1 + m2 : m1 - m2;
    if (m == 0) return f_zero(f, rm == RV_RM_RDN);
    int n = 62 - msb64(m);
    return round_pack64(f, s1, e1 - n + 62, m << n, rm, fl);
}

/* Sum of two nonzero finite values (-1)^s * m * 2^e with m < 2^106, rounded. */
FPU_INLINE uint64_t add_core(struct fpu_fmt f, bool sa, int ea, u128 ma, bool sb, int eb, u128 mb,
                             unsigned rm, uint32_t *fl) {
    int na = 125 - msb128(ma), nb = 125 - msb128(mb);
    ma <<= na;
    ea -= na;
    mb <<= nb;
    eb -= nb;
    bool swap = ea < eb || (ea == eb && ma < mb); /* 1 is the larger magnitude */
    u128 m1 = swap ? mb : ma, m2 = swap ? ma : mb;
    int e1 = swap ? eb : ea, d = swap ? eb - ea : ea - eb;
    bool s1 = swap ? sb : sa;
    if (d > 127) d = 127; /* m2 < 2^126: shifted out entirely, only its sticky bit remains */
    if (d > 0) m2 = (m2 >> d) | ((m2 & (((u128)1 << d) - 1)) != 0);
    u128 m = sa == sb ? m1 + m2 : m1 - m2;
    if (m == 0) return f_zero(f, rm == RV_RM_RDN);
    return round_pack(f, s1, e1, m, rm, fl);
}

/* True when both operands are normal numbers: the common case, free of special values. */
static inline bool f_both_normal(struct fpu_fmt f, uint64_t a, uint64_t b) {
    return f_exp(f, a) - 1 < FMT_EMASK(f) - 1 && f_exp(f, b) - 1 < FMT_EMASK(f) - 1;
}

/* Exponent and significand (with the implicit bit) of a normal number: value = m * 2^e. */
static inline int f_nexp(struct fpu_fmt f, uint64_t a) {
    return (int)f_exp(f, a) - f.bias - (f.prec - 1);
}
static inline uint64_t f_nsig(struct fpu_fmt f, uint64_t a) {
    return f_frac(f, a) | (1ull << (f.prec - 1));
}

FPU_INLINE uint64_t f_add(struct fpu_fmt f, uint64_t a, uint64_t b, unsigned rm, uint32_t *fl) {
    if (__builtin_expect(f_both_normal(f, a, b), 1))
        return add64(f, f_sign(f, a), f_nexp(f, a), f_nsig(f, a), f_sign(f, b), f_nexp(f, b),
                     f_nsig(f, b), rm, fl);
    if (f_isnan(f, a) || f_isnan(f, b)) {
        if (f_issnan(f, a) || f_issnan(f, b)) *fl |= RV_FFLAG_NV;
        return FMT_QNAN(f);
    }
    bool sa = f_sign(f, a), sb = f_sign(f, b);
    if (f_isinf(f, a) || f_isinf(f, b)) {
        if (f_isinf(f, a) && f_isinf(f, b) && sa != sb) {
            *fl |= RV_FFLAG_NV;
            return FMT_QNAN(f);
        }
        return f_isinf(f, a) ? a : b;
    }
    if (f_iszero(f, a) && f_iszero(f, b)) return f_zero(f, sa == sb ? sa : rm == RV_RM_RDN);
    if (f_iszero(f, a)) return b;
    if (f_iszero(f, b)) return a;
    int ea, eb;
    uint64_t ma, mb;
    f_unpack(f, a, &ea, &ma);
    f_unpack(f, b, &eb, &mb);
    return add64(f, sa, ea, ma, sb, eb, mb, rm, fl);
}

FPU_INLINE uint64_t f_mul(struct fpu_fmt f, uint64_t a, uint64_t b, unsigned rm, uint32_t *fl) {
    if (__builtin_expect(f_both_normal(f, a, b), 1)) {
        /* Significands at bits 62 and 63: the product's high half is in [2^61, 2^63). */
        u128 p = (u128)(f_nsig(f, a) << (63 - f.prec)) * (f_nsig(f, b) << (64 - f.prec));
        uint64_t hi = (uint64_t)(p >> 64), sig = hi | ((uint64_t)p != 0);
        int ex = f_nexp(f, a) + f_nexp(f, b) + 2 * (f.prec - 1) + 1;
        if (!(sig >> 62)) {
            sig <<= 1;
            ex--;
        }
        return round_pack64(f, f_sign(f, a) != f_sign(f, b), ex, sig, rm, fl);
    }
    if (f_isnan(f, a) || f_isnan(f, b)) {
        if (f_issnan(f, a) || f_issnan(f, b)) *fl |= RV_FFLAG_NV;
        return FMT_QNAN(f);
    }
    bool s = f_sign(f, a) != f_sign(f, b);
    if (f_isinf(f, a) || f_isinf(f, b)) {
        if (f_iszero(f, a) || f_iszero(f, b)) {
            *fl |= RV_FFLAG_NV;
            return FMT_QNAN(f);
        }
        return f_inf(f, s);
    }
    if (f_iszero(f, a) || f_iszero(f, b)) return f_zero(f, s);
    int ea, eb;
    uint64_t ma, mb;
    f_unpack(f, a, &ea, &ma);
    f_unpack(f, b, &eb, &mb);
    return round_pack(f, s, ea + eb, (u128)ma * mb, rm, fl);
}

FPU_INLINE uint64_t f_div(struct fpu_fmt f, uint64_t a, uint64_t b, unsigned rm, uint32_t *fl) {
    if (f_isnan(f, a) || f_isnan(f, b)) {
        if (f_issnan(f, a) || f_issnan(f, b)) *fl |= RV_FFLAG_NV;
        return FMT_QNAN(f);
    }
    bool s = f_sign(f, a) != f_sign(f, b);
    if (f_isinf(f, a)) {
        if (f_isinf(f, b)) {
            *fl |= RV_FFLAG_NV;
            return FMT_QNAN(f);
        }
        return f_inf(f, s);
    }
    if (f_isinf(f, b)) return f_zero(f, s);
    if (f_iszero(f, b)) {
        if (f_iszero(f, a)) {
            *fl |= RV_FFLAG_NV;
            return FMT_QNAN(f);
        }
        *fl |= RV_FFLAG_DZ;
        return f_inf(f, s);
    }
    if (f_iszero(f, a)) return f_zero(f, s);
    int ea, eb;
    uint64_t ma, mb;
    f_unpack(f, a, &ea, &ma);
    f_unpack(f, b, &eb, &mb);
    if (f.prec <= 32) {
        /* a at bit 63, b at bit prec - 1: one 64-bit division gives 40 or 41 quotient bits. */
        int na = 63 - msb64(ma), nb = f.prec - 1 - msb64(mb);
        ma <<= na;
        mb <<= nb;
        uint64_t q = ma / mb;
        bool sticky = ma - q * mb != 0;
        return round_pack(f, s, (ea - na) - (eb - nb), q | sticky, rm, fl);
    }
    int na = 62 - msb64(ma), nb = 62 - msb64(mb);
    ma <<= na;
    mb <<= nb;
    u128 num = (u128)ma << 64;
    u128 q = num / mb;
    bool sticky = num - q * mb != 0;
    return round_pack(f, s, (ea - na) - (eb - nb) - 64, q | sticky, rm, fl);
}

/* floor(sqrt(x)) for 2^61 <= x < 2^63. */
static uint64_t isqrt64(uint64_t x) {
    uint64_t r = (uint64_t)sqrt((double)x); /* within one of the root */
    while (r * r > x)
        r--;
    while ((r + 1) * (r + 1) <= x)
        r++;
    return r;
}

/* floor(sqrt(x)) for 2^124 <= x < 2^126. */
static uint64_t isqrt128(u128 x) {
    uint64_t r = (uint64_t)sqrt((double)x);       /* within about 2^11 of the root */
    r = (uint64_t)((r + (uint64_t)(x / r)) >> 1); /* one Newton step: now within one */
    while ((u128)r * r > x)
        r--;
    while ((u128)(r + 1) * (r + 1) <= x)
        r++;
    return r;
}

FPU_INLINE uint64_t f_sqrt(struct fpu_fmt f, uint64_t a, unsigned rm, uint32_t *fl) {
    if (f_isnan(f, a)) {
        if (f_issnan(f, a)) *fl |= RV_FFLAG_NV;
        return FMT_QNAN(f);
    }
    if (f_iszero(f, a)) return a;
    if (f_sign(f, a)) {
        *fl |= RV_FFLAG_NV;
        return FMT_QNAN(f);
    }
    if (f_isinf(f, a)) return a;
    int e;
    uint64_t m;
    f_unpack(f, a, &e, &m);
    int n = 62 - msb64(m);
    e -= n;
    m <<= n;
    if (f.prec <= 32) {
        /* m has at most 24 significant bits at the top: shifting it right once is exact. */
        uint64_t x = (e & 1) ? m >> 1 : m;
        e += e & 1;
        uint64_t r = isqrt64(x);
        return round_pack(f, false, e / 2, r | (r * r != x), rm, fl);
    }
    /* x = m * 2^k with 2^124 <= x < 2^126 and e - k even. */
    int k = (e & 1) ? 63 : 62;
    u128 x = (u128)m << k;
    uint64_t r = isqrt128(x);
    bool sticky = (u128)r * r != x;
    return round_pack(f, false, (e - k) / 2, r | sticky, rm, fl);
}

/* (-1)^np * a * b + (-1)^nc * c with one rounding: the four fused multiply-adds. */
FPU_INLINE uint64_t f_fma(struct fpu_fmt f, uint64_t a, uint64_t b, uint64_t c, bool np, bool nc,
                          unsigned rm, uint32_t *fl) {
    if (__builtin_expect(f_both_normal(f, a, b) && f_both_normal(f, c, c), 1))
        return add_core(f, (f_sign(f, a) != f_sign(f, b)) != np, f_nexp(f, a) + f_nexp(f, b),
                        (u128)f_nsig(f, a) * f_nsig(f, b), f_sign(f, c) != nc, f_nexp(f, c),
                        f_nsig(f, c), rm, fl);
    if (f_issnan(f, a) || f_issnan(f, b) || f_issnan(f, c)) *fl |= RV_FFLAG_NV;
    /* inf * 0 is invalid even when c is a quiet NaN. */
    if ((f_isinf(f, a) && f_iszero(f, b)) || (f_iszero(f, a) && f_isinf(f, b))) {
        *fl |= RV_FFLAG_NV;
        return FMT_QNAN(f);
    }
    if (f_isnan(f, a) || f_isnan(f, b) || f_isnan(f, c)) return FMT_QNAN(f);
    bool sp = (f_sign(f, a) != f_sign(f, b)) != np, sc = f_sign(f, c) != nc;
    if (f_isinf(f, a) || f_isinf(f, b)) {
        if (f_isinf(f, c) && sc != sp) {
            *fl |= RV_FFLAG_NV;
            return FMT_QNAN(f);
        }
        return f_inf(f, sp);
    }
    if (f_isinf(f, c)) return f_inf(f, sc);
    bool pzero = f_iszero(f, a) || f_iszero(f, b);
    if (pzero) {
        if (f_iszero(f, c)) return f_zero(f, sp == sc ? sp : rm == RV_RM_RDN);
        return c ^ (nc ? FMT_SIGN(f) : 0);
    }
    int ea, eb;
    uint64_t ma, mb;
    f_unpack(f, a, &ea, &ma);
    f_unpack(f, b, &eb, &mb);
    u128 p = (u128)ma * mb;
    if (f_iszero(f, c)) return round_pack(f, sp, ea + eb, p, rm, fl);
    int ec;
    uint64_t mc;
    f_unpack(f, c, &ec, &mc);
    return add_core(f, sp, ea + eb, p, sc, ec, mc, rm, fl);
}

/* -1, 0 or 1 for a < b, a == b, a > b; both operands are not NaN. -0 == +0 unless zsign. */
FPU_INLINE int f_cmp(struct fpu_fmt f, uint64_t a, uint64_t b, bool zsign) {
    if (!zsign && f_iszero(f, a) && f_iszero(f, b)) return 0;
    if (a == b) return 0;
    bool sa = f_sign(f, a), sb = f_sign(f, b);
    if (sa != sb) return sa ? -1 : 1;
    bool less = sa ? a > b : a < b;
    return less ? -1 : 1;
}

FPU_INLINE uint64_t f_minmax(struct fpu_fmt f, uint64_t a, uint64_t b, bool max, uint32_t *fl) {
    if (f_issnan(f, a) || f_issnan(f, b)) *fl |= RV_FFLAG_NV;
    bool na = f_isnan(f, a), nb = f_isnan(f, b);
    if (na && nb) return FMT_QNAN(f);
    if (na) return b;
    if (nb) return a;
    int c = f_cmp(f, a, b, true);
    return (max ? c >= 0 : c <= 0) ? a : b;
}

/* Comparison: which results of f_cmp count as true; quiet raises NV only for sNaN. */
FPU_INLINE bool f_compare(struct fpu_fmt f, uint64_t a, uint64_t b, bool lt, bool eq, bool quiet,
                          uint32_t *fl) {
    if (f_isnan(f, a) || f_isnan(f, b)) {
        if (!quiet || f_issnan(f, a) || f_issnan(f, b)) *fl |= RV_FFLAG_NV;
        return false;
    }
    int c = f_cmp(f, a, b, false);
    return (c < 0 && lt) || (c == 0 && eq);
}

FPU_INLINE unsigned f_class(struct fpu_fmt f, uint64_t a) {
    bool s = f_sign(f, a);
    uint64_t ex = f_exp(f, a), fr = f_frac(f, a);
    if (ex == FMT_EMASK(f)) {
        if (fr == 0) return s ? RV_FCLASS_NEG_INF : RV_FCLASS_POS_INF;
        return f_issnan(f, a) ? RV_FCLASS_SNAN : RV_FCLASS_QNAN;
    }
    if (ex == 0 && fr == 0) return s ? RV_FCLASS_NEG_ZERO : RV_FCLASS_POS_ZERO;
    if (ex == 0) return s ? RV_FCLASS_NEG_SUBNORMAL : RV_FCLASS_POS_SUBNORMAL;
    return s ? RV_FCLASS_NEG_NORMAL : RV_FCLASS_POS_NORMAL;
}

/* Float to integer of `bits` width, rounded per rm, saturating with NV. Returns the integer
 * two's-complement pattern in the low `bits` bits. */
FPU_INLINE uint64_t f_to_int(struct fpu_fmt f, uint64_t a, bool is_signed, int bits, unsigned rm,
                             uint32_t *fl) {
    uint64_t umax = bits == 64 ? ~0ull : (1ull << bits) - 1;
    uint64_t smax = umax >> 1, smin = smax + 1; /* smin: magnitude of the most negative */
    uint64_t hi = is_signed ? smax : umax, lo = is_signed ? smin : 0;
    if (f_isnan(f, a)) {
        *fl |= RV_FFLAG_NV;
        return hi;
    }
    bool s = f_sign(f, a);
    if (f_isinf(f, a)) {
        *fl |= RV_FFLAG_NV;
        return s ? lo : hi;
    }
    if (f_iszero(f, a)) return 0;
    int e;
    uint64_t m;
    f_unpack(f, a, &e, &m);
    uint64_t mag;
    bool inexact = false;
    if (e >= 0) {
        if (e + msb64(m) >= 64) {
            *fl |= RV_FFLAG_NV;
            return s ? lo : hi;
        }
        mag = m << e;
    } else {
        int sh = -e;
        if (sh > 62) { /* m * 2^-sh < 2^-9: only its being nonzero matters */
            m = 1;
            sh = 62;
        }
        uint64_t rem = m & ((1ull << sh) - 1);
        mag = m >> sh;
        mag += round_up(rem, 1ull << (sh - 1), mag & 1, s, rm);
        inexact = rem != 0;
    }
    bool ok = s ? mag <= lo : mag <= hi;
    if (!ok) {
        *fl |= RV_FFLAG_NV;
        return s ? (is_signed ? smin : 0) : hi;
    }
    if (inexact) *fl |= RV_FFLAG_NX;
    return (s ? -mag : mag) & umax;
}

static inline uint64_t sext32(uint64_t x) {
    return (uint64_t)(int64_t)(int32_t)(uint32_t)x;
}

FPU_INLINE uint64_t f_from_int(struct fpu_fmt f, bool s, uint64_t mag, unsigned rm, uint32_t *fl) {
    if (mag == 0) return 0;
    return round_pack(f, s, 0, mag, rm, fl);
}

/* Converts between formats: NaN -> canonical NaN of `to`, rounding per rm. */
FPU_INLINE uint64_t f_convert(struct fpu_fmt from, struct fpu_fmt to, uint64_t a, unsigned rm,
                              uint32_t *fl) {
    if (f_isnan(from, a)) {
        if (f_issnan(from, a)) *fl |= RV_FFLAG_NV;
        return FMT_QNAN(to);
    }
    bool s = f_sign(from, a);
    if (f_isinf(from, a)) return f_inf(to, s);
    if (f_iszero(from, a)) return f_zero(to, s);
    int e;
    uint64_t m;
    f_unpack(from, a, &e, &m);
    return round_pack(to, s, e, m, rm, fl);
}

/* ---- public API ---- */

bool rv_fpu_rm_valid(unsigned rm) {
    return rm <= RV_RM_RMM;
}

bool rv_fpu_rm_resolve(unsigned insn_rm, unsigned frm, unsigned *out) {
    unsigned rm = insn_rm == RV_RM_DYN ? frm : insn_rm;
    if (!rv_fpu_rm_valid(rm)) return false;
    *out = rm;
    return true;
}

uint32_t rv_f32_unbox(uint64_t reg) {
    if ((reg & RV_F32_BOX_MASK) != RV_F32_BOX_MASK) return RV_F32_CANONICAL_NAN;
    return (uint32_t)reg;
}

uint64_t rv_f32_box(uint32_t v) {
    return RV_F32_BOX_MASK | v;
}

#define S fmt_s
#define D fmt_d

uint32_t rv_f32_add(uint32_t a, uint32_t b, unsigned rm, uint32_t *fl) {
    return (uint32_t)f_add(S, a, b, rm, fl);
}
uint32_t rv_f32_sub(uint32_t a, uint32_t b, unsigned rm, uint32_t *fl) {
    return (uint32_t)f_add(S, a, b ^ FMT_SIGN(S), rm, fl);
}
uint32_t rv_f32_mul(uint32_t a, uint32_t b, unsigned rm, uint32_t *fl) {
    return (uint32_t)f_mul(S, a, b, rm, fl);
}
uint32_t rv_f32_div(uint32_t a, uint32_t b, unsigned rm, uint32_t *fl) {
    return (uint32_t)f_div(S, a, b, rm, fl);
}
uint32_t rv_f32_sqrt(uint32_t a, unsigned rm, uint32_t *fl) {
    return (uint32_t)f_sqrt(S, a, rm, fl);
}
uint32_t rv_f32_madd(uint32_t a, uint32_t b, uint32_t c, unsigned rm, uint32_t *fl) {
    return (uint32_t)f_fma(S, a, b, c, false, false, rm, fl);
}
uint32_t rv_f32_msub(uint32_t a, uint32_t b, uint32_t c, unsigned rm, uint32_t *fl) {
    return (uint32_t)f_fma(S, a, b, c, false, true, rm, fl);
}
uint32_t rv_f32_nmsub(uint32_t a, uint32_t b, uint32_t c, unsigned rm, uint32_t *fl) {
    return (uint32_t)f_fma(S, a, b, c, true, false, rm, fl);
}
uint32_t rv_f32_nmadd(uint32_t a, uint32_t b, uint32_t c, unsigned rm, uint32_t *fl) {
    return (uint32_t)f_fma(S, a, b, c, true, true, rm, fl);
}
uint32_t rv_f32_min(uint32_t a, uint32_t b, uint32_t *fl) {
    return (uint32_t)f_minmax(S, a, b, false, fl);
}
uint32_t rv_f32_max(uint32_t a, uint32_t b, uint32_t *fl) {
    return (uint32_t)f_minmax(S, a, b, true, fl);
}
bool rv_f32_eq(uint32_t a, uint32_t b, uint32_t *fl) {
    return f_compare(S, a, b, false, true, true, fl);
}
bool rv_f32_lt(uint32_t a, uint32_t b, uint32_t *fl) {
    return f_compare(S, a, b, true, false, false, fl);
}
bool rv_f32_le(uint32_t a, uint32_t b, uint32_t *fl) {
    return f_compare(S, a, b, true, true, false, fl);
}
unsigned rv_f32_class(uint32_t a) {
    return f_class(S, a);
}
uint32_t rv_f32_sgnj(uint32_t a, uint32_t b) {
    return (a & 0x7fffffffu) | (b & 0x80000000u);
}
uint32_t rv_f32_sgnjn(uint32_t a, uint32_t b) {
    return (a & 0x7fffffffu) | (~b & 0x80000000u);
}
uint32_t rv_f32_sgnjx(uint32_t a, uint32_t b) {
    return a ^ (b & 0x80000000u);
}
uint64_t rv_f32_to_w(uint32_t a, unsigned rm, uint32_t *fl) {
    return sext32(f_to_int(S, a, true, 32, rm, fl));
}
uint64_t rv_f32_to_wu(uint32_t a, unsigned rm, uint32_t *fl) {
    return sext32(f_to_int(S, a, false, 32, rm, fl));
}
uint64_t rv_f32_to_l(uint32_t a, unsigned rm, uint32_t *fl) {
    return f_to_int(S, a, true, 64, rm, fl);
}
uint64_t rv_f32_to_lu(uint32_t a, unsigned rm, uint32_t *fl) {
    return f_to_int(S, a, false, 64, rm, fl);
}
uint32_t rv_f32_from_w(int32_t x, unsigned rm, uint32_t *fl) {
    return (uint32_t)f_from_int(S, x < 0, x < 0 ? -(uint64_t)x : (uint64_t)x, rm, fl);
}
uint32_t rv_f32_from_wu(uint32_t x, unsigned rm, uint32_t *fl) {
    return (uint32_t)f_from_int(S, false, x, rm, fl);
}
uint32_t rv_f32_from_l(int64_t x, unsigned rm, uint32_t *fl) {
    return (uint32_t)f_from_int(S, x < 0, x < 0 ? -(uint64_t)x : (uint64_t)x, rm, fl);
}
uint32_t rv_f32_from_lu(uint64_t x, unsigned rm, uint32_t *fl) {
    return (uint32_t)f_from_int(S, false, x, rm, fl);
}

uint64_t rv_f64_add(uint64_t a, uint64_t b, unsigned rm, uint32_t *fl) {
    return f_add(D, a, b, rm, fl);
}
uint64_t rv_f64_sub(uint64_t a, uint64_t b, unsigned rm, uint32_t *fl) {
    return f_add(D, a, b ^ FMT_SIGN(D), rm, fl);
}
uint64_t rv_f64_mul(uint64_t a, uint64_t b, unsigned rm, uint32_t *fl) {
    return f_mul(D, a, b, rm, fl);
}
uint64_t rv_f64_div(uint64_t a, uint64_t b, unsigned rm, uint32_t *fl) {
    return f_div(D, a, b, rm, fl);
}
uint64_t rv_f64_sqrt(uint64_t a, unsigned rm, uint32_t *fl) {
    return f_sqrt(D, a, rm, fl);
}
uint64_t rv_f64_madd(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint32_t *fl) {
    return f_fma(D, a, b, c, false, false, rm, fl);
}
uint64_t rv_f64_msub(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint32_t *fl) {
    return f_fma(D, a, b, c, false, true, rm, fl);
}
uint64_t rv_f64_nmsub(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint32_t *fl) {
    return f_fma(D, a, b, c, true, false, rm, fl);
}
uint64_t rv_f64_nmadd(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint32_t *fl) {
    return f_fma(D, a, b, c, true, true, rm, fl);
}
uint64_t rv_f64_min(uint64_t a, uint64_t b, uint32_t *fl) {
    return f_minmax(D, a, b, false, fl);
}
uint64_t rv_f64_max(uint64_t a, uint64_t b, uint32_t *fl) {
    return f_minmax(D, a, b, true, fl);
}
bool rv_f64_eq(uint64_t a, uint64_t b, uint32_t *fl) {
    return f_compare(D, a, b, false, true, true, fl);
}
bool rv_f64_lt(uint64_t a, uint64_t b, uint32_t *fl) {
    return f_compare(D, a, b, true, false, false, fl);
}
bool rv_f64_le(uint64_t a, uint64_t b, uint32_t *fl) {
    return f_compare(D, a, b, true, true, false, fl);
}
unsigned rv_f64_class(uint64_t a) {
    return f_class(D, a);
}
uint64_t rv_f64_sgnj(uint64_t a, uint64_t b) {
    return (a & ~FMT_SIGN(D)) | (b & FMT_SIGN(D));
}
uint64_t rv_f64_sgnjn(uint64_t a, uint64_t b) {
    return (a & ~FMT_SIGN(D)) | (~b & FMT_SIGN(D));
}
uint64_t rv_f64_sgnjx(uint64_t a, uint64_t b) {
    return a ^ (b & FMT_SIGN(D));
}
uint64_t rv_f64_to_w(uint64_t a, unsigned rm, uint32_t *fl) {
    return sext32(f_to_int(D, a, true, 32, rm, fl));
}
uint64_t rv_f64_to_wu(uint64_t a, unsigned rm, uint32_t *fl) {
    return sext32(f_to_int(D, a, false, 32, rm, fl));
}
uint64_t rv_f64_to_l(uint64_t a, unsigned rm, uint32_t *fl) {
    return f_to_int(D, a, true, 64, rm, fl);
}
uint64_t rv_f64_to_lu(uint64_t a, unsigned rm, uint32_t *fl) {
    return f_to_int(D, a, false, 64, rm, fl);
}
uint64_t rv_f64_from_w(int32_t x, unsigned rm, uint32_t *fl) {
    return f_from_int(D, x < 0, x < 0 ? -(uint64_t)x : (uint64_t)x, rm, fl);
}
uint64_t rv_f64_from_wu(uint32_t x, unsigned rm, uint32_t *fl) {
    return f_from_int(D, false, x, rm, fl);
}
uint64_t rv_f64_from_l(int64_t x, unsigned rm, uint32_t *fl) {
    return f_from_int(D, x < 0, x < 0 ? -(uint64_t)x : (uint64_t)x, rm, fl);
}
uint64_t rv_f64_from_lu(uint64_t x, unsigned rm, uint32_t *fl) {
    return f_from_int(D, false, x, rm, fl);
}

uint32_t rv_f64_to_f32(uint64_t a, unsigned rm, uint32_t *fl) {
    return (uint32_t)f_convert(D, S, a, rm, fl);
}
uint64_t rv_f32_to_f64(uint32_t a, unsigned rm, uint32_t *fl) {
    return f_convert(S, D, a, rm, fl);
}
