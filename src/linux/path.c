/* path.c - the one resolver every guest path goes through.
 *
 * In user mode a guest path is a host path, with two kinds of exceptions, and both are
 * decided here so that no system call can apply them differently:
 *
 * 1. This process's /proc. The guest and vm are one host process, so the host's /proc/self
 *    describes vm: its memory map, its memory (mem, pagemap, map_files), its descriptors.
 *    Shown as is, it would let the guest read vm's layout and, through mem or map_files, write
 *    vm's own code. So every absolute path is first canonicalised lexically ("//", ".", "..")
 *    and the many names of "this process" are folded into one canonical host form: /proc/self,
 *    /proc/thread-self, /proc/PID and /proc/TID of any own thread, /proc/PID/task/TID,
 *    /dev/fd/N and /dev/std{in,out,err}, and /proc/self/root/... (the path below the root).
 *    Relative paths are joined to their directory first when that directory is in /proc (a
 *    dirfd opened on /proc/self, a working directory inside /proc). The entry under the
 *    canonical name decides: maps, smaps, exe, cmdline, auxv, environ and cwd are the guest's
 *    (vm serves them), mem, pagemap, map_files and the like are refused with EACCES, fd/N of
 *    one of vm's own descriptors (core/hostfd.h) does not exist, and everything else (status,
 *    limits, task lists...) is the host's. Because a lexical resolver cannot see every alias
 *    (a symlink elsewhere pointing into /proc, a bind mount), each successful host open is
 *    checked again: when the new descriptor is on procfs, the kernel's own name for it is
 *    classified the same way and the open is redone as the guest's view or refused.
 *
 * 2. The sysroot (-L DIR). The guest's absolute paths name files of its own root, which is a
 *    folder of the host. As qemu-riscv64 -L does, a path is taken from under the sysroot when
 *    it is there and from the host otherwise; the rule is the same for every call:
 *    - a lookup (open for reading or writing an existing file, stat, access, readlink,
 *      execve and its #! interpreter, chdir, xattr reads, PT_INTERP) uses SYSROOT/path when
 *      that exists;
 *    - a call that may create the name (open with O_CREAT, mkdir, mknod, symlink's and link's
 *      new name, rename's target) uses SYSROOT/path when it exists or when its parent
 *      directory exists under the sysroot; unlink, rmdir, rename's source and the like are
 *      lookups;
 *    - /proc, /dev, /sys and /tmp (and "/" itself) are always the host's;
 *    - relative paths are the host's relative to the working directory, which after a chdir
 *      into the sysroot lies inside it (getcwd shows it without the sysroot prefix).
 *    The rule is a prefix, not a chroot: ".." and absolute symlinks are resolved by the host,
 *    so this is a convenience, not a boundary (see docs/user-mode.md).
 *
 * 3. --sandbox (box.c) replaces the sysroot rule: the guest's "/" is the box's directory,
 *    every path is resolved by the kernel inside it (openat2 RESOLVE_IN_ROOT) and the call
 *    gets a name that the host cannot resolve differently; only this process's /proc and a
 *    few devices keep host names. linux_path_resolve hands such processes over to box.c
 *    whole; LINUX_PATH_NOFOLLOW (a call that does not follow a final symlink) only matters
 *    there.
 *
 * The pure parts (canonicalisation, the /proc classification, the guest view) take no
 * process state and are fuzzed on their own (tests/fuzz/fuzz_path.c). */
#include "linux/path.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "core/hostfd.h"
#include "linux/abi.h"
#include "linux/box.h"

#define PROC_MAGIC   0x9fa0 /* statfs f_type of procfs */
#define MAX_REWRITES 8      /* /proc/self/root/proc/self/root/...: ELOOP past this */

int linux_path_canon(const char *in, char *out, size_t n) {
    if (!in || in[0] != '/') return -LINUX_EINVAL;
    if (n < 2) return -LINUX_ENAMETOOLONG;
    size_t k = 0; /* out[0..k) is the canonical prefix, without a trailing slash */
    const char *p = in;
    while (*p) {
        while (*p == '/')
            p++;
        if (!*p) break;
        const char *e = p;
        while (*e && *e != '/')
            e++;
        size_t len = (size_t)(e - p);
        if (len == 1 && p[0] == '.') {
            /* nothing */
        } else if (len == 2 && p[0] == '.' && p[1] == '.') {
            while (k > 0 && out[k - 1] != '/')
                k--;
            if (k > 0) k--; /* the slash before the dropped component */
        } else {
            if (k + 1 + len + 1 > n) return -LINUX_ENAMETOOLONG;
            out[k++] = '/';
            memcpy(out + k, p, len);
            k += len;
        }
        p = e;
    }
    if (k == 0) out[k++] = '/';
    out[k] = 0;
    return 0;
}

/* The id spelled by the whole component [p, p+len) (decimal digits, no sign, no leading
 * zero), or -1. */
static long parse_id(const char *p, size_t len) {
    if (len == 0 || len > 9 || (p[0] == '0' && len > 1)) return -1;
    long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9') return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

/* Length of the first component of p (p does not start with a slash). */
static size_t comp_len(const char *p) {
    const char *e = strchr(p, '/');
    return e ? (size_t)(e - p) : strlen(p);
}

/* Whether the component [p, p+len) is the word w. */
static bool comp_is(const char *p, size_t len, const char *w) {
    return strlen(w) == len && !memcmp(p, w, len);
}

/* Whether id is this process or one of its threads. */
static bool own_id(const linux_path_ctx_t *c, long id) {
    if (id < 0) return false;
    if (id == c->pid || id == c->tid) return true;
    return c->is_own_tid && c->is_own_tid(c->opaque, id);
}

/* Write "/proc/PID[/task/TID]/rest" into out. 0 or -LINUX_ENAMETOOLONG. */
static int proc_name(char *out, size_t n, int pid, long tid, const char *rest) {
    int k = tid >= 0 ? snprintf(out, n, "/proc/%d/task/%ld%s%s", pid, tid, *rest ? "/" : "", rest)
                     : snprintf(out, n, "/proc/%d%s%s", pid, *rest ? "/" : "", rest);
    return k < 0 || (size_t)k >= n ? -LINUX_ENAMETOOLONG : 0;
}

/* The kind of the entry `rest` (canonical, relative, "" for the directory itself) of an own
 * /proc/PID or /proc/PID/task/TID directory. */
static linux_proc_kind_t entry_kind(const char *rest, int *fd) {
    if (!*rest) return LINUX_PROC_OTHER;
    size_t len = comp_len(rest);
    const char *tail = rest + len; /* "" or "/..." */
    static const struct {
        const char *name;
        linux_proc_kind_t kind;
    } exact[] = {
        {"maps", LINUX_PROC_MAPS}, {"smaps", LINUX_PROC_SMAPS},
        {"exe", LINUX_PROC_EXE},   {"cmdline", LINUX_PROC_CMDLINE},
        {"auxv", LINUX_PROC_AUXV}, {"environ", LINUX_PROC_ENVIRON},
        {"cwd", LINUX_PROC_CWD},
    };
    /* entries that expose vm's memory or host-side layout: refused whatever follows */
    static const char *const refused[] = {"mem",       "pagemap",      "map_files",
                                          "numa_maps", "smaps_rollup", "syscall",
                                          "stack",     "wchan",        "clear_refs"};
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        if (comp_is(rest, len, refused[i])) return LINUX_PROC_REFUSED;
    if (!*tail)
        for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
            if (comp_is(rest, len, exact[i].name)) return exact[i].kind;
    if (comp_is(rest, len, "fd") || comp_is(rest, len, "fdinfo")) {
        if (!*tail) return LINUX_PROC_FDDIR;
        const char *num = tail + 1;
        long v = parse_id(num, comp_len(num));
        if (v < 0) return LINUX_PROC_OTHER; /* the host says ENOENT */
        *fd = (int)v;
        return LINUX_PROC_FD;
    }
    return LINUX_PROC_OTHER;
}

int linux_path_proc(const linux_path_ctx_t *c, const char *in, char *out, size_t n, int *fd) {
    char buf[4096], tmp[4096];
    int rc = linux_path_canon(in, buf, sizeof(buf));
    if (rc) return rc;
    for (int round = 0; round < MAX_REWRITES; round++) {
        const char *p = buf;
        /* /dev/fd -> /proc/self/fd, /dev/stdin -> /proc/self/fd/0, ... */
        static const struct {
            const char *dev;
            const char *proc;
        } devs[] = {{"/dev/fd", "fd"},
                    {"/dev/stdin", "fd/0"},
                    {"/dev/stdout", "fd/1"},
                    {"/dev/stderr", "fd/2"}};
        for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
            size_t dl = strlen(devs[i].dev);
            if (!strncmp(p, devs[i].dev, dl) && (p[dl] == 0 || p[dl] == '/')) {
                int k = snprintf(tmp, sizeof(tmp), "/proc/%d/%s%s", c->pid, devs[i].proc, p + dl);
                if (k < 0 || (size_t)k >= sizeof(tmp)) return -LINUX_ENAMETOOLONG;
                memcpy(buf, tmp, (size_t)k + 1);
                break;
            }
        }
        if (strncmp(p, "/proc/", 6) != 0) break;
        const char *q = p + 6;
        size_t len = comp_len(q);
        long pid = -1, tid = -1;
        if (comp_is(q, len, "self")) {
            pid = c->pid;
        } else if (comp_is(q, len, "thread-self")) {
            pid = c->pid;
            tid = c->tid;
        } else {
            long id = parse_id(q, len);
            if (!own_id(c, id)) break; /* another process's, or not a process */
            pid = c->pid;
            if (id != c->pid) tid = id; /* /proc/TID of an own thread */
        }
        q += len;
        if (*q == '/') q++;
        /* task/TID of an own thread: thread level */
        if (tid < 0 && !strncmp(q, "task/", 5)) {
            const char *r = q + 5;
            size_t tl = comp_len(r);
            long id = parse_id(r, tl);
            if (own_id(c, id)) {
                tid = id;
                q = r + tl;
                if (*q == '/') q++;
            }
        }
        size_t rl = comp_len(q);
        if (comp_is(q, rl, "root")) {
            /* /proc/self/root/X is /X: resolve that instead */
            const char *below = q + rl;
            int k = snprintf(tmp, sizeof(tmp), "/%s", *below ? below + 1 : "");
            if (k < 0 || (size_t)k >= sizeof(tmp)) return -LINUX_ENAMETOOLONG;
            rc = linux_path_canon(tmp, buf, sizeof(buf));
            if (rc) return rc;
            continue;
        }
        int fdn = -1;
        linux_proc_kind_t kind = entry_kind(q, &fdn);
        rc = proc_name(out, n, (int)pid, tid, q);
        if (rc) return rc;
        if (kind == LINUX_PROC_FD && fd) *fd = fdn;
        return (int)kind;
    }
    size_t bl = strlen(buf);
    if (bl + 1 > n) return -LINUX_ENAMETOOLONG;
    memcpy(out, buf, bl + 1);
    /* a loop of root rewrites that did not settle */
    if (!strncmp(buf, "/proc/", 6)) {
        const char *q = buf + 6;
        size_t len = comp_len(q);
        if ((comp_is(q, len, "self") || comp_is(q, len, "thread-self")) &&
            !strncmp(q + len, "/root", 5))
            return -LINUX_ELOOP;
    }
    return LINUX_PROC_NONE;
}

bool linux_path_host_only(const char *p) {
    static const char *const trees[] = {"/proc", "/dev", "/sys", "/tmp"};
    if (!strcmp(p, "/")) return true;
    for (size_t i = 0; i < sizeof(trees) / sizeof(trees[0]); i++) {
        size_t l = strlen(trees[i]);
        if (!strncmp(p, trees[i], l) && (p[l] == 0 || p[l] == '/')) return true;
    }
    return false;
}

int linux_path_guest_view(const char *sysroot, const char *host, char *out, size_t n) {
    const char *v = host;
    if (sysroot && sysroot[0] == '/' && sysroot[1]) {
        size_t rl = strlen(sysroot);
        while (rl > 1 && sysroot[rl - 1] == '/')
            rl--;
        if (!strncmp(host, sysroot, rl) && (host[rl] == 0 || host[rl] == '/'))
            v = host[rl] ? host + rl : "/";
    }
    size_t l = strlen(v);
    if (l + 1 > n) return -LINUX_ENAMETOOLONG;
    memmove(out, v, l + 1);
    return 0;
}

/* ---- the process-aware part ---- */

/* is_own_tid for a live process: the host lists its threads in /proc/self/task. */
static bool host_own_tid(void *opaque, long id) {
    (void)opaque;
    char p[64];
    snprintf(p, sizeof(p), "/proc/self/task/%ld", id);
    return access(p, F_OK) == 0;
}

linux_path_ctx_t linux_path_ctx(linux_thread_t *t) {
    return (linux_path_ctx_t){.pid = (int)getpid(),
                              .tid = t->tid ? t->tid : (int)getpid(),
                              .is_own_tid = host_own_tid,
                              .opaque = NULL};
}

/* The directory a relative guest path starts from, when it lies in /proc (else ""): the
 * working directory for LINUX_AT_FDCWD, the descriptor's directory otherwise. */
static int proc_base(linux_thread_t *t, int dirfd, char *dir, size_t n) {
    dir[0] = 0;
    if (dirfd == LINUX_AT_FDCWD) {
        if (!atomic_load(&t->proc->cwd_in_proc)) return 0;
        if (!getcwd(dir, n)) dir[0] = 0;
    } else {
        if (vm_hostfd_is_own(dirfd)) return -LINUX_EBADF;
        char link[64];
        snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
        ssize_t k = readlink(link, dir, n - 1);
        if (k < 0) {
            dir[0] = 0;
            return 0; /* the host call reports the bad descriptor */
        }
        dir[k] = 0;
    }
    if (strncmp(dir, "/proc/", 6) != 0 && strcmp(dir, "/proc") != 0) dir[0] = 0;
    return 0;
}

/* Whether the host path exists (without following a final symlink: a dangling link is a
 * name that exists). */
static bool exists(const char *p) {
    struct stat st;
    return lstat(p, &st) == 0;
}

/* Whether the parent directory of the guest path g (absolute) exists under root. */
static bool parent_under(const char *root, const char *g) {
    char c[4096], p[8192];
    if (linux_path_canon(g, c, sizeof(c))) return false;
    char *slash = strrchr(c, '/');
    if (!slash || slash == c) return false; /* a name in "/": the root stays the host's */
    *slash = 0;
    int k = snprintf(p, sizeof(p), "%s%s", root, c);
    struct stat st;
    return k > 0 && (size_t)k < sizeof(p) && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int linux_path_resolve(linux_thread_t *t, int dirfd, const char *g, linux_path_mode_t mode,
                       linux_path_t *out) {
    out->kind = LINUX_PROC_NONE;
    out->fd = -1;
    out->redirected = false;
    out->tmpfd = -1;
    out->box_open = false;
    if (t->proc->opt.sandbox) return linux_box_resolve(t, dirfd, g, mode, out);
    if (mode == LINUX_PATH_NOFOLLOW) mode = LINUX_PATH_LOOKUP;
    size_t gl = strlen(g);
    if (gl >= sizeof(out->host)) return -LINUX_ENAMETOOLONG;
    if (dirfd != LINUX_AT_FDCWD && vm_hostfd_is_own(dirfd)) return -LINUX_EBADF;
    char joined[4096];
    const char *abs = NULL;
    if (g[0] == '/') {
        abs = g;
    } else if (g[0]) {
        char dir[4096];
        int rc = proc_base(t, dirfd, dir, sizeof(dir));
        if (rc) return rc;
        if (dir[0]) {
            int k = snprintf(joined, sizeof(joined), "%s/%s", dir, g);
            if (k < 0 || (size_t)k >= sizeof(joined)) return -LINUX_ENAMETOOLONG;
            abs = joined;
        }
    }
    if (!abs) { /* empty, or relative to a directory outside /proc: the host's as given */
        memcpy(out->host, g, gl + 1);
        return 0;
    }
    linux_path_ctx_t c = linux_path_ctx(t);
    char canon[4096];
    int kind = linux_path_proc(&c, abs, canon, sizeof(canon), &out->fd);
    if (kind < 0) return kind;
    if (kind != LINUX_PROC_NONE) {
        out->kind = (linux_proc_kind_t)kind;
        if (kind == LINUX_PROC_FD && vm_hostfd_is_own(out->fd)) return -LINUX_ENOENT;
        memcpy(out->host, canon, strlen(canon) + 1);
        return 0;
    }
    /* not this process's /proc: the sysroot rule, on the path as the guest wrote it */
    const char *root = t->proc->opt.sysroot;
    size_t al = strlen(abs);
    if (abs == g && mode != LINUX_PATH_HOST && root && root[0] == '/' && root[1] &&
        !linux_path_host_only(canon)) {
        char alt[8192];
        int k = snprintf(alt, sizeof(alt), "%s%s", root, g);
        if (k > 0 && (size_t)k < sizeof(out->host) &&
            (exists(alt) || (mode == LINUX_PATH_CREATE && parent_under(root, g)))) {
            memcpy(out->host, alt, (size_t)k + 1);
            out->redirected = true;
            return 0;
        }
    }
    if (al >= sizeof(out->host)) return -LINUX_ENAMETOOLONG;
    memcpy(out->host, abs, al + 1);
    return 0;
}

void linux_path_release(linux_path_t *r) {
    if (r->tmpfd < 0) return;
    vm_hostfd_remove(r->tmpfd);
    close(r->tmpfd);
    r->tmpfd = -1;
}

linux_proc_kind_t linux_path_check_open(linux_thread_t *t, int fd, int *fdnum) {
    struct statfs sf;
    if (fstatfs(fd, &sf) != 0 || sf.f_type != PROC_MAGIC) return LINUX_PROC_NONE;
    char link[64], name[4096], canon[4096];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t k = readlink(link, name, sizeof(name) - 1);
    if (k <= 0 || name[0] != '/') return LINUX_PROC_NONE;
    name[k] = 0;
    linux_path_ctx_t c = linux_path_ctx(t);
    int n = -1;
    int kind = linux_path_proc(&c, name, canon, sizeof(canon), &n);
    if (kind <= LINUX_PROC_OTHER) return LINUX_PROC_NONE;
    if (kind == LINUX_PROC_FD && !vm_hostfd_is_own(n)) return LINUX_PROC_NONE;
    if (kind == LINUX_PROC_FDDIR || kind == LINUX_PROC_CWD) return LINUX_PROC_NONE;
    if (fdnum) *fdnum = n;
    return (linux_proc_kind_t)kind;
}
