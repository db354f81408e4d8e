/* fuzz_linux_loader.c - libFuzzer target: any bytes as a program file for the user-mode
 * loader (ELF parsing, placement, segment copies, interpreter lookup). It must answer with 0
 * or an error message, never crash, leak or touch memory outside the guest space. Inputs
 * start from a valid two-segment image when the fuzzer gives less than a header. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "linux/abi.h"
#include "linux/loader.h"
#include "linux/space.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("fuzz-elf", 0);
        if (fd < 0) return 0;
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size) return 0;
    linux_space_t sp;
    if (linux_space_init(&sp, LINUX_TASK_SIZE) != 0) return 0;
    linux_image_t img;
    char err[512];
    if (linux_load_program(&sp, path, "/nonexistent-sysroot", &img, err, sizeof(err)) == 0) {
        /* a loaded image has its entry inside the space and a sane break */
        if (img.entry >= sp.size || img.brk > sp.size) __builtin_trap();
        char *argv[] = {"prog", NULL};
        char *envp[] = {"A=1", NULL};
        linux_stack_args_t a = {
            .top = LINUX_STACK_TOP, .argc = 1, .argv = argv, .envp = envp, .execfn = "prog"};
        linux_build_stack(&sp, &img, &a, err, sizeof(err));
    } else if (err[0] == 0) {
        __builtin_trap(); /* every refusal says why */
    }
    linux_space_destroy(&sp);
    return 0;
}
