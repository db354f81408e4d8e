/* run.c - the one run loop of a hart, the engine registry and the hart's execution state.
 *
 * exec_run() sets the budget (cpu->limit, which both engines compare instret against and
 * which rv_cpu_interrupt zeroes, so one compare serves budget and interrupts) and then loops:
 * check the interrupt and halt requests and the budget; let the hart's translating engine run
 * the code it has for cpu->pc; where it has none (cold or untranslatable code) or there is no
 * engine, let the interpreter run. Whatever runs comes back with an enum exec_result, and only
 * this loop acts on it: a pending trap goes to the owner's trap hook, which may end the run
 * (user mode: system calls and signals are the Linux layer's), or else to rv_trap_enter(), the
 * one architectural trap entry. A trap retires nothing, so each one taken costs one unit of
 * budget: a trap loop (say a fetch fault at mtvec) still ends the run.
 *
 * Host faults (user mode): with catch_host_faults, a sigsetjmp in exec_run catches the
 * rv_cpu_host_fault() unwind from a SIGSEGV handler. The interpreter's state is fixed up here;
 * a translating engine fixes its own in its host_fault callback before the unwind. The fault
 * is then an ordinary pending trap.
 *
 * Engines register by name (exec_register_engine); this layer never includes one, so the
 * build's layering (src/jit above src/exec) holds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "exec/exec.h"
#include "riscv/mmu.h"
#include "exec/icache.h"

#define MAX_ENGINES 4

static const exec_engine_t *_Atomic engines[MAX_ENGINES];

void exec_register_engine(const exec_engine_t *engine) {
    for (unsigned i = 0; i < MAX_ENGINES; i++) {
        const exec_engine_t *none = NULL;
        if (atomic_load(&engines[i]) == engine) return;
        if (atomic_compare_exchange_strong(&engines[i], &none, engine)) return;
    }
}

const exec_engine_t *exec_find_engine(const char *name) {
    for (unsigned i = 0; i < MAX_ENGINES; i++) {
        const exec_engine_t *e = atomic_load(&engines[i]);
        if (e && name && strcmp(e->name, name) == 0) return e;
    }
    return NULL;
}

int exec_set_engine(rv_cpu_t *cpu, const exec_engine_t *engine, const exec_options_t *opt) {
    if (cpu->engine) {
        cpu->engine->detach(cpu);
        cpu->engine = NULL;
        cpu->engine_state = NULL;
        cpu->engine_fast = NULL;
    }
    if (!engine) return 0;
    if (!engine->supported()) return -ENOTSUP;
    exec_options_t none = {0};
    int rc = engine->attach(cpu, opt ? opt : &none);
    if (rc == 0) cpu->engine = engine;
    return rc;
}

int exec_trap_stop(void *env, rv_cpu_t *cpu) {
    (void)env;
    switch (cpu->cause) {
    case RV_CAUSE_ECALL_U:
    case RV_CAUSE_ECALL_S:
    case RV_CAUSE_ECALL_M: return EXEC_STOP_ECALL;
    case RV_CAUSE_BREAKPOINT: return EXEC_STOP_EBREAK;
    default: return EXEC_STOP_EXCEPTION;
    }
}

/* Zeroed pages of their own for the decode cache's hash table and arena: untouched parts
 * stay unbacked, so a hart that decodes little (a guest thread that mostly waits) costs a
 * few pages, not the 2 MiB table and the 16 MiB (or larger) arena. */
static void *map_zeroed(size_t len) {
    void *p =
        mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

int exec_hart_init(rv_cpu_t *cpu, const exec_options_t *opt) {
    rv_cpu_reset(cpu);
    cpu->icache = map_zeroed(sizeof(*cpu->icache));
    if (!cpu->icache) return -ENOMEM;
    cpu->icache->hash_mask = RV_ICACHE_HASH0 - 1;
    size_t arena = opt && opt->decode_bytes ? opt->decode_bytes : RV_ICACHE_ARENA;
    cpu->icache->arena_size = arena;
    cpu->icache->arena = map_zeroed(arena);
    /* a machine that runs a whole system keeps a large arena busy (blocks live until their
     * page is written): huge pages keep its lookups' host TLB misses down */
    if (cpu->icache->arena && arena >= (64u << 20))
        (void)madvise(cpu->icache->arena, arena, MADV_HUGEPAGE);
    if (!cpu->icache->arena) {
        munmap(cpu->icache, sizeof(*cpu->icache));
        cpu->icache = NULL;
        return -ENOMEM;
    }
    cpu->code_lo = UINT64_MAX;
    if (!opt || !opt->engine || strcmp(opt->engine, "interp") == 0) return 0;
    const exec_engine_t *e = exec_find_engine(opt->engine);
    int rc = e ? exec_set_engine(cpu, e, opt) : -ENOENT;
    if (rc == 0) return 0;
    if (opt->strict) {
        exec_hart_destroy(cpu);
        return rc;
    }
    static _Atomic int warned;
    if (!atomic_exchange(&warned, 1))
        fprintf(stderr, "vm: the %s engine is unavailable (%s); using the interpreter\n",
                opt->engine, rc == -ENOENT ? "not built in" : strerror(-rc));
    return 0;
}

void exec_hart_destroy(rv_cpu_t *cpu) {
    exec_set_engine(cpu, NULL, NULL);
    free(cpu->code_pages);
    cpu->code_pages = NULL;
    if (cpu->icache) {
        free(cpu->icache->pages);
        munmap(cpu->icache->arena, cpu->icache->arena_size);
        munmap(cpu->icache, sizeof(*cpu->icache));
    }
    cpu->icache = NULL;
}

const char *exec_engine_name(const rv_cpu_t *cpu) {
    return cpu->engine ? cpu->engine->name : "interp";
}

int exec_after_fork(rv_cpu_t *cpu) {
    if (!cpu->engine) return 0;
    int rc = cpu->engine->after_fork(cpu);
    if (rc) {
        /* no code cache in this process: the interpreter runs it */
        cpu->engine = NULL;
        cpu->engine_state = NULL;
        cpu->engine_fast = NULL;
    }
    return rc;
}

bool exec_host_fault(rv_cpu_t *cpu, uintptr_t host_pc, const long long *gregs) {
    return cpu->engine && cpu->engine->host_fault(cpu, host_pc, gregs);
}

/* A pending trap: offer it to the owner, count it, else take it. Returns 0 to go on or the
 * owner's stop code. */
static int trap(rv_cpu_t *cpu) {
    cpu->resv_valid = false;
    int stop = cpu->trap_hook ? cpu->trap_hook(cpu->env, cpu) : 0;
    if (stop == RV_TRAP_HANDLED) return 0;
    if (cpu->cause < RV_CAUSE_COUNT) cpu->stats.traps[cpu->cause]++;
    if (stop) return stop;
    rv_trap_enter(cpu, cpu->cause, cpu->tval, false);
    /* a trap retires nothing: charge it to the budget so that trap loops still end (the
     * loop brings cpu->limit in line at its next turn) */
    if (cpu->budget_end > 0) cpu->budget_end--;
    return 0;
}

/* The loop proper (exec_run holds the host-fault catcher around it). */
static int run_loop(rv_cpu_t *cpu) {
    const exec_engine_t *eng = cpu->engine;
    for (;;) {
        if (RV_UNLIKELY(atomic_load_explicit(&cpu->interrupt_request, memory_order_relaxed)))
            return atomic_load_explicit(&cpu->halt_request, memory_order_relaxed)
                       ? EXEC_STOP_HALT
                       : EXEC_STOP_INTERRUPT;
        if (cpu->instret >= cpu->budget_end) return EXEC_STOP_BUDGET;
        if (RV_UNLIKELY(__atomic_load_n(&cpu->code_ctx, __ATOMIC_RELAXED) != cpu->code_ctx_seen)) {
            /* a store (this hart's, another's, a device's) wrote decoded code: the code of the
             * pages written goes (no block of this hart runs now), the rest stays */
            cpu->code_ctx_seen = __atomic_load_n(&cpu->code_ctx, __ATOMIC_SEQ_CST);
            exec_drop_written(cpu);
        }
        if (RV_UNLIKELY(atomic_load_explicit(&cpu->code_tlb_req, memory_order_relaxed))) {
            /* another hart decoded code on a page: stores there must see the flag (looked at
             * every turn, since the kick that came with the request may be overwritten) */
            exec_code_tlb_drain(cpu);
        }
        uint64_t l = atomic_load_explicit(&cpu->limit, memory_order_relaxed);
        if (RV_UNLIKELY(l != cpu->budget_end)) {
            /* zeroed by a kick or a stop request, or lowered by a trap: restore it, then look
             * at the requests again (one arriving after this store zeroes it anew) */
            atomic_compare_exchange_strong_explicit(&cpu->limit, &l, cpu->budget_end,
                                                    memory_order_relaxed, memory_order_relaxed);
            continue;
        }
        if (RV_UNLIKELY(cpu->mip & cpu->mie)) {
            int irq = rv_interrupt_pending(cpu);
            if (irq >= 0) {
                rv_trap_enter(cpu, (uint64_t)irq, 0, true);
                cpu->stats.interrupts++;
                continue;
            }
        }
        int r;
        if (eng) {
            r = eng->run(cpu);
            if (r == EXEC_INTERP) {
                /* one block: the limit is the interpreter's only check. A stop request or a
                 * kick that this store or the next one overwrites is still seen: this loop
                 * looks at interrupt_request and mip itself at every turn. */
                atomic_store_explicit(&cpu->limit, cpu->instret + 1, memory_order_relaxed);
                r = exec_interp(cpu);
                atomic_store_explicit(&cpu->limit, cpu->budget_end, memory_order_relaxed);
            }
            eng = cpu->engine; /* after a fork, a child without a code cache drops it */
        } else {
            r = exec_interp(cpu);
        }
        switch (r) {
        case EXEC_CONTINUE: break;
        case EXEC_TRAP: {
            int stop = trap(cpu);
            if (stop) return stop;
            break;
        }
        case EXEC_FLUSH:
            if (exec_fence_i_flushes(cpu)) exec_flush(cpu);
            break;
        case EXEC_HALT: return EXEC_STOP_HALT;
        case EXEC_WFI:
            /* nothing to take yet: the owner may sleep until a source sets mip */
            if (cpu->wait && rv_interrupt_pending(cpu) < 0) {
                cpu->stats.waits++;
                cpu->wait(cpu->env, cpu);
            }
            break;
        default: break;
        }
    }
}

int exec_run(rv_cpu_t *cpu, uint64_t budget) {
    uint64_t end = cpu->instret + budget < cpu->instret ? UINT64_MAX : cpu->instret + budget;
    cpu->budget_end = end;
    /* a stop request from now on zeroes the limit; one made before is seen by the loop's
     * first check of interrupt_request */
    atomic_store_explicit(&cpu->limit, end, memory_order_relaxed);
    cpu->win_chk = cpu->mem_size >= 8 ? cpu->mem_size - 7 : 0;
    if (cpu->catch_host_faults && sigsetjmp(cpu->fault_jmp, 0)) {
        /* unwound from a host fault: in the interpreter (fixed here), in translated code (the
         * engine fixed it) or in a helper (state already exact) */
        exec_interp_fault_fixup(cpu);
        int stop = trap(cpu);
        if (stop) return stop;
    }
    return run_loop(cpu);
}

void exec_end_run(rv_cpu_t *cpu) {
    cpu->budget_end = cpu->instret; /* the loop's budget check ends the run */
}

void exec_print_stats(const rv_cpu_t *cpu, FILE *f, double seconds) {
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
    fprintf(f,
            "stats: code pages dropped    %llu (stores into code; %llu decoded blocks with them)\n",
            (unsigned long long)s->page_drops, (unsigned long long)s->blocks_dropped);
    if (s->interrupts || s->waits)
        fprintf(f, "stats: interrupts taken      %llu (wfi sleeps %llu)\n",
                (unsigned long long)s->interrupts, (unsigned long long)s->waits);
    for (unsigned c = 0; c < RV_CAUSE_COUNT; c++)
        if (s->traps[c])
            fprintf(f, "stats: traps: %-28s %llu\n", rv_cause_name(c),
                    (unsigned long long)s->traps[c]);
    if (cpu->engine) cpu->engine->print_stats(cpu, f);
}
