/* translate.c - the x86-64 backend: a decoded guest block in, a host superblock out.
 *
 * Register convention inside translated code:
 *   r15  the rv_cpu_t            r14  host address of guest address mem_start; in xmode code
 *                                     (made while translating) the hart's current inline-TLB
 *                                     load set instead, cpu + cpu->tlb_ld_off (tlb_probe)
 *   r10  cpu->instret (stored back on every exit and before every C call)
 *   rax, rcx, rdx, r11  scratch  rsp  16-byte aligned (calls to C helpers need no fix-up)
 *   rbx rbp r12 r13 rsi rdi r8 r9  eight guest registers (a static map, `default_map1`), the
 *   ones compiled riscv64 code uses most; the other guest registers live in cpu->x, and r11
 *   also holds the last of them an instruction wrote.
 * The map holds across blocks, so chained and indirect jumps go straight from block to block.
 * The trampolines load the mapped registers on entry and store them on exit; slow paths store
 * them before calling C and reload them after.
 *
 * A translation: a prologue of one compare (r10 against limit, which rv_cpu_interrupt
 * zeroes), then the guest instructions along one path - the decoded block, then the blocks its
 * fall-through side and direct jumps lead to (a superblock) - then out-of-line code. instret is
 * exact at every exit: each exit adds what its path retired and has not counted yet. Taken
 * branches and the final direct exit are 4-byte-aligned jcc/jmp rel32 that first point at
 * their own exit code and are patched to the target by the dispatcher (chaining). Indirect
 * jumps (jalr) probe the fast table inline and jump to the hit; calls push on the
 * return-address stack and returns try it first (ras_push, ras_pop). In the tiered mode the
 * prologue also decrements the translation's entry counter (after the budget check: a cell of
 * the counters' area mapped just below the code, jit_t.ctr, reached by one rip-relative `sub`;
 * jit_block_t.tier_left when the area is full) and at zero leaves for the dispatcher, which
 * retranslates it through the IR (STUB_TIER; jit.c, tier_up).
 *
 * Guest memory: address in rax, window offset in rax (or rdx when mem_start != 0), one compare
 * against cpu->win_chk, one host access [r14 + offset]. Stores also test the page's flag byte
 * (code or watched pages) when the hart has page flags. Everything else - the window's last
 * bytes, MMIO, faults, flagged pages - goes through a small per-site stub to the shared
 * thunks, which call jit_helper_load/store. Host faults on the inline access (user mode:
 * unmapped guest pages) are made precise by the fault table: host offset -> guest instruction
 * (jit_host_fault). Code translated with paging on (xmode) has no window: its accesses compare
 * with their site slot or probe the inline TLB (site_probe, tlb_probe).
 *
 * Each instruction is emitted by its entry of `emitters`, a table generated from insns.def
 * (an instruction's own emit_<name>, or one its class shares), so a new instruction without an
 * emitter does not compile. Instructions without native code call jit_helper_exec (rv_exec1),
 * each declared so by name; F/D arithmetic, fused multiply-adds and conversions run in line
 * on SSE where provably bit-identical to soft-float (fp_inline.c). An instruction neither
 * handles ends the translation before it; when the very first one is untranslatable the
 * dispatcher runs the interpreter.
 */
#include <stddef.h>
#include <stdlib.h>
#include <sys/ucontext.h>

#include "jit/jit_priv.h"
#include "jit/x86_64/emit.h"
#include "mem/host_arch.h"
#include "riscv/fpu.h"
#include "riscv/mmu.h"

#define CPU R15
#define MEM R14

#define OFF(field) ((int32_t)offsetof(rv_cpu_t, field))
#define OFF_X(r)   ((int32_t)(offsetof(rv_cpu_t, x) + 8u * (r)))
#define OFF_F(r)   ((int32_t)(offsetof(rv_cpu_t, f) + 8u * (r)))

/* Guest register -> host register + 1 (0: lives in cpu->x). */
static const int8_t gmap1[32] = {
    [15] = RBX + 1, [14] = RBP + 1, [2] = R12 + 1, [10] = R13 + 1,
    [13] = RSI + 1, [8] = RDI + 1,  [12] = R8 + 1, [11] = R9 + 1,
};

/* The host register holding cpu->instret while translated code runs: counting in a register
 * keeps every block's `add` off the store-to-load-forwarding chain a memory counter makes. */
#define ICNT R10

static inline int host_of(unsigned g) {
    return gmap1[g & 31] - 1;
}

/* Store every mapped guest register to cpu->x, or load them all from it. */
static void spill_all(x86_buf_t *b) {
    for (unsigned g = 1; g < 32; g++)
        if (host_of(g) >= 0) x86_store64(b, CPU, OFF_X(g), host_of(g));
}
static void reload_all(x86_buf_t *b) {
    for (unsigned g = 1; g < 32; g++)
        if (host_of(g) >= 0) x86_load64(b, host_of(g), CPU, OFF_X(g));
}

/* The fetch-TLB half of an xmode check of guest pc rax: r11 = cpu + the byte offset of its
 * entry in tlb[0] ((rax >> 12) & (RV_TLB_SIZE - 1), 16 bytes each), rdx = the tag that entry
 * must hold (page << 2 | the privilege bits of tlb_fetch_low), compared with the entry's tag
 * at tag_off; returns the rel32 field of the jcc taken on a miss. */
static uint8_t *emit_fetch_tag_check(x86_buf_t *b, int32_t tag_off) {
    x86_mov_rr(b, RDX, RAX);
    x86_shift_ri(b, true, SH_SHR, RDX, RV_PAGE_SHIFT);
    x86_mov_rr(b, R11, RDX);
    x86_alu_ri(b, false, ALU_AND, R11, RV_TLB_SIZE - 1);
    x86_shift_ri(b, false, SH_SHL, R11, 4);
    x86_alu_rr(b, true, ALU_ADD, R11, CPU);
    x86_shift_ri(b, true, SH_SHL, RDX, 2);
    x86_alu_rm(b, ALU_OR, RDX, CPU, OFF(tlb_fetch_low));
    x86_alu_rm(b, ALU_CMP, RDX, R11, tag_off);
    return x86_jcc32(b, CC_NE);
}

/* The xmode jump check, emitted in line at each jump out of a page (so that each has an
 * indirect jump of its own for the host's branch predictor): go to the translation of guest pc rax
 * (instret counted, guest registers in place) when fastx has one for it whose physical page is the
 * one the fetch TLB maps rax's page to now at the current privilege (what rv_block_valid proves at
 * the dispatcher: the TLB entry exists only for a page executable at that privilege, and satp
 * writes and sfence.vma empty it): rcx = &fastx[jit_fastx_index(rax)];  rax == rcx->pc? r11
 * = &cpu->tlb[0][(rax >> 12) & 1023];     r11->tag == (rax >> 12) << 2 | low? r11->ppn == rcx->ppn?
 * then jmp rcx->code With `konst` the target is the constant `target` (a direct jump): rax is
 * loaded with it and the two entries' addresses are constants. miss[0..2] get the rel32 fields of
 * the three jcc's taken on a miss (rax still holds the target there), for the caller to patch;
 * *retry the start of the fetch-TLB check (where a mended TLB miss checks again). */
static void emit_xprobe(x86_buf_t *b, const jit_t *j, bool konst, uint64_t target, uint8_t *miss[3],
                        uint8_t **retry) {
    const int32_t tag_off = (int32_t)(offsetof(rv_cpu_t, tlb) + offsetof(rv_tlb_entry_t, tag));
    const int32_t ppn_off = (int32_t)(offsetof(rv_cpu_t, tlb) + offsetof(rv_tlb_entry_t, ppn));
    if (konst) {
        x86_mov_ri(b, RAX, target);
        x86_mov_ri(b, RCX, (uint64_t)(uintptr_t)&j->fastx[jit_fastx_index(target)]);
    } else {
        x86_mov_rr(b, RCX, RAX); /* rcx = jit_fastx_index(rax) * 32 */
        x86_shift_ri(b, true, SH_SHR, RCX, 1);
        x86_mov_rr(b, RDX, RAX);
        x86_shift_ri(b, true, SH_SHR, RDX, JIT_FASTX_SHIFT);
        x86_alu_rr(b, true, ALU_XOR, RCX, RDX);
        x86_alu_ri(b, false, ALU_AND, RCX, JIT_FASTX - 1);
        x86_shift_ri(b, false, SH_SHL, RCX, 5);
        x86_mov_ri(b, RDX, (uint64_t)(uintptr_t)j->fastx);
        x86_alu_rr(b, true, ALU_ADD, RCX, RDX);
    }
    x86_alu_rm(b, ALU_CMP, RAX, RCX, (int32_t)offsetof(struct jit_fastx, pc));
    miss[0] = x86_jcc32(b, CC_NE);
    *retry = b->p; /* the fetch-TLB check, again after jit_helper_xfill mended a miss */
    if (konst) {
        int32_t e =
            (int32_t)(((target >> RV_PAGE_SHIFT) & (RV_TLB_SIZE - 1)) * sizeof(rv_tlb_entry_t));
        x86_mov_ri(b, RDX, (target >> RV_PAGE_SHIFT) << 2);
        x86_alu_rm(b, ALU_OR, RDX, CPU, OFF(tlb_fetch_low));
        x86_alu_rm(b, ALU_CMP, RDX, CPU, tag_off + e);
        miss[1] = x86_jcc32(b, CC_NE);
        x86_load64(b, RDX, CPU, ppn_off + e);
    } else {
        miss[1] = emit_fetch_tag_check(b, tag_off);
        x86_load64(b, RDX, R11, ppn_off);
    }
    x86_alu_rm(b, ALU_CMP, RDX, RCX, (int32_t)offsetof(struct jit_fastx, ppn));
    miss[2] = x86_jcc32(b, CC_NE);
    x86_jmp_m(b, RCX, (int32_t)offsetof(struct jit_fastx, code));
}

/* r14 = the inline TLB's load set of the current data privilege and SUM (cpu +
 * cpu->tlb_ld_off), the base of every xmode access probe. Set on entry from the dispatcher
 * and after each helper call of xmode code (a CSR write may move the set: a SUM flip does,
 * and CSR instructions are helper calls that end the translation); the load and store thunks
 * leave it, since an access that returns to translated code changes neither privilege, satp
 * nor mstatus. */
static void tlb_set_reload(x86_buf_t *b) {
    x86_load64(b, MEM, CPU, OFF(tlb_ld_off));
    x86_alu_rr(b, true, ALU_ADD, MEM, CPU);
}

void jit_emit_trampolines(jit_t *j) {
    x86_buf_t b = {j->rw, j->rw + JIT_TRAMP_SIZE, false};
    /* int enter(rv_cpu_t *cpu [rdi], const uint8_t *code [rsi]) */
    x86_push(&b, RBX);
    x86_push(&b, RBP);
    x86_push(&b, R12);
    x86_push(&b, R13);
    x86_push(&b, R14);
    x86_push(&b, R15);
    x86_alu_ri(&b, true, ALU_SUB, RSP, 8 + JIT_FRAME_BYTES); /* alignment, then the frame */
    x86_mov_rr(&b, CPU, RDI);
    x86_mov_rr(&b, R11, RSI);
    x86_load64(&b, MEM, CPU, OFF(mem_base));
    {
        /* xmode code finds the inline TLB's load set in r14 instead (the dispatcher enters
         * only translations made in the hart's current state, and chains link only those) */
        x86_op_rm(&b, 0, false, X86_OP(0x0f, 0xb6), RAX, CPU, X86_NOREG, 1, OFF(xlate), false);
        x86_op_rr(&b, false, X86_OP(0x85), RAX, RAX, false); /* test eax, eax */
        uint8_t *jnx = x86_jcc32(&b, CC_E);
        tlb_set_reload(&b);
        x86_patch_rel32(jnx, b.p);
    }
    x86_load64(&b, ICNT, CPU, OFF(instret));
    reload_all(&b);
    x86_jmp_r(&b, R11);
    x86_align(&b, 16, 0);
    /* thunk_xfill: called by a jump check of xmode code that missed the fetch TLB, with the
     * target pc in rax; the registers a C call may clobber are kept (rax, rcx: the check's
     * own), edx is jit_helper_xfill's answer */
    j->thunk_xfill = j->rx + (b.p - j->rw);
    x86_push(&b, RAX);
    x86_push(&b, RCX);
    x86_push(&b, RSI);
    x86_push(&b, RDI);
    x86_push(&b, R8);
    x86_push(&b, R9);
    x86_push(&b, R10);
    x86_push(&b, R11);
    x86_alu_ri(&b, true, ALU_SUB, RSP, 8); /* 16-byte alignment for the C call */
    x86_mov_rr(&b, RDI, CPU);
    x86_mov_rr(&b, RSI, RAX);
    x86_mov_ri(&b, RAX, (uint64_t)(uintptr_t)jit_helper_xfill);
    x86_call_r(&b, RAX);
    x86_mov32_rr(&b, RDX, RAX);
    x86_alu_ri(&b, true, ALU_ADD, RSP, 8);
    x86_pop(&b, R11);
    x86_pop(&b, R10);
    x86_pop(&b, R9);
    x86_pop(&b, R8);
    x86_pop(&b, RDI);
    x86_pop(&b, RSI);
    x86_pop(&b, RCX);
    x86_pop(&b, RAX);
    x86_ret(&b);
    x86_align(&b, 16, 0);
    /* three ways out: everything in registers; guest registers only (a helper already set
     * instret); nothing (a slow path stored everything) */
    j->exit_spill = j->rx + (b.p - j->rw);
    x86_store64(&b, CPU, OFF(instret), ICNT);
    j->exit_regs = j->rx + (b.p - j->rw);
    spill_all(&b);
    j->exit_nospill = j->rx + (b.p - j->rw);
    x86_alu_ri(&b, true, ALU_ADD, RSP, 8 + JIT_FRAME_BYTES);
    x86_pop(&b, R15);
    x86_pop(&b, R14);
    x86_pop(&b, R13);
    x86_pop(&b, R12);
    x86_pop(&b, RBP);
    x86_pop(&b, RBX);
    x86_ret(&b);
    j->enter = (uintptr_t(*)(rv_cpu_t *, const uint8_t *))(void *)j->rx;
    /* Slow-path thunks, called from a block's stub: rax = guest address, rdx = pc, r11 =
     * access info, rcx = a store's value. Everything goes to cpu, the helper runs; on success
     * the registers come back and the thunk returns (a load's value in rax), else it drops
     * its return address and leaves translated code with the helper's exit code. */
    for (int store = 0; store < 2; store++) {
        x86_align(&b, 16, 0);
        if (store)
            j->thunk_store = j->rx + (b.p - j->rw);
        else
            j->thunk_load = j->rx + (b.p - j->rw);
        x86_alu_ri(&b, true, ALU_SUB, RSP, 8); /* 16-byte alignment for the C call */
        spill_all(&b);
        x86_store64(&b, CPU, OFF(instret), ICNT);
        if (store) x86_mov_rr(&b, R8, RCX);
        x86_mov_rr(&b, RDI, CPU);
        x86_mov_rr(&b, RSI, RAX);
        x86_mov32_rr(&b, RCX, R11);
        x86_mov_ri(&b, RAX,
                   store ? (uint64_t)(uintptr_t)jit_helper_store
                         : (uint64_t)(uintptr_t)jit_helper_load);
        x86_call_r(&b, RAX);
        x86_op_rm(&b, 0, false, X86_OP(0x8b), RDX, CPU, X86_NOREG, 1, OFF(engine_status), false);
        x86_op_rr(&b, false, X86_OP(0x85), RDX, RDX, false);
        uint8_t *jerr = x86_jcc32(&b, CC_NE);
        reload_all(&b);
        x86_load64(&b, ICNT, CPU, OFF(instret));
        x86_alu_ri(&b, true, ALU_ADD, RSP, 8);
        x86_ret(&b);
        x86_patch_rel32(jerr, b.p);
        x86_alu_ri(&b, true, ALU_ADD, RSP, 16); /* alignment slot and return address */
        x86_mov_rr(&b, RAX, RDX);
        uint8_t *f = x86_jmp32(&b);
        int32_t rel = (int32_t)((intptr_t)(uintptr_t)j->exit_nospill -
                                (intptr_t)(uintptr_t)(j->rx + (f - j->rw) + 4));
        memcpy(f, &rel, 4);
    }
    /* xlookup_miss: xmode code whose jump check (xprobe, in line at each jump out of a
     * page) missed leaves for the dispatcher with cpu->pc = rax. */
    x86_align(&b, 16, 0);
    j->xlookup_miss = j->rx + (b.p - j->rw);
    {
        x86_store64(&b, CPU, OFF(pc), RAX);
        x86_mov_ri(&b, RAX, JIT_EXIT_LOOKUP);
        uint8_t *f = x86_jmp32(&b);
        int32_t rel = (int32_t)((intptr_t)(uintptr_t)j->exit_spill -
                                (intptr_t)(uintptr_t)(j->rx + (f - j->rw) + 4));
        memcpy(f, &rel, 4);
    }
    if (b.full) abort(); /* JIT_TRAMP_SIZE too small: a build error, not a run-time one */
}

/* ---- translation context ---- */

/* emit_op's "no continuation": pcs are even, so 1 is never one (pc 0 is a real target). */
#define NO_CONT 1u

enum stub_kind {
    STUB_CHECK,
    STUB_FS,
    STUB_LOAD,
    STUB_STORE,
    STUB_CHAIN,
    STUB_FPSLOW,
    STUB_RET,
    STUB_SITE, /* a site slot's miss: the inline TLB probe, then the slot is refilled */
    STUB_TIER, /* the entry counter ran out: leave for the IR (tiered mode) */
    STUB_PAGE2 /* the prologue's check of a crossing block's second page failed */
};

/* Jumps from an FP instruction's in-line checks to its slow path, at most (fp_inline.c). */
#define STUB_FP_JUMPS 10

/* Out-of-line code emitted after the block body. */
typedef struct stub {
    uint8_t kind;     /* enum stub_kind */
    uint8_t *jfield;  /* rel32 of the jcc that leads here */
    uint8_t *jfield2; /* a second jcc leading here, or NULL */
    uint8_t *jfield3; /* a third, or NULL */
    uint8_t *jfield4; /* a fourth, or NULL */
    uint8_t *back;    /* where the slow path resumes (rw view) */
    rv_op_t op;       /* the instruction (a copy: decoded blocks may go during translation) */
    uint64_t pc;      /* its guest pc (a chain stub: the jump's target) */
    uint64_t src;     /* a chain stub: guest pc of its branch (--stats' edges), or 0 */
    unsigned idx;     /* instructions of the path before it not yet in the instret register */

    uint8_t *jfp[STUB_FP_JUMPS]; /* STUB_FPSLOW: the in-line checks' jcc's, NULL unused */
} stub_t;

typedef struct tctx {
    x86_buf_t b;           /* output (rw view) */
    jit_t *j;              /* the JIT */
    rv_cpu_t *cpu;         /* the hart (for translation-time facts: mem_start, flags) */
    const rv_block_t *blk; /* the decoded block being translated (changes along a superblock) */
    uint64_t sb_pc;        /* guest pc of the translation's first instruction */
    unsigned counted;      /* instructions of the path already added to the instret register */
    uint8_t *start;        /* block start (rw view) */
    stub_t stubs[JIT_MAX_STUBS];            /* pending out-of-line code */
    unsigned nstubs;                        /* entries of stubs[] */
    jit_faultpt_t faults[JIT_MAX_FAULTPTS]; /* inline accesses */
    unsigned nfaults;                       /* entries of faults[] */
    unsigned helper_calls;                  /* translated instructions with an out-of-line helper */
    rv_op_t ops_copy[JIT_MAX_HELPERS];      /* decoded ops the helpers get (kept in metadata) */
    unsigned nops_copied;                   /* entries of ops_copy */
    uint8_t *copy_fix[JIT_MAX_HELPERS];     /* imm64 fields to fill with the copies' addresses */
    unsigned ncopy_fix;                     /* entries of copy_fix */
    unsigned last_g;      /* unmapped guest register whose value r11 also holds (0: none) */
    uint8_t *entry_jcc;   /* rel32 of the prologue's budget check */
    uint8_t *entry_exit;  /* where its exit code went (rw view): a dead block's entry jumps there */
    jit_block_t *tier_jb; /* tiered mode: where this translation's record goes (its entry
                             counter is a field of it; the counter's exit names it) */
    unsigned why_direct;  /* enum jit_why that exit_direct's chain request reports (--stats) */
    unsigned edge_kind;   /* enum jit_edge_kind of the next exit_direct (--stats' edges) */
    uint64_t edge_src;    /* guest pc of the instruction it leaves from (0: not known) */
    bool in_ir;           /* the translation in progress is the IR's */
    uint64_t visited[8];  /* guest pcs of the decoded blocks on the superblock's path so far */
    unsigned nvisited;    /* entries of visited[] */
    bool took_taken;      /* the path follows the taken side of a branch (follow_taken) */
} tctx_t;

static inline uint8_t *to_rx(const tctx_t *t, const uint8_t *rw) {
    return t->j->rx + (rw - t->j->rw);
}

/* jmp rel32 to a read+execute address (the trampolines). */
static void jmp_rx(tctx_t *t, const uint8_t *target) {
    uint8_t *f = x86_jmp32(&t->b);
    if (t->b.full) return;
    int32_t rel = (int32_t)((intptr_t)(uintptr_t)target - (intptr_t)(uintptr_t)(to_rx(t, f) + 4));
    memcpy(f, &rel, 4);
}

/* Host instructions the backend may use beyond x86-64's baseline (read once, without CPUID
 * where the C library has them: mem_host_isa). */
static struct { bool known, lzcnt, tzcnt, popcnt, fma, bmi2, sse41; } hostf;
static void host_features(void) {
    if (hostf.known) return;
    mem_host_isa_t f = mem_host_isa();
    hostf.popcnt = f.popcnt;
    hostf.fma = f.fma;
    hostf.tzcnt = f.bmi1;
    hostf.bmi2 = f.bmi2;
    hostf.lzcnt = f.lzcnt;
    hostf.sse41 = f.sse41; /* roundsd */
    hostf.known = true;
}

/* --stats: store reason `why` (enum jit_why) in jit_t.why before an exit (rdx clobbered);
 * nothing without counting. */
static void note_why(tctx_t *t, unsigned why) {
    if (!t->j->count) return;
    x86_mov_ri(&t->b, RDX, (uint64_t)(uintptr_t)&t->j->why);
    x86_op_rm(&t->b, 0, false, X86_OP(0xc7), 0, RDX, X86_NOREG, 1, 0, false); /* mov dword */
    x86_u32(&t->b, why);
}

/* Leave with exit code `code` in eax. */
static void exit_code(tctx_t *t, enum jit_exit code, bool spill) {
    x86_mov_ri(&t->b, RAX, (uint64_t)code);
    jmp_rx(t, spill ? t->j->exit_spill : t->j->exit_nospill);
}

static inline uint64_t op_pc(const tctx_t *t, const rv_op_t *op) {
    return t->blk->pc + op->off;
}

/* Bring the instret register to `n` instructions of the path (adds what is not counted yet). */
static void add_instret(tctx_t *t, unsigned n) {
    if (n > t->counted) x86_alu_ri(&t->b, true, ALU_ADD, ICNT, (int32_t)(n - t->counted));
    t->counted = n;
}

static void set_pc(tctx_t *t, uint64_t pc) {
    x86_store_imm64(&t->b, CPU, OFF(pc), pc, RAX);
}

/* Both decoded blocks lie on one page of one virtual page (no instruction crosses out). */
static bool same_page(const rv_block_t *a, const rv_block_t *b) {
    return a->ppn == a->ppn2 && b->ppn == b->ppn2 && a->ppn == b->ppn &&
           (a->pc >> RV_PAGE_SHIFT) == (b->pc >> RV_PAGE_SHIFT) &&
           ((a->end - 1) >> RV_PAGE_SHIFT) == (a->pc >> RV_PAGE_SHIFT) &&
           ((b->end - 1) >> RV_PAGE_SHIFT) == (b->pc >> RV_PAGE_SHIFT);
}

/* The xmode jump check in line (emit_xprobe), its misses to xlookup_miss; with --stats each
 * miss first notes reason why + 0, 1 or 2 (pc, fetch-TLB tag, physical page). */
static void xprobe_inline(tctx_t *t, bool konst, uint64_t target, unsigned why) {
    uint8_t *miss[3], *retry;
    emit_xprobe(&t->b, t->j, konst, target, miss, &retry);
    if (t->b.full) return;
    const uint8_t *to = t->j->rw + (t->j->xlookup_miss - t->j->rx);
    /* a miss of the fetch TLB (after an address-space switch, or another page in its
     * entry): the entry from the second level or a walk, then the check again */
    x86_patch_rel32(miss[1], t->b.p);
    x86_mov_ri(&t->b, RDX, (uint64_t)(uintptr_t)t->j->thunk_xfill);
    x86_call_r(&t->b, RDX);
    x86_op_rr(&t->b, false, X86_OP(0x85), RDX, RDX, false); /* test edx, edx */
    uint8_t *again = x86_jcc32(&t->b, CC_NE);
    if (t->b.full) return;
    x86_patch_rel32(again, retry);
    miss[1] = x86_jmp32(&t->b); /* the walk failed: the dispatcher decides */
    for (unsigned i = 0; i < 3; i++) {
        if (!t->j->count) {
            x86_patch_rel32(miss[i], to);
            continue;
        }
        x86_patch_rel32(miss[i], t->b.p);
        note_why(t, why + i);
        uint8_t *f = x86_jmp32(&t->b);
        if (t->b.full) return;
        x86_patch_rel32(f, to);
    }
}

/* xmode code leaving its page for `target` (instret already adjusted): the entry check
 * proved this page only, so the jump is guarded. When target's page maps to a physical page
 * P now (at translation time), the guard is the fetch TLB's entry for target's page at the
 * current privilege: when it holds P (the page is still mapped there and executable at this
 * privilege - satp writes and sfence.vma empty the TLB, a walk refills it), a patchable
 * jump follows, which the dispatcher chains to a translation whose first page is P
 * (jit_engine_run: its exit stores P in chain_ppn) and which stays on that page - what
 * rv_block_valid would prove at its entry. Otherwise, and before the chain is made, the
 * checked jump of xprobe. */
static bool exit_other_page(tctx_t *t, uint64_t target) {
    if (!t->cpu->xlate || (target >> RV_PAGE_SHIFT) == (t->sb_pc >> RV_PAGE_SHIFT)) return false;
    uint64_t ppn;
    if (!t->j->no_chain && rv_mmu_code_ppn(t->cpu, target, &ppn)) {
        x86_buf_t *b = &t->b;
        int32_t e =
            (int32_t)(((target >> RV_PAGE_SHIFT) & (RV_TLB_SIZE - 1)) * sizeof(rv_tlb_entry_t));
        x86_mov_ri(b, RDX, (target >> RV_PAGE_SHIFT) << 2);
        x86_alu_rm(b, ALU_OR, RDX, CPU, OFF(tlb_fetch_low));
        x86_alu_rm(b, ALU_CMP, RDX, CPU,
                   (int32_t)(offsetof(rv_cpu_t, tlb) + offsetof(rv_tlb_entry_t, tag)) + e);
        uint8_t *miss1 = x86_jcc32(b, CC_NE);
        x86_mov_ri(b, RDX, ppn);
        x86_alu_rm(b, ALU_CMP, RDX, CPU,
                   (int32_t)(offsetof(rv_cpu_t, tlb) + offsetof(rv_tlb_entry_t, ppn)) + e);
        uint8_t *miss2 = x86_jcc32(b, CC_NE);
        x86_align(b, 4, 1);
        uint8_t *field = x86_jmp32(b); /* rel32 0: falls into the chain request below */
        note_why(t, JIT_WHY_GUARD);
        x86_mov_ri(b, RAX, ppn);
        x86_mov_ri(b, RDX, (uint64_t)(uintptr_t)&t->j->chain_ppn);
        x86_store64(b, RDX, 0, RAX);
        set_pc(t, target);
        x86_mov_ri(b, RAX, (uint64_t)(uintptr_t)to_rx(t, field));
        jmp_rx(t, t->j->exit_spill);
        if (b->full) return true;
        x86_patch_rel32(miss1, b->p);
        x86_patch_rel32(miss2, b->p);
    }
    xprobe_inline(t, true, target, JIT_WHY_XDIRECT);
    return true;
}

/* --stats: a counter of the way out being emitted (kind, from the instruction at src to guest
 * pc target; jit_t.edges): `mov rax, &count; inc qword [rax]`, rax and the flags being free
 * at every way out. Nothing without counting, in xmode code, or when the records are used
 * up (JIT_EDGES). */
static void count_edge(tctx_t *t, unsigned kind, uint64_t src, uint64_t target) {
    jit_t *j = t->j;
    if (!j->count || t->cpu->xlate) return;
    if (!j->edges) j->edges = calloc(JIT_EDGES, sizeof(jit_edge_t));
    if (!j->edges || j->nedges >= JIT_EDGES) return;
    jit_edge_t *e = &j->edges[j->nedges++];
    *e = (jit_edge_t){
        .from = t->sb_pc, .src = src, .to = target, .kind = (uint8_t)kind, .ir = t->in_ir};
    x86_mov_ri(&t->b, RAX, (uint64_t)(uintptr_t)&e->count);
    x86_op_rm(&t->b, 0, true, X86_OP(0xff), 0, RAX, X86_NOREG, 1, 0, false); /* inc qword */
}

/* A direct, chainable exit to `target` (instret already adjusted by the caller). */
static void exit_direct(tctx_t *t, uint64_t target) {
    if (exit_other_page(t, target)) return;
    count_edge(t, t->edge_kind, t->edge_src, target);
    t->edge_kind = JIT_EDGE_JUMP;
    t->edge_src = 0;
    x86_align(&t->b, 4, 1);
    uint8_t *field = x86_jmp32(&t->b); /* rel32 0: falls into the exit code below */
    note_why(t, t->why_direct);
    set_pc(t, target);
    x86_mov_ri(&t->b, RAX, (uint64_t)(uintptr_t)to_rx(t, field));
    jmp_rx(t, t->j->exit_spill);
}

static stub_t *add_stub(tctx_t *t, enum stub_kind kind, uint8_t *jfield, const rv_op_t *op,
                        unsigned idx) {
    if (t->nstubs >= sizeof(t->stubs) / sizeof(t->stubs[0])) {
        t->b.full = true; /* cannot happen with JIT_MAX_FAULTPTS checked; stay safe */
        return &t->stubs[0];
    }
    stub_t *s = &t->stubs[t->nstubs++];
    s->kind = (uint8_t)kind;
    s->jfield = jfield;
    s->jfield2 = NULL;
    s->jfield3 = NULL;
    s->jfield4 = NULL;
    memset(s->jfp, 0, sizeof(s->jfp));
    s->back = NULL;
    s->src = 0;
    if (op) {
        s->op = *op;
        s->pc = s->src = op_pc(t, op);
    }
    s->idx = idx - t->counted;
    return s;
}

/* ---- operands ---- */

/* A host register holding guest register g (x0 and unmapped ones go into `scratch`). */
static int src(tctx_t *t, unsigned g, int scratch) {
    if (g == 0) {
        x86_mov_ri(&t->b, scratch, 0);
        return scratch;
    }
    int h = host_of(g);
    if (h >= 0) return h;
    if (g == t->last_g) return R11; /* written by the previous instruction: no reload */
    x86_load64(&t->b, scratch, CPU, OFF_X(g));
    return scratch;
}

/* Write host register r to guest register g. */
static void put(tctx_t *t, unsigned g, int r) {
    if (g == 0) return;
    int h = host_of(g);
    if (h >= 0) {
        x86_mov_rr(&t->b, h, r);
    } else {
        /* keep a copy in r11: the next instruction usually reads it, and a load right after
         * the store would wait for store-to-load forwarding */
        x86_store64(&t->b, CPU, OFF_X(g), r);
        x86_mov_rr(&t->b, R11, r);
        t->last_g = g;
    }
}

/* Set guest register g to a constant (`tmp` is clobbered when v needs 64 bits). */
static void put_imm_tmp(tctx_t *t, unsigned g, uint64_t v, int tmp) {
    if (g == 0) return;
    int h = host_of(g);
    if (h >= 0) {
        x86_mov_ri(&t->b, h, v);
    } else {
        x86_store_imm64(&t->b, CPU, OFF_X(g), v, tmp);
        if (g == t->last_g || tmp == R11) t->last_g = 0;
    }
}
static void put_imm(tctx_t *t, unsigned g, uint64_t v) {
    put_imm_tmp(t, g, v, RAX);
}

/* mv: rd = rs, one host instruction (a mov between host registers, a load into rd's host
 * register, or a store of rs's), none when both are one register. */
static void mv(tctx_t *t, unsigned rd, unsigned rs) {
    if (rd == 0) return;
    if (rs == 0) {
        put_imm(t, rd, 0);
        return;
    }
    int d = host_of(rd);
    if (d >= 0) {
        x86_mov_rr(&t->b, d, src(t, rs, d));
        return;
    }
    put(t, rd, src(t, rs, RAX));
}

/* rd = rs1 OP rs2 with a two-operand x86 ALU op (w: 64-bit; else 32-bit, sign-extended). */
static void alu_rr(tctx_t *t, const rv_op_t *op, enum x86_alu aop, bool w) {
    /* add/or/xor with x0 is a move (the compressed c.mv is add rd, x0, rs2) */
    if (w && (aop == ALU_ADD || aop == ALU_OR || aop == ALU_XOR) && (!op->rs1 || !op->rs2)) {
        mv(t, op->rd, op->rs1 ? op->rs1 : op->rs2);
        return;
    }
    int a = src(t, op->rs1, RAX);
    int b = src(t, op->rs2, RCX);
    int d = host_of(op->rd);
    if (d >= 0 && d != b && w) {
        x86_mov_rr(&t->b, d, a);
        x86_alu_rr(&t->b, true, aop, d, b);
        return;
    }
    x86_mov_rr(&t->b, RAX, a);
    x86_alu_rr(&t->b, w, aop, RAX, b);
    if (!w) x86_movsxd_rr(&t->b, RAX, RAX);
    put(t, op->rd, RAX);
}

/* rd = rs1 OP imm. */
static void alu_ri(tctx_t *t, const rv_op_t *op, enum x86_alu aop, bool w) {
    int a = src(t, op->rs1, RAX);
    int d = host_of(op->rd);
    if (d >= 0 && w) {
        x86_mov_rr(&t->b, d, a);
        x86_alu_ri(&t->b, true, aop, d, op->imm);
        return;
    }
    x86_mov_rr(&t->b, RAX, a);
    x86_alu_ri(&t->b, w, aop, RAX, op->imm);
    if (!w) x86_movsxd_rr(&t->b, RAX, RAX);
    put(t, op->rd, RAX);
}

/* rd = rs1 + imm (lea: no flags, one instruction when both are mapped). */
static void addi(tctx_t *t, const rv_op_t *op, bool w) {
    int d = host_of(op->rd);
    if (op->rs1 == 0) {
        put_imm(t, op->rd, w ? (uint64_t)(int64_t)op->imm : (uint64_t)(int64_t)op->imm);
        return;
    }
    if (w && op->imm == 0) { /* mv */
        mv(t, op->rd, op->rs1);
        return;
    }
    if (!w && op->rd == 0) return;
    int a = src(t, op->rs1, RAX);
    if (!w) {
        /* addiw, sext.w (imm 0): computed in rd's host register, else in r11, which then
         * keeps the value put() would copy there */
        int r = d >= 0 ? d : R11;
        if (op->imm) {
            x86_lea(&t->b, r, a, X86_NOREG, 1, op->imm);
            a = r;
        }
        x86_movsxd_rr(&t->b, r, a);
        if (d < 0) {
            x86_store64(&t->b, CPU, OFF_X(op->rd), R11);
            t->last_g = op->rd;
        }
        return;
    }
    int r = d >= 0 ? d : RAX;
    x86_lea(&t->b, r, a, X86_NOREG, 1, op->imm);
    if (r != d) put(t, op->rd, r);
}

/* Shift by immediate. */
static void shift_ri(tctx_t *t, const rv_op_t *op, enum x86_shift sop, bool w) {
    int a = src(t, op->rs1, RAX);
    int d = host_of(op->rd);
    int r = d >= 0 && w ? d : RAX;
    x86_mov_rr(&t->b, r, a);
    x86_shift_ri(&t->b, w, sop, r, (unsigned)op->imm & (w ? 63u : 31u));
    if (!w) x86_movsxd_rr(&t->b, r, r);
    if (r != d) put(t, op->rd, r);
}

/* Shift by register (x86 masks the count like RISC-V: 6 bits, 5 for the W forms). */
static void shift_rr(tctx_t *t, const rv_op_t *op, enum x86_shift sop, bool w) {
    int b = src(t, op->rs2, RCX);
    x86_mov_rr(&t->b, RCX, b);
    int a = src(t, op->rs1, RAX);
    int d = host_of(op->rd);
    int r = d >= 0 && w ? d : RAX;
    x86_mov_rr(&t->b, r, a);
    x86_shift_cl(&t->b, w, sop, r);
    if (!w) x86_movsxd_rr(&t->b, r, r);
    if (r != d) put(t, op->rd, r);
}

/* rd = (rs1 cmp rs2-or-imm) ? 1 : 0. */
static void set_cc(tctx_t *t, const rv_op_t *op, enum x86_cc cc, bool imm) {
    int a = src(t, op->rs1, RAX);
    if (imm) {
        x86_alu_ri(&t->b, true, ALU_CMP, a, op->imm);
    } else {
        int b = src(t, op->rs2, RCX);
        x86_alu_rr(&t->b, true, ALU_CMP, a, b);
    }
    x86_setcc(&t->b, cc, RAX);
    put(t, op->rd, RAX);
}

/* rd = cc(rs1, rs2) ? rs2 : rs1 (min/max). */
static void minmax(tctx_t *t, const rv_op_t *op, enum x86_cc cc) {
    int a = src(t, op->rs1, RAX);
    int b = src(t, op->rs2, RCX);
    x86_mov_rr(&t->b, RAX, a);
    x86_alu_rr(&t->b, true, ALU_CMP, RAX, b);
    x86_cmov(&t->b, cc, RAX, b);
    put(t, op->rd, RAX);
}

/* mul / mulw (imul keeps the low bits, which are sign-agnostic). */
static void mul_lo(tctx_t *t, const rv_op_t *op, bool w) {
    int a = src(t, op->rs1, RAX);
    int b = src(t, op->rs2, RCX);
    x86_mov_rr(&t->b, RAX, a);
    x86_imul_rr(&t->b, w, RAX, b);
    if (!w) x86_movsxd_rr(&t->b, RAX, RAX);
    put(t, op->rd, RAX);
}

/* mulh (signed) / mulhu: the high half from rdx. */
static void mul_hi(tctx_t *t, const rv_op_t *op, bool sign) {
    int b = src(t, op->rs2, RCX);
    x86_mov_rr(&t->b, RCX, b);
    int a = src(t, op->rs1, RAX);
    x86_mov_rr(&t->b, RAX, a);
    x86_f7(&t->b, true, sign ? 5 : 4, RCX);
    put(t, op->rd, RDX);
}

/* div/divu/rem/remu and the W forms, with RISC-V's results for x/0 and overflow. */
static void divrem(tctx_t *t, const rv_op_t *op, bool sign, bool rem, bool w) {
    x86_buf_t *b = &t->b;
    int bs = src(t, op->rs2, RCX);
    x86_mov_rr(b, RCX, bs);
    int as = src(t, op->rs1, RAX);
    x86_mov_rr(b, RAX, as);
    x86_op_rr(b, w, X86_OP(0x85), RCX, RCX, false); /* test rcx, rcx */
    uint8_t *jzero = x86_jcc32(b, CC_E);
    uint8_t *jovf = NULL;
    if (sign) {
        x86_alu_ri(b, w, ALU_CMP, RCX, -1);
        uint8_t *jdo = x86_jcc32(b, CC_NE);
        x86_mov_ri(b, RDX, w ? 0x8000000000000000ull : 0x80000000ull);
        x86_alu_rr(b, w, ALU_CMP, RAX, RDX);
        jovf = x86_jcc32(b, CC_E);
        if (!b->full) x86_patch_rel32(jdo, b->p);
        x86_cqo(b, w);
        x86_f7(b, w, 7, RCX);
    } else {
        x86_mov_ri(b, RDX, 0);
        x86_f7(b, w, 6, RCX);
    }
    uint8_t *jdone = x86_jmp32(b);
    /* x / 0: quotient all ones, remainder x */
    if (!b->full) x86_patch_rel32(jzero, b->p);
    if (rem)
        x86_mov_rr(b, RDX, RAX);
    else
        x86_mov_ri(b, RAX, UINT64_MAX);
    uint8_t *jdone2 = x86_jmp32(b);
    if (jovf) { /* MIN / -1: quotient MIN (rax already), remainder 0 */
        if (!b->full) x86_patch_rel32(jovf, b->p);
        x86_mov_ri(b, RDX, 0);
    }
    if (!b->full) {
        x86_patch_rel32(jdone, b->p);
        x86_patch_rel32(jdone2, b->p);
    }
    int r = rem ? RDX : RAX;
    if (!w) x86_movsxd_rr(b, r, r);
    put(t, op->rd, r);
}

/* rd = (rs1 << sh) + rs2, with rs1 zero-extended from 32 bits when `uw` (Zba). */
static void shadd(tctx_t *t, const rv_op_t *op, unsigned sh, bool uw) {
    int a = src(t, op->rs1, RAX);
    if (uw) {
        x86_mov32_rr(&t->b, RAX, a);
        a = RAX;
    }
    int b = src(t, op->rs2, RCX);
    int d = host_of(op->rd);
    int r = d >= 0 ? d : RAX;
    x86_lea(&t->b, r, b, a, 1 << sh, 0);
    if (r != d) put(t, op->rd, r);
}

/* Unary ops through a register-to-register instruction producing rax. */
enum unop { UN_SEXT_B, UN_SEXT_H, UN_ZEXT_H, UN_REV8, UN_CLZ, UN_CTZ, UN_CPOP, UN_ZEXT_W };
static void unary(tctx_t *t, const rv_op_t *op, enum unop u, bool w) {
    int a = src(t, op->rs1, RAX);
    x86_buf_t *b = &t->b;
    switch (u) {
    case UN_SEXT_B: x86_movsx8_rr(b, RAX, a); break;
    case UN_SEXT_H: x86_movsx16_rr(b, RAX, a); break;
    case UN_ZEXT_H: x86_movzx16_rr(b, RAX, a); break;
    case UN_ZEXT_W: x86_mov32_rr(b, RAX, a); break;
    case UN_REV8:
        x86_mov_rr(b, RAX, a);
        x86_bswap(b, RAX);
        break;
    case UN_CLZ: x86_f3_0f(b, w, 0xbd, RAX, a); break;
    case UN_CTZ: x86_f3_0f(b, w, 0xbc, RAX, a); break;
    case UN_CPOP: x86_f3_0f(b, w, 0xb8, RAX, a); break;
    }
    put(t, op->rd, RAX);
}

/* Zbs: rd = rs1 with bit (rs2 or imm) cleared / set / inverted / extracted. */
enum bitop { BIT_CLR, BIT_SET, BIT_INV, BIT_EXT };
static void bitop(tctx_t *t, const rv_op_t *op, enum bitop k, bool imm) {
    x86_buf_t *b = &t->b;
    if (imm) {
        x86_mov_ri(b, RCX, (uint64_t)op->imm & 63);
    } else {
        int s = src(t, op->rs2, RCX);
        x86_mov_rr(b, RCX, s);
    }
    int a = src(t, op->rs1, RAX);
    if (k == BIT_EXT) {
        x86_mov_rr(b, RAX, a);
        x86_shift_cl(b, true, SH_SHR, RAX);
        x86_alu_ri(b, false, ALU_AND, RAX, 1);
    } else {
        x86_mov_rr(b, RDX, a);
        x86_mov_ri(b, RAX, 1);
        x86_shift_cl(b, true, SH_SHL, RAX);
        if (k == BIT_CLR) {
            x86_f7(b, true, 2, RAX); /* not */
            x86_alu_rr(b, true, ALU_AND, RAX, RDX);
        } else {
            x86_alu_rr(b, true, k == BIT_SET ? ALU_OR : ALU_XOR, RAX, RDX);
        }
    }
    put(t, op->rd, RAX);
}

/* andn / orn / xnor: rd = rs1 OP ~rs2. */
static void alu_not2(tctx_t *t, const rv_op_t *op, enum x86_alu aop, bool not_result) {
    int b = src(t, op->rs2, RCX);
    x86_mov_rr(&t->b, RCX, b);
    if (!not_result) x86_f7(&t->b, true, 2, RCX);
    int a = src(t, op->rs1, RAX);
    x86_mov_rr(&t->b, RAX, a);
    x86_alu_rr(&t->b, true, aop, RAX, RCX);
    if (not_result) x86_f7(&t->b, true, 2, RAX);
    put(t, op->rd, RAX);
}

/* Rotates: rol/ror by register or immediate, 64- or 32-bit. */
static void rotate(tctx_t *t, const rv_op_t *op, enum x86_shift sop, bool w, bool imm) {
    if (!imm) {
        int s = src(t, op->rs2, RCX);
        x86_mov_rr(&t->b, RCX, s);
    }
    int a = src(t, op->rs1, RAX);
    x86_mov_rr(&t->b, RAX, a);
    if (imm)
        x86_shift_ri(&t->b, w, sop, RAX, (unsigned)op->imm & (w ? 63u : 31u));
    else
        x86_shift_cl(&t->b, w, sop, RAX);
    if (!w) x86_movsxd_rr(&t->b, RAX, RAX);
    put(t, op->rd, RAX);
}

/* ---- memory ---- */

/* rax = rs1 + imm (the guest address: virtual for the inline TLB). */
static void mem_vaddr(tctx_t *t, const rv_op_t *op) {
    if (op->rs1 == 0) {
        x86_mov_ri(&t->b, RAX, (uint64_t)(int64_t)op->imm);
    } else {
        int a = src(t, op->rs1, RAX);
        if (op->imm == 0 && t->cpu->xlate) {         /* a mov the host can eliminate: a pointer */
            if (a != RAX) x86_mov_rr(&t->b, RAX, a); /* chase's step, one cycle shorter */
        } else {
            x86_lea(&t->b, RAX, a, X86_NOREG, 1, op->imm);
        }
    }
}

/* rax = rs1 + imm; returns the register holding the window offset. */
static int mem_addr(tctx_t *t, const rv_op_t *op) {
    mem_vaddr(t, op);
    if (t->cpu->mem_start == 0) return RAX;
    x86_mov_rr(&t->b, RDX, RAX);
    x86_alu_rm(&t->b, ALU_SUB, RDX, CPU, OFF(mem_start));
    return RDX;
}

static void note_fault(tctx_t *t, const rv_op_t *op, unsigned idx) {
    jit_faultpt_t *f = &t->faults[t->nfaults++];
    f->host_off = (uint32_t)(t->b.p - t->start);
    f->idx = idx - t->counted;
    f->guest_off = (int64_t)(op_pc(t, op) - t->sb_pc);
    f->fix = f->nfix = 0;
}

/* Access width and sign of a load or store op (insns.def columns). */
static unsigned mem_width(unsigned id, bool *sign) {
    *sign = rv_insn_table[id].mem_signed;
    return rv_insn_table[id].mem_width;
}

/* FP loads and stores: the value comes from or goes to cpu->f. */
static bool is_fp_mem(unsigned id) {
    return rv_insn_table[id].cls == RV_CLS_FLOAD || rv_insn_table[id].cls == RV_CLS_FSTORE;
}

/* Finish a load whose value is in `r`: write rd (integer or FP, NaN-boxing singles). */
static void load_result(tctx_t *t, const rv_op_t *op, int r) {
    if (rv_insn_table[op->id].cls == RV_CLS_FLOAD && rv_insn_table[op->id].mem_width == 4) {
        x86_mov_ri(&t->b, RDX, 0xffffffff00000000ull);
        x86_alu_rr(&t->b, true, ALU_OR, r, RDX);
    }
    if (is_fp_mem(op->id))
        x86_store64(&t->b, CPU, OFF_F(op->rd), r);
    else
        put(t, op->rd, r);
}

/* While translating (xmode code): the inline TLB probe of an access of w bytes at the guest
 * address in rax, in the load or the store table of the set r14 points at (the current
 * data privilege's load table; its store table follows it, TLBF_ST bytes on):
 *   ecx = (eax >> 8) & ((RV_TLB_SIZE - 1) << 4)           the entry's offset in the table
 *   rdx = rax & (~0xfff | (w - 1)); cmp rdx, [r14 + rcx]  its tag (misaligned: a miss)
 * and a jne to the access's slow-path stub, which finds the guest address still in rax. On
 * the fall-through, rcx = [r14 + rcx + 8] (the addend): the host address is rcx + rax. With
 * BMI2 the index is one rorx (rotate eax right by 8) and an and, without a copy of rax. */
_Static_assert(sizeof(rv_tlb_fast_t) == 16, "tlb_probe scales the entry index by 16");
/* A set's store table follows its load table (tlbf[set][1] after [set][0]; rv_mmu_update
 * points tlb_ld_off and tlb_st_off at the entries of the two tables of one set). */
#define TLBF_ST ((int32_t)sizeof(rv_tlbf_table_t))
_Static_assert(sizeof(((rv_cpu_t *)0)->tlbf[0]) == 2 * sizeof(rv_tlbf_table_t),
               "TLBF_ST: a set's store table right after its load table");
static uint8_t *tlb_probe_jcc(tctx_t *t, int32_t tab, unsigned w) {
    x86_buf_t *b = &t->b;
    if (hostf.bmi2) { /* rorx ecx, eax, RV_PAGE_SHIFT - 4 (VEX.LZ.F2.0F3A.W0 F0 /r ib) */
        x86_byte(b, 0xc4);
        x86_byte(b, 0xe3);
        x86_byte(b, 0x7b);
        x86_byte(b, 0xf0);
        x86_byte(b, 0xc0 | (unsigned)RCX << 3 | (unsigned)RAX);
        x86_byte(b, RV_PAGE_SHIFT - 4);
    } else {
        x86_mov32_rr(b, RCX, RAX);
        x86_shift_ri(b, false, SH_SHR, RCX, RV_PAGE_SHIFT - 4);
    }
    x86_alu_ri(b, false, ALU_AND, RCX, (int32_t)((RV_TLB_SIZE - 1) << 4));
    x86_mov_rr(b, RDX, RAX);
    x86_alu_ri(b, true, ALU_AND, RDX, (int32_t)(-(1 << RV_PAGE_SHIFT) + (int32_t)(w - 1)));
    x86_op_rm(b, 0, true, X86_OP(0x3b), RDX, MEM, RCX, 1,
              tab + (int32_t)offsetof(rv_tlb_fast_t, vtag), false); /* cmp rdx, [r14 + rcx] */
    uint8_t *miss = x86_jcc32(b, CC_NE);
    x86_op_rm(b, 0, true, X86_OP(0x8b), RCX, MEM, RCX, 1,
              tab + (int32_t)offsetof(rv_tlb_fast_t, addend), false); /* mov rcx, [r14 + rcx + 8] */
    return miss;
}
static stub_t *tlb_probe(tctx_t *t, const rv_op_t *op, unsigned idx, enum stub_kind kind,
                         unsigned w) {
    uint8_t *miss = tlb_probe_jcc(t, kind == STUB_STORE ? TLBF_ST : 0, w);
    return add_stub(t, kind, miss, op, idx);
}

/* ---- site slots (rv_tlbf_table_t.site) ----
 * A load or store site of xmode code that keeps to one page (a stack frame, a table, an array
 * walked in order) finds its page's entry in a slot of its own instead of the inline TLB:
 *   mov rdx, rax; and rdx, ~0xfff | (w - 1); cmp rdx, [r14 + slot]; jne site_miss
 *   add rax, [r14 + slot + 8]; mov rd, [rax]
 * The slot's address is a constant (no index computed from the address), so a hit costs the
 * address, one add and the access on the dependency chain, against the probe's index, entry
 * load and access. A miss probes the inline TLB out of line and copies the entry it hits into
 * the slot (or takes the slow path, which fills the inline TLB for the next time). A slot is
 * only ever a copy of an entry of the same set and kind that was valid when copied, and
 * src/riscv/mmu.c empties the slots with the entries (satp writes, sfence.vma, a page that
 * becomes code for stores), so a hit is a hit the inline TLB could have given. Sites whose
 * base register a load of the same block writes (a list walk: every step a new page) keep
 * the probe, since their slot would mostly miss. */
#define SITE_OFF                                                                                   \
    ((int32_t)offsetof(rv_tlbf_table_t, site) - (int32_t)offsetof(rv_tlbf_table_t, ent))
_Static_assert(offsetof(rv_tlbf_table_t, site) < offsetof(rv_tlbf_table_t, ent) &&
                   offsetof(rv_cpu_t, tlbf) + sizeof(((rv_cpu_t *)0)->tlbf) < (1u << 31) &&
                   (RV_SITE_SLOTS & (RV_SITE_SLOTS - 1)) == 0,
               "site slots: before each table's entries, at one disp32 from them (the store "
               "table's slots TLBF_ST after the load table's)");

/* Byte offset of the slot of the access at guest pc `pc` from its set's load or store table. */
static int32_t site_slot(uint64_t pc) {
    return (int32_t)((((pc >> 1) ^ (pc >> 7)) & (RV_SITE_SLOTS - 1)) * sizeof(rv_tlb_fast_t));
}

/* Whether the access op (xmode) takes a site slot: not when a load of the block it is in
 * writes its base register (pointer chasing), nor for x0 (an absolute address). */
static bool site_ok(const tctx_t *t, const rv_op_t *op) {
    if (op->rs1 == 0 || t->j->no_site) return false;
    const rv_block_t *cb = t->blk;
    for (uint32_t i = 0; i < cb->nops; i++)
        if (rv_insn_table[cb->ops[i].id].cls == RV_CLS_LOAD && cb->ops[i].rd == op->rs1)
            return false;
    return true;
}

/* The slot compare of an access of w bytes at the guest address in rax, then rax = its host
 * address on a hit; returns the site-miss stub, whose slow-path stub (kind) follows it. */
static stub_t *site_probe(tctx_t *t, const rv_op_t *op, unsigned idx, enum stub_kind kind,
                          unsigned w, stub_t **slow) {
    x86_buf_t *b = &t->b;
    int32_t slot = SITE_OFF + (kind == STUB_STORE ? TLBF_ST : 0) + site_slot(op_pc(t, op));
    x86_mov_rr(b, RDX, RAX);
    x86_alu_ri(b, true, ALU_AND, RDX, (int32_t)(-(1 << RV_PAGE_SHIFT) + (int32_t)(w - 1)));
    x86_op_rm(b, 0, true, X86_OP(0x3b), RDX, MEM, X86_NOREG, 1,
              slot + (int32_t)offsetof(rv_tlb_fast_t, vtag), false); /* cmp rdx, [r14 + slot] */
    stub_t *ss = add_stub(t, STUB_SITE, x86_jcc32(b, CC_NE), op, idx);
    *slow = add_stub(t, kind, NULL, op, idx);
    x86_op_rm(b, 0, true, X86_OP(0x03), RAX, MEM, X86_NOREG, 1,
              slot + (int32_t)offsetof(rv_tlb_fast_t, addend), false); /* add rax, [r14+slot+8] */
    ss->back = b->p;
    return ss;
}

/* The site-miss stub ss (its slow-path stub right after it): probe the inline TLB with the
 * guest address still in rax; a hit refills the slot and goes back to the access with rax =
 * the host address, a miss goes on to the slow path. */
static void emit_site_stub(tctx_t *t, const stub_t *ss) {
    x86_buf_t *b = &t->b;
    stub_t *slow = (stub_t *)ss + 1;
    bool sign;
    unsigned w = mem_width(ss->op.id, &sign);
    int32_t tab = slow->kind == STUB_STORE ? TLBF_ST : 0;
    slow->jfield = tlb_probe_jcc(t, tab, w);
    int32_t slot = SITE_OFF + tab + site_slot(ss->pc);
    x86_store64(b, MEM, slot + (int32_t)offsetof(rv_tlb_fast_t, vtag), RDX);
    x86_store64(b, MEM, slot + (int32_t)offsetof(rv_tlb_fast_t, addend), RCX);
    x86_alu_rr(b, true, ALU_ADD, RAX, RCX);
    uint8_t *jb = x86_jmp32(b);
    if (!b->full) x86_patch_rel32(jb, ss->back);
}

static void emit_load(tctx_t *t, const rv_op_t *op, unsigned idx) {
    bool sign;
    unsigned w = mem_width(op->id, &sign);
    if (t->cpu->xlate) { /* xmode code: the inline TLB, never the window */
        mem_vaddr(t, op);
        int d = is_fp_mem(op->id) ? -1 : host_of(op->rd);
        int r = d >= 0 ? d : RCX;
        stub_t *s;
        if (site_ok(t, op)) { /* its slot, rax = the host address */
            site_probe(t, op, idx, STUB_LOAD, w, &s);
            x86_load_idx(&t->b, r, RAX, X86_NOREG, w, sign);
        } else {
            s = tlb_probe(t, op, idx, STUB_LOAD, w);
            x86_load_idx(&t->b, r, RCX, RAX, w, sign);
        }
        if (r != d) load_result(t, op, r);
        s->back = t->b.p;
        return;
    }
    int off = mem_addr(t, op);
    x86_alu_rm(&t->b, ALU_CMP, off, CPU, OFF(win_chk));
    stub_t *s = add_stub(t, STUB_LOAD, x86_jcc32(&t->b, CC_AE), op, idx);
    int d = is_fp_mem(op->id) ? -1 : host_of(op->rd);
    int r = d >= 0 ? d : RCX;
    note_fault(t, op, idx);
    x86_load_idx(&t->b, r, MEM, off, w, sign);
    if (r != d) load_result(t, op, r);
    s->back = t->b.p;
}

static void emit_store(tctx_t *t, const rv_op_t *op, unsigned idx) {
    bool sign;
    unsigned w = mem_width(op->id, &sign);
    if (t->cpu->xlate) { /* xmode code: the inline TLB (its store entries exclude code pages) */
        mem_vaddr(t, op);
        stub_t *s;
        if (site_ok(t, op)) { /* its slot, rax = the host address */
            site_probe(t, op, idx, STUB_STORE, w, &s);
        } else {
            s = tlb_probe(t, op, idx, STUB_STORE, w);
            x86_alu_rr(&t->b, true, ALU_ADD, RAX, RCX); /* the host address */
        }
        int v;
        if (is_fp_mem(op->id)) {
            x86_load64(&t->b, RCX, CPU, OFF_F(op->rs2));
            v = RCX;
        } else {
            v = src(t, op->rs2, RCX);
        }
        x86_store_idx(&t->b, RAX, X86_NOREG, v, w);
        s->back = t->b.p;
        return;
    }
    int off = mem_addr(t, op);
    x86_alu_rm(&t->b, ALU_CMP, off, CPU, OFF(win_chk));
    stub_t *s = add_stub(t, STUB_STORE, x86_jcc32(&t->b, CC_AE), op, idx);
    if (t->cpu->page_flags) {
        x86_mov_rr(&t->b, RCX, off);
        x86_shift_ri(&t->b, true, SH_SHR, RCX, RV_PAGE_SHIFT);
        x86_alu_rm(&t->b, ALU_ADD, RCX, CPU, OFF(page_flags));
        x86_cmp8_mi0_idx(&t->b, RCX, X86_NOREG);
        s->jfield2 = x86_jcc32(&t->b, CC_NE); /* a flagged page: the same slow path */
    }
    int v;
    if (is_fp_mem(op->id)) {
        x86_load64(&t->b, RCX, CPU, OFF_F(op->rs2));
        v = RCX;
    } else {
        v = src(t, op->rs2, RCX);
    }
    note_fault(t, op, idx);
    x86_store_idx(&t->b, MEM, off, v, w);
    s->back = t->b.p;
}

/* The slow path of one load or store: guest address in rax (still there from the inline
 * path), its pc in rdx, the access info in r11, a store's value in rcx; then the shared thunk
 * (jit_emit_trampolines) does the rest and returns here only when the access succeeded. */
static void emit_mem_stub(tctx_t *t, const stub_t *s) {
    x86_buf_t *b = &t->b;
    const rv_op_t *op = &s->op;
    bool sign;
    unsigned w = mem_width(op->id, &sign);
    uint32_t info = w | (sign ? 16u : 0u) | s->idx << 8 | (uint32_t)op->len << 16;
    if (s->kind == STUB_STORE) {
        int h = host_of(op->rs2);
        if (is_fp_mem(op->id))
            x86_load64(b, RCX, CPU, OFF_F(op->rs2));
        else if (op->rs2 == 0)
            x86_mov_ri(b, RCX, 0);
        else if (h >= 0)
            x86_mov_rr(b, RCX, h);
        else
            x86_load64(b, RCX, CPU, OFF_X(op->rs2)); /* memory always holds unmapped ones */
    }
    x86_mov_ri(b, RDX, s->pc);
    x86_mov_ri(b, R11, info);
    x86_byte(b, 0xe8); /* call rel32 */
    uint8_t *f = b->p;
    x86_u32(b, 0);
    if (!b->full) {
        const uint8_t *thunk = s->kind == STUB_STORE ? t->j->thunk_store : t->j->thunk_load;
        int32_t rel =
            (int32_t)((intptr_t)(uintptr_t)thunk - (intptr_t)(uintptr_t)(to_rx(t, f) + 4));
        memcpy(f, &rel, 4);
    }
    if (s->kind == STUB_LOAD) load_result(t, op, RAX);
    uint8_t *jb = x86_jmp32(b);
    if (!b->full) x86_patch_rel32(jb, s->back);
}

/* ---- instructions run by a C helper ---- */

/* Caller-saved host registers holding guest registers: a C call clobbers them. */
static bool caller_saved(int h) {
    return h == RSI || h == RDI || h == R8 || h == R9;
}

/* Call fn(cpu, op copy, pc, idx[, xmode]) - jit_helper_exec for an instruction without native
 * code, jit_helper_sys (with the fifth argument) for mret, sret and sfence.vma. Only the guest
 * registers a call could clobber or the helper could use (its operands) go through cpu->x; the
 * others stay in their callee-saved host registers. Where the helper lets the block go on
 * (engine_status 0), its return value is in rax. */
static bool emit_call_at(tctx_t *t, const rv_op_t *op, uint64_t pc, unsigned rel, const void *fn,
                         bool arg5) {
    x86_buf_t *b = &t->b;
    if (t->nops_copied >= JIT_MAX_HELPERS) return false;
    t->ops_copy[t->nops_copied++] = *op;
    uint32_t set = 0; /* guest registers passed through cpu->x */
    for (unsigned g = 1; g < 32; g++)
        if (host_of(g) >= 0 && caller_saved(host_of(g))) set |= 1u << g;
    set |= (1u << op->rd | 1u << op->rs1 | 1u << op->rs2 | 1u << op->rs3) & ~1u;
    for (unsigned g = 1; g < 32; g++)
        if ((set >> g & 1) && host_of(g) >= 0) x86_store64(b, CPU, OFF_X(g), host_of(g));
    x86_store64(b, CPU, OFF(instret), ICNT);
    x86_mov_rr(b, RDI, CPU);
    /* mov rsi, imm64: the op copy's address, filled in when the metadata is placed */
    x86_rex(b, true, 0, X86_NOREG, RSI, false);
    x86_byte(b, 0xb8 + (RSI & 7));
    t->copy_fix[t->ncopy_fix++] = b->p;
    x86_u64(b, (uint64_t)(t->nops_copied - 1));
    x86_mov_ri(b, RDX, pc);
    x86_mov_ri(b, RCX, rel);
    if (arg5) x86_mov_ri(b, R8, t->cpu->xlate); /* r8 was stored above (caller-saved) */
    x86_mov_ri(b, RAX, (uint64_t)(uintptr_t)fn);
    x86_call_r(b, RAX);
    for (unsigned g = 1; g < 32; g++)
        if ((set >> g & 1) && host_of(g) >= 0) x86_load64(b, host_of(g), CPU, OFF_X(g));
    if (t->cpu->xlate) tlb_set_reload(b); /* a CSR write (mstatus MPRV, MPP, SUM) may move it */
    x86_load64(b, ICNT, CPU, OFF(instret));
    x86_op_rm(b, 0, false, X86_OP(0x8b), RDX, CPU, X86_NOREG, 1, OFF(engine_status), false);
    x86_op_rr(b, false, X86_OP(0x85), RDX, RDX, false);
    uint8_t *jok = x86_jcc32(b, CC_E);
    x86_mov_rr(b, RAX, RDX);
    jmp_rx(t, t->j->exit_regs); /* the helper set instret */
    if (!b->full) x86_patch_rel32(jok, b->p);
    t->helper_calls++;
    return true;
}

/* The call of jit_helper_exec for an instruction without native code. */
static bool emit_helper_at(tctx_t *t, const rv_op_t *op, uint64_t pc, unsigned rel) {
    return emit_call_at(t, op, pc, rel, (const void *)jit_helper_exec, false);
}

/* The helper call for instruction `op` at path index idx, in line. */
static bool emit_helper(tctx_t *t, const rv_op_t *op, unsigned idx) {
    return emit_helper_at(t, op, op_pc(t, op), idx - t->counted);
}

/* ---- control flow ---- */

/* Whether a superblock goes on along the taken side of a conditional branch (target `to`,
 * fall-through `ft`) instead of its fall-through side: when the fall-through side has never
 * run (no decoded block there: see "Cold code") and the taken side has. An interpreter's
 * handler that ends in `beqz trap, dispatch` (Lua 5.4's luaV_execute) then takes its dispatch
 * code, and the indirect jump that ends it, into its own translation: one host indirect jump
 * per handler, as a threaded interpreter has, no chained jump to one shared dispatch block,
 * and the values the handler computed still in registers there. Not a loop's back edge (the
 * taken side is the translation's start, which stays a jump back) nor a block already on the
 * path (`visited`, `nvisited`: no unrolling); not while fetch translates (a superblock there
 * stays on one page); VM_JIT_TAKEN=0 turns it off, for comparisons. */
static bool follow_taken(const tctx_t *t, uint64_t to, uint64_t ft, const uint64_t *visited,
                         unsigned nvisited) {
    if (t->j->no_taken || t->j->no_chain || t->cpu->xlate || to == t->sb_pc || nvisited >= 8)
        return false;
    for (unsigned v = 0; v < nvisited; v++)
        if (visited[v] == to) return false;
    if (rv_icache_peek(t->cpu, ft)) return false; /* the fall-through side ran */
    const rv_block_t *nb = rv_icache_peek(t->cpu, to);
    return nb && nb->ops[0].id != RV_I_fetch_fault;
}

/* A conditional branch: the side the path leaves by is a patchable jcc (to an out-of-line exit
 * until the dispatcher chains it): the taken side, or - when the path follows the taken side
 * (follow_taken) - the fall-through side, on the inverse condition; the caller goes on at the
 * other one (*cont). */
static void emit_branch(tctx_t *t, const rv_op_t *op, unsigned idx, enum x86_cc cc,
                        uint64_t *cont) {
    add_instret(t, idx + 1);
    int a = src(t, op->rs1, RAX);
    int b = src(t, op->rs2, RCX);
    x86_alu_rr(&t->b, true, ALU_CMP, a, b);
    uint64_t to = op_pc(t, op) + (uint64_t)(int64_t)op->imm, ft = op_pc(t, op) + op->len;
    bool taken = follow_taken(t, to, ft, t->visited, t->nvisited);
    t->took_taken |= taken;
    x86_align(&t->b, 4, 2); /* the rel32 the dispatcher patches is 4-byte aligned */
    /* (x86 condition codes come in pairs: the low bit inverts) */
    stub_t *s =
        add_stub(t, STUB_CHAIN, x86_jcc32(&t->b, taken ? (enum x86_cc)(cc ^ 1) : cc), op, idx + 1);
    s->pc = taken ? ft : to;
    *cont = taken ? to : ft;
}

/* ---- the return-address stack (jit_t.ras) ----
 * Used by code translated while fetch does not translate (user mode, the bare machine,
 * untranslated system code): there a RAS hit lands, through the caller's return stub, on
 * a block of that same state, as a fast-table hit does. xmode code keeps xlookup, whose
 * physical-page check a RAS hit would skip. */
#define OFF_J(field) ((int32_t)offsetof(jit_t, field))

/* A link register of the calling convention (the spec's return-address hint: x1 or x5). */
static inline bool is_link(unsigned r) {
    return r == 1 || r == 5;
}

static inline bool ras_on(const tctx_t *t) {
    return !t->cpu->xlate;
}

/* A call: push {return pc `ret`, host address of its return stub} (rcx, rdx and `tmp`
 * clobbered).
 * The stub, a chainable exit to the return pc, is emitted with the out-of-line code; a
 * rip-relative lea takes its address. */
static void ras_push_pc(tctx_t *t, uint64_t ret, unsigned idx, int tmp) {
    x86_buf_t *b = &t->b;
    x86_mov_ri(b, RDX, (uint64_t)(uintptr_t)t->j);
    x86_op_rm(b, 0, false, X86_OP(0x8b), RCX, RDX, X86_NOREG, 1, OFF_J(ras_top), false);
    x86_alu_ri(b, false, ALU_ADD, RCX, 16);
    x86_alu_ri(b, false, ALU_AND, RCX, (int32_t)(JIT_RAS * 16 - 1));
    x86_op_rm(b, 0, false, X86_OP(0x89), RCX, RDX, X86_NOREG, 1, OFF_J(ras_top), false);
    x86_mov_ri(b, tmp, ret);
    x86_op_rm(b, 0, true, X86_OP(0x89), tmp, RDX, RCX, 1, OFF_J(ras), false);
    /* lea tmp, [rip + stub] */
    x86_rex(b, true, tmp, X86_NOREG, 0, false);
    x86_byte(b, 0x8d);
    x86_byte(b, 0x05 | (unsigned)(tmp & 7) << 3);
    uint8_t *field = b->p;
    x86_u32(b, 0);
    x86_op_rm(b, 0, true, X86_OP(0x89), tmp, RDX, RCX, 1, OFF_J(ras) + 8, false);
    if (b->full) return;
    stub_t *s = add_stub(t, STUB_RET, field, NULL, idx);
    s->pc = ret;
    if (tmp == R11) t->last_g = 0;
}
/* The push of call instruction op. */
static void ras_push(tctx_t *t, const rv_op_t *op, unsigned idx, int tmp) {
    ras_push_pc(t, op_pc(t, op) + op->len, idx, tmp);
}

/* A return to guest pc rax (instret counted): pop the newest entry; when its pc is rax, jump
 * to its stub, else go on to what follows (rcx, rdx, r11 clobbered). */
static void ras_pop(tctx_t *t) {
    x86_buf_t *b = &t->b;
    x86_mov_ri(b, RDX, (uint64_t)(uintptr_t)t->j);
    x86_op_rm(b, 0, false, X86_OP(0x8b), RCX, RDX, X86_NOREG, 1, OFF_J(ras_top), false);
    x86_lea(b, R11, RCX, X86_NOREG, 1, -16);
    x86_alu_ri(b, false, ALU_AND, R11, (int32_t)(JIT_RAS * 16 - 1));
    x86_op_rm(b, 0, false, X86_OP(0x89), R11, RDX, X86_NOREG, 1, OFF_J(ras_top), false);
    x86_op_rm(b, 0, true, X86_OP(0x3b), RAX, RDX, RCX, 1, OFF_J(ras), false); /* cmp rax, pc */
    uint8_t *jmiss = x86_jcc32(b, CC_NE);
    if (t->j->count) /* --stats only: an increment of memory on every return */
        x86_op_rm(b, 0, true, X86_OP(0xff), 0, RDX, X86_NOREG, 1, OFF_J(stats.ras_hits), false);
    x86_op_rm(b, 0, false, X86_OP(0xff), 4, RDX, RCX, 1, OFF_J(ras) + 8, false); /* jmp [code] */
    if (!b->full) x86_patch_rel32(jmiss, b->p);
    if (t->j->count)
        x86_op_rm(b, 0, true, X86_OP(0xff), 0, RDX, X86_NOREG, 1, OFF_J(stats.ras_misses), false);
    t->last_g = 0;
}

/* ---- xmode code's return-address stack (jit_t.xras) ----
 * A call of xmode code whose return pc lies on the page of its translation pushes {return
 * pc, return stub, the physical page the translation's code came from}. A return pops the
 * newest entry and, when its pc is the target, checks the page as the jump check does: the
 * fetch TLB's entry for the target's page at the current privilege must map it to the pushed
 * physical page (satp writes, ASID switches and sfence.vma empty or replace that entry, so a
 * remap or another address space between the call and the return fails the check). Then it
 * jumps to the stub: a chainable exit to the return pc in the caller's translation, which
 * the dispatcher chains to the return block as any same-page exit (may_chain), the page being
 * proven. Otherwise the jump check (emit_xprobe) decides, as before. */
static inline bool xras_on(const tctx_t *t) {
    return t->cpu->xlate && !t->j->no_xras;
}

/* The push of an xmode call whose return pc is `ret` (rcx, rdx and `tmp` clobbered); nothing
 * when ret is on another page than the translation's (its physical page is not known). */
static void xras_push_pc(tctx_t *t, uint64_t ret, unsigned idx, int tmp) {
    uint64_t ppn = t->blk->ppn;
    if ((ret >> RV_PAGE_SHIFT) != (t->sb_pc >> RV_PAGE_SHIFT) || ppn == UINT64_MAX) return;
    x86_buf_t *b = &t->b;
    x86_mov_ri(b, RDX, (uint64_t)(uintptr_t)t->j);
    x86_op_rm(b, 0, false, X86_OP(0x8b), RCX, RDX, X86_NOREG, 1, OFF_J(xras_top), false);
    x86_alu_ri(b, false, ALU_ADD, RCX, 32);
    x86_alu_ri(b, false, ALU_AND, RCX, (int32_t)(JIT_XRAS * 32 - 1));
    x86_op_rm(b, 0, false, X86_OP(0x89), RCX, RDX, X86_NOREG, 1, OFF_J(xras_top), false);
    x86_lea(b, RCX, RDX, RCX, 1, OFF_J(xras)); /* rcx = the entry */
    x86_mov_ri(b, tmp, ret);
    x86_store64(b, RCX, (int32_t)offsetof(struct jit_xras, pc), tmp);
    x86_mov_ri(b, tmp, ppn);
    x86_store64(b, RCX, (int32_t)offsetof(struct jit_xras, ppn), tmp);
    /* lea tmp, [rip + stub] */
    x86_rex(b, true, tmp, X86_NOREG, 0, false);
    x86_byte(b, 0x8d);
    x86_byte(b, 0x05 | (unsigned)(tmp & 7) << 3);
    uint8_t *field = b->p;
    x86_u32(b, 0);
    x86_store64(b, RCX, (int32_t)offsetof(struct jit_xras, code), tmp);
    if (b->full) return;
    stub_t *s = add_stub(t, STUB_RET, field, NULL, idx);
    s->pc = ret;
    if (tmp == R11) t->last_g = 0;
}

/* An xmode return to guest pc rax (instret counted): pop the newest entry; when its pc is
 * rax and the fetch TLB maps rax's page to its physical page at the current privilege, jump
 * to its stub, else go on to what follows, the jump check (rcx, rdx, r11 clobbered; rax
 * kept). */
static void xras_pop(tctx_t *t) {
    x86_buf_t *b = &t->b;
    const int32_t tag_off = (int32_t)(offsetof(rv_cpu_t, tlb) + offsetof(rv_tlb_entry_t, tag));
    const int32_t ppn_off = (int32_t)(offsetof(rv_cpu_t, tlb) + offsetof(rv_tlb_entry_t, ppn));
    x86_mov_ri(b, RDX, (uint64_t)(uintptr_t)t->j);
    x86_op_rm(b, 0, false, X86_OP(0x8b), RCX, RDX, X86_NOREG, 1, OFF_J(xras_top), false);
    x86_lea(b, R11, RCX, X86_NOREG, 1, -32);
    x86_alu_ri(b, false, ALU_AND, R11, (int32_t)(JIT_XRAS * 32 - 1));
    x86_op_rm(b, 0, false, X86_OP(0x89), R11, RDX, X86_NOREG, 1, OFF_J(xras_top), false);
    x86_lea(b, RCX, RDX, RCX, 1, OFF_J(xras)); /* rcx = the newest entry */
    x86_alu_rm(b, ALU_CMP, RAX, RCX, (int32_t)offsetof(struct jit_xras, pc));
    uint8_t *miss0 = x86_jcc32(b, CC_NE);
    uint8_t *miss1 = emit_fetch_tag_check(b, tag_off);
    x86_load64(b, RDX, R11, ppn_off);
    x86_alu_rm(b, ALU_CMP, RDX, RCX, (int32_t)offsetof(struct jit_xras, ppn));
    uint8_t *miss2 = x86_jcc32(b, CC_NE);
    if (t->j->count) { /* --stats only */
        x86_mov_ri(b, RDX, (uint64_t)(uintptr_t)&t->j->stats.xras_hits);
        x86_op_rm(b, 0, true, X86_OP(0xff), 0, RDX, X86_NOREG, 1, 0, false); /* inc qword */
    }
    x86_jmp_m(b, RCX, (int32_t)offsetof(struct jit_xras, code));
    if (b->full) return;
    x86_patch_rel32(miss0, b->p);
    x86_patch_rel32(miss1, b->p);
    x86_patch_rel32(miss2, b->p);
    if (t->j->count) {
        x86_mov_ri(b, RDX, (uint64_t)(uintptr_t)&t->j->stats.xras_misses);
        x86_op_rm(b, 0, true, X86_OP(0xff), 0, RDX, X86_NOREG, 1, 0, false);
    }
    t->last_g = 0;
}

/* The fast-table probe of an indirect jump to guest pc rax (bit 0 clear, instret counted): a
 * hit jumps to the entry's code, a miss goes on after it (rcx, rdx clobbered). The entry of pc
 * is (pc >> 1) & (JIT_FAST - 1), 16 bytes each, so its byte offset is (pc & (2 * JIT_FAST -
 * 2)) * 8: one `and` and a scaled index (it was a shift, an `and`, a shift and an `add`).
 * The table of this hart never moves, so its address is a constant here. */
static void emit_fast_probe(tctx_t *t) {
    x86_buf_t *b = &t->b;
    x86_mov_rr(b, RCX, RAX);
    x86_alu_ri(b, false, ALU_AND, RCX, (int32_t)(2 * JIT_FAST - 2));
    x86_mov_ri(b, RDX, (uint64_t)(uintptr_t)t->j->fast);
    x86_op_rm(b, 0, true, X86_OP(0x3b), RAX, RDX, RCX, 8, 0, false); /* cmp rax, [entry] */
    uint8_t *jmiss = x86_jcc32(b, CC_NE);
    x86_op_rm(b, 0, false, X86_OP(0xff), 4, RDX, RCX, 8, 8, false); /* jmp [entry + 8] */
    if (!b->full) x86_patch_rel32(jmiss, b->p);
}

/* jalr: an indirect jump through the fast table (while translating: through the dispatcher,
 * which checks the target's page). Calls push on the return-address stack, returns pop it
 * first. */
static void indirect_jump(tctx_t *t, const rv_op_t *op, unsigned idx) {
    x86_buf_t *b = &t->b;
    int a = src(t, op->rs1, RAX);
    x86_lea(b, RAX, a, X86_NOREG, 1, op->imm);
    x86_alu_ri(b, true, ALU_AND, RAX, -2);
    put_imm_tmp(t, op->rd, op_pc(t, op) + op->len, R11); /* after reading rs1: rd may be rs1 */
    add_instret(t, idx + 1);
    if (t->cpu->xlate) { /* xmode: its own stack, then the checked table, probed in line */
        if (xras_on(t) && is_link(op->rd))
            xras_push_pc(t, op_pc(t, op) + op->len, idx, R11);
        else if (xras_on(t) && op->rd == 0 && is_link(op->rs1))
            xras_pop(t);
        xprobe_inline(t, false, 0,
                      is_link(op->rd)                   ? JIT_WHY_XCALL
                      : op->rd == 0 && is_link(op->rs1) ? JIT_WHY_XRET
                                                        : JIT_WHY_XJUMP);
        return;
    }
    if (ras_on(t) && is_link(op->rd))
        ras_push(t, op, idx, R11);
    else if (ras_on(t) && op->rd == 0 && is_link(op->rs1))
        ras_pop(t);
    emit_fast_probe(t);
    x86_store64(b, CPU, OFF(pc), RAX); /* a miss: the dispatcher looks the target up */
    note_why(t, JIT_WHY_FAST);
    exit_code(t, JIT_EXIT_LOOKUP, true);
}

/* ---- the emitter table ----
 * Every instruction of insns.def has an entry, generated from the list: the class column
 * picks either the instruction's own emitter, emit_<name> (so an instruction without one is
 * an undefined identifier: a compile error), or one shared by the whole class (loads and
 * stores take their width and sign from the table; AMOs, LR/SC and CSR instructions run
 * out of line). An instruction without native code says so by name: EMIT_HELPER (the call to
 * jit_helper_exec) or EMIT_REFUSE (the translation ends before it, the interpreter runs it). */

/* Emit instruction `op` at path index idx; false when the backend does not translate it.
 * `ends` is set when the instruction ended the block (its exits are emitted); `cont` is the
 * guest pc the path goes on at (NO_CONT: none). */
typedef bool emitter_fn(tctx_t *t, const rv_op_t *op, unsigned idx, bool *ends, uint64_t *cont);

/* The definition of instruction `name`'s emitter (the body follows). */
#define EMITTER(name)                                                                              \
    static bool emit_##name(tctx_t *t, const rv_op_t *op, unsigned idx, bool *ends, uint64_t *cont)
/* Emitter bodies use only some of their arguments. */
#define EMIT_ARGS_USED (void)t, (void)op, (void)idx, (void)ends, (void)cont
/* An instruction emitted by one statement that always succeeds. */
#define EMIT(name, stmt)                                                                           \
    EMITTER(name) {                                                                                \
        EMIT_ARGS_USED;                                                                            \
        stmt;                                                                                      \
        return true;                                                                               \
    }
/* An instruction deliberately run out of line by jit_helper_exec (rv_exec1). */
#define EMIT_HELPER(name)                                                                          \
    EMITTER(name) {                                                                                \
        EMIT_ARGS_USED;                                                                            \
        return emit_helper(t, op, idx);                                                            \
    }
/* An instruction deliberately not translated: the translation ends before it. */
#define EMIT_REFUSE(name)                                                                          \
    EMITTER(name) {                                                                                \
        EMIT_ARGS_USED;                                                                            \
        return false;                                                                              \
    }
/* A conditional branch on host condition `cc` (ends the block). */
#define EMIT_BRANCH(name, cc)                                                                      \
    EMITTER(name) {                                                                                \
        emit_branch(t, op, idx, cc, cont);                                                         \
        *ends = true;                                                                              \
        return true;                                                                               \
    }

/* Shared emitters of whole classes. */

/* LOAD, FLOAD: in line with a slow-path stub; width and sign from the table. */
EMITTER(mem_load) {
    EMIT_ARGS_USED;
    if (t->nfaults >= JIT_MAX_FAULTPTS) return false;
    emit_load(t, op, idx);
    return true;
}
/* STORE, FSTORE: likewise. */
EMITTER(mem_store) {
    EMIT_ARGS_USED;
    if (t->nfaults >= JIT_MAX_FAULTPTS) return false;
    emit_store(t, op, idx);
    return true;
}
/* LR, SC, AMO: always the helper call. */
EMIT_HELPER(by_helper)
/* CSR: the helper call, then the block ends at the next pc (CSR instructions end decoded
 * blocks; glibc's floor/ceil/rint save and restore fflags around every call). */
EMITTER(csr) {
    if (!emit_helper(t, op, idx)) return false;
    add_instret(t, idx + 1);
    t->why_direct = JIT_WHY_CSR;
    exit_direct(t, op_pc(t, op) + op->len);
    t->why_direct = JIT_WHY_DIRECT;
    *ends = true;
    (void)cont;
    return true;
}

/* The class column -> the emitter of each instruction of that class. */
#define EMIT_CLS_ALU(name)    emit_##name
#define EMIT_CLS_ALU32(name)  emit_##name
#define EMIT_CLS_BRANCH(name) emit_##name
#define EMIT_CLS_JUMP(name)   emit_##name
#define EMIT_CLS_LOAD(name)   emit_mem_load
#define EMIT_CLS_STORE(name)  emit_mem_store
#define EMIT_CLS_FLOAD(name)  emit_mem_load
#define EMIT_CLS_FSTORE(name) emit_mem_store
#define EMIT_CLS_LR(name)     emit_by_helper
#define EMIT_CLS_SC(name)     emit_by_helper
#define EMIT_CLS_AMO(name)    emit_by_helper
#define EMIT_CLS_CSR(name)    emit_csr
#define EMIT_CLS_FP(name)     emit_##name
#define EMIT_CLS_FENCE(name)  emit_##name
#define EMIT_CLS_SYSTEM(name) emit_##name

/* RV64I, M, Zba, Zbb, Zbs (ALU, ALU32). */
EMIT(lui, put_imm(t, op->rd, (uint64_t)(int64_t)op->imm))
EMIT(auipc, put_imm(t, op->rd, op_pc(t, op) + (uint64_t)(int64_t)op->imm))
EMIT(addi, addi(t, op, true))
EMIT(addiw, addi(t, op, false))
EMIT(slti, set_cc(t, op, CC_L, true))
EMIT(sltiu, set_cc(t, op, CC_B, true))
EMIT(xori, alu_ri(t, op, ALU_XOR, true))
EMIT(ori, alu_ri(t, op, ALU_OR, true))
EMIT(andi, alu_ri(t, op, ALU_AND, true))
EMIT(slli, shift_ri(t, op, SH_SHL, true))
EMIT(srli, shift_ri(t, op, SH_SHR, true))
EMIT(srai, shift_ri(t, op, SH_SAR, true))
EMIT(slliw, shift_ri(t, op, SH_SHL, false))
EMIT(srliw, shift_ri(t, op, SH_SHR, false))
EMIT(sraiw, shift_ri(t, op, SH_SAR, false))
EMIT(add, alu_rr(t, op, ALU_ADD, true))
EMIT(sub, alu_rr(t, op, ALU_SUB, true))
EMIT(xor, alu_rr(t, op, ALU_XOR, true))
EMIT(or, alu_rr(t, op, ALU_OR, true))
EMIT(and, alu_rr(t, op, ALU_AND, true))
EMIT(addw, alu_rr(t, op, ALU_ADD, false))
EMIT(subw, alu_rr(t, op, ALU_SUB, false))
EMIT(sll, shift_rr(t, op, SH_SHL, true))
EMIT(srl, shift_rr(t, op, SH_SHR, true))
EMIT(sra, shift_rr(t, op, SH_SAR, true))
EMIT(sllw, shift_rr(t, op, SH_SHL, false))
EMIT(srlw, shift_rr(t, op, SH_SHR, false))
EMIT(sraw, shift_rr(t, op, SH_SAR, false))
EMIT(slt, set_cc(t, op, CC_L, false))
EMIT(sltu, set_cc(t, op, CC_B, false))
EMIT(mul, mul_lo(t, op, true))
EMIT(mulw, mul_lo(t, op, false))
EMIT(mulh, mul_hi(t, op, true))
EMIT(mulhu, mul_hi(t, op, false))
EMIT_HELPER(mulhsu)
EMIT(div, divrem(t, op, true, false, true))
EMIT(divu, divrem(t, op, false, false, true))
EMIT(rem, divrem(t, op, true, true, true))
EMIT(remu, divrem(t, op, false, true, true))
EMIT(divw, divrem(t, op, true, false, false))
EMIT(divuw, divrem(t, op, false, false, false))
EMIT(remw, divrem(t, op, true, true, false))
EMIT(remuw, divrem(t, op, false, true, false))
EMIT(sh1add, shadd(t, op, 1, false))
EMIT(sh2add, shadd(t, op, 2, false))
EMIT(sh3add, shadd(t, op, 3, false))
EMIT(add_uw, shadd(t, op, 0, true))
EMIT(sh1add_uw, shadd(t, op, 1, true))
EMIT(sh2add_uw, shadd(t, op, 2, true))
EMIT(sh3add_uw, shadd(t, op, 3, true))
EMITTER(slli_uw) {
    EMIT_ARGS_USED;
    int a = src(t, op->rs1, RAX);
    x86_mov32_rr(&t->b, RAX, a);
    x86_shift_ri(&t->b, true, SH_SHL, RAX, (unsigned)op->imm & 63);
    put(t, op->rd, RAX);
    return true;
}
EMIT(andn, alu_not2(t, op, ALU_AND, false))
EMIT(orn, alu_not2(t, op, ALU_OR, false))
EMIT(xnor, alu_not2(t, op, ALU_XOR, true))
EMIT(min, minmax(t, op, CC_G))
EMIT(max, minmax(t, op, CC_L))
EMIT(minu, minmax(t, op, CC_A))
EMIT(maxu, minmax(t, op, CC_B))
EMIT(sext_b, unary(t, op, UN_SEXT_B, true))
EMIT(sext_h, unary(t, op, UN_SEXT_H, true))
EMIT(zext_h, unary(t, op, UN_ZEXT_H, true))
EMIT(rev8, unary(t, op, UN_REV8, true))
EMIT_HELPER(orc_b)
/* A Zbb count in line when the host has the instruction; else the interpreter runs it. */
#define EMIT_COUNT(name, has, u, w)                                                                \
    EMITTER(name) {                                                                                \
        EMIT_ARGS_USED;                                                                            \
        if (!hostf.has) return false;                                                              \
        unary(t, op, u, w);                                                                        \
        return true;                                                                               \
    }
EMIT_COUNT(clz, lzcnt, UN_CLZ, true)
EMIT_COUNT(clzw, lzcnt, UN_CLZ, false)
EMIT_COUNT(ctz, tzcnt, UN_CTZ, true)
EMIT_COUNT(ctzw, tzcnt, UN_CTZ, false)
EMIT_COUNT(cpop, popcnt, UN_CPOP, true)
EMIT_COUNT(cpopw, popcnt, UN_CPOP, false)
EMIT(rol, rotate(t, op, SH_ROL, true, false))
EMIT(ror, rotate(t, op, SH_ROR, true, false))
EMIT(rolw, rotate(t, op, SH_ROL, false, false))
EMIT(rorw, rotate(t, op, SH_ROR, false, false))
EMIT(rori, rotate(t, op, SH_ROR, true, true))
EMIT(roriw, rotate(t, op, SH_ROR, false, true))
EMIT(bclr, bitop(t, op, BIT_CLR, false))
EMIT(bset, bitop(t, op, BIT_SET, false))
EMIT(binv, bitop(t, op, BIT_INV, false))
EMIT(bext, bitop(t, op, BIT_EXT, false))
EMIT(bclri, bitop(t, op, BIT_CLR, true))
EMIT(bseti, bitop(t, op, BIT_SET, true))
EMIT(binvi, bitop(t, op, BIT_INV, true))
EMIT(bexti, bitop(t, op, BIT_EXT, true))

/* FP: moves between the register files in line; sign injection, min/max and classification
 * the helper call; arithmetic, FMA, conversions and compares in fp_inline.c. */
EMITTER(fmv_x_d) {
    EMIT_ARGS_USED;
    x86_load64(&t->b, RAX, CPU, OFF_F(op->rs1));
    put(t, op->rd, RAX);
    return true;
}
EMITTER(fmv_d_x) {
    EMIT_ARGS_USED;
    int a = src(t, op->rs1, RAX);
    x86_store64(&t->b, CPU, OFF_F(op->rd), a);
    return true;
}
EMITTER(fmv_x_w) {
    EMIT_ARGS_USED;
    x86_op_rm(&t->b, 0, true, X86_OP(0x63), RAX, CPU, X86_NOREG, 1, OFF_F(op->rs1), false);
    put(t, op->rd, RAX);
    return true;
}
EMITTER(fmv_w_x) {
    EMIT_ARGS_USED;
    x86_buf_t *b = &t->b;
    int a = src(t, op->rs1, RAX);
    x86_mov32_rr(b, RAX, a);
    x86_mov_ri(b, RCX, 0xffffffff00000000ull);
    x86_alu_rr(b, true, ALU_OR, RAX, RCX);
    x86_store64(b, CPU, OFF_F(op->rd), RAX);
    return true;
}
EMIT_HELPER(fsgnj_s)
EMIT_HELPER(fsgnjn_s)
EMIT_HELPER(fsgnjx_s)
EMIT_HELPER(fsgnj_d)
EMIT_HELPER(fsgnjn_d)
EMIT_HELPER(fsgnjx_d)
EMIT_HELPER(fmin_s)
EMIT_HELPER(fmax_s)
EMIT_HELPER(fmin_d)
EMIT_HELPER(fmax_d)
EMIT_HELPER(fclass_s)
EMIT_HELPER(fclass_d)

/* Arithmetic, fused multiply-adds, conversions and compares: in line where provably exact
 * (the helper call otherwise). */
#include "jit/x86_64/fp_inline.c"

/* Control flow (BRANCH, JUMP). */
EMIT_BRANCH(beq, CC_E)
EMIT_BRANCH(bne, CC_NE)
EMIT_BRANCH(blt, CC_L)
EMIT_BRANCH(bge, CC_GE)
EMIT_BRANCH(bltu, CC_B)
EMIT_BRANCH(bgeu, CC_AE)
EMITTER(jal) {
    put_imm(t, op->rd, op_pc(t, op) + op->len);
    if (ras_on(t) && is_link(op->rd))
        ras_push(t, op, idx, RAX);
    else if (xras_on(t) && is_link(op->rd))
        xras_push_pc(t, op_pc(t, op) + op->len, idx, RAX);
    *cont = op_pc(t, op) + (uint64_t)(int64_t)op->imm;
    *ends = true;
    return true;
}
EMITTER(jalr) {
    (void)cont;
    indirect_jump(t, op, idx);
    *ends = true;
    return true;
}

/* FENCE, SYSTEM. */
EMIT(fence, x86_mfence(&t->b))
/* pause: nothing, or the helper call where the hart's owner acts on it (SMP: a host yield) */
EMITTER(pause) {
    (void)cont;
    (void)ends;
    return !t->cpu->pause || emit_helper(t, op, idx);
}
EMITTER(fence_i) {
    (void)cont;
    add_instret(t, idx + 1);
    set_pc(t, op_pc(t, op) + op->len);
    exit_code(t, JIT_EXIT_FLUSH, true);
    *ends = true;
    return true;
}
/* ecall/ebreak: leave with the trap. In user mode (the owner's trap hook handles traps and the
 * hart stays in U-mode) the cause is a constant; elsewhere ecall's cause is read from the
 * privilege when it runs (8 + priv: ECALL_U, _S, _M), since a translation made while fetch
 * does not translate runs at any privilege. */
_Static_assert(RV_CAUSE_ECALL_U == 8 + RV_PRIV_U && RV_CAUSE_ECALL_S == 8 + RV_PRIV_S &&
                   RV_CAUSE_ECALL_M == 8 + RV_PRIV_M,
               "ecall causes are 8 + the privilege");
static bool trap_insn(tctx_t *t, const rv_op_t *op, unsigned idx, bool *ends) {
    bool ecall = op->id == RV_I_ecall;
    add_instret(t, idx);
    set_pc(t, op_pc(t, op));
    if (ecall && !(t->cpu->trap_hook && t->cpu->priv == RV_PRIV_U)) {
        x86_op_rm(&t->b, 0, false, X86_OP(0x0f, 0xb6), RAX, CPU, X86_NOREG, 1, OFF(priv), false);
        x86_alu_ri(&t->b, false, ALU_ADD, RAX, 8);
        x86_store64(&t->b, CPU, OFF(cause), RAX);
    } else {
        x86_store_imm64(&t->b, CPU, OFF(cause), ecall ? RV_CAUSE_ECALL_U : RV_CAUSE_BREAKPOINT,
                        RAX);
    }
    x86_store_imm64(&t->b, CPU, OFF(tval), ecall ? 0 : op_pc(t, op), RAX);
    exit_code(t, JIT_EXIT_TRAP, true);
    *ends = true;
    return true;
}
EMITTER(ecall) {
    (void)cont;
    return trap_insn(t, op, idx, ends);
}
EMITTER(ebreak) {
    (void)cont;
    return trap_insn(t, op, idx, ends);
}
/* mret, sret, sfence.vma: jit_helper_sys (the interpreter's semantics, rv_mret, rv_sret,
 * rv_sfence_vma), which retires the instruction; then, in xmode code after a return that
 * left the hart translating, the jump check of the new pc (the fetch TLB at the new
 * privilege proves the target's page, as for any jump out of a page), else back to the
 * dispatcher (the helper's exit). A pending interrupt the return enabled has zeroed the
 * limit: the target's prologue leaves for it before its first instruction. */
static bool sys_insn(tctx_t *t, const rv_op_t *op, unsigned idx, bool *ends) {
    if (!emit_call_at(t, op, op_pc(t, op), idx - t->counted, (const void *)jit_helper_sys, true))
        return false;
    t->counted = idx + 1; /* the helper counted the path and the instruction */
    if (t->cpu->xlate) {
        xprobe_inline(t, false, 0, JIT_WHY_XSYS); /* the new pc is in rax */
    } else { /* not reached: the helper leaves (a safe exit all the same) */
        x86_store64(&t->b, CPU, OFF(pc), RAX);
        exit_code(t, JIT_EXIT_LOOKUP, true);
    }
    *ends = true;
    return true;
}
EMITTER(mret) {
    (void)cont;
    return sys_insn(t, op, idx, ends);
}
EMITTER(sret) {
    (void)cont;
    return sys_insn(t, op, idx, ends);
}
EMITTER(sfence_vma) {
    (void)cont;
    return sys_insn(t, op, idx, ends);
}
EMIT_REFUSE(wfi) /* the run loop sleeps until an interrupt: the interpreter's job */

/* The pseudo-ops of the block builder. */
EMIT(nop, (void)0)
EMITTER(fallthrough) { /* the caller continues at *cont or leaves for it */
    (void)idx;
    *cont = op_pc(t, op);
    *ends = true;
    return true;
}
EMIT_REFUSE(illegal)     /* the interpreter raises the trap */
EMIT_REFUSE(fetch_fault) /* likewise */

/* The table: one emitter per enum rv_insn. */
static emitter_fn *const emitters[RV_I_COUNT] = {
#define RV_INSN(name, mn, mask, match, fmt, flags, cls, ...) [RV_I_##name] = EMIT_CLS_##cls(name),
#include "riscv/insns.def"
#undef RV_INSN
    [RV_I_illegal] = emit_illegal,
    [RV_I_fetch_fault] = emit_fetch_fault,
    [RV_I_fallthrough] = emit_fallthrough,
    [RV_I_nop] = emit_nop,
};
_Static_assert(RV_I_nop + 1 == RV_I_COUNT, "a new pseudo-op needs its entry in emitters[]");

/* Emit one instruction; returns false when the backend does not translate it. `ends` is set
 * when the instruction ended the block (its exits are emitted). */
static bool emit_op(tctx_t *t, const rv_op_t *op, unsigned idx, bool *ends, uint64_t *cont) {
    *ends = false;
    *cont = NO_CONT;
    return emitters[op->id](t, op, idx, ends, cont);
}

static bool needs_fs(unsigned id) {
    return id < RV_I_illegal && (rv_insn_table[id].flags & RV_F_FP);
}

/* The out-of-line code of stub s: its jumps patched to here, then its code. */
static void emit_stub(tctx_t *t, stub_t *s) {
    if (s->jfield) x86_patch_rel32(s->jfield, t->b.p);
    if (s->jfield2) x86_patch_rel32(s->jfield2, t->b.p);
    if (s->jfield3) x86_patch_rel32(s->jfield3, t->b.p);
    if (s->jfield4) x86_patch_rel32(s->jfield4, t->b.p);
    for (unsigned k = 0; k < STUB_FP_JUMPS && s->jfp[k]; k++)
        x86_patch_rel32(s->jfp[k], t->b.p);
    switch (s->kind) {
    case STUB_CHECK:
        if (s->jfield == t->entry_jcc) t->entry_exit = t->b.p;
        note_why(t, JIT_WHY_CHECK);
        set_pc(t, t->sb_pc);
        exit_code(t, JIT_EXIT_LOOKUP, true);
        break;
    case STUB_FS:
        set_pc(t, t->sb_pc);
        exit_code(t, JIT_EXIT_INTERP, true);
        break;
    case STUB_PAGE2: /* the interpreter runs the block once (its checks fill the fetch TLB):
                        never a loop of entries that fail again */
        note_why(t, JIT_WHY_PAGE2);
        set_pc(t, t->sb_pc);
        exit_code(t, JIT_EXIT_INTERP, true);
        break;
    case STUB_FPSLOW: { /* the helper call, then back after the in-line code */
        fp_count(t, &t->j->stats.fp_slow);
        emit_helper_at(t, &s->op, s->pc, s->idx);
        uint8_t *jb = x86_jmp32(&t->b);
        if (!t->b.full) x86_patch_rel32(jb, s->back);
        break;
    }
    case STUB_RET: /* a return stub: a chainable exit to the return pc (instret counted
                    * by the return that jumps here) */
        t->why_direct = JIT_WHY_RETSTUB;
        t->edge_kind = JIT_EDGE_RET;
        exit_direct(t, s->pc);
        t->why_direct = JIT_WHY_DIRECT;
        break;
    case STUB_SITE: emit_site_stub(t, s); break;
    case STUB_TIER: /* nothing ran: leave at the start, naming the translation (jit.c) */
        set_pc(t, t->sb_pc);
        x86_mov_ri(&t->b, RAX, (uint64_t)(uintptr_t)t->tier_jb);
        x86_mov_ri(&t->b, RDX, (uint64_t)(uintptr_t)&t->j->tier_from);
        x86_store64(&t->b, RDX, 0, RAX);
        exit_code(t, JIT_EXIT_TIER, true);
        break;
    case STUB_CHAIN: /* the dispatcher patches the jcc itself once the target exists */
        if (t->j->count && !t->cpu->xlate) { /* --stats: counted, through a jump of its own */
            t->edge_kind = JIT_EDGE_BRANCH;
            t->edge_src = s->src;
            exit_direct(t, s->pc);
            break;
        }
        if (exit_other_page(t, s->pc)) break;
        note_why(t, JIT_WHY_DIRECT);
        set_pc(t, s->pc);
        x86_mov_ri(&t->b, RAX, (uint64_t)(uintptr_t)to_rx(t, s->jfield));
        jmp_rx(t, t->j->exit_spill);
        break;
    default: emit_mem_stub(t, s); break;
    }
}

/* The IR path (ir_lower.c, included at the end): false when it does not cover blk. */
static bool ir_translate(tctx_t *t, const rv_block_t *blk, jit_block_t **out);

/* jit_translate with its scratch state t (every field set here before use). */
static jit_block_t *translate_in(tctx_t *t, rv_cpu_t *cpu, jit_t *j, const rv_block_t *blk,
                                 enum jit_path path, bool *refused) {
    t->j = j;
    t->cpu = cpu;
    t->blk = blk;
    t->nstubs = 0;
    t->nfaults = 0;
    t->helper_calls = 0;
    t->nops_copied = 0;
    t->ncopy_fix = 0;
    uint8_t *start = j->rw + j->used;
    start += (16 - (uintptr_t)start % 16) % 16;
    t->start = start;
    t->b = (x86_buf_t){start, j->rw + j->size, false};
    if ((size_t)(t->b.end - start) > JIT_BLOCK_ROOM) t->b.end = start + JIT_BLOCK_ROOM;

    t->sb_pc = blk->pc;
    t->counted = 0;
    t->entry_jcc = t->entry_exit = NULL;
    t->why_direct = JIT_WHY_DIRECT;
    t->edge_kind = JIT_EDGE_JUMP;
    t->edge_src = 0;
    t->in_ir = false;
    jit_block_t *irb;
    if (path != JIT_PATH_OLD && ir_translate(t, blk, &irb)) return irb;
    if (path == JIT_PATH_IR_ONLY) { /* a tier-up the IR declines: the old one stays */
        *refused = true;
        return NULL;
    }
    j->nsb = 0; /* (what the IR's builds took is not this path's) */
    t->in_ir = false;
    t->edge_kind = JIT_EDGE_JUMP;
    bool fp = false;
    for (uint32_t i = 0; i < blk->nops; i++)
        if (needs_fs(blk->ops[i].id)) fp = true;

    /* prologue: one compare covers the budget and interrupts (rv_cpu_interrupt() zeroes
     * limit); blocks with FP instructions also check mstatus.FS */
    x86_alu_rm(&t->b, ALU_CMP, ICNT, CPU, OFF(limit));
    t->entry_jcc = x86_jcc32(&t->b, CC_AE);
    add_stub(t, STUB_CHECK, t->entry_jcc, NULL, 0);
    /* tiered mode: count the entries (from the dispatcher, chained jumps, the fast table and
     * return stubs: every way in) in the record this translation will have; at zero leave
     * for the IR (jit.c, tier_up). Code the IR does not lower (xmode) has no counter. */
    uint8_t *tier = NULL, *tier_end = NULL;
    int32_t *ctr = NULL;
    t->tier_jb = (jit_block_t *)(j->meta + j->meta_used); /* nothing else takes metadata
                                                              before the record */
    if (j->tier && !cpu->xlate) {
        tier = t->b.p;
        if (j->ctr && j->ctr_used < j->ctr_cap) { /* the next cell of the counters' area */
            ctr = &j->ctr[j->ctr_used];
            x86_byte(&t->b, 0x83); /* sub dword [rip + disp32], 1 */
            x86_byte(&t->b, 0x05 | ALU_SUB << 3);
            uint8_t *disp = t->b.p;
            x86_u32(&t->b, 0);
            x86_byte(&t->b, 1);
            int64_t d = (int64_t)((intptr_t)ctr - (intptr_t)to_rx(t, t->b.p));
            if (!x86_fits_s32(d)) abort(); /* the area is placed below the view: a bug */
            int32_t d32 = (int32_t)d;
            if (!t->b.full) memcpy(disp, &d32, 4);
        } else { /* no area, or no cell left: the record's own field */
            ctr = &t->tier_jb->tier_left;
            x86_mov_ri(&t->b, RAX, (uint64_t)(uintptr_t)ctr);
            x86_op_rm(&t->b, 0, false, X86_OP(0x83), ALU_SUB, RAX, X86_NOREG, 1, 0, false);
            x86_byte(&t->b, 1); /* sub dword [rax], 1 */
        }
        add_stub(t, STUB_TIER, x86_jcc32(&t->b, CC_E), NULL, 0);
        tier_end = t->b.p;
    }
    if (fp) {
        x86_op_rm(&t->b, 0, false, X86_OP(0x8b), RAX, CPU, X86_NOREG, 1, OFF(mstatus), false);
        x86_alu_ri(&t->b, false, ALU_AND, RAX, (int32_t)RV_MSTATUS_FS);
        x86_alu_ri(&t->b, false, ALU_CMP, RAX, (int32_t)RV_MSTATUS_FS);
        add_stub(t, STUB_FS, x86_jcc32(&t->b, CC_NE), NULL, 0);
    }
    /* xmode, a block whose last instruction crosses into the next page: the prologue checks
     * that page as the dispatcher would (the fetch TLB's entry for it at the current
     * privilege holds the physical page the bytes came from), so that jumps chained into
     * it and the jump check (both prove its first page only) may reach it */
    bool check2 = cpu->xlate && blk->ppn != UINT64_MAX &&
                  ((blk->end - 1) >> RV_PAGE_SHIFT) != (blk->pc >> RV_PAGE_SHIFT);
    if (check2) {
        uint64_t vpn2 = (blk->end - 1) >> RV_PAGE_SHIFT;
        int32_t e = (int32_t)((vpn2 & (RV_TLB_SIZE - 1)) * sizeof(rv_tlb_entry_t));
        x86_mov_ri(&t->b, RDX, vpn2 << 2);
        x86_alu_rm(&t->b, ALU_OR, RDX, CPU, OFF(tlb_fetch_low));
        x86_alu_rm(&t->b, ALU_CMP, RDX, CPU,
                   (int32_t)(offsetof(rv_cpu_t, tlb) + offsetof(rv_tlb_entry_t, tag)) + e);
        stub_t *s2 = add_stub(t, STUB_PAGE2, x86_jcc32(&t->b, CC_NE), NULL, 0);
        x86_mov_ri(&t->b, RDX, blk->ppn2);
        x86_alu_rm(&t->b, ALU_CMP, RDX, CPU,
                   (int32_t)(offsetof(rv_cpu_t, tlb) + offsetof(rv_tlb_entry_t, ppn)) + e);
        s2->jfield2 = x86_jcc32(&t->b, CC_NE);
    }

    /* The body: the decoded block, then - a superblock - the blocks its fall-through side and
     * direct jumps lead to, while they are new on the path and the limits allow. */
    unsigned n = 0, base = 0;
    bool loop = false; /* its final jump goes back to its start */
    t->visited[0] = blk->pc;
    t->nvisited = 1;
    t->took_taken = false;
    t->last_g = 0;
    for (;;) {
        const rv_block_t *cb = t->blk;
        const rv_op_t *unsupported = NULL;
        bool ended = false;
        uint64_t cont = NO_CONT;
        for (uint32_t i = 0; i < cb->nops && !ended && !t->b.full; i++) {
            const rv_op_t *op = &cb->ops[i];
            unsigned before = t->nstubs, calls = t->helper_calls;
            if (t->nfaults >= JIT_MAX_FAULTPTS || t->nstubs + 2 >= JIT_MAX_STUBS ||
                !emit_op(t, op, base + i, &ended, &cont)) {
                unsupported = op;
                break;
            }
            n = base + (op->id == RV_I_fallthrough ? i : i + 1);
            t->edge_src = op_pc(t, op); /* (--stats: where the final exit leaves from) */
            /* r11 is not kept on slow paths and across helper calls: after an instruction
             * with either, only a load's own unmapped destination is known to be in r11 (its
             * slow path writes the result through put() too) */
            if (t->helper_calls != calls) t->last_g = 0;
            if (t->nstubs != before) {
                bool ld = rv_insn_table[op->id].cls == RV_CLS_LOAD && host_of(op->rd) < 0 && op->rd;
                t->last_g = ld ? op->rd : 0;
            }
        }
        if (t->b.full) break;
        if (unsupported) {
            if (n == 0) {
                *refused = true;
                return NULL;
            }
            /* stopped before an untranslated instruction: the interpreter runs it */
            add_instret(t, n);
            set_pc(t, op_pc(t, unsupported));
            note_why(t, JIT_WHY_INTERP + unsupported->id);
            exit_code(t, JIT_EXIT_INTERP, true);
            break;
        }
        if (cont == NO_CONT) break; /* the last instruction emitted its own exits */
        bool extend = n < JIT_SB_INSNS && t->nvisited < 8 &&
                      t->nfaults + RV_BLOCK_MAX <= JIT_MAX_FAULTPTS &&
                      t->nstubs + 2 * RV_BLOCK_MAX + 4 <= JIT_MAX_STUBS &&
                      t->nops_copied + RV_BLOCK_MAX <= JIT_MAX_HELPERS && !j->no_chain;
        for (unsigned v = 0; v < t->nvisited && extend; v++)
            if (t->visited[v] == cont) extend = false; /* no unrolling of loops */
        if (extend) {
            /* only into code that has run (is decoded): the other side of a branch that the
             * interpreter never took is cold, and decoding and translating it was a third of
             * a large program's translation work */
            rv_block_t *nb = rv_icache_peek(cpu, cont);
            if (!nb) extend = false;
            for (uint32_t i = 0; extend && i < nb->nops; i++)
                if (needs_fs(nb->ops[i].id) && !fp) extend = false; /* no FS check was made */
            if (extend && nb->ops[0].id == RV_I_fetch_fault) extend = false;
            /* while translating, the entry check proves one page only (rv_block_valid of
             * the first block): the superblock stays on it */
            if (extend && cpu->xlate && !same_page(blk, nb)) extend = false;
            if (extend) {
                t->blk = nb;
                t->visited[t->nvisited++] = cont;
                j->sb[j->nsb++] = nb; /* a store into its page drops this translation too */
                base = n;
                continue;
            }
        }
        add_instret(t, n);
        loop = cont == t->sb_pc;
        exit_direct(t, cont);
        break;
    }
    /* a taken branch back to the start is a loop too */
    for (unsigned i = 0; i < t->nstubs; i++)
        if (t->stubs[i].kind == STUB_CHAIN && t->stubs[i].pc == t->sb_pc) loop = true;
    /* out-of-line code */
    for (unsigned i = 0; i < t->nstubs && !t->b.full; i++)
        emit_stub(t, &t->stubs[i]);
    if (t->b.full) return NULL;

    jit_block_t *jb = (jit_block_t *)(j->meta + j->meta_used);
    if (jb != t->tier_jb) abort(); /* the entry counter's address would be wrong: a bug */
    jb->pc = t->sb_pc;
    jb->code = j->rx + (start - j->rw);
    jb->code_len = (uint32_t)(t->b.p - start);
    jb->ninsns = n;
    jb->nfault = t->nfaults;
    jb->hnext = NULL;
    jb->head = blk;
    jb->xmode = cpu->xlate;
    jb->check2 = check2;
    jb->dead = false;
    jb->check_off = (uint32_t)(t->entry_exit - start);
    jb->in = NULL;
    jb->fix = NULL;
    jb->evicted = 0;
    jb->ir = false;
    jb->irloop = false;
    jb->tier_len = tier ? (uint8_t)(tier_end - tier) : 0;
    jb->tier_off = tier ? (uint16_t)(tier - start) : 0;
    /* a loop (the IR keeps it in registers, its greatest gain) tiers up sooner */
    unsigned left = loop ? j->tier_loop : j->tier;
    jb->tier_left = left > INT32_MAX ? INT32_MAX : (int32_t)left;
    jb->tier_ctr = ctr;
    if (ctr && ctr != &jb->tier_left) { /* its cell of the area, handed out now */
        *ctr = jb->tier_left;
        j->ctr_used++;
    }
    memcpy(jb->faults, t->faults, t->nfaults * sizeof(jit_faultpt_t));
    j->meta_used += (sizeof(jit_block_t) + t->nfaults * sizeof(jit_faultpt_t) + 15) & ~(size_t)15;
    /* the helpers' ops live after the block's metadata; their addresses go into the code */
    rv_op_t *ops = (rv_op_t *)(j->meta + j->meta_used);
    memcpy(ops, t->ops_copy, t->nops_copied * sizeof(rv_op_t));
    j->meta_used += t->nops_copied * sizeof(rv_op_t);
    for (unsigned i = 0; i < t->ncopy_fix; i++) {
        uint64_t k, a;
        memcpy(&k, t->copy_fix[i], 8);
        a = (uint64_t)(uintptr_t)&ops[k];
        memcpy(t->copy_fix[i], &a, 8);
    }
    j->used = (size_t)(t->b.p - j->rw);
    j->stats.blocks++;
    j->stats.guest_insns += n;
    j->stats.host_bytes += jb->code_len;
    j->stats.helper_calls_tr += t->helper_calls;
    j->stats.sb_taken += t->took_taken;
    return jb;
}

/* The scratch state (about 28 KiB) is taken from the heap for each translation, not kept per
 * hart or per host thread: a host thread per guest thread would pay for it even when it
 * translates once. */
jit_block_t *jit_translate(rv_cpu_t *cpu, jit_t *j, const rv_block_t *blk, enum jit_path path,
                           bool *refused) {
    *refused = false;
    host_features();
    /* metadata room: the block, its fault points, their write-backs, the helpers' ops, and
     * a jit_use_t for each decoded block of the superblock (jit.c, note_use) */
    if (j->size - j->used < JIT_BLOCK_ROOM ||
        j->meta_size - j->meta_used <
            sizeof(jit_block_t) + sizeof(jit_faultpt_t) * JIT_MAX_FAULTPTS +
                sizeof(jit_fix_t) * JIT_MAX_FIX + 16 + sizeof(rv_op_t) * JIT_MAX_HELPERS +
                (1 + sizeof(j->sb) / sizeof(j->sb[0])) * 32)
        return NULL;
    tctx_t *t = malloc(sizeof(*t));
    if (!t) {
        *refused = true; /* out of memory: the interpreter runs the block */
        return NULL;
    }
    jit_block_t *jb = translate_in(t, cpu, j, blk, path, refused);
    free(t);
    return jb;
}

/* Host register number -> its index in a signal context's register array. */
static const int8_t greg_of[16] = {
    [RAX] = REG_RAX, [RCX] = REG_RCX, [RDX] = REG_RDX, [RBX] = REG_RBX,
    [RSP] = REG_RSP, [RBP] = REG_RBP, [RSI] = REG_RSI, [RDI] = REG_RDI,
    [R8] = REG_R8,   [R9] = REG_R9,   [R10] = REG_R10, [R11] = REG_R11,
    [R12] = REG_R12, [R13] = REG_R13, [R14] = REG_R14, [R15] = REG_R15,
};

void jit_apply_fix(rv_cpu_t *cpu, const jit_fix_t *fx, unsigned n, const long long *gregs) {
    uint64_t v[32];
    if (n > 32) n = 32; /* a fault point defers at most 31 (the translator's bound) */
    for (unsigned k = 0; k < n; k++) {
        switch (fx[k].kind) {
        case JIT_FIX_REG: v[k] = (uint64_t)gregs[greg_of[fx[k].arg & 15]]; break;
        case JIT_FIX_SLOT: {
            uint64_t a = (uint64_t)gregs[REG_RSP] + (uint64_t)(int64_t)fx[k].arg;
            memcpy(&v[k], (const void *)(uintptr_t)a, 8);
            break;
        }
        case JIT_FIX_X: v[k] = cpu->x[fx[k].arg & 31]; break;
        default: v[k] = (uint64_t)fx[k].val; break;
        }
    }
    for (unsigned k = 0; k < n; k++)
        if (fx[k].g & 31) cpu->x[fx[k].g & 31] = v[k];
}

void jit_restore_regs(rv_cpu_t *cpu, const long long *gregs, uint32_t skip) {
    for (unsigned g = 1; g < 32; g++)
        if (host_of(g) >= 0 && !(skip >> g & 1)) cpu->x[g] = (uint64_t)gregs[greg_of[host_of(g)]];
    cpu->instret = (uint64_t)gregs[greg_of[ICNT]];
}

static bool host_fma_ok(void) {
    return hostf.fma;
}
static bool host_sse41_ok(void) {
    return hostf.sse41;
}

/* The IR path shares this file's context and emitters. */
#include "jit/x86_64/ir_lower.c"
