/* fuzz_linux_syscall.c - libFuzzer target: the input is a script of system calls (a call
 * number picked from the calls that cannot hurt the host, six arguments built from the input)
 * run against a small guest space with mapped, read-only and unmapped pages. Every call must
 * return a value without a host fault, and the address space must stay consistent. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "linux/abi.h"
#include "linux/proc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SCRATCH 0x100000ull
#define ROPAGE  0x200000ull

static const uint64_t calls[] = {
    LINUX_NR_read,           LINUX_NR_pread64,       LINUX_NR_readv,        LINUX_NR_lseek,
    LINUX_NR_fstat,          LINUX_NR_newfstatat,    LINUX_NR_statx,        LINUX_NR_getdents64,
    LINUX_NR_readlinkat,     LINUX_NR_faccessat,     LINUX_NR_getcwd,       LINUX_NR_uname,
    LINUX_NR_sysinfo,        LINUX_NR_clock_gettime, LINUX_NR_gettimeofday, LINUX_NR_getrandom,
    LINUX_NR_rt_sigprocmask, LINUX_NR_sigaltstack,   LINUX_NR_mmap,         LINUX_NR_munmap,
    LINUX_NR_mprotect,       LINUX_NR_mremap,        LINUX_NR_brk,          LINUX_NR_madvise,
    LINUX_NR_times,          LINUX_NR_getresuid,     LINUX_NR_getgroups,    LINUX_NR_ioctl,
    LINUX_NR_rt_sigpending,  LINUX_NR_statfs,        LINUX_NR_getsockname,  LINUX_NR_epoll_ctl,
    LINUX_NR_prlimit64,
};

static uint64_t take(const uint8_t **p, const uint8_t *end, unsigned n) {
    uint64_t v = 0;
    for (unsigned i = 0; i < n && *p < end; i++)
        v |= (uint64_t) * (*p)++ << (8 * i);
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static linux_proc_t proc;
    static linux_thread_t thr;
    static rv_cpu_t hart; /* a thread's hart: calls such as sigaltstack read its sp */
    static int fds[3] = {-1, -1, -1};
    if (fds[0] < 0) {
        fds[0] = open("/dev/zero", O_RDONLY);
        fds[1] = open("/", O_RDONLY | O_DIRECTORY);
        fds[2] = open("/dev/null", O_RDWR);
    }
    memset(&proc, 0, sizeof(proc));
    memset(&thr, 0, sizeof(thr));
    if (linux_space_init(&proc.space, 1ull << 32) != 0) return 0;
    int fl = LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS | LINUX_MAP_FIXED;
    linux_space_mmap(&proc.space, SCRATCH, 4 * 4096, 3, fl, -1, 0);
    linux_space_mmap(&proc.space, ROPAGE, 4096, LINUX_PROT_READ, fl, -1, 0);
    linux_space_set_brk(&proc.space, 0x300000);
    strcpy(proc.exe_path, "/guest");
    thr.proc = &proc;
    thr.tid = getpid();
    rv_cpu_reset(&hart);
    hart.x[2] = SCRATCH + 4 * 4096 - 64; /* sp inside the scratch pages */
    thr.cpu = &hart;
    const uint8_t *p = data, *end = data + size;
    /* the first bytes fill the scratch pages (paths, structures) */
    size_t fill = size < 256 ? size : 256;
    memcpy(linux_space_ptr(&proc.space, SCRATCH), data, fill);
    while (p < end) {
        uint64_t nr = calls[take(&p, end, 1) % (sizeof(calls) / sizeof(calls[0]))];
        uint64_t a[6];
        for (int k = 0; k < 6; k++) {
            uint64_t kind = take(&p, end, 1);
            switch (kind % 6) {
            case 0: a[k] = take(&p, end, 1); break;
            case 1: a[k] = SCRATCH + take(&p, end, 2) % (5 * 4096); break;
            case 2: a[k] = ROPAGE + take(&p, end, 2) % 4096; break;
            case 3: a[k] = (uint64_t)fds[take(&p, end, 1) % 3]; break;
            case 4: a[k] = take(&p, end, 8); break;
            default: a[k] = 0x40000000 + (take(&p, end, 1) % 64) * 4096; break;
            }
        }
        /* Reads go to the target's own descriptors: any other small number may be a pipe
         * the process inherited or the sanitizer's symbolizer opened, which never delivers. */
        if (nr == LINUX_NR_read || nr == LINUX_NR_pread64 || nr == LINUX_NR_readv)
            a[0] = (uint64_t)fds[a[0] % 3];
        if (nr == LINUX_NR_mmap) a[3] &= ~(uint64_t)(LINUX_MAP_FIXED | 0x100000);
        if ((nr == LINUX_NR_munmap || nr == LINUX_NR_mprotect || nr == LINUX_NR_mremap ||
             nr == LINUX_NR_madvise) &&
            a[0] < ROPAGE + 4096)
            a[0] = 0x40000000;
        if (nr == LINUX_NR_mremap) a[3] &= LINUX_MREMAP_MAYMOVE;
        if (nr == LINUX_NR_ioctl && a[0] <= 2) a[0] = (uint64_t)fds[2];
        if (nr == LINUX_NR_prlimit64) a[2] = 0; /* read limits, never set them */
        linux_syscall(&thr, nr, a);
    }
    linux_vma_t v[512];
    size_t n = linux_space_snapshot(&proc.space, v, 512);
    for (size_t i = 1; i < n; i++)
        if (v[i - 1].end > v[i].start) __builtin_trap();
    linux_space_destroy(&proc.space);
    return 0;
}
