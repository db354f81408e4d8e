/* memops_cal.h - private interface of the memops calibration (memops_cal.c): measuring a
 * plan, and the cache file that keeps it between runs. Exposed to the unit tests. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "mem/memops_impl.h"
#include "vm/memops.h"

/* Format version of the cache file; a file with another version is re-measured (2: eleven
 * size classes). */
#define MEM_CAL_FORMAT 2
/* Wall-time budget of one measurement, milliseconds (the plan says so when it ran out). The
 * work stops at this point, give or take one timed round or one 64 KiB buffer chunk; the
 * unmapping of the buffers follows, within the 50 ms. */
#define MEM_CAL_BUDGET_MS 42.0
/* A candidate replaces the default method of a class only when it is faster than the default
 * by this factor (an 8% win) both on its minimum time and in the median round (see
 * mem_cal_decide): wins inside the noise keep the default. */
#define MEM_CAL_MARGIN 0.92
/* Most rounds one class's candidates are timed in (mem_cal_decide's `rounds`). */
#define MEM_CAL_MAX_ROUNDS 16
/* Most candidates one class has (vm, rep, streaming, the C library). */
#define MEM_CAL_MAX_CAND 4

/* The identity a cache file must match: architecture, CPU model, signature, microcode, the
 * implementation, ERMS/FSRM, vm's version and the build flavour. */
void mem_cal_identity(char *buf, size_t cap, vm_memops_impl_t impl);
/* The cache file for identity id: $XDG_CACHE_HOME/vm/memops-<hash>.cal, else under
 * $HOME/.cache; -ENOENT when neither variable is set (buf is then ""). */
int mem_cal_path(char *buf, size_t cap, const char *id);
/* Write plan p for identity id as cache-file text into buf; returns its length, or -ENOSPC. */
int mem_cal_format(const vm_memops_plan_t *p, const char *id, char *buf, size_t cap);
/* Parse cache-file text: 0 and *p filled (src CACHE), -ESTALE when it was written for another
 * identity, -EINVAL for anything truncated, malformed or with a wrong checksum. */
int mem_cal_parse(const char *buf, size_t len, const char *id, vm_memops_plan_t *p);
/* Read and parse the file at path: mem_cal_parse's results, or -ENOENT / -EIO. */
int mem_cal_load(const char *path, const char *id, vm_memops_plan_t *p);
/* Write the file atomically (temporary file + rename), creating its directory; 0 or -errno. */
int mem_cal_save(const char *path, const vm_memops_plan_t *p, const char *id);
/* Measure a plan for impl with tuning t as the default, within budget_ms of wall time
 * (MEM_CAL_BUDGET_MS in use; the tests pass others): classes that did not fit keep the
 * default and the plan is marked partial. 0, or -ENOMEM without buffers. */
int mem_cal_measure(vm_memops_impl_t impl, const vm_memops_tuning_t *t, double budget_ms,
                    vm_memops_plan_t *p);
/* The decision for one class from interleaved timings: t[k][r] is candidate k's time per
 * call in round r (every round timed all nc candidates back to back), def the default's index
 * (-1: none among them), nc at most MEM_CAL_MAX_CAND. Returns the index chosen: the fastest
 * candidate by minimum over the rounds (near ties, within 2%, going to the earlier candidate) when
 * that minimum is at most margin times the default's minimum AND the median over rounds of its time
 * divided by the default's in the same round is at most margin too; else def. Noise only adds time,
 * so the minima estimate the undisturbed costs, and the paired median keeps one lucky round from
 * deciding. Pure: the unit tests feed it synthetic times. */
int mem_cal_decide(const double t[][MEM_CAL_MAX_ROUNDS], int nc, int rounds, int def,
                   double margin);
/* How much slower than another candidate a candidate's fastest round must be, against that
 * other's slowest round, to be timed no more (mem_cal_loser). */
#define MEM_CAL_LOSER 1.5
/* True when candidate k (of nc, timed over `rounds` rounds in t as for mem_cal_decide) is out
 * of the race: at least two rounds, k is not keep (the default, never dropped), and even k's
 * fastest round took MEM_CAL_LOSER times the slowest round of another candidate. Noise only
 * adds time, so that other one is surely faster by far more than the 8% k would need to win.
 * Calibration stops timing such a candidate; pure, for the unit tests. */
bool mem_cal_loser(const double t[][MEM_CAL_MAX_ROUNDS], int nc, int rounds, int k, int keep);
/* The method the thresholds of t choose for row op at size n (what "default" means). */
vm_memops_method_t mem_cal_default_method(const vm_memops_tuning_t *t, int op, size_t n);
