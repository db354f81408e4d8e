/* crc32.c - whole-program benchmark: table-driven CRC-32 over a 4 MiB buffer, repeated; mostly
 * integer work with one table load per byte. Prints the CRC. Usage: crc32 [rounds] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 8;
    const size_t n = (size_t)4 << 20;
    uint32_t table[256];
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    uint8_t *buf = malloc(n);
    if (!buf) return 1;
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)(i ^ (i >> 8));
    uint32_t crc = 0xffffffffu;
    for (int r = 0; r < rounds; r++)
        for (size_t i = 0; i < n; i++)
            crc = table[(crc ^ buf[i]) & 0xff] ^ (crc >> 8);
    printf("crc32 %d %08x\n", rounds, (unsigned)~crc);
    free(buf);
    return 0;
}
