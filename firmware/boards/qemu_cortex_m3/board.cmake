# TI LM3S6965 (Stellaris) as emulated by QEMU's lm3s6965evb machine.
set(TANDEM_BOARD_CPU_FLAGS -mcpu=cortex-m3 -mthumb -mfloat-abi=soft)
set(TANDEM_BOARD_SOURCES ${CMAKE_CURRENT_LIST_DIR}/board.c)
set(TANDEM_BOARD_LINKER_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/linker.ld)
