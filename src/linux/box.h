/* box.h - the --sandbox file tree (see box.c for the design): every guest path resolved by
 * the kernel inside one host directory, with no way out through "..", symlinks, /proc or
 * descriptors, and the few host names (/proc of this process, an allow-list of /dev) the
 * guest keeps. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include "linux/path.h"

/* Set up the box of process p: its root descriptor (p->root_fd, registered as vm's own) and
 * a check that the host has openat2's RESOLVE_IN_ROOT. 0, or -errno with a message in err. */
int linux_box_init(linux_proc_t *p, char *err, size_t errlen);

/* openat2(root, path, flags, mode) resolved inside root (RESOLVE_IN_ROOT, no magic links),
 * retried while a concurrent rename makes the kernel ask for it. A host descriptor or -errno
 * (host numbering). */
int linux_box_open_root(int root, const char *path, int flags, mode_t mode);

/* linux_path_resolve under --sandbox (out already reset): g relative to guest dirfd, for a
 * call that treats the final component as mode says. 0 or -LINUX_E*. */
int linux_box_resolve(linux_thread_t *t, int dirfd, const char *g, linux_path_mode_t mode,
                      linux_path_t *out);

/* The guest's absolute path for g relative to guest dirfd (not canonicalised: ".." and
 * symlinks are the kernel's to resolve). 0 or -LINUX_E*. */
int linux_box_abs(linux_thread_t *t, int dirfd, const char *g, char *out, size_t n);

/* Open the guest absolute path g inside the box with host open flags fl. A host descriptor or
 * -LINUX_E*. */
int linux_box_openat(linux_thread_t *t, const char *g, int fl, mode_t mode);

/* Whether the guest may make a socket of this domain (AF_UNIX always, others with --net). */
bool linux_box_socket_ok(const linux_proc_t *p, int domain);

/* The guest sockaddr of len bytes at guest address ga, for bind (create) or connect/sendto:
 * under --sandbox an AF_UNIX path is resolved inside the box into *out (*outlen bytes), with
 * *tmp a descriptor to close after the call; an abstract name is refused without --net.
 * Returns 1 when *out is to be used, 0 when the guest's address stands, or -LINUX_E*. */
int linux_box_sockaddr(linux_thread_t *t, uint64_t ga, size_t len, bool create,
                       struct sockaddr_un *out, socklen_t *outlen, int *tmp);

/* The first process of a sandboxed guest's process tree (p->tree_pid, p->tree_start): this
 * one, or the one opt.sandbox_tree names (an execve's new vm). 0 or -errno, with a message. */
int linux_box_tree_init(linux_proc_t *p);

/* Whether the guest may act on process or thread id (kill, sched_*, setpriority, prlimit,
 * getsid...): 0 without --sandbox, for id <= 0 and for the guest's own process tree (box.c),
 * else -LINUX_ESRCH. */
int linux_box_pid_check(linux_thread_t *t, int id);

/* The processes of process group pgrp (-1: every process but this one and PID 1, as kill(-1)
 * reaches) that are in the guest's tree, at most max of them in out; the count, with
 * *outside the number of the group's other members. */
int linux_box_group(linux_thread_t *t, int pgrp, int *out, int max, int *outside);

/* kill(pid, hs) (pid > 0, hs a host signal or 0) under --sandbox: the process is checked
 * and signalled through a pidfd. 0 or -LINUX_E*. */
int linux_box_kill(linux_thread_t *t, int pid, int hs);

/* Which name of a socket linux_box_name_keep/show are about. */
enum {
    LINUX_BOX_NAME_OWN,  /* its own (bind, getsockname) */
    LINUX_BOX_NAME_PEER, /* the one it connected to (connect, getpeername) */
    LINUX_BOX_NAME_OTHER /* a peer's the guest did not name (accept, recvfrom) */
};

/* --sandbox: after a successful bind (OWN) or connect (PEER) of socket fd to the guest's
 * sockaddr (glen bytes at gaddr, already copied or checked), keep the name the guest gave. */
void linux_box_name_keep(int fd, int which, const void *gaddr, size_t glen);

/* --sandbox: the socket address su (len bytes) the host reported for socket fd, rewritten in
 * place as the guest sees it when it is one of vm's /proc/self/fd/N/NAME names (box.c).
 * Returns the new length. */
socklen_t linux_box_name_show(int fd, int which, struct sockaddr_un *su, socklen_t len);

/* --sandbox: socket fd was accepted on listener: its own name is the listener's. */
void linux_box_name_accepted(int listener, int fd);
