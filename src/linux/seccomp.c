/* seccomp.c - the seccomp filter of --sandbox: the host system calls vm itself may make.
 *
 * box.c keeps a sandboxed guest's paths inside its directory and sys_net.c keeps it off the
 * network, but both are vm's own code: a bug in it (a path that skips the resolver, a stray
 * host call) would widen what the guest can do. So once a sandboxed process has started
 * (program loaded, signal handlers installed, the watchdog thread made) vm installs a
 * seccomp-bpf filter on all its threads (TSYNC) that lets through only what vm needs:
 * - every call of the guest system-call table (syscalls.def) that exists on the host under
 *   the same name (vm forwards most of them), and what vm itself, the C library and the JIT
 *   use (mmap and mprotect of the code cache, memfd_create, futex, openat2, the x86-64 names
 *   of the classic calls the C library still makes);
 * - socket and socketpair only for AF_UNIX (any family with --net);
 * - clone only without namespace flags, and clone3 answers ENOSYS (its flags are in memory,
 *   where a filter cannot look), so that the C library falls back to clone;
 * - ioctl except TIOCSTI and TIOCLINUX (typing into a terminal);
 * - never, whatever the tables say: ptrace, process_vm_readv/writev, mount and the other
 *   namespace, module, key, BPF, perf, io_uring, reboot and clock-setting calls.
 * Everything else fails with EPERM instead of killing the process: a call vm makes on a path
 * no test measured then gives the guest an error it can report, and still does nothing.
 * execve stays allowed, because a guest execve re-runs vm (the filter is inherited and stays
 * in force in the new program, which does not stack a second copy). A filter cannot read the
 * path execve is given (it sees only the pointer), so where the kernel has Landlock (Linux
 * 5.13) vm also restricts execution with it: only vm's own executable and its ELF interpreter
 * may be executed (EACCES for any other file), which holds across fork and execve as the
 * filter does. Without Landlock that rule is vm's own code (box.c resolves the program inside
 * the box, and execve of anything but a riscv64 program or script is refused before any host
 * execve is made).
 *
 * Sanitizer builds also allow ptrace: LeakSanitizer stops the threads with it at exit.
 *
 * Built only with libseccomp (VM_HAVE_SECCOMP); without it --sandbox is refused. The library
 * is not linked but loaded with dlopen (its soname found at build time, or $VM_SECCOMP_LIB)
 * when a sandboxed process starts: linked, it was one more object for the host's dynamic
 * loader to map and relocate at every start of vm. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/internal.h"

#ifdef VM_HAVE_SECCOMP
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <sched.h>
#include <sys/wait.h>
#if __has_include(<linux/landlock.h>)
#include <linux/landlock.h>
#define VM_HAVE_LANDLOCK 1
#endif
#include <seccomp.h>
#include <sys/ioctl.h>

#include "core/dynlib.h"

/* VM_SANITIZED: the build's sanitizer option defines it; a compiler's own flag does too */
#if !defined(VM_SANITIZED) && defined(__SANITIZE_ADDRESS__)
#define VM_SANITIZED 1
#endif

/* The guest table's names. */
static const char *const guest_names[] = {
#define LINUX_SYSCALL(nr, name, args, handler, flags) #name,
#define LINUX_SYSCALL_NI(nr, name, args)
#include "linux/syscalls.def"
#undef LINUX_SYSCALL
#undef LINUX_SYSCALL_NI
};

/* What vm, the C library, the JIT and the sanitizers call besides the guest's table. */
static const char *const host_names[] = {
    "read",
    "write",
    "open",
    "openat",
    "openat2",
    "close",
    "stat",
    "fstat",
    "lstat",
    "newfstatat",
    "statx",
    "poll",
    "ppoll",
    "lseek",
    "mmap",
    "mprotect",
    "munmap",
    "mremap",
    "brk",
    "rt_sigaction",
    "rt_sigprocmask",
    "rt_sigreturn",
    "pread64",
    "pwrite64",
    "readv",
    "writev",
    "access",
    "faccessat",
    "faccessat2",
    "pipe",
    "pipe2",
    "select",
    "pselect6",
    "sched_yield",
    "msync",
    "mincore",
    "madvise",
    "dup",
    "dup2",
    "dup3",
    "nanosleep",
    "clock_nanosleep",
    "clock_gettime",
    "clock_getres",
    "gettimeofday",
    "time",
    "getpid",
    "gettid",
    "getppid",
    "fork",
    "vfork",
    "execve",
    "execveat",
    "exit",
    "exit_group",
    "wait4",
    "waitid",
    "kill",
    "tgkill",
    "tkill",
    "uname",
    "fcntl",
    "flock",
    "fsync",
    "fdatasync",
    "truncate",
    "ftruncate",
    "getdents64",
    "getcwd",
    "chdir",
    "fchdir",
    "rename",
    "renameat",
    "renameat2",
    "mkdir",
    "mkdirat",
    "rmdir",
    "unlink",
    "unlinkat",
    "readlink",
    "readlinkat",
    "chmod",
    "fchmod",
    "fchmodat",
    "chown",
    "fchown",
    "lchown",
    "fchownat",
    "umask",
    "getrlimit",
    "setrlimit",
    "prlimit64",
    "getrusage",
    "sysinfo",
    "times",
    "getuid",
    "geteuid",
    "getgid",
    "getegid",
    "getpgrp",
    "setsid",
    "sigaltstack",
    "arch_prctl",
    "prctl",
    "futex",
    "set_tid_address",
    "set_robust_list",
    "get_robust_list",
    "rseq",
    "sched_getaffinity",
    "sched_setaffinity",
    "getrandom",
    "memfd_create",
    "membarrier",
    "close_range",
    "epoll_create1",
    "epoll_ctl",
    "epoll_wait",
    "epoll_pwait",
    "epoll_pwait2",
    "eventfd2",
    "timerfd_create",
    "timerfd_settime",
    "timerfd_gettime",
    "signalfd4",
    "statfs",
    "fstatfs",
    "sendfile",
    "copy_file_range",
    "splice",
    "tee",
    "fallocate",
    "utimensat",
    "link",
    "linkat",
    "symlink",
    "symlinkat",
    "mknodat",
    "restart_syscall",
    "getcpu",
    "rt_sigtimedwait",
    "rt_sigsuspend",
    "rt_sigpending",
    "rt_sigqueueinfo",
    "rt_tgsigqueueinfo",
    "setitimer",
    "getitimer",
    "alarm",
    "pause",
    "mbind",
    "set_mempolicy",
    "get_mempolicy",
    "shutdown",
    "sched_getparam",
    "sched_getscheduler",
    "getpriority",
    "setpriority",
    "getsid",
    "getpgid",
    "setpgid",
    "getgroups",
    "getresuid",
    "getresgid",
    "recvfrom",
    "sendto",
    "recvmsg",
    "sendmsg",
    "bind",
    "connect",
    "listen",
    "accept",
    "accept4",
    "getsockname",
    "getpeername",
    "getsockopt",
    "setsockopt",
    "readahead",
    "fadvise64",
    "sync",
    "syncfs",
    "sync_file_range",
    "getxattr",
    "lgetxattr",
    "fgetxattr",
    "listxattr",
    "llistxattr",
    "flistxattr",
    "setxattr",
    "lsetxattr",
    "fsetxattr",
    "removexattr",
    "lremovexattr",
    "fremovexattr",
    "ioctl",
    "socket",
    "socketpair",
    "clone",
    "clone3",
    "pidfd_open",
    "pidfd_send_signal",
    "landlock_create_ruleset",
    "landlock_add_rule",
    "landlock_restrict_self",
};

/* Never allowed, whatever the lists above say. */
static const char *const denied[] = {
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "unshare",
    "setns",
    "bpf",
    "perf_event_open",
    "keyctl",
    "add_key",
    "request_key",
    "init_module",
    "finit_module",
    "delete_module",
    "kexec_load",
    "kexec_file_load",
    "reboot",
    "swapon",
    "swapoff",
    "acct",
    "open_by_handle_at",
    "name_to_handle_at",
    "userfaultfd",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "quotactl",
    "syslog",
    "settimeofday",
    "clock_settime",
    "adjtimex",
    "clock_adjtime",
    "sethostname",
    "setdomainname",
    "vhangup",
    "iopl",
    "ioperm",
    "pidfd_getfd",
    "kcmp",
    "fsopen",
    "fsmount",
    "fsconfig",
    "move_mount",
    "open_tree",
    "mount_setattr",
    "fanotify_init",
    "lookup_dcookie",
    "process_madvise",
};

/* The libseccomp functions vm calls, found with dlsym (the types are the header's). */
static struct {
    __typeof__(seccomp_init) *init;                         /* seccomp_init */
    __typeof__(seccomp_release) *release;                   /* seccomp_release */
    __typeof__(seccomp_attr_set) *attr_set;                 /* seccomp_attr_set */
    __typeof__(seccomp_load) *load;                         /* seccomp_load */
    __typeof__(seccomp_rule_add) *rule_add;                 /* seccomp_rule_add */
    __typeof__(seccomp_syscall_resolve_name) *resolve_name; /* seccomp_syscall_resolve_name */
    bool ok;                                                /* all of them found */
    char err[256];                                          /* why not, when !ok */
} sc;
static pthread_once_t sc_once = PTHREAD_ONCE_INIT;

/* Load libseccomp once per process. */
static void sc_load(void) {
    const vm_dynsym_t syms[] = {
        {"seccomp_init", &sc.init},         {"seccomp_release", &sc.release},
        {"seccomp_attr_set", &sc.attr_set}, {"seccomp_load", &sc.load},
        {"seccomp_rule_add", &sc.rule_add}, {"seccomp_syscall_resolve_name", &sc.resolve_name},
    };
    sc.ok = vm_dynlib_load("libseccomp", "VM_SECCOMP_LIB", VM_SECCOMP_SONAME, syms,
                           sizeof(syms) / sizeof(syms[0]), sc.err, sizeof(sc.err));
}

/* Calls with a rule of their own below. */
static const char *const special[] = {"socket", "socketpair", "clone", "clone3", "ioctl"};

static bool in(const char *name, const char *const *list, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!strcmp(name, list[i])) return true;
    return false;
}
#define IN(name, list) in(name, list, sizeof(list) / sizeof(list[0]))

/* Allow the host call `name` when the host has it and no rule says otherwise. */
static int allow(scmp_filter_ctx ctx, const char *name) {
    if (IN(name, special)) return 0;
#ifdef VM_SANITIZED
    if (!strcmp(name, "ptrace")) return sc.rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ptrace), 0);
#endif
    if (IN(name, denied)) return 0;
    int nr = sc.resolve_name(name);
    if (nr == __NR_SCMP_ERROR) return 0; /* a riscv64-only call */
    return sc.rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
}

/* A comparison of argument `arg` (every field set: the library's macros leave one to the
 * compiler's zeroing, which -Wmissing-field-initializers names). */
static struct scmp_arg_cmp cmp(unsigned arg, enum scmp_compare op, scmp_datum_t a, scmp_datum_t b) {
    return (struct scmp_arg_cmp){.arg = arg, .op = op, .datum_a = a, .datum_b = b};
}

/* The namespace flags clone must not carry. */
#define NS_FLAGS                                                                                   \
    ((uint64_t)(CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC |         \
                CLONE_NEWUTS | CLONE_NEWCGROUP))

static int build(scmp_filter_ctx ctx, bool net) {
    int rc = 0;
    for (size_t i = 0; !rc && i < sizeof(guest_names) / sizeof(guest_names[0]); i++)
        rc = allow(ctx, guest_names[i]);
    for (size_t i = 0; !rc && i < sizeof(host_names) / sizeof(host_names[0]); i++)
        rc = allow(ctx, host_names[i]);
#ifdef VM_SANITIZED
    if (!rc) rc = allow(ctx, "ptrace");
#endif
    if (rc) {
        fprintf(stderr, "vm: --sandbox: seccomp rule for a listed call: %s\n", strerror(-rc));
        return rc;
    }
    if (net) {
        rc = sc.rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 0);
        if (!rc) rc = sc.rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socketpair), 0);
    } else {
        rc = sc.rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1, cmp(0, SCMP_CMP_EQ, AF_UNIX, 0));
        if (!rc)
            rc = sc.rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socketpair), 1,
                             cmp(0, SCMP_CMP_EQ, AF_UNIX, 0));
    }
    if (!rc)
        rc = sc.rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                         cmp(0, SCMP_CMP_MASKED_EQ, NS_FLAGS, 0));
    if (!rc) rc = sc.rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    /* ioctl: every request but TIOCSTI and TIOCLINUX (0x5412 and 0x541C): those below, the
     * eight between one by one, those above */
    if (!rc)
        rc = sc.rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, cmp(1, SCMP_CMP_LT, TIOCSTI, 0));
    if (!rc)
        rc =
            sc.rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, cmp(1, SCMP_CMP_GT, TIOCLINUX, 0));
    for (scmp_datum_t r = TIOCSTI + 1; !rc && r < TIOCLINUX; r++)
        rc = sc.rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, cmp(1, SCMP_CMP_EQ, r, 0));
    return rc;
}

/* The Landlock rule: execution only of vm's executable and its ELF interpreter. 1 when in
 * force, 0 when the kernel has no Landlock (the rule is then vm's own code only), or -errno. */
#ifdef VM_HAVE_LANDLOCK
/* dl_iterate_phdr callback: the main program's PT_INTERP string into data (a char[4096]). */
static int find_interp(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    for (int i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_INTERP)
            snprintf(data, 4096, "%s",
                     (const char *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr));
    return 1; /* the main program comes first: stop there */
}

/* Allow access (LANDLOCK_ACCESS_FS_*) on the file or tree at path in ruleset rs. */
static int allow_path(int rs, const char *path, uint64_t access) {
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0) return -errno;
    struct landlock_path_beneath_attr pb = {.allowed_access = access, .parent_fd = fd};
    long r = syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
    int e = errno;
    close(fd);
    return r < 0 ? -e : 0;
}

static int landlock_exec(const linux_proc_t *p) {
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    /* ABI 1 refuses every link and rename across directories (EXDEV) once a ruleset is in
     * force; from ABI 2 that right (REFER) can be given back, on the whole tree */
    if (abi < 2) return 0;
    struct landlock_ruleset_attr attr = {.handled_access_fs =
                                             LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_REFER};
#ifdef LANDLOCK_SCOPE_SIGNAL
    /* ABI 6: the kernel also refuses signals to processes outside the guest's processes,
     * behind box.c's own rule */
    if (abi >= 6) attr.scoped = LANDLOCK_SCOPE_SIGNAL;
#endif
    int rs = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
    if (rs < 0) return -errno;
    char interp[4096] = "";
    dl_iterate_phdr(find_interp, interp);
    int rc = allow_path(rs, "/", LANDLOCK_ACCESS_FS_REFER);
    if (!rc) rc = allow_path(rs, p->opt.vm_exe, LANDLOCK_ACCESS_FS_EXECUTE);
    if (!rc && interp[0]) rc = allow_path(rs, interp, LANDLOCK_ACCESS_FS_EXECUTE);
    if (!rc && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) rc = -errno;
    if (!rc && syscall(SYS_landlock_restrict_self, rs, 0) != 0) rc = -errno;
    close(rs);
    return rc ? rc : 1;
}
#else
static int landlock_exec(const linux_proc_t *p) {
    (void)p;
    return 0;
}
#endif

/* Whether the Landlock rule is in force (1), not available (0), or inherited (-1). */
static int landlock_state = -1;

/* VM_SANDBOX_PROBE=1 (tests only): after the filter is in, make host calls it must refuse
 * and say on stderr what each returned, so a test can see that the filter is in force. */
static void probe(void) {
    const char *v = getenv("VM_SANDBOX_PROBE");
    if (!v || strcmp(v, "1") != 0) return;
#ifdef VM_SANITIZED
    fprintf(stderr, "vm: sandbox probe: ptrace: allowed in sanitizer builds\n");
    long r;
#else
    long r = syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0);
    fprintf(stderr, "vm: sandbox probe: ptrace: %ld %s\n", r, r < 0 ? strerror(errno) : "");
#endif
    r = syscall(SYS_process_vm_readv, getppid(), NULL, 0, NULL, 0, 0);
    fprintf(stderr, "vm: sandbox probe: process_vm_readv: %ld %s\n", r,
            r < 0 ? strerror(errno) : "");
    r = syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
    fprintf(stderr, "vm: sandbox probe: socket(AF_INET): %ld %s\n", r,
            r < 0 ? strerror(errno) : "");
    if (r >= 0) close((int)r);
    r = syscall(SYS_unshare, CLONE_NEWUSER);
    fprintf(stderr, "vm: sandbox probe: unshare: %ld %s\n", r, r < 0 ? strerror(errno) : "");
    if (!landlock_state) fprintf(stderr, "vm: sandbox probe: landlock: not available\n");
    /* execve of a host program, in a child: its exit status is the errno (0: it ran) */
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        char *argv[] = {"true", NULL}, *envp[] = {NULL};
        execve("/bin/true", argv, envp);
        _exit(errno & 0x7f);
    }
    int st = 0;
    if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st)) {
        int e = WEXITSTATUS(st);
        fprintf(stderr, "vm: sandbox probe: execve(/bin/true): %s\n", !e ? "ran" : strerror(e));
    }
}

int linux_seccomp_install(const linux_proc_t *p) {
    if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2) {
        /* an execve of a sandboxed guest: the parent's filter is still in force */
        probe();
        return 0;
    }
    const char *why = linux_seccomp_unavailable();
    if (why) {
        fprintf(stderr, "vm: --sandbox: %s\n", why);
        return -ENOSYS;
    }
    landlock_state = landlock_exec(p);
    if (landlock_state < 0) {
        fprintf(stderr, "vm: --sandbox: cannot restrict execution with Landlock: %s\n",
                strerror(-landlock_state));
        return landlock_state;
    }
    scmp_filter_ctx ctx = sc.init(SCMP_ACT_ERRNO(EPERM));
    if (!ctx) {
        fprintf(stderr, "vm: --sandbox: cannot make a seccomp filter\n");
        return -ENOMEM;
    }
    int rc = sc.attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
    if (!rc) rc = build(ctx, p->opt.net);
    if (!rc) rc = sc.load(ctx);
    sc.release(ctx);
    if (rc) {
        fprintf(stderr, "vm: --sandbox: cannot install the seccomp filter: %s\n", strerror(-rc));
        return rc;
    }
    probe();
    return 0;
}

const char *linux_seccomp_unavailable(void) {
    pthread_once(&sc_once, sc_load);
    return sc.ok ? NULL : sc.err;
}

#else /* !VM_HAVE_SECCOMP */

int linux_seccomp_install(const linux_proc_t *p) {
    (void)p;
    return -ENOSYS;
}

const char *linux_seccomp_unavailable(void) {
    return "this vm was built without libseccomp (install libseccomp-dev and rebuild)";
}

#endif
