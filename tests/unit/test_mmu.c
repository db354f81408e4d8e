/* test_mmu.c - the software TLB's address spaces (src/riscv/mmu.c), driven directly: what it
 * keeps across satp writes and sfence.vma, seen through its walk counter. These are the
 * properties an ISA test cannot see (a translation that stays cached is only allowed, never
 * required, so tests/isa/mmu.S checks the answers and this file checks the caching): switching
 * to another ASID and back walks no more; global pages are shared by every ASID and survive
 * sfence.vma by ASID; a fence of one ASID leaves the others; satp keeps 16 ASID bits; and the
 * first level (the TLB by kind, the inline TLB, its site slots) keeps global translations
 * across an ASID switch and a fence by ASID, drops the non-global ones there, and drops
 * everything at a full fence, a mode change and (store entries) a page that becomes code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "riscv/cpu.h"
#include "riscv/memacc.h"
#include "riscv/mmu.h"

#define RAM_BASE 0x80000000ull
#define PAGES    16u
#define CSR_SATP 0x180

static uint8_t ram[PAGES * 4096];
static rv_cpu_t cpu; /* large (its TLBs): not on the stack */

static void *phys_ptr(void *env, uint64_t pa, unsigned len) {
    (void)env;
    uint64_t o = pa - RAM_BASE;
    if (o >= sizeof(ram) || sizeof(ram) - o < len) return NULL;
    return ram + o;
}

/* Page table entry `idx` of RAM page `table`: to RAM page `page` with `flags`. */
static void pte(unsigned table, unsigned idx, unsigned page, uint64_t flags) {
    uint64_t v = ((RAM_BASE >> 12) + page) << 10 | flags;
    memcpy(ram + table * 4096 + idx * 8, &v, 8);
}

#define PTR   0x01u /* V: a pointer to the next level */
#define DATA  0xc7u /* V R W A D */
#define DATAG 0xe7u /* V R W G A D */
#define CODE  0xcbu /* V R X A D */
#define CODEG 0xebu /* V R X G A D */
#define USER  0xd7u /* V R W U A D */

/* Sv39 satp with ASID asid and root page `root`. */
static uint64_t satp(unsigned asid, unsigned root) {
    return 8ull << 60 | (uint64_t)asid << 44 | ((RAM_BASE >> 12) + root);
}

static void write_satp(uint64_t v) {
    uint64_t old;
    assert_true(rv_csr_access(&cpu, CSR_SATP, 0, v, true, &old));
}

/* Load-translate va in the current address space: its physical page (RAM page index), and
 * whether that took a walk. */
static unsigned load_page(uint64_t va, bool *walked) {
    uint64_t walks = cpu.tlb_stats.walks, pa = 0;
    assert_int_equal(rv_mmu_translate(&cpu, va, RV_ACC_LOAD, &pa), 0);
    *walked = cpu.tlb_stats.walks != walks;
    return (unsigned)((pa - RAM_BASE) >> 12);
}

/* Address space A (ASID 1): root page 0 -> 2 -> 3; B (ASID 2): root 1 -> 4 -> 5. VA 0x1000
 * is page 8 in A and page 9 in B; VA 0x2000 is page 10, global, in both; VA 0x3000 is code
 * on page 11, global, in both; VA 0x4000 code on page 12 in A, 13 in B; VA 0x5000 a U page,
 * page 14 in A and 15 in B. */
static int setup(void **state) {
    (void)state;
    memset(ram, 0, sizeof(ram));
    pte(0, 0, 2, PTR);
    pte(2, 0, 3, PTR);
    pte(3, 1, 8, DATA);
    pte(3, 2, 10, DATAG);
    pte(3, 3, 11, CODEG);
    pte(3, 4, 12, CODE);
    pte(3, 5, 14, USER);
    pte(1, 0, 4, PTR);
    pte(4, 0, 5, PTR);
    pte(5, 1, 9, DATA);
    pte(5, 2, 10, DATAG);
    pte(5, 3, 11, CODEG);
    pte(5, 4, 13, CODE);
    pte(5, 5, 15, USER);
    rv_cpu_reset(&cpu);
    cpu.misa |= 1ull << 18; /* S */
    rv_mmu_enable(&cpu, phys_ptr, ram, RAM_BASE, sizeof(ram));
    cpu.priv = RV_PRIV_S;
    rv_mmu_update(&cpu);
    return 0;
}

/* Warm both address spaces (A last): each VA walked once in each. */
static void warm(void) {
    bool w;
    write_satp(satp(2, 1));
    assert_int_equal(load_page(0x1000, &w), 9);
    assert_int_equal(load_page(0x2000, &w), 10);
    write_satp(satp(1, 0));
    assert_int_equal(load_page(0x1000, &w), 8);
    assert_true(w);
    assert_int_equal(load_page(0x2000, &w), 10);
    assert_false(w); /* global: B's walk serves A */
}

/* Translate va for t in the current address space: its RAM page, and what served it (0 the
 * first level, 1 the second, 2 a walk). */
static unsigned xlate(uint64_t va, rv_access_t t, unsigned *src) {
    uint64_t h = cpu.tlb_stats.hits, h2 = cpu.tlb_stats.hits2, pa = 0;
    assert_int_equal(rv_mmu_translate(&cpu, va, t, &pa), 0);
    *src = cpu.tlb_stats.hits2 != h2 ? 1 : cpu.tlb_stats.hits != h ? 0 : 2;
    return (unsigned)((pa - RAM_BASE) >> 12);
}

/* The inline TLB of the current set holds va for an 8-byte load (store: `st`): what
 * translated code and the interpreter try before the slow path. */
static bool inline_hit(uint64_t va, bool st) {
    return rv_tlb_host(&cpu, st ? cpu.tlb_st_off : cpu.tlb_ld_off, va, 8) != NULL;
}

/* The fetch TLB holds va at the current privilege (what rv_block_valid's fast check needs). */
static bool fetch_hit(uint64_t va) {
    uint64_t vpn = va >> 12;
    return cpu.tlb[0][vpn & (RV_TLB_SIZE - 1)].tag == ((vpn << 2) | (cpu.priv + 1u));
}

/* Site slot `slot` of the current load set: before the entries of the set's load table (what
 * translated code reaches with one displacement). */
static rv_tlb_fast_t *site(unsigned slot) {
    ptrdiff_t d =
        (ptrdiff_t)offsetof(rv_tlbf_table_t, site) - (ptrdiff_t)offsetof(rv_tlbf_table_t, ent);
    return (rv_tlb_fast_t *)(void *)((char *)&cpu + cpu.tlb_ld_off + d) + slot;
}

/* Copy the inline entry of va in the current load set into site slot `slot` of that set, as
 * translated code does on a slot miss that the inline TLB hits. */
static void site_fill(unsigned slot, uint64_t va) {
    const rv_tlb_fast_t *t = (const rv_tlb_fast_t *)(const void *)((char *)&cpu + cpu.tlb_ld_off);
    const rv_tlb_fast_t *e = &t[(va >> 12) & (RV_TLB_SIZE - 1)];
    assert_int_equal(e->vtag, va & ~0xfffull);
    *site(slot) = *e;
}

/* Site slot `slot` of the current load set holds va's page. */
static bool site_hit(unsigned slot, uint64_t va) {
    return site(slot)->vtag == (va & ~0xfffull);
}

/* A warm first level (data, code, site slots, the SUM set) in A; a switch to B keeps exactly
 * the global translations in it; a fence of the current ASID keeps them too; a full fence,
 * a mode change and (for stores) a page that becomes code drop them. */
static void test_switch_keeps_global(void **state) {
    (void)state;
    unsigned src;
    warm();
    assert_int_equal(xlate(0x3000, RV_ACC_FETCH, &src), 11);
    assert_int_equal(xlate(0x4000, RV_ACC_FETCH, &src), 12);
    assert_int_equal(xlate(0x2000, RV_ACC_STORE, &src), 10);
    assert_int_equal(xlate(0x1000, RV_ACC_STORE, &src), 8);
    site_fill(0, 0x2000);
    site_fill(1, 0x1000);
    cpu.mstatus |= RV_MSTATUS_SUM; /* the SUM set: a U page and a global S page */
    rv_mmu_update(&cpu);
    assert_int_equal(xlate(0x5000, RV_ACC_LOAD, &src), 14);
    assert_int_equal(xlate(0x2000, RV_ACC_LOAD, &src), 10);
    assert_int_equal(xlate(0x1000, RV_ACC_LOAD, &src), 8); /* from the TLB by kind */
    assert_int_equal(src, 0);
    assert_true(inline_hit(0x5000, false) && inline_hit(0x2000, false) &&
                inline_hit(0x1000, false));
    site_fill(2, 0x5000);
    site_fill(3, 0x2000);
    cpu.mstatus &= ~RV_MSTATUS_SUM;
    rv_mmu_update(&cpu);
    assert_true(inline_hit(0x1000, false) && inline_hit(0x2000, false));
    assert_true(fetch_hit(0x3000) && fetch_hit(0x4000));

    write_satp(satp(2, 1));
    assert_true(inline_hit(0x2000, false)); /* global: kept, in line */
    assert_true(inline_hit(0x2000, true));
    assert_false(inline_hit(0x1000, false)); /* A's: gone */
    assert_false(inline_hit(0x1000, true));
    assert_true(site_hit(0, 0x2000));
    assert_false(site_hit(1, 0x1000));
    assert_true(fetch_hit(0x3000));
    assert_false(fetch_hit(0x4000));
    assert_int_equal(xlate(0x2000, RV_ACC_LOAD, &src), 10);
    assert_int_equal(src, 0);
    assert_int_equal(xlate(0x3000, RV_ACC_FETCH, &src), 11);
    assert_int_equal(src, 0);
    assert_int_equal(xlate(0x1000, RV_ACC_LOAD, &src), 9); /* B's own, walked in warm() */
    assert_int_equal(src, 1);
    assert_int_equal(xlate(0x4000, RV_ACC_FETCH, &src), 13);
    assert_int_equal(src, 2);
    cpu.mstatus |= RV_MSTATUS_SUM;
    rv_mmu_update(&cpu);
    assert_true(inline_hit(0x2000, false));
    assert_false(inline_hit(0x5000, false));
    assert_false(inline_hit(0x1000, false)); /* A's, though filled from a first-level hit */
    assert_true(site_hit(3, 0x2000));
    assert_false(site_hit(2, 0x5000));
    assert_int_equal(xlate(0x5000, RV_ACC_LOAD, &src), 15);
    cpu.mstatus &= ~RV_MSTATUS_SUM;
    rv_mmu_update(&cpu);

    /* B's entries now in the first level; a fence of B (current): they go, global ones stay */
    assert_true(inline_hit(0x1000, false) && fetch_hit(0x4000));
    rv_mmu_flush_asid(&cpu, false, 0, 2, true);
    assert_false(inline_hit(0x1000, false));
    assert_false(fetch_hit(0x4000));
    assert_true(inline_hit(0x2000, false) && fetch_hit(0x3000) && site_hit(0, 0x2000));
    /* a page that becomes code: its store entries go, global ones too; another page's stay,
     * and another hart's request (no page) empties every store table */
    assert_int_equal(xlate(0x1000, RV_ACC_STORE, &src), 9);
    assert_true(inline_hit(0x1000, true) && inline_hit(0x2000, true));
    rv_mmu_code_page(&cpu, (RAM_BASE >> 12) + 10);
    assert_false(inline_hit(0x2000, true));
    assert_true(inline_hit(0x2000, false));
    assert_true(inline_hit(0x1000, true));
    rv_mmu_code_page(&cpu, UINT64_MAX);
    assert_false(inline_hit(0x1000, true));
    assert_true(inline_hit(0x2000, false));
    /* sfence.vma x0, x0: everything */
    rv_mmu_flush(&cpu, false, 0, true);
    assert_false(inline_hit(0x2000, false) || fetch_hit(0x3000) || site_hit(0, 0x2000));
    assert_int_equal(xlate(0x2000, RV_ACC_LOAD, &src), 10);
    assert_int_equal(src, 2);
    /* another mode: everything (the tables mean something else in it) */
    assert_int_equal(xlate(0x3000, RV_ACC_FETCH, &src), 11);
    write_satp(satp(2, 1) + (1ull << 60)); /* Sv48 over the same root */
    assert_false(inline_hit(0x2000, false) || fetch_hit(0x3000));
}

/* Many switches: the bitmaps keep the first level's non-global entries exactly (a page of B
 * filled after the switch is dropped at the next one, a global one filled in B stays). */
static void test_switch_refill(void **state) {
    (void)state;
    unsigned src;
    warm();
    for (int i = 0; i < 4; i++) {
        write_satp(satp(2, 1));
        assert_false(inline_hit(0x1000, false));
        assert_int_equal(xlate(0x1000, RV_ACC_LOAD, &src), 9);
        assert_int_equal(src, 1);
        assert_int_equal(xlate(0x2000, RV_ACC_LOAD, &src), 10);
        assert_int_equal(src, 0);
        write_satp(satp(1, 0));
        assert_false(inline_hit(0x1000, false));
        assert_int_equal(xlate(0x1000, RV_ACC_LOAD, &src), 8);
        assert_int_equal(src, 1);
        assert_true(inline_hit(0x2000, false));
    }
}

static void test_switch_back_no_walk(void **state) {
    (void)state;
    bool w;
    warm();
    for (int i = 0; i < 3; i++) {
        write_satp(satp(2, 1));
        assert_int_equal(load_page(0x1000, &w), 9);
        assert_false(w);
        assert_int_equal(load_page(0x2000, &w), 10);
        assert_false(w);
        write_satp(satp(1, 0));
        assert_int_equal(load_page(0x1000, &w), 8);
        assert_false(w);
    }
    assert_int_equal(cpu.tlb_stats.asid_switches,
                     7); /* the first satp write (from Bare) is no switch */
}

static void test_fence_asid(void **state) {
    (void)state;
    bool w;
    warm();
    rv_mmu_flush_asid(&cpu, false, 0, 2, true); /* B's, while A is current */
    assert_int_equal(load_page(0x1000, &w), 8);
    assert_false(w);
    write_satp(satp(2, 1));
    assert_int_equal(load_page(0x2000, &w), 10);
    assert_false(w); /* global: kept */
    assert_int_equal(load_page(0x1000, &w), 9);
    assert_true(w);
    rv_mmu_flush_asid(&cpu, false, 0, 2, true); /* the current one's */
    assert_int_equal(load_page(0x1000, &w), 9);
    assert_true(w);
    assert_int_equal(load_page(0x2000, &w), 10);
    assert_false(w);
    write_satp(satp(1, 0));
    assert_int_equal(load_page(0x1000, &w), 8);
    assert_false(w);
    /* bits above ASIDLEN are ignored: 0x10001 is ASID 1 */
    rv_mmu_flush_asid(&cpu, false, 0, 0x10001, true);
    assert_int_equal(load_page(0x1000, &w), 8);
    assert_true(w);
}

static void test_fence_page_asid(void **state) {
    (void)state;
    bool w;
    warm();
    rv_mmu_flush_asid(&cpu, true, 0x1000, 2, true);
    rv_mmu_flush_asid(&cpu, true, 0x2000, 1, true); /* a global page: kept */
    assert_int_equal(load_page(0x1000, &w), 8);
    assert_false(w);
    assert_int_equal(load_page(0x2000, &w), 10);
    assert_false(w);
    write_satp(satp(2, 1));
    assert_int_equal(load_page(0x1000, &w), 9);
    assert_true(w);
    rv_mmu_flush_asid(&cpu, true, 0x1000, 2, true);
    assert_int_equal(load_page(0x1000, &w), 9);
    assert_true(w);
}

static void test_fence_page_all(void **state) {
    (void)state;
    bool w;
    warm();
    rv_mmu_flush(&cpu, true, 0x2000, true); /* rs2 = x0: global pages too, every ASID */
    rv_mmu_flush(&cpu, true, 0x1000, true);
    assert_int_equal(load_page(0x2000, &w), 10);
    assert_true(w);
    assert_int_equal(load_page(0x1000, &w), 8);
    assert_true(w);
    write_satp(satp(2, 1));
    assert_int_equal(load_page(0x1000, &w), 9);
    assert_true(w);
    assert_int_equal(load_page(0x2000, &w), 10);
    assert_false(w); /* A's walk just now filled it, global */
    rv_mmu_flush(&cpu, false, 0, true);
    assert_int_equal(load_page(0x2000, &w), 10);
    assert_true(w);
}

/* Same ASID over other tables: cached until the fence by ASID, then the new tables'. */
static void test_reuse(void **state) {
    (void)state;
    bool w;
    warm();
    write_satp(satp(1, 1)); /* ASID 1, B's tables */
    assert_int_equal(load_page(0x1000, &w), 8);
    assert_false(w); /* stale until the fence: allowed, and what a cache does */
    rv_mmu_flush_asid(&cpu, false, 0, 1, true);
    assert_int_equal(load_page(0x1000, &w), 9);
    assert_true(w);
}

/* The first level's width and the code-page clear: VA 0x101000 (entry 257) aliases VA 0x1000
 * (entry 1, page 8) in A, and VA 0x81000 (entry 129) maps page 9. All three are held at once
 * (a 256-entry table would hold only one of the first two, in entry 1);
 * page 8 becoming code drops the store entries of both of its aliases, found by the physical
 * page, and a store site slot that holds one, and leaves the loads and the other page's
 * store entry; sfence.vma by address drops its page's entry alone. */
static void test_wide_code_page(void **state) {
    (void)state;
    unsigned src;
    pte(3, 257, 8, DATA);
    pte(3, 129, 9, DATA);
    write_satp(satp(1, 0));
    const uint64_t va[3] = {0x1000, 0x101000, 0x81000};
    const unsigned page[3] = {8, 8, 9};
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(xlate(va[i], RV_ACC_LOAD, &src), page[i]);
        assert_int_equal(xlate(va[i], RV_ACC_STORE, &src), page[i]);
    }
    for (unsigned i = 0; i < 3; i++)
        assert_true(inline_hit(va[i], false) && inline_hit(va[i], true));
    /* a store site slot of the current set holding the alias (translated code's copy) */
    rv_tlb_fast_t *st_slot = site(5) + (cpu.tlb_st_off - cpu.tlb_ld_off) / sizeof(rv_tlb_fast_t);
    const rv_tlb_fast_t *st =
        (const rv_tlb_fast_t *)(const void *)((char *)&cpu + cpu.tlb_st_off) + (257 % RV_TLB_SIZE);
    assert_int_equal(st->vtag, 0x101000);
    *st_slot = *st;
    uint64_t n = cpu.tlb_stats.code_pages;
    rv_mmu_code_page(&cpu, (RAM_BASE >> 12) + 8);
    assert_int_equal(cpu.tlb_stats.code_pages, n + 1);
    assert_false(inline_hit(0x1000, true) || inline_hit(0x101000, true));
    assert_int_equal(st_slot->vtag, ~0ull);
    assert_true(inline_hit(0x81000, true));
    for (unsigned i = 0; i < 3; i++)
        assert_true(inline_hit(va[i], false));
    rv_mmu_flush(&cpu, true, 0x101000, true);
    assert_false(inline_hit(0x101000, false));
    assert_true(inline_hit(0x1000, false) && inline_hit(0x81000, false));
}

static void test_asid_bits(void **state) {
    (void)state;
    uint64_t old, v;
    write_satp(satp(0xffff, 0));
    assert_true(rv_csr_access(&cpu, CSR_SATP, 1, 0, false, &v));
    assert_int_equal((v >> 44) & 0xffff, RV_ASID_MASK);
    /* Bare: satp reads 0 (ASID included) */
    assert_true(rv_csr_access(&cpu, CSR_SATP, 0, 0xffffull << 44, true, &old));
    assert_true(rv_csr_access(&cpu, CSR_SATP, 1, 0, false, &v));
    assert_int_equal(v, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_switch_back_no_walk, setup),
        cmocka_unit_test_setup(test_fence_asid, setup),
        cmocka_unit_test_setup(test_fence_page_asid, setup),
        cmocka_unit_test_setup(test_fence_page_all, setup),
        cmocka_unit_test_setup(test_reuse, setup),
        cmocka_unit_test_setup(test_asid_bits, setup),
        cmocka_unit_test_setup(test_switch_keeps_global, setup),
        cmocka_unit_test_setup(test_switch_refill, setup),
        cmocka_unit_test_setup(test_wide_code_page, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
