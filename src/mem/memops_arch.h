/* memops_arch.h - host string instructions the memops templates may use. On x86-64 these are
 * `rep movsb` / `rep stosb` (fast with ERMS/FSRM) and `sfence` after streaming stores; other
 * hosts get MO_HAVE_REP 0 and stubs the compiler removes, so the .c files need no #ifdef. */
#pragma once

#include <stddef.h>

#if defined(__x86_64__)

#define MO_HAVE_REP 1 /* rep movsb / rep stosb exist */

/* Copy n bytes forward with `rep movsb` (non-overlapping use only). */
static inline void mo_rep_movsb(void *d, const void *s, size_t n) {
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
}

/* Fill n bytes with c using `rep stosb`. */
static inline void mo_rep_stosb(void *d, int c, size_t n) {
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
}

/* Order earlier non-temporal stores before any later store. */
static inline void mo_store_fence(void) {
    __asm__ volatile("sfence" : : : "memory");
}

#else

#define MO_HAVE_REP 0

static inline void mo_rep_movsb(void *d, const void *s, size_t n) {
    (void)d, (void)s, (void)n;
    __builtin_trap(); /* never reached: guarded by MO_HAVE_REP */
}

static inline void mo_rep_stosb(void *d, int c, size_t n) {
    (void)d, (void)c, (void)n;
    __builtin_trap();
}

static inline void mo_store_fence(void) {
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

#endif
