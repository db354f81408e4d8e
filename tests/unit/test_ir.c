/* test_ir.c - the JIT's IR (src/jit/ir.h): builder, optimiser and register allocator.
 *
 * The optimiser is checked two ways: targeted cases (a folded constant, a propagated copy, a
 * folded sign extension, a removed dead value, an immediate operand) look at the nodes it
 * leaves, and a randomised differential test runs thousands of random sequences of the
 * integer instructions the IR covers three ways - the interpreter's own semantics (rv_exec1),
 * the IR as built, and the IR after optimisation and allocation (by a small evaluator of IR
 * nodes here) - and compares every guest register. The allocator is checked by ir_verify
 * (no two live values share a register or a slot, homes hold their register's current
 * value) on those sequences and under forced pressure: every guest register live at once,
 * with a pool of 3, of 0 and of 31 registers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "exec/exec1.h"
#include "jit/ir.h"
#include "riscv/cpu.h"

#define PC0 0x10000u

/* Homes like the x86-64 backend's (eight pinned registers) and a pool of three others. */
static const int8_t pinned[32] = {
    [15] = 3, [14] = 5, [2] = 12, [10] = 13, [13] = 6, [8] = 7, [12] = 8, [11] = 9};
static const int8_t pool3[] = {1, 2, 11};
static int8_t homes_x86[32], no_homes[32];

static void init_homes(void) {
    for (unsigned g = 0; g < 32; g++) {
        homes_x86[g] = g && pinned[g] ? pinned[g] : -1;
        no_homes[g] = -1;
    }
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static rv_op_t mk(unsigned id, unsigned rd, unsigned rs1, unsigned rs2, int32_t imm) {
    return (rv_op_t){.id = (uint16_t)id,
                     .rd = (uint8_t)rd,
                     .rs1 = (uint8_t)rs1,
                     .rs2 = (uint8_t)rs2,
                     .len = 4,
                     .imm = imm};
}

/* Whether build() lets the IR embed instructions it does not model (IR_INSN). */
static bool build_embed;

/* Build the IR of ops[0..n) followed by a direct jump. */
static void build(ir_t *ir, const int8_t home[32], const rv_op_t *ops, unsigned n) {
    ir_begin(ir, home, true);
    ir->embed = build_embed;
    for (unsigned i = 0; i < n; i++) {
        bool ends;
        uint64_t cont;
        assert_true(ir_add(ir, &ops[i], PC0 + 4 * i, i, &ends, &cont));
        assert_false(ends);
    }
    ir_end_jump(ir, PC0 + 4 * n, n);
    assert_false(ir->overflow);
    assert_null(ir_verify(ir, false));
}

/* The value of operand u when it is read: a get read in place (IR_F_INX) is what its guest
 * register holds now, as the backend reads it; anything else what its node computed. */
static uint64_t operand(const ir_t *ir, const uint64_t *v, const uint64_t *x, uint16_t u) {
    const ir_node_t *m = &ir->n[u];
    return m->op == IR_GET && (m->flags & IR_F_INX) ? x[m->g] : v[u];
}

/* The value of operand u of a value sunk into the exits, read where an exit put computes it:
 * one in a home (a constant too) is what that home holds there, as the backend reads it. */
static uint64_t sunk_operand(const ir_t *ir, const uint64_t *v, const uint64_t *x, uint16_t u) {
    const ir_node_t *m = &ir->n[u];
    return m->home >= 0 ? x[m->g] : operand(ir, v, x, u);
}

/* The value of pure node n (ADD .. ROR) on its operands as they are read now (n is sunk). */
static uint64_t eval_pure(const ir_t *ir, const uint64_t *v, const uint64_t *x,
                          const ir_node_t *n) {
    uint64_t a = sunk_operand(ir, v, x, n->a);
    uint64_t b = (n->flags & IR_F_IMM) ? (uint64_t)n->imm : sunk_operand(ir, v, x, n->b);
    bool w = n->flags & IR_F_W;
    uint32_t a32 = (uint32_t)a, b32 = (uint32_t)b;
    switch (n->op) {
    case IR_ADD: return w ? (uint64_t)(int64_t)(int32_t)(a32 + b32) : a + b;
    case IR_SUB: return w ? (uint64_t)(int64_t)(int32_t)(a32 - b32) : a - b;
    case IR_AND: return a & b;
    case IR_OR: return a | b;
    case IR_XOR: return a ^ b;
    case IR_SHL: return w ? (uint64_t)(int64_t)(int32_t)(a32 << (b & 31)) : a << (b & 63);
    case IR_SHR: return w ? (uint64_t)(int64_t)(int32_t)(a32 >> (b & 31)) : a >> (b & 63);
    case IR_SAR:
        return w ? (uint64_t)(int64_t)((int32_t)a32 >> (b & 31))
                 : (uint64_t)((int64_t)a >> (b & 63));
    case IR_SLT: return (int64_t)a < (int64_t)b;
    case IR_SLTU: return a < b;
    case IR_MUL: return w ? (uint64_t)(int64_t)(int32_t)(a32 * b32) : a * b;
    case IR_MULDIV: return (uint64_t)ir_muldiv_eval(n->aux, w, a, b);
    case IR_ROR:
        if (w)
            return (uint64_t)(int64_t)(int32_t)(b & 31 ? a32 >> (b & 31) | a32 << (32 - (b & 31))
                                                       : a32);
        return b & 63 ? a >> (b & 63) | a << (64 - (b & 63)) : a;
    default: fail_msg("not a pure node: %s", ir_op_name(n->op));
    }
    return 0;
}

/* Back edges eval may take before the budget check leaves at the next one. */
static unsigned eval_budget;

/* When set (straight-line paths): the interpreter's registers before each instruction of the
 * path, which the canonical state must equal at every embedded instruction (a point that
 * observes the whole state). */
static const uint64_t (*eval_ref)[32];

/* Evaluate the IR's effect on the guest registers x (no memory nodes here). An embedded
 * instruction runs through rv_exec1 on the canonical state (x: the builder made it current
 * before the node). A branch that is taken makes its exit puts and ends the run (returns
 * true); one that is not drops them. A loop's back edge (IR_F_LOOP), taken, makes its moves
 * all at once and goes on at the loop head, eval_budget times; the next time it leaves as
 * the budget check does (its exit puts, then true). A value sunk into the exits (IR_F_SINK)
 * is computed where an exit put reads it, from its operands as they are there. */
static bool eval(const ir_t *ir, uint64_t x[32]) {
    static uint64_t v[IR_MAX_NODES];
    static rv_cpu_t ecpu;
    unsigned npend = 0, nmove = 0, edges = 0;
    struct {
        unsigned g;
        uint16_t sink; /* a sunk value: computed when the put is made, or IR_NONE */
        uint64_t v;
    } pend[32];
    struct {
        uint16_t dst;
        uint64_t v;
    } moves[32];
    for (unsigned i = 0; i < ir->count; i++) {
        const ir_node_t *n = &ir->n[i];
        if (n->flags & (IR_F_DEAD | IR_F_SINK)) continue;
        uint64_t a = n->a != IR_NONE ? operand(ir, v, x, n->a) : 0;
        uint64_t b = (n->flags & IR_F_IMM) ? (uint64_t)n->imm
                     : n->b != IR_NONE     ? operand(ir, v, x, n->b)
                                           : 0;
        bool w = n->flags & IR_F_W;
        uint32_t a32 = (uint32_t)a, b32 = (uint32_t)b;
        uint64_t r = 0;
        switch (n->op) {
        case IR_GET: r = x[n->g]; break;
        case IR_CONST: r = (uint64_t)n->imm; break;
        case IR_COPY: r = a; break;
        case IR_ADD: r = w ? (uint64_t)(int64_t)(int32_t)(a32 + b32) : a + b; break;
        case IR_SUB: r = w ? (uint64_t)(int64_t)(int32_t)(a32 - b32) : a - b; break;
        case IR_AND: r = a & b; break;
        case IR_OR: r = a | b; break;
        case IR_XOR: r = a ^ b; break;
        case IR_SHL: r = w ? (uint64_t)(int64_t)(int32_t)(a32 << (b & 31)) : a << (b & 63); break;
        case IR_SHR: r = w ? (uint64_t)(int64_t)(int32_t)(a32 >> (b & 31)) : a >> (b & 63); break;
        case IR_SAR:
            r = w ? (uint64_t)(int64_t)((int32_t)a32 >> (b & 31))
                  : (uint64_t)((int64_t)a >> (b & 63));
            break;
        case IR_SLT: r = (int64_t)a < (int64_t)b; break;
        case IR_SLTU: r = a < b; break;
        case IR_MUL: r = w ? (uint64_t)(int64_t)(int32_t)(a32 * b32) : a * b; break;
        case IR_MULDIV: r = (uint64_t)ir_muldiv_eval(n->aux, w, a, b); break;
        case IR_ROR:
            if (w)
                r = (uint64_t)(int64_t)(int32_t)(b & 31 ? a32 >> (b & 31) | a32 << (32 - (b & 31))
                                                        : a32);
            else
                r = b & 63 ? a >> (b & 63) | a << (64 - (b & 63)) : a;
            break;
        case IR_INSN: {
            const rv_op_t *op = &ir->insn[n->imm];
            if (eval_ref)
                for (unsigned g = 1; g < 32; g++)
                    if (x[g] != eval_ref[n->idx][g])
                        fail_msg("at the embedded instruction %u: x%u is %llx, the interpreter "
                                 "says %llx",
                                 n->idx, g, (unsigned long long)x[g],
                                 (unsigned long long)eval_ref[n->idx][g]);
            rv_cpu_reset(&ecpu);
            memcpy(ecpu.x, x, sizeof(ecpu.x));
            assert_int_equal(rv_exec1(&ecpu, op, n->pc), RV_EXEC1_OK);
            memcpy(x, ecpu.x, sizeof(ecpu.x));
            r = x[op->rd];
            break;
        }
        case IR_PUT:
            if (n->flags & IR_F_MEMX) continue; /* made only where a memory access faults */
            if (n->flags & IR_F_EXIT) {
                assert_true(npend < 32);
                pend[npend].g = n->g;
                pend[npend].sink = ir->n[n->a].flags & IR_F_SINK ? n->a : IR_NONE;
                pend[npend++].v = a;
            } else {
                x[n->g] = ir->n[n->a].flags & IR_F_SINK ? eval_pure(ir, v, x, &ir->n[n->a]) : a;
            }
            continue;
        case IR_LOOPMOV:
            assert_true(nmove < 32);
            moves[nmove].dst = n->b;
            moves[nmove++].v = a;
            continue;
        case IR_BR:
        case IR_JUMP: {
            bool taken = n->op == IR_JUMP;
            switch (n->op == IR_JUMP ? 99 : n->aux) {
            case 99: break;
            case IR_EQ: taken = a == b; break;
            case IR_NE: taken = a != b; break;
            case IR_LT: taken = (int64_t)a < (int64_t)b; break;
            case IR_GE: taken = (int64_t)a >= (int64_t)b; break;
            case IR_LTU: taken = a < b; break;
            default: taken = a >= b; break;
            }
            if (taken && (n->flags & IR_F_LOOP) && edges < eval_budget) {
                edges++;
                for (unsigned k = 0; k < nmove; k++) {
                    v[moves[k].dst] = moves[k].v;
                    if (ir->n[moves[k].dst].flags & IR_F_INX) /* it lives in its register */
                        x[ir->n[moves[k].dst].g] = moves[k].v;
                }
                npend = nmove = 0;
                i = ir->loop_head - 1u; /* on at the loop head */
                continue;
            }
            if (taken && (n->op == IR_BR || (n->flags & IR_F_LOOP))) {
                for (unsigned k = 0; k < npend; k++) /* in order, as the stub makes them */
                    x[pend[k].g] = pend[k].sink != IR_NONE
                                       ? eval_pure(ir, v, x, &ir->n[pend[k].sink])
                                       : pend[k].v;
                return true;
            }
            if (n->op == IR_JUMP) return false;
            npend = nmove = 0;
            continue;
        }
        default: fail_msg("unexpected node %s", ir_op_name(n->op));
        }
        if (n->lo32) /* nothing reads its upper half: make it garbage, as a backend may */
            r = (uint32_t)r | (uint64_t)(0x5eed0000u ^ i) << 32;
        v[i] = r;
        if (n->home >= 0) x[n->g] = r; /* computed into its home: the guest register */
    }
    return false;
}

/* The live node (not dead) that defines the value PUT to / computed into guest register g
 * last, or IR_NONE. */
static uint16_t final_value(const ir_t *ir, unsigned g) {
    uint16_t v = IR_NONE;
    for (unsigned i = 0; i < ir->count; i++) {
        const ir_node_t *n = &ir->n[i];
        if (n->flags & IR_F_DEAD) continue;
        if (n->op == IR_PUT && n->g == g) v = n->a;
        if (n->home >= 0 && n->g == g && n->op != IR_GET) v = (uint16_t)i;
    }
    return v;
}

static unsigned live_count(const ir_t *ir, unsigned op) {
    unsigned k = 0;
    for (unsigned i = 0; i < ir->count; i++)
        if (!(ir->n[i].flags & IR_F_DEAD) && ir->n[i].op == op) k++;
    return k;
}

static ir_t *new_ir(void) {
    ir_t *ir = malloc(sizeof(*ir));
    assert_non_null(ir);
    return ir;
}

/* li t0, 5; addi t1, t0, 7; slli t2, t1, 3; addw t3, t2, t2; sub t4, t3, t0: all constants. */
static void test_constant_folding(void **state) {
    (void)state;
    ir_t *ir = new_ir();
    rv_op_t ops[] = {mk(RV_I_addi, 5, 0, 0, 5), mk(RV_I_addi, 6, 5, 0, 7),
                     mk(RV_I_slli, 7, 6, 0, 3), mk(RV_I_addw, 28, 7, 7, 0),
                     mk(RV_I_sub, 29, 28, 5, 0)};
    build(ir, no_homes, ops, 5);
    ir_optimise(ir);
    assert_null(ir_verify(ir, false));
    static const struct {
        unsigned g;
        int64_t v;
    } want[] = {{5, 5}, {6, 12}, {7, 96}, {28, 192}, {29, 187}};
    for (unsigned k = 0; k < 5; k++) {
        uint16_t v = final_value(ir, want[k].g);
        assert_int_not_equal(v, IR_NONE);
        assert_int_equal(ir->n[v].op, IR_CONST);
        assert_int_equal(ir->n[v].imm, want[k].v);
    }
    for (unsigned op = IR_ADD; op <= IR_MUL; op++)
        assert_int_equal(live_count(ir, op), 0);
    free(ir);
}

/* mv t1, t0; add t2, t1, t1: the add reads t0's value, no copy is left. */
static void test_copy_propagation(void **state) {
    (void)state;
    ir_t *ir = new_ir();
    rv_op_t ops[] = {mk(RV_I_addi, 6, 5, 0, 0), mk(RV_I_add, 7, 6, 6, 0)};
    build(ir, no_homes, ops, 2);
    ir_optimise(ir);
    assert_int_equal(live_count(ir, IR_COPY), 0);
    uint16_t v = final_value(ir, 7);
    assert_int_equal(ir->n[v].op, IR_ADD);
    assert_int_equal(ir->n[ir->n[v].a].op, IR_GET);
    assert_int_equal(ir->n[ir->n[v].a].g, 5);
    assert_int_equal(ir->n[v].a, ir->n[v].b);
    /* t1 is put with t0's value */
    assert_int_equal(final_value(ir, 6), ir->n[v].a);
    free(ir);
}

/* Bitwise operations of sign-extended values are sign-extended: sext.w of xor/and/or of two
 * W results (or a W result and a 32-bit immediate) is a copy; of a 64-bit value it stays. */
static void sext_bitwise(void) {
    ir_t *ir = new_ir();
    rv_op_t ops[] = {
        mk(RV_I_addw, 5, 6, 7, 0),    mk(RV_I_subw, 28, 6, 7, 0),
        mk(RV_I_xor, 29, 5, 28, 0),   mk(RV_I_addiw, 30, 29, 0, 0), /* folded */
        mk(RV_I_andi, 31, 5, 0, -16), mk(RV_I_addiw, 18, 31, 0, 0), /* folded */
        mk(RV_I_or, 19, 5, 6, 0),     mk(RV_I_addiw, 20, 19, 0, 0), /* kept: t1 is 64-bit */
    };
    build(ir, no_homes, ops, 8);
    ir_optimise(ir);
    assert_null(ir_verify(ir, false));
    assert_int_equal(final_value(ir, 30), final_value(ir, 29));
    assert_int_equal(final_value(ir, 18), final_value(ir, 31));
    uint16_t k = final_value(ir, 20);
    assert_int_equal(ir->n[k].op, IR_ADD);
    assert_true(ir->n[k].flags & IR_F_W);
    free(ir);
}

/* addw t0, t1, t2; sext.w t3, t0 -> the sign extension is t0's value; after an add (not W)
 * it stays. addw t4, t5(sext.w of t6), ... reads t6 directly. */
static void test_sext_folding(void **state) {
    (void)state;
    ir_t *ir = new_ir();
    rv_op_t ops[] = {
        mk(RV_I_addw, 5, 6, 7, 0),   mk(RV_I_addiw, 28, 5, 0, 0),  /* folded */
        mk(RV_I_add, 29, 6, 7, 0),   mk(RV_I_addiw, 30, 29, 0, 0), /* kept */
        mk(RV_I_addiw, 31, 9, 0, 0), mk(RV_I_subw, 18, 31, 7, 0),  /* W reads through */
    };
    build(ir, no_homes, ops, 6);
    ir_optimise(ir);
    assert_int_equal(final_value(ir, 28), final_value(ir, 5));
    uint16_t k = final_value(ir, 30);
    assert_int_equal(ir->n[k].op, IR_ADD);
    assert_true(ir->n[k].flags & IR_F_W);
    uint16_t s = final_value(ir, 18);
    assert_int_equal(ir->n[s].op, IR_SUB);
    assert_int_equal(ir->n[ir->n[s].a].op, IR_GET);
    assert_int_equal(ir->n[ir->n[s].a].g, 9);
    free(ir);
    sext_bitwise();
}

/* Value numbering: a pure node that computes what an earlier one computes (same operation,
 * width, immediate and operands; commutative operands in either order; M's operations by
 * kind) becomes a copy of it; a node that differs in any of these stays. An earlier value in
 * a home counts while the home holds it, not after the guest register is written again.
 * Results against rv_exec1 after allocation. */
static void test_value_numbering(void **state) {
    (void)state;
    ir_t *ir = new_ir();
    rv_op_t ops[] = {
        mk(RV_I_add, 5, 11, 12, 0),   mk(RV_I_add, 6, 12, 11, 0),   /* t1 = t0 */
        mk(RV_I_slliw, 7, 11, 0, 3),  mk(RV_I_slliw, 28, 11, 0, 3), /* t3 = t2 */
        mk(RV_I_slliw, 31, 11, 0, 4),                               /* another immediate */
        mk(RV_I_sub, 29, 11, 12, 0),  mk(RV_I_sub, 30, 12, 11, 0),  /* not commutative */
        mk(RV_I_addw, 18, 11, 12, 0),                               /* W: not t0 */
        mk(RV_I_xori, 19, 5, 0, 5),   mk(RV_I_xori, 20, 6, 0, 5),   /* through the copy */
        mk(RV_I_divw, 21, 11, 12, 0), mk(RV_I_divw, 22, 11, 12, 0), /* M's, by kind */
        mk(RV_I_remw, 23, 11, 12, 0),
    };
    unsigned nops = sizeof(ops) / sizeof(ops[0]);
    for (int on = 0; on < 2; on++) {
        build(ir, no_homes, ops, nops);
        ir->value_numbering = on;
        ir_optimise(ir);
        assert_null(ir_verify(ir, false));
        assert_int_equal(final_value(ir, 6) == final_value(ir, 5), on);
        assert_int_equal(final_value(ir, 28) == final_value(ir, 7), on);
        assert_int_equal(final_value(ir, 20) == final_value(ir, 19), on);
        assert_int_equal(final_value(ir, 22) == final_value(ir, 21), on);
        assert_int_not_equal(final_value(ir, 31), final_value(ir, 7));
        assert_int_not_equal(final_value(ir, 30), final_value(ir, 29));
        assert_int_not_equal(final_value(ir, 18), final_value(ir, 5));
        assert_int_not_equal(final_value(ir, 23), final_value(ir, 21));
        assert_int_equal(live_count(ir, IR_ADD), on ? 2 : 3);
        assert_true(ir_regalloc(ir, pool3, 3, 16));
        assert_null(ir_verify(ir, true));
        uint64_t x[32] = {0}, want[32];
        x[11] = 0x123456789abcdefull, x[12] = (uint64_t)-7;
        static rv_cpu_t cpu;
        rv_cpu_reset(&cpu);
        memcpy(cpu.x, x, sizeof(x));
        for (unsigned i = 0; i < nops; i++)
            assert_int_equal(rv_exec1(&cpu, &ops[i], PC0 + 4 * i), RV_EXEC1_OK);
        memcpy(want, cpu.x, sizeof(want));
        eval(ir, x);
        assert_memory_equal(x, want, sizeof(x));
    }
    /* add a0, a1, a2; add t0, a1, a2 (a0's value); addi a0, a0, 1; add t1, a1, a2: a0's home
     * holds another value by then, so t1 is computed again */
    rv_op_t ops2[] = {mk(RV_I_add, 10, 11, 12, 0), mk(RV_I_add, 5, 11, 12, 0),
                      mk(RV_I_addi, 10, 10, 0, 1), mk(RV_I_add, 6, 11, 12, 0)};
    build(ir, homes_x86, ops2, 4);
    ir->value_numbering = true;
    ir_optimise(ir);
    uint16_t a0 = IR_NONE;
    for (unsigned i = 0; i < ir->count && a0 == IR_NONE; i++)
        if (ir->n[i].op == IR_ADD && ir->n[i].home >= 0) a0 = (uint16_t)i;
    assert_int_not_equal(a0, IR_NONE);
    assert_int_equal(final_value(ir, 5), a0);
    uint16_t t1 = final_value(ir, 6);
    assert_int_equal(ir->n[t1].op, IR_ADD);
    assert_int_not_equal(t1, a0);
    assert_true(ir_regalloc(ir, pool3, 3, 16));
    assert_null(ir_verify(ir, true));
    uint64_t x[32] = {0};
    x[11] = 40, x[12] = 2;
    eval(ir, x);
    assert_int_equal(x[10], 43);
    assert_int_equal(x[5], 42);
    assert_int_equal(x[6], 42);
    free(ir);
}

/* Low halves: a W result that only W operations and 64-bit operations read in their low half
 * need not be sign-extended (lo32); one a 64-bit right shift reads, or that is written back,
 * must. Results against rv_exec1, with the upper halves of lo32 values made garbage by the
 * evaluator. */
static void test_low_halves(void **state) {
    (void)state;
    ir_t *ir = new_ir();
    /* A: addw t0, t1, t2; B: addw t3, t0, t2; srli t4, t3, 3; C: xor t5, t0, t1;
     * E: addw t6, t5, t2; li t0, 0; li t5, 0 */
    rv_op_t ops[] = {mk(RV_I_addw, 5, 6, 7, 0),   mk(RV_I_addw, 28, 5, 7, 0),
                     mk(RV_I_srli, 29, 28, 0, 3), mk(RV_I_xor, 30, 5, 6, 0),
                     mk(RV_I_addw, 31, 30, 7, 0), mk(RV_I_addi, 5, 0, 0, 0),
                     mk(RV_I_addi, 30, 0, 0, 0)};
    for (int on = 0; on < 2; on++) {
        build(ir, no_homes, ops, 7);
        ir->low_halves = on;
        ir_optimise(ir);
        uint16_t nodes[4] = {IR_NONE, IR_NONE, IR_NONE, IR_NONE}; /* A, B, E, and one more */
        unsigned k = 0;
        for (unsigned i = 0; i < ir->count; i++)
            if (!(ir->n[i].flags & IR_F_DEAD) && ir->n[i].op == IR_ADD && k < 4)
                nodes[k++] = (uint16_t)i;
        assert_int_equal(k, 3);
        assert_int_equal(ir->n[nodes[0]].lo32, on); /* A: read by B and C in their low half */
        assert_int_equal(ir->n[nodes[1]].lo32, 0);  /* B: srli reads its upper half */
        assert_int_equal(ir->n[nodes[2]].lo32, 0);  /* E: written back */
        assert_true(ir_regalloc(ir, pool3, 3, 16));
        assert_null(ir_verify(ir, true));
        uint64_t x[32] = {0}, want[32];
        x[6] = 0x7fffffff, x[7] = 0x12345678;
        static rv_cpu_t cpu;
        rv_cpu_reset(&cpu);
        memcpy(cpu.x, x, sizeof(x));
        for (unsigned i = 0; i < 7; i++)
            assert_int_equal(rv_exec1(&cpu, &ops[i], PC0 + 4 * i), RV_EXEC1_OK);
        memcpy(want, cpu.x, sizeof(want));
        eval(ir, x);
        assert_memory_equal(x, want, sizeof(x));
    }
    free(ir);
}

/* A value overwritten before anything observes it is dead, for registers with and without a
 * home; a load in between keeps a home's value (a fault there must see it). */
static void test_dead_values(void **state) {
    (void)state;
    ir_t *ir = new_ir();
    rv_op_t ops[] = {mk(RV_I_add, 5, 6, 7, 0), mk(RV_I_xor, 5, 6, 6, 0), mk(RV_I_add, 10, 6, 7, 0),
                     mk(RV_I_sub, 10, 6, 7, 0)};
    build(ir, homes_x86, ops, 4);
    ir_optimise(ir);
    assert_int_equal(live_count(ir, IR_ADD), 0); /* both adds are dead */
    assert_int_equal(live_count(ir, IR_SUB), 1);
    free(ir);
    ir = new_ir();
    rv_op_t ops2[] = {mk(RV_I_add, 10, 6, 7, 0), mk(RV_I_ld, 9, 2, 0, 8),
                      mk(RV_I_sub, 10, 6, 7, 0)};
    build(ir, homes_x86, ops2, 3);
    ir_optimise(ir);
    assert_int_equal(live_count(ir, IR_ADD), 1); /* a0 observable at the load */
    free(ir);
}

/* Constant second operands become immediates; sub of a constant becomes add; a 64-bit
 * constant stays an operand; memory displacements absorb x + k. */
static void test_immediates(void **state) {
    (void)state;
    ir_t *ir = new_ir();
    rv_op_t ops[] = {
        mk(RV_I_addi, 6, 0, 0, 100),        mk(RV_I_add, 5, 7, 6, 0),    /* add imm 100 */
        mk(RV_I_sub, 28, 7, 6, 0),                                       /* add imm -100 */
        mk(RV_I_lui, 29, 0, 0, 0x7ffff000), mk(RV_I_slli, 29, 29, 0, 8), /* 64-bit */
        mk(RV_I_and, 30, 7, 29, 0),                                      /* stays reg-reg */
        mk(RV_I_addi, 31, 7, 0, 16),        mk(RV_I_ld, 18, 31, 0, 8),   /* [t2 + 24] */
    };
    build(ir, no_homes, ops, 8);
    ir_optimise(ir);
    uint16_t v = final_value(ir, 5);
    assert_true(ir->n[v].flags & IR_F_IMM);
    assert_int_equal(ir->n[v].imm, 100);
    v = final_value(ir, 28);
    assert_int_equal(ir->n[v].op, IR_ADD);
    assert_int_equal(ir->n[v].imm, -100);
    v = final_value(ir, 30);
    assert_false(ir->n[v].flags & IR_F_IMM);
    assert_int_equal(ir->n[ir->n[v].b].imm, (int64_t)0x7ffff00000ll);
    v = final_value(ir, 18);
    assert_int_equal(ir->n[v].op, IR_LOAD);
    assert_int_equal(ir->n[v].imm, 24);
    assert_int_equal(ir->n[ir->n[v].a].op, IR_GET);
    free(ir);
}

/* mv t1, a0; addi a0, a0, 1; add t2, t1, a0: a0's home is written while its old value is
 * still used, so the allocator keeps the old value in a copy. */
static void test_home_copy(void **state) {
    (void)state;
    ir_t *ir = new_ir();
    rv_op_t ops[] = {mk(RV_I_addi, 6, 10, 0, 0), mk(RV_I_addi, 10, 10, 0, 1),
                     mk(RV_I_add, 7, 6, 10, 0)};
    build(ir, homes_x86, ops, 3);
    ir_optimise(ir);
    assert_true(ir_regalloc(ir, pool3, 3, 8));
    assert_null(ir_verify(ir, true));
    assert_int_equal(ir->copies, 1);
    uint64_t x[32] = {0}, want[32];
    x[10] = 41;
    memcpy(want, x, sizeof(x));
    want[6] = 41, want[10] = 42, want[7] = 83;
    eval(ir, x);
    assert_memory_equal(x, want, sizeof(x));
    free(ir);
}

/* The most values live at once among those the allocator places (no home, not constant). */
static unsigned max_pressure(const ir_t *ir) {
    unsigned best = 0;
    for (unsigned p = 0; p < ir->count; p++) {
        unsigned k = 0;
        for (unsigned v = 0; v < p; v++) {
            const ir_node_t *n = &ir->n[v];
            if (!(n->flags & IR_F_DEAD) && ir_has_value(n->op) && n->home < 0 &&
                n->op != IR_CONST && n->last > p)
                k++;
        }
        if (k > best) best = k;
    }
    return best;
}

/* Every guest register live at once: x_i += i for all, then x_i += x_{i+1} for all (each
 * old value is read after every new one is made). */
static void pressure_ops(rv_op_t *ops) {
    for (unsigned i = 1; i < 32; i++)
        ops[i - 1] = mk(RV_I_addi, i, i, 0, (int32_t)i);
    for (unsigned i = 1; i < 32; i++)
        ops[30 + i] = mk(RV_I_add, i, i, i % 31 + 1, 0);
}

static void test_pressure(void **state) {
    (void)state;
    rv_op_t ops[62];
    pressure_ops(ops);
    uint64_t x0[32], want[32];
    for (unsigned g = 0; g < 32; g++)
        x0[g] = g ? rnd() : 0;
    memcpy(want, x0, sizeof(want));
    for (unsigned i = 1; i < 32; i++)
        want[i] += i;
    uint64_t y[32];
    memcpy(y, want, sizeof(y));
    for (unsigned i = 1; i < 32; i++) /* in order: x_31 reads the new x_1 */
        want[i] = y[i] + (i < 31 ? y[i + 1] : want[1]);
    static const int8_t pool31[31] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
                                      11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
                                      22, 23, 24, 25, 26, 27, 28, 29, 30};
    /* a register map: four pinned registers (s0, a3, a4, a5) without their homes, whose host
     * registers join the pool of three */
    static int8_t homes_mapped[32];
    static const int8_t pool_mapped[] = {1, 2, 11, 7, 6, 5, 3};
    memcpy(homes_mapped, homes_x86, sizeof(homes_mapped));
    homes_mapped[8] = homes_mapped[13] = homes_mapped[14] = homes_mapped[15] = -1;
    struct {
        const int8_t *home;
        const int8_t *pool;
        unsigned n;
    } cfg[] = {{homes_x86, pool3, 3},
               {no_homes, pool3, 3},
               {no_homes, pool3, 0},
               {no_homes, pool31, 16},
               {homes_mapped, pool_mapped, 7}};
    for (unsigned c = 0; c < sizeof(cfg) / sizeof(cfg[0]); c++) {
        ir_t *ir = new_ir();
        build(ir, cfg[c].home, ops, 62);
        ir_optimise(ir);
        assert_true(ir_regalloc(ir, cfg[c].pool, cfg[c].n, 64));
        assert_null(ir_verify(ir, true));
        unsigned p = max_pressure(ir);
        assert_true(p >= 20); /* the test does force pressure */
        /* spills exactly when the pool cannot hold what is live */
        if (p <= cfg[c].n)
            assert_int_equal(ir->spills, 0);
        else
            assert_true(ir->spills >= p - cfg[c].n);
        assert_true(ir->slots <= 64);
        uint64_t x[32];
        memcpy(x, x0, sizeof(x));
        eval(ir, x);
        assert_memory_equal(x, want, sizeof(x));
        free(ir);
    }
    /* too few slots: the allocator says so (the backend then keeps the old path) */
    ir_t *ir = new_ir();
    build(ir, no_homes, ops, 62);
    ir_optimise(ir);
    assert_false(ir_regalloc(ir, pool3, 3, 4));
    free(ir);
}

/* Random straight-line integer code: rv_exec1 vs the IR before and after optimisation and
 * allocation. */
static const uint16_t rand_ids[] = {
    RV_I_addi, RV_I_addiw, RV_I_slti,   RV_I_sltiu, RV_I_xori,  RV_I_ori,   RV_I_andi, RV_I_slli,
    RV_I_srli, RV_I_srai,  RV_I_slliw,  RV_I_srliw, RV_I_sraiw, RV_I_add,   RV_I_sub,  RV_I_xor,
    RV_I_or,   RV_I_and,   RV_I_slt,    RV_I_sltu,  RV_I_sll,   RV_I_srl,   RV_I_sra,  RV_I_addw,
    RV_I_subw, RV_I_sllw,  RV_I_srlw,   RV_I_sraw,  RV_I_mul,   RV_I_mulw,  RV_I_lui,  RV_I_auipc,
    RV_I_div,  RV_I_divu,  RV_I_rem,    RV_I_remu,  RV_I_divw,  RV_I_divuw, RV_I_remw, RV_I_remuw,
    RV_I_mulh, RV_I_mulhu, RV_I_mulhsu,
};

/* Instructions the IR does not model but a backend embeds (IR_INSN): Zba, Zbb. */
static const uint16_t embed_ids[] = {
    RV_I_sh1add, RV_I_sh2add, RV_I_sh3add, RV_I_add_uw, RV_I_andn, RV_I_orn,
    RV_I_xnor,   RV_I_min,    RV_I_maxu,   RV_I_rol,    RV_I_ror,  RV_I_rori,
    RV_I_sext_b, RV_I_zext_h, RV_I_rev8,   RV_I_orc_b,  RV_I_cpop,
};

static unsigned rand_reg(void) {
    static const uint8_t hot[] = {0, 5, 6, 7, 10, 11, 14, 15, 28};
    return rnd() % 3 ? hot[rnd() % sizeof(hot)] : (unsigned)(rnd() % 32);
}

static rv_op_t rand_op(void) {
    unsigned k = (unsigned)(rnd() % 51);
    unsigned rd = rand_reg(), rs1 = rand_reg(), rs2 = rand_reg();
    if (build_embed && rnd() % 4 == 0) {
        unsigned id = embed_ids[rnd() % (sizeof(embed_ids) / sizeof(embed_ids[0]))];
        return mk(id, rd, rs1, rs2, id == RV_I_rori ? (int32_t)(rnd() % 64) : 0);
    }
    if (k >= sizeof(rand_ids) / sizeof(rand_ids[0])) { /* the idioms the optimiser targets */
        switch (k % 4) {
        case 0: return mk(RV_I_addiw, rd, rd, 0, 0);                            /* sext.w */
        case 1: return mk(RV_I_addi, rd, rs1, 0, 0);                            /* mv */
        case 2: return mk(RV_I_addi, rd, 0, 0, (int32_t)(rnd() % 4096) - 2048); /* li */
        default: return mk(RV_I_andi, rd, rs1, 0, 0xff);                        /* zext.b */
        }
    }
    unsigned id = rand_ids[k];
    int32_t imm = (int32_t)(rnd() % 4096) - 2048;
    if (id == RV_I_slli || id == RV_I_srli || id == RV_I_srai) imm = (int32_t)(rnd() % 64);
    if (id == RV_I_slliw || id == RV_I_srliw || id == RV_I_sraiw) imm = (int32_t)(rnd() % 32);
    if (id == RV_I_lui || id == RV_I_auipc) imm = (int32_t)((uint32_t)rnd() & 0xfffff000u);
    return mk(id, rd, rs1, rs2, imm);
}

static uint64_t rand_value(void) {
    static const uint64_t special[] = {0,
                                       1,
                                       UINT64_MAX,
                                       0x80000000ull,
                                       0x7fffffffull,
                                       0xffffffff80000000ull,
                                       0x8000000000000000ull,
                                       31,
                                       63};
    return rnd() % 4 ? rnd() >> (rnd() % 64) : special[rnd() % 9];
}

static void test_random_sequences(void **state) {
    (void)state;
    static rv_cpu_t cpu;
    ir_t *ir = new_ir();
    unsigned spilled = 0, copies = 0, in_place = 0;
    for (unsigned round = 0; round < 20000; round++) {
        unsigned n = 1 + (unsigned)(rnd() % 48);
        rv_op_t ops[48];
        build_embed = round % 4 >= 2; /* half the rounds with embedded instructions */
        for (unsigned i = 0; i < n; i++)
            ops[i] = rand_op();
        uint64_t x0[32];
        for (unsigned g = 0; g < 32; g++)
            x0[g] = g ? rand_value() : 0;
        rv_cpu_reset(&cpu);
        memcpy(cpu.x, x0, sizeof(x0));
        static uint64_t ref[48][32];
        for (unsigned i = 0; i < n; i++) {
            memcpy(ref[i], cpu.x, sizeof(ref[i]));
            assert_int_equal(rv_exec1(&cpu, &ops[i], PC0 + 4 * i), RV_EXEC1_OK);
        }
        eval_ref = (const uint64_t(*)[32])ref;
        bool homes = round % 2;
        build(ir, homes ? homes_x86 : no_homes, ops, n);
        uint64_t x[32];
        memcpy(x, x0, sizeof(x));
        eval(ir, x);
        assert_memory_equal(x, cpu.x, sizeof(x));
        ir->value_numbering = round % 7 != 0;
        ir->low_halves = round % 5 != 1;
        ir_optimise(ir);
        assert_null(ir_verify(ir, false));
        unsigned npool = (unsigned)(rnd() % 4);
        ir->gets_in_place = round % 3 == 0; /* gets read twice at most stay in cpu->x */
        ir->early_puts = round % 5 != 0;    /* write-backs moved up to their value's last use */
        assert_true(ir_regalloc(ir, pool3, npool, 64));
        for (unsigned i = 0; i < ir->count; i++)
            if (ir->n[i].flags & IR_F_INX) in_place++;
        const char *why = ir_verify(ir, true);
        if (why) {
            ir_print(ir, stderr);
            fail_msg("round %u: %s", round, why);
        }
        spilled += ir->spills;
        copies += ir->copies;
        memcpy(x, x0, sizeof(x));
        eval(ir, x);
        for (unsigned g = 0; g < 32; g++)
            if (x[g] != cpu.x[g]) {
                ir_print(ir, stderr);
                fail_msg("round %u: x%u is %llx, the interpreter says %llx", round, g,
                         (unsigned long long)x[g], (unsigned long long)cpu.x[g]);
            }
    }
    assert_true(spilled > 0); /* the runs did exercise spilling, home copies, gets in place */
    assert_true(copies > 0);
    assert_true(in_place > 0);
    build_embed = false;
    eval_ref = NULL;
    free(ir);
}

/* An embedded instruction (IR_INSN): the state is made canonical before it (puts of what
 * changed), a home it writes keeps its old value in a copy while that is still used, its
 * unpinned rd is read again afterwards, and it survives dead-value removal. */
static void test_embedded(void **state) {
    (void)state;
    ir_t *ir = new_ir();
    /* mv t1, a0; addi t0, t2, 3; sh1add a0, a1, a2; sh1add t2, t0, t1; add t1, a0, t2;
     * add t3, t1, t1 */
    rv_op_t ops[] = {mk(RV_I_addi, 6, 10, 0, 0),     mk(RV_I_addi, 5, 7, 0, 3),
                     mk(RV_I_sh1add, 10, 11, 12, 0), mk(RV_I_sh1add, 7, 5, 6, 0),
                     mk(RV_I_add, 6, 10, 7, 0),      mk(RV_I_add, 28, 6, 6, 0)};
    build_embed = true;
    build(ir, homes_x86, ops, 6);
    build_embed = false;
    assert_int_equal(live_count(ir, IR_INSN), 2);
    /* puts of t1 and t0 before the first division, none of a0 (a home) */
    unsigned first = 0, puts = 0;
    while (ir->n[first].op != IR_INSN)
        first++;
    for (unsigned i = 0; i < first; i++)
        if (ir->n[i].op == IR_PUT) puts |= 1u << ir->n[i].g;
    assert_int_equal(puts, 1u << 5 | 1u << 6);
    assert_int_equal(ir->n[first].home, homes_x86[10]);
    /* t2, written by the second division, is read again after it */
    unsigned second = first + 1, gets = 0;
    while (ir->n[second].op != IR_INSN)
        second++;
    for (unsigned i = second; i < ir->count; i++)
        if (ir->n[i].op == IR_GET && ir->n[i].g == 7) gets++;
    assert_int_equal(gets, 1);
    ir_optimise(ir);
    assert_int_equal(live_count(ir, IR_INSN), 2);
    assert_true(ir_regalloc(ir, pool3, 3, 8));
    assert_null(ir_verify(ir, true));
    uint64_t x[32] = {0}, want[32];
    x[10] = 1000, x[11] = (uint64_t)-77, x[12] = 7, x[7] = 39;
    static rv_cpu_t cpu;
    rv_cpu_reset(&cpu);
    memcpy(cpu.x, x, sizeof(x));
    for (unsigned i = 0; i < 6; i++)
        assert_int_equal(rv_exec1(&cpu, &ops[i], PC0 + 4 * i), RV_EXEC1_OK);
    memcpy(want, cpu.x, sizeof(want));
    eval(ir, x);
    assert_memory_equal(x, want, sizeof(x));
    free(ir);
}

/* Calls and returns: `jal ra` pushes on the return-address stack (an IR_RAS node), `jalr
 * ra` is a call, `jalr x0, 0(ra)` a return, `jalr x0, 0(a5)` neither; none of it without
 * `ras`. */
static void test_ras(void **state) {
    (void)state;
    ir_t *ir = new_ir();
    for (int on = 0; on < 2; on++) {
        bool ends;
        uint64_t cont;
        ir_begin(ir, homes_x86, true);
        ir->ras = on;
        rv_op_t jal = mk(RV_I_jal, 1, 0, 0, 0x100);
        assert_true(ir_add(ir, &jal, PC0, 0, &ends, &cont));
        assert_true(ends);
        assert_int_equal(cont, PC0 + 0x100);
        assert_int_equal(live_count(ir, IR_RAS), on ? 1 : 0);
        if (on) {
            unsigned r = 0;
            while (ir->n[r].op != IR_RAS)
                r++;
            assert_int_equal(ir->n[r].pc + ir->n[r].len, PC0 + 4);
        }
        struct {
            unsigned rd, rs1, aux;
        } j[] = {{1, 15, IR_J_CALL}, {0, 1, IR_J_RET}, {0, 15, 0}};
        for (unsigned k = 0; k < 3; k++) {
            ir_begin(ir, homes_x86, true);
            ir->ras = on;
            rv_op_t jalr = mk(RV_I_jalr, j[k].rd, j[k].rs1, 0, 0);
            assert_true(ir_add(ir, &jalr, PC0, 0, &ends, &cont));
            const ir_node_t *last = &ir->n[ir->count - 1];
            assert_int_equal(last->op, IR_JUMPR);
            assert_int_equal(last->aux, on ? j[k].aux : 0);
            assert_null(ir_verify(ir, false));
        }
    }
    free(ir);
}

/* Rotations spelt with two shifts and an or (xor, add) become one rotate node, in both orders,
 * 32-bit (W shifts) and 64-bit; a shift pair that is not a rotation stays. Results against
 * rv_exec1, before and after allocation; Zbb's rori and roriw build rotate nodes directly. */
static void test_rotate(void **state) {
    (void)state;
    ir_t *ir = new_ir();
    static const unsigned joins[] = {RV_I_or, RV_I_xor, RV_I_add};
    for (unsigned round = 0; round < 400; round++) {
        bool w = round & 1, left = round & 2, rot = round % 7 != 0;
        unsigned bits = w ? 32 : 64, k = 1 + (unsigned)(rnd() % (bits - 1));
        unsigned k2 = rot ? bits - k : (k % (bits - 1)) + 1;
        if (!rot && k + k2 == bits) k2 = k2 == 1 ? 2 : k2 - 1;
        unsigned shr = w ? RV_I_srliw : RV_I_srli, shl = w ? RV_I_slliw : RV_I_slli;
        unsigned join = joins[round % 3];
        /* t0 = a3 >> k; t1 = a3 << k2; t2 = t0 join t1 (or t1 join t0) */
        rv_op_t ops[] = {mk(shr, 5, 13, 0, (int32_t)k), mk(shl, 6, 13, 0, (int32_t)k2),
                         left ? mk(join, 7, 6, 5, 0) : mk(join, 7, 5, 6, 0),
                         mk(RV_I_roriw, 28, 13, 0, (int32_t)k),
                         mk(RV_I_rori, 29, 13, 0, (int32_t)k)};
        build(ir, homes_x86, ops, 5);
        ir_optimise(ir);
        assert_int_equal(live_count(ir, IR_ROR), rot ? 3 : 2);
        assert_true(ir_regalloc(ir, pool3, 3, 8));
        assert_null(ir_verify(ir, true));
        uint64_t x[32] = {0}, want[32];
        x[13] = rnd();
        static rv_cpu_t cpu;
        rv_cpu_reset(&cpu);
        memcpy(cpu.x, x, sizeof(x));
        for (unsigned i = 0; i < 5; i++)
            assert_int_equal(rv_exec1(&cpu, &ops[i], PC0 + 4 * i), RV_EXEC1_OK);
        memcpy(want, cpu.x, sizeof(want));
        eval(ir, x);
        assert_memory_equal(x, want, sizeof(x));
    }
    free(ir);
}

/* With lazy_exits, a forward branch's write-backs are exit puts (made only when it is taken)
 * and the registers are written back again on the fall-through path; a backward branch (a
 * loop's back edge) keeps them in line. Both sides of the branch leave the interpreter's
 * state, before and after optimisation and allocation. */
static void test_lazy_exits(void **state) {
    (void)state;
    ir_t *ir = new_ir();
    /* addi t0, t0, 1; add t1, t0, a0; bne t0, t2, +off; addi t0, t0, 5; xor t2, t1, a1 */
    for (int back = 0; back < 2; back++) {
        int32_t off = back ? -64 : 64;
        rv_op_t ops[] = {mk(RV_I_addi, 5, 5, 0, 1), mk(RV_I_add, 6, 5, 10, 0),
                         mk(RV_I_bne, 0, 5, 7, off), mk(RV_I_addi, 5, 5, 0, 5),
                         mk(RV_I_xor, 7, 6, 11, 0)};
        ir_begin(ir, homes_x86, true);
        ir->lazy_exits = true;
        for (unsigned i = 0; i < 5; i++) {
            bool ends;
            uint64_t cont;
            assert_true(ir_add(ir, &ops[i], PC0 + 4 * i, i, &ends, &cont));
            assert_int_equal(ends, i == 2);
        }
        ir_end_jump(ir, PC0 + 20, 5);
        assert_null(ir_verify(ir, false));
        unsigned br = 0, exits = 0, inline_puts = 0;
        while (ir->n[br].op != IR_BR)
            br++;
        for (unsigned i = 0; i < br; i++)
            if (ir->n[i].op == IR_PUT) {
                if (ir->n[i].flags & IR_F_EXIT)
                    exits |= 1u << ir->n[i].g;
                else
                    inline_puts |= 1u << ir->n[i].g;
            }
        assert_int_equal(back ? inline_puts : exits, 1u << 5 | 1u << 6);
        assert_int_equal(back ? exits : inline_puts, 0);
        /* the fall-through path writes t0, t1 and t2 back before its jump */
        unsigned after = 0;
        for (unsigned i = br; i < ir->count; i++)
            if (ir->n[i].op == IR_PUT) after |= 1u << ir->n[i].g;
        assert_int_equal(after, back ? 1u << 5 | 1u << 7 : 1u << 5 | 1u << 6 | 1u << 7);
        for (int opt = 0; opt < 2; opt++) {
            if (opt) {
                ir_optimise(ir);
                assert_true(ir_regalloc(ir, pool3, 3, 8));
                assert_null(ir_verify(ir, true));
            }
            for (int taken = 0; taken < 2; taken++) {
                uint64_t x[32] = {0}, want[32];
                x[5] = 41, x[10] = 1000, x[11] = 0x5555;
                x[7] = taken ? 0 : 42; /* t0 + 1 == 42: not taken */
                static rv_cpu_t cpu;
                rv_cpu_reset(&cpu);
                memcpy(cpu.x, x, sizeof(x));
                for (unsigned i = 0; i < (taken ? 2u : 5u); i++)
                    if (i != 2) /* the branch: its outcome is the case's */
                        assert_int_equal(rv_exec1(&cpu, &ops[i], PC0 + 4 * i), RV_EXEC1_OK);
                memcpy(want, cpu.x, sizeof(want));
                assert_int_equal(eval(ir, x), taken);
                assert_memory_equal(x, want, sizeof(x));
            }
        }
    }
    free(ir);
}

/* Values only a side exit's puts read are sunk into the exit (IR_F_SINK): no register, no
 * slot, computed by the put in the branch's stub. Here the first values of t1 and t3 (a
 * shift of t0 each, overwritten after the branch) are read only by its exit puts; t0 lives
 * on, so both sink. When t0 dies first (written again before the branch) they stay in line.
 * Both sides of the branch against rv_exec1. */
static void test_sink(void **state) {
    (void)state;
    ir_t *ir = new_ir();
    /* slli t1, t0, 3; srli t3, t0, 1; bne t2, x0, +64; add t1, t0, t2; li t3, 1 */
    rv_op_t live[] = {mk(RV_I_slli, 6, 5, 0, 3), mk(RV_I_srli, 28, 5, 0, 1),
                      mk(RV_I_bne, 0, 7, 0, 64), mk(RV_I_add, 6, 5, 7, 0),
                      mk(RV_I_addi, 28, 0, 0, 1)};
    /* slli t1, t0, 3; srli t3, t0, 1; li t0, 7; bne t2, x0, +64; add t1, t0, t2 */
    rv_op_t dies[] = {mk(RV_I_slli, 6, 5, 0, 3), mk(RV_I_srli, 28, 5, 0, 1),
                      mk(RV_I_addi, 5, 0, 0, 7), mk(RV_I_bne, 0, 7, 0, 64),
                      mk(RV_I_add, 6, 5, 7, 0)};
    for (int c = 0; c < 2; c++) {
        const rv_op_t *ops = c ? dies : live;
        unsigned br = c ? 3 : 2;
        for (int on = 0; on < 2; on++) {
            ir_begin(ir, homes_x86, true);
            ir->lazy_exits = true;
            for (unsigned i = 0; i < 5; i++) {
                bool ends;
                uint64_t cont;
                assert_true(ir_add(ir, &ops[i], PC0 + 4 * i, i, &ends, &cont));
            }
            ir_end_jump(ir, PC0 + 20, 5);
            ir_optimise(ir);
            ir->sink_exits = on;
            assert_true(ir_regalloc(ir, pool3, 3, 8));
            const char *why = ir_verify(ir, true);
            if (why) {
                ir_print(ir, stderr);
                fail_msg("%s", why);
            }
            unsigned sunk = 0;
            for (unsigned i = 0; i < ir->count; i++)
                if (!(ir->n[i].flags & IR_F_DEAD) && (ir->n[i].flags & IR_F_SINK)) {
                    sunk++;
                    assert_true(ir->n[i].reg < 0 && ir->n[i].slot < 0);
                }
            assert_int_equal(sunk, on && !c ? 2 : 0);
            for (int taken = 0; taken < 2; taken++) {
                uint64_t x[32] = {0}, want[32];
                x[5] = 0x8000000000000041ull, x[7] = taken ? 9 : 0;
                static rv_cpu_t cpu;
                rv_cpu_reset(&cpu);
                memcpy(cpu.x, x, sizeof(x));
                for (unsigned i = 0; i < (taken ? br : 5u); i++)
                    if (i != br)
                        assert_int_equal(rv_exec1(&cpu, &ops[i], PC0 + 4 * i), RV_EXEC1_OK);
                memcpy(want, cpu.x, sizeof(want));
                assert_int_equal(eval(ir, x), taken);
                assert_memory_equal(x, want, sizeof(x));
            }
        }
    }
    free(ir);
}

/* A constant in a home (a5 = 1 << 63, too wide for an immediate) read by a value only an
 * exit put reads (t1 = t2 | a5): the backend reads the constant from its home, so the value
 * may sink only when nothing writes that home again before the exit (issue #12: a5 was
 * loaded again after it, and the put wrote t1 = t2 | the load's value). */
static void test_sink_const_home(void **state) {
    (void)state;
    ir_t *ir = new_ir();
    for (int c = 0; c < 2; c++) {
        /* li a5, 1; slli a5, a5, 63; or t1, t2, a5; add a5 (c) / t4 (!c), t2, t3;
         * bne t3, x0, +64; add t1, t2, t3 */
        rv_op_t ops[] = {mk(RV_I_addi, 15, 0, 0, 1), mk(RV_I_slli, 15, 15, 0, 63),
                         mk(RV_I_or, 6, 7, 15, 0),   mk(RV_I_add, c ? 15 : 29, 7, 28, 0),
                         mk(RV_I_bne, 0, 28, 0, 64), mk(RV_I_add, 6, 7, 28, 0)};
        const unsigned br = 4, n = sizeof(ops) / sizeof(ops[0]);
        ir_begin(ir, homes_x86, true);
        ir->lazy_exits = true;
        for (unsigned i = 0; i < n; i++) {
            bool ends;
            uint64_t cont;
            assert_true(ir_add(ir, &ops[i], PC0 + 4 * i, i, &ends, &cont));
        }
        ir_end_jump(ir, PC0 + 4 * n, n);
        ir_optimise(ir);
        ir->sink_exits = true;
        assert_true(ir_regalloc(ir, pool3, 3, 8));
        const char *why = ir_verify(ir, true);
        if (why) {
            ir_print(ir, stderr);
            fail_msg("%s", why);
        }
        unsigned sunk = 0, wide = 0;
        for (unsigned i = 0; i < ir->count; i++) {
            const ir_node_t *m = &ir->n[i];
            if (m->flags & IR_F_DEAD) continue;
            if (m->flags & IR_F_SINK) sunk++;
            if (m->op == IR_CONST && m->home >= 0 && m->imm == INT64_MIN) wide++;
        }
        assert_int_equal(wide, 1); /* the shape: the constant is in a5's home */
        for (int taken = 0; taken < 2; taken++) {
            uint64_t x[32] = {0}, want[32];
            x[7] = 0x41, x[28] = taken ? 0x1234 : 0;
            static rv_cpu_t cpu;
            rv_cpu_reset(&cpu);
            memcpy(cpu.x, x, sizeof(x));
            for (unsigned i = 0; i < (taken ? br : n); i++)
                if (i != br) assert_int_equal(rv_exec1(&cpu, &ops[i], PC0 + 4 * i), RV_EXEC1_OK);
            memcpy(want, cpu.x, sizeof(want));
            assert_int_equal(eval(ir, x), taken);
            if (memcmp(x, want, sizeof(x))) ir_print(ir, stderr);
            assert_memory_equal(x, want, sizeof(x));
        }
        assert_int_equal(sunk, c ? 0 : 1);
    }
    free(ir);
}

/* ---- loops kept in registers ---- */

/* Build ops[0..n) as a backend does a path that starts at PC0: with loop_pc = PC0, once to
 * find the loop's facts, then again with the loop kept in registers. A branch's fall-through
 * goes on with the next op; a jal (the last op) ends the path at its target. */
static void build_loop(ir_t *ir, const int8_t home[32], const rv_op_t *ops, unsigned n, bool lazy) {
    uint32_t in = 0, dirty = 0, flush = 0;
    for (int pass = 0; pass < 2; pass++) {
        ir_begin(ir, home, true);
        ir->embed = build_embed;
        ir->lazy_exits = lazy;
        ir->loop_pc = PC0;
        if (pass) ir_loop_begin(ir, in, dirty, flush);
        uint64_t cont = 1;
        bool ends = false;
        for (unsigned i = 0; i < n; i++) {
            assert_true(ir_add(ir, &ops[i], PC0 + 4 * i, i, &ends, &cont));
            assert_true(!ends || ops[i].id != RV_I_jal || i == n - 1);
        }
        ir_end_jump(ir, ends && ops[n - 1].id == RV_I_jal ? cont : PC0 + 4 * n, n);
        assert_false(ir->overflow);
        const char *why = ir_verify(ir, false);
        if (why) {
            ir_print(ir, stderr);
            fail_msg("%s", why);
        }
        if (!pass) {
            assert_true(ir->loop_seen);
            in = ir->loop_in;
            dirty = ir->loop_dirty;
            flush = ir->loop_flush;
        }
    }
    assert_true(ir->loop);
}

/* The interpreter's run of the same path: rv_exec1 for the body, branches and jal here; a
 * back edge (a taken branch or jal to PC0) goes round `budget` times, the next one stops (the
 * budget check); another taken branch stops. Returns whether it stopped at a taken one. */
static bool ref_loop(rv_cpu_t *cpu, const rv_op_t *ops, unsigned n, unsigned budget) {
    unsigned i = 0, edges = 0;
    for (unsigned steps = 0; steps < 1000000; steps++) {
        if (i >= n) return false;
        const rv_op_t *op = &ops[i];
        uint64_t a = cpu->x[op->rs1], b = cpu->x[op->rs2];
        int64_t to = -1;
        switch (op->id) {
        case RV_I_bne:
            if (a != b) to = (int64_t)i + op->imm / 4;
            break;
        case RV_I_beq:
            if (a == b) to = (int64_t)i + op->imm / 4;
            break;
        case RV_I_jal: to = (int64_t)i + op->imm / 4; break;
        default: assert_int_equal(rv_exec1(cpu, op, PC0 + 4 * i), RV_EXEC1_OK); break;
        }
        if (to < 0) {
            i++;
            continue;
        }
        if (to != 0 || edges == budget) return true;
        edges++;
        i = 0;
    }
    fail_msg("the reference did not stop");
    return false;
}

/* Check ir_loop_moves on the allocation: on a machine whose every place holds a value, its
 * steps must leave each head place with the value its IR_LOOPMOV carries, and change no other
 * place but the scratch one. Returns whether a cycle went through the scratch place. */
static bool check_moves(const ir_t *ir) {
    static uint64_t st[1024], want[1024];
    unsigned edge = 0;
    for (unsigned i = 0; i < ir->count; i++)
        if (!(ir->n[i].flags & IR_F_DEAD) && (ir->n[i].flags & IR_F_LOOP)) edge = i;
    assert_true(edge > 0);
    for (unsigned p = 0; p < 1024; p++)
        st[p] = rnd();
    memcpy(want, st, sizeof(st));
    for (unsigned j = ir->loop_head; j < edge; j++) {
        const ir_node_t *m = &ir->n[j];
        if ((m->flags & IR_F_DEAD) || m->op != IR_LOOPMOV) continue;
        const ir_node_t *d = &ir->n[m->b], *a = &ir->n[m->a];
        assert_true(d->reg >= 0 || d->slot >= 0 || (d->flags & IR_F_INX));
        unsigned dp = d->reg >= 0             ? (unsigned)d->reg
                      : (d->flags & IR_F_INX) ? (unsigned)IR_PLACE_X + d->g
                                              : (unsigned)IR_PLACE_SLOT + (unsigned)d->slot;
        if (a->reg < 0 && a->op == IR_CONST)
            want[dp] = (uint64_t)a->imm;
        else if (a->reg >= 0)
            want[dp] = st[a->reg];
        else if (a->flags & IR_F_INX)
            want[dp] = st[IR_PLACE_X + a->g];
        else
            want[dp] = st[IR_PLACE_SLOT + a->slot];
    }
    ir_move_t mv[64];
    unsigned n = ir_loop_moves(ir, edge, mv);
    bool scratch = false;
    for (unsigned k = 0; k < n; k++) {
        assert_true(mv[k].dst >= 0 && mv[k].dst < 1024);
        if (mv[k].dst == IR_PLACE_SCRATCH) scratch = true;
        st[mv[k].dst] = mv[k].konst ? (uint64_t)mv[k].k : st[mv[k].src];
    }
    st[IR_PLACE_SCRATCH] = want[IR_PLACE_SCRATCH];
    assert_memory_equal(st, want, sizeof(st));
    return scratch;
}

/* Loops of random bodies, rotations of every register and every register live: the IR with
 * the loop kept in registers (before and after optimisation and allocation, pools of 0 to 3
 * registers and of 16) against the interpreter, with budgets that leave at the back edge
 * after 0 to 6 iterations and counters that leave by the loop's own exit; the back edge's
 * moves checked on the allocation itself. */
static void test_loops(void **state) {
    (void)state;
    static rv_cpu_t cpu;
    static const int8_t pool16[16] = {20, 21, 22, 23, 24, 25, 26, 27,
                                      28, 29, 30, 31, 14, 15, 16, 17};
    ir_t *ir = new_ir();
    unsigned spilled = 0, cycles = 0, loops = 0, guarded = 0, sunk = 0;
    for (unsigned round = 0; round < 6000; round++) {
        rv_op_t ops[80];
        unsigned n = 0, kind = round % 4;
        build_embed = kind == 0 && round % 8 == 0;
        if (kind == 3) /* leaves by a side exit at the top, loops by a jump */
            ops[n++] = mk(RV_I_beq, 0, 31, 0, 0x1000);
        if (kind == 0 || kind == 3) { /* random, never the counter x31 */
            unsigned len = 1 + (unsigned)(rnd() % 40);
            for (unsigned i = 0; i < len; i++) {
                rv_op_t op = rand_op();
                if (op.rd == 31) op.rd = 30;
                ops[n++] = op;
            }
        } else if (kind == 1) { /* rotate x1..x29 through x30 (a cycle of moves) */
            ops[n++] = mk(RV_I_addi, 30, 1, 0, 0);
            for (unsigned g = 1; g < 29; g++)
                ops[n++] = mk(RV_I_addi, g, g + 1, 0, 0);
            ops[n++] = mk(RV_I_addi, 29, 30, 0, 0);
            ops[n++] = mk(RV_I_add, 30, 30, 31, 0);
        } else { /* every register live: x_i += i, then x_i += x_(i+1) */
            for (unsigned g = 1; g < 31; g++)
                ops[n++] = mk(RV_I_addi, g, g, 0, (int32_t)g);
            for (unsigned g = 1; g < 31; g++)
                ops[n++] = mk(RV_I_add, g, g, g % 30 + 1, 0);
        }
        ops[n++] = mk(RV_I_addi, 31, 31, 0, -1);
        ops[n] = kind == 3 ? mk(RV_I_jal, 0, 0, 0, 0) : mk(RV_I_bne, 0, 31, 0, 0);
        ops[n].imm = -(int32_t)(4 * n); /* back to PC0 */
        n++;
        bool homes = (round / 4) % 2;
        build_loop(ir, homes ? homes_x86 : no_homes, ops, n, rnd() % 2);
        uint64_t x0[32];
        for (unsigned g = 0; g < 32; g++)
            x0[g] = g ? rand_value() : 0;
        x0[31] = 1 + rnd() % 8;
        unsigned budget = (unsigned)(rnd() % 7);
        rv_cpu_reset(&cpu);
        memcpy(cpu.x, x0, sizeof(x0));
        bool left = ref_loop(&cpu, ops, n, budget);
        uint64_t x[32];
        eval_budget = budget;
        for (int opt = 0; opt < 2; opt++) {
            if (opt) {
                ir->value_numbering = round % 3 != 0;
                ir->sext_loop = round % 2 == 0;
                ir->low_halves = round % 7 != 3;
                ir_optimise(ir);
                assert_null(ir_verify(ir, false));
                unsigned npool = (unsigned)(rnd() % 4);
                ir->gets_in_place = round % 3 == 0;
                ir->early_puts = round % 2 == 0;
                ir->sink_exits = round % 4 != 3;
                bool big = !homes && round % 5 == 0;
                assert_true(ir_regalloc(ir, big ? pool16 : pool3, big ? 16 : npool, 64));
                const char *why = ir_verify(ir, true);
                if (why) {
                    ir_print(ir, stderr);
                    fail_msg("round %u: %s", round, why);
                }
                spilled += ir->spills;
                if (check_moves(ir)) cycles++;
                for (unsigned i = 0; i < ir->count; i++)
                    if (!(ir->n[i].flags & IR_F_DEAD) && (ir->n[i].flags & IR_F_SINK)) sunk++;
                /* the entry's check of the head values taken as sign-extended: where it
                 * fails the translation leaves before anything runs */
                bool pass = true;
                for (unsigned g = 1; g < 32; g++)
                    if ((ir->sext_guard >> g & 1) && x0[g] != (uint64_t)(int64_t)(int32_t)x0[g])
                        pass = false;
                if (!pass) continue;
                if (ir->sext_guard) guarded++;
            }
            memcpy(x, x0, sizeof(x));
            bool took = eval(ir, x);
            for (unsigned g = 0; g < 32; g++)
                if (x[g] != cpu.x[g]) {
                    ir_print(ir, stderr);
                    fail_msg("round %u (%s): x%u is %llx, the interpreter says %llx", round,
                             opt ? "allocated" : "built", g, (unsigned long long)x[g],
                             (unsigned long long)cpu.x[g]);
                }
            assert_int_equal(took, left);
        }
        loops++;
    }
    eval_budget = 0;
    build_embed = false;
    assert_true(loops > 0);
    assert_true(spilled > 0); /* pressure did spill loop-carried values */
    assert_true(cycles > 0);  /* and rotations made cycles of moves */
    assert_true(guarded > 0); /* and loops ran with head values taken as sign-extended */
    assert_true(sunk > 0);    /* and values only exits read were sunk into them */
    free(ir);
}

/* Live nodes that are `sext.w` (addiw x, 0). */
static unsigned sext_count(const ir_t *ir) {
    unsigned k = 0;
    for (unsigned i = 0; i < ir->count; i++) {
        const ir_node_t *n = &ir->n[i];
        if (!(n->flags & IR_F_DEAD) && n->op == IR_ADD && (n->flags & IR_F_W) &&
            (n->flags & IR_F_IMM) && n->imm == 0)
            k++;
    }
    return k;
}

/* Sign extension across the loop head: a head value whose every back-edge value is
 * sign-extended (here an addw; or another head value that is, as rotated variables carry
 * each other's) makes `sext.w` of it a copy, and the entry checks the registers that relied
 * on (sext_guard), with what they rely on in turn; a register carried from a 64-bit value is
 * not known. Off without sext_loop. */
static void test_loop_sext(void **state) {
    (void)state;
    ir_t *ir = new_ir();
    /* sext.w t1, t0; addw t0, t2, t1; addi t3, t3, -1; bne t3, x0, 0 */
    rv_op_t ops[] = {mk(RV_I_addiw, 6, 5, 0, 0), mk(RV_I_addw, 5, 7, 6, 0),
                     mk(RV_I_addi, 28, 28, 0, -1), mk(RV_I_bne, 0, 28, 0, -12)};
    /* sext.w t1, t0; mv t0, t2; addw t2, t1, t1; ...: t0 carries t2's value */
    rv_op_t rot[] = {mk(RV_I_addiw, 6, 5, 0, 0), mk(RV_I_addi, 5, 7, 0, 0),
                     mk(RV_I_addw, 7, 6, 6, 0), mk(RV_I_addi, 28, 28, 0, -1),
                     mk(RV_I_bne, 0, 28, 0, -16)};
    /* sext.w t1, t0; mv t0, t2; add t2, t1, t4: t2 is a 64-bit value */
    rv_op_t wide[] = {mk(RV_I_addiw, 6, 5, 0, 0), mk(RV_I_addi, 5, 7, 0, 0),
                      mk(RV_I_add, 7, 6, 29, 0), mk(RV_I_addi, 28, 28, 0, -1),
                      mk(RV_I_bne, 0, 28, 0, -16)};
    for (int homes = 0; homes < 2; homes++) {
        const int8_t *h = homes ? homes_x86 : no_homes;
        for (int on = 0; on < 2; on++) {
            build_loop(ir, h, ops, 4, true);
            ir->sext_loop = on;
            ir_optimise(ir);
            assert_null(ir_verify(ir, false));
            assert_int_equal(sext_count(ir), on ? 0 : 1);
            assert_int_equal(ir->sext_guard, on ? 1u << 5 : 0);
            build_loop(ir, h, rot, 5, true);
            ir->sext_loop = on;
            ir_optimise(ir);
            assert_int_equal(sext_count(ir), on ? 0 : 1);
            assert_int_equal(ir->sext_guard, on ? 1u << 5 | 1u << 7 : 0);
            build_loop(ir, h, wide, 5, true);
            ir->sext_loop = on;
            ir_optimise(ir);
            assert_int_equal(sext_count(ir), 1);
            assert_int_equal(ir->sext_guard, 0);
        }
    }
    /* a0 (a home) rotated through t0: sext.w t1, a0; mv a0, t0; addw t0, t1, t2 */
    rv_op_t home[] = {mk(RV_I_addiw, 6, 10, 0, 0), mk(RV_I_addi, 10, 5, 0, 0),
                      mk(RV_I_addw, 5, 6, 7, 0), mk(RV_I_addi, 28, 28, 0, -1),
                      mk(RV_I_bne, 0, 28, 0, -16)};
    build_loop(ir, homes_x86, home, 5, true);
    ir->sext_loop = true;
    ir_optimise(ir);
    assert_int_equal(sext_count(ir), 0);
    assert_int_equal(ir->sext_guard, 1u << 10 | 1u << 5);
    assert_true(ir_regalloc(ir, pool3, 3, 16));
    assert_null(ir_verify(ir, true));
    /* with sign-extended entry values, as the interpreter */
    static rv_cpu_t cpu;
    uint64_t x0[32] = {0}, x[32];
    x0[10] = (uint64_t)-5, x0[5] = 0x7fffffff, x0[7] = 0x12345678, x0[28] = 5;
    rv_cpu_reset(&cpu);
    memcpy(cpu.x, x0, sizeof(x0));
    eval_budget = 3;
    bool left = ref_loop(&cpu, home, 5, 3);
    memcpy(x, x0, sizeof(x));
    assert_int_equal(eval(ir, x), left);
    assert_memory_equal(x, cpu.x, sizeof(x));
    eval_budget = 0;
    free(ir);
}

/* The builder's loop facts: the head holds what the body reads before writing, carries each
 * changed register by one move, and keeps no write-back in line at the back edge; a
 * temporary (dirty at the back edge, not read first) is not carried: only the back edge's
 * exit puts write it, or, when the body can observe it before writing it again (a load
 * first), an in-line put at the back edge. */
static void test_loop_shape(void **state) {
    (void)state;
    ir_t *ir = new_ir();
    /* 0: add t0, t0, t1; 4: mv t2, t0; 8: addi t3, t3, -1; 12: bne t3, x0, 0 */
    rv_op_t ops[] = {mk(RV_I_add, 5, 5, 6, 0), mk(RV_I_addi, 7, 5, 0, 0),
                     mk(RV_I_addi, 28, 28, 0, -1), mk(RV_I_bne, 0, 28, 0, -12)};
    build_loop(ir, no_homes, ops, 4, true);
    assert_int_equal(ir->loop_in, 1u << 5 | 1u << 6 | 1u << 28);
    assert_int_equal(ir->loop_dirty, 1u << 5 | 1u << 7 | 1u << 28);
    assert_int_equal(ir->loop_flush, 0);
    unsigned moves = 0, inline_puts = 0, exit_puts = 0, edge = 0;
    for (unsigned i = 0; i < ir->count; i++) {
        const ir_node_t *n = &ir->n[i];
        if (n->op == IR_LOOPMOV) moves |= 1u << ir->n[n->b].g;
        if (n->flags & IR_F_LOOP) edge = i;
        if (n->op == IR_PUT && !(n->flags & IR_F_EXIT) && !edge) inline_puts++;
        if (n->op == IR_PUT && (n->flags & IR_F_EXIT) && !edge) exit_puts |= 1u << n->g;
    }
    assert_int_equal(moves, 1u << 5 | 1u << 28); /* t1 is not changed, t2 not carried */
    assert_int_equal(inline_puts, 0);
    assert_int_equal(exit_puts, 1u << 5 | 1u << 7 | 1u << 28);
    assert_int_equal(ir->n[edge].op, IR_BR);
    /* a load first observes t2 before the body writes it: t2 is written back at the edge */
    rv_op_t ops2[] = {mk(RV_I_ld, 29, 10, 0, 0), mk(RV_I_add, 5, 5, 6, 0),
                      mk(RV_I_addi, 7, 5, 0, 0), mk(RV_I_addi, 28, 28, 0, -1),
                      mk(RV_I_bne, 0, 28, 0, -16)};
    build_loop(ir, no_homes, ops2, 5, true);
    assert_int_equal(ir->loop_in, 1u << 5 | 1u << 6 | 1u << 10 | 1u << 28);
    assert_int_equal(ir->loop_flush, 1u << 7 | 1u << 29);
    unsigned flushed = 0, gets = 0;
    edge = 0;
    for (unsigned i = 0; i < ir->count; i++) {
        const ir_node_t *n = &ir->n[i];
        if (n->flags & IR_F_LOOP) edge = i;
        if (n->op == IR_PUT && !(n->flags & IR_F_EXIT) && !edge && i > ir->loop_head + 1)
            flushed |= 1u << n->g;
        if (n->op == IR_GET && i < ir->loop_head) gets |= 1u << n->g;
    }
    assert_true(flushed & (1u << 7)); /* t2 (and the loaded t4) in line before the edge */
    assert_true(flushed & (1u << 29));
    assert_int_equal(gets & (1u << 7 | 1u << 29), 0); /* neither held by the head */
    /* without loop_pc the same path leaves at the branch and writes back in line */
    ir_begin(ir, no_homes, true);
    for (unsigned i = 0; i < 4; i++) {
        bool ends;
        uint64_t cont;
        assert_true(ir_add(ir, &ops[i], PC0 + 4 * i, i, &ends, &cont));
    }
    ir_end_jump(ir, PC0 + 16, 4);
    assert_false(ir->loop_seen);
    for (unsigned i = 0; i < ir->count; i++)
        assert_false(ir->n[i].flags & IR_F_LOOP);
    free(ir);
}

/* Forced pressure on a pool of two: the allocator spills the value with the weakest claim
 * (fewest uses for its length), not the one that ends last. A is used once, B eight times
 * and last; a third value needs a register while both live: A goes to memory. */
static void test_spill_choice(void **state) {
    (void)state;
    rv_op_t ops[] = {
        mk(RV_I_addi, 5, 5, 0, 1), /* A = x5 + 1 */
        mk(RV_I_addi, 6, 6, 0, 2), /* B = x6 + 2 */
        mk(RV_I_add, 7, 6, 6, 0),  /* C = B + B */
        mk(RV_I_add, 7, 7, 6, 0),  /* ... + B */
        mk(RV_I_xor, 7, 7, 6, 0),  /* ... ^ B */
        mk(RV_I_add, 7, 7, 6, 0),  /* ... + B */
        mk(RV_I_or, 7, 7, 6, 0),   /* ... | B */
        mk(RV_I_add, 28, 5, 7, 0), /* A's one use */
        mk(RV_I_sub, 7, 7, 6, 0),  /* ... - B */
        mk(RV_I_add, 29, 7, 6, 0), /* ... + B */
        mk(RV_I_addi, 5, 0, 0, 0), /* A, B and C are no guest register's value any more */
        mk(RV_I_addi, 6, 0, 0, 0), mk(RV_I_addi, 7, 0, 0, 0),
    };
    unsigned n = sizeof(ops) / sizeof(ops[0]);
    ir_t *ir = new_ir();
    build(ir, no_homes, ops, n);
    ir_optimise(ir);
    static const int8_t pool2[] = {1, 2};
    assert_true(ir_regalloc(ir, pool2, 2, 8));
    assert_null(ir_verify(ir, true));
    /* A and B: the adds of the guest's x5 + 1 and x6 + 2 */
    unsigned a = IR_NONE, b = IR_NONE;
    for (unsigned i = 0; i < ir->count; i++) {
        const ir_node_t *m = &ir->n[i];
        if ((m->flags & IR_F_DEAD) || m->op != IR_ADD || !(m->flags & IR_F_IMM)) continue;
        if (m->imm == 1 && a == IR_NONE) a = i;
        if (m->imm == 2 && b == IR_NONE) b = i;
    }
    assert_true(a != IR_NONE && b != IR_NONE);
    assert_true(ir->n[b].last > ir->n[a].last); /* B ends last: the old choice spilled it */
    assert_true(ir->n[b].reg >= 0);
    assert_true(ir->n[a].reg < 0 && ir->n[a].slot >= 0);
    uint64_t x[32], want[32];
    for (unsigned g = 0; g < 32; g++)
        x[g] = g ? rnd() : 0;
    memcpy(want, x, sizeof(x));
    uint64_t A = want[5] + 1, B = want[6] + 2, C = B + B;
    C += B, C ^= B, C += B, C |= B;
    want[28] = A + C;
    C -= B;
    want[29] = C + B;
    want[5] = want[6] = want[7] = 0;
    eval(ir, x);
    assert_memory_equal(x, want, sizeof(x));
    free(ir);
}

/* Early write-backs: the put of a temporary written long before the next write-back point
 * (an embedded instruction here) moves up to just after the temporary's last use, so its
 * interval ends there; a put of a register that got its value later stays after that point;
 * the state at the embedded instruction is the interpreter's either way. */
static void test_early_puts(void **state) {
    (void)state;
    rv_op_t ops[] = {
        mk(RV_I_addi, 5, 5, 0, 1), /* A = x5 + 1 */
        mk(RV_I_addi, 6, 5, 0, 3), /* x6 = A + 3: A's last use */
        mk(RV_I_add, 7, 7, 6, 0),     mk(RV_I_xor, 7, 7, 6, 0),
        mk(RV_I_add, 7, 7, 6, 0),     mk(RV_I_or, 7, 7, 6, 0),
        mk(RV_I_addi, 29, 5, 0, 0), /* x29 = A from here on (mv t4, t0) */
        mk(RV_I_add, 7, 7, 6, 0),     mk(RV_I_xor, 7, 7, 6, 0),
        mk(RV_I_sh1add, 28, 6, 7, 0), /* embedded: the state is canonical before it */
    };
    unsigned n = sizeof(ops) / sizeof(ops[0]);
    static rv_cpu_t cpu;
    static uint64_t ref[16][32];
    uint64_t x0[32];
    for (unsigned g = 0; g < 32; g++)
        x0[g] = g ? rnd() : 0;
    rv_cpu_reset(&cpu);
    memcpy(cpu.x, x0, sizeof(x0));
    for (unsigned i = 0; i < n; i++) {
        memcpy(ref[i], cpu.x, sizeof(ref[i]));
        assert_int_equal(rv_exec1(&cpu, &ops[i], PC0 + 4 * i), RV_EXEC1_OK);
    }
    ir_t *ir = new_ir();
    build_embed = true;
    for (int early = 0; early < 2; early++) {
        build(ir, no_homes, ops, n);
        ir_optimise(ir);
        ir->early_puts = early;
        assert_true(ir_regalloc(ir, pool3, 3, 16));
        const char *why = ir_verify(ir, true);
        if (why) {
            ir_print(ir, stderr);
            fail_msg("%s", why);
        }
        unsigned a = IR_NONE, insn = IR_NONE, put5 = IR_NONE, put29 = IR_NONE;
        for (unsigned i = 0; i < ir->count; i++) {
            const ir_node_t *m = &ir->n[i];
            if (m->flags & IR_F_DEAD) continue;
            if (m->op == IR_ADD && (m->flags & IR_F_IMM) && m->imm == 1 && a == IR_NONE) a = i;
            if (m->op == IR_INSN) insn = i;
            if (m->op == IR_PUT && m->g == 5 && insn == IR_NONE) put5 = i;
            if (m->op == IR_PUT && m->g == 29 && insn == IR_NONE) put29 = i;
        }
        assert_true(a != IR_NONE && insn != IR_NONE && put5 != IR_NONE && put29 != IR_NONE);
        if (early) { /* x5's put right after A's last use; x29's after it holds A */
            assert_true(put5 < a + 4);
            assert_int_equal(ir->n[a].last, put29);
            assert_true(put29 < insn - 3);
        } else {
            assert_true(put5 > insn - 5);
            assert_true(ir->n[a].last > insn - 5);
        }
        eval_ref = (const uint64_t(*)[32])ref;
        uint64_t x[32];
        memcpy(x, x0, sizeof(x));
        eval(ir, x);
        eval_ref = NULL;
        assert_memory_equal(x, cpu.x, sizeof(x));
    }
    build_embed = false;
    free(ir);
}

/* M's other operations (IR_MULDIV): ir_muldiv_eval against rv_exec1 on every pair of edge
 * operands (division by zero, MIN / -1 in 64 and 32 bits, signs), and the optimiser's
 * folding of constant operands with those results. */
static void test_muldiv(void **state) {
    (void)state;
    static const uint16_t ids[] = {RV_I_mulh,  RV_I_mulhsu, RV_I_mulhu, RV_I_div,
                                   RV_I_divu,  RV_I_rem,    RV_I_remu,  RV_I_divw,
                                   RV_I_divuw, RV_I_remw,   RV_I_remuw};
    static const uint64_t vals[] = {0,
                                    1,
                                    2,
                                    7,
                                    UINT64_MAX,
                                    (uint64_t)-7,
                                    0x8000000000000000ull,
                                    0x7fffffffffffffffull,
                                    0x80000000ull,
                                    0xffffffff80000000ull,
                                    0x7fffffffull,
                                    0xffffffffull,
                                    0x100000000ull,
                                    0x123456789abcdef0ull};
    static rv_cpu_t cpu;
    ir_t *ir = new_ir();
    unsigned nv = sizeof(vals) / sizeof(vals[0]);
    for (unsigned k = 0; k < sizeof(ids) / sizeof(ids[0]); k++)
        for (unsigned i = 0; i < nv; i++)
            for (unsigned j = 0; j < nv; j++) {
                rv_op_t op = mk(ids[k], 7, 5, 6, 0);
                rv_cpu_reset(&cpu);
                cpu.x[5] = vals[i], cpu.x[6] = vals[j];
                assert_int_equal(rv_exec1(&cpu, &op, PC0), RV_EXEC1_OK);
                /* through the IR: one node, evaluated as built */
                build(ir, homes_x86, &op, 1);
                assert_int_equal(live_count(ir, IR_MULDIV), 1);
                uint64_t x[32] = {0};
                x[5] = vals[i], x[6] = vals[j];
                eval(ir, x);
                if (x[7] != cpu.x[7])
                    fail_msg("%s 0x%llx, 0x%llx: 0x%llx, the interpreter says 0x%llx",
                             rv_insn_table[ids[k]].name, (unsigned long long)vals[i],
                             (unsigned long long)vals[j], (unsigned long long)x[7],
                             (unsigned long long)cpu.x[7]);
                /* with constant operands: folded to the interpreter's result */
                rv_op_t ops[] = {mk(RV_I_lui, 5, 0, 0, 0), mk(RV_I_lui, 6, 0, 0, 0), op};
                build(ir, homes_x86, ops, 3);
                for (unsigned n = 0; n < ir->count; n++) /* the constants: the edge values */
                    if (ir->n[n].op == IR_CONST && ir->n[n].imm == 0 && n < 2)
                        ir->n[n].imm = (int64_t)vals[n == 0 ? i : j];
                ir_optimise(ir);
                assert_int_equal(live_count(ir, IR_MULDIV), 0);
                uint16_t v = final_value(ir, 7);
                assert_int_not_equal(v, IR_NONE);
                assert_int_equal(ir->n[v].op, IR_CONST);
                assert_int_equal((uint64_t)ir->n[v].imm, cpu.x[7]);
            }
    free(ir);
}

/* The register map's candidates: pinned registers the path does not write (or does not
 * touch at all), embedded instructions included. */
static void test_map_candidates(void **state) {
    (void)state;
    ir_t *ir = new_ir();
    /* addi a0, a0, 1 (writes a0); add t0, a1, a0 (reads a1); sh1add a2, t0, s0 (embedded:
     * writes a2, reads s0); t1 = t0 + t0 */
    rv_op_t ops[] = {mk(RV_I_addi, 10, 10, 0, 1), mk(RV_I_add, 5, 11, 10, 0),
                     mk(RV_I_sh1add, 12, 5, 8, 0), mk(RV_I_add, 6, 5, 5, 0)};
    build_embed = true;
    build(ir, homes_x86, ops, 4);
    build_embed = false;
    ir_optimise(ir);
    assert_true(ir_regalloc(ir, pool3, 3, 8));
    uint32_t pinned =
        1u << 15 | 1u << 14 | 1u << 2 | 1u << 10 | 1u << 13 | 1u << 8 | 1u << 12 | 1u << 11;
    assert_int_equal(ir_map_candidates(ir, IR_MAP_UNWRITTEN), pinned & ~(1u << 10 | 1u << 12));
    assert_int_equal(ir_map_candidates(ir, IR_MAP_UNTOUCHED),
                     pinned & ~(1u << 10 | 1u << 12 | 1u << 11 | 1u << 8));
    assert_int_equal(ir_map_candidates(ir, IR_MAP_ALL), pinned);
    assert_int_equal(ir_map_candidates(ir, IR_MAP_NONE), 0);
    /* a loop: only its own writes count (sp, written after it, is a candidate; a3, read
     * after it, too) - 0: add a0, a0, a1; 4: addi a2, a2, -1; 8: bne a2, x0, 0;
     * 12: addi sp, sp, 16; 16: add t0, a3, a0 */
    rv_op_t loop[] = {mk(RV_I_add, 10, 10, 11, 0), mk(RV_I_addi, 12, 12, 0, -1),
                      mk(RV_I_bne, 0, 12, 0, -8), mk(RV_I_addi, 2, 2, 0, 16),
                      mk(RV_I_add, 5, 13, 10, 0)};
    build_loop(ir, homes_x86, loop, 5, true);
    ir_optimise(ir);
    assert_true(ir_regalloc(ir, pool3, 3, 8));
    assert_int_equal(ir_map_candidates(ir, IR_MAP_UNWRITTEN), pinned & ~(1u << 10 | 1u << 12));
    assert_int_equal(ir_map_candidates(ir, IR_MAP_UNTOUCHED),
                     pinned & ~(1u << 10 | 1u << 11 | 1u << 12 | 1u << 2 | 1u << 13));
    free(ir);
}

/* What the IR does not cover is refused without adding anything. */
static void test_coverage(void **state) {
    (void)state;
    ir_t *ir = new_ir();
    ir_begin(ir, no_homes, false);
    bool ends;
    uint64_t cont;
    rv_op_t sh1add = mk(RV_I_sh1add, 5, 6, 7, 0), ecall = mk(RV_I_ecall, 0, 0, 0, 0);
    assert_false(ir_add(ir, &sh1add, PC0, 0, &ends, &cont));
    assert_false(ir_add(ir, &ecall, PC0, 0, &ends, &cont)); /* no user-mode traps here */
    assert_int_equal(ir->count, 0);
    assert_true(ir_covers(RV_I_ld, false));
    assert_true(ir_covers(RV_I_divuw, false)); /* M is modelled (IR_MULDIV) */
    assert_true(ir_covers(RV_I_mulhsu, false));
    assert_false(ir_covers(RV_I_fld, false));
    /* what a backend may embed: no control flow, nothing that ends a decoded block */
    assert_true(ir_embeddable(RV_I_div));
    assert_true(ir_embeddable(RV_I_fld));
    assert_true(ir_embeddable(RV_I_fmadd_d));
    assert_true(ir_embeddable(RV_I_amoadd_w));
    assert_false(ir_embeddable(RV_I_csrrw));
    assert_false(ir_embeddable(RV_I_fence_i));
    assert_false(ir_embeddable(RV_I_beq));
    assert_false(ir_embeddable(RV_I_jalr));
    assert_false(ir_embeddable(RV_I_ecall));
    free(ir);
}

int main(void) {
    init_homes();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant_folding),
        cmocka_unit_test(test_copy_propagation),
        cmocka_unit_test(test_sext_folding),
        cmocka_unit_test(test_value_numbering),
        cmocka_unit_test(test_low_halves),
        cmocka_unit_test(test_dead_values),
        cmocka_unit_test(test_immediates),
        cmocka_unit_test(test_home_copy),
        cmocka_unit_test(test_pressure),
        cmocka_unit_test(test_spill_choice),
        cmocka_unit_test(test_early_puts),
        cmocka_unit_test(test_random_sequences),
        cmocka_unit_test(test_coverage),
        cmocka_unit_test(test_embedded),
        cmocka_unit_test(test_ras),
        cmocka_unit_test(test_lazy_exits),
        cmocka_unit_test(test_sink),
        cmocka_unit_test(test_sink_const_home),
        cmocka_unit_test(test_rotate),
        cmocka_unit_test(test_loop_shape),
        cmocka_unit_test(test_loops),
        cmocka_unit_test(test_loop_sext),
        cmocka_unit_test(test_muldiv),
        cmocka_unit_test(test_map_candidates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
