/* clock_mmio.S - the machine's clock read through its devices, on one hart of the virt machine
 * (loaded with -bios, no firmware), run with --deterministic: time then counts instructions, so
 * a read at a known distance (checked when assembling) from a `csrr time` has a known value. Each round reads the time
 * CSR, then, a few instructions on and with more instructions after it in the same block, the
 * CLINT's mtime (a 64-bit load) and the Goldfish RTC (TIME_LOW, then the TIME_HIGH it latched),
 * and checks them against the CSR: mtime = time + its distance in instructions, RTC =
 * 2026-01-01 in ns + 100 ns per tick. A device must see the count of the instruction that
 * reaches it, whatever the engine counted ahead (the interpreter adds a block's count at its
 * start; the JIT counts at its exits). Powers off through the SiFive test device: exit 0 when
 * all is right, else the number of the failed check. The poweroff store is followed, past a
 * jump, by a store to RAM that no engine may run (a device that stops the machine stops it
 * right after the store that reached it). */
#define CLINT_MTIME 0x200bff8
#define RTC_BASE    0x101000
#define TEST_DEV    0x100000
#define EPOCH_NS    1767225600000000000
#define ROUNDS      200

    .option norvc               /* 4-byte instructions: distances are label differences / 4 */
    .section .text
    .globl _start
_start:
    la t0, trap
    csrw mtvec, t0
    li s0, ROUNDS
    li s1, EPOCH_NS
    li s2, 100
round:
    /* mtime: a load three instructions after the CSR read, eight instructions before the
     * block ends */
t_mtime:
    csrr t0, time               /* ends the block */
    li t1, CLINT_MTIME
    ld t2, 0(t1)
l_mtime:
    addi t3, zero, 1
    addi t3, t3, 1
    addi t3, t3, 1
    addi t3, t3, 1
    sub t4, t2, t0
    li t5, 3                    /* the load is the fourth instruction from the CSR read */
    li a1, 1
    bne t4, t5, fail
    /* the RTC: TIME_LOW then TIME_HIGH */
t_rtc:
    csrr t0, time
    li t1, RTC_BASE
    lwu t2, 0(t1)
l_rtc:
    lwu t6, 4(t1)
    addi t3, zero, 1
    addi t3, t3, 1
    addi t4, t0, 2              /* TIME_LOW's load is the third */
    mul t4, t4, s2
    add t4, t4, s1              /* the RTC's ns at the load */
    slli t3, t4, 32
    srli t3, t3, 32
    li a1, 2
    bne t2, t3, fail
    srli t3, t4, 32
    li a1, 3
    bne t6, t3, fail
    addi s0, s0, -1
    bnez s0, round
    .if (l_mtime - t_mtime) != 16 || (l_rtc - t_rtc) != 12
    .error "the distances of the loads from the CSR reads are not 3 and 2 instructions"
    .endif
    /* poweroff: the store to the test device stops the machine right after it, under every
     * engine; the store past the jump (where the interpreter's block ends and the JIT's
     * superblock goes on) must not run, which lockstep's comparison of RAM checks */
    li t1, TEST_DEV
    li t2, 0x5555
    la t3, after_poweroff
    li t4, 1
    sw t2, 0(t1)
    j 3f
3:  sd t4, 0(t3)
1:  j 1b

fail:
    slli a1, a1, 16
    li t2, 0x3333
    or t2, t2, a1
    li t1, TEST_DEV
    sw t2, 0(t1)
2:  j 2b

trap:                           /* no trap is expected */
    li a1, 9
    j fail

    .section .data
    .balign 8
after_poweroff: .dword 0
