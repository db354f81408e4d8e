# fpu.cmake - the F/D floating-point unit: integer soft-float, pure functions on raw bits.
# Included from src/riscv/CMakeLists.txt.
target_sources(vm_riscv PRIVATE ${CMAKE_CURRENT_LIST_DIR}/fpu.c)
