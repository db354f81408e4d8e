/* sfdexec.c - a signalfd kept across execve stays a signalfd in the new program, with its mask,
 * its O_NONBLOCK, its duplicates (one open file) and the signals pending at the execve; a
 * close-on-exec one is gone. The program blocks SIGUSR1, SIGUSR2 and SIGRTMIN, makes the
 * descriptors, sends itself SIGUSR1 and queues SIGRTMIN with a value, and execs itself
 * (/proc/self/exe) with the descriptor numbers. The same source built for the host prints the
 * same lines under Linux (qemu-riscv64 hands a guest's execve to the host kernel). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

static const char *name(int sig) {
    if (sig == SIGUSR1) return "SIGUSR1";
    if (sig == SIGUSR2) return "SIGUSR2";
    if (sig == SIGRTMIN) return "SIGRTMIN";
    return "other";
}

static const char *code(int c) {
    return c == SI_TKILL ? "SI_TKILL" : c == SI_QUEUE ? "SI_QUEUE" : c == SI_USER ? "SI_USER" : "?";
}

/* Read what fd has (up to 4 records) and print it. */
static void drain(const char *what, int fd) {
    struct signalfd_siginfo si[4];
    ssize_t n = read(fd, si, sizeof(si));
    if (n < 0) {
        printf("%s: read: %s\n", what, errno == EAGAIN ? "EAGAIN" : strerror(errno));
        return;
    }
    if (n == 0 || n % (ssize_t)sizeof(si[0])) {
        printf("%s: read %zd bytes (not signalfd records)\n", what, n);
        return;
    }
    for (ssize_t i = 0; i < n / (ssize_t)sizeof(si[0]); i++)
        printf("%s: %s %s pid %s value %d\n", what, name((int)si[i].ssi_signo),
               code(si[i].ssi_code), si[i].ssi_pid == (uint32_t)getpid() ? "ours" : "other",
               si[i].ssi_code == SI_QUEUE ? si[i].ssi_int : 0);
}

static int after_exec(int fd, int dup_fd, int cloexec_fd) {
    struct pollfd pf = {fd, POLLIN, 0};
    int r = poll(&pf, 1, 0);
    printf("readable after execve: %s\n", r == 1 && (pf.revents & POLLIN) ? "yes" : "no");
    int fl = fcntl(fd, F_GETFL);
    printf("O_NONBLOCK kept: %s\n", fl >= 0 && (fl & O_NONBLOCK) ? "yes" : "no");
    drain("first read", fd);
    drain("second read", fd);
    errno = 0;
    printf("close-on-exec signalfd gone: %s\n",
           fcntl(cloexec_fd, F_GETFD) < 0 && errno == EBADF ? "yes" : "no");
    /* a new mask through the duplicate: still a signalfd, and one file with fd */
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR2);
    int rc = signalfd(dup_fd, &m, 0);
    printf("new mask through the duplicate: %s\n", rc == dup_fd ? "ok"
                                                   : rc < 0     ? strerror(errno)
                                                                : "another descriptor");
    raise(SIGUSR2);
    drain("after the new mask", fd);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 5 && !strcmp(argv[1], "child"))
        return after_exec(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
    sigset_t block, m;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigaddset(&block, SIGUSR2);
    sigaddset(&block, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &block, NULL);
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigaddset(&m, SIGRTMIN);
    int fd = signalfd(-1, &m, SFD_NONBLOCK);
    int dup_fd = dup(fd);
    sigemptyset(&m);
    sigaddset(&m, SIGUSR2);
    int cloexec_fd = signalfd(-1, &m, SFD_CLOEXEC);
    if (fd < 0 || dup_fd < 0 || cloexec_fd < 0) {
        perror("signalfd");
        return 1;
    }
    kill(getpid(), SIGUSR1); /* (the si_code of a raise() that crosses an execve through the
                                host's queue depends on the host kernel's sigtimedwait) */
    union sigval v = {.sival_int = 42};
    sigqueue(getpid(), SIGRTMIN, v);
    char a[3][16];
    snprintf(a[0], sizeof(a[0]), "%d", fd);
    snprintf(a[1], sizeof(a[1]), "%d", dup_fd);
    snprintf(a[2], sizeof(a[2]), "%d", cloexec_fd);
    char *nargv[] = {argv[0], "child", a[0], a[1], a[2], NULL};
    fflush(stdout);
    execv("/proc/self/exe", nargv);
    perror("execv");
    return 1;
}
