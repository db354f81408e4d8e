/* console.c - the host terminal as the virt machine's console.
 *
 * When standard input is a terminal, `vm run --machine=virt` puts it in raw mode for the run,
 * as qemu's -nographic does: every key, Ctrl-C and Ctrl-Z included, goes to the guest, and
 * the console's escape (Ctrl-A, then x) ends the run. Output processing stays on (OPOST), so
 * the guest's "\n" still starts a new line. The saved settings come back however the run ends:
 * a normal return, exit() (atexit), or a terminating signal from outside (SIGTERM, SIGHUP),
 * whose handler restores the terminal and re-raises the signal with its default action.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

static struct termios saved;      /* the terminal's settings before raw mode */
static volatile sig_atomic_t raw; /* raw mode is on (restore pending) */

void cli_console_restore(void) {
    if (!raw) return;
    raw = 0;
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
}

/* SIGTERM/SIGHUP: restore (tcsetattr is async-signal-safe), then die of the signal. */
static void on_signal(int sig) {
    cli_console_restore();
    signal(sig, SIG_DFL);
    raise(sig);
}

bool cli_console_raw(void) {
    if (raw || !isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved) != 0) return false;
    struct termios t = saved;
    t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
    t.c_cflag |= CS8;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &t) != 0) return false;
    raw = 1;
    static bool hooked;
    if (!hooked) {
        hooked = true;
        atexit(cli_console_restore);
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
    }
    return true;
}
