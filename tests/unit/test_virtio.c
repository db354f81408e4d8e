/* test_virtio.c - the virtio-mmio transport and its split virtqueues (src/dev/virtio.c), the
 * rng and the block device, driven as a guest driver drives them: registers through the MMIO
 * callbacks, descriptor chains and rings written by hand into a buffer standing for guest
 * RAM. Covers negotiation, wrap-around of the 16-bit ring indexes, indirect tables, event-index
 * and flag interrupt suppression, every class of malformed chain (each must end in
 * DEVICE_NEEDS_RESET with a configuration interrupt, and nothing outside RAM touched), and the
 * block requests on a temporary image file (read-only, snapshot, discard, errors; served at
 * the notify or by the I/O thread, with the same results, and the fallback from one to the
 * other when the host's page cache does not hold the data), and the
 * network card's transmit and receive paths with a capturing backend (header handling,
 * frames waiting for buffers, buffers too small, the list's limit, broken rings), and the
 * console's output, input (kept bytes, split buffers, reset) and its routing through the
 * UART's input with the escape. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "dev/dev.h"
#include "dev/virtio.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (1u << 20)
#define QN       8u /* queue size used by the tests */
/* ring layout inside RAM */
#define DESC  (RAM_BASE + 0x1000)
#define AVAIL (RAM_BASE + 0x2000)
#define USED  (RAM_BASE + 0x3000)
#define DATA  (RAM_BASE + 0x10000)

static uint8_t *ram;       /* RAM_SIZE bytes plus a guard canary after */
static bool irq_level;     /* the device's line */
static unsigned irq_rises; /* low -> high transitions */

static void irq_set(void *opaque, unsigned line, bool level) {
    (void)opaque;
    (void)line;
    if (level && !irq_level) irq_rises++;
    irq_level = level;
}

static uint8_t *g(uint64_t gpa) {
    return ram + (gpa - RAM_BASE);
}
static void w16(uint64_t gpa, uint16_t v) {
    memcpy(g(gpa), &v, 2);
}
static void w32(uint64_t gpa, uint32_t v) {
    memcpy(g(gpa), &v, 4);
}
static void w64(uint64_t gpa, uint64_t v) {
    memcpy(g(gpa), &v, 8);
}
static uint16_t r16(uint64_t gpa) {
    uint16_t v;
    memcpy(&v, g(gpa), 2);
    return v;
}
static uint32_t r32(uint64_t gpa) {
    uint32_t v;
    memcpy(&v, g(gpa), 4);
    return v;
}

static uint32_t reg_rd(virtio_dev_t *d, uint64_t off) {
    uint64_t v;
    assert_int_equal(virtio_mmio_ops.read(d, off, 4, &v), VM_MEM_OK);
    return (uint32_t)v;
}
static void reg_wr(virtio_dev_t *d, uint64_t off, uint32_t v) {
    assert_int_equal(virtio_mmio_ops.write(d, off, 4, v), VM_MEM_OK);
}

/* A descriptor in a table at `table`. */
static void desc(uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
                 uint16_t next) {
    uint64_t e = table + 16ull * i;
    w64(e, addr);
    w32(e + 8, len);
    w16(e + 12, flags);
    w16(e + 14, next);
}

/* Make chain `head` available on queue q (rings at av; the entry at the current avail.idx)
 * and notify. */
static void offer_q(virtio_dev_t *d, unsigned q, uint64_t av, uint16_t head) {
    uint16_t idx = r16(av + 2);
    w16(av + 4 + 2 * (idx % QN), head);
    w16(av + 2, (uint16_t)(idx + 1));
    reg_wr(d, 0x50, q);
}

/* The same on queue 0, whose rings are at DESC/AVAIL/USED. */
static void offer(virtio_dev_t *d, uint16_t head) {
    offer_q(d, 0, AVAIL, head);
}

static void board(virtio_dev_t *d) {
    memset(d, 0, sizeof(*d));
    d->ram = ram;
    d->ram_base = RAM_BASE;
    d->ram_size = RAM_SIZE;
    d->irq = (vm_irq_t){irq_set, NULL, 1};
}

/* Negotiate all offered features but those in `drop`, up to FEATURES_OK. */
static void negotiate(virtio_dev_t *d, uint64_t drop) {
    reg_wr(d, 0x70, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    uint64_t f = d->host_features & ~drop;
    reg_wr(d, 0x24, 0);
    reg_wr(d, 0x20, (uint32_t)f);
    reg_wr(d, 0x24, 1);
    reg_wr(d, 0x20, (uint32_t)(f >> 32));
    reg_wr(d, 0x70, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    assert_true(reg_rd(d, 0x70) & VIRTIO_STATUS_FEATURES_OK);
}

/* Set up queue q with QN entries and its rings at dt/av/us, and enable it. */
static void queue_setup(virtio_dev_t *d, unsigned q, uint64_t dt, uint64_t av, uint64_t us) {
    reg_wr(d, 0x30, q);
    assert_int_equal(reg_rd(d, 0x34), VIRTIO_QUEUE_MAX);
    reg_wr(d, 0x38, QN);
    reg_wr(d, 0x80, (uint32_t)dt);
    reg_wr(d, 0x84, (uint32_t)(dt >> 32));
    reg_wr(d, 0x90, (uint32_t)av);
    reg_wr(d, 0x94, (uint32_t)(av >> 32));
    reg_wr(d, 0xa0, (uint32_t)us);
    reg_wr(d, 0xa4, (uint32_t)(us >> 32));
    reg_wr(d, 0x44, 1);
    assert_int_equal(reg_rd(d, 0x44), 1);
}

/* Set DRIVER_OK: the driver is running. */
static void driver_ok(virtio_dev_t *d) {
    reg_wr(d, 0x70,
           VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
               VIRTIO_STATUS_DRIVER_OK);
    assert_int_equal(reg_rd(d, 0x70) & VIRTIO_STATUS_DRIVER_OK, VIRTIO_STATUS_DRIVER_OK);
}

/* Reset, negotiate (all offered features but those in `drop`), set up queue 0 with QN
 * entries and start the driver. */
static void bring_up(virtio_dev_t *d, uint64_t drop) {
    reg_wr(d, 0x70, 0);
    negotiate(d, drop);
    queue_setup(d, 0, DESC, AVAIL, USED);
    driver_ok(d);
}

static int setup(void **state) {
    (void)state;
    ram = calloc(1, RAM_SIZE + 4096);
    memset(ram + RAM_SIZE, 0xa5, 4096);
    irq_level = false;
    irq_rises = 0;
    return ram ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    for (unsigned i = 0; i < 4096; i++)
        assert_int_equal(ram[RAM_SIZE + i], 0xa5); /* nothing written past RAM */
    free(ram);
    return 0;
}

static void assert_needs_reset(virtio_dev_t *d) {
    assert_true(reg_rd(d, 0x70) & VIRTIO_STATUS_NEEDS_RESET);
    assert_true(reg_rd(d, 0x60) & VIRTIO_INT_CONFIG);
    assert_true(irq_level);
}

static void test_registers(void **state) {
    (void)state;
    virtio_dev_t d;
    board(&d);
    virtio_rng_setup(&d);
    assert_int_equal(reg_rd(&d, 0x00), 0x74726976);
    assert_int_equal(reg_rd(&d, 0x04), 2);
    assert_int_equal(reg_rd(&d, 0x08), VIRTIO_ID_RNG);
    reg_wr(&d, 0x14, 1);
    assert_int_equal(reg_rd(&d, 0x10), 1); /* VERSION_1 is bit 32 */
    reg_wr(&d, 0x14, 0);
    uint32_t lo = reg_rd(&d, 0x10);
    assert_true(lo & (1u << VIRTIO_F_INDIRECT_DESC));
    assert_true(lo & (1u << VIRTIO_F_EVENT_IDX));
    /* a legacy driver (no VERSION_1) does not get FEATURES_OK */
    reg_wr(&d, 0x70, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    reg_wr(&d, 0x24, 0);
    reg_wr(&d, 0x20, lo);
    reg_wr(&d, 0x70, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    assert_int_equal(reg_rd(&d, 0x70) & VIRTIO_STATUS_FEATURES_OK, 0);
    /* features not offered are refused too */
    reg_wr(&d, 0x70, 0);
    reg_wr(&d, 0x70, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    reg_wr(&d, 0x24, 1);
    reg_wr(&d, 0x20, 1);
    reg_wr(&d, 0x24, 0);
    reg_wr(&d, 0x20, 1u << 5);
    reg_wr(&d, 0x70, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    assert_int_equal(reg_rd(&d, 0x70) & VIRTIO_STATUS_FEATURES_OK, 0);
    /* a queue size that is not a power of two, or too large */
    reg_wr(&d, 0x70, 0);
    reg_wr(&d, 0x38, 6);
    assert_true(reg_rd(&d, 0x70) & VIRTIO_STATUS_NEEDS_RESET);
    reg_wr(&d, 0x70, 0);
    assert_int_equal(reg_rd(&d, 0x70), 0);
    reg_wr(&d, 0x38, 512);
    assert_true(reg_rd(&d, 0x70) & VIRTIO_STATUS_NEEDS_RESET);
    /* rings outside RAM are refused at QueueReady */
    reg_wr(&d, 0x70, 0);
    reg_wr(&d, 0x38, QN);
    reg_wr(&d, 0x80, (uint32_t)(RAM_BASE + RAM_SIZE - 64));
    reg_wr(&d, 0x84, 0);
    reg_wr(&d, 0x90, (uint32_t)AVAIL);
    reg_wr(&d, 0xa0, (uint32_t)USED);
    reg_wr(&d, 0x44, 1);
    assert_int_equal(reg_rd(&d, 0x44), 0);
    assert_true(reg_rd(&d, 0x70) & VIRTIO_STATUS_NEEDS_RESET);
    /* unknown offsets and odd widths read as zero */
    assert_int_equal(reg_rd(&d, 0x3f0 & ~3u), 0);
    uint64_t v = 1;
    assert_int_equal(virtio_mmio_ops.read(&d, 0x00, 2, &v), VM_MEM_OK);
    assert_int_equal(v, 0);
}

static void test_rng_direct(void **state) {
    (void)state;
    virtio_dev_t d;
    board(&d);
    virtio_rng_setup(&d);
    bring_up(&d, 0);
    desc(DESC, 3, DATA, 100, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 5);
    desc(DESC, 5, DATA + 100, 28, VIRTQ_DESC_F_WRITE, 0);
    w16(AVAIL + 4 + 2 * QN, 0); /* used_event 0: interrupt on the first */
    offer(&d, 3);
    assert_int_equal(r16(USED + 2), 1);
    assert_int_equal(r32(USED + 4), 3);
    assert_int_equal(r32(USED + 8), 128);
    unsigned nz = 0;
    for (unsigned i = 0; i < 128; i++)
        nz += g(DATA)[i] != 0;
    assert_true(nz > 64);
    assert_true(irq_level);
    assert_int_equal(reg_rd(&d, 0x60), VIRTIO_INT_VRING);
    reg_wr(&d, 0x64, VIRTIO_INT_VRING);
    assert_false(irq_level);
    assert_int_equal(r16(USED + 4 + 8 * QN), 1); /* avail_event */
}

static void test_wraparound(void **state) {
    (void)state;
    virtio_dev_t d;
    board(&d);
    virtio_rng_setup(&d);
    bring_up(&d, 1ull << VIRTIO_F_EVENT_IDX);
    /* both sides just below 2^16 */
    d.q[0].last_avail = d.q[0].used_idx = d.q[0].signalled_used = 65534;
    w16(AVAIL + 2, 65534);
    w16(USED + 2, 65534);
    for (unsigned k = 0; k < 4; k++) {
        desc(DESC, k, DATA + 16 * k, 16, VIRTQ_DESC_F_WRITE, 0);
        offer(&d, (uint16_t)k);
    }
    assert_int_equal(r16(AVAIL + 2), 2);
    assert_int_equal(r16(USED + 2), 2);
    /* entries 65534 % 8 = 6, 7, then 0, 1 */
    assert_int_equal(r32(USED + 4 + 8 * 6), 0);
    assert_int_equal(r32(USED + 4 + 8 * 7), 1);
    assert_int_equal(r32(USED + 4 + 8 * 0), 2);
    assert_int_equal(r32(USED + 4 + 8 * 1), 3);
    assert_int_equal(r32(USED + 4 + 8 * 1 + 4), 16);
    assert_int_equal(irq_rises, 1); /* the line stayed high: the driver never acked */
    assert_false(reg_rd(&d, 0x70) & VIRTIO_STATUS_NEEDS_RESET);
}

static void test_indirect(void **state) {
    (void)state;
    virtio_dev_t d;
    board(&d);
    virtio_rng_setup(&d);
    bring_up(&d, 0);
    uint64_t table = RAM_BASE + 0x5000;
    desc(table, 0, DATA, 10, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
    desc(table, 2, DATA + 10, 20, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
    desc(table, 1, DATA + 30, 30, VIRTQ_DESC_F_WRITE, 0);
    desc(DESC, 0, table, 3 * 16, VIRTQ_DESC_F_INDIRECT, 0);
    offer(&d, 0);
    assert_int_equal(r16(USED + 2), 1);
    assert_int_equal(r32(USED + 8), 60);
    assert_int_equal(d.chain.n, 3);
    assert_int_equal(d.chain.seg[2].gpa, DATA + 30);
    assert_false(reg_rd(&d, 0x70) & VIRTIO_STATUS_NEEDS_RESET);
    /* without INDIRECT_DESC negotiated the same chain is an error */
    bring_up(&d, 1ull << VIRTIO_F_INDIRECT_DESC);
    offer(&d, 0);
    assert_needs_reset(&d);
}

static void test_event_idx(void **state) {
    (void)state;
    virtio_dev_t d;
    board(&d);
    virtio_rng_setup(&d);
    bring_up(&d, 0);
    for (unsigned k = 0; k < 4; k++)
        desc(DESC, k, DATA + 16 * k, 16, VIRTQ_DESC_F_WRITE, 0);
    w16(AVAIL + 4 + 2 * QN, 2); /* used_event: interrupt when used.idx passes 2 */
    offer(&d, 0);
    offer(&d, 1);
    assert_int_equal(r16(USED + 2), 2);
    assert_false(irq_level);
    offer(&d, 2); /* used.idx 2 -> 3 crosses used_event 2 */
    assert_true(irq_level);
    reg_wr(&d, 0x64, 1);
    offer(&d, 3); /* used_event is behind: no interrupt */
    assert_false(irq_level);
    assert_int_equal(r16(USED + 4 + 8 * QN), 4); /* avail_event follows the device */
    /* without event index, avail.flags NO_INTERRUPT suppresses */
    bring_up(&d, 1ull << VIRTIO_F_EVENT_IDX);
    w16(AVAIL, 1);
    w16(AVAIL + 2, 0);
    offer(&d, 0);
    assert_int_equal(r16(USED + 2), 1);
    assert_false(irq_level);
    w16(AVAIL, 0);
    offer(&d, 1);
    assert_true(irq_level);
}

/* One malformed chain case: set descriptors with `make`, offer head, expect NEEDS_RESET. */
static void malformed(void (*make)(void), uint16_t head) {
    virtio_dev_t d;
    board(&d);
    virtio_rng_setup(&d);
    irq_level = false;
    memset(g(DESC), 0, 16 * QN);
    memset(g(AVAIL), 0, 64);
    memset(g(USED), 0, 128);
    bring_up(&d, 0);
    make();
    offer(&d, head);
    assert_needs_reset(&d);
    assert_int_equal(r16(USED + 2), 0);
    /* notifications are ignored until a reset; then the device works again */
    desc(DESC, 0, DATA, 8, VIRTQ_DESC_F_WRITE, 0);
    offer(&d, 0);
    assert_int_equal(r16(USED + 2), 0);
    memset(g(AVAIL), 0, 64);
    memset(g(USED), 0, 128);
    bring_up(&d, 0);
    assert_int_equal(reg_rd(&d, 0x70) & VIRTIO_STATUS_NEEDS_RESET, 0);
    offer(&d, 0);
    assert_int_equal(r16(USED + 2), 1);
}

static void mk_out_of_ram(void) {
    desc(DESC, 0, RAM_BASE + RAM_SIZE - 8, 16, VIRTQ_DESC_F_WRITE, 0);
}
static void mk_below_ram(void) {
    desc(DESC, 0, RAM_BASE - 8, 16, VIRTQ_DESC_F_WRITE, 0);
}
static void mk_wrapping(void) {
    desc(DESC, 0, UINT64_MAX - 4, 16, VIRTQ_DESC_F_WRITE, 0);
}
static void mk_loop(void) {
    desc(DESC, 0, DATA, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
    desc(DESC, 1, DATA + 8, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 0);
}
static void mk_indirect_loop(void) {
    uint64_t t = RAM_BASE + 0x5000;
    for (unsigned i = 0; i < QN; i++)
        desc(t, i, DATA, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, (uint16_t)((i + 1) % QN));
    desc(DESC, 0, t, 16 * QN, VIRTQ_DESC_F_INDIRECT, 0);
}
static void mk_next_out(void) {
    desc(DESC, 0, DATA, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, QN);
}
static void mk_zero_len(void) {
    desc(DESC, 0, DATA, 0, VIRTQ_DESC_F_WRITE, 0);
}
static void mk_read_after_write(void) {
    desc(DESC, 0, DATA, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
    desc(DESC, 1, DATA + 8, 8, 0, 0);
}
static void mk_indirect_in_indirect(void) {
    uint64_t t = RAM_BASE + 0x5000, t2 = RAM_BASE + 0x6000;
    desc(t2, 0, DATA, 8, VIRTQ_DESC_F_WRITE, 0);
    desc(t, 0, t2, 16, VIRTQ_DESC_F_INDIRECT, 0);
    desc(DESC, 0, t, 16, VIRTQ_DESC_F_INDIRECT, 0);
}
static void mk_indirect_next(void) {
    uint64_t t = RAM_BASE + 0x5000;
    desc(t, 0, DATA, 8, VIRTQ_DESC_F_WRITE, 0);
    desc(DESC, 0, t, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
}
static void mk_indirect_bad_len(void) {
    desc(DESC, 0, RAM_BASE + 0x5000, 24, VIRTQ_DESC_F_INDIRECT, 0);
}
static void mk_indirect_too_big(void) {
    desc(DESC, 0, RAM_BASE + 0x5000, 16 * (QN + 1), VIRTQ_DESC_F_INDIRECT, 0);
}
static void mk_indirect_out_of_ram(void) {
    desc(DESC, 0, RAM_BASE + RAM_SIZE - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
}
static void mk_head_out(void) {
    desc(DESC, 0, DATA, 8, VIRTQ_DESC_F_WRITE, 0);
}
static void mk_idx_ahead(void) {
    desc(DESC, 0, DATA, 8, VIRTQ_DESC_F_WRITE, 0);
    w16(AVAIL + 2, QN + 5); /* offer() adds one more */
}

static void test_malformed(void **state) {
    (void)state;
    malformed(mk_out_of_ram, 0);
    malformed(mk_below_ram, 0);
    malformed(mk_wrapping, 0);
    malformed(mk_loop, 0);
    malformed(mk_indirect_loop, 0);
    malformed(mk_next_out, 0);
    malformed(mk_zero_len, 0);
    malformed(mk_read_after_write, 0);
    malformed(mk_indirect_in_indirect, 0);
    malformed(mk_indirect_next, 0);
    malformed(mk_indirect_bad_len, 0);
    malformed(mk_indirect_too_big, 0);
    malformed(mk_indirect_out_of_ram, 0);
    malformed(mk_head_out, QN);
    malformed(mk_idx_ahead, 0);
}

/* ---- virtio-net ---- */

/* the transmit queue's rings (the receive queue uses DESC, AVAIL, USED) */
#define TDESC  (RAM_BASE + 0x4000)
#define TAVAIL (RAM_BASE + 0x5000)
#define TUSED  (RAM_BASE + 0x6000)

static uint8_t tx_seen[2048]; /* the last frame the card transmitted */
static size_t tx_seen_len;
static unsigned tx_calls;

static void net_tx_capture(void *opaque, const uint8_t *frame, size_t len) {
    (void)opaque;
    tx_calls++;
    tx_seen_len = len;
    memcpy(tx_seen, frame, len < sizeof(tx_seen) ? len : sizeof(tx_seen));
}

/* A card with both queues up (event index negotiated), the driver running. */
static virtio_net_t *net_open(bool running) {
    virtio_net_t *n = calloc(1, sizeof(*n));
    board(&n->dev);
    static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0xab, 0xcd, 0xef};
    char err[256];
    tx_calls = 0;
    tx_seen_len = 0;
    assert_int_equal(virtio_net_open(n, mac, net_tx_capture, NULL, err, sizeof(err)), 0);
    virtio_dev_t *d = &n->dev;
    negotiate(d, 0);
    queue_setup(d, 0, DESC, AVAIL, USED);
    queue_setup(d, 1, TDESC, TAVAIL, TUSED);
    if (running) driver_ok(d);
    return n;
}

static void net_close(virtio_net_t *n) {
    virtio_net_close(n);
    free(n);
}

/* A test frame of len bytes: byte i is (i * 13 + seed). */
static void frame_fill(uint8_t *f, size_t len, uint8_t seed) {
    for (size_t i = 0; i < len; i++)
        f[i] = (uint8_t)(i * 13 + seed);
}

static void test_net_config(void **state) {
    (void)state;
    virtio_net_t *n = net_open(false);
    virtio_dev_t *d = &n->dev;
    assert_int_equal(reg_rd(d, 0x08), VIRTIO_ID_NET);
    reg_wr(d, 0x14, 0);
    uint32_t f = reg_rd(d, 0x10);
    assert_true(f & (1u << 5));  /* MAC */
    assert_true(f & (1u << 16)); /* STATUS */
    /* no offloads: CSUM, GUEST_CSUM, GUEST_TSO4/6, GUEST_UFO, HOST_TSO4/6, HOST_UFO, MRG_RXBUF */
    assert_int_equal(f & ((1u << 0) | (1u << 1) | (0x1ffu << 7) | (1u << 15)), 0);
    assert_int_equal(reg_rd(d, 0x100), 0xab005452u); /* mac[0..3] */
    uint64_t v;
    assert_int_equal(virtio_mmio_ops.read(d, 0x104, 2, &v), VM_MEM_OK);
    assert_int_equal(v, 0xefcd); /* mac[4..5] */
    assert_int_equal(virtio_mmio_ops.read(d, 0x106, 2, &v), VM_MEM_OK);
    assert_int_equal(v, 1); /* status: link up */
    net_close(n);
}

static void test_net_tx(void **state) {
    (void)state;
    virtio_net_t *n = net_open(true);
    virtio_dev_t *d = &n->dev;
    /* header and frame split across descriptors at odd places */
    uint8_t fr[100];
    frame_fill(fr, sizeof(fr), 3);
    memset(g(DATA), 0x77, VIRTIO_NET_HDR_LEN);
    memcpy(g(DATA + VIRTIO_NET_HDR_LEN), fr, sizeof(fr));
    desc(TDESC, 2, DATA, 5, VIRTQ_DESC_F_NEXT, 4);
    desc(TDESC, 4, DATA + 5, 40, VIRTQ_DESC_F_NEXT, 6);
    desc(TDESC, 6, DATA + 45, VIRTIO_NET_HDR_LEN + sizeof(fr) - 45, 0, 0);
    offer_q(d, 1, TAVAIL, 2);
    assert_int_equal(tx_calls, 1);
    assert_int_equal(tx_seen_len, sizeof(fr));
    assert_memory_equal(tx_seen, fr, sizeof(fr));
    assert_int_equal(r16(TUSED + 2), 1);
    assert_int_equal(r32(TUSED + 4), 2);
    assert_int_equal(r32(TUSED + 8), 0);
    /* a chain holding only part of a header is returned without sending */
    desc(TDESC, 1, DATA, 10, 0, 0);
    offer_q(d, 1, TAVAIL, 1);
    assert_int_equal(tx_calls, 1);
    assert_int_equal(n->tx_dropped, 1);
    assert_int_equal(r16(TUSED + 2), 2);
    assert_false(reg_rd(d, 0x70) & VIRTIO_STATUS_NEEDS_RESET);
    assert_int_equal(n->tx_frames, 1);
    net_close(n);
}

static void test_net_rx(void **state) {
    (void)state;
    virtio_net_t *n = net_open(true);
    virtio_dev_t *d = &n->dev;
    uint8_t f1[60], f2[1514];
    frame_fill(f1, sizeof(f1), 1);
    frame_fill(f2, sizeof(f2), 2);
    /* a frame before any buffer waits */
    assert_int_equal(virtio_net_receive(n, f1, sizeof(f1)), 0);
    virtio_net_poll(n);
    assert_int_equal(r16(USED + 2), 0);
    assert_int_equal(n->rx_count, 1);
    /* a buffer split in two; the driver's notify delivers the waiting frame */
    memset(g(DATA), 0xcc, 4096);
    desc(DESC, 0, DATA, 7, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
    desc(DESC, 1, DATA + 7, 1600, VIRTQ_DESC_F_WRITE, 0);
    offer_q(d, 0, AVAIL, 0);
    assert_int_equal(r16(USED + 2), 1);
    assert_int_equal(r32(USED + 4), 0);
    assert_int_equal(r32(USED + 8), VIRTIO_NET_HDR_LEN + sizeof(f1));
    static const uint8_t hdr[VIRTIO_NET_HDR_LEN] = {[10] = 1}; /* num_buffers 1 */
    assert_memory_equal(g(DATA), hdr, sizeof(hdr));
    assert_memory_equal(g(DATA + VIRTIO_NET_HDR_LEN), f1, sizeof(f1));
    assert_int_equal(g(DATA + VIRTIO_NET_HDR_LEN + sizeof(f1))[0], 0xcc);
    assert_true(irq_level);
    reg_wr(d, 0x64, VIRTIO_INT_VRING);
    /* a buffer first, then a full-size frame from the backend: poll delivers it */
    desc(DESC, 3, DATA + 0x2000, 1600, VIRTQ_DESC_F_WRITE, 0);
    offer_q(d, 0, AVAIL, 3);
    assert_int_equal(r16(USED + 2), 1);
    assert_int_equal(virtio_net_receive(n, f2, sizeof(f2)), 0);
    assert_int_equal(n->rx_kick, 1);
    virtio_net_poll(n);
    assert_int_equal(n->rx_kick, 0);
    assert_int_equal(r16(USED + 2), 2);
    assert_int_equal(r32(USED + 4 + 8), 3);
    assert_int_equal(r32(USED + 8 + 8), VIRTIO_NET_HDR_LEN + sizeof(f2));
    assert_memory_equal(g(DATA + 0x2000 + VIRTIO_NET_HDR_LEN), f2, sizeof(f2));
    /* a buffer too small for the frame: the frame is dropped, the buffer comes back empty */
    desc(DESC, 4, DATA + 0x3000, 100, VIRTQ_DESC_F_WRITE, 0);
    offer_q(d, 0, AVAIL, 4);
    assert_int_equal(virtio_net_receive(n, f2, sizeof(f2)), 0);
    virtio_net_poll(n);
    assert_int_equal(r16(USED + 2), 3);
    assert_int_equal(r32(USED + 8 + 16), 0);
    assert_int_equal(n->rx_dropped, 1);
    assert_int_equal(n->rx_frames, 2);
    /* empty and oversized frames are refused */
    assert_int_equal(virtio_net_receive(n, f1, 0), -ENOBUFS);
    uint8_t *big = calloc(1, VIRTIO_NET_FRAME_MAX + 1);
    assert_int_equal(virtio_net_receive(n, big, VIRTIO_NET_FRAME_MAX + 1), -ENOBUFS);
    free(big);
    assert_false(reg_rd(d, 0x70) & VIRTIO_STATUS_NEEDS_RESET);
    net_close(n);
}

static void test_net_rx_limits(void **state) {
    (void)state;
    /* before DRIVER_OK, frames are dropped at delivery */
    virtio_net_t *n = net_open(false);
    uint8_t f[64];
    frame_fill(f, sizeof(f), 9);
    assert_int_equal(virtio_net_receive(n, f, sizeof(f)), 0);
    virtio_net_poll(n);
    assert_int_equal(n->rx_count, 0);
    assert_int_equal(n->rx_dropped, 1);
    net_close(n);
    /* the list holds at most VIRTIO_NET_RXQ_MAX frames while the guest gives no buffers */
    n = net_open(true);
    for (unsigned i = 0; i < VIRTIO_NET_RXQ_MAX; i++)
        assert_int_equal(virtio_net_receive(n, f, sizeof(f)), 0);
    assert_int_equal(virtio_net_receive(n, f, sizeof(f)), -ENOBUFS);
    assert_int_equal(n->rx_count, VIRTIO_NET_RXQ_MAX);
    /* a driver reset drops them */
    reg_wr(&n->dev, 0x70, 0);
    assert_int_equal(n->rx_count, 0);
    net_close(n);
}

static void test_net_malformed(void **state) {
    (void)state;
    virtio_net_t *n = net_open(true);
    virtio_dev_t *d = &n->dev;
    uint8_t f[64];
    frame_fill(f, sizeof(f), 5);
    /* a receive buffer reaching past RAM */
    desc(DESC, 0, RAM_BASE + RAM_SIZE - 8, 64, VIRTQ_DESC_F_WRITE, 0);
    assert_int_equal(virtio_net_receive(n, f, sizeof(f)), 0);
    offer_q(d, 0, AVAIL, 0);
    assert_needs_reset(d);
    assert_int_equal(r16(USED + 2), 0);
    /* the device stays quiet: more frames and notifies touch nothing */
    assert_int_equal(virtio_net_receive(n, f, sizeof(f)), 0);
    virtio_net_poll(n);
    desc(TDESC, 0, DATA, 80, 0, 0);
    offer_q(d, 1, TAVAIL, 0);
    assert_int_equal(tx_calls, 0);
    assert_int_equal(r16(TUSED + 2), 0);
    net_close(n);
    /* a transmit chain looping on itself */
    n = net_open(true);
    d = &n->dev;
    desc(TDESC, 0, DATA, 80, VIRTQ_DESC_F_NEXT, 1);
    desc(TDESC, 1, DATA, 80, VIRTQ_DESC_F_NEXT, 0);
    w16(TAVAIL + 2, 0);
    offer_q(d, 1, TAVAIL, 0);
    assert_needs_reset(d);
    assert_int_equal(tx_calls, 0);
    net_close(n);
}

/* ---- virtio-blk ---- */

static char img_path[64];

/* A 64 KiB image whose byte i is (i * 7) & 0xff. */
static virtio_blk_t *blk_open(bool ro, bool snap) {
    strcpy(img_path, "/tmp/test_virtio_XXXXXX");
    int fd = mkstemp(img_path);
    assert_true(fd >= 0);
    uint8_t buf[65536];
    for (unsigned i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 7);
    assert_int_equal(write(fd, buf, sizeof(buf)), sizeof(buf));
    close(fd);
    virtio_blk_t *b = calloc(1, sizeof(*b));
    board(&b->dev);
    char err[256];
    assert_int_equal(virtio_blk_open(b, img_path, ro, snap, err, sizeof(err)), 0);
    memset(g(DESC), 0, 16 * QN);
    memset(g(AVAIL), 0, 64);
    memset(g(USED), 0, 128);
    bring_up(&b->dev, 0);
    return b;
}

static void blk_close(virtio_blk_t *b) {
    virtio_blk_close(b);
    unlink(img_path);
    free(b);
}

/* Issue one request: header {type, 0, sector}, data of `len` bytes at DATA (device-writable
 * when `in`), status at DATA - 1. Returns the status byte; *used_len gets the used length. */
static uint8_t blk_req(virtio_blk_t *b, uint32_t type, uint64_t sector, uint32_t len, bool in,
                       uint32_t *used_len) {
    uint64_t hdr = RAM_BASE + 0x8000, st = RAM_BASE + 0x8100;
    w32(hdr, type);
    w32(hdr + 4, 0);
    w64(hdr + 8, sector);
    g(st)[0] = 0xee;
    unsigned n = 0;
    desc(DESC, n, hdr, 16, VIRTQ_DESC_F_NEXT, (uint16_t)(n + 1));
    n++;
    if (len) {
        desc(DESC, n, DATA, len, (uint16_t)((in ? VIRTQ_DESC_F_WRITE : 0) | VIRTQ_DESC_F_NEXT),
             (uint16_t)(n + 1));
        n++;
    }
    desc(DESC, n, st, 1, VIRTQ_DESC_F_WRITE, 0);
    uint16_t before = r16(USED + 2);
    offer(&b->dev, 0);
    virtio_blk_drain(b); /* the I/O thread served it; the used ring gets it here */
    assert_int_equal(r16(USED + 2), (uint16_t)(before + 1));
    if (used_len) *used_len = r32(USED + 4 + 8 * (before % QN) + 4);
    return g(st)[0];
}

static uint8_t file_byte(off_t off) {
    int fd = open(img_path, O_RDONLY);
    uint8_t v = 0;
    assert_int_equal(pread(fd, &v, 1, off), 1);
    close(fd);
    return v;
}

static void test_blk_rw(void **state) {
    (void)state;
    virtio_blk_t *b = blk_open(false, false);
    assert_int_equal(reg_rd(&b->dev, 0x100), 128); /* capacity in sectors */
    assert_int_equal(reg_rd(&b->dev, 0x100 + 20), 512);
    uint32_t ul;
    assert_int_equal(blk_req(b, 0, 2, 1024, true, &ul), 0);
    assert_int_equal(ul, 1025);
    for (unsigned i = 0; i < 1024; i++)
        assert_int_equal(g(DATA)[i], (uint8_t)((1024 + i) * 7));
    memset(g(DATA), 0x5a, 512);
    assert_int_equal(blk_req(b, 1, 5, 512, false, &ul), 0);
    assert_int_equal(ul, 1);
    assert_int_equal(file_byte(5 * 512), 0x5a);
    assert_int_equal(file_byte(6 * 512), (uint8_t)(6 * 512 * 7));
    assert_int_equal(blk_req(b, 4, 0, 0, false, NULL), 0); /* flush */
    /* beyond the capacity, partial sectors, unknown types */
    assert_int_equal(blk_req(b, 0, 127, 1024, true, NULL), 1);
    assert_int_equal(blk_req(b, 0, UINT64_MAX, 512, true, NULL), 1);
    assert_int_equal(blk_req(b, 1, 0, 100, false, NULL), 1);
    assert_int_equal(blk_req(b, 77, 0, 0, false, NULL), 2);
    /* GET_ID */
    assert_int_equal(blk_req(b, 8, 0, 20, true, &ul), 0);
    assert_int_equal(ul, 21);
    assert_memory_equal(g(DATA), "vm-", 3);
    /* DISCARD of sectors 8..15 reads back as zeros */
    uint64_t seg = DATA;
    w64(seg, 8);
    w32(seg + 8, 8);
    w32(seg + 12, 0);
    assert_int_equal(blk_req(b, 11, 0, 16, false, NULL), 0);
    assert_int_equal(blk_req(b, 0, 8, 4096, true, NULL), 0);
    unsigned nz = 0;
    for (unsigned i = 0; i < 4096; i++)
        nz += g(DATA)[i] != 0;
    assert_int_equal(nz, 0);
    w64(seg, 120);
    w32(seg + 8, 16); /* past the end */
    assert_int_equal(blk_req(b, 11, 0, 16, false, NULL), 1);
    assert_false(reg_rd(&b->dev, 0x70) & VIRTIO_STATUS_NEEDS_RESET);
    blk_close(b);
}

static void test_blk_readonly(void **state) {
    (void)state;
    virtio_blk_t *b = blk_open(true, false);
    reg_wr(&b->dev, 0x14, 0);
    assert_true(reg_rd(&b->dev, 0x10) & (1u << 5)); /* VIRTIO_BLK_F_RO */
    memset(g(DATA), 0x5a, 512);
    assert_int_equal(blk_req(b, 1, 1, 512, false, NULL), 1);
    assert_int_equal(file_byte(512), (uint8_t)(512 * 7));
    assert_int_equal(blk_req(b, 0, 1, 512, true, NULL), 0);
    assert_int_equal(g(DATA)[0], (uint8_t)(512 * 7));
    blk_close(b);
}

static void test_blk_snapshot(void **state) {
    (void)state;
    virtio_blk_t *b = blk_open(false, true);
    for (unsigned i = 0; i < 2048; i++)
        g(DATA)[i] = (uint8_t)(i ^ 0x33);
    assert_int_equal(blk_req(b, 1, 3, 2048, false, NULL), 0);
    memset(g(DATA), 0, 4096);
    assert_int_equal(blk_req(b, 0, 2, 4096, true, NULL), 0);
    for (unsigned i = 0; i < 4096; i++) {
        uint8_t want =
            i >= 512 && i < 2560 ? (uint8_t)((i - 512) ^ 0x33) : (uint8_t)((1024 + i) * 7);
        assert_int_equal(g(DATA)[i], want);
    }
    assert_int_equal(file_byte(3 * 512), (uint8_t)(3 * 512 * 7)); /* the file is untouched */
    blk_close(b);
}

/* A host write error (here: the image's descriptor swapped for a read-only one) reaches the
 * guest as IOERR; reads still work. */
static void test_blk_host_error(void **state) {
    (void)state;
    virtio_blk_t *b = blk_open(false, false);
    int ro = open(img_path, O_RDONLY);
    assert_true(ro >= 0);
    assert_int_equal(dup2(ro, b->fd), b->fd);
    close(ro);
    memset(g(DATA), 0x5a, 512);
    assert_int_equal(blk_req(b, 1, 1, 512, false, NULL), 1);
    assert_int_equal(blk_req(b, 0, 1, 512, true, NULL), 0);
    assert_int_equal(g(DATA)[0], (uint8_t)(512 * 7));
    assert_int_equal(b->host_errors, 1);
    /* the write failed at the notify too, and was handed to the thread, which reported it */
    assert_int_equal(b->inline_fallbacks, 1);
    assert_int_equal(b->thread_served + b->idle_served, 1);
    assert_int_equal(b->inline_served, 1); /* the read */
    blk_close(b);
}

/* A full host disk, simulated by RLIMIT_FSIZE below the image's end: a write past the limit
 * fails with EFBIG (opening the drive ignored SIGXFSZ, which would otherwise end the test),
 * the guest gets IOERR each time, the device keeps serving reads, writes below the limit and
 * flushes, and stderr gets one line for all the failures. */
static void test_blk_host_full(void **state) {
    (void)state;
    struct sigaction old_xfsz;
    assert_int_equal(sigaction(SIGXFSZ, NULL, &old_xfsz), 0);
    signal(SIGXFSZ, SIG_DFL);
    virtio_blk_t *b = blk_open(false, false);
    struct sigaction sa;
    assert_int_equal(sigaction(SIGXFSZ, NULL, &sa), 0);
    assert_true(sa.sa_handler == SIG_IGN);
    struct rlimit old, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = 16384; /* sectors 0..31 */
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    char log[] = "/tmp/test_virtio_err_XXXXXX";
    int lfd = mkstemp(log);
    assert_true(lfd >= 0);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    assert_int_equal(dup2(lfd, STDERR_FILENO), STDERR_FILENO);
    memset(g(DATA), 0x5a, 1024);
    uint8_t st_far = blk_req(b, 1, 40, 512, false, NULL);    /* past the limit */
    uint8_t st_cross = blk_req(b, 1, 31, 1024, false, NULL); /* crosses it: short, then EFBIG */
    uint8_t st_near = blk_req(b, 1, 2, 512, false, NULL);    /* below it */
    uint8_t st_flush = blk_req(b, 4, 0, 0, false, NULL);     /* flush */
    uint8_t st_again = blk_req(b, 1, 100, 512, false, NULL); /* past it again */
    uint8_t st_read = blk_req(b, 0, 40, 512, true, NULL);    /* reads still work */
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    assert_int_equal(st_far, 1);
    assert_int_equal(st_cross, 1);
    assert_int_equal(st_near, 0);
    assert_int_equal(st_flush, 0);
    assert_int_equal(st_again, 1);
    assert_int_equal(st_read, 0);
    assert_int_equal(g(DATA)[0], (uint8_t)(40 * 512 * 7));
    assert_int_equal(file_byte(2 * 512), 0x5a);
    assert_int_equal(file_byte(40 * 512), (uint8_t)(40 * 512 * 7));
    assert_int_equal(b->host_errors, 3);
    char text[1024] = {0};
    assert_true(pread(lfd, text, sizeof(text) - 1, 0) > 0);
    close(lfd);
    unlink(log);
    unsigned lines = 0;
    for (const char *p = text; (p = strstr(p, "vm: drive ")) != NULL; p++)
        lines++;
    assert_int_equal(lines, 1);
    assert_non_null(strstr(text, "File too large"));
    assert_non_null(strstr(text, "at sector 40 "));
    blk_close(b);
    sigaction(SIGXFSZ, &old_xfsz, NULL);
}

/* A write, then a read of the same sector, in one notification, twenty times: the hart's
 * thread serves what the I/O thread has not taken (virtio_blk_serve_idle) while the thread
 * may serve the rest; either way one at a time and in order, so every read sees the write
 * before it, and both complete in order on the used ring. */
static void test_blk_serve_idle(void **state) {
    (void)state;
    virtio_blk_t *b = blk_open(false, false);
    b->inline_off = true; /* every request through the queue */
    uint64_t hdr = RAM_BASE + 0x8000, st = RAM_BASE + 0x8100;
    uint16_t idx = 0;
    unsigned served_here = 0;
    for (unsigned round = 0; round < 20; round++) {
        uint64_t sector = 10 + round % 50;
        w32(hdr, 1); /* OUT */
        w32(hdr + 4, 0);
        w64(hdr + 8, sector);
        w32(hdr + 32, 0); /* IN */
        w32(hdr + 36, 0);
        w64(hdr + 40, sector);
        memset(g(DATA), (int)(0x40 + round), 512);
        memset(g(DATA + 1024), 0, 512);
        g(st)[0] = g(st)[1] = 0xee;
        desc(DESC, 0, hdr, 16, VIRTQ_DESC_F_NEXT, 1);
        desc(DESC, 1, DATA, 512, VIRTQ_DESC_F_NEXT, 2);
        desc(DESC, 2, st, 1, VIRTQ_DESC_F_WRITE, 0);
        desc(DESC, 3, hdr + 32, 16, VIRTQ_DESC_F_NEXT, 4);
        desc(DESC, 4, DATA + 1024, 512, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 5);
        desc(DESC, 5, st + 1, 1, VIRTQ_DESC_F_WRITE, 0);
        w16(AVAIL + 4 + 2 * (idx % QN), 0);
        w16(AVAIL + 4 + 2 * ((idx + 1) % QN), 3);
        w16(AVAIL + 2, (uint16_t)(idx + 2));
        reg_wr(&b->dev, 0x50, 0);
        served_here += virtio_blk_serve_idle(b);
        virtio_blk_drain(b);
        assert_int_equal(r16(USED + 2), (uint16_t)(idx + 2));
        assert_int_equal(r32(USED + 4 + 8 * (idx % QN)), 0);
        assert_int_equal(r32(USED + 4 + 8 * ((idx + 1) % QN)), 3);
        assert_int_equal(g(st)[0], 0);
        assert_int_equal(g(st)[1], 0);
        assert_int_equal(g(DATA + 1024)[0], (uint8_t)(0x40 + round));
        assert_int_equal(g(DATA + 1024)[511], (uint8_t)(0x40 + round));
        assert_int_equal(file_byte((off_t)sector * 512), (uint8_t)(0x40 + round));
        idx = (uint16_t)(idx + 2);
    }
    print_message("served on the calling thread in %u of 20 rounds\n", served_here);
    blk_close(b);
}

/* The requests of test_blk_inline_same: every kind the notify may serve itself, and a flush,
 * which it never does. */
typedef struct blk_case {
    uint32_t type;   /* VIRTIO_BLK_T_* */
    uint64_t sector; /* the header's sector */
    uint32_t len;    /* data bytes */
    bool in;         /* the data buffer is device-writable */
    bool inline_ok;  /* the notify serves it when nothing else is queued */
} blk_case_t;

static const blk_case_t blk_cases[] = {
    {0, 2, 1024, true, true},   /* read */
    {1, 5, 512, false, true},   /* write */
    {0, 4, 1536, true, true},   /* read over what was written */
    {8, 0, 20, true, true},     /* GET_ID */
    {0, 127, 1024, true, true}, /* beyond the capacity: IOERR */
    {1, 0, 100, false, true},   /* not whole sectors: IOERR */
    {77, 0, 0, false, true},    /* unknown type: UNSUPP */
    {4, 0, 0, false, false},    /* flush: the I/O thread's */
    {0, 5, 512, true, true},    /* read after the flush */
};
#define NCASES (sizeof(blk_cases) / sizeof(blk_cases[0]))

/* What the driver sees of one request. */
typedef struct blk_seen {
    bool at_notify;     /* on the used ring and interrupting right after QueueNotify */
    uint16_t used_idx;  /* used.idx after it completed */
    uint32_t used_id;   /* its used element */
    uint32_t used_len;  /* ... and length */
    uint8_t status;     /* its status byte */
    unsigned irqs;      /* interrupts it raised */
    uint8_t data[1536]; /* its data buffer afterwards */
} blk_seen_t;

/* Run blk_cases on a fresh image, the notify allowed to serve requests or not. */
static void blk_run_cases(bool inline_off, blk_seen_t *seen) {
    virtio_blk_t *b = blk_open(false, false);
    b->inline_off = inline_off;
    uint64_t hdr = RAM_BASE + 0x8000, st = RAM_BASE + 0x8100;
    for (unsigned k = 0; k < NCASES; k++) {
        const blk_case_t *t = &blk_cases[k];
        blk_seen_t *o = &seen[k];
        uint16_t head = (uint16_t)(k % 2 ? 3 : 0); /* two chains' places in turn */
        w32(hdr, t->type);
        w32(hdr + 4, 0);
        w64(hdr + 8, t->sector);
        g(st)[0] = 0xee;
        memset(g(DATA), t->in ? 0 : 0x60 + (int)k, sizeof(o->data));
        unsigned n = head;
        desc(DESC, n, hdr, 16, VIRTQ_DESC_F_NEXT, (uint16_t)(n + 1));
        n++;
        if (t->len) {
            desc(DESC, n, DATA, t->len,
                 (uint16_t)((t->in ? VIRTQ_DESC_F_WRITE : 0) | VIRTQ_DESC_F_NEXT),
                 (uint16_t)(n + 1));
            n++;
        }
        desc(DESC, n, st, 1, VIRTQ_DESC_F_WRITE, 0);
        uint16_t before = r16(USED + 2);
        w16(AVAIL + 4 + 2 * QN, before);              /* used_event: interrupt for this one */
        reg_wr(&b->dev, 0x64, reg_rd(&b->dev, 0x60)); /* acknowledge the last interrupt */
        assert_false(irq_level);
        unsigned rises = irq_rises;
        offer(&b->dev, head);
        o->at_notify = r16(USED + 2) == (uint16_t)(before + 1) && irq_level;
        virtio_blk_drain(b);
        o->used_idx = r16(USED + 2);
        o->used_id = r32(USED + 4 + 8 * (before % QN));
        o->used_len = r32(USED + 4 + 8 * (before % QN) + 4);
        o->status = g(st)[0];
        o->irqs = irq_rises - rises;
        memcpy(o->data, g(DATA), sizeof(o->data));
    }
    if (inline_off) {
        assert_int_equal(b->inline_served, 0);
        assert_int_equal(b->thread_served, NCASES);
        assert_int_equal(b->inline_fallbacks, 0);
    } else {
        /* a file system without RWF_NOWAIT for buffered writes (ext4 and tmpfs today) refuses
         * the write once (EOPNOTSUPP): it goes to the thread, and later writes do not ask */
        unsigned no_w = b->nowait_write_off;
        if (no_w) print_message("this file system takes no RWF_NOWAIT writes\n");
        assert_false(b->nowait_read_off);
        assert_int_equal(b->inline_fallbacks, no_w);
        assert_int_equal(b->inline_served, NCASES - 1 - no_w);
        assert_int_equal(b->thread_served, 1 + no_w); /* the flush */
        seen[1].at_notify |= no_w;                    /* for the comparison below */
    }
    assert_int_equal(file_byte(5 * 512), 0x61); /* case 1's write */
    blk_close(b);
}

/* A request served at the notify completes with the same used element, length, status, data
 * and interrupt as the one the I/O thread serves, only sooner: on the used ring, with the
 * interrupt raised, when QueueNotify returns. */
static void test_blk_inline_same(void **state) {
    (void)state;
    static blk_seen_t by_thread[NCASES], at_notify[NCASES];
    blk_run_cases(true, by_thread);
    blk_run_cases(false, at_notify);
    for (unsigned k = 0; k < NCASES; k++) {
        const blk_case_t *t = &blk_cases[k];
        const blk_seen_t *a = &by_thread[k], *n = &at_notify[k];
        print_message("case %u: type %u sector %llu, status %u\n", k, t->type,
                      (unsigned long long)t->sector, n->status);
        assert_false(a->at_notify);
        assert_int_equal(n->at_notify, t->inline_ok);
        assert_int_equal(a->used_idx, k + 1);
        assert_int_equal(n->used_idx, a->used_idx);
        assert_int_equal(n->used_id, a->used_id);
        assert_int_equal(n->used_len, a->used_len);
        assert_int_equal(n->status, a->status);
        assert_int_equal(a->irqs, 1);
        assert_int_equal(n->irqs, a->irqs);
        assert_memory_equal(n->data, a->data, sizeof(a->data));
    }
    /* and they are right */
    assert_int_equal(at_notify[0].status, 0);
    assert_int_equal(at_notify[0].used_len, 1025);
    for (unsigned i = 0; i < 1024; i++)
        assert_int_equal(at_notify[0].data[i], (uint8_t)((1024 + i) * 7));
    for (unsigned i = 0; i < 1536; i++) /* sectors 4, 5 (written: 0x61), 6 */
        assert_int_equal(at_notify[2].data[i],
                         i >= 512 && i < 1024 ? 0x61 : (uint8_t)((2048 + i) * 7));
    assert_memory_equal(at_notify[3].data, "vm-", 3);
    assert_int_equal(at_notify[4].status, 1);
    assert_int_equal(at_notify[5].status, 1);
    assert_int_equal(at_notify[6].status, 2);
    assert_int_equal(at_notify[8].data[0], 0x61);
}

/* A read whose data is not in the host's page cache would wait for the disk: the notify's
 * RWF_NOWAIT read fails with EAGAIN and the request goes to the I/O thread, which serves it
 * in full; a request behind it in the same notification goes there too (the order holds);
 * once the thread read the sectors, the same read is served at the notify. */
static void test_blk_inline_fallback(void **state) {
    (void)state;
    virtio_blk_t *b = blk_open(false, false);
    uint64_t hdr = RAM_BASE + 0x8000, st = RAM_BASE + 0x8100;
    /* out of the host's page cache: written back, then dropped */
    assert_int_equal(fdatasync(b->fd), 0);
    assert_int_equal(posix_fadvise(b->fd, 0, 0, POSIX_FADV_DONTNEED), 0);
    w32(hdr, 0); /* IN, sectors 2..3 */
    w32(hdr + 4, 0);
    w64(hdr + 8, 2);
    w32(hdr + 32, 8); /* GET_ID */
    w32(hdr + 36, 0);
    w64(hdr + 40, 0);
    memset(g(DATA), 0, 2048);
    g(st)[0] = g(st)[1] = 0xee;
    desc(DESC, 0, hdr, 16, VIRTQ_DESC_F_NEXT, 1);
    desc(DESC, 1, DATA, 1024, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
    desc(DESC, 2, st, 1, VIRTQ_DESC_F_WRITE, 0);
    desc(DESC, 3, hdr + 32, 16, VIRTQ_DESC_F_NEXT, 4);
    desc(DESC, 4, DATA + 1024, 20, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 5);
    desc(DESC, 5, st + 1, 1, VIRTQ_DESC_F_WRITE, 0);
    w16(AVAIL + 4, 0);
    w16(AVAIL + 6, 3);
    w16(AVAIL + 2, 2);
    reg_wr(&b->dev, 0x50, 0);
    assert_int_equal(b->inline_fallbacks, 1);
    assert_int_equal(b->inline_served, 0);
    assert_int_equal(r16(USED + 2), 0); /* nothing completed at the notify */
    virtio_blk_drain(b);
    assert_int_equal(r16(USED + 2), 2);
    assert_int_equal(r32(USED + 4), 0); /* in order */
    assert_int_equal(r32(USED + 8), 1025);
    assert_int_equal(r32(USED + 12), 3);
    assert_int_equal(g(st)[0], 0);
    assert_int_equal(g(st)[1], 0);
    for (unsigned i = 0; i < 1024; i++)
        assert_int_equal(g(DATA)[i], (uint8_t)((1024 + i) * 7));
    assert_memory_equal(g(DATA + 1024), "vm-", 3);
    assert_int_equal(b->thread_served + b->idle_served, 2);
    /* the thread's read brought the sectors into the page cache: now served at the notify */
    memset(g(DATA), 0, 1024);
    g(st)[0] = 0xee;
    w16(AVAIL + 8, 0);
    w16(AVAIL + 2, 3);
    reg_wr(&b->dev, 0x50, 0);
    assert_int_equal(r16(USED + 2), 3);
    assert_int_equal(b->inline_served, 1);
    assert_int_equal(g(st)[0], 0);
    assert_int_equal(g(DATA)[1023], (uint8_t)((1024 + 1023) * 7));
    assert_int_equal(b->host_errors, 0);
    blk_close(b);
}

/* Many requests in one notification, then a reset: the I/O thread serves them in order and
 * the used ring gets every one; a reset right after submitting waits for them and drops the
 * completions. */
static void test_blk_batch_reset(void **state) {
    (void)state;
    virtio_blk_t *b = blk_open(false, false);
    b->inline_off = true; /* the thread's path: completions still to come at the reset */
    uint64_t hdr = RAM_BASE + 0x8000;
    for (unsigned k = 0; k < 4; k++) {
        w32(hdr + 32 * k, 0);
        w64(hdr + 32 * k + 8, k);
        desc(DESC, 2 * k, hdr + 32 * k, 16, VIRTQ_DESC_F_NEXT, (uint16_t)(2 * k + 1));
        desc(DESC, 2 * k + 1, DATA + 1024 * k, 513, VIRTQ_DESC_F_WRITE, 0);
        w16(AVAIL + 4 + 2 * k, (uint16_t)(2 * k));
    }
    w16(AVAIL + 2, 4);
    reg_wr(&b->dev, 0x50, 0);
    /* before any completion: avail_event already asks for a notification at entry 4, or a
     * driver adding a request now would not notify (event index) and wait for ever */
    assert_int_equal(r16(USED + 4 + 8 * QN), 4);
    virtio_blk_drain(b);
    assert_int_equal(r16(USED + 2), 4);
    for (unsigned k = 0; k < 4; k++) {
        assert_int_equal(r32(USED + 4 + 8 * k), 2 * k);
        assert_int_equal(r32(USED + 8 + 8 * k), 513);
        assert_int_equal(g(DATA + 1024 * k)[0], (uint8_t)(512 * k * 7));
        assert_int_equal(g(DATA + 1024 * k)[512], 0); /* status OK */
    }
    /* the same four again, and a reset before any completion is returned */
    w16(AVAIL + 2, 8);
    for (unsigned k = 0; k < 4; k++)
        w16(AVAIL + 4 + 2 * (4 + k), (uint16_t)(2 * k));
    reg_wr(&b->dev, 0x50, 0);
    reg_wr(&b->dev, 0x70, 0);
    virtio_blk_drain(b);
    assert_int_equal(r16(USED + 2), 4);
    assert_int_equal(reg_rd(&b->dev, 0x70), 0);
    blk_close(b);
}

static void test_blk_malformed(void **state) {
    (void)state;
    virtio_blk_t *b = blk_open(false, false);
    /* the header in a device-writable buffer: no readable header */
    desc(DESC, 0, DATA, 16, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
    desc(DESC, 1, DATA + 16, 1, VIRTQ_DESC_F_WRITE, 0);
    offer(&b->dev, 0);
    assert_needs_reset(&b->dev);
    /* no status byte */
    irq_level = false;
    memset(g(AVAIL), 0, 64);
    memset(g(USED), 0, 128);
    bring_up(&b->dev, 0);
    desc(DESC, 0, DATA, 16, 0, 0);
    offer(&b->dev, 0);
    assert_needs_reset(&b->dev);
    blk_close(b);
}

/* ---- virtio-console ---- */

static FILE *cons_out; /* the console's output stream (a temporary file) */

/* A console with both queues up (no features to negotiate), the driver running or not. */
static virtio_console_t *cons_open(bool running) {
    virtio_console_t *c = calloc(1, sizeof(*c));
    board(&c->dev);
    cons_out = tmpfile();
    assert_non_null(cons_out);
    virtio_console_setup(c, cons_out);
    virtio_dev_t *d = &c->dev;
    negotiate(d, 0);
    queue_setup(d, 0, DESC, AVAIL, USED);
    queue_setup(d, 1, TDESC, TAVAIL, TUSED);
    if (running) driver_ok(d);
    return c;
}

/* What the console wrote to its stream so far (NUL-terminated in buf). */
static size_t cons_output(char *buf, size_t cap) {
    fflush(cons_out);
    rewind(cons_out);
    size_t n = fread(buf, 1, cap - 1, cons_out);
    buf[n] = 0;
    fseek(cons_out, 0, SEEK_END);
    return n;
}

static void cons_close(virtio_console_t *c) {
    fclose(cons_out);
    free(c);
}

static void test_cons_config(void **state) {
    (void)state;
    virtio_console_t *c = cons_open(false);
    virtio_dev_t *d = &c->dev;
    assert_int_equal(reg_rd(d, 0x08), VIRTIO_ID_CONSOLE);
    reg_wr(d, 0x14, 0);
    /* no device bits (SIZE, MULTIPORT, EMERG_WRITE): only the transport's */
    assert_int_equal(reg_rd(d, 0x10), (1u << VIRTIO_F_INDIRECT_DESC) | (1u << VIRTIO_F_EVENT_IDX));
    reg_wr(d, 0x14, 1);
    assert_int_equal(reg_rd(d, 0x10), 1); /* VERSION_1 */
    for (unsigned off = 0; off < 12; off += 4)
        assert_int_equal(reg_rd(d, 0x100 + off), 0); /* cols, rows, max_nr_ports, emerg_wr */
    /* two queues only: port 0's receiveq and transmitq */
    reg_wr(d, 0x30, 2);
    assert_int_equal(reg_rd(d, 0x34), 0);
    /* before DRIVER_OK, input is not the console's */
    assert_int_equal(virtio_console_room(c), -1);
    cons_close(c);
}

static void test_cons_tx(void **state) {
    (void)state;
    virtio_console_t *c = cons_open(true);
    virtio_dev_t *d = &c->dev;
    memcpy(g(DATA), "hello ", 6);
    memcpy(g(DATA + 0x100), "hvc0\n", 5);
    desc(TDESC, 3, DATA, 6, VIRTQ_DESC_F_NEXT, 5);
    desc(TDESC, 5, DATA + 0x100, 5, 0, 0);
    offer_q(d, 1, TAVAIL, 3);
    memcpy(g(DATA + 0x200), "second", 6);
    desc(TDESC, 0, DATA + 0x200, 6, 0, 0);
    offer_q(d, 1, TAVAIL, 0);
    char out[64];
    assert_int_equal(cons_output(out, sizeof(out)), 17);
    assert_string_equal(out, "hello hvc0\nsecond");
    assert_int_equal(r16(TUSED + 2), 2);
    assert_int_equal(r32(TUSED + 4), 3);
    assert_int_equal(r32(TUSED + 8), 0);
    assert_int_equal(r32(TUSED + 12), 0);
    assert_int_equal(c->tx_bytes, 17);
    assert_true(irq_level);
    /* writable buffers in a transmit chain are not written, and not printed */
    memset(g(DATA + 0x300), 0x5a, 16);
    desc(TDESC, 1, DATA + 0x200, 2, VIRTQ_DESC_F_NEXT, 2);
    desc(TDESC, 2, DATA + 0x300, 16, VIRTQ_DESC_F_WRITE, 0);
    offer_q(d, 1, TAVAIL, 1);
    assert_int_equal(cons_output(out, sizeof(out)), 19);
    assert_int_equal(g(DATA + 0x300)[0], 0x5a);
    assert_false(reg_rd(d, 0x70) & VIRTIO_STATUS_NEEDS_RESET);
    cons_close(c);
}

static void test_cons_rx(void **state) {
    (void)state;
    virtio_console_t *c = cons_open(true);
    virtio_dev_t *d = &c->dev;
    /* running but no receive buffer: input is not the console's yet */
    assert_int_equal(virtio_console_room(c), -1);
    /* a 4-byte buffer posted (without a notify, as a driver may): room for the whole ring */
    memset(g(DATA), 0xcc, 64);
    desc(DESC, 2, DATA, 4, VIRTQ_DESC_F_WRITE, 0);
    w16(AVAIL + 4, 2);
    w16(AVAIL + 2, 1);
    assert_int_equal(virtio_console_room(c), (int)VIRTIO_CONSOLE_IN_MAX);
    for (const char *p = "abcdef"; *p; p++)
        virtio_console_put(c, (uint8_t)*p);
    assert_int_equal(virtio_console_room(c), (int)VIRTIO_CONSOLE_IN_MAX - 6);
    virtio_console_poll(c);
    assert_int_equal(r16(USED + 2), 1);
    assert_int_equal(r32(USED + 4), 2);
    assert_int_equal(r32(USED + 8), 4);
    assert_memory_equal(g(DATA), "abcd", 4);
    assert_int_equal(g(DATA + 4)[0], 0xcc);
    assert_true(irq_level);
    reg_wr(d, 0x64, VIRTIO_INT_VRING);
    /* the rest waits; kept bytes keep the console taking input with no buffer posted */
    assert_int_equal(c->in_count, 2);
    assert_int_equal(virtio_console_room(c), (int)VIRTIO_CONSOLE_IN_MAX - 2);
    /* a buffer split in two: the driver's notify delivers what waits */
    desc(DESC, 0, DATA + 0x100, 1, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
    desc(DESC, 1, DATA + 0x200, 100, VIRTQ_DESC_F_WRITE, 0);
    offer_q(d, 0, AVAIL, 0);
    assert_int_equal(r16(USED + 2), 2);
    assert_int_equal(r32(USED + 12), 0);
    assert_int_equal(r32(USED + 16), 2);
    assert_int_equal(g(DATA + 0x100)[0], 'e');
    assert_int_equal(g(DATA + 0x200)[0], 'f');
    assert_int_equal(c->rx_bytes, 6);
    /* no buffer left and nothing kept: the input goes elsewhere again */
    assert_int_equal(virtio_console_room(c), -1);
    /* input past the ring's room is dropped and counted */
    desc(DESC, 3, DATA + 0x300, 8, VIRTQ_DESC_F_WRITE, 0);
    w16(AVAIL + 4 + 2 * 2, 3);
    w16(AVAIL + 2, 3);
    for (unsigned i = 0; i < VIRTIO_CONSOLE_IN_MAX + 3; i++)
        virtio_console_put(c, (uint8_t)i);
    assert_int_equal(c->rx_dropped, 3);
    assert_int_equal(virtio_console_room(c), 0);
    /* a driver reset drops what was kept for it */
    reg_wr(d, 0x70, 0);
    assert_int_equal(c->in_count, 0);
    assert_int_equal(c->rx_dropped, 3 + VIRTIO_CONSOLE_IN_MAX);
    assert_int_equal(virtio_console_room(c), -1);
    cons_close(c);
}

static void test_cons_malformed(void **state) {
    (void)state;
    /* a receive buffer reaching past RAM */
    virtio_console_t *c = cons_open(true);
    virtio_dev_t *d = &c->dev;
    desc(DESC, 0, RAM_BASE + RAM_SIZE - 2, 16, VIRTQ_DESC_F_WRITE, 0);
    w16(AVAIL + 4, 0);
    w16(AVAIL + 2, 1);
    virtio_console_put(c, 'x');
    virtio_console_poll(c);
    assert_needs_reset(d);
    assert_int_equal(r16(USED + 2), 0);
    assert_int_equal(c->in_count, 0);
    /* the device stays quiet: input is not taken, transmits are not served */
    assert_int_equal(virtio_console_room(c), -1);
    memcpy(g(DATA), "ignored", 7);
    desc(TDESC, 0, DATA, 7, 0, 0);
    offer_q(d, 1, TAVAIL, 0);
    char out[16];
    assert_int_equal(cons_output(out, sizeof(out)), 0);
    assert_int_equal(r16(TUSED + 2), 0);
    cons_close(c);
    /* a transmit chain looping on itself, then an avail index far ahead */
    c = cons_open(true);
    d = &c->dev;
    desc(TDESC, 0, DATA, 8, VIRTQ_DESC_F_NEXT, 1);
    desc(TDESC, 1, DATA, 8, VIRTQ_DESC_F_NEXT, 0);
    offer_q(d, 1, TAVAIL, 0);
    assert_needs_reset(d);
    assert_int_equal(cons_output(out, sizeof(out)), 0);
    cons_close(c);
    c = cons_open(true);
    d = &c->dev;
    w16(AVAIL + 2, QN + 5);
    assert_true(virtio_console_room(c) > 0); /* a buffer looks posted ... */
    virtio_console_put(c, 'y');
    virtio_console_poll(c); /* ... but the ring is broken */
    assert_needs_reset(d);
    assert_int_equal(r16(USED + 2), 0);
    cons_close(c);
}

/* Input through the UART: to the UART while the console's driver is not ready, then to the
 * console; the escape stays the UART's either way. */
static uint8_t esc_cmd;
static void cons_escape(void *opaque, uint8_t cmd) {
    (void)opaque;
    esc_cmd = cmd;
}
static int cons_room_cb(void *opaque) {
    return virtio_console_room(opaque);
}
static void cons_put_cb(void *opaque, uint8_t b) {
    virtio_console_put(opaque, b);
}

static void test_cons_uart_routing(void **state) {
    (void)state;
    virtio_console_t *c = cons_open(true);
    virtio_dev_t *d = &c->dev;
    int p[2];
    assert_int_equal(pipe(p), 0);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    dev_uart_t *u = calloc(1, sizeof(*u));
    u->out = cons_out;
    u->in_fd = p[0];
    u->escape = 1;
    u->on_escape = cons_escape;
    u->sink_room = cons_room_cb;
    u->sink_put = cons_put_cb;
    u->sink_opaque = c;
    u->irq = (vm_irq_t){irq_set, NULL, 10};
    esc_cmd = 0;
    /* no receive buffer: the UART gets the input */
    assert_int_equal(write(p[1], "ab", 2), 2);
    dev_uart_poll(u);
    assert_int_equal(u->rx_count, 2);
    assert_int_equal(c->in_count, 0);
    /* a buffer posted: the console gets it, the escape still reaches the machine */
    desc(DESC, 0, DATA, 16, VIRTQ_DESC_F_WRITE, 0);
    w16(AVAIL + 4, 0);
    w16(AVAIL + 2, 1);
    assert_int_equal(write(p[1], "cd\001h\001\001e", 7), 7);
    dev_uart_poll(u);
    assert_int_equal(esc_cmd, 'h');
    assert_int_equal(u->rx_count, 2);
    virtio_console_poll(c);
    assert_int_equal(r16(USED + 2), 1);
    assert_int_equal(r32(USED + 8), 4);
    assert_memory_equal(g(DATA), "cd\001e", 4);
    /* the console's ring full: a pipe's input waits in the host, none is lost */
    desc(DESC, 1, DATA + 0x100, 8, VIRTQ_DESC_F_WRITE, 0);
    w16(AVAIL + 4 + 2, 1);
    w16(AVAIL + 2, 2);
    for (unsigned i = 0; i < VIRTIO_CONSOLE_IN_MAX; i++)
        virtio_console_put(c, 'z');
    assert_int_equal(write(p[1], "W", 1), 1);
    dev_uart_poll(u);
    assert_int_equal(c->rx_dropped, 0);
    virtio_console_poll(c); /* 8 bytes leave: room for the waiting byte */
    dev_uart_poll(u);
    assert_int_equal(c->in_count, VIRTIO_CONSOLE_IN_MAX - 8 + 1);
    assert_int_equal(c->in[(c->in_head + c->in_count - 1) % VIRTIO_CONSOLE_IN_MAX], 'W');
    assert_int_equal(c->rx_dropped, 0);
    assert_false(reg_rd(d, 0x70) & VIRTIO_STATUS_NEEDS_RESET);
    close(p[0]);
    close(p[1]);
    free(u);
    cons_close(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_registers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rng_direct, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wraparound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indirect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_idx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_net_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_net_tx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_net_rx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_net_rx_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_net_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blk_rw, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blk_readonly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blk_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blk_host_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blk_host_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blk_serve_idle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blk_inline_same, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blk_inline_fallback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blk_batch_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blk_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cons_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cons_tx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cons_rx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cons_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cons_uart_routing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
