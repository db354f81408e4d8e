/* sstc.S - the Sstc extension: stimecmp (0x14d) as M-mode and S-mode see it, menvcfg.STCE
 * (bit 63) handing mip.STIP to the comparison time >= stimecmp, mcounteren.TM gating S-mode's
 * access, and a supervisor timer interrupt raised by stimecmp and taken in S-mode.
 *
 * The comparisons use stimecmp = 0 (time >= 0 always: due) and stimecmp = -1 (never due), so
 * the results do not depend on how fast time passes. S-mode runs at physical addresses
 * (satp = 0). The M-mode handler stores mcause/mtval in s2/s3 and resumes in M-mode at s5;
 * S-mode code ends with ecall (cause 9). */
#include "test.h"

#define STCE (1 << 63)
#define STIP (1 << 5)
#define TM   (1 << 1)

/* Run `code` in S-mode from M-mode; the trap handler brings us back at 7. */
#define IN_S(code...)                                                                             \
    li s2, -1;                                                                                    \
    li s3, -1;                                                                                    \
    la s5, 7f;                                                                                    \
    li t0, 0x1800;                                                                                \
    csrc mstatus, t0;                                                                             \
    li t0, 1 << 11;                                                                               \
    csrs mstatus, t0;                                                                             \
    la t0, 6f;                                                                                    \
    csrw mepc, t0;                                                                                \
    mret;                                                                                         \
    6 : code;                                                                                     \
    ecall;                                                                                        \
    7:

/* Case n: S-mode `code` ends with trap `cause`. */
#define EXPECT_S(n, cause, code...)                                                               \
    test_##n : TEST_NUM(n);                                                                       \
    IN_S(code);                                                                                   \
    CHECK(s2, cause)

RVTEST_BEGIN
    la t0, handler
    csrw mtvec, t0
    /* one PMP entry over everything: machines that enforce PMP deny S-mode without one */
    li t0, -1
    csrw pmpaddr0, t0
    li t0, 0x1f
    csrw pmpcfg0, t0
    csrw satp, zero
    csrw mideleg, zero
    csrw mie, zero

    /* M-mode reads back what it writes */
    TEST_CASE(2, a0, 0x123456789, li a1, 0x123456789; csrw stimecmp, a1; csrr a0, stimecmp)
    /* STCE clear: S-mode may not touch stimecmp (illegal instruction, cause 2) */
    li t0, STCE
    csrc menvcfg, t0
    li t0, TM
    csrs mcounteren, t0
    EXPECT_S(3, 2, csrr a0, stimecmp)
    /* STCE is writable */
    li t0, STCE
    csrs menvcfg, t0
    csrr a0, menvcfg
    srli a0, a0, 63
    TEST_CASE(4, a0, 1, nop)
    /* stimecmp = -1: never due, STIP clear; = 0: due, STIP set */
    TEST_CASE(5, a0, 0, li a1, -1; csrw stimecmp, a1; csrr a0, mip; andi a0, a0, STIP)
    TEST_CASE(6, a0, STIP, csrw stimecmp, zero; csrr a0, mip; andi a0, a0, STIP)
    /* while STCE is set, software cannot clear (or set) STIP */
    TEST_CASE(7, a0, STIP, li a1, STIP; csrc mip, a1; csrr a0, mip; andi a0, a0, STIP)
    li a1, -1
    csrw stimecmp, a1
    TEST_CASE(8, a0, 0, li a1, STIP; csrs mip, a1; csrr a0, mip; andi a0, a0, STIP)
    /* mcounteren.TM clear: S-mode may not touch stimecmp even with STCE */
    li t0, TM
    csrc mcounteren, t0
    EXPECT_S(9, 2, csrw stimecmp, zero)
    /* ... and with TM: S-mode sets its own timer and sees STIP in sip (delegated) */
    li t0, TM
    csrs mcounteren, t0
    li t0, STIP
    csrw mideleg, t0
    EXPECT_S(10, 9, li a1, -1; csrw stimecmp, a1; csrr a2, sip; csrw stimecmp, zero;
             csrr a3, sip; csrr a4, stimecmp)
    CHECK(a2, 0)
    CHECK(a3, STIP)
    CHECK(a4, 0)
    /* the timer interrupt, delegated and enabled, taken in S-mode as soon as it is due */
    li a1, -1
    csrw stimecmp, a1
    la t0, s_irq
    csrw stvec, t0
    li t0, STIP
    csrs mie, t0
    li s8, -1
    EXPECT_S(11, 9, csrsi sstatus, 2; csrw stimecmp, zero; nop; nop; li s8, 0)
    li t0, (1 << 63) | 5
    bne s8, t0, fail
    /* STCE clear again: STIP belongs to M-mode software once more */
    csrw mie, zero
    csrw mideleg, zero
    li t0, STCE
    csrc menvcfg, t0
    TEST_CASE(12, a0, STIP, li a1, STIP; csrs mip, a1; csrr a0, mip; andi a0, a0, STIP)
    TEST_CASE(13, a0, 0, li a1, STIP; csrc mip, a1; csrr a0, mip; andi a0, a0, STIP)
    j pass

    RVTEST_M_RESUME_HANDLER(handler)

    /* S-mode timer interrupt: note scause, make the timer not due, back to M-mode */
    .align 2
s_irq:
    csrr s8, scause
    li t0, -1
    csrw stimecmp, t0
    ecall
RVTEST_END
