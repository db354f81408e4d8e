/* test_memops_cal.c - the memops calibration: size classes, the cache file (missing,
 * truncated at every length, written for another CPU, garbage, checksum), measuring a plan
 * into a fresh cache directory, an unwritable cache directory, and VM_MEMOPS_FORCE.
 * Timing is never asserted: only that a plan is produced, valid, cached and applied. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "mem/memops_cal.h"
#include "vm/memops.h"

static char tmpdir[64];

static int setup(void **state) {
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/vm-cal-test-XXXXXX");
    if (!mkdtemp(tmpdir)) return -1;
    setenv("XDG_CACHE_HOME", tmpdir, 1); /* before the first memops call of the process */
    unsetenv("VM_MEMOPS_FORCE");
    unsetenv("VM_MEMOPS_CALIBRATE");
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static vm_memops_plan_t sample_plan(void) {
    vm_memops_plan_t p;
    memset(&p, 0, sizeof p);
    p.impl = VM_MEMOPS_SCALAR;
    for (int c = 0; c < VM_MEMOPS_CLASSES; c++) {
        p.method[VM_MEMOPS_OP_COPY][c] = (unsigned char)(c % VM_MEMOPS_M_COUNT);
        p.method[VM_MEMOPS_OP_SET][c] = (unsigned char)((c + 1) % VM_MEMOPS_M_COUNT);
        p.method[VM_MEMOPS_OP_MOVE][c] = c & 1 ? VM_MEMOPS_M_LIBC : VM_MEMOPS_M_VM;
    }
    p.ms = 12.5;
    p.partial = true;
    return p;
}

static void size_classes(void **state) {
    (void)state;
    for (int c = 0; c < VM_MEMOPS_CLASSES; c++) {
        size_t lo = vm_memops_class_min(c);
        assert_int_equal(mem_memops_class(lo), (unsigned)c);
        if (lo) assert_int_equal(mem_memops_class(lo - 1), (unsigned)c - 1);
        assert_int_equal(mem_memops_class(vm_memops_class_size(c)), (unsigned)c);
    }
    assert_int_equal(mem_memops_class(0), 0);
    assert_int_equal(mem_memops_class(SIZE_MAX), VM_MEMOPS_CLASSES - 1);
    assert_string_equal(vm_memops_method_name(VM_MEMOPS_M_LIBC), "libc");
}

static void format_parse_roundtrip(void **state) {
    (void)state;
    vm_memops_plan_t p = sample_plan(), q;
    char buf[2048];
    int len = mem_cal_format(&p, "cpu-a", buf, sizeof buf);
    assert_true(len > 0);
    assert_int_equal(mem_cal_parse(buf, (size_t)len, "cpu-a", &q), 0);
    assert_memory_equal(q.method, p.method, sizeof p.method);
    assert_true(q.partial);
    assert_int_equal(q.src, VM_MEMOPS_PLAN_CACHE);
    assert_true(q.ms > 12.4 && q.ms < 12.6);
    assert_int_equal(mem_cal_format(&p, "cpu-a", buf, 40), -ENOSPC);
}

static void truncated_at_every_length(void **state) {
    (void)state;
    vm_memops_plan_t p = sample_plan(), q;
    char buf[2048];
    int len = mem_cal_format(&p, "cpu-a", buf, sizeof buf);
    for (int n = 0; n < len; n++)
        assert_int_equal(mem_cal_parse(buf, (size_t)n, "cpu-a", &q), -EINVAL);
}

static void other_cpu_is_stale(void **state) {
    (void)state;
    vm_memops_plan_t p = sample_plan(), q;
    char buf[2048];
    int len = mem_cal_format(&p, "x86_64;CPU A;sig=00a10f11;ucode=0x1", buf, sizeof buf);
    assert_int_equal(mem_cal_parse(buf, (size_t)len, "x86_64;CPU A;sig=00a10f11;ucode=0x2", &q),
                     -ESTALE);
    assert_int_equal(mem_cal_parse(buf, (size_t)len, "x86_64;CPU B;sig=00a10f11;ucode=0x1", &q),
                     -ESTALE);
    /* The live identity names the CPU model, microcode and implementation. */
    char id[384];
    mem_cal_identity(id, sizeof id, VM_MEMOPS_SCALAR);
    assert_non_null(strstr(id, "ucode="));
    assert_non_null(strstr(id, "impl=scalar"));
}

static void garbage_is_rejected(void **state) {
    (void)state;
    vm_memops_plan_t p = sample_plan(), q;
    char buf[2048];
    int len = mem_cal_format(&p, "cpu-a", buf, sizeof buf);
    /* Any single changed byte: a parse error or a checksum mismatch, never a plan. */
    for (int i = 0; i < len; i++) {
        char save = buf[i];
        buf[i] = (char)(save ^ 0x20);
        assert_int_not_equal(mem_cal_parse(buf, (size_t)len, "cpu-a", &q), 0);
        buf[i] = save;
    }
    char junk[512];
    unsigned x = 12345;
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < sizeof junk; i++) {
            x = x * 1103515245u + 12345u;
            junk[i] = (char)(x >> 16);
        }
        assert_int_equal(mem_cal_parse(junk, sizeof junk, "cpu-a", &q), -EINVAL);
    }
    assert_int_equal(mem_cal_parse("", 0, "cpu-a", &q), -EINVAL);
    /* Trailing bytes after the checksum line. */
    buf[len] = 'x';
    assert_int_equal(mem_cal_parse(buf, (size_t)len + 1, "cpu-a", &q), -EINVAL);
}

static void file_missing_and_saved(void **state) {
    (void)state;
    char path[512];
    vm_memops_plan_t p = sample_plan(), q;
    snprintf(path, sizeof path, "%s/sub/dir/plan.cal", tmpdir);
    assert_int_equal(mem_cal_load(path, "cpu-a", &q), -ENOENT);
    assert_int_equal(mem_cal_save(path, &p, "cpu-a"), 0);
    assert_int_equal(mem_cal_load(path, "cpu-a", &q), 0);
    assert_memory_equal(q.method, p.method, sizeof p.method);
    assert_int_equal(mem_cal_load(path, "cpu-b", &q), -ESTALE);
    /* Truncate the file on disk: rejected. */
    assert_int_equal(truncate(path, 30), 0);
    assert_int_equal(mem_cal_load(path, "cpu-a", &q), -EINVAL);
    /* A directory where the file should be, and a file where a directory should be. */
    snprintf(path, sizeof path, "%s/sub", tmpdir);
    assert_int_not_equal(mem_cal_load(path, "cpu-a", &q), 0);
    char blocked[600];
    snprintf(blocked, sizeof blocked, "%s/sub/dir/plan.cal/x.cal", tmpdir);
    assert_int_not_equal(mem_cal_save(blocked, &p, "cpu-a"), 0);
}

static void calibrate_writes_and_applies(void **state) {
    (void)state;
    assert_int_equal(vm_memops_calibrate(VM_MEMOPS_CAL_IF_NEEDED), 0);
    vm_memops_plan_t p = vm_memops_plan();
    assert_true(p.src == VM_MEMOPS_PLAN_MEASURED || p.src == VM_MEMOPS_PLAN_CACHE);
    assert_true(p.in_force);
    assert_int_equal(p.impl, vm_memops_active());
    assert_true(strncmp(p.path, tmpdir, strlen(tmpdir)) == 0);
    char id[384];
    vm_memops_plan_t q;
    mem_cal_identity(id, sizeof id, p.impl);
    assert_int_equal(mem_cal_load(p.path, id, &q), 0);
    assert_memory_equal(q.method, p.method, sizeof p.method);
    for (int c = 0; c < VM_MEMOPS_CLASSES; c++) {
        unsigned m = p.method[VM_MEMOPS_OP_MOVE][c];
        assert_true(m == VM_MEMOPS_M_VM || m == VM_MEMOPS_M_LIBC);
    }
    /* Whatever was chosen, the operations stay correct across every class. */
    static unsigned char a[3 << 20], b[3 << 20];
    for (int c = 0; c < VM_MEMOPS_CLASSES; c++) {
        size_t n = vm_memops_class_min(c) + 77;
        for (size_t i = 0; i < n; i++)
            a[i] = (unsigned char)(i * 7 + c);
        vm_memcpy(b, a, n);
        assert_memory_equal(a, b, n);
        vm_memset(b, c, n);
        assert_int_equal(b[n - 1], c);
        assert_int_equal(b[0], c);
    }
    /* A second IF_NEEDED call measures nothing more; FORCE measures again. */
    assert_int_equal(vm_memops_calibrate(VM_MEMOPS_CAL_IF_NEEDED), 0);
    assert_int_equal(vm_memops_calibrate(VM_MEMOPS_CAL_FORCE), 0);
    assert_int_equal(vm_memops_plan().src, VM_MEMOPS_PLAN_MEASURED);
    /* Caller thresholds take the plan out of force; reset puts it back. */
    vm_memops_tuning_t t = vm_memops_tuning();
    vm_memops_set_tuning(&t);
    assert_false(vm_memops_plan().in_force);
    vm_memops_reset_tuning();
    assert_true(vm_memops_plan().in_force);
}

static void unwritable_cache_dir_is_fine(void **state) {
    (void)state;
    setenv("XDG_CACHE_HOME", "/proc/vm-no-such-dir", 1);
    assert_int_equal(vm_memops_calibrate(VM_MEMOPS_CAL_FORCE), 0);
    assert_int_equal(vm_memops_plan().src, VM_MEMOPS_PLAN_MEASURED);
    setenv("XDG_CACHE_HOME", tmpdir, 1);
}

static void force_from_environment(void **state) {
    (void)state;
    const char *why = NULL;
    for (int m = 0; m < VM_MEMOPS_M_COUNT; m++) {
        setenv("VM_MEMOPS_FORCE", vm_memops_method_name((vm_memops_method_t)m), 1);
        assert_int_equal(vm_memops_init_from_env(&why), 0);
        vm_memops_plan_t p = vm_memops_plan();
        assert_int_equal(p.src, VM_MEMOPS_PLAN_FORCED);
        assert_int_equal(p.method[VM_MEMOPS_OP_COPY][3], m);
        static unsigned char a[70000], b[70000];
        for (size_t i = 0; i < sizeof a; i++)
            a[i] = (unsigned char)(i * 13 + m);
        vm_memcpy(b, a, sizeof a);
        assert_memory_equal(a, b, sizeof a);
        vm_memmove(a + 100, a, 60000);
        assert_memory_equal(a + 100, b, 60000);
    }
    setenv("VM_MEMOPS_FORCE", "sideways", 1);
    assert_int_equal(vm_memops_init_from_env(&why), -EINVAL);
    assert_non_null(strstr(why, "VM_MEMOPS_FORCE=sideways"));
    unsetenv("VM_MEMOPS_FORCE");
    assert_int_equal(vm_memops_init_from_env(&why), 0);
    assert_true(vm_memops_plan().src != VM_MEMOPS_PLAN_FORCED);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(size_classes),
        cmocka_unit_test(format_parse_roundtrip),
        cmocka_unit_test(truncated_at_every_length),
        cmocka_unit_test(other_cpu_is_stale),
        cmocka_unit_test(garbage_is_rejected),
        cmocka_unit_test(file_missing_and_saved),
        cmocka_unit_test(calibrate_writes_and_applies),
        cmocka_unit_test(unwritable_cache_dir_is_fine),
        cmocka_unit_test(force_from_environment),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
