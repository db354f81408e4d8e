# Guest RAM, the guest-physical address map and the object pool (included from
# src/mem/CMakeLists.txt). NUMA binding of RAM is compiled in only when libnuma is found.
target_sources(vmcore PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/guest.c
    ${CMAKE_CURRENT_LIST_DIR}/host_map.c
    ${CMAKE_CURRENT_LIST_DIR}/pool.c)
# Until the memops module is present, a C-library stand-in provides vm_memcpy and friends.
if(NOT EXISTS ${CMAKE_CURRENT_LIST_DIR}/memops.c)
    target_sources(vmcore PRIVATE ${CMAKE_CURRENT_LIST_DIR}/memops_fallback.c)
endif()

find_path(VM_NUMA_INCLUDE numaif.h)
find_library(VM_NUMA_LIB numa)
if(VM_NUMA_INCLUDE AND VM_NUMA_LIB)
    message(STATUS "guest RAM: NUMA binding enabled (${VM_NUMA_LIB})")
    set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/host_map.c
        DIRECTORY ${PROJECT_SOURCE_DIR}
        PROPERTIES COMPILE_DEFINITIONS VM_HAVE_NUMA=1)
    target_link_libraries(vmcore PUBLIC ${VM_NUMA_LIB})
else()
    message(STATUS "guest RAM: libnuma not found, NUMA binding unavailable")
endif()
