/* threads.c - pthreads over clone + futex: a mutex-protected counter, a condition variable
 * handshake, atomics, thread-local storage, join (CLONE_CHILD_CLEARTID), gettid, and a
 * main thread that exits before the last thread. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define NTHREADS 4
#define ITERS    20000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long counter;
static atomic_long acounter;
static int ready;
static __thread int tls_value;
static pid_t tids[NTHREADS];

static void *worker(void *arg) {
    int id = (int)(long)arg;
    tls_value = id * 100;
    tids[id] = gettid();
    for (int i = 0; i < ITERS; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
        atomic_fetch_add(&acounter, 1);
    }
    pthread_mutex_lock(&lock);
    ready++;
    pthread_cond_signal(&cond);
    pthread_mutex_unlock(&lock);
    return (void *)(long)(tls_value + 1);
}

static void *last_thread(void *arg) {
    (void)arg;
    struct timespec d = {0, 20 * 1000 * 1000};
    nanosleep(&d, NULL);
    printf("last thread done\n");
    fflush(stdout);
    return NULL;
}

int main(void) {
    pthread_t th[NTHREADS];
    tls_value = -1;
    for (long i = 0; i < NTHREADS; i++)
        pthread_create(&th[i], NULL, worker, (void *)i);
    pthread_mutex_lock(&lock);
    while (ready < NTHREADS)
        pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    long sum = 0;
    for (int i = 0; i < NTHREADS; i++) {
        void *ret;
        pthread_join(th[i], &ret);
        sum += (long)ret;
    }
    int distinct = 1;
    for (int i = 0; i < NTHREADS; i++)
        for (int j = 0; j < i; j++)
            distinct &= tids[i] != tids[j] && tids[i] != getpid();
    printf("counter=%ld atomic=%ld\n", counter, (long)atomic_load(&acounter));
    printf("join results sum=%ld main tls=%d\n", sum, tls_value);
    printf("distinct thread ids: %s\n", distinct ? "yes" : "no");
    /* main leaves first: the process lives on until its last thread ends */
    fflush(stdout);
    pthread_t last;
    pthread_create(&last, NULL, last_thread, NULL);
    pthread_exit(NULL);
}
