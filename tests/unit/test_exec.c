/* test_exec.c - the run loop (src/exec/run.c) under each engine: guest interrupts taken at
 * the right moment and privilege, vectored and direct trap vectors, wfi sleeping through the
 * owner's wait hook, a kick from another thread reaching a hart spinning in translated code,
 * a trap hook that handles a trap itself, delegation in the one trap entry, and the hart's
 * own decode-arena size. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "exec/exec.h"
#include "jit/jit.h"
#include "riscv/cpu.h"

#define WIN     8192
#define HANDLER 0x100u /* trap vector: a row of ecalls */

static const uint32_t code[] = {
    0x0000006f, /* 0x00 spin: j spin */
    0x10500073, /* 0x04 wfi */
    0x00000073, /* 0x08 ecall */
    0x0000006f, /* 0x0c j . */
};

static uint8_t mem[WIN];
static const char *engine; /* the engine under test (NULL: the interpreter) */

/* An M-mode hart whose ecalls end the run, with interrupts set up for the machine timer. */
static void hart(rv_cpu_t *cpu) {
    exec_options_t o = {.engine = engine, .threshold = 1, .strict = true};
    assert_int_equal(exec_hart_init(cpu, &o), 0);
    memset(mem, 0, sizeof(mem));
    memcpy(mem, code, sizeof(code));
    for (unsigned a = HANDLER; a < HANDLER + 0x40; a += 4) {
        uint32_t ecall = 0x00000073;
        memcpy(mem + a, &ecall, 4);
    }
    cpu->mem_base = mem;
    cpu->mem_size = WIN;
    cpu->trap_hook = exec_trap_stop;
    cpu->mtvec = HANDLER;
    cpu->mie = 1u << RV_IRQ_MTI;
    cpu->mstatus |= RV_MSTATUS_MIE;
}

/* The run stopped at the handler's ecall after taking interrupt `irq` at `epc`. */
static void took_interrupt(rv_cpu_t *cpu, int stop, uint64_t vector, int irq, uint64_t epc) {
    assert_int_equal(stop, EXEC_STOP_ECALL);
    assert_int_equal(cpu->pc, vector);
    assert_int_equal(cpu->mcause, 1ull << 63 | (uint64_t)irq);
    assert_int_equal(cpu->mepc, epc);
    assert_int_equal(cpu->priv, RV_PRIV_M);
    assert_false(cpu->mstatus & RV_MSTATUS_MIE);
    assert_true(cpu->mstatus & RV_MSTATUS_MPIE);
}

static void pending_interrupt_taken(void **state) {
    (void)state;
    rv_cpu_t cpu;
    hart(&cpu);
    cpu.mip = 1u << RV_IRQ_MTI;
    took_interrupt(&cpu, exec_run(&cpu, 1000), HANDLER, RV_IRQ_MTI, 0);
    assert_int_equal((cpu.mstatus & RV_MSTATUS_MPP) >> 11, RV_PRIV_M);
    assert_int_equal(cpu.stats.interrupts, 1);
    exec_hart_destroy(&cpu);
}

static void masked_in_m_mode_not_below(void **state) {
    (void)state;
    rv_cpu_t cpu;
    hart(&cpu);
    cpu.mip = 1u << RV_IRQ_MTI;
    cpu.mstatus &= ~RV_MSTATUS_MIE;
    assert_int_equal(exec_run(&cpu, 1000), EXEC_STOP_BUDGET);
    assert_int_equal(cpu.pc, 0);
    assert_int_equal(cpu.stats.interrupts, 0);
    /* an M-level interrupt is always enabled below M */
    cpu.priv = RV_PRIV_U;
    int stop = exec_run(&cpu, 1000);
    assert_int_equal(stop, EXEC_STOP_ECALL);
    assert_int_equal(cpu.pc, HANDLER);
    assert_int_equal((cpu.mstatus & RV_MSTATUS_MPP) >> 11, RV_PRIV_U);
    /* nothing pending in mie: nothing taken */
    cpu.priv = RV_PRIV_M;
    cpu.mstatus |= RV_MSTATUS_MIE;
    cpu.mie = 0;
    cpu.pc = 0;
    assert_int_equal(exec_run(&cpu, 1000), EXEC_STOP_BUDGET);
    exec_hart_destroy(&cpu);
}

static void vectored_and_priority(void **state) {
    (void)state;
    rv_cpu_t cpu;
    hart(&cpu);
    cpu.mtvec = HANDLER | 1;
    cpu.mie = 1u << RV_IRQ_MTI | 1u << RV_IRQ_MSI;
    cpu.mip = 1u << RV_IRQ_MTI | 1u << RV_IRQ_MSI; /* software before timer */
    took_interrupt(&cpu, exec_run(&cpu, 1000), HANDLER + 4 * RV_IRQ_MSI, RV_IRQ_MSI, 0);
    exec_hart_destroy(&cpu);
}

static void *kick_later(void *arg) {
    rv_cpu_t *cpu = arg;
    usleep(30000);
    __atomic_or_fetch(&cpu->mip, 1u << RV_IRQ_MTI, __ATOMIC_SEQ_CST);
    rv_cpu_kick(cpu);
    return NULL;
}

static void kick_from_another_thread(void **state) {
    (void)state;
    rv_cpu_t cpu;
    hart(&cpu);
    pthread_t t;
    pthread_create(&t, NULL, kick_later, &cpu);
    int stop = exec_run(&cpu, UINT64_MAX); /* spins until the kick */
    pthread_join(t, NULL);
    took_interrupt(&cpu, stop, HANDLER, RV_IRQ_MTI, 0);
    assert_true(cpu.instret > 0);
    exec_hart_destroy(&cpu);
}

static int waits;
static void wait_sets_timer(void *env, rv_cpu_t *cpu) {
    (void)env;
    waits++;
    cpu->mip |= 1u << RV_IRQ_MTI;
}

static void wfi_waits_for_interrupt(void **state) {
    (void)state;
    rv_cpu_t cpu;
    hart(&cpu);
    cpu.wait = wait_sets_timer;
    cpu.pc = 4;
    waits = 0;
    took_interrupt(&cpu, exec_run(&cpu, 1000), HANDLER, RV_IRQ_MTI, 8);
    assert_int_equal(waits, 1);
    assert_int_equal(cpu.stats.waits, 1);
    /* without a wait hook wfi completes at once */
    cpu.wait = NULL;
    cpu.mie = 0;
    cpu.pc = 4;
    assert_int_equal(exec_run(&cpu, 1000), EXEC_STOP_ECALL);
    assert_int_equal(cpu.pc, 8);
    /* wfi in U-mode is illegal */
    cpu.priv = RV_PRIV_U;
    cpu.pc = 4;
    assert_int_equal(exec_run(&cpu, 1000), EXEC_STOP_EXCEPTION);
    assert_int_equal(cpu.cause, RV_CAUSE_ILLEGAL_INSN);
    exec_hart_destroy(&cpu);
}

static int handle_ecall(void *env, rv_cpu_t *cpu) {
    (void)env;
    if (cpu->cause != RV_CAUSE_ECALL_M) return exec_trap_stop(env, cpu);
    cpu->x[10] = 99;
    cpu->pc += 4;
    return RV_TRAP_HANDLED;
}

static void trap_hook_handles(void **state) {
    (void)state;
    rv_cpu_t cpu;
    hart(&cpu);
    cpu.trap_hook = handle_ecall;
    cpu.mie = 0;
    cpu.pc = 8;
    assert_int_equal(exec_run(&cpu, 1000), EXEC_STOP_BUDGET);
    assert_int_equal(cpu.x[10], 99);
    assert_int_equal(cpu.pc, 0xc);
    assert_int_equal(cpu.stats.traps[RV_CAUSE_ECALL_M], 0);
    exec_hart_destroy(&cpu);
}

/* The trap entry itself (rv_trap_enter), independent of the engine. */
static void delegation(void **state) {
    (void)state;
    rv_cpu_t cpu;
    rv_cpu_reset(&cpu);
    cpu.medeleg = 1u << RV_CAUSE_ILLEGAL_INSN;
    cpu.mideleg = 1u << RV_IRQ_STI;
    cpu.stvec = 0x4000;
    cpu.mtvec = 0x8000;
    cpu.mstatus |= RV_MSTATUS_SIE;
    cpu.priv = RV_PRIV_U;
    cpu.pc = 0x1234;
    rv_trap_enter(&cpu, RV_CAUSE_ILLEGAL_INSN, 0xbad, false);
    assert_int_equal(cpu.priv, RV_PRIV_S);
    assert_int_equal(cpu.pc, 0x4000);
    assert_int_equal(cpu.sepc, 0x1234);
    assert_int_equal(cpu.scause, RV_CAUSE_ILLEGAL_INSN);
    assert_int_equal(cpu.stval, 0xbad);
    assert_false(cpu.mstatus & RV_MSTATUS_SPP); /* came from U */
    assert_true(cpu.mstatus & RV_MSTATUS_SPIE);
    assert_false(cpu.mstatus & RV_MSTATUS_SIE);
    /* a delegated interrupt from S, vectored */
    cpu.stvec = 0x4000 | 1;
    cpu.pc = 0x2000;
    rv_trap_enter(&cpu, RV_IRQ_STI, 0, true);
    assert_int_equal(cpu.pc, 0x4000 + 4 * RV_IRQ_STI);
    assert_true(cpu.mstatus & RV_MSTATUS_SPP);
    assert_int_equal(cpu.scause, 1ull << 63 | RV_IRQ_STI);
    /* not delegated: M-mode */
    rv_trap_enter(&cpu, RV_CAUSE_BREAKPOINT, 0x2000, false);
    assert_int_equal(cpu.priv, RV_PRIV_M);
    assert_int_equal(cpu.pc, 0x8000);
    assert_int_equal(cpu.mepc, 0x4000 + 4 * RV_IRQ_STI);
    assert_int_equal((cpu.mstatus & RV_MSTATUS_MPP) >> 11, RV_PRIV_S);
    /* from M-mode nothing is delegated */
    rv_trap_enter(&cpu, RV_CAUSE_ILLEGAL_INSN, 0, false);
    assert_int_equal(cpu.priv, RV_PRIV_M);
    assert_int_equal(cpu.mcause, RV_CAUSE_ILLEGAL_INSN);
}

/* The decode arena's size is the hart's own (exec_options_t.decode_bytes): a run through more
 * blocks than a small arena holds drops the decoded code when it is full, and still ends where
 * it should; the default arena holds them all. */
static unsigned arena_flushes(size_t decode_bytes) {
    rv_cpu_t cpu;
    exec_options_t o = {
        .engine = engine, .threshold = 1, .strict = true, .decode_bytes = decode_bytes};
    assert_int_equal(exec_hart_init(&cpu, &o), 0);
    for (unsigned a = 0; a + 4 < WIN; a += 4) {
        uint32_t j4 = 0x0040006f; /* j .+4: one block per instruction */
        memcpy(mem + a, &j4, 4);
    }
    uint32_t ecall = 0x00000073;
    memcpy(mem + WIN - 4, &ecall, 4);
    cpu.mem_base = mem;
    cpu.mem_size = WIN;
    cpu.trap_hook = exec_trap_stop;
    assert_int_equal(exec_run(&cpu, 100000), EXEC_STOP_ECALL);
    assert_int_equal(cpu.pc, WIN - 4);
    unsigned flushes = (unsigned)cpu.stats.flushes;
    exec_hart_destroy(&cpu);
    return flushes;
}

static void decode_arena_size(void **state) {
    (void)state;
    assert_true(arena_flushes(64u << 10) > 0);
    assert_int_equal(arena_flushes(0), 0);
}

static int run_group(const char *name) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pending_interrupt_taken),
        cmocka_unit_test(masked_in_m_mode_not_below),
        cmocka_unit_test(vectored_and_priority),
        cmocka_unit_test(kick_from_another_thread),
        cmocka_unit_test(wfi_waits_for_interrupt),
        cmocka_unit_test(trap_hook_handles),
        cmocka_unit_test(delegation),
        cmocka_unit_test(decode_arena_size),
    };
    return _cmocka_run_group_tests(name, tests, sizeof(tests) / sizeof(tests[0]), NULL, NULL);
}

int main(void) {
    exec_register_engine(&jit_engine);
    engine = NULL;
    int failed = run_group("interp");
    if (jit_engine.supported()) {
        engine = "jit";
        failed += run_group("jit");
    } else {
        printf("jit group skipped: this host has no JIT backend\n");
    }
    return failed;
}
