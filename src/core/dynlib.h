/* dynlib.h - loading an optional host library at run time.
 *
 * Some host libraries serve only some machines (libslirp for user-mode networking, libseccomp
 * for --sandbox). Linking them would make every vm start map them and their dependencies, so
 * they are loaded with dlopen when a machine first needs them. This is the one loader: it
 * takes the soname found at build time (or a path from an environment variable, for tests and
 * unusual installs), resolves a list of symbols into the caller's function pointers, and says
 * in one sentence what went wrong when something is missing.
 *
 * The vm executable may be a static PIE (tools/CMakeLists.txt, VM_STATIC_PIE): no dynamic
 * loader runs at its start. glibc still lets such a program dlopen a library, which brings the
 * system's libc.so.6 in beside the static C library; the two share loader state, so this is
 * supported only when libc.so.6 is the very build whose static archive vm was linked with.
 * vm_dynlib_open() checks that first (the build id of the libc.so.6 found at configure time,
 * compared with the file's now) and refuses with a message naming the fix instead of loading
 * a mismatched C library. A dynamic vm (or a program linked with libvm) skips the check. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* One symbol to resolve: its name and where its address goes (the address of a function
 * pointer, cast to void *). */
typedef struct vm_dynsym {
    const char *name; /* the symbol's name in the library */
    void *slot;       /* points at the function pointer that receives it */
} vm_dynsym_t;

/* dlopen(name, RTLD_NOW | RTLD_LOCAL), after the static-program check above; NULL with a
 * message in err (errlen bytes) when the library cannot be loaded or must not be. */
void *vm_dynlib_open(const char *name, char *err, size_t errlen);

/* Load library `what` (a short name for messages, e.g. "libslirp") from $env_var when that is
 * set and not empty, else from `soname`, and resolve all n symbols. true when every one was
 * found; false with a message in err (errlen bytes) otherwise. The library stays loaded. */
bool vm_dynlib_load(const char *what, const char *env_var, const char *soname,
                    const vm_dynsym_t *syms, size_t n, char *err, size_t errlen);
