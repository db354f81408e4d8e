/* fpu_bench.c - time per call of the soft-float FPU operations (vm-fpu-bench).
 *
 * Each operation runs over a fixed table of 4096 operand sets (random normal numbers from a
 * fixed seed, in [2^-10, 2^10], and a mix of rounding modes where the op takes one); the
 * figure is the median of 9 timed passes, in ns per call. A host multiply-add loop over the
 * same data is timed in the same run as a scale. Usage: vm-fpu-bench [passes-per-sample].
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "riscv/fpu.h"

#define N       4096
#define SAMPLES 9

static uint64_t da[N], db[N], dc[N];
static uint32_t sa[N], sb[N], sc[N];
static unsigned rms[N];

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint64_t rng = 0x853c49e6748fea9bull;
static uint64_t rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A random normal double in [2^-10, 2^10] with a random sign. */
static double rnd_double(void) {
    uint64_t bits = (rnd() & 0x800fffffffffffffull) | ((1023 - 10 + rnd() % 21) << 52);
    double d;
    memcpy(&d, &bits, 8);
    return d;
}

/* The host's own x * y + x on the same data, as the scale for the soft-float figures. */
static uint64_t host_madd(uint64_t a, uint64_t b) {
    double x, y, r;
    memcpy(&x, &a, 8);
    memcpy(&y, &b, 8);
    r = x * y + x;
    memcpy(&a, &r, 8);
    return a;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static volatile uint64_t sink; /* keeps results alive */

/* Median over SAMPLES of `passes` passes of the loop body, in ns per element. */
#define TIME(name, expr)                                                                           \
    do {                                                                                           \
        double t_[SAMPLES];                                                                        \
        uint32_t fl = 0;                                                                           \
        uint64_t acc = 0;                                                                          \
        for (int s_ = 0; s_ < SAMPLES; s_++) {                                                     \
            double t0 = now();                                                                     \
            for (int p_ = 0; p_ < passes; p_++)                                                    \
                for (int i = 0; i < N; i++)                                                        \
                    acc += (uint64_t)(expr);                                                       \
            t_[s_] = (now() - t0) / passes / N * 1e9;                                              \
        }                                                                                          \
        qsort(t_, SAMPLES, sizeof t_[0], cmp_double);                                              \
        sink = acc + fl;                                                                           \
        printf("%-12s %7.2f ns\n", name, t_[SAMPLES / 2]);                                         \
    } while (0)

int main(int argc, char **argv) {
    int passes = argc > 1 ? atoi(argv[1]) : 50;
    if (passes < 1) {
        fprintf(stderr, "usage: vm-fpu-bench [passes-per-sample >= 1]\n");
        return 2;
    }
    for (int i = 0; i < N; i++) {
        double x = rnd_double(), y = rnd_double(), z = rnd_double();
        float fx = (float)x, fy = (float)y, fz = (float)z;
        memcpy(&da[i], &x, 8);
        memcpy(&db[i], &y, 8);
        memcpy(&dc[i], &z, 8);
        memcpy(&sa[i], &fx, 4);
        memcpy(&sb[i], &fy, 4);
        memcpy(&sc[i], &fz, 4);
        rms[i] = (unsigned)(rnd() % 5);
    }
    printf("op           median per call (%d x %d calls per sample)\n", passes, N);
    TIME("fadd.d", rv_f64_add(da[i], db[i], rms[i], &fl));
    TIME("fmul.d", rv_f64_mul(da[i], db[i], rms[i], &fl));
    TIME("fdiv.d", rv_f64_div(da[i], db[i], rms[i], &fl));
    TIME("fsqrt.d", rv_f64_sqrt(da[i] & ~(1ull << 63), rms[i], &fl));
    TIME("fmadd.d", rv_f64_madd(da[i], db[i], dc[i], rms[i], &fl));
    TIME("fadd.s", rv_f32_add(sa[i], sb[i], rms[i], &fl));
    TIME("fmul.s", rv_f32_mul(sa[i], sb[i], rms[i], &fl));
    TIME("fdiv.s", rv_f32_div(sa[i], sb[i], rms[i], &fl));
    TIME("fsqrt.s", rv_f32_sqrt(sa[i] & ~(1u << 31), rms[i], &fl));
    TIME("fmadd.s", rv_f32_madd(sa[i], sb[i], sc[i], rms[i], &fl));
    TIME("fcvt.l.d", rv_f64_to_l(da[i], rms[i], &fl));
    TIME("fcvt.d.l", rv_f64_from_l((int64_t)da[i] >> 12, rms[i], &fl));
    TIME("fcvt.s.d", rv_f64_to_f32(da[i], rms[i], &fl));
    TIME("flt.d", rv_f64_lt(da[i], db[i], &fl));
    TIME("fmin.d", rv_f64_min(da[i], db[i], &fl));
    TIME("host x*y+x", host_madd(da[i], db[i]));
    return 0;
}
