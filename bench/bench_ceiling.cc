/* bench_ceiling.cc - the `ceiling` group: how many bytes per second one core reads and
 * writes when the data sits in L1, L2, L3 or DRAM, measured with the widest vector loads and
 * stores the host has. The buffer for each level is half the level's size (a quarter for the
 * shared L3), the DRAM buffer 256 MiB or 8x the L3, whichever is larger. The level goes into
 * the benchmark's label so the report can match sizes to levels on any machine. */
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "bench.h"
#include "kernels.h"

namespace vmb {
namespace {

struct level {
    const char *name; /* "L1", "L2", "L3", "DRAM" */
    size_t bytes;     /* buffer size measured at that level */
};

/* Size in bytes of the data/unified cache of `lvl` seen by CPU 0 (sysfs), 0 if unknown. */
size_t cache_size(int lvl, size_t fallback) {
    for (int i = 0; i < 8; i++) {
        const std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(i);
        std::ifstream fl(dir + "/level"), ft(dir + "/type"), fs(dir + "/size");
        int level = 0;
        std::string type, size;
        if (!(fl >> level) || !(ft >> type) || !(fs >> size)) continue;
        if (level != lvl || type == "Instruction") continue;
        size_t v = std::strtoull(size.c_str(), nullptr, 10);
        const char unit = size.empty() ? 0 : size.back();
        if (unit == 'K') v <<= 10;
        if (unit == 'M') v <<= 20;
        if (v) return v;
    }
    return fallback;
}

size_t round_down_512(size_t n) {
    return n & ~size_t(511);
}

} // namespace

size_t cache_bytes(int lvl) {
    return cache_size(lvl, 0);
}

namespace {

std::vector<level> levels() {
    const size_t l1 = cache_size(1, 32 << 10);
    const size_t l2 = cache_size(2, 512 << 10);
    const size_t l3 = cache_size(3, 8 << 20);
    size_t dram = 8 * l3 > kMaxBuffer ? 8 * l3 : kMaxBuffer;
    if (dram > kMaxBuffer) dram = kMaxBuffer; /* the arena's limit */
    return {{"L1", round_down_512(l1 / 2)},
            {"L2", round_down_512(l2 / 2)},
            {"L3", round_down_512(l3 / 4)},
            {"DRAM", dram}};
}

void run_ceiling(benchmark::State &st, const std::string &kind, const level &lv) {
    uint8_t *buf = buffer(1);
    const size_t n = lv.bytes;
    auto once = [&] {
        if (kind == "read")
            bench_ceiling_read(buf, n);
        else if (kind == "write")
            bench_ceiling_write(buf, n);
        else
            bench_ceiling_write_nt(buf, n);
    };
    once(); /* warm-up: brings the buffer into the level under test */
    for (auto _ : st) {
        once();
        benchmark::ClobberMemory();
    }
    st.SetBytesProcessed(int64_t(st.iterations()) * int64_t(n));
    st.SetLabel(std::string(lv.name) + " " + bench_ceiling_isa());
    if (opts().smoke && kind != "read") {
        for (size_t i = 0; i < n; i += 4093)
            if (buf[i] != 0x5a) {
                note_failure("ceiling/" + kind + ": buffer not written");
                break;
            }
    }
}

} // namespace

void register_ceiling_groups() {
    for (const level &lv : levels()) {
        for (const char *kind : {"read", "write", "write_nt"}) {
            const std::string k = kind;
            const level l = lv;
            add("ceiling/" + k + "/" + std::to_string(lv.bytes),
                [=](benchmark::State &st) { run_ceiling(st, k, l); });
        }
    }
}

} // namespace vmb
