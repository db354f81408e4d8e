/* sysjit.S - system instructions inside hot S-mode code under Sv39 (translated code made while
 * the hart translates, when the JIT runs it): ecall round trips U -> S -> U and S -> M -> S,
 * sret to U and to S (SPP) and mret to S (MPP), a CSR write that enables a pending interrupt
 * (taken right after the write, before the next instruction), sstatus.SUM cleared and set
 * between two loads of a U page (the second faults, the third does not), and a return whose
 * callee switched satp to an address space where the return address holds other code (the
 * return must run the new space's code: a prediction of the old one is wrong). Every case
 * runs 20 or more times, so that its code is hot.
 *
 * M-mode sets up the tables and delegation, then runs everything in S-mode; S-mode ends with
 * an ecall (cause 9), after which M-mode passes. A failing check in S-mode sets s11 to 1 and
 * reads an M-mode CSR (illegal there: a trap that needs no ecall, whose cause a failing case
 * may be about): M-mode then fails with the test number in TESTNUM. An ecall from S-mode with
 * s11 = 2 is a round trip: M-mode counts it in a2 and returns after the ecall. */
#include "test.h"

#define SUM    (1 << 18)
#define UALIAS 0x40000000 /* 0xc0000000: the code and data gigapage again, with U */
#define XVA    0x40005000 /* the page whose code differs between the two address spaces (page
                            5 of its table: no TLB index of the test's own code pages) */
#define V0     0x1122334455667788
#define ROUNDS 24

/* In S-mode: fail the current test unless reg == expected. */
#define SCHECK(reg, expected)                                                                     \
    li SCRATCH, expected;                                                                         \
    bne reg, SCRATCH, s_fail

/* reg = an Sv39 satp value for `root` (ASID 0). */
#define SATP_VAL(reg, root)                                                                       \
    la reg, root;                                                                                 \
    srli reg, reg, 12;                                                                            \
    li t0, 8 << 60;                                                                               \
    or reg, reg, t0

/* table[idx] = a pointer to the table at `next`, or a leaf for the page at `next` with
 * `flags`. */
#define PTE(table, idx, next, flags)                                                              \
    la a2, next;                                                                                  \
    srli a2, a2, 12;                                                                              \
    slli a2, a2, 10;                                                                              \
    ori a2, a2, flags;                                                                            \
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
    /* two address spaces: both map the gigapage of 0x80000000 to itself (RWX A D, not U) and
     * again at 0xc0000000 with U; at XVA, space A maps page pa and space B page pb */
    li a2, ((0x80000000 >> 12) << 10) | 0xcf
    la a0, l2a
    sd a2, 16(a0)
    la a0, l2b
    sd a2, 16(a0)
    li a2, ((0x80000000 >> 12) << 10) | 0xdf
    la a0, l2a
    sd a2, 24(a0)
    la a0, l2b
    sd a2, 24(a0)
    PTE(l2a, 1, l1a, 0x01)
    PTE(l1a, 0, l0a, 0x01)
    PTE(l0a, 5, pa, 0xcb) /* R X A D */
    PTE(l2b, 1, l1b, 0x01)
    PTE(l1b, 0, l0b, 0x01)
    PTE(l0b, 5, pb, 0xcb)
    SATP_VAL(s0, l2a)
    SATP_VAL(s1, l2b)
    csrw satp, s0
    sfence.vma
    /* S-mode takes ecalls from U-mode, page faults and its software interrupt */
    li t0, (1 << 8) | (1 << 12) | (1 << 13) | (1 << 15)
    csrw medeleg, t0
    li t0, 1 << 1
    csrw mideleg, t0
    la t0, s_handler
    csrw stvec, t0
    li s11, 0
    li a2, 0
    la sp, stack_area + 4096
    /* to S-mode at s_main */
    li t0, 0x1800
    csrc mstatus, t0
    li t0, 0x0800
    csrs mstatus, t0
    la t0, s_main
    csrw mepc, t0
    mret

    /* M-mode: an ecall from S-mode ends the test (s11 0: pass, 1: fail) or, with s11 = 2, is
     * a round trip (a2 counts it); anything else fails */
    .align 2
m_handler:
    li t1, 1
    beq s11, t1, fail
    csrr t0, mcause
    li t1, 9
    bne t0, t1, m_unexpected
    li t1, 2
    beq s11, t1, m_round_trip
    j pass
m_round_trip:
    addi a2, a2, 1
    csrr t0, mepc
    addi t0, t0, 4
    csrw mepc, t0
    li t0, 0x1800 /* back to S-mode (MPP = S) */
    csrc mstatus, t0
    li t0, 0x0800
    csrs mstatus, t0
    mret
m_unexpected:
    addi TESTNUM, t0, 1000
    j fail

    /* S-mode: ecall from U-mode (cause 8) counts in a1 and returns to S-mode at s5 (SPP =
     * S); a load page fault (13) keeps stval in s8 and skips the load; the software interrupt
     * keeps sepc in s6 and a3 in s7 and clears itself; anything else fails */
    .align 2
s_handler:
    csrr t0, scause
    li t1, 8
    beq t0, t1, s_ecall_u
    li t1, 13
    beq t0, t1, s_load_fault
    li t1, (1 << 63) | 1
    beq t0, t1, s_soft_irq
    addi TESTNUM, t0, 2000
    j s_fail
s_ecall_u:
    csrr t0, sstatus /* from U-mode: SPP is U */
    andi t0, t0, 1 << 8
    bnez t0, s_fail
    addi a1, a1, 1
    csrw sepc, s5
    li t0, 1 << 8 /* SPP = S */
    csrs sstatus, t0
    sret
s_load_fault:
    csrr s8, stval
    csrr t0, sepc
    addi t0, t0, 4
    csrw sepc, t0
    sret
s_soft_irq:
    csrr s6, sepc
    mv s7, a3
    csrci sip, 2
    sret

s_fail:
    li s11, 1
    csrr t0, mscratch

s_main:
    /* case 2: sret to U-mode (SPP = U), whose ecall comes back through s_handler and an sret
     * to S-mode (SPP = S): the ecall's cause must be U-mode's, and every round trip count */
    TEST_NUM(2)
    li a1, 0
    li s10, ROUNDS
1:  la s5, 2f
    la t0, u_code
    li t1, UALIAS
    add t0, t0, t1
    csrw sepc, t0
    li t0, 1 << 8 /* SPP = U */
    csrc sstatus, t0
    sret
2:  addi s10, s10, -1
    bnez s10, 1b
    SCHECK(a1, ROUNDS)
    la s5, s_fail /* an ecall with U-mode's cause from now on fails */

    /* case 3: ecall from S-mode to M-mode and mret back (MPP = S), hot */
    TEST_NUM(3)
    li s10, ROUNDS
    li s11, 2
1:  ecall
    addi s10, s10, -1
    bnez s10, 1b
    li s11, 0
    SCHECK(a2, ROUNDS)

    /* case 4: a supervisor software interrupt, enabled in sie, masked by sstatus.SIE; in the
     * second half of the rounds it is pending, and setting SIE takes it right after the
     * csrsi, before the next instruction (sepc = 3f, a3 still 0); the first half, without it,
     * has the code after the csrsi chained (translated code must still stop there for the
     * interrupt). The handler's sret sets SIE again from SPIE, so it is cleared after. */
    TEST_NUM(4)
    li t0, 1 << 1
    csrs sie, t0
    li s10, ROUNDS
1:  csrci sstatus, 2
    li t0, ROUNDS / 2
    bgt s10, t0, 4f
    csrsi sip, 2
4:  li a3, 0
    li s6, 0
    li s7, -1
    csrsi sstatus, 2
3:  addi a3, a3, 1
    addi a3, a3, 1
    csrci sstatus, 2
    li t0, ROUNDS / 2
    bgt s10, t0, 5f
    la t0, 3b
    bne s6, t0, s_fail
    SCHECK(s7, 0)
    j 6f
5:  SCHECK(s6, 0)
6:  SCHECK(a3, 2)
    addi s10, s10, -1
    bnez s10, 1b
    li t0, 1 << 1
    csrc sie, t0

    /* case 5: sstatus.SUM set, cleared and set again between loads of a U page: the load
     * without SUM faults (stval the address, the load skipped), the others read V0 */
    TEST_NUM(5)
    la t0, u_data
    li t1, V0
    sd t1, 0(t0)
    li s10, ROUNDS
1:  la a4, u_data
    li t1, UALIAS
    add a4, a4, t1
    li s8, 0
    li a5, 0
    li a6, 0
    li a7, 0
    li s4, SUM /* (the handler clobbers t0 and t1) */
    csrs sstatus, s4
    ld a5, 0(a4)
    csrc sstatus, s4
    ld a6, 0(a4)
    csrs sstatus, s4
    ld a7, 0(a4)
    csrc sstatus, s4
    bne s8, a4, s_fail
    SCHECK(a5, V0)
    SCHECK(a6, 0)
    SCHECK(a7, V0)
    addi s10, s10, -1
    bnez s10, 1b

    /* case 6: a call into XVA, whose callee switches satp to the other space (and fences);
     * the return lands on XVA's code of the new space: rounds alternate between starting in
     * A (the return runs pb's code: a0 = 2) and in B (pa's: a0 = 1) */
    TEST_NUM(6)
    la s9, switch_space
    li s10, ROUNDS
1:  andi t0, s10, 1
    li a0, 0
    beqz t0, 2f
    csrw satp, s0 /* odd rounds start in A */
    sfence.vma
    li t2, XVA
    jalr ra, 0(t2)
    SCHECK(a0, 2)
    j 3f
2:  csrw satp, s1 /* even rounds in B */
    sfence.vma
    li t2, XVA
    jalr ra, 0(t2)
    SCHECK(a0, 1)
3:  addi s10, s10, -1
    bnez s10, 1b
    csrw satp, s0
    sfence.vma

    li s11, 0
    ecall

    /* U-mode, reached through the U alias: one ecall, then (if it ever came back here) a
     * loop that S-mode's checks would catch as a missing round trip */
u_code:
    ecall
1:  j 1b

    /* the other space: A -> B, B -> A (s0 and s1 hold their satp values); then a call into
     * the new space's page at XVA, so that the hart's fetch translation of that page is the
     * new one when the caller's return goes there (a stale translation of the return point
     * must then be told from the new one by its physical page) */
switch_space:
    csrr t0, satp
    mv t1, s1
    beq t0, s0, 1f
    mv t1, s0
1:  csrw satp, t1
    sfence.vma
    mv t2, ra
    li t0, XVA + 0x100
    jalr ra, 0(t0)
    mv ra, t2
    ret

    /* the code at XVA in space A and in space B: the same calls, different landing code
     * (position-independent: it calls the switch through s9) */
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

RVTEST_END
    .align 12
l2a: .zero 4096
l1a: .zero 4096
l0a: .zero 4096
l2b: .zero 4096
l1b: .zero 4096
l0b: .zero 4096
u_data: .zero 4096
stack_area: .zero 4096
