/* loops.c - the naive loops vm's bulk operations are measured against.
 *
 * These must stay what they look like: a byte loop moves one byte per iteration. Compilers
 * like to turn such loops into memcpy/memset calls (loop idiom recognition) or into vector
 * code; this file is therefore compiled with vectorisation and idiom recognition switched off
 * (see bench/CMakeLists.txt), and a CTest case checks its object file calls no mem* function.
 */
#include "kernels.h"

#include <string.h>

void *bench_byte_copy(void *dst, const void *src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    for (size_t i = 0; i < n; i++)
        d[i] = s[i];
    return dst;
}

void *bench_u64_copy(void *dst, const void *src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        __builtin_memcpy(&v, s + i, sizeof v); /* one unaligned 8-byte load */
        __builtin_memcpy(d + i, &v, sizeof v); /* one unaligned 8-byte store */
    }
    for (; i < n; i++)
        d[i] = s[i];
    return dst;
}

void *bench_byte_set(void *dst, int c, size_t n) {
    unsigned char *d = dst;
    for (size_t i = 0; i < n; i++)
        d[i] = (unsigned char)c;
    return dst;
}

void *bench_byte_move(void *dst, const void *src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d > s) {
        for (size_t i = n; i > 0; i--)
            d[i - 1] = s[i - 1];
    } else {
        for (size_t i = 0; i < n; i++)
            d[i] = s[i];
    }
    return dst;
}
