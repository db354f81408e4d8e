/* interp.c - the interpreter: runs decoded blocks with computed-goto dispatch.
 *
 * exec_interp() looks up (or builds) the block at pc, adds its instruction count to instret
 * up front, and jumps from op to op through a label table generated from insns.def. Control
 * flow ends a block; the next one is found through the previous block's two-entry successor
 * cache, then the hash table. Every block boundary checks interrupt_request and the limit;
 * traps go back to the run loop (run.c), which owns trap handling for every engine.
 * The handlers of all instructions but control flow come from semantics.def (shared with the
 * single-instruction executor exec1.c) through the handler classes of semantics.h.
 *
 * Precision: every memory access first stores its pc to cpu->pc, registers live only in
 * cpu->x/cpu->f, so any trap (or a host fault unwinding from a signal handler) sees exact
 * state. A trap subtracts the instructions of the block that did not retire; an access that
 * leaves the fast paths (devices) sees instret counting up to its own instruction.
 *
 * Memory: [mem_start, mem_start + mem_size) is a plain host access (memcpy, so misaligned
 * accesses just work); the rest goes to cpu->mem_slow. Stores into pages flagged in
 * cpu->page_flags call rv_store_hook (code pages: flush the decode cache; watched pages: the
 * owner's callback, e.g. HTIF tohost).
 *
 * LR/SC: a reservation is (address, value seen by LR). SC does a compare-exchange against
 * that value, so SC succeeds if the word holds the same value again even when another hart
 * wrote it in between (the ABA caveat); it fails when the value differs, the address differs,
 * or no reservation is held. Traps and SC itself clear the reservation.
 */
#include <string.h>

#include "exec/icache.h"
#include "riscv/cpu.h"
#include "riscv/fpu.h"
#include "riscv/mmu.h"
#include "riscv/semantics.h"

/* Slow path of a store that hit a flagged page (after the store was done). */
__attribute__((noinline)) int rv_store_hook(rv_cpu_t *cpu, uint64_t addr, unsigned len) {
    uint64_t o = addr - cpu->mem_start;
    uint8_t f =
        cpu->page_flags[o >> RV_PAGE_SHIFT] | cpu->page_flags[(o + len - 1) >> RV_PAGE_SHIFT];
    int r = RV_HOOK_NONE;
    if ((f & RV_PAGE_WATCH) && cpu->watch_store && cpu->watch_store(cpu->env, addr, len))
        r = RV_HOOK_HALT;
    if ((f & RV_PAGE_CODE) && rv_cpu_store_hits_code(cpu, addr, len)) {
        /* the run loop drops the page's code (every hart's, with peers) before any block
         * runs again: rv_cpu_code_written kicks, and the caller leaves its block */
        uint64_t p0 = addr >> RV_PAGE_SHIFT, p1 = (addr + len - 1) >> RV_PAGE_SHIFT;
        rv_cpu_code_written(cpu, p0);
        if (p1 != p0) rv_cpu_code_written(cpu, p1);
        if (r == RV_HOOK_NONE) r = RV_HOOK_FLUSHED;
    }
    return r;
}

void exec_interp_fault_fixup(rv_cpu_t *cpu) {
    /* cpu->pc is the faulting instruction. Give back the instructions of the current block
     * from the faulting one on. */
    rv_block_t *b = cpu->cur_block;
    if (cpu->fetching) {
        cpu->fetching = false;
    } else if (b && cpu->pc >= b->pc && cpu->pc < b->end) {
        for (uint32_t i = 0; i < b->n; i++)
            if (b->pc + b->ops[i].off == cpu->pc) {
                cpu->instret -= b->n - i;
                break;
            }
    }
    cpu->cur_block = NULL;
}

/* A load or store off the fast paths (MMIO, a TLB miss, a fault) of op in block b. The block's
 * count was added to instret at its start; the slow path sees it exact instead, counting the
 * instructions up to this one, as the JIT's helpers and CSR instructions (which end blocks) show
 * it: a device that reads the clock (the CLINT's mtime, the RTC), which deterministic time
 * derives from instret, then reads the same value under both engines. */
__attribute__((noinline)) static bool interp_mem_slow(rv_cpu_t *cpu, const rv_block_t *b,
                                                      const rv_op_t *op, uint64_t addr, void *buf,
                                                      unsigned len, rv_access_t type) {
    uint64_t ahead = b->n - (uint32_t)(op - b->ops) - 1;
    cpu->instret -= ahead;
    bool ok = rv_mem_slow(cpu, addr, buf, len, type);
    cpu->instret += ahead;
    return ok;
}

/* The handler environment of semantics.h (see there): labels in one function, jumping from
 * op to op. */
#define OPPC        (bpc + op->off)
#define NEXT        RV_GOTO(disp[(++op)->id])
#define LABEL(name) L_##name:
#define END_BLOCK                                                                                  \
    do {                                                                                           \
        pc = OPPC + op->len;                                                                       \
        goto end_block;                                                                            \
    } while (0)
#define AT_PC()                     (cpu->pc = OPPC)
#define MEM_SLOW(a, buf, len, type) interp_mem_slow(cpu, blk, op, (a), (buf), (len), (type))
#define STORE_HOOK(a, len)                                                                         \
    do {                                                                                           \
        hook = rv_store_hook(cpu, (a), (len));                                                     \
        if (hook) goto store_hooked;                                                               \
    } while (0)
#define HALT_AFTER_STORE()                                                                         \
    do {                                                                                           \
        hook = RV_HOOK_HALT;                                                                       \
        goto store_hooked;                                                                         \
    } while (0)
#define CODE_AFTER_STORE()                                                                         \
    do {                                                                                           \
        hook = RV_HOOK_FLUSHED;                                                                    \
        goto store_hooked;                                                                         \
    } while (0)

/* Conditional branch. */
#define BRANCH(name, cond)                                                                         \
    LABEL(name) {                                                                                  \
        pc = (cond) ? OPPC + IMM : OPPC + op->len;                                                 \
        goto end_block;                                                                            \
    }

int exec_interp(rv_cpu_t *cpu) {
    static const void *const disp[RV_I_COUNT] = {
#define RV_INSN(name, ...) [RV_I_##name] = RV_LABEL_ADDR(L_##name),
#include "riscv/insns.def"
#undef RV_INSN
        [RV_I_illegal] = RV_LABEL_ADDR(L_illegal),
        [RV_I_fetch_fault] = RV_LABEL_ADDR(L_fetch_fault),
        [RV_I_fallthrough] = RV_LABEL_ADDR(L_fallthrough),
        [RV_I_nop] = RV_LABEL_ADDR(L_nop),
    };
    uint64_t *const x = cpu->x;
    uint64_t *const f = cpu->f;
    uint64_t pc = cpu->pc;
    /* 1 while fetch translates. Constant for this call: a change of cpu->xlate kicks the
     * hart (rv_mmu_update), and the next block boundary returns before any link is used. */
    const uint64_t xtag = cpu->xlate;
    /* a run that continues where the last one's budget ended starts from that block's
     * successor links (they are keyed by pc, so any block would be correct there) */
    rv_block_t *blk = NULL, *prev = cpu->icache->last;
    cpu->icache->last = NULL;
    const rv_op_t *op;
    uint64_t bpc;
    uint8_t *mbase;
    uint64_t mstart, msize;
    uint8_t *pflags;
    int hook;

next_block:
    cpu->pc = pc;
    if (RV_UNLIKELY(cpu->instret >= atomic_load_explicit(&cpu->limit, memory_order_relaxed))) {
        cpu->cur_block = NULL;
        cpu->icache->last = prev;
        return EXEC_CONTINUE; /* the run loop tells a budget from a stop request or a kick */
    }
    /* Successor links first (not counted: a counter here costs ~8% on branchy code). A link
     * made while fetch translates is tagged (pc | 1; pcs are even) and only followed then,
     * after the check of a block found by the hash (rv_block_valid: the successor may be code
     * of another mapping or privilege). Untagged links are followed only while nothing
     * translates, where every block found was fetched from pa == va: there the check is one
     * load (ident, rv_block_valid's answer then), which a block dropped with its page
     * (exec_invalidate_page) fails. */
    uint64_t key = pc | xtag;
    if (RV_LIKELY(prev != NULL) && prev->succ_pc[0] == key && prev->succ[0] &&
        (xtag ? rv_block_valid(cpu, prev->succ[0]) : prev->succ[0]->ident)) {
        blk = prev->succ[0];
    } else if (prev && prev->succ_pc[1] == key && prev->succ[1] &&
               (xtag ? rv_block_valid(cpu, prev->succ[1]) : prev->succ[1]->ident)) {
        blk = prev->succ[1];
    } else {
        uint64_t flushes_ = cpu->stats.flushes;
        blk = rv_icache_get(cpu, pc);
        /* Building a block may have flushed the cache, which killed `prev`. */
        if (prev && flushes_ == cpu->stats.flushes) {
            int slot = prev->succ[0] ? 1 : 0;
            prev->succ[slot] = blk;
            prev->succ_pc[slot] = key;
        }
    }
    cpu->cur_block = blk;
    cpu->instret += blk->n;
    bpc = blk->pc;
    op = blk->ops;
    mbase = cpu->mem_base;
    mstart = cpu->mem_start;
    msize = cpu->mem_size;
    pflags = cpu->page_flags;
    RV_GOTO(disp[op->id]);

end_block:
    prev = blk;
    goto next_block;

    /* ---- control flow and system (the rest is in semantics.def) ---- */
    LABEL(jal) {
        uint64_t t_ = OPPC + IMM;
        RD = OPPC + op->len;
        x[0] = 0;
        pc = t_;
        goto end_block;
    }
    LABEL(jalr) {
        uint64_t t_ = (RS1 + IMM) & ~1ull;
        RD = OPPC + op->len;
        x[0] = 0;
        pc = t_;
        goto end_block;
    }
    BRANCH(beq, RS1 == RS2)
    BRANCH(bne, RS1 != RS2)
    BRANCH(blt, (int64_t)RS1 < (int64_t)RS2)
    BRANCH(bge, (int64_t)RS1 >= (int64_t)RS2)
    BRANCH(bltu, RS1 < RS2)
    BRANCH(bgeu, RS1 >= RS2)
    LABEL(fence_i) {
        if (exec_fence_i_flushes(cpu)) exec_flush(cpu);
        pc = OPPC + op->len;
        prev = NULL;
        goto next_block;
    }
    LABEL(ecall) {
        cpu->pc = OPPC;
        cpu->cause = rv_ecall_cause(cpu);
        cpu->tval = 0;
        goto trap;
    }
    LABEL(ebreak) {
        cpu->pc = OPPC;
        cpu->cause = RV_CAUSE_BREAKPOINT;
        cpu->tval = OPPC;
        goto trap;
    }
    LABEL(mret) {
        if (!rv_mret(cpu)) goto illegal;
        pc = cpu->mepc;
        prev = NULL;
        goto next_block;
    }
    LABEL(sret) {
        if (!rv_sret(cpu)) goto illegal;
        pc = cpu->sepc;
        prev = NULL;
        goto next_block;
    }
    LABEL(sfence_vma) {
        if (!rv_sfence_vma(cpu, op->rs1 != 0, RS1, op->rs2 != 0, RS2, true)) goto illegal;
        pc = OPPC + op->len;
        goto end_block;
    }
    LABEL(wfi) {
        if (cpu->priv == RV_PRIV_U || (cpu->priv == RV_PRIV_S && (cpu->mstatus & RV_MSTATUS_TW)))
            goto illegal;
        cpu->pc = OPPC + op->len; /* the run loop waits for an interrupt */
        cpu->cur_block = NULL;
        return EXEC_WFI;
    }

    /* ---- everything else ---- */
#include "riscv/semantics.def"

    /* ---- pseudo-ops ---- */
L_nop:
    NEXT;
L_fallthrough:
    pc = OPPC;
    goto end_block;
L_fetch_fault:
    cpu->pc = OPPC;
    cpu->cause = op->rd;
    cpu->tval = OPPC + IMM;
    goto trap;
L_illegal:
illegal:
    cpu->pc = OPPC;
    cpu->cause = RV_CAUSE_ILLEGAL_INSN;
    cpu->tval = op->id == RV_I_illegal ? (uint32_t)op->imm : rv_icache_insn_bits(cpu, cpu->pc);
    goto trap;

store_hooked:
    /* A store hit a flagged page or wrote code: the block may be stale, so leave it (the
     * written code's pages are dropped by the run loop, which the kick of
     * rv_cpu_code_written returns to at the next block boundary). */
    cpu->instret -= blk->n - (uint32_t)(op - blk->ops) - 1;
    pc = OPPC + op->len;
    prev = NULL;
    if (hook == RV_HOOK_HALT) {
        cpu->pc = pc;
        cpu->cur_block = NULL;
        return EXEC_HALT;
    }
    goto next_block;

trap:
    /* cpu->pc, cause and tval are set; this and the following instructions did not retire.
     * The run loop counts the trap and takes it (or hands it to the owner). */
    cpu->instret -= blk->n - (uint32_t)(op - blk->ops);
    cpu->cur_block = NULL;
    return EXEC_TRAP;
}
