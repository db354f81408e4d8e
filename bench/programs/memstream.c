/* memstream.c - whole-program benchmark: bulk copies and fills over a 16 MiB heap buffer,
 * the load that bulk memory operations in an emulator are for. Prints a checksum so runs
 * under different executors can be compared. Usage: memstream [rounds] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    const size_t n = (size_t)16 << 20;
    int rounds = argc > 1 ? atoi(argv[1]) : 40;
    uint8_t *a = malloc(n), *b = malloc(n);
    if (!a || !b) return 1;
    for (size_t i = 0; i < n; i++)
        a[i] = (uint8_t)(i * 131u + 7u);
    uint64_t sum = 0;
    for (int r = 0; r < rounds; r++) {
        memcpy(b, a, n);
        memset(a + (size_t)r * 4096u, r, 4096);
        memmove(b + 1, b, n - 1);
        sum += b[(size_t)r * 65537u % n] + a[(size_t)r * 4096u];
    }
    printf("memstream %d %llu\n", rounds, (unsigned long long)sum);
    free(a);
    free(b);
    return 0;
}
