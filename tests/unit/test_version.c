/* test_version.c - the library reports the version the build was configured with. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vm/vm.h"

static void version_is_semver(void **state) {
    (void)state;
    const char *v = vm_version();
    assert_non_null(v);
    int dots = 0;
    for (const char *p = v; *p; p++) {
        if (*p == '.')
            dots++;
        else
            assert_true(*p >= '0' && *p <= '9');
    }
    assert_int_equal(dots, 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(version_is_semver)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
