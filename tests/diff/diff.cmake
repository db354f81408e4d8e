# diff.cmake - CPU differential test: rvdiff.py generates random RV64GC (+Zba/Zbb/Zbs)
# instruction sequences, builds them into static riscv64 programs and compares every register,
# fcsr and the scratch memory after each sequence between vm and qemu-riscv64.
# 3000 sequences of 50 instructions (150 programs): about 15 s in Release, 20 s under ASan
# (the guest programs are tiny, so vm's start-up dominates either way). Once per engine.
find_package(Python3 COMPONENTS Interpreter)
find_program(VM_RISCV64_CC riscv64-linux-gnu-gcc)
find_program(VM_QEMU_RISCV64 qemu-riscv64)

if(Python3_Interpreter_FOUND AND VM_RISCV64_CC AND VM_QEMU_RISCV64)
    vm_engine_test(diff/cpu
                   COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/rvdiff.py
                           "--vm=$<TARGET_FILE:vm> run" --ref ${VM_QEMU_RISCV64}
                           --seed 1 --sequences 3000 --jobs 2
                   LABELS diff PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
else()
    add_test(NAME diff/cpu COMMAND ${CMAKE_COMMAND} -E echo "SKIPPED: diff/cpu needs python3,"
             "riscv64-linux-gnu-gcc and qemu-riscv64 (scripts/deps.sh)")
    set_tests_properties(diff/cpu PROPERTIES SKIP_REGULAR_EXPRESSION "SKIPPED:" LABELS diff)
endif()

# The JIT against the interpreter on other random sequences (seed 2): every sequence runs 3
# times so that it is hot, with memory carried over, and every register, fcsr and the scratch
# memory are compared after each run. Needs no qemu.
if(Python3_Interpreter_FOUND AND VM_RISCV64_CC
   AND CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
    add_test(NAME diff/engines
             COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/rvdiff.py
                     "--vm=$<TARGET_FILE:vm> run --engine=jit --jit-threshold=2"
                     "--ref=$<TARGET_FILE:vm> run --engine=interp"
                     --seed 2 --sequences 2000 --repeat 3 --jobs 2)
    set_tests_properties(diff/engines PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300 LABELS diff)
    # the same with the JIT translating through its IR where it covers a superblock (seed 3)
    add_test(NAME diff/engines-ir
             COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/rvdiff.py
                     "--vm=$<TARGET_FILE:vm> run --engine=jit --jit-ir --jit-threshold=2"
                     "--ref=$<TARGET_FILE:vm> run --engine=interp"
                     --seed 3 --sequences 1000 --repeat 3 --jobs 2)
    set_tests_properties(diff/engines-ir PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300 LABELS diff)
endif()
