/* loop_trap.S - a program stuck in a trap loop (mtvec = 0, nothing mapped there): every
 * fetch faults and retires nothing. vm must still stop at --max-insns and say so (exit 3),
 * instead of spinning forever. */
#include "test.h"
RVTEST_BEGIN
    csrw mtvec, x0
    jr x0
RVTEST_END
