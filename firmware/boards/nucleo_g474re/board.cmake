# ST NUCLEO-G474RE (STM32G474RE, Cortex-M4F). Soft float on purpose: the FPU is left off so
# both boards link against the same soft-float newlib multilib.
set(TANDEM_BOARD_CPU_FLAGS -mcpu=cortex-m4 -mthumb -mfloat-abi=soft)
set(TANDEM_BOARD_SOURCES ${CMAKE_CURRENT_LIST_DIR}/board.c)
set(TANDEM_BOARD_LINKER_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/linker.ld)
