#!/usr/bin/env python3
"""rvdiff.py - differential tester of the vm CPU against a reference emulator.

Design: every test program is a static riscv64 Linux ELF built from generated assembly. It
holds CHUNKS independent test chunks. A chunk loads all 31 x registers, all 32 f registers
and fcsr from a table of seeded random values (biased towards edge cases: 0, -1, INT_MIN,
NaNs, infinities, subnormals, ties), runs LENGTH random instructions, then stores every x and
f register and fcsr into a dump block placed just before its 512-byte scratch buffer and
writes dump + scratch to stdout with one write system call. One register (the base, chosen
per chunk) points at the scratch buffer and is never written by the sequence, so every memory
access (all widths, misaligned ones, AMOs, LR/SC pairs, compressed forms) stays inside it.
Control flow is limited to forward branches and jumps over a few instructions.

The same ELF runs under the reference (qemu-riscv64 by default, or any command, e.g. vm with
another engine) and under vm; the outputs are compared chunk by chunk. On a divergence the
seed, the reproduce command, the disassembly of the chunk and the differing registers and
bytes are printed. Exit status: 0 all equal, 1 divergence, 2 usage/tool error, 77 skipped.

Only the Python 3 standard library is used.
"""
import argparse
import concurrent.futures
import os
import random
import re
import resource
import shlex
import shutil
import struct
import subprocess
import sys
import tempfile

SCRATCH = 512  # bytes of scratch memory per chunk
DUMP = 8 + 32 * 8 + 32 * 8 + 8  # magic, x0..x31, f0..f31, fcsr
BLOCK = DUMP + SCRATCH  # bytes written per chunk
MAGIC = 0x4B4E484300000000  # "CHNK" tag in the upper half, chunk index below

RMS = ["rne", "rtz", "rdn", "rup", "rmm", "dyn"]
RM_BITS = {"rne": 0, "rtz": 1, "rdn": 2, "rup": 3, "rmm": 4, "dyn": 7}

MASK64 = (1 << 64) - 1

INT_EDGES = [
    0, 1, 2, 3, MASK64, MASK64 - 1, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000, 0x7FFFFFFF,
    0xFFFFFFFF80000000, 0x80000000, 0xFFFFFFFF, 0x100000000, 0xFFFFFFFF7FFFFFFF, 0x8000,
    0xFFFFFFFFFFFF8000, 0x7FF, 0xFFFFFFFFFFFFF800, 63, 64, 31, 32, 0x00FF00FF00FF00FF,
    0x8080808080808080, 0x0101010101010101,
]
F32_EDGES = [
    0x00000000, 0x80000000, 0x3F800000, 0xBF800000, 0x3F000000, 0x7F800000, 0xFF800000,
    0x7FC00000, 0x7F800001, 0xFFC00000, 0x7FA00000, 0x00000001, 0x807FFFFF, 0x00800000,
    0x7F7FFFFF, 0xFF7FFFFF, 0x4F000000, 0xCF000000, 0x4F800000, 0x5F000000, 0xDF000000,
    0x5F800000, 0x3FC00000, 0x40200000, 0xC0200000, 0x3EFFFFFF, 0x4B000001, 0xCF000001,
]
F64_EDGES = [
    0x0000000000000000, 0x8000000000000000, 0x3FF0000000000000, 0xBFF0000000000000,
    0x3FE0000000000000, 0x7FF0000000000000, 0xFFF0000000000000, 0x7FF8000000000000,
    0x7FF0000000000001, 0xFFF8000000000000, 0x7FF4000000000000, 0x0000000000000001,
    0x800FFFFFFFFFFFFF, 0x0010000000000000, 0x7FEFFFFFFFFFFFFF, 0x41E0000000000000,
    0xC1E0000000000000, 0x41F0000000000000, 0x43E0000000000000, 0xC3E0000000000000,
    0x43F0000000000000, 0x3FF8000000000000, 0x4004000000000000, 0xC004000000000000,
    0x41DFFFFFFFC00000, 0xC1E0000000200000, 0x36A0000000000000, 0x47EFFFFFE0000000,
    0x3810000000000000, 0x380FFFFFFFFFFFFF,
]

R_OPS = [
    "add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and", "addw", "subw", "sllw",
    "srlw", "sraw", "mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu", "mulw", "divw",
    "divuw", "remw", "remuw",
    "sh1add", "sh2add", "sh3add", "add.uw", "sh1add.uw", "sh2add.uw", "sh3add.uw",
    "andn", "orn", "xnor", "max", "maxu", "min", "minu", "rol", "ror", "rolw", "rorw",
    "bclr", "bext", "binv", "bset",
]
DIV_OPS = ["div", "divu", "rem", "remu", "divw", "divuw", "remw", "remuw"]
I_OPS = ["addi", "slti", "sltiu", "xori", "ori", "andi", "addiw"]
SH64_OPS = ["slli", "srli", "srai", "slli.uw", "rori", "bclri", "bexti", "binvi", "bseti"]
SH32_OPS = ["slliw", "srliw", "sraiw", "roriw"]
UNARY_OPS = ["clz", "ctz", "cpop", "sext.b", "sext.h", "clzw", "ctzw", "cpopw", "zext.h", "orc.b",
             "rev8"]
LOADS = [("lb", 1), ("lh", 2), ("lw", 4), ("ld", 8), ("lbu", 1), ("lhu", 2), ("lwu", 4)]
STORES = [("sb", 1), ("sh", 2), ("sw", 4), ("sd", 8)]
AMO_OPS = ["amoswap", "amoadd", "amoxor", "amoand", "amoor", "amomin", "amomax", "amominu",
           "amomaxu"]
AMO_ORD = ["", "", ".aq", ".rl", ".aqrl"]
BRANCHES = ["beq", "bne", "blt", "bge", "bltu", "bgeu"]
# ALU ops allowed between LR and SC (base ISA, no memory, no M: a constrained LR/SC loop)
LRSC_ALU = ["add", "sub", "xor", "or", "and", "sll", "srl", "addw", "slt"]


# Behaviour of qemu-riscv64 (7.2) that differs from the ISA; see README.md.
QEMU_QUIRKS = ("ctzw",)


def u64(v):
    return v & MASK64


class Chunk:
    """One test chunk: random initial state and a random instruction sequence."""

    def __init__(self, rng, idx, length, quirks=(), repeat=1, smc=True):
        self.rng = rng
        self.repeat = repeat
        self.idx = idx
        self.quirks = quirks
        self.base = rng.randrange(1, 32)
        self.xinit = [0] + [self.rand_int() for _ in range(31)]
        self.finit = [self.rand_fp() for _ in range(32)]
        self.fcsr = (rng.randrange(5) << 5) | rng.randrange(32)
        # a third of the chunks concentrate on one kind of instruction
        self.weights = [w for _, w in self.SIMPLE]
        if rng.random() < 0.33:
            self.weights[rng.randrange(len(self.weights))] *= 15
        self.items = self.sequence(length)  # list of items: lists of (asm line, byte size)
        # some chunks run from a writable code slot, rewritten between runs (fence.i)
        self.smc = smc and rng.random() < 0.15
        self.items_a = self.sequence(length) if self.smc else []

    def sequence(self, length):
        return [self.gen_any() for _ in range(length)]

    # ---- values -------------------------------------------------------------------------
    def rand_int(self):
        r = self.rng.random()
        if r < 0.35:
            return self.rng.getrandbits(64)
        if r < 0.5:
            return u64(self.rng.randrange(-300, 300))
        if r < 0.6:
            return u64(self.rng.getrandbits(32) - (1 << 31))
        return self.rng.choice(INT_EDGES)

    def rand_fp(self):
        rng = self.rng
        if rng.random() < 0.5:
            bits = rng.choice(F32_EDGES) if rng.random() < 0.6 else rng.getrandbits(32)
            if rng.random() < 0.4:  # nearby values: ties, rounding boundaries
                bits = (bits + rng.randrange(-2, 3)) & 0xFFFFFFFF
            upper = 0xFFFFFFFF if rng.random() < 0.93 else rng.getrandbits(32)
            return (upper << 32) | bits
        bits = rng.choice(F64_EDGES) if rng.random() < 0.6 else rng.getrandbits(64)
        if rng.random() < 0.4:
            bits = (bits + rng.randrange(-2, 3)) & MASK64
        return bits

    # ---- registers ----------------------------------------------------------------------
    def rd(self):
        """A destination x register: any but the base (x0 sometimes: writes are discarded)."""
        if self.rng.random() < 0.03:
            return 0
        while True:
            r = self.rng.randrange(1, 32)
            if r != self.base:
                return r

    def rs(self):
        return self.rng.randrange(32)

    def tmp(self, choices=range(1, 32)):
        """A scratch x register (not x0, not the base) from choices."""
        c = [r for r in choices if r not in (0, self.base)]
        return self.rng.choice(c)

    def rdc(self):
        return self.tmp(range(8, 16))

    def fr(self):
        return self.rng.randrange(32)

    def rm(self):
        return "dyn" if self.rng.random() < 0.4 else self.rng.choice(RMS)

    # ---- memory addressing --------------------------------------------------------------
    def addr(self, width, aligned=False):
        """(setup items, base register, offset) of a random access inside the scratch."""
        rng = self.rng
        if aligned or rng.random() < 0.6:
            a = rng.randrange(0, SCRATCH // width) * width
        else:
            a = rng.randrange(0, SCRATCH - width + 1)
        if rng.random() < 0.5:
            return [], self.base, a
        t = self.tmp()
        k = rng.randrange(0, SCRATCH)
        return [(f"addi x{t}, x{self.base}, {k}", 4)], t, a - k

    # ---- generators ---------------------------------------------------------------------
    def g_r(self):
        op = self.rng.choice(R_OPS)
        return [(f"{op} x{self.rd()}, x{self.rs()}, x{self.rs()}", 4)]

    def g_div_edge(self):
        """Division by zero or the signed overflow case, set up explicitly."""
        rng = self.rng
        op = rng.choice(DIV_OPS)
        a, b = self.tmp(), self.tmp()
        out = []
        if rng.random() < 0.5:
            out.append((f"addi x{b}, x0, 0", 4))
        else:
            out.append((f"addi x{b}, x0, -1", 4))
            if op.endswith("w"):
                out.append((f"lui x{a}, 0x80000", 4))
            else:
                out.append((f"addi x{a}, x0, 1", 4))
                out.append((f"slli x{a}, x{a}, 63", 4))
        return out + [(f"{op} x{self.rd()}, x{a}, x{b}", 4)]

    def g_i(self):
        op = self.rng.choice(I_OPS)
        return [(f"{op} x{self.rd()}, x{self.rs()}, {self.rng.randrange(-2048, 2048)}", 4)]

    def g_shift(self):
        if self.rng.random() < 0.6:
            op, n = self.rng.choice(SH64_OPS), 64
        else:
            op, n = self.rng.choice(SH32_OPS), 32
        return [(f"{op} x{self.rd()}, x{self.rs()}, {self.rng.randrange(n)}", 4)]

    def g_unary(self):
        op = self.rng.choice(UNARY_OPS)
        if op == "ctzw" and "ctzw" in self.quirks:
            # the reference counts into bits 63:32 when bits 31:0 are zero: clear them first
            t = self.tmp()
            return [(f"add.uw x{t}, x{self.rs()}, x0", 4), (f"ctzw x{self.rd()}, x{t}", 4)]
        return [(f"{op} x{self.rd()}, x{self.rs()}", 4)]

    def g_upper(self):
        op = self.rng.choice(["lui", "auipc"])
        return [(f"{op} x{self.rd()}, {self.rng.randrange(1 << 20):#x}", 4)]

    def g_load(self):
        op, w = self.rng.choice(LOADS)
        pre, b, off = self.addr(w)
        return pre + [(f"{op} x{self.rd()}, {off}(x{b})", 4)]

    def g_store(self):
        op, w = self.rng.choice(STORES)
        pre, b, off = self.addr(w)
        return pre + [(f"{op} x{self.rs()}, {off}(x{b})", 4)]

    def g_fmem(self):
        rng = self.rng
        op, w = rng.choice([("flw", 4), ("fld", 8), ("fsw", 4), ("fsd", 8)])
        pre, b, off = self.addr(w)
        return pre + [(f"{op} f{self.fr()}, {off}(x{b})", 4)]

    def amo_base(self, w):
        a = self.rng.randrange(0, SCRATCH // w) * w
        if a == 0 and self.rng.random() < 0.5:
            return [], self.base
        t = self.tmp()
        return [(f"addi x{t}, x{self.base}, {a}", 4)], t

    def g_amo(self):
        rng = self.rng
        sz, w = rng.choice([("w", 4), ("d", 8)])
        pre, b = self.amo_base(w)
        op = f"{rng.choice(AMO_OPS)}.{sz}{rng.choice(AMO_ORD)}"
        return pre + [(f"{op} x{self.rd()}, x{self.rs()}, (x{b})", 4)]

    def g_lrsc(self):
        """An LR/SC pair on one address with a few ALU ops between (constrained loop body)."""
        rng = self.rng
        sz, w = rng.choice([("w", 4), ("d", 8)])
        pre, b = self.amo_base(w)
        out = list(pre)

        def dst():
            while True:
                r = self.rd()
                if r != b:
                    return r

        out.append((f"lr.{sz}{rng.choice(AMO_ORD)} x{dst()}, (x{b})", 4))
        for _ in range(rng.randrange(4)):
            out.append((f"{rng.choice(LRSC_ALU)} x{dst()}, x{self.rs()}, x{self.rs()}", 4))
        out.append((f"sc.{sz}{rng.choice(AMO_ORD)} x{dst()}, x{self.rs()}, (x{b})", 4))
        if rng.random() < 0.2:  # the reservation is gone: this SC must fail
            out.append((f"sc.{sz} x{dst()}, x{self.rs()}, (x{b})", 4))
        return out

    def g_fp_arith(self):
        rng = self.rng
        p = rng.choice("sd")
        k = rng.random()
        if k < 0.4:
            op = rng.choice(["fadd", "fsub", "fmul", "fdiv"])
            return [(f"{op}.{p} f{self.fr()}, f{self.fr()}, f{self.fr()}, {self.rm()}", 4)]
        if k < 0.5:
            return [(f"fsqrt.{p} f{self.fr()}, f{self.fr()}, {self.rm()}", 4)]
        if k < 0.75:
            op = rng.choice(["fmadd", "fmsub", "fnmsub", "fnmadd"])
            return [(f"{op}.{p} f{self.fr()}, f{self.fr()}, f{self.fr()}, f{self.fr()}, "
                     f"{self.rm()}", 4)]
        op = rng.choice(["fmin", "fmax", "fsgnj", "fsgnjn", "fsgnjx"])
        return [(f"{op}.{p} f{self.fr()}, f{self.fr()}, f{self.fr()}", 4)]

    def g_fp_other(self):
        rng = self.rng
        p = rng.choice("sd")
        k = rng.random()
        if k < 0.2:
            op = rng.choice(["feq", "flt", "fle"])
            return [(f"{op}.{p} x{self.rd()}, f{self.fr()}, f{self.fr()}", 4)]
        if k < 0.3:
            return [(f"fclass.{p} x{self.rd()}, f{self.fr()}", 4)]
        if k < 0.5:
            t = rng.choice(["w", "wu", "l", "lu"])
            return [(f"fcvt.{t}.{p} x{self.rd()}, f{self.fr()}, {self.rm()}", 4)]
        if k < 0.7:
            t = rng.choice(["w", "wu", "l", "lu"])
            if p == "d" and t in ("w", "wu"):  # exact; encoded by hand to vary the rm field
                return [self.raw_fp(0x69, 0 if t == "w" else 1, self.rs())]
            return [(f"fcvt.{p}.{t} f{self.fr()}, x{self.rs()}, {self.rm()}", 4)]
        if k < 0.8:
            if p == "s":
                return [(f"fcvt.s.d f{self.fr()}, f{self.fr()}, {self.rm()}", 4)]
            return [self.raw_fp(0x21, 0, self.fr())]  # fcvt.d.s
        if rng.random() < 0.5:
            return [(f"fmv.x.{'w' if p == 's' else 'd'} x{self.rd()}, f{self.fr()}", 4)]
        return [(f"fmv.{'w' if p == 's' else 'd'}.x f{self.fr()}, x{self.rs()}", 4)]

    def raw_fp(self, funct7, rs2, rs1):
        """An OP-FP word with a random rounding mode (for forms the assembler takes no rm)."""
        rm = RM_BITS[self.rm()]
        rd = self.fr()
        word = (funct7 << 25) | (rs2 << 20) | (rs1 << 15) | (rm << 12) | (rd << 7) | 0x53
        return (f".4byte {word:#010x}", 4)

    def g_csr(self):
        rng = self.rng
        k = rng.random()
        if k < 0.3:
            op = rng.choice(["csrrs", "csrrc", "csrrw"])
            return [(f"{op} x{self.rd()}, fflags, x{self.rs()}", 4)]
        if k < 0.5:
            op = rng.choice(["csrrsi", "csrrci", "csrrwi"])
            return [(f"{op} x{self.rd()}, fflags, {rng.randrange(32)}", 4)]
        if k < 0.65:
            return [(f"csrrs x{self.rd()}, {rng.choice(['frm', 'fcsr'])}, x0", 4)]
        if k < 0.8:  # clearing bits keeps frm in 0..4
            csr = rng.choice(["frm", "fcsr"])
            return [(f"csrrci x{self.rd()}, {csr}, {rng.randrange(32)}", 4)]
        csr = rng.choice(["frm", "fcsr"])
        v = rng.randrange(5) if csr == "frm" else (rng.randrange(5) << 5) | rng.randrange(32)
        if v < 32 and rng.random() < 0.5:
            return [(f"csrrwi x{self.rd()}, {csr}, {v}", 4)]
        t = self.tmp()
        return [(f"addi x{t}, x0, {v}", 4), (f"csrrw x{self.rd()}, {csr}, x{t}", 4)]

    def g_fence(self):
        return [(self.rng.choice(["fence", "fence rw, rw", "fence r, w", "fence.tso",
                                  "fence iorw, iorw", "fence.i"]), 4)]

    # ---- compressed ---------------------------------------------------------------------
    @staticmethod
    def c(text):
        return (f".option rvc\n\t{text}\n\t.option norvc", 2)

    def nzr(self, lo=-32, hi=32):
        while True:
            v = self.rng.randrange(lo, hi)
            if v:
                return v

    def g_c_alu(self):
        rng = self.rng
        c = self.c
        k = rng.randrange(16)
        if k == 0:
            return [c(f"c.addi x{self.tmp()}, {self.nzr()}")]
        if k == 1:
            return [c(f"c.addiw x{self.tmp()}, {rng.randrange(-32, 32)}")]
        if k == 2:
            return [c(f"c.li x{self.tmp()}, {rng.randrange(-32, 32)}")]
        if k == 3:
            v = rng.choice([rng.randrange(1, 32), rng.randrange(0xFFFE0, 0x100000)])
            return [c(f"c.lui x{self.tmp([r for r in range(1, 32) if r != 2])}, {v:#x}")]
        if k == 4 and self.base != 2:
            return [c(f"c.addi16sp sp, {self.nzr(-32, 32) * 16}")]
        if k == 5:
            return [c(f"c.addi4spn x{self.rdc()}, sp, {rng.randrange(1, 256) * 4}")]
        if k == 6:
            return [c(f"c.slli x{self.tmp()}, {rng.randrange(1, 64)}")]
        if k == 7:
            op = rng.choice(["c.srli", "c.srai"])
            return [c(f"{op} x{self.rdc()}, {rng.randrange(1, 64)}")]
        if k == 8:
            return [c(f"c.andi x{self.rdc()}, {rng.randrange(-32, 32)}")]
        if k in (9, 10):
            op = rng.choice(["c.sub", "c.xor", "c.or", "c.and", "c.subw", "c.addw"])
            return [c(f"{op} x{self.rdc()}, x{rng.randrange(8, 16)}")]
        if k == 11:
            op = rng.choice(["c.mv", "c.add"])
            return [c(f"{op} x{self.tmp()}, x{rng.randrange(1, 32)}")]
        if k == 12:
            return [c("c.nop")]
        if k == 13:
            return [self.c_hint()]
        return [c(f"c.add x{self.tmp()}, x{rng.randrange(1, 32)}")]

    def c_hint(self):
        """A compressed HINT (rd = x0 or zero immediate): must execute as a no-op."""
        rng = self.rng
        k = rng.randrange(7)
        imm = rng.randrange(1, 64)
        lo, hi = imm & 31, (imm >> 5) & 1
        if k == 0:  # c.li x0, imm
            w = 0x4001 | (hi << 12) | (lo << 2)
        elif k == 1:  # c.nop with a non-zero immediate
            w = 0x0001 | (hi << 12) | (lo << 2)
        elif k == 2:  # c.mv x0, rs2
            w = 0x8002 | (rng.randrange(1, 32) << 2)
        elif k == 3:  # c.add x0, rs2
            w = 0x9002 | (rng.randrange(1, 32) << 2)
        elif k == 4:  # c.slli x0, shamt
            w = 0x0002 | (hi << 12) | (lo << 2)
        elif k == 5:  # c.lui x0, nzimm
            w = 0x6001 | (hi << 12) | (lo << 2)
        else:  # c.addi rd, 0
            w = 0x0001 | (self.tmp() << 7)
        return (f".2byte {w:#06x}", 2)

    def g_c_mem(self):
        rng = self.rng
        c = self.c
        kind = rng.choice(["c.lw", "c.ld", "c.fld", "c.sw", "c.sd", "c.fsd"])
        w = 4 if kind.endswith("w") else 8
        off = rng.randrange(0, 32) * w
        pre = []
        if 8 <= self.base < 16 and rng.random() < 0.4:
            b = self.base
            off = min(off, (SCRATCH - w) // w * w)
        else:
            b = self.rdc()
            k = rng.randrange(0, SCRATCH - w - off + 1)
            pre = [(f"addi x{b}, x{self.base}, {k}", 4)]
        if kind in ("c.fld", "c.fsd"):
            reg = f"f{rng.randrange(8, 16)}"
        elif kind in ("c.lw", "c.ld"):
            reg = f"x{self.rdc()}"
        else:
            reg = f"x{rng.randrange(8, 16)}"
        return pre + [c(f"{kind} {reg}, {off}(x{b})")]

    def g_c_sp(self):
        rng = self.rng
        c = self.c
        kind = rng.choice(["c.lwsp", "c.ldsp", "c.fldsp", "c.swsp", "c.sdsp", "c.fsdsp"])
        w = 4 if kind in ("c.lwsp", "c.swsp") else 8
        off = rng.randrange(0, 64) * w
        off = min(off, (SCRATCH - w) // w * w)
        pre = []
        if self.base != 2:
            k = rng.randrange(0, SCRATCH - w - off + 1)
            pre = [(f"addi sp, x{self.base}, {k}", 4)]
        if kind in ("c.fldsp", "c.fsdsp"):
            reg = f"f{self.fr()}"
        elif kind in ("c.lwsp", "c.ldsp"):
            reg = f"x{self.tmp()}"
        else:
            reg = f"x{self.rs()}"
        return pre + [c(f"{kind} {reg}, {off}(sp)")]

    # ---- control flow (forward only) ----------------------------------------------------
    def body(self):
        items = []
        for _ in range(self.rng.randrange(0, 4)):
            items += self.gen_simple()
        return items, sum(s for _, s in items)

    def g_branch(self):
        rng = self.rng
        k = rng.randrange(8)
        items, size = self.body()
        if k <= 2:
            op = rng.choice(BRANCHES)
            head = [(f"{op} x{self.rs()}, x{self.rs()}, 1f", 4)]
        elif k == 3:
            head = [(f"jal x{self.rd()}, 1f", 4)]
        elif k == 4:
            t = self.tmp()
            odd = rng.randrange(2)  # jalr clears bit 0 of the target
            head = [(f"auipc x{t}, 0", 4), (f"jalr x{self.rd()}, {8 + size + odd}(x{t})", 4)]
        elif k == 5:
            head = [self.c("c.j 1f")]
        elif k == 6:
            op = rng.choice(["c.beqz", "c.bnez"])
            head = [self.c(f"{op} x{rng.randrange(8, 16)}, 1f")]
        else:
            op = "c.jr" if self.base == 1 or rng.random() < 0.5 else "c.jalr"
            t = self.tmp([r for r in range(1, 32) if not (op == "c.jalr" and r == 1)])
            odd = rng.randrange(2)
            head = [(f"auipc x{t}, 0", 4), (f"addi x{t}, x{t}, {10 + size + odd}", 4),
                    self.c(f"{op} x{t}")]
        return head + items + [("1:", 0)]

    # ---- selection ----------------------------------------------------------------------
    SIMPLE = [
        ("g_r", 22), ("g_div_edge", 3), ("g_i", 10), ("g_shift", 6), ("g_unary", 3),
        ("g_upper", 2), ("g_load", 8), ("g_store", 8), ("g_fmem", 4), ("g_amo", 4),
        ("g_fp_arith", 12), ("g_fp_other", 9), ("g_csr", 2), ("g_fence", 1), ("g_c_alu", 9),
        ("g_c_mem", 4), ("g_c_sp", 3),
    ]

    def gen_simple(self):
        names = [n for n, _ in self.SIMPLE]
        return getattr(self, self.rng.choices(names, self.weights)[0])()

    def gen_any(self):
        r = self.rng.random()
        if r < 0.06:
            return self.g_branch()
        if r < 0.09:
            return self.g_lrsc()
        return self.gen_simple()

    # ---- assembly -----------------------------------------------------------------------
    def text(self):
        i, b = self.idx, self.base
        t = 1 if b != 1 else 2
        out = [f"chunk{i}:"]
        if self.smc:  # odd runs execute sequence B, even ones A: the last run is always B
            out += [f"\tlla x5, chunk{i}_init", "\tld x6, 520(x5)", "\tandi x6, x6, 1",
                    f"\tlla x7, chunk{i}_seqA", "\tbeqz x6, 2f", f"\tlla x7, chunk{i}_seq",
                    f"2:\tlla x8, smc{i}_slot", f"\tli x9, {self.slot_size() // 4}",
                    "3:\tlw x10, 0(x7)", "\tsw x10, 0(x8)", "\taddi x7, x7, 4",
                    "\taddi x8, x8, 4", "\taddi x9, x9, -1", "\tbnez x9, 3b", "\tfence.i"]
        out += [f"\tlla x{b}, chunk{i}_init"]
        out += [f"\tfld f{j}, {256 + 8 * j}(x{b})" for j in range(32)]
        out += [f"\tld x{t}, 512(x{b})", f"\tfscsr x{t}"]
        out += [f"\tld x{j}, {8 * j}(x{b})" for j in range(1, 32) if j != b]
        out += [f"\tlla x{b}, chunk{i}_scratch"]
        if self.smc:
            out += [f"\tj smc{i}_slot", f"smc{i}_back:"]
        else:
            out += [f"chunk{i}_seq:"] + self.lines(self.items) + [f"chunk{i}_seq_end:"]
        out += [f"\tsd x{j}, {-DUMP + 8 + 8 * j}(x{b})" for j in range(32)]
        out += [f"\tfsd f{j}, {-DUMP + 264 + 8 * j}(x{b})" for j in range(32)]
        out += [f"\tfrcsr x{t}", f"\tsd x{t}, -8(x{b})"]
        # run the chunk `repeat` times (hot code for a JIT); memory carries over, registers not
        out += [f"\tlla x1, chunk{i}_init", "\tld x2, 520(x1)", "\taddi x2, x2, -1",
                "\tsd x2, 520(x1)", "\tbeqz x2, 1f", f"\tj chunk{i}", "1:"]
        out += ["\tli a7, 64", "\tli a0, 1", f"\tlla a1, chunk{i}_dump", f"\tli a2, {BLOCK}",
                "\tecall"]
        return "\n".join(out)

    @staticmethod
    def lines(items):
        return [line if line.endswith(":") else "\t" + line for item in items for line, _ in item]

    @staticmethod
    def size(items):
        return sum(n for item in items for _, n in item)

    def slot_size(self):
        return (max(self.size(self.items), self.size(self.items_a)) + 4) // 4 * 4

    def smc_text(self):
        """Both versions of a rewritten sequence (read-only code), its slot and the way back."""
        if not self.smc:
            return ""
        i, n = self.idx, self.slot_size()
        out = [f"\t.section .text.smc{i}, \"ax\"", "\t.balign 4"]
        for name, items in ((f"chunk{i}_seqA", self.items_a), (f"chunk{i}_seq", self.items)):
            pad = n - self.size(items)
            out += [f"{name}:"] + self.lines(items) + ["\t.2byte 0x0001"] * (pad % 4 // 2)
            out += ["\tnop"] * (pad // 4) + [f"{name}_end:"]
        # the chunk's data follows its slot: its stores land in the lines and page of live code
        out += ["\t.section .smc, \"awx\"", "\t.balign 4", f"smc{i}_slot:", f"\t.skip {n}",
                f"\tj smc{i}_back", self.data_block(), "\t.text"]
        return "\n".join(out)

    def data(self):
        return "" if self.smc else self.data_block()

    def data_block(self):
        """Initial values, dump block and scratch buffer of the chunk."""
        i = self.idx
        q = lambda vals: "\t.8byte " + ", ".join(f"{v:#x}" for v in vals)  # noqa: E731
        scratch = [self.rng.getrandbits(64) for _ in range(SCRATCH // 8)]
        # every other scratch buffer straddles a page boundary (misaligned accesses across it)
        cross = ["\t.balign 4096", f"\t.skip {4096 - DUMP - SCRATCH // 2}"]
        cross = [] if i % 2 or self.smc else cross
        align = "\t.balign 8" if self.smc else "\t.balign 64"
        return "\n".join([
            align, f"chunk{i}_init:", q(self.xinit), q(self.finit),
            q([self.fcsr, max(self.repeat, 2) if self.smc else self.repeat]),
            align] + cross + [f"chunk{i}_dump:", q([MAGIC | i]), q([0] * 65),
            f"chunk{i}_scratch:",
        ] + [q(scratch[j:j + 8]) for j in range(0, len(scratch), 8)])


# Ways for a program to end: half exit normally, the others with one faulting instruction,
# whose signal (or exit status) must be the same under both emulators.
ENDINGS = [
    ("exit", ["li a7, 94", "li a0, 0", "ecall"]),
    ("ebreak", ["ebreak"]),
    ("c.ebreak", [".option rvc", "c.ebreak", ".option norvc"]),
    ("all-zero word", [".4byte 0"]),
    ("write to a read-only CSR", ["csrrw x1, cycle, x2"]),
    ("machine-mode CSR", ["csrrs x1, mstatus, x0"]),
    ("mret", ["mret"]),
    ("static rm 5", [".4byte 0x0020d1d3"]),
    ("frm 7 with a dynamic rm", ["fsrmi 7", "fadd.d f3, f1, f2, dyn"]),
    ("misaligned AMO", ["lla x5, chunk0_scratch", "addi x5, x5, 2",
                        "amoadd.w x6, x7, (x5)"]),
    ("misaligned LR", ["lla x5, chunk0_scratch", "addi x5, x5, 4", "lr.d x6, (x5)"]),
    ("load from address 0", ["ld x5, 0(x0)"]),
    ("store to address 8", ["sw x5, 8(x0)"]),
    ("store into the code", ["lla x5, _start", "sw x0, 0(x5)"]),
    ("jump to address 0", ["jalr x0, 0(x0)"]),
]


def program(seed, index, chunks, length, quirks=(), repeat=1, only=None, prefix=None):
    """Assembly source of test program `index` of a run with `seed`, and its chunks.

    With `only`, the program holds that chunk alone, cut after `prefix` items (the random
    state is drawn exactly as for the whole program, so the values stay the same)."""
    rng = random.Random(f"rvdiff:{seed}:{index}")
    cs = [Chunk(rng, i, length, quirks, repeat) for i in range(chunks)]
    name, ending = ENDINGS[0] if rng.random() < 0.5 else rng.choice(ENDINGS)
    if only is not None:
        name, ending = ENDINGS[0]
        cs[only].items = cs[only].items[:prefix]
    texts = [c.text() for c in cs]
    smcs = [c.smc_text() for c in cs]
    datas = [c.data() for c in cs]
    keep = range(chunks) if only is None else [only]
    src = ["/* generated by rvdiff.py: seed %d program %d */" % (seed, index),
           "\t.option norvc", "\t.option norelax", "\t.text", "\t.globl _start", "_start:"]
    src += [texts[i] for i in keep]
    src += [f"/* ending: {name} */", "program_end:"] + ["\t" + e for e in ending]
    src += [smcs[i] for i in keep]
    src += ["\t.data"]
    src += [datas[i] for i in keep]
    return "\n".join(src) + "\n", cs


# ---- running and comparing ----------------------------------------------------------------

XNAMES = ["zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1"] + \
    [f"a{i}" for i in range(8)] + [f"s{i}" for i in range(2, 12)] + [f"t{i}" for i in range(3, 7)]


def parse_block(blk):
    vals = struct.unpack("<66Q", blk[:DUMP])
    return vals[0], vals[1:33], vals[33:65], vals[65], blk[DUMP:]


def diff_block(a, b):
    """Human-readable differences between two chunk dumps (ref a, vm b)."""
    ma, xa, fa, ca, sa = parse_block(a)
    mb, xb, fb, cb, sb = parse_block(b)
    out = []
    if ma != mb:
        out.append(f"  chunk tag: ref {ma:#x} vm {mb:#x}")
    for j in range(32):
        if xa[j] != xb[j]:
            out.append(f"  x{j:<2} ({XNAMES[j]:>4}): ref {xa[j]:#018x}  vm {xb[j]:#018x}")
    for j in range(32):
        if fa[j] != fb[j]:
            out.append(f"  f{j:<2}       : ref {fa[j]:#018x}  vm {fb[j]:#018x}")
    if ca != cb:
        out.append(f"  fcsr      : ref {ca:#x} (frm {ca >> 5}, fflags {ca & 31:#x})  "
                   f"vm {cb:#x} (frm {cb >> 5}, fflags {cb & 31:#x})")
    for j in range(0, SCRATCH, 8):
        if sa[j:j + 8] != sb[j:j + 8]:
            out.append(f"  mem+{j:<3}  : ref {sa[j:j + 8].hex()}  vm {sb[j:j + 8].hex()}")
    return out


def disasm(tools, elf, idx):
    """objdump -d of chunk idx's sequence."""
    try:
        r = subprocess.run([tools["objdump"], "-d", "-M", "no-aliases", elf],
                           capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as e:
        return f"  (objdump failed: {e})"
    lines, on = [], False
    for line in r.stdout.splitlines():
        if line.endswith(f"<chunk{idx}_seq>:"):
            on = True
        elif line.endswith(f"<chunk{idx}_seq_end>:"):
            break
        elif on and line.strip():
            lines.append("  " + line.strip())
    return "\n".join(lines)


def status(rc):
    """Exit status or fatal signal, the same whether the process died of it or exited 128+n."""
    if isinstance(rc, int) and rc < 0:
        return f"signal {-rc}"
    if isinstance(rc, int) and 128 < rc < 128 + 65:
        return f"signal {rc - 128}"
    return f"exit {rc}"


def run(cmd, elf, timeout):
    try:
        r = subprocess.run(cmd + [elf], capture_output=True, timeout=timeout)
        return r.returncode, r.stdout, r.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        return "timeout", e.stdout or b"", ""
    except OSError as e:
        return f"cannot run: {e}", b"", ""


def build(tools, asm, elf):
    flags = ["-march=rv64gc_zba_zbb_zbs", "-mabi=lp64d", "-nostdlib", "-static", "-mno-relax",
             "-Wl,--no-relax", "-Wl,--no-warn-rwx-segments"]
    r = subprocess.run([tools["cc"]] + flags + ["-o", elf, asm], capture_output=True, text=True)
    return r.returncode == 0, r.stderr


def check_program(args, tools, tmp, index):
    """Build, run and compare one program. Returns (sequences compared, report or None)."""
    src, _ = program(args.seed, index, args.chunks, args.length, args.quirks, args.repeat)
    asm = os.path.join(tmp, f"p{index}.S")
    elf = os.path.join(tmp, f"p{index}")
    with open(asm, "w") as f:
        f.write(src)
    ok, err = build(tools, asm, elf)
    if not ok:
        return 0, f"program {index}: generated assembly does not build:\n{err}", True
    rc_a, out_a, err_a = run(args.ref, elf, args.timeout)
    rc_b, out_b, err_b = run(args.vm, elf, args.timeout)
    full = args.chunks * BLOCK
    report = []
    if not isinstance(rc_a, int) or len(out_a) != full:
        report.append(f"reference failed on program {index} (status {rc_a}, {len(out_a)} of "
                      f"{full} bytes): {err_a.strip()[:500]}")
        return 0, finish(args, tools, asm, elf, index, report), True
    n = 0
    for i in range(args.chunks):
        a = out_a[i * BLOCK:(i + 1) * BLOCK]
        b = out_b[i * BLOCK:(i + 1) * BLOCK]
        if len(b) < BLOCK:
            why = f"killed by signal {-rc_b}" if isinstance(rc_b, int) and rc_b < 0 else \
                f"status {rc_b}"
            report.append(f"chunk {i}: vm stopped ({why}, output ends at byte "
                          f"{len(out_b)}): {err_b.strip()[:500]}")
            report.append(f"  sequence of chunk {i}:\n" + disasm(tools, elf, i))
            report += minimize(args, tools, tmp, index, i)
            break
        d = diff_block(a, b)
        if d:
            smc = " (runs from a rewritten code slot, after sequence A)" * \
                (f"smc{i}_slot:" in src)
            report.append(f"chunk {i}: {len(d)} differences{smc}")
            report += d
            report.append(f"  sequence of chunk {i}:\n" + disasm(tools, elf, i))
            report += minimize(args, tools, tmp, index, i)
            if len(report) > 200:
                break
        n += 1
    if not report and status(rc_a) != status(rc_b):
        ending = src[src.index("/* ending: ") + 11:].split(" */")[0]
        report.append(f"program end ({ending}): reference {status(rc_a)}, vm {status(rc_b)}: "
                      f"{err_b.strip()[:500]}")
    if report:
        return n, finish(args, tools, asm, elf, index, report), False
    return n, None, False


def minimize(args, tools, tmp, index, chunk):
    """Bisect chunk's sequence for the shortest prefix that diverges on its own."""
    if not args.minimize:
        return []
    elf = os.path.join(tmp, f"p{index}c{chunk}")

    def attempt(k):
        src, cs = program(args.seed, index, args.chunks, args.length, args.quirks, args.repeat,
                          only=chunk, prefix=k)
        with open(elf + ".S", "w") as f:
            f.write(src)
        if not build(tools, elf + ".S", elf)[0]:
            return None, None, cs
        rc_a, out_a, _ = run(args.ref, elf, args.timeout)
        rc_b, out_b, _ = run(args.vm, elf, args.timeout)
        if len(out_a) != BLOCK:
            return None, None, cs
        if len(out_b) != BLOCK:
            return [f"  vm stopped ({status(rc_b)})"], out_a, cs
        return diff_block(out_a, out_b), out_a, cs

    d, _, cs = attempt(args.length)
    if not d:
        return ["  minimize: the chunk does not diverge on its own"]
    lo, hi = 0, args.length  # prefix lo agrees, prefix hi diverges
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if attempt(mid)[0]:
            hi = mid
        else:
            lo = mid
    d, _, cs = attempt(hi)
    _, before, _ = attempt(lo)
    item = "; ".join(line for line, _ in cs[chunk].items[hi - 1] if not line.endswith(":"))
    out = [f"  minimized: the first {hi} of {args.length} instructions diverge, {lo} do not; "
           f"item {hi}: {item}"]
    if before:
        _, x, f, fcsr, _ = parse_block(before)
        regs = sorted(set(re.findall(r"\b([xf])(\d+)\b", item)), key=lambda r: (r[0], int(r[1])))
        vals = [f"{k}{n}={(x if k == 'x' else f)[int(n)]:#x}" for k, n in regs]
        out.append(f"  state before it (reference): {' '.join(vals)} fcsr={fcsr:#x}")
    return out + ["  " + line for line in d or []]


def finish(args, tools, asm, elf, index, report):
    quirks = ",".join(args.quirks) or "none"
    head = [f"=== DIVERGENCE: seed {args.seed} program {index}",
            f"    reproduce: {sys.argv[0]} --seed {args.seed} --first {index} --programs 1 "
            f"--chunks {args.chunks} --length {args.length} --repeat {args.repeat} "
            f"--quirks {quirks} --vm '{shlex.join(args.vm)}' --ref '{shlex.join(args.ref)}' "
            "--keep DIR"]
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        for p in (asm, elf):
            shutil.copy(p, args.keep)
        head.append(f"    kept: {os.path.join(args.keep, os.path.basename(asm))} and the ELF")
    return "\n".join(head + report)


def find_tools():
    tools = {}
    for name, exe in (("cc", "riscv64-linux-gnu-gcc"), ("objdump", "riscv64-linux-gnu-objdump")):
        tools[name] = shutil.which(os.environ.get(f"RVDIFF_{name.upper()}", exe))
    return tools


def main():
    ap = argparse.ArgumentParser(description="Random instruction sequences run under a "
                                 "reference emulator and vm; every register compared.")
    ap.add_argument("--vm", required=True, help="command running a riscv64 ELF under test, "
                    "e.g. 'build/vm run' or 'build/vm run --engine=jit'")
    ap.add_argument("--ref", default="qemu-riscv64", help="reference command (default: "
                    "qemu-riscv64); may be vm itself with another engine")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sequences", type=int, default=None,
                    help="number of sequences (rounded up to whole programs)")
    ap.add_argument("--programs", type=int, default=10)
    ap.add_argument("--first", type=int, default=0, help="index of the first program")
    ap.add_argument("--chunks", type=int, default=20, help="sequences per program")
    ap.add_argument("--length", type=int, default=50, help="instructions per sequence")
    ap.add_argument("--repeat", type=int, default=1, help="run every sequence this many "
                    "times (memory carries over; makes the code hot for a JIT)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--keep", help="copy the source and ELF of diverging programs here")
    ap.add_argument("--max-reports", type=int, default=5)
    ap.add_argument("--no-minimize", dest="minimize", action="store_false",
                    help="do not bisect a diverging sequence for its first bad instruction")
    ap.add_argument("--quirks", default="auto", help="comma-separated reference quirks to "
                    "steer around (ctzw), 'none', or 'auto': those of qemu-riscv64 when it is "
                    "the reference (see README.md)")
    ap.add_argument("--print", dest="print_only", action="store_true",
                    help="print the assembly of the first program and exit")
    args = ap.parse_args()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # programs that end with a fault
    if args.sequences is not None:
        args.programs = max(1, -(-args.sequences // args.chunks))
    args.vm = shlex.split(args.vm)
    args.ref = shlex.split(args.ref)
    if args.quirks == "auto":
        args.quirks = QEMU_QUIRKS if "qemu" in os.path.basename(args.ref[0]) else ()
    elif args.quirks == "none":
        args.quirks = ()
    else:
        args.quirks = tuple(args.quirks.split(","))
    if args.print_only:
        sys.stdout.write(program(args.seed, args.first, args.chunks, args.length, args.quirks,
                                 args.repeat)[0])
        return 0
    tools = find_tools()
    missing = [k for k in ("cc", "objdump") if not tools[k]]
    if missing or not shutil.which(args.ref[0]):
        what = ", ".join(["riscv64-linux-gnu-gcc/objdump (gcc-riscv64-linux-gnu)"] * bool(missing)
                         + [args.ref[0] + " (qemu-user)" * ("qemu" in args.ref[0])]
                         * (not shutil.which(args.ref[0])))
        print(f"SKIPPED: rvdiff needs {what}")
        return 77
    if not shutil.which(args.vm[0]):
        print(f"rvdiff: vm command not found: {args.vm[0]}", file=sys.stderr)
        return 2

    total, reports, broken = 0, 0, False
    with tempfile.TemporaryDirectory(prefix="rvdiff") as tmp:
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
            futs = [ex.submit(check_program, args, tools, tmp, i)
                    for i in range(args.first, args.first + args.programs)]
            for fut in futs:
                n, rep, tool_error = fut.result()
                total += n
                if rep:
                    broken |= tool_error
                    reports += 1
                    if reports <= args.max_reports:
                        print(rep, flush=True)
    print(f"rvdiff: seed {args.seed}: {total} sequences of {args.length} instructions "
          f"compared in {args.programs} programs; {reports} programs diverged")
    if broken:
        return 2
    return 1 if reports else 0


if __name__ == "__main__":
    sys.exit(main())
