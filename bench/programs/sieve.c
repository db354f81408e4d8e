/* sieve.c - whole-program benchmark: sieve of Eratosthenes, byte loads and stores with a
 * data-dependent stride (what an interpreter's guest memory fast path sees). Prints the
 * prime count. Usage: sieve [limit] */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    long limit = argc > 1 ? atol(argv[1]) : 20000000L;
    if (limit < 2) limit = 2;
    unsigned char *composite = calloc((size_t)limit + 1, 1);
    if (!composite) return 1;
    long count = 0;
    for (long i = 2; i <= limit; i++) {
        if (composite[i]) continue;
        count++;
        for (long j = i * i; j <= limit; j += i)
            composite[j] = 1;
    }
    printf("sieve %ld %ld\n", limit, count);
    free(composite);
    return 0;
}
