#!/bin/bash
# ulimit.sh KIB COMMAND [ARGS...] - run COMMAND with its address space limited to KIB KiB
# (`ulimit -v`), as a user with a small limit would. Exits 77 (skipped) when the limit
# cannot be set.
kib=$1
shift
ulimit -v "$kib" || { echo "ulimit.sh: cannot set ulimit -v $kib" >&2; exit 77; }
exec "$@"
