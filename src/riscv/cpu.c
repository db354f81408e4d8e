/* cpu.c - the hart outside the hot loop: reset, the decode cache (block builder, hash table,
 * invalidation), M-mode trap entry, the host-fault unwind and the --stats report.
 *
 * Decoded blocks live in one bump arena; invalidation is all-or-nothing (the arena and hash
 * table are reset), which keeps successor links between blocks trivially safe: they die
 * together. rv_cpu_invalidate_range only flushes when the range meets the guest range that
 * decoded code came from. In the bare machine, pages holding decoded code are flagged in
 * cpu->page_flags so that a guest store into them flushes the cache (self-modifying code
 * works even without fence.i).
 */
#include "riscv/cpu.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jit/jit.h"
#include "riscv/icache.h"

int rv_cpu_init(rv_cpu_t *cpu) {
    memset(cpu, 0, sizeof(*cpu));
    cpu->icache = calloc(1, sizeof(*cpu->icache));
    if (!cpu->icache) return -ENOMEM;
    cpu->icache->arena = malloc(RV_ICACHE_ARENA);
    if (!cpu->icache->arena) {
        free(cpu->icache);
        cpu->icache = NULL;
        return -ENOMEM;
    }
    cpu->priv = RV_PRIV_M;
    /* RV64 (MXL=2) with A, C, D, F, I, M, U. */
    cpu->misa = 2ull << 62 | 1u << 0 | 1u << 2 | 1u << 3 | 1u << 5 | 1u << 8 | 1u << 12 | 1u << 20;
    /* FS = Initial so FP works in user mode; the bare machine resets it to Off. */
    cpu->mstatus = 1ull << 13 | 2ull << 32;
    cpu->code_lo = UINT64_MAX;
    return 0;
}

void rv_cpu_destroy(rv_cpu_t *cpu) {
    if (cpu->jit) jit_detach(cpu);
    free(cpu->code_pages);
    cpu->code_pages = NULL;
    if (cpu->icache) free(cpu->icache->arena);
    free(cpu->icache);
    cpu->icache = NULL;
}

void rv_cpu_flush_icache(rv_cpu_t *cpu) {
    struct rv_icache *ic = cpu->icache;
    memset(ic->hash, 0, sizeof(ic->hash));
    ic->used = 0;
    cpu->cur_block = NULL;
    cpu->stats.flushes++;
    if (cpu->page_flags && cpu->code_lo < cpu->code_hi) {
        /* only the pages flagged since the last flush: the window may be 2^38 bytes */
        for (size_t i = 0; i < cpu->ncode_pages; i++) {
            uint64_t p = cpu->code_pages[i];
            cpu->page_flags[p] &= ~(RV_PAGE_CODE | RV_PAGE_NEXT_CODE);
            if (p > 0) cpu->page_flags[p - 1] &= ~RV_PAGE_NEXT_CODE;
        }
        cpu->ncode_pages = 0;
        cpu->code_pages_lost = false;
    }
    if (cpu->code_lines && cpu->code_lo < cpu->code_hi) {
        uint64_t lo = (cpu->code_lo - cpu->mem_start) >> 6;
        uint64_t hi = (cpu->code_hi - 1 - cpu->mem_start) >> 6;
        uint64_t nlines = cpu->mem_size >> 6;
        if (hi >= nlines) hi = nlines - 1;
        if (lo <= hi) memset(cpu->code_lines + lo / 64, 0, (hi / 64 - lo / 64 + 1) * 8);
    }
    cpu->code_lo = UINT64_MAX;
    cpu->code_hi = 0;
    if (cpu->jit) jit_flush(cpu);
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
    if (addr >= cpu->code_hi || addr + len <= cpu->code_lo) return false;
    if (!cpu->code_lines) return true;
    uint64_t first = (addr - cpu->mem_start) >> 6, last = (addr + len - 1 - cpu->mem_start) >> 6;
    for (uint64_t l = first; l <= last; l++)
        if (l < (cpu->mem_size >> 6) && ((cpu->code_lines[l / 64] >> (l % 64)) & 1)) return true;
    return false;
}

void rv_cpu_invalidate_range(rv_cpu_t *cpu, uint64_t addr, uint64_t len) {
    uint64_t end = addr + len < addr ? UINT64_MAX : addr + len;
    if (!(addr < cpu->code_hi && cpu->code_lo < end)) return;
    if (cpu->page_flags && !cpu->code_pages_lost) {
        /* flush only when a page holding decoded code is in the range: an munmap of heap
         * memory between the program and the libraries leaves the caches alone */
        for (size_t i = 0; i < cpu->ncode_pages; i++) {
            uint64_t a = cpu->mem_start + (cpu->code_pages[i] << RV_PAGE_SHIFT);
            if (a < end && a + (1u << RV_PAGE_SHIFT) > addr) {
                rv_cpu_flush_icache(cpu);
                return;
            }
        }
        return;
    }
    rv_cpu_flush_icache(cpu);
}

/* Read `len` bytes of code at pc; returns false when the fetch faults. */
static bool fetch(rv_cpu_t *cpu, uint64_t pc, void *buf, unsigned len) {
    uint64_t o = pc - cpu->mem_start;
    if (o < cpu->mem_size && cpu->mem_size - o >= len) {
        memcpy(buf, cpu->mem_base + o, len);
        return true;
    }
    return cpu->mem_slow && cpu->mem_slow(cpu->env, pc, buf, len, false) == 0;
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

rv_block_t *rv_icache_get(rv_cpu_t *cpu, uint64_t pc) {
    struct rv_icache *ic = cpu->icache;
    unsigned h = (unsigned)(pc >> 1) & (RV_ICACHE_HASH - 1);
    cpu->stats.block_lookups++;
    for (rv_block_t *b = ic->hash[h]; b; b = b->hnext)
        if (b->pc == pc) {
            cpu->stats.cache_hits++;
            return b;
        }
    size_t need = sizeof(rv_block_t) + (RV_BLOCK_MAX + 1) * sizeof(rv_op_t);
    if (ic->used + need > RV_ICACHE_ARENA) {
        rv_cpu_flush_icache(cpu);
        h = (unsigned)(pc >> 1) & (RV_ICACHE_HASH - 1);
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
        bool ok = fetch(cpu, cur, &lo, 2);
        bool wide = ok && (lo & 3) == 3;
        if (wide) ok = fetch(cpu, cur + 2, &hi, 2);
        if (!ok) {
            /* The first instruction reports the fault; otherwise the block ends before the
             * faulting instruction and the next block reports it. */
            if (n == 0) {
                memset(op, 0, sizeof(*op));
                op->id = RV_I_fetch_fault;
                op->rd = RV_CAUSE_FETCH_ACCESS;
                op->imm = wide ? 2 : 0; /* tval = pc + imm */
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
    b->hnext = ic->hash[h];
    ic->hash[h] = b;
    cpu->stats.blocks_decoded++;
    uint64_t code_end = cur > pc ? cur : pc + 2;
    if (pc < cpu->code_lo) cpu->code_lo = pc;
    if (code_end > cpu->code_hi) cpu->code_hi = code_end;
    if (cpu->code_lines) {
        uint64_t nlines = cpu->mem_size >> 6;
        for (uint64_t a = pc & ~63ull; a < code_end && a >= (pc & ~63ull); a += 64) {
            uint64_t l = (a - cpu->mem_start) >> 6;
            if (l < nlines) cpu->code_lines[l / 64] |= 1ull << (l % 64);
        }
    }
    if (cpu->page_flags) {
        uint64_t npages = cpu->mem_size >> RV_PAGE_SHIFT;
        for (uint64_t a = pc, next; a < code_end; a = next) {
            next = (a | ((1u << RV_PAGE_SHIFT) - 1)) + 1;
            if (next < a) next = code_end; /* the last page of the address space: no wrap */
            uint64_t p = (a - cpu->mem_start) >> RV_PAGE_SHIFT;
            if (p < npages && !(cpu->page_flags[p] & RV_PAGE_CODE)) {
                cpu->page_flags[p] |= RV_PAGE_CODE;
                if (p > 0) cpu->page_flags[p - 1] |= RV_PAGE_NEXT_CODE;
                note_code_page(cpu, p);
            }
        }
    }
    cpu->pc = pc;
    return b;
}

void rv_cpu_take_trap(rv_cpu_t *cpu, uint64_t cause, uint64_t tval) {
    cpu->mepc = cpu->pc;
    cpu->mcause = cause;
    cpu->mtval = tval;
    uint64_t s = cpu->mstatus;
    s = (s & ~RV_MSTATUS_MPIE) | ((s & RV_MSTATUS_MIE) ? RV_MSTATUS_MPIE : 0);
    s &= ~RV_MSTATUS_MIE;
    s = (s & ~RV_MSTATUS_MPP) | (uint64_t)cpu->priv << 11;
    cpu->mstatus = s;
    cpu->priv = RV_PRIV_M;
    cpu->resv_valid = false;
    cpu->pc = cpu->mtvec & ~3ull; /* exceptions always go to the base, also when vectored */
}

_Noreturn void rv_cpu_host_fault(rv_cpu_t *cpu, uint64_t cause, uint64_t tval) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGSEGV);
    sigaddset(&set, SIGBUS);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    if (cpu->fetching) cause = RV_CAUSE_FETCH_PAGE_FAULT;
    cpu->cause = cause;
    cpu->tval = tval;
    siglongjmp(cpu->fault_jmp, 1);
}

const char *rv_cause_name(uint64_t cause) {
    static const char *const names[RV_CAUSE_COUNT] = {
        "instruction address misaligned",
        "instruction access fault",
        "illegal instruction",
        "breakpoint",
        "load address misaligned",
        "load access fault",
        "store/AMO address misaligned",
        "store/AMO access fault",
        "ecall from U-mode",
        "ecall from S-mode",
        "reserved (10)",
        "ecall from M-mode",
        "instruction page fault",
        "load page fault",
        "reserved (14)",
        "store/AMO page fault",
    };
    return cause < RV_CAUSE_COUNT ? names[cause] : "unknown cause";
}

void rv_cpu_print_stats(const rv_cpu_t *cpu, void *out, double seconds) {
    FILE *f = out;
    const rv_stats_t *s = &cpu->stats;
    fprintf(f, "stats: instructions retired  %llu\n", (unsigned long long)cpu->instret);
    /* CPU time of the calling thread: on a loaded host it is a steadier base than wall time. */
    struct timespec ts;
    double cpu_s = 0;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
        cpu_s = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
    fprintf(f, "stats: run time              %.3f s wall, %.3f s thread CPU\n", seconds, cpu_s);
    if (seconds > 0)
        fprintf(f, "stats: speed                 %.1f MIPS wall, %.1f MIPS CPU\n",
                (double)cpu->instret / seconds / 1e6,
                cpu_s > 0 ? (double)cpu->instret / cpu_s / 1e6 : 0.0);
    fprintf(f, "stats: blocks decoded        %llu\n", (unsigned long long)s->blocks_decoded);
    fprintf(f, "stats: decode-cache lookups  %llu (hits %llu; chained jumps not counted)\n",
            (unsigned long long)s->block_lookups, (unsigned long long)s->cache_hits);
    fprintf(f, "stats: decode-cache flushes  %llu\n", (unsigned long long)s->flushes);
    for (unsigned c = 0; c < RV_CAUSE_COUNT; c++)
        if (s->traps[c])
            fprintf(f, "stats: traps: %-28s %llu\n", rv_cause_name(c),
                    (unsigned long long)s->traps[c]);
    if (cpu->jit) jit_print_stats(cpu, f);
}
