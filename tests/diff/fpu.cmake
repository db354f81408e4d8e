# fpu.cmake - FPU differential test: fpu_guest.c is cross-compiled for riscv64 and run under
# qemu-riscv64; fpu_diff (host, linked with the vm FPU) recomputes and compares every line.
find_program(VM_RISCV64_CC riscv64-linux-gnu-gcc)
find_program(VM_QEMU_RISCV64 qemu-riscv64)

add_executable(fpu_diff ${CMAKE_CURRENT_LIST_DIR}/fpu_diff.c)
target_link_libraries(fpu_diff PRIVATE vmcore)
target_include_directories(fpu_diff PRIVATE ${PROJECT_SOURCE_DIR}/src)

if(VM_RISCV64_CC AND VM_QEMU_RISCV64)
    set(fpu_guest ${CMAKE_CURRENT_BINARY_DIR}/fpu_guest)
    add_custom_command(
        OUTPUT ${fpu_guest}
        COMMAND ${VM_RISCV64_CC} -O2 -static -ffp-contract=off -Wall -Wextra -Werror
                -o ${fpu_guest} ${CMAKE_CURRENT_LIST_DIR}/fpu_guest.c
        DEPENDS ${CMAKE_CURRENT_LIST_DIR}/fpu_guest.c
        COMMENT "Cross-compiling the riscv64 FPU differential guest")
    add_custom_target(fpu_guest_bin ALL DEPENDS ${fpu_guest})
    add_test(NAME diff/fpu COMMAND fpu_diff ${VM_QEMU_RISCV64} ${fpu_guest})
else()
    add_test(NAME diff/fpu COMMAND ${CMAKE_COMMAND} -E echo
             "SKIPPED: diff/fpu needs riscv64-linux-gnu-gcc and qemu-riscv64 (scripts/deps.sh)")
    set_tests_properties(diff/fpu PROPERTIES SKIP_REGULAR_EXPRESSION "SKIPPED:")
endif()
set_tests_properties(diff/fpu PROPERTIES TIMEOUT 300)
