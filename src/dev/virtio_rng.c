/* virtio_rng.c - virtio entropy device (id 4): one queue whose device-writable buffers are
 * filled from the host's getrandom(). Readable buffers in a chain are ignored; at most 64 KiB
 * is produced per chain so that a huge buffer cannot stall the hart. */
#include <sys/random.h>

#include "dev/virtio.h"

#define RNG_CHUNK_MAX 65536u

static void rng_notify(virtio_dev_t *d, unsigned q) {
    int r;
    while ((r = virtio_pop(d, q)) == 1) {
        uint64_t want = d->chain.write_len < RNG_CHUNK_MAX ? d->chain.write_len : RNG_CHUNK_MAX;
        uint32_t done = 0;
        for (unsigned i = d->chain.nread; i < d->chain.n && done < want; i++) {
            virtio_seg_t *s = &d->chain.seg[i];
            size_t k = s->len < want - done ? s->len : (size_t)(want - done), got = 0;
            while (got < k) {
                ssize_t n = getrandom(s->host + got, k - got, 0);
                if (n <= 0) break;
                got += (size_t)n;
            }
            if (got && d->dma_written) d->dma_written(d->dma_opaque, s->gpa, got);
            done += (uint32_t)got;
            if (got < k) break;
        }
        virtio_push(d, q, d->chain.head, done);
    }
    virtio_signal(d, q);
}

void virtio_rng_setup(virtio_dev_t *d) {
    d->device_id = VIRTIO_ID_RNG;
    d->host_features = 0;
    d->nqueues = 1;
    d->config_len = 0;
    d->notify = rng_notify;
    d->reset = NULL;
    virtio_init(d);
}
