/* memops_impl.h - private glue between the memops dispatcher (memops.c) and the per-ISA
 * implementations (memops_<isa>.c): the tables each one exports, which exist on this host
 * architecture, and the tier thresholds they read. */
#pragma once

#include <stdatomic.h>
#include <stddef.h>

#include "vm/memops.h"

/* Tier thresholds in force (see vm_memops_tuning_t). Relaxed atomics: any value is correct,
 * only the speed differs, so readers need no ordering and pay nothing on x86-64/AArch64. */
extern _Atomic size_t mem_memops_rep_movsb_min; /* copies from here use `rep movsb` (0 never) */
extern _Atomic size_t mem_memops_nt_min;        /* copies/fills from here stream (0 never) */
extern _Atomic size_t mem_memops_rep_stosb_min; /* fills from here use `rep stosb` (0 never) */

/* Portable C implementation, built on every host. */
extern const vm_memops_table_t mem_memops_scalar;

#if defined(__x86_64__)
extern const vm_memops_table_t mem_memops_sse2;   /* memops_sse2.c */
extern const vm_memops_table_t mem_memops_avx2;   /* memops_avx2.c, -mavx2 */
extern const vm_memops_table_t mem_memops_avx512; /* memops_avx512.c, -mavx512{f,bw,vl} */
#define MEM_MEMOPS_SSE2_TABLE   (&mem_memops_sse2)
#define MEM_MEMOPS_AVX2_TABLE   (&mem_memops_avx2)
#define MEM_MEMOPS_AVX512_TABLE (&mem_memops_avx512)
#define MEM_MEMOPS_NEON_TABLE   ((const vm_memops_table_t *)0)
#elif defined(__aarch64__)
extern const vm_memops_table_t mem_memops_neon; /* memops_neon.c */
#define MEM_MEMOPS_SSE2_TABLE   ((const vm_memops_table_t *)0)
#define MEM_MEMOPS_AVX2_TABLE   ((const vm_memops_table_t *)0)
#define MEM_MEMOPS_AVX512_TABLE ((const vm_memops_table_t *)0)
#define MEM_MEMOPS_NEON_TABLE   (&mem_memops_neon)
#else
#error "vm supports x86-64 and AArch64 hosts"
#endif
