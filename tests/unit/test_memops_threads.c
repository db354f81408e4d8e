/* test_memops_threads.c - the dispatcher resolves exactly once and stays correct under
 * concurrency: several threads make their very first memops call at the same moment (this
 * program calls nothing from memops before), and later keep copying while another thread
 * switches implementations with vm_memops_select(). Every implementation is correct, so every
 * copy must be, whichever one a thread happens to run. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vm/memops.h"

enum { THREADS = 4, ROUNDS = 2000, LEN = 3000 };

static pthread_barrier_t start;
static atomic_bool stop;
static atomic_int failures;

static void *worker(void *arg) {
    unsigned seed = (unsigned)(uintptr_t)arg;
    unsigned char src[LEN], dst[LEN];
    for (size_t i = 0; i < LEN; i++)
        src[i] = (unsigned char)(i * 7 + seed);
    pthread_barrier_wait(&start);
    for (int r = 0; r < ROUNDS || !atomic_load(&stop); r++) {
        size_t n = (size_t)(r * 37 + seed) % LEN;
        vm_memset(dst, 0x5a, LEN);
        vm_memcpy(dst, src, n);
        if (vm_memcmp(dst, src, n) != 0 || memcmp(dst, src, n) != 0 || (n < LEN && dst[n] != 0x5a))
            atomic_fetch_add(&failures, 1);
        vm_memmove(dst + 1, dst, n ? n - 1 : 0);
        if (n > 1 && memcmp(dst + 1, src, n - 1) != 0) atomic_fetch_add(&failures, 1);
        if (r > 100 * ROUNDS) break; /* the switcher finished long ago */
    }
    return NULL;
}

static void *switcher(void *arg) {
    (void)arg;
    pthread_barrier_wait(&start);
    for (int r = 0; r < 500; r++)
        for (int i = VM_MEMOPS_AUTO; i < VM_MEMOPS_COUNT; i++) {
            int rc = vm_memops_select((vm_memops_impl_t)i);
            if (rc != 0 && rc != -ENOTSUP) atomic_fetch_add(&failures, 1);
        }
    atomic_store(&stop, true);
    return NULL;
}

static void first_use_and_switching_from_many_threads(void **state) {
    (void)state;
    pthread_t th[THREADS + 1];
    assert_int_equal(pthread_barrier_init(&start, NULL, THREADS + 1), 0);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)(i + 1)), 0);
    assert_int_equal(pthread_create(&th[THREADS], NULL, switcher, NULL), 0);
    for (int i = 0; i <= THREADS; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&start);
    assert_int_equal(atomic_load(&failures), 0);
    assert_true(vm_memops_active() != VM_MEMOPS_AUTO);
    assert_true(vm_memops_supported(vm_memops_active()));
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(first_use_and_switching_from_many_threads)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
