/* variants.h - the implementations a size group compares, as plain function pointers with
 * a reason when this host (or this build) cannot run one. */
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace vmb {

/* memcpy / memmove contract. */
typedef void *(*copy_fn)(void *dst, const void *src, size_t n);
/* memset contract. */
typedef void *(*set_fn)(void *dst, int c, size_t n);

/* The bulk operations of one implementation, or none with the reason why. */
struct ops_variant {
    std::string name;         /* variant part of the benchmark name ("vm_avx2", ...) */
    copy_fn memcpy = nullptr; /* NULL when unavailable */
    copy_fn memmove = nullptr;
    set_fn memset = nullptr;
    std::string why_not; /* reason shown when unavailable */
};

/* vm's variants in name order: vm_auto, vm_scalar, vm_sse2, vm_avx2, vm_avx512. */
std::vector<ops_variant> vm_ops_variants();
/* Name of the memops implementation vm_auto resolved to on this host ("avx512", ...). */
std::string vm_ops_active_name();
/* What vm itself detected about the host (vm_host_info), as report context key/values. */
std::vector<std::pair<std::string, std::string>> vm_host_context();

} // namespace vmb
