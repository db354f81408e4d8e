/* exec.h - the execution layer: the one run loop of a hart and the engines behind it.
 *
 * exec_run() is the only place where a hart runs. It owns the instruction budget (cpu->limit),
 * the interrupt and halt requests, traps (the owner's trap hook, else rv_trap_enter) and the
 * choice of engine for each block: a translating engine (src/jit registers one) runs the blocks
 * it has code for and hands every other block back to the interpreter, which is always there.
 * Without an engine the interpreter runs alone and chains blocks itself until a stop.
 *
 * Engines see the hart through rv_cpu_t; a translating engine reads some of its fields at
 * fixed offsets from generated code, and the _Static_asserts below pin each of them, so a
 * change of layout is a compile error here, not a wrong load there.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "riscv/cpu.h"

/* Why exec_run() returned. */
enum exec_stop {
    EXEC_STOP_ECALL = 1,     /* the trap hook claimed an ecall at cpu->pc (pc not advanced) */
    EXEC_STOP_EBREAK = 2,    /* the trap hook claimed an ebreak at cpu->pc */
    EXEC_STOP_EXCEPTION = 3, /* the trap hook claimed exception cpu->cause / cpu->tval */
    EXEC_STOP_BUDGET = 4,    /* the instruction budget is used up (checked per block) */
    EXEC_STOP_HALT = 5,      /* the owner asked for a halt (halt_request, HTIF exit, exit) */
    EXEC_STOP_INTERRUPT = 6, /* interrupt_request was set (the caller clears it) */
};

/* What an engine's run, or the interpreter, hands back to the run loop. */
enum exec_result {
    EXEC_CONTINUE = 0, /* go on at cpu->pc after the loop's checks */
    EXEC_INTERP = 1,   /* no translation for cpu->pc: interpret one block */
    EXEC_TRAP = 2,     /* a trap is pending: cpu->pc, cause and tval set, instret exact */
    EXEC_FLUSH = 3,    /* fence.i: drop all decoded and translated code, go on at cpu->pc */
    EXEC_HALT = 4,     /* a watched store asked for a halt (after the store retired) */
    EXEC_WFI = 5,      /* wfi retired (cpu->pc after it): wait for an interrupt */
};

/* How a hart executes (from the machine's options; no process-wide settings). */
typedef struct exec_options {
    const char *engine;  /* translating engine by name ("jit"), or NULL: the interpreter */
    unsigned threshold;  /* interpreted runs of a block before it is translated (0: 16) */
    size_t cache_bytes;  /* code cache per hart (0: the engine's default) */
    size_t decode_bytes; /* decode-cache arena per hart (0: RV_ICACHE_ARENA); a full arena
                            drops every decoded and translated block, so a machine that runs
                            a whole system sets a larger one */
    bool dump;           /* print guest and host code of each translation to stderr */
    bool perf_map;       /* append translations to /tmp/perf-<pid>.map for perf */
    bool no_chain;       /* never link translations directly (every exit returns) */
    bool count;          /* --stats: count events in translated code too (costs time there) */
    bool ir;             /* translate through the JIT's IR where it covers a superblock */
    bool strict;         /* a missing engine is an error, not a warning and the interpreter */
} exec_options_t;

/* A translating engine. It registers itself with exec_register_engine(); the execution layer
 * never names one. */
typedef struct exec_engine {
    const char *name;        /* for options, messages and re-exec ("jit") */
    bool (*supported)(void); /* the host can run this engine */
    int (*attach)(rv_cpu_t *cpu, const exec_options_t *opt); /* set up cpu->engine_state */
    void (*detach)(rv_cpu_t *cpu);                           /* free it */
    int (*run)(rv_cpu_t *cpu);    /* run translated code at cpu->pc; returns enum exec_result */
    void (*flush)(rv_cpu_t *cpu); /* drop every translation */
    void (*drop_block)(rv_cpu_t *cpu, struct rv_block *b);
    /* ^ decoded block b goes (a store wrote its page): drop the translations made from it,
     *   and every way into them (NULL: the engine keeps nothing per block) */
    int (*after_fork)(rv_cpu_t *cpu); /* in a forked child: rebuild host mappings */
    bool (*host_fault)(rv_cpu_t *cpu, uintptr_t host_pc, const long long *gregs);
    /* ^ a host fault at host_pc: if in translated code, restore exact guest state */
    void (*print_stats)(const rv_cpu_t *cpu, FILE *out); /* --stats counters */
} exec_engine_t;

/* Make an engine available to exec_hart_init by name (idempotent; up to 4 engines). */
void exec_register_engine(const exec_engine_t *engine);

/* The registered engine called `name`, or NULL. */
const exec_engine_t *exec_find_engine(const char *name);

/* Reset the hart (rv_cpu_reset) and set up its execution state: the decode cache and, when
 * opt->engine names one that the host supports, that engine (opt may be NULL).
 * Returns 0 or -errno (-ENOMEM; with opt->strict, -ENOTSUP/-ENOENT for a missing engine).
 * Without strict, a missing engine is reported once on stderr and the interpreter runs. */
int exec_hart_init(rv_cpu_t *cpu, const exec_options_t *opt);

/* A trap hook that ends the run with every trap (the user-mode setting): ecall stops with
 * EXEC_STOP_ECALL, ebreak with EXEC_STOP_EBREAK, the rest with EXEC_STOP_EXCEPTION. */
int exec_trap_stop(void *env, rv_cpu_t *cpu);

/* Asked by the decoder before it decodes code from the guest page holding addr (once per
 * decoded block, and again for an instruction that crosses into the next page): true when
 * that page may be executed. Decoding is cold, so this costs nothing on the hot paths; code
 * already decoded stays valid until the owner invalidates it (exec_invalidate_range). */
typedef bool (*exec_fetch_check_fn)(void *env, uint64_t addr);
/* Install the hart's fetch check (NULL: every readable page may be executed). */
void exec_set_fetch_check(rv_cpu_t *cpu, exec_fetch_check_fn fn, void *env);

/* SMP: the n harts of one machine (with an MMU and page flags over the same RAM) share their
 * page flags and code lines, so that a store by any of them into code that any of them
 * decoded drops that page's code everywhere (rv_cpu_code_written, with cpu->peers set by the
 * machine). Returns 0 or -errno. */
int exec_share_code(rv_cpu_t *const *harts, unsigned n);

/* Undo exec_share_code (before the harts are destroyed). */
void exec_unshare_code(rv_cpu_t *const *harts, unsigned n);

/* User mode: the threads of one process share their code pages the same way, but come and go
 * while the others run. A share for harts like cpu (same window or RAM; their common
 * page_flags, which cpu already has), or NULL when out of memory. */
struct exec_code_share *exec_code_share_new(const rv_cpu_t *cpu);
/* Free a share no hart is in any more. */
void exec_code_share_free(struct exec_code_share *sh);
/* Hart cpu (with the share's page_flags) joins sh: from now on a store by any member into
 * code any member decoded drops that page's code in every member. 0 or -ENOMEM. */
int exec_code_join(struct exec_code_share *sh, rv_cpu_t *cpu);
/* Hart cpu leaves its share (its code and claims go), before it is destroyed. */
void exec_code_leave(rv_cpu_t *cpu);
/* Hold the share's lock across a host fork, so that the child does not inherit it taken. */
void exec_code_share_lock(struct exec_code_share *sh);
/* Release it in the parent after the fork. */
void exec_code_share_unlock(struct exec_code_share *sh);
/* In the child of a host fork, on its only hart (which held the lock): the other members are
 * gone, so the share starts over with this one alone, its flags and claims emptied. */
void exec_code_share_after_fork(rv_cpu_t *cpu);

/* Free what exec_hart_init allocated. */
void exec_hart_destroy(rv_cpu_t *cpu);

/* Give the hart `engine` now (or take it away with NULL), e.g. for lockstep runs. */
int exec_set_engine(rv_cpu_t *cpu, const exec_engine_t *engine, const exec_options_t *opt);

/* Run until a stop condition; at most about `budget` instructions (checked per block, so a
 * run may overshoot by one block). Returns enum exec_stop. */
int exec_run(rv_cpu_t *cpu, uint64_t budget);

/* From the owner's wait callback (wfi): end the current exec_run at the run loop's next check,
 * with EXEC_STOP_BUDGET, instead of going on with the hart (a machine whose harts take turns
 * on one thread moves on to the next hart). */
void exec_end_run(rv_cpu_t *cpu);

/* Drop every decoded and translated block (fence.i, code loaded or changed). */
void exec_flush(rv_cpu_t *cpu);

/* What fence.i does on this hart: drop every decoded and translated block unless the page
 * flags already saw every change (see rv_cpu_t.unseen_code). */
void exec_fence_i(rv_cpu_t *cpu);

/* Guest code in [addr, addr+len) changed: drop decoded blocks that may cover it (with page
 * flags, the code of each page of the range that holds decoded code; without them, everything
 * when the range meets the decoded code range). */
void exec_invalidate_range(rv_cpu_t *cpu, uint64_t addr, uint64_t len);

/* In a forked child: rebuild what the engine cannot inherit (its code cache). Returns 0, or
 * -errno after falling back to the interpreter. */
int exec_after_fork(rv_cpu_t *cpu);

/* From a host SIGSEGV/SIGBUS handler: a fault at host_pc in translated code of this hart
 * restores the guest state (registers from `gregs`, the ucontext register array). Returns
 * true when the fault was in translated code. */
bool exec_host_fault(rv_cpu_t *cpu, uintptr_t host_pc, const long long *gregs);

/* Name of the hart's engine ("interp" when it has none). */
const char *exec_engine_name(const rv_cpu_t *cpu);

/* Print the --stats counters to `out`, with the run's wall time in seconds. */
void exec_print_stats(const rv_cpu_t *cpu, FILE *out, double seconds);

/* Every rv_cpu_t field that generated code reads or writes, at the offset and width it uses.
 * The x86-64 backend addresses them as disp32 from its cpu register. */
_Static_assert(offsetof(rv_cpu_t, x) == 0, "generated code: x[] at offset 0");
_Static_assert(offsetof(rv_cpu_t, f) == 256, "generated code: f[] after x[]");
_Static_assert(offsetof(rv_cpu_t, pc) == 512 && sizeof(((rv_cpu_t *)0)->pc) == 8,
               "generated code: pc");
_Static_assert(offsetof(rv_cpu_t, fflags) == 520 && sizeof(((rv_cpu_t *)0)->fflags) == 4,
               "generated code: fflags (32-bit)");
_Static_assert(offsetof(rv_cpu_t, frm) == 524 && sizeof(((rv_cpu_t *)0)->frm) == 4,
               "generated code: frm (32-bit)");
_Static_assert(sizeof(((rv_cpu_t *)0)->mem_base) == 8 && sizeof(((rv_cpu_t *)0)->mem_start) == 8,
               "generated code: window base and start (64-bit)");
_Static_assert(sizeof(((rv_cpu_t *)0)->instret) == 8 && sizeof(((rv_cpu_t *)0)->cause) == 8 &&
                   sizeof(((rv_cpu_t *)0)->tval) == 8,
               "generated code: instret, cause, tval (64-bit)");
_Static_assert(sizeof(((rv_cpu_t *)0)->mstatus) == 8 && sizeof(((rv_cpu_t *)0)->page_flags) == 8,
               "generated code: mstatus, page_flags (64-bit)");
_Static_assert(sizeof(((rv_cpu_t *)0)->limit) == 8 && sizeof(((rv_cpu_t *)0)->win_chk) == 8,
               "generated code: limit and win_chk (64-bit compares)");
_Static_assert(sizeof(((rv_cpu_t *)0)->tlb_ld_off) == 8 && sizeof(((rv_cpu_t *)0)->tlb_st_off) == 8,
               "generated code: inline TLB set offsets (64-bit adds)");
_Static_assert(sizeof(rv_tlb_fast_t) == 16 && offsetof(rv_tlb_fast_t, vtag) == 0 &&
                   offsetof(rv_tlb_fast_t, addend) == 8 &&
                   sizeof(((rv_tlb_fast_t *)0)->vtag) == 8 &&
                   sizeof(((rv_tlb_fast_t *)0)->addend) == 8,
               "generated code: inline TLB entries are {vtag at 0, addend at 8}, 16 bytes");
/* The inline TLB index, in line: ecx = rorx(eax, 8) & ((RV_TLB_SIZE - 1) << 4), the entry's
 * byte offset (va bits 12 and up from the low 32 bits of the address, scaled by 16), an imm32
 * mask; the fetch TLB's likewise ((va >> 12) & (RV_TLB_SIZE - 1), scaled by 16). The tables
 * are 1024 entries (src/riscv/cpu.h), the site slots sit before each table's entries. */
_Static_assert(RV_PAGE_SHIFT == 12 && (RV_TLB_SIZE & (RV_TLB_SIZE - 1)) == 0 &&
                   RV_TLB_SIZE <= (1u << 20) && sizeof(rv_tlb_entry_t) == 16,
               "generated code: inline TLB index (va >> 12) & (RV_TLB_SIZE - 1) from the low 32 "
               "address bits, scaled by 16");
_Static_assert(sizeof(((rv_tlbf_table_t *)0)->ent) == RV_TLB_SIZE * sizeof(rv_tlb_fast_t) &&
                   offsetof(rv_tlbf_table_t, ent) == RV_SITE_SLOTS * sizeof(rv_tlb_fast_t) &&
                   sizeof(rv_tlbf_table_t) == (RV_SITE_SLOTS + RV_TLB_SIZE) * sizeof(rv_tlb_fast_t),
               "generated code: an inline-TLB table is its site slots, then its entries");
_Static_assert(offsetof(rv_cpu_t, tlb_st_off) < 0x7fffffff, "disp32 reach of the TLB fields");
_Static_assert(sizeof(((rv_cpu_t *)0)->tlb_fetch_low) == 8 && sizeof(rv_tlb_entry_t) == 16 &&
                   offsetof(rv_tlb_entry_t, tag) == 0 && offsetof(rv_tlb_entry_t, ppn) == 8 &&
                   offsetof(rv_cpu_t, tlb) < 0x7fffffff,
               "generated code: fetch-TLB entries {tag at 0, ppn at 8} and the tag's low bits");
_Static_assert(sizeof(((rv_cpu_t *)0)->engine_status) == 4,
               "generated code: engine_status (32-bit load)");
_Static_assert(offsetof(rv_cpu_t, engine_status) < 0x7fffffff, "disp32 reach");
