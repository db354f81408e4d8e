/* cli.h - the subcommands of the vm tool; each lives in its own tools/cmd_*.c. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* `vm info`: host CPU features, memops implementation and thresholds. */
int cmd_info(int argc, char **argv);

/* `vm run`: run a RISC-V program (bare machine or Linux user mode). */
int cmd_run(int argc, char **argv);

/* `vm binfmt`: print, install or remove vm's binfmt_misc registration for riscv64 ELF. */
int cmd_binfmt(int argc, char **argv);

/* `vm run --engine=lockstep`: the bare-machine program `path` on two machines, one under the
 * JIT and one under the interpreter, compared at every shared block boundary (lockstep.c).
 * Returns the exit status of `vm run`. */
struct vm_options;
int cli_lockstep(const char *path, uint64_t max_insns, const struct vm_options *opt);

/* Put the terminal on standard input in raw mode for a virt console (console.c): keys go to
 * the guest, output processing stays on. False (nothing changed) when stdin is not a
 * terminal. The settings are restored by cli_console_restore, at exit, or on SIGTERM/SIGHUP. */
bool cli_console_raw(void);

/* Restore the terminal's settings saved by cli_console_raw (no-op when not raw). */
void cli_console_restore(void);
