/* ir_regalloc.c - liveness and linear-scan register allocation of a superblock's IR.
 *
 * A superblock is one straight path (side exits leave it, nothing joins it), so liveness is
 * one backward fact per value: the index of its last use. A value lives from its definition
 * to that use; intervals are visited in definition order, which is program order.
 *
 * Values fall in three groups:
 *   - values in a home (a guest register the backend keeps in a fixed host register across
 *     translated code): they are not allocated, but a home must hold its guest register's
 *     current value everywhere, so when a value in a home is still used after the home is
 *     written again (`mv t1, a0; addi a0, a0, 1; ... t1`), a copy of it is inserted before
 *     the write and the later uses read the copy;
 *   - constants: materialised by the backend where they are used, never allocated;
 *   - everything else: linear scan over the backend's pool. When no register is free, one
 *     interval (the current one or an active one) goes to a spill slot for its whole life:
 *     the one with the fewest uses for its length (uses / (last - definition), compared
 *     exactly as cross products), and among equals the one that ends last, the classic
 *     choice. Counting uses matters in a loop, whose head values all live to the back edge:
 *     ending last says nothing there, while a pointer read once per iteration and a working
 *     variable read six times are worth very different registers. Registers and slots are
 *     reused from the point where their value's last use is (an operation may write its
 *     result over an operand it reads for the last time; backends read operands first).
 * Before the scan, early_puts shortens intervals that only write-backs kept long: the puts of
 * a value into a guest register move up to just after the value's last real use (below).
 * A loop (ir.h) changes one thing: the loop head's gets live through the back edge, which
 * writes the next iteration's values into their places. Every other value is defined on each
 * iteration before it is used, so the straight-line intervals stay right. The back edge's
 * moves are ordered here too (ir_loop_moves), machine-independently, on the places the
 * allocation chose.
 */
#include "jit/ir.h"

#include <stdlib.h>
#include <string.h>

/* Whether node n reads its operand b. */
static bool reads_b(const ir_node_t *n) {
    if (n->flags & IR_F_IMM) return false;
    return (n->op >= IR_ADD && n->op <= IR_MULDIV) || n->op == IR_STORE || n->op == IR_BR ||
           n->op == IR_LOOPMOV;
}

/* Set every value's last use. In a loop, the head's gets live through the back edge: the
 * next iteration reads them again from where they are, and the back edge's moves write the
 * carried values there. */
static void liveness(ir_t *ir) {
    unsigned edge = 0;
    for (unsigned i = 0; i < ir->count; i++) {
        ir->n[i].last = (uint16_t)i;
        if ((ir->n[i].flags & IR_F_LOOP) && !(ir->n[i].flags & IR_F_DEAD)) edge = i;
    }
    for (unsigned i = 0; i < ir->count; i++) {
        const ir_node_t *n = &ir->n[i];
        if (n->flags & IR_F_DEAD) continue;
        if (n->a != IR_NONE) ir->n[n->a].last = (uint16_t)i;
        if (n->b != IR_NONE && reads_b(n) && n->op != IR_LOOPMOV) ir->n[n->b].last = (uint16_t)i;
    }
    for (unsigned i = 0; i < ir->count; i++)
        ir->n[i].rlast = ir->n[i].last;
    if (!ir->loop || !edge) return;
    for (unsigned i = ir->loop_head; i < edge; i++) /* a move's destination lives too */
        if (!(ir->n[i].flags & IR_F_DEAD) && ir->n[i].op == IR_LOOPMOV &&
            ir->n[ir->n[i].b].last < edge)
            ir->n[ir->n[i].b].last = (uint16_t)edge;
    for (unsigned v = 0; v < ir->loop_head && v < ir->count; v++) {
        ir_node_t *n = &ir->n[v];
        if (!(n->flags & IR_F_DEAD) && n->op == IR_GET && n->last > v && n->last < edge)
            n->last = (uint16_t)edge;
    }
}

/* Insert the copies that keep every home current (see above). False when the IR is full. */
static bool home_copies(ir_t *ir) {
    int16_t occ[32]; /* host register -> the value in it as a home, or -1 */
    unsigned need = 0;
    for (unsigned h = 0; h < 32; h++)
        occ[h] = -1;
    for (unsigned i = 0; i < ir->count; i++) {
        const ir_node_t *n = &ir->n[i];
        if ((n->flags & IR_F_DEAD) || n->home < 0 || !ir_has_value(n->op)) continue;
        int o = occ[n->home & 31];
        if (n->op != IR_GET && o >= 0 && ir->n[o].last > i) need++;
        occ[n->home & 31] = (int16_t)i;
    }
    if (!need) return true;
    if (ir->count + need > IR_MAX_NODES - 1) return false;
    ir_node_t *old = malloc(ir->count * sizeof(*old));
    uint16_t *alias = malloc(ir->count * sizeof(*alias));
    if (!old || !alias) {
        free(old);
        free(alias);
        return false;
    }
    unsigned count = ir->count, k = 0;
    memcpy(old, ir->n, count * sizeof(*old));
    for (unsigned h = 0; h < 32; h++)
        occ[h] = -1;
    unsigned head = ir->loop_head;
    for (unsigned i = 0; i < count; i++) {
        ir_node_t n = old[i];
        if (i == head) ir->loop_head = k; /* (copies go before home writes, not in the head) */
        if (n.a != IR_NONE) n.a = alias[n.a];
        if (n.b != IR_NONE && reads_b(&old[i])) n.b = alias[n.b];
        if (!(n.flags & IR_F_DEAD) && n.home >= 0 && ir_has_value(n.op) && n.op != IR_GET) {
            int o = occ[n.home & 31];
            if (o >= 0 && old[o].last > i) { /* keep the old value in a copy */
                /* before the node's deferred puts, which must stay just before it (the old
                 * value is still in the home there; nothing refers to a put's index) */
                unsigned at = k;
                while (at > 0 && ir->n[at - 1].op == IR_PUT && (ir->n[at - 1].flags & IR_F_MEMX))
                    at--;
                memmove(&ir->n[at + 1], &ir->n[at], (k - at) * sizeof(ir_node_t));
                k++;
                uint16_t c = (uint16_t)at;
                ir->n[c] = (ir_node_t){.op = IR_COPY,
                                       .a = alias[o],
                                       .b = IR_NONE,
                                       .home = -1,
                                       .reg = -1,
                                       .slot = -1,
                                       .pc = n.pc};
                alias[o] = c;
                ir->copies++;
            }
        }
        if (!(n.flags & IR_F_DEAD) && n.home >= 0 && ir_has_value(n.op))
            occ[n.home & 31] = (int16_t)i;
        alias[i] = (uint16_t)k;
        ir->n[k++] = n;
    }
    ir->count = k;
    free(old);
    free(alias);
    return true;
}

/* Whether node n is bound to the node after it: a deferred put (its branch's, load's or
 * store's) or a loop move (the back edge's). Nothing may be placed between them. */
static bool glued(const ir_node_t *n) {
    return !(n->flags & IR_F_DEAD) &&
           ((n->op == IR_PUT && (n->flags & (IR_F_EXIT | IR_F_MEMX))) || n->op == IR_LOOPMOV);
}

/* Early write-backs. The puts of one value v into one guest register g (a chain: deferred
 * ones at loads and stores (IR_F_MEMX) and branches (IR_F_EXIT), then perhaps an in-line
 * one, until g gets another value) keep v live until the last of them. When v's last real
 * use comes earlier, one in-line put just after it (or from where g holds v: the put's imm)
 * replaces every put of the chain after that point: writing g's canonical place sooner is
 * exact, since g holds v in the interpreter from there on, and the later puts would write
 * the same value again. v's interval then ends at its last real use. An in-line put moved
 * up costs nothing more; a chain of deferred puts (free on the inline path) becomes one
 * store, paid for by a shorter interval; a chain of exit puts alone (free in line, made
 * only where a branch is taken) is left as it is. Never into the loop head or from after
 * the back edge into the loop, never between a deferred put or loop move and the node it
 * belongs to, never for a loop head's value (it lives to the back edge anyway). False when
 * the scratch memory cannot be had (nothing changed). */
static bool early_puts(ir_t *ir) {
    unsigned count = ir->count, edge = 0, moved = 0;
    for (unsigned i = 0; i < count; i++)
        if ((ir->n[i].flags & IR_F_LOOP) && !(ir->n[i].flags & IR_F_DEAD)) edge = i;
    uint16_t *mem = malloc(5u * count * sizeof(*mem));
    ir_node_t *old = malloc(count * sizeof(*old));
    if (!mem || !old) {
        free(mem);
        free(old);
        return false;
    }
    uint16_t *lastnp = mem;         /* last use by anything but a put (then: old -> new index) */
    uint16_t *first = mem + count;  /* the first put made in line before node i */
    uint16_t *next = first + count; /* the next one made before the same node */
    uint16_t *done = next + count;  /* a put already in a chain */
    uint16_t *nextg = done + count; /* put i: the next live put of the same guest register */
    for (unsigned i = 0; i < count; i++) {
        lastnp[i] = (uint16_t)i;
        first[i] = next[i] = IR_NONE;
        done[i] = 0;
    }
    /* the puts of each register linked in program order, so that a chain is walked in its
     * own length rather than over the rest of the superblock (quadratic in long ones) */
    uint16_t later[32];
    for (unsigned g = 0; g < 32; g++)
        later[g] = IR_NONE;
    for (unsigned i = count; i-- > 0;) {
        const ir_node_t *m = &ir->n[i];
        if ((m->flags & IR_F_DEAD) || m->op != IR_PUT) continue;
        nextg[i] = later[m->g & 31];
        later[m->g & 31] = (uint16_t)i;
    }
    for (unsigned i = 0; i < count; i++) {
        const ir_node_t *n = &ir->n[i];
        if ((n->flags & IR_F_DEAD) || n->op == IR_PUT) continue;
        if (n->a != IR_NONE) lastnp[n->a] = (uint16_t)i;
        if (n->b != IR_NONE && reads_b(n) && n->op != IR_LOOPMOV) lastnp[n->b] = (uint16_t)i;
    }
    for (unsigned q = 0; q < count; q++) {
        const ir_node_t *p = &ir->n[q];
        if ((p->flags & IR_F_DEAD) || p->op != IR_PUT || done[q]) continue;
        /* the chain: q and the later puts of the same value into the same register */
        uint16_t chain[64];
        unsigned k = 0;
        for (unsigned j = q; j != IR_NONE && k < 64; j = nextg[j]) {
            const ir_node_t *m = &ir->n[j];
            if ((m->flags & IR_F_DEAD) || m->g != p->g) continue; /* (linked by g mod 32) */
            if (m->a != p->a || m->imm != p->imm) break; /* g has another value from here */
            done[j] = 1;
            chain[k++] = (uint16_t)j;
        }
        const ir_node_t *v = &ir->n[p->a];
        if (v->op == IR_CONST || v->home >= 0) continue; /* no interval to shorten */
        if (ir->loop && p->a < ir->loop_head && q >= ir->loop_head) continue; /* a head value */
        unsigned t = lastnp[p->a] + 1u;
        if (t < (unsigned)p->imm) t = (unsigned)p->imm;
        if (ir->loop && q >= ir->loop_head && t < ir->loop_head) t = ir->loop_head;
        for (;;) { /* not inside a deferred group */
            unsigned pl = t;
            while (pl > 0 && (ir->n[pl - 1].flags & IR_F_DEAD))
                pl--;
            if (pl == 0 || !glued(&ir->n[pl - 1])) break;
            t++;
        }
        unsigned j = 0;
        while (j < k && chain[j] < t)
            j++;
        if (j == k) continue;
        if (ir->loop && edge && chain[j] > edge && t <= edge) continue; /* not into the loop */
        bool exits_only = true;
        for (unsigned l = j; l < k; l++)
            if (!(ir->n[chain[l]].flags & IR_F_EXIT)) exits_only = false;
        if (exits_only) continue;
        if (chain[j] == t && !(ir->n[chain[j]].flags & (IR_F_EXIT | IR_F_MEMX))) continue;
        if (count + moved + 1 >= IR_MAX_NODES - 1) break;
        /* one in-line put at t, made from the chain's first put there; the rest go */
        uint16_t *tail = &first[t];
        while (*tail != IR_NONE)
            tail = &next[*tail];
        *tail = chain[j];
        for (unsigned l = j; l < k; l++)
            ir->n[chain[l]].flags |= IR_F_DEAD;
        moved++;
    }
    if (!moved) {
        free(mem);
        free(old);
        return true;
    }
    /* rebuild: before old node i, the in-line puts made there (in program order) */
    memcpy(old, ir->n, count * sizeof(*old));
    uint16_t *alias = lastnp; /* old index -> new index */
    unsigned k = 0, head = ir->loop_head;
    for (unsigned i = 0; i < count; i++) {
        if (ir->loop && i == head) ir->loop_head = k;
        for (unsigned q = first[i]; q != IR_NONE; q = next[q]) {
            ir_node_t n = old[q];
            n.a = alias[n.a];
            n.flags &= (uint8_t) ~(IR_F_EXIT | IR_F_MEMX | IR_F_DEAD);
            ir->n[k++] = n;
        }
        ir_node_t n = old[i];
        if (n.a != IR_NONE) n.a = alias[n.a];
        if (n.b != IR_NONE && reads_b(&old[i])) n.b = alias[n.b];
        alias[i] = (uint16_t)k;
        ir->n[k++] = n;
    }
    ir->count = k;
    for (unsigned g = 0; g < 32; g++)
        if (ir->loop_get[g] != IR_NONE) ir->loop_get[g] = alias[ir->loop_get[g]];
    free(mem);
    free(old);
    return true;
}

/* Values that only write-backs on the way out read are computed by those write-backs
 * instead of in line (IR_F_SINK): exit puts (IR_F_EXIT, made in a side exit's stub or the
 * stub of a loop's budget check, when the exit is taken) and, in a loop, the in-line puts
 * after its back edge (the path after the loop, which runs once). Compiled code leaves many
 * such values in a loop: temporaries whose last value only the loop's exit writes back,
 * such as the shift halves of a rotation the optimiser made one node of. Each held a
 * register or a slot from its definition to the end of the loop body, which cost the
 * loop's other values their registers. A pure operation (not M's divisions, whose lowering
 * takes rdx) is sunk when each operand is a constant, lives as long as the value anyway,
 * or is a loop head's get (which lives through the whole body: its life is extended to the
 * puts after the loop). An operand in a home (a constant put there too) is read from that
 * register by the put, so nothing may write the home again before the last put. A get read
 * in place from cpu->x (IR_F_INX) must stay so until the last put: its read range is extended
 * too. Such a value takes no register and no slot. */
static void sink_exit_values(ir_t *ir) {
    static _Thread_local uint8_t other[IR_MAX_NODES]; /* read by anything else */
    unsigned edge = 0;
    if (ir->loop)
        for (unsigned i = ir->loop_head; i < ir->count && !edge; i++)
            if ((ir->n[i].flags & IR_F_LOOP) && !(ir->n[i].flags & IR_F_DEAD)) edge = i;
    memset(other, 0, ir->count);
    for (unsigned i = 0; i < ir->count; i++) {
        const ir_node_t *n = &ir->n[i];
        if (n->flags & IR_F_DEAD) continue;
        if (n->op == IR_PUT &&
            ((n->flags & IR_F_EXIT) || (edge && i > edge && !(n->flags & IR_F_MEMX))))
            continue; /* a write-back on the way out */
        if (n->a != IR_NONE) other[n->a] = 1;
        if (n->b != IR_NONE && (reads_b(n) || n->op == IR_LOOPMOV)) other[n->b] = 1;
    }
    for (unsigned v = 0; v < ir->count; v++) {
        ir_node_t *n = &ir->n[v];
        if ((n->flags & IR_F_DEAD) || other[v] || n->home >= 0 || n->last <= v) continue;
        if (!((n->op >= IR_ADD && n->op <= IR_MUL) || n->op == IR_ROR)) continue;
        bool ok = true;
        for (int k = 0; k < 2 && ok; k++) {
            uint16_t o = k ? n->b : n->a;
            if ((k && (n->flags & IR_F_IMM)) || o == IR_NONE) continue;
            const ir_node_t *m = &ir->n[o];
            bool head = edge && o < ir->loop_head && m->op == IR_GET && m->last >= edge;
            if (m->op != IR_CONST && m->last < n->last && !head) ok = false;
            /* home_copies kept a home's value only up to its own last use, which a
             * constant or a loop head's get need not reach */
            if (ok && !ir_home_kept(ir, o, n->last)) ok = false;
        }
        if (!ok) continue;
        n->flags |= IR_F_SINK;
        ir->sunk++;
        for (int k = 0; k < 2; k++) {
            uint16_t o = k ? n->b : n->a;
            if ((k && (n->flags & IR_F_IMM)) || o == IR_NONE || ir->n[o].op == IR_CONST) continue;
            if (ir->n[o].last < n->last) ir->n[o].last = n->last;
            if (ir->n[o].rlast < n->last) ir->n[o].rlast = n->last;
        }
    }
}

/* A spill slot free over the whole life of value v (which may have begun before the values
 * now in slots: an active interval spilled late still occupies its slot from its
 * definition), or -1. */
static int free_slot(const ir_t *ir, unsigned v, unsigned max_slots) {
    const ir_node_t *n = &ir->n[v];
    for (unsigned s = 0; s < max_slots; s++) {
        bool ok = true;
        for (unsigned j = 0; j < ir->count && ok; j++) {
            const ir_node_t *m = &ir->n[j];
            if (j == v || m->slot != (int)s || (m->flags & IR_F_DEAD)) continue;
            if (j < n->last && v < m->last) ok = false; /* the intervals overlap */
        }
        if (ok) return (int)s;
    }
    return -1;
}

/* Whether guest register g's canonical place is written after node `from` and before node
 * `to` with something else than value `from` itself (a put of g, an embedded instruction
 * writing g). */
static bool x_written(const ir_t *ir, unsigned g, unsigned from, unsigned to) {
    for (unsigned j = from + 1; j < to; j++) {
        const ir_node_t *m = &ir->n[j];
        if (m->flags & IR_F_DEAD) continue;
        if (m->op == IR_PUT && m->g == g && m->a != from) return true;
        if (m->op == IR_INSN && ir->insn[m->imm].rd == g &&
            rv_insn_table[ir->insn[m->imm].id].writes == RD_X)
            return true;
    }
    return false;
}

/* A spilled IR_GET whose guest register's canonical place is not written while it lives (no
 * put of that register, no embedded instruction writing it) is read from there instead of
 * being copied to its slot first (IR_F_INX). */
static void mark_in_x(ir_t *ir) {
    for (unsigned v = 0; v < ir->count; v++) {
        ir_node_t *n = &ir->n[v];
        if ((n->flags & IR_F_DEAD) || n->op != IR_GET || n->home >= 0 || n->slot < 0) continue;
        if (!x_written(ir, n->g, v, n->rlast)) n->flags |= IR_F_INX;
    }
}

/* An IR_GET read at most twice, whose canonical place nothing writes while it lives, takes
 * no register at all: its uses read cpu->x (a memory operand, or a load where it is used)
 * and leave the pool to computed values (IR_F_INX without a slot). */
static void gets_in_place(ir_t *ir) {
    uint8_t uses[IR_MAX_NODES];
    memset(uses, 0, ir->count);
    for (unsigned i = 0; i < ir->count; i++) {
        const ir_node_t *n = &ir->n[i];
        if (n->flags & IR_F_DEAD) continue;
        if (n->a != IR_NONE && uses[n->a] < 255) uses[n->a]++;
        if (n->b != IR_NONE && reads_b(n) && n->op != IR_LOOPMOV && uses[n->b] < 255) uses[n->b]++;
    }
    for (unsigned v = 0; v < ir->count; v++) {
        ir_node_t *n = &ir->n[v];
        if ((n->flags & IR_F_DEAD) || n->op != IR_GET || n->home >= 0 || n->last <= v ||
            uses[v] > 2)
            continue;
        if (!x_written(ir, n->g, v, n->rlast)) n->flags |= IR_F_INX;
    }
}

/* Uses of every value (operands, puts, a loop move's source and its destination, which the
 * back edge writes), the weight of its claim on a register. */
static void count_uses(const ir_t *ir, uint16_t *uses) {
    memset(uses, 0, ir->count * sizeof(*uses));
    for (unsigned i = 0; i < ir->count; i++) {
        const ir_node_t *n = &ir->n[i];
        if (n->flags & IR_F_DEAD) continue;
        if (n->a != IR_NONE && uses[n->a] < UINT16_MAX) uses[n->a]++;
        if (n->b != IR_NONE && reads_b(n) && uses[n->b] < UINT16_MAX) uses[n->b]++;
    }
}

/* Whether value x has a weaker claim on a register than value y: fewer uses for the length
 * of its interval, or as many and a later end. */
static bool weaker(const ir_t *ir, const uint16_t *uses, unsigned x, unsigned y) {
    uint64_t lx = (uint64_t)(ir->n[x].last - x) + 1, ly = (uint64_t)(ir->n[y].last - y) + 1;
    uint64_t wx = (uint64_t)uses[x] * ly, wy = (uint64_t)uses[y] * lx;
    if (wx != wy) return wx < wy;
    return ir->n[x].last > ir->n[y].last;
}

bool ir_regalloc(ir_t *ir, const int8_t *pool, unsigned npool, unsigned max_slots) {
    if (npool > IR_MAX_POOL) npool = IR_MAX_POOL;
    ir->pool_n = npool;
    memcpy(ir->pool, pool, npool);
    ir->slots = 0;
    ir->spills = 0;
    if (ir->early_puts && !early_puts(ir)) return false;
    liveness(ir);
    if (!home_copies(ir)) return false;
    liveness(ir);
    for (unsigned i = 0; i < ir->count; i++)
        ir->n[i].flags &= (uint8_t) ~(IR_F_INX | IR_F_SINK);
    ir->sunk = 0;
    if (ir->sink_exits) sink_exit_values(ir);
    if (ir->gets_in_place) gets_in_place(ir);
    uint16_t uses[IR_MAX_NODES];
    count_uses(ir, uses);
    uint16_t active[IR_MAX_POOL]; /* values holding pool registers */
    unsigned nactive = 0;
    bool reg_busy[IR_MAX_POOL] = {false};
    for (unsigned i = 0; i < ir->count; i++) {
        ir_node_t *n = &ir->n[i];
        n->slot = -1;
        if ((n->flags & IR_F_DEAD) || !ir_has_value(n->op)) {
            n->reg = -1;
            continue;
        }
        if (n->home >= 0) {
            n->reg = n->home;
            continue;
        }
        n->reg = -1;
        if (n->op == IR_CONST || n->last <= i || (n->flags & (IR_F_INX | IR_F_SINK)))
            continue; /* materialised / unused / read in place / computed at its exits */
        /* expire what ends here or before */
        for (unsigned k = 0; k < nactive;) {
            const ir_node_t *m = &ir->n[active[k]];
            if (m->last <= i) {
                for (unsigned r = 0; r < npool; r++)
                    if (pool[r] == m->reg) reg_busy[r] = false;
                active[k] = active[--nactive];
            } else {
                k++;
            }
        }
        int free_r = -1;
        for (unsigned r = 0; r < npool && free_r < 0; r++)
            if (!reg_busy[r]) free_r = (int)r;
        uint16_t to_spill = (uint16_t)i;
        if (free_r >= 0) {
            reg_busy[free_r] = true;
            n->reg = pool[free_r];
            active[nactive++] = (uint16_t)i;
            continue;
        }
        /* no register: the weakest claim (this value's or an active one's) goes to memory */
        unsigned victim = nactive;
        for (unsigned k = 0; k < nactive; k++)
            if (weaker(ir, uses, active[k], victim == nactive ? i : active[victim])) victim = k;
        if (victim < nactive) {
            ir_node_t *v = &ir->n[active[victim]];
            to_spill = active[victim];
            n->reg = v->reg;
            v->reg = -1;
            active[victim] = (uint16_t)i;
        }
        int s = free_slot(ir, to_spill, max_slots);
        if (s < 0) return false;
        ir->n[to_spill].slot = (int16_t)s;
        if ((unsigned)s + 1 > ir->slots) ir->slots = (unsigned)s + 1;
        ir->spills++;
    }
    mark_in_x(ir);
    return true;
}

/* The place of value v (allocated, not a constant). */
static int16_t place_of(const ir_node_t *n) {
    if (n->reg >= 0) return n->reg;
    if (n->flags & IR_F_INX) return (int16_t)(IR_PLACE_X + n->g);
    return (int16_t)(IR_PLACE_SLOT + n->slot);
}

unsigned ir_loop_moves(const ir_t *ir, unsigned edge, ir_move_t out[64]) {
    ir_move_t mv[32];
    unsigned n = 0, k = 0;
    for (unsigned j = edge; j-- > ir->loop_head;) {
        const ir_node_t *m = &ir->n[j];
        if (m->flags & IR_F_DEAD) continue;
        if (m->op == IR_PUT && (m->flags & IR_F_EXIT)) continue;
        if (m->op != IR_LOOPMOV || n == 32) break;
        const ir_node_t *a = &ir->n[m->a];
        ir_move_t x = {.dst = place_of(&ir->n[m->b]), .src = -1, .konst = false, .k = 0};
        if (a->reg < 0 && a->op == IR_CONST) {
            x.konst = true;
            x.k = a->imm;
        } else {
            x.src = place_of(a);
            if (x.src == x.dst) continue; /* already there */
        }
        mv[n++] = x;
    }
    while (n > 0) {
        unsigned pick = n;
        for (unsigned i = 0; i < n && pick == n; i++) {
            bool read = false;
            for (unsigned l = 0; l < n && !read; l++)
                if (l != i && !mv[l].konst && mv[l].src == mv[i].dst) read = true;
            if (!read) pick = i;
        }
        if (pick == n) { /* a cycle: mv[0]'s destination waits in the scratch place */
            out[k++] = (ir_move_t){.dst = IR_PLACE_SCRATCH, .src = mv[0].dst};
            for (unsigned l = 1; l < n; l++)
                if (!mv[l].konst && mv[l].src == mv[0].dst) mv[l].src = IR_PLACE_SCRATCH;
            pick = 0;
        }
        out[k++] = mv[pick];
        mv[pick] = mv[--n];
    }
    return k;
}
