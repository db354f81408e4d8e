# cpu.cmake - the RV64GC hart: decoder, decode cache, interpreter, CSRs.
# Included from src/riscv/CMakeLists.txt.
target_sources(vmcore PRIVATE ${CMAKE_CURRENT_LIST_DIR}/decode.c ${CMAKE_CURRENT_LIST_DIR}/cpu.c
                              ${CMAKE_CURRENT_LIST_DIR}/csr.c ${CMAKE_CURRENT_LIST_DIR}/interp.c)
