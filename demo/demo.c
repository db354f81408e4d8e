/* demo.c - the guest program `make demo` runs: a riscv64 Linux program that reports where it
 * runs, exercises files, memory and floating point, and prints a checksum the host can compare
 * with the same program built natively. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n) {
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1u));
    }
    return ~crc;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    struct utsname u;
    if (uname(&u) == 0)
        printf("hello from %s (%s), argv[0] = %s, %d argument(s)\n", u.machine, u.sysname, argv[0],
               argc - 1);

    /* Memory: sort a million pseudo-random numbers, checksum the result. */
    size_t n = 1u << 20;
    uint32_t *v = malloc(n * sizeof *v);
    if (!v) return 1;
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        v[i] = x;
    }
    qsort(v, n, sizeof *v, cmp_u32);
    uint32_t crc = crc32_update(0, (const unsigned char *)v, n * sizeof *v);
    printf("sorted %zu numbers, crc32 %08x\n", n, crc);
    free(v);

    /* Floating point: a series and a square root, printed exactly. */
    double s = 0;
    for (int k = 1; k <= 1000000; k++)
        s += 1.0 / ((double)k * k);
    printf("pi ~ %.12f (from sum 1/k^2)\n", sqrt(6 * s));

    /* Files: write, read back, compare. */
    char path[] = "/tmp/vm-demo-XXXXXX";
    FILE *f = NULL;
    int fd = mkstemp(path);
    if (fd >= 0 && (f = fdopen(fd, "w+"))) {
        const char *msg = "written and read back through the host's file system";
        fputs(msg, f);
        rewind(f);
        char buf[128] = {0};
        size_t got = fread(buf, 1, sizeof buf - 1, f);
        printf("file: %s (%s)\n", got == strlen(msg) && !strcmp(buf, msg) ? "ok" : "MISMATCH", buf);
        fclose(f);
        remove(path);
    }
    return 0;
}
