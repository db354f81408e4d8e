/* bare.c - the bare machine: RAM, ELF loading and HTIF.
 *
 * Guest-physical memory is a vm_mem_t address map: its RAM region at 0x80000000 is the
 * hart's fast window, everything else (future devices) is reached through the slow path. HTIF works
 * by store watching: the page holding tohost is flagged RV_PAGE_WATCH, so stores into it reach
 * htif_store() after they land in RAM. A tohost value with device 0 and bit 0 set is an exit
 * with code value >> 1; device 1 command 1 prints one character (then tohost is cleared and
 * fromhost acknowledges). Other requests (the proxied system calls of full test
 * environments) are not supported and stop the machine with a message.
 */
#include "system/bare.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/elf.h"
#include "exec/exec.h"
#include "riscv/mmu.h"
#include "system/board.h"

/* Accesses outside the fast window go through the guest-physical address map (other RAM,
 * ROM, MMIO devices); anything unmapped becomes an access fault. */
static int bare_mem_slow(void *env, uint64_t addr, void *buf, unsigned len, rv_access_t type) {
    return board_mem_access(((bare_machine_t *)env)->mem, addr, buf, len, type);
}

/* Guest-physical RAM for the MMU (page tables, AMOs): the RAM region only. */
static void *bare_phys_ptr(void *env, uint64_t pa, unsigned len) {
    bare_machine_t *m = env;
    return board_ram_ptr(m->ram, BARE_RAM_BASE, m->ram_size, pa, len);
}

static uint64_t ram_read64(bare_machine_t *m, uint64_t addr) {
    uint64_t v;
    memcpy(&v, m->ram + (addr - BARE_RAM_BASE), 8);
    return v;
}

static void ram_write64(bare_machine_t *m, uint64_t addr, uint64_t v) {
    memcpy(m->ram + (addr - BARE_RAM_BASE), &v, 8);
}

/* A store hit the tohost page. Returns true to halt the hart. */
static bool htif_store(void *env, uint64_t addr, unsigned len) {
    bare_machine_t *m = env;
    if (!m->has_tohost || addr >= m->tohost + 8 || addr + len <= m->tohost) return false;
    uint64_t v = ram_read64(m, m->tohost);
    if (v == 0) return false;
    unsigned dev = (unsigned)(v >> 56), cmd = (unsigned)(v >> 48) & 0xff;
    if (dev == 0 && (v & 1)) {
        m->exited = true;
        m->exit_value = (v & 0xffffffffffffull) >> 1;
        return true;
    }
    if (dev == 1 && cmd == 1) {
        fputc((int)(v & 0xff), m->console);
        fflush(m->console);
        ram_write64(m, m->tohost, 0);
        if (m->fromhost) ram_write64(m, m->fromhost, (uint64_t)1 << 56 | (uint64_t)1 << 48);
        return false;
    }
    fprintf(stderr, "vm: unsupported HTIF request 0x%016llx (device %u, command %u)\n",
            (unsigned long long)v, dev, cmd);
    m->exited = true;
    m->exit_value = 0x7fffffff;
    return true;
}

int bare_init(bare_machine_t *m, uint64_t ram_size, const exec_options_t *exec, const char **err) {
    memset(m, 0, sizeof(*m));
    m->console = stdout;
    if (ram_size < (64u << 10) || (ram_size & 4095) || ram_size > (64ull << 30)) {
        *err = "RAM size must be a multiple of 4 KiB between 64 KiB and 64 GiB";
        return -EINVAL;
    }
    int rc = exec_hart_init(&m->cpu, exec);
    if (rc) {
        *err = rc == -ENOMEM ? "out of memory for the hart" : "the requested engine is unavailable";
        return rc;
    }
    vm_mem_err_t e = vm_mem_create(&m->mem);
    if (e == VM_MEM_OK) e = vm_mem_add_ram(m->mem, BARE_RAM_BASE, ram_size, NULL);
    m->page_flags = calloc(ram_size >> 12, 1);
    m->code_lines = calloc((ram_size >> 6) / 64 + 1, sizeof(uint64_t));
    if (e != VM_MEM_OK || !m->page_flags || !m->code_lines) {
        vm_mem_destroy(m->mem);
        m->mem = NULL;
        free(m->page_flags);
        free(m->code_lines);
        exec_hart_destroy(&m->cpu);
        *err = e != VM_MEM_OK ? vm_mem_strerror(e) : "out of memory for the page tables";
        return -ENOMEM;
    }
    m->ram = vm_mem_host_ptr(m->mem, BARE_RAM_BASE, ram_size);
    m->ram_size = ram_size;
    rv_cpu_t *c = &m->cpu;
    c->env = m;
    c->mem_base = m->ram;
    c->mem_start = BARE_RAM_BASE;
    c->mem_size = ram_size;
    c->mem_slow = bare_mem_slow;
    c->page_flags = m->page_flags;
    c->code_lines = m->code_lines;
    c->watch_store = htif_store;
    c->priv = RV_PRIV_M;          /* no trap hook: every trap enters the guest's own handler */
    c->mstatus &= ~RV_MSTATUS_FS; /* FP off at reset, as on hardware */
    c->pc = BARE_RAM_BASE;
    /* M, S and U modes with Sv39/Sv48/Sv57 paging */
    c->misa |= 1ull << 18;
    rv_mmu_enable(c, bare_phys_ptr, m->ram, BARE_RAM_BASE, ram_size);
    return 0;
}

void bare_destroy(bare_machine_t *m) {
    vm_mem_destroy(m->mem);
    m->mem = NULL;
    free(m->page_flags);
    free(m->code_lines);
    exec_hart_destroy(&m->cpu);
    m->ram = NULL;
    m->page_flags = NULL;
    m->code_lines = NULL;
}

int bare_load_elf(bare_machine_t *m, const uint8_t *data, size_t size, const char **err) {
    elf_file_t ef;
    int rc = elf_parse(&ef, data, size, err);
    if (rc) return rc;
    for (unsigned i = 0; i < ef.phnum; i++) {
        const elf_segment_t *s = &ef.phdrs[i];
        if (s->type != ELF_PT_LOAD || s->memsz == 0) continue;
        if (s->paddr < BARE_RAM_BASE || s->paddr - BARE_RAM_BASE > m->ram_size ||
            s->memsz > m->ram_size - (s->paddr - BARE_RAM_BASE)) {
            *err = "ELF segment does not fit in RAM (RAM starts at 0x80000000; see --ram)";
            rc = -EINVAL;
            goto out;
        }
        vm_mem_err_t e = vm_mem_write(m->mem, s->paddr, data + s->offset, s->filesz);
        if (e == VM_MEM_OK) e = vm_mem_zero(m->mem, s->paddr + s->filesz, s->memsz - s->filesz);
        if (e != VM_MEM_OK) {
            *err = vm_mem_strerror(e);
            rc = -EFAULT;
            goto out;
        }
    }
    uint64_t v;
    const char *serr = NULL;
    rc = elf_find_symbol(&ef, "tohost", &v, &serr);
    if (rc == 0) {
        if (v < BARE_RAM_BASE || v - BARE_RAM_BASE > m->ram_size - 8 || (v & 7)) {
            *err = "the tohost symbol is not an aligned address in RAM";
            rc = -EINVAL;
            goto out;
        }
        m->has_tohost = true;
        m->tohost = v;
        m->page_flags[(v - BARE_RAM_BASE) >> 12] |= RV_PAGE_WATCH;
        if (elf_find_symbol(&ef, "fromhost", &v, &serr) == 0 && v >= BARE_RAM_BASE &&
            v - BARE_RAM_BASE <= m->ram_size - 8 && !(v & 7))
            m->fromhost = v;
    } else if (rc != -ENOENT) {
        *err = serr;
        goto out;
    }
    rc = 0;
    m->cpu.pc = ef.entry;
    exec_flush(&m->cpu);
out:
    elf_free(&ef);
    return rc;
}

int bare_run(bare_machine_t *m, uint64_t max_insns) {
    for (;;) {
        uint64_t budget = UINT64_MAX;
        if (max_insns) {
            if (m->cpu.instret >= max_insns) return EXEC_STOP_BUDGET;
            budget = max_insns - m->cpu.instret;
        }
        int r = exec_run(&m->cpu, budget);
        if (r == EXEC_STOP_HALT || r == EXEC_STOP_BUDGET) return r;
        if (r == EXEC_STOP_INTERRUPT) {
            if (atomic_load(&m->cpu.halt_request)) return EXEC_STOP_HALT;
            atomic_store(&m->cpu.interrupt_request, 0);
        }
    }
}
