/* box.c - the --sandbox file tree.
 *
 * Under --sandbox[=DIR] the guest's "/" is DIR and nothing outside it can be named. The rule
 * must hold against a hostile guest, so it is not a prefix on strings (which ".." and
 * symlinks, absolute or relative, would get around, and which another guest thread could
 * race by swapping a directory for a symlink between a check and a use): the kernel resolves
 * every path, with openat2(2)'s RESOLVE_IN_ROOT against a descriptor of DIR. Inside that
 * resolution ".." stops at DIR, an absolute symlink starts again at DIR, and magic links
 * (/proc/PID/fd/N, /proc/PID/root, a procfs mounted inside DIR) are refused.
 *
 * A system call that takes a path then works on what that resolution opened, never on a
 * string the host would resolve again:
 * - open: openat2 itself, with the guest's flags (O_CREAT through a dangling symlink creates
 *   the file inside DIR, as in a chroot);
 * - a call that follows a final symlink (stat, access, chdir, execve, truncate, chmod...):
 *   the whole path is opened O_PATH and the call is given "/proc/self/fd/F", whose only
 *   component the host follows is that magic link, to the object already opened;
 * - a call that does not follow it or creates it (lstat, readlink, unlink, rename, mkdir,
 *   symlink, link, bind...): the parent directory is opened O_PATH and the call is given
 *   "/proc/self/fd/P/NAME", so the host looks up one plain name in an opened directory.
 * The temporary descriptor is registered as vm's own (core/hostfd.h), so another guest thread
 * cannot close it and put something else at its number, and is closed after the call.
 * Relative paths are joined to the guest path of their directory (the working directory, or
 * the dirfd's directory, which is inside DIR because every descriptor the guest opens is),
 * then resolved as above.
 *
 * Two trees keep host names, decided on the lexical form of the path before the kernel
 * resolves anything (a symlink inside DIR never reaches them: it resolves inside DIR):
 * - /proc: only this process's own directory (self, thread-self, own PID and thread ids,
 *   through path.c's classification): the guest's own maps, smaps, exe, cmdline, auxv,
 *   environ, cwd, fd/N and the fd listing, plus status, stat, statm, comm, limits and the
 *   task listing; mem, pagemap and the like are EACCES; a path through one of the magic links
 *   (cwd/..., fd/N/..., exe/...) is EACCES; anything else in /proc is ENOENT.
 * - /dev: /dev/null, /dev/zero, /dev/full, /dev/random and /dev/urandom, and the /dev/fd and
 *   /dev/std{in,out,err} names of the guest's own descriptors; anything else is ENOENT
 *   (/dev/tty too: a terminal reached by name could be driven to type into the host's shell).
 * The directories /proc and /dev themselves are DIR's (usually empty): listing them shows no
 * host process or device. /sys, /tmp and every other name are DIR's.
 *
 * Sockets: without --net only AF_UNIX; its path names resolve inside DIR like any other,
 * and abstract names (a host-wide namespace) are refused. */
#include "linux/box.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/hostfd.h"
#include "linux/abi.h"
#include "linux/copy.h"
#include "linux/internal.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* struct open_how and the RESOLVE_* bits of openat2(2) (linux/openat2.h). */
typedef struct box_how {
    uint64_t flags;   /* open flags */
    uint64_t mode;    /* creation mode (0 unless O_CREAT or O_TMPFILE) */
    uint64_t resolve; /* RESOLVE_* */
} box_how_t;
#define BOX_RESOLVE_NO_MAGICLINKS 0x02
#define BOX_RESOLVE_IN_ROOT       0x10
#define BOX_EAGAIN_TRIES          64 /* concurrent renames before giving up with EAGAIN */

int linux_box_open_root(int root, const char *path, int flags, mode_t mode) {
    box_how_t how = {.flags = (uint64_t)(unsigned)flags,
                     .mode = (flags & (O_CREAT | __O_TMPFILE)) ? (mode & 07777) : 0,
                     .resolve = BOX_RESOLVE_IN_ROOT | BOX_RESOLVE_NO_MAGICLINKS};
    for (int i = 0; i < BOX_EAGAIN_TRIES; i++) {
        long fd = syscall(SYS_openat2, root, path, &how, sizeof(how));
        if (fd >= 0) return (int)fd;
        if (errno != EAGAIN) return -errno;
    }
    return -EAGAIN;
}

int linux_box_init(linux_proc_t *p, char *err, size_t errlen) {
    int fd = open(p->opt.sandbox, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        snprintf(err, errlen, "--sandbox: %s: %s", p->opt.sandbox, strerror(e));
        return -e;
    }
    int probe = linux_box_open_root(fd, "/", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
    if (probe < 0) {
        snprintf(err, errlen, "--sandbox needs openat2 with RESOLVE_IN_ROOT (Linux 5.6): %s",
                 strerror(-probe));
        close(fd);
        return probe;
    }
    close(probe);
    bool registered;
    fd = vm_hostfd_keep_high(fd, &registered);
    if (!registered) {
        snprintf(err, errlen, "--sandbox: too many descriptors of vm's own");
        close(fd);
        return -EMFILE;
    }
    p->root_fd = fd;
    return 0;
}

/* Whether the canonical path p is dir or lies below it. */
static bool under(const char *p, const char *dir) {
    size_t l = strlen(dir);
    return !strncmp(p, dir, l) && (p[l] == 0 || p[l] == '/');
}

/* The guest's view of a host directory name d (in place): inside the root, or this process's
 * /proc. -LINUX_E* for anything else (a descriptor of something outside the box). */
static int guest_dir(linux_thread_t *t, char *d, size_t n) {
    const char *root = t->proc->opt.sandbox;
    if (d[0] != '/') return -LINUX_ENOTDIR; /* pipe:[...], socket:[...], anon_inode:... */
    if (under(d, root)) return linux_path_guest_view(root, d, d, n);
    if (under(d, "/proc")) return 0;
    return -LINUX_EACCES;
}

int linux_box_abs(linux_thread_t *t, int dirfd, const char *g, char *out, size_t n) {
    size_t gl = strlen(g);
    if (g[0] == '/') {
        if (gl + 1 > n) return -LINUX_ENAMETOOLONG;
        memcpy(out, g, gl + 1);
        return 0;
    }
    char dir[4096];
    if (dirfd == LINUX_AT_FDCWD) {
        if (!getcwd(dir, sizeof(dir))) return -linux_errno_from_host(errno);
    } else {
        if (dirfd < 0 || vm_hostfd_is_own(dirfd)) return -LINUX_EBADF;
        char link[64];
        snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
        ssize_t k = readlink(link, dir, sizeof(dir) - 1);
        if (k < 0) return -LINUX_EBADF;
        dir[k] = 0;
        struct stat st;
        if (fstat(dirfd, &st) == 0 && !S_ISDIR(st.st_mode)) return -LINUX_ENOTDIR;
    }
    int rc = guest_dir(t, dir, sizeof(dir));
    if (rc) return rc;
    int k = snprintf(out, n, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", g);
    if (k < 0 || (size_t)k >= n) return -LINUX_ENAMETOOLONG;
    return 0;
}

/* The part of a canonical /proc/PID[/task/TID]/REST name after the process or thread
 * directory ("" for the directory itself). */
static const char *proc_rest(const char *h) {
    const char *q = h + 6; /* "/proc/" */
    while (*q && *q != '/')
        q++;
    if (*q == '/') q++;
    if (!strncmp(q, "task/", 5)) {
        const char *r = q + 5;
        while (*r >= '0' && *r <= '9')
            r++;
        if (r > q + 5 && (*r == '/' || *r == 0)) q = *r ? r + 1 : r;
    }
    return q;
}

/* Whether REST, an entry the host serves (LINUX_PROC_OTHER), may be opened in the box: the
 * process directory itself and a short list of plain files, never a path through a link. */
static bool proc_other_ok(const char *rest) {
    static const char *const ok[] = {"status", "stat", "statm", "comm", "limits", "task"};
    if (!*rest) return true;
    if (strchr(rest, '/')) return false;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        if (!strcmp(rest, ok[i])) return true;
    return false;
}

/* The host devices a sandboxed guest may open. */
static bool dev_ok(const char *c) {
    static const char *const ok[] = {"/dev/null", "/dev/zero", "/dev/full", "/dev/random",
                                     "/dev/urandom"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        if (!strcmp(c, ok[i])) return true;
    return false;
}

/* The /proc and /dev names: *done set when out is final (or an error is returned); else abs
 * may have been rewritten (/proc/self/root/X is X) and is resolved in the box. */
static int host_names(linux_thread_t *t, char *abs, size_t n, linux_path_t *out, bool *done) {
    char canon[4096];
    *done = false;
    int rc = linux_path_canon(abs, canon, sizeof(canon));
    if (rc) return rc;
    if (!under(canon, "/proc") && !under(canon, "/dev")) return 0;
    if (!strcmp(canon, "/proc") || !strcmp(canon, "/dev")) return 0; /* the box's own */
    *done = true;
    linux_path_ctx_t c = linux_path_ctx(t);
    int fdn = -1;
    int kind = linux_path_proc(&c, canon, out->host, sizeof(out->host), &fdn);
    if (kind < 0) return kind;
    if (kind == LINUX_PROC_NONE) {
        if (under(out->host, "/proc")) return -LINUX_ENOENT; /* not this process's */
        if (under(out->host, "/dev")) return dev_ok(out->host) ? 0 : -LINUX_ENOENT;
        /* /proc/self/root/X: the box's X */
        *done = false;
        size_t l = strlen(out->host);
        if (l + 1 > n) return -LINUX_ENAMETOOLONG;
        memcpy(abs, out->host, l + 1);
        return 0;
    }
    const char *rest = proc_rest(out->host);
    switch (kind) {
    case LINUX_PROC_REFUSED: return -LINUX_EACCES;
    case LINUX_PROC_OTHER:
        if (!proc_other_ok(rest)) return -LINUX_EACCES;
        break;
    case LINUX_PROC_FD: {
        const char *num = strchr(rest, '/');                    /* fd/N or fdinfo/N */
        if (!num || strchr(num + 1, '/')) return -LINUX_EACCES; /* a path through fd/N */
        if (vm_hostfd_is_own(fdn)) return -LINUX_ENOENT;
        break;
    }
    default: break;
    }
    out->kind = (linux_proc_kind_t)kind;
    out->fd = fdn;
    return 0;
}

/* Keep descriptor fd as out's temporary (vm's own until released). */
static void keep_tmp(linux_path_t *out, int fd) {
    out->tmpfd = fd;
    vm_hostfd_add(fd); /* a full table leaves it only unprotected */
}

int linux_box_resolve(linux_thread_t *t, int dirfd, const char *g, linux_path_mode_t mode,
                      linux_path_t *out) {
    if (!g[0]) { /* AT_EMPTY_PATH: the descriptor itself (the call reports ENOENT otherwise) */
        if (dirfd != LINUX_AT_FDCWD && vm_hostfd_is_own(dirfd)) return -LINUX_EBADF;
        out->host[0] = 0;
        return 0;
    }
    char abs[4096];
    int rc = linux_box_abs(t, dirfd, g, abs, sizeof(abs));
    if (rc) return rc;
    bool done;
    rc = host_names(t, abs, sizeof(abs), out, &done);
    if (rc || done) return rc;
    int root = t->proc->root_fd;
    if (mode == LINUX_PATH_OPEN) {
        size_t l = strlen(abs);
        if (l + 1 > sizeof(out->host)) return -LINUX_ENAMETOOLONG;
        memcpy(out->host, abs, l + 1);
        out->box_open = true;
        return 0;
    }
    /* split off the last component (trailing slashes dropped) */
    size_t l = strlen(abs);
    bool slash = false;
    while (l > 1 && abs[l - 1] == '/') {
        abs[--l] = 0;
        slash = true;
    }
    char *last = strrchr(abs, '/');
    const char *base = last + 1;
    bool dot = !strcmp(base, ".") || !strcmp(base, "..") || !*base;
    bool dir = dot || (slash && mode == LINUX_PATH_NOFOLLOW); /* names a directory */
    if (mode == LINUX_PATH_LOOKUP || mode == LINUX_PATH_HOST || dir) {
        int fd = linux_box_open_root(root, abs, O_PATH | O_CLOEXEC | (dir ? O_DIRECTORY : 0), 0);
        if (fd < 0) return -linux_errno_from_host(-fd);
        keep_tmp(out, fd);
        /* a call that does not follow a final link would see /proc's link itself: a directory
         * is named by its "." instead */
        snprintf(out->host, sizeof(out->host), "/proc/self/fd/%d%s", fd, dir ? "/." : "");
        return 0;
    }
    char parent[4096];
    size_t pl = (size_t)(last - abs);
    memcpy(parent, abs, pl);
    parent[pl] = 0;
    if (!pl) strcpy(parent, "/");
    int fd = linux_box_open_root(root, parent, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
    if (fd < 0) return -linux_errno_from_host(-fd);
    keep_tmp(out, fd);
    int k = snprintf(out->host, sizeof(out->host), "/proc/self/fd/%d/%s", fd, base);
    if (k < 0 || (size_t)k >= sizeof(out->host)) {
        linux_path_release(out);
        return -LINUX_ENAMETOOLONG;
    }
    return 0;
}

int linux_box_openat(linux_thread_t *t, const char *g, int fl, mode_t mode) {
    int fd = linux_box_open_root(t->proc->root_fd, g, fl, mode);
    return fd < 0 ? -linux_errno_from_host(-fd) : fd;
}

bool linux_box_socket_ok(const linux_proc_t *p, int domain) {
    return !p->opt.sandbox || p->opt.net || domain == AF_UNIX;
}

int linux_box_sockaddr(linux_thread_t *t, uint64_t ga, size_t len, bool create,
                       struct sockaddr_un *out, socklen_t *outlen, int *tmp) {
    *tmp = -1;
    if (!t->proc->opt.sandbox || !ga || len <= offsetof(struct sockaddr_un, sun_path)) return 0;
    struct sockaddr_un su;
    memset(&su, 0, sizeof(su));
    size_t cl = len < sizeof(su) ? len : sizeof(su);
    if (linux_copy_from_guest(t, &su, ga, cl)) return -LINUX_EFAULT;
    if (su.sun_family != AF_UNIX) return 0; /* other families: the socket itself was checked */
    if (su.sun_path[0] == 0) return t->proc->opt.net ? 0 : -LINUX_EACCES; /* abstract */
    char g[sizeof(su.sun_path) + 1];
    size_t pl = cl - offsetof(struct sockaddr_un, sun_path);
    memcpy(g, su.sun_path, pl);
    g[pl] = 0;
    linux_path_t r;
    memset(&r, 0, sizeof(r));
    r.tmpfd = -1;
    r.fd = -1;
    int rc =
        linux_box_resolve(t, LINUX_AT_FDCWD, g, create ? LINUX_PATH_CREATE : LINUX_PATH_LOOKUP, &r);
    if (rc) return rc;
    size_t hl = strlen(r.host);
    if (r.kind != LINUX_PROC_NONE || hl >= sizeof(out->sun_path)) {
        linux_path_release(&r);
        return r.kind != LINUX_PROC_NONE ? -LINUX_EACCES : -LINUX_ENAMETOOLONG;
    }
    memset(out, 0, sizeof(*out));
    out->sun_family = AF_UNIX;
    memcpy(out->sun_path, r.host, hl + 1);
    *outlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + hl + 1);
    *tmp = r.tmpfd; /* the caller closes it after the call */
    return 1;
}

/* ---- processes: the guest's own tree ----
 *
 * A sandboxed guest may signal, renice, reschedule or read the limits of its own processes
 * only: those of the tree that starts at the first sandboxed process (p->tree_pid, whose
 * start time tells it from a later process given the same pid) and goes down through fork,
 * clone and execve (each a vm process, or the host child of a vfork). Any other process,
 * the vm's own parent and PID 1 among them, is ESRCH, as in a container that cannot see it.
 * A process is in the tree when its chain of parents reaches the first process, or the
 * calling one: a process whose parent exited is reparented outside the tree and is then no
 * longer reachable by its former siblings, but it still reaches its own children. Each step
 * of the chain is checked against pid reuse: a parent cannot have started after its child.
 * A process group (kill(0), kill(-PGRP), kill(-1), setpriority(PRIO_PGRP)) is the members
 * that are in the tree, found by reading /proc. A signal goes to a single process through a
 * pidfd opened before the check, so that the process checked is the process signalled. */

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

/* The start of the host's /proc/ID/NAME, NUL-terminated in buf (cap bytes); false when
 * process or thread id does not exist. */
static bool read_proc(int id, const char *name, char *buf, size_t cap) {
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/%s", id, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    ssize_t n = read(fd, buf, cap - 1);
    close(fd);
    if (n <= 0) return false;
    buf[n] = 0;
    return true;
}

/* Parent, process group and start time of process (or thread) id, from /proc/ID/stat.
 * 0, or -1 when it does not exist. */
static int proc_stat(int id, int *ppid, int *pgrp, unsigned long long *start) {
    char buf[1024];
    if (!read_proc(id, "stat", buf, sizeof(buf))) return -1;
    char *q = strrchr(buf, ')'); /* the name may hold anything but ends before the last ) */
    if (!q) return -1;
    char state;
    if (sscanf(q + 1, " %c %d %d", &state, ppid, pgrp) != 3) return -1;
    /* the start time is the 22nd field, the 20th after the name */
    char *r = q + 2;
    for (int i = 0; i < 19 && r; i++) {
        r = strchr(r, ' ');
        if (r) r++;
    }
    if (!r) return -1;
    *start = strtoull(r, NULL, 10);
    return 0;
}

/* The process (thread group) of thread id, from /proc/ID/status; -1 when there is none. */
static int tgid_of(int id) {
    char buf[1024];
    if (!read_proc(id, "status", buf, sizeof(buf))) return -1;
    const char *q = strstr(buf, "\nTgid:");
    return q ? atoi(q + 6) : -1;
}

int linux_box_tree_init(linux_proc_t *p) {
    int pp, pg;
    if (p->opt.sandbox_tree) {
        if (sscanf(p->opt.sandbox_tree, "%d:%llu", &p->tree_pid, &p->tree_start) == 2) return 0;
        fprintf(stderr, "vm: --sandbox-tree=%s: not PID:START\n", p->opt.sandbox_tree);
        return -EINVAL;
    }
    p->tree_pid = getpid();
    if (proc_stat(p->tree_pid, &pp, &pg, &p->tree_start) != 0) {
        fprintf(stderr, "vm: --sandbox: cannot read /proc/self/stat\n");
        return -ENOENT;
    }
    return 0;
}

/* Whether process pid is in the guest's tree (see above). */
static bool tree_has(const linux_proc_t *p, int pid) {
    int self = getpid(), cur = pid, pp, pg;
    unsigned long long st, pst;
    if (proc_stat(cur, &pp, &pg, &st) != 0) return false;
    for (int depth = 0; depth < 4096; depth++) {
        if (cur == self || (cur == p->tree_pid && st == p->tree_start)) return true;
        if (pp <= 0) return false;
        int next = pp;
        if (proc_stat(next, &pp, &pg, &pst) != 0 || pst > st) return false; /* pid reused */
        cur = next;
        st = pst;
    }
    return false;
}

int linux_box_pid_check(linux_thread_t *t, int id) {
    if (!t->proc->opt.sandbox || id <= 0 || id == getpid()) return 0;
    int tgid = tgid_of(id);
    if (tgid < 0) return -LINUX_ESRCH;
    if (tgid == getpid()) return 0;
    return tree_has(t->proc, tgid) ? 0 : -LINUX_ESRCH;
}

int linux_box_group(linux_thread_t *t, int pgrp, int *out, int max, int *outside) {
    int n = 0, self = getpid();
    *outside = 0;
    DIR *d = opendir("/proc");
    if (!d) return 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
        int pid = atoi(e->d_name), pp, pg;
        unsigned long long st;
        if (pgrp == -1 ? pid == self || pid == 1 : false) continue; /* kill(-1) skips these */
        if (proc_stat(pid, &pp, &pg, &st) != 0) continue;
        if (pgrp != -1 && pg != pgrp) continue;
        if (pid != self && !tree_has(t->proc, pid)) {
            (*outside)++;
            continue;
        }
        if (n < max) out[n++] = pid;
    }
    closedir(d);
    return n;
}

int linux_box_kill(linux_thread_t *t, int pid, int hs) {
    int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pfd < 0 && errno == ESRCH) return -LINUX_ESRCH;
    if (pfd >= 0) vm_hostfd_add(pfd); /* not the guest's to close under us */
    int rc = linux_box_pid_check(t, pid);
    if (!rc) {
        /* a thread id that is not a process's (no pidfd of its own) signals its process, as
         * kill(2) does: the check above was of that process */
        long r = pfd >= 0 ? syscall(SYS_pidfd_send_signal, pfd, hs, NULL, 0) : kill(pid, hs);
        rc = r < 0 ? -linux_errno_from_host(errno) : 0;
    }
    if (pfd >= 0) {
        vm_hostfd_remove(pfd);
        close(pfd);
    }
    return rc;
}

/* ---- socket names ----
 *
 * A path socket the guest binds or connects to is given to the host as /proc/self/fd/N/NAME
 * (N an O_PATH descriptor of its directory, resolved in the box), and that string is what the
 * kernel keeps and reports. The name the guest gave is kept here, keyed by the socket's inode
 * (so it survives dup and fork): bind's for getsockname, connect's for getpeername. A name
 * with no record (a peer's bind in another process, a record replaced) is shown as NAME, the
 * last component, the only part of the host's string that is the guest's. */
typedef struct box_name {
    uint64_t ino;   /* the socket's inode (sockfs) */
    int which;      /* LINUX_BOX_NAME_OWN or LINUX_BOX_NAME_PEER */
    char path[109]; /* the guest's sun_path, NUL-terminated */
} box_name_t;
#define BOX_NAMES 128
static box_name_t box_names[BOX_NAMES];
static unsigned box_names_next; /* the slot a new record takes when none is free */
static pthread_mutex_t box_names_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t sock_ino(int fd) {
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode) ? (uint64_t)st.st_ino : 0;
}

void linux_box_name_keep(int fd, int which, const void *gaddr, size_t glen) {
    uint64_t ino = sock_ino(fd);
    size_t off = offsetof(struct sockaddr_un, sun_path);
    if (!ino || glen <= off) return;
    size_t pl = glen - off;
    if (pl > sizeof(box_names[0].path) - 1) pl = sizeof(box_names[0].path) - 1;
    pthread_mutex_lock(&box_names_lock);
    box_name_t *slot = NULL;
    for (int i = 0; i < BOX_NAMES && !slot; i++)
        if (box_names[i].ino == ino && box_names[i].which == which) slot = &box_names[i];
    for (int i = 0; i < BOX_NAMES && !slot; i++)
        if (!box_names[i].ino) slot = &box_names[i];
    if (!slot) slot = &box_names[box_names_next++ % BOX_NAMES];
    slot->ino = ino;
    slot->which = which;
    memcpy(slot->path, (const char *)gaddr + off, pl);
    slot->path[pl] = 0;
    pthread_mutex_unlock(&box_names_lock);
}

socklen_t linux_box_name_show(int fd, int which, struct sockaddr_un *su, socklen_t len) {
    static const char pre[] = "/proc/self/fd/";
    size_t off = offsetof(struct sockaddr_un, sun_path);
    if (len <= off + sizeof(pre) - 1 || su->sun_family != AF_UNIX) return len;
    char host[sizeof(su->sun_path) + 1];
    size_t hl = len - off < sizeof(su->sun_path) ? len - off : sizeof(su->sun_path);
    memcpy(host, su->sun_path, hl);
    host[hl] = 0;
    if (strncmp(host, pre, sizeof(pre) - 1) != 0) return len;
    const char *name = strchr(host + sizeof(pre) - 1, '/'); /* after N */
    if (!name) return len;
    name++;
    char shown[sizeof(su->sun_path) + 1];
    snprintf(shown, sizeof(shown), "%s", name);
    uint64_t ino = which == LINUX_BOX_NAME_OTHER ? 0 : sock_ino(fd);
    pthread_mutex_lock(&box_names_lock);
    for (int i = 0; ino && i < BOX_NAMES; i++) {
        const box_name_t *b = &box_names[i];
        if (b->ino != ino || b->which != which) continue;
        /* the record is this socket's when its last component is the host's */
        const char *s = strrchr(b->path, '/');
        s = s ? s + 1 : b->path;
        if (!strcmp(s, name)) snprintf(shown, sizeof(shown), "%s", b->path);
        break;
    }
    pthread_mutex_unlock(&box_names_lock);
    size_t sl = strlen(shown);
    if (sl >= sizeof(su->sun_path)) sl = sizeof(su->sun_path) - 1;
    memset(su->sun_path, 0, sizeof(su->sun_path));
    memcpy(su->sun_path, shown, sl);
    return (socklen_t)(off + sl + 1);
}

void linux_box_name_accepted(int listener, int fd) {
    uint64_t from = sock_ino(listener);
    char path[sizeof(box_names[0].path)];
    path[0] = 0;
    pthread_mutex_lock(&box_names_lock);
    for (int i = 0; from && i < BOX_NAMES; i++)
        if (box_names[i].ino == from && box_names[i].which == LINUX_BOX_NAME_OWN)
            memcpy(path, box_names[i].path, sizeof(path));
    pthread_mutex_unlock(&box_names_lock);
    if (!path[0]) return;
    struct sockaddr_un su = {.sun_family = AF_UNIX};
    size_t pl = strlen(path);
    memcpy(su.sun_path, path, pl);
    linux_box_name_keep(fd, LINUX_BOX_NAME_OWN, &su, offsetof(struct sockaddr_un, sun_path) + pl);
}
