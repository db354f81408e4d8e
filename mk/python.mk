# python.mk - Debian's riscv64 python3 running its own standard-library tests under vm.
#
#   make python-stdlib   tests/real/python-stdlib.sh: `python3 -m test MODULE` for the
#                        documented module list (docs/real-programs.md), one module at a time,
#                        a line per module; PY_MODULES="test_os test_re" picks others. Long
#                        (about half an hour): not part of `make test`.

PY_MODULES ?=

.PHONY: python-stdlib

python-stdlib: build
	tests/real/python-stdlib.sh $(BUILD)/vm $(PY_MODULES)
