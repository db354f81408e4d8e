/* vm_variants_none.cc - stand-in for vm_variants.cc in a tree without the memops module:
 * every vm variant is listed and skipped, so the suite's names stay the same. */
#include <vector>

#include "variants.h"

namespace vmb {

std::vector<ops_variant> vm_ops_variants() {
    std::vector<ops_variant> out;
    for (const char *n : {"vm_auto", "vm_scalar", "vm_sse2", "vm_avx2", "vm_avx512"}) {
        ops_variant v;
        v.name = n;
        v.why_not = "memops is not part of this build";
        out.push_back(v);
    }
    return out;
}

std::string vm_ops_active_name() {
    return "none";
}

std::vector<std::pair<std::string, std::string>> vm_host_context() {
    return {};
}

} // namespace vmb
