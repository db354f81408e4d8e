/* sys_mm.c - system calls on the guest address space: brk, mmap, munmap, mprotect, mremap,
 * madvise and msync, and the RISC-V cache and memory-ordering calls.
 *
 * The address space itself (the VMA list, host reservations, the break) lives in space.c;
 * these handlers only unpack the arguments. A call that can change code the guest has run
 * (riscv_flush_icache) tells every hart to drop what it decoded. */
#include <sys/mman.h>

#include "linux/sys_util.h"
#include "riscv/cpu.h"

/* brk(addr): the new break, or the current one when addr cannot be used. */
int64_t sys_brk(linux_thread_t *t, const uint64_t a[6]) {
    return (int64_t)linux_space_brk(&t->proc->space, a[0]);
}

/* mmap(addr, length, prot, flags, fd, offset): the descriptor is ignored for anonymous maps. */
int64_t sys_mmap(linux_thread_t *t, const uint64_t a[6]) {
    int flags = (int)a[3];
    int fd = (flags & LINUX_MAP_ANONYMOUS) ? -1 : (int)a[4];
    return linux_space_mmap(&t->proc->space, a[0], a[1], (int)a[2], flags, fd, a[5]);
}

/* munmap(addr, length). */
int64_t sys_munmap(linux_thread_t *t, const uint64_t a[6]) {
    return linux_space_munmap(&t->proc->space, a[0], a[1]);
}

/* mprotect(addr, length, prot): PROT_GROWSDOWN (glibc's way of making the stack executable)
 * applies the change to the given range only, which is where glibc asks for it. */
int64_t sys_mprotect(linux_thread_t *t, const uint64_t a[6]) {
    int prot = (int)a[2];
    if ((prot & LINUX_PROT_GROWSDOWN) && (prot & LINUX_PROT_GROWSUP)) return -LINUX_EINVAL;
    prot &= ~(LINUX_PROT_GROWSDOWN | LINUX_PROT_GROWSUP);
    return linux_space_mprotect(&t->proc->space, a[0], a[1], prot);
}

/* mremap(old_address, old_size, new_size, flags, new_address). */
int64_t sys_mremap(linux_thread_t *t, const uint64_t a[6]) {
    return linux_space_mremap(&t->proc->space, a[0], a[1], a[2], (int)a[3], a[4]);
}

/* madvise(addr, length, advice): MADV_DONTNEED zeroes the pages, other advice is ignored. */
int64_t sys_madvise(linux_thread_t *t, const uint64_t a[6]) {
    if (a[2] == LINUX_MADV_DONTNEED) return linux_space_dontneed(&t->proc->space, a[0], a[1]);
    return 0;
}

/* msync(addr, length, flags). */
int64_t sys_msync(linux_thread_t *t, const uint64_t a[6]) {
    return sys_ret(msync(linux_space_ptr(&t->proc->space, a[0]), a[1], (int)a[2]));
}

/* mincore(addr, length, vec): -ENOMEM when part of the range is not mapped (the host would
 * see vm's reservation there), else the host's answer for the guest pages. */
int64_t sys_mincore(linux_thread_t *t, const uint64_t a[6]) {
    if (a[0] & (LINUX_PAGE_SIZE - 1)) return -LINUX_EINVAL;
    uint64_t len = (a[1] + LINUX_PAGE_SIZE - 1) & ~(uint64_t)(LINUX_PAGE_SIZE - 1);
    if (len < a[1]) return -LINUX_ENOMEM;
    if (!linux_space_check(&t->proc->space, a[0], len, 0)) return -LINUX_ENOMEM;
    BUF_ARG(vec, a[2], len / LINUX_PAGE_SIZE, WR);
    return sys_ret(mincore(linux_space_ptr(&t->proc->space, a[0]), a[1], vec));
}

/* riscv_flush_icache(start, end, flags): the code this thread runs next is what memory holds.
 * Stores by any thread into decoded code are seen already (shared page flags): they dropped
 * the code of their pages in every thread. What the flags cannot see is counted
 * (linux_space_t.unseen_code: the host kernel or vm wrote into code, a read into the page; a
 * shared mapping exists): when that count moved since the last such flush, every hart drops
 * all of its decoded and translated code, as Linux flushes every hart's cache (the range is
 * ignored, as Linux does), else nothing is left to drop. The other threads drop theirs before
 * their next block (rv_cpu_code_written_all kicks them), not at their next stop, so a thread
 * that sees a flag the caller stores after the call runs the new code.
 * SYS_RISCV_FLUSH_ICACHE_LOCAL (1): this thread alone, as Linux, by fence.i's rule. */
int64_t sys_riscv_flush_icache(linux_thread_t *t, const uint64_t a[6]) {
    if (a[2] & ~1ull) return -LINUX_EINVAL;
    linux_proc_t *p = t->proc;
    if (!t->cpu->code_share) {
        linux_code_changed(t, 0, UINT64_MAX); /* a vfork child: its own and its process's */
    } else if (a[2] & 1) {
        exec_fence_i(t->cpu);
    } else {
        uint64_t n = atomic_load(&p->space.unseen_code);
        if (n != atomic_load(&p->unseen_all) || (n & RV_UNSEEN_ALWAYS)) {
            atomic_store(&p->unseen_all, n);
            rv_cpu_code_written_all(t->cpu); /* this hart too, before its next block */
        }
    }
    return 0;
}

/* membarrier(cmd, flags, cpu_id): -ENOSYS without a warning; C libraries do without. */
int64_t sys_membarrier(linux_thread_t *t, const uint64_t a[6]) {
    (void)t, (void)a;
    return -LINUX_ENOSYS;
}
