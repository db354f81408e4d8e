/* test_exec1.c - rv_exec1 against the interpreter, differentially.
 *
 * Each round builds one random hart state (integer and FP registers with special values, frm
 * valid or not, mstatus.FS in every state, user or M/U-mode, an LR reservation, page flags
 * with a watch callback) and one random instruction (an encoding of a random non-control-flow
 * insns.def entry with its free bits random, or a random 32- or 16-bit word), then runs it
 * twice: through rv_exec1 on one hart, and through exec_run on an identical hart with the
 * instruction placed at the end of a page, so the decoded block holds just that instruction
 * and the budget of 1 stops the run right after it. Memory operands are steered into the
 * window (aligned, misaligned, straddling its end), a mem_slow region, the code itself, or
 * nowhere. Everything architectural is compared: registers, fflags, frm, mstatus, the M-mode
 * CSRs, the reservation, cause/tval (after the trap is taken the same way on the exec1 side),
 * memory, watch calls and decode-cache flushes. Every non-control-flow instruction must be
 * seen completing at least once, so the shared semantics list cannot miss one.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "riscv/cpu.h"
#include "riscv/decode.h"
#include "exec/exec1.h"
#include "exec/icache.h"

#define PAGE      4096u
#define WIN_BASE  0x80000000ull /* guest address of the fast window */
#define WIN_SIZE  (3 * PAGE)    /* page 0: code at its end; pages 1-2: data */
#define SLOW_BASE 0x40000000ull /* a small region served by mem_slow */
#define SLOW_SIZE 256u
#define MAX_WATCH 4

/* Per-hart environment: memory, slow region and the log of watch callbacks. */
typedef struct env {
    uint8_t win[WIN_SIZE];          /* the fast window */
    uint8_t slow[SLOW_SIZE];        /* the mem_slow region */
    uint8_t flags[WIN_SIZE / PAGE]; /* page_flags */
    unsigned nwatch;                /* watch callbacks seen */
    uint64_t watch_addr[MAX_WATCH]; /* their addresses */
    unsigned watch_len[MAX_WATCH];  /* their lengths */
} env_t;

static int slow_access(void *envp, uint64_t addr, void *buf, unsigned len, rv_access_t type) {
    env_t *e = envp;
    if (addr < SLOW_BASE || addr - SLOW_BASE > SLOW_SIZE - len) return -EFAULT;
    if (type == RV_ACC_STORE || type == RV_ACC_AMO)
        memcpy(e->slow + (addr - SLOW_BASE), buf, len);
    else
        memcpy(buf, e->slow + (addr - SLOW_BASE), len);
    return 0;
}

/* Watched store: logged; halts when address bit 3 is set (deterministic on both harts). */
static bool watch(void *envp, uint64_t addr, unsigned len) {
    env_t *e = envp;
    if (e->nwatch < MAX_WATCH) {
        e->watch_addr[e->nwatch] = addr;
        e->watch_len[e->nwatch] = len;
    }
    e->nwatch++;
    return (addr >> 3) & 1;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void) {
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}
static uint64_t rnd_below(uint64_t n) {
    return rnd() % n;
}

static bool is_control_flow(unsigned id) {
    switch (id) {
    case RV_I_sret:
    case RV_I_sfence_vma:
    case RV_I_jal:
    case RV_I_jalr:
    case RV_I_beq:
    case RV_I_bne:
    case RV_I_blt:
    case RV_I_bge:
    case RV_I_bltu:
    case RV_I_bgeu:
    case RV_I_ecall:
    case RV_I_ebreak:
    case RV_I_mret:
    case RV_I_wfi:
    case RV_I_fence_i: return true;
    default: return false;
    }
}

static bool is_mem(unsigned id) {
    return rv_insn_table[id].mem_width != 0;
}

/* Interesting integer values. */
static uint64_t rnd_int(void) {
    static const uint64_t special[] = {0,
                                       1,
                                       UINT64_MAX,
                                       INT64_MIN,
                                       INT64_MAX,
                                       0xffffffff80000000ull,
                                       0x7fffffff,
                                       0x80000000,
                                       0xffffffff,
                                       31,
                                       32,
                                       63,
                                       64,
                                       2,
                                       0x3f800000 /* 1.0f */,
                                       0x4ff0000000000000ull};
    switch (rnd_below(4)) {
    case 0: return special[rnd_below(sizeof(special) / sizeof(special[0]))];
    case 1: return rnd_below(200) - 100;
    case 2: return WIN_BASE + PAGE + rnd_below(2 * PAGE); /* an address in the data pages */
    default: return rnd();
    }
}

/* Interesting FP register values (raw bits), NaN-boxed singles or not. */
static uint64_t rnd_fp(void) {
    static const uint32_t s[] = {0,          0x80000000, 0x3f800000, 0xbf800000,
                                 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001,
                                 0x00000001, 0x807fffff, 0x4f000000, 0xcf000000,
                                 0x5f000000, 0x3effffff, 0x3f000000, 0x7f7fffff};
    static const uint64_t d[] = {0,
                                 0x8000000000000000ull,
                                 0x3ff0000000000000ull,
                                 0xbff0000000000000ull,
                                 0x7ff0000000000000ull,
                                 0xfff0000000000000ull,
                                 0x7ff8000000000000ull,
                                 0x7ff0000000000001ull,
                                 0x0000000000000001ull,
                                 0x000fffffffffffffull,
                                 0x41e0000000000000ull,
                                 0xc1e0000000000000ull,
                                 0x43e0000000000000ull,
                                 0x3fe0000000000000ull,
                                 0x3fdfffffffffffffull,
                                 0x7fefffffffffffffull};
    switch (rnd_below(5)) {
    case 0: return 0xffffffff00000000ull | s[rnd_below(16)];
    case 1: return 0xffffffff00000000ull | (uint32_t)rnd();
    case 2: return d[rnd_below(16)];
    case 3: return rnd() & 0x8000ffffffffffffull ? rnd() : rnd() >> 2;
    default: return (uint32_t)rnd(); /* not NaN-boxed: reads as the canonical NaN */
    }
}

/* CSRs worth hitting (time is left out: it reads the host clock; mcycle/minstret writes
 * would move the interpreter's budget). */
static unsigned rnd_csr(void) {
    static const unsigned csrs[] = {0x001, 0x002, 0x003, 0x180, 0x300, 0x301, 0x302, 0x303,
                                    0x304, 0x305, 0x306, 0x320, 0x340, 0x341, 0x342, 0x343,
                                    0x344, 0xc00, 0xc02, 0xf11, 0xf12, 0xf13, 0xf14, 0xf15,
                                    0x3a0, 0xb03, 0x323, 0xc03, 0x7c0, 0x800, 0x5c0, 0x001};
    if (rnd_below(8) == 0) {
        unsigned c = (unsigned)rnd_below(4096);
        return (c == 0xc01 || c == 0xb00 || c == 0xb02 || c == 0xc81) ? 0x340 : c;
    }
    return csrs[rnd_below(sizeof(csrs) / sizeof(csrs[0]))];
}

/* A random instruction word: one of the ids in `ids` with its free bits random, or noise. */
static uint32_t rnd_insn(const unsigned *ids, unsigned nids) {
    unsigned k = (unsigned)rnd_below(16);
    if (k == 0) return (uint32_t)rnd();
    if (k == 1) return (uint16_t)rnd(); /* compressed (or the low half of something) */
    const rv_insn_info_t *in = &rv_insn_table[ids[rnd_below(nids)]];
    uint32_t w = in->match | ((uint32_t)rnd() & ~in->mask);
    if (in->fmt == RV_FMT_CSR) w = (w & 0xfffff) | rnd_csr() << 20;
    /* Rounding modes: mostly valid static ones or dynamic, sometimes reserved. */
    if ((in->flags & RV_F_RM) && rnd_below(4)) {
        static const unsigned rms[] = {0, 1, 2, 3, 4, 7, 7, 7};
        w = (w & ~0x7000u) | rms[rnd_below(8)] << 12;
    }
    return w;
}

/* Base value making rs1 + imm hit a chosen kind of address (size-aware edge cases). */
static uint64_t rnd_target(uint64_t pc) {
    switch (rnd_below(10)) {
    case 0:
    case 1:
    case 2: return WIN_BASE + PAGE + (rnd_below(2 * PAGE / 8)) * 8; /* aligned */
    case 3: return WIN_BASE + PAGE + rnd_below(2 * PAGE);           /* any alignment */
    case 4: return WIN_BASE + WIN_SIZE - rnd_below(12);             /* straddles the end */
    case 5: return WIN_BASE + PAGE - rnd_below(12);                 /* crosses a page edge */
    case 6: return SLOW_BASE + rnd_below(SLOW_SIZE + 8);            /* slow path */
    case 7: return pc - 4 + rnd_below(8);                           /* the code itself */
    case 8: return WIN_BASE - rnd_below(8);                         /* just below */
    default: return rnd();
    }
}

/* Random hart state on `a`, copied to `b` with its own environment. */
static void random_state(rv_cpu_t *a, env_t *ea, bool with_slow, bool with_flags) {
    for (int i = 1; i < 32; i++)
        a->x[i] = rnd_int();
    for (int i = 0; i < 32; i++)
        a->f[i] = rnd_fp();
    a->fflags = (uint32_t)rnd_below(32);
    a->frm = rnd_below(3) ? (uint32_t)rnd_below(5) : (uint32_t)rnd_below(8);
    a->trap_hook = rnd_below(2) ? exec_trap_stop : NULL;
    a->priv = rnd_below(3) ? RV_PRIV_M : RV_PRIV_U;
    a->mstatus = (rnd_below(4) << 13) | 2ull << 32 | (rnd() & (RV_MSTATUS_MIE | RV_MSTATUS_MPIE));
    a->mstatus |= rnd_below(2) ? RV_MSTATUS_MPP : 0;
    a->mtvec = WIN_BASE + 0x100 + rnd_below(4);
    a->mepc = rnd() & ~1ull;
    a->mcause = rnd_below(16);
    a->mtval = rnd();
    a->mscratch = rnd();
    a->mie = rnd() & 0x888;
    a->mip = 0; /* a pending interrupt is taken by the run loop before any instruction */
    a->mcounteren = rnd_below(8);
    a->mhartid = rnd_below(4);
    a->instret = rnd() >> 8;
    a->cause = 0xdead;
    a->tval = 0xbeef;
    a->resv_valid = rnd_below(2);
    a->resv_addr = WIN_BASE + PAGE + rnd_below(2 * PAGE / 8) * 8;
    a->resv_value = rnd_int();
    for (unsigned i = 0; i < WIN_SIZE; i += 8) {
        uint64_t v = rnd_below(4) ? rnd_int() : rnd_fp();
        memcpy(ea->win + i, &v, 8);
    }
    for (unsigned i = 0; i < SLOW_SIZE; i++)
        ea->slow[i] = (uint8_t)rnd();
    memset(ea->flags, 0, sizeof(ea->flags));
    if (with_flags)
        for (unsigned p = 1; p < WIN_SIZE / PAGE; p++)
            if (rnd_below(2)) ea->flags[p] = RV_PAGE_WATCH;
    ea->nwatch = 0;
    a->mem_base = ea->win;
    a->mem_start = WIN_BASE;
    a->mem_size = WIN_SIZE;
    a->mem_slow = with_slow ? slow_access : NULL;
    a->env = ea;
    a->page_flags = with_flags ? ea->flags : NULL;
    a->watch_store = watch;
}

/* Copy the architectural state and environment of `a` to `b` (its decode cache stays). */
static void clone_state(rv_cpu_t *b, env_t *eb, const rv_cpu_t *a, const env_t *ea) {
    memcpy(eb, ea, sizeof(*eb));
    memcpy(b->x, a->x, sizeof(a->x));
    memcpy(b->f, a->f, sizeof(a->f));
    b->fflags = a->fflags;
    b->frm = a->frm;
    b->trap_hook = a->trap_hook;
    b->priv = a->priv;
    b->mstatus = a->mstatus;
    b->mtvec = a->mtvec;
    b->mepc = a->mepc;
    b->mcause = a->mcause;
    b->mtval = a->mtval;
    b->mscratch = a->mscratch;
    b->mie = a->mie;
    b->mip = a->mip;
    b->mcounteren = a->mcounteren;
    b->mhartid = a->mhartid;
    b->instret = a->instret;
    b->cause = a->cause;
    b->tval = a->tval;
    b->resv_valid = a->resv_valid;
    b->resv_addr = a->resv_addr;
    b->resv_value = a->resv_value;
    b->mem_base = eb->win;
    b->mem_start = a->mem_start;
    b->mem_size = a->mem_size;
    b->mem_slow = a->mem_slow;
    b->env = eb;
    b->page_flags = a->page_flags ? eb->flags : NULL;
    b->watch_store = a->watch_store;
}

static unsigned mismatches;

/* Compare one field; on a difference print it with the instruction. */
#define SAME(field)                                                                                \
    do {                                                                                           \
        if ((uint64_t)(ci->field) != (uint64_t)(ce->field)) {                                      \
            print_error("%s: %s interp %#llx exec1 %#llx\n", what, #field,                         \
                        (unsigned long long)(ci->field), (unsigned long long)(ce->field));         \
            bad = true;                                                                            \
        }                                                                                          \
    } while (0)

static void compare(const char *what, const rv_cpu_t *ci, const env_t *ei, const rv_cpu_t *ce,
                    const env_t *ee) {
    bool bad = false;
    for (int i = 0; i < 32; i++)
        SAME(x[i]);
    for (int i = 0; i < 32; i++)
        SAME(f[i]);
    SAME(pc);
    SAME(fflags);
    SAME(frm);
    SAME(mstatus);
    SAME(priv);
    SAME(mepc);
    SAME(mcause);
    SAME(mtval);
    SAME(mscratch);
    SAME(mtvec);
    SAME(mie);
    SAME(mcounteren);
    SAME(instret);
    SAME(cause);
    SAME(tval);
    SAME(resv_valid);
    SAME(resv_addr);
    SAME(resv_value);
    SAME(stats.flushes);
    if (memcmp(ei->win, ee->win, WIN_SIZE) || memcmp(ei->slow, ee->slow, SLOW_SIZE)) {
        print_error("%s: memory differs\n", what);
        bad = true;
    }
    if (ei->nwatch != ee->nwatch ||
        memcmp(ei->watch_addr, ee->watch_addr, sizeof(ei->watch_addr)) ||
        memcmp(ei->watch_len, ee->watch_len, sizeof(ei->watch_len))) {
        print_error("%s: watch calls differ (%u vs %u)\n", what, ei->nwatch, ee->nwatch);
        bad = true;
    }
    if (bad) mismatches++;
}

/* The ids rv_exec1 must cover. */
static unsigned exec_ids[RV_I_illegal], nexec_ids;

static void collect_ids(void) {
    nexec_ids = 0;
    for (unsigned id = 0; id < RV_I_illegal; id++)
        if (!is_control_flow(id)) exec_ids[nexec_ids++] = id;
}

static void differential(void **state) {
    (void)state;
    static env_t ea, eb;
    static rv_cpu_t ci, ce; /* interpreter, exec1 */
    static unsigned completed[RV_I_COUNT];
    assert_int_equal(exec_hart_init(&ci, NULL), 0);
    assert_int_equal(exec_hart_init(&ce, NULL), 0);
    collect_ids();
    const char *rounds_env = getenv("VM_TEST_EXEC1_ROUNDS");
    unsigned rounds = rounds_env ? (unsigned)strtoul(rounds_env, NULL, 0) : 200000;
    unsigned traps = 0, hooks = 0, halts = 0, skipped = 0;
    for (unsigned r = 0; r < rounds && mismatches < 10; r++) {
        uint32_t w = rnd_insn(exec_ids, nexec_ids);
        rv_op_t op;
        rv_decode(w, &op);
        if (op.id < RV_I_illegal && is_control_flow(op.id)) {
            skipped++;
            continue;
        }
        uint64_t pc = WIN_BASE + PAGE - op.len;
        random_state(&ci, &ea, rnd_below(4) != 0, rnd_below(2) != 0);
        if (is_mem(op.id) && op.rs1 != 0 && rnd_below(8)) {
            unsigned cls = rv_insn_table[op.id].cls;
            bool amo = cls == RV_CLS_LR || cls == RV_CLS_SC || cls == RV_CLS_AMO;
            ci.x[op.rs1] = rnd_target(pc) - (amo ? 0 : (uint64_t)(int64_t)op.imm);
            if ((op.id == RV_I_sc_w || op.id == RV_I_sc_d) && rnd_below(4)) {
                ci.resv_valid = true;
                ci.resv_addr = ci.x[op.rs1];
                uint64_t o = ci.resv_addr - WIN_BASE;
                if (o <= WIN_SIZE - 8 && rnd_below(4)) {
                    uint64_t v = 0;
                    memcpy(&v, ea.win + o, op.id == RV_I_sc_w ? 4 : 8);
                    ci.resv_value = v;
                }
            }
        }
        uint32_t wl = op.len == 2 ? (uint16_t)w : w;
        memcpy(ea.win + (pc - WIN_BASE), &wl, op.len);
        exec_flush(&ci);
        exec_flush(&ce);
        ci.stats.flushes = ce.stats.flushes = 0;
        clone_state(&ce, &eb, &ci, &ea);
        ci.pc = pc;
        ce.pc = pc;

        /* Interpreter: the block at pc is this instruction and a fallthrough to the next page. */
        int stop = exec_run(&ci, 1);

        /* exec1: decode the block too (code page flags and range as the interpreter sees
         * them), count the instruction as block entry does, then run it. */
        (void)rv_icache_get(&ce, pc);
        ce.instret++;
        int res = rv_exec1(&ce, &op, pc);
        char dis[64], what[128];
        rv_disasm(w, pc, dis, sizeof(dis));
        snprintf(what, sizeof(what), "round %u: %08x %s (%s, res %d, stop %d)", r, wl, dis,
                 ci.trap_hook ? "user" : "machine", res, stop);
        switch (res) {
        case RV_EXEC1_OK:
        case RV_EXEC1_FLUSHED:
        case RV_EXEC1_HALT:
            ce.pc = pc + op.len;
            if (stop != (res == RV_EXEC1_HALT ? EXEC_STOP_HALT : EXEC_STOP_BUDGET)) {
                print_error("%s: interpreter stop %d\n", what, stop);
                mismatches++;
            }
            if (op.id < RV_I_COUNT) completed[op.id]++;
            hooks += res == RV_EXEC1_FLUSHED;
            halts += res == RV_EXEC1_HALT;
            break;
        case RV_EXEC1_TRAP:
            /* What the caller does with a trap: the pc is the instruction's, the instruction
             * did not retire, user mode stops, the bare machine enters the handler. */
            traps++;
            ce.pc = pc;
            ce.instret--;
            if (ce.trap_hook) {
                if (stop != EXEC_STOP_EXCEPTION) {
                    print_error("%s: interpreter stop %d\n", what, stop);
                    mismatches++;
                }
            } else {
                rv_trap_enter(&ce, ce.cause, ce.tval, false);
            }
            break;
        default: print_error("%s: bad result\n", what); mismatches++;
        }
        compare(what, &ci, &ea, &ce, &eb);
    }
    print_message("exec1: %u rounds, %u traps, %u flushing stores, %u halts, %u control flow "
                  "skipped\n",
                  rounds, traps, hooks, halts, skipped);
    assert_int_equal(mismatches, 0);
    if (rounds >= 200000)
        for (unsigned i = 0; i < nexec_ids; i++) {
            if (!completed[exec_ids[i]])
                print_error("never completed: %s\n", rv_insn_table[exec_ids[i]].name);
            assert_true(completed[exec_ids[i]] > 0);
        }
    exec_hart_destroy(&ci);
    exec_hart_destroy(&ce);
}

/* Control flow and block-builder pseudo-ops are the caller's: exec1 refuses them visibly. */
static void refuses_control_flow(void **state) {
    (void)state;
    static env_t e;
    static rv_cpu_t c;
    assert_int_equal(exec_hart_init(&c, NULL), 0);
    random_state(&c, &e, false, false);
    c.trap_hook = exec_trap_stop;
    c.mstatus |= RV_MSTATUS_FS;
    uint64_t pc = WIN_BASE + 0x40;
    unsigned ids[] = {RV_I_jal,  RV_I_jalr, RV_I_beq,     RV_I_bne,         RV_I_blt,
                      RV_I_bge,  RV_I_bltu, RV_I_bgeu,    RV_I_ecall,       RV_I_ebreak,
                      RV_I_mret, RV_I_wfi,  RV_I_fence_i, RV_I_fetch_fault, RV_I_fallthrough};
    for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        rv_op_t op = {.id = (uint16_t)ids[i], .rd = 1, .rs1 = 2, .rs2 = 3, .len = 4, .imm = 8};
        uint32_t word = ids[i] < RV_I_illegal ? rv_insn_table[ids[i]].match : 0x12345677;
        memcpy(e.win + 0x40, &word, 4);
        uint64_t x1 = c.x[1];
        c.resv_valid = true;
        assert_int_equal(rv_exec1(&c, &op, pc), RV_EXEC1_TRAP);
        assert_int_equal(c.cause, RV_CAUSE_ILLEGAL_INSN);
        assert_int_equal(c.tval, word);
        assert_int_equal(c.x[1], x1);
        assert_false(c.resv_valid);
    }
    /* The illegal pseudo-op reports its own bits; nop does nothing. */
    rv_op_t ill = {.id = RV_I_illegal, .len = 4, .imm = (int32_t)0xdeadbeef};
    assert_int_equal(rv_exec1(&c, &ill, pc), RV_EXEC1_TRAP);
    assert_int_equal(c.tval, 0xdeadbeef);
    rv_op_t nop = {.id = RV_I_nop, .len = 4};
    assert_int_equal(rv_exec1(&c, &nop, pc), RV_EXEC1_OK);
    assert_int_equal(c.x[0], 0);
    exec_hart_destroy(&c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(differential),
        cmocka_unit_test(refuses_control_flow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
