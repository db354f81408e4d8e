/* stack.c - the initial process stack, laid out as Linux's create_elf_tables() does it:
 * at the very top a NULL word, then the AT_EXECFN string, the environment strings and the
 * argument strings; below them 16 random bytes (AT_RANDOM), then, 16-byte aligned, argc,
 * argv[], NULL, envp[], NULL and the auxiliary vector. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "linux/abi.h"
#include "linux/loader.h"

#define PAGE LINUX_PAGE_SIZE

static void fail(char *err, size_t errlen, int rc, const char *fmt, ...) {
    (void)rc;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Stack writer: strings from the top down, then the vector block. */
typedef struct stack_writer {
    linux_space_t *sp;
    uint64_t p;     /* current low end */
    uint64_t floor; /* lowest usable address */
} stack_writer_t;

static uint64_t push_bytes(stack_writer_t *w, const void *b, uint64_t n) {
    if (w->p - w->floor < n) return 0;
    w->p -= n;
    memcpy(linux_space_ptr(w->sp, w->p), b, n);
    return w->p;
}

uint64_t linux_build_stack(linux_space_t *sp, const linux_image_t *img, const linux_stack_args_t *a,
                           char *err, size_t errlen) {
    uint64_t top = a->top & ~(PAGE - 1);
    if (top > sp->size || top < LINUX_STACK_SIZE) {
        fail(err, errlen, 0, "stack top 0x%llx outside the guest space",
             (unsigned long long)a->top);
        return 0;
    }
    int64_t m = linux_space_mmap(
        sp, top - LINUX_STACK_SIZE, LINUX_STACK_SIZE,
        LINUX_PROT_READ | LINUX_PROT_WRITE | (img->exec_stack ? LINUX_PROT_EXEC : 0),
        LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS | LINUX_MAP_FIXED_NOREPLACE, -1, 0);
    if (m < 0) {
        /* never over something already mapped (a program segment) */
        fail(err, errlen, 0, "cannot map the stack at [0x%llx, 0x%llx)%s",
             (unsigned long long)(top - LINUX_STACK_SIZE), (unsigned long long)top,
             m == -LINUX_EEXIST ? ": the range is in use" : "");
        return 0;
    }
    /* arguments and environment may use at most a quarter of the stack, as on Linux */
    stack_writer_t w = {sp, top - 8, top - LINUX_STACK_SIZE / 4};
    uint64_t zero = 0;
    memcpy(linux_space_ptr(sp, w.p), &zero, 8);
    int envc = 0;
    while (a->envp && a->envp[envc])
        envc++;
    uint64_t execfn = push_bytes(&w, a->execfn, strlen(a->execfn) + 1);
    uint64_t *envs = calloc((size_t)envc + 1, 8), *args = calloc((size_t)a->argc + 1, 8);
    uint64_t sp_out = 0;
    if (!envs || !args) {
        fail(err, errlen, 0, "out of memory");
        goto out;
    }
    for (int i = envc - 1; i >= 0; i--)
        if (!(envs[i] = push_bytes(&w, a->envp[i], strlen(a->envp[i]) + 1))) goto too_big;
    for (int i = a->argc - 1; i >= 0; i--)
        if (!(args[i] = push_bytes(&w, a->argv[i], strlen(a->argv[i]) + 1))) goto too_big;
    if (!execfn) goto too_big;
    w.p &= ~15ull;
    uint8_t rnd[16];
    if (a->random16)
        memcpy(rnd, a->random16, 16);
    else if (getrandom(rnd, 16, 0) != 16)
        memset(rnd, 0x5a, 16);
    uint64_t random_at = push_bytes(&w, rnd, 16);
    if (!random_at) goto too_big;
    uint64_t auxv[2 * 24];
    int na = 0;
#define AUX(k, v) (auxv[na++] = (k), auxv[na++] = (v))
    if (a->sysinfo_ehdr) AUX(33 /* AT_SYSINFO_EHDR */, a->sysinfo_ehdr);
    AUX(LINUX_AT_HWCAP, a->hwcap);
    AUX(LINUX_AT_PAGESZ, PAGE);
    AUX(LINUX_AT_CLKTCK, 100);
    AUX(LINUX_AT_PHDR, img->phdr);
    AUX(LINUX_AT_PHENT, 56);
    AUX(LINUX_AT_PHNUM, img->phnum);
    AUX(LINUX_AT_BASE, img->interp_base);
    AUX(LINUX_AT_FLAGS, 0);
    AUX(LINUX_AT_ENTRY, img->prog_entry);
    AUX(LINUX_AT_UID, a->uid);
    AUX(LINUX_AT_EUID, a->euid);
    AUX(LINUX_AT_GID, a->gid);
    AUX(LINUX_AT_EGID, a->egid);
    AUX(LINUX_AT_SECURE, a->secure);
    AUX(LINUX_AT_RANDOM, random_at);
    AUX(LINUX_AT_EXECFN, execfn);
    AUX(LINUX_AT_NULL, 0);
#undef AUX
    uint64_t words = 1 + (uint64_t)a->argc + 1 + (uint64_t)envc + 1 + (uint64_t)na;
    uint64_t base = (w.p - words * 8) & ~15ull;
    if (base < w.floor || w.p < words * 8) goto too_big;
    uint64_t *out = linux_space_ptr(sp, base);
    size_t k = 0;
    out[k++] = (uint64_t)a->argc;
    for (int i = 0; i < a->argc; i++)
        out[k++] = args[i];
    out[k++] = 0;
    for (int i = 0; i < envc; i++)
        out[k++] = envs[i];
    out[k++] = 0;
    memcpy(&out[k], auxv, (size_t)na * 8);
    sp_out = base;
    goto out;
too_big:
    fail(err, errlen, 0, "argument list too long for the stack");
out:
    free(envs);
    free(args);
    return sp_out;
}
