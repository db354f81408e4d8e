/* guest.c - the guest-physical address map and its slow paths.
 *
 * The map is a sorted array of non-overlapping regions (RAM, ROM, MMIO). Lookups try the
 * region found last (a relaxed atomic hint, so several vCPU threads may share it), then
 * binary-search the array. The array only changes while the machine is being built.
 *
 * The inline accessors in vm/mem.h handle the main RAM region on their own; everything they
 * cannot (other regions, a fault, an access that straddles two regions) lands in
 * vm_mem_load_slow()/vm_mem_store_slow(), which are kept out of line so that the inline
 * code stays one compare and one move.
 *
 * Bulk transfers (vm_mem_read/write/fill) walk the range twice: first a check that every
 * byte is mapped, accessible in that direction and, for MMIO, expressible in widths the
 * device accepts; then the transfer, RAM and ROM parts through memops, MMIO parts as device
 * calls of the widest accepted naturally aligned width. A faulting range therefore has no
 * side effect at all, with one exception: a device callback may itself fail half-way.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guest_priv.h"
#include "vm/memops.h"

/* ---- region lookup ---------------------------------------------------------------- */

/* Index of the region containing gpa, or -1. */
static ptrdiff_t find_region(struct vm_mem_priv *p, gpa_t gpa) {
    size_t hint = atomic_load_explicit(&p->last_hit, memory_order_relaxed);
    if (hint < p->count && p->regions[hint].base <= gpa && gpa <= p->regions[hint].last)
        return (ptrdiff_t)hint;
    size_t lo = 0, hi = p->count; /* the answer is the last region with base <= gpa */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->regions[mid].base <= gpa)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || p->regions[lo - 1].last < gpa) return -1;
    atomic_store_explicit(&p->last_hit, lo - 1, memory_order_relaxed);
    return (ptrdiff_t)(lo - 1);
}

/* The region containing gpa, or NULL. */
static const mem_region_t *region_at(const vm_mem_t *mem, gpa_t gpa) {
    ptrdiff_t i = find_region(mem->priv, gpa);
    return i < 0 ? NULL : &mem->priv->regions[i];
}

/* Bytes from gpa to the end of r, capped at want (gpa inside r; never overflows). */
static uint64_t chunk_len(const mem_region_t *r, gpa_t gpa, uint64_t want) {
    uint64_t after = r->last - gpa; /* bytes after gpa inside r */
    return want - 1 <= after ? want : after + 1;
}

/* ---- little-endian helpers -------------------------------------------------------- */

/* The size-byte (1, 2, 4 or 8) little-endian value at p, zero-extended: one host load. */
static uint64_t get_le(const uint8_t *p, unsigned size) {
    switch (size) {
    case 1: return p[0];
    case 2: {
        uint16_t v;
        memcpy(&v, p, 2);
        return VM_MEM_LE16(v);
    }
    case 4: {
        uint32_t v;
        memcpy(&v, p, 4);
        return VM_MEM_LE32(v);
    }
    default: {
        uint64_t v;
        memcpy(&v, p, 8);
        return VM_MEM_LE64(v);
    }
    }
}

/* Store the low size bytes (1, 2, 4 or 8) of v little-endian at p: one host store. */
static void put_le(uint8_t *p, unsigned size, uint64_t v) {
    switch (size) {
    case 1: p[0] = (uint8_t)v; return;
    case 2: {
        uint16_t w = VM_MEM_LE16((uint16_t)v);
        memcpy(p, &w, 2);
        return;
    }
    case 4: {
        uint32_t w = VM_MEM_LE32((uint32_t)v);
        memcpy(p, &w, 4);
        return;
    }
    default: {
        uint64_t w = VM_MEM_LE64(v);
        memcpy(p, &w, 8);
        return;
    }
    }
}

/* ---- MMIO -------------------------------------------------------------------------- */

/* Width to use for the next MMIO piece at region offset off with n bytes left, or 0 with
 * *err set when the device accepts no fitting width. */
static unsigned mmio_width(const vm_mmio_ops_t *ops, uint64_t off, uint64_t n, vm_mem_err_t *err) {
    bool misaligned = false;
    for (unsigned w = 8; w; w >>= 1) {
        if (!(ops->widths & w) || w > n) continue;
        if ((off & (w - 1)) == 0 || ops->allow_unaligned) return w;
        misaligned = true;
    }
    *err = misaligned ? VM_MEM_E_ALIGN : VM_MEM_E_WIDTH;
    return 0;
}

/* Check that [off, off+n) of an MMIO region can be accessed in the given direction. */
static vm_mem_err_t mmio_check(const mem_region_t *r, uint64_t off, uint64_t n, bool write) {
    if (write ? !r->ops->write : !r->ops->read)
        return write ? VM_MEM_E_READONLY : VM_MEM_E_UNMAPPED;
    vm_mem_err_t err = VM_MEM_OK;
    while (n) {
        unsigned w = mmio_width(r->ops, off, n, &err);
        if (!w) return err;
        off += w;
        n -= w;
    }
    return VM_MEM_OK;
}

/* Read n bytes at region offset off into buf, in device-accepted pieces. */
static vm_mem_err_t mmio_read(const mem_region_t *r, uint64_t off, uint8_t *buf, uint64_t n) {
    vm_mem_err_t err = VM_MEM_OK;
    while (n) {
        unsigned w = mmio_width(r->ops, off, n, &err);
        if (!w) return err;
        uint64_t v = 0;
        if ((err = r->ops->read(r->opaque, off, w, &v)) != VM_MEM_OK) return err;
        put_le(buf, w, v);
        buf += w;
        off += w;
        n -= w;
    }
    return VM_MEM_OK;
}

/* Write n bytes at region offset off, taken from buf (or, when buf is NULL, all equal to
 * fill), in device-accepted pieces. */
static vm_mem_err_t mmio_write(const mem_region_t *r, uint64_t off, const uint8_t *buf,
                               uint8_t fill, uint64_t n) {
    vm_mem_err_t err = VM_MEM_OK;
    while (n) {
        unsigned w = mmio_width(r->ops, off, n, &err);
        if (!w) return err;
        uint64_t v = buf ? get_le(buf, w) : fill * UINT64_C(0x0101010101010101);
        if ((err = r->ops->write(r->opaque, off, w, v)) != VM_MEM_OK) return err;
        if (buf) buf += w;
        off += w;
        n -= w;
    }
    return VM_MEM_OK;
}

/* ---- bulk transfers ------------------------------------------------------------------ */

/* Check [gpa, gpa+len) (len > 0, no wrap) for a read or a write without side effects. */
static vm_mem_err_t check_range(const vm_mem_t *mem, gpa_t gpa, uint64_t len, bool write) {
    while (len) {
        const mem_region_t *r = region_at(mem, gpa);
        if (!r) return VM_MEM_E_UNMAPPED;
        uint64_t n = chunk_len(r, gpa, len);
        if (r->kind == VM_MEM_ROM && write) return VM_MEM_E_READONLY;
        if (r->kind == VM_MEM_MMIO) {
            vm_mem_err_t err = mmio_check(r, gpa - r->base, n, write);
            if (err != VM_MEM_OK) return err;
        }
        gpa += n;
        len -= n;
    }
    return VM_MEM_OK;
}

/* Validate the arguments common to every bulk transfer. */
static vm_mem_err_t check_args(const vm_mem_t *mem, gpa_t gpa, const void *buf, size_t len) {
    if (!mem || (!buf && len)) return VM_MEM_E_INVAL;
    if (len && gpa + (len - 1) < gpa) return VM_MEM_E_WRAP;
    return VM_MEM_OK;
}

vm_mem_err_t vm_mem_read(const vm_mem_t *mem, gpa_t gpa, void *host_buf, size_t len) {
    vm_mem_err_t err = check_args(mem, gpa, host_buf, len);
    if (err != VM_MEM_OK || len == 0) return err;
    if ((err = check_range(mem, gpa, len, false)) != VM_MEM_OK) return err;
    uint8_t *buf = host_buf;
    while (len) {
        const mem_region_t *r = region_at(mem, gpa);
        uint64_t n = chunk_len(r, gpa, len);
        if (r->kind == VM_MEM_MMIO) {
            if ((err = mmio_read(r, gpa - r->base, buf, n)) != VM_MEM_OK) return err;
        } else {
            vm_memcpy(buf, r->map.host + (gpa - r->base), n);
        }
        buf += n;
        gpa += n;
        len -= n;
    }
    return VM_MEM_OK;
}

/* Write len bytes from buf (or the byte fill when buf is NULL) at gpa. */
static vm_mem_err_t write_common(const vm_mem_t *mem, gpa_t gpa, const uint8_t *buf, uint8_t fill,
                                 size_t len) {
    vm_mem_err_t err = check_range(mem, gpa, len, true);
    if (err != VM_MEM_OK) return err;
    while (len) {
        const mem_region_t *r = region_at(mem, gpa);
        uint64_t n = chunk_len(r, gpa, len);
        if (r->kind == VM_MEM_MMIO) {
            if ((err = mmio_write(r, gpa - r->base, buf, fill, n)) != VM_MEM_OK) return err;
        } else if (buf) {
            vm_memcpy(r->map.host + (gpa - r->base), buf, n);
        } else {
            vm_memset(r->map.host + (gpa - r->base), fill, n);
        }
        if (buf) buf += n;
        gpa += n;
        len -= n;
    }
    return VM_MEM_OK;
}

vm_mem_err_t vm_mem_write(const vm_mem_t *mem, gpa_t gpa, const void *host_buf, size_t len) {
    vm_mem_err_t err = check_args(mem, gpa, host_buf, len);
    if (err != VM_MEM_OK || len == 0) return err;
    return write_common(mem, gpa, host_buf, 0, len);
}

vm_mem_err_t vm_mem_fill(const vm_mem_t *mem, gpa_t gpa, int c, size_t len) {
    vm_mem_err_t err = check_args(mem, gpa, "", len);
    if (err != VM_MEM_OK || len == 0) return err;
    return write_common(mem, gpa, NULL, (uint8_t)c, len);
}

vm_mem_err_t vm_mem_zero(const vm_mem_t *mem, gpa_t gpa, size_t len) {
    return vm_mem_fill(mem, gpa, 0, len);
}

/* ---- slow paths of the inline accessors ------------------------------------------ */

/* Check an accessor's width and range; VM_MEM_OK when it is a legal request. */
static vm_mem_err_t check_access(const vm_mem_t *mem, gpa_t gpa, unsigned size) {
    if (!mem) return VM_MEM_E_INVAL;
    if (size != 1 && size != 2 && size != 4 && size != 8) return VM_MEM_E_WIDTH;
    if (gpa + (size - 1) < gpa) return VM_MEM_E_WRAP;
    return VM_MEM_OK;
}

__attribute__((noinline)) vm_mem_err_t vm_mem_load_slow(const vm_mem_t *mem, gpa_t gpa,
                                                        unsigned size, uint64_t *val) {
    *val = 0;
    vm_mem_err_t err = check_access(mem, gpa, size);
    if (err != VM_MEM_OK) return err;
    const mem_region_t *r = region_at(mem, gpa);
    if (!r) return VM_MEM_E_UNMAPPED;
    uint64_t off = gpa - r->base;
    if (gpa + (size - 1) > r->last) { /* straddles a region edge: take it piece by piece */
        uint8_t buf[8];
        if ((err = vm_mem_read(mem, gpa, buf, size)) == VM_MEM_OK) *val = get_le(buf, size);
        return err;
    }
    if (r->kind != VM_MEM_MMIO) {
        *val = get_le(r->map.host + off, size);
        return VM_MEM_OK;
    }
    if (!(r->ops->widths & size)) return VM_MEM_E_WIDTH;
    if ((off & (size - 1)) && !r->ops->allow_unaligned) return VM_MEM_E_ALIGN;
    if (!r->ops->read) return VM_MEM_E_UNMAPPED;
    uint64_t v = 0;
    if ((err = r->ops->read(r->opaque, off, size, &v)) != VM_MEM_OK) return err;
    *val = size == 8 ? v : v & ((UINT64_C(1) << (8 * size)) - 1);
    return VM_MEM_OK;
}

__attribute__((noinline)) vm_mem_err_t vm_mem_store_slow(const vm_mem_t *mem, gpa_t gpa,
                                                         unsigned size, uint64_t val) {
    vm_mem_err_t err = check_access(mem, gpa, size);
    if (err != VM_MEM_OK) return err;
    const mem_region_t *r = region_at(mem, gpa);
    if (!r) return VM_MEM_E_UNMAPPED;
    uint64_t off = gpa - r->base;
    if (gpa + (size - 1) > r->last) {
        uint8_t buf[8];
        put_le(buf, size, val);
        return vm_mem_write(mem, gpa, buf, size);
    }
    switch (r->kind) {
    case VM_MEM_RAM: put_le(r->map.host + off, size, val); return VM_MEM_OK;
    case VM_MEM_ROM: return VM_MEM_E_READONLY;
    case VM_MEM_MMIO: break;
    }
    if (!(r->ops->widths & size)) return VM_MEM_E_WIDTH;
    if ((off & (size - 1)) && !r->ops->allow_unaligned) return VM_MEM_E_ALIGN;
    if (!r->ops->write) return VM_MEM_E_READONLY;
    if (size < 8) val &= (UINT64_C(1) << (8 * size)) - 1;
    return r->ops->write(r->opaque, off, size, val);
}

/* ---- host pointers ----------------------------------------------------------------- */

/* Host address of [gpa, gpa+len) inside one region of an accepted kind, or NULL. */
static uint8_t *host_range(const vm_mem_t *mem, gpa_t gpa, size_t len, bool rom_ok) {
    if (!mem) return NULL;
    uint64_t last = gpa + (len ? len - 1 : 0);
    if (last < gpa) return NULL;
    const mem_region_t *r = region_at(mem, gpa);
    if (!r || last > r->last) return NULL;
    if (r->kind == VM_MEM_RAM || (rom_ok && r->kind == VM_MEM_ROM))
        return r->map.host + (gpa - r->base);
    return NULL;
}

void *vm_mem_host_ptr(const vm_mem_t *mem, gpa_t gpa, size_t len) {
    return host_range(mem, gpa, len, false);
}

const void *vm_mem_host_ptr_ro(const vm_mem_t *mem, gpa_t gpa, size_t len) {
    return host_range(mem, gpa, len, true);
}

/* ---- building the map ---------------------------------------------------------------- */

vm_mem_err_t vm_mem_create(vm_mem_t **out) {
    if (!out) return VM_MEM_E_INVAL;
    *out = NULL;
    /* A machine is being built and no guest instruction has run yet: the one moment where a
     * first-time memops calibration (at most ~50 ms, then cached per CPU) cannot land inside
     * a guest's timed section. With a valid cache this is one small file read, once. */
    (void)vm_memops_calibrate(VM_MEMOPS_CAL_IF_NEEDED);
    vm_mem_t *mem = calloc(1, sizeof *mem);
    struct vm_mem_priv *p = calloc(1, sizeof *p);
    if (!mem || !p) {
        free(mem);
        free(p);
        return VM_MEM_E_NOMEM;
    }
    atomic_init(&p->last_hit, 0);
    mem->priv = p;
    mem->fast.mem = mem;
    *out = mem;
    return VM_MEM_OK;
}

void vm_mem_destroy(vm_mem_t *mem) {
    if (!mem) return;
    for (size_t i = 0; i < mem->priv->count; i++)
        mem_host_unmap(&mem->priv->regions[i].map);
    free(mem->priv->regions);
    free(mem->priv);
    free(mem);
}

/* Check that [gpa, gpa+size) is a legal new region; on success *pos is its sorted index. */
static vm_mem_err_t check_new(const vm_mem_t *mem, gpa_t gpa, uint64_t size, size_t *pos) {
    const struct vm_mem_priv *p = mem->priv;
    if (size == 0) return VM_MEM_E_SIZE;
    if (gpa + (size - 1) < gpa) return VM_MEM_E_WRAP;
    if (p->count >= VM_MEM_MAX_REGIONS) return VM_MEM_E_TOO_MANY;
    gpa_t last = gpa + (size - 1);
    size_t lo = 0, hi = p->count; /* first region with base > gpa */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->regions[mid].base <= gpa)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0 && p->regions[lo - 1].last >= gpa) return VM_MEM_E_OVERLAP;
    if (lo < p->count && p->regions[lo].base <= last) return VM_MEM_E_OVERLAP;
    *pos = lo;
    return VM_MEM_OK;
}

/* Insert r at sorted index pos (already checked). */
static vm_mem_err_t insert_region(vm_mem_t *mem, size_t pos, const mem_region_t *r) {
    struct vm_mem_priv *p = mem->priv;
    if (p->count == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 8;
        mem_region_t *n = realloc(p->regions, cap * sizeof *n);
        if (!n) return VM_MEM_E_NOMEM;
        p->regions = n;
        p->cap = cap;
    }
    memmove(&p->regions[pos + 1], &p->regions[pos], (p->count - pos) * sizeof *r);
    p->regions[pos] = *r;
    p->count++;
    atomic_store_explicit(&p->last_hit, pos, memory_order_relaxed);
    return VM_MEM_OK;
}

/* Checks shared by RAM and ROM: page alignment and the size cap. */
static vm_mem_err_t check_backed(gpa_t gpa, uint64_t size) {
    if (size == 0 || size > VM_MEM_REGION_MAX) return VM_MEM_E_SIZE;
    if (gpa % VM_MEM_PAGE_SIZE || size % VM_MEM_PAGE_SIZE) return VM_MEM_E_ALIGN;
    return VM_MEM_OK;
}

vm_mem_err_t vm_mem_add_ram(vm_mem_t *mem, gpa_t gpa, uint64_t size,
                            const vm_mem_ram_opts_t *opts) {
    if (!mem) return VM_MEM_E_INVAL;
    size_t pos;
    vm_mem_err_t err = check_backed(gpa, size);
    if (err == VM_MEM_OK) err = check_new(mem, gpa, size, &pos);
    if (err != VM_MEM_OK) return err;
    mem_region_t r = {.kind = VM_MEM_RAM, .base = gpa, .last = gpa + (size - 1)};
    if ((err = mem_host_map(size, opts, &r.map)) != VM_MEM_OK) return err;
    if ((err = insert_region(mem, pos, &r)) != VM_MEM_OK) {
        mem_host_unmap(&r.map);
        return err;
    }
    if (mem->fast.size == 0) { /* the first RAM region becomes the inline fast window */
        mem->fast.host = r.map.host;
        mem->fast.base = gpa;
        mem->fast.size = size;
        for (unsigned i = 0; i < 4; i++)
            mem->fast.span[i] = size - (UINT64_C(1) << i) + 1;
    }
    return VM_MEM_OK;
}

vm_mem_err_t vm_mem_add_rom(vm_mem_t *mem, gpa_t gpa, uint64_t size, const void *data, size_t len) {
    if (!mem || (!data && len) || len > size) return VM_MEM_E_INVAL;
    size_t pos;
    vm_mem_err_t err = check_backed(gpa, size);
    if (err == VM_MEM_OK) err = check_new(mem, gpa, size, &pos);
    if (err != VM_MEM_OK) return err;
    const vm_mem_ram_opts_t opts = {.flags = VM_MEM_RAM_NO_HUGEPAGE};
    mem_region_t r = {.kind = VM_MEM_ROM, .base = gpa, .last = gpa + (size - 1)};
    if ((err = mem_host_map(size, &opts, &r.map)) != VM_MEM_OK) return err;
    if (len) vm_memcpy(r.map.host, data, len);
    if ((err = mem_host_protect(&r.map, false)) != VM_MEM_OK ||
        (err = insert_region(mem, pos, &r)) != VM_MEM_OK) {
        mem_host_unmap(&r.map);
        return err;
    }
    return VM_MEM_OK;
}

vm_mem_err_t vm_mem_load_rom(vm_mem_t *mem, gpa_t gpa, const void *data, size_t len) {
    vm_mem_err_t err = check_args(mem, gpa, data, len);
    if (err != VM_MEM_OK || len == 0) return err;
    const mem_region_t *r = region_at(mem, gpa);
    if (!r) return VM_MEM_E_UNMAPPED;
    if (r->kind != VM_MEM_ROM || gpa + (len - 1) > r->last) return VM_MEM_E_INVAL;
    if ((err = mem_host_protect(&r->map, true)) != VM_MEM_OK) return err;
    vm_memcpy(r->map.host + (gpa - r->base), data, len);
    return mem_host_protect(&r->map, false);
}

vm_mem_err_t vm_mem_add_mmio(vm_mem_t *mem, gpa_t gpa, uint64_t size, const vm_mmio_ops_t *ops,
                             void *opaque) {
    if (!mem || !ops || (!ops->read && !ops->write)) return VM_MEM_E_INVAL;
    if (ops->widths == 0 || (ops->widths & ~(VM_MEM_W1 | VM_MEM_W2 | VM_MEM_W4 | VM_MEM_W8)))
        return VM_MEM_E_WIDTH;
    size_t pos;
    vm_mem_err_t err = check_new(mem, gpa, size, &pos);
    if (err != VM_MEM_OK) return err;
    mem_region_t r = {.kind = VM_MEM_MMIO,
                      .base = gpa,
                      .last = gpa + (size - 1),
                      .map = {.numa_node = -1},
                      .ops = ops,
                      .opaque = opaque};
    return insert_region(mem, pos, &r);
}

/* ---- queries ------------------------------------------------------------------------- */

/* Fill *out from region r. */
static void describe(const vm_mem_t *mem, const mem_region_t *r, vm_mem_region_info_t *out) {
    static const char *const names[] = {[VM_MEM_RAM] = "ram", [VM_MEM_ROM] = "rom"};
    *out = (vm_mem_region_info_t){
        .kind = r->kind,
        .base = r->base,
        .size = r->last - r->base + 1,
        .host = r->map.host,
        .name = r->kind == VM_MEM_MMIO ? (r->ops->name ? r->ops->name : "mmio") : names[r->kind],
        .hugepage = r->map.hugepage,
        .numa_node = r->map.numa_node,
        .fast = r->kind == VM_MEM_RAM && mem->fast.size && r->map.host == mem->fast.host,
    };
}

vm_mem_err_t vm_mem_lookup(const vm_mem_t *mem, gpa_t gpa, vm_mem_region_info_t *out) {
    if (!mem || !out) return VM_MEM_E_INVAL;
    const mem_region_t *r = region_at(mem, gpa);
    if (!r) return VM_MEM_E_UNMAPPED;
    describe(mem, r, out);
    return VM_MEM_OK;
}

size_t vm_mem_region_count(const vm_mem_t *mem) {
    return mem ? mem->priv->count : 0;
}

vm_mem_err_t vm_mem_region_at(const vm_mem_t *mem, size_t i, vm_mem_region_info_t *out) {
    if (!mem || !out || i >= mem->priv->count) return VM_MEM_E_INVAL;
    describe(mem, &mem->priv->regions[i], out);
    return VM_MEM_OK;
}

/* ---- errors ----------------------------------------------------------------------------- */

const char *vm_mem_strerror(vm_mem_err_t err) {
    static const char *const msg[VM_MEM_E_COUNT] = {
        [VM_MEM_OK] = "success",
        [VM_MEM_E_UNMAPPED] = "guest address not mapped",
        [VM_MEM_E_READONLY] = "write to read-only guest memory",
        [VM_MEM_E_WRAP] = "guest address range wraps around 2^64",
        [VM_MEM_E_WIDTH] = "access width not supported by the region",
        [VM_MEM_E_ALIGN] = "misaligned address or region",
        [VM_MEM_E_OVERLAP] = "region overlaps an existing region",
        [VM_MEM_E_SIZE] = "region size is zero or too large",
        [VM_MEM_E_INVAL] = "invalid argument",
        [VM_MEM_E_NOMEM] = "out of host memory",
        [VM_MEM_E_NUMA] = "NUMA node does not exist or is not allowed",
        [VM_MEM_E_NOTSUP] = "not supported by this build or host",
        [VM_MEM_E_DEVICE] = "device reported an error",
        [VM_MEM_E_TOO_MANY] = "too many regions",
    };
    if ((unsigned)err >= VM_MEM_E_COUNT) return "unknown guest memory error";
    return msg[err];
}

int vm_mem_err_errno(vm_mem_err_t err) {
    switch (err) {
    case VM_MEM_OK: return 0;
    case VM_MEM_E_UNMAPPED:
    case VM_MEM_E_WRAP: return -EFAULT;
    case VM_MEM_E_READONLY: return -EROFS;
    case VM_MEM_E_OVERLAP: return -EEXIST;
    case VM_MEM_E_NOMEM: return -ENOMEM;
    case VM_MEM_E_NUMA: return -ENODEV;
    case VM_MEM_E_NOTSUP: return -ENOTSUP;
    case VM_MEM_E_DEVICE: return -EIO;
    case VM_MEM_E_TOO_MANY: return -ENOSPC;
    case VM_MEM_E_WIDTH:
    case VM_MEM_E_ALIGN:
    case VM_MEM_E_SIZE:
    case VM_MEM_E_INVAL:
    case VM_MEM_E_COUNT: break;
    }
    return -EINVAL;
}
