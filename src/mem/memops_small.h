/* memops_small.h - branchy, loop-free copy/fill/compare of fewer than 16 bytes with
 * overlapping head and tail accesses in general-purpose registers. Every access stays inside
 * [p, p+n). Shared by all implementations (each includes it and compiles it with its own ISA
 * flags). Copies load everything before storing anything, so they are overlap-safe. */
#pragma once

#include <stddef.h>
#include <stdint.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "memops assume a little-endian host");

static inline uint64_t mo_ld64(const void *p) {
    uint64_t v;
    __builtin_memcpy(&v, p, 8);
    return v;
}
static inline uint32_t mo_ld32(const void *p) {
    uint32_t v;
    __builtin_memcpy(&v, p, 4);
    return v;
}
static inline uint16_t mo_ld16(const void *p) {
    uint16_t v;
    __builtin_memcpy(&v, p, 2);
    return v;
}
static inline void mo_st64(void *p, uint64_t v) {
    __builtin_memcpy(p, &v, 8);
}
static inline void mo_st32(void *p, uint32_t v) {
    __builtin_memcpy(p, &v, 4);
}
static inline void mo_st16(void *p, uint16_t v) {
    __builtin_memcpy(p, &v, 2);
}

/* Copy n < 16 bytes (also correct for overlapping buffers). */
static inline void mo_small_copy(unsigned char *d, const unsigned char *s, size_t n) {
    if (n >= 8) {
        uint64_t a = mo_ld64(s), b = mo_ld64(s + n - 8);
        mo_st64(d, a);
        mo_st64(d + n - 8, b);
    } else if (n >= 4) {
        uint32_t a = mo_ld32(s), b = mo_ld32(s + n - 4);
        mo_st32(d, a);
        mo_st32(d + n - 4, b);
    } else if (n >= 2) {
        uint16_t a = mo_ld16(s), b = mo_ld16(s + n - 2);
        mo_st16(d, a);
        mo_st16(d + n - 2, b);
    } else if (n) {
        *d = *s;
    }
}

/* Fill n < 16 bytes with byte c. */
static inline void mo_small_set(unsigned char *d, unsigned char c, size_t n) {
    uint64_t v = 0x0101010101010101ull * c;
    if (n >= 8) {
        mo_st64(d, v);
        mo_st64(d + n - 8, v);
    } else if (n >= 4) {
        mo_st32(d, (uint32_t)v);
        mo_st32(d + n - 4, (uint32_t)v);
    } else if (n >= 2) {
        mo_st16(d, (uint16_t)v);
        mo_st16(d + n - 2, (uint16_t)v);
    } else if (n) {
        *d = c;
    }
}

/* Three-way compare of two unsigned words: -1, 0 or 1. */
static inline int mo_cmp_u64(uint64_t x, uint64_t y) {
    return (x > y) - (x < y);
}

/* memcmp of n < 16 bytes. Big-endian views make the first differing byte the most
 * significant difference; head and tail words overlap so the order stays lexicographic. */
static inline int mo_small_cmp(const unsigned char *a, const unsigned char *b, size_t n) {
    if (n >= 8) {
        uint64_t x = __builtin_bswap64(mo_ld64(a)), y = __builtin_bswap64(mo_ld64(b));
        if (x != y) return mo_cmp_u64(x, y);
        return mo_cmp_u64(__builtin_bswap64(mo_ld64(a + n - 8)),
                          __builtin_bswap64(mo_ld64(b + n - 8)));
    }
    if (n >= 4) {
        uint64_t x =
            (uint64_t)__builtin_bswap32(mo_ld32(a)) << 32 | __builtin_bswap32(mo_ld32(a + n - 4));
        uint64_t y =
            (uint64_t)__builtin_bswap32(mo_ld32(b)) << 32 | __builtin_bswap32(mo_ld32(b + n - 4));
        return mo_cmp_u64(x, y);
    }
    if (n >= 2) {
        uint32_t x = (uint32_t)a[0] << 16 | (uint32_t)a[1] << 8 | a[n - 1];
        uint32_t y = (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[n - 1];
        return mo_cmp_u64(x, y);
    }
    return n ? (int)a[0] - (int)b[0] : 0;
}
