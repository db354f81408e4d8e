/* elf.h - validated parsing of ELF64 little-endian RISC-V files held in a memory buffer.
 *
 * elf_parse() checks the file header and every program header against the buffer size and
 * rejects malformed files with a message; after it succeeds, every offset/size it reports is
 * inside the buffer. Nothing here writes guest memory: loaders copy the segments themselves.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_EM_RISCV  243 /* e_machine of RISC-V */
#define ELF_ET_EXEC   2   /* executable at fixed addresses */
#define ELF_ET_DYN    3   /* position-independent executable or shared object */
#define ELF_PT_LOAD   1   /* loadable segment */
#define ELF_PT_INTERP 3   /* path of the program interpreter */
#define ELF_PT_PHDR   6   /* the program header table itself */
#define ELF_PF_X      1   /* segment executable */
#define ELF_PF_W      2   /* segment writable */
#define ELF_PF_R      4   /* segment readable */
#define ELF_MAX_PHNUM 512 /* more program headers than this is rejected as absurd */

/* One program header, as found in the file (sizes validated). */
typedef struct elf_segment {
    uint32_t type;   /* PT_* */
    uint32_t flags;  /* PF_* */
    uint64_t offset; /* file offset of the contents (offset + filesz <= file size) */
    uint64_t vaddr;  /* virtual address */
    uint64_t paddr;  /* physical address (where the bare machine loads it) */
    uint64_t filesz; /* bytes present in the file */
    uint64_t memsz;  /* bytes in memory (>= filesz; the rest is zero) */
    uint64_t align;  /* alignment (0 or a power of two) */
} elf_segment_t;

/* A parsed file. Pointers point into the caller's buffer, which must outlive it. */
typedef struct elf_file {
    const uint8_t *data;  /* the whole file */
    size_t size;          /* its size in bytes */
    uint16_t type;        /* ELF_ET_EXEC or ELF_ET_DYN */
    uint64_t entry;       /* entry point */
    uint32_t flags;       /* e_flags (RVC, float ABI) */
    uint64_t phoff;       /* file offset of the program headers */
    uint16_t phnum;       /* number of program headers */
    elf_segment_t *phdrs; /* program headers (heap; freed by elf_free) */
    const char *interp;   /* PT_INTERP path (NUL-terminated, inside data) or NULL */
    uint64_t load_lo;     /* lowest PT_LOAD vaddr (0 if there is none) */
    uint64_t load_hi;     /* highest PT_LOAD vaddr + memsz */
} elf_file_t;

/* Parse and validate `data`. Returns 0, or -ENOEXEC/-EINVAL/-ENOMEM with *err set to a
 * static message. On error nothing needs to be freed. */
int elf_parse(elf_file_t *ef, const void *data, size_t size, const char **err);

/* Free what elf_parse allocated (safe on a zeroed struct). */
void elf_free(elf_file_t *ef);

/* Look `name` up in .symtab through the section headers. Returns 0 and *value, -ENOENT when
 * there is no such symbol (or no symbol table), or -ENOEXEC with *err for a malformed table. */
int elf_find_symbol(const elf_file_t *ef, const char *name, uint64_t *value, const char **err);

/* Read a whole file into a heap buffer (*data, *size). Returns 0 or -errno. */
int elf_read_file(const char *path, uint8_t **data, size_t *size);
