/* test_safe_syscall.c - the blocking-call stub of src/linux/safe_syscall.[ch] on this host
 * (built natively, and for AArch64 by mk/neon.mk and run under qemu-user).
 *
 * A handler in the style of vm's sets the flag and moves an interrupted pc out of the
 * stub's window; another thread sends the signal at random moments around a read of an
 * empty pipe made through the stub. Every read must come back with -LINUX_HOST_ERESTART,
 * whether the signal came before the check, between the check and the system call
 * instruction, or while the kernel waited (the handler has SA_RESTART, so the kernel puts
 * the pc back on the instruction). A read that the signal did not end would wait for ever:
 * after two seconds the other thread writes a byte, and the read returning it fails the
 * test. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "linux/safe_syscall.h"

enum { ROUNDS = 2000 };

static volatile int flag;    /* the thread's flag, as linux_thread_t.sig_ready */
static atomic_int stage;     /* round i: 2i+1 while the main thread enters its read */
static atomic_int done = -1; /* the last round whose read returned */
static volatile int late;    /* the watchdog wrote its byte */
static int pipe_fds[2];
static pthread_t reader;

static void handler(int sig, siginfo_t *si, void *uctx) {
    (void)sig, (void)si;
    flag = 1;
    linux_safe_syscall_fixup(uctx);
}

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void *sender(void *arg) {
    (void)arg;
    unsigned seed = 99;
    for (int i = 0; i < ROUNDS; i++) {
        while (atomic_load(&stage) != 2 * i + 1)
            ;
        seed = seed * 1103515245u + 12345u;
        for (volatile unsigned d = (seed >> 16) % 2000; d; d--)
            ;
        pthread_kill(reader, SIGUSR1);
        long long t0 = now_ns();
        while (atomic_load(&done) != i)
            if (!late && now_ns() - t0 > 2000000000LL) {
                late = 1;
                if (write(pipe_fds[1], "x", 1) != 1) return NULL;
            }
    }
    return NULL;
}

/* Without a signal the stub is a plain system call: its result, or -errno. */
static void test_plain_call(void **state) {
    (void)state;
    flag = 0;
    assert_int_equal(linux_safe_syscall(&flag, SYS_getpid, 0, 0, 0, 0, 0, 0), getpid());
    assert_int_equal(linux_safe_syscall(&flag, SYS_close, -1, 0, 0, 0, 0, 0), -EBADF);
    /* six arguments reach the kernel in order */
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    char buf[4] = "abc";
    assert_int_equal(linux_safe_syscall(&flag, SYS_write, fds[1], (long)buf, 3, 0, 0, 0), 3);
    char in[4] = {0};
    assert_int_equal(linux_safe_syscall(&flag, SYS_read, fds[0], (long)in, 3, 0, 0, 0), 3);
    assert_string_equal(in, "abc");
    /* a set flag: no call at all */
    flag = 1;
    assert_int_equal(linux_safe_syscall(&flag, SYS_write, fds[1], (long)buf, 3, 0, 0, 0),
                     -LINUX_HOST_ERESTART);
    flag = 0;
    assert_int_equal(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
    assert_int_equal(linux_safe_syscall(&flag, SYS_read, fds[0], (long)in, 3, 0, 0, 0), -EAGAIN);
    close(fds[0]);
    close(fds[1]);
}

/* The race: every read ends with -LINUX_HOST_ERESTART. */
static void test_signal_race(void **state) {
    (void)state;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGUSR1, &sa, NULL), 0);
    assert_int_equal(pipe(pipe_fds), 0);
    reader = pthread_self();
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, sender, NULL), 0);
    int bad = -1;
    long bad_r = 0;
    for (int i = 0; i < ROUNDS; i++) {
        flag = 0;
        atomic_store(&stage, 2 * i + 1);
        char c;
        long r = linux_safe_syscall(&flag, SYS_read, pipe_fds[0], (long)&c, 1, 0, 0, 0);
        if (r != -LINUX_HOST_ERESTART && bad < 0) {
            bad = i;
            bad_r = r;
        }
        atomic_store(&done, i);
    }
    pthread_join(th, NULL);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    if (bad >= 0) fail_msg("round %d: the read returned %ld, not the restart", bad, bad_r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_call),
        cmocka_unit_test(test_signal_race),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
