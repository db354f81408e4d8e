/* fuzz_mmu.c - libFuzzer target: the page walker and the software TLB (src/riscv/mmu.c)
 * against a slow reference walk written here from the privileged specification.
 *
 * The input is a small machine: 16 pages of guest-physical RAM at 0x80000000 filled with page
 * table entries made from the input (their PPNs mostly point back into that RAM, sometimes
 * outside it), a translation mode (Sv39, Sv48, Sv57), then a program of operations: accesses
 * of each type at virtual addresses built from table indexes (so that they mostly walk the
 * entries that exist), changes of privilege (S, U, M with MPRV), SUM and MXR flips, and
 * rewrites of an entry followed by sfence.vma (all, by address, or by ASID), and switches
 * between three address spaces (an ASID and a root each) by satp writes. After every access the
 * hart's answer (a physical address or a fault cause, and for a load the bytes and for a fault
 * the tval of rv_mmu_access) must equal the reference's, whether it came from a walk or from a
 * TLB entry filled under another privilege or other SUM/MXR settings. The inline TLB that the
 * engines try first (rv_tlb_host on the set rv_mmu_update selected: S, U, or S with SUM) is
 * probed before and after each access: whatever it hits must be the reference's page, so an
 * entry of the SUM set seen without SUM, or one a flush missed, is caught. Each hit is also
 * copied into a site slot of its set, as translated code does, and the current set's slots
 * are checked the same way before and after each access: a slot kept across a switch or a
 * fence that dropped its entry is caught (the first level keeps global translations across
 * address-space switches, so the slots must keep exactly those).
 *
 * Address spaces: the answer may also be one the specification lets a TLB keep. A global
 * translation (G on the walk) belongs to every address space, so another root's global
 * translation is a right answer too (random tables disagree between roots, which real
 * software must not do). After a rewrite fenced only by ASID (the model keeps one rewrite
 * open at a time: a second one is preceded by a full fence), the translations of the RAM
 * before it stay allowed in every address space not yet fenced, and its global ones in all.
 * Nothing else is: an entry of one ASID seen in another, or one that a fence of its ASID
 * should have dropped, is caught. ASan and UBSan watch the walker's own memory accesses. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "riscv/cpu.h"
#include "riscv/memacc.h"
#include "riscv/mmu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RAM_BASE  0x80000000ull
#define RAM_PAGES 16u
#define RAM_SIZE  (RAM_PAGES * 4096ull)

static uint8_t ram[RAM_SIZE];

/* The hart's view of guest-physical RAM: inside [RAM_BASE, RAM_BASE + RAM_SIZE) only. */
static void *phys_ptr(void *env, uint64_t pa, unsigned len) {
    (void)env;
    uint64_t o = pa - RAM_BASE;
    if (o >= RAM_SIZE || RAM_SIZE - o < len) return NULL;
    return ram + o;
}

/* Input bytes, read front to back; zero once used up. */
typedef struct {
    const uint8_t *p;
    size_t n;
} input_t;

static uint64_t take(input_t *in, unsigned bytes) {
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++) {
        uint64_t b = in->n ? (in->n--, *in->p++) : 0;
        v |= b << (8 * i);
    }
    return v;
}

/* A page table entry from 8 input bytes: flags V R W X U A D as given (three times in four
 * shaped into a pointer or a leaf, keeping G) and G one time in sixteen (a walk passes several
 * entries: global translations stay the exception, so that one address space's entry seen in
 * another is caught), a PPN that is one of the RAM pages (most of the time) or anything
 * (sometimes), reserved bits rarely set. */
static uint64_t make_pte(uint64_t raw) {
    uint64_t flags = raw & 0xff;
    /* three times in four a well-formed entry, so that walks often succeed (and their
     * entries are there to be found again, in another address space): a pointer, or a leaf
     * with A and D set, U and the permissions as given */
    if ((raw >> 56) & 3) flags = ((raw & 0x100) ? 0x01 : (flags & 0x1e) | 0xc1) | (flags & 0x20);
    if ((raw >> 61) != 0) flags &= ~(uint64_t)0x20; /* G */
    uint64_t sel = (raw >> 8) & 0xff;
    uint64_t ppn;
    if (sel < 200) {
        ppn = (RAM_BASE >> 12) + ((raw >> 16) % RAM_PAGES);
    } else if (sel < 230) {
        /* a superpage-aligned or unaligned PPN around RAM */
        ppn = (RAM_BASE >> 12) + ((raw >> 16) & 0x3ffff);
    } else {
        ppn = (raw >> 16) & ((1ull << 44) - 1);
    }
    uint64_t pte = ppn << 10 | flags;
    if (sel == 255) pte |= (raw & 0xff00000000000000ull); /* reserved / N / PBMT bits */
    return pte;
}

/* ---- the reference: a page walk straight from the specification, no caching ---- */

#define PTE_V 0x01u
#define PTE_R 0x02u
#define PTE_W 0x04u
#define PTE_X 0x08u
#define PTE_U 0x10u
#define PTE_G 0x20u
#define PTE_A 0x40u
#define PTE_D 0x80u

static uint64_t ref_page_fault(rv_access_t t) {
    return t == RV_ACC_FETCH  ? RV_CAUSE_FETCH_PAGE_FAULT
           : t == RV_ACC_LOAD ? RV_CAUSE_LOAD_PAGE_FAULT
                              : RV_CAUSE_STORE_PAGE_FAULT;
}

static uint64_t ref_access_fault(rv_access_t t) {
    return t == RV_ACC_FETCH  ? RV_CAUSE_FETCH_ACCESS
           : t == RV_ACC_LOAD ? RV_CAUSE_LOAD_ACCESS
                              : RV_CAUSE_STORE_ACCESS;
}

/* Translate va as the specification says: 0 and *pa (and *global: a G bit on the way), or
 * the fault cause. `levels` 3, 4 or 5; priv is the effective privilege (M means no
 * translation). */
static uint64_t ref_translate(uint64_t satp, unsigned levels, unsigned priv, uint64_t mstatus,
                              uint64_t va, rv_access_t t, uint64_t *pa, bool *global) {
    *global = false;
    if (priv == RV_PRIV_M) {
        *pa = va;
        return 0;
    }
    unsigned vabits = 12 + 9 * levels;
    /* bits 63..vabits-1 must all equal bit vabits-1 */
    uint64_t top = va >> (vabits - 1);
    if (top != 0 && top != (~0ull >> (vabits - 1))) return ref_page_fault(t);
    uint64_t a = (satp & ((1ull << 44) - 1)) << 12;
    for (int i = (int)levels - 1; i >= 0; i--) {
        uint64_t vpn_i = (va >> (12 + 9 * i)) & 511;
        uint64_t pte_addr = a + vpn_i * 8;
        if (pte_addr < RAM_BASE || pte_addr + 8 > RAM_BASE + RAM_SIZE) return ref_access_fault(t);
        uint64_t pte;
        memcpy(&pte, ram + (pte_addr - RAM_BASE), 8);
        /* V clear, W without R, or any of bits 63..54 set (no Svnapot, Svpbmt): fault */
        if (!(pte & PTE_V) || ((pte & PTE_W) && !(pte & PTE_R)) || (pte >> 54) != 0)
            return ref_page_fault(t);
        uint64_t ppn = (pte >> 10) & ((1ull << 44) - 1);
        if (pte & PTE_G) *global = true; /* G on a pointer: every mapping below is global */
        if (!(pte & (PTE_R | PTE_X))) {
            /* a pointer; its A, D and U are reserved and vm (like qemu) faults on them */
            if (pte & (PTE_A | PTE_D | PTE_U)) return ref_page_fault(t);
            if (i == 0) return ref_page_fault(t);
            a = ppn << 12;
            continue;
        }
        /* a leaf at level i: the low i*9 bits of its PPN must be zero */
        if (i > 0 && (ppn & ((1ull << (9 * i)) - 1))) return ref_page_fault(t);
        if (priv == RV_PRIV_U && !(pte & PTE_U)) return ref_page_fault(t);
        if (priv == RV_PRIV_S && (pte & PTE_U)) {
            if (t == RV_ACC_FETCH || !(mstatus & RV_MSTATUS_SUM)) return ref_page_fault(t);
        }
        bool ok;
        if (t == RV_ACC_FETCH)
            ok = pte & PTE_X;
        else if (t == RV_ACC_LOAD)
            ok = (pte & PTE_R) || ((mstatus & RV_MSTATUS_MXR) && (pte & PTE_X));
        else
            ok = (pte & PTE_W) && (pte & PTE_R);
        if (!ok) return ref_page_fault(t);
        /* Svade: A clear, or D clear on a write, is the kernel's page fault */
        if (!(pte & PTE_A)) return ref_page_fault(t);
        if ((t == RV_ACC_STORE || t == RV_ACC_AMO) && !(pte & PTE_D)) return ref_page_fault(t);
        uint64_t low = i ? ((1ull << (9 * i)) - 1) : 0;
        uint64_t page = (ppn & ~low) | ((va >> 12) & low);
        *pa = page << 12 | (va & 4095);
        return 0;
    }
    return ref_page_fault(t);
}

/* The effective privilege of an access of type t for the hart's state. */
static unsigned ref_priv(const rv_cpu_t *cpu, rv_access_t t) {
    if (t != RV_ACC_FETCH && cpu->priv == RV_PRIV_M && (cpu->mstatus & RV_MSTATUS_MPRV))
        return (unsigned)((cpu->mstatus & RV_MSTATUS_MPP) >> 11);
    return cpu->priv;
}

/* A virtual address from input: mostly table indexes 0..7 at each level (the entries the
 * input filled are at the start of each page), sign-extended as a canonical address would
 * be, often one of the last four made again, sometimes raw 64 bits (non-canonical, huge). */
static uint64_t recent[4]; /* the last addresses made, for make_va to use again */
static unsigned nrecent;

static uint64_t make_va(input_t *in, unsigned levels) {
    uint64_t sel = take(in, 1);
    if (sel >= 240) return take(in, 8);
    /* an address used before (in another address space, or after a fence, by now) */
    if (sel >= 160 && nrecent) return recent[sel % (nrecent < 4 ? nrecent : 4)];
    uint64_t va = take(in, 2) & 4095;
    uint64_t idx = take(in, 4);
    for (unsigned l = 0; l < levels; l++)
        va |= ((idx >> (3 * l)) & 7) << (12 + 9 * l);
    if (sel & 1) { /* upper half */
        unsigned vabits = 12 + 9 * levels;
        va |= 1ull << (vabits - 1);
        va |= ~0ull << vabits;
    }
    recent[nrecent++ % 4] = va;
    return va;
}

/* Three address spaces (ASID, root) and the one rewrite not yet fenced everywhere. */
typedef struct {
    uint64_t mode;     /* satp MODE << 60 */
    uint16_t asid[3];  /* their ASIDs */
    unsigned root[3];  /* their root RAM pages */
    unsigned cur;      /* the current one (satp) */
    bool pend;         /* a rewrite is open: */
    uint64_t pend_off; /*   the RAM offset of the entry rewritten */
    uint64_t pend_old; /*   its value before */
    bool stale[3];     /*   address spaces whose entries of the old RAM may remain */
    bool stale_global; /*   global entries of the old RAM may remain (no full fence yet) */
} space_t;

static uint64_t satp_of(const space_t *s, unsigned j) {
    return s->mode | (uint64_t)s->asid[j] << 44 | ((RAM_BASE >> 12) + s->root[j]);
}

static bool same(uint64_t cause, uint64_t pa, uint64_t got, uint64_t got_pa) {
    return got == cause && (cause || got_pa == pa);
}

/* Whether the hart may answer (got, got_pa) for an access of type t at va now: the
 * reference's answer in the current address space, another's global translation, or while
 * a rewrite is open a translation of the RAM before it that a TLB may still hold. */
static bool allowed(const space_t *s, unsigned levels, unsigned p, uint64_t mstatus, uint64_t va,
                    rv_access_t t, uint64_t got, uint64_t got_pa) {
    for (int old = 0; old < (s->pend ? 2 : 1); old++) {
        uint64_t now = 0;
        if (old) {
            memcpy(&now, ram + s->pend_off, 8);
            memcpy(ram + s->pend_off, &s->pend_old, 8);
        }
        bool ok = false;
        for (unsigned j = 0; j < 3 && !ok; j++) {
            uint64_t pa = 0;
            bool g;
            uint64_t c = ref_translate(satp_of(s, j), levels, p, mstatus, va, t, &pa, &g);
            bool here = j == s->cur;
            if (!old)
                ok = here ? same(c, pa, got, got_pa) : !c && g && same(c, pa, got, got_pa);
            else
                ok = !c && same(c, pa, got, got_pa) &&
                     ((here && s->stale[j]) || (g && s->stale_global));
        }
        if (old) memcpy(ram + s->pend_off, &now, 8);
        if (ok) return true;
    }
    return false;
}

/* The inline TLB of the hart's current set for an access of type t and len bytes at va (what
 * the engines try before the slow path): a hit must be an allowed answer, in RAM. */
static void check_inline(const rv_cpu_t *cpu, const space_t *s, unsigned levels, unsigned p,
                         uint64_t va, rv_access_t t, unsigned len) {
    if (t == RV_ACC_FETCH) return;
    uint8_t *h = rv_tlb_host(cpu, t == RV_ACC_LOAD ? cpu->tlb_ld_off : cpu->tlb_st_off, va, len);
    if (!h) return;
    if (h < ram || h + len > ram + RAM_SIZE) abort();
    if (!allowed(s, levels, p, cpu->mstatus, va, t, 0, RAM_BASE + (uint64_t)(h - ram))) abort();
}

/* Translated code's site slots: a hit of the inline TLB (load table at `off`) is copied into a
 * slot of the same set and kind, picked here by the address (the engines pick it by the pc). */
static void site_copy(rv_cpu_t *cpu, uint64_t off, uint64_t va, unsigned len) {
    if (!rv_tlb_host(cpu, off, va, len)) return;
    ptrdiff_t d =
        (ptrdiff_t)offsetof(rv_tlbf_table_t, site) - (ptrdiff_t)offsetof(rv_tlbf_table_t, ent);
    rv_tlb_fast_t *t = (rv_tlb_fast_t *)(void *)((char *)cpu + off);
    rv_tlb_fast_t *site = (rv_tlb_fast_t *)(void *)((char *)cpu + off + d);
    site[((va >> 12) ^ (va >> 4)) & (RV_SITE_SLOTS - 1)] = t[(va >> 12) & (RV_TLB_SIZE - 1)];
}

/* Every filled site slot of the hart's current set (load and store tables) must hold an
 * allowed translation of its page, in RAM. */
static void check_sites(const rv_cpu_t *cpu, const space_t *s, unsigned levels) {
    ptrdiff_t d =
        (ptrdiff_t)offsetof(rv_tlbf_table_t, site) - (ptrdiff_t)offsetof(rv_tlbf_table_t, ent);
    for (unsigned k = 0; k < 2; k++) {
        uint64_t off = k ? cpu->tlb_st_off : cpu->tlb_ld_off;
        if (!off) return;
        rv_access_t t = k ? RV_ACC_STORE : RV_ACC_LOAD;
        unsigned p = ref_priv(cpu, t);
        const rv_tlb_fast_t *site =
            (const rv_tlb_fast_t *)(const void *)((const char *)cpu + off + d);
        for (unsigned i = 0; i < RV_SITE_SLOTS; i++) {
            uint64_t v = site[i].vtag;
            if (v == ~0ull) continue;
            const uint8_t *h = (const uint8_t *)(uintptr_t)(v + site[i].addend);
            if (h < ram || h + 4096 > ram + RAM_SIZE) abort();
            if (!allowed(s, levels, p, cpu->mstatus, v, t, 0, RAM_BASE + (uint64_t)(h - ram)))
                abort();
        }
    }
}

/* A full fence: nothing stale remains. */
static void fence_all(rv_cpu_t *cpu, space_t *s) {
    rv_mmu_flush(cpu, false, 0, true);
    s->pend = false;
}

static void set_priv(rv_cpu_t *cpu, unsigned which) {
    cpu->mstatus &= ~(RV_MSTATUS_MPRV | RV_MSTATUS_MPP);
    switch (which % 4) {
    case 0: cpu->priv = RV_PRIV_S; break;
    case 1: cpu->priv = RV_PRIV_U; break;
    case 2: /* M with MPRV: loads and stores as S */
        cpu->priv = RV_PRIV_M;
        cpu->mstatus |= RV_MSTATUS_MPRV | (uint64_t)RV_PRIV_S << 11;
        break;
    default: /* M with MPRV: loads and stores as U */
        cpu->priv = RV_PRIV_M;
        cpu->mstatus |= RV_MSTATUS_MPRV | (uint64_t)RV_PRIV_U << 11;
        break;
    }
    rv_mmu_update(cpu);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static rv_cpu_t cpu;
    input_t in = {data, size};
    rv_cpu_reset(&cpu);
    cpu.misa |= 1ull << 18; /* S */
    memset(ram, 0, sizeof(ram));
    nrecent = 0;

    uint64_t hdr = take(&in, 3);
    static const unsigned modes[3] = {RV_SATP_SV39, RV_SATP_SV48, RV_SATP_SV57};
    unsigned m = (unsigned)(hdr % 3);
    unsigned levels = 3 + m;
    static const uint16_t asids[3] = {1, 2, 0xffff};
    space_t sp = {.mode = (uint64_t)modes[m] << 60};
    for (unsigned j = 0; j < 3; j++) {
        sp.asid[j] = asids[j];
        sp.root[j] = (unsigned)((hdr >> (4 + 4 * j)) % RAM_PAGES);
    }
    cpu.satp = satp_of(&sp, 0);
    /* the first 8 entries of each RAM page from the input, or (half the time) from a
     * generator seeded by 8 input bytes, so that short inputs reach long programs of
     * operations (address-space switches between accesses of one address) */
    uint64_t seed = (hdr >> 20) & 1 ? take(&in, 8) : 0;
    for (unsigned pg = 0; pg < RAM_PAGES; pg++)
        for (unsigned e = 0; e < 8; e++) {
            uint64_t raw;
            if ((hdr >> 20) & 1) { /* splitmix64 */
                uint64_t z = (seed += 0x9e3779b97f4a7c15ull);
                z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
                z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
                raw = z ^ (z >> 31);
            } else {
                raw = take(&in, 8);
            }
            uint64_t pte = make_pte(raw);
            memcpy(ram + pg * 4096 + e * 8, &pte, 8);
        }
    rv_mmu_enable(&cpu, phys_ptr, ram, RAM_BASE, RAM_SIZE);
    set_priv(&cpu, (unsigned)(hdr >> 16));

    for (unsigned op = 0; op < 64 && in.n; op++) {
        unsigned kind = (unsigned)take(&in, 1);
        switch (kind % 8) {
        case 0: set_priv(&cpu, (unsigned)take(&in, 1)); continue;
        case 1:
            cpu.mstatus ^= RV_MSTATUS_SUM;
            rv_mmu_update(&cpu);
            continue;
        case 2:
            cpu.mstatus ^= RV_MSTATUS_MXR;
            rv_mmu_update(&cpu);
            continue;
        case 3: { /* rewrite an entry, then sfence.vma in full or of one ASID; or a fence of
                     one address (of every ASID or one), or of one ASID, alone */
            unsigned pg = (unsigned)take(&in, 1), e = (unsigned)take(&in, 1);
            unsigned j = e % 3;
            if (pg >= 0xe8) {
                rv_mmu_flush(&cpu, true, make_va(&in, levels), true);
            } else if (pg >= 0xd0) {
                rv_mmu_flush_asid(&cpu, true, make_va(&in, levels), sp.asid[j], true);
            } else if (pg >= 0xc0) {
                rv_mmu_flush_asid(&cpu, false, 0, sp.asid[j], true);
                sp.stale[j] = false;
            } else {
                if (sp.pend) fence_all(&cpu, &sp); /* one open rewrite at a time */
                pg %= RAM_PAGES;
                e %= 8;
                uint64_t pte = make_pte(take(&in, 8));
                sp.pend = true;
                sp.pend_off = pg * 4096 + e * 8;
                memcpy(&sp.pend_old, ram + sp.pend_off, 8);
                memcpy(ram + sp.pend_off, &pte, 8);
                unsigned f = (unsigned)take(&in, 1);
                if (f < 128) {
                    fence_all(&cpu, &sp);
                } else { /* one ASID's fence: the others, and global entries, may be stale */
                    for (unsigned k = 0; k < 3; k++)
                        sp.stale[k] = k != f % 3;
                    sp.stale_global = true;
                    rv_mmu_flush_asid(&cpu, false, 0, sp.asid[f % 3], true);
                }
            }
            continue;
        }
        case 4: { /* switch address space: a satp write, no fence */
            unsigned j = (unsigned)take(&in, 1) % 3;
            uint64_t old = cpu.satp;
            sp.cur = j;
            cpu.satp = satp_of(&sp, j);
            rv_mmu_satp_written(&cpu, old);
            continue;
        }
        default: break;
        }
        /* an access */
        rv_access_t t = (rv_access_t)((kind >> 3) & 3);
        uint64_t va = make_va(&in, levels);
        unsigned p = ref_priv(&cpu, t);
        uint64_t got_pa = 0;
        unsigned ilen = 1u << ((kind >> 5) & 3);
        check_inline(&cpu, &sp, levels, p, va, t, ilen);
        check_sites(&cpu, &sp, levels);
        uint64_t got = rv_mmu_translate(&cpu, va, t, &got_pa);
        if (!allowed(&sp, levels, p, cpu.mstatus, va, t, got, got_pa)) abort();
        /* ... and a second time: now possibly from the TLB */
        got = rv_mmu_translate(&cpu, va, t, &got_pa);
        if (!allowed(&sp, levels, p, cpu.mstatus, va, t, got, got_pa)) abort();
        check_inline(&cpu, &sp, levels, p, va, t, ilen); /* now possibly filled */
        if (t != RV_ACC_FETCH)
            site_copy(&cpu, t == RV_ACC_LOAD ? cpu.tlb_ld_off : cpu.tlb_st_off, va, ilen);
        check_sites(&cpu, &sp, levels);
        /* a load of 1..8 bytes through rv_mmu_access (it may cross into the next page): the
         * bytes of the pages the hart's own (allowed) translations name */
        if (t == RV_ACC_LOAD && cpu.xlate) {
            unsigned len = 1u << ((kind >> 5) & 3);
            uint64_t va2 = va + len - 1, pa2 = 0;
            uint64_t got2 = got ? 0 : rv_mmu_translate(&cpu, va2, t, &pa2);
            if (!got && !allowed(&sp, levels, p, cpu.mstatus, va2, t, got2, pa2)) abort();
            uint8_t buf[8];
            bool ok = rv_mmu_access(&cpu, va, buf, len, t);
            if (got) {
                if (ok || cpu.cause != got || cpu.tval != va) abort();
            } else if (got2 && (va2 >> 12) != (va >> 12)) {
                /* the second page faults: tval is its first byte */
                if (ok || cpu.cause != got2 || cpu.tval != ((va2 >> 12) << 12)) abort();
            } else {
                /* both pieces translate: RAM bytes, or an access fault outside RAM */
                unsigned n0 = 4096 - (unsigned)(va & 4095);
                if (n0 > len) n0 = len;
                bool in0 = phys_ptr(NULL, got_pa, n0) != NULL;
                bool in1 = n0 == len || phys_ptr(NULL, pa2 - (len - n0 - 1), len - n0) != NULL;
                if (in0 && in1) {
                    if (!ok) abort();
                    if (memcmp(buf, ram + (got_pa - RAM_BASE), n0)) abort();
                    if (n0 < len &&
                        memcmp(buf + n0, ram + (pa2 - (len - n0 - 1) - RAM_BASE), len - n0))
                        abort();
                } else if (ok || cpu.cause != RV_CAUSE_LOAD_ACCESS) {
                    abort();
                }
            }
        }
    }
    return 0;
}
