/* host_cache.h - cache geometry from recorded CPUID register values and from AArch64's
 * CTR_EL0 (host_cache.c).
 *
 * The decoder is a pure function over a list of (leaf, subleaf) -> {eax, ebx, ecx, edx}
 * records, so the unit tests can feed it values recorded from (or constructed for) CPUs
 * vm does not run on; host.c records the live leaves and passes them in. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One recorded CPUID result. */
typedef struct mem_cpuid_rec {
    uint32_t leaf; /* EAX input */
    uint32_t sub;  /* ECX input (subleaf; 0 where the leaf has none) */
    uint32_t r[4]; /* EAX, EBX, ECX, EDX output */
} mem_cpuid_rec_t;

/* Cache levels the decoder reports: L1 data, L2, L3 (index 0, 1, 2). */
enum { MEM_CACHE_L1D = 0, MEM_CACHE_L2 = 1, MEM_CACHE_L3 = 2, MEM_CACHE_LEVELS = 3 };

/* Decoded geometry; 0 = not described by the leaves given. */
typedef struct mem_cache_geom {
    size_t size[MEM_CACHE_LEVELS]; /* bytes per level (L3: what the leaf reports) */
    size_t line[MEM_CACHE_LEVELS]; /* line size in bytes per level */
} mem_cache_geom_t;

/* The registers of (leaf, sub) among n records; all zero when absent. */
void mem_cpuid_lookup(const mem_cpuid_rec_t *recs, size_t n, uint32_t leaf, uint32_t sub,
                      uint32_t out[4]);

/* Decode L1d/L2/L3 sizes and line sizes from recorded leaves: leaf 4 on Intel, 0x8000001D
 * on AMD/Hygon with TopologyExtensions, then the legacy 0x80000005/0x80000006 leaves for
 * what is still unknown. Needs leaves 0, 0x80000000 and 0x80000001 to tell vendor and range.
 * Returns the number of levels found (0..3). */
int mem_cache_decode(const mem_cpuid_rec_t *recs, size_t n, mem_cache_geom_t *g);

/* The smallest data-cache line in bytes from an AArch64 CTR_EL0 value: DminLine, bits [19:16],
 * is log2 of the line in 4-byte words. 0 when ctr is 0 (no register: not AArch64). CTR_EL0
 * gives line sizes only; AArch64 has no user-readable cache sizes (CLIDR_EL1/CCSIDR_EL1 are
 * EL1 registers), so sizes come from sysfs or the defaults. */
size_t mem_ctr_dline(uint64_t ctr);

/* True when the x86 CPU of vendor leaf 0 (registers EAX, EBX, ECX, EDX) and leaf-1 signature
 * executes 512-bit loads and stores as two 256-bit halves: AMD family 19h (Zen 3/4; only
 * Zen 4 has AVX-512). Zen 5 (family 1Ah) and Intel's AVX-512 parts run them whole. */
bool mem_cpu_zmm_halves(const uint32_t leaf0[4], uint32_t signature);

/* True when the vendor in leaf 0 (EAX, EBX, ECX, EDX) splits its L3 into core-complex slices
 * (AMD, Hygon): a core reaches one slice, so a package-wide L3 figure overstates its cache.
 * Intel's L3 is one cache shared by every core of the package. */
bool mem_cpu_l3_sliced(const uint32_t leaf0[4]);

/* The CPUID leaves mem_cache_decode() may read, for recording them live: fills up to cap
 * records through cpuid(leaf, sub, r) and returns how many were written. */
size_t mem_cache_record(void (*cpuid)(uint32_t leaf, uint32_t sub, uint32_t r[4]),
                        mem_cpuid_rec_t *recs, size_t cap);
