/* guest_run.h - vm-bench's in-process runner of bare-machine workloads (guest_run.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One loaded workload, ready to run once. */
typedef struct bench_guest bench_guest_t;

/* The checksum workload ("int_loop", "mixed", "memcpy_mix") computes, run natively on the
 * host from the same source (0 for an unknown name). */
uint64_t bench_guest_expected(const char *workload);

/* A fresh bare machine with the ELF image elf loaded and `expected` written into its
 * wl_expected variable, run by the JIT when `jit`, else by the interpreter. Returns 0 or
 * -errno with *err set. */
int bench_guest_prepare(bench_guest_t **out, const uint8_t *elf, size_t size, uint64_t expected,
                        bool jit, const char **err);

/* Run the prepared workload to its exit (at most max_insns instructions, 0 = no limit);
 * *instret gets the instructions it retired. Returns 0 when it exited with a matching
 * checksum, -EIO with *err set otherwise. Call once per prepared machine. */
int bench_guest_run(bench_guest_t *g, uint64_t max_insns, uint64_t *instret, const char **err);

/* Free a prepared machine (NULL is fine). */
void bench_guest_free(bench_guest_t *g);

#ifdef __cplusplus
}
#endif
