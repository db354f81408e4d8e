/* test_emit.c - the JIT's x86-64 assembler (src/jit/x86_64/emit.h).
 *
 * Two properties. First, an instruction assembled near the end of the buffer (where the
 * assembler falls back from its one-check fast path to byte-by-byte copying) gives the same
 * bytes as in a roomy buffer, never writes past the end, and sets `full` exactly when it does
 * not fit. Second, where capstone is installed, every memory-operand form over all base and
 * index registers, scales and displacement sizes, and the immediate forms, decode to the
 * instruction meant: length, mnemonic, registers, scale, displacement and immediate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "jit/x86_64/emit.h"

#ifdef VM_TEST_CAPSTONE
/* capstone names its register enum x86_reg too: renamed here */
#define x86_reg cs_x86_reg
#include <capstone/capstone.h>
#undef x86_reg
#endif

/* One instruction form to assemble, with its operands. */
typedef struct form {
    int kind; /* which emitter (see emit_form) */
    int a, b, c, d;
    int64_t imm;
} form_t;

enum {
    F_LOAD64,
    F_STORE64,
    F_LEA,
    F_LOAD_IDX,
    F_STORE_IDX,
    F_MOV_RI,
    F_ALU_RI,
    F_SHIFT_RI,
    F_STORE_IMM,
    F_JCC,
    F_JMP,
    F_CMP8,
    F_COUNT
};

static void emit_form(x86_buf_t *b, const form_t *f) {
    switch (f->kind) {
    case F_LOAD64: x86_load64(b, f->a, f->b, (int32_t)f->imm); break;
    case F_STORE64: x86_store64(b, f->b, (int32_t)f->imm, f->a); break;
    case F_LEA: x86_lea(b, f->a, f->b, f->c, f->d, (int32_t)f->imm); break;
    case F_LOAD_IDX: x86_load_idx(b, f->a, f->b, f->c, (unsigned)f->d, f->imm != 0); break;
    case F_STORE_IDX: x86_store_idx(b, f->b, f->c, f->a, (unsigned)f->d); break;
    case F_MOV_RI: x86_mov_ri(b, f->a, (uint64_t)f->imm); break;
    case F_ALU_RI: x86_alu_ri(b, f->d != 0, (enum x86_alu)f->c, f->a, (int32_t)f->imm); break;
    case F_SHIFT_RI:
        x86_shift_ri(b, f->d != 0, (enum x86_shift)f->c, f->a, (unsigned)f->imm);
        break;
    case F_STORE_IMM: x86_store_imm64(b, f->b, (int32_t)f->c, (uint64_t)f->imm, f->a); break;
    case F_JCC: x86_jcc32(b, (enum x86_cc)f->c); break;
    case F_JMP: x86_jmp32(b); break;
    case F_CMP8: x86_cmp8_mi0_idx(b, f->b, f->c); break;
    }
}

/* Assemble f into a buffer of `room` usable bytes inside `store` (the rest 0xcc). */
static size_t emit_in(uint8_t *store, size_t cap, size_t room, const form_t *f, bool *full) {
    memset(store, 0xcc, cap);
    x86_buf_t b = {store, store + room, false};
    emit_form(&b, f);
    *full = b.full;
    return (size_t)(b.p - store);
}

static const int32_t disps[] = {0, 1, -1, 127, -128, 128, -129, 0x12345678, INT32_MIN};
static const int64_t imms[] = {0,           1,           -1,         127,
                               128,         0x7fffffff,  0x80000000, 0xffffffff,
                               0x100000000, -0x80000000, INT64_MIN,  0x123456789abcdef0};

/* A spread of forms: every register in each operand position once, every displacement. */
static size_t make_forms(form_t *out, size_t cap) {
    size_t n = 0;
#define ADD(...)                                                                                   \
    do {                                                                                           \
        if (n < cap) out[n++] = (form_t){__VA_ARGS__};                                             \
    } while (0)
    for (int r = 0; r < 16; r++)
        for (int base = 0; base < 16; base++)
            for (size_t d = 0; d < sizeof(disps) / sizeof(disps[0]); d++) {
                ADD(F_LOAD64, r, base, X86_NOREG, 1, disps[d]);
                ADD(F_STORE64, r, base, X86_NOREG, 1, disps[d]);
                int index = (r + base) % 16 == RSP ? X86_NOREG : (r + base) % 16;
                ADD(F_LEA, r, base, index, 1 << (d % 4), disps[d]);
            }
    for (int r = 0; r < 16; r++)
        for (int base = 0; base < 16; base++) {
            int index = base == RSP ? RAX : (base + 5) % 16 == RSP ? R12 : (base + 5) % 16;
            for (int w = 1; w <= 8; w *= 2) {
                ADD(F_LOAD_IDX, r, base, index, w, 0);
                ADD(F_LOAD_IDX, r, base, index, w, 1);
                ADD(F_STORE_IDX, r, base, index, w, 0);
            }
            ADD(F_CMP8, 0, base, index, 0, 0);
        }
    for (int r = 0; r < 16; r++)
        for (size_t i = 0; i < sizeof(imms) / sizeof(imms[0]); i++) {
            ADD(F_MOV_RI, r, 0, 0, 0, imms[i]);
            if (imms[i] >= INT32_MIN && imms[i] <= INT32_MAX) {
                ADD(F_ALU_RI, r, 0, (int)(i % 2 ? ALU_ADD : ALU_CMP), (int)(i % 3 != 0), imms[i]);
                ADD(F_ALU_RI, r, 0, ALU_XOR, 1, imms[i]);
            }
            ADD(F_STORE_IMM, r == RAX ? RCX : RAX, r, (int)disps[i % 9], 0, imms[i]);
        }
    for (int r = 0; r < 16; r++)
        for (unsigned k = 0; k < 64; k += 13) {
            ADD(F_SHIFT_RI, r, 0, SH_SHL, 1, k);
            ADD(F_SHIFT_RI, r, 0, SH_SAR, 0, k % 32);
        }
    for (int cc = 0; cc < 16; cc++)
        if (cc != 0xa && cc != 0xb) ADD(F_JCC, 0, 0, cc, 0, 0);
    ADD(F_JMP, 0, 0, 0, 0, 0);
#undef ADD
    return n;
}

static form_t forms[16384];
static size_t nforms;

static int setup(void **state) {
    (void)state;
    nforms = make_forms(forms, sizeof(forms) / sizeof(forms[0]));
    return nforms < sizeof(forms) / sizeof(forms[0]) ? 0 : -1;
}

/* Every form at every distance from the buffer's end: the same bytes as far as they fit,
 * nothing written past the end, `full` exactly when the form does not fit. */
static void near_end_matches(void **state) {
    (void)state;
    uint8_t ref[64], got[64];
    for (size_t i = 0; i < nforms; i++) {
        bool full;
        size_t n = emit_in(ref, sizeof(ref), sizeof(ref), &forms[i], &full);
        assert_false(full);
        assert_true(n >= 1 && n <= 2 * X86_MAX_INSN); /* x86_store_imm64: up to two */
        for (size_t room = 0; room <= n + X86_MAX_INSN + 1; room++) {
            size_t m = emit_in(got, sizeof(got), room, &forms[i], &full);
            size_t fit = n < room ? n : room;
            assert_int_equal(m, fit);
            assert_int_equal(full, n > room);
            assert_memory_equal(got, ref, fit);
            for (size_t k = room; k < sizeof(got); k++)
                if (got[k] != 0xcc) fail_msg("form %zu: byte %zu past the end written", i, k);
        }
    }
}

/* Two instructions in a row: the second starts where the first ended (the fast path's copy
 * of a whole X86_MAX_INSN bytes leaves no stray bytes in what follows). */
static void back_to_back(void **state) {
    (void)state;
    uint8_t buf[256], one[64];
    for (size_t i = 0; i + 1 < nforms; i += 7) {
        bool full;
        size_t n1 = emit_in(one, sizeof(one), sizeof(one), &forms[i], &full);
        uint8_t first[64];
        memcpy(first, one, n1);
        size_t n2 = emit_in(one, sizeof(one), sizeof(one), &forms[i + 1], &full);
        memset(buf, 0xcc, sizeof(buf));
        x86_buf_t b = {buf, buf + sizeof(buf), false};
        emit_form(&b, &forms[i]);
        emit_form(&b, &forms[i + 1]);
        assert_false(b.full);
        assert_int_equal(b.p - buf, (ptrdiff_t)(n1 + n2));
        assert_memory_equal(buf, first, n1);
        assert_memory_equal(buf + n1, one, n2);
    }
}

#ifdef VM_TEST_CAPSTONE
static const cs_x86_reg cs64[16] = {X86_REG_RAX, X86_REG_RCX, X86_REG_RDX, X86_REG_RBX,
                                    X86_REG_RSP, X86_REG_RBP, X86_REG_RSI, X86_REG_RDI,
                                    X86_REG_R8,  X86_REG_R9,  X86_REG_R10, X86_REG_R11,
                                    X86_REG_R12, X86_REG_R13, X86_REG_R14, X86_REG_R15};
static const cs_x86_reg cs32[16] = {X86_REG_EAX,  X86_REG_ECX,  X86_REG_EDX,  X86_REG_EBX,
                                    X86_REG_ESP,  X86_REG_EBP,  X86_REG_ESI,  X86_REG_EDI,
                                    X86_REG_R8D,  X86_REG_R9D,  X86_REG_R10D, X86_REG_R11D,
                                    X86_REG_R12D, X86_REG_R13D, X86_REG_R14D, X86_REG_R15D};
static const cs_x86_reg cs16[16] = {X86_REG_AX,   X86_REG_CX,   X86_REG_DX,   X86_REG_BX,
                                    X86_REG_SP,   X86_REG_BP,   X86_REG_SI,   X86_REG_DI,
                                    X86_REG_R8W,  X86_REG_R9W,  X86_REG_R10W, X86_REG_R11W,
                                    X86_REG_R12W, X86_REG_R13W, X86_REG_R14W, X86_REG_R15W};
static const cs_x86_reg cs8[16] = {X86_REG_AL,   X86_REG_CL,   X86_REG_DL,   X86_REG_BL,
                                   X86_REG_SPL,  X86_REG_BPL,  X86_REG_SIL,  X86_REG_DIL,
                                   X86_REG_R8B,  X86_REG_R9B,  X86_REG_R10B, X86_REG_R11B,
                                   X86_REG_R12B, X86_REG_R13B, X86_REG_R14B, X86_REG_R15B};

static void expect_reg(const cs_x86_op *o, cs_x86_reg r, size_t i) {
    if (o->type != X86_OP_REG || o->reg != r)
        fail_msg("form %zu: register operand %d, expected %d", i, o->reg, r);
}
static void expect_mem(const cs_x86_op *o, int base, int index, int scale, int64_t disp, size_t i) {
    if (o->type != X86_OP_MEM) fail_msg("form %zu: not a memory operand", i);
    cs_x86_reg want_index = index == X86_NOREG ? X86_REG_INVALID : cs64[index];
    if (o->mem.base != cs64[base] || o->mem.index != want_index || o->mem.disp != disp ||
        (index != X86_NOREG && o->mem.scale != scale))
        fail_msg("form %zu: memory operand base %d index %d scale %d disp %lld", i, o->mem.base,
                 o->mem.index, o->mem.scale, (long long)o->mem.disp);
}
static void expect_mnemonic(const cs_insn *in, const char *m, size_t i) {
    if (strcmp(in->mnemonic, m)) fail_msg("form %zu: %s, expected %s", i, in->mnemonic, m);
}

/* Check one decoded instruction against its form. */
static void check_decoded(const form_t *f, const cs_insn *in, size_t i) {
    const cs_x86 *x = &in->detail->x86;
    const cs_x86_op *o = x->operands;
    switch (f->kind) {
    case F_LOAD64:
        expect_mnemonic(in, "mov", i);
        expect_reg(&o[0], cs64[f->a], i);
        expect_mem(&o[1], f->b, X86_NOREG, 1, f->imm, i);
        break;
    case F_STORE64:
        expect_mnemonic(in, "mov", i);
        expect_mem(&o[0], f->b, X86_NOREG, 1, f->imm, i);
        expect_reg(&o[1], cs64[f->a], i);
        break;
    case F_LEA:
        expect_mnemonic(in, "lea", i);
        expect_reg(&o[0], cs64[f->a], i);
        expect_mem(&o[1], f->b, f->c, f->d, f->imm, i);
        break;
    case F_LOAD_IDX: {
        static const char *const sx[] = {"", "movsx", "movsx", "", "movsxd", "", "", "", "mov"};
        static const char *const zx[] = {"", "movzx", "movzx", "", "mov", "", "", "", "mov"};
        expect_mnemonic(in, (f->imm ? sx : zx)[f->d], i);
        bool wide = f->imm || f->d == 8;
        expect_reg(&o[0], wide ? cs64[f->a] : cs32[f->a], i);
        expect_mem(&o[1], f->b, f->c, 1, 0, i);
        if (o[1].size != f->d) fail_msg("form %zu: load of %u bytes", i, o[1].size);
        break;
    }
    case F_STORE_IDX: {
        const cs_x86_reg *set = f->d == 1 ? cs8 : f->d == 2 ? cs16 : f->d == 4 ? cs32 : cs64;
        expect_mnemonic(in, "mov", i);
        expect_mem(&o[0], f->b, f->c, 1, 0, i);
        expect_reg(&o[1], set[f->a], i);
        break;
    }
    case F_MOV_RI:
        if (f->imm == 0) {
            expect_mnemonic(in, "xor", i);
            expect_reg(&o[0], cs32[f->a], i);
            expect_reg(&o[1], cs32[f->a], i);
        } else {
            bool narrow = (uint64_t)f->imm <= UINT32_MAX;
            bool s32 = f->imm >= INT32_MIN && f->imm <= INT32_MAX;
            expect_mnemonic(in, narrow || s32 ? "mov" : "movabs", i);
            expect_reg(&o[0], narrow ? cs32[f->a] : cs64[f->a], i);
            if (o[1].type != X86_OP_IMM ||
                (uint64_t)o[1].imm != (narrow ? (uint64_t)(uint32_t)f->imm : (uint64_t)f->imm))
                fail_msg("form %zu: immediate %llx", i, (unsigned long long)o[1].imm);
        }
        break;
    case F_ALU_RI: {
        const char *m = f->c == ALU_ADD ? "add" : f->c == ALU_CMP ? "cmp" : "xor";
        expect_mnemonic(in, m, i);
        expect_reg(&o[0], f->d ? cs64[f->a] : cs32[f->a], i);
        int64_t want = f->d ? f->imm : (int64_t)(uint32_t)f->imm;
        if (o[1].type != X86_OP_IMM || (f->d ? o[1].imm : (int64_t)(uint32_t)o[1].imm) != want)
            fail_msg("form %zu: immediate %llx", i, (unsigned long long)o[1].imm);
        break;
    }
    case F_SHIFT_RI:
        expect_mnemonic(in, f->c == SH_SHL ? "shl" : "sar", i);
        expect_reg(&o[0], f->d ? cs64[f->a] : cs32[f->a], i);
        if (o[1].type != X86_OP_IMM || o[1].imm != f->imm) fail_msg("form %zu: shift count", i);
        break;
    case F_STORE_IMM: /* the first of one or two instructions */
        if (f->imm >= INT32_MIN && f->imm <= INT32_MAX) {
            expect_mnemonic(in, "mov", i);
            expect_mem(&o[0], f->b, X86_NOREG, 1, f->c, i);
            if (o[1].type != X86_OP_IMM || o[1].imm != f->imm) fail_msg("form %zu: imm", i);
        } else {
            expect_reg(&o[0], ((uint64_t)f->imm <= UINT32_MAX ? cs32 : cs64)[f->a], i);
        }
        break;
    case F_JCC:
    case F_JMP:
        if (in->size != (f->kind == F_JMP ? 5 : 6))
            fail_msg("form %zu: jump of %u bytes", i, in->size);
        if (o[0].type != X86_OP_IMM || (uint64_t)o[0].imm != 0x1000u + (uint64_t)in->size)
            fail_msg("form %zu: jump target", i);
        break;
    case F_CMP8:
        expect_mnemonic(in, "cmp", i);
        expect_mem(&o[0], f->b, f->c, 1, 0, i);
        if (o[0].size != 1 || o[1].type != X86_OP_IMM || o[1].imm != 0)
            fail_msg("form %zu: cmp byte, 0", i);
        break;
    }
}

/* Each form decodes to exactly the bytes emitted and to the instruction meant. */
static void decodes_as_meant(void **state) {
    (void)state;
    csh h;
    assert_int_equal(cs_open(CS_ARCH_X86, CS_MODE_64, &h), CS_ERR_OK);
    cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
    uint8_t buf[64];
    for (size_t i = 0; i < nforms; i++) {
        bool full;
        size_t n = emit_in(buf, sizeof(buf), sizeof(buf), &forms[i], &full);
        cs_insn *in = NULL;
        size_t count = cs_disasm(h, buf, n, 0x1000, 0, &in);
        if (count == 0) fail_msg("form %zu (kind %d): not decodable", i, forms[i].kind);
        size_t total = 0;
        for (size_t k = 0; k < count; k++)
            total += in[k].size;
        if (total != n) fail_msg("form %zu: %zu bytes emitted, %zu decoded", i, n, total);
        if (count !=
            (forms[i].kind == F_STORE_IMM && (forms[i].imm < INT32_MIN || forms[i].imm > INT32_MAX)
                 ? 2u
                 : 1u))
            fail_msg("form %zu: %zu instructions", i, count);
        check_decoded(&forms[i], &in[0], i);
        cs_free(in, count);
    }
    cs_close(&h);
}
#else
static void decodes_as_meant(void **state) {
    (void)state;
    skip(); /* capstone (libcapstone-dev) is not installed: no decoder to check against */
}
#endif

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(near_end_matches),
        cmocka_unit_test(back_to_back),
        cmocka_unit_test(decodes_as_meant),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
