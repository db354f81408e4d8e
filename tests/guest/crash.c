/* crash.c - a guest that dies of SIGSEGV without a handler: vm reports it and exits with
 * 128 + 11, as a shell reports a process killed by a signal. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    printf("about to crash\n");
    fflush(stdout);
    volatile int *p = (volatile int *)(uintptr_t)strtoul("16", NULL, 0);
    p[0] = 1;
    printf("still alive?\n");
    return 0;
}
