/* cmd_run.c - `vm run`: run a RISC-V program.
 *
 *   vm run [--machine=bare|user] [--stats] [--max-insns=N] [--ram=SIZE] prog.elf [args...]
 *   vm run [-L DIR|--sysroot DIR] [-E VAR=VAL] [-U VAR] [--strace] [--stats]
 *          [--log=unimp] [--host-exec] [--signal-exit] [--argv0 NAME]
 *          [--execfn NAME] prog [args...]
 * Engine options (both machines): --engine=jit|interp (default: $VM_ENGINE, else jit on
 * x86-64 hosts and interp elsewhere), --jit-threshold=N, --jit-dump, --jit-ir, --perf-map.
 * Limits: --timeout=SECONDS (every machine), --max-insns=N (user mode: the instructions of
 * all the guest's threads), --memory-limit=SIZE and --max-threads=N (user mode). A user-mode
 * guest ended by --timeout or --max-insns, and a bare or virt run ended by --timeout, exit
 * with status 124 (as timeout(1)) after a message.
 *
 * --machine=bare loads the ELF into the bare machine (RAM at 0x80000000, M-mode, HTIF) and
 * exits with the program's tohost code: 0 for pass; for a failure code n != 0 it prints
 * "FAIL: test n" and exits 1. Reaching --max-insns without an exit prints a message and
 * exits 3. --machine=user (the default) runs a riscv64 Linux program in user mode: the
 * program's interpreter is looked up under the sysroot (-L, else $VM_LD_PREFIX, else
 * /usr/riscv64-linux-gnu), the guest environment is the host's with -E/-U applied, and the
 * exit status is the guest's (128 + signal when the guest was killed by one; with
 * --signal-exit vm dies by that signal instead, which a guest execve passes on to the vm it
 * becomes when a guest parent waits for it). The sysroot
 * applies to every guest path, execve included (docs/user-mode.md); a guest execve of a
 * host-native program fails with ENOEXEC unless --host-exec allows it.
 * --sandbox[=DIR] makes DIR (else the sysroot given with -L or $VM_LD_PREFIX) the guest's
 * whole file tree, with no network unless --net, and runs vm under a seccomp filter
 * (docs/security.md); --sandbox-exec is vm's own, for the vm a sandboxed execve runs.
 * --sigmask=HEX[:PEND] (also vm's own, passed by a guest execve) is the guest's blocked signal
 * mask at start (bit N-1: signal N); without it the guest inherits the host's blocked mask, as
 * a Linux program inherits its parent's. PEND: signals 32 and 33 pending across the execve;
 * --siginfo=N:HEX (vm's own too) the siginfo of pending signal N of those two.
 * --signalfds=MASK:FD,FD;... (vm's own too) the descriptors that are signalfds across the
 * execve, one group per signalfd with its mask.
 *
 * Everything here goes through the public machine API (include/vm/vm.h); --engine=lockstep
 * lives in lockstep.c on the same API.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unistd.h>

#include "cli.h"
#include "vm/vm.h"

extern char **environ;

/* The virtio slots the options ask for so far (drives, cards, rng, console). */
static unsigned run_nvirtio(const vm_options_t *o) {
    return o->ndrives + o->nnets + (o->virtio_rng ? 1u : 0u) + (o->virtio_console ? 1u : 0u);
}

static void run_usage(FILE *out) {
    fprintf(out, "usage: vm run [--machine=bare|user] [--stats] [--max-insns=N] [--ram=SIZE] "
                 "prog [args...]\n"
                 "       vm run --machine=virt [-bios FW] [-kernel IMAGE] [-initrd FILE] "
                 "[-append CMDLINE] [-m SIZE] [-smp N] [-nographic] [-echr N] [--stats]\n"
                 "                      [-drive file=IMG,format=raw,if=virtio[,readonly=on]"
                 "[,snapshot=on]]... [-device virtio-rng-device]\n"
                 "                      [-device virtio-console-device (hvc0; also "
                 "virtio-serial-device, virtconsole)]\n"
                 "                      [-netdev user,id=ID[,hostfwd=[tcp|udp]:[HOSTADDR]:"
                 "HOSTPORT-[GUESTADDR]:GUESTPORT]...\n"
                 "                       -device virtio-net-device,netdev=ID[,mac=MAC]]...\n"
                 "       vm run [-L DIR|--sysroot DIR] [-E VAR=VAL] [-U VAR] [--strace] "
                 "[--stats] [--log=unimp] [--host-exec] [--signal-exit]\n"
                 "              [--argv0 NAME] [--execfn NAME] prog [args...]\n"
                 "sandbox:        --sandbox[=DIR] (user mode: the guest sees only DIR, default "
                 "the -L sysroot; no network, no host devices, a seccomp filter on vm)\n"
                 "                --net (with --sandbox: sockets other than AF_UNIX allowed)\n"
                 "engine options: --engine=jit|interp (default $VM_ENGINE, else jit on x86-64)\n"
                 "                --engine=lockstep (bare and virt machines: the JIT and the "
                 "interpreter side by side, state compared at every shared block boundary;\n"
                 "                virt: the harts take turns of --hart-quantum instructions, "
                 "default 1000)\n"
                 "                --deterministic (the time CSR, mtime and the RTC count "
                 "retired instructions; virt: the harts take turns on one thread, so that\n"
                 "                two runs are the same run)\n"
                 "                --hart-quantum=N (virt: every hart on one host thread, in "
                 "turns of N instructions)\n"
                 "                --jit-threshold=N (interpreted runs of a block before it is "
                 "translated)\n"
                 "                --jit-dump (print guest and host code of each translation)\n"
                 "                --jit-ir (translate through the IR with register allocation "
                 "where it covers a superblock at once; also VM_JIT_IR=1)\n"
                 "                (default: tiered, the IR for translations entered "
                 "VM_JIT_TIER_THRESHOLD times, 500; VM_JIT_IR=0: never)\n"
                 "                --perf-map (write /tmp/perf-PID.map for perf report)\n"
                 "limits:         --timeout=SECONDS (wall time; ends the run with status 124)\n"
                 "                --max-insns=N (user mode: all threads together; status 124)\n"
                 "                --memory-limit=SIZE (user mode: committed guest memory; "
                 "mmap/brk past it get ENOMEM)\n"
                 "                --max-threads=N (user mode: live guest threads; clone past "
                 "it gets EAGAIN)\n");
}

/* The -drive arguments, kept for the life of the run (vm_options_t points into them). */
static vm_drive_t run_drives[VM_VIRTIO_SLOTS];
static char run_drive_files[VM_VIRTIO_SLOTS][4096];

/* The -netdev user arguments and the -device virtio-net-device cards (vm_options_t.nets
 * points into them). */
#define RUN_HOSTFWD_MAX 16u
typedef struct run_netdev {
    char id[64];                       /* id= */
    char fwd[RUN_HOSTFWD_MAX][128];    /* hostfwd= rules */
    const char *fwdp[RUN_HOSTFWD_MAX]; /* pointers to them (vm_net_t.hostfwd) */
    unsigned nfwd;                     /* how many */
    bool used;                         /* a card is attached */
} run_netdev_t;
static run_netdev_t run_netdevs[VM_VIRTIO_SLOTS];
static unsigned run_nnetdevs;
static vm_net_t run_nets[VM_VIRTIO_SLOTS];

/* Split a "KEY=VALUE,..." list: the next pair into key and val (",," is a comma in a value).
 * Returns the rest, or NULL with a message when the pair is malformed. */
static const char *next_pair(const char *what, const char *p, char *key, size_t keylen, char *val,
                             size_t vallen) {
    size_t k = 0, v = 0;
    while (*p && *p != '=' && *p != ',' && k < keylen - 1)
        key[k++] = *p++;
    key[k] = 0;
    if (*p != '=') {
        fprintf(stderr, "vm run: %s: '%s' is not KEY=VALUE\n", what, key);
        return NULL;
    }
    p++;
    while (*p && v < vallen - 1) {
        if (*p == ',' && p[1] == ',') {
            val[v++] = ',';
            p += 2;
        } else if (*p == ',') {
            break;
        } else {
            val[v++] = *p++;
        }
    }
    val[v] = 0;
    if (*p && *p != ',') {
        fprintf(stderr, "vm run: %s: the value of %s is too long\n", what, key);
        return NULL;
    }
    if (*p == ',') p++;
    return p;
}

/* -netdev user,id=ID[,hostfwd=RULE]... */
static bool parse_netdev(const char *spec) {
    if (strncmp(spec, "user,", 5) != 0 && strcmp(spec, "user") != 0) {
        fprintf(stderr, "vm run: -netdev %s: only 'user' (user-mode networking) is supported\n",
                spec);
        return false;
    }
    if (run_nnetdevs >= VM_VIRTIO_SLOTS) {
        fprintf(stderr, "vm run: -netdev: at most %u\n", VM_VIRTIO_SLOTS);
        return false;
    }
    run_netdev_t *n = &run_netdevs[run_nnetdevs];
    memset(n, 0, sizeof(*n));
    const char *p = spec[4] ? spec + 5 : spec + 4;
    while (p && *p) {
        char key[32], val[256];
        p = next_pair("-netdev", p, key, sizeof(key), val, sizeof(val));
        if (!p) return false;
        if (!strcmp(key, "id") && val[0] && strlen(val) < sizeof(n->id)) {
            strcpy(n->id, val);
        } else if (!strcmp(key, "hostfwd") && strlen(val) < sizeof(n->fwd[0])) {
            if (n->nfwd >= RUN_HOSTFWD_MAX) {
                fprintf(stderr, "vm run: -netdev: at most %u hostfwd rules\n", RUN_HOSTFWD_MAX);
                return false;
            }
            strcpy(n->fwd[n->nfwd], val);
            n->fwdp[n->nfwd] = n->fwd[n->nfwd];
            n->nfwd++;
        } else {
            fprintf(stderr,
                    "vm run: -netdev: unsupported setting %s=%s (id=ID, "
                    "hostfwd=[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT)\n",
                    key, val);
            return false;
        }
    }
    if (!n->id[0]) {
        fprintf(stderr, "vm run: -netdev user: id= is required\n");
        return false;
    }
    for (unsigned i = 0; i < run_nnetdevs; i++)
        if (!strcmp(run_netdevs[i].id, n->id)) {
            fprintf(stderr, "vm run: -netdev: duplicate id %s\n", n->id);
            return false;
        }
    run_nnetdevs++;
    return true;
}

/* The options of -device virtio-net-device (after the name): netdev=ID[,mac=MAC]. */
static bool parse_net_device(const char *p, vm_net_t *net) {
    memset(net, 0, sizeof(*net));
    run_netdev_t *nd = NULL;
    while (*p) {
        char key[32], val[256];
        p = next_pair("-device virtio-net-device", p, key, sizeof(key), val, sizeof(val));
        if (!p) return false;
        if (!strcmp(key, "netdev")) {
            for (unsigned i = 0; i < run_nnetdevs; i++)
                if (!strcmp(run_netdevs[i].id, val)) nd = &run_netdevs[i];
            if (!nd) {
                fprintf(stderr,
                        "vm run: -device virtio-net-device: no -netdev with id %s (give "
                        "-netdev first)\n",
                        val);
                return false;
            }
            if (nd->used) {
                fprintf(stderr, "vm run: -netdev %s is already attached to a card\n", val);
                return false;
            }
        } else if (!strcmp(key, "mac")) {
            unsigned b[6];
            char end;
            if (sscanf(val, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
                       &end) != 6 ||
                (b[0] & 1) || !(b[0] | b[1] | b[2] | b[3] | b[4] | b[5])) {
                fprintf(stderr,
                        "vm run: -device virtio-net-device: bad mac=%s (a unicast "
                        "address, xx:xx:xx:xx:xx:xx)\n",
                        val);
                return false;
            }
            for (int i = 0; i < 6; i++)
                net->mac[i] = (unsigned char)b[i];
        } else {
            fprintf(stderr,
                    "vm run: -device virtio-net-device: unsupported setting %s=%s (netdev=ID, "
                    "mac=MAC)\n",
                    key, val);
            return false;
        }
    }
    if (!nd) {
        fprintf(stderr, "vm run: -device virtio-net-device: netdev=ID is required\n");
        return false;
    }
    nd->used = true;
    net->hostfwd = nd->fwdp;
    net->nhostfwd = nd->nfwd;
    return true;
}

/* Parse a qemu-style -drive value into d: file=F (",," is a comma in F), format=raw,
 * if=virtio, readonly=on|off, snapshot=on|off. False with a message on stderr otherwise. */
static bool parse_drive(const char *spec, vm_drive_t *d, char *file, size_t filelen) {
    memset(d, 0, sizeof(*d));
    const char *p = spec;
    bool have_file = false;
    while (*p) {
        char key[32], val[4096];
        p = next_pair("-drive", p, key, sizeof(key), val, sizeof(val));
        if (!p) return false;
        size_t v = strlen(val);
        bool on = !strcmp(val, "on"), off = !strcmp(val, "off");
        if (!strcmp(key, "file")) {
            if (!v || v >= filelen) {
                fprintf(stderr, "vm run: -drive: bad file name\n");
                return false;
            }
            memcpy(file, val, v + 1);
            have_file = true;
        } else if (!strcmp(key, "format")) {
            if (strcmp(val, "raw") != 0) {
                fprintf(stderr, "vm run: -drive: format=%s is not supported (only raw)\n", val);
                return false;
            }
        } else if (!strcmp(key, "if")) {
            if (strcmp(val, "virtio") != 0) {
                fprintf(stderr, "vm run: -drive: if=%s is not supported (only virtio)\n", val);
                return false;
            }
        } else if (!strcmp(key, "readonly") && (on || off)) {
            d->readonly = on;
        } else if (!strcmp(key, "snapshot") && (on || off)) {
            d->snapshot = on;
        } else {
            fprintf(stderr,
                    "vm run: -drive: unsupported setting %s=%s (file, format=raw, "
                    "if=virtio, readonly=on|off, snapshot=on|off)\n",
                    key, val);
            return false;
        }
    }
    if (!have_file) {
        fprintf(stderr, "vm run: -drive: file= is required\n");
        return false;
    }
    if (access(file, F_OK) != 0) {
        fprintf(stderr, "vm run: -drive: %s: %s\n", file, strerror(errno));
        return false;
    }
    d->file = file;
    return true;
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

/* Set a machine up from the options; NULL after a message when it cannot be built. */
static vm_t *make_machine(const vm_options_t *opt) {
    vm_t *vm = NULL;
    int rc = vm_create(opt, &vm);
    if (rc) fprintf(stderr, "vm run: %s\n", vm_error(NULL));
    return vm;
}

/* Status of a run that --timeout ended. */
#define STATUS_LIMIT VM_EXIT_STATUS_LIMIT

static int run_bare(const char *path, bool stats, uint64_t max_insns, uint64_t max_ns,
                    const vm_options_t *opt) {
    vm_t *vm = make_machine(opt);
    if (!vm) return 2;
    int status = 2;
    if (vm_load_elf(vm, path)) {
        fprintf(stderr, "vm run: %s\n", vm_error(vm));
        goto out;
    }
    if (!vm_has_exit(vm))
        fprintf(stderr,
                "vm run: %s has no tohost symbol: it cannot report an exit, running "
                "until --max-insns\n",
                path);
    vm_exit_t ex;
    if (vm_run(vm, max_insns, max_ns, &ex)) {
        fprintf(stderr, "vm run: %s\n", vm_error(vm));
        goto out;
    }
    if (ex.reason == VM_EXIT_TIMEOUT) {
        fprintf(stderr, "vm run: time limit reached (--timeout) after %llu instructions\n",
                (unsigned long long)vm_instret(vm));
        status = STATUS_LIMIT;
    } else if (ex.reason == VM_EXIT_EXITED) {
        if (ex.code == 0) {
            status = 0;
        } else {
            fprintf(stderr, "FAIL: test %llu\n", (unsigned long long)ex.code);
            status = 1;
        }
    } else {
        uint64_t traps = vm_traps(vm), mcause = 0;
        vm_get_csr(vm, 0x342, &mcause);
        fprintf(stderr,
                "vm run: no exit after %llu instructions and %llu traps (--max-insns reached), "
                "pc=0x%llx, last mcause=%llu (%s)\n",
                (unsigned long long)vm_instret(vm), (unsigned long long)traps,
                (unsigned long long)vm_get_pc(vm), (unsigned long long)mcause,
                traps ? vm_cause_name(mcause) : "none");
        status = 3;
    }
    if (stats) vm_print_stats(vm, stderr);
out:
    vm_destroy(vm);
    return status;
}

/* Debian's OpenSBI, the firmware qemu's virt machine starts by default. */
#define VIRT_DEFAULT_BIOS "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"

/* --machine=virt: boot the firmware (and payload) until the guest powers off. */
/* A whole system on the virt machine. With the console on a terminal, the terminal is raw
 * for the run (console.c) and the escape byte, then x, ends it with status 0, as qemu's. */
static int run_virt(bool stats, uint64_t max_insns, uint64_t max_ns, const vm_options_t *opt) {
    vm_t *vm = make_machine(opt);
    if (!vm) return 2;
    vm_exit_t ex;
    int status = 2;
    if (opt->console_in == STDIN_FILENO) cli_console_raw();
    int rc = vm_run(vm, max_insns, max_ns, &ex);
    cli_console_restore();
    if (rc) {
        fprintf(stderr, "vm run: %s\n", vm_error(vm));
    } else if (ex.reason == VM_EXIT_TIMEOUT) {
        fprintf(stderr, "vm run: time limit reached (--timeout), pc=0x%llx\n",
                (unsigned long long)vm_get_pc(vm));
        status = STATUS_LIMIT;
    } else if (ex.reason == VM_EXIT_EXITED) {
        status = (int)(ex.code & 0xff);
    } else if (ex.reason == VM_EXIT_QUIT) {
        fprintf(stderr, "\nvm run: ended from the console (C-%c x)\n",
                opt->console_escape + 'a' - 1);
        status = 0;
    } else {
        fprintf(stderr,
                "vm run: no poweroff after %llu instructions (--max-insns reached), pc=0x%llx\n",
                (unsigned long long)vm_instret(vm), (unsigned long long)vm_get_pc(vm));
        status = 3;
    }
    if (stats) vm_print_stats(vm, stderr);
    vm_destroy(vm);
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

static int run_user(int argc, char **argv, int i, const char *argv0, const env_edit_t *ed, int ned,
                    uint64_t max_insns, uint64_t max_ns, vm_options_t *opt) {
    if (!opt->sysroot) opt->sysroot = getenv("VM_LD_PREFIX");
    char **env = build_env(ed, ned);
    if (!env) {
        fprintf(stderr, "vm run: out of memory\n");
        return 2;
    }
    const char *path = argv[i];
    char **gargv = argv + i;
    int gargc = argc - i;
    if (argv0) gargv[0] = (char *)argv0;
    vm_t *vm = make_machine(opt);
    int status = 2;
    if (!vm) goto out;
    /* the loader has said why a program cannot start: 127 not found, 126 not runnable */
    int rc = vm_load_program(vm, path, gargc, gargv, env);
    if (rc) {
        status = rc == -ENOENT ? 127 : 126;
        goto out;
    }
    vm_exit_t ex;
    vm_run(vm, max_insns, max_ns, &ex); /* returns only when the program cannot run */
    fprintf(stderr, "vm run: %s\n", vm_error(vm));
out:
    vm_destroy(vm);
    free(env);
    return status;
}

int cmd_run(int argc, char **argv) {
    const char *machine = "user";
    bool stats = false;
    const char *engine = NULL;
    bool threshold_set = false;
    const char *argv0 = NULL, *prog_path = NULL;
    env_edit_t *edits = calloc((size_t)argc, sizeof(env_edit_t));
    int nedits = 0;
    if (!edits) return 2;
    uint64_t max_insns = 0, max_ns = 0;
    bool ram_set = false;
    bool sandbox = false; /* --sandbox[=DIR] */
    int echr = 1;         /* the virt console's escape byte: Ctrl-A */
    vm_options_t opt;
    vm_options_init(&opt);
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
        } else if (!strncmp(a, "--timeout=", 10)) {
            char *end;
            errno = 0;
            double sec = strtod(a + 10, &end);
            /* at most a year: more is a typo, and the nanoseconds must fit */
            if (errno || end == a + 10 || *end || !(sec > 0) || sec > 366.0 * 86400) {
                fprintf(stderr, "vm run: bad --timeout value '%s' (seconds, > 0)\n", a + 10);
                free(edits);
                return 2;
            }
            max_ns = (uint64_t)(sec * 1e9);
            if (max_ns == 0) max_ns = 1;
        } else if (!strncmp(a, "--memory-limit=", 15)) {
            if (!parse_size(a + 15, &opt.memory_limit) || opt.memory_limit == 0) {
                fprintf(stderr, "vm run: bad --memory-limit value '%s' (bytes, K, M or G)\n",
                        a + 15);
                free(edits);
                return 2;
            }
        } else if (!strncmp(a, "--max-threads=", 14)) {
            char *end;
            errno = 0;
            unsigned long v = strtoul(a + 14, &end, 10);
            if (errno || *end || end == a + 14 || v == 0 || v > (1ul << 20)) {
                fprintf(stderr, "vm run: bad --max-threads value '%s' (1..1048576)\n", a + 14);
                free(edits);
                return 2;
            }
            opt.max_threads = (unsigned)v;
        } else if ((!strcmp(a, "-bios") || !strcmp(a, "--bios")) && i + 1 < argc) {
            opt.bios = argv[++i];
        } else if ((!strcmp(a, "-kernel") || !strcmp(a, "--kernel")) && i + 1 < argc) {
            opt.kernel = argv[++i];
        } else if ((!strcmp(a, "-initrd") || !strcmp(a, "--initrd")) && i + 1 < argc) {
            opt.initrd = argv[++i];
        } else if ((!strcmp(a, "-append") || !strcmp(a, "--append")) && i + 1 < argc) {
            opt.append = argv[++i];
        } else if ((!strcmp(a, "-m") || !strcmp(a, "--memory")) && i + 1 < argc) {
            /* as qemu: a number alone is MiB */
            const char *v = argv[++i];
            char buf[64];
            size_t len = strlen(v);
            bool bare_number =
                len && len < sizeof(buf) - 1 && v[len - 1] >= '0' && v[len - 1] <= '9';
            snprintf(buf, sizeof(buf), "%s%s", v, bare_number ? "M" : "");
            if (!parse_size(buf, &opt.ram_size)) {
                fprintf(stderr, "vm run: bad -m value '%s'\n", v);
                free(edits);
                return 2;
            }
            ram_set = true;
        } else if ((!strcmp(a, "-echr") || !strcmp(a, "--echr")) && i + 1 < argc) {
            /* as qemu: the console's escape byte as a number (1 = Ctrl-A, the default);
             * 0 turns escapes off */
            char *end;
            unsigned long v = strtoul(argv[++i], &end, 0);
            if (*end || end == argv[i] || v > 31) {
                fprintf(stderr, "vm run: bad -echr value '%s' (a control character 0..31)\n",
                        argv[i]);
                free(edits);
                return 2;
            }
            echr = (int)v;
        } else if ((!strcmp(a, "-drive") || !strcmp(a, "--drive")) && i + 1 < argc) {
            if (run_nvirtio(&opt) >= VM_VIRTIO_SLOTS) {
                fprintf(
                    stderr,
                    "vm run: too many virtio devices (at most %u drives, cards, rng and console)\n",
                    VM_VIRTIO_SLOTS);
                free(edits);
                return 2;
            }
            if (!parse_drive(argv[++i], &run_drives[opt.ndrives], run_drive_files[opt.ndrives],
                             sizeof(run_drive_files[0]))) {
                free(edits);
                return 2;
            }
            opt.ndrives++;
            opt.drives = run_drives;
        } else if ((!strcmp(a, "-netdev") || !strcmp(a, "--netdev")) && i + 1 < argc) {
            if (!parse_netdev(argv[++i])) {
                free(edits);
                return 2;
            }
        } else if ((!strcmp(a, "-device") || !strcmp(a, "--device")) && i + 1 < argc) {
            const char *dev = argv[++i];
            size_t nlen = strcspn(dev, ",");
            if ((nlen == 17 && !strncmp(dev, "virtio-net-device", 17)) ||
                (nlen == 10 && !strncmp(dev, "virtio-net", 10))) {
                if (run_nvirtio(&opt) >= VM_VIRTIO_SLOTS) {
                    fprintf(stderr, "vm run: -device %s: no virtio slot left\n", dev);
                    free(edits);
                    return 2;
                }
                if (!parse_net_device(dev + nlen + (dev[nlen] ? 1 : 0), &run_nets[opt.nnets])) {
                    free(edits);
                    return 2;
                }
                opt.nnets++;
                opt.nets = run_nets;
                continue;
            }
            /* the console: qemu's pair (-device virtio-serial-device -device virtconsole) names
             * the bus and its port; here either name, or both, give the one console */
            if (!strcmp(dev, "virtio-console-device") || !strcmp(dev, "virtio-console") ||
                !strcmp(dev, "virtio-serial-device") || !strcmp(dev, "virtio-serial") ||
                !strcmp(dev, "virtconsole")) {
                if (!opt.virtio_console && run_nvirtio(&opt) >= VM_VIRTIO_SLOTS) {
                    fprintf(stderr, "vm run: -device %s: no virtio slot left\n", dev);
                    free(edits);
                    return 2;
                }
                opt.virtio_console = true;
                continue;
            }
            if (strcmp(dev, "virtio-rng-device") != 0 && strcmp(dev, "virtio-rng") != 0) {
                fprintf(stderr,
                        "vm run: -device %s is not supported (virtio-rng-device, "
                        "virtio-net-device, virtio-console-device)\n",
                        dev);
                free(edits);
                return 2;
            }
            if (opt.virtio_rng || run_nvirtio(&opt) >= VM_VIRTIO_SLOTS) {
                fprintf(stderr, "vm run: -device %s: %s\n", dev,
                        opt.virtio_rng ? "only one rng" : "no virtio slot left");
                free(edits);
                return 2;
            }
            opt.virtio_rng = true;
        } else if (!strcmp(a, "-nographic") || !strcmp(a, "--nographic")) {
            /* the console is always the host terminal */
        } else if ((!strcmp(a, "-smp") || !strcmp(a, "--smp")) && i + 1 < argc) {
            /* qemu's form: N, or cpus=N[,...] (the topology keys are accepted and ignored) */
            const char *v = argv[++i];
            if (!strncmp(v, "cpus=", 5)) v += 5;
            char *end;
            unsigned long n = strtoul(v, &end, 10);
            if (end == v || (*end && *end != ',') || n < 1 || n > 64) {
                fprintf(stderr, "vm run: -smp %s: the number of harts must be 1 to 64\n", argv[i]);
                free(edits);
                return 2;
            }
            opt.harts = (unsigned)n;
        } else if (!strcmp(a, "--deterministic")) {
            opt.deterministic_time = true;
        } else if (!strncmp(a, "--hart-quantum=", 15)) {
            char *end;
            unsigned long long v = strtoull(a + 15, &end, 10);
            if (*end || end == a + 15 || v == 0 || v > (1ull << 40)) {
                fprintf(stderr, "vm run: bad --hart-quantum value '%s' (1..2^40)\n", a + 15);
                free(edits);
                return 2;
            }
            opt.hart_quantum = v;
        } else if (!strncmp(a, "--ram=", 6)) {
            ram_set = true;
            if (!parse_size(a + 6, &opt.ram_size)) {
                fprintf(stderr, "vm run: bad --ram value '%s'\n", a + 6);
                return 2;
            }
        } else if (!strcmp(a, "--strace")) {
            opt.strace = true;
        } else if (!strcmp(a, "--host-exec")) {
            opt.host_exec = true;
        } else if (!strcmp(a, "--signal-exit")) {
            opt.signal_exit = true;
        } else if (!strcmp(a, "--sandbox")) {
            sandbox = true;
        } else if (!strncmp(a, "--sandbox=", 10) && a[10]) {
            sandbox = true;
            opt.sandbox = a + 10;
        } else if (!strcmp(a, "--sandbox-exec")) {
            opt.sandbox_exec = true; /* vm's own re-run for a sandboxed guest's execve */
        } else if (!strncmp(a, "--sandbox-tree=", 15)) {
            opt.sandbox_tree = a + 15; /* with --sandbox-exec: the guest's process tree */
        } else if (!strcmp(a, "--net")) {
            opt.net = true;
        } else if (!strncmp(a, "--log=", 6)) {
            /* a comma-separated list of what to log; "unimp" is the only kind for now */
            char kinds[256];
            snprintf(kinds, sizeof(kinds), "%s", a + 6);
            for (char *save = NULL, *k = strtok_r(kinds, ",", &save); k;
                 k = strtok_r(NULL, ",", &save)) {
                if (strcmp(k, "unimp") != 0) {
                    fprintf(stderr, "vm run: unknown --log kind '%s' (known: unimp)\n", k);
                    free(edits);
                    return 2;
                }
                opt.log_unimp = true;
            }
        } else if ((!strcmp(a, "-L") || !strcmp(a, "--sysroot")) && i + 1 < argc) {
            opt.sysroot = argv[++i];
        } else if (!strncmp(a, "--sysroot=", 10)) {
            opt.sysroot = a + 10;
        } else if (!strcmp(a, "--execfn") && i + 1 < argc) {
            opt.execfn = argv[++i];
        } else if (!strncmp(a, "--sigmask=", 10)) {
            /* vm's own, for the vm a guest execve runs: the blocked mask it keeps */
            char *end;
            errno = 0;
            opt.sigmask = strtoull(a + 10, &end, 16);
            bool bad = end == a + 10;
            if (*end == ':' && !bad) {
                /* :PEND, the pending signals that have no host number (32, 33) */
                char *p = end + 1;
                opt.sigpend_nohost = strtoull(p, &end, 16);
                bad = end == p;
            }
            if (*end || bad || errno) {
                fprintf(stderr, "vm run: bad --sigmask value '%s' (hexadecimal)\n", a + 10);
                free(edits);
                return 2;
            }
            opt.sigmask_set = true;
        } else if (!strncmp(a, "--signalfds=", 12)) {
            /* vm's own, for the vm a guest execve runs: the signalfds the program keeps */
            opt.signalfds = a + 12;
        } else if (!strncmp(a, "--siginfo=", 10)) {
            /* vm's own, for the vm a guest execve runs: N:HEX, the siginfo (128 bytes) of
             * pending signal N (32 or 33, which have no host number) */
            char *end;
            long n = strtol(a + 10, &end, 10);
            bool bad = (n != 32 && n != 33) || *end != ':' || strlen(end + 1) != 256;
            if (!bad) memset(opt.sigpend_info[n - 32], 0, sizeof(opt.sigpend_info[0]));
            for (int j = 0; !bad && j < 256; j++) {
                char c = end[1 + j];
                int v = c >= '0' && c <= '9'   ? c - '0'
                        : c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                               : -1;
                if (v < 0)
                    bad = true;
                else
                    opt.sigpend_info[n - 32][j / 2] |= (uint8_t)(v << (j % 2 ? 0 : 4));
            }
            if (bad) {
                fprintf(stderr,
                        "vm run: bad --siginfo value '%s' (32 or 33, ':', 256 "
                        "hexadecimal digits)\n",
                        a + 10);
                free(edits);
                return 2;
            }
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
            opt.jit_dump = true;
        } else if (!strcmp(a, "--jit-ir")) {
            opt.jit_ir = true;
        } else if (!strcmp(a, "--perf-map")) {
            opt.perf_map = true;
        } else if (!strncmp(a, "--jit-threshold=", 16)) {
            char *end;
            unsigned long v = strtoul(a + 16, &end, 10);
            if (*end || end == a + 16 || v == 0 || v > 65535) {
                fprintf(stderr, "vm run: bad --jit-threshold value '%s' (1..65535)\n", a + 16);
                free(edits);
                return 2;
            }
            opt.jit_threshold = (unsigned)v;
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
    if (!strcmp(machine, "virt")) {
        if (i < argc) {
            fprintf(stderr, "vm run: the virt machine boots -bios/-kernel, not '%s'\n", argv[i]);
            free(edits);
            return 2;
        }
        if (!ram_set) opt.ram_size = 0; /* the virt default */
        for (unsigned k = 0; k < run_nnetdevs; k++)
            if (!run_netdevs[k].used) {
                fprintf(stderr,
                        "vm run: -netdev %s has no card (add -device "
                        "virtio-net-device,netdev=%s)\n",
                        run_netdevs[k].id, run_netdevs[k].id);
                free(edits);
                return 2;
            }
    } else if (opt.ndrives || opt.virtio_rng || opt.virtio_console || opt.nnets || run_nnetdevs) {
        fprintf(stderr, "vm run: -drive, -netdev and -device need --machine=virt\n");
        free(edits);
        return 2;
    } else if (i >= argc) {
        fprintf(stderr, "vm run: no program given\n");
        run_usage(stderr);
        free(edits);
        return 2;
    } else {
        prog_path = argv[i];
    }
    if (!engine) engine = getenv("VM_ENGINE");
    bool have_jit = vm_engine_available(VM_ENGINE_JIT);
    if (!engine || !*engine) engine = have_jit ? "jit" : "interp";
    const char *th = getenv("VM_JIT_THRESHOLD");
    if (th && *th && !threshold_set) {
        char *end;
        unsigned long v = strtoul(th, &end, 10);
        if (*end || v == 0 || v > 65535) {
            fprintf(stderr, "vm run: bad VM_JIT_THRESHOLD value '%s' (1..65535)\n", th);
            free(edits);
            return 2;
        }
        opt.jit_threshold = (unsigned)v;
    }
    /* read by the JIT itself (it reaches every hart): checked here for a clear message */
    static const char *const tier_vars[] = {"VM_JIT_TIER_THRESHOLD", "VM_JIT_TIER_LOOP"};
    for (unsigned k = 0; k < 2; k++) {
        const char *tier = getenv(tier_vars[k]);
        if (!tier || !*tier) continue;
        char *end;
        unsigned long v = strtoul(tier, &end, 10);
        if (*end || v > (1ul << 30)) {
            fprintf(stderr, "vm run: bad %s value '%s' (0..1073741824)\n", tier_vars[k], tier);
            free(edits);
            return 2;
        }
    }
    if (getenv("VM_JIT_DUMP")) opt.jit_dump = true;
    if (getenv("VM_JIT_PERF_MAP")) opt.perf_map = true;
    if (getenv("VM_JIT_NO_CHAIN")) opt.jit_no_chain = true;
    if (strcmp(machine, "user") != 0 && (opt.memory_limit || opt.max_threads)) {
        fprintf(stderr,
                "vm run: --memory-limit and --max-threads are for user mode (the %s "
                "machine's memory is its RAM, -m)\n",
                machine);
        free(edits);
        return 2;
    }
    if (sandbox || opt.net || opt.sandbox_exec || opt.sandbox_tree) {
        const char *why = NULL;
        if (!sandbox)
            why = "--net and --sandbox-exec go with --sandbox";
        else if (opt.sandbox_tree && !opt.sandbox_exec)
            why = "--sandbox-tree goes with --sandbox-exec";
        else if (strcmp(machine, "user") != 0)
            why = "--sandbox is for user mode";
        else if (opt.host_exec)
            why = "--sandbox runs no host programs: drop --host-exec";
        if (sandbox && !opt.sandbox) {
            /* the sysroot, given with -L/--sysroot or $VM_LD_PREFIX: never a default */
            opt.sandbox = opt.sysroot ? opt.sysroot : getenv("VM_LD_PREFIX");
            if (!opt.sandbox || !*opt.sandbox)
                why = "--sandbox needs a directory: --sandbox=DIR, or -L DIR";
        }
        if (why) {
            fprintf(stderr, "vm run: %s\n", why);
            free(edits);
            return 2;
        }
    }
    if (!strcmp(engine, "lockstep") && max_ns) {
        fprintf(stderr, "vm run: --engine=lockstep takes --max-insns, not --timeout\n");
        free(edits);
        return 2;
    }
    if (opt.hart_quantum && strcmp(machine, "virt") != 0) {
        fprintf(stderr, "vm run: --hart-quantum is for the virt machine's harts (-smp)\n");
        free(edits);
        return 2;
    }
    if (!strcmp(engine, "lockstep")) {
        bool virt = !strcmp(machine, "virt");
        if ((strcmp(machine, "bare") != 0 && !virt) || !have_jit) {
            fprintf(stderr, "vm run: --engine=lockstep needs --machine=bare or --machine=virt on "
                            "an x86-64 host\n");
            free(edits);
            return 2;
        }
        free(edits);
        if (virt) {
            opt.machine = VM_MACHINE_VIRT;
            if (!opt.bios) opt.bios = VIRT_DEFAULT_BIOS;
            opt.console_in = -1; /* two machines: neither reads the terminal */
            return cli_lockstep(NULL, max_insns, &opt);
        }
        return cli_lockstep(prog_path, max_insns, &opt);
    }
    if (!strcmp(engine, "jit")) {
        if (!have_jit) {
            fprintf(stderr, "vm run: --engine=jit needs an x86-64 host (use interp)\n");
            free(edits);
            return 2;
        }
        opt.engine = VM_ENGINE_JIT;
    } else if (!strcmp(engine, "interp")) {
        opt.engine = VM_ENGINE_INTERP;
    } else {
        fprintf(stderr, "vm run: unknown engine '%s' (interp or jit)\n", engine);
        free(edits);
        return 2;
    }
    opt.stats = stats;
    if (!strcmp(machine, "virt")) {
        free(edits);
        opt.machine = VM_MACHINE_VIRT;
        if (!opt.bios) opt.bios = VIRT_DEFAULT_BIOS;
        opt.console_in = 0;
        opt.console_escape = (unsigned char)echr;
        return run_virt(stats, max_insns, max_ns, &opt);
    }
    if (prog_path && !strcmp(machine, "bare")) {
        free(edits);
        return run_bare(prog_path, stats, max_insns, max_ns, &opt);
    }
    if (!strcmp(machine, "user")) {
        if (ram_set) {
            fprintf(stderr, "vm run: --ram and -m size the bare and virt machines' RAM; in user "
                            "mode use --memory-limit\n");
            free(edits);
            return 2;
        }
        opt.machine = VM_MACHINE_USER;
        int st = run_user(argc, argv, i, argv0, edits, nedits, max_insns, max_ns, &opt);
        free(edits);
        return st;
    }
    free(edits);
    fprintf(stderr, "vm run: unknown machine '%s' (user, bare or virt)\n", machine);
    return 2;
}
