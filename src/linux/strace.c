/* strace.c - --strace: one line per system call on stderr, in the form
 *
 *     [tid] name(arg, arg, ...) = result
 *
 * with the arguments decoded after the format letters of the call's table entry
 * (syscalls.def): d signed integer, u unsigned, x hexadecimal, s guest string (path), f file
 * descriptor (AT_FDCWD by name), o open flags, p mmap protection, m mmap flags, g signal
 * number. A number vm does not know prints as "?(#nr, ...)" with six hexadecimal arguments;
 * a failed call shows its guest errno and strerror's text for that number. Each line is one
 * write(2), so lines of different threads do not interleave. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "linux/sys_util.h"

/* One named flag bit. */
typedef struct bit_name {
    uint64_t bit;     /* the flag */
    const char *name; /* its guest name */
} bit_name_t;

/* Append the names of the bits of v set in a table, "|"-separated, and any rest in hex. */
static int print_bits(char *out, size_t n, uint64_t v, const bit_name_t *names, size_t count,
                      const char *zero) {
    int k = 0;
    if (!v) return snprintf(out, n, "%s", zero);
    for (size_t i = 0; i < count && (size_t)k < n; i++)
        if (names[i].bit && (v & names[i].bit) == names[i].bit) {
            k += snprintf(out + k, n - (size_t)k, "%s%s", k ? "|" : "", names[i].name);
            v &= ~names[i].bit;
        }
    if (v && (size_t)k < n)
        k += snprintf(out + k, n - (size_t)k, "%s0x%llx", k ? "|" : "", (unsigned long long)v);
    return k;
}

static const bit_name_t open_names[] = {
    {LINUX_O_CREAT, "O_CREAT"},         {LINUX_O_EXCL, "O_EXCL"},
    {LINUX_O_NOCTTY, "O_NOCTTY"},       {LINUX_O_TRUNC, "O_TRUNC"},
    {LINUX_O_APPEND, "O_APPEND"},       {LINUX_O_NONBLOCK, "O_NONBLOCK"},
    {LINUX_O_DIRECTORY, "O_DIRECTORY"}, {LINUX_O_NOFOLLOW, "O_NOFOLLOW"},
    {LINUX_O_CLOEXEC, "O_CLOEXEC"},     {LINUX_O_PATH, "O_PATH"},
    {LINUX_O_LARGEFILE, "O_LARGEFILE"},
};
static const bit_name_t prot_names[] = {
    {LINUX_PROT_READ, "PROT_READ"},
    {LINUX_PROT_WRITE, "PROT_WRITE"},
    {LINUX_PROT_EXEC, "PROT_EXEC"},
};
static const bit_name_t map_names[] = {
    {LINUX_MAP_SHARED, "MAP_SHARED"},
    {LINUX_MAP_PRIVATE, "MAP_PRIVATE"},
    {LINUX_MAP_FIXED, "MAP_FIXED"},
    {LINUX_MAP_ANONYMOUS, "MAP_ANONYMOUS"},
    {LINUX_MAP_NORESERVE, "MAP_NORESERVE"},
    {LINUX_MAP_STACK, "MAP_STACK"},
    {LINUX_MAP_FIXED_NOREPLACE, "MAP_FIXED_NOREPLACE"},
};

/* One argument for --strace. */
static int strace_arg(linux_thread_t *t, char *out, size_t n, char fmt, uint64_t v) {
    static const char *acc[4] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};
    switch (fmt) {
    case 'd': return snprintf(out, n, "%lld", (long long)v);
    case 'u': return snprintf(out, n, "%llu", (unsigned long long)v);
    case 'f':
        if ((int)v == LINUX_AT_FDCWD) return snprintf(out, n, "AT_FDCWD");
        return snprintf(out, n, "%d", (int)v);
    case 's': {
        char s[256];
        if (v && sys_str(t, v, s, sizeof(s)) == 0) return snprintf(out, n, "\"%.200s\"", s);
        return snprintf(out, n, "0x%llx", (unsigned long long)v);
    }
    case 'o': {
        int k = snprintf(out, n, "%s", acc[v & 3]);
        if ((v & ~3ull) && (size_t)k < n) {
            out[k++] = '|';
            k += print_bits(out + k, n - (size_t)k, v & ~3ull, open_names,
                            sizeof(open_names) / sizeof(open_names[0]), "");
        }
        return k;
    }
    case 'p':
        return print_bits(out, n, v, prot_names, sizeof(prot_names) / sizeof(prot_names[0]),
                          "PROT_NONE");
    case 'm':
        return print_bits(out, n, v, map_names, sizeof(map_names) / sizeof(map_names[0]), "0");
    case 'g': {
        int hs = linux_sig_to_host((int)v);
        const char *name = hs ? sigabbrev_np(hs) : NULL;
        if (name) return snprintf(out, n, "SIG%s", name);
        return snprintf(out, n, "%lld", (long long)v);
    }
    default: return snprintf(out, n, "0x%llx", (unsigned long long)v);
    }
}

void linux_strace_print(linux_thread_t *t, uint64_t nr, const uint64_t a[6], int64_t r, bool done) {
    const linux_systable_entry_t *e = linux_systable_find(nr);
    char line[1024];
    int n = snprintf(line, sizeof(line), "[%d] %s(", t->tid, e ? e->name : "?");
    const char *fmt = e ? e->args : "xxxxxx";
    if (!e) n += snprintf(line + n, sizeof(line) - (size_t)n, "#%llu, ", (unsigned long long)nr);
    for (int i = 0; fmt[i] && n < (int)sizeof(line) - 64; i++) {
        if (i) n += snprintf(line + n, sizeof(line) - (size_t)n, ", ");
        n += strace_arg(t, line + n, sizeof(line) - 64 - (size_t)n, fmt[i], a[i]);
    }
    if (n > (int)sizeof(line) - 64) n = (int)sizeof(line) - 64;
    if (!done)
        n += snprintf(line + n, sizeof(line) - (size_t)n, ") = ?\n");
    else if (r < 0 && r > -4096)
        n += snprintf(line + n, sizeof(line) - (size_t)n, ") = -1 errno %lld (%s)\n", (long long)-r,
                      strerror((int)-r));
    else
        n += snprintf(line + n, sizeof(line) - (size_t)n, ") = %lld (0x%llx)\n", (long long)r,
                      (unsigned long long)r);
    if (write(2, line, (size_t)n) < 0) {
        /* nothing sensible to do when stderr is gone */
    }
}
