# Arm MPS2+ with the AN521 FPGA image (SSE-200, Cortex-M33 with FPU and DSP) as QEMU's mps2-an521
# machine emulates it; the image runs in the secure state on CPU0, as Zephyr's mps2_an521 board.
# Hard float: gale's released wasm-LTO objects are hard-float code, and this is the QEMU board
# with an FPU that Zephyr's CI runs (board.cmake there: -cpu cortex-m33 -machine mps2-an521 -m 16).
set(TANDEM_BOARD_CPU_FLAGS -mcpu=cortex-m33 -mthumb -mfloat-abi=hard -mfpu=fpv5-sp-d16)
set(TANDEM_BOARD_SOURCES ${CMAKE_CURRENT_LIST_DIR}/board.c)
set(TANDEM_BOARD_LINKER_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/linker.ld)
