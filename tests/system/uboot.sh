#!/bin/sh
# uboot.sh VM UBOOT - boot OpenSBI + U-Boot on the virt machine and drive its console as a
# person would: a key at "Hit any key", `version` at the prompt, then `poweroff`. Each line
# is sent only once the console shows what it answers, so the test does not depend on how
# fast the guest runs. Prints the console and "exit=STATUS".
vm=$1 uboot=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkfifo "$dir/in"
: >"$dir/out"
# wait_for TEXT: until the console shows TEXT (at most about 150 s)
wait_for() {
    n=0
    while ! grep -q "$1" "$dir/out"; do
        n=$((n + 1))
        [ $n -gt 1500 ] && return 1
        sleep 0.1
    done
}
{
    wait_for 'Hit any key' && printf '\n' &&
        wait_for '=> ' && printf 'version\n' &&
        wait_for 'GNU ld' && printf 'poweroff\n'
    sleep 30 # keep the console open until the machine is off
} >"$dir/in" &
writer=$!
"$vm" run --machine=virt -kernel "$uboot" --max-insns=8000000000 <"$dir/in" >"$dir/out" 2>&1
st=$?
kill $writer 2>/dev/null
cat "$dir/out"
echo "exit=$st"
