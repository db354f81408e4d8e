/* exec1.h - run one decoded non-control-flow instruction outside the interpreter loop.
 *
 * For a JIT that emits native code for simple instructions and calls back for the rest. The
 * semantics are the interpreter's own (both are generated from semantics.def), so state,
 * traps and store hooks match the interpreter exactly.
 */
#pragma once

#include <stdint.h>

#include "riscv/cpu.h"
#include "riscv/decode.h"

/* Results of rv_exec1. */
enum rv_exec1_result {
    RV_EXEC1_OK = 0,      /* completed */
    RV_EXEC1_TRAP = 1,    /* trapped: cpu->cause / cpu->tval set, reservation dropped */
    RV_EXEC1_FLUSHED = 2, /* a store into a flagged page flushed the decode cache */
    RV_EXEC1_HALT = 3,    /* a watched store asked for a halt (EXEC_STOP_HALT after it) */
};

/* Execute the decoded instruction `op` at guest address `pc` against cpu->x/f/fflags/frm/
 * mstatus/CSRs and guest memory, exactly as the interpreter would. cpu->pc and cpu->instret
 * are not changed; the caller must already have counted this instruction in cpu->instret (as
 * the interpreter does at block entry), since instret/cycle CSR reads return instret - 1. A
 * trap is not counted in cpu->stats nor taken: the caller reports it to the run loop, which
 * takes it or hands it to the owner, with cpu->pc = pc. Control-flow instructions (branches,
 * jal, jalr, ecall, ebreak, mret, wfi, fence.i) and the pseudo-ops fetch_fault/fallthrough
 * are the caller's: they return RV_EXEC1_TRAP with an illegal-instruction cause. Returns enum
 * rv_exec1_result. */
int rv_exec1(rv_cpu_t *cpu, const rv_op_t *op, uint64_t pc);
