# engines.cmake - every test that runs guest code runs once per execution engine of vm.
#
# vm_engine_test(NAME COMMAND cmd... [ENVIRONMENT VAR=VALUE...] [LABELS label...]
#                [PROPERTIES prop value...])
# registers one CTest case NAME/<engine> for every engine in VM_TEST_ENGINES. Each case runs
# the same command with VM_ENGINE=<engine> in its environment (vm's engine when no --engine
# option is given, also where vm is started from a script) and carries the labels `engine`
# and `engine-<engine>`, so `ctest -L engine-jit` runs one engine's share. Defining each test
# once and letting this helper multiply it keeps the engines' test lists identical.
#
# The jit cases set VM_JIT_THRESHOLD=1: every block is translated on its first execution.
# The engine `jit-ir` is the JIT with VM_JIT_IR=1 (superblocks the IR covers are translated
# through it, with register allocation): the same cases again while the IR is young. The
# engine `jit-tier` is the JIT's tiered mode with VM_JIT_TIER_THRESHOLD=3: every translation
# is made by the old path first and retranslated through the IR at its third entry (a loop at
# its first), so that tier-ups happen everywhere, from chained jumps, the fast table, return
# stubs, in loops that faults and signals interrupt, and in code that is then written.
#
# The JIT translates for x86-64 hosts only, so elsewhere only the interpreter is listed;
# -DVM_TEST_ENGINES=interp (or jit) narrows a build's tests to one engine.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
    set(vm_default_engines "interp;jit;jit-ir;jit-tier")
else()
    set(vm_default_engines "interp")
endif()
set(VM_TEST_ENGINES "${vm_default_engines}" CACHE STRING
    "vm execution engines every guest-code test runs under (list: interp;jit;jit-ir;jit-tier)")

function(vm_engine_test name)
    cmake_parse_arguments(T "" "" "COMMAND;ENVIRONMENT;LABELS;PROPERTIES" ${ARGN})
    if(NOT T_COMMAND)
        message(FATAL_ERROR "vm_engine_test(${name}): no COMMAND")
    endif()
    foreach(engine ${VM_TEST_ENGINES})
        # VM_TEST_ENGINE names the variant (for files of its own: jit and jit-ir cases both
        # have VM_ENGINE=jit and may run at the same time)
        set(env VM_ENGINE=${engine} VM_TEST_ENGINE=${engine} ${T_ENVIRONMENT})
        if(engine STREQUAL "jit-ir")
            set(env VM_ENGINE=jit VM_JIT_IR=1 VM_TEST_ENGINE=${engine} ${T_ENVIRONMENT})
        elseif(engine STREQUAL "jit-tier")
            set(env VM_ENGINE=jit VM_JIT_IR=2 VM_JIT_TIER_THRESHOLD=3 VM_TEST_ENGINE=${engine}
                ${T_ENVIRONMENT})
        endif()
        if(engine MATCHES "^jit")
            # translate every block on its first run, so that even code that runs once (the
            # differential sequences, start-up code) goes through the translator
            list(APPEND env VM_JIT_THRESHOLD=1)
        endif()
        set(labels engine engine-${engine} ${T_LABELS})
        add_test(NAME ${name}/${engine} COMMAND ${T_COMMAND})
        set_tests_properties(${name}/${engine} PROPERTIES ENVIRONMENT "${env}" LABELS "${labels}"
                             ${T_PROPERTIES})
    endforeach()
endfunction()
