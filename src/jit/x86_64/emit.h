/* emit.h - a small x86-64 assembler for the JIT backend: just the instruction forms the
 * translator uses, each one function that appends its encoding to a byte buffer.
 *
 * Operands are host register numbers (0..15 in hardware order) and memory operands of the
 * form [base + index*scale + disp32]. Every function writes REX only when needed, except the
 * 8-bit forms, which always write it so that registers 4..7 mean spl/bpl/sil/dil.
 * The buffer never overflows: the translator reserves room for a whole instruction's worst
 * case before emitting it and checks `x86_room()`; an overflowing write sets `full` instead.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Host general-purpose registers. */
enum x86_reg {
    RAX = 0,
    RCX = 1,
    RDX = 2,
    RBX = 3,
    RSP = 4,
    RBP = 5,
    RSI = 6,
    RDI = 7,
    R8 = 8,
    R9 = 9,
    R10 = 10,
    R11 = 11,
    R12 = 12,
    R13 = 13,
    R14 = 14,
    R15 = 15,
    X86_NOREG = -1,
};

/* Condition codes (the low nibble of Jcc/SETcc/CMOVcc). */
enum x86_cc {
    CC_O = 0,
    CC_NO = 1,
    CC_B = 2,
    CC_AE = 3,
    CC_E = 4,
    CC_NE = 5,
    CC_BE = 6,
    CC_A = 7,
    CC_S = 8,
    CC_NS = 9,
    CC_L = 0xc,
    CC_GE = 0xd,
    CC_LE = 0xe,
    CC_G = 0xf,
};

/* The /digit of the 0x81/0x83 group and the matching register-form opcode. */
enum x86_alu {
    ALU_ADD = 0,
    ALU_OR = 1,
    ALU_AND = 4,
    ALU_SUB = 5,
    ALU_XOR = 6,
    ALU_CMP = 7,
};

/* The /digit of the shift group (0xc1, 0xd3). */
enum x86_shift { SH_ROL = 0, SH_ROR = 1, SH_SHL = 4, SH_SHR = 5, SH_SAR = 7 };

/* An output buffer. */
typedef struct x86_buf {
    uint8_t *p;   /* next byte */
    uint8_t *end; /* one past the last usable byte */
    bool full;    /* a write did not fit (the translation is abandoned) */
} x86_buf_t;

/* Assembling one instruction. Its bytes go straight into the buffer through a local cursor,
 * after one room check for the longest form: writing the buffer a byte at a time through
 * x86_byte made every byte reload the buffer's pointers (a byte store may alias them), about
 * a tenth of the translation time of a large program such as cc1. When fewer than
 * X86_MAX_INSN bytes are left, the bytes are assembled in `tmp` and copied byte by byte, so
 * a full buffer sets `full` exactly as before. Usage:
 *     uint8_t tmp[X86_MAX_INSN], *s = x86_begin(b, tmp), *p = s;
 *     p = x86_enc_...(p, ...); ...
 *     x86_end(b, tmp, s, p); */
#define X86_MAX_INSN 16

static inline void x86_byte(x86_buf_t *b, unsigned v) {
    if (b->p < b->end)
        *b->p++ = (uint8_t)v;
    else
        b->full = true;
}
/* Where to assemble the next instruction: the buffer, or tmp near its end. */
static inline uint8_t *x86_begin(x86_buf_t *b, uint8_t *tmp) {
    return b->end - b->p >= X86_MAX_INSN ? b->p : tmp;
}
/* The instruction assembled from s to p is complete. */
static inline void x86_end(x86_buf_t *b, const uint8_t *tmp, const uint8_t *s, uint8_t *p) {
    if (s != tmp) {
        b->p = p;
        return;
    }
    for (const uint8_t *q = tmp; q < p; q++)
        x86_byte(b, *q);
}
static inline uint8_t *x86_enc_byte(uint8_t *p, unsigned v) {
    *p = (uint8_t)v;
    return p + 1;
}
static inline uint8_t *x86_enc_u32(uint8_t *p, uint32_t v) {
    memcpy(p, &v, 4);
    return p + 4;
}
static inline void x86_u32(x86_buf_t *b, uint32_t v) {
    uint8_t tmp[X86_MAX_INSN], *s = x86_begin(b, tmp);
    x86_end(b, tmp, s, x86_enc_u32(s, v));
}
static inline void x86_u64(x86_buf_t *b, uint64_t v) {
    x86_u32(b, (uint32_t)v);
    x86_u32(b, (uint32_t)(v >> 32));
}
static inline bool x86_fits_s8(int64_t v) {
    return v >= -128 && v <= 127;
}
static inline bool x86_fits_s32(int64_t v) {
    return v >= INT32_MIN && v <= INT32_MAX;
}

/* REX prefix: w = 64-bit operand; r, x, b = high bits of reg, index, base. `force` writes it
 * even when it would be 0x40 (8-bit registers 4..7). */
static inline uint8_t *x86_enc_rex(uint8_t *p, bool w, int r, int x, int base, bool force) {
    unsigned v = 0x40 | (w ? 8 : 0) | ((r & 8) ? 4 : 0) | ((x > 0 && (x & 8)) ? 2 : 0) |
                 ((base & 8) ? 1 : 0);
    return v != 0x40 || force ? x86_enc_byte(p, v) : p;
}
static inline void x86_rex(x86_buf_t *b, bool w, int r, int x, int base, bool force) {
    uint8_t tmp[X86_MAX_INSN], *s = x86_begin(b, tmp);
    x86_end(b, tmp, s, x86_enc_rex(s, w, r, x, base, force));
}

/* ModRM (+SIB, +displacement) for reg field `r` and memory [base + index*scale + disp]; index
 * X86_NOREG for none. */
static inline uint8_t *x86_enc_modrm_mem(uint8_t *p, int r, int base, int index, int scale,
                                         int32_t disp) {
    unsigned mod = disp == 0 && (base & 7) != RBP ? 0 : x86_fits_s8(disp) ? 1 : 2;
    bool sib = index != X86_NOREG || (base & 7) == RSP;
    p = x86_enc_byte(p, mod << 6 | (unsigned)(r & 7) << 3 | (sib ? 4u : (unsigned)(base & 7)));
    if (sib) {
        unsigned ss = scale == 8 ? 3 : scale == 4 ? 2 : scale == 2 ? 1 : 0;
        unsigned idx = index == X86_NOREG ? 4u : (unsigned)(index & 7);
        p = x86_enc_byte(p, ss << 6 | idx << 3 | (unsigned)(base & 7));
    }
    if (mod == 1) return x86_enc_byte(p, (uint8_t)(int8_t)disp);
    if (mod == 2) return x86_enc_u32(p, (uint32_t)disp);
    return p;
}

/* op reg, r/m with a register r/m (mod = 3). */
static inline uint8_t *x86_enc_op_rr(uint8_t *p, bool w, const uint8_t *op, int n, int reg, int rm,
                                     bool force) {
    p = x86_enc_rex(p, w, reg, X86_NOREG, rm, force);
    for (int i = 0; i < n; i++)
        p = x86_enc_byte(p, op[i]);
    return x86_enc_byte(p, 0xc0 | (unsigned)(reg & 7) << 3 | (unsigned)(rm & 7));
}
static inline void x86_op_rr(x86_buf_t *b, bool w, const uint8_t *op, int n, int reg, int rm,
                             bool force) {
    uint8_t tmp[X86_MAX_INSN], *s = x86_begin(b, tmp);
    x86_end(b, tmp, s, x86_enc_op_rr(s, w, op, n, reg, rm, force));
}

/* op reg, [base + index*scale + disp]. `pre` is a mandatory prefix (0x66, 0xf3) or 0. */
static inline uint8_t *x86_enc_op_rm(uint8_t *p, unsigned pre, bool w, const uint8_t *op, int n,
                                     int reg, int base, int index, int scale, int32_t disp,
                                     bool force) {
    if (pre) p = x86_enc_byte(p, pre);
    p = x86_enc_rex(p, w, reg, index, base, force);
    for (int i = 0; i < n; i++)
        p = x86_enc_byte(p, op[i]);
    return x86_enc_modrm_mem(p, reg, base, index, scale, disp);
}
static inline void x86_op_rm(x86_buf_t *b, unsigned pre, bool w, const uint8_t *op, int n, int reg,
                             int base, int index, int scale, int32_t disp, bool force) {
    uint8_t tmp[X86_MAX_INSN], *s = x86_begin(b, tmp);
    x86_end(b, tmp, s, x86_enc_op_rm(s, pre, w, op, n, reg, base, index, scale, disp, force));
}

#define X86_OP(...) ((const uint8_t[]){__VA_ARGS__}), (int)sizeof((const uint8_t[]){__VA_ARGS__})

/* mov dst, src (64-bit). */
static inline void x86_mov_rr(x86_buf_t *b, int dst, int src) {
    if (dst != src) x86_op_rr(b, true, X86_OP(0x8b), dst, src, false);
}
/* mov dst32, src32 (zero-extends). */
static inline void x86_mov32_rr(x86_buf_t *b, int dst, int src) {
    x86_op_rr(b, false, X86_OP(0x8b), dst, src, false);
}
/* mov dst, [base + disp] (64-bit load). */
static inline void x86_load64(x86_buf_t *b, int dst, int base, int32_t disp) {
    x86_op_rm(b, 0, true, X86_OP(0x8b), dst, base, X86_NOREG, 1, disp, false);
}
/* mov [base + disp], src (64-bit store). */
static inline void x86_store64(x86_buf_t *b, int base, int32_t disp, int src) {
    x86_op_rm(b, 0, true, X86_OP(0x89), src, base, X86_NOREG, 1, disp, false);
}
/* mov dst, imm (shortest form). */
static inline void x86_mov_ri(x86_buf_t *b, int dst, uint64_t imm) {
    uint8_t tmp[X86_MAX_INSN], *s = x86_begin(b, tmp), *p;
    if (imm == 0) { /* xor dst32, dst32 */
        p = x86_enc_op_rr(s, false, X86_OP(0x33), dst, dst, false);
    } else if (imm <= UINT32_MAX) { /* mov r32, imm32 */
        p = x86_enc_rex(s, false, 0, X86_NOREG, dst, false);
        p = x86_enc_byte(p, 0xb8 + (unsigned)(dst & 7));
        p = x86_enc_u32(p, (uint32_t)imm);
    } else if (x86_fits_s32((int64_t)imm)) { /* mov r/m64, simm32 */
        p = x86_enc_op_rr(s, true, X86_OP(0xc7), 0, dst, false);
        p = x86_enc_u32(p, (uint32_t)imm);
    } else {
        p = x86_enc_rex(s, true, 0, X86_NOREG, dst, false);
        p = x86_enc_byte(p, 0xb8 + (unsigned)(dst & 7));
        p = x86_enc_u32(p, (uint32_t)imm);
        p = x86_enc_u32(p, (uint32_t)(imm >> 32));
    }
    x86_end(b, tmp, s, p);
}
/* mov qword [base + disp], imm (through RAX-free forms: imm must fit in simm32, else `tmp`). */
static inline void x86_store_imm64(x86_buf_t *b, int base, int32_t disp, uint64_t imm, int tmp) {
    if (x86_fits_s32((int64_t)imm)) {
        uint8_t tmp[X86_MAX_INSN], *s = x86_begin(b, tmp);
        uint8_t *p = x86_enc_op_rm(s, 0, true, X86_OP(0xc7), 0, base, X86_NOREG, 1, disp, false);
        x86_end(b, tmp, s, x86_enc_u32(p, (uint32_t)imm));
    } else {
        x86_mov_ri(b, tmp, imm);
        x86_store64(b, base, disp, tmp);
    }
}

/* op dst, src for the ALU group (64-bit or 32-bit). */
static inline void x86_alu_rr(x86_buf_t *b, bool w, enum x86_alu op, int dst, int src) {
    x86_op_rr(b, w, X86_OP((uint8_t)(op * 8 + 1)), src, dst, false);
}
/* op dst, imm (sign-extended imm32). */
static inline void x86_alu_ri(x86_buf_t *b, bool w, enum x86_alu op, int dst, int32_t imm) {
    uint8_t tmp[X86_MAX_INSN], *s = x86_begin(b, tmp), *p;
    if (x86_fits_s8(imm)) {
        p = x86_enc_op_rr(s, w, X86_OP(0x83), (int)op, dst, false);
        p = x86_enc_byte(p, (uint8_t)(int8_t)imm);
    } else {
        p = x86_enc_op_rr(s, w, X86_OP(0x81), (int)op, dst, false);
        p = x86_enc_u32(p, (uint32_t)imm);
    }
    x86_end(b, tmp, s, p);
}
/* op reg, qword [base + disp] (e.g. cmp reg, [cpu + field]). */
static inline void x86_alu_rm(x86_buf_t *b, enum x86_alu op, int reg, int base, int32_t disp) {
    x86_op_rm(b, 0, true, X86_OP((uint8_t)(op * 8 + 3)), reg, base, X86_NOREG, 1, disp, false);
}
/* cmp byte [base + index], 0. */
static inline void x86_cmp8_mi0_idx(x86_buf_t *b, int base, int index) {
    uint8_t tmp[X86_MAX_INSN], *s = x86_begin(b, tmp);
    uint8_t *p = x86_enc_op_rm(s, 0, false, X86_OP(0x80), ALU_CMP, base, index, 1, 0, false);
    x86_end(b, tmp, s, x86_enc_byte(p, 0));
}
/* Shift by an immediate (64- or 32-bit). */
static inline void x86_shift_ri(x86_buf_t *b, bool w, enum x86_shift op, int dst, unsigned n) {
    uint8_t tmp[X86_MAX_INSN], *s = x86_begin(b, tmp);
    uint8_t *p = x86_enc_op_rr(s, w, X86_OP(0xc1), (int)op, dst, false);
    x86_end(b, tmp, s, x86_enc_byte(p, n));
}
/* Shift by CL. */
static inline void x86_shift_cl(x86_buf_t *b, bool w, enum x86_shift op, int dst) {
    x86_op_rr(b, w, X86_OP(0xd3), (int)op, dst, false);
}
/* imul dst, src (64 or 32 bit). */
static inline void x86_imul_rr(x86_buf_t *b, bool w, int dst, int src) {
    x86_op_rr(b, w, X86_OP(0x0f, 0xaf), dst, src, false);
}
/* The 0xf7 group on a register: 2 not, 3 neg, 4 mul, 5 imul, 6 div, 7 idiv (rdx:rax). */
static inline void x86_f7(x86_buf_t *b, bool w, int ext, int rm) {
    x86_op_rr(b, w, X86_OP(0xf7), ext, rm, false);
}
/* cqo (sign-extend rax into rdx) or cdq for 32 bits. */
static inline void x86_cqo(x86_buf_t *b, bool w) {
    if (w) x86_byte(b, 0x48);
    x86_byte(b, 0x99);
}
/* lea dst, [base + index*scale + disp] (index may be X86_NOREG). */
static inline void x86_lea(x86_buf_t *b, int dst, int base, int index, int scale, int32_t disp) {
    x86_op_rm(b, 0, true, X86_OP(0x8d), dst, base, index, scale, disp, false);
}
/* movsxd dst, src32. */
static inline void x86_movsxd_rr(x86_buf_t *b, int dst, int src) {
    x86_op_rr(b, true, X86_OP(0x63), dst, src, false);
}
/* movsx/movzx dst64, src8/src16. */
static inline void x86_movsx8_rr(x86_buf_t *b, int dst, int src) {
    x86_op_rr(b, true, X86_OP(0x0f, 0xbe), dst, src, true);
}
static inline void x86_movsx16_rr(x86_buf_t *b, int dst, int src) {
    x86_op_rr(b, true, X86_OP(0x0f, 0xbf), dst, src, false);
}
static inline void x86_movzx8_rr(x86_buf_t *b, int dst, int src) {
    x86_op_rr(b, false, X86_OP(0x0f, 0xb6), dst, src, true);
}
static inline void x86_movzx16_rr(x86_buf_t *b, int dst, int src) {
    x86_op_rr(b, false, X86_OP(0x0f, 0xb7), dst, src, false);
}

/* Guest loads: dst = extend(width bytes at [base + index + disp]), width 1, 2, 4, 8. */
static inline void x86_load_bid(x86_buf_t *b, int dst, int base, int index, int32_t disp,
                                unsigned width, bool sign) {
    switch (width) {
    case 1:
        if (sign)
            x86_op_rm(b, 0, true, X86_OP(0x0f, 0xbe), dst, base, index, 1, disp, false);
        else
            x86_op_rm(b, 0, false, X86_OP(0x0f, 0xb6), dst, base, index, 1, disp, false);
        break;
    case 2:
        if (sign)
            x86_op_rm(b, 0, true, X86_OP(0x0f, 0xbf), dst, base, index, 1, disp, false);
        else
            x86_op_rm(b, 0, false, X86_OP(0x0f, 0xb7), dst, base, index, 1, disp, false);
        break;
    case 4:
        if (sign)
            x86_op_rm(b, 0, true, X86_OP(0x63), dst, base, index, 1, disp, false);
        else
            x86_op_rm(b, 0, false, X86_OP(0x8b), dst, base, index, 1, disp, false);
        break;
    default: x86_op_rm(b, 0, true, X86_OP(0x8b), dst, base, index, 1, disp, false); break;
    }
}
/* The same without a displacement. */
static inline void x86_load_idx(x86_buf_t *b, int dst, int base, int index, unsigned width,
                                bool sign) {
    x86_load_bid(b, dst, base, index, 0, width, sign);
}
/* Guest stores: width bytes of src to [base + index + disp]. */
static inline void x86_store_bid(x86_buf_t *b, int base, int index, int32_t disp, int src,
                                 unsigned width) {
    switch (width) {
    case 1: x86_op_rm(b, 0, false, X86_OP(0x88), src, base, index, 1, disp, true); break;
    case 2: x86_op_rm(b, 0x66, false, X86_OP(0x89), src, base, index, 1, disp, false); break;
    case 4: x86_op_rm(b, 0, false, X86_OP(0x89), src, base, index, 1, disp, false); break;
    default: x86_op_rm(b, 0, true, X86_OP(0x89), src, base, index, 1, disp, false); break;
    }
}
/* The same without a displacement. */
static inline void x86_store_idx(x86_buf_t *b, int base, int index, int src, unsigned width) {
    x86_store_bid(b, base, index, 0, src, width);
}

/* setcc dst8 then movzx dst, dst8. */
static inline void x86_setcc(x86_buf_t *b, enum x86_cc cc, int dst) {
    x86_op_rr(b, false, X86_OP(0x0f, (uint8_t)(0x90 + cc)), 0, dst, true);
    x86_movzx8_rr(b, dst, dst);
}
/* cmovcc dst, src (64-bit). */
static inline void x86_cmov(x86_buf_t *b, enum x86_cc cc, int dst, int src) {
    x86_op_rr(b, true, X86_OP(0x0f, (uint8_t)(0x40 + cc)), dst, src, false);
}
/* bswap r64. */
static inline void x86_bswap(x86_buf_t *b, int r) {
    x86_rex(b, true, 0, X86_NOREG, r, false);
    x86_byte(b, 0x0f);
    x86_byte(b, 0xc8 + (unsigned)(r & 7));
}
/* f3 0f xx: lzcnt (0xbd), tzcnt (0xbc), popcnt (0xb8), 64- or 32-bit. */
static inline void x86_f3_0f(x86_buf_t *b, bool w, uint8_t op, int dst, int src) {
    x86_byte(b, 0xf3);
    x86_op_rr(b, w, X86_OP(0x0f, op), dst, src, false);
}
/* mfence. */
static inline void x86_mfence(x86_buf_t *b) {
    x86_byte(b, 0x0f);
    x86_byte(b, 0xae);
    x86_byte(b, 0xf0);
}

/* Jumps. A rel32 field is patched with x86_patch_rel32 once its target is known. */
static inline uint8_t *x86_jcc32(x86_buf_t *b, enum x86_cc cc) {
    uint8_t *field = b->end - b->p >= 2 ? b->p + 2 : b->end; /* as if written bytewise */
    uint8_t tmp[X86_MAX_INSN], *s = x86_begin(b, tmp);
    uint8_t *p = x86_enc_byte(x86_enc_byte(s, 0x0f), 0x80 + cc);
    x86_end(b, tmp, s, x86_enc_u32(p, 0));
    return field;
}
static inline uint8_t *x86_jmp32(x86_buf_t *b) {
    uint8_t *field = b->end - b->p >= 1 ? b->p + 1 : b->end;
    uint8_t tmp[X86_MAX_INSN], *s = x86_begin(b, tmp);
    x86_end(b, tmp, s, x86_enc_u32(x86_enc_byte(s, 0xe9), 0));
    return field;
}
/* Point the rel32 field at `field` to `target` (both in the same buffer view). */
static inline void x86_patch_rel32(uint8_t *field, const uint8_t *target) {
    int32_t rel = (int32_t)(target - (field + 4));
    memcpy(field, &rel, 4);
}
/* call r64 / jmp r64 / jmp qword [base + disp]. */
static inline void x86_call_r(x86_buf_t *b, int r) {
    x86_op_rr(b, false, X86_OP(0xff), 2, r, false);
}
static inline void x86_jmp_r(x86_buf_t *b, int r) {
    x86_op_rr(b, false, X86_OP(0xff), 4, r, false);
}
static inline void x86_jmp_m(x86_buf_t *b, int base, int32_t disp) {
    x86_op_rm(b, 0, false, X86_OP(0xff), 4, base, X86_NOREG, 1, disp, false);
}
/* push / pop r64, ret. */
static inline void x86_push(x86_buf_t *b, int r) {
    x86_rex(b, false, 0, X86_NOREG, r, false);
    x86_byte(b, 0x50 + (unsigned)(r & 7));
}
static inline void x86_pop(x86_buf_t *b, int r) {
    x86_rex(b, false, 0, X86_NOREG, r, false);
    x86_byte(b, 0x58 + (unsigned)(r & 7));
}
static inline void x86_ret(x86_buf_t *b) {
    x86_byte(b, 0xc3);
}
/* Pad with single-byte nops until (address + skew) is a multiple of `align`. */
static inline void x86_align(x86_buf_t *b, unsigned align, unsigned skew) {
    while (((uintptr_t)b->p + skew) % align && !b->full)
        x86_byte(b, 0x90);
}
