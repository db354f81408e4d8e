/* memacc.h - the one memory-access abstraction of the hart: every guest access, of every type
 * (fetch, load, store, AMO) and size, from every engine, goes through the definitions here.
 *
 * Fast path: the hart's window [mem_start, mem_start + mem_size) maps to host memory at
 * mem_base. An access of `len` bytes at `addr` is inside when its offset o = addr - mem_start
 * satisfies rv_win_in (o < mem_size && mem_size - o >= len: no wrap, one subtraction and two
 * compares that the compiler folds for a constant len). It is then a plain host access.
 *
 * Slow path: everything else goes, out of line, to rv_mem_slow() with its access type: while
 * the hart translates (mmu.h) to the software TLB and page walker, else to the owner's
 * mem_slow callback (MMIO, other RAM, ROM); a refusal becomes the precise fault of that type.
 *
 * Two implementations sit behind this interface: user mode makes the whole guest space one
 * identity window (mem_start = 0) and has no slow path; machines with an MMU window their
 * physical RAM while nothing translates and empty the window while something may. Then a
 * window miss first tries the inline TLB (rv_tlb_host: the set of the current data privilege
 * and, in S-mode, SUM; one tag compare and one add for a RAM page), and only its misses call the
 * slow path, which translates (TLB, walk) and fills the inline entry. Generated code (src/jit)
 * repeats the fast-path compare in machine code against cpu->win_chk, the window's 8-byte limit.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "riscv/cpu.h"

/* True when an access of `len` bytes at window offset `o` (guest address minus mem_start,
 * wrapped: an address below the window is a huge offset) lies inside a window of `msize`
 * bytes. This is the check; every engine's fast path is this compare. */
static inline bool rv_win_in(uint64_t o, uint64_t msize, unsigned len) {
    return o < msize && msize - o >= len;
}

/* The window offset of [addr, addr+len) in a hart's window, or UINT64_MAX when outside. */
static inline uint64_t rv_cpu_win_off(const rv_cpu_t *cpu, uint64_t addr, unsigned len) {
    uint64_t o = addr - cpu->mem_start;
    return RV_LIKELY(rv_win_in(o, cpu->mem_size, len)) ? o : UINT64_MAX;
}

/* The inline TLB set at byte offset `off` from the hart (cpu->tlb_ld_off for loads or
 * tlb_st_off for stores: the set of the current data privilege and SUM): the host address of
 * an aligned access of `len` bytes at `va` in a RAM page it caches, else NULL (then the slow
 * path translates, and fills the entry). One tag compare and one add. */
static inline void *rv_tlb_host(const rv_cpu_t *cpu, uint64_t off, uint64_t va, unsigned len) {
    if (!off) return NULL;
    const rv_tlb_fast_t *e = (const rv_tlb_fast_t *)(const void *)((const char *)cpu + off) +
                             ((va >> RV_PAGE_SHIFT) & (RV_TLB_SIZE - 1));
    if (RV_LIKELY(((va & ~(uint64_t)((1u << RV_PAGE_SHIFT) - 1)) | (va & (len - 1))) == e->vtag))
        return (void *)(uintptr_t)(va + e->addend);
    return NULL;
}

/* The access-fault cause of an access type. */
static inline uint64_t rv_access_fault(rv_access_t type) {
    return type == RV_ACC_FETCH  ? RV_CAUSE_FETCH_ACCESS
           : type == RV_ACC_LOAD ? RV_CAUSE_LOAD_ACCESS
                                 : RV_CAUSE_STORE_ACCESS;
}

/* Slow path of an access outside the window (defined in memacc.c, never inlined): true when
 * the owner's callback served it; false with cpu->cause/tval set to the access fault. */
bool rv_mem_slow(rv_cpu_t *cpu, uint64_t addr, void *buf, unsigned len, rv_access_t type);

/* Host address for an atomic access (AMO, LR, SC: aligned, inside one page) outside the
 * window: through the MMU to RAM on harts that have one; NULL with cause/tval set (an access
 * or page fault) otherwise. */
void *rv_mem_slow_ptr(rv_cpu_t *cpu, uint64_t addr, unsigned len, rv_access_t type);

/* Read `len` bytes of guest memory at `addr` as access `type` (fast or slow path). */
static inline bool rv_mem_read(rv_cpu_t *cpu, uint64_t addr, void *buf, unsigned len,
                               rv_access_t type) {
    uint64_t o = addr - cpu->mem_start;
    if (RV_LIKELY(rv_win_in(o, cpu->mem_size, len))) {
        __builtin_memcpy(buf, cpu->mem_base + o, len);
        return true;
    }
    void *h = type == RV_ACC_LOAD ? rv_tlb_host(cpu, cpu->tlb_ld_off, addr, len) : NULL;
    if (h) {
        __builtin_memcpy(buf, h, len);
        return true;
    }
    return rv_mem_slow(cpu, addr, buf, len, type);
}
