/* bench_memops.cc - the bulk-operation groups: memcpy_sizes, memset_sizes, memmove_sizes
 * (every implementation at every size, in bytes per second) and batch_vs_loop (one 256-byte
 * copy done byte by byte, word by word, by vm and by the C library).
 *
 * All variants are called through a function pointer, so every one pays the same call. The
 * C library (glibc) and vm's public entry (vm_auto) are reached through wrappers that call
 * them the way a C program does (callers.c): glibc through its PLT entry, vm through the
 * inline dispatch of vm/memops.h; the vm_<isa> variants are the implementations themselves. Sources
 * and destinations are slices of the two arena buffers (64-byte aligned, pre-faulted). One untimed
 * call warms caches and branch predictors before the timed loop. In smoke mode each variant's
 * result is also checked against the contract (bytes copied or set, nothing written past the end,
 * overlap handled).
 */
#include <cstring>
#include <vector>

#include "bench.h"
#include "kernels.h"
#include "variants.h"

namespace vmb {
namespace {

/* Bytes after each destination that a correct operation leaves alone (smoke check). */
constexpr size_t kGuard = 64;
/* Value the memset variants write. */
constexpr int kFill = 0x5a;

/* Overlap distance of the memmove group: the destination starts this far above the source,
 * so the ranges overlap and the copy has to run backwards. */
size_t move_shift(size_t n) {
    size_t s = (n / 4) & ~size_t(15);
    return s < 16 ? 16 : s;
}

bool skip_if_missing(benchmark::State &st, const void *fn, const std::string &why) {
    if (fn) return false;
    st.SkipWithError(why.c_str());
    return true;
}

/* True when the n bytes at p all equal c (compared a block at a time, fast even under
 * sanitizers). */
bool all_equal(const uint8_t *p, int c, size_t n) {
    static uint8_t block[4096];
    std::memset(block, c, sizeof block);
    for (size_t off = 0; off < n; off += sizeof block) {
        size_t len = n - off < sizeof block ? n - off : sizeof block;
        if (std::memcmp(p + off, block, len) != 0) return false;
    }
    return true;
}

void check_copy(const std::string &name, copy_fn fn, size_t n) {
    uint8_t *src = buffer(0), *dst = buffer(1);
    std::memset(dst, 0xee, n + kGuard);
    fn(dst, src, n);
    if (std::memcmp(dst, src, n) != 0) note_failure(name + ": bytes differ from the source");
    if (!all_equal(dst + n, 0xee, kGuard)) note_failure(name + ": wrote past the end");
}

void check_set(const std::string &name, set_fn fn, size_t n) {
    uint8_t *dst = buffer(1);
    std::memset(dst, 0xee, n + kGuard);
    fn(dst, kFill, n);
    if (!all_equal(dst, kFill, n)) note_failure(name + ": byte not set");
    if (!all_equal(dst + n, 0xee, kGuard)) note_failure(name + ": wrote past the end");
}

void check_move(const std::string &name, copy_fn fn, size_t n) {
    /* Buffer 0 holds the pattern; lay it into buffer 1, move, compare with buffer 0. */
    const uint8_t *pat = buffer(0);
    uint8_t *b = buffer(1);
    const size_t shift = move_shift(n);
    std::memcpy(b, pat, n + shift + kGuard);
    fn(b + shift, b, n);
    if (std::memcmp(b, pat, shift) != 0 || std::memcmp(b + shift, pat, n) != 0 ||
        std::memcmp(b + shift + n, pat + shift + n, kGuard) != 0)
        note_failure(name + ": overlapping move gave wrong bytes");
}

void run_copy(benchmark::State &st, const std::string &name, copy_fn fn, const std::string &why,
              size_t n) {
    if (skip_if_missing(st, (const void *)fn, why)) return;
    uint8_t *src = buffer(0), *dst = buffer(1);
    fn(dst, src, n); /* warm-up */
    for (auto _ : st) {
        benchmark::DoNotOptimize(fn(dst, src, n));
        benchmark::ClobberMemory();
    }
    st.SetBytesProcessed(int64_t(st.iterations()) * int64_t(n));
    if (opts().smoke) check_copy(name, fn, n);
}

void run_set(benchmark::State &st, const std::string &name, set_fn fn, const std::string &why,
             size_t n) {
    if (skip_if_missing(st, (const void *)fn, why)) return;
    uint8_t *dst = buffer(1);
    fn(dst, kFill, n);
    for (auto _ : st) {
        benchmark::DoNotOptimize(fn(dst, kFill, n));
        benchmark::ClobberMemory();
    }
    st.SetBytesProcessed(int64_t(st.iterations()) * int64_t(n));
    if (opts().smoke) check_set(name, fn, n);
}

void run_move(benchmark::State &st, const std::string &name, copy_fn fn, const std::string &why,
              size_t n) {
    if (skip_if_missing(st, (const void *)fn, why)) return;
    uint8_t *b = buffer(1);
    const size_t shift = move_shift(n);
    fn(b + shift, b, n);
    for (auto _ : st) {
        benchmark::DoNotOptimize(fn(b + shift, b, n));
        benchmark::ClobberMemory();
    }
    st.SetBytesProcessed(int64_t(st.iterations()) * int64_t(n));
    if (opts().smoke) check_move(name, fn, n);
}

/* The C library's functions, called as a program calls them: through wrappers that jump to
 * the PLT entry (callers.c). vm_auto goes through the same kind of wrapper. */
copy_fn const k_glibc_memcpy = bench_libc_memcpy;
copy_fn const k_glibc_memmove = bench_libc_memmove;
set_fn const k_glibc_memset = bench_libc_memset;

/* Every variant of the size groups, in report order. */
std::vector<ops_variant> size_variants() {
    std::vector<ops_variant> v;
    ops_variant g;
    g.name = "glibc";
    g.memcpy = k_glibc_memcpy;
    g.memmove = k_glibc_memmove;
    g.memset = k_glibc_memset;
    v.push_back(g);
    for (const ops_variant &o : vm_ops_variants())
        v.push_back(o);
    ops_variant b;
    b.name = "byte_loop";
    b.memcpy = bench_byte_copy;
    b.memmove = bench_byte_move;
    b.memset = bench_byte_set;
    v.push_back(b);
    return v;
}

} // namespace

void register_memops_groups() {
    const std::vector<ops_variant> vars = size_variants();
    for (const char *group : {"memcpy_sizes", "memset_sizes", "memmove_sizes"}) {
        for (const ops_variant &v : vars) {
            for (size_t n : kSizes) {
                const std::string name =
                    std::string(group) + "/" + v.name + "/" + std::to_string(n);
                const std::string g = group;
                add(name, [=](benchmark::State &st) {
                    if (g == "memcpy_sizes")
                        run_copy(st, name, v.memcpy, v.why_not, n);
                    else if (g == "memset_sizes")
                        run_set(st, name, v.memset, v.why_not, n);
                    else
                        run_move(st, name, v.memmove, v.why_not, n);
                });
            }
        }
    }

    /* batch_vs_loop: what bulk copying buys over naive loops at a typical small size. */
    const size_t n = 256;
    copy_fn vm_auto = nullptr;
    std::string vm_why;
    for (const ops_variant &o : vars)
        if (o.name == "vm_auto") {
            vm_auto = o.memcpy;
            vm_why = o.why_not;
        }
    const struct {
        const char *name;
        copy_fn fn;
        std::string why;
    } batch[] = {{"byte_loop", bench_byte_copy, ""},
                 {"u64_loop", bench_u64_copy, ""},
                 {"vm_memcpy", vm_auto, vm_why},
                 {"glibc", k_glibc_memcpy, ""}};
    for (const auto &b : batch) {
        const std::string name = std::string("batch_vs_loop/") + b.name + "/" + std::to_string(n);
        const copy_fn fn = b.fn;
        const std::string why = b.why;
        add(name, [=](benchmark::State &st) { run_copy(st, name, fn, why, n); });
    }
}

} // namespace vmb
