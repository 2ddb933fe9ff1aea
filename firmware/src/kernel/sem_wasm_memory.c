/*
 * The sem module's WebAssembly linear memory, as gale's wasm-LTO object carries it: the module's
 * whole memory, initialised from its data segments, so it is `.data` (flash for the initial
 * bytes, RAM to run in), not `.bss`. A real module's memory is whole 64 KiB wasm pages; the demo's
 * is CONFIG_GALE_WASM_LINEAR_MEMORY_SIZE bytes, so that three of them fit qemu_cortex_m3's 64 KB
 * of RAM. Linked whenever CONFIG_GALE_WASM_LTO_SEM is set (see tandem_demo.cmake).
 */
#include <stdint.h>

uint8_t gale_wasm_sem_memory[CONFIG_GALE_WASM_LINEAR_MEMORY_SIZE] = {
	/* The module's data segments (the rest of a wasm memory starts zeroed). */
	0x61, 0x73, 0x6d, 0x01,
};
