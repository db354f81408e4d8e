/* test_mem.c - the guest-physical address map: region adds and lookups, the inline
 * accessors and their slow path, bulk transfers across region edges, ROM, MMIO, errors,
 * and the host guard pages around RAM and ROM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vm/mem.h"

#define RAM_BASE UINT64_C(0x80000000)
#define KIB      UINT64_C(1024)
#define MIB      (KIB * KIB)

/* ---- a recording MMIO device --------------------------------------------------------- */

#define LOG_MAX 64

/* One device call as the device saw it. */
typedef struct dev_call {
    char op;       /* 'r' or 'w' */
    uint64_t off;  /* offset passed */
    unsigned size; /* width passed */
    uint64_t val;  /* value passed or returned */
} dev_call_t;

typedef struct mock_dev {
    uint8_t regs[256]; /* backing bytes, little-endian */
    dev_call_t log[LOG_MAX];
    int n;     /* entries in log */
    bool fail; /* report VM_MEM_E_DEVICE */
} mock_dev_t;

static vm_mem_err_t dev_read(void *opaque, uint64_t off, unsigned size, uint64_t *val) {
    mock_dev_t *d = opaque;
    if (d->fail) return VM_MEM_E_DEVICE;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)d->regs[(off + i) % sizeof d->regs] << (8 * i);
    *val = v;
    if (d->n < LOG_MAX) d->log[d->n++] = (dev_call_t){'r', off, size, v};
    return VM_MEM_OK;
}

static vm_mem_err_t dev_write(void *opaque, uint64_t off, unsigned size, uint64_t val) {
    mock_dev_t *d = opaque;
    if (d->fail) return VM_MEM_E_DEVICE;
    for (unsigned i = 0; i < size; i++)
        d->regs[(off + i) % sizeof d->regs] = (uint8_t)(val >> (8 * i));
    if (d->n < LOG_MAX) d->log[d->n++] = (dev_call_t){'w', off, size, val};
    return VM_MEM_OK;
}

static const vm_mmio_ops_t dev_w4 = {"dev4", dev_read, dev_write, VM_MEM_W4, false};
static const vm_mmio_ops_t dev_all = {"devall", dev_read, dev_write,
                                      VM_MEM_W1 | VM_MEM_W2 | VM_MEM_W4 | VM_MEM_W8, false};
static const vm_mmio_ops_t dev_48 = {"dev48", dev_read, dev_write, VM_MEM_W4 | VM_MEM_W8, false};
static const vm_mmio_ops_t dev_ro = {"devro", dev_read, NULL, VM_MEM_W4, false};
static const vm_mmio_ops_t dev_unal = {"devu", dev_read, dev_write, VM_MEM_W4, true};

static vm_mem_t *new_map(void) {
    vm_mem_t *m = NULL;
    assert_int_equal(vm_mem_create(&m), VM_MEM_OK);
    assert_non_null(m);
    return m;
}

/* ---- building the map ---------------------------------------------------------------- */

static void empty_map_faults(void **state) {
    (void)state;
    vm_mem_t *m = new_map();
    uint32_t v = 123;
    assert_int_equal(vm_mem_load32(m, 0, &v), VM_MEM_E_UNMAPPED);
    assert_int_equal(v, 0);
    assert_int_equal(vm_mem_store8(m, 0, 1), VM_MEM_E_UNMAPPED);
    assert_int_equal(vm_mem_load8(m, UINT64_MAX, &(uint8_t){0}), VM_MEM_E_UNMAPPED);
    assert_int_equal(vm_mem_region_count(m), 0);
    assert_null(vm_mem_host_ptr(m, 0, 1));
    vm_mem_destroy(m);
    vm_mem_destroy(NULL);
    assert_int_equal(vm_mem_create(NULL), VM_MEM_E_INVAL);
}

static void add_and_lookup(void **state) {
    (void)state;
    vm_mem_t *m = new_map();
    mock_dev_t d = {0};
    assert_int_equal(vm_mem_add_ram(m, RAM_BASE, 64 * KIB, NULL), VM_MEM_OK);
    assert_int_equal(vm_mem_add_mmio(m, 0x10000000, 0x100, &dev_all, &d), VM_MEM_OK);
    assert_int_equal(vm_mem_add_rom(m, 0x1000, 0x1000, "abc", 3), VM_MEM_OK);
    assert_int_equal(vm_mem_add_ram(m, RAM_BASE + 64 * KIB, 64 * KIB, NULL), VM_MEM_OK);
    assert_int_equal(vm_mem_region_count(m), 4);

    /* regions come back sorted */
    gpa_t prev = 0;
    for (size_t i = 0; i < 4; i++) {
        vm_mem_region_info_t info;
        assert_int_equal(vm_mem_region_at(m, i, &info), VM_MEM_OK);
        assert_true(i == 0 || info.base > prev);
        prev = info.base;
    }
    vm_mem_region_info_t info;
    assert_int_equal(vm_mem_region_at(m, 4, &info), VM_MEM_E_INVAL);

    assert_int_equal(vm_mem_lookup(m, RAM_BASE + 5, &info), VM_MEM_OK);
    assert_int_equal(info.kind, VM_MEM_RAM);
    assert_int_equal(info.base, RAM_BASE);
    assert_int_equal(info.size, 64 * KIB);
    assert_true(info.fast);
    assert_string_equal(info.name, "ram");
    assert_int_equal(vm_mem_lookup(m, RAM_BASE + 64 * KIB, &info), VM_MEM_OK);
    assert_int_equal(info.base, RAM_BASE + 64 * KIB);
    assert_false(info.fast);
    assert_int_equal(vm_mem_lookup(m, 0x100000ff, &info), VM_MEM_OK);
    assert_int_equal(info.kind, VM_MEM_MMIO);
    assert_string_equal(info.name, "devall");
    assert_null(info.host);
    assert_int_equal(vm_mem_lookup(m, 0x10000100, &info), VM_MEM_E_UNMAPPED);
    assert_int_equal(vm_mem_lookup(m, 0x1fff, &info), VM_MEM_OK);
    assert_int_equal(info.kind, VM_MEM_ROM);
    assert_int_equal(vm_mem_lookup(m, 0xfff, &info), VM_MEM_E_UNMAPPED);
    assert_int_equal(vm_mem_lookup(m, 0, &info), VM_MEM_E_UNMAPPED);
    assert_int_equal(vm_mem_lookup(m, UINT64_MAX, &info), VM_MEM_E_UNMAPPED);

    /* the fast window is the first RAM region */
    assert_int_equal(m->fast.base, RAM_BASE);
    assert_int_equal(m->fast.size, 64 * KIB);
    assert_int_equal(m->fast.span[2], 64 * KIB - 3);
    vm_mem_destroy(m);
}

/* Many regions: every base, last byte and gap is found correctly, in any order (the
 * last-hit cache must never answer for the wrong region). */
static void lookup_many(void **state) {
    (void)state;
    vm_mem_t *m = new_map();
    mock_dev_t d = {0};
    /* 300 MMIO regions of growing size with gaps, added in a scrambled order */
    for (unsigned k = 0; k < 300; k++) {
        unsigned i = (k * 7919u) % 300u;
        gpa_t base = 0x40000000 + (gpa_t)i * 0x10000;
        assert_int_equal(vm_mem_add_mmio(m, base, 0x100 + i, &dev_all, &d), VM_MEM_OK);
    }
    assert_int_equal(vm_mem_region_count(m), 300);
    for (unsigned k = 0; k < 900; k++) {
        unsigned i = (k * 104729u) % 300u;
        gpa_t base = 0x40000000 + (gpa_t)i * 0x10000;
        vm_mem_region_info_t info;
        gpa_t probe = k % 3 == 0 ? base : k % 3 == 1 ? base + 0x100 + i - 1 : base + 0x100 + i;
        vm_mem_err_t err = vm_mem_lookup(m, probe, &info);
        if (k % 3 == 2) {
            assert_int_equal(err, VM_MEM_E_UNMAPPED);
        } else {
            assert_int_equal(err, VM_MEM_OK);
            assert_int_equal(info.base, base);
            assert_int_equal(info.size, 0x100 + i);
        }
    }
    vm_mem_destroy(m);
}

static void bad_adds(void **state) {
    (void)state;
    vm_mem_t *m = new_map();
    mock_dev_t d = {0};
    assert_int_equal(vm_mem_add_ram(m, RAM_BASE, 64 * KIB, NULL), VM_MEM_OK);
    /* overlaps: same, head, tail, containing, contained, single byte */
    assert_int_equal(vm_mem_add_ram(m, RAM_BASE, 64 * KIB, NULL), VM_MEM_E_OVERLAP);
    assert_int_equal(vm_mem_add_ram(m, RAM_BASE - 4 * KIB, 8 * KIB, NULL), VM_MEM_E_OVERLAP);
    assert_int_equal(vm_mem_add_ram(m, RAM_BASE + 60 * KIB, 8 * KIB, NULL), VM_MEM_E_OVERLAP);
    assert_int_equal(vm_mem_add_ram(m, RAM_BASE - 4 * KIB, 128 * KIB, NULL), VM_MEM_E_OVERLAP);
    assert_int_equal(vm_mem_add_rom(m, RAM_BASE + 4 * KIB, 4 * KIB, NULL, 0), VM_MEM_E_OVERLAP);
    assert_int_equal(vm_mem_add_mmio(m, RAM_BASE + 64 * KIB - 1, 1, &dev_all, &d),
                     VM_MEM_E_OVERLAP);
    assert_int_equal(vm_mem_add_mmio(m, RAM_BASE - 1, 2, &dev_all, &d), VM_MEM_E_OVERLAP);
    /* adjacent on both sides is fine */
    assert_int_equal(vm_mem_add_mmio(m, RAM_BASE - 1, 1, &dev_all, &d), VM_MEM_OK);
    assert_int_equal(vm_mem_add_mmio(m, RAM_BASE + 64 * KIB, 1, &dev_all, &d), VM_MEM_OK);
    /* sizes and alignment */
    assert_int_equal(vm_mem_add_ram(m, 0, 0, NULL), VM_MEM_E_SIZE);
    assert_int_equal(vm_mem_add_mmio(m, 0, 0, &dev_all, &d), VM_MEM_E_SIZE);
    assert_int_equal(vm_mem_add_ram(m, 0, VM_MEM_REGION_MAX + 4096, NULL), VM_MEM_E_SIZE);
    assert_int_equal(vm_mem_add_ram(m, 0, UINT64_MAX & ~UINT64_C(4095), NULL), VM_MEM_E_SIZE);
    assert_int_equal(vm_mem_add_ram(m, 0x100, 4096, NULL), VM_MEM_E_ALIGN);
    assert_int_equal(vm_mem_add_ram(m, 0, 4097, NULL), VM_MEM_E_ALIGN);
    assert_int_equal(vm_mem_add_rom(m, 0x800, 4096, NULL, 0), VM_MEM_E_ALIGN);
    /* wrap around the top of the space */
    assert_int_equal(vm_mem_add_ram(m, UINT64_MAX - 4095 - 4096, 3 * 4096, NULL), VM_MEM_E_WRAP);
    assert_int_equal(vm_mem_add_mmio(m, UINT64_MAX, 2, &dev_all, &d), VM_MEM_E_WRAP);
    assert_int_equal(vm_mem_add_mmio(m, 2, UINT64_MAX, &dev_all, &d), VM_MEM_E_WRAP);
    /* bad arguments */
    assert_int_equal(vm_mem_add_ram(NULL, 0, 4096, NULL), VM_MEM_E_INVAL);
    assert_int_equal(vm_mem_add_ram(m, 0, 4096, &(vm_mem_ram_opts_t){.flags = 0x100}),
                     VM_MEM_E_INVAL);
    assert_int_equal(vm_mem_add_rom(m, 0, 4096, NULL, 5), VM_MEM_E_INVAL);
    assert_int_equal(vm_mem_add_rom(m, 0, 4096, "x", 4097), VM_MEM_E_INVAL);
    assert_int_equal(vm_mem_add_mmio(m, 0, 16, NULL, &d), VM_MEM_E_INVAL);
    const vm_mmio_ops_t none = {"none", NULL, NULL, VM_MEM_W4, false};
    assert_int_equal(vm_mem_add_mmio(m, 0, 16, &none, &d), VM_MEM_E_INVAL);
    const vm_mmio_ops_t w0 = {"w0", dev_read, dev_write, 0, false};
    const vm_mmio_ops_t w3 = {"w3", dev_read, dev_write, 3 | 16, false};
    assert_int_equal(vm_mem_add_mmio(m, 0, 16, &w0, &d), VM_MEM_E_WIDTH);
    assert_int_equal(vm_mem_add_mmio(m, 0, 16, &w3, &d), VM_MEM_E_WIDTH);
    /* nothing of the refused adds stuck */
    assert_int_equal(vm_mem_region_count(m), 3);
    /* the map keeps working after all that */
    assert_int_equal(vm_mem_store32(m, RAM_BASE + 8, 0xdeadbeef), VM_MEM_OK);
    uint32_t v;
    assert_int_equal(vm_mem_load32(m, RAM_BASE + 8, &v), VM_MEM_OK);
    assert_int_equal(v, 0xdeadbeef);
    vm_mem_destroy(m);
}

static void region_limit(void **state) {
    (void)state;
    vm_mem_t *m = new_map();
    mock_dev_t d = {0};
    for (unsigned i = 0; i < VM_MEM_MAX_REGIONS; i++)
        assert_int_equal(vm_mem_add_mmio(m, (gpa_t)i * 16, 16, &dev_all, &d), VM_MEM_OK);
    assert_int_equal(vm_mem_add_mmio(m, UINT64_C(1) << 40, 16, &dev_all, &d), VM_MEM_E_TOO_MANY);
    vm_mem_destroy(m);
}

/* ---- the accessors ----------------------------------------------------------------------- */

static void little_endian_accessors(void **state) {
    (void)state;
    vm_mem_t *m = new_map();
    assert_int_equal(vm_mem_add_ram(m, RAM_BASE, 64 * KIB, NULL), VM_MEM_OK);
    const uint8_t *host = vm_mem_host_ptr(m, RAM_BASE, 64 * KIB);
    assert_non_null(host);

    assert_int_equal(vm_mem_store64(m, RAM_BASE + 16, UINT64_C(0x0807060504030201)), VM_MEM_OK);
    for (unsigned i = 0; i < 8; i++)
        assert_int_equal(host[16 + i], i + 1);
    uint8_t b;
    uint16_t h;
    uint32_t w;
    uint64_t d;
    assert_int_equal(vm_mem_load8(m, RAM_BASE + 19, &b), VM_MEM_OK);
    assert_int_equal(b, 4);
    assert_int_equal(vm_mem_load16(m, RAM_BASE + 17, &h), VM_MEM_OK); /* misaligned RAM ok */
    assert_int_equal(h, 0x0302);
    assert_int_equal(vm_mem_load32(m, RAM_BASE + 20, &w), VM_MEM_OK);
    assert_int_equal(w, 0x08070605);
    assert_int_equal(vm_mem_load64(m, RAM_BASE + 16, &d), VM_MEM_OK);
    assert_int_equal(d, UINT64_C(0x0807060504030201));

    assert_int_equal(vm_mem_store16(m, RAM_BASE + 100, 0xbeef), VM_MEM_OK);
    assert_int_equal(host[100], 0xef);
    assert_int_equal(host[101], 0xbe);
    assert_int_equal(vm_mem_store32(m, RAM_BASE + 201, 0x11223344), VM_MEM_OK);
    assert_memory_equal(host + 201, "\x44\x33\x22\x11", 4);
    assert_int_equal(vm_mem_store8(m, RAM_BASE + 300, 0xa5), VM_MEM_OK);
    assert_int_equal(host[300], 0xa5);

    /* the very first and very last bytes of the window, all widths */
    uint64_t end = RAM_BASE + 64 * KIB;
    assert_int_equal(vm_mem_store64(m, end - 8, UINT64_MAX), VM_MEM_OK);
    assert_int_equal(vm_mem_load64(m, end - 8, &d), VM_MEM_OK);
    assert_int_equal(d, UINT64_MAX);
    assert_int_equal(vm_mem_load8(m, end - 1, &b), VM_MEM_OK);
    assert_int_equal(vm_mem_store8(m, RAM_BASE, 7), VM_MEM_OK);
    assert_int_equal(vm_mem_load8(m, RAM_BASE, &b), VM_MEM_OK);
    assert_int_equal(b, 7);
    vm_mem_destroy(m);
}

/* A window copy behaves exactly like the map it came from, slow path included. */
static void window_copy(void **state) {
    (void)state;
    vm_mem_t *m = new_map();
    mock_dev_t d = {0};
    vm_mem_fast_t none = vm_mem_fast(m); /* no RAM yet: everything is slow, and faults */
    assert_int_equal(vm_mem_fast_store32(&none, 0, 1), VM_MEM_E_UNMAPPED);
    assert_int_equal(vm_mem_add_ram(m, RAM_BASE, 64 * KIB, NULL), VM_MEM_OK);
    assert_int_equal(vm_mem_add_mmio(m, 0x1000, 0x100, &dev_all, &d), VM_MEM_OK);
    vm_mem_fast_t w = vm_mem_fast(m);
    assert_ptr_equal(w.mem, m);
    assert_int_equal(w.base, RAM_BASE);
    assert_int_equal(vm_mem_fast_store64(&w, RAM_BASE + 8, UINT64_C(0x0102030405060708)),
                     VM_MEM_OK);
    uint64_t q;
    uint32_t v;
    uint16_t h;
    uint8_t b;
    assert_int_equal(vm_mem_load64(m, RAM_BASE + 8, &q), VM_MEM_OK);
    assert_int_equal(q, UINT64_C(0x0102030405060708));
    assert_int_equal(vm_mem_fast_load32(&w, RAM_BASE + 10, &v), VM_MEM_OK);
    assert_int_equal(v, 0x03040506);
    assert_int_equal(vm_mem_fast_load16(&w, RAM_BASE + 8, &h), VM_MEM_OK);
    assert_int_equal(h, 0x0708);
    assert_int_equal(vm_mem_fast_store8(&w, RAM_BASE, 0x42), VM_MEM_OK);
    assert_int_equal(vm_mem_fast_load8(&w, RAM_BASE, &b), VM_MEM_OK);
    assert_int_equal(b, 0x42);
    /* off the window: the slow path of the map */
    assert_int_equal(vm_mem_fast_store16(&w, 0x1002, 0xbeef), VM_MEM_OK);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.log[0].off, 2);
    assert_int_equal(vm_mem_fast_load16(&w, 0x1002, &h), VM_MEM_OK);
    assert_int_equal(h, 0xbeef);
    assert_int_equal(vm_mem_fast_load64(&w, RAM_BASE + 64 * KIB - 4, &q), VM_MEM_E_UNMAPPED);
    assert_int_equal(vm_mem_fast_store64(&w, RAM_BASE - 8, 0), VM_MEM_E_UNMAPPED);
    vm_mem_destroy(m);
}

static void out_of_range(void **state) {
    (void)state;
    vm_mem_t *m = new_map();
    assert_int_equal(vm_mem_add_ram(m, RAM_BASE, 64 * KIB, NULL), VM_MEM_OK);
    uint8_t *host = vm_mem_host_ptr(m, RAM_BASE, 1);
    uint64_t end = RAM_BASE + 64 * KIB;
    uint64_t d = 5;
    uint32_t w = 5;
    for (unsigned k = 1; k < 8; k++) { /* every straddle of the end faults, no partial store */
        assert_int_equal(vm_mem_load64(m, end - 8 + k, &d), VM_MEM_E_UNMAPPED);
        assert_int_equal(d, 0);
        assert_int_equal(vm_mem_store64(m, end - 8 + k, UINT64_MAX), VM_MEM_E_UNMAPPED);
    }
    for (unsigned i = 1; i < 8; i++)
        assert_int_equal(host[64 * KIB - i], 0);
    assert_int_equal(vm_mem_load32(m, end, &w), VM_MEM_E_UNMAPPED);
    assert_int_equal(vm_mem_load32(m, RAM_BASE - 1, &w), VM_MEM_E_UNMAPPED);
    assert_int_equal(vm_mem_load32(m, RAM_BASE - 4, &w), VM_MEM_E_UNMAPPED);
    assert_int_equal(vm_mem_store32(m, 0, 1), VM_MEM_E_UNMAPPED);
    assert_int_equal(vm_mem_store8(m, UINT64_MAX, 1), VM_MEM_E_UNMAPPED);
    assert_int_equal(vm_mem_load16(m, RAM_BASE + (UINT64_C(1) << 40), &(uint16_t){0}),
                     VM_MEM_E_UNMAPPED);
    /* slow path directly: odd widths */
    assert_int_equal(vm_mem_load_slow(m, RAM_BASE, 3, &d), VM_MEM_E_WIDTH);
    assert_int_equal(vm_mem_store_slow(m, RAM_BASE, 16, 0), VM_MEM_E_WIDTH);
    assert_int_equal(vm_mem_load_slow(NULL, RAM_BASE, 4, &d), VM_MEM_E_INVAL);
    /* bulk */
    uint8_t buf[32] = {0};
    assert_int_equal(vm_mem_read(m, end - 16, buf, 32), VM_MEM_E_UNMAPPED);
    memset(buf, 0xee, sizeof buf);
    assert_int_equal(vm_mem_write(m, end - 16, buf, 32), VM_MEM_E_UNMAPPED);
    assert_int_equal(host[64 * KIB - 16], 0); /* checked before the first byte */
    assert_int_equal(vm_mem_write(m, RAM_BASE - 1, buf, 2), VM_MEM_E_UNMAPPED);
    assert_int_equal(host[0], 0);
    assert_int_equal(vm_mem_read(m, RAM_BASE, NULL, 1), VM_MEM_E_INVAL);
    assert_int_equal(vm_mem_read(m, 0, NULL, 0), VM_MEM_OK); /* empty is always fine */
    assert_int_equal(vm_mem_read(NULL, RAM_BASE, buf, 1), VM_MEM_E_INVAL);
    vm_mem_destroy(m);
}

static void wrap_around(void **state) {
    (void)state;
    vm_mem_t *m = new_map();
    mock_dev_t d = {0};
    gpa_t top = UINT64_MAX - 4095; /* last page of the 64-bit space */
    assert_int_equal(vm_mem_add_ram(m, top, 4096, NULL), VM_MEM_OK);
    assert_int_equal(vm_mem_add_mmio(m, 0, 16, &dev_all, &d), VM_MEM_OK);
    assert_int_equal(vm_mem_store8(m, UINT64_MAX, 0x5a), VM_MEM_OK);
    uint8_t b;
    assert_int_equal(vm_mem_load8(m, UINT64_MAX, &b), VM_MEM_OK);
    assert_int_equal(b, 0x5a);
    uint64_t v;
    for (unsigned k = 1; k < 8; k++) { /* never continue at address 0 (the device) */
        assert_int_equal(vm_mem_load64(m, UINT64_MAX - 7 + k, &v), VM_MEM_E_WRAP);
        assert_int_equal(vm_mem_store64(m, UINT64_MAX - 7 + k, 1), VM_MEM_E_WRAP);
    }
    assert_int_equal(vm_mem_load16(m, UINT64_MAX, &(uint16_t){0}), VM_MEM_E_WRAP);
    assert_int_equal(vm_mem_load64(m, UINT64_MAX - 7, &v), VM_MEM_OK);
    assert_int_equal(v >> 56, 0x5a);
    uint8_t buf[8];
    assert_int_equal(vm_mem_read(m, UINT64_MAX - 3, buf, 8), VM_MEM_E_WRAP);
    assert_int_equal(vm_mem_write(m, UINT64_MAX - 3, buf, 8), VM_MEM_E_WRAP);
    assert_int_equal(vm_mem_fill(m, UINT64_MAX, 0, 2), VM_MEM_E_WRAP);
    assert_int_equal(vm_mem_read(m, UINT64_MAX, buf, 1), VM_MEM_OK);
    assert_int_equal(d.n, 0); /* the device at 0 never saw anything */
    assert_null(vm_mem_host_ptr(m, UINT64_MAX, 2));
    assert_non_null(vm_mem_host_ptr(m, UINT64_MAX, 1));
    assert_null(vm_mem_host_ptr(m, top, SIZE_MAX));
    vm_mem_destroy(m);
}

/* ---- crossings ------------------------------------------------------------------------------ */

static void cross_ram_ram(void **state) {
    (void)state;
    vm_mem_t *m = new_map();
    gpa_t mid = RAM_BASE + 64 * KIB;
    assert_int_equal(vm_mem_add_ram(m, RAM_BASE, 64 * KIB, NULL), VM_MEM_OK);
    assert_int_equal(vm_mem_add_ram(m, mid, 64 * KIB, NULL), VM_MEM_OK);
    uint8_t out[1000], in[1000];
    for (unsigned i = 0; i < sizeof out; i++)
        out[i] = (uint8_t)(i * 31 + 7);
    assert_int_equal(vm_mem_write(m, mid - 300, out, sizeof out), VM_MEM_OK);
    memset(in, 0, sizeof in);
    assert_int_equal(vm_mem_read(m, mid - 300, in, sizeof in), VM_MEM_OK);
    assert_memory_equal(in, out, sizeof out);
    /* the two halves really live in the two host mappings */
    const uint8_t *lo = vm_mem_host_ptr(m, mid - 300, 300);
    const uint8_t *hi = vm_mem_host_ptr(m, mid, 700);
    assert_non_null(lo);
    assert_non_null(hi);
    assert_memory_equal(lo, out, 300);
    assert_memory_equal(hi, out + 300, 700);
    assert_null(vm_mem_host_ptr(m, mid - 300, 1000)); /* not in one region */
    /* a typed access straddling the edge is assembled in order */
    assert_int_equal(vm_mem_store64(m, mid - 3, UINT64_C(0x1122334455667788)), VM_MEM_OK);
    uint64_t v;
    assert_int_equal(vm_mem_load64(m, mid - 3, &v), VM_MEM_OK);
    assert_int_equal(v, UINT64_C(0x1122334455667788));
    assert_int_equal(lo[297], 0x88);
    assert_int_equal(hi[0], 0x55);
    uint32_t w;
    assert_int_equal(vm_mem_load32(m, mid - 1, &w), VM_MEM_OK);
    assert_int_equal(w, 0x33445566);
    /* fill and zero across */
    assert_int_equal(vm_mem_fill(m, mid - 10, 0xab, 20), VM_MEM_OK);
    assert_int_equal(lo[290], 0xab);
    assert_int_equal(hi[9], 0xab);
    assert_int_equal(hi[10], out[310]);
    assert_int_equal(vm_mem_zero(m, mid - 10, 20), VM_MEM_OK);
    assert_int_equal(hi[9], 0);
    vm_mem_destroy(m);
}

static void cross_ram_mmio(void **state) {
    (void)state;
    vm_mem_t *m = new_map();
    mock_dev_t d = {0};
    gpa_t mid = RAM_BASE + 64 * KIB;
    assert_int_equal(vm_mem_add_ram(m, RAM_BASE, 64 * KIB, NULL), VM_MEM_OK);
    assert_int_equal(vm_mem_add_mmio(m, mid, 256, &dev_48, &d), VM_MEM_OK);
    uint8_t out[28];
    for (unsigned i = 0; i < sizeof out; i++)
        out[i] = (uint8_t)(0x10 + i);
    /* 8 bytes of RAM, then 20 bytes of device: widths 8, 8, 4 at offsets 0, 8, 16 */
    assert_int_equal(vm_mem_write(m, mid - 8, out, sizeof out), VM_MEM_OK);
    assert_int_equal(d.n, 3);
    assert_int_equal(d.log[0].op, 'w');
    assert_int_equal(d.log[0].off, 0);
    assert_int_equal(d.log[0].size, 8);
    assert_int_equal(d.log[0].val, UINT64_C(0x1f1e1d1c1b1a1918));
    assert_int_equal(d.log[1].off, 8);
    assert_int_equal(d.log[1].size, 8);
    assert_int_equal(d.log[2].off, 16);
    assert_int_equal(d.log[2].size, 4);
    assert_int_equal(d.log[2].val, 0x2b2a2928);
    assert_memory_equal(d.regs, out + 8, 20);
    assert_memory_equal(vm_mem_host_ptr(m, mid - 8, 8), out, 8);
    uint8_t in[28] = {0};
    d.n = 0;
    assert_int_equal(vm_mem_read(m, mid - 8, in, sizeof in), VM_MEM_OK);
    assert_memory_equal(in, out, sizeof out);
    assert_int_equal(d.n, 3);
    assert_int_equal(d.log[2].op, 'r');
    /* misaligned start in the device: offset 4 needs a 4, then 8s */
    d.n = 0;
    assert_int_equal(vm_mem_read(m, mid + 4, in, 16), VM_MEM_OK);
    assert_int_equal(d.n, 3);
    assert_int_equal(d.log[0].size, 4);
    assert_int_equal(d.log[1].size, 8);
    assert_int_equal(d.log[1].off, 8);
    assert_int_equal(d.log[2].size, 4);
    /* 2 bytes can not be expressed in widths 4/8: refused before any device call */
    d.n = 0;
    assert_int_equal(vm_mem_write(m, mid - 8, out, 10), VM_MEM_E_WIDTH);
    assert_int_equal(vm_mem_read(m, mid - 8, in, 10), VM_MEM_E_WIDTH);
    assert_int_equal(vm_mem_write(m, mid + 2, out, 4), VM_MEM_E_ALIGN);
    assert_int_equal(d.n, 0);
    /* fill into the device sends the replicated byte */
    assert_int_equal(vm_mem_fill(m, mid - 4, 0x7e, 12), VM_MEM_OK);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.log[0].val, UINT64_C(0x7e7e7e7e7e7e7e7e));
    /* a typed access straddling RAM|device goes piecewise: 4 bytes RAM, 4 device */
    d.n = 0;
    assert_int_equal(vm_mem_store64(m, mid - 4, UINT64_C(0xaabbccdd11223344)), VM_MEM_OK);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.log[0].off, 0);
    assert_int_equal(d.log[0].size, 4);
    assert_int_equal(d.log[0].val, 0xaabbccdd);
    assert_null(vm_mem_host_ptr(m, mid, 4));
    assert_null(vm_mem_host_ptr_ro(m, mid, 4));
    vm_mem_destroy(m);
}

static void cross_ram_rom(void **state) {
    (void)state;
    vm_mem_t *m = new_map();
    gpa_t rom = RAM_BASE + 64 * KIB;
    uint8_t image[100];
    for (unsigned i = 0; i < sizeof image; i++)
        image[i] = (uint8_t)(200 - i);
    assert_int_equal(vm_mem_add_ram(m, RAM_BASE, 64 * KIB, NULL), VM_MEM_OK);
    assert_int_equal(vm_mem_add_rom(m, rom, 8 * KIB, image, sizeof image), VM_MEM_OK);
    assert_int_equal(vm_mem_fill(m, rom - 50, 0x33, 50), VM_MEM_OK);
    uint8_t in[200];
    assert_int_equal(vm_mem_read(m, rom - 50, in, sizeof in), VM_MEM_OK);
    for (unsigned i = 0; i < 50; i++)
        assert_int_equal(in[i], 0x33);
    assert_memory_equal(in + 50, image, sizeof image);
    for (unsigned i = 150; i < 200; i++)
        assert_int_equal(in[i], 0); /* zero after the loaded image */
    /* writing across is refused as a whole: the RAM part stays as it was */
    uint8_t junk[100];
    memset(junk, 0x99, sizeof junk);
    assert_int_equal(vm_mem_write(m, rom - 50, junk, sizeof junk), VM_MEM_E_READONLY);
    assert_int_equal(vm_mem_read(m, rom - 50, in, 50), VM_MEM_OK);
    assert_int_equal(in[0], 0x33);
    assert_int_equal(vm_mem_store32(m, rom - 2, 0), VM_MEM_E_READONLY);
    assert_int_equal(vm_mem_fill(m, rom - 1, 0, 2), VM_MEM_E_READONLY);
    uint32_t w;
    assert_int_equal(vm_mem_load32(m, rom - 2, &w), VM_MEM_OK);
    assert_int_equal(w, (uint32_t)image[1] << 24 | (uint32_t)image[0] << 16 | 0x3333);
    vm_mem_destroy(m);
}

/* ---- ROM ------------------------------------------------------------------------------------ */

static void rom_is_read_only(void **state) {
    (void)state;
    vm_mem_t *m = new_map();
    const char text[] = "boot rom";
    assert_int_equal(vm_mem_add_rom(m, 0x1000, 4096, text, sizeof text), VM_MEM_OK);
    char buf[sizeof text];
    assert_int_equal(vm_mem_read(m, 0x1000, buf, sizeof buf), VM_MEM_OK);
    assert_string_equal(buf, text);
    for (unsigned k = 0; k < 4; k++) {
        unsigned size = 1u << k;
        assert_int_equal(vm_mem_store_slow(m, 0x1000, size, 0), VM_MEM_E_READONLY);
    }
    assert_int_equal(vm_mem_store8(m, 0x1fff, 0), VM_MEM_E_READONLY);
    assert_int_equal(vm_mem_write(m, 0x1000, "X", 1), VM_MEM_E_READONLY);
    assert_int_equal(vm_mem_zero(m, 0x1000, 4096), VM_MEM_E_READONLY);
    assert_null(vm_mem_host_ptr(m, 0x1000, 4));
    const char *ro = vm_mem_host_ptr_ro(m, 0x1000, 4);
    assert_non_null(ro);
    assert_memory_equal(ro, "boot", 4);
    uint64_t v;
    assert_int_equal(vm_mem_load64(m, 0x1000, &v), VM_MEM_OK);
    assert_memory_equal(&v, "boot rom", 8); /* little-endian host */
    /* content can be replaced through the API, never through the guest */
    assert_int_equal(vm_mem_load_rom(m, 0x1004, "ROM!", 4), VM_MEM_OK);
    assert_memory_equal(ro, "bootROM!", 8);
    assert_int_equal(vm_mem_load_rom(m, 0x1ffe, "abc", 3), VM_MEM_E_INVAL);
    assert_int_equal(vm_mem_load_rom(m, 0x3000, "abc", 3), VM_MEM_E_UNMAPPED);
    assert_int_equal(vm_mem_add_ram(m, RAM_BASE, 4096, NULL), VM_MEM_OK);
    assert_int_equal(vm_mem_load_rom(m, RAM_BASE, "abc", 3), VM_MEM_E_INVAL);
    assert_int_equal(vm_mem_store8(m, 0x1000, 0), VM_MEM_E_READONLY);
    vm_mem_destroy(m);
}

/* ---- MMIO ----------------------------------------------------------------------------------- */

static void mmio_callbacks(void **state) {
    (void)state;
    vm_mem_t *m = new_map();
    mock_dev_t d = {0}, d4 = {0}, dro = {0}, du = {0};
    assert_int_equal(vm_mem_add_ram(m, RAM_BASE, 4096, NULL), VM_MEM_OK);
    assert_int_equal(vm_mem_add_mmio(m, 0x10000000, 0x100, &dev_all, &d), VM_MEM_OK);
    assert_int_equal(vm_mem_add_mmio(m, 0x10001000, 0x100, &dev_w4, &d4), VM_MEM_OK);
    assert_int_equal(vm_mem_add_mmio(m, 0x10002000, 0x100, &dev_ro, &dro), VM_MEM_OK);
    assert_int_equal(vm_mem_add_mmio(m, 0x10003000, 0x100, &dev_unal, &du), VM_MEM_OK);

    /* every width reaches the device with region-relative offset and exact value */
    assert_int_equal(vm_mem_store8(m, 0x10000011, 0xab), VM_MEM_OK);
    assert_int_equal(vm_mem_store16(m, 0x10000022, 0xabcd), VM_MEM_OK);
    assert_int_equal(vm_mem_store32(m, 0x10000034, 0x01234567), VM_MEM_OK);
    assert_int_equal(vm_mem_store64(m, 0x10000048, UINT64_C(0xfedcba9876543210)), VM_MEM_OK);
    assert_int_equal(d.n, 4);
    const unsigned sizes[4] = {1, 2, 4, 8};
    const uint64_t offs[4] = {0x11, 0x22, 0x34, 0x48};
    const uint64_t vals[4] = {0xab, 0xabcd, 0x01234567, UINT64_C(0xfedcba9876543210)};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(d.log[i].op, 'w');
        assert_int_equal(d.log[i].off, offs[i]);
        assert_int_equal(d.log[i].size, sizes[i]);
        assert_int_equal(d.log[i].val, vals[i]);
    }
    uint8_t b;
    uint16_t h;
    uint32_t w;
    uint64_t q;
    assert_int_equal(vm_mem_load8(m, 0x10000011, &b), VM_MEM_OK);
    assert_int_equal(b, 0xab);
    assert_int_equal(vm_mem_load16(m, 0x10000022, &h), VM_MEM_OK);
    assert_int_equal(h, 0xabcd);
    assert_int_equal(vm_mem_load32(m, 0x10000034, &w), VM_MEM_OK);
    assert_int_equal(w, 0x01234567);
    assert_int_equal(vm_mem_load64(m, 0x10000048, &q), VM_MEM_OK);
    assert_int_equal(q, UINT64_C(0xfedcba9876543210));
    assert_int_equal(d.log[7].op, 'r');
    assert_int_equal(d.log[7].off, 0x48);
    assert_int_equal(d.log[7].size, 8);

    /* unsupported widths are refused without calling the device */
    assert_int_equal(vm_mem_load8(m, 0x10001000, &b), VM_MEM_E_WIDTH);
    assert_int_equal(vm_mem_store16(m, 0x10001000, 1), VM_MEM_E_WIDTH);
    assert_int_equal(vm_mem_load64(m, 0x10001000, &q), VM_MEM_E_WIDTH);
    assert_int_equal(vm_mem_store64(m, 0x10001000, 1), VM_MEM_E_WIDTH);
    assert_int_equal(vm_mem_load32(m, 0x10001002, &w), VM_MEM_E_ALIGN);
    assert_int_equal(vm_mem_store32(m, 0x10001001, 1), VM_MEM_E_ALIGN);
    assert_int_equal(d4.n, 0);
    assert_int_equal(vm_mem_store32(m, 0x100010fc, 0x55aa55aa), VM_MEM_OK);
    assert_int_equal(d4.n, 1);
    assert_int_equal(d4.log[0].off, 0xfc);
    /* a device that accepts misaligned accesses gets them as they are */
    assert_int_equal(vm_mem_store32(m, 0x10003001, 0x12345678), VM_MEM_OK);
    assert_int_equal(du.log[0].off, 1);
    assert_int_equal(du.log[0].size, 4);
    /* read-only device */
    assert_int_equal(vm_mem_store32(m, 0x10002000, 1), VM_MEM_E_READONLY);
    assert_int_equal(vm_mem_write(m, 0x10002000, "abcd", 4), VM_MEM_E_READONLY);
    assert_int_equal(vm_mem_load32(m, 0x10002000, &w), VM_MEM_OK);
    assert_int_equal(dro.n, 1);
    /* device errors come back to the caller */
    d.fail = true;
    assert_int_equal(vm_mem_load32(m, 0x10000000, &w), VM_MEM_E_DEVICE);
    assert_int_equal(vm_mem_store32(m, 0x10000000, 0), VM_MEM_E_DEVICE);
    uint8_t buf[16];
    assert_int_equal(vm_mem_read(m, 0x10000000, buf, 16), VM_MEM_E_DEVICE);
    d.fail = false;
    /* an access running off the end of a device into nothing */
    assert_int_equal(vm_mem_load64(m, 0x100000fc, &q), VM_MEM_E_UNMAPPED);
    vm_mem_destroy(m);
}

/* ---- host pointers, errors ------------------------------------------------------------------ */

static void host_pointers(void **state) {
    (void)state;
    vm_mem_t *m = new_map();
    assert_int_equal(vm_mem_add_ram(m, RAM_BASE, 64 * KIB, NULL), VM_MEM_OK);
    uint8_t *p = vm_mem_host_ptr(m, RAM_BASE, 64 * KIB);
    assert_non_null(p);
    assert_ptr_equal(vm_mem_host_ptr(m, RAM_BASE + 100, 0), p + 100);
    assert_ptr_equal(vm_mem_host_ptr(m, RAM_BASE + 64 * KIB - 1, 1), p + 64 * KIB - 1);
    assert_null(vm_mem_host_ptr(m, RAM_BASE + 64 * KIB - 1, 2));
    assert_null(vm_mem_host_ptr(m, RAM_BASE - 1, 2));
    assert_null(vm_mem_host_ptr(NULL, RAM_BASE, 2));
    assert_ptr_equal(vm_mem_host_ptr_ro(m, RAM_BASE, 8), p);
    p[5] = 42;
    uint8_t b;
    assert_int_equal(vm_mem_load8(m, RAM_BASE + 5, &b), VM_MEM_OK);
    assert_int_equal(b, 42);
    vm_mem_destroy(m);
}

static void error_names(void **state) {
    (void)state;
    for (int i = 0; i < VM_MEM_E_COUNT; i++) {
        const char *s = vm_mem_strerror((vm_mem_err_t)i);
        assert_non_null(s);
        assert_true(strlen(s) > 3);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(s, vm_mem_strerror((vm_mem_err_t)j));
        assert_true(i == 0 ? vm_mem_err_errno((vm_mem_err_t)i) == 0
                           : vm_mem_err_errno((vm_mem_err_t)i) < 0);
    }
    assert_string_equal(vm_mem_strerror((vm_mem_err_t)999), "unknown guest memory error");
    assert_string_equal(vm_mem_strerror((vm_mem_err_t)-1), "unknown guest memory error");
}

/* ---- host mapping: guards, huge pages, NUMA, size ---------------------------------------------
 */

/* Run touch(p) in a child; true when the child died of SIGSEGV. */
static bool dies_with_segv(void (*touch)(uint8_t *), uint8_t *p) {
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit no_core = {0, 0};
        setrlimit(RLIMIT_CORE, &no_core);
        struct sigaction sa = {.sa_handler = SIG_DFL};
        sigaction(SIGSEGV, &sa, NULL); /* die plainly, even under a sanitizer */
        sigaction(SIGBUS, &sa, NULL);
        touch(p);
        _exit(0); /* survived: the guard did not work */
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
}

static void touch_read(uint8_t *p) {
    uint8_t v;
    memcpy(&v, p, 1);
    __asm__("" : : "r"(v) : "memory"); /* keep the load */
}

static void touch_write(uint8_t *p) {
    memset(p, 1, 1);
    __asm__("" : : "r"(p) : "memory"); /* keep the store */
}

static void guard_pages_fault(void **state) {
    (void)state;
    vm_mem_t *m = new_map();
    const uint64_t sizes[2] = {64 * KIB, 4 * MIB}; /* small, and a huge-page aligned one */
    for (int i = 0; i < 2; i++) {
        gpa_t base = RAM_BASE + (gpa_t)i * 64 * MIB;
        assert_int_equal(vm_mem_add_ram(m, base, sizes[i], NULL), VM_MEM_OK);
        uint8_t *p = vm_mem_host_ptr(m, base, sizes[i]);
        assert_non_null(p);
        /* the region's own first and last bytes are fine in a child too */
        assert_false(dies_with_segv(touch_write, p));
        assert_false(dies_with_segv(touch_write, p + sizes[i] - 1));
        assert_true(dies_with_segv(touch_read, p - 1));
        assert_true(dies_with_segv(touch_write, p - 1));
        assert_true(dies_with_segv(touch_read, p + sizes[i]));
        assert_true(dies_with_segv(touch_write, p + sizes[i]));
        assert_true(dies_with_segv(touch_read, p - VM_MEM_GUARD_SIZE));
        assert_true(dies_with_segv(touch_read, p + sizes[i] + VM_MEM_GUARD_SIZE - 1));
    }
    /* ROM is read-only on the host as well */
    assert_int_equal(vm_mem_add_rom(m, 0x1000, 4096, "x", 1), VM_MEM_OK);
    uint8_t *rom = (uint8_t *)vm_mem_host_ptr_ro(m, 0x1000, 4096);
    assert_false(dies_with_segv(touch_read, rom));
    assert_true(dies_with_segv(touch_write, rom));
    assert_true(dies_with_segv(touch_read, rom - 1));
    assert_true(dies_with_segv(touch_read, rom + 4096));
    vm_mem_destroy(m);
}

/* Whether transparent huge pages can be requested with madvise on this host. */
static bool thp_madvise_possible(void) {
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (!f) return false;
    char line[128] = "";
    bool ok = fgets(line, sizeof line, f) && !strstr(line, "[never]");
    fclose(f);
    return ok;
}

static void huge_pages(void **state) {
    (void)state;
    vm_mem_t *m = new_map();
    vm_mem_region_info_t info;
    assert_int_equal(vm_mem_add_ram(m, RAM_BASE, 4 * MIB, NULL), VM_MEM_OK);
    assert_int_equal(vm_mem_lookup(m, RAM_BASE, &info), VM_MEM_OK);
    assert_int_equal((uintptr_t)info.host % (2 * MIB), 0);
    if (thp_madvise_possible()) assert_true(info.hugepage);
    /* opted out, and small regions, get no advice */
    const vm_mem_ram_opts_t no_thp = {.flags = VM_MEM_RAM_NO_HUGEPAGE};
    assert_int_equal(vm_mem_add_ram(m, RAM_BASE + 64 * MIB, 4 * MIB, &no_thp), VM_MEM_OK);
    assert_int_equal(vm_mem_lookup(m, RAM_BASE + 64 * MIB, &info), VM_MEM_OK);
    assert_false(info.hugepage);
    assert_int_equal(vm_mem_add_ram(m, 0x1000, 4096, NULL), VM_MEM_OK);
    assert_int_equal(vm_mem_lookup(m, 0x1000, &info), VM_MEM_OK);
    assert_false(info.hugepage);
    vm_mem_destroy(m);
}

static void populate_and_large(void **state) {
    (void)state;
    vm_mem_t *m = new_map();
    const vm_mem_ram_opts_t pop = {.flags = VM_MEM_RAM_POPULATE};
    assert_int_equal(vm_mem_add_ram(m, 0, 1 * MIB, &pop), VM_MEM_OK);
    /* a large region costs address space only (MAP_NORESERVE, lazy) */
    gpa_t big = UINT64_C(1) << 40;
    uint64_t size = UINT64_C(16) << 30;
    assert_int_equal(vm_mem_add_ram(m, big, size, NULL), VM_MEM_OK);
    assert_int_equal(vm_mem_store64(m, big + size - 8, 77), VM_MEM_OK);
    uint64_t v;
    assert_int_equal(vm_mem_load64(m, big + size - 8, &v), VM_MEM_OK);
    assert_int_equal(v, 77);
    assert_int_equal(vm_mem_load64(m, big + size / 2, &v), VM_MEM_OK);
    assert_int_equal(v, 0);
    vm_mem_destroy(m);
}

static void numa_binding(void **state) {
    (void)state;
    vm_mem_t *m = new_map();
    const vm_mem_ram_opts_t bad = {.flags = VM_MEM_RAM_NUMA_BIND, .numa_node = 4000};
    const vm_mem_ram_opts_t neg = {.flags = VM_MEM_RAM_NUMA_BIND, .numa_node = -1};
    const vm_mem_ram_opts_t zero = {.flags = VM_MEM_RAM_NUMA_BIND, .numa_node = 0};
    vm_mem_err_t err = vm_mem_add_ram(m, RAM_BASE, 64 * KIB, &zero);
    if (err == VM_MEM_E_NOTSUP) {
        /* built without NUMA support or a kernel without NUMA: every request says so */
        assert_int_equal(vm_mem_add_ram(m, RAM_BASE, 64 * KIB, &bad), VM_MEM_E_NOTSUP);
        assert_int_equal(vm_mem_region_count(m), 0);
        vm_mem_destroy(m);
        print_message("skipped: no NUMA binding in this build or on this host\n");
        skip();
    }
    assert_int_equal(err, VM_MEM_OK);
    vm_mem_region_info_t info;
    assert_int_equal(vm_mem_lookup(m, RAM_BASE, &info), VM_MEM_OK);
    assert_int_equal(info.numa_node, 0);
    assert_int_equal(vm_mem_store32(m, RAM_BASE, 9), VM_MEM_OK); /* the bound pages work */
    assert_int_equal(vm_mem_add_ram(m, RAM_BASE + MIB, 64 * KIB, &bad), VM_MEM_E_NUMA);
    assert_int_equal(vm_mem_add_ram(m, RAM_BASE + MIB, 64 * KIB, &neg), VM_MEM_E_NUMA);
    assert_int_equal(vm_mem_region_count(m), 1);
    assert_int_equal(vm_mem_lookup(m, RAM_BASE + MIB, &info), VM_MEM_E_UNMAPPED);
    assert_int_equal(vm_mem_add_ram(m, RAM_BASE + MIB, 64 * KIB, NULL), VM_MEM_OK);
    assert_int_equal(vm_mem_lookup(m, RAM_BASE + MIB, &info), VM_MEM_OK);
    assert_int_equal(info.numa_node, -1);
    vm_mem_destroy(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_map_faults),   cmocka_unit_test(add_and_lookup),
        cmocka_unit_test(lookup_many),        cmocka_unit_test(bad_adds),
        cmocka_unit_test(region_limit),       cmocka_unit_test(little_endian_accessors),
        cmocka_unit_test(window_copy),        cmocka_unit_test(out_of_range),
        cmocka_unit_test(wrap_around),        cmocka_unit_test(cross_ram_ram),
        cmocka_unit_test(cross_ram_mmio),     cmocka_unit_test(cross_ram_rom),
        cmocka_unit_test(rom_is_read_only),   cmocka_unit_test(mmio_callbacks),
        cmocka_unit_test(host_pointers),      cmocka_unit_test(error_names),
        cmocka_unit_test(guard_pages_fault),  cmocka_unit_test(huge_pages),
        cmocka_unit_test(populate_and_large), cmocka_unit_test(numa_binding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
