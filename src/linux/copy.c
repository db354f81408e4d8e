/* copy.c - guest memory copies for the host side that survive concurrent unmapping.
 *
 * The guest space is one host reservation in which every guest page the guest has not mapped
 * (or has protected) is a host page with the same (or no) access, so a stale check can only
 * ever end in a host SIGSEGV or SIGBUS at a guest address. Each copy first checks the VMA
 * list, which gives the guest's answer (-EFAULT) for pages that are simply not there, and
 * then copies with a recovery point armed: a per-thread sigjmp_buf taken without saving the
 * signal mask (no system call on the fast path). The host fault handler (signal.c) asks
 * linux_copy_active() and, when the faulting address is a guest one, calls linux_copy_fault(),
 * which unblocks the fault signals (the handler runs with them blocked and does not return
 * normally) and jumps back; the copy then reports -LINUX_EFAULT. Compiler fences keep the
 * copy's memory accesses inside the armed window. */
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

#include "linux/copy.h"
#include "riscv/cpu.h"

/* The recovery point of this host thread. */
static _Thread_local struct {
    sigjmp_buf jb;               /* where a fault in a copy resumes */
    volatile sig_atomic_t armed; /* a copy is in progress */
} rec;

bool linux_copy_active(void) {
    return rec.armed != 0;
}

void linux_copy_fault(void) {
    if (!rec.armed) return;
    rec.armed = 0;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGSEGV);
    sigaddset(&set, SIGBUS);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    siglongjmp(rec.jb, 1);
}

/* memcpy under the recovery point. 0 or -LINUX_EFAULT. */
static __attribute__((noinline)) int guarded_copy(void *dst, const void *src, size_t n) {
    if (sigsetjmp(rec.jb, 0)) return -LINUX_EFAULT;
    rec.armed = 1;
    atomic_signal_fence(memory_order_seq_cst);
    memcpy(dst, src, n);
    atomic_signal_fence(memory_order_seq_cst);
    rec.armed = 0;
    return 0;
}

int linux_copy_from_guest(linux_thread_t *t, void *dst, uint64_t src, size_t n) {
    linux_space_t *sp = &t->proc->space;
    if (!n) return 0;
    if (!linux_space_check(sp, src, n, LINUX_PROT_READ)) return -LINUX_EFAULT;
    return guarded_copy(dst, linux_space_ptr(sp, src), n);
}

int linux_copy_to_guest(linux_thread_t *t, uint64_t dst, const void *src, size_t n) {
    linux_space_t *sp = &t->proc->space;
    if (!n) return 0;
    if (!linux_space_check(sp, dst, n, LINUX_PROT_WRITE)) return -LINUX_EFAULT;
    linux_space_host_writes(sp, t->cpu->page_flags, dst, n); /* for fence.i */
    return guarded_copy(linux_space_ptr(sp, dst), src, n);
}

/* Copy up to n bytes of the string at src into dst, stopping after a NUL; returns the bytes
 * copied (the NUL included when one was found). */
static __attribute__((noinline)) size_t str_part(char *dst, const char *src, size_t n) {
    const char *z = memchr(src, 0, n);
    size_t k = z ? (size_t)(z - src) + 1 : n;
    memcpy(dst, src, k);
    return k;
}

/* str_part under the recovery point: *len is its result. 0 or -LINUX_EFAULT. */
static __attribute__((noinline)) int guarded_str(char *dst, const char *src, size_t n,
                                                 size_t *len) {
    if (sigsetjmp(rec.jb, 0)) return -LINUX_EFAULT;
    rec.armed = 1;
    atomic_signal_fence(memory_order_seq_cst);
    *len = str_part(dst, src, n);
    atomic_signal_fence(memory_order_seq_cst);
    rec.armed = 0;
    return 0;
}

int linux_copy_str_from_guest(linux_thread_t *t, char *dst, uint64_t src, size_t n) {
    linux_space_t *sp = &t->proc->space;
    size_t got = 0;
    while (got < n) {
        uint64_t a = src + got;
        uint64_t page_left = LINUX_PAGE_SIZE - (a & (LINUX_PAGE_SIZE - 1));
        size_t chunk = page_left < n - got ? (size_t)page_left : n - got;
        if (a < src || !linux_space_check(sp, a, chunk, LINUX_PROT_READ)) return -LINUX_EFAULT;
        size_t k;
        if (guarded_str(dst + got, linux_space_ptr(sp, a), chunk, &k)) return -LINUX_EFAULT;
        if (dst[got + k - 1] == 0) return 0;
        got += k;
    }
    return -LINUX_ENAMETOOLONG;
}

/* Atomic 32-bit store under the recovery point. 0 or -LINUX_EFAULT. */
static __attribute__((noinline)) int guarded_store32(_Atomic uint32_t *w, uint32_t v) {
    if (sigsetjmp(rec.jb, 0)) return -LINUX_EFAULT;
    rec.armed = 1;
    atomic_signal_fence(memory_order_seq_cst);
    atomic_store(w, v);
    atomic_signal_fence(memory_order_seq_cst);
    rec.armed = 0;
    return 0;
}

int linux_put_u32_atomic(linux_thread_t *t, uint64_t dst, uint32_t v) {
    linux_space_t *sp = &t->proc->space;
    if ((dst & 3) || !linux_space_check(sp, dst, 4, LINUX_PROT_WRITE)) return -LINUX_EFAULT;
    linux_space_host_writes(sp, t->cpu->page_flags, dst, 4); /* for fence.i */
    return guarded_store32(linux_space_ptr(sp, dst), v);
}
