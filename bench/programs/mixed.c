/* mixed.c - whole-program benchmark: the guest/interp/mixed workload (lists, a small matrix
 * multiply, CRC, a state machine, sorting, hashing, calls, a little floating point) as a
 * Linux program, repeated. CPU-bound, almost no system calls. Prints the checksum.
 * Usage: mixed [rounds] */
#include <stdio.h>
#include <stdlib.h>

#include "../guest/workloads.h"

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 12;
    uint64_t h = 0;
    for (int r = 0; r < rounds; r++)
        h = wl_mix(h, wl_mixed());
    printf("mixed %d %016llx\n", rounds, (unsigned long long)h);
    return 0;
}
