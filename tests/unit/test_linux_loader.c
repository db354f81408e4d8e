/* test_linux_loader.c - the user-mode ELF loader: a small valid image loads where Linux puts
 * it with the right protections, entry and break; a corpus of malformed files generated from
 * it (truncations, overlapping or wrapping segments, filesz > memsz, absurd sizes, missing
 * interpreter, ...) is refused with a message, never a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "linux/abi.h"
#include "linux/loader.h"
#include "linux/space.h"

/* A file under construction: ELF header, up to 4 program headers, payload. */
typedef struct img {
    uint8_t b[0x3000]; /* file bytes */
    size_t size;       /* file size */
} img_t;

static void w16(uint8_t *p, uint16_t v) {
    memcpy(p, &v, 2);
}
static void w32(uint8_t *p, uint32_t v) {
    memcpy(p, &v, 4);
}
static void w64(uint8_t *p, uint64_t v) {
    memcpy(p, &v, 8);
}

static void phdr(img_t *m, int i, uint32_t type, uint32_t flags, uint64_t off, uint64_t vaddr,
                 uint64_t filesz, uint64_t memsz) {
    uint8_t *p = m->b + 64 + 56 * i;
    w32(p, type);
    w32(p + 4, flags);
    w64(p + 8, off);
    w64(p + 16, vaddr);
    w64(p + 24, vaddr);
    w64(p + 32, filesz);
    w64(p + 40, memsz);
    w64(p + 48, 0x1000);
}

/* A static ET_EXEC: text at 0x10000 (file 0..0x1000), data at 0x11000 with bss. */
static void good(img_t *m, uint16_t type, uint64_t base) {
    memset(m, 0, sizeof(*m));
    uint8_t *e = m->b;
    memcpy(e, "\177ELF", 4);
    e[4] = 2, e[5] = 1, e[6] = 1;
    w16(e + 16, type);
    w16(e + 18, 243);
    w32(e + 20, 1);
    w64(e + 24, base + 0x200); /* entry */
    w64(e + 32, 64);           /* phoff */
    w16(e + 52, 64);
    w16(e + 54, 56);
    w16(e + 56, 2);
    phdr(m, 0, 1, 5 /* R X */, 0, base, 0x1000, 0x1000);
    phdr(m, 1, 1, 6 /* R W */, 0x1000, base + 0x1000, 0x800, 0x3000);
    for (int i = 0x200; i < 0x1000; i++)
        m->b[i] = (uint8_t)i;
    for (int i = 0x1000; i < 0x1800; i++)
        m->b[i] = 0xd0;
    m->size = 0x1800;
}

static const char *write_tmp(const img_t *m) {
    static char path[64];
    snprintf(path, sizeof(path), "/tmp/vm-loader-test-%d.elf", (int)getpid());
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(m->b, 1, m->size, f), m->size);
    fclose(f);
    return path;
}

/* Load m into a fresh space; returns the loader's result and its message. */
static int load(const img_t *m, linux_image_t *out, char *err, size_t errlen) {
    linux_space_t sp;
    assert_int_equal(linux_space_init(&sp, LINUX_TASK_SIZE), 0);
    const char *path = write_tmp(m);
    err[0] = 0;
    int rc = linux_load_program(&sp, path, "/nonexistent-sysroot", out, err, errlen);
    unlink(path);
    linux_space_destroy(&sp);
    return rc;
}

static void static_exec_loads(void **state) {
    (void)state;
    img_t m;
    good(&m, 2, 0x10000);
    linux_space_t sp;
    assert_int_equal(linux_space_init(&sp, LINUX_TASK_SIZE), 0);
    const char *path = write_tmp(&m);
    linux_image_t img;
    char err[256] = "";
    assert_int_equal(linux_load_program(&sp, path, NULL, &img, err, sizeof(err)), 0);
    unlink(path);
    assert_int_equal(img.entry, 0x10200);
    assert_int_equal(img.prog_entry, 0x10200);
    assert_int_equal(img.phdr, 0x10040);
    assert_int_equal(img.phnum, 2);
    assert_int_equal(img.interp_base, 0);
    assert_int_equal(img.brk, 0x14000);
    uint8_t *p = linux_space_ptr(&sp, 0x10000);
    assert_int_equal(p[0x234], 0x34);
    assert_int_equal(p[0x1000], 0xd0);
    assert_int_equal(p[0x17ff], 0xd0);
    assert_int_equal(p[0x1800], 0); /* bss is zero */
    assert_int_equal(linux_space_prot_at(&sp, 0x10000), LINUX_PROT_READ | LINUX_PROT_EXEC);
    assert_int_equal(linux_space_prot_at(&sp, 0x11000), LINUX_PROT_READ | LINUX_PROT_WRITE);
    assert_int_equal(linux_space_prot_at(&sp, 0x13fff), LINUX_PROT_READ | LINUX_PROT_WRITE);
    assert_int_equal(linux_space_prot_at(&sp, 0x14000), -1);
    assert_int_equal(linux_space_brk(&sp, 0), 0x14000);
    linux_space_destroy(&sp);
}

static void pie_goes_to_dyn_base(void **state) {
    (void)state;
    img_t m;
    good(&m, 3, 0);
    linux_image_t img;
    char err[256];
    /* vaddr 0 is fine for ET_DYN: it is biased to ELF_ET_DYN_BASE */
    assert_int_equal(load(&m, &img, err, sizeof(err)), 0);
    assert_int_equal(img.load_bias, LINUX_ET_DYN_BASE);
    assert_int_equal(img.entry, LINUX_ET_DYN_BASE + 0x200);
    assert_int_equal(img.phdr, LINUX_ET_DYN_BASE + 0x40);
}

/* One malformed variant: what to break and a word the message must contain. */
typedef struct bad_case {
    const char *name;         /* what is wrong */
    void (*mutate)(img_t *m); /* breaks a good image */
    const char *expect;       /* substring of the error message */
} bad_case_t;

static void m_trunc_header(img_t *m) {
    m->size = 40;
}
static void m_trunc_phdrs(img_t *m) {
    m->size = 100;
}
static void m_bad_magic(img_t *m) {
    m->b[1] = 'X';
}
static void m_class32(img_t *m) {
    m->b[4] = 1;
}
static void m_big_endian(img_t *m) {
    m->b[5] = 2;
}
static void m_x86(img_t *m) {
    w16(m->b + 18, 62);
}
static void m_core(img_t *m) {
    w16(m->b + 16, 4);
}
static void m_phentsize(img_t *m) {
    w16(m->b + 54, 32);
}
static void m_phnum_absurd(img_t *m) {
    w16(m->b + 56, 60000);
}
static void m_phoff_huge(img_t *m) {
    w64(m->b + 32, UINT64_MAX - 8);
}
static void m_no_phdrs(img_t *m) {
    w16(m->b + 56, 0);
}
static void m_filesz_gt_memsz(img_t *m) {
    w64(m->b + 64 + 56 + 40, 0x100);
}
static void m_seg_past_eof(img_t *m) {
    w64(m->b + 64 + 56 + 32, 0x2800);
}
static void m_seg_off_wrap(img_t *m) {
    w64(m->b + 64 + 56 + 8, UINT64_MAX - 0x10);
}
static void m_overlap(img_t *m) {
    w64(m->b + 64 + 56 + 16, 0x10800);
    w64(m->b + 64 + 56 + 8, 0x800);
}
static void m_vaddr_wrap(img_t *m) {
    w64(m->b + 64 + 56 + 16, UINT64_MAX - 0xfff);
}
static void m_memsz_absurd(img_t *m) {
    w64(m->b + 64 + 56 + 40, 1ull << 50);
}
static void m_outside_space(img_t *m) {
    w64(m->b + 64 + 56 + 16, 1ull << 40);
    w64(m->b + 64 + 56 + 24, 1ull << 40);
}
static void m_below_min(img_t *m) {
    w64(m->b + 64 + 16, 0);
    w64(m->b + 24, 0x200);
}
static void m_entry_outside(img_t *m) {
    w64(m->b + 24, 0x90000);
}
static void m_no_load(img_t *m) {
    w32(m->b + 64, 4);
    w32(m->b + 64 + 56, 4);
}
static void m_bad_align(img_t *m) {
    w64(m->b + 64 + 48, 0x1001);
}
static void m_interp_missing(img_t *m) {
    w16(m->b + 56, 3);
    phdr(m, 2, 3, 4, 0x100, 0, 25, 25);
    memcpy(m->b + 0x100, "/lib/ld-does-not-exist.so", 25);
    m->b[0x100 + 24] = 0;
}
static void m_interp_unterminated(img_t *m) {
    w16(m->b + 56, 3);
    phdr(m, 2, 3, 4, 0x100, 0, 8, 8);
    memcpy(m->b + 0x100, "/lib/ldx", 8);
}
static void m_interp_past_eof(img_t *m) {
    w16(m->b + 56, 3);
    phdr(m, 2, 3, 4, 0x17f0, 0, 0x100, 0x100);
}

static const bad_case_t bad_cases[] = {
    {"truncated ELF header", m_trunc_header, "too short"},
    {"truncated program headers", m_trunc_phdrs, "program headers"},
    {"bad magic", m_bad_magic, "magic"},
    {"32-bit class", m_class32, "64-bit"},
    {"big endian", m_big_endian, "little-endian"},
    {"x86-64 machine", m_x86, "RISC-V"},
    {"core file", m_core, "type"},
    {"odd phentsize", m_phentsize, "size"},
    {"absurd phnum", m_phnum_absurd, "absurd"},
    {"phoff near 2^64", m_phoff_huge, "program headers"},
    {"no program headers", m_no_phdrs, "no program headers"},
    {"filesz > memsz", m_filesz_gt_memsz, "filesz"},
    {"segment past end of file", m_seg_past_eof, "end of the file"},
    {"segment offset wraps", m_seg_off_wrap, "end of the file"},
    {"overlapping segments", m_overlap, "overlap"},
    {"vaddr wraps", m_vaddr_wrap, "wraps"},
    {"absurd memsz", m_memsz_absurd, "absurd"},
    {"segment outside the guest space", m_outside_space, "guest address space"},
    {"segment at address 0", m_below_min, "outside the guest address space"},
    {"entry outside the segments", m_entry_outside, "entry point"},
    {"no PT_LOAD", m_no_load, "PT_LOAD"},
    {"alignment not a power of two", m_bad_align, "power of two"},
    {"interpreter missing", m_interp_missing, "not found"},
    {"interpreter unterminated", m_interp_unterminated, "PT_INTERP"},
    {"interpreter past end of file", m_interp_past_eof, "end of the file"},
};

static void malformed_corpus_is_refused(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        img_t m;
        good(&m, 2, 0x10000);
        bad_cases[i].mutate(&m);
        linux_image_t img;
        char err[512];
        int rc = load(&m, &img, err, sizeof(err));
        if (rc == 0 || !strstr(err, bad_cases[i].expect))
            fail_msg("case '%s': rc %d, message '%s' (expected '%s')", bad_cases[i].name, rc, err,
                     bad_cases[i].expect);
        assert_true(rc < 0);
    }
}

static void every_truncation_is_refused(void **state) {
    (void)state;
    /* cutting the file anywhere inside the headers or the loaded bytes must fail cleanly */
    for (size_t cut = 0; cut < 0x1800; cut += 7) {
        img_t m;
        good(&m, 2, 0x10000);
        m.size = cut;
        linux_image_t img;
        char err[512];
        assert_true(load(&m, &img, err, sizeof(err)) < 0);
        assert_true(err[0] != 0);
    }
}

static void missing_file_is_refused(void **state) {
    (void)state;
    linux_space_t sp;
    assert_int_equal(linux_space_init(&sp, LINUX_TASK_SIZE), 0);
    linux_image_t img;
    char err[256];
    assert_int_equal(linux_load_program(&sp, "/nonexistent/prog", NULL, &img, err, sizeof(err)),
                     -2);
    assert_non_null(strstr(err, "/nonexistent/prog"));
    assert_true(linux_load_program(&sp, "/", NULL, &img, err, sizeof(err)) < 0);
    linux_space_destroy(&sp);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(static_exec_loads),
        cmocka_unit_test(pie_goes_to_dyn_base),
        cmocka_unit_test(malformed_corpus_is_refused),
        cmocka_unit_test(every_truncation_is_refused),
        cmocka_unit_test(missing_file_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
