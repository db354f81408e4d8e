/* ir_lower.c - the x86-64 lowering of the IR (src/jit/ir.h): a superblock through the IR,
 * when every instruction on its path is one the IR covers.
 *
 * This file is part of translate.c (it is included at its end, not compiled alone): it uses
 * the translator's context, stubs, exits and emitters as they are, so that both paths share
 * one ABI and one set of slow paths.
 *
 * Registers. The eight pinned guest registers are the IR's homes (their values are computed
 * straight into rbx, rbp, r12, r13, rsi, rdi, r8, r9). The allocator's pool is rcx, rdx and
 * r11; rax is the lowering's scratch register. Spill slots live in the frame the entry
 * trampoline reserves (JIT_FRAME_BYTES below the return address): slot 0 holds rcx around
 * shifts (or a constant operand), slot 1 rdx around divisions, then come the allocator's
 * spill slots, and last a save slot per pool register for slow paths.
 *
 * Register maps. A translation whose allocation spills gets a map of its own: the pinned
 * guest registers its path does not write (ir_map_candidates: only read, or not touched)
 * lose their homes in a second build, and their host registers join the pool (up to eleven
 * registers). Their canonical place is then cpu->x from the translation's entry to its
 * exits: the entry stores them there after the prologue's checks, the IR reads them with
 * gets like any other register, and every way out of the translation (exits, chains, the
 * return-address stack's jumps, the fast table's jumps) and every place that expects the
 * eight pinned registers in place (the slow-path thunks, which store and reload them, and
 * embedded instructions, whose code reads them) first loads them back from cpu->x, which the
 * puts have made current. The block records the map (jit_block_t.evicted), so a host fault
 * takes those registers from cpu->x and not from the signal context, whose host registers
 * hold other values there. Branches then leave through a stub of their own (the moves before
 * the chainable jump), never through a jcc patched straight to the target.
 *
 * State. At entry and at every exit the guest state is where the old path keeps it (homes,
 * cpu->x); the IR's puts write back the other registers before every load, store, branch and
 * exit, so a host fault on an inline access (jit_host_fault), a slow path's fault and every
 * exit see exactly the interpreter's state. With deferred write-backs (VM_JIT_IR_LAZY_MEM=1)
 * a load's or store's puts are made on its slow path instead, and its fault point carries a
 * side table (jit_fix_t) of where each of those registers' values is, which jit_host_fault
 * applies. Pool registers do not survive the shared slow-path thunks: each load or store
 * stub saves the pool registers whose values live across it in the frame and restores them
 * before going back.
 *
 * Memory. User mode only for now: the window's one-compare path with the same fault table
 * and thunks as emit_load/emit_store; translations made while the hart translates (xmode,
 * the inline TLB) stay on the old path.
 *
 * Embedded instructions. An instruction the IR does not model (FP, AMOs, LR/SC, division,
 * Zba/Zbb...) is an IR_INSN node: the builder makes the guest state canonical before it, so
 * the emitter table's own code for it runs in line unchanged (its fault points, slow paths
 * and helper calls included, stubs emitted with the old path's emit_stub); the pool
 * registers live across it wait in the frame's save slots. A superblock is thus declined
 * only when its path holds a CSR instruction or something else that ends a decoded block,
 * and FP paths get the same mstatus.FS check in the prologue as on the old path.
 *
 * Loops. A back edge to the translation's start (IR_F_LOOP) does not leave: taken, it compares
 * the instret register with cpu->limit (the prologue's check, which re-entering would have
 * made), makes the loop's moves (ir_loop_moves, through rax between two memory places and the
 * frame's scratch slot for a cycle) and jumps to the loop head, the code after the head's
 * gets. Its stub, when the check fails, makes the exit puts and leaves for the loop's pc.
 *
 * Calls and returns. `jal ra` (IR_RAS) and `jalr` calls push on the return-address stack,
 * returns pop it, exactly as the old path's (ras_push_pc, ras_pop), so IR and old
 * translations share one stack.
 */
#include "jit/ir.h"

/* The pool every translation has; a translation's register map adds the pinned host
 * registers of the guest registers it evicts (at most eight). */
static const int8_t ir_pool[] = {RCX, RDX, R11};
#define IR_POOL_MAX (sizeof(ir_pool) + 8u)
_Static_assert(sizeof(ir_pool) >= 2, "pool[1] is rdx (ir_muldiv)");
_Static_assert(IR_POOL_MAX <= 16 && IR_POOL_MAX <= IR_MAX_POOL,
               "irctx_t.across holds a bit per pool register");

/* The frame (JIT_FRAME_BYTES above rsp): two scratch slots the inline code uses first, then
 * the allocator's spill slots (the first ones within an 8-bit displacement of rsp: shorter
 * code), then a save slot per pool register, used only around slow paths, embedded
 * instructions and pushes on the return-address stack. */
#define IR_RCX_SAVE     ((int32_t)0) /* rcx around shifts and stores */
#define IR_BIG_B        ((int32_t)0) /* a 64-bit constant or muldiv's memory operand */
#define IR_RDX_SAVE     ((int32_t)8) /* rdx around mul/div */
#define IR_SPILL_SLOTS  (JIT_FRAME_BYTES / 8u - 2u - IR_POOL_MAX)   /* the allocator's slots */
#define IR_POOL_SAVE(k) ((int32_t)(8 * (2 + IR_SPILL_SLOTS + (k)))) /* pool register k's */
_Static_assert(IR_SPILL_SLOTS >= 28, "at least the spill slots of a 256-byte frame of old");

/* The IR path's state beside the translation context. */
#define IR_WCHK 8u /* window checks a translation remembers (ir_window_known) */

typedef struct irctx {
    ir_t ir;                                 /* the superblock's IR */
    uint16_t stub_node[JIT_MAX_STUBS];       /* node of each IR memory stub (IR_NONE: another) */
    const rv_block_t *insn_blk[IR_MAX_INSN]; /* decoded block of each IR_INSN's instruction */
    bool fp;                                 /* the path has FP instructions: check FS */
    uint8_t *loop_top;                       /* host code of the loop head (rw view), or NULL */
    jit_fix_t fix[JIT_MAX_FIX];              /* deferred write-backs of the fault points */
    unsigned nfix;                           /* entries of fix[] */
    bool fix_full;                           /* fix[] overflowed: the old path translates */
    uint16_t across[IR_MAX_NODES];           /* pool registers live across each node (bits) */
    int8_t pool[IR_POOL_MAX];                /* this translation's pool: ir_pool, then the
                                                host registers of the evicted guest ones */
    unsigned npool;                          /* entries of pool[] */
    uint32_t evict;                          /* guest registers whose pinned host register is
                                                in pool[] (the register map): in cpu->x from
                                                the entry to every exit */
    struct {
        uint16_t v;  /* base value of a load or store whose window */
        int64_t d;   /* check was made (displacement d) on the path */
    } wchk[IR_WCHK]; /* since the translation's (or loop's) start */
    unsigned nwchk;  /* records made (the newest IR_WCHK are kept) */
    struct {
        uint16_t v;                 /* base value of a store whose flag check */
        int64_t lo, hi;             /* covered the pages of [v + lo, v + hi) */
    } fchk[IR_WCHK];                /* on the path since its (or the loop's) start */
    unsigned nfchk;                 /* records made (the newest IR_WCHK are kept) */
    bool stub_leave[JIT_MAX_STUBS]; /* a store stub whose flag check covered later
                                       stores: it leaves after the store */
    uint32_t follow;                /* which of the branches that end a decoded block on a
                                       build's path (bit k: the k-th) it followed
                                       (ir_follow_back); a loop's second build follows the
                                       same ones, so that both take one path */
} irctx_t;

static int32_t slot_off(int s) {
    return (int32_t)(8 * (2 + s));
}

/* Where a value without a register lives: its spill slot, or (IR_F_INX) its guest
 * register's canonical place. */
static int ir_loc(const ir_node_t *n, int32_t *disp) {
    if (n->flags & IR_F_INX) {
        *disp = OFF_X(n->g);
        return CPU;
    }
    *disp = slot_off(n->slot);
    return RSP;
}

/* Move value v into host register dst. */
static void ir_to(tctx_t *t, const ir_t *ir, int dst, uint16_t v) {
    const ir_node_t *n = &ir->n[v];
    if (n->reg >= 0)
        x86_mov_rr(&t->b, dst, n->reg);
    else if (n->op == IR_CONST)
        x86_mov_ri(&t->b, dst, (uint64_t)n->imm);
    else {
        int32_t disp;
        int base = ir_loc(n, &disp);
        x86_load64(&t->b, dst, base, disp);
    }
}

/* A register holding value v (its own, or `scratch` loaded with it). */
static int ir_in_reg(tctx_t *t, const ir_t *ir, uint16_t v, int scratch) {
    if (ir->n[v].reg >= 0) return ir->n[v].reg;
    ir_to(t, ir, scratch, v);
    return scratch;
}

/* Node i's value was computed in host register r: move it to its place. */
static void ir_def(tctx_t *t, const ir_t *ir, unsigned i, int r) {
    const ir_node_t *n = &ir->n[i];
    if (n->reg >= 0)
        x86_mov_rr(&t->b, n->reg, r);
    else if (n->slot >= 0 && !(n->flags & IR_F_INX))
        x86_store64(&t->b, RSP, slot_off(n->slot), r);
}

/* The second operand of a binary node, as the x86 instruction will take it. */
typedef struct ir_opnd {
    int kind;    /* 0 immediate, 1 register, 2 memory [reg + val] */
    int reg;     /* the register, or the memory operand's base */
    int32_t val; /* immediate or displacement */
} ir_opnd_t;

/* Prepare operand b of node n (a 64-bit constant goes to the frame first, through rax, so
 * call this before loading anything into rax). */
static ir_opnd_t ir_operand_b(tctx_t *t, const ir_t *ir, const ir_node_t *n) {
    if (n->flags & IR_F_IMM) return (ir_opnd_t){0, -1, (int32_t)n->imm};
    int32_t disp;
    const ir_node_t *m = &ir->n[n->b];
    if (m->reg >= 0) return (ir_opnd_t){1, m->reg, 0};
    if (m->op == IR_CONST) {
        if (x86_fits_s32(m->imm)) return (ir_opnd_t){0, -1, (int32_t)m->imm};
        x86_mov_ri(&t->b, RAX, (uint64_t)m->imm);
        x86_store64(&t->b, RSP, IR_BIG_B, RAX);
        return (ir_opnd_t){2, RSP, IR_BIG_B};
    }
    int base = ir_loc(m, &disp);
    return (ir_opnd_t){2, base, disp};
}

/* dst = dst OP b for the ALU group (w: 64-bit). */
static void ir_alu(tctx_t *t, bool w, enum x86_alu op, int dst, ir_opnd_t b) {
    if (b.kind == 0)
        x86_alu_ri(&t->b, w, op, dst, b.val);
    else if (b.kind == 1)
        x86_alu_rr(&t->b, w, op, dst, b.reg);
    else
        x86_op_rm(&t->b, 0, w, X86_OP((uint8_t)(op * 8 + 3)), dst, b.reg, X86_NOREG, 1, b.val,
                  false);
}

static void ir_binary(tctx_t *t, const ir_t *ir, unsigned i) {
    const ir_node_t *n = &ir->n[i];
    x86_buf_t *b = &t->b;
    bool w = !(n->flags & IR_F_W);
    bool sx = !w && !n->lo32; /* a 32-bit result whose upper half is read: sign-extend it */
    const ir_node_t *a = &ir->n[n->a];
    int d = n->reg >= 0 ? n->reg : RAX;
    if (n->op == IR_ADD && (n->flags & IR_F_IMM) && !w && n->imm == 0 && a->reg < 0 &&
        a->op != IR_CONST) { /* sext.w of a value in memory: one movsxd from there */
        int32_t disp;
        int base = ir_loc(a, &disp);
        x86_op_rm(b, 0, true, X86_OP(0x63), d, base, X86_NOREG, 1, disp, false);
        ir_def(t, ir, i, d);
        return;
    }
    if (n->op == IR_ADD && (n->flags & IR_F_IMM) && a->reg >= 0) { /* lea: no copy first */
        if (!w && n->imm == 0) {                                   /* sext.w: one movsxd */
            x86_movsxd_rr(b, d, a->reg);
            ir_def(t, ir, i, d);
            return;
        }
        x86_lea(b, d, a->reg, X86_NOREG, 1, (int32_t)n->imm);
        if (sx) x86_movsxd_rr(b, d, d);
        ir_def(t, ir, i, d);
        return;
    }
    if (n->op == IR_ROR) { /* imm only */
        unsigned k = (unsigned)n->imm & (w ? 63u : 31u);
        if (hostf.bmi2 && a->reg >= 0) { /* rorx d, a, k: no copy first */
            x86_byte(b, 0xc4);           /* VEX.LZ.F2.0F3A.W0/W1 F0 /r ib */
            x86_byte(b, (uint8_t)(0x43 | (d < 8 ? 0x80 : 0) | (a->reg < 8 ? 0x20 : 0)));
            x86_byte(b, w ? 0xfb : 0x7b);
            x86_byte(b, 0xf0);
            x86_byte(b, (uint8_t)(0xc0 | (d & 7) << 3 | (a->reg & 7)));
            x86_byte(b, (uint8_t)k);
        } else {
            ir_to(t, ir, d, n->a);
            x86_shift_ri(b, w, SH_ROR, d, k);
        }
        if (sx) x86_movsxd_rr(b, d, d);
        ir_def(t, ir, i, d);
        return;
    }
    if (n->op == IR_SHL || n->op == IR_SHR || n->op == IR_SAR) {
        enum x86_shift sop = n->op == IR_SHL ? SH_SHL : n->op == IR_SHR ? SH_SHR : SH_SAR;
        const ir_node_t *cnt = (n->flags & IR_F_IMM) ? NULL : &ir->n[n->b];
        if (n->flags & IR_F_IMM) {
            ir_to(t, ir, d, n->a);
            x86_shift_ri(b, w, sop, d, (unsigned)n->imm & (w ? 63u : 31u));
            if (!w && sop == SH_SHR && (n->imm & 31)) { /* srliw by 1..31: bit 31 is clear, */
                ir_def(t, ir, i, d);                    /* the zero extension is the sign's */
                return;
            }
        } else if (hostf.bmi2 && a->reg >= 0 && cnt && cnt->reg >= 0) {
            /* shlx/shrx/sarx d, a, cnt: any count register, no copy first (the count is
             * masked to 6 or 5 bits, as RISC-V's) */
            unsigned pp = sop == SH_SHL ? 1u : sop == SH_SHR ? 3u : 2u; /* 66, F2, F3 */
            x86_byte(b, 0xc4); /* VEX.LZ.pp.0F38.W0/W1 F7 /r */
            x86_byte(b, (uint8_t)(0x42 | (d < 8 ? 0x80 : 0) | (a->reg < 8 ? 0x20 : 0)));
            x86_byte(b, (uint8_t)((w ? 0x80 : 0) | (~(unsigned)cnt->reg & 15u) << 3 | pp));
            x86_byte(b, 0xf7);
            x86_byte(b, (uint8_t)(0xc0 | (d & 7) << 3 | (a->reg & 7)));
        } else { /* the count must be in cl: rcx is kept in the frame meanwhile */
            d = RAX;
            ir_to(t, ir, RAX, n->a);
            x86_store64(b, RSP, IR_RCX_SAVE, RCX);
            ir_to(t, ir, RCX, n->b);
            x86_shift_cl(b, w, sop, RAX);
            x86_load64(b, RCX, RSP, IR_RCX_SAVE);
        }
        if (sx) x86_movsxd_rr(b, d, d);
        ir_def(t, ir, i, d);
        return;
    }
    ir_opnd_t ob = ir_operand_b(t, ir, n);
    if (n->op == IR_SLT || n->op == IR_SLTU) {
        int ra = ir_in_reg(t, ir, n->a, RAX);
        ir_alu(t, true, ALU_CMP, ra, ob);
        x86_setcc(b, n->op == IR_SLT ? CC_L : CC_B, d);
        ir_def(t, ir, i, d);
        return;
    }
    if (n->op == IR_ADD && w && ob.kind == 1 && a->reg >= 0 && d != a->reg && d != ob.reg) {
        x86_lea(b, d, a->reg, ob.reg, 1, 0); /* d = a + b in one instruction, no copy first */
        ir_def(t, ir, i, d);
        return;
    }
    bool comm =
        n->op == IR_ADD || n->op == IR_AND || n->op == IR_OR || n->op == IR_XOR || n->op == IR_MUL;
    bool swapped = false;
    if (ob.kind == 1 && ob.reg == d && a->reg != d && comm && a->reg >= 0) {
        ob.reg = a->reg; /* d = a OP d, commutative: d OP= a in place */
        swapped = true;
    } else if (ob.kind == 1 && ob.reg == d && a->reg != d) {
        d = RAX; /* d = a OP d: not in place */
    }
    if (!swapped) ir_to(t, ir, d, n->a);
    if (n->op == IR_MUL) {
        if (ob.kind == 0) {
            x86_op_rr(b, w, X86_OP(0x69), d, d, false);
            x86_u32(b, (uint32_t)ob.val);
        } else if (ob.kind == 1) {
            x86_imul_rr(b, w, d, ob.reg);
        } else {
            x86_op_rm(b, 0, w, X86_OP(0x0f, 0xaf), d, ob.reg, X86_NOREG, 1, ob.val, false);
        }
    } else {
        static const uint8_t aop[] = {[IR_ADD] = ALU_ADD,
                                      [IR_SUB] = ALU_SUB,
                                      [IR_AND] = ALU_AND,
                                      [IR_OR] = ALU_OR,
                                      [IR_XOR] = ALU_XOR};
        ir_alu(t, w, (enum x86_alu)aop[n->op], d, ob);
    }
    if (sx) x86_movsxd_rr(b, d, d);
    ir_def(t, ir, i, d);
}

/* An IR_MULDIV node. x86's one-operand multiply and divide work on rdx:rax, so rdx (a pool
 * register) waits in the frame while it holds a value living across the node, and the second
 * operand is a memory operand (its slot, cpu->x, or the scratch slot it is stored to), which
 * leaves rax and rdx to the instruction. A division tests the divisor for zero and the signed
 * ones MIN / -1 before dividing, and takes RISC-V's results there (the host never sees #DE);
 * mulhsu is mulhu minus b where a is negative. */
static void ir_muldiv(tctx_t *t, const irctx_t *c, unsigned i) {
    const ir_t *ir = &c->ir;
    const ir_node_t *n = &ir->n[i];
    const ir_node_t *bn = &ir->n[n->b];
    x86_buf_t *b = &t->b;
    bool w = !(n->flags & IR_F_W); /* 64-bit */
    bool save_rdx = (c->across[i] >> 1) & 1;
    if (save_rdx) x86_store64(b, RSP, IR_RDX_SAVE, RDX);
    int mb = RSP;
    int32_t md = IR_BIG_B;
    if (bn->reg >= 0)
        x86_store64(b, RSP, IR_BIG_B, bn->reg);
    else if (bn->op == IR_CONST)
        x86_store_imm64(b, RSP, IR_BIG_B, (uint64_t)bn->imm, RAX);
    else
        mb = ir_loc(bn, &md);
    ir_to(t, ir, RAX, n->a);
    int r = RAX;
    switch (n->aux) {
    case IR_MD_MULH:
    case IR_MD_MULHU:
        x86_op_rm(b, 0, true, X86_OP(0xf7), n->aux == IR_MD_MULH ? 5 : 4, mb, X86_NOREG, 1, md,
                  false);
        r = RDX;
        break;
    case IR_MD_MULHSU: /* mulhu(a, b) - (a < 0 ? b : 0); the correction waits in the frame's
                          first save slot (no pool register is saved across this node) */
        x86_mov_rr(b, RDX, RAX);
        x86_shift_ri(b, true, SH_SAR, RDX, 63);
        x86_op_rm(b, 0, true, X86_OP(0x23), RDX, mb, X86_NOREG, 1, md, false); /* and rdx, m */
        x86_store64(b, RSP, IR_POOL_SAVE(0), RDX);
        x86_op_rm(b, 0, true, X86_OP(0xf7), 4, mb, X86_NOREG, 1, md, false); /* mul m */
        x86_op_rm(b, 0, true, X86_OP(0x2b), RDX, RSP, X86_NOREG, 1, IR_POOL_SAVE(0), false);
        r = RDX;
        break;
    default: {
        bool sign = n->aux == IR_MD_DIV || n->aux == IR_MD_REM;
        bool rem = n->aux == IR_MD_REM || n->aux == IR_MD_REMU;
        x86_op_rm(b, 0, w, X86_OP(0x83), 7, mb, X86_NOREG, 1, md, false); /* cmp m, 0 */
        x86_byte(b, 0);
        uint8_t *jzero = x86_jcc32(b, CC_E);
        uint8_t *jovf = NULL;
        if (sign) {
            x86_op_rm(b, 0, w, X86_OP(0x83), 7, mb, X86_NOREG, 1, md, false); /* cmp m, -1 */
            x86_byte(b, 0xff);
            uint8_t *jdo = x86_jcc32(b, CC_NE);
            x86_mov_ri(b, RDX, w ? 0x8000000000000000ull : 0x80000000ull);
            x86_alu_rr(b, w, ALU_CMP, RAX, RDX);
            jovf = x86_jcc32(b, CC_E);
            if (!b->full) x86_patch_rel32(jdo, b->p);
            x86_cqo(b, w);
            x86_op_rm(b, 0, w, X86_OP(0xf7), 7, mb, X86_NOREG, 1, md, false); /* idiv m */
        } else {
            x86_mov_ri(b, RDX, 0);
            x86_op_rm(b, 0, w, X86_OP(0xf7), 6, mb, X86_NOREG, 1, md, false); /* div m */
        }
        uint8_t *jdone = x86_jmp32(b);
        if (!b->full) x86_patch_rel32(jzero, b->p); /* x / 0: all ones; x % 0: x */
        if (rem)
            x86_mov_rr(b, RDX, RAX);
        else
            x86_mov_ri(b, RAX, UINT64_MAX);
        uint8_t *jdone2 = x86_jmp32(b);
        if (jovf) { /* MIN / -1: MIN (in rax already); MIN % -1: 0 */
            if (!b->full) x86_patch_rel32(jovf, b->p);
            x86_mov_ri(b, RDX, 0);
        }
        if (!b->full) {
            x86_patch_rel32(jdone, b->p);
            x86_patch_rel32(jdone2, b->p);
        }
        r = rem ? RDX : RAX;
        if (!w) x86_movsxd_rr(b, r, r);
        break;
    }
    }
    if (r == RDX) x86_mov_rr(b, RAX, RDX);
    if (save_rdx) x86_load64(b, RDX, RSP, IR_RDX_SAVE);
    ir_def(t, ir, i, RAX);
}

/* rax = the guest address of memory node n (operand a + displacement). */
static void ir_addr(tctx_t *t, const ir_t *ir, const ir_node_t *n) {
    const ir_node_t *a = &ir->n[n->a];
    if (a->reg >= 0) {
        x86_lea(&t->b, RAX, a->reg, X86_NOREG, 1, (int32_t)n->imm);
    } else if (a->op == IR_CONST) {
        x86_mov_ri(&t->b, RAX, (uint64_t)(a->imm + n->imm));
    } else {
        int32_t disp;
        int base = ir_loc(a, &disp);
        x86_load64(&t->b, RAX, base, disp);
        if (n->imm) x86_lea(&t->b, RAX, RAX, X86_NOREG, 1, (int32_t)n->imm);
    }
}

/* rax = the window offset of memory node n. */
static void ir_offset(tctx_t *t, const ir_t *ir, const ir_node_t *n) {
    ir_addr(t, ir, n);
    if (t->cpu->mem_start) x86_alu_rm(&t->b, ALU_SUB, RAX, CPU, OFF(mem_start));
}

/* The first of the deferred puts (flag IR_F_EXIT or IR_F_MEMX) just before node i (i when
 * there are none). */
static unsigned ir_first_deferred(const ir_t *ir, unsigned i, unsigned flag) {
    unsigned first = i;
    for (unsigned j = i; j-- > 0;) {
        const ir_node_t *p = &ir->n[j];
        if (p->flags & IR_F_DEAD) continue;
        if (p->op != IR_PUT || !(p->flags & flag)) break;
        first = j;
    }
    return first;
}

/* Record an inline access of memory node i at the current host offset, with its deferred
 * write-backs (IR_F_MEMX puts) as the fault point's side table: where each value is
 * (`rcx_saved`: rcx holds a store's value, its own in the frame's rcx slot). */
static void ir_note_fault(tctx_t *t, irctx_t *c, unsigned i, bool rcx_saved) {
    const ir_t *ir = &c->ir;
    const ir_node_t *n = &ir->n[i];
    jit_faultpt_t *f = &t->faults[t->nfaults++];
    f->host_off = (uint32_t)(t->b.p - t->start);
    f->idx = n->idx - t->counted;
    f->guest_off = (int64_t)(n->pc - t->sb_pc);
    f->fix = (uint16_t)c->nfix;
    f->nfix = 0;
    for (unsigned j = ir_first_deferred(ir, i, IR_F_MEMX); j < i; j++) {
        const ir_node_t *p = &ir->n[j];
        if (p->flags & IR_F_DEAD) continue;
        if (c->nfix >= JIT_MAX_FIX) {
            c->fix_full = true;
            return;
        }
        const ir_node_t *a = &ir->n[p->a];
        if (a->reg < 0 && (a->flags & IR_F_INX) && a->g == p->g) continue; /* it is there */
        jit_fix_t *x = &c->fix[c->nfix++];
        x->g = p->g;
        x->val = 0;
        if (a->reg == RCX && rcx_saved) {
            x->kind = JIT_FIX_SLOT;
            x->arg = IR_RCX_SAVE;
        } else if (a->reg >= 0) {
            x->kind = JIT_FIX_REG;
            x->arg = a->reg;
        } else if (a->op == IR_CONST) {
            x->kind = JIT_FIX_CONST;
            x->val = a->imm;
        } else if (a->flags & IR_F_INX) {
            x->kind = JIT_FIX_X;
            x->arg = a->g;
        } else {
            x->kind = JIT_FIX_SLOT;
            x->arg = slot_off(a->slot);
        }
        f->nfix++;
    }
}

/* Window checks left out. A load or store whose base value v was checked on the path before
 * it (same iteration of a loop), at a displacement d0 with |d - d0| at most a page and
 * |d - d0| + width at most the guard the hart has on each side of its window
 * (rv_cpu_t.win_guard: user mode), needs no check of its own: v + d0 passed it, so v + d is
 * in the window or in a guard, where the host fault it takes is the guest's precise fault
 * (its fault point is recorded as any access's). A check that failed went to the slow path,
 * which either left the translation or (the window's last bytes) came back with v + d0 in
 * the window too. So a run of accesses through one pointer (a copy loop's loads and stores,
 * forwards or backwards) makes one window check per pointer. */
static bool ir_window_known(const tctx_t *t, const irctx_t *c, const ir_node_t *n) {
    uint64_t guard = t->cpu->catch_host_faults ? t->cpu->win_guard : 0;
    unsigned have = c->nwchk < IR_WCHK ? c->nwchk : IR_WCHK;
    for (unsigned k = 0; k < have && guard; k++) {
        int64_t delta = n->imm - c->wchk[k].d;
        uint64_t dist = delta < 0 ? (uint64_t)0 - (uint64_t)delta : (uint64_t)delta;
        if (c->wchk[k].v == n->a && dist <= (1u << RV_PAGE_SHIFT) && dist + (n->aux & 15u) <= guard)
            return true;
    }
    return false;
}

/* Memory node n made its window check, of its base value plus d0: note it for the accesses
 * after it. */
static void ir_window_note_at(irctx_t *c, const ir_node_t *n, int64_t d0) {
    unsigned k = c->nwchk++ % IR_WCHK;
    c->wchk[k].v = n->a;
    c->wchk[k].d = d0;
}

/* Memory node n made its window check at its own address: note it. */
static void ir_window_note(irctx_t *c, const ir_node_t *n) {
    ir_window_note_at(c, n, n->imm);
}

/* Whether load node n may check its base value alone against the window (no `lea` of the
 * address first): the base is in a host register and the window starts at guest address 0,
 * and the displacement is within a page and the guard (rv_cpu_t.win_guard), so that a base
 * in the window puts the access in the window or in a guard, whose host fault is the guest's
 * precise fault, as for the accesses ir_window_known lets through; a base outside goes to
 * the slow path, which makes the access from its own address. */
static bool ir_base_check(const tctx_t *t, const ir_node_t *n, int base) {
    uint64_t guard = t->cpu->catch_host_faults ? t->cpu->win_guard : 0;
    uint64_t dist = n->imm < 0 ? (uint64_t)0 - (uint64_t)n->imm : (uint64_t)n->imm;
    return base >= 0 && dist <= (1u << RV_PAGE_SHIFT) && dist + (n->aux & 15u) <= guard;
}

/* The host register that holds memory node n's base value, when it can be the index of a
 * [r14 + index + disp] access (user mode's window starts at guest address 0), else -1. */
static int ir_base_reg(const tctx_t *t, const ir_t *ir, const ir_node_t *n) {
    const ir_node_t *a = &ir->n[n->a];
    return t->cpu->mem_start == 0 && a->reg >= 0 && x86_fits_s32(n->imm) ? a->reg : -1;
}

static void ir_load(tctx_t *t, irctx_t *c, unsigned i) {
    const ir_t *ir = &c->ir;
    const ir_node_t *n = &ir->n[i];
    int d = n->reg >= 0 ? n->reg : RAX;
    stub_t *s = NULL;
    int base = ir_base_reg(t, ir, n);
    if (ir_window_known(t, c, n)) {
        if (base < 0) ir_offset(t, ir, n);
    } else if (ir_base_check(t, n, base) ||
               (base >= 0 && n->imm == 0)) { /* the base (or address) */
        x86_alu_rm(&t->b, ALU_CMP, base, CPU, OFF(win_chk));
        c->stub_node[t->nstubs] = (uint16_t)i;
        s = add_stub(t, STUB_LOAD, x86_jcc32(&t->b, CC_AE), NULL, n->idx);
        s->pc = n->pc;
        ir_window_note_at(c, n, 0);
    } else { /* (the access still takes its address from the base: off the check's chain) */
        ir_offset(t, ir, n);
        x86_alu_rm(&t->b, ALU_CMP, RAX, CPU, OFF(win_chk));
        c->stub_node[t->nstubs] = (uint16_t)i;
        s = add_stub(t, STUB_LOAD, x86_jcc32(&t->b, CC_AE), NULL, n->idx);
        s->pc = n->pc;
        ir_window_note(c, n);
    }
    ir_note_fault(t, c, i, false);
    if (base >= 0)
        x86_load_bid(&t->b, d, MEM, base, (int32_t)n->imm, n->aux & 15u, (n->aux & 16u) != 0);
    else
        x86_load_idx(&t->b, d, MEM, RAX, n->aux & 15u, (n->aux & 16u) != 0);
    ir_def(t, ir, i, d);
    if (s) s->back = t->b.p;
}

/* Flag checks left out. A store checks the window and the flag bytes (code pages) at its
 * own bytes or, when stores after it on the path (same iteration of a loop) go through the
 * same base value within a page of it, at the first and the last byte of the range
 * [v + lo, v + hi) they all write: two pages at most. Those stores then check nothing (their
 * bytes are in the window, on plain pages). A miss or a flagged page takes the store's slow
 * path, which leaves the translation after the store (JIT_INFO_LEAVE), so the stores it
 * covered run elsewhere, checked. */
static bool ir_flags_known(const irctx_t *c, const ir_node_t *n) {
    unsigned have = c->nfchk < IR_WCHK ? c->nfchk : IR_WCHK;
    for (unsigned k = 0; k < have; k++)
        if (c->fchk[k].v == n->a && n->imm >= c->fchk[k].lo &&
            n->imm + (int64_t)(n->aux & 15u) <= c->fchk[k].hi)
            return true;
    return false;
}

/* The range [*lo, *hi) of displacements store node i's flag check covers: its own bytes and
 * those of later stores through its base value, at most a page in all (so that it touches
 * two pages at most: those of its first and last byte). */
static void ir_flags_reach(const ir_t *ir, unsigned i, int64_t *lo, int64_t *hi) {
    const ir_node_t *n = &ir->n[i];
    *lo = n->imm;
    *hi = n->imm + (int64_t)(n->aux & 15u);
    for (unsigned j = i + 1; j < ir->count; j++) {
        const ir_node_t *m = &ir->n[j];
        if ((m->flags & IR_F_DEAD) || m->op != IR_STORE || m->a != n->a) continue;
        int64_t l = m->imm < *lo ? m->imm : *lo;
        int64_t e = m->imm + (int64_t)(m->aux & 15u);
        int64_t h = e > *hi ? e : *hi;
        if (h - l <= (int64_t)(1u << RV_PAGE_SHIFT)) {
            *lo = l;
            *hi = h;
        }
    }
}

/* rax = the window offset of memory node n's base value plus displacement d (not its own). */
static void ir_flag_addr(tctx_t *t, const ir_t *ir, const ir_node_t *n, int64_t d) {
    const ir_node_t *a = &ir->n[n->a];
    if (a->reg >= 0) {
        x86_lea(&t->b, RAX, a->reg, X86_NOREG, 1, (int32_t)d);
        if (t->cpu->mem_start) x86_alu_rm(&t->b, ALU_SUB, RAX, CPU, OFF(mem_start));
    } else {
        ir_offset(t, ir, n);
        x86_lea(&t->b, RAX, RAX, X86_NOREG, 1, (int32_t)(d - n->imm));
    }
}

static void ir_store(tctx_t *t, irctx_t *c, unsigned i) {
    const ir_t *ir = &c->ir;
    const ir_node_t *n = &ir->n[i];
    /* covered: an earlier store's checks took in this one's bytes (window and flags), or
     * with no flags an earlier access's window check (the guards) */
    bool covered = t->cpu->page_flags ? ir_flags_known(c, n) : ir_window_known(t, c, n);
    int base = ir_base_reg(t, ir, n);
    int v = ir->n[n->b].reg;
    if (base == RCX && v < 0) base = -1; /* rcx will carry the value: the offset in rax */
    stub_t *s = NULL;
    if (covered) {
        if (base < 0) ir_offset(t, ir, n);
    } else {
        int64_t lo = n->imm, hi = n->imm + (int64_t)(n->aux & 15u);
        if (t->cpu->page_flags) ir_flags_reach(ir, i, &lo, &hi);
        bool wide = (lo < n->imm || hi > n->imm + (int64_t)(n->aux & 15u)) && x86_fits_s32(lo) &&
                    x86_fits_s32(hi);
        c->stub_node[t->nstubs] = (uint16_t)i;
        c->stub_leave[t->nstubs] = wide;
        s = add_stub(t, STUB_STORE, NULL, NULL, n->idx);
        s->pc = n->pc;
        if (wide) {
            /* the window and the flag byte at the first and the last byte of what it and the
             * later stores it covers write (two pages at most), so that those check nothing:
             * a hit leaves after this store (JIT_INFO_LEAVE) */
            ir_flag_addr(t, ir, n, lo);
            x86_alu_rm(&t->b, ALU_CMP, RAX, CPU, OFF(win_chk));
            s->jfield = x86_jcc32(&t->b, CC_AE);
            x86_shift_ri(&t->b, true, SH_SHR, RAX, RV_PAGE_SHIFT);
            x86_alu_rm(&t->b, ALU_ADD, RAX, CPU, OFF(page_flags));
            x86_cmp8_mi0_idx(&t->b, RAX, X86_NOREG);
            s->jfield2 = x86_jcc32(&t->b, CC_NE);
            ir_flag_addr(t, ir, n, hi - 1);
            x86_alu_rm(&t->b, ALU_CMP, RAX, CPU, OFF(win_chk));
            s->jfield4 = x86_jcc32(&t->b, CC_AE);
            x86_shift_ri(&t->b, true, SH_SHR, RAX, RV_PAGE_SHIFT);
            x86_alu_rm(&t->b, ALU_ADD, RAX, CPU, OFF(page_flags));
            x86_cmp8_mi0_idx(&t->b, RAX, X86_NOREG);
            s->jfield3 = x86_jcc32(&t->b, CC_NE);
            unsigned k = c->nfchk++ % IR_WCHK;
            c->fchk[k].v = n->a;
            c->fchk[k].lo = lo;
            c->fchk[k].hi = hi;
            ir_window_note(c, n);
            if (base < 0) ir_offset(t, ir, n);
        } else {
            ir_offset(t, ir, n);
            x86_alu_rm(&t->b, ALU_CMP, RAX, CPU, OFF(win_chk));
            s->jfield = x86_jcc32(&t->b, CC_AE);
            ir_window_note(c, n);
            if (t->cpu->page_flags) { /* the page's flag byte, then the offset again */
                x86_shift_ri(&t->b, true, SH_SHR, RAX, RV_PAGE_SHIFT);
                x86_alu_rm(&t->b, ALU_ADD, RAX, CPU, OFF(page_flags));
                x86_cmp8_mi0_idx(&t->b, RAX, X86_NOREG);
                s->jfield2 = x86_jcc32(&t->b, CC_NE);
                if (base < 0) ir_offset(t, ir, n);
            }
        }
    }
    if (v < 0) { /* a constant or a spilled value: through rcx, kept in the frame */
        x86_store64(&t->b, RSP, IR_RCX_SAVE, RCX);
        ir_to(t, ir, RCX, n->b);
    }
    ir_note_fault(t, c, i, v < 0);
    if (base >= 0)
        x86_store_bid(&t->b, MEM, base, (int32_t)n->imm, v < 0 ? RCX : v, n->aux & 15u);
    else
        x86_store_idx(&t->b, MEM, RAX, v < 0 ? RCX : v, n->aux & 15u);
    if (v < 0) x86_load64(&t->b, RCX, RSP, IR_RCX_SAVE);
    if (s) s->back = t->b.p;
}

/* across[p] for every node p: the pool registers holding a value that lives across p (defined
 * before it, used after it), in one forward sweep: a register holds one value at a time, so
 * the last value defined into it is the only one that can be live there. */
static void ir_pool_masks(irctx_t *c) {
    const ir_t *ir = &c->ir;
    uint16_t inreg[IR_POOL_MAX];
    for (unsigned k = 0; k < c->npool; k++)
        inreg[k] = IR_NONE;
    for (unsigned i = 0; i < ir->count; i++) {
        const ir_node_t *n = &ir->n[i];
        uint16_t mask = 0;
        for (unsigned k = 0; k < c->npool; k++)
            if (inreg[k] != IR_NONE && ir->n[inreg[k]].last > i) mask |= (uint16_t)(1u << k);
        c->across[i] = mask;
        if ((n->flags & IR_F_DEAD) || !ir_has_value(n->op) || n->home >= 0 || n->reg < 0) continue;
        for (unsigned k = 0; k < c->npool; k++)
            if (c->pool[k] == n->reg) inreg[k] = (uint16_t)i;
    }
}

/* The pool registers of the `which` bits (pool indices) that hold a value living across node
 * p (defined before it, used after it). */
static uint16_t ir_live_across(const irctx_t *c, unsigned p, uint16_t which) {
    return c->across[p] & which;
}

/* Store (or load back) the pool registers of mask `save` (pool indices) in the frame's save
 * slots. */
static void ir_save_pool(tctx_t *t, const irctx_t *c, uint16_t save, bool restore) {
    for (unsigned k = 0; k < c->npool; k++) {
        if (!(save >> k & 1)) continue;
        if (restore)
            x86_load64(&t->b, c->pool[k], RSP, IR_POOL_SAVE(k));
        else
            x86_store64(&t->b, RSP, IR_POOL_SAVE(k), c->pool[k]);
    }
}

/* The register map's moves: at the entry, each evicted guest register's pinned host register
 * is stored to cpu->x (store), which then holds the register for the whole translation (the
 * IR reads it with gets and writes it with puts, as any register without a home); before
 * every exit, slow-path thunk and embedded instruction, which expect the eight pinned
 * registers in place, they are loaded back from cpu->x (which the puts have made current). */
static void ir_evict_moves(tctx_t *t, const irctx_t *c, bool store) {
    for (unsigned g = 1; g < 32; g++) {
        if (!(c->evict >> g & 1)) continue;
        if (store)
            x86_store64(&t->b, CPU, OFF_X(g), host_of(g));
        else
            x86_load64(&t->b, host_of(g), CPU, OFF_X(g));
    }
}

/* An IR_INSN node: the emitter table's code for the instruction, in line. The guest state is
 * canonical here (the builder synced it), which is what that code expects; the pool
 * registers live across it are kept in the frame meanwhile (its code and its slow paths use
 * rax, rcx, rdx and r11 freely, and r11 caches nothing for it). False when its emitter
 * declined or ended the block. */
static bool ir_insn(tctx_t *t, irctx_t *c, unsigned i) {
    const ir_t *ir = &c->ir;
    const ir_node_t *n = &ir->n[i];
    uint16_t save = ir_live_across(c, i, 0xffffu);
    ir_save_pool(t, c, save, false);
    ir_evict_moves(t, c, false); /* its code expects the pinned registers in place */
    t->last_g = 0;
    t->blk = c->insn_blk[n->imm];
    unsigned before = t->nstubs;
    bool ends = false;
    uint64_t cont = NO_CONT;
    const rv_op_t *op = &ir->insn[n->imm];
    if (t->nfaults >= JIT_MAX_FAULTPTS || t->nstubs + 2 >= JIT_MAX_STUBS ||
        !emit_op(t, op, n->idx, &ends, &cont) || ends)
        return false;
    for (unsigned k = before; k < t->nstubs; k++)
        c->stub_node[k] = IR_NONE; /* the emitter table's own stubs */
    t->last_g = 0;
    /* an evicted rd it wrote in its pinned register: where the IR reads it again */
    if (rv_insn_table[op->id].writes == RD_X && op->rd && (c->evict >> op->rd & 1))
        x86_store64(&t->b, CPU, OFF_X(op->rd), host_of(op->rd));
    ir_save_pool(t, c, save, true);
    return true;
}

/* An IR_RAS node: the push of a call (rcx, rdx, rax clobbered: live pool registers kept). */
static void ir_ras(tctx_t *t, irctx_t *c, unsigned i) {
    const ir_node_t *n = &c->ir.n[i];
    uint16_t save = ir_live_across(c, i, 7u); /* rcx, rdx, r11: pool[0..2] */
    ir_save_pool(t, c, save, false);
    unsigned k = t->nstubs;
    ras_push_pc(t, n->pc + n->len, n->idx, RAX);
    if (k < t->nstubs) c->stub_node[k] = IR_NONE;
    ir_save_pool(t, c, save, true);
}

static void ir_put(tctx_t *t, const ir_t *ir, const ir_node_t *n);

/* The slow path of a load or store node: the guest address again, the pool registers live
 * across the node into the frame, the shared thunk, then back. */
static void ir_mem_stub(tctx_t *t, irctx_t *c, const stub_t *s) {
    const ir_t *ir = &c->ir;
    unsigned p = c->stub_node[s - t->stubs];
    const ir_node_t *n = &ir->n[p];
    x86_buf_t *b = &t->b;
    bool store = n->op == IR_STORE;
    /* the thunk stores and reloads the pinned registers, and its call clobbers the rest */
    uint16_t save = ir_live_across(c, p, 0xffffu);
    /* the deferred write-backs first (they may use rax): the helper sees the whole state */
    for (unsigned j = ir_first_deferred(ir, p, IR_F_MEMX); j < p; j++)
        if (!(ir->n[j].flags & IR_F_DEAD)) ir_put(t, ir, &ir->n[j]);
    ir_addr(t, ir, n);
    ir_save_pool(t, c, save, false);
    if (store) ir_to(t, ir, RCX, n->b);
    ir_evict_moves(t, c, false); /* the thunk stores the pinned registers: their values */
    uint32_t info = (n->aux & 15u) | (n->aux & 16u) | s->idx << 8 | (uint32_t)n->len << 16 |
                    (store && c->stub_leave[s - t->stubs] ? JIT_INFO_LEAVE : 0u);
    x86_mov_ri(b, RDX, n->pc);
    x86_mov_ri(b, R11, info);
    x86_byte(b, 0xe8); /* call rel32 */
    uint8_t *f = b->p;
    x86_u32(b, 0);
    if (!b->full) {
        const uint8_t *thunk = store ? t->j->thunk_store : t->j->thunk_load;
        int32_t rel =
            (int32_t)((intptr_t)(uintptr_t)thunk - (intptr_t)(uintptr_t)(to_rx(t, f) + 4));
        memcpy(f, &rel, 4);
    }
    if (!store) ir_def(t, ir, p, RAX);
    ir_save_pool(t, c, save, true);
    uint8_t *jb = x86_jmp32(b);
    if (!b->full) x86_patch_rel32(jb, s->back);
}

static const enum x86_cc ir_x86_cc[] = {[IR_EQ] = CC_E,  [IR_NE] = CC_NE, [IR_LT] = CC_L,
                                        [IR_GE] = CC_GE, [IR_LTU] = CC_B, [IR_GEU] = CC_AE};

/* An IR_PUT node: guest register g's canonical place = its value (a value sunk into the
 * exits, IR_F_SINK, is computed here, into rax: it has no register or slot). */
static void ir_put(tctx_t *t, const ir_t *ir, const ir_node_t *n) {
    const ir_node_t *a = &ir->n[n->a];
    if (a->flags & IR_F_SINK) {
        ir_binary(t, ir, n->a);
        x86_store64(&t->b, CPU, OFF_X(n->g), RAX);
        return;
    }
    if (a->reg < 0 && (a->flags & IR_F_INX) && a->g == n->g) return; /* it is there */
    if (a->reg < 0 && a->op == IR_CONST)
        x86_store_imm64(&t->b, CPU, OFF_X(n->g), (uint64_t)a->imm, RAX);
    else
        x86_store64(&t->b, CPU, OFF_X(n->g), ir_in_reg(t, ir, n->a, RAX));
}

/* Whether the branch n, both of whose operands are constants, is taken. */
static bool ir_br_const_taken(const ir_t *ir, const ir_node_t *n) {
    uint64_t x = (uint64_t)ir->n[n->a].imm;
    uint64_t y = (n->flags & IR_F_IMM) ? (uint64_t)n->imm : (uint64_t)ir->n[n->b].imm;
    switch (n->aux) {
    case IR_EQ: return x == y;
    case IR_NE: return x != y;
    case IR_LT: return (int64_t)x < (int64_t)y;
    case IR_GE: return (int64_t)x >= (int64_t)y;
    case IR_LTU: return x < y;
    default: return x >= y;
    }
}

/* The exit puts of branch node i (IR_F_EXIT: the puts just before it), made where the branch
 * is taken, in program order (a value read from a canonical place, IR_F_INX, is read before a
 * later put writes that place). Every value they read is still in its place there: no value
 * is defined between them and the branch. */
static void ir_exit_puts(tctx_t *t, const ir_t *ir, unsigned i) {
    for (unsigned j = ir_first_deferred(ir, i, IR_F_EXIT); j < i; j++)
        if (!(ir->n[j].flags & IR_F_DEAD)) ir_put(t, ir, &ir->n[j]);
}

static void ir_branch(tctx_t *t, irctx_t *c, unsigned i) {
    const ir_t *ir = &c->ir;
    const ir_node_t *n = &ir->n[i];
    /* exit puts before it (dead nodes may stand between: early_puts removes some) */
    bool lazy = ir_first_deferred(ir, i, IR_F_EXIT) != i;
    const ir_node_t *a = &ir->n[n->a];
    add_instret(t, n->idx + 1u);
    uint8_t *field;
    bool bconst = (n->flags & IR_F_IMM) || ir->n[n->b].op == IR_CONST;
    if (a->op == IR_CONST && a->reg < 0 && bconst) { /* decided now */
        if (!ir_br_const_taken(ir, n)) return;
        if (lazy) ir_exit_puts(t, ir, i);
        lazy = false;
        if (c->evict) { /* the map's moves, then the exit */
            ir_evict_moves(t, c, false);
            exit_direct(t, n->target);
            return;
        }
        x86_align(&t->b, 4, 1);
        field = x86_jmp32(&t->b);
    } else {
        ir_opnd_t ob = ir_operand_b(t, ir, n);
        int ra = ir_in_reg(t, ir, n->a, RAX);
        ir_alu(t, true, ALU_CMP, ra, ob);
        if (!lazy && !c->evict) x86_align(&t->b, 4, 2); /* the patched rel32 is aligned */
        field = x86_jcc32(&t->b, ir_x86_cc[n->aux % 6]);
    }
    /* with exit puts or a register map, the stub makes them (and the map's moves) and then
     * leaves through a chainable jump of its own (ir_emit); else the dispatcher patches the
     * jcc itself */
    c->stub_node[t->nstubs] = lazy || c->evict || t->j->count ? (uint16_t)i : IR_NONE;
    stub_t *s = add_stub(t, STUB_CHAIN, field, NULL, n->idx + 1u);
    s->pc = n->target;
    s->src = n->pc;
}

/* An ir_move_t place as an x86 operand: a host register (returned), or memory [*base + *disp]
 * (returns -1): a spill slot, cpu->x, or the frame's scratch slot. */
static int ir_place(int16_t p, int *base, int32_t *disp) {
    if (p < IR_PLACE_SLOT) return p;
    *base = RSP;
    if (p == IR_PLACE_SCRATCH)
        *disp = IR_BIG_B;
    else if (p >= IR_PLACE_X) {
        *base = CPU;
        *disp = OFF_X(p - IR_PLACE_X);
    } else {
        *disp = slot_off(p - IR_PLACE_SLOT);
    }
    return -1;
}

/* The moves of back edge i (ir_loop_moves: the IR_LOOPMOVs as one parallel move), through
 * rax between two memory places. */
static void ir_loop_moves_emit(tctx_t *t, const ir_t *ir, unsigned i) {
    ir_move_t mv[64];
    unsigned n = ir_loop_moves(ir, i, mv);
    x86_buf_t *b = &t->b;
    for (unsigned k = 0; k < n; k++) {
        int db = 0, sb = 0;
        int32_t dd = 0, sd = 0;
        int d = ir_place(mv[k].dst, &db, &dd);
        if (mv[k].konst) {
            if (d >= 0)
                x86_mov_ri(b, d, (uint64_t)mv[k].k);
            else
                x86_store_imm64(b, db, dd, (uint64_t)mv[k].k, RAX);
            continue;
        }
        int s = ir_place(mv[k].src, &sb, &sd);
        if (d >= 0 && s >= 0)
            x86_mov_rr(b, d, s);
        else if (d >= 0)
            x86_load64(b, d, sb, sd);
        else if (s >= 0)
            x86_store64(b, db, dd, s);
        else {
            x86_load64(b, RAX, sb, sd);
            x86_store64(b, db, dd, RAX);
        }
    }
}

/* The back edge i (IR_F_LOOP: a branch, or the final jump, to the loop head): when it is
 * taken, the budget check (the prologue's, which re-entering would have made), then the
 * moves that carry the loop's registers and a jump to the loop head. The check's stub makes
 * the exit puts and leaves for the head's pc, as an ordinary exit would have. */
static void ir_loop_edge(tctx_t *t, irctx_t *c, unsigned i) {
    const ir_t *ir = &c->ir;
    const ir_node_t *n = &ir->n[i];
    x86_buf_t *b = &t->b;
    uint8_t *skip = NULL;
    if (n->op == IR_BR) {
        add_instret(t, n->idx + 1u);
        const ir_node_t *a = &ir->n[n->a];
        bool bconst = (n->flags & IR_F_IMM) || ir->n[n->b].op == IR_CONST;
        if (a->op == IR_CONST && a->reg < 0 && bconst) { /* decided now */
            if (!ir_br_const_taken(ir, n)) return;
        } else { /* not taken: over the loop's way back */
            ir_opnd_t ob = ir_operand_b(t, ir, n);
            int ra = ir_in_reg(t, ir, n->a, RAX);
            ir_alu(t, true, ALU_CMP, ra, ob);
            skip = x86_jcc32(b, (enum x86_cc)(ir_x86_cc[n->aux % 6] ^ 1));
        }
    } else {
        add_instret(t, n->idx);
    }
    x86_alu_rm(b, ALU_CMP, ICNT, CPU, OFF(limit));
    c->stub_node[t->nstubs] = (uint16_t)i;
    stub_t *s = add_stub(t, STUB_CHECK, x86_jcc32(b, CC_AE), NULL, t->counted);
    s->pc = n->target;
    count_edge(t, JIT_EDGE_LOOP, n->pc, n->target); /* --stats: an iteration kept */
    ir_loop_moves_emit(t, ir, i);
    uint8_t *back = x86_jmp32(b);
    if (!b->full && c->loop_top) x86_patch_rel32(back, c->loop_top);
    if (skip && !b->full) x86_patch_rel32(skip, b->p);
}

static void ir_jumpr(tctx_t *t, const irctx_t *c, unsigned i) {
    const ir_t *ir = &c->ir;
    const ir_node_t *n = &ir->n[i];
    x86_buf_t *b = &t->b;
    ir_addr(t, ir, n);
    x86_alu_ri(b, true, ALU_AND, RAX, -2);
    ir_evict_moves(t, c, false); /* every way on leaves the translation */
    add_instret(t, n->idx + 1u);
    if (n->aux == IR_J_CALL) /* every value is dead here: the pool is free */
        ras_push_pc(t, n->pc + n->len, n->idx, R11);
    else if (n->aux == IR_J_RET)
        ras_pop(t);
    emit_fast_probe(t);
    x86_store64(b, CPU, OFF(pc), RAX);
    exit_code(t, JIT_EXIT_LOOKUP, true);
}

static void ir_trap(tctx_t *t, const irctx_t *c, unsigned i) {
    const ir_node_t *n = &c->ir.n[i];
    ir_evict_moves(t, c, false);
    add_instret(t, n->idx);
    set_pc(t, n->pc);
    x86_store_imm64(&t->b, CPU, OFF(cause), n->aux ? RV_CAUSE_BREAKPOINT : RV_CAUSE_ECALL_U, RAX);
    x86_store_imm64(&t->b, CPU, OFF(tval), n->aux ? n->pc : 0, RAX);
    exit_code(t, JIT_EXIT_TRAP, true);
}

/* The entry's check of the loop's head values a fold took as sign-extended (ir->sext_guard,
 * see ir_opt.c): each must be the sign extension of its low 32 bits, else the interpreter
 * runs the loop's first block (the exit of the FS check's stub: nothing has run) and the
 * translation is entered again with what the body wrote there. Made before the register
 * map's moves, so every register is where the old path keeps it; up to four checks share a
 * stub. */
static void ir_sext_guard(tctx_t *t, irctx_t *c) {
    x86_buf_t *b = &t->b;
    stub_t *s = NULL;
    unsigned k = 0;
    for (unsigned g = 1; g < 32; g++) {
        if (!(c->ir.sext_guard >> g & 1)) continue;
        int h = host_of(g);
        if (h >= 0) {
            x86_movsxd_rr(b, RAX, h);
            x86_alu_rr(b, true, ALU_CMP, RAX, h);
        } else {
            x86_op_rm(b, 0, true, X86_OP(0x63), RAX, CPU, X86_NOREG, 1, OFF_X(g), false);
            x86_alu_rm(b, ALU_CMP, RAX, CPU, OFF_X(g));
        }
        uint8_t *field = x86_jcc32(b, CC_NE);
        if (k % 4 == 0) {
            c->stub_node[t->nstubs] = IR_NONE;
            s = add_stub(t, STUB_FS, field, NULL, 0);
        } else if (k % 4 == 1) {
            s->jfield2 = field;
        } else if (k % 4 == 2) {
            s->jfield3 = field;
        } else {
            s->jfield4 = field;
        }
        k++;
    }
}

/* Emit the allocated IR of c as the translation's body and out-of-line code. False when an
 * IR_INSN's emitter declined (the caller starts again on the old path). */
static bool ir_emit(tctx_t *t, irctx_t *c) {
    const ir_t *ir = &c->ir;
    for (unsigned k = 0; k < JIT_MAX_STUBS; k++)
        c->stub_node[k] = IR_NONE;
    ir_pool_masks(c);
    x86_alu_rm(&t->b, ALU_CMP, ICNT, CPU, OFF(limit));
    c->stub_node[t->nstubs] = IR_NONE;
    t->entry_jcc = x86_jcc32(&t->b, CC_AE);
    add_stub(t, STUB_CHECK, t->entry_jcc, NULL, 0);
    if (c->fp) { /* as the old path: FP instructions need mstatus.FS on */
        x86_op_rm(&t->b, 0, false, X86_OP(0x8b), RAX, CPU, X86_NOREG, 1, OFF(mstatus), false);
        x86_alu_ri(&t->b, false, ALU_AND, RAX, (int32_t)RV_MSTATUS_FS);
        x86_alu_ri(&t->b, false, ALU_CMP, RAX, (int32_t)RV_MSTATUS_FS);
        c->stub_node[t->nstubs] = IR_NONE;
        add_stub(t, STUB_FS, x86_jcc32(&t->b, CC_NE), NULL, 0);
    }
    if (ir->sext_guard) ir_sext_guard(t, c);
    ir_evict_moves(t, c, true); /* the register map: after the checks, which leave as is */
    c->loop_top = NULL;
    c->nfix = 0;
    c->fix_full = false;
    c->nwchk = c->nfchk = 0;
    for (unsigned i = 0; i < ir->count && !t->b.full; i++) {
        const ir_node_t *n = &ir->n[i];
        if (ir->loop && i == ir->loop_head) {
            x86_align(&t->b, 16, 0); /* the back edge's target */
            c->loop_top = t->b.p;
            c->nwchk = c->nfchk = 0; /* (the back edge comes here: checks before do not hold) */
        }
        if (n->flags & (IR_F_DEAD | IR_F_SINK)) continue; /* (sunk: made by its exit puts) */
        switch (n->op) {
        case IR_GET:
            if (n->home < 0 && (n->reg >= 0 || n->slot >= 0) && !(n->flags & IR_F_INX)) {
                int r = n->reg >= 0 ? n->reg : RAX;
                x86_load64(&t->b, r, CPU, OFF_X(n->g));
                ir_def(t, ir, i, r);
            }
            break;
        case IR_CONST:
            if (n->reg >= 0) x86_mov_ri(&t->b, n->reg, (uint64_t)n->imm);
            break;
        case IR_COPY:
            if (n->reg >= 0)
                ir_to(t, ir, n->reg, n->a);
            else if (n->slot >= 0)
                ir_def(t, ir, i, ir_in_reg(t, ir, n->a, RAX));
            break;
        case IR_LOAD: ir_load(t, c, i); break;
        case IR_STORE: ir_store(t, c, i); break;
        case IR_PUT:
            /* exit puts: in the branch's stub; memory ones: on the slow path, at a fault */
            if (!(n->flags & (IR_F_EXIT | IR_F_MEMX))) ir_put(t, ir, n);
            break;
        case IR_BR:
            if (n->flags & IR_F_LOOP)
                ir_loop_edge(t, c, i);
            else
                ir_branch(t, c, i);
            break;
        case IR_JUMP:
            if (n->flags & IR_F_LOOP) {
                ir_loop_edge(t, c, i);
                break;
            }
            add_instret(t, n->idx);
            ir_evict_moves(t, c, false);
            t->edge_src = n->pc;
            exit_direct(t, n->target);
            break;
        case IR_LOOPMOV: break; /* made by the back edge */
        case IR_JUMPR: ir_jumpr(t, c, i); break;
        case IR_TRAP: ir_trap(t, c, i); break;
        case IR_FENCE: x86_mfence(&t->b); break;
        case IR_INSN:
            if (!ir_insn(t, c, i)) return false;
            break;
        case IR_RAS: ir_ras(t, c, i); break;
        case IR_MULDIV: ir_muldiv(t, c, i); break;
        default: ir_binary(t, ir, i); break;
        }
    }
    for (unsigned i = 0; i < t->nstubs && !t->b.full; i++) {
        stub_t *s = &t->stubs[i];
        if ((s->kind == STUB_LOAD || s->kind == STUB_STORE) && c->stub_node[i] != IR_NONE) {
            if (s->jfield) x86_patch_rel32(s->jfield, t->b.p);
            if (s->jfield2) x86_patch_rel32(s->jfield2, t->b.p);
            if (s->jfield3) x86_patch_rel32(s->jfield3, t->b.p);
            if (s->jfield4) x86_patch_rel32(s->jfield4, t->b.p);
            ir_mem_stub(t, c, s);
        } else if (s->kind == STUB_CHECK && c->stub_node[i] != IR_NONE) {
            /* a back edge's budget check: its exit puts, then leave for the loop head */
            x86_patch_rel32(s->jfield, t->b.p);
            ir_exit_puts(t, ir, c->stub_node[i]);
            ir_evict_moves(t, c, false);
            set_pc(t, s->pc);
            exit_code(t, JIT_EXIT_LOOKUP, true);
        } else if (s->kind == STUB_CHAIN && c->stub_node[i] != IR_NONE) {
            /* a branch with exit puts or a map: they, then a direct exit of its own */
            x86_patch_rel32(s->jfield, t->b.p);
            ir_exit_puts(t, ir, c->stub_node[i]);
            ir_evict_moves(t, c, false);
            t->edge_kind = JIT_EDGE_BRANCH;
            t->edge_src = s->src;
            exit_direct(t, s->pc);
        } else {
            emit_stub(t, s); /* the emitter table's kinds (chains, checks, returns, ...) */
        }
    }
    return !c->fix_full;
}

/* Whether the path, at conditional branch op (pc; the last instruction of a decoded block),
 * follows the taken side (ir_t.follow_pc): a backward branch whose target is not on the path
 * yet and whose loop (target up to the branch) holds the path's start, so that the path goes
 * round that loop back to its own start - a loop the IR keeps in registers - and leaves it
 * only by the fall-through, its exit. This is the translation that a side exit of the loop's
 * own translation leads to (the other side of an `if` in the loop's body): it would otherwise
 * leave at that back edge every time and enter the loop's translation through its prologue.
 * Only into code that has run (decoded), and while the limits leave room for more blocks. */
static bool ir_follow_back(tctx_t *t, const ir_t *ir, const rv_op_t *op, uint64_t pc,
                           const uint64_t *visited, unsigned nblocks, bool room) {
    if (!room || !(t->j->ir_follow & 1) || ir->loop_pc == 1 || op->id >= RV_I_illegal ||
        rv_insn_table[op->id].cls != RV_CLS_BRANCH || op->imm >= 0)
        return false;
    uint64_t target = pc + (uint64_t)(int64_t)op->imm, start = ir->loop_pc;
    if (!(target < start && start <= pc)) return false;
    for (unsigned v = 0; v < nblocks; v++)
        if (visited[v] == target) return false;
    return rv_icache_peek(t->cpu, target) != NULL;
}

/* One build of the IR of the superblock starting with decoded block blk (see ir_build);
 * `loop`: the second build of a path with a back edge, with the first one's loop facts. The
 * guest registers of c->evict have no home in it. */
static int ir_build_once(tctx_t *t, irctx_t *c, const rv_block_t *blk, unsigned *ninsns, bool loop,
                         uint32_t loop_in, uint32_t loop_dirty, uint32_t loop_flush) {
    rv_cpu_t *cpu = t->cpu;
    ir_t *ir = &c->ir;
    int8_t home[32];
    for (unsigned g = 0; g < 32; g++)
        home[g] = (c->evict >> g & 1) ? -1 : (int8_t)host_of(g);
    ir_begin(ir, home, cpu->trap_hook && cpu->priv == RV_PRIV_U);
    ir->embed = true;
    ir->ras = ras_on(t);
    ir->lazy_exits = true;
    ir->gets_in_place = true;
    ir->lazy_mem = t->j->ir_lazy_mem;
    ir->early_puts = t->j->ir_early;
    ir->value_numbering = t->j->ir_vn;
    ir->sext_loop = t->j->ir_sext_loop;
    ir->sink_exits = t->j->ir_sink;
    ir->low_halves = t->j->ir_lo32;
    /* a branch or jump back to the start is a loop kept in registers (not with chaining
     * off, which would have every jump leave) */
    if (!t->j->no_chain && !t->j->ir_no_loops) ir->loop_pc = blk->pc;
    /* a jalr to a constant (a leaf function's return to a call on the path) goes on there */
    ir->follow_const = (t->j->ir_follow & 2) && !t->j->no_chain;
    if (loop) ir_loop_begin(ir, loop_in, loop_dirty, loop_flush);
    if (!loop) c->follow = 0;
    c->fp = false;
    for (uint32_t i = 0; i < blk->nops; i++)
        if (needs_fs(blk->ops[i].id)) c->fp = true;
    unsigned n = 0, base = 0, nblocks = 1, nmem = 0;
    uint64_t visited[8] = {blk->pc};
    uint64_t followed = 1; /* the target of a followed back edge (1: none yet) */
    const rv_block_t *cb = blk;
    t->j->nsb = 0; /* the decoded blocks this build takes code from (jit.c, note_use) */
    t->took_taken = false;
    for (;;) {
        bool ends = false;
        uint64_t cont = 1;
        for (uint32_t i = 0; i < cb->nops && !ends; i++) {
            const rv_op_t *op = &cb->ops[i];
            unsigned k = ir->ninsn;
            bool room = base + i + 1 < JIT_SB_INSNS && nblocks < 8 &&
                        nmem + 1 + RV_BLOCK_MAX <= JIT_MAX_FAULTPTS;
            uint64_t opc = cb->pc + op->off;
            bool follow = false;
            if (i + 1 == cb->nops) { /* the end of the path's nblocks-th block (at most 8) */
                /* a loop's second build takes the first one's choice: the same path */
                if (!loop && ir_follow_back(t, ir, op, opc, visited, nblocks, room))
                    c->follow |= 1u << (nblocks - 1);
                follow = c->follow >> (nblocks - 1) & 1;
            }
            ir->follow_pc = follow ? opc : 1;
            /* else the taken side of a branch whose fall-through side never ran */
            if (!follow && op->id < RV_I_illegal && rv_insn_table[op->id].cls == RV_CLS_BRANCH) {
                ir->follow_taken = follow_taken(t, opc + (uint64_t)(int64_t)op->imm, opc + op->len,
                                                visited, nblocks);
                t->took_taken |= ir->follow_taken;
            }
            if (!ir_add(ir, op, cb->pc + op->off, base + i, &ends, &cont) || ir->overflow) return 0;
            if (ir->follow_pc != 1) followed = cont;
            if (ir->ninsn != k) c->insn_blk[k] = cb;
            unsigned cls = op->id < RV_I_illegal ? rv_insn_table[op->id].cls : RV_CLS_PSEUDO;
            /* a stub and a fault point each at most (an IR_INSN: a stub, a fault point and a
             * helper's op copy at most) */
            if (cls == RV_CLS_LOAD || cls == RV_CLS_STORE || cls == RV_CLS_BRANCH ||
                ir->ninsn != k || op->id == RV_I_jal || op->id == RV_I_jalr)
                nmem++;
            n = base + (op->id == RV_I_fallthrough ? i : i + 1);
        }
        if (!ends) return 0;
        if (cont == 1) break; /* the last instruction left by itself */
        bool extend = n < JIT_SB_INSNS && nblocks < 8 && nmem + RV_BLOCK_MAX <= JIT_MAX_FAULTPTS &&
                      nmem + 2 * RV_BLOCK_MAX + 4 <= JIT_MAX_STUBS &&
                      ir->ninsn + RV_BLOCK_MAX <= JIT_MAX_HELPERS &&
                      ir->ninsn + RV_BLOCK_MAX <= IR_MAX_INSN && !t->j->no_chain;
        /* no unrolling of loops; but once the path followed a back edge round a loop to its
         * start, the blocks of that loop other than its head and the start may come again
         * (the other side of an `if` joins the side the path took: the copy leaves at the
         * loop's back edge, or goes on at its exit, instead of leaving at the join) */
        for (unsigned v = 0; v < nblocks && extend; v++)
            if (visited[v] == cont && (followed == 1 || cont == followed || cont == blk->pc))
                extend = false;
        /* only into code that has run (is decoded), as the old path: a side never taken is
         * cold, and what the path follows must not change between the builds of a loop */
        rv_block_t *nb = extend ? rv_icache_peek(cpu, cont) : NULL;
        if (!nb) extend = false;
        if (extend) {
            for (uint32_t i = 0; i < nb->nops && extend; i++)
                if (needs_fs(nb->ops[i].id) && !c->fp) extend = false; /* no FS check made */
            if (nb->ops[0].id == RV_I_fetch_fault) extend = false;
            if (extend) {
                cb = nb;
                visited[nblocks++] = cont;
                t->j->sb[t->j->nsb++] = nb;
                base = n;
                continue;
            }
        }
        ir_end_jump(ir, cont, n);
        break;
    }
    *ninsns = n;
    return ir->overflow ? 0 : 1;
}

/* Build the IR of the superblock starting with decoded block blk (the path the old
 * translator takes: only into decoded code, so nothing is decoded, nor the caches flushed,
 * meanwhile). Returns 1 when built, 0 when some instruction is not covered. *ninsns: its
 * length. A
 * path with a back edge to its start is built twice: the first build finds which registers
 * the loop head must hold, the second keeps the loop in registers; when the second cannot
 * (it overflows), the first one's IR is built again and leaves at the back edge. */
static int ir_build(tctx_t *t, irctx_t *c, const rv_block_t *blk, unsigned *ninsns) {
    int r = ir_build_once(t, c, blk, ninsns, false, 0, 0, 0);
    if (r <= 0 || !c->ir.loop_seen) return r;
    uint32_t in = c->ir.loop_in, dirty = c->ir.loop_dirty, flush = c->ir.loop_flush;
    r = ir_build_once(t, c, blk, ninsns, true, in, dirty, flush);
    if (r != 0) return r;
    return ir_build_once(t, c, blk, ninsns, false, 0, 0, 0);
}

/* Abort on a malformed IR (Debug builds check every translation). */
static void ir_check(const ir_t *ir, bool allocated, uint64_t pc) {
#ifndef NDEBUG
    const char *why = ir_verify(ir, allocated);
    if (why) {
        fprintf(stderr, "vm: jit: IR of the block at 0x%llx is malformed (%s):\n",
                (unsigned long long)pc, why);
        ir_print(ir, stderr);
        abort();
    }
#else
    (void)ir;
    (void)allocated;
    (void)pc;
#endif
}

/* Translate blk through the IR. Returns false when the IR does not cover the superblock
 * (nothing was emitted: the old path goes on); else true with *out the block, or NULL when
 * the cache is full (the dispatcher starts again). */
static bool ir_translate(tctx_t *t, const rv_block_t *blk, jit_block_t **out) {
    jit_t *j = t->j;
    *out = NULL;
    if (t->cpu->xlate) return false; /* the inline-TLB lowering is not written yet */
    t->in_ir = true;
    /* the scratch state (about 110 KiB) is kept by the hart: a malloc and free of it for each
     * translation grew and trimmed the heap's top every time (page faults, TLB flushes) */
    if (!j->ir_scratch) j->ir_scratch = malloc(sizeof(irctx_t));
    irctx_t *c = j->ir_scratch;
    if (!c) return false;
    ir_t *ir = &c->ir;
    unsigned n = 0;
    bool map_tried = false;
    c->evict = 0;
    for (;;) {
        /* the pool: the base one, and the host registers of the map's evicted registers */
        c->npool = 0;
        for (unsigned k = 0; k < sizeof(ir_pool); k++)
            c->pool[c->npool++] = ir_pool[k];
        for (unsigned g = 1; g < 32; g++)
            if (c->evict >> g & 1) c->pool[c->npool++] = (int8_t)host_of(g);
        bool ok = ir_build(t, c, blk, &n) > 0;
        if (ok) {
            ir_check(ir, false, blk->pc);
            if (j->dump) {
                fprintf(stderr, "jit: IR of 0x%llx before optimisation:\n",
                        (unsigned long long)blk->pc);
                ir_print(ir, stderr);
            }
            ir_optimise(ir);
            ir_check(ir, false, blk->pc);
            ok = ir_regalloc(ir, c->pool, c->npool, IR_SPILL_SLOTS);
        }
        if (!ok && c->evict) { /* the map made it too large: without one */
            c->evict = 0;
            continue;
        }
        if (!ok) {
            j->stats.ir_declined++;
            return false;
        }
        /* values spilled: a map of its own may give the allocator more registers */
        if (!map_tried && ir->spills && j->ir_map) {
            map_tried = true;
            c->evict = ir_map_candidates(ir, j->ir_map);
            if (c->evict) continue;
        }
        break;
    }
    ir_check(ir, true, blk->pc);
    if (j->dump) {
        fprintf(stderr, "jit: IR of 0x%llx after optimisation and allocation",
                (unsigned long long)blk->pc);
        if (c->evict) {
            fprintf(stderr, " (register map: pinned");
            for (unsigned g = 1; g < 32; g++)
                if (c->evict >> g & 1) fprintf(stderr, " x%u", g);
            fprintf(stderr, " in the pool)");
        }
        fprintf(stderr, ":\n");
        ir_print(ir, stderr);
    }
    if (!ir_emit(t, c)) { /* start again: the old path translates the block */
        t->b.p = t->start;
        t->b.full = false;
        t->blk = blk;
        t->counted = 0;
        t->nstubs = t->nfaults = t->helper_calls = t->nops_copied = t->ncopy_fix = 0;
        j->stats.ir_declined++;
        return false;
    }
    if (t->b.full) {
        return true;
    }
    jit_block_t *jb = (jit_block_t *)(j->meta + j->meta_used);
    jb->pc = t->sb_pc;
    jb->code = j->rx + (t->start - j->rw);
    jb->code_len = (uint32_t)(t->b.p - t->start);
    jb->ninsns = n;
    jb->nfault = t->nfaults;
    jb->hnext = NULL;
    jb->head = blk;
    jb->xmode = false;
    jb->check2 = false;
    jb->evicted = c->evict;
    jb->ir = true;
    jb->irloop = ir->loop;
    jb->tier_len = 0;
    jb->tier_off = 0;
    jb->tier_left = 0;
    jb->tier_ctr = NULL;
    jb->dead = false;
    jb->check_off = (uint32_t)(t->entry_exit - t->start);
    jb->in = NULL;
    memcpy(jb->faults, t->faults, t->nfaults * sizeof(jit_faultpt_t));
    j->meta_used += (sizeof(jit_block_t) + t->nfaults * sizeof(jit_faultpt_t) + 15) & ~(size_t)15;
    jit_fix_t *fix = (jit_fix_t *)(j->meta + j->meta_used); /* the fault points' side table */
    memcpy(fix, c->fix, c->nfix * sizeof(jit_fix_t));
    jb->fix = fix;
    j->meta_used += (c->nfix * sizeof(jit_fix_t) + 15) & ~(size_t)15;
    /* the embedded helpers' ops after the metadata, their addresses into the code (as the
     * old path does) */
    rv_op_t *ops = (rv_op_t *)(j->meta + j->meta_used);
    memcpy(ops, t->ops_copy, t->nops_copied * sizeof(rv_op_t));
    j->meta_used += t->nops_copied * sizeof(rv_op_t);
    for (unsigned i = 0; i < t->ncopy_fix; i++) {
        uint64_t k, a;
        memcpy(&k, t->copy_fix[i], 8);
        a = (uint64_t)(uintptr_t)&ops[k];
        memcpy(t->copy_fix[i], &a, 8);
    }
    j->used = (size_t)(t->b.p - j->rw);
    j->stats.blocks++;
    j->stats.guest_insns += n;
    j->stats.host_bytes += jb->code_len;
    j->stats.helper_calls_tr += t->helper_calls;
    j->stats.ir_blocks++;
    j->stats.ir_insns += n;
    j->stats.ir_spills += ir->spills;
    j->stats.ir_copies += ir->copies;
    j->stats.ir_merged += ir->merged;
    j->stats.ir_sunk += ir->sunk;
    if (ir->sext_guard) {
        j->stats.ir_sext_loops++;
        j->stats.ir_sext_regs += (unsigned)__builtin_popcount(ir->sext_guard);
    }
    if (ir->loop) j->stats.ir_loops++;
    j->stats.sb_taken += t->took_taken;
    if (c->evict) {
        j->stats.ir_mapped++;
        j->stats.ir_evicted += (unsigned)__builtin_popcount(c->evict);
    }
    *out = jb;
    return true;
}
