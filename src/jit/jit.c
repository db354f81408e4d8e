/* jit.c - the JIT as an engine of the run loop: block lookup, heat, code cache, chaining and
 * the slow-path helpers of translated code.
 *
 * The run loop (src/exec/run.c) calls jit_engine_run() at every turn. It finds the translated
 * block for cpu->pc (hash table) and enters it through the entry trampoline. A block not yet
 * translated goes back to the loop as EXEC_INTERP, and the interpreter runs it, while a per-pc
 * counter measures its heat; at the hart's threshold the block is translated. Translated code
 * returns an exit code (jit_priv.h); a direct exit also returns the address of its jump, which
 * the next turn patches to the target block once that is translated (chaining), so hot loops
 * never come back here. Traps, budgets and interrupts are the loop's.
 *
 * Code cache: a memfd mapped twice (read+write for the translator, read+execute to run), the
 * mappings not inherited by fork (the child makes its own). When it is full, or on a full
 * flush of the decode cache (exec_flush calls the engine's flush), every translation is
 * dropped at once; nothing is written into the cache until the dispatcher translates again,
 * so code still running is never overwritten under it.
 *
 * A store into code drops only the translations made from the decoded blocks of its page
 * (jit_drop_block, called by the decode cache for each block it drops, from the run loop:
 * no translation of this hart runs then). Each decoded block lists the translations that took
 * code from it (rv_block_t.users, jit_use_t), and each translation the chained jumps into it
 * (jit_block_t.in, recorded by patch_chain). A dropped translation leaves the hash table and
 * the fast tables, return-address-stack entries into it are emptied, the jumps chained into
 * it are pointed back at their exits (so they can be chained again to the new code), and its
 * entry becomes a jump to its prologue's exit, so that anything still pointing at it goes
 * back to the dispatcher. Its bytes stay in the cache until the next full flush.
 *
 * Tiered translation (the default; VM_JIT_IR=0 keeps the old path only, VM_JIT_IR=1 takes the
 * IR at once): the old path, cheap to translate, makes every translation first, with an
 * entry counter in its prologue (`sub dword [rip + d], 1; jz`, the counter a cell of an area
 * mapped just below the code cache's read+execute view, jit_t.ctr); a translation entered
 * jit_t.tier times (a quarter of that when it jumps back to its own start: a loop, which the
 * IR keeps in registers) leaves with JIT_EXIT_TIER, and tier_up() translates its superblock
 * again through the IR and puts the new translation in the old one's place, the way a drop
 * takes a translation out: hash and fast tables, chained jumps (moved to the new one), and a
 * jump at the old entry (to the new one, not to the dispatcher). Most translated code runs a
 * few times and pays only the old path's translation; the IR's cost (about twice per guest
 * instruction) goes to code that stays hot.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "core/dynlib.h"
#include "core/hostfd.h"
#include "jit/ir.h"
#include "jit/jit_priv.h"
#include "exec/exec1.h"
#include "riscv/decode.h"
#include "riscv/memacc.h"
#include "riscv/mmu.h"

#if defined(VM_HAVE_CAPSTONE)
#include <capstone/capstone.h>
#include <dlfcn.h>
#include <pthread.h>
#endif

static bool jit_supported(void) {
#if defined(__x86_64__)
    return true;
#else
    return false;
#endif
}

/* Reserve the addresses of a code cache's read+execute view with the entry counters' area
 * just below it (j->ctr_bytes, read+write, private): one PROT_NONE reservation whose first
 * part becomes the counters; the caller maps the view over the rest (MAP_FIXED). Returns the
 * view's address, or MAP_FAILED. The counters are then within a 32-bit displacement of every
 * byte of the view, so a prologue decrements its counter with one rip-relative `sub`. */
static uint8_t *reserve_rx(jit_t *j) {
    size_t len = j->ctr_bytes + j->size;
    void *base = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) return MAP_FAILED;
    if (j->ctr_bytes &&
        mmap(base, j->ctr_bytes, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) == MAP_FAILED) {
        munmap(base, len);
        return MAP_FAILED;
    }
    return (uint8_t *)base + j->ctr_bytes;
}

/* Unmap a read+execute view made by reserve_rx, its counters with it. */
static void unmap_rx(const jit_t *j, uint8_t *rx) {
    if (rx) munmap(rx - j->ctr_bytes, j->ctr_bytes + j->size);
}

/* The views rw and rx are mapped: take them (and the counters below rx) as the code cache. */
static void take_views(jit_t *j, uint8_t *rw, uint8_t *rx) {
    /* a forked child must not share (and overwrite) the parent's code */
    madvise(rw, j->size, MADV_DONTFORK);
    madvise(rx - j->ctr_bytes, j->ctr_bytes + j->size, MADV_DONTFORK);
    j->rw = rw;
    j->rx = rx;
    j->ctr = j->ctr_bytes ? (int32_t *)(void *)(rx - j->ctr_bytes) : NULL;
    j->ctr_used = 0;
    jit_emit_trampolines(j);
}

/* Profiling mode (--perf-map): perf names code by its perf-PID.map file only in anonymous
 * memory ("//anon", "/dev/zero"), not in a memfd mapping. The cache is then a shared anonymous
 * mapping (shown as /dev/zero), and mremap makes a second, read+execute view of the same
 * pages: two views and W^X as in the normal mode. (A single mapping whose protection flipped
 * for every translation and chain patch spent a third of a profiled boot in mprotect.) */
static int map_cache_anon(jit_t *j) {
    void *rw = mmap(NULL, j->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (rw == MAP_FAILED) return -errno;
    uint8_t *at = reserve_rx(j);
    void *rx = at == MAP_FAILED ? MAP_FAILED
                                : mremap(rw, 0, j->size, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)at);
    int rc = rx == MAP_FAILED ? -errno : 0;
    if (!rc && mprotect(rx, j->size, PROT_READ | PROT_EXEC) != 0) rc = -errno;
    if (rc) {
        if (at != MAP_FAILED) unmap_rx(j, at);
        munmap(rw, j->size);
        return rc;
    }
    take_views(j, rw, rx);
    return 0;
}

/* Open this process's perf map file (perf looks for /tmp/perf-PID.map), registered as one
 * of vm's own descriptors so that a guest cannot reach it. */
static void perf_map_open(jit_t *j) {
    char path[64];
    snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)getpid());
    j->perf_map = fopen(path, "ae");
    if (j->perf_map) vm_hostfd_add(fileno(j->perf_map));
}

/* Close the perf map file, if open. */
static void perf_map_close(jit_t *j) {
    if (!j->perf_map) return;
    vm_hostfd_remove(fileno(j->perf_map));
    fclose(j->perf_map);
    j->perf_map = NULL;
}

/* Map a fresh code cache of j->size bytes. */
static int map_cache(jit_t *j) {
    if (j->perf) return map_cache_anon(j);
    int fd = memfd_create("vm-jit", MFD_CLOEXEC);
    if (fd < 0) return -errno;
    int rc = 0;
    if (ftruncate(fd, (off_t)j->size) != 0) {
        rc = -errno;
        close(fd);
        return rc;
    }
    void *rw = mmap(NULL, j->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    uint8_t *at = rw == MAP_FAILED ? MAP_FAILED : reserve_rx(j);
    void *rx = at == MAP_FAILED
                   ? MAP_FAILED
                   : mmap(at, j->size, PROT_READ | PROT_EXEC, MAP_SHARED | MAP_FIXED, fd, 0);
    if (rx == MAP_FAILED) rc = -errno;
    close(fd);
    if (rc) {
        if (at != MAP_FAILED) unmap_rx(j, at);
        if (rw != MAP_FAILED) munmap(rw, j->size);
        return rc;
    }
    take_views(j, rw, rx);
    return 0;
}

/* Heat counters in use (the table grows with the decode cache's hash table, four counters per
 * bucket, so that a hart that runs little code touches one page of it; a collision only makes
 * a block hot sooner). Only grows, as that table does. */
static unsigned heat_count(const rv_cpu_t *cpu) {
    unsigned n = 4 * (cpu->icache->hash_mask + 1);
    return n < JIT_HEAT ? n : JIT_HEAT;
}

/* Heat counter (and refusal bit) of pc. */
static unsigned heat_index(const rv_cpu_t *cpu, uint64_t pc) {
    return (unsigned)(pc >> 1) & (heat_count(cpu) - 1);
}

/* Empty the tables. `zeroed`: they are known to be all zero (fresh pages) and stay untouched,
 * so that a hart that translates little keeps them unbacked: a host thread per guest thread
 * then costs a few pages here, not the tables' 230 KiB. Otherwise only the parts that can
 * have been written are cleared: the heat counters in use, and the buckets in use and the
 * fast table when blocks were translated (a new thread often flushes before it translates,
 * when another thread's mprotect changed the code generation). */
static void reset_tables(const rv_cpu_t *cpu, jit_t *j, bool zeroed) {
    if (!zeroed) {
        if (j->norder) { /* without translations, no bucket and no fast entry was written */
            memset(j->hash, 0, ((size_t)j->hash_mask + 1) * sizeof(j->hash[0]));
            memset(j->seen, 0, ((size_t)j->hash_mask + 1) * JIT_SEEN_BITS / 8);
            memset(j->fast, 0, sizeof(j->fast));
            if (j->fastx_used) memset(j->fastx, 0, sizeof(j->fastx));
        }
        memset(j->heat, 0, heat_count(cpu) * sizeof(j->heat[0]));
        if (j->any_bad) memset(j->bad, 0, sizeof(j->bad));
    }
    j->any_bad = false;
    j->fastx_used = false;
    /* a zero entry would match a jump to pc 0 and enter NULL: pc 0 maps to entry 0 only,
     * which holds the odd pc 1 when empty (no jump target is odd) */
    j->fast[0].pc = 1;
    j->fast[0].code = NULL;
    j->fastx[0].pc = 1;
    j->fastx[0].code = NULL;
    /* the return-address stack points into the code cache: it goes with it (odd pc 1: empty,
     * no return target is odd) */
    for (unsigned i = 0; i < JIT_RAS; i++) {
        j->ras[i].pc = 1;
        j->ras[i].code = NULL;
    }
    j->ras_top = 0;
    for (unsigned i = 0; i < JIT_XRAS; i++) {
        j->xras[i].pc = 1;
        j->xras[i].code = NULL;
        j->xras[i].ppn = JIT_NO_PPN;
    }
    j->xras_top = 0;
    if (zeroed) j->hash_mask = JIT_HASH0 - 1; /* a flush keeps the size reached */
    j->used = JIT_TRAMP_SIZE;
    j->ctr_used = 0; /* (the counters' values are set as each is handed out) */
    j->meta_used = 0;
    j->norder = 0;
    j->gen++;
}

/* Give back the pages of a code cache view but keep its addresses reserved (no access), so
 * that no later mapping lands there. */
static void retire_view(uint8_t *view, size_t size) {
    if (view && mmap(view, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
                     -1, 0) == MAP_FAILED)
        munmap(view, size);
}

/* --perf-map: a flush moves the code cache to fresh addresses. perf-PID.map has no notion of
 * time, so a host address that held two translations in turn would carry the first one's name
 * for samples of both (a boot that flushes 18 times named most of its time after the wrong
 * guest code). The views the flush leaves stay intact until the next flush, as in the normal
 * mode, where a helper that flushed returns into the block that called it; then their pages
 * go and their addresses stay reserved. Without a fresh mapping the cache is reused. */
static void perf_move_cache(jit_t *j) {
    uint8_t *rw = j->rw, *rx = j->rx;
    if (map_cache_anon(j) != 0) {
        j->rw = rw;
        j->rx = rx;
        return;
    }
    retire_view(j->perf_old_rw, j->size);
    if (j->perf_old_rx) retire_view(j->perf_old_rx - j->ctr_bytes, j->ctr_bytes + j->size);
    j->perf_old_rw = rw;
    j->perf_old_rx = rx;
}

static void reset(const rv_cpu_t *cpu, jit_t *j) {
    bool move = j->perf && j->rw && j->norder;
    reset_tables(cpu, j, false);
    if (move) perf_move_cache(j);
}

/* A zeroed jit_t in pages of its own (mmap), whose tables stay unbacked until used. */
static jit_t *jit_alloc(void) {
    void *p = mmap(NULL, sizeof(jit_t), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* Free a jit_t and what it owns besides the code cache. */
static void jit_free(jit_t *j) {
    if (j->meta) munmap(j->meta, j->meta_size);
    free(j->order);
    free(j->ir_scratch);
    free(j->edges);
    munmap(j, sizeof(*j));
}

/* A threshold of the tiered mode: environment variable `name` when it is a number up to 2^30
 * (the CLI rejects other values with a message), else `def`. */
static unsigned jit_tier_threshold(const char *name, unsigned def) {
    const char *s = getenv(name);
    if (!s || !*s) return def;
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    return *end || v > (1ul << 30) ? def : (unsigned)v;
}

static int jit_attach(rv_cpu_t *cpu, const exec_options_t *opt) {
    if (!jit_supported()) return -ENOTSUP;
    jit_t *j = jit_alloc();
    if (!j) return -ENOMEM;
    j->size = opt->cache_bytes ? opt->cache_bytes : JIT_CACHE_SIZE;
    if (j->size < JIT_TRAMP_SIZE + 2 * JIT_BLOCK_ROOM)
        j->size = JIT_TRAMP_SIZE + 2 * JIT_BLOCK_ROOM;
    j->threshold = opt->threshold ? opt->threshold : JIT_THRESHOLD;
    /* the entry counters' area below the read+execute view: one counter per JIT_CTR_SPAN
     * bytes of cache (a translation is longer), pages touched only as counters are handed
     * out; none when the view and the area would not be within a rip-relative reach */
    size_t nctr = j->size / JIT_CTR_SPAN;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    j->ctr_bytes = (nctr * sizeof(int32_t) + page - 1) / page * page;
    if (j->size + j->ctr_bytes > JIT_CTR_REACH) j->ctr_bytes = 0;
    j->ctr_cap = (uint32_t)(j->ctr_bytes / sizeof(int32_t));
    j->perf = opt->perf_map;
    j->dump = opt->dump;
    j->no_chain = opt->no_chain;
    j->count = opt->count;
    /* The translators: VM_JIT_IR=1 (or --jit-ir) the IR at once, VM_JIT_IR=0 the old path
     * only; otherwise tiered, the old path first and the IR for translations entered
     * VM_JIT_TIER_THRESHOLD times (0: never). Environment variables, so that they reach harts
     * made without vm's options (fuzz_cpu, the differential tests, guest threads). */
    const char *ir_env = getenv("VM_JIT_IR");
    j->ir = opt->ir || (ir_env && ir_env[0] == '1');
    bool old_only = !j->ir && ir_env && ir_env[0] == '0';
    j->tier =
        j->ir || old_only ? 0 : jit_tier_threshold("VM_JIT_TIER_THRESHOLD", JIT_TIER_THRESHOLD);
    j->tier_loop = jit_tier_threshold("VM_JIT_TIER_LOOP",
                                      (j->tier + JIT_TIER_LOOP_DIV - 1) / JIT_TIER_LOOP_DIV);
    const char *loops_env = getenv("VM_JIT_IR_LOOPS");
    j->ir_no_loops = loops_env && loops_env[0] == '0';
    const char *taken_env = getenv("VM_JIT_TAKEN");
    j->no_taken = taken_env && taken_env[0] == '0';
    const char *lazy_env = getenv("VM_JIT_IR_LAZY_MEM");
    j->ir_lazy_mem = !(lazy_env && lazy_env[0] == '0');
    const char *early_env = getenv("VM_JIT_IR_EARLY");
    j->ir_early = !(early_env && early_env[0] == '0');
    const char *follow_env = getenv("VM_JIT_IR_FOLLOW");
    j->ir_follow = follow_env && follow_env[0] >= '0' && follow_env[0] <= '3' && !follow_env[1]
                       ? (uint8_t)(follow_env[0] - '0')
                       : 2;
    const char *vn_env = getenv("VM_JIT_IR_VN");
    j->ir_vn = !(vn_env && vn_env[0] == '0');
    const char *sext_env = getenv("VM_JIT_IR_SEXT");
    j->ir_sext_loop = !(sext_env && sext_env[0] == '0');
    const char *sink_env = getenv("VM_JIT_IR_SINK");
    j->ir_sink = sink_env && sink_env[0] == '1'; /* opt-in: see jit_priv.h */
    const char *lo32_env = getenv("VM_JIT_IR_LO32");
    j->ir_lo32 = !(lo32_env && lo32_env[0] == '0');
    const char *map_env = getenv("VM_JIT_IR_MAP");
    j->ir_map = map_env && map_env[0] >= '0' && map_env[0] <= '4' ? (uint8_t)(map_env[0] - '0')
                                                                  : IR_MAP_UNWRITTEN;
    const char *site_env = getenv("VM_JIT_NO_SITE");
    j->no_site = site_env && site_env[0] == '1';
    const char *xras_env = getenv("VM_JIT_NO_XRAS");
    j->no_xras = xras_env && xras_env[0] == '1';
    /* pages of its own, unbacked until blocks are translated */
    j->meta_size = j->size / 4 > JIT_META_SIZE ? j->size / 4 : JIT_META_SIZE;
    void *meta = mmap(NULL, j->meta_size, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    j->meta = meta == MAP_FAILED ? NULL : meta;
    if (j->meta && j->meta_size > JIT_META_SIZE) /* a large cache: as the decode arena's */
        (void)madvise(j->meta, j->meta_size, MADV_HUGEPAGE);
    j->order_cap = 4096;
    j->order = malloc(j->order_cap * sizeof(*j->order));
    if (!j->meta || !j->order) {
        jit_free(j);
        return -ENOMEM;
    }
    /* the code cache is mapped by the first translation (translate_at), not here: a short
     * run that translates nothing pays nothing for it */
    reset_tables(cpu, j, true);
    j->chain_ppn = JIT_NO_PPN;
    j->chain_xppn = JIT_NO_PPN;
    if (j->perf) perf_map_open(j);
    cpu->engine_state = j;
    cpu->engine_fast = j->fast;
    return 0;
}

static void jit_detach(rv_cpu_t *cpu) {
    jit_t *j = cpu->engine_state;
    if (!j) return;
    if (j->rw) munmap(j->rw, j->size);
    unmap_rx(j, j->rx);
    if (j->perf_old_rw) munmap(j->perf_old_rw, j->size);
    unmap_rx(j, j->perf_old_rx);
    perf_map_close(j);
    jit_free(j);
    cpu->engine_state = NULL;
    cpu->engine_fast = NULL;
}

static int jit_after_fork(rv_cpu_t *cpu) {
    jit_t *j = cpu->engine_state;
    if (!j) return 0;
    /* the parent's mappings are gone in the child (when it had any) */
    j->perf_old_rw = j->perf_old_rx = NULL;
    int rc = j->rw ? map_cache(j) : 0;
    if (rc) {
        /* no cache: the interpreter runs this process (the run loop drops the engine) */
        jit_free(j);
        cpu->engine_state = NULL;
        cpu->engine_fast = NULL;
        return rc;
    }
    if (j->perf_map) {
        perf_map_close(j);
        perf_map_open(j);
    }
    reset(cpu, j);
    return 0;
}

static void jit_flush(rv_cpu_t *cpu) {
    jit_t *j = cpu->engine_state;
    if (!j) return;
    reset(cpu, j);
    j->stats.flushes++;
}

/* Bucket of pc under `mask` (buckets in use - 1). */
static inline unsigned hash_pc(uint64_t pc, unsigned mask) {
    return (unsigned)((pc >> 1) ^ (pc >> 15)) & mask;
}

/* Bit of jit_t.seen for pc (the bucket hash with log2(JIT_SEEN_BITS) more bits). */
static inline unsigned seen_bit(const jit_t *j, uint64_t pc) {
    return hash_pc(pc, (j->hash_mask + 1) * JIT_SEEN_BITS - 1);
}
static inline void seen_set(jit_t *j, uint64_t pc) {
    unsigned i = seen_bit(j, pc);
    j->seen[i / 8] |= (uint8_t)(1u << (i % 8));
}
static inline bool seen_has(const jit_t *j, uint64_t pc) {
    unsigned i = seen_bit(j, pc);
    return j->seen[i / 8] & (1u << (i % 8));
}

/* Double the buckets in use when there are more blocks than buckets: bucket i splits into i
 * and i + old count, in place. (A system's translations now live for the whole boot, 0.6 M
 * of them in a Debian boot: at two per bucket and 2^18 buckets, a lookup's walk of its chain
 * was a fifth of the dispatcher's time, each node a cache miss.) */
static void grow_hash(jit_t *j) {
    unsigned n = j->hash_mask + 1;
    if (n >= JIT_HASH || j->norder <= (size_t)n) return;
    unsigned mask = 2 * n - 1;
    for (unsigned i = 0; i < n; i++) {
        jit_block_t *b = j->hash[i], *keep = NULL, *move = NULL;
        while (b) {
            jit_block_t *next = b->hnext;
            jit_block_t **to = hash_pc(b->pc, mask) == i ? &keep : &move;
            b->hnext = *to;
            *to = b;
            b = next;
        }
        j->hash[i] = keep;
        j->hash[i + n] = move;
    }
    j->hash_mask = mask;
    /* the seen bits widen with the buckets: set again from what the table holds */
    memset(j->seen, 0, (size_t)(mask + 1) * JIT_SEEN_BITS / 8);
    for (unsigned i = 0; i <= mask; i++)
        for (const jit_block_t *b = j->hash[i]; b; b = b->hnext)
            seen_set(j, b->pc);
}

/* The translation to run at pc now: one made in the hart's current translation state
 * (xmode), and while translating one whose first page pc still maps to for fetch at the
 * current privilege (rv_block_valid; superblocks stay on that page). */
static jit_block_t *lookup(rv_cpu_t *cpu, jit_t *j, uint64_t pc) {
    bool x = cpu->xlate;
    if (!seen_has(j, pc)) return NULL;
    for (jit_block_t *b = j->hash[hash_pc(pc, j->hash_mask)]; b; b = b->hnext)
        if (b->pc == pc && b->xmode == x &&
            (!x || (!b->cross && rv_fetch_hits(cpu, pc, b->ppn)) ||
             rv_block_valid_slow(cpu, b->head)))
            return b;
    return NULL;
}

/* The pending chain request of `from` may be patched to `to`: both made in one translation
 * state, and while translating either within the page whose mapping `from`'s entry checked
 * (translated code reached from it through unguarded chains never leaves that page), or,
 * for a guarded jump out of a page, to a block on the physical page the guard checks; and
 * `to` must stay on one page. */
static bool may_chain(const jit_t *j, const jit_block_t *from, const jit_block_t *to) {
    if (from->xmode != to->xmode) return false;
    if (!from->xmode) return true;
    const rv_block_t *a = from->head, *b = to->head;
    /* (a crossing translation that checks its second page in its prologue counts as one) */
    bool one_page = to->check2 || (b->ppn == b->ppn2 &&
                                   ((b->end - 1) >> RV_PAGE_SHIFT) == (b->pc >> RV_PAGE_SHIFT));
    /* a guarded jump out of a page (translate.c, exit_other_page): its guard proves that the
     * target's page maps to chain_xppn, executable at the current privilege */
    if (j->chain_xppn != JIT_NO_PPN) return one_page && b->ppn == j->chain_xppn;
    return (a->pc >> RV_PAGE_SHIFT) == (b->pc >> RV_PAGE_SHIFT) && a->ppn == b->ppn && one_page;
}

/* The translation whose code holds host address a (read+execute view), or NULL. */
static jit_block_t *block_at(const jit_t *j, uintptr_t a) {
    size_t lo = 0, hi = j->norder;
    while (lo < hi) { /* last block starting at or below a */
        size_t mid = (lo + hi) / 2;
        if ((uintptr_t)j->order[mid]->code <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0) return NULL;
    jit_block_t *b = j->order[lo - 1];
    return a < (uintptr_t)b->code + b->code_len ? b : NULL;
}

/* Whether the pending chain request may be patched to `to`. The request belongs to the
 * translation entered last (chain_from) or to one reached from it through chained jumps;
 * while translating, a guarded chain may have led to another page, whose same-page exits
 * may_chain would refuse against the entered block's page: then the translation that holds
 * the jump (found by its address, only in that case) decides. */
static bool may_chain_request(jit_t *j, const jit_block_t *to) {
    const jit_block_t *from = j->chain_from;
    if (may_chain(j, from, to)) return true;
    if (!from->xmode || !to->xmode || j->chain_xppn != JIT_NO_PPN ||
        (from->head->pc >> RV_PAGE_SHIFT) == (to->pc >> RV_PAGE_SHIFT))
        return false;
    const jit_block_t *r = block_at(j, j->chain);
    return r && r != from && !r->dead && may_chain(j, r, to);
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#if defined(VM_HAVE_CAPSTONE)
/* capstone is loaded with dlopen the first time --jit-dump shows host code, not linked in:
 * the host's dynamic loader would otherwise relocate the whole library at every start of
 * vm (most of a static hello's start-up time). $VM_CAPSTONE_LIB names another file to load. */
static struct {
    cs_err (*open)(cs_arch, cs_mode, csh *);                                      /* cs_open */
    size_t (*disasm)(csh, const uint8_t *, size_t, uint64_t, size_t, cs_insn **); /* cs_disasm */
    void (*free)(cs_insn *, size_t);                                              /* cs_free */
    cs_err (*close)(csh *);                                                       /* cs_close */
    bool ok; /* all four found */
} capstone;
static pthread_once_t capstone_once = PTHREAD_ONCE_INIT;

static void capstone_load(void) {
    const char *name = getenv("VM_CAPSTONE_LIB");
    if (!name || !*name) name = VM_CAPSTONE_SONAME;
    char why[600];
    void *h = vm_dynlib_open(name, why, sizeof(why)); /* a static vm checks its C library */
    if (!h) {
        fprintf(stderr, "vm: --jit-dump: cannot load capstone (%s); host code is shown as bytes\n",
                why);
        return;
    }
    *(void **)&capstone.open = dlsym(h, "cs_open");
    *(void **)&capstone.disasm = dlsym(h, "cs_disasm");
    *(void **)&capstone.free = dlsym(h, "cs_free");
    *(void **)&capstone.close = dlsym(h, "cs_close");
    capstone.ok = capstone.open && capstone.disasm && capstone.free && capstone.close;
    if (!capstone.ok)
        fprintf(stderr,
                "vm: --jit-dump: %s lacks the capstone functions; host code is shown as "
                "bytes\n",
                name);
}
#endif

/* --jit-dump: the guest instructions and the host code of a new block. */
static void dump_block(rv_cpu_t *cpu, const jit_block_t *jb, const rv_block_t *b) {
    fprintf(stderr, "jit: block 0x%llx: %u guest insns -> %u host bytes at %p\n",
            (unsigned long long)jb->pc, jb->ninsns, jb->code_len, (const void *)jb->code);
    for (uint32_t i = 0; i < jb->ninsns && i < b->nops; i++) {
        uint64_t pc = b->pc + b->ops[i].off;
        char buf[96];
        if (b->ops[i].id == RV_I_fallthrough) break;
        rv_disasm(rv_icache_insn_bits(cpu, pc), pc, buf, sizeof(buf));
        fprintf(stderr, "  guest %08llx  %s\n", (unsigned long long)pc, buf);
    }
#if defined(VM_HAVE_CAPSTONE)
    pthread_once(&capstone_once, capstone_load);
    csh h;
    if (capstone.ok && capstone.open(CS_ARCH_X86, CS_MODE_64, &h) == CS_ERR_OK) {
        cs_insn *ins;
        size_t n =
            capstone.disasm(h, jb->code, jb->code_len, (uint64_t)(uintptr_t)jb->code, 0, &ins);
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, "  host  %llx  %s %s\n", (unsigned long long)ins[i].address,
                    ins[i].mnemonic, ins[i].op_str);
        if (n) capstone.free(ins, n);
        capstone.close(&h);
        return;
    }
#endif
    fprintf(stderr, "  host  ");
    for (uint32_t i = 0; i < jb->code_len; i++)
        fprintf(stderr, "%02x%s", jb->code[i], (i % 32 == 31) ? "\n        " : " ");
    fprintf(stderr, "\n");
}

/* n bytes of the metadata arena (16-byte aligned), or NULL when it is full. */
static void *meta_alloc(jit_t *j, size_t n) {
    n = (n + 15) & ~(size_t)15;
    if (j->meta_size - j->meta_used < n) return NULL;
    void *p = j->meta + j->meta_used;
    j->meta_used += n;
    return p;
}

/* Record that translation jb took code from decoded block b. False when the arena is full. */
static bool note_use(jit_t *j, rv_block_t *b, jit_block_t *jb) {
    jit_use_t *u = meta_alloc(j, sizeof(*u));
    if (!u) return false;
    if (b->users_gen != j->gen) { /* a list of an older cache: gone with it */
        b->users = NULL;
        b->users_gen = j->gen;
    }
    u->jb = jb;
    u->next = b->users;
    b->users = u;
    return true;
}

/* Translate the block at pc; NULL when the backend refuses its first instruction. `tier`: a
 * tier-up, through the IR only (NULL when it declines, and then pc is not marked refused). */
static jit_block_t *translate_here(rv_cpu_t *cpu, jit_t *j, uint64_t pc, bool tier);

/* Translate the superblock at pc (cpu->pc). Decoding its later blocks moves cpu->pc
 * (rv_icache_get leaves it at the block it decoded), and the dispatcher goes on from
 * cpu->pc after a tier-up or a refusal: it is put back. */
static jit_block_t *translate_at(rv_cpu_t *cpu, jit_t *j, uint64_t pc, bool tier) {
    jit_block_t *jb = translate_here(cpu, j, pc, tier);
    cpu->pc = pc;
    return jb;
}

static jit_block_t *translate_here(rv_cpu_t *cpu, jit_t *j, uint64_t pc, bool tier) {
    uint64_t t0 = now_ns();
    bool refused = false;
    jit_block_t *jb = NULL;
    rv_block_t *b = NULL;
    if (!j->rw) {
        /* the first translation of this hart: map the code cache now */
        if (j->no_cache || map_cache(j) != 0) {
            j->no_cache = true;
            j->rw = j->rx = NULL;
            j->stats.untranslatable++;
            return NULL;
        }
        /* the tables were made valid for an empty cache at attach and by every flush */
    }
    for (int attempt = 0; attempt < 2 && !jb && !refused; attempt++) {
        if (attempt) { /* the cache was full, or decoding flushed it: start again empty */
            reset(cpu, j);
            j->stats.flushes++;
        }
        b = rv_icache_get(cpu, pc);                  /* may flush both caches */
        if (b->ops[0].id == RV_I_fetch_fault) break; /* the interpreter raises it */
        j->nsb = 0;
        enum jit_path path = tier ? JIT_PATH_IR_ONLY : j->ir ? JIT_PATH_IR : JIT_PATH_OLD;
        jb = jit_translate(cpu, j, b, path, &refused);
        /* every decoded block it took code from lists it (room was reserved for them): a
         * store into any of their pages drops it */
        bool noted = jb && note_use(j, b, jb);
        for (unsigned i = 0; noted && i < j->nsb; i++)
            noted = note_use(j, j->sb[i], jb);
        if (jb && !noted) jb = NULL; /* (cannot happen) the next attempt starts empty */
        if (jb) {
            jb->cross = jb->head->cross;
            jb->ppn = jb->head->ppn;
        }
    }
    j->stats.translate_ns += now_ns() - t0;
    if (!jb && !refused && b && b->ops[0].id == RV_I_fetch_fault) return NULL;
    if (!jb && tier) return NULL;
    if (!jb) {
        unsigned h = heat_index(cpu, pc);
        j->bad[h / 8] |= (unsigned char)(1u << (h % 8));
        j->any_bad = true;
        j->stats.untranslatable++;
        return NULL;
    }
    unsigned h = hash_pc(pc, j->hash_mask);
    jb->hnext = j->hash[h];
    j->hash[h] = jb;
    seen_set(j, pc);
    if (j->norder == j->order_cap) {
        jit_block_t **n = realloc(j->order, 2 * j->order_cap * sizeof(*n));
        if (n) {
            j->order = n;
            j->order_cap *= 2;
        }
    }
    if (j->norder < j->order_cap) j->order[j->norder++] = jb;
    grow_hash(j);
    if (j->perf_map) {
        fprintf(j->perf_map, "%llx %x vm-guest-0x%llx\n", (unsigned long long)(uintptr_t)jb->code,
                jb->code_len, (unsigned long long)pc);
        fflush(j->perf_map);
    }
    if (j->dump) dump_block(cpu, jb, b);
    return jb;
}

/* Point the jump at `field_rx` (a rel32 in the read+execute view) at translation `to`, and
 * remember it in to->in (without room for that, the jump stays unchained). */
static void patch_chain(jit_t *j, uintptr_t field_rx, jit_block_t *to) {
    jit_link_t *l = meta_alloc(j, sizeof(*l));
    if (!l) return;
    uint8_t *field = j->rw + (field_rx - (uintptr_t)j->rx);
    memcpy(&l->orig, field, 4);
    l->field = field_rx;
    l->next = to->in;
    to->in = l;
    int32_t rel = (int32_t)((intptr_t)(uintptr_t)to->code - (intptr_t)(field_rx + 4));
    memcpy(field, &rel, 4);
    j->stats.chains++;
}

/* Overwrite the entry of translation jb (its prologue's first instruction, a 7-byte compare:
 * nothing jumps between its bytes) with a jmp rel32 to host address `to` (rx view). */
static void redirect_entry(jit_t *j, const jit_block_t *jb, const uint8_t *to) {
    uint8_t *e = j->rw + (jb->code - j->rx);
    int32_t rel = (int32_t)((intptr_t)(uintptr_t)to - (intptr_t)(uintptr_t)(jb->code + 5));
    e[0] = 0xe9;
    memcpy(e + 1, &rel, 4);
}

/* Take translation jb out of the hash table. */
static void hash_remove(jit_t *j, const jit_block_t *jb) {
    for (jit_block_t **pp = &j->hash[hash_pc(jb->pc, j->hash_mask)]; *pp; pp = &(*pp)->hnext)
        if (*pp == jb) {
            *pp = jb->hnext;
            break;
        }
}

/* Drop translation jb (code it was made from was written): see the essay at the top. */
static void kill_block(jit_t *j, jit_block_t *jb) {
    if (jb->dead) return;
    jb->dead = true;
    hash_remove(j, jb);
    unsigned i = (unsigned)(jb->pc >> 1) & (JIT_FAST - 1);
    if (j->fast[i].code == jb->code) { /* empty as reset_tables leaves it */
        j->fast[i].pc = i ? 0 : 1;
        j->fast[i].code = NULL;
    }
    unsigned x = jit_fastx_index(jb->pc);
    if (j->fastx[x].code == jb->code) {
        j->fastx[x].pc = x ? 0 : 1;
        j->fastx[x].code = NULL;
    }
    /* return stubs in it (exits to their return pc, still correct; emptied all the same) */
    for (unsigned r = 0; r < JIT_RAS; r++)
        if (j->ras[r].code >= jb->code && j->ras[r].code < jb->code + jb->code_len) {
            j->ras[r].pc = 1;
            j->ras[r].code = NULL;
        }
    for (unsigned r = 0; r < JIT_XRAS; r++)
        if (j->xras[r].code >= jb->code && j->xras[r].code < jb->code + jb->code_len) {
            j->xras[r].pc = 1;
            j->xras[r].code = NULL;
        }
    for (jit_link_t *l = jb->in; l; l = l->next) {
        memcpy(j->rw + (l->field - (uintptr_t)j->rx), &l->orig, 4);
        j->stats.unlinks++;
    }
    jb->in = NULL;
    /* a jump to the prologue's exit over the entry's first instruction */
    redirect_entry(j, jb, jb->code + jb->check_off);
    j->stats.drops++;
}

/* Turn translation jb's entry counter off: its first two bytes become a short jump over it
 * (the IR declined the path; counting on would only cost). */
static void tier_off(jit_t *j, jit_block_t *jb) {
    if (!jb->tier_len) return;
    uint8_t *p = j->rw + (jb->code - j->rx) + jb->tier_off;
    p[0] = 0xeb;
    p[1] = (uint8_t)(jb->tier_len - 2);
    jb->tier_len = 0;
}

/* Tiered mode: old-path translation `old` was entered j->tier times; translate its superblock
 * again through the IR and put the new translation in every way into the old one: the hash
 * table and the fast table name the new one, the jumps chained into the old one (old->in)
 * are patched to the new one and move to its list (a later drop of the new one unlinks
 * them), and the old entry becomes a jump to the new entry, for anything else that still
 * holds it. The old code stays where it is until the next full flush, since return stubs in
 * it may still be on the return-address stack (they are exits to their return pc, valid
 * after the change) and nothing of a hart's code cache runs on another thread; it counts as
 * dead (a drop of its page drops the new translation, which lists the same decoded blocks).
 * Returns the translation to run at old->pc: the new one, or the old one when the IR declines
 * (its counter then turned off), or NULL when translating flushed the cache. */
static jit_block_t *tier_up(rv_cpu_t *cpu, jit_t *j, jit_block_t *old) {
    uint64_t gen = j->gen;
    jit_block_t *nb = translate_at(cpu, j, old->pc, true);
    if (j->gen != gen) return nb; /* the cache was flushed (old went with it): nb is new */
    if (!nb) {
        tier_off(j, old);
        j->stats.tier_declined++;
        return old;
    }
    hash_remove(j, old);
    unsigned i = (unsigned)(old->pc >> 1) & (JIT_FAST - 1);
    if (j->fast[i].code == old->code) j->fast[i].code = nb->code;
    for (jit_link_t *l = old->in, *next; l; l = next) {
        next = l->next;
        int32_t rel = (int32_t)((intptr_t)(uintptr_t)nb->code - (intptr_t)(l->field + 4));
        memcpy(j->rw + (l->field - (uintptr_t)j->rx), &rel, 4);
        l->next = nb->in;
        nb->in = l;
    }
    old->in = NULL;
    tier_off(j, old);
    redirect_entry(j, old, nb->code);
    old->dead = true;
    j->stats.tier_ups++;
    return nb;
}

/* exec_engine_t.drop_block: decoded block b goes with its page; so do the translations made
 * from it. */
static void jit_drop_block(rv_cpu_t *cpu, rv_block_t *b) {
    jit_t *j = cpu->engine_state;
    if (!j) return;
    /* the new code at b's pc may translate where the old did not */
    unsigned h = heat_index(cpu, b->pc);
    j->bad[h / 8] &= (unsigned char)~(1u << (h % 8));
    if (b->users_gen != j->gen) return;
    for (jit_use_t *u = b->users; u; u = u->next)
        kill_block(j, u->jb);
    b->users = NULL;
}

/* --stats: the interpreter is about to run the block at pc, which has no translation: count
 * it as cold, or as refused by its first instruction (the decoded block is the one the
 * interpreter takes next). */
static void count_interp(rv_cpu_t *cpu, jit_t *j, uint64_t pc) {
    unsigned h = heat_index(cpu, pc);
    if (!(j->bad[h / 8] & (1u << (h % 8)))) {
        j->interp_cold++;
        return;
    }
    const rv_block_t *b = rv_icache_get(cpu, pc);
    j->interp_refused[b->ops[0].id < RV_I_COUNT ? b->ops[0].id : 0]++;
}

/* One turn of the run loop: run translated code at cpu->pc. Returns enum exec_result. */
static int jit_engine_run(rv_cpu_t *cpu) {
    jit_t *j = cpu->engine_state;
    uint64_t pc = cpu->pc;
    /* before the first translation the hash table is all empty: not reading it spares a
     * short run the page faults of its untouched pages */
    jit_block_t *jb = j->norder ? lookup(cpu, j, pc) : NULL;
    if (j->count) {
        if (jb && j->why_last) j->why_found[j->why_last]++;
        j->why_last = JIT_WHY_NONE;
    }
    if (!jb) {
        unsigned h = heat_index(cpu, pc);
        if (!(j->bad[h / 8] & (1u << (h % 8))) && ++j->heat[h] >= j->threshold)
            jb = translate_at(cpu, j, pc, false);
    }
    if (j->chain && jb && jb->pc == j->chain_pc && j->chain_gen == j->gen && !j->no_chain &&
        !j->chain_from->dead && may_chain_request(j, jb))
        patch_chain(j, j->chain, jb);
    else if (j->chain && j->count)
        j->chain_left[!jb ? 0 : jb->pc != j->chain_pc || j->chain_gen != j->gen ? 2 : 1]++;
    j->chain = 0;
    if (!jb) {
        j->stats.interp_blocks++;
        if (j->count) count_interp(cpu, j, pc);
        return EXEC_INTERP;
    }
    if (!jb->xmode) { /* the fast table serves code of the untranslated state only */
        struct jit_fast *f = &j->fast[(pc >> 1) & (JIT_FAST - 1)];
        f->pc = pc;
        f->code = jb->code;
    } else if (!jb->cross || jb->check2) { /* xmode: checked against the fetch TLB by the
                                              jump check (and its own prologue) */
        struct jit_fastx *f = &j->fastx[jit_fastx_index(pc)];
        f->pc = pc;
        f->code = jb->code;
        f->ppn = jb->ppn;
        j->fastx_used = true;
    }
    j->stats.entries++;
    cpu->engine_status = 0;
    cpu->icache->last = NULL; /* what runs next follows translated code, not that block */
    uintptr_t r = (uintptr_t)j->enter(cpu, jb->code);
    if (j->count) {
        j->why_last = j->why < JIT_WHY_COUNT ? j->why : 0;
        j->why_count[j->why_last]++;
        j->why = JIT_WHY_NONE;
    }
    switch (r) {
    case JIT_EXIT_LOOKUP: j->stats.exit_lookup++; return EXEC_CONTINUE;
    case JIT_EXIT_TRAP: j->stats.exit_trap++; return EXEC_TRAP;
    case JIT_EXIT_INTERP:
        j->stats.exit_interp++;
        j->stats.interp_blocks++;
        return EXEC_INTERP;
    case JIT_EXIT_FLUSH: j->stats.exit_other++; return EXEC_FLUSH;
    case JIT_EXIT_HALT: j->stats.exit_other++; return EXEC_HALT;
    case JIT_EXIT_HOOKED: j->stats.exit_other++; return EXEC_CONTINUE;
    case JIT_EXIT_TIER: /* nothing ran; the next turn enters the new translation */
        j->stats.exit_other++;
        if (j->tier_from && !j->tier_from->dead && j->tier_from->pc == cpu->pc)
            tier_up(cpu, j, j->tier_from);
        j->tier_from = NULL;
        return EXEC_CONTINUE;
    default:
        j->stats.exit_lookup++;
        j->chain = r;
        j->chain_from = jb;
        j->chain_gen = j->gen;
        j->chain_pc = cpu->pc;
        j->chain_xppn = j->chain_ppn;
        j->chain_ppn = JIT_NO_PPN;
        return EXEC_CONTINUE;
    }
}

/* ---- helpers called from translated code ---- */

/* rv_mem_slow with this instruction counted in instret while it runs: a device that reads the
 * clock (deterministic time derives it from instret) sees the count the interpreter's slow
 * path and CSR instructions show (semantics.h, MEM_SLOW). The count is exact again before a
 * fault is reported. */
static bool slow_counted(rv_cpu_t *cpu, uint64_t addr, void *buf, unsigned w, rv_access_t type) {
    cpu->instret++;
    bool ok = rv_mem_slow(cpu, addr, buf, w, type);
    cpu->instret--;
    return ok;
}

uint64_t jit_helper_load(rv_cpu_t *cpu, uint64_t addr, uint64_t pc, uint32_t info) {
    unsigned w = info & 15, idx = (info >> 8) & 0xff;
    /* exact state first: the access below may fault on the host */
    cpu->pc = pc;
    cpu->instret += idx;
    uint64_t v = 0;
    uint64_t o = addr - cpu->mem_start;
    const void *h = rv_win_in(o, cpu->mem_size, w) ? cpu->mem_base + o
                                                   : rv_tlb_host(cpu, cpu->tlb_ld_off, addr, w);
    if (h) {
        memcpy(&v, h, w);
    } else if (!slow_counted(cpu, addr, &v, w, RV_ACC_LOAD)) {
        cpu->engine_status = JIT_EXIT_TRAP;
        return 0;
    }
    cpu->instret -= idx;
    if (info & 16) {
        unsigned sh = 64 - 8 * w;
        v = (uint64_t)((int64_t)(v << sh) >> sh);
    }
    return v;
}

void jit_helper_store(rv_cpu_t *cpu, uint64_t addr, uint64_t pc, uint32_t info, uint64_t val) {
    unsigned w = info & 15, idx = (info >> 8) & 0xff, len = (info >> 16) & 7;
    cpu->pc = pc;
    cpu->instret += idx;
    uint64_t o = rv_cpu_win_off(cpu, addr, w);
    if (o != UINT64_MAX) {
        memcpy(cpu->mem_base + o, &val, w);
        uint8_t *pf = cpu->page_flags;
        if (pf && (pf[o >> RV_PAGE_SHIFT] | pf[(o + w - 1) >> RV_PAGE_SHIFT]) &
                      (RV_PAGE_CODE | RV_PAGE_WATCH)) {
            int hook = rv_store_hook(cpu, addr, w);
            if (hook) {
                /* the store retired; the block may be stale: leave it after the store */
                cpu->pc = pc + len;
                cpu->instret += 1;
                cpu->engine_status = hook == RV_HOOK_HALT ? JIT_EXIT_HALT : JIT_EXIT_HOOKED;
                return;
            }
        }
    } else {
        uint64_t ctx = __atomic_load_n(&cpu->code_ctx, __ATOMIC_RELAXED);
        if (!slow_counted(cpu, addr, &val, w, RV_ACC_STORE)) {
            cpu->engine_status = JIT_EXIT_TRAP;
            return;
        }
        bool halt = atomic_load_explicit(&cpu->halt_request, memory_order_relaxed);
        if (halt || __atomic_load_n(&cpu->code_ctx, __ATOMIC_RELAXED) != ctx) {
            /* the store stopped the machine (a poweroff through a device), or wrote decoded
             * code through the MMU (the rest of this block may be that code): leave after
             * it, where the interpreter leaves too (semantics.h, HALT_AFTER_STORE and
             * CODE_AFTER_STORE); the run loop drops the written page's code */
            cpu->pc = pc + len;
            cpu->instret += 1;
            cpu->engine_status = halt ? JIT_EXIT_HALT : JIT_EXIT_HOOKED;
            return;
        }
    }
    if (info & JIT_INFO_LEAVE) {
        /* a flag check that also covered later stores' page came here: those stores (which
         * check nothing themselves) are left to the interpreter and the next translation */
        cpu->pc = pc + len;
        cpu->instret += 1;
        cpu->engine_status = JIT_EXIT_HOOKED;
        return;
    }
    cpu->instret -= idx;
}

void jit_helper_exec(rv_cpu_t *cpu, const rv_op_t *op, uint64_t pc, uint64_t idx) {
    /* exact state first, for a host fault inside (an AMO on an unmapped page); a CSR
     * instruction also counts itself, since counter CSRs read instret - 1 (rv_exec1) */
    if (jit_fp_fast(cpu, op)) return;
    uint64_t own = rv_insn_table[op->id].fmt == RV_FMT_CSR ? 1 : 0;
    cpu->pc = pc;
    cpu->instret += idx + own;
    switch (rv_exec1(cpu, op, pc)) {
    case RV_EXEC1_OK: cpu->instret -= idx + own; return;
    case RV_EXEC1_TRAP:
        cpu->instret -= own;
        cpu->engine_status = JIT_EXIT_TRAP;
        return;
    case RV_EXEC1_FLUSHED:
        cpu->pc = pc + op->len;
        cpu->instret += 1 - own;
        cpu->engine_status = JIT_EXIT_HOOKED;
        return;
    default:
        cpu->pc = pc + op->len;
        cpu->instret += 1 - own;
        cpu->engine_status = JIT_EXIT_HALT;
        return;
    }
}

uint64_t jit_helper_sys(rv_cpu_t *cpu, const rv_op_t *op, uint64_t pc, uint64_t idx,
                        uint64_t xmode) {
    cpu->pc = pc;
    cpu->instret += idx;
    bool ok;
    uint64_t next;
    switch (op->id) {
    case RV_I_mret:
        ok = rv_mret(cpu);
        next = cpu->mepc;
        break;
    case RV_I_sret:
        ok = rv_sret(cpu);
        next = cpu->sepc;
        break;
    default: /* sfence.vma: xmode code goes on through the jump check of the next pc, which
              * proves its page as the dispatcher would, so the flush need not kick the hart
              * (unguarded chains stay on a page whose mapping was checked after it) */
        ok = rv_sfence_vma(cpu, op->rs1 != 0, cpu->x[op->rs1], op->rs2 != 0, cpu->x[op->rs2],
                           !(xmode && cpu->xlate));
        next = pc + op->len;
        break;
    }
    if (!ok) {
        cpu->cause = RV_CAUSE_ILLEGAL_INSN;
        cpu->tval = rv_icache_insn_bits(cpu, pc);
        cpu->resv_valid = false;
        cpu->engine_status = JIT_EXIT_TRAP;
        return 0;
    }
    cpu->instret++;
    cpu->pc = next;
    /* the jump check after it (emit_xprobe) proves a target of the translating state only */
    if (xmode && cpu->xlate) {
        cpu->engine_status = 0;
    } else {
        jit_t *j = cpu->engine_state;
        if (j->count) j->why = JIT_WHY_SYS;
        cpu->engine_status = JIT_EXIT_LOOKUP;
    }
    return next;
}

uint64_t jit_helper_xfill(rv_cpu_t *cpu, uint64_t pc) {
    uint64_t ppn;
    if (!cpu->xlate || cpu->priv == RV_PRIV_M || !rv_mmu_code_ppn(cpu, pc, &ppn) ||
        !rv_fetch_hits(cpu, pc, ppn))
        return 0;
    jit_t *j = cpu->engine_state;
    if (j->count) j->xfills++;
    return 1;
}

/* ---- host faults in translated code ---- */

static bool jit_host_fault(rv_cpu_t *cpu, uintptr_t host_pc, const long long *gregs) {
    jit_t *j = cpu->engine_state;
    if (!j || host_pc < (uintptr_t)j->rx || host_pc >= (uintptr_t)j->rx + j->used) return false;
    jit_block_t *jb = block_at(j, host_pc);
    if (!jb) return false;
    uint32_t off = (uint32_t)(host_pc - (uintptr_t)jb->code);
    for (uint32_t i = 0; i < jb->nfault; i++) {
        if (jb->faults[i].host_off != off) continue;
        jit_restore_regs(cpu, gregs, jb->evicted);
        if (jb->faults[i].nfix)
            jit_apply_fix(cpu, jb->fix + jb->faults[i].fix, jb->faults[i].nfix, gregs);
        cpu->pc = jb->pc + (uint64_t)jb->faults[i].guest_off;
        cpu->instret += jb->faults[i].idx; /* instret of the block start, plus retired ones */
        cpu->cur_block = NULL;
        return true;
    }
    return false;
}

/* --stats: exits by reason, and the interpreted blocks by why they were not translated. */
static void print_why(const jit_t *j, FILE *out) {
    static const char *const names[JIT_WHY_INTERP] = {
        [JIT_WHY_NONE] = "unclassified (traps, helper exits)",
        [JIT_WHY_CHECK] = "prologue check (budget, interrupt, kick)",
        [JIT_WHY_DIRECT] = "direct jump not chained",
        [JIT_WHY_GUARD] = "guarded jump to another page not chained",
        [JIT_WHY_CSR] = "after a CSR instruction, not chained",
        [JIT_WHY_RETSTUB] = "return stub not chained",
        [JIT_WHY_SYS] = "after mret, sret or sfence.vma (no jump check)",
        [JIT_WHY_PAGE2] = "a crossing block's second page failed its check",
        [JIT_WHY_FAST] = "jalr: fast-table miss",
        [JIT_WHY_XDIRECT] = "xmode jump to another page: miss on pc",
        [JIT_WHY_XDIRECT + 1] = "xmode jump to another page: miss on fetch TLB",
        [JIT_WHY_XDIRECT + 2] = "xmode jump to another page: miss on physical page",
        [JIT_WHY_XRET] = "xmode return: miss on pc",
        [JIT_WHY_XRET + 1] = "xmode return: miss on fetch TLB",
        [JIT_WHY_XRET + 2] = "xmode return: miss on physical page",
        [JIT_WHY_XCALL] = "xmode indirect call: miss on pc",
        [JIT_WHY_XCALL + 1] = "xmode indirect call: miss on fetch TLB",
        [JIT_WHY_XCALL + 2] = "xmode indirect call: miss on physical page",
        [JIT_WHY_XJUMP] = "xmode indirect jump: miss on pc",
        [JIT_WHY_XJUMP + 1] = "xmode indirect jump: miss on fetch TLB",
        [JIT_WHY_XJUMP + 2] = "xmode indirect jump: miss on physical page",
        [JIT_WHY_XSYS] = "xmode sret/mret: miss on pc",
        [JIT_WHY_XSYS + 1] = "xmode sret/mret: miss on fetch TLB",
        [JIT_WHY_XSYS + 2] = "xmode sret/mret: miss on physical page",
    };
    for (unsigned w = 0; w < JIT_WHY_COUNT; w++) {
        if (!j->why_count[w]) continue;
        if (w < JIT_WHY_INTERP)
            fprintf(out, "stats: jit: exits by reason: %-50s %llu (target translated: %llu)\n",
                    names[w] ? names[w] : "?", (unsigned long long)j->why_count[w],
                    (unsigned long long)j->why_found[w]);
        else
            fprintf(out, "stats: jit: exits by reason: stopped before %-35s %llu\n",
                    rv_insn_table[w - JIT_WHY_INTERP].name ? rv_insn_table[w - JIT_WHY_INTERP].name
                                                           : "?",
                    (unsigned long long)j->why_count[w]);
    }
    fprintf(out,
            "stats: jit: chain requests left unpatched: target not translated %llu, not "
            "allowed %llu, other %llu\n",
            (unsigned long long)j->chain_left[0], (unsigned long long)j->chain_left[1],
            (unsigned long long)j->chain_left[2]);
    fprintf(out, "stats: jit: jump checks whose fetch-TLB miss was mended in line %llu\n",
            (unsigned long long)j->xfills);
    fprintf(out, "stats: jit: interpreted blocks: cold %llu\n", (unsigned long long)j->interp_cold);
    for (unsigned i = 0; i < RV_I_COUNT; i++)
        if (j->interp_refused[i])
            fprintf(out, "stats: jit: interpreted blocks: refused, starting with %-26s %llu\n",
                    rv_insn_table[i].name ? rv_insn_table[i].name : "?",
                    (unsigned long long)j->interp_refused[i]);
}

/* Order of edge records: by kind, leaving translation, instruction and target (to sum the
 * records of one way), or by count, the most taken first. */
static int edge_cmp_way(const void *pa, const void *pb) {
    const jit_edge_t *a = pa, *b = pb;
    if (a->kind != b->kind) return a->kind < b->kind ? -1 : 1;
    if (a->from != b->from) return a->from < b->from ? -1 : 1;
    if (a->src != b->src) return a->src < b->src ? -1 : 1;
    if (a->to != b->to) return a->to < b->to ? -1 : 1;
    return 0;
}
static int edge_cmp_count(const void *pa, const void *pb) {
    const jit_edge_t *a = pa, *b = pb;
    return a->count != b->count ? (a->count > b->count ? -1 : 1) : edge_cmp_way(pa, pb);
}

/* The live translation at guest pc, or NULL (no lookup's side effects: for --stats). */
static const jit_block_t *find_block(const jit_t *j, uint64_t pc) {
    for (const jit_block_t *jb = j->hash[hash_pc(pc, j->hash_mask)]; jb; jb = jb->hnext)
        if (jb->pc == pc && !jb->dead) return jb;
    return NULL;
}

/* --stats: the ways between translations that translated code counted (jit_t.edges), summed
 * over the translations of one pc (a tier-up's old and new ones): how often a translation
 * was left for another by a side exit, a final jump or a return stub, how often of those to a
 * pc at or before the instruction that left (a back edge that leaves its translation, the
 * next one entered through its prologue), the iterations that IR loops kept inside their
 * translation, and the most taken ways with what their target is now. */
static void print_edges(const jit_t *j, FILE *out) {
    size_t n = 0;
    jit_edge_t *e = j->edges && j->nedges ? malloc(j->nedges * sizeof(*e)) : NULL;
    if (!e) return; /* nothing counted (or no memory for the summary) */
    for (uint32_t i = 0; i < j->nedges; i++)
        if (j->edges[i].count) e[n++] = j->edges[i];
    qsort(e, n, sizeof(*e), edge_cmp_way);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && edge_cmp_way(&e[m - 1], &e[i]) == 0)
            e[m - 1].count += e[i].count;
        else
            e[m++] = e[i];
    }
    uint64_t by[JIT_EDGE_KINDS] = {0}, back = 0, into_loop = 0;
    for (size_t i = 0; i < m; i++) {
        by[e[i].kind] += e[i].count;
        if (e[i].kind == JIT_EDGE_LOOP) continue;
        if (e[i].to <= (e[i].src ? e[i].src : e[i].from)) back += e[i].count;
        const jit_block_t *to = find_block(j, e[i].to);
        if (to && to->irloop) into_loop += e[i].count;
    }
    fprintf(out,
            "stats: jit: ways between translations: %llu taken (side exits %llu, jumps %llu, "
            "return stubs %llu), %llu of them back edges, %llu into IR loops; IR loop "
            "iterations kept in registers %llu\n",
            (unsigned long long)(by[JIT_EDGE_BRANCH] + by[JIT_EDGE_JUMP] + by[JIT_EDGE_RET]),
            (unsigned long long)by[JIT_EDGE_BRANCH], (unsigned long long)by[JIT_EDGE_JUMP],
            (unsigned long long)by[JIT_EDGE_RET], (unsigned long long)back,
            (unsigned long long)into_loop, (unsigned long long)by[JIT_EDGE_LOOP]);
    qsort(e, m, sizeof(*e), edge_cmp_count);
    static const char *const kinds[JIT_EDGE_KINDS] = {"side exit", "jump", "return", "loop"};
    for (size_t i = 0; i < m && i < 12; i++) {
        const jit_block_t *to = find_block(j, e[i].to);
        fprintf(
            out, "stats: jit: way %2zu: %-9s of 0x%llx at 0x%llx -> 0x%llx%s: %llu (target: %s)\n",
            i + 1, kinds[e[i].kind], (unsigned long long)e[i].from, (unsigned long long)e[i].src,
            (unsigned long long)e[i].to,
            e[i].kind != JIT_EDGE_LOOP && e[i].to <= (e[i].src ? e[i].src : e[i].from) ? " (back)"
                                                                                       : "",
            (unsigned long long)e[i].count,
            !to          ? "none"
            : to->irloop ? "IR loop"
            : to->ir     ? "IR"
                         : "old path");
    }
    free(e);
}

static void jit_print_stats(const rv_cpu_t *cpu, FILE *out) {
    const jit_t *j = cpu->engine_state;
    if (!j) return;
    const jit_stats_t *s = &j->stats;
    double ms = (double)s->translate_ns / 1e6;
    fprintf(out,
            "stats: jit: cache %.1f KiB, translated %llu blocks, %llu guest insns in %.3f ms "
            "(%.3f us/insn, %.1f host bytes/insn)\n",
            (double)(j->used - JIT_TRAMP_SIZE) / 1024.0, (unsigned long long)s->blocks,
            (unsigned long long)s->guest_insns, ms,
            s->guest_insns ? ms * 1000.0 / (double)s->guest_insns : 0.0,
            s->guest_insns ? (double)s->host_bytes / (double)s->guest_insns : 0.0);
    fprintf(out,
            "stats: jit: entries %llu, chains patched %llu, cache flushes %llu, translated "
            "instructions calling a helper %llu\n",
            (unsigned long long)s->entries, (unsigned long long)s->chains,
            (unsigned long long)s->flushes, (unsigned long long)s->helper_calls_tr);
    fprintf(out, "stats: jit: exits: lookup %llu, trap %llu, to interpreter %llu, other %llu\n",
            (unsigned long long)s->exit_lookup, (unsigned long long)s->exit_trap,
            (unsigned long long)s->exit_interp, (unsigned long long)s->exit_other);
    fprintf(out, "stats: jit: interpreted blocks %llu, untranslatable block starts %llu\n",
            (unsigned long long)s->interp_blocks, (unsigned long long)s->untranslatable);
    fprintf(out,
            "stats: jit: translations dropped with written code %llu, chained jumps unlinked "
            "%llu\n",
            (unsigned long long)s->drops, (unsigned long long)s->unlinks);
    fprintf(out,
            "stats: jit: translations following the taken side of a branch never fallen "
            "through %llu\n",
            (unsigned long long)s->sb_taken);
    if (j->count)
        fprintf(out, "stats: jit: return-address stack: hits %llu, misses %llu\n",
                (unsigned long long)s->ras_hits, (unsigned long long)s->ras_misses);
    if (j->count && s->fp_inline)
        fprintf(out, "stats: jit: FP instructions in line: %llu runs, %llu to the helper\n",
                (unsigned long long)s->fp_inline, (unsigned long long)s->fp_slow);
    if (j->count && (s->xras_hits || s->xras_misses))
        fprintf(out, "stats: jit: xmode return-address stack: hits %llu, misses %llu\n",
                (unsigned long long)s->xras_hits, (unsigned long long)s->xras_misses);
    if (j->tier)
        fprintf(out,
                "stats: jit: tiered (IR after %u entries, a loop after %u): %llu translations "
                "retranslated through the IR, %llu kept (the IR declined)\n",
                j->tier, j->tier_loop, (unsigned long long)s->tier_ups,
                (unsigned long long)s->tier_declined);
    if (j->count) print_why(j, out);
    if (j->count) print_edges(j, out);
    if (j->ir || j->tier)
        fprintf(out,
                "stats: jit: IR: %llu of %llu blocks (%.1f%%), %llu of %llu guest insns, %llu "
                "superblocks declined, %llu spilled values, %llu home copies\n",
                (unsigned long long)s->ir_blocks, (unsigned long long)s->blocks,
                s->blocks ? 100.0 * (double)s->ir_blocks / (double)s->blocks : 0.0,
                (unsigned long long)s->ir_insns, (unsigned long long)s->guest_insns,
                (unsigned long long)s->ir_declined, (unsigned long long)s->ir_spills,
                (unsigned long long)s->ir_copies);
    if (j->ir || j->tier)
        fprintf(out,
                "stats: jit: IR loops: %llu translations keep a loop in registers; register "
                "maps: %llu translations give %llu pinned registers to the allocator\n",
                (unsigned long long)s->ir_loops, (unsigned long long)s->ir_mapped,
                (unsigned long long)s->ir_evicted);
    if (j->ir || j->tier)
        fprintf(out,
                "stats: jit: IR optimiser: %llu values merged; %llu loops take %llu head values "
                "as sign-extended (checked at entry); %llu values sunk into their exits\n",
                (unsigned long long)s->ir_merged, (unsigned long long)s->ir_sext_loops,
                (unsigned long long)s->ir_sext_regs, (unsigned long long)s->ir_sunk);
}

const exec_engine_t jit_engine = {
    .name = "jit",
    .supported = jit_supported,
    .attach = jit_attach,
    .detach = jit_detach,
    .run = jit_engine_run,
    .flush = jit_flush,
    .drop_block = jit_drop_block,
    .after_fork = jit_after_fork,
    .host_fault = jit_host_fault,
    .print_stats = jit_print_stats,
};

#if !defined(__x86_64__)
/* No backend for this host: jit_supported() is false and jit_attach() refuses, so nothing
 * calls these; they exist so that the dispatcher links everywhere. */
jit_block_t *jit_translate(rv_cpu_t *cpu, jit_t *j, const rv_block_t *b, enum jit_path path,
                           bool *refused) {
    (void)cpu;
    (void)j;
    (void)b;
    (void)path;
    *refused = true;
    return NULL;
}
void jit_emit_trampolines(jit_t *j) {
    (void)j;
}
void jit_restore_regs(rv_cpu_t *cpu, const long long *gregs, uint32_t skip) {
    (void)cpu;
    (void)gregs;
    (void)skip;
}
void jit_apply_fix(rv_cpu_t *cpu, const jit_fix_t *fx, unsigned n, const long long *gregs) {
    (void)cpu;
    (void)fx;
    (void)n;
    (void)gregs;
}
#endif
