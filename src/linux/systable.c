/* systable.c - the guest system call table, generated from syscalls.def.
 *
 * The table is an array indexed by guest number: a call's name and --strace formats, its
 * handler and its flags sit in one entry, found in constant time by linux_syscall() on every
 * call. Numbers vm does not know leave a zeroed hole (no name), so lookup is a bounds check
 * and a test of the name. A number listed twice in syscalls.def initialises the same element
 * twice, which the compiler rejects (-Woverride-init, -Winitializer-overrides with -Werror);
 * a name listed twice redeclares an enumerator of abi.h. */
#include <stddef.h>

#include "linux/abi.h"
#include "linux/systable.h"

static const linux_systable_entry_t table[] = {
#define LINUX_SYSCALL(nr, name, args, handler, flags) [nr] = {#name, args, handler, flags},
#define LINUX_SYSCALL_NI(nr, name, args)              [nr] = {#name, args, NULL, 0},
#include "linux/syscalls.def"
};

const linux_systable_entry_t *linux_systable_find(uint64_t nr) {
    if (nr >= sizeof(table) / sizeof(table[0]) || !table[nr].name) return NULL;
    return &table[nr];
}
