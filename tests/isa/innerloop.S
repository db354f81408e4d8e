/* innerloop.S - loops that are not one superblock from their head: the JIT must run them as
 * the interpreter does (every engine, lockstep) and, under the IR, as loops
 * (isa/innerloop/stats checks the ways counted between translations with --stats).
 *
 * 2: an inner loop whose head lies in the middle of the outer loop's first decoded block (no
 *    branch target starts a decoded block), so the translation of the outer loop holds the
 *    inner one's first iteration and leaves at the inner back edge;
 * 3-5: a loop whose body is an `if` with two sides: the taken side (a side exit of the
 *    loop's translation) one iteration in four, three in four, and every other one;
 * 6: a loop that calls a leaf function (its return goes back into the loop's body).
 * Expected values from the same arithmetic in a 64-bit model. */
#include "test.h"
RVTEST_BEGIN
    /* 2: nested loops, the inner head mid-block */
    TEST_NUM(2)
    li a0, 0
    li s1, 200
outer2:
    li s2, 30
    addi a0, a0, 7
inner2:
    slli t1, a0, 3
    xor a0, a0, t1
    srli t1, a0, 5
    add a0, a0, t1
    add a0, a0, s2
    addi s2, s2, -1
    bnez s2, inner2
    addi s1, s1, -1
    bnez s1, outer2
    CHECK(a0, 0xe27466a488c2ebc9)

    /* 3: two-sided if, taken side one in four */
    TEST_NUM(3)
    li a0, 0
    li s1, 3000
loop3:
    andi t0, s1, 3
    beqz t0, other3
    add a0, a0, s1
    xori a0, a0, 0x55
    j join3
other3:
    slli t1, a0, 1
    sub a0, t1, s1
    xori a0, a0, 0x333
join3:
    addi s1, s1, -1
    bnez s1, loop3
    CHECK(a0, 0xfdfa6a8f92f324f8)

    /* 4: the same, taken side three in four */
    TEST_NUM(4)
    li a0, 0
    li s1, 3000
loop4:
    andi t0, s1, 3
    bnez t0, other4
    add a0, a0, s1
    xori a0, a0, 0x55
    j join4
other4:
    slli t1, a0, 1
    sub a0, t1, s1
    xori a0, a0, 0x333
join4:
    addi s1, s1, -1
    bnez s1, loop4
    CHECK(a0, 0x61eee65835d8cc8a)

    /* 5: the same, the sides alternating */
    TEST_NUM(5)
    li a0, 0
    li s1, 3000
loop5:
    andi t0, s1, 1
    beqz t0, other5
    add a0, a0, s1
    xori a0, a0, 0x55
    j join5
other5:
    slli t1, a0, 1
    sub a0, t1, s1
    xori a0, a0, 0x333
join5:
    addi s1, s1, -1
    bnez s1, loop5
    CHECK(a0, 0x1676d7ad3662cc49)

    /* 6: a loop calling a leaf function */
    TEST_NUM(6)
    li a0, 0
    li s1, 3000
loop6:
    mv a1, s1
    jal ra, leaf6
    add a0, a0, a1
    slli t2, a0, 1
    srli t3, a0, 63
    or a0, t2, t3
    addi s1, s1, -1
    bnez s1, loop6
    CHECK(a0, 0x7b8897b55b3cb3bf)
    j pass

leaf6:
    slli a1, a1, 2
    xor a1, a1, s1
    addi a1, a1, 3
    ret
RVTEST_END
