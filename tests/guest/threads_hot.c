/* threads_hot.c - four threads run the same hot compute loops at the same time (so an
 * emulator translates and runs the same guest code from several threads at once) and update
 * shared atomic counters. Every thread hashes its own data (FNV-1a and a xorshift mix), sorts
 * a small array and counts primes; results are deterministic and checked against the same
 * functions run single-threaded first, and the atomic totals must be exact. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define THREADS 4
#define ROUNDS  40

static atomic_uint_fast64_t total_adds, total_xor;
static atomic_int ready;

static uint64_t fnv1a(const uint8_t *p, size_t n, uint64_t h) {
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

static uint64_t mix(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

static int count_primes(int lo, int hi) {
    int c = 0;
    for (int n = lo; n < hi; n++) {
        int p = n > 1;
        for (int d = 2; d * d <= n && p; d++)
            p = n % d != 0;
        c += p;
    }
    return c;
}

static void insertion_sort(uint32_t *a, int n) {
    for (int i = 1; i < n; i++) {
        uint32_t v = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

/* one thread's work, given its seed; the same function runs single-threaded for reference */
static uint64_t work(uint64_t seed, int count_atomics, uint64_t *xor_ref) {
    uint8_t buf[4096];
    uint32_t arr[256];
    uint64_t acc = seed;
    for (int r = 0; r < ROUNDS; r++) {
        for (size_t i = 0; i < sizeof(buf); i++)
            buf[i] = (uint8_t)mix(acc + i);
        acc = fnv1a(buf, sizeof(buf), acc);
        for (int i = 0; i < 256; i++)
            arr[i] = (uint32_t)mix(acc ^ (uint64_t)i);
        insertion_sort(arr, 256);
        for (int i = 1; i < 256; i++)
            if (arr[i - 1] > arr[i]) return 0; /* not sorted: wrong result */
        acc += arr[0] + arr[255] + (uint64_t)count_primes(r * 100, r * 100 + 400);
        if (count_atomics) {
            for (int i = 0; i < 1000; i++)
                atomic_fetch_add(&total_adds, 1);
            atomic_fetch_xor(&total_xor, mix(acc));
        } else {
            *xor_ref ^= mix(acc);
        }
    }
    return acc;
}

static uint64_t result[THREADS];

static void *thread_main(void *arg) {
    int id = (int)(intptr_t)arg;
    atomic_fetch_add(&ready, 1);
    while (atomic_load(&ready) < THREADS) {
    } /* start together */
    result[id] = work(0x1234567ULL * (uint64_t)(id + 1), 1, NULL);
    return NULL;
}

int main(void) {
    uint64_t want[THREADS], want_xor = 0;
    for (int i = 0; i < THREADS; i++)
        want[i] = work(0x1234567ULL * (uint64_t)(i + 1), 0, &want_xor);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, thread_main, (void *)(intptr_t)i);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    int ok = 1;
    for (int i = 0; i < THREADS; i++) {
        printf("thread %d: %016llx %s\n", i, (unsigned long long)result[i],
               result[i] == want[i] ? "matches" : "DIFFERS");
        ok &= result[i] == want[i] && result[i] != 0;
    }
    /* the xor total does not depend on the order the threads reach it in */
    uint64_t adds = atomic_load(&total_adds), x = atomic_load(&total_xor);
    printf("atomic adds: %llu (expected %d)\n", (unsigned long long)adds, THREADS * ROUNDS * 1000);
    printf("atomic xor: %016llx %s\n", (unsigned long long)x,
           x == want_xor ? "matches" : "DIFFERS");
    ok &= adds == THREADS * ROUNDS * 1000 && x == want_xor;
    return ok ? 0 : 1;
}
