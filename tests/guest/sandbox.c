/* sandbox.c - escape attempts from inside `vm run --sandbox=BOX`, run by sandbox.sh.
 *
 *   sandbox SECRET_FILE SECRET_DIR PARENT_PID UNRELATED_PID [child]
 *
 * SECRET_FILE and SECRET_DIR are host paths outside the box; SECRET_FILE holds "SECRET", and
 * so does SECRET_DIR/f. PARENT_PID (the script) and UNRELATED_PID (a host process the script
 * started, in vm's process group) are processes outside the guest's tree: no signal, no
 * change of priority or scheduling may reach them. The box holds /etc/hello ("inside"), /tmp, /d/f
 * ("inside") and this program as /bin/self. Every attempt prints one line: what it read, or the
 * errno name, so that the expected output pins the exact errno of each refusal. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *ename(int e) {
    switch (e) {
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOEXEC: return "ENOEXEC";
    case ENOSYS: return "ENOSYS";
    case ENOTDIR: return "ENOTDIR";
    case EBADF: return "EBADF";
    case ELOOP: return "ELOOP";
    case EXDEV: return "EXDEV";
    case ECONNREFUSED: return "ECONNREFUSED";
    case ESRCH: return "ESRCH";
    default: return strerror(e);
    }
}

/* Print what the file at dirfd/path holds (first line), or the errno. */
static void show_at(const char *what, int dirfd, const char *path) {
    int fd = openat(dirfd, path, O_RDONLY);
    if (fd < 0) {
        printf("%s: %s\n", what, ename(errno));
        return;
    }
    char buf[64] = {0};
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n < 0) {
        printf("%s: read %s\n", what, ename(errno));
        return;
    }
    buf[strcspn(buf, "\n")] = 0;
    printf("%s: %s\n", what, buf);
}

static void show(const char *what, const char *path) {
    show_at(what, AT_FDCWD, path);
}

/* Print 0 or the errno of a call that returned r. */
static void rc(const char *what, long r) {
    if (r < 0)
        printf("%s: %s\n", what, ename(errno));
    else
        printf("%s: ok\n", what);
}

/* Print the name f (getsockname or getpeername) gives for socket fd. */
static void sock_name(const char *what, int fd, int (*f)(int, struct sockaddr *, socklen_t *)) {
    struct sockaddr_un a;
    memset(&a, 0, sizeof(a));
    socklen_t len = sizeof(a);
    if (f(fd, (struct sockaddr *)&a, &len) < 0) {
        printf("%s: %s\n", what, ename(errno));
        return;
    }
    printf("%s: %s (length %u)\n", what, a.sun_path, (unsigned)len);
}

/* The race: one thread swaps /tmp/race between a directory of the box and a symlink to the
 * secret directory while this one opens /tmp/race/f; the host's file must never be read. */
static const char *secret_dir;
static volatile int stop;
static void *swapper(void *arg) {
    (void)arg;
    while (!stop) {
        symlink(secret_dir, "/tmp/race-l");
        rename("/tmp/race-l", "/tmp/race"); /* fails while /tmp/race is a directory */
        unlink("/tmp/race");
        mkdir("/tmp/race", 0755);
        int fd = open("/tmp/race/f", O_CREAT | O_WRONLY | O_TRUNC, 0644);
        if (fd >= 0) {
            if (write(fd, "inside\n", 7) != 7) break;
            close(fd);
        }
        sched_yield();
        unlink("/tmp/race/f");
        rmdir("/tmp/race");
    }
    return NULL;
}

static void race(void) {
    pthread_t th;
    pthread_create(&th, NULL, swapper, NULL);
    int leaked = 0, opened = 0;
    for (int i = 0; i < 20000; i++) {
        int fd = open("/tmp/race/f", O_RDONLY);
        if (fd < 0) continue;
        char buf[16] = {0};
        if (read(fd, buf, sizeof(buf) - 1) > 0) {
            opened++;
            if (!strncmp(buf, "SECRET", 6)) leaked++;
        }
        close(fd);
    }
    stop = 1;
    pthread_join(th, NULL);
    printf("race: host file read %d times\n", leaked);
    (void)opened; /* how often the box's file was read varies with scheduling */
}

/* The child of an execve inside the box: still boxed, and still in the guest's process tree
 * (it can signal its parent, not the unrelated process). */
static int child(const char *secret, int unrelated) {
    show("child /etc/hello", "/etc/hello");
    show("child secret", secret);
    rc("child kill parent 0", kill(getppid(), 0));
    rc("child kill unrelated 0", kill(unrelated, 0));
    return 7;
}

/* Signals and the other calls that name a process: the guest's own tree only. */
static volatile sig_atomic_t usr1;
static void on_usr1(int sig) {
    (void)sig;
    usr1++;
}
static void processes(int parent, int unrelated) {
    rc("kill vm's parent 0", kill(getppid(), 0));
    rc("kill PARENT_PID 0", kill(parent, 0));
    rc("kill 1 0", kill(1, 0));
    rc("kill unrelated SIGTERM", kill(unrelated, SIGTERM));
    rc("tgkill unrelated SIGTERM", syscall(SYS_tgkill, unrelated, unrelated, SIGTERM));
    rc("sigqueue unrelated SIGTERM", sigqueue(unrelated, SIGTERM, (union sigval){0}));
    rc("kill -1 0 with no child", kill(-1, 0));
    rc("setpriority unrelated", setpriority(PRIO_PROCESS, (id_t)unrelated, 19));
    errno = 0;
    int pr = getpriority(PRIO_PROCESS, (id_t)unrelated);
    rc("getpriority unrelated", pr == -1 && errno ? -1 : 0);
    rc("setpriority PRIO_USER", setpriority(PRIO_USER, 0, 19));
    rc("setpriority PRIO_PGRP", setpriority(PRIO_PGRP, 0, 19));
    rc("sched_getscheduler unrelated", sched_getscheduler(unrelated));
    cpu_set_t cs;
    CPU_ZERO(&cs);
    rc("sched_getaffinity unrelated", sched_getaffinity(unrelated, sizeof(cs), &cs));
    rc("sched_getaffinity 1", sched_getaffinity(1, sizeof(cs), &cs));
    struct rlimit rl;
    rc("prlimit unrelated", prlimit(unrelated, RLIMIT_NOFILE, NULL, &rl));
    rc("getsid 1", getsid(1));
    rc("getpgid unrelated", getpgid(unrelated));
    /* the group holds the script's shell and the unrelated process too: only this one gets it */
    signal(SIGUSR1, on_usr1);
    rc("kill 0 SIGUSR1", kill(0, SIGUSR1));
    printf("SIGUSR1 received: %d\n", (int)usr1);
    /* its own child: everything works */
    pid_t c = fork();
    if (c == 0) {
        for (;;)
            pause();
    }
    rc("kill -1 0 with a child", kill(-1, 0));
    rc("kill child 0", kill(c, 0));
    rc("setpriority child", setpriority(PRIO_PROCESS, (id_t)c, 5));
    rc("sched_getscheduler child", sched_getscheduler(c));
    rc("prlimit child", prlimit(c, RLIMIT_NOFILE, NULL, &rl));
    rc("getpgid child", getpgid(c));
    rc("kill child SIGTERM", kill(c, SIGTERM));
    int st = 0;
    waitpid(c, &st, 0);
    printf("child ended by SIGTERM: %d\n", WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
}

int main(int argc, char **argv) {
    if (argc < 5) return 2;
    const char *secret = argv[1];
    secret_dir = argv[2];
    int ppid = atoi(argv[3]);
    int unrelated = atoi(argv[4]);
    if (argc > 5 && !strcmp(argv[5], "child")) return child(secret, unrelated);
    char p[4096];

    /* paths and "..": the root is the box's */
    char cwd[256];
    printf("getcwd: %s\n", getcwd(cwd, sizeof(cwd)) ? cwd : ename(errno));
    show("/etc/hello", "/etc/hello");
    show("/../../etc/hello", "/../../etc/hello");
    show("secret by name", secret);
    snprintf(p, sizeof(p), "/../../../../../../..%s", secret);
    show("secret through ..", p);
    rc("stat secret", stat(secret, &(struct stat){0}));
    rc("access secret", access(secret, F_OK));
    struct stat rs;
    rc("lstat /", lstat("/", &rs));
    printf("lstat / is a directory: %d\n", S_ISDIR(rs.st_mode));
    rc("lstat /etc/", lstat("/etc/", &rs));
    printf("lstat /etc/ is a directory: %d\n", S_ISDIR(rs.st_mode));
    rc("chdir ..", chdir("/.."));
    printf("getcwd after chdir ..: %s\n", getcwd(cwd, sizeof(cwd)) ? cwd : ename(errno));

    /* symlinks: absolute and relative, to files and directories */
    rc("symlink abs", symlink(secret, "/tmp/abs"));
    show("through abs symlink", "/tmp/abs");
    rc("symlink rel", symlink("../../../../../../../../etc/hello", "/tmp/rel"));
    show("through rel symlink", "/tmp/rel");
    rc("symlink dir", symlink(secret_dir, "/tmp/sdir"));
    show("through dir symlink", "/tmp/sdir/f");
    rc("symlink up", symlink("/..", "/tmp/up"));
    show("through /.. symlink", "/tmp/up/etc/hello");
    /* a dangling absolute link: the file is created inside the box (sandbox.sh looks) */
    rc("symlink dangling", symlink("/etc/vm-sandbox-created", "/tmp/dangling"));
    int wfd = open("/tmp/dangling", O_CREAT | O_WRONLY, 0644);
    rc("create through dangling symlink", wfd);
    if (wfd >= 0) close(wfd);
    rc("created in the box", access("/etc/vm-sandbox-created", F_OK));
    rc("create through abs symlink to the secret", open("/tmp/abs", O_CREAT | O_WRONLY, 0644));
    rc("mkdir through dir symlink", mkdir("/tmp/sdir/new", 0755));
    rc("rename out", rename("/etc/hello", "/tmp/sdir/hello"));
    rc("link out", link("/etc/hello", "/tmp/up/../../hello2"));
    rc("unlink through dir symlink", unlink("/tmp/sdir/f"));
    char link[4096];
    ssize_t n = readlink("/tmp/abs", link, sizeof(link) - 1);
    printf("readlink abs: %s\n", n == (ssize_t)strlen(secret) ? "the text as written" : "?");
    struct stat st;
    rc("lstat abs", lstat("/tmp/abs", &st));
    printf("lstat abs is a link: %d\n", S_ISLNK(st.st_mode));

    /* descriptors: dirfd-relative, O_PATH, /proc/self/fd, /proc/self/root, /proc/self/cwd */
    int dfd = open("/tmp", O_PATH | O_DIRECTORY);
    rc("O_PATH /tmp", dfd);
    show_at("dirfd ../../etc/hello", dfd, "../../../etc/hello");
    snprintf(p, sizeof(p), "../../../..%s", secret);
    show_at("dirfd secret", dfd, p);
    snprintf(p, sizeof(p), "/proc/self/fd/%d/../etc/hello", dfd);
    show("through /proc/self/fd/N/..", p);
    snprintf(p, sizeof(p), "/dev/fd/%d/rel", dfd);
    show("through /dev/fd/N/name", p);
    show("through /proc/self/root", "/proc/self/root/etc/hello");
    snprintf(p, sizeof(p), "/proc/self/root%s", secret);
    show("secret through /proc/self/root", p);
    show("through /proc/self/cwd", "/proc/self/cwd/etc/hello");
    snprintf(p, sizeof(p), "/proc/self/fd/%d", dfd);
    n = readlink(p, link, sizeof(link) - 1);
    link[n > 0 ? n : 0] = 0;
    printf("readlink fd: %s\n", n > 0 ? link : ename(errno));

    /* /proc: own entries only */
    show("/proc/self/status", "/proc/self/status");
    show("/proc/self/mem", "/proc/self/mem");
    show("/proc/thread-self/mem", "/proc/thread-self/mem");
    show("/proc/self/pagemap", "/proc/self/pagemap");
    show("/proc/1/status", "/proc/1/status");
    snprintf(p, sizeof(p), "/proc/%d/status", ppid);
    show("/proc/PARENT/status", p);
    snprintf(p, sizeof(p), "/proc/%d/mem", ppid);
    show("/proc/PARENT/mem", p);
    show("/proc/sys/kernel/hostname", "/proc/sys/kernel/hostname");
    show("/proc/self/map_files", "/proc/self/map_files");
    rc("/proc/self/ns/net", open("/proc/self/ns/net", O_RDONLY));

    /* devices: a short allow-list */
    rc("/dev/null", open("/dev/null", O_RDWR));
    rc("/dev/urandom", open("/dev/urandom", O_RDONLY));
    rc("/dev/mem", open("/dev/mem", O_RDONLY));
    rc("/dev/tty", open("/dev/tty", O_RDWR));
    rc("/dev/sda", open("/dev/sda", O_RDONLY));
    rc("/sys/kernel", access("/sys/kernel", F_OK));

    /* sockets: AF_UNIX only, its names in the box */
    rc("socket AF_INET", socket(AF_INET, SOCK_STREAM, 0));
    rc("socket AF_INET6", socket(AF_INET6, SOCK_DGRAM, 0));
    rc("socket AF_NETLINK", socket(AF_NETLINK, SOCK_RAW, 0));
    int sv[2];
    rc("socketpair AF_INET", socketpair(AF_INET, SOCK_STREAM, 0, sv));
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    rc("socket AF_UNIX", s);
    struct sockaddr_un su = {.sun_family = AF_UNIX};
    strcpy(su.sun_path, "/tmp/sock");
    rc("bind /tmp/sock", bind(s, (struct sockaddr *)&su, sizeof(su)));
    rc("listen", listen(s, 1));
    rc("the socket is in the box", stat("/tmp/sock", &st) == 0 && S_ISSOCK(st.st_mode) ? 0 : -1);
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    rc("connect /tmp/sock", connect(c, (struct sockaddr *)&su, sizeof(su)));
    /* the names read back are the guest's, not the host's */
    sock_name("getsockname", s, getsockname);
    sock_name("getpeername", c, getpeername);
    int ac = accept(s, NULL, NULL);
    sock_name("accepted getsockname", ac, getsockname);
    close(ac);
    close(c);
    c = socket(AF_UNIX, SOCK_DGRAM, 0);
    rc("chdir /tmp", chdir("/tmp"));
    struct sockaddr_un rel = {.sun_family = AF_UNIX};
    strcpy(rel.sun_path, "rel.sock");
    rc("bind rel.sock", bind(c, (struct sockaddr *)&rel, sizeof(rel)));
    sock_name("getsockname relative", c, getsockname);
    rc("chdir /", chdir("/"));
    close(c);
    /* a sender's name seen by recvfrom and recvmsg: never vm's host name for it */
    int da = socket(AF_UNIX, SOCK_DGRAM, 0), db = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un na = {.sun_family = AF_UNIX}, nb = {.sun_family = AF_UNIX};
    strcpy(na.sun_path, "/tmp/dg-a");
    strcpy(nb.sun_path, "/tmp/dg-b");
    rc("bind dgram",
       bind(da, (struct sockaddr *)&na, sizeof(na)) | bind(db, (struct sockaddr *)&nb, sizeof(nb)));
    for (int i = 0; i < 2; i++)
        sendto(da, "x", 1, 0, (struct sockaddr *)&nb, sizeof(nb));
    struct sockaddr_un from;
    memset(&from, 0, sizeof(from));
    socklen_t fl = sizeof(from);
    char ch;
    rc("recvfrom", recvfrom(db, &ch, 1, 0, (struct sockaddr *)&from, &fl));
    printf("recvfrom sender: %s\n", from.sun_path);
    memset(&from, 0, sizeof(from));
    struct iovec iv = {&ch, 1};
    struct msghdr mh = {
        .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iv, .msg_iovlen = 1};
    rc("recvmsg", recvmsg(db, &mh, 0));
    printf("recvmsg sender: %s (length %u)\n", from.sun_path, (unsigned)mh.msg_namelen);
    close(da);
    close(db);
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un ab = {.sun_family = AF_UNIX};
    memcpy(ab.sun_path, "\0vm-test-abstract", 17);
    rc("connect abstract", connect(c, (struct sockaddr *)&ab,
                                   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 17)));
    strcpy(su.sun_path, "/../../tmp/../run/nonexistent.sock");
    rc("connect outside", connect(c, (struct sockaddr *)&su, sizeof(su)));

    /* processes: no ptrace, no reaching another process's memory */
    rc("ptrace TRACEME", syscall(SYS_ptrace, 0, 0, 0, 0));
    char buf[8];
    struct iovec l = {buf, sizeof(buf)}, r = {buf, sizeof(buf)};
    rc("process_vm_writev", syscall(SYS_process_vm_writev, ppid, &l, 1, &r, 1, 0));

    /* execve: of a host binary (copied into the box) and of this program in the box */
    char *hv[] = {"true", NULL};
    rc("execve host binary", execv("/bin/host-true", hv));
    snprintf(p, sizeof(p), "%s", "/bin/true");
    rc("execve /bin/true", execv(p, hv));
    fflush(stdout);

    race();
    processes(ppid, unrelated);
    fflush(stdout);

    pid_t pid = fork();
    if (pid == 0) {
        char pp[16];
        snprintf(pp, sizeof(pp), "%d", ppid);
        char *av[] = {"self", (char *)secret, (char *)secret_dir, pp, argv[4], "child", NULL};
        execv("/tmp/../bin/self", av);
        printf("execve self: %s\n", ename(errno));
        _exit(1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    printf("child status: %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}
