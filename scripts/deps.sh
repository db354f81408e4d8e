#!/usr/bin/env bash
# deps.sh - install the Debian packages that building and testing vm need, only those that
# are missing. Idempotent: a machine that has everything is left alone and nothing is fetched.
set -euo pipefail

packages=(
    build-essential cmake clang clang-format git
    libclang-rt-14-dev            # clang's ASan/UBSan and libFuzzer runtimes (only recommended by clang)
    libcmocka-dev                 # unit tests
    libbenchmark-dev              # perf-bench (vm-bench)
    libnuma-dev                   # optional NUMA binding of guest RAM
    libfdt-dev                    # the virt machine's device tree
    libslirp-dev                  # user-mode networking of virtio-net (-netdev user); optional:
                                  # without it vm builds without -netdev user
    libseccomp-dev                # the seccomp filter of vm run --sandbox
    opensbi u-boot-qemu           # firmware and a payload for the virt machine's boot tests
    libcapstone-dev               # --jit-dump disassembles host code (optional)
    gcc-riscv64-linux-gnu libc6-dev-riscv64-cross   # guest programs and ISA tests
    g++-riscv64-linux-gnu         # the C++ guest program
    qemu-user                     # differential tests, NEON tests under qemu-aarch64
    qemu-system-misc              # ISA tests under a reference machine (qemu-system-riscv64)
    debian-archive-keyring        # tests/real: signed riscv64 package lists from Debian
    cpio                          # the initramfs of make boot / boot-test
    debootstrap fakeroot e2fsprogs  # make debian-image: the Debian root file system, no root needed
    strace                        # boot-datasafe.sh: every guest flush is an fdatasync on the host
    python3                       # tests/diff/rvdiff.py (random instruction sequences), tests/layers
    pkg-config                    # the installed-library test (examples/check_install.sh)
    gcc-aarch64-linux-gnu libc6-dev-arm64-cross     # the AArch64 (NEON) memops build
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "deps: all ${#packages[@]} packages present"
    exit 0
fi

echo "deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo=sudo
fi
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
