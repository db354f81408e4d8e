/* memops_scalar.c - portable memops in plain C with 64-bit words: the reference for every
 * host and the fallback when no vector ISA is usable. Compiled without auto-vectorisation
 * and without loop-to-libc-call idiom recognition, so it stays what it claims to be. */
#include "mem/memops_small.h"

#define MO_V       8
#define MO_HAVE_NT 0
#define MO_IMPL    VM_MEMOPS_SCALAR
#define MO_NAME    "scalar"
#define MO_TABLE   mem_memops_scalar

typedef uint64_t mo_vec_t;

static inline mo_vec_t mo_load(const void *p) {
    return mo_ld64(p);
}
static inline void mo_store(void *p, mo_vec_t v) {
    mo_st64(p, v);
}
static inline void mo_store_nt(void *p, mo_vec_t v) {
    mo_st64(p, v);
}
static inline mo_vec_t mo_splat(unsigned char c) {
    return 0x0101010101010101ull * c;
}
static inline uint64_t mo_neq(mo_vec_t a, mo_vec_t b) {
    return a ^ b;
}
static inline size_t mo_diff_index(uint64_t w) {
    return (size_t)__builtin_ctzll(w) / 8;
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
