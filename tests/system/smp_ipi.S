/* smp_ipi.S - two harts of the virt machine on their own (loaded with -bios, no firmware):
 * hart 1 sleeps in wfi until hart 0's IPI (CLINT msip) wakes it; then both harts add to
 * shared words at the same time with amoadd.d and with lr.d/sc.d loops, hart 1 reports
 * through a flag, and hart 0 checks both totals and powers off through the SiFive test device:
 * exit 0 when all is right, else the number of the failed check. Run with -smp 2. Before it
 * powers off, hart 0 executes PAUSES pause instructions (Zihintpause), which --stats counts.
 * COUNT may be given with -DCOUNT=N (a short run for lockstep). */
#define CLINT_MSIP1 0x2000004
#define TEST_DEV    0x100000
#ifndef COUNT
#define COUNT 200000
#endif
#define PAUSES 256

    .section .text
    .globl _start
_start:
    csrr a0, mhartid
    la t0, trap
    csrw mtvec, t0
    bnez a0, secondary

    /* hart 0: wait until hart 1 announces it is about to sleep, then wake it */
    la t1, ready
1:  lw t2, 0(t1)
    beqz t2, 1b
    li t1, CLINT_MSIP1
    li t2, 1
    sw t2, 0(t1)
    call hammer
    /* wait for hart 1's done flag */
    la t1, done
2:  lw t2, 0(t1)
    beqz t2, 2b
    fence rw, rw
    li a1, 1
    la t1, amo_count
    ld t2, 0(t1)
    li t3, 2 * COUNT
    bne t2, t3, fail
    li a1, 2
    la t1, lrsc_count
    ld t2, 0(t1)
    li t3, 2 * COUNT * 3
    bne t2, t3, fail
    li a1, 3
    la t1, woken
    lw t2, 0(t1)
    beqz t2, fail
    li t0, PAUSES
8:  .word 0x0100000f        /* pause (fence w, 0) */
    addi t0, t0, -1
    bnez t0, 8b
    li t1, TEST_DEV
    li t2, 0x5555
    sw t2, 0(t1)
3:  j 3b

fail:
    slli a1, a1, 16
    li t2, 0x3333
    or t2, t2, a1
    li t1, TEST_DEV
    sw t2, 0(t1)
4:  j 4b

secondary:
    li t0, 1
    bne a0, t0, park        /* only hart 1 takes part */
    li t0, 8                /* mie.MSIE; mstatus.MIE stays clear: wfi wakes, no trap */
    csrw mie, t0
    la t1, ready
    li t2, 1
    amoswap.w zero, t2, (t1)
5:  wfi
    csrr t0, mip
    andi t0, t0, 8
    beqz t0, 5b
    li t1, CLINT_MSIP1      /* clear the IPI */
    sw zero, 0(t1)
    la t1, woken
    li t2, 1
    sw t2, 0(t1)
    call hammer
    fence rw, rw
    la t1, done
    li t2, 1
    amoswap.w.rl zero, t2, (t1)
park:
    wfi
    j park

/* COUNT times: amoadd.d 1 to amo_count and an lr.d/sc.d add of 3 to lrsc_count */
hammer:
    li t0, COUNT
    la t1, amo_count
    la t2, lrsc_count
    li t3, 1
6:  amoadd.d zero, t3, (t1)
7:  lr.d t4, (t2)
    addi t4, t4, 3
    sc.d t5, t4, (t2)
    bnez t5, 7b
    addi t0, t0, -1
    bnez t0, 6b
    ret

trap:                       /* no trap is expected */
    li a1, 9
    j fail

    .section .data
    .balign 64
amo_count:  .dword 0
    .balign 64
lrsc_count: .dword 0
    .balign 64
ready:      .word 0
woken:      .word 0
done:       .word 0
