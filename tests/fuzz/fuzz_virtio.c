/* fuzz_virtio.c - libFuzzer target: the virtio-mmio transport with the rng, a block device,
 * a network card or a console behind it, driven by arbitrary register writes and arbitrary ring and
 * descriptor contents (and, for the card, frames arriving from the host side at any time).
 *
 * Guest RAM is a malloc'd buffer of exactly RAM_SIZE bytes, so AddressSanitizer catches any
 * device access outside it; the device must survive every input (marking itself
 * DEVICE_NEEDS_RESET is fine). The block device runs on a small temporary image, read-write,
 * read-only or snapshot as the input chooses. The network card's transmitted frames go to a
 * backend that checks their length and reads every byte. The console writes its output to
 * /dev/null (every byte read) and takes input bytes whenever it says it has room.
 *
 * Input layout: device(1) (% 6: rng, blk, blk read-only, blk snapshot, net,
 * console; for a block device, (/ 6) odd: every request goes through the I/O thread, even
 * those the notify would serve itself), then records of
 * 7 bytes: op(1) off(2) val(4):
 *   op % 5 == 0  write register `off % 0x200` with val (4 bytes; 1 or 2 when op & 0x80)
 *   op % 5 == 1  read register `off % 0x200`; for the card with op & 0x80: a frame of
 *                `off % 2048` bytes arrives from the host (then, with op & 0x40, the board's
 *                poll delivers it); for the console with op & 0x80: `off % 64` input bytes
 *                (val's) offered, then, with op & 0x40, the board's poll delivers them
 *   op % 5 == 2  store val (4 bytes) into RAM at `off`
 *   op % 5 == 3  a well-behaved driver's bring-up of every queue (size 1 << (val % 9), rings
 *                at RAM offsets taken from val), so that the rings are reached quickly
 *   op % 5 == 4  make descriptor-table entry (off % 16) of queue (off >> 4) % queues point
 *                into RAM at val, then notify that queue
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dev/virtio.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE 0x10000u

static char img[64];

static void irq_set(void *opaque, unsigned line, bool level) {
    (void)opaque;
    (void)line;
    (void)level;
}

static void wr(virtio_dev_t *d, uint64_t off, uint32_t v) {
    virtio_mmio_ops.write(d, off, 4, v);
}

static void bring_up(virtio_dev_t *d, uint32_t v) {
    wr(d, 0x70, 0);
    wr(d, 0x70, 3);
    wr(d, 0x24, 0);
    wr(d, 0x20, (uint32_t)d->host_features);
    wr(d, 0x24, 1);
    wr(d, 0x20, (uint32_t)(d->host_features >> 32));
    wr(d, 0x70, 11);
    for (unsigned q = 0; q < d->nqueues; q++) {
        uint32_t o = 0x4000u * q;
        wr(d, 0x30, q);
        wr(d, 0x38, 1u << (v % 9));
        wr(d, 0x80, (uint32_t)(RAM_BASE + o + ((v >> 4) & 0xff0)));
        wr(d, 0x84, 0);
        wr(d, 0x90, (uint32_t)(RAM_BASE + o + 0x1000 + ((v >> 12) & 0xffe)));
        wr(d, 0x94, 0);
        wr(d, 0xa0, (uint32_t)(RAM_BASE + o + 0x3000 + ((v >> 20) & 0xffc)));
        wr(d, 0xa4, 0);
        wr(d, 0x44, 1);
    }
    wr(d, 0x70, 15);
}

/* The card's backend: every transmitted frame must be readable in full. */
static void net_tx(void *opaque, const uint8_t *frame, size_t len) {
    (void)opaque;
    if (len == 0 || len > VIRTIO_NET_FRAME_MAX) abort();
    static uint8_t last[VIRTIO_NET_FRAME_MAX];
    memcpy(last, frame, len); /* AddressSanitizer checks every byte read */
}

static void remove_image(void) {
    if (img[0]) unlink(img);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    if (!img[0]) {
        strcpy(img, "/tmp/fuzz_virtio_XXXXXX");
        int fd = mkstemp(img);
        if (fd < 0) abort();
        if (ftruncate(fd, 32768) != 0) abort();
        close(fd);
        atexit(remove_image);
    }
    uint8_t *ram = calloc(1, RAM_SIZE);
    if (!ram) return 0;
    virtio_blk_t *b = calloc(1, sizeof(*b));
    virtio_net_t *n = calloc(1, sizeof(*n));
    virtio_console_t *c = calloc(1, sizeof(*c));
    if (!b || !n || !c) {
        free(b);
        free(n);
        free(c);
        free(ram);
        return 0;
    }
    unsigned kind = data[0] % 6;
    bool is_blk = kind >= 1 && kind <= 3, is_net = kind == 4, is_cons = kind == 5;
    virtio_dev_t *d = is_net ? &n->dev : is_cons ? &c->dev : &b->dev;
    d->ram = ram;
    d->ram_base = RAM_BASE;
    d->ram_size = RAM_SIZE;
    d->irq = (vm_irq_t){irq_set, NULL, 1};
    char err[256];
    if (is_blk) {
        if (virtio_blk_open(b, img, kind == 2, kind == 3, err, sizeof(err)) != 0) abort();
        b->inline_off = (data[0] / 6) & 1;
    } else if (is_net) {
        static const uint8_t mac[6] = {0x52, 0x54, 0, 0x12, 0x34, 0x56};
        if (virtio_net_open(n, mac, net_tx, NULL, err, sizeof(err)) != 0) abort();
    } else if (is_cons) {
        static FILE *null_out;
        if (!null_out && !(null_out = fopen("/dev/null", "w"))) abort();
        virtio_console_setup(c, null_out);
    } else {
        virtio_rng_setup(d);
    }
    for (size_t i = 1; i + 7 <= size; i += 7) {
        uint8_t op = data[i];
        uint16_t off;
        uint32_t val;
        memcpy(&off, data + i + 1, 2);
        memcpy(&val, data + i + 3, 4);
        uint64_t v64;
        switch (op % 5) {
        case 0: {
            unsigned w = op & 0x80 ? (op & 0x40 ? 1u : 2u) : 4u;
            virtio_mmio_ops.write(d, (off % 0x200u) & ~(uint64_t)(w - 1), w, val);
            if (is_blk) virtio_blk_drain(b); /* a notify's requests complete in order */
            break;
        }
        case 1:
            if (is_net && (op & 0x80)) {
                uint8_t frame[2048];
                size_t len = off % sizeof(frame);
                for (size_t k = 0; k < len; k++)
                    frame[k] = (uint8_t)(val >> (8 * (k & 3)));
                virtio_net_receive(n, frame, len);
                if (op & 0x40) virtio_net_poll(n);
                break;
            }
            if (is_cons && (op & 0x80)) {
                for (unsigned k = 0; k < off % 64u; k++) {
                    int room = virtio_console_room(c);
                    if (room > (int)VIRTIO_CONSOLE_IN_MAX) abort();
                    if (room <= 0) break; /* not ready (the UART's input) or full */
                    virtio_console_put(c, (uint8_t)(val >> (8 * (k & 3))));
                }
                if (c->in_count > VIRTIO_CONSOLE_IN_MAX) abort();
                if (op & 0x40) virtio_console_poll(c);
                break;
            }
            virtio_mmio_ops.read(d, (off % 0x200u) & ~3u, 4, &v64);
            break;
        case 2:
            if (off <= RAM_SIZE - 4) memcpy(ram + off, &val, 4);
            break;
        case 3: bring_up(d, val); break;
        case 4: {
            unsigned q = d->nqueues ? (off >> 4) % d->nqueues : 0;
            uint64_t table = d->q[q].desc;
            uint8_t *t = virtio_gptr(d, table, 256);
            if (t) {
                uint64_t a = RAM_BASE + (val % RAM_SIZE);
                memcpy(t + 16 * (off % 16), &a, 8);
            }
            wr(d, 0x50, q);
            if (is_blk) virtio_blk_drain(b);
            break;
        }
        }
    }
    if (is_blk) virtio_blk_close(b);
    if (is_net) virtio_net_close(n);
    free(b);
    free(n);
    free(c);
    free(ram);
    return 0;
}
