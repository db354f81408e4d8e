/* neg_fail3.S - negative test: test 2 passes, test 3 deliberately fails. vm must exit 1 and
 * print "FAIL: test 3", otherwise the harness could pass vacuously. */
#include "test.h"
RVTEST_BEGIN
    TEST_RR_OP(2, add, 3, 1, 2)
    TEST_RR_OP(3, add, 4, 1, 2)
    j pass
RVTEST_END
