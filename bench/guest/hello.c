/* hello.c - the start-up workload of the JIT targets (bench/jit.sh): a static "hello" whose
 * run time is all process start-up and exit (loader, C library initialisation, one write). */
#include <stdio.h>

int main(void) {
    puts("hello");
    return 0;
}
