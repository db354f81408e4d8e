/* memops_avx512h.c - the AVX-512 implementation with a copy loop of 32-byte halves, for CPUs
 * whose vector units split 512-bit accesses (see memops_avx512.c). */
#define MO_AVX512_HALVES 1
#include "memops_avx512.c"
