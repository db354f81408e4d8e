/* sysroot.c - the sysroot rule seen from the guest (run by sysroot.sh inside a scratch
 * sysroot R, as /usr/bin/first): the program's own name, AT_EXECFN, lookups and creations
 * under R, relative paths after a chdir into R, execve of a program and of a #! script found
 * in R, execveat relative to a dirfd, of a descriptor (AT_EMPTY_PATH) and of a symlink with
 * AT_SYMLINK_NOFOLLOW (ELOOP), and execve of a host-native program (ENOEXEC unless
 * --host-exec). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

/* Print readlink(path) or its error. */
static void show_link(const char *label, const char *path) {
    char buf[4096];
    ssize_t n = readlink(path, buf, sizeof(buf) - 1);
    if (n < 0) {
        printf("%s: %s\n", label, strerror(errno));
        return;
    }
    buf[n] = 0;
    printf("%s: %s\n", label, buf);
}

int main(int argc, char **argv) {
    printf("argv:");
    for (int i = 0; i < argc; i++)
        printf(" %s", argv[i]);
    printf("\n");
    show_link("exe", "/proc/self/exe");
    printf("execfn: %s\n", (const char *)getauxval(AT_EXECFN));
    if (argc > 1 && !strcmp(argv[1], "child")) {
        /* a host program: /bin/echo is not in the sysroot, so it is the host's x86-64 one */
        char *args[] = {"echo", "host echo ran", NULL};
        fflush(stdout);
        execve("/bin/echo", args, environ);
        printf("execve /bin/echo: %s\n", strerror(errno));
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "viaat")) {
        /* execveat: a symlink with AT_SYMLINK_NOFOLLOW, then the descriptor itself */
        int dir = open("/usr/bin", O_RDONLY | O_DIRECTORY);
        char *a1[] = {"second", "nofollow", NULL};
        fflush(stdout);
        syscall(SYS_execveat, dir, "link", a1, environ, AT_SYMLINK_NOFOLLOW);
        printf("execveat link, AT_SYMLINK_NOFOLLOW: %s\n", strerror(errno));
        int fd = open("/usr/bin/second", O_RDONLY | O_CLOEXEC);
        char *a2[] = {"second", "empty", NULL};
        fflush(stdout);
        syscall(SYS_execveat, fd, "", a2, environ, AT_EMPTY_PATH);
        printf("execveat AT_EMPTY_PATH: %s\n", strerror(errno));
        return 1;
    }
    if (argc > 1 && !strcmp(argv[1], "empty")) return 0;
    if (argc > 1 && !strcmp(argv[1], "execveat")) {
        int dir = open("/usr/bin", O_RDONLY | O_DIRECTORY);
        char *a[] = {"second", "viaat", NULL};
        fflush(stdout);
        syscall(SYS_execveat, dir, "second", a, environ, 0);
        printf("execveat dirfd: %s\n", strerror(errno));
        return 1;
    }
    if (argc > 2 && !strcmp(argv[2], "/usr/bin/script")) {
        printf("script interpreter ran\n");
        return 0;
    }
    struct stat st;
    printf("stat /usr/share/marker: %s\n",
           stat("/usr/share/marker", &st) == 0 ? "found" : strerror(errno));
    printf("access /usr/share/marker: %s\n",
           access("/usr/share/marker", R_OK) == 0 ? "ok" : strerror(errno));
    int fd = open("/usr/share/created", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    printf("create /usr/share/created: %s\n", fd >= 0 ? "ok" : strerror(errno));
    if (fd >= 0) close(fd);
    printf("mkdir /usr/share/newdir: %s\n",
           mkdir("/usr/share/newdir", 0755) == 0 ? "ok" : strerror(errno));
    printf("symlink /usr/share/link: %s\n",
           symlink("marker", "/usr/share/link") == 0 ? "ok" : strerror(errno));
    show_link("readlink /usr/share/link", "/usr/share/link");
    printf("rename to /usr/share/renamed: %s\n",
           rename("/usr/share/created", "/usr/share/renamed") == 0 ? "ok" : strerror(errno));
    if (chdir("/usr/share") != 0) printf("chdir: %s\n", strerror(errno));
    char cwd[4096];
    printf("getcwd: %s\n", getcwd(cwd, sizeof(cwd)) ? cwd : strerror(errno));
    show_link("cwd", "/proc/self/cwd");
    printf("relative marker: %s\n", access("marker", R_OK) == 0 ? "ok" : strerror(errno));
    printf("statx-style fstatat /usr/bin/second: %s\n",
           fstatat(AT_FDCWD, "/usr/bin/second", &st, 0) == 0 ? "found" : strerror(errno));
    int script = argc > 1 && !strcmp(argv[1], "script");
    fflush(stdout);
    if (script) {
        char *args[] = {"script", NULL};
        execve("/usr/bin/script", args, environ);
        printf("execve /usr/bin/script: %s\n", strerror(errno));
        return 1;
    }
    char *args[] = {"second", "child", NULL};
    execve("/usr/bin/second", args, environ);
    printf("execve /usr/bin/second: %s\n", strerror(errno));
    return 1;
}
