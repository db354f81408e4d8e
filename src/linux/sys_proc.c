/* sys_proc.c - system calls on processes and threads: exit, clone, execve and wait4, the
 * futex, process and thread ids, user and group ids, sessions and process groups, resource
 * limits and usage, scheduling, uname, sysinfo, prctl and getrandom.
 *
 * A guest thread is a host thread and a guest process a host process, so ids, credentials,
 * limits and scheduling are the host's own and most calls go straight through. clone,
 * execve, exit and the thread-id words are the work of thread.c (linux_do_*); the futex
 * operates on the guest's words in place, since guest memory is host memory. Calls the C
 * libraries probe for and do without (rseq, clone3, riscv_hwprobe) answer -ENOSYS without
 * the warning meant for calls vm does not know. */
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/box.h"
#include "linux/sys_util.h"

/* ---- life and death ---- */

/* exit(status): ends the calling thread. */
int64_t sys_exit(linux_thread_t *t, const uint64_t a[6]) {
    linux_do_exit(t, (int)a[0], false);
    return 0;
}

/* exit_group(status): ends the process. */
int64_t sys_exit_group(linux_thread_t *t, const uint64_t a[6]) {
    linux_do_exit(t, (int)a[0], true);
    return 0;
}

/* clone(flags, newsp, parent_tid, tls, child_tid): the riscv64 argument order. */
int64_t sys_clone(linux_thread_t *t, const uint64_t a[6]) {
    return linux_do_clone(t, a[0], a[1], a[2], a[3], a[4]);
}

/* clone3(args, size): -ENOSYS without a warning; C libraries fall back to clone. */
int64_t sys_clone3(linux_thread_t *t, const uint64_t a[6]) {
    (void)t, (void)a;
    return -LINUX_ENOSYS;
}

/* execve(path, argv, envp): returns only on failure. */
int64_t sys_execve(linux_thread_t *t, const uint64_t a[6]) {
    return linux_do_execve(t, a[0], a[1], a[2]);
}

/* execveat(dirfd, path, argv, envp, flags). */
int64_t sys_execveat(linux_thread_t *t, const uint64_t a[6]) {
    return linux_do_execveat(t, (int)a[0], a[1], a[2], a[3], a[4]);
}

/* Copy a host rusage to the guest's layout at addr: times, maximum RSS, page faults and
 * context switches (the fields Linux fills). Non-zero when addr cannot be written. */
static int put_rusage(linux_thread_t *t, uint64_t addr, const struct rusage *ru) {
    linux_rusage_t g;
    memset(&g, 0, sizeof(g));
    g.ru_utime = (linux_timeval_t){ru->ru_utime.tv_sec, ru->ru_utime.tv_usec};
    g.ru_stime = (linux_timeval_t){ru->ru_stime.tv_sec, ru->ru_stime.tv_usec};
    g.rest[0] = ru->ru_maxrss;
    g.rest[4] = ru->ru_minflt;
    g.rest[5] = ru->ru_majflt;
    g.rest[12] = ru->ru_nvcsw;
    g.rest[13] = ru->ru_nivcsw;
    return linux_copy_to_guest(t, addr, &g, sizeof(g));
}

/* wait4(pid, wstatus, options, rusage): the status word carries guest signal numbers. As in
 * Linux the outputs are written after the wait, so a bad pointer only matters (EFAULT) when
 * a child was reaped, and "no children" is ECHILD whatever the pointers are. */
int64_t sys_wait4(linux_thread_t *t, const uint64_t a[6]) {
    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof(ru));
    pid_t r =
        (pid_t)SYS_BLOCK(SYS_wait4, (long)(pid_t)a[0], (long)&status, (long)(int)a[2], (long)&ru);
    if (r < 0) return sys_err();
    if (a[1] && r > 0) {
        /* the status word: exit code << 8, or the (guest-numbered) terminating signal */
        int32_t g = status;
        if (WIFSIGNALED(status))
            g = (status & ~0x7f) | linux_sig_from_host(WTERMSIG(status));
        else if (WIFSTOPPED(status))
            g = (linux_sig_from_host(WSTOPSIG(status)) << 8) | 0x7f;
        PUT_ARG(a[1], g);
    }
    if (a[3] && put_rusage(t, a[3], &ru)) return -LINUX_EFAULT;
    return r;
}

/* waitid(idtype, id, infop, options, rusage): idtype and option bits are the same on both;
 * the child's siginfo is rebuilt in the guest layout with si_signo and, for a child killed,
 * dumped, stopped or trapped, si_status as guest signal numbers. No child ready under WNOHANG
 * leaves si_signo and si_pid 0, as Linux does. */
int64_t sys_waitid(linux_thread_t *t, const uint64_t a[6]) {
    siginfo_t hi;
    memset(&hi, 0, sizeof(hi));
    struct rusage ru;
    memset(&ru, 0, sizeof(ru));
    if (SYS_BLOCK(SYS_waitid, (long)(int)a[0], (long)(pid_t)a[1], (long)&hi, (long)(int)a[3],
                  (long)(a[4] ? &ru : NULL)) < 0)
        return sys_err();
    if (a[2]) {
        linux_siginfo_t g;
        memset(&g, 0, sizeof(g));
        if (hi.si_signo) {
            g.si_signo = linux_sig_from_host(hi.si_signo);
            g.si_errno = hi.si_errno;
            g.si_code = hi.si_code;
            int32_t st = hi.si_status;
            if (hi.si_code != CLD_EXITED) st = linux_sig_from_host(st);
            /* _sigchld: pid, uid, status, then utime and stime at 8-byte alignment */
            int32_t f[3] = {hi.si_pid, (int32_t)hi.si_uid, st};
            int64_t tm[2] = {(int64_t)hi.si_utime, (int64_t)hi.si_stime};
            memcpy(g.u.bytes, f, sizeof(f));
            memcpy(g.u.bytes + 16, tm, sizeof(tm));
        }
        PUT_ARG(a[2], g);
    }
    if (a[4] && put_rusage(t, a[4], &ru)) return -LINUX_EFAULT;
    return 0;
}

/* ---- threads ---- */

/* set_tid_address(tidptr): the word cleared and woken when the thread exits. */
int64_t sys_set_tid_address(linux_thread_t *t, const uint64_t a[6]) {
    t->clear_child_tid = a[0];
    return t->tid;
}

/* set_robust_list(head, len): accepted (the list is not walked at exit). */
int64_t sys_set_robust_list(linux_thread_t *t, const uint64_t a[6]) {
    (void)t;
    return a[1] == 24 ? 0 : -LINUX_EINVAL;
}

/* rseq(rseq, len, flags, sig): -ENOSYS without a warning; glibc runs without restartable
 * sequences. */
int64_t sys_rseq(linux_thread_t *t, const uint64_t a[6]) {
    (void)t, (void)a;
    return -LINUX_ENOSYS;
}

/* futex(uaddr, op, val, timeout_or_val2, uaddr2, val3): the host futex on the guest words. */
int64_t sys_futex(linux_thread_t *t, const uint64_t a[6]) {
    int op = (int)a[1];
    int cmd = op & LINUX_FUTEX_CMD_MASK;
    uint32_t *uaddr = sys_ptr(t, a[0], 4, RD);
    if (!uaddr || (a[0] & 3)) return -LINUX_EFAULT;
    /* WAIT, WAIT_BITSET, LOCK_PI, WAIT_REQUEUE_PI take a timespec; the others a value */
    void *timeout = (void *)(uintptr_t)a[3];
    struct timespec ts, *tsp = NULL;
    void *uaddr2 = NULL;
    switch (cmd) {
    case 0 /* WAIT */:
    case 9 /* WAIT_BITSET */:
    case 6 /* LOCK_PI */:
    case 11 /* WAIT_REQUEUE_PI */:
        if (sys_get_timespec(t, a[3], &ts, &tsp)) return -LINUX_EFAULT;
        timeout = tsp;
        break;
    default: break;
    }
    switch (cmd) {
    case 3 /* REQUEUE */:
    case 4 /* CMP_REQUEUE */:
    case 5 /* WAKE_OP */:
    case 11 /* WAIT_REQUEUE_PI */:
    case 12 /* CMP_REQUEUE_PI */:
        uaddr2 = sys_ptr(t, a[4], 4, RD | WR);
        if (!uaddr2 || (a[4] & 3)) return -LINUX_EFAULT;
        break;
    default: break;
    }
    const long fa[6] = {(long)uaddr,   (long)op,     (long)(uint32_t)a[2],
                        (long)timeout, (long)uaddr2, (long)(uint32_t)a[5]};
    /* a wait with a timeout is not restarted after a handler: what the guest does not see
     * must not end it (sys_block_wait) */
    return sys_ret(timeout ? sys_block_wait(t, SYS_futex, fa) : sys_block(t, SYS_futex, fa));
}

/* ---- capabilities: struct __user_cap_header_struct and __user_cap_data_struct are the
 * same on every Linux, so the host kernel reads and writes the guest's; capget reports the
 * host's sets, as qemu-user does ---- */

/* capget(hdrp, datap). */
int64_t sys_capget(linux_thread_t *t, const uint64_t a[6]) {
    BUF_ARG(hdr, a[0], 8, RD | WR);
    void *data = NULL;
    if (a[1] && !(data = sys_ptr(t, a[1], 12, WR))) return -LINUX_EFAULT;
    return sys_ret(syscall(SYS_capget, hdr, data));
}

/* capset(hdrp, datap). */
int64_t sys_capset(linux_thread_t *t, const uint64_t a[6]) {
    BUF_ARG(hdr, a[0], 8, RD | WR);
    void *data = NULL;
    if (a[1] && !(data = sys_ptr(t, a[1], 12, RD))) return -LINUX_EFAULT;
    return sys_ret(syscall(SYS_capset, hdr, data));
}

/* ---- ids ---- */

/* getpid(). */
int64_t sys_getpid(linux_thread_t *t, const uint64_t a[6]) {
    (void)t, (void)a;
    return getpid();
}

/* getppid(). */
int64_t sys_getppid(linux_thread_t *t, const uint64_t a[6]) {
    (void)t, (void)a;
    return getppid();
}

/* gettid(). */
int64_t sys_gettid(linux_thread_t *t, const uint64_t a[6]) {
    (void)a;
    return t->tid;
}

/* getuid(). */
int64_t sys_getuid(linux_thread_t *t, const uint64_t a[6]) {
    (void)t, (void)a;
    return getuid();
}

/* geteuid(). */
int64_t sys_geteuid(linux_thread_t *t, const uint64_t a[6]) {
    (void)t, (void)a;
    return geteuid();
}

/* getgid(). */
int64_t sys_getgid(linux_thread_t *t, const uint64_t a[6]) {
    (void)t, (void)a;
    return getgid();
}

/* getegid(). */
int64_t sys_getegid(linux_thread_t *t, const uint64_t a[6]) {
    (void)t, (void)a;
    return getegid();
}

/* Store three 32-bit ids at the guest addresses a[0..2]. */
static int64_t put_ids(linux_thread_t *t, const uint64_t a[6], const uint32_t v[3]) {
    for (int i = 0; i < 3; i++)
        if (linux_copy_to_guest(t, a[i], &v[i], 4)) return -LINUX_EFAULT;
    return 0;
}

/* getresuid(ruid, euid, suid). */
int64_t sys_getresuid(linux_thread_t *t, const uint64_t a[6]) {
    uid_t r, e, s;
    getresuid(&r, &e, &s);
    uint32_t v[3] = {r, e, s};
    return put_ids(t, a, v);
}

/* getresgid(rgid, egid, sgid). */
int64_t sys_getresgid(linux_thread_t *t, const uint64_t a[6]) {
    gid_t r, e, s;
    getresgid(&r, &e, &s);
    uint32_t v[3] = {r, e, s};
    return put_ids(t, a, v);
}

/* setuid(uid). */
int64_t sys_setuid(linux_thread_t *t, const uint64_t a[6]) {
    (void)t;
    return sys_ret(setuid((uid_t)a[0]));
}

/* setgid(gid). */
int64_t sys_setgid(linux_thread_t *t, const uint64_t a[6]) {
    (void)t;
    return sys_ret(setgid((gid_t)a[0]));
}

/* setreuid(ruid, euid). */
int64_t sys_setreuid(linux_thread_t *t, const uint64_t a[6]) {
    (void)t;
    return sys_ret(setreuid((uid_t)a[0], (uid_t)a[1]));
}

/* setregid(rgid, egid). */
int64_t sys_setregid(linux_thread_t *t, const uint64_t a[6]) {
    (void)t;
    return sys_ret(setregid((gid_t)a[0], (gid_t)a[1]));
}

/* setresuid(ruid, euid, suid). */
int64_t sys_setresuid(linux_thread_t *t, const uint64_t a[6]) {
    (void)t;
    return sys_ret(setresuid((uid_t)a[0], (uid_t)a[1], (uid_t)a[2]));
}

/* setresgid(rgid, egid, sgid). */
int64_t sys_setresgid(linux_thread_t *t, const uint64_t a[6]) {
    (void)t;
    return sys_ret(setresgid((gid_t)a[0], (gid_t)a[1], (gid_t)a[2]));
}

/* getgroups(size, list). */
int64_t sys_getgroups(linux_thread_t *t, const uint64_t a[6]) {
    int n = (int)a[0];
    if (n < 0 || n > 65536) return -LINUX_EINVAL;
    if (n == 0) return sys_ret(getgroups(0, NULL));
    BUF_ARG(p, a[1], (uint64_t)n * 4, WR);
    return sys_ret(getgroups(n, p));
}

/* setgroups(size, list): the supplementary groups (gid_t is 32 bits on both). */
int64_t sys_setgroups(linux_thread_t *t, const uint64_t a[6]) {
    int n = (int)a[0];
    if (n < 0 || n > 65536) return -LINUX_EINVAL;
    if (n == 0) return sys_ret(setgroups(0, NULL));
    BUF_ARG(p, a[1], (uint64_t)n * 4, RD);
    return sys_ret(setgroups((size_t)n, p));
}

/* --sandbox: a process or thread outside the guest's own tree is ESRCH (box.c). */
#define CHECK_PID(t, id)                                                                           \
    do {                                                                                           \
        int check_rc_ = linux_box_pid_check((t), (int)(id));                                       \
        if (check_rc_) return check_rc_;                                                           \
    } while (0)

/* setpgid(pid, pgid). */
int64_t sys_setpgid(linux_thread_t *t, const uint64_t a[6]) {
    (void)t;
    return sys_ret(setpgid((pid_t)a[0], (pid_t)a[1]));
}

/* getpgid(pid). */
int64_t sys_getpgid(linux_thread_t *t, const uint64_t a[6]) {
    CHECK_PID(t, a[0]);
    return sys_ret(getpgid((pid_t)a[0]));
}

/* getsid(pid). */
int64_t sys_getsid(linux_thread_t *t, const uint64_t a[6]) {
    CHECK_PID(t, a[0]);
    return sys_ret(getsid((pid_t)a[0]));
}

/* setsid(). */
int64_t sys_setsid(linux_thread_t *t, const uint64_t a[6]) {
    (void)t, (void)a;
    return sys_ret(setsid());
}

/* umask(mask). */
int64_t sys_umask(linux_thread_t *t, const uint64_t a[6]) {
    (void)t;
    return umask((mode_t)a[0]);
}

/* ---- priority and scheduling: policies and struct sched_param are the same on every
 * Linux ---- */

/* --sandbox: setpriority/getpriority(which, who) on the guest's own processes only: a
 * process outside its tree is ESRCH, a process group with members outside it, or all the
 * user's processes (PRIO_USER), EPERM for a change. */
static int64_t prio_check(linux_thread_t *t, const uint64_t a[6], bool set) {
    if (!t->proc->opt.sandbox) return 0;
    switch ((int)a[0]) {
    case PRIO_PROCESS: return linux_box_pid_check(t, (int)a[1]);
    case PRIO_PGRP: {
        if (!set) return 0;
        int pgrp = (int)a[1] ? (int)a[1] : getpgrp(), outside, one;
        int n = linux_box_group(t, pgrp, &one, 1, &outside);
        return outside ? -LINUX_EPERM : n ? 0 : -LINUX_ESRCH;
    }
    case PRIO_USER: return set ? -LINUX_EPERM : 0;
    default: return 0; /* the host's EINVAL */
    }
}

/* getpriority(which, who): the raw kernel value (20 - nice), as the guest's libc expects. */
int64_t sys_getpriority(linux_thread_t *t, const uint64_t a[6]) {
    int64_t rc = prio_check(t, a, false);
    if (rc) return rc;
    return sys_ret(syscall(SYS_getpriority, (int)a[0], (int)a[1]));
}

/* setpriority(which, who, prio). */
int64_t sys_setpriority(linux_thread_t *t, const uint64_t a[6]) {
    int64_t rc = prio_check(t, a, true);
    if (rc) return rc;
    return sys_ret(setpriority((int)a[0], (id_t)a[1], (int)a[2]));
}

/* sched_getaffinity(pid, cpusetsize, mask). */
int64_t sys_sched_getaffinity(linux_thread_t *t, const uint64_t a[6]) {
    CHECK_PID(t, a[0]);
    if (a[1] == 0 || a[1] > 4096) return -LINUX_EINVAL;
    BUF_ARG(p, a[2], a[1], WR);
    return sys_ret(syscall(SYS_sched_getaffinity, (pid_t)a[0], (size_t)a[1], p));
}

/* sched_setaffinity(pid, cpusetsize, mask). */
int64_t sys_sched_setaffinity(linux_thread_t *t, const uint64_t a[6]) {
    CHECK_PID(t, a[0]);
    if (a[1] > 4096) return -LINUX_EINVAL;
    BUF_ARG(p, a[2], a[1], RD);
    return sys_ret(syscall(SYS_sched_setaffinity, (pid_t)a[0], (size_t)a[1], p));
}

/* sched_yield(). */
int64_t sys_sched_yield(linux_thread_t *t, const uint64_t a[6]) {
    (void)t, (void)a;
    sched_yield();
    return 0;
}

/* sched_getscheduler(pid). */
int64_t sys_sched_getscheduler(linux_thread_t *t, const uint64_t a[6]) {
    CHECK_PID(t, a[0]);
    return sys_ret(sched_getscheduler((pid_t)a[0]));
}

/* sched_setscheduler(pid, policy, param): policies and struct sched_param (one int) are the
 * same on both. */
int64_t sys_sched_setscheduler(linux_thread_t *t, const uint64_t a[6]) {
    CHECK_PID(t, a[0]);
    struct sched_param sp;
    GET_ARG(sp, a[2]);
    return sys_ret(sched_setscheduler((pid_t)a[0], (int)a[1], &sp));
}

/* sched_setparam(pid, param). */
int64_t sys_sched_setparam(linux_thread_t *t, const uint64_t a[6]) {
    CHECK_PID(t, a[0]);
    struct sched_param sp;
    GET_ARG(sp, a[1]);
    return sys_ret(sched_setparam((pid_t)a[0], &sp));
}

/* sched_rr_get_interval(pid, tp): the round-robin time slice. */
int64_t sys_sched_rr_get_interval(linux_thread_t *t, const uint64_t a[6]) {
    CHECK_PID(t, a[0]);
    if (!sys_ptr(t, a[1], 16, WR)) return -LINUX_EFAULT;
    struct timespec ts;
    if (sched_rr_get_interval((pid_t)a[0], &ts) < 0) return sys_err();
    int64_t g[2] = {ts.tv_sec, ts.tv_nsec};
    PUT_ARG(a[1], g);
    return 0;
}

/* sched_getparam(pid, param). */
int64_t sys_sched_getparam(linux_thread_t *t, const uint64_t a[6]) {
    CHECK_PID(t, a[0]);
    if (!sys_ptr(t, a[1], sizeof(struct sched_param), WR)) return -LINUX_EFAULT;
    struct sched_param sp;
    if (sched_getparam((pid_t)a[0], &sp) < 0) return sys_err();
    PUT_ARG(a[1], sp);
    return 0;
}

/* sched_get_priority_max(policy). */
int64_t sys_sched_get_priority_max(linux_thread_t *t, const uint64_t a[6]) {
    (void)t;
    return sys_ret(sched_get_priority_max((int)a[0]));
}

/* sched_get_priority_min(policy). */
int64_t sys_sched_get_priority_min(linux_thread_t *t, const uint64_t a[6]) {
    (void)t;
    return sys_ret(sched_get_priority_min((int)a[0]));
}

/* getcpu(cpu, node, tcache): both outputs optional. */
int64_t sys_getcpu(linux_thread_t *t, const uint64_t a[6]) {
    unsigned cpu = 0, node = 0;
    if (getcpu(&cpu, &node) < 0) return sys_err();
    if (a[0]) PUT_ARG(a[0], cpu);
    if (a[1]) PUT_ARG(a[1], node);
    return 0;
}

/* ---- the system and its limits ---- */

/* uname(buf): the host's names, with sysname Linux and machine riscv64. */
int64_t sys_uname(linux_thread_t *t, const uint64_t a[6]) {
    struct utsname h;
    if (uname(&h) < 0) return sys_err();
    linux_utsname_t g;
    memset(&g, 0, sizeof(g));
    snprintf(g.sysname, sizeof(g.sysname), "Linux");
    snprintf(g.nodename, sizeof(g.nodename), "%s", h.nodename);
    snprintf(g.release, sizeof(g.release), "%s", h.release);
    snprintf(g.version, sizeof(g.version), "%s", h.version);
    snprintf(g.machine, sizeof(g.machine), "riscv64");
    snprintf(g.domainname, sizeof(g.domainname), "%s", h.domainname);
    PUT_ARG(a[0], g);
    return 0;
}

/* sysinfo(info). */
int64_t sys_sysinfo(linux_thread_t *t, const uint64_t a[6]) {
    struct sysinfo h;
    if (sysinfo(&h) < 0) return sys_err();
    linux_sysinfo_t g;
    memset(&g, 0, sizeof(g));
    g.uptime = h.uptime;
    for (int i = 0; i < 3; i++)
        g.loads[i] = h.loads[i];
    g.totalram = h.totalram;
    g.freeram = h.freeram;
    g.sharedram = h.sharedram;
    g.bufferram = h.bufferram;
    g.totalswap = h.totalswap;
    g.freeswap = h.freeswap;
    g.procs = h.procs;
    g.totalhigh = h.totalhigh;
    g.freehigh = h.freehigh;
    g.mem_unit = h.mem_unit;
    PUT_ARG(a[0], g);
    return 0;
}

/* prlimit64(pid, resource, new_limit, old_limit). */
int64_t sys_prlimit64(linux_thread_t *t, const uint64_t a[6]) {
    CHECK_PID(t, a[0]);
    struct rlimit nl, ol;
    if (a[2]) {
        linux_rlimit_t g;
        GET_ARG(g, a[2]);
        nl.rlim_cur = g.rlim_cur;
        nl.rlim_max = g.rlim_max;
    }
    if (prlimit((pid_t)a[0], (int)a[1], a[2] ? &nl : NULL, &ol) < 0) return sys_err();
    if (a[3]) {
        linux_rlimit_t g = {ol.rlim_cur, ol.rlim_max};
        PUT_ARG(a[3], g);
    }
    return 0;
}

/* getrlimit(resource, rlim): prlimit64 on the calling process. */
int64_t sys_getrlimit(linux_thread_t *t, const uint64_t a[6]) {
    const uint64_t b[6] = {0, a[0], 0, a[1], 0, 0};
    return sys_prlimit64(t, b);
}

/* setrlimit(resource, rlim): prlimit64 on the calling process. */
int64_t sys_setrlimit(linux_thread_t *t, const uint64_t a[6]) {
    const uint64_t b[6] = {0, a[0], a[1], 0, 0, 0};
    return sys_prlimit64(t, b);
}

/* getrusage(who, usage): times, maximum RSS, page faults and context switches. */
int64_t sys_getrusage(linux_thread_t *t, const uint64_t a[6]) {
    struct rusage ru;
    if (getrusage((int)a[0], &ru) < 0) return sys_err();
    return put_rusage(t, a[1], &ru) ? -LINUX_EFAULT : 0;
}

/* prctl(option, arg2, ...): PR_SET_NAME and PR_GET_NAME; anything else is -EINVAL. */
int64_t sys_prctl(linux_thread_t *t, const uint64_t a[6]) {
    switch (a[0]) {
    case 15 /* PR_SET_NAME */:
    case 16 /* PR_GET_NAME */: {
        BUF_ARG(p, a[1], 16, a[0] == 15 ? RD : WR);
        return sys_ret(prctl((int)a[0], p, 0, 0, 0));
    }
    default: return -LINUX_EINVAL;
    }
}

/* getrandom(buf, buflen, flags). */
int64_t sys_getrandom(linux_thread_t *t, const uint64_t a[6]) {
    BUF_ARG(p, a[0], a[1], WR);
    return sys_ret(getrandom(p, a[1], (unsigned)a[2]));
}

/* riscv_hwprobe(pairs, count, cpusetsize, cpus, flags): -ENOSYS without a warning; the C
 * libraries then assume the base ISA. */
int64_t sys_riscv_hwprobe(linux_thread_t *t, const uint64_t a[6]) {
    (void)t, (void)a;
    return -LINUX_ENOSYS;
}
