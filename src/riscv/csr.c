/* csr.c - the control and status registers of the hart (Zicsr, the M-mode set and, when misa
 * has S, the S-mode set with address translation).
 *
 * One switch maps a CSR number to its storage and WARL rules. The access checks follow the
 * privileged spec (1.12): bits 9:8 of the number are the lowest privilege allowed, bits 11:10
 * = 3 mark read-only registers. Unknown CSRs and forbidden accesses return false and the
 * caller raises an illegal-instruction exception. The S-mode registers exist only when misa
 * has S; sstatus, sie and sip are views of mstatus, mie and mip. A write that changes what
 * translation does (satp, mstatus MPRV/MPP/SUM/MXR) calls rv_mmu_update; a satp write also
 * switches the TLB to the new address space (rv_mmu_satp_written: entries are tagged by ASID).
 *
 * Counters: cycle and instret both count retired instructions; time is the host monotonic
 * clock at 10 MHz (rv_cpu_time). CSR instructions always end a decoded block, whose
 * instruction count was added at block entry, so the count before the CSR instruction is
 * instret - 1. PMP registers are stored and read back (OpenSBI probes them) but not enforced.
 *
 * Sstc: stimecmp (0x14d) is the S-mode timer. While menvcfg.STCE is set, mip.STIP is not
 * software's but says time >= stimecmp (rv_sstc_update, run on writes of stimecmp and menvcfg,
 * before mip/sip reads, and by the machine as time passes), and S-mode reaches stimecmp when
 * mcounteren.TM allows; so the kernel's timer needs no trip through the firmware.
 */
#include <time.h>

#include "riscv/cpu.h"
#include "riscv/mmu.h"

/* CSR numbers used here. */
enum {
    CSR_FFLAGS = 0x001,
    CSR_FRM = 0x002,
    CSR_FCSR = 0x003,
    CSR_SSTATUS = 0x100,
    CSR_SIE = 0x104,
    CSR_STVEC = 0x105,
    CSR_SCOUNTEREN = 0x106,
    CSR_SENVCFG = 0x10a,
    CSR_SSCRATCH = 0x140,
    CSR_SEPC = 0x141,
    CSR_SCAUSE = 0x142,
    CSR_STVAL = 0x143,
    CSR_SIP = 0x144,
    CSR_STIMECMP = 0x14d,
    CSR_SATP = 0x180,
    CSR_MSTATUS = 0x300,
    CSR_MISA = 0x301,
    CSR_MEDELEG = 0x302,
    CSR_MIDELEG = 0x303,
    CSR_MIE = 0x304,
    CSR_MTVEC = 0x305,
    CSR_MCOUNTEREN = 0x306,
    CSR_MENVCFG = 0x30a,
    CSR_MCOUNTINHIBIT = 0x320,
    CSR_MSCRATCH = 0x340,
    CSR_MEPC = 0x341,
    CSR_MCAUSE = 0x342,
    CSR_MTVAL = 0x343,
    CSR_MIP = 0x344,
    CSR_PMPCFG0 = 0x3a0,
    CSR_PMPADDR0 = 0x3b0,
    CSR_MCYCLE = 0xb00,
    CSR_MINSTRET = 0xb02,
    CSR_CYCLE = 0xc00,
    CSR_TIME = 0xc01,
    CSR_INSTRET = 0xc02,
    CSR_MVENDORID = 0xf11,
    CSR_MARCHID = 0xf12,
    CSR_MIMPID = 0xf13,
    CSR_MHARTID = 0xf14,
    CSR_MCONFIGPTR = 0xf15,
};

/* mstatus bits software may write without S-mode: MIE, MPIE, MPP, FS, MPRV. */
#define MSTATUS_M_WRITABLE                                                                         \
    (RV_MSTATUS_MIE | RV_MSTATUS_MPIE | RV_MSTATUS_MPP | RV_MSTATUS_FS | RV_MSTATUS_MPRV)
/* ... and with it: SIE, SPIE, SPP, SUM, MXR, TVM, TW, TSR. */
#define MSTATUS_S_WRITABLE                                                                         \
    (RV_MSTATUS_SIE | RV_MSTATUS_SPIE | RV_MSTATUS_SPP | RV_MSTATUS_SUM | RV_MSTATUS_MXR |         \
     RV_MSTATUS_TVM | RV_MSTATUS_TW | RV_MSTATUS_TSR)
/* The sstatus view of mstatus (UXL and SD read-only). */
#define SSTATUS_MASK                                                                               \
    (RV_MSTATUS_SIE | RV_MSTATUS_SPIE | RV_MSTATUS_SPP | RV_MSTATUS_FS | RV_MSTATUS_SUM |          \
     RV_MSTATUS_MXR | RV_MSTATUS_UXL | RV_MSTATUS_SD)
/* Interrupt bits: the M-level ones, and the S-level ones that exist with S-mode. */
#define IRQ_M ((1ull << RV_IRQ_MSI) | (1ull << RV_IRQ_MTI) | (1ull << RV_IRQ_MEI))
#define IRQ_S ((1ull << RV_IRQ_SSI) | (1ull << RV_IRQ_STI) | (1ull << RV_IRQ_SEI))
/* Exceptions that may be delegated: all standard causes but ecall from M-mode. */
#define MEDELEG_WRITABLE 0xb3ffull

#define MISA_S (1ull << 18)

static uint64_t host_time(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 10000000u + (uint64_t)ts.tv_nsec / 100u;
}

uint64_t rv_cpu_time(const rv_cpu_t *cpu) {
    return cpu->time_from_instret ? cpu->instret - 1 + cpu->time_base : host_time();
}

void rv_sstc_update(rv_cpu_t *cpu) {
    if (!(cpu->menvcfg & RV_MENVCFG_STCE)) return;
    uint64_t bit = 1ull << RV_IRQ_STI;
    if (rv_cpu_time(cpu) >= cpu->stimecmp) {
        if (cpu->mip & bit) return;
        rv_cpu_mip_set(cpu, RV_IRQ_STI, true);
        rv_cpu_irq_check(cpu);
    } else if (cpu->mip & bit) {
        rv_cpu_mip_set(cpu, RV_IRQ_STI, false);
    }
}

uint64_t rv_sstc_ticks_left(const rv_cpu_t *cpu) {
    if (!(cpu->menvcfg & RV_MENVCFG_STCE)) return UINT64_MAX;
    uint64_t now = rv_cpu_time(cpu);
    return now >= cpu->stimecmp ? 0 : cpu->stimecmp - now;
}

/* Software's write of the mip bits in `w`: atomic, since devices on other harts' threads set
 * and clear the other bits at the same time. */
static void mip_write(rv_cpu_t *cpu, uint64_t w, uint64_t v) {
    uint64_t set = v & w, clear = w & ~v;
    if (clear) __atomic_fetch_and(&cpu->mip, ~clear, __ATOMIC_SEQ_CST);
    if (set) __atomic_fetch_or(&cpu->mip, set, __ATOMIC_SEQ_CST);
}

/* mstatus with the read-only summary bit SD computed from FS. */
static uint64_t mstatus_read(const rv_cpu_t *cpu) {
    uint64_t s = cpu->mstatus & ~RV_MSTATUS_SD;
    if ((s & RV_MSTATUS_FS) == RV_MSTATUS_FS) s |= RV_MSTATUS_SD;
    return s;
}

/* Is counter `bit` (0 cycle, 1 time, 2 instret) readable at `priv`? */
static bool counter_allowed(const rv_cpu_t *cpu, unsigned priv, unsigned bit) {
    if (priv == RV_PRIV_M) return true;
    if (!((cpu->mcounteren >> bit) & 1)) return false;
    if (priv == RV_PRIV_U && (cpu->misa & MISA_S)) return (cpu->scounteren >> bit) & 1;
    return true;
}

bool rv_csr_access(rv_cpu_t *cpu, unsigned csr, int op, uint64_t val, bool write, uint64_t *old) {
    unsigned priv = cpu->priv;
    bool has_s = cpu->misa & MISA_S;
    if (((csr >> 8) & 3) > priv) return false;
    if (write && (csr >> 10) == 3) return false;
    bool fp = csr >= CSR_FFLAGS && csr <= CSR_FCSR;
    if (fp && !(cpu->mstatus & RV_MSTATUS_FS)) return false;
    /* the S-mode registers (0x1xx) exist only with S-mode */
    if (((csr >> 8) & 3) == 1 && !has_s) return false;
    uint64_t cur;
    switch (csr) {
    case CSR_FFLAGS: cur = cpu->fflags; break;
    case CSR_FRM: cur = cpu->frm; break;
    case CSR_FCSR: cur = cpu->frm << 5 | cpu->fflags; break;
    case CSR_CYCLE:
    case CSR_INSTRET:
    case CSR_TIME:
        if (!counter_allowed(cpu, priv, csr & 31)) return false;
        cur = csr == CSR_TIME ? rv_cpu_time(cpu) : cpu->instret - 1;
        break;
    case CSR_MCYCLE:
    case CSR_MINSTRET: cur = cpu->instret - 1; break;
    case CSR_SSTATUS: cur = mstatus_read(cpu) & SSTATUS_MASK; break;
    case CSR_SIE: cur = cpu->mie & cpu->mideleg; break;
    case CSR_SIP:
        rv_sstc_update(cpu);
        cur = cpu->mip & cpu->mideleg;
        break;
    case CSR_STIMECMP:
        /* Sstc: below M-mode only with menvcfg.STCE and mcounteren.TM */
        if (priv < RV_PRIV_M && (!(cpu->menvcfg & RV_MENVCFG_STCE) || !(cpu->mcounteren & 2)))
            return false;
        cur = cpu->stimecmp;
        break;
    case CSR_STVEC: cur = cpu->stvec; break;
    case CSR_SCOUNTEREN: cur = cpu->scounteren; break;
    case CSR_SENVCFG: cur = cpu->senvcfg; break;
    case CSR_SSCRATCH: cur = cpu->sscratch; break;
    case CSR_SEPC: cur = cpu->sepc; break;
    case CSR_SCAUSE: cur = cpu->scause; break;
    case CSR_STVAL: cur = cpu->stval; break;
    case CSR_SATP:
        if (priv == RV_PRIV_S && (cpu->mstatus & RV_MSTATUS_TVM)) return false;
        cur = has_s ? cpu->satp : 0;
        break;
    case CSR_MSTATUS: cur = mstatus_read(cpu); break;
    case CSR_MISA: cur = cpu->misa; break;
    case CSR_MEDELEG: cur = cpu->medeleg; break;
    case CSR_MIDELEG: cur = cpu->mideleg; break;
    case CSR_MIE: cur = cpu->mie; break;
    case CSR_MIP:
        rv_sstc_update(cpu);
        cur = cpu->mip;
        break;
    case CSR_MTVEC: cur = cpu->mtvec; break;
    case CSR_MCOUNTEREN: cur = cpu->mcounteren; break;
    case CSR_MENVCFG: cur = cpu->menvcfg; break;
    case CSR_MCOUNTINHIBIT: cur = cpu->mcountinhibit; break;
    case CSR_MSCRATCH: cur = cpu->mscratch; break;
    case CSR_MEPC: cur = cpu->mepc; break;
    case CSR_MCAUSE: cur = cpu->mcause; break;
    case CSR_MTVAL: cur = cpu->mtval; break;
    case CSR_MVENDORID:
    case CSR_MARCHID:
    case CSR_MIMPID:
    case CSR_MCONFIGPTR: cur = 0; break;
    case CSR_MHARTID: cur = cpu->mhartid; break;
    default:
        if (csr >= CSR_PMPCFG0 && csr < CSR_PMPCFG0 + 16) {
            if (csr & 1) return false; /* RV64 has the even pmpcfg registers only */
            cur = cpu->pmpcfg[(csr - CSR_PMPCFG0) / 2];
            break;
        }
        if (csr >= CSR_PMPADDR0 && csr < CSR_PMPADDR0 + 64) {
            cur = cpu->pmpaddr[csr - CSR_PMPADDR0];
            break;
        }
        /* hardware performance counters and their events: WARL zero */
        if ((csr >= 0xb03 && csr <= 0xb1f) || (csr >= 0x323 && csr <= 0x33f)) {
            cur = 0;
            break;
        }
        if (csr >= 0xc03 && csr <= 0xc1f) {
            if (!counter_allowed(cpu, priv, csr & 31)) return false;
            cur = 0;
            break;
        }
        return false;
    }
    *old = cur;
    if (!write) return true;
    uint64_t v = op == 0 ? val : op == 1 ? cur | val : cur & ~val;
    switch (csr) {
    case CSR_FFLAGS: cpu->fflags = v & 0x1f; break;
    case CSR_FRM: cpu->frm = v & 7; break;
    case CSR_FCSR:
        cpu->fflags = v & 0x1f;
        cpu->frm = (v >> 5) & 7;
        break;
    case CSR_MCYCLE:
    case CSR_MINSTRET: cpu->instret = v; break;
    case CSR_MSTATUS:
    case CSR_SSTATUS: {
        uint64_t mask = csr == CSR_SSTATUS ? SSTATUS_MASK & ~(RV_MSTATUS_UXL | RV_MSTATUS_SD)
                        : has_s            ? MSTATUS_M_WRITABLE | MSTATUS_S_WRITABLE
                                           : MSTATUS_M_WRITABLE;
        uint64_t n = (cpu->mstatus & ~mask) | (v & mask);
        uint64_t mpp = (n & RV_MSTATUS_MPP) >> 11;
        if (mpp == 2 || (mpp == RV_PRIV_S && !has_s)) /* WARL: only modes that exist */
            n = (n & ~RV_MSTATUS_MPP) | (cpu->mstatus & RV_MSTATUS_MPP);
        cpu->mstatus = n;
        rv_mmu_update(cpu);
        break;
    }
    case CSR_MEDELEG:
        if (has_s) cpu->medeleg = v & MEDELEG_WRITABLE;
        break;
    case CSR_MIDELEG:
        if (has_s) cpu->mideleg = v & IRQ_S;
        break;
    case CSR_MIE: cpu->mie = v & (IRQ_M | (has_s ? IRQ_S : 0)); break;
    case CSR_SIE: cpu->mie = (cpu->mie & ~cpu->mideleg) | (v & cpu->mideleg & IRQ_S); break;
    case CSR_MIP: {
        /* software may raise and clear the S-level bits; M-level bits belong to devices, and
         * STIP to stimecmp while menvcfg.STCE is set (Sstc) */
        uint64_t w = has_s ? IRQ_S : 0;
        if (cpu->menvcfg & RV_MENVCFG_STCE) w &= ~(1ull << RV_IRQ_STI);
        mip_write(cpu, w, v);
        break;
    }
    case CSR_SIP: {
        uint64_t w = cpu->mideleg & (1ull << RV_IRQ_SSI); /* only SSIP is writable here */
        mip_write(cpu, w, v);
        break;
    }
    case CSR_MTVEC: cpu->mtvec = (v & 3) >= 2 ? v & ~3ull : v; break;
    case CSR_STVEC: cpu->stvec = (v & 3) >= 2 ? v & ~3ull : v; break;
    case CSR_MCOUNTEREN: cpu->mcounteren = v & 7; break;
    case CSR_SCOUNTEREN: cpu->scounteren = v & 7; break;
    case CSR_MENVCFG: /* FIOM, and STCE where S-mode exists */
        cpu->menvcfg = v & (1 | (has_s ? RV_MENVCFG_STCE : 0));
        rv_sstc_update(cpu);
        break;
    case CSR_STIMECMP:
        cpu->stimecmp = v;
        rv_sstc_update(cpu);
        break;
    case CSR_SENVCFG: cpu->senvcfg = v & 1; break;
    case CSR_MCOUNTINHIBIT: cpu->mcountinhibit = v & 5; break;
    case CSR_MSCRATCH: cpu->mscratch = v; break;
    case CSR_SSCRATCH: cpu->sscratch = v; break;
    case CSR_MEPC: cpu->mepc = v & ~1ull; break;
    case CSR_SEPC: cpu->sepc = v & ~1ull; break;
    case CSR_MCAUSE: cpu->mcause = v; break;
    case CSR_SCAUSE: cpu->scause = v; break;
    case CSR_MTVAL: cpu->mtval = v; break;
    case CSR_STVAL: cpu->stval = v; break;
    case CSR_SATP: {
        unsigned mode = (unsigned)(v >> 60);
        if (!has_s || (mode != RV_SATP_BARE && mode != RV_SATP_SV39 && mode != RV_SATP_SV48 &&
                       mode != RV_SATP_SV57))
            break; /* an unsupported mode: the write has no effect */
        uint64_t old_satp = cpu->satp;
        /* ASIDLEN = RV_ASID_BITS: the ASID bits above it read as zero */
        v &= ~((uint64_t)(0xffffu & ~RV_ASID_MASK) << 44);
        cpu->satp = mode == RV_SATP_BARE ? 0 : v;
        rv_mmu_satp_written(cpu, old_satp);
        break;
    }
    default:
        if (csr >= CSR_PMPCFG0 && csr < CSR_PMPCFG0 + 16) {
            cpu->pmpcfg[(csr - CSR_PMPCFG0) / 2] = v;
        } else if (csr >= CSR_PMPADDR0 && csr < CSR_PMPADDR0 + 64) {
            cpu->pmpaddr[csr - CSR_PMPADDR0] = v & ((1ull << 54) - 1);
        }
        break; /* other WARL registers keep their value */
    }
    if (fp) cpu->mstatus |= RV_MSTATUS_FS;
    rv_cpu_irq_check(cpu); /* a write may have enabled or raised an interrupt */
    return true;
}
