/* jit_priv.h - layouts shared by the JIT's dispatcher (jit.c) and its backend
 * (x86_64/translate.c): the code cache, translated blocks, exit codes and the C helpers that
 * translated code calls.
 *
 * Code cache: one memfd mapped twice, read+write for the translator and read+execute for
 * running (never both at one address: W^X). The first bytes hold the entry and exit
 * trampolines, which survive flushes; blocks follow, allocated by bumping `used`. When the
 * cache is full everything is flushed (blocks, hash table, fast table, metadata) together.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "jit/jit.h"
#include "exec/icache.h"

#define JIT_HASH         (1u << 20)  /* buckets of the block hash table at most */
#define JIT_HASH0        (1u << 8)   /* buckets in use at first (doubled as blocks come) */
#define JIT_THRESHOLD    16u         /* default interpreted runs of a block before translation */
#define JIT_FAST         (1u << 12)  /* entries of the indirect-jump table (pc -> host code) */
#define JIT_FASTX        (1u << 18)  /* entries of xmode code's checked table (fastx) */
#define JIT_FASTX_SHIFT  15u         /* fastx index: pc bits 1.. xor pc bits 15.. */
#define JIT_SEEN_BITS    4u          /* bits of jit_t.seen per hash bucket (a power of two) */
#define JIT_HEAT         (1u << 14)  /* counters of interpreter executions by pc hash */
#define JIT_CACHE_SIZE   (64u << 20) /* default code cache size */
#define JIT_META_SIZE    (16u << 20) /* block metadata arena, at least (jit_t.meta_size) */
#define JIT_BLOCK_ROOM   (64u << 10) /* worst-case host bytes of one block (64 insns) */
#define JIT_TRAMP_SIZE   1024u       /* bytes reserved for the trampolines */
#define JIT_MAX_HELPERS  160u        /* instructions run by helpers per block, at most */
#define JIT_MAX_STUBS    256u        /* out-of-line pieces per translation, at most */
#define JIT_SB_INSNS     96u         /* a superblock stops growing at this many guest insns */
#define JIT_MAX_FAULTPTS 192u        /* inline memory accesses per block, at most */
#define JIT_RAS          16u         /* entries of the return-address stack (a power of two) */
#define JIT_XRAS         16u         /* entries of xmode code's return-address stack (the same) */
#define JIT_FRAME_BYTES  384u        /* host stack frame of translated code (the IR's slots) */
/* Tiered mode: default entries of an old-path translation before the IR retranslates it, and
 * the fraction of that after which a translation that jumps back to its start (a loop) does. */
#define JIT_TIER_THRESHOLD 500u
#define JIT_TIER_LOOP_DIV  4u
/* The entry counters' area (jit_t.ctr): one 32-bit counter per JIT_CTR_SPAN bytes of code
 * cache, made only when the cache and the area together stay within JIT_CTR_REACH, so that
 * every prologue reaches its counter with a rip-relative displacement (2 GiB, with room). */
#define JIT_CTR_SPAN  128u
#define JIT_CTR_REACH (1ull << 30)

/* jit_t.chain_ppn when no guarded jump asked for the chain (no page number is this). */
#define JIT_NO_PPN UINT64_MAX

/* Exit codes returned by translated code (in rax); any larger value is the read+execute
 * address of a patchable jump (a chain request: cpu->pc holds its target). */
enum jit_exit {
    JIT_EXIT_LOOKUP = 0, /* continue at cpu->pc (after the run checks) */
    JIT_EXIT_TRAP = 1,   /* cpu->pc, cause, tval set; instret exact */
    JIT_EXIT_INTERP = 2, /* let the interpreter run one block at cpu->pc */
    JIT_EXIT_FLUSH = 3,  /* fence.i: flush, continue at cpu->pc */
    JIT_EXIT_HALT = 4,   /* a store hook or a device asked for a halt */
    JIT_EXIT_HOOKED = 5, /* a store hit a flagged page (cache maybe flushed): continue at pc */
    JIT_EXIT_TIER = 6,   /* a translation's entry counter ran out (jit_t.tier_from): retranslate
                            it through the IR, continue at cpu->pc (its start, nothing run) */
};

/* Which translator a translation goes through (jit_translate). */
enum jit_path {
    JIT_PATH_OLD,     /* the emitter table, instruction by instruction (in tiered mode with an
                         entry counter in its prologue) */
    JIT_PATH_IR,      /* the IR where it covers the superblock, else the emitter table */
    JIT_PATH_IR_ONLY, /* the IR or nothing (a tier-up: *refused when the IR declines) */
};

/* Why translated code left for the dispatcher, for --stats (exec_options_t.count): each exit
 * of a translation made with counting on stores its reason in jit_t.why first, and the
 * dispatcher counts it (jit_t.why_count). The xprobe reasons come in threes: the jump check
 * missed on fastx's pc, on the fetch TLB's tag or on the physical page (emit_xprobe). */
enum jit_why {
    JIT_WHY_NONE = 0, /* not classified: traps, a helper's halt or code-write exit */
    JIT_WHY_CHECK,    /* the prologue's compare: budget used up, interrupt or kick */
    JIT_WHY_DIRECT,   /* a direct exit (branch, block end) not chained (yet) */
    JIT_WHY_GUARD,    /* a guarded jump to another page (xmode) not chained (yet) */
    JIT_WHY_CSR,      /* the direct exit after a CSR instruction, not chained (yet) */
    JIT_WHY_RETSTUB,  /* a return stub's exit, not chained (yet) */
    JIT_WHY_SYS,      /* after mret, sret or sfence.vma: to the dispatcher (jit_helper_sys) */
    JIT_WHY_PAGE2,    /* a crossing block's second page failed its prologue check */
    JIT_WHY_FAST,     /* jalr: miss of the fast table (code of the untranslated state) */
    JIT_WHY_XDIRECT,  /* +0..2: xmode, direct jump to another page, jump check missed */
    JIT_WHY_XRET = JIT_WHY_XDIRECT + 3, /* +0..2: xmode return (jalr x0, ra/t0) */
    JIT_WHY_XCALL = JIT_WHY_XRET + 3,   /* +0..2: xmode call (jalr ra/t0, ...) */
    JIT_WHY_XJUMP = JIT_WHY_XCALL + 3,  /* +0..2: other xmode jalr */
    JIT_WHY_XSYS = JIT_WHY_XJUMP + 3,   /* +0..2: xmode sret or mret, then the jump check */
    JIT_WHY_INTERP = JIT_WHY_XSYS + 3,  /* + instruction id: stopped before it (untranslated) */
    JIT_WHY_COUNT = JIT_WHY_INTERP + RV_I_COUNT,
};

/* A guest register the IR left unwritten at a fault point (a deferred write-back: the slow
 * path makes it in line, the host-fault handler from this entry), and where its value is. */
typedef struct jit_fix {
    uint8_t g;    /* guest register */
    uint8_t kind; /* enum jit_fix_kind */
    int32_t arg;  /* host register, frame offset from rsp, or guest register (cpu->x) */
    int64_t val;  /* the value itself (JIT_FIX_CONST) */
} jit_fix_t;

/* Where a jit_fix_t's value is. */
enum jit_fix_kind {
    JIT_FIX_REG,   /* host register `arg` */
    JIT_FIX_SLOT,  /* the frame of translated code, [rsp + arg] */
    JIT_FIX_X,     /* cpu->x[arg] (a value read in place) */
    JIT_FIX_CONST, /* the constant `val` */
};

#define JIT_MAX_FIX 1024u /* deferred write-backs of one block's fault points, at most */

/* An inline guest memory access that can fault on the host (user mode: unmapped pages). */
typedef struct jit_faultpt {
    uint32_t host_off; /* offset of the host access instruction from the block's code */
    uint32_t idx;      /* path instructions before it not yet in the instret register */
    int64_t guest_off; /* its guest pc minus the block's (a superblock may jump backwards) */
    uint16_t fix;      /* its deferred write-backs: the block's fix[fix .. fix + nfix) */
    uint16_t nfix;     /* (0: every guest register is in place) */
} jit_faultpt_t;

struct jit_block;

/* A chained jump into a translation (jit_block_t.in): dropping the translation points the
 * jump back at its exit, so that nothing jumps into dead code and the jump can be chained
 * again to the code that replaces it. */
typedef struct jit_link {
    uintptr_t field;       /* the jump's rel32 (read+execute view) */
    int32_t orig;          /* its value before chaining (the way to its exit code) */
    struct jit_link *next; /* next jump into the same translation */
} jit_link_t;

/* A translation that took code from a decoded block (rv_block_t.users, valid while the
 * block's users_gen is jit_t.gen): the block's drop drops the translation. */
typedef struct jit_use {
    struct jit_block *jb; /* the translation */
    struct jit_use *next; /* the next one made from the same decoded block */
} jit_use_t;

/* --stats: the ways translated code takes from one translation to another without the
 * dispatcher (jit_t.edges), so that loops that leave their translation at every iteration
 * show: how often each way was taken (the code increments `count`), where it leaves and
 * where it goes. */
enum jit_edge_kind {
    JIT_EDGE_BRANCH, /* the taken side of a conditional branch (a side exit) */
    JIT_EDGE_JUMP,   /* a translation's final direct jump (or its fall-through) */
    JIT_EDGE_RET,    /* a return stub (a return the return-address stack predicted) */
    JIT_EDGE_LOOP,   /* an IR loop's back edge kept inside its translation (an iteration) */
    JIT_EDGE_KINDS
};
typedef struct jit_edge {
    uint64_t count; /* times taken: translated code increments it (`inc qword`) */
    uint64_t from;  /* guest pc of the translation it leaves (its start) */
    uint64_t src;   /* guest pc of the instruction that leaves (0: not known) */
    uint64_t to;    /* guest pc it goes to */
    uint8_t kind;   /* enum jit_edge_kind */
    bool ir;        /* the translation was made through the IR */
} jit_edge_t;
#define JIT_EDGES (1u << 20) /* counted ways of a hart at most (--stats only) */
_Static_assert(offsetof(jit_edge_t, count) == 0 && sizeof(((jit_edge_t *)0)->count) == 8,
               "translated code increments jit_edge_t.count as 64 bits at offset 0");

/* One translated block. */
typedef struct jit_block {
    uint64_t pc;             /* guest pc of the first instruction */
    uint8_t *code;           /* host entry (read+execute view) */
    uint32_t code_len;       /* host bytes */
    uint32_t ninsns;         /* guest instructions */
    uint32_t nfault;         /* entries of faults[] */
    struct jit_block *hnext; /* next block in the same hash bucket */
    const rv_block_t *head;  /* the decoded block it starts with (its pages: rv_block_valid) */
    bool xmode;              /* translated while fetch translated (cpu->xlate): run only then,
                                after checking head's page; superblocks stay on its page */
    bool cross;              /* head->cross: its last instruction crosses a page (copied, so
                                that a lookup's check reads no decoded block) */
    bool check2;             /* xmode, crossing: its prologue checks the second page's
                                mapping, so chains and the jump check may reach it */
    uint64_t ppn;            /* head->ppn: the physical page its code was fetched from */
    bool dead;               /* dropped with the code of a written page: out of the tables,
                                chains into it unlinked, its entry a jump to its exit */
    uint32_t check_off;      /* host offset of the prologue's exit (back to the dispatcher
                                at pc: where a dead block's entry jumps) */
    jit_link_t *in;          /* chained jumps into it (in the metadata) */
    const jit_fix_t *fix;    /* deferred write-backs of its fault points (in the metadata) */
    uint32_t evicted;        /* guest registers whose pinned host register this translation
                                reuses (its register map): their values stay in cpu->x from
                                its entry to its exits, so a host fault takes them from there,
                                not from the signal context */
    bool ir;                 /* made through the IR (never counted for a tier-up) */
    uint8_t tier_len;        /* bytes of its entry counter's code (0: it has none, or it was
                                turned off), which starts at tier_off */
    uint16_t tier_off;       /* host offset of that code, after the prologue's budget check */
    int32_t tier_left;       /* tiered mode, when the counters' area has no room for its
                                counter: entries left before the IR retranslates it, which the
                                prologue decrements in place (through its absolute address) */
    bool irloop;             /* made through the IR and keeps a loop in registers */
    int32_t *tier_ctr;       /* its entry counter: a cell of jit_t.ctr (a rip-relative `sub`
                                in the prologue) or &tier_left; NULL without a counter */
    jit_faultpt_t faults[];  /* inline accesses, by host offset */
} jit_block_t;

/* Per-hart JIT state. */
typedef struct jit {
    uint8_t *rx;   /* read+execute view of the code cache */
    uint8_t *rw;   /* read+write view of the same memory */
    size_t size;   /* bytes of the cache */
    size_t used;   /* bytes in use (trampolines included) */
    bool no_cache; /* mapping the code cache failed: nothing is translated */
    uintptr_t (*enter)(rv_cpu_t *cpu, const uint8_t *code); /* entry trampoline (rx) */
    const uint8_t *exit_spill;     /* exit: store mapped registers, return rax */
    const uint8_t *exit_regs;      /* exit: store mapped registers (instret already set) */
    const uint8_t *exit_nospill;   /* exit: registers already in cpu->x, return rax */
    const uint8_t *thunk_load;     /* shared slow path of inline loads */
    const uint8_t *thunk_store;    /* shared slow path of inline stores */
    unsigned hash_mask;            /* buckets of hash[] in use - 1 (grows with the blocks,
                                      so that a hart that translates little touches few
                                      pages of it) */
    uint8_t *meta;                 /* metadata arena (jit_block_t) */
    size_t meta_size;              /* its bytes: a quarter of the cache, at least
                                      JIT_META_SIZE (so that a large cache is not cut
                                      short by its metadata) */
    size_t meta_used;              /* bytes of it in use */
    jit_block_t **order;           /* blocks in code address order (for host-fault lookup) */
    size_t norder;                 /* entries of order[] */
    size_t order_cap;              /* capacity of order[] */
    uint64_t gen;                  /* flush generation (a pending chain is dropped across one) */
    FILE *perf_map;                /* /tmp/perf-<pid>.map or NULL */
    uint8_t *perf_old_rw;          /* --perf-map: the views a flush left (freed at the next) */
    uint8_t *perf_old_rx;          /* so that no code address is ever named twice */
    unsigned threshold;            /* interpreted runs of a block before it is translated */
    bool perf;                     /* --perf-map: one anonymous mapping, names for perf */
    bool dump;                     /* --jit-dump: print each translation */
    bool no_chain;                 /* never patch direct jumps */
    bool count;                    /* --stats: translated code counts RAS hits and misses */
    bool ir;                       /* translate superblocks the IR covers through it */
    bool ir_no_loops;              /* VM_JIT_IR_LOOPS=0: a back edge to the translation's
                                      start leaves and re-enters (for comparisons) */
    bool no_taken;                 /* VM_JIT_TAKEN=0: superblocks never follow the taken side
                                      of a branch whose fall-through side never ran (for
                                      comparisons; translate.c, follow_taken) */
    bool ir_lazy_mem;              /* loads and stores defer their write-backs to the slow
                                      path and a fault point's side table (the default since
                                      early write-backs; VM_JIT_IR_LAZY_MEM=0 turns it off) */
    bool ir_early;                 /* the IR's in-line write-backs move up to their value's
                                      last use (VM_JIT_IR_EARLY=0 turns it off) */
    uint8_t ir_follow;             /* the IR's paths follow (bits, VM_JIT_IR_FOLLOW, default
                                      2): 2 a jalr to a constant (a leaf's return), 1 a
                                      backward branch round a loop back to the path's start
                                      (opt-in: measured slower on bzip2) */
    bool ir_vn;                    /* the IR's optimiser merges pure nodes that compute the
                                      same value (VM_JIT_IR_VN=0 turns it off) */
    bool ir_sext_loop;             /* a loop's head values known sign-extended from the back
                                      edge's, checked at the entry (VM_JIT_IR_SEXT=0: off) */
    bool ir_sink;                  /* values only exit puts read are computed in the exits'
                                      stubs (VM_JIT_IR_SINK=1 turns it on: off by default,
                                      it gained nothing measurable) */
    bool ir_lo32;                  /* W results only whose low half is read are not
                                      sign-extended (VM_JIT_IR_LO32=0 turns it off) */
    unsigned tier;                 /* tiered mode: entries of an old-path translation before
                                      the IR retranslates it (0: no tiering) */
    unsigned tier_loop;            /* the same for a translation that jumps back to its own
                                      start (a loop: the IR keeps it in registers) */
    jit_block_t *tier_from;        /* set by an entry counter's exit: the translation whose
                                      counter ran out (JIT_EXIT_TIER) */
    int32_t *ctr;                  /* the entry counters' area, read+write, mapped just below
                                      the read+execute view (NULL: none, see JIT_CTR_REACH):
                                      a prologue decrements its cell rip-relative, 13 bytes
                                      with the jz, no register, no 64-bit immediate */
    size_t ctr_bytes;              /* bytes of that area (a multiple of the page size) */
    uint32_t ctr_cap;              /* counters it holds */
    uint32_t ctr_used;             /* counters handed out since the cache was last emptied
                                      (a translation past ctr_cap counts in its record) */
    uint8_t ir_map;                /* register maps of IR translations that spill (their pinned
                                      registers given to the allocator), enum ir_map_policy:
                                      2 those the path does not write (default), 1 those it
                                      does not touch, 3 all, 0 none (VM_JIT_IR_MAP) */
    bool no_site;                  /* VM_JIT_NO_SITE=1: xmode accesses never use site slots
                                      (every one probes the inline TLB; for comparisons) */
    bool no_xras;                  /* VM_JIT_NO_XRAS=1: xmode calls and returns do not use
                                      their return-address stack (for comparisons) */
    void *ir_scratch;              /* the IR path's scratch state, made once and kept */
    uintptr_t chain;               /* pending chain request (a jump's rx address), or 0 */
    const jit_block_t *chain_from; /* the block entered when the request was made */
    uint64_t chain_gen;            /* gen when it was made (dropped across a flush) */
    uint64_t chain_pc;             /* its target pc (an interrupt taken before the next
                                      turn sends the hart elsewhere: no chain then) */
    uint64_t chain_ppn;            /* set by the exit of a guarded jump out of a page
                                      (xmode): the physical page its guard checked, which
                                      the target's first page must be; else JIT_NO_PPN */
    uint64_t chain_xppn;           /* chain_ppn of the pending request */
    rv_block_t *sb[8];             /* the decoded blocks a translation in progress took code
                                      from after its first (the backend fills it) */
    unsigned nsb;                  /* entries of sb[] */
    const uint8_t *xlookup_miss;   /* xmode code's jump check missed: leave for the
                                      dispatcher at guest pc rax */
    const uint8_t *thunk_xfill;    /* xmode code's jump check missed the fetch TLB: call
                                      jit_helper_xfill for guest pc rax, every register but
                                      rdx kept, edx = 1 when the entry is there now */
    jit_stats_t stats;             /* counters */
    uint32_t why;                  /* --stats: enum jit_why of the last exit (written by
                                      translated code; 0 when it did not say) */
    uint64_t why_count[JIT_WHY_COUNT];   /* --stats: exits by enum jit_why */
    uint32_t why_last;                   /* --stats: the last exit's reason, for the next
                                            turn's lookup (why_found) */
    uint64_t why_found[JIT_WHY_COUNT];   /* --stats: of those exits, the ones whose target
                                            the next turn found translated (a miss a table
                                            could have served, not cold code) */
    uint64_t interp_cold;                /* --stats: blocks interpreted below the threshold */
    uint64_t xfills;                     /* --stats: jump checks whose fetch-TLB miss
                                            jit_helper_xfill mended in line */
    uint64_t chain_left[3];              /* --stats: chain requests not patched: target not
                                            translated, may_chain refused, other (a flush or
                                            an interrupt came between) */
    uint64_t interp_refused[RV_I_COUNT]; /* --stats: blocks interpreted because the backend
                                            refused their first instruction, by its id */
    /* The return-address stack: calls (jal/jalr with rd = ra or t0) push the return pc and
     * the host address of their return stub, a chainable exit to that pc in the caller's
     * block; a return (jalr x0 with rs1 = ra or t0) pops the newest entry and jumps to its
     * stub when the pc matches. A ring: overflow drops the oldest entry, a mismatch only
     * costs the hashed table. Cleared with the code cache (reset), so no entry outlives the
     * code it points at; used by code translated while fetch does not translate only. */
    uint32_t ras_top; /* byte offset in ras[] of the newest entry (16 bytes each) */
    uint32_t ras_pad; /* keeps ras[] 16-byte aligned */
    struct jit_ras {
        uint64_t pc;         /* return pc; empty: the odd pc 1, which no return matches */
        const uint8_t *code; /* host address of the return stub (rx view) */
    } ras[JIT_RAS];
    /* xmode code's own return-address stack (translations made while fetch translates):
     * a call pushes its return pc, its return stub and the physical page the caller's code
     * came from; a return whose pc matches the newest entry jumps to the stub only when the
     * fetch TLB maps the return page to that physical page now, at the current privilege
     * (what the jump check and rv_block_valid prove), else it takes the jump check. Kept
     * apart from ras[] so that code of the untranslated state never reaches an xmode stub,
     * nor the reverse. Cleared with the code cache, as ras[]. */
    uint32_t xras_top; /* byte offset in xras[] of the newest entry (32 bytes each) */
    uint32_t xras_pad; /* keeps xras[] 16-byte aligned */
    struct jit_xras {
        uint64_t pc;         /* return pc; empty: the odd pc 1, which no return matches */
        const uint8_t *code; /* host address of the return stub (rx view) */
        uint64_t ppn;        /* physical page of the caller's code (the return page's) */
        uint64_t pad;        /* to 32 bytes */
    } xras[JIT_XRAS];
    jit_edge_t *edges; /* --stats: counted ways between translations (JIT_EDGES records,
                          made at the first one), or NULL */
    uint32_t nedges;   /* records of edges[] handed out */
    bool any_bad;      /* some bit of bad[] is set (a reset clears bad[] then) */
    bool fastx_used;   /* some fastx entry was written (a reset clears fastx, 2 MiB, then: a
                          hart that never translates with paging on leaves it unbacked) */
    /* The tables come last, each used from its start, so that a hart that runs little code
     * (a guest thread that mostly waits) touches a few pages of them (jit_t is mapped on
     * its own pages, zero until written). */
    jit_block_t *hash[JIT_HASH]; /* blocks by guest pc: the first hash_mask + 1 buckets */
    /* Which pcs may have a translation: JIT_SEEN_BITS bits per bucket in use, indexed by the
     * bucket hash widened by two bits, set when a translation enters hash[] and cleared with
     * it (a dropped one leaves its bit set). A lookup of code that has no translation, the
     * common case while a large program runs cold code, then costs one bit of a table that
     * stays in the host's cache instead of a bucket and a chain node in memory. */
    uint8_t seen[JIT_HASH * JIT_SEEN_BITS / 8];
    uint16_t heat[JIT_HEAT]; /* interpreter executions by pc hash */
    struct jit_fast {
        uint64_t pc;         /* guest pc; an empty entry is {0, NULL} except entry 0,
                                the only one pc 0 maps to, whose empty value is the odd
                                pc 1 that no jump target matches */
        const uint8_t *code; /* host entry */
    } fast[JIT_FAST];        /* direct-mapped table for indirect jumps */
    struct jit_fastx {
        uint64_t pc;                 /* guest pc; empty as in fast[] (entry 0: pc 1) */
        const uint8_t *code;         /* host entry */
        uint64_t ppn;                /* physical page of the block's code */
        uint64_t pad;                /* to 32 bytes */
    } fastx[JIT_FASTX];              /* the same for xmode code: checked against the fetch TLB,
                                        indexed by jit_fastx_index (a kernel's code spans
                                        thousands of pages: bits of the page number go into
                                        the index, so that targets at one page offset do not
                                        all compete for one entry) */
    unsigned char bad[JIT_HEAT / 8]; /* pc hashes whose block the backend refused */
} jit_t;

/* Generated code probes the fast table as 16-byte entries {pc at 0, code at 8} (jalr), the
 * entry of pc at byte offset (pc & (2 * JIT_FAST - 2)) * 8, that is (pc >> 1) & (JIT_FAST - 1)
 * entries in (emit_fast_probe). */
_Static_assert(sizeof(((jit_t *)0)->fast[0]) == 16, "jit_fast entries are 16 bytes");
_Static_assert((JIT_FAST & (JIT_FAST - 1)) == 0 && 2 * JIT_FAST - 2 <= INT32_MAX,
               "JIT_FAST is a power of two whose index mask is a 32-bit immediate");
_Static_assert(offsetof(struct jit_fast, pc) == 0 && offsetof(struct jit_fast, code) == 8,
               "jit_fast: pc at 0, code at 8");

/* Generated code reads and writes the return-address stack at constant offsets from the
 * jit_t: ras_top (32 bits) and 16-byte entries {pc at 0, code at 8}, indexed by a byte offset
 * masked with JIT_RAS * 16 - 1; and counts hits and misses in stats (64 bits each). */
_Static_assert((JIT_RAS & (JIT_RAS - 1)) == 0, "JIT_RAS is a power of two");
_Static_assert(sizeof(struct jit_ras) == 16 && offsetof(struct jit_ras, pc) == 0 &&
                   offsetof(struct jit_ras, code) == 8,
               "jit_ras entries are {pc at 0, code at 8}, 16 bytes");
_Static_assert(sizeof(((jit_t *)0)->ras_top) == 4, "ras_top is 32 bits");
_Static_assert(sizeof(((jit_t *)0)->stats.ras_hits) == 8 &&
                   sizeof(((jit_t *)0)->stats.ras_misses) == 8,
               "RAS counters are 64 bits");
_Static_assert(offsetof(jit_t, ras) + sizeof(((jit_t *)0)->ras) < (1u << 31) &&
                   offsetof(jit_t, stats) < (1u << 31),
               "RAS fields within a 32-bit displacement of the jit_t");

/* xmode code reads and writes its stack at constant offsets from the jit_t: xras_top (32
 * bits) and 32-byte entries {pc at 0, code at 8, ppn at 16}, indexed by a byte offset masked
 * with JIT_XRAS * 32 - 1; and counts hits and misses in stats (64 bits each). */
_Static_assert((JIT_XRAS & (JIT_XRAS - 1)) == 0, "JIT_XRAS is a power of two");
_Static_assert(sizeof(struct jit_xras) == 32 && offsetof(struct jit_xras, pc) == 0 &&
                   offsetof(struct jit_xras, code) == 8 && offsetof(struct jit_xras, ppn) == 16,
               "jit_xras entries are {pc at 0, code at 8, ppn at 16}, 32 bytes");
_Static_assert(sizeof(((jit_t *)0)->xras_top) == 4, "xras_top is 32 bits");
_Static_assert(sizeof(((jit_t *)0)->stats.xras_hits) == 8 &&
                   sizeof(((jit_t *)0)->stats.xras_misses) == 8,
               "xmode RAS counters are 64 bits");
_Static_assert(offsetof(jit_t, xras) + sizeof(((jit_t *)0)->xras) < (1u << 31),
               "xmode RAS within a 32-bit displacement of the jit_t");

/* An old-path translation's prologue decrements its 32-bit counter in place (`sub dword
 * [rip + d], 1` in jit_t.ctr, else `sub dword [abs]` of jit_block_t.tier_left) and its
 * counter's exit stores the block's address into tier_from. */
_Static_assert(sizeof(((jit_block_t *)0)->tier_left) == 4 && sizeof(*((jit_t *)0)->ctr) == 4,
               "entry counters are 32 bits");
_Static_assert(JIT_CTR_REACH < (1ull << 31), "the counters' area is within a rip-relative reach");
_Static_assert(sizeof(((jit_t *)0)->tier_from) == 8, "tier_from is a 64-bit pointer");
_Static_assert(sizeof(((jit_t *)0)->why) == 4, "translated code stores jit_t.why as 32 bits");

/* The fastx entry of guest pc (emit_xprobe computes the same in generated code). pc 0 maps
 * to entry 0 only, whose empty value is the odd pc 1. */
static inline unsigned jit_fastx_index(uint64_t pc) {
    return (unsigned)((pc >> 1) ^ (pc >> JIT_FASTX_SHIFT)) & (JIT_FASTX - 1);
}

/* Generated code probes fastx as 32-byte entries {pc at 0, code at 8, ppn at 16}. */
_Static_assert(sizeof(((jit_t *)0)->fastx[0]) == 32, "jit_fastx entries are 32 bytes");
_Static_assert(offsetof(struct jit_fastx, pc) == 0 && offsetof(struct jit_fastx, code) == 8 &&
                   offsetof(struct jit_fastx, ppn) == 16,
               "jit_fastx: pc at 0, code at 8, ppn at 16");

/* Translate the decoded block `b` into the cache through `path`. Returns the block, or NULL
 * when the first instruction cannot be translated or the IR declines a JIT_PATH_IR_ONLY
 * translation (*refused set), or the cache is full (*refused clear). */
jit_block_t *jit_translate(rv_cpu_t *cpu, jit_t *j, const rv_block_t *b, enum jit_path path,
                           bool *refused);

/* Write the entry and exit trampolines at the start of the cache. */
void jit_emit_trampolines(jit_t *j);

/* Helpers called from translated code (slow paths). `info` packs the access:
 * bits 0..3 width, bit 4 sign-extend, bits 8..15 instruction index, bits 16..18 instruction
 * length; they set cpu->engine_status (enum jit_exit, 0 = go on) and on a trap cpu->pc, cause,
 * tval and instret. */
#define JIT_INFO_LEAVE                                                                             \
    (1u << 19) /* info of a store: leave after it even into a plain page                           \
                  (it checked the flags of later stores' pages too) */
uint64_t jit_helper_load(rv_cpu_t *cpu, uint64_t addr, uint64_t pc, uint32_t info);
void jit_helper_store(rv_cpu_t *cpu, uint64_t addr, uint64_t pc, uint32_t info, uint64_t val);
/* The host-FPU fast path (fp_fast.c): run F/D instruction `op` when the host's result and
 * flags provably equal the soft-float FPU's (round to nearest, finite, normal results); returns
 * false, having changed nothing, otherwise. */
bool jit_fp_fast(rv_cpu_t *cpu, const rv_op_t *op);

/* Run instruction `op` (index idx of its block, at pc) with rv_exec1; sets cpu->engine_status. */
void jit_helper_exec(rv_cpu_t *cpu, const rv_op_t *op, uint64_t pc, uint64_t idx);

/* Run mret, sret or sfence.vma `op` (index idx of its block, at pc) for translated code made
 * in translation state `xmode`: on success the instruction has retired (instret and pc
 * exact) and the new pc is returned; cpu->engine_status is 0 when translated code may go on
 * to the new pc through its jump check (xmode code, the hart still translating, an xret),
 * else JIT_EXIT_LOOKUP (the dispatcher looks it up), or JIT_EXIT_TRAP (illegal here). */
uint64_t jit_helper_sys(rv_cpu_t *cpu, const rv_op_t *op, uint64_t pc, uint64_t idx,
                        uint64_t xmode);

/* The fetch TLB's entry for guest pc's page at the current privilege, from the second level
 * or a walk (rv_mmu_code_ppn) for xmode code's jump check, which missed it: returns 1 when
 * the entry is there now (the check is made again), 0 when pc cannot be fetched from (the
 * dispatcher takes it). */
uint64_t jit_helper_xfill(rv_cpu_t *cpu, uint64_t pc);

/* Copy the mapped guest registers and instret from a signal context's register array to
 * cpu->x and cpu->instret (the instret of the faulting block's start); the guest registers
 * of `skip` (a translation's evicted ones, already in cpu->x) are left alone. */
void jit_restore_regs(rv_cpu_t *cpu, const long long *gregs, uint32_t skip);

/* Make the n deferred write-backs fx[] of a fault point from a signal context's register
 * array (and the frame its rsp points to) into cpu->x: every value is read before any is
 * written. */
void jit_apply_fix(rv_cpu_t *cpu, const jit_fix_t *fx, unsigned n, const long long *gregs);
