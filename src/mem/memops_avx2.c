/* memops_avx2.c - memops with 32-byte AVX2 vectors; 16..31-byte sizes use two overlapping
 * 16-byte vectors. The compiler adds vzeroupper on return. */
#include <immintrin.h>

#include "mem/memops_small.h"

#define MO_V       32
#define MO_HAVE_NT 1
#define MO_IMPL    VM_MEMOPS_AVX2
#define MO_NAME    "avx2"
#define MO_TABLE   mem_memops_avx2

typedef __m256i mo_vec_t;

static inline mo_vec_t mo_load(const void *p) {
    return _mm256_loadu_si256((const __m256i *)p);
}
static inline void mo_store(void *p, mo_vec_t v) {
    _mm256_storeu_si256((__m256i *)p, v);
}
static inline void mo_store_nt(void *p, mo_vec_t v) {
    _mm256_stream_si256((__m256i *)p, v);
}
static inline mo_vec_t mo_splat(unsigned char c) {
    return _mm256_set1_epi8((char)c);
}
static inline uint64_t mo_neq(mo_vec_t a, mo_vec_t b) {
    return (uint32_t)~_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, b));
}
static inline size_t mo_diff_index(uint64_t w) {
    return (size_t)__builtin_ctzll(w);
}

static inline __m128i mo_load16(const void *p) {
    return _mm_loadu_si128((const __m128i *)p);
}
static inline void mo_store16(void *p, __m128i v) {
    _mm_storeu_si128((__m128i *)p, v);
}

static inline void mo_copy_lt_v(unsigned char *d, const unsigned char *s, size_t n) {
    if (n >= 16) {
        __m128i a = mo_load16(s), b = mo_load16(s + n - 16);
        mo_store16(d, a);
        mo_store16(d + n - 16, b);
    } else {
        mo_small_copy(d, s, n);
    }
}
static inline void mo_set_lt_v(unsigned char *d, unsigned char c, size_t n) {
    if (n >= 16) {
        __m128i v = _mm_set1_epi8((char)c);
        mo_store16(d, v);
        mo_store16(d + n - 16, v);
    } else {
        mo_small_set(d, c, n);
    }
}
static inline int mo_cmp_lt_v(const unsigned char *a, const unsigned char *b, size_t n) {
    if (n < 16) return mo_small_cmp(a, b, n);
    uint32_t w = 0xffffu ^ (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(mo_load16(a), mo_load16(b)));
    size_t base = 0;
    if (!w) {
        base = n - 16;
        w = 0xffffu ^
            (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(mo_load16(a + base), mo_load16(b + base)));
        if (!w) return 0;
    }
    size_t k = base + (size_t)__builtin_ctz(w);
    return (int)a[k] - (int)b[k];
}

#include "mem/memops_body.h"
