/* fuzz_cpu.c - libFuzzer target: the input is guest code. It is decoded and disassembled word
 * by word, then run in user mode in a 64 KiB window for a bounded number of instructions.
 * Whatever the bytes, the decoder and the interpreter must neither crash nor touch host
 * memory outside the window (ASan/UBSan watch). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "riscv/cpu.h"
#include "riscv/decode.h"

#define WINDOW (64u * 1024u)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static uint8_t *mem;
    static rv_cpu_t cpu;
    if (!mem) {
        mem = malloc(WINDOW);
        if (!mem) abort();
    }
    char buf[96];
    for (size_t i = 0; i + 4 <= size; i += 2) {
        uint32_t w;
        memcpy(&w, data + i, 4);
        rv_op_t op;
        (void)rv_decode(w, &op);
        rv_disasm(w, i, buf, sizeof(buf));
    }
    if (!cpu.icache && rv_cpu_init(&cpu) != 0) abort();
    rv_cpu_flush_icache(&cpu); /* new code in the window */
    memset(cpu.x, 0, sizeof(cpu.x));
    memset(cpu.f, 0, sizeof(cpu.f));
    cpu.pc = 0;
    cpu.fflags = cpu.frm = 0;
    cpu.resv_valid = false;
    memset(mem, 0, WINDOW);
    memcpy(mem, data, size < WINDOW ? size : WINDOW);
    cpu.user_mode = true;
    cpu.mem_base = mem;
    cpu.mem_size = WINDOW;
    for (int i = 0; i < 32; i++)
        cpu.x[i] = (uint64_t)i * 0x101; /* small, mostly in-window */
    cpu.x[0] = 0;
    cpu.x[2] = WINDOW - 256;
    for (int round = 0; round < 8; round++) {
        int r = rv_run(&cpu, 2000);
        if (cpu.x[0] != 0) abort();
        if (r == RV_STOP_ECALL)
            cpu.pc += 4;
        else if (r != RV_STOP_BUDGET)
            break;
    }
    return 0; /* the hart is reused by the next input (freed at exit) */
}
