# fpu.cmake - the F/D floating-point unit (pure soft-float functions on raw bits).
# Included from src/riscv/CMakeLists.txt; sources are added once they exist.
