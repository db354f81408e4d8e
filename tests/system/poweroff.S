/* poweroff.S - the smallest payload: started by OpenSBI in S-mode, it powers the machine off
 * through the SiFive test device (exit 0). */
    .section .text
    .globl _start
_start:
    li t0, 0x100000
    li t1, 0x5555
    sw t1, 0(t0)
1:  wfi
    j 1b
