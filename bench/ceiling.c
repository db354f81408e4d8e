/* ceiling.c - vector read and write loops that measure what one core can move per second at
 * each level of the memory hierarchy (the "physical ceilings" the bulk operations are judged
 * against).
 *
 * Each kernel streams through a 64-byte aligned buffer whose size is a multiple of 512 bytes
 * with the widest vectors the host runs (AVX-512, else AVX2, else SSE2), chosen once from the
 * CPU's feature bits (which also check that the OS enabled the vector state). Reads feed four
 * independent accumulators so the loop is bound by the loads, not by a dependency chain, and
 * the result is stored so no load can be dropped. Writes use ordinary stores (which fetch the
 * line first on a miss) or non-temporal stores (which bypass the caches).
 */
#include "kernels.h"

#include <immintrin.h>

typedef enum { CEIL_SSE2, CEIL_AVX2, CEIL_AVX512 } ceil_isa_t;

/* Sink for the read kernels' accumulators: external, so the compiler must keep the loads. */
unsigned char bench_ceiling_sink[64] __attribute__((aligned(64)));

static ceil_isa_t ceiling_pick(void) {
    static int isa = -1;
    if (isa < 0) {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f"))
            isa = CEIL_AVX512;
        else if (__builtin_cpu_supports("avx2"))
            isa = CEIL_AVX2;
        else
            isa = CEIL_SSE2;
    }
    return (ceil_isa_t)isa;
}

const char *bench_ceiling_isa(void) {
    static const char *const names[] = {"sse2", "avx2", "avx512"};
    return names[ceiling_pick()];
}

__attribute__((target("avx512f"))) static void read_avx512(const void *buf, size_t n) {
    const __m512i *p = buf;
    __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
    for (size_t i = 0; i < n / 64; i += 8) {
        a0 = _mm512_xor_si512(a0, _mm512_load_si512(p + i + 0));
        a1 = _mm512_xor_si512(a1, _mm512_load_si512(p + i + 1));
        a2 = _mm512_xor_si512(a2, _mm512_load_si512(p + i + 2));
        a3 = _mm512_xor_si512(a3, _mm512_load_si512(p + i + 3));
        a0 = _mm512_xor_si512(a0, _mm512_load_si512(p + i + 4));
        a1 = _mm512_xor_si512(a1, _mm512_load_si512(p + i + 5));
        a2 = _mm512_xor_si512(a2, _mm512_load_si512(p + i + 6));
        a3 = _mm512_xor_si512(a3, _mm512_load_si512(p + i + 7));
    }
    a0 = _mm512_xor_si512(_mm512_xor_si512(a0, a1), _mm512_xor_si512(a2, a3));
    _mm512_store_si512(bench_ceiling_sink, a0);
}

__attribute__((target("avx512f"))) static void write_avx512(void *buf, size_t n, int nt) {
    __m512i *p = buf;
    const __m512i v = _mm512_set1_epi8(0x5a);
    if (nt) {
        for (size_t i = 0; i < n / 64; i += 8)
            for (size_t k = 0; k < 8; k++)
                _mm512_stream_si512(p + i + k, v);
        _mm_sfence();
    } else {
        for (size_t i = 0; i < n / 64; i += 8)
            for (size_t k = 0; k < 8; k++)
                _mm512_store_si512(p + i + k, v);
    }
}

__attribute__((target("avx2"))) static void read_avx2(const void *buf, size_t n) {
    const __m256i *p = buf;
    __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
    for (size_t i = 0; i < n / 32; i += 16) {
        for (size_t k = 0; k < 16; k += 4) {
            a0 = _mm256_xor_si256(a0, _mm256_load_si256(p + i + k + 0));
            a1 = _mm256_xor_si256(a1, _mm256_load_si256(p + i + k + 1));
            a2 = _mm256_xor_si256(a2, _mm256_load_si256(p + i + k + 2));
            a3 = _mm256_xor_si256(a3, _mm256_load_si256(p + i + k + 3));
        }
    }
    a0 = _mm256_xor_si256(_mm256_xor_si256(a0, a1), _mm256_xor_si256(a2, a3));
    _mm256_store_si256((__m256i *)bench_ceiling_sink, a0);
}

__attribute__((target("avx2"))) static void write_avx2(void *buf, size_t n, int nt) {
    __m256i *p = buf;
    const __m256i v = _mm256_set1_epi8(0x5a);
    if (nt) {
        for (size_t i = 0; i < n / 32; i += 16)
            for (size_t k = 0; k < 16; k++)
                _mm256_stream_si256(p + i + k, v);
        _mm_sfence();
    } else {
        for (size_t i = 0; i < n / 32; i += 16)
            for (size_t k = 0; k < 16; k++)
                _mm256_store_si256(p + i + k, v);
    }
}

static void read_sse2(const void *buf, size_t n) {
    const __m128i *p = buf;
    __m128i a0 = _mm_setzero_si128(), a1 = a0, a2 = a0, a3 = a0;
    for (size_t i = 0; i < n / 16; i += 32) {
        for (size_t k = 0; k < 32; k += 4) {
            a0 = _mm_xor_si128(a0, _mm_load_si128(p + i + k + 0));
            a1 = _mm_xor_si128(a1, _mm_load_si128(p + i + k + 1));
            a2 = _mm_xor_si128(a2, _mm_load_si128(p + i + k + 2));
            a3 = _mm_xor_si128(a3, _mm_load_si128(p + i + k + 3));
        }
    }
    a0 = _mm_xor_si128(_mm_xor_si128(a0, a1), _mm_xor_si128(a2, a3));
    _mm_store_si128((__m128i *)bench_ceiling_sink, a0);
}

static void write_sse2(void *buf, size_t n, int nt) {
    __m128i *p = buf;
    const __m128i v = _mm_set1_epi8(0x5a);
    if (nt) {
        for (size_t i = 0; i < n / 16; i += 32)
            for (size_t k = 0; k < 32; k++)
                _mm_stream_si128(p + i + k, v);
        _mm_sfence();
    } else {
        for (size_t i = 0; i < n / 16; i += 32)
            for (size_t k = 0; k < 32; k++)
                _mm_store_si128(p + i + k, v);
    }
}

void bench_ceiling_read(const void *buf, size_t n) {
    switch (ceiling_pick()) {
    case CEIL_AVX512: read_avx512(buf, n); break;
    case CEIL_AVX2: read_avx2(buf, n); break;
    default: read_sse2(buf, n); break;
    }
}

static void ceiling_write(void *buf, size_t n, int nt) {
    switch (ceiling_pick()) {
    case CEIL_AVX512: write_avx512(buf, n, nt); break;
    case CEIL_AVX2: write_avx2(buf, n, nt); break;
    default: write_sse2(buf, n, nt); break;
    }
}

void bench_ceiling_write(void *buf, size_t n) {
    ceiling_write(buf, n, 0);
}

void bench_ceiling_write_nt(void *buf, size_t n) {
    ceiling_write(buf, n, 1);
}
