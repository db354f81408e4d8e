# python.mk - Debian's riscv64 python3 running its own standard-library tests under vm.
#
#   make python-stdlib   tests/real/python-stdlib.sh: `python3 -m test MODULE` for the
#                        documented module list (docs/real-programs.md), one module at a time,
#                        a line per module; PY_MODULES="test_os test_re" picks others,
#                        PY_ENGINE=interp the interpreter. About 7 minutes on a quiet host
#                        (Intel Xeon, 2026-12-03; half an hour on a loaded one).
#   make test-python     what CI runs after `make test`: the whole list under the default
#                        engine (the JIT), then the five modules the user-mode issue names
#                        under the interpreter (about 4 minutes more); a run that cannot reach
#                        Debian's archive is skipped with a message, not failed

PY_MODULES ?=
PY_ENGINE ?=
PY_INTERP_MODULES ?= test_bz2 test_signal test_os test_threading test_subprocess

.PHONY: python-stdlib test-python

python-stdlib: build
	PY_ENGINE=$(PY_ENGINE) tests/real/python-stdlib.sh $(BUILD)/vm $(PY_MODULES)

# the script exits 77 when the archive cannot be reached (it says so): a skip
test-python: build
	@st=0; tests/real/python-stdlib.sh $(BUILD)/vm || st=$$?; \
	    [ $$st -eq 0 ] || [ $$st -eq 77 ] || exit $$st; \
	    st=0; PY_ENGINE=interp tests/real/python-stdlib.sh $(BUILD)/vm $(PY_INTERP_MODULES) || \
	    st=$$?; [ $$st -eq 0 ] || [ $$st -eq 77 ] || exit $$st
