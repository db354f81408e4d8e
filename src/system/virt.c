/* virt.c - the `virt` machine (see virt.h): board wiring, boot ROM, device tree, loading and
 * the run loop around the hart.
 *
 * Boot follows qemu's `virt` with `-bios fw_dynamic.bin`: the hart starts in M-mode at the boot
 * ROM (0x1000), which puts the hart id in a0, the device tree's address in a1 and a
 * fw_dynamic_info record (the next stage's address and mode) in a2, and jumps to the firmware
 * at the start of RAM. OpenSBI then finds the CLINT, PLIC, UART and the test device in the
 * device tree and starts the payload (U-Boot or Linux) in S-mode at RAM + 2 MiB.
 *
 * Devices run on the hart's thread: MMIO callbacks from the hart's slow path, and between run
 * slices the timer and the console input are polled. Interrupt lines end in the hart's mip
 * (MSIP and MTIP from the CLINT, MEIP and SEIP from the PLIC's two contexts); a change kicks
 * the hart so that the run loop takes the interrupt at the next block boundary. wfi sleeps on
 * the host until the timer is due or console input arrives.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* mtime: the clock the time CSR reads (10 MHz), so that rdtime and mtimecmp agree. */
static uint64_t virt_now(void *opaque) {
    virt_machine_t *m = opaque;
    return rv_cpu_time(&m->cpu);
}

/* An interrupt line into the hart's mip (line = the mip bit). */
static void mip_set(void *opaque, unsigned bit, bool level) {
    virt_machine_t *m = opaque;
    if (level)
        m->cpu.mip |= 1ull << bit;
    else
        m->cpu.mip &= ~(1ull << bit);
    rv_cpu_irq_check(&m->cpu);
}

static int virt_mem_slow(void *env, uint64_t addr, void *buf, unsigned len, rv_access_t type) {
    return board_mem_access(((virt_machine_t *)env)->mem, addr, buf, len, type);
}

static void *virt_phys_ptr(void *env, uint64_t pa, unsigned len) {
    virt_machine_t *m = env;
    return board_ram_ptr(m->ram, VIRT_RAM_BASE, m->ram_size, pa, len);
}

/* A virtio device wrote guest RAM: decoded code there is stale (as for a hart's store). */
static void virt_dma(void *opaque, uint64_t gpa, uint64_t len) {
    virt_machine_t *m = opaque;
    uint64_t o = gpa - VIRT_RAM_BASE;
    if (len == 0 || gpa < VIRT_RAM_BASE || o >= m->ram_size) return;
    uint64_t last = len > m->ram_size - o ? m->ram_size - 1 : o + len - 1;
    for (uint64_t p = o >> 12; p <= last >> 12; p++)
        if (m->page_flags[p] & RV_PAGE_CODE) {
            m->cpu.code_ctx++;
            rv_cpu_kick(&m->cpu);
            return;
        }
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
    virt_machine_t *m = opaque;
    atomic_store(&m->cpu.halt_request, 1);
    rv_cpu_interrupt(&m->cpu);
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
        atomic_store(&m->cpu.halt_request, 1);
        rv_cpu_interrupt(&m->cpu);
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

/* wfi: sleep until the timer is due or console input arrives (at most 10 ms, so that stop
 * requests from other threads are seen). */
static void virt_wait(void *env, rv_cpu_t *cpu) {
    virt_machine_t *m = env;
    (void)cpu;
    uint64_t ticks = dev_clint_ticks_left(&m->clint);
    uint64_t sticks = rv_sstc_ticks_left(&m->cpu);
    if (sticks < ticks) ticks = sticks;
    if (ticks == 0) {
        dev_clint_update(&m->clint);
        rv_sstc_update(&m->cpu);
        return;
    }
    uint64_t ns = ticks > 100000 ? 10000000 : ticks * 100;
    struct timespec t0, t1, ts = {.tv_sec = 0, .tv_nsec = (long)ns};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct pollfd p[1 + VIRT_VIRTIO_SLOTS];
    nfds_t np = 0;
    if (m->uart.in_fd >= 0 && !m->uart.in_eof)
        p[np++] = (struct pollfd){.fd = m->uart.in_fd, .events = POLLIN};
    for (unsigned i = 0; i < m->nblk; i++) /* virtio-blk completions */
        p[np++] = (struct pollfd){.fd = m->blk[i].efd, .events = POLLIN};
    for (unsigned i = 0; i < m->nnet; i++) /* frames for the guest */
        p[np++] = (struct pollfd){.fd = m->net[i].rx_efd, .events = POLLIN};
    if (np)
        ppoll(p, np, &ts, NULL);
    else
        nanosleep(&ts, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    m->wfi_sleep_ns +=
        (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000000ll + (t1.tv_nsec - t0.tv_nsec));
    dev_clint_update(&m->clint);
    rv_sstc_update(&m->cpu);
    dev_uart_poll(&m->uart);
    if (m->has_vcons) virtio_console_poll(&m->vcons);
    for (unsigned i = 0; i < m->nblk; i++)
        virtio_blk_poll(&m->blk[i]);
    for (unsigned i = 0; i < m->nnet; i++)
        virtio_net_poll(&m->net[i]);
}

/* fdt helpers: a property of 32-bit cells. */
static int prop_cells(void *fdt, const char *name, const uint32_t *cells, int n) {
    fdt32_t v[16];
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
    enum { PH_CPU0 = 1, PH_INTC = 2, PH_PLIC = 3, PH_TEST = 4 };
    static const char isa_ext[] = "i\0m\0a\0f\0d\0c\0zicsr\0zifencei\0zba\0zbb\0zbs\0sstc";
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
    e |= fdt_begin_node(buf, "cpu@0");
    e |= fdt_property_cell(buf, "phandle", PH_CPU0);
    e |= fdt_property_string(buf, "device_type", "cpu");
    e |= fdt_property_cell(buf, "reg", 0);
    e |= fdt_property_string(buf, "status", "okay");
    e |= fdt_property_string(buf, "compatible", "riscv");
    e |= fdt_property_string(buf, "riscv,isa", "rv64imafdc_zicsr_zifencei_zba_zbb_zbs_sstc");
    e |= fdt_property_string(buf, "riscv,isa-base", "rv64i");
    e |= fdt_property(buf, "riscv,isa-extensions", isa_ext, sizeof(isa_ext));
    e |= fdt_property_string(buf, "mmu-type", "riscv,sv57");
    e |= fdt_begin_node(buf, "interrupt-controller");
    e |= fdt_property_cell(buf, "#interrupt-cells", 1);
    e |= fdt_property(buf, "interrupt-controller", NULL, 0);
    e |= fdt_property_string(buf, "compatible", "riscv,cpu-intc");
    e |= fdt_property_cell(buf, "phandle", PH_INTC);
    e |= fdt_end_node(buf);
    e |= fdt_end_node(buf);
    e |= fdt_begin_node(buf, "cpu-map");
    e |= fdt_begin_node(buf, "cluster0");
    e |= fdt_begin_node(buf, "core0");
    e |= fdt_property_cell(buf, "cpu", PH_CPU0);
    e |= fdt_end_node(buf);
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
    uint32_t clint_irqs[4] = {PH_INTC, RV_IRQ_MSI, PH_INTC, RV_IRQ_MTI};
    e |= prop_cells(buf, "interrupts-extended", clint_irqs, 4);
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
    uint32_t plic_irqs[4] = {PH_INTC, RV_IRQ_MEI, PH_INTC, RV_IRQ_SEI};
    e |= prop_cells(buf, "interrupts-extended", plic_irqs, 4);
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
    int rc = exec_hart_init(&m->cpu, exec);
    if (rc) {
        snprintf(err, errlen, "cannot set up the hart: %s", strerror(-rc));
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
    m->clint.mtimecmp = UINT64_MAX;
    m->clint.msi = (vm_irq_t){mip_set, m, RV_IRQ_MSI};
    m->clint.mti = (vm_irq_t){mip_set, m, RV_IRQ_MTI};
    m->plic.out[0] = (vm_irq_t){mip_set, m, RV_IRQ_MEI};
    m->plic.out[1] = (vm_irq_t){mip_set, m, RV_IRQ_SEI};
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

    /* the hart */
    rv_cpu_t *c = &m->cpu;
    c->env = m;
    c->mem_slow = virt_mem_slow;
    c->page_flags = m->page_flags;
    c->code_lines = m->code_lines;
    c->wait = virt_wait;
    c->misa |= 1ull << 18; /* S */
    c->mstatus &= ~RV_MSTATUS_FS;
    c->pc = ROM_BASE;
    rv_mmu_enable(c, virt_phys_ptr, m->ram, VIRT_RAM_BASE, ram);

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
    exec_flush(c);
    return 0;
fail:
    virt_destroy(m);
    return (int)n;
}

void virt_destroy(virt_machine_t *m) {
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
    exec_hart_destroy(&m->cpu);
}

int virt_run(virt_machine_t *m, uint64_t budget) {
    for (;;) {
        if (m->test.done || m->quit) return EXEC_STOP_HALT;
        if (budget == 0) return EXEC_STOP_BUDGET;
        dev_clint_update(&m->clint);
        rv_sstc_update(&m->cpu);
        dev_uart_poll(&m->uart);
        if (m->has_vcons) virtio_console_poll(&m->vcons);
        if (m->has_vcons) virtio_console_poll(&m->vcons);
        for (unsigned i = 0; i < m->nblk; i++)
            virtio_blk_poll(&m->blk[i]);
        for (unsigned i = 0; i < m->nnet; i++)
            virtio_net_poll(&m->net[i]);
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
