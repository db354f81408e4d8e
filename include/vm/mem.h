/* mem.h - guest memory: the guest-physical address map (RAM | ROM | MMIO regions) and the
 * typed accessors the interpreter, the loader and devices use to reach it.
 *
 * A vm_mem_t is a set of non-overlapping regions. One RAM region, the first one added, is
 * the "fast window": its host pointer, guest base and per-width limits sit at the start of
 * vm_mem_t (vm_mem_fast_t) so that vm_mem_loadN()/vm_mem_storeN() inline to one
 * subtraction, one compare and one plain host load or store. Everything else (other RAM regions,
 * ROM, MMIO, an access straddling a region edge, a fault) takes the out-of-line slow path.
 *
 * Guest RAM is ordinary host memory: plain little-endian loads and stores through memcpy()
 * (one mov on the host), nothing stronger. Bulk copies go through memops (vm_memcpy).
 *
 * Errors are vm_mem_err_t codes (0 = success, positive = what went wrong) so that the CPU
 * can turn them into guest faults; vm_mem_err_errno() maps them to -errno for host-facing
 * callers (system calls), vm_mem_strerror() names them.
 *
 * Threads: building the map (create/add/destroy, ROM loading) is single-threaded and must
 * finish before vCPUs run. Accesses (load/store/read/write/host_ptr/lookup) may run from
 * several threads at once; concurrent guest accesses to the same RAM bytes have the same
 * (absence of) ordering the guest program asked for.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A guest-physical address: what the address map is indexed by. */
typedef uint64_t gpa_t;
/* A guest-virtual address: what guest instructions compute before translation. Never
 * passed to vm_mem_* (which take gpa_t) without going through an MMU or an identity map. */
typedef uint64_t gva_t;

/* Result of a guest memory operation or of a change to the map. */
typedef enum vm_mem_err {
    VM_MEM_OK = 0,     /* success */
    VM_MEM_E_UNMAPPED, /* no region at (part of) the address range */
    VM_MEM_E_READONLY, /* write to a ROM region (or an MMIO region without write) */
    VM_MEM_E_WRAP,     /* address range wraps around the end of the 64-bit space */
    VM_MEM_E_WIDTH,    /* access width an MMIO region does not support (or not 1/2/4/8) */
    VM_MEM_E_ALIGN,    /* misaligned MMIO access, or a RAM/ROM region not page-aligned */
    VM_MEM_E_OVERLAP,  /* a new region overlaps an existing one */
    VM_MEM_E_SIZE,     /* zero size, or a size larger than vm accepts */
    VM_MEM_E_INVAL,    /* bad argument (NULL pointer, unknown flag, data longer than ROM) */
    VM_MEM_E_NOMEM,    /* the host could not reserve or commit the memory */
    VM_MEM_E_NUMA,     /* the requested NUMA node does not exist or is not allowed */
    VM_MEM_E_NOTSUP,   /* feature not available in this build or on this host */
    VM_MEM_E_DEVICE,   /* an MMIO callback reported a device error */
    VM_MEM_E_TOO_MANY, /* the map already holds VM_MEM_MAX_REGIONS regions */
    VM_MEM_E_COUNT     /* number of codes, not a code */
} vm_mem_err_t;

/* Page size the map works in: RAM and ROM regions start and end on this boundary. */
#define VM_MEM_PAGE_SIZE 4096u
/* Largest RAM or ROM region (64 TiB): larger requests are refused with VM_MEM_E_SIZE. */
#define VM_MEM_REGION_MAX (UINT64_C(1) << 46)
/* Most regions one map may hold (protects against a configuration flood). */
#define VM_MEM_MAX_REGIONS 1024u
/* Host bytes of PROT_NONE kept on each side of every RAM/ROM mapping (at least). */
#define VM_MEM_GUARD_SIZE (64u * 1024u)
/* RAM regions at least this large are 2 MiB-aligned on the host and get MADV_HUGEPAGE. */
#define VM_MEM_HUGEPAGE_MIN (2u * 1024u * 1024u)

/* Access-width bits for vm_mmio_ops_t.widths. */
#define VM_MEM_W1 1u /* 8-bit accesses */
#define VM_MEM_W2 2u /* 16-bit accesses */
#define VM_MEM_W4 4u /* 32-bit accesses */
#define VM_MEM_W8 8u /* 64-bit accesses */

/* A device behind an MMIO region. Offsets are relative to the region's base; values are
 * the little-endian value of `size` bytes (1, 2, 4 or 8), zero-extended to 64 bits. */
typedef struct vm_mmio_ops {
    const char *name; /* device name for messages and vm_mem_region_info_t */
    /* Read `size` bytes at `offset`; put the value in *val. NULL = reads fault. */
    vm_mem_err_t (*read)(void *opaque, uint64_t offset, unsigned size, uint64_t *val);
    /* Write the low `size` bytes of `val` at `offset`. NULL = writes fault (read-only). */
    vm_mem_err_t (*write)(void *opaque, uint64_t offset, unsigned size, uint64_t val);
    unsigned widths;      /* VM_MEM_W* bits the device accepts; others are refused */
    bool allow_unaligned; /* true: pass misaligned accesses through; false: refuse them */
} vm_mmio_ops_t;

/* Flags for vm_mem_ram_opts_t.flags. */
#define VM_MEM_RAM_NO_HUGEPAGE 1u /* never ask for transparent huge pages */
#define VM_MEM_RAM_NUMA_BIND   2u /* bind the host pages to opts.numa_node (needs libnuma) */
#define VM_MEM_RAM_POPULATE    4u /* pre-fault every page now instead of on first touch */

/* How to back a RAM region on the host (NULL = defaults: lazy, THP when large, no NUMA). */
typedef struct vm_mem_ram_opts {
    unsigned flags; /* VM_MEM_RAM_* bits */
    int numa_node;  /* host NUMA node for VM_MEM_RAM_NUMA_BIND */
} vm_mem_ram_opts_t;

/* Kind of a region. */
typedef enum vm_mem_kind {
    VM_MEM_RAM = 1, /* host memory, read/write */
    VM_MEM_ROM,     /* host memory, read-only to the guest */
    VM_MEM_MMIO,    /* device callbacks */
} vm_mem_kind_t;

/* Description of one region, for lookups, dumps and tests. */
typedef struct vm_mem_region_info {
    vm_mem_kind_t kind; /* RAM, ROM or MMIO */
    gpa_t base;         /* first guest-physical address */
    uint64_t size;      /* bytes */
    uint8_t *host;      /* host address of `base` (RAM/ROM), NULL for MMIO */
    const char *name;   /* "ram", "rom" or the device name */
    bool hugepage;      /* RAM: MADV_HUGEPAGE was applied and accepted */
    int numa_node;      /* RAM: node the pages are bound to, -1 when unbound */
    bool fast;          /* RAM: this region is the inline fast window */
} vm_mem_region_info_t;

struct vm_mem_priv;
struct vm_mem;

/* The inline fast window: the main RAM region as the accessors see it. It is the first
 * member of vm_mem_t, and a hot loop may copy it into a local (vm_mem_fast()) so that the
 * compiler keeps it in registers: guest stores go through byte pointers that could alias
 * any field of *mem, which otherwise forces a reload of the window after every store.
 * A copy stays valid for the life of the map (the window never changes once set). When no
 * RAM exists span[] is all zero so that every access falls to the slow path. */
typedef struct vm_mem_fast {
    uint8_t *host;      /* host address of base */
    gpa_t base;         /* guest-physical base of the window */
    uint64_t span[4];   /* [log2 width]: count of offsets at which that width fits */
    uint64_t size;      /* bytes in the window (0 = none) */
    struct vm_mem *mem; /* the whole map, for the slow path */
} vm_mem_fast_t;

/* The guest-physical address space. Callers may read `fast` but never write it. */
typedef struct vm_mem {
    vm_mem_fast_t fast;       /* inline fast window (the main RAM region); first member */
    struct vm_mem_priv *priv; /* regions, lookup cache: private to src/mem */
} vm_mem_t;

/* Create an empty address map in *out. 0, or VM_MEM_E_NOMEM / VM_MEM_E_INVAL. */
vm_mem_err_t vm_mem_create(vm_mem_t **out);
/* Unmap every region and free the map (NULL is ignored). */
void vm_mem_destroy(vm_mem_t *mem);

/* Add `size` bytes of zeroed RAM at gpa (both page-aligned). opts may be NULL. The first
 * RAM region becomes the fast window. */
vm_mem_err_t vm_mem_add_ram(vm_mem_t *mem, gpa_t gpa, uint64_t size, const vm_mem_ram_opts_t *opts);
/* Add a read-only region of `size` bytes at gpa (page-aligned) holding data[0..len),
 * zero-filled after len (data may be NULL when len is 0). */
vm_mem_err_t vm_mem_add_rom(vm_mem_t *mem, gpa_t gpa, uint64_t size, const void *data, size_t len);
/* Replace ROM content at gpa (host side; the guest still cannot write). The range must lie
 * inside one ROM region. */
vm_mem_err_t vm_mem_load_rom(vm_mem_t *mem, gpa_t gpa, const void *data, size_t len);
/* Add a device at [gpa, gpa+size). ops must outlive the map; opaque is passed back. */
vm_mem_err_t vm_mem_add_mmio(vm_mem_t *mem, gpa_t gpa, uint64_t size, const vm_mmio_ops_t *ops,
                             void *opaque);

/* Describe the region containing gpa into *out; VM_MEM_E_UNMAPPED if none. */
vm_mem_err_t vm_mem_lookup(const vm_mem_t *mem, gpa_t gpa, vm_mem_region_info_t *out);
/* Number of regions in the map. */
size_t vm_mem_region_count(const vm_mem_t *mem);
/* Describe region i (0-based, sorted by address) into *out; VM_MEM_E_INVAL if out of range. */
vm_mem_err_t vm_mem_region_at(const vm_mem_t *mem, size_t i, vm_mem_region_info_t *out);

/* Copy len bytes of guest memory at gpa into host_buf; crosses region edges (RAM, ROM,
 * MMIO in the widest widths the device accepts). Nothing is read past the first fault. */
vm_mem_err_t vm_mem_read(const vm_mem_t *mem, gpa_t gpa, void *host_buf, size_t len);
/* Copy len bytes from host_buf into guest memory at gpa. The whole range is checked
 * (mapped, writable, MMIO widths) before the first byte is written. */
vm_mem_err_t vm_mem_write(const vm_mem_t *mem, gpa_t gpa, const void *host_buf, size_t len);
/* Set len bytes of guest memory at gpa to (uint8_t)c, with the same checks as write. */
vm_mem_err_t vm_mem_fill(const vm_mem_t *mem, gpa_t gpa, int c, size_t len);
/* Zero len bytes of guest memory at gpa. */
vm_mem_err_t vm_mem_zero(const vm_mem_t *mem, gpa_t gpa, size_t len);

/* Host address of [gpa, gpa+len) when it lies entirely inside one RAM region, else NULL
 * (len 0 counts as 1). For the loader and the CPU's translation caches. */
void *vm_mem_host_ptr(const vm_mem_t *mem, gpa_t gpa, size_t len);
/* Like vm_mem_host_ptr() but also accepts ROM: for instruction fetch and reading only. */
const void *vm_mem_host_ptr_ro(const vm_mem_t *mem, gpa_t gpa, size_t len);

/* Short name of an error code ("unmapped address", ...); never NULL. */
const char *vm_mem_strerror(vm_mem_err_t err);
/* The -errno that best matches err (0 for VM_MEM_OK), for system-call results. */
int vm_mem_err_errno(vm_mem_err_t err);

/* Out-of-line slow paths of the inline accessors (size 1, 2, 4 or 8): not for direct use.
 * The load puts the zero-extended value in *val (0 on error). */
vm_mem_err_t vm_mem_load_slow(const vm_mem_t *mem, gpa_t gpa, unsigned size, uint64_t *val);
/* Store the low `size` bytes of val at gpa through the full map. */
vm_mem_err_t vm_mem_store_slow(const vm_mem_t *mem, gpa_t gpa, unsigned size, uint64_t val);

/* Byte order: guest memory is little-endian; these turn host values into it and back. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define VM_MEM_LE16(x) __builtin_bswap16(x)
#define VM_MEM_LE32(x) __builtin_bswap32(x)
#define VM_MEM_LE64(x) __builtin_bswap64(x)
#else
#define VM_MEM_LE16(x) (x)
#define VM_MEM_LE32(x) (x)
#define VM_MEM_LE64(x) (x)
#endif
#define VM_MEM_LE8(x) (x)

#if defined(__GNUC__)
#define VM_MEM_LIKELY(x) __builtin_expect(!!(x), 1)
#else
#define VM_MEM_LIKELY(x) (x)
#endif

/* A copy of mem's fast window for a hot loop (valid for the life of mem, see above). */
static inline vm_mem_fast_t vm_mem_fast(const vm_mem_t *mem) {
    return mem->fast;
}

/* The inline accessors: one range check against the fast window (off < span[w]; a gpa
 * below the base wraps to a huge offset and fails the same compare), then one plain
 * little-endian host load or store. Any other case calls the slow path with the map `m`.
 * This defines vm_mem_load8/16/32/64(mem, gpa, &val), vm_mem_store8/16/32/64(mem, gpa,
 * val) on a map and vm_mem_fast_load8/.../vm_mem_fast_store64 on a window copy. */
#define VM_MEM_FAST_LOAD(f, m, bits, log2w, gpa, val)                                              \
    do {                                                                                           \
        uint64_t off_ = (gpa) - (f)->base;                                                         \
        if (VM_MEM_LIKELY(off_ < (f)->span[log2w])) {                                              \
            uint##bits##_t v_;                                                                     \
            memcpy(&v_, (f)->host + off_, sizeof v_);                                              \
            *(val) = VM_MEM_LE##bits(v_);                                                          \
            return VM_MEM_OK;                                                                      \
        }                                                                                          \
        uint64_t wide_;                                                                            \
        vm_mem_err_t err_ = vm_mem_load_slow((m), (gpa), sizeof *(val), &wide_);                   \
        *(val) = (uint##bits##_t)wide_;                                                            \
        return err_;                                                                               \
    } while (0)
#define VM_MEM_FAST_STORE(f, m, bits, log2w, gpa, val)                                             \
    do {                                                                                           \
        uint64_t off_ = (gpa) - (f)->base;                                                         \
        if (VM_MEM_LIKELY(off_ < (f)->span[log2w])) {                                              \
            uint##bits##_t v_ = VM_MEM_LE##bits(val);                                              \
            memcpy((f)->host + off_, &v_, sizeof v_);                                              \
            return VM_MEM_OK;                                                                      \
        }                                                                                          \
        return vm_mem_store_slow((m), (gpa), sizeof(val), (val));                                  \
    } while (0)
#define VM_MEM_DEFINE_ACCESS(bits, log2w)                                                          \
    /* Load a bits-wide little-endian value at gpa into *val; 0 or an error. */                    \
    static inline vm_mem_err_t vm_mem_load##bits(const vm_mem_t *mem, gpa_t gpa,                   \
                                                 uint##bits##_t *val) {                            \
        VM_MEM_FAST_LOAD(&mem->fast, mem, bits, log2w, gpa, val);                                  \
    }                                                                                              \
    /* Store the bits-wide value val little-endian at gpa; 0 or an error. */                       \
    static inline vm_mem_err_t vm_mem_store##bits(const vm_mem_t *mem, gpa_t gpa,                  \
                                                  uint##bits##_t val) {                            \
        VM_MEM_FAST_STORE(&mem->fast, mem, bits, log2w, gpa, val);                                 \
    }                                                                                              \
    /* vm_mem_load##bits through a window copy. */                                                 \
    static inline vm_mem_err_t vm_mem_fast_load##bits(const vm_mem_fast_t *fast, gpa_t gpa,        \
                                                      uint##bits##_t *val) {                       \
        VM_MEM_FAST_LOAD(fast, fast->mem, bits, log2w, gpa, val);                                  \
    }                                                                                              \
    /* vm_mem_store##bits through a window copy. */                                                \
    static inline vm_mem_err_t vm_mem_fast_store##bits(const vm_mem_fast_t *fast, gpa_t gpa,       \
                                                       uint##bits##_t val) {                       \
        VM_MEM_FAST_STORE(fast, fast->mem, bits, log2w, gpa, val);                                 \
    }

VM_MEM_DEFINE_ACCESS(8, 0)
VM_MEM_DEFINE_ACCESS(16, 1)
VM_MEM_DEFINE_ACCESS(32, 2)
VM_MEM_DEFINE_ACCESS(64, 3)

#ifdef __cplusplus
}
#endif
