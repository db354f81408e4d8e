/* hostisa.c - rotations in a hot loop: the JIT's IR turns them into rotate instructions (rorx
 * where the host has BMI2 and the C library reports it usable; tests/guest/hostisa.sh checks
 * that a feature masked with GLIBC_TUNABLES is not used). The checksum is the same either way. */
#include <stdint.h>
#include <stdio.h>

static uint32_t rotr32(uint32_t x, unsigned k) {
    return (x >> k) | (x << (32 - k));
}

static uint64_t rotr64(uint64_t x, unsigned k) {
    return (x >> k) | (x << (64 - k));
}

int main(void) {
    uint32_t a = 0x6a09e667u;
    uint64_t b = 0xbb67ae8584caa73bull;
    for (unsigned i = 0; i < 200000; i++) {
        a = rotr32(a, 7) ^ rotr32(a, 18) ^ (a + i);
        b = rotr64(b, 19) ^ rotr64(b, 61) ^ (b + a);
    }
    printf("%08x %016llx\n", a, (unsigned long long)b);
    return 0;
}
