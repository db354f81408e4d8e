/* cmd_info.c - `vm info`: what vm knows about the host and how it will use it. */
#include <stdio.h>

#include "cli.h"
#include "vm/vm.h"

int cmd_info(int argc, char **argv) {
    (void)argc;
    (void)argv;
    printf("vm %s\n", vm_version());
    return 0;
}
