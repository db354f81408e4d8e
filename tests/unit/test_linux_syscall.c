/* test_linux_syscall.c - the user-mode system call layer without a CPU: errno and flag
 * translation, guest structure layouts filled from host calls, pointer validation (-EFAULT
 * instead of host faults), /proc/self/exe, and the one-time -ENOSYS for unknown calls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux/abi.h"
#include "linux/proc.h"
#include "linux/systable.h"
#include "riscv/cpu.h"

static linux_proc_t proc;
static linux_thread_t thr;
static rv_cpu_t cpu;        /* its hart: sigaltstack reads the stack pointer */
#define SCRATCH 0x100000ull /* guest scratch area: 4 pages read-write */
#define ROPAGE  0x200000ull /* one read-only page */

static int setup(void **state) {
    (void)state;
    if (linux_space_init(&proc.space, LINUX_TASK_SIZE)) return -1;
    int rw = LINUX_PROT_READ | LINUX_PROT_WRITE;
    int fl = LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS | LINUX_MAP_FIXED;
    if (linux_space_mmap(&proc.space, SCRATCH, 4 * 4096, rw, fl, -1, 0) < 0) return -1;
    if (linux_space_mmap(&proc.space, ROPAGE, 4096, LINUX_PROT_READ, fl, -1, 0) < 0) return -1;
    snprintf(proc.exe_path, sizeof(proc.exe_path), "/some/guest/program");
    thr.proc = &proc;
    thr.cpu = &cpu;
    thr.tid = getpid();
    return 0;
}

static int teardown(void **state) {
    (void)state;
    linux_space_destroy(&proc.space);
    return 0;
}

static void *g(uint64_t a) {
    return linux_space_ptr(&proc.space, a);
}
static int64_t sc(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                  uint64_t a5) {
    uint64_t a[6] = {a0, a1, a2, a3, a4, a5};
    return linux_syscall(&thr, nr, a);
}
static uint64_t put_str(uint64_t at, const char *s) {
    strcpy(g(at), s);
    return at;
}

static void errno_table(void **state) {
    (void)state;
    assert_int_equal(linux_errno_from_host(ENOENT), LINUX_ENOENT);
    assert_int_equal(linux_errno_from_host(EAGAIN), LINUX_EAGAIN);
    assert_int_equal(linux_errno_from_host(ENOSYS), LINUX_ENOSYS);
    assert_int_equal(linux_errno_from_host(ECONNREFUSED), LINUX_ECONNREFUSED);
    assert_int_equal(linux_errno_from_host(ENOTEMPTY), 39);
    assert_int_equal(linux_errno_from_host(ETIMEDOUT), 110);
    assert_int_equal(linux_errno_from_host(987654), LINUX_EINVAL);
}

static void flag_tables(void **state) {
    (void)state;
    uint64_t gf = 1 | LINUX_O_CREAT | LINUX_O_CLOEXEC | LINUX_O_DIRECTORY | LINUX_O_NONBLOCK;
    int hf = linux_open_flags_to_host(gf);
    assert_int_equal(hf, O_WRONLY | O_CREAT | O_CLOEXEC | O_DIRECTORY | O_NONBLOCK);
    assert_int_equal(linux_open_flags_from_host(O_RDWR | O_APPEND), 2 | LINUX_O_APPEND);
    assert_int_equal(linux_sig_to_host(LINUX_SIGUSR1), SIGUSR1);
    assert_int_equal(linux_sig_to_host(LINUX_SIGCHLD), SIGCHLD);
    assert_int_equal(linux_sig_from_host(SIGSEGV), LINUX_SIGSEGV);
    assert_int_equal(linux_sig_from_host(SIGRTMIN), 34);
    assert_int_equal(linux_sig_to_host(34), SIGRTMIN);
    assert_int_equal(linux_sig_to_host(0), 0);
    assert_int_equal(linux_sig_to_host(65), 0);
}

static void file_calls_and_stat_layout(void **state) {
    (void)state;
    char tmpl[] = "/tmp/vm-sc-test-XXXXXX";
    int hfd = mkstemp(tmpl);
    assert_true(hfd >= 0);
    close(hfd);
    uint64_t path = put_str(SCRATCH, tmpl);
    int64_t fd = sc(LINUX_NR_openat, (uint64_t)LINUX_AT_FDCWD, path, 2 | LINUX_O_TRUNC, 0, 0, 0);
    assert_true(fd >= 0);
    uint64_t buf = put_str(SCRATCH + 256, "0123456789");
    assert_int_equal(sc(LINUX_NR_write, (uint64_t)fd, buf, 10, 0, 0, 0), 10);
    assert_int_equal(sc(LINUX_NR_lseek, (uint64_t)fd, 2, SEEK_SET, 0, 0, 0), 2);
    assert_int_equal(sc(LINUX_NR_read, (uint64_t)fd, SCRATCH + 512, 3, 0, 0, 0), 3);
    assert_memory_equal(g(SCRATCH + 512), "234", 3);
    /* fstat fills the 128-byte asm-generic struct stat */
    memset(g(SCRATCH + 1024), 0xee, 256);
    assert_int_equal(sc(LINUX_NR_fstat, (uint64_t)fd, SCRATCH + 1024, 0, 0, 0, 0), 0);
    const uint8_t *st = g(SCRATCH + 1024);
    int64_t size;
    uint32_t mode;
    memcpy(&size, st + 48, 8);
    memcpy(&mode, st + 16, 4);
    assert_int_equal(size, 10);
    assert_true(S_ISREG(mode));
    assert_int_equal(st[128], 0xee); /* nothing written past the structure */
    struct stat hs;
    assert_int_equal(stat(tmpl, &hs), 0);
    uint64_t ino;
    memcpy(&ino, st + 8, 8);
    assert_int_equal(ino, hs.st_ino);
    /* newfstatat through a path gives the same */
    assert_int_equal(
        sc(LINUX_NR_newfstatat, (uint64_t)LINUX_AT_FDCWD, path, SCRATCH + 1536, 0, 0, 0), 0);
    assert_memory_equal(g(SCRATCH + 1536), st, 128);
    /* bad buffers are -EFAULT, not host faults */
    assert_int_equal(sc(LINUX_NR_read, (uint64_t)fd, 0x5000000, 3, 0, 0, 0), -LINUX_EFAULT);
    assert_int_equal(sc(LINUX_NR_read, (uint64_t)fd, ROPAGE, 3, 0, 0, 0), -LINUX_EFAULT);
    assert_int_equal(sc(LINUX_NR_fstat, (uint64_t)fd, ROPAGE, 0, 0, 0, 0), -LINUX_EFAULT);
    assert_int_equal(sc(LINUX_NR_write, (uint64_t)fd, UINT64_MAX - 2, 10, 0, 0, 0), -LINUX_EFAULT);
    assert_int_equal(sc(LINUX_NR_close, (uint64_t)fd, 0, 0, 0, 0, 0), 0);
    assert_int_equal(sc(LINUX_NR_close, (uint64_t)fd, 0, 0, 0, 0, 0), -LINUX_EBADF);
    /* a path running into an unmapped page */
    memset(g(SCRATCH + 4 * 4096 - 8), 'x', 8);
    assert_int_equal(
        sc(LINUX_NR_openat, (uint64_t)LINUX_AT_FDCWD, SCRATCH + 4 * 4096 - 8, 0, 0, 0, 0),
        -LINUX_EFAULT);
    assert_int_equal(sc(LINUX_NR_unlinkat, (uint64_t)LINUX_AT_FDCWD, path, 0, 0, 0, 0), 0);
    assert_int_equal(sc(LINUX_NR_openat, (uint64_t)LINUX_AT_FDCWD, path, 0, 0, 0, 0),
                     -LINUX_ENOENT);
}

static void proc_self_exe_and_uname(void **state) {
    (void)state;
    uint64_t p = put_str(SCRATCH, "/proc/self/exe");
    int64_t n = sc(LINUX_NR_readlinkat, (uint64_t)LINUX_AT_FDCWD, p, SCRATCH + 100, 200, 0, 0);
    assert_int_equal(n, strlen("/some/guest/program"));
    assert_memory_equal(g(SCRATCH + 100), "/some/guest/program", (size_t)n);
    assert_int_equal(sc(LINUX_NR_uname, SCRATCH, 0, 0, 0, 0, 0), 0);
    const linux_utsname_t *u = g(SCRATCH);
    assert_string_equal(u->sysname, "Linux");
    assert_string_equal(u->machine, "riscv64");
    assert_int_equal(sc(LINUX_NR_uname, ROPAGE, 0, 0, 0, 0, 0), -LINUX_EFAULT);
}

static void time_and_misc(void **state) {
    (void)state;
    assert_int_equal(sc(LINUX_NR_clock_gettime, 1 /* MONOTONIC */, SCRATCH, 0, 0, 0, 0), 0);
    const linux_timespec_t *ts = g(SCRATCH);
    assert_true(ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000);
    assert_true(ts->tv_sec > 0 || ts->tv_nsec > 0);
    assert_int_equal(sc(LINUX_NR_sysinfo, SCRATCH, 0, 0, 0, 0, 0), 0);
    const linux_sysinfo_t *si = g(SCRATCH);
    assert_true(si->totalram > 0 && si->mem_unit > 0);
    assert_int_equal(sc(LINUX_NR_prlimit64, 0, 7 /* NOFILE */, 0, SCRATCH, 0, 0), 0);
    const linux_rlimit_t *rl = g(SCRATCH);
    assert_true(rl->rlim_cur > 0 && rl->rlim_cur <= rl->rlim_max);
    assert_int_equal(sc(LINUX_NR_getpid, 0, 0, 0, 0, 0, 0), getpid());
    assert_int_equal(sc(LINUX_NR_set_tid_address, SCRATCH, 0, 0, 0, 0, 0), thr.tid);
    assert_int_equal(thr.clear_child_tid, SCRATCH);
    assert_int_equal(sc(LINUX_NR_rseq, 0, 0, 0, 0, 0, 0), -LINUX_ENOSYS);
    assert_int_equal(sc(LINUX_NR_getrandom, SCRATCH, 64, 0, 0, 0, 0), 64);
    /* pipe2 writes two ints; data flows through */
    assert_int_equal(sc(LINUX_NR_pipe2, SCRATCH, LINUX_O_CLOEXEC, 0, 0, 0, 0), 0);
    int32_t fds[2];
    memcpy(fds, g(SCRATCH), 8);
    put_str(SCRATCH + 64, "ping");
    assert_int_equal(sc(LINUX_NR_write, (uint64_t)fds[1], SCRATCH + 64, 4, 0, 0, 0), 4);
    assert_int_equal(sc(LINUX_NR_read, (uint64_t)fds[0], SCRATCH + 128, 4, 0, 0, 0), 4);
    assert_memory_equal(g(SCRATCH + 128), "ping", 4);
    assert_int_equal(sc(LINUX_NR_fcntl, (uint64_t)fds[0], LINUX_F_GETFD, 0, 0, 0, 0),
                     LINUX_FD_CLOEXEC);
    sc(LINUX_NR_close, (uint64_t)fds[0], 0, 0, 0, 0, 0);
    sc(LINUX_NR_close, (uint64_t)fds[1], 0, 0, 0, 0, 0);
}

static void signal_mask_calls(void **state) {
    (void)state;
    uint64_t set = (1ull << (LINUX_SIGUSR1 - 1)) | (1ull << (LINUX_SIGKILL - 1));
    memcpy(g(SCRATCH), &set, 8);
    assert_int_equal(sc(LINUX_NR_rt_sigprocmask, LINUX_SIG_BLOCK, SCRATCH, SCRATCH + 8, 8, 0, 0),
                     0);
    assert_int_equal(thr.sigmask, 1ull << (LINUX_SIGUSR1 - 1)); /* SIGKILL cannot be blocked */
    assert_int_equal(sc(LINUX_NR_rt_sigprocmask, LINUX_SIG_BLOCK, SCRATCH, 0, 16, 0, 0),
                     -LINUX_EINVAL);
    assert_int_equal(sc(LINUX_NR_rt_sigprocmask, 7, SCRATCH, 0, 8, 0, 0), -LINUX_EINVAL);
    assert_int_equal(sc(LINUX_NR_rt_sigprocmask, LINUX_SIG_SETMASK, SCRATCH + 8, 0, 8, 0, 0), 0);
    assert_int_equal(thr.sigmask, 0);
    /* sigaltstack: too small, then a good one read back */
    linux_stack_t ss = {SCRATCH, 0, 0, 100};
    memcpy(g(SCRATCH), &ss, sizeof(ss));
    assert_int_equal(sc(LINUX_NR_sigaltstack, SCRATCH, 0, 0, 0, 0, 0), -LINUX_ENOMEM);
    ss.ss_size = 8192;
    memcpy(g(SCRATCH), &ss, sizeof(ss));
    assert_int_equal(sc(LINUX_NR_sigaltstack, SCRATCH, SCRATCH + 64, 0, 0, 0, 0), 0);
    assert_int_equal(sc(LINUX_NR_sigaltstack, 0, SCRATCH + 64, 0, 0, 0, 0), 0);
    linux_stack_t back;
    memcpy(&back, g(SCRATCH + 64), sizeof(back));
    assert_int_equal(back.ss_sp, SCRATCH);
    assert_int_equal(back.ss_size, 8192);
    assert_int_equal(back.ss_flags, 0);
    /* with the stack pointer on it: SS_ONSTACK, and no change allowed */
    cpu.x[2] = SCRATCH + 4096;
    assert_int_equal(sc(LINUX_NR_sigaltstack, SCRATCH, SCRATCH + 64, 0, 0, 0, 0), -LINUX_EPERM);
    assert_int_equal(sc(LINUX_NR_sigaltstack, 0, SCRATCH + 64, 0, 0, 0, 0), 0);
    memcpy(&back, g(SCRATCH + 64), sizeof(back));
    assert_int_equal(back.ss_flags, LINUX_SS_ONSTACK);
    cpu.x[2] = 0;
    /* rt_sigaction rejects SIGKILL and bad sizes */
    assert_int_equal(sc(LINUX_NR_rt_sigaction, LINUX_SIGKILL, SCRATCH, 0, 8, 0, 0), -LINUX_EINVAL);
    assert_int_equal(sc(LINUX_NR_rt_sigaction, LINUX_SIGUSR2, 0, SCRATCH, 4, 0, 0), -LINUX_EINVAL);
    assert_int_equal(sc(LINUX_NR_rt_sigaction, LINUX_SIGUSR2, 0, SCRATCH, 8, 0, 0), 0);
}

static void memory_calls(void **state) {
    (void)state;
    int64_t a = sc(LINUX_NR_mmap, 0, 8192, LINUX_PROT_READ | LINUX_PROT_WRITE,
                   LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS, (uint64_t)-1, 0);
    assert_true(a > 0);
    assert_int_equal(sc(LINUX_NR_mprotect, (uint64_t)a, 4096, LINUX_PROT_READ, 0, 0, 0), 0);
    assert_int_equal(sc(LINUX_NR_read, 0, (uint64_t)a, 1, 0, 0, 0), -LINUX_EFAULT);
    assert_int_equal(sc(LINUX_NR_munmap, (uint64_t)a, 8192, 0, 0, 0, 0), 0);
    assert_int_equal(
        sc(LINUX_NR_mmap, 0, 0, 3, LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS, (uint64_t)-1, 0),
        -LINUX_EINVAL);
    /* a bad descriptor for a file mapping */
    assert_int_equal(sc(LINUX_NR_mmap, 0, 4096, 1, LINUX_MAP_PRIVATE, 999, 0), -LINUX_EBADF);
}

static void unknown_call_is_enosys(void **state) {
    (void)state;
    assert_int_equal(sc(4000, 0, 0, 0, 0, 0, 0), -LINUX_ENOSYS);
    assert_int_equal(sc(449, 0, 0, 0, 0, 0, 0), -LINUX_ENOSYS);
    /* silent by default: nothing logged (--log=unimp is off) */
    assert_false(proc.warned[449 / 64] & (1ull << (449 % 64)));
    assert_int_equal(sc(LINUX_NR_riscv_hwprobe, 0, 0, 0, 0, 0, 0), -LINUX_ENOSYS);
    assert_string_equal(linux_systable_find(LINUX_NR_openat)->name, "openat");
    assert_null(linux_systable_find(4000));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(errno_table),
        cmocka_unit_test(flag_tables),
        cmocka_unit_test(file_calls_and_stat_layout),
        cmocka_unit_test(proc_self_exe_and_uname),
        cmocka_unit_test(time_and_misc),
        cmocka_unit_test(signal_mask_calls),
        cmocka_unit_test(memory_calls),
        cmocka_unit_test(unknown_call_is_enosys),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
