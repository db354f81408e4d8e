/* fuzz_virtio.c - libFuzzer target: the virtio-mmio transport with the rng or a block device
 * behind it, driven by arbitrary register writes and arbitrary ring and descriptor contents.
 *
 * Guest RAM is a malloc'd buffer of exactly RAM_SIZE bytes, so AddressSanitizer catches any
 * device access outside it; the device must survive every input (marking itself
 * DEVICE_NEEDS_RESET is fine). The block device runs on a small temporary image, read-write,
 * read-only or snapshot as the input chooses.
 *
 * Input layout: device(1), then records of 7 bytes: op(1) off(2) val(4):
 *   op % 5 == 0  write register `off % 0x200` with val (4 bytes; 1 or 2 when op & 0x80)
 *   op % 5 == 1  read register `off % 0x200`
 *   op % 5 == 2  store val (4 bytes) into RAM at `off`
 *   op % 5 == 3  a well-behaved driver's bring-up of queue 0 (size 1 << (val % 9), rings at
 *                RAM offsets taken from val), so that the rings are reached quickly
 *   op % 5 == 4  make descriptor-table entry (off % 16) point into RAM at val, then notify
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
    wr(d, 0x30, 0);
    wr(d, 0x38, 1u << (v % 9));
    wr(d, 0x80, (uint32_t)(RAM_BASE + ((v >> 4) & 0xff0)));
    wr(d, 0x84, 0);
    wr(d, 0x90, (uint32_t)(RAM_BASE + 0x1000 + ((v >> 12) & 0xffe)));
    wr(d, 0x94, 0);
    wr(d, 0xa0, (uint32_t)(RAM_BASE + 0x3000 + ((v >> 20) & 0xffc)));
    wr(d, 0xa4, 0);
    wr(d, 0x44, 1);
    wr(d, 0x70, 15);
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
    if (!b) {
        free(ram);
        return 0;
    }
    virtio_dev_t *d = &b->dev;
    d->ram = ram;
    d->ram_base = RAM_BASE;
    d->ram_size = RAM_SIZE;
    d->irq = (vm_irq_t){irq_set, NULL, 1};
    unsigned kind = data[0] % 4;
    bool is_blk = kind != 0;
    if (is_blk) {
        char err[256];
        if (virtio_blk_open(b, img, kind == 2, kind == 3, err, sizeof(err)) != 0) abort();
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
        case 1: virtio_mmio_ops.read(d, (off % 0x200u) & ~3u, 4, &v64); break;
        case 2:
            if (off <= RAM_SIZE - 4) memcpy(ram + off, &val, 4);
            break;
        case 3: bring_up(d, val); break;
        case 4: {
            uint64_t table = d->q[0].desc;
            uint8_t *t = virtio_gptr(d, table, 256);
            if (t) {
                uint64_t a = RAM_BASE + (val % RAM_SIZE);
                memcpy(t + 16 * (off % 16), &a, 8);
            }
            wr(d, 0x50, 0);
            if (is_blk) virtio_blk_drain(b);
            break;
        }
        }
    }
    if (is_blk) virtio_blk_close(b);
    free(b);
    free(ram);
    return 0;
}
