/* devices.c - the small devices of the virt machine: CLINT, PLIC, ns16550a UART, SiFive test
 * device and Goldfish RTC (see dev.h). Each is a register file behind vm_mmio_ops_t; what the
 * guest writes is masked to the bits the device has, unknown offsets read as zero, and
 * interrupt outputs are recomputed after every change that can move them. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dev/dev.h"

/* ---- CLINT ---- */

#define CLINT_MSIP     0x0
#define CLINT_MTIMECMP 0x4000
#define CLINT_MTIME    0xbff8

/* Harts the CLINT serves. */
static unsigned clint_harts(const dev_clint_t *c) {
    return c->nharts ? c->nharts : 1;
}

void dev_clint_update(dev_clint_t *c, unsigned hart) {
    uint64_t cmp = __atomic_load_n(&c->mtimecmp[hart], __ATOMIC_RELAXED);
    vm_irq_set(&c->mti[hart], c->now(c->now_opaque) >= cmp);
}

uint64_t dev_clint_ticks_left(dev_clint_t *c, unsigned hart) {
    uint64_t now = c->now(c->now_opaque);
    uint64_t cmp = __atomic_load_n(&c->mtimecmp[hart], __ATOMIC_RELAXED);
    return now >= cmp ? 0 : cmp - now;
}

/* Read `size` bytes at `off` of a 64-bit register value. */
static uint64_t part(uint64_t reg, uint64_t off, unsigned size) {
    uint64_t v = reg >> (8 * (off & 7));
    return size >= 8 ? v : v & ((1ull << (8 * size)) - 1);
}

/* Write `size` bytes of `val` at `off` into a 64-bit register. */
static uint64_t merge(uint64_t reg, uint64_t off, unsigned size, uint64_t val) {
    unsigned sh = 8 * (unsigned)(off & 7);
    uint64_t mask = size >= 8 ? ~0ull : ((1ull << (8 * size)) - 1) << sh;
    return (reg & ~mask) | ((val << sh) & mask);
}

static vm_mem_err_t clint_read(void *opaque, uint64_t off, unsigned size, uint64_t *val) {
    dev_clint_t *c = opaque;
    unsigned n = clint_harts(c);
    if (off < 4ull * n)
        *val = part(c->msip[off / 4], off & 3, size);
    else if (off >= CLINT_MTIMECMP && off < CLINT_MTIMECMP + 8ull * n)
        *val = part(c->mtimecmp[(off - CLINT_MTIMECMP) / 8], off, size);
    else if (off >= CLINT_MTIME && off < CLINT_MTIME + 8)
        *val = part(c->now(c->now_opaque), off, size);
    else
        *val = 0;
    return VM_MEM_OK;
}

static vm_mem_err_t clint_write(void *opaque, uint64_t off, unsigned size, uint64_t val) {
    dev_clint_t *c = opaque;
    unsigned n = clint_harts(c);
    if (off < 4ull * n) {
        unsigned h = (unsigned)(off / 4);
        c->msip[h] = (uint32_t)merge(c->msip[h], off & 3, size, val) & 1;
        vm_irq_set(&c->msi[h], c->msip[h]);
    } else if (off >= CLINT_MTIMECMP && off < CLINT_MTIMECMP + 8ull * n) {
        unsigned h = (unsigned)((off - CLINT_MTIMECMP) / 8);
        __atomic_store_n(&c->mtimecmp[h], merge(c->mtimecmp[h], off, size, val), __ATOMIC_RELAXED);
        dev_clint_update(c, h);
    } /* mtime is read-only here: the time base is the host's clock */
    return VM_MEM_OK;
}

const vm_mmio_ops_t dev_clint_ops = {
    .name = "clint",
    .read = clint_read,
    .write = clint_write,
    .widths = VM_MEM_W4 | VM_MEM_W8,
};

/* ---- PLIC ---- */

#define PLIC_PENDING   0x1000
#define PLIC_ENABLE    0x2000
#define PLIC_CONTEXT   0x200000
#define PLIC_THRESHOLD 0
#define PLIC_CLAIM     4

/* The highest-priority source pending and enabled in context `ctx` above its threshold,
 * not claimed (0: none). */
static unsigned plic_best(const dev_plic_t *p, unsigned ctx) {
    unsigned best = 0;
    uint32_t best_prio = p->threshold[ctx];
    for (unsigned w = 0; w < DEV_PLIC_SOURCES / 32; w++) {
        uint32_t cand = p->pending[w] & p->enable[ctx][w] & ~p->claimed[w];
        while (cand) {
            unsigned s = w * 32 + (unsigned)__builtin_ctz(cand);
            cand &= cand - 1;
            if (s && p->priority[s] > best_prio) {
                best = s;
                best_prio = p->priority[s];
            }
        }
    }
    return best;
}

/* Contexts in use. */
static unsigned plic_contexts(const dev_plic_t *p) {
    return p->ncontexts ? p->ncontexts : 2;
}

static void plic_update(dev_plic_t *p) {
    for (unsigned ctx = 0; ctx < plic_contexts(p); ctx++)
        vm_irq_set(&p->out[ctx], plic_best(p, ctx) != 0);
}

void dev_plic_set(void *plic, unsigned source, bool level) {
    dev_plic_t *p = plic;
    if (source == 0 || source >= DEV_PLIC_SOURCES) return;
    uint32_t bit = 1u << (source % 32);
    if (level) {
        p->level[source / 32] |= bit;
        p->pending[source / 32] |= bit; /* level-triggered: pending while high */
    } else {
        p->level[source / 32] &= ~bit;
        if (!(p->claimed[source / 32] & bit)) p->pending[source / 32] &= ~bit;
    }
    plic_update(p);
}

static vm_mem_err_t plic_read(void *opaque, uint64_t off, unsigned size, uint64_t *val) {
    dev_plic_t *p = opaque;
    (void)size;
    *val = 0;
    if (off < 4 * DEV_PLIC_SOURCES) {
        *val = p->priority[off / 4];
    } else if (off >= PLIC_PENDING && off < PLIC_PENDING + DEV_PLIC_SOURCES / 8) {
        *val = p->pending[(off - PLIC_PENDING) / 4];
    } else if (off >= PLIC_ENABLE && off < PLIC_ENABLE + 0x80 * plic_contexts(p)) {
        unsigned ctx = (unsigned)((off - PLIC_ENABLE) / 0x80), w = (unsigned)(off & 0x7f) / 4;
        if (w < DEV_PLIC_SOURCES / 32) *val = p->enable[ctx][w];
    } else if (off >= PLIC_CONTEXT && off < PLIC_CONTEXT + 0x1000 * plic_contexts(p)) {
        unsigned ctx = (unsigned)((off - PLIC_CONTEXT) / 0x1000), reg = (unsigned)(off & 0xfff);
        if (reg == PLIC_THRESHOLD) *val = p->threshold[ctx];
        if (reg == PLIC_CLAIM) { /* claim: the best source, now in service */
            unsigned s = plic_best(p, ctx);
            if (s) {
                p->claimed[s / 32] |= 1u << (s % 32);
                p->pending[s / 32] &= ~(1u << (s % 32));
            }
            *val = s;
            plic_update(p);
        }
    }
    return VM_MEM_OK;
}

static vm_mem_err_t plic_write(void *opaque, uint64_t off, unsigned size, uint64_t val) {
    dev_plic_t *p = opaque;
    (void)size;
    if (off < 4 * DEV_PLIC_SOURCES) {
        if (off >= 4) p->priority[off / 4] = (uint32_t)val & 7;
    } else if (off >= PLIC_ENABLE && off < PLIC_ENABLE + 0x80 * plic_contexts(p)) {
        unsigned ctx = (unsigned)((off - PLIC_ENABLE) / 0x80), w = (unsigned)(off & 0x7f) / 4;
        if (w < DEV_PLIC_SOURCES / 32) p->enable[ctx][w] = (uint32_t)val & (w ? ~0u : ~1u);
    } else if (off >= PLIC_CONTEXT && off < PLIC_CONTEXT + 0x1000 * plic_contexts(p)) {
        unsigned ctx = (unsigned)((off - PLIC_CONTEXT) / 0x1000), reg = (unsigned)(off & 0xfff);
        if (reg == PLIC_THRESHOLD) p->threshold[ctx] = (uint32_t)val & 7;
        if (reg == PLIC_CLAIM && val && val < DEV_PLIC_SOURCES) { /* complete */
            unsigned s = (unsigned)val;
            uint32_t bit = 1u << (s % 32);
            p->claimed[s / 32] &= ~bit;
            if (p->level[s / 32] & bit) p->pending[s / 32] |= bit; /* still high */
        }
    } else {
        return VM_MEM_OK; /* pending bits are read-only */
    }
    plic_update(p);
    return VM_MEM_OK;
}

const vm_mmio_ops_t dev_plic_ops = {
    .name = "plic",
    .read = plic_read,
    .write = plic_write,
    .widths = VM_MEM_W4,
};

/* ---- UART ---- */

#define UART_LSR_DR   0x01
#define UART_LSR_OE   0x02
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_IER_RDI  0x01
#define UART_IER_THRI 0x02
#define UART_LCR_DLAB 0x80

static void uart_update(dev_uart_t *u) {
    bool rx = (u->ier & UART_IER_RDI) && u->rx_count;
    bool tx = (u->ier & UART_IER_THRI) && u->thre_pending;
    vm_irq_set(&u->irq, rx || tx);
}

/* One received byte: escape handling, then into the receive buffer (or dropped: overrun), or
 * to the other console when `sink` and it has room. */
static void uart_receive(dev_uart_t *u, uint8_t b, bool sink, size_t *sink_room) {
    if (u->escape) {
        if (u->esc_pending) {
            u->esc_pending = false;
            if (b != u->escape) {
                if (u->on_escape) u->on_escape(u->escape_opaque, b);
                return;
            }
        } else if (b == u->escape) {
            u->esc_pending = true;
            return;
        }
    }
    if (sink) {
        if (*sink_room) { /* else dropped: a terminal typed past the other console's room */
            u->sink_put(u->sink_opaque, b);
            (*sink_room)--;
        }
        return;
    }
    if (u->rx_count == sizeof(u->rx)) {
        u->overrun = true;
        return;
    }
    u->rx[(u->rx_head + u->rx_count) % sizeof(u->rx)] = b;
    u->rx_count++;
}

void dev_uart_poll(dev_uart_t *u) {
    /* From a terminal with an escape byte, read even when full (see dev.h); else only what
     * fits, so that piped input waits in the host. */
    bool read_through = u->escape && u->in_tty;
    int sr = u->sink_room ? u->sink_room(u->sink_opaque) : -1;
    bool sink = sr >= 0;
    size_t room = sink ? (size_t)sr : sizeof(u->rx) - u->rx_count, sink_left = room;
    if (u->in_fd >= 0 && !u->in_eof && (read_through || room > 0)) {
        uint8_t buf[64];
        if (read_through) room = sizeof(buf);
        ssize_t n = read(u->in_fd, buf, room < sizeof(buf) ? room : sizeof(buf));
        if (n == 0) u->in_eof = true;
        for (ssize_t i = 0; i < n; i++)
            uart_receive(u, buf[i], sink, &sink_left);
    }
    uart_update(u);
}

static vm_mem_err_t uart_read(void *opaque, uint64_t off, unsigned size, uint64_t *val) {
    dev_uart_t *u = opaque;
    (void)size;
    bool dlab = u->lcr & UART_LCR_DLAB;
    uint8_t v = 0;
    switch (off) {
    case 0:
        if (dlab) {
            v = u->dll;
        } else if (u->rx_count) {
            v = u->rx[u->rx_head];
            u->rx_head = (u->rx_head + 1) % sizeof(u->rx);
            u->rx_count--;
        }
        break;
    case 1: v = dlab ? u->dlm : u->ier; break;
    case 2: /* IIR: received data first, then transmitter empty (reading clears it) */
        if ((u->ier & UART_IER_RDI) && u->rx_count) {
            v = 0x04;
        } else if ((u->ier & UART_IER_THRI) && u->thre_pending) {
            v = 0x02;
            u->thre_pending = false;
        } else {
            v = 0x01;
        }
        if (u->fcr & 1) v |= 0xc0; /* FIFOs enabled */
        break;
    case 3: v = u->lcr; break;
    case 4: v = u->mcr; break;
    case 5: /* LSR; the overrun bit clears when read */
        v = UART_LSR_THRE | UART_LSR_TEMT | (u->rx_count ? UART_LSR_DR : 0) |
            (u->overrun ? UART_LSR_OE : 0);
        u->overrun = false;
        break;
    case 6: v = 0xb0; break; /* MSR: CTS, DSR, DCD */
    case 7: v = u->scr; break;
    default: break;
    }
    *val = v;
    uart_update(u);
    return VM_MEM_OK;
}

static vm_mem_err_t uart_write(void *opaque, uint64_t off, unsigned size, uint64_t val) {
    dev_uart_t *u = opaque;
    (void)size;
    bool dlab = u->lcr & UART_LCR_DLAB;
    uint8_t v = (uint8_t)val;
    switch (off) {
    case 0:
        if (dlab) {
            u->dll = v;
        } else {
            fputc(v, u->out);
            fflush(u->out);
            u->thre_pending = true; /* sent at once: the transmitter is empty again */
        }
        break;
    case 1:
        if (dlab) {
            u->dlm = v;
        } else {
            /* enabling THRI with an empty transmitter raises the interrupt */
            if ((v & UART_IER_THRI) && !(u->ier & UART_IER_THRI)) u->thre_pending = true;
            u->ier = v & 0x0f;
        }
        break;
    case 2:
        u->fcr = v;
        if (v & 2) u->rx_count = 0; /* clear the receive FIFO */
        break;
    case 3: u->lcr = v; break;
    case 4: u->mcr = v & 0x1f; break;
    case 7: u->scr = v; break;
    default: break;
    }
    uart_update(u);
    return VM_MEM_OK;
}

const vm_mmio_ops_t dev_uart_ops = {
    .name = "uart",
    .read = uart_read,
    .write = uart_write,
    .widths = VM_MEM_W1 | VM_MEM_W2 | VM_MEM_W4,
};

/* ---- SiFive test device ---- */

static vm_mem_err_t test_read(void *opaque, uint64_t off, unsigned size, uint64_t *val) {
    (void)opaque;
    (void)off;
    (void)size;
    *val = 0;
    return VM_MEM_OK;
}

static vm_mem_err_t test_write(void *opaque, uint64_t off, unsigned size, uint64_t val) {
    dev_test_t *t = opaque;
    (void)size;
    if (off != 0 || t->done) return VM_MEM_OK;
    switch (val & 0xffff) {
    case 0x5555: t->code = 0; break;                              /* pass */
    case 0x3333: t->code = (unsigned)(val >> 16) & 0xffff; break; /* fail, code */
    case 0x7777: t->reboot = true; break;                         /* reset */
    default: return VM_MEM_OK;
    }
    t->done = true;
    if (t->notify) t->notify(t->notify_opaque);
    return VM_MEM_OK;
}

const vm_mmio_ops_t dev_test_ops = {
    .name = "sifive-test",
    .read = test_read,
    .write = test_write,
    .widths = VM_MEM_W4,
};

/* ---- Goldfish RTC ---- */

static vm_mem_err_t rtc_read(void *opaque, uint64_t off, unsigned size, uint64_t *val) {
    dev_rtc_t *r = opaque;
    (void)size;
    *val = 0;
    if (off == 0) { /* TIME_LOW: nanoseconds since the epoch; latches TIME_HIGH */
        uint64_t ns;
        if (r->now_ns) {
            ns = r->now_ns(r->now_opaque);
        } else {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
        }
        r->high_latch = (uint32_t)(ns >> 32);
        *val = (uint32_t)ns;
    } else if (off == 4) {
        *val = r->high_latch;
    }
    return VM_MEM_OK;
}

static vm_mem_err_t rtc_write(void *opaque, uint64_t off, unsigned size, uint64_t val) {
    (void)opaque;
    (void)off;
    (void)size;
    (void)val; /* the alarm is not modelled: the guest's clock comes from TIME_LOW/HIGH */
    return VM_MEM_OK;
}

const vm_mmio_ops_t dev_rtc_ops = {
    .name = "goldfish-rtc",
    .read = rtc_read,
    .write = rtc_write,
    .widths = VM_MEM_W4,
};
