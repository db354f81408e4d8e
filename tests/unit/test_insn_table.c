/* test_insn_table.c - the instruction facts of insns.def (class, memory width and sign,
 * registers read and written) against what each instruction's encoding says. The expected
 * facts are derived here from the opcode, funct3/funct7 and operand format the decoder
 * uses, never from the columns or the order of the table, so a wrong column fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "riscv/decode.h"

static const char *const cls_name[] = {
    "PSEUDO", "ALU", "ALU32", "BRANCH", "JUMP", "LOAD", "STORE", "FLOAD",
    "FSTORE", "LR",  "SC",    "AMO",    "CSR",  "FP",   "FENCE", "SYSTEM",
};

/* The class an encoding belongs to. */
static unsigned expected_cls(uint32_t w) {
    uint32_t opc = w & 0x7f, f3 = w >> 12 & 7, f7 = w >> 25;
    switch (opc) {
    case 0x37:
    case 0x17:
    case 0x13:
    case 0x33: return RV_CLS_ALU;
    case 0x1b:
    case 0x3b: /* the W forms, but Zba's *.uw and zext.h produce 64-bit results */
        return f7 == 0x04 || f7 == 0x10 ? RV_CLS_ALU : RV_CLS_ALU32;
    case 0x6f:
    case 0x67: return RV_CLS_JUMP;
    case 0x63: return RV_CLS_BRANCH;
    case 0x03: return RV_CLS_LOAD;
    case 0x23: return RV_CLS_STORE;
    case 0x07: return RV_CLS_FLOAD;
    case 0x27: return RV_CLS_FSTORE;
    case 0x2f: return (w >> 27) == 0x02 ? RV_CLS_LR : (w >> 27) == 0x03 ? RV_CLS_SC : RV_CLS_AMO;
    case 0x73: return f3 ? RV_CLS_CSR : RV_CLS_SYSTEM;
    case 0x0f: return RV_CLS_FENCE;
    case 0x53:
    case 0x43:
    case 0x47:
    case 0x4b:
    case 0x4f: return RV_CLS_FP;
    default: return RV_CLS_PSEUDO;
    }
}

/* OP-FP instructions with an integer destination: fmv.x.*, fclass, compares, fcvt to int. */
static bool fp_int_result(uint32_t w) {
    uint32_t f7 = w >> 25;
    return (w & 0x7f) == 0x53 &&
           (f7 == 0x70 || f7 == 0x71 || f7 == 0x50 || f7 == 0x51 || f7 == 0x60 || f7 == 0x61);
}

/* OP-FP instructions with an integer source: fmv.*.x, fcvt from int. */
static bool fp_int_source(uint32_t w) {
    uint32_t f7 = w >> 25;
    return (w & 0x7f) == 0x53 && (f7 == 0x78 || f7 == 0x79 || f7 == 0x68 || f7 == 0x69);
}

/* The registers an encoding reads: from its operand format, whether the mask fixes the rs2
 * field (unary operations, lr), the CSR immediate forms, and the register file. */
static unsigned expected_reads(const rv_insn_info_t *in, unsigned cls) {
    uint32_t w = in->match;
    bool rs2_fixed = (in->mask & 0x01f00000u) == 0x01f00000u;
    unsigned r = 0;
    switch (in->fmt) {
    case RV_FMT_R: r = rs2_fixed ? RS1_X : RS1_X | RS2_X; break;
    case RV_FMT_R4: r = RS1_X | RS2_X | RS3_F; break;
    case RV_FMT_I:
    case RV_FMT_SH: r = RS1_X; break;
    case RV_FMT_S:
    case RV_FMT_B: r = RS1_X | RS2_X; break;
    case RV_FMT_CSR: r = (w >> 12 & 7) < 4 ? RS1_X : 0; break;
    default: r = 0; break;
    }
    if (cls == RV_CLS_FP) { /* FP operands, but an integer source of moves and conversions */
        unsigned f = 0;
        if (r & RS1_X) f |= fp_int_source(w) ? RS1_X : RS1_F;
        if (r & RS2_X) f |= RS2_F;
        if (r & RS3_F) f |= RS3_F;
        r = f;
    }
    if (cls == RV_CLS_FSTORE) r = RS1_X | RS2_F; /* the address is an integer */
    return r;
}

/* The register an encoding writes. */
static unsigned expected_writes(const rv_insn_info_t *in, unsigned cls) {
    switch (in->fmt) {
    case RV_FMT_S:
    case RV_FMT_B:
    case RV_FMT_NONE: return 0;
    default: break;
    }
    if (cls == RV_CLS_FLOAD) return RD_F;
    if (cls == RV_CLS_FP) return fp_int_result(in->match) ? RD_X : RD_F;
    if (cls == RV_CLS_SYSTEM) return 0; /* sfence.vma has R fields and writes nothing */
    return RD_X;
}

/* Every instruction: the decoder maps its encoding to it, and each column is what the
 * encoding says. */
static void columns_match_encodings(void **state) {
    (void)state;
    for (unsigned id = 0; id < RV_I_illegal; id++) {
        const rv_insn_info_t *in = &rv_insn_table[id];
        uint32_t w = in->match;
        if ((in->flags & RV_F_RM) && ((w >> 12) & 7) >= 5) w &= ~(7u << 12);
        rv_op_t op;
        assert_true(rv_decode(w, &op));
        assert_int_equal(op.id, id);

        unsigned cls = expected_cls(w);
        if (in->cls != cls)
            fail_msg("%s: class %s, its encoding says %s", in->name, cls_name[in->cls],
                     cls_name[cls]);

        uint32_t f3 = w >> 12 & 7;
        unsigned width = 0, sign = 0;
        switch (cls) {
        case RV_CLS_LOAD:
        case RV_CLS_STORE:
        case RV_CLS_FLOAD:
        case RV_CLS_FSTORE: width = 1u << (f3 & 3); break;
        case RV_CLS_LR:
        case RV_CLS_SC:
        case RV_CLS_AMO: width = f3 == 2 ? 4 : 8; break;
        default: break;
        }
        if (cls == RV_CLS_LOAD) sign = !(f3 & 4) && width < 8;
        if (cls == RV_CLS_LR || cls == RV_CLS_AMO) sign = width == 4;
        if (in->mem_width != width)
            fail_msg("%s: width %u, its encoding says %u", in->name, in->mem_width, width);
        if (in->mem_signed != sign)
            fail_msg("%s: signed %u, its encoding says %u", in->name, in->mem_signed, sign);

        unsigned reads = expected_reads(in, cls), writes = expected_writes(in, cls);
        if (in->reads != reads)
            fail_msg("%s: reads 0x%x, its encoding says 0x%x", in->name, in->reads, reads);
        if (in->writes != writes)
            fail_msg("%s: writes 0x%x, its encoding says 0x%x", in->name, in->writes, writes);
    }
}

/* Consistency between the columns and the older flags. */
static void columns_agree_with_flags(void **state) {
    (void)state;
    for (unsigned id = 0; id < RV_I_illegal; id++) {
        const rv_insn_info_t *in = &rv_insn_table[id];
        bool fp_cls = in->cls == RV_CLS_FP || in->cls == RV_CLS_FLOAD || in->cls == RV_CLS_FSTORE;
        if (!!(in->flags & RV_F_FP) != fp_cls)
            fail_msg("%s: RV_F_FP and class %s disagree", in->name, cls_name[in->cls]);
        bool ends = in->cls == RV_CLS_BRANCH || in->cls == RV_CLS_JUMP || in->cls == RV_CLS_CSR ||
                    in->cls == RV_CLS_SYSTEM || id == RV_I_fence_i;
        if (!!(in->flags & RV_F_END) != ends)
            fail_msg("%s: RV_F_END and class %s disagree", in->name, cls_name[in->cls]);
        /* the ALU classes write rd and nothing else: no memory, integer registers only */
        if (in->cls == RV_CLS_ALU || in->cls == RV_CLS_ALU32) {
            assert_int_equal(in->mem_width, 0);
            assert_int_equal(in->writes, RD_X);
            assert_int_equal(in->reads & ~(RS1_X | RS2_X), 0);
        }
        /* reads name sources only, writes one destination at most */
        assert_int_equal(in->reads & (RD_X | RD_F), 0);
        assert_int_equal(in->writes & ~(RD_X | RD_F), 0);
        assert_true(in->writes != (RD_X | RD_F));
        /* an instruction accessing memory computes its address from integer rs1 */
        if (in->mem_width) assert_true(in->reads & RS1_X);
        assert_true(in->mem_signed == 0 || in->mem_width < 8);
    }
}

/* Compressed instructions are their expansions: the columns of a decoded compressed load or
 * store give the width its C form implies. */
static void compressed_widths(void **state) {
    (void)state;
    static const struct {
        uint16_t c;     /* a compressed encoding */
        uint8_t width;  /* its access width */
        uint8_t cls;    /* its class */
        uint8_t writes; /* its destination */
    } cases[] = {
        {0x4108, 4, RV_CLS_LOAD, RD_X},  /* c.lw a0, 0(a0) */
        {0x6108, 8, RV_CLS_LOAD, RD_X},  /* c.ld a0, 0(a0) */
        {0x2108, 8, RV_CLS_FLOAD, RD_F}, /* c.fld fa0, 0(a0) */
        {0xc108, 4, RV_CLS_STORE, 0},    /* c.sw a0, 0(a0) */
        {0xe108, 8, RV_CLS_STORE, 0},    /* c.sd a0, 0(a0) */
        {0xa108, 8, RV_CLS_FSTORE, 0},   /* c.fsd fa0, 0(a0) */
        {0x4502, 4, RV_CLS_LOAD, RD_X},  /* c.lwsp a0, 0(sp) */
        {0x0505, 0, RV_CLS_ALU, RD_X},   /* c.addi a0, 1 */
        {0x2505, 0, RV_CLS_ALU32, RD_X}, /* c.addiw a0, 1 */
        {0x8082, 0, RV_CLS_JUMP, RD_X},  /* c.jr ra (jalr x0) */
        {0xc119, 0, RV_CLS_BRANCH, 0},   /* c.beqz a0, +6 */
        {0x9002, 0, RV_CLS_SYSTEM, 0},   /* c.ebreak */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        rv_op_t op;
        assert_true(rv_decode(cases[i].c, &op));
        assert_int_equal(op.len, 2);
        const rv_insn_info_t *in = &rv_insn_table[op.id];
        assert_int_equal(in->cls, cases[i].cls);
        assert_int_equal(in->mem_width, cases[i].width);
        assert_int_equal(in->writes, cases[i].writes);
    }
}

/* The pseudo-ops have entries (any id can be looked up) with no facts. */
static void pseudo_ops(void **state) {
    (void)state;
    for (unsigned id = RV_I_illegal; id < RV_I_COUNT; id++) {
        const rv_insn_info_t *in = &rv_insn_table[id];
        assert_non_null(in->name);
        assert_int_equal(in->cls, RV_CLS_PSEUDO);
        assert_int_equal(in->mask, 0);
        assert_int_equal(in->mem_width, 0);
        assert_int_equal(in->reads, 0);
        assert_int_equal(in->writes, 0);
    }
    for (unsigned id = 0; id < RV_I_illegal; id++)
        assert_int_not_equal(rv_insn_table[id].cls, RV_CLS_PSEUDO);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(columns_match_encodings),
        cmocka_unit_test(columns_agree_with_flags),
        cmocka_unit_test(compressed_widths),
        cmocka_unit_test(pseudo_ops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
