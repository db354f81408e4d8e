/* test_mmu.c - the software TLB's address spaces (src/riscv/mmu.c), driven directly: what it
 * keeps across satp writes and sfence.vma, seen through its walk counter. These are the
 * properties an ISA test cannot see (a translation that stays cached is only allowed, never
 * required, so tests/isa/mmu.S checks the answers and this file checks the caching): switching
 * to another ASID and back walks no more; global pages are shared by every ASID and survive
 * sfence.vma by ASID; a fence of one ASID leaves the others; satp keeps 16 ASID bits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "riscv/cpu.h"
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
 * is page 8 in A and page 9 in B; VA 0x2000 is page 10, global, in both. */
static int setup(void **state) {
    (void)state;
    memset(ram, 0, sizeof(ram));
    pte(0, 0, 2, PTR);
    pte(2, 0, 3, PTR);
    pte(3, 1, 8, DATA);
    pte(3, 2, 10, DATAG);
    pte(1, 0, 4, PTR);
    pte(4, 0, 5, PTR);
    pte(5, 1, 9, DATA);
    pte(5, 2, 10, DATAG);
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
