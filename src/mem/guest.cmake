# Guest RAM, the guest-physical address map and the object pool (included from
# src/mem/CMakeLists.txt). NUMA binding of guest RAM is compiled in only when the target
# compiler can include numaif.h and link libnuma (so cross builds without it just go
# without), and can be turned off with -DVM_NUMA=OFF.
target_sources(vm_mem PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/guest.c
    ${CMAKE_CURRENT_LIST_DIR}/host_map.c
    ${CMAKE_CURRENT_LIST_DIR}/pool.c)

option(VM_NUMA "Allow binding guest RAM to a host NUMA node (needs libnuma)" ON)
if(VM_NUMA)
    include(CheckIncludeFile)
    include(CheckLibraryExists)
    check_include_file(numaif.h VM_HAVE_NUMAIF_H)
    check_library_exists(numa mbind "" VM_HAVE_LIBNUMA)
endif()
if(VM_NUMA AND VM_HAVE_NUMAIF_H AND VM_HAVE_LIBNUMA)
    message(STATUS "guest RAM: NUMA binding enabled (libnuma)")
    set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/host_map.c
        PROPERTIES COMPILE_DEFINITIONS VM_HAVE_NUMA=1)
    target_link_libraries(vm_mem PUBLIC numa)
else()
    message(STATUS "guest RAM: NUMA binding unavailable (no libnuma or VM_NUMA=OFF)")
endif()
