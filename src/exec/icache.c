/* icache.c - the decode cache: the block builder, the hash table by pc, and invalidation.
 *
 * Decoded blocks live in one bump arena, reset only by a full flush (the arena is full,
 * fence.i where stores are not watched, too many pages written at once). Pages holding decoded
 * code are flagged in cpu->page_flags (when the owner provides it) so that a guest store into
 * them is seen: self-modifying code works even without fence.i. Such a store drops only the
 * code of its page (exec_invalidate_page): every block is also listed under the physical
 * page(s) its bytes came from (a small open-addressing table, pages[], of per-page lists
 * through pnext), so the page's blocks, and the blocks that cross into it from the page
 * before, leave the hash table and are marked dead (ppn UINT64_MAX, not ident: no validity
 * check passes). Their memory stays until the next full flush, so a successor link or a
 * running block that still points at one reads a dead block, never freed memory; the
 * interpreter checks every successor with rv_block_valid. The translating engine drops what
 * it made from each dead block (exec_engine_t.drop_block). A store only records the page
 * (rv_cpu_code_written) and leaves its block; the run loop drops the page's code at the next
 * block boundary (exec_drop_written), where no block of this hart is running. A flush drops
 * the translating engine's code as well.
 *
 * Blocks are found by the virtual pc they start at and remember the physical page(s) their
 * bytes came from (ppn, ppn2). A block is only run where the hart would fetch those bytes at
 * that pc now (rv_block_valid): without translation, when it was fetched from pa == va
 * (ident); while translating, when the fetch TLB maps pc to its page at the current
 * privilege, which also proves the page executable there. So privilege changes, satp writes
 * and sfence.vma keep the cache; a pc mapped to other code gets a second block beside the
 * first. Code is marked (page_flags, code_lines) by physical page on harts with an MMU, so a
 * store through any mapping into code flushes; a fetch fault met while translating builds a
 * block used once and never found again.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "exec/icache.h"
#include "riscv/memacc.h"
#include "riscv/mmu.h"

/* The address page_flags and code_lines count from, and the bytes they cover: physical RAM
 * on harts with an MMU (code is marked by physical page), else the window. */
static uint64_t code_base(const rv_cpu_t *cpu) {
    return cpu->phys_ptr ? cpu->phys_start : cpu->mem_start;
}
static uint64_t code_size(const rv_cpu_t *cpu) {
    return cpu->phys_ptr ? cpu->phys_size : cpu->mem_size;
}

/* Code pages shared by the harts of one machine (exec_share_code) or the threads of one
 * user-mode process (exec_code_share_new, exec_code_join): page_flags and code_lines are every
 * hart's, so a store by any hart into any hart's code is seen; a page keeps its flag and lines
 * while some hart still has code there (refs), and each hart knows its own pages (code_mine).
 * The lock orders marking and unmarking; stores read the flags without it. The harts of a
 * user-mode process join and leave while the others run, so the share lists them itself
 * (harts), and a store into code tells each listed hart under the lock (share_code_written);
 * a machine's fixed harts are its peers instead. */
struct exec_code_share {
    pthread_mutex_t lock; /* taken to change refs and, with them, flags and lines; and harts */
    uint16_t *refs;       /* per page: harts with decoded code there (UINT16_MAX: pinned, the
                             page stays flagged: slower, never wrong) */
    uint64_t pages;       /* pages covered (RAM, or the user-mode window) */
    rv_cpu_t **harts;     /* joined harts (exec_code_join), NULL for a machine's peers */
    unsigned nharts;      /* entries of harts */
    unsigned harts_cap;   /* its capacity */
};

/* Zeroed memory of n bytes that costs only the pages written (the user-mode window has 2^26
 * pages), or NULL. */
static void *zmap(size_t n) {
    void *p = mmap(NULL, n ? n : 1, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* Bytes of a hart's code_mine for a share of `pages` pages. */
static size_t mine_bytes(uint64_t pages) {
    return (size_t)(pages / 64 + 1) * sizeof(uint64_t);
}

/* Drop this hart's claim on RAM page p, if it has one (the share's lock held): the last
 * claim unflags the page and clears its lines. */
static void unclaim_locked(rv_cpu_t *cpu, uint64_t p) {
    struct exec_code_share *sh = cpu->code_share;
    uint64_t bit = 1ull << (p & 63);
    if (p >= sh->pages || !(cpu->code_mine[p >> 6] & bit))
        return; /* (a page dropped alone
                     is unclaimed already) */
    cpu->code_mine[p >> 6] &= ~bit;
    if (sh->refs[p] != UINT16_MAX && --sh->refs[p] == 0) {
        __atomic_fetch_and(&cpu->page_flags[p], (uint8_t)~RV_PAGE_CODE, __ATOMIC_SEQ_CST);
        if (p > 0)
            __atomic_fetch_and(&cpu->page_flags[p - 1], (uint8_t)~RV_PAGE_NEXT_CODE,
                               __ATOMIC_SEQ_CST);
        if (cpu->code_lines) __atomic_store_n(&cpu->code_lines[p], 0, __ATOMIC_SEQ_CST);
    }
}

/* Drop this hart's claim on the pages it flagged (shared flags: exec_flush's part). */
static void unmark_shared(rv_cpu_t *cpu) {
    struct exec_code_share *sh = cpu->code_share;
    pthread_mutex_lock(&sh->lock);
    for (size_t i = 0; i < cpu->ncode_pages; i++)
        unclaim_locked(cpu, cpu->code_pages[i]);
    pthread_mutex_unlock(&sh->lock);
    cpu->ncode_pages = 0;
    cpu->code_pages_lost = false;
}

/* Empty the page table (a full flush): every entry free. */
static void pages_clear(struct rv_icache *ic) {
    if (!ic->pages_used) return;
    for (unsigned i = 0; i <= ic->pages_mask; i++) {
        ic->pages[i].ppn = UINT64_MAX;
        ic->pages[i].head = NULL;
    }
    ic->pages_used = 0;
}

/* Slot of page ppn in pages[] (capacity a power of two, at most half full). */
static unsigned pages_slot(const struct rv_icache *ic, uint64_t ppn) {
    uint64_t h = (ppn ^ (ppn >> 17)) * 0x9e3779b97f4a7c15ull;
    unsigned i = (unsigned)(h >> 32) & ic->pages_mask;
    while (ic->pages[i].ppn != ppn && ic->pages[i].ppn != UINT64_MAX)
        i = (i + 1) & ic->pages_mask;
    return i;
}

/* The entry of page ppn, or NULL when no block was ever listed there since the last flush. */
static rv_page_blocks_t *pages_find(const struct rv_icache *ic, uint64_t ppn) {
    if (!ic->pages) return NULL;
    rv_page_blocks_t *e = &ic->pages[pages_slot(ic, ppn)];
    return e->ppn == ppn ? e : NULL;
}

/* The entry of page ppn, made when missing; NULL when the table cannot grow (out of memory:
 * the caller then flushes everything instead of dropping pages). */
static rv_page_blocks_t *pages_get(struct rv_icache *ic, uint64_t ppn) {
    if (!ic->pages || 2 * (ic->pages_used + 1) > (size_t)ic->pages_mask + 1) {
        size_t n = ic->pages ? 2 * ((size_t)ic->pages_mask + 1) : 1024;
        rv_page_blocks_t *t = malloc(n * sizeof(*t)), *old = ic->pages;
        if (!t) return NULL;
        for (size_t i = 0; i < n; i++)
            t[i] = (rv_page_blocks_t){UINT64_MAX, NULL};
        unsigned old_n = old ? ic->pages_mask + 1 : 0;
        ic->pages = t;
        ic->pages_mask = (unsigned)(n - 1);
        for (unsigned i = 0; i < old_n; i++)
            if (old[i].ppn != UINT64_MAX) ic->pages[pages_slot(ic, old[i].ppn)] = old[i];
        free(old);
    }
    rv_page_blocks_t *e = &ic->pages[pages_slot(ic, ppn)];
    if (e->ppn == UINT64_MAX) {
        e->ppn = ppn;
        ic->pages_used++;
    }
    return e;
}

/* List b under its page(s). False when the table cannot grow. */
static bool pages_add(struct rv_icache *ic, rv_block_t *b) {
    rv_page_blocks_t *e = pages_get(ic, b->ppn);
    if (!e) return false;
    b->pnext[0] = e->head;
    e->head = b;
    b->pnext[1] = NULL;
    if (b->ppn2 != b->ppn) {
        e = pages_get(ic, b->ppn2);
        if (!e) return false;
        b->pnext[1] = e->head;
        e->head = b;
    }
    return true;
}

/* Take b out of the list of page ppn (one of its pages). */
static void pages_unlink(struct rv_icache *ic, rv_block_t *b, uint64_t ppn) {
    rv_page_blocks_t *e = pages_find(ic, ppn);
    if (!e) return;
    for (rv_block_t **pp = &e->head; *pp;) {
        rv_block_t *c = *pp;
        unsigned k = c->ppn == ppn ? 0 : 1;
        if (c == b) {
            *pp = c->pnext[k];
            return;
        }
        pp = &c->pnext[k];
    }
}

void exec_fence_i(rv_cpu_t *cpu) {
    if (exec_fence_i_flushes(cpu)) exec_flush(cpu);
}

void exec_flush(rv_cpu_t *cpu) {
    struct rv_icache *ic = cpu->icache;
    if (ic->nblocks) memset(ic->hash, 0, ((size_t)ic->hash_mask + 1) * sizeof(ic->hash[0]));
    ic->nblocks = 0;
    pages_clear(ic);
    ic->pages_lost = false;
    ic->used = 0;
    ic->last = NULL;
    cpu->cur_block = NULL;
    cpu->stats.flushes++;
    if (cpu->code_share) {
        unmark_shared(cpu);
    } else if (cpu->page_flags && cpu->code_lo < cpu->code_hi) {
        /* only the pages flagged since the last flush: the window may be 2^38 bytes. A page
         * has 64 lines of 64 bytes: one word of code_lines. (Pages that could not be recorded
         * keep their flag and lines: stores there flush, which is slower but never wrong.) */
        for (size_t i = 0; i < cpu->ncode_pages; i++) {
            uint64_t p = cpu->code_pages[i];
            cpu->page_flags[p] &= ~(RV_PAGE_CODE | RV_PAGE_NEXT_CODE);
            if (p > 0) cpu->page_flags[p - 1] &= ~RV_PAGE_NEXT_CODE;
            if (cpu->code_lines) cpu->code_lines[p] = 0;
        }
        cpu->ncode_pages = 0;
        cpu->code_pages_lost = false;
    } else if (cpu->code_lines && cpu->code_lo < cpu->code_hi && code_size(cpu) >= 64) {
        uint64_t lo = (cpu->code_lo - code_base(cpu)) >> 6;
        uint64_t hi = (cpu->code_hi - 1 - code_base(cpu)) >> 6;
        uint64_t nlines = code_size(cpu) >> 6;
        if (hi >= nlines) hi = nlines - 1;
        if (lo <= hi) memset(cpu->code_lines + lo / 64, 0, (hi / 64 - lo / 64 + 1) * 8);
    }
    cpu->code_lo = UINT64_MAX;
    cpu->code_hi = 0;
    if (cpu->engine) cpu->engine->flush(cpu);
}

/* Remember a page flagged RV_PAGE_CODE so that a flush clears exactly the flagged pages. When
 * the list cannot grow, the flag stays set: stores there take the slow path and flush, which is
 * slower but never wrong. */
static void note_code_page(rv_cpu_t *cpu, uint64_t p) {
    if (cpu->ncode_pages == cpu->code_pages_cap) {
        size_t cap = cpu->code_pages_cap ? cpu->code_pages_cap * 2 : 256;
        uint64_t *n = realloc(cpu->code_pages, cap * sizeof(*n));
        if (!n) {
            cpu->code_pages_lost = true; /* invalidation falls back to the code range */
            return;
        }
        cpu->code_pages = n;
        cpu->code_pages_cap = cap;
    }
    cpu->code_pages[cpu->ncode_pages++] = p;
}

bool rv_cpu_store_hits_code(const rv_cpu_t *cpu, uint64_t addr, unsigned len) {
    /* the hart's own code range; with peers the flags and lines are every hart's */
    if (!cpu->peers && !cpu->code_share && (addr >= cpu->code_hi || addr + len <= cpu->code_lo))
        return false;
    if (!cpu->code_lines) return true;
    uint64_t first = (addr - code_base(cpu)) >> 6, last = (addr + len - 1 - code_base(cpu)) >> 6;
    for (uint64_t l = first; l <= last; l++)
        if (l < (code_size(cpu) >> 6) && ((cpu->code_lines[l / 64] >> (l % 64)) & 1)) return true;
    return false;
}

/* Unflag page ppn (no block of this hart is left on it): stores there are plain again. */
static void unmark_page(rv_cpu_t *cpu, uint64_t ppn) {
    uint64_t base = code_base(cpu) >> RV_PAGE_SHIFT;
    if (ppn < base || ppn - base >= (code_size(cpu) >> RV_PAGE_SHIFT)) return;
    uint64_t p = ppn - base;
    if (cpu->code_share) {
        pthread_mutex_lock(&cpu->code_share->lock);
        unclaim_locked(cpu, p);
        pthread_mutex_unlock(&cpu->code_share->lock);
    } else if (cpu->page_flags) {
        cpu->page_flags[p] &= (uint8_t)~RV_PAGE_CODE;
        if (p > 0) cpu->page_flags[p - 1] &= (uint8_t)~RV_PAGE_NEXT_CODE;
        if (cpu->code_lines) cpu->code_lines[p] = 0;
    }
}

/* Drop decoded block b (already out of its pages' lists): out of the hash table, marked dead
 * (no validity check passes: ppn UINT64_MAX, not ident), and what the engine made from it. */
static void drop_block(rv_cpu_t *cpu, rv_block_t *b) {
    struct rv_icache *ic = cpu->icache;
    unsigned h = (unsigned)(b->pc >> 1) & ic->hash_mask;
    for (rv_block_t **pp = &ic->hash[h]; *pp; pp = &(*pp)->hnext)
        if (*pp == b) {
            *pp = b->hnext;
            ic->nblocks--;
            break;
        }
    if (cpu->engine && cpu->engine->drop_block) cpu->engine->drop_block(cpu, b);
    b->ppn = b->ppn2 = UINT64_MAX;
    b->ident = false;
    b->cross = true;
    b->hnext = NULL;
    if (cpu->cur_block == b) cpu->cur_block = NULL;
    cpu->stats.blocks_dropped++;
}

void exec_invalidate_page(rv_cpu_t *cpu, uint64_t ppn) {
    struct rv_icache *ic = cpu->icache;
    if (ic->pages_lost) {
        exec_flush(cpu);
        return;
    }
    rv_page_blocks_t *e = pages_find(ic, ppn);
    rv_block_t *b = e ? e->head : NULL;
    if (e) e->head = NULL;
    while (b) {
        unsigned k = b->ppn == ppn ? 0 : 1;
        rv_block_t *next = b->pnext[k];
        uint64_t other = k ? b->ppn : b->ppn2; /* a block crossing a page edge: its other page */
        if (other != ppn) pages_unlink(ic, b, other);
        drop_block(cpu, b);
        b = next;
    }
    unmark_page(cpu, ppn);
    cpu->stats.page_drops++;
}

void exec_drop_written(rv_cpu_t *cpu) {
    bool all = atomic_exchange(&cpu->code_dirty_all, 0);
    uint64_t pages[RV_CODE_DIRTY];
    unsigned n = 0;
    for (unsigned i = 0; i < RV_CODE_DIRTY; i++) {
        uint64_t v = atomic_exchange(&cpu->code_dirty[i], 0);
        bool seen = false;
        for (unsigned k = 0; k < n && v; k++)
            seen = seen || pages[k] == v - 1;
        if (v && !seen) pages[n++] = v - 1;
    }
    if (all) {
        exec_flush(cpu);
        return;
    }
    for (unsigned i = 0; i < n; i++)
        exec_invalidate_page(cpu, pages[i]);
}

void exec_invalidate_range(rv_cpu_t *cpu, uint64_t addr, uint64_t len) {
    uint64_t end = addr + len < addr ? UINT64_MAX : addr + len;
    if (!(addr < cpu->code_hi && cpu->code_lo < end)) return;
    if (cpu->page_flags && !cpu->code_pages_lost && !cpu->icache->pages_lost) {
        /* only the pages holding decoded code in the range drop their code: an munmap of heap
         * memory between the program and the libraries leaves the caches alone (a page may be
         * listed twice; the second drop finds nothing) */
        for (size_t i = 0; i < cpu->ncode_pages; i++) {
            uint64_t a = code_base(cpu) + (cpu->code_pages[i] << RV_PAGE_SHIFT);
            if (a < end && a + (1u << RV_PAGE_SHIFT) > addr)
                exec_invalidate_page(cpu, a >> RV_PAGE_SHIFT);
        }
        return;
    }
    exec_flush(cpu);
}

void exec_set_fetch_check(rv_cpu_t *cpu, exec_fetch_check_fn fn, void *env) {
    cpu->icache->fetch_check = fn;
    cpu->icache->fetch_check_env = env;
}

/* The owner forbids execution from the page holding pc. */
static bool no_exec(const rv_cpu_t *cpu, uint64_t pc) {
    const struct rv_icache *ic = cpu->icache;
    return ic->fetch_check && !ic->fetch_check(ic->fetch_check_env, pc);
}

/* Read `len` bytes of code at pc; returns false when the fetch faults. */
static bool fetch(rv_cpu_t *cpu, uint64_t pc, void *buf, unsigned len) {
    return rv_mem_read(cpu, pc, buf, len, RV_ACC_FETCH);
}

/* The decoder's view of the page it reads a block from: translated once per block instead of
 * once per instruction (a fetch through the MMU is a trip through the slow path's
 * translation, 7-9 M of them in a Debian boot). */
typedef struct fetch_page {
    uint64_t vpn;        /* virtual page that `host` maps, or UINT64_MAX: none yet */
    const uint8_t *host; /* its bytes in host memory (RAM), or NULL: read through fetch() */
} fetch_page_t;

/* Point fp at the page holding pc: its host bytes when the hart fetches it from RAM now (the
 * window while nothing translates; through the fetch TLB, else a walk, otherwise). False when
 * that fetch faults, with cpu->cause and cpu->tval set as rv_mem_read would set them (the
 * page fault of the fetch at pc). A page that is not RAM (ROM, MMIO) leaves host NULL: each
 * fetch then takes the slow path as before. */
static bool fetch_page_at(rv_cpu_t *cpu, fetch_page_t *fp, uint64_t pc) {
    uint64_t page = pc & ~(uint64_t)((1u << RV_PAGE_SHIFT) - 1);
    fp->vpn = pc >> RV_PAGE_SHIFT;
    fp->host = NULL;
    if (!cpu->xlate) {
        uint64_t o = page - cpu->mem_start;
        if (rv_win_in(o, cpu->mem_size, 1u << RV_PAGE_SHIFT)) fp->host = cpu->mem_base + o;
        return true;
    }
    uint64_t pa, cause = rv_mmu_translate(cpu, page, RV_ACC_FETCH, &pa);
    if (cause) {
        cpu->cause = cause;
        cpu->tval = pc;
        return false;
    }
    uint64_t o = pa - cpu->phys_start;
    if (rv_win_in(o, cpu->phys_size, 1u << RV_PAGE_SHIFT)) fp->host = cpu->phys_base + o;
    return true;
}

/* Read 2 bytes of code at pc (aligned to 2: never across a page) through fp, which moves to
 * pc's page first when it is another; false when the fetch faults (cause and tval set). */
static bool fetch16(rv_cpu_t *cpu, fetch_page_t *fp, uint64_t pc, uint16_t *v) {
    if ((pc >> RV_PAGE_SHIFT) != fp->vpn && !fetch_page_at(cpu, fp, pc)) return false;
    if (!fp->host || (pc & 1)) return fetch(cpu, pc, v, 2);
    memcpy(v, fp->host + (pc & ((1u << RV_PAGE_SHIFT) - 1)), 2);
    return true;
}

uint32_t rv_icache_insn_bits(rv_cpu_t *cpu, uint64_t pc) {
    uint16_t lo, hi;
    if (!fetch(cpu, pc, &lo, 2)) return 0;
    if ((lo & 3) != 3) return lo;
    if (!fetch(cpu, pc + 2, &hi, 2)) return 0;
    return (uint32_t)lo | (uint32_t)hi << 16;
}

/* Instructions that only write rd (no memory, no traps, no flags): with rd = x0 they are
 * nops, so the interpreter can write x[rd] unconditionally in their handlers. */
static bool pure_rd_writer(unsigned id) {
    const rv_insn_info_t *in = &rv_insn_table[id];
    if (in->flags & (RV_F_END | RV_F_FP)) return false;
    if (in->mem_width) return false; /* loads, LR/SC and AMOs can trap */
    return in->fmt == RV_FMT_R || in->fmt == RV_FMT_I || in->fmt == RV_FMT_U ||
           in->fmt == RV_FMT_SH;
}

/* Double the buckets in use when the table holds more blocks than buckets: bucket i splits
 * into i and i + old count, in place. (Without whole-cache drops a system's decoded blocks
 * live for the whole boot: over a million in a Debian boot.) */
static void grow_hash(struct rv_icache *ic) {
    unsigned n = ic->hash_mask + 1;
    if (n >= RV_ICACHE_HASH || ic->nblocks <= (size_t)n) return;
    unsigned mask = 2 * n - 1;
    for (unsigned i = 0; i < n; i++) {
        rv_block_t *b = ic->hash[i], *keep = NULL, *move = NULL;
        while (b) {
            rv_block_t *next = b->hnext;
            rv_block_t **to = ((unsigned)(b->pc >> 1) & mask) == i ? &keep : &move;
            b->hnext = *to;
            *to = b;
            b = next;
        }
        ic->hash[i] = keep;
        ic->hash[i + n] = move;
    }
    ic->hash_mask = mask;
}

bool rv_block_valid_slow(rv_cpu_t *cpu, const rv_block_t *b) {
    uint64_t p;
    if (!rv_mmu_code_ppn(cpu, b->pc, &p) || p != b->ppn) return false;
    uint64_t last = b->end > b->pc ? b->end - 1 : b->pc;
    if ((last >> RV_PAGE_SHIFT) == (b->pc >> RV_PAGE_SHIFT)) return true;
    return rv_mmu_code_ppn(cpu, last, &p) && p == b->ppn2;
}

/* Ask hart c to drop its inline store entries that reach physical page ppn, which this hart
 * made code, at its next block boundary (exec_code_tlb_drain): in a free slot of
 * code_tlb_pages, else (all taken) every store entry. */
static void code_tlb_request(rv_cpu_t *c, uint64_t ppn) {
    unsigned i = 0;
    for (; i < RV_CODE_TLB_REQ; i++) {
        uint64_t free_slot = 0;
        if (atomic_compare_exchange_strong(&c->code_tlb_pages[i], &free_slot, ppn + 1)) break;
    }
    if (i == RV_CODE_TLB_REQ) atomic_store(&c->code_tlb_all, 1);
    atomic_store(&c->code_tlb_req, 1); /* after the slot: the drain that sees it finds the page */
    rv_cpu_kick(c);
}

void exec_code_tlb_drain(rv_cpu_t *cpu) {
    atomic_store(&cpu->code_tlb_req, 0); /* before the slots: a request after this is seen next */
    bool all = atomic_exchange(&cpu->code_tlb_all, 0);
    for (unsigned i = 0; i < RV_CODE_TLB_REQ; i++) {
        uint64_t v = atomic_exchange(&cpu->code_tlb_pages[i], 0);
        if (v && !all) rv_mmu_code_page(cpu, v - 1);
    }
    if (all) rv_mmu_code_page(cpu, UINT64_MAX);
}

/* Shared flags: this hart has code on page p (its first block there: claim the page, flag
 * it, and make every other hart drop inline store entries that could still reach it). The
 * lines are marked after the claim, so that no other hart's unmarking can clear them. */
static void mark_shared(rv_cpu_t *cpu, uint64_t p, uint64_t pa, uint64_t len) {
    struct exec_code_share *sh = cpu->code_share;
    if (p >= sh->pages) return;
    uint64_t bit = 1ull << (p & 63);
    if (!(cpu->code_mine[p >> 6] & bit)) {
        cpu->code_mine[p >> 6] |= bit;
        pthread_mutex_lock(&sh->lock);
        bool fresh = sh->refs[p] == 0;
        if (sh->refs[p] != UINT16_MAX) sh->refs[p]++;
        __atomic_fetch_or(&cpu->page_flags[p], (uint8_t)RV_PAGE_CODE, __ATOMIC_SEQ_CST);
        if (p > 0)
            __atomic_fetch_or(&cpu->page_flags[p - 1], (uint8_t)RV_PAGE_NEXT_CODE,
                              __ATOMIC_SEQ_CST);
        pthread_mutex_unlock(&sh->lock);
        note_code_page(cpu, p); /* when lost, the claim stays: slower, never wrong */
        /* (a window hart has no inline TLB) */
        if (cpu->phys_ptr) rv_mmu_code_page(cpu, (code_base(cpu) >> RV_PAGE_SHIFT) + p);
        if (fresh)
            for (unsigned i = 0; i < cpu->npeers; i++)
                if (cpu->peers[i] != cpu)
                    code_tlb_request(cpu->peers[i], (code_base(cpu) >> RV_PAGE_SHIFT) + p);
    }
    if (cpu->code_lines) {
        uint64_t base = code_base(cpu), nlines = code_size(cpu) >> 6;
        for (uint64_t a = pa & ~63ull; a < pa + len && a >= (pa & ~63ull); a += 64) {
            uint64_t l = (a - base) >> 6;
            if (l < nlines && !((cpu->code_lines[l / 64] >> (l % 64)) & 1))
                __atomic_fetch_or(&cpu->code_lines[l / 64], 1ull << (l % 64), __ATOMIC_SEQ_CST);
        }
    }
}

/* Page flag and code lines of [pa, pa+len) (inside one page) as holding decoded code; pa is
 * physical on harts with an MMU and an address of the window otherwise. */
static void mark_code(rv_cpu_t *cpu, uint64_t pa, uint64_t len) {
    uint64_t base = code_base(cpu), size = code_size(cpu);
    if (pa < cpu->code_lo) cpu->code_lo = pa;
    if (pa + len > cpu->code_hi) cpu->code_hi = pa + len;
    if (cpu->code_share) {
        mark_shared(cpu, (pa - base) >> RV_PAGE_SHIFT, pa, len);
        return;
    }
    if (cpu->code_lines) {
        uint64_t nlines = size >> 6;
        for (uint64_t a = pa & ~63ull; a < pa + len && a >= (pa & ~63ull); a += 64) {
            uint64_t l = (a - base) >> 6;
            if (l < nlines) cpu->code_lines[l / 64] |= 1ull << (l % 64);
        }
    }
    if (cpu->page_flags) {
        uint64_t p = (pa - base) >> RV_PAGE_SHIFT;
        if (p < (size >> RV_PAGE_SHIFT) && !(cpu->page_flags[p] & RV_PAGE_CODE)) {
            cpu->page_flags[p] |= RV_PAGE_CODE;
            if (p > 0) cpu->page_flags[p - 1] |= RV_PAGE_NEXT_CODE;
            note_code_page(cpu, p);
            /* stores there: the slow path */
            if (cpu->phys_ptr) rv_mmu_code_page(cpu, (base >> RV_PAGE_SHIFT) + p);
        }
    }
}

rv_block_t *rv_icache_peek(rv_cpu_t *cpu, uint64_t pc) {
    struct rv_icache *ic = cpu->icache;
    for (rv_block_t *b = ic->hash[(unsigned)(pc >> 1) & ic->hash_mask]; b; b = b->hnext)
        if (b->pc == pc && rv_block_valid(cpu, b)) return b;
    return NULL;
}

rv_block_t *rv_icache_get(rv_cpu_t *cpu, uint64_t pc) {
    struct rv_icache *ic = cpu->icache;
    unsigned h = (unsigned)(pc >> 1) & ic->hash_mask;
    cpu->stats.block_lookups++;
    for (rv_block_t *b = ic->hash[h]; b; b = b->hnext)
        if (b->pc == pc && rv_block_valid(cpu, b)) {
            cpu->stats.cache_hits++;
            return b;
        }
    size_t need = sizeof(rv_block_t) + (RV_BLOCK_MAX + 1) * sizeof(rv_op_t);
    if (ic->used + need > ic->arena_size) {
        exec_flush(cpu);
        h = (unsigned)(pc >> 1) & ic->hash_mask;
    }
    rv_block_t *b = (rv_block_t *)(ic->arena + ic->used);
    memset(b, 0, sizeof(*b));
    b->pc = pc;
    uint64_t cur = pc;
    unsigned n = 0;
    bool ended = false; /* the last op leaves the block itself (no fallthrough needed) */
    cpu->fetching = true;
    fetch_page_t fp = {UINT64_MAX, NULL};
    for (;;) {
        rv_op_t *op = &b->ops[n];
        uint16_t lo, hi;
        cpu->pc = cur; /* for a host fault while fetching */
        /* execute permission: checked for the block's page, and for the next page when an
         * instruction crosses into it (blocks never start another page otherwise) */
        bool denied = n == 0 && no_exec(cpu, cur);
        bool ok = !denied && fetch16(cpu, &fp, cur, &lo);
        bool wide = ok && (lo & 3) == 3;
        if (wide && ((cur + 2) >> RV_PAGE_SHIFT) != (cur >> RV_PAGE_SHIFT) &&
            no_exec(cpu, cur + 2)) {
            ok = false;
            denied = true;
        }
        if (wide && ok) ok = fetch16(cpu, &fp, cur + 2, &hi);
        if (!ok) {
            /* The first instruction reports the fault; otherwise the block ends before the
             * faulting instruction and the next block reports it. */
            if (n == 0) {
                memset(op, 0, sizeof(*op));
                op->id = RV_I_fetch_fault;
                if (denied) { /* the owner forbids execution: a page fault there */
                    op->rd = RV_CAUSE_FETCH_PAGE_FAULT;
                    op->imm = wide ? 2 : 0; /* tval = pc + imm */
                } else {
                    /* the slow path said which fault (access or page) and where (the second
                     * half of an instruction that crosses into a missing page) */
                    op->rd = (uint8_t)cpu->cause;
                    op->imm = (int32_t)(cpu->tval - cur);
                }
                op->len = wide ? 4 : 2;
                n = 1;
                ended = true;
            }
            break;
        }
        uint32_t w = wide ? (uint32_t)lo | (uint32_t)hi << 16 : lo;
        rv_decode(w, op);
        op->off = (uint32_t)(cur - pc);
        if (op->rd == 0 && op->id != RV_I_illegal && pure_rd_writer(op->id)) op->id = RV_I_nop;
        cur += op->len;
        n++;
        if (op->id == RV_I_illegal ||
            (op->id < RV_I_illegal && (rv_insn_table[op->id].flags & RV_F_END))) {
            ended = true;
            break;
        }
        if (n >= RV_BLOCK_MAX || (cur >> RV_PAGE_SHIFT) != (pc >> RV_PAGE_SHIFT)) break;
    }
    cpu->fetching = false;
    b->n = n;
    b->nops = n;
    if (!ended) {
        rv_op_t *ft = &b->ops[n];
        memset(ft, 0, sizeof(*ft));
        ft->id = RV_I_fallthrough;
        ft->off = (uint32_t)(cur - pc);
        b->nops = n + 1;
    }
    b->end = cur;
    ic->used += (sizeof(rv_block_t) + b->nops * sizeof(rv_op_t) + 15) & ~(size_t)15;
    cpu->stats.blocks_decoded++;
    /* the physical pages the bytes came from: the fetches above just translated them (a
     * fetch TLB entry is always cached), so these are hits */
    uint64_t last = cur > pc ? cur - 1 : pc;
    bool faulted = b->ops[0].id == RV_I_fetch_fault;
    bool ok = rv_mmu_code_ppn(cpu, pc, &b->ppn);
    b->ppn2 = b->ppn;
    if (ok && !faulted && (last >> RV_PAGE_SHIFT) != (pc >> RV_PAGE_SHIFT))
        ok = rv_mmu_code_ppn(cpu, last, &b->ppn2);
    if (faulted && cpu->xlate && cpu->priv != RV_PRIV_M) ok = false;
    if (!ok) {
        /* a fault while translating: valid only now (the kernel will map the page) */
        b->ppn = b->ppn2 = UINT64_MAX;
        b->ident = false;
        b->cross = true; /* never the inline check's hit */
        cpu->pc = pc;
        return b;
    }
    b->ident = b->ppn == (pc >> RV_PAGE_SHIFT) && b->ppn2 == (last >> RV_PAGE_SHIFT);
    b->cross = (last >> RV_PAGE_SHIFT) != (pc >> RV_PAGE_SHIFT);
    b->hnext = ic->hash[h];
    ic->hash[h] = b;
    ic->nblocks++;
    grow_hash(ic);
    if (!pages_add(ic, b)) ic->pages_lost = true; /* page drops become full flushes */
    /* a fault block marks its pc too, so that mapping the page (exec_invalidate_range)
     * drops it */
    uint64_t off = pc & ((1u << RV_PAGE_SHIFT) - 1);
    uint64_t first = (1u << RV_PAGE_SHIFT) - off, len = cur > pc ? cur - pc : 2;
    mark_code(cpu, (b->ppn << RV_PAGE_SHIFT) | off, len < first ? len : first);
    if (len > first) mark_code(cpu, b->ppn2 << RV_PAGE_SHIFT, len - first);
    cpu->pc = pc;
    return b;
}

struct exec_code_share *exec_code_share_new(const rv_cpu_t *cpu) {
    if (!cpu->page_flags) return NULL;
    struct exec_code_share *sh = calloc(1, sizeof(*sh));
    uint64_t pages = code_size(cpu) >> RV_PAGE_SHIFT;
    if (!sh || !(sh->refs = zmap(pages * sizeof(uint16_t)))) {
        free(sh);
        return NULL;
    }
    sh->pages = pages;
    pthread_mutex_init(&sh->lock, NULL);
    return sh;
}

void exec_code_share_free(struct exec_code_share *sh) {
    if (!sh) return;
    pthread_mutex_destroy(&sh->lock);
    munmap(sh->refs, sh->pages ? sh->pages * sizeof(uint16_t) : 1);
    free(sh->harts);
    free(sh);
}

/* Give hart cpu its part of share sh (its own decoded code first goes: it was flagged alone). */
static int attach(struct exec_code_share *sh, rv_cpu_t *cpu) {
    exec_flush(cpu);
    cpu->code_mine = zmap(mine_bytes(sh->pages));
    if (!cpu->code_mine) return -ENOMEM;
    cpu->code_share = sh;
    return 0;
}

/* Take hart cpu's part back: its claims go with its code. */
static void detach(rv_cpu_t *cpu) {
    if (!cpu->code_share) return;
    if (cpu->code_mine) exec_flush(cpu);
    if (cpu->code_mine) munmap(cpu->code_mine, mine_bytes(cpu->code_share->pages));
    cpu->code_mine = NULL;
    cpu->code_share = NULL;
}

/* rv_cpu_code_written of a joined hart: every hart of the share drops the page (or all). */
static void share_code_written(rv_cpu_t *cpu, uint64_t ppn) {
    struct exec_code_share *sh = cpu->code_share;
    pthread_mutex_lock(&sh->lock);
    for (unsigned i = 0; i < sh->nharts; i++)
        rv_cpu_code_dirty(sh->harts[i], ppn);
    pthread_mutex_unlock(&sh->lock);
}

int exec_code_join(struct exec_code_share *sh, rv_cpu_t *cpu) {
    pthread_mutex_lock(&sh->lock);
    if (sh->nharts == sh->harts_cap) {
        unsigned cap = sh->harts_cap ? 2 * sh->harts_cap : 8;
        rv_cpu_t **n = realloc(sh->harts, cap * sizeof(*n));
        if (!n) {
            pthread_mutex_unlock(&sh->lock);
            return -ENOMEM;
        }
        sh->harts = n;
        sh->harts_cap = cap;
    }
    pthread_mutex_unlock(&sh->lock);
    int rc = attach(sh, cpu);
    if (rc) return rc;
    pthread_mutex_lock(&sh->lock);
    sh->harts[sh->nharts++] = cpu;
    cpu->code_written_fn = share_code_written;
    pthread_mutex_unlock(&sh->lock);
    return 0;
}

void exec_code_leave(rv_cpu_t *cpu) {
    struct exec_code_share *sh = cpu->code_share;
    if (!sh) return;
    detach(cpu); /* while listed: a store meanwhile still finds it alive */
    pthread_mutex_lock(&sh->lock);
    for (unsigned i = 0; i < sh->nharts; i++)
        if (sh->harts[i] == cpu) {
            sh->harts[i] = sh->harts[--sh->nharts];
            break;
        }
    pthread_mutex_unlock(&sh->lock);
    cpu->code_written_fn = NULL;
}

void exec_code_share_lock(struct exec_code_share *sh) {
    pthread_mutex_lock(&sh->lock);
}

void exec_code_share_unlock(struct exec_code_share *sh) {
    pthread_mutex_unlock(&sh->lock);
}

void exec_code_share_after_fork(rv_cpu_t *cpu) {
    struct exec_code_share *sh = cpu->code_share;
    if (!sh) return;
    pthread_mutex_unlock(&sh->lock); /* held across the fork (exec_code_share_lock) */
    /* the other harts did not come along, and their claims go with them: every flag, count
     * and claim starts empty, then this hart's code goes too (it was flagged with theirs) */
    madvise(sh->refs, sh->pages * sizeof(uint16_t), MADV_DONTNEED);
    madvise(cpu->page_flags, sh->pages, MADV_DONTNEED);
    madvise(cpu->code_mine, mine_bytes(sh->pages), MADV_DONTNEED);
    cpu->ncode_pages = 0;
    sh->harts[0] = cpu;
    sh->nharts = 1;
    exec_flush(cpu);
}

int exec_share_code(rv_cpu_t *const *harts, unsigned n) {
    rv_cpu_t *c0 = harts[0];
    if (!c0->phys_ptr || !c0->page_flags) return -EINVAL;
    struct exec_code_share *sh = exec_code_share_new(c0);
    if (!sh) return -ENOMEM;
    for (unsigned i = 0; i < n; i++) {
        if (attach(sh, harts[i]) != 0) {
            if (i == 0)
                exec_code_share_free(sh);
            else
                exec_unshare_code(harts, n); /* (frees sh) */
            return -ENOMEM;
        }
    }
    return 0;
}

void exec_unshare_code(rv_cpu_t *const *harts, unsigned n) {
    struct exec_code_share *sh = NULL;
    for (unsigned i = 0; i < n; i++) {
        if (harts[i]->code_share) sh = harts[i]->code_share;
        detach(harts[i]);
    }
    exec_code_share_free(sh);
}
