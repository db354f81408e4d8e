/* host_arch.h - the few architecture-specific primitives host.c needs (CPUID, XGETBV, CTR_EL0), so
 * that host.c itself is free of #ifdefs: on hosts without them they are constant stubs and the
 * compiler drops the code that uses them.
 *
 * mem_host_isa() says which instructions beyond the x86-64 baseline the JIT may emit. It asks
 * the C library where that can be done without CPUID: glibc (2.33 and later) probes the CPU
 * once before main and publishes what it found usable (<sys/platform/x86.h>). On a virtual
 * host every CPUID instruction traps to the hypervisor (15 us each on the Intel Xeon host of
 * issue 13, against 0.06 us for a system call), so the JIT's own five CPUIDs at its first
 * translation cost 0.08 ms of a 1.7 ms start. Elsewhere it runs CPUID itself. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Instructions beyond the x86-64 baseline that the JIT may emit (all false elsewhere). */
typedef struct mem_host_isa {
    bool popcnt; /* POPCNT */
    bool fma;    /* FMA3, with the AVX register state saved by the OS */
    bool bmi1;   /* BMI1: tzcnt */
    bool bmi2;   /* BMI2: rorx */
    bool lzcnt;  /* LZCNT (ABM) */
    bool sse41;  /* SSE4.1: roundsd */
} mem_host_isa_t;

#if defined(__x86_64__)
#include <cpuid.h>
#if defined(__has_include)
#if __has_include(<sys/platform/x86.h>)
#include <sys/platform/x86.h>
#define MEM_HOST_LIBC_ISA 1 /* the C library publishes the CPU's usable features */
#endif
#endif

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

#if defined(MEM_HOST_LIBC_ISA)
/* What the C library found usable (no CPUID here; a GLIBC_TUNABLES=glibc.cpu.hwcaps=-BMI2
 * style mask turns a feature off for vm as for the C library itself). */
static inline mem_host_isa_t mem_host_isa(void) {
    return (mem_host_isa_t){
        .popcnt = CPU_FEATURE_ACTIVE(POPCNT),
        .fma = CPU_FEATURE_ACTIVE(FMA),
        .bmi1 = CPU_FEATURE_ACTIVE(BMI1),
        .bmi2 = CPU_FEATURE_ACTIVE(BMI2),
        .lzcnt = CPU_FEATURE_ACTIVE(LZCNT),
        .sse41 = CPU_FEATURE_ACTIVE(SSE4_1),
    };
}
#else
/* The CPUID bits (FMA also needs the OS to save the AVX state: OSXSAVE, and XCR0's SSE and
 * AVX bits). */
static inline mem_host_isa_t mem_host_isa(void) {
    mem_host_isa_t f = {0};
    uint32_t r[4];
    mem_host_cpuid(0, 0, r);
    uint32_t maxleaf = r[0];
    mem_host_cpuid(1, 0, r);
    f.popcnt = (r[2] >> 23) & 1;
    f.sse41 = (r[2] >> 19) & 1;
    f.fma = ((r[2] >> 12) & 1) && ((r[2] >> 27) & 1) && ((r[2] >> 28) & 1) &&
            (mem_host_xgetbv0() & 6) == 6;
    if (maxleaf >= 7) {
        mem_host_cpuid(7, 0, r);
        f.bmi1 = (r[1] >> 3) & 1;
        f.bmi2 = (r[1] >> 8) & 1;
    }
    mem_host_cpuid(0x80000000u, 0, r);
    if (r[0] >= 0x80000001u) {
        mem_host_cpuid(0x80000001u, 0, r);
        f.lzcnt = (r[2] >> 5) & 1;
    }
    return f;
}
#endif

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

/* No x86 instructions to add on AArch64. */
static inline mem_host_isa_t mem_host_isa(void) {
    return (mem_host_isa_t){0};
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
