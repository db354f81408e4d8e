/* memacc.c - the out-of-line slow path of guest memory accesses (see memacc.h). */
#include "riscv/memacc.h"

#include "riscv/mmu.h"

__attribute__((noinline)) bool rv_mem_slow(rv_cpu_t *cpu, uint64_t addr, void *buf, unsigned len,
                                           rv_access_t type) {
    if (cpu->xlate) return rv_mmu_access(cpu, addr, buf, len, type);
    if (cpu->mem_slow && cpu->mem_slow(cpu->env, addr, buf, len, type) == 0) return true;
    cpu->cause = rv_access_fault(type);
    cpu->tval = addr;
    return false;
}

__attribute__((noinline)) void *rv_mem_slow_ptr(rv_cpu_t *cpu, uint64_t addr, unsigned len,
                                                rv_access_t type) {
    if (cpu->phys_ptr) return rv_mmu_ptr(cpu, addr, len, type);
    cpu->cause = rv_access_fault(type);
    cpu->tval = addr;
    return NULL;
}
