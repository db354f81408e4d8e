/* access_vec.c - the plain volatile_vs_normal kernel once more, compiled with the project's
 * normal flags (vectoriser on): what the compiler makes of plain code when it may combine
 * accesses, which volatile forbids and an interpreter's one-at-a-time accesses cannot use. */
#include "kernels.h"

uint32_t bench_access_plain_autovec(uint32_t *buf, uint32_t seed) {
    for (uint32_t i = 0; i < BENCH_ACCESS_WORDS; i++)
        buf[i] = seed + i;
    __asm__ volatile("" ::: "memory");
    uint32_t sum = 0;
    for (uint32_t i = 0; i < BENCH_ACCESS_WORDS; i++)
        sum += buf[i];
    return sum;
}
