/* access_vm.c - the vm_mem_api variant of volatile_vs_normal: the same 256 stores and 256
 * loads as access.c, each made through vm's inline guest-RAM accessors, compiled under the
 * same rules (no vectoriser) so the comparison with the plain kernel is like for like.
 *
 * The loop works on a local copy of the map's fast window (vm_mem_fast()), as a hot loop
 * such as the interpreter's should: a guest store through a byte pointer may alias the
 * fields of vm_mem_t, so accessors that read the window through the map pointer make the
 * compiler reload it after every store (docs/memory.md, performance checklist). */
#include "kernels.h"

#include "vm/mem.h"

uint32_t bench_access_vm_mem(const struct vm_mem *mem, uint64_t gpa, uint32_t seed, int *err) {
    vm_mem_err_t bad = VM_MEM_OK;
    const vm_mem_fast_t w = vm_mem_fast(mem);
    for (uint32_t i = 0; i < BENCH_ACCESS_WORDS; i++) {
        vm_mem_err_t e = vm_mem_fast_store32(&w, gpa + 4u * i, seed + i);
        if (e != VM_MEM_OK && bad == VM_MEM_OK) bad = e;
    }
    __asm__ volatile("" ::: "memory");
    uint32_t sum = 0;
    for (uint32_t i = 0; i < BENCH_ACCESS_WORDS; i++) {
        uint32_t v;
        vm_mem_err_t e = vm_mem_fast_load32(&w, gpa + 4u * i, &v);
        if (e != VM_MEM_OK && bad == VM_MEM_OK) bad = e;
        sum += v;
    }
    *err = (int)bad;
    return sum;
}
