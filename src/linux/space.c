/* space.c - guest address space: one host reservation, guest mappings placed inside it.
 *
 * The reservation is a single PROT_NONE MAP_NORESERVE mapping, so it costs no memory until
 * the guest maps something. A guest mapping is a host mmap(MAP_FIXED) at base + address;
 * unmapping puts a fresh PROT_NONE NORESERVE mapping back, so the range stays reserved and
 * no other host allocation can land in the guest's space. The VMA list is a sorted array:
 * guests have tens to a few thousand areas, and every operation first "carves" the list so
 * that no area straddles the boundaries of the range it touches, then works on whole areas.
 * Guest PROT_EXEC becomes host PROT_READ: the interpreter reads instructions as data.
 *
 * Committed memory (--memory-limit): each area carries a `charged` bit, set as Linux's
 * overcommit accounting sets VM_ACCOUNT: private writable mappings (anonymous or of a file),
 * the break, the stack and shared anonymous mappings are charged when made; a private area
 * that mprotect makes writable is charged then; a charge stays until the pages are unmapped
 * (a page written and then made read-only still holds memory). MAP_NORESERVE does not exempt
 * a mapping, as under Linux's strict accounting: the limit is a promise about host memory. */
#include "linux/space.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "linux/abi.h"
#include "riscv/cpu.h"

#define PAGE LINUX_PAGE_SIZE

static uint64_t page_up(uint64_t v) {
    return (v + PAGE - 1) & ~(PAGE - 1);
}

/* Host protection for a guest protection. */
static int host_prot(int prot) {
    int p = PROT_NONE;
    if (prot & (LINUX_PROT_READ | LINUX_PROT_EXEC)) p |= PROT_READ;
    if (prot & LINUX_PROT_WRITE) p |= PROT_READ | PROT_WRITE;
    return p;
}

/* Put the reservation back over [a, a+len). */
static int reserve_again(linux_space_t *sp, uint64_t a, uint64_t len) {
    void *p = mmap(sp->base + a, len, PROT_NONE,
                   MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? -linux_errno_from_host(errno) : 0;
}

static void notify(linux_space_t *sp, uint64_t a, uint64_t len) {
    if (sp->on_change) sp->on_change(sp->on_change_ctx, a, len);
}

uint64_t linux_space_host_size(void) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return LINUX_TASK_SIZE;
    /* what this process already maps counts against the limit too */
    unsigned long long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%llu", &pages) != 1) pages = 0;
        fclose(f);
    }
    uint64_t used = (uint64_t)pages * (uint64_t)sysconf(_SC_PAGESIZE);
    uint64_t left = (uint64_t)rl.rlim_cur > used ? (uint64_t)rl.rlim_cur - used : 0;
    uint64_t size = (left / 4) & ~((1ull << 20) - 1);
    return size < LINUX_TASK_SIZE ? size : LINUX_TASK_SIZE;
}

int linux_space_init(linux_space_t *sp, uint64_t size) {
    memset(sp, 0, sizeof(*sp));
    if (size == 0 || size % PAGE) return -EINVAL;
    sp->resv_len = size + 2 * LINUX_SPACE_GUARD;
    void *p =
        mmap(NULL, sp->resv_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return -errno;
    sp->resv = p;
    sp->base = sp->resv + LINUX_SPACE_GUARD;
    sp->size = size;
    sp->mmap_min = 0x10000;
    /* Linux leaves a stack gap below the stack top before the mmap area starts. */
    uint64_t gap = 128ull << 20;
    sp->mmap_top = size > 4 * gap ? size - gap : size;
    pthread_mutex_init(&sp->lock, NULL);
    return 0;
}

void linux_space_destroy(linux_space_t *sp) {
    if (sp->resv) munmap(sp->resv, sp->resv_len);
    free(sp->vma);
    pthread_mutex_destroy(&sp->lock);
    memset(sp, 0, sizeof(*sp));
}

/* Index of the first area whose end is above a. */
static size_t first_after(const linux_space_t *sp, uint64_t a) {
    size_t lo = 0, hi = sp->nvma;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (sp->vma[mid].end <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool grow(linux_space_t *sp, size_t extra) {
    if (sp->nvma + extra <= sp->cap) return true;
    size_t cap = sp->cap ? sp->cap * 2 : 64;
    while (cap < sp->nvma + extra)
        cap *= 2;
    linux_vma_t *v = realloc(sp->vma, cap * sizeof(*v));
    if (!v) return false;
    sp->vma = v;
    sp->cap = cap;
    return true;
}

/* Split the area containing a (if any) so that a is an area boundary. */
static bool split_at(linux_space_t *sp, uint64_t a) {
    size_t i = first_after(sp, a);
    if (i == sp->nvma || sp->vma[i].start >= a) return true;
    if (!grow(sp, 1)) return false;
    memmove(&sp->vma[i + 1], &sp->vma[i], (sp->nvma - i) * sizeof(linux_vma_t));
    sp->nvma++;
    sp->vma[i].end = a;
    sp->vma[i + 1].start = a;
    return true;
}

/* Make a and a+len area boundaries; returns the index range [*lo, *hi) inside. */
static bool carve(linux_space_t *sp, uint64_t a, uint64_t len, size_t *lo, size_t *hi) {
    if (!split_at(sp, a) || !split_at(sp, a + len)) return false;
    *lo = first_after(sp, a);
    size_t h = *lo;
    while (h < sp->nvma && sp->vma[h].start < a + len)
        h++;
    *hi = h;
    return true;
}

/* Merge neighbours with equal attributes. */
static void coalesce(linux_space_t *sp) {
    size_t w = 0;
    for (size_t r = 0; r < sp->nvma; r++) {
        if (w > 0 && sp->vma[w - 1].end == sp->vma[r].start &&
            sp->vma[w - 1].prot == sp->vma[r].prot && sp->vma[w - 1].flags == sp->vma[r].flags &&
            sp->vma[w - 1].charged == sp->vma[r].charged &&
            (sp->vma[r].flags & LINUX_MAP_ANONYMOUS)) {
            sp->vma[w - 1].end = sp->vma[r].end;
            continue;
        }
        sp->vma[w++] = sp->vma[r];
    }
    sp->nvma = w;
}

/* Drop the areas of [a, a+len) from the list (no host change). */
static bool list_remove(linux_space_t *sp, uint64_t a, uint64_t len) {
    size_t lo, hi;
    if (!carve(sp, a, len, &lo, &hi)) return false;
    if (hi > lo) memmove(&sp->vma[lo], &sp->vma[hi], (sp->nvma - hi) * sizeof(linux_vma_t));
    sp->nvma -= hi - lo;
    return true;
}

/* Record [a, a+len) as one area (the range must be free in the list). */
static bool list_insert(linux_space_t *sp, uint64_t a, uint64_t len, int prot, int flags,
                        bool charged) {
    if (!grow(sp, 1)) return false;
    size_t i = first_after(sp, a);
    memmove(&sp->vma[i + 1], &sp->vma[i], (sp->nvma - i) * sizeof(linux_vma_t));
    sp->vma[i] = (linux_vma_t){a, a + len, prot, flags, charged};
    sp->nvma++;
    coalesce(sp);
    return true;
}

/* Whether a new mapping with guest prot/flags is charged (see the top of this file). */
static bool charges(int prot, int flags) {
    if ((flags & LINUX_MAP_TYPE) == LINUX_MAP_PRIVATE) return prot & LINUX_PROT_WRITE;
    return flags & LINUX_MAP_ANONYMOUS;
}

/* Bytes of charged areas inside [a, a+len). */
static uint64_t charged_in(const linux_space_t *sp, uint64_t a, uint64_t len) {
    uint64_t n = 0;
    for (size_t i = first_after(sp, a); i < sp->nvma && sp->vma[i].start < a + len; i++) {
        if (!sp->vma[i].charged) continue;
        uint64_t lo = sp->vma[i].start > a ? sp->vma[i].start : a;
        uint64_t hi = sp->vma[i].end < a + len ? sp->vma[i].end : a + len;
        n += hi - lo;
    }
    return n;
}

/* Whether committed may go from its value to value - release + add under the limit. */
static bool commit_ok(const linux_space_t *sp, uint64_t release, uint64_t add) {
    if (!sp->commit_limit || add <= release) return true;
    return sp->committed - release + add <= sp->commit_limit;
}

static bool range_free_locked(linux_space_t *sp, uint64_t a, uint64_t len) {
    size_t i = first_after(sp, a);
    return i == sp->nvma || sp->vma[i].start >= a + len;
}

static uint64_t find_free_locked(linux_space_t *sp, uint64_t len, uint64_t top) {
    uint64_t end = top;
    size_t i = first_after(sp, top);
    /* areas at or above top are ignored; walk gaps downwards */
    if (i < sp->nvma && sp->vma[i].start < top) end = sp->vma[i].start;
    while (true) {
        uint64_t floor = i == 0 ? sp->mmap_min : sp->vma[i - 1].end;
        if (floor < sp->mmap_min) floor = sp->mmap_min;
        if (end >= floor + len) return end - len;
        if (i == 0) return 0;
        i--;
        end = sp->vma[i].start;
    }
}

uint64_t linux_space_find_free(linux_space_t *sp, uint64_t len) {
    pthread_mutex_lock(&sp->lock);
    uint64_t a = find_free_locked(sp, page_up(len), sp->mmap_top);
    pthread_mutex_unlock(&sp->lock);
    return a;
}

int64_t linux_space_mmap(linux_space_t *sp, uint64_t addr, uint64_t len, int prot, int flags,
                         int fd, uint64_t off) {
    if (len == 0 || (off & (PAGE - 1))) return -LINUX_EINVAL;
    int type = flags & LINUX_MAP_TYPE;
    if (type != LINUX_MAP_SHARED && type != LINUX_MAP_PRIVATE && type != LINUX_MAP_SHARED_VALIDATE)
        return -LINUX_EINVAL;
    if (len > sp->size) return -LINUX_ENOMEM;
    len = page_up(len);
    bool fixed = flags & (LINUX_MAP_FIXED | LINUX_MAP_FIXED_NOREPLACE);
    if (fixed && (addr & (PAGE - 1))) return -LINUX_EINVAL;
    int64_t ret;
    pthread_mutex_lock(&sp->lock);
    if (fixed) {
        if (addr >= sp->size || len > sp->size - addr) {
            ret = -LINUX_ENOMEM;
            goto out;
        }
        if ((flags & LINUX_MAP_FIXED_NOREPLACE) && !(flags & LINUX_MAP_FIXED) &&
            !range_free_locked(sp, addr, len)) {
            ret = -LINUX_EEXIST;
            goto out;
        }
    } else {
        addr &= ~(PAGE - 1);
        if (!(addr >= sp->mmap_min && addr < sp->size && len <= sp->size - addr &&
              range_free_locked(sp, addr, len)))
            addr = find_free_locked(sp, len, sp->mmap_top);
        if (addr == 0) {
            ret = -LINUX_ENOMEM;
            goto out;
        }
    }
    bool charged = charges(prot, flags);
    uint64_t replaced = charged_in(sp, addr, len); /* a fixed mapping ends what it covers */
    if (!commit_ok(sp, replaced, charged ? len : 0)) {
        ret = -LINUX_ENOMEM;
        goto out;
    }
    bool anon = flags & LINUX_MAP_ANONYMOUS;
    int hflags = MAP_FIXED | (type == LINUX_MAP_PRIVATE ? MAP_PRIVATE : MAP_SHARED);
    if (anon) hflags |= MAP_ANONYMOUS | MAP_NORESERVE;
    void *p =
        mmap(sp->base + addr, len, host_prot(prot), hflags, anon ? -1 : fd, anon ? 0 : (off_t)off);
    if (p == MAP_FAILED) {
        ret = -linux_errno_from_host(errno);
        goto out;
    }
    sp->committed = sp->committed - replaced + (charged ? len : 0);
    /* stores through this mapping may reach code through another one (or another process's):
     * the page flags cannot see them, so every fence.i drops the code from now on */
    if (type != LINUX_MAP_PRIVATE) atomic_fetch_or(&sp->unseen_code, RV_UNSEEN_ALWAYS);
    if (!list_remove(sp, addr, len) ||
        !list_insert(sp, addr, len, prot,
                     type == LINUX_MAP_PRIVATE ? flags & (LINUX_MAP_TYPE | LINUX_MAP_ANONYMOUS)
                                               : LINUX_MAP_SHARED | (flags & LINUX_MAP_ANONYMOUS),
                     charged)) {
        ret = -LINUX_ENOMEM;
        goto out;
    }
    ret = (int64_t)addr;
out:
    pthread_mutex_unlock(&sp->lock);
    if (ret >= 0 && fixed) notify(sp, addr, len);
    return ret;
}

int linux_space_munmap(linux_space_t *sp, uint64_t addr, uint64_t len) {
    if ((addr & (PAGE - 1)) || len == 0) return -LINUX_EINVAL;
    len = page_up(len);
    if (addr >= sp->size || len > sp->size - addr) return -LINUX_EINVAL;
    pthread_mutex_lock(&sp->lock);
    int ret = reserve_again(sp, addr, len);
    if (ret == 0) sp->committed -= charged_in(sp, addr, len);
    if (ret == 0 && !list_remove(sp, addr, len)) ret = -LINUX_ENOMEM;
    pthread_mutex_unlock(&sp->lock);
    notify(sp, addr, len);
    return ret;
}

int linux_space_mprotect(linux_space_t *sp, uint64_t addr, uint64_t len, int prot) {
    if (addr & (PAGE - 1)) return -LINUX_EINVAL;
    if (prot & ~(LINUX_PROT_READ | LINUX_PROT_WRITE | LINUX_PROT_EXEC)) return -LINUX_EINVAL;
    len = page_up(len);
    if (len == 0) return 0;
    if (addr >= sp->size || len > sp->size - addr) return -LINUX_ENOMEM;
    pthread_mutex_lock(&sp->lock);
    int ret = 0;
    /* the whole range must be mapped */
    uint64_t cur = addr;
    for (size_t i = first_after(sp, addr); i < sp->nvma && cur < addr + len; i++) {
        if (sp->vma[i].start > cur) break;
        cur = sp->vma[i].end;
    }
    if (cur < addr + len) {
        ret = -LINUX_ENOMEM;
        goto out;
    }
    /* private areas that become writable are charged now */
    uint64_t add = 0;
    if (prot & LINUX_PROT_WRITE) {
        for (size_t i = first_after(sp, addr); i < sp->nvma && sp->vma[i].start < addr + len; i++) {
            const linux_vma_t *v = &sp->vma[i];
            if (v->charged || (v->flags & LINUX_MAP_TYPE) != LINUX_MAP_PRIVATE) continue;
            add +=
                (v->end < addr + len ? v->end : addr + len) - (v->start > addr ? v->start : addr);
        }
    }
    if (!commit_ok(sp, 0, add)) {
        ret = -LINUX_ENOMEM;
        goto out;
    }
    if (mprotect(sp->base + addr, len, host_prot(prot)) != 0) {
        ret = -linux_errno_from_host(errno);
        goto out;
    }
    size_t lo, hi;
    if (!carve(sp, addr, len, &lo, &hi)) {
        ret = -LINUX_ENOMEM;
        goto out;
    }
    for (size_t i = lo; i < hi; i++) {
        sp->vma[i].prot = prot;
        if ((prot & LINUX_PROT_WRITE) && (sp->vma[i].flags & LINUX_MAP_TYPE) == LINUX_MAP_PRIVATE)
            sp->vma[i].charged = true;
    }
    sp->committed += add;
    coalesce(sp);
out:
    pthread_mutex_unlock(&sp->lock);
    if (ret == 0) notify(sp, addr, len);
    return ret;
}

int64_t linux_space_mremap(linux_space_t *sp, uint64_t old, uint64_t old_len, uint64_t new_len,
                           int flags, uint64_t new_addr) {
    if ((old & (PAGE - 1)) || new_len == 0) return -LINUX_EINVAL;
    if (flags & ~(LINUX_MREMAP_MAYMOVE | LINUX_MREMAP_FIXED)) return -LINUX_EINVAL;
    if ((flags & LINUX_MREMAP_FIXED) && !(flags & LINUX_MREMAP_MAYMOVE)) return -LINUX_EINVAL;
    old_len = page_up(old_len);
    new_len = page_up(new_len);
    if (old >= sp->size || old_len > sp->size - old || new_len > sp->size) return -LINUX_EINVAL;
    int64_t ret;
    pthread_mutex_lock(&sp->lock);
    size_t i = first_after(sp, old);
    if (old_len == 0 || i == sp->nvma || sp->vma[i].start > old || sp->vma[i].end < old + old_len) {
        ret = -LINUX_EFAULT;
        goto out;
    }
    linux_vma_t area = sp->vma[i];
    if (!(flags & LINUX_MREMAP_FIXED) && new_len <= old_len) {
        if (new_len < old_len) {
            ret = reserve_again(sp, old + new_len, old_len - new_len);
            if (ret) goto out;
            sp->committed -= charged_in(sp, old + new_len, old_len - new_len);
            list_remove(sp, old + new_len, old_len - new_len);
        }
        ret = (int64_t)old;
        goto out;
    }
    /* grow in place when the following range is free (anonymous private areas only) */
    if (!(flags & LINUX_MREMAP_FIXED) && (area.flags & LINUX_MAP_ANONYMOUS) &&
        (area.flags & LINUX_MAP_TYPE) == LINUX_MAP_PRIVATE && old + new_len <= sp->size &&
        range_free_locked(sp, old + old_len, new_len - old_len)) {
        if (!commit_ok(sp, 0, area.charged ? new_len - old_len : 0)) {
            ret = -LINUX_ENOMEM;
            goto out;
        }
        void *p = mmap(sp->base + old + old_len, new_len - old_len, host_prot(area.prot),
                       MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) {
            ret = -linux_errno_from_host(errno);
            goto out;
        }
        list_insert(sp, old + old_len, new_len - old_len, area.prot, area.flags, area.charged);
        if (area.charged) sp->committed += new_len - old_len;
        ret = (int64_t)old;
        goto out;
    }
    if (!(flags & LINUX_MREMAP_MAYMOVE)) {
        ret = -LINUX_ENOMEM;
        goto out;
    }
    uint64_t dst;
    if (flags & LINUX_MREMAP_FIXED) {
        dst = new_addr;
        if ((dst & (PAGE - 1)) || dst >= sp->size || new_len > sp->size - dst ||
            (dst < old + old_len && old < dst + new_len)) {
            ret = -LINUX_EINVAL;
            goto out;
        }
    } else {
        dst = find_free_locked(sp, new_len, sp->mmap_top);
        if (dst == 0) {
            ret = -LINUX_ENOMEM;
            goto out;
        }
    }
    /* the area's charge moves with it and follows its size; what was at dst is released */
    uint64_t replaced = charged_in(sp, dst, new_len);
    uint64_t before = area.charged ? old_len : 0, after = area.charged ? new_len : 0;
    if (!commit_ok(sp, replaced + before, after)) {
        ret = -LINUX_ENOMEM;
        goto out;
    }
    void *p =
        mremap(sp->base + old, old_len, new_len, MREMAP_MAYMOVE | MREMAP_FIXED, sp->base + dst);
    if (p == MAP_FAILED) {
        ret = -linux_errno_from_host(errno);
        goto out;
    }
    reserve_again(sp, old, old_len);
    sp->committed = sp->committed - replaced - before + after;
    list_remove(sp, old, old_len);
    list_remove(sp, dst, new_len);
    list_insert(sp, dst, new_len, area.prot, area.flags, area.charged);
    ret = (int64_t)dst;
out:
    pthread_mutex_unlock(&sp->lock);
    if (ret >= 0) notify(sp, old, old_len);
    return ret;
}

int linux_space_dontneed(linux_space_t *sp, uint64_t addr, uint64_t len) {
    if (addr & (PAGE - 1)) return -LINUX_EINVAL;
    len = page_up(len);
    if (addr >= sp->size || len > sp->size - addr) return -LINUX_EINVAL;
    if (len == 0) return 0;
    /* host MADV_DONTNEED has the guest's semantics on the same pages */
    if (madvise(sp->base + addr, len, MADV_DONTNEED) != 0) return -linux_errno_from_host(errno);
    notify(sp, addr, len); /* code there is now zeros (or the file's bytes again) */
    return 0;
}

void linux_space_host_writes(linux_space_t *sp, const uint8_t *flags, uint64_t a, uint64_t len) {
    if (!flags || !len || a >= sp->size) return;
    uint64_t last = (len > sp->size - a ? sp->size - 1 : a + len - 1) >> RV_PAGE_SHIFT;
    for (uint64_t pg = a >> RV_PAGE_SHIFT; pg <= last; pg++) {
        if (__atomic_load_n(&flags[pg], __ATOMIC_RELAXED) & RV_PAGE_CODE) {
            atomic_fetch_add(&sp->unseen_code, 1);
            return;
        }
    }
}

void linux_space_set_brk(linux_space_t *sp, uint64_t brk) {
    pthread_mutex_lock(&sp->lock);
    sp->brk_start = sp->brk_cur = page_up(brk);
    pthread_mutex_unlock(&sp->lock);
}

uint64_t linux_space_brk(linux_space_t *sp, uint64_t want) {
    pthread_mutex_lock(&sp->lock);
    uint64_t cur = sp->brk_cur;
    if (want < sp->brk_start || want >= sp->size) goto out;
    uint64_t old_top = page_up(cur), new_top = page_up(want);
    if (new_top > old_top) {
        if (!range_free_locked(sp, old_top, new_top - old_top)) goto out;
        if (!commit_ok(sp, 0, new_top - old_top)) goto out;
        void *p = mmap(sp->base + old_top, new_top - old_top, PROT_READ | PROT_WRITE,
                       MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) goto out;
        if (!list_insert(sp, old_top, new_top - old_top, LINUX_PROT_READ | LINUX_PROT_WRITE,
                         LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS, true))
            goto out;
        sp->committed += new_top - old_top;
    } else if (new_top < old_top) {
        if (reserve_again(sp, new_top, old_top - new_top) != 0) goto out;
        sp->committed -= charged_in(sp, new_top, old_top - new_top);
        list_remove(sp, new_top, old_top - new_top);
    }
    sp->brk_cur = cur = want;
out:
    pthread_mutex_unlock(&sp->lock);
    return cur;
}

bool linux_space_check(linux_space_t *sp, uint64_t a, uint64_t len, int prot) {
    if (len == 0) return a <= sp->size;
    if (a >= sp->size || len > sp->size - a) return false;
    pthread_mutex_lock(&sp->lock);
    bool ok = false;
    uint64_t cur = a;
    for (size_t i = first_after(sp, a); i < sp->nvma; i++) {
        if (sp->vma[i].start > cur || (sp->vma[i].prot & prot) != prot) break;
        cur = sp->vma[i].end;
        if (cur >= a + len) {
            ok = true;
            break;
        }
    }
    pthread_mutex_unlock(&sp->lock);
    return ok;
}

int linux_space_prot_at(linux_space_t *sp, uint64_t a) {
    pthread_mutex_lock(&sp->lock);
    size_t i = first_after(sp, a);
    int prot = (i < sp->nvma && sp->vma[i].start <= a) ? sp->vma[i].prot : -1;
    pthread_mutex_unlock(&sp->lock);
    return prot;
}

size_t linux_space_snapshot(linux_space_t *sp, linux_vma_t *out, size_t max) {
    pthread_mutex_lock(&sp->lock);
    size_t n = sp->nvma < max ? sp->nvma : max;
    if (n) memcpy(out, sp->vma, n * sizeof(*out));
    pthread_mutex_unlock(&sp->lock);
    return n;
}
