/* xras.S - calls and returns of hot S-mode code under Sv39 (translated code made while the
 * hart translates, when the JIT runs it), where a predicted return would be wrong unless its
 * page is checked again when it returns: the callee remaps the caller's page to other code
 * and fences it by address (case 2), switches to an address space of another ASID without a
 * fence where the caller's page holds other code (case 3), makes the caller's page
 * non-executable (case 4: the return takes an instruction page fault at the return address),
 * or returns elsewhere than the call's return address (case 5); and recursion deeper than
 * any return-address stack (case 6) and calls through t0 (case 7), whose results must be
 * exact. Every case runs ROUNDS times, so that its code is hot.
 *
 * The caller's code lives at XVA, a page of its own that space A maps to page pa and space B
 * (another ASID) to page pb: the same instructions at the same offsets, but each page loads
 * its own mark (1 or 2) after the call. Callees, in the identity-mapped gigapage, call
 * XVA + 0x100 after their change, so that the hart's fetch translation of the caller's page
 * is the new one when the return goes there: a stale prediction of the return must be told
 * from the new page by the physical page it was made for.
 *
 * M-mode sets up the tables and delegation, then runs everything in S-mode; S-mode ends with
 * an ecall (cause 9), after which M-mode passes. A failing check in S-mode sets s11 to 1 and
 * reads an M-mode CSR (illegal there): M-mode then fails with the test number in TESTNUM. */
#include "test.h"

#define XVA    0x40005000 /* the caller's page (page 5 of its table: no TLB index of the test's
                             own code pages) */
#define RET    (XVA + 12) /* the return address of the caller's call */
#define ROUNDS 64
#define LEAF_X 0xcb /* V R X A D */
#define LEAF_R 0xc3 /* V R A D: not executable */

/* In S-mode: fail the current test unless reg == expected. */
#define SCHECK(reg, expected)                                                                     \
    li SCRATCH, expected;                                                                         \
    bne reg, SCRATCH, s_fail

/* reg = an Sv39 satp value for `root` with ASID `asid`. */
#define SATP_VAL(reg, root, asid)                                                                 \
    la reg, root;                                                                                 \
    srli reg, reg, 12;                                                                            \
    li t0, (8 << 60) | ((asid) << 44);                                                            \
    or reg, reg, t0

/* reg = a PTE for the page at `page` with `flags`. */
#define PTE_VAL(reg, page, flags)                                                                 \
    la reg, page;                                                                                 \
    srli reg, reg, 12;                                                                            \
    slli reg, reg, 10;                                                                            \
    ori reg, reg, flags

/* table[idx] = a pointer to the table at `next`, or a leaf for the page at `next` with
 * `flags`. */
#define PTE(table, idx, next, flags)                                                              \
    PTE_VAL(a2, next, flags);                                                                     \
    la a0, table;                                                                                 \
    sd a2, (idx) * 8(a0)

RVTEST_BEGIN
    la t0, m_handler
    csrw mtvec, t0
    /* one PMP entry over everything: machines that enforce PMP deny S and U without one */
    li t0, -1
    csrw pmpaddr0, t0
    li t0, 0x1f /* NAPOT, R W X */
    csrw pmpcfg0, t0
    /* two address spaces: both map the gigapage of 0x80000000 to itself (RWX A D, not U);
     * at XVA, space A maps page pa and space B page pb */
    li a2, ((0x80000000 >> 12) << 10) | 0xcf
    la a0, l2a
    sd a2, 16(a0)
    la a0, l2b
    sd a2, 16(a0)
    PTE(l2a, 1, l1a, 0x01)
    PTE(l1a, 0, l0a, 0x01)
    PTE(l0a, 5, pa, LEAF_X)
    PTE(l2b, 1, l1b, 0x01)
    PTE(l1b, 0, l0b, 0x01)
    PTE(l0b, 5, pb, LEAF_X)
    SATP_VAL(s0, l2a, 1)
    SATP_VAL(s1, l2b, 2)
    csrw satp, s0
    sfence.vma
    /* S-mode takes instruction page faults */
    li t0, 1 << 12
    csrw medeleg, t0
    la t0, s_handler
    csrw stvec, t0
    li s11, 0
    la sp, stack_area + 4096
    /* to S-mode at s_main */
    li t0, 0x1800
    csrc mstatus, t0
    li t0, 0x0800
    csrs mstatus, t0
    la t0, s_main
    csrw mepc, t0
    mret

    /* M-mode: an ecall from S-mode ends the test (s11 0: pass, 1: fail); anything else
     * fails */
    .align 2
m_handler:
    li t1, 1
    beq s11, t1, fail
    csrr t0, mcause
    li t1, 9
    bne t0, t1, m_unexpected
    j pass
m_unexpected:
    addi TESTNUM, t0, 1000
    j fail

    /* S-mode: an instruction page fault (12) keeps stval in s8, makes space A's XVA
     * executable again (pa), fences it and returns to retry the fetch; anything else fails */
    .align 2
s_handler:
    csrr t0, scause
    li t1, 12
    bne t0, t1, s_unexpected
    csrr s8, stval
    PTE_VAL(t0, pa, LEAF_X)
    la t1, l0a
    sd t0, 40(t1)
    li t0, XVA
    sfence.vma t0
    sret
s_unexpected:
    addi TESTNUM, t0, 2000
s_fail:
    li s11, 1
    csrr t0, mscratch

s_main:
    /* case 2: the callee points space A's XVA at the page in s3 and fences it by address:
     * the return runs that page's code. Rounds cycle through pa -> pa, pa -> pb, pb -> pb and
     * pb -> pa, so that returns to the page of the call (whose way back may be chained)
     * alternate with returns to the other page. */
    TEST_NUM(2)
    la s9, remap
    li s10, ROUNDS
1:  andi t0, s10, 3
    la t1, l0a
    li a0, 0
    PTE_VAL(t2, pa, LEAF_X)
    PTE_VAL(s3, pb, LEAF_X)
    li s4, 2
    li t3, 2
    bgeu t0, t3, 2f /* rounds 2 and 3 start in pa, 0 and 1 in pb */
    mv t3, t2
    mv t2, s3
    mv s3, t3
    li s4, 1
2:  sd t2, 40(t1) /* the start page; s3 the other one, s4 its mark */
    li t3, XVA
    sfence.vma t3
    andi t0, t0, 1
    bnez t0, 3f /* odd rounds: to the other page; even ones: stay */
    mv s3, t2
    xori s4, s4, 3
3:  li t2, XVA
    jalr ra, 0(t2)
    bne a0, s4, s_fail
    addi s10, s10, -1
    bnez s10, 1b
    PTE_VAL(t0, pa, LEAF_X)
    la t1, l0a
    sd t0, 40(t1)
    sfence.vma

    /* case 3: the callee switches satp to the space in s3 without a fence (ASID 1 <-> 2, or
     * the same): the return runs that space's code at XVA. Rounds cycle through A -> A,
     * A -> B, B -> B and B -> A. */
    TEST_NUM(3)
    la s9, switch_asid
    li s10, ROUNDS
1:  andi t0, s10, 3
    li a0, 0
    mv t2, s0
    mv s3, s1
    li s4, 2
    li t3, 2
    bgeu t0, t3, 2f /* rounds 2 and 3 start in A, 0 and 1 in B */
    mv t2, s1
    mv s3, s0
    li s4, 1
2:  csrw satp, t2
    andi t0, t0, 1
    bnez t0, 3f /* odd rounds: to the other space; even ones: stay */
    mv s3, t2
    xori s4, s4, 3
3:  li t2, XVA
    jalr ra, 0(t2)
    bne a0, s4, s_fail
    addi s10, s10, -1
    bnez s10, 1b
    csrw satp, s0

    /* case 4: on odd rounds the callee makes the caller's page non-executable and fences it:
     * the return takes an instruction page fault at the return address (the handler makes
     * the page executable again, and the caller goes on from there); on even rounds it
     * returns at once */
    TEST_NUM(4)
    li s10, ROUNDS
1:  li a0, 0
    li s8, 0
    la s9, noexec
    li s4, RET
    andi t0, s10, 1
    bnez t0, 2f
    la s9, plain
    li s4, 0
2:  li t2, XVA
    jalr ra, 0(t2)
    SCHECK(a0, 1)
    bne s8, s4, s_fail
    addi s10, s10, -1
    bnez s10, 1b

    /* case 5: the callee returns past the instruction after the call (its ra moved on by
     * 4 before its ret): the skipped instruction must not run */
    TEST_NUM(5)
    li s10, ROUNDS
1:  li a0, 0
    .option push
    .option norvc
    jal ra, skipper
    li a0, 99 /* skipped */
    .option pop
    SCHECK(a0, 5)
    addi s10, s10, -1
    bnez s10, 1b

    /* case 6: recursion 40 deep (deeper than a return-address stack), alternating with a
     * shallow one: the sums of 1..n */
    TEST_NUM(6)
    li s10, ROUNDS
1:  li a0, 40
    jal ra, rec
    SCHECK(a0, 820)
    li a0, 5
    jal ra, rec
    SCHECK(a0, 15)
    addi s10, s10, -1
    bnez s10, 1b

    /* case 7: calls with t0 as the link register (jal and jalr), returns through t0 */
    TEST_NUM(7)
    li s10, ROUNDS
    la s7, addseven
1:  li a0, 1
    jal t0, addseven
    jalr t0, 0(s7)
    SCHECK(a0, 15)
    addi s10, s10, -1
    bnez s10, 1b

    li s11, 0
    ecall

    /* callees (identity-mapped) */
remap: /* space A's XVA to the PTE in s3, fenced by address, then a call into it */
    la t0, l0a
    sd s3, 40(t0)
    li t0, XVA
    sfence.vma t0
    mv t2, ra
    li t0, XVA + 0x100
    jalr ra, 0(t0)
    mv ra, t2
    ret

switch_asid: /* satp = s3 (A's is s0, B's s1), no fence */
    csrw satp, s3
    mv t2, ra
    li t0, XVA + 0x100
    jalr ra, 0(t0)
    mv ra, t2
    ret

noexec: /* space A's XVA readable only (pa), fenced by address */
    PTE_VAL(t0, pa, LEAF_R)
    la t1, l0a
    sd t0, 40(t1)
    li t0, XVA
    sfence.vma t0
    ret

plain:
    ret

skipper:
    li a0, 5
    addi ra, ra, 4
    ret

rec: /* a0 = 1 + 2 + ... + a0, recursively */
    beqz a0, 1f
    addi sp, sp, -16
    sd ra, 0(sp)
    sd a0, 8(sp)
    addi a0, a0, -1
    jal ra, rec
    ld t0, 8(sp)
    add a0, a0, t0
    ld ra, 0(sp)
    addi sp, sp, 16
1:  ret

addseven:
    addi a0, a0, 7
    jalr x0, 0(t0)

    /* the code at XVA in space A and in space B: the same call, different landing code;
     * uncompressed, so that the return address is RET in both */
    .option push
    .option norvc
    .align 12
pa: addi sp, sp, -16
    sd ra, 0(sp)
    jalr ra, 0(s9)
    li a0, 1
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
    .org pa + 0x100
    ret
    .align 12
pb: addi sp, sp, -16
    sd ra, 0(sp)
    jalr ra, 0(s9)
    li a0, 2
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
    .org pb + 0x100
    ret
    .align 12
    .option pop

RVTEST_END
    .align 12
l2a: .zero 4096
l1a: .zero 4096
l0a: .zero 4096
l2b: .zero 4096
l1b: .zero 4096
l0b: .zero 4096
stack_area: .zero 4096
