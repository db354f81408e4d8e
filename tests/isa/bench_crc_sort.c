/* bench_crc_sort.c - a freestanding bare-machine workload (-O2): fills a buffer from an LCG,
 * checksums it with a table-driven and a bitwise CRC-32 (which must agree), sorts it with
 * quicksort and checks the order. It reports pass/fail through tohost, so it is both a test
 * of compiled code and the loop used to measure interpreter speed (`vm run --stats`). */
#include <stdint.h>

#define N      8192 /* elements sorted per round */
#define ROUNDS 6    /* rounds */

/* Entry: stack, then main; main's return value goes to tohost as (value << 1) | 1. */
__asm__(".pushsection .text.init, \"ax\"\n"
        ".globl _start\n"
        "_start:\n"
        "    la sp, stack_top\n"
        "    call main\n"
        "    slli a0, a0, 1\n"
        "    ori a0, a0, 1\n"
        "    la t0, tohost\n"
        "    sd a0, 0(t0)\n"
        "1:  j 1b\n"
        ".popsection\n"
        ".pushsection .tohost, \"aw\", @progbits\n"
        ".align 12\n"
        ".globl tohost\n"
        "tohost: .dword 0\n"
        ".globl fromhost\n"
        "fromhost: .dword 0\n"
        ".align 12\n"
        ".popsection\n"
        ".pushsection .bss\n"
        ".align 4\n"
        "stack: .space 65536\n"
        "stack_top:\n"
        ".popsection\n");

static uint32_t data[N];
static uint32_t table[256];

static void crc_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
}

static uint32_t crc_table(const uint8_t *p, uint32_t n) {
    uint32_t c = 0xffffffffu;
    for (uint32_t i = 0; i < n; i++)
        c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
    return ~c;
}

static uint32_t crc_bitwise(const uint8_t *p, uint32_t n) {
    uint32_t c = 0xffffffffu;
    for (uint32_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & -(c & 1));
    }
    return ~c;
}

static void quicksort(uint32_t *a, int lo, int hi) {
    while (lo < hi) {
        uint32_t pivot = a[lo + (hi - lo) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                uint32_t t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                j--;
            }
        }
        if (j - lo < hi - i) {
            quicksort(a, lo, j);
            lo = i;
        } else {
            quicksort(a, i, hi);
            hi = j;
        }
    }
}

int main(void) {
    uint32_t seed = 12345;
    crc_init();
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < N; i++) {
            seed = seed * 1664525u + 1013904223u;
            data[i] = seed;
        }
        if (crc_table((const uint8_t *)data, sizeof(data)) !=
            crc_bitwise((const uint8_t *)data, sizeof(data)))
            return 2;
        quicksort(data, 0, N - 1);
        for (int i = 1; i < N; i++)
            if (data[i - 1] > data[i]) return 3;
    }
    return 0;
}
