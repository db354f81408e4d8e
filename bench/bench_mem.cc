/* bench_mem.cc - benchmarks of vm's guest memory: the vm_mem_api and vm_bulk variants of
 * volatile_vs_normal and the memory_operations group (pool vs malloc, 1 KiB guest reads and
 * writes, a guest copy across a region edge, an MMIO access through the device dispatch).
 *
 * Each benchmark builds its own small address map before the timed loop: 1 MiB of RAM at
 * kRamBase (the inline fast window), a second 1 MiB RAM region right after it, and a 4 KiB
 * MMIO device whose callbacks do the least a device can (keep or return one register).
 */
#include <cstdlib>
#include <cstring>
#include <string>

#include "bench.h"
#include "kernels.h"

#include "vm/mem.h"
#include "vm/pool.h"

namespace vmb {
namespace {

constexpr gpa_t kRamBase = 0x80000000u;
constexpr uint64_t kRamSize = 1u << 20;
constexpr gpa_t kRam2Base = kRamBase + kRamSize;
constexpr gpa_t kMmioBase = 0x10000000u;
constexpr size_t kBlock = 1024;

/* The benchmark device: one 32-bit register. */
struct bench_dev {
    uint64_t reg; /* last value written */
};

vm_mem_err_t dev_read(void *opaque, uint64_t offset, unsigned size, uint64_t *val) {
    (void)size;
    *val = static_cast<bench_dev *>(opaque)->reg + offset;
    return VM_MEM_OK;
}

vm_mem_err_t dev_write(void *opaque, uint64_t offset, unsigned size, uint64_t val) {
    (void)size;
    (void)offset;
    static_cast<bench_dev *>(opaque)->reg = val;
    return VM_MEM_OK;
}

const vm_mmio_ops_t k_dev_ops = {"bench-dev", dev_read, dev_write, VM_MEM_W4 | VM_MEM_W8, false};

/* An address map for one benchmark; destroyed with the benchmark. */
struct bench_map {
    vm_mem_t *mem = nullptr; /* the map, NULL when it could not be built */
    bench_dev dev{};         /* the MMIO device's state */
    std::string error;       /* why the map could not be built */

    bench_map() {
        vm_mem_ram_opts_t ro{};
        ro.flags = VM_MEM_RAM_POPULATE;
        vm_mem_err_t e = vm_mem_create(&mem);
        if (e == VM_MEM_OK) e = vm_mem_add_ram(mem, kRamBase, kRamSize, &ro);
        if (e == VM_MEM_OK) e = vm_mem_add_ram(mem, kRam2Base, kRamSize, &ro);
        if (e == VM_MEM_OK) e = vm_mem_add_mmio(mem, kMmioBase, 4096, &k_dev_ops, &dev);
        if (e != VM_MEM_OK) {
            error = std::string("cannot build the guest address map: ") + vm_mem_strerror(e);
            vm_mem_destroy(mem);
            mem = nullptr;
        }
    }
    ~bench_map() { vm_mem_destroy(mem); }
    bench_map(const bench_map &) = delete;
    bench_map &operator=(const bench_map &) = delete;
};

bool map_ok(benchmark::State &st, const bench_map &m) {
    if (m.mem) return true;
    st.SkipWithError(m.error.c_str());
    return false;
}

void run_vm_mem_api(benchmark::State &st) {
    bench_map m;
    if (!map_ok(st, m)) return;
    int err = 0;
    uint32_t seed = 1;
    benchmark::DoNotOptimize(bench_access_vm_mem(m.mem, kRamBase, seed, &err));
    for (auto _ : st) {
        benchmark::DoNotOptimize(bench_access_vm_mem(m.mem, kRamBase, seed, &err));
        seed++;
    }
    st.SetBytesProcessed(int64_t(st.iterations()) * BENCH_ACCESS_WORDS * 4 * 2);
    if (err) note_failure("volatile_vs_normal/vm_mem_api: guest access failed");
    if (opts().smoke && bench_access_vm_mem(m.mem, kRamBase, 77, &err) != access_expected_sum(77))
        note_failure("volatile_vs_normal/vm_mem_api: wrong sum");
}

/* Guest RAM written from and read back into host buffers with the bulk calls. */
void run_bulk(benchmark::State &st, const char *name, gpa_t gpa) {
    bench_map m;
    if (!map_ok(st, m)) return;
    uint8_t in[kBlock], out[kBlock];
    for (size_t i = 0; i < kBlock; i++)
        in[i] = pattern_byte(i);
    vm_mem_err_t bad = VM_MEM_OK;
    for (auto _ : st) {
        in[0]++; /* a new value each time: nothing to hoist out of the loop */
        bad = vm_mem_err_t(bad | vm_mem_write(m.mem, gpa, in, kBlock));
        benchmark::ClobberMemory();
        bad = vm_mem_err_t(bad | vm_mem_read(m.mem, gpa, out, kBlock));
        benchmark::DoNotOptimize(out);
        benchmark::ClobberMemory();
    }
    st.SetBytesProcessed(int64_t(st.iterations()) * kBlock * 2);
    if (bad != VM_MEM_OK) note_failure(std::string(name) + ": guest access failed");
    if (opts().smoke && std::memcmp(in, out, kBlock) != 0)
        note_failure(std::string(name) + ": read back different bytes");
}

void run_pool(benchmark::State &st) {
    vm_pool_t *pool = nullptr;
    if (vm_pool_create(&pool, kBlock, 0, 0) != 0) {
        st.SkipWithError("vm_pool_create failed");
        return;
    }
    for (auto _ : st) {
        void *p = vm_pool_alloc(pool);
        benchmark::DoNotOptimize(p);
        vm_pool_free(pool, p);
    }
    st.SetItemsProcessed(int64_t(st.iterations()));
    if (opts().smoke) {
        void *p = vm_pool_alloc(pool);
        if (!p || !vm_pool_owns(pool, p)) note_failure("allocate_1kb_pool: bad object");
        vm_pool_free(pool, p);
    }
    vm_pool_destroy(pool);
}

void run_malloc(benchmark::State &st) {
    for (auto _ : st) {
        void *p = std::malloc(kBlock);
        benchmark::DoNotOptimize(p);
        std::free(p);
    }
    st.SetItemsProcessed(int64_t(st.iterations()));
}

/* A guest-to-guest copy through a host bounce buffer: the source straddles the edge between
 * the two RAM regions (so the region walk of the slow path runs), the destination lies in
 * the second region, outside the inline fast window. */
void run_cross_copy(benchmark::State &st) {
    bench_map m;
    if (!map_ok(st, m)) return;
    const gpa_t src = kRam2Base - kBlock / 2;
    const gpa_t dst = kRam2Base + 65536;
    uint8_t bounce[kBlock], orig[kBlock];
    for (size_t i = 0; i < kBlock; i++)
        orig[i] = pattern_byte(i);
    vm_mem_err_t bad = vm_mem_write(m.mem, src, orig, kBlock);
    for (auto _ : st) {
        bad = vm_mem_err_t(bad | vm_mem_read(m.mem, src, bounce, kBlock));
        bad = vm_mem_err_t(bad | vm_mem_write(m.mem, dst, bounce, kBlock));
        benchmark::ClobberMemory();
    }
    st.SetBytesProcessed(int64_t(st.iterations()) * kBlock);
    if (bad != VM_MEM_OK) note_failure("guest_copy_cross_region: guest access failed");
    if (opts().smoke && (vm_mem_read(m.mem, dst, bounce, kBlock) != VM_MEM_OK ||
                         std::memcmp(bounce, orig, kBlock) != 0))
        note_failure("guest_copy_cross_region: destination differs from the source");
}

void run_mmio(benchmark::State &st) {
    bench_map m;
    if (!map_ok(st, m)) return;
    vm_mem_err_t bad = VM_MEM_OK;
    uint32_t v = 0, i = 0;
    for (auto _ : st) {
        bad = vm_mem_err_t(bad | vm_mem_store32(m.mem, kMmioBase + 8, i++));
        bad = vm_mem_err_t(bad | vm_mem_load32(m.mem, kMmioBase + 8, &v));
        benchmark::DoNotOptimize(v);
    }
    st.SetItemsProcessed(int64_t(st.iterations()) * 2);
    if (bad != VM_MEM_OK) note_failure("mmio_dispatch: device access failed");
    if (opts().smoke && (vm_mem_store32(m.mem, kMmioBase + 4, 40) != VM_MEM_OK ||
                         vm_mem_load32(m.mem, kMmioBase + 4, &v) != VM_MEM_OK || v != 44))
        note_failure("mmio_dispatch: device gave the wrong value");
}

} // namespace

void register_access_vm_variants() {
    add("volatile_vs_normal/vm_mem_api/1024", run_vm_mem_api);
    add("volatile_vs_normal/vm_bulk/1024",
        [](benchmark::State &st) { run_bulk(st, "volatile_vs_normal/vm_bulk", kRamBase); });
}

void register_memory_groups() {
    add("memory_operations/allocate_1kb_pool", run_pool);
    add("memory_operations/allocate_1kb_malloc", run_malloc);
    add("memory_operations/read_write_1kb", [](benchmark::State &st) {
        run_bulk(st, "memory_operations/read_write_1kb", kRamBase + 4096);
    });
    add("memory_operations/guest_copy_cross_region", run_cross_copy);
    add("memory_operations/mmio_dispatch", run_mmio);
}

} // namespace vmb
