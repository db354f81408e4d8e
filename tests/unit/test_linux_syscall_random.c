/* test_linux_syscall_random.c - the system call layer against random arguments: pointers
 * into mapped, read-only, unmapped and out-of-space guest memory, odd lengths and flags, for
 * every call that cannot hurt the host (no file creation or removal, no signals, no exits,
 * nothing that blocks). The layer must answer every call with a value, never a host fault;
 * afterwards the address space must still be consistent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "linux/abi.h"
#include "linux/proc.h"
#include "riscv/cpu.h"

static linux_proc_t proc;
static linux_thread_t thr;
static rv_cpu_t cpu; /* its hart: sigaltstack reads the stack pointer */
#define SCRATCH 0x100000ull
#define ROPAGE  0x200000ull

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int devzero = -1, devnull = -1, dirfd_ = -1;

/* An argument: mostly plausible values, sometimes garbage. */
static uint64_t arg(void) {
    switch (next() % 12) {
    case 0: return 0;
    case 1: return SCRATCH + next() % (4 * 4096);
    case 2: return SCRATCH + 4 * 4096 - next() % 64; /* runs into the unmapped page */
    case 3: return ROPAGE + next() % 4096;
    case 4: return next() % 0x10000;                /* below the mappings */
    case 5: return LINUX_TASK_SIZE - next() % 4096; /* top of the space */
    case 6: return next();                          /* anything */
    case 7: return (uint64_t)devzero;
    case 8: return (uint64_t)devnull;
    case 9: return (uint64_t)dirfd_;
    case 10: return next() % 8192;
    default: return (uint64_t) - (int64_t)(next() % 200);
    }
}

static const uint64_t safe_calls[] = {
    LINUX_NR_read,
    LINUX_NR_pread64,
    LINUX_NR_readv,
    LINUX_NR_lseek,
    LINUX_NR_fstat,
    LINUX_NR_newfstatat,
    LINUX_NR_statx,
    LINUX_NR_getdents64,
    LINUX_NR_readlinkat,
    LINUX_NR_faccessat,
    LINUX_NR_getcwd,
    LINUX_NR_uname,
    LINUX_NR_sysinfo,
    LINUX_NR_clock_gettime,
    LINUX_NR_clock_getres,
    LINUX_NR_gettimeofday,
    LINUX_NR_getrandom,
    LINUX_NR_sched_getaffinity,
    LINUX_NR_rt_sigprocmask,
    LINUX_NR_sigaltstack,
    LINUX_NR_mmap,
    LINUX_NR_munmap,
    LINUX_NR_mprotect,
    LINUX_NR_mremap,
    LINUX_NR_brk,
    LINUX_NR_madvise,
    LINUX_NR_getrusage,
    LINUX_NR_times,
    LINUX_NR_getresuid,
    LINUX_NR_getgroups,
    LINUX_NR_fcntl,
    LINUX_NR_ioctl,
    LINUX_NR_rt_sigpending,
    LINUX_NR_set_robust_list,
    LINUX_NR_getpid,
    LINUX_NR_statfs,
    LINUX_NR_fstatfs,
    LINUX_NR_getsockname,
    LINUX_NR_wait4,
};

static void random_calls_never_fault(void **state) {
    (void)state;
    assert_int_equal(linux_space_init(&proc.space, LINUX_TASK_SIZE), 0);
    int fl = LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS | LINUX_MAP_FIXED;
    assert_true(linux_space_mmap(&proc.space, SCRATCH, 4 * 4096, 3, fl, -1, 0) > 0);
    assert_true(linux_space_mmap(&proc.space, ROPAGE, 4096, LINUX_PROT_READ, fl, -1, 0) > 0);
    linux_space_set_brk(&proc.space, 0x300000);
    snprintf(proc.exe_path, sizeof(proc.exe_path), "/guest");
    thr.proc = &proc;
    thr.cpu = &cpu;
    thr.tid = getpid();
    devzero = open("/dev/zero", O_RDONLY);
    devnull = open("/dev/null", O_RDONLY);
    dirfd_ = open("/", O_RDONLY | O_DIRECTORY);
    assert_true(devzero >= 0 && devnull >= 0 && dirfd_ >= 0);
    int answered = 0;
    for (int i = 0; i < 30000; i++) {
        uint64_t nr = safe_calls[next() % (sizeof(safe_calls) / sizeof(safe_calls[0]))];
        uint64_t a[6];
        for (int k = 0; k < 6; k++)
            a[k] = arg();
        /* keep the scratch and read-only pages and the test's descriptors in place */
        if ((nr == LINUX_NR_munmap || nr == LINUX_NR_mprotect || nr == LINUX_NR_mremap ||
             nr == LINUX_NR_mmap || nr == LINUX_NR_madvise) &&
            a[0] < ROPAGE + 4096 + (1ull << 24))
            a[0] = 0x40000000 + (next() % 64) * 4096;
        if (nr == LINUX_NR_mmap) a[3] &= ~(uint64_t)(LINUX_MAP_FIXED | 0x100000);
        if (nr == LINUX_NR_mremap) a[3] &= LINUX_MREMAP_MAYMOVE;
        if (nr == LINUX_NR_fcntl) a[1] = next() % 5; /* the getters and F_SETFD/F_SETFL */
        if (nr == LINUX_NR_wait4) a[2] |= 1;         /* WNOHANG */
        if (nr == LINUX_NR_ioctl && a[0] <= 2) a[0] = (uint64_t)devnull;
        if (nr == LINUX_NR_fcntl && a[0] <= 2) a[0] = (uint64_t)devnull;
        int64_t r = linux_syscall(&thr, nr, a);
        (void)r;
        answered++;
    }
    assert_int_equal(answered, 30000);
    /* the fixed pages are intact and the list is still sorted and disjoint */
    assert_true(linux_space_check(&proc.space, SCRATCH, 4 * 4096, 3));
    assert_int_equal(linux_space_prot_at(&proc.space, ROPAGE), LINUX_PROT_READ);
    linux_vma_t v[4096];
    size_t n = linux_space_snapshot(&proc.space, v, 4096);
    for (size_t i = 0; i < n; i++) {
        assert_true(v[i].start < v[i].end);
        assert_int_equal(v[i].start % 4096, 0);
        if (i) assert_true(v[i - 1].end <= v[i].start);
    }
    close(devzero);
    close(devnull);
    close(dirfd_);
    linux_space_destroy(&proc.space);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(random_calls_never_fault)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
