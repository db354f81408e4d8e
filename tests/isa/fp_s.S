/* fp_s.S - the F extension through the instruction path: every operation with results and
 * exact fflags, static and dynamic rounding modes, ties, tininess after rounding, saturating
 * conversions, canonical NaNs, NaN-boxing on reads (fmv.d.x of an unboxed value) and writes
 * (flw, fmv.w.x, arithmetic), fmv.x.w sign extension and fsw of raw low bits. */
#include "fp_macros.inc"

#define NX 1
#define UF 2
#define OF 4
#define DZ 8
#define NV 16

RVTEST_BEGIN
    /* add/sub: exact, ties in every mode, zero signs, NaNs, overflow */
    TEST_FS_OP2(2, fadd.s, rne, 0, 0x40400000, 0x3f800000, 0x40000000)
    TEST_FS_OP2(3, fadd.s, rne, NX, 0x3f800000, 0x3f800000, 0x33800000)
    TEST_FS_OP2(4, fadd.s, rup, NX, 0x3f800001, 0x3f800000, 0x33800000)
    TEST_FS_OP2(5, fadd.s, rmm, NX, 0x3f800001, 0x3f800000, 0x33800000)
    TEST_FS_OP2(6, fadd.s, rtz, NX, 0x3f800000, 0x3f800000, 0x33800000)
    TEST_FS_OP2(7, fadd.s, rdn, 0, 0x80000000, 0x3f800000, 0xbf800000)
    TEST_FS_OP2(8, fsub.s, rne, NV, 0x7fc00000, 0x7f800000, 0x7f800000)
    TEST_FS_OP2(9, fadd.s, rne, 0, 0x7fc00000, 0x7fc12345, 0x3f800000)
    TEST_FS_OP2(10, fadd.s, rne, NV, 0x7fc00000, 0x7f800001, 0x3f800000)
    TEST_FS_OP2(11, fadd.s, rne, OF | NX, 0x7f800000, 0x7f7fffff, 0x7f7fffff)
    TEST_FS_OP2(12, fadd.s, rtz, OF | NX, 0x7f7fffff, 0x7f7fffff, 0x7f7fffff)
    TEST_FS_OP2(13, fsub.s, rdn, NX, 0xbf800001, 0xbf800000, 0x33800000)
    /* mul: tiny after rounding (UF with a normal result), invalid */
    TEST_FS_OP2(14, fmul.s, rne, UF | NX, 0x00800000, 0x3f7fffff, 0x00800000)
    TEST_FS_OP2(15, fmul.s, rtz, UF | NX, 0x007fffff, 0x3f7fffff, 0x00800000)
    TEST_FS_OP2(16, fmul.s, rne, NV, 0x7fc00000, 0x7f800000, 0x00000000)
    TEST_FS_OP2(17, fmul.s, rmm, UF | NX, 0x00000001, 0x1a000000, 0x1a000000)
    /* div and sqrt */
    TEST_FS_OP2(18, fdiv.s, rne, DZ, 0x7f800000, 0x3f800000, 0x00000000)
    TEST_FS_OP2(19, fdiv.s, rne, NV, 0x7fc00000, 0x00000000, 0x80000000)
    TEST_FS_OP2(20, fdiv.s, rne, NX, 0x3eaaaaab, 0x3f800000, 0x40400000)
    TEST_FS_OP2(21, fdiv.s, rtz, NX, 0x3eaaaaaa, 0x3f800000, 0x40400000)
    TEST_FS_OP1(22, fsqrt.s, rne, NX, 0x3fb504f3, 0x40000000)
    TEST_FS_OP1(23, fsqrt.s, rup, NX, 0x3fb504f4, 0x40000000)
    TEST_FS_OP1(24, fsqrt.s, rne, NV, 0x7fc00000, 0xbf800000)
    TEST_FS_OP1(25, fsqrt.s, rne, 0, 0x80000000, 0x80000000)
    /* fused multiply-add: one rounding, signs of the four forms, inf * 0 + qNaN */
    TEST_FS_OP3(26, fmadd.s, rne, 0, 0x33800000, 0x3f800800, 0x3f800800, 0xbf801000)
    TEST_FS_OP3(27, fmadd.s, rne, 0, 0x40e00000, 0x40000000, 0x40400000, 0x3f800000)
    TEST_FS_OP3(28, fmsub.s, rne, 0, 0x40a00000, 0x40000000, 0x40400000, 0x3f800000)
    TEST_FS_OP3(29, fnmsub.s, rne, 0, 0xc0a00000, 0x40000000, 0x40400000, 0x3f800000)
    TEST_FS_OP3(30, fnmadd.s, rne, 0, 0xc0e00000, 0x40000000, 0x40400000, 0x3f800000)
    TEST_FS_OP3(31, fmadd.s, rne, NV, 0x7fc00000, 0x7f800000, 0x00000000, 0x7fc00000)
    TEST_FS_OP3(32, fnmadd.s, rne, 0, 0x80000000, 0x00000000, 0x3f800000, 0x00000000)
    /* min/max: -0 < +0, a NaN loses, sNaN signals, two NaNs give the canonical NaN */
    TEST_FS_OP2N(33, fmin.s, 0, 0x80000000, 0x00000000, 0x80000000)
    TEST_FS_OP2N(34, fmax.s, 0, 0x00000000, 0x80000000, 0x00000000)
    TEST_FS_OP2N(35, fmin.s, 0, 0x3f800000, 0x7fc00000, 0x3f800000)
    TEST_FS_OP2N(36, fmin.s, NV, 0x3f800000, 0x7f800001, 0x3f800000)
    TEST_FS_OP2N(37, fmax.s, 0, 0x7fc00000, 0xffc12345, 0x7fc00001)
    /* sign injection */
    TEST_FS_OP2N(38, fsgnj.s, 0, 0xbf800000, 0x3f800000, 0x80000000)
    TEST_FS_OP2N(39, fsgnjn.s, 0, 0xbf800000, 0x3f800000, 0x3f800000)
    TEST_FS_OP2N(40, fsgnjx.s, 0, 0x3f800000, 0xbf800000, 0xbf800000)
    TEST_FS_OP2N(41, fsgnj.s, 0, 0xff800001, 0x7f800001, 0x80000000)
    /* comparisons */
    TEST_FS_CMP(42, feq.s, 0, 0, 0x7fc00000, 0x7fc00000)
    TEST_FS_CMP(43, feq.s, NV, 0, 0x7f800001, 0x3f800000)
    TEST_FS_CMP(44, flt.s, NV, 0, 0x7fc00000, 0x3f800000)
    TEST_FS_CMP(45, fle.s, NV, 0, 0x3f800000, 0x7fc00000)
    TEST_FS_CMP(46, fle.s, 0, 1, 0x80000000, 0x00000000)
    TEST_FS_CMP(47, flt.s, 0, 0, 0x80000000, 0x00000000)
    TEST_FS_CMP(48, feq.s, 0, 1, 0x80000000, 0x00000000)
    TEST_FS_CMP(49, flt.s, 0, 1, 0xc0000000, 0xbf800000)
    /* fclass */
    TEST_FS_CLASS(50, 0x001, 0xff800000)
    TEST_FS_CLASS(51, 0x002, 0xbf800000)
    TEST_FS_CLASS(52, 0x004, 0x807fffff)
    TEST_FS_CLASS(53, 0x008, 0x80000000)
    TEST_FS_CLASS(54, 0x010, 0x00000000)
    TEST_FS_CLASS(55, 0x020, 0x00000001)
    TEST_FS_CLASS(56, 0x040, 0x7f7fffff)
    TEST_FS_CLASS(57, 0x080, 0x7f800000)
    TEST_FS_CLASS(58, 0x100, 0x7fbfffff)
    TEST_FS_CLASS(59, 0x200, 0xffc00000)
    /* conversions to integers: rounding, saturation, sign extension of 32-bit results */
    TEST_FS_TOINT(60, fcvt.w.s, rne, NX, 0, 0xbf000000)
    TEST_FS_TOINT(61, fcvt.w.s, rdn, NX, 0xffffffffffffffff, 0xbf000000)
    TEST_FS_TOINT(62, fcvt.w.s, rmm, NX, 3, 0x40200000)
    TEST_FS_TOINT(63, fcvt.w.s, rne, NX, 2, 0x40200000)
    TEST_FS_TOINT(64, fcvt.w.s, rtz, NV, 0x7fffffff, 0x4f000000)
    TEST_FS_TOINT(65, fcvt.w.s, rtz, 0, 0xffffffff80000000, 0xcf000000)
    TEST_FS_TOINT(66, fcvt.w.s, rtz, NV, 0x7fffffff, 0xffc00000)
    TEST_FS_TOINT(67, fcvt.wu.s, rtz, NV, 0xffffffffffffffff, 0x7fc00000)
    TEST_FS_TOINT(68, fcvt.wu.s, rtz, NV, 0, 0xbf800000)
    TEST_FS_TOINT(69, fcvt.wu.s, rne, NX, 0, 0xbecccccd)
    TEST_FS_TOINT(70, fcvt.wu.s, rtz, 0, 0xffffffff80000000, 0x4f000000)
    TEST_FS_TOINT(71, fcvt.l.s, rtz, NV, 0x7fffffffffffffff, 0x5f000000)
    TEST_FS_TOINT(72, fcvt.l.s, rtz, NV, 0x8000000000000000, 0xff800000)
    TEST_FS_TOINT(73, fcvt.lu.s, rtz, 0, 0x8000000000000000, 0x5f000000)
    TEST_FS_TOINT(74, fcvt.lu.s, rtz, NV, 0xffffffffffffffff, 0x5f800000)
    /* conversions from integers: ties, upper register bits ignored by the .w forms */
    TEST_FS_FROMINT(75, fcvt.s.w, rne, NX, 0x4b800000, 16777217)
    TEST_FS_FROMINT(76, fcvt.s.w, rmm, NX, 0x4b800001, 16777217)
    TEST_FS_FROMINT(77, fcvt.s.wu, rne, NX, 0x4f800000, 0xffffffff)
    TEST_FS_FROMINT(78, fcvt.s.w, rne, 0, 0xbf800000, 0x00000001ffffffff)
    TEST_FS_FROMINT(79, fcvt.s.wu, rne, 0, 0x3f800000, 0xffffffff00000001)
    TEST_FS_FROMINT(80, fcvt.s.l, rne, 0, 0xdf000000, 0x8000000000000000)
    TEST_FS_FROMINT(81, fcvt.s.lu, rtz, NX, 0x5f7fffff, 0xffffffffffffffff)
    TEST_FS_FROMINT(82, fcvt.s.w, rdn, 0, 0x00000000, 0)
    /* dynamic rounding mode from frm */
    csrwi frm, 3
    TEST_FS_OP2(83, fadd.s, dyn, NX, 0x3f800001, 0x3f800000, 0x33800000)
    csrwi frm, 1
    TEST_FS_OP2(84, fdiv.s, dyn, NX, 0x3eaaaaaa, 0x3f800000, 0x40400000)
    csrwi frm, 4
    TEST_FS_TOINT(85, fcvt.w.s, dyn, NX, 3, 0x40200000)
    csrwi frm, 2
    TEST_FS_FROMINT(86, fcvt.s.lu, dyn, NX, 0x5f7fffff, 0xffffffffffffffff)
    csrwi frm, 0
    /* NaN-boxing: a single that is not boxed reads as the canonical NaN */
    TEST_CASE(87, a0, BOXED(0x7fc00000), li a1, 0x3f800000; fmv.d.x fa1, a1;
              fadd.s fa0, fa1, fa1; fmv.x.d a0, fa0; CHECK_FFLAGS(0))
    TEST_CASE(88, a0, 0x200, li a1, 0xfffffffe3f800000; fmv.d.x fa1, a1; fclass.s a0, fa1)
    TEST_CASE(89, a0, BOXED(0xbf800000), li a1, 0x3f800000; li a2, 0xbf800000;
              fmv.w.x fa1, a1; fmv.d.x fa2, a2; fsgnjn.s fa0, fa1, fa2; fmv.x.d a0, fa0)
    TEST_CASE(90, a0, 0x3ff0000000000000, li a1, 0x3f800000; fmv.w.x fa1, a1;
              fcvt.d.s fa0, fa1; fmv.x.d a0, fa0; CHECK_FFLAGS(0))
    TEST_CASE(91, a0, 0x7ff8000000000000, li a1, 0x3f800000; fmv.d.x fa1, a1;
              fcvt.d.s fa0, fa1; fmv.x.d a0, fa0; CHECK_FFLAGS(0))
    /* fmv.x.w sign-extends the low 32 bits, boxed or not */
    TEST_CASE(92, a0, 0xffffffff80000000, li a1, 0x80000000; fmv.w.x fa1, a1; fmv.x.w a0, fa1)
    TEST_CASE(93, a0, 0x7f800000, li a1, 0x123456787f800000; fmv.d.x fa1, a1; fmv.x.w a0, fa1)
    /* flw boxes; fsw stores the raw low 32 bits */
    TEST_CASE(94, a0, BOXED(0xbf800000), la a1, fdata; li a2, 0xbf800000; sw a2, 0(a1);
              flw fa0, 0(a1); fmv.x.d a0, fa0)
    TEST_CASE(95, a0, 0x9abcdef0, la a1, fdata; li a2, 0x123456789abcdef0; fmv.d.x fa0, a2;
              fsw fa0, 4(a1); lwu a0, 4(a1))
    /* fflags accrue across instructions */
    TEST_CASE(96, a0, NX | DZ, li a1, 0x3f800000; li a2, 0x40400000; fmv.w.x fa1, a1;
              fmv.w.x fa2, a2; fmv.w.x fa3, x0; fdiv.s fa0, fa1, fa2; fdiv.s fa0, fa1, fa3;
              csrrw a0, fflags, x0)
    j pass
RVTEST_END
    .align 3
fdata:
    .dword 0, 0
