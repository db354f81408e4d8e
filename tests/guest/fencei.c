/* fencei.c - generated code made visible with fence.i and __riscv_flush_icache (the system
 * call riscv_flush_icache), written in each of the ways a program can write code: plain
 * stores, a read() into the page (the kernel writes it), a second mapping of the same memory
 * (a memfd mapped writable and executable) and another process through a MAP_SHARED page.
 * Each case rewrites a small function and calls it after the fence: every call must return
 * the value just written.
 *
 *   fencei            every case, one line each (expected/fencei.out)
 *   fencei loop N     only the stores, N rounds of each fence (fencei.sh: vm may not drop its
 *                     caches at each of them, as the page flags see the stores)
 *   fencei bench N    N rounds of a small guest JIT: a 16-instruction block written, fenced and
 *                     run beside compiled code that stays hot (bench/fencei.sh) */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

typedef long (*fn_t)(long);

/* addi rd, rs1, imm */
static uint32_t addi(int rd, int rs1, int imm) {
    return ((uint32_t)(imm & 0xfff) << 20) | ((uint32_t)rs1 << 15) | ((uint32_t)rd << 7) | 0x13;
}
#define RET 0x00008067u /* jalr x0, 0(ra) */
#define A0  10

/* A function returning imm: addi a0, x0, imm; ret. */
static void put_const(volatile uint32_t *p, int imm) {
    p[0] = addi(A0, 0, imm);
    p[1] = RET;
}

static void fence_i(void) {
    __asm__ volatile("fence.i" ::: "memory");
}

static void flush_all(void *p, size_t n) {
    __builtin___clear_cache((char *)p, (char *)p + n);
}

static void *map_code(int flags, int fd) {
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, flags, fd, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    return p;
}

/* Plain stores, then fence.i (fence 0) or __riscv_flush_icache (fence 1). Wrong calls. */
static int stores(uint32_t *code, int rounds, int fence) {
    int wrong = 0;
    for (int i = 0; i < rounds; i++) {
        int v = i % 2000;
        put_const(code, v);
        if (fence)
            flush_all(code, 8);
        else
            fence_i();
        if (((fn_t)code)(0) != v) wrong++;
    }
    return wrong;
}

/* read() of new code from a pipe over code that ran: the kernel writes it. */
static int by_read(uint32_t *code, int fence) {
    int wrong = 0, fds[2];
    if (pipe(fds) != 0) return -1;
    put_const(code, 1);
    fence_i();
    if (((fn_t)code)(0) != 1) wrong++;
    for (int i = 2; i < 102; i++) {
        uint32_t insn[2] = {addi(A0, 0, i), RET};
        if (write(fds[1], insn, sizeof(insn)) != sizeof(insn) ||
            read(fds[0], code, sizeof(insn)) != sizeof(insn))
            return -1;
        if (fence)
            flush_all(code, 8);
        else
            fence_i();
        if (((fn_t)code)(0) != i) wrong++;
    }
    close(fds[0]);
    close(fds[1]);
    return wrong;
}

/* One memfd mapped twice: written through one mapping, run through the other. */
static int aliased(void) {
    int fd = memfd_create("code", 0);
    if (fd < 0 || ftruncate(fd, 4096) != 0) return -1;
    uint32_t *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    uint32_t *x = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
    if (w == MAP_FAILED || x == MAP_FAILED) return -1;
    int wrong = 0;
    for (int i = 0; i < 100; i++) {
        put_const(w, i);
        fence_i();
        if (((fn_t)x)(0) != i) wrong++;
    }
    munmap(w, 4096);
    munmap(x, 4096);
    close(fd);
    return wrong;
}

/* A child process writes the code into a shared page that the parent runs. */
static int other_process(void) {
    uint32_t *code = map_code(MAP_SHARED | MAP_ANONYMOUS, -1);
    int wrong = 0;
    for (int i = 0; i < 20; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            put_const(code, 500 + i);
            _exit(0);
        }
        int st;
        if (pid < 0 || waitpid(pid, &st, 0) != pid) return -1;
        fence_i();
        if (((fn_t)code)(0) != 500 + i) wrong++;
    }
    munmap(code, 4096);
    return wrong;
}

static int cmp_long(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* A small guest JIT: each round writes a 16-instruction block (a0 = a0 * 3 + k, unrolled),
 * fences it, runs it, and runs some compiled code that stays hot (a sort and a format). */
static void bench(uint32_t *code, long rounds) {
    long sum = 0, arr[64];
    char buf[64];
    for (long r = 0; r < rounds; r++) {
        uint32_t *p = code + (r & 7) * 32; /* eight blocks in turn on one page */
        for (int k = 0; k < 7; k++) {
            p[2 * k] = 0x00151593u;     /* slli a1, a0, 1 */
            p[2 * k + 1] = 0x00b50533u; /* add a0, a0, a1 */
        }
        p[14] = addi(A0, A0, (int)(r & 1023));
        p[15] = RET;
        fence_i();
        sum += ((fn_t)p)(r);
        for (int i = 0; i < 64; i++)
            arr[i] = (r * 7919 + i * 104729) % 1000;
        qsort(arr, 64, sizeof(arr[0]), cmp_long);
        sum += arr[r & 63] + snprintf(buf, sizeof(buf), "%ld:%ld", r, sum & 0xffff);
    }
    printf("bench: %ld rounds, checksum %lx\n", rounds, (unsigned long)sum);
}

int main(int argc, char **argv) {
    uint32_t *code = map_code(MAP_PRIVATE | MAP_ANONYMOUS, -1);
    if (argc == 3 && !strcmp(argv[1], "loop")) {
        int n = atoi(argv[2]);
        printf("loop: fence.i %d wrong, flush_icache %d wrong\n", stores(code, n, 0),
               stores(code, n, 1));
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "bench")) {
        bench(code, atol(argv[2]));
        return 0;
    }
    printf("stores, fence.i: %d wrong\n", stores(code, 3000, 0));
    printf("stores, flush_icache: %d wrong\n", stores(code, 3000, 1));
    printf("read into code, fence.i: %d wrong\n", by_read(code, 0));
    printf("read into code, flush_icache: %d wrong\n", by_read(code, 1));
    printf("two mappings of a memfd: %d wrong\n", aliased());
    printf("written by another process: %d wrong\n", other_process());
    printf("stores after shared mappings, fence.i: %d wrong\n", stores(code, 200, 0));
    return 0;
}
