/* virtio_blk.c - virtio block device (id 2) on a raw image file.
 *
 * A request is one chain: a 16-byte header (type, reserved, sector) in the readable part,
 * then data (readable for OUT and DISCARD, writable for IN and GET_ID), then one writable
 * status byte, the chain's last. IN and OUT move whole 512-byte sectors with preadv/pwritev
 * straight between the image and the guest's buffers (no copy through the host); FLUSH is
 * fdatasync; GET_ID writes a 20-byte serial; DISCARD punches holes (fallocate
 * PUNCH_HOLE|KEEP_SIZE) for each 16-byte segment. A request that reaches beyond the capacity,
 * whose data is not whole sectors, or whose host I/O fails (full disk, read-only file, I/O
 * error) completes with VIRTIO_BLK_S_IOERR; an unknown type with UNSUPP. A chain without a
 * 16-byte header or a status byte cannot be answered at all and marks the device
 * DEVICE_NEEDS_RESET.
 *
 * Host errors. Every failure of the host's pwritev, preadv, fdatasync or fallocate (EIO,
 * ENOSPC on a full disk, EFBIG past RLIMIT_FSIZE, EROFS, ...) becomes IOERR for that request
 * alone: the device goes on serving the next ones, and the guest's kernel reports the I/O
 * error to whatever wrote. The first failure of a drive prints one line on stderr naming the
 * file, the operation and the host's error; later ones only count (`host_errors`), so a guest
 * that keeps writing to a full disk cannot flood the terminal. Opening a writable drive
 * ignores SIGXFSZ when it has its default action (ending the process), so that a write past
 * the file-size limit fails with EFBIG instead of killing the machine.
 *
 * Ordering and durability. The requests of a drive are served one at a time (by its I/O
 * thread, or by the hart's thread at the notify or while the guest idles; see Threads) in
 * the order the driver made them available, and each completes only after its host call
 * returned: a write is in the host kernel (its page cache) before the guest sees it done,
 * and FLUSH, an fdatasync of the image, is served after every request made available before
 * it. So what the guest flushed survives vm being killed (it is in the host's page cache)
 * and the host losing power (it is on the host's disk), which is what the guest's file
 * system needs from a volatile write cache (the device offers VIRTIO_BLK_F_FLUSH, so Linux
 * runs it in write-back mode and flushes at every journal commit and fsync).
 *
 * readonly=on offers VIRTIO_BLK_F_RO and fails every write and discard with IOERR.
 * snapshot=on keeps written sectors in a host-memory overlay (a hash table of sectors) that
 * reads consult after reading the file; the file is opened read-only and never changes.
 *
 * Threads. The hart's thread takes chains from the avail ring when the driver notifies the
 * queue and validates them (virtio_pop). A read or a write that the host can do without
 * waiting for its disk is served right there (blk_serve_inline): preadv2/pwritev2 with
 * RWF_NOWAIT, which the host's kernel serves from its page cache or refuses with EAGAIN; the
 * completion goes to the used ring and the interrupt is raised before the guest's next
 * instruction. That is only done when no other request is queued, in service or waiting to
 * be returned, so it keeps the order below; and a request that would wait (EAGAIN, a
 * transfer that stopped part way, a file system without RWF_NOWAIT, any host error) is not
 * completed there but handed to the I/O thread like every other one, which does it again
 * from the start without the flag (and reports a host error as its own). So a guest that
 * waits for each request, as `dd` with O_DIRECT does, pays no thread hand-off, no wake-up
 * of the I/O thread and none of the hart: the hart's thread copies the data itself, which
 * it would otherwise wait for anyway.
 *
 * The others are submitted as jobs holding a copy of their buffer list to the device's I/O
 * thread, and the hart returns to the guest at once. The I/O thread serves jobs in
 * submission order (so a FLUSH follows the writes before it), writes the data and the
 * status byte into guest RAM through the host pointers validated on submission, and appends
 * the job to the done list under the lock, then writes the eventfd. Only the hart's thread
 * touches the rings, the interrupt line and the decode caches: virtio_blk_poll(), called by
 * the board between run slices and when the eventfd wakes its wfi ppoll(), moves done jobs to
 * the used ring and raises the interrupt. When the hart has nothing else to do (the guest
 * waits in wfi) it serves the reads and writes at the head of the queue itself
 * (virtio_blk_serve_idle), one at a time like the thread (`busy` keeps the servers, the
 * thread, the idle hart and the notify, from serving at once, so the order holds).
 * Flushes and discards (which may take long) stay with the thread.
 * A driver reset waits for the job in service and the
 * queued ones (they write guest RAM) and drops their completions; close serves what was
 * submitted and joins the thread before guest RAM goes away.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dev/virtio.h"

#define SECTOR 512u

/* virtio-blk feature bits */
#define VIRTIO_BLK_F_SEG_MAX  2
#define VIRTIO_BLK_F_RO       5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH    9
#define VIRTIO_BLK_F_DISCARD  13

/* request types and status values */
#define VIRTIO_BLK_T_IN      0u
#define VIRTIO_BLK_T_OUT     1u
#define VIRTIO_BLK_T_FLUSH   4u
#define VIRTIO_BLK_T_GET_ID  8u
#define VIRTIO_BLK_T_DISCARD 11u
#define VIRTIO_BLK_S_OK      0u
#define VIRTIO_BLK_S_IOERR   1u
#define VIRTIO_BLK_S_UNSUPP  2u

#define DISCARD_SEG_MAX     32u
#define DISCARD_SECTORS_MAX (1u << 22) /* 2 GiB per segment */

/* The snapshot overlay: open hashing of written sectors. */
typedef struct blk_overlay {
    uint64_t *keys; /* sector + 1 (0: empty slot) */
    uint8_t **data; /* SECTOR bytes each */
    size_t cap;     /* slots (a power of two) */
    size_t count;   /* sectors held */
} blk_overlay_t;

static size_t ov_slot(const blk_overlay_t *o, uint64_t sector) {
    uint64_t h = (sector + 1) * 0x9e3779b97f4a7c15ull;
    size_t i = (size_t)(h >> 17) & (o->cap - 1);
    while (o->keys[i] && o->keys[i] != sector + 1)
        i = (i + 1) & (o->cap - 1);
    return i;
}

static uint8_t *ov_find(const blk_overlay_t *o, uint64_t sector) {
    if (!o->count) return NULL;
    size_t i = ov_slot(o, sector);
    return o->keys[i] ? o->data[i] : NULL;
}

/* The overlay's copy of `sector`, created if new; NULL when out of host memory. */
static uint8_t *ov_get(blk_overlay_t *o, uint64_t sector) {
    if (2 * (o->count + 1) > o->cap) {
        size_t ncap = o->cap ? 2 * o->cap : 1024;
        blk_overlay_t n = {calloc(ncap, sizeof(uint64_t)), calloc(ncap, sizeof(uint8_t *)), ncap,
                           o->count};
        if (!n.keys || !n.data) {
            free(n.keys);
            free(n.data);
            return NULL;
        }
        for (size_t i = 0; i < o->cap; i++)
            if (o->keys[i]) {
                size_t j = ov_slot(&n, o->keys[i] - 1);
                n.keys[j] = o->keys[i];
                n.data[j] = o->data[i];
            }
        free(o->keys);
        free(o->data);
        *o = n;
    }
    size_t i = ov_slot(o, sector);
    if (!o->keys[i]) {
        uint8_t *p = malloc(SECTOR);
        if (!p) return NULL;
        o->keys[i] = sector + 1;
        o->data[i] = p;
        o->count++;
    }
    return o->data[i];
}

static void ov_free(blk_overlay_t *o) {
    if (!o) return;
    for (size_t i = 0; i < o->cap; i++)
        free(o->data[i]);
    free(o->keys);
    free(o->data);
    free(o);
}

/* iovecs for the data part of the chain: readable buffers from byte 16 on (OUT), or the
 * writable buffers without the final status byte (IN). Returns the count. */
static int data_iov(const virtio_chain_t *c, bool write_part, struct iovec *iov) {
    int n = 0;
    if (!write_part) {
        uint64_t skip = 16;
        for (unsigned i = 0; i < c->nread; i++) {
            const virtio_seg_t *s = &c->seg[i];
            if (skip >= s->len) {
                skip -= s->len;
                continue;
            }
            iov[n++] = (struct iovec){s->host + skip, s->len - skip};
            skip = 0;
        }
    } else {
        uint64_t left = c->write_len - 1;
        for (unsigned i = c->nread; i < c->n && left; i++) {
            const virtio_seg_t *s = &c->seg[i];
            size_t k = s->len < left ? s->len : (size_t)left;
            iov[n++] = (struct iovec){s->host, k};
            left -= k;
        }
    }
    return n;
}

/* Whole-range positioned vector I/O (retrying short transfers). 0 or -errno. With `nowait`
 * each call carries RWF_NOWAIT: the host's kernel serves it from its page cache or fails it
 * with EAGAIN instead of waiting for the disk (a transfer may stop part way; the caller then
 * redoes the whole request without it). */
static int rw_all(int fd, struct iovec *iov, int n, uint64_t off, bool write, bool nowait) {
    int flags = nowait ? RWF_NOWAIT : 0;
    while (n > 0) {
        int k = n > IOV_MAX ? IOV_MAX : n;
        ssize_t r = write ? pwritev2(fd, iov, k, (off_t)off, flags)
                          : preadv2(fd, iov, k, (off_t)off, flags);
        if (r < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        if (r == 0) {
            if (write) return -EIO;
            /* past the end of a file shorter than a sector multiple: zeros */
            for (int i = 0; i < n; i++)
                memset(iov[i].iov_base, 0, iov[i].iov_len);
            return 0;
        }
        off += (uint64_t)r;
        while (n > 0 && (size_t)r >= iov->iov_len) {
            r -= (ssize_t)iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (uint8_t *)iov->iov_base + r;
            iov->iov_len -= (size_t)r;
        }
    }
    return 0;
}

static uint64_t iov_len(const struct iovec *iov, int n) {
    uint64_t t = 0;
    for (int i = 0; i < n; i++)
        t += iov[i].iov_len;
    return t;
}

/* Walk the bytes of iov in sector steps, calling fn on each (sector, pointer) piece. */
static bool iov_sectors(struct iovec *iov, int n, uint64_t sector, bool to_overlay,
                        blk_overlay_t *ov) {
    uint8_t tmp[SECTOR];
    int i = 0;
    size_t pos = 0;
    uint64_t total = iov_len(iov, n);
    for (uint64_t s = 0; s < total / SECTOR; s++) {
        /* gather or scatter one sector across the iovecs */
        uint8_t *o = to_overlay ? ov_get(ov, sector + s) : ov_find(ov, sector + s);
        if (to_overlay && !o) return false;
        size_t got = 0;
        while (got < SECTOR) {
            size_t k = iov[i].iov_len - pos < SECTOR - got ? iov[i].iov_len - pos : SECTOR - got;
            uint8_t *p = (uint8_t *)iov[i].iov_base + pos;
            if (to_overlay)
                memcpy(tmp + got, p, k);
            else if (o)
                memcpy(p, o + got, k);
            got += k;
            pos += k;
            if (pos == iov[i].iov_len) {
                i++;
                pos = 0;
            }
        }
        if (to_overlay) memcpy(o, tmp, SECTOR);
    }
    return true;
}

/* A request on its way through the I/O thread: the chain as it was validated. */
typedef struct blk_job {
    struct blk_job *next; /* in the submit or the done list */
    uint32_t type;        /* VIRTIO_BLK_T_* */
    uint64_t sector;      /* from the header */
    uint32_t written;     /* bytes written into the writable buffers (the used length) */
    unsigned gen;         /* the device's reset generation when submitted */
    virtio_chain_t c;     /* the buffers (host pointers into guest RAM) */
} blk_job_t;

/* A host call failed with errno e: count it, say so once per drive, and give the guest IOERR.
 * `sector` is where the request starts (UINT64_MAX: a flush, which has none). Runs on the
 * I/O thread, the only one that touches host_errors. */
static uint8_t blk_host_error(virtio_blk_t *b, const char *op, uint64_t sector, int e) {
    if (b->host_errors++ == 0) {
        char at[48] = "";
        if (sector != UINT64_MAX)
            snprintf(at, sizeof(at), " at sector %llu", (unsigned long long)sector);
        fprintf(stderr,
                "vm: drive %s: %s%s failed on the host: %s; the guest gets an I/O error (later "
                "failures of this drive are not reported)\n",
                b->path ? b->path : "?", op, at, strerror(e));
    }
    return VIRTIO_BLK_S_IOERR;
}

/* blk_rw's and blk_serve's answer when a request tried with `nowait` would have to wait for
 * the host (its data not in the host's page cache, the file system unable to promise): the
 * guest's buffers and status byte may hold part of the data but nothing is complete, and the
 * request goes to the I/O thread, which does it again from the start. Not a virtio status. */
#define BLK_WOULD_BLOCK 0xffu

static uint8_t blk_rw(virtio_blk_t *b, virtio_chain_t *c, uint64_t sector, bool write,
                      bool nowait) {
    struct iovec iov[VIRTIO_QUEUE_MAX];
    int n = data_iov(c, !write, iov);
    uint64_t len = iov_len(iov, n);
    if (len % SECTOR || sector > b->sectors || len / SECTOR > b->sectors - sector)
        return VIRTIO_BLK_S_IOERR;
    if (write && b->readonly) return VIRTIO_BLK_S_IOERR;
    if (len == 0) return VIRTIO_BLK_S_OK;
    if (write && b->snapshot) { /* host memory only: never waits */
        b->writes++;
        return iov_sectors(iov, n, sector, true, b->ov) ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
    }
    if (nowait && (write ? b->nowait_write_off : b->nowait_read_off)) return BLK_WOULD_BLOCK;
    struct iovec copy[VIRTIO_QUEUE_MAX];
    memcpy(copy, iov, sizeof(iov[0]) * (size_t)n);
    int e = rw_all(b->fd, copy, n, sector * SECTOR, write, nowait);
    if (e != 0 && nowait) {
        /* EAGAIN: it would wait. EOPNOTSUPP (or EINVAL from older kernels' buffered writes):
         * this file never takes RWF_NOWAIT that way, so stop asking. Any other failure is
         * left to the thread too, which tries again without the flag and reports it. */
        if (e == -EOPNOTSUPP || e == -EINVAL) {
            if (write)
                b->nowait_write_off = true;
            else
                b->nowait_read_off = true;
        }
        return BLK_WOULD_BLOCK;
    }
    if (e != 0) return blk_host_error(b, write ? "a write" : "a read", sector, -e);
    if (!write) {
        if (b->snapshot && b->ov->count) iov_sectors(iov, n, sector, false, b->ov);
        b->reads++;
    } else {
        b->writes++;
    }
    return VIRTIO_BLK_S_OK;
}

static uint8_t blk_discard(virtio_blk_t *b, const virtio_chain_t *c) {
    uint64_t len = c->read_len - 16;
    if (len == 0 || len % 16 || len / 16 > DISCARD_SEG_MAX) return VIRTIO_BLK_S_IOERR;
    if (b->readonly) return VIRTIO_BLK_S_IOERR;
    for (uint64_t off = 16; off < c->read_len; off += 16) {
        uint8_t seg[16];
        virtio_segs_read(c, off, seg, 16);
        uint64_t sector;
        uint32_t num, flags;
        memcpy(&sector, seg, 8);
        memcpy(&num, seg + 8, 4);
        memcpy(&flags, seg + 12, 4);
        sector = VM_MEM_LE64(sector);
        num = VM_MEM_LE32(num);
        flags = VM_MEM_LE32(flags);
        if (flags || num > DISCARD_SECTORS_MAX || sector > b->sectors || num > b->sectors - sector)
            return VIRTIO_BLK_S_IOERR;         /* unmap flag: only for WRITE_ZEROES */
        if (b->snapshot || num == 0) continue; /* discard is a hint: the data may stay */
        if (fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)(sector * SECTOR),
                      (off_t)num * SECTOR) != 0 &&
            errno != EOPNOTSUPP)
            return blk_host_error(b, "a discard", sector, errno);
    }
    b->discards++;
    return VIRTIO_BLK_S_OK;
}

/* Serve one request: the host I/O, then the status byte; *written gets the used length.
 * With `nowait` (the hart's thread, at the notify) only what cannot wait for the host's disk
 * is served: IN and OUT with RWF_NOWAIT, GET_ID and unknown types; a FLUSH, a DISCARD or I/O
 * that would wait returns BLK_WOULD_BLOCK with the status byte untouched. Otherwise returns
 * the status written. Called by one server at a time (b->busy). */
static uint8_t blk_serve(virtio_blk_t *b, uint32_t type, uint64_t sector, virtio_chain_t *c,
                         bool nowait, uint32_t *written) {
    uint8_t st;
    *written = 1;
    switch (type) {
    case VIRTIO_BLK_T_IN:
        st = blk_rw(b, c, sector, false, nowait);
        if (st == VIRTIO_BLK_S_OK) *written = (uint32_t)c->write_len;
        break;
    case VIRTIO_BLK_T_OUT: st = blk_rw(b, c, sector, true, nowait); break;
    case VIRTIO_BLK_T_FLUSH:
        if (nowait) return BLK_WOULD_BLOCK;
        st = b->snapshot || fdatasync(b->fd) == 0 ? VIRTIO_BLK_S_OK
                                                  : blk_host_error(b, "a flush", UINT64_MAX, errno);
        b->flushes++;
        break;
    case VIRTIO_BLK_T_GET_ID: {
        uint64_t room = c->write_len - 1;
        size_t k = room < sizeof(b->id) ? (size_t)room : sizeof(b->id);
        virtio_segs_write(c, 0, b->id, k, NULL);
        *written = (uint32_t)k + 1;
        st = VIRTIO_BLK_S_OK;
        break;
    }
    case VIRTIO_BLK_T_DISCARD:
        if (nowait && b->can_discard) return BLK_WOULD_BLOCK;
        st = b->can_discard ? blk_discard(b, c) : VIRTIO_BLK_S_UNSUPP;
        break;
    default: st = VIRTIO_BLK_S_UNSUPP; break;
    }
    if (st == BLK_WOULD_BLOCK) return st;
    virtio_segs_write(c, c->write_len - 1, &st, 1, NULL);
    return st;
}

/* Serve the first submitted request and queue it as done. Called with b->lock held and a
 * request submitted; the lock is dropped while the request runs, with b->busy set so that
 * whoever else serves (the I/O thread, or a hart's thread in virtio_blk_serve_idle) waits and
 * requests complete in the order they were submitted. */
static void serve_next(virtio_blk_t *b) {
    blk_job_t *j = b->submit;
    b->submit = j->next;
    if (!b->submit) b->submit_tail = NULL;
    b->busy = true;
    pthread_mutex_unlock(&b->lock);
    blk_serve(b, j->type, j->sector, &j->c, false, &j->written);
    pthread_mutex_lock(&b->lock);
    b->busy = false;
    j->next = NULL;
    if (b->done_tail)
        b->done_tail->next = j;
    else
        b->done = j;
    b->done_tail = j;
}

/* The I/O thread: take requests in order, serve them, hand them back through the done list
 * and the eventfd. */
static void *blk_thread(void *arg) {
    virtio_blk_t *b = arg;
    pthread_mutex_lock(&b->lock);
    for (;;) {
        /* busy: the hart's thread is serving one (virtio_blk_serve_idle); one at a time */
        while ((!b->submit || b->busy) && !b->stop)
            pthread_cond_wait(&b->wake, &b->lock);
        while (b->busy)
            pthread_cond_wait(&b->idle, &b->lock);
        if (!b->submit) break; /* stop, nothing left */
        serve_next(b);
        b->thread_served++;
        pthread_cond_broadcast(&b->idle);
        uint64_t one = 1;
        if (b->efd >= 0 && write(b->efd, &one, sizeof(one)) < 0) { /* counter full: still set */
        }
    }
    pthread_mutex_unlock(&b->lock);
    return NULL;
}

bool virtio_blk_serve_idle(virtio_blk_t *b) {
    if (!b->thread_on) return false;
    bool any = false;
    pthread_mutex_lock(&b->lock);
    while (b->submit && !b->busy &&
           (b->submit->type == VIRTIO_BLK_T_IN || b->submit->type == VIRTIO_BLK_T_OUT)) {
        serve_next(b);
        b->idle_served++;
        any = true;
    }
    if (any) {
        pthread_cond_broadcast(&b->idle);
        if (b->submit) pthread_cond_signal(&b->wake); /* a flush (or more) for the thread */
    }
    pthread_mutex_unlock(&b->lock);
    return any;
}

void virtio_blk_poll(virtio_blk_t *b) {
    if (!b->thread_on) return;
    if (b->efd >= 0) { /* clear it first: a completion after this sets it again */
        uint64_t v;
        if (read(b->efd, &v, sizeof(v)) < 0) { /* nothing pending: fine */
        }
    }
    pthread_mutex_lock(&b->lock);
    blk_job_t *j = b->done;
    b->done = b->done_tail = NULL;
    pthread_mutex_unlock(&b->lock);
    bool any = false;
    while (j) {
        blk_job_t *next = j->next;
        if (j->gen == b->gen) {
            virtio_dev_t *d = &b->dev;
            if (d->dma_written && (j->type == VIRTIO_BLK_T_IN || j->type == VIRTIO_BLK_T_GET_ID))
                for (unsigned i = j->c.nread; i < j->c.n; i++)
                    d->dma_written(d->dma_opaque, j->c.seg[i].gpa, j->c.seg[i].len);
            virtio_push(d, 0, j->c.head, j->written);
            any = true;
        }
        free(j);
        j = next;
    }
    if (any) virtio_signal(&b->dev, 0);
}

void virtio_blk_drain(virtio_blk_t *b) {
    if (!b->thread_on) return;
    pthread_mutex_lock(&b->lock);
    while (b->submit || b->busy)
        pthread_cond_wait(&b->idle, &b->lock);
    pthread_mutex_unlock(&b->lock);
    virtio_blk_poll(b);
}

/* The driver reset the device: wait for requests in flight (they write guest RAM), then drop
 * their completions. */
static void blk_reset(virtio_dev_t *d) {
    virtio_blk_t *b = (virtio_blk_t *)d;
    if (!b->thread_on) return;
    pthread_mutex_lock(&b->lock);
    while (b->submit || b->busy)
        pthread_cond_wait(&b->idle, &b->lock);
    pthread_mutex_unlock(&b->lock);
    b->gen++;
    virtio_blk_poll(b); /* frees them: their generation is old */
}

/* At the notify, on the hart's thread: serve the request in d->chain here and now when no
 * other request is queued, in service or waiting to be returned (so the order holds), and
 * it can be done without waiting for the host's disk (blk_serve with `nowait`). Then it goes
 * to the used ring at once, and the caller raises the interrupt after the batch: the guest
 * sees the completion before its next instruction, without a hand-off to the I/O thread and
 * back. False: not served (nothing written that counts); the caller queues it. */
static bool blk_serve_inline(virtio_blk_t *b, uint32_t type, uint64_t sector) {
    virtio_dev_t *d = &b->dev;
    virtio_chain_t *c = &d->chain;
    if (b->inline_off || type == VIRTIO_BLK_T_FLUSH ||
        (type == VIRTIO_BLK_T_DISCARD && b->can_discard))
        return false; /* these may wait for the host's disk: the thread's */
    pthread_mutex_lock(&b->lock);
    bool mine = !b->submit && !b->busy && !b->done;
    if (mine) b->busy = true; /* the thread and serve_idle wait: one server at a time */
    pthread_mutex_unlock(&b->lock);
    if (!mine) return false;
    uint32_t written;
    uint8_t st = blk_serve(b, type, sector, c, true, &written);
    pthread_mutex_lock(&b->lock);
    b->busy = false;
    pthread_cond_broadcast(&b->idle);
    pthread_mutex_unlock(&b->lock);
    if (st == BLK_WOULD_BLOCK) {
        b->inline_fallbacks++;
        return false;
    }
    b->inline_served++;
    if (d->dma_written && (type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID))
        for (unsigned i = c->nread; i < c->n; i++)
            d->dma_written(d->dma_opaque, c->seg[i].gpa, c->seg[i].len);
    virtio_push(d, 0, c->head, written);
    return true;
}

static void blk_notify(virtio_dev_t *d, unsigned q) {
    virtio_blk_t *b = (virtio_blk_t *)d;
    bool pushed = false;
    while (virtio_pop(d, q) == 1) {
        virtio_chain_t *c = &d->chain;
        uint8_t hdr[16];
        if (c->read_len < 16 || c->write_len < 1 || virtio_chain_read(d, 0, hdr, 16) != 16) {
            virtio_fail(d, "block request without header or status");
            break;
        }
        uint32_t type;
        uint64_t sector;
        memcpy(&type, hdr, 4);
        memcpy(&sector, hdr + 8, 8);
        type = VM_MEM_LE32(type);
        sector = VM_MEM_LE64(sector);
        if (blk_serve_inline(b, type, sector)) {
            pushed = true;
            continue;
        }
        size_t sz =
            offsetof(blk_job_t, c) + offsetof(virtio_chain_t, seg) + c->n * sizeof(virtio_seg_t);
        blk_job_t *j = malloc(sz < sizeof(blk_job_t) ? sz : sizeof(blk_job_t));
        if (!j) {
            virtio_fail(d, "out of host memory");
            break;
        }
        j->next = NULL;
        j->type = type;
        j->sector = sector;
        j->gen = b->gen;
        memcpy(&j->c, c, offsetof(virtio_chain_t, seg) + c->n * sizeof(virtio_seg_t));
        pthread_mutex_lock(&b->lock);
        if (b->submit_tail)
            b->submit_tail->next = j;
        else
            b->submit = j;
        b->submit_tail = j;
        pthread_cond_signal(&b->wake);
        pthread_mutex_unlock(&b->lock);
    }
    if (pushed) virtio_signal(d, 0);
}

static void put32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

int virtio_blk_open(virtio_blk_t *b, const char *path, bool readonly, bool snapshot, char *err,
                    size_t errlen) {
    virtio_dev_t keep = b->dev; /* the board's fields */
    memset(b, 0, sizeof(*b));
    b->efd = -1;
    b->dev.ram = keep.ram;
    b->dev.ram_base = keep.ram_base;
    b->dev.ram_size = keep.ram_size;
    b->dev.irq = keep.irq;
    b->dev.dma_written = keep.dma_written;
    b->dev.dma_opaque = keep.dma_opaque;
    bool writable = !readonly && !snapshot;
    b->fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (b->fd < 0) {
        int e = errno;
        if (writable && (e == EACCES || e == EPERM || e == EROFS))
            snprintf(err, errlen,
                     "cannot open the drive %s for writing: %s (add readonly=on to give the "
                     "guest a read-only disk, or snapshot=on to keep its writes in memory)",
                     path, strerror(e));
        else
            snprintf(err, errlen, "cannot open the drive %s: %s", path, strerror(e));
        return -e;
    }
    struct stat st;
    if (fstat(b->fd, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
        snprintf(err, errlen, "the drive %s is not a regular file", path);
        close(b->fd);
        b->fd = -1;
        return -EINVAL;
    }
    off_t size = S_ISBLK(st.st_mode) ? lseek(b->fd, 0, SEEK_END) : st.st_size;
    if (size < (off_t)SECTOR) {
        snprintf(err, errlen, "the drive %s is smaller than one 512-byte sector", path);
        close(b->fd);
        b->fd = -1;
        return -EINVAL;
    }
    b->sectors = (uint64_t)size / SECTOR;
    b->readonly = readonly;
    b->snapshot = snapshot;
    if (snapshot) {
        b->ov = calloc(1, sizeof(*b->ov));
        if (!b->ov) {
            close(b->fd);
            b->fd = -1;
            snprintf(err, errlen, "out of memory");
            return -ENOMEM;
        }
    }
    b->can_discard = !readonly;
    b->path = strdup(path); /* for the host-error message; NULL only prints "?" */
    if (writable) {
        /* a write past RLIMIT_FSIZE must fail with EFBIG, not end the process */
        struct sigaction sa;
        if (sigaction(SIGXFSZ, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
            signal(SIGXFSZ, SIG_IGN);
    }
    snprintf(b->id, sizeof(b->id), "vm-%llx", (unsigned long long)st.st_ino);

    virtio_dev_t *d = &b->dev;
    d->device_id = VIRTIO_ID_BLK;
    d->host_features = (1ull << VIRTIO_BLK_F_SEG_MAX) | (1ull << VIRTIO_BLK_F_BLK_SIZE) |
                       (1ull << VIRTIO_BLK_F_FLUSH);
    if (readonly) d->host_features |= 1ull << VIRTIO_BLK_F_RO;
    if (b->can_discard) d->host_features |= 1ull << VIRTIO_BLK_F_DISCARD;
    d->nqueues = 1;
    d->config_len = 60;
    uint8_t *cf = d->config;
    put32(cf + 0, (uint32_t)b->sectors); /* capacity */
    put32(cf + 4, (uint32_t)(b->sectors >> 32));
    put32(cf + 12, VIRTIO_QUEUE_MAX - 2); /* seg_max: the header and status take two */
    put32(cf + 20, SECTOR);               /* blk_size */
    put32(cf + 36, DISCARD_SECTORS_MAX);  /* max_discard_sectors */
    put32(cf + 40, DISCARD_SEG_MAX);      /* max_discard_seg */
    put32(cf + 44, 8);                    /* discard_sector_alignment: 4 KiB */
    d->notify = blk_notify;
    d->reset = blk_reset;
    b->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (b->efd < 0 || pthread_mutex_init(&b->lock, NULL) != 0) {
        int e = errno;
        snprintf(err, errlen, "cannot set up the I/O thread of %s: %s", path, strerror(e));
        if (b->efd >= 0) close(b->efd);
        close(b->fd);
        ov_free(b->ov);
        free(b->path);
        b->path = NULL;
        return -e;
    }
    pthread_cond_init(&b->wake, NULL);
    pthread_cond_init(&b->idle, NULL);
    int e = pthread_create(&b->thread, NULL, blk_thread, b);
    if (e != 0) {
        snprintf(err, errlen, "cannot start the I/O thread of %s: %s", path, strerror(e));
        pthread_cond_destroy(&b->wake);
        pthread_cond_destroy(&b->idle);
        pthread_mutex_destroy(&b->lock);
        close(b->efd);
        close(b->fd);
        ov_free(b->ov);
        free(b->path);
        b->path = NULL;
        return -e;
    }
    b->thread_on = true;
    virtio_init(d);
    return 0;
}

void virtio_blk_close(virtio_blk_t *b) {
    if (b->thread_on) {
        pthread_mutex_lock(&b->lock);
        b->stop = true;
        pthread_cond_signal(&b->wake);
        pthread_mutex_unlock(&b->lock);
        pthread_join(b->thread, NULL); /* serves what was submitted, then ends */
        b->gen++;
        virtio_blk_poll(b);
        b->thread_on = false;
        pthread_cond_destroy(&b->wake);
        pthread_cond_destroy(&b->idle);
        pthread_mutex_destroy(&b->lock);
        close(b->efd);
        b->efd = -1;
    }
    if (b->fd >= 0) close(b->fd);
    b->fd = -1;
    ov_free(b->ov);
    b->ov = NULL;
    free(b->path);
    b->path = NULL;
}
