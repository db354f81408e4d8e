/* guest.c - one guest-speed workload (workloads.h) as a bare-machine program. Built once per
 * workload with -DWL_RUN=wl_<name>. The host writes the checksum it computed natively into
 * `wl_expected` after loading the ELF; the program exits through tohost with 0 when its own
 * checksum matches, 1 when it does not (also when nobody provided the expected value).
 * Built a second time with -DWL_SV39 for the paged variant (S-mode, Sv39): see its entry. */
#include "workloads.h"

#ifndef WL_RUN
#error "build with -DWL_RUN=wl_int_loop (or another workload of workloads.h)"
#endif

#ifndef WL_SV39
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
        ".popsection\n");
#else
/* Entry of the paged variant (-DWL_SV39): the same workload in S-mode with Sv39 translation on,
 * so that every fetch, load and store goes through the hart's software TLB, as a kernel's own
 * code does. M-mode opens physical memory to S-mode (PMP entry 0: NAPOT over everything, RWX),
 * maps the 1 GiB at 0x80000000 onto itself with one gigapage (V R W X A D: the TLB holds 4 KiB
 * entries of it, as of any page), turns on floating point, and mrets to S-mode, which runs main
 * and hands its result back with ecall; the M-mode handler writes tohost. Any other trap exits
 * with code 3, which the runner reports as a wrong result. */
__asm__(".pushsection .text.init, \"ax\"\n"
        ".globl _start\n"
        "_start:\n"
        "    li t0, 0x2000\n"
        "    csrs mstatus, t0\n"
        "    la sp, stack_top\n"
        "    li t0, -1\n"
        "    csrw pmpaddr0, t0\n"
        "    li t0, 0x1f\n"
        "    csrw pmpcfg0, t0\n"
        "    la t0, sv39_root\n"
        "    li t1, (0x80000 << 10) | 0xcf\n"
        "    sd t1, 16(t0)\n"
        "    srli t0, t0, 12\n"
        "    li t1, 8 << 60\n"
        "    or t0, t0, t1\n"
        "    csrw satp, t0\n"
        "    sfence.vma\n"
        "    la t0, sv39_mtrap\n"
        "    csrw mtvec, t0\n"
        "    li t0, 0x1800\n"
        "    csrc mstatus, t0\n"
        "    li t0, 0x0800\n"
        "    csrs mstatus, t0\n"
        "    la t0, sv39_s_entry\n"
        "    csrw mepc, t0\n"
        "    mret\n"
        "sv39_s_entry:\n"
        "    call main\n"
        "    ecall\n"
        "1:  j 1b\n"
        ".align 2\n"
        "sv39_mtrap:\n"
        "    csrr t0, mcause\n"
        "    li t1, 9\n"
        "    beq t0, t1, 2f\n"
        "    li a0, 3\n"
        "2:  slli a0, a0, 1\n"
        "    ori a0, a0, 1\n"
        "    la t0, tohost\n"
        "    sd a0, 0(t0)\n"
        "3:  j 3b\n"
        ".popsection\n"
        ".pushsection .bss\n"
        ".align 12\n"
        "sv39_root: .space 4096\n"
        ".popsection\n");
#endif

/* tohost/fromhost (HTIF) and the stack, shared by both entries. */
__asm__(".pushsection .tohost, \"aw\", @progbits\n"
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
