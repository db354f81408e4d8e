/* smp_stress.c - threads that hammer LR/SC, AMOs, an AMO spinlock and futex-based locks on
 * shared words at the same time, then check every total. Under vm's user mode the threads
 * are host threads; inside a guest booted with -smp N (scripts/boot-smp.sh --stress) they
 * run on N harts, each a host thread, so a lost update means an atomic that was not atomic
 * across harts. Prints "smp-stress: ok" and exits 0 when every count is exact. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define THREADS 4
#define ROUNDS  100000

static uint64_t lrsc_word;                              /* incremented with lr.d / sc.d */
static uint32_t lrsc_word32;                            /* incremented with lr.w / sc.w */
static uint32_t amo_word;                               /* amoadd.w */
static uint64_t amo_or;                                 /* amoor.d: one bit per thread */
static int64_t amo_max;                                 /* amomax.d */
static uint32_t spin;                                   /* amoswap.w.aq spinlock */
static uint64_t spin_count;                             /* plain counter under the spinlock */
static int spin_inside;                                 /* threads inside the spinlock's section */
static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER; /* futex-based */
static uint64_t mtx_count;                              /* plain counter under the mutex */
static pthread_barrier_t barrier;                       /* futex-based too */
static int errors;                                      /* violations seen (atomic) */

static void lrsc_add64(uint64_t *p, uint64_t v) {
    uint64_t old, fail;
    __asm__ volatile("1: lr.d %0, (%2)\n"
                     "   add %1, %0, %3\n"
                     "   sc.d %1, %1, (%2)\n"
                     "   bnez %1, 1b\n"
                     : "=&r"(old), "=&r"(fail)
                     : "r"(p), "r"(v)
                     : "memory");
}

static void lrsc_add32(uint32_t *p, uint32_t v) {
    uint32_t old, fail;
    __asm__ volatile("1: lr.w %0, (%2)\n"
                     "   addw %1, %0, %3\n"
                     "   sc.w %1, %1, (%2)\n"
                     "   bnez %1, 1b\n"
                     : "=&r"(old), "=&r"(fail)
                     : "r"(p), "r"(v)
                     : "memory");
}

static void spin_lock(void) {
    uint32_t one = 1, old;
    for (;;) {
        __asm__ volatile("amoswap.w.aq %0, %1, (%2)" : "=r"(old) : "r"(one), "r"(&spin) : "memory");
        if (!old) return;
        while (__atomic_load_n(&spin, __ATOMIC_RELAXED))
            ;
    }
}

static void spin_unlock(void) {
    __asm__ volatile("amoswap.w.rl zero, zero, (%0)" : : "r"(&spin) : "memory");
}

static void *worker(void *arg) {
    long id = (long)arg;
    pthread_barrier_wait(&barrier); /* start together */
    for (int i = 0; i < ROUNDS; i++) {
        lrsc_add64(&lrsc_word, 3);
        lrsc_add32(&lrsc_word32, 1);
        uint32_t one = 1, old;
        __asm__ volatile("amoadd.w %0, %1, (%2)" : "=r"(old) : "r"(one), "r"(&amo_word) : "memory");
        int64_t mine = (int64_t)id * ROUNDS + i, prev;
        __asm__ volatile("amomax.d %0, %1, (%2)"
                         : "=r"(prev)
                         : "r"(mine), "r"(&amo_max)
                         : "memory");
        if ((i & 15) == 0) {
            spin_lock();
            if (__atomic_add_fetch(&spin_inside, 1, __ATOMIC_RELAXED) != 1)
                __atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
            spin_count++;
            __atomic_sub_fetch(&spin_inside, 1, __ATOMIC_RELAXED);
            spin_unlock();
        }
        if ((i & 63) == 0) {
            pthread_mutex_lock(&mtx);
            mtx_count++;
            pthread_mutex_unlock(&mtx);
        }
    }
    uint64_t bit = 1ull << id, o;
    __asm__ volatile("amoor.d %0, %1, (%2)" : "=r"(o) : "r"(bit), "r"(&amo_or) : "memory");
    pthread_barrier_wait(&barrier); /* end together (futex wake of the waiters) */
    return NULL;
}

static int check(const char *what, uint64_t got, uint64_t want) {
    if (got == want) return 0;
    printf("smp-stress: %s is %llu, not %llu\n", what, (unsigned long long)got,
           (unsigned long long)want);
    return 1;
}

int main(void) {
    pthread_t t[THREADS];
    pthread_barrier_init(&barrier, NULL, THREADS);
    for (long i = 0; i < THREADS; i++)
        if (pthread_create(&t[i], NULL, worker, (void *)i) != 0) {
            printf("smp-stress: cannot create a thread\n");
            return 1;
        }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    int bad =
        errors ? (printf("smp-stress: %d threads inside the spinlock at once\n", errors), 1) : 0;
    bad |= check("the lr.d/sc.d counter", lrsc_word, 3ull * THREADS * ROUNDS);
    bad |= check("the lr.w/sc.w counter", lrsc_word32, (uint64_t)THREADS * ROUNDS);
    bad |= check("the amoadd.w counter", amo_word, (uint64_t)THREADS * ROUNDS);
    bad |= check("the amoor.d mask", amo_or, (1ull << THREADS) - 1);
    bad |= check("the amomax.d maximum", (uint64_t)amo_max, (uint64_t)THREADS * ROUNDS - 1);
    bad |= check("the spinlock counter", spin_count, (uint64_t)THREADS * ((ROUNDS + 15) / 16));
    bad |= check("the mutex counter", mtx_count, (uint64_t)THREADS * ((ROUNDS + 63) / 64));
    if (bad) return 1;
    printf("smp-stress: ok\n");
    return 0;
}
