/* memops_fallback.c - TEMPORARY stand-in for memops until that module is merged. */
#include <string.h>

#include "vm/memops.h"

void *vm_memcpy(void *restrict dst, const void *restrict src, size_t n) {
    return memcpy(dst, src, n);
}
void *vm_memset(void *dst, int c, size_t n) {
    return memset(dst, c, n);
}
void *vm_memmove(void *dst, const void *src, size_t n) {
    return memmove(dst, src, n);
}
int vm_memcmp(const void *a, const void *b, size_t n) {
    return memcmp(a, b, n);
}
