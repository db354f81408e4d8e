/* fpu.h - the RISC-V F and D extensions as pure functions on raw bits.
 *
 * Every operation takes its operands as IEEE 754 bit patterns (binary32 as uint32_t, binary64
 * as uint64_t), a static rounding mode already resolved by the caller (never DYN), and ORs the
 * exception flags it raises into *fflags (the fflags CSR layout). Results follow the RISC-V ISA
 * manual bit for bit: NaN results are always the canonical NaN, tininess is detected after
 * rounding, conversions to integers saturate. The functions keep no state and touch no host
 * floating-point environment, so they are safe to call from any thread and from JIT helpers.
 *
 * NaN-boxing of single-precision values in the 64-bit f registers is the caller's job, with
 * rv_f32_unbox() on every read and rv_f32_box() on every write.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Rounding modes, numbered as in the rm instruction field and the frm CSR. */
enum rv_fpu_rm {
    RV_RM_RNE = 0, /* round to nearest, ties to even */
    RV_RM_RTZ = 1, /* round towards zero */
    RV_RM_RDN = 2, /* round down (towards -inf) */
    RV_RM_RUP = 3, /* round up (towards +inf) */
    RV_RM_RMM = 4, /* round to nearest, ties to max magnitude */
    RV_RM_DYN = 7, /* instruction field only: use frm */
};

/* Accrued exception flags, bit positions as in the fflags CSR. */
enum rv_fpu_fflag {
    RV_FFLAG_NX = 1,  /* inexact */
    RV_FFLAG_UF = 2,  /* underflow (tiny after rounding and inexact) */
    RV_FFLAG_OF = 4,  /* overflow */
    RV_FFLAG_DZ = 8,  /* divide by zero */
    RV_FFLAG_NV = 16, /* invalid operation */
};

/* fclass result bits: exactly one is set. */
enum rv_fpu_class {
    RV_FCLASS_NEG_INF = 1 << 0,       /* -infinity */
    RV_FCLASS_NEG_NORMAL = 1 << 1,    /* negative normal number */
    RV_FCLASS_NEG_SUBNORMAL = 1 << 2, /* negative subnormal number */
    RV_FCLASS_NEG_ZERO = 1 << 3,      /* -0 */
    RV_FCLASS_POS_ZERO = 1 << 4,      /* +0 */
    RV_FCLASS_POS_SUBNORMAL = 1 << 5, /* positive subnormal number */
    RV_FCLASS_POS_NORMAL = 1 << 6,    /* positive normal number */
    RV_FCLASS_POS_INF = 1 << 7,       /* +infinity */
    RV_FCLASS_SNAN = 1 << 8,          /* signaling NaN */
    RV_FCLASS_QNAN = 1 << 9,          /* quiet NaN */
};

#define RV_F32_CANONICAL_NAN 0x7fc00000u           /* the only NaN an F op produces */
#define RV_F64_CANONICAL_NAN 0x7ff8000000000000ull /* the only NaN a D op produces */
#define RV_F32_BOX_MASK      0xffffffff00000000ull /* upper bits of a boxed single */

/* True for a static rounding mode an operation may use (RNE..RMM); 5, 6 and 7 are not. */
bool rv_fpu_rm_valid(unsigned rm);

/* Resolves an instruction's rm field against frm into *out; false means illegal instruction
 * (rm 5 or 6, or rm DYN with an frm that is not a valid static mode). */
bool rv_fpu_rm_resolve(unsigned insn_rm, unsigned frm, unsigned *out);

/* Reads a single from a 64-bit f register: the canonical NaN unless the upper 32 bits are 1s. */
uint32_t rv_f32_unbox(uint64_t reg);

/* Writes a single into a 64-bit f register: upper 32 bits set to 1s (NaN-boxing). */
uint64_t rv_f32_box(uint32_t v);

/* ---- binary32 (F extension) ---- */

uint32_t rv_f32_add(uint32_t a, uint32_t b, unsigned rm, uint32_t *fflags); /* a + b */
uint32_t rv_f32_sub(uint32_t a, uint32_t b, unsigned rm, uint32_t *fflags); /* a - b */
uint32_t rv_f32_mul(uint32_t a, uint32_t b, unsigned rm, uint32_t *fflags); /* a * b */
uint32_t rv_f32_div(uint32_t a, uint32_t b, unsigned rm, uint32_t *fflags); /* a / b */
uint32_t rv_f32_sqrt(uint32_t a, unsigned rm, uint32_t *fflags);            /* sqrt(a) */
/* fmadd.s: a * b + c with a single rounding. */
uint32_t rv_f32_madd(uint32_t a, uint32_t b, uint32_t c, unsigned rm, uint32_t *fflags);
/* fmsub.s: a * b - c with a single rounding. */
uint32_t rv_f32_msub(uint32_t a, uint32_t b, uint32_t c, unsigned rm, uint32_t *fflags);
/* fnmsub.s: -(a * b) + c with a single rounding. */
uint32_t rv_f32_nmsub(uint32_t a, uint32_t b, uint32_t c, unsigned rm, uint32_t *fflags);
/* fnmadd.s: -(a * b) - c with a single rounding. */
uint32_t rv_f32_nmadd(uint32_t a, uint32_t b, uint32_t c, unsigned rm, uint32_t *fflags);
/* fmin.s: minimumNumber (a NaN loses to a number, -0 < +0, NV on sNaN). */
uint32_t rv_f32_min(uint32_t a, uint32_t b, uint32_t *fflags);
/* fmax.s: maximumNumber (a NaN loses to a number, -0 < +0, NV on sNaN). */
uint32_t rv_f32_max(uint32_t a, uint32_t b, uint32_t *fflags);
bool rv_f32_eq(uint32_t a, uint32_t b, uint32_t *fflags); /* feq.s: quiet, NV on sNaN only */
bool rv_f32_lt(uint32_t a, uint32_t b, uint32_t *fflags); /* flt.s: signaling, NV on any NaN */
bool rv_f32_le(uint32_t a, uint32_t b, uint32_t *fflags); /* fle.s: signaling, NV on any NaN */
unsigned rv_f32_class(uint32_t a);                        /* fclass.s: one RV_FCLASS_* bit */
uint32_t rv_f32_sgnj(uint32_t a, uint32_t b);             /* fsgnj.s: a with b's sign */
uint32_t rv_f32_sgnjn(uint32_t a, uint32_t b);            /* fsgnjn.s: a with ~b's sign */
uint32_t rv_f32_sgnjx(uint32_t a, uint32_t b);            /* fsgnjx.s: a's sign xor b's */

/* fcvt.{w,wu,l,lu}.s: rounded per rm, saturating (NaN -> max), NV when out of range, NX when
 * inexact. The result is the x-register value: 32-bit results are sign-extended (also wu). */
uint64_t rv_f32_to_w(uint32_t a, unsigned rm, uint32_t *fflags);  /* fcvt.w.s */
uint64_t rv_f32_to_wu(uint32_t a, unsigned rm, uint32_t *fflags); /* fcvt.wu.s */
uint64_t rv_f32_to_l(uint32_t a, unsigned rm, uint32_t *fflags);  /* fcvt.l.s */
uint64_t rv_f32_to_lu(uint32_t a, unsigned rm, uint32_t *fflags); /* fcvt.lu.s */
/* fcvt.s.{w,wu,l,lu}: integer to single, rounded per rm, NX when inexact. */
uint32_t rv_f32_from_w(int32_t x, unsigned rm, uint32_t *fflags);   /* fcvt.s.w */
uint32_t rv_f32_from_wu(uint32_t x, unsigned rm, uint32_t *fflags); /* fcvt.s.wu */
uint32_t rv_f32_from_l(int64_t x, unsigned rm, uint32_t *fflags);   /* fcvt.s.l */
uint32_t rv_f32_from_lu(uint64_t x, unsigned rm, uint32_t *fflags); /* fcvt.s.lu */

/* ---- binary64 (D extension) ---- */

uint64_t rv_f64_add(uint64_t a, uint64_t b, unsigned rm, uint32_t *fflags); /* a + b */
uint64_t rv_f64_sub(uint64_t a, uint64_t b, unsigned rm, uint32_t *fflags); /* a - b */
uint64_t rv_f64_mul(uint64_t a, uint64_t b, unsigned rm, uint32_t *fflags); /* a * b */
uint64_t rv_f64_div(uint64_t a, uint64_t b, unsigned rm, uint32_t *fflags); /* a / b */
uint64_t rv_f64_sqrt(uint64_t a, unsigned rm, uint32_t *fflags);            /* sqrt(a) */
/* fmadd.d: a * b + c with a single rounding. */
uint64_t rv_f64_madd(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint32_t *fflags);
/* fmsub.d: a * b - c with a single rounding. */
uint64_t rv_f64_msub(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint32_t *fflags);
/* fnmsub.d: -(a * b) + c with a single rounding. */
uint64_t rv_f64_nmsub(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint32_t *fflags);
/* fnmadd.d: -(a * b) - c with a single rounding. */
uint64_t rv_f64_nmadd(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint32_t *fflags);
/* fmin.d: minimumNumber (a NaN loses to a number, -0 < +0, NV on sNaN). */
uint64_t rv_f64_min(uint64_t a, uint64_t b, uint32_t *fflags);
/* fmax.d: maximumNumber (a NaN loses to a number, -0 < +0, NV on sNaN). */
uint64_t rv_f64_max(uint64_t a, uint64_t b, uint32_t *fflags);
bool rv_f64_eq(uint64_t a, uint64_t b, uint32_t *fflags); /* feq.d: quiet, NV on sNaN only */
bool rv_f64_lt(uint64_t a, uint64_t b, uint32_t *fflags); /* flt.d: signaling, NV on any NaN */
bool rv_f64_le(uint64_t a, uint64_t b, uint32_t *fflags); /* fle.d: signaling, NV on any NaN */
unsigned rv_f64_class(uint64_t a);                        /* fclass.d: one RV_FCLASS_* bit */
uint64_t rv_f64_sgnj(uint64_t a, uint64_t b);             /* fsgnj.d: a with b's sign */
uint64_t rv_f64_sgnjn(uint64_t a, uint64_t b);            /* fsgnjn.d: a with ~b's sign */
uint64_t rv_f64_sgnjx(uint64_t a, uint64_t b);            /* fsgnjx.d: a's sign xor b's */

/* fcvt.{w,wu,l,lu}.d: as the .s forms; 32-bit results sign-extended (also wu). */
uint64_t rv_f64_to_w(uint64_t a, unsigned rm, uint32_t *fflags);  /* fcvt.w.d */
uint64_t rv_f64_to_wu(uint64_t a, unsigned rm, uint32_t *fflags); /* fcvt.wu.d */
uint64_t rv_f64_to_l(uint64_t a, unsigned rm, uint32_t *fflags);  /* fcvt.l.d */
uint64_t rv_f64_to_lu(uint64_t a, unsigned rm, uint32_t *fflags); /* fcvt.lu.d */
/* fcvt.d.{w,wu,l,lu}: integer to double, rounded per rm (exact for w and wu). */
uint64_t rv_f64_from_w(int32_t x, unsigned rm, uint32_t *fflags);   /* fcvt.d.w */
uint64_t rv_f64_from_wu(uint32_t x, unsigned rm, uint32_t *fflags); /* fcvt.d.wu */
uint64_t rv_f64_from_l(int64_t x, unsigned rm, uint32_t *fflags);   /* fcvt.d.l */
uint64_t rv_f64_from_lu(uint64_t x, unsigned rm, uint32_t *fflags); /* fcvt.d.lu */

/* ---- between formats ---- */

/* fcvt.s.d: double to single, rounded per rm (OF/UF/NX); NaN -> canonical, sNaN sets NV. */
uint32_t rv_f64_to_f32(uint64_t a, unsigned rm, uint32_t *fflags);
/* fcvt.d.s: single to double, exact; NaN -> canonical, sNaN sets NV. rm is accepted (the
 * instruction has the field) but cannot matter. */
uint64_t rv_f32_to_f64(uint32_t a, unsigned rm, uint32_t *fflags);
