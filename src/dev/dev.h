/* dev.h - the device models of the virt machine, each an MMIO region (vm_mmio_ops_t) plus
 * interrupt lines (vm_irq_t). They see guest memory only through include/vm/mem.h and raise
 * interrupts only through include/vm/irq.h; the board (src/system/virt.c) wires them.
 *
 * Every register a guest writes is validated: offsets outside a device's registers read as
 * zero and ignore writes (as the hardware they model does), never reaching host memory. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vm/irq.h"
#include "vm/mem.h"

/* ---- CLINT: machine software and timer interrupts (SiFive layout) ---- */
#define DEV_CLINT_SIZE 0x10000u

/* Harts a CLINT or PLIC serves, at most (the virt machine's -smp limit). */
#define DEV_MAX_HARTS 64u

/* The CLINT: per hart, msip at 4 * hart and mtimecmp at 0x4000 + 8 * hart; mtime at 0xbff8.
 * Harts' threads read mtimecmp without the device lock (atomically) to time their sleep. */
typedef struct dev_clint {
    uint64_t (*now)(void *opaque);    /* the time base (10 MHz ticks) */
    void *now_opaque;                 /* its argument */
    unsigned nharts;                  /* harts served (0 counts as 1) */
    uint64_t mtimecmp[DEV_MAX_HARTS]; /* each hart's compare register */
    uint32_t msip[DEV_MAX_HARTS];     /* each hart's software interrupt bit */
    vm_irq_t msi[DEV_MAX_HARTS];      /* to each hart's mip.MSIP */
    vm_irq_t mti[DEV_MAX_HARTS];      /* to each hart's mip.MTIP */
} dev_clint_t;

/* The CLINT's registers. */
extern const vm_mmio_ops_t dev_clint_ops;
/* Re-evaluate hart `hart`'s timer line against the time base (call when time may have
 * passed). */
void dev_clint_update(dev_clint_t *c, unsigned hart);
/* Ticks until hart `hart`'s timer fires (0: it has; UINT64_MAX: never). */
uint64_t dev_clint_ticks_left(dev_clint_t *c, unsigned hart);

/* ---- PLIC: platform-level interrupt controller (SiFive layout) ---- */
#define DEV_PLIC_SIZE     0x600000u
#define DEV_PLIC_SOURCES  96u                  /* sources 1..95 */
#define DEV_PLIC_CONTEXTS (2u * DEV_MAX_HARTS) /* hart i: 2i M-mode, 2i + 1 S-mode */

/* A PLIC with an M-mode and an S-mode context per hart (qemu virt's numbering). */
typedef struct dev_plic {
    unsigned ncontexts;                                        /* contexts in use (0: 2) */
    uint32_t priority[DEV_PLIC_SOURCES];                       /* per source (0 = never) */
    uint32_t pending[DEV_PLIC_SOURCES / 32];                   /* pending bits */
    uint32_t level[DEV_PLIC_SOURCES / 32];                     /* current input levels */
    uint32_t claimed[DEV_PLIC_SOURCES / 32];                   /* claimed, not yet completed */
    uint32_t enable[DEV_PLIC_CONTEXTS][DEV_PLIC_SOURCES / 32]; /* per context */
    uint32_t threshold[DEV_PLIC_CONTEXTS];                     /* per context */
    vm_irq_t out[DEV_PLIC_CONTEXTS]; /* to mip.MEIP (even) and mip.SEIP (odd) of hart ctx/2 */
} dev_plic_t;

/* The PLIC's registers. */
extern const vm_mmio_ops_t dev_plic_ops;
/* An input line of the PLIC (vm_irq_t.set with the PLIC as opaque). */
void dev_plic_set(void *plic, unsigned source, bool level);

/* ---- ns16550a UART ---- */
#define DEV_UART_SIZE 0x100u

/* The console's escape handler: called with the byte typed after the escape byte ('x', 'h',
 * ...) so the machine can act on it (quit, print help) without the guest seeing either. */
typedef void (*dev_uart_escape_fn)(void *opaque, uint8_t cmd);
/* Another console that may take the input first (virtio-console): bytes it takes now, or -1
 * when it takes none and the input stays the UART's. */
typedef int (*dev_uart_sink_room_fn)(void *opaque);
/* ... and hands it one input byte (after the escape handling). */
typedef void (*dev_uart_sink_put_fn)(void *opaque, uint8_t b);

/* A 16550A on the host: output to `out`, input from `in_fd` (non-blocking reads).
 *
 * With `escape` set (Ctrl-A, as in qemu's -nographic), the byte after an escape byte is a
 * command for the machine, passed to on_escape, not data; escape twice sends one escape byte.
 * Input waits in the host while the receive buffer is full (nothing is lost from a pipe),
 * except from a terminal with an escape byte: there the bytes that do not fit are dropped with
 * the overrun bit set, as a real UART drops them, so that the escape still reaches the
 * machine when the guest has stopped reading.
 *
 * With `sink_room` set, each poll first asks the other console whether it takes input; while
 * it does, the bytes read (escape handling still here) go to it, and only as many are read as
 * it has room for (from a terminal with an escape byte, the excess is dropped). */
typedef struct dev_uart {
    FILE *out;                                 /* transmitted bytes */
    int in_fd;                                 /* received bytes (-1: none) */
    bool in_tty;                               /* in_fd is a terminal (see above) */
    uint8_t escape;                            /* escape byte (0: none) */
    bool esc_pending;                          /* the last byte read was the escape byte */
    bool overrun;                              /* bytes were dropped (LSR OE, cleared on read) */
    dev_uart_escape_fn on_escape;              /* the machine's escape handler (or NULL) */
    void *escape_opaque;                       /* its argument */
    dev_uart_sink_room_fn sink_room;           /* another console taking input first (or NULL) */
    dev_uart_sink_put_fn sink_put;             /* gives it a byte */
    void *sink_opaque;                         /* their argument */
    uint8_t rx[256];                           /* received, not yet read */
    unsigned rx_head;                          /* next to read */
    unsigned rx_count;                         /* bytes in rx */
    uint8_t ier, lcr, mcr, scr, dll, dlm, fcr; /* registers */
    bool thre_pending;                         /* the "transmitter empty" interrupt is pending */
    bool in_eof;                               /* the input ended */
    vm_irq_t irq;                              /* to the PLIC */
} dev_uart_t;

/* The UART's registers. */
extern const vm_mmio_ops_t dev_uart_ops;
/* Poll the input (non-blocking) and update the interrupt line. */
void dev_uart_poll(dev_uart_t *u);

/* ---- SiFive test device: poweroff and reboot ---- */
#define DEV_TEST_SIZE 0x1000u

/* What the guest asked for through the test device. */
typedef struct dev_test {
    bool done;                    /* poweroff or reboot requested */
    bool reboot;                  /* it was a reboot */
    unsigned code;                /* exit code (0 for a plain poweroff) */
    void (*notify)(void *opaque); /* called once done (stop the hart) */
    void *notify_opaque;          /* its argument */
} dev_test_t;

/* The test device's register. */
extern const vm_mmio_ops_t dev_test_ops;

/* ---- Goldfish RTC: wall-clock time in nanoseconds ---- */
#define DEV_RTC_SIZE 0x1000u

/* The RTC (reading TIME_LOW latches TIME_HIGH). */
typedef struct dev_rtc {
    uint32_t high_latch;              /* TIME_HIGH as of the last TIME_LOW read */
    uint64_t (*now_ns)(void *opaque); /* the time it reads, ns since the epoch (NULL: the
                                         host's wall clock); deterministic machines set it */
    void *now_opaque;                 /* now_ns's argument */
} dev_rtc_t;

/* The RTC's registers. */
extern const vm_mmio_ops_t dev_rtc_ops;
