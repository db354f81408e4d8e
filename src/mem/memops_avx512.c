/* memops_avx512.c - memops with 64-byte AVX-512 vectors (F + BW + VL). Sizes below one
 * vector use byte-masked loads and stores: masked-off bytes are neither read nor written and
 * cannot fault, so one instruction pair handles any 0..63-byte length with no branches.
 *
 * Built twice: as is (mem_memops_avx512, zmm everywhere) and from memops_avx512h.c with
 * MO_AVX512_HALVES (mem_memops_avx512h, whose copy loop moves 32-byte halves), for CPUs that
 * execute 512-bit accesses as two 256-bit ones; the dispatcher picks one (vm_host_info()
 * zmm_halves), both under the name "avx512".
 */
#include <immintrin.h>

#include "mem/memops_small.h"

#define MO_V       64
#define MO_HAVE_NT 1
#define MO_IMPL    VM_MEMOPS_AVX512
#define MO_NAME    "avx512"
#ifndef MO_AVX512_HALVES
#define MO_AVX512_HALVES 0
#endif
#if MO_AVX512_HALVES
#define MO_TABLE mem_memops_avx512h
#else
#define MO_TABLE mem_memops_avx512
#endif

typedef __m512i mo_vec_t;

static inline mo_vec_t mo_load(const void *p) {
    return _mm512_loadu_si512(p);
}
static inline void mo_store(void *p, mo_vec_t v) {
    _mm512_storeu_si512(p, v);
}
static inline void mo_store_nt(void *p, mo_vec_t v) {
    _mm512_stream_si512(p, v);
}
static inline mo_vec_t mo_splat(unsigned char c) {
    return _mm512_set1_epi8((char)c);
}
static inline uint64_t mo_neq(mo_vec_t a, mo_vec_t b) {
    return _mm512_cmpneq_epu8_mask(a, b);
}
static inline size_t mo_diff_index(uint64_t w) {
    return (size_t)__builtin_ctzll(w);
}

/* Mask of the low n bytes, n < 64 (BMI2 comes with every AVX-512 CPU; host.c checks it). */
static inline __mmask64 mo_mask(size_t n) {
    return _cvtu64_mask64(_bzhi_u64(~0ull, (unsigned)n));
}

static inline void mo_copy_lt_v(unsigned char *d, const unsigned char *s, size_t n) {
    __mmask64 k = mo_mask(n);
    _mm512_mask_storeu_epi8(d, k, _mm512_maskz_loadu_epi8(k, s));
}
/* memmove below one vector: unmasked accesses, two overlapping 32 or 16 byte vectors or the
 * register code below 16 bytes. A masked load whose 64 bytes overlap an earlier masked store
 * cannot take its data from the store buffer and waits until that store is written: moves
 * that shift data a little within a buffer (each call's load overlapping the previous call's
 * store) took 6.7 ns at 16-48 B on an Intel Xeon host, the C library 2.5-5.5 ns. */
#define MO_HAVE_MOVE_LT_V 1
static inline void mo_move_lt_v(unsigned char *d, const unsigned char *s, size_t n) {
    if (n >= 32) {
        __m256i a = _mm256_loadu_si256((const __m256i *)s);
        __m256i b = _mm256_loadu_si256((const __m256i *)(s + n - 32));
        _mm256_storeu_si256((__m256i *)d, a);
        _mm256_storeu_si256((__m256i *)(d + n - 32), b);
    } else if (n >= 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)s);
        __m128i b = _mm_loadu_si128((const __m128i *)(s + n - 16));
        _mm_storeu_si128((__m128i *)d, a);
        _mm_storeu_si128((__m128i *)(d + n - 16), b);
    } else {
        mo_small_copy(d, s, n);
    }
}
static inline void mo_set_lt_v(unsigned char *d, unsigned char c, size_t n) {
    _mm512_mask_storeu_epi8(d, mo_mask(n), _mm512_set1_epi8((char)c));
}
static inline int mo_cmp_lt_v(const unsigned char *a, const unsigned char *b, size_t n) {
    __mmask64 k = mo_mask(n);
    uint64_t w = _mm512_mask_cmpneq_epu8_mask(k, _mm512_maskz_loadu_epi8(k, a),
                                              _mm512_maskz_loadu_epi8(k, b));
    if (!w) return 0;
    size_t i = (size_t)__builtin_ctzll(w);
    return (int)a[i] - (int)b[i];
}

#if MO_AVX512_HALVES
/* The copy loop moves each 256-byte block with 32-byte vectors: on AMD Zen 4, which splits
 * 512-bit accesses in two, that is as fast for aligned data and faster when the source is
 * misaligned (fewer loads span two cache lines). On a CPU with whole 512-bit accesses (Zen 5)
 * the zmm loop is 1.2-1.4x faster from 1 KiB to 16 KiB; see docs/memory.md. */
#define MO_HAVE_COPY_BLOCK 1
static inline void mo_copy_block(unsigned char *d, const unsigned char *s) {
    __m256i v[8];
    for (int i = 0; i < 8; i++)
        v[i] = _mm256_loadu_si256((const __m256i *)(s + 32 * i));
    for (int i = 0; i < 8; i++)
        _mm256_storeu_si256((__m256i *)(d + 32 * i), v[i]);
}
#endif

#include "mem/memops_body.h"
