/* compile.c - compiled, linked and run by Debian's riscv64 gcc entirely inside vm (see
 * inside.sh): a little of everything the compiler's passes touch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct item {
    const char *name;
    int weight;
};

static int by_weight(const void *a, const void *b) {
    const struct item *x = a, *y = b;
    return x->weight != y->weight ? x->weight - y->weight : strcmp(x->name, y->name);
}

int main(int argc, char **argv) {
    struct item items[] = {{"lead", 11}, {"feather", 1}, {"brick", 5}, {"stone", 5}};
    size_t n = sizeof(items) / sizeof(items[0]);
    qsort(items, n, sizeof(items[0]), by_weight);
    for (size_t i = 0; i < n; i++)
        printf("%s=%d%s", items[i].name, items[i].weight, i + 1 < n ? " " : "\n");
    int primes = 0;
    for (int k = 2; k < 10000; k++) {
        int p = 1;
        for (int d = 2; d * d <= k && p; d++)
            p = k % d != 0;
        primes += p;
    }
    printf("primes below 10000: %d\n", primes);
    double s = 0;
    for (int k = 1; k <= 1000; k++)
        s += 1.0 / ((double)k * k);
    printf("sum 1/k^2 = %.6f\n", s);
    printf("argc=%d argv[0] ends in prog: %s\n", argc,
           strlen(argv[0]) >= 4 && !strcmp(argv[0] + strlen(argv[0]) - 4, "prog") ? "yes" : "no");
    return 0;
}
