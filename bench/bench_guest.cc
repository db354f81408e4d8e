/* bench_guest.cc - groups guest/interp/<workload> and guest/jit/<workload>: guest
 * instructions per second of vm's interpreter and of its JIT (translation included) on the
 * workloads of guest/workloads.h, run in-process on the bare machine; guest/interp-sv39 and
 * guest/jit-sv39 run the same workloads in S-mode with Sv39 paging on, so that every access
 * goes through the software TLB (the cost of translation, side by side with none).
 *
 * Each iteration loads the workload into a fresh machine (untimed: the timer is paused) and
 * runs it to its tohost exit (timed). items_per_second is guest instructions retired per
 * second; the MIPS counter says the same in millions. A workload whose checksum differs from
 * the host's native run is a wrong result (non-zero exit of vm-bench). The ELFs are built
 * at build time by the riscv64 cross compiler; without it the group is skipped. */
#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>

#include "bench.h"
#include "guest_run.h"
#include "vm/vm.h"

namespace vmb {
namespace {

const char *const kWorkloads[] = {"int_loop", "mixed", "memcpy_mix"};
/* The tlb/ group's workloads (workloads.h). */
const char *const kTlbWorkloads[] = {"tlb_load", "tlb_store", "tlb_miss"};
/* Instruction budget of one run: far above what any workload needs (about 40 million). */
constexpr uint64_t kBudget = 2000000000ull;

bool read_file(const std::string &path, std::vector<uint8_t> &out) {
    FILE *f = std::fopen(path.c_str(), "rb");
    if (!f) return false;
    uint8_t buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
        out.insert(out.end(), buf, buf + n);
    bool ok = !std::ferror(f);
    std::fclose(f);
    return ok;
}

/* One engine column: its group name, whether it is the JIT, and which build of the workload
 * it runs (the bare-machine one, or the -sv39 one: S-mode under Sv39 paging). */
struct GuestEngine {
    const char *group;      /* "guest/<group>/<workload>" */
    bool jit;               /* the JIT, else the interpreter */
    const char *elf_suffix; /* "" or "-sv39" */
};

const GuestEngine kEngines[] = {
    {"interp", false, ""},
    {"jit", true, ""},
    {"interp-sv39", false, "-sv39"},
    {"jit-sv39", true, "-sv39"},
};

/* One run of a workload: guest/... (accesses 0) or tlb/... (the accesses it times, for the
 * access_ns counter, and the MMU's counters per run). */
void guest_bench(benchmark::State &state, const std::string &workload, const GuestEngine &eng,
                 const char *prefix = "guest/", uint64_t accesses = 0) {
    const bool jit = eng.jit;
#ifndef VM_BENCH_GUEST_DIR
    state.SkipWithError(
        "riscv64 cross compiler not found at build time: guest workloads not built");
    (void)workload;
    (void)jit;
#else
    std::string path = std::string(VM_BENCH_GUEST_DIR) + "/" + workload + eng.elf_suffix + ".elf";
    std::vector<uint8_t> elf;
    if (!read_file(path, elf)) {
        state.SkipWithError(("cannot read " + path).c_str());
        return;
    }
    uint64_t expected = bench_guest_expected(workload.c_str());
    uint64_t total = 0;
    bench_guest_mmu_t mmu = {};
    for (auto _ : state) {
        state.PauseTiming();
        bench_guest_t *g = nullptr;
        const char *err = "";
        const std::string group = std::string(prefix) + eng.group + "/";
        if (bench_guest_prepare(&g, elf.data(), elf.size(), expected, jit, &err) != 0) {
            state.ResumeTiming();
            if (jit &&
                !vm_engine_available(VM_ENGINE_JIT)) { /* no backend for this host: not a failure */
                state.SkipWithError(err);
                break;
            }
            note_failure(group + workload + ": " + err);
            state.SkipWithError(err);
            break;
        }
        state.ResumeTiming();
        uint64_t n = 0;
        int rc = bench_guest_run(g, kBudget, &n, &err);
        state.PauseTiming();
        bench_guest_mmu(g, &mmu);
        bench_guest_free(g);
        state.ResumeTiming();
        if (rc != 0) {
            note_failure(group + workload + ": " + err);
            state.SkipWithError(err);
            break;
        }
        total += n;
    }
    state.SetItemsProcessed(int64_t(total));
    state.counters["MIPS"] = benchmark::Counter(double(total) / 1e6, benchmark::Counter::kIsRate);
    state.counters["guest_insns"] =
        benchmark::Counter(state.iterations() ? double(total) / double(state.iterations()) : 0.0);
    if (accesses) {
        /* time per timed access (the workload's set-up loop is a small part of the run), and
         * the last run's MMU counters: inline-TLB misses the full TLB served, walks, and the
         * page-table entries read at each level */
        double all = double(accesses) * double(state.iterations());
        state.counters["access_ns"] = benchmark::Counter(
            all * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
        state.counters["tlb_hits"] = benchmark::Counter(double(mmu.tlb_hits));
        state.counters["walks"] = benchmark::Counter(double(mmu.walks));
        for (unsigned l = 0; l < 3; l++)
            state.counters["pte_reads_l" + std::to_string(l)] =
                benchmark::Counter(double(mmu.pte_reads[l]));
    }
#endif
}

} // namespace

void register_guest_groups() {
    for (const char *w : kWorkloads) {
        std::string name = w;
        for (const GuestEngine &e : kEngines)
            add(std::string("guest/") + e.group + "/" + name, [name, &e](benchmark::State &s) {
                guest_bench(s, name, e);
            })->Unit(benchmark::kMillisecond);
    }
    /* tlb/<engine>/<workload>: the bare machine's column is user mode's fast path (the
     * window), the -sv39 one the same accesses through the software TLB */
    for (const char *w : kTlbWorkloads) {
        std::string name = w;
        uint64_t acc = bench_guest_accesses(w);
        for (const GuestEngine &e : kEngines)
            add(std::string("tlb/") + e.group + "/" + name, [name, &e, acc](benchmark::State &s) {
                guest_bench(s, name, e, "tlb/", acc);
            })->Unit(benchmark::kMillisecond);
    }
}

} // namespace vmb
