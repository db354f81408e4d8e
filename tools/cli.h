/* cli.h - the subcommands of the vm tool; each lives in its own tools/cmd_*.c. */
#pragma once

/* `vm info`: host CPU features, memops implementation and thresholds. */
int cmd_info(int argc, char **argv);

/* `vm run`: run a RISC-V program (bare machine or Linux user mode). */
int cmd_run(int argc, char **argv);
