/* noexec.c - instruction fetch honours PROT_EXEC: code copied to the stack, the heap, a
 * read-write mapping or a page whose execute permission was taken away raises SIGSEGV with
 * SEGV_ACCERR and si_addr at the code; the same code runs from an executable page, also
 * after it ran from there once and lost and regained the permission. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static const uint32_t code[] = {
    0x02a00513u, /* li a0, 42 */
    0x00008067u, /* ret */
};

static sigjmp_buf back;
static volatile int got_code;
static void *volatile got_addr;

static void on_segv(int sig, siginfo_t *si, void *uc) {
    (void)sig, (void)uc;
    got_code = si->si_code;
    got_addr = si->si_addr;
    siglongjmp(back, 1);
}

/* Copy the code to p and call it; print what happened. */
static void try_run(const char *where, void *p, int copy) {
    if (copy) {
        memcpy(p, code, sizeof(code));
        __builtin___clear_cache(p, (char *)p + sizeof(code));
    }
    got_code = 0;
    got_addr = NULL;
    if (sigsetjmp(back, 1) == 0) {
        int r = ((int (*)(void))p)();
        printf("%-28s ran, returned %d\n", where, r);
    } else {
        printf("%-28s SIGSEGV %s, si_addr %s\n", where,
               got_code == SEGV_ACCERR   ? "SEGV_ACCERR"
               : got_code == SEGV_MAPERR ? "SEGV_MAPERR"
                                         : "(other code)",
               got_addr == p ? "= the code" : "elsewhere");
    }
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);

    uint32_t stack_code[8];
    try_run("stack", stack_code, 1);
    void *heap = malloc(64);
    try_run("heap (malloc)", heap, 1);
    char *rw = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    try_run("mmap PROT_READ|PROT_WRITE", rw, 1);
    char *rwx =
        mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    try_run("mmap PROT_READ|WRITE|EXEC", rwx, 1);
    mprotect(rw, 4096, PROT_READ | PROT_EXEC);
    try_run("mprotect PROT_READ|PROT_EXEC", rw, 0);
    int sum = 0;
    for (int i = 0; i < 200; i++) /* hot enough to be translated */
        sum += ((int (*)(void))rw)();
    printf("%-28s ran 200 times, sum %d\n", "hot", sum);
    mprotect(rw, 4096, PROT_READ);
    try_run("mprotect PROT_READ", rw, 0);
    mprotect(rw, 4096, PROT_READ | PROT_EXEC);
    try_run("PROT_EXEC again", rw, 0);
    munmap(rw, 4096);
    try_run("munmap", rw, 0);
    return 0;
}
