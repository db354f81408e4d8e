/* nolibc.c - a program without a C library, built both as a static executable and as a
 * static PIE (ET_DYN without an interpreter): raw system calls, its own _start reading argc
 * and argv from the initial stack, data in writable and bss segments. */
#include <stddef.h>

static long sys3(long nr, long a, long b, long c) {
    register long a0 __asm__("a0") = a;
    register long a1 __asm__("a1") = b;
    register long a2 __asm__("a2") = c;
    register long a7 __asm__("a7") = nr;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
    return a0;
}

static char bss_buf[64];
static int data_word = 42;

static size_t len(const char *s) {
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static void put(const char *s) {
    sys3(64 /* write */, 1, (long)s, (long)len(s));
}

/* Called from _start with the initial stack pointer. */
__attribute__((used)) static void start_c(long *sp) {
    long argc = sp[0];
    char **argv = (char **)(sp + 1);
    put("nolibc: argc ");
    bss_buf[0] = (char)('0' + argc);
    bss_buf[1] = '\n';
    put(bss_buf);
    for (long i = 1; i < argc; i++) {
        put(argv[i]);
        put("\n");
    }
    data_word += 1;
    sys3(93 /* exit */, data_word == 43 ? 0 : 1, 0, 0);
}

__asm__(".globl _start\n"
        "_start:\n"
        "  mv a0, sp\n"
        "  andi sp, sp, -16\n"
        "  call start_c\n");
