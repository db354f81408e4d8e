/* virtio.h - virtio over MMIO (version 2, "modern") with split virtqueues, and the devices
 * on it: an entropy source (virtio-rng), a block device on a raw image file (virtio-blk) and
 * a network card (virtio-net) whose frames a backend (user-mode networking, net_slirp.h)
 * carries, and a console (virtio-console, the guest's hvc0).
 *
 * The board gives each transport its slot's interrupt line and the guest's RAM as one
 * window (host pointer, guest-physical base, size); the device reaches guest memory only
 * through virtio_gptr(), which checks every range against that window. Everything the guest
 * writes (register values, ring addresses, indexes, descriptors) is validated; a driver that
 * breaks the rules gets the device marked DEVICE_NEEDS_RESET with a configuration-change
 * interrupt, and the device ignores its queues until the driver resets it. See virtio.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/uio.h>

#include "vm/irq.h"
#include "vm/mem.h"

#define VIRTIO_MMIO_SIZE  0x1000u /* bytes of one transport's register window */
#define VIRTIO_QUEUE_MAX  256u    /* QueueNumMax of every queue (also the longest chain) */
#define VIRTIO_QUEUES_MAX 2u      /* queues one device may have */
#define VIRTIO_CONFIG_MAX 64u     /* bytes of device configuration space */

/* Device ids. */
#define VIRTIO_ID_NET     1u /* network card */
#define VIRTIO_ID_BLK     2u /* block device */
#define VIRTIO_ID_CONSOLE 3u /* console (hvc) */
#define VIRTIO_ID_RNG     4u /* entropy source */

/* Device status bits (the Status register). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1u   /* the guest noticed the device */
#define VIRTIO_STATUS_DRIVER      2u   /* the guest has a driver for it */
#define VIRTIO_STATUS_DRIVER_OK   4u   /* the driver is ready: queues may be used */
#define VIRTIO_STATUS_FEATURES_OK 8u   /* feature negotiation done (kept only if accepted) */
#define VIRTIO_STATUS_NEEDS_RESET 64u  /* the device met an error it cannot recover from */
#define VIRTIO_STATUS_FAILED      128u /* the driver gave up on the device */

/* Transport feature bits (the devices' own bits are below 24). */
#define VIRTIO_F_INDIRECT_DESC 28 /* descriptors may point to a table of descriptors */
#define VIRTIO_F_EVENT_IDX     29 /* used_event / avail_event interrupt suppression */
#define VIRTIO_F_VERSION_1     32 /* modern device: required */

/* Descriptor flags. */
#define VIRTQ_DESC_F_NEXT     1u /* the chain continues at `next` */
#define VIRTQ_DESC_F_WRITE    2u /* the buffer is device-writable */
#define VIRTQ_DESC_F_INDIRECT 4u /* the buffer is a table of descriptors */

/* Interrupt status bits. */
#define VIRTIO_INT_VRING  1u /* a used ring was updated */
#define VIRTIO_INT_CONFIG 2u /* the configuration (or the status) changed */

/* One buffer of a descriptor chain, already checked to lie in guest RAM. */
typedef struct virtio_seg {
    uint8_t *host; /* host address of the buffer */
    uint64_t gpa;  /* its guest-physical address */
    uint32_t len;  /* bytes (never 0) */
    bool write;    /* device-writable (else device-readable) */
} virtio_seg_t;

/* A descriptor chain taken from the avail ring: readable buffers first, then writable. */
typedef struct virtio_chain {
    uint16_t head;                      /* index of the head descriptor (the used id) */
    unsigned n;                         /* buffers in seg[] */
    unsigned nread;                     /* how many of them are device-readable (the first) */
    uint64_t read_len;                  /* bytes in the readable buffers */
    uint64_t write_len;                 /* bytes in the writable buffers */
    virtio_seg_t seg[VIRTIO_QUEUE_MAX]; /* the buffers */
} virtio_chain_t;

/* One split virtqueue as the driver configured it, plus the device's position in it. */
typedef struct virtio_queue {
    uint32_t num;            /* queue size (a power of two, 1..VIRTIO_QUEUE_MAX) */
    bool ready;              /* QueueReady: the rings were checked and are in use */
    uint64_t desc;           /* guest-physical address of the descriptor table */
    uint64_t avail;          /* ... of the available (driver) ring */
    uint64_t used;           /* ... of the used (device) ring */
    uint16_t last_avail;     /* next avail ring entry the device will take */
    uint16_t used_idx;       /* the used ring's idx as the device last wrote it */
    uint16_t signalled_used; /* used_idx at the last interrupt (event index) */
} virtio_queue_t;

struct virtio_dev;
/* The driver notified queue `q` (DRIVER_OK, the queue ready, the device healthy). */
typedef void (*virtio_notify_fn)(struct virtio_dev *d, unsigned q);
/* The driver reset the device (Status written with 0): drop per-run state. */
typedef void (*virtio_reset_fn)(struct virtio_dev *d);
/* The device wrote guest RAM [gpa, gpa+len) (the board drops translated code there). */
typedef void (*virtio_dma_fn)(void *opaque, uint64_t gpa, uint64_t len);

/* One virtio-mmio transport and the device behind it. */
typedef struct virtio_dev {
    /* set by the board before the guest runs */
    uint8_t *ram;              /* host address of guest RAM */
    uint64_t ram_base;         /* its guest-physical base */
    uint64_t ram_size;         /* its size in bytes */
    vm_irq_t irq;              /* the slot's interrupt line (to the PLIC) */
    virtio_dma_fn dma_written; /* told about every device write of guest RAM (or NULL) */
    void *dma_opaque;          /* its argument */
    /* set by the device model */
    uint32_t device_id;                /* VIRTIO_ID_* (0: an empty slot) */
    uint64_t host_features;            /* features offered (transport bits added by init) */
    unsigned nqueues;                  /* queues in use, <= VIRTIO_QUEUES_MAX */
    uint8_t config[VIRTIO_CONFIG_MAX]; /* device configuration space (little-endian) */
    unsigned config_len;               /* its size */
    virtio_notify_fn notify;           /* queue notification */
    virtio_reset_fn reset;             /* device reset (or NULL) */
    /* transport state (the registers) */
    uint32_t status;                     /* Status */
    uint32_t isr;                        /* InterruptStatus */
    uint32_t dev_features_sel;           /* DeviceFeaturesSel */
    uint32_t drv_features_sel;           /* DriverFeaturesSel */
    uint64_t features;                   /* DriverFeatures as written (accepted at FEATURES_OK) */
    uint32_t queue_sel;                  /* QueueSel */
    uint32_t config_generation;          /* ConfigGeneration */
    virtio_queue_t q[VIRTIO_QUEUES_MAX]; /* the queues */
    virtio_chain_t chain;                /* scratch: the chain being served */
    uint64_t errors;                     /* times the device was marked DEVICE_NEEDS_RESET */
} virtio_dev_t;

/* The transport's registers (vm_mem_add_mmio with a virtio_dev_t as opaque). */
extern const vm_mmio_ops_t virtio_mmio_ops;

/* Set up the transport around a device whose id, features, queues, config and callbacks
 * are filled in (adds the transport's feature bits); the board's fields must be set too. */
void virtio_init(virtio_dev_t *d);

/* Host address of guest RAM [gpa, gpa+len) if it lies wholly inside RAM, else NULL (len 0
 * counts as 1). The only way the device models reach guest memory. */
uint8_t *virtio_gptr(const virtio_dev_t *d, uint64_t gpa, uint64_t len);

/* Take the next available chain of queue q into d->chain. 1: got one; 0: the ring is empty;
 * -1: the driver broke a rule (the device is now marked DEVICE_NEEDS_RESET). */
int virtio_pop(virtio_dev_t *d, unsigned q);

/* Return chain `head` to the used ring of queue q with `written` bytes written. */
void virtio_push(virtio_dev_t *d, unsigned q, uint16_t head, uint32_t written);

/* After a batch of pushes: interrupt the driver unless it suppressed that (flags or event
 * index), and publish avail_event. */
void virtio_signal(virtio_dev_t *d, unsigned q);

/* Mark the device DEVICE_NEEDS_RESET and raise a configuration-change interrupt. */
void virtio_fail(virtio_dev_t *d, const char *why);

/* Copy up to len bytes from the readable part of chain c, starting `off` bytes in, into buf.
 * Returns the bytes copied. */
size_t virtio_segs_read(const virtio_chain_t *c, uint64_t off, void *buf, size_t len);

/* Copy len bytes into the writable part of chain c at `off` bytes in (as far as it goes),
 * reporting each piece to report's dma_written when report is not NULL (a device thread
 * passes NULL and the hart's thread reports at completion). Returns the bytes copied. */
size_t virtio_segs_write(virtio_chain_t *c, uint64_t off, const void *buf, size_t len,
                         const virtio_dev_t *report);

/* Copy up to len bytes from the readable part of d->chain, starting `off` bytes in, into
 * buf. Returns the bytes copied. */
size_t virtio_chain_read(const virtio_dev_t *d, uint64_t off, void *buf, size_t len);

/* Copy len bytes into the writable part of d->chain at `off` bytes in (as far as it goes).
 * Returns the bytes copied. */
size_t virtio_chain_write(virtio_dev_t *d, uint64_t off, const void *buf, size_t len);

/* ---- virtio-rng ---- */

/* Make d an entropy source (device id 4, one queue filled from the host's getrandom). */
void virtio_rng_setup(virtio_dev_t *d);

/* ---- virtio-blk ---- */

/* A block device on a raw image file. */
typedef struct virtio_blk {
    virtio_dev_t dev;       /* the transport; first member (the notify callback casts back) */
    int fd;                 /* the image file */
    uint64_t sectors;       /* capacity in 512-byte sectors */
    bool readonly;          /* VIRTIO_BLK_F_RO: writes fail with IOERR */
    bool snapshot;          /* writes stay in host memory; the file is never written */
    bool can_discard;       /* hole punching works on the file (discard offered) */
    struct blk_overlay *ov; /* snapshot: the sectors written so far */
    char id[20];            /* GET_ID's serial */
    uint64_t reads, writes, flushes, discards; /* requests served, for tests */
    uint64_t host_errors; /* host calls that failed (IOERR); the first one is reported */
    /* where requests were served, for --stats and tests (see virtio_blk.c, Threads) */
    uint64_t inline_served;    /* at the notify, on the hart's thread */
    uint64_t inline_fallbacks; /* tried there, would have waited: handed to the I/O thread */
    uint64_t idle_served;      /* by the hart's thread in wfi (virtio_blk_serve_idle) */
    uint64_t thread_served;    /* by the I/O thread */
    bool inline_off;           /* never serve at the notify (tests of the thread's path) */
    bool nowait_read_off;      /* the file refused RWF_NOWAIT reads: stop trying them inline */
    bool nowait_write_off;     /* ... RWF_NOWAIT writes */
    char *path;                /* the image's name, for the host-error message */
    /* the I/O thread and the hand-off (see virtio_blk.c) */
    pthread_t thread;                     /* serves requests in order */
    bool thread_on;                       /* it was started */
    pthread_mutex_t lock;                 /* guards the lists and busy/stop */
    pthread_cond_t wake;                  /* a request was submitted, or stop */
    pthread_cond_t idle;                  /* a request was done */
    struct blk_job *submit, *submit_tail; /* requests not yet taken (FIFO) */
    struct blk_job *done, *done_tail;     /* served, not yet returned to the used ring */
    bool busy;                            /* the thread is serving one */
    bool stop;                            /* close: end after the submitted ones */
    int efd;                              /* eventfd: readable when `done` may be non-empty */
    unsigned gen;                         /* reset generation: older completions dropped */
} virtio_blk_t;

/* Open `path` as a raw image. Returns 0 or -errno with err set. */
int virtio_blk_open(virtio_blk_t *b, const char *path, bool readonly, bool snapshot, char *err,
                    size_t errlen);
/* Close the image and free the overlay (ends the I/O thread after what it was given). */
void virtio_blk_close(virtio_blk_t *b);
/* On the hart's thread: return the served requests to the used ring and interrupt. Call
 * between run slices and when b->efd becomes readable. */
void virtio_blk_poll(virtio_blk_t *b);
/* On the hart's thread, when it would otherwise sleep in wfi: serve the reads and writes at
 * the head of the queue here (not flushes or discards) unless the I/O thread is serving one.
 * True when it served any: the caller then polls, and the guest gets its interrupt. */
bool virtio_blk_serve_idle(virtio_blk_t *b);
/* Wait until every submitted request is served, then poll (tests, fuzzing). */
void virtio_blk_drain(virtio_blk_t *b);

/* ---- virtio-net ---- */

#define VIRTIO_NET_HDR_LEN   12u    /* struct virtio_net_hdr of a modern device (no offloads) */
#define VIRTIO_NET_FRAME_MAX 65536u /* longest Ethernet frame either way (without the header) */
#define VIRTIO_NET_RXQ_MAX   8192u  /* frames waiting for guest buffers before new ones drop */
#define VIRTIO_NET_RXQ_BYTES (16u << 20) /* ... and their bytes */

/* The host side of a network card: told each frame the guest sends (on the hart's thread). */
typedef void (*virtio_net_tx_fn)(void *opaque, const uint8_t *frame, size_t len);

/* A network card: queue 0 receives (host to guest), queue 1 transmits. */
typedef struct virtio_net {
    virtio_dev_t dev;              /* the transport; first member (callbacks cast back) */
    uint8_t mac[6];                /* the card's address (config space, VIRTIO_NET_F_MAC) */
    virtio_net_tx_fn tx;           /* where transmitted frames go (NULL: dropped) */
    void *tx_opaque;               /* its argument */
    pthread_mutex_t rx_lock;       /* guards the receive list (filled from any thread) */
    struct net_frame *rx_head;     /* frames for the guest, oldest first */
    struct net_frame *rx_tail;     /* the newest */
    unsigned rx_count;             /* frames in the list (<= VIRTIO_NET_RXQ_MAX) */
    size_t rx_bytes;               /* their bytes (<= VIRTIO_NET_RXQ_BYTES) */
    int rx_efd;                    /* eventfd: readable when frames were queued (wakes wfi) */
    int rx_kick;                   /* atomic: frames were queued since the last poll */
    bool open;                     /* virtio_net_open succeeded (the lock and eventfd exist) */
    uint8_t *txbuf;                /* VIRTIO_NET_FRAME_MAX bytes: a transmitted frame gathered */
    uint64_t rx_frames, tx_frames; /* frames delivered to / taken from the guest */
    uint64_t rx_dropped;           /* frames dropped (no driver, list full, small buffer); atomic */
    uint64_t tx_dropped;           /* transmitted chains that held no valid frame */
} virtio_net_t;

/* Make n a network card with address `mac` whose transmitted frames go to tx(tx_opaque, ...)
 * (the board's fields of n->dev must be set). Returns 0 or -errno with err set. */
int virtio_net_open(virtio_net_t *n, const uint8_t mac[6], virtio_net_tx_fn tx, void *tx_opaque,
                    char *err, size_t errlen);
/* Free the receive list and the eventfd (the backend must be closed first). */
void virtio_net_close(virtio_net_t *n);
/* From any thread: queue a frame for the guest (copied). 0, or -ENOBUFS when the list is full
 * or the frame is empty or too long (the frame is dropped, as a card without buffers drops
 * it). */
int virtio_net_receive(virtio_net_t *n, const void *frame, size_t len);
/* On the hart's thread: move queued frames into the guest's receive buffers and interrupt.
 * Call between run slices and when n->rx_efd becomes readable (cheap when nothing waits). */
void virtio_net_poll(virtio_net_t *n);

/* ---- virtio-console ---- */

#define VIRTIO_CONSOLE_IN_MAX 4096u /* console input bytes kept for the guest's buffers */

/* A console with port 0 only: queue 0 receives (host to guest), queue 1 transmits. */
typedef struct virtio_console {
    virtio_dev_t dev;                  /* the transport; first member (callbacks cast back) */
    FILE *out;                         /* where the guest's output goes (NULL: dropped) */
    uint8_t in[VIRTIO_CONSOLE_IN_MAX]; /* input not yet in a guest buffer (a ring) */
    unsigned in_head;                  /* oldest byte of in */
    unsigned in_count;                 /* bytes in in */
    uint64_t tx_bytes;                 /* bytes the guest wrote */
    uint64_t rx_bytes;                 /* bytes delivered to the guest */
    uint64_t rx_dropped;               /* input bytes dropped (reset, no room, broken ring) */
} virtio_console_t;

/* Make c a console whose output goes to `out` (the board's fields of c->dev must be set). */
void virtio_console_setup(virtio_console_t *c, FILE *out);
/* Input bytes the console takes now, or -1 when its driver is not ready (not DRIVER_OK, the
 * device broken, receiveq not ready, or no receive buffer posted): then input belongs to
 * another console (the UART). */
int virtio_console_room(const virtio_console_t *c);
/* Keep one input byte for the guest (dropped and counted when there is no room). */
void virtio_console_put(virtio_console_t *c, uint8_t b);
/* On the hart's thread: move kept input into the guest's receive buffers and interrupt. */
void virtio_console_poll(virtio_console_t *c);
