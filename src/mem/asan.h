/* asan.h - manual AddressSanitizer poisoning for memory vm hands out itself (pool slots), so
 * that sanitizer builds catch use-after-free and overflows inside slabs. Without ASan the
 * helpers compile to nothing. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#if defined(__SANITIZE_ADDRESS__)
#define VM_MEM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VM_MEM_ASAN 1
#endif
#endif

#ifdef VM_MEM_ASAN
#include <sanitizer/asan_interface.h>
/* Mark [p, p+n) as not to be touched. */
static inline void mem_asan_poison(const void *p, size_t n) {
    __asan_poison_memory_region(p, n);
}
/* Mark [p, p+n) as usable again. */
static inline void mem_asan_unpoison(const void *p, size_t n) {
    __asan_unpoison_memory_region(p, n);
}
/* True when the byte at p is poisoned (a freed slot). */
static inline bool mem_asan_poisoned(const void *p) {
    return __asan_address_is_poisoned(p);
}
#else
/* Without ASan: nothing to mark. */
static inline void mem_asan_poison(const void *p, size_t n) {
    (void)p;
    (void)n;
}
/* Without ASan: nothing to mark. */
static inline void mem_asan_unpoison(const void *p, size_t n) {
    (void)p;
    (void)n;
}
/* Without ASan: no byte is ever known to be poisoned. */
static inline bool mem_asan_poisoned(const void *p) {
    (void)p;
    return false;
}
#endif
