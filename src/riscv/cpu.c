/* cpu.c - the hart's architectural life outside instructions: reset, the one trap entry
 * (with delegation), the host-fault unwind and the names of causes.
 *
 * Trap entry is written once, here, for every engine and every machine: the run loop
 * (src/exec) calls rv_trap_enter() for each trap its owner's hook does not claim. A trap goes to
 * M-mode unless the hart runs in U or S and medeleg (exceptions) or mideleg (interrupts)
 * delegates it, in which case it goes to S-mode through stvec. Without S-mode in misa the
 * delegation registers read zero, so every trap goes to M-mode.
 */
#include "riscv/cpu.h"

#include "riscv/mmu.h"

#include <signal.h>
#include <stddef.h>
#include <string.h>

void rv_cpu_reset(rv_cpu_t *cpu) {
    /* Everything is zeroed but the TLBs, which are emptied only when the hart had an MMU (of
     * the software TLB only the entries in use). A hart gets its MMU from rv_mmu_enable, which
     * empties them all, and nothing reads them before: a hart without an MMU (user mode: one
     * per guest thread) then never touches their 184 KiB (and the second level's 144 KiB),
     * which stay unbacked when the hart's memory is fresh. */
    bool had_mmu = cpu->phys_ptr != NULL;
    size_t tlb_end = offsetof(rv_cpu_t, tlb) + sizeof(cpu->tlb);
    size_t fast_end = offsetof(rv_cpu_t, tlbf) + sizeof(cpu->tlbf);
    size_t tlb2_start = offsetof(rv_cpu_t, tlb2);
    _Static_assert(offsetof(rv_cpu_t, tlbf) == offsetof(rv_cpu_t, tlb) + sizeof(cpu->tlb) &&
                       offsetof(rv_cpu_t, tlb2) + sizeof(cpu->tlb2) == sizeof(rv_cpu_t),
                   "rv_cpu_reset skips tlb and tlbf as one run, and tlb2 at the end");
    memset(cpu, 0, offsetof(rv_cpu_t, tlb));
    if (had_mmu) {
        for (unsigned k = 0; k < 3; k++)
            for (unsigned i = 0; i < RV_TLB_SIZE; i++)
                if (cpu->tlb[k][i].tag) cpu->tlb[k][i].tag = 0;
        memset((char *)cpu + tlb_end, 0xff, fast_end - tlb_end); /* empty entries */
        memset(cpu->tlb2, 0, sizeof(cpu->tlb2));
    }
    memset((char *)cpu + fast_end, 0, tlb2_start - fast_end);
    cpu->priv = RV_PRIV_M;
    /* RV64 (MXL=2) with A, C, D, F, I, M, U. */
    cpu->misa = 2ull << 62 | 1u << 0 | 1u << 2 | 1u << 3 | 1u << 5 | 1u << 8 | 1u << 12 | 1u << 20;
    /* FS = Initial so FP works in user mode; the bare machine resets it to Off. */
    cpu->mstatus = 1ull << 13 | 2ull << 32;
    cpu->code_lo = UINT64_MAX;
    cpu->stimecmp = UINT64_MAX; /* Sstc: no S-mode timer until software sets one */
}

/* Ask hart c to drop the code of page ppn at its next block boundary: a free slot of
 * code_dirty (or one that holds the page already), else the request to drop everything. */
static void code_dirty_add(rv_cpu_t *c, uint64_t ppn) {
    uint64_t v = ppn + 1;
    unsigned i = 0;
    for (; i < RV_CODE_DIRTY; i++) {
        uint64_t cur = atomic_load_explicit(&c->code_dirty[i], memory_order_relaxed);
        if (cur == v) break;
        if (cur == 0 && atomic_compare_exchange_strong(&c->code_dirty[i], &cur, v)) break;
        if (cur == v) break;
    }
    if (i == RV_CODE_DIRTY) atomic_store(&c->code_dirty_all, 1);
    /* after the page: the run loop that sees code_ctx move reads the slots next */
    __atomic_fetch_add(&c->code_ctx, 1, __ATOMIC_SEQ_CST);
    rv_cpu_kick(c);
}

void rv_cpu_code_dirty(rv_cpu_t *c, uint64_t ppn) {
    if (ppn != UINT64_MAX) {
        code_dirty_add(c, ppn);
        return;
    }
    atomic_store(&c->code_dirty_all, 1);
    __atomic_fetch_add(&c->code_ctx, 1, __ATOMIC_SEQ_CST);
    rv_cpu_kick(c);
}

void rv_cpu_code_written(rv_cpu_t *cpu, uint64_t ppn) {
    if (RV_UNLIKELY(cpu->code_written_fn != NULL)) {
        cpu->code_written_fn(cpu, ppn);
        return;
    }
    if (RV_LIKELY(!cpu->peers)) {
        code_dirty_add(cpu, ppn);
        return;
    }
    for (unsigned i = 0; i < cpu->npeers; i++)
        code_dirty_add(cpu->peers[i], ppn);
}

void rv_cpu_code_written_all(rv_cpu_t *cpu) {
    if (cpu->code_written_fn) {
        cpu->code_written_fn(cpu, UINT64_MAX);
        return;
    }
    unsigned n = cpu->peers ? cpu->npeers : 1;
    for (unsigned i = 0; i < n; i++)
        rv_cpu_code_dirty(cpu->peers ? cpu->peers[i] : cpu, UINT64_MAX);
}

bool rv_mret(rv_cpu_t *cpu) {
    if (cpu->priv != RV_PRIV_M) return false;
    uint64_t s = cpu->mstatus;
    cpu->priv = (uint8_t)((s & RV_MSTATUS_MPP) >> 11);
    s = (s & ~RV_MSTATUS_MIE) | ((s & RV_MSTATUS_MPIE) ? RV_MSTATUS_MIE : 0);
    s |= RV_MSTATUS_MPIE;
    s &= ~RV_MSTATUS_MPP; /* MPP = U, the least-privileged mode supported */
    if (cpu->priv != RV_PRIV_M) s &= ~RV_MSTATUS_MPRV;
    cpu->mstatus = s;
    cpu->resv_valid = false;
    rv_mmu_update(cpu);
    rv_cpu_irq_check(cpu);
    return true;
}

bool rv_sret(rv_cpu_t *cpu) {
    if (cpu->priv < RV_PRIV_S || !(cpu->misa & (1ull << 18)) ||
        (cpu->priv == RV_PRIV_S && (cpu->mstatus & RV_MSTATUS_TSR)))
        return false;
    uint64_t s = cpu->mstatus;
    cpu->priv = (s & RV_MSTATUS_SPP) ? RV_PRIV_S : RV_PRIV_U;
    s = (s & ~RV_MSTATUS_SIE) | ((s & RV_MSTATUS_SPIE) ? RV_MSTATUS_SIE : 0);
    s |= RV_MSTATUS_SPIE;
    s &= ~RV_MSTATUS_SPP;
    s &= ~RV_MSTATUS_MPRV; /* the new mode is below M */
    cpu->mstatus = s;
    cpu->resv_valid = false;
    rv_mmu_update(cpu);
    rv_cpu_irq_check(cpu);
    return true;
}

bool rv_sfence_vma(rv_cpu_t *cpu, bool va_valid, uint64_t va, bool has_asid, uint64_t asid,
                   bool kick) {
    if (cpu->priv == RV_PRIV_U || (cpu->priv == RV_PRIV_S && (cpu->mstatus & RV_MSTATUS_TVM)) ||
        !(cpu->misa & (1ull << 18)))
        return false;
    if (has_asid) /* an ASID: only that address space's non-global entries */
        rv_mmu_flush_asid(cpu, va_valid, va, asid, kick);
    else
        rv_mmu_flush(cpu, va_valid, va, kick);
    return true;
}

void rv_trap_enter(rv_cpu_t *cpu, uint64_t cause, uint64_t tval, bool interrupt) {
    uint64_t deleg = interrupt ? cpu->mideleg : cpu->medeleg;
    bool to_s = cpu->priv <= RV_PRIV_S && cause < 64 && ((deleg >> cause) & 1);
    uint64_t code = (interrupt ? 1ull << 63 : 0) | cause;
    uint64_t s = cpu->mstatus;
    cpu->resv_valid = false;
    if (to_s) {
        cpu->sepc = cpu->pc;
        cpu->scause = code;
        cpu->stval = tval;
        s = (s & ~RV_MSTATUS_SPIE) | ((s & RV_MSTATUS_SIE) ? RV_MSTATUS_SPIE : 0);
        s &= ~RV_MSTATUS_SIE;
        s = (s & ~RV_MSTATUS_SPP) | (cpu->priv == RV_PRIV_S ? RV_MSTATUS_SPP : 0);
        cpu->mstatus = s;
        cpu->priv = RV_PRIV_S;
        cpu->pc = (cpu->stvec & ~3ull) + (interrupt && (cpu->stvec & 1) ? 4 * cause : 0);
        rv_mmu_update(cpu);
        return;
    }
    cpu->mepc = cpu->pc;
    cpu->mcause = code;
    cpu->mtval = tval;
    s = (s & ~RV_MSTATUS_MPIE) | ((s & RV_MSTATUS_MIE) ? RV_MSTATUS_MPIE : 0);
    s &= ~RV_MSTATUS_MIE;
    s = (s & ~RV_MSTATUS_MPP) | (uint64_t)cpu->priv << 11;
    cpu->mstatus = s;
    cpu->priv = RV_PRIV_M;
    /* exceptions always go to the base; interrupts to base + 4 * cause when vectored */
    cpu->pc = (cpu->mtvec & ~3ull) + (interrupt && (cpu->mtvec & 1) ? 4 * cause : 0);
    rv_mmu_update(cpu);
}

int rv_interrupt_pending(const rv_cpu_t *cpu) {
    uint64_t pend = cpu->mip & cpu->mie;
    if (!pend) return -1;
    /* M-level interrupts are taken unless the hart is in M-mode with MIE clear; delegated
     * (S-level) ones only below M, and in S-mode only with SIE set */
    uint64_t m = pend & ~cpu->mideleg, s = pend & cpu->mideleg;
    bool m_on = cpu->priv < RV_PRIV_M || (cpu->mstatus & RV_MSTATUS_MIE);
    bool s_on =
        cpu->priv < RV_PRIV_S || (cpu->priv == RV_PRIV_S && (cpu->mstatus & RV_MSTATUS_SIE));
    uint64_t take = (m_on ? m : 0) | (s_on ? s : 0);
    static const int order[] = {RV_IRQ_MEI, RV_IRQ_MSI, RV_IRQ_MTI,
                                RV_IRQ_SEI, RV_IRQ_SSI, RV_IRQ_STI};
    for (unsigned i = 0; i < sizeof(order) / sizeof(order[0]); i++)
        if ((take >> order[i]) & 1) return order[i];
    return -1;
}

_Noreturn void rv_cpu_host_fault(rv_cpu_t *cpu, uint64_t cause, uint64_t tval) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGSEGV);
    sigaddset(&set, SIGBUS);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    if (cpu->fetching) cause = RV_CAUSE_FETCH_PAGE_FAULT;
    cpu->cause = cause;
    cpu->tval = tval;
    siglongjmp(cpu->fault_jmp, 1);
}

const char *rv_cause_name(uint64_t cause) {
    static const char *const names[RV_CAUSE_COUNT] = {
        "instruction address misaligned",
        "instruction access fault",
        "illegal instruction",
        "breakpoint",
        "load address misaligned",
        "load access fault",
        "store/AMO address misaligned",
        "store/AMO access fault",
        "ecall from U-mode",
        "ecall from S-mode",
        "reserved (10)",
        "ecall from M-mode",
        "instruction page fault",
        "load page fault",
        "reserved (14)",
        "store/AMO page fault",
    };
    return cause < RV_CAUSE_COUNT ? names[cause] : "unknown cause";
}
