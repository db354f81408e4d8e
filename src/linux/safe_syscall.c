/* safe_syscall.c - the assembly stub of safe_syscall.h, for this host's architecture. */
#include "linux/safe_syscall.h"

__asm__(LINUX_SAFE_SYSCALL_ASM);
