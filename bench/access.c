/* access.c - the volatile_vs_normal kernels: BENCH_ACCESS_WORDS 32-bit stores, then as many
 * loads, one access at a time, the way an interpreter performs a guest's loads and stores.
 *
 * The file is compiled without the loop vectoriser so that every variant does the same
 * scalar accesses; what differs is only how each access is made (volatile pointer, plain
 * pointer, a plain pointer with a bounds check per access, vm's guest-RAM fast path). A
 * compiler barrier between the two phases keeps the loads from being folded into the
 * stores.
 */
#include "kernels.h"

uint32_t bench_access_volatile(uint32_t *buf, uint32_t seed) {
    volatile uint32_t *p = buf;
    for (uint32_t i = 0; i < BENCH_ACCESS_WORDS; i++)
        p[i] = seed + i;
    __asm__ volatile("" ::: "memory");
    uint32_t sum = 0;
    for (uint32_t i = 0; i < BENCH_ACCESS_WORDS; i++)
        sum += p[i];
    return sum;
}

uint32_t bench_access_plain(uint32_t *buf, uint32_t seed) {
    for (uint32_t i = 0; i < BENCH_ACCESS_WORDS; i++)
        buf[i] = seed + i;
    __asm__ volatile("" ::: "memory");
    uint32_t sum = 0;
    for (uint32_t i = 0; i < BENCH_ACCESS_WORDS; i++)
        sum += buf[i];
    return sum;
}

/* Out of line and never inlined: the miss handler of the checked kernel, as an accessor's
 * slow path is (a call in the loop's cold branch, so the loop keeps its values in
 * callee-saved registers exactly as vm's accessor loop must). */
__attribute__((noinline)) static int bench_access_miss(uint64_t off) {
    __asm__ volatile("" : : "r"(off) : "memory");
    return 1;
}

uint32_t bench_access_plain_checked(uint32_t *buf, uint64_t span, uint32_t seed, int *err) {
    int bad = 0;
    for (uint32_t i = 0; i < BENCH_ACCESS_WORDS; i++) {
        uint64_t off = 4u * (uint64_t)i;
        if (__builtin_expect(off < span, 1))
            buf[i] = seed + i;
        else if (!bad)
            bad = bench_access_miss(off);
    }
    __asm__ volatile("" ::: "memory");
    uint32_t sum = 0;
    for (uint32_t i = 0; i < BENCH_ACCESS_WORDS; i++) {
        uint64_t off = 4u * (uint64_t)i;
        if (__builtin_expect(off < span, 1))
            sum += buf[i];
        else if (!bad)
            bad = bench_access_miss(off);
    }
    *err = bad;
    return sum;
}
