/* cmocka.h - a minimal stand-in for the cmocka API subset the unit tests use, for
 * cross-built test programs (e.g. AArch64 under qemu-user) where no cmocka library for the
 * target exists. Same macro names and semantics: a failed assertion prints where and why and
 * ends the current test, the runner reports each test and exits non-zero if any failed.
 * A crash (e.g. a guard-page fault) names the test that was running. */
#pragma once

#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One test: its name and body. */
struct CMUnitTest {
    const char *name;                /* printed in the report */
    void (*test_func)(void **state); /* the test body */
};

typedef int (*cm_group_fn)(void **state);

static jmp_buf cm_jump;        /* where a failed assertion returns to */
static const char *cm_current; /* the test running, for crash reports */

static void cm_crash(int sig) {
    char msg[256];
    int len = snprintf(msg, sizeof msg, "[  CRASH   ] %s: signal %d (out-of-bounds access?)\n",
                       cm_current ? cm_current : "?", sig);
    if (write(2, msg, (size_t)len) < 0) _exit(2);
    _exit(1);
}

static void cm_fail(const char *file, int line, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "[  ERROR   ] %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    longjmp(cm_jump, 1);
}

#define cmocka_unit_test(f)                                                                        \
    { #f, f }
#define print_message(...) printf(__VA_ARGS__)
#define fail_msg(...)      cm_fail(__FILE__, __LINE__, __VA_ARGS__)
#define fail()             cm_fail(__FILE__, __LINE__, "failure")
#define assert_true(c)                                                                             \
    do {                                                                                           \
        if (!(c)) cm_fail(__FILE__, __LINE__, "%s is false", #c);                                  \
    } while (0)
#define assert_false(c)                                                                            \
    do {                                                                                           \
        if (c) cm_fail(__FILE__, __LINE__, "%s is true", #c);                                      \
    } while (0)
#define assert_int_equal(a, b)                                                                     \
    do {                                                                                           \
        intmax_t cm_a = (intmax_t)(a), cm_b = (intmax_t)(b);                                       \
        if (cm_a != cm_b) cm_fail(__FILE__, __LINE__, "%s == %s: %jd != %jd", #a, #b, cm_a, cm_b); \
    } while (0)
#define assert_ptr_equal(a, b) assert_true((const void *)(a) == (const void *)(b))
#define assert_non_null(p)     assert_true((p) != NULL)
#define assert_null(p)         assert_true((p) == NULL)
#define assert_string_equal(a, b)                                                                  \
    do {                                                                                           \
        if (strcmp((a), (b))) cm_fail(__FILE__, __LINE__, "\"%s\" != \"%s\"", (a), (b));           \
    } while (0)

#define cmocka_run_group_tests(tests, setup, teardown)                                             \
    cm_run(tests, sizeof(tests) / sizeof((tests)[0]), setup, teardown)

static int cm_run(const struct CMUnitTest *tests, size_t n, cm_group_fn setup,
                  cm_group_fn teardown) {
    void *state = NULL;
    volatile size_t failed = 0; /* kept across longjmp */
    signal(SIGSEGV, cm_crash);
    signal(SIGBUS, cm_crash);
    if (setup && setup(&state)) {
        fprintf(stderr, "[  ERROR   ] group setup failed\n");
        return 1;
    }
    printf("[==========] Running %zu test(s).\n", n);
    for (size_t i = 0; i < n; i++) {
        cm_current = tests[i].name;
        printf("[ RUN      ] %s\n", tests[i].name);
        fflush(stdout);
        if (setjmp(cm_jump) == 0) {
            tests[i].test_func(&state);
            printf("[       OK ] %s\n", tests[i].name);
        } else {
            printf("[  FAILED  ] %s\n", tests[i].name);
            failed++;
        }
        fflush(stdout);
    }
    if (teardown) teardown(&state);
    printf("[==========] %zu test(s) run.\n", n);
    printf("%zu passed, %zu failed\n", n - failed, failed);
    return failed ? 1 : 0;
}
