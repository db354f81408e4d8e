/* args_env.c - argv, the environment, the auxiliary vector and the exit status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    const char *v = getenv("VM_TEST_VAR");
    printf("VM_TEST_VAR=%s\n", v ? v : "(unset)");
    printf("VM_TEST_GONE=%s\n", getenv("VM_TEST_GONE") ? "set" : "(unset)");
    printf("pagesz=%lu\n", getauxval(AT_PAGESZ));
    printf("hwcap has IMAFDC: %s\n", (getauxval(AT_HWCAP) & 0x112d) == 0x112d ? "yes" : "no");
    printf("uid matches: %s\n", getauxval(AT_UID) == getuid() ? "yes" : "no");
    printf("secure=%lu\n", getauxval(AT_SECURE));
    const unsigned char *r = (const unsigned char *)getauxval(AT_RANDOM);
    printf("random present: %s\n", r ? "yes" : "no");
    const char *fn = (const char *)getauxval(AT_EXECFN);
    printf("execfn matches argv[0]: %s\n", fn && !strcmp(fn, argv[0]) ? "yes" : "no");
    fflush(stdout);
    return argc > 1 ? atoi(argv[1]) : 0;
}
