/* threads_wait.c - N threads (argv[1], default 1000) that block on one futex word, for
 * measuring what a guest thread costs in host memory (bench/thread_memory.sh). Prints
 * "ready N" once every thread is made, holds them argv[2] seconds (default 5), then wakes
 * and joins them. Each thread asks for a 64 KiB stack, the same in every executor. */
#include <linux/futex.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
static int word = 0;
static void *blocker(void *arg) {
    (void)arg;
    while (__atomic_load_n(&word, __ATOMIC_ACQUIRE) == 0)
        syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    return NULL;
}
int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    int hold = argc > 2 ? atoi(argv[2]) : 5;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, 64 << 10);
    pthread_t *t = calloc(n, sizeof(*t));
    int made = 0;
    for (int i = 0; i < n; i++) {
        if (pthread_create(&t[i], &a, blocker, NULL)) break;
        made++;
    }
    printf("ready %d\n", made);
    fflush(stdout);
    sleep(hold);
    __atomic_store_n(&word, 1, __ATOMIC_RELEASE);
    syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1 << 30, NULL, NULL, 0);
    for (int i = 0; i < made; i++)
        pthread_join(t[i], NULL);
    printf("joined %d\n", made);
    return 0;
}
