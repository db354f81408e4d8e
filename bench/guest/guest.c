/* guest.c - one guest-speed workload (workloads.h) as a bare-machine program. Built once per
 * workload with -DWL_RUN=wl_<name>. The host writes the checksum it computed natively into
 * `wl_expected` after loading the ELF; the program exits through tohost with 0 when its own
 * checksum matches, 1 when it does not (also when nobody provided the expected value). */
#include "workloads.h"

#ifndef WL_RUN
#error "build with -DWL_RUN=wl_int_loop (or another workload of workloads.h)"
#endif

/* Entry: floating point on (mstatus.FS is Off at reset), stack, then main; main's return value goes
 * to tohost as (value << 1) | 1. */
__asm__(".pushsection .text.init, \"ax\"\n"
        ".globl _start\n"
        "_start:\n"
        "    li t0, 0x2000\n"
        "    csrs mstatus, t0\n"
        "    la sp, stack_top\n"
        "    call main\n"
        "    slli a0, a0, 1\n"
        "    ori a0, a0, 1\n"
        "    la t0, tohost\n"
        "    sd a0, 0(t0)\n"
        "1:  j 1b\n"
        ".popsection\n"
        ".pushsection .tohost, \"aw\", @progbits\n"
        ".align 12\n"
        ".globl tohost\n"
        "tohost: .dword 0\n"
        ".globl fromhost\n"
        "fromhost: .dword 0\n"
        ".align 12\n"
        ".popsection\n"
        ".pushsection .bss\n"
        ".align 4\n"
        "stack: .space 65536\n"
        "stack_top:\n"
        ".popsection\n");

/* The checksum the host expects (written into guest memory before the run). */
uint64_t wl_expected = 0;

/* The compiler may call these even in freestanding code (struct copies, loop idioms). */
void *memcpy(void *d, const void *s, size_t n) {
    uint8_t *dp = d;
    const uint8_t *sp = s;
    while (n--)
        *dp++ = *sp++;
    return d;
}

void *memset(void *d, int c, size_t n) {
    uint8_t *dp = d;
    while (n--)
        *dp++ = (uint8_t)c;
    return d;
}

int main(void) {
    return WL_RUN() == wl_expected ? 0 : 1;
}
