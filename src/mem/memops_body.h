/* memops_body.h - the size-tiered memcpy/memmove/memset/memcmp algorithm, written once and
 * instantiated by each memops_<isa>.c, which first defines its vector primitives:
 *
 *   MO_V                  vector width in bytes (8 for the scalar word version)
 *   mo_vec_t              the vector type
 *   mo_load / mo_store    unaligned load / store of one vector
 *   mo_store_nt           non-temporal store to a 64-byte aligned address (if MO_HAVE_NT)
 *   mo_splat(c)           vector of byte c
 *   mo_neq(a, b)          a word that is non-zero iff a and b differ...
 *   mo_diff_index(w)      ...and the index of their first differing byte, from that word
 *   mo_copy_lt_v, mo_set_lt_v, mo_cmp_lt_v   the ops for n < MO_V
 *   mo_copy_block         optional (MO_HAVE_COPY_BLOCK): one 4V block of the copy loop
 *   mo_move_lt_v          optional (MO_HAVE_MOVE_LT_V): memmove of n < MO_V bytes, where
 *                         mo_copy_lt_v does not suit overlapping buffers
 *   MO_HAVE_NT, MO_IMPL, MO_NAME, MO_TABLE
 *
 * Tiers (the same for every ISA, in units of V = MO_V):
 *   n < V          mo_*_lt_v: register or masked accesses, no loop
 *   V <= n <= 8V   2, 4 or 8 overlapping vectors from both ends, no loop; every load happens
 *                  before any store, so this tier is also a correct memmove
 *   8V < n <= 16V  disjoint copies (memcpy, memmove of disjoint buffers) when the plan keeps
 *                  vm's method: 8 vectors from each end, no loop and no alignment step
 *   n > 8V         loop of 4 vectors per iteration with an aligned destination; the first
 *                  vector and the last 4 are loaded up front and stored last (overlapping
 *                  the loop), so no scalar tail loop is needed
 *   large          `rep movsb`/`rep stosb` from mem_memops_rep_*_min, streaming stores from
 *                  mem_memops_nt_min (copies only when the buffers do not overlap;
 *                  fills from twice that, since a fill touches half the bytes of a copy);
 *                  below those, the calibrated method of the size class (mem_memops_plan)
 * No access ever touches a byte outside [src, src+n) or [dst, dst+n).
 */
#include <stdatomic.h>
#include <stdint.h>

#include "mem/memops_arch.h"
#include "mem/memops_impl.h"

typedef unsigned char mo_u8;

#ifndef MO_HAVE_COPY_BLOCK
/* Copy one 4V block of the loop tier, loads before stores (overlap-safe). An ISA file may
 * supply its own (MO_HAVE_COPY_BLOCK), e.g. with narrower vectors where those are faster. */
static inline void mo_copy_block(mo_u8 *d, const mo_u8 *s) {
    mo_vec_t a0 = mo_load(s), a1 = mo_load(s + MO_V);
    mo_vec_t a2 = mo_load(s + 2 * MO_V), a3 = mo_load(s + 3 * MO_V);
    mo_store(d, a0);
    mo_store(d + MO_V, a1);
    mo_store(d + 2 * MO_V, a2);
    mo_store(d + 3 * MO_V, a3);
}
#endif

/* Copy V <= n <= 8V bytes; all loads precede all stores (overlap-safe). */
static inline void mo_copy_v_8v(mo_u8 *d, const mo_u8 *s, size_t n) {
    if (n <= 2 * MO_V) {
        mo_vec_t a = mo_load(s), b = mo_load(s + n - MO_V);
        mo_store(d, a);
        mo_store(d + n - MO_V, b);
    } else if (n <= 4 * MO_V) {
        mo_vec_t a0 = mo_load(s), a1 = mo_load(s + MO_V);
        mo_vec_t b0 = mo_load(s + n - 2 * MO_V), b1 = mo_load(s + n - MO_V);
        mo_store(d, a0);
        mo_store(d + MO_V, a1);
        mo_store(d + n - 2 * MO_V, b0);
        mo_store(d + n - MO_V, b1);
    } else {
        mo_vec_t a0 = mo_load(s), a1 = mo_load(s + MO_V);
        mo_vec_t a2 = mo_load(s + 2 * MO_V), a3 = mo_load(s + 3 * MO_V);
        mo_vec_t b0 = mo_load(s + n - 4 * MO_V), b1 = mo_load(s + n - 3 * MO_V);
        mo_vec_t b2 = mo_load(s + n - 2 * MO_V), b3 = mo_load(s + n - MO_V);
        mo_store(d, a0);
        mo_store(d + MO_V, a1);
        mo_store(d + 2 * MO_V, a2);
        mo_store(d + 3 * MO_V, a3);
        mo_store(d + n - 4 * MO_V, b0);
        mo_store(d + n - 3 * MO_V, b1);
        mo_store(d + n - 2 * MO_V, b2);
        mo_store(d + n - MO_V, b3);
    }
}

/* Copy 8V < n <= 16V bytes between disjoint buffers: eight vectors from each end, no loop
 * and no alignment step (each load is stored at once, so only two registers are live). */
static inline void mo_copy_8v_16v(mo_u8 *restrict d, const mo_u8 *restrict s, size_t n) {
    for (int i = 0; i < 8; i++) {
        mo_store(d + i * MO_V, mo_load(s + i * MO_V));
        mo_store(d + n - (8 - i) * MO_V, mo_load(s + n - (8 - i) * MO_V));
    }
}

#ifndef MO_HAVE_MOVE_LT_V
#define mo_move_lt_v mo_copy_lt_v
#endif

/* Copy n <= 8V bytes without a loop (overlap-safe). */
static inline void mo_copy_upto_8v(mo_u8 *d, const mo_u8 *s, size_t n) {
    if (n < MO_V)
        mo_copy_lt_v(d, s, n);
    else
        mo_copy_v_8v(d, s, n);
}

/* Forward copy of n > 8V bytes; correct when d <= s or the buffers do not overlap. */
static void mo_copy_fwd_loop(mo_u8 *d, const mo_u8 *s, size_t n) {
    mo_vec_t head = mo_load(s);
    mo_vec_t t0 = mo_load(s + n - 4 * MO_V), t1 = mo_load(s + n - 3 * MO_V);
    mo_vec_t t2 = mo_load(s + n - 2 * MO_V), t3 = mo_load(s + n - MO_V);
    size_t skip = MO_V - ((uintptr_t)d & (MO_V - 1)); /* 1..V: dst becomes aligned */
    mo_u8 *dp = d + skip;
    const mo_u8 *sp = s + skip;
    size_t left = n - skip;
    while (left > 4 * MO_V) {
        mo_copy_block(dp, sp);
        dp += 4 * MO_V;
        sp += 4 * MO_V;
        left -= 4 * MO_V;
    }
    /* 1..4V bytes are left: store only the tail vectors that cover them (stores are the
     * bottleneck of an L1-resident copy, so skipping redundant ones pays). */
    if (left > 3 * MO_V) mo_store(d + n - 4 * MO_V, t0);
    if (left > 2 * MO_V) mo_store(d + n - 3 * MO_V, t1);
    if (left > MO_V) mo_store(d + n - 2 * MO_V, t2);
    mo_store(d + n - MO_V, t3);
    mo_store(d, head);
}

/* vm's own method for n > 8V disjoint bytes: no loop up to 16V, else the forward loop. */
static inline void mo_copy_vm(mo_u8 *restrict d, const mo_u8 *restrict s, size_t n) {
    if (n <= 16 * MO_V)
        mo_copy_8v_16v(d, s, n);
    else
        mo_copy_fwd_loop(d, s, n);
}

/* Backward copy of n > 8V bytes; correct when d >= s or the buffers do not overlap. */
static void mo_copy_bwd_loop(mo_u8 *d, const mo_u8 *s, size_t n) {
    mo_vec_t h0 = mo_load(s), h1 = mo_load(s + MO_V);
    mo_vec_t h2 = mo_load(s + 2 * MO_V), h3 = mo_load(s + 3 * MO_V);
    mo_vec_t tail = mo_load(s + n - MO_V);
    size_t skip = (uintptr_t)(d + n) & (MO_V - 1); /* 0..V-1: dst end becomes aligned */
    mo_u8 *dp = d + n - skip;
    const mo_u8 *sp = s + n - skip;
    size_t left = n - skip;
    while (left > 4 * MO_V) {
        dp -= 4 * MO_V;
        sp -= 4 * MO_V;
        mo_copy_block(dp, sp);
        left -= 4 * MO_V;
    }
    mo_store(d, h0); /* 1..4V bytes are left at the start: store the head vectors needed */
    if (left > MO_V) mo_store(d + MO_V, h1);
    if (left > 2 * MO_V) mo_store(d + 2 * MO_V, h2);
    if (left > 3 * MO_V) mo_store(d + 3 * MO_V, h3);
    mo_store(d + n - MO_V, tail);
}

/* Streaming copy of one 4V block: loads, then non-temporal stores (d 64-byte aligned). */
static inline void mo_copy_block_nt(mo_u8 *d, const mo_u8 *s) {
    mo_vec_t a0 = mo_load(s), a1 = mo_load(s + MO_V);
    mo_vec_t a2 = mo_load(s + 2 * MO_V), a3 = mo_load(s + 3 * MO_V);
    mo_store_nt(d, a0);
    mo_store_nt(d + MO_V, a1);
    mo_store_nt(d + 2 * MO_V, a2);
    mo_store_nt(d + 3 * MO_V, a3);
}

/* Pages one pass of the streaming copy works on side by side, and their size. */
#define MO_NT_PAGES 4
#define MO_NT_PAGE  4096

/* Streaming copy (non-overlapping, n >= 64 + 4V): aligned non-temporal stores bypass the
 * caches so a copy larger than the cache does not evict everything else, then a fence.
 * The bulk moves MO_NT_PAGES pages at a time, one 4V block from each page in turn, as the
 * C library does from its own streaming threshold: the hardware prefetchers follow each
 * page as a stream of its own, so four streams run where one ran, and a copy from DRAM
 * waits less on memory (on an Intel Xeon host a 256 MiB copy took 40.2 ms with one page at a
 * time and 29.5 ms with four, the C library 29.3-29.6 ms; docs/memory.md). */
static void mo_copy_nt(mo_u8 *d, const mo_u8 *s, size_t n) {
    size_t head = (size_t)(-(uintptr_t)d & 63); /* dst to a cache-line boundary */
    mo_copy_upto_8v(d, s, head);
    d += head;
    s += head;
    n -= head;
    while (n >= MO_NT_PAGES * MO_NT_PAGE) {
        for (size_t off = 0; off < MO_NT_PAGE; off += 4 * MO_V) {
            for (int p = 0; p < MO_NT_PAGES; p++) {
                __builtin_prefetch(s + p * MO_NT_PAGE + off + 8 * MO_V);
                mo_copy_block_nt(d + p * MO_NT_PAGE + off, s + p * MO_NT_PAGE + off);
            }
        }
        d += MO_NT_PAGES * MO_NT_PAGE;
        s += MO_NT_PAGES * MO_NT_PAGE;
        n -= MO_NT_PAGES * MO_NT_PAGE;
    }
    while (n >= 4 * MO_V) {
        __builtin_prefetch(s + 16 * MO_V);
        mo_copy_block_nt(d, s);
        d += 4 * MO_V;
        s += 4 * MO_V;
        n -= 4 * MO_V;
    }
    mo_store_fence();
    mo_copy_upto_8v(d, s, n);
}

/* Sizes of row op below this take the loop with no further test (mem_memops_loop_below). */
static inline size_t mo_loop_below(int op) {
    return atomic_load_explicit(&mem_memops_loop_below[op], memory_order_relaxed);
}

/* The calibrated method for row op at size n (VM_MEMOPS_M_VM when no plan applies). */
static inline unsigned mo_plan(int op, size_t n) {
    return atomic_load_explicit(&mem_memops_plan[op][mem_memops_class(n)], memory_order_relaxed);
}

/* Copy n > 8V non-overlapping bytes, picking the tier: the thresholds first, then the
 * calibrated plan of the size class. */
static inline void mo_copy_big_tiers(mo_u8 *d, const mo_u8 *s, size_t n) {
    size_t nt = atomic_load_explicit(&mem_memops_nt_min, memory_order_relaxed);
    if (MO_HAVE_NT && nt && n >= nt && n >= 64 + 4 * MO_V) {
        mo_copy_nt(d, s, n);
        return;
    }
    size_t rep = atomic_load_explicit(&mem_memops_rep_movsb_min, memory_order_relaxed);
    if (MO_HAVE_REP && rep && n >= rep) {
        mo_rep_movsb(d, s, n);
        return;
    }
    unsigned m = mo_plan(VM_MEMOPS_OP_COPY, n);
    if (MO_HAVE_NT && m == VM_MEMOPS_M_NT && n >= 64 + 4 * MO_V) {
        mo_copy_nt(d, s, n);
        return;
    }
    if (MO_HAVE_REP && m == VM_MEMOPS_M_REP) {
        mo_rep_movsb(d, s, n);
        return;
    }
    mo_copy_vm(d, s, n);
}

/* mo_copy_big_tiers out of line, returning d so that callers end in a tail call to it (no
 * stack frame on their own paths). */
__attribute__((noinline)) static void *mo_copy_big(mo_u8 *d, const mo_u8 *s, size_t n) {
    mo_copy_big_tiers(d, s, n);
    return d;
}

/* The entry points start on a cache line: their hot paths are a few dozen bytes, and where
 * they fell in the instruction fetch blocks moved small calls by a cycle between builds whose
 * only changes were elsewhere (on the Intel host memcpy 64 B took 1.96 ns with mo_memcpy 48
 * bytes into a line and 1.68 ns at its start). Aligned, their layout no longer depends on
 * the code before them; docs/performance.md has the figures of both layouts. */
#define MO_ENTRY __attribute__((aligned(64)))

MO_ENTRY static void *mo_memcpy(void *restrict dst, const void *restrict src, size_t n) {
    mo_u8 *d = dst;
    const mo_u8 *s = src;
    /* The most frequent sizes first: up to two vectors in at most two branches. */
    if (n <= 2 * MO_V) {
        if (n < MO_V) {
            mo_copy_lt_v(d, s, n);
        } else {
            mo_vec_t a = mo_load(s), b = mo_load(s + n - MO_V);
            mo_store(d, a);
            mo_store(d + n - MO_V, b);
        }
    } else if (n <= 8 * MO_V) {
        mo_copy_v_8v(d, s, n);
    } else if (n < mo_loop_below(VM_MEMOPS_OP_COPY)) {
        mo_copy_vm(d, s, n);
    } else {
        return mo_copy_big(d, s, n);
    }
    return dst;
}

MO_ENTRY static void *mo_memmove(void *dst, const void *src, size_t n) {
    mo_u8 *d = dst;
    const mo_u8 *s = src;
    if (n <= 8 * MO_V) {
        if (n < MO_V)
            mo_move_lt_v(d, s, n);
        else
            mo_copy_v_8v(d, s, n);
        return dst;
    }
    uintptr_t ud = (uintptr_t)d, us = (uintptr_t)s;
    /* One test finds the case that must run backwards, dst inside (src, src + n); then
     * dst below src (forward) or disjoint, where every copy tier is allowed. */
    if (ud - us < n) {
        if (ud != us) mo_copy_bwd_loop(d, s, n);
    } else if (us - ud < n) {
        mo_copy_fwd_loop(d, s, n);
    } else if (n < mo_loop_below(VM_MEMOPS_OP_COPY)) {
        mo_copy_vm(d, s, n);
    } else {
        return mo_copy_big(d, s, n);
    }
    return dst;
}

/* Streaming fill of n >= 64 + 4V bytes: aligned non-temporal stores, then a fence. */
static void mo_set_nt(mo_u8 *d, int c, size_t n) {
    mo_vec_t v = mo_splat((mo_u8)c);
    size_t head = (size_t)(-(uintptr_t)d & 63); /* dst to a cache-line boundary */
    for (size_t i = 0; i < head; i += MO_V)
        mo_store(d + i, v);
    mo_u8 *p = d + head, *end = d + n;
    while ((size_t)(end - p) >= 4 * MO_V) {
        mo_store_nt(p, v);
        mo_store_nt(p + MO_V, v);
        mo_store_nt(p + 2 * MO_V, v);
        mo_store_nt(p + 3 * MO_V, v);
        p += 4 * MO_V;
    }
    mo_store_fence();
    size_t left = (size_t)(end - p); /* < 4V; the loop ran, so end - V >= d */
    for (size_t off = 0; off + MO_V < left; off += MO_V)
        mo_store(p + off, v);
    if (left) mo_store(end - MO_V, v);
}

/* Fill n > 8V bytes with the loop: unaligned first and last vectors around aligned ones. */
static void mo_set_loop(mo_u8 *d, int c, size_t n) {
    mo_vec_t v = mo_splat((mo_u8)c);
    mo_store(d, v);
    mo_u8 *p = (mo_u8 *)(((uintptr_t)d + MO_V) & ~(uintptr_t)(MO_V - 1));
    mo_u8 *end = d + n;
    while ((size_t)(end - p) > 4 * MO_V) {
        mo_store(p, v);
        mo_store(p + MO_V, v);
        mo_store(p + 2 * MO_V, v);
        mo_store(p + 3 * MO_V, v);
        p += 4 * MO_V;
    }
    size_t left = (size_t)(end - p); /* 1..4V */
    if (left > 3 * MO_V) mo_store(end - 4 * MO_V, v);
    if (left > 2 * MO_V) mo_store(end - 3 * MO_V, v);
    if (left > MO_V) mo_store(end - 2 * MO_V, v);
    mo_store(end - MO_V, v);
}

/* Fill 8V < n <= 16V bytes from an aligned d with n a multiple of V: eight vectors from each
 * end, every store aligned, no loop. (Elsewhere the loop stays: it aligns its stores, and
 * sixteen stores that each span two cache lines cost more than its rounds.) */
static inline void mo_set_8v_16v(mo_u8 *d, int c, size_t n) {
    mo_vec_t v = mo_splat((mo_u8)c);
    for (int i = 0; i < 8; i++) {
        mo_store(d + i * MO_V, v);
        mo_store(d + n - (8 - i) * MO_V, v);
    }
}

/* vm's own method for fills of n > 8V bytes: no loop up to 16 whole aligned vectors, else
 * the loop. */
static inline void mo_set_vm(mo_u8 *d, int c, size_t n) {
    if (n <= 16 * MO_V && (((uintptr_t)d | n) & (MO_V - 1)) == 0)
        mo_set_8v_16v(d, c, n);
    else
        mo_set_loop(d, c, n);
}

/* Fill n > 8V bytes, picking the tier: the thresholds first, then the calibrated plan. */
static inline void mo_set_big_tiers(mo_u8 *d, int c, size_t n) {
    size_t nt = atomic_load_explicit(&mem_memops_nt_min, memory_order_relaxed);
    size_t rep = atomic_load_explicit(&mem_memops_rep_stosb_min, memory_order_relaxed);
    /* A fill touches n bytes where a copy touches 2n: it streams from twice nt_min. */
    if (MO_HAVE_NT && nt && n / 2 >= nt && n >= 64 + 4 * MO_V) {
        mo_set_nt(d, c, n);
        return;
    }
    if (MO_HAVE_REP && rep && n >= rep) {
        mo_rep_stosb(d, c, n);
        return;
    }
    unsigned m = mo_plan(VM_MEMOPS_OP_SET, n);
    if (MO_HAVE_NT && m == VM_MEMOPS_M_NT && n >= 64 + 4 * MO_V) {
        mo_set_nt(d, c, n);
        return;
    }
    if (MO_HAVE_REP && m == VM_MEMOPS_M_REP) {
        mo_rep_stosb(d, c, n);
        return;
    }
    mo_set_vm(d, c, n);
}

/* mo_set_big_tiers out of line, returning d (a tail call for its callers). */
__attribute__((noinline)) static void *mo_set_big(mo_u8 *d, int c, size_t n) {
    mo_set_big_tiers(d, c, n);
    return d;
}

MO_ENTRY static void *mo_memset(void *dst, int c, size_t n) {
    mo_u8 *d = dst;
    /* Up to two vectors in at most two branches, as for copies; the stores of the next tier
     * pair up from both ends so that each size test guards four of them. */
    if (n <= 2 * MO_V) {
        if (n < MO_V) {
            mo_set_lt_v(d, (mo_u8)c, n);
        } else {
            mo_vec_t v = mo_splat((mo_u8)c);
            mo_store(d, v);
            mo_store(d + n - MO_V, v);
        }
    } else if (n <= 8 * MO_V) {
        mo_vec_t v = mo_splat((mo_u8)c);
        mo_store(d, v);
        mo_store(d + MO_V, v);
        mo_store(d + n - 2 * MO_V, v);
        mo_store(d + n - MO_V, v);
        if (n > 4 * MO_V) {
            mo_store(d + 2 * MO_V, v);
            mo_store(d + 3 * MO_V, v);
            mo_store(d + n - 4 * MO_V, v);
            mo_store(d + n - 3 * MO_V, v);
        }
    } else if (n < mo_loop_below(VM_MEMOPS_OP_SET)) {
        mo_set_vm(d, c, n);
    } else {
        return mo_set_big(d, c, n);
    }
    return dst;
}

/* Difference of the first differing byte within the vectors at a+i and b+i, or 0. */
static inline int mo_cmp_at(const mo_u8 *a, const mo_u8 *b, size_t i) {
    uint64_t w = mo_neq(mo_load(a + i), mo_load(b + i));
    if (!w) return 0;
    size_t k = i + mo_diff_index(w);
    return (int)a[k] - (int)b[k];
}

static int mo_memcmp(const void *pa, const void *pb, size_t n) {
    const mo_u8 *a = pa, *b = pb;
    if (n < MO_V) return mo_cmp_lt_v(a, b, n);
    int r;
    size_t i = 0;
    for (; i + 4 * MO_V <= n; i += 4 * MO_V) {
        uint64_t w = mo_neq(mo_load(a + i), mo_load(b + i)) |
                     mo_neq(mo_load(a + i + MO_V), mo_load(b + i + MO_V)) |
                     mo_neq(mo_load(a + i + 2 * MO_V), mo_load(b + i + 2 * MO_V)) |
                     mo_neq(mo_load(a + i + 3 * MO_V), mo_load(b + i + 3 * MO_V));
        if (w) break;
    }
    for (; i + MO_V <= n; i += MO_V)
        if ((r = mo_cmp_at(a, b, i))) return r;
    return i < n ? mo_cmp_at(a, b, n - MO_V) : 0;
}

/* The methods one by one, for calibration (below 8V every one takes the no-loop path). */
static void *mo_memcpy_vm(void *restrict dst, const void *restrict src, size_t n) {
    if (n <= 8 * MO_V) return mo_memcpy(dst, src, n);
    mo_copy_vm(dst, src, n);
    return dst;
}
static void *mo_memcpy_rep(void *restrict dst, const void *restrict src, size_t n) {
    if (!MO_HAVE_REP || n <= 8 * MO_V) return mo_memcpy(dst, src, n);
    mo_rep_movsb(dst, src, n);
    return dst;
}
static void *mo_memcpy_nt(void *restrict dst, const void *restrict src, size_t n) {
    if (!MO_HAVE_NT || n <= 8 * MO_V || n < 64 + 4 * MO_V) return mo_memcpy(dst, src, n);
    mo_copy_nt(dst, src, n);
    return dst;
}
static void *mo_memset_vm(void *dst, int c, size_t n) {
    if (n <= 8 * MO_V) return mo_memset(dst, c, n);
    mo_set_vm(dst, c, n);
    return dst;
}
static void *mo_memset_rep(void *dst, int c, size_t n) {
    if (!MO_HAVE_REP || n <= 8 * MO_V) return mo_memset(dst, c, n);
    mo_rep_stosb(dst, c, n);
    return dst;
}
static void *mo_memset_nt(void *dst, int c, size_t n) {
    if (!MO_HAVE_NT || n <= 8 * MO_V || n < 64 + 4 * MO_V) return mo_memset(dst, c, n);
    mo_set_nt(dst, c, n);
    return dst;
}

#define MO_PASTE2(a, b) a##b
#define MO_PASTE(a, b)  MO_PASTE2(a, b)
const mem_memops_methods_t MO_PASTE(MO_TABLE, _methods) = {
    .copy = {[VM_MEMOPS_M_VM] = mo_memcpy_vm,
             [VM_MEMOPS_M_REP] = mo_memcpy_rep,
             [VM_MEMOPS_M_NT] = mo_memcpy_nt},
    .set = {[VM_MEMOPS_M_VM] = mo_memset_vm,
            [VM_MEMOPS_M_REP] = mo_memset_rep,
            [VM_MEMOPS_M_NT] = mo_memset_nt},
};

const vm_memops_table_t MO_TABLE = {
    .impl = MO_IMPL,
    .name = MO_NAME,
    .memcpy = mo_memcpy,
    .memmove = mo_memmove,
    .memset = mo_memset,
    .memcmp = mo_memcmp,
};
