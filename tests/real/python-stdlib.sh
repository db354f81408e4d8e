#!/usr/bin/env bash
# python-stdlib.sh - Debian's riscv64 python3 running its own regression tests
# (`python3 -m test MODULE`, package libpython3.X-testsuite) under vm, one module at a time,
# and a summary line per module: status, wall time, the runner's "Total tests" line.
#
#   tests/real/python-stdlib.sh [VM [MODULE...]]    (make python-stdlib)
#
# Without modules it runs the documented list below (docs/real-programs.md gives the
# results and the reason for each module left out). Each module has PY_TEST_TIMEOUT seconds
# (default 1200); logs go to $PY_TEST_LOGS (default: a fresh temporary folder, printed);
# PY_ENGINE picks vm's engine (`--engine=jit` or `interp`; default vm's own choice).
# Exit status: 0 every module passed, 1 some failed, 77 the archive cannot be reached.
#
# Not in the list, on purpose: test_time, which steps the real-time clock back an hour and
# forward again when run as root (vm passes clock_settime to the host, as Linux would), and
# the modules that need a terminal or the network (-u resources are not enabled).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
vm=${1:-$here/../../build/vm}
shift || true
# absolute: each module runs in the logs folder (make passes build/vm)
case $vm in /*) ;; *) vm=$PWD/$vm ;; esac
modules=("$@")
if [ ${#modules[@]} -eq 0 ]; then
    modules=(test_bz2 test_signal test_os test_threading test_subprocess test_zlib test_gzip
             test_lzma test_json test_re test_math test_struct test_collections test_itertools
             test_functools test_hashlib test_tempfile test_glob test_select test_csv
             test_sqlite3 test_base64 test_binascii test_fcntl test_mmap test_stat test_random
             test_posix test_shutil test_pathlib test_socket)
fi
fetch() {
    "$here/../../scripts/fetch-riscv64.sh" "$@" 2>/dev/null
    case $? in
    0) ;;
    2)
        echo "SKIPPED: Debian's archive cannot be reached"
        exit 77
        ;;
    *)
        echo "FAIL: cannot fetch $*"
        exit 1
        ;;
    esac
}
sysroot=$(fetch python3)
# the test suite of the python3.X that python3 points to (there is no versionless package)
py=$(basename "$(readlink -f "$sysroot/usr/bin/python3")")
case $py in
python3.[0-9]*) ;;
*)
    echo "FAIL: python3 in the sysroot is not a python3.X ($py)"
    exit 1
    ;;
esac
fetch "lib$py-testsuite" >/dev/null
# /bin/sh (os.popen, subprocess with shell=True, os.execve of /bin/sh): Debian's is dash, an
# Essential package that python3's dependency closure does not pull in; test_shutil runs
# tar, zip and unzip when it finds them (else a name missing from the sysroot resolves to the
# host's x86-64 program, which execve refuses with ENOEXEC)
fetch dash tar zip unzip >/dev/null
logs=${PY_TEST_LOGS:-$(mktemp -d)}
mkdir -p "$logs"
engine=(); [ -z "${PY_ENGINE:-}" ] || engine=(--engine="$PY_ENGINE")
echo "python-stdlib: $py, engine ${PY_ENGINE:-default}, logs in $logs"
failed=0
for m in "${modules[@]}"; do
    # single test cases left out, each for a reason that holds under Linux as well
    skip=()
    case $m in
    # as root it renames the host; vm does not implement sethostname (ENOSYS) rather
    # than let a guest rename the host, where Linux and qemu-riscv64 do rename it
    test_socket) skip=(-i test_sethostname) ;;
    esac
    start=$(date +%s)
    (cd "$logs" && timeout "${PY_TEST_TIMEOUT:-1200}" "$vm" run "${engine[@]}" -L "$sysroot" \
        "$sysroot/usr/bin/$py" -m test "${skip[@]}" "$m" >"$logs/$m.log" 2>&1)
    rc=$?
    took=$(($(date +%s) - start))
    total=$(grep -E '^Total tests:' "$logs/$m.log" | tail -1)
    if [ $rc -eq 0 ]; then
        echo "ok    $m (${took}s) $total"
    else
        failed=$((failed + 1))
        echo "FAIL  $m (status $rc, ${took}s) $total"
    fi
done
echo "python-stdlib: ${#modules[@]} modules, $failed failed (engine ${PY_ENGINE:-default})"
[ $failed -eq 0 ]
