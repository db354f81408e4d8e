/* procpaths.c - every name of this process's /proc files shows what /proc/self/maps shows,
 * /proc/self/mem and its aliases act on the guest's memory or are refused, and the descriptor
 * table the guest sees is consistent: every descriptor listed in /proc/self/fd works, every
 * other one is EBADF and has no /proc/self/fd entry, and none is the emulator's own (vm's
 * perf map file of --perf-map is neither listed nor usable). All of this holds on Linux
 * itself; qemu-riscv64 shows the host's maps under most of these names. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static char ref[1 << 16], got[1 << 16];

/* Read all of fd into buf (closed afterwards); length or -1. */
static long slurp_fd(int fd, char *buf, size_t cap) {
    if (fd < 0) return -1;
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r < 0) {
            close(fd);
            return -1;
        }
        if (r == 0) break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = 0;
    return (long)n;
}

/* The same content as /proc/self/maps (read just before), through another name. */
static void same_maps(const char *label, int fd) {
    long r = slurp_fd(open("/proc/self/maps", O_RDONLY), ref, sizeof(ref));
    long g = slurp_fd(fd, got, sizeof(got));
    printf("%-28s %s\n", label,
           r > 0 && g == r && !memcmp(ref, got, (size_t)r) ? "same" : "DIFFERENT");
}

/* A guest variable that writes through /proc/.../mem may change. */
static volatile unsigned long target = 0x1111;

/* open(path) for writing guest memory: refused, or the write lands on `target` only. */
static void mem_alias(const char *label, int dirfd, const char *path) {
    int fd = openat(dirfd, path, O_RDWR);
    if (fd < 0) {
        printf("%-28s %s\n", label, errno == EACCES ? "refused" : strerror(errno));
        return;
    }
    unsigned long v = 0x2222;
    target = 0x1111;
    ssize_t w = pwrite(fd, &v, sizeof(v), (off_t)(unsigned long)&target);
    close(fd);
    printf("%-28s %s\n", label, w == sizeof(v) && target == 0x2222 ? "refused" : "ESCAPED");
}

int main(void) {
    int pid = getpid(), tid = (int)syscall(SYS_gettid);
    char p[256];
    same_maps("/proc/thread-self/maps", open("/proc/thread-self/maps", O_RDONLY));
    same_maps("/proc/self/./maps", open("/proc/self/./maps", O_RDONLY));
    same_maps("//proc/self/maps", open("//proc/self/maps", O_RDONLY));
    same_maps("/proc/self/fd/../maps", open("/proc/self/fd/../maps", O_RDONLY));
    snprintf(p, sizeof(p), "/proc/%d/maps", pid);
    same_maps("/proc/PID/maps", open(p, O_RDONLY));
    snprintf(p, sizeof(p), "/proc/%d/task/%d/maps", pid, tid);
    same_maps("/proc/PID/task/TID/maps", open(p, O_RDONLY));
    snprintf(p, sizeof(p), "/proc/self/task/%d/maps", tid);
    same_maps("/proc/self/task/TID/maps", open(p, O_RDONLY));
    same_maps("/proc/self/root/proc/self/maps", open("/proc/self/root/proc/self/maps", O_RDONLY));
    int self = open("/proc/self", O_RDONLY | O_DIRECTORY);
    same_maps("openat(/proc/self, maps)", openat(self, "maps", O_RDONLY));
    int task = open("/proc/thread-self", O_RDONLY | O_DIRECTORY);
    same_maps("openat(thread-self, maps)", openat(task, "maps", O_RDONLY));
    /* a symlink elsewhere that points into /proc */
    char link[64];
    snprintf(link, sizeof(link), "/tmp/procpaths-%d", pid);
    unlink(link);
    if (symlink("/proc/self/maps", link) == 0) {
        same_maps("symlink to /proc/self/maps", open(link, O_RDONLY));
        unlink(link);
    }
    /* relative to a working directory inside /proc */
    char cwd[4096];
    if (getcwd(cwd, sizeof(cwd)) && chdir("/proc/self") == 0) {
        same_maps("chdir /proc/self; maps", open("maps", O_RDONLY));
        if (chdir(cwd) != 0) return 1;
    }
    /* smaps: the mapping lines are those of maps */
    long r = slurp_fd(open("/proc/self/maps", O_RDONLY), ref, sizeof(ref));
    long g = slurp_fd(open("/proc/thread-self/smaps", O_RDONLY), got, sizeof(got));
    size_t k = 0;
    int ok = r > 0 && g > 0;
    for (char *line = strtok(got, "\n"); ok && line; line = strtok(NULL, "\n")) {
        unsigned long lo, hi;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 || strchr(line, ':') < line + 20)
            continue; /* a field line ("Size: ...") */
        size_t len = strlen(line);
        if (k + len + 1 > (size_t)r || memcmp(ref + k, line, len) != 0) ok = 0;
        k += len + 1;
    }
    printf("%-28s %s\n", "smaps lines = maps", ok && k == (size_t)r ? "same" : "DIFFERENT");

    /* memory of this process: the guest's, or refused */
    mem_alias("/proc/self/mem", AT_FDCWD, "/proc/self/mem");
    mem_alias("/proc/thread-self/mem", AT_FDCWD, "/proc/thread-self/mem");
    mem_alias("/proc/self/./mem", AT_FDCWD, "/proc/self/./mem");
    snprintf(p, sizeof(p), "/proc/%d/task/%d/mem", pid, tid);
    mem_alias("/proc/PID/task/TID/mem", AT_FDCWD, p);
    mem_alias("openat(/proc/self, mem)", self, "mem");
    int pm = open("/proc/self/pagemap", O_RDONLY);
    unsigned long long ent = 0;
    printf("%-28s %s\n", "/proc/self/pagemap",
           pm < 0 ? (errno == EACCES ? "refused" : "error")
           : pread(pm, &ent, 8, (off_t)((unsigned long)&target / 4096 * 8)) == 8 ? "refused"
                                                                                 : "error");
    if (pm >= 0) close(pm);
    /* map_files: refused, or every entry is a guest mapping from maps */
    DIR *mf = opendir("/proc/self/map_files");
    int mf_ok = 1;
    if (mf) {
        struct dirent *e;
        slurp_fd(open("/proc/self/maps", O_RDONLY), ref, sizeof(ref));
        while ((e = readdir(mf)))
            if (e->d_name[0] != '.' && !strstr(ref, e->d_name)) mf_ok = 0;
        closedir(mf);
    }
    printf("%-28s %s\n", "/proc/self/map_files", mf_ok ? "refused" : "ESCAPED");
    close(self);
    close(task);

    /* descriptors: listed <=> usable, and /proc/self/fd/N exists <=> usable */
    static char listed[1024];
    DIR *d = opendir("/proc/self/fd");
    int dfd = d ? dirfd(d) : -1;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        int n = atoi(e->d_name);
        if (e->d_name[0] != '.' && n >= 0 && n < 1024 && n != dfd) listed[n] = 1;
    }
    int bad = 0;
    char mine[64];
    snprintf(mine, sizeof(mine), "/tmp/perf-%d.map", pid);
    for (int fd = 0; fd < 1024; fd++) {
        if (fd == dfd) continue;
        int usable = fcntl(fd, F_GETFD) >= 0;
        char lp[64], lt[256];
        snprintf(lp, sizeof(lp), "/proc/self/fd/%d", fd);
        ssize_t ll = readlink(lp, lt, sizeof(lt) - 1);
        int has_link = ll >= 0;
        if (ll >= 0) {
            lt[ll] = 0;
            if (!strcmp(lt, mine)) {
                printf("fd %d: the emulator's perf map file\n", fd);
                bad = 1;
            }
        }
        if (usable != listed[fd] || has_link != usable) {
            printf("fd %d: usable %d listed %d link %d\n", fd, usable, listed[fd], has_link);
            bad = 1;
        }
    }
    if (d) closedir(d);
    printf("%-28s %s\n", "fd table", bad ? "INCONSISTENT" : "consistent");
    /* closing everything above stderr leaves the emulator working */
    int cr = (int)syscall(SYS_close_range, 3u, ~0u, 0u);
    printf("%-28s %s\n", "close_range(3, ~0)", cr == 0 ? "ok" : strerror(errno));
    snprintf(p, sizeof(p), "/tmp/perf-%d.map", pid);
    unlink(p); /* --perf-map's file, when the JIT wrote one */
    return 0;
}
