#!/usr/bin/env python3
"""console.py VM UBOOT - the virt console on a terminal, as a person uses it.

vm runs OpenSBI + U-Boot with its standard input on a pseudo-terminal. The test checks that
during the run the terminal is in raw mode (no echo, no line editing, no signal keys), that
Ctrl-C reaches the guest (U-Boot prints <INTERRUPT>) instead of killing vm, that C-a C-a sends
one Ctrl-A (U-Boot's line editor moves to the start of the line, so "ersion" + C-a + "v" runs
`version`), that C-a x ends the run with status 0 and a message, and that the terminal's
settings are restored afterwards. Each key is sent only once the console shows what it
answers, so the test does not depend on the guest's speed."""
import os
import pty
import select
import subprocess
import sys
import termios
import time

vm, uboot = sys.argv[1], sys.argv[2]
master, slave = pty.openpty()
before = termios.tcgetattr(slave)
proc = subprocess.Popen([vm, "run", "--machine=virt", "-kernel", uboot,
                         "--max-insns=20000000000"],
                        stdin=slave, stdout=slave, stderr=slave, close_fds=True)
out = b""


def fail(msg):
    sys.stdout.write(out.decode(errors="replace"))
    print("\nFAIL: " + msg)
    if proc.poll() is None:
        proc.kill()
    sys.exit(1)


def wait_for(text, seconds=150):
    """Read the console until it shows text (after what was already matched)."""
    global out
    deadline = time.time() + seconds
    while text.encode() not in out:
        left = deadline - time.time()
        if left <= 0:
            fail("timed out waiting for %r" % text)
        r, _, _ = select.select([master], [], [], min(left, 1.0))
        if r:
            try:
                data = os.read(master, 4096)
            except OSError:
                data = b""
            if not data:
                fail("console closed while waiting for %r" % text)
            out += data
    # forget what matched, so that the next wait looks at new output only
    out = out[out.index(text.encode()) + len(text):]


wait_for("Hit any key")
os.write(master, b"\r")
wait_for("=> ")
mode = termios.tcgetattr(slave)
lflag = mode[3]
if lflag & (termios.ICANON | termios.ECHO | termios.ISIG):
    fail("the terminal is not raw during the run (lflag %#x)" % lflag)
print("raw mode: ok")

os.write(master, b"\x03")  # Ctrl-C: to the guest, not a signal to vm
wait_for("<INTERRUPT>")
if proc.poll() is not None:
    fail("vm ended on Ctrl-C")
print("Ctrl-C reached the guest: ok")

wait_for("=> ")
os.write(master, b"ersion\x01\x01v\r")  # C-a C-a = one Ctrl-A: start of line
wait_for("U-Boot 20")
print("C-a C-a sent Ctrl-A: ok")

wait_for("=> ")
os.write(master, b"\x01x")
try:
    status = proc.wait(timeout=30)
except subprocess.TimeoutExpired:
    fail("C-a x did not end the run")
end = time.time() + 2
while time.time() < end:
    r, _, _ = select.select([master], [], [], 0.2)
    if not r:
        break
    try:
        out += os.read(master, 4096)
    except OSError:
        break
if b"ended from the console (C-a x)" not in out:
    fail("no message after C-a x")
if status != 0:
    fail("status %d after C-a x, expected 0" % status)
print("C-a x ended the run with status 0: ok")
after = termios.tcgetattr(slave)
if after != before:
    fail("the terminal's settings were not restored")
print("terminal restored: ok")
