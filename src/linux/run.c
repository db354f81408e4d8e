/* run.c - user mode start-up: address space, program, stack, trampoline, first thread. */
#include "linux/run.h"

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/hostfd.h"
#include "linux/box.h"
#include "linux/internal.h"
#include "linux/loader.h"
#include "linux/path.h"
#include "riscv/cpu.h"

/* The process (one per host process). */
static linux_proc_t proc;

/* Decode-cache hook of the address space: code in a changed range must be decoded again. */
static void space_changed(void *ctx, uint64_t start, uint64_t len) {
    (void)ctx;
    linux_thread_t *t = linux_current;
    if (t) linux_code_changed(t, start, len);
}

/* Map the page holding `li a7, 139; ecall`, where signal handlers return to. */
static int map_sigtramp(linux_proc_t *p) {
    int64_t a = linux_space_mmap(&p->space, 0, LINUX_PAGE_SIZE, LINUX_PROT_READ | LINUX_PROT_WRITE,
                                 LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS, -1, 0);
    if (a < 0) return (int)a;
    static const uint32_t code[2] = {
        0x08b00893u, /* addi a7, zero, 139 (rt_sigreturn) */
        0x00000073u, /* ecall */
    };
    memcpy(linux_space_ptr(&p->space, (uint64_t)a), code, sizeof(code));
    int rc = linux_space_mprotect(&p->space, (uint64_t)a, LINUX_PAGE_SIZE,
                                  LINUX_PROT_READ | LINUX_PROT_EXEC);
    p->sigtramp = (uint64_t)a;
    return rc;
}

/* Close every inherited descriptor above 2 that is not vm's own: the guest could otherwise
 * reach what they name outside the box. */
static void close_inherited(void) {
    unsigned from = 3;
    for (;;) {
        int own = vm_hostfd_next((int)from);
        if (own < 0) {
            syscall(SYS_close_range, from, ~0u, 0);
            return;
        }
        if ((unsigned)own > from) syscall(SYS_close_range, from, (unsigned)own - 1, 0);
        from = (unsigned)own + 1;
    }
}

/* --sandbox start-up (box.c): the root, the interpreter rule, the working directory, the
 * inherited descriptors, and for a sandboxed execve the program (a path inside the box,
 * opened there: *path becomes its /proc/self/fd name in buf). 0 or the exit status. */
static int sandbox_setup(linux_proc_t *p, const char **path, char *buf, size_t n) {
    const char *why = linux_seccomp_unavailable();
    if (why) {
        fprintf(stderr, "vm: --sandbox: %s\n", why);
        return 127;
    }
    static char box_abs[4096];
    if (!realpath(p->opt.sandbox, box_abs)) {
        fprintf(stderr, "vm: --sandbox: %s: %s\n", p->opt.sandbox, strerror(errno));
        return 127;
    }
    p->opt.sandbox = box_abs;
    p->opt.sysroot = box_abs; /* the guest's view of host names (getcwd, readlink) */
    p->opt.host_exec = false;
    if (!p->opt.sandbox_exec) close_inherited();
    char err[512];
    if (linux_box_init(p, err, sizeof(err)) != 0) {
        fprintf(stderr, "vm: %s\n", err);
        return 127;
    }
    linux_loader_set_root(p->root_fd);
    if (linux_box_tree_init(p) != 0) return 127;
    char cwd[4096];
    if (!p->opt.sandbox_exec) {
        /* the program is a host path, perhaps relative: named before the chdir below */
        static char prog_abs[4096];
        if (realpath(*path, prog_abs)) *path = prog_abs;
        /* the guest starts where it was started when that is inside the box, else at "/" */
        size_t rl = strlen(box_abs);
        bool inside = getcwd(cwd, sizeof(cwd)) && !strncmp(cwd, box_abs, rl) &&
                      (cwd[rl] == 0 || cwd[rl] == '/');
        if (!inside && chdir(box_abs) != 0) {
            fprintf(stderr, "vm: --sandbox: %s: %s\n", box_abs, strerror(errno));
            return 127;
        }
        return 0;
    }
    if (!strncmp(*path, "/proc/self/fd/", 14)) return 0; /* fexecve of a guest descriptor */
    int fd = linux_box_open_root(p->root_fd, *path, O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0) {
        fprintf(stderr, "vm: %s: %s\n", *path, strerror(-fd));
        return -fd == ENOENT ? 127 : 126;
    }
    vm_hostfd_add(fd);
    snprintf(buf, n, "/proc/self/fd/%d", fd);
    *path = buf;
    return 0;
}

linux_proc_t *linux_the_proc(void) {
    return &proc;
}

int linux_prepare_program(const linux_options_t *opt, const char *path, int argc, char **argv,
                          char **envp) {
    linux_proc_t *p = &proc;
    /* Cleared only when an earlier preparation in this process wrote it: the first one finds
     * it zero, as every new process has its static storage, and clearing it would back all of
     * its pages (signal tables, signal descriptors, ...) that a short program never touches.
     * Of the real-time queue's entries only their states count, up to the highest used. */
    static bool proc_written;
    if (proc_written) {
        int rtq_used = atomic_load(&p->rtq_hi);
        memset(p, 0, offsetof(linux_proc_t, rtq));
        for (int i = 0; i < rtq_used; i++)
            atomic_store(&p->rtq[i].state, 0);
    }
    proc_written = true;
    p->opt = *opt;
    p->root_fd = -1;
    if (!p->opt.sysroot) p->opt.sysroot = "/usr/riscv64-linux-gnu";
    /* absolute, so that it still holds after a guest chdir and across execve */
    static char root_abs[4096];
    if (realpath(p->opt.sysroot, root_abs)) p->opt.sysroot = root_abs;
    pthread_mutex_init(&p->sig_lock, NULL);
    const char *given = path; /* as named: a guest path for a sandboxed execve */
    static char box_prog[64];
    if (p->opt.sandbox) {
        int rc = sandbox_setup(p, &path, box_prog, sizeof(box_prog));
        if (rc) return rc;
    }
    if (!realpath(path, p->exe_host)) {
        fprintf(stderr, "vm: %s: %s\n", path, strerror(errno));
        return 127;
    }
    /* what the guest sees: the path inside its root */
    linux_path_guest_view(p->opt.sysroot, p->exe_host, p->exe_path, sizeof(p->exe_path));
    /* under `ulimit -v` the space is what the limit allows, and each thread's code cache is
     * smaller (the cache is mapped twice: writable and executable) */
    uint64_t size = linux_space_host_size();
    if (size < LINUX_SPACE_MIN) {
        fprintf(stderr,
                "vm: the address-space limit (ulimit -v) leaves %llu MiB for the guest, "
                "%llu MiB at least are needed\n",
                (unsigned long long)(size >> 20), (unsigned long long)(LINUX_SPACE_MIN >> 20));
        return 127;
    }
    if (size < LINUX_TASK_SIZE && !p->opt.exec.cache_bytes) p->opt.exec.cache_bytes = 16u << 20;
    int rc = linux_space_init(&p->space, size);
    if (rc) {
        fprintf(stderr, "vm: cannot reserve the guest address space: %s\n", strerror(-rc));
        return 127;
    }
    p->space.commit_limit = p->opt.memory_limit;
    p->space.on_change = space_changed;
    char err[512];
    linux_image_t img;
    rc = linux_load_program(&p->space, path, p->opt.sysroot, &img, err, sizeof(err));
    if (path == box_prog) { /* the program opened inside the box: loaded, no longer needed */
        int fd = atoi(box_prog + strlen("/proc/self/fd/"));
        vm_hostfd_remove(fd);
        close(fd);
        path = given;
    }
    if (rc) {
        fprintf(stderr, "vm: %s\n", err);
        linux_space_destroy(&p->space);
        return rc == -ENOENT || rc == -EACCES ? 127 : 126;
    }
    if (map_sigtramp(p) != 0) {
        fprintf(stderr, "vm: cannot map the signal trampoline\n");
        return 127;
    }
    /* AT_EXECFN: the name given (--execfn: the one a guest execve used), else the path, in
     * guest terms when it names a file under the sysroot */
    char execfn[4096];
    if (p->opt.execfn)
        snprintf(execfn, sizeof(execfn), "%s", p->opt.execfn);
    else if (p->opt.sandbox_exec)
        snprintf(execfn, sizeof(execfn), "%s", given);
    else if (path[0] != '/' ||
             linux_path_guest_view(p->opt.sysroot, path, execfn, sizeof(execfn)) != 0)
        snprintf(execfn, sizeof(execfn), "%s", path);
    linux_stack_args_t sa = {
        .top = p->space.size,
        .argc = argc,
        .argv = argv,
        .envp = envp,
        .execfn = execfn,
        .hwcap = LINUX_HWCAP_RV64GC,
        .uid = getuid(),
        .euid = geteuid(),
        .gid = getgid(),
        .egid = getegid(),
    };
    uint64_t sp = linux_build_stack(&p->space, &img, &sa, err, sizeof(err));
    if (!sp) {
        fprintf(stderr, "vm: %s\n", err);
        return 127;
    }
    /* what /proc/self/cmdline and /proc/self/auxv show */
    size_t total = 0;
    for (int i = 0; i < argc; i++)
        total += strlen(argv[i]) + 1;
    p->cmdline = malloc(total ? total : 1);
    if (p->cmdline) {
        for (int i = 0; i < argc; i++) {
            size_t n = strlen(argv[i]) + 1;
            memcpy(p->cmdline + p->cmdline_len, argv[i], n);
            p->cmdline_len += n;
        }
    }
    total = 0;
    for (int i = 0; envp && envp[i]; i++)
        total += strlen(envp[i]) + 1;
    p->environ = malloc(total ? total : 1);
    for (int i = 0; p->environ && envp && envp[i]; i++) {
        size_t n = strlen(envp[i]) + 1;
        memcpy(p->environ + p->environ_len, envp[i], n);
        p->environ_len += n;
    }
    uint64_t w = sp + 8 * (uint64_t)(argc + 2), v; /* envp[0] */
    do {                                           /* skip envp */
        memcpy(&v, linux_space_ptr(&p->space, w), 8);
        w += 8;
    } while (v);
    for (size_t i = 0; i + 1 < sizeof(p->auxv) / 8; i += 2) {
        memcpy(&p->auxv[i], linux_space_ptr(&p->space, w + 8 * i), 16);
        p->auxv_len += 16;
        if (p->auxv[i] == LINUX_AT_NULL) break;
    }
    if (linux_signals_init(p) != 0) {
        fprintf(stderr, "vm: cannot install signal handlers\n");
        return 127;
    }
    linux_thread_t *t = linux_thread_new(p, true);
    if (!t) {
        fprintf(stderr, "vm: out of memory\n");
        return 127;
    }
    t->cpu->pc = img.entry;
    t->cpu->x[2] = sp;
    t->tid = (int)syscall(SYS_gettid); /* signals inherited for this thread queue by it */
    linux_signals_inherit(t);
    p->main_thread = t;
    linux_thread_list_add(t);
    return 0;
}

_Noreturn void linux_start_program(void) {
    linux_proc_t *p = &proc;
    linux_thread_t *t = p->main_thread;
    t->tid = (int)syscall(SYS_gettid);
    atomic_store(&p->nthreads, 1);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    p->start_time = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
    if (p->opt.stats) { /* the figures go where vm's stderr went, whatever the guest does to fd 2 */
        bool registered;
        int fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
        if (fd >= 0) fd = vm_hostfd_keep_high(fd, &registered);
        if (fd >= 0 && !(p->stats_out = fdopen(fd, "w"))) close(fd);
    }
    if (linux_limits_start(p) != 0) _exit(127); /* a limit that cannot be kept: not run */
    /* everything vm needs to start is done: from here on only the filter's calls */
    if (p->opt.sandbox && linux_seccomp_install(p) != 0) _exit(127);
    linux_thread_run(t);
    /* the main thread called exit (not exit_group): the other threads go on */
    linux_thread_exit_host(t);
}

int linux_run_program(const linux_options_t *opt, const char *path, int argc, char **argv,
                      char **envp) {
    int rc = linux_prepare_program(opt, path, argc, argv, envp);
    if (rc) return rc;
    linux_start_program();
}
