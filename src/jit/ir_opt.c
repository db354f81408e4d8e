/* ir_opt.c - the IR optimiser: one forward pass of local rewriting, then dead-value removal.
 *
 * The forward pass visits nodes in order, so every operand it looks at is already in its
 * final form:
 *   - operands that are copies are replaced by the copied value (copy propagation);
 *   - an operation whose operands are all constants becomes a constant, computed with
 *     RISC-V's semantics (W forms on 32 bits, sign-extended; shift counts masked);
 *   - a constant second operand that fits a sign-extended 32-bit immediate becomes the
 *     node's immediate (commutative operations swap a constant first operand there first;
 *     `sub x, c` becomes `add x, -c`);
 *   - identities become copies: x + 0, x | 0, x ^ 0, x & -1, shifts by 0;
 *   - sign extension: `addiw x, 0` of a value that is already a sign-extended 32-bit value
 *     (a W result, a narrow or 32-bit signed load, a small constant, a comparison...) is a
 *     copy, and W operations read through such an extension (they use only the low bits);
 *   - rotations: `(x >> k) | (x << (N - k))` (or `^`, `+`: the two sides share no bit; N = 64,
 *     or 32 with both shifts W: their results are sign-extended, and so is their OR) is one
 *     rotate node, what compiled C without Zbb spells a rotation as (SHA-256, hashes);
 *   - memory operands: a load or store whose address is `x + k` uses x with the displacement
 *     folded in ([base + disp] addressing), unless x + k is in a home anyway.
 * Dead values go last: the roots are nodes with effects (puts, memory, exits, fences, embedded
 * instructions, return-address pushes, a loop's back-edge moves) and the
 * values written to homes that some later point can observe (a fault, a call-out or an exit
 * before the home is written again); everything they do not use is marked dead.
 */
#include "jit/ir.h"

static bool fits_s32(int64_t v) {
    return v >= INT32_MIN && v <= INT32_MAX;
}

/* The value operand v stands for once copies are looked through. */
static uint16_t resolve(const ir_t *ir, uint16_t v) {
    for (int k = 0; k < 64 && v != IR_NONE; k++) {
        const ir_node_t *n = &ir->n[v];
        if (n->op != IR_COPY || n->home >= 0) break;
        v = n->a;
    }
    return v;
}

static bool is_const(const ir_t *ir, uint16_t v) {
    return v != IR_NONE && ir->n[v].op == IR_CONST;
}

/* Whether value v is certainly the sign extension of its low 32 bits. */
static bool sext32(const ir_t *ir, uint16_t v, int depth) {
    if (v == IR_NONE || depth > 8) return false;
    const ir_node_t *n = &ir->n[v];
    switch (n->op) {
    case IR_CONST: return fits_s32(n->imm);
    case IR_COPY: return sext32(ir, n->a, depth + 1);
    case IR_SLT:
    case IR_SLTU: return true;
    case IR_LOAD: return (n->aux & 15) < 4 || ((n->aux & 15) == 4 && (n->aux & 16));
    case IR_AND:
        if ((n->flags & IR_F_IMM) && n->imm >= 0 && n->imm <= INT32_MAX) return true;
        /* bitwise operations of sign-extended values are sign-extended */
        /* fall through */
    case IR_OR:
    case IR_XOR:
        if (n->flags & IR_F_W) return true;
        if (n->flags & IR_F_IMM) return fits_s32(n->imm) && sext32(ir, n->a, depth + 1);
        return sext32(ir, n->a, depth + 1) && sext32(ir, n->b, depth + 1);
    case IR_SHR: return (n->flags & IR_F_W) || ((n->flags & IR_F_IMM) && n->imm >= 33);
    case IR_SAR: return (n->flags & IR_F_W) || ((n->flags & IR_F_IMM) && n->imm >= 32);
    default: return (n->flags & IR_F_W) != 0;
    }
}

/* RISC-V's result of binary operation `op` (flags W) on constants a and b. */
static int64_t eval(unsigned op, unsigned flags, uint64_t a, uint64_t b) {
    if (flags & IR_F_W) {
        uint32_t x = (uint32_t)a, y = (uint32_t)b, r;
        switch (op) {
        case IR_ADD: r = x + y; break;
        case IR_SUB: r = x - y; break;
        case IR_SHL: r = x << (y & 31); break;
        case IR_SHR: r = x >> (y & 31); break;
        case IR_SAR: r = (uint32_t)((int32_t)x >> (y & 31)); break;
        case IR_MUL: r = x * y; break;
        default: r = 0; break;
        }
        return (int64_t)(int32_t)r;
    }
    switch (op) {
    case IR_ADD: return (int64_t)(a + b);
    case IR_SUB: return (int64_t)(a - b);
    case IR_AND: return (int64_t)(a & b);
    case IR_OR: return (int64_t)(a | b);
    case IR_XOR: return (int64_t)(a ^ b);
    case IR_SHL: return (int64_t)(a << (b & 63));
    case IR_SHR: return (int64_t)(a >> (b & 63));
    case IR_SAR: return (int64_t)a >> (b & 63);
    case IR_SLT: return (int64_t)a < (int64_t)b;
    case IR_SLTU: return a < b;
    case IR_MUL: return (int64_t)(a * b);
    default: return 0;
    }
}

static bool commutative(unsigned op) {
    return op == IR_ADD || op == IR_AND || op == IR_OR || op == IR_XOR || op == IR_MUL;
}
static bool is_shift(unsigned op) {
    return op == IR_SHL || op == IR_SHR || op == IR_SAR;
}

/* Node i becomes the constant v (keeping its home). */
static void make_const(ir_node_t *n, int64_t v) {
    n->op = IR_CONST;
    n->flags = 0;
    n->a = n->b = IR_NONE;
    n->imm = v;
}
/* Node i becomes a copy of value a. */
static void make_copy(ir_node_t *n, uint16_t a) {
    n->op = IR_COPY;
    n->flags = 0;
    n->a = a;
    n->b = IR_NONE;
    n->imm = 0;
}

/* Fold a binary operation node (its operands resolved). */
static void fold_binary(ir_t *ir, ir_node_t *n) {
    bool w = n->flags & IR_F_W;
    if (w) { /* W operations read only the low 32 bits: look through sign extensions */
        for (int k = 0; k < 2; k++) {
            uint16_t *p = k ? &n->b : &n->a;
            if (k && (n->flags & IR_F_IMM)) break;
            const ir_node_t *m = &ir->n[*p];
            if (m->op == IR_ADD && (m->flags & (IR_F_W | IR_F_IMM)) == (IR_F_W | IR_F_IMM) &&
                m->imm == 0)
                *p = m->a;
        }
    }
    if (!(n->flags & IR_F_IMM) && is_const(ir, n->a) && !is_const(ir, n->b) && commutative(n->op)) {
        uint16_t t = n->a;
        n->a = n->b;
        n->b = t;
    }
    if (!(n->flags & IR_F_IMM) && is_const(ir, n->b)) {
        int64_t c = ir->n[n->b].imm;
        if (is_shift(n->op)) {
            n->imm = c & (w ? 31 : 63);
            n->flags |= IR_F_IMM;
            n->b = IR_NONE;
        } else if (n->op == IR_SUB && c != INT64_MIN && fits_s32(-c)) {
            n->op = IR_ADD;
            n->imm = -c;
            n->flags |= IR_F_IMM;
            n->b = IR_NONE;
        } else if (n->op != IR_SUB && fits_s32(c)) {
            n->imm = c;
            n->flags |= IR_F_IMM;
            n->b = IR_NONE;
        }
    }
    if (is_const(ir, n->a) && ((n->flags & IR_F_IMM) || is_const(ir, n->b))) {
        uint64_t b = (n->flags & IR_F_IMM) ? (uint64_t)n->imm : (uint64_t)ir->n[n->b].imm;
        make_const(n, eval(n->op, n->flags, (uint64_t)ir->n[n->a].imm, b));
        return;
    }
    if (!(n->flags & IR_F_IMM)) return;
    int64_t c = n->imm;
    if (!w &&
        ((n->op == IR_ADD && c == 0) || (n->op == IR_OR && c == 0) || (n->op == IR_XOR && c == 0) ||
         (n->op == IR_AND && c == -1) || (is_shift(n->op) && c == 0))) {
        make_copy(n, n->a);
        return;
    }
    if (w && n->op == IR_ADD && c == 0 && sext32(ir, n->a, 0)) make_copy(n, n->a);
}

/* A rotation spelt with two shifts (see above) becomes one IR_ROR node; the shifts stay for
 * their other uses, or die. */
static void fold_rotate(ir_t *ir, ir_node_t *n) {
    if ((n->op != IR_OR && n->op != IR_XOR && n->op != IR_ADD) || (n->flags & (IR_F_IMM | IR_F_W)))
        return;
    const ir_node_t *p = &ir->n[n->a], *q = &ir->n[n->b];
    if (p->op == IR_SHL) {
        const ir_node_t *t = p;
        p = q;
        q = t;
    }
    if (p->op != IR_SHR || q->op != IR_SHL || !(p->flags & IR_F_IMM) || !(q->flags & IR_F_IMM) ||
        (p->flags & IR_F_W) != (q->flags & IR_F_W) || p->a != q->a)
        return;
    int64_t bits = (p->flags & IR_F_W) ? 32 : 64;
    if (p->imm <= 0 || p->imm >= bits || p->imm + q->imm != bits) return;
    n->op = IR_ROR;
    n->flags = (uint8_t)(IR_F_IMM | (p->flags & IR_F_W));
    n->imm = p->imm;
    n->a = p->a;
    n->b = IR_NONE;
}

/* Fold `x + k` into the displacement of a memory node (not when x + k is in a home anyway:
 * reading x instead would keep x alive, and x often is the home's old value, as in
 * `addi sp, sp, -16; sd ra, 8(sp)`, which would then need a copy). */
static void fold_address(ir_t *ir, ir_node_t *n) {
    const ir_node_t *m = &ir->n[n->a];
    if (m->op == IR_ADD && m->home < 0 && (m->flags & (IR_F_IMM | IR_F_W)) == IR_F_IMM &&
        fits_s32(n->imm + m->imm))
        n->a = m->a, n->imm += m->imm;
}

/* Whether a node kind is a point where the guest state can be observed (a fault, a slow
 * path or an exit). */
static bool observes(unsigned op) {
    return op == IR_LOAD || op == IR_STORE || op == IR_BR || op == IR_JUMP || op == IR_JUMPR ||
           op == IR_TRAP || op == IR_INSN;
}

void ir_optimise(ir_t *ir) {
    for (unsigned i = 0; i < ir->count; i++) {
        ir_node_t *n = &ir->n[i];
        if (n->flags & IR_F_DEAD) continue;
        if (n->a != IR_NONE) n->a = resolve(ir, n->a);
        if (n->b != IR_NONE) n->b = resolve(ir, n->b);
        switch (n->op) {
        case IR_COPY:
            if (is_const(ir, n->a)) make_const(n, ir->n[n->a].imm);
            break;
        case IR_LOAD:
        case IR_STORE: fold_address(ir, n); break;
        case IR_LOOPMOV: /* the register keeps its head value: nothing to carry */
            if (n->a == n->b) n->flags |= IR_F_DEAD;
            break;
        case IR_BR:
            if (!(n->flags & IR_F_IMM) && is_const(ir, n->b) && fits_s32(ir->n[n->b].imm)) {
                n->imm = ir->n[n->b].imm;
                n->flags |= IR_F_IMM;
                n->b = IR_NONE;
            }
            break;
        case IR_MULDIV: /* constants only: the lowering takes no immediate */
            if (is_const(ir, n->a) && is_const(ir, n->b))
                make_const(n, ir_muldiv_eval(n->aux, n->flags & IR_F_W, (uint64_t)ir->n[n->a].imm,
                                             (uint64_t)ir->n[n->b].imm));
            break;
        default:
            if (n->op >= IR_ADD && n->op <= IR_MUL) fold_binary(ir, n);
            if (n->op >= IR_ADD && n->op <= IR_MUL) fold_rotate(ir, n);
            break;
        }
    }
    /* dead values: mark from the roots, backwards (operands precede their uses) */
    static const uint8_t live_mark = 1;
    uint8_t live[IR_MAX_NODES];
    for (unsigned i = 0; i < ir->count; i++) {
        const ir_node_t *n = &ir->n[i];
        live[i] = 0;
        if (n->flags & IR_F_DEAD) continue;
        if (!ir_has_value(n->op) || n->op == IR_LOAD || n->op == IR_INSN) {
            live[i] = live_mark;
        } else if (n->home >= 0 && n->op != IR_GET) {
            /* a home's value counts if something can observe it before the next write */
            live[i] = live_mark;
            for (unsigned j = i + 1; j < ir->count; j++) {
                const ir_node_t *m = &ir->n[j];
                if (m->flags & IR_F_DEAD) continue;
                if (observes(m->op)) break;
                if (m->home == n->home && m->op != IR_GET && ir_has_value(m->op)) {
                    live[i] = 0;
                    break;
                }
            }
        }
    }
    for (unsigned i = ir->count; i-- > 0;) {
        ir_node_t *n = &ir->n[i];
        if (!live[i]) {
            n->flags |= IR_F_DEAD;
            continue;
        }
        if (n->a != IR_NONE) live[n->a] = live_mark;
        if (n->b != IR_NONE && !(n->flags & IR_F_IMM)) live[n->b] = live_mark;
    }
}
