/* virtio_console.c - virtio console (id 3): port 0 only, the guest's hvc0.
 *
 * No features are offered (no SIZE, no MULTIPORT, no EMERG_WRITE), so the device has exactly
 * two queues: receiveq (0, host to guest) and transmitq (1, guest to host), and its
 * configuration space (cols, rows, max_nr_ports, emerg_wr) reads as zeros.
 *
 * Transmit runs on the hart's thread when the driver notifies queue 1: the readable part of
 * each chain is written to `out` (the same stream as the UART's) and the chain returned with
 * length 0; the stream is flushed once per batch.
 *
 * Receive: the console input is read by the UART's poll (which keeps the Ctrl-A escape in one
 * place) and offered to this device first through virtio_console_room() and
 * virtio_console_put(). While the driver is ready - DRIVER_OK, the device healthy, receiveq
 * ready and at least one receive buffer posted - the bytes are kept in a small host buffer
 * (`in`) and moved into the guest's receive buffers by virtio_console_poll(), which the board
 * calls after each UART poll and which the driver's notify of queue 0 calls too. While it is
 * not ready, room() says so and the input goes to the UART instead. Since room() reports the
 * free space of `in`, input from a pipe waits in the host rather than being dropped.
 *
 * Everything the guest wrote goes through virtio_pop(), which validates the chains; a broken
 * ring marks the device DEVICE_NEEDS_RESET and nothing more. Bytes waiting in `in` when the
 * driver resets the device are dropped (they were meant for the old driver).
 */
#include <string.h>

#include "dev/virtio.h"

#define RXQ 0u
#define TXQ 1u

/* The driver is running and receiveq is ready (buffers may or may not be posted). */
static bool running(const virtio_dev_t *d) {
    return (d->status & VIRTIO_STATUS_DRIVER_OK) && !(d->status & VIRTIO_STATUS_NEEDS_RESET) &&
           d->q[RXQ].ready;
}

/* The driver posted a receive buffer the device has not taken yet (reads avail->idx). */
static bool rx_posted(const virtio_dev_t *d) {
    const virtio_queue_t *q = &d->q[RXQ];
    const uint8_t *p = virtio_gptr(d, q->avail + 2, 2);
    if (!p) return false;
    uint16_t idx = (uint16_t)(p[0] | p[1] << 8);
    return idx != q->last_avail;
}

int virtio_console_room(const virtio_console_t *c) {
    const virtio_dev_t *d = &c->dev;
    if (!running(d)) return -1;
    if (c->in_count == 0 && !rx_posted(d)) return -1;
    return (int)(sizeof(c->in) - c->in_count);
}

void virtio_console_put(virtio_console_t *c, uint8_t b) {
    if (c->in_count == sizeof(c->in)) {
        c->rx_dropped++;
        return;
    }
    c->in[(c->in_head + c->in_count) % sizeof(c->in)] = b;
    c->in_count++;
}

void virtio_console_poll(virtio_console_t *c) {
    virtio_dev_t *d = &c->dev;
    if (c->in_count == 0) return;
    if (!running(d)) {
        c->rx_dropped += c->in_count;
        c->in_count = 0;
        return;
    }
    bool any = false;
    while (c->in_count) {
        int r = virtio_pop(d, RXQ);
        if (r < 0) { /* the device needs a reset: what waits is dropped */
            c->rx_dropped += c->in_count;
            c->in_count = 0;
            break;
        }
        if (r == 0) break; /* no buffer: the rest waits */
        virtio_chain_t *ch = &d->chain;
        uint32_t written = 0;
        while (c->in_count && written < ch->write_len) {
            /* the contiguous run of `in` from in_head, as far as the buffer goes */
            size_t run = sizeof(c->in) - c->in_head;
            if (run > c->in_count) run = c->in_count;
            if (run > ch->write_len - written) run = (size_t)(ch->write_len - written);
            size_t k = virtio_chain_write(d, written, c->in + c->in_head, run);
            if (k == 0) break;
            written += (uint32_t)k;
            c->in_head = (unsigned)((c->in_head + k) % sizeof(c->in));
            c->in_count -= (unsigned)k;
        }
        c->rx_bytes += written;
        virtio_push(d, RXQ, ch->head, written);
        any = true;
    }
    if (any) virtio_signal(d, RXQ);
}

static void tx_serve(virtio_console_t *c) {
    virtio_dev_t *d = &c->dev;
    int r;
    bool any = false;
    while ((r = virtio_pop(d, TXQ)) == 1) {
        virtio_chain_t *ch = &d->chain;
        for (unsigned i = 0; i < ch->nread; i++) {
            if (c->out) fwrite(ch->seg[i].host, 1, ch->seg[i].len, c->out);
            c->tx_bytes += ch->seg[i].len;
        }
        virtio_push(d, TXQ, ch->head, 0);
        any = true;
    }
    if (any) {
        if (c->out) fflush(c->out);
        virtio_signal(d, TXQ);
    }
}

static void console_notify(virtio_dev_t *d, unsigned q) {
    virtio_console_t *c = (virtio_console_t *)d;
    if (q == TXQ) tx_serve(c);
    virtio_console_poll(c); /* new receive buffers: deliver what waits */
}

/* The driver reset the device: input kept for the old driver is dropped. */
static void console_reset(virtio_dev_t *d) {
    virtio_console_t *c = (virtio_console_t *)d;
    c->rx_dropped += c->in_count;
    c->in_count = 0;
    c->in_head = 0;
}

void virtio_console_setup(virtio_console_t *c, FILE *out) {
    virtio_dev_t keep = c->dev; /* the board's fields */
    memset(c, 0, sizeof(*c));
    c->dev.ram = keep.ram;
    c->dev.ram_base = keep.ram_base;
    c->dev.ram_size = keep.ram_size;
    c->dev.irq = keep.irq;
    c->dev.dma_written = keep.dma_written;
    c->dev.dma_opaque = keep.dma_opaque;
    c->out = out;
    virtio_dev_t *d = &c->dev;
    d->device_id = VIRTIO_ID_CONSOLE;
    d->host_features = 0;
    d->nqueues = 2;
    d->config_len = 12; /* cols, rows (16 bits each), max_nr_ports, emerg_wr (32 bits each) */
    d->notify = console_notify;
    d->reset = console_reset;
    virtio_init(d);
}
