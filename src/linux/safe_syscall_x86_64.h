/* safe_syscall_x86_64.h - the x86-64 stub of safe_syscall.h and its pc accessors.
 *
 * The C arguments come in rdi (flag), rsi (nr), rdx, rcx, r8, r9 (a0..a3) and on the stack
 * (a4, a5); the kernel wants rax (nr), rdi, rsi, rdx, r10, r8, r9. r11 holds the flag's
 * address (the syscall instruction clobbers r11 and rcx, but only after the window). */
#pragma once

#include <stdint.h>
#include <ucontext.h>

/* The stub, defined once (in safe_syscall.c). */
#define LINUX_SAFE_SYSCALL_ASM                                                                     \
    "    .text\n"                                                                                  \
    "    .globl linux_safe_syscall\n"                                                              \
    "    .hidden linux_safe_syscall\n"                                                             \
    "    .type linux_safe_syscall, @function\n"                                                    \
    "    .globl linux_safe_syscall_start\n"                                                        \
    "    .hidden linux_safe_syscall_start\n"                                                       \
    "    .globl linux_safe_syscall_end\n"                                                          \
    "    .hidden linux_safe_syscall_end\n"                                                         \
    "    .globl linux_safe_syscall_restart\n"                                                      \
    "    .hidden linux_safe_syscall_restart\n"                                                     \
    "linux_safe_syscall:\n"                                                                        \
    "    .cfi_startproc\n"                                                                         \
    "    mov %rdi, %r11\n"                                                                         \
    "    mov %rsi, %rax\n"                                                                         \
    "    mov %rdx, %rdi\n"                                                                         \
    "    mov %rcx, %rsi\n"                                                                         \
    "    mov %r8, %rdx\n"                                                                          \
    "    mov %r9, %r10\n"                                                                          \
    "    mov 8(%rsp), %r8\n"                                                                       \
    "    mov 16(%rsp), %r9\n"                                                                      \
    "linux_safe_syscall_start:\n"                                                                  \
    "    cmpl $0, (%r11)\n"                                                                        \
    "    jne linux_safe_syscall_restart\n"                                                         \
    "    syscall\n"                                                                                \
    "linux_safe_syscall_end:\n"                                                                    \
    "    ret\n"                                                                                    \
    "linux_safe_syscall_restart:\n"                                                                \
    "    mov $-512, %rax\n"                                                                        \
    "    ret\n"                                                                                    \
    "    .cfi_endproc\n"                                                                           \
    "    .size linux_safe_syscall, .-linux_safe_syscall\n"

/* The interrupted pc of a handler's ucontext. */
static inline uintptr_t linux_safe_syscall_pc(void *uctx) {
    return (uintptr_t)((ucontext_t *)uctx)->uc_mcontext.gregs[REG_RIP];
}

/* Resume the interrupted context at pc. */
static inline void linux_safe_syscall_set_pc(void *uctx, uintptr_t pc) {
    ((ucontext_t *)uctx)->uc_mcontext.gregs[REG_RIP] = (greg_t)pc;
}
