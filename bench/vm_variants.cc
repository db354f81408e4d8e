/* vm_variants.cc - vm's memops implementations as benchmark variants: vm_auto is the public
 * dispatching entry (vm_memcpy, ..., called as C code calls it), the others are the per-ISA tables,
 * skipped with a reason when the host's CPU or OS lacks the vector state they need. */
#include <cstdio>
#include <vector>

#include "kernels.h"
#include "variants.h"

#include "vm/host.h"
#include "vm/memops.h"

namespace vmb {

std::vector<ops_variant> vm_ops_variants() {
    std::vector<ops_variant> out;
    ops_variant autov;
    autov.name = "vm_auto";
    autov.memcpy = bench_vm_memcpy; /* vm_memcpy(...) as C code calls it (callers.c) */
    autov.memmove = bench_vm_memmove;
    autov.memset = bench_vm_memset;
    out.push_back(autov);
    const vm_memops_impl_t impls[] = {VM_MEMOPS_SCALAR, VM_MEMOPS_SSE2, VM_MEMOPS_AVX2,
                                      VM_MEMOPS_AVX512};
    for (vm_memops_impl_t impl : impls) {
        ops_variant v;
        v.name = std::string("vm_") + vm_memops_name(impl);
        const vm_memops_table_t *t = vm_memops_table(impl);
        if (t) {
            v.memcpy = t->memcpy;
            v.memmove = t->memmove;
            v.memset = t->memset;
        } else {
            v.why_not = std::string("host CPU/OS lacks ") + vm_memops_name(impl);
        }
        out.push_back(v);
    }
    return out;
}

std::string vm_ops_active_name() {
    return vm_memops_name(vm_memops_active());
}

/* The memops plan in force as one line: its source, then "op:method,..." per operation. */
static std::string plan_text() {
    static const char *const srcs[] = {"default", "cache", "measured", "forced"};
    static const char *const ops[] = {"copy", "set", "move"};
    vm_memops_plan_t p = vm_memops_plan();
    std::string out = std::string(srcs[p.src]) + (p.in_force ? "" : " (not in force)");
    for (int op = 0; op < VM_MEMOPS_OPS; op++) {
        out += std::string(" ") + ops[op] + ":";
        for (int c = 0; c < VM_MEMOPS_CLASSES; c++)
            out += std::string(c ? "," : "") +
                   vm_memops_method_name(static_cast<vm_memops_method_t>(p.method[op][c]));
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> vm_host_context() {
    const vm_host_info_t *h = vm_host_info();
    char sig[16];
    std::snprintf(sig, sizeof sig, "0x%08x", h->cpu_signature);
    auto yn = [](bool b) { return std::string(b ? "yes" : "no"); };
    return {{"vm_host_model", h->model},
            {"vm_host_sse2", yn(h->sse2)},
            {"vm_host_avx2", yn(h->avx2)},
            {"vm_host_avx512", yn(h->avx512)},
            {"vm_host_erms", yn(h->erms)},
            {"vm_host_fsrm", yn(h->fsrm)},
            {"vm_host_zmm_halves", yn(h->zmm_halves)},
            {"vm_host_l1d_bytes", std::to_string(h->l1d_bytes)},
            {"vm_host_l2_bytes", std::to_string(h->l2_bytes)},
            {"vm_host_l3_bytes", std::to_string(h->l3_bytes)},
            {"vm_host_cache_sources", std::string(vm_host_src_name(h->l1d_src)) + "/" +
                                          vm_host_src_name(h->l2_src) + "/" +
                                          vm_host_src_name(h->l3_src)},
            {"vm_host_signature", sig},
            {"vm_host_microcode", h->microcode},
            {"memops_plan", plan_text()}};
}

} // namespace vmb
