/* numa_bind.h - binding host pages to a NUMA node, present only when the build found the
 * kernel's memory-policy header (VM_HAVE_NUMA); otherwise every request reports
 * VM_MEM_E_NOTSUP. The calls are the kernel's own (get_mempolicy, mbind), not libnuma's:
 * linking libnuma would run its constructor, which reads /proc and /sys, at every start of vm
 * although almost no run binds memory. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "vm/mem.h"

#if defined(VM_HAVE_NUMA) && VM_HAVE_NUMA
#include <errno.h>
#include <linux/mempolicy.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Nodes a mask has room for (the kernel's largest MAX_NUMNODES). */
#define MEM_NUMA_NODES 1024

/* True when the host kernel has NUMA support (as libnuma's numa_available decides). */
static inline bool mem_numa_available(void) {
    return syscall(SYS_get_mempolicy, NULL, NULL, 0ul, NULL, 0ul) == 0 || errno != ENOSYS;
}

/* Bind [addr, addr+len) to node: VM_MEM_E_NUMA for a node that does not exist or that this
 * process may not use (not in its allowed set), VM_MEM_E_NOTSUP without kernel NUMA support. */
static inline vm_mem_err_t mem_numa_bind(void *addr, size_t len, int node) {
    if (!mem_numa_available()) return VM_MEM_E_NOTSUP;
    if (node < 0 || node >= MEM_NUMA_NODES) return VM_MEM_E_NUMA;
    enum { BITS = 8 * sizeof(unsigned long) };
    unsigned long allowed[MEM_NUMA_NODES / BITS] = {0};
    if (syscall(SYS_get_mempolicy, NULL, allowed, (unsigned long)MEM_NUMA_NODES, NULL,
                (unsigned long)MPOL_F_MEMS_ALLOWED) != 0)
        return VM_MEM_E_NUMA;
    if (!(allowed[node / BITS] & (1ul << (node % BITS)))) return VM_MEM_E_NUMA;
    unsigned long mask[MEM_NUMA_NODES / BITS] = {0};
    mask[node / BITS] = 1ul << (node % BITS);
    /* maxnode counts one more than the bits the kernel reads, as libnuma passes it */
    long rc = syscall(SYS_mbind, addr, (unsigned long)len, (unsigned long)MPOL_BIND, mask,
                      (unsigned long)MEM_NUMA_NODES + 1, 0ul);
    return rc == 0 ? VM_MEM_OK : VM_MEM_E_NUMA;
}
#else
/* This build has no NUMA support: binding is unavailable. */
static inline bool mem_numa_available(void) {
    return false;
}

/* This build has no NUMA support: every binding request is refused. */
static inline vm_mem_err_t mem_numa_bind(void *addr, size_t len, int node) {
    (void)addr;
    (void)len;
    (void)node;
    return VM_MEM_E_NOTSUP;
}
#endif
