# Cross toolchain for the tandem demo firmware (GNU Arm Embedded / Debian gcc-arm-none-eabi).
# CROSS_COMPILE (cache variable or environment) lets a CI image point at another prefix,
# the same knob Zephyr's "cross-compile" toolchain variant uses.

set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

if(NOT DEFINED CROSS_COMPILE)
  if(DEFINED ENV{CROSS_COMPILE})
    set(CROSS_COMPILE "$ENV{CROSS_COMPILE}")
  else()
    set(CROSS_COMPILE "arm-none-eabi-")
  endif()
endif()

find_program(TANDEM_CC "${CROSS_COMPILE}gcc")
if(NOT TANDEM_CC)
  message(FATAL_ERROR
    "${CROSS_COMPILE}gcc not found. Install it with: "
    "apt-get install -y gcc-arm-none-eabi libnewlib-arm-none-eabi")
endif()

set(CMAKE_C_COMPILER "${TANDEM_CC}")
set(CMAKE_ASM_COMPILER "${TANDEM_CC}")
# There is no hosted runtime to link a test executable against during compiler checks.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
