/* fpu_diff.c - host half of the FPU differential test.
 *
 * Runs the riscv64 guest program (fpu_guest.c) under a reference emulator, reads its lines
 * "<op> <rm> <a> <b> <c> <result> <fflags>", recomputes every case with the vm FPU and
 * compares result bits and fflags. Prints the first divergences in full and a summary; exits
 * non-zero on any divergence, on an unknown op, or when the guest output is cut short.
 *
 * usage: fpu_diff EMULATOR GUEST [SCALE]   or   fpu_diff -   (guest output on stdin)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "riscv/fpu.h"

typedef uint64_t (*host_fn)(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint32_t *fl);

#define U32(x) ((uint32_t)(x))
#define BOX(x) rv_f32_box(x)

/* Host wrappers, one per guest op, named after it. */
#define W(id, expr)                                                                                \
    static uint64_t h_##id(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint32_t *fl) {        \
        (void)a;                                                                                   \
        (void)b;                                                                                   \
        (void)c;                                                                                   \
        (void)rm;                                                                                  \
        (void)fl;                                                                                  \
        return (expr);                                                                             \
    }

W(fadd_s, BOX(rv_f32_add(U32(a), U32(b), rm, fl)))
W(fsub_s, BOX(rv_f32_sub(U32(a), U32(b), rm, fl)))
W(fmul_s, BOX(rv_f32_mul(U32(a), U32(b), rm, fl)))
W(fdiv_s, BOX(rv_f32_div(U32(a), U32(b), rm, fl)))
W(fsqrt_s, BOX(rv_f32_sqrt(U32(a), rm, fl)))
W(fmadd_s, BOX(rv_f32_madd(U32(a), U32(b), U32(c), rm, fl)))
W(fmsub_s, BOX(rv_f32_msub(U32(a), U32(b), U32(c), rm, fl)))
W(fnmsub_s, BOX(rv_f32_nmsub(U32(a), U32(b), U32(c), rm, fl)))
W(fnmadd_s, BOX(rv_f32_nmadd(U32(a), U32(b), U32(c), rm, fl)))
W(fcvt_w_s, rv_f32_to_w(U32(a), rm, fl))
W(fcvt_wu_s, rv_f32_to_wu(U32(a), rm, fl))
W(fcvt_l_s, rv_f32_to_l(U32(a), rm, fl))
W(fcvt_lu_s, rv_f32_to_lu(U32(a), rm, fl))
W(fcvt_s_w, BOX(rv_f32_from_w((int32_t)a, rm, fl)))
W(fcvt_s_wu, BOX(rv_f32_from_wu(U32(a), rm, fl)))
W(fcvt_s_l, BOX(rv_f32_from_l((int64_t)a, rm, fl)))
W(fcvt_s_lu, BOX(rv_f32_from_lu(a, rm, fl)))
W(fcvt_s_d, BOX(rv_f64_to_f32(a, rm, fl)))
W(fmin_s, BOX(rv_f32_min(U32(a), U32(b), fl)))
W(fmax_s, BOX(rv_f32_max(U32(a), U32(b), fl)))
W(fsgnj_s, BOX(rv_f32_sgnj(U32(a), U32(b))))
W(fsgnjn_s, BOX(rv_f32_sgnjn(U32(a), U32(b))))
W(fsgnjx_s, BOX(rv_f32_sgnjx(U32(a), U32(b))))
W(feq_s, rv_f32_eq(U32(a), U32(b), fl))
W(flt_s, rv_f32_lt(U32(a), U32(b), fl))
W(fle_s, rv_f32_le(U32(a), U32(b), fl))
W(fclass_s, rv_f32_class(U32(a)))
W(fadd_s_raw, BOX(rv_f32_add(rv_f32_unbox(a), rv_f32_unbox(b), rm, fl)))
W(fcvt_w_s_raw, rv_f32_to_w(rv_f32_unbox(a), rm, fl))
W(fsgnjn_s_raw, BOX(rv_f32_sgnjn(rv_f32_unbox(a), rv_f32_unbox(b))))
W(fmax_s_raw, BOX(rv_f32_max(rv_f32_unbox(a), rv_f32_unbox(b), fl)))
W(feq_s_raw, rv_f32_eq(rv_f32_unbox(a), rv_f32_unbox(b), fl))
W(fclass_s_raw, rv_f32_class(rv_f32_unbox(a)))
W(fadd_d, rv_f64_add(a, b, rm, fl))
W(fsub_d, rv_f64_sub(a, b, rm, fl))
W(fmul_d, rv_f64_mul(a, b, rm, fl))
W(fdiv_d, rv_f64_div(a, b, rm, fl))
W(fsqrt_d, rv_f64_sqrt(a, rm, fl))
W(fmadd_d, rv_f64_madd(a, b, c, rm, fl))
W(fmsub_d, rv_f64_msub(a, b, c, rm, fl))
W(fnmsub_d, rv_f64_nmsub(a, b, c, rm, fl))
W(fnmadd_d, rv_f64_nmadd(a, b, c, rm, fl))
W(fcvt_w_d, rv_f64_to_w(a, rm, fl))
W(fcvt_wu_d, rv_f64_to_wu(a, rm, fl))
W(fcvt_l_d, rv_f64_to_l(a, rm, fl))
W(fcvt_lu_d, rv_f64_to_lu(a, rm, fl))
W(fcvt_d_w, rv_f64_from_w((int32_t)a, rm, fl))
W(fcvt_d_wu, rv_f64_from_wu(U32(a), rm, fl))
W(fcvt_d_l, rv_f64_from_l((int64_t)a, rm, fl))
W(fcvt_d_lu, rv_f64_from_lu(a, rm, fl))
W(fcvt_d_s, rv_f32_to_f64(U32(a), rm, fl))
W(fcvt_d_s_raw, rv_f32_to_f64(rv_f32_unbox(a), rm, fl))
W(fmin_d, rv_f64_min(a, b, fl))
W(fmax_d, rv_f64_max(a, b, fl))
W(fsgnj_d, rv_f64_sgnj(a, b))
W(fsgnjn_d, rv_f64_sgnjn(a, b))
W(fsgnjx_d, rv_f64_sgnjx(a, b))
W(feq_d, rv_f64_eq(a, b, fl))
W(flt_d, rv_f64_lt(a, b, fl))
W(fle_d, rv_f64_le(a, b, fl))
W(fclass_d, rv_f64_class(a))

/* Guest op name -> host wrapper, with per-op tallies. */
struct host_op {
    const char *name;         /* op name as the guest prints it */
    host_fn fn;               /* recomputes one case */
    unsigned long long cases; /* lines seen for this op */
    unsigned long long diffs; /* divergences for this op */
};

#define E(name, id)                                                                                \
    { name, h_##id, 0, 0 }

static struct host_op ops[] = {
    E("fadd.s", fadd_s),
    E("fsub.s", fsub_s),
    E("fmul.s", fmul_s),
    E("fdiv.s", fdiv_s),
    E("fsqrt.s", fsqrt_s),
    E("fmadd.s", fmadd_s),
    E("fmsub.s", fmsub_s),
    E("fnmsub.s", fnmsub_s),
    E("fnmadd.s", fnmadd_s),
    E("fcvt.w.s", fcvt_w_s),
    E("fcvt.wu.s", fcvt_wu_s),
    E("fcvt.l.s", fcvt_l_s),
    E("fcvt.lu.s", fcvt_lu_s),
    E("fcvt.s.w", fcvt_s_w),
    E("fcvt.s.wu", fcvt_s_wu),
    E("fcvt.s.l", fcvt_s_l),
    E("fcvt.s.lu", fcvt_s_lu),
    E("fcvt.s.d", fcvt_s_d),
    E("fmin.s", fmin_s),
    E("fmax.s", fmax_s),
    E("fsgnj.s", fsgnj_s),
    E("fsgnjn.s", fsgnjn_s),
    E("fsgnjx.s", fsgnjx_s),
    E("feq.s", feq_s),
    E("flt.s", flt_s),
    E("fle.s", fle_s),
    E("fclass.s", fclass_s),
    E("fadd.s/raw", fadd_s_raw),
    E("fcvt.w.s/raw", fcvt_w_s_raw),
    E("fsgnjn.s/raw", fsgnjn_s_raw),
    E("fmax.s/raw", fmax_s_raw),
    E("feq.s/raw", feq_s_raw),
    E("fclass.s/raw", fclass_s_raw),
    E("fadd.d", fadd_d),
    E("fsub.d", fsub_d),
    E("fmul.d", fmul_d),
    E("fdiv.d", fdiv_d),
    E("fsqrt.d", fsqrt_d),
    E("fmadd.d", fmadd_d),
    E("fmsub.d", fmsub_d),
    E("fnmsub.d", fnmsub_d),
    E("fnmadd.d", fnmadd_d),
    E("fcvt.w.d", fcvt_w_d),
    E("fcvt.wu.d", fcvt_wu_d),
    E("fcvt.l.d", fcvt_l_d),
    E("fcvt.lu.d", fcvt_lu_d),
    E("fcvt.d.w", fcvt_d_w),
    E("fcvt.d.wu", fcvt_d_wu),
    E("fcvt.d.l", fcvt_d_l),
    E("fcvt.d.lu", fcvt_d_lu),
    E("fcvt.d.s", fcvt_d_s),
    E("fcvt.d.s/raw", fcvt_d_s_raw),
    E("fmin.d", fmin_d),
    E("fmax.d", fmax_d),
    E("fsgnj.d", fsgnj_d),
    E("fsgnjn.d", fsgnjn_d),
    E("fsgnjx.d", fsgnjx_d),
    E("feq.d", feq_d),
    E("flt.d", flt_d),
    E("fle.d", fle_d),
    E("fclass.d", fclass_d),
};

#define NOPS      (sizeof ops / sizeof ops[0])
#define MIN_CASES 200000ull /* the default guest run must exercise at least this many */
#define SHOW_MAX  10        /* divergences printed in full */

static const char *const rm_names[] = {"rne", "rtz", "rdn", "rup", "rmm"};

static void flags_str(uint32_t f, char *buf) {
    static const char *const names[] = {"NX", "UF", "OF", "DZ", "NV"};
    buf[0] = 0;
    for (int i = 4; i >= 0; i--)
        if (f & (1u << i)) {
            if (buf[0]) strcat(buf, "|");
            strcat(buf, names[i]);
        }
    if (!buf[0]) strcpy(buf, "-");
}

static struct host_op *find_op(const char *name) {
    static struct host_op *last;
    if (last && strcmp(last->name, name) == 0) return last;
    for (size_t i = 0; i < NOPS; i++)
        if (strcmp(ops[i].name, name) == 0) return last = &ops[i];
    return NULL;
}

/* Starts `emu guest [scale]` with its stdout on a pipe; returns the read end as a FILE. */
static FILE *spawn(char **argv, pid_t *pid) {
    int fds[2];
    if (pipe(fds) != 0) {
        perror("fpu_diff: pipe");
        return NULL;
    }
    *pid = fork();
    if (*pid < 0) {
        perror("fpu_diff: fork");
        return NULL;
    }
    if (*pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], argv);
        fprintf(stderr, "fpu_diff: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    return fdopen(fds[0], "r");
}

int main(int argc, char **argv) {
    FILE *in = stdin;
    pid_t pid = -1;
    if (argc < 2 || (strcmp(argv[1], "-") != 0 && argc < 3)) {
        fprintf(stderr, "usage: fpu_diff EMULATOR GUEST [SCALE] | fpu_diff -\n");
        return 2;
    }
    if (strcmp(argv[1], "-") != 0) {
        char *child[] = {argv[1], argv[2], argc > 3 ? argv[3] : NULL, NULL};
        in = spawn(child, &pid);
        if (!in) return 1;
    }

    char line[512], name[64], fs[64], gs[64];
    unsigned long long nlines = 0, ndiff = 0, end_count = 0;
    int ok = 1, ended = 0;
    while (fgets(line, sizeof line, in)) {
        unsigned rm, gf;
        uint64_t a, b, c, gr;
        if (sscanf(line, "END %llu", &end_count) == 1) {
            ended = 1;
            break;
        }
        if (sscanf(line, "%63s %u %" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64 " %x", name, &rm,
                   &a, &b, &c, &gr, &gf) != 7 ||
            rm > 4) {
            fprintf(stderr, "fpu_diff: malformed guest line %llu: %s", nlines + 1, line);
            ok = 0;
            break;
        }
        struct host_op *op = find_op(name);
        if (!op) {
            fprintf(stderr, "fpu_diff: unknown op '%s' on guest line %llu\n", name, nlines + 1);
            ok = 0;
            break;
        }
        nlines++;
        op->cases++;
        uint32_t hf = 0;
        uint64_t hr = op->fn(a, b, c, rm, &hf);
        if (hr == gr && hf == gf) continue;
        ndiff++;
        op->diffs++;
        if (ndiff <= SHOW_MAX) {
            flags_str(gf, gs);
            flags_str(hf, fs);
            fprintf(stderr,
                    "DIVERGENCE #%llu (guest line %llu): %s rm=%s a=%" PRIx64 " b=%" PRIx64
                    " c=%" PRIx64 "\n    reference: %016" PRIx64 " fflags=%s\n    vm:        "
                    "%016" PRIx64 " fflags=%s\n",
                    ndiff, nlines, name, rm_names[rm], a, b, c, gr, gs, hr, fs);
        }
    }
    if (pid > 0) {
        int st = 0;
        fclose(in);
        if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            fprintf(stderr, "fpu_diff: %s %s failed (%s %d)\n", argv[1], argv[2],
                    WIFEXITED(st) ? "exit status" : "signal",
                    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
            ok = 0;
        }
    }
    if (ok && (!ended || end_count != nlines)) {
        fprintf(stderr, "fpu_diff: guest output cut short (%llu lines, END %s %llu)\n", nlines,
                ended ? "says" : "missing", end_count);
        ok = 0;
    }
    if (ok && argc <= 3 && nlines < MIN_CASES) { /* a SCALE argument may ask for fewer */
        fprintf(stderr, "fpu_diff: only %llu cases, expected at least %llu\n", nlines, MIN_CASES);
        ok = 0;
    }
    for (size_t i = 0; i < NOPS; i++) {
        if (ops[i].diffs)
            fprintf(stderr, "  %-14s %llu of %llu cases diverge\n", ops[i].name, ops[i].diffs,
                    ops[i].cases);
        else if (ok && ops[i].cases == 0) {
            fprintf(stderr, "fpu_diff: op %s was never exercised\n", ops[i].name);
            ok = 0;
        }
    }
    printf("fpu_diff: %llu cases over %zu ops, %llu divergences\n", nlines, NOPS, ndiff);
    return ok && ndiff == 0 ? 0 : 1;
}
