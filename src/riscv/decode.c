/* decode.c - instruction decoding for vm.
 *
 * 32-bit words are matched against the insns.def table (mask/match, exact masks, so the first
 * hit is the only one; hints, single words inside another entry's encodings, come first); the scan
 * is cheap because decoded blocks are cached. Compressed instructions are first expanded to their
 * 32-bit base form, rejecting every reserved and illegal C encoding, so the rest of vm only ever
 * sees base instructions (with len = 2).
 */
#include "riscv/decode.h"

#include <stdio.h>
#include <string.h>

/* One insns.def line's facts, in rv_insn_info_t's field order. */
#define RV_INFO(mn, mask, match, fmt, flags, cls, width, sign, reads, writes)                      \
    { mn, mask, match, RV_FMT_##fmt, flags, RV_CLS_##cls, width, sign, reads, writes }

const rv_insn_info_t rv_insn_table[RV_I_COUNT] = {
#define RV_INSN(name, ...) [RV_I_##name] = RV_INFO(__VA_ARGS__),
#include "riscv/insns.def"
#undef RV_INSN
    [RV_I_illegal] = {.name = "illegal", .cls = RV_CLS_PSEUDO},
    [RV_I_fetch_fault] = {.name = "fetch-fault", .cls = RV_CLS_PSEUDO},
    [RV_I_fallthrough] = {.name = "fallthrough", .cls = RV_CLS_PSEUDO},
    [RV_I_nop] = {.name = "nop", .cls = RV_CLS_PSEUDO},
};

/* 32-bit encoders used by the compressed expansion. */
static uint32_t enc_i(uint32_t op, uint32_t f3, uint32_t rd, uint32_t rs1, int32_t imm) {
    return op | rd << 7 | f3 << 12 | rs1 << 15 | ((uint32_t)imm & 0xfff) << 20;
}
static uint32_t enc_r(uint32_t op, uint32_t f3, uint32_t f7, uint32_t rd, uint32_t rs1,
                      uint32_t rs2) {
    return op | rd << 7 | f3 << 12 | rs1 << 15 | rs2 << 20 | f7 << 25;
}
static uint32_t enc_s(uint32_t op, uint32_t f3, uint32_t rs1, uint32_t rs2, int32_t imm) {
    uint32_t u = (uint32_t)imm;
    return op | (u & 0x1f) << 7 | f3 << 12 | rs1 << 15 | rs2 << 20 | (u >> 5 & 0x7f) << 25;
}
static uint32_t enc_b(uint32_t f3, uint32_t rs1, uint32_t rs2, int32_t imm) {
    uint32_t u = (uint32_t)imm;
    return 0x63 | (u >> 11 & 1) << 7 | (u >> 1 & 0xf) << 8 | f3 << 12 | rs1 << 15 | rs2 << 20 |
           (u >> 5 & 0x3f) << 25 | (u >> 12 & 1) << 31;
}
static uint32_t enc_j(uint32_t rd, int32_t imm) {
    uint32_t u = (uint32_t)imm;
    return 0x6f | rd << 7 | (u >> 12 & 0xff) << 12 | (u >> 11 & 1) << 20 | (u >> 1 & 0x3ff) << 21 |
           (u >> 20 & 1) << 31;
}

static uint32_t bit(uint32_t c, int n) {
    return c >> n & 1;
}
static uint32_t bits(uint32_t c, int hi, int lo) {
    return c >> lo & ((1u << (hi - lo + 1)) - 1);
}
static int32_t sext(uint32_t v, int width) {
    return (int32_t)(v << (32 - width)) >> (32 - width);
}

uint32_t rv_expand_compressed(uint16_t c16) {
    uint32_t c = c16;
    uint32_t f3 = bits(c, 15, 13);
    uint32_t rd = bits(c, 11, 7), rs2 = bits(c, 6, 2);
    uint32_t rdp = bits(c, 4, 2) + 8, rs1p = bits(c, 9, 7) + 8;
    int32_t imm6 = sext(bit(c, 12) << 5 | bits(c, 6, 2), 6);
    uint32_t uimm_d = bits(c, 12, 10) << 3 | bits(c, 6, 5) << 6; /* c.ld/c.sd/c.fld/c.fsd */
    uint32_t uimm_w = bits(c, 12, 10) << 3 | bit(c, 6) << 2 | bit(c, 5) << 6; /* c.lw/c.sw */
    switch ((c & 3) << 3 | f3) {
    case 000: { /* c.addi4spn */
        uint32_t nz = bits(c, 12, 11) << 4 | bits(c, 10, 7) << 6 | bit(c, 6) << 2 | bit(c, 5) << 3;
        if (nz == 0) return 0;
        return enc_i(0x13, 0, rdp, 2, (int32_t)nz);
    }
    case 001: return enc_i(0x07, 3, rdp, rs1p, (int32_t)uimm_d); /* c.fld */
    case 002: return enc_i(0x03, 2, rdp, rs1p, (int32_t)uimm_w); /* c.lw */
    case 003: return enc_i(0x03, 3, rdp, rs1p, (int32_t)uimm_d); /* c.ld */
    case 004: return 0;                                          /* reserved */
    case 005: return enc_s(0x27, 3, rs1p, rdp, (int32_t)uimm_d); /* c.fsd */
    case 006: return enc_s(0x23, 2, rs1p, rdp, (int32_t)uimm_w); /* c.sw */
    case 007: return enc_s(0x23, 3, rs1p, rdp, (int32_t)uimm_d); /* c.sd */
    case 010: return enc_i(0x13, 0, rd, rd, imm6);               /* c.addi / c.nop / hints */
    case 011:                                                    /* c.addiw */
        if (rd == 0) return 0;
        return enc_i(0x1b, 0, rd, rd, imm6);
    case 012: return enc_i(0x13, 0, rd, 0, imm6); /* c.li */
    case 013:
        if (rd == 2) { /* c.addi16sp */
            int32_t imm = sext(bit(c, 12) << 9 | bit(c, 6) << 4 | bit(c, 5) << 6 |
                                   bits(c, 4, 3) << 7 | bit(c, 2) << 5,
                               10);
            if (imm == 0) return 0;
            return enc_i(0x13, 0, 2, 2, imm);
        }
        if (imm6 == 0) return 0; /* c.lui with imm 0 is reserved */
        return 0x37 | rd << 7 | ((uint32_t)imm6 & 0xfffff) << 12;
    case 014: {
        uint32_t shamt = bit(c, 12) << 5 | bits(c, 6, 2);
        switch (bits(c, 11, 10)) {
        case 0: return enc_r(0x13, 5, 0, rs1p, rs1p, 0) | shamt << 20;    /* c.srli */
        case 1: return enc_r(0x13, 5, 0x20, rs1p, rs1p, 0) | shamt << 20; /* c.srai */
        case 2: return enc_i(0x13, 7, rs1p, rs1p, imm6);                  /* c.andi */
        default: {
            uint32_t r2 = bits(c, 4, 2) + 8;
            switch (bit(c, 12) << 2 | bits(c, 6, 5)) {
            case 0: return enc_r(0x33, 0, 0x20, rs1p, rs1p, r2); /* c.sub */
            case 1: return enc_r(0x33, 4, 0, rs1p, rs1p, r2);    /* c.xor */
            case 2: return enc_r(0x33, 6, 0, rs1p, rs1p, r2);    /* c.or */
            case 3: return enc_r(0x33, 7, 0, rs1p, rs1p, r2);    /* c.and */
            case 4: return enc_r(0x3b, 0, 0x20, rs1p, rs1p, r2); /* c.subw */
            case 5: return enc_r(0x3b, 0, 0, rs1p, rs1p, r2);    /* c.addw */
            default: return 0;                                   /* reserved */
            }
        }
        }
    }
    case 015: { /* c.j */
        int32_t off =
            sext(bit(c, 12) << 11 | bit(c, 11) << 4 | bits(c, 10, 9) << 8 | bit(c, 8) << 10 |
                     bit(c, 7) << 6 | bit(c, 6) << 7 | bits(c, 5, 3) << 1 | bit(c, 2) << 5,
                 12);
        return enc_j(0, off);
    }
    case 016:
    case 017: { /* c.beqz / c.bnez */
        int32_t off = sext(bit(c, 12) << 8 | bits(c, 11, 10) << 3 | bits(c, 6, 5) << 6 |
                               bits(c, 4, 3) << 1 | bit(c, 2) << 5,
                           9);
        return enc_b(f3 == 6 ? 0 : 1, rs1p, 0, off);
    }
    case 020: /* c.slli */
        return enc_r(0x13, 1, 0, rd, rd, 0) | (bit(c, 12) << 5 | bits(c, 6, 2)) << 20;
    case 021: /* c.fldsp */
        return enc_i(0x07, 3, rd, 2,
                     (int32_t)(bit(c, 12) << 5 | bits(c, 6, 5) << 3 | bits(c, 4, 2) << 6));
    case 022: /* c.lwsp */
        if (rd == 0) return 0;
        return enc_i(0x03, 2, rd, 2,
                     (int32_t)(bit(c, 12) << 5 | bits(c, 6, 4) << 2 | bits(c, 3, 2) << 6));
    case 023: /* c.ldsp */
        if (rd == 0) return 0;
        return enc_i(0x03, 3, rd, 2,
                     (int32_t)(bit(c, 12) << 5 | bits(c, 6, 5) << 3 | bits(c, 4, 2) << 6));
    case 024:
        if (!bit(c, 12)) {
            if (rs2 == 0) { /* c.jr */
                if (rd == 0) return 0;
                return enc_i(0x67, 0, 0, rd, 0);
            }
            return enc_r(0x33, 0, 0, rd, 0, rs2); /* c.mv */
        }
        if (rs2 == 0) {
            if (rd == 0) return 0x00100073;  /* c.ebreak */
            return enc_i(0x67, 0, 1, rd, 0); /* c.jalr */
        }
        return enc_r(0x33, 0, 0, rd, rd, rs2); /* c.add */
    case 025:                                  /* c.fsdsp */
        return enc_s(0x27, 3, 2, rs2, (int32_t)(bits(c, 12, 10) << 3 | bits(c, 9, 7) << 6));
    case 026: /* c.swsp */
        return enc_s(0x23, 2, 2, rs2, (int32_t)(bits(c, 12, 9) << 2 | bits(c, 8, 7) << 6));
    case 027: /* c.sdsp */
        return enc_s(0x23, 3, 2, rs2, (int32_t)(bits(c, 12, 10) << 3 | bits(c, 9, 7) << 6));
    default: return 0;
    }
}

/* The hints (RV_F_HINT entries), looked at before the rest of the table: each is one word
 * that another entry's encodings also hold (the decoder unit test decodes every entry's own
 * word to that entry, so a hint missing here fails it). */
static const uint16_t hints[] = {RV_I_pause};

/* Find the table entry of a 32-bit word, or RV_I_illegal. */
static unsigned lookup(uint32_t w) {
    if ((w & 3) != 3 || (w & 0x1c) == 0x1c) return RV_I_illegal;
    for (unsigned i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
        if (w == rv_insn_table[hints[i]].match) return hints[i];
    for (unsigned i = 0; i < RV_I_illegal; i++)
        if ((w & rv_insn_table[i].mask) == rv_insn_table[i].match &&
            !(rv_insn_table[i].flags & RV_F_HINT))
            return i;
    return RV_I_illegal;
}

bool rv_decode(uint32_t insn, rv_op_t *op) {
    memset(op, 0, sizeof(*op));
    uint32_t w = insn;
    op->len = 4;
    if ((insn & 3) != 3) {
        op->len = 2;
        insn &= 0xffff;
        w = rv_expand_compressed((uint16_t)insn);
    }
    unsigned id = w ? lookup(w) : RV_I_illegal;
    if (id != RV_I_illegal && (rv_insn_table[id].flags & RV_F_RM) && bits(w, 14, 12) >= 5 &&
        bits(w, 14, 12) != 7)
        id = RV_I_illegal; /* reserved rounding modes 5 and 6 */
    if (id == RV_I_illegal) {
        op->id = RV_I_illegal;
        op->imm = (int32_t)insn;
        return false;
    }
    op->id = (uint16_t)id;
    op->rd = (uint8_t)bits(w, 11, 7);
    op->rs1 = (uint8_t)bits(w, 19, 15);
    op->rs2 = (uint8_t)bits(w, 24, 20);
    op->rs3 = (uint8_t)bits(w, 31, 27);
    op->rm = (uint8_t)bits(w, 14, 12);
    switch (rv_insn_table[id].fmt) {
    case RV_FMT_I: op->imm = (int32_t)w >> 20; break;
    case RV_FMT_S: op->imm = ((int32_t)w >> 25) * 32 | (int32_t)bits(w, 11, 7); break;
    case RV_FMT_B:
        op->imm = sext(
            bit(w, 31) << 12 | bit(w, 7) << 11 | bits(w, 30, 25) << 5 | bits(w, 11, 8) << 1, 13);
        break;
    case RV_FMT_U: op->imm = (int32_t)(w & 0xfffff000u); break;
    case RV_FMT_J:
        op->imm = sext(
            bit(w, 31) << 20 | bits(w, 19, 12) << 12 | bit(w, 20) << 11 | bits(w, 30, 21) << 1, 21);
        break;
    case RV_FMT_SH: op->imm = (int32_t)bits(w, 25, 20); break;
    case RV_FMT_CSR: op->imm = (int32_t)bits(w, 31, 20); break;
    default: break;
    }
    return true;
}

static const char *const xname[32] = {"zero", "ra", "sp",  "gp",  "tp", "t0", "t1", "t2",
                                      "s0",   "s1", "a0",  "a1",  "a2", "a3", "a4", "a5",
                                      "a6",   "a7", "s2",  "s3",  "s4", "s5", "s6", "s7",
                                      "s8",   "s9", "s10", "s11", "t3", "t4", "t5", "t6"};

static void regname(char *b, size_t n, bool fp, unsigned r) {
    if (fp)
        snprintf(b, n, "f%u", r);
    else
        snprintf(b, n, "%s", xname[r]);
}

char *rv_disasm(uint32_t insn, uint64_t pc, char *buf, size_t len) {
    rv_op_t op;
    if (!rv_decode(insn, &op)) {
        snprintf(buf, len, "illegal 0x%x", (unsigned)op.imm);
        return buf;
    }
    const rv_insn_info_t *in = &rv_insn_table[op.id];
    bool fp = in->flags & RV_F_FP;
    char r[3][8];
    /* FP instructions name f-registers (integer operands of moves/converts are approximate). */
    regname(r[0], sizeof(r[0]), fp, op.rd);
    regname(r[1], sizeof(r[1]), fp, op.rs1);
    regname(r[2], sizeof(r[2]), fp, op.rs2);
    if (in->cls == RV_CLS_FLOAD || in->cls == RV_CLS_FSTORE)
        snprintf(r[1], sizeof(r[1]), "%s", xname[op.rs1]);
    switch (in->fmt) {
    case RV_FMT_NONE: snprintf(buf, len, "%s", in->name); break;
    case RV_FMT_R: snprintf(buf, len, "%s %s, %s, %s", in->name, r[0], r[1], r[2]); break;
    case RV_FMT_R4:
        snprintf(buf, len, "%s %s, %s, %s, f%u", in->name, r[0], r[1], r[2], op.rs3);
        break;
    case RV_FMT_I:
        if (in->cls == RV_CLS_LOAD)
            snprintf(buf, len, "%s %s, %d(%s)", in->name, r[0], op.imm, r[1]);
        else
            snprintf(buf, len, "%s %s, %s, %d", in->name, r[0], r[1], op.imm);
        break;
    case RV_FMT_S: snprintf(buf, len, "%s %s, %d(%s)", in->name, r[2], op.imm, r[1]); break;
    case RV_FMT_B:
        snprintf(buf, len, "%s %s, %s, 0x%llx", in->name, r[1], r[2],
                 (unsigned long long)(pc + (uint64_t)(int64_t)op.imm));
        break;
    case RV_FMT_U: snprintf(buf, len, "%s %s, 0x%x", in->name, r[0], (unsigned)op.imm >> 12); break;
    case RV_FMT_J:
        snprintf(buf, len, "%s %s, 0x%llx", in->name, r[0],
                 (unsigned long long)(pc + (uint64_t)(int64_t)op.imm));
        break;
    case RV_FMT_SH: snprintf(buf, len, "%s %s, %s, %d", in->name, r[0], r[1], op.imm); break;
    case RV_FMT_CSR:
        if (!(in->reads & RS1_X)) /* csrr*i: rs1 is an immediate */
            snprintf(buf, len, "%s %s, 0x%x, %u", in->name, r[0], (unsigned)op.imm, op.rs1);
        else
            snprintf(buf, len, "%s %s, 0x%x, %s", in->name, r[0], (unsigned)op.imm, r[1]);
        break;
    }
    return buf;
}
