/* dispatch.S - a bytecode interpreter's dispatch, as the JIT translates it: handlers that end
 * in `beqz flag, dispatch` (the fall-through side, a "hook" path, runs only while the flag is
 * set), one dispatch block that loads the next bytecode and jumps through a table of handler
 * addresses (`jr`, not a call or a return: the fast table). While the hook path has never
 * run, a superblock follows the taken side of those branches and takes the dispatch block and
 * its indirect jump into each handler's translation; the branch then leaves, on the inverse
 * condition, when it falls through. The cases run the same interpreter over:
 *   2: a hot loop whose hook path never runs (every handler's branch followed on its taken
 *      side): 3000 x (+5, -2) = 9000;
 *   3: the same handlers with the flag set before each `add` (the hook path runs 3000 times,
 *      out of translations made when it had never run): a0 = 3000 x (1 + 2) = 9000, s6 = 3000;
 *   4: a handler whose code is rewritten (store, fence.i) after it ran hot: 1000 x 7, then
 *      1000 x 100 more: 107000;
 *   5: a table entry changed between runs (the indirect jump's target): +10 x 1000, then -10
 *      x 1000 (0), then the entry with bit 0 set, which jalr clears: +10 x 1000 = 10000;
 *   6: a target 2 bytes into a handler (after its first compressed instruction): 1000 x (1 +
 *      2), then 1000 x 2: 5000;
 *   7: a target outside RAM, hot (100 rounds): an instruction access fault at the target
 *      each time (mcause 1, mtval the target), resumed by a handler of the test: 100 faults.
 * Every engine runs it, and --engine=lockstep compares the JIT's state with the
 * interpreter's at every block boundary. */
#include "test.h"

/* addi rd, rs1, imm as a word */
#define ADDI(rd, rs1, imm) ((((imm) & 0xfff) << 20) | ((rs1) << 15) | ((rd) << 7) | 0x13)
/* a bytecode: opcode (bits 0..2) and operand (bits 8..) */
#define BC(op, arg) ((op) | ((arg) << 8))
#define OP_ADD 0
#define OP_SUB 1
#define OP_LOOP 2
#define OP_END 3
#define OP_FLAG 4
#define OP_SMC 5
#define OP_VAR 7
#define VAR_OFF 56 /* table[OP_VAR] */

/* Run the bytecode at `prog` with s4 = `count` rounds of its loop; a0 accumulates. */
#define RUN(prog, count) la s7, prog; li s4, count; call interp

RVTEST_BEGIN
    la s2, table
    li s9, 0
    li s6, 0

    TEST_CASE(2, a0, 9000, li a0, 0; RUN(prog_addsub, 3000))
    TEST_CASE(3, a0, 9000, li a0, 0; RUN(prog_flag, 3000))
    CHECK(s6, 3000)

    /* 4: h_smc's first instruction becomes "addi a0, a0, 100" */
    TEST_CASE(4, a0, 107000, li a0, 0; RUN(prog_smc, 1000);
              la t0, h_smc; li t1, ADDI(10, 10, 100); sw t1, 0(t0); fence.i;
              RUN(prog_smc, 1000))

    /* 5: table[OP_VAR] = h_add, h_sub, then h_add | 1 */
    TEST_CASE(5, a0, 10000, li a0, 0; la t0, h_add; sd t0, VAR_OFF(s2); RUN(prog_var, 1000);
              li t1, 10000; bne a0, t1, fail;
              la t0, h_sub; sd t0, VAR_OFF(s2); RUN(prog_var, 1000);
              bnez a0, fail;
              la t0, h_add; ori t0, t0, 1; sd t0, VAR_OFF(s2); RUN(prog_var, 1000))

    /* 6: table[OP_VAR] = h_mid (+1 +2), then h_mid + 2 (+2) */
    TEST_CASE(6, a0, 5000, li a0, 0; la t0, h_mid; sd t0, VAR_OFF(s2); RUN(prog_var, 1000);
              li t1, 3000; bne a0, t1, fail;
              la t0, h_mid; addi t0, t0, 2; sd t0, VAR_OFF(s2); RUN(prog_var, 1000))

    /* 7: table[OP_VAR] = 0x40000000 (no memory there); the fault resumes at 3: */
    TEST_CASE(7, s10, 100, la t0, fetch_trap; csrw mtvec, t0; li s10, 0;
              li t0, 0x40000000; sd t0, VAR_OFF(s2); li s11, 100;
              3: la s5, 4f; li t3, 0; li t4, 0; RUN(prog_var, 1);
              j fail;
              4: li t0, 1; bne t3, t0, fail; li t0, 0x40000000; bne t4, t0, fail;
              addi s10, s10, 1; addi s11, s11, -1; bnez s11, 3b;
              la t0, rvtest_trap; csrw mtvec, t0)
    j pass

/* The interpreter: s7 the bytecode pointer, s0 the bytecode, s2 the handler table, s9 the
 * flag (its handler's next handler takes the hook path), s6 the hook runs, s4 the loop
 * counter, a0 the accumulator. */
    .align 2
interp:
dispatch:
    lw s0, 0(s7)
    addi s7, s7, 4
    andi a5, s0, 7
    slli a5, a5, 3
    add a5, a5, s2
    ld a5, 0(a5)
    jr a5

h_add:
    srai t1, s0, 8
    add a0, a0, t1
    beqz s9, dispatch
    j hook
h_sub:
    srai t1, s0, 8
    sub a0, a0, t1
    beqz s9, dispatch
    j hook
h_loop: /* s4 -= 1; unless 0, back by the operand's bytecodes */
    addi s4, s4, -1
    beqz s4, 1f
    srai t1, s0, 8
    slli t1, t1, 2
    sub s7, s7, t1
1:  beqz s9, dispatch
    j hook
h_end:
    ret
h_flag:
    li s9, 1
    j dispatch
h_smc:
    .option push
    .option norvc
    addi a0, a0, 7
    .option pop
    beqz s9, dispatch
    j hook
h_mid: /* entered at +2: the first compressed instruction is skipped */
    .option push
    .option rvc
    c.addi a0, 1
    c.addi a0, 2
    .option pop
    beqz s9, dispatch
    j hook
hook: /* the "hook": counts, clears the flag */
    addi s6, s6, 1
    li s9, 0
    j dispatch

/* Case 7's trap handler: mcause and mtval to t3 and t4, resume at s5 (in M-mode). */
    .align 2
fetch_trap:
    csrr t3, mcause
    csrr t4, mtval
    csrw mepc, s5
    mret

RVTEST_END

    .align 3
table:
    .dword h_add, h_sub, h_loop, h_end, h_flag, h_smc, h_add, h_add
prog_addsub:
    .word BC(OP_ADD, 5), BC(OP_SUB, 2), BC(OP_LOOP, 3), BC(OP_END, 0)
prog_flag:
    .word BC(OP_ADD, 1), BC(OP_FLAG, 0), BC(OP_ADD, 2), BC(OP_LOOP, 4), BC(OP_END, 0)
prog_smc:
    .word BC(OP_SMC, 0), BC(OP_LOOP, 2), BC(OP_END, 0)
prog_var:
    .word BC(OP_VAR, 10), BC(OP_LOOP, 2), BC(OP_END, 0)
