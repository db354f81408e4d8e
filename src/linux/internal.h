/* internal.h - what the files of src/linux share but nobody else needs. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "linux/proc.h"

/* The guest thread running on this host thread (NULL on other threads). */
extern _Thread_local linux_thread_t *linux_current;

/* Make a thread structure with a fresh hart bound to proc's address space; NULL when out of
 * memory. shared: the hart joins the process's code share (a thread; a vfork child, which the
 * parent frees whenever it execs or exits, keeps page flags of its own). */
linux_thread_t *linux_thread_new(linux_proc_t *proc, bool shared);
/* Free a thread made by linux_thread_new. */
void linux_thread_free(linux_thread_t *t);
/* Run t until it exits; returns its exit status (exit_group ends the process instead). */
int linux_thread_run(linux_thread_t *t);

/* After t ran its exit: clear and wake its child-tid word, end the process when it was the
 * last thread, else end the host thread. */
_Noreturn void linux_thread_exit_host(linux_thread_t *t);

/* Install the host handlers for guest faults (SIGSEGV, SIGBUS) once per process. */
int linux_signals_init(linux_proc_t *proc);
/* Deliver a synchronous signal (fault, illegal instruction, breakpoint) to t: set up the
 * handler's frame, or end the process when the guest has no handler. */
void linux_signal_sync(linux_thread_t *t, int sig, int code, uint64_t addr);
/* What a new program keeps from the host process, as across a Linux execve: the blocked
 * mask (opt.sigmask, else the host thread's), SIG_IGN dispositions (the host's survive
 * execve; handlers are back to SIG_DFL) and pending signals (taken from the host with their
 * siginfo into t's pending set); then the host mask is opened for vm's own handlers. */
void linux_signals_inherit(linux_thread_t *t);
/* Before an execve of vm itself: block every host signal (one arriving now stays pending on
 * the host for the new vm) and queue t's pending guest signals on the host with their
 * siginfo. *old receives the host mask for linux_signals_exec_failed. */
void linux_signals_exec_begin(linux_thread_t *t, sigset_t *old);
/* The execve failed: take back the host signals queued or arrived since
 * linux_signals_exec_begin into t's pending set, and restore the host mask old. */
void linux_signals_exec_failed(linux_thread_t *t, const sigset_t *old);
/* Deliver pending asynchronous signals that t does not block. */
void linux_signal_deliver_pending(linux_thread_t *t);
/* End the process as if killed by guest signal sig (message, status 128 + sig). */
_Noreturn void linux_die_by_signal(linux_thread_t *t, int sig);

/* Limits of the process (limits.c). */
/* The instructions a thread may run in its next slice: `budget`, or less near the limit. */
uint64_t linux_limit_budget(linux_proc_t *p, uint64_t budget);
/* A thread retired `retired` instructions; ends the process when the limit is reached. */
void linux_limit_count(linux_proc_t *p, uint64_t retired);
/* Start the time limit's watchdog thread (at start and in a forked child); 0 or -errno. */
int linux_limits_start(linux_proc_t *p);
/* --sandbox: install the seccomp filter on every thread of this process (seccomp.c); kept
 * when one is already in force (an execve). 0, or -errno with a message on stderr. */
int linux_seccomp_install(const linux_proc_t *p);
/* NULL when the seccomp filter can be built (libseccomp built in and loaded); else why not.
 * --sandbox needs it. */
const char *linux_seccomp_unavailable(void);
/* A slot of p->vfork_kids for a vfork child about to be made (the host clone writes its pid
 * there): the watchdog ends it at the deadline too. -1 when there is no time limit or no
 * free slot. */
int linux_limit_vfork_reserve(linux_proc_t *p);
/* The vfork child in slot (from linux_limit_vfork_add; -1: none) has exec'ed or exited. */
void linux_limit_vfork_remove(linux_proc_t *p, int slot);
/* Count one more live thread unless the thread limit is reached (false: EAGAIN). */
bool linux_limit_thread_add(linux_proc_t *p);
/* The options that pass what is left of the limits on to the vm that an execve runs. */
typedef struct linux_limit_args {
    char s[4][48]; /* the option strings */
} linux_limit_args_t;
/* Fill out[0..n) with those options (storage in a); returns n (at most 4). */
int linux_limit_args(linux_proc_t *p, linux_limit_args_t *a, char **out);
