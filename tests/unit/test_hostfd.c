/* test_hostfd.c - the registry of vm's own descriptors: registered numbers are found and
 * others are not, however many are registered (a signalfd of the guest holds one each), the
 * lowest one from a point is found across words, removal forgets, and numbers outside the
 * bitmap are refused rather than misread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/hostfd.h"

static void empty_registry(void **state) {
    (void)state;
    assert_false(vm_hostfd_any());
    assert_false(vm_hostfd_is_own(0));
    assert_false(vm_hostfd_is_own(-1));
    assert_int_equal(vm_hostfd_next(0), -1);
}

static void many_registered(void **state) {
    (void)state;
    /* more than the 32 slots of the old table: every third number from 3 to 1000 */
    for (int fd = 3; fd < 1000; fd += 3)
        assert_int_equal(vm_hostfd_add(fd), 0);
    assert_true(vm_hostfd_any());
    for (int fd = 0; fd < 1100; fd++)
        assert_int_equal(vm_hostfd_is_own(fd), fd >= 3 && fd < 1000 && fd % 3 == 0);
    assert_int_equal(vm_hostfd_next(0), 3);
    assert_int_equal(vm_hostfd_next(4), 6);
    assert_int_equal(vm_hostfd_next(64), 66); /* in the next word */
    assert_int_equal(vm_hostfd_next(999), 999);
    assert_int_equal(vm_hostfd_next(1000), -1);
    /* adding twice counts once: one removal forgets it */
    assert_int_equal(vm_hostfd_add(6), 0);
    vm_hostfd_remove(6);
    assert_false(vm_hostfd_is_own(6));
    assert_int_equal(vm_hostfd_next(4), 9);
    for (int fd = 3; fd < 1000; fd += 3)
        vm_hostfd_remove(fd);
    assert_false(vm_hostfd_any());
    assert_int_equal(vm_hostfd_next(0), -1);
}

static void out_of_range(void **state) {
    (void)state;
    assert_int_equal(vm_hostfd_add(-1), -1);
    assert_int_equal(vm_hostfd_add(VM_HOSTFD_LIMIT), -1);
    assert_false(vm_hostfd_any());
    assert_int_equal(vm_hostfd_add(VM_HOSTFD_LIMIT - 1), 0);
    assert_true(vm_hostfd_is_own(VM_HOSTFD_LIMIT - 1));
    assert_false(vm_hostfd_is_own(VM_HOSTFD_LIMIT));
    assert_int_equal(vm_hostfd_next(0), VM_HOSTFD_LIMIT - 1);
    assert_int_equal(vm_hostfd_next(VM_HOSTFD_LIMIT), -1);
    vm_hostfd_remove(VM_HOSTFD_LIMIT - 1);
    vm_hostfd_remove(VM_HOSTFD_LIMIT); /* nothing to forget */
    assert_false(vm_hostfd_any());
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_registry),
        cmocka_unit_test(many_registered),
        cmocka_unit_test(out_of_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
