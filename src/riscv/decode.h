/* decode.h - RISC-V instruction decoding: the rv_insn enum generated from insns.def, the
 * predecoded operation format the interpreter runs, compressed-instruction expansion and a
 * small disassembler. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Helpers to write insns.def encodings. */
#define ENC_I(op, f3)           ((uint32_t)(op) | (uint32_t)(f3) << 12)
#define ENC_R(op, f3, f7)       (ENC_I(op, f3) | (uint32_t)(f7) << 25)
#define ENC_R2(op, f3, f7, rs2) (ENC_R(op, f3, f7) | (uint32_t)(rs2) << 20)
#define ENC_IMM12(op, f3, imm)  (ENC_I(op, f3) | (uint32_t)(imm) << 20)
#define ENC_A(f3, f5)           (ENC_I(0x2f, f3) | (uint32_t)(f5) << 27)
#define ENC_R4(op, fmt)         ((uint32_t)(op) | (uint32_t)(fmt) << 25)
#define M_OP                    0x0000007fu /* opcode only (U, J) */
#define M_I                     0x0000707fu /* opcode + funct3 */
#define M_R                     0xfe00707fu /* opcode + funct3 + funct7 */
#define M_R2                    0xfff0707fu /* ... + rs2 (unary ops) */
#define M_SH6                   0xfc00707fu /* opcode + funct3 + funct6 (RV64 shifts) */
#define M_FRM                   0xfe00007fu /* opcode + funct7, funct3 = rounding mode */
#define M_FRM2                  0xfff0007fu /* ... + rs2 */
#define M_R4                    0x0600007fu /* opcode + fmt (fused multiply-add) */
#define M_AMO                   0xf800707fu /* opcode + funct3 + funct5 (aq/rl free) */
#define M_LR                    0xf9f0707fu /* ... + rs2 = 0 */
#define M_ALL                   0xffffffffu /* every bit */

/* Instruction flags (insns.def). */
#define RV_F_END 1u /* ends a decoded block (control flow, system, CSR) */
#define RV_F_FP  2u /* floating point: illegal while mstatus.FS is Off */
#define RV_F_RM  4u /* bits 14:12 hold a rounding mode */
#define RV_F_HINT                                                                                  \
    8u /* a hint: one word (mask M_ALL) of another entry's encodings, e.g. pause inside fence;     \
          the decoder picks it over that entry */

/* Register operands (insns.def reads/writes columns, rv_insn_info_t.reads/.writes): which
 * operand fields name a register the instruction reads or writes, and in which file. */
#define RS1_X 0x01u /* reads integer register rs1 */
#define RS2_X 0x02u /* reads integer register rs2 */
#define RD_X  0x08u /* writes integer register rd */
#define RS1_F 0x10u /* reads FP register rs1 */
#define RS2_F 0x20u /* reads FP register rs2 */
#define RS3_F 0x40u /* reads FP register rs3 (fused multiply-add) */
#define RD_F  0x80u /* writes FP register rd */

/* Instruction classes (insns.def class column; the file's header describes each). */
enum rv_cls {
    RV_CLS_PSEUDO, /* not an instruction: the block builder's pseudo-ops (RV_I_illegal...) */
    RV_CLS_ALU,    /* integer op, 64-bit result: writes rd only, never traps */
    RV_CLS_ALU32,  /* integer op on 32 bits, result sign-extended: writes rd only */
    RV_CLS_BRANCH, /* conditional branch */
    RV_CLS_JUMP,   /* jal, jalr */
    RV_CLS_LOAD,   /* integer load */
    RV_CLS_STORE,  /* integer store */
    RV_CLS_FLOAD,  /* FP load */
    RV_CLS_FSTORE, /* FP store */
    RV_CLS_LR,     /* load-reserved */
    RV_CLS_SC,     /* store-conditional */
    RV_CLS_AMO,    /* atomic memory operation */
    RV_CLS_CSR,    /* Zicsr */
    RV_CLS_FP,     /* F/D computation, compare, conversion or move (no memory) */
    RV_CLS_FENCE,  /* fence, fence.i */
    RV_CLS_SYSTEM, /* ecall, ebreak, mret, wfi */
};

/* Operand layouts. */
enum rv_fmt {
    RV_FMT_NONE, /* no operands */
    RV_FMT_R,    /* rd, rs1, rs2 */
    RV_FMT_R4,   /* rd, rs1, rs2, rs3 */
    RV_FMT_I,    /* rd, rs1, imm[11:0] */
    RV_FMT_S,    /* rs1, rs2, store offset */
    RV_FMT_B,    /* rs1, rs2, branch offset */
    RV_FMT_U,    /* rd, imm[31:12] << 12 */
    RV_FMT_J,    /* rd, jump offset */
    RV_FMT_SH,   /* rd, rs1, shift amount */
    RV_FMT_CSR,  /* rd, rs1 or uimm, csr number */
};

/* Every instruction vm knows, plus the pseudo-ops the interpreter needs. */
enum rv_insn {
#define RV_INSN(name, ...) RV_I_##name,
#include "riscv/insns.def"
#undef RV_INSN
    RV_I_illegal,     /* an undecodable word: traps with tval = its bits (imm) */
    RV_I_fetch_fault, /* fetch failed at this pc: traps with cause in rd, tval = imm address */
    RV_I_fallthrough, /* block ended without control flow: continue at pc + off */
    RV_I_nop,         /* an instruction whose only effect was writing x0 */
    RV_I_COUNT,
};

/* One predecoded instruction (16 bytes). */
typedef struct rv_op {
    uint16_t id;  /* enum rv_insn */
    uint8_t rd;   /* destination register */
    uint8_t rs1;  /* first source (or CSR uimm) */
    uint8_t rs2;  /* second source */
    uint8_t rs3;  /* third source (fused multiply-add) */
    uint8_t rm;   /* rounding mode field (7 = dynamic) */
    uint8_t len;  /* instruction length: 2 or 4 */
    uint32_t off; /* byte offset of the instruction from the block start */
    int32_t imm;  /* immediate, sign-extended; CSR number; raw bits for illegal */
} rv_op_t;

/* Static facts about an instruction (from insns.def): query these instead of testing ranges of
 * ids, which depend on the order of the table. */
typedef struct rv_insn_info {
    const char *name;   /* mnemonic */
    uint32_t mask;      /* identifying bits */
    uint32_t match;     /* their value */
    uint8_t fmt;        /* enum rv_fmt */
    uint8_t flags;      /* RV_F_* */
    uint8_t cls;        /* enum rv_cls: what kind of instruction */
    uint8_t mem_width;  /* bytes of memory accessed (loads, stores, LR/SC, AMOs), 0 if none */
    uint8_t mem_signed; /* a narrower-than-8-byte loaded value is sign-extended into rd */
    uint8_t reads;      /* registers read: RS1_X, RS2_X, RS1_F, RS2_F, RS3_F */
    uint8_t writes;     /* register written: RD_X or RD_F, 0 for none */
} rv_insn_info_t;

/* The table generated from insns.def, indexed by enum rv_insn. The pseudo-ops (RV_I_illegal
 * and after) have entries too, of class RV_CLS_PSEUDO, so any id can be looked up; the decoder
 * only matches the entries before RV_I_illegal. */
extern const rv_insn_info_t rv_insn_table[RV_I_COUNT];

/* Expand a 16-bit compressed instruction to its 32-bit equivalent; returns 0 when the
 * encoding is illegal or reserved. */
uint32_t rv_expand_compressed(uint16_t c);

/* Decode one instruction word (low 16 bits only if it is compressed) into *op. Returns false
 * (and op->id = RV_I_illegal, imm = the original bits) for an illegal encoding. */
bool rv_decode(uint32_t insn, rv_op_t *op);

/* Disassemble into buf (at pc, for branch targets). Returns buf. */
char *rv_disasm(uint32_t insn, uint64_t pc, char *buf, size_t len);
