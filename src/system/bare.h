/* bare.h - the bare machine: one RV64GC hart in M-mode, RAM at 0x80000000 and the HTIF
 * tohost/fromhost mailbox of the RISC-V test programs. Enough to run ISA tests and freestanding
 * benchmarks; devices, interrupts and the MMU come later. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "exec/exec.h"
#include "riscv/cpu.h"
#include "vm/mem.h"

#define BARE_RAM_BASE         0x80000000ull  /* guest-physical address of RAM */
#define BARE_RAM_DEFAULT_SIZE (256ull << 20) /* default RAM size */

/* A bare machine. */
typedef struct bare_machine {
    rv_cpu_t cpu;         /* the hart */
    vm_mem_t *mem;        /* the guest-physical address map */
    uint8_t *ram;         /* host mapping of guest RAM (inside mem) */
    uint64_t ram_size;    /* its size in bytes */
    uint8_t *page_flags;  /* RV_PAGE_* per 4 KiB RAM page (shared with the hart) */
    uint64_t *code_lines; /* decoded-code bit per 64-byte RAM line (shared with the hart) */
    bool has_tohost;      /* the program defines `tohost` */
    uint64_t tohost;      /* guest address of tohost */
    uint64_t fromhost;    /* guest address of fromhost (0 if absent) */
    bool exited;          /* the program wrote an exit code to tohost */
    uint64_t exit_value;  /* the code it wrote (the payload, tohost >> 1) */
    FILE *console;        /* where HTIF console output goes (stdout) */
} bare_machine_t;

/* Set up a machine with `ram_size` bytes of RAM (a multiple of 4 KiB, at least 64 KiB) whose
 * hart executes as `exec` says (NULL: the interpreter). Returns 0 or -errno with *err set. */
int bare_init(bare_machine_t *m, uint64_t ram_size, const exec_options_t *exec, const char **err);

/* Free the machine's memory. */
void bare_destroy(bare_machine_t *m);

/* Load an ELF image: PT_LOAD segments at their physical addresses (which must lie in RAM),
 * pc = entry, tohost/fromhost from the symbol table. Returns 0 or -errno with *err set. */
int bare_load_elf(bare_machine_t *m, const uint8_t *data, size_t size, const char **err);

/* Run until the program exits through tohost or max_insns instructions have retired
 * (0 = no limit). Returns an enum rv_stop (EXEC_STOP_HALT when the program exited). */
int bare_run(bare_machine_t *m, uint64_t max_insns);
