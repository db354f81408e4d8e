# engines.mk - one execution engine's share of the tests. `make test` already runs every
# guest-code test under each engine (CTest cases NAME/interp and NAME/jit, see
# tests/engines.cmake); this narrows a run to one of them.
#
#   make test-engine ENGINE=jit      build, then every test case of that engine
.PHONY: test-engine

ENGINE ?= interp

test-engine: build
	ctest --test-dir $(BUILD) $(CTEST_ARGS) -L '^engine-$(ENGINE)$$'
