/* host.c - detection of what the host CPU and OS offer, done once and cached.
 *
 * On x86-64 a vector ISA is usable only when the CPU advertises it (CPUID) AND the OS saves
 * its register state across context switches (XCR0 read with XGETBV, itself allowed only
 * when CPUID says OSXSAVE). Checking the CPUID bit alone is the classic SIGILL trap: a kernel
 * or hypervisor may hide AVX state. Cache sizes come from sysfs where the kernel lists them,
 * else from the CPUID cache leaves (decoded in host_cache.c: Intel leaf 4, AMD 0x8000001D,
 * legacy 0x80000005/6), else from typical defaults; each figure remembers its source. AArch64
 * has no user-readable cache sizes (CLIDR_EL1 and CCSIDR_EL1 are EL1-only), so sizes come from
 * sysfs or the defaults; the line size comes from sysfs, else from CTR_EL0.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem/host_arch.h"
#include "mem/host_cache.h"
#include "vm/host.h"

/* XCR0 bits: x87 | SSE (XMM) | AVX (YMM upper halves). */
#define XCR0_YMM 0x06u
/* ... plus opmask | ZMM0-15 upper halves | ZMM16-31. */
#define XCR0_ZMM 0xe6u

static vm_host_info_t host_info;
static pthread_once_t host_once = PTHREAD_ONCE_INIT;

static bool bit(uint32_t reg, unsigned n) {
    return (reg >> n) & 1u;
}

/* Copy s into dst (cap bytes), dropping leading and trailing blanks. */
static void copy_trimmed(char *dst, size_t cap, const char *s) {
    while (*s == ' ' || *s == '\t')
        s++;
    size_t len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\n' || s[len - 1] == '\t'))
        len--;
    if (len >= cap) len = cap - 1;
    memcpy(dst, s, len);
    dst[len] = '\0';
}

/* Parse a sysfs cache size such as "32K" or "1024K" or "32M". */
static size_t parse_cache_size(const char *s) {
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end == 'K') v <<= 10;
    if (*end == 'M') v <<= 20;
    return (size_t)v;
}

/* Read one line of a small text file into buf; false when it cannot be read. */
static bool read_line(const char *path, char *buf, size_t cap) {
    FILE *f = fopen(path, "r");
    if (!f) return false;
    bool ok = fgets(buf, (int)cap, f) != NULL;
    fclose(f);
    return ok;
}

/* Set one cache figure when it is still unknown. */
static void set_fig(size_t *v, vm_host_src_t *src, size_t value, vm_host_src_t from) {
    if (*v || !value) return;
    *v = value;
    *src = from;
}

/* The cache sizes from /sys/devices/system/cpu/cpu0/cache (absent on some virtual hosts). */
static void caches_from_sysfs(vm_host_info_t *h) {
    for (int idx = 0; idx < 8; idx++) {
        char path[96], level[16], type[32], size[32], line[32];
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", idx);
        if (!read_line(path, level, sizeof level)) break;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", idx);
        if (!read_line(path, type, sizeof type) || !strncmp(type, "Instruction", 11)) continue;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", idx);
        if (!read_line(path, size, sizeof size)) continue;
        size_t bytes = parse_cache_size(size);
        int lv = atoi(level);
        if (lv == 1) {
            set_fig(&h->l1d_bytes, &h->l1d_src, bytes, VM_HOST_SRC_SYSFS);
            snprintf(path, sizeof path,
                     "/sys/devices/system/cpu/cpu0/cache/index%d/coherency_line_size", idx);
            if (read_line(path, line, sizeof line))
                set_fig(&h->line_bytes, &h->line_src, (size_t)atoi(line), VM_HOST_SRC_SYSFS);
        }
        if (lv == 2) set_fig(&h->l2_bytes, &h->l2_src, bytes, VM_HOST_SRC_SYSFS);
        if (lv == 3) set_fig(&h->l3_bytes, &h->l3_src, bytes, VM_HOST_SRC_SYSFS);
    }
}

static void cpuid_fn(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
    mem_host_cpuid(leaf, sub, r);
}

/* Fill what sysfs did not say from the CPUID cache leaves (host_cache.c decodes them). */
static void caches_from_cpuid(vm_host_info_t *h) {
    mem_cpuid_rec_t recs[32];
    size_t n = mem_cache_record(cpuid_fn, recs, sizeof recs / sizeof recs[0]);
    mem_cache_geom_t g;
    mem_cache_decode(recs, n, &g);
    set_fig(&h->l1d_bytes, &h->l1d_src, g.size[MEM_CACHE_L1D], VM_HOST_SRC_CPUID);
    set_fig(&h->l2_bytes, &h->l2_src, g.size[MEM_CACHE_L2], VM_HOST_SRC_CPUID);
    set_fig(&h->l3_bytes, &h->l3_src, g.size[MEM_CACHE_L3], VM_HOST_SRC_CPUID);
    set_fig(&h->line_bytes, &h->line_src, g.line[MEM_CACHE_L1D], VM_HOST_SRC_CPUID);
}

/* AArch64: the L1d line size from CTR_EL0 when sysfs did not give it. */
static void caches_from_ctr(vm_host_info_t *h) {
    set_fig(&h->line_bytes, &h->line_src, mem_ctr_dline(mem_host_ctr_el0()), VM_HOST_SRC_CTR);
}

/* Typical figures for what neither sysfs nor CPUID said (the tier defaults treat them as
 * unknown: see default_tuning() in memops.c). */
static void caches_default(vm_host_info_t *h) {
    set_fig(&h->l1d_bytes, &h->l1d_src, (size_t)32 << 10, VM_HOST_SRC_DEFAULT);
    set_fig(&h->l2_bytes, &h->l2_src, (size_t)1 << 20, VM_HOST_SRC_DEFAULT);
    set_fig(&h->l3_bytes, &h->l3_src, (size_t)16 << 20, VM_HOST_SRC_DEFAULT);
    set_fig(&h->line_bytes, &h->line_src, 64, VM_HOST_SRC_DEFAULT);
}

/* The microcode revision: /proc/cpuinfo "microcode" (x86), else sysfs, else "unknown". */
static void read_microcode(vm_host_info_t *h) {
    char buf[64];
    snprintf(h->microcode, sizeof h->microcode, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f)) {
            char *colon = strchr(line, ':');
            if (colon && !strncmp(line, "microcode", 9)) {
                copy_trimmed(h->microcode, sizeof h->microcode, colon + 1);
                break;
            }
        }
        fclose(f);
    }
    if (strcmp(h->microcode, "unknown")) return;
    if (read_line("/sys/devices/system/cpu/cpu0/microcode/version", buf, sizeof buf))
        copy_trimmed(h->microcode, sizeof h->microcode, buf);
}

static void detect_x86(vm_host_info_t *h) {
    uint32_t r[4];
    mem_host_cpuid(0, 0, r);
    uint32_t max_leaf = r[0];
    uint32_t leaf0[4] = {r[0], r[1], r[2], r[3]};

    mem_host_cpuid(1, 0, r);
    h->cpu_signature = r[0];
    uint32_t ecx1 = r[2], edx1 = r[3];
    h->sse2 = bit(edx1, 26);
    bool osxsave = bit(ecx1, 27), avx = bit(ecx1, 28);
    uint64_t xcr0 = osxsave ? mem_host_xgetbv0() : 0;
    bool ymm_ok = (xcr0 & XCR0_YMM) == XCR0_YMM;
    bool zmm_ok = (xcr0 & XCR0_ZMM) == XCR0_ZMM;

    if (max_leaf >= 7) {
        mem_host_cpuid(7, 0, r);
        uint32_t ebx7 = r[1], edx7 = r[3];
        h->avx2 = avx && ymm_ok && bit(ebx7, 5);
        /* The AVX-512 code uses F (foundation), BW (byte masks), VL (masked ymm/xmm) and
         * BMI2 (bzhi for tail masks; present on every AVX-512 CPU, checked anyway). */
        h->avx512 =
            h->avx2 && zmm_ok && bit(ebx7, 16) && bit(ebx7, 30) && bit(ebx7, 31) && bit(ebx7, 8);
        h->erms = bit(ebx7, 9);
        h->fsrm = bit(edx7, 4);
    }
    h->zmm_halves = h->avx512 && mem_cpu_zmm_halves(leaf0, h->cpu_signature);
    h->l3_sliced = mem_cpu_l3_sliced(leaf0);

    mem_host_cpuid(0x80000000u, 0, r);
    uint32_t max_ext = r[0];
    if (max_ext >= 0x80000004u) {
        char brand[49];
        for (uint32_t i = 0; i < 3; i++) {
            mem_host_cpuid(0x80000002u + i, 0, r);
            memcpy(brand + 16 * i, r, 16);
        }
        brand[48] = '\0';
        copy_trimmed(h->model, sizeof h->model, brand);
    }
}

/* AArch64 has no brand string; name the implementer and part from /proc/cpuinfo. */
static void detect_aarch64(vm_host_info_t *h) {
    h->neon = true; /* Advanced SIMD is mandatory in AArch64 */
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[256], impl[32] = "", part[32] = "";
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (!colon) continue;
        if (!strncmp(line, "CPU implementer", 15) && !impl[0])
            copy_trimmed(impl, sizeof impl, colon + 1);
        if (!strncmp(line, "CPU part", 8) && !part[0]) copy_trimmed(part, sizeof part, colon + 1);
    }
    fclose(f);
    if (impl[0])
        snprintf(h->model, sizeof h->model, "implementer %s part %s", impl, part[0] ? part : "?");
}

static void detect(void) {
    vm_host_info_t *h = &host_info;
    snprintf(h->arch, sizeof h->arch, "%s", MEM_HOST_ARCH_NAME);
    if (MEM_HOST_X86) detect_x86(h);
    if (MEM_HOST_AARCH64) detect_aarch64(h);
    caches_from_sysfs(h);
    if (MEM_HOST_X86) caches_from_cpuid(h);
    if (MEM_HOST_AARCH64) caches_from_ctr(h);
    caches_default(h);
    read_microcode(h);
    if (!h->model[0]) snprintf(h->model, sizeof h->model, "unknown");
}

const char *vm_host_src_name(vm_host_src_t src) {
    switch (src) {
    case VM_HOST_SRC_SYSFS: return "sysfs";
    case VM_HOST_SRC_CPUID: return "cpuid";
    case VM_HOST_SRC_DEFAULT: return "default";
    case VM_HOST_SRC_CTR: return "ctr_el0";
    default: return "unknown";
    }
}

const vm_host_info_t *vm_host_info(void) {
    pthread_once(&host_once, detect);
    return &host_info;
}
