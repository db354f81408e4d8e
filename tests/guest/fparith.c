/* fparith.c - double-precision add, sub, mul and div on operands chosen near every edge of
 * the IEEE format (zeros, subnormals, the underflow threshold, huge values, infinities, NaNs,
 * values with few significant bits so that results are exact), in every rounding mode set
 * through frm. For each operation it prints a checksum of the result bits and of the fflags
 * each operation raised: an engine whose arithmetic or flags differ anywhere changes a line.
 * The loop is hot, so a JIT translates it (with its own fast paths) early on. */
#include <stdint.h>
#include <stdio.h>
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

int main(void) {
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
    return 0;
}
