/* vm.h - the public machine API of libvm: create a RISC-V machine, load a program, run it with
 * budgets, stop it from another thread, look at its registers and memory, destroy it.
 *
 * A vm_t is an opaque handle to one machine. Two kinds exist today:
 *
 *   VM_MACHINE_BARE  one RV64GC hart in M-mode, RAM at 0x80000000 (VM_BARE_RAM_BASE) and the
 *                    HTIF tohost/fromhost mailbox of the RISC-V test programs. Everything it
 *                    has lives in its handle: any number of bare machines may exist and run
 *                    in one process, each on its own thread.
 *   VM_MACHINE_VIRT  a whole system laid out like qemu's `virt` board (M, S and U modes,
 *                    Sv39/48/57 paging, CLINT, PLIC, ns16550a console, poweroff device,
 *                    RTC) that boots firmware such as OpenSBI and then U-Boot or Linux; the
 *                    guest's poweroff ends vm_run() with its exit code. Self-contained like
 *                    the bare machine.
 *   VM_MACHINE_USER  a riscv64 Linux process in user mode: the guest's system calls are served
 *                    by the host. A guest process owns the host process as a native one would
 *                    (its signals, its fork, its execve and its exit are the host process's),
 *                    so at most one user-mode machine exists per process, vm_run() on it does
 *                    not return once the guest runs, and the guest's exit ends the process with
 *                    the guest's status.
 *
 * Options live in a vm_options_t that vm_options_init() fills with defaults; nothing is
 * process-wide. Functions that can fail return 0 or a negative errno value; vm_error() then
 * says what went wrong in words.
 *
 * Threads: a machine runs on the thread that calls vm_run(); vm_stop() may be called from any
 * thread (or a signal handler) while it runs. Other calls must not overlap vm_run() on the
 * same machine.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vm/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An opaque machine. */
typedef struct vm vm_t;

/* Guest-physical address of the bare machine's RAM. */
#define VM_BARE_RAM_BASE 0x80000000ull

/* What kind of machine vm_create() builds. */
typedef enum vm_machine_kind {
    VM_MACHINE_BARE = 0, /* bare RV64GC machine with HTIF (ISA tests, freestanding programs) */
    VM_MACHINE_USER = 1, /* riscv64 Linux user mode (one per process) */
    VM_MACHINE_VIRT = 2, /* qemu-style `virt` board: firmware, kernel, devices, console */
} vm_machine_kind_t;

/* How guest instructions are executed. */
typedef enum vm_engine_kind {
    VM_ENGINE_DEFAULT = 0, /* the JIT where the host has one, else the interpreter */
    VM_ENGINE_INTERP = 1,  /* the interpreter only */
    VM_ENGINE_JIT = 2,     /* the JIT (vm_create fails with -ENOTSUP where there is none) */
} vm_engine_kind_t;

/* True when this host can run `engine` (VM_ENGINE_JIT needs an x86-64 host). */
bool vm_engine_available(vm_engine_kind_t engine);

/* A raw disk image on the virt machine's virtio-blk (vm_options_t.drives). */
typedef struct vm_drive {
    const char *file; /* the image file (raw format) */
    bool readonly;    /* the guest cannot write it (writes fail with an I/O error) */
    bool snapshot;    /* guest writes stay in host memory; the file is left untouched */
} vm_drive_t;

/* A virtio-net card of the virt machine on user-mode networking (vm_options_t.nets): the
 * guest is 10.0.2.15/24 by DHCP, 10.0.2.2 is the host's loopback, 10.0.2.3 its DNS. */
typedef struct vm_net {
    const char *const *hostfwd; /* port forwards "[tcp|udp]:[hostaddr]:hostport-[guestaddr]:
                                   guestport" as qemu writes them; hostaddr defaults to
                                   127.0.0.1 (not every interface), guestaddr to 10.0.2.15 */
    unsigned nhostfwd;          /* entries in hostfwd */
    unsigned char mac[6];       /* the card's MAC address (all zero: 52:54:00:12:34:56 for the
                                   first card, ...:57 for the second, ...) */
} vm_net_t;

/* Most virtio devices (drives, network cards, rng and console) the virt machine holds. */
#define VM_VIRTIO_SLOTS 8u

/* Options of a machine. Fill with vm_options_init(), then change what you need. */
typedef struct vm_options {
    vm_machine_kind_t machine;    /* kind of machine */
    vm_engine_kind_t engine;      /* execution engine */
    uint64_t ram_size;            /* bare: bytes of RAM (multiple of 4 KiB, 64 KiB..64 GiB) */
    unsigned jit_threshold;       /* interpreted runs of a block before translation (0: default) */
    bool jit_dump;                /* print guest and host code of every translation to stderr */
    bool perf_map;                /* write /tmp/perf-PID.map so perf can name translated code */
    bool jit_no_chain;            /* never link translations directly (debugging) */
    bool jit_ir;                  /* translate through the JIT's IR where it covers a block */
    bool deterministic_time;      /* the time CSR counts retired instructions (repeatable runs;
                                     virt: one clock for every hart, mtime and the RTC too, and
                                     the harts take turns on one thread, see hart_quantum) */
    FILE *console;                /* bare: where HTIF console output goes (NULL: stdout) */
    const char *sysroot;          /* user: guest root for absolute paths and PT_INTERP (-L) */
    bool strace;                  /* user: print every system call to stderr */
    bool stats;                   /* user: print execution counters to stderr at exit; every
                                     machine: the JIT also keeps the counters that cost time
                                     in translated code (return-address-stack hits) */
    bool host_exec;               /* user: a guest execve may run host-native programs */
    bool signal_exit;             /* user: a guest killed by a signal ends vm by that host signal
                                     (no core), as a waiting parent expects; else a message
                                     and exit status 128 + N */
    const char *execfn;           /* user: the AT_EXECFN string (NULL: the program path); a
                                     guest execve passes the name the guest gave, which for a
                                     #! script is the script's, as Linux does */
    const char *vm_exe;           /* user: the vm executable, re-run on a guest execve (NULL:
                                     this process's own executable) */
    const char *bios;             /* virt: firmware image (e.g. OpenSBI's fw_dynamic.bin) */
    const char *kernel;           /* virt: payload at RAM + 2 MiB (Linux Image, u-boot.bin) */
    const char *initrd;           /* virt: initial RAM disk */
    const char *append;           /* virt: kernel command line */
    int console_in;               /* virt: console input descriptor (-1: none; 0: stdin) */
    unsigned char console_escape; /* virt: escape byte of the console input, then x quits
                                     (VM_EXIT_QUIT), h lists commands (0: none; 1: Ctrl-A) */
    bool log_unimp;               /* user: name each system call vm does not implement (once per
                                     number) on stderr; silent -ENOSYS otherwise */
    uint64_t memory_limit;        /* user: committed guest memory in bytes (writable private maps,
                                     brk, stack): past it mmap/brk get ENOMEM (0: no limit) */
    unsigned max_threads;     /* user: live guest threads: clone past it gets EAGAIN (0: none) */
    const vm_drive_t *drives; /* virt: virtio-blk drives (NULL: none), slots from 0 */
    unsigned ndrives;         /* virt: entries in drives (drives + nets + rng + console <= 8) */
    const vm_net_t *nets;     /* virt: virtio-net cards on user-mode networking (NULL: none),
                                 in the slots after the drives; needs vm built with libslirp */
    unsigned nnets;           /* virt: entries in nets */
    bool virtio_rng;          /* virt: a virtio-rng device fed by the host's getrandom */
    bool virtio_console;      /* virt: a virtio-console (the guest's hvc0) in the slot after the
                                 rng, on the UART's console: output to the same stream, input
                                 to it while its driver is ready, else to the UART */
    unsigned harts;           /* virt: harts (-smp), each run by a host thread of its own
                                 (0 counts as 1; at most 64) unless hart_quantum is set */
    uint64_t hart_quantum;    /* virt: 0: a host thread per hart (with deterministic_time, 10000);
                                 else every hart runs on the thread that calls vm_run, in turn,
                                 for about this many instructions each (a turn ends at the first
                                 block boundary past it, or at a wfi that waits): repeatable
                                 with deterministic_time; VM_HART_QUANTUM_MANUAL: turns end only
                                 at such a wfi or at vm_next_hart() */
    const char *sandbox;      /* user: the guest's whole file tree (--sandbox, docs/security.md):
                                 no host fallback, no network, no host devices; NULL: none */
    bool net;                 /* user: a sandboxed guest may use sockets other than AF_UNIX */
    bool sandbox_exec;        /* user: this process is a sandboxed guest's execve: the program
                                 path is a path inside the sandbox (set by vm itself) */
    const char *sandbox_tree; /* user: "PID:START" of the first process of a sandboxed guest's
                                 process tree, which alone it may signal (set by vm itself for
                                 an execve; NULL: this process is the first) */
    bool sigmask_set;         /* user: sigmask is the guest's blocked set at start; false: the
                                 guest inherits the host thread's blocked mask, as a Linux
                                 program inherits its parent's */
    uint64_t sigmask;         /* user: blocked guest signals at start (bit N-1: signal N); a
                                 guest execve passes its mask on (--sigmask) */
    uint64_t sigpend_nohost;  /* user: pending guest signals without a host number (32, 33) at
                                 start, which an execve passes on (--sigmask=MASK:PEND) since
                                 they cannot wait on the host as the others do */
    uint8_t sigpend_info[2][128]; /* user: the siginfo (the guest's 128-byte layout) of pending
                                     signals 32 and 33 (--siginfo=N:HEX, from an execve); one
                                     whose si_signo is not its number reads as sent by the
                                     process itself (SI_TKILL) */
    const char *signalfds;        /* user: the guest descriptors that are signalfds at start, with
                                     their masks ("MASK:FD,FD;...", --signalfds, set by vm itself for
                                     an execve); NULL: none */
} vm_options_t;

/* vm_options_t.hart_quantum: turns end only at a wfi that waits or at vm_next_hart(). */
#define VM_HART_QUANTUM_MANUAL UINT64_MAX

/* Exit status of a user-mode process that vm_run's max_insns or max_ns ended (as timeout(1)),
 * after a message on stderr. */
#define VM_EXIT_STATUS_LIMIT 124

/* Fill `opt` with the defaults: a bare machine with 256 MiB of RAM (virt: ram_size 0 means
 * 128 MiB), the default engine, no console input. */
void vm_options_init(vm_options_t *opt);

/* Build a machine. Returns 0 and *out, or -errno: -EINVAL (bad option), -ENOMEM, -ENOTSUP
 * (engine not available on this host), -EBUSY (a second user-mode machine). */
int vm_create(const vm_options_t *opt, vm_t **out);

/* Free a machine and everything it holds. NULL is allowed. */
void vm_destroy(vm_t *vm);

/* Words for the last failure of a call on this machine ("" when none); with NULL, for the
 * last failed vm_create() of the calling thread. */
const char *vm_error(const vm_t *vm);

/* Bare: load an ELF file's PT_LOAD segments at their physical addresses, set pc to its
 * entry, find tohost/fromhost. (User mode loads with vm_load_program.) */
int vm_load_elf(vm_t *vm, const char *path);

/* Bare: the same from an ELF image in memory. */
int vm_load_elf_image(vm_t *vm, const void *data, size_t size);

/* Bare: copy `size` bytes of a raw image to guest-physical address `addr` (in RAM). The pc is
 * not changed (see vm_set_pc). */
int vm_load_raw(vm_t *vm, uint64_t addr, const void *data, size_t size);

/* User: load the riscv64 Linux program `path` (static or dynamic) with its stack built from
 * argv[0..argc) and envp; vm_run() then starts it. */
int vm_load_program(vm_t *vm, const char *path, int argc, char *const argv[], char *const envp[]);

/* Bare: true when the loaded program can report its exit (it defines `tohost`); a program
 * without it runs until a budget, a time limit or vm_stop() ends the run. */
bool vm_has_exit(const vm_t *vm);

/* Why vm_run() returned. */
typedef enum vm_exit_reason {
    VM_EXIT_EXITED = 0,  /* the guest exited; vm_exit_t.code is its exit code */
    VM_EXIT_BUDGET = 1,  /* max_insns instructions retired */
    VM_EXIT_TIMEOUT = 2, /* the wall-clock limit passed */
    VM_EXIT_STOPPED = 3, /* vm_stop() was called */
    VM_EXIT_QUIT = 4,    /* virt: the console's escape byte then x (the user ended the run) */
} vm_exit_reason_t;

/* Outcome of vm_run(). */
typedef struct vm_exit {
    vm_exit_reason_t reason; /* why the run ended */
    uint64_t code;           /* VM_EXIT_EXITED: the guest's exit code (bare: tohost >> 1) */
} vm_exit_t;

/* Run the machine until the guest exits, max_insns more instructions have retired (0: no
 * limit; checked per block, so a run may overshoot by one block; a trap taken counts as one,
 * so that a trap loop ends too), max_ns nanoseconds of wall time have passed (0: no limit) or
 * vm_stop() is called. Returns 0 with *exit filled, or
 * -errno (-ENOEXEC: nothing loaded). A run may be continued by calling vm_run() again.
 * User mode: the run does not return; max_insns counts the instructions of all the guest
 * process's threads, and reaching either limit ends the whole process with status
 * VM_EXIT_STATUS_LIMIT. Both limits hold for this host process: a guest fork's child starts
 * with what was left, an execve passes it on. */
int vm_run(vm_t *vm, uint64_t max_insns, uint64_t max_ns, vm_exit_t *exit);

/* Ask a running machine to stop at its next block boundary (vm_run returns VM_EXIT_STOPPED).
 * Safe from any thread and from a signal handler. */
void vm_stop(vm_t *vm);

/* Harts of the machine (virt: -smp; the others: 1). */
unsigned vm_hart_count(const vm_t *vm);
/* Make hart `hart_id` the one that the register, CSR and counter calls below (vm_get_pc ...
 * vm_traps) look at; hart 0 until then. Returns 0 or -EINVAL (no such hart). */
int vm_select_hart(vm_t *vm, unsigned hart_id);
/* Harts taking turns on one thread (hart_quantum, deterministic_time): the hart whose turn it
 * is, or whose turn the next vm_run begins with when none is under way; else 0. */
unsigned vm_current_hart(const vm_t *vm);
/* Harts taking turns on one thread: end the current turn now; the next vm_run begins the next
 * hart's (the next in order that is not waiting in wfi). Returns 0 or -EINVAL (no turns). */
int vm_next_hart(vm_t *vm);

/* The pc of the hart. */
uint64_t vm_get_pc(const vm_t *vm);
/* Set the pc of the hart (before or between runs). */
void vm_set_pc(vm_t *vm, uint64_t pc);
/* Integer register x0..x31 (x0 reads 0). */
uint64_t vm_get_x(const vm_t *vm, unsigned reg);
/* Set integer register x1..x31 (x0 stays 0). */
void vm_set_x(vm_t *vm, unsigned reg, uint64_t value);
/* FP register f0..f31 as raw bits (singles NaN-boxed). */
uint64_t vm_get_f(const vm_t *vm, unsigned reg);
/* Set FP register f0..f31 as raw bits. */
void vm_set_f(vm_t *vm, unsigned reg, uint64_t value);
/* Read CSR number `csr` as M-mode software would, without side effects. Returns 0 or
 * -EINVAL (no such CSR). */
int vm_get_csr(const vm_t *vm, unsigned csr, uint64_t *value);
/* The hart's privilege level (0 U, 1 S, 3 M). */
unsigned vm_get_priv(const vm_t *vm);
/* Instructions retired so far. */
uint64_t vm_instret(const vm_t *vm);
/* Exceptions taken so far (every cause). */
uint64_t vm_traps(const vm_t *vm);
/* Name of the engine the hart runs under ("jit" or "interp"). */
const char *vm_engine_name(const vm_t *vm);

/* Copy `len` bytes of guest memory at `addr` (bare: guest-physical; user: guest-virtual) to
 * `buf`. Returns 0 or -EFAULT when part of the range is not memory. */
int vm_read_mem(const vm_t *vm, uint64_t addr, void *buf, size_t len);
/* Copy `len` bytes from `buf` to guest memory at `addr`. Returns 0 or -EFAULT. Decoded and
 * translated code of the range is dropped. */
int vm_write_mem(vm_t *vm, uint64_t addr, const void *buf, size_t len);

/* A system-call hook: called for every guest system call (user: before the Linux layer;
 * bare: on each ecall, with the number in a7 and arguments in a0..a5). Return true after
 * writing the result to *ret to handle the call (bare: a0 = *ret and execution goes on after
 * the ecall; user: a0 = *ret), false to let the machine handle it as usual. */
typedef bool (*vm_syscall_fn)(void *opaque, vm_t *vm, uint64_t nr, const uint64_t args[6],
                              uint64_t *ret);

/* Install (fn != NULL) or remove the system-call hook. */
void vm_set_syscall_hook(vm_t *vm, vm_syscall_fn fn, void *opaque);

/* Name of a RISC-V exception cause (mcause without the interrupt bit), for messages. */
const char *vm_cause_name(uint64_t cause);

/* Print the execution counters (instructions, speed, decode cache, traps, JIT) to `out`,
 * with the wall time of the runs so far. */
void vm_print_stats(const vm_t *vm, FILE *out);

#ifdef __cplusplus
}
#endif
