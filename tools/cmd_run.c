/* cmd_run.c - `vm run`: run a RISC-V program.
 *
 *   vm run [--machine=bare|user] [--stats] [--max-insns=N] [--ram=SIZE] prog.elf [args...]
 *   vm run [-L DIR|--sysroot DIR] [-E VAR=VAL] [-U VAR] [--strace] [--stats]
 *          [--argv0 NAME] prog [args...]
 * Engine options (both machines): --engine=jit|interp (default: $VM_ENGINE, else jit on
 * x86-64 hosts and interp elsewhere), --jit-threshold=N, --jit-dump, --perf-map.
 *
 * --machine=bare loads the ELF into the bare machine (RAM at 0x80000000, M-mode, HTIF) and
 * exits with the program's tohost code: 0 for pass; for a failure code n != 0 it prints
 * "FAIL: test n" and exits 1. Reaching --max-insns without an exit prints a message and
 * exits 3. --machine=user (the default) runs a riscv64 Linux program in user mode: the
 * program's interpreter is looked up under the sysroot (-L, else $VM_LD_PREFIX, else
 * /usr/riscv64-linux-gnu), the guest environment is the host's with -E/-U applied, and the
 * exit status is the guest's (128 + signal when the guest was killed by one).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unistd.h>

#include "cli.h"
#include "core/elf.h"
#include "jit/jit.h"
#include "linux/run.h"
#include "system/bare.h"

extern char **environ;

static void run_usage(FILE *out) {
    fprintf(out, "usage: vm run [--machine=bare|user] [--stats] [--max-insns=N] [--ram=SIZE] "
                 "prog [args...]\n"
                 "       vm run [-L DIR|--sysroot DIR] [-E VAR=VAL] [-U VAR] [--strace] "
                 "[--stats] [--argv0 NAME] prog [args...]\n"
                 "engine options: --engine=jit|interp (default $VM_ENGINE, else jit on x86-64)\n"
                 "                --engine=lockstep (bare machine: the JIT and the interpreter "
                 "side by side, state compared at every shared block boundary)\n"
                 "                --jit-threshold=N (interpreted runs of a block before it is "
                 "translated)\n"
                 "                --jit-dump (print guest and host code of each translation)\n"
                 "                --perf-map (write /tmp/perf-PID.map for perf report)\n");
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

/* Read a bare-machine program; false (after saying why) when it cannot be read. */
static bool read_program(const char *path, uint8_t **data, size_t *size) {
    int rc = elf_read_file(path, data, size);
    if (rc) fprintf(stderr, "vm run: cannot read %s: %s\n", path, strerror(-rc));
    return rc == 0;
}

/* The architectural state two harts must agree on; NULL when they do, else a description
 * written to buf. */
static const char *state_diff(const rv_cpu_t *a, const rv_cpu_t *b, char *buf, size_t len) {
    if (a->pc != b->pc)
        snprintf(buf, len, "pc 0x%llx (jit) vs 0x%llx (interp)", (unsigned long long)a->pc,
                 (unsigned long long)b->pc);
    else if (a->instret != b->instret)
        snprintf(buf, len, "instret %llu vs %llu", (unsigned long long)a->instret,
                 (unsigned long long)b->instret);
    else if (a->fflags != b->fflags || a->frm != b->frm)
        snprintf(buf, len, "fflags/frm %x/%x vs %x/%x", a->fflags, a->frm, b->fflags, b->frm);
    else if (a->priv != b->priv || a->mstatus != b->mstatus || a->mepc != b->mepc ||
             a->mcause != b->mcause)
        snprintf(buf, len, "M-mode state (priv %u/%u mstatus %llx/%llx mcause %llu/%llu)", a->priv,
                 b->priv, (unsigned long long)a->mstatus, (unsigned long long)b->mstatus,
                 (unsigned long long)a->mcause, (unsigned long long)b->mcause);
    else {
        for (unsigned r = 0; r < 32; r++) {
            if (a->x[r] != b->x[r]) {
                snprintf(buf, len, "x%u = 0x%llx (jit) vs 0x%llx (interp)", r,
                         (unsigned long long)a->x[r], (unsigned long long)b->x[r]);
                return buf;
            }
            if (a->f[r] != b->f[r]) {
                snprintf(buf, len, "f%u = 0x%llx (jit) vs 0x%llx (interp)", r,
                         (unsigned long long)a->f[r], (unsigned long long)b->f[r]);
                return buf;
            }
        }
        return NULL;
    }
    return buf;
}

/* Exceptions a hart has taken so far. */
static uint64_t traps_of(const rv_cpu_t *c) {
    uint64_t n = 0;
    for (unsigned i = 0; i < RV_CAUSE_COUNT; i++)
        n += c->stats.traps[i];
    return n;
}

/* --engine=lockstep: the program runs on two bare machines, one under the JIT and one under
 * the interpreter, each with its own RAM. They advance in turns, the one behind catching up;
 * whenever both have retired the same number of instructions and taken the same number of
 * traps (at every block boundary they share) their architectural state must be equal, and at the
 * end so must their RAM and exit. The time CSR reads instret on both, so that the runs are
 * deterministic. Exit status 4 and a report on the first divergence. VM_LOCKSTEP_INJECT=N corrupts
 * a register of the JIT's machine after N comparisons, to show that a divergence is caught. */
static int run_bare_lockstep(const char *path, uint64_t max_insns, uint64_t ram) {
    uint8_t *data = NULL;
    size_t size = 0;
    if (!read_program(path, &data, &size)) return 2;
    static bare_machine_t m[2]; /* [0] the JIT, [1] the interpreter */
    const char *err = NULL;
    int status = 2, ninit = 0, rc = 0;
    for (; ninit < 2; ninit++) {
        if (bare_init(&m[ninit], ram, &err)) {
            fprintf(stderr, "vm run: %s\n", err);
            goto out;
        }
        if (bare_load_elf(&m[ninit], data, size, &err)) {
            fprintf(stderr, "vm run: %s: %s\n", path, err);
            ninit++;
            goto out;
        }
        m[ninit].cpu.time_from_instret = true;
    }
    m[1].console = fopen("/dev/null", "w"); /* the program's output once, from the JIT's run */
    if (!m[1].console || (m[0].cpu.jit == NULL && (rc = jit_attach(&m[0].cpu, 0)) != 0)) {
        fprintf(stderr, "vm run: lockstep needs the JIT: %s\n", strerror(rc ? -rc : errno));
        goto out;
    }
    if (m[1].cpu.jit) jit_detach(&m[1].cpu);
    const char *inject = getenv("VM_LOCKSTEP_INJECT");
    uint64_t inject_at = inject ? strtoull(inject, NULL, 10) : 0, compares = 0, steps = 0;
    bool done[2] = {false, false}, aligned = true;
    char buf[256];
    for (;;) {
        rv_cpu_t *a = &m[0].cpu, *b = &m[1].cpu;
        uint64_t before_a = a->instret, before_b = b->instret;
        if (!aligned) { /* each to its end, then the final states are compared */
            for (int i = 0; i < 2 && !(done[0] && done[1]); i++)
                while (!done[i]) {
                    rv_cpu_t *c = &m[i].cpu;
                    if (max_insns && c->instret >= max_insns) break;
                    if (rv_run(c, 1u << 20) == RV_STOP_HALT) done[i] = true;
                }
            if (!(done[0] && done[1])) {
                fprintf(stderr, "vm run: lockstep: no exit within --max-insns\n");
                status = 3;
                goto out;
            }
            break;
        }
        if (!done[0] && (a->instret <= b->instret || done[1])) {
            int r = rv_run(a, 1); /* one translated block (or one interpreted one) */
            if (r == RV_STOP_HALT) done[0] = true;
        } else if (!done[1]) {
            uint64_t k = a->instret > b->instret ? a->instret - b->instret : 1;
            if (rv_run(b, k) == RV_STOP_HALT) done[1] = true;
        }
        if (a->instret < before_a || b->instret < before_b) {
            /* the program wrote minstret: instruction counts no longer line the runs up */
            fprintf(stderr,
                    "vm run: lockstep: the program rewrote the instruction counter after "
                    "%llu comparisons: running both to the end, then comparing\n",
                    (unsigned long long)compares);
            aligned = false;
            continue;
        }
        /* a trap retires nothing: equal counts of instructions and of traps mean the same
         * point of the program */
        if (a->instret == b->instret && done[0] == done[1] && traps_of(a) == traps_of(b)) {
            compares++;
            if (inject_at && compares == inject_at) a->x[5] ^= 1;
            const char *d = state_diff(a, b, buf, sizeof(buf));
            if (d) {
                fprintf(stderr,
                        "vm run: lockstep: the engines diverge after %llu instructions "
                        "(comparison %llu): %s\n",
                        (unsigned long long)a->instret, (unsigned long long)compares, d);
                status = 4;
                goto out;
            }
        }
        if (done[0] && done[1]) break;
        if ((done[0] && b->instret > a->instret) || (done[1] && a->instret > b->instret)) {
            fprintf(stderr,
                    "vm run: lockstep: the %s exited at instret %llu (pc 0x%llx), the %s ran "
                    "past it to %llu (pc 0x%llx)\n",
                    done[0] ? "JIT" : "interpreter",
                    (unsigned long long)(done[0] ? a->instret : b->instret),
                    (unsigned long long)(done[0] ? a->pc : b->pc), done[0] ? "interpreter" : "JIT",
                    (unsigned long long)(done[0] ? b->instret : a->instret),
                    (unsigned long long)(done[0] ? b->pc : a->pc));
            status = 4;
            goto out;
        }
        /* a trap loop retires nothing: count steps too */
        if (max_insns &&
            ((a->instret >= max_insns && b->instret >= max_insns) || ++steps >= max_insns)) {
            fprintf(stderr, "vm run: lockstep: no exit after %llu instructions\n",
                    (unsigned long long)a->instret);
            status = 3;
            goto out;
        }
    }
    if (m[0].exit_value != m[1].exit_value || traps_of(&m[0].cpu) != traps_of(&m[1].cpu) ||
        memcmp(m[0].ram, m[1].ram, m[0].ram_size) != 0) {
        fprintf(stderr, "vm run: lockstep: the engines end with different %s\n",
                m[0].exit_value != m[1].exit_value           ? "exit codes"
                : traps_of(&m[0].cpu) != traps_of(&m[1].cpu) ? "trap counts"
                                                             : "memory");
        status = 4;
        goto out;
    }
    fprintf(stderr,
            "vm run: lockstep: %llu comparisons of the architectural state, %llu "
            "instructions, no divergence\n",
            (unsigned long long)compares, (unsigned long long)m[0].cpu.instret);
    if (m[0].exit_value == 0) {
        status = 0;
    } else {
        fprintf(stderr, "FAIL: test %llu\n", (unsigned long long)m[0].exit_value);
        status = 1;
    }
out:
    for (int i = 0; i < ninit; i++) {
        if (i == 1 && m[1].console && m[1].console != stdout) fclose(m[1].console);
        bare_destroy(&m[i]);
    }
    free(data);
    return status;
}

static int run_bare(const char *path, bool stats, uint64_t max_insns, uint64_t ram) {
    uint8_t *data = NULL;
    size_t size = 0;
    if (!read_program(path, &data, &size)) return 2;
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
        uint64_t traps = 0;
        for (unsigned c = 0; c < RV_CAUSE_COUNT; c++)
            traps += m.cpu.stats.traps[c];
        fprintf(stderr,
                "vm run: no exit after %llu instructions and %llu traps (--max-insns reached), "
                "pc=0x%llx, last mcause=%llu (%s)\n",
                (unsigned long long)m.cpu.instret, (unsigned long long)traps,
                (unsigned long long)m.cpu.pc, (unsigned long long)m.cpu.mcause,
                traps ? rv_cause_name(m.cpu.mcause) : "none");
        status = 3;
    }
    if (stats) rv_cpu_print_stats(&m.cpu, stderr, t1 - t0);
out:
    bare_destroy(&m);
    free(data);
    return status;
}

/* Environment edits from -E / -U, applied in order to a copy of the host environment. */
typedef struct env_edit {
    const char *arg; /* "VAR=VAL" (set) or "VAR" (unset) */
    bool set;        /* -E or -U */
} env_edit_t;

static bool env_name_matches(const char *entry, const char *name, size_t len) {
    return !strncmp(entry, name, len) && entry[len] == '=';
}

/* Build the guest environment: host environ with edits; NULL when out of memory. */
static char **build_env(const env_edit_t *ed, int ned) {
    size_t n = 0;
    while (environ && environ[n])
        n++;
    char **env = calloc(n + (size_t)ned + 1, sizeof(char *));
    if (!env) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        env[k++] = environ[i];
    for (int e = 0; e < ned; e++) {
        const char *eq = strchr(ed[e].arg, '=');
        size_t len = ed[e].set ? (size_t)(eq - ed[e].arg) : strlen(ed[e].arg);
        size_t w = 0;
        for (size_t i = 0; i < k; i++)
            if (!env_name_matches(env[i], ed[e].arg, len)) env[w++] = env[i];
        k = w;
        if (ed[e].set) env[k++] = (char *)ed[e].arg;
    }
    env[k] = NULL;
    return env;
}

static int run_user(int argc, char **argv, int i, const char *sysroot, bool strace, bool stats,
                    const char *argv0, const env_edit_t *ed, int ned) {
    static char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) {
        fprintf(stderr, "vm run: cannot find the vm executable: %s\n", strerror(errno));
        return 2;
    }
    self[n] = 0;
    if (!sysroot) sysroot = getenv("VM_LD_PREFIX");
    linux_options_t opt = {.sysroot = sysroot, .strace = strace, .stats = stats, .vm_exe = self};
    char **env = build_env(ed, ned);
    if (!env) {
        fprintf(stderr, "vm run: out of memory\n");
        return 2;
    }
    const char *path = argv[i];
    char **gargv = argv + i;
    int gargc = argc - i;
    if (argv0) gargv[0] = (char *)argv0;
    int status = linux_run_program(&opt, path, gargc, gargv, env);
    free(env);
    return status;
}

int cmd_run(int argc, char **argv) {
    const char *machine = "user";
    bool stats = false, strace = false;
    const char *engine = NULL;
    bool threshold_set = false;
    const char *sysroot = NULL, *argv0 = NULL, *prog_path = NULL;
    env_edit_t *edits = calloc((size_t)argc, sizeof(env_edit_t));
    int nedits = 0;
    if (!edits) return 2;
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
        } else if (!strcmp(a, "--strace")) {
            strace = true;
        } else if ((!strcmp(a, "-L") || !strcmp(a, "--sysroot")) && i + 1 < argc) {
            sysroot = argv[++i];
        } else if (!strncmp(a, "--sysroot=", 10)) {
            sysroot = a + 10;
        } else if (!strcmp(a, "--argv0") && i + 1 < argc) {
            argv0 = argv[++i];
        } else if ((!strcmp(a, "-E") || !strcmp(a, "-U")) && i + 1 < argc) {
            bool set = a[1] == 'E';
            const char *v = argv[++i];
            if (set ? !strchr(v, '=') || v[0] == '=' : (v[0] == 0 || strchr(v, '=') != NULL)) {
                fprintf(stderr, "vm run: bad %s argument '%s' (%s)\n", a, v,
                        set ? "VAR=VALUE" : "VAR");
                free(edits);
                return 2;
            }
            edits[nedits++] = (env_edit_t){v, set};
        } else if (!strncmp(a, "--engine=", 9)) {
            engine = a + 9;
        } else if (!strcmp(a, "--jit-dump")) {
            jit_options.dump = true;
        } else if (!strcmp(a, "--perf-map")) {
            jit_options.perf_map = true;
        } else if (!strncmp(a, "--jit-threshold=", 16)) {
            char *end;
            unsigned long v = strtoul(a + 16, &end, 10);
            if (*end || end == a + 16 || v == 0 || v > 65535) {
                fprintf(stderr, "vm run: bad --jit-threshold value '%s' (1..65535)\n", a + 16);
                free(edits);
                return 2;
            }
            jit_options.threshold = (unsigned)v;
            threshold_set = true;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            run_usage(stdout);
            free(edits);
            return 0;
        } else if (!strcmp(a, "--")) {
            i++;
            break;
        } else {
            fprintf(stderr, "vm run: unknown option '%s'\n", a);
            run_usage(stderr);
            free(edits);
            return 2;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "vm run: no program given\n");
        run_usage(stderr);
        free(edits);
        return 2;
    }
    prog_path = argv[i];
    if (!engine) engine = getenv("VM_ENGINE");
    if (!engine || !*engine) engine = jit_supported() ? "jit" : "interp";
    if (!strcmp(engine, "lockstep")) {
        if (strcmp(machine, "bare") != 0 || !jit_supported()) {
            fprintf(stderr, "vm run: --engine=lockstep needs --machine=bare on an x86-64 host\n");
            free(edits);
            return 2;
        }
        free(edits);
        return run_bare_lockstep(prog_path, max_insns, ram);
    }
    if (!strcmp(engine, "jit")) {
        if (!jit_supported()) {
            fprintf(stderr, "vm run: --engine=jit needs an x86-64 host (use interp)\n");
            free(edits);
            return 2;
        }
        jit_options.enabled = true;
    } else if (strcmp(engine, "interp") != 0) {
        fprintf(stderr, "vm run: unknown engine '%s' (interp or jit)\n", engine);
        free(edits);
        return 2;
    }
    const char *th = getenv("VM_JIT_THRESHOLD");
    if (th && *th && !threshold_set) {
        char *end;
        unsigned long v = strtoul(th, &end, 10);
        if (*end || v == 0 || v > 65535) {
            fprintf(stderr, "vm run: bad VM_JIT_THRESHOLD value '%s' (1..65535)\n", th);
            free(edits);
            return 2;
        }
        jit_options.threshold = (unsigned)v;
    }
    if (getenv("VM_JIT_DUMP")) jit_options.dump = true;
    if (getenv("VM_JIT_PERF_MAP")) jit_options.perf_map = true;
    if (getenv("VM_JIT_NO_CHAIN")) jit_options.no_chain = true;
    if (prog_path && !strcmp(machine, "bare")) {
        free(edits);
        return run_bare(prog_path, stats, max_insns, ram);
    }
    if (!strcmp(machine, "user")) {
        int st = run_user(argc, argv, i, sysroot, strace, stats, argv0, edits, nedits);
        free(edits);
        return st;
    }
    free(edits);
    fprintf(stderr, "vm run: unknown machine '%s' (bare or user)\n", machine);
    return 2;
}
