/* proc.h - a guest process in user mode: its address space, its threads (one host thread and
 * one hart each), signal dispositions and the options it was started with. */
#pragma once

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "exec/exec.h"
#include "linux/abi.h"
#include "linux/space.h"

typedef struct rv_cpu rv_cpu_t;

/* vfork children the watchdog keeps track of at once (one per thread waiting in vfork). */
#define LINUX_VFORK_KIDS 64

/* Signal descriptors (signalfd4) a process may have open at once (each holds one of vm's own
 * host descriptors, core/hostfd.h; a signal of their masks looks at every slot in use). */
#define LINUX_SFD_MAX 256
/* Real-time signals queued behind the first pending instance of their number, per process, at
 * most (the guest's RLIMIT_SIGPENDING sets the limit below this; entries are touched only as
 * they are used, and every scan stops at the highest one used, rtq_hi). */
#define LINUX_RTQ_MAX 8192
/* POSIX timers at once whose guest signal has no host number (32, 33: glibc's SIGEV_THREAD). */
#define LINUX_NOHOST_TIMERS 64

/* nohost_timer_sig: the timer signals one thread (SIGEV_THREAD_ID), not the process. */
#define LINUX_NOHOST_TO_THREAD 0x100

/* One signalfd (signalfd.c): the guest's descriptor is one end of a host socket pair, the
 * other end (notify_fd, vm's own) gets a byte whenever a signal of the mask becomes pending, so
 * that poll, select and epoll see the guest's end readable; a read of it is vm's. The fields
 * are read by signal handlers without a lock. */
typedef struct linux_sfd {
    _Atomic bool used;      /* the slot holds a signalfd */
    _Atomic uint64_t mask;  /* guest signals it reads (bit sig-1) */
    _Atomic int notify_fd;  /* vm's end of the pair */
    _Atomic int busy;       /* handlers writing to notify_fd right now (close waits for 0) */
    unsigned long long dev; /* st_dev of the guest's end, which identifies it */
    unsigned long long ino; /* st_ino of the guest's end */
} linux_sfd_t;

/* One queued instance of a real-time signal (signal.c), for a thread or for the process. */
typedef struct linux_rtq_entry {
    _Atomic int state;    /* 0 free, 1 being written, 2 queued, 3 being taken */
    int tid;              /* the thread it was sent to; 0: the process */
    int sig;              /* guest signal */
    uint64_t seq;         /* order of sending (lowest first) */
    linux_siginfo_t info; /* what the handler, sigwaitinfo or a signalfd gets */
} linux_rtq_entry_t;

/* Options of `vm run` that the process (and an execve'd successor) needs. */
typedef struct linux_options {
    const char *sysroot; /* prefix for PT_INTERP lookups (-L); NULL: default */
    bool strace;         /* print every system call */
    bool log_unimp;      /* --log=unimp: name unimplemented calls on stderr (once each) */
    bool stats;          /* print CPU counters at exit */
    const char *vm_exe;  /* host path of vm itself, for execve (re-exec) */
    bool host_exec;      /* execve may run host-native programs (--host-exec) */
    bool signal_exit;    /* die by the guest's fatal signal, not exit 128 + N (--signal-exit) */
    const char *execfn;  /* the AT_EXECFN string (--execfn); NULL: the program path */
    const char *sandbox; /* --sandbox: the guest's whole file tree (box.c); NULL: none */
    bool net;            /* --net: a sandboxed guest may use sockets other than AF_UNIX */
    bool sandbox_exec;   /* a sandboxed guest's execve: the program is a path in the box */
    const char *sandbox_tree; /* --sandbox: "PID:START" of the first process of the guest's
                                 process tree (box.c); NULL: this process is the first */
    bool sigmask_set; /* sigmask holds the blocked set at start (--sigmask); else the host's */
    uint64_t sigmask; /* the guest's blocked signals at start (bit N-1: signal N) */
    uint64_t sigpend_nohost;      /* signals 32 and 33 pending at start (they crossed an execve) */
    uint8_t sigpend_info[2][128]; /* their siginfo (guest layout; si_signo 0: none known) */
    const char *signalfds;        /* signalfds that crossed an execve (--signalfds, signalfd.c's
                                     linux_sfd_exec_arg); NULL: none */
    exec_options_t exec; /* how every guest thread's hart executes (engine, JIT settings) */
    /* Optional system-call hook (the public API's): true = handled, *ret is the result. */
    bool (*syscall_hook)(void *opaque, uint64_t nr, const uint64_t a[6], uint64_t *ret);
    void *hook_opaque; /* its first argument */
    /* Limits of the process (each host vm process, so a forked child has its own; execve
     * passes on what is left); 0 means no limit. */
    uint64_t memory_limit; /* bytes of committed guest memory (space.h): ENOMEM past it */
    unsigned max_threads;  /* live guest threads at most: clone of one more gets EAGAIN */
    uint64_t max_insns;    /* instructions all threads together may retire */
    uint64_t deadline_ns;  /* CLOCK_MONOTONIC time (ns) at which the process is ended */
} linux_options_t;

/* One guest process. */
typedef struct linux_proc {
    linux_space_t space; /* guest address space */
    linux_options_t opt; /* start-up options */
    char exe_path[4096]; /* the guest program as the guest sees it (/proc/self/exe, AT_EXECFN) */
    char exe_host[4096]; /* absolute host path of the guest program (what opening exe opens) */
    _Atomic bool cwd_in_proc; /* the working directory is inside /proc (relative paths are
                                 resolved through path.c's /proc rules) */
    uint64_t sigtramp;        /* guest address of the rt_sigreturn trampoline */
    pthread_mutex_t sig_lock; /* guards act[], threads and taking shared signals */
    linux_sigaction_t act[LINUX_NSIG + 1]; /* dispositions, indexed by guest signal */
    struct linux_thread *threads; /* the live threads (not a vfork child), for signals sent to
                                     the process that the sending thread blocks */
    /* Signals sent to the process that every thread blocked when they came (bit sig-1): the
     * first thread to unblock one, or to wait for it (sigwaitinfo), takes it. A bit is
     * claimed in shared_claim before its info is written, then set in shared_pending. */
    _Atomic uint64_t shared_pending;
    _Atomic uint64_t shared_claim; /* bits being raised or pending */
    _Atomic uint64_t host_dfl;     /* signals that came from the host while their guest action was
                                      SIG_DFL: their default action is the host's own (signal.c) */
    linux_siginfo_t shared_info[LINUX_NSIG]; /* siginfo of each shared pending signal */
    _Atomic uint64_t dfl_caught; /* signals whose default is to do nothing that a thread blocked
                                    once: vm's host handler takes them at SIG_DFL too, so that
                                    they stay pending while blocked (linux_catch_blocked_dfl) */
    _Atomic int route_pending;   /* a host handler put a signal in shared_pending that the thread
                                    it ran on blocks: a thread that takes it is to be woken
                                    (linux_route_shared), which the handler itself cannot do */
    _Atomic int nthreads;        /* live guest threads */
    _Atomic uint64_t code_gen;   /* bumped when code may have changed (other harts flush) */
    _Atomic uint64_t unseen_all; /* space.unseen_code when riscv_flush_icache last made
                                    every thread drop its code (the next one does nothing
                                    unless it moved: the page flags see every store) */
    _Atomic int exiting;         /* exit_group in progress */
    bool forked_child;           /* this host process was made by a guest fork */
    double start_time;           /* CLOCK_MONOTONIC seconds at start, for --stats */
    FILE *stats_out;             /* --stats: a copy of the host's stderr taken at start (a guest
                                    may close its fd 2, as coreutils does at exit) */
    char *cmdline;               /* argv joined with NULs, for /proc/self/cmdline */
    size_t cmdline_len;          /* its length in bytes */
    char *environ;               /* initial envp joined with NULs, for /proc/self/environ */
    size_t environ_len;          /* its length in bytes */
    uint64_t auxv[64];           /* the auxiliary vector given to the guest (/proc/self/auxv) */
    size_t auxv_len;             /* its length in bytes, AT_NULL pair included */
    uint64_t warned[8];          /* syscall numbers < 512 already logged by --log=unimp */
    uint8_t *code_flags;         /* the threads' common page flags (RV_PAGE_* per guest
                                    page): a store by any thread into code any thread
                                    decoded is seen */
    struct exec_code_share *code_share; /* the harts of the threads that share code_flags */
    struct linux_thread *main_thread;   /* the first thread, made by linux_prepare_program */
    _Atomic uint64_t insns;             /* instructions retired by all threads (opt.max_insns) */
    int root_fd;  /* --sandbox: O_PATH descriptor of the box's root (vm's own); else -1 */
    int tree_pid; /* --sandbox: the first process of the guest's tree */
    unsigned long long tree_start; /* its start time (/proc/PID/stat), against pid reuse */
    /* Host pids of vfork children that have not exec'ed or exited yet (0: a free slot): the
     * time limit's watchdog lives in this process and ends them too (limits.c). */
    _Atomic int vfork_kids[LINUX_VFORK_KIDS];
    /* signalfd (signalfd.c) */
    linux_sfd_t sfd[LINUX_SFD_MAX]; /* signal descriptors */
    _Atomic uint64_t sfd_mask;      /* union of their masks: a signal here is notified */
    _Atomic int sfd_count;          /* slots in use: a read looks for a signalfd when > 0 */
    int sfd_wake_fd;                /* eventfd that wakes the listener thread (while
                                       sfd_listener_pid is this process) */
    int sfd_listener_pid;           /* the host process whose listener thread runs (0: none;
                                       a forked child starts its own) */
    /* real-time signals queued beyond the first pending instance (signal.c) */
    _Atomic uint64_t rtq_seq;  /* next sequence number (0: the queue was never used) */
    _Atomic int rtq_count;     /* entries in use (0: nothing to look at) */
    _Atomic int rtq_hi;        /* one past the highest entry ever used: scans stop there */
    _Atomic uint64_t rtq_held; /* real-time signals the host keeps while the queue is full
                                  (signal.c's hold_if_full): waits leave them blocked */
    /* guest POSIX timers whose signal (32, 33) has no host number (sys_time.c) */
    _Atomic int nohost_timer[LINUX_NOHOST_TIMERS];     /* host timer id + 1; 0: a free slot */
    _Atomic int nohost_timer_sig[LINUX_NOHOST_TIMERS]; /* its guest signal, with
                                                          LINUX_NOHOST_TO_THREAD */
    /* the queue's entries, last: most of the structure's size, left untouched by start-up
     * (linux_prepare_program) until a signal queues */
    linux_rtq_entry_t rtq[LINUX_RTQ_MAX];
} linux_proc_t;

/* One guest thread. */
typedef struct linux_thread {
    linux_proc_t *proc;                       /* owning process */
    rv_cpu_t *cpu;                            /* its hart */
    int tid;                                  /* host (= guest) thread id */
    uint64_t clear_child_tid;                 /* CLONE_CHILD_CLEARTID / set_tid_address word */
    uint64_t sigmask;                         /* blocked guest signals (bit sig-1) */
    _Atomic uint64_t pending;                 /* asynchronously raised guest signals (bit sig-1) */
    linux_siginfo_t pending_info[LINUX_NSIG]; /* siginfo of each pending signal (sig-1) */
    linux_stack_t altstack;                   /* sigaltstack */
    uint64_t code_gen;                        /* proc->code_gen this hart's decode cache matches */
    bool in_guest;                            /* inside exec_run (host faults are guest faults) */
    bool exited;                              /* exit/exit_group: stop running */
    int exit_code;                            /* status for exit */
    bool skip_result;                         /* the syscall set the registers itself (sigreturn) */
    bool restore_mask;                /* rt_sigsuspend: saved_mask is the mask to go back to */
    uint64_t saved_mask;              /* mask in force before rt_sigsuspend */
    bool vfork_child;                 /* the child of a vfork: its own host process on the parent's
                                         memory; exit ends that process, and the parent frees this */
    void *vfork_exec_mem[4];          /* what a vfork child's successful execve leaves allocated in
                                         the shared heap (argument vectors, the --signalfds
                                         option), for the parent to free */
    uint64_t rtq_blocked;             /* held real-time signals this thread's handler blocked on
                                         its host thread (hold_if_full; linux_rtq_release) */
    struct linux_thread *next_thread; /* proc->threads list (under proc->sig_lock) */
    _Atomic uint64_t waiting_set;     /* signals rt_sigtimedwait is waiting for (they count as
                                         wanted by this thread, as Linux unblocks them) */
    volatile int sig_ready;           /* set by a host handler that made a signal pending that
                                         this thread takes: a blocking host call about to start
                                         does not (safe_syscall.h) */
    bool syscall_restart;             /* the last call returned ERESTARTSYS: pc is back on its
                                         ecall, which runs again unless a handler without
                                         SA_RESTART is entered (then a0 = -EINTR) */
} linux_thread_t;

/* Run one guest system call nr with arguments a[0..5] for thread t; returns the value for a0
 * (negative guest errno on failure). Sets t->exited for exit / exit_group. */
int64_t linux_syscall(linux_thread_t *t, uint64_t nr, const uint64_t a[6]);

/* Guest signal number for a host one, and back (0 when there is none). */
int linux_sig_from_host(int host_sig);
/* Host signal number for a guest one (0 when there is none). */
int linux_sig_to_host(int guest_sig);

/* Host open(2) flags for guest O_* flags. */
int linux_open_flags_to_host(uint64_t guest);
/* Guest O_* flags for host open(2) flags (F_GETFL). */
uint64_t linux_open_flags_from_host(int host);
/* Fill a guest struct stat from a host one. */
struct stat;
void linux_stat_from_host(linux_stat_t *g, const struct stat *h);

/* Thread and process services (thread.c / signal.c) used by the syscall layer. */
int64_t linux_do_clone(linux_thread_t *t, uint64_t flags, uint64_t newsp, uint64_t ptid,
                       uint64_t tls, uint64_t ctid);
/* execve: only returns on failure (-LINUX_E*). */
int64_t linux_do_execve(linux_thread_t *t, uint64_t path, uint64_t argv, uint64_t envp);
/* execveat(dirfd, path, argv, envp, flags): the same relative to a guest descriptor (flags
 * LINUX_AT_EMPTY_PATH, LINUX_AT_SYMLINK_NOFOLLOW). */
int64_t linux_do_execveat(linux_thread_t *t, int dirfd, uint64_t path, uint64_t argv, uint64_t envp,
                          uint64_t flags);
/* exit of one thread (group false) or of the whole process (group true). */
void linux_do_exit(linux_thread_t *t, int code, bool group);
/* rt_sigreturn: restore the registers saved in the frame at the guest sp. */
int64_t linux_do_sigreturn(linux_thread_t *t);
/* rt_sigaction with guest structures already copied in/out by the caller. */
int linux_do_sigaction(linux_thread_t *t, int sig, const linux_sigaction_t *act,
                       linux_sigaction_t *old);
/* Raise a guest signal for thread t (kill, tgkill, sigqueue of this process or thread): the
 * signal is info->si_signo, and info is what the handler or sigwaitinfo gets. A standard
 * signal already pending keeps the first info, as Linux does. false: a real-time signal that
 * had to queue found the queue full and was dropped (sigqueue then fails with EAGAIN). */
bool linux_raise(linux_thread_t *t, const linux_siginfo_t *info);
/* Raise a guest signal sent to the whole process by thread t (kill or sigqueue of its own
 * pid): t takes it unless it blocks it; else another thread that does not block it (or waits
 * for it), else it stays pending for the process until a thread unblocks or waits for it.
 * An ignored signal is dropped, a fatal default action ends the process, as in Linux. false:
 * the queue of real-time signals was full (as linux_raise). */
bool linux_raise_process(linux_thread_t *t, const linux_siginfo_t *info);
/* The signals pending for t: its own and those sent to its process. */
uint64_t linux_pending(const linux_thread_t *t);
/* Add t to, or take it off, its process's thread list (signals sent to the process). */
void linux_thread_list_add(linux_thread_t *t);
void linux_thread_list_remove(linux_thread_t *t);
/* ss_flags of t's alternate stack seen from stack pointer sp: SS_ONSTACK when sp is on it,
 * SS_DISABLE when there is none, else 0. */
int linux_altstack_flags(const linux_thread_t *t, uint64_t sp);
/* sigaltstack's change of t's alternate stack to g, with the thread's stack pointer at sp:
 * 0, -EPERM while sp is on the current one, -EINVAL (bad flags), -ENOMEM (too small). */
int linux_set_altstack(linux_thread_t *t, const linux_stack_t *g, uint64_t sp);
/* Take the lowest pending signal of `set` off t's pending set, else off its process's: its
 * number, with its info in *info; 0 when none is pending. */
int linux_take_signal(linux_thread_t *t, uint64_t set, linux_siginfo_t *info);
/* t now blocks the guest signals in `blocked`: those of SIGCHLD, SIGURG, SIGWINCH and SIGCONT
 * (a default of doing nothing, which the host's SIG_DFL discards even while blocked on the
 * guest) get vm's host handler from now on, so that they stay pending as on Linux; one that
 * is not blocked is dropped there. One host sigaction per signal and process, the first time. */
void linux_catch_blocked_dfl(linux_thread_t *t, uint64_t blocked);
/* Wake a thread that takes a signal a host handler left in t's process's shared set (see
 * route_pending): one that does not block it, or waits for it, gets a wake-up host signal.
 * Outside any handler; cheap when there is nothing to do. */
void linux_route_shared(linux_thread_t *t);
/* The host signals a wait of t (a host call Linux would not restart) must keep blocked:
 * those of every guest signal t blocks or that is SIG_DFL with a default of doing nothing,
 * except the signals in `want` (rt_sigtimedwait's set), so that only a signal the guest sees
 * ends the wait with EINTR, and the host sends one t blocks to another thread. */
void linux_wait_host_mask(const linux_thread_t *t, uint64_t want, sigset_t *set);
/* Make the signalfds whose mask holds sig readable (signalfd.c). Safe in a signal handler. */
void linux_sfd_notify(linux_proc_t *p, int sig);
/* Whether a signal pending for t alone is in some signalfd's mask (then its ppoll, pselect6
 * and epoll_pwait look closer; signalfd.c). */
bool linux_sfd_own_pending(linux_thread_t *t);
/* Whether guest descriptor fd is a signalfd that reads a signal pending for t alone: readable
 * for t, not for the other threads. */
bool linux_sfd_reads_own(linux_thread_t *t, int fd);
/* Make the signalfds that read a signal pending for t alone readable (before t's epoll_pwait,
 * whose descriptors vm does not know). */
void linux_sfd_notify_own(linux_thread_t *t);
/* After fork, in the child: the listener thread of the signalfds runs again (signalfd.c). */
void linux_sfd_after_fork(linux_proc_t *p);
/* For an execve: the signalfds whose guest descriptors survive it (not close-on-exec), as
 * the value of the new vm's --signalfds option ("MASK:FD,FD;..." with the mask in hexadecimal,
 * one group per signalfd), malloc'ed; NULL when there is none (signalfd.c). */
char *linux_sfd_exec_arg(linux_proc_t *p);
/* In the new vm, at start: make the descriptors that --signalfds names signalfds again, with
 * their masks (each group one signalfd; the old vm's end of each went with it). A malformed
 * value or a descriptor that is not a socket is left alone. */
void linux_sfd_inherit(linux_thread_t *t, const char *arg);
/* linux_route_shared for p from any thread: self is the calling guest thread, or NULL (the
 * signalfd listener). */
void linux_route_shared_proc(linux_proc_t *p, linux_thread_t *self);
/* The guest signal (with LINUX_NOHOST_TO_THREAD) of a host SIGBUS from timer timer_id that
 * stands for a guest timer whose signal has no host number; 0 when it is not one.
 * Handler-safe. */
int linux_nohost_timer_sig(linux_proc_t *p, int timer_id);
/* Drop the queued real-time signals of thread tid (it ends), or all of them (tid -1: fork). */
void linux_rtq_drop(linux_proc_t *p, int tid);
/* At a stop of thread t: when the queue of real-time signals has room again, let in the held
 * signals t blocked (signal.c). */
void linux_rtq_release(linux_thread_t *t);

/* Invalidate decoded code of [addr, addr+len) on this hart and tell the others. */
void linux_code_changed(linux_thread_t *t, uint64_t addr, uint64_t len);
