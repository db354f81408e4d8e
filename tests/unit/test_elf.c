/* test_elf.c - the ELF64 parser: a well-formed image built in memory parses with the right
 * values; every malformed variant is rejected with a message; symbol lookup; truncations and
 * random byte flips never crash (run under ASan in the sanitizer build). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/elf.h"

#define IMG_SIZE 1024
#define PHOFF    64
#define INTERP   (PHOFF + 3 * 56) /* 232 */
#define DATA     256
#define STRTAB   512
#define SYMTAB   544
#define SHOFF    640

static void w16(uint8_t *p, uint16_t v) {
    memcpy(p, &v, 2);
}
static void w32(uint8_t *p, uint32_t v) {
    memcpy(p, &v, 4);
}
static void w64(uint8_t *p, uint64_t v) {
    memcpy(p, &v, 8);
}

static void phdr(uint8_t *img, int i, uint32_t type, uint64_t off, uint64_t vaddr, uint64_t filesz,
                 uint64_t memsz) {
    uint8_t *p = img + PHOFF + i * 56;
    w32(p, type);
    w32(p + 4, 5);
    w64(p + 8, off);
    w64(p + 16, vaddr);
    w64(p + 24, vaddr);
    w64(p + 32, filesz);
    w64(p + 40, memsz);
    w64(p + 48, type == ELF_PT_LOAD ? 0x1000 : 1);
}

static void shdr(uint8_t *img, int i, uint32_t type, uint64_t off, uint64_t size, uint32_t link,
                 uint64_t entsize) {
    uint8_t *p = img + SHOFF + i * 64;
    w32(p + 4, type);
    w64(p + 24, off);
    w64(p + 32, size);
    w32(p + 40, link);
    w64(p + 56, entsize);
}

/* A valid RISC-V executable: two PT_LOADs, a PT_INTERP, .symtab with tohost. */
static void build(uint8_t *img) {
    memset(img, 0, IMG_SIZE);
    memcpy(img, "\177ELF", 4);
    img[4] = 2;
    img[5] = 1;
    img[6] = 1;
    w16(img + 16, ELF_ET_EXEC);
    w16(img + 18, ELF_EM_RISCV);
    w32(img + 20, 1);
    w64(img + 24, 0x80000000);
    w64(img + 32, PHOFF);
    w64(img + 40, SHOFF);
    w16(img + 52, 64);
    w16(img + 54, 56);
    w16(img + 56, 3);
    w16(img + 58, 64);
    w16(img + 60, 3);
    phdr(img, 0, ELF_PT_INTERP, INTERP, 0, 19, 19);
    memcpy(img + INTERP, "/lib/ld-riscv.so.1", 19);
    phdr(img, 1, ELF_PT_LOAD, DATA, 0x80000000 + DATA, 64, 64);
    phdr(img, 2, ELF_PT_LOAD, DATA + 64, 0x80001000 + DATA + 64, 32, 0x2000);
    memcpy(img + STRTAB, "\0fromhost\0tohost\0", 17);
    /* symbol 1: tohost = 0x80001000; symbol 2: an undefined "fromhost" */
    w32(img + SYMTAB + 24, 10);
    w16(img + SYMTAB + 24 + 6, 1);
    w64(img + SYMTAB + 24 + 8, 0x80001000);
    w32(img + SYMTAB + 48, 1);
    w16(img + SYMTAB + 48 + 6, 0);
    w64(img + SYMTAB + 48 + 8, 0x1234);
    shdr(img, 1, 3, STRTAB, 17, 0, 0);
    shdr(img, 2, 2, SYMTAB, 72, 1, 24);
}

static void parses_valid_file(void **state) {
    (void)state;
    static uint8_t img[IMG_SIZE];
    build(img);
    elf_file_t ef;
    const char *err = NULL;
    assert_int_equal(elf_parse(&ef, img, IMG_SIZE, &err), 0);
    assert_int_equal(ef.entry, 0x80000000);
    assert_int_equal(ef.phnum, 3);
    assert_string_equal(ef.interp, "/lib/ld-riscv.so.1");
    assert_int_equal(ef.phdrs[2].memsz, 0x2000);
    assert_int_equal(ef.load_lo, 0x80000000 + DATA);
    assert_int_equal(ef.load_hi, 0x80001000 + DATA + 64 + 0x2000);
    uint64_t v = 0;
    assert_int_equal(elf_find_symbol(&ef, "tohost", &v, &err), 0);
    assert_int_equal(v, 0x80001000);
    assert_int_equal(elf_find_symbol(&ef, "fromhost", &v, &err), -ENOENT); /* undefined */
    assert_int_equal(elf_find_symbol(&ef, "nothere", &v, &err), -ENOENT);
    assert_int_equal(elf_find_symbol(&ef, "tohos", &v, &err), -ENOENT);
    elf_free(&ef);
}

/* One malformation: apply `mutate` to a valid image, parsing must fail with `msg_part`. */
typedef void (*mutate_fn)(uint8_t *img, size_t *size);
static void expect_reject(mutate_fn mutate, const char *msg_part) {
    static uint8_t img[IMG_SIZE];
    size_t size = IMG_SIZE;
    build(img);
    mutate(img, &size);
    elf_file_t ef;
    const char *err = NULL;
    int rc = elf_parse(&ef, img, size, &err);
    if (rc == 0) fail_msg("accepted a file that should fail with '%s'", msg_part);
    assert_non_null(err);
    if (!strstr(err, msg_part)) fail_msg("message '%s' lacks '%s'", err, msg_part);
}

static void m_short(uint8_t *i, size_t *s) {
    (void)i, *s = 40;
}
static void m_magic(uint8_t *i, size_t *s) {
    (void)s, i[1] = 'X';
}
static void m_class(uint8_t *i, size_t *s) {
    (void)s, i[4] = 1;
}
static void m_data(uint8_t *i, size_t *s) {
    (void)s, i[5] = 2;
}
static void m_machine(uint8_t *i, size_t *s) {
    (void)s, w16(i + 18, 62);
}
static void m_type(uint8_t *i, size_t *s) {
    (void)s, w16(i + 16, 4);
}
static void m_phentsize(uint8_t *i, size_t *s) {
    (void)s, w16(i + 54, 32);
}
static void m_phnum0(uint8_t *i, size_t *s) {
    (void)s, w16(i + 56, 0);
}
static void m_phnum_huge(uint8_t *i, size_t *s) {
    (void)s, w16(i + 56, 0xffff);
}
static void m_phoff_eof(uint8_t *i, size_t *s) {
    (void)s, w64(i + 32, IMG_SIZE - 100);
}
static void m_phoff_wrap(uint8_t *i, size_t *s) {
    (void)s, w64(i + 32, UINT64_MAX - 10);
}
static void m_truncated_ph(uint8_t *i, size_t *s) {
    (void)i, *s = PHOFF + 56 + 10;
}
static void m_off_eof(uint8_t *i, size_t *s) {
    (void)s, w64(i + PHOFF + 56 + 8, IMG_SIZE);
}
static void m_filesz_eof(uint8_t *i, size_t *s) {
    (void)s, w64(i + PHOFF + 56 + 32, 4096);
}
static void m_filesz_wrap(uint8_t *i, size_t *s) {
    (void)s, w64(i + PHOFF + 56 + 32, UINT64_MAX);
}
static void m_filesz_gt_memsz(uint8_t *i, size_t *s) {
    (void)s, w64(i + PHOFF + 56 + 40, 16);
}
static void m_memsz_huge(uint8_t *i, size_t *s) {
    (void)s, w64(i + PHOFF + 56 + 40, 1ull << 60);
}
static void m_vaddr_wrap(uint8_t *i, size_t *s) {
    (void)s;
    w64(i + PHOFF + 112 + 16, 0xfffffffffffff000 + DATA + 64);
    w64(i + PHOFF + 112 + 24, 0xfffffffffffff000 + DATA + 64);
}
static void m_overlap(uint8_t *i, size_t *s) {
    (void)s;
    w64(i + PHOFF + 112 + 16, 0x80000000 + DATA + 64 - 0x1000);
}
static void m_align(uint8_t *i, size_t *s) {
    (void)s, w64(i + PHOFF + 56 + 48, 0x1800);
}
static void m_interp_nonul(uint8_t *i, size_t *s) {
    (void)s, w64(i + PHOFF + 32, 10);
}
static void m_interp_embedded(uint8_t *i, size_t *s) {
    (void)s, i[INTERP + 3] = 0;
}
static void m_no_load(uint8_t *i, size_t *s) {
    (void)s;
    w32(i + PHOFF + 56, 4);
    w32(i + PHOFF + 112, 4);
}

static void rejects_malformed(void **state) {
    (void)state;
    expect_reject(m_short, "too short");
    expect_reject(m_magic, "magic");
    expect_reject(m_class, "64-bit");
    expect_reject(m_data, "little-endian");
    expect_reject(m_machine, "RISC-V");
    expect_reject(m_type, "EXEC nor DYN");
    expect_reject(m_phentsize, "program header size");
    expect_reject(m_phnum0, "no program headers");
    expect_reject(m_phnum_huge, "absurd number");
    expect_reject(m_phoff_eof, "past the end");
    expect_reject(m_phoff_wrap, "past the end");
    expect_reject(m_truncated_ph, "past the end");
    expect_reject(m_off_eof, "past the end");
    expect_reject(m_filesz_eof, "past the end");
    expect_reject(m_filesz_wrap, "past the end");
    expect_reject(m_filesz_gt_memsz, "filesz > memsz");
    expect_reject(m_memsz_huge, "absurd memsz");
    expect_reject(m_vaddr_wrap, "wraps");
    expect_reject(m_overlap, "overlap");
    expect_reject(m_align, "power of two");
    expect_reject(m_interp_nonul, "PT_INTERP");
    expect_reject(m_interp_embedded, "PT_INTERP");
    expect_reject(m_no_load, "no PT_LOAD");
}

/* Broken section tables make symbol lookup fail cleanly. */
static void rejects_bad_symtab(void **state) {
    (void)state;
    static uint8_t img[IMG_SIZE];
    elf_file_t ef;
    const char *err = NULL;
    uint64_t v;
    build(img);
    w64(img + 40, IMG_SIZE - 64); /* shoff: table past the end */
    assert_int_equal(elf_parse(&ef, img, IMG_SIZE, &err), 0);
    assert_int_equal(elf_find_symbol(&ef, "tohost", &v, &err), -ENOEXEC);
    elf_free(&ef);
    build(img);
    shdr(img, 2, 2, SYMTAB, 72, 7, 24); /* link to a missing section */
    assert_int_equal(elf_parse(&ef, img, IMG_SIZE, &err), 0);
    assert_int_equal(elf_find_symbol(&ef, "tohost", &v, &err), -ENOEXEC);
    elf_free(&ef);
    build(img);
    shdr(img, 1, 3, STRTAB, 4000, 0, 0); /* string table past the end */
    assert_int_equal(elf_parse(&ef, img, IMG_SIZE, &err), 0);
    assert_int_equal(elf_find_symbol(&ef, "tohost", &v, &err), -ENOEXEC);
    elf_free(&ef);
    build(img);
    w32(img + SYMTAB + 24, 16); /* name offset at the last byte of strtab: no match */
    assert_int_equal(elf_parse(&ef, img, IMG_SIZE, &err), 0);
    assert_int_equal(elf_find_symbol(&ef, "tohost", &v, &err), -ENOENT);
    elf_free(&ef);
    build(img);
    w64(img + 40, 0); /* no section headers */
    assert_int_equal(elf_parse(&ef, img, IMG_SIZE, &err), 0);
    assert_int_equal(elf_find_symbol(&ef, "tohost", &v, &err), -ENOENT);
    elf_free(&ef);
}

/* Every truncation and many random corruptions: no crash, no leak, parse result consistent. */
static void never_crashes(void **state) {
    (void)state;
    static uint8_t img[IMG_SIZE];
    elf_file_t ef;
    const char *err;
    uint64_t v;
    for (size_t n = 0; n <= IMG_SIZE; n++) {
        build(img);
        uint8_t *copy = malloc(n ? n : 1);
        memcpy(copy, img, n);
        if (elf_parse(&ef, copy, n, &err) == 0) {
            (void)elf_find_symbol(&ef, "tohost", &v, &err);
            elf_free(&ef);
        }
        free(copy);
    }
    srand(12345);
    for (int iter = 0; iter < 20000; iter++) {
        build(img);
        int flips = 1 + rand() % 4;
        for (int k = 0; k < flips; k++)
            img[rand() % IMG_SIZE] = (uint8_t)rand();
        if (elf_parse(&ef, img, IMG_SIZE, &err) == 0) {
            for (unsigned i = 0; i < ef.phnum; i++)
                if (ef.phdrs[i].type == ELF_PT_LOAD)
                    assert_true(ef.phdrs[i].offset + ef.phdrs[i].filesz <= IMG_SIZE);
            (void)elf_find_symbol(&ef, "tohost", &v, &err);
            elf_free(&ef);
        } else {
            assert_non_null(err);
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_valid_file),
        cmocka_unit_test(rejects_malformed),
        cmocka_unit_test(rejects_bad_symtab),
        cmocka_unit_test(never_crashes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
