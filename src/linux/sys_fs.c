/* sys_fs.c - system calls on files, directories and descriptors: open/close, read/write and
 * their vector and positioned forms, stat and statx, directory entries, links, permissions,
 * extended attributes, fcntl and ioctl, pipes, event and memory descriptors, poll, select and
 * epoll.
 *
 * Guest descriptors are host descriptors, so the host does the work once the guest buffers
 * are checked. Three /proc files are answered by vm itself because the host's would describe
 * vm rather than the guest: /proc/self/maps (the guest's VMA list), /proc/self/cmdline and
 * /proc/self/auxv (what the guest was started with) are served as memory files, and
 * readlink of /proc/self/exe names the guest program. Structures whose guest layout differs
 * from the host's (stat, statx, termios, epoll_event) are rebuilt field by field; the others
 * (dirent64, statfs, flock, pollfd, fd_set, itimerspec) are the same on every 64-bit Linux
 * and pass through. */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <termios.h>
#include <unistd.h>

#include "core/hostfd.h"
#include "linux/box.h"
#include "linux/sys_util.h"

/* ---- open and close ---- */

/* A memory file holding n bytes of data, positioned at its start. */
static int64_t memory_file(const void *data, size_t n, bool cloexec) {
    int fd = memfd_create("proc", cloexec ? MFD_CLOEXEC : 0);
    if (fd < 0) return sys_err();
    if (n && write(fd, data, n) != (ssize_t)n) {
        int64_t e = sys_err();
        close(fd);
        return e;
    }
    lseek(fd, 0, SEEK_SET);
    return fd;
}

/* /proc/self/maps of the guest: the VMA list in the kernel's format, in a memory file; with
 * smaps, each mapping followed by the size fields of /proc/self/smaps (the resident and
 * swap counts are not tracked per guest mapping and read 0). */
static int64_t open_guest_maps(linux_thread_t *t, bool cloexec, bool smaps) {
    int fd = memfd_create("maps", cloexec ? MFD_CLOEXEC : 0);
    if (fd < 0) return sys_err();
    linux_space_t *sp = &t->proc->space;
    size_t cap = 256;
    linux_vma_t *v = NULL;
    size_t n;
    for (;;) {
        linux_vma_t *nv = realloc(v, cap * sizeof(*v));
        if (!nv) {
            free(v);
            close(fd);
            return -LINUX_ENOMEM;
        }
        v = nv;
        n = linux_space_snapshot(sp, v, cap);
        if (n < cap) break;
        cap *= 2;
    }
    FILE *f = fdopen(dup(fd), "w");
    if (!f) {
        free(v);
        close(fd);
        return sys_err();
    }
    for (size_t i = 0; i < n; i++) {
        const char *name = "";
        if (v[i].end == sp->size) name = "[stack]";
        if (v[i].start >= sp->brk_start && v[i].end <= ((sp->brk_cur + 4095) & ~4095ull) &&
            sp->brk_cur > sp->brk_start)
            name = "[heap]";
        fprintf(f, "%08llx-%08llx %c%c%c%c 00000000 00:00 0          %s\n",
                (unsigned long long)v[i].start, (unsigned long long)v[i].end,
                (v[i].prot & LINUX_PROT_READ) ? 'r' : '-',
                (v[i].prot & LINUX_PROT_WRITE) ? 'w' : '-',
                (v[i].prot & LINUX_PROT_EXEC) ? 'x' : '-',
                (v[i].flags & LINUX_MAP_TYPE) == LINUX_MAP_PRIVATE ? 'p' : 's', name);
        if (smaps)
            fprintf(f,
                    "Size:           %8llu kB\nKernelPageSize:        4 kB\n"
                    "MMUPageSize:           4 kB\nRss:                   0 kB\n"
                    "Pss:                   0 kB\nSwap:                  0 kB\n"
                    "Locked:                0 kB\nVmFlags: %s%s%s\n",
                    (unsigned long long)((v[i].end - v[i].start) >> 10),
                    (v[i].prot & LINUX_PROT_READ) ? "rd " : "",
                    (v[i].prot & LINUX_PROT_WRITE) ? "wr " : "",
                    (v[i].prot & LINUX_PROT_EXEC) ? "ex " : "");
    }
    fclose(f);
    free(v);
    lseek(fd, 0, SEEK_SET);
    return fd;
}

/* Open what vm serves or refuses in this process's /proc (kind from path.c). */
static int64_t open_proc_entry(linux_thread_t *t, linux_proc_kind_t kind, int fl) {
    bool cloexec = fl & O_CLOEXEC;
    linux_proc_t *p = t->proc;
    switch (kind) {
    case LINUX_PROC_MAPS: return open_guest_maps(t, cloexec, false);
    case LINUX_PROC_SMAPS: return open_guest_maps(t, cloexec, true);
    case LINUX_PROC_CMDLINE: return memory_file(p->cmdline, p->cmdline_len, cloexec);
    case LINUX_PROC_AUXV: return memory_file(p->auxv, p->auxv_len, cloexec);
    case LINUX_PROC_ENVIRON: return memory_file(p->environ, p->environ_len, cloexec);
    case LINUX_PROC_EXE: return sys_ret(open(p->exe_host, fl & ~(O_CREAT | O_TMPFILE)));
    case LINUX_PROC_FD: return -LINUX_ENOENT; /* one of vm's own descriptors */
    default: return -LINUX_EACCES;            /* mem, pagemap, map_files, ... */
    }
}

/* Whether vm answers an open of kind itself instead of the host. */
static bool served(linux_proc_kind_t kind) {
    return kind != LINUX_PROC_NONE && kind != LINUX_PROC_OTHER && kind != LINUX_PROC_FD &&
           kind != LINUX_PROC_FDDIR && kind != LINUX_PROC_CWD;
}

/* openat(dirfd, path, flags, mode): through the path resolver; this process's maps, smaps,
 * cmdline, auxv, environ and exe are the guest's, mem and the like are refused, and an open
 * that reached such a file under another name is redone as the guest's view. */
int64_t sys_openat(linux_thread_t *t, const uint64_t a[6]) {
    int fl = linux_open_flags_to_host(a[2]);
    LINUX_PATH_SCOPED r;
    linux_path_mode_t mode = t->proc->opt.sandbox           ? LINUX_PATH_OPEN
                             : (fl & (O_CREAT | O_TMPFILE)) ? LINUX_PATH_CREATE
                                                            : LINUX_PATH_LOOKUP;
    int rc = sys_resolve(t, a[0], a[1], mode, &r);
    if (rc) return rc;
    if (served(r.kind) && r.kind != LINUX_PROC_EXE) return open_proc_entry(t, r.kind, fl);
    if (r.box_open) return linux_box_openat(t, r.host, fl, (mode_t)a[3]);
    /* through the stub: the open of a FIFO waits for the other end, and a signal must end
     * (or restart) that wait however late it comes */
    int fd = (int)SYS_BLOCK(SYS_openat, (long)sys_dirfd(a[0]), (long)r.host, (long)fl,
                            (long)(mode_t)a[3]);
    if (fd < 0) return sys_err();
    int n;
    linux_proc_kind_t k = linux_path_check_open(t, fd, &n);
    if (k == LINUX_PROC_NONE || k == LINUX_PROC_EXE) return fd;
    close(fd);
    return open_proc_entry(t, k, fl);
}

/* close(fd). */
int64_t sys_close(linux_thread_t *t, const uint64_t a[6]) {
    (void)t;
    return sys_ret(close((int)a[0]));
}

/* close_range(first, last, flags): vm's own descriptors in the range are left alone (the
 * range is closed in pieces around them). */
int64_t sys_close_range(linux_thread_t *t, const uint64_t a[6]) {
    (void)t;
    unsigned first = (unsigned)a[0], last = (unsigned)a[1], fl = (unsigned)a[2];
    if (first > last) return -LINUX_EINVAL;
    for (;;) {
        int own = first <= INT32_MAX ? vm_hostfd_next((int)first) : -1;
        if (own < 0 || (unsigned)own > last)
            return sys_ret(syscall(SYS_close_range, first, last, fl));
        if ((unsigned)own > first) {
            long r = syscall(SYS_close_range, first, (unsigned)own - 1, fl);
            if (r < 0) return sys_err();
        }
        if ((unsigned)own == last) return 0;
        first = (unsigned)own + 1;
    }
}

/* ---- reading and writing ---- */

/* read(fd, buf, count). */
int64_t sys_read(linux_thread_t *t, const uint64_t a[6]) {
    int64_t sfd;
    if (atomic_load(&t->proc->sfd_count) > 0 && sys_signalfd_read(t, a, &sfd)) return sfd;
    BUF_ARG(p, a[1], a[2], WR);
    return sys_ret(SYS_BLOCK(SYS_read, (long)a[0], (long)p, (long)a[2]));
}

/* write(fd, buf, count). */
int64_t sys_write(linux_thread_t *t, const uint64_t a[6]) {
    BUF_ARG(p, a[1], a[2], RD);
    return sys_ret(SYS_BLOCK(SYS_write, (long)a[0], (long)p, (long)a[2]));
}

/* pread64(fd, buf, count, offset). */
int64_t sys_pread64(linux_thread_t *t, const uint64_t a[6]) {
    BUF_ARG(p, a[1], a[2], WR);
    return sys_ret(SYS_BLOCK(SYS_pread64, (long)a[0], (long)p, (long)a[2], (long)a[3]));
}

/* pwrite64(fd, buf, count, offset). */
int64_t sys_pwrite64(linux_thread_t *t, const uint64_t a[6]) {
    BUF_ARG(p, a[1], a[2], RD);
    return sys_ret(SYS_BLOCK(SYS_pwrite64, (long)a[0], (long)p, (long)a[2], (long)a[3]));
}

/* readv(fd, iov, iovcnt). */
int64_t sys_readv(linux_thread_t *t, const uint64_t a[6]) {
    int64_t sfd;
    if (atomic_load(&t->proc->sfd_count) > 0 && sys_signalfd_readv(t, a, &sfd)) return sfd;
    struct iovec iov[IOV_MAX_GUEST];
    int rc = sys_get_iov(t, a[1], a[2], WR, iov);
    if (rc) return rc;
    return sys_ret(SYS_BLOCK(SYS_readv, (long)a[0], (long)iov, (long)a[2]));
}

/* writev(fd, iov, iovcnt). */
int64_t sys_writev(linux_thread_t *t, const uint64_t a[6]) {
    struct iovec iov[IOV_MAX_GUEST];
    int rc = sys_get_iov(t, a[1], a[2], RD, iov);
    if (rc) return rc;
    return sys_ret(SYS_BLOCK(SYS_writev, (long)a[0], (long)iov, (long)a[2]));
}

/* preadv(fd, iov, iovcnt, offset). */
int64_t sys_preadv(linux_thread_t *t, const uint64_t a[6]) {
    struct iovec iov[IOV_MAX_GUEST];
    int rc = sys_get_iov(t, a[1], a[2], WR, iov);
    if (rc) return rc;
    return sys_ret(SYS_BLOCK(SYS_preadv, (long)a[0], (long)iov, (long)a[2], (long)a[3], 0));
}

/* pwritev(fd, iov, iovcnt, offset). */
int64_t sys_pwritev(linux_thread_t *t, const uint64_t a[6]) {
    struct iovec iov[IOV_MAX_GUEST];
    int rc = sys_get_iov(t, a[1], a[2], RD, iov);
    if (rc) return rc;
    return sys_ret(SYS_BLOCK(SYS_pwritev, (long)a[0], (long)iov, (long)a[2], (long)a[3], 0));
}

/* lseek(fd, offset, whence). */
int64_t sys_lseek(linux_thread_t *t, const uint64_t a[6]) {
    (void)t;
    return sys_ret(lseek((int)a[0], (off_t)a[1], (int)a[2]));
}

/* sendfile(out_fd, in_fd, offset, count): the optional offset is a 64-bit guest word. */
int64_t sys_sendfile(linux_thread_t *t, const uint64_t a[6]) {
    off_t off, *op = NULL;
    if (a[2]) {
        int64_t v;
        GET_ARG(v, a[2]);
        off = v;
        op = &off;
    }
    ssize_t r = SYS_BLOCK(SYS_sendfile, (long)a[0], (long)a[1], (long)op, (long)a[3]);
    if (r < 0) return sys_err();
    if (op) {
        int64_t v = off;
        PUT_ARG(a[2], v);
    }
    return r;
}

/* copy_file_range(fd_in, off_in, fd_out, off_out, len, flags): optional 64-bit offsets. */
int64_t sys_copy_file_range(linux_thread_t *t, const uint64_t a[6]) {
    off_t offs[2], *op[2] = {NULL, NULL};
    for (int i = 0; i < 2; i++) {
        uint64_t ga = a[1 + 2 * i];
        if (!ga) continue;
        int64_t v;
        GET_ARG(v, ga);
        offs[i] = v;
        op[i] = &offs[i];
    }
    ssize_t r = copy_file_range((int)a[0], op[0], (int)a[2], op[1], a[4], (unsigned)a[5]);
    if (r < 0) return sys_err();
    for (int i = 0; i < 2; i++) {
        if (!op[i]) continue;
        int64_t v = offs[i];
        PUT_ARG(a[1 + 2 * i], v);
    }
    return r;
}

/* ---- status ---- */

/* Write host stat h to the guest struct stat at out. */
static int64_t put_stat(linux_thread_t *t, uint64_t out, const struct stat *h) {
    linux_stat_t g;
    linux_stat_from_host(&g, h);
    PUT_ARG(out, g);
    return 0;
}

/* fstat(fd, statbuf). */
int64_t sys_fstat(linux_thread_t *t, const uint64_t a[6]) {
    struct stat h;
    if (fstat((int)a[0], &h) < 0) return sys_err();
    return put_stat(t, a[1], &h);
}

/* newfstatat(dirfd, path, statbuf, flags). */
int64_t sys_newfstatat(linux_thread_t *t, const uint64_t a[6]) {
    struct stat h;
    FLAGS_AT(r, a[0], a[1], a[3]);
    if (fstatat(sys_dirfd(a[0]), r.host, &h, sys_atflags(a[3])) < 0) return sys_err();
    return put_stat(t, a[2], &h);
}

static void statx_ts(linux_statx_timestamp_t *g, const struct statx_timestamp *h) {
    g->tv_sec = h->tv_sec;
    g->tv_nsec = h->tv_nsec;
    g->__reserved = 0;
}

static void statx_from_host(linux_statx_t *g, const struct statx *h) {
    memset(g, 0, sizeof(*g));
    g->stx_mask = h->stx_mask;
    g->stx_blksize = h->stx_blksize;
    g->stx_attributes = h->stx_attributes;
    g->stx_nlink = h->stx_nlink;
    g->stx_uid = h->stx_uid;
    g->stx_gid = h->stx_gid;
    g->stx_mode = h->stx_mode;
    g->stx_ino = h->stx_ino;
    g->stx_size = h->stx_size;
    g->stx_blocks = h->stx_blocks;
    g->stx_attributes_mask = h->stx_attributes_mask;
    statx_ts(&g->stx_atime, &h->stx_atime);
    statx_ts(&g->stx_btime, &h->stx_btime);
    statx_ts(&g->stx_ctime, &h->stx_ctime);
    statx_ts(&g->stx_mtime, &h->stx_mtime);
    g->stx_rdev_major = h->stx_rdev_major;
    g->stx_rdev_minor = h->stx_rdev_minor;
    g->stx_dev_major = h->stx_dev_major;
    g->stx_dev_minor = h->stx_dev_minor;
}

/* statx(dirfd, path, flags, mask, statxbuf). */
int64_t sys_statx(linux_thread_t *t, const uint64_t a[6]) {
    FLAGS_AT(r, a[0], a[1], a[2]);
    struct statx h;
    if (statx(sys_dirfd(a[0]), r.host, sys_atflags(a[2]) | (int)(a[2] & 0x6000 /* SYNC_* */),
              (unsigned)a[3], &h) < 0)
        return sys_err();
    linux_statx_t g;
    statx_from_host(&g, &h);
    PUT_ARG(a[4], g);
    return 0;
}

/* statfs(path, buf): struct statfs of 64-bit asm-generic and x86-64 is the same 120 bytes. */
int64_t sys_statfs(linux_thread_t *t, const uint64_t a[6]) {
    BUF_ARG(p, a[1], 120, WR);
    LOOKUP_ARG(path, a[0]);
    return sys_ret(syscall(SYS_statfs, path, p));
}

/* fstatfs(fd, buf). */
int64_t sys_fstatfs(linux_thread_t *t, const uint64_t a[6]) {
    BUF_ARG(p, a[1], 120, WR);
    return sys_ret(syscall(SYS_fstatfs, (int)a[0], p));
}

/* Whether descriptor fd is this process's /proc/.../fd or fdinfo directory. */
static bool is_fd_dir(linux_thread_t *t, int fd) {
    char link[64], name[PATHBUF], canon[PATHBUF];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t k = readlink(link, name, sizeof(name) - 1);
    if (k <= 6 || strncmp(name, "/proc/", 6) != 0) return false;
    name[k] = 0;
    linux_path_ctx_t c = linux_path_ctx(t);
    return linux_path_proc(&c, name, canon, sizeof(canon), NULL) == LINUX_PROC_FDDIR;
}

/* getdents64(fd, dirp, count): struct linux_dirent64 is the same on every Linux, so the host
 * fills the guest buffer; a listing of this process's /proc/self/fd (or fdinfo) leaves out
 * vm's own descriptors. */
int64_t sys_getdents64(linux_thread_t *t, const uint64_t a[6]) {
    BUF_ARG(p, a[1], a[2], WR);
    int fd = (int)a[0];
    if (!vm_hostfd_any() || !is_fd_dir(t, fd))
        return sys_ret(syscall(SYS_getdents64, fd, p, (size_t)a[2]));
    size_t cap = a[2] < 65536 ? (size_t)a[2] : 65536;
    char *h = malloc(cap ? cap : 1);
    if (!h) return -LINUX_ENOMEM;
    for (;;) {
        long n = syscall(SYS_getdents64, fd, h, cap);
        if (n <= 0) {
            int64_t r = n < 0 ? sys_err() : 0;
            free(h);
            return r;
        }
        long w = 0;
        for (long off = 0; off < n;) {
            uint16_t reclen;
            memcpy(&reclen, h + off + 16, 2); /* d_ino 8, d_off 8, d_reclen 2 */
            const char *nm = h + off + 19;
            char *end;
            long v = strtol(nm, &end, 10);
            bool hide = *nm >= '0' && *nm <= '9' && !*end && vm_hostfd_is_own((int)v);
            if (!hide) {
                memmove(h + w, h + off, reclen);
                w += reclen;
            }
            off += reclen;
        }
        if (w == 0) continue; /* all hidden: read on */
        int rc = linux_copy_to_guest(t, a[1], h, (size_t)w);
        free(h);
        return rc ? -LINUX_EFAULT : w;
    }
}

/* Copy the link text v (strlen bytes, no NUL, at most size) to the guest buffer. */
static int64_t put_link(linux_thread_t *t, uint64_t buf, uint64_t size, const char *v) {
    size_t n = strlen(v);
    if (n > size) n = size;
    if (linux_copy_to_guest(t, buf, v, n)) return -LINUX_EFAULT;
    return (int64_t)n;
}

/* readlinkat(dirfd, path, buf, size): through the resolver; /proc/self/exe names the guest
 * program, /proc/self/cwd and /proc/self/fd/N show paths under the sysroot in guest terms, and
 * vm's own descriptors do not exist. */
int64_t sys_readlinkat(linux_thread_t *t, const uint64_t a[6]) {
    char g[PATHBUF];
    int rc = sys_str(t, a[1], g, sizeof(g));
    if (rc) return rc;
    if ((int64_t)a[3] <= 0) return -LINUX_EINVAL;
    BUF_ARG(p, a[2], a[3], WR);
    LINUX_PATH_SCOPED r;
    rc = linux_path_resolve(t, (int)a[0], g, LINUX_PATH_NOFOLLOW, &r);
    if (rc) return rc;
    if (r.kind == LINUX_PROC_EXE) return put_link(t, a[2], a[3], t->proc->exe_path);
    if (r.kind == LINUX_PROC_REFUSED) return -LINUX_EACCES;
    if (r.kind == LINUX_PROC_CWD || r.kind == LINUX_PROC_FD) {
        char h[PATHBUF], v[PATHBUF];
        ssize_t n = readlink(r.host, h, sizeof(h) - 1);
        if (n < 0) return sys_err();
        h[n] = 0;
        if (h[0] != '/' || linux_path_guest_view(t->proc->opt.sysroot, h, v, sizeof(v)))
            snprintf(v, sizeof(v), "%s", h);
        return put_link(t, a[2], a[3], v);
    }
    return sys_ret(readlinkat(sys_dirfd(a[0]), r.host, p, a[3]));
}

/* faccessat(dirfd, path, mode). */
int64_t sys_faccessat(linux_thread_t *t, const uint64_t a[6]) {
    LOOKUP_AT(r, a[0], a[1]);
    return sys_ret(faccessat(sys_dirfd(a[0]), r.host, (int)a[2], 0));
}

/* faccessat2(dirfd, path, mode, flags). */
int64_t sys_faccessat2(linux_thread_t *t, const uint64_t a[6]) {
    FLAGS_AT(r, a[0], a[1], a[3]);
    int fl = sys_atflags(a[3]) | ((a[3] & LINUX_AT_EACCESS) ? AT_EACCESS : 0);
    return sys_ret(faccessat(sys_dirfd(a[0]), r.host, (int)a[2], fl));
}

/* ---- extended attributes: names and values are bytes, the same on every Linux ---- */

/* The attribute name (a[1]) and the optional value buffer (a[2], a[3] bytes) of a getxattr
 * call. 0 or -LINUX_E*. */
static int xattr_get_args(linux_thread_t *t, const uint64_t a[6], char *name, size_t n,
                          void **value) {
    int rc = sys_str(t, a[1], name, n);
    if (rc) return rc;
    *value = NULL;
    if (a[3] && !(*value = sys_ptr(t, a[2], a[3], WR))) return -LINUX_EFAULT;
    return 0;
}

/* getxattr(path, name, value, size). */
int64_t sys_getxattr(linux_thread_t *t, const uint64_t a[6]) {
    char name[256];
    void *p;
    int rc = xattr_get_args(t, a, name, sizeof(name), &p);
    if (rc) return rc;
    LOOKUP_ARG(path, a[0]);
    return sys_ret(getxattr(path, name, p, a[3]));
}

/* lgetxattr(path, name, value, size). */
int64_t sys_lgetxattr(linux_thread_t *t, const uint64_t a[6]) {
    char name[256];
    void *p;
    int rc = xattr_get_args(t, a, name, sizeof(name), &p);
    if (rc) return rc;
    NOFOLLOW_ARG(path, a[0]);
    return sys_ret(lgetxattr(path, name, p, a[3]));
}

/* fgetxattr(fd, name, value, size). */
int64_t sys_fgetxattr(linux_thread_t *t, const uint64_t a[6]) {
    char name[256];
    void *p;
    int rc = xattr_get_args(t, a, name, sizeof(name), &p);
    if (rc) return rc;
    return sys_ret(fgetxattr((int)a[0], name, p, a[3]));
}

/* listxattr(path, list, size). */
int64_t sys_listxattr(linux_thread_t *t, const uint64_t a[6]) {
    char *p = NULL;
    if (a[2] && !(p = sys_ptr(t, a[1], a[2], WR))) return -LINUX_EFAULT;
    LOOKUP_ARG(path, a[0]);
    return sys_ret(listxattr(path, p, a[2]));
}

/* llistxattr(path, list, size). */
int64_t sys_llistxattr(linux_thread_t *t, const uint64_t a[6]) {
    char *p = NULL;
    if (a[2] && !(p = sys_ptr(t, a[1], a[2], WR))) return -LINUX_EFAULT;
    NOFOLLOW_ARG(path, a[0]);
    return sys_ret(llistxattr(path, p, a[2]));
}

/* flistxattr(fd, list, size). */
int64_t sys_flistxattr(linux_thread_t *t, const uint64_t a[6]) {
    char *p = NULL;
    if (a[2] && !(p = sys_ptr(t, a[1], a[2], WR))) return -LINUX_EFAULT;
    return sys_ret(flistxattr((int)a[0], p, a[2]));
}

/* ---- names in directories ---- */

/* unlinkat(dirfd, path, flags). */
int64_t sys_unlinkat(linux_thread_t *t, const uint64_t a[6]) {
    NOFOLLOW_AT(r, a[0], a[1]);
    return sys_ret(unlinkat(sys_dirfd(a[0]), r.host, sys_atflags(a[2])));
}

/* mkdirat(dirfd, path, mode). */
int64_t sys_mkdirat(linux_thread_t *t, const uint64_t a[6]) {
    CREATE_AT(r, a[0], a[1]);
    return sys_ret(mkdirat(sys_dirfd(a[0]), r.host, (mode_t)a[2]));
}

/* mknodat(dirfd, path, mode, dev). */
int64_t sys_mknodat(linux_thread_t *t, const uint64_t a[6]) {
    CREATE_AT(r, a[0], a[1]);
    return sys_ret(mknodat(sys_dirfd(a[0]), r.host, (mode_t)a[2], (dev_t)a[3]));
}

/* symlinkat(target, dirfd, path): the target is link text, stored as the guest wrote it. */
int64_t sys_symlinkat(linux_thread_t *t, const uint64_t a[6]) {
    char target[PATHBUF];
    int rc = sys_str(t, a[0], target, sizeof(target));
    if (rc) return rc;
    CREATE_AT(r, a[1], a[2]);
    return sys_ret(symlinkat(target, sys_dirfd(a[1]), r.host));
}

/* linkat(olddirfd, oldpath, newdirfd, newpath, flags). */
int64_t sys_linkat(linux_thread_t *t, const uint64_t a[6]) {
    MODE_AT(from, a[0], a[1],
            (a[4] & LINUX_AT_SYMLINK_FOLLOW) ? LINUX_PATH_LOOKUP : LINUX_PATH_NOFOLLOW);
    CREATE_AT(to, a[2], a[3]);
    return sys_ret(linkat(sys_dirfd(a[0]), from.host, sys_dirfd(a[2]), to.host, sys_atflags(a[4])));
}

/* renameat2(olddirfd, oldpath, newdirfd, newpath, flags). */
int64_t sys_renameat2(linux_thread_t *t, const uint64_t a[6]) {
    NOFOLLOW_AT(from, a[0], a[1]);
    CREATE_AT(to, a[2], a[3]);
    return sys_ret(syscall(SYS_renameat2, sys_dirfd(a[0]), from.host, sys_dirfd(a[2]), to.host,
                           (unsigned)a[4]));
}

/* getcwd(buf, size): returns the length including the NUL, as the kernel does; a directory
 * under the sysroot is shown in guest terms. */
int64_t sys_getcwd(linux_thread_t *t, const uint64_t a[6]) {
    char buf[PATHBUF];
    if (!getcwd(buf, sizeof(buf))) return sys_err();
    linux_path_guest_view(t->proc->opt.sysroot, buf, buf, sizeof(buf));
    size_t n = strlen(buf) + 1;
    if (n > a[1]) return -LINUX_ERANGE;
    if (linux_copy_to_guest(t, a[0], buf, n)) return -LINUX_EFAULT;
    return (int64_t)n;
}

/* After a successful chdir: note whether relative paths now start inside /proc. */
static int64_t note_cwd(linux_thread_t *t) {
    char buf[PATHBUF];
    bool in =
        getcwd(buf, sizeof(buf)) && !strncmp(buf, "/proc", 5) && (buf[5] == 0 || buf[5] == '/');
    atomic_store(&t->proc->cwd_in_proc, in);
    return 0;
}

/* chdir(path). */
int64_t sys_chdir(linux_thread_t *t, const uint64_t a[6]) {
    LOOKUP_AT(r, (uint64_t)(int64_t)LINUX_AT_FDCWD, a[0]);
    if (chdir(r.host) < 0) return sys_err();
    return note_cwd(t);
}

/* fchdir(fd). */
int64_t sys_fchdir(linux_thread_t *t, const uint64_t a[6]) {
    if (fchdir((int)a[0]) < 0) return sys_err();
    return note_cwd(t);
}

/* ---- permissions, sizes and times ---- */

/* fchmodat(dirfd, path, mode). */
int64_t sys_fchmodat(linux_thread_t *t, const uint64_t a[6]) {
    LOOKUP_AT(r, a[0], a[1]);
    return sys_ret(fchmodat(sys_dirfd(a[0]), r.host, (mode_t)a[2], 0));
}

/* fchmod(fd, mode). */
int64_t sys_fchmod(linux_thread_t *t, const uint64_t a[6]) {
    (void)t;
    return sys_ret(fchmod((int)a[0], (mode_t)a[1]));
}

/* fchownat(dirfd, path, owner, group, flags). */
int64_t sys_fchownat(linux_thread_t *t, const uint64_t a[6]) {
    FLAGS_AT(r, a[0], a[1], a[4]);
    return sys_ret(fchownat(sys_dirfd(a[0]), r.host, (uid_t)a[2], (gid_t)a[3], sys_atflags(a[4])));
}

/* fchown(fd, owner, group). */
int64_t sys_fchown(linux_thread_t *t, const uint64_t a[6]) {
    (void)t;
    return sys_ret(fchown((int)a[0], (uid_t)a[1], (gid_t)a[2]));
}

/* truncate(path, length). */
int64_t sys_truncate(linux_thread_t *t, const uint64_t a[6]) {
    LOOKUP_ARG(path, a[0]);
    return sys_ret(truncate(path, (off_t)a[1]));
}

/* ftruncate(fd, length). */
int64_t sys_ftruncate(linux_thread_t *t, const uint64_t a[6]) {
    (void)t;
    return sys_ret(ftruncate((int)a[0], (off_t)a[1]));
}

/* fallocate(fd, mode, offset, len). */
int64_t sys_fallocate(linux_thread_t *t, const uint64_t a[6]) {
    (void)t;
    return sys_ret(fallocate((int)a[0], (int)a[1], (off_t)a[2], (off_t)a[3]));
}

/* utimensat(dirfd, path, times, flags): a NULL path means the descriptor itself. */
int64_t sys_utimensat(linux_thread_t *t, const uint64_t a[6]) {
    struct timespec ts[2], *tp = NULL;
    if (a[2]) {
        linux_timespec_t g[2];
        GET_ARG(g, a[2]);
        for (int i = 0; i < 2; i++)
            ts[i] = (struct timespec){g[i].tv_sec, g[i].tv_nsec};
        tp = ts;
    }
    if (!a[1]) return sys_ret(futimens((int)a[0], tp));
    FLAGS_AT(r, a[0], a[1], a[3]);
    return sys_ret(utimensat(sys_dirfd(a[0]), r.host, tp, sys_atflags(a[3])));
}

/* fsync(fd). */
int64_t sys_fsync(linux_thread_t *t, const uint64_t a[6]) {
    (void)t;
    return sys_ret(fsync((int)a[0]));
}

/* fdatasync(fd). */
int64_t sys_fdatasync(linux_thread_t *t, const uint64_t a[6]) {
    (void)t;
    return sys_ret(fdatasync((int)a[0]));
}

/* sync(). */
int64_t sys_sync(linux_thread_t *t, const uint64_t a[6]) {
    (void)t, (void)a;
    sync();
    return 0;
}

/* fadvise64(fd, offset, len, advice): the host returns the error instead of setting errno. */
int64_t sys_fadvise64(linux_thread_t *t, const uint64_t a[6]) {
    (void)t;
    int r = posix_fadvise((int)a[0], (off_t)a[1], (off_t)a[2], (int)a[3]);
    return r ? -(int64_t)linux_errno_from_host(r) : 0;
}

/* ---- descriptors ---- */

/* dup(fd). */
int64_t sys_dup(linux_thread_t *t, const uint64_t a[6]) {
    (void)t;
    return sys_ret(dup((int)a[0]));
}

/* dup3(oldfd, newfd, flags). */
int64_t sys_dup3(linux_thread_t *t, const uint64_t a[6]) {
    (void)t;
    return sys_ret(dup3((int)a[0], (int)a[1], (a[2] & LINUX_O_CLOEXEC) ? O_CLOEXEC : 0));
}

/* fcntl commands, guest -> host. */
static int fcntl_cmd(uint64_t g) {
    switch (g) {
    case LINUX_F_DUPFD: return F_DUPFD;
    case LINUX_F_GETFD: return F_GETFD;
    case LINUX_F_SETFD: return F_SETFD;
    case LINUX_F_GETFL: return F_GETFL;
    case LINUX_F_SETFL: return F_SETFL;
    case LINUX_F_GETLK: return F_GETLK;
    case LINUX_F_SETLK: return F_SETLK;
    case LINUX_F_SETLKW: return F_SETLKW;
    case LINUX_F_DUPFD_CLOEXEC: return F_DUPFD_CLOEXEC;
    case LINUX_F_SETOWN: return F_SETOWN;
    case LINUX_F_GETOWN: return F_GETOWN;
    case LINUX_F_SETOWN_EX: return F_SETOWN_EX;
    case LINUX_F_GETOWN_EX: return F_GETOWN_EX;
    case LINUX_F_SETSIG: return F_SETSIG;
    case LINUX_F_GETSIG: return F_GETSIG;
    case LINUX_F_OFD_GETLK: return F_OFD_GETLK;
    case LINUX_F_OFD_SETLK: return F_OFD_SETLK;
    case LINUX_F_OFD_SETLKW: return F_OFD_SETLKW;
    case LINUX_F_SETLEASE: return F_SETLEASE;
    case LINUX_F_GETLEASE: return F_GETLEASE;
    case LINUX_F_NOTIFY: return F_NOTIFY;
    case LINUX_F_SETPIPE_SZ: return F_SETPIPE_SZ;
    case LINUX_F_GETPIPE_SZ: return F_GETPIPE_SZ;
    case LINUX_F_ADD_SEALS: return F_ADD_SEALS;
    case LINUX_F_GET_SEALS: return F_GET_SEALS;
    default: return -1;
    }
}

/* fcntl(fd, cmd, arg): flag words and signal numbers translated, struct flock passed
 * through; the integer arguments of owner, lease, notify, pipe size and seals are the same on
 * both. */
int64_t sys_fcntl(linux_thread_t *t, const uint64_t a[6]) {
    int cmd = fcntl_cmd(a[1]);
    int fd = (int)a[0];
    switch (cmd) {
    case F_GETFL: {
        int r = fcntl(fd, F_GETFL);
        return r < 0 ? sys_err() : (int64_t)linux_open_flags_from_host(r);
    }
    case F_SETFL: return sys_ret(fcntl(fd, F_SETFL, linux_open_flags_to_host(a[2])));
    case F_GETFD: {
        int r = fcntl(fd, F_GETFD);
        return r < 0 ? sys_err() : ((r & FD_CLOEXEC) ? LINUX_FD_CLOEXEC : 0);
    }
    case F_SETFD: return sys_ret(fcntl(fd, F_SETFD, (a[2] & LINUX_FD_CLOEXEC) ? FD_CLOEXEC : 0));
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
    case F_SETOWN:
    case F_SETLEASE:
    case F_NOTIFY:
    case F_SETPIPE_SZ:
    case F_ADD_SEALS: return sys_ret(fcntl(fd, cmd, (int)a[2]));
    case F_GETOWN:
    case F_GETLEASE:
    case F_GETPIPE_SZ:
    case F_GET_SEALS: return sys_ret(fcntl(fd, cmd));
    case F_SETSIG: {
        int hs = a[2] ? linux_sig_to_host((int)a[2]) : 0;
        if (a[2] && !hs) return -LINUX_EINVAL;
        return sys_ret(fcntl(fd, F_SETSIG, hs));
    }
    case F_GETSIG: {
        int r = fcntl(fd, F_GETSIG);
        return r <= 0 ? (r < 0 ? sys_err() : 0) : linux_sig_from_host(r);
    }
    case F_SETOWN_EX:
    case F_GETOWN_EX: {
        /* struct f_owner_ex: int type, pid_t pid on both (glibc's F_GETOWN is this one) */
        _Static_assert(sizeof(struct f_owner_ex) == 8, "host struct f_owner_ex layout");
        void *p = sys_ptr(t, a[2], sizeof(struct f_owner_ex), cmd == F_GETOWN_EX ? WR : RD);
        if (!p) return -LINUX_EFAULT;
        return sys_ret(fcntl(fd, cmd, p));
    }
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW: {
        /* struct flock: short, short, off_t, off_t, pid_t on both (32 bytes) */
        _Static_assert(sizeof(struct flock) == 32, "host struct flock layout");
        bool get = cmd == F_GETLK || cmd == F_OFD_GETLK;
        void *p = sys_ptr(t, a[2], sizeof(struct flock), RD | (get ? WR : 0));
        if (!p) return -LINUX_EFAULT;
        /* F_SETLKW and F_OFD_SETLKW wait for the lock: a signal must be able to end that */
        return sys_ret(SYS_BLOCK(SYS_fcntl, (long)fd, (long)cmd, (long)p));
    }
    default: return -LINUX_EINVAL;
    }
}

/* flock(fd, operation). */
int64_t sys_flock(linux_thread_t *t, const uint64_t a[6]) {
    return sys_ret(SYS_BLOCK(SYS_flock, (long)a[0], (long)a[1]));
}

/* ioctl(fd, request, arg): terminal attributes, window size, process group, FIONREAD,
 * FIONBIO, the pseudo-terminal master's number, lock and peer, SIOCGIFNAME/SIOCGIFINDEX
 * (interface names and numbers), and FICLONE/FICLONERANGE
 * (copy-on-write copies: python3's shutil and pathlib try them first); anything else is -ENOTTY
 * (-EBADF for a descriptor that is not open, as Linux checks that first). */
int64_t sys_ioctl(linux_thread_t *t, const uint64_t a[6]) {
    int fd = (int)a[0];
    if (fcntl(fd, F_GETFD) < 0) return sys_err();
    switch (a[1]) {
    case LINUX_TCGETS: {
        struct termios h;
        if (tcgetattr(fd, &h) < 0) return sys_err();
        linux_termios_t g;
        memset(&g, 0, sizeof(g));
        g.c_iflag = h.c_iflag;
        g.c_oflag = h.c_oflag;
        g.c_cflag = h.c_cflag;
        g.c_lflag = h.c_lflag;
        g.c_line = h.c_line;
        memcpy(g.c_cc, h.c_cc, sizeof(g.c_cc) < sizeof(h.c_cc) ? sizeof(g.c_cc) : sizeof(h.c_cc));
        PUT_ARG(a[2], g);
        return 0;
    }
    case LINUX_TCSETS:
    case LINUX_TCSETSW:
    case LINUX_TCSETSF: {
        linux_termios_t g;
        GET_ARG(g, a[2]);
        struct termios h;
        if (tcgetattr(fd, &h) < 0) return sys_err();
        h.c_iflag = g.c_iflag;
        h.c_oflag = g.c_oflag;
        h.c_cflag = g.c_cflag;
        h.c_lflag = g.c_lflag;
        h.c_line = g.c_line;
        memcpy(h.c_cc, g.c_cc, sizeof(g.c_cc) < sizeof(h.c_cc) ? sizeof(g.c_cc) : sizeof(h.c_cc));
        /* the wait for the output to drain goes through the stub (a signal ends or restarts
         * it); what is left after it is quick */
        if (a[1] != LINUX_TCSETS && SYS_BLOCK(SYS_ioctl, (long)fd, (long)TCSBRK, 1) < 0)
            return sys_err();
        int how = a[1] == LINUX_TCSETS ? TCSANOW : a[1] == LINUX_TCSETSW ? TCSADRAIN : TCSAFLUSH;
        return sys_ret(tcsetattr(fd, how, &h));
    }
    case LINUX_TCSBRK:
    case LINUX_TCSBRKP:
        /* tcdrain and tcsendbreak wait: through the stub (the numbers are the generic ones on
         * every host) */
        return sys_ret(SYS_BLOCK(SYS_ioctl, (long)fd,
                                 (long)(a[1] == LINUX_TCSBRK ? TCSBRK : TCSBRKP), (long)(int)a[2]));
    case LINUX_TIOCGWINSZ: {
        struct winsize h;
        if (ioctl(fd, TIOCGWINSZ, &h) < 0) return sys_err();
        linux_winsize_t g = {h.ws_row, h.ws_col, h.ws_xpixel, h.ws_ypixel};
        PUT_ARG(a[2], g);
        return 0;
    }
    case LINUX_TIOCSWINSZ: {
        linux_winsize_t g;
        GET_ARG(g, a[2]);
        struct winsize h = {g.ws_row, g.ws_col, g.ws_xpixel, g.ws_ypixel};
        return sys_ret(ioctl(fd, TIOCSWINSZ, &h));
    }
    case LINUX_TIOCGPGRP: {
        if (!sys_ptr(t, a[2], 4, WR)) return -LINUX_EFAULT;
        pid_t p = tcgetpgrp(fd);
        if (p < 0) return sys_err();
        int32_t v = p;
        PUT_ARG(a[2], v);
        return 0;
    }
    case LINUX_TIOCSPGRP: {
        int32_t v;
        GET_ARG(v, a[2]);
        return sys_ret(tcsetpgrp(fd, v));
    }
    case LINUX_FIONREAD:
    case LINUX_FIONBIO: {
        int32_t v;
        GET_ARG(v, a[2]);
        int hv = v;
        long r = ioctl(fd, a[1] == LINUX_FIONREAD ? FIONREAD : FIONBIO, &hv);
        if (r < 0) return sys_err();
        v = hv;
        PUT_ARG(a[2], v);
        return 0;
    }
    case LINUX_FIOCLEX:
    case LINUX_FIONCLEX: return sys_ret(fcntl(fd, F_SETFD, a[1] == LINUX_FIOCLEX ? FD_CLOEXEC : 0));
    case LINUX_TCGETS2:
    case LINUX_TCSETS2:
    case LINUX_TCSETSW2:
    case LINUX_TCSETSF2: {
#if defined(__x86_64__) || defined(__aarch64__) || defined(__riscv)
        /* these hosts share asm-generic's termios2, its flag bits and its request numbers */
        bool get = a[1] == LINUX_TCGETS2;
        void *p = sys_ptr(t, a[2], sizeof(linux_termios2_t), get ? WR : RD);
        if (!p) return -LINUX_EFAULT;
        /* TCSETSW2 and TCSETSF2 wait for the output to drain: through the stub */
        return sys_ret(SYS_BLOCK(SYS_ioctl, (long)fd, (long)a[1], (long)p));
#else
        return -LINUX_ENOTTY;
#endif
    }
    case LINUX_TIOCGPTN: {
        if (!sys_ptr(t, a[2], 4, WR)) return -LINUX_EFAULT;
        unsigned n;
        if (ioctl(fd, TIOCGPTN, &n) < 0) return sys_err();
        uint32_t v = n;
        PUT_ARG(a[2], v);
        return 0;
    }
    case LINUX_TIOCSPTLCK: {
        int32_t v;
        GET_ARG(v, a[2]);
        int hv = v;
        return sys_ret(ioctl(fd, TIOCSPTLCK, &hv));
    }
    case LINUX_TIOCGPTPEER: return sys_ret(ioctl(fd, TIOCGPTPEER, linux_open_flags_to_host(a[2])));
    case LINUX_SIOCGIFNAME:
    case LINUX_SIOCGIFINDEX: {
        /* if_indextoname and if_nametoindex: struct ifreq (a 16-byte name and a 24-byte
         * union whose int ifr_ifindex comes first) is the same on every Linux; the numbers
         * are the generic ones on every host */
        _Static_assert(sizeof(struct ifreq) == 40, "struct ifreq is 40 bytes");
        void *p = sys_ptr(t, a[2], sizeof(struct ifreq), WR);
        if (!p) return -LINUX_EFAULT;
        return sys_ret(ioctl(fd, a[1] == LINUX_SIOCGIFNAME ? SIOCGIFNAME : SIOCGIFINDEX, p));
    }
    case LINUX_FICLONE:
    case LINUX_FICLONERANGE: {
#if defined(__x86_64__) || defined(__aarch64__) || defined(__riscv)
        /* the same request numbers and clone range on these hosts; the source is a
         * descriptor (FICLONE's argument, the range's first field): none of vm's own */
        struct {
            int64_t src_fd;
            uint64_t src_offset, src_length, dest_offset;
        } r;
        if (a[1] == LINUX_FICLONE)
            r.src_fd = (int32_t)a[2];
        else
            GET_ARG(r, a[2]);
        if (r.src_fd < 0 || r.src_fd > INT32_MAX || vm_hostfd_is_own((int)r.src_fd))
            return -LINUX_EBADF;
        if (a[1] == LINUX_FICLONE) return sys_ret(ioctl(fd, (unsigned long)a[1], (int)r.src_fd));
        return sys_ret(ioctl(fd, (unsigned long)a[1], &r));
#else
        return -LINUX_ENOTTY;
#endif
    }
    default: return -LINUX_ENOTTY;
    }
}

/* pipe2(pipefd, flags). */
int64_t sys_pipe2(linux_thread_t *t, const uint64_t a[6]) {
    if (!sys_ptr(t, a[0], 8, WR)) return -LINUX_EFAULT;
    int fds[2];
    if (pipe2(fds, linux_open_flags_to_host(a[1])) < 0) return sys_err();
    if (linux_copy_to_guest(t, a[0], fds, 8)) {
        close(fds[0]);
        close(fds[1]);
        return -LINUX_EFAULT;
    }
    return 0;
}

/* eventfd2(initval, flags): EFD_SEMAPHORE (1) has the same value on both. */
int64_t sys_eventfd2(linux_thread_t *t, const uint64_t a[6]) {
    (void)t;
    if (a[1] & ~(uint64_t)(LINUX_O_CLOEXEC | LINUX_O_NONBLOCK | 1)) return -LINUX_EINVAL;
    int fl = (linux_open_flags_to_host(a[1]) & (O_CLOEXEC | O_NONBLOCK)) | (int)(a[1] & 1);
    return sys_ret(eventfd((unsigned)a[0], fl));
}

/* memfd_create(name, flags). */
int64_t sys_memfd_create(linux_thread_t *t, const uint64_t a[6]) {
    char name[PATHBUF];
    int rc = sys_str(t, a[0], name, sizeof(name));
    if (rc) return rc;
    return sys_ret(memfd_create(name, (unsigned)a[1]));
}

/* ---- waiting for descriptors ---- */

/* ppoll of the n pollfds at guest address g (host pointer h) when some are signalfds readable
 * for t alone (a signal pending for t, linux_sfd_reads_own), which the host cannot see: the
 * others are polled without waiting and those get POLLIN. The result, or 0 when none of them
 * is such a signalfd (then the caller waits as usual). */
static int64_t ppoll_own(linux_thread_t *t, uint64_t g, void *h, uint64_t n) {
    if (!n || !linux_sfd_own_pending(t)) return 0;
    struct pollfd *f = malloc(n * sizeof(*f));
    bool *own = calloc(n, sizeof(*own));
    int64_t r = 0;
    bool any = false;
    if (!f || !own) {
        r = -LINUX_ENOMEM;
        goto out;
    }
    if (linux_copy_from_guest(t, f, g, n * sizeof(*f))) {
        r = -LINUX_EFAULT;
        goto out;
    }
    for (uint64_t i = 0; i < n; i++) {
        own[i] = (f[i].events & POLLIN) && f[i].fd >= 0 && linux_sfd_reads_own(t, f[i].fd);
        any = any || own[i];
    }
    if (!any) goto out;
    const struct timespec zero = {0, 0};
    r = ppoll(h, n, &zero, NULL);
    if (r < 0) {
        r = sys_err();
        goto out;
    }
    if (linux_copy_from_guest(t, f, g, n * sizeof(*f))) {
        r = -LINUX_EFAULT;
        goto out;
    }
    for (uint64_t i = 0; i < n; i++) {
        if (!own[i] || (f[i].revents & POLLIN)) continue;
        if (!f[i].revents) r++;
        f[i].revents |= POLLIN;
    }
    if (linux_copy_to_guest(t, g, f, n * sizeof(*f))) r = -LINUX_EFAULT;
out:
    free(f);
    free(own);
    return r;
}

/* ppoll(fds, nfds, timeout, sigmask, sigsetsize): struct pollfd is the host's. */
int64_t sys_ppoll(linux_thread_t *t, const uint64_t a[6]) {
    if (a[1] > 65536) return -LINUX_EINVAL;
    BUF_ARG(p, a[0], a[1] * sizeof(linux_pollfd_t), RD | WR);
    _Static_assert(sizeof(struct pollfd) == sizeof(linux_pollfd_t), "pollfd layout");
    struct timespec ts, *tsp;
    if (sys_get_timespec(t, a[2], &ts, &tsp)) return -LINUX_EFAULT;
    int mrc = sys_temp_sigmask(t, a[3], a[4]);
    if (mrc) return mrc;
    int64_t own = ppoll_own(t, a[0], p, a[1]);
    if (own) return own;
    sigset_t old, wait;
    if (!sys_wait_begin(t, 0, &old, &wait)) return -LINUX_EINTR;
    int r = ppoll(p, a[1], tsp, &wait);
    sys_wait_end(&old);
    if (r < 0) return sys_err();
    sys_put_timespec(t, a[2], &ts);
    return r;
}

/* pselect6's ppoll_own: the signalfds of the read set at guest address rd (fds[0]) that are
 * readable for t alone count as ready, the others are looked at without waiting. */
static int64_t pselect_own(linux_thread_t *t, int nfds, uint64_t rd, void *fds[3]) {
    if (!rd || nfds <= 0 || !linux_sfd_own_pending(t)) return 0;
    size_t nb = ((size_t)nfds + 63) / 64 * 8;
    uint64_t *in = calloc(1, nb), *own = calloc(1, nb);
    int64_t r = 0;
    bool any = false;
    if (!in || !own) {
        r = -LINUX_ENOMEM;
        goto out;
    }
    if (linux_copy_from_guest(t, in, rd, ((size_t)nfds + 7) / 8)) {
        r = -LINUX_EFAULT;
        goto out;
    }
    for (int fd = 0; fd < nfds; fd++)
        if ((in[fd / 64] >> (fd % 64) & 1) && linux_sfd_reads_own(t, fd)) {
            own[fd / 64] |= 1ull << (fd % 64);
            any = true;
        }
    if (!any) goto out;
    struct timespec zero = {0, 0};
    r = pselect(nfds, fds[0], fds[1], fds[2], &zero, NULL);
    if (r < 0) {
        r = sys_err();
        goto out;
    }
    if (linux_copy_from_guest(t, in, rd, ((size_t)nfds + 7) / 8)) {
        r = -LINUX_EFAULT;
        goto out;
    }
    for (size_t w = 0; w < nb / 8; w++) {
        r += __builtin_popcountll(own[w] & ~in[w]);
        in[w] |= own[w];
    }
    if (linux_copy_to_guest(t, rd, in, ((size_t)nfds + 7) / 8)) r = -LINUX_EFAULT;
out:
    free(in);
    free(own);
    return r;
}

/* pselect6(nfds, readfds, writefds, exceptfds, timeout, sigmask_pair): fd_set is a bit array
 * of 64-bit words on both. */
int64_t sys_pselect6(linux_thread_t *t, const uint64_t a[6]) {
    if (a[0] > 65536) return -LINUX_EINVAL;
    void *fds[3] = {0};
    for (int i = 0; i < 3; i++)
        if (a[1 + i] && !(fds[i] = sys_ptr(t, a[1 + i], (a[0] + 7) / 8, RD | WR)))
            return -LINUX_EFAULT;
    struct timespec ts, *tsp;
    if (sys_get_timespec(t, a[4], &ts, &tsp)) return -LINUX_EFAULT;
    if (a[5]) {
        /* the sixth argument points at { const sigset_t *ss; size_t ss_len; } */
        uint64_t sig[2];
        GET_ARG(sig, a[5]);
        int mrc = sys_temp_sigmask(t, sig[0], sig[1]);
        if (mrc) return mrc;
    }
    int64_t own = pselect_own(t, (int)a[0], a[1], fds);
    if (own) return own;
    sigset_t old, wait;
    if (!sys_wait_begin(t, 0, &old, &wait)) return -LINUX_EINTR;
    int r = pselect((int)a[0], fds[0], fds[1], fds[2], tsp, &wait);
    sys_wait_end(&old);
    return sys_ret(r);
}

/* epoll_create1(flags). */
int64_t sys_epoll_create1(linux_thread_t *t, const uint64_t a[6]) {
    (void)t;
    return sys_ret(epoll_create1((a[0] & LINUX_O_CLOEXEC) ? EPOLL_CLOEXEC : 0));
}

/* epoll_ctl(epfd, op, fd, event): the guest epoll_event is not packed, the host's is. */
int64_t sys_epoll_ctl(linux_thread_t *t, const uint64_t a[6]) {
    struct epoll_event h = {0}, *hp = NULL;
    if (a[3]) {
        linux_epoll_event_t g;
        GET_ARG(g, a[3]);
        h.events = g.events;
        h.data.u64 = g.data;
        hp = &h;
    }
    return sys_ret(epoll_ctl((int)a[0], (int)a[1], (int)a[2], hp));
}

/* epoll_pwait(epfd, events, maxevents, timeout, sigmask, sigsetsize): the mask holds while it
 * waits, as for ppoll. */
int64_t sys_epoll_pwait(linux_thread_t *t, const uint64_t a[6]) {
    int max = (int)a[2];
    if (max <= 0 || max > 4096) return -LINUX_EINVAL;
    if (!sys_ptr(t, a[1], (uint64_t)max * sizeof(linux_epoll_event_t), WR)) return -LINUX_EFAULT;
    int mrc = sys_temp_sigmask(t, a[4], a[5]);
    if (mrc) return mrc;
    struct epoll_event h[4096];
    /* a signal pending for this thread alone makes its signalfds readable (for every thread
     * that waits on them, unlike Linux: vm does not know which of them the set holds) */
    if (linux_sfd_own_pending(t)) linux_sfd_notify_own(t);
    long n = SYS_BLOCK_WAIT(SYS_epoll_pwait, (long)a[0], (long)h, (long)max, (long)(int)a[3], 0, 8);
    if (n < 0) return sys_err();
    for (int i = 0; i < n; i++) {
        linux_epoll_event_t g = {h[i].events, 0, h[i].data.u64};
        PUT_ARG(a[1] + (uint64_t)i * sizeof(g), g);
    }
    return n;
}
