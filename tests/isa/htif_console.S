/* htif_console.S - HTIF console output: device 1, command 1 prints the low byte of tohost;
 * the host acknowledges in fromhost and clears tohost. Prints "htif: hello" then passes. */
#include "test.h"
RVTEST_BEGIN
    la s0, message
    la s1, tohost
    la s2, fromhost
    li s3, (1 << 56) | (1 << 48)
1:  lbu a0, 0(s0)
    beqz a0, 2f
    sd x0, 0(s2)
    or a1, a0, s3
    sd a1, 0(s1)
    TEST_CASE(2, a2, 0, ld a2, 0(s1)) /* tohost was cleared */
    TEST_CASE(3, a2, (1 << 56) | (1 << 48), ld a2, 0(s2)) /* and acknowledged */
    addi s0, s0, 1
    j 1b
2:  j pass
RVTEST_END
message:
    .string "htif: hello\n"
