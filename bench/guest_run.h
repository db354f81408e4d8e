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

/* The guest loads or stores the timed loop of a tlb/ workload makes (0 for others). */
uint64_t bench_guest_accesses(const char *workload);

/* A fresh bare machine with the ELF image elf loaded and `expected` written into its
 * wl_expected variable, run by the JIT when `jit`, else by the interpreter. Returns 0 or
 * -errno with *err set. */
int bench_guest_prepare(bench_guest_t **out, const uint8_t *elf, size_t size, uint64_t expected,
                        bool jit, const char **err);

/* Run the prepared workload to its exit (at most max_insns instructions, 0 = no limit);
 * *instret gets the instructions it retired. Returns 0 when it exited with a matching
 * checksum, -EIO with *err set otherwise. Call once per prepared machine. */
int bench_guest_run(bench_guest_t *g, uint64_t max_insns, uint64_t *instret, const char **err);

/* The MMU counters of a machine after its run (all zero on the bare machine's M-mode). */
typedef struct bench_guest_mmu {
    uint64_t tlb_hits;     /* slow-path translations the full TLB served (inline TLB misses) */
    uint64_t walks;        /* page-table walks (inline and full TLB both missed) */
    uint64_t pte_reads[5]; /* page-table entries read, by level (0: the 4 KiB level) */
} bench_guest_mmu_t;

/* Copy the MMU counters of g (after bench_guest_run) into *out. */
void bench_guest_mmu(const bench_guest_t *g, bench_guest_mmu_t *out);

/* Free a prepared machine (NULL is fine). */
void bench_guest_free(bench_guest_t *g);

#ifdef __cplusplus
}
#endif
