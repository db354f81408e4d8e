/* rv64c.S - every RV64C instruction form, written with explicit c.* mnemonics so the
 * assembler must emit the 16-bit encodings (c.ebreak is covered by traps.S). */
#include "test.h"
RVTEST_BEGIN
    .option push
    .option rvc
    la sp, stack_top
    la s0, cdata
    li a0, 0
    TEST_CASE(2, a0, 0, c.addi4spn a0, sp, 16; la a1, stack_top + 16; sub a0, a0, a1)
    TEST_CASE(3, a0, 0xffffffff80000000, c.lw a0, 0(s0))
    TEST_CASE(4, a0, 0x1122334480000000, c.ld a0, 0(s0))
    TEST_CASE(5, a0, 0xffffffffcafef00d, li a1, 0xcafef00d; c.sw a1, 8(s0); lw a0, 8(s0))
    TEST_CASE(6, a0, 0x0123456789abcdef, li a1, 0x0123456789abcdef; c.sd a1, 16(s0); ld a0, 16(s0))
    TEST_CASE(7, a0, 0x0123456789abcdef, c.fld fa0, 16(s0); fmv.x.d a0, fa0)
    TEST_CASE(8, a0, 0x0123456789abcdef, c.fsd fa0, 24(s0); ld a0, 24(s0))
    TEST_CASE(9, a0, 7, li a0, 7; c.nop)
    TEST_CASE(10, a0, 4, li a0, 7; c.addi a0, -3)
    TEST_CASE(11, a0, 0xffffffff80000000, li a0, 0x7fffffff; c.addiw a0, 1)
    TEST_CASE(12, a0, 0x000000007fffffff, li a0, 0xffffffff7fffffff; c.addiw a0, 0)
    TEST_CASE(13, a0, -32, c.li a0, -32)
    TEST_CASE(14, a0, 31, c.li a0, 31)
    TEST_CASE(15, a0, -64, mv a1, sp; c.addi16sp sp, -64; sub a0, sp, a1; mv sp, a1)
    TEST_CASE(16, a0, 496, mv a1, sp; c.addi16sp sp, 496; sub a0, sp, a1; mv sp, a1)
    TEST_CASE(17, a0, 0xfffffffffffff000, c.lui a0, 0xfffff)
    TEST_CASE(18, a0, 0x1f000, c.lui a0, 0x1f)
    TEST_CASE(19, a0, 0x0800000000000000, li a0, 0x8000000000000000; c.srli a0, 4)
    TEST_CASE(20, a0, 1, li a0, 0x8000000000000000; c.srli a0, 63)
    TEST_CASE(21, a0, 0xf800000000000000, li a0, 0x8000000000000000; c.srai a0, 4)
    TEST_CASE(22, a0, 0x1230, li a0, 0x123f; c.andi a0, -16)
    TEST_CASE(23, a0, 5, li a0, 0x1f; c.andi a0, 5)
    TEST_CASE(24, a0, -2, li a0, 1; li a1, 3; c.sub a0, a1)
    TEST_CASE(25, a0, 6, li a0, 5; li a1, 3; c.xor a0, a1)
    TEST_CASE(26, a0, 7, li a0, 5; li a1, 3; c.or a0, a1)
    TEST_CASE(27, a0, 1, li a0, 5; li a1, 3; c.and a0, a1)
    TEST_CASE(28, a0, 0x7fffffff, li a0, 0x80000000; li a1, 1; c.subw a0, a1)
    TEST_CASE(29, a0, 0xffffffff80000000, li a0, 0x7fffffff; li a1, 1; c.addw a0, a1)
    TEST_CASE(30, a0, 1, li a0, 0; c.j 3f; li a0, 2; 3: addi a0, a0, 1)
    TEST_CASE(31, a0, 1, li a0, 0; li a1, 0; c.beqz a1, 3f; li a0, 2; 3: addi a0, a0, 1)
    TEST_CASE(32, a0, 3, li a0, 0; li a1, 1; c.beqz a1, 3f; li a0, 2; 3: addi a0, a0, 1)
    TEST_CASE(33, a0, 1, li a0, 0; li a1, 5; c.bnez a1, 3f; li a0, 2; 3: addi a0, a0, 1)
    TEST_CASE(34, a0, 3, li a0, 0; li a1, 0; c.bnez a1, 3f; li a0, 2; 3: addi a0, a0, 1)
    TEST_CASE(35, a0, 0x100000000, li a0, 1; c.slli a0, 32)
    TEST_CASE(36, a0, 0xffffffff80000000, li a1, 0x80000000; sw a1, 8(sp); c.lwsp a0, 8(sp))
    TEST_CASE(37, a0, 0x8000000000000001, li a1, 0x8000000000000001; sd a1, 16(sp);
              c.ldsp a0, 16(sp))
    TEST_CASE(38, a0, 0x8000000000000001, c.fldsp fa1, 16(sp); fmv.x.d a0, fa1)
    TEST_CASE(39, a0, 0x8000000000000001, c.fsdsp fa1, 24(sp); ld a0, 24(sp))
    TEST_CASE(40, a0, 0xffffffffdeadbeef, li a1, 0xdeadbeef; c.swsp a1, 32(sp); lw a0, 32(sp))
    TEST_CASE(41, a0, 0x1234567890, li a1, 0x1234567890; c.sdsp a1, 40(sp); ld a0, 40(sp))
    TEST_CASE(42, a0, 1, li a0, 0; la a1, 3f; c.jr a1; li a0, 2; 3: addi a0, a0, 1)
    TEST_CASE(43, a0, 0x55, li a1, 0x55; c.mv a0, a1)
    TEST_CASE(44, a0, 0, la a1, 3f; c.jalr a1; 4: j fail; 3: la a2, 4b; sub a0, ra, a2)
    TEST_CASE(45, a0, 12, li a0, 5; li a1, 7; c.add a0, a1)
    /* c.slli/c.srli/c.srai on the full register; c.lwsp max offset */
    TEST_CASE(46, a0, 0x8000000000000000, li a0, 1; c.slli a0, 63)
    TEST_CASE(47, a0, 0x42, li a1, 0x42; sw a1, 252(sp); c.lwsp a0, 252(sp))
    TEST_CASE(48, a0, 0x43, li a1, 0x43; sd a1, 504(sp); c.ldsp a0, 504(sp))
    .option pop
    j pass
RVTEST_END
    .align 4
cdata:
    .dword 0x1122334480000000
    .fill 64, 1, 0
    .align 4
stack:
    .fill 1024, 1, 0
stack_top:
    .fill 1024, 1, 0
