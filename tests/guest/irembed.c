/* irembed.c - instructions the JIT's IR does not model itself but embeds (the emitter table's
 * code for them, in line in an IR translation): division and remainder (with x/0 and
 * overflow), the high multiplications, single- and double-precision arithmetic, fused
 * multiply-add, conversions and compares, AMOs and LR/SC. Each kernel keeps many integer
 * values live across those instructions (so the IR's pool registers hold values around
 * them) and runs hot enough to be translated; the printed checksums are the same under every
 * engine and under qemu-riscv64 (expected/irembed.out). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define ROUNDS 3000

/* RISC-V's division instructions themselves (C leaves x/0 and INT_MIN/-1 undefined). */
#define RV_OP(name, insn)                                                                          \
    static inline uint64_t name(uint64_t a, uint64_t b) {                                          \
        uint64_t r;                                                                                \
        __asm__(insn " %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));                                    \
        return r;                                                                                  \
    }
RV_OP(rv_div, "div")
RV_OP(rv_divu, "divu")
RV_OP(rv_rem, "rem")
RV_OP(rv_remu, "remu")
RV_OP(rv_divw, "divw")
RV_OP(rv_divuw, "divuw")
RV_OP(rv_remw, "remw")
RV_OP(rv_remuw, "remuw")

/* x/0, INT_MIN/-1 and ordinary operands, 64- and 32-bit, signed and unsigned; the others
 * stay live across every division. */
static __attribute__((noinline)) uint64_t divs(uint64_t seed) {
    uint64_t a = seed, b = seed >> 3, c = seed * 7 + 1, d = ~seed, e = seed ^ 0x5555;
    uint64_t f = seed << 5, g = seed + 99, h = 0;
    for (int i = 0; i < 24; i++) {
        uint64_t den = (i % 5 == 0) ? 0 : (i % 7 == 0) ? UINT64_MAX : (b | 1) - (uint64_t)i;
        uint64_t num = (i % 7 == 0) ? (i & 1 ? 0x8000000000000000ull : 0xffffffff80000000ull) : a;
        h += rv_div(num, den) ^ a ^ c;
        h += rv_rem(num, den) + d;
        h += rv_divu(num, den) ^ e;
        h += rv_remu(num, den) + f;
        h += rv_divw(num, den) + g;
        h += rv_remw(num, den) ^ b;
        h += rv_divuw(num, den) * 3 + rv_remuw(num, den);
        a = a * 6364136223846793005ull + 1442695040888963407ull;
        b += a >> 17, c ^= b, d += c, e -= d, f ^= e << 1, g += f;
    }
    return h ^ a ^ b ^ c ^ d ^ e ^ f ^ g;
}

/* mulh, mulhu, mulhsu. */
static __attribute__((noinline)) uint64_t mulhs(uint64_t seed) {
    uint64_t a = seed, b = ~seed * 3, c = seed >> 1, d = 0x8000000000000000ull, h = 0;
    for (int i = 0; i < 32; i++) {
        h += (uint64_t)(((__int128)(int64_t)a * (int64_t)b) >> 64) ^ c;
        h += (uint64_t)(((unsigned __int128)a * b) >> 64) + d;
        h += (uint64_t)(((__int128)(int64_t)c * (__int128)(unsigned __int128)b) >> 64);
        a = a * 2862933555777941757ull + 3037000493ull;
        b ^= a >> 7, c += b, d = (d >> 1) | (d << 63);
    }
    return h ^ a ^ b ^ c ^ d;
}

/* The FP instructions themselves (no libm: the guest tests link only libc). */
static inline float rv_fsqrt_s(float a) {
    float r;
    __asm__("fsqrt.s %0, %1" : "=f"(r) : "f"(a));
    return r;
}
static inline double rv_fsqrt_d(double a) {
    double r;
    __asm__("fsqrt.d %0, %1" : "=f"(r) : "f"(a));
    return r;
}
static inline float rv_fmadd_s(float a, float b, float c) {
    float r;
    __asm__("fmadd.s %0, %1, %2, %3" : "=f"(r) : "f"(a), "f"(b), "f"(c));
    return r;
}
static inline double rv_fnmsub_d(double a, double b, double c) {
    double r;
    __asm__("fnmsub.d %0, %1, %2, %3" : "=f"(r) : "f"(a), "f"(b), "f"(c));
    return r;
}
static inline float rv_fmin_s(float a, float b) {
    float r;
    __asm__("fmin.s %0, %1, %2" : "=f"(r) : "f"(a), "f"(b));
    return r;
}
static inline double rv_fmax_d(double a, double b) {
    double r;
    __asm__("fmax.d %0, %1, %2" : "=f"(r) : "f"(a), "f"(b));
    return r;
}

/* Single and double precision: arithmetic, sqrt, fma, conversions, compares, min/max. */
static __attribute__((noinline)) uint64_t fps(uint64_t seed) {
    float fa = (float)(seed % 1000) / 7.0f, fb = 1.5f, fc = -0.25f;
    double da = (double)(seed % 100000) / 3.0, db = 2.5;
    uint64_t k = seed, m = seed >> 2, h = 0;
    union {
        float f;
        uint32_t u;
    } uf;
    union {
        double d;
        uint64_t u;
    } ud;
    for (int i = 0; i < 24; i++) {
        fa = fa * fb + fc;
        fb = fb / (1.0f + (float)(i & 3)) + 0.5f;
        fc = rv_fsqrt_s(fa * fa + 1.0f) - fc;
        float ff = rv_fmadd_s(fa, fb, fc);
        da = rv_fnmsub_d(da, 0.75, db) - (double)ff;
        db = rv_fsqrt_d(db * db + 2.0) + (double)fa;
        uf.f = ff, ud.d = da;
        h += uf.u ^ ud.u ^ k;
        h += (uint64_t)(int64_t)(int32_t)ff + (uint64_t)(int64_t)da + m;
        h += (uint64_t)(fa < fb) + 2 * (uint64_t)(da <= db) + 4 * (uint64_t)(ff == fc);
        h += (uint64_t)(int64_t)rv_fmin_s(fa, fc) ^ (uint64_t)(int64_t)rv_fmax_d(da, db);
        fa += (float)(int32_t)(k & 0xff);
        da -= (double)(uint32_t)(m & 0xffff);
        k = k * 6364136223846793005ull + 1, m ^= k >> 11;
        if (fa > 1e6f || fa < -1e6f) fa = 1.0f;
        if (da > 1e12 || da < -1e12) da = 2.0;
    }
    return h ^ k ^ m;
}

/* AMOs and LR/SC (compare-and-swap) on a small shared array. */
static uint64_t cells[8];
static uint32_t cells32[8];
static __attribute__((noinline)) uint64_t atomics(uint64_t seed) {
    uint64_t a = seed, b = seed >> 9, c = ~seed, h = 0;
    for (int i = 0; i < 16; i++) {
        uint64_t *p = &cells[i & 7];
        uint32_t *q = &cells32[(i + 3) & 7];
        h += __atomic_fetch_add(p, a, __ATOMIC_SEQ_CST) ^ b;
        h += __atomic_fetch_xor(q, (uint32_t)b, __ATOMIC_RELAXED) + c;
        h += __atomic_exchange_n(p, h, __ATOMIC_ACQ_REL);
        uint64_t want = *p;
        if (__atomic_compare_exchange_n(p, &want, want + a, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST))
            h += 1;
        uint32_t w32 = *q + 1; /* fails: the cell holds w32 - 1 */
        if (!__atomic_compare_exchange_n(q, &w32, 7u, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            h += w32;
        a = a * 2862933555777941757ull + 7, b += a >> 13, c ^= b;
    }
    return h ^ a ^ b ^ c;
}

int main(void) {
    uint64_t s[4] = {0};
    for (uint64_t r = 0; r < ROUNDS; r++) {
        s[0] = s[0] * 31 + divs(r * 0x9e3779b97f4a7c15ull + 1);
        s[1] = s[1] * 31 + mulhs(r * 0xbf58476d1ce4e5b9ull + 3);
        s[2] = s[2] * 31 + fps(r + 5);
        s[3] = s[3] * 31 + atomics(r * 0x94d049bb133111ebull);
    }
    printf("divs %016llx\n", (unsigned long long)s[0]);
    printf("mulh %016llx\n", (unsigned long long)s[1]);
    printf("fp %016llx\n", (unsigned long long)s[2]);
    printf("atomics %016llx\n", (unsigned long long)s[3]);
    return 0;
}
