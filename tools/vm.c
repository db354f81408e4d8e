/* vm.c - entry point of the vm command-line tool: picks a subcommand and hands over.
 *
 * Every subcommand is a function int cmd_NAME(int argc, char **argv) that receives its own
 * arguments (argv[0] is the subcommand name) and returns the process exit status. Usage
 * errors exit with status 2 and a message on stderr naming what was wrong. A first argument
 * that is a path (it holds a '/') runs that program as `vm run` does: this is how the kernel
 * starts vm for a riscv64 program once `vm binfmt --install` registered it.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "vm/vm.h"

struct command {
    const char *name;                 /* what the user types */
    int (*fn)(int argc, char **argv); /* the handler */
    const char *help;                 /* one line for `vm help` */
};

static const struct command commands[] = {
    {"info", cmd_info, "show host CPU features, memops implementation and thresholds"},
    {"run", cmd_run,
     "run a riscv64 Linux program (default) or a bare-machine ELF; see vm run --help"},
    {"binfmt", cmd_binfmt, "print, install or remove the binfmt_misc entry for riscv64 programs"},
};

static void usage(FILE *out) {
    fprintf(out, "usage: vm <command> [options] [args...]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].help);
    fprintf(out, "  %-8s %s\n", "help", "show this text");
    fprintf(out, "\noptions:\n  --version  print the version and exit\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--version") || !strcmp(name, "version")) {
        printf("vm %s\n", vm_version());
        return 0;
    }
    if (!strcmp(name, "help") || !strcmp(name, "--help") || !strcmp(name, "-h")) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(name, commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
    /* started by binfmt_misc (vm binfmt): `vm /path/to/prog args...` is `vm run` of it */
    if (strchr(name, '/')) {
        argv[0] = "run";
        return cmd_run(argc, argv);
    }
    fprintf(stderr, "vm: unknown command '%s' (try 'vm help')\n", name);
    return 2;
}
