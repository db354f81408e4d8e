/* test_linux_space.c - the user-mode guest address space: reservation, allocator, mmap,
 * munmap, mprotect, mremap and brk, checked both in the VMA list and in host memory, and the
 * committed-memory count behind --memory-limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "linux/abi.h"
#include "linux/space.h"

#define PG   LINUX_PAGE_SIZE
#define RW   (LINUX_PROT_READ | LINUX_PROT_WRITE)
#define ANON (LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS)

static int setup(void **state) {
    static linux_space_t sp;
    if (linux_space_init(&sp, LINUX_TASK_SIZE) != 0) return -1;
    *state = &sp;
    return 0;
}

static int teardown(void **state) {
    linux_space_destroy(*state);
    return 0;
}

static void mmap_topdown_and_data(void **state) {
    linux_space_t *sp = *state;
    int64_t a = linux_space_mmap(sp, 0, 3 * PG, RW, ANON, -1, 0);
    assert_true(a > 0);
    assert_int_equal(a % PG, 0);
    assert_true((uint64_t)a + 3 * PG <= sp->mmap_top);
    int64_t b = linux_space_mmap(sp, 0, PG, RW, ANON, -1, 0);
    assert_int_equal(b, a - (int64_t)PG); /* next one just below */
    uint8_t *p = linux_space_ptr(sp, (uint64_t)a);
    assert_int_equal(p[0], 0);
    memset(p, 0xab, 3 * PG);
    assert_true(linux_space_check(sp, (uint64_t)a, 3 * PG, RW));
    assert_true(linux_space_check(sp, (uint64_t)b, 4 * PG, RW)); /* merged neighbours */
    assert_false(linux_space_check(sp, (uint64_t)a, 4 * PG, RW));
    assert_int_equal(linux_space_munmap(sp, (uint64_t)a, 3 * PG), 0);
    assert_int_equal(linux_space_munmap(sp, (uint64_t)b, PG), 0);
    assert_int_equal(linux_space_prot_at(sp, (uint64_t)a), -1);
}

static void munmap_splits(void **state) {
    linux_space_t *sp = *state;
    int64_t a = linux_space_mmap(sp, 0, 5 * PG, RW, ANON, -1, 0);
    assert_true(a > 0);
    uint64_t u = (uint64_t)a;
    memset(linux_space_ptr(sp, u), 7, 5 * PG);
    assert_int_equal(linux_space_munmap(sp, u + 2 * PG, PG), 0);
    assert_true(linux_space_check(sp, u, 2 * PG, RW));
    assert_false(linux_space_check(sp, u + 2 * PG, 1, LINUX_PROT_READ));
    assert_true(linux_space_check(sp, u + 3 * PG, 2 * PG, RW));
    /* the hole is reused by a fixed mapping, freshly zeroed */
    assert_int_equal(linux_space_mmap(sp, u + 2 * PG, PG, RW, ANON | LINUX_MAP_FIXED, -1, 0),
                     (int64_t)(u + 2 * PG));
    assert_int_equal(((uint8_t *)linux_space_ptr(sp, u + 2 * PG))[5], 0);
    assert_int_equal(((uint8_t *)linux_space_ptr(sp, u + PG))[5], 7);
    /* FIXED_NOREPLACE refuses an occupied range */
    assert_int_equal(linux_space_mmap(sp, u, PG, RW, ANON | LINUX_MAP_FIXED_NOREPLACE, -1, 0),
                     -LINUX_EEXIST);
    assert_int_equal(linux_space_munmap(sp, u, 5 * PG), 0);
    assert_false(linux_space_check(sp, u, PG, 0));
}

static void mprotect_splits_and_classifies(void **state) {
    linux_space_t *sp = *state;
    int64_t a = linux_space_mmap(sp, 0, 4 * PG, RW, ANON, -1, 0);
    uint64_t u = (uint64_t)a;
    assert_int_equal(linux_space_mprotect(sp, u + PG, PG, LINUX_PROT_READ), 0);
    assert_int_equal(linux_space_prot_at(sp, u + PG), LINUX_PROT_READ);
    assert_int_equal(linux_space_prot_at(sp, u), RW);
    assert_false(linux_space_check(sp, u, 4 * PG, LINUX_PROT_WRITE));
    assert_true(linux_space_check(sp, u, 4 * PG, LINUX_PROT_READ));
    /* partly unmapped range: ENOMEM */
    assert_int_equal(linux_space_mprotect(sp, u + 3 * PG, 2 * PG, RW), -LINUX_ENOMEM);
    assert_int_equal(linux_space_mprotect(sp, u + 1, PG, RW), -LINUX_EINVAL);
    assert_int_equal(linux_space_munmap(sp, u, 4 * PG), 0);
}

static void mremap_grows_and_moves(void **state) {
    linux_space_t *sp = *state;
    int64_t a = linux_space_mmap(sp, 0, 2 * PG, RW, ANON, -1, 0);
    uint64_t u = (uint64_t)a;
    memset(linux_space_ptr(sp, u), 0x5a, 2 * PG);
    /* something right after it forces a move */
    assert_int_equal(linux_space_mmap(sp, u + 2 * PG, PG, RW, ANON | LINUX_MAP_FIXED, -1, 0),
                     (int64_t)(u + 2 * PG));
    assert_int_equal(linux_space_mremap(sp, u, 2 * PG, 8 * PG, 0, 0), -LINUX_ENOMEM);
    int64_t n = linux_space_mremap(sp, u, 2 * PG, 8 * PG, LINUX_MREMAP_MAYMOVE, 0);
    assert_true(n > 0 && (uint64_t)n != u);
    uint8_t *p = linux_space_ptr(sp, (uint64_t)n);
    assert_int_equal(p[0], 0x5a);
    assert_int_equal(p[2 * PG - 1], 0x5a);
    assert_int_equal(p[2 * PG], 0);
    assert_true(linux_space_check(sp, (uint64_t)n, 8 * PG, RW));
    assert_false(linux_space_check(sp, u, PG, 0));
    /* shrink in place */
    assert_int_equal(linux_space_mremap(sp, (uint64_t)n, 8 * PG, PG, 0, 0), n);
    assert_false(linux_space_check(sp, (uint64_t)n + PG, 1, 0));
    assert_int_equal(linux_space_munmap(sp, (uint64_t)n, PG), 0);
    assert_int_equal(linux_space_munmap(sp, u + 2 * PG, PG), 0);
}

static void brk_grows_and_shrinks(void **state) {
    linux_space_t *sp = *state;
    linux_space_set_brk(sp, 0x12345);
    assert_int_equal(linux_space_brk(sp, 0), 0x13000);
    assert_int_equal(linux_space_brk(sp, 0x13000 + 10000), 0x13000 + 10000);
    uint8_t *p = linux_space_ptr(sp, 0x13000);
    p[9999] = 1;
    assert_true(linux_space_check(sp, 0x13000, 10000, RW));
    assert_int_equal(linux_space_brk(sp, 0x13000 + 100), 0x13000 + 100);
    assert_false(linux_space_check(sp, 0x14000, 1, 0));
    /* below the start: refused, the break stays */
    assert_int_equal(linux_space_brk(sp, 0x1000), 0x13000 + 100);
    /* a mapping in the way stops growth */
    assert_int_equal(linux_space_mmap(sp, 0x20000, PG, RW, ANON | LINUX_MAP_FIXED, -1, 0), 0x20000);
    assert_int_equal(linux_space_brk(sp, 0x30000), 0x13000 + 100);
    assert_int_equal(linux_space_munmap(sp, 0x20000, PG), 0);
    assert_int_equal(linux_space_brk(sp, 0x13000), 0x13000);
}

static void bad_arguments(void **state) {
    linux_space_t *sp = *state;
    assert_int_equal(linux_space_mmap(sp, 0, 0, RW, ANON, -1, 0), -LINUX_EINVAL);
    assert_int_equal(linux_space_mmap(sp, 0, PG, RW, LINUX_MAP_ANONYMOUS, -1, 0), -LINUX_EINVAL);
    assert_int_equal(linux_space_mmap(sp, 0, 1ull << 40, RW, ANON, -1, 0), -LINUX_ENOMEM);
    assert_int_equal(
        linux_space_mmap(sp, LINUX_TASK_SIZE - PG, 2 * PG, RW, ANON | LINUX_MAP_FIXED, -1, 0),
        -LINUX_ENOMEM);
    assert_int_equal(linux_space_mmap(sp, 123, PG, RW, ANON | LINUX_MAP_FIXED, -1, 0),
                     -LINUX_EINVAL);
    assert_int_equal(linux_space_munmap(sp, 1, PG), -LINUX_EINVAL);
    assert_false(linux_space_check(sp, LINUX_TASK_SIZE - 1, 2, 0));
    assert_false(linux_space_check(sp, UINT64_MAX, 2, 0));
}

static void allocator_fills_gaps(void **state) {
    linux_space_t *sp = *state;
    uint64_t top = sp->mmap_top;
    /* occupy [top-8, top) then free [top-6, top-4): a 2-page request lands in the hole */
    assert_int_equal(linux_space_mmap(sp, top - 8 * PG, 8 * PG, RW, ANON | LINUX_MAP_FIXED, -1, 0),
                     (int64_t)(top - 8 * PG));
    assert_int_equal(linux_space_munmap(sp, top - 6 * PG, 2 * PG), 0);
    assert_int_equal(linux_space_find_free(sp, 2 * PG), top - 6 * PG);
    assert_int_equal(linux_space_find_free(sp, 3 * PG), top - 11 * PG);
    assert_int_equal(linux_space_munmap(sp, top - 8 * PG, 8 * PG), 0);
}

/* Committed memory: what is charged, when, and that nothing passes the limit. Runs on a space
 * of its own, so that the count starts at zero. */
static void commit_accounting(void **state) {
    (void)state;
    linux_space_t s, *sp = &s;
    assert_int_equal(linux_space_init(sp, 1ull << 32), 0);
    sp->commit_limit = 64 * PG;
    /* private writable: charged; read-only and PROT_NONE: not; MAP_NORESERVE: charged */
    int64_t a = linux_space_mmap(sp, 0, 16 * PG, RW, ANON, -1, 0);
    assert_true(a > 0);
    assert_int_equal(sp->committed, 16 * PG);
    int64_t r = linux_space_mmap(sp, 0, 1024 * PG, LINUX_PROT_READ, ANON, -1, 0);
    assert_true(r > 0);
    int64_t n = linux_space_mmap(sp, 0, 1024 * PG, 0, ANON, -1, 0);
    assert_true(n > 0);
    assert_int_equal(sp->committed, 16 * PG);
    assert_int_equal(linux_space_mmap(sp, 0, 64 * PG, RW, ANON | LINUX_MAP_NORESERVE, -1, 0),
                     -LINUX_ENOMEM);
    /* shared anonymous memory is charged whatever its protection */
    assert_int_equal(linux_space_mmap(sp, 0, 64 * PG, LINUX_PROT_READ,
                                      LINUX_MAP_SHARED | LINUX_MAP_ANONYMOUS, -1, 0),
                     -LINUX_ENOMEM);
    /* mprotect to writable charges, and the charge stays when write goes away */
    assert_int_equal(linux_space_mprotect(sp, (uint64_t)n, 64 * PG, RW), -LINUX_ENOMEM);
    assert_int_equal(linux_space_mprotect(sp, (uint64_t)n, 8 * PG, RW), 0);
    assert_int_equal(sp->committed, 24 * PG);
    assert_int_equal(linux_space_mprotect(sp, (uint64_t)n, 8 * PG, LINUX_PROT_READ), 0);
    assert_int_equal(linux_space_mprotect(sp, (uint64_t)n, 8 * PG, RW), 0);
    assert_int_equal(sp->committed, 24 * PG);
    /* munmap of part of a charged area releases that part */
    assert_int_equal(linux_space_munmap(sp, (uint64_t)n, 4 * PG), 0);
    assert_int_equal(sp->committed, 20 * PG);
    /* a fixed mapping over a charged range replaces its charge */
    assert_int_equal(
        linux_space_mmap(sp, (uint64_t)a, 16 * PG, LINUX_PROT_READ, ANON | LINUX_MAP_FIXED, -1, 0),
        a);
    assert_int_equal(sp->committed, 4 * PG);
    assert_int_equal(linux_space_mmap(sp, (uint64_t)a, 16 * PG, RW, ANON | LINUX_MAP_FIXED, -1, 0),
                     a);
    assert_int_equal(sp->committed, 20 * PG);
    /* mremap: growing is charged (in place or moved), shrinking releases */
    assert_int_equal(
        linux_space_mremap(sp, (uint64_t)a, 16 * PG, 128 * PG, LINUX_MREMAP_MAYMOVE, 0),
        -LINUX_ENOMEM);
    int64_t m = linux_space_mremap(sp, (uint64_t)a, 16 * PG, 32 * PG, LINUX_MREMAP_MAYMOVE, 0);
    assert_true(m > 0);
    assert_int_equal(sp->committed, 36 * PG);
    assert_int_equal(linux_space_mremap(sp, (uint64_t)m, 32 * PG, 8 * PG, 0, 0), m);
    assert_int_equal(sp->committed, 12 * PG);
    /* brk is charged as it grows and released as it shrinks */
    linux_space_set_brk(sp, 0x100000);
    assert_int_equal(linux_space_brk(sp, 0x100000 + 60 * PG), 0x100000); /* refused */
    assert_int_equal(linux_space_brk(sp, 0x100000 + 40 * PG), 0x100000 + 40 * PG);
    assert_int_equal(sp->committed, 52 * PG);
    assert_int_equal(linux_space_brk(sp, 0x100000 + 10 * PG), 0x100000 + 10 * PG);
    assert_int_equal(sp->committed, 22 * PG);
    /* everything unmapped: nothing committed */
    linux_space_brk(sp, 0x100000);
    assert_int_equal(linux_space_munmap(sp, (uint64_t)m, 8 * PG), 0);
    assert_int_equal(linux_space_munmap(sp, (uint64_t)n, 1024 * PG), 0);
    assert_int_equal(linux_space_munmap(sp, (uint64_t)r, 1024 * PG), 0);
    assert_int_equal(sp->committed, 0);
    linux_space_destroy(sp);
}

/* Without an address-space limit the guest gets the whole Sv39 user space. */
static void host_size_unlimited(void **state) {
    (void)state;
    struct rlimit rl;
    assert_int_equal(getrlimit(RLIMIT_AS, &rl), 0);
    if (rl.rlim_cur == RLIM_INFINITY) assert_int_equal(linux_space_host_size(), LINUX_TASK_SIZE);
    assert_true(linux_space_host_size() <= LINUX_TASK_SIZE);
    assert_int_equal(linux_space_host_size() % (1u << 20), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mmap_topdown_and_data),          cmocka_unit_test(munmap_splits),
        cmocka_unit_test(mprotect_splits_and_classifies), cmocka_unit_test(mremap_grows_and_moves),
        cmocka_unit_test(brk_grows_and_shrinks),          cmocka_unit_test(bad_arguments),
        cmocka_unit_test(allocator_fills_gaps),
    };
    const struct CMUnitTest alone[] = {
        cmocka_unit_test(commit_accounting),
        cmocka_unit_test(host_size_unlimited),
    };
    if (_cmocka_run_group_tests("own spaces", alone, 2, NULL, NULL)) return 1;
    return cmocka_run_group_tests(tests, setup, teardown);
}
