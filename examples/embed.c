/* embed.c - vm inside another program, through the public API only (include/vm/vm.h).
 *
 * A bare RV64 machine runs a small guest routine that sums 1..n and makes an `exit` system
 * call (a7 = 93); the host serves that call itself with a system-call hook and stops the
 * machine. Build: cc embed.c $(pkg-config --cflags --libs vm) */
#include <stdio.h>
#include <stdlib.h>
#include <vm/vm.h>

static const unsigned guest[] = {
    0x00000513, /* li a0, 0 */
    0x3e800593, /* li a1, 1000 */
    0x00b50533, /* loop: add a0, a0, a1 */
    0xfff58593, /* addi a1, a1, -1 */
    0xfe059ce3, /* bnez a1, loop */
    0x05d00893, /* li a7, 93 (exit) */
    0x00000073, /* ecall */
    0x0000006f, /* j . */
};

/* The host's side of the guest's system calls. */
static bool on_syscall(void *opaque, vm_t *vm, uint64_t nr, const uint64_t args[6], uint64_t *ret) {
    if (nr != 93) return false; /* anything else: the machine's own trap */
    *(uint64_t *)opaque = args[0];
    *ret = 0;
    vm_stop(vm);
    return true;
}

int main(void) {
    vm_options_t opt;
    vm_options_init(&opt);
    opt.ram_size = 1 << 20;
    vm_t *vm;
    if (vm_create(&opt, &vm) != 0) {
        fprintf(stderr, "embed: %s\n", vm_error(NULL));
        return 1;
    }
    uint64_t result = 0;
    vm_set_syscall_hook(vm, on_syscall, &result);
    vm_exit_t ex;
    if (vm_load_raw(vm, VM_BARE_RAM_BASE, guest, sizeof(guest)) != 0 ||
        (vm_set_pc(vm, VM_BARE_RAM_BASE), vm_run(vm, 1000000, 1000000000, &ex)) != 0) {
        fprintf(stderr, "embed: %s\n", vm_error(vm));
        return 1;
    }
    printf("guest exited with %llu after %llu instructions (%s engine, %s)\n",
           (unsigned long long)result, (unsigned long long)vm_instret(vm), vm_engine_name(vm),
           ex.reason == VM_EXIT_STOPPED ? "stopped by the host" : "did not stop");
    vm_destroy(vm);
    return result == 500500 && ex.reason == VM_EXIT_STOPPED ? 0 : 1;
}
