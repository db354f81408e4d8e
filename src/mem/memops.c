/* memops.c - run-time dispatch of the bulk memory operations.
 *
 * vm_memcpy() and friends go through one atomic function pointer each (vm_memops_cur_*). The
 * pointers start at "first use" trampolines that resolve the implementation exactly once
 * (pthread_once): the host's best one, or the one VM_MEMOPS names when the host can run it,
 * plus the tier thresholds derived from the cache sizes and overridden by VM_MEMOPS_*_MIN.
 * After that a call from C costs one load and one indirect call (vm/memops.h inlines the
 * load into the caller), one jump less than a call through the PLT into the C library; the
 * out-of-line functions below (for addresses and C++) add the jump back.
 *
 * An implementation is only ever installed after vm_memops_supported() said yes, which
 * checks the CPU bits and the OS-enabled register state (vm_host_info()), so no path can
 * raise SIGILL. The thresholds only change speed, never results, so they are relaxed
 * atomics that the implementations read without ordering.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mem/memops_cal.h"
#include "mem/memops_impl.h"
#include "vm/host.h"
#include "vm/memops.h"

typedef vm_memops_memcpy_fn mo_memcpy_fn;
typedef vm_memops_memmove_fn mo_memmove_fn;
typedef vm_memops_memset_fn mo_memset_fn;
typedef vm_memops_memcmp_fn mo_memcmp_fn;

_Atomic size_t mem_memops_rep_movsb_min;
_Atomic size_t mem_memops_nt_min;
_Atomic size_t mem_memops_rep_stosb_min;
_Atomic unsigned char mem_memops_plan[VM_MEMOPS_OPS][VM_MEMOPS_CLASSES];
_Atomic size_t mem_memops_loop_below[2];

static const char *const impl_names[VM_MEMOPS_COUNT] = {
    [VM_MEMOPS_AUTO] = "auto", [VM_MEMOPS_SCALAR] = "scalar", [VM_MEMOPS_SSE2] = "sse2",
    [VM_MEMOPS_AVX2] = "avx2", [VM_MEMOPS_AVX512] = "avx512", [VM_MEMOPS_NEON] = "neon",
};

/* Vector width of each implementation; the no-loop tier goes up to 8 vectors. */
static const size_t impl_width[VM_MEMOPS_COUNT] = {
    [VM_MEMOPS_SCALAR] = 8,  [VM_MEMOPS_SSE2] = 16, [VM_MEMOPS_AVX2] = 32,
    [VM_MEMOPS_AVX512] = 64, [VM_MEMOPS_NEON] = 16,
};

static void *first_memcpy(void *restrict d, const void *restrict s, size_t n);
static void *first_memmove(void *d, const void *s, size_t n);
static void *first_memset(void *d, int c, size_t n);
static int first_memcmp(const void *a, const void *b, size_t n);

/* The dispatch pointers (vm/memops.h: its inline calls read them). */
_Atomic(mo_memcpy_fn) vm_memops_cur_memcpy = first_memcpy;
_Atomic(mo_memmove_fn) vm_memops_cur_memmove = first_memmove;
_Atomic(mo_memset_fn) vm_memops_cur_memset = first_memset;
_Atomic(mo_memcmp_fn) vm_memops_cur_memcmp = first_memcmp;
static _Atomic vm_memops_impl_t active_impl = VM_MEMOPS_AUTO;

static pthread_once_t resolve_once = PTHREAD_ONCE_INIT;
static int env_error;            /* -errno from VM_MEMOPS* at first resolution, or 0 */
static char env_why[160];        /* its message */
static atomic_bool env_reported; /* the message was printed or returned already */

static vm_memops_tuning_t current_tuning(void);
static void store_tuning(const vm_memops_tuning_t *t);

static const vm_memops_table_t *table_of(vm_memops_impl_t impl) {
    switch (impl) {
    case VM_MEMOPS_SCALAR: return &mem_memops_scalar;
    case VM_MEMOPS_SSE2: return MEM_MEMOPS_SSE2_TABLE;
    case VM_MEMOPS_AVX2: return MEM_MEMOPS_AVX2_TABLE;
    case VM_MEMOPS_AVX512: return MEM_MEMOPS_AVX512_TABLE;
    case VM_MEMOPS_NEON: return MEM_MEMOPS_NEON_TABLE;
    default: return NULL;
    }
}

bool vm_memops_supported(vm_memops_impl_t impl) {
    const vm_host_info_t *h = vm_host_info();
    if (impl == VM_MEMOPS_AUTO) return true;
    if (!table_of(impl)) return false; /* not built for this host architecture */
    switch (impl) {
    case VM_MEMOPS_SCALAR: return true;
    case VM_MEMOPS_SSE2: return h->sse2;
    case VM_MEMOPS_AVX2: return h->avx2;
    case VM_MEMOPS_AVX512: return h->avx512;
    case VM_MEMOPS_NEON: return h->neon;
    default: return false;
    }
}

/* The best implementation the host runs. */
static vm_memops_impl_t best_impl(void) {
    static const vm_memops_impl_t order[] = {VM_MEMOPS_AVX512, VM_MEMOPS_AVX2, VM_MEMOPS_SSE2,
                                             VM_MEMOPS_NEON};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (vm_memops_supported(order[i])) return order[i];
    return VM_MEMOPS_SCALAR;
}

/* On a host whose L3 is split into core-complex slices, an L3 figure above this cannot be the
 * slice a core reaches: it is a package total. */
#define MEM_L3_SLICE_CAP ((size_t)256 << 20)
/* What default_tuning takes instead: the L3 of one AMD Zen 3-5 core complex (the largest
 * slice without stacked cache). */
#define MEM_L3_SLICE_SIZE ((size_t)32 << 20)

/* Thresholds for impl on this host, from its cache sizes and copy-instruction bits. The
 * choices come from measurements recorded in docs/memory.md ("Size tiers"). */
static vm_memops_tuning_t default_tuning(vm_memops_impl_t impl) {
    const vm_host_info_t *h = vm_host_info();
    vm_memops_tuning_t t = {0};
    /* scalar stays plain C (the reference); NEON has neither tier. */
    if (impl == VM_MEMOPS_SCALAR || impl == VM_MEMOPS_NEON) return t;
    /* Streaming stores pay off once source plus destination no longer fit in the last-level
     * cache: from half of L3 (or 2x L2 when no L3 size is known; a default figure counts
     * as unknown). Where the L3 is sliced (AMD, Hygon), a figure above MEM_L3_SLICE_CAP is a
     * package total (the legacy AMD leaf 0x80000006 sums every core complex: 508 MiB on the
     * Zen 5 host of issue 14, where one core reaches a 32 MiB slice), so the slice's usual
     * size is taken instead. An unsliced L3 (Intel) is one cache for the package, shared by
     * every core (and, under a hypervisor, by other guests), so copies stream from a quarter
     * of it: on the Xeon host of issue 14 (480 MiB) a 16 MiB copy ran at 0.85-0.89x glibc's
     * speed when it streamed (the slice cap applied there before) and at 0.98x when not,
     * while a 256 MiB fill ran at 2.7x glibc's speed streaming and 1.00x not; a quarter
     * (copies from 120 MiB, fills from 240 MiB) puts both tiers between those sizes. */
    size_t l3 = h->l3_src == VM_HOST_SRC_DEFAULT ? 0 : h->l3_bytes;
    size_t l2 = h->l2_src == VM_HOST_SRC_DEFAULT ? 0 : h->l2_bytes;
    if (h->l3_sliced && l3 > MEM_L3_SLICE_CAP) l3 = MEM_L3_SLICE_SIZE;
    size_t llc = l3 ? l3 : 4 * l2;
    t.nt_min = llc ? llc / 2 : (size_t)8 << 20;
    if (l3 && !h->l3_sliced) t.nt_min = l3 / 4;
    /* 32-byte loops and 64-byte loops of 256-bit halves (Zen 4) match or beat `rep movsb` /
     * `rep stosb` at every size; a 16-byte loop stores half as much per cycle, and with ERMS
     * the string instructions overtake it from 1 KiB. Where 512-bit accesses run whole
     * (Zen 5), the zmm loop wins while the data fits in L1 and `rep` wins from there: copies
     * from 32 KiB (loop 396 ns, `rep movsb` 232 ns; at 16 KiB 74 against 119 ns), fills
     * from 1 MiB (loop 7.7 us, `rep stosb` 7.1 us; at 256 KiB 1.18 against 1.77 us). */
    if (impl == VM_MEMOPS_SSE2 && h->erms) t.rep_movsb_min = t.rep_stosb_min = 1024;
    if (impl == VM_MEMOPS_AVX512 && !h->zmm_halves && (h->erms || h->fsrm)) {
        t.rep_movsb_min = (size_t)32 << 10;
        t.rep_stosb_min = (size_t)1 << 20;
    }
    return t;
}

static pthread_mutex_t config_lock = PTHREAD_MUTEX_INITIALIZER; /* guards the fields below */
static bool caller_tuned;         /* vm_memops_set_tuning() was called: keep its values */
static bool env_set[3];           /* VM_MEMOPS_{REP_MOVSB,NT,REP_STOSB}_MIN present at last apply */
static size_t env_val[3];         /* and their values */
static int force_method = -1;     /* VM_MEMOPS_FORCE as a vm_memops_method_t, or -1 */
static vm_memops_plan_t cal_plan; /* the plan loaded or measured last (src DEFAULT: none) */

/* The router: installed for an operation only when its plan sends some size class to the C
 * library. Sizes outside the span of those classes (usually the small ones) cost one
 * subtract-and-compare and a jump through one pointer; inside it, a class test decides. */
static _Atomic size_t route_lo[VM_MEMOPS_OPS];     /* first size of the lowest such class */
static _Atomic size_t route_span[VM_MEMOPS_OPS];   /* sizes from route_lo that may go there */
static _Atomic unsigned route_mask[VM_MEMOPS_OPS]; /* which classes in that span do */
static _Atomic(mo_memcpy_fn) route_memcpy;         /* the implementation's functions */
static _Atomic(mo_memmove_fn) route_memmove;
static _Atomic(mo_memset_fn) route_memset;

/* True when row op sends size n to the C library. */
static inline bool routed(int op, size_t n) {
    if (n - atomic_load_explicit(&route_lo[op], memory_order_relaxed) >=
        atomic_load_explicit(&route_span[op], memory_order_relaxed))
        return false;
    return (atomic_load_explicit(&route_mask[op], memory_order_relaxed) >> mem_memops_class(n)) & 1;
}

static void *routed_memcpy(void *restrict d, const void *restrict s, size_t n) {
    if (routed(VM_MEMOPS_OP_COPY, n)) return memcpy(d, s, n);
    return atomic_load_explicit(&route_memcpy, memory_order_acquire)(d, s, n);
}
static void *routed_memset(void *d, int c, size_t n) {
    if (routed(VM_MEMOPS_OP_SET, n)) return memset(d, c, n);
    return atomic_load_explicit(&route_memset, memory_order_acquire)(d, c, n);
}
static void *routed_memmove(void *d, const void *s, size_t n) {
    if (routed(VM_MEMOPS_OP_MOVE, n) || routed(VM_MEMOPS_OP_COPY, n)) {
        uintptr_t ud = (uintptr_t)d, us = (uintptr_t)s;
        int op = ud - us >= n && us - ud >= n ? VM_MEMOPS_OP_COPY : VM_MEMOPS_OP_MOVE;
        if (routed(op, n)) return memmove(d, s, n);
    }
    return atomic_load_explicit(&route_memmove, memory_order_acquire)(d, s, n);
}

/* Publish the router's view of plan row op (mask: the classes sent to the C library). */
static void store_route(int op, unsigned mask) {
    size_t lo = 0, span = 0;
    if (mask) {
        int first = __builtin_ctz(mask), last = 31 - __builtin_clz(mask);
        lo = vm_memops_class_min(first);
        span = last + 1 < VM_MEMOPS_CLASSES ? vm_memops_class_min(last + 1) - lo : SIZE_MAX - lo;
    }
    atomic_store_explicit(&route_mask[op], mask, memory_order_relaxed);
    atomic_store_explicit(&route_lo[op], lo, memory_order_relaxed);
    atomic_store_explicit(&route_span[op], span, memory_order_relaxed);
}

/* The smallest size from which row op (COPY or SET) may leave vm's loop: the lower of its
 * thresholds (a fill streams from twice nt_min) and the first class that plan sends to `rep`
 * or streaming stores (LIBC classes never reach the implementation: the router takes them). */
static size_t loop_bound(int op, const vm_memops_tuning_t *tun,
                         const unsigned char plan[VM_MEMOPS_OPS][VM_MEMOPS_CLASSES]) {
    size_t bound = SIZE_MAX;
    size_t rep = op == VM_MEMOPS_OP_COPY ? tun->rep_movsb_min : tun->rep_stosb_min;
    size_t nt = op == VM_MEMOPS_OP_COPY ? tun->nt_min
                                        : (tun->nt_min > SIZE_MAX / 2 ? SIZE_MAX : 2 * tun->nt_min);
    if (rep && rep < bound) bound = rep;
    if (tun->nt_min && nt < bound) bound = nt;
    for (int c = 0; c < VM_MEMOPS_CLASSES; c++)
        if (plan[op][c] == VM_MEMOPS_M_REP || plan[op][c] == VM_MEMOPS_M_NT) {
            size_t lo = vm_memops_class_min(c);
            if (lo < bound) bound = lo;
            break;
        }
    return bound;
}

/* Finish installing impl with thresholds tun: put the calibrated plan in force when it was
 * measured for impl and nothing overrides it (VM_MEMOPS_*_MIN, vm_memops_set_tuning), or the
 * VM_MEMOPS_FORCE method everywhere; then publish the thresholds and the pointers. */
static void finish_install_locked(vm_memops_impl_t impl, vm_memops_tuning_t tun) {
    const vm_memops_table_t *t = table_of(impl);
    unsigned char plan[VM_MEMOPS_OPS][VM_MEMOPS_CLASSES];
    memset(plan, VM_MEMOPS_M_VM, sizeof plan);
    bool env_thresholds = env_set[0] || env_set[1] || env_set[2];
    cal_plan.in_force = false;
    if (force_method >= 0) {
        memset(plan, force_method, sizeof plan);
        if (force_method != VM_MEMOPS_M_LIBC) /* overlapping moves: vm or the C library */
            memset(plan[VM_MEMOPS_OP_MOVE], VM_MEMOPS_M_VM, VM_MEMOPS_CLASSES);
    } else if ((cal_plan.src == VM_MEMOPS_PLAN_CACHE || cal_plan.src == VM_MEMOPS_PLAN_MEASURED) &&
               cal_plan.impl == impl && !caller_tuned && !env_thresholds) {
        memcpy(plan, cal_plan.method, sizeof plan);
        tun.rep_movsb_min = tun.rep_stosb_min = 0; /* the plan says where `rep` pays */
        cal_plan.in_force = true;
    }
    unsigned mask[VM_MEMOPS_OPS] = {0};
    for (int op = 0; op < VM_MEMOPS_OPS; op++)
        for (int c = 0; c < VM_MEMOPS_CLASSES; c++) {
            atomic_store_explicit(&mem_memops_plan[op][c], plan[op][c], memory_order_relaxed);
            if (plan[op][c] == VM_MEMOPS_M_LIBC) mask[op] |= 1u << c;
        }
    store_tuning(&tun);
    atomic_store_explicit(&mem_memops_loop_below[VM_MEMOPS_OP_COPY],
                          loop_bound(VM_MEMOPS_OP_COPY, &tun, plan), memory_order_relaxed);
    atomic_store_explicit(&mem_memops_loop_below[VM_MEMOPS_OP_SET],
                          loop_bound(VM_MEMOPS_OP_SET, &tun, plan), memory_order_relaxed);
    atomic_store_explicit(&route_memcpy, t->memcpy, memory_order_release);
    atomic_store_explicit(&route_memmove, t->memmove, memory_order_release);
    atomic_store_explicit(&route_memset, t->memset, memory_order_release);
    for (int op = 0; op < VM_MEMOPS_OPS; op++)
        store_route(op, mask[op]);
    bool route_move = mask[VM_MEMOPS_OP_MOVE] || mask[VM_MEMOPS_OP_COPY];
    atomic_store_explicit(&vm_memops_cur_memcpy,
                          mask[VM_MEMOPS_OP_COPY] ? routed_memcpy : t->memcpy,
                          memory_order_release);
    atomic_store_explicit(&vm_memops_cur_memmove, route_move ? routed_memmove : t->memmove,
                          memory_order_release);
    atomic_store_explicit(&vm_memops_cur_memset, mask[VM_MEMOPS_OP_SET] ? routed_memset : t->memset,
                          memory_order_release);
    atomic_store_explicit(&vm_memops_cur_memcmp, t->memcmp, memory_order_release);
    atomic_store_explicit(&active_impl, impl, memory_order_release);
}

/* Install impl and the thresholds that go with it: the caller's if it set any, else the
 * defaults for impl; threshold variables from the environment override either. */
static void install_locked(vm_memops_impl_t impl) {
    vm_memops_tuning_t tun = caller_tuned ? current_tuning() : default_tuning(impl);
    size_t *fields[] = {&tun.rep_movsb_min, &tun.nt_min, &tun.rep_stosb_min};
    for (int i = 0; i < 3; i++)
        if (env_set[i]) *fields[i] = env_val[i];
    finish_install_locked(impl, tun);
}

/* Parse a byte count: decimal with an optional K, M or G suffix (binary units). */
static int parse_size(const char *s, size_t *out) {
    if (!s || !isdigit((unsigned char)*s)) return -EINVAL;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno) return -EINVAL;
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k') shift = 10;
    if (*end == 'M' || *end == 'm') shift = 20;
    if (*end == 'G' || *end == 'g') shift = 30;
    if (shift) end++;
    if (*end || v > (SIZE_MAX >> shift)) return -EINVAL;
    *out = (size_t)(v << shift);
    return 0;
}

/* Apply VM_MEMOPS and the threshold variables; on error nothing is changed. */
static int apply_env_locked(char *why, size_t why_cap) {
    vm_memops_impl_t impl = VM_MEMOPS_AUTO;
    const char *name = getenv("VM_MEMOPS");
    if (name && *name) {
        if (vm_memops_parse(name, &impl)) {
            snprintf(why, why_cap,
                     "VM_MEMOPS=%.32s: unknown implementation (expected auto, scalar, sse2, "
                     "avx2, avx512 or neon)",
                     name);
            return -EINVAL;
        }
        if (!vm_memops_supported(impl)) {
            snprintf(why, why_cap, "VM_MEMOPS=%s: this host's CPU or OS cannot run it", name);
            return -ENOTSUP;
        }
    }
    static const char *const vars[] = {"VM_MEMOPS_REP_MOVSB_MIN", "VM_MEMOPS_NT_MIN",
                                       "VM_MEMOPS_REP_STOSB_MIN"};
    bool set[3];
    size_t val[3] = {0};
    for (size_t i = 0; i < 3; i++) {
        const char *v = getenv(vars[i]);
        set[i] = v != NULL;
        if (v && parse_size(v, &val[i])) {
            snprintf(why, why_cap, "%s=%.32s: not a byte count (digits with optional K/M/G)",
                     vars[i], v);
            return -EINVAL;
        }
    }
    int force = -1;
    const char *fm = getenv("VM_MEMOPS_FORCE");
    if (fm && *fm) {
        for (int i = 0; i < VM_MEMOPS_M_COUNT; i++)
            if (!strcasecmp(fm, vm_memops_method_name((vm_memops_method_t)i))) force = i;
        if (force < 0) {
            snprintf(why, why_cap,
                     "VM_MEMOPS_FORCE=%.32s: unknown method (expected vm, rep, nt or libc)", fm);
            return -EINVAL;
        }
    }
    force_method = force;
    memcpy(env_set, set, sizeof env_set);
    memcpy(env_val, val, sizeof env_val);
    install_locked(impl == VM_MEMOPS_AUTO ? best_impl() : impl);
    return 0;
}

/* VM_MEMOPS_CALIBRATE: "off" (defaults, no cache file), "cached" (use a cache file but
 * never measure unasked) or anything else / unset ("auto": measure when needed). */
static int cal_env(void) {
    const char *v = getenv("VM_MEMOPS_CALIBRATE");
    if (v && !strcasecmp(v, "off")) return 0;
    if (v && !strcasecmp(v, "cached")) return 1;
    return 2;
}

/* Load the cache file for impl into cal_plan; true when a valid one was found. */
static bool load_cache_locked(vm_memops_impl_t impl) {
    char id[384];
    vm_memops_plan_t p;
    mem_cal_identity(id, sizeof id, impl);
    memset(&p, 0, sizeof p);
    if (mem_cal_path(p.path, sizeof p.path, id)) return false;
    char path[sizeof p.path];
    memcpy(path, p.path, sizeof path);
    if (mem_cal_load(path, id, &p)) {
        if (cal_plan.impl != impl || cal_plan.src == VM_MEMOPS_PLAN_DEFAULT) {
            memset(&cal_plan, 0, sizeof cal_plan);
            cal_plan.impl = impl;
            memcpy(cal_plan.path, path, sizeof path);
        }
        return false;
    }
    p.impl = impl;
    memcpy(p.path, path, sizeof path);
    cal_plan = p;
    return true;
}

static void resolve(void) {
    pthread_mutex_lock(&config_lock);
    install_locked(best_impl());
    env_error = apply_env_locked(env_why, sizeof env_why);
    vm_memops_impl_t impl = atomic_load_explicit(&active_impl, memory_order_relaxed);
    if (cal_env() && load_cache_locked(impl)) install_locked(impl);
    pthread_mutex_unlock(&config_lock);
}

/* First call through a trampoline: resolve, and say once if the environment was ignored. */
static void first_use(void) {
    pthread_once(&resolve_once, resolve);
    if (env_error && !atomic_exchange(&env_reported, true))
        fprintf(stderr, "vm: %s; using %s\n", env_why, vm_memops_name(vm_memops_active()));
}

static void *first_memcpy(void *restrict d, const void *restrict s, size_t n) {
    first_use();
    return atomic_load_explicit(&vm_memops_cur_memcpy, memory_order_acquire)(d, s, n);
}
static void *first_memmove(void *d, const void *s, size_t n) {
    first_use();
    return atomic_load_explicit(&vm_memops_cur_memmove, memory_order_acquire)(d, s, n);
}
static void *first_memset(void *d, int c, size_t n) {
    first_use();
    return atomic_load_explicit(&vm_memops_cur_memset, memory_order_acquire)(d, c, n);
}
static int first_memcmp(const void *a, const void *b, size_t n) {
    first_use();
    return atomic_load_explicit(&vm_memops_cur_memcmp, memory_order_acquire)(a, b, n);
}

/* The out-of-line entries (the names in parentheses are not the header's inline macros). */
void *(vm_memcpy)(void *restrict dst, const void *restrict src, size_t n) {
    return vm_memops_call_memcpy(dst, src, n);
}
void *(vm_memmove)(void *dst, const void *src, size_t n) {
    return vm_memops_call_memmove(dst, src, n);
}
void *(vm_memset)(void *dst, int c, size_t n) {
    return vm_memops_call_memset(dst, c, n);
}
int(vm_memcmp)(const void *a, const void *b, size_t n) {
    return vm_memops_call_memcmp(a, b, n);
}

const char *vm_memops_name(vm_memops_impl_t impl) {
    return (unsigned)impl < VM_MEMOPS_COUNT ? impl_names[impl] : "invalid";
}

int vm_memops_parse(const char *name, vm_memops_impl_t *out) {
    if (!name) return -EINVAL;
    for (int i = 0; i < VM_MEMOPS_COUNT; i++)
        if (!strcasecmp(name, impl_names[i])) {
            *out = (vm_memops_impl_t)i;
            return 0;
        }
    return -EINVAL;
}

const vm_memops_table_t *vm_memops_table(vm_memops_impl_t impl) {
    pthread_once(&resolve_once, resolve); /* thresholds in force before any direct call */
    if (impl == VM_MEMOPS_AUTO) impl = best_impl();
    return vm_memops_supported(impl) ? table_of(impl) : NULL;
}

int vm_memops_select(vm_memops_impl_t impl) {
    if ((unsigned)impl >= VM_MEMOPS_COUNT) return -EINVAL;
    pthread_once(&resolve_once, resolve);
    if (!vm_memops_supported(impl)) return -ENOTSUP;
    pthread_mutex_lock(&config_lock);
    install_locked(impl == VM_MEMOPS_AUTO ? best_impl() : impl);
    pthread_mutex_unlock(&config_lock);
    return 0;
}

int vm_memops_init_from_env(const char **why) {
    static _Thread_local char msg[160];
    pthread_once(&resolve_once, resolve);
    atomic_store(&env_reported, true); /* the caller handles errors from here on */
    pthread_mutex_lock(&config_lock);
    int err = apply_env_locked(msg, sizeof msg);
    pthread_mutex_unlock(&config_lock);
    if (why) *why = err ? msg : NULL;
    return err;
}

vm_memops_impl_t vm_memops_active(void) {
    pthread_once(&resolve_once, resolve);
    return atomic_load_explicit(&active_impl, memory_order_acquire);
}

/* The thresholds in force, without triggering resolution (resolve() itself uses it). */
static vm_memops_tuning_t current_tuning(void) {
    vm_memops_tuning_t t;
    vm_memops_impl_t impl = atomic_load_explicit(&active_impl, memory_order_acquire);
    size_t width = impl_width[impl == VM_MEMOPS_AUTO ? VM_MEMOPS_SCALAR : impl];
    t.small_max = 8 * width;
    /* Disjoint copies of 8-16 vectors take the no-loop path whenever they stay with vm's
     * method: below the loop bound (no `rep` or streaming there) and not routed to the C
     * library by the plan. */
    t.copy_small_max = t.small_max;
    if (atomic_load_explicit(&mem_memops_loop_below[VM_MEMOPS_OP_COPY], memory_order_relaxed) >
        16 * width) {
        bool vm_only = true;
        for (unsigned c = mem_memops_class(8 * width + 1); c <= mem_memops_class(16 * width); c++)
            if (atomic_load_explicit(&mem_memops_plan[VM_MEMOPS_OP_COPY][c],
                                     memory_order_relaxed) != VM_MEMOPS_M_VM)
                vm_only = false;
        if (vm_only) t.copy_small_max = 16 * width;
    }
    t.rep_movsb_min = atomic_load_explicit(&mem_memops_rep_movsb_min, memory_order_relaxed);
    t.nt_min = atomic_load_explicit(&mem_memops_nt_min, memory_order_relaxed);
    t.rep_stosb_min = atomic_load_explicit(&mem_memops_rep_stosb_min, memory_order_relaxed);
    return t;
}

vm_memops_tuning_t vm_memops_tuning(void) {
    pthread_once(&resolve_once, resolve);
    return current_tuning();
}

/* Store thresholds without triggering resolution. */
static void store_tuning(const vm_memops_tuning_t *t) {
    atomic_store_explicit(&mem_memops_rep_movsb_min, t->rep_movsb_min, memory_order_relaxed);
    atomic_store_explicit(&mem_memops_nt_min, t->nt_min, memory_order_relaxed);
    atomic_store_explicit(&mem_memops_rep_stosb_min, t->rep_stosb_min, memory_order_relaxed);
}

void vm_memops_set_tuning(const vm_memops_tuning_t *t) {
    pthread_once(&resolve_once, resolve); /* so first use cannot overwrite them later */
    pthread_mutex_lock(&config_lock);
    caller_tuned = true; /* takes the calibrated plan out of force */
    finish_install_locked(atomic_load_explicit(&active_impl, memory_order_relaxed), *t);
    pthread_mutex_unlock(&config_lock);
}

void vm_memops_reset_tuning(void) {
    pthread_once(&resolve_once, resolve);
    pthread_mutex_lock(&config_lock);
    caller_tuned = false;
    install_locked(atomic_load_explicit(&active_impl, memory_order_relaxed));
    pthread_mutex_unlock(&config_lock);
}

static pthread_mutex_t cal_lock = PTHREAD_MUTEX_INITIALIZER; /* one calibration at a time */
static bool cal_measured[VM_MEMOPS_COUNT]; /* IF_NEEDED measured impl already (cal_lock) */

int vm_memops_calibrate(vm_memops_cal_mode_t mode) {
    pthread_once(&resolve_once, resolve);
    int env = cal_env();
    if (mode == VM_MEMOPS_CAL_IF_NEEDED && env == 0) return 0;
    pthread_mutex_lock(&cal_lock);
    pthread_mutex_lock(&config_lock);
    vm_memops_impl_t impl = atomic_load_explicit(&active_impl, memory_order_relaxed);
    bool have = cal_plan.impl == impl &&
                (cal_plan.src == VM_MEMOPS_PLAN_CACHE || cal_plan.src == VM_MEMOPS_PLAN_MEASURED);
    if (mode == VM_MEMOPS_CAL_IF_NEEDED && !have && load_cache_locked(impl)) {
        install_locked(impl);
        have = true;
    }
    vm_memops_tuning_t def = default_tuning(impl);
    def.small_max = 8 * impl_width[impl];
    pthread_mutex_unlock(&config_lock);
    if (mode == VM_MEMOPS_CAL_IF_NEEDED && (have || env == 1 || cal_measured[impl])) {
        pthread_mutex_unlock(&cal_lock);
        return 0;
    }
    cal_measured[impl] = true;
    vm_memops_plan_t p;
    int err = mem_cal_measure(impl, &def, MEM_CAL_BUDGET_MS, &p);
    if (!err) {
        char id[384];
        mem_cal_identity(id, sizeof id, impl);
        if (!mem_cal_path(p.path, sizeof p.path, id))
            (void)mem_cal_save(p.path, &p, id); /* an unwritable cache only costs a re-run */
        pthread_mutex_lock(&config_lock);
        cal_plan = p;
        if (atomic_load_explicit(&active_impl, memory_order_relaxed) == impl) install_locked(impl);
        pthread_mutex_unlock(&config_lock);
    }
    pthread_mutex_unlock(&cal_lock);
    return err;
}

vm_memops_plan_t vm_memops_plan(void) {
    pthread_once(&resolve_once, resolve);
    pthread_mutex_lock(&config_lock);
    vm_memops_plan_t p = cal_plan;
    vm_memops_impl_t impl = atomic_load_explicit(&active_impl, memory_order_relaxed);
    if (force_method >= 0) {
        p.src = VM_MEMOPS_PLAN_FORCED;
        p.in_force = true;
    }
    if (force_method >= 0 || !p.in_force) { /* report what the implementations really do */
        vm_memops_tuning_t t = current_tuning();
        p.impl = impl;
        for (int op = 0; op < VM_MEMOPS_OPS; op++)
            for (int c = 0; c < VM_MEMOPS_CLASSES; c++) {
                unsigned m = atomic_load_explicit(&mem_memops_plan[op][c], memory_order_relaxed);
                if (m == VM_MEMOPS_M_VM)
                    m = mem_cal_default_method(&t, op, vm_memops_class_size(c));
                p.method[op][c] = (unsigned char)m;
            }
    }
    pthread_mutex_unlock(&config_lock);
    return p;
}
