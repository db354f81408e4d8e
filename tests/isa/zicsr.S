/* zicsr.S - CSR instructions: read/write/set/clear in register and immediate forms, rd = x0
 * and rs1 = x0 forms, the FP CSRs (fflags/frm/fcsr views), read-only and unknown CSRs
 * (illegal), counters (instret counts exactly), misa/mhartid/mvendorid, WARL fields. */
#include "test.h"
RVTEST_BEGIN
    TEST_CASE(2, a0, 0, li a1, 0x1234; csrrw a0, mscratch, a1; csrr a0, mscratch; li t0, 0x1234;
              sub a0, a0, t0)
    TEST_CASE(3, a0, 0x1234, li a1, 0xf0000; csrrs a0, mscratch, a1)
    TEST_CASE(4, a0, 0xf1234, li a1, 0x0f000; csrrc a0, mscratch, a1)
    TEST_CASE(5, a0, 0xf0234, csrrwi a0, mscratch, 21)
    TEST_CASE(6, a0, 21, csrrsi a0, mscratch, 10)
    TEST_CASE(7, a0, 31, csrrci a0, mscratch, 1)
    TEST_CASE(8, a0, 30, csrr a0, mscratch)
    TEST_CASE(9, a0, 30, csrrs a0, mscratch, x0) /* rs1 = x0: read only */
    TEST_CASE(10, a0, 7, csrw mscratch, 7; csrrw x0, mscratch, x0; li a0, 7)
    TEST_CASE(11, a0, 0, csrr a0, mscratch)
    /* FP CSRs */
    TEST_CASE(12, a0, 0x1f, csrwi fflags, 0x1f; csrr a0, fflags)
    TEST_CASE(13, a0, 0x1f, csrr a0, fcsr)
    TEST_CASE(14, a0, 0x9f, csrwi frm, 4; csrr a0, fcsr)
    TEST_CASE(15, a0, 4, csrr a0, frm)
    TEST_CASE(16, a0, 0x3, li a1, 0x63; csrw fcsr, a1; csrr a0, frm)
    TEST_CASE(17, a0, 0x3, csrr a0, fflags)
    TEST_CASE(18, a0, 0xe0, li a1, 0xffffffff; csrw fcsr, a1; csrr a0, fcsr; andi a0, a0, 0xe0)
    TEST_CASE(19, a0, 0xff, csrr a0, fcsr)
    csrwi fcsr, 0
    /* identity */
    TEST_CASE(20, a0, 2, csrr a0, misa; srli a0, a0, 62)
    TEST_CASE(21, a0, 0x14112d, csrr a0, misa; li t0, 0x3ffffff; and a0, a0, t0) /* ACDFIMSU */
    TEST_CASE(22, a0, 0, csrr a0, mhartid)
    TEST_CASE(23, a0, 0, csrr a0, mvendorid)
    TEST_CASE(24, a0, 0, csrr a0, pmpcfg0)
    TEST_CASE(25, a0, 0x12345, li a1, 0x12345; csrw pmpaddr0, a1; csrr a0, pmpaddr0)
    /* instret: exactly 3 instructions retire between the two reads */
    TEST_CASE(26, a0, 3, csrr a1, minstret; nop; nop; csrr a2, minstret; sub a0, a2, a1)
    TEST_CASE(27, a0, 2, rdinstret a1; addi x0, x0, 0; rdinstret a2; sub a0, a2, a1)
    TEST_CASE(28, a0, 1, rdcycle a1; rdcycle a2; sltu a0, a1, a2)
    TEST_CASE(29, a0, 1, rdtime a1; li a3, 1000; 3: addi a3, a3, -1; bnez a3, 3b; rdtime a2;
              sltu a0, a1, a2)
    /* minstret is writable */
    TEST_CASE(30, a0, 1000, li a1, 1000; csrw minstret, a1; csrr a0, minstret)
    /* WARL: mtvec mode 2/3 reserved; mepc bit 0 clear; MPP of S-mode kept (S exists) */
    TEST_CASE(31, a0, 0x80000100, csrr s0, mtvec; li a1, 0x80000102; csrw mtvec, a1;
              csrr a0, mtvec; csrw mtvec, s0)
    TEST_CASE(32, a0, 0x80000100, li a1, 0x80000101; csrw mepc, a1; csrr a0, mepc)
    TEST_CASE(33, a0, 0x800, li a1, 0x0800; csrc mstatus, a1; li a1, 0x1000; csrc mstatus, a1;
              li a1, 0x0800; csrs mstatus, a1; csrr a0, mstatus; li a1, 0x1800; and a0, a0, a1)
    TEST_CASE(34, a0, 2, csrr a0, mstatus; srli a0, a0, 32; andi a0, a0, 3) /* UXL = 64 */
    TEST_CASE(35, a0, 0xb3ff, li a1, -1; csrw medeleg, a1; csrr a0, medeleg) /* not M ecall */
    /* illegal CSR accesses */
    la t0, handler
    csrw mtvec, t0
    TEST_CASE(36, s2, 2, li s2, 0; la s5, 3f; csrw mvendorid, a0; 3:) /* read-only */
    TEST_CASE(37, s2, 2, li s2, 0; la s5, 3f; csrw cycle, a0; 3:)
    TEST_CASE(38, s2, 2, li s2, 0; la s5, 3f; csrr a0, 0x7ff; 3:) /* unknown CSR */
    TEST_CASE(39, s2, 2, li s2, 0; la s5, 3f; csrr a0, 0x5c0; 3:) /* unknown CSR */
    TEST_CASE(40, s2, 0, li s2, 0; la s5, 3f; csrs mvendorid, x0; 3:) /* no write: legal */
    la t0, rvtest_trap
    csrw mtvec, t0
    j pass
    .align 2
handler:
    csrr s2, mcause
    csrw mepc, s5
    mret
RVTEST_END
