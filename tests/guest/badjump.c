/* badjump.c - a guest that jumps to an unmapped address with a SIGSEGV handler installed:
 * the handler sees the fetch fault at the target address, then a second fault inside the
 * handler (SIGSEGV blocked there) kills the process with status 128 + 11. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void on_segv(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    printf("handler: signal %d at %#lx\n", sig, (unsigned long)(uintptr_t)si->si_addr);
    fflush(stdout);
    volatile int *p = (volatile int *)(uintptr_t)strtoul("8", NULL, 0);
    p[0] = 1; /* a fault with SIGSEGV blocked: fatal */
    printf("still alive?\n");
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    void (*fn)(void) = (void (*)(void))(uintptr_t)strtoul("0x123450", NULL, 0);
    printf("jumping\n");
    fflush(stdout);
    fn();
    printf("returned?\n");
    return 0;
}
