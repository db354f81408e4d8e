/* sys_time.c - system calls on clocks and timers: clock_gettime and clock_getres,
 * gettimeofday, nanosleep and clock_nanosleep, times, interval timers and timer
 * descriptors.
 *
 * Clock ids, timer ids and the flag words are the same numbers on every Linux, so they go to
 * the host unchanged; struct timespec and struct timeval are rebuilt from guest words, while
 * struct itimerval and struct itimerspec (two pairs of 64-bit words on both sides) pass
 * through. A sleep cut short by a signal reports the time left, as the kernel does. */
#include <fcntl.h>
#include <string.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/times.h>

#include "linux/sys_util.h"

/* clock_gettime(clockid, tp). */
int64_t sys_clock_gettime(linux_thread_t *t, const uint64_t a[6]) {
    struct timespec ts;
    if (clock_gettime((clockid_t)a[0], &ts) < 0) return sys_err();
    return sys_put_timespec(t, a[1], &ts);
}

/* clock_getres(clockid, res). */
int64_t sys_clock_getres(linux_thread_t *t, const uint64_t a[6]) {
    struct timespec ts;
    if (clock_getres((clockid_t)a[0], &ts) < 0) return sys_err();
    return sys_put_timespec(t, a[1], &ts);
}

/* gettimeofday(tv, tz): the time zone is not filled in. */
int64_t sys_gettimeofday(linux_thread_t *t, const uint64_t a[6]) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    if (a[0]) {
        linux_timeval_t g = {tv.tv_sec, tv.tv_usec};
        PUT_ARG(a[0], g);
    }
    return 0;
}

/* The end of a sleep that failed with host errno: -EINTR also stores the time left at
 * rem_addr. */
static int64_t sleep_failed(linux_thread_t *t, uint64_t rem_addr, const struct timespec *rem) {
    int64_t e = sys_err();
    if (e == -LINUX_EINTR) sys_put_timespec(t, rem_addr, rem);
    return e;
}

/* nanosleep(req, rem). */
int64_t sys_nanosleep(linux_thread_t *t, const uint64_t a[6]) {
    struct timespec req, rem = {0, 0}, *rp;
    if (sys_get_timespec(t, a[0], &req, &rp) || !rp) return -LINUX_EFAULT;
    if (nanosleep(&req, &rem) < 0) return sleep_failed(t, a[1], &rem);
    return 0;
}

/* clock_nanosleep(clockid, flags, req, rem): the host returns the error instead of setting
 * errno. */
int64_t sys_clock_nanosleep(linux_thread_t *t, const uint64_t a[6]) {
    struct timespec req, rem = {0, 0}, *rp;
    if (sys_get_timespec(t, a[2], &req, &rp) || !rp) return -LINUX_EFAULT;
    int r = clock_nanosleep((clockid_t)a[0], (int)a[1], &req, &rem);
    if (r > 0) {
        errno = r;
        return sleep_failed(t, a[3], &rem);
    }
    return 0;
}

/* times(buf): the clock ticks since an arbitrary point, and the process's CPU times. */
int64_t sys_times(linux_thread_t *t, const uint64_t a[6]) {
    struct tms h;
    clock_t r = times(&h);
    if (a[0]) {
        linux_tms_t g = {h.tms_utime, h.tms_stime, h.tms_cutime, h.tms_cstime};
        PUT_ARG(a[0], g);
    }
    return r;
}

/* getitimer(which, curr_value). */
int64_t sys_getitimer(linux_thread_t *t, const uint64_t a[6]) {
    BUF_ARG(p, a[1], sizeof(struct itimerval), WR);
    return sys_ret(getitimer((int)a[0], p));
}

/* setitimer(which, new_value, old_value). */
int64_t sys_setitimer(linux_thread_t *t, const uint64_t a[6]) {
    BUF_ARG(p, a[1], sizeof(struct itimerval), RD);
    void *o = a[2] ? sys_ptr(t, a[2], sizeof(struct itimerval), WR) : NULL;
    if (a[2] && !o) return -LINUX_EFAULT;
    return sys_ret(setitimer((int)a[0], p, o));
}

/* timerfd_create(clockid, flags). */
int64_t sys_timerfd_create(linux_thread_t *t, const uint64_t a[6]) {
    (void)t;
    return sys_ret(
        timerfd_create((int)a[0], linux_open_flags_to_host(a[1]) & (O_CLOEXEC | O_NONBLOCK)));
}

_Static_assert(sizeof(struct itimerspec) == 32, "host itimerspec layout");

/* Store the host itimerspec ov at guest out (nothing when out is 0). */
static int64_t put_itimerspec(linux_thread_t *t, uint64_t out, const struct itimerspec *ov) {
    if (out && linux_copy_to_guest(t, out, ov, 32)) return -LINUX_EFAULT;
    return 0;
}

/* timerfd_settime(fd, flags, new_value, old_value). */
int64_t sys_timerfd_settime(linux_thread_t *t, const uint64_t a[6]) {
    struct itimerspec nv, ov;
    GET_ARG(nv, a[2]);
    if (timerfd_settime((int)a[0], (int)a[1], &nv, &ov) < 0) return sys_err();
    return put_itimerspec(t, a[3], &ov);
}

/* timerfd_gettime(fd, curr_value). */
int64_t sys_timerfd_gettime(linux_thread_t *t, const uint64_t a[6]) {
    struct itimerspec ov;
    if (timerfd_gettime((int)a[0], &ov) < 0) return sys_err();
    return put_itimerspec(t, a[1], &ov);
}
