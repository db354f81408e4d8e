/* run.h - the entry point of user mode: run a riscv64 Linux program to its end. */
#pragma once

#include "linux/proc.h"

/* Load path with the guest arguments argv[0..argc) (argv[0] is what the guest sees as its
 * name) and environment envp, and run it. The guest's exit ends the host process with the
 * guest's status (128 + signal when a signal killed it); this function only returns, with
 * status 126 or 127 after a message, when the program cannot be started. */
int linux_run_program(const linux_options_t *opt, const char *path, int argc, char **argv,
                      char **envp);

/* The first half of linux_run_program: load the program, build its stack and its main
 * thread. Returns 0, or 126/127 after a message on stderr. */
int linux_prepare_program(const linux_options_t *opt, const char *path, int argc, char **argv,
                          char **envp);

/* The second half: run the prepared program's main thread. The guest's exit ends the host
 * process. */
_Noreturn void linux_start_program(void);

/* Exit status of a process ended by its instruction or time limit (as timeout(1)). */
#define LINUX_LIMIT_STATUS 124

/* Limits of the run that linux_start_program begins: instructions of all threads together and
 * nanoseconds of wall time from now (0: none). */
void linux_set_run_limits(uint64_t max_insns, uint64_t max_ns);

/* The process of this host process (one per host process: signals are process-wide). */
linux_proc_t *linux_the_proc(void);
