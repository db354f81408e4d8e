/* run.h - the entry point of user mode: run a riscv64 Linux program to its end. */
#pragma once

#include "linux/proc.h"

/* Load path with the guest arguments argv[0..argc) (argv[0] is what the guest sees as its
 * name) and environment envp, run it, and return the process exit status: the guest's exit
 * code, 128 + signal when the guest was killed, or 127 with a message when it cannot be
 * loaded. Normally does not return at all: the guest's exit ends the host process. */
int linux_run_program(const linux_options_t *opt, const char *path, int argc, char **argv,
                      char **envp);
