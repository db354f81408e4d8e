/* jit.h - the translation engine's interface to the rest of vm (private to src/).
 *
 * A hart runs under the JIT when cpu->jit is set (rv_cpu_enable_jit). rv_run() then hands over
 * to jit_run(), which translates hot guest blocks to host code and runs them, and falls back
 * to the interpreter, one decoded block at a time, for code that is cold or that the backend
 * does not translate. Both engines share the architectural state in rv_cpu_t, so control
 * moves between them at any block boundary. Each hart owns its code cache (see
 * docs/architecture.md, "JIT"), so translation, chaining and flushing need no locks.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

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
} jit_stats_t;

/* True when this host has a JIT backend (x86-64). */
bool jit_supported(void);

/* Give `cpu` a JIT (code cache of `cache_bytes`, 0 = default). Returns 0 or -errno. */
int jit_attach(rv_cpu_t *cpu, size_t cache_bytes);

/* Free the hart's JIT (cpu->jit = NULL). */
void jit_detach(rv_cpu_t *cpu);

/* Run like rv_run() with translated code. */
int jit_run(rv_cpu_t *cpu, uint64_t budget);

/* Drop every translation (called by rv_cpu_flush_icache). */
void jit_flush(rv_cpu_t *cpu);

/* In a forked child: the code cache mapping is not inherited; make a fresh one. */
int jit_after_fork(rv_cpu_t *cpu);

/* From a host SIGSEGV/SIGBUS handler: if the faulting host pc `host_pc` is inside translated
 * code of `cpu`, write the guest registers held in host registers (`gregs`, the ucontext
 * register array) back to cpu->x and set cpu->pc and cpu->instret to the faulting guest
 * instruction. Returns true when the fault was in translated code. */
bool jit_host_fault(rv_cpu_t *cpu, uintptr_t host_pc, const long long *gregs);

/* Print the JIT counters. */
void jit_print_stats(const rv_cpu_t *cpu, FILE *out);

/* Options read from the environment once (VM_JIT_THRESHOLD, VM_JIT_PERF_MAP, VM_JIT_DUMP). */
typedef struct jit_options {
    unsigned threshold; /* interpreter executions of a block before it is translated */
    bool perf_map;      /* append translated blocks to /tmp/perf-<pid>.map */
    bool dump;          /* print guest and host code of each translated block to stderr */
    bool no_chain;      /* never patch direct jumps (every block exit returns) */
    bool enabled;       /* new harts get a JIT (vm run --engine=jit) */
} jit_options_t;

/* Give `cpu` a JIT when jit_options.enabled; on failure warn once and leave it to the
 * interpreter. */
void jit_attach_default(rv_cpu_t *cpu);

/* The process-wide JIT options (set by the CLI before harts start). */
extern jit_options_t jit_options;
