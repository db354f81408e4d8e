/* memops.h - bulk memory operations (copy, move, fill, compare) for guest memory and VM
 * internals, with one implementation per host vector ISA chosen once at run time.
 *
 * vm_memcpy() and friends call through a table of function pointers that is resolved on
 * first use from CPUID + XGETBV (x86-64) or the AArch64 baseline (NEON), or from the
 * VM_MEMOPS environment variable. Each implementation is also reachable directly through
 * vm_memops_table() so tests and benchmarks can exercise every one the host supports.
 * A calibration (vm_memops_calibrate) may refine, per size class, which method each
 * operation uses; see docs/memory.md ("Calibration").
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
/* C++ has no `restrict`; GCC and Clang spell the same qualifier __restrict there. */
#define VM_RESTRICT __restrict
#else
#define VM_RESTRICT restrict
#endif

/* The implementations vm knows; which ones exist depends on the host architecture. */
typedef enum vm_memops_impl {
    VM_MEMOPS_AUTO = 0, /* the best one the host supports */
    VM_MEMOPS_SCALAR,   /* portable C, 64-bit words; every host */
    VM_MEMOPS_SSE2,     /* x86-64 baseline 16-byte vectors */
    VM_MEMOPS_AVX2,     /* x86-64 32-byte vectors (needs OS-enabled YMM state) */
    VM_MEMOPS_AVX512,   /* x86-64 64-byte vectors (AVX512F+BW, OS-enabled ZMM state) */
    VM_MEMOPS_NEON,     /* AArch64 Advanced SIMD 16-byte vectors */
    VM_MEMOPS_COUNT     /* number of entries, not an implementation */
} vm_memops_impl_t;

/* One implementation: every function has the C library's contract. */
typedef struct vm_memops_table {
    vm_memops_impl_t impl; /* which implementation this is */
    const char *name;      /* its name as VM_MEMOPS spells it ("avx2", ...) */
    /* Copy n bytes between non-overlapping buffers; returns dst. */
    void *(*memcpy)(void *VM_RESTRICT dst, const void *VM_RESTRICT src, size_t n);
    /* Copy n bytes between possibly overlapping buffers; returns dst. */
    void *(*memmove)(void *dst, const void *src, size_t n);
    /* Fill n bytes with (unsigned char)c; returns dst. */
    void *(*memset)(void *dst, int c, size_t n);
    /* Compare n bytes; <0, 0 or >0 like memcmp. */
    int (*memcmp)(const void *a, const void *b, size_t n);
} vm_memops_table_t;

/* Size-tier thresholds in bytes; measured on the host and overridable (VM_MEMOPS_* env). */
typedef struct vm_memops_tuning {
    size_t small_max;      /* sizes up to this use branchy register copies, no loop */
    size_t copy_small_max; /* disjoint copies up to this run without a loop too (16 vectors
                              while the plan keeps vm's method there; read-only, like small_max) */
    size_t rep_movsb_min;  /* copies from this size use `rep movsb` (0 = never) */
    size_t nt_min;         /* copies from this size (fills from twice it) stream (0 = never) */
    size_t rep_stosb_min;  /* fills from this size use `rep stosb` (0 = never) */
} vm_memops_tuning_t;

/* Size classes of the calibrated plan: class c holds the sizes from vm_memops_class_min(c)
 * up to (not including) vm_memops_class_min(c + 1); the last class is open-ended. Factors
 * of 4 up to 32 KiB, then 128, 256, 512 KiB and 2 MiB: around the L2 size of current CPUs
 * the crossovers between the methods move. */
enum { VM_MEMOPS_CLASSES = 10 };

/* How one size class of one operation is carried out. */
typedef enum vm_memops_method {
    VM_MEMOPS_M_VM = 0, /* vm's vector code: no loop up to 8 vectors (16 for copies), else loop */
    VM_MEMOPS_M_REP,    /* `rep movsb` / `rep stosb` (x86-64) */
    VM_MEMOPS_M_NT,     /* non-temporal (streaming) stores, then a fence */
    VM_MEMOPS_M_LIBC,   /* the C library's own memcpy/memset/memmove */
    VM_MEMOPS_M_COUNT   /* number of methods, not a method */
} vm_memops_method_t;

/* Where the plan in force came from. */
typedef enum vm_memops_plan_src {
    VM_MEMOPS_PLAN_DEFAULT = 0, /* no calibration: the thresholds of vm_memops_tuning() */
    VM_MEMOPS_PLAN_CACHE,       /* read from the calibration cache file */
    VM_MEMOPS_PLAN_MEASURED,    /* measured by this process */
    VM_MEMOPS_PLAN_FORCED,      /* VM_MEMOPS_FORCE set every class to one method */
} vm_memops_plan_src_t;

/* Operations a plan covers (rows of vm_memops_plan_t.method). */
enum {
    VM_MEMOPS_OP_COPY = 0, /* memcpy, and memmove of disjoint buffers */
    VM_MEMOPS_OP_SET = 1,  /* memset */
    VM_MEMOPS_OP_MOVE = 2, /* memmove of overlapping buffers (vm or the C library only) */
    VM_MEMOPS_OPS = 3      /* number of rows */
};

/* A calibrated choice of method per operation and size class, for one implementation. */
typedef struct vm_memops_plan {
    vm_memops_impl_t impl;                                  /* implementation measured */
    unsigned char method[VM_MEMOPS_OPS][VM_MEMOPS_CLASSES]; /* vm_memops_method_t */
    vm_memops_plan_src_t src;                               /* where it came from */
    bool in_force;  /* applied (false: VM_MEMOPS_*_MIN, another VM_MEMOPS or set_tuning) */
    bool partial;   /* the time budget ran out: unmeasured classes kept the default */
    double ms;      /* wall time the measurement took (as recorded in the cache file) */
    char path[256]; /* the cache file ("" when no cache directory is known) */
} vm_memops_plan_t;

/* How vm_memops_calibrate() goes about it. */
typedef enum vm_memops_cal_mode {
    VM_MEMOPS_CAL_IF_NEEDED = 0, /* use the cache; measure only when it is missing or invalid */
    VM_MEMOPS_CAL_FORCE,         /* always measure afresh and rewrite the cache */
} vm_memops_cal_mode_t;

/* Copy n bytes (non-overlapping) with the active implementation; returns dst. */
void *vm_memcpy(void *VM_RESTRICT dst, const void *VM_RESTRICT src, size_t n);
/* Copy n bytes (overlap allowed) with the active implementation; returns dst. */
void *vm_memmove(void *dst, const void *src, size_t n);
/* Fill n bytes with (unsigned char)c with the active implementation; returns dst. */
void *vm_memset(void *dst, int c, size_t n);
/* Compare n bytes with the active implementation (memcmp contract). */
int vm_memcmp(const void *a, const void *b, size_t n);

#ifndef __cplusplus
#include <stdatomic.h>

/* Signatures of the four operations, as the dispatch pointers below hold them. */
typedef void *(*vm_memops_memcpy_fn)(void *restrict, const void *restrict, size_t);
typedef void *(*vm_memops_memmove_fn)(void *, const void *, size_t);
typedef void *(*vm_memops_memset_fn)(void *, int, size_t);
typedef int (*vm_memops_memcmp_fn)(const void *, const void *, size_t);

/* The dispatch pointers: the active implementation's functions (or, before the first call,
 * trampolines that resolve it). Written only by memops.c; read by the inline calls below. */
extern _Atomic(vm_memops_memcpy_fn) vm_memops_cur_memcpy;   /* vm_memcpy's target */
extern _Atomic(vm_memops_memmove_fn) vm_memops_cur_memmove; /* vm_memmove's target */
extern _Atomic(vm_memops_memset_fn) vm_memops_cur_memset;   /* vm_memset's target */
extern _Atomic(vm_memops_memcmp_fn) vm_memops_cur_memcmp;   /* vm_memcmp's target */

/* In C, a call vm_memcpy(d, s, n) loads the dispatch pointer and calls through it: one
 * indirect call into the implementation, where calling the function above would add a jump
 * (the call lands in vm_memcpy, which then jumps through the pointer). At 64-256 B that jump
 * is 5-15% of the call. The functions stay for taking an address and for C++ callers (a
 * function-like macro leaves `vm_memcpy` without parentheses alone). */
static inline void *vm_memops_call_memcpy(void *restrict d, const void *restrict s, size_t n) {
    return atomic_load_explicit(&vm_memops_cur_memcpy, memory_order_acquire)(d, s, n);
}
static inline void *vm_memops_call_memmove(void *d, const void *s, size_t n) {
    return atomic_load_explicit(&vm_memops_cur_memmove, memory_order_acquire)(d, s, n);
}
static inline void *vm_memops_call_memset(void *d, int c, size_t n) {
    return atomic_load_explicit(&vm_memops_cur_memset, memory_order_acquire)(d, c, n);
}
static inline int vm_memops_call_memcmp(const void *a, const void *b, size_t n) {
    return atomic_load_explicit(&vm_memops_cur_memcmp, memory_order_acquire)(a, b, n);
}
#define vm_memcpy(d, s, n)  vm_memops_call_memcpy(d, s, n)
#define vm_memmove(d, s, n) vm_memops_call_memmove(d, s, n)
#define vm_memset(d, c, n)  vm_memops_call_memset(d, c, n)
#define vm_memcmp(a, b, n)  vm_memops_call_memcmp(a, b, n)
#endif

/* Name of an implementation ("auto", "scalar", "sse2", "avx2", "avx512", "neon"). */
const char *vm_memops_name(vm_memops_impl_t impl);
/* Parse a VM_MEMOPS-style name; returns 0, or -EINVAL for an unknown name. */
int vm_memops_parse(const char *name, vm_memops_impl_t *out);
/* True when the host CPU and OS can run impl (AUTO and SCALAR always can). */
bool vm_memops_supported(vm_memops_impl_t impl);
/* The table of impl, or NULL when the host cannot run it (for tests and benchmarks). */
const vm_memops_table_t *vm_memops_table(vm_memops_impl_t impl);
/* Make impl the active implementation; 0, or -ENOTSUP (host lacks it) / -EINVAL. */
int vm_memops_select(vm_memops_impl_t impl);
/* Apply VM_MEMOPS and the threshold variables from the environment once; 0 or -errno
 * with a message in *why (static string) for a bad name or an unsupported path. */
int vm_memops_init_from_env(const char **why);
/* The implementation currently active (never AUTO once resolved). */
vm_memops_impl_t vm_memops_active(void);
/* The tier thresholds in force. */
vm_memops_tuning_t vm_memops_tuning(void);
/* Replace the tier thresholds (e.g. from measurements or for tests). They then stay in force
 * across vm_memops_select() (small_max and copy_small_max follow from the vector width and
 * the plan, and are not settable). */
void vm_memops_set_tuning(const vm_memops_tuning_t *t);
/* Lower bound in bytes of size class c (0 <= c < VM_MEMOPS_CLASSES). */
size_t vm_memops_class_min(int c);
/* The size calibration measures class c at. */
size_t vm_memops_class_size(int c);
/* Name of a method: "vm", "rep", "nt", "libc". */
const char *vm_memops_method_name(vm_memops_method_t m);
/* Calibrate the active implementation: pick per size class the fastest method (at most
 * about 50 ms of measuring), cache the plan under $XDG_CACHE_HOME/vm (else ~/.cache/vm) and
 * put it in force. IF_NEEDED does nothing once a plan was loaded or measured, and measures
 * only when VM_MEMOPS_CALIBRATE is not "off"/"cached". Returns 0 or -errno (-ENOMEM when the
 * measuring buffers cannot be had); an unwritable cache is not an error. */
int vm_memops_calibrate(vm_memops_cal_mode_t mode);
/* The plan in force (or the last one loaded, with in_force false when overridden). */
vm_memops_plan_t vm_memops_plan(void);
/* Return to the measured per-implementation defaults (plus any VM_MEMOPS_*_MIN variables
 * applied last), undoing vm_memops_set_tuning(). */
void vm_memops_reset_tuning(void);

#ifdef __cplusplus
}
#endif
