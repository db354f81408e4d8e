/* dynlib.c - loading an optional host library at run time (see dynlib.h). */
#include "core/dynlib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

bool vm_dynlib_load(const char *what, const char *env_var, const char *soname,
                    const vm_dynsym_t *syms, size_t n, char *err, size_t errlen) {
    const char *name = env_var ? getenv(env_var) : NULL;
    if (!name || !*name) name = soname;
    void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(err, errlen, "cannot load %s (%s)", what, e ? e : name);
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
