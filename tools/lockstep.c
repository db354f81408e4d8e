/* lockstep.c - `vm run --machine=bare|virt --engine=lockstep`: the JIT checked against the
 * interpreter, through the public machine API only.
 *
 * The program runs on two machines, one under the JIT and one under the interpreter, each
 * with its own RAM. They advance in turns, the one behind catching up; whenever both have
 * retired the same number of instructions and taken the same number of traps (at every block
 * boundary they share) their architectural state must be equal, and at the end so must their
 * RAM and exit. The time CSR counts instructions on both (deterministic_time), so that the
 * runs are repeatable. Exit status 4 and a report on the first divergence.
 * VM_LOCKSTEP_INJECT=N corrupts a register of the JIT's machine after N comparisons, to show
 * that a divergence is caught.
 *
 * Several harts (virt, -smp N): both machines run their harts in turns on one thread
 * (VM_HART_QUANTUM_MANUAL), so that what one hart sees of the others' stores depends only on
 * where the turns change. A turn ends where both machines agree: at a wfi that waits (which
 * both engines reach at the same instruction) or, once the hart has run `quantum`
 * instructions, at the next block boundary they share, where this driver ends it in both
 * (vm_next_hart). The progress of a machine is the sum of its harts' instructions; the one
 * behind catches up, and the state of the hart whose turn it is is compared whenever the two
 * are level on the same hart.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "vm/vm.h"

/* CSRs compared besides the registers. */
static const struct {
    unsigned csr;     /* number */
    const char *name; /* for the report */
} compared_csrs[] = {
    {0x001, "fflags"}, {0x002, "frm"}, {0x300, "mstatus"}, {0x341, "mepc"}, {0x342, "mcause"},
};

/* NULL when the two harts agree, else a description written to buf. */
static const char *state_diff(const vm_t *a, const vm_t *b, char *buf, size_t len) {
    if (vm_get_pc(a) != vm_get_pc(b)) {
        snprintf(buf, len, "pc 0x%llx (jit) vs 0x%llx (interp)", (unsigned long long)vm_get_pc(a),
                 (unsigned long long)vm_get_pc(b));
        return buf;
    }
    if (vm_instret(a) != vm_instret(b)) {
        snprintf(buf, len, "instret %llu vs %llu", (unsigned long long)vm_instret(a),
                 (unsigned long long)vm_instret(b));
        return buf;
    }
    if (vm_get_priv(a) != vm_get_priv(b)) {
        snprintf(buf, len, "privilege %u vs %u", vm_get_priv(a), vm_get_priv(b));
        return buf;
    }
    for (size_t i = 0; i < sizeof(compared_csrs) / sizeof(compared_csrs[0]); i++) {
        uint64_t va = 0, vb = 0;
        vm_get_csr(a, compared_csrs[i].csr, &va);
        vm_get_csr(b, compared_csrs[i].csr, &vb);
        if (va != vb) {
            snprintf(buf, len, "%s 0x%llx (jit) vs 0x%llx (interp)", compared_csrs[i].name,
                     (unsigned long long)va, (unsigned long long)vb);
            return buf;
        }
    }
    for (unsigned r = 0; r < 32; r++) {
        if (vm_get_x(a, r) != vm_get_x(b, r)) {
            snprintf(buf, len, "x%u = 0x%llx (jit) vs 0x%llx (interp)", r,
                     (unsigned long long)vm_get_x(a, r), (unsigned long long)vm_get_x(b, r));
            return buf;
        }
        if (vm_get_f(a, r) != vm_get_f(b, r)) {
            snprintf(buf, len, "f%u = 0x%llx (jit) vs 0x%llx (interp)", r,
                     (unsigned long long)vm_get_f(a, r), (unsigned long long)vm_get_f(b, r));
            return buf;
        }
    }
    return NULL;
}

/* True when the two machines' RAM of `size` bytes is equal. */
static bool same_ram(const vm_t *a, const vm_t *b, uint64_t size) {
    enum { CHUNK = 1 << 20 };
    static unsigned char ba[CHUNK], bb[CHUNK];
    for (uint64_t o = 0; o < size; o += CHUNK) {
        size_t n = size - o < CHUNK ? (size_t)(size - o) : CHUNK;
        if (vm_read_mem(a, VM_BARE_RAM_BASE + o, ba, n) ||
            vm_read_mem(b, VM_BARE_RAM_BASE + o, bb, n) || memcmp(ba, bb, n) != 0)
            return false;
    }
    return true;
}

/* Instructions retired by all the harts of m. */
static uint64_t progress(vm_t *m) {
    if (vm_hart_count(m) == 1) return vm_instret(m);
    uint64_t n = 0;
    for (unsigned h = 0; h < vm_hart_count(m); h++) {
        vm_select_hart(m, h);
        n += vm_instret(m);
    }
    return n;
}

/* Traps taken by all the harts of m. */
static uint64_t all_traps(vm_t *m) {
    if (vm_hart_count(m) == 1) return vm_traps(m);
    uint64_t n = 0;
    for (unsigned h = 0; h < vm_hart_count(m); h++) {
        vm_select_hart(m, h);
        n += vm_traps(m);
    }
    return n;
}

/* Run `m` for up to `insns` instructions; true when its program exited (code in *code). */
static bool step(vm_t *m, uint64_t insns, uint64_t *code) {
    vm_exit_t ex;
    if (vm_run(m, insns, 0, &ex) != 0) return false;
    if (ex.reason != VM_EXIT_EXITED) return false;
    *code = ex.code;
    return true;
}

int cli_lockstep(const char *path, uint64_t max_insns, const vm_options_t *base) {
    vm_t *m[2] = {NULL, NULL};               /* [0] the JIT, [1] the interpreter */
    FILE *devnull = fopen("/dev/null", "w"); /* the program's output once, from the JIT's run */
    int status = 2;
    if (!devnull) {
        perror("vm run: /dev/null");
        return 2;
    }
    bool virt = base->machine == VM_MACHINE_VIRT;
    uint64_t quantum = virt && base->hart_quantum ? base->hart_quantum : 1000;
    uint64_t ram = virt ? (base->ram_size ? base->ram_size : 128ull << 20) : base->ram_size;
    for (int i = 0; i < 2; i++) {
        vm_options_t opt = *base;
        opt.machine = virt ? VM_MACHINE_VIRT : VM_MACHINE_BARE;
        opt.engine = i == 0 ? VM_ENGINE_JIT : VM_ENGINE_INTERP;
        opt.deterministic_time = true;
        if (virt) opt.hart_quantum = VM_HART_QUANTUM_MANUAL;
        if (i == 1) opt.console = devnull;
        if (vm_create(&opt, &m[i])) {
            fprintf(stderr, "vm run: lockstep: %s\n", vm_error(NULL));
            goto out;
        }
        if (!virt && vm_load_elf(m[i], path)) {
            fprintf(stderr, "vm run: %s\n", vm_error(m[i]));
            goto out;
        }
    }
    const char *inject = getenv("VM_LOCKSTEP_INJECT");
    uint64_t inject_at = inject ? strtoull(inject, NULL, 10) : 0, compares = 0, steps = 0;
    uint64_t code[2] = {0, 0}, turns = 0;
    bool done[2] = {false, false}, aligned = true;
    char buf[256];
    vm_t *a = m[0], *b = m[1];
    unsigned nharts = vm_hart_count(a), turn_hart = 0;
    uint64_t turn_start = 0; /* the turn's hart's instret when the turn began */
    for (;;) {
        uint64_t before_a = progress(a), before_b = progress(b);
        if (!aligned) { /* each to its end, then the final states are compared */
            for (int i = 0; i < 2; i++)
                while (!done[i]) {
                    if (max_insns && progress(m[i]) >= max_insns) break;
                    done[i] = step(m[i], 1u << 20, &code[i]);
                }
            if (!(done[0] && done[1])) {
                fprintf(stderr, "vm run: lockstep: no exit within --max-insns\n");
                status = 3;
                goto out;
            }
            break;
        }
        if (!done[0] && (before_a <= before_b || done[1])) {
            done[0] = step(a, 1, &code[0]); /* one translated block (or one interpreted one) */
        } else if (!done[1]) {
            uint64_t k = before_a > before_b ? before_a - before_b : 1;
            done[1] = step(b, k, &code[1]);
        }
        uint64_t pa = progress(a), pb = progress(b);
        if (pa < before_a || pb < before_b) {
            /* the program wrote minstret: instruction counts no longer line the runs up */
            fprintf(stderr,
                    "vm run: lockstep: the program rewrote the instruction counter after "
                    "%llu comparisons: running both to the end, then comparing\n",
                    (unsigned long long)compares);
            aligned = false;
            continue;
        }
        /* a trap retires nothing: equal counts of instructions and of traps (and the same
         * hart's turn) mean the same point of the program */
        unsigned h = vm_current_hart(a);
        if (pa == pb && h != vm_current_hart(b) && !done[0] && !done[1]) {
            fprintf(stderr,
                    "vm run: lockstep: the engines diverge after %llu instructions: hart %u's "
                    "turn (jit) vs hart %u's (interp)\n",
                    (unsigned long long)pa, h, vm_current_hart(b));
            status = 4;
            goto out;
        }
        if (pa == pb && done[0] == done[1] && all_traps(a) == all_traps(b)) {
            compares++;
            vm_select_hart(a, h);
            vm_select_hart(b, h);
            if (inject_at && compares == inject_at) vm_set_x(a, 5, vm_get_x(a, 5) ^ 1);
            const char *d = state_diff(a, b, buf, sizeof(buf));
            if (d) {
                char where[32] = "";
                if (nharts > 1) snprintf(where, sizeof(where), ", hart %u", h);
                fprintf(stderr,
                        "vm run: lockstep: the engines diverge after %llu instructions "
                        "(comparison %llu%s): %s\n",
                        (unsigned long long)pa, (unsigned long long)compares, where, d);
                status = 4;
                goto out;
            }
            if (nharts > 1) {         /* a turn ends here once it has run `quantum` instructions */
                if (h != turn_hart) { /* a wfi ended the last one */
                    turn_hart = h;
                    turn_start = vm_instret(a);
                    turns++;
                } else if (vm_instret(a) - turn_start >= quantum && !done[0]) {
                    vm_next_hart(a);
                    vm_next_hart(b);
                    turn_hart = vm_current_hart(a);
                    vm_select_hart(a, turn_hart);
                    turn_start = vm_instret(a);
                    turns++;
                }
            }
        }
        if (done[0] && done[1]) break;
        if ((done[0] && pb > pa) || (done[1] && pa > pb)) {
            vm_t *ended = done[0] ? a : b, *other = done[0] ? b : a;
            vm_select_hart(ended, vm_current_hart(ended));
            vm_select_hart(other, vm_current_hart(other));
            fprintf(stderr,
                    "vm run: lockstep: the %s exited at instret %llu (pc 0x%llx), the %s ran "
                    "past it to %llu (pc 0x%llx)\n",
                    done[0] ? "JIT" : "interpreter", (unsigned long long)(done[0] ? pa : pb),
                    (unsigned long long)vm_get_pc(ended), done[0] ? "interpreter" : "JIT",
                    (unsigned long long)(done[0] ? pb : pa), (unsigned long long)vm_get_pc(other));
            status = 4;
            goto out;
        }
        /* a trap loop retires nothing: count steps too */
        if (max_insns && ((pa >= max_insns && pb >= max_insns) || ++steps >= max_insns)) {
            fprintf(stderr, "vm run: lockstep: no exit after %llu instructions\n",
                    (unsigned long long)pa);
            status = 3;
            goto out;
        }
    }
    /* (the harts' final states are not compared: a virt machine's poweroff stops each hart
     * at its next block boundary, which the engines place differently) */
    if (code[0] != code[1] || all_traps(a) != all_traps(b) || !same_ram(a, b, ram)) {
        fprintf(stderr, "vm run: lockstep: the engines end with different %s\n",
                code[0] != code[1]             ? "exit codes"
                : all_traps(a) != all_traps(b) ? "trap counts"
                                               : "memory");
        status = 4;
        goto out;
    }
    if (nharts > 1)
        fprintf(stderr, "vm run: lockstep: %u harts, %llu turns\n", nharts,
                (unsigned long long)turns);
    fprintf(stderr,
            "vm run: lockstep: %llu comparisons of the architectural state, %llu "
            "instructions, no divergence\n",
            (unsigned long long)compares, (unsigned long long)progress(a));
    if (code[0] == 0) {
        status = 0;
    } else {
        fprintf(stderr, "FAIL: test %llu\n", (unsigned long long)code[0]);
        status = 1;
    }
out:
    vm_destroy(m[0]);
    vm_destroy(m[1]);
    fclose(devnull);
    return status;
}
