/* memops_sse2.c - memops with 16-byte SSE2 vectors, the x86-64 baseline. */
#include <emmintrin.h>

#include "mem/memops_small.h"

#define MO_V       16
#define MO_HAVE_NT 1
#define MO_IMPL    VM_MEMOPS_SSE2
#define MO_NAME    "sse2"
#define MO_TABLE   mem_memops_sse2

typedef __m128i mo_vec_t;

static inline mo_vec_t mo_load(const void *p) {
    return _mm_loadu_si128((const __m128i *)p);
}
static inline void mo_store(void *p, mo_vec_t v) {
    _mm_storeu_si128((__m128i *)p, v);
}
static inline void mo_store_nt(void *p, mo_vec_t v) {
    _mm_stream_si128((__m128i *)p, v);
}
static inline mo_vec_t mo_splat(unsigned char c) {
    return _mm_set1_epi8((char)c);
}
static inline uint64_t mo_neq(mo_vec_t a, mo_vec_t b) {
    return (uint64_t)(_mm_movemask_epi8(_mm_cmpeq_epi8(a, b)) ^ 0xffff);
}
static inline size_t mo_diff_index(uint64_t w) {
    return (size_t)__builtin_ctzll(w);
}

static inline void mo_copy_lt_v(unsigned char *d, const unsigned char *s, size_t n) {
    mo_small_copy(d, s, n);
}
static inline void mo_set_lt_v(unsigned char *d, unsigned char c, size_t n) {
    mo_small_set(d, c, n);
}
static inline int mo_cmp_lt_v(const unsigned char *a, const unsigned char *b, size_t n) {
    return mo_small_cmp(a, b, n);
}

#include "mem/memops_body.h"
