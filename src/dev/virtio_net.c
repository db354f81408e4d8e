/* virtio_net.c - virtio network card (id 1) without offloads.
 *
 * Two queues: receive (0) and transmit (1). Every buffer starts with the 12-byte
 * virtio_net_hdr of a modern device; since no checksum or segmentation offload is offered
 * (no CSUM, GUEST_CSUM, GSO, TSO or MRG_RXBUF features), the device writes a header of zeros
 * with num_buffers = 1 in front of each received frame and ignores the header of each
 * transmitted one. Features offered: MAC (the address is in the configuration space) and
 * STATUS (the link is always up).
 *
 * Transmit runs on the hart's thread when the driver notifies queue 1: each chain's readable
 * part is gathered into one buffer (a chain with less than a header, or a frame longer than
 * VIRTIO_NET_FRAME_MAX, is returned unsent and counted), handed to the backend's tx callback
 * and returned to the used ring with length 0.
 *
 * Receive is fed from any thread: the backend (user-mode networking, on its own thread) calls
 * virtio_net_receive(), which copies the frame onto a list under rx_lock, sets rx_kick and
 * writes the eventfd. The rings stay on the hart's thread: virtio_net_poll(), called by the
 * board between run slices (it only looks at rx_kick when nothing is queued) and when the
 * eventfd wakes wfi, moves frames into the guest's receive buffers. Frames that find no buffer
 * wait on the list (the driver's next notify of queue 0 delivers them), up to
 * VIRTIO_NET_RXQ_MAX frames or VIRTIO_NET_RXQ_BYTES; past that, and whenever the driver is not
 * running, new frames are dropped as a card without buffers drops them (TCP resends). A
 * receive buffer too small for its frame gets the frame dropped and is returned with length 0.
 *
 * Everything the guest wrote goes through virtio_pop(), which validates the chains; a broken
 * ring marks the device DEVICE_NEEDS_RESET and nothing more.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "dev/virtio.h"

#define VIRTIO_NET_F_MAC     5
#define VIRTIO_NET_F_STATUS  16
#define VIRTIO_NET_S_LINK_UP 1u
#define RXQ                  0u
#define TXQ                  1u

/* A frame waiting for a receive buffer. */
typedef struct net_frame {
    struct net_frame *next; /* the next newer frame */
    size_t len;             /* bytes in data */
    uint8_t data[];         /* the Ethernet frame */
} net_frame_t;

static bool running(const virtio_dev_t *d) {
    return (d->status & VIRTIO_STATUS_DRIVER_OK) && !(d->status & VIRTIO_STATUS_NEEDS_RESET) &&
           d->q[RXQ].ready;
}

/* Take the whole receive list (the caller owns it). */
static net_frame_t *rx_take(virtio_net_t *n) {
    pthread_mutex_lock(&n->rx_lock);
    net_frame_t *f = n->rx_head;
    n->rx_head = n->rx_tail = NULL;
    n->rx_count = 0;
    n->rx_bytes = 0;
    pthread_mutex_unlock(&n->rx_lock);
    return f;
}

/* Put frames not delivered back in front of the list (frames queued meanwhile stay after). */
static void rx_putback(virtio_net_t *n, net_frame_t *f) {
    if (!f) return;
    unsigned cnt = 0;
    size_t bytes = 0;
    net_frame_t *last = f;
    for (net_frame_t *p = f; p; p = p->next) {
        cnt++;
        bytes += p->len;
        last = p;
    }
    pthread_mutex_lock(&n->rx_lock);
    last->next = n->rx_head;
    if (!n->rx_head) n->rx_tail = last;
    n->rx_head = f;
    n->rx_count += cnt;
    n->rx_bytes += bytes;
    pthread_mutex_unlock(&n->rx_lock);
}

static void free_frames(virtio_net_t *n, net_frame_t *f, bool count) {
    while (f) {
        net_frame_t *next = f->next;
        if (count) __atomic_fetch_add(&n->rx_dropped, 1, __ATOMIC_RELAXED);
        free(f);
        f = next;
    }
}

int virtio_net_receive(virtio_net_t *n, const void *frame, size_t len) {
    if (len == 0 || len > VIRTIO_NET_FRAME_MAX) return -ENOBUFS;
    net_frame_t *f = malloc(sizeof(*f) + len);
    if (!f) return -ENOBUFS;
    f->next = NULL;
    f->len = len;
    memcpy(f->data, frame, len);
    pthread_mutex_lock(&n->rx_lock);
    if (n->rx_count >= VIRTIO_NET_RXQ_MAX || n->rx_bytes + len > VIRTIO_NET_RXQ_BYTES) {
        __atomic_fetch_add(&n->rx_dropped, 1, __ATOMIC_RELAXED);
        pthread_mutex_unlock(&n->rx_lock);
        free(f);
        return -ENOBUFS;
    }
    if (n->rx_tail)
        n->rx_tail->next = f;
    else
        n->rx_head = f;
    n->rx_tail = f;
    n->rx_count++;
    n->rx_bytes += len;
    pthread_mutex_unlock(&n->rx_lock);
    if (!__atomic_exchange_n(&n->rx_kick, 1, __ATOMIC_ACQ_REL)) {
        uint64_t one = 1;
        if (write(n->rx_efd, &one, sizeof(one)) < 0) { /* counter full: it is readable anyway */
        }
    }
    return 0;
}

/* Deliver queued frames into receive buffers while there are both. */
static void rx_deliver(virtio_net_t *n) {
    virtio_dev_t *d = &n->dev;
    net_frame_t *f = rx_take(n);
    if (!f) return;
    if (!running(d)) {
        free_frames(n, f, true);
        return;
    }
    bool any = false;
    while (f) {
        int r = virtio_pop(d, RXQ);
        if (r < 0) { /* the device needs a reset: nothing more is delivered */
            free_frames(n, f, true);
            f = NULL;
            break;
        }
        if (r == 0) break; /* no buffer: the rest waits */
        virtio_chain_t *c = &d->chain;
        uint32_t written = 0;
        if (c->write_len >= VIRTIO_NET_HDR_LEN + f->len) {
            uint8_t hdr[VIRTIO_NET_HDR_LEN] = {0};
            hdr[10] = 1; /* num_buffers (little-endian 16 bits) */
            virtio_chain_write(d, 0, hdr, sizeof(hdr));
            virtio_chain_write(d, VIRTIO_NET_HDR_LEN, f->data, f->len);
            written = (uint32_t)(VIRTIO_NET_HDR_LEN + f->len);
            n->rx_frames++;
        } else {
            __atomic_fetch_add(&n->rx_dropped, 1, __ATOMIC_RELAXED);
        }
        virtio_push(d, RXQ, c->head, written);
        any = true;
        net_frame_t *next = f->next;
        free(f);
        f = next;
    }
    rx_putback(n, f);
    if (any) virtio_signal(d, RXQ);
}

void virtio_net_poll(virtio_net_t *n) {
    if (!n->open || !__atomic_load_n(&n->rx_kick, __ATOMIC_ACQUIRE)) return;
    uint64_t v;
    __atomic_store_n(&n->rx_kick, 0, __ATOMIC_RELEASE);
    if (read(n->rx_efd, &v, sizeof(v)) < 0) { /* not readable: fine */
    }
    rx_deliver(n);
}

static void tx_serve(virtio_net_t *n) {
    virtio_dev_t *d = &n->dev;
    int r;
    bool any = false;
    while ((r = virtio_pop(d, TXQ)) == 1) {
        virtio_chain_t *c = &d->chain;
        uint64_t len = c->read_len;
        if (len <= VIRTIO_NET_HDR_LEN || len - VIRTIO_NET_HDR_LEN > VIRTIO_NET_FRAME_MAX) {
            n->tx_dropped++;
        } else {
            size_t flen = (size_t)(len - VIRTIO_NET_HDR_LEN);
            virtio_chain_read(d, VIRTIO_NET_HDR_LEN, n->txbuf, flen);
            n->tx_frames++;
            if (n->tx) n->tx(n->tx_opaque, n->txbuf, flen);
        }
        virtio_push(d, TXQ, c->head, 0);
        any = true;
    }
    if (any) virtio_signal(d, TXQ);
}

static void net_notify(virtio_dev_t *d, unsigned q) {
    virtio_net_t *n = (virtio_net_t *)d;
    if (q == TXQ) tx_serve(n);
    /* new receive buffers, or frames the backend answered with at once (ARP, ...) */
    rx_deliver(n);
}

/* The driver reset the device: frames queued for the old driver are dropped. */
static void net_reset(virtio_dev_t *d) {
    virtio_net_t *n = (virtio_net_t *)d;
    free_frames(n, rx_take(n), true);
}

int virtio_net_open(virtio_net_t *n, const uint8_t mac[6], virtio_net_tx_fn tx, void *tx_opaque,
                    char *err, size_t errlen) {
    virtio_dev_t keep = n->dev; /* the board's fields */
    memset(n, 0, sizeof(*n));
    n->dev.ram = keep.ram;
    n->dev.ram_base = keep.ram_base;
    n->dev.ram_size = keep.ram_size;
    n->dev.irq = keep.irq;
    n->dev.dma_written = keep.dma_written;
    n->dev.dma_opaque = keep.dma_opaque;
    memcpy(n->mac, mac, 6);
    n->tx = tx;
    n->tx_opaque = tx_opaque;
    n->txbuf = malloc(VIRTIO_NET_FRAME_MAX);
    n->rx_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (!n->txbuf || n->rx_efd < 0 || pthread_mutex_init(&n->rx_lock, NULL) != 0) {
        int e = n->txbuf ? errno : ENOMEM;
        snprintf(err, errlen, "cannot set up the network card: %s", strerror(e));
        free(n->txbuf);
        n->txbuf = NULL;
        if (n->rx_efd >= 0) close(n->rx_efd);
        n->rx_efd = -1;
        return -e;
    }
    n->open = true;
    virtio_dev_t *d = &n->dev;
    d->device_id = VIRTIO_ID_NET;
    d->host_features = (1ull << VIRTIO_NET_F_MAC) | (1ull << VIRTIO_NET_F_STATUS);
    d->nqueues = 2;
    d->config_len = 8;
    memcpy(d->config, mac, 6);           /* mac */
    d->config[6] = VIRTIO_NET_S_LINK_UP; /* status (little-endian 16 bits) */
    d->config[7] = 0;
    d->notify = net_notify;
    d->reset = net_reset;
    virtio_init(d);
    return 0;
}

void virtio_net_close(virtio_net_t *n) {
    if (!n->open) return;
    free_frames(n, rx_take(n), false);
    pthread_mutex_destroy(&n->rx_lock);
    close(n->rx_efd);
    n->rx_efd = -1;
    free(n->txbuf);
    n->txbuf = NULL;
    n->open = false;
}
