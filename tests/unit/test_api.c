/* test_api.c - the public machine API (include/vm/vm.h), used as an embedder would: nothing
 * here includes a private header. Bad options fail with words, a raw program runs to a system
 * call served by the hook, budgets and wall-clock limits end runs, vm_stop() works from another
 * thread, two machines run at once on two threads, writing guest code drops stale
 * translations, user mode allows one machine per process, the user-mode limits (instructions,
 * wall time, committed memory, threads) hold, and the virt console's escape ends a run. Each
 * case runs under every
 * engine the host has. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "vm/vm.h"

/* sum = n + (n-1) + ... + 1, then exit(sum) through ecall 93, then spin. */
static void sum_program(uint32_t *code, unsigned n) {
    const uint32_t p[] = {
        0x00000513,                /* 0x00 li a0, 0 */
        (uint32_t)n << 20 | 0x593, /* 0x04 li a1, n */
        0x00b50533,                /* 0x08 loop: add a0, a0, a1 */
        0xfff58593,                /* 0x0c addi a1, a1, -1 */
        0xfe059ce3,                /* 0x10 bnez a1, loop */
        0x05d00893,                /* 0x14 li a7, 93 */
        0x00000073,                /* 0x18 ecall */
        0x0000006f,                /* 0x1c spin: j spin */
    };
    memcpy(code, p, sizeof(p));
}

static vm_engine_kind_t engine;

/* A bare machine with the sum program for n loaded at the RAM base. */
static vm_t *machine(unsigned n) {
    vm_options_t o;
    vm_options_init(&o);
    o.engine = engine;
    o.ram_size = 1 << 20;
    o.jit_threshold = 1;
    vm_t *vm = NULL;
    assert_int_equal(vm_create(&o, &vm), 0);
    uint32_t code[8];
    sum_program(code, n);
    assert_int_equal(vm_load_raw(vm, VM_BARE_RAM_BASE, code, sizeof(code)), 0);
    vm_set_pc(vm, VM_BARE_RAM_BASE);
    return vm;
}

/* The hook: exit(a0) records the value and stops the machine. */
typedef struct exit_box {
    uint64_t value; /* a0 of the exit call */
    int calls;      /* exit calls seen */
} exit_box_t;

static bool on_syscall(void *opaque, vm_t *vm, uint64_t nr, const uint64_t args[6], uint64_t *ret) {
    exit_box_t *box = opaque;
    if (nr != 93) return false;
    box->value = args[0];
    box->calls++;
    *ret = 0;
    vm_stop(vm);
    return true;
}

static void bad_options(void **state) {
    (void)state;
    vm_options_t o;
    vm_options_init(&o);
    o.ram_size = 1000;
    vm_t *vm = (vm_t *)&o;
    assert_int_equal(vm_create(&o, &vm), -EINVAL);
    assert_null(vm);
    assert_non_null(strstr(vm_error(NULL), "RAM size"));
    vm_options_init(&o);
    o.machine = (vm_machine_kind_t)7;
    assert_int_equal(vm_create(&o, &vm), -EINVAL);
    assert_non_null(strstr(vm_error(NULL), "machine"));
    vm_options_init(&o);
    o.engine = (vm_engine_kind_t)9;
    assert_int_equal(vm_create(&o, &vm), -EINVAL);
    vm_destroy(NULL);
}

static void syscall_hook_and_stop(void **state) {
    (void)state;
    vm_t *vm = machine(1000);
    exit_box_t box = {0};
    vm_set_syscall_hook(vm, on_syscall, &box);
    vm_exit_t ex;
    assert_int_equal(vm_run(vm, 0, 0, &ex), 0);
    assert_int_equal(ex.reason, VM_EXIT_STOPPED);
    assert_int_equal(box.calls, 1);
    assert_int_equal(box.value, 500500);
    assert_int_equal(vm_get_x(vm, 10), 0); /* the hook's result */
    assert_int_equal(vm_get_pc(vm), VM_BARE_RAM_BASE + 0x1c);
    assert_int_equal(vm_traps(vm), 0);
    /* 2 + 3 * 1000 + li a7 + the ecall the hook served; the stop came before the spin */
    assert_int_equal(vm_instret(vm), 3004);
    uint64_t mstatus;
    assert_int_equal(vm_get_csr(vm, 0x300, &mstatus), 0);
    assert_int_equal(vm_get_csr(vm, 0x7ff, &mstatus), -EINVAL);
    assert_int_equal(vm_get_priv(vm), 3);
    vm_destroy(vm);
}

static void without_hook_ecall_traps(void **state) {
    (void)state;
    vm_t *vm = machine(10);
    vm_exit_t ex;
    assert_int_equal(vm_run(vm, 10000, 0, &ex), 0);
    assert_int_equal(ex.reason, VM_EXIT_BUDGET);
    /* the ecall trapped to mtvec = 0, outside RAM: a loop of fetch access faults there,
     * which the budget ends (each trap counts) */
    uint64_t mcause = 0, mepc = 1;
    assert_int_equal(vm_get_csr(vm, 0x342, &mcause), 0);
    assert_int_equal(vm_get_csr(vm, 0x341, &mepc), 0);
    assert_int_equal(mcause, 1);
    assert_int_equal(mepc, 0);
    assert_true(vm_traps(vm) > 1000);
    vm_destroy(vm);
}

static void budget_and_timeout(void **state) {
    (void)state;
    vm_t *vm = machine(1);
    vm_set_pc(vm, VM_BARE_RAM_BASE + 0x1c); /* the spin */
    vm_exit_t ex;
    assert_int_equal(vm_run(vm, 5000, 0, &ex), 0);
    assert_int_equal(ex.reason, VM_EXIT_BUDGET);
    uint64_t n = vm_instret(vm);
    assert_true(n >= 5000 && n < 5000 + 1000);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    assert_int_equal(vm_run(vm, 0, 50 * 1000 * 1000, &ex), 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) * 1e-9;
    assert_int_equal(ex.reason, VM_EXIT_TIMEOUT);
    assert_true(s >= 0.05 && s < 10.0);
    assert_true(vm_instret(vm) > n);
    vm_destroy(vm);
}

static void *stop_later(void *arg) {
    usleep(30000);
    vm_stop(arg);
    return NULL;
}

static void stop_from_thread(void **state) {
    (void)state;
    vm_t *vm = machine(1);
    vm_set_pc(vm, VM_BARE_RAM_BASE + 0x1c);
    pthread_t t;
    pthread_create(&t, NULL, stop_later, vm);
    vm_exit_t ex;
    assert_int_equal(vm_run(vm, 0, 0, &ex), 0);
    pthread_join(t, NULL);
    assert_int_equal(ex.reason, VM_EXIT_STOPPED);
    /* the machine goes on afterwards */
    assert_int_equal(vm_run(vm, 1000, 0, &ex), 0);
    assert_int_equal(ex.reason, VM_EXIT_BUDGET);
    vm_destroy(vm);
}

typedef struct job {
    unsigned n;     /* loop count */
    exit_box_t box; /* what the guest exited with */
    int reason;     /* vm_run's exit reason */
} job_t;

static void *run_job(void *arg) {
    job_t *j = arg;
    vm_t *vm = machine(j->n);
    vm_set_syscall_hook(vm, on_syscall, &j->box);
    vm_exit_t ex;
    for (int round = 0; round < 50; round++) { /* many short runs interleave the threads */
        vm_set_pc(vm, VM_BARE_RAM_BASE);
        if (vm_run(vm, 0, 0, &ex) != 0) break;
    }
    j->reason = (int)ex.reason;
    vm_destroy(vm);
    return NULL;
}

static void two_machines_two_threads(void **state) {
    (void)state;
    job_t jobs[2] = {{.n = 2000}, {.n = 1500}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, run_job, &jobs[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(jobs[0].box.value, 2001000);
    assert_int_equal(jobs[1].box.value, 1125750);
    assert_int_equal(jobs[0].box.calls, 50);
    assert_int_equal(jobs[1].box.calls, 50);
    assert_int_equal(jobs[0].reason, VM_EXIT_STOPPED);
}

static void rewritten_code_runs(void **state) {
    (void)state;
    vm_t *vm = machine(100);
    exit_box_t box = {0};
    vm_set_syscall_hook(vm, on_syscall, &box);
    vm_exit_t ex;
    for (int i = 0; i < 20; i++) { /* hot: translated under the JIT */
        vm_set_pc(vm, VM_BARE_RAM_BASE);
        assert_int_equal(vm_run(vm, 0, 0, &ex), 0);
    }
    assert_int_equal(box.value, 5050);
    uint32_t li = 10u << 20 | 0x593; /* li a1, 10 */
    assert_int_equal(vm_write_mem(vm, VM_BARE_RAM_BASE + 4, &li, 4), 0);
    uint32_t back = 0;
    assert_int_equal(vm_read_mem(vm, VM_BARE_RAM_BASE + 4, &back, 4), 0);
    assert_int_equal(back, li);
    vm_set_pc(vm, VM_BARE_RAM_BASE);
    assert_int_equal(vm_run(vm, 0, 0, &ex), 0);
    assert_int_equal(box.value, 55);
    assert_int_equal(vm_read_mem(vm, 0x1000, &back, 4), -EFAULT);
    assert_int_equal(vm_write_mem(vm, VM_BARE_RAM_BASE + (1 << 20) - 2, &li, 4), -EFAULT);
    vm_destroy(vm);
}

static void load_errors(void **state) {
    (void)state;
    vm_t *vm = machine(1);
    assert_true(vm_load_elf(vm, "/nonexistent/prog.elf") < 0);
    assert_non_null(strstr(vm_error(vm), "/nonexistent/prog.elf"));
    static const char junk[64] = "\177ELF not really";
    assert_true(vm_load_elf_image(vm, junk, sizeof(junk)) < 0);
    assert_true(strlen(vm_error(vm)) > 0);
    assert_int_equal(vm_load_raw(vm, 0x1000, junk, 4), -EFAULT);
    assert_int_equal(vm_load_program(vm, "/bin/true", 0, NULL, NULL), -EINVAL);
    vm_destroy(vm);
}

static void one_user_machine(void **state) {
    (void)state;
    vm_options_t o;
    vm_options_init(&o);
    o.machine = VM_MACHINE_USER;
    vm_t *a = NULL, *b = NULL;
    assert_int_equal(vm_create(&o, &a), 0);
    assert_int_equal(vm_create(&o, &b), -EBUSY);
    assert_non_null(strstr(vm_error(NULL), "user-mode"));
    vm_exit_t ex;
    assert_int_equal(vm_run(a, 0, 0, &ex), -ENOEXEC); /* nothing loaded */
    vm_destroy(a);
    assert_int_equal(vm_create(&o, &b), 0);
    vm_destroy(b);
}

/* The virt console's escape: with console_escape set, C-a x on the console input ends the run
 * with VM_EXIT_QUIT; without it the same bytes are data and the run ends at its budget. The
 * firmware is one instruction, `j .`, written to a temporary file. */
static void virt_console_quit(void **state) {
    (void)state;
    char path[] = "/tmp/vm-test-bios-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const uint32_t spin = 0x0000006f;
    assert_int_equal(write(fd, &spin, sizeof(spin)), (ssize_t)sizeof(spin));
    close(fd);
    for (int escape = 0; escape <= 1; escape++) {
        int p[2];
        assert_int_equal(pipe(p), 0);
        vm_options_t o;
        vm_options_init(&o);
        o.machine = VM_MACHINE_VIRT;
        o.engine = engine;
        o.bios = path;
        o.ram_size = 16ull << 20;
        o.console_in = p[0];
        o.console_escape = (unsigned char)escape;
        vm_t *vm = NULL;
        assert_int_equal(vm_create(&o, &vm), 0);
        assert_int_equal(write(p[1], "\001x", 2), 2);
        vm_exit_t ex;
        assert_int_equal(vm_run(vm, 5000000, 0, &ex), 0);
        assert_int_equal(ex.reason, escape ? VM_EXIT_QUIT : VM_EXIT_BUDGET);
        vm_destroy(vm);
        close(p[0]);
        close(p[1]);
    }
    unlink(path);
}

/* Network cards through the API: a port forward listens on the host's 127.0.0.1 while the
 * machine exists and is closed with it; a malformed rule or a NULL list is refused with a
 * message. (Skipped parts when vm was built without libslirp: vm_create says -ENOTSUP.) */
static void virt_net_options(void **state) {
    (void)state;
    char path[] = "/tmp/vm-test-bios-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const uint32_t spin = 0x0000006f;
    assert_int_equal(write(fd, &spin, sizeof(spin)), (ssize_t)sizeof(spin));
    close(fd);
    /* a free loopback port */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof(a);
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &alen), 0);
    close(s);
    char rule[64];
    snprintf(rule, sizeof(rule), "tcp::%u-:22", (unsigned)ntohs(a.sin_port));
    const char *rules[1] = {rule};
    vm_net_t net = {.hostfwd = rules, .nhostfwd = 1};
    vm_options_t o;
    vm_options_init(&o);
    o.machine = VM_MACHINE_VIRT;
    o.bios = path;
    o.ram_size = 16ull << 20;
    o.nets = &net;
    o.nnets = 1;
    vm_t *vm = NULL;
    int rc = vm_create(&o, &vm);
    bool have_net = rc != -ENOTSUP;
    if (!have_net) {
        assert_non_null(strstr(vm_error(NULL), "libslirp"));
    } else {
        assert_int_equal(rc, 0);
        s = socket(AF_INET, SOCK_STREAM, 0);
        assert_int_equal(connect(s, (struct sockaddr *)&a, sizeof(a)), 0); /* slirp listens */
        close(s);
        vm_destroy(vm);
        s = socket(AF_INET, SOCK_STREAM, 0);
        assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0); /* and let go */
        close(s);
    }
    if (have_net) {
        rules[0] = "tcp::22";
        assert_int_equal(vm_create(&o, &vm), -EINVAL);
        assert_non_null(strstr(vm_error(NULL), "hostfwd"));
    }
    o.nets = NULL;
    assert_int_equal(vm_create(&o, &vm), -EINVAL);
    unlink(path);
}

/* ---- user-mode limits: each case runs a tiny riscv64 Linux program in a forked child (a
 * user-mode run ends its process) and looks at the child's exit status ---- */

/* RV64I encodings for the programs below. */
static uint32_t rv_addi(unsigned rd, unsigned rs1, int32_t imm) {
    return (uint32_t)(imm & 0xfff) << 20 | rs1 << 15 | rd << 7 | 0x13;
}
static uint32_t rv_lui(unsigned rd, uint32_t imm20) {
    return imm20 << 12 | rd << 7 | 0x37;
}
static uint32_t rv_sub(unsigned rd, unsigned rs1, unsigned rs2) {
    return 0x20u << 25 | rs2 << 20 | rs1 << 15 | rd << 7 | 0x33;
}
/* bge rs1, rs2, +off (off a small positive multiple of 4) */
static uint32_t rv_bge(unsigned rs1, unsigned rs2, unsigned off) {
    return ((off >> 5) & 0x3f) << 25 | rs2 << 20 | rs1 << 15 | 5u << 12 | ((off >> 1) & 0xf) << 8 |
           0x63;
}
#define RV_ECALL 0x00000073u
#define RV_SPIN  0x0000006fu /* j . */
enum { A0 = 10, A1, A2, A3, A4, A5, A7 = 17, SP = 2 };

/* After a system call: exit_group(-a0) when it failed, else exit_group(0). 6 words. */
static unsigned exit_by_result(uint32_t *c) {
    c[0] = rv_bge(A0, 0, 12);
    c[1] = rv_sub(A0, 0, A0);
    c[2] = 0x0080006fu; /* j +8 */
    c[3] = rv_addi(A0, 0, 0);
    c[4] = rv_addi(A7, 0, 94);
    c[5] = RV_ECALL;
    return 6;
}

/* Write a static riscv64 ELF executable holding `code` to a new temporary file; its path in
 * path (a mkstemp template). */
static void write_elf(char *path, const uint32_t *code, unsigned n) {
    uint8_t f[512] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
    const uint64_t base = 0x10000, entry = base + 64 + 56;
    uint64_t size = 64 + 56 + 4ull * n;
    assert_true(size <= sizeof(f));
#define PUT(off, v, w)                                                                             \
    do {                                                                                           \
        uint64_t v_ = (v);                                                                         \
        memcpy(f + (off), &v_, (w));                                                               \
    } while (0)
    PUT(16, 2, 2);     /* ET_EXEC */
    PUT(18, 243, 2);   /* EM_RISCV */
    PUT(20, 1, 4);     /* EV_CURRENT */
    PUT(24, entry, 8); /* e_entry */
    PUT(32, 64, 8);    /* e_phoff */
    PUT(52, 64, 2);    /* e_ehsize */
    PUT(54, 56, 2);    /* e_phentsize */
    PUT(56, 1, 2);     /* e_phnum */
    PUT(64, 1, 4);     /* PT_LOAD */
    PUT(68, 5, 4);     /* R+X */
    PUT(72, 0, 8);     /* p_offset */
    PUT(80, base, 8);  /* p_vaddr */
    PUT(88, base, 8);  /* p_paddr */
    PUT(96, size, 8);  /* p_filesz */
    PUT(104, size, 8); /* p_memsz */
    PUT(112, 4096, 8); /* p_align */
#undef PUT
    memcpy(f + 120, code, 4ull * n);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, f, size), (ssize_t)size);
    close(fd);
}

/* vm_options_t.sandbox and .net for the next run_user_child (NULL: none). */
static const char *child_sandbox;
static bool child_net;

/* Run the program at path in user mode in a child process with these limits; its exit
 * status (128 + signal when a signal ended it). */
static int run_user_child(const char *path, uint64_t memory_limit, unsigned max_threads,
                          uint64_t max_insns, uint64_t max_ns) {
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        vm_options_t o;
        vm_options_init(&o);
        o.machine = VM_MACHINE_USER;
        o.engine = engine;
        o.memory_limit = memory_limit;
        o.max_threads = max_threads;
        o.sandbox = child_sandbox;
        o.net = child_net;
        vm_t *vm = NULL;
        if (vm_create(&o, &vm)) _exit(200);
        char *argv[] = {(char *)path, NULL}, *envp[] = {NULL};
        if (vm_load_program(vm, path, 1, argv, envp)) _exit(201);
        vm_exit_t ex;
        vm_run(vm, max_insns, max_ns, &ex);
        _exit(202); /* not reached: the guest's exit or a limit ends the process */
    }
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void limits_default_to_none(void **state) {
    (void)state;
    vm_options_t o;
    memset(&o, 0xff, sizeof(o));
    vm_options_init(&o);
    assert_int_equal(o.memory_limit, 0);
    assert_int_equal(o.max_threads, 0);
}

static double seconds_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A program that spins forever ends by max_insns or max_ns with VM_EXIT_STATUS_LIMIT. */
static void user_insn_and_time_limits(void **state) {
    (void)state;
    char path[] = "/tmp/vm-test-api-XXXXXX";
    uint32_t spin[] = {RV_SPIN};
    write_elf(path, spin, 1);
    assert_int_equal(run_user_child(path, 0, 0, 2000000, 0), VM_EXIT_STATUS_LIMIT);
    double t0 = seconds_now();
    assert_int_equal(run_user_child(path, 0, 0, 0, 200000000), VM_EXIT_STATUS_LIMIT);
    assert_true(seconds_now() - t0 >= 0.2);
    unlink(path);
}

/* mmap of 128 MiB: ENOMEM (12) under a 64 MiB memory_limit, success without one. */
static void user_memory_limit(void **state) {
    (void)state;
    char path[] = "/tmp/vm-test-api-XXXXXX";
    uint32_t c[32];
    unsigned n = 0;
    c[n++] = rv_addi(A0, 0, 0);
    c[n++] = rv_lui(A1, 0x8000);   /* 128 MiB */
    c[n++] = rv_addi(A2, 0, 3);    /* PROT_READ | PROT_WRITE */
    c[n++] = rv_addi(A3, 0, 0x22); /* MAP_PRIVATE | MAP_ANONYMOUS */
    c[n++] = rv_addi(A4, 0, -1);
    c[n++] = rv_addi(A5, 0, 0);
    c[n++] = rv_addi(A7, 0, 222); /* mmap */
    c[n++] = RV_ECALL;
    n += exit_by_result(c + n);
    write_elf(path, c, n);
    assert_int_equal(run_user_child(path, 64u << 20, 0, 0, 0), 12);
    assert_int_equal(run_user_child(path, 256u << 20, 0, 0, 0), 0);
    assert_int_equal(run_user_child(path, 0, 0, 0, 0), 0);
    unlink(path);
}

/* clone of a thread: EAGAIN (11) when max_threads is 1, success without a limit. */
static void user_thread_limit(void **state) {
    (void)state;
    char path[] = "/tmp/vm-test-api-XXXXXX";
    uint32_t c[32];
    unsigned n = 0;
    c[n++] = rv_lui(A0, 0x11);
    c[n++] = rv_addi(A0, A0, -0x700); /* CLONE_VM | CLONE_SIGHAND | CLONE_THREAD */
    c[n++] = rv_addi(A1, SP, -2048);
    c[n++] = rv_addi(A1, A1, -2048); /* the new thread's stack: below this one's */
    c[n++] = rv_addi(A2, 0, 0);
    c[n++] = rv_addi(A3, 0, 0);
    c[n++] = rv_addi(A4, 0, 0);
    c[n++] = rv_addi(A7, 0, 220); /* clone */
    c[n++] = RV_ECALL;
    n += exit_by_result(c + n); /* both threads call exit_group(0) on success */
    write_elf(path, c, n);
    assert_int_equal(run_user_child(path, 0, 1, 0, 0), 11);
    assert_int_equal(run_user_child(path, 0, 2, 0, 0), 0);
    assert_int_equal(run_user_child(path, 0, 0, 0, 0), 0);
    unlink(path);
}

/* vm_options_t.sandbox through the API: openat of a host file outside the box gets ENOENT
 * (2), socket(AF_INET) EACCES (13) unless .net allows it, and kill(getppid(), 0) of the test
 * process, outside the guest's process tree, ESRCH (3); without a sandbox all three work. */
static void user_sandbox(void **state) {
    (void)state;
    char box[] = "/tmp/vm-test-box-XXXXXX", secret[] = "/tmp/vm-test-api-XXXXXX";
    assert_non_null(mkdtemp(box));
    int sfd = mkstemp(secret);
    assert_true(sfd >= 0);
    close(sfd);
    char open_path[] = "/tmp/vm-test-api-XXXXXX", sock_path[] = "/tmp/vm-test-api-XXXXXX",
         kill_path[] = "/tmp/vm-test-api-XXXXXX";
    uint32_t c[48];
    unsigned n = 0;
    c[n++] = rv_addi(A0, 0, -100); /* AT_FDCWD */
    c[n++] = rv_lui(A1, 0x10);
    unsigned at_lui = n++; /* addi a1, a1, offset of the string: set below */
    c[n++] = rv_addi(A2, 0, 0);
    c[n++] = rv_addi(A3, 0, 0);
    c[n++] = rv_addi(A7, 0, 56); /* openat */
    c[n++] = RV_ECALL;
    n += exit_by_result(c + n);
    c[at_lui] = rv_addi(A1, A1, (int32_t)(64 + 56 + 4 * n)); /* the string follows the code */
    size_t sl = strlen(secret) + 1;
    memset(c + n, 0, (sl + 3) / 4 * 4);
    memcpy(c + n, secret, sl);
    write_elf(open_path, c, n + (unsigned)(sl + 3) / 4);
    n = 0;
    c[n++] = rv_addi(A0, 0, 2); /* AF_INET */
    c[n++] = rv_addi(A1, 0, 1); /* SOCK_STREAM */
    c[n++] = rv_addi(A2, 0, 0);
    c[n++] = rv_addi(A7, 0, 198); /* socket */
    c[n++] = RV_ECALL;
    n += exit_by_result(c + n);
    write_elf(sock_path, c, n);
    n = 0;
    c[n++] = rv_addi(A7, 0, 173); /* getppid */
    c[n++] = RV_ECALL;
    c[n++] = rv_addi(A1, 0, 0);
    c[n++] = rv_addi(A7, 0, 129); /* kill */
    c[n++] = RV_ECALL;
    n += exit_by_result(c + n);
    write_elf(kill_path, c, n);

    assert_int_equal(run_user_child(open_path, 0, 0, 0, 0), 0);
    assert_int_equal(run_user_child(sock_path, 0, 0, 0, 0), 0);
    assert_int_equal(run_user_child(kill_path, 0, 0, 0, 0), 0);
    child_sandbox = box;
    int st = run_user_child(open_path, 0, 0, 0, 0);
    if (st == 127) { /* vm refuses --sandbox without libseccomp, and says so on stderr */
        child_sandbox = NULL;
        unlink(open_path), unlink(sock_path), unlink(kill_path), unlink(secret), rmdir(box);
        skip();
    }
    assert_int_equal(st, 2);
    assert_int_equal(run_user_child(sock_path, 0, 0, 0, 0), 13);
    assert_int_equal(run_user_child(kill_path, 0, 0, 0, 0), 3);
    child_net = true;
    assert_int_equal(run_user_child(sock_path, 0, 0, 0, 0), 0);
    child_net = false;
    child_sandbox = NULL;
    unlink(open_path), unlink(sock_path), unlink(kill_path), unlink(secret), rmdir(box);
}

static int run_group(const char *name) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_options),
        cmocka_unit_test(syscall_hook_and_stop),
        cmocka_unit_test(without_hook_ecall_traps),
        cmocka_unit_test(budget_and_timeout),
        cmocka_unit_test(stop_from_thread),
        cmocka_unit_test(two_machines_two_threads),
        cmocka_unit_test(rewritten_code_runs),
        cmocka_unit_test(load_errors),
        cmocka_unit_test(one_user_machine),
        cmocka_unit_test(virt_console_quit),
        cmocka_unit_test(virt_net_options),
        cmocka_unit_test(limits_default_to_none),
        cmocka_unit_test(user_insn_and_time_limits),
        cmocka_unit_test(user_memory_limit),
        cmocka_unit_test(user_thread_limit),
        cmocka_unit_test(user_sandbox),
    };
    return _cmocka_run_group_tests(name, tests, sizeof(tests) / sizeof(tests[0]), NULL, NULL);
}

int main(void) {
    engine = VM_ENGINE_INTERP;
    int failed = run_group("interp");
    if (vm_engine_available(VM_ENGINE_JIT)) {
        engine = VM_ENGINE_JIT;
        failed += run_group("jit");
    } else {
        printf("jit group skipped: this host has no JIT backend\n");
    }
    return failed;
}
