/* board.h - what the machines of src/system share: a hart's physical memory access through
 * the guest-physical address map, and guest-physical RAM for the MMU. */
#pragma once

#include <errno.h>
#include <stdint.h>

#include "riscv/cpu.h"
#include "vm/mem.h"

/* The hart's slow path on a board: the address map serves every access type (RAM outside
 * the window, ROM, MMIO); anything it refuses becomes an access fault. */
static inline int board_mem_access(vm_mem_t *mem, uint64_t addr, void *buf, unsigned len,
                                   rv_access_t type) {
    vm_mem_err_t e = type == RV_ACC_STORE || type == RV_ACC_AMO ? vm_mem_write(mem, addr, buf, len)
                                                                : vm_mem_read(mem, addr, buf, len);
    return e == VM_MEM_OK ? 0 : -EFAULT;
}

/* Host address of [pa, pa+len) when it lies in the RAM at `base` of `size` bytes, else NULL
 * (page tables and AMOs must be in RAM). */
static inline void *board_ram_ptr(uint8_t *ram, uint64_t base, uint64_t size, uint64_t pa,
                                  unsigned len) {
    uint64_t o = pa - base;
    return o < size && size - o >= len ? ram + o : NULL;
}
