/* sys_time.c - system calls on clocks and timers: clock_gettime and clock_getres,
 * gettimeofday, nanosleep and clock_nanosleep, times, interval timers and timer
 * descriptors, and POSIX timers (timer_create and friends).
 *
 * Clock ids, timer ids and the flag words are the same numbers on every Linux, so they go to
 * the host unchanged; struct timespec and struct timeval are rebuilt from guest words, while
 * struct itimerval and struct itimerspec (two pairs of 64-bit words on both sides) pass
 * through. A sleep cut short by a signal reports the time left, as the kernel does. */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/times.h>

#include "linux/sys_util.h"

/* clock_gettime(clockid, tp): tp is not optional (a NULL tp is EFAULT, as in Linux). */
int64_t sys_clock_gettime(linux_thread_t *t, const uint64_t a[6]) {
    struct timespec ts;
    if (clock_gettime((clockid_t)a[0], &ts) < 0) return sys_err();
    if (!a[1]) return -LINUX_EFAULT;
    return sys_put_timespec(t, a[1], &ts);
}

/* clock_settime(clockid, tp): the host's, so that setting the real-time clock needs
 * CAP_SYS_TIME as in Linux (--sandbox's filter refuses it always). */
int64_t sys_clock_settime(linux_thread_t *t, const uint64_t a[6]) {
    struct timespec buf, *tsp;
    int rc = sys_get_timespec(t, a[1], &buf, &tsp);
    if (rc) return rc;
    if (!tsp) return -LINUX_EFAULT;
    return sys_ret(clock_settime((clockid_t)a[0], tsp));
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
    if (SYS_BLOCK_WAIT(SYS_nanosleep, (long)&req, (long)&rem) < 0)
        return sleep_failed(t, a[1], &rem);
    return 0;
}

/* clock_nanosleep(clockid, flags, req, rem). */
int64_t sys_clock_nanosleep(linux_thread_t *t, const uint64_t a[6]) {
    struct timespec req, rem = {0, 0}, *rp;
    if (sys_get_timespec(t, a[2], &req, &rp) || !rp) return -LINUX_EFAULT;
    if (SYS_BLOCK_WAIT(SYS_clock_nanosleep, (long)(clockid_t)a[0], (long)(int)a[1], (long)&req,
                       (long)&rem) < 0)
        return sleep_failed(t, a[3], &rem);
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

_Static_assert(sizeof(struct itimerval) == 32, "host itimerval layout");

/* setitimer(which, new_value, old_value): a NULL new_value disarms the timer, as Linux still
 * allows. */
int64_t sys_setitimer(linux_thread_t *t, const uint64_t a[6]) {
    struct itimerval nv, ov;
    memset(&nv, 0, sizeof(nv));
    if (a[1]) GET_ARG(nv, a[1]);
    if (setitimer((int)a[0], &nv, &ov) < 0) return sys_err();
    if (a[2]) PUT_ARG(a[2], ov);
    return 0;
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

/* ---- POSIX timers: the host kernel's own, created with a raw system call so that the id
 * the guest sees is the kernel's. struct sigevent has the same 64-byte layout on both sides;
 * only the signal number is translated. Expiry signals reach the guest like any other
 * asynchronous signal, with the host's siginfo (SI_TIMER, the timer id, si_value).
 *
 * Guest signals 32 and 33 have no host number (the host's C library keeps them), yet glibc's
 * SIGEV_THREAD timers are kernel timers that send 32 to its helper thread (SIGEV_THREAD_ID).
 * Such a timer is a host timer that sends SIGBUS, which is always vm's and never blocked
 * where it could be lost; its id is recorded in the process's table, and vm's fault handler
 * turns an SI_TIMER SIGBUS of a recorded id into the guest signal, for the thread the timer
 * names or for the process (signal.c). ---- */

/* The kernel's struct sigevent (both sides). */
typedef struct kernel_sigevent {
    uint64_t value;  /* sigev_value */
    int32_t signo;   /* sigev_signo */
    int32_t notify;  /* sigev_notify */
    int32_t tid;     /* sigev_notify_thread_id (SIGEV_THREAD_ID) */
    int32_t pad[11]; /* rest of the union */
} kernel_sigevent_t;
_Static_assert(sizeof(kernel_sigevent_t) == 64, "struct sigevent layout");

int linux_nohost_timer_sig(linux_proc_t *p, int timer_id) {
    for (int i = 0; i < LINUX_NOHOST_TIMERS; i++)
        if (atomic_load(&p->nohost_timer[i]) == timer_id + 1)
            return atomic_load(&p->nohost_timer_sig[i]);
    return 0;
}

/* timer_create(clockid, sevp, timerid). */
int64_t sys_timer_create(linux_thread_t *t, const uint64_t a[6]) {
    kernel_sigevent_t ev, *evp = NULL;
    int nohost = 0; /* the guest signal when it has no host number, with LINUX_NOHOST_TO_THREAD */
    if (a[1]) {
        GET_ARG(ev, a[1]);
        if (ev.notify != LINUX_SIGEV_NONE) {
            int hs = linux_sig_to_host(ev.signo);
            if (!hs && ev.signo >= LINUX_SIGRTMIN && ev.signo <= LINUX_SIGRTMIN + 1) {
                nohost =
                    ev.signo | ((ev.notify & LINUX_SIGEV_THREAD_ID) ? LINUX_NOHOST_TO_THREAD : 0);
                hs = SIGBUS;
            }
            if (!hs) return -LINUX_EINVAL;
            ev.signo = hs;
        }
        evp = &ev;
    }
    if (!sys_ptr(t, a[2], 4, WR)) return -LINUX_EFAULT;
    int slot = -1;
    if (nohost) {
        for (int i = 0; i < LINUX_NOHOST_TIMERS && slot < 0; i++) {
            int free_id = 0;
            /* claimed with an id no timer has until the real one is known */
            if (atomic_compare_exchange_strong(&t->proc->nohost_timer[i], &free_id, INT32_MIN))
                slot = i;
        }
        if (slot < 0) return -LINUX_EAGAIN;
    }
    int32_t id;
    if (syscall(SYS_timer_create, (clockid_t)a[0], evp, &id) < 0) {
        int64_t e = sys_err();
        if (slot >= 0) atomic_store(&t->proc->nohost_timer[slot], 0);
        return e;
    }
    if (slot >= 0) {
        /* before the guest can arm it: no expiry comes before this */
        atomic_store(&t->proc->nohost_timer_sig[slot], nohost);
        atomic_store(&t->proc->nohost_timer[slot], id + 1);
    }
    if (linux_copy_to_guest(t, a[2], &id, 4)) {
        syscall(SYS_timer_delete, id);
        if (slot >= 0) atomic_store(&t->proc->nohost_timer[slot], 0);
        return -LINUX_EFAULT;
    }
    return 0;
}

/* timer_settime(timerid, flags, new_value, old_value). */
int64_t sys_timer_settime(linux_thread_t *t, const uint64_t a[6]) {
    struct itimerspec nv, ov;
    GET_ARG(nv, a[2]);
    if (syscall(SYS_timer_settime, (int)a[0], (int)a[1], &nv, &ov) < 0) return sys_err();
    return put_itimerspec(t, a[3], &ov);
}

/* timer_gettime(timerid, curr_value). */
int64_t sys_timer_gettime(linux_thread_t *t, const uint64_t a[6]) {
    struct itimerspec ov;
    if (syscall(SYS_timer_gettime, (int)a[0], &ov) < 0) return sys_err();
    if (!a[1]) return -LINUX_EFAULT;
    return put_itimerspec(t, a[1], &ov);
}

/* timer_getoverrun(timerid). */
int64_t sys_timer_getoverrun(linux_thread_t *t, const uint64_t a[6]) {
    (void)t;
    return sys_ret(syscall(SYS_timer_getoverrun, (int)a[0]));
}

/* timer_delete(timerid). */
int64_t sys_timer_delete(linux_thread_t *t, const uint64_t a[6]) {
    long r = syscall(SYS_timer_delete, (int)a[0]);
    if (r == 0)
        for (int i = 0; i < LINUX_NOHOST_TIMERS; i++) {
            int id = (int)a[0] + 1;
            atomic_compare_exchange_strong(&t->proc->nohost_timer[i], &id, 0);
        }
    return sys_ret(r);
}
