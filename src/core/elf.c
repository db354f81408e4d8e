/* elf.c - ELF64 RISC-V parser: every field read from the file is bounds-checked against the
 * buffer before use, with overflow-safe arithmetic, so no input can make it read outside the
 * buffer. Fields are read byte-wise as little-endian, so unaligned buffers work on any host.
 */
#include "core/elf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint16_t rd16(const uint8_t *p) {
    return (uint16_t)(p[0] | p[1] << 8);
}
static uint32_t rd32(const uint8_t *p) {
    return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16;
}
static uint64_t rd64(const uint8_t *p) {
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* [off, off+len) lies inside a buffer of `size` bytes. */
static bool in_file(uint64_t off, uint64_t len, size_t size) {
    return off <= size && len <= size - off;
}

#define FAIL(code, msg)                                                                            \
    do {                                                                                           \
        *err = (msg);                                                                              \
        rc = (code);                                                                               \
        goto out_fail;                                                                             \
    } while (0)

int elf_parse(elf_file_t *ef, const void *data, size_t size, const char **err) {
    const uint8_t *d = data;
    int rc = 0;
    memset(ef, 0, sizeof(*ef));
    ef->data = d;
    ef->size = size;
    if (size < 64) FAIL(-ENOEXEC, "file too short for an ELF header");
    if (memcmp(d, "\177ELF", 4) != 0) FAIL(-ENOEXEC, "not an ELF file (bad magic)");
    if (d[4] != 2) FAIL(-ENOEXEC, "not a 64-bit ELF file (EI_CLASS)");
    if (d[5] != 1) FAIL(-ENOEXEC, "not a little-endian ELF file (EI_DATA)");
    if (d[6] != 1) FAIL(-ENOEXEC, "unsupported ELF version (EI_VERSION)");
    ef->type = rd16(d + 16);
    if (ef->type != ELF_ET_EXEC && ef->type != ELF_ET_DYN)
        FAIL(-ENOEXEC, "ELF type is neither EXEC nor DYN");
    if (rd16(d + 18) != ELF_EM_RISCV) FAIL(-ENOEXEC, "ELF machine is not RISC-V");
    if (rd32(d + 20) != 1) FAIL(-ENOEXEC, "unsupported ELF version (e_version)");
    ef->entry = rd64(d + 24);
    ef->phoff = rd64(d + 32);
    ef->flags = rd32(d + 48);
    if (rd16(d + 52) < 64) FAIL(-ENOEXEC, "ELF header size too small");
    uint16_t phentsize = rd16(d + 54);
    ef->phnum = rd16(d + 56);
    if (ef->phnum == 0) FAIL(-ENOEXEC, "ELF file has no program headers");
    if (ef->phnum > ELF_MAX_PHNUM)
        FAIL(-ENOEXEC, "ELF file has an absurd number of program headers");
    if (phentsize != 56) FAIL(-ENOEXEC, "ELF program header size is not 56");
    if (!in_file(ef->phoff, (uint64_t)ef->phnum * 56, size))
        FAIL(-ENOEXEC, "ELF program headers extend past the end of the file");
    ef->phdrs = calloc(ef->phnum, sizeof(*ef->phdrs));
    if (!ef->phdrs) FAIL(-ENOMEM, "out of memory for ELF program headers");
    bool any_load = false;
    for (unsigned i = 0; i < ef->phnum; i++) {
        const uint8_t *p = d + ef->phoff + (uint64_t)i * 56;
        elf_segment_t *s = &ef->phdrs[i];
        s->type = rd32(p);
        s->flags = rd32(p + 4);
        s->offset = rd64(p + 8);
        s->vaddr = rd64(p + 16);
        s->paddr = rd64(p + 24);
        s->filesz = rd64(p + 32);
        s->memsz = rd64(p + 40);
        s->align = rd64(p + 48);
        if (s->type != ELF_PT_LOAD && s->type != ELF_PT_INTERP) continue;
        if (!in_file(s->offset, s->filesz, size))
            FAIL(-ENOEXEC, "ELF segment contents extend past the end of the file");
        if (s->type == ELF_PT_INTERP) {
            if (ef->interp) FAIL(-ENOEXEC, "ELF file has more than one PT_INTERP");
            const char *str = (const char *)d + s->offset;
            if (s->filesz < 2 || s->filesz > 4096 || str[s->filesz - 1] != '\0' ||
                strlen(str) != s->filesz - 1)
                FAIL(-ENOEXEC, "ELF PT_INTERP is not a proper NUL-terminated path");
            ef->interp = str;
            continue;
        }
        if (s->filesz > s->memsz) FAIL(-ENOEXEC, "ELF PT_LOAD has filesz > memsz");
        if (s->memsz > (1ull << 47)) FAIL(-ENOEXEC, "ELF PT_LOAD has an absurd memsz");
        if (s->vaddr + s->memsz < s->vaddr || s->paddr + s->memsz < s->paddr)
            FAIL(-ENOEXEC, "ELF PT_LOAD wraps around the address space");
        if (s->align > 1 && (s->align & (s->align - 1)))
            FAIL(-ENOEXEC, "ELF PT_LOAD alignment is not a power of two");
        if (s->align > 1 && (s->vaddr - s->offset) % s->align)
            FAIL(-ENOEXEC, "ELF PT_LOAD vaddr and offset disagree modulo the alignment");
        for (unsigned j = 0; j < i; j++) {
            const elf_segment_t *o = &ef->phdrs[j];
            if (o->type != ELF_PT_LOAD || !s->memsz || !o->memsz) continue;
            if (s->vaddr < o->vaddr + o->memsz && o->vaddr < s->vaddr + s->memsz)
                FAIL(-ENOEXEC, "ELF PT_LOAD segments overlap");
        }
        if (!any_load || s->vaddr < ef->load_lo) ef->load_lo = s->vaddr;
        if (!any_load || s->vaddr + s->memsz > ef->load_hi) ef->load_hi = s->vaddr + s->memsz;
        any_load = true;
    }
    if (!any_load) FAIL(-ENOEXEC, "ELF file has no PT_LOAD segment");
    return 0;
out_fail:
    free(ef->phdrs);
    ef->phdrs = NULL;
    return rc;
}

void elf_free(elf_file_t *ef) {
    free(ef->phdrs);
    ef->phdrs = NULL;
}

int elf_find_symbol(const elf_file_t *ef, const char *name, uint64_t *value, const char **err) {
    const uint8_t *d = ef->data;
    size_t size = ef->size;
    int rc = 0;
    if (size < 64) FAIL(-ENOEXEC, "file too short for an ELF header");
    uint64_t shoff = rd64(d + 40);
    uint16_t shentsize = rd16(d + 58), shnum = rd16(d + 60);
    if (shoff == 0 || shnum == 0) return -ENOENT;
    if (shentsize != 64) FAIL(-ENOEXEC, "ELF section header size is not 64");
    if (!in_file(shoff, (uint64_t)shnum * 64, size))
        FAIL(-ENOEXEC, "ELF section headers extend past the end of the file");
    for (unsigned i = 0; i < shnum; i++) {
        const uint8_t *sh = d + shoff + (uint64_t)i * 64;
        if (rd32(sh + 4) != 2 /* SHT_SYMTAB */) continue;
        uint64_t off = rd64(sh + 24), len = rd64(sh + 32), entsize = rd64(sh + 56);
        uint32_t link = rd32(sh + 40);
        if (entsize != 24) FAIL(-ENOEXEC, "ELF symbol table entry size is not 24");
        if (!in_file(off, len, size)) FAIL(-ENOEXEC, "ELF symbol table past the end of the file");
        if (link >= shnum) FAIL(-ENOEXEC, "ELF symbol table links to a missing string table");
        const uint8_t *strsh = d + shoff + (uint64_t)link * 64;
        uint64_t stroff = rd64(strsh + 24), strlen_ = rd64(strsh + 32);
        if (rd32(strsh + 4) != 3 /* SHT_STRTAB */)
            FAIL(-ENOEXEC, "ELF symbol table's string table is not SHT_STRTAB");
        if (!in_file(stroff, strlen_, size))
            FAIL(-ENOEXEC, "ELF string table past the end of the file");
        const char *strtab = (const char *)d + stroff;
        size_t nlen = strlen(name);
        for (uint64_t k = 0; k + 24 <= len; k += 24) {
            const uint8_t *sym = d + off + k;
            uint32_t st_name = rd32(sym);
            if (st_name >= strlen_ || strlen_ - st_name < nlen + 1) continue;
            if (memcmp(strtab + st_name, name, nlen + 1) != 0) continue;
            if (rd16(sym + 6) == 0 /* SHN_UNDEF */) continue;
            *value = rd64(sym + 8);
            return 0;
        }
    }
    return -ENOENT;
out_fail:
    return rc;
}

int elf_read_file(const char *path, uint8_t **data, size_t *size) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    int rc = 0;
    uint8_t *buf = NULL;
    struct stat st;
    if (fstat(fd, &st) < 0) {
        rc = -errno;
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = -EINVAL;
        goto out;
    }
    if (st.st_size > (off_t)1 << 32) {
        rc = -EFBIG;
        goto out;
    }
    buf = malloc(st.st_size ? (size_t)st.st_size : 1);
    if (!buf) {
        rc = -ENOMEM;
        goto out;
    }
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            rc = n < 0 ? -errno : -EIO;
            goto out;
        }
        got += (size_t)n;
    }
    *data = buf;
    *size = got;
    buf = NULL;
out:
    free(buf);
    close(fd);
    return rc;
}
