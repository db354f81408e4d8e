/* smp_stress.c - threads that hammer LR/SC, AMOs, an AMO spinlock and futex-based locks on
 * shared words at the same time, then check every total. Under vm's user mode the threads
 * are host threads; inside a guest booted with -smp N (scripts/boot-smp.sh --stress) they
 * run on N harts, each a host thread, so a lost update means an atomic that was not atomic
 * across harts. Then TLB shootdowns: the main thread moves a new page over one address again
 * and again (mremap) while the other threads read it; once mremap has returned, the kernel
 * has fenced every hart that runs this address space (SBI remote sfence.vma with its ASID),
 * so a reader that has seen the new round must read the new page, never the old one through
 * a stale translation. Prints "smp-stress: ok" and exits 0 when every count is exact. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

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

#define REMAPS 300
static volatile uint64_t *remap_page; /* the address the main thread keeps moving pages to */
static uint64_t remap_round;          /* pages moved so far; page n holds n (atomic) */
static int remap_done;                /* the readers stop (atomic) */
static int stale_reads;               /* reads of a page older than the round seen (atomic) */

static void *reader(void *arg) {
    (void)arg;
    while (!__atomic_load_n(&remap_done, __ATOMIC_ACQUIRE)) {
        uint64_t r = __atomic_load_n(&remap_round, __ATOMIC_ACQUIRE);
        uint64_t v = *remap_page;
        uint64_t r2 = __atomic_load_n(&remap_round, __ATOMIC_ACQUIRE);
        /* the page of round r or a later one (the next may be in place before its round
         * is published); a stale translation reads the old page (or what reused it) */
        if (v < r || v > r2 + 1) __atomic_add_fetch(&stale_reads, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

/* Move REMAPS pages, each holding its round, over remap_page while THREADS - 1 readers read it
 * (one hart of four stays for the mover). */
static int remap_test(void) {
    void *at = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (at == MAP_FAILED) return printf("smp-stress: mmap failed\n"), 1;
    remap_page = at;
    pthread_t t[THREADS - 1];
    for (long i = 0; i < THREADS - 1; i++)
        if (pthread_create(&t[i], NULL, reader, NULL) != 0)
            return printf("smp-stress: cannot create a thread\n"), 1;
    int bad = 0;
    for (uint64_t g = 1; g <= REMAPS && !bad; g++) {
        uint64_t *n = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (n == MAP_FAILED) {
            bad = printf("smp-stress: mmap failed\n");
            break;
        }
        *n = g;
        if (mremap(n, 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED, at) != at)
            bad = printf("smp-stress: mremap failed\n");
        else
            __atomic_store_n(&remap_round, g, __ATOMIC_RELEASE);
    }
    __atomic_store_n(&remap_done, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < THREADS - 1; i++)
        pthread_join(t[i], NULL);
    if (stale_reads)
        bad = printf("smp-stress: %d reads of a page already moved away\n", stale_reads);
    return bad != 0;
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
    bad |= remap_test();
    if (bad) return 1;
    printf("smp-stress: ok\n");
    return 0;
}
