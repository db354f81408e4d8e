/* guest_run.c - the in-process runner of the guest/interp benchmarks: load a workload ELF
 * (bench/guest/guest.c) into a fresh bare machine, give it the checksum computed natively
 * from the same source (workloads.h), run it to its tohost exit and report the instructions
 * it retired. A fresh machine per run keeps every run identical (cold decode caches
 * included); the set-up is timed separately by the caller. */
#include "guest_run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/elf.h"
#include "guest/workloads.h"
#include "jit/jit.h"
#include "system/bare.h"

#define GUEST_RAM (32ull << 20) /* the workloads need under 11 MiB */

uint64_t bench_guest_expected(const char *workload) {
    if (strcmp(workload, "int_loop") == 0) return wl_int_loop();
    if (strcmp(workload, "mixed") == 0) return wl_mixed();
    if (strcmp(workload, "memcpy_mix") == 0) return wl_memcpy_mix();
    if (strcmp(workload, "tlb_load") == 0) return wl_tlb_load();
    if (strcmp(workload, "tlb_store") == 0) return wl_tlb_store();
    if (strcmp(workload, "tlb_miss") == 0) return wl_tlb_miss();
    return 0;
}

uint64_t bench_guest_accesses(const char *workload) {
    if (strcmp(workload, "tlb_load") == 0) return WL_TLB_LOADS;
    if (strcmp(workload, "tlb_store") == 0) return (uint64_t)WL_TLB_STORE_ITERS * 16;
    if (strcmp(workload, "tlb_miss") == 0) return WL_TLB_MISSES;
    return 0;
}

struct bench_guest {
    bare_machine_t m;     /* the machine */
    uint64_t expected;    /* the checksum to write into the guest */
    uint64_t expected_at; /* guest address of wl_expected */
};

int bench_guest_prepare(bench_guest_t **out, const uint8_t *elf, size_t size, uint64_t expected,
                        bool jit, const char **err) {
    bench_guest_t *g = calloc(1, sizeof(*g));
    if (!g) {
        *err = "out of memory";
        return -ENOMEM;
    }
    exec_register_engine(&jit_engine);
    exec_options_t eo = {.engine = jit ? "jit" : NULL, .strict = true};
    int rc = bare_init(&g->m, GUEST_RAM, &eo, err);
    if (rc) {
        if (jit && rc != -ENOMEM) *err = "the JIT is not available on this host";
        free(g);
        return rc;
    }
    g->m.console = stderr;
    rc = bare_load_elf(&g->m, elf, size, err);
    if (rc) goto fail;
    elf_file_t ef;
    rc = elf_parse(&ef, elf, size, err);
    if (rc) goto fail;
    rc = elf_find_symbol(&ef, "wl_expected", &g->expected_at, err);
    elf_free(&ef);
    if (rc) {
        if (rc == -ENOENT) *err = "the workload ELF has no wl_expected symbol";
        goto fail;
    }
    if (vm_mem_write(g->m.mem, g->expected_at, &expected, 8) != VM_MEM_OK) {
        *err = "wl_expected is not in guest RAM";
        rc = -EFAULT;
        goto fail;
    }
    g->expected = expected;
    *out = g;
    return 0;
fail:
    bare_destroy(&g->m);
    free(g);
    return rc;
}

int bench_guest_run(bench_guest_t *g, uint64_t max_insns, uint64_t *instret, const char **err) {
    int r = bare_run(&g->m, max_insns);
    *instret = g->m.cpu.instret;
    if (r != EXEC_STOP_HALT || !g->m.exited) {
        *err = r == EXEC_STOP_BUDGET ? "the workload did not exit within its instruction budget"
                                     : "the workload stopped without exiting through tohost";
        return -EIO;
    }
    if (g->m.exit_value != 0) {
        *err = "the workload computed a wrong checksum (exit code 1)";
        return -EIO;
    }
    return 0;
}

void bench_guest_mmu(const bench_guest_t *g, bench_guest_mmu_t *out) {
    const rv_cpu_t *cpu = &g->m.cpu;
    out->tlb_hits = cpu->tlb_stats.hits;
    out->walks = cpu->tlb_stats.walks;
    for (unsigned l = 0; l < 5; l++)
        out->pte_reads[l] = cpu->tlb_stats.pte_reads[l];
}

void bench_guest_free(bench_guest_t *g) {
    if (!g) return;
    bare_destroy(&g->m);
    free(g);
}
