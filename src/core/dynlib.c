/* dynlib.c - loading an optional host library at run time (see dynlib.h).
 *
 * The C library check of a static vm: VM_LIBC_SO and VM_LIBC_BUILD_ID (src/core/CMakeLists.txt)
 * are the path of the libc.so.6 the toolchain linked against and its GNU build id, recorded at
 * configure time (a change of the file makes CMake configure again). A program with no
 * dynamic loader (AT_BASE is 0) reads the build id of that file before its first dlopen; a
 * different id (the C library was upgraded since vm was linked) or an unreadable file refuses
 * every dlopen with one message. $VM_LIBC_FILE names another file to check (for tests). */
#include "core/dynlib.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#ifndef VM_LIBC_SO
#define VM_LIBC_SO "" /* not recorded: a dynamic build */
#endif
#ifndef VM_LIBC_BUILD_ID
#define VM_LIBC_BUILD_ID ""
#endif

/* The GNU build id of ELF file `path` as lowercase hex in hex (n bytes); 0, or -1 when the
 * file is not a readable 64-bit ELF file with one. */
static int build_id_of(const char *path, char *hex, size_t n) {
    int rc = -1, fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    Elf64_Ehdr eh;
    Elf64_Phdr ph[64];
    if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
        memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
        eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 || eh.e_phnum > 64)
        goto out;
    size_t phbytes = (size_t)eh.e_phnum * sizeof(Elf64_Phdr);
    if (pread(fd, ph, phbytes, (off_t)eh.e_phoff) != (ssize_t)phbytes) goto out;
    for (unsigned i = 0; i < eh.e_phnum && rc; i++) {
        unsigned char note[4096];
        if (ph[i].p_type != PT_NOTE || ph[i].p_filesz > sizeof(note)) continue;
        size_t len = (size_t)ph[i].p_filesz;
        if (pread(fd, note, len, (off_t)ph[i].p_offset) != (ssize_t)len) continue;
        for (size_t at = 0; at + sizeof(Elf64_Nhdr) <= len;) {
            Elf64_Nhdr nh;
            memcpy(&nh, note + at, sizeof(nh));
            size_t name_at = at + sizeof(nh), name_len = (nh.n_namesz + 3u) & ~3u;
            size_t desc_at = name_at + name_len, desc_len = (nh.n_descsz + 3u) & ~3u;
            if (name_len > len || desc_len > len || desc_at + desc_len > len) break;
            if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
                !memcmp(note + name_at, "GNU", 4) && nh.n_descsz * 2 < n) {
                for (unsigned k = 0; k < nh.n_descsz; k++)
                    snprintf(hex + 2 * k, 3, "%02x", note[desc_at + k]);
                rc = 0;
                break;
            }
            at = desc_at + desc_len;
        }
    }
out:
    close(fd);
    return rc;
}

static pthread_once_t libc_once = PTHREAD_ONCE_INIT;
static char libc_why[512]; /* why dlopen is refused, or empty */

/* The check of dynlib.h, once per process. */
static void libc_check(void) {
    if (getauxval(AT_BASE) != 0 || !VM_LIBC_BUILD_ID[0]) return; /* a dynamic program */
    const char *path = getenv("VM_LIBC_FILE");
    if (!path || !*path) path = VM_LIBC_SO;
    char id[129];
    if (build_id_of(path, id, sizeof(id)) != 0)
        snprintf(libc_why, sizeof(libc_why),
                 "vm is linked statically and loads libraries only beside the C library it was "
                 "linked with; %s has no build id to compare: rebuild vm, or configure it with "
                 "-DVM_STATIC_PIE=OFF",
                 path);
    else if (strcmp(id, VM_LIBC_BUILD_ID) != 0)
        snprintf(libc_why, sizeof(libc_why),
                 "vm is linked statically and loads libraries only beside the C library it was "
                 "linked with (build %s); %s is build %s: rebuild vm, or configure it with "
                 "-DVM_STATIC_PIE=OFF",
                 VM_LIBC_BUILD_ID, path, id);
}

void *vm_dynlib_open(const char *name, char *err, size_t errlen) {
    pthread_once(&libc_once, libc_check);
    if (libc_why[0]) {
        snprintf(err, errlen, "%s", libc_why);
        return NULL;
    }
    void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(err, errlen, "%s", e ? e : name);
    }
    return h;
}

bool vm_dynlib_load(const char *what, const char *env_var, const char *soname,
                    const vm_dynsym_t *syms, size_t n, char *err, size_t errlen) {
    const char *name = env_var ? getenv(env_var) : NULL;
    if (!name || !*name) name = soname;
    char why[600];
    void *h = vm_dynlib_open(name, why, sizeof(why));
    if (!h) {
        snprintf(err, errlen, "cannot load %s (%s)", what, why);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        void *p = dlsym(h, syms[i].name);
        if (!p) {
            snprintf(err, errlen, "%s lacks the %s function %s", name, what, syms[i].name);
            return false;
        }
        *(void **)syms[i].slot = p;
    }
    return true;
}
