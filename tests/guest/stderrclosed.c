/* stderrclosed - a program that closes its standard error before it exits, as coreutils'
 * close_stdout does: the descriptor is gone for the guest (a write fails with EBADF, the next
 * open takes number 2), and vm's --stats figures still reach vm's own stderr
 * (stats_fd.sh checks that half). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    printf("before close\n");
    fflush(stdout);
    if (close(2) != 0) {
        printf("close(2): %s\n", strerror(errno));
        return 1;
    }
    ssize_t n = write(2, "x", 1);
    printf("write to fd 2 after close: %s\n", n < 0 ? strerror(errno) : "written");
    int fd = open("/dev/null", O_RDONLY);
    printf("next open: fd %d\n", fd);
    return 0;
}
