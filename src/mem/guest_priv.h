/* guest_priv.h - private layout of the guest address map and the host-mapping helpers
 * shared by guest.c (the map and the accessors) and host_map.c (mmap, guards, THP, NUMA). */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/mem.h"

/* Host backing of one RAM or ROM region: a PROT_NONE reservation with the usable part in
 * the middle, so that a host access just outside the region faults. */
typedef struct mem_host_map {
    uint8_t *host;  /* usable bytes: [host, host + size) */
    uint64_t size;  /* usable bytes, page-aligned */
    void *map_base; /* start of the whole reservation (guards included) */
    size_t map_len; /* bytes of the whole reservation */
    bool hugepage;  /* MADV_HUGEPAGE was accepted for the usable part */
    int numa_node;  /* node the usable part is bound to, -1 when unbound */
} mem_host_map_t;

/* One region of the map. */
typedef struct mem_region {
    vm_mem_kind_t kind;       /* RAM, ROM or MMIO */
    gpa_t base;               /* first guest-physical address */
    gpa_t last;               /* last guest-physical address (base + size - 1, no wrap) */
    mem_host_map_t map;       /* RAM/ROM backing; zeroed for MMIO */
    const vm_mmio_ops_t *ops; /* MMIO device callbacks */
    void *opaque;             /* MMIO device state passed back to ops */
} mem_region_t;

/* Everything of a vm_mem_t that the inline fast path does not need. */
struct vm_mem_priv {
    mem_region_t *regions;  /* sorted by base, non-overlapping */
    size_t count;           /* regions in use */
    size_t cap;             /* regions allocated */
    atomic_size_t last_hit; /* index of the region the slow path found last (a hint) */
};

/* Reserve size bytes (page multiple) with guards, read/write, zeroed; apply THP and the
 * NUMA binding per opts (may be NULL). VM_MEM_OK or an error; *out untouched on error. */
vm_mem_err_t mem_host_map(uint64_t size, const vm_mem_ram_opts_t *opts, mem_host_map_t *out);
/* Make a mapping read-only (ROM) or read/write again. */
vm_mem_err_t mem_host_protect(const mem_host_map_t *m, bool writable);
/* Release a mapping made by mem_host_map() (a zeroed one is ignored). */
void mem_host_unmap(mem_host_map_t *m);
