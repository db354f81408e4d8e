/* rv64i_branch.S - RV64I branches (taken and not, signed/unsigned), jal, jalr (link value,
 * bit 0 of the target cleared, rd == rs1), fence as a no-op. */
#include "test.h"
RVTEST_BEGIN
    TEST_BR_TAKEN(2, beq, 5, 5)
    TEST_BR_NOT_TAKEN(3, beq, 5, 6)
    TEST_BR_TAKEN(4, bne, 0, 1)
    TEST_BR_NOT_TAKEN(5, bne, -1, -1)
    TEST_BR_TAKEN(6, blt, -1, 0)
    TEST_BR_NOT_TAKEN(7, blt, 0, -1)
    TEST_BR_NOT_TAKEN(8, blt, 3, 3)
    TEST_BR_TAKEN(9, bge, 0, -1)
    TEST_BR_TAKEN(10, bge, 3, 3)
    TEST_BR_NOT_TAKEN(11, bge, -1, 0)
    TEST_BR_TAKEN(12, bltu, 0, -1)
    TEST_BR_NOT_TAKEN(13, bltu, -1, 0)
    TEST_BR_TAKEN(14, bgeu, -1, 0)
    TEST_BR_NOT_TAKEN(15, bgeu, 0, -1)
    TEST_BR_TAKEN(16, bgeu, 7, 7)
    /* backward branch loop: sum 1..10 */
    TEST_CASE(17, a0, 55, li a0, 0; li a1, 10; 3: add a0, a0, a1; addi a1, a1, -1; bnez a1, 3b)
    /* jal links pc + 4 */
    TEST_CASE(18, a0, 0, jal ra, 4f; 5: j fail; 4: la a1, 5b; sub a0, ra, a1)
    /* jalr: target with bit 0 set is rounded down; link = pc + 4 */
    TEST_CASE(19, a0, 0, la a1, 4f; addi a1, a1, 1; jalr ra, 0(a1); 5: j fail; 4: la a2, 5b;
              sub a0, ra, a2)
    /* jalr with rd == rs1 uses the old rs1 */
    TEST_CASE(20, a0, 0, la a1, 4f; jalr a1, 0(a1); 5: j fail; 4: la a2, 5b; sub a0, a1, a2)
    /* jalr with an offset */
    TEST_CASE(21, a0, 1, .option push; .option norvc; la a1, 4f; li a0, 0; jalr x0, -4(a1);
              j fail; li a0, 1; 4: .option pop)
    TEST_CASE(22, a0, 3, li a0, 3; fence; fence rw, rw; fence.tso)
    /* jal x0 (j) does not write x0 */
    TEST_CASE(23, a0, 0, j 4f; 4: mv a0, x0)
    j pass
RVTEST_END
