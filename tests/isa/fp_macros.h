/* fp_macros.h - test-case macros for the F and D ISA tests (on top of test.h).
 *
 * Operands and results are IEEE bit patterns moved through integer registers. Single results
 * are read back with fmv.x.d, so the NaN-boxing of every written single is checked too. Each
 * case also requires fflags to equal `flags` exactly (CHECK_FFLAGS clears it afterwards).
 * Registers: a1..a3 operands, fa1..fa3 FP operands, fa0/a0 result. */
#pragma once
#include "test.h"

#define BOXED(v) (0xffffffff00000000 | (v))

/* fd = inst(fs1, fs2, rm) */
#define TEST_FS_OP2(n, inst, rm, flags, result, v1, v2)                                            \
    TEST_CASE(n, a0, BOXED(result), li a1, v1; li a2, v2; fmv.w.x fa1, a1; fmv.w.x fa2, a2;        \
              inst fa0, fa1, fa2, rm; fmv.x.d a0, fa0; CHECK_FFLAGS(flags))
#define TEST_FD_OP2(n, inst, rm, flags, result, v1, v2)                                            \
    TEST_CASE(n, a0, result, li a1, v1; li a2, v2; fmv.d.x fa1, a1; fmv.d.x fa2, a2;               \
              inst fa0, fa1, fa2, rm; fmv.x.d a0, fa0; CHECK_FFLAGS(flags))
/* fd = inst(fs1, fs2): no rounding mode (fmin, fmax, fsgnj*) */
#define TEST_FS_OP2N(n, inst, flags, result, v1, v2)                                               \
    TEST_CASE(n, a0, BOXED(result), li a1, v1; li a2, v2; fmv.w.x fa1, a1; fmv.w.x fa2, a2;        \
              inst fa0, fa1, fa2; fmv.x.d a0, fa0; CHECK_FFLAGS(flags))
#define TEST_FD_OP2N(n, inst, flags, result, v1, v2)                                               \
    TEST_CASE(n, a0, result, li a1, v1; li a2, v2; fmv.d.x fa1, a1; fmv.d.x fa2, a2;               \
              inst fa0, fa1, fa2; fmv.x.d a0, fa0; CHECK_FFLAGS(flags))
/* fd = inst(fs1, rm) */
#define TEST_FS_OP1(n, inst, rm, flags, result, v1)                                                \
    TEST_CASE(n, a0, BOXED(result), li a1, v1; fmv.w.x fa1, a1; inst fa0, fa1, rm;                 \
              fmv.x.d a0, fa0; CHECK_FFLAGS(flags))
#define TEST_FD_OP1(n, inst, rm, flags, result, v1)                                                \
    TEST_CASE(n, a0, result, li a1, v1; fmv.d.x fa1, a1; inst fa0, fa1, rm; fmv.x.d a0, fa0;       \
              CHECK_FFLAGS(flags))
/* fd = inst(fs1, fs2, fs3, rm) */
#define TEST_FS_OP3(n, inst, rm, flags, result, v1, v2, v3)                                        \
    TEST_CASE(n, a0, BOXED(result), li a1, v1; li a2, v2; li a3, v3; fmv.w.x fa1, a1;              \
              fmv.w.x fa2, a2; fmv.w.x fa3, a3; inst fa0, fa1, fa2, fa3, rm; fmv.x.d a0, fa0;      \
              CHECK_FFLAGS(flags))
#define TEST_FD_OP3(n, inst, rm, flags, result, v1, v2, v3)                                        \
    TEST_CASE(n, a0, result, li a1, v1; li a2, v2; li a3, v3; fmv.d.x fa1, a1; fmv.d.x fa2, a2;    \
              fmv.d.x fa3, a3; inst fa0, fa1, fa2, fa3, rm; fmv.x.d a0, fa0; CHECK_FFLAGS(flags))
/* xd = inst(fs1, fs2): comparisons */
#define TEST_FS_CMP(n, inst, flags, result, v1, v2)                                                \
    TEST_CASE(n, a0, result, li a1, v1; li a2, v2; fmv.w.x fa1, a1; fmv.w.x fa2, a2;               \
              inst a0, fa1, fa2; CHECK_FFLAGS(flags))
#define TEST_FD_CMP(n, inst, flags, result, v1, v2)                                                \
    TEST_CASE(n, a0, result, li a1, v1; li a2, v2; fmv.d.x fa1, a1; fmv.d.x fa2, a2;               \
              inst a0, fa1, fa2; CHECK_FFLAGS(flags))
/* xd = fclass(fs1) */
#define TEST_FS_CLASS(n, result, v1)                                                               \
    TEST_CASE(n, a0, result, li a1, v1; fmv.w.x fa1, a1; fclass.s a0, fa1; CHECK_FFLAGS(0))
#define TEST_FD_CLASS(n, result, v1)                                                               \
    TEST_CASE(n, a0, result, li a1, v1; fmv.d.x fa1, a1; fclass.d a0, fa1; CHECK_FFLAGS(0))
/* xd = inst(fs1, rm): conversions to integers */
#define TEST_FS_TOINT(n, inst, rm, flags, result, v1)                                              \
    TEST_CASE(n, a0, result, li a1, v1; fmv.w.x fa1, a1; inst a0, fa1, rm; CHECK_FFLAGS(flags))
#define TEST_FD_TOINT(n, inst, rm, flags, result, v1)                                              \
    TEST_CASE(n, a0, result, li a1, v1; fmv.d.x fa1, a1; inst a0, fa1, rm; CHECK_FFLAGS(flags))
/* fd = inst(xs1, rm): conversions from integers */
#define TEST_FS_FROMINT(n, inst, rm, flags, result, ival)                                          \
    TEST_CASE(n, a0, BOXED(result), li a1, ival; inst fa0, a1, rm; fmv.x.d a0, fa0;                \
              CHECK_FFLAGS(flags))
#define TEST_FD_FROMINT(n, inst, rm, flags, result, ival)                                          \
    TEST_CASE(n, a0, result, li a1, ival; inst fa0, a1, rm; fmv.x.d a0, fa0; CHECK_FFLAGS(flags))
