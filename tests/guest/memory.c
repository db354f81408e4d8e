/* memory.c - brk, mmap/munmap/mprotect/mremap, file mappings and large mallocs. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            printf("FAILED line %d: %s (errno %d)\n", __LINE__, #c, errno);                        \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    printf("page size %ld\n", pg);
    char *b0 = sbrk(0);
    CHECK(b0 != (char *)-1);
    CHECK(sbrk(100000) == b0);
    memset(b0, 0x11, 100000);
    CHECK(sbrk(0) == b0 + 100000);
    CHECK(sbrk(-50000) == b0 + 100000);
    CHECK(sbrk(0) == b0 + 50000);
    CHECK(b0[49999] == 0x11);
    char *m = mmap(NULL, 8 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED && ((uintptr_t)m % pg) == 0);
    for (int i = 0; i < 8 * pg; i++)
        CHECK(m[i] == 0);
    memset(m, 0x5a, 8 * pg);
    CHECK(munmap(m + 2 * pg, pg) == 0);
    CHECK(mprotect(m, pg, PROT_READ) == 0);
    CHECK(m[0] == 0x5a);
    CHECK(mprotect(m + 2 * pg, pg, PROT_READ) == -1 && errno == ENOMEM);
    char *r = mremap(m + 3 * pg, 5 * pg, 64 * pg, MREMAP_MAYMOVE);
    CHECK(r != MAP_FAILED);
    CHECK(r[0] == 0x5a && r[5 * pg - 1] == 0x5a && r[5 * pg] == 0 && r[64 * pg - 1] == 0);
    CHECK(munmap(r, 64 * pg) == 0);
    CHECK(munmap(m, 2 * pg) == 0);
    char *fixed = mmap((void *)0x200000000, pg, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK(fixed == (void *)0x200000000);
    fixed[10] = 1;
    CHECK(munmap(fixed, pg) == 0);
    /* a file mapping sees the file's bytes; a shared one writes them back */
    char path[] = "/tmp/vm-guest-mem-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK(ftruncate(fd, 2 * pg) == 0);
    CHECK(pwrite(fd, "mapped file", 11, pg) == 11);
    char *f = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(f != MAP_FAILED);
    printf("file map: %.11s\n", f + pg);
    memcpy(f, "written via map", 15);
    CHECK(msync(f, 2 * pg, MS_SYNC) == 0);
    char buf[16] = {0};
    CHECK(pread(fd, buf, 15, 0) == 15);
    printf("file after store: %s\n", buf);
    char *f2 = mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, pg);
    CHECK(f2 != MAP_FAILED && !memcmp(f2, "mapped file", 11));
    CHECK(munmap(f, 2 * pg) == 0 && munmap(f2, pg) == 0);
    close(fd);
    unlink(path);
    /* malloc: small and large (mmap-backed), realloc growth (mremap) */
    size_t total = 0;
    for (int i = 1; i <= 200; i++) {
        char *p = malloc((size_t)i * 1000);
        CHECK(p);
        memset(p, i, (size_t)i * 1000);
        total += (size_t)i * 1000;
        free(p);
    }
    char *big = malloc(1 << 20);
    CHECK(big);
    memset(big, 3, 1 << 20);
    big = realloc(big, 16 << 20);
    CHECK(big && big[(1 << 20) - 1] == 3);
    memset(big, 4, 16 << 20);
    free(big);
    printf("malloc total %zu\n", total);
    CHECK(madvise(b0, 4096, MADV_DONTNEED) == 0 || errno == EINVAL);
    /* /proc/self/maps lists the guest's own mappings: the stack and this mapping */
    char *mark = mmap(NULL, 3 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(mark != MAP_FAILED);
    FILE *mf = fopen("/proc/self/maps", "r");
    CHECK(mf != NULL);
    char line[512];
    int stack = 0, found = 0;
    while (fgets(line, sizeof(line), mf)) {
        unsigned long lo, hi;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3) continue;
        if (strstr(line, "[stack]") && !strncmp(perms, "rw", 2)) stack = 1;
        if (lo <= (unsigned long)mark && (unsigned long)mark + 3 * pg <= hi && perms[0] == 'r' &&
            perms[1] == '-')
            found = 1;
    }
    fclose(mf);
    printf("maps: stack %d, new mapping %d\n", stack, found);
    printf("memory ok\n");
    return 0;
}
