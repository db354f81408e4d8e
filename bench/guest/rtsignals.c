/* rtsignals.c - N rounds (argv[1], default 100000) of two real-time signals raised and taken
 * by one thread: sigqueue of SIGRTMIN to the process and raise of SIGRTMIN (both blocked),
 * then two sigwaitinfo. For the CPU time of the signal path in user mode
 * (docs/performance.md, "queued real-time signals and signalfd"); built by hand:
 * riscv64-linux-gnu-gcc -O2 -static -o rtsignals bench/guest/rtsignals.c */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 100000;
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &s, NULL);
    siginfo_t si;
    long sum = 0;
    for (int i = 0; i < n; i++) {
        union sigval v = {.sival_int = i};
        sigqueue(getpid(), SIGRTMIN, v);
        raise(SIGRTMIN);
        sigwaitinfo(&s, &si);
        sum += si.si_value.sival_int;
        sigwaitinfo(&s, &si);
    }
    printf("%ld\n", sum);
    return 0;
}
