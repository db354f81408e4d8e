/* test_cpu.c - the hart in user mode, driven directly: ecall/ebreak/illegal stops with exact
 * pc and cause, the instruction budget, interrupt_request from another thread, LR/SC and AMOs
 * from two host threads on shared memory, and a host SIGSEGV unwinding out of exec_run with
 * precise state (the scheme the Linux layer uses for PROT_NONE holes). */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "exec/exec.h"
#include "riscv/cpu.h"

#define PAGE 4096
/* Code at guest address 0 (see the comments for the assembly). */
static const uint32_t code[] = {
    0x00b5302f, /* 0x00 loop: amoadd.d zero, a1, (a0) */
    0x100632af, /* 0x04 retry: lr.d t0, (a2) */
    0x00128293, /* 0x08 addi t0, t0, 1 */
    0x1856332f, /* 0x0c sc.d t1, t0, (a2) */
    0xfe031ae3, /* 0x10 bnez t1, retry */
    0xfff68693, /* 0x14 addi a3, a3, -1 */
    0xfe0694e3, /* 0x18 bnez a3, loop */
    0x00000073, /* 0x1c ecall */
    0x02a00413, /* 0x20 li s0, 42 */
    0x0005b503, /* 0x24 ld a0, 0(a1) */
    0x00000073, /* 0x28 ecall */
    0x0000006f, /* 0x2c spin: j spin */
    0x00100073, /* 0x30 ebreak */
    0xffffffff, /* 0x34 illegal */
};

/* Guest memory: two RW pages, then a PROT_NONE page inside the window. */
static uint8_t *mem;

static int setup(void **state) {
    (void)state;
    mem = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) return -1;
    memcpy(mem, code, sizeof(code));
    return mprotect(mem + 2 * PAGE, PAGE, PROT_NONE);
}

static int teardown(void **state) {
    (void)state;
    munmap(mem, 3 * PAGE);
    return 0;
}

static void cpu_setup(rv_cpu_t *cpu) {
    assert_int_equal(exec_hart_init(cpu, NULL), 0);
    cpu->trap_hook = exec_trap_stop;
    cpu->priv = RV_PRIV_U;
    cpu->mcounteren = 7;
    cpu->mem_base = mem;
    cpu->mem_size = 3 * PAGE;
}

static void stops(void **state) {
    (void)state;
    rv_cpu_t cpu;
    cpu_setup(&cpu);
    /* a 3-iteration loop ending in ecall */
    cpu.x[10] = PAGE;
    cpu.x[11] = 1;
    cpu.x[12] = PAGE + 8;
    cpu.x[13] = 3;
    memset(mem + PAGE, 0, 16);
    assert_int_equal(exec_run(&cpu, UINT64_MAX), EXEC_STOP_ECALL);
    assert_int_equal(cpu.pc, 0x1c);
    assert_int_equal(cpu.instret, 3 * 7);
    uint64_t v;
    memcpy(&v, mem + PAGE, 8);
    assert_int_equal(v, 3);
    memcpy(&v, mem + PAGE + 8, 8);
    assert_int_equal(v, 3);
    /* ebreak, then illegal with tval = the bits */
    cpu.pc = 0x30;
    assert_int_equal(exec_run(&cpu, UINT64_MAX), EXEC_STOP_EBREAK);
    assert_int_equal(cpu.pc, 0x30);
    cpu.pc = 0x34;
    assert_int_equal(exec_run(&cpu, UINT64_MAX), EXEC_STOP_EXCEPTION);
    assert_int_equal(cpu.cause, RV_CAUSE_ILLEGAL_INSN);
    assert_int_equal(cpu.tval, 0xffffffff);
    assert_int_equal(cpu.pc, 0x34);
    /* fetch outside the window: access fault at the target */
    cpu.pc = 1ull << 40;
    assert_int_equal(exec_run(&cpu, UINT64_MAX), EXEC_STOP_EXCEPTION);
    assert_int_equal(cpu.cause, RV_CAUSE_FETCH_ACCESS);
    assert_int_equal(cpu.tval, 1ull << 40);
    /* load outside the window with no slow path: load access fault, precise */
    cpu.pc = 0x20;
    cpu.x[11] = 1ull << 40;
    uint64_t before = cpu.instret;
    assert_int_equal(exec_run(&cpu, UINT64_MAX), EXEC_STOP_EXCEPTION);
    assert_int_equal(cpu.cause, RV_CAUSE_LOAD_ACCESS);
    assert_int_equal(cpu.tval, 1ull << 40);
    assert_int_equal(cpu.pc, 0x24);
    assert_int_equal(cpu.x[8], 42);
    assert_int_equal(cpu.instret, before + 1);
    /* budget: the spin loop stops after about the budget */
    cpu.pc = 0x2c;
    before = cpu.instret;
    assert_int_equal(exec_run(&cpu, 1000), EXEC_STOP_BUDGET);
    assert_true(cpu.instret - before >= 1000 && cpu.instret - before < 1100);
    assert_true(cpu.stats.blocks_decoded > 0);
    exec_hart_destroy(&cpu);
}

/* Code changed behind the decoder's back is picked up after exec_invalidate_range; a range
 * without decoded code does not flush. */
static void invalidate_range(void **state) {
    (void)state;
    rv_cpu_t cpu;
    cpu_setup(&cpu);
    cpu.pc = 0x20; /* li s0, 42; ld a0, 0(a1); ecall */
    cpu.x[11] = PAGE;
    assert_int_equal(exec_run(&cpu, UINT64_MAX), EXEC_STOP_ECALL);
    assert_int_equal(cpu.x[8], 42);
    uint64_t flushes = cpu.stats.flushes;
    exec_invalidate_range(&cpu, PAGE, 64); /* data page: nothing decoded there */
    assert_int_equal(cpu.stats.flushes, flushes);
    uint32_t li7 = 0x00700413; /* li s0, 7 */
    memcpy(mem + 0x20, &li7, 4);
    cpu.pc = 0x20;
    assert_int_equal(exec_run(&cpu, UINT64_MAX), EXEC_STOP_ECALL);
    assert_int_equal(cpu.x[8], 42); /* still the cached decode */
    exec_invalidate_range(&cpu, 0x20, 4);
    assert_int_equal(cpu.stats.flushes, flushes + 1);
    cpu.pc = 0x20;
    assert_int_equal(exec_run(&cpu, UINT64_MAX), EXEC_STOP_ECALL);
    assert_int_equal(cpu.x[8], 7);
    memcpy(mem + 0x20, &code[8], 4); /* restore for the other tests */
    exec_hart_destroy(&cpu);
}

static void *poke(void *arg) {
    rv_cpu_t *cpu = arg;
    usleep(20000);
    rv_cpu_interrupt(cpu);
    return NULL;
}

static void interrupt_from_thread(void **state) {
    (void)state;
    rv_cpu_t cpu;
    cpu_setup(&cpu);
    cpu.pc = 0x2c;
    pthread_t t;
    pthread_create(&t, NULL, poke, &cpu);
    assert_int_equal(exec_run(&cpu, UINT64_MAX), EXEC_STOP_INTERRUPT);
    pthread_join(t, NULL);
    assert_int_equal(cpu.pc, 0x2c);
    atomic_store(&cpu.interrupt_request, 0);
    atomic_store(&cpu.halt_request, 1);
    rv_cpu_interrupt(&cpu);
    assert_int_equal(exec_run(&cpu, UINT64_MAX), EXEC_STOP_HALT);
    exec_hart_destroy(&cpu);
}

#define ITERS 200000
static void *atomic_worker(void *arg) {
    rv_cpu_t *cpu = arg;
    cpu->pc = 0;
    cpu->x[10] = PAGE;
    cpu->x[11] = 1;
    cpu->x[12] = PAGE + 64;
    cpu->x[13] = ITERS;
    int r = exec_run(cpu, UINT64_MAX);
    return (void *)(intptr_t)r;
}

static void atomics_two_threads(void **state) {
    (void)state;
    rv_cpu_t cpu[2];
    memset(mem + PAGE, 0, 128);
    cpu_setup(&cpu[0]);
    cpu_setup(&cpu[1]);
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, atomic_worker, &cpu[i]);
    for (int i = 0; i < 2; i++) {
        void *r;
        pthread_join(t[i], &r);
        assert_int_equal((intptr_t)r, EXEC_STOP_ECALL);
    }
    uint64_t amo, lrsc;
    memcpy(&amo, mem + PAGE, 8);
    memcpy(&lrsc, mem + PAGE + 64, 8);
    assert_int_equal(amo, 2 * ITERS);
    assert_int_equal(lrsc, 2 * ITERS);
    exec_hart_destroy(&cpu[0]);
    exec_hart_destroy(&cpu[1]);
}

static _Thread_local rv_cpu_t *fault_cpu;

static void on_segv(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    (void)uc;
    rv_cpu_t *cpu = fault_cpu;
    rv_cpu_host_fault(cpu, RV_CAUSE_LOAD_PAGE_FAULT,
                      (uint64_t)((uint8_t *)si->si_addr - cpu->mem_base));
}

static void host_fault_unwinds(void **state) {
    (void)state;
    rv_cpu_t cpu;
    cpu_setup(&cpu);
    cpu.catch_host_faults = true;
    fault_cpu = &cpu;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGSEGV, &sa, &old), 0);
    for (int round = 0; round < 3; round++) { /* repeatable: the signal mask is restored */
        cpu.pc = 0x20;
        cpu.x[8] = 0;
        cpu.x[11] = 2 * PAGE + 8;
        cpu.x[5] = 0x1234;
        uint64_t before = cpu.instret;
        assert_int_equal(exec_run(&cpu, UINT64_MAX), EXEC_STOP_EXCEPTION);
        assert_int_equal(cpu.cause, RV_CAUSE_LOAD_PAGE_FAULT);
        assert_int_equal(cpu.tval, 2 * PAGE + 8);
        assert_int_equal(cpu.pc, 0x24);
        assert_int_equal(cpu.x[8], 42); /* the li before the faulting load retired */
        assert_int_equal(cpu.x[5], 0x1234);
        assert_int_equal(cpu.instret, before + 1);
    }
    /* fetching from the PROT_NONE page reports an instruction page fault */
    cpu.pc = 2 * PAGE + 16;
    assert_int_equal(exec_run(&cpu, UINT64_MAX), EXEC_STOP_EXCEPTION);
    assert_int_equal(cpu.cause, RV_CAUSE_FETCH_PAGE_FAULT);
    assert_int_equal(cpu.pc, 2 * PAGE + 16);
    assert_false(cpu.fetching);
    sigaction(SIGSEGV, &old, NULL);
    exec_hart_destroy(&cpu);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stops),
        cmocka_unit_test(invalidate_range),
        cmocka_unit_test(interrupt_from_thread),
        cmocka_unit_test(atomics_two_threads),
        cmocka_unit_test(host_fault_unwinds),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
