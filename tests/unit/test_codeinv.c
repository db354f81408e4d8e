/* test_codeinv.c - page-granular code invalidation under each engine (interpreter, JIT, JIT
 * through its IR, the JIT's tiered mode): a store into code drops the decoded and translated
 * code of its page only; and a tier-up (the IR's translation put in the place of a hot old-path
 * one) takes over every way into the old translation.
 *
 * A hart with a window of five pages, page flags and code lines (as the bare machine has),
 * runs hand-encoded programs:
 *   - a loop on page 0 that branches to a function on page 1 and calls one on page 2; a store
 *     by the guest into page 1 changes the function's result: the loop sees the new code, no
 *     cache is flushed, exactly the page-1 block is decoded again, page 0's decoded blocks and
 *     translations are the same objects as before, and the branch from page 0 into the new
 *     translation is chained again (the loop does not go through the dispatcher each time);
 *   - a block that stores over one of its own later instructions (no fence.i): the new one
 *     runs;
 *   - a block whose last instruction straddles into page 3: a store into page 3 drops it
 *     (and leaves page 2's other blocks alone);
 *   - another thread writing a function's page and reporting it (rv_cpu_code_written, as a
 *     device's DMA does) while the hart loops over it: the hart sees the new code;
 *   - tiered mode: the loop's translations tier up while chained from each other; the old
 *     ones are dead, their entries jump to the new ones, the jumps chained into them point at
 *     the new ones, the loop stays chained, and a store into fa's page then still reaches the
 *     new code (through a jump left at the old translation, stale code would run);
 *   - tiered mode: a hot translation the IR declines (a CSR instruction on its path) keeps
 *     running, its entry counter turned off;
 *   - tiered mode: the entry counters are cells of the area below the code cache, each
 *     prologue's rip-relative `sub` names its own, the cells are handed out again after a
 *     flush, and translations past the area's room count in their records.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "exec/exec.h"
#include "exec/icache.h"
#include "jit/jit.h"
#include "jit/jit_priv.h"
#include "riscv/cpu.h"

#define BASE  0x10000u /* guest address of the window */
#define PAGES 5u
#define WIN   (PAGES * 4096u)

/* Registers. */
enum { ZERO = 0, RA = 1, T0 = 5, T1 = 6, S0 = 8, S1 = 9, A0 = 10 };

/* Instruction encoders (RV64I). */
static uint32_t itype(int32_t imm, unsigned rs1, unsigned f3, unsigned rd, unsigned opc) {
    return ((uint32_t)imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc;
}
static uint32_t addi(unsigned rd, unsigned rs1, int32_t imm) {
    return itype(imm, rs1, 0, rd, 0x13);
}
static uint32_t jalr(unsigned rd, unsigned rs1, int32_t imm) {
    return itype(imm, rs1, 0, rd, 0x67);
}
static uint32_t lw(unsigned rd, unsigned rs1, int32_t imm) {
    return itype(imm, rs1, 2, rd, 0x03);
}
static uint32_t store(unsigned f3, unsigned rs2, unsigned rs1, int32_t imm) {
    uint32_t i = (uint32_t)imm;
    return ((i >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (i & 0x1f) << 7 | 0x23;
}
static uint32_t lui(unsigned rd, uint32_t imm20) {
    return imm20 << 12 | rd << 7 | 0x37;
}
static uint32_t add(unsigned rd, unsigned rs1, unsigned rs2) {
    return rs2 << 20 | rs1 << 15 | rd << 7 | 0x33;
}
static uint32_t jal(unsigned rd, int32_t off) {
    uint32_t i = (uint32_t)off;
    return ((i >> 20) & 1) << 31 | ((i >> 1) & 0x3ff) << 21 | ((i >> 11) & 1) << 20 |
           ((i >> 12) & 0xff) << 12 | rd << 7 | 0x6f;
}
static uint32_t branch(unsigned f3, unsigned rs1, unsigned rs2, int32_t off) {
    uint32_t i = (uint32_t)off;
    return ((i >> 12) & 1) << 31 | ((i >> 5) & 0x3f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
           ((i >> 1) & 0xf) << 8 | ((i >> 11) & 1) << 7 | 0x63;
}
#define BEQ   0u
#define BNE   1u
#define SH    1u
#define SW    2u
#define ECALL 0x00000073u

static uint8_t mem[WIN];
static uint8_t flags[PAGES];
static uint64_t lines[PAGES];
static const char *engine; /* NULL: the interpreter */
static bool ir;            /* the JIT through its IR */

/* Put the 32-bit word w at guest address a (also at a 2-byte boundary). */
static void put32(uint64_t a, uint32_t w) {
    memcpy(mem + (a - BASE), &w, 4);
}
static void put16(uint64_t a, uint16_t h) {
    memcpy(mem + (a - BASE), &h, 2);
}

/* Program addresses. */
#define MAIN     (BASE + 0x000u) /* page 0: the loop over fa and fb */
#define LOOP     (MAIN + 0x08u)
#define RET_A    (MAIN + 0x0cu)
#define PATCH_A  (BASE + 0x100u)  /* page 0: stores a new first word into fa */
#define SELF     (BASE + 0x200u)  /* page 0: a block patching its own later instruction */
#define PATCH_S  (BASE + 0x300u)  /* page 0: stores into the straddling instruction's tail */
#define SPIN     (BASE + 0x400u)  /* page 0: loops over fa2 until it returns 2 */
#define FA       (BASE + 0x1000u) /* page 1 */
#define FA2      (BASE + 0x1100u) /* page 1 */
#define FB       (BASE + 0x2000u) /* page 2 */
#define STRADDLE (BASE + 0x2ff8u) /* page 2, its last instruction into page 3 */
#define DATA     (BASE + 0x3400u) /* page 3: words the programs load */
#define CSRL     (BASE + 0x500u)  /* page 0: a loop with a CSR write (the IR declines it) */
#define N        200              /* loop rounds */

static void load_programs(void) {
    memset(mem, 0, sizeof(mem));
    memset(flags, 0, sizeof(flags));
    memset(lines, 0, sizeof(lines));
    /* main: s0 = sum over N rounds of fa() + fb() (fa reached by a branch, back by a jump) */
    put32(MAIN + 0x00, addi(S1, ZERO, N));
    put32(MAIN + 0x04, addi(S0, ZERO, 0));
    put32(LOOP, branch(BEQ, ZERO, ZERO, (int32_t)(FA - LOOP)));
    put32(RET_A, add(S0, S0, A0));
    put32(MAIN + 0x10, jal(RA, (int32_t)(FB - (MAIN + 0x10))));
    put32(MAIN + 0x14, add(S0, S0, A0));
    put32(MAIN + 0x18, addi(S1, S1, -1));
    put32(MAIN + 0x1c, branch(BNE, S1, ZERO, (int32_t)(LOOP - (MAIN + 0x1c))));
    put32(MAIN + 0x20, ECALL);
    put32(FA, addi(A0, ZERO, 1));
    put32(FA + 4, jal(ZERO, (int32_t)(RET_A - (FA + 4))));
    put32(FB, addi(A0, ZERO, 10));
    put32(FB + 4, jalr(ZERO, RA, 0));
    /* patch_a: fa's first word = DATA[0] ("li a0, 2") */
    put32(PATCH_A + 0x0, lui(T0, FA >> 12));
    put32(PATCH_A + 0x4, lui(T1, DATA >> 12));
    put32(PATCH_A + 0x8, lw(T1, T1, DATA & 0xfff));
    put32(PATCH_A + 0xc, store(SW, T1, T0, 0));
    put32(PATCH_A + 0x10, ECALL);
    put32(DATA, addi(A0, ZERO, 2));
    /* self: store DATA[1] ("li a0, 42") over the `li a0, 1` two instructions on */
    put32(SELF + 0x00, lui(T0, SELF >> 12));
    put32(SELF + 0x04, lui(T1, DATA >> 12));
    put32(SELF + 0x08, lw(T1, T1, (DATA & 0xfff) + 4));
    put32(SELF + 0x0c, store(SW, T1, T0, (SELF & 0xfff) + 0x14));
    put32(SELF + 0x10, addi(A0, ZERO, 5));
    put32(SELF + 0x14, addi(A0, ZERO, 1));
    put32(SELF + 0x18, ECALL);
    put32(DATA + 4, addi(A0, ZERO, 42));
    /* straddle: li a0, 0; c.nop; addi a0, a0, 16 (its upper half on page 3); ecall */
    put32(STRADDLE, addi(A0, ZERO, 0));
    put16(STRADDLE + 4, 0x0001);
    put32(STRADDLE + 6, addi(A0, A0, 16));
    put32(STRADDLE + 10, ECALL);
    /* patch_s: the upper half of that addi becomes imm 256 (imm << 4 | rs1 >> 1) */
    put32(PATCH_S + 0x0, lui(T0, (STRADDLE + 8) >> 12));
    put32(PATCH_S + 0x4, lui(T1, 1));
    put32(PATCH_S + 0x8, addi(T1, T1, 5));
    put32(PATCH_S + 0xc, store(SH, T1, T0, 0));
    put32(PATCH_S + 0x10, ECALL);
    /* spin: until fa2() == 2 */
    put32(SPIN + 0x0, jal(RA, (int32_t)(FA2 - SPIN)));
    put32(SPIN + 0x4, addi(T0, ZERO, 2));
    put32(SPIN + 0x8, branch(BNE, A0, T0, -8));
    put32(SPIN + 0xc, ECALL);
    put32(FA2, addi(A0, ZERO, 1));
    put32(FA2 + 4, jalr(ZERO, RA, 0));
    /* csrl: N times t0 += 1, mscratch = t0 */
    put32(CSRL + 0x00, addi(S1, ZERO, N));
    put32(CSRL + 0x04, addi(T0, ZERO, 0));
    put32(CSRL + 0x08, addi(T0, T0, 1));
    put32(CSRL + 0x0c, 0x340u << 20 | T0 << 15 | 1u << 12 | ZERO << 7 | 0x73); /* csrw */
    put32(CSRL + 0x10, addi(S1, S1, -1));
    put32(CSRL + 0x14, branch(BNE, S1, ZERO, -12));
    put32(CSRL + 0x18, ECALL);
}

/* A hart over the window, in M-mode, whose ecalls end the run. */
static void hart(rv_cpu_t *cpu) {
    exec_options_t o = {.engine = engine, .threshold = 1, .strict = true, .ir = ir};
    assert_int_equal(exec_hart_init(cpu, &o), 0);
    load_programs();
    cpu->mem_base = mem;
    cpu->mem_start = BASE;
    cpu->mem_size = WIN;
    cpu->page_flags = flags;
    cpu->code_lines = lines;
    cpu->trap_hook = exec_trap_stop;
}

/* Run from pc to the next ecall. */
static void run_at(rv_cpu_t *cpu, uint64_t pc) {
    cpu->pc = pc;
    assert_int_equal(exec_run(cpu, 100000000), EXEC_STOP_ECALL);
}

/* The live translation of pc (NULL: none, or no JIT). */
static const jit_block_t *translation(const rv_cpu_t *cpu, uint64_t pc) {
    const jit_t *j = engine ? cpu->engine_state : NULL;
    if (!j) return NULL;
    for (unsigned i = 0; i <= j->hash_mask; i++)
        for (const jit_block_t *b = j->hash[i]; b; b = b->hnext)
            if (b->pc == pc && !b->dead) return b;
    return NULL;
}

static const jit_stats_t *jstats(const rv_cpu_t *cpu) {
    static const jit_stats_t none;
    const jit_t *j = engine ? cpu->engine_state : NULL;
    return j ? &j->stats : &none;
}

/* A store into page 1 drops page 1's code only; the loop on page 0 keeps its decoded blocks
 * and translations, runs the new code, and branches into it chained again. */
static void other_pages_stay(void **state) {
    (void)state;
    rv_cpu_t cpu;
    hart(&cpu);
    run_at(&cpu, MAIN);
    assert_int_equal(cpu.x[S0], N * 11);
    run_at(&cpu, MAIN); /* everything decoded and translated (and chained) now */
    assert_int_equal(cpu.x[S0], N * 11);
    rv_block_t *loop = rv_icache_get(&cpu, LOOP), *fb = rv_icache_get(&cpu, FB);
    const jit_block_t *tloop = translation(&cpu, LOOP), *tfa = translation(&cpu, FA);
    if (engine) {
        assert_non_null(tloop);
        assert_non_null(tfa);
    }
    uint64_t decoded = cpu.stats.blocks_decoded, flushes = cpu.stats.flushes;
    uint64_t drops = cpu.stats.page_drops, jflushes = jstats(&cpu)->flushes;

    run_at(&cpu, PATCH_A); /* the guest stores into fa's page */
    run_at(&cpu, MAIN);
    assert_int_equal(cpu.x[S0], N * 12);
    assert_int_equal(cpu.stats.flushes, flushes);
    assert_int_equal(jstats(&cpu)->flushes, jflushes);
    assert_true(cpu.stats.page_drops > drops);
    /* decoded again: patch_a's two blocks (the store leaves the first) and fa's */
    assert_int_equal(cpu.stats.blocks_decoded, decoded + 3);
    assert_ptr_equal(rv_icache_get(&cpu, LOOP), loop);
    assert_ptr_equal(rv_icache_get(&cpu, FB), fb);
    if (engine) {
        assert_ptr_equal(translation(&cpu, LOOP), tloop);
        assert_non_null(translation(&cpu, FA));
        assert_ptr_not_equal(translation(&cpu, FA), tfa);
        assert_true(tfa->dead);
        assert_true(jstats(&cpu)->drops >= 1);
        assert_true(jstats(&cpu)->unlinks >= 1);
        /* the loop's branch into fa is chained to the new translation: another N rounds
         * enter translated code from the dispatcher a few times, not once a round */
        uint64_t entries = jstats(&cpu)->entries;
        run_at(&cpu, MAIN);
        assert_int_equal(cpu.x[S0], N * 12);
        assert_true(jstats(&cpu)->entries - entries < N / 4);
    }
    exec_hart_destroy(&cpu);
}

/* A block that stores over one of its own later instructions runs the new one. */
static void store_into_running_block(void **state) {
    (void)state;
    rv_cpu_t cpu;
    hart(&cpu);
    for (int round = 0; round < 3; round++) {
        put32(SELF + 0x14, addi(A0, ZERO, 1)); /* the original, from the host */
        exec_invalidate_range(&cpu, SELF + 0x14, 4);
        run_at(&cpu, SELF);
        assert_int_equal(cpu.x[A0], 42);
    }
    assert_int_equal(cpu.stats.flushes, 0);
    exec_hart_destroy(&cpu);
}

/* A block whose last instruction straddles into page 3 goes with a store into page 3; page
 * 2's other blocks stay. */
static void straddling_block(void **state) {
    (void)state;
    rv_cpu_t cpu;
    hart(&cpu);
    run_at(&cpu, STRADDLE);
    assert_int_equal(cpu.x[A0], 16);
    run_at(&cpu, MAIN);
    rv_block_t *fb = rv_icache_get(&cpu, FB);
    uint64_t dropped = cpu.stats.blocks_dropped;
    run_at(&cpu, PATCH_S);
    run_at(&cpu, STRADDLE);
    assert_int_equal(cpu.x[A0], 256);
    assert_true(cpu.stats.blocks_dropped > dropped);
    assert_ptr_equal(rv_icache_get(&cpu, FB), fb);
    assert_int_equal(cpu.stats.flushes, 0);
    exec_hart_destroy(&cpu);
}

/* Another thread writes fa2's page and reports it, as a device's DMA does. */
static void *dma_later(void *arg) {
    rv_cpu_t *cpu = arg;
    usleep(30000);
    put32(FA2, addi(A0, ZERO, 2));
    rv_cpu_code_written(cpu, FA2 >> 12);
    return NULL;
}

static void written_from_another_thread(void **state) {
    (void)state;
    rv_cpu_t cpu;
    hart(&cpu);
    run_at(&cpu, MAIN);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, dma_later, &cpu), 0);
    cpu.pc = SPIN;
    int stop = exec_run(&cpu, 20000000000ull);
    pthread_join(th, NULL);
    assert_int_equal(stop, EXEC_STOP_ECALL);
    assert_int_equal(cpu.x[A0], 2);
    assert_int_equal(cpu.stats.flushes, 0);
    exec_hart_destroy(&cpu);
}

/* The target of the jmp rel32 at host address p (rx view), or NULL when p holds none. */
static const uint8_t *jump_target(const uint8_t *p) {
    if (p[0] != 0xe9) return NULL;
    int32_t rel;
    memcpy(&rel, p + 1, 4);
    return p + 5 + rel;
}

/* The target of the rel32 field at host address f (rx view). */
static const uint8_t *field_target(uintptr_t f) {
    int32_t rel;
    memcpy(&rel, (const void *)f, 4);
    return (const uint8_t *)(f + 4 + (intptr_t)rel);
}

/* Every way into translation `old` leads to `nb` now (see tier_up in jit.c). */
static void assert_taken_over(const rv_cpu_t *cpu, const jit_block_t *old, const jit_block_t *nb) {
    const jit_t *j = cpu->engine_state;
    assert_true(old->dead);
    assert_false(nb->dead);
    assert_true(nb->ir);
    assert_int_equal(old->pc, nb->pc);
    assert_ptr_equal(translation(cpu, old->pc), nb);
    assert_ptr_equal(jump_target(old->code), nb->code); /* the old entry */
    assert_null(old->in);
    for (const jit_link_t *l = nb->in; l; l = l->next) /* chained jumps, moved over */
        assert_ptr_equal(field_target(l->field), nb->code);
    const struct jit_fast *f = &j->fast[(old->pc >> 1) & (JIT_FAST - 1)];
    assert_ptr_not_equal(f->code, old->code);
}

/* Set the tiered mode's environment for the next hart (NULL: unset). The IR's paths keep
 * the shapes these cases count on: fb's return leaves through its return stub (a path that
 * went on through it would never enter the translation after the call, which then never
 * tiers up). */
static void tier_env(const char *ir_mode, const char *threshold) {
    setenv("VM_JIT_IR_FOLLOW", "0", 1);
    if (ir_mode)
        setenv("VM_JIT_IR", ir_mode, 1);
    else
        unsetenv("VM_JIT_IR");
    if (threshold)
        setenv("VM_JIT_TIER_THRESHOLD", threshold, 1);
    else
        unsetenv("VM_JIT_TIER_THRESHOLD");
}

/* The loop's translations tier up (at their 300th entry) while chained from one another;
 * then a store into fa's page must still reach the new code. */
static void tier_up_takes_over(void **state) {
    (void)state;
    tier_env("2", "300");
    rv_cpu_t cpu;
    hart(&cpu);
    run_at(&cpu, MAIN); /* N entries each: translated by the old path, not hot yet */
    assert_int_equal(cpu.x[S0], N * 11);
    const jit_block_t *loop = translation(&cpu, LOOP), *fa = translation(&cpu, FA);
    assert_non_null(loop);
    assert_non_null(fa);
    assert_false(loop->ir);
    assert_false(fa->ir);
    assert_true(loop->tier_len > 0);
    assert_non_null(fa->in); /* the loop's branch into fa is chained */
    assert_int_equal(jstats(&cpu)->tier_ups, 0);

    run_at(&cpu, MAIN); /* past 300 entries: both tier up */
    assert_int_equal(cpu.x[S0], N * 11);
    assert_true(jstats(&cpu)->tier_ups >= 2);
    const jit_block_t *loop2 = translation(&cpu, LOOP), *fa2 = translation(&cpu, FA);
    assert_taken_over(&cpu, loop, loop2);
    assert_taken_over(&cpu, fa, fa2);
    assert_non_null(fa2->in);

    /* chained as before: a few entries from the dispatcher, no tier-up again */
    uint64_t entries = jstats(&cpu)->entries, ups = jstats(&cpu)->tier_ups;
    run_at(&cpu, MAIN);
    assert_int_equal(cpu.x[S0], N * 11);
    assert_true(jstats(&cpu)->entries - entries < N / 4);
    assert_int_equal(jstats(&cpu)->tier_ups, ups);
    assert_ptr_equal(translation(&cpu, FA), fa2);

    /* fa changes: the new translation goes, and every jump that led to the old one with it */
    run_at(&cpu, PATCH_A);
    run_at(&cpu, MAIN);
    assert_int_equal(cpu.x[S0], N * 12);
    assert_true(fa2->dead);
    exec_hart_destroy(&cpu);
    tier_env(NULL, NULL);
}

/* A hot translation the IR does not cover keeps running, its counter turned off: no more
 * exits for it. */
static void tier_declined(void **state) {
    (void)state;
    tier_env("2", "50");
    rv_cpu_t cpu;
    hart(&cpu);
    run_at(&cpu, CSRL);
    assert_int_equal(cpu.mscratch, N);
    assert_true(jstats(&cpu)->tier_declined >= 1);
    const jit_block_t *jb = translation(&cpu, CSRL + 8);
    assert_non_null(jb);
    assert_false(jb->ir);
    assert_int_equal(jb->tier_len, 0);
    uint64_t declined = jstats(&cpu)->tier_declined, ups = jstats(&cpu)->tier_ups;
    run_at(&cpu, CSRL);
    assert_int_equal(cpu.mscratch, N);
    assert_int_equal(jstats(&cpu)->tier_declined, declined);
    assert_int_equal(jstats(&cpu)->tier_ups, ups);
    assert_ptr_equal(translation(&cpu, CSRL + 8), jb);
    exec_hart_destroy(&cpu);
    tier_env(NULL, NULL);
}

/* The counter that translation jb's prologue decrements: the cell its rip-relative `sub
 * dword [rip + d], 1` names, or the absolute address its `mov rax, imm64; sub dword [rax], 1`
 * loads (NULL: neither is at tier_off). */
static const int32_t *counter_of(const jit_block_t *jb) {
    const uint8_t *p = jb->code + jb->tier_off;
    if (p[0] == 0x83 && p[1] == 0x2d && p[6] == 1) {
        int32_t d;
        memcpy(&d, p + 2, 4);
        return (const int32_t *)(const void *)(p + 7 + d);
    }
    if (p[0] == 0x48 && p[1] == 0xb8 && p[10] == 0x83 && p[11] == 0x28 && p[12] == 1) {
        uint64_t a;
        memcpy(&a, p + 2, 8);
        return (const int32_t *)(uintptr_t)a;
    }
    return NULL;
}

/* Every live old-path translation with a counter decrements the cell its record names; with
 * `in_area`, a cell of the counters' area below the code (reached rip-relative). Returns how
 * many there are. */
static unsigned check_counters(const rv_cpu_t *cpu, bool in_area) {
    const jit_t *j = cpu->engine_state;
    unsigned n = 0;
    for (size_t i = 0; i < j->norder; i++) {
        const jit_block_t *jb = j->order[i];
        if (jb->dead || jb->ir || !jb->tier_len) continue;
        assert_non_null(jb->tier_ctr);
        assert_ptr_equal(counter_of(jb), jb->tier_ctr);
        bool area = jb->tier_ctr >= j->ctr && jb->tier_ctr < j->ctr + j->ctr_used;
        assert_true(area || jb->tier_ctr == &jb->tier_left);
        if (in_area) assert_true(area);
        assert_true(*jb->tier_ctr > 0); /* (not tiered up yet: still counting down) */
        n++;
    }
    return n;
}

/* The entry counters live in their area just below the code cache, reached rip-relative,
 * handed out from its start again after a full flush; the tier-ups they lead to happen as
 * before, after the flush too, and with the area used up (a translation then counts in its
 * record). */
static void tier_counters(void **state) {
    (void)state;
    tier_env("2", "1000");
    rv_cpu_t cpu;
    hart(&cpu);
    jit_t *j = cpu.engine_state;
    run_at(&cpu, MAIN); /* N entries each: translated, counting, not hot yet */
    assert_int_equal(cpu.x[S0], N * 11);
    assert_non_null(j->ctr);
    assert_true((const uint8_t *)(j->ctr + j->ctr_cap) <= j->rx); /* below the code */
    assert_true(j->rx + j->size - (const uint8_t *)j->ctr < (1ll << 31));
    unsigned n = check_counters(&cpu, true);
    assert_true(n >= 3);
    assert_int_equal(j->ctr_used, j->norder); /* one cell per translation, none lost */
    assert_int_equal(*translation(&cpu, FA)->tier_ctr, 1000 - N); /* entered once a round */
    for (int r = 0; r < 5; r++)
        run_at(&cpu, MAIN);
    assert_true(jstats(&cpu)->tier_ups >= 2); /* the loop and fa */
    assert_true(translation(&cpu, FA)->ir);

    /* a full flush: the cells are handed out from the start again, set afresh */
    exec_flush(&cpu);
    assert_int_equal(j->ctr_used, 0);
    uint64_t ups = jstats(&cpu)->tier_ups;
    run_at(&cpu, MAIN);
    assert_int_equal(cpu.x[S0], N * 11);
    assert_int_equal(check_counters(&cpu, true), n);
    assert_int_equal(*translation(&cpu, FA)->tier_ctr, 1000 - N);
    for (int r = 0; r < 5; r++)
        run_at(&cpu, MAIN);
    assert_int_equal(cpu.x[S0], N * 11);
    assert_true(jstats(&cpu)->tier_ups >= ups + 2);

    /* an area with room for two counters: the others count in their records */
    exec_flush(&cpu);
    j->ctr_cap = 2;
    ups = jstats(&cpu)->tier_ups;
    run_at(&cpu, MAIN);
    assert_int_equal(check_counters(&cpu, false), n);
    assert_int_equal(j->ctr_used, 2);
    for (int r = 0; r < 5; r++)
        run_at(&cpu, MAIN);
    assert_int_equal(cpu.x[S0], N * 11);
    assert_true(jstats(&cpu)->tier_ups >= ups + 2);
    exec_hart_destroy(&cpu);
    tier_env(NULL, NULL);
}

static int run_group(const char *name) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(other_pages_stay),
        cmocka_unit_test(store_into_running_block),
        cmocka_unit_test(straddling_block),
        cmocka_unit_test(written_from_another_thread),
    };
    return _cmocka_run_group_tests(name, tests, sizeof(tests) / sizeof(tests[0]), NULL, NULL);
}

static int run_tier_group(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tier_up_takes_over),
        cmocka_unit_test(tier_declined),
        cmocka_unit_test(tier_counters),
    };
    return _cmocka_run_group_tests("jit-tier-up", tests, sizeof(tests) / sizeof(tests[0]), NULL,
                                   NULL);
}

int main(void) {
    exec_register_engine(&jit_engine);
    int failed = run_group("interp");
    if (jit_engine.supported()) {
        engine = "jit";
        tier_env("0", NULL); /* the old path only */
        failed += run_group("jit");
        tier_env("2", "3"); /* tiered: every translation tiers up at its third entry */
        failed += run_group("jit-tier");
        failed += run_tier_group();
        tier_env(NULL, NULL);
        ir = true;
        failed += run_group("jit-ir");
    } else {
        printf("jit groups skipped: this host has no JIT backend\n");
    }
    return failed;
}
