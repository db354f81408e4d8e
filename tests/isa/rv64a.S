/* rv64a.S - the A extension: every AMO (W and D, sign extension of W results), LR/SC success,
 * SC failure without a reservation, on another address, and after the value changed. */
#include "test.h"
RVTEST_BEGIN
    la s0, word
    TEST_CASE(2, a0, 0x7fffffff, li a2, 0x7fffffff; sw a2, 0(s0); li a2, 1; amoadd.w a0, a2, (s0))
    TEST_CASE(3, a0, 0xffffffff80000000, lw a0, 0(s0))
    TEST_CASE(4, a0, 0xffffffff80000000, li a2, 5; amoswap.w a0, a2, (s0))
    TEST_CASE(5, a0, 5, lw a0, 0(s0))
    TEST_CASE(6, a0, 5, li a2, 3; amoxor.w a0, a2, (s0); lw a1, 0(s0); li SCRATCH, 6;
              bne a1, SCRATCH, fail)
    TEST_CASE(7, a0, 6, li a2, 0xc; amoand.w a0, a2, (s0); lw a1, 0(s0); li SCRATCH, 4;
              bne a1, SCRATCH, fail)
    TEST_CASE(8, a0, 4, li a2, 0x80000000; amoor.w a0, a2, (s0); lwu a1, 0(s0);
              li SCRATCH, 0x80000004; bne a1, SCRATCH, fail)
    TEST_CASE(9, a0, 0xffffffff80000004, li a2, 1; amomin.w a0, a2, (s0); lwu a1, 0(s0);
              li SCRATCH, 0x80000004; bne a1, SCRATCH, fail)
    TEST_CASE(10, a0, 0xffffffff80000004, li a2, 1; amomax.w a0, a2, (s0); lw a1, 0(s0);
              li SCRATCH, 1; bne a1, SCRATCH, fail)
    TEST_CASE(11, a0, 1, li a2, -1; amomaxu.w a0, a2, (s0); lw a1, 0(s0); li SCRATCH, -1;
              bne a1, SCRATCH, fail)
    TEST_CASE(12, a0, -1, li a2, 7; amominu.w a0, a2, (s0); lw a1, 0(s0); li SCRATCH, 7;
              bne a1, SCRATCH, fail)
    la s1, dword
    TEST_CASE(13, a0, 0, sd x0, 0(s1); li a2, -5; amoadd.d a0, a2, (s1); ld a1, 0(s1);
              li SCRATCH, -5; bne a1, SCRATCH, fail)
    TEST_CASE(14, a0, -5, li a2, 3; amomax.d a0, a2, (s1); ld a1, 0(s1); li SCRATCH, 3;
              bne a1, SCRATCH, fail)
    TEST_CASE(15, a0, 3, li a2, -5; amomaxu.d a0, a2, (s1); ld a1, 0(s1); li SCRATCH, -5;
              bne a1, SCRATCH, fail)
    TEST_CASE(16, a0, -5, li a2, 2; amominu.d a0, a2, (s1); ld a1, 0(s1); li SCRATCH, 2;
              bne a1, SCRATCH, fail)
    TEST_CASE(17, a0, 2, li a2, -9; amomin.d a0, a2, (s1); ld a1, 0(s1); li SCRATCH, -9;
              bne a1, SCRATCH, fail)
    TEST_CASE(18, a0, -9, li a2, 0x0ff0; amoand.d a0, a2, (s1); ld a1, 0(s1);
              li SCRATCH, 0x0ff0 & -9; bne a1, SCRATCH, fail)
    TEST_CASE(19, a0, 0x0ff0 & -9, li a2, 0x100000000; amoor.d a0, a2, (s1); ld a1, 0(s1);
              li SCRATCH, 0x100000000 | (0x0ff0 & -9); bne a1, SCRATCH, fail)
    TEST_CASE(20, a0, 0x100000000 | (0x0ff0 & -9), li a2, -1; amoxor.d a0, a2, (s1); ld a1, 0(s1);
              li SCRATCH, ~(0x100000000 | (0x0ff0 & -9)); bne a1, SCRATCH, fail)
    TEST_CASE(21, a0, ~(0x100000000 | (0x0ff0 & -9)), li a2, 42; amoswap.d a0, a2, (s1))
    /* LR/SC: success, then the reservation is gone */
    TEST_CASE(22, a2, 0, lr.d a0, (s1); addi a0, a0, 1; sc.d a2, a0, (s1))
    TEST_CASE(23, a0, 43, ld a0, 0(s1))
    TEST_CASE(24, a2, 1, li a0, 99; sc.d a2, a0, (s1))
    TEST_CASE(25, a0, 43, ld a0, 0(s1))
    /* SC to another address than the LR fails */
    TEST_CASE(26, a2, 1, lr.w a0, (s0); li a0, 5; sc.w a2, a0, (s1))
    /* a plain store changing the value between LR and SC makes SC fail */
    TEST_CASE(27, a2, 1, lr.d a0, (s1); li a3, 77; sd a3, 0(s1); sc.d a2, a0, (s1))
    TEST_CASE(28, a0, 77, ld a0, 0(s1))
    /* lr.w sign-extends; sc.w success writes only 32 bits */
    TEST_CASE(29, a0, 0xffffffff80000000, li a3, 0x80000000; sw a3, 0(s0); lr.w a0, (s0))
    TEST_CASE(30, a2, 0, li a3, 0x12345678; sc.w a2, a3, (s0))
    TEST_CASE(31, a0, 0x12345678, lw a0, 0(s0); lw a1, 4(s0); li SCRATCH, 0x5a5a5a5a;
              bne a1, SCRATCH, fail)
    /* an LR/SC increment loop */
    TEST_CASE(32, a0, 87, li a4, 10; 3: lr.d a0, (s1); addi a0, a0, 1; sc.d a2, a0, (s1);
              bnez a2, 3b; addi a4, a4, -1; bnez a4, 3b; ld a0, 0(s1))
    j pass
RVTEST_END
    .align 3
word:
    .word 0, 0x5a5a5a5a
dword:
    .dword 0
