/* codeinv.S - stores into code drop the code of the page written, and code on other pages
 * keeps running: a hot loop calls a function on a page of its own, which is patched between
 * rounds; code on other pages (hot, chained to it) still gives its results; a block stores
 * over one of its own later instructions without fence.i and runs the new one; an
 * instruction that straddles a page edge is patched in its second page. The cases run once
 * in M-mode (stores through the physical window) and once more, as a second copy of the code,
 * in S-mode under Sv39 with one identity gigapage (stores through the MMU). Expected values
 * are worked out in the comments. */
#include "test.h"

/* addi rd, rs1, imm as a word */
#define ADDI(rd, rs1, imm) ((((imm) & 0xfff) << 20) | ((rs1) << 15) | ((rd) << 7) | 0x13)

    /* The cases from number n, their code and functions suffixed by sfx. */
    .macro cases n, sfx
    .option push
    .option norvc
    /* n: 100 calls of fa (returns 1), fa's first word becomes "li a0, 3", 100 more calls:
     *    100 + 300 = 400 */
    li gp, \n
    li s0, 0
    li s1, 100
1:  call fa_\sfx
    add s0, s0, a0
    call fb_\sfx
    addi s1, s1, -1
    bnez s1, 1b
    la t0, fa_\sfx
    li t1, ADDI(10, 0, 3)
    sw t1, 0(t0)
    fence.i
    li s1, 100
2:  call fa_\sfx
    add s0, s0, a0
    addi s1, s1, -1
    bnez s1, 2b
    li t6, 400
    bne s0, t6, fail
    /* n+1: fb, on another page, hot before the store, still returns 10 */
    li gp, \n + 1
    call fb_\sfx
    li t6, 10
    bne a0, t6, fail
    /* n+2: a block stores over its own later instruction (no fence.i), three passes, the
     *      immediate one larger each time: 42 + 43 + 44 = 129 */
    li gp, \n + 2
    li s0, 0
    li s1, 3
    li t1, ADDI(10, 0, 42)
    li t2, 1 << 20
3:  la t0, 4f
    sw t1, 0(t0)
    addi a0, x0, 5
4:  addi a0, x0, 1
    add s0, s0, a0
    add t1, t1, t2
    addi s1, s1, -1
    bnez s1, 3b
    li t6, 129
    bne s0, t6, fail
    /* n+3: "addi a0, a0, 16" straddles a page edge: 1 + 16 + 2 = 19 (twice, to make it hot);
     *      its upper half (imm << 4 | rs1 >> 1, in the second page) patched to imm 256:
     *      1 + 256 + 2 = 259 */
    li gp, \n + 3
    call straddle_\sfx
    call straddle_\sfx
    li t6, 19
    bne a0, t6, fail
    la t0, straddle_tail_\sfx
    li t1, (256 << 4) | 5
    sh t1, 0(t0)
    fence.i
    call straddle_\sfx
    li t6, 259
    bne a0, t6, fail
    /* n+4: fb still returns 10, and fa its new value */
    li gp, \n + 4
    call fb_\sfx
    mv s0, a0
    call fa_\sfx
    add s0, s0, a0
    li t6, 13
    bne s0, t6, fail
    j 9f

fb_\sfx:
    li a0, 10
    ret
    /* fa at the start of a page of its own */
    .balign 4096
fa_\sfx:
    li a0, 1
    ret
    /* straddle at the end of the next page */
    .balign 4096
    .skip 4096 - 8
straddle_\sfx:
    li a0, 0
    .option rvc
    c.addi a0, 1
    .option norvc
    addi a0, a0, 16
    .set straddle_tail_\sfx, . - 2
    .option rvc
    c.addi a0, 2
    .option norvc
    ret
9:
    .option pop
    .endm

RVTEST_BEGIN
    cases 2, m

    /* the same cases in S-mode under Sv39: one identity gigapage over RAM (V R W X A D) */
    li t0, -1
    csrw pmpaddr0, t0
    li t0, 0x1f /* one PMP entry over everything, NAPOT, R W X */
    csrw pmpcfg0, t0
    la t0, root
    li t1, ((0x80000000 >> 12) << 10) | 0xcf
    sd t1, 16(t0) /* VPN[2] = 2: 0x80000000 */
    srli t0, t0, 12
    li t1, 8 << 60
    or t0, t0, t1
    csrw satp, t0
    sfence.vma
    li t0, 0x1800
    csrc mstatus, t0
    li t0, 0x800 /* MPP = S */
    csrs mstatus, t0
    la t0, 5f
    csrw mepc, t0
    mret
5:
    cases 20, s
    j pass
RVTEST_END
    .balign 4096
root:
    .skip 4096
