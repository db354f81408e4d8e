/* fuzz_elf.c - libFuzzer target: any byte string given to the ELF parser and the symbol
 * lookup must be rejected cleanly or parsed into in-bounds segments. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/elf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    elf_file_t ef;
    const char *err = NULL;
    if (elf_parse(&ef, data, size, &err) != 0) {
        if (!err) abort();
        return 0;
    }
    for (unsigned i = 0; i < ef.phnum; i++) {
        const elf_segment_t *s = &ef.phdrs[i];
        if (s->type == ELF_PT_LOAD && (s->offset > size || s->filesz > size - s->offset)) abort();
    }
    uint64_t v;
    (void)elf_find_symbol(&ef, "tohost", &v, &err);
    elf_free(&ef);
    return 0;
}
