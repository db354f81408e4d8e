/* callers.c - the C library's and vm's bulk operations called the way a C program calls them,
 * for the glibc and vm_auto variants of the size groups.
 *
 * A program's memcpy(d, s, n) is a call to the PLT entry, which jumps through the GOT into
 * the implementation the dynamic loader chose; a program's vm_memcpy(d, s, n) loads vm's
 * dispatch pointer and calls through it (vm/memops.h). vm-bench calls every variant through
 * a function pointer, so each wrapper here adds the same thing to both, a jump: the glibc
 * wrappers tail-jump to the PLT entry (which then jumps on), the vm ones through the dispatch
 * pointer. Taking &memcpy instead, as vm-bench once did, hands the benchmark the resolved
 * function and skips the PLT jump that a real caller pays. */
#include <string.h>

#include "kernels.h"

#include "vm/memops.h"

void *bench_libc_memcpy(void *dst, const void *src, size_t n) {
    return memcpy(dst, src, n);
}
void *bench_libc_memmove(void *dst, const void *src, size_t n) {
    return memmove(dst, src, n);
}
void *bench_libc_memset(void *dst, int c, size_t n) {
    return memset(dst, c, n);
}
void *bench_vm_memcpy(void *dst, const void *src, size_t n) {
    return vm_memcpy(dst, src, n);
}
void *bench_vm_memmove(void *dst, const void *src, size_t n) {
    return vm_memmove(dst, src, n);
}
void *bench_vm_memset(void *dst, int c, size_t n) {
    return vm_memset(dst, c, n);
}
