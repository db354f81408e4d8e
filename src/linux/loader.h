/* loader.h - loading a riscv64 Linux program into a guest address space: the ELF image (and
 * its program interpreter for dynamically linked programs), the initial stack with argv,
 * envp and the auxiliary vector, and the program break. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "linux/space.h"

/* What the loader placed where; the auxiliary vector is built from it. */
typedef struct linux_image {
    uint64_t entry;       /* first pc: the interpreter's entry, or the program's */
    uint64_t prog_entry;  /* the program's own entry (AT_ENTRY) */
    uint64_t phdr;        /* guest address of the program headers (AT_PHDR) */
    uint64_t phnum;       /* number of program headers (AT_PHNUM) */
    uint64_t load_bias;   /* what was added to the program's addresses (0 for ET_EXEC) */
    uint64_t interp_base; /* where the interpreter was loaded (AT_BASE), 0 without one */
    uint64_t brk;         /* initial program break */
    bool exec_stack;      /* the program's PT_GNU_STACK asks for an executable stack */
    char interp[4096];    /* host path of the interpreter that was loaded ("" if none) */
} linux_image_t;

/* Where the initial stack lives and what goes in it. */
typedef struct linux_stack_args {
    uint64_t top;                  /* one past the highest stack byte (the stack is mapped below) */
    int argc;                      /* number of arguments */
    char *const *argv;             /* argument strings */
    char *const *envp;             /* environment strings, NULL-terminated */
    const char *execfn;            /* AT_EXECFN string: the program path as given */
    const uint8_t *random16;       /* 16 bytes for AT_RANDOM (NULL: read from the host) */
    uint64_t hwcap;                /* AT_HWCAP */
    uint64_t uid, euid, gid, egid; /* AT_UID ... AT_EGID */
    uint64_t secure;               /* AT_SECURE */
    uint64_t sysinfo_ehdr;         /* AT_SYSINFO_EHDR (0: none, not emitted) */
} linux_stack_args_t;

/* Load the program at path (and its interpreter, looked up under sysroot first) into sp.
 * Returns 0, or a negative host errno with a message in err (errlen bytes). */
int linux_load_program(linux_space_t *sp, const char *path, const char *sysroot, linux_image_t *img,
                       char *err, size_t errlen);

/* Load the program at path (and its interpreter) into a scratch address space and drop it
 * again: what an execve checks before the calling image is given up, so that a program vm
 * would refuse fails the call instead of ending the process. 0, or a negative host errno with
 * a message in err. */
int linux_check_program(const char *path, const char *sysroot, char *err, size_t errlen);

/* Map the stack below a->top and write argc, argv, envp, auxv and their strings into it.
 * Returns the initial stack pointer (16-byte aligned), or 0 with a message in err. */
uint64_t linux_build_stack(linux_space_t *sp, const linux_image_t *img, const linux_stack_args_t *a,
                           char *err, size_t errlen);

/* --sandbox: look program interpreters up inside the box whose root descriptor is fd (the
 * kernel resolves them there); -1 goes back to the sysroot rule. */
void linux_loader_set_root(int fd);
