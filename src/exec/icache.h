/* icache.h - decoded blocks, the decode cache and the interpreter, private to src/exec and the
 * engines that build on decoded blocks (src/jit). */
#pragma once

#include "exec/exec.h"
#include "riscv/cpu.h"
#include "riscv/decode.h"

#define RV_BLOCK_MAX    64          /* instructions per decoded block, at most */
#define RV_ICACHE_HASH  (1u << 20)  /* hash buckets at most (power of two) */
#define RV_ICACHE_HASH0 (1u << 8)   /* hash buckets in use at first (power of two) */
#define RV_ICACHE_ARENA (16u << 20) /* default bytes of decoded blocks before a full flush */

/* Computed-goto dispatch (a GCC/clang extension) behind macros, so the interpreter reads as
 * plain C: RV_LABEL_ADDR(l) takes a label's address, RV_GOTO(p) jumps to one. */
#define RV_LABEL_ADDR(l) (&&l)
#define RV_GOTO(p)       goto *(p)

/* A run of decoded instructions ending at control flow, a system instruction, a page edge or
 * RV_BLOCK_MAX instructions. */
typedef struct rv_block {
    uint64_t pc;               /* guest pc of the first instruction */
    uint64_t end;              /* guest pc after the last instruction */
    struct rv_block *hnext;    /* next block in the same hash bucket */
    struct rv_block *succ[2];  /* successor cache (valid until the next flush) */
    uint64_t succ_pc[2];       /* pcs of the cached successors (| 1: linked while translating) */
    uint64_t ppn;              /* physical page pc was fetched from (UINT64_MAX: a fetch fault
                                  met while translating, or dropped with its page: never
                                  found again) */
    uint64_t ppn2;             /* physical page of the last byte (another page only when the
                                  last instruction crosses a page edge) */
    struct rv_block *pnext[2]; /* next block in the list of its page: [0] ppn's, [1] ppn2's
                                  (when another page), so a write drops one page's blocks */
    void *users;               /* the translating engine's list of translations that took
                                  code from this block (its own type) */
    uint64_t users_gen;        /* the engine's code-cache generation when users was set
                                  (an older one: users is stale, the list is empty) */
    bool ident;                /* fetched from pa == va: valid wherever fetch does not
                                  translate (user mode, bare machine, M-mode, satp Bare) */
    bool cross;                /* the last instruction crosses into the next virtual page */
    uint32_t n;                /* guest instructions (the trailing pseudo-op excluded) */
    uint32_t nops;             /* entries in ops[] */
    rv_op_t ops[];             /* the decoded instructions */
} rv_block_t;

/* One entry of the decode cache's page table: the blocks with a byte on physical page ppn. */
typedef struct rv_page_blocks {
    uint64_t ppn;          /* physical page number (UINT64_MAX: a free entry) */
    struct rv_block *head; /* its blocks, linked through pnext */
} rv_page_blocks_t;

/* The decode cache: a bump arena of blocks plus a hash table by pc. */
struct rv_icache {
    rv_page_blocks_t *pages;          /* blocks by page (open addressing; NULL before the first
                                         block): a store into code drops its page's blocks */
    unsigned pages_mask;              /* entries of pages[] - 1 */
    size_t pages_used;                /* entries holding a page (kept until a full flush) */
    bool pages_lost;                  /* a block could not be listed (out of memory): dropping
                                         a page drops everything until the next flush */
    unsigned hash_mask;               /* buckets of hash[] in use - 1 */
    size_t nblocks;                   /* blocks in the table */
    uint8_t *arena;                   /* block storage */
    size_t arena_size;                /* its bytes (exec_options_t.decode_bytes) */
    size_t used;                      /* bytes of arena in use */
    struct rv_block *last;            /* the block the interpreter ran last when its budget
                                         ended the run (the JIT runs it one block at a time):
                                         the next run starts from its successor links instead
                                         of the hash; NULL after a flush or translated code */
    exec_fetch_check_fn fetch_check;  /* execute permission of a page (NULL: all readable) */
    void *fetch_check_env;            /* its first argument */
    rv_block_t *hash[RV_ICACHE_HASH]; /* bucket heads: only the first hash_mask + 1 are used,
                                         doubled as blocks come, so that a hart that decodes
                                         little touches few pages of the table (last, so that
                                         the first buckets share a page with the fields) */
};

/* Find or build the block at pc (never NULL: fetch faults become a fault pseudo-op). The
 * block found is one whose bytes the hart would fetch at pc now (rv_block_valid). */
rv_block_t *rv_icache_get(rv_cpu_t *cpu, uint64_t pc);

/* The block at pc if it is decoded already (as rv_icache_get finds it), else NULL: nothing
 * is decoded. Superblocks extend only into code that has run. */
rv_block_t *rv_icache_peek(rv_cpu_t *cpu, uint64_t pc);

/* Out-of-line part of rv_block_valid: the pages of b checked through the fetch TLB. */
bool rv_block_valid_slow(rv_cpu_t *cpu, const rv_block_t *b);

/* The hart would fetch b's bytes at b->pc now: its physical page(s) are what pc maps to for
 * fetch at the current privilege (which also says that the page may be executed there).
 * Blocks are found by virtual pc and checked with this at entry, so privilege changes,
 * satp writes and sfence.vma leave the decode cache alone; only stores into code (and
 * fence.i) drop it. Without translation this is one load (b->ident). */
/* True when the fetch TLB holds pc's page mapped to physical page ppn at the current
 * privilege, as rv_mmu_code_ppn's hit (M-mode fetches never hit: priv 3 + 1 is never a fetch
 * tag). The fast half of rv_block_valid, also used by the JIT's lookup with the copies of a
 * block's pc and ppn that its translation keeps (no load from the decoded block). */
static inline bool rv_fetch_hits(const rv_cpu_t *cpu, uint64_t pc, uint64_t ppn) {
    uint64_t vpn = pc >> RV_PAGE_SHIFT;
    const rv_tlb_entry_t *e = &cpu->tlb[0][vpn & (RV_TLB_SIZE - 1)];
    return e->tag == ((vpn << 2) | (cpu->priv + 1u)) && e->ppn == ppn;
}

static inline bool rv_block_valid(rv_cpu_t *cpu, const rv_block_t *b) {
    if (RV_LIKELY(!cpu->xlate)) return b->ident;
    /* the fetch TLB's hit, else the out-of-line check */
    if (RV_LIKELY(!b->cross && rv_fetch_hits(cpu, b->pc, b->ppn))) return true;
    return rv_block_valid_slow(cpu, b);
}

/* Drop the decoded and translated code of physical page ppn (every block with a byte on it,
 * so also blocks that cross into it from the page before) and unmark the page, so that
 * stores there take the fast path again. The rest of the caches stays. */
void exec_invalidate_page(rv_cpu_t *cpu, uint64_t ppn);

/* The run loop's part of rv_cpu_code_written: drop the code of the pages in code_dirty, or
 * everything when code_dirty_all is set. */
void exec_drop_written(rv_cpu_t *cpu);

/* From the run loop, when code_tlb_req is set: drop the inline store entries that reach the
 * pages other harts made code (code_tlb_pages; every store entry when they overflowed), so
 * that this hart's stores there take the slow path, which sees the code. */
void exec_code_tlb_drain(rv_cpu_t *cpu);

/* fence.i must drop decoded code: not on harts with an MMU and page flags, where every
 * store into decoded code (through the window, the MMU or an AMO) already drops it; on a hart
 * whose owner counts what its flags cannot see (unseen_code: user mode), only when that count
 * moved since this hart last dropped its code for it (which this call records). */
static inline bool exec_fence_i_flushes(rv_cpu_t *cpu) {
    if (!cpu->page_flags) return true;
    if (cpu->phys_ptr) return false;
    if (!cpu->unseen_code) return true;
    uint64_t n = atomic_load_explicit(cpu->unseen_code, memory_order_acquire);
    if (n == cpu->unseen_seen && !(n & RV_UNSEEN_ALWAYS)) return false;
    cpu->unseen_seen = n;
    return true;
}

/* Re-read the bits of the instruction at pc (16 or 32 bits; 0 if unreadable), for mtval of an
 * instruction that decoded but is illegal in the current state. */
uint32_t rv_icache_insn_bits(rv_cpu_t *cpu, uint64_t pc);

/* A store to [addr, addr+len) overwrites decoded code (checked per 64-byte line when the owner
 * provided cpu->code_lines, else against the decoded range). */
bool rv_cpu_store_hits_code(const rv_cpu_t *cpu, uint64_t addr, unsigned len);

/* Outcome of rv_store_hook. */
enum { RV_HOOK_NONE = 0, RV_HOOK_FLUSHED = 1, RV_HOOK_HALT = 2 };

/* A store to [addr, addr+len) inside the window hit a flagged page (after the store was done):
 * call the watch callback; when it overwrote decoded code, ask for that code's pages to be
 * dropped (rv_cpu_code_written: the run loop does it at the next block boundary, which the
 * caller must reach at once by leaving its block). Returns RV_HOOK_*. */
int rv_store_hook(rv_cpu_t *cpu, uint64_t addr, unsigned len);

/* The interpreter: run decoded blocks from cpu->pc until instret reaches cpu->limit (the
 * budget, zeroed by stop requests and kicks; the run loop lowers it to instret + 1 to run one
 * block of a translating engine's cold code): EXEC_CONTINUE. A pending trap returns
 * EXEC_TRAP, a halting watched store EXEC_HALT, wfi EXEC_WFI. */
int exec_interp(rv_cpu_t *cpu);

/* After a host fault unwound to the run loop's catcher: give back the instructions of the
 * interpreter's current block that did not retire. */
void exec_interp_fault_fixup(rv_cpu_t *cpu);
