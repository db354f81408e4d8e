/* cpu.h - the RV64GC hart of vm: architectural state, privilege, trap entry.
 *
 * One rv_cpu_t is one hart. Its owner (the bare machine in src/system, or a Linux thread in
 * src/linux) fills in the memory window (memacc.h) and the callbacks, attaches an execution
 * engine and calls exec_run() (src/exec) repeatedly. This layer knows the ISA only: it holds
 * no engine and includes nothing above src/riscv.
 *
 * Privilege is a level (priv: U, S or M). Traps are reported to the run loop, which either
 * hands them to the owner's trap hook (user mode: the Linux layer turns them into system calls
 * and signals) or takes them architecturally through rv_trap_enter(), the one trap entry.
 *
 * Precise host faults (user mode): the engines write the pc of every load, store and AMO to
 * cpu->pc before the access and keep registers recoverable, so a host SIGSEGV handler can call
 * rv_cpu_host_fault() and the run loop reports the fault as a guest exception with exact
 * state. While decoding, cpu->fetching is set and cpu->pc holds the pc being fetched.
 */
#pragma once

#include <setjmp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exception causes (mcause values without the interrupt bit). */
enum rv_cause {
    RV_CAUSE_FETCH_MISALIGNED = 0,
    RV_CAUSE_FETCH_ACCESS = 1,
    RV_CAUSE_ILLEGAL_INSN = 2,
    RV_CAUSE_BREAKPOINT = 3,
    RV_CAUSE_LOAD_MISALIGNED = 4,
    RV_CAUSE_LOAD_ACCESS = 5,
    RV_CAUSE_STORE_MISALIGNED = 6,
    RV_CAUSE_STORE_ACCESS = 7,
    RV_CAUSE_ECALL_U = 8,
    RV_CAUSE_ECALL_S = 9,
    RV_CAUSE_ECALL_M = 11,
    RV_CAUSE_FETCH_PAGE_FAULT = 12,
    RV_CAUSE_LOAD_PAGE_FAULT = 13,
    RV_CAUSE_STORE_PAGE_FAULT = 15,
    RV_CAUSE_COUNT = 16, /* size of per-cause tables */
};

/* Privilege levels (the encoding of mstatus.MPP). */
enum rv_priv { RV_PRIV_U = 0, RV_PRIV_S = 1, RV_PRIV_M = 3 };

/* Bits of mstatus that this hart implements. */
#define RV_MSTATUS_SIE  (1ull << 1)
#define RV_MSTATUS_MIE  (1ull << 3)
#define RV_MSTATUS_SPIE (1ull << 5)
#define RV_MSTATUS_MPIE (1ull << 7)
#define RV_MSTATUS_SPP  (1ull << 8)
#define RV_MSTATUS_MPP  (3ull << 11)
#define RV_MSTATUS_FS   (3ull << 13)
#define RV_MSTATUS_MPRV (1ull << 17)
#define RV_MSTATUS_SUM  (1ull << 18)
#define RV_MSTATUS_MXR  (1ull << 19)
#define RV_MSTATUS_TVM  (1ull << 20)
#define RV_MSTATUS_TW   (1ull << 21)
#define RV_MSTATUS_TSR  (1ull << 22)
#define RV_MSTATUS_UXL  (3ull << 32)
#define RV_MSTATUS_SXL  (3ull << 34)
#define RV_MSTATUS_SD   (1ull << 63)

/* Counters for --stats. */
typedef struct rv_stats {
    uint64_t blocks_decoded;        /* blocks built by the decoder */
    uint64_t block_lookups;         /* block lookups through the hash table */
    uint64_t cache_hits;            /* lookups (chained or hashed) that found a decoded block */
    uint64_t flushes;               /* whole decode-cache flushes */
    uint64_t page_drops;            /* pages whose code was dropped alone (a store into it) */
    uint64_t blocks_dropped;        /* decoded blocks dropped with those pages */
    uint64_t traps[RV_CAUSE_COUNT]; /* exceptions taken or reported, by cause */
    uint64_t interrupts;            /* interrupts taken */
    uint64_t waits;                 /* wfi instructions that waited for the owner */
} rv_stats_t;

struct rv_block;
struct rv_icache;

/* Pages of written code a hart can hold for its run loop before it drops all of its code
 * (rv_cpu_t.code_dirty). */
#define RV_CODE_DIRTY 32u

/* Pages that other harts made code a hart can hold for its run loop before it drops every
 * inline store entry instead of those of each page (rv_cpu_t.code_tlb_pages). */
#define RV_CODE_TLB_REQ 8u

/* Entries of each first-level table of the software TLB: the TLB by kind (fetch, load, store)
 * and each table of the inline TLB, direct-mapped by virtual page. A Linux kernel's working
 * set (its text, the linear map, page cache and slab) runs to thousands of pages: at 256
 * entries most of the slow path's translations in a Debian boot were conflict misses of
 * pages that the second level still held (docs/performance.md). A power of two; generated
 * code computes the index in line (src/exec/exec.h pins what it relies on). Overridable at
 * build time (-DRV_TLB_SIZE=...) for measurements. */
#ifndef RV_TLB_SIZE
#define RV_TLB_SIZE 1024u
#endif
_Static_assert(RV_TLB_SIZE >= 64 && RV_TLB_SIZE <= 65536 && (RV_TLB_SIZE & (RV_TLB_SIZE - 1)) == 0,
               "RV_TLB_SIZE: a power of two, whole bitmap words (tlb_ng)");

/* One software TLB entry: a virtual page of one privilege level mapped to a physical page. */
typedef struct rv_tlb_entry {
    uint64_t tag; /* virtual page number << 2 | privilege + 1, or | 3 for an S-mode load or
                     store translation valid only with mstatus.SUM (a U page); 0: empty */
    uint64_t ppn; /* physical page number */
} rv_tlb_entry_t;
/* One entry of the inline TLB (rv_cpu_t.tlbf): a virtual page of RAM whose translation
 * for one access kind and privilege passed every check, as a host address offset. An access
 * of len bytes at va hits when (va & ~0xfff | (va & (len - 1))) == vtag (so misaligned
 * accesses miss), and then is at host address va + addend. Generated code reads it
 * (offsets pinned in src/exec/exec.h). */
typedef struct rv_tlb_fast {
    uint64_t vtag;    /* virtual page address, or ~0: empty (no access matches it) */
    uintptr_t addend; /* host address minus guest virtual address of the page */
} rv_tlb_fast_t;

/* The second-level TLB (rv_cpu_t.tlb2), behind the first level (tlb, and tlbf with its site slots),
 * which holds only translations of the current address space and global ones: per access
 * kind, sets of RV_TLB2_WAYS entries indexed by virtual page, each tagged with the ASID it was
 * walked under or marked global. A satp write that switches the ASID drops the first level's
 * non-global entries only, so a process that runs again finds its translations here instead
 * of walking. */
#define RV_TLB2_SETS 512u
#define RV_TLB2_WAYS 4u

/* ASID bits of satp this hart implements (ASIDLEN): all of RV64's 16. Software finds the
 * width by writing ones and reading back; Linux uses its ASID allocator when there are more
 * than twice as many ASIDs as harts, and then switches address spaces without a fence. */
#define RV_ASID_BITS 16u
#define RV_ASID_MASK ((1u << RV_ASID_BITS) - 1)

/* One second-level TLB entry: a translation as in rv_tlb_entry_t, of one address space. */
typedef struct rv_tlb2_entry {
    uint64_t tag;  /* as rv_tlb_entry_t.tag (virtual page, privilege, SUM); 0: empty */
    uint64_t ppn;  /* physical page number */
    uint16_t asid; /* satp.ASID of the walk that filled it */
    bool global;   /* the walk passed a G bit: valid in every address space, and kept by
                      sfence.vma with an ASID */
} rv_tlb2_entry_t;

/* Sets of the inline TLB: S-mode data with mstatus.SUM clear (S pages only), U-mode data,
 * S-mode data with SUM set (S pages and the U pages SUM opens: the kernel's copies to and
 * from user memory), and one that stays empty (used while the window serves every access, or
 * M-mode data goes through MPRV into M). The sets that fill come first: src/riscv/mmu.c
 * empties every set below RV_TLBF_NONE. */
enum { RV_TLBF_S = 0, RV_TLBF_U = 1, RV_TLBF_SUM = 2, RV_TLBF_NONE = 3, RV_TLBF_SETS = 4 };

/* Classes of translations counted in tlb_stats.trips: fetch at S and U, and loads and stores
 * of each inline set (S, U, S with SUM); M-mode data through MPRV counts as its set's. */
enum {
    RV_TRIP_FETCH_S = 0,
    RV_TRIP_FETCH_U = 1,
    RV_TRIP_LOAD = 2,  /* + set (RV_TLBF_S, U, SUM) */
    RV_TRIP_STORE = 5, /* + set */
    RV_TRIP_CLASSES = 8
};

/* Site slots per set and kind (rv_tlbf_table_t.site): few enough that sfence.vma by address,
 * which must look at each, stays cheap (Linux issues one after most page-table updates), and
 * enough for the access sites of a hot loop nest. */
#define RV_SITE_SLOTS 64u

/* One table of the inline TLB (rv_cpu_t.tlbf: a set's load or store table) with the site
 * slots of the same set and kind just before it: copies of its entries that translated code
 * keeps per access site (slot by a hash of the site's pc), so that a site that stays on a page
 * skips the index and the entry load. Laid out [load slots][load entries][store slots][store
 * entries] per set, a set's store table is one table's size after its load table and so are
 * its store slots after its load slots: generated code reaches all four from the load
 * entries (cpu + tlb_ld_off) with constant displacements, the slots at a negative one, and
 * the slots cost 1 KiB per table whatever RV_TLB_SIZE is. Offsets pinned in src/exec/exec.h. */
typedef struct rv_tlbf_table {
    rv_tlb_fast_t site[RV_SITE_SLOTS]; /* site slots, emptied wherever entries are */
    rv_tlb_fast_t ent[RV_TLB_SIZE];    /* the inline TLB, by (va >> 12) & (RV_TLB_SIZE - 1) */
} rv_tlbf_table_t;

struct exec_engine;
typedef struct rv_cpu rv_cpu_t;

/* Access types of guest memory: the slow path and (later) the MMU must tell them apart, since
 * they check different permissions and raise different faults. */
typedef enum rv_access {
    RV_ACC_FETCH = 0, /* instruction fetch (execute permission; fetch faults) */
    RV_ACC_LOAD = 1,  /* load, LR (read permission; load faults) */
    RV_ACC_STORE = 2, /* store (write permission; store/AMO faults) */
    RV_ACC_AMO = 3,   /* atomic read-modify-write, SC (read and write; store/AMO faults) */
} rv_access_t;

/* Slow-path memory access: addr/len outside the fast window. Returns 0 or -errno (-EFAULT
 * makes the CPU raise an access fault of the access type). Stores and AMOs copy buf to the
 * guest; fetches and loads copy guest memory to buf. */
typedef int (*rv_mem_slow_fn)(void *env, uint64_t addr, void *buf, unsigned len, rv_access_t type);

/* A store hit a page flagged in cpu->page_flags with RV_PAGE_WATCH. Called after the store.
 * Returns true to halt the hart (the run returns EXEC_STOP_HALT after the store retires). */
typedef bool (*rv_watch_fn)(void *env, uint64_t addr, unsigned len);

/* A trap (cpu->pc, cause, tval set; nothing retired) reaches the hart's owner before trap
 * entry. Returns 0 to take it architecturally (rv_trap_enter), or a nonzero stop code that
 * ends the run with the trap left pending for the owner (user mode: system calls, signals). */
typedef int (*rv_trap_hook_fn)(void *env, rv_cpu_t *cpu);

/* A trap hook's answer: the owner handled the trap itself (state updated, e.g. an ecall
 * served by an embedder's system-call hook); execution goes on without trap entry. */
#define RV_TRAP_HANDLED (-1)

/* Host address of `len` bytes of guest-physical RAM at `pa`, or NULL when [pa, pa+len) is not
 * RAM (MMIO, ROM, nothing). The MMU reads page tables and serves AMOs through it. */
typedef void *(*rv_phys_ptr_fn)(void *env, uint64_t pa, unsigned len);

/* The hart executed wfi and no enabled interrupt is pending: the owner may sleep until an
 * interrupt source sets a bit of cpu->mip (and calls rv_cpu_kick) or until the run should
 * stop (interrupt_request). Returning at once is always correct: wfi may complete early. */
typedef void (*rv_wait_fn)(void *env, rv_cpu_t *cpu);

/* The hart executed pause (Zihintpause: it spins, waiting for another hart): the owner may
 * give the host CPU away for a moment (a lock holder's thread may be waiting for it). */
typedef void (*rv_pause_fn)(void *env, rv_cpu_t *cpu);

/* Flags of cpu->page_flags (one byte per 4 KiB page of the fast window). */
#define RV_PAGE_CODE  1u /* the page holds decoded code: stores flush the decode cache */
#define RV_PAGE_WATCH 2u /* stores call cpu->watch_store (e.g. the HTIF tohost page) */
#define RV_PAGE_NEXT_CODE                                                                          \
    4u /* the next page holds decoded code: a store that starts here may straddle into it, so the  \
          JIT's one-page check still takes the slow path */
#define RV_PAGE_SHIFT 12 /* page size of page_flags and of decoded-block limits */
/* A bit of rv_cpu_t.unseen_code: stores may reach code unseen at any time (shared memory),
 * so every fence.i drops the caches. */
#define RV_UNSEEN_ALWAYS (1ull << 63)

/* Branch hints for hot paths. */
#define RV_LIKELY(x)   __builtin_expect(!!(x), 1)
#define RV_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* The hart. The first part is architectural or configuration; the part after `stats` belongs
 * to the execution layer (src/exec), which a translating engine reads at fixed offsets
 * (pinned by _Static_assert in src/exec/exec.h). */
struct rv_cpu {
    uint64_t x[32];            /* integer registers; x[0] is always 0 */
    uint64_t f[32];            /* FP registers as raw bits; singles are NaN-boxed */
    uint64_t pc;               /* the pc; on a stop, the pc of the instruction concerned */
    uint32_t fflags;           /* accrued FP exception flags (NV DZ OF UF NX = bits 4..0) */
    uint32_t frm;              /* dynamic rounding mode (0..4 valid) */
    uint8_t *mem_base;         /* host address of guest address mem_start */
    uint64_t mem_start;        /* first guest address of the fast window (0 in user mode) */
    uint64_t mem_size;         /* length of the fast window in bytes */
    rv_mem_slow_fn mem_slow;   /* accesses outside the window (NULL: all of them fault) */
    void *env;                 /* owner: bare machine or Linux thread */
    uint64_t instret;          /* instructions retired */
    uint64_t cause;            /* pending trap: the cause (enum rv_cause) */
    uint64_t tval;             /* pending trap: faulting address or instruction bits */
    rv_trap_hook_fn trap_hook; /* owner's trap handler before trap entry (NULL: none) */
    rv_wait_fn wait;           /* owner's wfi sleep (NULL: wfi completes at once) */
    rv_pause_fn pause;         /* owner's spin-loop hint handler (NULL: pause is a no-op) */
    bool catch_host_faults;    /* the run loop takes a sigsetjmp so rv_cpu_host_fault can unwind */
    bool time_from_instret;    /* the time CSR reads instret - 1 + time_base (deterministic runs:
                                  lockstep, harts taking turns on one thread) */
    uint32_t win_guard;        /* with catch_host_faults: bytes on each side of the window
                                  that are reserved and never mapped, whose host faults are
                                  reported as guest faults (user mode), so that translated
                                  code may leave the window check out of an access a few
                                  bytes from one checked before it; 0: none */
    uint64_t time_base;        /* with time_from_instret: added to instret - 1, so that harts that
                                  take turns share one machine clock (0 alone) */
    _Atomic int interrupt_request; /* set by rv_cpu_interrupt (other thread, signal handler) */
    _Atomic int halt_request;      /* set together with interrupt_request: stop with HALT */

    /* Optional store watch (bare machine: HTIF tohost, self-modifying code). */
    uint8_t *page_flags;     /* one byte per 4 KiB page of the window, or NULL */
    rv_watch_fn watch_store; /* called for stores into RV_PAGE_WATCH pages */
    uint64_t *code_lines;    /* optional: one bit per 64-byte line of the window holding
                                decoded code, so stores to data next to code do not flush */

    /* Optional, with page_flags on a hart without an MMU (user mode): the owner's count of
     * code changes the flags cannot see (writes by the host kernel, stores through another
     * mapping). fence.i drops the caches only when it moved since unseen_seen (at every fence.i
     * while RV_UNSEEN_ALWAYS is set in it); NULL: every fence.i drops them. */
    const _Atomic uint64_t *unseen_code; /* the owner's count (read only here) */
    uint64_t unseen_seen; /* *unseen_code when this hart last dropped its caches for it */

    /* Privileged state. */
    uint8_t priv;           /* current privilege level (enum rv_priv) */
    uint64_t mstatus;       /* MIE, MPIE, MPP, FS, SD */
    uint64_t misa;          /* extensions reported (read-only) */
    uint64_t mtvec;         /* trap vector (mode bits WARL: direct or vectored) */
    uint64_t mepc;          /* exception pc */
    uint64_t mcause;        /* trap cause */
    uint64_t mtval;         /* trap value */
    uint64_t mscratch;      /* scratch for trap handlers */
    uint64_t medeleg;       /* exception delegation (no S-mode: reads 0) */
    uint64_t mideleg;       /* interrupt delegation (no S-mode: reads 0) */
    uint64_t mie;           /* interrupt enables */
    uint64_t mip;           /* interrupt pending */
    uint64_t mcounteren;    /* counter access from lower modes */
    uint64_t mhartid;       /* this hart's id */
    uint64_t stvec;         /* S-mode trap vector (trap entry when a trap is delegated) */
    uint64_t sepc;          /* S-mode exception pc */
    uint64_t scause;        /* S-mode trap cause */
    uint64_t stval;         /* S-mode trap value */
    uint64_t sscratch;      /* S-mode scratch */
    uint64_t satp;          /* address translation: MODE (Bare, Sv39, Sv48, Sv57), ASID, root PPN */
    uint64_t scounteren;    /* counter access from U-mode (with mcounteren) */
    uint64_t senvcfg;       /* S-mode environment configuration (FIOM) */
    uint64_t menvcfg;       /* M-mode environment configuration (FIOM, STCE) */
    uint64_t stimecmp;      /* Sstc: S-mode timer compare; STIP = time >= stimecmp while
                               menvcfg.STCE (rv_sstc_update) */
    uint64_t mcountinhibit; /* counters stopped (stored; counters here never stop) */
    uint64_t pmpcfg[8];     /* pmpcfg0, 2, ..., 14 (stored and read back; not enforced) */
    uint64_t pmpaddr[64];   /* pmpaddr0..63 (stored and read back; not enforced) */

    /* The MMU (src/riscv/mmu.c), on harts whose owner provides physical memory access
     * (phys_ptr); user-mode harts have none and one identity window. */
    rv_phys_ptr_fn phys_ptr; /* owner's guest-physical RAM lookup (NULL: no MMU) */
    uint8_t *phys_base;      /* the physical RAM window: host address of phys_start */
    uint64_t phys_start;     /* guest-physical address of the window */
    uint64_t phys_size;      /* its size; mem_* equal these while nothing translates */
    bool xlate;              /* some access may translate now: the window is empty, every
                                access goes through rv_mmu_access */
    uint64_t code_ctx;       /* bumped when a store, an AMO or a device wrote decoded
                                code (rv_cpu_code_written): the run loop then drops the
                                code of the pages in code_dirty, or all of it */
    uint64_t code_ctx_seen;  /* code_ctx the run loop's caches were made under */

    /* LR/SC reservation: address and value seen by LR (SC compare-exchanges against it). */
    uint64_t resv_addr;  /* reserved guest address */
    uint64_t resv_value; /* value loaded by LR (zero-extended) */
    bool resv_valid;     /* a reservation is held */
    bool fetching;       /* set while the decoder reads guest code */

    rv_stats_t stats; /* --stats counters */

    /* ---- execution state (src/exec and its engines) ---- */
    const struct exec_engine *engine; /* translating engine, or NULL: the interpreter alone */
    void *engine_state;               /* that engine's per-hart state */
    _Atomic uint64_t limit; /* instret at which engines return to the run loop (the budget;
                               0 after rv_cpu_interrupt or rv_cpu_kick: one compare serves
                               budget, stop requests and guest interrupts) */
    uint64_t budget_end;    /* instret at which the current run ends (the run loop's own) */
    uint64_t win_chk;       /* window offsets below this are an 8-byte access in the window
                               (mem_size - 7): one compare in generated code */
    void *engine_fast;      /* the engine's indirect-jump table, read by generated code */
    uint32_t engine_status; /* set by engine helpers: 0 = go on, else an engine exit code */

    struct rv_icache *icache;   /* decoded blocks (allocated by exec_hart_init) */
    struct rv_block *cur_block; /* block being executed (for host-fault instret fix-up) */
    uint64_t code_lo, code_hi;  /* guest range covered by decoded code, for invalidation */
    uint64_t *code_pages;       /* window pages flagged RV_PAGE_CODE since the last flush */
    size_t ncode_pages;         /* entries of code_pages */
    size_t code_pages_cap;      /* its capacity */
    bool code_pages_lost;       /* a flagged page could not be recorded (out of memory) */
    sigjmp_buf fault_jmp;       /* target of rv_cpu_host_fault */

    rv_tlb_entry_t tlb[3][RV_TLB_SIZE];    /* software TLB by access kind (src/riscv/mmu.c) */
    rv_tlbf_table_t tlbf[RV_TLBF_SETS][2]; /* inline TLB and its site slots: [set][load, store] */
    uint64_t tlb_ld_off;    /* byte offset from the hart of the load entries of the current
                               data privilege's set (in S-mode, that of the current SUM;
                               0: no MMU, no inline TLB) */
    uint64_t tlb_st_off;    /* the same for stores (RAM pages without code or watch flags) */
    uint64_t tlb_fetch_low; /* low bits of the current privilege's fetch-TLB tags (priv + 1;
                               4 in M-mode, which no tag has): generated code's page check */
    struct {
        uint64_t hits;          /* translations served by the TLB (either level) */
        uint64_t hits2;         /* of which by the second level (the first had no entry) */
        uint64_t walks;         /* page-table walks */
        uint64_t faults;        /* page faults raised */
        uint64_t flushes;       /* whole-TLB flushes (sfence.vma x0, x0; satp mode changes) */
        uint64_t asid_switches; /* satp writes to another ASID: first level emptied only */
        uint64_t asid_flushes;  /* sfence.vma x0, rs2: one ASID's non-global entries */
        uint64_t code_pages;    /* pages that became code: their store entries dropped */
        uint64_t store_clears;  /* every store entry dropped for code (another hart's page) */
        uint64_t pte_reads[5];  /* page-table entries read by walks, by level (0: the 4 KiB
                                   level): what the walks cost */
        uint64_t trips[RV_TRIP_CLASSES][3][2]; /* translations that reached rv_mmu_translate
                                   (inline misses, fetch-TLB misses), by class (RV_TRIP_*),
                                   by what served them (0 first level, 1 second, 2 a walk) and
                                   whether global (1): what the slow path still does */
    } tlb_stats;                               /* --stats counters of the MMU */

    /* SMP (a machine with several harts; all NULL/0 on a hart that is alone). */
    struct rv_cpu **peers;              /* every hart of the machine, this one included */
    unsigned npeers;                    /* how many */
    struct exec_code_share *code_share; /* code pages the harts share (src/exec/icache.c) */
    uint64_t *code_mine;                /* bit per RAM page: this hart has decoded code there */
    _Atomic int code_tlb_req;           /* another hart made a page code: drop the inline store
                                           entries that reach it at the next block boundary */
    _Atomic uint64_t code_tlb_pages[RV_CODE_TLB_REQ]; /* those pages' physical page numbers
                                           + 1 (0: a free slot) */
    _Atomic int code_tlb_all; /* more of them than slots: drop every store entry */
    /* Harts that come and go while the others run (user-mode threads) have no fixed peers:
     * their owner tells every hart of the set itself (rv_cpu_code_dirty for each, ppn
     * UINT64_MAX for all code). NULL: rv_cpu_code_written uses peers. */
    void (*code_written_fn)(struct rv_cpu *cpu, uint64_t ppn);

    /* Written code waiting for the run loop (rv_cpu_code_written, from any thread). */
    _Atomic uint64_t code_dirty[RV_CODE_DIRTY]; /* physical page numbers + 1 whose decoded
                                                   and translated code must go (0: free) */
    _Atomic int code_dirty_all;                 /* more pages than code_dirty holds were
                                                   written: drop all code */
    /* Non-global entries of the first level, a bit per entry (src/riscv/mmu.c): an ASID
     * switch (and sfence.vma of the current ASID) drops only these, so that global
     * translations (the kernel's) stay valid in the next address space. A set bit marks an
     * entry that may hold a non-global translation; a clear one an empty or global entry.
     * Site slots have none: they are copies of tlbf entries, checked against them. */
    uint64_t tlb_ng[3][RV_TLB_SIZE / 64];                    /* of tlb, by kind */
    uint64_t tlb_fast_ng[RV_TLBF_NONE][2][RV_TLB_SIZE / 64]; /* of tlbf's filling sets */
    unsigned tlb2_victim; /* round-robin way that a fill of a full tlb2 set replaces */
    /* second level of the TLB, tagged by ASID (src/riscv/mmu.c): refills the first level
     * (tlb, tlbf and its site slots), whose non-global entries an ASID switch drops; only C code
     * reads it. Last, so that its 144 KiB keep no hot field away from the others. */
    rv_tlb2_entry_t tlb2[3][RV_TLB2_SETS][RV_TLB2_WAYS];
};

/* Ask the hart to stop at its next block boundary (EXEC_STOP_INTERRUPT, or EXEC_STOP_HALT
 * when halt_request is set first). Safe from another thread or a signal handler. */
static inline void rv_cpu_interrupt(rv_cpu_t *cpu) {
    atomic_store(&cpu->interrupt_request, 1);
    atomic_store_explicit(&cpu->limit, 0, memory_order_relaxed);
}

/* Make the hart return to its run loop at the next block boundary, which then looks at
 * cpu->mip again (an interrupt source set a bit) and goes on. Safe from any thread. */
static inline void rv_cpu_kick(rv_cpu_t *cpu) {
    atomic_store_explicit(&cpu->limit, 0, memory_order_relaxed);
}

/* A store (or AMO, or a device's DMA) wrote decoded code on physical page `ppn` (the
 * address >> RV_PAGE_SHIFT; on harts without an MMU, the window address's): every hart that
 * may hold code decoded from it drops that page's decoded and translated code at its next
 * block boundary (code_dirty, code_ctx), or all of its code when more pages are waiting than
 * code_dirty holds. Alone, only this hart; with peers, all of them. Safe from any thread. */
void rv_cpu_code_written(rv_cpu_t *cpu, uint64_t ppn);

/* The same for code anywhere (a large write): every hart concerned drops all of its code. */
void rv_cpu_code_written_all(rv_cpu_t *cpu);

/* Ask hart c alone to drop the code of page ppn (UINT64_MAX: all of its code) at its next block
 * boundary: the step rv_cpu_code_written takes for each hart concerned, for owners whose harts
 * come and go (code_written_fn). Safe from any thread. */
void rv_cpu_code_dirty(rv_cpu_t *c, uint64_t ppn);

/* Set (level true) or clear bit `bit` of mip from any thread (devices on other harts' threads
 * drive the lines of a hart). */
static inline void rv_cpu_mip_set(rv_cpu_t *cpu, unsigned bit, bool level) {
    if (level)
        __atomic_fetch_or(&cpu->mip, 1ull << bit, __ATOMIC_SEQ_CST);
    else
        __atomic_fetch_and(&cpu->mip, ~(1ull << bit), __ATOMIC_SEQ_CST);
}

/* Reset the architectural state: zero registers, M-mode, misa = RV64IMAFDC(+U). The
 * execution state is set up by exec_hart_init (src/exec). */
void rv_cpu_reset(rv_cpu_t *cpu);

/* Called from a host SIGSEGV/SIGBUS handler on the guest thread while the run loop runs with
 * catch_host_faults: unwinds out of the engine, and the run loop reports a guest exception
 * with cause/tval (a fault while fetching code is reported as RV_CAUSE_FETCH_PAGE_FAULT).
 * Unblocks SIGSEGV and SIGBUS, because the jump buffer does not save the signal mask. */
_Noreturn void rv_cpu_host_fault(rv_cpu_t *cpu, uint64_t cause, uint64_t tval);

/* CSR access for the interpreter. op: 0 write, 1 set, 2 clear; `write` false for csrrs/c
 * with rs1 = x0 (no write side effects). Returns false for an illegal access. */
bool rv_csr_access(rv_cpu_t *cpu, unsigned csr, int op, uint64_t val, bool write, uint64_t *old);

/* The one trap entry: take exception `cause` (interrupt: an interrupt number) with `tval` at
 * cpu->pc, in M-mode or, when medeleg/mideleg delegate it from U or S, in S-mode. */
void rv_trap_enter(rv_cpu_t *cpu, uint64_t cause, uint64_t tval, bool interrupt);

/* mret and sret, shared by both engines: false (nothing changed) when the instruction is
 * illegal at the current privilege; else the privilege, mstatus and the MMU's state are those
 * after the return (pending interrupts kick the hart) and the new pc is cpu->mepc / sepc. */
bool rv_mret(rv_cpu_t *cpu);
bool rv_sret(rv_cpu_t *cpu);

/* sfence.vma with rs1's address `va` when `va_valid` and rs2's ASID when `has_asid`: false
 * when illegal at the current privilege, else the TLB entries it names are gone (`kick` as
 * for rv_mmu_flush). */
bool rv_sfence_vma(rv_cpu_t *cpu, bool va_valid, uint64_t va, bool has_asid, uint64_t asid,
                   bool kick);

/* Interrupt numbers (mip/mie bits, and mcause with the interrupt bit). */
enum rv_irq {
    RV_IRQ_SSI = 1, /* supervisor software */
    RV_IRQ_MSI = 3, /* machine software */
    RV_IRQ_STI = 5, /* supervisor timer */
    RV_IRQ_MTI = 7, /* machine timer */
    RV_IRQ_SEI = 9, /* supervisor external */
    RV_IRQ_MEI = 11 /* machine external */
};

/* The interrupt the hart must take now (pending in mip, enabled in mie, not masked by the
 * global enables of the privilege it goes to), highest priority first; -1 when none. */
int rv_interrupt_pending(const rv_cpu_t *cpu);

/* The time CSR and the machine timer: the host's monotonic clock at 10 MHz, or instret - 1 +
 * time_base with time_from_instret (repeatable runs). */
uint64_t rv_cpu_time(const rv_cpu_t *cpu);

/* menvcfg.STCE: Sstc's stimecmp drives mip.STIP (and S-mode may access stimecmp). */
#define RV_MENVCFG_STCE (1ull << 63)

/* Sstc: with menvcfg.STCE set, make mip.STIP say whether time >= stimecmp (and kick the hart
 * when that made an interrupt takeable). The CSR code calls it on every write that matters and
 * before mip/sip reads; a machine calls it as time passes (between run slices, after wfi). */
void rv_sstc_update(rv_cpu_t *cpu);

/* Sstc: timer ticks until stimecmp is due (0: due now; UINT64_MAX: STCE is off), so that a
 * sleeping hart (wfi) wakes in time. */
uint64_t rv_sstc_ticks_left(const rv_cpu_t *cpu);

/* After a change that may have made an interrupt takeable (mie, mip, mideleg, global enables,
 * privilege): kick the hart so that the run loop looks at once, not at the end of its budget. */
static inline void rv_cpu_irq_check(rv_cpu_t *cpu) {
    if (RV_UNLIKELY(cpu->mip & cpu->mie) && rv_interrupt_pending(cpu) >= 0) rv_cpu_kick(cpu);
}

/* The ecall cause of the current privilege level (ECALL_U, ECALL_S or ECALL_M). */
static inline uint64_t rv_ecall_cause(const rv_cpu_t *cpu) {
    return cpu->priv == RV_PRIV_M   ? RV_CAUSE_ECALL_M
           : cpu->priv == RV_PRIV_S ? RV_CAUSE_ECALL_S
                                    : RV_CAUSE_ECALL_U;
}

/* Name of an exception cause, for messages. */
const char *rv_cause_name(uint64_t cause);
