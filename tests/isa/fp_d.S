/* fp_d.S - the D extension through the instruction path: every operation with results and
 * exact fflags, ties and tininess after rounding, saturating conversions (32-bit results
 * sign-extended), conversions between the formats, canonical NaNs, fld/fsd. */
#include "fp_macros.inc"

#define NX 1
#define UF 2
#define OF 4
#define DZ 8
#define NV 16

#define ONE   0x3ff0000000000000
#define TWO   0x4000000000000000
#define THREE 0x4008000000000000
#define QNAN  0x7ff8000000000000
#define SNAN  0x7ff0000000000001
#define INF   0x7ff0000000000000
#define MAX   0x7fefffffffffffff

RVTEST_BEGIN
    /* add/sub */
    TEST_FD_OP2(2, fadd.d, rne, 0, THREE, ONE, TWO)
    TEST_FD_OP2(3, fadd.d, rne, NX, ONE, ONE, 0x3ca0000000000000)
    TEST_FD_OP2(4, fadd.d, rmm, NX, 0x3ff0000000000001, ONE, 0x3ca0000000000000)
    TEST_FD_OP2(5, fadd.d, rup, NX, 0x3ff0000000000001, ONE, 0x3ca0000000000000)
    TEST_FD_OP2(6, fsub.d, rdn, 0, 0x8000000000000000, ONE, ONE)
    TEST_FD_OP2(7, fsub.d, rne, 0, 0, ONE, ONE)
    TEST_FD_OP2(8, fadd.d, rne, NV, QNAN, INF, 0xfff0000000000000)
    TEST_FD_OP2(9, fadd.d, rne, NV, QNAN, SNAN, QNAN)
    TEST_FD_OP2(10, fadd.d, rne, 0, QNAN, 0xfff8000000000123, ONE)
    TEST_FD_OP2(11, fadd.d, rtz, OF | NX, MAX, MAX, MAX)
    TEST_FD_OP2(12, fadd.d, rne, OF | NX, INF, MAX, MAX)
    /* mul, div, sqrt */
    TEST_FD_OP2(13, fmul.d, rne, 0, 0x4018000000000000, TWO, THREE)
    TEST_FD_OP2(14, fmul.d, rne, NV, QNAN, INF, 0x8000000000000000)
    TEST_FD_OP2(15, fmul.d, rtz, OF | NX, MAX, MAX, TWO)
    /* (1 - 2^-53) * 2^-1022: tiny after rounding, a tie that rounds to 2^-1022 */
    TEST_FD_OP2(16, fmul.d, rne, UF | NX, 0x0010000000000000, 0x3fefffffffffffff,
                0x0010000000000000)
    TEST_FD_OP2(17, fmul.d, rtz, UF | NX, 0x000fffffffffffff, 0x3fefffffffffffff,
                0x0010000000000000)
    TEST_FD_OP2(18, fdiv.d, rne, NX, 0x3fd5555555555555, ONE, THREE)
    TEST_FD_OP2(19, fdiv.d, rup, NX, 0x3fd5555555555556, ONE, THREE)
    TEST_FD_OP2(20, fdiv.d, rne, DZ, 0xfff0000000000000, 0xbff0000000000000, 0)
    TEST_FD_OP2(21, fdiv.d, rne, NV, QNAN, INF, INF)
    TEST_FD_OP1(22, fsqrt.d, rne, NX, 0x3ff6a09e667f3bcd, TWO)
    TEST_FD_OP1(23, fsqrt.d, rtz, NX, 0x3ff6a09e667f3bcc, TWO)
    TEST_FD_OP1(24, fsqrt.d, rne, 0, 0x1e60000000000000, 0x0000000000000001)
    TEST_FD_OP1(25, fsqrt.d, rne, NV, QNAN, 0xfff0000000000000)
    /* fused multiply-add */
    TEST_FD_OP3(26, fmadd.d, rne, 0, 0x3c90000000000000, 0x3ff0000002000000,
                0x3ff0000002000000, 0xbff0000004000000)
    TEST_FD_OP3(27, fnmadd.d, rne, 0, 0xc01c000000000000, TWO, THREE, ONE)
    TEST_FD_OP3(28, fmsub.d, rne, 0, 0x4014000000000000, TWO, THREE, ONE)
    TEST_FD_OP3(29, fnmsub.d, rne, 0, 0xc014000000000000, TWO, THREE, ONE)
    TEST_FD_OP3(30, fmadd.d, rne, NV, QNAN, 0, 0xfff0000000000000, QNAN)
    TEST_FD_OP3(31, fmadd.d, rdn, 0, 0x8000000000000000, ONE, ONE, 0xbff0000000000000)
    /* min/max, sign injection, comparisons, fclass */
    TEST_FD_OP2N(32, fmin.d, 0, 0x8000000000000000, 0, 0x8000000000000000)
    TEST_FD_OP2N(33, fmax.d, 0, 0, 0x8000000000000000, 0)
    TEST_FD_OP2N(34, fmax.d, NV, ONE, SNAN, ONE)
    TEST_FD_OP2N(35, fmin.d, NV, QNAN, SNAN, SNAN)
    TEST_FD_OP2N(36, fsgnjn.d, 0, 0xfff8000000000000, QNAN, QNAN)
    TEST_FD_OP2N(37, fsgnjx.d, 0, ONE, 0xbff0000000000000, 0xbff0000000000000)
    TEST_FD_OP2N(38, fsgnj.d, 0, 0xbff0000000000000, ONE, 0x8000000000000000)
    TEST_FD_CMP(39, feq.d, 0, 0, QNAN, ONE)
    TEST_FD_CMP(40, feq.d, NV, 0, ONE, SNAN)
    TEST_FD_CMP(41, flt.d, 0, 1, 0xbff0000000000000, 0)
    TEST_FD_CMP(42, fle.d, NV, 0, QNAN, QNAN)
    TEST_FD_CMP(43, fle.d, 0, 1, 0x8000000000000000, 0)
    TEST_FD_CLASS(44, 0x001, 0xfff0000000000000)
    TEST_FD_CLASS(45, 0x004, 0x800fffffffffffff)
    TEST_FD_CLASS(46, 0x020, 0x0000000000000001)
    TEST_FD_CLASS(47, 0x040, ONE)
    TEST_FD_CLASS(48, 0x100, SNAN)
    TEST_FD_CLASS(49, 0x200, QNAN)
    /* conversions to integers */
    TEST_FD_TOINT(50, fcvt.w.d, rne, NV, 0xffffffff80000000, 0xc1e0000000200000)
    TEST_FD_TOINT(51, fcvt.w.d, rne, NX, 0xffffffff80000000, 0xc1e0000000100000)
    TEST_FD_TOINT(52, fcvt.w.d, rdn, NV, 0xffffffff80000000, 0xc1e0000000100000)
    TEST_FD_TOINT(53, fcvt.w.d, rne, NV, 0x7fffffff, 0x41dfffffffe00000)
    TEST_FD_TOINT(54, fcvt.w.d, rtz, NX, 0x7fffffff, 0x41dfffffffe00000)
    TEST_FD_TOINT(55, fcvt.wu.d, rne, 0, 0xffffffffffffffff, 0x41efffffffe00000)
    TEST_FD_TOINT(56, fcvt.wu.d, rne, NV, 0xffffffffffffffff, 0x41f0000000000000)
    TEST_FD_TOINT(57, fcvt.l.d, rmm, NX, 0xfffffffffffffffd, 0xc004000000000000)
    TEST_FD_TOINT(58, fcvt.l.d, rne, NX, 0xfffffffffffffffe, 0xc004000000000000)
    TEST_FD_TOINT(59, fcvt.l.d, rne, 0, 0x7ffffffffffffc00, 0x43dfffffffffffff)
    TEST_FD_TOINT(60, fcvt.l.d, rne, NV, 0x8000000000000000, 0xc3e0000000000001)
    TEST_FD_TOINT(61, fcvt.l.d, rne, NV, 0x7fffffffffffffff, QNAN)
    TEST_FD_TOINT(62, fcvt.lu.d, rne, NV, 0, 0xfff0000000000000)
    TEST_FD_TOINT(63, fcvt.lu.d, rne, 0, 0xfffffffffffff800, 0x43efffffffffffff)
    TEST_FD_TOINT(64, fcvt.l.d, rup, NX, 1, 0x0000000000000001)
    /* conversions from integers */
    /* (the assembler takes no rounding mode for the exact .w forms) */
    TEST_CASE(65, a0, 0xc1e0000000000000, li a1, 0x80000000; fcvt.d.w fa0, a1; fmv.x.d a0, fa0;
              CHECK_FFLAGS(0))
    TEST_CASE(66, a0, 0x41efffffffe00000, li a1, 0xffffffff; fcvt.d.wu fa0, a1; fmv.x.d a0, fa0;
              CHECK_FFLAGS(0))
    TEST_CASE(67, a0, 0xbff0000000000000, li a1, 0x00000007ffffffff; fcvt.d.w fa0, a1;
              fmv.x.d a0, fa0; CHECK_FFLAGS(0))
    TEST_FD_FROMINT(68, fcvt.d.l, rne, NX, 0x43e0000000000000, 0x7fffffffffffffff)
    TEST_FD_FROMINT(69, fcvt.d.l, rdn, NX, 0x43dfffffffffffff, 0x7fffffffffffffff)
    TEST_FD_FROMINT(70, fcvt.d.lu, rne, NX, 0x4340000000000000, 0x20000000000001)
    TEST_FD_FROMINT(71, fcvt.d.lu, rmm, NX, 0x4340000000000001, 0x20000000000001)
    TEST_FD_FROMINT(72, fcvt.d.lu, rne, NX, 0x43f0000000000000, 0xffffffffffffffff)
    /* between formats: narrowing rounds (OF/UF/NX), widening is exact; NaNs canonical */
    TEST_CASE(73, a0, BOXED(0x3eaaaaab), li a1, 0x3fd5555555555555; fmv.d.x fa1, a1;
              fcvt.s.d fa0, fa1, rne; fmv.x.d a0, fa0; CHECK_FFLAGS(NX))
    TEST_CASE(74, a0, BOXED(0x7f7fffff), li a1, MAX; fmv.d.x fa1, a1; fcvt.s.d fa0, fa1, rtz;
              fmv.x.d a0, fa0; CHECK_FFLAGS(OF | NX))
    TEST_CASE(75, a0, BOXED(0x00800000), li a1, 0x380ffffff8000000; fmv.d.x fa1, a1;
              fcvt.s.d fa0, fa1, rne; fmv.x.d a0, fa0; CHECK_FFLAGS(NX))
    TEST_CASE(76, a0, BOXED(0x00800000), li a1, 0x380fffffe0000000; fmv.d.x fa1, a1;
              fcvt.s.d fa0, fa1, rne; fmv.x.d a0, fa0; CHECK_FFLAGS(UF | NX))
    TEST_CASE(77, a0, BOXED(0x00000001), li a1, 0x3690000000000000; fmv.d.x fa1, a1;
              fcvt.s.d fa0, fa1, rmm; fmv.x.d a0, fa0; CHECK_FFLAGS(UF | NX))
    TEST_CASE(78, a0, BOXED(0x7fc00000), li a1, SNAN; fmv.d.x fa1, a1; fcvt.s.d fa0, fa1;
              fmv.x.d a0, fa0; CHECK_FFLAGS(NV))
    TEST_CASE(79, a0, 0x36a0000000000000, li a1, 1; fmv.w.x fa1, a1; fcvt.d.s fa0, fa1;
              fmv.x.d a0, fa0; CHECK_FFLAGS(0))
    TEST_CASE(80, a0, QNAN, li a1, 0x7f800001; fmv.w.x fa1, a1; fcvt.d.s fa0, fa1;
              fmv.x.d a0, fa0; CHECK_FFLAGS(NV))
    TEST_CASE(81, a0, QNAN, li a1, 0xffc12345; fmv.w.x fa1, a1; fcvt.d.s fa0, fa1;
              fmv.x.d a0, fa0; CHECK_FFLAGS(0))
    /* dynamic rounding */
    csrwi frm, 2
    TEST_FD_OP2(82, fdiv.d, dyn, NX, 0x3fd5555555555555, ONE, THREE)
    csrwi frm, 3
    TEST_FD_OP2(83, fdiv.d, dyn, NX, 0x3fd5555555555556, ONE, THREE)
    csrwi frm, 0
    /* fld/fsd move all 64 bits untouched (also a signaling NaN) */
    TEST_CASE(84, a0, SNAN, la a1, ddata; li a2, SNAN; sd a2, 0(a1); fld fa0, 0(a1);
              fsd fa0, 8(a1); ld a0, 8(a1); CHECK_FFLAGS(0))
    j pass
RVTEST_END
    .align 3
ddata:
    .dword 0, 0
