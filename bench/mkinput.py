#!/usr/bin/env python3
"""mkinput - the deterministic input file of bench/jit.sh's Debian-tool workloads.

    python3 bench/mkinput.py OUT [MIB [SEED]]     (defaults: 4 MiB, seed 1)

The file is made of 16 KiB chunks from a xorshift64 generator with a fixed seed, so it is
the same on every host and every Python version: three of four chunks are text-like (words
of a fixed vocabulary with punctuation and line breaks, which compresses the way prose and
source code do), the fourth random-ish bytes of a skewed distribution (which compresses
poorly, as binaries and compressed data do). A mix, so that the compressors run both their
match-finding and their literal-coding paths. Standard library only.
"""

import sys

WORDS = ("the of and to in is was for that on with as by at from his an were are which "
         "this be or has had not but first one their its new after who they have her she "
         "two been other when there all during into school time may years more most only "
         "over city some world would where later up such used many can state about "
         "national out known university united then made register memory return value "
         "function pointer buffer stack kernel thread signal compress decompress").split()
CHUNK = 16384
MASK = (1 << 64) - 1


def generate(size, seed=1):
    """`size` bytes of the mix, from `seed` (a bytes object)."""
    x = (0x9E3779B97F4A7C15 ^ seed) & MASK or 1
    out = bytearray()

    def nxt():
        nonlocal x
        x ^= (x << 13) & MASK
        x ^= x >> 7
        x ^= (x << 17) & MASK
        return x

    n = 0
    while len(out) < size:
        if n % 4 == 3:
            chunk = bytearray()
            while len(chunk) < CHUNK:
                r = nxt()
                for k in range(8):
                    b = (r >> (8 * k)) & 0xFF
                    chunk.append(b & 0x3F if b & 0xC0 else b)  # skewed towards 0..63
            out += chunk[:CHUNK]
        else:
            line = 0
            start = len(out)
            while len(out) - start < CHUNK:
                r = nxt()
                w = WORDS[r % len(WORDS)]
                if (r >> 20) % 11 == 0:
                    w = w.capitalize()
                out += w.encode()
                line += len(w) + 1
                p = (r >> 32) % 23
                if p == 0:
                    out += b"."
                elif p == 1:
                    out += b","
                if line > 72 or (r >> 40) % 97 == 0:
                    out += b"\n"
                    line = 0
                else:
                    out += b" "
            del out[start + CHUNK:]
        n += 1
    return bytes(out[:size])


def main(argv):
    if len(argv) < 2 or len(argv) > 4:
        sys.stderr.write("usage: mkinput.py OUT [MIB [SEED]]\n")
        return 2
    try:
        mib = float(argv[2]) if len(argv) > 2 else 4.0
        seed = int(argv[3]) if len(argv) > 3 else 1
    except ValueError:
        sys.stderr.write("mkinput.py: MIB is a number, SEED an integer\n")
        return 2
    if not 0 < mib <= 1024:
        sys.stderr.write("mkinput.py: MIB must be in (0, 1024]\n")
        return 2
    with open(argv[1], "wb") as f:
        f.write(generate(int(mib * (1 << 20)), seed))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
