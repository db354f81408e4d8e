/* sha256.c - register-pressure kernel for the JIT: SHA-256 (FIPS 180-4) in plain C over a
 * buffer, hashed again and again. Each compression round keeps the eight working variables,
 * the message schedule word and two temporaries live at once, ten or more 32-bit values, the
 * case where a static register map leaves most of them in memory. The buffer is filled from a
 * fixed seed; each pass hashes it with the previous digest in front, so no pass can be
 * skipped. Prints the final digest in hex: the bench compares it across executors, and a
 * guest test checks the FIPS vectors ("abc" and the empty message) with `--selftest`.
 * Usage: sha256 [passes [KiB]]   (defaults: 24 passes over 256 KiB) | sha256 --selftest */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

typedef struct {
    uint32_t h[8];   /* chaining value */
    uint64_t len;    /* bytes hashed so far */
    uint8_t buf[64]; /* a partial block */
    unsigned nbuf;   /* bytes in buf */
} sha256_t;

static inline uint32_t ror(uint32_t x, unsigned n) {
    return (x >> n) | (x << (32 - n));
}

static void compress(uint32_t h[8], const uint8_t *p) {
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 =
            k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        k = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

static void sha_init(sha256_t *s) {
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, iv, sizeof(iv));
    s->len = 0;
    s->nbuf = 0;
}

static void sha_update(sha256_t *s, const uint8_t *p, size_t n) {
    s->len += n;
    while (n) {
        if (s->nbuf == 0 && n >= 64) {
            compress(s->h, p);
            p += 64, n -= 64;
            continue;
        }
        unsigned take = 64 - s->nbuf < n ? 64 - s->nbuf : (unsigned)n;
        memcpy(s->buf + s->nbuf, p, take);
        s->nbuf += take, p += take, n -= take;
        if (s->nbuf == 64) {
            compress(s->h, s->buf);
            s->nbuf = 0;
        }
    }
}

static void sha_final(sha256_t *s, uint8_t out[32]) {
    uint64_t bits = s->len * 8;
    uint8_t pad[72] = {0x80};
    size_t padn = (s->nbuf < 56 ? 56 : 120) - s->nbuf;
    for (int i = 0; i < 8; i++)
        pad[padn + i] = (uint8_t)(bits >> (56 - 8 * i));
    sha_update(s, pad, padn + 8);
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 4; j++)
            out[4 * i + j] = (uint8_t)(s->h[i] >> (24 - 8 * j));
}

static void hex(const uint8_t d[32], char out[65]) {
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static int selftest(void) {
    static const struct {
        const char *msg, *want;
    } v[] = {
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        sha256_t s;
        uint8_t d[32];
        char h[65];
        sha_init(&s);
        sha_update(&s, (const uint8_t *)v[i].msg, strlen(v[i].msg));
        sha_final(&s, d);
        hex(d, h);
        printf("sha256(\"%s\") = %s %s\n", v[i].msg, h, strcmp(h, v[i].want) ? "WRONG" : "ok");
        bad |= strcmp(h, v[i].want) != 0;
    }
    return bad;
}

int main(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "--selftest")) return selftest();
    long passes = argc > 1 ? atol(argv[1]) : 24;
    long kib = argc > 2 ? atol(argv[2]) : 256;
    if (passes < 1 || kib < 1 || kib > (1l << 20)) {
        fprintf(stderr, "usage: sha256 [passes [KiB]] | sha256 --selftest\n");
        return 2;
    }
    size_t n = (size_t)kib << 10;
    uint8_t *buf = malloc(n);
    if (!buf) return 1;
    uint64_t x = 0x9e3779b97f4a7c15ull; /* xorshift64 from a fixed seed */
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        buf[i] = (uint8_t)x;
    }
    uint8_t d[32] = {0};
    for (long p = 0; p < passes; p++) {
        sha256_t s;
        sha_init(&s);
        sha_update(&s, d, sizeof(d));
        sha_update(&s, buf, n);
        sha_final(&s, d);
    }
    char h[65];
    hex(d, h);
    printf("sha256 %ld x %ld KiB %s\n", passes, kib, h);
    free(buf);
    return 0;
}
