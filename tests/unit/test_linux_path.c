/* test_linux_path.c - the pure parts of the guest path resolver (src/linux/path.c): lexical
 * canonicalisation, the names of this process's /proc and what each entry is, the host-only
 * trees and the guest view of a host path under the sysroot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "linux/abi.h"
#include "linux/path.h"

/* threads 100 (main, the pid), 101 and 102; 200 is another process */
static bool own_tid(void *opaque, long id) {
    (void)opaque;
    return id == 101 || id == 102;
}
static const linux_path_ctx_t ctx = {.pid = 100, .tid = 101, .is_own_tid = own_tid};

static void test_canon(void **state) {
    (void)state;
    static const char *const cases[][2] = {
        {"/", "/"},
        {"//", "/"},
        {"/a//b/", "/a/b"},
        {"/a/./b/.", "/a/b"},
        {"/a/b/../c", "/a/c"},
        {"/..", "/"},
        {"/../../x", "/x"},
        {"/a/..", "/"},
        {"/a/...", "/a/..."},
        {"/proc/self/./maps", "/proc/self/maps"},
        {"//proc//self//maps", "/proc/self/maps"},
    };
    char out[64];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(linux_path_canon(cases[i][0], out, sizeof(out)), 0);
        assert_string_equal(out, cases[i][1]);
    }
    assert_int_equal(linux_path_canon("relative", out, sizeof(out)), -LINUX_EINVAL);
    assert_int_equal(linux_path_canon("/abcdef", out, 4), -LINUX_ENAMETOOLONG);
}

/* kind and canonical host name of a guest path */
static void expect(const char *in, int kind, const char *name) {
    char out[256];
    int fd = -1;
    int k = linux_path_proc(&ctx, in, out, sizeof(out), &fd);
    if (k != kind) fail_msg("%s: kind %d, expected %d", in, k, kind);
    if (name && strcmp(out, name)) fail_msg("%s: %s, expected %s", in, out, name);
}

static void test_proc_aliases(void **state) {
    (void)state;
    expect("/proc/self/maps", LINUX_PROC_MAPS, "/proc/100/maps");
    expect("/proc/thread-self/maps", LINUX_PROC_MAPS, "/proc/100/task/101/maps");
    expect("/proc/self/./maps", LINUX_PROC_MAPS, "/proc/100/maps");
    expect("//proc/self/maps", LINUX_PROC_MAPS, "/proc/100/maps");
    expect("/proc/100/maps", LINUX_PROC_MAPS, "/proc/100/maps");
    expect("/proc/102/maps", LINUX_PROC_MAPS, "/proc/100/task/102/maps");
    expect("/proc/100/task/102/smaps", LINUX_PROC_SMAPS, "/proc/100/task/102/smaps");
    expect("/proc/self/task/101/maps", LINUX_PROC_MAPS, "/proc/100/task/101/maps");
    expect("/proc/self/fd/../maps", LINUX_PROC_MAPS, "/proc/100/maps");
    expect("/proc/self/root/proc/self/maps", LINUX_PROC_MAPS, "/proc/100/maps");
    expect("/proc/self/root/proc/thread-self/root/proc/self/exe", LINUX_PROC_EXE, NULL);
    expect("/proc/self/root/etc/passwd", LINUX_PROC_NONE, "/etc/passwd");
    expect("/proc/self/root", LINUX_PROC_NONE, "/");
    expect("/proc/200/maps", LINUX_PROC_NONE, "/proc/200/maps"); /* another process */
    expect("/proc/100/task/200/maps", LINUX_PROC_OTHER, NULL);   /* not a thread of ours */
    expect("/proc/cpuinfo", LINUX_PROC_NONE, "/proc/cpuinfo");
    expect("/proc/self", LINUX_PROC_OTHER, "/proc/100");
    expect("/proc/self/status", LINUX_PROC_OTHER, "/proc/100/status");
}

static void test_proc_entries(void **state) {
    (void)state;
    static const char *const refused[] = {
        "mem", "pagemap", "map_files", "map_files/1000-2000", "numa_maps", "smaps_rollup"};
    char p[128];
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        snprintf(p, sizeof(p), "/proc/thread-self/%s", refused[i]);
        expect(p, LINUX_PROC_REFUSED, NULL);
        snprintf(p, sizeof(p), "/proc/self/./%s", refused[i]);
        expect(p, LINUX_PROC_REFUSED, NULL);
    }
    expect("/proc/self/exe", LINUX_PROC_EXE, NULL);
    expect("/proc/self/cmdline", LINUX_PROC_CMDLINE, NULL);
    expect("/proc/self/auxv", LINUX_PROC_AUXV, NULL);
    expect("/proc/self/environ", LINUX_PROC_ENVIRON, NULL);
    expect("/proc/self/cwd", LINUX_PROC_CWD, NULL);
    expect("/proc/self/fd", LINUX_PROC_FDDIR, "/proc/100/fd");
    expect("/proc/self/fdinfo", LINUX_PROC_FDDIR, NULL);
    expect("/proc/self/fd/x", LINUX_PROC_OTHER, NULL);
    char out[64];
    int fd = -1;
    assert_int_equal(linux_path_proc(&ctx, "/dev/fd/7", out, sizeof(out), &fd), LINUX_PROC_FD);
    assert_int_equal(fd, 7);
    assert_string_equal(out, "/proc/100/fd/7");
    assert_int_equal(linux_path_proc(&ctx, "/dev/stderr", out, sizeof(out), &fd), LINUX_PROC_FD);
    assert_int_equal(fd, 2);
    assert_int_equal(linux_path_proc(&ctx, "/proc/self/fdinfo/12", out, sizeof(out), &fd),
                     LINUX_PROC_FD);
    assert_int_equal(fd, 12);
    expect("/dev/null", LINUX_PROC_NONE, "/dev/null");
    expect("/dev/fdx", LINUX_PROC_NONE, "/dev/fdx");
}

static void test_loops_and_lengths(void **state) {
    (void)state;
    char in[512] = "", out[1024];
    for (int i = 0; i < 12; i++)
        strcat(in, "/proc/self/root");
    strcat(in, "/proc/self/maps");
    assert_int_equal(linux_path_proc(&ctx, in, out, sizeof(out), NULL), -LINUX_ELOOP);
    assert_int_equal(linux_path_proc(&ctx, "/proc/self/maps", out, 8, NULL), -LINUX_ENAMETOOLONG);
}

static void test_host_only_and_view(void **state) {
    (void)state;
    assert_true(linux_path_host_only("/"));
    assert_true(linux_path_host_only("/tmp"));
    assert_true(linux_path_host_only("/tmp/x"));
    assert_true(linux_path_host_only("/dev/null"));
    assert_true(linux_path_host_only("/sys/kernel"));
    assert_true(linux_path_host_only("/proc/cpuinfo"));
    assert_false(linux_path_host_only("/tmpx"));
    assert_false(linux_path_host_only("/usr/bin/bash"));
    char out[64];
    assert_int_equal(linux_path_guest_view("/r/root", "/r/root/usr/bin/seq", out, sizeof(out)), 0);
    assert_string_equal(out, "/usr/bin/seq");
    assert_int_equal(linux_path_guest_view("/r/root/", "/r/root", out, sizeof(out)), 0);
    assert_string_equal(out, "/");
    assert_int_equal(linux_path_guest_view("/r/root", "/r/rootx/a", out, sizeof(out)), 0);
    assert_string_equal(out, "/r/rootx/a");
    assert_int_equal(linux_path_guest_view(NULL, "/a", out, sizeof(out)), 0);
    assert_string_equal(out, "/a");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canon),
        cmocka_unit_test(test_proc_aliases),
        cmocka_unit_test(test_proc_entries),
        cmocka_unit_test(test_loops_and_lengths),
        cmocka_unit_test(test_host_only_and_view),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
