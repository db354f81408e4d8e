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
 *     folded in ([base + disp] addressing), unless x + k is in a home anyway;
 *   - value numbering: a pure node (arithmetic, shifts, rotations, comparisons, M's
 *     operations; not loads) that computes what an earlier one computes - the same operation,
 *     width, immediate and operands, commutative operands in either order - becomes a copy
 *     of it. Guest code recomputes a value when it has no register to keep it in (SHA-256's
 *     rounds compute `a & b` and `ror(e, 6)` twice), and compiled code spells one value in
 *     several registers. An earlier value in a home counts only while that home still holds
 *     it: once the guest register is written again, keeping the old value would take a copy
 *     and a pool register for the rest of its life, which costs more than computing it again.
 * Dead values go last: the roots are nodes with effects (puts, memory, exits, fences, embedded
 * instructions, return-address pushes, a loop's back-edge moves) and the
 * values written to homes that some later point can observe (a fault, a call-out or an exit
 * before the home is written again); everything they do not use is marked dead.
 */
#include "jit/ir.h"

#include <string.h>

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

/* Whether value v is certainly the sign extension of its low 32 bits. A loop's head value
 * counts when it is known so (ir->sext_head, see loop_sext); *used then collects its guest
 * register (NULL: not noted). */
static bool sext32_at(const ir_t *ir, uint16_t v, int depth, uint32_t *used) {
    if (v == IR_NONE || depth > 8) return false;
    const ir_node_t *n = &ir->n[v];
    switch (n->op) {
    case IR_CONST: return fits_s32(n->imm);
    case IR_GET:
        if (!(ir->sext_head >> n->g & 1) || ir->head_val[n->g] != v) return false;
        if (used) *used |= 1u << n->g;
        return true;
    case IR_COPY: return sext32_at(ir, n->a, depth + 1, used);
    case IR_ADD: /* W, or a move as the builder has it before folding (x + 0, 0 + x) */
        if (n->flags & IR_F_W) return true;
        if (n->flags & IR_F_IMM) return n->imm == 0 && sext32_at(ir, n->a, depth + 1, used);
        if (is_const(ir, n->a) && ir->n[n->a].imm == 0) return sext32_at(ir, n->b, depth + 1, used);
        if (is_const(ir, n->b) && ir->n[n->b].imm == 0) return sext32_at(ir, n->a, depth + 1, used);
        return false;
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
        if (n->flags & IR_F_IMM) return fits_s32(n->imm) && sext32_at(ir, n->a, depth + 1, used);
        return sext32_at(ir, n->a, depth + 1, used) && sext32_at(ir, n->b, depth + 1, used);
    case IR_SHR: return (n->flags & IR_F_W) || ((n->flags & IR_F_IMM) && n->imm >= 33);
    case IR_SAR: return (n->flags & IR_F_W) || ((n->flags & IR_F_IMM) && n->imm >= 32);
    default: return (n->flags & IR_F_W) != 0;
    }
}

static bool sext32(const ir_t *ir, uint16_t v, int depth) {
    return sext32_at(ir, v, depth, NULL);
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
    uint32_t used = 0;
    if (w && n->op == IR_ADD && c == 0 && sext32_at(ir, n->a, 0, &used)) {
        make_copy(n, n->a);
        ir->sext_guard |= used; /* the entry must check what this relied on */
    }
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

/* Value numbering (see above): pure nodes by operation and operands. */
#define VN_MAX 4096u /* table entries at most (a power of two, at least 2 * IR_MAX_NODES) */
_Static_assert(VN_MAX >= 2 * IR_MAX_NODES, "the value table stays at most half full");

typedef struct vn {
    uint16_t tab[VN_MAX]; /* open addressing: node index, or IR_NONE */
    unsigned mask;        /* entries in use - 1 (a power of two minus one) */
    int16_t occ[32];      /* host register of a home -> the node last computed into it, or -1 */
} vn_t;

/* Whether node kind op is pure: its value depends on its operands alone, and it has no
 * effect (M's divisions take RISC-V's results for x/0 and overflow: they never trap). */
static bool vn_pure(unsigned op) {
    return op >= IR_ADD && op <= IR_ROR;
}

/* The operands of pure node n in a canonical order (commutative ones sorted), and its hash. */
static unsigned vn_hash(const ir_node_t *n, uint16_t *a, uint16_t *b) {
    *a = n->a;
    *b = (n->flags & IR_F_IMM) ? IR_NONE : n->b;
    if (*b != IR_NONE && commutative(n->op) && *b < *a) {
        uint16_t t = *a;
        *a = *b;
        *b = t;
    }
    uint64_t k = (uint64_t)n->op | (uint64_t)(n->flags & (IR_F_W | IR_F_IMM)) << 8 |
                 (uint64_t)n->aux << 16 | (uint64_t)*a << 24 | (uint64_t)*b << 40;
    if (n->flags & IR_F_IMM) k ^= (uint64_t)n->imm * 0x9e3779b97f4a7c15ull;
    k *= 0xff51afd7ed558ccdull;
    return (unsigned)(k >> 40);
}

/* Whether pure nodes n and m compute the same value. */
static bool vn_same(const ir_node_t *n, const ir_node_t *m) {
    uint16_t na, nb, ma, mb;
    vn_hash(n, &na, &nb);
    vn_hash(m, &ma, &mb);
    return n->op == m->op && (n->flags & (IR_F_W | IR_F_IMM)) == (m->flags & (IR_F_W | IR_F_IMM)) &&
           n->aux == m->aux && na == ma && nb == mb && (!(n->flags & IR_F_IMM) || n->imm == m->imm);
}

/* Node i (folded, operands resolved): a copy of an earlier node that computes the same value,
 * or the representative of its value from here on. Also notes what homes hold. */
static void vn_node(ir_t *ir, vn_t *vn, unsigned i) {
    ir_node_t *n = &ir->n[i];
    if (vn_pure(n->op)) {
        uint16_t a, b;
        unsigned h = vn_hash(n, &a, &b) & vn->mask;
        for (;; h = (h + 1) & vn->mask) {
            uint16_t m = vn->tab[h];
            if (m == IR_NONE) {
                vn->tab[h] = (uint16_t)i;
                break;
            }
            if (!vn_same(n, &ir->n[m])) continue;
            const ir_node_t *mm = &ir->n[m];
            if (mm->home >= 0 && vn->occ[mm->home & 31] != (int16_t)m) {
                vn->tab[h] = (uint16_t)i; /* its home holds another value now: n replaces it */
                break;
            }
            make_copy(n, m);
            ir->merged++;
            break;
        }
    }
    if (n->home >= 0 && n->op != IR_GET && ir_has_value(n->op)) vn->occ[n->home & 31] = (int16_t)i;
}

/* Sign extension across a loop's head. A value read from the loop head (a head get, or the
 * first read of a register with a home in the body) is what the back edge left there, or in
 * the first iteration what the translation was entered with. When every value the back edge
 * leaves in the register is sign-extended - assuming the same of the other head values, the
 * largest such set (rotated variables carry each other's values) - the head value is
 * sign-extended in every iteration but the first; the backend checks the first at the
 * translation's entry (ir->sext_guard: only the registers a fold relied on), and leaves for
 * the interpreter when one is not, which runs the loop's first block with its own semantics
 * and re-enters with the values the body wrote. A register the loop does not change is left
 * out: its entry value is the value in every iteration, and a failing check would fail on
 * every entry. dep[g]: the head values g's back-edge value relies on (the check covers
 * them too: a rotation carries one register's entry value into another). */
static void loop_sext(ir_t *ir, uint32_t dep[32]) {
    ir->sext_head = ir->sext_guard = 0;
    for (unsigned g = 0; g < 32; g++)
        ir->head_val[g] = IR_NONE;
    if (!ir->loop || !ir->sext_loop) return;
    unsigned edge = 0;
    for (unsigned i = ir->loop_head; i < ir->count && !edge; i++)
        if ((ir->n[i].flags & IR_F_LOOP) && !(ir->n[i].flags & IR_F_DEAD)) edge = i;
    if (!edge) return;
    uint16_t back[32]; /* the value the back edge leaves in each register, or IR_NONE */
    for (unsigned g = 0; g < 32; g++) {
        ir->head_val[g] = ir->loop_get[g];
        back[g] = IR_NONE;
    }
    for (unsigned i = ir->loop_head; i < edge; i++) {
        const ir_node_t *n = &ir->n[i];
        if (n->flags & IR_F_DEAD) continue;
        if (n->op == IR_LOOPMOV) {
            back[ir->n[n->b].g & 31] = n->a;
        } else if (n->home >= 0 && n->op == IR_GET) {
            if (ir->head_val[n->g] == IR_NONE) ir->head_val[n->g] = (uint16_t)i;
        } else if (n->home >= 0 && ir_has_value(n->op)) {
            back[n->g & 31] = (uint16_t)i;
        }
    }
    uint32_t known = 0;
    for (unsigned g = 0; g < 32; g++) {
        dep[g] = 0;
        if (g && ir->head_val[g] != IR_NONE && back[g] != IR_NONE) known |= 1u << g;
    }
    for (bool changed = true; changed;) {
        changed = false;
        ir->sext_head = known;
        for (unsigned g = 1; g < 32; g++)
            if ((known >> g & 1) && !sext32(ir, back[g], 0)) {
                known &= ~(1u << g);
                changed = true;
            }
    }
    ir->sext_head = known;
    for (unsigned g = 1; g < 32; g++)
        if (known >> g & 1) sext32_at(ir, back[g], 0, &dep[g]);
}

/* Low halves. A W operation's result is the sign extension of its low 32 bits, which costs
 * the host a `movsxd` after its 32-bit operation. Where nothing reads the upper half, the
 * extension is not needed (ir_node_t.lo32): the users of the value are W operations (which
 * read the low 32 bits of their operands, and a shift only the low bits of its count), a
 * store of at most 4 bytes (of its value), or 64-bit additions, subtractions,
 * multiplications, bitwise operations and left shifts whose own result is read only in its
 * low half (their low 32 bits depend on their operands' low 32 bits alone). Every other
 * reader needs all 64 bits: comparisons and branches, addresses, right shifts, puts (the
 * guest state), a loop's moves, copies; and so does a value in a home that a fault, an exit
 * or an embedded instruction can observe before the home is written again (the guest
 * register must hold its exact value there). compiled code keeps 32-bit values
 * sign-extended, so chains of W operations (SHA-256's sums, hashes, checksums) made one
 * `movsxd` per guest instruction. */
static void mark_low_halves(ir_t *ir) {
    static _Thread_local uint8_t full[IR_MAX_NODES]; /* some reader needs the upper half */
    bool seen[32];                                   /* (per home) an observation point after */
    for (unsigned h = 0; h < 32; h++)
        seen[h] = true;
    for (unsigned i = ir->count; i-- > 0;) {
        ir_node_t *n = &ir->n[i];
        full[i] = 0;
        n->lo32 = 0;
        if (n->flags & IR_F_DEAD) continue;
        if (n->home >= 0 && n->op != IR_GET && ir_has_value(n->op)) {
            if (seen[n->home & 31]) full[i] = 1; /* observable in its home */
            seen[n->home & 31] = false;          /* (earlier values: until this write) */
        }
        if (observes(n->op)) /* (an embedded instruction sees the state before its write) */
            for (unsigned h = 0; h < 32; h++)
                seen[h] = true;
    }
    for (unsigned i = ir->count; i-- > 0;) {
        ir_node_t *n = &ir->n[i];
        if (n->flags & IR_F_DEAD) continue;
        bool w = n->flags & IR_F_W, fa = true, fb = true; /* operands read whole */
        switch (n->op) {
        case IR_ADD:
        case IR_SUB:
        case IR_MUL:
        case IR_AND:
        case IR_OR:
        case IR_XOR: fa = fb = !w && full[i]; break;
        case IR_SHL:
            fa = !w && full[i];
            fb = false;
            break;
        case IR_SHR:
        case IR_SAR:
            fa = !w;
            fb = false;
            break;
        case IR_ROR: fa = !w; break;
        case IR_STORE: fb = (n->aux & 15) > 4; break;
        default: break;
        }
        if (n->a != IR_NONE && fa) full[n->a] = 1;
        if (n->b != IR_NONE && !(n->flags & IR_F_IMM) && fb) full[n->b] = 1;
        if (w && !full[i] &&
            (n->op == IR_ADD || n->op == IR_SUB || n->op == IR_MUL || n->op == IR_SHL ||
             n->op == IR_SAR || n->op == IR_ROR))
            n->lo32 = 1;
    }
}

void ir_optimise(ir_t *ir) {
    static _Thread_local vn_t vn; /* (8 KiB: not on the stack of every caller) */
    vn.mask = 63;
    while (vn.mask + 1 < 2 * ir->count && vn.mask + 1 < VN_MAX)
        vn.mask = vn.mask * 2 + 1;
    memset(vn.tab, 0xff, (vn.mask + 1) * sizeof(vn.tab[0]));
    for (unsigned h = 0; h < 32; h++)
        vn.occ[h] = -1;
    uint32_t dep[32];
    loop_sext(ir, dep);
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
        if (ir->value_numbering) vn_node(ir, &vn, i);
    }
    /* the entry checks what the folds relied on, and what that relies on in turn */
    for (uint32_t prev = 0; prev != ir->sext_guard;) {
        prev = ir->sext_guard;
        for (unsigned g = 1; g < 32; g++)
            if (prev >> g & 1) ir->sext_guard |= dep[g];
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
    if (ir->low_halves) mark_low_halves(ir);
}
