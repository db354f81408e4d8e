/* memops_measure.c - the timing program behind the memops tier thresholds (docs/memory.md).
 *
 *   memops-measure copy [DOFF SOFF]   vm_memcpy, each implementation and the C library memcpy
 *   memops-measure set [DOFF]         the same for memset
 *   memops-measure tiers [DOFF SOFF]  the active implementation's loop vs `rep movsb` vs
 *                                     streaming stores, and the C library, for copies
 *   memops-measure settiers [DOFF]    the same for fills (`rep stosb`)
 *   memops-measure move [MAX]         overlapping moves as vm-bench's memmove group makes
 *                                     them (destination n/4, at least 16 B, above the
 *                                     source): vm_memmove, the C library, and what bounds a
 *                                     backward copy (see move_ceilings below), sizes
 *                                     up to MAX bytes (default 256 MiB)
 * DOFF and SOFF offset the destination and source from a page boundary (default 0).
 *
 * Every candidate runs interleaved with the others in each round (so machine noise hits all
 * alike) and the report gives the median time per call over many rounds, plus ratios.
 * Not a test: it asserts nothing and belongs to no CTest case.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "vm/host.h"
#include "vm/memops.h"

enum { MAX_CAND = 8, ROUNDS = 41 };

typedef void *(*copy_fn)(void *restrict, const void *restrict, size_t);
typedef void *(*set_fn)(void *, int, size_t);

/* One thing to time: a function plus, for the tier mode, the thresholds to run it under. */
struct cand {
    const char *name;       /* column title */
    copy_fn copy;           /* the copy to time, or NULL */
    set_fn set;             /* the fill to time, or NULL */
    vm_memops_tuning_t tun; /* thresholds in force while it runs */
    copy_fn move;           /* for the move mode: called as move(src + shift, src, n) */
    double ns[ROUNDS];      /* per-call time of each round */
};

/* Callers as a program writes them: a call to the C library goes through its PLT entry, a
 * call to vm_memcpy through the dispatch pointer; each wrapper adds the same tail jump. */
__attribute__((noinline)) static void *libc_memcpy(void *restrict d, const void *restrict s,
                                                   size_t n) {
    return memcpy(d, s, n);
}
__attribute__((noinline)) static void *call_vm_memcpy(void *restrict d, const void *restrict s,
                                                      size_t n) {
    return vm_memcpy(d, s, n);
}
__attribute__((noinline)) static void *libc_memset(void *d, int c, size_t n) {
    return memset(d, c, n);
}
__attribute__((noinline)) static void *call_vm_memset(void *d, int c, size_t n) {
    return vm_memset(d, c, n);
}

__attribute__((noinline)) static void *libc_memmove(void *restrict d, const void *restrict s,
                                                    size_t n) {
    return memmove(d, s, n);
}
__attribute__((noinline)) static void *call_vm_memmove(void *restrict d, const void *restrict s,
                                                       size_t n) {
    return vm_memmove(d, s, n);
}

/* move_ceilings: what bounds an overlapping move with the destination above the source.
 * It has to run backwards (from the end), so it cannot use `rep movsb`'s fast forward
 * microcode; the candidates show what a backward pass costs on the host:
 *   bwd_avx512  a plain backward loop of four 64-byte loads then four stores, unaligned
 *   fwd_avx512  the same loop forwards over the same bytes (destination below the source by
 *               the same distance): how much of the cost is the direction
 *   rep_bwd     `std; rep movsb; cld`, the string instruction backwards (slow microcode)
 *   chunk_rep   the move cut into chunks of the overlap distance from the end, each a
 *               forward `rep movsb` between disjoint ranges (a backward order of forward
 *               copies is correct when every chunk is no longer than that distance)
 * The plain loops have no alignment step and no tail handling beyond one last vector; below
 * 128 B they call the C library. */
#if defined(__x86_64__)
#include <immintrin.h>
__attribute__((target("avx512f"), noinline)) static void *
bwd_avx512(void *restrict dv, const void *restrict sv, size_t n) {
    unsigned char *d = dv;
    const unsigned char *s = sv;
    if (n < 128) return memmove(dv, sv, n);
    __m512i head = _mm512_loadu_si512(s);
    size_t i = n;
    while (i >= 256 + 64) {
        i -= 256;
        __m512i a = _mm512_loadu_si512(s + i), b = _mm512_loadu_si512(s + i + 64);
        __m512i c = _mm512_loadu_si512(s + i + 128), e = _mm512_loadu_si512(s + i + 192);
        _mm512_storeu_si512(d + i + 192, e);
        _mm512_storeu_si512(d + i + 128, c);
        _mm512_storeu_si512(d + i + 64, b);
        _mm512_storeu_si512(d + i, a);
    }
    while (i > 64) {
        i -= 64;
        _mm512_storeu_si512(d + i, _mm512_loadu_si512(s + i));
    }
    _mm512_storeu_si512(d, head);
    return dv;
}
__attribute__((target("avx512f"), noinline)) static void *
fwd_avx512(void *restrict dv, const void *restrict sv, size_t n) {
    unsigned char *d = dv;
    const unsigned char *s = sv;
    if (n < 128) return memmove(dv, sv, n);
    __m512i tail = _mm512_loadu_si512(s + n - 64);
    size_t i = 0;
    for (; i + 256 + 64 <= n; i += 256) {
        __m512i a = _mm512_loadu_si512(s + i), b = _mm512_loadu_si512(s + i + 64);
        __m512i c = _mm512_loadu_si512(s + i + 128), e = _mm512_loadu_si512(s + i + 192);
        _mm512_storeu_si512(d + i, a);
        _mm512_storeu_si512(d + i + 64, b);
        _mm512_storeu_si512(d + i + 128, c);
        _mm512_storeu_si512(d + i + 192, e);
    }
    for (; i + 64 < n; i += 64)
        _mm512_storeu_si512(d + i, _mm512_loadu_si512(s + i));
    _mm512_storeu_si512(d + n - 64, tail);
    return dv;
}
__attribute__((noinline)) static void *rep_bwd(void *restrict dv, const void *restrict sv,
                                               size_t n) {
    unsigned char *d = (unsigned char *)dv + n - 1;
    const unsigned char *s = (const unsigned char *)sv + n - 1;
    __asm__ volatile("std; rep movsb; cld" : "+D"(d), "+S"(s), "+c"(n) : : "memory", "cc");
    return dv;
}
__attribute__((noinline)) static void *chunk_rep(void *restrict dv, const void *restrict sv,
                                                 size_t n) {
    unsigned char *d = dv;
    const unsigned char *s = sv;
    size_t dist = (size_t)(d - s), end = n; /* called with d above s, dist < n */
    while (end) {
        size_t len = end < dist ? end : dist;
        unsigned char *cd = d + end - len;
        const unsigned char *cs = s + end - len;
        size_t cn = len;
        __asm__ volatile("rep movsb" : "+D"(cd), "+S"(cs), "+c"(cn) : : "memory");
        end -= len;
    }
    return dv;
}
#endif

/* Distance of vm-bench's overlapping moves: n/4 rounded down to 16, at least 16. */
static size_t move_shift(size_t n) {
    size_t s = (n / 4) & ~(size_t)15;
    return s < 16 ? 16 : s;
}

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

/* Time all candidates at size n; results are medians in ns per call. */
static void run_size(struct cand *c, int nc, unsigned char *dst, unsigned char *src, size_t n,
                     double *out, double *lo) {
    size_t shift = move_shift(n);
    size_t reps = n >= (1u << 20) ? 1 : ((size_t)(256 << 10) / (n + 64)) + 16;
    for (int r = 0; r < ROUNDS; r++) {
        for (int k = 0; k < nc; k++) {
            int i = (k + r) % nc;                            /* rotate the order */
            if (!c[i].move) vm_memops_set_tuning(&c[i].tun); /* moves: the plan stays */
            /* untimed warm-up: each batch starts from its own cache state */
            if (c[i].move && !strcmp(c[i].name, "fwd_avx512"))
                c[i].move(src, src + shift, n); /* the same bytes, forwards */
            else if (c[i].move)
                c[i].move(src + shift, src, n);
            else if (c[i].copy)
                c[i].copy(dst, src, n);
            else
                c[i].set(dst, 1, n);
            bool fwd = c[i].move && !strcmp(c[i].name, "fwd_avx512");
            double t0 = now_ns();
            for (size_t j = 0; j < reps; j++) {
                __asm__ volatile("" : : : "memory");
                if (fwd)
                    c[i].move(src, src + shift, n);
                else if (c[i].move)
                    c[i].move(src + shift, src, n);
                else if (c[i].copy)
                    c[i].copy(dst, src, n);
                else
                    c[i].set(dst, (int)j, n);
            }
            c[i].ns[r] = (now_ns() - t0) / (double)reps;
        }
    }
    for (int i = 0; i < nc; i++) {
        out[i] = median(c[i].ns, ROUNDS); /* sorts ns: its first entry is the minimum */
        lo[i] = c[i].ns[0];
    }
}

/* The move mode: overlapping moves up to 256 MiB in one buffer advised for huge pages (as
 * vm-bench's), every candidate interleaved; median and minimum ns per call. */
static int move_main(const size_t *sizes, size_t ns) {
    size_t cap = sizes[ns - 1] + sizes[ns - 1] / 4 + 4096;
    unsigned char *buf =
        mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED) return 1;
    (void)madvise(buf, cap, MADV_HUGEPAGE);
    memset(buf, 0x5a, cap);
    struct cand c[MAX_CAND];
    int nc = 0;
    c[nc++] = (struct cand){.name = "libc", .move = libc_memmove};
    c[nc++] = (struct cand){.name = "vm", .move = call_vm_memmove};
#if defined(__x86_64__)
    if (vm_host_info()->avx512) {
        c[nc++] = (struct cand){.name = "bwd_avx512", .move = bwd_avx512};
        c[nc++] = (struct cand){.name = "fwd_avx512", .move = fwd_avx512};
    }
    c[nc++] = (struct cand){.name = "rep_bwd", .move = rep_bwd};
    c[nc++] = (struct cand){.name = "chunk_rep", .move = chunk_rep};
#endif
    printf("mode move (destination n/4, at least 16 B, above the source; fwd_avx512 the other "
           "way), active %s\n%10s",
           vm_memops_name(vm_memops_active()), "bytes");
    for (int i = 0; i < nc; i++)
        printf(" %21s", c[i].name);
    printf("   (ns per call: median / minimum of %d rounds)  libc/vm of minima\n", ROUNDS);
    for (size_t s = 0; s < ns; s++) {
        double t[MAX_CAND], lo[MAX_CAND];
        run_size(c, nc, NULL, buf, sizes[s], t, lo);
        printf("%10zu", sizes[s]);
        for (int i = 0; i < nc; i++)
            printf(" %10.2f/%10.2f", t[i], lo[i]);
        printf("   %5.2fx\n", lo[0] / lo[1]);
        fflush(stdout);
    }
    munmap(buf, cap);
    return 0;
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "copy";
    size_t doff = argc > 2 ? strtoul(argv[2], NULL, 0) % 4096 : 0;
    size_t soff = argc > 3 ? strtoul(argv[3], NULL, 0) % 4096 : 0;
    static const size_t sizes[] = {16,      32,      64,      128,      256,      512,     1024,
                                   2048,    4096,    8192,    16384,    32768,    65536,   262144,
                                   1 << 20, 4 << 20, 8 << 20, 16 << 20, 32 << 20, 64 << 20};
    static const size_t move_sizes[] = {16,      32,       48,       64,       128,    256,
                                        1024,    4096,     16384,    65536,    262144, 1 << 20,
                                        4 << 20, 16 << 20, 64 << 20, 256 << 20};
    if (!strcmp(mode, "move")) { /* optional second argument: the largest size to time */
        size_t ns = sizeof move_sizes / sizeof *move_sizes,
               max = argc > 2 ? strtoul(argv[2], NULL, 0) : 0;
        while (max && ns > 1 && move_sizes[ns - 1] > max)
            ns--;
        return move_main(move_sizes, ns);
    }
    size_t cap = (64u << 20) + 4096;
    unsigned char *src = aligned_alloc(4096, cap), *dst = aligned_alloc(4096, cap);
    if (!src || !dst) return 1;
    memset(src, 0x5a, cap);
    memset(dst, 0xa5, cap);

    vm_memops_tuning_t base = vm_memops_tuning();
    struct cand c[MAX_CAND];
    int nc = 0;
    bool set_mode = !strcmp(mode, "set");
    vm_memops_tuning_t loop = base, rep = base, nt = base;
    loop.rep_movsb_min = loop.nt_min = loop.rep_stosb_min = 0;
    rep.rep_movsb_min = rep.rep_stosb_min = 1, rep.nt_min = 0;
    nt.rep_movsb_min = nt.rep_stosb_min = 0, nt.nt_min = 1;
    if (!strcmp(mode, "tiers")) {
        c[nc++] = (struct cand){.name = "libc", .copy = libc_memcpy, .tun = base};
        c[nc++] = (struct cand){.name = "vm", .copy = call_vm_memcpy, .tun = base};
        c[nc++] = (struct cand){.name = "loop", .copy = call_vm_memcpy, .tun = loop};
        c[nc++] = (struct cand){.name = "rep_movsb", .copy = call_vm_memcpy, .tun = rep};
        c[nc++] = (struct cand){.name = "nt", .copy = call_vm_memcpy, .tun = nt};
    } else if (!strcmp(mode, "settiers")) {
        c[nc++] = (struct cand){.name = "libc", .set = libc_memset, .tun = base};
        c[nc++] = (struct cand){.name = "vm", .set = call_vm_memset, .tun = base};
        c[nc++] = (struct cand){.name = "loop", .set = call_vm_memset, .tun = loop};
        c[nc++] = (struct cand){.name = "rep_stosb", .set = call_vm_memset, .tun = rep};
        c[nc++] = (struct cand){.name = "nt", .set = call_vm_memset, .tun = nt};
    } else {
        c[nc++] =
            (struct cand){.name = "libc", .copy = libc_memcpy, .set = libc_memset, .tun = base};
        c[nc++] =
            (struct cand){.name = "vm", .copy = call_vm_memcpy, .set = call_vm_memset, .tun = base};
        for (int i = VM_MEMOPS_SCALAR; i < VM_MEMOPS_COUNT; i++) {
            const vm_memops_table_t *t = vm_memops_table((vm_memops_impl_t)i);
            if (t)
                c[nc++] = (struct cand){
                    .name = t->name, .copy = t->memcpy, .set = t->memset, .tun = base};
        }
        if (set_mode)
            for (int i = 0; i < nc; i++)
                c[i].copy = NULL;
    }
    printf("mode %s, dst offset %zu, src offset %zu, active %s, thresholds: rep_movsb_min %zu "
           "nt_min %zu rep_stosb_min %zu\n",
           mode, doff, soff, vm_memops_name(vm_memops_active()), base.rep_movsb_min, base.nt_min,
           base.rep_stosb_min);
    printf("%10s", "bytes");
    for (int i = 0; i < nc; i++)
        printf(" %10s", c[i].name);
    printf("   (ns per call, median of %d rounds)%s\n", ROUNDS, "  libc/vm");
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        double t[MAX_CAND], lo[MAX_CAND];
        run_size(c, nc, dst + doff, src + soff, sizes[s], t, lo);
        printf("%10zu", sizes[s]);
        for (int i = 0; i < nc; i++)
            printf(" %10.2f", t[i]);
        printf("   %5.2fx", t[0] / t[1]);
        printf("\n");
        fflush(stdout);
    }
    vm_memops_set_tuning(&base);
    free(src);
    free(dst);
    return 0;
}
