/* mmu.c - page walks, permission checks and the software TLB (see mmu.h for the design). */
#include "riscv/mmu.h"

#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#include "riscv/memacc.h"

#define PTE_V (1u << 0)
#define PTE_R (1u << 1)
#define PTE_W (1u << 2)
#define PTE_X (1u << 3)
#define PTE_U (1u << 4)
#define PTE_G (1u << 5)
#define PTE_A (1u << 6)
#define PTE_D (1u << 7)
/* PPN field of a PTE (bits 53:10) and the bits above it that must be zero without Svpbmt,
 * Svnapot and the other extensions that use them. */
#define PTE_PPN(pte)   (((pte) >> 10) & ((1ull << 44) - 1))
#define PTE_RESERVED   (~0ull << 54)
#define PAGE_SHIFT     12
#define SATP_MODE(s)   ((unsigned)((s) >> 60))
#define SATP_PPN(s)    ((s) & ((1ull << 44) - 1))
#define MSTATUS_MPP(s) ((unsigned)(((s)&RV_MSTATUS_MPP) >> 11))

/* The privilege a data access (fetch false) or fetch is checked at: MPRV makes M-mode loads
 * and stores use MPP's. */
static unsigned eff_priv(const rv_cpu_t *cpu, rv_access_t type) {
    if (type != RV_ACC_FETCH && cpu->priv == RV_PRIV_M && (cpu->mstatus & RV_MSTATUS_MPRV))
        return MSTATUS_MPP(cpu->mstatus);
    return cpu->priv;
}

/* Levels of the current satp mode, 0 for Bare (or an unsupported mode, which satp rejects). */
static unsigned levels(const rv_cpu_t *cpu) {
    switch (SATP_MODE(cpu->satp)) {
    case RV_SATP_SV39: return 3;
    case RV_SATP_SV48: return 4;
    case RV_SATP_SV57: return 5;
    default: return 0;
    }
}

static uint64_t page_fault(rv_access_t type) {
    return type == RV_ACC_FETCH  ? RV_CAUSE_FETCH_PAGE_FAULT
           : type == RV_ACC_LOAD ? RV_CAUSE_LOAD_PAGE_FAULT
                                 : RV_CAUSE_STORE_PAGE_FAULT;
}

/* TLB set of an access type: fetch, load, store (AMOs need write permission: store set). */
static unsigned tlb_kind(rv_access_t type) {
    return type == RV_ACC_FETCH ? 0 : type == RV_ACC_LOAD ? 1 : 2;
}

/* Byte offset of the entries of inline-TLB set `set`, kind k (0 load, 1 store), from the
 * hart. */
static uint64_t fast_off(unsigned set, unsigned k) {
    return offsetof(rv_cpu_t, tlbf) + ((size_t)set * 2 + k) * sizeof(rv_tlbf_table_t) +
           offsetof(rv_tlbf_table_t, ent);
}

_Static_assert(RV_TLBF_S < RV_TLBF_NONE && RV_TLBF_U < RV_TLBF_NONE && RV_TLBF_SUM < RV_TLBF_NONE &&
                   RV_TLBF_NONE + 1 == RV_TLBF_SETS,
               "the sets that fill precede the empty one: flushes loop over set < RV_TLBF_NONE");

/* Empty the inline TLB's filling sets (S, U, S with SUM) of kind k (0 load, 1 store, 2 both),
 * and with them their site slots (copies of their entries that translated code keeps per
 * access site). */
static void fast_clear(rv_cpu_t *cpu, unsigned k) {
    for (unsigned set = 0; set < RV_TLBF_NONE; set++)
        for (unsigned kk = 0; kk < 2; kk++)
            if (k == 2 || k == kk) {
                memset(&cpu->tlbf[set][kk], 0xff, sizeof(cpu->tlbf[0][0])); /* entries, slots */
                memset(cpu->tlb_fast_ng[set][kk], 0, sizeof(cpu->tlb_fast_ng[0][0]));
            }
}

/* Record whether entry i of a first-level table (its bitmap `ng`) now holds a global
 * translation (bit clear) or one of the current address space only (bit set). */
static inline void ng_mark(uint64_t *ng, unsigned i, bool global) {
    uint64_t m = 1ull << (i & 63);
    if (global)
        ng[i / 64] &= ~m;
    else
        ng[i / 64] |= m;
}

/* The ASID of the current address space (satp.ASID; 0 while satp is Bare). */
static unsigned cur_asid(const rv_cpu_t *cpu) {
    return (unsigned)(cpu->satp >> 44) & RV_ASID_MASK;
}

/* Empty the first level: the TLB by kind, the inline TLB and its site slots. What it loses
 * the second level still has (unless that is emptied too). */
static void l1_clear(rv_cpu_t *cpu) {
    memset(cpu->tlb, 0, sizeof(cpu->tlb));
    memset(cpu->tlb_ng, 0, sizeof(cpu->tlb_ng));
    fast_clear(cpu, 2);
}

/* Drop the first level's non-global entries (an ASID switch, sfence.vma of the current
 * ASID): those whose bit is set in the bitmaps, a look at each of 48 words and a store per
 * entry dropped. Global ones (the kernel's: Linux maps its memory with G) stay, valid in
 * every address space. A site slot stays when it is a copy of a tlbf entry that stayed
 * (a global one; the JIT fills slots from those entries without telling the C side, so the
 * slots carry no bits of their own). */
static void l1_drop_nonglobal(rv_cpu_t *cpu) {
    for (unsigned k = 0; k < 3; k++)
        for (unsigned w = 0; w < RV_TLB_SIZE / 64; w++) {
            uint64_t m = cpu->tlb_ng[k][w];
            cpu->tlb_ng[k][w] = 0;
            for (; m; m &= m - 1)
                cpu->tlb[k][w * 64 + (unsigned)__builtin_ctzll(m)].tag = 0;
        }
    for (unsigned set = 0; set < RV_TLBF_NONE; set++)
        for (unsigned k = 0; k < 2; k++) {
            rv_tlb_fast_t *t = cpu->tlbf[set][k].ent;
            for (unsigned w = 0; w < RV_TLB_SIZE / 64; w++) {
                uint64_t m = cpu->tlb_fast_ng[set][k][w];
                cpu->tlb_fast_ng[set][k][w] = 0;
                for (; m; m &= m - 1)
                    t[w * 64 + (unsigned)__builtin_ctzll(m)].vtag = ~0ull;
            }
            rv_tlb_fast_t *site = cpu->tlbf[set][k].site;
            for (unsigned i = 0; i < RV_SITE_SLOTS; i++) {
                uint64_t v = site[i].vtag;
                if (v == ~0ull) continue;
                const rv_tlb_fast_t *e = &t[(v >> PAGE_SHIFT) & (RV_TLB_SIZE - 1)];
                if (e->vtag != v || e->addend != site[i].addend) site[i].vtag = ~0ull;
            }
        }
}

/* Drop the first level's entries of virtual page vpn (every kind and inline set, and any site
 * slot that holds the page). */
static void l1_flush_page(rv_cpu_t *cpu, uint64_t vpn) {
    for (unsigned k = 0; k < 3; k++) {
        rv_tlb_entry_t *e = &cpu->tlb[k][vpn & (RV_TLB_SIZE - 1)];
        if ((e->tag >> 2) == (vpn & (~0ull >> 2))) e->tag = 0;
    }
    for (unsigned set = 0; set < RV_TLBF_NONE; set++)
        for (unsigned k = 0; k < 2; k++) {
            rv_tlb_fast_t *e = &cpu->tlbf[set][k].ent[vpn & (RV_TLB_SIZE - 1)];
            if ((e->vtag >> PAGE_SHIFT) == vpn) e->vtag = ~0ull;
            /* a site slot may hold the page at any index (slots go by site, not page);
             * a filled slot's tag is its page address */
            rv_tlb_fast_t *site = cpu->tlbf[set][k].site;
            uint64_t page = vpn << PAGE_SHIFT;
            for (unsigned i = 0; i < RV_SITE_SLOTS; i++)
                if (site[i].vtag == page) site[i].vtag = ~0ull;
        }
}

/* Drop the second level's entries of virtual page vpn: of every address space (all true),
 * or only address space asid's non-global ones. */
static void l2_flush_page(rv_cpu_t *cpu, uint64_t vpn, bool all, unsigned asid) {
    for (unsigned k = 0; k < 3; k++) {
        rv_tlb2_entry_t *set = cpu->tlb2[k][vpn & (RV_TLB2_SETS - 1)];
        for (unsigned w = 0; w < RV_TLB2_WAYS; w++)
            if ((set[w].tag >> 2) == (vpn & (~0ull >> 2)) &&
                (all || (!set[w].global && set[w].asid == asid)))
                set[w].tag = 0;
    }
}

/* Drop the second level's non-global entries of address space asid. */
static void l2_flush_asid(rv_cpu_t *cpu, unsigned asid) {
    rv_tlb2_entry_t *e = &cpu->tlb2[0][0][0];
    for (size_t i = 0; i < sizeof(cpu->tlb2) / sizeof(*e); i++)
        if (e[i].tag && !e[i].global && e[i].asid == asid) e[i].tag = 0;
}

/* Enter a translation into the second level for the current address space: an empty way of
 * its set, else the next victim in turn. */
static void l2_fill(rv_cpu_t *cpu, unsigned kind, uint64_t vpn, uint64_t tag, uint64_t ppn,
                    bool global) {
    rv_tlb2_entry_t *set = cpu->tlb2[kind][vpn & (RV_TLB2_SETS - 1)];
    unsigned w = 0;
    while (w < RV_TLB2_WAYS && set[w].tag)
        w++;
    if (w == RV_TLB2_WAYS) w = cpu->tlb2_victim++ % RV_TLB2_WAYS;
    set[w].tag = tag;
    set[w].ppn = ppn;
    set[w].asid = (uint16_t)cur_asid(cpu);
    set[w].global = global;
}

/* The inline-TLB set of data accesses at effective privilege `priv` (S or U) with the hart's
 * mstatus as it is: S-mode has one set per value of SUM, so an entry that SUM opened (a U
 * page) is only ever looked at while SUM is set. rv_mmu_update selects the same set. */
static unsigned fast_set(const rv_cpu_t *cpu, unsigned priv) {
    if (priv == RV_PRIV_U) return RV_TLBF_U;
    return (cpu->mstatus & RV_MSTATUS_SUM) ? RV_TLBF_SUM : RV_TLBF_S;
}

/* The class of a translation for --stats (rv_cpu_t.tlb_stats.trips). */
static unsigned trip_class(const rv_cpu_t *cpu, rv_access_t type, unsigned priv) {
    if (type == RV_ACC_FETCH) return priv == RV_PRIV_U ? RV_TRIP_FETCH_U : RV_TRIP_FETCH_S;
    return (type == RV_ACC_LOAD ? RV_TRIP_LOAD : RV_TRIP_STORE) + fast_set(cpu, priv);
}

/* After a translation of `va` for `type` at privilege `priv` passed (and was cached: it does
 * not depend on MXR) to physical page ppn, global or of the current address space only: the
 * inline entry of the set of priv and the current SUM, when the page is RAM and (for stores)
 * holds neither decoded code nor a watch. */
static void fast_fill(rv_cpu_t *cpu, uint64_t va, rv_access_t type, unsigned priv, uint64_t ppn,
                      bool global) {
    if (type == RV_ACC_FETCH || priv == RV_PRIV_M) return;
    uint64_t o = (ppn << PAGE_SHIFT) - cpu->phys_start;
    if (!rv_win_in(o, cpu->phys_size, 1u << PAGE_SHIFT)) return;
    unsigned k = type == RV_ACC_LOAD ? 0 : 1;
    if (k && cpu->page_flags && (cpu->page_flags[o >> PAGE_SHIFT] & (RV_PAGE_CODE | RV_PAGE_WATCH)))
        return;
    uint64_t page = va & ~(uint64_t)((1u << PAGE_SHIFT) - 1);
    unsigned set = fast_set(cpu, priv), i = (unsigned)(va >> PAGE_SHIFT) & (RV_TLB_SIZE - 1);
    rv_tlb_fast_t *e = &cpu->tlbf[set][k].ent[i];
    e->vtag = page;
    e->addend = (uintptr_t)(cpu->phys_base + o) - (uintptr_t)page;
    ng_mark(cpu->tlb_fast_ng[set][k], i, global);
}

/* Empty the entries of a store table (entries or site slots, n of them) that reach the host
 * page `host`. A filled entry's page address plus its addend is the host page it reaches; an
 * empty one's vtag (~0) plus any addend (a page-aligned difference, or ~0 after a clear) is
 * never page-aligned, so it never matches. Without branches, for the compiler to vectorise. */
static void drop_host_page(rv_tlb_fast_t *t, unsigned n, uintptr_t host) {
    for (unsigned i = 0; i < n; i++)
        t[i].vtag = t[i].vtag + t[i].addend == host ? ~0ull : t[i].vtag;
}

void rv_mmu_code_page(rv_cpu_t *cpu, uint64_t ppn) {
    uint64_t o = (ppn << PAGE_SHIFT) - cpu->phys_start;
    if (ppn == UINT64_MAX || !rv_win_in(o, cpu->phys_size, 1u << PAGE_SHIFT)) {
        fast_clear(cpu, 1);
        cpu->tlb_stats.store_clears++;
        return;
    }
    /* fast_fill never enters a code page, so only entries filled before it became code can
     * reach it: under any virtual address, in any set (the kernel's linear map in S and SUM,
     * a user mapping in U), found by the host page they reach */
    uintptr_t host = (uintptr_t)(cpu->phys_base + o);
    for (unsigned set = 0; set < RV_TLBF_NONE; set++) {
        drop_host_page(cpu->tlbf[set][1].ent, RV_TLB_SIZE, host);
        drop_host_page(cpu->tlbf[set][1].site, RV_SITE_SLOTS, host);
    }
    cpu->tlb_stats.code_pages++;
}

void rv_mmu_enable(rv_cpu_t *cpu, rv_phys_ptr_fn phys_ptr, uint8_t *base, uint64_t start,
                   uint64_t size) {
    cpu->phys_ptr = phys_ptr;
    cpu->phys_base = base;
    cpu->phys_start = start;
    cpu->phys_size = size;
    memset(cpu->tlbf, 0xff, sizeof(cpu->tlbf)); /* the NONE set stays empty (and its slots) */
    rv_mmu_flush(cpu, false, 0, true);
    rv_mmu_update(cpu);
}

void rv_mmu_update(rv_cpu_t *cpu) {
    if (!cpu->phys_ptr) return;
    bool on = levels(cpu) != 0 &&
              (cpu->priv != RV_PRIV_M ||
               ((cpu->mstatus & RV_MSTATUS_MPRV) && MSTATUS_MPP(cpu->mstatus) != RV_PRIV_M));
    bool was = cpu->xlate;
    cpu->xlate = on;
    /* the inline TLB of the data privilege and, in S-mode, SUM (M-mode data through MPRV
     * into M: the slow path); every mstatus write comes here, so a SUM flip moves the set
     * (translated code reloads it after every helper call: CSR writes are helper calls) */
    unsigned dp = eff_priv(cpu, RV_ACC_LOAD);
    unsigned set = on && (dp == RV_PRIV_S || dp == RV_PRIV_U) ? fast_set(cpu, dp) : RV_TLBF_NONE;
    cpu->tlb_fetch_low = cpu->priv == RV_PRIV_M ? 4 : cpu->priv + 1u;
    cpu->tlb_ld_off = fast_off(set, 0);
    cpu->tlb_st_off = fast_off(set, 1);
    if (on) {
        cpu->mem_size = 0; /* every access through rv_mmu_access */
        cpu->win_chk = 0;
    } else {
        cpu->mem_base = cpu->phys_base;
        cpu->mem_start = cpu->phys_start;
        cpu->mem_size = cpu->phys_size;
        cpu->win_chk = cpu->phys_size >= 8 ? cpu->phys_size - 7 : 0;
    }
    /* decoded and translated code checks the physical page of its pc at entry, through the
     * fetch TLB while translating and by identity otherwise; chains made in one of the two
     * states are only followed in it, so a switch between them leaves chained code */
    if (on != was) rv_cpu_kick(cpu);
}

void rv_mmu_flush(rv_cpu_t *cpu, bool va_valid, uint64_t va, bool kick) {
    if (!va_valid) {
        l1_clear(cpu);
        memset(cpu->tlb2, 0, sizeof(cpu->tlb2));
        cpu->tlb_stats.flushes++;
    } else {
        l1_flush_page(cpu, va >> PAGE_SHIFT);
        l2_flush_page(cpu, va >> PAGE_SHIFT, true, 0);
    }
    /* code keeps its caches (blocks check their page at entry), but chained translated code
     * must not run on past a changed mapping: back to the run loop at the next block */
    if (kick) rv_cpu_kick(cpu);
}

void rv_mmu_flush_asid(rv_cpu_t *cpu, bool va_valid, uint64_t va, uint64_t asid, bool kick) {
    unsigned a = (unsigned)asid & RV_ASID_MASK; /* bits above ASIDLEN are ignored */
    /* the first level holds only the current address space's translations and global ones
     * (which a fence with an ASID need not drop): another ASID's fence leaves it */
    bool cur = a == cur_asid(cpu);
    if (!va_valid) {
        if (cur) l1_drop_nonglobal(cpu);
        l2_flush_asid(cpu, a);
        cpu->tlb_stats.asid_flushes++;
    } else {
        if (cur) l1_flush_page(cpu, va >> PAGE_SHIFT);
        l2_flush_page(cpu, va >> PAGE_SHIFT, false, a);
    }
    if (cur && kick) rv_cpu_kick(cpu);
}

void rv_mmu_satp_written(rv_cpu_t *cpu, uint64_t old) {
    if (SATP_MODE(old) != SATP_MODE(cpu->satp)) {
        rv_mmu_flush(cpu, false, 0, true); /* another mode: the old tags mean nothing in it */
    } else {
        /* another address space (or the same ASID over other tables, which the guest must
         * fence before it relies on them): the first level's non-global entries go, its
         * global ones stay (the same in every address space), the second level keeps all,
         * tagged */
        if (((old ^ cpu->satp) >> 44) & RV_ASID_MASK) cpu->tlb_stats.asid_switches++;
        l1_drop_nonglobal(cpu);
        rv_cpu_kick(cpu);
    }
    rv_mmu_update(cpu);
}

/* Walk the page tables for `va`. Returns 0 with *ppn set (the 4 KiB physical page) and *leaf
 * the leaf PTE (its flags decide whether the translation may be cached; G also when a pointer
 * on the way had it), or the fault cause. */
static uint64_t walk(rv_cpu_t *cpu, uint64_t va, rv_access_t type, unsigned priv, uint64_t *ppn,
                     uint64_t *leaf) {
    unsigned n = levels(cpu);
    unsigned vabits = PAGE_SHIFT + 9 * n;
    /* the address must be the sign extension of its low vabits bits */
    if ((uint64_t)((int64_t)(va << (64 - vabits)) >> (64 - vabits)) != va) return page_fault(type);
    cpu->tlb_stats.walks++;
    uint64_t table = SATP_PPN(cpu->satp) << PAGE_SHIFT, global = 0;
    for (int level = (int)n - 1; level >= 0; level--) {
        uint64_t idx = (va >> (PAGE_SHIFT + 9 * (unsigned)level)) & 511;
        _Atomic uint64_t *slot = cpu->phys_ptr(cpu->env, table + idx * 8, 8);
        if (!slot) return rv_access_fault(type);
        uint64_t pte = atomic_load_explicit(slot, memory_order_acquire);
        cpu->tlb_stats.pte_reads[level]++;
        if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)) || (pte & PTE_RESERVED))
            return page_fault(type);
        global |= pte & PTE_G;          /* G in a pointer makes every mapping below it global */
        if (!(pte & (PTE_R | PTE_X))) { /* a pointer to the next level */
            if (pte & (PTE_A | PTE_D | PTE_U)) return page_fault(type);
            table = PTE_PPN(pte) << PAGE_SHIFT;
            continue;
        }
        /* a leaf: superpages must be aligned */
        uint64_t low = (1ull << (9 * (unsigned)level)) - 1;
        if (PTE_PPN(pte) & low) return page_fault(type);
        bool user = pte & PTE_U;
        if (priv == RV_PRIV_U && !user) return page_fault(type);
        if (priv == RV_PRIV_S && user && (type == RV_ACC_FETCH || !(cpu->mstatus & RV_MSTATUS_SUM)))
            return page_fault(type);
        bool ok = type == RV_ACC_FETCH ? (pte & PTE_X)
                  : type == RV_ACC_LOAD
                      ? (pte & PTE_R) || ((cpu->mstatus & RV_MSTATUS_MXR) && (pte & PTE_X))
                      : (pte & PTE_W);
        if (!ok) return page_fault(type);
        /* Svade: the kernel keeps A and D; a clear one is its page fault */
        if (!(pte & PTE_A) || (type >= RV_ACC_STORE && !(pte & PTE_D))) return page_fault(type);
        *ppn = PTE_PPN(pte) | ((va >> PAGE_SHIFT) & low);
        *leaf = pte | global;
        return 0;
    }
    return page_fault(type);
}

uint64_t rv_mmu_translate(rv_cpu_t *cpu, uint64_t va, rv_access_t type, uint64_t *pa) {
    unsigned priv = eff_priv(cpu, type);
    if (priv == RV_PRIV_M || levels(cpu) == 0) {
        *pa = va;
        return 0;
    }
    uint64_t vpn = va >> PAGE_SHIFT;
    unsigned kind = tlb_kind(type), idx = (unsigned)vpn & (RV_TLB_SIZE - 1);
    rv_tlb_entry_t *e = &cpu->tlb[kind][idx];
    uint64_t tag = (vpn << 2) | (priv + 1);
    uint64_t(*trips)[2] = cpu->tlb_stats.trips[trip_class(cpu, type, priv)];
    /* a hit was checked at fill time for this privilege; SUM and MXR (which Linux flips on
     * every user access) can only have widened access since, or narrowed it. Loads through
     * MXR are not cached; a U page seen from S-mode (through SUM) is cached with the tag's
     * low bits 3 instead of 2, which an S-mode access matches only while SUM is set, so no
     * recheck is needed */
    bool sum = priv == RV_PRIV_S && (cpu->mstatus & RV_MSTATUS_SUM);
    if (e->tag == tag || (sum && e->tag == (tag | 3))) {
        bool global = !((cpu->tlb_ng[kind][idx / 64] >> (idx % 64)) & 1);
        cpu->tlb_stats.hits++;
        trips[0][global]++;
        *pa = e->ppn << PAGE_SHIFT | (va & ((1u << PAGE_SHIFT) - 1));
        fast_fill(cpu, va, type, priv, e->ppn, global);
        return 0;
    }
    /* the second level: the same tags, of the current address space or global */
    rv_tlb2_entry_t *set = cpu->tlb2[kind][vpn & (RV_TLB2_SETS - 1)];
    unsigned asid = cur_asid(cpu);
    for (unsigned w = 0; w < RV_TLB2_WAYS; w++) {
        const rv_tlb2_entry_t *f = &set[w];
        if ((f->tag == tag || (sum && f->tag == (tag | 3))) && (f->global || f->asid == asid)) {
            cpu->tlb_stats.hits++;
            cpu->tlb_stats.hits2++;
            trips[1][f->global]++;
            e->tag = f->tag;
            e->ppn = f->ppn;
            ng_mark(cpu->tlb_ng[kind], idx, f->global);
            *pa = f->ppn << PAGE_SHIFT | (va & ((1u << PAGE_SHIFT) - 1));
            fast_fill(cpu, va, type, priv, f->ppn, f->global);
            return 0;
        }
    }
    uint64_t ppn, leaf;
    uint64_t cause = walk(cpu, va, type, priv, &ppn, &leaf);
    if (cause) {
        cpu->tlb_stats.faults++;
        return cause;
    }
    /* cache what does not depend on MXR: a load of a page without R (it passed through MXR)
     * walks each time. A U page from S-mode passed through SUM (an S-mode fetch of a U page
     * never passes): it is cached under the SUM tag, and inline in the SUM set only. Read off
     * the leaf, which the walk just checked with SUM and MXR as they are: the same answer as a
     * second walk without them, at no cost. */
    bool mxr_dep = type == RV_ACC_LOAD && !(leaf & PTE_R);
    bool sum_dep = priv == RV_PRIV_S && (leaf & PTE_U);
    bool global = leaf & PTE_G;
    trips[2][global]++;
    if (!mxr_dep) {
        e->tag = sum_dep ? tag | 3 : tag;
        e->ppn = ppn;
        ng_mark(cpu->tlb_ng[kind], idx, global);
        l2_fill(cpu, kind, vpn, e->tag, ppn, global);
        fast_fill(cpu, va, type, priv, ppn, global);
    }
    *pa = ppn << PAGE_SHIFT | (va & ((1u << PAGE_SHIFT) - 1));
    return 0;
}

/* A store of `len` bytes at window offset `o` of a page flagged RV_PAGE_CODE overwrites
 * decoded code: per 64-byte line when the owner keeps code_lines, else any store there. */
static bool store_hits_code(const rv_cpu_t *cpu, uint64_t o, unsigned len) {
    if (!cpu->code_lines) return true;
    for (uint64_t l = o >> 6; l <= (o + len - 1) >> 6; l++)
        if ((cpu->code_lines[l / 64] >> (l % 64)) & 1) return true;
    return false;
}

/* Physical access of one piece (inside one page) for `type`. */
static bool phys_access(rv_cpu_t *cpu, uint64_t pa, void *buf, unsigned len, rv_access_t type) {
    uint64_t o = pa - cpu->phys_start;
    bool write = type == RV_ACC_STORE || type == RV_ACC_AMO;
    if (rv_win_in(o, cpu->phys_size, len)) {
        if (!write) {
            memcpy(buf, cpu->phys_base + o, len);
            return true;
        }
        memcpy(cpu->phys_base + o, buf, len);
        /* page flags are per physical page of the window: watched pages (HTIF) and pages
         * holding code decoded while nothing translated */
        uint8_t f = cpu->page_flags ? cpu->page_flags[o >> PAGE_SHIFT] |
                                          cpu->page_flags[(o + len - 1) >> PAGE_SHIFT]
                                    : 0;
        if ((f & RV_PAGE_WATCH) && cpu->watch_store && cpu->watch_store(cpu->env, pa, len)) {
            atomic_store(&cpu->halt_request, 1);
            rv_cpu_interrupt(cpu);
        }
        if ((f & RV_PAGE_CODE) && store_hits_code(cpu, o, len))
            rv_cpu_code_written(cpu, pa >> PAGE_SHIFT); /* one page: pieces do not cross */
        return true;
    }
    return cpu->mem_slow && cpu->mem_slow(cpu->env, pa, buf, len, type) == 0;
}

bool rv_mmu_access(rv_cpu_t *cpu, uint64_t va, void *buf, unsigned len, rv_access_t type) {
    /* at most two pieces (an access is at most 8 bytes): translate both before any write */
    uint64_t first = (1u << PAGE_SHIFT) - (va & ((1u << PAGE_SHIFT) - 1));
    unsigned n0 = len < first ? len : (unsigned)first;
    uint64_t pa0, pa1 = 0, cause = rv_mmu_translate(cpu, va, type, &pa0), fault_va = va;
    if (!cause && n0 < len) {
        fault_va = va + n0;
        cause = rv_mmu_translate(cpu, va + n0, type, &pa1);
    }
    if (cause) {
        cpu->cause = cause;
        cpu->tval = fault_va;
        return false;
    }
    if (!phys_access(cpu, pa0, buf, n0, type) ||
        (n0 < len && !phys_access(cpu, pa1, (uint8_t *)buf + n0, len - n0, type))) {
        cpu->cause = rv_access_fault(type);
        cpu->tval = va;
        return false;
    }
    return true;
}

void *rv_mmu_ptr(rv_cpu_t *cpu, uint64_t va, unsigned len, rv_access_t type) {
    uint64_t pa = va, cause = cpu->xlate ? rv_mmu_translate(cpu, va, type, &pa) : 0;
    if (cause) {
        cpu->cause = cause;
        cpu->tval = va;
        return NULL;
    }
    void *p = cpu->phys_ptr ? cpu->phys_ptr(cpu->env, pa, len) : NULL;
    /* an AMO or SC may write decoded code: drop it as a store would (phys_access) */
    uint64_t o = pa - cpu->phys_start;
    if (p && type != RV_ACC_LOAD && cpu->page_flags && rv_win_in(o, cpu->phys_size, len) &&
        (cpu->page_flags[o >> PAGE_SHIFT] & RV_PAGE_CODE) && store_hits_code(cpu, o, len))
        rv_cpu_code_written(cpu, pa >> PAGE_SHIFT);
    if (!p) {
        cpu->cause = rv_access_fault(type);
        cpu->tval = va;
    }
    return p;
}
