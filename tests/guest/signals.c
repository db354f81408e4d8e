/* signals.c - guest signal handling: a SIGSEGV handler that siglongjmps out (unmapped and
 * read-only pages, with si_addr and si_code), raise() with a handler, blocking and pending
 * signals, SA_RESETHAND, sigaltstack, a timer signal, SIGILL and the register state a handler
 * sees in its ucontext; SIGTRAP from ebreak and SIGBUS past the end of a mapped file. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf jb;
static volatile void *fault_addr;
static volatile int fault_code, got_usr1, got_alrm, alt_used;
static char *altstack;

static void on_segv(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    (void)uc;
    fault_addr = si->si_addr;
    fault_code = si->si_code;
    char here;
    alt_used = altstack && &here >= altstack && &here < altstack + 65536;
    siglongjmp(jb, 1);
}

static void on_usr1(int sig, siginfo_t *si, void *ucv) {
    ucontext_t *uc = ucv;
    got_usr1 = sig == SIGUSR1 && si->si_signo == SIGUSR1 && uc->uc_mcontext.__gregs[0] != 0;
}

/* Skip the faulting instruction by editing the saved pc: sigreturn must restore it. */
static volatile int skipped;
static void on_ill_skip(int sig, siginfo_t *si, void *ucv) {
    (void)sig;
    (void)si;
    ucontext_t *uc = ucv;
    uc->uc_mcontext.__gregs[0] += 4;
    uc->uc_mcontext.__gregs[10] = 1234; /* a0 as the interrupted code will see it */
    skipped++;
}

static volatile int trapped;
static void on_trap(int sig, siginfo_t *si, void *ucv) {
    ucontext_t *uc = ucv;
    trapped = sig == SIGTRAP && si->si_signo == SIGTRAP;
    uc->uc_mcontext.__gregs[0] += 4;
}

static void on_bus(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    fault_code = sig;
    fault_addr = si->si_addr;
    siglongjmp(jb, 3);
}

static void on_alrm(int sig) {
    got_alrm += sig == SIGALRM;
}

static void on_ill(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    fault_code = sig;
    fault_addr = si->si_addr;
    siglongjmp(jb, 2);
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);

    volatile int *bad = (int *)0x1000;
    if (sigsetjmp(jb, 1) == 0) {
        *bad = 1;
        printf("no fault?\n");
    } else {
        printf("SIGSEGV at %p code %s\n", (void *)fault_addr,
               fault_code == SEGV_MAPERR ? "MAPERR" : "other");
    }
    char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (sigsetjmp(jb, 1) == 0) {
        ro[100] = 1;
        printf("no fault?\n");
    } else {
        printf("read-only store faults at page+%ld code %s\n", (long)((char *)fault_addr - ro),
               fault_code == SEGV_ACCERR ? "ACCERR" : "other");
    }
    /* the same again on an alternate stack */
    altstack = malloc(65536);
    stack_t ss = {.ss_sp = altstack, .ss_size = 65536, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGSEGV, &sa, NULL);
    if (sigsetjmp(jb, 1) == 0) {
        *bad = 2;
    } else {
        printf("handler on alternate stack: %s\n", alt_used ? "yes" : "no");
    }
    /* siglongjmp restored the mask: SIGSEGV is deliverable again */
    if (sigsetjmp(jb, 1) == 0) {
        *(volatile char *)0 = 0;
    } else {
        printf("second fault caught at %p\n", (void *)fault_addr);
    }

    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    printf("SIGUSR1 handled: %s\n", got_usr1 ? "yes" : "no");

    sigset_t set, old, pend;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    got_usr1 = 0;
    sigprocmask(SIG_BLOCK, &set, &old);
    raise(SIGUSR1);
    sigpending(&pend);
    printf("blocked: handled=%d pending=%d\n", got_usr1, sigismember(&pend, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked: handled=%d\n", got_usr1);

    struct sigaction al;
    memset(&al, 0, sizeof(al));
    al.sa_handler = on_alrm;
    al.sa_flags = SA_RESETHAND;
    sigaction(SIGALRM, &al, NULL);
    struct itimerval it = {{0, 0}, {0, 10000}};
    setitimer(ITIMER_REAL, &it, NULL);
    while (!got_alrm) {
    }
    struct sigaction now;
    sigaction(SIGALRM, NULL, &now);
    printf("timer signal: %d, reset to default: %s\n", got_alrm,
           now.sa_handler == SIG_DFL ? "yes" : "no");

    sa.sa_sigaction = on_ill;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGILL, &sa, NULL);
    if (sigsetjmp(jb, 1) == 0) {
        __asm__ volatile(".word 0" ::: "memory");
    } else {
        printf("SIGILL caught: %s\n", fault_code == SIGILL ? "yes" : "no");
    }
    sa.sa_sigaction = on_ill_skip;
    sigaction(SIGILL, &sa, NULL);
    long a0;
    __asm__ volatile("li a0, 1\n\t.word 0\n\tmv %0, a0" : "=r"(a0) : : "a0", "memory");
    printf("SIGILL skipped by the handler: %d, a0 from the context: %ld\n", skipped, a0);
    /* ebreak: SIGTRAP at the instruction; the handler steps over it */
    sa.sa_sigaction = on_trap;
    sigaction(SIGTRAP, &sa, NULL);
    __asm__ volatile(".4byte 0x00100073" ::: "memory");
    printf("SIGTRAP handled: %d\n", trapped);
    /* a file mapping past the end of the file: SIGBUS */
    sa.sa_sigaction = on_bus;
    sigaction(SIGBUS, &sa, NULL);
    FILE *tf = tmpfile();
    fputs("short file", tf);
    fflush(tf);
    char *fm = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fileno(tf), 0);
    if (sigsetjmp(jb, 1) == 0) {
        printf("in the file: %c\n", fm[0]);
        printf("past the end: %d\n", fm[4096]);
    } else {
        printf("SIGBUS past the end of the file: offset %ld\n", (long)((char *)fault_addr - fm));
    }
    fclose(tf);
    signal(SIGUSR2, SIG_IGN);
    raise(SIGUSR2);
    printf("ignored SIGUSR2 survived\n");
    return 0;
}
