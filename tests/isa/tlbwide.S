/* tlbwide.S - the first level's whole width in hot code. S-mode (Sv39) loads and stores, 4000
 * rounds, go in turn to four pages whose virtual page numbers differ only in bits 8 and 9
 * (0x40011, 0x40111, 0x40211, 0x40311: entries 17, 273, 529 and 785 of the 1024-entry
 * first level, one entry of a 256-entry one). Each access's address comes from a load of the
 * same block, so translated code reaches them through the inline TLB's probe (not a site
 * slot), whose index it computes in line. Every value is checked here; tests/isa/CMakeLists.txt
 * also runs it with --stats and requires fewer than 1000 slow-path translations: an index
 * narrower than the tables (a 256-entry mask in generated code or in rv_tlb_host) would send
 * three of the four pages to the slow path in every round. */
#include "test.h"

#define VA 0x40011000
#define PTE_POINTER 0x01
#define DATA 0xc7 /* V R W A D */

/* table[idx] = a pointer to the table at `next`. */
#define POINTER(table, idx, next)                                                                 \
    la a2, next;                                                                                  \
    srli a2, a2, 12;                                                                              \
    slli a2, a2, 10;                                                                              \
    ori a2, a2, PTE_POINTER;                                                                      \
    la a0, table;                                                                                 \
    li t0, (idx) * 8;                                                                             \
    add a0, a0, t0;                                                                               \
    sd a2, 0(a0)

/* table[idx] = a leaf for the page at `label`, R W A D. */
#define LEAF(table, idx, label)                                                                   \
    la a2, label;                                                                                 \
    srli a2, a2, 12;                                                                              \
    slli a2, a2, 10;                                                                              \
    ori a2, a2, DATA;                                                                             \
    la a0, table;                                                                                 \
    li t0, (idx) * 8;                                                                             \
    add a0, a0, t0;                                                                               \
    sd a2, 0(a0)

RVTEST_BEGIN
    la t0, handler
    csrw mtvec, t0
    li t0, -1 /* one PMP entry over everything, R W X */
    csrw pmpaddr0, t0
    li t0, 0x1f
    csrw pmpcfg0, t0
    /* the code and data gigapage at its own address (R W X A D), and 0x40000000's 2 MiB
     * ranges: the first through l0a, the second through l0b */
    li a2, ((0x80000000 >> 12) << 10) | 0xcf
    la a0, l2
    sd a2, 16(a0)
    POINTER(l2, 1, l1)
    POINTER(l1, 0, l0a)
    POINTER(l1, 1, l0b)
    LEAF(l0a, 17, d0)
    LEAF(l0a, 273, d1)
    LEAF(l0b, 17, d2)
    LEAF(l0b, 273, d3)
    la a0, l2
    srli a0, a0, 12
    li a1, 8 << 60
    or a0, a0, a1
    csrw satp, a0
    sfence.vma

    test_2:
    TEST_NUM(2)
    la s5, 7f
    li t0, 0x1800 /* MPP = S */
    csrc mstatus, t0
    li t0, 0x0800
    csrs mstatus, t0
    la t0, s_code
    csrw mepc, t0
    mret
7:  CHECK(s2, 9) /* the ecall from S-mode */
    CHECK(a1, 1)
    CHECK(a2, 2)
    CHECK(a3, 3)
    CHECK(a4, 4)
    /* each round stored each value one word on (through the same pages) */
    la a0, d0
    ld a1, 8(a0)
    CHECK(a1, 1)
    la a0, d3
    ld a1, 8(a0)
    CHECK(a1, 4)
    csrw satp, zero
    j pass

    .align 2
s_code:
    la s1, ptrs
    li s10, 4000
1:  ld a0, 0(s1)
    ld a1, 0(a0)
    sd a1, 8(a0)
    ld a0, 8(s1)
    ld a2, 0(a0)
    sd a2, 8(a0)
    ld a0, 16(s1)
    ld a3, 0(a0)
    sd a3, 8(a0)
    ld a0, 24(s1)
    ld a4, 0(a0)
    sd a4, 8(a0)
    addi s10, s10, -1
    bnez s10, 1b
    ecall

    .align 2
handler:
    csrr s2, mcause
    li t0, 0x1800 /* back to M-mode */
    csrs mstatus, t0
    csrw mepc, s5
    mret
RVTEST_END

    .align 3
ptrs: /* the four pages' virtual addresses */
    .dword VA, VA + 0x100000, VA + 0x200000, VA + 0x300000
    .align 12
l2: .zero 4096
l1: .zero 4096
l0a: .zero 4096
l0b: .zero 4096
d0: .dword 1
    .zero 4088
d1: .dword 2
    .zero 4088
d2: .dword 3
    .zero 4088
d3: .dword 4
    .zero 4088
