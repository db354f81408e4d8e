/* test_dynlib.c - the loader of optional host libraries: a library and its symbols are found,
 * and a missing library, a missing symbol or an environment override each give the message
 * the user sees. The C library itself serves as the library, so no extra package is needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/dynlib.h"

typedef size_t (*strlen_fn)(const char *);
typedef int (*abs_fn)(int);

static void loads_symbols(void **state) {
    (void)state;
    strlen_fn my_strlen = NULL;
    abs_fn my_abs = NULL;
    const vm_dynsym_t syms[] = {{"strlen", &my_strlen}, {"abs", &my_abs}};
    char err[256] = "";
    assert_true(vm_dynlib_load("libc", NULL, "libc.so.6", syms, 2, err, sizeof(err)));
    assert_non_null(my_strlen);
    assert_int_equal(my_strlen("four"), 4);
    assert_int_equal(my_abs(-7), 7);
}

static void missing_library(void **state) {
    (void)state;
    strlen_fn f = NULL;
    const vm_dynsym_t syms[] = {{"strlen", &f}};
    char err[256] = "";
    assert_false(vm_dynlib_load("libnothing", NULL, "/nonexistent/libnothing.so.0", syms, 1, err,
                                sizeof(err)));
    assert_non_null(strstr(err, "cannot load libnothing ("));
    assert_non_null(strstr(err, "/nonexistent/libnothing.so.0"));
    assert_null(f);
}

static void missing_symbol(void **state) {
    (void)state;
    strlen_fn f = NULL, g = NULL;
    const vm_dynsym_t syms[] = {{"strlen", &f}, {"vm_no_such_function_anywhere", &g}};
    char err[256] = "";
    assert_false(vm_dynlib_load("libc", NULL, "libc.so.6", syms, 2, err, sizeof(err)));
    assert_string_equal(err, "libc.so.6 lacks the libc function vm_no_such_function_anywhere");
    assert_null(g);
}

static void environment_overrides(void **state) {
    (void)state;
    strlen_fn f = NULL;
    const vm_dynsym_t syms[] = {{"strlen", &f}};
    char err[256] = "";
    setenv("VM_TEST_DYNLIB", "/nonexistent/override.so", 1);
    assert_false(vm_dynlib_load("libc", "VM_TEST_DYNLIB", "libc.so.6", syms, 1, err, sizeof(err)));
    assert_non_null(strstr(err, "/nonexistent/override.so"));
    setenv("VM_TEST_DYNLIB", "", 1); /* empty: the soname again */
    assert_true(vm_dynlib_load("libc", "VM_TEST_DYNLIB", "libc.so.6", syms, 1, err, sizeof(err)));
    assert_non_null(f);
    unsetenv("VM_TEST_DYNLIB");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loads_symbols),
        cmocka_unit_test(missing_library),
        cmocka_unit_test(missing_symbol),
        cmocka_unit_test(environment_overrides),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
