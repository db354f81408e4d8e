/* test_linux_systable.c - the system call table generated from syscalls.def agrees with the
 * list: every listed number is found with its name, formats, handler and flags, numbers and
 * names are unique, nothing else is in the table, format strings use known letters, and a
 * call known by name only answers -ENOSYS: silently by default, named once per number on
 * stderr with --log=unimp. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "linux/abi.h"
#include "linux/proc.h"
#include "linux/systable.h"

/* One line of syscalls.def, as written there. */
typedef struct listed {
    uint64_t nr;           /* guest number */
    const char *name;      /* name */
    const char *args;      /* argument formats */
    linux_sys_fn *handler; /* handler, NULL for LINUX_SYSCALL_NI */
    unsigned flags;        /* LINUX_SC_* */
} listed_t;

static const listed_t list[] = {
#define LINUX_SYSCALL(nr, name, args, handler, flags) {nr, #name, args, handler, flags},
#define LINUX_SYSCALL_NI(nr, name, args)              {nr, #name, args, NULL, 0},
#include "linux/syscalls.def"
};
#define LIST_LEN (sizeof(list) / sizeof(list[0]))

static void every_listed_call_is_in_the_table(void **state) {
    (void)state;
    for (size_t i = 0; i < LIST_LEN; i++) {
        const linux_systable_entry_t *e = linux_systable_find(list[i].nr);
        assert_non_null(e);
        assert_string_equal(e->name, list[i].name);
        assert_string_equal(e->args, list[i].args);
        assert_ptr_equal(e->handler, list[i].handler);
        assert_int_equal(e->flags, list[i].flags);
    }
}

static void numbers_and_names_are_unique(void **state) {
    (void)state;
    for (size_t i = 0; i < LIST_LEN; i++)
        for (size_t j = i + 1; j < LIST_LEN; j++) {
            assert_int_not_equal(list[i].nr, list[j].nr);
            assert_string_not_equal(list[i].name, list[j].name);
        }
}

static void nothing_else_is_in_the_table(void **state) {
    (void)state;
    size_t found = 0;
    for (uint64_t nr = 0; nr < 4096; nr++)
        if (linux_systable_find(nr)) found++;
    assert_int_equal(found, LIST_LEN);
    assert_null(linux_systable_find(UINT64_MAX));
    assert_null(linux_systable_find(4000));
}

static void entries_are_well_formed(void **state) {
    (void)state;
    size_t handled = 0;
    for (size_t i = 0; i < LIST_LEN; i++) {
        assert_true(list[i].nr < 512); /* the range of the once-per-number warning */
        assert_true(strlen(list[i].args) <= 6);
        assert_int_equal(strspn(list[i].args, "duxsfopmg"), strlen(list[i].args));
        assert_int_equal(list[i].flags & ~LINUX_SC_NORETURN, 0);
        if (list[i].handler) handled++;
    }
    assert_true(handled > 0 && handled < LIST_LEN);
    /* a few numbers of the asm-generic ABI, spelled out */
    assert_int_equal(LINUX_NR_read, 63);
    assert_int_equal(LINUX_NR_openat, 56);
    assert_int_equal(LINUX_NR_exit_group, 94);
    assert_int_equal(LINUX_NR_clone3, 435);
    assert_int_equal(linux_systable_find(LINUX_NR_execve)->flags, LINUX_SC_NORETURN);
    assert_int_equal(linux_systable_find(LINUX_NR_write)->flags, 0);
}

/* Run every named-but-unimplemented call twice with stderr caught; returns what was printed
 * (static buffer). */
static const char *unimplemented_calls_output(linux_proc_t *proc) {
    static char out[8192];
    linux_thread_t thr = {.proc = proc};
    const uint64_t a[6] = {0};
    fflush(stderr);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    int saved = dup(2);
    assert_true(saved >= 0);
    assert_int_equal(dup2(fileno(tmp), 2), 2);
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < LIST_LEN; i++)
            if (!list[i].handler)
                assert_int_equal(linux_syscall(&thr, list[i].nr, a), -LINUX_ENOSYS);
    assert_int_equal(linux_syscall(&thr, 4000, a), -LINUX_ENOSYS);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    size_t n = fread(out, 1, sizeof(out) - 1, tmp);
    out[n] = 0;
    fclose(tmp);
    return out;
}

static void named_but_unimplemented_calls_are_silent(void **state) {
    (void)state;
    static linux_proc_t proc;
    assert_string_equal(unimplemented_calls_output(&proc), "");
}

static void log_unimp_names_each_call_once(void **state) {
    (void)state;
    static linux_proc_t proc;
    proc.opt.log_unimp = true;
    const char *out = unimplemented_calls_output(&proc);
    for (size_t i = 0; i < LIST_LEN; i++) {
        if (list[i].handler) continue;
        uint64_t nr = list[i].nr;
        assert_true(proc.warned[nr / 64] & (1ull << (nr % 64)));
        char needle[96];
        snprintf(needle, sizeof(needle), "system call %llu (%s)", (unsigned long long)nr,
                 list[i].name);
        const char *first = strstr(out, needle);
        assert_non_null(first);
        assert_null(strstr(first + 1, needle)); /* once, though called twice */
    }
    assert_non_null(strstr(out, "system call 4000,"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_listed_call_is_in_the_table),
        cmocka_unit_test(numbers_and_names_are_unique),
        cmocka_unit_test(nothing_else_is_in_the_table),
        cmocka_unit_test(entries_are_well_formed),
        cmocka_unit_test(named_but_unimplemented_calls_are_silent),
        cmocka_unit_test(log_unimp_names_each_call_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
