/* run.h - the entry point of user mode: run a riscv64 Linux program to its end. */
#pragma once

#include "linux/proc.h"

/* Load path with the guest arguments argv[0..argc) (argv[0] is what the guest sees as its
 * name) and environment envp, and run it. The guest's exit ends the host process with the
 * guest's status (128 + signal when a signal killed it); this function only returns, with
 * status 126 or 127 after a message, when the program cannot be started. */
int linux_run_program(const linux_options_t *opt, const char *path, int argc, char **argv,
                      char **envp);
