/* futex.c - the futex operations passed through to the host on the same memory: WAIT with a
 * stale value (EAGAIN) and with a timeout (ETIMEDOUT), WAKE, CMP_REQUEUE from one word to
 * another, and the BITSET variants. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static _Atomic uint32_t word_a, word_b, woken;

static long futex(_Atomic uint32_t *w, int op, uint32_t val, const struct timespec *ts,
                  _Atomic uint32_t *w2, uint32_t val3) {
    return syscall(SYS_futex, w, op, val, ts, w2, val3);
}

static void *waiter(void *arg) {
    (void)arg;
    while (atomic_load(&word_a) == 0)
        futex(&word_a, FUTEX_WAIT, 0, NULL, NULL, 0);
    atomic_fetch_add(&woken, 1);
    return NULL;
}

static void *bit_waiter(void *arg) {
    uint32_t mask = (uint32_t)(uintptr_t)arg;
    while (atomic_load(&word_b) == 0)
        futex(&word_b, FUTEX_WAIT_BITSET, 0, NULL, NULL, mask);
    atomic_fetch_add(&woken, 1);
    return NULL;
}

int main(void) {
    errno = 0;
    long r = futex(&word_a, FUTEX_WAIT, 1, NULL, NULL, 0);
    printf("stale value: %ld %s\n", r, errno == EAGAIN ? "EAGAIN" : "other");
    struct timespec ts = {0, 10 * 1000 * 1000};
    errno = 0;
    r = futex(&word_a, FUTEX_WAIT, 0, &ts, NULL, 0);
    printf("timeout: %ld %s\n", r, errno == ETIMEDOUT ? "ETIMEDOUT" : "other");

    /* two waiters on A are moved to B, then woken through B */
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, waiter, NULL);
    long moved = 0;
    while (moved < 2) {
        r = futex(&word_a, FUTEX_CMP_REQUEUE, 0, (void *)(uintptr_t)0x7fffffff, &word_b, 0);
        if (r > 0) moved += r;
        if (moved < 2) usleep(1000);
    }
    atomic_store(&word_a, 1);
    r = futex(&word_b, FUTEX_WAKE, 10, NULL, NULL, 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    printf("requeued %ld, woken through the second word %ld, threads done %u\n", moved, r,
           atomic_load(&woken));

    /* bitset: a wake for a bit nobody waits on wakes nobody; one for both bits wakes both */
    atomic_store(&woken, 0);
    pthread_create(&t[0], NULL, bit_waiter, (void *)(uintptr_t)1);
    pthread_create(&t[1], NULL, bit_waiter, (void *)(uintptr_t)2);
    usleep(30000);
    long w1 = futex(&word_b, FUTEX_WAKE_BITSET, 10, NULL, NULL, 4); /* nobody waits on bit 2 */
    printf("wake with an unused bit: %ld\n", w1);
    atomic_store(&word_b, 1);
    while (atomic_load(&woken) < 2) {
        futex(&word_b, FUTEX_WAKE_BITSET, 10, NULL, NULL, 3);
        usleep(1000);
    }
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    printf("bitset waiters done: %u\n", atomic_load(&woken));
    return 0;
}
