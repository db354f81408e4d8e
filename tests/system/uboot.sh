#!/bin/sh
# uboot.sh VM UBOOT - boot OpenSBI + U-Boot on the virt machine, stop autoboot with a key,
# run `version`, then `poweroff`; prints the console and "exit=STATUS".
vm=$1 uboot=$2
{ sleep 1; printf '\n'; sleep 1; printf 'version\n'; sleep 1; printf 'poweroff\n'; } |
    "$vm" run --machine=virt -kernel "$uboot" --max-insns=4000000000 2>&1
echo "exit=$?"
