/* test.h - entry point of the ISA test macros for the .S files; the macros live in rvtest.inc
 * (assembler syntax that C formatting tools must not touch). */
#pragma once

#include "rvtest.inc"
