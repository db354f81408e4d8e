/* version.h - the version of libvm, in a header of its own so that every layer may know it. */
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

/* Version string of libvm ("MAJOR.MINOR.PATCH"), for `vm --version` and reports. */
const char *vm_version(void);

#ifdef __cplusplus
}
#endif
