/* fuzz_memops.c - libFuzzer target: every memops implementation the host supports must agree
 * with a byte-loop reference for a fuzzer-chosen operation, size, offsets and overlap.
 *
 * Buffers are malloc'd to exactly the bytes the operation may touch, so AddressSanitizer's
 * redzones catch any read or write past either end, including in vector tails. The tiers for
 * large sizes are forced on by the input too (tiny thresholds), so `rep movsb` and streaming
 * stores get fuzzed at small sizes.
 *
 * Input layout: op(1) size(2) off_a(1) off_b(1) value(1) tier(1) data...
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vm/memops.h"

static int ref_cmp(const unsigned char *a, const unsigned char *b, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    return 0;
}

static int sign(int v) {
    return (v > 0) - (v < 0);
}

/* Bytes of the input, repeated, as buffer content. */
static void fill(unsigned char *p, size_t n, const uint8_t *data, size_t len, uint8_t salt) {
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)((len ? data[i % len] : 0) + salt * (i / (len ? len : 1)));
}

static void run_one(const vm_memops_table_t *t, uint8_t op, size_t n, size_t oa, size_t ob,
                    uint8_t value, const uint8_t *data, size_t len) {
    switch (op % 5) {
    case 0:   /* memcpy between separate exact-size buffers */
    case 1: { /* memmove between separate buffers */
        unsigned char *s = malloc(n + 1), *d = malloc(n + 1);
        if (!s || !d) abort();
        fill(s, n, data, len, value);
        memset(d, 0xAA, n);
        void *r = (op % 5 == 0) ? t->memcpy(d, s, n) : t->memmove(d, s, n);
        if (r != d || memcmp(d, s, n)) abort();
        free(s);
        free(d);
        break;
    }
    case 2: { /* memmove inside one buffer, overlap either way */
        size_t span = n + oa + ob;
        unsigned char *buf = malloc(span + 1), *want = malloc(span + 1);
        if (!buf || !want) abort();
        fill(buf, span, data, len, value);
        memcpy(want, buf, span);
        unsigned char *src = buf + oa, *dst = buf + ob;
        for (size_t i = 0; i < n; i++) /* reference from the untouched copy */
            want[ob + i] = buf[oa + i];
        if (t->memmove(dst, src, n) != dst || memcmp(buf, want, span)) abort();
        free(buf);
        free(want);
        break;
    }
    case 3: { /* memset */
        unsigned char *d = malloc(n + 1);
        if (!d) abort();
        memset(d, value ^ 0xff, n);
        if (t->memset(d, (int)value | ((op & 0x80) ? 0x100 : 0), n) != d) abort();
        for (size_t i = 0; i < n; i++)
            if (d[i] != value) abort();
        free(d);
        break;
    }
    default: { /* memcmp of two buffers that differ at a fuzzer-chosen spot */
        unsigned char *a = malloc(n + 1), *b = malloc(n + 1);
        if (!a || !b) abort();
        fill(a, n, data, len, value);
        memcpy(b, a, n);
        if (n) {
            size_t pos = (oa * 256 + ob) % n;
            b[pos] = (unsigned char)(b[pos] + (value | 1));
            if (ob & 1) b[n - 1 - (pos % (n - pos))] ^= 0x80; /* maybe a second difference */
        }
        if (sign(t->memcmp(a, b, n)) != ref_cmp(a, b, n)) abort();
        if (sign(t->memcmp(b, a, n)) != ref_cmp(b, a, n)) abort();
        free(a);
        free(b);
        break;
    }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len) {
    if (len < 7) return 0;
    uint8_t op = in[0];
    size_t n = ((size_t)in[1] | (size_t)in[2] << 8) % 20000; /* every tier up to 20 KB */
    size_t oa = in[3], ob = in[4];
    uint8_t value = in[5], tier = in[6];
    const uint8_t *data = in + 7;
    len -= 7;

    static vm_memops_tuning_t base;
    static int have_base;
    if (!have_base) {
        base = vm_memops_tuning();
        have_base = 1;
    }
    vm_memops_tuning_t t = base;
    switch (tier % 4) {
    case 1: t.rep_movsb_min = t.nt_min = t.rep_stosb_min = 0; break;
    case 2: t.rep_movsb_min = t.rep_stosb_min = 1 + (size_t)in[4] * 8, t.nt_min = 0; break;
    case 3: t.nt_min = 1 + (size_t)in[3] * 8; break;
    default: break;
    }
    vm_memops_set_tuning(&t);
    for (int i = VM_MEMOPS_SCALAR; i < VM_MEMOPS_COUNT; i++) {
        const vm_memops_table_t *tab = vm_memops_table((vm_memops_impl_t)i);
        if (tab) run_one(tab, op, n, oa, ob, value, data, len);
    }
    vm_memops_set_tuning(&base);
    return 0;
}
