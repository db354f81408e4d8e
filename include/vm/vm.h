/* vm.h - the public entry point of libvm: version and library-wide facts. */
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

/* Version string of libvm ("MAJOR.MINOR.PATCH"), for `vm --version` and reports. */
const char *vm_version(void);

#ifdef __cplusplus
}
#endif
