/* dynlib.h - loading an optional host library at run time.
 *
 * Some host libraries serve only some machines (libslirp for user-mode networking, libseccomp
 * for --sandbox). Linking them would make every vm start map them and their dependencies, so
 * they are loaded with dlopen when a machine first needs them. This is the one loader: it
 * takes the soname found at build time (or a path from an environment variable, for tests and
 * unusual installs), resolves a list of symbols into the caller's function pointers, and says
 * in one sentence what went wrong when something is missing. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* One symbol to resolve: its name and where its address goes (the address of a function
 * pointer, cast to void *). */
typedef struct vm_dynsym {
    const char *name; /* the symbol's name in the library */
    void *slot;       /* points at the function pointer that receives it */
} vm_dynsym_t;

/* Load library `what` (a short name for messages, e.g. "libslirp") from $env_var when that is
 * set and not empty, else from `soname`, and resolve all n symbols. true when every one was
 * found; false with a message in err (errlen bytes) otherwise. The library stays loaded. */
bool vm_dynlib_load(const char *what, const char *env_var, const char *soname,
                    const vm_dynsym_t *syms, size_t n, char *err, size_t errlen);
