/*
 * The linear memory of the demo's "wasm-LTO" modules and what gale's translation does around it:
 * the shim copies the kernel object into the module's memory, the translated function reads and
 * writes it there, and the shim copies it back. Every load and store checks its address against
 * the memory's size (a failed check is wasm's out-of-bounds trap), and memory.copy is lowered to
 * a checked byte loop. This is why a wasm primitive executes more instructions than the native
 * one, and why each has paths no passing test takes: the traps.
 */
#ifndef TANDEM_WASM_MEMORY_H
#define TANDEM_WASM_MEMORY_H

#include <stdint.h>
#include <zephyr/kernel.h>

#define WASM_MEMORY_SIZE 256u

struct wasm_memory {
	uint8_t bytes[WASM_MEMORY_SIZE];
	/* wasm's __stack_pointer global: the module's frames come from the top of its memory. */
	uint32_t stack_pointer;
};

#define WASM_MEMORY_INIT { .stack_pointer = WASM_MEMORY_SIZE }

/* Out of bounds: the module would have read or written outside its memory. */
static inline __attribute__((always_inline, noreturn)) void wasm_trap_out_of_bounds(void)
{
	k_panic();
	__builtin_unreachable();
}

static inline void wasm_check(uint32_t offset, uint32_t size)
{
	if (offset > WASM_MEMORY_SIZE - size) {
		wasm_trap_out_of_bounds();
	}
}

static inline uint32_t wasm_frame_push(struct wasm_memory *m, uint32_t size)
{
	uint32_t frame = m->stack_pointer - size;

	wasm_check(frame, size);
	m->stack_pointer = frame;
	return frame;
}

static inline void wasm_frame_pop(struct wasm_memory *m, uint32_t size)
{
	m->stack_pointer += size;
}

static inline uint32_t wasm_load32(const struct wasm_memory *m, uint32_t offset)
{
	uint32_t value;

	wasm_check(offset, 4);
	__builtin_memcpy(&value, &m->bytes[offset], 4);
	return value;
}

static inline void wasm_store32(struct wasm_memory *m, uint32_t offset, uint32_t value)
{
	wasm_check(offset, 4);
	__builtin_memcpy(&m->bytes[offset], &value, 4);
}

/* memory.copy into the module, as the translation lowers it: byte by byte, each checked. */
static inline void wasm_copy_in(struct wasm_memory *m, uint32_t offset, const void *from, uint32_t size)
{
	const uint8_t *src = from;

	for (uint32_t i = 0; i < size; i++) {
		wasm_check(offset + i, 1);
		m->bytes[offset + i] = src[i];
	}
}

static inline void wasm_copy_out(const struct wasm_memory *m, uint32_t offset, void *to, uint32_t size)
{
	uint8_t *dst = to;

	for (uint32_t i = 0; i < size; i++) {
		wasm_check(offset + i, 1);
		dst[i] = m->bytes[offset + i];
	}
}

#endif
