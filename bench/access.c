/* access.c - the volatile_vs_normal kernels: BENCH_ACCESS_WORDS 32-bit stores, then as many
 * loads, one access at a time, the way an interpreter performs a guest's loads and stores.
 *
 * The file is compiled without the loop vectoriser so that every variant does the same
 * scalar accesses; what differs is only how each access is made (volatile pointer, plain
 * pointer, vm's guest-RAM fast path). A compiler barrier between the two phases keeps the
 * loads from being folded into the stores.
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
