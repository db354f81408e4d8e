/* rvfd.S - the F and D extensions through the interpreter: arithmetic with static and
 * dynamic rounding modes, fflags, fused multiply-add, conversions (rounding, saturation),
 * classification, min/max, compares, sign injection, moves, loads/stores, NaN-boxing. */
#include "test.h"

/* Double op on raw bits: fa0 = inst(fa1, fa2[, fa3]); check bits and accrued flags. */
#define TEST_D2(n, inst, flags, result, a, b)                                                     \
    TEST_CASE(n, a0, result, li a1, a; fmv.d.x fa1, a1; li a2, b; fmv.d.x fa2, a2;                \
              inst fa0, fa1, fa2; fmv.x.d a0, fa0);                                               \
    CHECK_FFLAGS(flags)
/* The same with a static rounding mode. */
#define TEST_D2R(n, inst, rm, flags, result, a, b)                                                \
    TEST_CASE(n, a0, result, li a1, a; fmv.d.x fa1, a1; li a2, b; fmv.d.x fa2, a2;                \
              inst fa0, fa1, fa2, rm; fmv.x.d a0, fa0);                                           \
    CHECK_FFLAGS(flags)
#define TEST_S2R(n, inst, rm, flags, result, a, b)                                                \
    TEST_CASE(n, a0, result, li a1, a; fmv.w.x fa1, a1; li a2, b; fmv.w.x fa2, a2;                \
              inst fa0, fa1, fa2, rm; fmv.x.w a0, fa0; slli a0, a0, 32; srli a0, a0, 32);         \
    CHECK_FFLAGS(flags)
#define TEST_D1(n, inst, flags, result, a)                                                        \
    TEST_CASE(n, a0, result, li a1, a; fmv.d.x fa1, a1; inst fa0, fa1; fmv.x.d a0, fa0);          \
    CHECK_FFLAGS(flags)
#define TEST_D3(n, inst, flags, result, a, b, c)                                                  \
    TEST_CASE(n, a0, result, li a1, a; fmv.d.x fa1, a1; li a2, b; fmv.d.x fa2, a2; li a3, c;      \
              fmv.d.x fa3, a3; inst fa0, fa1, fa2, fa3; fmv.x.d a0, fa0);                         \
    CHECK_FFLAGS(flags)
/* Single op: operands boxed by fmv.w.x, result compared zero-extended. */
#define TEST_S2(n, inst, flags, result, a, b)                                                     \
    TEST_CASE(n, a0, result, li a1, a; fmv.w.x fa1, a1; li a2, b; fmv.w.x fa2, a2;                \
              inst fa0, fa1, fa2; fmv.x.w a0, fa0; slli a0, a0, 32; srli a0, a0, 32);             \
    CHECK_FFLAGS(flags)
#define TEST_S1(n, inst, flags, result, a)                                                        \
    TEST_CASE(n, a0, result, li a1, a; fmv.w.x fa1, a1; inst fa0, fa1; fmv.x.w a0, fa0;           \
              slli a0, a0, 32; srli a0, a0, 32);                                                  \
    CHECK_FFLAGS(flags)
/* FP -> integer register results. */
#define TEST_DX(n, flags, result, a, inst...)                                                     \
    TEST_CASE(n, a0, result, li a1, a; fmv.d.x fa1, a1; inst);                                    \
    CHECK_FFLAGS(flags)

#define D_ONE   0x3ff0000000000000
#define D_TWO   0x4000000000000000
#define D_THREE 0x4008000000000000
#define D_HALF  0x3fe0000000000000
#define D_M1    0xbff0000000000000
#define D_1_5   0x3ff8000000000000
#define D_2_5   0x4004000000000000
#define D_M2_5  0xc004000000000000
#define D_QNAN  0x7ff8000000000000
#define D_SNAN  0x7ff0000000000001
#define D_INF   0x7ff0000000000000
#define D_MAX   0x7fefffffffffffff
#define F_ONE   0x3f800000
#define F_TWO   0x40000000
#define F_THREE 0x40400000
#define NX 1
#define UF 2
#define OF 4
#define DZ 8
#define NV 16

RVTEST_BEGIN
    TEST_D2(2, fadd.d, 0, D_THREE, D_ONE, D_TWO)
    TEST_D2(3, fsub.d, 0, D_M1, D_ONE, D_TWO)
    TEST_D2(4, fmul.d, 0, D_THREE, D_1_5, D_TWO)
    TEST_D2(5, fdiv.d, NX, 0x3fd5555555555555, D_ONE, D_THREE)
    TEST_D2R(6, fdiv.d, rne, NX, 0x3fd5555555555555, D_ONE, D_THREE)
    TEST_D2R(7, fdiv.d, rup, NX, 0x3fd5555555555556, D_ONE, D_THREE)
    TEST_D2R(8, fdiv.d, rtz, NX, 0x3fd5555555555555, D_ONE, D_THREE)
    TEST_D2R(9, fdiv.d, rdn, NX, 0x3fd5555555555555, D_ONE, D_THREE)
    TEST_D2(10, fdiv.d, DZ, D_INF, D_ONE, 0)
    TEST_D2(11, fdiv.d, NV, D_QNAN, 0, 0)
    TEST_D2(12, fmul.d, OF | NX, D_INF, D_MAX, D_TWO)
    TEST_D2R(13, fmul.d, rtz, OF | NX, D_MAX, D_MAX, D_TWO)
    TEST_D1(14, fsqrt.d, NX, 0x3ff6a09e667f3bcd, D_TWO)
    TEST_D1(15, fsqrt.d, 0, D_TWO, 0x4010000000000000)
    TEST_D1(16, fsqrt.d, NV, D_QNAN, D_M1)
    TEST_D2(17, fadd.d, NV, D_QNAN, D_SNAN, D_ONE)
    TEST_D2(18, fadd.d, 0, D_QNAN, 0x7ff8000000000123, D_ONE) /* NaN payload not kept */
    /* dynamic rounding mode from frm */
    TEST_CASE(19, a0, 0x3fd5555555555556, csrwi frm, 3; li a1, D_ONE; fmv.d.x fa1, a1;
              li a2, D_THREE; fmv.d.x fa2, a2; fdiv.d fa0, fa1, fa2, dyn; fmv.x.d a0, fa0;
              csrwi frm, 0)
    CHECK_FFLAGS(NX)
    /* fused multiply-add family: one rounding */
    TEST_D3(20, fmadd.d, 0, 0x400c000000000000, D_1_5, D_TWO, D_HALF)
    TEST_D3(21, fmsub.d, 0, D_2_5, D_1_5, D_TWO, D_HALF)
    TEST_D3(22, fnmsub.d, 0, D_M2_5, D_1_5, D_TWO, D_HALF)
    TEST_D3(23, fnmadd.d, 0, 0xc00c000000000000, D_1_5, D_TWO, D_HALF)
    /* (1 + 2^-52) * (1 - 2^-53) - 1 = 2^-53 - 2^-105: exact only when fused */
    TEST_D3(24, fmsub.d, 0, 0x3c9ffffffffffffe, 0x3ff0000000000001, 0x3fefffffffffffff, D_ONE)
    TEST_D3(25, fmadd.d, NV, D_QNAN, D_INF, 0, D_ONE)
    /* conversions to integers: rounding modes, saturation */
    TEST_DX(26, NX, 2, D_2_5, fcvt.w.d a0, fa1)
    TEST_DX(27, NX, 3, D_2_5, fcvt.w.d a0, fa1, rmm)
    TEST_DX(28, NX, 3, D_2_5, fcvt.w.d a0, fa1, rup)
    TEST_DX(29, NX, -3, D_M2_5, fcvt.w.d a0, fa1, rdn)
    TEST_DX(30, NX, -2, D_M2_5, fcvt.w.d a0, fa1, rtz)
    TEST_DX(31, NV, 0x7fffffff, 0x4202a05f20000000, fcvt.w.d a0, fa1) /* 1e10 */
    TEST_DX(32, NV, 0, D_M1, fcvt.wu.d a0, fa1)
    TEST_DX(33, 0, 0xffffffffffffffff, 0x41efffffffe00000, fcvt.wu.d a0, fa1) /* 2^32-1 */
    TEST_DX(34, NV, 0x7fffffffffffffff, D_QNAN, fcvt.l.d a0, fa1)
    TEST_DX(35, 0, 0x10000000000, 0x4270000000000000, fcvt.lu.d a0, fa1) /* 2^40 */
    TEST_DX(36, NV, 0x8000000000000000, 0xfff0000000000000, fcvt.l.d a0, fa1) /* -inf */
    /* integers to FP */
    TEST_CASE(37, a0, 0xc014000000000000, li a1, -5; fcvt.d.w fa0, a1; fmv.x.d a0, fa0)
    TEST_CASE(38, a0, 0x41efffffffe00000, li a1, -1; fcvt.d.wu fa0, a1; fmv.x.d a0, fa0)
    TEST_CASE(39, a0, 0x43f0000000000000, li a1, -1; fcvt.d.lu fa0, a1; fmv.x.d a0, fa0)
    CHECK_FFLAGS(NX)
    TEST_CASE(40, a0, 0x43dfffffffffffff, li a1, -1; srli a1, a1, 1; fcvt.d.l fa0, a1, rtz;
              fmv.x.d a0, fa0)
    CHECK_FFLAGS(NX)
    /* between formats */
    TEST_CASE(41, a0, 0x3eaaaaab, li a1, 0x3fd5555555555555; fmv.d.x fa1, a1; fcvt.s.d fa0, fa1;
              fmv.x.w a0, fa0)
    CHECK_FFLAGS(NX)
    TEST_CASE(42, a0, D_ONE, li a1, F_ONE; fmv.w.x fa1, a1; fcvt.d.s fa0, fa1; fmv.x.d a0, fa0)
    CHECK_FFLAGS(0)
    /* classify */
    TEST_DX(43, 0, 0x001, 0xfff0000000000000, fclass.d a0, fa1)
    TEST_DX(44, 0, 0x008, 0x8000000000000000, fclass.d a0, fa1)
    TEST_DX(45, 0, 0x010, 0, fclass.d a0, fa1)
    TEST_DX(46, 0, 0x020, 1, fclass.d a0, fa1)
    TEST_DX(47, 0, 0x040, D_ONE, fclass.d a0, fa1)
    TEST_DX(48, 0, 0x100, D_SNAN, fclass.d a0, fa1)
    TEST_DX(49, 0, 0x200, D_QNAN, fclass.d a0, fa1)
    TEST_DX(50, 0, 0x002, D_M1, fclass.d a0, fa1)
    /* min/max */
    TEST_D2(51, fmin.d, 0, D_ONE, D_ONE, D_QNAN)
    TEST_D2(52, fmin.d, 0, 0x8000000000000000, 0, 0x8000000000000000)
    TEST_D2(53, fmax.d, 0, 0, 0x8000000000000000, 0)
    TEST_D2(54, fmax.d, NV, D_ONE, D_SNAN, D_ONE)
    TEST_D2(55, fmin.d, 0, D_QNAN, D_QNAN, D_QNAN)
    TEST_D2(56, fmax.d, 0, D_TWO, D_M1, D_TWO)
    /* compares */
    TEST_CASE(57, a0, 0, li a1, D_QNAN; fmv.d.x fa1, a1; feq.d a0, fa1, fa1)
    CHECK_FFLAGS(0)
    TEST_CASE(58, a0, 0, li a1, D_QNAN; fmv.d.x fa1, a1; flt.d a0, fa1, fa1)
    CHECK_FFLAGS(NV)
    TEST_CASE(59, a0, 0, li a1, D_SNAN; fmv.d.x fa1, a1; feq.d a0, fa1, fa1)
    CHECK_FFLAGS(NV)
    TEST_CASE(60, a0, 1, li a1, D_ONE; fmv.d.x fa1, a1; fle.d a0, fa1, fa1)
    TEST_CASE(61, a0, 1, li a1, D_ONE; fmv.d.x fa1, a1; li a2, D_TWO; fmv.d.x fa2, a2;
              flt.d a0, fa1, fa2)
    TEST_CASE(62, a0, 1, fmv.d.x fa1, x0; li a2, 0x8000000000000000; fmv.d.x fa2, a2;
              feq.d a0, fa1, fa2) /* +0 == -0 */
    /* sign injection */
    TEST_D2(63, fsgnj.d, 0, D_M1, D_ONE, 0xc000000000000000)
    TEST_D2(64, fsgnjn.d, 0, D_ONE, D_ONE, 0xc000000000000000)
    TEST_D2(65, fsgnjx.d, 0, D_ONE, D_M1, 0xc000000000000000)
    TEST_D2(66, fsgnj.d, 0, D_SNAN, D_SNAN, 0) /* no canonicalization, no flags */
    /* single precision */
    TEST_S2(67, fadd.s, 0, F_THREE, F_ONE, F_TWO)
    TEST_S2(68, fdiv.s, NX, 0x3eaaaaab, F_ONE, F_THREE)
    TEST_S2R(69, fdiv.s, rdn, NX, 0x3eaaaaaa, F_ONE, F_THREE)
    TEST_S1(70, fsqrt.s, NX, 0x3fb504f3, F_TWO)
    TEST_S2(71, fmul.s, OF | NX, 0x7f800000, 0x7f7fffff, F_TWO)
    TEST_S2(72, fsub.s, 0, 0xbf800000, F_ONE, F_TWO)
    TEST_S2(73, fmin.s, 0, F_ONE, F_ONE, 0x7fc00000)
    TEST_S2(74, fmax.s, 0, F_TWO, F_ONE, F_TWO)
    TEST_S2(75, fsgnjn.s, 0, 0xbf800000, F_ONE, F_ONE)
    TEST_CASE(76, a0, 0x40a00000, li a1, 5; fcvt.s.w fa0, a1; fmv.x.w a0, fa0)
    TEST_CASE(77, a0, -1, li a1, 0xbf800000; fmv.w.x fa1, a1; fcvt.w.s a0, fa1)
    TEST_CASE(78, a0, 0x40, li a1, F_ONE; fmv.w.x fa1, a1; fclass.s a0, fa1)
    TEST_CASE(79, a0, 1, li a1, F_ONE; fmv.w.x fa1, a1; fmv.w.x fa2, a1; feq.s a0, fa1, fa2)
    TEST_CASE(80, a0, 0x40400000, li a1, F_ONE; fmv.w.x fa1, a1; li a2, F_TWO; fmv.w.x fa2, a2;
              fmadd.s fa0, fa1, fa2, fa1; fmv.x.w a0, fa0)
    /* NaN-boxing: an unboxed single reads as the canonical NaN */
    TEST_CASE(81, a0, 0xffffffff7fc00000, li a1, F_ONE; fmv.d.x fa1, a1; fadd.s fa0, fa1, fa1;
              fmv.x.d a0, fa0)
    CHECK_FFLAGS(0)
    TEST_CASE(82, a0, 0xffffffff80000000, li a1, 0x80000000; fmv.w.x fa1, a1; fmv.x.w a0, fa1)
    TEST_CASE(83, a0, 0xffffffff3f800000, li a1, F_ONE; fmv.w.x fa1, a1; fmv.x.d a0, fa1)
    /* loads and stores */
    TEST_CASE(84, a0, 0xffffffff12345678, la a1, fdata; flw fa0, 0(a1); fmv.x.d a0, fa0)
    TEST_CASE(85, a0, 0x9abcdef012345678, la a1, fdata; fld fa0, 0(a1); fmv.x.d a0, fa0)
    TEST_CASE(86, a0, 0x12345678, la a1, fdata; flw fa0, 0(a1); fsw fa0, 8(a1); lwu a0, 8(a1))
    TEST_CASE(87, a0, 0x9abcdef012345678, la a1, fdata; fld fa0, 0(a1); fsd fa0, 16(a1);
              ld a0, 16(a1))
    TEST_CASE(88, a0, 0x9abcdef012345678, la a1, fdata; fld fa0, 0(a1); fsd fa0, 25(a1);
              ld a0, 25(a1)) /* misaligned */
    /* fflags accumulate until cleared */
    TEST_CASE(89, a0, NX | DZ, csrwi fflags, 0; li a1, D_ONE; fmv.d.x fa1, a1; fmv.d.x fa2, x0;
              fdiv.d fa0, fa1, fa2; li a2, D_THREE; fmv.d.x fa2, a2; fdiv.d fa0, fa1, fa2;
              csrr a0, fflags)
    csrwi fflags, 0
    j pass
RVTEST_END
    .align 4
fdata:
    .dword 0x9abcdef012345678
    .fill 64, 1, 0
