/* memops_neon.c - memops with 16-byte AArch64 Advanced SIMD vectors (always present).
 * No streaming stores: large copies use the plain aligned loop. */
#include <arm_neon.h>

#include "mem/memops_small.h"

#define MO_V       16
#define MO_HAVE_NT 0
#define MO_IMPL    VM_MEMOPS_NEON
#define MO_NAME    "neon"
#define MO_TABLE   mem_memops_neon

typedef uint8x16_t mo_vec_t;

static inline mo_vec_t mo_load(const void *p) {
    return vld1q_u8((const uint8_t *)p);
}
static inline void mo_store(void *p, mo_vec_t v) {
    vst1q_u8((uint8_t *)p, v);
}
static inline void mo_store_nt(void *p, mo_vec_t v) {
    vst1q_u8((uint8_t *)p, v);
}
static inline mo_vec_t mo_splat(unsigned char c) {
    return vdupq_n_u8(c);
}
/* Narrow the byte-equality mask to 4 bits per byte; invert so set nibbles mark differences. */
static inline uint64_t mo_neq(mo_vec_t a, mo_vec_t b) {
    uint8x8_t nib = vshrn_n_u16(vreinterpretq_u16_u8(vceqq_u8(a, b)), 4);
    return ~vget_lane_u64(vreinterpret_u64_u8(nib), 0);
}
static inline size_t mo_diff_index(uint64_t w) {
    return (size_t)__builtin_ctzll(w) / 4;
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
