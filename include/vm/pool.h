/* pool.h - fixed-size object pool for VM-internal objects (translated blocks, page-table
 * pages, ...): O(1) allocation and release, objects carved from large slabs.
 *
 * Every object of a pool has the same size and is aligned to the pool's alignment (a power
 * of two, at least 16, at most VM_POOL_MAX_ALIGN). Freed objects go on an intrusive free
 * list and are handed out again first (most recently freed first); when the list is empty
 * the next object is cut from the current slab, and a new slab is mapped when that is used
 * up. vm_pool_reset() returns every object at once and keeps the slabs for reuse.
 *
 * Not thread-safe: a pool belongs to one thread (e.g. one per vCPU) or the caller holds its
 * own lock around every call.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Largest object alignment a pool offers (slabs are page-aligned host mappings). */
#define VM_POOL_MAX_ALIGN 4096u
/* Smallest object alignment; smaller requests are rounded up to it. */
#define VM_POOL_MIN_ALIGN 16u
/* Largest object size a pool accepts (bigger objects do not belong in a pool). */
#define VM_POOL_MAX_OBJ (16u * 1024u * 1024u)

/* Flags for vm_pool_create(). */
#define VM_POOL_ZERO 1u /* vm_pool_alloc() returns zero-filled objects */

/* A pool; opaque. */
typedef struct vm_pool vm_pool_t;

/* Counters of a pool, for reports and tests. */
typedef struct vm_pool_stats {
    size_t obj_size;   /* bytes per object as requested */
    size_t stride;     /* bytes between objects (size rounded up to the alignment) */
    size_t align;      /* alignment every object has */
    size_t in_use;     /* objects allocated and not yet freed */
    size_t capacity;   /* objects the mapped slabs can hold */
    size_t slabs;      /* slabs mapped */
    size_t slab_bytes; /* host bytes per slab */
    size_t peak;       /* highest in_use since creation or the last reset */
} vm_pool_stats_t;

/* Create a pool of obj_size-byte objects aligned to align (0 = VM_POOL_MIN_ALIGN) in *out.
 * 0, -EINVAL (size 0 or > VM_POOL_MAX_OBJ, align not a power of two or too large, unknown
 * flag, out NULL) or -ENOMEM. */
int vm_pool_create(vm_pool_t **out, size_t obj_size, size_t align, unsigned flags);
/* Release every slab and the pool itself (NULL is ignored). Objects become invalid. */
void vm_pool_destroy(vm_pool_t *pool);
/* One object, or NULL when the host is out of memory. O(1) (amortised over slab maps). */
void *vm_pool_alloc(vm_pool_t *pool);
/* Give back an object from vm_pool_alloc() of the same pool (NULL is ignored). O(1). */
void vm_pool_free(vm_pool_t *pool, void *obj);
/* Free every object at once; the slabs stay mapped for the next allocations. */
void vm_pool_reset(vm_pool_t *pool);
/* Current counters. */
vm_pool_stats_t vm_pool_stats(const vm_pool_t *pool);
/* True when ptr is the start of an object slot of this pool (O(slabs); for checks). */
bool vm_pool_owns(const vm_pool_t *pool, const void *ptr);

#ifdef __cplusplus
}
#endif
