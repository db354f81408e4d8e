/* vfork.c - vfork and posix_spawn as Linux runs them (clone with CLONE_VM|CLONE_VFORK): the
 * child shares the parent's memory and the parent waits until it execs or exits; what the
 * child does to its signal dispositions stays its own; posix_spawn reports a failed exec by
 * its return value (its child writes the error into the parent's memory) and applies file
 * actions; a vfork child killed by a signal is seen so by waitpid. With "child ARG" the
 * program is the exec'ed child itself. qemu-riscv64 makes vfork a fork (expected/vfork.qemu.out).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static volatile int shared_word;
static volatile int got_usr1;

static void on_usr1(int sig) {
    (void)sig;
    got_usr1 = 1;
}

int main(int argc, char **argv) {
    if (argc >= 3 && !strcmp(argv[1], "child")) {
        printf("exec'ed child says %s (parent is %s)\n", argv[2],
               getppid() == atoi(argv[3]) ? "the spawner" : "someone else");
        return 7;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    char self[32];
    snprintf(self, sizeof(self), "%d", (int)getpid());

    /* the child's store is the parent's memory, and the parent waits for its _exit */
    shared_word = 1;
    pid_t pid = vfork();
    if (pid == 0) {
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
        shared_word = 2;
        _exit(3);
    }
    printf("vfork: parent sees the child's store: %s\n", shared_word == 2 ? "yes" : "no");
    int st = 0;
    waitpid(pid, &st, 0);
    printf("vfork: child exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);

    /* a disposition the child changes stays the child's */
    signal(SIGUSR1, on_usr1);
    pid = vfork();
    if (pid == 0) {
        signal(SIGUSR1, SIG_IGN);
        _exit(0);
    }
    waitpid(pid, &st, 0);
    raise(SIGUSR1);
    printf("vfork: parent's handler still runs: %s\n", got_usr1 ? "yes" : "no");

    /* vfork + execve: the parent goes on once the child has exec'ed */
    pid = vfork();
    if (pid == 0) {
        char *av[] = {argv[0], "child", "hello", self, NULL};
        execve("/proc/self/exe", av, environ);
        _exit(127);
    }
    waitpid(pid, &st, 0);
    printf("vfork+execve: exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);

    /* a vfork child killed by a signal */
    pid = vfork();
    if (pid == 0) {
        kill(getpid(), SIGKILL);
        _exit(1);
    }
    waitpid(pid, &st, 0);
    printf("vfork child killed: %s\n",
           WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? "by SIGKILL" : "otherwise");

    /* posix_spawn: a missing program is the spawn's own error */
    char *nav[] = {"/nonexistent/program", NULL};
    int rc = posix_spawn(&pid, "/nonexistent/program", NULL, NULL, nav, environ);
    printf("posix_spawn of a missing program: %s\n", rc == ENOENT ? "ENOENT" : strerror(rc));

    /* posix_spawn with a pipe for stdout */
    int fds[2];
    if (pipe(fds)) return 10;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    char *sav[] = {argv[0], "child", "piped", self, NULL};
    rc = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, sav, environ);
    close(fds[1]);
    char buf[256] = {0};
    size_t got = 0;
    ssize_t n;
    while (got < sizeof(buf) - 1 && (n = read(fds[0], buf + got, sizeof(buf) - 1 - got)) > 0)
        got += (size_t)n;
    close(fds[0]);
    waitpid(pid, &st, 0);
    printf("posix_spawn: rc %d, read \"%.*s\", exit %d\n", rc, (int)strcspn(buf, "\n"), buf,
           WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    posix_spawn_file_actions_destroy(&fa);

    /* many in a row: nothing piles up */
    for (int i = 0; i < 200; i++) {
        pid = vfork();
        if (pid == 0) _exit(i & 0x7f);
        if (waitpid(pid, &st, 0) != pid || WEXITSTATUS(st) != (i & 0x7f)) {
            printf("vfork loop: failed at %d\n", i);
            return 1;
        }
    }
    printf("vfork loop: 200 children\n");
    return 0;
}
