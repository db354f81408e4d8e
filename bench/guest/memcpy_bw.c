/* memcpy_bw.c - the guest memcpy benchmark of the JIT targets (bench/jit.sh): copies one
 * 1 MiB block to another with the C library's memcpy, again and again, and reports the
 * bandwidth. Built for riscv64 (static, glibc's memcpy runs as guest code) and natively
 * (the host's memcpy), so guest GB/s / native GB/s is the fraction of host bandwidth an
 * executor reaches.
 *
 * The run is time-bound rather than count-bound, so one binary fits executors that differ
 * by a factor of a hundred: a warm-up (WARM seconds, lets a JIT translate the loop and the
 * caches fill), then copies until SECONDS have passed, the clock read every few copies.
 * memcpy is called through a volatile pointer and the buffers escape after every copy, so
 * no copy can be dropped or merged.
 *
 * stdout, line 1 (identical under every executor, the harness compares it): the block size
 * and a checksum of the destination after the last copy. Line 2: "GB/s: X" (varies).
 *
 *   memcpy_bw [SECONDS [WARM]]      (defaults 0.3 and 0.05)
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BLOCK       (1u << 20) /* bytes per memcpy call */
#define CHECK_EVERY 8          /* copies between two clock reads */

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Copy for at least `seconds`; returns the copies made, their time in *took. */
static uint64_t copy_for(void *(*volatile cp)(void *, const void *, size_t), uint8_t *dst,
                         const uint8_t *src, double seconds, double *took) {
    uint64_t n = 0;
    double t0 = now(), t;
    do {
        for (int i = 0; i < CHECK_EVERY; i++) {
            cp(dst, src, BLOCK);
            __asm__ volatile("" : : "r"(dst) : "memory");
        }
        n += CHECK_EVERY;
        t = now();
    } while (t - t0 < seconds);
    *took = t - t0;
    return n;
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 0.3;
    double warm = argc > 2 ? atof(argv[2]) : 0.05;
    uint8_t *src = aligned_alloc(4096, BLOCK), *dst = aligned_alloc(4096, BLOCK);
    if (!src || !dst) {
        fprintf(stderr, "memcpy_bw: out of memory\n");
        return 1;
    }
    uint32_t x = 12345;
    for (uint32_t i = 0; i < BLOCK; i++) {
        x = x * 1103515245u + 12345u;
        src[i] = (uint8_t)(x >> 16);
    }
    memset(dst, 0, BLOCK);
    void *(*volatile cp)(void *, const void *, size_t) = memcpy;
    double took;
    copy_for(cp, dst, src, warm, &took);
    uint64_t n = copy_for(cp, dst, src, seconds, &took);
    uint64_t h = 14695981039346656037ull;
    for (uint32_t i = 0; i < BLOCK; i += 8) {
        uint64_t w;
        memcpy(&w, dst + i, 8);
        h = (h ^ w) * 1099511628211ull;
    }
    printf("memcpy_bw block %u checksum %016llx\n", BLOCK, (unsigned long long)h);
    printf("GB/s: %.3f\n", (double)n * BLOCK / took / 1e9);
    free(src);
    free(dst);
    return 0;
}
