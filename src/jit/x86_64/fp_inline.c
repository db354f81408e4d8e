/* fp_inline.c - F and D arithmetic, fused multiply-adds and conversions in line on the host's
 * SSE unit, used only where the host result is provably the soft-float FPU's bit for bit.
 *
 * This file is part of translate.c (included where the FP emitters are defined): it uses the
 * translator's context, stubs and helper calls as they are, and the IR embeds the same code
 * for its IR_INSN nodes, so both paths share it.
 *
 * The rule. Each instruction's in-line code checks, at run time, that its operands and result
 * lie where the host's IEEE arithmetic under its default MXCSR (round to nearest even, no
 * flush to zero, exceptions masked) gives RISC-V's result and where the only exception flag
 * RISC-V can raise is inexact (NX), which the code then decides exactly. Anything else - a NaN
 * or infinite operand, a zero or subnormal operand where the argument needs a normal one, a
 * result near or in the subnormal range or overflowing, a single that is not NaN-boxed, a
 * rounding mode the host cannot apply, a case the exactness argument leaves open - jumps to
 * the instruction's slow path, out of line: the helper call (jit_helper_exec: the C fast path
 * of fp_fast.c, then the soft-float FPU), which redoes the instruction from the untouched
 * registers. The in-line code writes nothing (f[rd], x[rd], fflags) before its last check, so
 * the slow path always starts from the instruction's own state.
 *
 * Inexactness, by operation:
 * - add/sub: the two-sum error term (six host operations), zero exactly when the sum is exact
 *   (round to nearest, no overflow: the result's exponent is checked);
 * - mul/div/sqrt: the residual a*b - p, a - q*b or a - s*s, one host FMA, exactly
 *   representable when the result is far from the subnormal range (fp_fast.c's bounds);
 * - fused multiply-add E = a*b + c (every operand normal, c also zero): the exact value's
 *   lowest set bit is known from the operands alone. With lsb(x) the weight of the lowest set
 *   bit of x's significand, lsb(a*b) = lsb(a) lsb(b); call L its exponent and Ly c's (c = 0:
 *   infinite), m = min(L, Ly), p the precision (24 or 53) and e the exponent of the host's
 *   result r = RN(E) (normal, not the smallest binade). E is a multiple of 2^m, and
 *   |E| < 2^(e+1); so e < m + p makes E an integer below 2^p times 2^m: representable, exact.
 *   When L != Ly the bit of weight 2^m is set in exactly one of a*b and c, hence in E; E is
 *   then representable only if |E| < 2^(m+p), and e >= m + p (r >= 2^(m+p), so E >= 2^(m+p)
 *   by monotonic rounding, as 2^(m+p) is representable) makes it inexact. When L == Ly the
 *   two lowest bits add up and E is a multiple of 2^(m+1): e < m + 1 + p is exact; beyond that
 *   the slow path decides. All integer work: a bsf and an exponent field per operand;
 * - conversions: float to int rounds with roundsd (SSE4.1, the mode as an immediate: RNE,
 *   RTZ, RDN, RUP), checks the rounded value against the target's range in double precision
 *   and converts it exactly; NX when the rounded value differs from the operand. Int to float
 *   converts (under the host's RNE) and converts back: equal means exact, whatever the
 *   rounding mode (so every valid mode takes an exact conversion in line), else NX and a
 *   result valid only for RNE. Single to double is always exact (NaNs excepted); double to
 *   single compares the result converted back.
 *
 * Rounding modes: the arithmetic and fused operations run in line for RNE (static, or dyn
 * with frm checked at run time), conversions for the modes above; RMM, the reserved modes
 * and everything else call the helper (which also raises the illegal-instruction trap of an
 * invalid mode). FMA3 (checked by CPUID with the OS's AVX state) is needed for everything but
 * add/sub and the conversions, SSE4.1 for float-to-int: without them the instruction is the
 * helper call, as before.
 */

/* The two IEEE formats, as the in-line code sees them. */
typedef struct fpfmt {
    bool dbl;        /* binary64 (else binary32, NaN-boxed in the 64-bit f register) */
    unsigned pre;    /* SSE scalar prefix: f2 (sd) or f3 (ss) */
    unsigned mbits;  /* stored fraction bits: 52 or 23 */
    unsigned emax;   /* the all-ones biased exponent: 0x7ff or 0xff */
    int bias;        /* exponent bias: 1023 or 127 */
    unsigned mul_lo; /* lowest biased exponent of a product, quotient or root operand whose
                        FMA residual is exact (fp_fast.c's D_MUL_LO, F_MUL_LO) */
} fpfmt_t;
static const fpfmt_t FP_D = {true, 0xf2, 52, 0x7ff, 1023, 110};
static const fpfmt_t FP_S = {false, 0xf3, 23, 0xff, 127, 50};
/* Lowest biased exponent of an in-line sum or fused result: the smallest binade of normal
 * numbers is left out, where tininess after rounding could differ. */
#define FP_SUM_LO 2u

/* ---- encodings (xmm registers 0..7 only) ---- */

/* [pre] 0f op /r, xmm dst, xmm src (pre 0: none). */
static void sse_rr(x86_buf_t *b, unsigned pre, uint8_t op, int dst, int src) {
    if (pre) x86_byte(b, pre);
    x86_byte(b, 0x0f);
    x86_byte(b, op);
    x86_byte(b, 0xc0 | (unsigned)dst << 3 | (unsigned)src);
}
/* [pre] 0f op /r with the memory operand [cpu + disp] (movsd/movss loads and stores,
 * cvtss2sd). */
static void sse_rm(x86_buf_t *b, unsigned pre, uint8_t op, int xmm, int32_t disp) {
    x86_op_rm(b, pre, false, X86_OP(0x0f, op), xmm, CPU, X86_NOREG, 1, disp, false);
}
/* movsd xmm, [cpu + disp]. */
static void sse_load(x86_buf_t *b, int xmm, int32_t disp) {
    sse_rm(b, 0xf2, 0x10, xmm, disp);
}
/* pre [REX.W] 0f op /r between a general register and an xmm register: movq/movd (66 7e:
 * reg = xmm, rm = gpr; 66 6e the other way), cvtsi2sd/ss (f2/f3 2a: reg = xmm),
 * cvttsd2si/ss2si (f2/f3 2c: reg = gpr). */
static void sse_gx(x86_buf_t *b, unsigned pre, bool w, uint8_t op, int reg, int rm) {
    x86_byte(b, pre);
    x86_op_rr(b, w, X86_OP(0x0f, op), reg, rm, false);
}
/* movq r64, xmm. */
static void sse_movq_to(x86_buf_t *b, int gpr, int xmm) {
    sse_gx(b, 0x66, true, 0x7e, xmm, gpr);
}
/* VEX-encoded scalar FMA (0f38 map, 66 prefix; W1 double, W0 single): dst = op(dst, v, src),
 * op a9 (213: v*dst + src), ab (v*dst - src), ad (-(v*dst) + src), af (-(v*dst) - src). */
static void vex_fma(x86_buf_t *b, bool dbl, uint8_t op, int dst, int v, int src) {
    x86_byte(b, 0xc4);
    x86_byte(b, 0xe2); /* R X B inverted set, map 0f38 */
    x86_byte(b, (dbl ? 0x80u : 0) | (unsigned)(~v & 15) << 3 | 0x01); /* W, vvvv, L0, pp 66 */
    x86_byte(b, op);
    x86_byte(b, 0xc0 | (unsigned)dst << 3 | (unsigned)src);
}
/* cmp dword [cpu + disp], imm8. */
static void cmp_m32_i8(x86_buf_t *b, int32_t disp, int8_t imm) {
    x86_op_rm(b, 0, false, X86_OP(0x83), ALU_CMP, CPU, X86_NOREG, 1, disp, false);
    x86_byte(b, (uint8_t)imm);
}
/* or dword [cpu + fflags], NX. */
static void set_nx(x86_buf_t *b) {
    x86_op_rm(b, 0, false, X86_OP(0x83), ALU_OR, CPU, X86_NOREG, 1, OFF(fflags), false);
    x86_byte(b, RV_FFLAG_NX);
}

/* ---- the slow path and the checks ---- */

/* A jcc from the in-line code to its slow path (patched when the stub is emitted). */
static void fp_slow_if(tctx_t *t, stub_t *s, enum x86_cc cc) {
    uint8_t *f = x86_jcc32(&t->b, cc);
    for (unsigned k = 0; k < STUB_FP_JUMPS; k++)
        if (!s->jfp[k]) {
            s->jfp[k] = f;
            return;
        }
    t->b.full = true; /* more checks than STUB_FP_JUMPS: a bug, never a wrong jump */
}

/* What an instruction's rounding mode must be for its in-line code. */
enum fp_rm_need {
    FP_RM_RNE,   /* round to nearest even: static, or dyn with frm == 0 checked */
    FP_RM_VALID, /* any valid mode (the result is exact): dyn checks frm <= 4 */
};

/* --stats: add one to the 64-bit counter c (rdx clobbered); nothing without counting. */
static void fp_count(tctx_t *t, uint64_t *c) {
    if (!t->j->count) return;
    x86_mov_ri(&t->b, RDX, (uint64_t)(uintptr_t)c);
    x86_op_rm(&t->b, 0, true, X86_OP(0xff), 0, RDX, X86_NOREG, 1, 0, false); /* inc qword */
}

/* The slow-path stub of an instruction emitted in line (fp_begin: and its rounding-mode
 * check); NULL when the translation has no room for one (the caller declines: the helper
 * call in line). */
static stub_t *fp_stub(tctx_t *t, const rv_op_t *op, unsigned idx) {
    if (t->nstubs + 1 >= JIT_MAX_STUBS || t->nops_copied >= JIT_MAX_HELPERS) return NULL;
    stub_t *s = add_stub(t, STUB_FPSLOW, NULL, op, idx);
    fp_count(t, &t->j->stats.fp_inline);
    return s;
}
static stub_t *fp_begin(tctx_t *t, const rv_op_t *op, unsigned idx, enum fp_rm_need need) {
    stub_t *s = fp_stub(t, op, idx);
    if (!s) return NULL;
    if (op->rm == RV_RM_DYN) {
        cmp_m32_i8(&t->b, OFF(frm), need == FP_RM_RNE ? 0 : RV_RM_RMM);
        fp_slow_if(t, s, need == FP_RM_RNE ? CC_NE : CC_A);
    }
    return s;
}

/* The end of the in-line code: where the slow path comes back to. */
static void fp_end(tctx_t *t, stub_t *s) {
    s->back = t->b.p;
}

/* Slow path unless f[r] holds a NaN-boxed single (upper 32 bits all ones). */
static void fp_boxed(tctx_t *t, stub_t *s, unsigned r) {
    cmp_m32_i8(&t->b, OFF_F(r) + 4, -1);
    fp_slow_if(t, s, CC_NE);
}

/* Slow path unless the biased exponent of the value in general register r (format f) is in
 * [lo, emax - 1]: finite, and normal when lo >= 1 (tmp clobbered). */
static void fp_exp_in(tctx_t *t, stub_t *s, const fpfmt_t *f, int r, int tmp, unsigned lo) {
    x86_buf_t *b = &t->b;
    x86_mov_rr(b, tmp, r);
    x86_shift_ri(b, f->dbl, SH_SHR, tmp, f->mbits);
    x86_alu_ri(b, false, ALU_AND, tmp, (int32_t)f->emax);
    x86_alu_ri(b, false, ALU_SUB, tmp, (int32_t)lo);
    x86_alu_ri(b, false, ALU_CMP, tmp, (int32_t)(f->emax - 1 - lo));
    fp_slow_if(t, s, CC_A);
}

/* Load f[r] into general register g: 64 bits, or the low 32 (zero-extended) for a single. */
static void fp_load_gpr(tctx_t *t, const fpfmt_t *f, int g, unsigned r) {
    x86_op_rm(&t->b, 0, f->dbl, X86_OP(0x8b), g, CPU, X86_NOREG, 1, OFF_F(r), false);
}

/* Load f[r] into xmm register x (movsd, or movss for a single). */
static void fp_load_xmm(tctx_t *t, const fpfmt_t *f, int x, unsigned r) {
    sse_rm(&t->b, f->pre, 0x10, x, OFF_F(r));
}

/* f[rd] = xmm register x: a double as it is, a single NaN-boxed (rax, rcx clobbered). */
static void fp_store_xmm(tctx_t *t, const fpfmt_t *f, unsigned rd, int x) {
    x86_buf_t *b = &t->b;
    if (f->dbl) {
        sse_rm(b, 0xf2, 0x11, x, OFF_F(rd)); /* movsd [f rd], x */
        return;
    }
    sse_gx(b, 0x66, false, 0x7e, x, RAX); /* movd eax, x */
    x86_mov_ri(b, RCX, 0xffffffff00000000ull);
    x86_alu_rr(b, true, ALU_OR, RAX, RCX);
    x86_store64(b, CPU, OFF_F(rd), RAX);
}

/* jp: the parity flag, set by an unordered ucomisd/ucomiss. */
#define FP_CC_P ((enum x86_cc)0xa)

/* NX unless xmm register x (the error term or residual) is zero; xmm1 clobbered. A NaN error
 * term is inexact: the two-sum's intermediate s - a can overflow (to an infinity, then
 * inf - inf) only when the sum was rounded, as when a sum next to the largest finite number
 * rounds down to it. */
static void fp_nx_unless_zero(tctx_t *t, const fpfmt_t *f, int x) {
    x86_buf_t *b = &t->b;
    sse_rr(b, 0, 0x57, 1, 1);                 /* xorps xmm1, xmm1 */
    sse_rr(b, f->dbl ? 0x66 : 0, 0x2e, x, 1); /* ucomisd/ucomiss x, xmm1 */
    uint8_t *jnan = x86_jcc32(b, FP_CC_P);
    uint8_t *jexact = x86_jcc32(b, CC_E);
    if (!b->full) x86_patch_rel32(jnan, b->p);
    set_nx(b);
    if (!b->full) x86_patch_rel32(jexact, b->p);
}

static bool host_fma_ok(void);
static bool host_sse41_ok(void);

/* ---- add, sub, mul, div, sqrt ---- */

enum fp_arith { FA_ADD, FA_SUB, FA_MUL, FA_DIV, FA_SQRT };

/* Emit an arithmetic instruction in line; false when it must stay a helper call. */
static bool fp_arith(tctx_t *t, const rv_op_t *op, unsigned idx, const fpfmt_t *f,
                     enum fp_arith k) {
    x86_buf_t *b = &t->b;
    bool add = k == FA_ADD || k == FA_SUB;
    if (op->rm != RV_RM_RNE && op->rm != RV_RM_DYN) return false;
    if (!add && !host_fma_ok()) return false;
    stub_t *s = fp_begin(t, op, idx, FP_RM_RNE);
    if (!s) return false;
    if (!f->dbl) {
        fp_boxed(t, s, op->rs1);
        if (k != FA_SQRT) fp_boxed(t, s, op->rs2);
    }
    fp_load_xmm(t, f, 0, op->rs1);
    unsigned pd = f->dbl ? 0x66 : 0; /* movapd/movaps, xorpd/xorps... */
    if (k == FA_SQRT) {
        /* a positive, normal and far from the subnormal range: s = sqrt(a), a - s*s exact */
        sse_movq_to(b, RAX, 0);
        x86_alu_rr(b, f->dbl, ALU_OR, RAX, RAX); /* the sign bit: 63 or 31 */
        fp_slow_if(t, s, CC_S);
        fp_exp_in(t, s, f, RAX, RCX, f->mul_lo);
        sse_rr(b, f->pre, 0x51, 2, 0);     /* xmm2 = sqrt(a) */
        sse_rr(b, pd, 0x28, 3, 2);         /* xmm3 = s */
        vex_fma(b, f->dbl, 0xad, 3, 2, 0); /* xmm3 = -(s * s) + a */
        fp_nx_unless_zero(t, f, 3);
        fp_store_xmm(t, f, op->rd, 2);
        fp_end(t, s);
        return true;
    }
    fp_load_xmm(t, f, 1, op->rs2);
    sse_rr(b, pd, 0x28, 2, 0);                             /* xmm2 = a */
    static const uint8_t opc[] = {0x58, 0x5c, 0x59, 0x5e}; /* add sub mul div */
    sse_rr(b, f->pre, opc[k], 2, 1);                       /* xmm2 = a op b */
    if (k == FA_DIV) { /* the dividend far from underflow, the divisor not zero or subnormal */
        sse_movq_to(b, RAX, 0);
        fp_exp_in(t, s, f, RAX, RCX, f->mul_lo);
        sse_movq_to(b, RAX, 1);
        x86_mov_rr(b, RCX, RAX);
        x86_shift_ri(b, f->dbl, SH_SHL, RCX, 1);
        x86_shift_ri(b, f->dbl, SH_SHR, RCX, f->mbits + 1);
        fp_slow_if(t, s, CC_E);
    }
    sse_movq_to(b, RAX, 2);
    fp_exp_in(t, s, f, RAX, RCX, add ? FP_SUM_LO : f->mul_lo);
    if (add) {
        /* bb = s - a; e1 = a - (s - bb); e2 = b - bb (sum) or b + bb (difference);
         * err = e1 + e2 (sum) or e1 - e2 (difference) */
        bool sum = k == FA_ADD;
        sse_rr(b, pd, 0x28, 3, 2);                  /* xmm3 = s */
        sse_rr(b, f->pre, 0x5c, 3, 0);              /* xmm3 = s - a = bb */
        sse_rr(b, pd, 0x28, 4, 2);                  /* xmm4 = s */
        sse_rr(b, f->pre, 0x5c, 4, 3);              /* xmm4 = s - bb */
        sse_rr(b, f->pre, 0x5c, 0, 4);              /* xmm0 = e1 */
        sse_rr(b, f->pre, sum ? 0x5c : 0x58, 1, 3); /* xmm1 = e2 */
        sse_rr(b, f->pre, sum ? 0x58 : 0x5c, 0, 1); /* xmm0 = err */
    } else if (k == FA_MUL) {
        vex_fma(b, f->dbl, 0xab, 0, 1, 2); /* vfmsub213: xmm0 = a * b - p */
    } else {
        sse_rr(b, pd, 0x28, 3, 2);         /* xmm3 = q */
        vex_fma(b, f->dbl, 0xad, 3, 1, 0); /* vfnmadd213: xmm3 = -(q * b) + a */
        sse_rr(b, pd, 0x28, 0, 3);
    }
    fp_nx_unless_zero(t, f, 0);
    fp_store_xmm(t, f, op->rd, 2);
    fp_end(t, s);
    return true;
}

/* ---- fused multiply-add ---- */

/* rdx = the lowest set bit's position of f[r]'s significand plus its biased exponent minus
 * one (bsf of the significand with its hidden bit), slow path unless f[r] is normal (rax
 * clobbered). */
static void fp_lsb(tctx_t *t, stub_t *s, const fpfmt_t *f, unsigned r) {
    x86_buf_t *b = &t->b;
    fp_load_gpr(t, f, RAX, r);
    x86_mov_rr(b, RDX, RAX);
    x86_op_rr(b, f->dbl, X86_OP(0x0f, 0xba), 5, RDX, false); /* bts rdx, mbits */
    x86_byte(b, f->mbits);
    x86_op_rr(b, f->dbl, X86_OP(0x0f, 0xbc), RDX, RDX, false); /* bsf rdx, rdx */
    x86_shift_ri(b, f->dbl, SH_SHR, RAX, f->mbits);
    x86_alu_ri(b, false, ALU_AND, RAX, (int32_t)f->emax);
    x86_alu_ri(b, false, ALU_SUB, RAX, 1);
    x86_alu_ri(b, false, ALU_CMP, RAX, (int32_t)(f->emax - 2));
    fp_slow_if(t, s, CC_A);
    x86_alu_rr(b, false, ALU_ADD, RDX, RAX);
}

/* Emit fmadd/fmsub/fnmsub/fnmadd (host opcode vop) in line; false when it must stay a helper
 * call. The exactness argument is the essay's. */
static bool fp_fma(tctx_t *t, const rv_op_t *op, unsigned idx, const fpfmt_t *f, uint8_t vop) {
    x86_buf_t *b = &t->b;
    if (op->rm != RV_RM_RNE && op->rm != RV_RM_DYN) return false;
    if (!host_fma_ok()) return false;
    stub_t *s = fp_begin(t, op, idx, FP_RM_RNE);
    if (!s) return false;
    if (!f->dbl) {
        fp_boxed(t, s, op->rs1);
        fp_boxed(t, s, op->rs2);
        fp_boxed(t, s, op->rs3);
    }
    /* K = bias + mbits - 1: fp_lsb gives lsb + K; ecx = L + 2K, then L + K */
    const int32_t K = f->bias + (int32_t)f->mbits - 1;
    fp_lsb(t, s, f, op->rs1);
    x86_mov_rr(b, RCX, RDX);
    fp_lsb(t, s, f, op->rs2);
    x86_alu_rr(b, false, ALU_ADD, RCX, RDX);
    x86_alu_ri(b, false, ALU_SUB, RCX, K);
    /* edx = Ly + K, or far above any L when c is zero (E = a*b) */
    fp_load_gpr(t, f, RAX, op->rs3);
    x86_mov_rr(b, RDX, RAX);
    x86_shift_ri(b, f->dbl, SH_SHL, RDX, 1);
    uint8_t *jnz = x86_jcc32(b, CC_NE);
    x86_mov_ri(b, RDX, 0x100000);
    uint8_t *jdone = x86_jmp32(b);
    if (!b->full) x86_patch_rel32(jnz, b->p);
    fp_lsb(t, s, f, op->rs3);
    if (!b->full) x86_patch_rel32(jdone, b->p);
    /* r = a * b +- c, one rounding */
    fp_load_xmm(t, f, 0, op->rs1);
    fp_load_xmm(t, f, 1, op->rs2);
    fp_load_xmm(t, f, 2, op->rs3);
    vex_fma(b, f->dbl, vop, 0, 1, 2); /* xmm0 = b * a op c */
    /* eax = r's biased exponent - 2, r normal and not in the smallest binade */
    sse_movq_to(b, RAX, 0);
    x86_shift_ri(b, f->dbl, SH_SHR, RAX, f->mbits);
    x86_alu_ri(b, false, ALU_AND, RAX, (int32_t)f->emax);
    x86_alu_ri(b, false, ALU_SUB, RAX, (int32_t)FP_SUM_LO);
    x86_alu_ri(b, false, ALU_CMP, RAX, (int32_t)(f->emax - 1 - FP_SUM_LO));
    fp_slow_if(t, s, CC_A);
    /* with m' = min(ecx, edx) = m + K: d = e - m - p = eax - m' (e = eax + 2 - bias,
     * p = mbits + 1) */
    x86_alu_rr(b, false, ALU_CMP, RCX, RDX);
    uint8_t *jeq = x86_jcc32(b, CC_E);
    x86_op_rr(b, false, X86_OP(0x0f, 0x4f), RCX, RDX, false); /* cmovg ecx, edx */
    x86_alu_rr(b, false, ALU_CMP, RAX, RCX);
    uint8_t *jexact = x86_jcc32(b, CC_L); /* d < 0: exact */
    set_nx(b);                            /* L != Ly, d >= 0: inexact */
    uint8_t *jstore = x86_jmp32(b);
    if (!b->full) x86_patch_rel32(jeq, b->p);
    x86_alu_rr(b, false, ALU_CMP, RAX, RCX);
    fp_slow_if(t, s, CC_G); /* L == Ly: d <= 0 is exact, beyond that undecided */
    if (!b->full) {
        x86_patch_rel32(jexact, b->p);
        x86_patch_rel32(jstore, b->p);
    }
    fp_store_xmm(t, f, op->rd, 0);
    fp_end(t, s);
    return true;
}

/* ---- conversions ---- */

/* fcvt.d.s: exact for every single but NaNs (any valid rounding mode). */
static bool fp_cvt_d_s(tctx_t *t, const rv_op_t *op, unsigned idx) {
    x86_buf_t *b = &t->b;
    if (op->rm > RV_RM_RMM && op->rm != RV_RM_DYN) return false;
    stub_t *s = fp_begin(t, op, idx, FP_RM_VALID);
    if (!s) return false;
    fp_boxed(t, s, op->rs1);
    fp_load_gpr(t, &FP_S, RAX, op->rs1);
    x86_alu_ri(b, false, ALU_AND, RAX, 0x7fffffff);
    x86_alu_ri(b, false, ALU_CMP, RAX, 0x7f800000);
    fp_slow_if(t, s, CC_A);                   /* NaN */
    sse_rm(b, 0xf3, 0x5a, 0, OFF_F(op->rs1)); /* cvtss2sd xmm0, [f rs1] */
    fp_store_xmm(t, &FP_D, op->rd, 0);
    fp_end(t, s);
    return true;
}

/* fcvt.s.d under RNE: a normal result (not in the smallest binade), NX when it differs from
 * the operand. */
static bool fp_cvt_s_d(tctx_t *t, const rv_op_t *op, unsigned idx) {
    x86_buf_t *b = &t->b;
    if (op->rm != RV_RM_RNE && op->rm != RV_RM_DYN) return false;
    stub_t *s = fp_begin(t, op, idx, FP_RM_RNE);
    if (!s) return false;
    sse_load(b, 0, OFF_F(op->rs1));
    sse_rr(b, 0xf2, 0x5a, 1, 0);          /* cvtsd2ss xmm1, xmm0 */
    sse_gx(b, 0x66, false, 0x7e, 1, RAX); /* movd eax, xmm1 */
    fp_exp_in(t, s, &FP_S, RAX, RCX, FP_SUM_LO);
    sse_rr(b, 0xf3, 0x5a, 2, 1); /* cvtss2sd xmm2, xmm1 */
    sse_rr(b, 0x66, 0x2e, 2, 0); /* ucomisd xmm2, xmm0 */
    uint8_t *jexact = x86_jcc32(b, CC_E);
    set_nx(b);
    if (!b->full) x86_patch_rel32(jexact, b->p);
    fp_store_xmm(t, &FP_S, op->rd, 1);
    fp_end(t, s);
    return true;
}

/* Integer operand forms of fcvt.{s,d}.{w,wu,l,lu}. */
enum fp_int { FI_W, FI_WU, FI_L, FI_LU };

/* fcvt.{s,d}.{w,wu,l,lu}: the host's conversion of the 64-bit extension of the operand,
 * converted back: equal means exact (any valid mode), else NX and a result for RNE only. */
static bool fp_cvt_from_int(tctx_t *t, const rv_op_t *op, unsigned idx, const fpfmt_t *f,
                            enum fp_int k) {
    x86_buf_t *b = &t->b;
    if (op->rm > RV_RM_RMM && op->rm != RV_RM_DYN) return false;
    stub_t *s = fp_begin(t, op, idx, FP_RM_VALID);
    if (!s) return false;
    int a = src(t, op->rs1, RAX);
    switch (k) {
    case FI_W: x86_movsxd_rr(b, RAX, a); break;
    case FI_WU: x86_mov32_rr(b, RAX, a); break;
    case FI_L: x86_mov_rr(b, RAX, a); break;
    case FI_LU:
        x86_mov_rr(b, RAX, a);
        x86_alu_rr(b, true, ALU_OR, RAX, RAX);
        fp_slow_if(t, s, CC_S); /* 2^63 and above: the helper */
        break;
    }
    sse_rr(b, 0, 0x57, 0, 0);              /* xorps xmm0, xmm0 (no false dependency) */
    sse_gx(b, f->pre, true, 0x2a, 0, RAX); /* cvtsi2sd/ss xmm0, rax */
    bool exact = f->dbl && (k == FI_W || k == FI_WU);
    if (!exact) {
        sse_gx(b, f->pre, true, 0x2c, RCX, 0); /* cvttsd2si/ss2si rcx, xmm0 */
        x86_alu_rr(b, true, ALU_CMP, RCX, RAX);
        uint8_t *jexact = x86_jcc32(b, CC_E);
        /* inexact: the host rounded to nearest even, which must be the mode */
        if (op->rm == RV_RM_DYN) {
            cmp_m32_i8(b, OFF(frm), RV_RM_RNE);
            fp_slow_if(t, s, CC_NE);
        } else if (op->rm != RV_RM_RNE) {
            fp_slow_if(t, s, CC_NE); /* flags still from the cmp: not equal */
        }
        set_nx(b);
        if (!b->full) x86_patch_rel32(jexact, b->p);
    }
    fp_store_xmm(t, f, op->rd, 0);
    fp_end(t, s);
    return true;
}

/* fcvt.{w,wu,l,lu}.{s,d}: round to an integral double in the instruction's mode (roundsd),
 * check it against the target's range, convert it exactly; NX when it differs from the
 * operand. NaNs and out-of-range values (NV, saturation) take the slow path. */
static bool fp_cvt_to_int(tctx_t *t, const rv_op_t *op, unsigned idx, const fpfmt_t *f,
                          enum fp_int k) {
    x86_buf_t *b = &t->b;
    static const uint8_t rmode[4] = {0, 3, 1, 2}; /* RNE RTZ RDN RUP -> roundsd's imm */
    if (!host_sse41_ok()) return false;
    if (op->rm > RV_RM_RUP && op->rm != RV_RM_DYN) return false;
    unsigned rm = op->rm == RV_RM_DYN ? RV_RM_RNE : op->rm; /* dyn: frm == RNE checked */
    stub_t *s = fp_begin(t, op, idx, FP_RM_RNE);
    if (!s) return false;
    if (f->dbl) {
        sse_load(b, 0, OFF_F(op->rs1));
    } else {
        fp_boxed(t, s, op->rs1);
        sse_rm(b, 0xf3, 0x5a, 0, OFF_F(op->rs1)); /* cvtss2sd xmm0, [f rs1]: exact */
    }
    /* roundsd xmm1, xmm0, mode | 8 (precision exception suppressed) */
    x86_byte(b, 0x66);
    x86_byte(b, 0x0f);
    x86_byte(b, 0x3a);
    x86_byte(b, 0x0b);
    x86_byte(b, 0xc0 | 1u << 3 | 0u);
    x86_byte(b, rmode[rm] | 8u);
    /* lo <= t (unordered: CF set too) and t < hi, in double precision */
    static const uint64_t lo[4] = {0xc1e0000000000000ull, 0, 0xc3e0000000000000ull, 0};
    static const uint64_t hi[4] = {0x41e0000000000000ull, 0x41f0000000000000ull,
                                   0x43e0000000000000ull, 0x43e0000000000000ull};
    if (lo[k]) {
        x86_mov_ri(b, RAX, lo[k]);
        sse_gx(b, 0x66, true, 0x6e, 2, RAX); /* movq xmm2, rax */
    } else {
        sse_rr(b, 0, 0x57, 2, 2); /* xorps xmm2, xmm2 */
    }
    sse_rr(b, 0x66, 0x2e, 1, 2); /* ucomisd xmm1, xmm2 */
    fp_slow_if(t, s, CC_B);
    x86_mov_ri(b, RAX, hi[k]);
    sse_gx(b, 0x66, true, 0x6e, 2, RAX); /* movq xmm2, rax */
    sse_rr(b, 0x66, 0x2e, 1, 2);         /* ucomisd xmm1, xmm2 */
    fp_slow_if(t, s, CC_AE);
    sse_gx(b, 0xf2, true, 0x2c, RAX, 1);                     /* cvttsd2si rax, xmm1: exact */
    if (k == FI_W || k == FI_WU) x86_movsxd_rr(b, RAX, RAX); /* 32-bit results sign-extend */
    sse_rr(b, 0x66, 0x2e, 0, 1);                             /* ucomisd xmm0, xmm1 */
    uint8_t *jexact = x86_jcc32(b, CC_E);
    set_nx(b);
    if (!b->full) x86_patch_rel32(jexact, b->p);
    put(t, op->rd, RAX);
    fp_end(t, s);
    return true;
}

/* ---- compares ---- */

enum fp_cmp { FC_EQ, FC_LT, FC_LE };

/* feq/flt/fle: without a NaN operand no flag is raised (feq is quiet, flt/fle signal only on
 * NaNs), and ucomisd/ucomiss orders the rest as RISC-V does (-0 == +0); a NaN (unordered,
 * also an unboxed single, which reads as the canonical NaN) goes to the helper. */
static bool fp_cmp(tctx_t *t, const rv_op_t *op, unsigned idx, const fpfmt_t *f, enum fp_cmp k) {
    x86_buf_t *b = &t->b;
    static const enum x86_cc cc[3] = {CC_E, CC_B, CC_BE};
    stub_t *s = fp_stub(t, op, idx);
    if (!s) return false;
    if (!f->dbl) {
        fp_boxed(t, s, op->rs1);
        fp_boxed(t, s, op->rs2);
    }
    fp_load_xmm(t, f, 0, op->rs1);
    fp_load_xmm(t, f, 1, op->rs2);
    sse_rr(b, f->dbl ? 0x66 : 0, 0x2e, 0, 1); /* ucomisd/ucomiss a, b */
    fp_slow_if(t, s, FP_CC_P);
    x86_setcc(b, cc[k], RAX);
    put(t, op->rd, RAX);
    fp_end(t, s);
    return true;
}

/* ---- the emitters ---- */

/* An FP instruction in line when `call` can, else the helper call. */
#define EMIT_FP(name, call)                                                                        \
    EMITTER(name) {                                                                                \
        EMIT_ARGS_USED;                                                                            \
        return (call) || emit_helper(t, op, idx);                                                  \
    }
EMIT_FP(fadd_d, fp_arith(t, op, idx, &FP_D, FA_ADD))
EMIT_FP(fsub_d, fp_arith(t, op, idx, &FP_D, FA_SUB))
EMIT_FP(fmul_d, fp_arith(t, op, idx, &FP_D, FA_MUL))
EMIT_FP(fdiv_d, fp_arith(t, op, idx, &FP_D, FA_DIV))
EMIT_FP(fsqrt_d, fp_arith(t, op, idx, &FP_D, FA_SQRT))
EMIT_FP(fadd_s, fp_arith(t, op, idx, &FP_S, FA_ADD))
EMIT_FP(fsub_s, fp_arith(t, op, idx, &FP_S, FA_SUB))
EMIT_FP(fmul_s, fp_arith(t, op, idx, &FP_S, FA_MUL))
EMIT_FP(fdiv_s, fp_arith(t, op, idx, &FP_S, FA_DIV))
EMIT_FP(fsqrt_s, fp_arith(t, op, idx, &FP_S, FA_SQRT))
/* RISC-V fmadd a*b+c, fmsub a*b-c, fnmsub -(a*b)+c, fnmadd -(a*b)-c: x86's vfmadd213,
 * vfmsub213, vfnmadd213, vfnmsub213 */
EMIT_FP(fmadd_s, fp_fma(t, op, idx, &FP_S, 0xa9))
EMIT_FP(fmsub_s, fp_fma(t, op, idx, &FP_S, 0xab))
EMIT_FP(fnmsub_s, fp_fma(t, op, idx, &FP_S, 0xad))
EMIT_FP(fnmadd_s, fp_fma(t, op, idx, &FP_S, 0xaf))
EMIT_FP(fmadd_d, fp_fma(t, op, idx, &FP_D, 0xa9))
EMIT_FP(fmsub_d, fp_fma(t, op, idx, &FP_D, 0xab))
EMIT_FP(fnmsub_d, fp_fma(t, op, idx, &FP_D, 0xad))
EMIT_FP(fnmadd_d, fp_fma(t, op, idx, &FP_D, 0xaf))
EMIT_FP(fcvt_w_s, fp_cvt_to_int(t, op, idx, &FP_S, FI_W))
EMIT_FP(fcvt_wu_s, fp_cvt_to_int(t, op, idx, &FP_S, FI_WU))
EMIT_FP(fcvt_l_s, fp_cvt_to_int(t, op, idx, &FP_S, FI_L))
EMIT_FP(fcvt_lu_s, fp_cvt_to_int(t, op, idx, &FP_S, FI_LU))
EMIT_FP(fcvt_s_w, fp_cvt_from_int(t, op, idx, &FP_S, FI_W))
EMIT_FP(fcvt_s_wu, fp_cvt_from_int(t, op, idx, &FP_S, FI_WU))
EMIT_FP(fcvt_s_l, fp_cvt_from_int(t, op, idx, &FP_S, FI_L))
EMIT_FP(fcvt_s_lu, fp_cvt_from_int(t, op, idx, &FP_S, FI_LU))
EMIT_FP(fcvt_w_d, fp_cvt_to_int(t, op, idx, &FP_D, FI_W))
EMIT_FP(fcvt_wu_d, fp_cvt_to_int(t, op, idx, &FP_D, FI_WU))
EMIT_FP(fcvt_l_d, fp_cvt_to_int(t, op, idx, &FP_D, FI_L))
EMIT_FP(fcvt_lu_d, fp_cvt_to_int(t, op, idx, &FP_D, FI_LU))
EMIT_FP(fcvt_d_w, fp_cvt_from_int(t, op, idx, &FP_D, FI_W))
EMIT_FP(fcvt_d_wu, fp_cvt_from_int(t, op, idx, &FP_D, FI_WU))
EMIT_FP(fcvt_d_l, fp_cvt_from_int(t, op, idx, &FP_D, FI_L))
EMIT_FP(fcvt_d_lu, fp_cvt_from_int(t, op, idx, &FP_D, FI_LU))
EMIT_FP(fcvt_s_d, fp_cvt_s_d(t, op, idx))
EMIT_FP(fcvt_d_s, fp_cvt_d_s(t, op, idx))
EMIT_FP(feq_s, fp_cmp(t, op, idx, &FP_S, FC_EQ))
EMIT_FP(flt_s, fp_cmp(t, op, idx, &FP_S, FC_LT))
EMIT_FP(fle_s, fp_cmp(t, op, idx, &FP_S, FC_LE))
EMIT_FP(feq_d, fp_cmp(t, op, idx, &FP_D, FC_EQ))
EMIT_FP(flt_d, fp_cmp(t, op, idx, &FP_D, FC_LT))
EMIT_FP(fle_d, fp_cmp(t, op, idx, &FP_D, FC_LE))
