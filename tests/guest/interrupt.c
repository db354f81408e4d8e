/* interrupt.c - guest code that never makes a system call must still be interruptible: an
 * emulator (or a JIT running translated loops) has to deliver asynchronous signals between
 * guest instructions. Cases: a pure ALU loop ended by a SIGALRM (setitimer) handler that
 * siglongjmps out; a loop of loads polling a flag that a setitimer SIGALRM handler sets; a
 * branchless counting loop interrupted by a SIGALRM handler that only counts (the loop stops
 * itself after three ticks, read from memory); and a second thread spinning forever in a
 * register-only loop while the main thread calls exit_group, which must end the process at
 * once. Every loop is inline assembly so the compiler cannot remove or bound it. */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static sigjmp_buf jb;
static volatile sig_atomic_t flag, ticks;

static void on_alrm_jump(int sig) {
    (void)sig;
    siglongjmp(jb, 1);
}
static void on_alrm_flag(int sig) {
    (void)sig;
    flag = 1;
}
static void on_alrm_tick(int sig) {
    (void)sig;
    ticks = ticks + 1;
}

/* an endless ALU loop: no memory access, no system call */
static void alu_forever(void) {
    __asm__ volatile("li t0, 1\n"
                     "1:\n\t"
                     "add t1, t0, t0\n\t"
                     "xor t0, t0, t1\n\t"
                     "slli t1, t0, 3\n\t"
                     "addi t0, t1, 7\n\t"
                     "j 1b" ::
                         : "t0", "t1", "memory");
}

/* loads only: spin until *p != 0 */
static void wait_flag(volatile sig_atomic_t *p) {
    __asm__ volatile("1:\n\t"
                     "lw t0, 0(%0)\n\t"
                     "beqz t0, 1b" ::"r"(p)
                     : "t0", "memory");
}

/* count up until *p reaches 3; returns the number of iterations (at least 1) */
static uint64_t count_until_three(volatile sig_atomic_t *p) {
    uint64_t n = 0;
    __asm__ volatile("li t1, 3\n"
                     "1:\n\t"
                     "addi %0, %0, 1\n\t"
                     "lw t0, 0(%1)\n\t"
                     "blt t0, t1, 1b"
                     : "+r"(n)
                     : "r"(p)
                     : "t0", "t1", "memory");
    return n;
}

static void *spin_thread(void *arg) {
    (void)arg;
    alu_forever();
    return NULL;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);

    /* 1: a one-shot timer + siglongjmp out of an ALU loop */
    sa.sa_handler = on_alrm_jump;
    sigaction(SIGALRM, &sa, NULL);
    if (sigsetjmp(jb, 1) == 0) {
        struct itimerval once = {{0, 0}, {0, 100000}};
        setitimer(ITIMER_REAL, &once, NULL);
        alu_forever();
        printf("alu loop returned?\n");
    } else {
        printf("alu loop: left by siglongjmp from SIGALRM\n");
    }

    /* 2: setitimer, the handler sets a flag the loop loads */
    sa.sa_handler = on_alrm_flag;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 0}, {0, 200000}};
    setitimer(ITIMER_REAL, &it, NULL);
    wait_flag(&flag);
    printf("load loop: flag set by the handler, loop ended\n");

    /* 3: periodic timer, handler returns into the loop each time */
    sa.sa_handler = on_alrm_tick;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval per = {{0, 50000}, {0, 50000}};
    setitimer(ITIMER_REAL, &per, NULL);
    uint64_t n = count_until_three(&ticks);
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    printf("tick loop: %d ticks, iterated: %s\n", (int)ticks, n > 0 ? "yes" : "no");

    /* 4: a thread spinning forever while this one exits the process */
    if (argc > 1 && !strcmp(argv[1], "--no-thread")) return 0;
    pthread_t t;
    pthread_create(&t, NULL, spin_thread, NULL);
    usleep(100000);
    printf("exit_group while a thread spins\n");
    _exit(3); /* exit_group */
}
