/* main.cc - vm-bench: vm's microbenchmark suite (Google Benchmark).
 *
 * Own options, taken out of argv before Google Benchmark sees the rest:
 *   --smoke        run every benchmark exactly once and check its result (CI: nothing is
 *                  timed, the suite only has to build, run and compute the right bytes)
 *   --pin=CPU      pin the process to CPU (default: the highest CPU it may run on)
 *   --pin=none     do not pin
 * Every Google Benchmark flag works as usual (--benchmark_filter, --benchmark_format=json,
 * --benchmark_repetitions, --benchmark_enable_random_interleaving, ...). The JSON context
 * carries the machine description the report needs (CPU, flags, caches, C library,
 * compilers). Exit status: 0, 1 when a benchmark computed a wrong result, 2 on bad usage.
 */
#include <gnu/libc-version.h>
#include <sched.h>
#include <sys/utsname.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bench.h"
#include "kernels.h"
#include "variants.h"

#include "vm/vm.h"

#ifndef VM_BENCH_C_COMPILER
#define VM_BENCH_C_COMPILER "unknown"
#endif
#ifndef VM_BENCH_BUILD_TYPE
#define VM_BENCH_BUILD_TYPE "unknown"
#endif

namespace {

/* First line of /proc/cpuinfo starting with key, after the colon ("" if none). */
std::string cpuinfo_field(const char *key) {
    std::ifstream f("/proc/cpuinfo");
    std::string line;
    while (std::getline(f, line)) {
        if (line.compare(0, std::strlen(key), key) == 0) {
            size_t c = line.find(':');
            if (c != std::string::npos) {
                size_t b = line.find_first_not_of(" \t", c + 1);
                return b == std::string::npos ? "" : line.substr(b);
            }
        }
    }
    return "";
}

/* The CPU flags that matter for bulk memory operations, as the kernel lists them. */
std::string relevant_flags() {
    static const char *const wanted[] = {"sse2", "ssse3",   "sse4_2",   "avx",
                                         "avx2", "avx512f", "avx512bw", "avx512vl",
                                         "erms", "fsrm",    "asimd",    "sve"};
    std::istringstream all(" " + cpuinfo_field("flags") + cpuinfo_field("Features") + " ");
    std::string have = all.str(), out;
    for (const char *w : wanted)
        if (have.find(std::string(" ") + w + " ") != std::string::npos)
            out += (out.empty() ? "" : " ") + std::string(w);
    return out;
}

std::string read_line(const char *path) {
    std::ifstream f(path);
    std::string s;
    std::getline(f, s);
    return s;
}

/* Pin to cpu (-1: the highest CPU allowed). Returns the CPU, or -1 when pinning failed. */
int pin_to(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return -1;
    if (cpu < 0)
        for (int c = CPU_SETSIZE - 1; c >= 0; c--)
            if (CPU_ISSET(c, &set)) {
                cpu = c;
                break;
            }
    if (cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &set)) return -1;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set) == 0 ? cpu : -1;
}

void add_context(const vmb::options &o, const std::string &pinned) {
    struct utsname u;
    std::string kernel = uname(&u) == 0 ? std::string(u.sysname) + " " + u.release : "unknown";
    std::string model = cpuinfo_field("model name");
    auto ctx = [](const std::string &k, const std::string &v) {
        benchmark::AddCustomContext(k, v);
    };
    ctx("vm_version", vm_version());
    ctx("cpu_model", model.empty() ? "unknown" : model);
    ctx("cpu_flags", relevant_flags());
    ctx("l1d_bytes", std::to_string(vmb::cache_bytes(1)));
    ctx("l2_bytes", std::to_string(vmb::cache_bytes(2)));
    ctx("l3_bytes", std::to_string(vmb::cache_bytes(3)));
    ctx("glibc", gnu_get_libc_version());
    ctx("compiler_c", VM_BENCH_C_COMPILER);
    ctx("compiler_cxx", std::string(
#ifdef __clang__
                            "Clang "
#else
                            "GNU "
#endif
                            ) +
                            __VERSION__);
    ctx("build_type", VM_BENCH_BUILD_TYPE);
    ctx("kernel", kernel);
    ctx("thp", read_line("/sys/kernel/mm/transparent_hugepage/enabled"));
    ctx("pinned_cpu", pinned);
    ctx("smoke", o.smoke ? "yes" : "no");
    ctx("memops_active", vmb::vm_ops_active_name());
    ctx("ceiling_isa", bench_ceiling_isa());
    for (const auto &kv : vmb::vm_host_context())
        ctx(kv.first, kv.second);
}

} // namespace

int main(int argc, char **argv) {
    vmb::options o;
    std::string pin = "auto";
    std::vector<char *> rest;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (i > 0 && std::strcmp(a, "--smoke") == 0)
            o.smoke = true;
        else if (i > 0 && std::strncmp(a, "--pin=", 6) == 0)
            pin = a + 6;
        else
            rest.push_back(argv[i]);
    }
    int pinned = -1;
    if (pin != "none") {
        char *end = nullptr;
        long want = pin == "auto" ? -1 : std::strtol(pin.c_str(), &end, 10);
        if (pin != "auto" && (end == pin.c_str() || *end || want < 0)) {
            std::fprintf(stderr, "vm-bench: bad --pin value '%s' (a CPU number or none)\n",
                         pin.c_str());
            return 2;
        }
        pinned = pin_to(int(want));
        if (pinned < 0)
            std::fprintf(stderr, "vm-bench: could not pin to CPU %s; running unpinned\n",
                         pin.c_str());
    }
    vmb::set_opts(o);

    int rargc = int(rest.size());
    rest.push_back(nullptr);
    benchmark::Initialize(&rargc, rest.data());
    if (benchmark::ReportUnrecognizedArguments(rargc, rest.data())) return 2;
    add_context(o, pinned >= 0 ? std::to_string(pinned) : "none");

    vmb::register_access_groups();
    vmb::register_memops_groups();
    vmb::register_memory_groups();
    vmb::register_ceiling_groups();
    vmb::register_guest_groups();
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    if (vmb::failures()) {
        std::fprintf(stderr, "vm-bench: %d wrong result(s)\n", vmb::failures());
        return 1;
    }
    return 0;
}
