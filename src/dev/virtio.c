/* virtio.c - the virtio-mmio transport (virtio 1.x, MMIO version 2) and split virtqueues.
 *
 * Register file. Offsets below 0x100 are 32-bit registers: MagicValue ("virt"), Version (2),
 * DeviceID, VendorID, the 64-bit feature words read and written 32 bits at a time through
 * DeviceFeaturesSel / DriverFeaturesSel, QueueSel / QueueNumMax / QueueNum / QueueReady /
 * QueueNotify, the three 64-bit ring addresses as Low/High pairs, InterruptStatus /
 * InterruptACK, Status and ConfigGeneration. From 0x100 on lies the device's configuration
 * space, read in 1, 2 or 4-byte pieces. Accesses of other widths or to unknown offsets read
 * as zero and are ignored.
 *
 * Negotiation. The device offers VERSION_1, INDIRECT_DESC and EVENT_IDX on top of its own
 * bits. When the driver sets FEATURES_OK, the bit is kept only if the driver's features are a
 * subset of the offer and include VERSION_1 (a legacy driver reads it back clear and gives
 * up). Features written at another time are ignored. Writing 0 to Status resets the device:
 * queues, interrupt status, features and the error state.
 *
 * Queues. QueueNum must be a power of two no larger than QueueNumMax (256). QueueReady = 1
 * checks the three rings: aligned (16, 2, 4 bytes) and wholly inside guest RAM, including the
 * event-index words. Ring addresses and sizes written while a queue is ready are ignored.
 *
 * Chains. virtio_pop() reads avail.idx (then an acquire fence, so the ring entries it guards
 * are read after it); more than `num` entries ahead of the device is an error. A head or a
 * `next` outside the table, a buffer outside RAM or of length 0, a readable buffer after a
 * writable one, an indirect descriptor inside an indirect table, one with NEXT set, one not
 * negotiated, or a table whose length is 0, not a multiple of 16 or more than `num`
 * descriptors, and a chain longer than `num` buffers in all (which is also how a loop ends)
 * are errors. Every error marks the device DEVICE_NEEDS_RESET (status bit 64) with a
 * configuration-change interrupt; until the driver resets it, notifications are ignored, so a
 * hostile driver costs the host at most one walk of `num` descriptors per notification.
 *
 * Completion. virtio_push() writes the used element, then a release fence, then used.idx, so
 * a driver that sees the new index sees the element and the data before it. virtio_signal()
 * interrupts once per batch: with EVENT_IDX, when used_event lies in the range of indexes the
 * batch published (vring_need_event), otherwise unless avail.flags has NO_INTERRUPT. With
 * EVENT_IDX, virtio_pop() that finds the ring empty writes avail_event = the next entry it
 * will take, then a full fence, then reads avail.idx again: a driver that added an entry
 * before it could see the new avail_event did not notify, and that entry is taken now. (The
 * block device returns completions long after the notification, from its I/O thread's work,
 * so avail_event must not wait for them.)
 *
 * Threads: everything here runs on the hart's thread (MMIO callbacks and notifications).
 */
#include "dev/virtio.h"

#include <stdio.h>
#include <string.h>

#define VIRTIO_MAGIC  0x74726976u /* "virt" */
#define VIRTIO_VENDOR 0x00004d56u /* "VM" */

enum {
    R_MAGIC = 0x000,
    R_VERSION = 0x004,
    R_DEVICE_ID = 0x008,
    R_VENDOR_ID = 0x00c,
    R_DEV_FEATURES = 0x010,
    R_DEV_FEATURES_SEL = 0x014,
    R_DRV_FEATURES = 0x020,
    R_DRV_FEATURES_SEL = 0x024,
    R_QUEUE_SEL = 0x030,
    R_QUEUE_NUM_MAX = 0x034,
    R_QUEUE_NUM = 0x038,
    R_QUEUE_READY = 0x044,
    R_QUEUE_NOTIFY = 0x050,
    R_INT_STATUS = 0x060,
    R_INT_ACK = 0x064,
    R_STATUS = 0x070,
    R_QUEUE_DESC_LO = 0x080,
    R_QUEUE_DESC_HI = 0x084,
    R_QUEUE_AVAIL_LO = 0x090,
    R_QUEUE_AVAIL_HI = 0x094,
    R_QUEUE_USED_LO = 0x0a0,
    R_QUEUE_USED_HI = 0x0a4,
    R_SHM_LEN_LO = 0x0b0,
    R_SHM_LEN_HI = 0x0b4,
    R_CONFIG_GEN = 0x0fc,
    R_CONFIG = 0x100,
};

#define VRING_AVAIL_F_NO_INTERRUPT 1u

uint8_t *virtio_gptr(const virtio_dev_t *d, uint64_t gpa, uint64_t len) {
    if (len == 0) len = 1;
    uint64_t off = gpa - d->ram_base;
    if (gpa < d->ram_base || off >= d->ram_size || len > d->ram_size - off) return NULL;
    return d->ram + off;
}

static uint16_t rd16(const uint8_t *p) {
    uint16_t v;
    memcpy(&v, p, 2);
    return VM_MEM_LE16(v);
}
static uint32_t rd32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return VM_MEM_LE32(v);
}
static uint64_t rd64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return VM_MEM_LE64(v);
}
static void wr16(uint8_t *p, uint16_t v) {
    v = VM_MEM_LE16(v);
    memcpy(p, &v, 2);
}
static void wr32(uint8_t *p, uint32_t v) {
    v = VM_MEM_LE32(v);
    memcpy(p, &v, 4);
}

static bool has(const virtio_dev_t *d, unsigned bit) {
    return (d->features >> bit) & 1;
}

static void update_irq(virtio_dev_t *d) {
    vm_irq_set(&d->irq, d->isr != 0);
}

void virtio_fail(virtio_dev_t *d, const char *why) {
    (void)why;
    if (!(d->status & VIRTIO_STATUS_NEEDS_RESET)) d->errors++;
    d->status |= VIRTIO_STATUS_NEEDS_RESET;
    if (d->status & VIRTIO_STATUS_DRIVER_OK) {
        d->isr |= VIRTIO_INT_CONFIG;
        update_irq(d);
    }
}

static void reset(virtio_dev_t *d) {
    d->status = 0;
    d->isr = 0;
    d->features = 0;
    d->dev_features_sel = d->drv_features_sel = 0;
    d->queue_sel = 0;
    memset(d->q, 0, sizeof(d->q));
    if (d->reset) d->reset(d);
    update_irq(d);
}

void virtio_init(virtio_dev_t *d) {
    d->host_features |= (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_F_INDIRECT_DESC) |
                        (1ull << VIRTIO_F_EVENT_IDX);
    if (d->nqueues > VIRTIO_QUEUES_MAX) d->nqueues = VIRTIO_QUEUES_MAX;
    if (d->config_len > VIRTIO_CONFIG_MAX) d->config_len = VIRTIO_CONFIG_MAX;
    reset(d);
}

/* QueueReady = 1: check the rings of q against RAM. */
static bool queue_check(virtio_dev_t *d, virtio_queue_t *q) {
    uint64_t n = q->num;
    if (n == 0 || (n & (n - 1)) || n > VIRTIO_QUEUE_MAX) return false;
    if ((q->desc & 15) || (q->avail & 1) || (q->used & 3)) return false;
    return virtio_gptr(d, q->desc, 16 * n) && virtio_gptr(d, q->avail, 6 + 2 * n) &&
           virtio_gptr(d, q->used, 6 + 8 * n);
}

int virtio_pop(virtio_dev_t *d, unsigned qi) {
    if (qi >= d->nqueues || (d->status & VIRTIO_STATUS_NEEDS_RESET)) return 0;
    virtio_queue_t *q = &d->q[qi];
    if (!q->ready) return 0;
    /* the rings were checked at QueueReady and cannot move while it is set */
    uint8_t *avail = d->ram + (q->avail - d->ram_base);
    uint8_t *table = d->ram + (q->desc - d->ram_base);
    uint16_t aidx = __atomic_load_n((uint16_t *)(void *)(avail + 2), __ATOMIC_ACQUIRE);
    aidx = VM_MEM_LE16(aidx);
    uint16_t ahead = (uint16_t)(aidx - q->last_avail);
    if (ahead == 0 && has(d, VIRTIO_F_EVENT_IDX)) {
        /* the ring looks empty: ask for a notification at the next entry (avail_event), then
         * look again, so that an entry added before the driver saw avail_event is not missed
         * (completions may come much later, from another thread's work) */
        uint8_t *used = d->ram + (q->used - d->ram_base);
        wr16(used + 4 + 8 * (uint64_t)q->num, q->last_avail);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        aidx = VM_MEM_LE16(__atomic_load_n((uint16_t *)(void *)(avail + 2), __ATOMIC_ACQUIRE));
        ahead = (uint16_t)(aidx - q->last_avail);
    }
    if (ahead == 0) return 0;
    if (ahead > q->num) {
        virtio_fail(d, "avail.idx too far ahead");
        return -1;
    }
    uint16_t head = rd16(avail + 4 + 2 * (q->last_avail % q->num));
    if (head >= q->num) {
        virtio_fail(d, "head out of the table");
        return -1;
    }
    virtio_chain_t *c = &d->chain;
    c->head = head;
    c->n = c->nread = 0;
    c->read_len = c->write_len = 0;
    uint32_t tsize = q->num, i = head, steps = 0;
    bool indirect = false;
    for (;;) {
        if (++steps > q->num + 1) { /* + 1: the indirect descriptor itself */
            virtio_fail(d, "chain too long or looping");
            return -1;
        }
        const uint8_t *de = table + 16 * (uint64_t)i;
        uint64_t addr = rd64(de);
        uint32_t len = rd32(de + 8);
        uint16_t flags = rd16(de + 12), next = rd16(de + 14);
        if (flags & VIRTQ_DESC_F_INDIRECT) {
            if (indirect || c->n || !has(d, VIRTIO_F_INDIRECT_DESC) ||
                (flags & VIRTQ_DESC_F_NEXT) || len == 0 || (len & 15) || len / 16 > q->num) {
                virtio_fail(d, "bad indirect descriptor");
                return -1;
            }
            uint8_t *t = virtio_gptr(d, addr, len);
            if (!t || (addr & 15)) {
                virtio_fail(d, "indirect table outside RAM");
                return -1;
            }
            table = t;
            tsize = len / 16;
            i = 0;
            indirect = true;
            continue;
        }
        uint8_t *h = len ? virtio_gptr(d, addr, len) : NULL;
        if (!h) {
            virtio_fail(d, "buffer outside RAM or empty");
            return -1;
        }
        bool w = flags & VIRTQ_DESC_F_WRITE;
        if (!w && c->n > c->nread) {
            virtio_fail(d, "readable buffer after a writable one");
            return -1;
        }
        if (c->n >= VIRTIO_QUEUE_MAX) {
            virtio_fail(d, "chain too long");
            return -1;
        }
        c->seg[c->n++] = (virtio_seg_t){h, addr, len, w};
        if (w)
            c->write_len += len;
        else {
            c->nread++;
            c->read_len += len;
        }
        if (!(flags & VIRTQ_DESC_F_NEXT)) break;
        if (next >= tsize) {
            virtio_fail(d, "next out of the table");
            return -1;
        }
        i = next;
    }
    q->last_avail++;
    return 1;
}

void virtio_push(virtio_dev_t *d, unsigned qi, uint16_t head, uint32_t written) {
    if (qi >= d->nqueues || !d->q[qi].ready) return;
    virtio_queue_t *q = &d->q[qi];
    uint8_t *used = d->ram + (q->used - d->ram_base);
    uint8_t *e = used + 4 + 8 * (uint64_t)(q->used_idx % q->num);
    wr32(e, head);
    wr32(e + 4, written);
    q->used_idx++;
    __atomic_store_n((uint16_t *)(void *)(used + 2), VM_MEM_LE16(q->used_idx), __ATOMIC_RELEASE);
}

void virtio_signal(virtio_dev_t *d, unsigned qi) {
    if (qi >= d->nqueues || !d->q[qi].ready) return;
    virtio_queue_t *q = &d->q[qi];
    uint8_t *avail = d->ram + (q->avail - d->ram_base);
    uint8_t *used = d->ram + (q->used - d->ram_base);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    bool fire;
    if (has(d, VIRTIO_F_EVENT_IDX)) {
        wr16(used + 4 + 8 * (uint64_t)q->num, q->last_avail); /* avail_event */
        uint16_t event = rd16(avail + 4 + 2 * (uint64_t)q->num), old = q->signalled_used;
        uint16_t now = q->used_idx;
        /* vring_need_event: event in [old, now) modulo 2^16 */
        fire = (uint16_t)(now - event - 1) < (uint16_t)(now - old);
    } else {
        fire = q->used_idx != q->signalled_used && !(rd16(avail) & VRING_AVAIL_F_NO_INTERRUPT);
    }
    q->signalled_used = q->used_idx;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (fire) {
        d->isr |= VIRTIO_INT_VRING;
        update_irq(d);
    }
}

size_t virtio_segs_read(const virtio_chain_t *c, uint64_t off, void *buf, size_t len) {
    size_t done = 0;
    for (unsigned i = 0; i < c->nread && done < len; i++) {
        const virtio_seg_t *s = &c->seg[i];
        if (off >= s->len) {
            off -= s->len;
            continue;
        }
        size_t k = s->len - off < len - done ? (size_t)(s->len - off) : len - done;
        memcpy((uint8_t *)buf + done, s->host + off, k);
        done += k;
        off = 0;
    }
    return done;
}

size_t virtio_segs_write(virtio_chain_t *c, uint64_t off, const void *buf, size_t len,
                         const virtio_dev_t *report) {
    size_t done = 0;
    for (unsigned i = c->nread; i < c->n && done < len; i++) {
        virtio_seg_t *s = &c->seg[i];
        if (off >= s->len) {
            off -= s->len;
            continue;
        }
        size_t k = s->len - off < len - done ? (size_t)(s->len - off) : len - done;
        memcpy(s->host + off, (const uint8_t *)buf + done, k);
        if (report && report->dma_written) report->dma_written(report->dma_opaque, s->gpa + off, k);
        done += k;
        off = 0;
    }
    return done;
}

size_t virtio_chain_read(const virtio_dev_t *d, uint64_t off, void *buf, size_t len) {
    return virtio_segs_read(&d->chain, off, buf, len);
}

size_t virtio_chain_write(virtio_dev_t *d, uint64_t off, const void *buf, size_t len) {
    return virtio_segs_write(&d->chain, off, buf, len, d);
}

/* Status written. */
static void set_status(virtio_dev_t *d, uint32_t v) {
    if (v == 0) {
        reset(d);
        return;
    }
    v &= 0xffu;
    if ((v & VIRTIO_STATUS_FEATURES_OK) && !(d->status & VIRTIO_STATUS_FEATURES_OK)) {
        bool ok = (d->features & ~d->host_features) == 0 && has(d, VIRTIO_F_VERSION_1);
        if (!ok) v &= ~VIRTIO_STATUS_FEATURES_OK;
    }
    if ((v & VIRTIO_STATUS_DRIVER_OK) && !((v | d->status) & VIRTIO_STATUS_FEATURES_OK))
        v &= ~VIRTIO_STATUS_DRIVER_OK; /* DRIVER_OK before FEATURES_OK is not accepted */
    /* bits are cleared only by a reset; NEEDS_RESET is the device's to set */
    d->status |= v & ~VIRTIO_STATUS_NEEDS_RESET;
}

static vm_mem_err_t virtio_read(void *opaque, uint64_t off, unsigned size, uint64_t *val) {
    virtio_dev_t *d = opaque;
    *val = 0;
    if (off >= R_CONFIG) {
        uint64_t o = off - R_CONFIG;
        if (size <= 4 && o < d->config_len && size <= d->config_len - o) {
            uint32_t v = 0;
            for (unsigned i = 0; i < size; i++)
                v |= (uint32_t)d->config[o + i] << (8 * i);
            *val = v;
        }
        return VM_MEM_OK;
    }
    if (size != 4) return VM_MEM_OK;
    virtio_queue_t *q = d->queue_sel < d->nqueues ? &d->q[d->queue_sel] : NULL;
    switch (off) {
    case R_MAGIC: *val = VIRTIO_MAGIC; break;
    case R_VERSION: *val = 2; break;
    case R_DEVICE_ID: *val = d->device_id; break;
    case R_VENDOR_ID: *val = VIRTIO_VENDOR; break;
    case R_DEV_FEATURES:
        *val = d->dev_features_sel < 2 ? (uint32_t)(d->host_features >> (32 * d->dev_features_sel))
                                       : 0;
        break;
    case R_QUEUE_NUM_MAX: *val = q ? VIRTIO_QUEUE_MAX : 0; break;
    case R_QUEUE_READY: *val = q && q->ready; break;
    case R_INT_STATUS: *val = d->isr; break;
    case R_STATUS: *val = d->status; break;
    case R_SHM_LEN_LO:
    case R_SHM_LEN_HI: *val = 0xffffffffu; break; /* no shared memory regions */
    case R_CONFIG_GEN: *val = d->config_generation; break;
    default: break;
    }
    return VM_MEM_OK;
}

static void set_half(uint64_t *r, bool high, uint32_t v) {
    *r = high ? (*r & 0xffffffffull) | ((uint64_t)v << 32) : (*r & ~0xffffffffull) | v;
}

static vm_mem_err_t virtio_write(void *opaque, uint64_t off, unsigned size, uint64_t val) {
    virtio_dev_t *d = opaque;
    if (off >= R_CONFIG || size != 4 || d->device_id == 0) return VM_MEM_OK; /* config: RO */
    uint32_t v = (uint32_t)val;
    virtio_queue_t *q = d->queue_sel < d->nqueues ? &d->q[d->queue_sel] : NULL;
    bool qcfg = q && !q->ready; /* ring settings change only while the queue is not ready */
    switch (off) {
    case R_DEV_FEATURES_SEL: d->dev_features_sel = v; break;
    case R_DRV_FEATURES_SEL: d->drv_features_sel = v; break;
    case R_DRV_FEATURES:
        if ((d->status & VIRTIO_STATUS_DRIVER) && !(d->status & VIRTIO_STATUS_FEATURES_OK) &&
            d->drv_features_sel < 2)
            set_half(&d->features, d->drv_features_sel == 1, v);
        break;
    case R_QUEUE_SEL: d->queue_sel = v; break;
    case R_QUEUE_NUM:
        if (qcfg) {
            if (v == 0 || (v & (v - 1)) || v > VIRTIO_QUEUE_MAX)
                virtio_fail(d, "queue size not a power of two up to QueueNumMax");
            else
                q->num = v;
        }
        break;
    case R_QUEUE_READY:
        if (!q) break;
        if (v & 1) {
            if (q->ready) break;
            if (!queue_check(d, q)) {
                virtio_fail(d, "queue rings outside RAM or misaligned");
                break;
            }
            q->ready = true;
            q->last_avail = q->used_idx = q->signalled_used = 0;
        } else {
            q->ready = false;
        }
        break;
    case R_QUEUE_NOTIFY:
        if (v < d->nqueues && d->q[v].ready && (d->status & VIRTIO_STATUS_DRIVER_OK) &&
            !(d->status & VIRTIO_STATUS_NEEDS_RESET) && d->notify)
            d->notify(d, v);
        break;
    case R_INT_ACK:
        d->isr &= ~v;
        update_irq(d);
        break;
    case R_STATUS: set_status(d, v); break;
    case R_QUEUE_DESC_LO:
    case R_QUEUE_DESC_HI:
        if (qcfg) set_half(&q->desc, off == R_QUEUE_DESC_HI, v);
        break;
    case R_QUEUE_AVAIL_LO:
    case R_QUEUE_AVAIL_HI:
        if (qcfg) set_half(&q->avail, off == R_QUEUE_AVAIL_HI, v);
        break;
    case R_QUEUE_USED_LO:
    case R_QUEUE_USED_HI:
        if (qcfg) set_half(&q->used, off == R_QUEUE_USED_HI, v);
        break;
    default: break;
    }
    return VM_MEM_OK;
}

const vm_mmio_ops_t virtio_mmio_ops = {
    .name = "virtio-mmio",
    .read = virtio_read,
    .write = virtio_write,
    .widths = VM_MEM_W1 | VM_MEM_W2 | VM_MEM_W4 | VM_MEM_W8,
    .allow_unaligned = false,
};
