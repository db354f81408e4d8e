/* unimp.c - system calls no Linux has (one below 512, one above), each called twice: each
 * fails with ENOSYS, and nothing else happens. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
    const long nrs[] = {500, 4000, 500, 4000};
    for (int i = 0; i < 4; i++) {
        errno = 0;
        long r = syscall(nrs[i], 0, 0, 0, 0, 0, 0);
        printf("%ld: %ld %s\n", nrs[i], r, errno == ENOSYS ? "ENOSYS" : "?");
    }
    return 0;
}
