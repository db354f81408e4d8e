/* host_map.c - host backing for guest RAM and ROM.
 *
 * Each region is one private anonymous reservation made PROT_NONE with MAP_NORESERVE (so a
 * large guest RAM costs address space, not commit charge), of which only the middle is made
 * readable and writable. At least VM_MEM_GUARD_SIZE bytes of PROT_NONE stay on each side, so
 * a host access that runs off either end of a region faults instead of touching a
 * neighbour. Regions of VM_MEM_HUGEPAGE_MIN or more are placed on a 2 MiB host boundary and
 * advised MADV_HUGEPAGE, which lets the kernel back them with transparent huge pages (fewer
 * host TLB misses for guest RAM). NUMA binding, when asked for, is applied before any page
 * is touched so the first fault already lands on the chosen node.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>

#include "guest_priv.h"
#include "numa_bind.h"

/* Fault in every page of [p, p+len) for writing, so later guest accesses do not fault. */
static void populate(uint8_t *p, size_t len) {
    if (madvise(p, len, MADV_POPULATE_WRITE) == 0) return;
    /* Older kernels: one write per page; the pages are zero and stay zero. */
    for (size_t off = 0; off < len; off += VM_MEM_PAGE_SIZE)
        p[off] = 0;
}

vm_mem_err_t mem_host_map(uint64_t size, const vm_mem_ram_opts_t *opts, mem_host_map_t *out) {
    unsigned flags = opts ? opts->flags : 0;
    if (size == 0 || size > VM_MEM_REGION_MAX) return VM_MEM_E_SIZE;
    if (size % VM_MEM_PAGE_SIZE) return VM_MEM_E_ALIGN;
    if (flags & ~(VM_MEM_RAM_NO_HUGEPAGE | VM_MEM_RAM_NUMA_BIND | VM_MEM_RAM_POPULATE))
        return VM_MEM_E_INVAL;
    if ((flags & VM_MEM_RAM_NUMA_BIND) && !mem_numa_available()) return VM_MEM_E_NOTSUP;

    bool huge = size >= VM_MEM_HUGEPAGE_MIN && !(flags & VM_MEM_RAM_NO_HUGEPAGE);
    size_t align = huge ? VM_MEM_HUGEPAGE_MIN : VM_MEM_PAGE_SIZE;
    size_t len = (size_t)size + 2 * (size_t)VM_MEM_GUARD_SIZE + (align - VM_MEM_PAGE_SIZE);
    void *base = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) return VM_MEM_E_NOMEM;

    uintptr_t start = ((uintptr_t)base + VM_MEM_GUARD_SIZE + align - 1) & ~(uintptr_t)(align - 1);
    uint8_t *host = (uint8_t *)start;
    vm_mem_err_t err = VM_MEM_E_NOMEM;
    if (mprotect(host, (size_t)size, PROT_READ | PROT_WRITE) != 0) goto out_unmap;
    bool hugepage = huge && madvise(host, (size_t)size, MADV_HUGEPAGE) == 0;
    int node = -1;
    if (flags & VM_MEM_RAM_NUMA_BIND) {
        err = mem_numa_bind(host, (size_t)size, opts->numa_node);
        if (err != VM_MEM_OK) goto out_unmap;
        node = opts->numa_node;
    }
    if (flags & VM_MEM_RAM_POPULATE) populate(host, (size_t)size);

    *out = (mem_host_map_t){.host = host,
                            .size = size,
                            .map_base = base,
                            .map_len = len,
                            .hugepage = hugepage,
                            .numa_node = node};
    return VM_MEM_OK;

out_unmap:
    munmap(base, len);
    return err;
}

vm_mem_err_t mem_host_protect(const mem_host_map_t *m, bool writable) {
    int prot = PROT_READ | (writable ? PROT_WRITE : 0);
    return mprotect(m->host, (size_t)m->size, prot) == 0 ? VM_MEM_OK : VM_MEM_E_NOMEM;
}

void mem_host_unmap(mem_host_map_t *m) {
    if (m->map_base) munmap(m->map_base, m->map_len);
    *m = (mem_host_map_t){.numa_node = -1};
}
