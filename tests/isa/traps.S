/* traps.S - exceptions in M-mode: illegal instructions (32- and 16-bit, mtval = the bits),
 * ecall (cause 11, and 8 from U-mode), ebreak and c.ebreak (cause 3, mepc), access faults
 * on loads, stores and fetches (mtval = address), misaligned AMO (cause 6), FP disabled by
 * mstatus.FS, mret returning to U-mode, CSR access from U-mode, mstatus.MPP after a trap.
 *
 * The handler stores mcause/mtval/mepc/mstatus in s2/s3/s4/s7 and resumes at the address in
 * s5. */
#include "test.h"
#define EXPECT_TRAP(n, cause, tval, code...)                                                     \
    test_##n : TEST_NUM(n);                                                                       \
    li s2, -1;                                                                                    \
    la s5, 7f;                                                                                    \
    la s6, 6f;                                                                                    \
    6 : code;                                                                                     \
    j fail;                                                                                       \
    7 : CHECK(s2, cause);                                                                         \
    CHECK(s3, tval)

/* Same, for a trap whose mtval is the pc of the trapping instruction. */
#define EXPECT_TRAP_AT_PC(n, cause, code...)                                                     \
    test_##n : TEST_NUM(n);                                                                       \
    li s2, -1;                                                                                    \
    la s5, 7f;                                                                                    \
    la s6, 6f;                                                                                    \
    6 : code;                                                                                     \
    j fail;                                                                                       \
    7 : CHECK(s2, cause);                                                                         \
    bne s3, s6, fail

RVTEST_BEGIN
    la t0, handler
    csrw mtvec, t0
    EXPECT_TRAP(2, 2, 0xffffffff, .word 0xffffffff)
    EXPECT_TRAP(3, 2, 0x00000000, .half 0x0000)
    bne s4, s6, fail
    EXPECT_TRAP(4, 2, 0x0000707f, .word 0x0000707f) /* opcode 0x7f: 64-bit+ encodings */
    EXPECT_TRAP(5, 2, 0x8000, .half 0x8000) /* quadrant 0, funct3 100: reserved */
    EXPECT_TRAP(6, 2, 0x4002, .half 0x4002) /* c.lwsp x0: reserved */
    EXPECT_TRAP(7, 2, 0x8002, .half 0x8002) /* c.jr x0: reserved */
    EXPECT_TRAP(8, 2, 0x2001, .half 0x2001) /* c.addiw x0: reserved */
    EXPECT_TRAP(9, 2, 0x6101, .half 0x6101) /* c.addi16sp 0: reserved */
    EXPECT_TRAP(10, 2, 0x6581, .half 0x6581) /* c.lui a1, 0: reserved */
    EXPECT_TRAP(11, 2, 0x9c41, .half 0x9c41) /* c.subw-space reserved (funct 10) */
    EXPECT_TRAP(12, 2, 0x30200073 | (1 << 7), .word 0x30200073 | (1 << 7)) /* mret, rd != 0 */
    EXPECT_TRAP(13, 2, 0x02b57053, csrwi frm, 5; .word 0x02b57053) /* dynamic rm, frm = 5 */
    csrwi frm, 0
    EXPECT_TRAP(14, 2, 0x02b55053, .word 0x02b55053) /* fadd.d rm = 5: reserved */
    EXPECT_TRAP(15, 11, 0, ecall)
    bne s4, s6, fail
    EXPECT_TRAP_AT_PC(16, 3, ebreak; .word 0)
    bne s4, s6, fail
    EXPECT_TRAP_AT_PC(17, 3, c.ebreak; .half 0)
    bne s4, s6, fail
    EXPECT_TRAP(18, 5, 0x10, li a0, 0x10; ld a1, 0(a0))
    EXPECT_TRAP(19, 7, 0x20, li a0, 0x20; sw a1, 0(a0))
    EXPECT_TRAP(20, 6, 0x80001001, li a0, 0x80001001; amoadd.w a1, a1, (a0))
    EXPECT_TRAP(21, 4, 0x80001002, li a0, 0x80001002; lr.d a1, (a0))
    EXPECT_TRAP(22, 1, 0x1000, li a0, 0x1000; jalr ra, 0(a0))
    bne s4, a0, fail
    /* a load just past the end of RAM faults, one just before it works */
    EXPECT_TRAP(23, 5, 0x90000000, li a0, 0x90000000; lb a1, 0(a0))
    EXPECT_TRAP(24, 5, 0x8ffffffc, li a0, 0x8ffffffc; ld a1, 0(a0))
    /* FP with mstatus.FS = Off is illegal */
    TEST_CASE(25, a0, 0, li t0, (3 << 13); csrc mstatus, t0; csrr a0, mstatus; and a0, a0, t0)
    EXPECT_TRAP(26, 2, 0xe0050553, fmv.x.w a0, fa0)
    EXPECT_TRAP(27, 2, 0x00102573, csrr a0, fflags)
    TEST_CASE(28, a0, (1 << 13), li t0, (1 << 13); csrs mstatus, t0; csrr a0, mstatus;
              li t1, (3 << 13); and a0, a0, t1)
    /* an FP write makes FS dirty (and SD set) */
    TEST_CASE(29, a0, 1, fmv.w.x fa0, x0; csrr a0, mstatus; srli a0, a0, 63)
    /* mret to U-mode: ecall there is cause 8, and M-mode CSRs are illegal */
    /* the handler returned with mret, which set MPP to U (0) */
    TEST_CASE(30, a0, 0, csrr a0, mstatus; li t0, 0x1800; and a0, a0, t0)
    EXPECT_TRAP(31, 8, 0, li t0, 0x1800; csrc mstatus, t0; la t0, 5f; csrw mepc, t0; mret;
                5: ecall)
    /* after the trap from U-mode, MPP = U (0) */
    TEST_CASE(32, a0, 0, csrr a0, mstatus; li t0, 0x1800; and a0, a0, t0)
    EXPECT_TRAP(33, 2, 0x34002573, la t0, 5f; csrw mepc, t0; mret; 5: csrr a0, mscratch)
    EXPECT_TRAP(34, 2, 0x30200073, la t0, 5f; csrw mepc, t0; mret; 5: mret)
    /* U-mode may read cycle when mcounteren and (with S-mode) scounteren allow it */
    TEST_CASE(35, a0, 1, csrwi mcounteren, 7; csrwi scounteren, 7; la t0, 5f; csrw mepc, t0; la s5, 4f; mret;
              5: rdcycle a1; li a0, 1; ecall; 4:)
    /* after a trap, mstatus.MIE moved to MPIE */
    TEST_CASE(36, a0, 0x80, la s5, 5f; csrsi mstatus, 8; ecall; 5: andi a0, s7, 0x88)
    /* and mret moved MPIE back to MIE */
    TEST_CASE(37, a0, 0x88, csrr a0, mstatus; andi a0, a0, 0x88)
    csrci mstatus, 8
    la t0, rvtest_trap
    csrw mtvec, t0
    j pass

    .align 2
handler:
    csrr s2, mcause
    csrr s3, mtval
    csrr s4, mepc
    csrr s7, mstatus
    li t0, 0x1800 /* return to M-mode */
    csrs mstatus, t0
    csrw mepc, s5
    mret
RVTEST_END
