/* safe_syscall_aarch64.h - the AArch64 stub of safe_syscall.h and its pc accessors.
 *
 * The C arguments come in x0 (flag), x1 (nr), x2..x7 (a0..a5); the kernel wants x8 (nr) and
 * x0..x5. x9 holds the flag's address and w10 its value. When the kernel restarts a call it
 * puts the pc back on the svc, which is inside the window. */
#pragma once

#include <stdint.h>
#include <ucontext.h>

/* The stub, defined once (in safe_syscall.c). */
#define LINUX_SAFE_SYSCALL_ASM                                                                     \
    "    .text\n"                                                                                  \
    "    .globl linux_safe_syscall\n"                                                              \
    "    .hidden linux_safe_syscall\n"                                                             \
    "    .type linux_safe_syscall, %function\n"                                                    \
    "    .globl linux_safe_syscall_start\n"                                                        \
    "    .hidden linux_safe_syscall_start\n"                                                       \
    "    .globl linux_safe_syscall_end\n"                                                          \
    "    .hidden linux_safe_syscall_end\n"                                                         \
    "    .globl linux_safe_syscall_restart\n"                                                      \
    "    .hidden linux_safe_syscall_restart\n"                                                     \
    "linux_safe_syscall:\n"                                                                        \
    "    .cfi_startproc\n"                                                                         \
    "    mov x9, x0\n"                                                                             \
    "    mov x8, x1\n"                                                                             \
    "    mov x0, x2\n"                                                                             \
    "    mov x1, x3\n"                                                                             \
    "    mov x2, x4\n"                                                                             \
    "    mov x3, x5\n"                                                                             \
    "    mov x4, x6\n"                                                                             \
    "    mov x5, x7\n"                                                                             \
    "linux_safe_syscall_start:\n"                                                                  \
    "    ldr w10, [x9]\n"                                                                          \
    "    cbnz w10, linux_safe_syscall_restart\n"                                                   \
    "    svc #0\n"                                                                                 \
    "linux_safe_syscall_end:\n"                                                                    \
    "    ret\n"                                                                                    \
    "linux_safe_syscall_restart:\n"                                                                \
    "    mov x0, #-512\n"                                                                          \
    "    ret\n"                                                                                    \
    "    .cfi_endproc\n"                                                                           \
    "    .size linux_safe_syscall, .-linux_safe_syscall\n"

/* The interrupted pc of a handler's ucontext. */
static inline uintptr_t linux_safe_syscall_pc(void *uctx) {
    return (uintptr_t)((ucontext_t *)uctx)->uc_mcontext.pc;
}

/* Resume the interrupted context at pc. */
static inline void linux_safe_syscall_set_pc(void *uctx, uintptr_t pc) {
    ((ucontext_t *)uctx)->uc_mcontext.pc = pc;
}
