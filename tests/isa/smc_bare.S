/* smc_bare.S - self-modifying code on the bare machine, for engines that cache decoded or
 * translated code: whole functions copied over code that already ran (and over a buffer in
 * data memory), then fence.i and run; a hot loop whose callee is patched between rounds; a
 * straight-line block that stores over one of its own later instructions, fence.i, then runs
 * into it (in a loop, each pass storing another value); a function across a 4 KiB page
 * boundary patched in its second page; a 32-bit instruction that itself straddles the page
 * boundary, patched one half at a time. Expected values are worked out in the comments. */
#include "test.h"

/* addi rd, rs1, imm as a word */
#define ADDI(rd, rs1, imm) ((((imm) & 0xfff) << 20) | ((rs1) << 15) | ((rd) << 7) | 0x13)

RVTEST_BEGIN
    .option push
    .option norvc

    /* 2: site returns 1; copy template B (a0 = 10 + 5) over it, fence.i, it returns 15 */
    TEST_CASE(2, a0, 15, call site; li a1, 1; bne a0, a1, fail;
              la a1, templ_b; la a2, site; li a3, 3;
              3: lw a4, 0(a1); sw a4, 0(a2); addi a1, a1, 4; addi a2, a2, 4; addi a3, a3, -1;
              bnez a3, 3b; fence.i; call site)

    /* 3: 1000 calls of "a0 = 10 + 5" (hot), patch the second word to "addi a0, a0, 7",
     *    1000 more calls: sum = 1000 * 15 + 1000 * 17 = 32000 */
    TEST_CASE(3, s0, 32000, li s0, 0; li s1, 1000;
              3: call site; add s0, s0, a0; addi s1, s1, -1; bnez s1, 3b;
              la a1, site; li a2, ADDI(10, 10, 7); sw a2, 4(a1); fence.i; li s1, 1000;
              4: call site; add s0, s0, a0; addi s1, s1, -1; bnez s1, 4b)

    /* 4: template B copied into a data buffer and run (15), its first word replaced by
     *    "addi a0, x0, 996" and run again (1001): 1016 */
    TEST_CASE(4, a0, 1016, la a1, templ_b; la a2, code_buf; lw a3, 0(a1); sw a3, 0(a2);
              lw a3, 4(a1); sw a3, 4(a2); lw a3, 8(a1); sw a3, 8(a2); fence.i;
              jalr ra, 0(a2); mv s2, a0;
              li a3, ADDI(10, 0, 996); sw a3, 0(a2); fence.i; jalr ra, 0(a2); add a0, a0, s2)

    /* 5: a block storing over its own later instruction: t1 holds "addi a0, x0, 42" and
     *    grows by one in the immediate on every pass; five passes: 42+43+44+45+46 = 220 */
    TEST_CASE(5, s0, 220, li s0, 0; li s1, 5; li t1, ADDI(10, 0, 42); li t2, 1 << 20;
              3: la t0, 4f; sw t1, 0(t0); fence.i;
              4: addi a0, x0, 1; add s0, s0, a0; add t1, t1, t2; addi s1, s1, -1; bnez s1, 3b)

    /* 6: across a page boundary: 0 + 1 + 2 + 4 = 7; the first word of the second page
     *    becomes "addi a0, a0, 100" (105), then the first page's "+1" becomes "+50" (154) */
    TEST_CASE(6, a0, 7, call cross_site)
    TEST_CASE(7, a0, 105, la a1, cross_page; li a2, ADDI(10, 10, 100); sw a2, 0(a1); fence.i;
              call cross_site)
    TEST_CASE(8, a0, 154, la a1, cross_site; li a2, ADDI(10, 10, 50); sw a2, 4(a1); fence.i;
              call cross_site)

    /* 9: "addi a0, a0, 16" straddling the boundary: 1 + 16 + 2 = 19; its upper half (in the
     *    second page: imm << 4 | rs1 >> 1) patched to imm 256: 259; then its lower half (in
     *    the first page) to rd = a1: the add goes to a1, a0 = 1 + 2 = 3 */
    TEST_CASE(9, a0, 19, call split_site)
    TEST_CASE(10, a0, 259, la a1, split_page; li a2, (256 << 4) | 5; sh a2, 0(a1); fence.i;
              call split_site)
    TEST_CASE(11, a0, 3, la a1, split_page; li a2, (11 << 7) | 0x13; sh a2, -2(a1); fence.i;
              call split_site)
    .option pop
    j pass

    .align 2
site:
    .option push
    .option norvc
    li a0, 1
    ret
    nop
    .option pop
templ_b:
    .option push
    .option norvc
    li a0, 10
    addi a0, a0, 5
    ret
    .option pop

    /* cross_site starts 8 bytes before a page boundary */
    .balign 4096
    .skip 4096 - 8
cross_site:
    .option push
    .option norvc
    li a0, 0
    addi a0, a0, 1
cross_page:
    addi a0, a0, 2
    addi a0, a0, 4
    ret
    .option pop

    /* split_site: a 32-bit instruction at page end - 2 */
    .balign 4096
    .skip 4096 - 8
split_site:
    .option push
    .option norvc
    li a0, 0
    .option rvc
    c.addi a0, 1
    .option norvc
    addi a0, a0, 16
    .option rvc
    .set split_page, . - 2
    c.addi a0, 2
    .option norvc
    ret
    .option pop
RVTEST_END
    .balign 4096
code_buf:
    .skip 64
