#!/bin/sh
# uboot_session.sh VM UBOOT COMMAND... [-- VM-OPTIONS...] - boot OpenSBI + U-Boot on the virt
# machine and drive its console as a person would: a key at "Hit any key", then each COMMAND
# once the console shows the prompt again, then `poweroff`. Waiting for the prompt, not for a
# time, keeps the test independent of how fast the guest runs. VM-OPTIONS go to `vm run`
# (drives, network cards). Prints the console and "exit=STATUS".
vm=$1 uboot=$2
shift 2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# the commands, one per line, then poweroff; "$@" keeps only the vm options
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    printf '%s\n' "$1" >>"$dir/commands"
    shift
done
[ $# -gt 0 ] && shift
echo poweroff >>"$dir/commands"
mkfifo "$dir/in"
: >"$dir/out"
# wait_for N: until the console has shown the prompt N times (at most about 150 s)
wait_for() {
    n=0
    while [ "$(grep -o '=> ' "$dir/out" | wc -l)" -lt "$1" ]; do
        n=$((n + 1))
        [ $n -gt 1500 ] && return 1
        sleep 0.1
    done
}
{
    n=0
    while ! grep -q 'Hit any key' "$dir/out"; do
        n=$((n + 1))
        [ $n -gt 1500 ] && break
        sleep 0.1
    done
    printf '\n'
    prompts=1
    while IFS= read -r cmd; do
        wait_for $prompts || break
        printf '%s\n' "$cmd"
        prompts=$((prompts + 1))
    done <"$dir/commands"
    sleep 30 # keep the console open until the machine is off
} >"$dir/in" &
writer=$!
"$vm" run --machine=virt -kernel "$uboot" --max-insns=8000000000 "$@" <"$dir/in" >"$dir/out" 2>&1
st=$?
kill $writer 2>/dev/null
cat "$dir/out"
echo "exit=$st"
