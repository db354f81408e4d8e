/* host_arch.h - the few architecture-specific primitives host.c needs (CPUID, XGETBV, CTR_EL0), so
 * that host.c itself is free of #ifdefs: on hosts without them they are constant stubs and the
 * compiler drops the code that uses them. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#if defined(__x86_64__)
#include <cpuid.h>

#define MEM_HOST_ARCH_NAME "x86_64" /* vm_host_info_t.arch on this host */
#define MEM_HOST_X86       1        /* CPUID/XGETBV exist */
#define MEM_HOST_AARCH64   0        /* Advanced SIMD is the baseline */

/* Run CPUID leaf/subleaf; r = {eax, ebx, ecx, edx}. */
static inline void mem_host_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
    __cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
}

/* Read XCR0 (which register state the OS saves); only valid when CPUID says OSXSAVE. */
static inline uint64_t mem_host_xgetbv0(void) {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

/* CTR_EL0 exists only on AArch64. */
static inline uint64_t mem_host_ctr_el0(void) {
    return 0;
}

#elif defined(__aarch64__)

#define MEM_HOST_ARCH_NAME "aarch64"
#define MEM_HOST_X86       0
#define MEM_HOST_AARCH64   1

static inline void mem_host_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
    (void)leaf;
    (void)sub;
    r[0] = r[1] = r[2] = r[3] = 0;
}

static inline uint64_t mem_host_xgetbv0(void) {
    return 0;
}

/* Read CTR_EL0, the cache type register (cache line sizes). Linux lets EL0 read it
 * (SCTLR_EL1.UCT, or a trap it emulates), so it is available to every process. */
static inline uint64_t mem_host_ctr_el0(void) {
    uint64_t v;
    __asm__ volatile("mrs %0, ctr_el0" : "=r"(v));
    return v;
}

#else
#error "vm supports x86-64 and AArch64 hosts"
#endif
