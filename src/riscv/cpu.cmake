# cpu.cmake - the RV64GC hart: decoder, decode cache, interpreter, single-instruction
# executor (exec1.c, for the JIT), CSRs.
# Included from src/riscv/CMakeLists.txt.
target_sources(vmcore PRIVATE ${CMAKE_CURRENT_LIST_DIR}/decode.c ${CMAKE_CURRENT_LIST_DIR}/cpu.c
                              ${CMAKE_CURRENT_LIST_DIR}/csr.c ${CMAKE_CURRENT_LIST_DIR}/interp.c
                              ${CMAKE_CURRENT_LIST_DIR}/exec1.c)
