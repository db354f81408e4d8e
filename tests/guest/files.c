/* files.c - files and directories: open/read/write/lseek/pread/pwrite, stat and statx,
 * rename, unlink, mkdir/rmdir, readdir, readlink of /proc/self/exe, dup, fcntl, pipes,
 * getcwd/chdir, ftruncate, access, utimensat. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            printf("FAILED line %d: %s (errno %d)\n", __LINE__, #c, errno);                        \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
    (void)argc;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    CHECK(n > 0);
    exe[n] = 0;
    const char *base = strrchr(exe, '/');
    const char *want = strrchr(argv[0], '/');
    printf("exe basename matches: %s\n",
           !strcmp(base ? base + 1 : exe, want ? want + 1 : argv[0]) ? "yes" : "no");
    char dir[] = "/tmp/vm-guest-files-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    CHECK(chdir(dir) == 0);
    char cwd[4096];
    CHECK(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, dir));
    int fd = open("a.txt", O_CREAT | O_RDWR | O_TRUNC, 0640);
    CHECK(fd >= 0);
    CHECK(write(fd, "hello world\n", 12) == 12);
    struct iovec iov[2] = {{"abc", 3}, {"defg", 4}};
    CHECK(writev(fd, iov, 2) == 7);
    CHECK(lseek(fd, 0, SEEK_CUR) == 19);
    CHECK(lseek(fd, 6, SEEK_SET) == 6);
    char buf[64] = {0};
    CHECK(read(fd, buf, 5) == 5 && !memcmp(buf, "world", 5));
    CHECK(pwrite(fd, "W", 1, 6) == 1);
    CHECK(pread(fd, buf, 19, 0) == 19);
    buf[19] = 0;
    printf("content: %.12s|%s\n", buf, buf + 12);
    struct stat st;
    CHECK(fstat(fd, &st) == 0);
    printf("size=%lld mode=%o regular=%d\n", (long long)st.st_size, st.st_mode & 0777,
           S_ISREG(st.st_mode));
    CHECK(ftruncate(fd, 4) == 0);
    CHECK(stat("a.txt", &st) == 0 && st.st_size == 4);
    struct statx sx;
    CHECK(statx(AT_FDCWD, "a.txt", 0, STATX_SIZE | STATX_MODE, &sx) == 0);
    printf("statx size=%llu mode=%o\n", (unsigned long long)sx.stx_size, sx.stx_mode & 0777);
    int fd2 = dup(fd);
    CHECK(fd2 > fd);
    CHECK(fcntl(fd2, F_GETFD) == 0);
    int fd3 = fcntl(fd, F_DUPFD_CLOEXEC, 10);
    CHECK(fd3 >= 10 && fcntl(fd3, F_GETFD) == FD_CLOEXEC);
    CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR);
    CHECK(fcntl(fd, F_SETFL, O_APPEND) == 0 && (fcntl(fd, F_GETFL) & O_APPEND));
    close(fd3);
    close(fd2);
    close(fd);
    CHECK(access("a.txt", R_OK | W_OK) == 0);
    CHECK(access("missing", F_OK) == -1 && errno == ENOENT);
    CHECK(open("missing", O_RDONLY) == -1 && errno == ENOENT);
    CHECK(mkdir("sub", 0755) == 0);
    CHECK(mkdir("sub", 0755) == -1 && errno == EEXIST);
    CHECK(rename("a.txt", "sub/b.txt") == 0);
    CHECK(symlink("sub/b.txt", "link") == 0);
    char lbuf[256];
    n = readlink("link", lbuf, sizeof(lbuf));
    CHECK(n == 9 && !memcmp(lbuf, "sub/b.txt", 9));
    CHECK(lstat("link", &st) == 0 && S_ISLNK(st.st_mode));
    CHECK(stat("link", &st) == 0 && S_ISREG(st.st_mode));
    for (int i = 0; i < 5; i++) {
        char name[32];
        snprintf(name, sizeof(name), "sub/f%d", i);
        int f = open(name, O_CREAT | O_WRONLY, 0600);
        CHECK(f >= 0);
        close(f);
    }
    DIR *d = opendir("sub");
    CHECK(d != NULL);
    char *names[16];
    int cnt = 0;
    struct dirent *e;
    while ((e = readdir(d)) && cnt < 16)
        if (e->d_name[0] != '.') names[cnt++] = strdup(e->d_name);
    closedir(d);
    qsort(names, (size_t)cnt, sizeof(char *), cmp);
    printf("dir:");
    for (int i = 0; i < cnt; i++)
        printf(" %s", names[i]), free(names[i]);
    printf("\n");
    struct timespec ts[2] = {{1000000000, 0}, {1234567890, 500}};
    CHECK(utimensat(AT_FDCWD, "sub/f0", ts, 0) == 0);
    CHECK(stat("sub/f0", &st) == 0);
    printf("mtime=%lld.%09ld\n", (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    CHECK(chmod("sub/f1", 0604) == 0 && stat("sub/f1", &st) == 0 && (st.st_mode & 0777) == 0604);
    CHECK(rmdir("sub") == -1 && errno == ENOTEMPTY);
    for (int i = 0; i < 5; i++) {
        char name[32];
        snprintf(name, sizeof(name), "sub/f%d", i);
        CHECK(unlink(name) == 0);
    }
    CHECK(unlink("sub/b.txt") == 0 && unlink("link") == 0);
    CHECK(rmdir("sub") == 0);
    int p[2];
    CHECK(pipe2(p, O_CLOEXEC) == 0);
    CHECK(write(p[1], "through a pipe", 14) == 14);
    close(p[1]);
    n = read(p[0], buf, sizeof(buf));
    CHECK(n == 14);
    CHECK(read(p[0], buf, sizeof(buf)) == 0);
    close(p[0]);
    printf("pipe: %.14s\n", buf);
    CHECK(chdir("/") == 0 && rmdir(dir) == 0);
    printf("files ok\n");
    return 0;
}
