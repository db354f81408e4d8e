/* pool.c - fixed-size object pool.
 *
 * A pool owns a list of slabs, each one private anonymous mapping (page-aligned, so any
 * alignment up to a page is free). A slab starts with its header; the object slots follow at
 * the first multiple of the alignment, `stride` bytes apart (the object size rounded up to
 * the alignment). Allocation pops the intrusive free list (the first word of a free slot
 * links to the next one) or, when it is empty, cuts the next never-used slot of the current
 * slab, mapping a new slab when that one is full: O(1) either way, the slab map amortised.
 * vm_pool_reset() forgets the free list and starts cutting from the first slab again, so a
 * reset pool reuses its slabs without returning them to the host.
 *
 * In sanitizer builds every slot that is not allocated is poisoned, so a use after
 * vm_pool_free() or an overflow past obj_size is reported, and a double free is caught.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "asan.h"
#include "vm/memops.h"
#include "vm/pool.h"

/* Host page size slabs are rounded to. */
#define POOL_PAGE 4096u
/* Smallest slab: small objects share one mapping of at least this many bytes. */
#define POOL_SLAB_MIN (64u * 1024u)
/* Objects per slab at least (larger objects get larger slabs). */
#define POOL_SLAB_OBJS 4u

/* One mapped slab; its header sits at the start of the mapping. */
typedef struct pool_slab {
    struct pool_slab *next; /* next slab in creation order (NULL = last) */
} pool_slab_t;

struct vm_pool {
    size_t obj_size;    /* bytes requested per object */
    size_t stride;      /* bytes between slots */
    size_t align;       /* slot alignment */
    size_t first;       /* offset of slot 0 inside a slab */
    size_t per_slab;    /* slots per slab */
    size_t slab_bytes;  /* bytes per slab mapping */
    unsigned flags;     /* VM_POOL_* */
    pool_slab_t *slabs; /* every slab, oldest first */
    pool_slab_t *cur;   /* slab slots are being cut from (NULL before the first) */
    size_t cur_used;    /* slots of cur already cut */
    void *free_list;    /* freed slots, most recent first */
    size_t in_use;      /* objects handed out and not freed */
    size_t nslabs;      /* slabs mapped */
    size_t peak;        /* highest in_use since create/reset */
};

/* Round x up to a multiple of the power of two a. */
static size_t round_up(size_t x, size_t a) {
    return (x + a - 1) & ~(a - 1);
}

int vm_pool_create(vm_pool_t **out, size_t obj_size, size_t align, unsigned flags) {
    if (!out) return -EINVAL;
    *out = NULL;
    if (align == 0) align = VM_POOL_MIN_ALIGN;
    if (obj_size == 0 || obj_size > VM_POOL_MAX_OBJ || (align & (align - 1)) ||
        align > VM_POOL_MAX_ALIGN || (flags & ~VM_POOL_ZERO))
        return -EINVAL;
    if (align < VM_POOL_MIN_ALIGN) align = VM_POOL_MIN_ALIGN;
    vm_pool_t *p = calloc(1, sizeof *p);
    if (!p) return -ENOMEM;
    p->obj_size = obj_size;
    p->align = align;
    p->stride = round_up(obj_size, align);
    p->first = round_up(sizeof(pool_slab_t), align);
    p->slab_bytes = p->first + POOL_SLAB_OBJS * p->stride;
    if (p->slab_bytes < POOL_SLAB_MIN) p->slab_bytes = POOL_SLAB_MIN;
    p->slab_bytes = round_up(p->slab_bytes, POOL_PAGE);
    p->per_slab = (p->slab_bytes - p->first) / p->stride;
    p->flags = flags;
    *out = p;
    return 0;
}

void vm_pool_destroy(vm_pool_t *pool) {
    if (!pool) return;
    for (pool_slab_t *s = pool->slabs, *next; s; s = next) {
        next = s->next;
        mem_asan_unpoison(s, pool->slab_bytes); /* the host may reuse the range */
        munmap(s, pool->slab_bytes);
    }
    free(pool);
}

/* Slot i of slab s. */
static uint8_t *slot(const vm_pool_t *p, pool_slab_t *s, size_t i) {
    return (uint8_t *)s + p->first + i * p->stride;
}

/* Move cur to the next slab, mapping one if none is left; false when out of memory. */
static bool next_slab(vm_pool_t *p) {
    pool_slab_t *s = p->cur ? p->cur->next : p->slabs;
    if (!s) {
        void *m =
            mmap(NULL, p->slab_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) return false;
        s = m;
        s->next = NULL;
        mem_asan_poison(slot(p, s, 0), p->slab_bytes - p->first);
        if (p->cur)
            p->cur->next = s;
        else
            p->slabs = s;
        p->nslabs++;
    }
    p->cur = s;
    p->cur_used = 0;
    return true;
}

void *vm_pool_alloc(vm_pool_t *pool) {
    uint8_t *obj = pool->free_list;
    if (obj) {
        mem_asan_unpoison(obj, pool->stride); /* the link may lie past a small object */
        memcpy(&pool->free_list, obj, sizeof(void *));
        mem_asan_poison(obj + pool->obj_size, pool->stride - pool->obj_size);
    } else {
        if ((!pool->cur || pool->cur_used == pool->per_slab) && !next_slab(pool)) return NULL;
        obj = slot(pool, pool->cur, pool->cur_used++);
        mem_asan_unpoison(obj, pool->obj_size);
    }
    if (++pool->in_use > pool->peak) pool->peak = pool->in_use;
    if (pool->flags & VM_POOL_ZERO) vm_memset(obj, 0, pool->obj_size);
    return obj;
}

void vm_pool_free(vm_pool_t *pool, void *obj) {
    if (!obj) return;
    if (mem_asan_poisoned(obj)) { /* only sanitizer builds can see this */
        fprintf(stderr, "vm_pool_free: double free of %p\n", obj);
        abort();
    }
    memcpy(obj, &pool->free_list, sizeof(void *));
    pool->free_list = obj;
    pool->in_use--;
    mem_asan_poison(obj, pool->stride);
}

void vm_pool_reset(vm_pool_t *pool) {
    for (pool_slab_t *s = pool->slabs; s; s = s->next)
        mem_asan_poison(slot(pool, s, 0), pool->slab_bytes - pool->first);
    pool->free_list = NULL;
    pool->cur = NULL;
    pool->cur_used = 0;
    pool->in_use = 0;
    pool->peak = 0;
}

vm_pool_stats_t vm_pool_stats(const vm_pool_t *pool) {
    return (vm_pool_stats_t){.obj_size = pool->obj_size,
                             .stride = pool->stride,
                             .align = pool->align,
                             .in_use = pool->in_use,
                             .capacity = pool->nslabs * pool->per_slab,
                             .slabs = pool->nslabs,
                             .slab_bytes = pool->slab_bytes,
                             .peak = pool->peak};
}

bool vm_pool_owns(const vm_pool_t *pool, const void *ptr) {
    uintptr_t a = (uintptr_t)ptr;
    for (const pool_slab_t *s = pool->slabs; s; s = s->next) {
        uintptr_t lo = (uintptr_t)s + pool->first;
        uintptr_t hi = lo + pool->per_slab * pool->stride;
        if (a >= lo && a < hi) return (a - lo) % pool->stride == 0;
    }
    return false;
}
