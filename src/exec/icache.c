/* icache.c - the decode cache: the block builder, the hash table by pc, and invalidation.
 *
 * Decoded blocks live in one bump arena; invalidation is all-or-nothing (the arena and hash
 * table are reset), which keeps successor links between blocks trivially safe: they die
 * together. exec_invalidate_range only flushes when the range meets the guest range that
 * decoded code came from. Pages holding decoded code are flagged in cpu->page_flags (when the
 * owner provides it) so that a guest store into them flushes the cache: self-modifying code
 * works even without fence.i. A flush also drops the translating engine's code.
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

/* Code pages shared by the harts of one machine (exec_share_code): page_flags and code_lines
 * are every hart's, so a store by any hart into any hart's code is seen; a page keeps its flag
 * and lines while some hart still has code there (refs), and each hart knows its own pages
 * (code_mine). The lock orders marking and unmarking; stores read the flags without it. */
struct exec_code_share {
    pthread_mutex_t lock; /* taken to change refs and, with them, flags and lines */
    uint8_t *refs;        /* per RAM page: harts with decoded code there */
    uint64_t pages;       /* RAM pages */
};

/* Drop this hart's claim on the pages it flagged (shared flags: exec_flush's part). */
static void unmark_shared(rv_cpu_t *cpu) {
    struct exec_code_share *sh = cpu->code_share;
    pthread_mutex_lock(&sh->lock);
    for (size_t i = 0; i < cpu->ncode_pages; i++) {
        uint64_t p = cpu->code_pages[i];
        cpu->code_mine[p >> 6] &= ~(1ull << (p & 63));
        if (--sh->refs[p] == 0) {
            __atomic_fetch_and(&cpu->page_flags[p], (uint8_t)~RV_PAGE_CODE, __ATOMIC_SEQ_CST);
            if (p > 0)
                __atomic_fetch_and(&cpu->page_flags[p - 1], (uint8_t)~RV_PAGE_NEXT_CODE,
                                   __ATOMIC_SEQ_CST);
            if (cpu->code_lines) __atomic_store_n(&cpu->code_lines[p], 0, __ATOMIC_SEQ_CST);
        }
    }
    pthread_mutex_unlock(&sh->lock);
    cpu->ncode_pages = 0;
    cpu->code_pages_lost = false;
}

void exec_flush(rv_cpu_t *cpu) {
    struct rv_icache *ic = cpu->icache;
    if (ic->nblocks) memset(ic->hash, 0, ((size_t)ic->hash_mask + 1) * sizeof(ic->hash[0]));
    ic->nblocks = 0;
    ic->used = 0;
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
    if (!cpu->peers && (addr >= cpu->code_hi || addr + len <= cpu->code_lo)) return false;
    if (!cpu->code_lines) return true;
    uint64_t first = (addr - code_base(cpu)) >> 6, last = (addr + len - 1 - code_base(cpu)) >> 6;
    for (uint64_t l = first; l <= last; l++)
        if (l < (code_size(cpu) >> 6) && ((cpu->code_lines[l / 64] >> (l % 64)) & 1)) return true;
    return false;
}

void exec_invalidate_range(rv_cpu_t *cpu, uint64_t addr, uint64_t len) {
    uint64_t end = addr + len < addr ? UINT64_MAX : addr + len;
    if (!(addr < cpu->code_hi && cpu->code_lo < end)) return;
    if (cpu->page_flags && !cpu->code_pages_lost) {
        /* flush only when a page holding decoded code is in the range: an munmap of heap
         * memory between the program and the libraries leaves the caches alone */
        for (size_t i = 0; i < cpu->ncode_pages; i++) {
            uint64_t a = code_base(cpu) + (cpu->code_pages[i] << RV_PAGE_SHIFT);
            if (a < end && a + (1u << RV_PAGE_SHIFT) > addr) {
                exec_flush(cpu);
                return;
            }
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

/* Double the buckets in use when the table holds more than two blocks per bucket: bucket i
 * splits into i and i + old count, in place. */
static void grow_hash(struct rv_icache *ic) {
    unsigned n = ic->hash_mask + 1;
    if (n >= RV_ICACHE_HASH || ic->nblocks <= 2 * (size_t)n) return;
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
        bool fresh = sh->refs[p]++ == 0;
        __atomic_fetch_or(&cpu->page_flags[p], (uint8_t)RV_PAGE_CODE, __ATOMIC_SEQ_CST);
        if (p > 0)
            __atomic_fetch_or(&cpu->page_flags[p - 1], (uint8_t)RV_PAGE_NEXT_CODE,
                              __ATOMIC_SEQ_CST);
        pthread_mutex_unlock(&sh->lock);
        note_code_page(cpu, p); /* when lost, the claim stays: slower, never wrong */
        rv_mmu_code_page(cpu);
        if (fresh)
            for (unsigned i = 0; i < cpu->npeers; i++)
                if (cpu->peers[i] != cpu) {
                    atomic_store(&cpu->peers[i]->code_tlb_req, 1);
                    rv_cpu_kick(cpu->peers[i]);
                }
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
            if (cpu->phys_ptr) rv_mmu_code_page(cpu); /* stores there: the slow path */
        }
    }
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
    for (;;) {
        rv_op_t *op = &b->ops[n];
        uint16_t lo, hi;
        cpu->pc = cur; /* for a host fault while fetching */
        /* execute permission: checked for the block's page, and for the next page when an
         * instruction crosses into it (blocks never start another page otherwise) */
        bool denied = n == 0 && no_exec(cpu, cur);
        bool ok = !denied && fetch(cpu, cur, &lo, 2);
        bool wide = ok && (lo & 3) == 3;
        if (wide && ((cur + 2) >> RV_PAGE_SHIFT) != (cur >> RV_PAGE_SHIFT) &&
            no_exec(cpu, cur + 2)) {
            ok = false;
            denied = true;
        }
        if (wide && ok) ok = fetch(cpu, cur + 2, &hi, 2);
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
    /* a fault block marks its pc too, so that mapping the page (exec_invalidate_range)
     * drops it */
    uint64_t off = pc & ((1u << RV_PAGE_SHIFT) - 1);
    uint64_t first = (1u << RV_PAGE_SHIFT) - off, len = cur > pc ? cur - pc : 2;
    mark_code(cpu, (b->ppn << RV_PAGE_SHIFT) | off, len < first ? len : first);
    if (len > first) mark_code(cpu, b->ppn2 << RV_PAGE_SHIFT, len - first);
    cpu->pc = pc;
    return b;
}

int exec_share_code(rv_cpu_t *const *harts, unsigned n) {
    rv_cpu_t *c0 = harts[0];
    if (!c0->phys_ptr || !c0->page_flags) return -EINVAL;
    struct exec_code_share *sh = calloc(1, sizeof(*sh));
    uint64_t pages = c0->phys_size >> RV_PAGE_SHIFT;
    if (!sh || !(sh->refs = calloc(pages ? pages : 1, 1))) {
        free(sh);
        return -ENOMEM;
    }
    sh->pages = pages;
    pthread_mutex_init(&sh->lock, NULL);
    for (unsigned i = 0; i < n; i++) {
        exec_flush(harts[i]); /* flags of code decoded alone go first */
        harts[i]->code_mine = calloc(pages / 64 + 1, sizeof(uint64_t));
        if (!harts[i]->code_mine) {
            exec_unshare_code(harts, n);
            return -ENOMEM;
        }
        harts[i]->code_share = sh;
    }
    return 0;
}

void exec_unshare_code(rv_cpu_t *const *harts, unsigned n) {
    struct exec_code_share *sh = NULL;
    for (unsigned i = 0; i < n; i++) {
        if (harts[i]->code_share) {
            sh = harts[i]->code_share;
            if (harts[i]->code_mine) exec_flush(harts[i]);
        }
        free(harts[i]->code_mine);
        harts[i]->code_mine = NULL;
        harts[i]->code_share = NULL;
    }
    if (sh) {
        pthread_mutex_destroy(&sh->lock);
        free(sh->refs);
        free(sh);
    }
}
