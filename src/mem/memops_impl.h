/* memops_impl.h - private glue between the memops dispatcher (memops.c) and the per-ISA
 * implementations (memops_<isa>.c): the tables each one exports, which exist on this host
 * architecture, and the tier thresholds they read. */
#pragma once

#include <stdatomic.h>
#include <stddef.h>

#include "vm/host.h"
#include "vm/memops.h"

/* The variables below are hidden: libvm is linked statically, and hidden visibility lets
 * the implementations read them with one PC-relative load instead of through the GOT. */
#define MEM_MEMOPS_HIDDEN __attribute__((visibility("hidden")))

/* Tier thresholds in force (see vm_memops_tuning_t). Relaxed atomics: any value is correct,
 * only the speed differs, so readers need no ordering and pay nothing on x86-64/AArch64. */
extern MEM_MEMOPS_HIDDEN _Atomic size_t
    mem_memops_rep_movsb_min; /* copies from here use `rep movsb` (0 never) */
extern MEM_MEMOPS_HIDDEN _Atomic size_t
    mem_memops_nt_min; /* copies/fills from here stream (0 never) */
extern MEM_MEMOPS_HIDDEN _Atomic size_t
    mem_memops_rep_stosb_min; /* fills from here use `rep stosb` (0 never) */

/* Method per operation and size class in force (vm_memops_method_t; VM_MEMOPS_M_VM when no
 * calibrated plan applies). The implementations read rows COPY and SET for sizes above 8
 * vectors, after the thresholds above; LIBC is handled by the dispatcher, never here. */
extern MEM_MEMOPS_HIDDEN _Atomic unsigned char mem_memops_plan[VM_MEMOPS_OPS][VM_MEMOPS_CLASSES];

/* Sizes below mem_memops_loop_below[op] (op COPY or SET) go straight to vm's vector loop:
 * no threshold and no plan entry sends them anywhere else, so the implementations test one
 * bound instead of reading the thresholds and the plan on every call (memops.c derives it
 * whenever either changes). Like them a relaxed atomic: any value is correct, since the sizes
 * from the bound up still take the full tier selection. */
extern MEM_MEMOPS_HIDDEN _Atomic size_t mem_memops_loop_below[2];

/* Size class of n: 0 below 128 B, then 128 B, 512 B, 2 KiB, 8 KiB, 32 KiB, 128 KiB,
 * 256 KiB, 512 KiB and 2 MiB (the last open-ended): a lookup on the bit length. */
static inline unsigned mem_memops_class(size_t n) {
    static const unsigned char by_bits[65] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5,
                                              5, 6, 7, 8, 8, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
                                              9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
                                              9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9};
    _Static_assert(VM_MEMOPS_CLASSES == 10, "by_bits lists 10 classes");
    return by_bits[n ? 64 - __builtin_clzll((unsigned long long)n) : 0];
}

/* The methods of one implementation, callable directly so calibration can time each. Every
 * function is correct at every size (below 8 vectors they all take the no-loop path). */
typedef struct mem_memops_methods {
    /* memcpy by method (VM, REP, NT; the LIBC slot is NULL). */
    void *(*copy[VM_MEMOPS_M_COUNT])(void *restrict, const void *restrict, size_t);
    /* memset by method (VM, REP, NT; the LIBC slot is NULL). */
    void *(*set[VM_MEMOPS_M_COUNT])(void *, int, size_t);
} mem_memops_methods_t;

/* Portable C implementation, built on every host. */
extern const vm_memops_table_t mem_memops_scalar;
extern const mem_memops_methods_t mem_memops_scalar_methods; /* its methods */

#if defined(__x86_64__)
extern const vm_memops_table_t mem_memops_sse2;            /* memops_sse2.c */
extern const vm_memops_table_t mem_memops_avx2;            /* memops_avx2.c, -mavx2 */
extern const vm_memops_table_t mem_memops_avx512;          /* memops_avx512.c, -mavx512{f,bw,vl} */
extern const vm_memops_table_t mem_memops_avx512h;         /* memops_avx512h.c: 32 B loop halves */
extern const mem_memops_methods_t mem_memops_sse2_methods; /* their methods */
extern const mem_memops_methods_t mem_memops_avx2_methods;
extern const mem_memops_methods_t mem_memops_avx512_methods;
extern const mem_memops_methods_t mem_memops_avx512h_methods;
#define MEM_MEMOPS_SSE2_TABLE (&mem_memops_sse2)
#define MEM_MEMOPS_AVX2_TABLE (&mem_memops_avx2)
#define MEM_MEMOPS_AVX512_TABLE                                                                    \
    (vm_host_info()->zmm_halves ? &mem_memops_avx512h : &mem_memops_avx512)
#define MEM_MEMOPS_NEON_TABLE   ((const vm_memops_table_t *)0)
#define MEM_MEMOPS_SSE2_METHODS (&mem_memops_sse2_methods)
#define MEM_MEMOPS_AVX2_METHODS (&mem_memops_avx2_methods)
#define MEM_MEMOPS_AVX512_METHODS                                                                  \
    (vm_host_info()->zmm_halves ? &mem_memops_avx512h_methods : &mem_memops_avx512_methods)
#define MEM_MEMOPS_NEON_METHODS ((const mem_memops_methods_t *)0)
#elif defined(__aarch64__)
extern const vm_memops_table_t mem_memops_neon;            /* memops_neon.c */
extern const mem_memops_methods_t mem_memops_neon_methods; /* its methods */
#define MEM_MEMOPS_SSE2_TABLE     ((const vm_memops_table_t *)0)
#define MEM_MEMOPS_AVX2_TABLE     ((const vm_memops_table_t *)0)
#define MEM_MEMOPS_AVX512_TABLE   ((const vm_memops_table_t *)0)
#define MEM_MEMOPS_NEON_TABLE     (&mem_memops_neon)
#define MEM_MEMOPS_SSE2_METHODS   ((const mem_memops_methods_t *)0)
#define MEM_MEMOPS_AVX2_METHODS   ((const mem_memops_methods_t *)0)
#define MEM_MEMOPS_AVX512_METHODS ((const mem_memops_methods_t *)0)
#define MEM_MEMOPS_NEON_METHODS   (&mem_memops_neon_methods)
#else
#error "vm supports x86-64 and AArch64 hosts"
#endif
