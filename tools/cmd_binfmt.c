/* cmd_binfmt.c - `vm binfmt`: register vm with the kernel's binfmt_misc, so that riscv64
 * Linux executables run directly (`./prog` starts `vm prog`).
 *
 *   vm binfmt --print              print the registration line
 *   vm binfmt --install [--force]  write it to /proc/sys/fs/binfmt_misc/register (root)
 *   vm binfmt --remove             remove vm's entry again
 *
 * The entry is named vm-riscv64. It matches the ELF identification of a 64-bit
 * little-endian riscv64 executable or shared object (e_type 2 or 3, e_machine 243) by magic
 * and mask over the first 20 bytes, names this vm binary by its absolute path, and carries
 * the F flag: the kernel opens the interpreter when the entry is registered, so it works in
 * mount namespaces and chroots where the path does not exist. The kernel then starts
 * `vm /path/to/prog args...`, which vm.c treats as `vm run /path/to/prog args...` (the
 * sysroot comes from $VM_LD_PREFIX). --install refuses when any entry for riscv64 is already
 * registered (e.g. qemu's), unless --force, which replaces vm's own and adds vm's beside the
 * others (the newest entry matches first). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define BINFMT_DIR  "/proc/sys/fs/binfmt_misc"
#define BINFMT_NAME "vm-riscv64"

/* e_ident (class 64, little-endian, version 1, any OS ABI), e_type 2 or 3, e_machine 243 */
static const unsigned char magic[20] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0,   0,
                                        0,    0,   0,   0,   0, 0, 2, 0, 243, 0};
static const unsigned char mask[20] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0xff, 0xff,
                                       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff};

static void binfmt_usage(FILE *out) {
    fprintf(out, "usage: vm binfmt --print | --install [--force] | --remove\n");
}

/* The registration line (with its newline) into buf. 0, or -1 with a message. */
static int registration(char *buf, size_t n) {
    char self[PATH_MAX];
    ssize_t k = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (k <= 0) {
        fprintf(stderr, "vm binfmt: cannot find the vm executable: %s\n", strerror(errno));
        return -1;
    }
    self[k] = 0;
    if (strchr(self, ':')) {
        fprintf(stderr, "vm binfmt: the path %s holds a ':', which binfmt_misc cannot take\n",
                self);
        return -1;
    }
    size_t w = (size_t)snprintf(buf, n, ":%s:M::", BINFMT_NAME);
    for (int i = 0; i < 20 && w < n; i++)
        w += (size_t)snprintf(buf + w, n - w, "\\x%02x", magic[i]);
    if (w < n) w += (size_t)snprintf(buf + w, n - w, ":");
    for (int i = 0; i < 20 && w < n; i++)
        w += (size_t)snprintf(buf + w, n - w, "\\x%02x", mask[i]);
    if (w < n) w += (size_t)snprintf(buf + w, n - w, ":%s:F\n", self);
    if (w >= n) {
        fprintf(stderr, "vm binfmt: the vm path is too long for a registration\n");
        return -1;
    }
    return 0;
}

/* Write s to the binfmt_misc file name. 0, or -1 with a message. */
static int write_file(const char *name, const char *s) {
    char path[256];
    snprintf(path, sizeof(path), BINFMT_DIR "/%s", name);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "vm binfmt: %s: %s\n", path, strerror(errno));
        return -1;
    }
    ssize_t len = (ssize_t)strlen(s);
    ssize_t r = write(fd, s, (size_t)len);
    int e = errno;
    close(fd);
    if (r != len) {
        fprintf(stderr, "vm binfmt: writing %s: %s\n", path, r < 0 ? strerror(e) : "short write");
        return -1;
    }
    return 0;
}

/* binfmt_misc must be mounted and writable by us. 0, or -1 with a message. */
static int check_writable(void) {
    if (access(BINFMT_DIR "/register", F_OK) != 0) {
        fprintf(stderr,
                "vm binfmt: binfmt_misc is not mounted (%s/register is missing; as root: mount -t "
                "binfmt_misc binfmt_misc %s)\n",
                BINFMT_DIR, BINFMT_DIR);
        return -1;
    }
    if (geteuid() != 0 || access(BINFMT_DIR "/register", W_OK) != 0) {
        fprintf(stderr, "vm binfmt: %s/register is not writable (run as root)\n", BINFMT_DIR);
        return -1;
    }
    return 0;
}

static int install(bool force) {
    char line[1024];
    if (registration(line, sizeof(line)) || check_writable()) return 1;
    DIR *d = opendir(BINFMT_DIR);
    if (!d) {
        fprintf(stderr, "vm binfmt: %s: %s\n", BINFMT_DIR, strerror(errno));
        return 1;
    }
    struct dirent *e;
    bool ours = false, others = false;
    char other[256] = "";
    while ((e = readdir(d))) {
        if (!strstr(e->d_name, "riscv64")) continue;
        if (!strcmp(e->d_name, BINFMT_NAME)) {
            ours = true;
        } else {
            others = true;
            snprintf(other, sizeof(other), "%s", e->d_name);
        }
    }
    closedir(d);
    if ((ours || others) && !force) {
        fprintf(stderr,
                "vm binfmt: an entry for riscv64 is already registered (%s/%s); --force "
                "installs vm's anyway\n",
                BINFMT_DIR, ours ? BINFMT_NAME : other);
        return 1;
    }
    if (ours && write_file(BINFMT_NAME, "-1")) return 1;
    if (write_file("register", line)) return 1;
    printf("vm binfmt: registered %s/%s\n", BINFMT_DIR, BINFMT_NAME);
    return 0;
}

static int remove_entry(void) {
    if (access(BINFMT_DIR "/" BINFMT_NAME, F_OK) != 0) {
        fprintf(stderr, "vm binfmt: %s/%s is not registered\n", BINFMT_DIR, BINFMT_NAME);
        return 1;
    }
    if (write_file(BINFMT_NAME, "-1")) return 1;
    printf("vm binfmt: removed %s/%s\n", BINFMT_DIR, BINFMT_NAME);
    return 0;
}

int cmd_binfmt(int argc, char **argv) {
    const char *action = NULL;
    bool force = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--print") || !strcmp(a, "--install") || !strcmp(a, "--remove")) {
            if (action) {
                fprintf(stderr, "vm binfmt: give one of --print, --install, --remove\n");
                return 2;
            }
            action = a;
        } else if (!strcmp(a, "--force")) {
            force = true;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            binfmt_usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "vm binfmt: unknown option '%s'\n", a);
            binfmt_usage(stderr);
            return 2;
        }
    }
    if (!action) {
        binfmt_usage(stderr);
        return 2;
    }
    if (!strcmp(action, "--print")) {
        char line[1024];
        if (registration(line, sizeof(line))) return 1;
        fputs(line, stdout);
        return 0;
    }
    if (!strcmp(action, "--install")) return install(force);
    return remove_entry();
}
