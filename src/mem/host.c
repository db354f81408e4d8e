/* host.c - detection of what the host CPU and OS offer, done once and cached.
 *
 * On x86-64 a vector ISA is usable only when the CPU advertises it (CPUID) AND the OS saves
 * its register state across context switches (XCR0 read with XGETBV, itself allowed only
 * when CPUID says OSXSAVE). Checking the CPUID bit alone is the classic SIGILL trap: a kernel
 * or hypervisor may hide AVX state. Cache sizes come from the deterministic cache leaves
 * (Intel leaf 4, AMD 0x8000001D) and fall back to sysfs, which also serves AArch64.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem/host_arch.h"
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

/* Walk a deterministic cache-parameters leaf (4 or 0x8000001D, same layout). */
static void caches_from_cpuid_leaf(vm_host_info_t *h, uint32_t leaf) {
    for (uint32_t sub = 0; sub < 16; sub++) {
        uint32_t r[4];
        mem_host_cpuid(leaf, sub, r);
        uint32_t type = r[0] & 0x1f; /* 0 none, 1 data, 2 instruction, 3 unified */
        if (type == 0) break;
        if (type == 2) continue;
        uint32_t level = (r[0] >> 5) & 7;
        size_t ways = ((r[1] >> 22) & 0x3ff) + 1;
        size_t parts = ((r[1] >> 12) & 0x3ff) + 1;
        size_t line = (r[1] & 0xfff) + 1;
        size_t sets = (size_t)r[2] + 1;
        size_t size = ways * parts * line * sets;
        if (level == 1 && !h->l1d_bytes) h->l1d_bytes = size;
        if (level == 2 && !h->l2_bytes) h->l2_bytes = size;
        if (level == 3 && !h->l3_bytes) h->l3_bytes = size;
    }
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

/* Fill the cache sizes still unknown from /sys/devices/system/cpu/cpu0/cache. */
static void caches_from_sysfs(vm_host_info_t *h) {
    for (int idx = 0; idx < 8; idx++) {
        char path[96], level[16], type[32], size[32];
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", idx);
        if (!read_line(path, level, sizeof level)) break;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", idx);
        if (!read_line(path, type, sizeof type) || !strncmp(type, "Instruction", 11)) continue;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", idx);
        if (!read_line(path, size, sizeof size)) continue;
        size_t bytes = parse_cache_size(size);
        int lv = atoi(level);
        if (lv == 1 && !h->l1d_bytes) h->l1d_bytes = bytes;
        if (lv == 2 && !h->l2_bytes) h->l2_bytes = bytes;
        if (lv == 3 && !h->l3_bytes) h->l3_bytes = bytes;
    }
}

static void detect_x86(vm_host_info_t *h) {
    uint32_t r[4];
    mem_host_cpuid(0, 0, r);
    uint32_t max_leaf = r[0];
    bool intel = r[1] == 0x756e6547 && r[3] == 0x49656e69 && r[2] == 0x6c65746e; /* GenuineIntel */

    mem_host_cpuid(1, 0, r);
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
    if (intel && max_leaf >= 4) caches_from_cpuid_leaf(h, 4);
    if (!intel && max_ext >= 0x8000001du) {
        mem_host_cpuid(0x80000001u, 0, r);
        if (bit(r[2], 22)) caches_from_cpuid_leaf(h, 0x8000001du); /* TopologyExtensions */
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
    if (!h->model[0]) snprintf(h->model, sizeof h->model, "unknown");
}

const vm_host_info_t *vm_host_info(void) {
    pthread_once(&host_once, detect);
    return &host_info;
}
