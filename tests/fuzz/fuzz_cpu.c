/* fuzz_cpu.c - libFuzzer target: the input is guest code. It is decoded and disassembled word
 * by word, then run in user mode in a 64 KiB window for a bounded number of instructions.
 * Whatever the bytes, the decoder, the interpreter and the JIT must neither crash nor touch
 * host memory outside the window (ASan/UBSan watch), and where both engines stop (ecall,
 * ebreak, a fault) they must agree on every register, the pc, instret and the memory. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jit/jit.h"
#include "riscv/cpu.h"
#include "riscv/decode.h"

#define WINDOW (64u * 1024u)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Load the input into a hart's window and reset its state. The window's pages are watched
 * for stores into decoded code (as in user mode), so code that rewrites itself runs its new
 * instructions in both engines, not whatever each had decoded before. */
static void setup(rv_cpu_t *cpu, uint8_t *mem, uint8_t *flags, const uint8_t *data, size_t size) {
    cpu->page_flags = flags;
    exec_flush(cpu); /* new code in the window */
    memset(cpu->x, 0, sizeof(cpu->x));
    memset(cpu->f, 0, sizeof(cpu->f));
    cpu->pc = 0;
    cpu->instret = 0;
    cpu->fflags = cpu->frm = 0;
    cpu->resv_valid = false;
    memset(mem, 0, WINDOW);
    memcpy(mem, data, size < WINDOW ? size : WINDOW);
    cpu->trap_hook = exec_trap_stop;
    cpu->priv = RV_PRIV_U;
    cpu->mcounteren = 7;
    cpu->mem_base = mem;
    cpu->mem_size = WINDOW;
    for (int i = 0; i < 32; i++)
        cpu->x[i] = (uint64_t)i * 0x101; /* small, mostly in-window */
    cpu->x[0] = 0;
    cpu->x[2] = WINDOW - 256;
}

/* Run until a stop other than the budget (returned) or about 16000 instructions (0). */
static int run(rv_cpu_t *cpu) {
    for (int round = 0; round < 8; round++) {
        int r = exec_run(cpu, 2000);
        if (cpu->x[0] != 0) abort();
        if (r != EXEC_STOP_BUDGET) return r;
    }
    return 0;
}

static rv_cpu_t cpu, cpu_jit; /* the two harts, reused by every input */

/* At exit: free the harts' engine state (the JIT's lives on pages of its own, which the leak
 * checker does not scan, so what it points to would read as leaked). */
static void free_harts(void) {
    if (cpu.icache) exec_hart_destroy(&cpu);
    if (cpu_jit.icache) exec_hart_destroy(&cpu_jit);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static uint8_t *mem, *mem_jit;
    static uint8_t flags[WINDOW >> 12], flags_jit[WINDOW >> 12];
    if (!mem) {
        mem = malloc(WINDOW);
        mem_jit = malloc(WINDOW);
        if (!mem || !mem_jit) abort();
        atexit(free_harts);
    }
    char buf[96];
    for (size_t i = 0; i + 4 <= size; i += 2) {
        uint32_t w;
        memcpy(&w, data + i, 4);
        rv_op_t op;
        (void)rv_decode(w, &op);
        rv_disasm(w, i, buf, sizeof(buf));
    }
    if (!cpu.icache && exec_hart_init(&cpu, NULL) != 0) abort();
    setup(&cpu, mem, flags, data, size);
    int r = run(&cpu);
    if (!jit_engine.supported()) return 0;
    /* the same code under the JIT (every block translated on first run) must stop in the same
     * architectural state as the interpreter */
    if (!cpu_jit.icache) {
        exec_register_engine(&jit_engine);
        exec_options_t o = {.engine = "jit", .threshold = 1, .strict = true};
        if (exec_hart_init(&cpu_jit, &o) != 0) abort();
    }
    setup(&cpu_jit, mem_jit, flags_jit, data, size);
    int rj = run(&cpu_jit);
    if (r != 0 && rj != 0) {
        if (r != rj || cpu.pc != cpu_jit.pc || cpu.instret != cpu_jit.instret ||
            memcmp(cpu.x, cpu_jit.x, sizeof(cpu.x)) || memcmp(cpu.f, cpu_jit.f, sizeof(cpu.f)) ||
            cpu.fflags != cpu_jit.fflags || memcmp(mem, mem_jit, WINDOW) ||
            (r == EXEC_STOP_EXCEPTION && (cpu.cause != cpu_jit.cause || cpu.tval != cpu_jit.tval)))
            abort(); /* the engines disagree */
    }
    return 0; /* the harts are reused by the next input (freed at exit) */
}
