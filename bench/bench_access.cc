/* bench_access.cc - the volatile_vs_normal group: BENCH_ACCESS_WORDS (256) 32-bit writes
 * then reads of a 1 KiB buffer, made through a volatile pointer, a plain pointer, a plain
 * pointer with a bounds check per access (plain_checked: the least a checked accessor costs), vm's
 * inline guest-RAM accessors (vm_mem_api) and vm's bulk guest copies (vm_bulk, registered
 * by bench_mem.cc). The kernels live in C files (access.c, access_vm.c) compiled without
 * the vectoriser, so every variant performs its accesses one at a time, as an interpreter
 * does. plain_autovec is the same plain code with the vectoriser on (access_vec.c): the
 * compiler's best case for plain memory, which volatile rules out. */
#include <string>

#include "bench.h"
#include "kernels.h"

namespace vmb {

/* The sum the access kernels return for seed: the values written, read back. */
uint32_t access_expected_sum(uint32_t seed) {
    uint32_t sum = 0;
    for (uint32_t i = 0; i < BENCH_ACCESS_WORDS; i++)
        sum += seed + i;
    return sum;
}

namespace {

void run_host(benchmark::State &st, const char *name, uint32_t (*kernel)(uint32_t *, uint32_t)) {
    /* Host memory of the benchmark, not guest RAM: the volatile variant is the measured
     * anti-pattern, here on purpose. */
    uint32_t *buf = reinterpret_cast<uint32_t *>(buffer(1));
    uint32_t seed = 1;
    benchmark::DoNotOptimize(kernel(buf, seed));
    for (auto _ : st) {
        benchmark::DoNotOptimize(kernel(buf, seed));
        seed++;
    }
    st.SetBytesProcessed(int64_t(st.iterations()) * BENCH_ACCESS_WORDS * 4 * 2);
    if (opts().smoke && kernel(buf, 77) != access_expected_sum(77))
        note_failure(std::string(name) + ": wrong sum");
}

/* The plain kernel with a bounds check per access (span: the buffer's 1 KiB less 3, as the
 * accessor's 32-bit span is its window less 3). */
void run_checked(benchmark::State &st) {
    uint32_t *buf = reinterpret_cast<uint32_t *>(buffer(1));
    const uint64_t span = BENCH_ACCESS_WORDS * 4 - 3;
    uint32_t seed = 1;
    int err = 0;
    benchmark::DoNotOptimize(bench_access_plain_checked(buf, span, seed, &err));
    for (auto _ : st) {
        benchmark::DoNotOptimize(bench_access_plain_checked(buf, span, seed, &err));
        seed++;
    }
    st.SetBytesProcessed(int64_t(st.iterations()) * BENCH_ACCESS_WORDS * 4 * 2);
    if (err) note_failure("volatile_vs_normal/plain_checked: check failed in bounds");
    if (opts().smoke) {
        if (bench_access_plain_checked(buf, span, 77, &err) != access_expected_sum(77))
            note_failure("volatile_vs_normal/plain_checked: wrong sum");
        /* Out of bounds from the second word: the miss must be reported. */
        bench_access_plain_checked(buf, 4, 77, &err);
        if (!err) note_failure("volatile_vs_normal/plain_checked: miss not reported");
    }
}

} // namespace

void register_access_groups() {
    add("volatile_vs_normal/volatile/1024", [](benchmark::State &st) {
        run_host(st, "volatile_vs_normal/volatile", bench_access_volatile);
    });
    add("volatile_vs_normal/plain/1024",
        [](benchmark::State &st) { run_host(st, "volatile_vs_normal/plain", bench_access_plain); });
    add("volatile_vs_normal/plain_checked/1024", run_checked);
    add("volatile_vs_normal/plain_autovec/1024", [](benchmark::State &st) {
        run_host(st, "volatile_vs_normal/plain_autovec", bench_access_plain_autovec);
    });
    register_access_vm_variants();
}

} // namespace vmb
