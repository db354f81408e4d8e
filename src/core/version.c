/* version.c - library version, taken from the build's project version. */
#include "vm/version.h"

const char *vm_version(void) {
    return VM_VERSION_STRING;
}
