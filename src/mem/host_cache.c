/* host_cache.c - decode cache sizes and line sizes from CPUID leaves.
 *
 * Three sources exist on x86-64, tried in this order:
 *   - the deterministic cache-parameters leaf: 4 on Intel, 0x8000001D on AMD and Hygon (only
 *     when 0x80000001 ECX bit 22, TopologyExtensions, says it is there). Each subleaf
 *     describes one cache: EAX[4:0] type (1 data, 2 instruction, 3 unified, 0 end), EAX[7:5]
 *     level, EBX[31:22]+1 ways, EBX[21:12]+1 partitions, EBX[11:0]+1 line size, ECX+1 sets;
 *   - the legacy AMD leaves: 0x80000005 ECX (L1d: size in KiB in [31:24], line in [7:0]) and
 *     0x80000006 ECX (L2: KiB in [31:16], line in [7:0]) and EDX (L3: units of 512 KiB in
 *     [31:18], line in [7:0]). Intel fills 0x80000006 ECX the same way and leaves the rest 0.
 *     Virtual CPUs often hide the deterministic leaf and keep these;
 *   - nothing: the caller then falls back to sysfs or to defaults.
 * On AArch64 the cache type register CTR_EL0 gives the smallest data-cache line (DminLine,
 * bits [19:16], log2 of 4-byte words) but no sizes; mem_ctr_dline decodes it.
 * The functions see only recorded register values, never the CPU, so they are unit-tested
 * with values constructed from the documented layouts.
 */
#include "mem/host_cache.h"

#include <string.h>

void mem_cpuid_lookup(const mem_cpuid_rec_t *recs, size_t n, uint32_t leaf, uint32_t sub,
                      uint32_t out[4]) {
    memset(out, 0, 4 * sizeof out[0]);
    for (size_t i = 0; i < n; i++)
        if (recs[i].leaf == leaf && recs[i].sub == sub) {
            memcpy(out, recs[i].r, 4 * sizeof out[0]);
            return;
        }
}

/* Vendor string from leaf 0: EBX, EDX, ECX. */
static void vendor_of(const mem_cpuid_rec_t *recs, size_t n, char v[13]) {
    uint32_t r[4];
    mem_cpuid_lookup(recs, n, 0, 0, r);
    memcpy(v, &r[1], 4);
    memcpy(v + 4, &r[3], 4);
    memcpy(v + 8, &r[2], 4);
    v[12] = '\0';
}

/* Walk a deterministic cache-parameters leaf (4 or 0x8000001D share the layout). */
static void from_deterministic(const mem_cpuid_rec_t *recs, size_t n, uint32_t leaf,
                               mem_cache_geom_t *g) {
    for (uint32_t sub = 0; sub < 16; sub++) {
        uint32_t r[4];
        mem_cpuid_lookup(recs, n, leaf, sub, r);
        uint32_t type = r[0] & 0x1f; /* 0 none, 1 data, 2 instruction, 3 unified */
        if (type == 0) break;
        if (type == 2) continue;
        uint32_t level = (r[0] >> 5) & 7;
        if (level < 1 || level > 3) continue;
        size_t ways = ((r[1] >> 22) & 0x3ff) + 1;
        size_t parts = ((r[1] >> 12) & 0x3ff) + 1;
        size_t line = (r[1] & 0xfff) + 1;
        size_t sets = (size_t)r[2] + 1;
        int i = (int)level - 1;
        if (!g->size[i]) {
            g->size[i] = ways * parts * line * sets;
            g->line[i] = line;
        }
    }
}

/* Fill what is still unknown from the legacy 0x80000005/0x80000006 leaves. */
static void from_legacy(const mem_cpuid_rec_t *recs, size_t n, uint32_t max_ext,
                        mem_cache_geom_t *g) {
    uint32_t r[4];
    if (max_ext >= 0x80000005u && !g->size[MEM_CACHE_L1D]) {
        mem_cpuid_lookup(recs, n, 0x80000005u, 0, r);
        size_t kib = r[2] >> 24, line = r[2] & 0xff;
        if (kib) {
            g->size[MEM_CACHE_L1D] = kib << 10;
            g->line[MEM_CACHE_L1D] = line;
        }
    }
    if (max_ext < 0x80000006u) return;
    mem_cpuid_lookup(recs, n, 0x80000006u, 0, r);
    size_t l2_kib = r[2] >> 16, l2_line = r[2] & 0xff;
    if (l2_kib && !g->size[MEM_CACHE_L2]) {
        g->size[MEM_CACHE_L2] = l2_kib << 10;
        g->line[MEM_CACHE_L2] = l2_line;
    }
    size_t l3_units = r[3] >> 18, l3_line = r[3] & 0xff;
    if (l3_units && !g->size[MEM_CACHE_L3]) {
        g->size[MEM_CACHE_L3] = l3_units << 19; /* units of 512 KiB */
        g->line[MEM_CACHE_L3] = l3_line;
    }
}

int mem_cache_decode(const mem_cpuid_rec_t *recs, size_t n, mem_cache_geom_t *g) {
    memset(g, 0, sizeof *g);
    char vendor[13];
    vendor_of(recs, n, vendor);
    uint32_t r[4];
    mem_cpuid_lookup(recs, n, 0, 0, r);
    uint32_t max_leaf = r[0];
    mem_cpuid_lookup(recs, n, 0x80000000u, 0, r);
    uint32_t max_ext = r[0] >= 0x80000000u ? r[0] : 0;
    int intel = !strcmp(vendor, "GenuineIntel");
    int amd = !strcmp(vendor, "AuthenticAMD") || !strcmp(vendor, "HygonGenuine");
    if (intel && max_leaf >= 4) from_deterministic(recs, n, 4, g);
    if (amd && max_ext >= 0x8000001du) {
        mem_cpuid_lookup(recs, n, 0x80000001u, 0, r);
        if ((r[2] >> 22) & 1) from_deterministic(recs, n, 0x8000001du, g);
    }
    from_legacy(recs, n, max_ext, g);
    int found = 0;
    for (int i = 0; i < MEM_CACHE_LEVELS; i++)
        found += g->size[i] != 0;
    return found;
}

size_t mem_ctr_dline(uint64_t ctr) {
    if (!ctr) return 0;
    return (size_t)4 << ((ctr >> 16) & 0xf);
}

size_t mem_cache_record(void (*cpuid)(uint32_t leaf, uint32_t sub, uint32_t r[4]),
                        mem_cpuid_rec_t *recs, size_t cap) {
    size_t n = 0;
#define MEM_REC(l, s)                                                                              \
    do {                                                                                           \
        if (n < cap) {                                                                             \
            recs[n].leaf = (l), recs[n].sub = (s);                                                 \
            cpuid((l), (s), recs[n].r);                                                            \
            n++;                                                                                   \
        }                                                                                          \
    } while (0)
    MEM_REC(0, 0);
    uint32_t max_leaf = recs[0].r[0];
    MEM_REC(0x80000000u, 0);
    uint32_t max_ext = n > 1 ? recs[1].r[0] : 0;
    if (max_ext >= 0x80000001u) MEM_REC(0x80000001u, 0);
    if (max_ext >= 0x80000005u) MEM_REC(0x80000005u, 0);
    if (max_ext >= 0x80000006u) MEM_REC(0x80000006u, 0);
    for (uint32_t sub = 0; sub < 8; sub++) {
        if (max_leaf >= 4) MEM_REC(4, sub);
        if (max_ext >= 0x8000001du && max_ext < 0x90000000u) MEM_REC(0x8000001du, sub);
    }
#undef MEM_REC
    return n;
}

bool mem_cpu_l3_sliced(const uint32_t leaf0[4]) {
    bool amd = leaf0[1] == 0x68747541u && leaf0[3] == 0x69746e65u && /* "AuthenticAMD" */
               leaf0[2] == 0x444d4163u;
    bool hygon = leaf0[1] == 0x6f677948u && leaf0[3] == 0x6e65476eu && /* "HygonGenuine" */
                 leaf0[2] == 0x656e6975u;
    return amd || hygon;
}

bool mem_cpu_zmm_halves(const uint32_t leaf0[4], uint32_t signature) {
    bool amd = leaf0[1] == 0x68747541u && leaf0[3] == 0x69746e65u && /* "AuthenticAMD" */
               leaf0[2] == 0x444d4163u;
    unsigned family = (signature >> 8) & 0xf;
    if (family == 0xf) family += (signature >> 20) & 0xff;
    return amd && family == 0x19;
}
