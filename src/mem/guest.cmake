# Guest RAM, the guest-physical address map and the object pool (included from
# src/mem/CMakeLists.txt). NUMA binding of guest RAM is compiled in only when the target
# compiler has the kernel's linux/mempolicy.h (so other hosts just go without), and can be
# turned off with -DVM_NUMA=OFF. It uses the kernel's calls directly: no libnuma is linked.
target_sources(vm_mem PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/guest.c
    ${CMAKE_CURRENT_LIST_DIR}/host_map.c
    ${CMAKE_CURRENT_LIST_DIR}/pool.c)

option(VM_NUMA "Allow binding guest RAM to a host NUMA node (needs libnuma)" ON)
if(VM_NUMA)
    include(CheckIncludeFile)
    include(CheckLibraryExists)
    check_include_file(linux/mempolicy.h VM_HAVE_MEMPOLICY_H)
endif()
if(VM_NUMA AND VM_HAVE_MEMPOLICY_H)
    message(STATUS "guest RAM: NUMA binding enabled (get_mempolicy/mbind)")
    set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/host_map.c
        PROPERTIES COMPILE_DEFINITIONS VM_HAVE_NUMA=1)
else()
    message(STATUS "guest RAM: NUMA binding unavailable (no linux/mempolicy.h or VM_NUMA=OFF)")
endif()
