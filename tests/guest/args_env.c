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
    /* /proc/self/cmdline and /proc/self/auxv describe the guest, not vm */
    char buf[4096];
    FILE *f = fopen("/proc/self/cmdline", "r");
    size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;
    if (f) fclose(f);
    size_t want = 0;
    for (int i = 0; i < argc; i++)
        want += strlen(argv[i]) + 1;
    printf("cmdline matches argv: %s\n",
           n == want && !strcmp(buf, argv[0]) &&
                   (argc < 2 || !strcmp(buf + strlen(argv[0]) + 1, argv[1]))
               ? "yes"
               : "no");
    f = fopen("/proc/self/auxv", "r");
    unsigned long aux[128] = {0};
    n = f ? fread(aux, 1, sizeof(aux), f) : 0;
    if (f) fclose(f);
    unsigned long pg = 0;
    for (size_t i = 0; i + 1 < n / sizeof(long); i += 2)
        if (aux[i] == AT_PAGESZ) pg = aux[i + 1];
    printf("auxv file page size: %lu\n", pg);
    fflush(stdout);
    return argc > 1 ? atoi(argv[1]) : 0;
}
