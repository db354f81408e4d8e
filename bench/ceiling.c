/* ceiling.c - vector read and write loops that measure what one core can move per second at
 * each level of the memory hierarchy (the "physical ceilings" the bulk operations are judged
 * against).
 *
 * A ceiling is only worth its name if no copy beats it, so each kind of kernel (read, write,
 * non-temporal write) comes in several shapes: the widest vectors the host runs and the next
 * narrower ones, unrolled 8 and 16 times, and for writes `rep stosb` where the CPU has ERMS.
 * The benchmark times every shape the host runs and the report takes the fastest of each
 * kind, so a ceiling never depends on one loop happening to suit the core (on an Intel Xeon
 * with AVX-512, the single 8 x zmm store loop this file used to have, called once per
 * 24 KiB pass, measured an L1 write ceiling below the speed of a 4 KiB memcpy).
 *
 * Each kernel streams `passes` times through a 64-byte aligned buffer whose size is a
 * multiple of 1024 bytes (16 zmm): repeating the pass inside the call keeps the call and the
 * benchmark loop out of the figure when the buffer is small (an L1 pass takes tens of ns).
 * Reads feed four independent accumulators so the loop is bound by the loads, not by a
 * dependency chain, and the result is stored so no load can be dropped. Writes use ordinary
 * stores (which fetch the line first on a miss) or non-temporal stores (which bypass the
 * caches). Which shapes exist is decided once from the CPU's feature bits (which also check
 * that the OS enabled the vector state).
 */
#include "kernels.h"

#include <immintrin.h>

#include "vm/host.h"

/* Sink for the read kernels' accumulators: external, so the compiler must keep the loads. */
unsigned char bench_ceiling_sink[64] __attribute__((aligned(64)));

/* One read kernel of vector type T, W bytes wide, U vectors per iteration (U a multiple of
 * 4: four accumulators), compiled for target ISA `tgt`. */
#define CEIL_READ(fname, tgt, T, W, U, zero, load, xorf, store)                                    \
    __attribute__((target(tgt))) static void fname(void *buf, size_t n, size_t passes) {           \
        T a0 = zero, a1 = a0, a2 = a0, a3 = a0;                                                    \
        for (size_t r = 0; r < passes; r++) {                                                      \
            const T *p = (const T *)buf;                                                           \
            for (size_t i = 0; i < n / (W); i += (U)) {                                            \
                _Pragma("GCC unroll 4") for (size_t k = 0; k < (U); k += 4) {                      \
                    a0 = xorf(a0, load(p + i + k + 0));                                            \
                    a1 = xorf(a1, load(p + i + k + 1));                                            \
                    a2 = xorf(a2, load(p + i + k + 2));                                            \
                    a3 = xorf(a3, load(p + i + k + 3));                                            \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
        store((T *)bench_ceiling_sink, xorf(xorf(a0, a1), xorf(a2, a3)));                          \
    }

/* One write kernel: U stores of W-byte vectors per iteration, ordinary or streaming. */
#define CEIL_WRITE(fname, tgt, T, W, U, splat, store, fence)                                       \
    __attribute__((target(tgt))) static void fname(void *buf, size_t n, size_t passes) {           \
        const T v = splat;                                                                         \
        for (size_t r = 0; r < passes; r++) {                                                      \
            T *p = (T *)buf;                                                                       \
            for (size_t i = 0; i < n / (W); i += (U)) {                                            \
                _Pragma("GCC unroll 16") for (size_t k = 0; k < (U); k++) store(p + i + k, v);     \
            }                                                                                      \
        }                                                                                          \
        fence;                                                                                     \
    }

#define NO_FENCE (void)0

CEIL_READ(read_zmm_x8, "avx512f", __m512i, 64, 8, _mm512_setzero_si512(), _mm512_load_si512,
          _mm512_xor_si512, _mm512_store_si512)
CEIL_READ(read_zmm_x16, "avx512f", __m512i, 64, 16, _mm512_setzero_si512(), _mm512_load_si512,
          _mm512_xor_si512, _mm512_store_si512)
CEIL_READ(read_ymm_x16, "avx2", __m256i, 32, 16, _mm256_setzero_si256(), _mm256_load_si256,
          _mm256_xor_si256, _mm256_store_si256)
CEIL_READ(read_xmm_x32, "sse2", __m128i, 16, 32, _mm_setzero_si128(), _mm_load_si128, _mm_xor_si128,
          _mm_store_si128)

CEIL_WRITE(write_zmm_x8, "avx512f", __m512i, 64, 8, _mm512_set1_epi8(0x5a), _mm512_store_si512,
           NO_FENCE)
CEIL_WRITE(write_zmm_x16, "avx512f", __m512i, 64, 16, _mm512_set1_epi8(0x5a), _mm512_store_si512,
           NO_FENCE)
CEIL_WRITE(write_ymm_x16, "avx2", __m256i, 32, 16, _mm256_set1_epi8(0x5a), _mm256_store_si256,
           NO_FENCE)
CEIL_WRITE(write_xmm_x32, "sse2", __m128i, 16, 32, _mm_set1_epi8(0x5a), _mm_store_si128, NO_FENCE)
CEIL_WRITE(write_nt_zmm_x8, "avx512f", __m512i, 64, 8, _mm512_set1_epi8(0x5a), _mm512_stream_si512,
           _mm_sfence())
CEIL_WRITE(write_nt_ymm_x16, "avx2", __m256i, 32, 16, _mm256_set1_epi8(0x5a), _mm256_stream_si256,
           _mm_sfence())
CEIL_WRITE(write_nt_xmm_x32, "sse2", __m128i, 16, 32, _mm_set1_epi8(0x5a), _mm_stream_si128,
           _mm_sfence())

/* `rep stosb` over the buffer: the string instruction's own fill, fast with ERMS. */
static void write_rep_stosb(void *buf, size_t n, size_t passes) {
    for (size_t r = 0; r < passes; r++) {
        void *d = buf;
        size_t c = n;
        __asm__ volatile("rep stosb" : "+D"(d), "+c"(c) : "a"(0x5a) : "memory");
    }
}

typedef void (*ceil_fn)(void *buf, size_t n, size_t passes);

/* A kernel shape and what the host needs to run it. */
typedef struct ceil_shape {
    const char *name; /* "zmm_x8", ...: vector kind and vectors per loop iteration */
    ceil_fn fn;       /* the kernel */
    int need;         /* CEIL_NEED_* */
} ceil_shape_t;

enum { CEIL_NEED_SSE2, CEIL_NEED_AVX2, CEIL_NEED_AVX512, CEIL_NEED_ERMS };

/* Every shape of each kind, widest first: the first one the host runs is the kind's
 * reference shape (the one `ceiling/<kind>/N` names). */
static const ceil_shape_t ceil_shapes[BENCH_CEIL_KINDS][5] = {
    [BENCH_CEIL_READ] = {{"zmm_x8", read_zmm_x8, CEIL_NEED_AVX512},
                         {"zmm_x16", read_zmm_x16, CEIL_NEED_AVX512},
                         {"ymm_x16", read_ymm_x16, CEIL_NEED_AVX2},
                         {"xmm_x32", read_xmm_x32, CEIL_NEED_SSE2}},
    [BENCH_CEIL_WRITE] = {{"zmm_x8", write_zmm_x8, CEIL_NEED_AVX512},
                          {"zmm_x16", write_zmm_x16, CEIL_NEED_AVX512},
                          {"ymm_x16", write_ymm_x16, CEIL_NEED_AVX2},
                          {"xmm_x32", write_xmm_x32, CEIL_NEED_SSE2},
                          {"rep_stosb", write_rep_stosb, CEIL_NEED_ERMS}},
    [BENCH_CEIL_WRITE_NT] = {{"zmm_x8", write_nt_zmm_x8, CEIL_NEED_AVX512},
                             {"ymm_x16", write_nt_ymm_x16, CEIL_NEED_AVX2},
                             {"xmm_x32", write_nt_xmm_x32, CEIL_NEED_SSE2}},
};

static int ceil_host_has(int need) {
    const vm_host_info_t *h = vm_host_info();
    switch (need) {
    case CEIL_NEED_AVX512: return h->avx512;
    case CEIL_NEED_AVX2: return h->avx2;
    case CEIL_NEED_ERMS: return h->erms;
    default: return 1;
    }
}

/* The i-th shape of kind the host runs, or NULL. */
static const ceil_shape_t *ceil_shape(int kind, int i) {
    if (kind < 0 || kind >= BENCH_CEIL_KINDS) return NULL;
    const ceil_shape_t *row = ceil_shapes[kind];
    for (int k = 0; k < 5 && row[k].name; k++) {
        if (!ceil_host_has(row[k].need)) continue;
        if (i-- == 0) return &row[k];
    }
    return NULL;
}

const char *bench_ceiling_isa(void) {
    const vm_host_info_t *h = vm_host_info();
    return h->avx512 ? "avx512" : h->avx2 ? "avx2" : "sse2";
}

int bench_ceiling_shapes(int kind) {
    int n = 0;
    while (ceil_shape(kind, n))
        n++;
    return n;
}

const char *bench_ceiling_shape_name(int kind, int i) {
    const ceil_shape_t *s = ceil_shape(kind, i);
    return s ? s->name : NULL;
}

void bench_ceiling_run(int kind, int i, void *buf, size_t n, size_t passes) {
    const ceil_shape_t *s = ceil_shape(kind, i);
    if (s) s->fn(buf, n, passes);
}
