/* test_pool.c - the fixed-size object pool: argument checks, alignment, reuse of freed
 * objects, growth across slabs, zeroing, statistics and reset. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vm/pool.h"

static vm_pool_t *new_pool(size_t size, size_t align, unsigned flags) {
    vm_pool_t *p = NULL;
    assert_int_equal(vm_pool_create(&p, size, align, flags), 0);
    assert_non_null(p);
    return p;
}

static void bad_arguments(void **state) {
    (void)state;
    vm_pool_t *p = (vm_pool_t *)1;
    assert_int_equal(vm_pool_create(&p, 0, 16, 0), -EINVAL);
    assert_null(p);
    assert_int_equal(vm_pool_create(&p, VM_POOL_MAX_OBJ + 1, 16, 0), -EINVAL);
    assert_int_equal(vm_pool_create(&p, 64, 24, 0), -EINVAL);
    assert_int_equal(vm_pool_create(&p, 64, 2 * VM_POOL_MAX_ALIGN, 0), -EINVAL);
    assert_int_equal(vm_pool_create(&p, 64, 16, 0x80), -EINVAL);
    assert_int_equal(vm_pool_create(NULL, 64, 16, 0), -EINVAL);
    vm_pool_destroy(NULL);
}

static void alignment(void **state) {
    (void)state;
    const size_t aligns[] = {0, 1, 8, 16, 32, 64, 256, 4096};
    const size_t sizes[] = {1, 7, 24, 100, 4096, 5000};
    for (size_t a = 0; a < sizeof aligns / sizeof aligns[0]; a++) {
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            vm_pool_t *p = new_pool(sizes[s], aligns[a], 0);
            size_t want = aligns[a] < VM_POOL_MIN_ALIGN ? VM_POOL_MIN_ALIGN : aligns[a];
            vm_pool_stats_t st = vm_pool_stats(p);
            assert_int_equal(st.align, want);
            assert_true(st.stride >= sizes[s] && st.stride % want == 0);
            for (int i = 0; i < 40; i++) {
                uint8_t *o = vm_pool_alloc(p);
                assert_non_null(o);
                assert_int_equal((uintptr_t)o % want, 0);
                memset(o, 0xcc, sizes[s]); /* the whole object is usable */
            }
            vm_pool_destroy(p);
        }
    }
}

static void free_and_reuse(void **state) {
    (void)state;
    vm_pool_t *p = new_pool(48, 16, 0);
    void *a = vm_pool_alloc(p), *b = vm_pool_alloc(p), *c = vm_pool_alloc(p);
    assert_true(a != b && b != c && a != c);
    assert_int_equal(vm_pool_stats(p).in_use, 3);
    vm_pool_free(p, b);
    vm_pool_free(p, a);
    assert_int_equal(vm_pool_stats(p).in_use, 1);
    /* most recently freed first */
    assert_ptr_equal(vm_pool_alloc(p), a);
    assert_ptr_equal(vm_pool_alloc(p), b);
    void *d = vm_pool_alloc(p);
    assert_true(d != a && d != b && d != c);
    vm_pool_free(p, NULL); /* ignored */
    assert_int_equal(vm_pool_stats(p).in_use, 4);
    assert_int_equal(vm_pool_stats(p).peak, 4);
    assert_true(vm_pool_owns(p, a));
    assert_false(vm_pool_owns(p, (uint8_t *)a + 1));
    int local;
    assert_false(vm_pool_owns(p, &local));
    vm_pool_destroy(p);
}

/* Thousands of objects over many slabs: all distinct, none overlapping, contents kept. */
static void many_objects(void **state) {
    (void)state;
    enum { N = 20000, SIZE = 40 };
    vm_pool_t *p = new_pool(SIZE, 0, 0);
    uint8_t **objs = calloc(N, sizeof *objs);
    assert_non_null(objs);
    for (int i = 0; i < N; i++) {
        objs[i] = vm_pool_alloc(p);
        assert_non_null(objs[i]);
        memset(objs[i], (uint8_t)i, SIZE);
    }
    vm_pool_stats_t st = vm_pool_stats(p);
    assert_int_equal(st.in_use, N);
    assert_true(st.slabs > 1);
    assert_true(st.capacity >= N);
    assert_true(st.capacity - N < st.capacity / st.slabs); /* at most one slab unused */
    for (int i = 0; i < N; i++) {
        for (int k = 0; k < SIZE; k++)
            assert_int_equal(objs[i][k], (uint8_t)i);
        assert_true(vm_pool_owns(p, objs[i]));
    }
    /* free every other one; they come back before any new slot is cut */
    for (int i = 0; i < N; i += 2)
        vm_pool_free(p, objs[i]);
    assert_int_equal(vm_pool_stats(p).in_use, N / 2);
    for (int i = N - 2; i >= 0; i -= 2) /* most recently freed first */
        assert_ptr_equal(vm_pool_alloc(p), objs[i]);
    assert_int_equal(vm_pool_stats(p).slabs, st.slabs);
    assert_int_equal(vm_pool_stats(p).in_use, N);
    free(objs);
    vm_pool_destroy(p);
}

static void zeroing(void **state) {
    (void)state;
    vm_pool_t *p = new_pool(100, 32, VM_POOL_ZERO);
    uint8_t *o = vm_pool_alloc(p);
    memset(o, 0xff, 100);
    vm_pool_free(p, o);
    uint8_t *again = vm_pool_alloc(p);
    assert_ptr_equal(again, o);
    for (int i = 0; i < 100; i++)
        assert_int_equal(again[i], 0);
    vm_pool_destroy(p);

    p = new_pool(100, 32, 0); /* without the flag the old content may remain */
    o = vm_pool_alloc(p);
    memset(o, 0xff, 100);
    vm_pool_free(p, o);
    again = vm_pool_alloc(p);
    assert_int_equal(again[50], 0xff);
    vm_pool_destroy(p);
}

static void reset_keeps_slabs(void **state) {
    (void)state;
    vm_pool_t *p = new_pool(1000, 64, VM_POOL_ZERO);
    void *first = vm_pool_alloc(p);
    for (int i = 0; i < 500; i++)
        assert_non_null(vm_pool_alloc(p));
    vm_pool_stats_t before = vm_pool_stats(p);
    assert_int_equal(before.in_use, 501);
    assert_true(before.slabs >= 2);
    vm_pool_reset(p);
    vm_pool_stats_t after = vm_pool_stats(p);
    assert_int_equal(after.in_use, 0);
    assert_int_equal(after.peak, 0);
    assert_int_equal(after.slabs, before.slabs);
    assert_int_equal(after.capacity, before.capacity);
    /* allocation restarts at the first slot of the first slab, zeroed again */
    uint8_t *o = vm_pool_alloc(p);
    assert_ptr_equal(o, first);
    assert_int_equal(o[999], 0);
    for (int i = 0; i < 500; i++)
        assert_non_null(vm_pool_alloc(p));
    assert_int_equal(vm_pool_stats(p).slabs, before.slabs); /* no new mapping needed */
    vm_pool_destroy(p);
}

static void large_objects(void **state) {
    (void)state;
    vm_pool_t *p = new_pool(3 * 1024 * 1024, 4096, 0);
    vm_pool_stats_t st = vm_pool_stats(p);
    assert_true(st.slab_bytes >= st.stride);
    uint8_t *a = vm_pool_alloc(p), *b = vm_pool_alloc(p);
    assert_non_null(a);
    assert_non_null(b);
    assert_true(a + 3 * 1024 * 1024 <= b || b + 3 * 1024 * 1024 <= a);
    a[3 * 1024 * 1024 - 1] = 1;
    b[0] = 2;
    assert_int_equal(a[3 * 1024 * 1024 - 1], 1);
    vm_pool_destroy(p);
}

/* Whether this build runs under AddressSanitizer (the pool poisons free slots only then). */
#ifdef VM_SANITIZED
static const bool sanitized = true;
#else
static const bool sanitized = false;
#endif

/* Ways for a child to use a pool. */
enum misuse { CLEAN, USE_AFTER_FREE, OVERFLOW, DOUBLE_FREE };

/* Run one use of a pool in a child with stderr silenced; true when the child failed. */
static bool child_fails(enum misuse how) {
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) dup2(null, 2);
        vm_pool_t *p = NULL;
        if (vm_pool_create(&p, 40, 16, 0) != 0) _exit(3);
        uint8_t *a = vm_pool_alloc(p);
        uint8_t *b = vm_pool_alloc(p);
        memset(a, 1, 40);
        memset(b, 2, 40);
        vm_pool_free(p, a);
        switch (how) {
        case CLEAN: break;
        case USE_AFTER_FREE: memset(a + 20, 3, 1); break;
        case OVERFLOW: memset(b + 40, 4, 1); break; /* padding up to the 48-byte stride */
        case DOUBLE_FREE: vm_pool_free(p, a); break;
        }
        vm_pool_free(p, b);
        vm_pool_destroy(p);
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* In sanitizer builds, misuse of pool objects is reported like misuse of malloc'd memory. */
static void sanitizer_sees_misuse(void **state) {
    (void)state;
    assert_false(child_fails(CLEAN));
    if (!sanitized) {
        print_message("skipped: free pool slots are poisoned only in the ASan build\n");
        skip();
    }
    assert_true(child_fails(USE_AFTER_FREE));
    assert_true(child_fails(OVERFLOW));
    assert_true(child_fails(DOUBLE_FREE));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_arguments),  cmocka_unit_test(alignment),
        cmocka_unit_test(free_and_reuse), cmocka_unit_test(many_objects),
        cmocka_unit_test(zeroing),        cmocka_unit_test(reset_keeps_slabs),
        cmocka_unit_test(large_objects),  cmocka_unit_test(sanitizer_sees_misuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
