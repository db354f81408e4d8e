/* host.h - what the host CPU and OS offer: vector ISA features (CPUID + XGETBV on x86-64),
 * copy-related bits (ERMS, FSRM) and cache sizes, detected once and cached. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Host facts that memops dispatch and the reports need. */
typedef struct vm_host_info {
    char arch[16];    /* "x86_64" or "aarch64" */
    char model[64];   /* CPU brand string, trimmed */
    bool sse2;        /* SSE2 usable */
    bool avx2;        /* AVX2 usable: CPU bit and OS-enabled YMM state */
    bool avx512;      /* AVX512F+BW usable: CPU bits and OS-enabled ZMM/opmask state */
    bool erms;        /* enhanced rep movsb/stosb */
    bool fsrm;        /* fast short rep movsb */
    bool neon;        /* AArch64 Advanced SIMD */
    size_t l1d_bytes; /* L1 data cache per core (0 if unknown) */
    size_t l2_bytes;  /* L2 cache per core (0 if unknown) */
    size_t l3_bytes;  /* L3 cache, shared (0 if unknown) */
} vm_host_info_t;

/* The host's facts, detected on first call (thread-safe, never NULL). */
const vm_host_info_t *vm_host_info(void);

#ifdef __cplusplus
}
#endif
