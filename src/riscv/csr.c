/* csr.c - the control and status registers of the hart (Zicsr + the M-mode set).
 *
 * One switch maps a CSR number to its storage and WARL rules. The access checks follow the
 * privileged spec: bits 9:8 of the number are the lowest privilege allowed, bits 11:10 = 3
 * mark read-only registers. Unknown CSRs and forbidden accesses return false and the caller
 * raises an illegal-instruction exception. In user mode (Linux) the hart counts as U-mode.
 *
 * Counters: cycle and instret both count retired instructions; time is the host monotonic
 * clock at 10 MHz. CSR instructions always end a decoded block, whose instruction count was
 * added at block entry, so the count before the CSR instruction is instret - 1.
 */
#include <time.h>

#include "riscv/cpu.h"

/* CSR numbers used here. */
enum {
    CSR_FFLAGS = 0x001,
    CSR_FRM = 0x002,
    CSR_FCSR = 0x003,
    CSR_SATP = 0x180,
    CSR_MSTATUS = 0x300,
    CSR_MISA = 0x301,
    CSR_MEDELEG = 0x302,
    CSR_MIDELEG = 0x303,
    CSR_MIE = 0x304,
    CSR_MTVEC = 0x305,
    CSR_MCOUNTEREN = 0x306,
    CSR_MCOUNTINHIBIT = 0x320,
    CSR_MSCRATCH = 0x340,
    CSR_MEPC = 0x341,
    CSR_MCAUSE = 0x342,
    CSR_MTVAL = 0x343,
    CSR_MIP = 0x344,
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

/* mstatus bits software may write: MIE, MPIE, MPP, FS. */
#define MSTATUS_WRITABLE (RV_MSTATUS_MIE | RV_MSTATUS_MPIE | RV_MSTATUS_MPP | RV_MSTATUS_FS)
/* Interrupt bits of mie: MSIE, MTIE, MEIE. */
#define MIE_WRITABLE ((1ull << 3) | (1ull << 7) | (1ull << 11))

static uint64_t host_time(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 10000000u + (uint64_t)ts.tv_nsec / 100u;
}

/* mstatus with the read-only summary bit SD computed from FS. */
static uint64_t mstatus_read(const rv_cpu_t *cpu) {
    uint64_t s = cpu->mstatus & ~RV_MSTATUS_SD;
    if ((s & RV_MSTATUS_FS) == RV_MSTATUS_FS) s |= RV_MSTATUS_SD;
    return s;
}

bool rv_csr_access(rv_cpu_t *cpu, unsigned csr, int op, uint64_t val, bool write, uint64_t *old) {
    unsigned priv = cpu->priv;
    if (((csr >> 8) & 3) > priv) return false;
    if (write && (csr >> 10) == 3) return false;
    bool fp = csr >= CSR_FFLAGS && csr <= CSR_FCSR;
    if (fp && !(cpu->mstatus & RV_MSTATUS_FS)) return false;
    uint64_t cur;
    switch (csr) {
    case CSR_FFLAGS: cur = cpu->fflags; break;
    case CSR_FRM: cur = cpu->frm; break;
    case CSR_FCSR: cur = cpu->frm << 5 | cpu->fflags; break;
    case CSR_CYCLE:
    case CSR_INSTRET:
    case CSR_TIME:
        if (priv < RV_PRIV_M && !((cpu->mcounteren >> (csr & 31)) & 1)) return false;
        cur = csr == CSR_TIME && !cpu->time_from_instret ? host_time() : cpu->instret - 1;
        break;
    case CSR_MCYCLE:
    case CSR_MINSTRET: cur = cpu->instret - 1; break;
    case CSR_SATP: cur = 0; break;
    case CSR_MSTATUS: cur = mstatus_read(cpu); break;
    case CSR_MISA: cur = cpu->misa; break;
    case CSR_MEDELEG:
    case CSR_MIDELEG: cur = 0; break; /* no S-mode: nothing can be delegated */
    case CSR_MIE: cur = cpu->mie; break;
    case CSR_MIP: cur = cpu->mip; break;
    case CSR_MTVEC: cur = cpu->mtvec; break;
    case CSR_MCOUNTEREN: cur = cpu->mcounteren; break;
    case CSR_MCOUNTINHIBIT: cur = 0; break;
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
        /* PMP registers, hardware performance counters and their events: WARL zero. */
        if ((csr >= 0x3a0 && csr <= 0x3ef) || (csr >= 0xb03 && csr <= 0xb1f) ||
            (csr >= 0x323 && csr <= 0x33f)) {
            cur = 0;
            break;
        }
        if (csr >= 0xc03 && csr <= 0xc1f) {
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
    case CSR_MSTATUS: {
        uint64_t n = (cpu->mstatus & ~MSTATUS_WRITABLE) | (v & MSTATUS_WRITABLE);
        uint64_t mpp = (n & RV_MSTATUS_MPP) >> 11;
        if (mpp != RV_PRIV_M && mpp != RV_PRIV_U) n &= ~RV_MSTATUS_MPP; /* WARL: no S-mode */
        cpu->mstatus = n;
        break;
    }
    case CSR_MIE: cpu->mie = v & MIE_WRITABLE; break;
    case CSR_MTVEC: cpu->mtvec = (v & 3) >= 2 ? v & ~3ull : v; break;
    case CSR_MCOUNTEREN: cpu->mcounteren = v & 7; break;
    case CSR_MSCRATCH: cpu->mscratch = v; break;
    case CSR_MEPC: cpu->mepc = v & ~1ull; break;
    case CSR_MCAUSE: cpu->mcause = v; break;
    case CSR_MTVAL: cpu->mtval = v; break;
    default: break; /* WARL registers that keep their value */
    }
    if (fp) cpu->mstatus |= RV_MSTATUS_FS;
    return true;
}
