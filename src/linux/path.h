/* path.h - the one resolver every guest path goes through (see path.c for the design):
 * lexical canonicalisation, the guest's own /proc entries, vm's own descriptors, and the
 * sysroot rule of -L/--sysroot. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* What a canonical path names in this process's own /proc (or /dev/fd). */
typedef enum linux_proc_kind {
    LINUX_PROC_NONE = 0, /* not an entry of this process's /proc: the sysroot rule applies */
    LINUX_PROC_OTHER,    /* an entry vm lets the host serve (status, limits, task, ...) */
    LINUX_PROC_MAPS,     /* maps: vm serves the guest's VMA list */
    LINUX_PROC_SMAPS,    /* smaps: the guest's VMA list with per-mapping fields */
    LINUX_PROC_EXE,      /* exe: names the guest program */
    LINUX_PROC_CMDLINE,  /* cmdline: the guest's argv */
    LINUX_PROC_AUXV,     /* auxv: the guest's auxiliary vector */
    LINUX_PROC_ENVIRON,  /* environ: the guest's initial environment */
    LINUX_PROC_CWD,      /* cwd: the working directory, shown in guest terms */
    LINUX_PROC_FD,       /* fd/N or fdinfo/N: descriptor N (refused when N is vm's own) */
    LINUX_PROC_FDDIR,    /* fd or fdinfo: listed without vm's own descriptors */
    LINUX_PROC_REFUSED,  /* mem, pagemap, map_files, numa_maps, ...: would reach vm's memory */
} linux_proc_kind_t;

/* Who "self" is: what the pure resolver needs to know about the calling process. */
typedef struct linux_path_ctx {
    int pid;                                   /* this process's id (guest ids are host ids) */
    int tid;                                   /* the calling thread's id (thread-self) */
    bool (*is_own_tid)(void *opaque, long id); /* whether id is a thread of this process */
    void *opaque;                              /* is_own_tid's first argument */
} linux_path_ctx_t;

/* Lexically canonical form of the absolute path `in`: no empty, "." or ".." components, no
 * trailing slash ("/" for the root; ".." at the root stays there). 0, or -LINUX_ENAMETOOLONG
 * when it does not fit in n bytes, -LINUX_EINVAL when in is not absolute. */
int linux_path_canon(const char *in, char *out, size_t n);

/* Canonicalise the absolute path `in` into out and say what it names in this process's /proc:
 * /dev/fd, /dev/std{in,out,err}, /proc/self, /proc/thread-self, /proc/PID and /proc/TID of
 * this process, /proc/PID/task/TID and /proc/self/root/... are rewritten to their canonical
 * host form (/proc/PID/..., /proc/PID/task/TID/..., or the path below root). For
 * LINUX_PROC_FD, *fd is the descriptor number. Returns the kind (>= 0) or -LINUX_E*
 * (ENAMETOOLONG, ELOOP, EINVAL). */
int linux_path_proc(const linux_path_ctx_t *c, const char *in, char *out, size_t n, int *fd);

/* Whether the canonical path p lies in one of the host trees the sysroot never redirects:
 * /proc, /dev, /sys and /tmp (and "/" itself). */
bool linux_path_host_only(const char *p);

/* The guest's view of the host path `host`: with the sysroot prefix removed when host lies
 * under it ("/" when it is the sysroot itself), else host unchanged. 0 or -LINUX_ENAMETOOLONG. */
int linux_path_guest_view(const char *sysroot, const char *host, char *out, size_t n);

/* How the sysroot rule treats a path. */
typedef enum linux_path_mode {
    LINUX_PATH_LOOKUP,   /* the object must exist: under the sysroot when it is there */
    LINUX_PATH_CREATE,   /* the call may create it: under the sysroot when its parent is there */
    LINUX_PATH_HOST,     /* never redirected (a name that is not a lookup) */
    LINUX_PATH_NOFOLLOW, /* a lookup that does not follow a final symlink (lstat, unlink,
                            readlink...): as LOOKUP, except under --sandbox */
    LINUX_PATH_OPEN,     /* --sandbox only: openat, which box.c opens itself (host is the
                            guest's absolute path when box_open is set) */
} linux_path_mode_t;

#include "linux/proc.h"

/* A guest path resolved for the host. */
typedef struct linux_path {
    char host[4096];        /* what to hand to the host call (may be relative to the dirfd) */
    linux_proc_kind_t kind; /* what it names in this process's /proc */
    int fd;                 /* for LINUX_PROC_FD: the descriptor number */
    bool redirected;        /* host is the guest path under the sysroot */
    int tmpfd;              /* --sandbox: the O_PATH descriptor host names (-1: none); closed by
                               linux_path_release */
    bool box_open;          /* --sandbox, LINUX_PATH_OPEN: open host with linux_box_openat */
} linux_path_t;

/* Close the temporary descriptor a --sandbox resolution left in r (no-op otherwise). */
void linux_path_release(linux_path_t *r);

/* A linux_path_t released when it goes out of scope. */
#define LINUX_PATH_SCOPED __attribute__((cleanup(linux_path_release))) linux_path_t

/* Resolve the guest path g, relative to guest descriptor dirfd (LINUX_AT_FDCWD: the working
 * directory), for a call that treats it as mode says. A path naming one of vm's own
 * descriptors gives -LINUX_ENOENT, a dirfd that is one gives -LINUX_EBADF. 0 or -LINUX_E*. */
int linux_path_resolve(linux_thread_t *t, int dirfd, const char *g, linux_path_mode_t mode,
                       linux_path_t *out);

/* The process's ids for linux_path_proc, seen from thread t. */
linux_path_ctx_t linux_path_ctx(linux_thread_t *t);

/* After a host open of a guest path succeeded with descriptor fd: when fd is a file of this
 * process's /proc that vm must serve or refuse (reached through a symlink, a bind or any
 * name the lexical resolver did not see), its kind (and *fdnum); else LINUX_PROC_NONE. */
linux_proc_kind_t linux_path_check_open(linux_thread_t *t, int fd, int *fdnum);
