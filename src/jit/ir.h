/* ir.h - the JIT's intermediate representation of one superblock, its optimiser and its
 * register allocator (machine independent; a backend lowers it, see x86_64/ir_lower.c).
 *
 * A superblock's guest instructions become a list of nodes in SSA form: every node that
 * produces a value is that value (its index), defined once, used by later nodes only. Guest
 * registers are not memory here but names for values: the builder keeps, for each guest
 * register, the value it holds now, so `mv a7, a3` makes no node at all and a value read
 * twice is loaded once. Guest state is touched only explicitly:
 *   - IR_GET reads a guest register from its canonical place the first time the superblock
 *     reads it;
 *   - IR_PUT writes one back, and the builder puts every guest register written since the
 *     last such point before each node that can fault or leave (loads, stores, branches,
 *     exits): at those nodes the guest state is exactly the interpreter's (the state rule).
 *     With `lazy_exits`, a forward branch's puts are exit puts (IR_F_EXIT): the backend makes
 *     them in the branch's exit stub, only when it is taken, and the registers stay to be
 *     written back on the fall-through path at the next such point (a superblock follows the
 *     fall-through side, so its side exits are the rare ones).
 * An instruction the IR does not model can still be on the path when the backend can emit it
 * alone (`embed`): it becomes an IR_INSN node, with the state made canonical before it (as
 * before any point that can fault) and its integer rd read again afterwards.
 * A loop whose back edge (a branch or the final jump) goes to the path's own start can stay
 * inside the translation: the path is built twice, the first time to learn which registers
 * the loop head must hold (read before written, or dirty at the back edge), the second with
 * a get of each of them first (the loop head), the body after it with the dirty ones still
 * dirty, and before the back edge (IR_F_LOOP) an IR_LOOPMOV per head register whose value
 * changed: the head's get takes the new value for the next iteration. The allocator keeps
 * every head get live through the back edge, so loop-carried values stay in their registers
 * and slots; the backend makes the moves as one parallel move (ir_loop_moves) and its budget
 * check on the back edge, whose exit makes the back edge's exit puts.
 * A backend may keep some guest registers in fixed host registers across all translated code
 * (x86-64 pins eight); those are "homes": a value written to such a register is computed
 * straight into its home (write-through), so they need no IR_PUT, and the allocator keeps
 * the home holding the register's current value at every point.
 * A register a loop's body writes without reading it first (a temporary) is not carried
 * from one iteration to the next: the back edge writes it back in line when the body can
 * observe it before writing it again, else only on its taken exit (ir_loop_begin).
 *
 * The optimiser (ir_opt.c) folds constants (whole nodes, and second operands into immediate
 * forms), turns `addi x, y, 0` and sign extensions of values that are already sign-extended
 * into copies, merges pure nodes that compute the same value (value numbering), drops copies,
 * and removes dead values. The allocator (ir_regalloc.c) computes
 * each value's live interval and assigns the values that are not in a home a register of the
 * backend's pool by linear scan, or a spill slot when more values are live than the pool has
 * registers. ir_verify checks the structure and the allocation (run on every translation in
 * Debug builds).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "riscv/decode.h"

#define IR_MAX_NODES 2048u   /* nodes of one superblock at most (else it is not translated) */
#define IR_NONE      0xffffu /* no value */
#define IR_MAX_POOL  16u     /* allocatable registers a backend may offer */

/* Node kinds. */
enum ir_op {
    IR_GET,     /* value = guest register g, read from its canonical place */
    IR_CONST,   /* value = imm */
    IR_COPY,    /* value = a */
    IR_ADD,     /* value = a + b (or a + imm with IR_F_IMM); IR_F_W: 32-bit, sign-extended */
    IR_SUB,     /* value = a - b */
    IR_AND,     /* value = a & b */
    IR_OR,      /* value = a | b */
    IR_XOR,     /* value = a ^ b */
    IR_SHL,     /* value = a << (b & 63), W forms: 31 */
    IR_SHR,     /* logical shift right */
    IR_SAR,     /* arithmetic shift right */
    IR_SLT,     /* value = (int64)a < (int64)b */
    IR_SLTU,    /* value = a < b, unsigned */
    IR_MUL,     /* value = low 64 (W: 32) bits of a * b */
    IR_MULDIV,  /* value = a OP b for M's other operations, OP = aux (enum ir_md), with RISC-V's
                   results for division by zero and overflow; IR_F_W: the 32-bit divisions
                   (operands' low 32 bits, result sign-extended); never an immediate */
    IR_ROR,     /* value = a rotated right by imm (W: the low 32 bits, sign-extended); imm only */
    IR_INSN,    /* guest instruction insn[imm] emitted by the backend's own code for it (an
                   instruction the IR does not model): reads and writes guest state in its
                   canonical places, may fault or call out; its value is the new content of its
                   integer rd's home when rd has one */
    IR_LOAD,    /* value = memory[a + imm], aux = width | signed << 4; can fault */
    IR_STORE,   /* memory[a + imm] = b (width in aux); can fault */
    IR_PUT,     /* guest register g = a (canonical place); IR_F_EXIT, IR_F_MEMX: deferred;
                   imm: the first node index from which g holds a (as built) */
    IR_BR,      /* if (a cc b) leave for `target` (aux = enum ir_cc; b or imm) */
    IR_JUMP,    /* leave for `target` */
    IR_JUMPR,   /* leave for (a + imm) & ~1 */
    IR_TRAP,    /* leave with a trap: aux 0 ecall, 1 ebreak */
    IR_FENCE,   /* memory fence */
    IR_RAS,     /* a call: push the return pc (pc + len) on the return-address stack */
    IR_LOOPMOV, /* on the taken side of the loop's back edge (the IR_F_LOOP node after it),
                   loop-head value b (a head IR_GET) takes value a for the next iteration */
    IR_NOPS
};

/* IR_MULDIV's operations (aux). */
enum ir_md {
    IR_MD_MULH,   /* high 64 bits of signed a * signed b */
    IR_MD_MULHSU, /* high 64 bits of signed a * unsigned b */
    IR_MD_MULHU,  /* high 64 bits of unsigned a * unsigned b */
    IR_MD_DIV,    /* signed quotient: a / 0 = -1, MIN / -1 = MIN */
    IR_MD_DIVU,   /* unsigned quotient: a / 0 = all ones */
    IR_MD_REM,    /* signed remainder: a % 0 = a, MIN % -1 = 0 */
    IR_MD_REMU,   /* unsigned remainder: a % 0 = a */
};

/* RISC-V's result of IR_MULDIV operation `md` (enum ir_md; w: the 32-bit form) on a and b:
 * what the optimiser folds constants with and what tests check the backends against. */
int64_t ir_muldiv_eval(unsigned md, bool w, uint64_t a, uint64_t b);

/* Conditions of IR_BR. */
enum ir_cc { IR_EQ, IR_NE, IR_LT, IR_GE, IR_LTU, IR_GEU };

/* Node flags. */
enum {
    IR_F_W = 1,      /* 32-bit operation, result sign-extended to 64 */
    IR_F_IMM = 2,    /* the second operand is imm, not b */
    IR_F_DEAD = 4,   /* removed by the optimiser */
    IR_F_INX = 8,    /* a spilled IR_GET read from its guest register's canonical place, which
                        nothing writes while it lives (its slot is never stored) */
    IR_F_EXIT = 16,  /* an IR_PUT made only on the taken side of the IR_BR that follows (in its
                        exit stub), not on the fall-through path */
    IR_F_LOOP = 32,  /* an IR_BR or IR_JUMP to the loop head (the translation's start): taken, it
                        makes the IR_LOOPMOVs before it and goes on at the loop head, or, when the
                        run budget is used up or an interrupt is pending, makes its exit puts and
                        leaves for its target */
    IR_F_MEMX = 64,  /* an IR_PUT deferred to the load or store that follows: made on its slow
                        path only, and by the host-fault handler from the fault point's side
                        table; the register stays dirty on the inline path */
    IR_F_SINK = 128, /* a value only write-backs on the way out read (exit puts; in a loop,
                        the puts after its back edge), computed by each of them from operands
                        still in place there, never in line (ir_regalloc, `sink_exits`) */
};

/* IR_JUMPR's aux: what the return-address stack does (the calling convention's hint). */
enum { IR_J_CALL = 1, IR_J_RET = 2 };

#define IR_MAX_INSN 192u /* IR_INSN nodes of one superblock at most */

/* One node; its index is the value it defines. */
typedef struct ir_node {
    uint8_t op;      /* enum ir_op */
    uint8_t flags;   /* IR_F_* */
    uint8_t aux;     /* condition, access width and sign, trap kind */
    uint8_t g;       /* guest register: of IR_GET/IR_PUT; of a value computed into a home */
    uint16_t a, b;   /* operands (values) or IR_NONE */
    int8_t home;     /* host register this value must live in (a home), or -1 */
    int8_t reg;      /* allocated host register, or -1 (spilled, constant or unused) */
    int16_t slot;    /* spill slot, or -1 */
    uint16_t last;   /* index of its last use (its own index when unused) */
    uint16_t rlast;  /* its last read: `last`, except for a loop head's get, which lives
                        through the back edge after it (the back edge's move into it is no
                        read) */
    uint8_t len;     /* length of the guest instruction (memory, exits) */
    uint8_t lo32;    /* a 32-bit (W) result only whose low half anything reads: the backend
                        may leave its upper half as the host's 32-bit operation does (zero)
                        instead of sign-extending it (ir_optimise, `low_halves`) */
    uint16_t idx;    /* instructions of the path before it (instret at faults and exits) */
    int64_t imm;     /* constant, immediate operand or displacement */
    uint64_t pc;     /* guest pc of its instruction */
    uint64_t target; /* IR_BR, IR_JUMP: guest pc to leave for */
} ir_node_t;

/* A superblock's IR and the builder's state. */
typedef struct ir {
    ir_node_t n[IR_MAX_NODES]; /* nodes in program order */
    unsigned count;            /* nodes in use */
    bool overflow;             /* more than IR_MAX_NODES: not translatable */
    int8_t home[32];           /* guest register -> its home host register, or -1 */
    bool user_traps;           /* ecall/ebreak may leave as traps (user mode) */
    bool embed;                /* the backend emits other instructions itself (IR_INSN) */
    bool ras;                  /* calls push, returns pop the return-address stack */
    bool lazy_exits;           /* a forward branch writes back only on its taken side */
    bool follow_taken;         /* set by the builder's caller before a conditional branch: the
                                  path goes on at its target, and the branch leaves (to its
                                  fall-through pc) when it is not taken */
    bool gets_in_place;        /* the allocator leaves gets read at most twice in cpu->x */
    bool lazy_mem;             /* a load or store defers its write-backs (IR_F_MEMX) */
    bool early_puts;           /* the allocator moves an in-line put up to just after its
                                  value's last other use (ir_regalloc) */
    bool value_numbering;      /* the optimiser merges pure nodes that compute one value */
    bool sink_exits;           /* the allocator sinks values only exit puts read into the
                                  exit stubs (IR_F_SINK) */
    bool low_halves;           /* the optimiser marks W results only whose low half is read
                                  (ir_node_t.lo32) */
    bool sext_loop;            /* the optimiser may take a loop's head values as sign-extended
                                  when the back edge leaves them so, and the backend checks
                                  the entry's (sext_guard) */
    uint64_t loop_pc;          /* a branch or jump here is a back edge (1: none): the path's
                                  start, set by a backend that translates loops as loops */
    uint64_t follow_pc;        /* the conditional branch at this pc is built inverted (1:
                                  none): it leaves for its fall-through, and the path goes
                                  on at its target (*cont), so that a path can follow a
                                  loop's back edge round to its own start (the backend's
                                  choice, before it adds the branch) */
    bool follow_const;         /* a jalr whose base register holds a constant of the path
                                  (the link value of a `jal ra` on it, an auipc) jumps to a
                                  known target: the path goes on there (*cont) as after a
                                  jal, and a return to the newest push of the path drops
                                  that push (the call and its return are both inside) */
    uint16_t ras_push[8];      /* builder: the path's pushes not returned to yet (newest
                                  last; older ones are forgotten past eight) */
    unsigned nras_push;        /* entries of ras_push[] */
    bool loop;                 /* this build keeps the loop in registers (ir_loop_begin) */
    bool loop_seen;            /* a back edge to loop_pc was built (its facts below) */
    bool loop_done;            /* the back edge was built: later ones leave as usual */
    uint32_t loop_in;          /* registers the loop head must hold (read before written in
                                  the body; no homes) */
    uint32_t loop_dirty;       /* registers without a home dirty at the back edge */
    uint32_t loop_flush;       /* of those, the ones the head does not hold that the body can
                                  observe before writing them: written back in line at the
                                  back edge (the others only by its exit puts) */
    uint32_t loop_lost;        /* second build, in the body: registers whose value the back
                                  edge did not keep (dirty there, neither held nor flushed),
                                  not written yet; an observation point with one is an error */
    bool obs_seen;             /* first build: an observation point was built (obs_first) */
    uint32_t obs_first;        /* registers without a home not yet written at the first point
                                  that can observe the guest state (a write-back point) */
    unsigned loop_head;        /* first node of the loop body (the head's gets precede it) */
    uint16_t loop_get[32];     /* the head's get of each register in loop_in, or IR_NONE */
    rv_op_t insn[IR_MAX_INSN]; /* the instructions of IR_INSN nodes (copies) */
    unsigned ninsn;            /* entries of insn[] */
    /* builder */
    uint16_t cur[32];    /* value each guest register holds now, or IR_NONE (not read yet) */
    uint16_t since[32];  /* node index from which guest register g holds cur[g]: an IR_PUT
                            of it records this in its imm (the earliest place it may go) */
    uint32_t dirty;      /* guest registers without a home written since the last IR_PUTs */
    uint16_t zero;       /* the constant 0 (x0), or IR_NONE */
    uint32_t read_first; /* registers without a home read before any write on the path */
    uint32_t written;    /* registers without a home written on the path (also by IR_INSN) */
    /* optimiser results */
    uint16_t head_val[32]; /* a loop's head value of each register (its head get, or for a
                              register with a home its first read in the body), or IR_NONE */
    uint32_t sext_head;    /* registers whose head value is sign-extended in every iteration
                              but the first (their back-edge values are) */
    uint32_t sext_guard;   /* of those, the ones a fold relied on: the backend checks at the
                              translation's entry that each holds a sign-extended value, and
                              leaves for the interpreter when one does not */
    /* allocation results */
    unsigned pool_n;          /* registers of the pool */
    int8_t pool[IR_MAX_POOL]; /* the pool */
    unsigned slots;           /* spill slots used */
    unsigned spills;          /* values given a spill slot */
    unsigned copies;          /* copies inserted to keep homes current */
    unsigned merged;          /* nodes value numbering made copies (ir_optimise) */
    unsigned sunk;            /* values sunk into their exits (IR_F_SINK) */
} ir_t;

/* Start building a superblock: `home` maps guest registers to their homes (-1: none). A
 * backend sets `embed` and `ras` afterwards when it has what they need. */
void ir_begin(ir_t *ir, const int8_t home[32], bool user_traps);

/* Add guest instruction `op` at `pc`, index `idx` of the path. Returns false when the IR
 * does not cover it (nothing was added). Sets *ends when the instruction ends the path:
 * *cont is then where a direct continuation goes (jal; a conditional branch's fall-through),
 * or 1 when the instruction left by itself (jalr, ecall). */
bool ir_add(ir_t *ir, const rv_op_t *op, uint64_t pc, unsigned idx, bool *ends, uint64_t *cont);

/* Whether ir_add covers instruction id (without adding it) with nodes of its own. */
bool ir_covers(unsigned id, bool user_traps);

/* Whether instruction id can be an IR_INSN (a backend with `embed` emits it in line): one
 * that neither ends a decoded block nor changes control flow. */
bool ir_embeddable(unsigned id);

/* Start the second build of a path whose first build (with loop_pc set) saw a back edge
 * (loop_seen): call after ir_begin and the backend's settings, with the first build's
 * loop_in, loop_dirty and loop_flush. The head's gets (of loop_in) come first, then the loop
 * body; at the back edge the builder writes back in line the registers of `flush`, adds the
 * IR_LOOPMOVs that carry each head register's value to its head get, and the exit puts of
 * every other dirty register. The held registers dirty there stay dirty across the back
 * edge; the others are not carried at all: a register dirty at the back edge that the body
 * neither reads first nor can observe before writing it again needs no place in the head
 * (a temporary of the loop body). */
void ir_loop_begin(ir_t *ir, uint32_t in, uint32_t dirty, uint32_t flush);

/* End the path with a direct jump to `target` after `idx` instructions. */
void ir_end_jump(ir_t *ir, uint64_t target, unsigned idx);

/* Which guest registers with a home a register map takes (ir_map_candidates). */
enum ir_map_policy {
    IR_MAP_NONE,      /* none */
    IR_MAP_UNTOUCHED, /* those the path neither reads nor writes */
    IR_MAP_UNWRITTEN, /* those it does not write */
    IR_MAP_ALL,       /* all of them */
    IR_MAP_LOOPS,     /* all of them in a translation that keeps a loop (its body then has
                         the whole pool, the homes chosen by the allocator), else those it
                         does not write */
};

/* After optimisation and allocation: the guest registers with a home that the IR does not
 * write (in a loop: that the loop does not write), or does not touch at all (policy), also
 * through its embedded instructions. A backend may
 * give their homes to the allocator in another build of the same path (a register map of its
 * own: those registers then have no home there, and the backend keeps them in their canonical
 * place from the translation's entry to its exits). A register the path writes keeps its
 * home unless the policy is IR_MAP_ALL: without one it costs a write-back at every point that
 * can fault or leave; one only read costs a get, one untouched nothing. */
uint32_t ir_map_candidates(const ir_t *ir, unsigned policy);

/* Optimise in place (constant and copy propagation, extension folding, immediates, value
 * numbering when `value_numbering` is set, dead values). */
void ir_optimise(ir_t *ir);

/* Allocate: every live value without a home gets one of the `n` registers of `pool` or a
 * spill slot (at most max_slots). Returns false when the slots do not suffice. May insert
 * copies (a value whose home is overwritten while it is still used). */
bool ir_regalloc(ir_t *ir, const int8_t *pool, unsigned n, unsigned max_slots);

/* Places of a back edge's moves (IR_LOOPMOV): a host register r is r, spill slot s is
 * IR_PLACE_SLOT + s, guest register g's canonical place (a get read in place) is
 * IR_PLACE_X + g, and IR_PLACE_SCRATCH one scratch place of the backend's. */
#define IR_PLACE_SLOT    256
#define IR_PLACE_X       512
#define IR_PLACE_SCRATCH 1023

/* One step of a back edge's moves: place dst = place src, or the constant k (konst). */
typedef struct ir_move {
    int16_t dst, src; /* places */
    bool konst;       /* src is the constant k */
    int64_t k;        /* the constant */
} ir_move_t;

/* The IR_LOOPMOVs before back edge `edge` (after ir_regalloc) as a sequence of moves that
 * has the effect of making them all at once: every carried value is read before the head
 * place it lives in is written (a cycle, such as rotated variables, goes through the scratch
 * place). Writes at most 64 steps to out[]; returns their number. */
unsigned ir_loop_moves(const ir_t *ir, unsigned edge, ir_move_t out[64]);

/* Whether value v, if it is in a home, is still there up to node `to`: nothing between them
 * writes that home again (a value in the same home other than a get, an embedded
 * instruction writing its guest register). True for a value without a home. */
bool ir_home_kept(const ir_t *ir, unsigned v, unsigned to);

/* Check the structure (and, after ir_regalloc, the allocation). Returns NULL when the IR is
 * well formed, else a description of the first problem. */
const char *ir_verify(const ir_t *ir, bool allocated);

/* Print the nodes (with their allocation when done) to `out`. */
void ir_print(const ir_t *ir, FILE *out);

/* Name of a node kind (for dumps and tests). */
const char *ir_op_name(unsigned op);

/* Whether node kind `op` produces a value. */
static inline bool ir_has_value(unsigned op) {
    return op <= IR_LOAD;
}
