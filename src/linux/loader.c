/* loader.c - ELF program loading, as Linux's binfmt_elf does.
 *
 * The file is parsed and bounds-checked by core/elf; this file adds what only matters for
 * placing it in a user address space: the load bias (ET_DYN programs go to ELF_ET_DYN_BASE,
 * interpreters to the top-down mmap area), the image span fitting the guest space, and the
 * entry point lying inside a loaded segment. The file is mapped, not read: the parser reads
 * the headers through a read-only mapping, and the whole span is mapped read-write
 * (anonymous) and then each segment's file pages privately over it, as Linux maps them, so
 * that only the pages the guest touches are ever read (a segment whose file offset is not
 * congruent to its address modulo the page, or a file that cannot be mapped, is copied
 * instead). The bytes after a segment's file part in its last page are zeroed, the bytes
 * between segments are unmapped, and each segment then gets its final protection (a page
 * shared by two segments gets the union of both).
 *
 * The initial stack is built by stack.c. */
#include "linux/loader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/elf.h"
#include "linux/abi.h"
#include "linux/box.h"

#define PAGE LINUX_PAGE_SIZE

static uint64_t page_down(uint64_t v) {
    return v & ~(PAGE - 1);
}
static uint64_t page_up(uint64_t v) {
    return (v + PAGE - 1) & ~(PAGE - 1);
}

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return rc;
}

/* Program header type that gives the stack's permissions (a riscv64 program without one gets
 * a stack that is not executable, as riscv64 Linux and qemu-riscv64 do). */
#define LINUX_PT_GNU_STACK 0x6474e551u

static int seg_prot(uint32_t pf) {
    return ((pf & ELF_PF_R) ? LINUX_PROT_READ : 0) | ((pf & ELF_PF_W) ? LINUX_PROT_WRITE : 0) |
           ((pf & ELF_PF_X) ? LINUX_PROT_EXEC : 0);
}

/* An ELF file opened for loading: its bytes (a read-only mapping of the file, or a heap copy
 * when it cannot be mapped) and the descriptor its segments are mapped from. */
typedef struct elf_src {
    uint8_t *data; /* the whole file */
    size_t size;   /* its size */
    int fd;        /* open descriptor (-1: copy the segments) */
    bool mapped;   /* data is a mapping (munmap), else malloc'ed (free) */
} elf_src_t;

static void src_close(elf_src_t *src) {
    if (src->mapped)
        munmap(src->data, src->size);
    else
        free(src->data);
    if (src->fd >= 0) close(src->fd);
    *src = (elf_src_t){.fd = -1};
}

/* Map one parsed ELF at bias; is_interp picks the placement policy when bias is free. */
static int map_elf(linux_space_t *sp, const char *path, const elf_file_t *ef, int fd,
                   bool is_interp, uint64_t *bias_out, char *err, size_t errlen) {
    uint64_t lo = page_down(ef->load_lo), hi = page_up(ef->load_hi);
    if (ef->load_hi > UINT64_MAX - PAGE || hi - lo > sp->size - sp->mmap_min)
        return fail(err, errlen, -ENOEXEC, "%s: ELF image is larger than the guest address space",
                    path);
    uint64_t bias = 0;
    if (ef->type == ELF_ET_DYN) {
        if (is_interp) {
            uint64_t at = linux_space_find_free(sp, hi - lo);
            if (at == 0) return fail(err, errlen, -ENOMEM, "%s: no room for the interpreter", path);
            bias = at - lo;
        } else {
            bias = LINUX_ET_DYN_BASE_OF(sp->size) - lo;
        }
    }
    uint64_t start = lo + bias, end = hi + bias;
    if (start < sp->mmap_min || end > sp->size || end < start)
        return fail(err, errlen, -ENOEXEC,
                    "%s: ELF segments [0x%llx, 0x%llx) lie outside the guest address space", path,
                    (unsigned long long)ef->load_lo, (unsigned long long)ef->load_hi);
    /* the stack is mapped below the top of the space after the image: a segment there would
     * be replaced by it (Linux refuses such an image too, its stack being mapped first) */
    uint64_t stack_lo = sp->size - LINUX_STACK_SIZE;
    if (end > stack_lo && start < sp->size)
        return fail(err, errlen, -ENOEXEC,
                    "%s: ELF segments [0x%llx, 0x%llx) overlap the stack at [0x%llx, 0x%llx) "
                    "at the top of the guest address space",
                    path, (unsigned long long)start, (unsigned long long)end,
                    (unsigned long long)stack_lo, (unsigned long long)sp->size);
    bool entry_ok = false;
    for (unsigned i = 0; i < ef->phnum; i++) {
        const elf_segment_t *s = &ef->phdrs[i];
        if (s->type == ELF_PT_LOAD && ef->entry >= s->vaddr && ef->entry < s->vaddr + s->memsz)
            entry_ok = true;
    }
    if (!entry_ok)
        return fail(err, errlen, -ENOEXEC, "%s: ELF entry point 0x%llx is not in a loaded segment",
                    path, (unsigned long long)ef->entry);
    int64_t m = linux_space_mmap(sp, start, end - start, LINUX_PROT_READ | LINUX_PROT_WRITE,
                                 LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS | LINUX_MAP_FIXED, -1, 0);
    if (m < 0) return fail(err, errlen, -ENOMEM, "%s: cannot map the ELF image", path);
    /* the contents: the file's pages mapped over the span (the rest is already zero) */
    for (unsigned i = 0; i < ef->phnum; i++) {
        const elf_segment_t *s = &ef->phdrs[i];
        if (s->type != ELF_PT_LOAD || s->filesz == 0) continue;
        uint64_t va = s->vaddr + bias, fend = va + s->filesz;
        if (fd >= 0 && (s->vaddr & (PAGE - 1)) == (s->offset & (PAGE - 1)) &&
            linux_space_mmap(sp, page_down(va), page_up(fend) - page_down(va),
                             LINUX_PROT_READ | LINUX_PROT_WRITE,
                             LINUX_MAP_PRIVATE | LINUX_MAP_FIXED, fd, page_down(s->offset)) >= 0)
            continue;
        memcpy(linux_space_ptr(sp, va), ef->data + s->offset, s->filesz);
    }
    /* what the file has after a segment in its last page (up to the next segment, when that
     * starts in the same page) is not the guest's: zero, as the bss must be */
    for (unsigned i = 0; i < ef->phnum; i++) {
        const elf_segment_t *s = &ef->phdrs[i];
        if (s->type != ELF_PT_LOAD || s->filesz == 0) continue;
        uint64_t fend = s->vaddr + s->filesz + bias, lim = page_up(fend);
        for (unsigned k = 0; k < ef->phnum; k++) {
            const elf_segment_t *o = &ef->phdrs[k];
            uint64_t ov = o->vaddr + bias;
            if (o->type == ELF_PT_LOAD && o->memsz && ov >= fend && ov < lim) lim = ov;
        }
        if (lim > fend) memset(linux_space_ptr(sp, fend), 0, lim - fend);
    }
    /* protections in address order; unmap the holes between segments */
    uint64_t prev_end = start;
    int prev_prot = 0;
    uint64_t done = lo; /* vaddr already handled (sorted walk) */
    for (;;) {
        const elf_segment_t *next = NULL;
        for (unsigned i = 0; i < ef->phnum; i++) {
            const elf_segment_t *s = &ef->phdrs[i];
            if (s->type != ELF_PT_LOAD || s->memsz == 0 || s->vaddr < done) continue;
            if (!next || s->vaddr < next->vaddr) next = s;
        }
        if (!next) break;
        done = next->vaddr + next->memsz;
        uint64_t ps = page_down(next->vaddr) + bias, pe = page_up(next->vaddr + next->memsz) + bias;
        int prot = seg_prot(next->flags);
        if (ps > prev_end) {
            if (linux_space_munmap(sp, prev_end, ps - prev_end) != 0)
                return fail(err, errlen, -ENOMEM, "%s: cannot unmap a segment gap", path);
        } else if (ps < prev_end) {
            /* first page shared with the previous segment */
            if (linux_space_mprotect(sp, ps, PAGE, prot | prev_prot) != 0)
                return fail(err, errlen, -ENOMEM, "%s: cannot protect a segment", path);
            ps += PAGE;
        }
        if (pe > ps && linux_space_mprotect(sp, ps, pe - ps, prot) != 0)
            return fail(err, errlen, -ENOMEM, "%s: cannot protect a segment", path);
        prev_end = pe > prev_end ? pe : prev_end;
        prev_prot = prot;
    }
    if (prev_end < end) linux_space_munmap(sp, prev_end, end - prev_end);
    *bias_out = bias;
    return 0;
}

/* Map (else read) and parse path; on success the caller closes *src and frees the
 * elf_file_t. */
static int open_elf(const char *path, elf_src_t *src, elf_file_t *ef, char *err, size_t errlen) {
    *src = (elf_src_t){.fd = -1};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return fail(err, errlen, -EACCES, "%s: not a regular file", path);
    }
    void *m = st.st_size > 0 && st.st_size <= (off_t)1 << 32
                  ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)
                  : MAP_FAILED;
    if (m != MAP_FAILED) {
        *src = (elf_src_t){m, (size_t)st.st_size, fd, true};
    } else {
        /* an empty or huge file, or one that cannot be mapped: read it, copy its segments */
        close(fd);
        int rc = elf_read_file(path, &src->data, &src->size);
        if (rc == -EINVAL) return fail(err, errlen, -EACCES, "%s: not a regular file", path);
        if (rc < 0) return fail(err, errlen, rc, "%s: %s", path, strerror(-rc));
    }
    const char *why = NULL;
    int rc = elf_parse(ef, src->data, src->size, &why);
    if (rc < 0) {
        src_close(src);
        return fail(err, errlen, -ENOEXEC, "%s: %s", path, why ? why : "malformed ELF file");
    }
    return 0;
}

/* --sandbox: descriptor of the box's root, where interpreters are looked up; -1: the sysroot
 * rule. */
static int box_root = -1;

int linux_load_program(linux_space_t *sp, const char *path, const char *sysroot, linux_image_t *img,
                       char *err, size_t errlen) {
    memset(img, 0, sizeof(*img));
    elf_src_t src = {.fd = -1}, isrc = {.fd = -1};
    elf_file_t ef = {0}, ief = {0};
    int ifd = -1; /* --sandbox: the interpreter opened inside the box */
    int rc = open_elf(path, &src, &ef, err, errlen);
    if (rc) return rc;
    uint64_t bias = 0;
    rc = map_elf(sp, path, &ef, src.fd, false, &bias, err, errlen);
    if (rc) goto out;
    img->load_bias = bias;
    img->prog_entry = ef.entry + bias;
    img->entry = img->prog_entry;
    img->phnum = ef.phnum;
    /* AT_PHDR: PT_PHDR when present, else the loaded bytes that hold the header table */
    for (unsigned i = 0; i < ef.phnum; i++) {
        const elf_segment_t *s = &ef.phdrs[i];
        if (s->type == ELF_PT_PHDR) img->phdr = s->vaddr + bias;
        if (s->type == LINUX_PT_GNU_STACK && (s->flags & ELF_PF_X)) img->exec_stack = true;
    }
    for (unsigned i = 0; i < ef.phnum && !img->phdr; i++) {
        const elf_segment_t *s = &ef.phdrs[i];
        if (s->type == ELF_PT_LOAD && ef.phoff >= s->offset &&
            ef.phoff + (uint64_t)ef.phnum * 56 <= s->offset + s->filesz)
            img->phdr = s->vaddr + (ef.phoff - s->offset) + bias;
    }
    img->brk = page_up(ef.load_hi + bias);
    linux_space_set_brk(sp, img->brk);
    if (ef.interp && box_root >= 0) {
        /* --sandbox: the interpreter is a path inside the box, resolved by the kernel there */
        ifd = linux_box_open_root(box_root, ef.interp, O_PATH | O_CLOEXEC, 0);
        if (ifd < 0) {
            rc = fail(err, errlen, ifd, "%s: program interpreter %s not found in the sandbox: %s",
                      path, ef.interp, strerror(-ifd));
            goto out;
        }
        snprintf(img->interp, sizeof(img->interp), "/proc/self/fd/%d", ifd);
    } else if (ef.interp) {
        const char *root = sysroot && *sysroot ? sysroot : "";
        int n = snprintf(img->interp, sizeof(img->interp), "%s%s", root, ef.interp);
        if (n < 0 || (size_t)n >= sizeof(img->interp)) {
            rc = fail(err, errlen, -ENAMETOOLONG, "%s: interpreter path too long", path);
            goto out;
        }
    }
    if (ef.interp) {
        if (access(img->interp, F_OK) != 0) {
            rc = fail(err, errlen, -ENOENT,
                      "%s: program interpreter %s not found (looked for %s; set the sysroot "
                      "with -L DIR or VM_LD_PREFIX)",
                      path, ef.interp, img->interp);
            goto out;
        }
        rc = open_elf(img->interp, &isrc, &ief, err, errlen);
        if (rc) goto out;
        if (ief.interp) {
            rc = fail(err, errlen, -ENOEXEC, "%s: the interpreter itself asks for an interpreter",
                      img->interp);
            goto out;
        }
        uint64_t ibias = 0;
        rc = map_elf(sp, img->interp, &ief, isrc.fd, true, &ibias, err, errlen);
        if (rc) goto out;
        img->interp_base = page_down(ief.load_lo) + ibias;
        img->entry = ief.entry + ibias;
    }
out:
    elf_free(&ef);
    elf_free(&ief);
    src_close(&src);
    src_close(&isrc);
    if (ifd >= 0) close(ifd);
    return rc;
}

void linux_loader_set_root(int fd) {
    box_root = fd;
}

int linux_check_program(const char *path, const char *sysroot, char *err, size_t errlen) {
    linux_space_t sp;
    int rc = linux_space_init(&sp, linux_space_host_size());
    if (rc) {
        snprintf(err, errlen, "%s: cannot reserve a scratch address space: %s", path,
                 strerror(-rc));
        return rc;
    }
    linux_image_t *img = malloc(sizeof(*img));
    if (!img) {
        linux_space_destroy(&sp);
        return fail(err, errlen, -ENOMEM, "%s: out of memory", path);
    }
    rc = linux_load_program(&sp, path, sysroot, img, err, errlen);
    free(img);
    linux_space_destroy(&sp);
    return rc;
}
