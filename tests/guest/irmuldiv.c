/* irmuldiv.c - M's division, remainder and high multiplications with RISC-V's edge cases
 * (x / 0 = all ones, x % 0 = x, MIN / -1 = MIN, MIN % -1 = 0, in 64 and 32 bits), which the
 * JIT's IR models as nodes of their own (IR_MULDIV, lowered to x86's div/idiv/mul/imul behind
 * compares). Each operation runs on every pair of edge operands, with the divisor in a
 * register, as a constant (li before it: a constant operand in the IR), with both operands
 * constant (folded by the optimiser), and with rd aliasing rs1 and rs2; and in a loop that
 * keeps many values live across them, so that rdx and the pool registers hold values there.
 * The printed lines are the same under every engine and under qemu-riscv64. */
#include <stdint.h>
#include <stdio.h>

#define OPS(X)                                                                                     \
    X(div) X(divu) X(rem) X(remu) X(divw) X(divuw) X(remw) X(remuw) X(mulh) X(mulhu) X(mulhsu)

/* rd = a OP b with both in registers; rd = a OP a, a OP= b (rd aliasing an operand). */
#define REG_OP(name)                                                                               \
    static __attribute__((noinline)) uint64_t r_##name(uint64_t a, uint64_t b) {                   \
        uint64_t r;                                                                                \
        __asm__(#name " %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));                                   \
        return r;                                                                                  \
    }                                                                                              \
    static __attribute__((noinline)) uint64_t s_##name(uint64_t a) {                               \
        __asm__(#name " %0, %0, %0" : "+r"(a));                                                    \
        return a;                                                                                  \
    }                                                                                              \
    static __attribute__((noinline)) uint64_t d_##name(uint64_t a, uint64_t b) {                   \
        __asm__(#name " %0, %0, %1" : "+r"(a) : "r"(b));                                           \
        return a;                                                                                  \
    }
OPS(REG_OP)

/* The divisor a constant (0, -1, 7), and both operands constants (MIN / -1, x / 0). */
#define CONST_OP(name)                                                                             \
    static __attribute__((noinline)) uint64_t c_##name(uint64_t a) {                               \
        uint64_t r0, r1, r2, r3, r4;                                                               \
        __asm__("li t0, 0\n\t" #name " %0, %5, t0\n\t"                                             \
                "li t0, -1\n\t" #name " %1, %5, t0\n\t"                                            \
                "li t0, 7\n\t" #name " %2, %5, t0\n\t"                                             \
                "li t0, -1\n\tli t1, 1\n\tslli t1, t1, 63\n\t" #name " %3, t1, t0\n\t"             \
                "li t0, 0\n\tli t1, -5\n\t" #name " %4, t1, t0\n\t"                                \
                : "=&r"(r0), "=&r"(r1), "=&r"(r2), "=&r"(r3), "=&r"(r4)                            \
                : "r"(a)                                                                           \
                : "t0", "t1");                                                                     \
        return r0 ^ (r1 * 3) ^ (r2 * 5) ^ (r3 * 7) ^ (r4 * 11);                                    \
    }
OPS(CONST_OP)

static const uint64_t vals[] = {0,
                                1,
                                2,
                                7,
                                UINT64_MAX,
                                (uint64_t)-7,
                                0x8000000000000000ull,
                                0x7fffffffffffffffull,
                                0x80000000ull,
                                0xffffffff80000000ull,
                                0x7fffffffull,
                                0xffffffffull,
                                0x100000000ull,
                                0x123456789abcdef0ull};
#define NV (sizeof(vals) / sizeof(vals[0]))

static uint64_t mix(uint64_t h, uint64_t v) {
    return (h ^ v) * 0x100000001b3ull;
}

/* Every pair of edge operands through one operation, all four ways, hashed; the values of
 * the edge cases themselves are printed too. */
#define PAIRS(name)                                                                                \
    {                                                                                              \
        uint64_t h = 0xcbf29ce484222325ull;                                                        \
        for (unsigned i = 0; i < NV; i++) {                                                        \
            h = mix(h, s_##name(vals[i]));                                                         \
            h = mix(h, c_##name(vals[i]));                                                         \
            for (unsigned j = 0; j < NV; j++)                                                      \
                h = mix(mix(h, r_##name(vals[i], vals[j])), d_##name(vals[i], vals[j]));           \
        }                                                                                          \
        printf("%-6s x/0 %016llx  MIN/-1 %016llx  MIN32/-1 %016llx  pairs %016llx\n", #name,       \
               (unsigned long long)r_##name(0x123456789abcdef0ull, 0),                             \
               (unsigned long long)r_##name(0x8000000000000000ull, UINT64_MAX),                    \
               (unsigned long long)r_##name(0xffffffff80000000ull, UINT64_MAX),                    \
               (unsigned long long)h);                                                             \
    }

/* One instruction in line (the loop below keeps its values live across it). */
#define IN(op, a, b)                                                                               \
    ({                                                                                             \
        uint64_t r_;                                                                               \
        __asm__(#op " %0, %1, %2" : "=r"(r_) : "r"(a), "r"(b));                                    \
        r_;                                                                                        \
    })

/* A loop with many live values around divisions and high multiplications in line (the
 * divisor runs through 0 and -1 now and then). */
static __attribute__((noinline)) uint64_t pressure(uint64_t seed, int rounds) {
    uint64_t a = seed, b = seed >> 3, c = seed * 7 + 1, d = ~seed, e = seed ^ 0x5555;
    uint64_t f = seed << 5, g = seed + 99, k = seed | 1, m = seed * 3, h = 0;
    for (int i = 0; i < rounds; i++) {
        uint64_t den = (i % 5 == 0) ? 0 : (i % 7 == 0) ? UINT64_MAX : (b | 1) - (uint64_t)i;
        uint64_t num = (i % 7 == 0) ? (i & 1 ? 0x8000000000000000ull : 0xffffffff80000000ull) : a;
        h += IN(div, num, den) ^ a ^ c;
        h += IN(rem, num, den) + d;
        h += IN(divu, num, den) ^ e;
        h += IN(remuw, num, den) + f;
        h += IN(divw, num, den) + g;
        h ^= IN(mulh, num, k) + IN(mulhsu, m, num) + IN(mulhu, den, a);
        a = a * 6364136223846793005ull + 1442695040888963407ull;
        b += a >> 17, c ^= b, d += c, e -= d, f ^= e << 1, g += f, k += g, m ^= k;
    }
    return h ^ a ^ b ^ c ^ d ^ e ^ f ^ g ^ k ^ m;
}

int main(void) {
    for (int round = 0; round < 40; round++) { /* hot: translated after the first rounds */
        if (round < 39) {
            volatile uint64_t sink = 0;
#define QUIET(name)                                                                                \
    for (unsigned i = 0; i < NV; i++)                                                              \
        sink += r_##name(vals[i], vals[(i + 3) % NV]) + c_##name(vals[i]) + s_##name(vals[i]);
            OPS(QUIET)
            (void)sink;
            continue;
        }
        OPS(PAIRS)
    }
    uint64_t p = 0;
    for (int r = 0; r < 200; r++)
        p = mix(p, pressure(0x9e3779b97f4a7c15ull * (uint64_t)(r + 1), 64));
    printf("pressure %016llx\n", (unsigned long long)p);
    return 0;
}
