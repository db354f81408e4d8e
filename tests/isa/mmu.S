/* mmu.S - S-mode, U-mode and Sv39/Sv48/Sv57 paging on the bare machine: leaf permissions
 * (R, W, X, U), SUM and MXR, A and D kept by software (a clear bit is a page fault), invalid
 * and misaligned entries, non-canonical addresses, MPRV, sfence.vma (all and by address),
 * delegation of a page fault to S-mode, satp WARL, TVM, TSR and TW, sret to U-mode, AMOs and
 * LR/SC through the MMU, a delegated supervisor software interrupt, and (run hot, so that
 * decoded and translated code exists) code across privilege changes, remaps and rewrites,
 * SUM/MXR flips and read-only stores with warm TLB entries, direct jumps chained to
 * another page across remaps, an MPRV data privilege moved by a CSR write in hot code, the
 * site slots of hot loads and stores across remaps, permission changes and code writes, and
 * hot S-mode (and MPRV) loads and stores of a U page through SUM: SUM cleared and set again
 * around and inside hot code, the page remapped or made read-only under sfence.vma, and
 * U-mode code that S-mode rewrites through SUM; and address spaces by ASID (cases 97-109):
 * satp's ASID width, two address spaces that map one address to different pages and code,
 * switched by satp writes without sfence.vma in hot code, sfence.vma by ASID and by address
 * and ASID (of the current address space and of another), a global page remapped under
 * sfence.vma by address, and an ASID re-used over other tables after sfence.vma by ASID; and
 * global translations across switches (cases 110-133): a global data page and global code
 * used hot in two address spaces switched without fence, then remapped under sfence.vma in
 * full and by address; sfence.vma by ASID (and by address and ASID) from hot S-mode code,
 * with a global page beside the fenced one; one address non-global in one address space and
 * global in the other; a page whose G bit changes (with its fence); the S, SUM and U sets
 * holding both kinds at a switch; and a SUM-set entry filled from the TLB by kind; and the
 * first level's width (cases 134-141): pages 256 entries apart, loaded hot and remapped one at
 * a time, and code rewritten through an alias, both above entry 256.
 *
 * The code runs at its physical address in M and S modes: the root table maps the gigapage of
 * 0x80000000 to itself (RWX, not U), and again at 0xc0000000 with U for U-mode. VA 0x40000000 + n * 4 KiB are leaves with different
 * flags over the same data page p0. The M-mode handler stores mcause/mtval in s2/s3 and
 * resumes in M-mode at s5; S-mode code ends with ecall (cause 9), U-mode code with ecall
 * (cause 8). */
#include "test.h"

#define VA   0x40000000
#define V0   0x1122334455667788
#define V1   0x99aabbccddeeff00
#define PTE_POINTER 0x01
#define UALIAS 0x40000000 /* 0xc0000000: the code gigapage again, with U */
#define SUM  (1 << 18)
#define MXR  (1 << 19)
#define TVM  (1 << 20)
#define TW   (1 << 21)
#define TSR  (1 << 22)

/* Run `code` in mode (1 S, 0 U) from M-mode; the trap handler brings us back at 7. U-mode
 * runs the same code through its U alias (UALIAS above the physical address). */
#define IN_MODE(mode, code...)                                                                    \
    li s2, -1;                                                                                    \
    li s3, -1;                                                                                    \
    la s5, 7f;                                                                                    \
    li t0, 0x1800;                                                                                \
    csrc mstatus, t0;                                                                             \
    li t0, (mode) << 11;                                                                          \
    csrs mstatus, t0;                                                                             \
    la t0, 6f;                                                                                    \
    li t1, (1 - (mode)) * UALIAS;                                                                 \
    add t0, t0, t1;                                                                               \
    csrw mepc, t0;                                                                                \
    mret;                                                                                         \
    6 : code;                                                                                     \
    ecall;                                                                                        \
    7:

/* Case n: `code` in `mode` ends with trap `cause` and mtval `tval`. */
#define EXPECT(n, mode, cause, tval, code...)                                                     \
    test_##n : TEST_NUM(n);                                                                       \
    IN_MODE(mode, code);                                                                          \
    CHECK(s2, cause);                                                                             \
    CHECK(s3, tval)

/* Case n: S-mode `code` touches a page whose A or D bit (`bit`, in l0[idx]) is clear: either
 * page fault `cause` at `tval`, or completion with the bit now set in the PTE. */
#define EXPECT_AD(n, cause, tval, idx, bit, code...)                                              \
    test_##n : TEST_NUM(n);                                                                       \
    IN_MODE(1, code);                                                                             \
    li t0, cause;                                                                                 \
    bne s2, t0, 8f;                                                                               \
    CHECK(s3, tval);                                                                              \
    j 9f;                                                                                         \
    8 : CHECK(s2, 9);                                                                             \
    la t0, l0;                                                                                    \
    ld t0, (idx) * 8(t0);                                                                         \
    andi t0, t0, bit;                                                                             \
    beqz t0, fail;                                                                                \
    9:

/* `body` 20 times (hot enough for the JIT to translate what it runs). */
#define REPEAT(body...)                                                                           \
    li s10, 20;                                                                                   \
    3 : body;                                                                                     \
    addi s10, s10, -1;                                                                            \
    bnez s10, 3b

/* l0[idx] = a leaf for the page at `label` with `flags`. */
#define LEAF(idx, label, flags)                                                                   \
    la a2, label;                                                                                 \
    srli a2, a2, 12;                                                                              \
    slli a2, a2, 10;                                                                              \
    ori a2, a2, flags;                                                                            \
    la a0, l0;                                                                                    \
    sd a2, (idx) * 8(a0)

/* l0[idx] likewise, for idx >= 256 (beyond a store's immediate offset). */
#define LEAFW(idx, label, flags)                                                                  \
    la a2, label;                                                                                 \
    srli a2, a2, 12;                                                                              \
    slli a2, a2, 10;                                                                              \
    ori a2, a2, flags;                                                                            \
    la a0, l0;                                                                                    \
    li t0, (idx) * 8;                                                                             \
    add a0, a0, t0;                                                                               \
    sd a2, 0(a0)

/* l0b[idx] (the last-level table of the second address space, cases 97-109) likewise. */
#define LEAFB(idx, label, flags)                                                                  \
    la a2, label;                                                                                 \
    srli a2, a2, 12;                                                                              \
    slli a2, a2, 10;                                                                              \
    ori a2, a2, flags;                                                                            \
    la a0, l0b;                                                                                   \
    sd a2, (idx) * 8(a0)

/* reg = an Sv39 satp value for root `root` with ASID `asid` (written later, without sfence). */
#define SATP_VAL(reg, asid, root)                                                                 \
    la reg, root;                                                                                 \
    srli reg, reg, 12;                                                                            \
    li t0, (8 << 60) | ((asid) << 44);                                                            \
    or reg, reg, t0

/* Case n, in the address space of satp value `sreg` (written without sfence.vma): S-mode
 * loads VA + 0x11000 through a site slot and in line (`val` both), the global page VA +
 * 0x12000 (V0), stores `stv` at VA + 0x11200 and runs the code at VA + 0x13000 (`ret`). */
#define AS_CASE(n, sreg, val, stv, ret)                                                           \
    csrw satp, sreg;                                                                              \
    EXPECT(n, 1, 9, 0, li a0, VA + 0x11000; jal ld_site; mv a3, a1; ld a2, 0(a0);                 \
           li a0, VA + 0x12000; ld a4, 0(a0); li a0, VA + 0x11200; li a1, stv; jal st_site;       \
           li a0, VA + 0x13000; jalr a0);                                                         \
    CHECK(a3, val);                                                                               \
    CHECK(a2, val);                                                                               \
    CHECK(a4, V0);                                                                                \
    CHECK(a0, ret)

/* Case n (cases 110-115, 118-119), in the address space of satp value `sreg` (written without
 * sfence.vma): S-mode loads the non-global page VA + 0x11000 through a site slot and in line
 * (`val` both), the global page VA + 0x14000 through a site slot of its own and in line
 * (`gval` both), stores `stv` at VA + 0x14300 and runs the global code at VA + 0x16000
 * (`ret`). */
#define GAS_CASE(n, sreg, val, gval, stv, ret)                                                    \
    csrw satp, sreg;                                                                              \
    EXPECT(n, 1, 9, 0, li a0, VA + 0x11000; jal ld_site; mv a3, a1; ld a2, 0(a0);                 \
           li a0, VA + 0x14000; jal ld_site2; mv a4, a1; ld a5, 0(a0); li a0, VA + 0x14300;       \
           li a1, stv; jal st_site; li a0, VA + 0x16000; jalr a0);                                \
    CHECK(a3, val);                                                                               \
    CHECK(a2, val);                                                                               \
    CHECK(a4, gval);                                                                              \
    CHECK(a5, gval);                                                                              \
    CHECK(a0, ret)

/* Case n (cases 116-117), in the current address space (A): S-mode moves VA + 0x11000 to p1
 * (l0[17]), `fence`s (a0 = the address, a1 = ASID 1) and loads it through a site slot and in
 * line (V1 both), moves it back to p0, fences and loads (V0), then loads the global page
 * VA + 0x14000 (V0) and runs the global code at VA + 0x16000 (43). */
#define FENCE_CASE(n, fence...)                                                                   \
    EXPECT(n, 1, 9, 0, LEAF(17, p1, 0xc7); li a0, VA + 0x11000; li a1, 1; fence; jal ld_site;     \
           mv a3, a1; ld a4, 0(a0); LEAF(17, p0, 0xc7); li a0, VA + 0x11000; li a1, 1; fence;     \
           jal ld_site; mv a5, a1; ld a6, 0(a0); li a0, VA + 0x14000; jal ld_site2; mv a7, a1;    \
           li a0, VA + 0x16000; jalr a0);                                                         \
    CHECK(a3, V1);                                                                                \
    CHECK(a4, V1);                                                                                \
    CHECK(a5, V0);                                                                                \
    CHECK(a6, V0);                                                                                \
    CHECK(a7, V0);                                                                                \
    CHECK(a0, 43)

/* Case n (cases 132-133), in the address space of `sreg`: S-mode loads VA + 0x11000 with SUM
 * clear, then (SUM set) again and through a site slot: `val` each time. */
#define SUMFLIP_CASE(n, sreg, val)                                                                \
    csrw satp, sreg;                                                                              \
    EXPECT(n, 1, 9, 0, li a0, VA + 0x11000; ld a2, 0(a0); li t0, SUM; csrs sstatus, t0;           \
           ld a3, 0(a0); jal ld_site; csrc sstatus, t0);                                          \
    CHECK(a2, val);                                                                               \
    CHECK(a3, val);                                                                               \
    CHECK(a1, val)

/* Case n (cases 120-121), in the address space of `sreg`: S-mode loads VA + 0x15000 through a
 * site slot and in line (`val` both) and runs the code at VA + 0x17000 (`ret`). */
#define XAS_CASE(n, sreg, val, ret)                                                               \
    csrw satp, sreg;                                                                              \
    EXPECT(n, 1, 9, 0, li a0, VA + 0x15000; jal ld_site; ld a2, 0(a0); li a0, VA + 0x17000;       \
           jalr a0);                                                                              \
    CHECK(a1, val);                                                                               \
    CHECK(a2, val);                                                                               \
    CHECK(a0, ret)

/* Case n, in the address space of `sreg`: `mode` (1 S, 0 U) loads `addr` through a site slot
 * and in line, both `val`; S-mode then loads the global page VA + 0x14000 through its own
 * site slot and in line (`gval` both; in U-mode a load of `addr` again). */
#define GLOAD_CASE(n, sreg, mode, addr, val, gaddr, gval)                                         \
    csrw satp, sreg;                                                                              \
    EXPECT(n, mode, 8 + (mode), 0, li a0, addr; jal ld_site; mv a3, a1; ld a2, 0(a0);             \
           li a0, gaddr; jal ld_site2; ld a5, 0(a0));                                             \
    CHECK(a3, val);                                                                               \
    CHECK(a2, val);                                                                               \
    CHECK(a1, gval);                                                                              \
    CHECK(a5, gval)

/* Cases 134-136: S-mode loads VA + 0x11000 through a site slot (a3) and through the probe
 * (a2: its address loaded in the same block), VA + 0x111000 likewise (a4, a5). */
#define WIDE_LOADS                                                                                \
    li a0, VA + 0x11000;                                                                          \
    jal ld_site;                                                                                  \
    mv a3, a1;                                                                                    \
    li a0, VA + 0x111000;                                                                         \
    jal ld_site2;                                                                                 \
    mv a4, a1;                                                                                    \
    la t1, wptrs;                                                                                 \
    ld a0, 0(t1);                                                                                 \
    ld a2, 0(a0);                                                                                 \
    ld a0, 8(t1);                                                                                 \
    ld a5, 0(a0)

/* Case n: S-mode loads of VA + 0x11000 through a site slot and in line, both `val`. */
#define LOAD_CASE(n, val)                                                                         \
    EXPECT(n, 1, 9, 0, li a0, VA + 0x11000; jal ld_site; ld a2, 0(a0));                           \
    CHECK(a1, val);                                                                               \
    CHECK(a2, val)

/* table[idx] = a pointer to the table at `next`. */
#define POINTER(table, idx, next)                                                                 \
    la a2, next;                                                                                  \
    srli a2, a2, 12;                                                                              \
    slli a2, a2, 10;                                                                              \
    ori a2, a2, PTE_POINTER;                                                                      \
    la a0, table;                                                                                 \
    sd a2, (idx) * 8(a0)

/* satp = mode | root, then sfence.vma. */
#define SATP(mode, root)                                                                          \
    la a0, root;                                                                                  \
    srli a0, a0, 12;                                                                              \
    li a1, (mode) << 60;                                                                          \
    or a0, a0, a1;                                                                                \
    csrw satp, a0;                                                                                \
    sfence.vma

RVTEST_BEGIN
    la t0, handler
    csrw mtvec, t0
    /* one PMP entry over everything: machines that enforce PMP deny S and U without one */
    li t0, -1
    csrw pmpaddr0, t0
    li t0, 0x1f /* NAPOT, R W X */
    csrw pmpcfg0, t0
    li t0, 0x2000 /* FS = Initial in every mode */
    csrs mstatus, t0
    la a0, p0
    li a1, V0
    sd a1, 0(a0)
    la a0, p1
    li a1, V1
    sd a1, 0(a0)
    /* the identity gigapage for code and data, RWX A D, not U */
    li a2, ((0x80000000 >> 12) << 10) | 0xcf
    la a0, l2
    sd a2, 16(a0)
    li a2, ((0x80000000 >> 12) << 10) | 0xdf /* the same with U, at 0xc0000000 */
    sd a2, 24(a0)
    POINTER(l2, 1, l1)
    POINTER(l1, 0, l0)
    /* a megapage whose physical page number is not 2 MiB aligned */
    la a2, p0
    srli a2, a2, 12
    slli a2, a2, 10
    ori a2, a2, 0xc7
    la a0, l1
    sd a2, 8(a0)
    LEAF(0, p0, 0x43) /* R A */
    LEAF(1, p0, 0x47) /* R W A, D clear */
    LEAF(2, p0, 0x03) /* R, A clear */
    LEAF(3, p0, 0xd7) /* U R W A D */
    LEAF(4, p0, 0x49) /* X A */
    LEAF(5, p0, 0xc7) /* R W A D, not X */
    LEAF(7, p0, 0xc7) /* R W A D */
    SATP(8, l2)

    EXPECT(2, 1, 9, 0, li a0, VA; ld a0, 0(a0))
    CHECK(a0, V0)
    EXPECT(3, 1, 15, VA, li a0, VA; sd a0, 0(a0))
    /* A and D: a page fault (Svade, what vm does) or the bit set by the hart (Svadu, what
     * some other implementations do); either way nothing else */
    EXPECT_AD(4, 15, VA + 0x1000, 1, 0x80, li a0, VA + 0x1000; li a1, V0; sd a1, 0(a0))
    EXPECT_AD(5, 13, VA + 0x2000, 2, 0x40, li a0, VA + 0x2000; ld a0, 0(a0))
    EXPECT(6, 1, 13, VA + 0x3000, li a0, VA + 0x3000; ld a0, 0(a0))
    li t0, SUM
    csrs mstatus, t0
    EXPECT(7, 1, 9, 0, li a0, VA + 0x3000; ld a0, 0(a0))
    CHECK(a0, V0)
    /* SUM does not allow S-mode to execute U pages */
    EXPECT(8, 1, 12, VA + 0x3000, li a0, VA + 0x3000; jr a0)
    li t0, SUM
    csrc mstatus, t0
    EXPECT(9, 1, 13, VA + 0x3000, li a0, VA + 0x3000; ld a0, 0(a0))
    EXPECT(10, 1, 13, VA + 0x4000, li a0, VA + 0x4000; ld a0, 0(a0))
    li t0, MXR
    csrs mstatus, t0
    EXPECT(11, 1, 9, 0, li a0, VA + 0x4000; ld a0, 0(a0))
    CHECK(a0, V0)
    li t0, MXR
    csrc mstatus, t0
    EXPECT(12, 1, 12, VA + 0x5000, li a0, VA + 0x5000; jr a0)
    EXPECT(13, 1, 13, VA + 0x6000, li a0, VA + 0x6000; ld a0, 0(a0))
    EXPECT(14, 1, 13, 0x40200000, li a0, 0x40200000; ld a0, 0(a0))
    EXPECT(15, 1, 13, 0x4000000000, li a0, 0x4000000000; ld a0, 0(a0))
    EXPECT(16, 1, 9, 0, li a0, VA + 0x7000; li a1, 0x1234; sd a1, 8(a0); ld a0, 8(a0))
    CHECK(a0, 0x1234)
    /* a misaligned load across two pages: the second is missing */
    EXPECT(17, 1, 13, VA + 0x6000, li a0, VA + 0x5ffc; ld a0, 0(a0))
    /* U-mode: not a U page; a U page */
    EXPECT(18, 0, 13, VA, li a0, VA; ld a0, 0(a0))
    EXPECT(19, 0, 8, 0, li a0, VA + 0x3000; ld a0, 0(a0))
    CHECK(a0, V0)
    /* MPRV: M-mode loads and stores translated as S-mode's */
    test_20:
    TEST_NUM(20)
    li t0, 0x1800
    csrc mstatus, t0
    li t0, (1 << 17) | (1 << 11)
    csrs mstatus, t0
    li a0, VA
    ld a1, 0(a0)
    li t0, (1 << 17)
    csrc mstatus, t0
    CHECK(a1, V0)
    test_21:
    TEST_NUM(21)
    li s2, -1
    la s5, 7f
    li t0, 0x1800
    csrc mstatus, t0
    li t0, (1 << 17) | (1 << 11)
    csrs mstatus, t0
    li a0, VA
    sd a0, 0(a0)
    j fail
7:  li t0, (1 << 17)
    csrc mstatus, t0
    CHECK(s2, 15)
    /* sfence.vma after a change of the leaf, then by address */
    LEAF(0, p1, 0x43)
    sfence.vma
    EXPECT(22, 1, 9, 0, li a0, VA; ld a0, 0(a0))
    CHECK(a0, V1)
    LEAF(0, p0, 0x43)
    li a0, VA
    sfence.vma a0
    EXPECT(23, 1, 9, 0, li a0, VA; ld a0, 0(a0))
    CHECK(a0, V0)
    /* a load page fault delegated to S-mode */
    la t0, s_handler
    csrw stvec, t0
    li t0, 1 << 13
    csrw medeleg, t0
    li s8, -1
    EXPECT(24, 1, 9, 0, li a0, VA + 0x6000; ld a0, 0(a0))
    CHECK(s8, 13)
    CHECK(s9, VA + 0x6000)
    csrw medeleg, zero
    /* satp: an unsupported mode is not written */
    TEST_CASE(25, a0, 0, csrr a1, satp; li a0, 1 << 60; csrw satp, a0; csrr a0, satp;
              sub a0, a0, a1)
    /* Sv48 and Sv57 over the same lower tables */
    POINTER(l3, 0, l2)
    POINTER(l4, 0, l3)
    SATP(9, l3)
    EXPECT(26, 1, 9, 0, li a0, VA; ld a0, 0(a0))
    CHECK(a0, V0)
    EXPECT(27, 1, 13, 0x800000000000, li a0, 0x800000000000; ld a0, 0(a0))
    SATP(10, l4)
    EXPECT(28, 1, 9, 0, li a0, VA + 0x3000; li t0, SUM; csrs sstatus, t0; ld a0, 0(a0))
    CHECK(a0, V0)
    li t0, SUM
    csrc mstatus, t0
    EXPECT(29, 1, 13, 0x100000000000000, li a0, 0x100000000000000; ld a0, 0(a0))
    SATP(8, l2)
    /* TVM, TSR, TW */
    li t0, TVM
    csrs mstatus, t0
    EXPECT(30, 1, 2, 0x18002573, csrr a0, satp)
    EXPECT(31, 1, 2, 0x12000073, sfence.vma)
    li t0, TVM | TSR | TW
    csrc mstatus, t0
    li t0, TSR
    csrs mstatus, t0
    EXPECT(32, 1, 2, 0x10200073, sret)
    li t0, TSR
    csrc mstatus, t0
    li t0, TW
    csrs mstatus, t0
    EXPECT(33, 1, 2, 0x10500073, wfi)
    li t0, TW
    csrc mstatus, t0
    /* without TW, wfi in S-mode waits for an interrupt: one is pending and enabled in mie
     * (but masked by sstatus.SIE), so it completes */
    li t0, 1 << 1
    csrw mideleg, t0
    csrs mie, t0
    csrs mip, t0
    EXPECT(34, 1, 9, 0, csrci sstatus, 2; wfi)
    li t0, 1 << 1
    csrc mip, t0
    csrc mie, t0
    csrw mideleg, zero
    /* sret from S-mode to U-mode */
    EXPECT(35, 1, 8, 0, la t0, 5f; li t1, UALIAS; add t0, t0, t1; csrw sepc, t0; li t0, 1 << 8;
           csrc sstatus, t0; sret; 5: nop)
    /* AMOs and LR/SC through the MMU */
    EXPECT(36, 1, 9, 0, li a0, VA + 0x7000; li a1, 5; sd a1, 16(a0); li a2, 3;
           addi a3, a0, 16; amoadd.d a4, a2, (a3); ld a5, 16(a0))
    CHECK(a4, 5)
    CHECK(a5, 8)
    EXPECT(37, 1, 15, VA + 0x10, li a0, VA + 0x10; amoadd.d a4, a2, (a0))
    EXPECT(38, 1, 9, 0, li a0, VA + 0x7018; lr.d a1, (a0); addi a1, a1, 1; sc.d a2, a1, (a0);
           ld a3, 0(a0))
    CHECK(a2, 0)
    CHECK(a3, 1)
    EXPECT(39, 1, 13, VA + 0x6000, li a0, VA + 0x6000; lr.d a1, (a0))
    /* a supervisor software interrupt, delegated, taken in S-mode */
    la t0, s_irq
    csrw stvec, t0
    li t0, 1 << 1
    csrw mideleg, t0
    csrs mie, t0
    li s8, -1
    EXPECT(40, 1, 9, 0, csrsi sstatus, 2; csrsi sip, 2; nop; nop)
    li t0, (1 << 63) | 1
    bne s8, t0, fail
    csrw mideleg, zero
    csrw mie, zero

    /* Code caches across privilege and mapping changes, each case run hot (REPEAT) so that
     * decoded and translated code exists before the change. U-mode must not run code of an
     * S-only page that S-mode ran at the same address, nor S-mode code of a U page */
    LEAF(8, cpage, 0xcb) /* R X A D, not U */
    LEAF(10, cpage, 0xdb) /* U R X A D */
    sfence.vma
    REPEAT(EXPECT(41, 1, 9, 0, li a0, VA + 0x8000; jr a0); CHECK(a0, 42))
    EXPECT(42, 0, 12, VA + 0x8000, li a0, VA + 0x8000; jr a0)
    REPEAT(EXPECT(43, 0, 8, 0, li a0, VA + 0xa000; jr a0); CHECK(a0, 42))
    EXPECT(44, 1, 12, VA + 0xa000, li a0, VA + 0xa000; jr a0)
    /* other code under the same address after sfence.vma (all, then by address), and after
     * a satp write */
    LEAF(9, cpage, 0xcb)
    sfence.vma
    REPEAT(EXPECT(45, 1, 9, 0, li a0, VA + 0x9000; jr a0); CHECK(a0, 42))
    LEAF(9, cpage2, 0xcb)
    li a0, VA + 0x9000
    sfence.vma a0
    REPEAT(EXPECT(46, 1, 9, 0, li a0, VA + 0x9000; jr a0); CHECK(a0, 43))
    LEAF(9, cpage, 0xcb)
    SATP(8, l2)
    EXPECT(47, 1, 9, 0, li a0, VA + 0x9000; jr a0)
    CHECK(a0, 42)
    /* code the guest rewrites through the MMU (a store, then an AMO) and runs after fence.i */
    LEAF(11, cpage3, 0xcf) /* R W X A D */
    sfence.vma
    REPEAT(EXPECT(48, 1, 9, 0, li a0, VA + 0xb000; jr a0); CHECK(a0, 44))
    EXPECT(49, 1, 9, 0, li a0, VA + 0xb000; li a1, 0x02d00513; sw a1, 0(a0); fence.i)
    REPEAT(EXPECT(50, 1, 9, 0, li a0, VA + 0xb000; jr a0); CHECK(a0, 45))
    EXPECT(51, 1, 9, 0, li a0, VA + 0xb000; li a1, 0x02e00513; amoswap.w a2, a1, (a0); fence.i)
    EXPECT(52, 1, 9, 0, li a0, VA + 0xb000; jr a0)
    CHECK(a0, 46)
    /* SUM and MXR flipped by hot code between two loads of one page: the second faults */
    REPEAT(EXPECT(53, 1, 13, VA + 0x3000, li a0, VA + 0x3000; li t0, SUM; csrs sstatus, t0;
                  ld a1, 0(a0); csrc sstatus, t0; ld a1, 0(a0));
           CHECK(a1, V0))
    REPEAT(EXPECT(54, 1, 13, VA + 0x4000, li a0, VA + 0x4000; li t0, MXR; csrs sstatus, t0;
                  ld a1, 0(a0); csrc sstatus, t0; ld a1, 0(a0));
           CHECK(a1, V0))
    /* a store to a page that hot code just loaded from, read-only */
    REPEAT(EXPECT(55, 1, 15, VA, li a0, VA; ld a1, 0(a0); sd a1, 0(a0)); CHECK(a1, V0))
    /* and from U-mode, a U page that is read-only for everyone: l0[12] */
    LEAF(12, p0, 0x53) /* U R A */
    sfence.vma
    REPEAT(EXPECT(56, 0, 15, VA + 0xc000, li a0, VA + 0xc000; ld a1, 0(a0); sd a1, 0(a0));
           CHECK(a1, V0))
    /* A direct jump from hot code to another page, chained by the JIT behind a guard on the
     * target page's mapping (VA + 0xd000: jal to VA + 0xe000), then that page remapped: the
     * new mapping is used after sfence.vma (a stale mapping before it is allowed, either
     * answer passes), the chain is not taken to a page no longer executable, nor by U-mode
     * to an S-only page. REPEAT twice: the blocks become hot, then the chain is made. */
    LEAF(13, jpage, 0xcb) /* R X A D */
    LEAF(14, cpage, 0xcb)
    sfence.vma
    REPEAT(EXPECT(57, 1, 9, 0, li a0, VA + 0xd000; jr a0); CHECK(a0, 42))
    REPEAT(EXPECT(58, 1, 9, 0, li a0, VA + 0xd000; jr a0); CHECK(a0, 42))
    LEAF(14, cpage2, 0xcb) /* remapped, no sfence.vma yet */
    EXPECT(59, 1, 9, 0, li a0, VA + 0xd000; jr a0)
    li t0, 42
    beq a0, t0, 1f
    CHECK(a0, 43)
1:  li a0, VA + 0xe000
    sfence.vma a0
    REPEAT(EXPECT(60, 1, 9, 0, li a0, VA + 0xd000; jr a0); CHECK(a0, 43))
    LEAF(14, cpage, 0xcb) /* back, chained again */
    sfence.vma
    REPEAT(EXPECT(61, 1, 9, 0, li a0, VA + 0xd000; jr a0); CHECK(a0, 42))
    LEAF(14, cpage, 0xc3) /* R A D: no longer executable */
    sfence.vma
    EXPECT(62, 1, 12, VA + 0xe000, li a0, VA + 0xd000; jr a0)
    /* U-mode: chained between U pages, then the target page made S-only */
    LEAF(13, jpage, 0xdb) /* U R X A D */
    LEAF(14, cpage, 0xdb)
    sfence.vma
    REPEAT(EXPECT(63, 0, 8, 0, li a0, VA + 0xd000; jr a0); CHECK(a0, 42))
    REPEAT(EXPECT(64, 0, 8, 0, li a0, VA + 0xd000; jr a0); CHECK(a0, 42))
    LEAF(14, cpage, 0xcb)
    sfence.vma
    EXPECT(65, 0, 12, VA + 0xe000, li a0, VA + 0xd000; jr a0)
    /* MPRV in hot code: a CSR write moves M-mode's data privilege from S to U (MPP) while
     * translation stays on, and the code after it is reached by a chained jump; its load of
     * the S-only page at VA must fault, not hit the S-mode entry the load before it filled */
    test_66:
    TEST_NUM(66)
    li s10, 20
3:  li s2, -1
    li s3, -1
    la s5, 7f
    li t0, 0x1800
    csrc mstatus, t0
    li t0, (1 << 17) | (1 << 11)
    csrs mstatus, t0
    li a0, VA
    ld a1, 0(a0)
    li t0, 0x0800
    csrc mstatus, t0
    ld a1, 0(a0)
    j fail
7:  li t0, (1 << 17)
    csrc mstatus, t0
    CHECK(s2, 13)
    CHECK(s3, VA)
    addi s10, s10, -1
    bnez s10, 3b
    /* Site slots: the load and the store of ld_site and st_site (one translated block each,
     * shared by the cases below, run hot) keep a copy of their page's inline-TLB entry in
     * translated code. The copy must go with the entry: a remap with sfence.vma by address
     * and in full, a page made read-only, and a page that becomes code after a hot store
     * site wrote to it (the store that rewrites it must still be seen as a code change). */
    la a0, sp0
    li a1, V0
    sd a1, 0(a0)
    la a0, sp1
    li a1, V1
    sd a1, 0(a0)
    LEAF(15, sp0, 0xc7) /* R W A D */
    sfence.vma
    REPEAT(EXPECT(67, 1, 9, 0, li a0, VA + 0xf000; jal ld_site); CHECK(a1, V0))
    LEAF(15, sp1, 0xc7)
    li a0, VA + 0xf000
    sfence.vma a0
    REPEAT(EXPECT(68, 1, 9, 0, li a0, VA + 0xf000; jal ld_site); CHECK(a1, V1))
    LEAF(15, sp0, 0xc7)
    sfence.vma
    REPEAT(EXPECT(69, 1, 9, 0, li a0, VA + 0xf000; jal ld_site); CHECK(a1, V0))
    REPEAT(EXPECT(70, 1, 9, 0, li a0, VA + 0xf008; li a1, V1; jal st_site))
    la a0, sp0
    ld a1, 8(a0)
    CHECK(a1, V1)
    LEAF(15, sp0, 0x43) /* R A: read-only */
    li a0, VA + 0xf000
    sfence.vma a0
    EXPECT(71, 1, 15, VA + 0xf008, li a0, VA + 0xf008; li a1, V0; jal st_site)
    la a0, sp0
    ld a1, 8(a0)
    CHECK(a1, V1)
    /* U-mode at the same address after S-mode filled the slot: the page is not U */
    LEAF(15, sp0, 0xc7)
    sfence.vma
    REPEAT(EXPECT(72, 1, 9, 0, li a0, VA + 0xf000; jal ld_site); CHECK(a1, V0))
    EXPECT(73, 0, 13, VA + 0xf000, li a0, VA + 0xf000; jal ld_site)
    /* a hot store site fills its slot for a page, the page then runs as code, then the same
     * store rewrites it: the new instruction must run */
    LEAF(15, cpage4, 0xcf) /* R W X A D */
    sfence.vma
    REPEAT(EXPECT(74, 1, 9, 0, li a0, VA + 0xf040; li a1, 7; jal st_site))
    EXPECT(75, 1, 9, 0, li a0, VA + 0xf000; jr a0)
    CHECK(a0, 47)
    EXPECT(76, 1, 9, 0, li a0, VA + 0xf000; li a1, 0x0000007303000513; jal st_site; fence.i)
    EXPECT(77, 1, 9, 0, li a0, VA + 0xf000; jr a0)
    CHECK(a0, 48)
    /* S-mode loads and stores of a U page through SUM, run hot. The inline TLB keeps them in
     * a set of its own (S-mode with SUM set), selected only while SUM is set, with site slots
     * of its own: clearing SUM (in M-mode before the mret, or by S-mode code itself between
     * two accesses of one hot translation) must make the same sites fault, with the address
     * in mtval; setting it again makes them work. Sites with a slot (ld_site, st_site) and
     * sites that probe the inline TLB (their base register is a load's destination) both. */
    li t0, SUM
    csrs mstatus, t0
    REPEAT(EXPECT(78, 1, 9, 0, li a0, VA + 0x3100; li a1, V1; jal st_site; li a0, VA + 0x3000;
                  jal ld_site);
           CHECK(a1, V0))
    la a0, p0
    ld a1, 0x100(a0)
    CHECK(a1, V1)
    REPEAT(EXPECT(79, 1, 9, 0, li a0, VA + 0x3000; ld a1, 0(a0); li a2, V0; sd a2, 0x108(a0);
                  ld a0, 0x108(a0));
           CHECK(a0, V0); CHECK(a1, V0))
    li t0, SUM
    csrc mstatus, t0
    EXPECT(80, 1, 13, VA + 0x3000, li a0, VA + 0x3000; jal ld_site)
    EXPECT(81, 1, 15, VA + 0x3100, li a0, VA + 0x3100; li a1, V0; jal st_site)
    la a0, p0
    ld a1, 0x100(a0)
    CHECK(a1, V1)
    EXPECT(82, 1, 13, VA + 0x3000, li a0, VA + 0x3000; ld a1, 0(a0); ld a0, 0x108(a0))
    EXPECT(83, 1, 15, VA + 0x3108, li a0, VA + 0x3000; sd a0, 0x108(a0); ld a0, 0(a0))
    li t0, SUM
    csrs mstatus, t0
    REPEAT(EXPECT(84, 1, 9, 0, li a0, VA + 0x3000; jal ld_site; li a0, VA + 0x3100; li a1, V0;
                  jal st_site);
           la a0, p0; ld a1, 0x100(a0); CHECK(a1, V0))
    /* SUM cleared by the hot S-mode code between two stores of one site (translated code
     * chained across the CSR write must leave the SUM set): the first lands, the second
     * faults */
    REPEAT(li t0, SUM; csrs mstatus, t0;
           EXPECT(85, 1, 15, VA + 0x3100, li a0, VA + 0x3100; li a1, V1; jal st_site;
                  li t0, SUM; csrc sstatus, t0; li a1, V0; jal st_site);
           la a0, p0; ld a1, 0x100(a0); CHECK(a1, V1))
    /* the U page remapped while the SUM set (entries and slots) holds it: the new page after
     * sfence.vma in full, by address, and by ASID (0, satp's; the leaves are not global) */
    li t0, SUM
    csrs mstatus, t0
    REPEAT(EXPECT(86, 1, 9, 0, li a0, VA + 0x3000; jal ld_site; ld a2, 0(a0)); CHECK(a1, V0);
           CHECK(a2, V0))
    LEAF(3, p1, 0xd7)
    sfence.vma
    REPEAT(EXPECT(87, 1, 9, 0, li a0, VA + 0x3000; jal ld_site; ld a2, 0(a0)); CHECK(a1, V1);
           CHECK(a2, V1))
    LEAF(3, p0, 0xd7)
    li a0, VA + 0x3000
    sfence.vma a0
    REPEAT(EXPECT(88, 1, 9, 0, li a0, VA + 0x3000; jal ld_site; ld a2, 0(a0)); CHECK(a1, V0);
           CHECK(a2, V0))
    LEAF(3, p1, 0xd7)
    li a1, 0
    sfence.vma zero, a1
    REPEAT(EXPECT(89, 1, 9, 0, li a0, VA + 0x3000; jal ld_site; ld a2, 0(a0)); CHECK(a1, V1);
           CHECK(a2, V1))
    /* made read-only (U R A) after hot stores through the SUM set: the store faults */
    LEAF(3, p0, 0xd7)
    sfence.vma
    REPEAT(EXPECT(90, 1, 9, 0, li a0, VA + 0x3100; li a1, V1; jal st_site))
    LEAF(3, p0, 0xd3)
    li a0, VA + 0x3000
    sfence.vma a0
    EXPECT(91, 1, 15, VA + 0x3100, li a0, VA + 0x3100; li a1, V0; jal st_site)
    la a0, p0
    ld a1, 0x100(a0)
    CHECK(a1, V1)
    LEAF(3, p0, 0xd7)
    sfence.vma
    /* M-mode with MPRV into S: the SUM set too, left when hot M-mode code clears SUM */
    test_92:
    TEST_NUM(92)
    li s10, 20
3:  li s2, -1
    li s3, -1
    la s5, 7f
    li t0, 0x1800
    csrc mstatus, t0
    li t0, (1 << 17) | (1 << 11) | SUM
    csrs mstatus, t0
    li a0, VA + 0x3000
    ld a1, 0(a0)
    li t0, SUM
    csrc mstatus, t0
    ld a1, 0(a0)
    j fail
7:  li t0, (1 << 17)
    csrc mstatus, t0
    CHECK(s2, 13)
    CHECK(s3, VA + 0x3000)
    CHECK(a1, V0)
    addi s10, s10, -1
    bnez s10, 3b
    /* a U page that hot S-mode stores through SUM wrote to (their entries and slots in the
     * SUM set) runs as U-mode code, then S-mode rewrites it through SUM: the rewrite must be
     * seen as a code change, so the new instruction runs */
    LEAF(16, cpage5, 0xdf) /* U R W X A D */
    sfence.vma
    li t0, SUM
    csrs mstatus, t0
    REPEAT(EXPECT(93, 1, 9, 0, li a0, VA + 0x10040; li a1, 7; jal st_site))
    EXPECT(94, 0, 8, 0, li a0, VA + 0x10000; jr a0)
    CHECK(a0, 49)
    EXPECT(95, 1, 9, 0, li a0, VA + 0x10000; li a1, 0x0000007303200513; jal st_site; fence.i)
    EXPECT(96, 0, 8, 0, li a0, VA + 0x10000; jr a0)
    CHECK(a0, 50)
    li t0, SUM
    csrc mstatus, t0
    /* ASIDLEN: satp keeps all 16 ASID bits (software writes ones and reads back) */
    TEST_CASE(97, a0, 0xffff, csrr a1, satp; li a0, 0xffff << 44; or a0, a0, a1; csrw satp, a0;
              csrr a0, satp; srli a0, a0, 44; li t0, 0xffff; and a0, a0, t0; csrw satp, a1;
              sfence.vma)
    /* Address spaces by ASID: A (ASID 1, root l2) and B (ASID 2, root l2b, the same code
     * gigapages) map VA + 0x11000 to p0 and p1 and VA + 0x13000 to code returning 42 and 43;
     * VA + 0x12000 is a global page of p0 in both. Hot code in each, switched by satp writes
     * without sfence.vma (translations of both stay cached, tagged by ASID): each sees its
     * own pages, both ways round */
    la a0, l2
    la a1, l2b
    ld a2, 16(a0)
    sd a2, 16(a1)
    ld a2, 24(a0)
    sd a2, 24(a1)
    POINTER(l2b, 1, l1b)
    POINTER(l1b, 0, l0b)
    LEAF(17, p0, 0xc7) /* R W A D */
    LEAFB(17, p1, 0xc7)
    LEAF(18, p0, 0xe7) /* R W G A D */
    LEAFB(18, p0, 0xe7)
    LEAF(19, cpage, 0xcb) /* R X A D */
    LEAFB(19, cpage2, 0xcb)
    sfence.vma
    SATP_VAL(s4, 1, l2)
    SATP_VAL(s6, 2, l2b)
    REPEAT(AS_CASE(98, s4, V0, 0x98, 42); AS_CASE(99, s6, V1, 0x99, 43))
    la a0, p0
    ld a1, 0x200(a0)
    CHECK(a1, 0x98)
    la a0, p1
    ld a1, 0x200(a0)
    CHECK(a1, 0x99)
    /* sfence.vma x0, ASID while another address space is current: A's page changed and
     * fenced while B runs, then A sees the change; B's own change (not yet fenced: either
     * page) is seen after B's fence, with B current */
    LEAF(17, p1, 0xc7)
    LEAFB(17, p0, 0xc7)
    li a0, 1
    sfence.vma zero, a0
    csrw satp, s4
    LOAD_CASE(100, V1)
    csrw satp, s6
    EXPECT(101, 1, 9, 0, li a0, VA + 0x11000; ld a2, 0(a0))
    li t0, V1
    beq a2, t0, 1f
    CHECK(a2, V0)
1:  li a0, 2
    sfence.vma zero, a0
    REPEAT(LOAD_CASE(102, V0))
    /* sfence.vma by address and ASID: of A while B is current, then of A while A is */
    LEAF(17, p0, 0xc7)
    li a0, VA + 0x11000
    li a1, 1
    sfence.vma a0, a1
    csrw satp, s4
    REPEAT(LOAD_CASE(103, V0))
    LEAF(17, p1, 0xc7)
    li a0, VA + 0x11000
    li a1, 1
    sfence.vma a0, a1
    REPEAT(LOAD_CASE(104, V1))
    /* the global page remapped in both tables: sfence.vma by address with rs2 = x0 drops it in
     * every address space, and a full sfence.vma too */
    LEAF(18, p1, 0xe7)
    LEAFB(18, p1, 0xe7)
    li a0, VA + 0x12000
    sfence.vma a0
    EXPECT(105, 1, 9, 0, li a0, VA + 0x12000; ld a2, 0(a0))
    CHECK(a2, V1)
    csrw satp, s6
    EXPECT(106, 1, 9, 0, li a0, VA + 0x12000; ld a2, 0(a0))
    CHECK(a2, V1)
    LEAF(18, p0, 0xe7)
    LEAFB(18, p0, 0xe7)
    sfence.vma
    EXPECT(107, 1, 9, 0, li a0, VA + 0x12000; ld a2, 0(a0))
    CHECK(a2, V0)
    /* ASID 1 re-used over other tables (l2b's, where VA + 0x11000 is p0; A's own maps p1,
     * and its translations are cached): after satp and sfence.vma x0, 1, the new tables' */
    csrw satp, s4
    REPEAT(LOAD_CASE(108, V1))
    SATP_VAL(s7, 1, l2b)
    csrw satp, s7
    li a0, 1
    sfence.vma zero, a0
    REPEAT(LOAD_CASE(109, V0))
    /* Global translations across switches: the first level keeps global entries (inline,
     * site slots, fetch) across satp writes and sfence.vma by ASID and drops the non-global
     * ones there; full fences and fences by address drop global ones too. A (ASID 1, l2)
     * and B (ASID 2, l2b): VA + 0x11000 non-global p0 / p1, VA + 0x14000 a global data page
     * and VA + 0x16000 global code, the same in both, used hot in each in turn */
    LEAF(17, p0, 0xc7)
    LEAFB(17, p1, 0xc7)
    LEAF(20, p0, 0xe7) /* R W G A D */
    LEAFB(20, p0, 0xe7)
    LEAF(22, cpage6, 0xeb) /* R X G A D */
    LEAFB(22, cpage6, 0xeb)
    csrw satp, s4
    sfence.vma
    REPEAT(GAS_CASE(110, s4, V0, V0, 0x110, 51); GAS_CASE(111, s6, V1, V0, 0x111, 51))
    la a0, p0
    ld a1, 0x300(a0)
    CHECK(a1, 0x111)
    /* the global page and code remapped in both tables, sfence.vma x0, x0 while A is current:
     * gone in B as well (where the switches kept them) */
    LEAF(20, p1, 0xe7)
    LEAFB(20, p1, 0xe7)
    LEAF(22, cpage, 0xeb)
    LEAFB(22, cpage, 0xeb)
    csrw satp, s4
    sfence.vma
    REPEAT(GAS_CASE(112, s6, V1, V1, 0x112, 42); GAS_CASE(113, s4, V0, V1, 0x113, 42))
    la a0, p1
    ld a1, 0x300(a0)
    CHECK(a1, 0x113)
    /* remapped again, sfence.vma by address (rs2 = x0) while A is current: gone in B too */
    LEAF(20, p0, 0xe7)
    LEAFB(20, p0, 0xe7)
    LEAF(22, cpage2, 0xeb)
    LEAFB(22, cpage2, 0xeb)
    li a0, VA + 0x14000
    sfence.vma a0
    li a0, VA + 0x16000
    sfence.vma a0
    REPEAT(GAS_CASE(114, s6, V1, V0, 0x114, 43); GAS_CASE(115, s4, V0, V0, 0x115, 43))
    /* sfence.vma x0, ASID of the current address space (A), from hot S-mode code that moves
     * A's VA + 0x11000 to p1 and back to p0 (its leaf written through the identity map) and
     * fences after each move: the new page each time, and the global page and code beside it
     * (which the fence may keep) still right; then the same with sfence.vma by address and
     * ASID; then both address spaces in turn again */
    csrw satp, s4
    REPEAT(FENCE_CASE(116, sfence.vma zero, a1))
    REPEAT(FENCE_CASE(117, sfence.vma a0, a1))
    REPEAT(GAS_CASE(118, s6, V1, V0, 0x118, 43); GAS_CASE(119, s4, V0, V0, 0x119, 43))
    la a0, p0
    ld a1, 0x300(a0)
    CHECK(a1, 0x119)
    /* one address non-global in A (data p0, code returning 42) and global in B (p1, 43):
     * A's translations (inline, site slot, fetch) are not used in B. A full fence before A
     * runs again: B's global ones would be allowed in A (tables that disagree on a global
     * mapping are software's error, whose outcome the specification leaves open) */
    LEAF(21, p0, 0xc7)
    LEAFB(21, p1, 0xe7)
    LEAF(23, cpage, 0xcb)
    LEAFB(23, cpage2, 0xeb)
    sfence.vma
    REPEAT(XAS_CASE(120, s4, V0, 42); XAS_CASE(121, s6, V1, 43); sfence.vma)
    /* G changed between switches, with the fence the change needs: VA + 0x15000 global p0 in
     * both; then non-global, p0 in A and p1 in B (sfence.vma); then global p1 in both
     * (sfence.vma by address) */
    LEAF(21, p0, 0xe7)
    LEAFB(21, p0, 0xe7)
    sfence.vma
    REPEAT(GLOAD_CASE(122, s4, 1, VA + 0x15000, V0, VA + 0x14000, V0);
           GLOAD_CASE(123, s6, 1, VA + 0x15000, V0, VA + 0x14000, V0))
    LEAF(21, p0, 0xc7)
    LEAFB(21, p1, 0xc7)
    sfence.vma
    REPEAT(GLOAD_CASE(124, s4, 1, VA + 0x15000, V0, VA + 0x14000, V0);
           GLOAD_CASE(125, s6, 1, VA + 0x15000, V1, VA + 0x14000, V0))
    LEAF(21, p1, 0xe7)
    LEAFB(21, p1, 0xe7)
    li a0, VA + 0x15000
    sfence.vma a0
    REPEAT(GLOAD_CASE(126, s4, 1, VA + 0x15000, V1, VA + 0x14000, V0);
           GLOAD_CASE(127, s6, 1, VA + 0x15000, V1, VA + 0x14000, V0))
    /* the SUM set (a U page through SUM beside the global S page) and the U set (the U page
     * from U-mode): VA + 0x18000 is a U page, p0 in A and p1 in B */
    LEAF(24, p0, 0xd7) /* U R W A D */
    LEAFB(24, p1, 0xd7)
    sfence.vma
    li t0, SUM
    csrs mstatus, t0
    REPEAT(GLOAD_CASE(128, s4, 1, VA + 0x18000, V0, VA + 0x14000, V0);
           GLOAD_CASE(129, s6, 1, VA + 0x18000, V1, VA + 0x14000, V0))
    li t0, SUM
    csrc mstatus, t0
    REPEAT(GLOAD_CASE(130, s4, 0, VA + 0x18000, V0, VA + 0x18000, V0);
           GLOAD_CASE(131, s6, 0, VA + 0x18000, V1, VA + 0x18000, V1))
    /* a non-global page loaded without SUM, then with SUM (the SUM set's entry is filled
     * from the TLB by kind's, which the first load made): not kept at a switch either */
    REPEAT(SUMFLIP_CASE(132, s4, V0); SUMFLIP_CASE(133, s6, V1))

    /* The first level's width (cases 134-141): VA + 0x11000 and VA + 0x111000 are 256 pages
     * apart, entries 17 and 273 of a 1024-entry table (one entry of a 256-entry one). Loaded
     * hot through site slots and through the inline TLB's probe (pointer chasing: the address
     * comes from a load of the same block), each must stay itself; remapped under sfence.vma
     * by address, each must change alone, whichever entry holds it. */
    LEAF(17, p0, 0xc7)
    LEAFW(273, p1, 0xc7)
    SATP(8, l2)
    REPEAT(EXPECT(134, 1, 9, 0, WIDE_LOADS); CHECK(a3, V0); CHECK(a2, V0); CHECK(a4, V1);
           CHECK(a5, V1))
    LEAFW(273, p0, 0xc7)
    li a0, VA + 0x111000
    sfence.vma a0
    REPEAT(EXPECT(135, 1, 9, 0, WIDE_LOADS); CHECK(a3, V0); CHECK(a2, V0); CHECK(a4, V0);
           CHECK(a5, V0))
    LEAF(17, p1, 0xc7)
    li a0, VA + 0x11000
    sfence.vma a0
    REPEAT(EXPECT(136, 1, 9, 0, WIDE_LOADS); CHECK(a3, V1); CHECK(a2, V1); CHECK(a4, V0);
           CHECK(a5, V0))
    /* Self-modifying code above entry 256: cpage7 is VA + 0x112000 (entry 274, R W X) and
     * VA + 0x113000 (entry 275, R W: an alias). Hot stores through both fill their store
     * entries; the page then runs as code, which must drop the store entries of both (found
     * by the physical page, not the virtual one); a store through the alias rewrites the
     * instruction, which must run (fence.i drops nothing on these harts: only the store's
     * slow path tells the decoder) */
    LEAFW(274, cpage7, 0xcf)
    LEAFW(275, cpage7, 0xc7)
    sfence.vma
    REPEAT(EXPECT(137, 1, 9, 0, li a0, VA + 0x112040; li a1, 7; jal st_site; la t1, wptrs;
                  ld a0, 16(t1); sd a1, 0x48(a0); ld a0, 24(t1); sd a1, 0x50(a0);
                  li a0, VA + 0x113058; jal st_site))
    EXPECT(138, 1, 9, 0, li a0, VA + 0x112000; jr a0)
    CHECK(a0, 53)
    REPEAT(EXPECT(139, 1, 9, 0, la t1, wptrs; ld a0, 24(t1); li a1, 0x0000007303600513;
                  sd a1, 0(a0); fence.i; li a0, VA + 0x112000; jalr a0);
           CHECK(a0, 54))
    /* and again through a site slot of the alias, and through the code's own mapping */
    EXPECT(140, 1, 9, 0, li a0, VA + 0x113000; li a1, 0x0000007303700513; jal st_site; fence.i;
           li a0, VA + 0x112000; jalr a0)
    CHECK(a0, 55)
    EXPECT(141, 1, 9, 0, la t1, wptrs; ld a0, 16(t1); li a1, 0x0000007303800513; sd a1, 0(a0);
           fence.i; li a0, VA + 0x112000; jalr a0)
    CHECK(a0, 56)
    csrw satp, zero
    j pass

    .align 3
wptrs: /* addresses that cases 134-141 load before they access them (the probe, not a slot) */
    .dword VA + 0x11000, VA + 0x111000, VA + 0x112000, VA + 0x113000

    .align 2
ld_site: /* the load site of cases 67-73 and 78-89 */
    ld a1, 0(a0)
    ret

    .align 2
ld_site2: /* the load site of the global page (cases 110-131) */
    ld a1, 0(a0)
    ret

    .align 2
st_site: /* the store site of cases 70-76, 78-95, 110-115 and 118-119 */
    sd a1, 0(a0)
    ret

    .align 2
handler:
    csrr s2, mcause
    csrr s3, mtval
    li t0, 0x1800 /* back to M-mode */
    csrs mstatus, t0
    csrw mepc, s5
    mret

    .align 2
s_handler:
    csrr s8, scause
    csrr s9, stval
    ecall

    .align 2
s_irq:
    csrr s8, scause
    csrci sip, 2
    ecall
RVTEST_END

    .align 12
l4: .zero 4096
l3: .zero 4096
l2: .zero 4096
l1: .zero 4096
l0: .zero 4096
l2b: .zero 4096
l1b: .zero 4096
l0b: .zero 4096
p0: .zero 4096
p1: .zero 4096
sp0: .zero 4096
sp1: .zero 4096
/* code pages: li a0, 42 (43, 44); ecall */
cpage: .word 0x02a00513, 0x00000073
    .zero 4088
cpage2: .word 0x02b00513, 0x00000073
    .zero 4088
cpage3: .word 0x02c00513, 0x00000073
    .zero 4088
/* li a0, 47; ecall: data until it first runs (cases 74-77) */
cpage4: .word 0x02f00513, 0x00000073
    .zero 4088
/* li a0, 49; ecall: a U page S-mode writes through SUM (cases 93-96) */
cpage5: .word 0x03100513, 0x00000073
    .zero 4088
/* li a0, 53; ecall: code above entry 256 of the first level (cases 137-141) */
cpage7: .word 0x03500513, 0x00000073
    .zero 4088
/* li a0, 51; ecall: global code (cases 110-111) */
cpage6: .word 0x03300513, 0x00000073
    .zero 4088
/* jal zero, +4096: to the start of the next virtual page */
jpage: .word 0x0000106f
    .zero 4092
