/* systable.h - the table of guest system call names and argument formats. */
#pragma once

#include <stdint.h>

/* One system call as --strace prints it. */
typedef struct linux_systable_entry {
    const char *name; /* name without the sys_ prefix */
    const char *args; /* one format letter per argument (d u x s f o p m g) */
} linux_systable_entry_t;

/* The entry of nr, or NULL when vm does not know the call. */
const linux_systable_entry_t *linux_systable_find(uint64_t nr);
