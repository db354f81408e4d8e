# system.mk - whole-system targets of the virt machine.
#
#   make boot        Debian's riscv64 kernel and a busybox shell on the virt machine (the
#                    kernel and busybox are fetched from Debian's archive and cached)
#   make boot-test   the same boot with a scripted /init under each engine: the guest's output
#                    is checked and its poweroff must exit 0 (skipped when the archive cannot
#                    be reached); then, under each engine, scripts/boot-virtio.sh: virtio-blk
#                    drives (read-write, readonly=on, snapshot=on) and virtio-rng, the image
#                    files checked on the host; and scripts/boot-net.sh: virtio-net on
#                    user-mode networking, a file fetched from a host HTTP server on 127.0.0.1
#                    and served back through a forwarded port (skipped when vm was built
#                    without libslirp); and scripts/boot-console.sh: virtio-console, a line
#                    written to /dev/hvc0 and one read from it that the host feeds on stdin;
#                    and scripts/boot-smp.sh with -smp 2 and 4: nproc and /proc/cpuinfo see
#                    every hart, and tests/guest/smp_stress.c's threads hammer LR/SC, AMOs
#                    and futexes across them; then -smp 2 with --deterministic booted twice:
#                    the same console output and instructions on every hart; and
#                    scripts/boot-datasafe.sh: vm killed with SIGKILL during heavy guest writes
#                    (the ext4 image then needs only its journal replayed and every file synced
#                    before the kill is intact), a read-only image, a full host disk (prlimit
#                    --fsize): the guest gets I/O errors, vm says so once and keeps running;
#                    .ci/run calls it after `make test`
#   make boot-lockstep  Debian's kernel and the busybox initramfs of boot-smp.sh with -smp 1
#                    and -smp 2 under --engine=lockstep: the JIT's machine against the
#                    interpreter's, compared at every block they share, from the boot ROM to
#                    the guest's poweroff, every block translated at once (VM_JIT_THRESHOLD=1)
#                    so that cold code is checked too (about 2 and 3 min of CPU; 1500 s
#                    allowed each on a loaded host); .ci/run calls it after `make boot-test`
#   make debian-image  a Debian sid riscv64 root file system (ext4 image) built from Debian's
#                    packages without root on the host and configured inside vm; cached
#                    under ~/.cache/vm/debian until its inputs change (scripts/debian-image.sh)
#   make debian      boot that Debian system on vm to a login prompt on the terminal (root,
#                    password root): one command from a fresh clone
#   make test-system the Debian boot as a scripted test under each engine
#                    (scripts/boot-debian.sh --test): login
#                    prompt, root login on the console, systemctl is-system-running,
#                    apt-get --version, a file written and synced, poweroff, the file and
#                    e2fsck -fn checked on the host; .ci/run calls it after `make boot-test`
.PHONY: boot boot-test boot-lockstep debian-image debian test-system

boot: deps build
	scripts/boot-linux.sh $(BUILD)/vm

boot-test: build
	@for e in jit interp; do \
	    echo "boot-test: engine $$e"; \
	    scripts/boot-linux.sh --test $(BUILD)/vm --engine=$$e; st=$$?; \
	    if [ $$st -eq 2 ]; then echo "boot-test: skipped (no network)"; exit 0; fi; \
	    [ $$st -eq 0 ] || exit 1; \
	    echo "boot-test: virtio, engine $$e"; \
	    scripts/boot-virtio.sh $(BUILD)/vm --engine=$$e; st=$$?; \
	    if [ $$st -eq 2 ]; then echo "boot-test: skipped (no network)"; exit 0; fi; \
	    [ $$st -eq 0 ] || exit 1; \
	    echo "boot-test: virtio-net, engine $$e"; \
	    scripts/boot-net.sh $(BUILD)/vm --engine=$$e; st=$$?; \
	    if [ $$st -eq 2 ]; then echo "boot-test: skipped (no network)"; exit 0; fi; \
	    if [ $$st -eq 77 ]; then echo "boot-test: virtio-net skipped (no libslirp)"; \
	    elif [ $$st -ne 0 ]; then exit 1; fi; \
	    echo "boot-test: virtio-console, engine $$e"; \
	    scripts/boot-console.sh $(BUILD)/vm --engine=$$e; st=$$?; \
	    if [ $$st -eq 2 ]; then echo "boot-test: skipped (no network)"; exit 0; fi; \
	    [ $$st -eq 0 ] || exit 1; \
	    for n in 2 4; do \
	        echo "boot-test: -smp $$n, engine $$e"; \
	        stress=$(BUILD)/tests/guest/smp_stress-static; \
	        if [ -x $$stress ]; then set -- --stress $$stress; else set --; \
	            echo "boot-test: no $$stress (riscv64 cross compiler): nproc only"; fi; \
	        scripts/boot-smp.sh -n $$n "$$@" $(BUILD)/vm --engine=$$e; st=$$?; \
	        if [ $$st -eq 2 ]; then echo "boot-test: skipped (no network)"; exit 0; fi; \
	        [ $$st -eq 0 ] || exit 1; \
	    done; \
	    echo "boot-test: -smp 2 deterministic, twice, engine $$e"; \
	    scripts/boot-smp.sh -n 2 --repeat $(BUILD)/vm --engine=$$e --deterministic; st=$$?; \
	    if [ $$st -eq 2 ]; then echo "boot-test: skipped (no network)"; exit 0; fi; \
	    [ $$st -eq 0 ] || exit 1; \
	    echo "boot-test: data safety (kill -9, read-only image, full host disk), engine $$e"; \
	    scripts/boot-datasafe.sh $(BUILD)/vm --engine=$$e; st=$$?; \
	    if [ $$st -eq 2 ]; then echo "boot-test: skipped (no network)"; exit 0; fi; \
	    if [ $$st -eq 77 ]; then echo "boot-test: data safety skipped (a host tool missing)"; \
	    elif [ $$st -ne 0 ]; then exit 1; fi; \
	done

boot-lockstep: build
	@for n in 1 2; do \
	    echo "boot-lockstep: -smp $$n"; \
	    VM_JIT_THRESHOLD=1 scripts/boot-smp.sh -n $$n --timeout 1500 $(BUILD)/vm \
	        --engine=lockstep; st=$$?; \
	    if [ $$st -eq 2 ]; then echo "boot-lockstep: skipped (no network)"; exit 0; fi; \
	    [ $$st -eq 0 ] || exit 1; \
	done

debian-image: deps build
	scripts/debian-image.sh $(BUILD)/vm

debian: deps build
	scripts/boot-debian.sh $(BUILD)/vm

test-system: build
	@for e in jit interp; do \
	    echo "test-system: Debian boot, engine $$e"; \
	    scripts/boot-debian.sh --test $(BUILD)/vm --engine=$$e; st=$$?; \
	    if [ $$st -eq 2 ]; then echo "test-system: skipped (no network)"; exit 0; fi; \
	    [ $$st -eq 0 ] || exit 1; \
	done
