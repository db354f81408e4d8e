/* exec1.c - the single-instruction executor (see exec1.h).
 *
 * One switch with a case per instruction, generated from semantics.def through the handler
 * classes of semantics.h, the same list the interpreter's labels come from. The environment
 * differs from the interpreter's only in how a handler ends: NEXT leaves the switch and
 * restores x[0] (ALU handlers write rd unconditionally), END_BLOCK does the same, AT_PC does
 * nothing (cpu->pc is the caller's), and a store into a flagged page returns the hook's
 * outcome. Traps set cause/tval and drop the LR reservation, as the interpreter's trap path.
 */
#include "exec/exec1.h"

#include "exec/icache.h"
#include "riscv/semantics.h"

#define OPPC        pc
#define NEXT        goto done
#define END_BLOCK   goto done
#define LABEL(name) case RV_I_##name:
#define AT_PC()     ((void)0)
/* instret as the caller keeps it (the JIT's loads and stores reach devices through its own
 * helpers, which count the instruction as the interpreter's slow path does) */
#define MEM_SLOW(a, buf, len, type) rv_mem_slow(cpu, (a), (buf), (len), (type))
#define STORE_HOOK(a, len)                                                                         \
    do {                                                                                           \
        int h_ = rv_store_hook(cpu, (a), (len));                                                   \
        if (h_) return h_ == RV_HOOK_HALT ? RV_EXEC1_HALT : RV_EXEC1_FLUSHED;                      \
    } while (0)
#define HALT_AFTER_STORE() return RV_EXEC1_HALT
#define CODE_AFTER_STORE() return RV_EXEC1_FLUSHED

int rv_exec1(rv_cpu_t *cpu, const rv_op_t *op, uint64_t pc) {
    uint64_t *const x = cpu->x;
    uint64_t *const f = cpu->f;
    uint8_t *const mbase = cpu->mem_base;
    const uint64_t mstart = cpu->mem_start;
    const uint64_t msize = cpu->mem_size;
    uint8_t *const pflags = cpu->page_flags;

    switch (op->id) {
#include "riscv/semantics.def"
    case RV_I_nop: goto done;
    default: goto illegal; /* RV_I_illegal, control flow, pseudo-ops of the block builder */
    }
done:
    x[0] = 0;
    return RV_EXEC1_OK;
illegal:
    cpu->cause = RV_CAUSE_ILLEGAL_INSN;
    cpu->tval = op->id == RV_I_illegal ? (uint32_t)op->imm : rv_icache_insn_bits(cpu, pc);
trap:
    cpu->resv_valid = false;
    return RV_EXEC1_TRAP;
}
