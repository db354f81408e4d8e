/* fuzz_path.c - libFuzzer target: the guest path resolver's pure parts (src/linux/path.c) on
 * arbitrary paths. The input is a path (a '/' is put in front when it is relative). Checked:
 * the canonical form has no empty, "." or ".." component and is a fixed point; every name of
 * this process's /proc (self, thread-self, its pid and thread ids, /dev/fd) is classified, so
 * none slips through as an ordinary path, and a classified name is in the canonical
 * /proc/PID form and classifies the same again; the guest view of a host path is a suffix of
 * it. Any violation aborts. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "linux/abi.h"
#include "linux/path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* threads 100 (main), 101, 102 of this process */
static bool own_tid(void *opaque, long id) {
    (void)opaque;
    return id == 101 || id == 102;
}

/* Whether canonical path c names something of this process's /proc. */
static bool names_own_proc(const char *c) {
    static const char *const own[] = {"/proc/self", "/proc/thread-self", "/proc/100",
                                      "/proc/101",  "/proc/102",         "/dev/fd",
                                      "/dev/stdin", "/dev/stdout",       "/dev/stderr"};
    for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
        size_t l = strlen(own[i]);
        if (!strncmp(c, own[i], l) && (c[l] == 0 || c[l] == '/')) {
            /* /proc/self/root and below name the root's files, not /proc */
            const char *rest = c + l;
            if (!strncmp(own[i], "/proc/", 6) && !strncmp(rest, "/root", 5) &&
                (rest[5] == 0 || rest[5] == '/'))
                return false;
            return true;
        }
    }
    return false;
}

static void check_canonical(const char *c) {
    if (c[0] != '/') abort();
    if (strcmp(c, "/") != 0 && c[strlen(c) - 1] == '/') abort();
    if (strstr(c, "//") || strstr(c, "/./") || strstr(c, "/../")) abort();
    size_t l = strlen(c);
    if ((l >= 2 && !strcmp(c + l - 2, "/.")) || (l >= 3 && !strcmp(c + l - 3, "/.."))) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 3000) return 0;
    char in[3100], c[4096], c2[4096], out[4096], out2[4096], view[4096];
    size_t k = 0;
    if (size == 0 || data[0] != '/') in[k++] = '/';
    for (size_t i = 0; i < size; i++)
        in[k++] = data[i] ? (char)data[i] : '/';
    in[k] = 0;

    if (linux_path_canon(in, c, sizeof(c)) == 0) {
        check_canonical(c);
        if (linux_path_canon(c, c2, sizeof(c2)) != 0 || strcmp(c, c2) != 0) abort();
    }

    linux_path_ctx_t ctx = {.pid = 100, .tid = 101, .is_own_tid = own_tid};
    int fd = -1;
    int kind = linux_path_proc(&ctx, in, out, sizeof(out), &fd);
    if (kind >= 0) {
        check_canonical(out);
        if (kind == LINUX_PROC_NONE && names_own_proc(out)) abort(); /* slipped through */
        if (kind != LINUX_PROC_NONE) {
            if (strncmp(out, "/proc/100", 9) != 0 || (out[9] && out[9] != '/')) abort();
            int fd2 = -1;
            if (linux_path_proc(&ctx, out, out2, sizeof(out2), &fd2) != kind) abort();
            if (strcmp(out, out2) != 0) abort();
            if (kind == LINUX_PROC_FD && fd != fd2) abort();
        }
    } else if (kind != -LINUX_ENAMETOOLONG && kind != -LINUX_ELOOP) {
        abort();
    }

    /* the guest view of a host path under a sysroot taken from the input itself */
    const char *root = size > 4 ? "/r/sys" : NULL;
    if (linux_path_guest_view(root, in, view, sizeof(view)) == 0) {
        size_t vl = strlen(view), il = strlen(in);
        if (vl > il || (strcmp(view, "/") != 0 && strcmp(in + il - vl, view) != 0)) abort();
    }
    return 0;
}
