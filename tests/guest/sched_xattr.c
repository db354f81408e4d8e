/* sched_xattr.c - scheduling queries and extended-attribute reads reach the host: glibc's
 * nproc/sort ask for the scheduling policy, ls -l lists attributes. */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/xattr.h>

int main(int argc, char **argv) {
    (void)argc;
    printf("sched_getscheduler: %s\n", sched_getscheduler(0) == SCHED_OTHER ? "SCHED_OTHER" : "?");
    struct sched_param sp = {.sched_priority = -1};
    printf("sched_getparam: %d priority %d\n", sched_getparam(0, &sp), sp.sched_priority);
    printf("fifo priorities: %d..%d\n", sched_get_priority_min(SCHED_FIFO),
           sched_get_priority_max(SCHED_FIFO));

    /* An attribute nobody set: "no such attribute", or "not supported" on a file system
     * without extended attributes; never "no such system call". */
    char buf[64];
    ssize_t r = getxattr(argv[0], "user.vm-test-absent", buf, sizeof buf);
    int e = errno;
    printf("getxattr absent: %s\n",
           r < 0 && (e == ENODATA || e == ENOTSUP) ? "no attribute" : strerror(e));
    r = lgetxattr(argv[0], "user.vm-test-absent", NULL, 0);
    e = errno;
    printf("lgetxattr size query: %s\n",
           r < 0 && (e == ENODATA || e == ENOTSUP) ? "no attribute" : strerror(e));
    r = listxattr(argv[0], NULL, 0);
    printf("listxattr size query: %s\n", r >= 0 || errno == ENOTSUP ? "ok" : strerror(errno));
    r = llistxattr("/nonexistent/vm-test", NULL, 0);
    printf("llistxattr missing file: %s\n", r < 0 && errno == ENOENT ? "ENOENT" : "?");
    void *unmapped = (void *)(uintptr_t)(16 * argc); /* page zero is never mapped */
    r = getxattr(argv[0], "user.x", unmapped, sizeof buf);
    e = errno;
    printf("getxattr bad buffer: %s\n",
           r < 0 && (e == EFAULT || e == ENODATA || e == ENOTSUP) ? "refused" : "?");
    return 0;
}
