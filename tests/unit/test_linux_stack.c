/* test_linux_stack.c - the initial process stack: argc/argv/envp/auxv layout, string
 * placement, alignment and the auxiliary vector entries glibc's start-up code reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "linux/abi.h"
#include "linux/loader.h"
#include "linux/space.h"

static linux_space_t sp;

static int setup(void **state) {
    (void)state;
    return linux_space_init(&sp, LINUX_TASK_SIZE);
}

static int teardown(void **state) {
    (void)state;
    linux_space_destroy(&sp);
    return 0;
}

static const char *gstr(uint64_t a) {
    return linux_space_ptr(&sp, a);
}
static uint64_t gword(uint64_t a) {
    uint64_t v;
    memcpy(&v, linux_space_ptr(&sp, a), 8);
    return v;
}

static uint64_t aux_get(uint64_t auxv, uint64_t key, int *found) {
    for (uint64_t p = auxv;; p += 16) {
        uint64_t k = gword(p);
        if (k == key) {
            *found = 1;
            return gword(p + 8);
        }
        if (k == LINUX_AT_NULL) break;
    }
    *found = 0;
    return 0;
}

static void layout_matches_linux(void **state) {
    (void)state;
    linux_image_t img = {
        .phdr = 0x10040, .phnum = 9, .prog_entry = 0x10550, .interp_base = 0x3ff7fd0000};
    char *argv[] = {"prog", "one", "", "three"};
    char *envp[] = {"A=1", "PATH=/bin", NULL};
    uint8_t rnd[16];
    for (int i = 0; i < 16; i++)
        rnd[i] = (uint8_t)(i * 7);
    linux_stack_args_t a = {.top = LINUX_STACK_TOP,
                            .argc = 4,
                            .argv = argv,
                            .envp = envp,
                            .execfn = "/bin/prog",
                            .random16 = rnd,
                            .hwcap = LINUX_HWCAP_RV64GC,
                            .uid = 1000,
                            .euid = 1001,
                            .gid = 1002,
                            .egid = 1003};
    char err[200] = "";
    uint64_t s = linux_build_stack(&sp, &img, &a, err, sizeof(err));
    assert_true(s != 0);
    assert_string_equal(err, "");
    assert_int_equal(s % 16, 0);
    assert_true(s < LINUX_STACK_TOP && s > LINUX_STACK_TOP - 4096);
    assert_int_equal(gword(s), 4);
    for (int i = 0; i < 4; i++)
        assert_string_equal(gstr(gword(s + 8 + 8 * (uint64_t)i)), argv[i]);
    assert_int_equal(gword(s + 8 * 5), 0);
    assert_string_equal(gstr(gword(s + 8 * 6)), "A=1");
    assert_string_equal(gstr(gword(s + 8 * 7)), "PATH=/bin");
    assert_int_equal(gword(s + 8 * 8), 0);
    uint64_t auxv = s + 8 * 9;
    int f;
    assert_int_equal(aux_get(auxv, LINUX_AT_PHDR, &f), 0x10040);
    assert_true(f);
    assert_int_equal(aux_get(auxv, LINUX_AT_PHENT, &f), 56);
    assert_int_equal(aux_get(auxv, LINUX_AT_PHNUM, &f), 9);
    assert_int_equal(aux_get(auxv, LINUX_AT_PAGESZ, &f), 4096);
    assert_int_equal(aux_get(auxv, LINUX_AT_BASE, &f), 0x3ff7fd0000);
    assert_int_equal(aux_get(auxv, LINUX_AT_ENTRY, &f), 0x10550);
    assert_int_equal(aux_get(auxv, LINUX_AT_UID, &f), 1000);
    assert_int_equal(aux_get(auxv, LINUX_AT_EUID, &f), 1001);
    assert_int_equal(aux_get(auxv, LINUX_AT_GID, &f), 1002);
    assert_int_equal(aux_get(auxv, LINUX_AT_EGID, &f), 1003);
    assert_int_equal(aux_get(auxv, LINUX_AT_SECURE, &f), 0);
    assert_true(f);
    assert_int_equal(aux_get(auxv, LINUX_AT_CLKTCK, &f), 100);
    assert_int_equal(aux_get(auxv, LINUX_AT_HWCAP, &f), LINUX_HWCAP_RV64GC);
    uint64_t r = aux_get(auxv, LINUX_AT_RANDOM, &f);
    assert_true(f);
    assert_memory_equal(linux_space_ptr(&sp, r), rnd, 16);
    uint64_t fn = aux_get(auxv, LINUX_AT_EXECFN, &f);
    assert_string_equal(gstr(fn), "/bin/prog");
    /* execfn is the highest string, right below the terminating NULL word */
    assert_int_equal(fn + strlen("/bin/prog") + 1, LINUX_STACK_TOP - 8);
    assert_int_equal(gword(LINUX_STACK_TOP - 8), 0);
    /* argument strings sit below the environment strings, contiguous */
    assert_true(gword(s + 8) < gword(s + 8 * 6));
    assert_int_equal(gword(s + 16), gword(s + 8) + 5);
    /* the random bytes are below the strings, the vectors below them */
    assert_true(r < gword(s + 8) && auxv < r);
    /* the stack is mapped read-write, 8 MiB */
    assert_true(linux_space_check(&sp, LINUX_STACK_TOP - LINUX_STACK_SIZE, LINUX_STACK_SIZE,
                                  LINUX_PROT_READ | LINUX_PROT_WRITE));
}

static void stack_never_replaces_a_mapping(void **state) {
    (void)state;
    /* the previous test left its stack mapped: a second one is refused, not mapped over it */
    linux_image_t img = {0};
    char *argv[] = {"p"};
    linux_stack_args_t a = {
        .top = LINUX_STACK_TOP, .argc = 1, .argv = argv, .envp = NULL, .execfn = "p"};
    char err[200] = "";
    assert_int_equal(linux_build_stack(&sp, &img, &a, err, sizeof(err)), 0);
    assert_non_null(strstr(err, "in use"));
    assert_int_equal(linux_space_munmap(&sp, LINUX_STACK_TOP - LINUX_STACK_SIZE, LINUX_STACK_SIZE),
                     0);
}

static void huge_arguments_are_refused(void **state) {
    (void)state;
    linux_image_t img = {0};
    static char big[1 << 20];
    memset(big, 'x', sizeof(big) - 1);
    char *argv[] = {big, big, big};
    linux_stack_args_t a = {
        .top = LINUX_STACK_TOP, .argc = 3, .argv = argv, .envp = NULL, .execfn = "p"};
    char err[200] = "";
    assert_int_equal(linux_build_stack(&sp, &img, &a, err, sizeof(err)), 0);
    assert_non_null(strstr(err, "too long"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(layout_matches_linux),
        cmocka_unit_test(stack_never_replaces_a_mapping),
        cmocka_unit_test(huge_arguments_are_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
