/* access_vm.c - the vm_mem_api variant of volatile_vs_normal: the same 256 stores and 256
 * loads as access.c, each made through vm's inline guest-RAM accessors, compiled under the
 * same rules (no vectoriser) so the comparison with the plain kernel is like for like. */
#include "kernels.h"

#include "vm/mem.h"

uint32_t bench_access_vm_mem(const struct vm_mem *mem, uint64_t gpa, uint32_t seed, int *err) {
    vm_mem_err_t bad = VM_MEM_OK;
    for (uint32_t i = 0; i < BENCH_ACCESS_WORDS; i++) {
        vm_mem_err_t e = vm_mem_store32(mem, gpa + 4u * i, seed + i);
        if (e != VM_MEM_OK && bad == VM_MEM_OK) bad = e;
    }
    __asm__ volatile("" ::: "memory");
    uint32_t sum = 0;
    for (uint32_t i = 0; i < BENCH_ACCESS_WORDS; i++) {
        uint32_t v;
        vm_mem_err_t e = vm_mem_load32(mem, gpa + 4u * i, &v);
        if (e != VM_MEM_OK && bad == VM_MEM_OK) bad = e;
        sum += v;
    }
    *err = (int)bad;
    return sum;
}
