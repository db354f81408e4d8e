/* semantics.h - handler classes for the instructions of semantics.def, private to src/riscv.
 *
 * The meaning of every non-control-flow instruction is written once: semantics.def lists one
 * line per instruction (ALU(add, RS1 + RS2), FOP_RM(fadd_s, ...), AMO(...)), and the class
 * macros below turn a line into a handler body. Two executors include the list: the
 * interpreter (interp.c: a computed-goto label per instruction) and the single-instruction
 * executor (exec1.c: a switch case per instruction). They differ only in the small
 * "environment" each defines before including this header:
 *
 *   LABEL(name)         starts the handler of RV_I_name (a label, or a case)
 *   NEXT                the instruction completed: continue (x[0] may be dirty: ALU handlers
 *                       write rd unconditionally; the includer restores x[0] or never runs
 *                       them with rd = 0)
 *   END_BLOCK           like NEXT for instructions that end a decoded block (CSR access)
 *   OPPC                guest pc of the instruction
 *   AT_PC()             record the pc before a memory access (precise host faults), or nothing
 *   STORE_HOOK(a, len)  a store to [a, a+len) hit a page flagged in page_flags
 *   HALT_AFTER_STORE()  a store off the fast paths asked the machine to stop (a poweroff
 *                       through a device): stop right after this instruction, so that every
 *                       engine stops at the same one
 *   CODE_AFTER_STORE()  a store or AMO off the window wrote decoded code (through the MMU:
 *                       rv_cpu_code_written moved cpu->code_ctx): leave right after this
 *                       instruction, so that no stale instruction of the block runs
 *   MEM_SLOW(a, buf, len, type)  rv_mem_slow for a load or store off the fast paths, called with
 *                       cpu->instret counting the instructions before this one and this one
 *                       (devices read the clock from it: deterministic time counts
 *                       instructions), as at a CSR instruction
 *
 * and, in scope: `cpu`, `x` (cpu->x), `f` (cpu->f), `op` (the rv_op_t), the window `mbase`,
 * `mstart`, `msize`, `pflags` (cpu->page_flags), and the labels `trap` (cause/tval are set)
 * and `illegal` (raise an illegal-instruction exception for this instruction).
 */
#pragma once

#include <string.h>

#include "riscv/cpu.h"
#include "riscv/fpu.h"
#include "riscv/memacc.h"

/* Arithmetic helpers of the semantic expressions. */
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

/* Register access in handlers. */
#define X(r) x[r]
#define RD   x[op->rd]
#define RS1  x[op->rs1]
#define RS2  x[op->rs2]
#define IMM  ((uint64_t)(int64_t)op->imm)

/* Plain integer ops: rd = expr. */
#define ALU(name, expr)                                                                            \
    LABEL(name) {                                                                                  \
        RD = (expr);                                                                               \
        NEXT;                                                                                      \
    }

/* An instruction with only a side effect. */
#define EFFECT(name, stmt)                                                                         \
    LABEL(name) {                                                                                  \
        stmt;                                                                                      \
        NEXT;                                                                                      \
    }

/* Load of type T into `dst`, converted through conv (a cast or a function). */
#define LOAD_INTO(T, dst, conv)                                                                    \
    uint64_t a_ = RS1 + IMM, o_ = a_ - mstart;                                                     \
    T v_;                                                                                          \
    AT_PC();                                                                                       \
    if (RV_LIKELY(rv_win_in(o_, msize, sizeof(T)))) {                                              \
        memcpy(&v_, mbase + o_, sizeof(T));                                                        \
    } else {                                                                                       \
        const void *h_ = rv_tlb_host(cpu, cpu->tlb_ld_off, a_, sizeof(T));                         \
        if (h_)                                                                                    \
            memcpy(&v_, h_, sizeof(T));                                                            \
        else if (!MEM_SLOW(a_, &v_, sizeof(T), RV_ACC_LOAD))                                       \
            goto trap;                                                                             \
    }                                                                                              \
    dst = conv(v_);

/* Integer load of type T, extended to 64 bits through type E. */
#define LOAD(name, T, E)                                                                           \
    LABEL(name) {                                                                                  \
        LOAD_INTO(T, RD, (uint64_t)(E))                                                            \
        x[0] = 0;                                                                                  \
        NEXT;                                                                                      \
    }

/* FP load of type T into an f register through conv (NaN-boxing or nothing). */
#define FLOAD(name, T, conv)                                                                       \
    LABEL(name) {                                                                                  \
        FP_CHECK();                                                                                \
        LOAD_INTO(T, f[op->rd], conv)                                                              \
        NEXT;                                                                                      \
    }

/* Store of the low bytes of `val` as type T. */
#define STORE_BODY(T, val)                                                                         \
    uint64_t a_ = RS1 + IMM, o_ = a_ - mstart;                                                     \
    T v_ = (T)(val);                                                                               \
    AT_PC();                                                                                       \
    if (RV_LIKELY(rv_win_in(o_, msize, sizeof(T)))) {                                              \
        memcpy(mbase + o_, &v_, sizeof(T));                                                        \
        if (RV_UNLIKELY(pflags != NULL) &&                                                         \
            (pflags[o_ >> RV_PAGE_SHIFT] | pflags[(o_ + sizeof(T) - 1) >> RV_PAGE_SHIFT]))         \
            STORE_HOOK(a_, sizeof(T));                                                             \
    } else {                                                                                       \
        void *h_ = rv_tlb_host(cpu, cpu->tlb_st_off, a_, sizeof(T));                               \
        if (h_) {                                                                                  \
            memcpy(h_, &v_, sizeof(T));                                                            \
        } else {                                                                                   \
            uint64_t ctx_ = __atomic_load_n(&cpu->code_ctx, __ATOMIC_RELAXED);                     \
            if (!MEM_SLOW(a_, &v_, sizeof(T), RV_ACC_STORE)) goto trap;                            \
            if (RV_UNLIKELY(atomic_load_explicit(&cpu->halt_request, memory_order_relaxed)))       \
                HALT_AFTER_STORE();                                                                \
            if (RV_UNLIKELY(__atomic_load_n(&cpu->code_ctx, __ATOMIC_RELAXED) != ctx_))            \
                CODE_AFTER_STORE();                                                                \
        }                                                                                          \
    }

/* Integer store. */
#define STORE(name, T, val)                                                                        \
    LABEL(name) {                                                                                  \
        STORE_BODY(T, val)                                                                         \
        NEXT;                                                                                      \
    }

/* FP store. */
#define FSTORE(name, T, val)                                                                       \
    LABEL(name) {                                                                                  \
        FP_CHECK();                                                                                \
        STORE_BODY(T, val)                                                                         \
        NEXT;                                                                                      \
    }

/* AMO address check: aligned, then a host pointer: inside the window, or through the slow
 * path (the MMU to RAM where the hart has one), else a precise fault. ctx_: code_ctx before
 * it (the slow path of a write into code moves it: AMO_HOOK leaves the block then). */
#define AMO_ADDR(T)                                                                                \
    uint64_t ctx_ = __atomic_load_n(&cpu->code_ctx, __ATOMIC_RELAXED);                             \
    AMO_ADDR_C(T, RV_CAUSE_STORE_MISALIGNED, RV_ACC_AMO)
/* The same with explicit misaligned cause and access type (LR is a load). */
#define AMO_ADDR_C(T, misaligned, acc)                                                             \
    uint64_t a_ = RS1, o_ = a_ - mstart;                                                           \
    AT_PC();                                                                                       \
    if (RV_UNLIKELY(a_ & (sizeof(T) - 1))) {                                                       \
        cpu->cause = (misaligned);                                                                 \
        cpu->tval = a_;                                                                            \
        goto trap;                                                                                 \
    }                                                                                              \
    T *p_;                                                                                         \
    if (RV_LIKELY(rv_win_in(o_, msize, sizeof(T)))) {                                              \
        p_ = (T *)(void *)(mbase + o_);                                                            \
    } else {                                                                                       \
        /* the inline TLB (stores: no code or watched pages), else the slow path */                \
        p_ = rv_tlb_host(cpu, (acc) == RV_ACC_LOAD ? cpu->tlb_ld_off : cpu->tlb_st_off, a_,        \
                         sizeof(T));                                                               \
        if (!p_) p_ = rv_mem_slow_ptr(cpu, a_, sizeof(T), (acc));                                  \
        if (!p_) goto trap;                                                                        \
        o_ = UINT64_MAX; /* outside the window: no page flags */                                   \
    }

/* After an AMO wrote (aligned, so one page): the store hook of flagged pages; off the
 * window, leave the block when the write reached decoded code. */
#define AMO_HOOK(T)                                                                                \
    if (RV_UNLIKELY(pflags != NULL) && o_ != UINT64_MAX && pflags[o_ >> RV_PAGE_SHIFT])            \
        STORE_HOOK(a_, sizeof(T));                                                                 \
    else if (RV_UNLIKELY(o_ == UINT64_MAX &&                                                       \
                         __atomic_load_n(&cpu->code_ctx, __ATOMIC_RELAXED) != ctx_))               \
        CODE_AFTER_STORE();

/* Read-modify-write AMO with a host atomic builtin; 32-bit results are sign-extended. */
#define AMO(name, T, ST, fetch_op)                                                                 \
    LABEL(name) {                                                                                  \
        AMO_ADDR(T)                                                                                \
        T r_ = fetch_op(p_, (T)RS2, __ATOMIC_SEQ_CST);                                             \
        RD = (uint64_t)(int64_t)(ST)r_;                                                            \
        x[0] = 0;                                                                                  \
        AMO_HOOK(T)                                                                                \
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
        AMO_HOOK(T)                                                                                \
        NEXT;                                                                                      \
    }

/* Load-reserved: remember (address, value) for SC. */
#define LR(name, T, ST)                                                                            \
    LABEL(name) {                                                                                  \
        AMO_ADDR_C(T, RV_CAUSE_LOAD_MISALIGNED, RV_ACC_LOAD)                                       \
        T v_ = __atomic_load_n(p_, __ATOMIC_SEQ_CST);                                              \
        cpu->resv_addr = a_;                                                                       \
        cpu->resv_value = v_;                                                                      \
        cpu->resv_valid = true;                                                                    \
        RD = (uint64_t)(int64_t)(ST)v_;                                                            \
        x[0] = 0;                                                                                  \
        NEXT;                                                                                      \
    }

/* Store-conditional: compare-exchange against the value LR saw; always drops the
 * reservation. */
#define SC(name, T)                                                                                \
    LABEL(name) {                                                                                  \
        AMO_ADDR(T)                                                                                \
        T exp_ = (T)cpu->resv_value;                                                               \
        bool ok_ = cpu->resv_valid && cpu->resv_addr == a_ &&                                      \
                   __atomic_compare_exchange_n(p_, &exp_, (T)RS2, false, __ATOMIC_SEQ_CST,         \
                                               __ATOMIC_SEQ_CST);                                  \
        cpu->resv_valid = false;                                                                   \
        RD = !ok_;                                                                                 \
        x[0] = 0;                                                                                  \
        if (ok_) {                                                                                 \
            AMO_HOOK(T)                                                                            \
        }                                                                                          \
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
        AT_PC();                                                                                   \
        if (!rv_csr_access(cpu, (unsigned)op->imm, kind, (src), (wr), &old_)) goto illegal;        \
        RD = old_;                                                                                 \
        x[0] = 0;                                                                                  \
        END_BLOCK;                                                                                 \
    }
