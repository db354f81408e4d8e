/* fp_csr.S - the floating-point CSRs: fcsr = frm << 5 | fflags, frm and fflags as views of
 * it, field widths (3 and 5 bits, upper fcsr bits read as zero), the fsrm/fsflags swaps,
 * set/clear forms, and fflags accrued by instructions without touching frm. */
#include "fp_macros.inc"

RVTEST_BEGIN
    TEST_CASE(2, a0, 0xff, li a1, 0xff; csrw fcsr, a1; csrr a0, fcsr)
    TEST_CASE(3, a0, 7, csrr a0, frm)
    TEST_CASE(4, a0, 0x1f, csrr a0, fflags)
    TEST_CASE(5, a0, 0xff, li a1, -1; csrw fcsr, a1; csrr a0, fcsr)
    TEST_CASE(6, a0, 0, csrw fcsr, x0; csrr a0, fcsr)
    TEST_CASE(7, a0, 5, csrwi frm, 5; csrr a0, frm)
    TEST_CASE(8, a0, 0xa0, csrr a0, fcsr)
    TEST_CASE(9, a0, 7, li a1, 0xff; csrw frm, a1; csrr a0, frm)
    TEST_CASE(10, a0, 0x1f, li a1, 0xff; csrw fflags, a1; csrr a0, fflags)
    TEST_CASE(11, a0, 0xff, csrr a0, fcsr)
    /* the swap pseudo-instructions return the old field */
    TEST_CASE(12, a0, 0x1f, li a1, 0x4; fsflags a0, a1)
    TEST_CASE(13, a0, 0xe4, csrr a0, fcsr)
    TEST_CASE(14, a0, 7, li a1, 2; fsrm a0, a1)
    TEST_CASE(15, a0, 0x44, frcsr a0)
    /* set and clear forms */
    TEST_CASE(16, a0, 0x05, csrsi fflags, 1; csrr a0, fflags)
    TEST_CASE(17, a0, 0x01, csrci fflags, 4; csrr a0, fflags)
    TEST_CASE(18, a0, 0x41, csrr a0, fcsr)
    TEST_CASE(19, a0, 3, csrsi frm, 1; csrr a0, frm)
    /* instructions accrue flags into fcsr and leave frm alone */
    TEST_CASE(20, a0, 0x69, li a1, 0x3ff0000000000000; fmv.d.x fa1, a1; fmv.d.x fa2, x0;
              fdiv.d fa0, fa1, fa2, rne; csrr a0, fcsr)
    TEST_CASE(21, a0, 0x79, li a1, 0x7ff0000000000001; fmv.d.x fa1, a1; feq.d a2, fa1, fa1;
              csrr a0, fcsr)
    /* writing fcsr sets the mode used by dynamic-rounding instructions */
    TEST_CASE(22, a0, 0x3eaaaaab, li a1, 0x60; csrw fcsr, a1; li a1, 0x3f800000;
              li a2, 0x40400000; fmv.w.x fa1, a1; fmv.w.x fa2, a2; fdiv.s fa0, fa1, fa2;
              fmv.x.w a0, fa0)
    TEST_CASE(23, a0, 0x61, csrr a0, fcsr)
    j pass
RVTEST_END
