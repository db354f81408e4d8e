/* memops_cal.c - calibration of the memops tiers on the host vm runs on, and its cache.
 *
 * The size tiers were first chosen from measurements on two development hosts; another CPU
 * of the same class may want other choices (issue 14 found vm at 0.7-0.8x the C library at
 * some sizes on one). Calibration measures, per size class (memops.h: 10 classes from 0, 128,
 * 512 B, 2, 8, 32, 128, 256, 512 KiB and 2 MiB, each timed at one size inside it: 64, 256 B,
 * 1, 4, 16, 64, 192, 384 KiB, 1 and 3 MiB), the candidates that can serve it:
 *   copy   vm's path (the no-loop code up to 8 vectors, the vector loop above), `rep movsb`
 *          where ERMS or FSRM is present and the class is above 8 vectors, streaming stores
 *          from 128 KiB (the "large" classes), and the C library's memcpy;
 *   set    the same with `rep stosb` and memset;
 *   move   (overlapping) vm's path and the C library's memmove.
 * The classes are factors of 4 apart up to 32 KiB, then 128, 256 and 512 KiB: between L1
 * and L3 the crossovers between the loop and the string instructions move with the L2 size
 * (a Zen 5 fill: loop 1.5x faster at 256 KiB, `rep stosb` faster at 1 MiB), and one class
 * for 256 KiB-2 MiB could keep only one of the two.
 *
 * The candidates of one class are timed interleaved: each round runs every candidate once,
 * in a rotating order, as a batch of calls moving about 64 KiB (one call from 128 KiB, after
 * an untimed one when streaming stores ran just before), after one untimed warm-up call
 * each, over 7 rounds (5 for the large classes); a candidate clearly slower than another
 * after two rounds is timed no more (mem_cal_loser). The default
 * method of the class (what the thresholds of the implementation choose) stays unless the
 * fastest candidate's minimum over the rounds is at most MEM_CAL_MARGIN (0.92) of the
 * default's and the median of their per-round ratios is too (mem_cal_decide): a win of less
 * than 8% on a shared machine, or one lucky round, does not flip a choice. The C library is
 * timed through a wrapper that does the same class test as the dispatcher's router, so its
 * figure includes what routing to it costs.
 *
 * Time. The bound is 50 ms of wall time, once per CPU. On a virtual host the first write to
 * fresh memory is what costs (the hypervisor backs the page then: up to 20 us per 4 KiB
 * page, and a fault on memory advised for huge pages zeroes 2 MiB at once, 28-33 ms for the
 * first two on one host), not the timing itself (a few ms for all classes). So the buffers
 * are 4 KiB pages (MADV_NOHUGEPAGE), written only as far as each class needs, just before
 * it, in 64 KiB chunks with a look at the clock between chunks; before a class starts, the
 * cost per byte of the writes and of the timing so far predicts whether it still fits. The
 * classes up to 64 KiB need 144 KiB of buffers, the 1 MiB one 2.3 MiB, the 3 MiB one
 * 6.8 MiB: the large ones are measured as far as the budget (MEM_CAL_BUDGET_MS, 42 ms) allows. A
 * class that does not fit, or whose timing the clock interrupts after a round, keeps the default,
 * as do all larger ones, and the plan is marked partial. Sizes above the measured ones (from nt_min
 * on) remain governed by the streaming threshold derived from the cache size.
 *
 * The cache file is a few lines of text (see mem_cal_format): a format line, the identity it
 * was measured for, one line per operation naming the method of each class, the time the
 * measurement took, and an FNV-1a checksum of everything before it. Anything that does not
 * parse exactly, a checksum mismatch and another identity all mean "no cache": the caller
 * then measures again. Files are written to a temporary name and renamed, so a reader never
 * sees half a file; a directory that cannot be written only means the next run measures too.
 */
#include "mem/memops_cal.h"

#include <errno.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mem/asan.h"
#include "mem/memops_arch.h"
#include "vm/host.h"
#include "vm/version.h"

static const size_t class_min[VM_MEMOPS_CLASSES] = {
    0, 128, 512, 2 << 10, 8 << 10, 32 << 10, 128 << 10, 256 << 10, 512 << 10, 2 << 20,
};
static const size_t class_size[VM_MEMOPS_CLASSES] = {
    64, 256, 1 << 10, 4 << 10, 16 << 10, 64 << 10, 192 << 10, 384 << 10, 1 << 20, 3 << 20,
};
static const char *const method_names[VM_MEMOPS_M_COUNT] = {"vm", "rep", "nt", "libc"};
static const char *const op_names[VM_MEMOPS_OPS] = {"copy", "set", "move"};

size_t vm_memops_class_min(int c) {
    return c >= 0 && c < VM_MEMOPS_CLASSES ? class_min[c] : 0;
}

size_t vm_memops_class_size(int c) {
    return c >= 0 && c < VM_MEMOPS_CLASSES ? class_size[c] : 0;
}

const char *vm_memops_method_name(vm_memops_method_t m) {
    return (unsigned)m < VM_MEMOPS_M_COUNT ? method_names[m] : "invalid";
}

/* ---- identity, path, file format ---------------------------------------------------- */

static uint64_t fnv1a(const void *p, size_t n) {
    const unsigned char *b = p;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

void mem_cal_identity(char *buf, size_t cap, vm_memops_impl_t impl) {
    const vm_host_info_t *h = vm_host_info();
#ifdef VM_MEM_ASAN
    const char *flavour = "sanitized";
#else
    const char *flavour = "plain";
#endif
    snprintf(buf, cap, "%s;%s;sig=%08x;ucode=%s;impl=%s;erms=%d;fsrm=%d;vm=%s;%s", h->arch,
             h->model, h->cpu_signature, h->microcode, vm_memops_name(impl), h->erms, h->fsrm,
             vm_version(), flavour);
    for (char *c = buf; *c; c++)
        if (*c == '\n' || *c == '\r') *c = ' ';
}

int mem_cal_path(char *buf, size_t cap, const char *id) {
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    unsigned long long h = (unsigned long long)fnv1a(id, strlen(id));
    int n;
    if (xdg && xdg[0] == '/')
        n = snprintf(buf, cap, "%s/vm/memops-%016llx.cal", xdg, h);
    else if (home && home[0])
        n = snprintf(buf, cap, "%s/.cache/vm/memops-%016llx.cal", home, h);
    else
        n = -1;
    if (n < 0 || (size_t)n >= cap) {
        if (cap) buf[0] = '\0';
        return -ENOENT;
    }
    return 0;
}

int mem_cal_format(const vm_memops_plan_t *p, const char *id, char *buf, size_t cap) {
    size_t len = 0;
    int n = snprintf(buf, cap, "vm memops calibration %d\nid %s\n", MEM_CAL_FORMAT, id);
    if (n < 0 || (size_t)n >= cap) return -ENOSPC;
    len = (size_t)n;
    for (int op = 0; op < VM_MEMOPS_OPS; op++) {
        n = snprintf(buf + len, cap - len, "%s", op_names[op]);
        if (n < 0 || (size_t)n >= cap - len) return -ENOSPC;
        len += (size_t)n;
        for (int c = 0; c < VM_MEMOPS_CLASSES; c++) {
            n = snprintf(buf + len, cap - len, " %s",
                         vm_memops_method_name((vm_memops_method_t)p->method[op][c]));
            if (n < 0 || (size_t)n >= cap - len) return -ENOSPC;
            len += (size_t)n;
        }
        if (len + 1 >= cap) return -ENOSPC;
        buf[len++] = '\n';
    }
    n = snprintf(buf + len, cap - len, "ms %.3f\npartial %d\n", p->ms, p->partial ? 1 : 0);
    if (n < 0 || (size_t)n >= cap - len) return -ENOSPC;
    len += (size_t)n;
    n = snprintf(buf + len, cap - len, "sum %016llx\n", (unsigned long long)fnv1a(buf, len));
    if (n < 0 || (size_t)n >= cap - len) return -ENOSPC;
    return (int)(len + (size_t)n);
}

/* The next line of [*pos, end) into line (NUL-terminated, without '\n'); false at the end,
 * for an unterminated line, a NUL byte or a line longer than cap. */
static bool next_line(const char **pos, const char *end, char *line, size_t cap) {
    const char *p = *pos;
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl || (size_t)(nl - p) >= cap || memchr(p, '\0', (size_t)(nl - p))) return false;
    memcpy(line, p, (size_t)(nl - p));
    line[nl - p] = '\0';
    *pos = nl + 1;
    return true;
}

int mem_cal_parse(const char *buf, size_t len, const char *id, vm_memops_plan_t *p) {
    const char *pos = buf, *end = buf + len;
    char line[512];
    vm_memops_plan_t out;
    memset(&out, 0, sizeof out);
    int version;
    char tail;
    if (!buf || !next_line(&pos, end, line, sizeof line) ||
        sscanf(line, "vm memops calibration %d%c", &version, &tail) != 1 ||
        version != MEM_CAL_FORMAT)
        return -EINVAL;
    if (!next_line(&pos, end, line, sizeof line) || strncmp(line, "id ", 3)) return -EINVAL;
    bool foreign = strcmp(line + 3, id) != 0;
    for (int op = 0; op < VM_MEMOPS_OPS; op++) {
        if (!next_line(&pos, end, line, sizeof line)) return -EINVAL;
        size_t k = strlen(op_names[op]);
        if (strncmp(line, op_names[op], k)) return -EINVAL;
        const char *q = line + k;
        for (int c = 0; c < VM_MEMOPS_CLASSES; c++) {
            if (*q++ != ' ') return -EINVAL;
            int m = -1;
            for (int i = 0; i < VM_MEMOPS_M_COUNT; i++) {
                size_t l = strlen(method_names[i]);
                if (!strncmp(q, method_names[i], l) && (q[l] == ' ' || q[l] == '\0')) {
                    m = i;
                    q += l;
                    break;
                }
            }
            if (m < 0) return -EINVAL;
            /* Overlapping moves can only be vm's loop or the C library's memmove. */
            if (op == VM_MEMOPS_OP_MOVE && m != VM_MEMOPS_M_VM && m != VM_MEMOPS_M_LIBC)
                return -EINVAL;
            out.method[op][c] = (unsigned char)m;
        }
        if (*q) return -EINVAL;
    }
    double ms;
    int partial;
    if (!next_line(&pos, end, line, sizeof line) || sscanf(line, "ms %lf%c", &ms, &tail) != 1 ||
        !(ms >= 0 && ms < 1e6))
        return -EINVAL;
    if (!next_line(&pos, end, line, sizeof line) ||
        sscanf(line, "partial %d%c", &partial, &tail) != 1 || (partial != 0 && partial != 1))
        return -EINVAL;
    size_t summed = (size_t)(pos - buf);
    char want[32];
    snprintf(want, sizeof want, "sum %016llx", (unsigned long long)fnv1a(buf, summed));
    if (!next_line(&pos, end, line, sizeof line) || strcmp(line, want) || pos != end)
        return -EINVAL;
    if (foreign) return -ESTALE;
    out.ms = ms;
    out.partial = partial == 1;
    out.src = VM_MEMOPS_PLAN_CACHE;
    *p = out;
    return 0;
}

int mem_cal_load(const char *path, const char *id, vm_memops_plan_t *p) {
    char buf[2048];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? -ENOENT : -EIO;
    size_t len = 0;
    for (;;) {
        ssize_t r = read(fd, buf + len, sizeof buf - len);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            close(fd);
            return -EIO;
        }
        if (r == 0) break;
        len += (size_t)r;
        if (len == sizeof buf) { /* far longer than any valid file */
            close(fd);
            return -EINVAL;
        }
    }
    close(fd);
    return mem_cal_parse(buf, len, id, p);
}

/* mkdir -p of the directory part of path. */
static int make_dirs(const char *path) {
    char dir[512];
    size_t n = strlen(path);
    if (n >= sizeof dir) return -ENAMETOOLONG;
    memcpy(dir, path, n + 1);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir) return 0;
    *slash = '\0';
    for (char *c = dir + 1; *c; c++) {
        if (*c != '/') continue;
        *c = '\0';
        if (mkdir(dir, 0755) && errno != EEXIST) return -errno;
        *c = '/';
    }
    if (mkdir(dir, 0755) && errno != EEXIST) return -errno;
    return 0;
}

int mem_cal_save(const char *path, const vm_memops_plan_t *p, const char *id) {
    char buf[2048], tmp[600];
    int len = mem_cal_format(p, id, buf, sizeof buf);
    if (len < 0) return len;
    int err = make_dirs(path);
    if (err) return err;
    int n = snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof tmp) return -ENAMETOOLONG;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return -errno;
    ssize_t w = write(fd, buf, (size_t)len);
    err = w == len ? 0 : -EIO;
    if (close(fd) && !err) err = -EIO;
    if (!err && rename(tmp, path)) err = -errno;
    if (err) unlink(tmp);
    return err;
}

/* ---- measurement --------------------------------------------------------------------- */

vm_memops_method_t mem_cal_default_method(const vm_memops_tuning_t *t, int op, size_t n) {
    if (op == VM_MEMOPS_OP_MOVE || n <= t->small_max) return VM_MEMOPS_M_VM;
    if (op == VM_MEMOPS_OP_COPY) {
        if (t->nt_min && n >= t->nt_min) return VM_MEMOPS_M_NT;
        if (t->rep_movsb_min && n >= t->rep_movsb_min) return VM_MEMOPS_M_REP;
    } else {
        if (t->nt_min && n / 2 >= t->nt_min) return VM_MEMOPS_M_NT;
        if (t->rep_stosb_min && n >= t->rep_stosb_min) return VM_MEMOPS_M_REP;
    }
    return VM_MEMOPS_M_VM;
}

static const mem_memops_methods_t *methods_of(vm_memops_impl_t impl) {
    switch (impl) {
    case VM_MEMOPS_SCALAR: return &mem_memops_scalar_methods;
    case VM_MEMOPS_SSE2: return MEM_MEMOPS_SSE2_METHODS;
    case VM_MEMOPS_AVX2: return MEM_MEMOPS_AVX2_METHODS;
    case VM_MEMOPS_AVX512: return MEM_MEMOPS_AVX512_METHODS;
    case VM_MEMOPS_NEON: return MEM_MEMOPS_NEON_METHODS;
    default: return NULL;
    }
}

/* The C library reached the way the dispatcher's router reaches it: a class test, then the
 * call through the PLT. The mask is an atomic in memory, as the router's is, so the test is
 * not folded away. */
static _Atomic unsigned cal_route_mask = ~0u;
static _Atomic size_t cal_route_lo = 0, cal_route_span = SIZE_MAX;
#define CAL_ROUTED(n)                                                                              \
    ((n)-atomic_load_explicit(&cal_route_lo, memory_order_relaxed) <                               \
         atomic_load_explicit(&cal_route_span, memory_order_relaxed) &&                            \
     ((atomic_load_explicit(&cal_route_mask, memory_order_relaxed) >> mem_memops_class(n)) & 1))
__attribute__((noinline)) static void *cal_libc_memcpy(void *restrict d, const void *restrict s,
                                                       size_t n) {
    if (CAL_ROUTED(n)) return memcpy(d, s, n);
    return d;
}
__attribute__((noinline)) static void *cal_libc_memset(void *d, int c, size_t n) {
    if (CAL_ROUTED(n)) return memset(d, c, n);
    return d;
}
__attribute__((noinline)) static void *cal_libc_memmove(void *d, const void *s, size_t n) {
    if (CAL_ROUTED(n)) return memmove(d, s, n);
    return d;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* CPU time of the calling thread, ms: what the predictions of the work use (wall time
 * minus it is time the thread waited for a CPU). */
static double cpu_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

enum { CAL_MAX_CAND = MEM_CAL_MAX_CAND, CAL_ROUNDS = 7 };
_Static_assert(CAL_ROUNDS <= MEM_CAL_MAX_ROUNDS, "rounds fit mem_cal_decide's rows");

int mem_cal_decide(const double t[][MEM_CAL_MAX_ROUNDS], int nc, int rounds, int def,
                   double margin) {
    if (nc <= 0 || rounds <= 0 || rounds > MEM_CAL_MAX_ROUNDS) return def;
    double mins[MEM_CAL_MAX_CAND];
    if (nc > MEM_CAL_MAX_CAND) return def;
    int best = 0;
    for (int k = 0; k < nc; k++) {
        mins[k] = t[k][0];
        for (int r = 1; r < rounds; r++)
            if (t[k][r] < mins[k]) mins[k] = t[k][r];
        if (mins[k] < mins[best]) best = k;
    }
    /* A near tie (2%) goes to the earlier candidate: the callers list vm's own methods first
     * and the C library last, whose router costs every call a little. */
    for (int k = 0; k < best; k++)
        if (mins[k] <= mins[best] * 1.02) {
            best = k;
            break;
        }
    if (def < 0 || def >= nc) return best;
    if (best == def || !(mins[best] <= mins[def] * margin)) return def;
    /* The same candidates in the same rounds: their ratio cancels what a round's load did to
     * both. Its median must show the win too. */
    double ratio[MEM_CAL_MAX_ROUNDS];
    for (int r = 0; r < rounds; r++)
        ratio[r] = t[def][r] > 0 ? t[best][r] / t[def][r] : 1e9;
    qsort(ratio, (size_t)rounds, sizeof ratio[0], cmp_double);
    double med = rounds & 1 ? ratio[rounds / 2] : (ratio[rounds / 2 - 1] + ratio[rounds / 2]) / 2;
    return med <= margin ? best : def;
}

/* One candidate of a class: a method and the function that performs it. */
typedef struct cal_cand {
    vm_memops_method_t m;                                        /* which method */
    void *(*copy)(void *restrict, const void *restrict, size_t); /* for COPY */
    void *(*set)(void *, int, size_t);                           /* for SET */
    void *(*move)(void *, const void *, size_t);                 /* for MOVE */
} cal_cand_t;

/* One call of candidate k at size n on the measuring buffers. */
static void cal_call(const cal_cand_t *k, unsigned char *dst, unsigned char *src, size_t n,
                     size_t j) {
    if (k->copy)
        k->copy(dst, src, n);
    else if (k->set)
        k->set(dst, (int)(j & 0xff), n);
    else
        k->move(src + n / 4 + 16, src, n); /* overlapping, destination above: backwards */
}

/* Calls per timed batch at size n: about 64 KiB moved, one call from 128 KiB on. */
static size_t cal_reps(size_t n) {
    return n >= ((size_t)128 << 10) ? 1 : ((size_t)(64 << 10) / (n + 32)) + 1;
}

bool mem_cal_loser(const double t[][MEM_CAL_MAX_ROUNDS], int nc, int rounds, int k, int keep) {
    if (k == keep || rounds < 2) return false;
    double lo = t[k][0];
    for (int r = 1; r < rounds; r++)
        lo = t[k][r] < lo ? t[k][r] : lo;
    for (int j = 0; j < nc; j++) {
        if (j == k) continue;
        double hi = t[j][0];
        for (int r = 1; r < rounds; r++)
            hi = t[j][r] > hi ? t[j][r] : hi;
        if (lo >= MEM_CAL_LOSER * hi) return true;
    }
    return false;
}

/* ns per call of each candidate at size n in each round, interleaved in rotating order.
 * After two rounds a candidate that is clearly slower than another (mem_cal_loser) is timed no
 * more: its later rounds repeat its last figure, which keeps it a loser for mem_cal_decide
 * (on one virtual host streaming stores took 20x the others' time at 192-768 KiB, most of
 * the calibration's timing); out[k] says which were dropped. Returns the rounds completed:
 * fewer than asked when the wall clock passed deadline (ms on now_ms's clock) after a round. */
static int cal_time(const cal_cand_t *cand, int nc, int rounds, int keep, unsigned char *dst,
                    unsigned char *src, size_t n, double t[][MEM_CAL_MAX_ROUNDS], double deadline,
                    bool out[CAL_MAX_CAND]) {
    size_t reps = cal_reps(n);
    bool prev_nt = false;
    for (int k = 0; k < nc; k++)
        out[k] = false;
    for (int k = 0; k < nc; k++) /* untimed warm-up: caches, pages, predictors */
        cal_call(&cand[k], dst, src, n, 0);
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < nc; i++) {
            int k = (i + r) % nc;
            if (out[k]) {
                t[k][r] = t[k][r - 1];
                continue;
            }
            /* A batch of one call after streaming stores would time the state they leave
             * (the destination in no cache: the C library, always next in the rotation,
             * once took 7x its time there), so it starts warm then. */
            if (reps == 1 && prev_nt) cal_call(&cand[k], dst, src, n, 1);
            prev_nt = cand[k].m == VM_MEMOPS_M_NT;
            double t0 = now_ms();
            for (size_t j = 0; j < reps; j++) {
                __asm__ volatile("" : : : "memory");
                cal_call(&cand[k], dst, src, n, j);
            }
            t[k][r] = (now_ms() - t0) * 1e6 / (double)reps;
        }
        for (int k = 0; k < nc; k++)
            out[k] = out[k] || mem_cal_loser(t, nc, r + 1, k, keep);
        if (now_ms() > deadline) return r + 1;
    }
    return rounds;
}

/* The measuring buffers: one mapping of 4 KiB pages, the source region (room for the
 * overlapping move's n + n/4 + 16 bytes) then the destination at another page offset. Pages
 * are written only as a class needs them, in chunks, so the cost of first touches is paid
 * only as far as the budget allows and can be stopped between chunks. */
typedef struct cal_bufs {
    unsigned char *map; /* the mapping */
    size_t map_len;     /* its length */
    unsigned char *src; /* source region (also the overlapping moves' buffer) */
    unsigned char *dst; /* destination region */
    size_t src_done;    /* bytes of src written so far */
    size_t dst_done;    /* bytes of dst written so far */
    double touch_ms;    /* CPU time those writes took (page faults included) */
} cal_bufs_t;

/* Bytes of src an operation at size n needs (the move writes up to n + n/4 + 16). */
static size_t cal_src_need(size_t n) {
    return n + n / 4 + 64;
}

/* Write src and dst up to the given lengths in chunks of CAL_TOUCH_CHUNK; false (and the
 * buffers partly written) when the wall clock passes deadline first. */
enum { CAL_TOUCH_CHUNK = 64 << 10 };
static bool cal_touch(cal_bufs_t *b, size_t src_need, size_t dst_need, double deadline) {
    while (b->src_done < src_need || b->dst_done < dst_need) {
        if (now_ms() > deadline) return false;
        double t0 = cpu_ms();
        bool src_side =
            b->src_done < src_need && (b->src_done <= b->dst_done || b->dst_done >= dst_need);
        unsigned char *base = src_side ? b->src : b->dst;
        size_t *done = src_side ? &b->src_done : &b->dst_done;
        size_t want = src_side ? src_need : dst_need;
        size_t len = want - *done < CAL_TOUCH_CHUNK ? want - *done : CAL_TOUCH_CHUNK;
        memset(base + *done, src_side ? 0x5a : 0xa5, len);
        *done += len;
        b->touch_ms += cpu_ms() - t0;
    }
    return true;
}

/* Predicted time (ms) of writing src and dst up to the given lengths: the CPU time per byte
 * seen so far (unknown, 0, before the first 64 KiB). CPU time, since wall time would count
 * other processes; on a virtual host the CPU time of a write includes the hypervisor's work
 * of backing a fresh page, for which the vCPU stalls. */
static double cal_touch_predict(const cal_bufs_t *b, size_t src_need, size_t dst_need) {
    size_t done = b->src_done + b->dst_done;
    size_t more = (src_need > b->src_done ? src_need - b->src_done : 0) +
                  (dst_need > b->dst_done ? dst_need - b->dst_done : 0);
    if (done < CAL_TOUCH_CHUNK) return 0;
    return b->touch_ms * (double)more / (double)done;
}

int mem_cal_measure(vm_memops_impl_t impl, const vm_memops_tuning_t *t, double budget_ms,
                    vm_memops_plan_t *p) {
    const vm_memops_table_t *tab = vm_memops_table(impl);
    const mem_memops_methods_t *mt = methods_of(impl);
    if (!tab || !mt) return -ENOTSUP;
    const vm_host_info_t *h = vm_host_info();
    double start = now_ms(), deadline = start + budget_ms, cpu0 = cpu_ms();
    memset(p, 0, sizeof *p);
    p->impl = impl;
    p->src = VM_MEMOPS_PLAN_MEASURED;
    for (int c = 0; c < VM_MEMOPS_CLASSES; c++)
        for (int op = 0; op < VM_MEMOPS_OPS; op++)
            p->method[op][c] = (unsigned char)mem_cal_default_method(t, op, class_size[c]);
    /* 4 KiB pages on purpose: a fault on a region advised for huge pages zeroes (and may
     * first compact) 2 MiB at once, which took 28-33 ms for the first two on a virtual host,
     * in one step that can be neither predicted nor interrupted. */
    size_t big = class_size[VM_MEMOPS_CLASSES - 1], page = 4096;
    size_t src_cap = (cal_src_need(big) + page - 1) & ~(page - 1);
    cal_bufs_t b = {.map_len = src_cap + big + page};
    b.map = mmap(NULL, b.map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (b.map == MAP_FAILED) return -ENOMEM;
    (void)madvise(b.map, b.map_len, MADV_NOHUGEPAGE); /* a hint; see above */
    b.src = b.map;
    b.dst = b.map + src_cap + 2048; /* another page offset than src: no 4 KiB aliasing */
    const char *tv = getenv("VM_MEMOPS_CAL_TRACE");
    bool trace = tv && *tv && strcmp(tv, "0");
    bool rep_ok = MO_HAVE_REP && (h->erms || h->fsrm);
    bool nt_ok = MO_HAVE_REP && impl != VM_MEMOPS_SCALAR; /* x86 vector implementations */
    /* ns per byte of one call of every candidate of every operation, from the minima of the
     * last class measured: what the next class's timing is predicted from. Wall time would
     * count the moments the scheduler gave the CPU to another process (12-16 ms in one
     * round under load), and one such moment would then stop every later class. So the
     * predictions are of the work itself; the deadline is wall time. */
    double unit = 0;
    for (int c = 0; c < VM_MEMOPS_CLASSES && !p->partial; c++) {
        size_t n = class_size[c], reps = cal_reps(n);
        bool large = n >= ((size_t)128 << 10); /* fewer rounds, streaming a candidate */
        int rounds = large ? 5 : CAL_ROUNDS;
        /* Will this class fit? Its buffers' first touch at the cost per byte so far, and its
         * timing at the last class's cost per byte (x2: larger sizes run from slower
         * caches), for every round's calls, warm-up calls included. */
        double calls = (double)(rounds * (reps + (reps == 1)) + 1); /* + warm-ups */
        double predict =
            cal_touch_predict(&b, cal_src_need(n), n) + 2.0 * unit * (double)n * calls * 1e-6;
        /* ...in wall time at the pace so far: on a loaded host the process gets a fraction
         * of a CPU, and a class that cannot finish before the deadline is not begun. */
        double wall = now_ms() - start, cpu = cpu_ms() - cpu0;
        if (cpu > 0.5 && wall > cpu) predict *= wall / cpu;
        if (now_ms() + predict > deadline || !cal_touch(&b, cal_src_need(n), n, deadline)) {
            p->partial = true;
            break;
        }
        if (trace)
            fprintf(stderr, "calibrate: %zu KiB of buffers ready at %.1f ms\n",
                    (b.src_done + b.dst_done) >> 10, now_ms() - start);
        double one_call = 0; /* ns of one call of each candidate of each operation */
        for (int op = 0; op < VM_MEMOPS_OPS && !p->partial; op++) {
            vm_memops_method_t def = mem_cal_default_method(t, op, n);
            cal_cand_t cand[CAL_MAX_CAND];
            int nc = 0;
            bool loopy = n > t->small_max;
            if (op == VM_MEMOPS_OP_COPY) {
                cand[nc++] = (cal_cand_t){.m = VM_MEMOPS_M_VM, .copy = mt->copy[VM_MEMOPS_M_VM]};
                if (loopy && rep_ok)
                    cand[nc++] =
                        (cal_cand_t){.m = VM_MEMOPS_M_REP, .copy = mt->copy[VM_MEMOPS_M_REP]};
                if (loopy && nt_ok && large)
                    cand[nc++] =
                        (cal_cand_t){.m = VM_MEMOPS_M_NT, .copy = mt->copy[VM_MEMOPS_M_NT]};
                cand[nc++] = (cal_cand_t){.m = VM_MEMOPS_M_LIBC, .copy = cal_libc_memcpy};
            } else if (op == VM_MEMOPS_OP_SET) {
                cand[nc++] = (cal_cand_t){.m = VM_MEMOPS_M_VM, .set = mt->set[VM_MEMOPS_M_VM]};
                if (loopy && rep_ok)
                    cand[nc++] =
                        (cal_cand_t){.m = VM_MEMOPS_M_REP, .set = mt->set[VM_MEMOPS_M_REP]};
                if (loopy && nt_ok && large)
                    cand[nc++] = (cal_cand_t){.m = VM_MEMOPS_M_NT, .set = mt->set[VM_MEMOPS_M_NT]};
                cand[nc++] = (cal_cand_t){.m = VM_MEMOPS_M_LIBC, .set = cal_libc_memset};
            } else {
                cand[nc++] = (cal_cand_t){.m = VM_MEMOPS_M_VM, .move = tab->memmove};
                cand[nc++] = (cal_cand_t){.m = VM_MEMOPS_M_LIBC, .move = cal_libc_memmove};
            }
            double tm[CAL_MAX_CAND][MEM_CAL_MAX_ROUNDS];
            int di = -1;
            for (int k = 0; k < nc; k++)
                if (cand[k].m == def) di = k;
            bool dropped[CAL_MAX_CAND];
            int done = cal_time(cand, nc, rounds, di, b.dst, b.src, n, tm, deadline, dropped);
            if (done < rounds) { /* out of time in the middle: this class keeps its default */
                p->partial = true;
                break;
            }
            int pick = mem_cal_decide(tm, nc, rounds, di, MEM_CAL_MARGIN);
            for (int k = 0; k < nc; k++) {
                double lo = tm[k][0];
                for (int r = 1; r < rounds; r++)
                    lo = tm[k][r] < lo ? tm[k][r] : lo;
                one_call += dropped[k] ? lo * 3.0 / calls : lo; /* 1 warm-up + 2 rounds */
            }
            if (trace) {
                fprintf(stderr, "calibrate %-4s %8zu B:", op_names[op], n);
                for (int k = 0; k < nc; k++) {
                    double lo = tm[k][0];
                    for (int r = 1; r < rounds; r++)
                        lo = tm[k][r] < lo ? tm[k][r] : lo;
                    double hi = tm[k][0];
                    for (int r = 1; r < rounds; r++)
                        hi = tm[k][r] > hi ? tm[k][r] : hi;
                    fprintf(stderr, " %s %.1f ns", method_names[cand[k].m], lo);
                    fprintf(stderr, " (max %.1f)", hi);
                }
                fprintf(stderr, " -> %s (at %.1f ms)\n", method_names[cand[pick].m],
                        now_ms() - start);
            }
            p->method[op][c] = (unsigned char)cand[pick].m;
        }
        if (p->partial) /* the whole class keeps the default, not a mix */
            for (int op = 0; op < VM_MEMOPS_OPS; op++)
                p->method[op][c] = (unsigned char)mem_cal_default_method(t, op, n);
        if (!p->partial) unit = one_call / (double)n;
    }
    munmap(b.map, b.map_len);
    p->ms = now_ms() - start;
    if (trace)
        fprintf(stderr,
                "calibrate: done in %.1f ms, %.1f ms of CPU (%.1f ms writing %zu KiB of "
                "buffers)%s\n",
                p->ms, cpu_ms() - cpu0, b.touch_ms, (b.src_done + b.dst_done) >> 10,
                p->partial ? ", partial" : "");
    return 0;
}
