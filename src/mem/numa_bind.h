/* numa_bind.h - binding host pages to a NUMA node, present only when the build found
 * libnuma (VM_HAVE_NUMA); otherwise every request reports VM_MEM_E_NOTSUP. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "vm/mem.h"

#if defined(VM_HAVE_NUMA) && VM_HAVE_NUMA
#include <numa.h>
#include <numaif.h>

/* True when the host kernel has NUMA support and this build can bind. */
static inline bool mem_numa_available(void) {
    return numa_available() >= 0;
}

/* Bind [addr, addr+len) to node: VM_MEM_E_NUMA for a node that does not exist or that this
 * process may not use, VM_MEM_E_NOTSUP without kernel NUMA support. */
static inline vm_mem_err_t mem_numa_bind(void *addr, size_t len, int node) {
    if (numa_available() < 0) return VM_MEM_E_NOTSUP;
    if (node < 0 || node > numa_max_node()) return VM_MEM_E_NUMA;
    struct bitmask *allowed = numa_get_mems_allowed();
    bool ok = allowed && numa_bitmask_isbitset(allowed, (unsigned)node);
    if (allowed) numa_bitmask_free(allowed);
    if (!ok) return VM_MEM_E_NUMA;
    struct bitmask *mask = numa_allocate_nodemask();
    if (!mask) return VM_MEM_E_NOMEM;
    numa_bitmask_setbit(mask, (unsigned)node);
    long rc = mbind(addr, len, MPOL_BIND, mask->maskp, mask->size + 1, 0);
    numa_bitmask_free(mask);
    return rc == 0 ? VM_MEM_OK : VM_MEM_E_NUMA;
}
#else
/* This build has no libnuma: binding is unavailable. */
static inline bool mem_numa_available(void) {
    return false;
}

/* This build has no libnuma: every binding request is refused. */
static inline vm_mem_err_t mem_numa_bind(void *addr, size_t len, int node) {
    (void)addr;
    (void)len;
    (void)node;
    return VM_MEM_E_NOTSUP;
}
#endif
