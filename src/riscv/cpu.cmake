# cpu.cmake - the RV64GC hart as an ISA: decoder, architectural state and trap entry, CSRs,
# the memory-access slow path. Included from src/riscv/CMakeLists.txt.
target_sources(vm_riscv PRIVATE ${CMAKE_CURRENT_LIST_DIR}/decode.c ${CMAKE_CURRENT_LIST_DIR}/cpu.c
                              ${CMAKE_CURRENT_LIST_DIR}/csr.c ${CMAKE_CURRENT_LIST_DIR}/memacc.c
                                ${CMAKE_CURRENT_LIST_DIR}/mmu.c)
