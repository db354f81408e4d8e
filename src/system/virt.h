/* virt.h - the `virt` machine: 1 to 64 RV64GC harts with M, S and U modes and Sv39/48/57
 * paging, each run by a host thread of its own (or all taking turns on one thread),
 * laid out like qemu's `virt` board so that unmodified OpenSBI, U-Boot and Linux run on it.
 *
 *   0x00001000  boot ROM: the reset vector, fw_dynamic_info, jumps to the firmware
 *   0x00100000  SiFive test device (poweroff, reboot)
 *   0x00101000  Goldfish RTC (IRQ 11)
 *   0x02000000  CLINT (msip and mtimecmp per hart, mtime at 10 MHz)
 *   0x0c000000  PLIC (contexts: 2i = hart i M-mode, 2i + 1 = hart i S-mode)
 *   0x10000000  ns16550a UART (IRQ 10) on the host's stdin/stdout
 *   0x10001000  virtio-mmio slots 0..7, 0x1000 apart (IRQ 1..8): the drives, then the
 *               network cards, then the rng, then the console
 *   0x80000000  RAM; the firmware at its start, the kernel at +2 MiB, the device tree and
 *               the initrd near its end
 *
 * The device tree is generated with libfdt and describes exactly these devices and the ISA
 * the hart implements. */
#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "dev/dev.h"
#include "dev/net_slirp.h"
#include "dev/virtio.h"
#include "exec/exec.h"
#include "riscv/cpu.h"
#include "vm/mem.h"

#define VIRT_RAM_BASE         0x80000000ull
#define VIRT_RAM_DEFAULT_SIZE (128ull << 20)
#define VIRT_KERNEL_OFFSET    0x200000ull /* kernel (or the payload) at RAM + 2 MiB */

#define VIRT_VIRTIO_SLOTS 8u           /* virtio-mmio transports, as on qemu's virt */
#define VIRT_MAX_HARTS    64u          /* -smp limit */
#define VIRT_DECODE_BYTES (128u << 20) /* decode-cache arena per hart (exec_options_t) */
#define VIRT_JIT_BYTES    (256u << 20) /* JIT code cache per hart (exec_options_t) */

/* One-thread mode (virt_config_t.quantum): the quantum that deterministic_time takes when none
 * is given, and the one that ends turns only at a wfi that waits or at virt_next_hart. */
#define VIRT_QUANTUM_DEFAULT 10000u
#define VIRT_QUANTUM_MANUAL  UINT64_MAX

/* A raw disk image on a virtio-blk device. */
typedef struct virt_drive {
    const char *file; /* the image */
    bool readonly;    /* the guest cannot write it (VIRTIO_BLK_F_RO) */
    bool snapshot;    /* writes stay in host memory; the file is not changed */
} virt_drive_t;

/* A virtio-net card on user-mode networking (libslirp). */
typedef struct virt_net {
    const char *const *hostfwd; /* port forwards, qemu's syntax (see net_slirp.h) */
    unsigned nhostfwd;          /* how many */
    uint8_t mac[6];             /* the card's address (all zero: 52:54:00:12:34:56 + index) */
} virt_net_t;

/* What to boot. */
typedef struct virt_config {
    uint64_t ram_size;      /* bytes of RAM (a multiple of 2 MiB, 16 MiB .. 64 GiB) */
    const char *bios;       /* firmware image (raw, loaded at the RAM base), required */
    const char *kernel;     /* payload loaded at RAM + 2 MiB (a Linux Image or U-Boot), or NULL */
    const char *initrd;     /* initial RAM disk, or NULL */
    const char *append;     /* kernel command line, or NULL */
    FILE *console;          /* UART output (NULL: stdout) */
    int console_in;         /* UART input descriptor (-1: none); made non-blocking */
    uint8_t console_escape; /* escape byte of the console input (0: none; 1: Ctrl-A) */
    const virt_drive_t *drives; /* virtio-blk drives, one slot each from slot 0 */
    unsigned ndrives;           /* how many (drives + nets + rng <= VIRT_VIRTIO_SLOTS) */
    const virt_net_t *nets;     /* virtio-net cards, in the slots after the drives */
    unsigned nnets;             /* how many */
    bool rng;                   /* a virtio-rng device in the slot after the cards */
    bool vconsole;      /* a virtio-console (hvc0) in the next slot, on the UART's stdin/stdout */
    unsigned nharts;    /* harts (-smp; 0 counts as 1; at most VIRT_MAX_HARTS) */
    uint64_t quantum;   /* 0: each hart on a host thread of its own; else every hart on the
                           caller's thread, in turn, for this many instructions each (a turn
                           ends at the first block boundary past it, or at a wfi that waits;
                           VIRT_QUANTUM_MANUAL: only there or at virt_next_hart) */
    bool deterministic; /* the time CSR, mtime and the RTC count retired instructions: one
                           reproducible clock for every hart (one thread, VIRT_QUANTUM_DEFAULT
                           when quantum is 0; idle time is skipped, not slept) */
} virt_config_t;

/* What the machine keeps per hart besides the hart itself. */
typedef struct virt_hart {
    pthread_t thread;        /* the host thread running the hart (harts 1..n-1) */
    bool started;            /* the thread runs */
    int wake_fd;             /* eventfd that wakes the hart's wfi sleep (-1 with one hart) */
    _Atomic int sleeping;    /* the hart is in (or entering) its wfi sleep */
    uint64_t wfi_sleep_ns;   /* time spent asleep in wfi, for --stats */
    _Atomic uint64_t cpu_ns; /* the thread's CPU time when it ended (0: still running) */
    bool idle;               /* one-thread mode: waits in wfi for an interrupt */
    uint64_t mip_defer;      /* one-thread mode: mip bits it raised for itself during its turn,
                                set when its next turn begins */
    uint64_t pauses;         /* pause instructions executed (with several host threads) */
    uint64_t pause_yields;   /* host yields they led to (--stats) */
} virt_hart_t;

/* The machine. */
typedef struct virt_machine {
    rv_cpu_t cpu;                     /* hart 0 (run by the thread that calls virt_run) */
    unsigned nharts;                  /* harts */
    rv_cpu_t *harts[VIRT_MAX_HARTS];  /* every hart: harts[0] = &cpu, the others allocated */
    virt_hart_t hart[VIRT_MAX_HARTS]; /* their threads and wfi sleep */
    pthread_mutex_t dev_lock;         /* serialises device access when there are several harts */
    _Atomic bool stop_threads;        /* the harts' threads end (virt_destroy) */
    vm_mem_t *mem;                    /* guest-physical address map */
    uint8_t *ram;                     /* host address of RAM */
    uint64_t ram_size;                /* its size */
    uint8_t *page_flags;              /* RV_PAGE_* per RAM page (shared with the hart) */
    uint64_t *code_lines; /* decoded-code bit per 64-byte RAM line (shared with the hart) */
    dev_clint_t clint;    /* timer and software interrupts */
    dev_plic_t plic;      /* external interrupts */
    dev_uart_t uart;      /* the console */
    dev_test_t test;      /* poweroff / reboot */
    dev_rtc_t rtc;        /* wall clock */
    bool quit;            /* the console's escape and 'x' asked to end the run */
    virtio_blk_t blk[VIRT_VIRTIO_SLOTS];   /* virtio-blk drives (slots 0 .. nblk-1) */
    unsigned nblk;                         /* drives opened */
    virtio_net_t net[VIRT_VIRTIO_SLOTS];   /* virtio-net cards (slots nblk .. nblk+nnet-1) */
    net_slirp_t *slirp[VIRT_VIRTIO_SLOTS]; /* the user-mode network behind each card */
    unsigned nnet;                         /* cards opened */
    virtio_dev_t rng;                      /* virtio-rng (slot nblk + nnet, when has_rng) */
    bool has_rng;                          /* the rng is present */
    virtio_console_t vcons;                /* virtio-console (the slot after the rng) */
    bool has_vcons;                        /* the console is present */
    /* One-thread mode (cfg.quantum or cfg.deterministic): the harts take turns on the thread
     * that calls virt_run. */
    bool one_thread;      /* in this mode (else: with several harts, a host thread each) */
    uint64_t quantum;     /* instructions per turn (VIRT_QUANTUM_MANUAL: no limit) */
    unsigned cur;         /* the hart whose turn it is (or comes next) */
    bool in_turn;         /* its turn has begun (clock set, timers looked at) */
    bool turn_over;       /* its wfi ended the turn (set by the wait callback) */
    uint64_t turn_left;   /* instructions left in the turn */
    uint64_t turn_start;  /* the hart's instret when the turn began */
    uint64_t vclock;      /* deterministic: the machine's time in timer ticks, the instructions
                             every hart retired plus the idle time skipped */
    uint64_t polled_at;   /* vclock at the last device poll (polled every SLICE instructions) */
    uint64_t turns;       /* turns begun (--stats) */
    uint64_t idle_rounds; /* times every hart waited in wfi at once (--stats) */
} virt_machine_t;

/* Build the machine and load what `cfg` names. Returns 0 or -errno with *err set. */
int virt_init(virt_machine_t *m, const virt_config_t *cfg, const exec_options_t *exec, char *err,
              size_t errlen);

/* Time spent asleep in wfi by all harts, in ns (for --stats). */
uint64_t virt_wfi_sleep_ns(const virt_machine_t *m);

/* Free everything the machine holds (stopping the harts' threads first). */
void virt_destroy(virt_machine_t *m);

/* Run hart 0 for up to `budget` instructions (UINT64_MAX: no limit) or until poweroff / reboot
 * (m->test.done), the console's quit command (m->quit) or a stop request. Returns enum
 * exec_stop. The first call starts the threads of the other harts, which run on their own
 * until poweroff or virt_destroy. In one-thread mode the budget counts the instructions of
 * every hart (and one for each round in which every hart waited), and the harts take turns. */
int virt_run(virt_machine_t *m, uint64_t budget);

/* One-thread mode: end the current hart's turn now (the next virt_run begins the next hart's).
 * Returns 0, or -EINVAL when the harts have threads of their own. */
int virt_next_hart(virt_machine_t *m);
