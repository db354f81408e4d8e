/* bench.h - shared pieces of vm-bench: run options, the buffer arena, the registration helper
 * every group uses, and the failure count that turns a wrong result into a non-zero exit. */
#pragma once

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace vmb {

/* Options of this run, set by main() before any benchmark is registered. */
struct options {
    bool smoke = false; /* run every benchmark exactly once and check its result */
};

/* The options in force (read-only after start-up). */
const options &opts();
/* Replace the options (main() only, before registration). */
void set_opts(const options &o);

/* Record a wrong result (printed at once); main() exits non-zero when any was recorded. */
void note_failure(const std::string &what);
/* Number of wrong results recorded so far. */
int failures();

/* Largest buffer size any benchmark asks of the arena, in bytes. */
constexpr size_t kMaxBuffer = size_t(256) << 20;
/* Sizes of the memcpy/memset/memmove_sizes groups, in bytes (the ceiling group sizes its
 * buffers from them too). */
inline constexpr size_t kSizes[] = {
    64, 256, 1024, 4096, 16384, 65536, size_t(1) << 20, size_t(16) << 20, size_t(256) << 20};
/* Slack after each arena buffer, for overlapping moves and misaligned starts. */
constexpr size_t kBufferSlack = size_t(65) << 20;

/* Arena buffer 0 or 1: page-aligned, kMaxBuffer + kBufferSlack bytes, pre-faulted and filled
 * with a known pattern on first use, kept for the whole run (never NULL; aborts on ENOMEM). */
uint8_t *buffer(int which);
/* The byte the fill pattern puts at offset i of arena buffer 0. */
inline uint8_t pattern_byte(size_t i) {
    return uint8_t(i * 131u + 7u);
}
/* Restore the pattern over the first n bytes of buffer 0 (after a test wrote into it). */
void refill_pattern(size_t n);

/* Register fn as `name`, with the run options applied (smoke: one iteration, one
 * repetition). Returns the benchmark so callers can add settings. */
benchmark::internal::Benchmark *add(const std::string &name,
                                    std::function<void(benchmark::State &)> fn);

/* Size of the level-lvl data or unified cache of CPU 0 in bytes (sysfs), 0 if unknown. */
size_t cache_bytes(int lvl);

/* "1 KiB"-style rendering of a byte count, for labels. */
std::string human_size(size_t n);

/* Registration of each group (one .cc file each). */
void register_memops_groups();  /* memcpy_sizes, memset_sizes, memmove_sizes, batch_vs_loop */
void register_access_groups();  /* volatile_vs_normal */
void register_ceiling_groups(); /* ceiling */
void register_memory_groups();  /* memory_operations */
void register_guest_groups();   /* guest/interp (bench_guest.cc) */
/* The vm_mem_api and vm_bulk variants of volatile_vs_normal (bench_mem.cc). */
void register_access_vm_variants();
/* The sum the volatile_vs_normal kernels return for seed (to check results). */
uint32_t access_expected_sum(uint32_t seed);

} // namespace vmb
