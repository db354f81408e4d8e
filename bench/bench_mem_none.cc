/* bench_mem_none.cc - stand-in for bench_mem.cc in a tree without the guest-memory module:
 * the same benchmark names, each skipped with the reason, so reports stay comparable. */
#include "bench.h"

namespace vmb {
namespace {

void missing(benchmark::State &st) {
    st.SkipWithError("guest memory module not in this build");
}

} // namespace

void register_access_vm_variants() {
    add("volatile_vs_normal/vm_mem_api/1024", missing);
    add("volatile_vs_normal/vm_bulk/1024", missing);
}

void register_memory_groups() {
    for (const char *n : {"allocate_1kb_pool", "allocate_1kb_malloc", "read_write_1kb",
                          "guest_copy_cross_region", "mmio_dispatch"})
        add(std::string("memory_operations/") + n, missing);
}

} // namespace vmb
