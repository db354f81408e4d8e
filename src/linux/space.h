/* space.h - the guest's virtual address space in user mode.
 *
 * The whole guest space [0, size) is one reserved host range (PROT_NONE, MAP_NORESERVE) with
 * PROT_NONE guard regions on both sides; guest address a lives at host address base + a. Guest
 * mmap/munmap/mprotect/mremap/brk become host mappings placed with MAP_FIXED inside the
 * reservation, and a sorted list of areas (VMAs) records what the guest has mapped, with
 * which protection, so that the syscall layer can validate guest buffers and the fault
 * handler can tell an unmapped page (SEGV_MAPERR) from a protected one (SEGV_ACCERR). */
#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One mapped guest area [start, end), page aligned. */
typedef struct linux_vma {
    uint64_t start; /* first guest address */
    uint64_t end;   /* one past the last guest address */
    int prot;       /* LINUX_PROT_* as the guest asked */
    int flags;      /* LINUX_MAP_SHARED / LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS */
    bool charged;   /* counted in the committed memory (see linux_space_t.committed) */
} linux_vma_t;

/* Called after a range's mapping changed (unmap, remap, protection), so that decoded code
 * of that range can be dropped. */
typedef void (*linux_space_change_fn)(void *ctx, uint64_t start, uint64_t len);

/* The guest address space. */
typedef struct linux_space {
    uint8_t *base;                   /* host address of guest address 0 */
    uint64_t size;                   /* guest addresses are [0, size) */
    uint8_t *resv;                   /* host reservation, guards included */
    size_t resv_len;                 /* its length */
    pthread_mutex_t lock;            /* guards the VMA list and brk */
    linux_vma_t *vma;                /* sorted, non-overlapping areas */
    size_t nvma;                     /* number in use */
    size_t cap;                      /* allocated entries */
    uint64_t mmap_top;               /* top-down allocation starts below this */
    uint64_t mmap_min;               /* lowest address mmap hands out (mmap_min_addr) */
    uint64_t brk_start;              /* initial program break (end of the executable's bss) */
    uint64_t brk_cur;                /* current program break */
    linux_space_change_fn on_change; /* decode-cache invalidation hook, may be NULL */
    void *on_change_ctx;             /* its argument */
    uint64_t committed;              /* bytes of charged areas: memory the guest may make the
                                        host back (Linux's overcommit accounting: private
                                        writable mappings, brk, the stack, shared anonymous
                                        mappings; charged while mapped once it was made) */
    uint64_t commit_limit;           /* committed may not grow past this: mmap, mremap, brk and
                                        mprotect fail with ENOMEM instead (0: no limit) */
    _Atomic uint64_t unseen_code;    /* code changes the harts' page flags cannot see, for
                                        fence.i (rv_cpu_t.unseen_code): bumped when the host
                                        kernel or vm writes into pages holding decoded code
                                        (linux_space_host_writes); RV_UNSEEN_ALWAYS once a
                                        MAP_SHARED area was mapped (another process, or a
                                        second mapping of the same memory, may store into
                                        code) */
} linux_space_t;

/* The smallest guest space vm runs a program in (below it, `ulimit -v` is too small). */
#define LINUX_SPACE_MIN (64ull << 20)

/* Host bytes of guard region on each side of the reservation. */
#define LINUX_SPACE_GUARD (1ull << 20)

/* The guest space size for this host process: LINUX_TASK_SIZE, or under an address-space
 * limit (RLIMIT_AS, `ulimit -v`) a quarter of what the limit leaves, in whole MiB, so that
 * vm's own mappings, a thread's code caches and execve's check of the next program fit
 * beside it. */
uint64_t linux_space_host_size(void);

/* Reserve a guest space of size bytes (a multiple of the page size); 0 or -errno (host). */
int linux_space_init(linux_space_t *sp, uint64_t size) __attribute__((warn_unused_result));
/* Release the reservation and every mapping in it. */
void linux_space_destroy(linux_space_t *sp);

/* Host pointer of guest address a (no check: use linux_space_check first). */
static inline void *linux_space_ptr(const linux_space_t *sp, uint64_t a) {
    return sp->base + a;
}

/* Guest mmap: returns the guest address or -LINUX_E*. fd is a host descriptor (or -1 for an
 * anonymous mapping); prot/flags are guest values. */
int64_t linux_space_mmap(linux_space_t *sp, uint64_t addr, uint64_t len, int prot, int flags,
                         int fd, uint64_t off);
/* Guest munmap: 0 or -LINUX_E*. */
int linux_space_munmap(linux_space_t *sp, uint64_t addr, uint64_t len);
/* Guest mprotect: 0 or -LINUX_E* (-ENOMEM when part of the range is unmapped). */
int linux_space_mprotect(linux_space_t *sp, uint64_t addr, uint64_t len, int prot);
/* Guest mremap: new guest address or -LINUX_E*. */
int64_t linux_space_mremap(linux_space_t *sp, uint64_t old, uint64_t old_len, uint64_t new_len,
                           int flags, uint64_t new_addr);
/* The host kernel or vm itself is about to write guest memory [a, a+len) (a system call's
 * buffer, a structure vm fills): when a page of it holds decoded code (flags: the writing
 * hart's page flags, NULL: none), count a change the flags cannot see, so that the next
 * fence.i of every thread drops its code. */
void linux_space_host_writes(linux_space_t *sp, const uint8_t *flags, uint64_t a, uint64_t len);
/* Guest madvise(MADV_DONTNEED): zero private anonymous pages; 0 or -LINUX_E*. */
int linux_space_dontneed(linux_space_t *sp, uint64_t addr, uint64_t len);
/* Set the initial program break (end of the executable image, rounded up to a page). */
void linux_space_set_brk(linux_space_t *sp, uint64_t brk);
/* Guest brk: move the break to want when possible; returns the break in force. */
uint64_t linux_space_brk(linux_space_t *sp, uint64_t want);

/* True when [a, a+len) is entirely mapped with at least prot (LINUX_PROT_* bits). */
bool linux_space_check(linux_space_t *sp, uint64_t a, uint64_t len, int prot);
/* Protection of the page holding a, or -1 when unmapped (for fault classification). */
int linux_space_prot_at(linux_space_t *sp, uint64_t a);
/* Find a free range of len bytes below the allocation top; 0 when none (for tests too). */
uint64_t linux_space_find_free(linux_space_t *sp, uint64_t len);
/* Copy out the VMA list (up to max entries) for tests and /proc/self/maps; returns count. */
size_t linux_space_snapshot(linux_space_t *sp, linux_vma_t *out, size_t max);
