/* jitfault.c - a fault inside code reached through a call must be reported at the exact
 * instruction, with every register as the program left it, also when a translator follows the
 * call into the callee and the callee lies below the caller in memory. high_fn calls low_fn
 * (placed before it); low_fn loads through its argument. After warm-up calls with a good
 * pointer, a bad pointer must give SIGSEGV with pc = low_load, t0 = argument + 1 (written just
 * before the load), t1 = argument (written by the caller) and si_addr = the pointer. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

extern char low_load[];
uint64_t high_fn(uint64_t p);
__asm__(".text\n"
        ".balign 4\n"
        "low_fn:\n"
        "    addi t0, a0, 1\n"
        ".globl low_load\n"
        "low_load:\n"
        "    ld a1, 0(a0)\n"
        "    mv a0, a1\n"
        "    ret\n"
        ".globl high_fn\n"
        "high_fn:\n"
        "    addi sp, sp, -16\n"
        "    sd ra, 8(sp)\n"
        "    mv t1, a0\n"
        "    call low_fn\n"
        "    ld ra, 8(sp)\n"
        "    addi sp, sp, 16\n"
        "    ret\n");

static sigjmp_buf env;
static volatile uint64_t got_pc, got_t0, got_t1, got_addr;

static void handler(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    ucontext_t *u = uc;
    got_pc = u->uc_mcontext.__gregs[0]; /* REG_PC */
    got_t0 = u->uc_mcontext.__gregs[5];
    got_t1 = u->uc_mcontext.__gregs[6];
    got_addr = (uint64_t)(uintptr_t)si->si_addr;
    siglongjmp(env, 1);
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    /* called through a pointer: translated code enters at high_fn itself, so low_fn lies
     * before the start of the translation that follows the call */
    uint64_t (*volatile fn)(uint64_t) = high_fn;
    static uint64_t cell = 42;
    uint64_t sum = 0;
    for (int i = 0; i < 1000; i++)
        sum += fn((uint64_t)(uintptr_t)&cell);
    printf("warm-up sum %llu\n", (unsigned long long)sum);
    const uint64_t bad[] = {8, 0x1000, 1ull << 47, 0xfffffffffffff000ull};
    for (unsigned k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        if (sigsetjmp(env, 1) == 0) {
            fn(bad[k]);
            printf("%#llx: no fault\n", (unsigned long long)bad[k]);
            continue;
        }
        printf("%#llx: pc at low_load %s, t0 %s, t1 %s, si_addr %s\n", (unsigned long long)bad[k],
               got_pc == (uint64_t)(uintptr_t)low_load ? "yes" : "NO",
               got_t0 == bad[k] + 1 ? "ok" : "WRONG", got_t1 == bad[k] ? "ok" : "WRONG",
               got_addr == bad[k] || bad[k] >= (1ull << 47) ? "ok" : "WRONG");
    }
    return 0;
}
