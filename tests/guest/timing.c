/* timing.c - clocks and sleeps: monotonic time advances, nanosleep and clock_nanosleep
 * sleep at least as long as asked, gettimeofday agrees with CLOCK_REALTIME. */
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

static double now(clockid_t c) {
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(void) {
    double t0 = now(CLOCK_MONOTONIC);
    struct timespec d = {0, 20 * 1000 * 1000};
    nanosleep(&d, NULL);
    double t1 = now(CLOCK_MONOTONIC);
    printf("nanosleep >= 20ms: %s\n", t1 - t0 >= 0.019 ? "yes" : "no");
    clock_nanosleep(CLOCK_MONOTONIC, 0, &d, NULL);
    double t2 = now(CLOCK_MONOTONIC);
    printf("clock_nanosleep >= 20ms: %s\n", t2 - t1 >= 0.019 ? "yes" : "no");
    struct timeval tv;
    gettimeofday(&tv, NULL);
    double rt = now(CLOCK_REALTIME);
    double diff = rt - ((double)tv.tv_sec + (double)tv.tv_usec * 1e-6);
    printf("gettimeofday close to realtime: %s\n", diff > -1 && diff < 1 ? "yes" : "no");
    printf("realtime after 2020: %s\n", rt > 1577836800.0 ? "yes" : "no");
    struct timespec res;
    clock_getres(CLOCK_MONOTONIC, &res);
    printf("resolution <= 1ms: %s\n", res.tv_sec == 0 && res.tv_nsec <= 1000000 ? "yes" : "no");
    double c0 = now(CLOCK_PROCESS_CPUTIME_ID);
    volatile double x = 0;
    for (int i = 0; i < 200000; i++)
        x += i * 0.5;
    printf("process cpu time advances: %s\n", now(CLOCK_PROCESS_CPUTIME_ID) > c0 ? "yes" : "no");
    rt = now(CLOCK_REALTIME);
    time_t t = time(NULL);
    printf("time() agrees: %s\n", (double)t - rt < 2 && rt - (double)t < 2 ? "yes" : "no");
    return 0;
}
