/* jit.h - the translation engine's interface to the rest of vm (private to src/).
 *
 * The JIT is an engine behind the run loop's interface (exec_engine_t in src/exec/exec.h):
 * the loop asks it to run the code it has for cpu->pc, and it hands cold or untranslatable
 * blocks back to the interpreter. Both share the architectural state in rv_cpu_t, so control
 * moves between them at any block boundary. Each hart owns its code cache (see
 * docs/architecture.md, "JIT"), so translation, chaining and flushing need no locks. Only the
 * machine layer, which composes machines from parts, names this header.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "exec/exec.h"
#include "riscv/cpu.h"

/* Counters of one hart's JIT (printed by --stats). */
typedef struct jit_stats {
    uint64_t blocks;          /* blocks translated */
    uint64_t guest_insns;     /* guest instructions translated */
    uint64_t host_bytes;      /* host code bytes emitted */
    uint64_t translate_ns;    /* time spent translating */
    uint64_t flushes;         /* code-cache flushes (full cache, fence.i, code changes) */
    uint64_t chains;          /* direct jumps patched to their target block */
    uint64_t entries;         /* entries from the dispatcher into translated code */
    uint64_t exit_lookup;     /* exits to look up a block (chain misses, indirect misses) */
    uint64_t exit_trap;       /* exits for ecall, ebreak and faults */
    uint64_t exit_interp;     /* exits to let the interpreter run one block */
    uint64_t exit_other;      /* exits for fence.i, store hooks, interrupts and the budget */
    uint64_t interp_blocks;   /* blocks run by the interpreter (cold or not translatable) */
    uint64_t untranslatable;  /* block starts the backend refused */
    uint64_t helper_calls_tr; /* translated instructions that call an out-of-line helper */
    uint64_t ras_hits;        /* returns whose pc the return-address stack predicted */
    uint64_t ras_misses;      /* returns it did not (they took the hashed table) */
    uint64_t xras_hits;       /* xmode returns the xmode stack predicted, page guard passed */
    uint64_t xras_misses;     /* xmode returns it did not (pc or guard: the jump check) */
    uint64_t fp_inline;       /* FP instructions run by their in-line code (counting on) */
    uint64_t fp_slow;         /* of those, the ones its checks sent to the helper */
    uint64_t ir_blocks;       /* blocks translated through the IR */
    uint64_t ir_insns;        /* guest instructions in them */
    uint64_t ir_declined;     /* superblocks the IR did not cover (the old path took them) */
    uint64_t ir_spills;       /* IR values given a spill slot */
    uint64_t ir_copies;       /* copies inserted to keep pinned registers current */
    uint64_t ir_loops;        /* IR translations whose back edge stays inside (a loop) */
    uint64_t ir_mapped;       /* IR translations with a register map of their own (pinned
                                 registers they do not write given to the allocator) */
    uint64_t ir_evicted;      /* pinned registers so given, summed over those translations */
    uint64_t ir_merged;       /* IR nodes value numbering made copies of earlier ones */
    uint64_t ir_sext_loops;   /* IR loops that take head values as sign-extended (checked at
                                 their entry) */
    uint64_t ir_sext_regs;    /* registers so checked, summed over those translations */
    uint64_t ir_sunk;         /* IR values computed only in the exits that read them */
    uint64_t tier_ups;        /* old-path translations retranslated through the IR once hot
                                 (tiered mode), the new one put in every way into the old */
    uint64_t tier_declined;   /* hot ones the IR did not cover (their counter turned off) */
    uint64_t drops;           /* translations dropped with the code of a written page */
    uint64_t unlinks;         /* chained jumps into them pointed back at their exits */
    uint64_t sb_taken;        /* translations whose path follows the taken side of a branch
                                 whose fall-through side never ran (translate.c, follow_taken) */
} jit_stats_t;

/* The JIT as an engine of the run loop (src/exec): the machine layer registers it with
 * exec_register_engine(&jit_engine), and harts get it by name ("jit"). Its supported() is
 * false on hosts without a backend (x86-64 only for now). */
extern const exec_engine_t jit_engine;
