/* cmd_info.c - `vm info`: what vm knows about the host and how it will use it.
 *
 * Prints the version, the host CPU and the features memops dispatch looks at, the cache sizes
 * the thresholds derive from, the memops implementation in force (honouring VM_MEMOPS and
 * the VM_MEMOPS_*_MIN variables), every implementation the host can run, and the size tiers.
 * It also prints the calibrated plan (method per operation and size class) and where it came
 * from; when no valid calibration cache exists it measures one (at most about 50 ms, once per
 * CPU), and `vm info --calibrate` always measures afresh.
 * A bad or unsupported VM_MEMOPS setting is a usage error: message on stderr, exit status 2.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "vm/host.h"
#include "vm/memops.h"
#include "vm/vm.h"

/* Format a byte count as "32 KiB" / "1 MiB" / "123 B" (exact when it divides evenly). */
static const char *fmt_bytes(char *buf, size_t cap, size_t v) {
    static const char *const units[] = {"B", "KiB", "MiB", "GiB"};
    int u = 0;
    while (u < 3 && v && v % 1024 == 0) {
        v /= 1024;
        u++;
    }
    snprintf(buf, cap, "%zu %s", v, units[u]);
    return buf;
}

/* A threshold: "never" for 0, else its size. */
static const char *fmt_threshold(char *buf, size_t cap, size_t v) {
    if (!v) return "never";
    return fmt_bytes(buf, cap, v);
}

/* The calibrated plan: where it came from, then one row per operation. */
static void print_plan(void) {
    static const char *const ops[VM_MEMOPS_OPS] = {"copy", "set", "move"};
    static const char *const srcs[] = {"defaults (thresholds)", "cache file", "measured now",
                                       "forced by VM_MEMOPS_FORCE"};
    vm_memops_plan_t p = vm_memops_plan();
    char b[32];
    printf("calibration:    %s", srcs[p.src]);
    if (p.src == VM_MEMOPS_PLAN_CACHE || p.src == VM_MEMOPS_PLAN_MEASURED)
        printf(", for %s, measured in %.1f ms%s%s", vm_memops_name(p.impl), p.ms,
               p.partial ? " (budget ran out: some classes default)" : "",
               p.in_force ? "" : "; not in force (VM_MEMOPS* or a caller overrides it)");
    printf("\n");
    printf("cache file:     %s\n", p.path[0] ? p.path : "none (no XDG_CACHE_HOME or HOME)");
    printf("plan size from:");
    for (int c = 0; c < VM_MEMOPS_CLASSES; c++)
        printf(" %7s", fmt_bytes(b, sizeof b, vm_memops_class_min(c)));
    printf("\n");
    for (int op = 0; op < VM_MEMOPS_OPS; op++) {
        printf("plan %-9s:", ops[op]);
        for (int c = 0; c < VM_MEMOPS_CLASSES; c++)
            printf(" %7s", vm_memops_method_name((vm_memops_method_t)p.method[op][c]));
        printf("\n");
    }
}

int cmd_info(int argc, char **argv) {
    bool calibrate = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--calibrate")) {
            calibrate = true;
            continue;
        }
        fprintf(stderr, "vm info: unexpected argument '%s' (vm info takes only --calibrate)\n",
                argv[i]);
        return 2;
    }
    const char *why = NULL;
    if (vm_memops_init_from_env(&why)) {
        fprintf(stderr, "vm info: %s\n", why);
        return 2;
    }
    int cerr = vm_memops_calibrate(calibrate ? VM_MEMOPS_CAL_FORCE : VM_MEMOPS_CAL_IF_NEEDED);
    if (cerr) fprintf(stderr, "vm info: calibration failed (%d); defaults in force\n", cerr);
    const vm_host_info_t *h = vm_host_info();
    char b1[32], b2[32], b3[32], b4[32];
    vm_memops_tuning_t t = vm_memops_tuning();

    printf("vm %s\n", vm_version());
    printf("host:           %s\n", h->arch);
    printf("cpu:            %s\n", h->model);
    printf("features:      %s%s%s%s%s%s%s\n", h->sse2 ? " sse2" : "", h->avx2 ? " avx2" : "",
           h->avx512 ? " avx512" : "", h->zmm_halves ? " (512-bit in halves)" : "",
           h->erms ? " erms" : "", h->fsrm ? " fsrm" : "", h->neon ? " neon" : "");
    printf("caches:         L1d %s (%s), L2 %s (%s), L3 %s (%s), line %zu B (%s)\n",
           fmt_bytes(b1, sizeof b1, h->l1d_bytes), vm_host_src_name(h->l1d_src),
           fmt_bytes(b2, sizeof b2, h->l2_bytes), vm_host_src_name(h->l2_src),
           fmt_bytes(b3, sizeof b3, h->l3_bytes), vm_host_src_name(h->l3_src), h->line_bytes,
           vm_host_src_name(h->line_src));
    printf("cpu identity:   signature 0x%08x, microcode %s\n", h->cpu_signature, h->microcode);
    printf("memops:         %s\n", vm_memops_name(vm_memops_active()));
    printf("supported:     ");
    for (int i = VM_MEMOPS_SCALAR; i < VM_MEMOPS_COUNT; i++)
        if (vm_memops_supported((vm_memops_impl_t)i))
            printf(" %s", vm_memops_name((vm_memops_impl_t)i));
    printf("\n");
    printf("tier loop-free: up to %s", fmt_bytes(b1, sizeof b1, t.small_max));
    if (t.copy_small_max > t.small_max)
        printf(", disjoint copies up to %s", fmt_bytes(b2, sizeof b2, t.copy_small_max));
    printf("\n");
    printf("tier rep movsb: %s%s\n", t.rep_movsb_min ? "from " : "",
           fmt_threshold(b2, sizeof b2, t.rep_movsb_min));
    printf("tier streaming: %s%s\n", t.nt_min ? "from " : "",
           fmt_threshold(b3, sizeof b3, t.nt_min));
    printf("tier rep stosb: %s%s\n", t.rep_stosb_min ? "from " : "",
           fmt_threshold(b4, sizeof b4, t.rep_stosb_min));
    print_plan();
    return 0;
}
