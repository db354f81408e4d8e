/* mmu.h - virtual memory of a hart: Sv39, Sv48 and Sv57 page walks, permission checks and the
 * software TLB, for harts whose owner gives guest-physical memory access (rv_mmu_enable).
 *
 * While nothing can translate (M-mode without MPRV, or satp in Bare mode) the hart's fast
 * window (memacc.h) is the physical RAM window and accesses cost what they cost without an
 * MMU. When an access may translate, rv_mmu_update empties the window, so that every access
 * takes the slow path, which comes here: rv_mmu_access translates each page touched (TLB hit,
 * else a walk) and then reaches RAM through the physical window or devices through the
 * owner's mem_slow. The TLB is direct-mapped per access kind and tagged by virtual page and
 * privilege; it holds only translations whose A (and for stores D) bits were already set and
 * whose permissions passed for that privilege, so a hit needs no further check. SUM (which
 * Linux sets around every copy to or from user memory) and MXR never flush it: loads that
 * pass only through MXR are not cached, and U pages that S-mode reaches through SUM are
 * cached under a tag of their own (and inline in a set of their own) that S-mode matches only
 * while SUM is set.
 *
 * Two levels. The first (the TLB by kind that generated code's fetch checks read, the inline
 * TLB and its site slots) holds translations of the current address space and global ones:
 * a satp write drops its non-global entries (bitmaps say which, rv_cpu_t.tlb_ng and
 * tlb_fast_ng), so that the kernel's translations, which Linux marks global, stay in line
 * across context switches. The second (tlb2: set-associative, larger) tags each entry with
 * the ASID it was walked under, or marks it global (a G bit on the walk), so that switching
 * address spaces and back costs first-level refills from it instead of page walks;
 * sfence.vma with an ASID drops only that ASID's non-global entries, without one every
 * address space's, global ones included.
 *
 * A and D bits follow Svade: a clear A, or a clear D on a store, is a page fault (the kernel
 * sets them), which is what the device tree promises by not listing Svadu. PMP registers are
 * stored but not enforced.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "riscv/cpu.h"

/* satp modes. */
#define RV_SATP_BARE 0u
#define RV_SATP_SV39 8u
#define RV_SATP_SV48 9u
#define RV_SATP_SV57 10u

/* Give the hart an MMU: guest-physical RAM through `phys_ptr`, and the physical RAM window
 * [start, start + size) at host `base`, which becomes the fast window whenever nothing
 * translates. The owner's mem_slow serves the rest of physical memory. */
void rv_mmu_enable(rv_cpu_t *cpu, rv_phys_ptr_fn phys_ptr, uint8_t *base, uint64_t start,
                   uint64_t size);

/* Recompute whether accesses may translate (after a change of privilege, satp or mstatus):
 * set the window, and kick the hart when that changed (code chained in one state must not
 * run on in the other). Code caches stay: blocks check their page at entry. */
void rv_mmu_update(rv_cpu_t *cpu);

/* Physical page `ppn` (the address >> 12) became code (decoded blocks were built from it):
 * stores there must take the slow path from now on, so the inline TLB's store entries (and
 * store site slots) that reach it go, whatever virtual page they are under; the others stay.
 * UINT64_MAX (a page not known, or another hart's request): every store entry goes. */
void rv_mmu_code_page(rv_cpu_t *cpu, uint64_t ppn);

/* sfence.vma with rs2 = x0: drop TLB entries of every address space, global ones too: all of
 * them (va_valid false) or those of the page holding va. `kick`: chained translated code
 * returns to the run loop at its next block (false only for a caller that checks the next
 * block's page itself: the JIT's sfence.vma, which goes on through its jump check). */
void rv_mmu_flush(rv_cpu_t *cpu, bool va_valid, uint64_t va, bool kick);

/* sfence.vma with an ASID in rs2: drop the non-global entries of address space `asid` (its low
 * RV_ASID_BITS), all of them (va_valid false) or those of the page holding va. Global entries
 * and other address spaces keep theirs. `kick` as for rv_mmu_flush. */
void rv_mmu_flush_asid(rv_cpu_t *cpu, bool va_valid, uint64_t va, uint64_t asid, bool kick);

/* satp was written (it held `old`): another ASID switches address spaces (the first level's
 * non-global entries go, the second level keeps every address space's entries by ASID);
 * another mode empties the TLB. Then as rv_mmu_update. */
void rv_mmu_satp_written(rv_cpu_t *cpu, uint64_t old);

/* The slow path of an access while translating: translate every page of [va, va+len) for
 * `type`, then read or write through the physical window or the owner's mem_slow. Returns
 * true, or false with cpu->cause / cpu->tval set (page fault or access fault). */
bool rv_mmu_access(rv_cpu_t *cpu, uint64_t va, void *buf, unsigned len, rv_access_t type);

/* Host address of `len` bytes at `va` for an AMO, LR or SC (aligned, so within one page):
 * translated when translating, then RAM only. NULL with cause/tval set otherwise. */
void *rv_mmu_ptr(rv_cpu_t *cpu, uint64_t va, unsigned len, rv_access_t type);

/* Translate `va` for `type` at the hart's current effective privilege, for tools and tests.
 * Returns 0 with *pa set, or the exception cause (a page or access fault). */
uint64_t rv_mmu_translate(rv_cpu_t *cpu, uint64_t va, rv_access_t type, uint64_t *pa);

/* The physical page the hart fetches `va` from now, in *ppn; false when that fetch faults
 * (not executable at the current privilege, or no mapping). While nothing translates fetches
 * (no MMU, satp Bare, M-mode) it is va's own page. The hit path is the fetch TLB's one tag
 * compare; decoded and translated code checks its page with it at block entry. */
static inline bool rv_mmu_code_ppn(rv_cpu_t *cpu, uint64_t va, uint64_t *ppn) {
    uint64_t vpn = va >> RV_PAGE_SHIFT;
    if (!cpu->xlate || cpu->priv == RV_PRIV_M) {
        *ppn = vpn;
        return true;
    }
    const rv_tlb_entry_t *e = &cpu->tlb[0][vpn & (RV_TLB_SIZE - 1)];
    if (RV_LIKELY(e->tag == ((vpn << 2) | (cpu->priv + 1u)))) {
        *ppn = e->ppn;
        return true;
    }
    uint64_t pa;
    if (rv_mmu_translate(cpu, va, RV_ACC_FETCH, &pa)) return false;
    *ppn = pa >> RV_PAGE_SHIFT;
    return true;
}
