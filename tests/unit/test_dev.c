/* test_dev.c - the ns16550a console model (src/dev): input through a pipe, the escape byte
 * and its commands, back-pressure from a pipe, overrun from a terminal, the line status and
 * the interrupt line. The device is driven through its MMIO callbacks as the hart drives it. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dev/dev.h"

enum { RBR = 0, IER = 1, LSR = 5 };

static bool irq_level;
static char cmds[16];
static size_t ncmds;

static void irq_set(void *opaque, unsigned line, bool level) {
    (void)opaque;
    (void)line;
    irq_level = level;
}

static void on_escape(void *opaque, uint8_t cmd) {
    (void)opaque;
    if (ncmds < sizeof(cmds)) cmds[ncmds++] = (char)cmd;
}

/* A UART reading the read end of a fresh pipe; *wr gets the write end. */
static void uart_on_pipe(dev_uart_t *u, int *wr, uint8_t escape) {
    int p[2];
    assert_int_equal(pipe(p), 0);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    memset(u, 0, sizeof(*u));
    u->out = stdout;
    u->in_fd = p[0];
    u->escape = escape;
    u->on_escape = on_escape;
    u->irq = (vm_irq_t){irq_set, NULL, 10};
    *wr = p[1];
    irq_level = false;
    ncmds = 0;
}

static uint64_t reg(dev_uart_t *u, uint64_t off) {
    uint64_t v = 0;
    assert_int_equal(dev_uart_ops.read(u, off, 1, &v), VM_MEM_OK);
    return v;
}

/* Read every received byte into buf; returns how many. */
static size_t drain(dev_uart_t *u, char *buf, size_t cap) {
    size_t n = 0;
    while ((reg(u, LSR) & 1) && n < cap)
        buf[n++] = (char)reg(u, RBR);
    return n;
}

static void escape_commands_are_not_data(void **state) {
    (void)state;
    dev_uart_t u;
    int wr;
    uart_on_pipe(&u, &wr, 1);
    assert_int_equal(write(wr, "a\001xb\001\001c\001h", 9), 9);
    dev_uart_poll(&u);
    char buf[16];
    size_t n = drain(&u, buf, sizeof(buf));
    /* data: a, b, one Ctrl-A (escape twice), c; commands: x, h */
    assert_int_equal(n, 4);
    assert_memory_equal(buf, "ab\001c", 4);
    assert_int_equal(ncmds, 2);
    assert_memory_equal(cmds, "xh", 2);
    /* an escape at the end of one read pairs with the first byte of the next */
    assert_int_equal(write(wr, "\001", 1), 1);
    dev_uart_poll(&u);
    assert_int_equal(write(wr, "x", 1), 1);
    dev_uart_poll(&u);
    assert_int_equal(drain(&u, buf, sizeof(buf)), 0);
    assert_int_equal(ncmds, 3);
    assert_int_equal(cmds[2], 'x');
    close(wr);
    close(u.in_fd);
}

static void no_escape_byte_means_plain_data(void **state) {
    (void)state;
    dev_uart_t u;
    int wr;
    uart_on_pipe(&u, &wr, 0);
    assert_int_equal(write(wr, "\001x", 2), 2);
    dev_uart_poll(&u);
    char buf[4];
    assert_int_equal(drain(&u, buf, sizeof(buf)), 2);
    assert_memory_equal(buf, "\001x", 2);
    assert_int_equal(ncmds, 0);
    close(wr);
    close(u.in_fd);
}

static void pipe_input_waits_when_full(void **state) {
    (void)state;
    dev_uart_t u;
    int wr;
    uart_on_pipe(&u, &wr, 1);
    char big[600];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (char)('A' + i % 26);
    assert_int_equal(write(wr, big, sizeof(big)), (ssize_t)sizeof(big));
    for (int i = 0; i < 20; i++)
        dev_uart_poll(&u);
    assert_int_equal(u.rx_count, sizeof(u.rx));
    assert_int_equal(reg(&u, LSR) & 2, 0); /* nothing dropped */
    /* every byte arrives, in order, as the guest reads */
    char got[600];
    size_t n = 0;
    while (n < sizeof(got)) {
        n += drain(&u, got + n, sizeof(got) - n);
        dev_uart_poll(&u);
    }
    assert_memory_equal(got, big, sizeof(big));
    close(wr);
    close(u.in_fd);
}

static void terminal_input_overruns_but_escape_works(void **state) {
    (void)state;
    dev_uart_t u;
    int wr;
    uart_on_pipe(&u, &wr, 1);
    u.in_tty = true; /* as from a terminal: read through a full buffer */
    char fill[sizeof(u.rx)];
    memset(fill, 'z', sizeof(fill));
    assert_int_equal(write(wr, fill, sizeof(fill)), (ssize_t)sizeof(fill));
    for (int i = 0; i < 8; i++)
        dev_uart_poll(&u);
    assert_int_equal(u.rx_count, sizeof(u.rx));
    /* the guest reads nothing more; the user types more, then C-a x */
    assert_int_equal(write(wr, "more\001x", 6), 6);
    dev_uart_poll(&u);
    assert_int_equal(ncmds, 1);
    assert_int_equal(cmds[0], 'x');
    assert_int_equal(reg(&u, LSR) & 2, 2); /* overrun reported once */
    assert_int_equal(reg(&u, LSR) & 2, 0);
    close(wr);
    close(u.in_fd);
}

static void receive_interrupt_follows_data(void **state) {
    (void)state;
    dev_uart_t u;
    int wr;
    uart_on_pipe(&u, &wr, 1);
    assert_int_equal(dev_uart_ops.write(&u, IER, 1, 1), VM_MEM_OK); /* RDI */
    assert_false(irq_level);
    assert_int_equal(write(wr, "k", 1), 1);
    dev_uart_poll(&u);
    assert_true(irq_level);
    assert_int_equal(reg(&u, 2) & 0x0f, 0x04); /* IIR: received data */
    assert_int_equal(reg(&u, RBR), 'k');
    assert_false(irq_level);
    /* an escape command alone raises nothing */
    assert_int_equal(write(wr, "\001h", 2), 2);
    dev_uart_poll(&u);
    assert_false(irq_level);
    close(wr);
    dev_uart_poll(&u);
    assert_true(u.in_eof);
    close(u.in_fd);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escape_commands_are_not_data),
        cmocka_unit_test(no_escape_byte_means_plain_data),
        cmocka_unit_test(pipe_input_waits_when_full),
        cmocka_unit_test(terminal_input_overruns_but_escape_works),
        cmocka_unit_test(receive_interrupt_follows_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
