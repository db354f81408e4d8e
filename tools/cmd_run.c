/* cmd_run.c - `vm run`: run a RISC-V program.
 *
 *   vm run [--machine=bare|user] [--stats] [--max-insns=N] [--ram=SIZE] prog.elf [args...]
 *
 * --machine=bare loads the ELF into the bare machine (RAM at 0x80000000, M-mode, HTIF) and
 * exits with the program's tohost code: 0 for pass; for a failure code n != 0 it prints
 * "FAIL: test n" and exits 1. Reaching --max-insns without an exit prints a message and
 * exits 3. --machine=user (the default) runs a Linux program in user mode.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "core/elf.h"
#include "system/bare.h"

static void run_usage(FILE *out) {
    fprintf(out, "usage: vm run [--machine=bare|user] [--stats] [--max-insns=N] [--ram=SIZE] "
                 "prog [args...]\n");
}

/* Parse a size with an optional K/M/G suffix. */
static bool parse_size(const char *s, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s) return false;
    unsigned shift = 0;
    if (*end == 'k' || *end == 'K') shift = 10;
    if (*end == 'm' || *end == 'M') shift = 20;
    if (*end == 'g' || *end == 'G') shift = 30;
    if (shift) end++;
    if (*end || v > (UINT64_MAX >> shift)) return false;
    *out = (uint64_t)v << shift;
    return true;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int run_bare(const char *path, bool stats, uint64_t max_insns, uint64_t ram) {
    uint8_t *data = NULL;
    size_t size = 0;
    int rc = elf_read_file(path, &data, &size);
    if (rc) {
        fprintf(stderr, "vm run: cannot read %s: %s\n", path, strerror(-rc));
        return 2;
    }
    bare_machine_t m;
    const char *err = NULL;
    if (bare_init(&m, ram, &err)) {
        fprintf(stderr, "vm run: %s\n", err);
        free(data);
        return 2;
    }
    int status = 2;
    if (bare_load_elf(&m, data, size, &err)) {
        fprintf(stderr, "vm run: %s: %s\n", path, err);
        goto out;
    }
    if (!m.has_tohost)
        fprintf(stderr,
                "vm run: %s has no tohost symbol: it cannot report an exit, running "
                "until --max-insns\n",
                path);
    double t0 = now_seconds();
    int r = bare_run(&m, max_insns);
    double t1 = now_seconds();
    if (r == RV_STOP_HALT && m.exited) {
        if (m.exit_value == 0) {
            status = 0;
        } else {
            fprintf(stderr, "FAIL: test %llu\n", (unsigned long long)m.exit_value);
            status = 1;
        }
    } else {
        fprintf(stderr,
                "vm run: no exit after %llu instructions (--max-insns reached), pc=0x%llx\n",
                (unsigned long long)m.cpu.instret, (unsigned long long)m.cpu.pc);
        status = 3;
    }
    if (stats) rv_cpu_print_stats(&m.cpu, stderr, t1 - t0);
out:
    bare_destroy(&m);
    free(data);
    return status;
}

int cmd_run(int argc, char **argv) {
    const char *machine = "user";
    bool stats = false;
    uint64_t max_insns = 0, ram = BARE_RAM_DEFAULT_SIZE;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (!strncmp(a, "--machine=", 10)) {
            machine = a + 10;
        } else if (!strcmp(a, "--stats")) {
            stats = true;
        } else if (!strncmp(a, "--max-insns=", 12)) {
            if (!parse_size(a + 12, &max_insns)) {
                fprintf(stderr, "vm run: bad --max-insns value '%s'\n", a + 12);
                return 2;
            }
        } else if (!strncmp(a, "--ram=", 6)) {
            if (!parse_size(a + 6, &ram)) {
                fprintf(stderr, "vm run: bad --ram value '%s'\n", a + 6);
                return 2;
            }
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            run_usage(stdout);
            return 0;
        } else if (!strcmp(a, "--")) {
            i++;
            break;
        } else {
            fprintf(stderr, "vm run: unknown option '%s'\n", a);
            run_usage(stderr);
            return 2;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "vm run: no program given\n");
        run_usage(stderr);
        return 2;
    }
    if (!strcmp(machine, "bare")) return run_bare(argv[i], stats, max_insns, ram);
    if (!strcmp(machine, "user")) {
        fprintf(stderr, "vm run: user mode not built yet (use --machine=bare)\n");
        return 2;
    }
    fprintf(stderr, "vm run: unknown machine '%s' (bare or user)\n", machine);
    return 2;
}
