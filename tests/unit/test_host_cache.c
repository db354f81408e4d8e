/* test_host_cache.c - cache geometry decoded from recorded CPUID leaves (src/mem/host_cache.c).
 *
 * The register values are constructed from the documented bit layouts for three kinds of
 * part: an Intel core with leaf 4 (a Skylake-SP-like 32 KiB / 1 MiB / 22 MiB hierarchy), an
 * AMD Zen 4-like part with leaf 0x8000001D (32 KiB / 1 MiB / 32 MiB), and an AMD virtual CPU
 * that hides 0x8000001D and keeps only the legacy 0x80000005/0x80000006 leaves (48 KiB /
 * 1 MiB / 32 MiB). None of them needs the host to be such a CPU.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mem/host_cache.h"
#include "vm/host.h"

/* Leaf 0 for a vendor: max leaf, then the vendor string in EBX, EDX, ECX. */
static mem_cpuid_rec_t leaf0(uint32_t max, const char vendor[13]) {
    mem_cpuid_rec_t r = {.leaf = 0};
    r.r[0] = max;
    memcpy(&r.r[1], vendor, 4);
    memcpy(&r.r[3], vendor + 4, 4);
    memcpy(&r.r[2], vendor + 8, 4);
    return r;
}

/* A deterministic cache-parameters subleaf (layout of leaf 4 and 0x8000001D). */
static mem_cpuid_rec_t det(uint32_t leaf, uint32_t sub, uint32_t type, uint32_t level,
                           uint32_t ways, uint32_t parts, uint32_t line, uint32_t sets) {
    mem_cpuid_rec_t r = {.leaf = leaf, .sub = sub};
    r.r[0] = type | level << 5;
    r.r[1] = (ways - 1) << 22 | (parts - 1) << 12 | (line - 1);
    r.r[2] = sets - 1;
    return r;
}

static mem_cpuid_rec_t rec(uint32_t leaf, uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
    mem_cpuid_rec_t r = {.leaf = leaf, .r = {a, b, c, d}};
    return r;
}

static void intel_leaf4(void **state) {
    (void)state;
    mem_cpuid_rec_t recs[] = {
        leaf0(0x16, "GenuineIntel"), rec(0x80000000u, 0x80000008u, 0, 0, 0),
        rec(0x80000001u, 0, 0, 0x121, 0x2c100800),
        /* Intel leaves 0x80000005 at 0 and reports L2 in 0x80000006 ECX; leaf 4 wins. */
        rec(0x80000005u, 0, 0, 0, 0), rec(0x80000006u, 0, 0, 0x04008040, 0),
        det(4, 0, 1, 1, 8, 1, 64, 64),     /* L1d 32 KiB */
        det(4, 1, 2, 1, 8, 1, 64, 64),     /* L1i, skipped */
        det(4, 2, 3, 2, 16, 1, 64, 1024),  /* L2 1 MiB */
        det(4, 3, 3, 3, 11, 1, 64, 32768), /* L3 22 MiB */
        det(4, 4, 0, 0, 1, 1, 1, 1),       /* end */
    };
    mem_cache_geom_t g;
    assert_int_equal(mem_cache_decode(recs, sizeof recs / sizeof recs[0], &g), 3);
    assert_int_equal(g.size[MEM_CACHE_L1D], 32 << 10);
    assert_int_equal(g.size[MEM_CACHE_L2], 1 << 20);
    assert_int_equal(g.size[MEM_CACHE_L3], 22 << 20);
    assert_int_equal(g.line[MEM_CACHE_L1D], 64);
    assert_int_equal(g.line[MEM_CACHE_L2], 64);
    assert_int_equal(g.line[MEM_CACHE_L3], 64);
}

static void intel_legacy_l2_only(void **state) {
    (void)state;
    /* An Intel part whose leaf 4 is hidden: only 0x80000006 ECX (L2 256 KiB, 64 B lines). */
    mem_cpuid_rec_t recs[] = {
        leaf0(0x3, "GenuineIntel"),
        rec(0x80000000u, 0x80000008u, 0, 0, 0),
        rec(0x80000006u, 0, 0, 0x01006040, 0),
    };
    mem_cache_geom_t g;
    assert_int_equal(mem_cache_decode(recs, sizeof recs / sizeof recs[0], &g), 1);
    assert_int_equal(g.size[MEM_CACHE_L1D], 0);
    assert_int_equal(g.size[MEM_CACHE_L2], 256 << 10);
    assert_int_equal(g.line[MEM_CACHE_L2], 64);
    assert_int_equal(g.size[MEM_CACHE_L3], 0);
}

static void amd_8000001d(void **state) {
    (void)state;
    mem_cpuid_rec_t recs[] = {
        leaf0(0x10, "AuthenticAMD"), rec(0x80000000u, 0x80000028u, 0, 0, 0),
        rec(0x80000001u, 0x00a10f11, 0, 1u << 22, 0), /* TopologyExtensions */
        /* Legacy leaves with other figures: the deterministic leaf must win. */
        rec(0x80000005u, 0, 0, 0x40080140, 0),          /* would say L1d 64 KiB */
        rec(0x80000006u, 0, 0, 0x02006140, 0x01009140), /* would say L2 512 KiB, L3 32 MiB */
        det(0x8000001du, 0, 1, 1, 8, 1, 64, 64),        /* L1d 32 KiB */
        det(0x8000001du, 1, 2, 1, 8, 1, 64, 64),        /* L1i */
        det(0x8000001du, 2, 3, 2, 8, 1, 64, 2048),      /* L2 1 MiB */
        det(0x8000001du, 3, 3, 3, 16, 1, 64, 32768),    /* L3 32 MiB */
    };
    mem_cache_geom_t g;
    assert_int_equal(mem_cache_decode(recs, sizeof recs / sizeof recs[0], &g), 3);
    assert_int_equal(g.size[MEM_CACHE_L1D], 32 << 10);
    assert_int_equal(g.size[MEM_CACHE_L2], 1 << 20);
    assert_int_equal(g.size[MEM_CACHE_L3], 32 << 20);
    assert_int_equal(g.line[MEM_CACHE_L1D], 64);
}

static void amd_legacy_leaves(void **state) {
    (void)state;
    /* No TopologyExtensions, 0x8000001D all zero: 0x80000005 ECX = 48 KiB, 12-way, 64 B;
     * 0x80000006 ECX = 1024 KiB, 64 B; EDX = 64 x 512 KiB = 32 MiB, 64 B. */
    mem_cpuid_rec_t recs[] = {
        leaf0(0xd, "AuthenticAMD"),
        rec(0x80000000u, 0x80000021u, 0, 0, 0),
        rec(0x80000001u, 0x00b00f21, 0, 0x440001f1, 0),
        rec(0x80000005u, 0xff40ff40, 0xff40ff40, 0x300c0140, 0x20080140),
        rec(0x80000006u, 0x40802040, 0x60804040, 0x04006140, 64u << 18 | 0x9140),
    };
    mem_cache_geom_t g;
    assert_int_equal(mem_cache_decode(recs, sizeof recs / sizeof recs[0], &g), 3);
    assert_int_equal(g.size[MEM_CACHE_L1D], 48 << 10);
    assert_int_equal(g.line[MEM_CACHE_L1D], 64);
    assert_int_equal(g.size[MEM_CACHE_L2], 1 << 20);
    assert_int_equal(g.line[MEM_CACHE_L2], 64);
    assert_int_equal(g.size[MEM_CACHE_L3], 32 << 20);
    assert_int_equal(g.line[MEM_CACHE_L3], 64);
}

static void nothing_recorded(void **state) {
    (void)state;
    mem_cache_geom_t g;
    assert_int_equal(mem_cache_decode(NULL, 0, &g), 0);
    for (int i = 0; i < MEM_CACHE_LEVELS; i++)
        assert_int_equal(g.size[i], 0);
}

/* Record through a fake CPUID that answers from a table: what the decoder reads is recorded. */
static const mem_cpuid_rec_t *fake_table;
static size_t fake_n;
static void fake_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
    mem_cpuid_lookup(fake_table, fake_n, leaf, sub, r);
}

static void record_then_decode(void **state) {
    (void)state;
    mem_cpuid_rec_t table[] = {
        leaf0(0x10, "AuthenticAMD"),
        rec(0x80000000u, 0x80000028u, 0, 0, 0),
        rec(0x80000001u, 0, 0, 1u << 22, 0),
        det(0x8000001du, 0, 1, 1, 12, 1, 64, 64),
        det(0x8000001du, 1, 3, 2, 16, 1, 64, 2048),
    };
    fake_table = table;
    fake_n = sizeof table / sizeof table[0];
    mem_cpuid_rec_t recs[32];
    size_t n = mem_cache_record(fake_cpuid, recs, 32);
    assert_true(n >= 5 && n <= 32);
    mem_cache_geom_t g;
    assert_int_equal(mem_cache_decode(recs, n, &g), 2);
    assert_int_equal(g.size[MEM_CACHE_L1D], 48 << 10);
    assert_int_equal(g.size[MEM_CACHE_L2], 2 << 20);
}

/* CTR_EL0 values built from the register's layout (Arm ARM D17.2.34): DminLine in [19:16],
 * IminLine in [3:0], CWG in [27:24], ERG in [23:20], L1Ip in [15:14], bit 31 RES1. */
static void aarch64_ctr_line(void **state) {
    (void)state;
    assert_int_equal(mem_ctr_dline(0), 0); /* no register: caller falls back */
    /* DminLine 4 (16 words = 64 B), IminLine 4, CWG 4, ERG 4, L1Ip PIPT: a common 64-byte core */
    assert_int_equal(mem_ctr_dline(0x8444c004u), 64);
    /* DminLine 5: 128-byte lines, as on cores with 128-byte cache lines */
    assert_int_equal(mem_ctr_dline(0x80058005u), 128);
    /* DminLine 3: 32-byte lines (older small cores); other fields must not leak in */
    assert_int_equal(mem_ctr_dline(0xbff3ffffu), 32);
    assert_string_equal(vm_host_src_name(VM_HOST_SRC_CTR), "ctr_el0");
}

static void live_host_has_sources(void **state) {
    (void)state;
    const vm_host_info_t *h = vm_host_info();
    /* Every figure is known and names where it came from. */
    assert_true(h->l1d_bytes && h->l2_bytes && h->l3_bytes && h->line_bytes);
    assert_true(h->l1d_src != VM_HOST_SRC_NONE && h->l2_src != VM_HOST_SRC_NONE);
    assert_true(h->l3_src != VM_HOST_SRC_NONE && h->line_src != VM_HOST_SRC_NONE);
    assert_string_equal(vm_host_src_name(VM_HOST_SRC_CPUID), "cpuid");
    assert_string_equal(vm_host_src_name(VM_HOST_SRC_SYSFS), "sysfs");
    assert_string_equal(vm_host_src_name(VM_HOST_SRC_DEFAULT), "default");
    assert_true(h->microcode[0] != '\0');
}

/* Which CPUs run 512-bit accesses in halves, from recorded leaf 0 and leaf-1 signatures. */
static void zmm_halves_by_family(void **state) {
    (void)state;
    mem_cpuid_rec_t amd = leaf0(0x10, "AuthenticAMD"), intel = leaf0(0x20, "GenuineIntel");
    assert_true(mem_cpu_zmm_halves(amd.r, 0x00a10f11));    /* Zen 4 (Genoa): family 19h */
    assert_true(mem_cpu_zmm_halves(amd.r, 0x00a60f12));    /* Zen 4 (Phoenix) */
    assert_false(mem_cpu_zmm_halves(amd.r, 0x00b00f21));   /* Zen 5 (Turin): family 1Ah */
    assert_false(mem_cpu_zmm_halves(amd.r, 0x00800f12));   /* Zen 1: family 17h */
    assert_false(mem_cpu_zmm_halves(intel.r, 0x000806f8)); /* Sapphire Rapids: family 6 */
    assert_false(mem_cpu_zmm_halves(intel.r, 0x00a10f11)); /* the AMD signature, Intel vendor */
}

/* Which vendors split the L3 into core-complex slices, from recorded leaf 0. */
static void l3_sliced_by_vendor(void **state) {
    (void)state;
    mem_cpuid_rec_t amd = leaf0(0x10, "AuthenticAMD"), hygon = leaf0(0x10, "HygonGenuine");
    mem_cpuid_rec_t intel = leaf0(0x20, "GenuineIntel"), other = leaf0(0x10, "CentaurHauls");
    assert_true(mem_cpu_l3_sliced(amd.r));
    assert_true(mem_cpu_l3_sliced(hygon.r));
    assert_false(mem_cpu_l3_sliced(intel.r));
    assert_false(mem_cpu_l3_sliced(other.r));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(intel_leaf4),           cmocka_unit_test(intel_legacy_l2_only),
        cmocka_unit_test(amd_8000001d),          cmocka_unit_test(amd_legacy_leaves),
        cmocka_unit_test(nothing_recorded),      cmocka_unit_test(record_then_decode),
        cmocka_unit_test(live_host_has_sources), cmocka_unit_test(aarch64_ctr_line),
        cmocka_unit_test(zmm_halves_by_family),  cmocka_unit_test(l3_sliced_by_vendor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
