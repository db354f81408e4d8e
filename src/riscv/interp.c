/* interp.c - the interpreter: runs decoded blocks with computed-goto dispatch.
 *
 * rv_run() looks up (or builds) the block at pc, adds its instruction count to instret up
 * front, and jumps from op to op through a label table generated from insns.def. Control
 * flow ends a block; the next one is found through the previous block's two-entry successor
 * cache, then the hash table. Every block boundary checks interrupt_request and the budget.
 *
 * Precision: every memory access first stores its pc to cpu->pc, registers live only in
 * cpu->x/cpu->f, so any trap (or a host fault unwinding from a signal handler) sees exact
 * state. A trap subtracts the instructions of the block that did not retire.
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

#include "jit/jit.h"
#include "riscv/cpu.h"
#include "riscv/fpu.h"
#include "riscv/icache.h"

/* Slow path of a store that hit a flagged page (after the store was done). */
__attribute__((noinline)) int rv_store_hook(rv_cpu_t *cpu, uint64_t addr, unsigned len) {
    uint64_t o = addr - cpu->mem_start;
    uint8_t f =
        cpu->page_flags[o >> RV_PAGE_SHIFT] | cpu->page_flags[(o + len - 1) >> RV_PAGE_SHIFT];
    int r = RV_HOOK_NONE;
    if ((f & RV_PAGE_WATCH) && cpu->watch_store && cpu->watch_store(cpu->env, addr, len))
        r = RV_HOOK_HALT;
    if ((f & RV_PAGE_CODE) && rv_cpu_store_hits_code(cpu, addr, len)) {
        rv_cpu_flush_icache(cpu);
        if (r == RV_HOOK_NONE) r = RV_HOOK_FLUSHED;
    }
    return r;
}

/* Slow path of a load or store outside the window; false = access fault (cause/tval set). */
static __attribute__((noinline)) bool rv_mem_slow(rv_cpu_t *cpu, uint64_t addr, void *buf,
                                                  unsigned len, bool write) {
    if (cpu->mem_slow && cpu->mem_slow(cpu->env, addr, buf, len, write) == 0) return true;
    cpu->cause = write ? RV_CAUSE_STORE_ACCESS : RV_CAUSE_LOAD_ACCESS;
    cpu->tval = addr;
    return false;
}

static inline uint64_t sext32(uint64_t v) {
    return (uint64_t)(int64_t)(int32_t)v;
}

static inline uint64_t mulhu64(uint64_t a, uint64_t b) {
    return (uint64_t)(((unsigned __int128)a * b) >> 64);
}
static inline uint64_t mulh64(int64_t a, int64_t b) {
    return (uint64_t)(((__int128)a * b) >> 64);
}
static inline uint64_t mulhsu64(int64_t a, uint64_t b) {
    return (uint64_t)(((__int128)a * (__int128)(unsigned __int128)b) >> 64);
}
static inline uint64_t rol64(uint64_t v, unsigned s) {
    s &= 63;
    return s ? (v << s) | (v >> (64 - s)) : v;
}
static inline uint32_t rol32(uint32_t v, unsigned s) {
    s &= 31;
    return s ? (v << s) | (v >> (32 - s)) : v;
}
static inline uint64_t orc_b(uint64_t v) {
    uint64_t r = 0;
    for (int i = 0; i < 64; i += 8)
        if ((v >> i) & 0xff) r |= 0xffull << i;
    return r;
}

void rv_interp_fault_fixup(rv_cpu_t *cpu) {
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
    cpu->resv_valid = false;
    if (cpu->cause < RV_CAUSE_COUNT) cpu->stats.traps[cpu->cause]++;
}

int rv_run(rv_cpu_t *cpu, uint64_t budget) {
    if (cpu->jit) return jit_run(cpu, budget);
    if (cpu->catch_host_faults && sigsetjmp(cpu->fault_jmp, 0)) {
        rv_interp_fault_fixup(cpu);
        return RV_STOP_EXCEPTION;
    }
    return rv_interp_run(cpu, budget);
}

/* Register access in handlers. */
#define X(r) x[r]
#define RD   x[op->rd]
#define RS1  x[op->rs1]
#define RS2  x[op->rs2]
#define IMM  ((uint64_t)(int64_t)op->imm)
#define OPPC (bpc + op->off)
#define NEXT RV_GOTO(disp[(++op)->id])

/* Handler definition: LABEL(name) { body } then NEXT or a jump. */
#define LABEL(name) L_##name:

/* Plain integer ops: rd = expr. */
#define ALU(name, expr)                                                                            \
    LABEL(name) {                                                                                  \
        RD = (expr);                                                                               \
        NEXT;                                                                                      \
    }

/* Load of type T, extended to 64 bits through type E. */
#define LOAD(name, T, E)                                                                           \
    LABEL(name) {                                                                                  \
        uint64_t a_ = RS1 + IMM, o_ = a_ - mstart;                                                 \
        T v_;                                                                                      \
        cpu->pc = OPPC;                                                                            \
        if (RV_LIKELY(o_ < msize && msize - o_ >= sizeof(T)))                                      \
            memcpy(&v_, mbase + o_, sizeof(T));                                                    \
        else if (!rv_mem_slow(cpu, a_, &v_, sizeof(T), false))                                     \
            goto trap;                                                                             \
        RD = (uint64_t)(E)v_;                                                                      \
        x[0] = 0;                                                                                  \
        NEXT;                                                                                      \
    }

/* Store of the low bytes of `val` as type T. */
#define STORE(name, T, val)                                                                        \
    LABEL(name) {                                                                                  \
        uint64_t a_ = RS1 + IMM, o_ = a_ - mstart;                                                 \
        T v_ = (T)(val);                                                                           \
        cpu->pc = OPPC;                                                                            \
        if (RV_LIKELY(o_ < msize && msize - o_ >= sizeof(T))) {                                    \
            memcpy(mbase + o_, &v_, sizeof(T));                                                    \
            if (RV_UNLIKELY(pflags != NULL) &&                                                     \
                (pflags[o_ >> RV_PAGE_SHIFT] | pflags[(o_ + sizeof(T) - 1) >> RV_PAGE_SHIFT])) {   \
                hook = rv_store_hook(cpu, a_, sizeof(T));                                          \
                if (hook) goto store_hooked;                                                       \
            }                                                                                      \
        } else if (!rv_mem_slow(cpu, a_, &v_, sizeof(T), true))                                    \
            goto trap;                                                                             \
        NEXT;                                                                                      \
    }

/* Conditional branch. */
#define BRANCH(name, cond)                                                                         \
    LABEL(name) {                                                                                  \
        pc = (cond) ? OPPC + IMM : OPPC + op->len;                                                 \
        goto end_block;                                                                            \
    }

/* AMO address check: aligned and inside the window, else a precise fault. */
#define AMO_ADDR(T) AMO_ADDR_C(T, RV_CAUSE_STORE_MISALIGNED, RV_CAUSE_STORE_ACCESS)
/* The same with explicit causes (LR faults as a load). */
#define AMO_ADDR_C(T, misaligned, access)                                                          \
    uint64_t a_ = RS1, o_ = a_ - mstart;                                                           \
    cpu->pc = OPPC;                                                                                \
    if (RV_UNLIKELY(a_ & (sizeof(T) - 1))) {                                                       \
        cpu->cause = (misaligned);                                                                 \
        cpu->tval = a_;                                                                            \
        goto trap;                                                                                 \
    }                                                                                              \
    if (RV_UNLIKELY(!(o_ < msize && msize - o_ >= sizeof(T)))) {                                   \
        cpu->cause = (access);                                                                     \
        cpu->tval = a_;                                                                            \
        goto trap;                                                                                 \
    }                                                                                              \
    T *p_ = (T *)(void *)(mbase + o_);

/* Read-modify-write AMO with a host atomic builtin; 32-bit results are sign-extended. */
#define AMO(name, T, ST, fetch_op)                                                                 \
    LABEL(name) {                                                                                  \
        AMO_ADDR(T)                                                                                \
        T r_ = fetch_op(p_, (T)RS2, __ATOMIC_SEQ_CST);                                             \
        RD = (uint64_t)(int64_t)(ST)r_;                                                            \
        x[0] = 0;                                                                                  \
        NEXT;                                                                                      \
    }

/* min/max AMO through a compare-exchange loop. */
#define AMO_CMP(name, T, ST, CT, pick)                                                             \
    LABEL(name) {                                                                                  \
        AMO_ADDR(T)                                                                                \
        T old_ = __atomic_load_n(p_, __ATOMIC_RELAXED), b_ = (T)RS2, n_;                           \
        do {                                                                                       \
            n_ = ((CT)b_ pick(CT) old_) ? b_ : old_;                                               \
        } while (!__atomic_compare_exchange_n(p_, &old_, n_, true, __ATOMIC_SEQ_CST,               \
                                              __ATOMIC_RELAXED));                                  \
        RD = (uint64_t)(int64_t)(ST)old_;                                                          \
        x[0] = 0;                                                                                  \
        NEXT;                                                                                      \
    }

/* FP state check: illegal when mstatus.FS is Off (bare machine); otherwise mark it Dirty. */
#define FP_CHECK()                                                                                 \
    do {                                                                                           \
        if (RV_UNLIKELY((cpu->mstatus & RV_MSTATUS_FS) != RV_MSTATUS_FS)) {                        \
            if (!(cpu->mstatus & RV_MSTATUS_FS)) goto illegal;                                     \
            cpu->mstatus |= RV_MSTATUS_FS;                                                         \
        }                                                                                          \
    } while (0)

/* Resolve the rounding mode into `rm_` (illegal when dynamic and frm is invalid). */
#define FP_RM()                                                                                    \
    unsigned rm_ = op->rm;                                                                         \
    if (rm_ == RV_RM_DYN) {                                                                        \
        rm_ = cpu->frm;                                                                            \
        if (RV_UNLIKELY(rm_ > RV_RM_RMM)) goto illegal;                                            \
    }

#define FS1   rv_f32_unbox(f[op->rs1])
#define FS2   rv_f32_unbox(f[op->rs2])
#define FS3   rv_f32_unbox(f[op->rs3])
#define FD1   f[op->rs1]
#define FD2   f[op->rs2]
#define FD3   f[op->rs3]
#define FLAGS (&cpu->fflags)

/* FP op writing an f register: `expr` may use rm_. */
#define FOP_RM(name, expr)                                                                         \
    LABEL(name) {                                                                                  \
        FP_CHECK();                                                                                \
        FP_RM();                                                                                   \
        f[op->rd] = (expr);                                                                        \
        NEXT;                                                                                      \
    }
/* FP op without rounding writing an f register. */
#define FOP(name, expr)                                                                            \
    LABEL(name) {                                                                                  \
        FP_CHECK();                                                                                \
        f[op->rd] = (expr);                                                                        \
        NEXT;                                                                                      \
    }
/* FP op writing an x register, with rounding. */
#define FOPX_RM(name, expr)                                                                        \
    LABEL(name) {                                                                                  \
        FP_CHECK();                                                                                \
        FP_RM();                                                                                   \
        RD = (expr);                                                                               \
        x[0] = 0;                                                                                  \
        NEXT;                                                                                      \
    }
/* FP op writing an x register. */
#define FOPX(name, expr)                                                                           \
    LABEL(name) {                                                                                  \
        FP_CHECK();                                                                                \
        RD = (expr);                                                                               \
        x[0] = 0;                                                                                  \
        NEXT;                                                                                      \
    }

/* CSR instruction: `src` is the operand, `wr` whether it writes. */
#define CSR_OP(name, kind, src, wr)                                                                \
    LABEL(name) {                                                                                  \
        uint64_t old_;                                                                             \
        cpu->pc = OPPC;                                                                            \
        if (!rv_csr_access(cpu, (unsigned)op->imm, kind, (src), (wr), &old_)) goto illegal;        \
        RD = old_;                                                                                 \
        x[0] = 0;                                                                                  \
        pc = OPPC + op->len;                                                                       \
        goto end_block;                                                                            \
    }

int rv_interp_run(rv_cpu_t *cpu, uint64_t budget) {
    static const void *const disp[RV_I_COUNT] = {
#define RV_INSN(name, mn, mask, match, fmt, flags) [RV_I_##name] = RV_LABEL_ADDR(L_##name),
#include "riscv/insns.def"
#undef RV_INSN
        [RV_I_illegal] = RV_LABEL_ADDR(L_illegal),
        [RV_I_fetch_fault] = RV_LABEL_ADDR(L_fetch_fault),
        [RV_I_fallthrough] = RV_LABEL_ADDR(L_fallthrough),
        [RV_I_nop] = RV_LABEL_ADDR(L_nop),
    };
    uint64_t *const x = cpu->x;
    uint64_t *const f = cpu->f;
    uint64_t limit = cpu->instret + budget < cpu->instret ? UINT64_MAX : cpu->instret + budget;
    uint64_t pc = cpu->pc;
    rv_block_t *blk = NULL, *prev = NULL;
    const rv_op_t *op;
    uint64_t bpc;
    uint8_t *mbase;
    uint64_t mstart, msize;
    uint8_t *pflags;
    int hook, stop;

next_block:
    cpu->pc = pc;
    if (RV_UNLIKELY(atomic_load_explicit(&cpu->interrupt_request, memory_order_relaxed))) {
        cpu->cur_block = NULL;
        return atomic_load_explicit(&cpu->halt_request, memory_order_relaxed) ? RV_STOP_HALT
                                                                              : RV_STOP_INTERRUPT;
    }
    if (RV_UNLIKELY(cpu->instret >= limit)) {
        cpu->cur_block = NULL;
        return RV_STOP_BUDGET;
    }
    /* Successor links first (not counted: a counter here costs ~8% on branchy code). */
    if (RV_LIKELY(prev != NULL) && prev->succ_pc[0] == pc && prev->succ[0]) {
        blk = prev->succ[0];
    } else if (prev && prev->succ_pc[1] == pc && prev->succ[1]) {
        blk = prev->succ[1];
    } else {
        uint64_t flushes_ = cpu->stats.flushes;
        blk = rv_icache_get(cpu, pc);
        /* Building a block may have flushed the cache, which killed `prev`. */
        if (prev && flushes_ == cpu->stats.flushes) {
            int slot = prev->succ[0] ? 1 : 0;
            prev->succ[slot] = blk;
            prev->succ_pc[slot] = pc;
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

    /* ---- RV64I ---- */
    ALU(lui, IMM)
    ALU(auipc, OPPC + IMM)
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
    LOAD(lb, int8_t, int64_t)
    LOAD(lh, int16_t, int64_t)
    LOAD(lw, int32_t, int64_t)
    LOAD(ld, uint64_t, uint64_t)
    LOAD(lbu, uint8_t, uint64_t)
    LOAD(lhu, uint16_t, uint64_t)
    LOAD(lwu, uint32_t, uint64_t)
    STORE(sb, uint8_t, RS2)
    STORE(sh, uint16_t, RS2)
    STORE(sw, uint32_t, RS2)
    STORE(sd, uint64_t, RS2)
    ALU(addi, RS1 + IMM)
    ALU(slti, (int64_t)RS1 < (int64_t)IMM)
    ALU(sltiu, RS1 < IMM)
    ALU(xori, RS1 ^ IMM)
    ALU(ori, RS1 | IMM)
    ALU(andi, RS1 & IMM)
    ALU(slli, RS1 << op->imm)
    ALU(srli, RS1 >> op->imm)
    ALU(srai, (uint64_t)((int64_t)RS1 >> op->imm))
    ALU(add, RS1 + RS2)
    ALU(sub, RS1 - RS2)
    ALU(sll, RS1 << (RS2 & 63))
    ALU(slt, (int64_t)RS1 < (int64_t)RS2)
    ALU(sltu, RS1 < RS2)
    ALU(xor, RS1 ^ RS2)
    ALU(srl, RS1 >> (RS2 & 63))
    ALU(sra, (uint64_t)((int64_t)RS1 >> (RS2 & 63)))
    ALU(or, RS1 | RS2)
    ALU(and, RS1 & RS2)
    ALU(addiw, sext32(RS1 + IMM))
    ALU(slliw, sext32((uint32_t)RS1 << op->imm))
    ALU(srliw, sext32((uint32_t)RS1 >> op->imm))
    ALU(sraiw, (uint64_t)(int64_t)((int32_t)RS1 >> op->imm))
    ALU(addw, sext32(RS1 + RS2))
    ALU(subw, sext32(RS1 - RS2))
    ALU(sllw, sext32((uint32_t)RS1 << (RS2 & 31)))
    ALU(srlw, sext32((uint32_t)RS1 >> (RS2 & 31)))
    ALU(sraw, (uint64_t)(int64_t)((int32_t)RS1 >> (RS2 & 31)))
    LABEL(fence) {
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        NEXT;
    }
    LABEL(fence_i) {
        rv_cpu_flush_icache(cpu);
        pc = OPPC + op->len;
        prev = NULL;
        goto next_block;
    }
    LABEL(ecall) {
        cpu->pc = OPPC;
        cpu->cause = cpu->user_mode           ? RV_CAUSE_ECALL_U
                     : cpu->priv == RV_PRIV_M ? RV_CAUSE_ECALL_M
                                              : RV_CAUSE_ECALL_U;
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
        if (cpu->user_mode || cpu->priv != RV_PRIV_M) goto illegal;
        uint64_t s_ = cpu->mstatus;
        cpu->priv = (uint8_t)((s_ & RV_MSTATUS_MPP) >> 11);
        s_ = (s_ & ~RV_MSTATUS_MIE) | ((s_ & RV_MSTATUS_MPIE) ? RV_MSTATUS_MIE : 0);
        s_ |= RV_MSTATUS_MPIE;
        s_ &= ~RV_MSTATUS_MPP; /* MPP = U, the least-privileged mode supported */
        cpu->mstatus = s_;
        cpu->resv_valid = false;
        pc = cpu->mepc;
        prev = NULL;
        goto next_block;
    }
    LABEL(wfi) {
        if (cpu->user_mode) goto illegal;
        pc = OPPC + op->len;
        goto end_block;
    }
    CSR_OP(csrrw, 0, RS1, true)
    CSR_OP(csrrs, 1, RS1, op->rs1 != 0)
    CSR_OP(csrrc, 2, RS1, op->rs1 != 0)
    CSR_OP(csrrwi, 0, op->rs1, true)
    CSR_OP(csrrsi, 1, op->rs1, op->rs1 != 0)
    CSR_OP(csrrci, 2, op->rs1, op->rs1 != 0)

    /* ---- M ---- */
    ALU(mul, RS1 * RS2)
    ALU(mulh, mulh64((int64_t)RS1, (int64_t)RS2))
    ALU(mulhsu, mulhsu64((int64_t)RS1, RS2))
    ALU(mulhu, mulhu64(RS1, RS2))
    ALU(div, RS2 == 0 ? UINT64_MAX
             : ((int64_t)RS1 == INT64_MIN && (int64_t)RS2 == -1)
                 ? RS1
                 : (uint64_t)((int64_t)RS1 / (int64_t)RS2))
    ALU(divu, RS2 == 0 ? UINT64_MAX : RS1 / RS2)
    ALU(rem, RS2 == 0 ? RS1
             : ((int64_t)RS1 == INT64_MIN && (int64_t)RS2 == -1)
                 ? 0
                 : (uint64_t)((int64_t)RS1 % (int64_t)RS2))
    ALU(remu, RS2 == 0 ? RS1 : RS1 % RS2)
    ALU(mulw, sext32(RS1 * RS2))
    ALU(divw, (int32_t)RS2 == 0 ? UINT64_MAX
              : ((int32_t)RS1 == INT32_MIN && (int32_t)RS2 == -1)
                  ? sext32(RS1)
                  : (uint64_t)(int64_t)((int32_t)RS1 / (int32_t)RS2))
    ALU(divuw, (uint32_t)RS2 == 0 ? UINT64_MAX : sext32((uint32_t)RS1 / (uint32_t)RS2))
    ALU(remw, (int32_t)RS2 == 0 ? sext32(RS1)
              : ((int32_t)RS1 == INT32_MIN && (int32_t)RS2 == -1)
                  ? 0
                  : (uint64_t)(int64_t)((int32_t)RS1 % (int32_t)RS2))
    ALU(remuw, (uint32_t)RS2 == 0 ? sext32(RS1) : sext32((uint32_t)RS1 % (uint32_t)RS2))

    /* ---- A ---- */
    LABEL(lr_w) {
        AMO_ADDR_C(uint32_t, RV_CAUSE_LOAD_MISALIGNED, RV_CAUSE_LOAD_ACCESS)
        uint32_t v_ = __atomic_load_n(p_, __ATOMIC_SEQ_CST);
        cpu->resv_addr = a_;
        cpu->resv_value = v_;
        cpu->resv_valid = true;
        RD = sext32(v_);
        x[0] = 0;
        NEXT;
    }
    LABEL(lr_d) {
        AMO_ADDR_C(uint64_t, RV_CAUSE_LOAD_MISALIGNED, RV_CAUSE_LOAD_ACCESS)
        uint64_t v_ = __atomic_load_n(p_, __ATOMIC_SEQ_CST);
        cpu->resv_addr = a_;
        cpu->resv_value = v_;
        cpu->resv_valid = true;
        RD = v_;
        x[0] = 0;
        NEXT;
    }
    LABEL(sc_w) {
        AMO_ADDR(uint32_t)
        uint32_t exp_ = (uint32_t)cpu->resv_value;
        bool ok_ = cpu->resv_valid && cpu->resv_addr == a_ &&
                   __atomic_compare_exchange_n(p_, &exp_, (uint32_t)RS2, false, __ATOMIC_SEQ_CST,
                                               __ATOMIC_SEQ_CST);
        cpu->resv_valid = false;
        RD = !ok_;
        x[0] = 0;
        if (ok_ && RV_UNLIKELY(pflags != NULL) && pflags[o_ >> RV_PAGE_SHIFT]) {
            hook = rv_store_hook(cpu, a_, 4);
            if (hook) goto store_hooked;
        }
        NEXT;
    }
    LABEL(sc_d) {
        AMO_ADDR(uint64_t)
        uint64_t exp_ = cpu->resv_value;
        bool ok_ =
            cpu->resv_valid && cpu->resv_addr == a_ &&
            __atomic_compare_exchange_n(p_, &exp_, RS2, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        cpu->resv_valid = false;
        RD = !ok_;
        x[0] = 0;
        if (ok_ && RV_UNLIKELY(pflags != NULL) && pflags[o_ >> RV_PAGE_SHIFT]) {
            hook = rv_store_hook(cpu, a_, 8);
            if (hook) goto store_hooked;
        }
        NEXT;
    }
    LABEL(amoswap_w) {
        AMO_ADDR(uint32_t)
        uint32_t r_ = __atomic_exchange_n(p_, (uint32_t)RS2, __ATOMIC_SEQ_CST);
        RD = sext32(r_);
        x[0] = 0;
        NEXT;
    }
    LABEL(amoswap_d) {
        AMO_ADDR(uint64_t)
        uint64_t r_ = __atomic_exchange_n(p_, RS2, __ATOMIC_SEQ_CST);
        RD = r_;
        x[0] = 0;
        NEXT;
    }
    AMO(amoadd_w, uint32_t, int32_t, __atomic_fetch_add)
    AMO(amoxor_w, uint32_t, int32_t, __atomic_fetch_xor)
    AMO(amoand_w, uint32_t, int32_t, __atomic_fetch_and)
    AMO(amoor_w, uint32_t, int32_t, __atomic_fetch_or)
    AMO_CMP(amomin_w, uint32_t, int32_t, int32_t, <)
    AMO_CMP(amomax_w, uint32_t, int32_t, int32_t, >)
    AMO_CMP(amominu_w, uint32_t, int32_t, uint32_t, <)
    AMO_CMP(amomaxu_w, uint32_t, int32_t, uint32_t, >)
    AMO(amoadd_d, uint64_t, int64_t, __atomic_fetch_add)
    AMO(amoxor_d, uint64_t, int64_t, __atomic_fetch_xor)
    AMO(amoand_d, uint64_t, int64_t, __atomic_fetch_and)
    AMO(amoor_d, uint64_t, int64_t, __atomic_fetch_or)
    AMO_CMP(amomin_d, uint64_t, int64_t, int64_t, <)
    AMO_CMP(amomax_d, uint64_t, int64_t, int64_t, >)
    AMO_CMP(amominu_d, uint64_t, int64_t, uint64_t, <)
    AMO_CMP(amomaxu_d, uint64_t, int64_t, uint64_t, >)

    /* ---- F and D ---- */
    LABEL(flw) {
        FP_CHECK();
        uint64_t a_ = RS1 + IMM, o_ = a_ - mstart;
        uint32_t v_;
        cpu->pc = OPPC;
        if (RV_LIKELY(o_ < msize && msize - o_ >= 4))
            memcpy(&v_, mbase + o_, 4);
        else if (!rv_mem_slow(cpu, a_, &v_, 4, false))
            goto trap;
        f[op->rd] = rv_f32_box(v_);
        NEXT;
    }
    LABEL(fld) {
        FP_CHECK();
        uint64_t a_ = RS1 + IMM, o_ = a_ - mstart;
        uint64_t v_;
        cpu->pc = OPPC;
        if (RV_LIKELY(o_ < msize && msize - o_ >= 8))
            memcpy(&v_, mbase + o_, 8);
        else if (!rv_mem_slow(cpu, a_, &v_, 8, false))
            goto trap;
        f[op->rd] = v_;
        NEXT;
    }
L_fsw:
    FP_CHECK();
    goto L_fsw_store;
L_fsd:
    FP_CHECK();
    goto L_fsd_store;
    STORE(fsw_store, uint32_t, f[op->rs2])
    STORE(fsd_store, uint64_t, f[op->rs2])
    FOPX(fmv_x_w, sext32(f[op->rs1]))
    FOP(fmv_w_x, rv_f32_box((uint32_t)RS1))
    FOPX(fmv_x_d, f[op->rs1])
    FOP(fmv_d_x, RS1)
    FOP(fsgnj_s, rv_f32_box(rv_f32_sgnj(FS1, FS2)))
    FOP(fsgnjn_s, rv_f32_box(rv_f32_sgnjn(FS1, FS2)))
    FOP(fsgnjx_s, rv_f32_box(rv_f32_sgnjx(FS1, FS2)))
    FOP(fsgnj_d, rv_f64_sgnj(FD1, FD2))
    FOP(fsgnjn_d, rv_f64_sgnjn(FD1, FD2))
    FOP(fsgnjx_d, rv_f64_sgnjx(FD1, FD2))
    FOP_RM(fadd_s, rv_f32_box(rv_f32_add(FS1, FS2, rm_, FLAGS)))
    FOP_RM(fsub_s, rv_f32_box(rv_f32_sub(FS1, FS2, rm_, FLAGS)))
    FOP_RM(fmul_s, rv_f32_box(rv_f32_mul(FS1, FS2, rm_, FLAGS)))
    FOP_RM(fdiv_s, rv_f32_box(rv_f32_div(FS1, FS2, rm_, FLAGS)))
    FOP_RM(fsqrt_s, rv_f32_box(rv_f32_sqrt(FS1, rm_, FLAGS)))
    FOP(fmin_s, rv_f32_box(rv_f32_min(FS1, FS2, FLAGS)))
    FOP(fmax_s, rv_f32_box(rv_f32_max(FS1, FS2, FLAGS)))
    FOP_RM(fadd_d, rv_f64_add(FD1, FD2, rm_, FLAGS))
    FOP_RM(fsub_d, rv_f64_sub(FD1, FD2, rm_, FLAGS))
    FOP_RM(fmul_d, rv_f64_mul(FD1, FD2, rm_, FLAGS))
    FOP_RM(fdiv_d, rv_f64_div(FD1, FD2, rm_, FLAGS))
    FOP_RM(fsqrt_d, rv_f64_sqrt(FD1, rm_, FLAGS))
    FOP(fmin_d, rv_f64_min(FD1, FD2, FLAGS))
    FOP(fmax_d, rv_f64_max(FD1, FD2, FLAGS))
    FOP_RM(fmadd_s, rv_f32_box(rv_f32_madd(FS1, FS2, FS3, rm_, FLAGS)))
    FOP_RM(fmsub_s, rv_f32_box(rv_f32_msub(FS1, FS2, FS3, rm_, FLAGS)))
    FOP_RM(fnmsub_s, rv_f32_box(rv_f32_nmsub(FS1, FS2, FS3, rm_, FLAGS)))
    FOP_RM(fnmadd_s, rv_f32_box(rv_f32_nmadd(FS1, FS2, FS3, rm_, FLAGS)))
    FOP_RM(fmadd_d, rv_f64_madd(FD1, FD2, FD3, rm_, FLAGS))
    FOP_RM(fmsub_d, rv_f64_msub(FD1, FD2, FD3, rm_, FLAGS))
    FOP_RM(fnmsub_d, rv_f64_nmsub(FD1, FD2, FD3, rm_, FLAGS))
    FOP_RM(fnmadd_d, rv_f64_nmadd(FD1, FD2, FD3, rm_, FLAGS))
    FOPX(feq_s, rv_f32_eq(FS1, FS2, FLAGS))
    FOPX(flt_s, rv_f32_lt(FS1, FS2, FLAGS))
    FOPX(fle_s, rv_f32_le(FS1, FS2, FLAGS))
    FOPX(feq_d, rv_f64_eq(FD1, FD2, FLAGS))
    FOPX(flt_d, rv_f64_lt(FD1, FD2, FLAGS))
    FOPX(fle_d, rv_f64_le(FD1, FD2, FLAGS))
    FOPX(fclass_s, rv_f32_class(FS1))
    FOPX(fclass_d, rv_f64_class(FD1))
    FOPX_RM(fcvt_w_s, rv_f32_to_w(FS1, rm_, FLAGS))
    FOPX_RM(fcvt_wu_s, rv_f32_to_wu(FS1, rm_, FLAGS))
    FOPX_RM(fcvt_l_s, rv_f32_to_l(FS1, rm_, FLAGS))
    FOPX_RM(fcvt_lu_s, rv_f32_to_lu(FS1, rm_, FLAGS))
    FOP_RM(fcvt_s_w, rv_f32_box(rv_f32_from_w((int32_t)RS1, rm_, FLAGS)))
    FOP_RM(fcvt_s_wu, rv_f32_box(rv_f32_from_wu((uint32_t)RS1, rm_, FLAGS)))
    FOP_RM(fcvt_s_l, rv_f32_box(rv_f32_from_l((int64_t)RS1, rm_, FLAGS)))
    FOP_RM(fcvt_s_lu, rv_f32_box(rv_f32_from_lu(RS1, rm_, FLAGS)))
    FOPX_RM(fcvt_w_d, rv_f64_to_w(FD1, rm_, FLAGS))
    FOPX_RM(fcvt_wu_d, rv_f64_to_wu(FD1, rm_, FLAGS))
    FOPX_RM(fcvt_l_d, rv_f64_to_l(FD1, rm_, FLAGS))
    FOPX_RM(fcvt_lu_d, rv_f64_to_lu(FD1, rm_, FLAGS))
    FOP_RM(fcvt_d_w, rv_f64_from_w((int32_t)RS1, rm_, FLAGS))
    FOP_RM(fcvt_d_wu, rv_f64_from_wu((uint32_t)RS1, rm_, FLAGS))
    FOP_RM(fcvt_d_l, rv_f64_from_l((int64_t)RS1, rm_, FLAGS))
    FOP_RM(fcvt_d_lu, rv_f64_from_lu(RS1, rm_, FLAGS))
    FOP_RM(fcvt_s_d, rv_f32_box(rv_f64_to_f32(FD1, rm_, FLAGS)))
    FOP_RM(fcvt_d_s, rv_f32_to_f64(FS1, rm_, FLAGS))

    /* ---- Zba ---- */
    ALU(sh1add, (RS1 << 1) + RS2)
    ALU(sh2add, (RS1 << 2) + RS2)
    ALU(sh3add, (RS1 << 3) + RS2)
    ALU(add_uw, (uint64_t)(uint32_t)RS1 + RS2)
    ALU(sh1add_uw, ((uint64_t)(uint32_t)RS1 << 1) + RS2)
    ALU(sh2add_uw, ((uint64_t)(uint32_t)RS1 << 2) + RS2)
    ALU(sh3add_uw, ((uint64_t)(uint32_t)RS1 << 3) + RS2)
    ALU(slli_uw, (uint64_t)(uint32_t)RS1 << op->imm)
    /* ---- Zbb ---- */
    ALU(andn, RS1 & ~RS2)
    ALU(orn, RS1 | ~RS2)
    ALU(xnor, ~(RS1 ^ RS2))
    ALU(clz, RS1 ? (uint64_t)__builtin_clzll(RS1) : 64)
    ALU(ctz, RS1 ? (uint64_t)__builtin_ctzll(RS1) : 64)
    ALU(cpop, (uint64_t)__builtin_popcountll(RS1))
    ALU(sext_b, (uint64_t)(int64_t)(int8_t)RS1)
    ALU(sext_h, (uint64_t)(int64_t)(int16_t)RS1)
    ALU(clzw, (uint32_t)RS1 ? (uint64_t)__builtin_clz((uint32_t)RS1) : 32)
    ALU(ctzw, (uint32_t)RS1 ? (uint64_t)__builtin_ctz((uint32_t)RS1) : 32)
    ALU(cpopw, (uint64_t)__builtin_popcount((uint32_t)RS1))
    ALU(max, (int64_t)RS1 > (int64_t)RS2 ? RS1 : RS2)
    ALU(maxu, RS1 > RS2 ? RS1 : RS2)
    ALU(min, (int64_t)RS1 < (int64_t)RS2 ? RS1 : RS2)
    ALU(minu, RS1 < RS2 ? RS1 : RS2)
    ALU(zext_h, (uint16_t)RS1)
    ALU(rol, rol64(RS1, (unsigned)RS2))
    ALU(ror, rol64(RS1, 64 - ((unsigned)RS2 & 63)))
    ALU(rolw, sext32(rol32((uint32_t)RS1, (unsigned)RS2)))
    ALU(rorw, sext32(rol32((uint32_t)RS1, 32 - ((unsigned)RS2 & 31))))
    ALU(rori, rol64(RS1, 64 - (unsigned)op->imm))
    ALU(roriw, sext32(rol32((uint32_t)RS1, 32 - (unsigned)op->imm)))
    ALU(orc_b, orc_b(RS1))
    ALU(rev8, __builtin_bswap64(RS1))
    /* ---- Zbs ---- */
    ALU(bclr, RS1 & ~(1ull << (RS2 & 63)))
    ALU(bext, (RS1 >> (RS2 & 63)) & 1)
    ALU(binv, RS1 ^ (1ull << (RS2 & 63)))
    ALU(bset, RS1 | (1ull << (RS2 & 63)))
    ALU(bclri, RS1 & ~(1ull << op->imm))
    ALU(bexti, (RS1 >> op->imm) & 1)
    ALU(binvi, RS1 ^ (1ull << op->imm))
    ALU(bseti, RS1 | (1ull << op->imm))

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
    /* A store hit a flagged page: the decode cache may be gone, so leave the block. */
    cpu->instret -= blk->n - (uint32_t)(op - blk->ops) - 1;
    pc = OPPC + op->len;
    prev = NULL;
    if (hook == RV_HOOK_HALT) {
        cpu->pc = pc;
        cpu->cur_block = NULL;
        return RV_STOP_HALT;
    }
    goto next_block;

trap:
    /* cpu->pc, cause and tval are set; this and the following instructions did not retire. */
    cpu->instret -= blk->n - (uint32_t)(op - blk->ops);
    cpu->resv_valid = false;
    if (cpu->cause < RV_CAUSE_COUNT) cpu->stats.traps[cpu->cause]++;
    if (cpu->user_mode) {
        cpu->cur_block = NULL;
        stop = cpu->cause == RV_CAUSE_ECALL_U      ? RV_STOP_ECALL
               : cpu->cause == RV_CAUSE_BREAKPOINT ? RV_STOP_EBREAK
                                                   : RV_STOP_EXCEPTION;
        return stop;
    }
    rv_cpu_take_trap(cpu, cpu->cause, cpu->tval);
    /* A trap retires nothing; count it against the budget so that a trap loop (say, a fetch
     * fault at mtvec) still ends the run. */
    if (limit > 0) limit--;
    pc = cpu->pc;
    prev = NULL;
    goto next_block;
}
