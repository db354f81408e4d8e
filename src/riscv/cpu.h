/* cpu.h - the RV64GC hart of vm: architectural state, the run loop and its stop reasons.
 *
 * One rv_cpu_t is one hart. Its owner (the bare machine in src/system, or a Linux thread in
 * src/linux) fills in the memory window and the callbacks, then calls rv_run() repeatedly.
 *
 * Memory: a guest access to [a, a+len) with a - mem_start + len <= mem_size (no wrap) is a
 * plain host access at mem_base + (a - mem_start). Everything else goes to mem_slow(); an
 * error from it becomes a precise access fault. mem_start is 0 for user mode (the whole guest
 * space is one window); the bare machine sets it to the RAM base.
 *
 * Precise host faults (user mode): the interpreter writes the pc of every load, store and AMO
 * to cpu->pc before the access and keeps all registers in cpu->x / cpu->f, so a host SIGSEGV
 * handler can call rv_cpu_host_fault() and rv_run() returns RV_STOP_EXCEPTION with exact state.
 * While decoding, cpu->fetching is set and cpu->pc holds the pc being fetched.
 */
#pragma once

#include <setjmp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Why rv_run() returned. */
enum rv_stop {
    RV_STOP_ECALL = 1,     /* user mode: ecall at cpu->pc (pc not advanced) */
    RV_STOP_EBREAK = 2,    /* user mode: ebreak at cpu->pc */
    RV_STOP_EXCEPTION = 3, /* user mode: exception cpu->cause / cpu->tval at cpu->pc */
    RV_STOP_BUDGET = 4,    /* the instruction budget is used up (checked per block) */
    RV_STOP_HALT = 5,      /* the env asked for a halt (halt_request, HTIF exit, exit_group) */
    RV_STOP_INTERRUPT = 6, /* interrupt_request was set (the caller clears it) */
};

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
#define RV_MSTATUS_MIE  (1ull << 3)
#define RV_MSTATUS_MPIE (1ull << 7)
#define RV_MSTATUS_MPP  (3ull << 11)
#define RV_MSTATUS_FS   (3ull << 13)
#define RV_MSTATUS_MPRV (1ull << 17)
#define RV_MSTATUS_UXL  (3ull << 32)
#define RV_MSTATUS_SXL  (3ull << 34)
#define RV_MSTATUS_SD   (1ull << 63)

/* Counters for --stats. */
typedef struct rv_stats {
    uint64_t blocks_decoded;        /* blocks built by the decoder */
    uint64_t block_lookups;         /* block lookups through the hash table */
    uint64_t cache_hits;            /* lookups (chained or hashed) that found a decoded block */
    uint64_t flushes;               /* whole decode-cache flushes */
    uint64_t traps[RV_CAUSE_COUNT]; /* exceptions taken or reported, by cause */
} rv_stats_t;

struct rv_block;
typedef struct rv_cpu rv_cpu_t;

/* Slow-path memory access: addr/len outside the fast window. Returns 0 or -errno (-EFAULT
 * makes the CPU raise an access fault). write: copy buf to guest; else guest to buf. */
typedef int (*rv_mem_slow_fn)(void *env, uint64_t addr, void *buf, unsigned len, bool write);

/* A store hit a page flagged in cpu->page_flags with RV_PAGE_WATCH. Called after the store.
 * Returns true to halt the hart (rv_run returns RV_STOP_HALT after the store retires). */
typedef bool (*rv_watch_fn)(void *env, uint64_t addr, unsigned len);

/* Flags of cpu->page_flags (one byte per 4 KiB page of the fast window). */
#define RV_PAGE_CODE  1u /* the page holds decoded code: stores flush the decode cache */
#define RV_PAGE_WATCH 2u /* stores call cpu->watch_store (e.g. the HTIF tohost page) */
#define RV_PAGE_NEXT_CODE                                                                          \
    4u /* the next page holds decoded code: a store that starts here may straddle into it, so the  \
          JIT's one-page check still takes the slow path */

/* The hart. Fields up to `stats` are architectural or configuration; the rest is private
 * to the interpreter. */
struct rv_cpu {
    uint64_t x[32];          /* integer registers; x[0] is always 0 */
    uint64_t f[32];          /* FP registers as raw bits; singles are NaN-boxed */
    uint64_t pc;             /* the pc; on a stop, the pc of the instruction concerned */
    uint32_t fflags;         /* accrued FP exception flags (NV DZ OF UF NX = bits 4..0) */
    uint32_t frm;            /* dynamic rounding mode (0..4 valid) */
    uint8_t *mem_base;       /* host address of guest address mem_start */
    uint64_t mem_start;      /* first guest address of the fast window (0 in user mode) */
    uint64_t mem_size;       /* length of the fast window in bytes */
    rv_mem_slow_fn mem_slow; /* accesses outside the window (NULL: all of them fault) */
    void *env;               /* owner: bare machine or Linux thread */
    uint64_t instret;        /* instructions retired */
    uint64_t cause;          /* on RV_STOP_EXCEPTION: the cause (enum rv_cause) */
    uint64_t tval;           /* on RV_STOP_EXCEPTION: faulting address or instruction bits */
    bool user_mode;         /* true: traps stop the run (Linux); false: M-mode trap through mtvec */
    bool catch_host_faults; /* rv_run takes a sigsetjmp so rv_cpu_host_fault can unwind */
    bool time_from_instret; /* the time CSR reads instret - 1 (deterministic runs: lockstep) */
    _Atomic int interrupt_request; /* set by rv_cpu_interrupt (other thread, signal handler) */
    _Atomic int halt_request;      /* set together with interrupt_request: stop with RV_STOP_HALT */

    /* Optional store watch (bare machine: HTIF tohost, self-modifying code). */
    uint8_t *page_flags;     /* one byte per 4 KiB page of the window, or NULL */
    rv_watch_fn watch_store; /* called for stores into RV_PAGE_WATCH pages */
    uint64_t *code_lines;    /* optional: one bit per 64-byte line of the window holding
                                decoded code, so stores to data next to code do not flush */

    /* Privileged state (bare machine; user mode keeps it but does not use it). */
    uint8_t priv;        /* current privilege level (enum rv_priv) */
    uint64_t mstatus;    /* MIE, MPIE, MPP, FS, SD */
    uint64_t misa;       /* extensions reported (read-only) */
    uint64_t mtvec;      /* trap vector (mode bits WARL: direct or vectored) */
    uint64_t mepc;       /* exception pc */
    uint64_t mcause;     /* trap cause */
    uint64_t mtval;      /* trap value */
    uint64_t mscratch;   /* scratch for trap handlers */
    uint64_t medeleg;    /* exception delegation (no S-mode: reads 0) */
    uint64_t mideleg;    /* interrupt delegation (no S-mode: reads 0) */
    uint64_t mie;        /* interrupt enables */
    uint64_t mip;        /* interrupt pending */
    uint64_t mcounteren; /* counter access from lower modes */
    uint64_t mhartid;    /* this hart's id */

    /* LR/SC reservation: address and value seen by LR (SC compare-exchanges against it). */
    uint64_t resv_addr;  /* reserved guest address */
    uint64_t resv_value; /* value loaded by LR (zero-extended) */
    bool resv_valid;     /* a reservation is held */
    bool fetching;       /* set while the decoder reads guest code */

    rv_stats_t stats; /* --stats counters */

    /* JIT state (src/jit; NULL: the interpreter runs everything). Translated code reads the
     * fields below through fixed offsets from its cpu register. */
    struct jit *jit;            /* per-hart translation engine, or NULL */
    _Atomic uint64_t jit_limit; /* instret at which translated code returns (the budget;
                                   0 after rv_cpu_interrupt: one compare serves both) */
    uint64_t jit_chk;           /* window offsets below this take the inline path (mem_size - 7) */
    void *jit_fast;             /* the JIT's indirect-jump table (struct jit_fast[JIT_FAST]) */
    uint32_t jit_status;        /* set by JIT helpers: 0 = go on, else an exit code */

    /* Interpreter private state. */
    struct rv_icache *icache;   /* decoded blocks (allocated by rv_cpu_init) */
    struct rv_block *cur_block; /* block being executed (for host-fault instret fix-up) */
    uint64_t code_lo, code_hi;  /* guest range covered by decoded code, for invalidation */
    uint64_t *code_pages;       /* window pages flagged RV_PAGE_CODE since the last flush */
    size_t ncode_pages;         /* entries of code_pages */
    size_t code_pages_cap;      /* its capacity */
    bool code_pages_lost;       /* a flagged page could not be recorded (out of memory) */
    sigjmp_buf fault_jmp;       /* target of rv_cpu_host_fault */
};

/* Ask the hart to stop at its next block boundary (RV_STOP_INTERRUPT, or RV_STOP_HALT when
 * halt_request is set first). Safe from another thread or a signal handler. */
static inline void rv_cpu_interrupt(rv_cpu_t *cpu) {
    atomic_store(&cpu->interrupt_request, 1);
    atomic_store_explicit(&cpu->jit_limit, 0, memory_order_relaxed);
}

/* Reset the hart: zero registers, M-mode, misa = RV64IMAFDC(+U), allocate the decode cache.
 * Returns 0 or -ENOMEM. */
int rv_cpu_init(rv_cpu_t *cpu);

/* Free what rv_cpu_init allocated. */
void rv_cpu_destroy(rv_cpu_t *cpu);

/* Run until a stop condition; at most about `budget` instructions (checked per block, so a
 * run may overshoot by one block of up to RV_BLOCK_MAX instructions). Returns enum rv_stop. */
int rv_run(rv_cpu_t *cpu, uint64_t budget);

/* Called from a host SIGSEGV/SIGBUS handler on the guest thread while rv_run runs with
 * catch_host_faults: unwinds out of rv_run, which returns RV_STOP_EXCEPTION with cause/tval
 * (a fault while fetching code is reported as RV_CAUSE_FETCH_PAGE_FAULT). Unblocks SIGSEGV
 * and SIGBUS, because the jump buffer does not save the signal mask. */
_Noreturn void rv_cpu_host_fault(rv_cpu_t *cpu, uint64_t cause, uint64_t tval);

/* Drop every decoded block (fence.i, code loaded or changed). */
void rv_cpu_flush_icache(rv_cpu_t *cpu);

/* Guest code in [addr, addr+len) changed: drop decoded blocks that may cover it (everything
 * is flushed when a page holding decoded code is in the range; without page flags, when the
 * range meets the decoded code range). */
void rv_cpu_invalidate_range(rv_cpu_t *cpu, uint64_t addr, uint64_t len);

/* CSR access for the interpreter. op: 0 write, 1 set, 2 clear; `write` false for csrrs/c
 * with rs1 = x0 (no write side effects). Returns false for an illegal access. */
bool rv_csr_access(rv_cpu_t *cpu, unsigned csr, int op, uint64_t val, bool write, uint64_t *old);

/* Take an exception in M-mode (bare machine): mepc = cpu->pc, pc = mtvec. */
void rv_cpu_take_trap(rv_cpu_t *cpu, uint64_t cause, uint64_t tval);

/* Print the --stats counters to `out` (a FILE *), with the run's wall time in seconds. */
void rv_cpu_print_stats(const rv_cpu_t *cpu, void *out, double seconds);

/* Name of an exception cause, for messages. */
const char *rv_cause_name(uint64_t cause);
