/* host.h - what the host CPU and OS offer: vector ISA features (CPUID + XGETBV on x86-64),
 * copy-related bits (ERMS, FSRM), cache sizes with where each came from, and the CPU's
 * identity (signature, microcode) that keys the memops calibration cache. Detected once. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Where a cache figure came from. */
typedef enum vm_host_src {
    VM_HOST_SRC_NONE = 0, /* not determined */
    VM_HOST_SRC_SYSFS,    /* /sys/devices/system/cpu/cpu0/cache */
    VM_HOST_SRC_CPUID,    /* x86 CPUID cache leaves (4, 0x8000001D, 0x80000005/6) */
    VM_HOST_SRC_DEFAULT,  /* neither said: a typical value, see docs/memory.md */
    VM_HOST_SRC_CTR,      /* AArch64 CTR_EL0 (line size only) */
} vm_host_src_t;

/* Host facts that memops dispatch and the reports need. */
typedef struct vm_host_info {
    char arch[16];          /* "x86_64" or "aarch64" */
    char model[64];         /* CPU brand string, trimmed */
    bool sse2;              /* SSE2 usable */
    bool avx2;              /* AVX2 usable: CPU bit and OS-enabled YMM state */
    bool avx512;            /* AVX512F+BW usable: CPU bits and OS-enabled ZMM/opmask state */
    bool erms;              /* enhanced rep movsb/stosb */
    bool fsrm;              /* fast short rep movsb */
    bool zmm_halves;        /* 512-bit loads/stores run as two 256-bit halves (AMD Zen 4) */
    bool l3_sliced;         /* L3 split into core-complex slices (AMD, Hygon): a core reaches one */
    bool neon;              /* AArch64 Advanced SIMD */
    size_t l1d_bytes;       /* L1 data cache per core (0 if unknown) */
    size_t l2_bytes;        /* L2 cache per core (0 if unknown) */
    size_t l3_bytes;        /* L3 cache, shared (0 if unknown) */
    size_t line_bytes;      /* L1d cache line size */
    vm_host_src_t l1d_src;  /* where l1d_bytes came from */
    vm_host_src_t l2_src;   /* where l2_bytes came from */
    vm_host_src_t l3_src;   /* where l3_bytes came from */
    vm_host_src_t line_src; /* where line_bytes came from */
    unsigned cpu_signature; /* x86: CPUID.1 EAX (family, model, stepping); AArch64: 0 */
    char microcode[24];     /* microcode revision as the kernel reports it, or "unknown" */
} vm_host_info_t;

/* The host's facts, detected on first call (thread-safe, never NULL). */
const vm_host_info_t *vm_host_info(void);
/* Name of a source: "sysfs", "cpuid", "ctr_el0", "default" or "unknown". */
const char *vm_host_src_name(vm_host_src_t src);

#ifdef __cplusplus
}
#endif
