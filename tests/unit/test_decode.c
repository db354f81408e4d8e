/* test_decode.c - the instruction table and decoder: table consistency (no word matches two
 * entries), field extraction on encodings produced by an assembler, every compressed form
 * against its 32-bit expansion, the reserved compressed encodings, illegal words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "riscv/decode.h"

/* No two table entries can match the same word: on the bits both masks cover, their match
 * values must differ; the one exception is a hint (RV_F_HINT), a single word (mask M_ALL)
 * inside another entry's encodings. Every entry decodes its own match value to itself (so a
 * hint wins over the entry it lies in). */
static void table_is_unambiguous(void **state) {
    (void)state;
    for (unsigned i = 0; i < RV_I_illegal; i++) {
        const rv_insn_info_t *a = &rv_insn_table[i];
        assert_int_equal(a->match & ~a->mask, 0);
        for (unsigned j = i + 1; j < RV_I_illegal; j++) {
            const rv_insn_info_t *b = &rv_insn_table[j];
            uint32_t common = a->mask & b->mask;
            bool hint = ((a->flags | b->flags) & RV_F_HINT) &&
                        (a->mask == M_ALL || b->mask == M_ALL) &&
                        !(a->flags & b->flags & RV_F_HINT);
            if ((a->match & common) == (b->match & common) && !hint)
                fail_msg("%s overlaps %s", a->name, b->name);
        }
        rv_op_t op;
        uint32_t w = a->match;
        if ((a->flags & RV_F_RM) && ((w >> 12) & 7) >= 5) w &= ~(7u << 12);
        assert_true(rv_decode(w, &op));
        assert_int_equal(op.id, i);
        assert_int_equal(op.len, 4);
    }
}

/* Field extraction on assembler-produced words. */
static void fields(void **state) {
    (void)state;
    rv_op_t op;
    /* Zihintpause: only fence's exact word pred = W, succ = 0 is pause */
    assert_true(rv_decode(0x0100000f, &op)); /* pause */
    assert_int_equal(op.id, RV_I_pause);
    assert_true(rv_decode(0x0110000f, &op)); /* fence w, w */
    assert_int_equal(op.id, RV_I_fence);
    assert_true(rv_decode(0x0ff0000f, &op)); /* fence iorw, iorw */
    assert_int_equal(op.id, RV_I_fence);
    assert_true(rv_decode(0x0100008f, &op)); /* pred = W, succ = 0 with rd = x1: a fence */
    assert_int_equal(op.id, RV_I_fence);
    assert_true(rv_decode(0xfeb50ee3, &op)); /* beq a0, a1, .-4 */
    assert_int_equal(op.id, RV_I_beq);
    assert_int_equal(op.rs1, 10);
    assert_int_equal(op.rs2, 11);
    assert_int_equal(op.imm, -4);
    assert_true(rv_decode(0x7fe000ef, &op)); /* jal ra, .+0x7fe */
    assert_int_equal(op.id, RV_I_jal);
    assert_int_equal(op.rd, 1);
    assert_int_equal(op.imm, 0x7fe);
    assert_true(rv_decode(0xfec13c23, &op)); /* sd a2, -8(sp) */
    assert_int_equal(op.id, RV_I_sd);
    assert_int_equal(op.rs1, 2);
    assert_int_equal(op.rs2, 12);
    assert_int_equal(op.imm, -8);
    assert_true(rv_decode(0x12345537, &op)); /* lui a0, 0x12345 */
    assert_int_equal(op.id, RV_I_lui);
    assert_int_equal(op.imm, 0x12345000);
    assert_true(rv_decode(0x34059573, &op)); /* csrrw a0, mscratch, a1 */
    assert_int_equal(op.id, RV_I_csrrw);
    assert_int_equal(op.imm, 0x340);
    assert_int_equal(op.rs1, 11);
    assert_true(rv_decode(0x6ac59543, &op)); /* fmadd.d fa0, fa1, fa2, fa3, rtz */
    assert_int_equal(op.id, RV_I_fmadd_d);
    assert_int_equal(op.rd, 10);
    assert_int_equal(op.rs1, 11);
    assert_int_equal(op.rs2, 12);
    assert_int_equal(op.rs3, 13);
    assert_int_equal(op.rm, 1);
    assert_true(rv_decode(0x03f59513, &op)); /* slli a0, a1, 63 */
    assert_int_equal(op.id, RV_I_slli);
    assert_int_equal(op.imm, 63);
    assert_true(rv_decode(0x06b6352f, &op)); /* amoadd.d.aqrl a0, a1, (a2) */
    assert_int_equal(op.id, RV_I_amoadd_d);
    assert_true(rv_decode(0x7c0ff073, &op)); /* csrrci zero, 0x7c0, 31 */
    assert_int_equal(op.id, RV_I_csrrci);
    assert_int_equal(op.imm, 0x7c0);
    assert_int_equal(op.rs1, 31);
    assert_true(rv_decode(0x800302e7, &op)); /* jalr t0, -2048(t1) */
    assert_int_equal(op.id, RV_I_jalr);
    assert_int_equal(op.imm, -2048);
    assert_true(rv_decode(0x7e0fffe3, &op)); /* bgeu t6, zero, .+4094 */
    assert_int_equal(op.id, RV_I_bgeu);
    assert_int_equal(op.imm, 4094);
    assert_true(rv_decode(0xc0303453, &op)); /* fcvt.lu.s s0, ft0, rup */
    assert_int_equal(op.id, RV_I_fcvt_lu_s);
    assert_int_equal(op.rm, 3);
    assert_true(rv_decode(0x41f5551b, &op)); /* sraiw a0, a0, 31 */
    assert_int_equal(op.id, RV_I_sraiw);
    assert_int_equal(op.imm, 31);
    assert_true(rv_decode(0x1405a52f, &op)); /* lr.w.aq a0, (a1) */
    assert_int_equal(op.id, RV_I_lr_w);
}

/* Every compressed form (assembled with .option rvc) against the 32-bit form of the same
 * instruction (assembled with .option norvc). */
static const struct {
    uint16_t c;
    uint32_t w;
} cpairs[] = {
#include "test_decode_cpairs.inc"
};

static void compressed_forms(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof(cpairs) / sizeof(cpairs[0]); i++) {
        uint32_t got = rv_expand_compressed(cpairs[i].c);
        if (got != cpairs[i].w)
            fail_msg("0x%04x expanded to 0x%08x, want 0x%08x", cpairs[i].c, got, cpairs[i].w);
        rv_op_t a, b;
        assert_true(rv_decode(cpairs[i].c, &a));
        assert_true(rv_decode(cpairs[i].w, &b));
        assert_int_equal(a.len, 2);
        assert_int_equal(a.id, b.id);
        assert_int_equal(a.imm, b.imm);
        assert_int_equal(a.rd, b.rd);
        assert_int_equal(a.rs1, b.rs1);
        assert_int_equal(a.rs2, b.rs2);
    }
}

/* Reserved and illegal compressed encodings, and that every 16-bit word either expands to a
 * decodable instruction or is illegal (never a half-decoded op). */
static void compressed_reserved(void **state) {
    (void)state;
    static const uint16_t bad[] = {
        0x0000, /* all zero: c.addi4spn with imm 0 */
        0x0010, /* c.addi4spn a2, sp, 0 */
        0x8000, /* quadrant 0 funct3 100 */
        0x2001, /* c.addiw x0 */
        0x6101, /* c.addi16sp 0 */
        0x6581, /* c.lui a1, 0 */
        0x6001, /* c.lui x0, 0 */
        0x9c41, /* reserved ALU (funct 10, bit 12 set) */
        0x9c61, /* reserved ALU (funct 11, bit 12 set) */
        0x4002, /* c.lwsp x0 */
        0x6002, /* c.ldsp x0 */
        0x8002, /* c.jr x0 */
    };
    rv_op_t op;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(rv_expand_compressed(bad[i]), 0);
        assert_false(rv_decode(bad[i], &op));
        assert_int_equal(op.id, RV_I_illegal);
        assert_int_equal(op.imm, bad[i]);
        assert_int_equal(op.len, 2);
    }
    unsigned legal = 0;
    for (uint32_t c = 0; c < 0x10000; c++) {
        if ((c & 3) == 3) continue;
        uint32_t w = rv_expand_compressed((uint16_t)c);
        if (!w) continue;
        legal++;
        if (!rv_decode(w, &op)) fail_msg("0x%04x expands to undecodable 0x%08x", c, w);
    }
    assert_true(legal > 40000); /* most of the 49152 compressed words are legal */
}

static void illegal_words(void **state) {
    (void)state;
    rv_op_t op;
    static const uint32_t bad[] = {
        0xffffffff,            /* 0x7f opcode: longer encodings */
        0x0000001f,            /* 48-bit prefix */
        0x00000073 | 1u << 7,  /* ecall with rd != 0 */
        0x02b55053,            /* fadd.d with reserved rm 5 */
        0x02b56053,            /* fadd.d with reserved rm 6 */
        0x0200002b,            /* custom-1 opcode */
        0x00007003,            /* load funct3 7 */
        0x00004023,            /* store funct3 4 */
        0x10200073 | 1u << 15, /* sret with rs1 != 0 */
        0x12000073 | 1u << 7,  /* sfence.vma with rd != 0 */
        0x0000200f,            /* MISC-MEM funct3 2 */
        0x4000101b,            /* slliw with funct7 0x20 */
        0x0200101b,            /* slliw with shamt[5] set */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (rv_decode(bad[i], &op))
            fail_msg("0x%08x decoded as %s", bad[i], rv_insn_table[op.id].name);
        assert_int_equal(op.id, RV_I_illegal);
        assert_int_equal((uint32_t)op.imm, bad[i]);
    }
    /* rm 7 (dynamic) is legal at decode time */
    assert_true(rv_decode(0x02b57053, &op));
    assert_int_equal(op.id, RV_I_fadd_d);
}

static void disassembler(void **state) {
    (void)state;
    char buf[64];
    assert_string_equal(rv_disasm(0x00b50533, 0, buf, sizeof(buf)), "add a0, a0, a1");
    assert_string_equal(rv_disasm(0xfec13c23, 0, buf, sizeof(buf)), "sd a2, -8(sp)");
    assert_string_equal(rv_disasm(0xfeb50ee3, 0x1000, buf, sizeof(buf)), "beq a0, a1, 0xffc");
    assert_string_equal(rv_disasm(0x852e, 0, buf, sizeof(buf)), "add a0, zero, a1");
    assert_string_equal(rv_disasm(0xffffffff, 0, buf, sizeof(buf)), "illegal 0xffffffff");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_is_unambiguous), cmocka_unit_test(fields),
        cmocka_unit_test(compressed_forms),     cmocka_unit_test(compressed_reserved),
        cmocka_unit_test(illegal_words),        cmocka_unit_test(disassembler),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
