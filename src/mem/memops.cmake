# memops: host CPU detection, one OBJECT library per instruction set (each compiled with only
# its own ISA flags, so vector code never leaks into code that runs before dispatch), and the
# dispatcher. All of it ends up in libvm.

# Keep the compiler from turning the copy loops into calls to the C library's memcpy/memset
# (which would make the implementations measure the C library) and, for the scalar file,
# from vectorising the word loops.
set(memops_no_libcall
    -fno-builtin
    $<$<C_COMPILER_ID:GNU>:-fno-tree-loop-distribute-patterns>)
set(memops_no_vectorize
    $<$<C_COMPILER_ID:GNU>:-fno-tree-vectorize -fno-tree-slp-vectorize>
    $<$<C_COMPILER_ID:Clang>:-fno-vectorize -fno-slp-vectorize>)

set(memops_isas scalar)
set(memops_flags_scalar ${memops_no_vectorize})
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|amd64")
    list(APPEND memops_isas sse2 avx2 avx512 avx512h)
    set(memops_flags_sse2 -msse2)
    set(memops_flags_avx2 -mavx2)
    set(memops_flags_avx512 -mavx512f -mavx512bw -mavx512vl -mbmi2)
    set(memops_flags_avx512h ${memops_flags_avx512})
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64")
    list(APPEND memops_isas neon)
    set(memops_flags_neon)
endif()

foreach(isa ${memops_isas})
    add_library(vm_memops_${isa} OBJECT ${CMAKE_CURRENT_SOURCE_DIR}/memops_${isa}.c)
    target_link_libraries(vm_memops_${isa} PRIVATE vm_mem)
    target_compile_options(vm_memops_${isa} PRIVATE ${memops_no_libcall}
                                                    ${memops_flags_${isa}})
    set_property(GLOBAL APPEND PROPERTY VM_OBJECT_LIBS vm_memops_${isa})
endforeach()

target_sources(vm_mem PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/host.c
                              ${CMAKE_CURRENT_SOURCE_DIR}/host_cache.c
                              ${CMAKE_CURRENT_SOURCE_DIR}/memops.c
                              ${CMAKE_CURRENT_SOURCE_DIR}/memops_cal.c)

# memops-measure: the timing program that chose the tier thresholds (docs/memory.md).
add_executable(memops-measure ${CMAKE_CURRENT_SOURCE_DIR}/memops_measure.c)
target_link_libraries(memops-measure PRIVATE vmcore)
target_include_directories(memops-measure PRIVATE ${PROJECT_SOURCE_DIR}/src)
set_target_properties(memops-measure PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})
