# fpu.cmake - vm-fpu-bench: ns per call of the soft-float FPU operations (not a test; run it
# by hand: build/vm-fpu-bench). Included from bench/CMakeLists.txt.
add_executable(vm-fpu-bench ${CMAKE_CURRENT_LIST_DIR}/fpu_bench.c)
target_link_libraries(vm-fpu-bench PRIVATE vmcore)
target_include_directories(vm-fpu-bench PRIVATE ${PROJECT_SOURCE_DIR}/src)
set_target_properties(vm-fpu-bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})
