#!/usr/bin/env bash
# check_binfmt.sh - `vm binfmt`.
#
#   check_binfmt.sh print VM RISCV64_ELF     the registration line parses: its fields, its
#                                            magic and mask match a riscv64 ELF and not VM
#   check_binfmt.sh install VM RISCV64_ELF   install, run RISCV64_ELF directly, remove (root
#                                            with binfmt_misc writable, else skipped: exit 77)
#
# The install case never leaves an entry behind: a trap removes it whatever happens, and it
# does not touch a machine where any riscv64 entry (e.g. qemu's) is already registered.
set -u
mode=$1
vm=$(realpath "$2")
elf=$3
fail() {
    echo "FAIL: $*"
    exit 1
}
dir=/proc/sys/fs/binfmt_misc

# the first 20 bytes of a file as hex pairs, one per line
head20() { od -An -tx1 -v -N20 "$1" | tr -s ' \n' '\n\n' | sed '/^$/d'; }
# the \xNN escapes of a field as hex pairs, one per line
unescape() { echo "$1" | sed 's/\\x/\n/g' | sed '/^$/d'; }
# whether the file's first 20 bytes, masked, equal the magic
matches() {
    local f=$1 i
    local -a b m g
    mapfile -t b < <(head20 "$f")
    [ ${#b[@]} -eq 20 ] || return 1
    for i in $(seq 0 19); do
        [ $((0x${b[$i]} & 0x${mask_b[$i]})) -eq $((0x${magic_b[$i]} & 0x${mask_b[$i]})) ] || return 1
    done
    return 0
}

line=$("$vm" binfmt --print) || fail "vm binfmt --print failed"
IFS=: read -r empty name type offset magic mask interp flags extra <<<"$line"
[ -z "$empty" ] || fail "the line must start with ':' ($line)"
[ "$name" = vm-riscv64 ] || fail "name '$name'"
[ "$type" = M ] || fail "type '$type' (M: magic)"
[ -z "$offset" ] || fail "offset '$offset' (empty: 0)"
[ -z "${extra:-}" ] || fail "extra fields '$extra'"
mapfile -t magic_b < <(unescape "$magic")
mapfile -t mask_b < <(unescape "$mask")
[ ${#magic_b[@]} -eq 20 ] || fail "magic has ${#magic_b[@]} bytes, not 20"
[ ${#mask_b[@]} -eq 20 ] || fail "mask has ${#mask_b[@]} bytes, not 20"
[ "${magic_b[*]:0:4}" = "7f 45 4c 46" ] || fail "magic does not start with ELF's"
[ "${magic_b[4]}" = 02 ] && [ "${magic_b[5]}" = 01 ] || fail "magic is not 64-bit little-endian"
[ "${magic_b[18]}" = f3 ] && [ "${magic_b[19]}" = 00 ] || fail "magic's e_machine is not 243"
[ "$interp" = "$vm" ] || fail "interpreter '$interp', not $vm"
[ -x "$interp" ] || fail "interpreter $interp is not executable"
case $flags in *F*) ;; *) fail "flags '$flags' lack F" ;; esac
matches "$elf" || fail "magic/mask do not match the riscv64 ELF $elf"
matches "$vm" && fail "magic/mask match vm itself (a host ELF)"
if [ "$mode" = print ]; then
    echo "binfmt --print: fields, magic and mask as expected"
    exit 0
fi

[ "$(id -u)" -eq 0 ] || { echo "SKIPPED: not root"; exit 77; }
[ -w $dir/register ] || { echo "SKIPPED: binfmt_misc is not mounted writable at $dir"; exit 77; }
ls $dir | grep -q riscv64 && { echo "SKIPPED: a riscv64 entry is already registered: $(ls $dir | grep riscv64 | tr '\n' ' ')"; exit 77; }
trap '[ -e $dir/vm-riscv64 ] && echo -1 >$dir/vm-riscv64' EXIT
"$vm" binfmt --install || fail "vm binfmt --install failed"
[ -e $dir/vm-riscv64 ] || fail "no entry after --install"
"$vm" binfmt --install 2>/dev/null && fail "a second --install without --force succeeded"
"$vm" binfmt --install --force || fail "--install --force failed"
tmp=$(mktemp -d)
cp "$elf" "$tmp/prog" && chmod +x "$tmp/prog"
out=$("$tmp/prog" first second) || fail "running $elf directly failed"
rm -rf "$tmp"
echo "$out" | grep -q second || fail "the program's output lacks its argument: $out"
"$vm" binfmt --remove || fail "vm binfmt --remove failed"
[ -e $dir/vm-riscv64 ] && fail "the entry is still there after --remove"
echo "binfmt: installed, ran $elf directly, removed"
