/* workloads.h - the guest-speed workloads of perf-bench (group guest/interp/...).
 *
 * Plain C with no library calls, compiled twice: freestanding for riscv64 (guest.c, run on
 * the bare machine) and for the host (bench/guest_run.c), which computes the checksum the
 * guest must reproduce. bench/programs/mixed.c runs wl_mixed() as a Linux program for the
 * whole-program comparison. Each workload returns a 64-bit checksum of everything it
 * computed; no pointer value enters a checksum, so host and guest agree. Both sides compile
 * with -ffp-contract=off so floating point rounds identically. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Rounds of each workload: about 25-40 million guest instructions per run at -O2. */
#define WL_INT_LOOP_ITERS 4000000u
#define WL_MIXED_ROUNDS   100u
#define WL_MEMCPY_ROUNDS  6u

/* The integer loop: adds, shifts, xor, compare and branch on registers only. */
static inline uint64_t wl_int_loop(void) {
    uint64_t a = 1, b = 0x9e3779b97f4a7c15ull, x = 0;
    for (uint32_t i = 0; i < WL_INT_LOOP_ITERS; i++) {
        a += i;
        b ^= a << 3;
        x += b >> 5;
        if ((int64_t)x < 0) x ^= 0x5555;
        a ^= x;
    }
    return a ^ b ^ x;
}

/* ---- mixed: lists, matrix multiply, CRC, state machine, sorting, hashing, calls, FP ---- */

#define WL_NODES 1024u /* list nodes */
#define WL_MAT   12u   /* matrix dimension */
#define WL_BYTES 2048u /* CRC / state machine input bytes */
#define WL_SORT  512u  /* sorted elements */

/* One node of the pointer-chasing list. */
struct wl_node {
    struct wl_node *next; /* following node (a shuffled permutation) */
    uint32_t value;       /* payload summed along the walk */
};

static struct wl_node wl_nodes[WL_NODES];
static int32_t wl_ma[WL_MAT][WL_MAT], wl_mb[WL_MAT][WL_MAT], wl_mc[WL_MAT][WL_MAT];
static uint8_t wl_text[WL_BYTES];
static uint32_t wl_crc_table[256];
static uint32_t wl_sortbuf[WL_SORT];

static inline uint32_t wl_lcg(uint32_t *s) {
    *s = *s * 1664525u + 1013904223u;
    return *s;
}

static inline uint64_t wl_mix(uint64_t h, uint64_t v) {
    h ^= v;
    h *= 0x100000001b3ull;
    return h ^ (h >> 29);
}

static inline void wl_list_build(uint32_t seed) {
    for (uint32_t i = 0; i < WL_NODES; i++)
        wl_nodes[i].value = wl_lcg(&seed) >> 8;
    /* A random cyclic order (Sattolo's shuffle) so the walk visits every node. */
    uint32_t perm[WL_NODES];
    for (uint32_t i = 0; i < WL_NODES; i++)
        perm[i] = i;
    for (uint32_t i = WL_NODES - 1; i > 0; i--) {
        uint32_t j = wl_lcg(&seed) % i, t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (uint32_t i = 0; i < WL_NODES; i++)
        wl_nodes[perm[i]].next = &wl_nodes[perm[(i + 1) % WL_NODES]];
}

static inline uint64_t wl_list_walk(uint32_t steps) {
    const struct wl_node *n = &wl_nodes[0];
    uint64_t sum = 0;
    for (uint32_t i = 0; i < steps; i++) {
        sum += n->value;
        n = n->next;
    }
    return sum;
}

static inline uint64_t wl_matmul(uint32_t seed) {
    for (uint32_t i = 0; i < WL_MAT; i++)
        for (uint32_t j = 0; j < WL_MAT; j++) {
            wl_ma[i][j] = (int32_t)(wl_lcg(&seed) >> 20) - 2048;
            wl_mb[i][j] = (int32_t)(wl_lcg(&seed) >> 20) - 2048;
        }
    for (uint32_t i = 0; i < WL_MAT; i++)
        for (uint32_t j = 0; j < WL_MAT; j++) {
            int32_t s = 0;
            for (uint32_t k = 0; k < WL_MAT; k++)
                s += wl_ma[i][k] * wl_mb[k][j];
            wl_mc[i][j] = s;
        }
    uint64_t h = 0;
    for (uint32_t i = 0; i < WL_MAT; i++)
        for (uint32_t j = 0; j < WL_MAT; j++)
            h = wl_mix(h, (uint32_t)wl_mc[i][j]);
    return h;
}

static inline uint32_t wl_crc(const uint8_t *p, uint32_t n) {
    if (!wl_crc_table[1])
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
            wl_crc_table[i] = c;
        }
    uint32_t c = 0xffffffffu;
    for (uint32_t i = 0; i < n; i++)
        c = wl_crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
    return ~c;
}

/* A small tokenizer: counts words, numbers (and their sum) and punctuation. */
static inline uint64_t wl_state_machine(const uint8_t *p, uint32_t n) {
    enum { SPACE, WORD, NUMBER } st = SPACE;
    uint64_t words = 0, numbers = 0, punct = 0, value = 0, total = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t ch = p[i];
        int digit = ch >= '0' && ch <= '9';
        int alpha = (ch | 0x20) >= 'a' && (ch | 0x20) <= 'z';
        switch (st) {
        case SPACE:
            if (digit) {
                st = NUMBER;
                value = ch - '0';
            } else if (alpha) {
                st = WORD;
            } else if (ch != ' ') {
                punct++;
            }
            break;
        case WORD:
            if (!alpha && !digit) {
                words++;
                st = SPACE;
                punct += ch != ' ';
            }
            break;
        case NUMBER:
            if (digit) {
                value = value * 10 + (ch - '0');
            } else {
                numbers++;
                total += value;
                st = alpha ? WORD : SPACE;
                punct += !alpha && ch != ' ';
            }
            break;
        }
    }
    return words << 40 ^ numbers << 20 ^ punct ^ total * 31;
}

static inline void wl_text_fill(uint32_t seed) {
    static const char alphabet[] = "abcdefghij 0123456789 .,;!";
    for (uint32_t i = 0; i < WL_BYTES; i++)
        wl_text[i] = (uint8_t)alphabet[(wl_lcg(&seed) >> 16) % (sizeof(alphabet) - 1)];
}

static inline uint64_t wl_sort(uint32_t seed) {
    for (uint32_t i = 0; i < WL_SORT; i++)
        wl_sortbuf[i] = wl_lcg(&seed);
    /* Shell sort with the Ciura gaps. */
    static const uint32_t gaps[] = {301, 132, 57, 23, 10, 4, 1};
    for (uint32_t g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {
        uint32_t gap = gaps[g];
        for (uint32_t i = gap; i < WL_SORT; i++) {
            uint32_t v = wl_sortbuf[i], j = i;
            for (; j >= gap && wl_sortbuf[j - gap] > v; j -= gap)
                wl_sortbuf[j] = wl_sortbuf[j - gap];
            wl_sortbuf[j] = v;
        }
    }
    uint64_t h = 0, bad = 0;
    for (uint32_t i = 0; i < WL_SORT; i++) {
        bad += i && wl_sortbuf[i - 1] > wl_sortbuf[i];
        h = wl_mix(h, wl_sortbuf[i]);
    }
    return h + (bad << 56);
}

static inline uint64_t wl_fnv(const uint8_t *p, uint32_t n) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

/* Calls: a recursive function that the compiler keeps recursive (two calls per level). */
__attribute__((noinline, unused)) static uint32_t wl_tree(uint32_t depth, uint32_t x) {
    if (depth == 0) return x * 2654435761u >> 7;
    return wl_tree(depth - 1, x * 3 + 1) ^ wl_tree(depth - 1, x + depth);
}

/* A little floating point: Newton square roots and a polynomial, rounded to an integer. */
static inline uint64_t wl_float(uint32_t seed) {
    double acc = 0.0;
    for (uint32_t i = 0; i < 64; i++) {
        double v = (double)(wl_lcg(&seed) >> 12) / 1048576.0 + 1.0;
        double r = v;
        for (int k = 0; k < 6; k++)
            r = 0.5 * (r + v / r);
        acc += r * 0.75 - v * (0.125 + v * 0.001);
    }
    return (uint64_t)(int64_t)(acc * 1e6);
}

static inline uint64_t wl_mixed(void) {
    uint64_t h = 0;
    uint32_t seed = 2024;
    wl_list_build(seed);
    for (uint32_t r = 0; r < WL_MIXED_ROUNDS; r++) {
        seed = seed * 747796405u + 2891336453u;
        h = wl_mix(h, wl_list_walk(WL_NODES * 8));
        h = wl_mix(h, wl_matmul(seed));
        wl_text_fill(seed);
        h = wl_mix(h, wl_crc(wl_text, WL_BYTES));
        h = wl_mix(h, wl_state_machine(wl_text, WL_BYTES));
        h = wl_mix(h, wl_sort(seed));
        h = wl_mix(h, wl_fnv((const uint8_t *)wl_sortbuf, sizeof(wl_sortbuf)));
        h = wl_mix(h, wl_tree(10, r));
        h = wl_mix(h, wl_float(seed));
    }
    return h;
}

/* ---- memcpy_mix: copies of many sizes and alignments, forward and overlapping ---- */

#define WL_MEMBUF (256u << 10) /* each of the two buffers */

static uint8_t wl_src[WL_MEMBUF], wl_dst[WL_MEMBUF];

/* Copy with 8-byte words while both sides allow, then bytes (as a C library would). */
__attribute__((noinline, unused)) static void wl_copy(uint8_t *d, const uint8_t *s, size_t n) {
    if ((((uintptr_t)d ^ (uintptr_t)s) & 7) == 0) {
        while (n && ((uintptr_t)d & 7)) {
            *d++ = *s++;
            n--;
        }
        for (; n >= 32; n -= 32, d += 32, s += 32) {
            uint64_t a, b, c, e;
            __builtin_memcpy(&a, s, 8);
            __builtin_memcpy(&b, s + 8, 8);
            __builtin_memcpy(&c, s + 16, 8);
            __builtin_memcpy(&e, s + 24, 8);
            __builtin_memcpy(d, &a, 8);
            __builtin_memcpy(d + 8, &b, 8);
            __builtin_memcpy(d + 16, &c, 8);
            __builtin_memcpy(d + 24, &e, 8);
        }
    }
    for (; n; n--)
        *d++ = *s++;
}

/* Overlapping move, backwards when the destination lies above the source. */
__attribute__((noinline, unused)) static void wl_move(uint8_t *d, const uint8_t *s, size_t n) {
    if (d <= s || d >= s + n) {
        wl_copy(d, s, n);
        return;
    }
    while (n--)
        d[n] = s[n];
}

static inline uint64_t wl_memcpy_mix(void) {
    uint32_t seed = 77;
    for (uint32_t i = 0; i < WL_MEMBUF; i += 4) {
        uint32_t v = wl_lcg(&seed);
        __builtin_memcpy(&wl_src[i], &v, 4);
    }
    uint64_t h = 0;
    for (uint32_t r = 0; r < WL_MEMCPY_ROUNDS; r++) {
        /* Bulk: the whole buffer, aligned, then shifted by a few bytes. */
        wl_copy(wl_dst, wl_src, WL_MEMBUF);
        h = wl_mix(h, wl_fnv(wl_dst + r * 4096, 64));
        wl_copy(wl_dst + 8, wl_src + r, WL_MEMBUF - 64);
        /* Many small copies at pseudo-random offsets and sizes. */
        for (uint32_t k = 0; k < 4096; k++) {
            uint32_t v = wl_lcg(&seed);
            size_t n = (v >> 4) % 200 + 1;
            size_t so = (v >> 12) % (WL_MEMBUF - 256), dof = wl_lcg(&seed) % (WL_MEMBUF - 256);
            wl_copy(wl_dst + dof, wl_src + so, n);
        }
        /* Overlapping moves inside the destination. */
        for (uint32_t k = 0; k < 256; k++) {
            uint32_t v = wl_lcg(&seed);
            size_t n = (v >> 8) % 2048 + 1, o = (v >> 20) % (WL_MEMBUF - 4096);
            wl_move(wl_dst + o + (k & 63), wl_dst + o, n);
        }
        h = wl_mix(h, wl_fnv(wl_dst + (r * 40503u) % (WL_MEMBUF - 8192), 8192));
    }
    return h ^ wl_fnv(wl_dst, WL_MEMBUF);
}

/* ---- the tlb/ group: guest loads and stores through the software TLB ----
 * Each runs once on the bare machine (M-mode: the physical window, user mode's fast path) and
 * once in S-mode under Sv39 (every access through the TLB), so the ratio of the two is what a
 * translated access costs. The buffer holds indices, not pointers, so host and guest agree. */
#define WL_TLB_PAGES       2048u                  /* pages of wl_tlb_mem: twice the inline TLB */
#define WL_TLB_HIT_PAGES   16u                    /* pages the hit workloads touch */
#define WL_TLB_WORDS       (WL_TLB_PAGES * 1024u) /* uint32_t words */
#define WL_TLB_LOADS       2000000u               /* dependent loads of tlb_load */
#define WL_TLB_STORE_ITERS 125000u                /* iterations of 16 stores of tlb_store */
#define WL_TLB_MISSES      800000u                /* dependent loads of tlb_miss */
static uint32_t wl_tlb_mem[WL_TLB_WORDS] __attribute__((aligned(4096)));

/* Word index of node k of a ring spread over `pages` pages: consecutive nodes on consecutive
 * pages, 64 bytes apart within a page. */
static inline uint32_t wl_tlb_pos(uint32_t k, uint32_t pages) {
    return (k % pages) * 1024u + (k / pages) * 16u;
}

/* A pointer chase of `steps` dependent loads around a ring of nodes over `pages` pages. */
static inline uint64_t wl_tlb_chase(uint32_t pages, uint32_t steps) {
    uint32_t n = pages * 64u;
    for (uint32_t k = 0; k < n; k++)
        wl_tlb_mem[wl_tlb_pos(k, pages)] = wl_tlb_pos((k + 1) % n, pages);
    uint32_t i = 0;
    uint64_t h = 0;
    for (uint32_t s = 0; s < steps; s++) {
        i = *(volatile uint32_t *)&wl_tlb_mem[i];
        h += i;
    }
    return h ^ i;
}

/* tlb_load: dependent loads that hit (16 pages, within the TLB's 1024 entries). */
static inline uint64_t wl_tlb_load(void) {
    return wl_tlb_chase(WL_TLB_HIT_PAGES, WL_TLB_LOADS);
}

/* tlb_store: 16 stores per iteration, each to another page (constant offsets from a base
 * that walks through the pages' lines), all hits. */
static inline uint64_t wl_tlb_store(void) {
    for (uint32_t j = 0; j < WL_TLB_STORE_ITERS; j++) {
        volatile uint32_t *b = wl_tlb_mem + (j & 63u) * 16u;
        b[0 * 1024] = j;
        b[1 * 1024] = j + 1;
        b[2 * 1024] = j + 2;
        b[3 * 1024] = j + 3;
        b[4 * 1024] = j + 4;
        b[5 * 1024] = j + 5;
        b[6 * 1024] = j + 6;
        b[7 * 1024] = j + 7;
        b[8 * 1024] = j + 8;
        b[9 * 1024] = j + 9;
        b[10 * 1024] = j + 10;
        b[11 * 1024] = j + 11;
        b[12 * 1024] = j + 12;
        b[13 * 1024] = j + 13;
        b[14 * 1024] = j + 14;
        b[15 * 1024] = j + 15;
    }
    uint64_t h = 0;
    for (uint32_t p = 0; p < WL_TLB_HIT_PAGES; p++)
        for (uint32_t w = 0; w < 1024u; w += 16u)
            h = wl_mix(h, wl_tlb_mem[p * 1024u + w]);
    return h;
}

/* tlb_miss: dependent loads over 2048 pages in order, twice the inline TLB's 1024 entries
 * (direct-mapped by page number), so under Sv39 each one misses it. */
static inline uint64_t wl_tlb_miss(void) {
    return wl_tlb_chase(WL_TLB_PAGES, WL_TLB_MISSES);
}
