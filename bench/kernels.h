/* kernels.h - the C kernels vm-bench times: deliberately naive loops (loops.c), the access
 * patterns of the volatile_vs_normal group (access.c) and the vector read/write loops that
 * measure the machine's bandwidth ceilings (ceiling.c). C++ benchmark code calls them. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Copy n bytes one byte at a time (never vectorised, never turned into a memcpy call). */
void *bench_byte_copy(void *dst, const void *src, size_t n);
/* Copy n bytes with 8-byte loads and stores, then the tail byte by byte. */
void *bench_u64_copy(void *dst, const void *src, size_t n);
/* Fill n bytes with (unsigned char)c one byte at a time. */
void *bench_byte_set(void *dst, int c, size_t n);
/* memmove contract one byte at a time: backwards when dst lies above src. */
void *bench_byte_move(void *dst, const void *src, size_t n);

/* The C library's memcpy/memmove/memset called as a program calls them, through the PLT
 * (callers.c): the glibc variant of the size groups. */
void *bench_libc_memcpy(void *dst, const void *src, size_t n);
void *bench_libc_memmove(void *dst, const void *src, size_t n);
void *bench_libc_memset(void *dst, int c, size_t n);
/* vm_memcpy/vm_memmove/vm_memset called as a C program calls them (the header's inline call
 * through the dispatch pointer): the vm_auto variant. */
void *bench_vm_memcpy(void *dst, const void *src, size_t n);
void *bench_vm_memmove(void *dst, const void *src, size_t n);
void *bench_vm_memset(void *dst, int c, size_t n);

/* Number of 32-bit words the volatile_vs_normal kernels write and then read back. */
enum { BENCH_ACCESS_WORDS = 256 };
/* BENCH_ACCESS_WORDS u32 stores then loads through a volatile pointer; returns the sum. */
uint32_t bench_access_volatile(uint32_t *buf, uint32_t seed);
/* The same stores and loads through a plain pointer; returns the sum. */
uint32_t bench_access_plain(uint32_t *buf, uint32_t seed);
/* The plain kernel plus the one thing a guest-RAM accessor must add: a bounds check per
 * access (offset < span, else an out-of-line miss handler that sets *err). Nothing else of
 * vm's, so its time is the least any checked accessor can take. */
uint32_t bench_access_plain_checked(uint32_t *buf, uint64_t span, uint32_t seed, int *err);
/* The plain kernel compiled with the vectoriser on (access_vec.c). */
uint32_t bench_access_plain_autovec(uint32_t *buf, uint32_t seed);

struct vm_mem;
/* The same stores and loads through vm's guest-RAM inline accessors (vm_mem_store32 /
 * vm_mem_load32) at guest-physical gpa; *err gets the first error code (0 when none). */
uint32_t bench_access_vm_mem(const struct vm_mem *mem, uint64_t gpa, uint32_t seed, int *err);

/* Widest vector kind the ceiling kernels use on this host ("avx512", "avx2", "sse2"). */
const char *bench_ceiling_isa(void);
/* Where the read kernels leave their accumulated value (keeps their loads alive). */
extern unsigned char bench_ceiling_sink[64];
/* The kinds of ceiling kernel: vector loads, ordinary stores, non-temporal stores. */
enum { BENCH_CEIL_READ, BENCH_CEIL_WRITE, BENCH_CEIL_WRITE_NT, BENCH_CEIL_KINDS };
/* Number of shapes of kernel `kind` this host runs (vector widths, unrolls, `rep stosb`). */
int bench_ceiling_shapes(int kind);
/* Name of shape i of kind ("zmm_x8", "ymm_x16", "rep_stosb", ...), NULL past the last. */
const char *bench_ceiling_shape_name(int kind, int i);
/* Run shape i of kind `passes` times over n bytes of buf (64-byte aligned, a multiple of
 * 1024); the write kernels store the byte 0x5a. */
void bench_ceiling_run(int kind, int i, void *buf, size_t n, size_t passes);

#ifdef __cplusplus
}
#endif
