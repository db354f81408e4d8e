/* test_memops.c - every memops implementation the host can run, called directly through
 * vm_memops_table() and through the dispatcher, against byte-loop references.
 *
 * Buffers sit right against PROT_NONE guard pages (mmap + mprotect), at the low end or the
 * high end of a mapping, so reading or writing even one byte outside [p, p+n) faults; bytes
 * around the destination that are still mapped hold a canary and are checked after each call.
 * The large-size tiers (`rep movsb`, streaming stores) are forced with tiny thresholds so
 * they are exercised at test sizes too. Sanitizer builds (VM_SANITIZED) sample alignments
 * more sparsely to stay fast; Release builds run the full sweep.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "mem/memops_impl.h"
#include "vm/host.h"
#include "vm/memops.h"

#if defined(VM_SANITIZED) || defined(VM_TEST_QUICK)
enum { ALIGN_STEP = 7 }; /* every 7th alignment: sanitizers make each call slow */
#else
enum { ALIGN_STEP = 1 };
#endif

enum { CANARY = 0xEE, SLACK = 128, BIG = 16 << 20 };

/* A mapping with an inaccessible page on each side of [lo, hi). */
typedef struct region {
    unsigned char *lo, *hi; /* usable bytes */
    void *map;              /* the whole mapping */
    size_t len;             /* its length */
} region_t;

static region_t region_new(size_t bytes) {
    size_t pg = (size_t)sysconf(_SC_PAGESIZE);
    size_t len = (bytes + SLACK + pg - 1) / pg * pg;
    region_t r = {0};
    r.len = len + 2 * pg;
    r.map = mmap(NULL, r.len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(r.map != MAP_FAILED);
    r.lo = (unsigned char *)r.map + pg;
    r.hi = r.lo + len;
    assert_int_equal(mprotect(r.map, pg, PROT_NONE), 0);
    assert_int_equal(mprotect(r.hi, pg, PROT_NONE), 0);
    return r;
}

static void region_free(region_t *r) {
    munmap(r->map, r->len);
}

/* n bytes ending within 63 bytes of the upper guard, starting at `align` mod 64; ends exactly
 * at the guard when (n + align) % 64 == 0. */
static unsigned char *at_high(const region_t *r, size_t n, size_t align) {
    size_t slack = (size_t)(-(n + align)) & 63;
    return r->hi - n - slack;
}

/* n bytes starting `align` bytes above the lower guard (touching it when align == 0). */
static unsigned char *at_low(const region_t *r, size_t align) {
    return r->lo + align;
}

static unsigned char pattern(size_t i) {
    return (unsigned char)(i * 131 + (i >> 8) * 7 + 1);
}

/* The implementations under test: each supported table, the AVX-512 build the dispatcher
 * did not pick for this CPU (zmm loop or 32-byte halves), then the dispatcher itself. */
static vm_memops_table_t impls[VM_MEMOPS_COUNT + 2];
static int n_impls;

static int setup_impls(void **state) {
    (void)state;
    n_impls = 0;
    for (int i = VM_MEMOPS_SCALAR; i < VM_MEMOPS_COUNT; i++) {
        const vm_memops_table_t *t = vm_memops_table((vm_memops_impl_t)i);
        if (t) impls[n_impls++] = *t;
    }
#if defined(__x86_64__)
    if (vm_memops_supported(VM_MEMOPS_AVX512))
        impls[n_impls++] = vm_host_info()->zmm_halves ? mem_memops_avx512 : mem_memops_avx512h;
#endif
    impls[n_impls++] = (vm_memops_table_t){.impl = VM_MEMOPS_AUTO,
                                           .name = "dispatch",
                                           .memcpy = vm_memcpy,
                                           .memmove = vm_memmove,
                                           .memset = vm_memset,
                                           .memcmp = vm_memcmp};
    return 0;
}

/* Thresholds under which the sweeps run: as configured, and each big tier forced on. */
static vm_memops_tuning_t tunings[4];
static const char *tuning_names[4] = {"default", "loop-only", "rep", "nt"};

static void make_tunings(void) {
    vm_memops_tuning_t d = vm_memops_tuning();
    tunings[0] = d;
    tunings[1] = d;
    tunings[1].rep_movsb_min = tunings[1].nt_min = tunings[1].rep_stosb_min = 0;
    tunings[2] = tunings[1];
    tunings[2].rep_movsb_min = tunings[2].rep_stosb_min = 1;
    tunings[3] = tunings[1];
    tunings[3].nt_min = 1;
}

/* Fill the destination neighbourhood: canary outside [d, d+n), junk inside. */
static void prefill(const region_t *r, unsigned char *d, size_t n) {
    unsigned char *a = d - SLACK < r->lo ? r->lo : d - SLACK;
    unsigned char *b = d + n + SLACK > r->hi ? r->hi : d + n + SLACK;
    memset(a, CANARY, (size_t)(b - a));
    for (size_t i = 0; i < n; i += 61)
        d[i] = (unsigned char)~pattern(i);
}

/* True when the canary around [d, d+n) is intact. */
static bool canary_ok(const region_t *r, const unsigned char *d, size_t n) {
    const unsigned char *a = d - SLACK < r->lo ? r->lo : d - SLACK;
    const unsigned char *b = d + n + SLACK > r->hi ? r->hi : d + n + SLACK;
    for (const unsigned char *p = a; p < d; p++)
        if (*p != CANARY) return false;
    for (const unsigned char *p = d + n; p < b; p++)
        if (*p != CANARY) return false;
    return true;
}

static void fill_pattern(unsigned char *p, size_t n, size_t seed) {
    for (size_t i = 0; i < n; i++)
        p[i] = pattern(i + seed);
}

/* One copy (memcpy or disjoint memmove) checked byte for byte and for stray writes. */
static void check_copy(const vm_memops_table_t *t, bool move, const region_t *dr, unsigned char *d,
                       const unsigned char *s, size_t n, const char *tun) {
    prefill(dr, d, n);
    void *ret = move ? t->memmove(d, s, n) : t->memcpy(d, s, n);
    if (ret != d || memcmp(d, s, n) != 0 || !canary_ok(dr, d, n))
        fail_msg("%s %s n=%zu dst%%64=%zu src%%64=%zu tuning=%s: %s", t->name,
                 move ? "memmove" : "memcpy", n, (size_t)((uintptr_t)d & 63),
                 (size_t)((uintptr_t)s & 63), tun,
                 ret != d          ? "wrong return value"
                 : memcmp(d, s, n) ? "wrong bytes"
                                   : "stray write");
}

/* Both placements of a copy of n bytes with the given start alignments. */
static void copy_case(const vm_memops_table_t *t, bool move, region_t *sr, region_t *dr, size_t n,
                      size_t sa, size_t da, const char *tun) {
    check_copy(t, move, dr, at_high(dr, n, da), at_high(sr, n, sa), n, tun);
    check_copy(t, move, dr, at_low(dr, da), at_low(sr, sa), n, tun);
}

static const size_t big_sizes[] = {1025,
                                   1031,
                                   2047,
                                   2048,
                                   2049,
                                   4095,
                                   4096,
                                   4097,
                                   8191,
                                   12345,
                                   16385,
                                   65535,
                                   65553,
                                   100000,
                                   262147,
                                   1 << 20,
                                   (1 << 20) + 4097,
                                   3 << 20,
                                   BIG - 1,
                                   BIG};
static const size_t align_pairs[][2] = {{0, 0},  {1, 63}, {63, 1}, {17, 5},
                                        {32, 0}, {0, 32}, {8, 40}, {60, 60}};

static void copy_sweep(bool move) {
    region_t sr = region_new(BIG + 64), dr = region_new(BIG + 64);
    fill_pattern(sr.lo, (size_t)(sr.hi - sr.lo), 0);
    make_tunings();
    for (int k = 0; k < n_impls; k++) {
        const vm_memops_table_t *t = &impls[k];
        for (size_t n = 0; n <= 256; n++)
            for (size_t sa = 0; sa < 64; sa += ALIGN_STEP)
                for (size_t da = 0; da < 64; da += ALIGN_STEP)
                    copy_case(t, move, &sr, &dr, n, sa, da, "default");
        for (size_t n = 257; n <= 1024; n++)
            for (size_t p = 0; p < 8; p++)
                copy_case(t, move, &sr, &dr, n, align_pairs[p][0], align_pairs[p][1], "default");
        for (int tu = 0; tu < 4; tu++) {
            vm_memops_set_tuning(&tunings[tu]);
            for (size_t i = 0; i < sizeof big_sizes / sizeof big_sizes[0]; i++) {
                size_t n = big_sizes[i], pairs = n >= (1 << 20) ? 2 : 8;
                for (size_t p = 0; p < pairs; p++)
                    copy_case(t, move, &sr, &dr, n, align_pairs[p][0], align_pairs[p][1],
                              tuning_names[tu]);
            }
            /* The sizes around the tier boundaries of every vector width. */
            for (size_t n = 500; n <= 1100; n += 13)
                copy_case(t, move, &sr, &dr, n, 3, 5, tuning_names[tu]);
        }
        vm_memops_set_tuning(&tunings[0]);
    }
    region_free(&sr);
    region_free(&dr);
}

static void memcpy_all_sizes_alignments(void **state) {
    (void)state;
    copy_sweep(false);
}

static void memmove_disjoint_all_sizes_alignments(void **state) {
    (void)state;
    copy_sweep(true);
}

/* memmove within one span [base, base+n+dist): dst = src + dist (up) or src - dist (down). */
static void check_overlap(const vm_memops_table_t *t, const region_t *r, unsigned char *base,
                          size_t n, size_t dist, bool up, unsigned char *expect) {
    size_t span = n + dist;
    fill_pattern(base, span, n * 7 + dist);
    unsigned char *s = up ? base : base + dist, *d = up ? base + dist : base;
    memcpy(expect, base, span);
    for (size_t i = 0; i < n; i++) /* reference: the source as it was before the move */
        expect[(size_t)(d - base) + i] = base[(size_t)(s - base) + i];
    unsigned char *before = base - SLACK < r->lo ? r->lo : base - SLACK;
    memset(before, CANARY, (size_t)(base - before));
    unsigned char *after_end = base + span + SLACK > r->hi ? r->hi : base + span + SLACK;
    memset(base + span, CANARY, (size_t)(after_end - (base + span)));
    void *ret = t->memmove(d, s, n);
    if (ret != d || memcmp(base, expect, span) != 0 || !canary_ok(r, base, span))
        fail_msg("%s memmove overlap n=%zu dist=%zu %s base%%64=%zu", t->name, n, dist,
                 up ? "dst>src" : "dst<src", (size_t)((uintptr_t)base & 63));
}

static void memmove_every_overlap(void **state) {
    (void)state;
    enum { MAXN = 300 };
    static const size_t big_n[] = {511, 512, 513, 1000, 1024, 4109, 65543, 300000};
    static const size_t big_d[] = {1,  2,   3,   7,   8,   15,  16,  17,  31,  32,  33,   63,  64,
                                   65, 127, 128, 129, 255, 256, 257, 511, 512, 513, 1023, 4096};
    region_t r = region_new(2 * 300000 + 4096);
    unsigned char *expect = malloc(2 * 300000 + 4096);
    assert_non_null(expect);
    make_tunings();
    for (int k = 0; k < n_impls; k++) {
        const vm_memops_table_t *t = &impls[k];
        for (size_t n = 0; n <= MAXN; n++)
            for (size_t dist = 1; dist <= n + 1; dist += (ALIGN_STEP > 1 && dist > 70) ? 5 : 1)
                for (int up = 0; up < 2; up++) {
                    check_overlap(t, &r, r.hi - n - dist, n, dist, up, expect);
                    check_overlap(t, &r, r.lo + (n & 63), n, dist, up, expect);
                }
        for (int tu = 0; tu < 4; tu++) {
            vm_memops_set_tuning(&tunings[tu]);
            for (size_t i = 0; i < sizeof big_n / sizeof big_n[0]; i++) {
                size_t n = big_n[i];
                for (size_t j = 0; j < sizeof big_d / sizeof big_d[0] + 3; j++) {
                    size_t dist =
                        j < sizeof big_d / sizeof big_d[0]
                            ? big_d[j]
                            : (size_t[]){n / 2, n - 1, n}[j - sizeof big_d / sizeof big_d[0]];
                    for (int up = 0; up < 2; up++) {
                        check_overlap(t, &r, r.hi - n - dist, n, dist, up, expect);
                        check_overlap(t, &r, r.lo + 5, n, dist, up, expect);
                    }
                }
            }
        }
        vm_memops_set_tuning(&tunings[0]);
    }
    free(expect);
    region_free(&r);
}

static void check_set(const vm_memops_table_t *t, const region_t *r, unsigned char *d, int c,
                      size_t n, const char *tun) {
    prefill(r, d, n);
    unsigned char want = (unsigned char)c;
    void *ret = t->memset(d, c, n);
    /* All n bytes equal want iff the first does and each equals its successor. */
    bool ok =
        ret == d && canary_ok(r, d, n) && (n == 0 || (d[0] == want && !memcmp(d, d + 1, n - 1)));
    if (!ok)
        fail_msg("%s memset n=%zu dst%%64=%zu c=%#x tuning=%s", t->name, n,
                 (size_t)((uintptr_t)d & 63), (unsigned)c, tun);
}

static void memset_all_sizes_alignments_values(void **state) {
    (void)state;
    static const int values[] = {0x00, 0xff, 0x80, 0x5a, 0x1ff, -1, 0x7f};
    region_t r = region_new(BIG + 64);
    make_tunings();
    for (int k = 0; k < n_impls; k++) {
        const vm_memops_table_t *t = &impls[k];
        for (size_t n = 0; n <= 256; n++)
            for (size_t a = 0; a < 64; a += ALIGN_STEP)
                for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
                    check_set(t, &r, at_high(&r, n, a), values[v], n, "default");
                    check_set(t, &r, at_low(&r, a), values[v], n, "default");
                }
        for (size_t n = 257; n <= 1024; n++)
            for (size_t a = 0; a < 64; a += 9) {
                check_set(t, &r, at_high(&r, n, a), (int)n, n, "default");
                check_set(t, &r, at_low(&r, a), (int)n, n, "default");
            }
        static const size_t every_value_n[] = {1, 7, 33, 100, 1000, 5000};
        for (size_t i = 0; i < sizeof every_value_n / sizeof every_value_n[0]; i++)
            for (int c = 0; c < 256; c++)
                check_set(t, &r, at_high(&r, every_value_n[i], 3), c, every_value_n[i], "default");
        for (int tu = 0; tu < 4; tu++) {
            vm_memops_set_tuning(&tunings[tu]);
            for (size_t i = 0; i < sizeof big_sizes / sizeof big_sizes[0]; i++)
                for (size_t a = 0; a < 64; a += big_sizes[i] >= (1 << 20) ? 31 : 7) {
                    check_set(t, &r, at_high(&r, big_sizes[i], a), 0x3c, big_sizes[i],
                              tuning_names[tu]);
                    check_set(t, &r, at_low(&r, a), 0xc3, big_sizes[i], tuning_names[tu]);
                }
        }
        vm_memops_set_tuning(&tunings[0]);
    }
    region_free(&r);
}

static int sign(int v) {
    return (v > 0) - (v < 0);
}

static int ref_cmp(const unsigned char *a, const unsigned char *b, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    return 0;
}

/* memcmp of a and b (n bytes) must have the reference's sign. */
static void check_cmp(const vm_memops_table_t *t, const unsigned char *a, const unsigned char *b,
                      size_t n, size_t pos) {
    int got = sign(t->memcmp(a, b, n)), want = ref_cmp(a, b, n);
    if (got != want)
        fail_msg("%s memcmp n=%zu diff at %zu (%#x vs %#x) a%%64=%zu b%%64=%zu: got %d want %d",
                 t->name, n, pos, pos < n ? a[pos] : 0, pos < n ? b[pos] : 0,
                 (size_t)((uintptr_t)a & 63), (size_t)((uintptr_t)b & 63), got, want);
}

/* Equal buffers, then one difference at each tested position (both orders, bytes on both
 * sides of 0x80), with a later difference of the opposite sign that must not win. */
static void cmp_case(const vm_memops_table_t *t, unsigned char *a, unsigned char *b, size_t n) {
    static const unsigned char pairs[][2] = {
        {0x00, 0x01}, {0x7f, 0x80}, {0x01, 0xff}, {0x80, 0x81}};
    fill_pattern(a, n, 0);
    memcpy(b, a, n);
    check_cmp(t, a, b, n, n);
    /* Every position near both ends; in between every position up to 300 bytes (every
     * ALIGN_STEP-th in sanitizer builds), about 100 positions beyond. */
    size_t dense = ALIGN_STEP > 1 ? 24 : 130, step = n <= 300 ? ALIGN_STEP : n / 97;
    for (size_t pos = 0; pos < n; pos += (pos < dense || n - pos < dense) ? 1 : step) {
        for (size_t p = 0; p < 4; p++) {
            unsigned char save_a = a[pos], save_b = b[pos];
            a[pos] = pairs[p][0];
            b[pos] = pairs[p][1];
            check_cmp(t, a, b, n, pos);
            check_cmp(t, b, a, n, pos);
            if (pos + 1 < n) { /* a later, opposite difference */
                unsigned char later = b[n - 1];
                b[n - 1] = (unsigned char)(a[n - 1] - 1);
                if (n - 1 != pos) check_cmp(t, a, b, n, pos);
                b[n - 1] = later;
            }
            a[pos] = save_a;
            b[pos] = save_b;
        }
    }
}

static void memcmp_sign_every_position(void **state) {
    (void)state;
    static const size_t big_n[] = {511, 512, 513, 1024, 4097, 65545, 1 << 20};
    region_t ra = region_new(1 << 20), rb = region_new(1 << 20);
    for (int k = 0; k < n_impls; k++) {
        const vm_memops_table_t *t = &impls[k];
        for (size_t n = 0; n <= 300; n++) {
            size_t al = (n * 5) & 63;
            cmp_case(t, at_high(&ra, n, al), at_high(&rb, n, (al + 17) & 63), n);
            cmp_case(t, at_low(&ra, al & 7), at_low(&rb, 0), n);
        }
        for (size_t i = 0; i < sizeof big_n / sizeof big_n[0]; i++) {
            cmp_case(t, at_high(&ra, big_n[i], 0), at_high(&rb, big_n[i], 9), big_n[i]);
            cmp_case(t, at_low(&ra, 3), at_low(&rb, 0), big_n[i]);
        }
    }
    region_free(&ra);
    region_free(&rb);
}

/* Small sizes with every source/destination alignment for memcmp. */
static void memcmp_alignments(void **state) {
    (void)state;
    region_t ra = region_new(4096), rb = region_new(4096);
    for (int k = 0; k < n_impls; k++)
        for (size_t n = 0; n <= 140; n += 1 + (n > 70) * 6)
            for (size_t x = 0; x < 64; x += 3)
                for (size_t y = 0; y < 64; y += 5) {
                    unsigned char *a = at_high(&ra, n, x), *b = at_high(&rb, n, y);
                    fill_pattern(a, n, 0);
                    memcpy(b, a, n);
                    check_cmp(&impls[k], a, b, n, n);
                    if (n) {
                        b[n / 2] ^= 0x80;
                        check_cmp(&impls[k], a, b, n, n / 2);
                        check_cmp(&impls[k], b, a, n, n / 2);
                    }
                }
    region_free(&ra);
    region_free(&rb);
}

/* ---- dispatch ---- */

static void parse_names(void **state) {
    (void)state;
    for (int i = 0; i < VM_MEMOPS_COUNT; i++) {
        vm_memops_impl_t got = VM_MEMOPS_COUNT;
        assert_int_equal(vm_memops_parse(vm_memops_name((vm_memops_impl_t)i), &got), 0);
        assert_int_equal(got, i);
    }
    vm_memops_impl_t got;
    assert_int_equal(vm_memops_parse("AVX2", &got), 0);
    assert_int_equal(got, VM_MEMOPS_AVX2);
    assert_int_equal(vm_memops_parse("bogus", &got), -EINVAL);
    assert_int_equal(vm_memops_parse("", &got), -EINVAL);
    assert_int_equal(vm_memops_parse("avx", &got), -EINVAL);
    assert_int_equal(vm_memops_parse(NULL, &got), -EINVAL);
    assert_string_equal(vm_memops_name(VM_MEMOPS_AVX512), "avx512");
    assert_string_equal(vm_memops_name(VM_MEMOPS_COUNT), "invalid");
}

static void select_supported_and_unsupported(void **state) {
    (void)state;
    assert_true(vm_memops_supported(VM_MEMOPS_AUTO));
    assert_true(vm_memops_supported(VM_MEMOPS_SCALAR));
    int unsupported = 0;
    unsigned char src[300], dst[300];
    fill_pattern(src, sizeof src, 3);
    for (int i = VM_MEMOPS_SCALAR; i < VM_MEMOPS_COUNT; i++) {
        vm_memops_impl_t impl = (vm_memops_impl_t)i;
        if (!vm_memops_supported(impl)) {
            unsupported++;
            assert_null(vm_memops_table(impl));
            assert_int_equal(vm_memops_select(impl), -ENOTSUP);
            continue;
        }
        const vm_memops_table_t *t = vm_memops_table(impl);
        assert_non_null(t);
        assert_int_equal(t->impl, impl);
        assert_string_equal(t->name, vm_memops_name(impl));
        assert_int_equal(vm_memops_select(impl), 0);
        assert_int_equal(vm_memops_active(), impl);
        memset(dst, 0, sizeof dst);
        assert_ptr_equal(vm_memcpy(dst, src, sizeof dst), dst);
        assert_int_equal(memcmp(dst, src, sizeof dst), 0);
        assert_int_equal(vm_memcmp(dst, src, sizeof dst), 0);
    }
    /* Every host lacks some implementation (x86-64 has no NEON, AArch64 no SSE2). */
    assert_true(unsupported > 0);
    assert_int_equal(vm_memops_select(VM_MEMOPS_COUNT), -EINVAL);
    assert_int_equal(vm_memops_select((vm_memops_impl_t)-1), -EINVAL);
    assert_int_equal(vm_memops_select(VM_MEMOPS_AUTO), 0);
    assert_true(vm_memops_active() != VM_MEMOPS_AUTO);
    assert_true(vm_memops_supported(vm_memops_active()));
}

static void init_from_env_messages(void **state) {
    (void)state;
    vm_memops_tuning_t saved = vm_memops_tuning();
    const char *why = NULL;

    setenv("VM_MEMOPS", "bogus", 1);
    assert_int_equal(vm_memops_init_from_env(&why), -EINVAL);
    assert_non_null(why);
    assert_non_null(strstr(why, "bogus"));
    assert_non_null(strstr(why, "unknown"));

    for (int i = VM_MEMOPS_SCALAR; i < VM_MEMOPS_COUNT; i++)
        if (!vm_memops_supported((vm_memops_impl_t)i)) {
            vm_memops_impl_t before = vm_memops_active();
            setenv("VM_MEMOPS", vm_memops_name((vm_memops_impl_t)i), 1);
            assert_int_equal(vm_memops_init_from_env(&why), -ENOTSUP);
            assert_non_null(strstr(why, vm_memops_name((vm_memops_impl_t)i)));
            assert_non_null(strstr(why, "cannot run"));
            assert_int_equal(vm_memops_active(), before); /* nothing changed */
        }

    setenv("VM_MEMOPS", "scalar", 1);
    setenv("VM_MEMOPS_NT_MIN", "2M", 1);
    setenv("VM_MEMOPS_REP_MOVSB_MIN", "12345", 1);
    setenv("VM_MEMOPS_REP_STOSB_MIN", "0", 1);
    assert_int_equal(vm_memops_init_from_env(&why), 0);
    assert_null(why);
    assert_int_equal(vm_memops_active(), VM_MEMOPS_SCALAR);
    vm_memops_tuning_t t = vm_memops_tuning();
    assert_int_equal(t.nt_min, 2u << 20);
    assert_int_equal(t.rep_movsb_min, 12345);
    assert_int_equal(t.rep_stosb_min, 0);
    assert_int_equal(t.small_max, 64); /* 8 words of 8 bytes for scalar */

    setenv("VM_MEMOPS_NT_MIN", "12x", 1);
    assert_int_equal(vm_memops_init_from_env(&why), -EINVAL);
    assert_non_null(strstr(why, "VM_MEMOPS_NT_MIN"));
    setenv("VM_MEMOPS_NT_MIN", "-5", 1);
    assert_int_equal(vm_memops_init_from_env(&why), -EINVAL);
    setenv("VM_MEMOPS_NT_MIN", "99999999999999999999999", 1);
    assert_int_equal(vm_memops_init_from_env(&why), -EINVAL);

    unsetenv("VM_MEMOPS");
    unsetenv("VM_MEMOPS_NT_MIN");
    unsetenv("VM_MEMOPS_REP_MOVSB_MIN");
    unsetenv("VM_MEMOPS_REP_STOSB_MIN");
    assert_int_equal(vm_memops_init_from_env(&why), 0);
    assert_true(vm_memops_active() != VM_MEMOPS_SCALAR || !vm_memops_supported(VM_MEMOPS_SSE2));
    vm_memops_set_tuning(&saved);
    t = vm_memops_tuning();
    assert_int_equal(t.nt_min, saved.nt_min);
    assert_int_equal(t.rep_movsb_min, saved.rep_movsb_min);
}

/* Without caller or environment overrides, each implementation gets its measured defaults. */
static void tuning_defaults_follow_implementation(void **state) {
    (void)state;
    const vm_host_info_t *h = vm_host_info();
    vm_memops_impl_t was = vm_memops_active();
    unsetenv("VM_MEMOPS_NT_MIN");
    unsetenv("VM_MEMOPS_REP_MOVSB_MIN");
    unsetenv("VM_MEMOPS_REP_STOSB_MIN");
    unsetenv("VM_MEMOPS");
    assert_int_equal(vm_memops_init_from_env(NULL), 0);
    vm_memops_reset_tuning();

    assert_int_equal(vm_memops_select(VM_MEMOPS_SCALAR), 0);
    vm_memops_tuning_t t = vm_memops_tuning();
    assert_int_equal(t.small_max, 64);
    assert_int_equal(t.rep_movsb_min + t.nt_min + t.rep_stosb_min, 0); /* plain C */
    if (vm_memops_supported(VM_MEMOPS_SSE2)) {
        assert_int_equal(vm_memops_select(VM_MEMOPS_SSE2), 0);
        t = vm_memops_tuning();
        assert_int_equal(t.small_max, 128);
        assert_int_equal(t.rep_movsb_min, h->erms ? 1024 : 0);
        assert_true(t.nt_min > 0);
    }
    if (vm_memops_supported(VM_MEMOPS_AVX512)) {
        assert_int_equal(vm_memops_select(VM_MEMOPS_AVX512), 0);
        t = vm_memops_tuning();
        assert_int_equal(t.small_max, 512);
        /* `rep` from 32 KiB (copies) and 1 MiB (fills) where 512-bit accesses run whole
         * (a calibrated plan in force, from this host's cache file, takes their place). */
        vm_memops_plan_t plan = vm_memops_plan();
        bool calibrated = plan.in_force && plan.src != VM_MEMOPS_PLAN_FORCED;
        bool whole_rep = !h->zmm_halves && (h->erms || h->fsrm) && !calibrated;
        assert_int_equal(t.rep_movsb_min, whole_rep ? 32u << 10 : 0);
        assert_int_equal(t.rep_stosb_min, whole_rep ? 1u << 20 : 0);
        /* Half a sliced L3, where a package total (above 256 MiB) counts as a 32 MiB slice;
         * a quarter of an unsliced one (shared by every core of the package). */
        size_t l3 = h->l3_sliced && h->l3_bytes > (256u << 20) ? 32u << 20 : h->l3_bytes;
        if (h->l3_bytes && h->l3_src != VM_HOST_SRC_DEFAULT)
            assert_int_equal(t.nt_min, h->l3_sliced ? l3 / 2 : l3 / 4);
    }
    /* Caller thresholds stick across select() until reset. */
    vm_memops_tuning_t mine = t;
    mine.nt_min = 777777;
    vm_memops_set_tuning(&mine);
    assert_int_equal(vm_memops_select(VM_MEMOPS_SCALAR), 0);
    assert_int_equal(vm_memops_tuning().nt_min, 777777);
    vm_memops_reset_tuning();
    assert_int_equal(vm_memops_tuning().nt_min, 0);
    /* Disjoint copies run without a loop up to 16 vectors (16 words for scalar) while no
     * threshold sends those sizes elsewhere, and only up to 8 when one does (VM_MEMOPS_FORCE,
     * set by the force-* runs of this test, overrides the thresholds). */
    const char *force = getenv("VM_MEMOPS_FORCE");
    if (force && *force && strcmp(force, "vm")) {
        assert_int_equal(vm_memops_select(was), 0);
        return;
    }
    mine = vm_memops_tuning();
    mine.rep_movsb_min = mine.nt_min = mine.rep_stosb_min = 0;
    vm_memops_set_tuning(&mine);
    assert_int_equal(vm_memops_tuning().copy_small_max, 128);
    mine.rep_movsb_min = 100;
    vm_memops_set_tuning(&mine);
    assert_int_equal(vm_memops_tuning().copy_small_max, 64);
    if (vm_memops_supported(VM_MEMOPS_AVX512)) {
        assert_int_equal(vm_memops_select(VM_MEMOPS_AVX512), 0);
        assert_int_equal(vm_memops_tuning().copy_small_max, 512);
        mine.rep_movsb_min = 0;
        vm_memops_set_tuning(&mine);
        assert_int_equal(vm_memops_tuning().copy_small_max, 1024);
    }
    vm_memops_reset_tuning();
    assert_int_equal(vm_memops_select(was), 0);
}

static void host_facts_consistent(void **state) {
    (void)state;
    const vm_host_info_t *h = vm_host_info();
    assert_non_null(h);
    assert_ptr_equal(h, vm_host_info());
    assert_true(!strcmp(h->arch, "x86_64") || !strcmp(h->arch, "aarch64"));
    assert_true(h->model[0] != '\0');
    if (!strcmp(h->arch, "x86_64")) {
        assert_true(h->sse2); /* x86-64 baseline */
        assert_false(h->neon);
    } else {
        assert_true(h->neon);
        assert_false(h->sse2 || h->avx2 || h->avx512 || h->erms || h->fsrm);
    }
    if (h->avx512) assert_true(h->avx2);
    /* The line size is always known (sysfs, CPUID, CTR_EL0 or the default), a power of two,
     * and comes from a source this architecture has. */
    assert_true(h->line_bytes >= 16 && h->line_bytes <= 512);
    assert_int_equal(h->line_bytes & (h->line_bytes - 1), 0);
    if (!strcmp(h->arch, "x86_64"))
        assert_true(h->line_src != VM_HOST_SRC_CTR);
    else
        assert_true(h->line_src != VM_HOST_SRC_CPUID);
    size_t caches[] = {h->l1d_bytes, h->l2_bytes, h->l3_bytes};
    for (int i = 0; i < 3; i++)
        assert_true(caches[i] == 0 || (caches[i] >= 4096 && caches[i] <= ((size_t)1 << 32)));
    assert_int_equal(vm_memops_supported(VM_MEMOPS_AVX512), h->avx512);
    assert_int_equal(vm_memops_supported(VM_MEMOPS_AVX2), h->avx2);
    assert_int_equal(vm_memops_supported(VM_MEMOPS_NEON), h->neon);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(host_facts_consistent),
        cmocka_unit_test(parse_names),
        cmocka_unit_test(select_supported_and_unsupported),
        cmocka_unit_test(init_from_env_messages),
        cmocka_unit_test(tuning_defaults_follow_implementation),
        cmocka_unit_test(memcpy_all_sizes_alignments),
        cmocka_unit_test(memmove_disjoint_all_sizes_alignments),
        cmocka_unit_test(memmove_every_overlap),
        cmocka_unit_test(memset_all_sizes_alignments_values),
        cmocka_unit_test(memcmp_sign_every_position),
        cmocka_unit_test(memcmp_alignments),
    };
    return cmocka_run_group_tests(tests, setup_impls, NULL);
}
