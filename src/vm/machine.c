/* machine.c - the public machine API (include/vm/vm.h): the composition root of libvm.
 *
 * This is the one place that knows every part: it builds a bare machine (src/system) or a
 * user-mode process (src/linux), registers the translating engines (src/jit) with the run
 * loop (src/exec), and turns the API's options into each part's own options. Everything below
 * it takes its settings from its owner, never from process-wide variables, so bare machines
 * can be built and run side by side; user mode is one per process because a guest process
 * owns the host process's signals, fork and exit.
 *
 * vm_run() on a bare or virt machine runs it in slices of at most SLICE instructions so that a
 * wall-clock limit is checked between slices without a timer thread; vm_stop() interrupts a
 * slice at its next block boundary. The guest's exit (HTIF on the bare machine, the test
 * device's poweroff on virt) ends the run.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/elf.h"
#include "exec/exec.h"
#include "jit/jit.h"
#include "linux/run.h"
#include "riscv/memacc.h"
#include "system/bare.h"
#include "system/virt.h"
#include "vm/vm.h"

_Static_assert(VM_EXIT_STATUS_LIMIT == LINUX_LIMIT_STATUS, "one status for limits");

/* Instructions per slice of a bare run: bounds how late a wall-clock limit is noticed. */
#define SLICE (1ull << 20)

struct vm {
    vm_options_t opt;     /* the options it was built with */
    exec_options_t exec;  /* the engine settings derived from them */
    bare_machine_t bare;  /* VM_MACHINE_BARE: the machine */
    bool bare_ready;      /* bare was initialised */
    virt_machine_t *virt; /* VM_MACHINE_VIRT: the machine */
    bool loaded;          /* a program was loaded */
    linux_options_t lopt; /* VM_MACHINE_USER: the process options */
    vm_syscall_fn hook;   /* system-call hook, or NULL */
    void *hook_opaque;    /* its first argument */
    double run_seconds;   /* wall time spent in vm_run, for vm_print_stats */
    _Atomic int stopped;  /* vm_stop() was called during the current run */
    unsigned view;        /* virt: the hart the register and counter calls look at */
    rv_cpu_t *csr_copy;   /* vm_get_csr's copy of a hart (allocated at its first call) */
    char self[4096];      /* user: this process's executable (for guest execve) */
    char err[256];        /* words for the last failure */
};

/* Words for the last vm_create() failure of this thread (vm_error(NULL)). */
static _Thread_local char create_err[256];

/* The one user-mode machine of this process, if any. */
static _Atomic(vm_t *) user_vm;

static int fail(vm_t *vm, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(vm_t *vm, int rc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(vm->err, sizeof(vm->err), fmt, ap);
    va_end(ap);
    return rc;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static rv_cpu_t *hart(const vm_t *vm) {
    if (vm->opt.machine == VM_MACHINE_BARE) return (rv_cpu_t *)&vm->bare.cpu;
    if (vm->opt.machine == VM_MACHINE_VIRT) return vm->virt ? &vm->virt->cpu : NULL;
    linux_proc_t *p = linux_the_proc();
    return p->main_thread ? p->main_thread->cpu : NULL;
}

/* The hart the register, CSR and counter calls look at (vm_select_hart). */
static rv_cpu_t *viewed(const vm_t *vm) {
    if (vm->opt.machine == VM_MACHINE_BARE) return (rv_cpu_t *)&vm->bare.cpu;
    if (vm->opt.machine == VM_MACHINE_VIRT) return vm->virt ? vm->virt->harts[vm->view] : NULL;
    linux_proc_t *p = linux_the_proc();
    return p->main_thread ? p->main_thread->cpu : NULL;
}

void vm_options_init(vm_options_t *opt) {
    memset(opt, 0, sizeof(*opt));
    opt->machine = VM_MACHINE_BARE;
    opt->engine = VM_ENGINE_DEFAULT;
    opt->ram_size = BARE_RAM_DEFAULT_SIZE;
    opt->console_in = -1;
}

bool vm_engine_available(vm_engine_kind_t engine) {
    return engine != VM_ENGINE_JIT || jit_engine.supported();
}

bool vm_has_exit(const vm_t *vm) {
    return vm->opt.machine == VM_MACHINE_BARE && vm->bare.has_tohost;
}

const char *vm_error(const vm_t *vm) {
    return vm ? vm->err : create_err;
}

/* Engine settings from the API options; -ENOTSUP when the JIT is asked for and missing. */
static int exec_from_options(vm_t *vm) {
    exec_register_engine(&jit_engine);
    const vm_options_t *o = &vm->opt;
    bool have_jit = jit_engine.supported();
    memset(&vm->exec, 0, sizeof(vm->exec));
    if (o->engine == VM_ENGINE_JIT && !have_jit)
        return fail(vm, -ENOTSUP, "the JIT needs an x86-64 host (use the interpreter)");
    if (o->engine != VM_ENGINE_DEFAULT && o->engine != VM_ENGINE_INTERP &&
        o->engine != VM_ENGINE_JIT)
        return fail(vm, -EINVAL, "unknown engine %d", (int)o->engine);
    bool jit = o->engine == VM_ENGINE_JIT || (o->engine == VM_ENGINE_DEFAULT && have_jit);
    vm->exec.engine = jit ? jit_engine.name : NULL;
    vm->exec.threshold = o->jit_threshold;
    vm->exec.dump = o->jit_dump;
    vm->exec.perf_map = o->perf_map;
    vm->exec.no_chain = o->jit_no_chain;
    vm->exec.count = o->stats;
    vm->exec.ir = o->jit_ir;
    vm->exec.strict = o->engine == VM_ENGINE_JIT;
    return 0;
}

/* Bare machine: an ecall goes to the system-call hook first. */
static int bare_trap(void *env, rv_cpu_t *cpu) {
    vm_t *vm = (vm_t *)((char *)env - offsetof(vm_t, bare));
    if (!vm->hook || cpu->cause != rv_ecall_cause(cpu)) return 0;
    uint64_t ret = 0;
    if (!vm->hook(vm->hook_opaque, vm, cpu->x[17], &cpu->x[10], &ret)) return 0;
    cpu->x[10] = ret;
    cpu->pc += 4;
    cpu->instret++; /* the ecall retired (a trap would not have) */
    return RV_TRAP_HANDLED;
}

/* User mode: the Linux layer asks the hook before each system call. */
static bool user_syscall(void *opaque, uint64_t nr, const uint64_t a[6], uint64_t *ret) {
    vm_t *vm = opaque;
    return vm->hook && vm->hook(vm->hook_opaque, vm, nr, a, ret);
}

int vm_create(const vm_options_t *opt, vm_t **out) {
    *out = NULL;
    vm_t *vm = calloc(1, sizeof(*vm));
    if (!vm) return -ENOMEM;
    if (opt)
        vm->opt = *opt;
    else
        vm_options_init(&vm->opt);
    int rc = exec_from_options(vm);
    if (rc) goto fail;
    if (vm->opt.machine == VM_MACHINE_BARE) {
        const char *err = NULL;
        rc = bare_init(&vm->bare, vm->opt.ram_size, &vm->exec, &err);
        if (rc) {
            fail(vm, rc, "%s", err);
            goto fail;
        }
        vm->bare_ready = true;
        if (vm->opt.console) vm->bare.console = vm->opt.console;
        vm->bare.cpu.time_from_instret = vm->opt.deterministic_time;
        vm->bare.cpu.trap_hook = bare_trap;
    } else if (vm->opt.machine == VM_MACHINE_VIRT) {
        vm->virt = calloc(1, sizeof(*vm->virt));
        if (!vm->virt) {
            rc = fail(vm, -ENOMEM, "out of memory");
            goto fail;
        }
        virt_config_t cfg = {.ram_size = vm->opt.ram_size,
                             .bios = vm->opt.bios,
                             .kernel = vm->opt.kernel,
                             .initrd = vm->opt.initrd,
                             .append = vm->opt.append,
                             .console = vm->opt.console,
                             .console_in = vm->opt.console_in,
                             .console_escape = vm->opt.console_escape,
                             .rng = vm->opt.virtio_rng,
                             .vconsole = vm->opt.virtio_console,
                             .nharts = vm->opt.harts,
                             .quantum = vm->opt.hart_quantum,
                             .deterministic = vm->opt.deterministic_time};
        virt_drive_t drives[VIRT_VIRTIO_SLOTS];
        if (vm->opt.ndrives > VIRT_VIRTIO_SLOTS || (vm->opt.ndrives && !vm->opt.drives)) {
            free(vm->virt);
            vm->virt = NULL;
            rc = fail(vm, -EINVAL, "at most %u virtio drives", VIRT_VIRTIO_SLOTS);
            goto fail;
        }
        for (unsigned i = 0; i < vm->opt.ndrives; i++)
            drives[i] = (virt_drive_t){vm->opt.drives[i].file, vm->opt.drives[i].readonly,
                                       vm->opt.drives[i].snapshot};
        cfg.drives = drives;
        cfg.ndrives = vm->opt.ndrives;
        virt_net_t nets[VIRT_VIRTIO_SLOTS];
        if (vm->opt.nnets > VIRT_VIRTIO_SLOTS || (vm->opt.nnets && !vm->opt.nets)) {
            free(vm->virt);
            vm->virt = NULL;
            rc = fail(vm, -EINVAL, "at most %u virtio network cards", VIRT_VIRTIO_SLOTS);
            goto fail;
        }
        for (unsigned i = 0; i < vm->opt.nnets; i++) {
            nets[i] = (virt_net_t){vm->opt.nets[i].hostfwd, vm->opt.nets[i].nhostfwd, {0}};
            memcpy(nets[i].mac, vm->opt.nets[i].mac, 6);
        }
        cfg.nets = nets;
        cfg.nnets = vm->opt.nnets;
        rc = virt_init(vm->virt, &cfg, &vm->exec, vm->err, sizeof(vm->err));
        if (rc) {
            free(vm->virt);
            vm->virt = NULL;
            goto fail;
        }
        vm->loaded = true;
    } else if (vm->opt.machine == VM_MACHINE_USER) {
        vm_t *none = NULL;
        if (!atomic_compare_exchange_strong(&user_vm, &none, vm)) {
            rc = fail(vm, -EBUSY, "this process already has a user-mode machine");
            goto fail;
        }
        const char *exe = vm->opt.vm_exe;
        if (!exe) {
            ssize_t n = readlink("/proc/self/exe", vm->self, sizeof(vm->self) - 1);
            if (n <= 0) {
                atomic_store(&user_vm, NULL);
                rc = fail(vm, -errno, "cannot find the vm executable: %s", strerror(errno));
                goto fail;
            }
            vm->self[n] = 0;
            exe = vm->self;
        }
        vm->lopt = (linux_options_t){.sysroot = vm->opt.sysroot,
                                     .strace = vm->opt.strace,
                                     .log_unimp = vm->opt.log_unimp,
                                     .stats = vm->opt.stats,
                                     .host_exec = vm->opt.host_exec,
                                     .signal_exit = vm->opt.signal_exit,
                                     .execfn = vm->opt.execfn,
                                     .sandbox = vm->opt.sandbox,
                                     .net = vm->opt.net,
                                     .sandbox_exec = vm->opt.sandbox_exec,
                                     .sandbox_tree = vm->opt.sandbox_tree,
                                     .sigmask_set = vm->opt.sigmask_set,
                                     .sigmask = vm->opt.sigmask,
                                     .sigpend_nohost = vm->opt.sigpend_nohost,
                                     .signalfds = vm->opt.signalfds,
                                     .vm_exe = exe,
                                     .exec = vm->exec,
                                     .syscall_hook = user_syscall,
                                     .hook_opaque = vm,
                                     .memory_limit = vm->opt.memory_limit,
                                     .max_threads = vm->opt.max_threads};
        memcpy(vm->lopt.sigpend_info, vm->opt.sigpend_info, sizeof(vm->lopt.sigpend_info));
    } else {
        rc = fail(vm, -EINVAL, "unknown machine kind %d", (int)vm->opt.machine);
        goto fail;
    }
    *out = vm;
    return 0;
fail:
    /* the handle goes; its words stay for vm_error(NULL) */
    snprintf(create_err, sizeof(create_err), "%s", vm->err[0] ? vm->err : strerror(-rc));
    free(vm);
    return rc;
}

void vm_destroy(vm_t *vm) {
    if (!vm) return;
    if (vm->bare_ready) bare_destroy(&vm->bare);
    if (vm->virt) {
        virt_destroy(vm->virt);
        free(vm->virt);
    }
    if (vm->opt.machine == VM_MACHINE_USER) {
        vm_t *self = vm;
        atomic_compare_exchange_strong(&user_vm, &self, NULL);
    }
    free(vm->csr_copy);
    free(vm);
}

int vm_load_elf_image(vm_t *vm, const void *data, size_t size) {
    if (vm->opt.machine != VM_MACHINE_BARE)
        return fail(vm, -EINVAL, "vm_load_elf_image is for bare machines (use vm_load_program)");
    const char *err = NULL;
    int rc = bare_load_elf(&vm->bare, data, size, &err);
    if (rc) return fail(vm, rc, "%s", err);
    vm->loaded = true;
    return 0;
}

int vm_load_elf(vm_t *vm, const char *path) {
    if (vm->opt.machine != VM_MACHINE_BARE)
        return fail(vm, -EINVAL, "vm_load_elf is for bare machines (use vm_load_program)");
    uint8_t *data = NULL;
    size_t size = 0;
    int rc = elf_read_file(path, &data, &size);
    if (rc) return fail(vm, rc, "cannot read %s: %s", path, strerror(-rc));
    rc = vm_load_elf_image(vm, data, size);
    free(data);
    if (rc) {
        char why[sizeof(vm->err)];
        snprintf(why, sizeof(why), "%s", vm->err);
        return fail(vm, rc, "%s: %s", path, why);
    }
    return 0;
}

int vm_load_raw(vm_t *vm, uint64_t addr, const void *data, size_t size) {
    if (vm->opt.machine != VM_MACHINE_BARE)
        return fail(vm, -EINVAL, "vm_load_raw is for bare machines");
    vm_mem_err_t e = vm_mem_write(vm->bare.mem, addr, data, size);
    if (e != VM_MEM_OK) return fail(vm, -EFAULT, "raw image: %s", vm_mem_strerror(e));
    exec_flush(&vm->bare.cpu);
    vm->loaded = true;
    return 0;
}

int vm_load_program(vm_t *vm, const char *path, int argc, char *const argv[], char *const envp[]) {
    if (vm->opt.machine != VM_MACHINE_USER)
        return fail(vm, -EINVAL, "vm_load_program is for user-mode machines");
    if (vm->loaded) return fail(vm, -EBUSY, "a program is already loaded");
    int st = linux_prepare_program(&vm->lopt, path, argc, (char **)argv, (char **)envp);
    if (st) return fail(vm, st == 127 ? -ENOENT : -ENOEXEC, "cannot start %s", path);
    vm->loaded = true;
    return 0;
}

/* The guest has exited (bare: HTIF tohost; virt: the test device), its code in *code. */
static bool guest_exited(const vm_t *vm, uint64_t *code) {
    if (vm->virt) {
        *code = vm->virt->test.code;
        return vm->virt->test.done;
    }
    *code = vm->bare.exit_value;
    return vm->bare.exited;
}

/* Run the machine for up to `slice` instructions; an enum exec_stop. */
static int step(vm_t *vm, uint64_t slice) {
    return vm->virt ? virt_run(vm->virt, slice) : exec_run(&vm->bare.cpu, slice);
}

int vm_run(vm_t *vm, uint64_t max_insns, uint64_t max_ns, vm_exit_t *exit) {
    if (!vm->loaded) return fail(vm, -ENOEXEC, "no program loaded");
    if (vm->opt.machine == VM_MACHINE_USER) {
        linux_set_run_limits(max_insns, max_ns);
        linux_start_program(); /* the guest's exit (or a limit) ends the process */
    }
    rv_cpu_t *cpu = hart(vm);
    double t0 = now_seconds(), deadline = max_ns ? t0 + (double)max_ns * 1e-9 : 0;
    uint64_t left = max_insns ? max_insns : UINT64_MAX; /* budget still to run */
    uint64_t code;
    atomic_store(&vm->stopped, 0);
    exit->code = 0;
    for (;;) {
        if (guest_exited(vm, &code)) {
            exit->reason = VM_EXIT_EXITED;
            exit->code = code;
            break;
        }
        if (left == 0) {
            exit->reason = VM_EXIT_BUDGET;
            break;
        }
        if (deadline && now_seconds() >= deadline) {
            exit->reason = VM_EXIT_TIMEOUT;
            break;
        }
        uint64_t slice = deadline && left > SLICE ? SLICE : left;
        int r = step(vm, slice);
        if (r == EXEC_STOP_BUDGET) {
            left = left == UINT64_MAX ? left : left - slice;
        } else if (r == EXEC_STOP_INTERRUPT || r == EXEC_STOP_HALT) {
            bool halt = atomic_exchange(&cpu->halt_request, 0);
            atomic_store(&cpu->interrupt_request, 0);
            if (vm->virt && vm->virt->one_thread) /* vm_stop asked every hart */
                for (unsigned h = 1; h < vm->virt->nharts; h++) {
                    halt |= atomic_exchange(&vm->virt->harts[h]->halt_request, 0);
                    atomic_store(&vm->virt->harts[h]->interrupt_request, 0);
                }
            if (!guest_exited(vm, &code) && vm->virt && vm->virt->quit) {
                exit->reason = VM_EXIT_QUIT;
                break;
            }
            if (!guest_exited(vm, &code) && (halt || atomic_load(&vm->stopped))) {
                exit->reason = VM_EXIT_STOPPED;
                break;
            }
        }
    }
    vm->run_seconds += now_seconds() - t0;
    return 0;
}

void vm_stop(vm_t *vm) {
    rv_cpu_t *cpu = hart(vm);
    atomic_store(&vm->stopped, 1);
    if (!cpu) return;
    atomic_store(&cpu->halt_request, 1);
    rv_cpu_interrupt(cpu);
    if (vm->virt && vm->virt->one_thread) /* the hart whose turn it is may be another */
        for (unsigned h = 1; h < vm->virt->nharts; h++) {
            atomic_store(&vm->virt->harts[h]->halt_request, 1);
            rv_cpu_interrupt(vm->virt->harts[h]);
        }
}

unsigned vm_hart_count(const vm_t *vm) {
    return vm->virt ? vm->virt->nharts : 1;
}

int vm_select_hart(vm_t *vm, unsigned hart_id) {
    if (hart_id >= vm_hart_count(vm)) return fail(vm, -EINVAL, "no hart %u", hart_id);
    vm->view = hart_id;
    return 0;
}

unsigned vm_current_hart(const vm_t *vm) {
    return vm->virt && vm->virt->one_thread ? vm->virt->cur : 0;
}

int vm_next_hart(vm_t *vm) {
    if (!vm->virt || virt_next_hart(vm->virt) != 0)
        return fail(vm, -EINVAL, "the harts do not take turns on one thread");
    return 0;
}

uint64_t vm_get_pc(const vm_t *vm) {
    const rv_cpu_t *cpu = viewed(vm);
    return cpu ? cpu->pc : 0;
}

void vm_set_pc(vm_t *vm, uint64_t pc) {
    rv_cpu_t *cpu = viewed(vm);
    if (cpu) cpu->pc = pc;
}

uint64_t vm_get_x(const vm_t *vm, unsigned reg) {
    const rv_cpu_t *cpu = viewed(vm);
    return cpu && reg < 32 ? cpu->x[reg] : 0;
}

void vm_set_x(vm_t *vm, unsigned reg, uint64_t value) {
    rv_cpu_t *cpu = viewed(vm);
    if (cpu && reg > 0 && reg < 32) cpu->x[reg] = value;
}

uint64_t vm_get_f(const vm_t *vm, unsigned reg) {
    const rv_cpu_t *cpu = viewed(vm);
    return cpu && reg < 32 ? cpu->f[reg] : 0;
}

void vm_set_f(vm_t *vm, unsigned reg, uint64_t value) {
    rv_cpu_t *cpu = viewed(vm);
    if (cpu && reg < 32) cpu->f[reg] = value;
}

int vm_get_csr(const vm_t *vm, unsigned csr, uint64_t *value) {
    const rv_cpu_t *cpu = viewed(vm);
    if (!cpu || csr > 0xfff) return -EINVAL;
    /* a read as M-mode software with rs1 = x0: no side effects, on a copy of the hart. The
     * copy is the handle's own: whole the first time, then only the architectural part before
     * the counters (the rest, TLBs and execution state, is 30x larger and a CSR read does not
     * depend on it), so that lockstep's reads after every block stay cheap. */
    vm_t *own = (vm_t *)vm; /* the copy is a cache, not the machine's state */
    rv_cpu_t *copy = own->csr_copy;
    if (!copy) {
        if (!(copy = malloc(sizeof(*copy)))) return -ENOMEM;
        memcpy(copy, cpu, sizeof(*copy));
        own->csr_copy = copy;
    } else {
        memcpy(copy, cpu, offsetof(rv_cpu_t, stats));
    }
    copy->priv = RV_PRIV_M;
    copy->instret++; /* counters read instret - 1, as by the instruction that reads them */
    copy->mstatus |= RV_MSTATUS_FS;
    bool ok = rv_csr_access(copy, csr, 1, 0, false, value);
    return ok ? 0 : -EINVAL;
}

unsigned vm_get_priv(const vm_t *vm) {
    const rv_cpu_t *cpu = viewed(vm);
    return cpu ? cpu->priv : 0;
}

uint64_t vm_instret(const vm_t *vm) {
    const rv_cpu_t *cpu = viewed(vm);
    return cpu ? cpu->instret : 0;
}

uint64_t vm_traps(const vm_t *vm) {
    const rv_cpu_t *cpu = viewed(vm);
    uint64_t n = 0;
    for (unsigned i = 0; cpu && i < RV_CAUSE_COUNT; i++)
        n += cpu->stats.traps[i];
    return n;
}

const char *vm_engine_name(const vm_t *vm) {
    const rv_cpu_t *cpu = hart(vm);
    return cpu ? exec_engine_name(cpu) : vm->exec.engine ? vm->exec.engine : "interp";
}

int vm_read_mem(const vm_t *vm, uint64_t addr, void *buf, size_t len) {
    if (vm->opt.machine == VM_MACHINE_BARE)
        return vm_mem_read(vm->bare.mem, addr, buf, len) == VM_MEM_OK ? 0 : -EFAULT;
    if (vm->opt.machine == VM_MACHINE_VIRT)
        return vm_mem_read(vm->virt->mem, addr, buf, len) == VM_MEM_OK ? 0 : -EFAULT;
    linux_proc_t *p = linux_the_proc();
    if (!vm->loaded || !linux_space_check(&p->space, addr, len, LINUX_PROT_READ)) return -EFAULT;
    memcpy(buf, linux_space_ptr(&p->space, addr), len);
    return 0;
}

int vm_write_mem(vm_t *vm, uint64_t addr, const void *buf, size_t len) {
    if (vm->opt.machine == VM_MACHINE_VIRT) {
        if (vm_mem_write(vm->virt->mem, addr, buf, len) != VM_MEM_OK) return -EFAULT;
        if (vm->virt->nharts > 1)
            rv_cpu_code_written_all(&vm->virt->cpu); /* the harts run: each drops its code */
        else
            exec_invalidate_range(&vm->virt->cpu, addr, len);
        return 0;
    }
    if (vm->opt.machine == VM_MACHINE_BARE) {
        if (vm_mem_write(vm->bare.mem, addr, buf, len) != VM_MEM_OK) return -EFAULT;
        exec_invalidate_range(&vm->bare.cpu, addr, len);
        return 0;
    }
    linux_proc_t *p = linux_the_proc();
    if (!vm->loaded || !linux_space_check(&p->space, addr, len, LINUX_PROT_WRITE)) return -EFAULT;
    memcpy(linux_space_ptr(&p->space, addr), buf, len);
    if (p->main_thread) exec_invalidate_range(p->main_thread->cpu, addr, len);
    return 0;
}

void vm_set_syscall_hook(vm_t *vm, vm_syscall_fn fn, void *opaque) {
    vm->hook = fn;
    vm->hook_opaque = opaque;
}

void vm_print_stats(const vm_t *vm, FILE *out) {
    const rv_cpu_t *cpu = hart(vm);
    if (!cpu) return;
    exec_print_stats(cpu, out, vm->run_seconds);
    if (cpu->phys_ptr)
        fprintf(
            out, "stats: mmu: tlb hits %llu, page walks %llu, page faults %llu, tlb flushes %llu\n",
            (unsigned long long)cpu->tlb_stats.hits, (unsigned long long)cpu->tlb_stats.walks,
            (unsigned long long)cpu->tlb_stats.faults, (unsigned long long)cpu->tlb_stats.flushes);
    if (cpu->phys_ptr)
        fprintf(out,
                "stats: mmu: tlb hits from the second level %llu, asid switches %llu, "
                "asid fences %llu, code pages %llu (store tables emptied %llu times)\n",
                (unsigned long long)cpu->tlb_stats.hits2,
                (unsigned long long)cpu->tlb_stats.asid_switches,
                (unsigned long long)cpu->tlb_stats.asid_flushes,
                (unsigned long long)cpu->tlb_stats.code_pages,
                (unsigned long long)cpu->tlb_stats.store_clears);
    if (cpu->phys_ptr) {
        const uint64_t *r = cpu->tlb_stats.pte_reads;
        fprintf(out,
                "stats: mmu: page-table entries read by level (4..0) %llu %llu %llu %llu %llu\n",
                (unsigned long long)r[4], (unsigned long long)r[3], (unsigned long long)r[2],
                (unsigned long long)r[1], (unsigned long long)r[0]);
        /* what reached the slow path's translation, by class: from the first level (an
         * inline or fetch-TLB miss the full TLB served), the second, or a walk; and of
         * each, how many were global */
        static const char *const cls[RV_TRIP_CLASSES] = {"fetch S", "fetch U",  "load S",
                                                         "load U",  "load SUM", "store S",
                                                         "store U", "store SUM"};
        for (unsigned c = 0; c < RV_TRIP_CLASSES; c++) {
            const uint64_t(*t)[2] = cpu->tlb_stats.trips[c];
            if (!(t[0][0] | t[0][1] | t[1][0] | t[1][1] | t[2][0] | t[2][1])) continue;
            fprintf(out,
                    "stats: mmu: translations, %s: first level %llu (global %llu), second level "
                    "%llu (global %llu), walks %llu (global %llu)\n",
                    cls[c], (unsigned long long)(t[0][0] + t[0][1]), (unsigned long long)t[0][1],
                    (unsigned long long)(t[1][0] + t[1][1]), (unsigned long long)t[1][1],
                    (unsigned long long)(t[2][0] + t[2][1]), (unsigned long long)t[2][1]);
        }
    }
    if (vm->virt) {
        fprintf(out, "stats: wfi: %.3f s asleep\n", (double)virt_wfi_sleep_ns(vm->virt) * 1e-9);
        if (vm->virt->one_thread)
            fprintf(out,
                    "stats: harts take turns on one thread: %llu turns, %llu rounds with every "
                    "hart in wfi, machine clock %llu ticks\n",
                    (unsigned long long)vm->virt->turns, (unsigned long long)vm->virt->idle_rounds,
                    (unsigned long long)vm->virt->vclock);
        for (unsigned h = 0; h < vm->virt->nharts && vm->virt->nharts > 1 && !vm->virt->one_thread;
             h++)
            fprintf(out, "stats: hart %u: %llu pause instructions, %llu host yields\n", h,
                    (unsigned long long)vm->virt->hart[h].pauses,
                    (unsigned long long)vm->virt->hart[h].pause_yields);
        for (unsigned h = 1; h < vm->virt->nharts; h++) {
            const rv_cpu_t *c = vm->virt->harts[h];
            const virt_hart_t *vh = &vm->virt->hart[h];
            double cpu_s = 0;
            struct timespec ts;
            clockid_t cid;
            uint64_t ended = atomic_load(&vh->cpu_ns);
            if (ended)
                cpu_s = (double)ended * 1e-9;
            else if (vh->started && pthread_getcpuclockid(vh->thread, &cid) == 0 &&
                     clock_gettime(cid, &ts) == 0)
                cpu_s = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
            fprintf(out,
                    "stats: hart %u: %llu instructions, %.3f s thread CPU, %llu interrupts, "
                    "%llu wfi sleeps (%.3f s asleep), %llu blocks decoded, %llu decode-cache "
                    "flushes, tlb hits %llu, page walks %llu, page faults %llu, tlb flushes %llu\n",
                    h, (unsigned long long)c->instret, cpu_s,
                    (unsigned long long)c->stats.interrupts, (unsigned long long)c->stats.waits,
                    (double)vh->wfi_sleep_ns * 1e-9, (unsigned long long)c->stats.blocks_decoded,
                    (unsigned long long)c->stats.flushes, (unsigned long long)c->tlb_stats.hits,
                    (unsigned long long)c->tlb_stats.walks, (unsigned long long)c->tlb_stats.faults,
                    (unsigned long long)c->tlb_stats.flushes);
        }
        for (unsigned i = 0; i < vm->virt->nblk; i++) {
            const virtio_blk_t *b = &vm->virt->blk[i];
            fprintf(out,
                    "stats: drive %u: %llu reads, %llu writes, %llu flushes; served at the "
                    "notify %llu, by the I/O thread %llu (%llu of them after the notify found "
                    "they would wait), by the idle hart %llu\n",
                    i, (unsigned long long)b->reads, (unsigned long long)b->writes,
                    (unsigned long long)b->flushes, (unsigned long long)b->inline_served,
                    (unsigned long long)b->thread_served, (unsigned long long)b->inline_fallbacks,
                    (unsigned long long)b->idle_served);
        }
        for (unsigned i = 0; i < vm->virt->nnet; i++) {
            const virtio_net_t *n = &vm->virt->net[i];
            fprintf(out,
                    "stats: net%u: %llu frames received, %llu sent, %llu dropped on receive, "
                    "%llu on send\n",
                    i, (unsigned long long)n->rx_frames, (unsigned long long)n->tx_frames,
                    (unsigned long long)n->rx_dropped, (unsigned long long)n->tx_dropped);
        }
    }
}

const char *vm_cause_name(uint64_t cause) {
    return rv_cause_name(cause);
}
