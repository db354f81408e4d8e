# CPU differential test: random RV64IM + Zba/Zbb/Zbs streams (tests/diff/cpu_gen.c) run in
# vm's bare machine and in qemu-riscv64; the register dumps must be identical. Skipped (with a
# message) when the cross compiler or qemu-riscv64 is missing.
find_program(RISCV_GCC riscv64-linux-gnu-gcc)
find_program(QEMU_RISCV64 qemu-riscv64)
if(NOT RISCV_GCC OR NOT QEMU_RISCV64)
    message(STATUS "CPU diff test skipped: needs riscv64-linux-gnu-gcc and qemu-riscv64")
    return()
endif()
add_executable(cpu_gen ${CMAKE_CURRENT_SOURCE_DIR}/cpu_gen.c)
set(cpu_diff_elfs)
foreach(seed 1 2 3 4 5 6 7 8)
    set(src ${CMAKE_CURRENT_BINARY_DIR}/cpu_stream_${seed}.S)
    add_custom_command(OUTPUT ${src} COMMAND cpu_gen ${seed} 3000 > ${src} DEPENDS cpu_gen
        COMMENT "Generating CPU diff stream ${seed}")
    set(flags -nostdlib -nostartfiles -static -fno-pie -no-pie -march=rv64gc_zba_zbb_zbs
        -mabi=lp64d -mno-relax -I ${CMAKE_CURRENT_SOURCE_DIR})
    add_custom_command(OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/cpu_stream_${seed}.bare.elf
        COMMAND ${RISCV_GCC} ${flags} -DBARE -T ${PROJECT_SOURCE_DIR}/tests/isa/link.ld ${src}
                -o ${CMAKE_CURRENT_BINARY_DIR}/cpu_stream_${seed}.bare.elf
        DEPENDS ${src} ${CMAKE_CURRENT_SOURCE_DIR}/cpu_diff.inc VERBATIM)
    add_custom_command(OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/cpu_stream_${seed}.linux.elf
        COMMAND ${RISCV_GCC} ${flags} ${src} -o ${CMAKE_CURRENT_BINARY_DIR}/cpu_stream_${seed}.linux.elf
        DEPENDS ${src} ${CMAKE_CURRENT_SOURCE_DIR}/cpu_diff.inc VERBATIM)
    list(APPEND cpu_diff_elfs ${CMAKE_CURRENT_BINARY_DIR}/cpu_stream_${seed}.bare.elf
         ${CMAKE_CURRENT_BINARY_DIR}/cpu_stream_${seed}.linux.elf)
    # the dumps are named after the variant: every engine's case may run at the same time
    vm_engine_test(diff/cpu_stream_${seed}
        COMMAND sh -c "\"$0\" run --machine=bare \"$1\" > \"$3.$VM_TEST_ENGINE.vm\" && \"$2\" -cpu rv64,zba=true,zbb=true,zbs=true \"$4\" > \"$3.$VM_TEST_ENGINE.ref\" && cmp \"$3.$VM_TEST_ENGINE.vm\" \"$3.$VM_TEST_ENGINE.ref\" && test $(wc -l < \"$3.$VM_TEST_ENGINE.vm\") -eq 32"
                $<TARGET_FILE:vm> ${CMAKE_CURRENT_BINARY_DIR}/cpu_stream_${seed}.bare.elf
                ${QEMU_RISCV64} ${CMAKE_CURRENT_BINARY_DIR}/cpu_stream_${seed}
                ${CMAKE_CURRENT_BINARY_DIR}/cpu_stream_${seed}.linux.elf
        PROPERTIES TIMEOUT 60)
endforeach()
add_custom_target(cpu_diff_streams ALL DEPENDS ${cpu_diff_elfs})
