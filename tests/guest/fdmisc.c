/* fdmisc.c - descriptor kinds and helpers beyond plain files: eventfd, timerfd, memfd,
 * flock, posix_fadvise, copy_file_range, close_range, fcntl (pipe size, seals, owner, OFD
 * locks), clock_settime (refused for the monotonic clock), getcpu, ioctl on a closed
 * descriptor (EBADF before ENOTTY), FICLONE and FICLONERANGE, and a pseudo-terminal pair opened
 * through /dev/ptmx. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/timerfd.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <linux/fs.h>

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            printf("FAILED line %d: %s (errno %d)\n", __LINE__, #c, errno);                        \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

int main(void) {
    int ev = eventfd(3, EFD_CLOEXEC);
    CHECK(ev >= 0);
    uint64_t v = 4;
    CHECK(write(ev, &v, 8) == 8);
    CHECK(read(ev, &v, 8) == 8);
    printf("eventfd: %llu\n", (unsigned long long)v);
    close(ev);
    /* EFD_SEMAPHORE: each read takes 1 off the counter */
    ev = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
    CHECK(ev >= 0);
    uint64_t r1 = 0, r2 = 0;
    CHECK(read(ev, &r1, 8) == 8 && read(ev, &r2, 8) == 8);
    errno = 0;
    int r3 = (int)read(ev, &v, 8);
    printf("eventfd semaphore reads: %llu %llu, then %d %s\n", (unsigned long long)r1,
           (unsigned long long)r2, r3, errno == EAGAIN ? "EAGAIN" : "?");
    close(ev);
    errno = 0;
    int bad = ioctl(ev, FIONREAD, &r3);
    printf("ioctl on a closed descriptor: %d %s\n", bad, errno == EBADF ? "EBADF" : "?");
    int tf = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
    CHECK(tf >= 0);
    struct itimerspec its = {{0, 0}, {0, 5 * 1000 * 1000}}, cur;
    CHECK(timerfd_settime(tf, 0, &its, NULL) == 0);
    CHECK(timerfd_gettime(tf, &cur) == 0 && cur.it_value.tv_nsec <= 5 * 1000 * 1000);
    CHECK(read(tf, &v, 8) == 8);
    printf("timerfd expirations: %llu\n", (unsigned long long)v);
    close(tf);
    int mf = memfd_create("guest-memfd", MFD_CLOEXEC);
    CHECK(mf >= 0);
    CHECK(write(mf, "memfd contents", 14) == 14);
    char *m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, mf, 0);
    CHECK(m != MAP_FAILED);
    printf("memfd: %.14s\n", m);
    munmap(m, 4096);
    CHECK(flock(mf, LOCK_EX) == 0 && flock(mf, LOCK_UN) == 0);
    CHECK(posix_fadvise(mf, 0, 0, POSIX_FADV_SEQUENTIAL) == 0);
    char src[] = "/tmp/vm-guest-fdmisc-src-XXXXXX", path[] = "/tmp/vm-guest-fdmisc-XXXXXX";
    int in = mkstemp(src), out = mkstemp(path);
    CHECK(in >= 0 && out >= 0);
    CHECK(write(in, "file contents", 13) == 13);
    loff_t in_off = 5;
    ssize_t n = copy_file_range(in, &in_off, out, NULL, 8, 0);
    CHECK(n == 8 && in_off == 13);
    /* FICLONE/FICLONERANGE (copy-on-write copies): done, or refused the way the file system
     * refuses them (EOPNOTSUPP, EXDEV, EINVAL), never ENOTTY; EBADF for a source not open */
    char cpath[] = "/tmp/vm-guest-fdmisc-clone-XXXXXX", cbuf[16] = {0};
    int cl = mkstemp(cpath);
    CHECK(cl >= 0);
    unlink(cpath);
    int crc = ioctl(cl, FICLONE, in), cerr = errno;
    int clone_ok = crc == 0 ? pread(cl, cbuf, 13, 0) == 13 && !memcmp(cbuf, "file contents", 13)
                            : cerr == EOPNOTSUPP || cerr == EXDEV || cerr == EINVAL;
    struct file_clone_range cr = {.src_fd = in, .src_offset = 0, .src_length = 0, .dest_offset = 0};
    crc = ioctl(cl, FICLONERANGE, &cr);
    cerr = errno;
    clone_ok &= crc == 0 || cerr == EOPNOTSUPP || cerr == EXDEV || cerr == EINVAL;
    printf("FICLONE, FICLONERANGE: %s\n",
           clone_ok ? "done or refused by the file system" : "wrong");
    CHECK(ioctl(cl, FICLONE, 999) == -1 && errno == EBADF);
    close(cl);
    close(in);
    unlink(src);
    char buf[16] = {0};
    CHECK(pread(out, buf, 8, 0) == 8);
    printf("copy_file_range: %s\n", buf);
    unlink(path);
    int hi = dup2(out, 60);
    CHECK(hi == 60);
    CHECK(close_range(50, 70, 0) == 0);
    CHECK(fcntl(60, F_GETFD) == -1 && errno == EBADF);
    close(out);
    close(mf);
    /* fcntl: pipe size, seals, owner, open-file-description locks */
    int pp[2];
    CHECK(pipe(pp) == 0);
    CHECK(fcntl(pp[1], F_GETPIPE_SZ) >= 4096);
    CHECK(fcntl(pp[1], F_SETPIPE_SZ, 8192) >= 8192);
    printf("pipe size after F_SETPIPE_SZ 8192: %d\n", fcntl(pp[1], F_GETPIPE_SZ));
    close(pp[0]);
    close(pp[1]);
    int sf = memfd_create("sealed", MFD_ALLOW_SEALING);
    CHECK(sf >= 0 && write(sf, "abc", 3) == 3);
    CHECK(fcntl(sf, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK) == 0);
    errno = 0;
    int wr = (int)write(sf, "x", 1);
    printf("seals %#x, write after F_SEAL_WRITE: %d %s, shrink: %s\n", fcntl(sf, F_GET_SEALS), wr,
           errno == EPERM ? "EPERM" : "?", ftruncate(sf, 1) < 0 && errno == EPERM ? "EPERM" : "?");
    CHECK(fcntl(sf, F_SETOWN, getpid()) == 0 && fcntl(sf, F_GETOWN) == getpid());
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 2};
    CHECK(fcntl(sf, F_OFD_SETLK, &fl) == 0);
    struct flock q = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 2};
    CHECK(fcntl(sf, F_OFD_GETLK, &q) == 0);
    printf("F_OFD_GETLK of its own lock: %s\n", q.l_type == F_UNLCK ? "unlocked" : "locked");
    close(sf);
    /* clock_settime reaches the host's: the monotonic clock cannot be set */
    struct timespec mono;
    CHECK(clock_gettime(CLOCK_MONOTONIC, &mono) == 0);
    errno = 0;
    int cs = clock_settime(CLOCK_MONOTONIC, &mono);
    printf("clock_settime(CLOCK_MONOTONIC): %d %s\n", cs, errno == EINVAL ? "EINVAL" : "?");
    unsigned cpu = 99, node = 99;
    CHECK(getcpu(&cpu, &node) == 0 && cpu < 4096);
    /* a pseudo-terminal pair: posix_openpt, grantpt and unlockpt (TIOCSPTLCK), ptsname
     * (TIOCGPTN), and the slave is a terminal that passes bytes to the master */
    int pm = posix_openpt(O_RDWR | O_NOCTTY);
    CHECK(pm >= 0);
    CHECK(grantpt(pm) == 0 && unlockpt(pm) == 0);
    const char *pn = ptsname(pm);
    CHECK(pn && strncmp(pn, "/dev/pts/", 9) == 0);
    int ps = open(pn, O_RDWR | O_NOCTTY);
    CHECK(ps >= 0 && isatty(ps) && isatty(pm));
    int peer = ioctl(pm, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    CHECK(peer >= 0 && isatty(peer));
    char pbuf[8] = {0};
    CHECK(write(ps, "pty", 3) == 3 && read(pm, pbuf, sizeof(pbuf) - 1) == 3);
    printf("pty: slave under /dev/pts, master read \"%s\"\n", pbuf);
    /* ttyname (tcgetattr, TCGETS2 with a recent C library) names the same slave; the echo
     * flag cleared by tcsetattr reads back cleared; FIOCLEX sets close-on-exec */
    const char *tn = ttyname(ps);
    CHECK(tn && strcmp(tn, pn) == 0);
    struct termios ta;
    CHECK(tcgetattr(ps, &ta) == 0 && (ta.c_lflag & ECHO));
    ta.c_lflag &= ~(tcflag_t)ECHO;
    CHECK(tcsetattr(ps, TCSANOW, &ta) == 0);
    CHECK(tcgetattr(ps, &ta) == 0);
    CHECK(ioctl(ps, FIOCLEX) == 0);
    printf("ttyname matches ptsname, echo after clearing: %d, close-on-exec after FIOCLEX: %d\n",
           (ta.c_lflag & ECHO) != 0, (fcntl(ps, F_GETFD) & FD_CLOEXEC) != 0);
    /* the calls that wait for the output to drain (TCSBRK, TCSETSW or TCSETSW2) */
    int dr = tcdrain(ps);
    int sw = tcsetattr(ps, TCSADRAIN, &ta);
    printf("tcdrain: %d, tcsetattr(TCSADRAIN): %d\n", dr, sw);
    close(peer);
    close(ps);
    close(pm);
    printf("fdmisc ok\n");
    return 0;
}
