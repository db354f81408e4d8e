/* rv64i_mem.S - RV64I loads and stores: every width, sign/zero extension, offsets, misaligned
 * accesses (supported by vm without traps), load into x0. */
#include "test.h"
RVTEST_BEGIN
    TEST_LD_OP(2, lb, 0xffffffffffffff80, 0, data)
    TEST_LD_OP(3, lbu, 0x80, 0, data)
    TEST_LD_OP(4, lh, 0xffffffffffff9180, 0, data)
    TEST_LD_OP(5, lhu, 0x9180, 0, data)
    TEST_LD_OP(6, lw, 0xffffffffb3a29180, 0, data)
    TEST_LD_OP(7, lwu, 0xb3a29180, 0, data)
    TEST_LD_OP(8, ld, 0x7766554433a29180 ^ 0x0000000080000000, 0, data)
    TEST_LD_OP(9, lb, 0x22, 8, data)
    TEST_CASE(10, a0, 0x22, la a1, data + 16; lb a0, -7(a1))
    TEST_CASE(11, a0, 0x2222, la a1, data + 16; lhu a0, -8(a1))
    /* misaligned loads */
    TEST_LD_OP(12, lh, 0xffffffffffffa291, 1, data)
    TEST_LD_OP(13, lw, 0x44b3a291, 1, data)
    TEST_LD_OP(14, ld, 0x2277665544b3a291, 1, data)
    TEST_LD_OP(15, lwu, 0x665544b3, 3, data)
    /* stores, then load back */
    TEST_ST_OP(16, lb, sb, 0xffffffffffffffaa, 0, buf)
    TEST_ST_OP(17, lh, sh, 0xffffffffffffaa00, 2, buf)
    TEST_ST_OP(18, lw, sw, 0xffffffffaabbccdd, 4, buf)
    TEST_ST_OP(19, ld, sd, 0x0123456789abcdef, 8, buf)
    TEST_ST_OP(20, ld, sd, 0xfedcba9876543210, 17, buf) /* misaligned */
    TEST_ST_OP(21, lw, sw, 0x12345678, 33, buf)
    TEST_ST_OP(22, lh, sh, 0x1234, 39, buf)
    /* a store only touches its bytes */
    TEST_CASE(23, a0, 0x00000000ff000000, la a1, buf + 64; sd x0, 0(a1); li a2, -1; sb a2, 3(a1);
              ld a0, 0(a1))
    TEST_CASE(24, a0, 0, la a1, data; lw x0, 0(a1); mv a0, x0)
    TEST_CASE(25, a0, 0x7f, la a1, buf + 100; li a2, 0x7f; sb a2, -1(a1); lbu a0, -1(a1))
    j pass
RVTEST_END
    .align 4
data:
    .dword 0x7766554433a29180 ^ 0x0000000080000000
    .dword 0x8877665544332211 + 0x11
buf:
    .fill 128, 1, 0
