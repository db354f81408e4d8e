/* common.cc - vm-bench's shared state: options, failure count and the buffer arena.
 *
 * The arena holds two big buffers allocated once with mmap (so the C library's allocator and
 * its thresholds play no part), advised for transparent huge pages and written in full
 * before any measurement, so no benchmark pays for page faults and all of them see the same
 * memory. Every size group slices these two buffers.
 */
#include "bench.h"

#include <sys/mman.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace vmb {

static options g_opts;
static int g_failures;
static uint8_t *g_buffers[2];

const options &opts() {
    return g_opts;
}

void set_opts(const options &o) {
    g_opts = o;
}

void note_failure(const std::string &what) {
    std::fprintf(stderr, "vm-bench: WRONG RESULT: %s\n", what.c_str());
    g_failures++;
}

int failures() {
    return g_failures;
}

uint8_t *buffer(int which) {
    uint8_t *&b = g_buffers[which & 1];
    if (b) return b;
    const size_t len = kMaxBuffer + kBufferSlack;
    void *p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        std::perror("vm-bench: mmap of the benchmark buffers");
        std::exit(2);
    }
#ifdef MADV_HUGEPAGE
    (void)madvise(p, len, MADV_HUGEPAGE); /* fewer TLB misses; failure is harmless */
#endif
    b = static_cast<uint8_t *>(p);
    if (which == 0)
        refill_pattern(len);
    else
        std::memset(b, 0xee, len);
    return b;
}

void refill_pattern(size_t n) {
    uint8_t *b = buffer(0);
    /* The pattern repeats every 256 bytes: write one period, then double what is done. */
    size_t done = n < 256 ? n : 256;
    for (size_t i = 0; i < done; i++)
        b[i] = pattern_byte(i);
    while (done < n) {
        size_t len = done < n - done ? done : n - done;
        std::memcpy(b + done, b, len);
        done += len;
    }
}

benchmark::internal::Benchmark *add(const std::string &name,
                                    std::function<void(benchmark::State &)> fn) {
    auto *b = benchmark::RegisterBenchmark(name.c_str(), fn);
    if (g_opts.smoke) b->Iterations(1)->Repetitions(1);
    return b;
}

std::string human_size(size_t n) {
    char s[32];
    if (n >= (size_t(1) << 20) && n % (size_t(1) << 20) == 0)
        std::snprintf(s, sizeof s, "%zu MiB", n >> 20);
    else if (n >= 1024 && n % 1024 == 0)
        std::snprintf(s, sizeof s, "%zu KiB", n >> 10);
    else
        std::snprintf(s, sizeof s, "%zu B", n);
    return s;
}

} // namespace vmb
