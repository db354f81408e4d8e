/* ir.c - building a superblock's IR from decoded guest instructions, printing it and
 * checking it (see ir.h for the design).
 *
 * The builder is a single pass over the path's instructions. It keeps the value each guest
 * register holds (cur[]), so reading a register is free after the first time (an IR_GET
 * then) and moves and renames make no nodes. Writes to registers without a home only update
 * cur[] and mark the register dirty; before each node that can fault or leave, every dirty
 * register is written back by an IR_PUT, so the state there is the interpreter's. Writes to
 * registers with a home make the defining node's value live in that home (or, when the value
 * already exists, a copy into it).
 */
#include "jit/ir.h"

#include <string.h>

static const char *const op_names[IR_NOPS] = {
    [IR_GET] = "get",     [IR_CONST] = "const",  [IR_COPY] = "copy",       [IR_ADD] = "add",
    [IR_SUB] = "sub",     [IR_AND] = "and",      [IR_OR] = "or",           [IR_XOR] = "xor",
    [IR_SHL] = "shl",     [IR_SHR] = "shr",      [IR_SAR] = "sar",         [IR_SLT] = "slt",
    [IR_SLTU] = "sltu",   [IR_MUL] = "mul",      [IR_MULDIV] = "muldiv",   [IR_ROR] = "ror",
    [IR_INSN] = "insn",   [IR_LOAD] = "load",    [IR_STORE] = "store",     [IR_PUT] = "put",
    [IR_BR] = "br",       [IR_JUMP] = "jump",    [IR_JUMPR] = "jumpr",     [IR_TRAP] = "trap",
    [IR_FENCE] = "fence", [IR_RAS] = "ras.push", [IR_LOOPMOV] = "loopmov",
};

const char *ir_op_name(unsigned op) {
    return op < IR_NOPS ? op_names[op] : "?";
}

void ir_begin(ir_t *ir, const int8_t home[32], bool user_traps) {
    ir->count = 0;
    ir->overflow = false;
    memcpy(ir->home, home, sizeof(ir->home));
    ir->home[0] = -1;
    ir->user_traps = user_traps;
    ir->embed = false;
    ir->ras = false;
    ir->lazy_exits = false;
    ir->follow_taken = false;
    ir->gets_in_place = false;
    ir->lazy_mem = false;
    ir->early_puts = false;
    ir->value_numbering = false;
    ir->sext_loop = false;
    ir->sink_exits = false;
    ir->low_halves = false;
    ir->sext_head = ir->sext_guard = 0;
    ir->loop_pc = 1;
    ir->follow_pc = 1;
    ir->follow_const = false;
    ir->nras_push = 0;
    ir->loop = false;
    ir->loop_seen = false;
    ir->loop_done = false;
    ir->loop_in = 0;
    ir->loop_dirty = 0;
    ir->loop_flush = 0;
    ir->loop_lost = 0;
    ir->obs_seen = false;
    ir->obs_first = 0;
    ir->loop_head = 0;
    ir->ninsn = 0;
    for (unsigned g = 0; g < 32; g++) {
        ir->cur[g] = IR_NONE;
        ir->since[g] = 0;
        ir->loop_get[g] = IR_NONE;
    }
    ir->dirty = 0;
    ir->read_first = 0;
    ir->written = 0;
    ir->zero = IR_NONE;
    ir->pool_n = 0;
    ir->slots = 0;
    ir->spills = 0;
    ir->copies = 0;
    ir->merged = 0;
    ir->sunk = 0;
}

/* Append a node of kind op; returns its index (IR_NONE when the IR is full). */
static uint16_t node(ir_t *ir, unsigned op, uint16_t a, uint16_t b, int64_t imm, unsigned flags) {
    if (ir->count >= IR_MAX_NODES - 1) {
        ir->overflow = true;
        return IR_NONE;
    }
    uint16_t i = (uint16_t)ir->count++;
    ir->n[i] = (ir_node_t){.op = (uint8_t)op,
                           .flags = (uint8_t)flags,
                           .a = a,
                           .b = b,
                           .home = -1,
                           .reg = -1,
                           .slot = -1,
                           .last = i,
                           .imm = imm};
    return i;
}

/* The value guest register g holds now. */
static uint16_t rd_reg(ir_t *ir, unsigned g) {
    if (g == 0) {
        if (ir->zero == IR_NONE) ir->zero = node(ir, IR_CONST, IR_NONE, IR_NONE, 0, 0);
        return ir->zero;
    }
    if (ir->cur[g] == IR_NONE) {
        uint16_t v = node(ir, IR_GET, IR_NONE, IR_NONE, 0, 0);
        if (v == IR_NONE) return v;
        ir->n[v].g = (uint8_t)g;
        ir->n[v].home = ir->home[g];
        ir->cur[g] = v;
        if (ir->home[g] < 0 && !(ir->written >> g & 1)) ir->read_first |= 1u << g;
    }
    return ir->cur[g];
}

/* Guest register g now holds value v; `fresh` when v was made for this write. */
static void wr_reg(ir_t *ir, unsigned g, uint16_t v, bool fresh) {
    if (g == 0 || v == IR_NONE) return;
    if (ir->home[g] >= 0) {
        if (!fresh || ir->n[v].home >= 0) v = node(ir, IR_COPY, v, IR_NONE, 0, 0);
        if (v == IR_NONE) return;
        ir->n[v].home = ir->home[g];
        ir->n[v].g = (uint8_t)g;
    } else {
        ir->dirty |= 1u << g;
        ir->written |= 1u << g;
        ir->loop_lost &= ~(1u << g);
        ir->since[g] = (uint16_t)ir->count;
    }
    ir->cur[g] = v;
}

/* A point that can observe the guest state (a write-back point) is built: the first build of
 * a loop notes what is not written yet at the first one; in the second build every register
 * the back edge did not keep must have been written again by then. */
static void observe(ir_t *ir) {
    if (!ir->obs_seen && !ir->loop_done) {
        ir->obs_seen = true;
        ir->obs_first = ~ir->written;
    }
    if (ir->loop_lost) ir->overflow = true; /* (the first build saw otherwise) */
}

/* Write back every dirty guest register (before a node that can fault or leave). */
static void sync(ir_t *ir) {
    observe(ir);
    for (unsigned g = 1; g < 32; g++)
        if (ir->dirty >> g & 1) {
            uint16_t p = node(ir, IR_PUT, ir->cur[g], IR_NONE, ir->since[g], 0);
            if (p != IR_NONE) ir->n[p].g = (uint8_t)g;
        }
    ir->dirty = 0;
}

/* Deferred puts (flag IR_F_EXIT or IR_F_MEMX) of every dirty guest register: the registers
 * stay dirty for the path that goes on. */
static void deferred_puts(ir_t *ir, unsigned flag) {
    observe(ir);
    for (unsigned g = 1; g < 32; g++)
        if (ir->dirty >> g & 1) {
            uint16_t p = node(ir, IR_PUT, ir->cur[g], IR_NONE, ir->since[g], flag);
            if (p != IR_NONE) ir->n[p].g = (uint8_t)g;
        }
}

/* Exit puts (before a branch whose taken side alone writes them back). */
static void exit_puts(ir_t *ir) {
    deferred_puts(ir, IR_F_EXIT);
}

/* Before a load or store: the write-backs, deferred to its slow path and fault point with
 * lazy_mem, else in line. */
static void mem_sync(ir_t *ir) {
    if (ir->lazy_mem)
        deferred_puts(ir, IR_F_MEMX);
    else
        sync(ir);
}

/* Set the guest-instruction fields of node i. */
static void at(ir_t *ir, uint16_t i, const rv_op_t *op, uint64_t pc, unsigned idx) {
    if (i == IR_NONE) return;
    ir->n[i].pc = pc;
    ir->n[i].idx = (uint16_t)idx;
    ir->n[i].len = op->len;
}

/* The IR kind of an ALU instruction (reg-reg or reg-imm), and its flags; false if none. */
static bool alu_kind(unsigned id, unsigned *kind, unsigned *flags) {
    static const struct {
        uint16_t id;
        uint8_t kind, flags;
    } t[] = {
        {RV_I_addi, IR_ADD, IR_F_IMM},
        {RV_I_addiw, IR_ADD, IR_F_IMM | IR_F_W},
        {RV_I_slti, IR_SLT, IR_F_IMM},
        {RV_I_sltiu, IR_SLTU, IR_F_IMM},
        {RV_I_xori, IR_XOR, IR_F_IMM},
        {RV_I_ori, IR_OR, IR_F_IMM},
        {RV_I_andi, IR_AND, IR_F_IMM},
        {RV_I_slli, IR_SHL, IR_F_IMM},
        {RV_I_srli, IR_SHR, IR_F_IMM},
        {RV_I_srai, IR_SAR, IR_F_IMM},
        {RV_I_slliw, IR_SHL, IR_F_IMM | IR_F_W},
        {RV_I_srliw, IR_SHR, IR_F_IMM | IR_F_W},
        {RV_I_sraiw, IR_SAR, IR_F_IMM | IR_F_W},
        {RV_I_add, IR_ADD, 0},
        {RV_I_sub, IR_SUB, 0},
        {RV_I_xor, IR_XOR, 0},
        {RV_I_or, IR_OR, 0},
        {RV_I_and, IR_AND, 0},
        {RV_I_slt, IR_SLT, 0},
        {RV_I_sltu, IR_SLTU, 0},
        {RV_I_sll, IR_SHL, 0},
        {RV_I_srl, IR_SHR, 0},
        {RV_I_sra, IR_SAR, 0},
        {RV_I_addw, IR_ADD, IR_F_W},
        {RV_I_subw, IR_SUB, IR_F_W},
        {RV_I_sllw, IR_SHL, IR_F_W},
        {RV_I_srlw, IR_SHR, IR_F_W},
        {RV_I_sraw, IR_SAR, IR_F_W},
        {RV_I_mul, IR_MUL, 0},
        {RV_I_mulw, IR_MUL, IR_F_W},
        {RV_I_rori, IR_ROR, IR_F_IMM},
        {RV_I_roriw, IR_ROR, IR_F_IMM | IR_F_W},
    };
    for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (t[i].id == id) {
            *kind = t[i].kind;
            *flags = t[i].flags;
            return true;
        }
    return false;
}

/* The IR_MULDIV operation of an M instruction other than mul/mulw, and its flags; false if
 * id is not one. */
static bool muldiv_kind(unsigned id, unsigned *md, unsigned *flags) {
    static const struct {
        uint16_t id;
        uint8_t md, flags;
    } t[] = {
        {RV_I_mulh, IR_MD_MULH, 0},       {RV_I_mulhsu, IR_MD_MULHSU, 0},
        {RV_I_mulhu, IR_MD_MULHU, 0},     {RV_I_div, IR_MD_DIV, 0},
        {RV_I_divu, IR_MD_DIVU, 0},       {RV_I_rem, IR_MD_REM, 0},
        {RV_I_remu, IR_MD_REMU, 0},       {RV_I_divw, IR_MD_DIV, IR_F_W},
        {RV_I_divuw, IR_MD_DIVU, IR_F_W}, {RV_I_remw, IR_MD_REM, IR_F_W},
        {RV_I_remuw, IR_MD_REMU, IR_F_W},
    };
    for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (t[i].id == id) {
            *md = t[i].md;
            *flags = t[i].flags;
            return true;
        }
    return false;
}

int64_t ir_muldiv_eval(unsigned md, bool w, uint64_t a, uint64_t b) {
    if (w) { /* the divisions only: low 32 bits, result sign-extended */
        int32_t x = (int32_t)(uint32_t)a, y = (int32_t)(uint32_t)b;
        uint32_t ux = (uint32_t)a, uy = (uint32_t)b, r;
        switch (md) {
        case IR_MD_DIV:
            r = y == 0 ? UINT32_MAX : (x == INT32_MIN && y == -1) ? (uint32_t)x : (uint32_t)(x / y);
            break;
        case IR_MD_DIVU: r = uy == 0 ? UINT32_MAX : ux / uy; break;
        case IR_MD_REM:
            r = y == 0 ? (uint32_t)x : (x == INT32_MIN && y == -1) ? 0 : (uint32_t)(x % y);
            break;
        case IR_MD_REMU: r = uy == 0 ? ux : ux % uy; break;
        default: r = 0; break;
        }
        return (int64_t)(int32_t)r;
    }
    int64_t x = (int64_t)a, y = (int64_t)b;
    switch (md) {
    case IR_MD_MULH: return (int64_t)(((__int128)x * (__int128)y) >> 64);
    case IR_MD_MULHSU: return (int64_t)(((__int128)x * (__int128)(unsigned __int128)b) >> 64);
    case IR_MD_MULHU: return (int64_t)(uint64_t)(((unsigned __int128)a * b) >> 64);
    case IR_MD_DIV: return y == 0 ? -1 : (x == INT64_MIN && y == -1) ? x : x / y;
    case IR_MD_DIVU: return b == 0 ? -1 : (int64_t)(a / b);
    case IR_MD_REM: return y == 0 ? x : (x == INT64_MIN && y == -1) ? 0 : x % y;
    case IR_MD_REMU: return b == 0 ? (int64_t)a : (int64_t)(a % b);
    default: return 0;
    }
}

/* The IR condition of a branch instruction; false if id is not one. */
static bool branch_cc(unsigned id, unsigned *cc) {
    switch (id) {
    case RV_I_beq: *cc = IR_EQ; return true;
    case RV_I_bne: *cc = IR_NE; return true;
    case RV_I_blt: *cc = IR_LT; return true;
    case RV_I_bge: *cc = IR_GE; return true;
    case RV_I_bltu: *cc = IR_LTU; return true;
    case RV_I_bgeu: *cc = IR_GEU; return true;
    default: return false;
    }
}

bool ir_covers(unsigned id, bool user_traps) {
    unsigned k, f;
    if (id >= RV_I_COUNT) return false;
    if (alu_kind(id, &k, &f) || branch_cc(id, &k) || muldiv_kind(id, &k, &f)) return true;
    switch (id) {
    case RV_I_lui:
    case RV_I_auipc:
    case RV_I_jal:
    case RV_I_jalr:
    case RV_I_fence:
    case RV_I_nop:
    case RV_I_fallthrough: return true;
    case RV_I_ecall:
    case RV_I_ebreak: return user_traps;
    default: break;
    }
    if (id >= RV_I_illegal) return false;
    unsigned cls = rv_insn_table[id].cls;
    return cls == RV_CLS_LOAD || cls == RV_CLS_STORE;
}

bool ir_embeddable(unsigned id) {
    if (id >= RV_I_illegal) return false;
    const rv_insn_info_t *k = &rv_insn_table[id];
    if (k->flags & RV_F_END) return false;
    switch (k->cls) {
    case RV_CLS_ALU:
    case RV_CLS_ALU32:
    case RV_CLS_FLOAD:
    case RV_CLS_FSTORE:
    case RV_CLS_LR:
    case RV_CLS_SC:
    case RV_CLS_AMO:
    case RV_CLS_FP: return true;
    default: return false;
    }
}

/* A guest instruction the backend emits itself: the state made canonical first, then the
 * node; its integer rd (if any) is read again afterwards, or is the node's value in its
 * home. */
static void embed(ir_t *ir, const rv_op_t *op, uint64_t pc, unsigned idx) {
    if (ir->ninsn >= IR_MAX_INSN) {
        ir->overflow = true;
        return;
    }
    sync(ir);
    uint16_t v = node(ir, IR_INSN, IR_NONE, IR_NONE, (int64_t)ir->ninsn, 0);
    if (v == IR_NONE) return;
    ir->insn[ir->ninsn++] = *op;
    at(ir, v, op, pc, idx);
    unsigned rd = op->rd;
    if (rv_insn_table[op->id].writes != RD_X || rd == 0) return;
    if (ir->home[rd] >= 0) {
        ir->n[v].home = ir->home[rd];
        ir->n[v].g = (uint8_t)rd;
        ir->cur[rd] = v;
    } else {
        ir->cur[rd] = IR_NONE; /* in cpu->x now: the next read gets it */
        ir->written |= 1u << rd;
        ir->loop_lost &= ~(1u << rd);
    }
}

void ir_loop_begin(ir_t *ir, uint32_t in, uint32_t dirty, uint32_t flush) {
    ir->loop = true;
    in &= ~1u;
    uint32_t held = 0;
    for (unsigned g = 1; g < 32; g++)
        if ((in >> g & 1) && ir->home[g] < 0) {
            ir->loop_get[g] = rd_reg(ir, g);
            held |= 1u << g;
        }
    ir->loop_in = held;
    ir->loop_dirty = dirty & ~1u;
    ir->loop_flush = flush & ~held & ~1u;
    ir->dirty = dirty & held;
    /* what the back edge neither holds nor flushes is only in its exit puts: in the next
     * iteration nothing may observe it before it is written again */
    ir->loop_lost = dirty & ~held & ~ir->loop_flush & ~1u;
    ir->loop_head = ir->count;
    for (unsigned g = 1; g < 32; g++) /* a head value is g's from the body's first node */
        ir->since[g] = (uint16_t)ir->count;
}

/* Whether a branch or jump to `target` is the loop's back edge (the first one to loop_pc). */
static bool back_edge(const ir_t *ir, uint64_t target) {
    return ir->loop_pc != 1 && target == ir->loop_pc && !ir->loop_done;
}

/* Before the back edge: the first build notes what the loop head must hold; the second adds
 * the moves that carry each head register's value into the next iteration and the exit puts
 * of the budget check (the dirty registers stay dirty across the edge). Returns true when
 * the edge keeps the loop (the second build), false when it leaves as an ordinary exit. */
static bool loop_edge(ir_t *ir) {
    ir->loop_done = true;
    if (!ir->loop) {
        uint32_t obs = ir->obs_seen ? ir->obs_first : 0;
        ir->loop_seen = true;
        ir->loop_in = ir->read_first;
        ir->loop_dirty = ir->dirty;
        ir->loop_flush = ir->dirty & ~ir->read_first & obs;
        return false;
    }
    uint32_t held = ir->loop_in;
    uint32_t drop = ir->loop_dirty & ~held & ~ir->loop_flush;
    if (ir->dirty & ~held & ~ir->loop_flush & ~drop) { /* the first build saw otherwise */
        ir->overflow = true;
        return false;
    }
    ir->loop_lost = 0; /* the path after the loop goes on with every value */
    uint16_t val[32];
    for (unsigned g = 1; g < 32; g++) /* first every read (a read may add a get) */
        val[g] = ir->loop_get[g] != IR_NONE ? rd_reg(ir, g) : IR_NONE;
    for (unsigned g = 1; g < 32; g++) /* temporaries the next iteration may observe */
        if ((ir->dirty & ir->loop_flush) >> g & 1) {
            uint16_t p = node(ir, IR_PUT, ir->cur[g], IR_NONE, ir->since[g], 0);
            if (p != IR_NONE) ir->n[p].g = (uint8_t)g;
        }
    ir->dirty &= ~ir->loop_flush;
    for (unsigned g = 1; g < 32; g++)
        if (val[g] != IR_NONE && val[g] != ir->loop_get[g])
            node(ir, IR_LOOPMOV, val[g], ir->loop_get[g], 0, 0);
    exit_puts(ir);
    return true;
}

/* Whether a register is a link register of the calling convention (x1, x5). */
static bool is_link(unsigned r) {
    return r == 1 || r == 5;
}

/* A call (`jal` or `jalr` with a link rd, instruction op at pc): push its return pc on the
 * return-address stack (IR_RAS), remembered so that a return to it inside the path can drop
 * it. */
static void ras_push(ir_t *ir, const rv_op_t *op, uint64_t pc, unsigned idx) {
    uint16_t r = node(ir, IR_RAS, IR_NONE, IR_NONE, 0, 0);
    at(ir, r, op, pc, idx);
    if (r == IR_NONE) return;
    if (ir->nras_push == sizeof(ir->ras_push) / sizeof(ir->ras_push[0])) {
        memmove(ir->ras_push, ir->ras_push + 1, sizeof(ir->ras_push) - sizeof(ir->ras_push[0]));
        ir->nras_push--;
    }
    ir->ras_push[ir->nras_push++] = r;
}

/* Whether the path goes on at the target of jalr op (base register a constant of the path,
 * target its value plus the offset): a call or a jump always; a return (the calling
 * convention's hint) only to the newest call of the path with no branch since, whose push it
 * then drops. A return after a side exit of the callee would leave the stack unbalanced: the
 * callee's own return, reached through the side exit, pops the push. */
static bool follow_jalr(const ir_t *ir, const rv_op_t *op, uint64_t target) {
    if (!ir->ras || op->rd != 0 || !is_link(op->rs1)) return true;
    if (!ir->nras_push) return false;
    uint16_t p = ir->ras_push[ir->nras_push - 1];
    if (ir->n[p].pc + ir->n[p].len != (target & ~(uint64_t)1)) return false;
    for (unsigned i = p + 1u; i < ir->count; i++)
        if (ir->n[i].op == IR_BR && !(ir->n[i].flags & IR_F_DEAD)) return false;
    return true;
}

bool ir_add(ir_t *ir, const rv_op_t *op, uint64_t pc, unsigned idx, bool *ends, uint64_t *cont) {
    *ends = false;
    *cont = 1;
    if (!ir_covers(op->id, ir->user_traps)) {
        if (!ir->embed || !ir_embeddable(op->id)) return false;
        embed(ir, op, pc, idx);
        return true;
    }
    unsigned kind, flags, cc;
    if (muldiv_kind(op->id, &kind, &flags)) {
        if (op->rd == 0) return true; /* no effect (M never traps) */
        uint16_t a = rd_reg(ir, op->rs1), b = rd_reg(ir, op->rs2);
        uint16_t v = node(ir, IR_MULDIV, a, b, 0, flags);
        if (v != IR_NONE) ir->n[v].aux = (uint8_t)kind;
        wr_reg(ir, op->rd, v, true);
        return true;
    }
    if (alu_kind(op->id, &kind, &flags)) {
        if (op->rd == 0) return true; /* a hint: no effect */
        uint16_t a = rd_reg(ir, op->rs1), v;
        if (flags & IR_F_IMM) {
            int64_t imm = op->imm;
            if (kind == IR_SHL || kind == IR_SHR || kind == IR_SAR || kind == IR_ROR)
                imm &= flags & IR_F_W ? 31 : 63;
            v = node(ir, kind, a, IR_NONE, imm, flags);
        } else {
            uint16_t b = rd_reg(ir, op->rs2);
            v = node(ir, kind, a, b, 0, flags);
        }
        wr_reg(ir, op->rd, v, true);
        return true;
    }
    if (branch_cc(op->id, &cc)) {
        uint16_t a = rd_reg(ir, op->rs1), b = rd_reg(ir, op->rs2);
        /* inverted: the path follows the taken side and the fall-through leaves, round a
         * loop (follow_pc) or where the fall-through side never ran (follow_taken) */
        bool follow = pc == ir->follow_pc || ir->follow_taken;
        ir->follow_taken = false;
        uint64_t taken = pc + (uint64_t)(int64_t)op->imm, next = pc + op->len;
        uint64_t target = follow ? next : taken;
        if (follow) cc ^= 1; /* enum ir_cc pairs each condition with its negation */
        bool loop = back_edge(ir, target) && loop_edge(ir);
        /* a backward branch is most often a loop's back edge, taken nearly every time: its
         * write-backs stay in line, where the jcc chains straight to the loop's head; an
         * inverted one leaves by its fall-through side, the rare one */
        if (loop)
            ; /* its exit puts are made */
        else if (ir->lazy_exits && (follow || (int32_t)op->imm > 0))
            exit_puts(ir);
        else
            sync(ir);
        uint16_t br = node(ir, IR_BR, a, b, 0, loop ? IR_F_LOOP : 0);
        at(ir, br, op, pc, idx);
        if (br != IR_NONE) {
            ir->n[br].aux = (uint8_t)cc;
            ir->n[br].target = target;
        }
        *ends = true;
        *cont = follow ? taken : next;
        return true;
    }
    switch (op->id) {
    case RV_I_lui:
        wr_reg(ir, op->rd, node(ir, IR_CONST, IR_NONE, IR_NONE, op->imm, 0), true);
        return true;
    case RV_I_auipc:
        wr_reg(ir, op->rd,
               node(ir, IR_CONST, IR_NONE, IR_NONE, (int64_t)(pc + (uint64_t)(int64_t)op->imm), 0),
               true);
        return true;
    case RV_I_jal:
        wr_reg(ir, op->rd, node(ir, IR_CONST, IR_NONE, IR_NONE, (int64_t)(pc + op->len), 0), true);
        if (ir->ras && is_link(op->rd)) ras_push(ir, op, pc, idx);
        *ends = true;
        *cont = pc + (uint64_t)(int64_t)op->imm;
        return true;
    case RV_I_jalr: {
        uint16_t a = rd_reg(ir, op->rs1); /* before rd is written: rd may be rs1 */
        if (ir->follow_const && a != IR_NONE && ir->n[a].op == IR_CONST &&
            follow_jalr(ir, op, (uint64_t)ir->n[a].imm + (uint64_t)(int64_t)op->imm)) {
            /* a known target: a direct jump, the path goes on there */
            uint64_t target = ((uint64_t)ir->n[a].imm + (uint64_t)(int64_t)op->imm) & ~(uint64_t)1;
            wr_reg(ir, op->rd, node(ir, IR_CONST, IR_NONE, IR_NONE, (int64_t)(pc + op->len), 0),
                   true);
            if (ir->ras && is_link(op->rd))
                ras_push(ir, op, pc, idx);
            else if (ir->ras && op->rd == 0 && is_link(op->rs1)) {
                /* a return to the newest call of the path: neither is made */
                ir->n[ir->ras_push[ir->nras_push - 1]].flags |= IR_F_DEAD;
                ir->nras_push--;
            }
            *ends = true;
            *cont = target;
            return true;
        }
        wr_reg(ir, op->rd, node(ir, IR_CONST, IR_NONE, IR_NONE, (int64_t)(pc + op->len), 0), true);
        sync(ir);
        uint16_t j = node(ir, IR_JUMPR, a, IR_NONE, op->imm, 0);
        at(ir, j, op, pc, idx);
        if (j != IR_NONE && ir->ras)
            ir->n[j].aux = is_link(op->rd)                   ? IR_J_CALL
                           : op->rd == 0 && is_link(op->rs1) ? IR_J_RET
                                                             : 0;
        *ends = true;
        return true;
    }
    case RV_I_ecall:
    case RV_I_ebreak: {
        sync(ir);
        uint16_t tr = node(ir, IR_TRAP, IR_NONE, IR_NONE, 0, 0);
        at(ir, tr, op, pc, idx);
        if (tr != IR_NONE) ir->n[tr].aux = op->id == RV_I_ebreak;
        *ends = true;
        return true;
    }
    case RV_I_fence: node(ir, IR_FENCE, IR_NONE, IR_NONE, 0, 0); return true;
    case RV_I_nop: return true;
    case RV_I_fallthrough:
        *ends = true;
        *cont = pc;
        return true;
    default: break;
    }
    /* loads and stores */
    unsigned w = rv_insn_table[op->id].mem_width, sign = rv_insn_table[op->id].mem_signed ? 1 : 0;
    if (rv_insn_table[op->id].cls == RV_CLS_LOAD) {
        uint16_t a = rd_reg(ir, op->rs1);
        mem_sync(ir);
        uint16_t v = node(ir, IR_LOAD, a, IR_NONE, op->imm, 0);
        at(ir, v, op, pc, idx);
        if (v != IR_NONE) ir->n[v].aux = (uint8_t)(w | sign << 4);
        wr_reg(ir, op->rd, v, true);
    } else {
        uint16_t a = rd_reg(ir, op->rs1), b = rd_reg(ir, op->rs2);
        mem_sync(ir);
        uint16_t s = node(ir, IR_STORE, a, b, op->imm, 0);
        at(ir, s, op, pc, idx);
        if (s != IR_NONE) ir->n[s].aux = (uint8_t)w;
    }
    return true;
}

void ir_end_jump(ir_t *ir, uint64_t target, unsigned idx) {
    bool loop = back_edge(ir, target) && loop_edge(ir);
    if (!loop) sync(ir);
    uint16_t j = node(ir, IR_JUMP, IR_NONE, IR_NONE, 0, loop ? IR_F_LOOP : 0);
    if (j == IR_NONE) return;
    ir->n[j].target = target;
    ir->n[j].idx = (uint16_t)idx;
}

uint32_t ir_map_candidates(const ir_t *ir, unsigned policy) {
    uint32_t homed = 0, written = 0, used = 0;
    for (unsigned g = 1; g < 32; g++)
        if (ir->home[g] >= 0) homed |= 1u << g;
    /* in a loop only the loop's own writes count: a write after it costs a write-back at the
     * points after it, once */
    unsigned from = 0, to = ir->count;
    if (ir->loop)
        for (unsigned i = ir->loop_head; i < ir->count; i++)
            if ((ir->n[i].flags & IR_F_LOOP) && !(ir->n[i].flags & IR_F_DEAD)) {
                from = ir->loop_head, to = i;
                break;
            }
    for (unsigned i = 0; i < ir->count; i++) {
        const ir_node_t *n = &ir->n[i];
        if (n->flags & IR_F_DEAD) continue;
        bool in_loop = i >= from && i <= to;
        if (ir_has_value(n->op) && n->home >= 0) {
            if (n->op != IR_GET && (in_loop || policy == IR_MAP_UNTOUCHED))
                written |= 1u << n->g;
            else if (n->op != IR_GET)
                used |= 1u << n->g;
            else if (n->last > i)
                used |= 1u << n->g;
        }
        if (n->op == IR_INSN) {
            const rv_op_t *op = &ir->insn[n->imm];
            const rv_insn_info_t *k = &rv_insn_table[op->id];
            if (k->reads & RS1_X) used |= 1u << op->rs1;
            if (k->reads & RS2_X) used |= 1u << op->rs2;
            if (k->writes == RD_X) {
                if (in_loop || policy == IR_MAP_UNTOUCHED)
                    written |= 1u << op->rd;
                else
                    used |= 1u << op->rd;
            }
        }
    }
    used |= written;
    /* a loop with embedded instructions keeps its homes: each one needs the pinned registers
     * in place, which would cost a reload of all eight per iteration */
    bool embeds = false;
    for (unsigned i = from; i < to && ir->loop; i++)
        if (ir->n[i].op == IR_INSN && !(ir->n[i].flags & IR_F_DEAD)) embeds = true;
    if (policy == IR_MAP_ALL || (policy == IR_MAP_LOOPS && ir->loop && !embeds)) return homed & ~1u;
    if (policy == IR_MAP_LOOPS) policy = IR_MAP_UNWRITTEN;
    if (policy == IR_MAP_NONE) return 0;
    return homed & ~(policy == IR_MAP_UNTOUCHED ? used : written) & ~1u;
}

/* ---- checking ---- */

/* Whether node kind op reads operand a / operand b (given its flags). */
static bool uses_a(unsigned op) {
    return op != IR_GET && op != IR_CONST && op != IR_JUMP && op != IR_TRAP && op != IR_FENCE &&
           op != IR_INSN && op != IR_RAS;
}
static bool uses_b(const ir_node_t *n) {
    if (n->flags & IR_F_IMM) return false;
    return (n->op >= IR_ADD && n->op <= IR_MULDIV) || n->op == IR_STORE || n->op == IR_BR ||
           n->op == IR_LOOPMOV;
}

/* The next node after i that is not dead (ir->count when none). */
static unsigned next_live(const ir_t *ir, unsigned i) {
    unsigned j = i + 1;
    while (j < ir->count && (ir->n[j].flags & IR_F_DEAD))
        j++;
    return j;
}

/* Whether value v lives in a register or slot the backend must hold for it: anything used
 * later that is not a constant (constants are materialised where they are used). */
static bool needs_place(const ir_t *ir, unsigned v) {
    const ir_node_t *n = &ir->n[v];
    return n->home < 0 && n->op != IR_CONST && n->last > v &&
           !((n->flags & IR_F_INX) && n->slot < 0) && !(n->flags & IR_F_SINK);
}

bool ir_home_kept(const ir_t *ir, unsigned v, unsigned to) {
    const ir_node_t *n = &ir->n[v];
    if (n->home < 0) return true;
    for (unsigned j = v + 1; j < to && j < ir->count; j++) {
        const ir_node_t *m = &ir->n[j];
        if (m->flags & IR_F_DEAD) continue;
        if (m->home == n->home && ir_has_value(m->op) && m->op != IR_GET) return false;
        if (m->op == IR_INSN && rv_insn_table[ir->insn[m->imm].id].writes == RD_X &&
            ir->home[ir->insn[m->imm].rd] == n->home)
            return false;
    }
    return true;
}

const char *ir_verify(const ir_t *ir, bool allocated) {
    if (ir->overflow) return "too many nodes";
    if (ir->count == 0) return "empty";
    const ir_node_t *lastn = &ir->n[ir->count - 1];
    if (lastn->op != IR_JUMP && lastn->op != IR_JUMPR && lastn->op != IR_TRAP)
        return "the last node is not an exit";
    uint16_t occupant[IR_MAX_POOL * 2]; /* per host register (< 32): last value in its home */
    for (unsigned i = 0; i < sizeof(occupant) / sizeof(occupant[0]); i++)
        occupant[i] = IR_NONE;
    for (unsigned i = 0; i < ir->count; i++) {
        const ir_node_t *n = &ir->n[i];
        if (n->flags & IR_F_DEAD) continue;
        if (n->op >= IR_NOPS) return "unknown node kind";
        if (i + 1 < ir->count && (n->op == IR_JUMP || n->op == IR_JUMPR || n->op == IR_TRAP))
            return "an exit before the end";
        if (uses_a(n->op)) {
            if (n->a >= i) return "operand a not defined before its use";
            if (!ir_has_value(ir->n[n->a].op) || (ir->n[n->a].flags & IR_F_DEAD))
                return "operand a is not a live value";
            if (allocated && ir->n[n->a].last < i) return "operand a used after its last use";
            if ((ir->n[n->a].flags & IR_F_SINK) && !(n->op == IR_PUT && !(n->flags & IR_F_MEMX)))
                return "a value sunk into the exits read by something else than a put";
        }
        if (uses_b(n)) {
            if (n->b >= i) return "operand b not defined before its use";
            if (!ir_has_value(ir->n[n->b].op) || (ir->n[n->b].flags & IR_F_DEAD))
                return "operand b is not a live value";
            if (allocated && ir->n[n->b].last < i) return "operand b used after its last use";
            if (ir->n[n->b].flags & IR_F_SINK)
                return "a value sunk into the exits read by something else than a put";
        }
        if (n->flags & IR_F_SINK) {
            if (n->home >= 0 || !((n->op >= IR_ADD && n->op <= IR_MUL) || n->op == IR_ROR))
                return "a value sunk into the exits that is not a pure operation";
            for (int k = 0; k < 2; k++) { /* its operands must be in place at every exit */
                uint16_t o = k ? n->b : n->a;
                if ((k && (n->flags & IR_F_IMM)) || o == IR_NONE || ir->n[o].op == IR_CONST)
                    continue;
                if (ir->n[o].last < n->last || ir->n[o].rlast < n->last)
                    return "a sunk value's operand dies before its exits";
            }
            for (int k = 0; k < 2; k++) { /* one in a home (a constant too) stays there */
                uint16_t o = k ? n->b : n->a;
                if ((k && (n->flags & IR_F_IMM)) || o == IR_NONE) continue;
                if (!ir_home_kept(ir, o, n->last))
                    return "a sunk value's operand leaves its home before its exits";
            }
        }
        if (n->op == IR_INSN && (n->imm < 0 || n->imm >= (int64_t)ir->ninsn))
            return "an embedded instruction out of range";
        if ((n->op == IR_GET || n->op == IR_PUT) && (n->g == 0 || n->g > 31))
            return "guest register out of range";
        if (n->op == IR_PUT && ir->home[n->g] >= 0) return "put of a register with a home";
        if (n->op == IR_PUT && (n->flags & IR_F_EXIT)) {
            unsigned j = next_live(ir, i);
            if (j == ir->count ||
                (ir->n[j].op != IR_BR && !(ir->n[j].op == IR_PUT && (ir->n[j].flags & IR_F_EXIT)) &&
                 !(ir->n[j].flags & IR_F_LOOP)))
                return "an exit put not before a branch";
        }
        if (n->op == IR_PUT && (n->flags & IR_F_MEMX)) {
            unsigned j = next_live(ir, i);
            while (j < ir->count && ir->n[j].op == IR_PUT && (ir->n[j].flags & IR_F_MEMX))
                j = next_live(ir, j);
            if (j == ir->count || (ir->n[j].op != IR_LOAD && ir->n[j].op != IR_STORE))
                return "a deferred put not before a load or store";
        }
        if (n->flags & IR_F_LOOP) {
            if (n->op != IR_BR && n->op != IR_JUMP) return "a back edge that is not a jump";
            if (!ir->loop) return "a back edge outside a loop";
            for (unsigned j = i + 1; j < ir->count; j++)
                if (!(ir->n[j].flags & IR_F_DEAD) && (ir->n[j].flags & IR_F_LOOP))
                    return "two back edges";
        }
        if (n->op == IR_LOOPMOV) {
            if (!ir->loop || n->b >= ir->loop_head || ir->n[n->b].op != IR_GET)
                return "a loop move to something else than a head get";
            if (i < ir->loop_head) return "a loop move in the loop head";
            unsigned j = next_live(ir, i);
            while (j < ir->count && ir->n[j].op == IR_LOOPMOV)
                j = next_live(ir, j);
            while (j < ir->count && ir->n[j].op == IR_PUT && (ir->n[j].flags & IR_F_EXIT))
                j = next_live(ir, j);
            if (j == ir->count || !(ir->n[j].flags & IR_F_LOOP))
                return "a loop move not before the back edge";
        }
        if (ir->loop && i < ir->loop_head && n->op != IR_GET && n->op != IR_CONST)
            return "a loop head node that is not a get";
        if (n->op == IR_GET && n->home != ir->home[n->g]) return "get outside its home";
        if (n->home >= 0 && (n->g == 0 || ir->home[n->g] != n->home))
            return "a value in the wrong home";
        if (n->op == IR_MULDIV && (n->aux > IR_MD_REMU || (n->flags & IR_F_IMM) ||
                                   ((n->flags & IR_F_W) && n->aux < IR_MD_DIV)))
            return "a bad muldiv";
        if (n->op == IR_LOAD && (n->aux & 15) != 1 && (n->aux & 15) != 2 && (n->aux & 15) != 4 &&
            (n->aux & 15) != 8)
            return "bad access width";
        if (!allocated || !ir_has_value(n->op)) continue;
        if (n->home >= 0) {
            if (n->reg != n->home) return "a home value not in its home";
            if (n->home >= (int)(sizeof(occupant) / sizeof(occupant[0])))
                return "home out of range";
            uint16_t o = occupant[n->home];
            if (o != IR_NONE && ir->n[o].last > i && n->op != IR_GET)
                return "a home overwritten while its value is still used";
            occupant[n->home] = (uint16_t)i;
            continue;
        }
        if ((n->flags & IR_F_INX) && (n->op != IR_GET || n->home >= 0))
            return "a value read in place that is not a get";
        if (n->flags & IR_F_INX) /* read from cpu->x: nothing may write it meanwhile (but
                                    itself, or a loop's back edge after its last read) */
            for (unsigned j = i + 1; j < n->rlast; j++) {
                const ir_node_t *m = &ir->n[j];
                if (m->flags & IR_F_DEAD) continue;
                if ((m->op == IR_PUT && m->g == n->g && m->a != i) ||
                    (m->op == IR_INSN && ir->insn[m->imm].rd == n->g &&
                     rv_insn_table[ir->insn[m->imm].id].writes == RD_X))
                    return "a get read in place while its register is written";
            }
        if (!needs_place(ir, i)) continue;
        if ((n->reg >= 0) == (n->slot >= 0)) return "a live value without one place";
        if (n->reg >= 0) {
            bool in_pool = false;
            for (unsigned k = 0; k < ir->pool_n; k++)
                if (ir->pool[k] == n->reg) in_pool = true;
            if (!in_pool) return "a register outside the pool";
        }
        if (n->slot >= 0 && (unsigned)n->slot >= ir->slots) return "a slot out of range";
        for (unsigned j = i + 1; j < n->last; j++) { /* values defined while i lives */
            const ir_node_t *m = &ir->n[j];
            if ((m->flags & IR_F_DEAD) || !ir_has_value(m->op) || !needs_place(ir, j)) continue;
            if (n->reg >= 0 && m->reg == n->reg) return "two live values share a register";
            if (n->slot >= 0 && m->slot == n->slot) return "two live values share a slot";
        }
    }
    return NULL;
}

/* ---- printing ---- */

static const char *const cc_names[] = {"eq", "ne", "lt", "ge", "ltu", "geu"};

void ir_print(const ir_t *ir, FILE *out) {
    if (ir->sext_guard) { /* what the entry checks (ir_optimise) */
        fprintf(out, "  entry: sign-extended");
        for (unsigned g = 1; g < 32; g++)
            if (ir->sext_guard >> g & 1) fprintf(out, " x%u", g);
        fprintf(out, "\n");
    }
    for (unsigned i = 0; i < ir->count; i++) {
        const ir_node_t *n = &ir->n[i];
        if (ir->loop && i == ir->loop_head) fprintf(out, "  loop:\n");
        if (n->flags & IR_F_DEAD) continue;
        fprintf(out, "    ");
        if (ir_has_value(n->op))
            fprintf(out, "v%-4u = ", i);
        else
            fprintf(out, "         ");
        fprintf(out, "%s%s", ir_op_name(n->op), n->flags & IR_F_W ? "w" : "");
        switch (n->op) {
        case IR_GET: fprintf(out, " x%u", n->g); break;
        case IR_CONST: fprintf(out, " 0x%llx", (unsigned long long)n->imm); break;
        case IR_PUT:
            fprintf(out, "%s x%u, v%u",
                    n->flags & IR_F_EXIT   ? ".exit"
                    : n->flags & IR_F_MEMX ? ".mem"
                                           : "",
                    n->g, n->a);
            break;
        case IR_LOAD:
            fprintf(out, "%u%s [v%u%+lld]", n->aux & 15, n->aux & 16 ? "s" : "u", n->a,
                    (long long)n->imm);
            break;
        case IR_STORE:
            fprintf(out, "%u [v%u%+lld], v%u", n->aux & 15, n->a, (long long)n->imm, n->b);
            break;
        case IR_BR:
            fprintf(out, " %s v%u, ", n->aux < 6 ? cc_names[n->aux] : "?", n->a);
            if (n->flags & IR_F_IMM)
                fprintf(out, "%lld", (long long)n->imm);
            else
                fprintf(out, "v%u", n->b);
            fprintf(out, " -> 0x%llx", (unsigned long long)n->target);
            if (n->flags & IR_F_LOOP) fprintf(out, " (loop)");
            break;
        case IR_JUMP:
            fprintf(out, " 0x%llx%s", (unsigned long long)n->target,
                    n->flags & IR_F_LOOP ? " (loop)" : "");
            break;
        case IR_TRAP: fprintf(out, " %s", n->aux ? "ebreak" : "ecall"); break;
        case IR_FENCE: break;
        case IR_INSN:
            fprintf(out, " %s",
                    n->imm >= 0 && n->imm < (int64_t)ir->ninsn
                        ? rv_insn_table[ir->insn[n->imm].id].name
                        : "?");
            break;
        case IR_RAS: fprintf(out, " 0x%llx", (unsigned long long)(n->pc + n->len)); break;
        case IR_LOOPMOV: fprintf(out, " v%u <- v%u", n->b, n->a); break;
        case IR_MULDIV: {
            static const char *const md[] = {"mulh", "mulhsu", "mulhu", "div",
                                             "divu", "rem",    "remu"};
            fprintf(out, ".%s v%u, v%u", n->aux < 7 ? md[n->aux] : "?", n->a, n->b);
            break;
        }
        case IR_JUMPR:
            fprintf(out, " v%u%+lld%s", n->a, (long long)n->imm,
                    n->aux == IR_J_CALL  ? " (call)"
                    : n->aux == IR_J_RET ? " (return)"
                                         : "");
            break;
        default:
            fprintf(out, " v%u, ", n->a);
            if (n->flags & IR_F_IMM)
                fprintf(out, "%lld", (long long)n->imm);
            else
                fprintf(out, "v%u", n->b);
            break;
        }
        if (n->home >= 0) fprintf(out, "  ; x%u", n->g);
        if (ir_has_value(n->op)) {
            if (n->reg >= 0) fprintf(out, "  @h%d", n->reg);
            if (n->slot >= 0) fprintf(out, "  @slot%d%s", n->slot, n->flags & IR_F_INX ? "=x" : "");
            if (n->slot < 0 && (n->flags & IR_F_INX)) fprintf(out, "  @x");
            if (n->flags & IR_F_SINK) fprintf(out, "  @exits");
        }
        if (n->op == IR_LOAD || n->op == IR_STORE || n->op == IR_BR || n->op == IR_JUMPR ||
            n->op == IR_TRAP || n->op == IR_INSN)
            fprintf(out, "  (pc 0x%llx)", (unsigned long long)n->pc);
        fprintf(out, "\n");
    }
}
