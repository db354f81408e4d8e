/* test.h - macros for vm's ISA tests (bare machine, M-mode, HTIF tohost).
 *
 * A test is a .S file: RVTEST_BEGIN, then TEST_* cases numbered from 2 (the number is kept in
 * TESTNUM = gp, and a failing case reports it: `vm run` prints "FAIL: test n"), then
 * RVTEST_END. Register t6 (x31) is the comparison scratch: test code must not rely on it.
 * An unexpected trap fails with test number 1000 + mcause.
 */
#pragma once

#define TESTNUM gp
#define SCRATCH t6

/* Entry: trap vector, FP enabled, counters reset, TESTNUM = 0. */
#define RVTEST_BEGIN                                                                              \
    .section .text.init, "ax";                                                                    \
    .globl _start;                                                                                \
    _start:                                                                                       \
    la t0, rvtest_trap;                                                                           \
    csrw mtvec, t0;                                                                               \
    li t0, (1 << 13);                                                                             \
    csrs mstatus, t0;                                                                             \
    csrwi fcsr, 0;                                                                                \
    li TESTNUM, 0;                                                                                \
    j rvtest_body;                                                                                \
    .align 2;                                                                                     \
    rvtest_trap:                                                                                  \
    csrr TESTNUM, mcause;                                                                         \
    addi TESTNUM, TESTNUM, 1000;                                                                  \
    j fail;                                                                                       \
    rvtest_body:

/* Report success through tohost. */
#define RVTEST_PASS                                                                               \
    li t0, 1;                                                                                     \
    la t1, tohost;                                                                                \
    sd t0, 0(t1);                                                                                 \
    1 : j 1b

/* Report failure of test TESTNUM (never 0: that would read as a pass). */
#define RVTEST_FAIL                                                                               \
    bnez TESTNUM, 2f;                                                                             \
    li TESTNUM, 0xfff;                                                                            \
    2 : slli t0, TESTNUM, 1;                                                                      \
    ori t0, t0, 1;                                                                                \
    la t1, tohost;                                                                                \
    sd t0, 0(t1);                                                                                 \
    1 : j 1b

/* Pass/fail labels and the tohost mailbox on a page of its own. */
#define RVTEST_END                                                                                \
    pass:                                                                                         \
    RVTEST_PASS;                                                                                  \
    fail:                                                                                         \
    RVTEST_FAIL;                                                                                  \
    .section .tohost, "aw", @progbits;                                                            \
    .align 12;                                                                                    \
    .globl tohost;                                                                                \
    tohost:                                                                                       \
    .dword 0;                                                                                     \
    .globl fromhost;                                                                              \
    fromhost:                                                                                     \
    .dword 0;                                                                                     \
    .align 12;                                                                                    \
    .data

/* Start a test case: sets TESTNUM. */
#define TEST_NUM(n) li TESTNUM, n

/* Compare a register with an expected value, fail the current test otherwise. */
#define CHECK(reg, expected)                                                                      \
    li SCRATCH, expected;                                                                         \
    bne reg, SCRATCH, fail

/* Generic case: run `code`, then compare `reg` to `expected`. */
#define TEST_CASE(n, reg, expected, code...)                                                      \
    test_##n : TEST_NUM(n);                                                                       \
    code;                                                                                         \
    CHECK(reg, expected)

/* rd = op(rs1, rs2) with registers a1, a2 -> a0, and the rd == rs1 / rs1 == rs2 forms. */
#define TEST_RR_OP(n, inst, result, v1, v2)                                                       \
    TEST_CASE(n, a0, result, li a1, v1; li a2, v2; inst a0, a1, a2)
#define TEST_RR_SRC1_EQ_DEST(n, inst, result, v1, v2)                                             \
    TEST_CASE(n, a1, result, li a1, v1; li a2, v2; inst a1, a1, a2)
#define TEST_RR_ZERODEST(n, inst, v1, v2)                                                         \
    TEST_CASE(n, x0, 0, li a1, v1; li a2, v2; inst x0, a1, a2)

/* rd = op(rs1, imm). */
#define TEST_IMM_OP(n, inst, result, v1, imm) TEST_CASE(n, a0, result, li a1, v1; inst a0, a1, imm)

/* rd = op(rs1). */
#define TEST_R_OP(n, inst, result, v1) TEST_CASE(n, a0, result, li a1, v1; inst a0, a1)

/* Load from label+offset. */
#define TEST_LD_OP(n, inst, result, offset, base)                                                 \
    TEST_CASE(n, a0, result, la a1, base; inst a0, offset(a1))

/* Store then load back. */
#define TEST_ST_OP(n, ld, st, result, offset, base)                                               \
    TEST_CASE(n, a0, result, la a1, base; li a2, result; st a2, offset(a1); ld a0, offset(a1))

/* Branch that must be taken / not taken. */
#define TEST_BR_TAKEN(n, inst, v1, v2)                                                            \
    test_##n : TEST_NUM(n);                                                                       \
    li a1, v1;                                                                                    \
    li a2, v2;                                                                                    \
    inst a1, a2, 3f;                                                                              \
    j fail;                                                                                       \
    3:
#define TEST_BR_NOT_TAKEN(n, inst, v1, v2)                                                        \
    test_##n : TEST_NUM(n);                                                                       \
    li a1, v1;                                                                                    \
    li a2, v2;                                                                                    \
    inst a1, a2, fail

/* FP: the fflags accrued by `code` must equal `flags` (then fflags is cleared). */
#define CHECK_FFLAGS(flags)                                                                       \
    csrrw SCRATCH, fflags, x0;                                                                    \
    addi SCRATCH, SCRATCH, -(flags);                                                              \
    bnez SCRATCH, fail
