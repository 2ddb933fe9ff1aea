# Entry point of every tandem demo test app, the counterpart of Zephyr's
# find_package(Zephyr): include it *before* project() in the app's CMakeLists.txt, then add
# the app's sources with target_sources(app PRIVATE ...).
#
#   cmake -GNinja -S firmware/tests/<suite> -B <build> -DBOARD=<board>
#         [-DEXTRA_CONF_FILE=a.conf;b.conf] [-DOVERLAY_CONFIG="a.conf b.conf"] [-DCONF_FILE=x.conf]
#
# produces <build>/zephyr/zephyr.elf, zephyr.bin, zephyr.map and the merged <build>/zephyr/.config,
# the paths the harness already knows from real Zephyr builds.

cmake_minimum_required(VERSION 3.20)

get_filename_component(TANDEM_BASE "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(TANDEM_VERSION "v3.5.99-tandem-demo" CACHE STRING
    "Version printed in the '*** Booting Zephyr OS build <version> ***' banner")

# ---- board -------------------------------------------------------------------------------
file(GLOB _tandem_board_files RELATIVE "${TANDEM_BASE}/boards" "${TANDEM_BASE}/boards/*/board.cmake")
set(TANDEM_SUPPORTED_BOARDS "")
foreach(f IN LISTS _tandem_board_files)
  get_filename_component(d "${f}" DIRECTORY)
  list(APPEND TANDEM_SUPPORTED_BOARDS "${d}")
endforeach()
list(SORT TANDEM_SUPPORTED_BOARDS)
string(REPLACE ";" ", " _tandem_board_names "${TANDEM_SUPPORTED_BOARDS}")

if(NOT BOARD AND DEFINED ENV{BOARD})
  set(BOARD "$ENV{BOARD}")
endif()
if(NOT BOARD)
  message(FATAL_ERROR "BOARD is not set. Pass -DBOARD=<board>; supported boards: ${_tandem_board_names}")
endif()
if(NOT BOARD IN_LIST TANDEM_SUPPORTED_BOARDS)
  message(FATAL_ERROR "Unsupported BOARD '${BOARD}'. Supported boards: ${_tandem_board_names}")
endif()
# Keeps a build directory tied to its board when cmake re-runs itself without -DBOARD.
set(BOARD "${BOARD}" CACHE STRING "Target board" FORCE)
set(TANDEM_BOARD_DIR "${TANDEM_BASE}/boards/${BOARD}")
include("${TANDEM_BOARD_DIR}/board.cmake")
foreach(v TANDEM_BOARD_CPU_FLAGS TANDEM_BOARD_SOURCES TANDEM_BOARD_LINKER_SCRIPT)
  if(NOT ${v})
    message(FATAL_ERROR "${TANDEM_BOARD_DIR}/board.cmake does not set ${v}")
  endif()
endforeach()

# ---- Kconfig fragments ---------------------------------------------------------------------
include("${TANDEM_BASE}/cmake/kconfig.cmake")

# Zephyr resolves relative fragment paths against the application directory; so do we.
function(_tandem_resolve_fragments out)
  set(result "")
  foreach(f IN LISTS ARGN)
    if(f STREQUAL "")
      continue()
    endif()
    get_filename_component(abs "${f}" ABSOLUTE BASE_DIR "${CMAKE_SOURCE_DIR}")
    list(APPEND result "${abs}")
  endforeach()
  set(${out} "${result}" PARENT_SCOPE)
endfunction()

if(DEFINED CONF_FILE AND NOT CONF_FILE STREQUAL "")
  set(_tandem_conf "${CONF_FILE}")
elseif(EXISTS "${CMAKE_SOURCE_DIR}/prj.conf")
  set(_tandem_conf "${CMAKE_SOURCE_DIR}/prj.conf")
else()
  set(_tandem_conf "")
endif()
# OVERLAY_CONFIG is documented by Zephyr as space separated; EXTRA_CONF_FILE is a CMake list.
string(REPLACE " " ";" _tandem_overlay "${OVERLAY_CONFIG}")
_tandem_resolve_fragments(_tandem_fragments ${_tandem_conf} ${_tandem_overlay} ${EXTRA_CONF_FILE})

set(TANDEM_ZEPHYR_DIR "${CMAKE_BINARY_DIR}/zephyr")
file(MAKE_DIRECTORY "${TANDEM_ZEPHYR_DIR}")
string(TOUPPER "${BOARD}" _tandem_board_upper)
set(_tandem_board_conf "${CMAKE_BINARY_DIR}/tandem/board.conf")
set(_tandem_board_conf_text "CONFIG_BOARD=\"${BOARD}\"\nCONFIG_BOARD_${_tandem_board_upper}=y\n")
if(EXISTS "${_tandem_board_conf}")
  file(READ "${_tandem_board_conf}" _tandem_old)
else()
  set(_tandem_old "")
endif()
if(NOT _tandem_old STREQUAL _tandem_board_conf_text)
  file(WRITE "${_tandem_board_conf}" "${_tandem_board_conf_text}")
endif()

# Like a Zephyr build, leave the board's devicetree next to the image (tools read it from there).
configure_file("${TANDEM_BOARD_DIR}/zephyr.dts" "${TANDEM_ZEPHYR_DIR}/zephyr.dts" COPYONLY)

tandem_kconfig_merge(
  OUTPUT "${TANDEM_ZEPHYR_DIR}/.config"
  DEFAULTS "${TANDEM_BASE}/kconfig/defaults.conf" "${_tandem_board_conf}"
           "${TANDEM_BOARD_DIR}/${BOARD}_defconfig"
  FRAGMENTS ${_tandem_fragments})

foreach(sym CONFIG_SYS_CLOCK_HW_CYCLES_PER_SEC CONFIG_SYS_CLOCK_TICKS_PER_SEC)
  if(NOT DEFINED ${sym})
    message(FATAL_ERROR "${sym} must be set (board defconfig or a fragment)")
  endif()
endforeach()

# ---- toolchain and languages ---------------------------------------------------------------
set(CMAKE_TOOLCHAIN_FILE "${TANDEM_BASE}/cmake/toolchain-arm-none-eabi.cmake")
project(tandem_demo C ASM)
set(CMAKE_C_STANDARD 11)
set(CMAKE_C_EXTENSIONS ON)

# Everything below applies to the kernel and to the app alike, as Zephyr's global
# compile options do.
add_compile_definitions(${TANDEM_KCONFIG_DEFINES} KERNEL TANDEM_BUILD_VERSION="${TANDEM_VERSION}")
if(DEFINED TC_RUNID AND NOT TC_RUNID STREQUAL "")
  add_compile_definitions(TC_RUNID=${TC_RUNID})
endif()
add_compile_options(
  ${TANDEM_BOARD_CPU_FLAGS}
  -Os -g
  -ffunction-sections -fdata-sections -fno-common
  -Wall -Wextra
  # An assertion without a message passes "" as its printf format, as in Zephyr, which
  # disables this warning for the same reason.
  -Wno-format-zero-length
  # __FILE__ in assertion messages should read like Zephyr's, and not leak the build machine's
  # paths; the app directory wins because GCC uses the last matching map.
  -fmacro-prefix-map=${TANDEM_BASE}=ZEPHYR_BASE
  -fmacro-prefix-map=${CMAKE_SOURCE_DIR}=CMAKE_SOURCE_DIR)
if(CONFIG_COMPILER_WARNINGS_AS_ERRORS)
  add_compile_options(-Werror)
endif()
include_directories("${TANDEM_BASE}/include" "${TANDEM_BOARD_DIR}")

# ---- the app and the image -----------------------------------------------------------------
add_library(app OBJECT)

set(_tandem_kernel_sources
  ${TANDEM_BASE}/src/arch/vectors.c
  ${TANDEM_BASE}/src/arch/reset.c
  ${TANDEM_BASE}/src/arch/fault.c
  ${TANDEM_BASE}/src/arch/swap.S
  ${TANDEM_BASE}/src/kernel/sched.c
  ${TANDEM_BASE}/src/kernel/timeout.c
  ${TANDEM_BASE}/src/kernel/fatal.c
  ${TANDEM_BASE}/src/kernel/init.c
  ${TANDEM_BASE}/src/kernel/sem.c
  ${TANDEM_BASE}/src/kernel/mutex.c
  ${TANDEM_BASE}/src/kernel/msgq.c
  ${TANDEM_BASE}/src/lib/printk.c
  ${TANDEM_BOARD_SOURCES})
# ztest provides main(), as in Zephyr; an app without it (CONFIG_ZTEST=n, the bench) has its own.
if(CONFIG_ZTEST)
  list(APPEND _tandem_kernel_sources ${TANDEM_BASE}/src/ztest/ztest.c)
endif()
# Each switch replaces one kernel function with its "gale wasm-LTO" build (see the files), and
# links the module's linear memory (<module>_wasm_memory.c), kept like the rest of gale's object.
set(_tandem_wasm_memories "")
if(CONFIG_GALE_WASM_LTO_SEM)
  list(APPEND _tandem_kernel_sources ${TANDEM_BASE}/src/kernel/sem_wasm.c)
  list(APPEND _tandem_wasm_memories sem)
endif()
if(CONFIG_GALE_WASM_LTO_MUTEX)
  list(APPEND _tandem_kernel_sources ${TANDEM_BASE}/src/kernel/mutex_wasm.c)
  list(APPEND _tandem_wasm_memories mutex)
endif()
if(CONFIG_GALE_WASM_LTO_MSGQ)
  list(APPEND _tandem_kernel_sources ${TANDEM_BASE}/src/kernel/msgq_wasm.c)
  list(APPEND _tandem_wasm_memories msgq)
endif()
foreach(m IN LISTS _tandem_wasm_memories)
  list(APPEND _tandem_kernel_sources ${TANDEM_BASE}/src/kernel/${m}_wasm_memory.c)
endforeach()

add_executable(zephyr_final ${_tandem_kernel_sources})
target_link_libraries(zephyr_final PRIVATE app)
target_link_options(zephyr_final PRIVATE
  ${TANDEM_BOARD_CPU_FLAGS}
  -nostartfiles
  -T${TANDEM_BOARD_LINKER_SCRIPT}
  -L${TANDEM_BASE}/src/arch
  -Wl,--gc-sections
  -Wl,-Map=${TANDEM_ZEPHYR_DIR}/zephyr.map)
# Nothing in the demo reads a module's memory, and --gc-sections would drop what nothing reads.
foreach(m IN LISTS _tandem_wasm_memories)
  target_link_options(zephyr_final PRIVATE -Wl,--undefined=gale_wasm_${m}_memory)
endforeach()
target_link_libraries(zephyr_final PRIVATE c gcc)
set_target_properties(zephyr_final PROPERTIES
  OUTPUT_NAME zephyr
  SUFFIX .elf
  RUNTIME_OUTPUT_DIRECTORY "${TANDEM_ZEPHYR_DIR}"
  LINK_DEPENDS "${TANDEM_BOARD_LINKER_SCRIPT};${TANDEM_BASE}/src/arch/common.ld")
add_custom_command(TARGET zephyr_final POST_BUILD
  COMMAND ${CMAKE_OBJCOPY} -O binary $<TARGET_FILE:zephyr_final> ${TANDEM_ZEPHYR_DIR}/zephyr.bin
  BYPRODUCTS ${TANDEM_ZEPHYR_DIR}/zephyr.bin
  COMMENT "Generating zephyr/zephyr.bin")
