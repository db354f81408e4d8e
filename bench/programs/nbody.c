/* nbody.c - whole-program benchmark of single-precision floating point: an n-body simulation
 * (every pair of NB bodies each step) whose inner loop is fused multiply-adds (fmaf), a square
 * root, a multiplication and a division per pair; each step ends by binning the positions on a
 * grid (float-to-int conversions) and feeding the bin counts back into the masses (int-to-float
 * conversions). fmaf is explicit, so the bits are the same natively (the C library's correctly
 * rounded fmaf) and on riscv64 (fmadd.s) under -ffp-contract=off. CPU-bound, no system calls
 * in the loop. Prints a checksum of the final state.
 * Usage: nbody [steps] */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NB   192 /* bodies */
#define GRID 8   /* bins per axis */

static float px[NB], py[NB], pz[NB], vx[NB], vy[NB], vz[NB], ms[NB];

static uint32_t rnd(uint32_t *s) {
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

/* The acceleration of every body from all others, then a leapfrog step. */
static void step(float dt) {
    const float eps = 0.25f;
    for (int i = 0; i < NB; i++) {
        float ax = 0.0f, ay = 0.0f, az = 0.0f, xi = px[i], yi = py[i], zi = pz[i];
        for (int j = 0; j < NB; j++) {
            float dx = px[j] - xi, dy = py[j] - yi, dz = pz[j] - zi;
            float d2 = fmaf(dx, dx, fmaf(dy, dy, fmaf(dz, dz, eps)));
            float f = ms[j] / (d2 * sqrtf(d2));
            ax = fmaf(f, dx, ax);
            ay = fmaf(f, dy, ay);
            az = fmaf(f, dz, az);
        }
        vx[i] = fmaf(ax, dt, vx[i]);
        vy[i] = fmaf(ay, dt, vy[i]);
        vz[i] = fmaf(az, dt, vz[i]);
    }
    for (int i = 0; i < NB; i++) {
        px[i] = fmaf(vx[i], dt, px[i]);
        py[i] = fmaf(vy[i], dt, py[i]);
        pz[i] = fmaf(vz[i], dt, pz[i]);
    }
}

/* Bin the positions (truncating conversions) and nudge the masses by the counts. */
static void bin(void) {
    int count[GRID * GRID * GRID];
    memset(count, 0, sizeof(count));
    for (int i = 0; i < NB; i++) {
        int cx = (int)(px[i] * 0.125f) & (GRID - 1);
        int cy = (int)(py[i] * 0.125f) & (GRID - 1);
        int cz = (int)(pz[i] * 0.125f) & (GRID - 1);
        count[(cx * GRID + cy) * GRID + cz]++;
    }
    for (int i = 0; i < NB; i++)
        ms[i] = fmaf((float)count[(i * 7) % (GRID * GRID * GRID)], 0.001f, ms[i] * 0.999f);
}

int main(int argc, char **argv) {
    int steps = argc > 1 ? atoi(argv[1]) : 150;
    uint32_t s = 20261203u;
    for (int i = 0; i < NB; i++) {
        px[i] = (float)(int)(rnd(&s) % 2001) * 0.03125f - 31.25f;
        py[i] = (float)(int)(rnd(&s) % 2001) * 0.03125f - 31.25f;
        pz[i] = (float)(int)(rnd(&s) % 2001) * 0.03125f - 31.25f;
        vx[i] = vy[i] = vz[i] = 0.0f;
        ms[i] = (float)(int)(1 + rnd(&s) % 16);
    }
    for (int t = 0; t < steps; t++) {
        step(0.001f);
        bin();
    }
    uint64_t h = 0;
    for (int i = 0; i < NB; i++) {
        uint32_t b[4];
        memcpy(&b[0], &px[i], 4);
        memcpy(&b[1], &py[i], 4);
        memcpy(&b[2], &pz[i], 4);
        memcpy(&b[3], &ms[i], 4);
        for (int k = 0; k < 4; k++)
            h = (h ^ b[k]) * 0x100000001b3ull;
    }
    printf("nbody %d %016llx\n", steps, (unsigned long long)h);
    return 0;
}
