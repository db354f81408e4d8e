/* virt.c - the `virt` machine (see virt.h): board wiring, boot ROM, device tree, loading and
 * the run loop around the hart.
 *
 * Boot follows qemu's `virt` with `-bios fw_dynamic.bin`: the hart starts in M-mode at the boot
 * ROM (0x1000), which puts the hart id in a0, the device tree's address in a1 and a
 * fw_dynamic_info record (the next stage's address and mode) in a2, and jumps to the firmware
 * at the start of RAM. OpenSBI then finds the CLINT, PLIC, UART and the test device in the
 * device tree and starts the payload (U-Boot or Linux) in S-mode at RAM + 2 MiB.
 *
 * Devices run on the harts' threads: MMIO callbacks from a hart's slow path, and between hart
 * 0's run slices the console input and the virtio completions are polled. Interrupt lines end
 * in a hart's mip (MSIP and MTIP from the CLINT, MEIP and SEIP from the PLIC's contexts 2i and
 * 2i + 1); a change kicks the hart so that the run loop takes the interrupt at the next block
 * boundary. wfi sleeps on the host until the hart's timer is due, console input arrives (hart
 * 0) or another thread raises one of its lines.
 *
 * SMP (-smp N): every hart has a host thread (hart 0 the caller's, the others their own) and
 * runs the one run loop on its own rv_cpu_t: its registers, TLBs, decode cache and JIT code
 * are its own. What they share: guest RAM (loads and stores are host accesses, AMOs host
 * atomics, SC a compare-exchange against the value LR saw), the page flags and code lines
 * that mark decoded code (exec_share_code: a store by any hart into code that any hart
 * decoded makes every hart drop its code at its next block boundary), and the devices, which
 * one mutex (dev_lock) serialises: every MMIO access and every device poll takes it. A line
 * raised from another thread sets the target's mip atomically, kicks it and, when it sleeps
 * in wfi, writes its eventfd. With one hart nothing is locked and no eventfd exists. A spinning
 * hart's pause yields its host core now and then (virt_pause).
 *
 * One-thread mode (cfg.quantum, cfg.deterministic): the harts take turns on the caller's
 * thread instead (run_turns, below), nothing is locked, and with deterministic time every run
 * of the same machine is the same run.
 *
 * virtio-mmio slots (0x10001000 + 0x1000 n, PLIC source 1 + n) hold the drives in the order
 * given, then the network cards, then the rng, then the console; the device tree lists only
 * the slots in use. The virtio console shares the UART's input: the UART's poll reads it and
 * hands it to the virtio console while that console's driver is ready (see dev.h), and the
 * board moves it into the guest's buffers right after each UART poll (virtio_console_poll).
 * The rng is served on the hart's thread when the guest writes QueueNotify; each drive has a
 * host I/O thread whose completions the hart's thread returns to the guest between run slices
 * and when they wake wfi (virtio_blk_poll); each network card has a user-mode network whose
 * thread queues received frames, which the hart's thread moves into the guest's buffers at the
 * same points (virtio_net_poll). So interrupts and the rings stay on the hart's thread.
 */
#include "system/virt.h"

#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "riscv/mmu.h"
#include "system/board.h"

#define ROM_BASE    0x1000ull
#define ROM_SIZE    0xf000ull
#define TEST_BASE   0x100000ull
#define RTC_BASE    0x101000ull
#define CLINT_BASE  0x2000000ull
#define PLIC_BASE   0xc000000ull
#define UART_BASE   0x10000000ull
#define UART_IRQ    10
#define RTC_IRQ     11
#define VIRTIO_BASE 0x10001000ull
#define VIRTIO_IRQ  1 /* slot n raises PLIC source 1 + n */
#define FDT_MAX     0x10000u
#define SLICE       (1ull << 16) /* instructions between device polls */

/* mtime: the clock the time CSR reads (10 MHz), so that rdtime and mtimecmp agree (in
 * one-thread mode, as the hart whose turn it is reads it: the machine's clock). */
static uint64_t virt_now(void *opaque) {
    virt_machine_t *m = opaque;
    return rv_cpu_time(m->harts[m->one_thread ? m->cur : 0]);
}

/* The RTC of a deterministic machine: a fixed date (2026-01-01 00:00:00 UTC) plus mtime. */
static uint64_t virt_rtc_now(void *opaque) {
    return 1767225600ull * 1000000000ull + virt_now(opaque) * 100;
}

/* The device lock, taken only when several harts run on threads of their own. */
static void dev_lock(virt_machine_t *m) {
    if (m->nharts > 1 && !m->one_thread) pthread_mutex_lock(&m->dev_lock);
}
static void dev_unlock(virt_machine_t *m) {
    if (m->nharts > 1 && !m->one_thread) pthread_mutex_unlock(&m->dev_lock);
}

/* Wake hart h when it sleeps in wfi (from any thread). */
static void virt_wake(virt_machine_t *m, unsigned h) {
    if (m->hart[h].wake_fd >= 0 && atomic_load(&m->hart[h].sleeping)) {
        uint64_t one = 1;
        ssize_t n = write(m->hart[h].wake_fd, &one, sizeof(one));
        (void)n; /* a full counter already wakes it */
    }
}

/* An interrupt line into a hart's mip (opaque = the hart, line = the mip bit), from any
 * thread. */
static void mip_set(void *opaque, unsigned bit, bool level) {
    rv_cpu_t *c = opaque;
    virt_machine_t *m = c->env; /* NULL while virt_init has not wired the hart yet */
    if (m && m->one_thread) {
        /* harts taking turns: a line the running hart raises for itself (a store to a device)
         * reaches its mip when its next turn begins, the one point where both engines stand at
         * the same instruction (otherwise the interrupt would be taken at the next block
         * boundary, which the JIT's superblocks place elsewhere than the interpreter's) */
        virt_hart_t *vh = &m->hart[c->mhartid];
        vh->mip_defer &= ~(1ull << bit);
        if (level && m->in_turn && c == m->harts[m->cur] && !((c->mip >> bit) & 1)) {
            vh->mip_defer |= 1ull << bit;
            return;
        }
    }
    if (((__atomic_load_n(&c->mip, __ATOMIC_RELAXED) >> bit) & 1) != level) {
        rv_cpu_mip_set(c, bit, level);
        rv_cpu_irq_check(c);
        if (level) virt_wake(c->env, (unsigned)c->mhartid);
    } else if (bit == RV_IRQ_MTI && !level) {
        virt_wake(c->env, (unsigned)c->mhartid); /* its mtimecmp moved: time the sleep anew */
    }
}

/* Stop every hart at once (poweroff, reboot, the console's quit, destroy). */
static void stop_all(virt_machine_t *m) {
    for (unsigned h = 0; h < m->nharts; h++) {
        if (!m->harts[h]) continue;
        atomic_store(&m->harts[h]->halt_request, 1);
        rv_cpu_interrupt(m->harts[h]);
        virt_wake(m, h);
    }
}

static int virt_mem_slow(void *env, uint64_t addr, void *buf, unsigned len, rv_access_t type) {
    virt_machine_t *m = env;
    dev_lock(m);
    int r = board_mem_access(m->mem, addr, buf, len, type);
    dev_unlock(m);
    return r;
}

static void *virt_phys_ptr(void *env, uint64_t pa, unsigned len) {
    virt_machine_t *m = env;
    return board_ram_ptr(m->ram, VIRT_RAM_BASE, m->ram_size, pa, len);
}

/* A virtio device wrote guest RAM: decoded code there is stale (as for a hart's store), on
 * the pages written only (every hart's code, with several; too many pages at once make
 * them drop all of it). */
static void virt_dma(void *opaque, uint64_t gpa, uint64_t len) {
    virt_machine_t *m = opaque;
    uint64_t o = gpa - VIRT_RAM_BASE;
    if (len == 0 || gpa < VIRT_RAM_BASE || o >= m->ram_size) return;
    uint64_t last = len > m->ram_size - o ? m->ram_size - 1 : o + len - 1;
    for (uint64_t p = o >> 12; p <= last >> 12; p++)
        if (__atomic_load_n(&m->page_flags[p], __ATOMIC_RELAXED) & RV_PAGE_CODE)
            rv_cpu_code_written(&m->cpu, (VIRT_RAM_BASE >> 12) + p);
}

/* The UART's input goes to the virtio console while its driver is ready (see dev.h). */
static int vcons_room(void *opaque) {
    return virtio_console_room(opaque);
}

/* ... one byte of it. */
static void vcons_put(void *opaque, uint8_t b) {
    virtio_console_put(opaque, b);
}

/* The test device asked for poweroff or reboot: stop the hart at once. */
static void test_done(void *opaque) {
    stop_all(opaque);
}

/* The console's escape commands (escape byte, then one of these), as qemu's -nographic
 * console has them: x quits, h prints the list; others are ignored. Output goes to stderr with
 * CR LF, since the terminal may be in raw mode. */
static void virt_escape(void *opaque, uint8_t cmd) {
    virt_machine_t *m = opaque;
    unsigned e = m->uart.escape + 'a' - 1; /* Ctrl-A is shown as C-a */
    switch (cmd) {
    case 'x':
    case 'X':
        m->quit = true;
        stop_all(m);
        break;
    case 'h':
    case 'H':
    case '?':
        fprintf(stderr,
                "\r\nC-%c h    print this help\r\nC-%c x    end the run\r\n"
                "C-%c C-%c  send C-%c to the guest\r\n",
                e, e, e, e, e);
        break;
    default: break;
    }
}

/* Poll the devices' host sides (console input, virtio completions and frames): hart 0's
 * job, between its run slices and after its wfi sleeps. */
static void poll_devices(virt_machine_t *m) {
    dev_lock(m);
    dev_uart_poll(&m->uart);
    if (m->has_vcons) virtio_console_poll(&m->vcons);
    for (unsigned i = 0; i < m->nblk; i++)
        virtio_blk_poll(&m->blk[i]);
    for (unsigned i = 0; i < m->nnet; i++)
        virtio_net_poll(&m->net[i]);
    dev_unlock(m);
}

/* wfi: sleep until the hart's timer is due, console input or a virtio completion arrives
 * (hart 0), or another thread raises one of the hart's lines (its eventfd); at most 10 ms,
 * so that stop requests from other threads are seen. */
static void virt_wait(void *env, rv_cpu_t *cpu) {
    virt_machine_t *m = env;
    unsigned h = (unsigned)cpu->mhartid;
    virt_hart_t *vh = &m->hart[h];
    uint64_t ticks = dev_clint_ticks_left(&m->clint, h);
    uint64_t sticks = rv_sstc_ticks_left(cpu);
    if (sticks < ticks) ticks = sticks;
    if (ticks == 0) {
        dev_clint_update(&m->clint, h);
        rv_sstc_update(cpu);
        return;
    }
    if (h == 0) {
        /* disk requests waiting: serve them here instead of sleeping until the I/O thread
         * has (the guest is idle anyway); their completions raise the interrupt */
        bool served = false;
        for (unsigned i = 0; i < m->nblk; i++) /* the drive's own lock; no device lock */
            served |= virtio_blk_serve_idle(&m->blk[i]);
        if (served) {
            poll_devices(m);
            dev_clint_update(&m->clint, h);
            rv_sstc_update(cpu);
            return;
        }
    }
    uint64_t ns = ticks > 100000 ? 10000000 : ticks * 100;
    struct timespec t0, t1, ts = {.tv_sec = 0, .tv_nsec = (long)ns};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct pollfd p[2 + VIRT_VIRTIO_SLOTS];
    nfds_t np = 0;
    if (h == 0) {
        if (m->uart.in_fd >= 0 && !m->uart.in_eof)
            p[np++] = (struct pollfd){.fd = m->uart.in_fd, .events = POLLIN};
        for (unsigned i = 0; i < m->nblk; i++) /* virtio-blk completions */
            p[np++] = (struct pollfd){.fd = m->blk[i].efd, .events = POLLIN};
        for (unsigned i = 0; i < m->nnet; i++) /* frames for the guest */
            p[np++] = (struct pollfd){.fd = m->net[i].rx_efd, .events = POLLIN};
    }
    if (vh->wake_fd >= 0) p[np++] = (struct pollfd){.fd = vh->wake_fd, .events = POLLIN};
    /* announce the sleep, then look again: a line raised before this store is seen here, one
     * raised after it writes the eventfd */
    atomic_store(&vh->sleeping, 1);
    bool wake = (__atomic_load_n(&cpu->mip, __ATOMIC_SEQ_CST) & cpu->mie) ||
                atomic_load(&cpu->interrupt_request);
    if (!wake) {
        if (np)
            ppoll(p, np, &ts, NULL);
        else
            nanosleep(&ts, NULL);
    } else if (m->nharts > 1 && rv_interrupt_pending(cpu) < 0) {
        /* pending in mie but masked by the global enable: the guest polls in a wfi loop (so
         * does OpenSBI's wait for HSM start); give the host core to the other harts */
        sched_yield();
    }
    atomic_store(&vh->sleeping, 0);
    if (!wake && vh->wake_fd >= 0) {
        uint64_t cnt;
        ssize_t n = read(vh->wake_fd, &cnt, sizeof(cnt)); /* non-blocking: empties it */
        (void)n;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    vh->wfi_sleep_ns +=
        (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000000ll + (t1.tv_nsec - t0.tv_nsec));
    dev_clint_update(&m->clint, h);
    rv_sstc_update(cpu);
    if (h == 0) poll_devices(m);
}

/* Pauses between host yields of a spinning hart (see virt_pause). */
#define PAUSE_YIELD_EVERY 32u

/* pause (Zihintpause) on a hart with a host thread of its own: Linux's spin loops (cpu_relax)
 * execute it while they wait for a lock or a flag that another hart holds. When the host has
 * fewer free cores than harts, the holder's thread may be preempted, and spinning then only
 * delays it: every PAUSE_YIELD_EVERY pauses the spinner yields its core (sched_yield, which
 * returns at once when no other thread waits for it). */
static void virt_pause(void *env, rv_cpu_t *cpu) {
    virt_machine_t *m = env;
    virt_hart_t *vh = &m->hart[cpu->mhartid];
    if (++vh->pauses % PAUSE_YIELD_EVERY == 0) {
        vh->pause_yields++;
        sched_yield();
    }
}

/* wfi in one-thread mode: the hart's turn ends; unless an enabled interrupt is pending (but
 * masked: the guest polls), the hart waits until one is (see run_turns). */
static void virt_wait_turn(void *env, rv_cpu_t *cpu) {
    virt_machine_t *m = env;
    if (!(__atomic_load_n(&cpu->mip, __ATOMIC_RELAXED) & cpu->mie))
        m->hart[cpu->mhartid].idle = true;
    m->turn_over = true;
    exec_end_run(cpu);
}

uint64_t virt_wfi_sleep_ns(const virt_machine_t *m) {
    uint64_t t = 0;
    for (unsigned h = 0; h < m->nharts; h++)
        t += m->hart[h].wfi_sleep_ns;
    return t;
}

/* fdt helpers: a property of 32-bit cells. */
static int prop_cells(void *fdt, const char *name, const uint32_t *cells, int n) {
    fdt32_t v[4 * VIRT_MAX_HARTS];
    if (n > (int)(sizeof(v) / sizeof(v[0]))) return -FDT_ERR_NOSPACE;
    for (int i = 0; i < n; i++)
        v[i] = cpu_to_fdt32(cells[i]);
    return fdt_property(fdt, name, v, n * (int)sizeof(fdt32_t));
}

/* A reg property with 2 address and 2 size cells. */
static int prop_reg(void *fdt, uint64_t base, uint64_t size) {
    uint32_t c[4] = {(uint32_t)(base >> 32), (uint32_t)base, (uint32_t)(size >> 32),
                     (uint32_t)size};
    return prop_cells(fdt, "reg", c, 4);
}

/* A syscon-poweroff or syscon-reboot node ("poweroff", "reboot"): writing `value` at offset 0
 * of the register map `regmap` (the test device) does it. */
static int syscon_node(void *fdt, const char *what, uint32_t regmap, uint32_t value) {
    char compatible[32];
    snprintf(compatible, sizeof(compatible), "syscon-%s", what);
    int e = fdt_begin_node(fdt, what);
    e |= fdt_property_string(fdt, "compatible", compatible);
    e |= fdt_property_cell(fdt, "regmap", regmap);
    e |= fdt_property_cell(fdt, "offset", 0);
    e |= fdt_property_cell(fdt, "value", value);
    e |= fdt_end_node(fdt);
    return e;
}

/* Build the device tree into buf. */
static int build_fdt(virt_machine_t *m, const virt_config_t *cfg, void *buf, uint64_t initrd,
                     uint64_t initrd_size) {
    /* phandles: hart 0's cpu and interrupt controller 1 and 2 (as with one hart), the PLIC 3,
     * the test device 4, hart h > 0's 16 + 2h and 17 + 2h */
    enum { PH_PLIC = 3, PH_TEST = 4 };
#define PH_CPU(h)  ((h) ? 16u + 2u * (h) : 1u)
#define PH_INTC(h) ((h) ? 17u + 2u * (h) : 2u)
    static const char isa_ext[] =
        "i\0m\0a\0f\0d\0c\0zicntr\0zicsr\0zifencei\0zihintpause\0zba\0zbb\0zbs\0sstc";
    int e = fdt_create(buf, FDT_MAX);
    e |= fdt_finish_reservemap(buf);
    e |= fdt_begin_node(buf, "");
    e |= fdt_property_cell(buf, "#address-cells", 2);
    e |= fdt_property_cell(buf, "#size-cells", 2);
    e |= fdt_property_string(buf, "compatible", "riscv-virtio");
    e |= fdt_property_string(buf, "model", "riscv-virtio,qemu");

    e |= fdt_begin_node(buf, "chosen");
    e |= fdt_property_string(buf, "stdout-path", "/soc/serial@10000000");
    if (cfg->append) e |= fdt_property_string(buf, "bootargs", cfg->append);
    if (initrd_size) {
        e |= fdt_property_u64(buf, "linux,initrd-start", initrd);
        e |= fdt_property_u64(buf, "linux,initrd-end", initrd + initrd_size);
    }
    e |= fdt_end_node(buf);

    e |= fdt_begin_node(buf, "memory@80000000");
    e |= fdt_property_string(buf, "device_type", "memory");
    e |= prop_reg(buf, VIRT_RAM_BASE, m->ram_size);
    e |= fdt_end_node(buf);

    e |= fdt_begin_node(buf, "cpus");
    e |= fdt_property_cell(buf, "#address-cells", 1);
    e |= fdt_property_cell(buf, "#size-cells", 0);
    e |= fdt_property_cell(buf, "timebase-frequency", 10000000);
    for (unsigned h = 0; h < m->nharts; h++) {
        char name[32];
        snprintf(name, sizeof(name), "cpu@%u", h);
        e |= fdt_begin_node(buf, name);
        e |= fdt_property_cell(buf, "phandle", PH_CPU(h));
        e |= fdt_property_string(buf, "device_type", "cpu");
        e |= fdt_property_cell(buf, "reg", h);
        e |= fdt_property_string(buf, "status", "okay");
        e |= fdt_property_string(buf, "compatible", "riscv");
        e |= fdt_property_string(buf, "riscv,isa",
                                 "rv64imafdc_zicntr_zicsr_zifencei_zihintpause_zba_zbb_zbs_sstc");
        e |= fdt_property_string(buf, "riscv,isa-base", "rv64i");
        e |= fdt_property(buf, "riscv,isa-extensions", isa_ext, sizeof(isa_ext));
        e |= fdt_property_string(buf, "mmu-type", "riscv,sv57");
        e |= fdt_begin_node(buf, "interrupt-controller");
        e |= fdt_property_cell(buf, "#interrupt-cells", 1);
        e |= fdt_property(buf, "interrupt-controller", NULL, 0);
        e |= fdt_property_string(buf, "compatible", "riscv,cpu-intc");
        e |= fdt_property_cell(buf, "phandle", PH_INTC(h));
        e |= fdt_end_node(buf);
        e |= fdt_end_node(buf);
    }
    e |= fdt_begin_node(buf, "cpu-map");
    e |= fdt_begin_node(buf, "cluster0");
    for (unsigned h = 0; h < m->nharts; h++) {
        char name[32];
        snprintf(name, sizeof(name), "core%u", h);
        e |= fdt_begin_node(buf, name);
        e |= fdt_property_cell(buf, "cpu", PH_CPU(h));
        e |= fdt_end_node(buf);
    }
    e |= fdt_end_node(buf);
    e |= fdt_end_node(buf);
    e |= fdt_end_node(buf);

    e |= fdt_begin_node(buf, "soc");
    e |= fdt_property_cell(buf, "#address-cells", 2);
    e |= fdt_property_cell(buf, "#size-cells", 2);
    e |= fdt_property_string(buf, "compatible", "simple-bus");
    e |= fdt_property(buf, "ranges", NULL, 0);

    e |= fdt_begin_node(buf, "clint@2000000");
    e |= fdt_property(buf, "compatible", "sifive,clint0\0riscv,clint0",
                      sizeof("sifive,clint0\0riscv,clint0"));
    e |= prop_reg(buf, CLINT_BASE, DEV_CLINT_SIZE);
    uint32_t irqs[4 * VIRT_MAX_HARTS];
    for (unsigned h = 0; h < m->nharts; h++) {
        irqs[4 * h] = PH_INTC(h);
        irqs[4 * h + 1] = RV_IRQ_MSI;
        irqs[4 * h + 2] = PH_INTC(h);
        irqs[4 * h + 3] = RV_IRQ_MTI;
    }
    e |= prop_cells(buf, "interrupts-extended", irqs, 4 * (int)m->nharts);
    e |= fdt_end_node(buf);

    e |= fdt_begin_node(buf, "plic@c000000");
    e |= fdt_property_cell(buf, "phandle", PH_PLIC);
    e |= fdt_property(buf, "compatible", "sifive,plic-1.0.0\0riscv,plic0",
                      sizeof("sifive,plic-1.0.0\0riscv,plic0"));
    e |= prop_reg(buf, PLIC_BASE, DEV_PLIC_SIZE);
    e |= fdt_property_cell(buf, "#address-cells", 0);
    e |= fdt_property_cell(buf, "#interrupt-cells", 1);
    e |= fdt_property(buf, "interrupt-controller", NULL, 0);
    e |= fdt_property_cell(buf, "riscv,ndev", DEV_PLIC_SOURCES - 1);
    for (unsigned h = 0; h < m->nharts; h++) { /* context 2h: M-mode, 2h + 1: S-mode */
        irqs[4 * h] = PH_INTC(h);
        irqs[4 * h + 1] = RV_IRQ_MEI;
        irqs[4 * h + 2] = PH_INTC(h);
        irqs[4 * h + 3] = RV_IRQ_SEI;
    }
    e |= prop_cells(buf, "interrupts-extended", irqs, 4 * (int)m->nharts);
    e |= fdt_end_node(buf);

    e |= fdt_begin_node(buf, "serial@10000000");
    e |= fdt_property_string(buf, "compatible", "ns16550a");
    e |= prop_reg(buf, UART_BASE, DEV_UART_SIZE);
    e |= fdt_property_cell(buf, "clock-frequency", 3686400);
    e |= fdt_property_cell(buf, "interrupts", UART_IRQ);
    e |= fdt_property_cell(buf, "interrupt-parent", PH_PLIC);
    e |= fdt_end_node(buf);

    e |= fdt_begin_node(buf, "test@100000");
    e |= fdt_property_cell(buf, "phandle", PH_TEST);
    e |= fdt_property(buf, "compatible", "sifive,test1\0sifive,test0\0syscon",
                      sizeof("sifive,test1\0sifive,test0\0syscon"));
    e |= prop_reg(buf, TEST_BASE, DEV_TEST_SIZE);
    e |= fdt_end_node(buf);
    e |= syscon_node(buf, "poweroff", PH_TEST, 0x5555);
    e |= syscon_node(buf, "reboot", PH_TEST, 0x7777);

    e |= fdt_begin_node(buf, "rtc@101000");
    e |= fdt_property_string(buf, "compatible", "google,goldfish-rtc");
    e |= prop_reg(buf, RTC_BASE, DEV_RTC_SIZE);
    e |= fdt_property_cell(buf, "interrupts", RTC_IRQ);
    e |= fdt_property_cell(buf, "interrupt-parent", PH_PLIC);
    e |= fdt_end_node(buf);

    /* virtio-mmio transports in use, lowest address first as in qemu's finished tree (the
     * kernel probes them in this order: the first drive becomes vda) */
    unsigned nvirtio = m->nblk + m->nnet + (m->has_rng ? 1u : 0u) + (m->has_vcons ? 1u : 0u);
    for (unsigned i = 0; i < nvirtio; i++) {
        char name[32];
        uint64_t base = VIRTIO_BASE + 0x1000ull * i;
        snprintf(name, sizeof(name), "virtio_mmio@%llx", (unsigned long long)base);
        e |= fdt_begin_node(buf, name);
        e |= fdt_property_cell(buf, "interrupts", VIRTIO_IRQ + i);
        e |= fdt_property_cell(buf, "interrupt-parent", PH_PLIC);
        e |= prop_reg(buf, base, VIRTIO_MMIO_SIZE);
        e |= fdt_property_string(buf, "compatible", "virtio,mmio");
        e |= fdt_end_node(buf);
    }

    e |= fdt_end_node(buf); /* soc */
    e |= fdt_end_node(buf); /* / */
    e |= fdt_finish(buf);
    return e ? -ENOSPC : 0;
}

/* Read a whole file into guest RAM at `gpa` (at most `room` bytes). Returns its size or
 * -errno with err set. */
static int64_t load_file(virt_machine_t *m, const char *what, const char *path, uint64_t gpa,
                         uint64_t room, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open the %s %s: %s", what, path, strerror(errno));
        return -errno;
    }
    uint64_t off = gpa - VIRT_RAM_BASE, n = 0;
    size_t got;
    uint8_t buf[65536];
    while ((got = fread(buf, 1, sizeof(buf), f)) > 0) {
        if (n + got > room) {
            fclose(f);
            snprintf(err, errlen, "the %s %s does not fit in RAM at 0x%llx (see -m)", what, path,
                     (unsigned long long)gpa);
            return -EFBIG;
        }
        memcpy(m->ram + off + n, buf, got);
        n += got;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad || n == 0) {
        snprintf(err, errlen, "cannot read the %s %s%s", what, path, n ? "" : ": empty");
        return -EIO;
    }
    return (int64_t)n;
}

int virt_init(virt_machine_t *m, const virt_config_t *cfg, const exec_options_t *exec, char *err,
              size_t errlen) {
    memset(m, 0, sizeof(*m));
    uint64_t ram = cfg->ram_size ? cfg->ram_size : VIRT_RAM_DEFAULT_SIZE;
    if (ram < (16ull << 20) || ram > (64ull << 30) || (ram & ((2ull << 20) - 1))) {
        snprintf(err, errlen, "RAM size must be a multiple of 2 MiB between 16 MiB and 64 GiB");
        return -EINVAL;
    }
    if (!cfg->bios) {
        snprintf(err, errlen, "the virt machine needs firmware (-bios)");
        return -EINVAL;
    }
    unsigned nharts = cfg->nharts ? cfg->nharts : 1;
    if (nharts > VIRT_MAX_HARTS) {
        snprintf(err, errlen, "at most %u harts (-smp)", VIRT_MAX_HARTS);
        return -EINVAL;
    }
    if (nharts > 1 && exec && exec->engine && !strcmp(exec->engine, "lockstep")) {
        snprintf(err, errlen, "lockstep runs one hart (-smp 1)");
        return -EINVAL;
    }
    m->nharts = nharts;
    m->one_thread = cfg->deterministic || (nharts > 1 && cfg->quantum);
    m->quantum = cfg->quantum ? cfg->quantum : VIRT_QUANTUM_DEFAULT;
    m->harts[0] = &m->cpu;
    for (unsigned h = 0; h < VIRT_MAX_HARTS; h++)
        m->hart[h].wake_fd = -1;
    pthread_mutex_init(&m->dev_lock, NULL);
    /* An operating system decodes far more code than a program: with the default 16 MiB
     * decode arena a Debian boot filled it about 30 times, and each time every decoded and
     * translated block went (the arena is reserved, not committed: only what is decoded is
     * backed). */
    exec_options_t hart_exec = exec ? *exec : (exec_options_t){0};
    if (!hart_exec.decode_bytes) hart_exec.decode_bytes = VIRT_DECODE_BYTES;
    /* The same for the JIT's code cache: with stores into code dropping one page's code,
     * what fills it is the boot's code itself (a Debian boot to its login prompt translates
     * about 1 GB of host code; 64 MiB filled 15 times). Memory of the cache is committed
     * only as it is written. */
    if (!hart_exec.cache_bytes) hart_exec.cache_bytes = VIRT_JIT_BYTES;
    int rc = 0;
    for (unsigned h = 0; h < nharts && !rc; h++) {
        if (h > 0 && !(m->harts[h] = calloc(1, sizeof(rv_cpu_t)))) rc = -ENOMEM;
        if (!rc) rc = exec_hart_init(m->harts[h], &hart_exec);
        if (rc && h > 0) {
            free(m->harts[h]);
            m->harts[h] = NULL;
        }
        if (!rc && nharts > 1 && !m->one_thread) {
            m->hart[h].wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
            if (m->hart[h].wake_fd < 0) rc = -errno;
        }
    }
    if (rc) {
        snprintf(err, errlen, "cannot set up the harts: %s", strerror(-rc));
        virt_destroy(m);
        return rc;
    }
    vm_mem_err_t e = vm_mem_create(&m->mem);
    if (e == VM_MEM_OK) e = vm_mem_add_ram(m->mem, VIRT_RAM_BASE, ram, NULL);
    if (e == VM_MEM_OK) e = vm_mem_add_rom(m->mem, ROM_BASE, ROM_SIZE, NULL, 0);
    if (e == VM_MEM_OK)
        e = vm_mem_add_mmio(m->mem, TEST_BASE, DEV_TEST_SIZE, &dev_test_ops, &m->test);
    if (e == VM_MEM_OK) e = vm_mem_add_mmio(m->mem, RTC_BASE, DEV_RTC_SIZE, &dev_rtc_ops, &m->rtc);
    if (e == VM_MEM_OK)
        e = vm_mem_add_mmio(m->mem, CLINT_BASE, DEV_CLINT_SIZE, &dev_clint_ops, &m->clint);
    if (e == VM_MEM_OK)
        e = vm_mem_add_mmio(m->mem, PLIC_BASE, DEV_PLIC_SIZE, &dev_plic_ops, &m->plic);
    if (e == VM_MEM_OK)
        e = vm_mem_add_mmio(m->mem, UART_BASE, DEV_UART_SIZE, &dev_uart_ops, &m->uart);
    m->page_flags = calloc(ram >> 12, 1);
    m->code_lines = calloc((ram >> 6) / 64 + 1, sizeof(uint64_t));
    if (e != VM_MEM_OK || !m->page_flags || !m->code_lines) {
        snprintf(err, errlen, "cannot build the address map: %s",
                 e != VM_MEM_OK ? vm_mem_strerror(e) : "out of memory");
        virt_destroy(m);
        return -ENOMEM;
    }
    m->ram = vm_mem_host_ptr(m->mem, VIRT_RAM_BASE, ram);
    m->ram_size = ram;

    /* devices and their lines */
    m->clint.now = virt_now;
    m->clint.now_opaque = m;
    m->clint.nharts = nharts;
    m->plic.ncontexts = 2 * nharts;
    for (unsigned h = 0; h < nharts; h++) {
        m->clint.mtimecmp[h] = UINT64_MAX;
        m->clint.msi[h] = (vm_irq_t){mip_set, m->harts[h], RV_IRQ_MSI};
        m->clint.mti[h] = (vm_irq_t){mip_set, m->harts[h], RV_IRQ_MTI};
        m->plic.out[2 * h] = (vm_irq_t){mip_set, m->harts[h], RV_IRQ_MEI};
        m->plic.out[2 * h + 1] = (vm_irq_t){mip_set, m->harts[h], RV_IRQ_SEI};
    }
    m->uart.out = cfg->console ? cfg->console : stdout;
    m->uart.in_fd = cfg->console_in;
    m->uart.in_tty = m->uart.in_fd >= 0 && isatty(m->uart.in_fd);
    m->uart.escape = cfg->console_escape;
    m->uart.on_escape = virt_escape;
    m->uart.escape_opaque = m;
    if (m->uart.in_fd >= 0)
        fcntl(m->uart.in_fd, F_SETFL, fcntl(m->uart.in_fd, F_GETFL) | O_NONBLOCK);
    m->uart.irq = (vm_irq_t){dev_plic_set, &m->plic, UART_IRQ};
    m->test.notify = test_done;
    m->test.notify_opaque = m;
    if (cfg->deterministic) {
        m->rtc.now_ns = virt_rtc_now;
        m->rtc.now_opaque = m;
    }

    /* virtio: the drives from slot 0, then the network cards, then the rng, then the console */
    unsigned nrng = cfg->rng ? 1u : 0u;
    unsigned nvirtio = cfg->ndrives + cfg->nnets + nrng + (cfg->vconsole ? 1u : 0u);
    if (cfg->ndrives > VIRT_VIRTIO_SLOTS || cfg->nnets > VIRT_VIRTIO_SLOTS ||
        nvirtio > VIRT_VIRTIO_SLOTS) {
        snprintf(err, errlen,
                 "at most %u virtio devices (drives, network cards, rng and console together)",
                 VIRT_VIRTIO_SLOTS);
        virt_destroy(m);
        return -EINVAL;
    }
    for (unsigned i = 0; i < nvirtio; i++) {
        unsigned ni = i - cfg->ndrives; /* the card's index, when i is a card's slot */
        bool is_rng = cfg->rng && i == cfg->ndrives + cfg->nnets;
        virtio_dev_t *d = i < cfg->ndrives                ? &m->blk[i].dev
                          : i < cfg->ndrives + cfg->nnets ? &m->net[ni].dev
                          : is_rng                        ? &m->rng
                                                          : &m->vcons.dev;
        d->ram = m->ram;
        d->ram_base = VIRT_RAM_BASE;
        d->ram_size = ram;
        d->irq = (vm_irq_t){dev_plic_set, &m->plic, VIRTIO_IRQ + i};
        d->dma_written = virt_dma;
        d->dma_opaque = m;
        if (i < cfg->ndrives) {
            const virt_drive_t *dr = &cfg->drives[i];
            rc = virtio_blk_open(&m->blk[i], dr->file, dr->readonly, dr->snapshot, err, errlen);
            if (rc) {
                virt_destroy(m);
                return rc;
            }
            m->nblk++;
        } else if (i < cfg->ndrives + cfg->nnets) {
            const virt_net_t *nc = &cfg->nets[ni];
            uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, (uint8_t)(0x56 + ni)};
            static const uint8_t zero[6];
            if (memcmp(nc->mac, zero, 6) != 0) memcpy(mac, nc->mac, 6);
            rc = virtio_net_open(&m->net[ni], mac, NULL, NULL, err, errlen);
            if (rc) {
                virt_destroy(m);
                return rc;
            }
            m->nnet++;
            rc = net_slirp_open(&m->slirp[ni], &m->net[ni], nc->hostfwd, nc->nhostfwd, err, errlen);
            if (rc) {
                virt_destroy(m);
                return rc;
            }
        } else if (is_rng) {
            virtio_rng_setup(d);
            m->has_rng = true;
        } else {
            virtio_console_setup(&m->vcons, m->uart.out);
            m->has_vcons = true;
            m->uart.sink_room = vcons_room;
            m->uart.sink_put = vcons_put;
            m->uart.sink_opaque = &m->vcons;
        }
        e = vm_mem_add_mmio(m->mem, VIRTIO_BASE + 0x1000ull * i, VIRTIO_MMIO_SIZE, &virtio_mmio_ops,
                            d);
        if (e != VM_MEM_OK) {
            snprintf(err, errlen, "cannot map virtio slot %u: %s", i, vm_mem_strerror(e));
            virt_destroy(m);
            return -ENOMEM;
        }
    }

    /* the harts: all start at the boot ROM; the firmware picks the boot hart */
    for (unsigned h = 0; h < nharts; h++) {
        rv_cpu_t *hc = m->harts[h];
        hc->env = m;
        hc->mhartid = h;
        hc->mem_slow = virt_mem_slow;
        hc->page_flags = m->page_flags;
        hc->code_lines = m->code_lines;
        hc->wait = m->one_thread ? virt_wait_turn : virt_wait;
        hc->time_from_instret = cfg->deterministic;
        if (nharts > 1 && !m->one_thread) hc->pause = virt_pause;
        hc->misa |= 1ull << 18; /* S */
        hc->mstatus &= ~RV_MSTATUS_FS;
        hc->pc = ROM_BASE;
        rv_mmu_enable(hc, virt_phys_ptr, m->ram, VIRT_RAM_BASE, ram);
        if (nharts > 1) {
            hc->peers = m->harts;
            hc->npeers = nharts;
        }
    }
    if (nharts > 1 && (rc = exec_share_code(m->harts, nharts)) != 0) {
        snprintf(err, errlen, "cannot share the code pages: %s", strerror(-rc));
        virt_destroy(m);
        return rc;
    }

    /* firmware, payload, initrd, device tree */
    int64_t n = load_file(m, "firmware", cfg->bios, VIRT_RAM_BASE, VIRT_KERNEL_OFFSET, err, errlen);
    if (n < 0) goto fail;
    uint64_t kernel = 0, kernel_end = VIRT_RAM_BASE + VIRT_KERNEL_OFFSET;
    if (cfg->kernel) {
        kernel = VIRT_RAM_BASE + VIRT_KERNEL_OFFSET;
        n = load_file(m, "kernel", cfg->kernel, kernel, ram - VIRT_KERNEL_OFFSET - FDT_MAX, err,
                      errlen);
        if (n < 0) goto fail;
        kernel_end = kernel + (uint64_t)n;
    }
    uint64_t initrd = 0, initrd_size = 0;
    if (cfg->initrd) {
        /* as qemu: halfway into small RAM, at 128 MiB into large RAM */
        initrd = VIRT_RAM_BASE + (ram < (256ull << 20) ? ram / 2 : 128ull << 20);
        if (initrd < kernel_end) initrd = (kernel_end + 0xfffff) & ~0xfffffull;
        uint64_t top = VIRT_RAM_BASE + ram - (2ull << 20);
        n = load_file(m, "initrd", cfg->initrd, initrd, top > initrd ? top - initrd : 0, err,
                      errlen);
        if (n < 0) goto fail;
        initrd_size = (uint64_t)n;
    }
    uint8_t fdt[FDT_MAX];
    if (build_fdt(m, cfg, fdt, initrd, initrd_size) != 0) {
        snprintf(err, errlen, "the device tree does not fit in %u bytes", FDT_MAX);
        n = -ENOSPC;
        goto fail;
    }
    uint64_t ram_end = VIRT_RAM_BASE + ram, lim = ram_end < 0xc0000000ull ? ram_end : 0xc0000000ull;
    uint64_t fdt_addr = (lim - fdt_totalsize(fdt)) & ~((2ull << 20) - 1);
    memcpy(m->ram + (fdt_addr - VIRT_RAM_BASE), fdt, fdt_totalsize(fdt));

    /* the boot ROM: reset vector, then start address, device tree, fw_dynamic_info */
    uint32_t code[6] = {
        0x00000297, /* auipc t0, 0 */
        0x02828613, /* addi a2, t0, 40: &fw_dynamic_info */
        0xf1402573, /* csrr a0, mhartid */
        0x0202b583, /* ld a1, 32(t0): the device tree */
        0x0182b283, /* ld t0, 24(t0): the firmware */
        0x00028067, /* jr t0 */
    };
    uint64_t words[2 + 6] = {
        VIRT_RAM_BASE,
        fdt_addr,
        0x4942534f, /* fw_dynamic_info: magic "OSBI" */
        2,          /* version */
        kernel,     /* next_addr */
        1,          /* next_mode: S */
        0,          /* options */
        0,          /* boot_hart */
    };
    uint8_t rom[sizeof(code) + sizeof(words)];
    memcpy(rom, code, sizeof(code));
    memcpy(rom + sizeof(code), words, sizeof(words));
    if (vm_mem_load_rom(m->mem, ROM_BASE, rom, sizeof(rom)) != VM_MEM_OK) {
        snprintf(err, errlen, "cannot write the boot ROM");
        n = -EIO;
        goto fail;
    }
    for (unsigned h = 0; h < nharts; h++)
        exec_flush(m->harts[h]);
    return 0;
fail:
    virt_destroy(m);
    return (int)n;
}

void virt_destroy(virt_machine_t *m) {
    /* the harts' threads first: they reach the devices */
    atomic_store(&m->stop_threads, true);
    stop_all(m);
    for (unsigned h = 1; h < m->nharts; h++)
        if (m->hart[h].started) {
            pthread_join(m->hart[h].thread, NULL);
            m->hart[h].started = false;
        }
    if (m->nharts > 1 && m->harts[0]->code_share) exec_unshare_code(m->harts, m->nharts);
    for (unsigned i = 0; i < m->nblk; i++)
        virtio_blk_close(&m->blk[i]);
    m->nblk = 0;
    for (unsigned i = 0; i < m->nnet; i++) { /* the network's thread first: it feeds the card */
        net_slirp_close(m->slirp[i]);
        m->slirp[i] = NULL;
        virtio_net_close(&m->net[i]);
    }
    m->nnet = 0;
    vm_mem_destroy(m->mem);
    m->mem = NULL;
    free(m->page_flags);
    free(m->code_lines);
    m->page_flags = NULL;
    m->code_lines = NULL;
    for (unsigned h = 0; h < m->nharts; h++) {
        if (m->harts[h]) exec_hart_destroy(m->harts[h]);
        if (h > 0) free(m->harts[h]);
        m->harts[h] = NULL;
        if (m->hart[h].wake_fd >= 0) close(m->hart[h].wake_fd);
        m->hart[h].wake_fd = -1;
    }
    pthread_mutex_destroy(&m->dev_lock);
    m->nharts = 0;
}

/* The thread of hart h > 0: slices of its run loop until poweroff or virt_destroy. */
static void *hart_main(void *arg) {
    rv_cpu_t *c = arg;
    virt_machine_t *m = c->env;
    unsigned h = (unsigned)c->mhartid;
    while (!atomic_load(&m->stop_threads)) {
        dev_clint_update(&m->clint, h);
        rv_sstc_update(c);
        int r = exec_run(c, SLICE);
        if (r == EXEC_STOP_HALT) break; /* poweroff, reboot, quit: sticky */
        if (r == EXEC_STOP_INTERRUPT) atomic_store(&c->interrupt_request, 0);
    }
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
        atomic_store(&m->hart[h].cpu_ns, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
    return NULL;
}

/* Start the threads of harts 1..n-1 (host signals stay with the caller's thread). */
static void start_harts(virt_machine_t *m) {
    sigset_t all, old;
    sigfillset(&all);
    sigdelset(&all, SIGSEGV);
    sigdelset(&all, SIGBUS);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    for (unsigned h = 1; h < m->nharts; h++) {
        if (m->hart[h].started) continue;
        if (pthread_create(&m->hart[h].thread, NULL, hart_main, m->harts[h]) == 0)
            m->hart[h].started = true;
        else
            fprintf(stderr, "vm: cannot start the thread of hart %u\n", h);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* ---- one-thread mode: the harts take turns ----
 * A turn runs one hart for up to m->quantum instructions (exec_run's budget, so it ends at
 * the first block boundary past it) or until it executes a wfi (virt_wait_turn). The next
 * turn goes to the next hart in order that can run: one that is not waiting, or whose wait an
 * enabled pending interrupt ends. Timers are looked at when a hart's turn begins. With
 * deterministic time the machine's clock (vclock) advances by the instructions each turn
 * retired, and a hart reads vclock plus its progress in the turn (time_base); when every
 * hart waits, the clock jumps to the first timer due (at most 10 ms of guest time) instead of
 * the host sleeping. Everything then follows from the guest's instructions alone, so two runs
 * of the same machine are the same run. */

/* Guest time skipped, or slept, at most when every hart waits (10 ms at 10 MHz). */
#define IDLE_MAX_TICKS 100000u

/* Make hart h the current one for the clock (virt_now) and look at its timers. Returns true
 * when it can run: it does not wait in wfi, or an enabled interrupt is pending. */
static bool hart_ready(virt_machine_t *m, unsigned h) {
    rv_cpu_t *c = m->harts[h];
    virt_hart_t *vh = &m->hart[h];
    m->cur = h;
    c->time_base = m->vclock + 1 - c->instret; /* reads vclock as its turn begins */
    uint64_t d = vh->mip_defer;                /* lines it raised for itself in its last turn */
    vh->mip_defer = 0;
    for (; d; d &= d - 1)
        rv_cpu_mip_set(c, (unsigned)__builtin_ctzll(d), true);
    dev_clint_update(&m->clint, h);
    rv_sstc_update(c);
    if (!vh->idle) return true;
    if ((__atomic_load_n(&c->mip, __ATOMIC_RELAXED) & c->mie) ||
        atomic_load(&c->interrupt_request)) {
        vh->idle = false;
        return true;
    }
    return false;
}

/* Timer ticks until the first timer of any hart that is not yet due (UINT64_MAX: none). */
static uint64_t next_timer(virt_machine_t *m) {
    uint64_t t = UINT64_MAX;
    for (unsigned h = 0; h < m->nharts; h++) {
        rv_cpu_t *c = m->harts[h];
        m->cur = h;
        c->time_base = m->vclock + 1 - c->instret;
        uint64_t a = dev_clint_ticks_left(&m->clint, h), b = rv_sstc_ticks_left(c);
        if (a && a < t) t = a;
        if (b && b < t) t = b;
    }
    return t;
}

/* Every hart waits: sleep on the host until the first timer is due, console input or a
 * virtio completion arrives (at most 10 ms). */
static void idle_sleep(virt_machine_t *m, uint64_t ticks) {
    uint64_t ns = ticks > IDLE_MAX_TICKS ? IDLE_MAX_TICKS * 100ull : ticks * 100;
    struct timespec t0, t1, ts = {.tv_sec = 0, .tv_nsec = (long)ns};
    struct pollfd p[1 + 2 * VIRT_VIRTIO_SLOTS];
    nfds_t np = 0;
    if (m->uart.in_fd >= 0 && !m->uart.in_eof)
        p[np++] = (struct pollfd){.fd = m->uart.in_fd, .events = POLLIN};
    for (unsigned i = 0; i < m->nblk; i++)
        p[np++] = (struct pollfd){.fd = m->blk[i].efd, .events = POLLIN};
    for (unsigned i = 0; i < m->nnet; i++)
        p[np++] = (struct pollfd){.fd = m->net[i].rx_efd, .events = POLLIN};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (np)
        ppoll(p, np, &ts, NULL);
    else
        nanosleep(&ts, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    m->hart[0].wfi_sleep_ns +=
        (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000000ll + (t1.tv_nsec - t0.tv_nsec));
}

/* End the current hart's turn: the clock moves on by what it retired. */
static void turn_end(virt_machine_t *m) {
    rv_cpu_t *c = m->harts[m->cur];
    m->vclock += c->instret - m->turn_start;
    m->in_turn = false;
    m->cur = (m->cur + 1) % m->nharts;
}

int virt_next_hart(virt_machine_t *m) {
    if (!m->one_thread) return -EINVAL;
    if (m->in_turn) turn_end(m);
    return 0;
}

/* virt_run in one-thread mode. */
static int run_turns(virt_machine_t *m, uint64_t budget) {
    for (;;) {
        if (m->test.done || m->quit) return EXEC_STOP_HALT;
        if (budget == 0) return EXEC_STOP_BUDGET;
        if (!m->in_turn) {
            unsigned start = m->cur, h = start;
            bool found = false;
            for (unsigned k = 0; k < m->nharts && !found; k++)
                found = hart_ready(m, h = (start + k) % m->nharts);
            if (found && m->vclock - m->polled_at >= SLICE) { /* console, virtio */
                m->polled_at = m->vclock;
                poll_devices(m);
            }
            if (!found) { /* every hart waits: time passes (one unit of budget) */
                uint64_t t = next_timer(m);
                if (m->cpu.time_from_instret)
                    m->vclock += t < IDLE_MAX_TICKS ? t : IDLE_MAX_TICKS;
                else
                    idle_sleep(m, t);
                m->polled_at = m->vclock;
                poll_devices(m);
                m->idle_rounds++;
                m->cur = start;
                if (budget != UINT64_MAX) budget--;
                continue;
            }
            if (m->quit) return EXEC_STOP_HALT;
            m->cur = h;
            m->in_turn = true;
            m->turn_left = m->quantum;
            m->turn_start = m->harts[h]->instret;
            m->turns++;
        }
        rv_cpu_t *c = m->harts[m->cur];
        uint64_t run = budget < m->turn_left ? budget : m->turn_left, before = c->instret;
        m->turn_over = false;
        int r = exec_run(c, run);
        uint64_t used = run; /* a budget stop: all of it (traps included) */
        if (m->turn_over || r != EXEC_STOP_BUDGET) {
            used = c->instret - before;
            if (used > run) used = run;
            if (m->turn_over && used == 0) used = 1;
        }
        if (budget != UINT64_MAX) budget -= used;
        if (m->turn_left != VIRT_QUANTUM_MANUAL) m->turn_left -= used;
        if (m->turn_over || m->turn_left == 0) turn_end(m);
        if (m->test.done || m->quit) return EXEC_STOP_HALT;
        if (r != EXEC_STOP_BUDGET) return r; /* a stop request: the caller decides */
    }
}

int virt_run(virt_machine_t *m, uint64_t budget) {
    if (m->one_thread) return run_turns(m, budget);
    if (m->nharts > 1 && !m->hart[1].started && !atomic_load(&m->stop_threads)) start_harts(m);
    for (;;) {
        if (m->test.done || m->quit) return EXEC_STOP_HALT;
        if (budget == 0) return EXEC_STOP_BUDGET;
        dev_clint_update(&m->clint, 0);
        rv_sstc_update(&m->cpu);
        poll_devices(m);
        if (m->quit) return EXEC_STOP_HALT;
        uint64_t slice = budget < SLICE ? budget : SLICE;
        int r = exec_run(&m->cpu, slice);
        if (m->test.done || m->quit) return EXEC_STOP_HALT;
        if (r == EXEC_STOP_BUDGET) {
            if (budget != UINT64_MAX) budget -= slice;
            continue;
        }
        return r; /* a stop request: the caller decides */
    }
}
