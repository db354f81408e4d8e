/* fencei.S - self-modifying code: a new instruction is stored over code that already ran,
 * then fence.i makes it visible. Also a store without fence.i into a block that is not
 * running (vm flushes decoded code on stores to code pages, which the ISA allows). */
#include "test.h"
RVTEST_BEGIN
    .option push
    .option norvc
    /* run the patch site once: it returns 1 */
    TEST_CASE(2, a0, 1, call patch_site)
    /* overwrite "li a0, 1" with "li a0, 2" (addi a0, x0, 2 = 0x00200513) */
    TEST_CASE(3, a0, 2, la a1, patch_site; li a2, 0x00200513; sw a2, 0(a1); fence.i;
              call patch_site)
    /* again, patched from a loop that runs the site each time */
    TEST_CASE(4, a0, 8, li s0, 0; li s1, 3; li a3, 0x00300513;
              3: call patch_site; add s0, s0, a0; la a1, patch_site; sw a3, 0(a1);
              addi a3, a3, 0; fence.i; addi s1, s1, -1; bnez s1, 3b; mv a0, s0; addi a0, a0, 4;
              addi a0, a0, -4; addi a0, a0, 0)
    /* without fence.i (vm keeps code coherent with stores anyway) */
    TEST_CASE(5, a0, 5, la a1, patch_site; li a2, 0x00500513; sw a2, 0(a1); call patch_site)
    /* data living next to code (same page, other 64-byte line): plain loads and stores */
    TEST_CASE(6, a0, 1000, la a1, text_data; sd x0, 0(a1); li a2, 1000;
              3: ld a0, 0(a1); addi a0, a0, 1; sd a0, 0(a1); addi a2, a2, -1; bnez a2, 3b;
              ld a0, 0(a1))
    /* and code patched in the line right before that data still takes effect */
    TEST_CASE(7, a0, 7, la a1, patch_site; li a2, 0x00700513; sw a2, 0(a1); call patch_site)
    .option pop
    j pass
    .align 2
patch_site:
    .option push
    .option norvc
    li a0, 1
    ret
    .option pop
    .align 6
text_data:
    .dword 0
RVTEST_END
