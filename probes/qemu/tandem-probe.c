/*
 * tandem's QEMU TCG plugin (plugin API version 1, QEMU 7.2): the emulator side of cost and reach.
 *
 * It knows nothing of functions or test cases. The plan file names guest addresses, each with an
 * id and what to do when the instruction there executes:
 *   e  record (id, instructions executed before it)
 *   m  the same, plus the address of the instruction's first memory access (a context switch's
 *      save or restore: the address identifies the thread; API v1 has no register access)
 *   c  count executions in counter[id] (an inline add: no call into the plugin)
 *   w  before recording, record every counter that moved since the last w: (id, delta)
 * and tandem turns the records into per-case figures (harness/measure/probe/).
 *
 * Instructions are counted with one inline add per instruction rather than per block: under
 * -icount an I/O access in mid-block restarts the block's tail (cpu_io_recompile), and a per-block
 * add would count that tail twice. Records go to a MAP_SHARED file, so they survive the SIGKILL
 * that ends a boot. QEMU ships no qemu-plugin.h in Debian: the few prototypes used are declared
 * here, as the plugin API documents them (include/qemu/qemu-plugin.h, version 1).
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef uint64_t qemu_plugin_id_t;
typedef uint32_t qemu_plugin_meminfo_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
typedef struct {
	const char *target_name;
	struct { int min; int cur; } version;
	bool system_emulation;
	union { struct { int smp_vcpus; int max_vcpus; } system; };
} qemu_info_t;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };
enum qemu_plugin_mem_rw { QEMU_PLUGIN_MEM_R = 1, QEMU_PLUGIN_MEM_W, QEMU_PLUGIN_MEM_RW };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_vcpu_mem_cb_t)(unsigned int vcpu_index, qemu_plugin_meminfo_t info, uint64_t vaddr, void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_udata_cb_t cb, enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn, enum qemu_plugin_op op, void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_mem_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_mem_cb_t cb, enum qemu_plugin_cb_flags flags, enum qemu_plugin_mem_rw rw, void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
void qemu_plugin_outs(const char *string);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* The shared file: header, counters, then records. tandem reads it (qemu-probe/output.ts). */
#define MAGIC 0x31424f5250444e54ull /* "TNDPROB1" */
struct header {
	uint64_t magic;
	uint64_t records;    /* records written */
	uint64_t capacity;   /* records that fit */
	uint64_t overflow;   /* records dropped for want of room */
	uint64_t counters;   /* number of counters */
	uint64_t executed;   /* instructions executed so far */
	uint64_t reserved[2];
};
struct record {
	uint32_t id;
	uint32_t flags; /* 1: `value` holds a memory address */
	uint64_t count;
	uint64_t value;
};

struct site {
	uint64_t addr;
	uint32_t id;
	uint32_t order;
	char kind;
};

static struct header *hdr;
static uint64_t *counters;
static uint64_t *flushed;
static struct record *records;
static struct site *sites;
static size_t nsites;
/* The `m` site whose first memory access is awaited; its record is already written. */
static struct record *awaiting;

static void put(uint32_t id, uint64_t count, uint64_t value, uint32_t flags)
{
	if (hdr->records >= hdr->capacity) {
		hdr->overflow++;
		awaiting = NULL;
		return;
	}
	struct record *r = &records[hdr->records];
	r->id = id;
	r->flags = flags;
	r->count = count;
	r->value = value;
	hdr->records++;
	awaiting = flags == 1 ? r : NULL;
}

static void on_event(unsigned int vcpu, void *udata)
{
	(void)vcpu;
	put((uint32_t)(uintptr_t)udata, hdr->executed, 0, 0);
}

static void on_keyed(unsigned int vcpu, void *udata)
{
	(void)vcpu;
	put((uint32_t)(uintptr_t)udata, hdr->executed, UINT64_MAX, 1);
}

static void on_access(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t vaddr, void *udata)
{
	(void)vcpu;
	(void)info;
	/* Load/store-multiple accesses go in ascending order: the first is the lowest address. */
	if (awaiting && awaiting->id == (uint32_t)(uintptr_t)udata && awaiting->value == UINT64_MAX) awaiting->value = vaddr;
	awaiting = NULL;
}

static void on_window(unsigned int vcpu, void *udata)
{
	(void)vcpu;
	for (uint64_t i = 0; i < hdr->counters; i++) {
		if (counters[i] == flushed[i]) continue;
		put((uint32_t)i, counters[i] - flushed[i], 0, 2);
		flushed[i] = counters[i];
	}
	put((uint32_t)(uintptr_t)udata, hdr->executed, 0, 0);
}

static int by_addr(const void *a, const void *b)
{
	const struct site *x = a, *y = b;
	/* Equal addresses keep the plan's order: qsort is not stable. */
	if (x->addr != y->addr) return x->addr < y->addr ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order ? 1 : 0;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	(void)id;
	size_t n = qemu_plugin_tb_n_insns(tb);
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		uint64_t addr = qemu_plugin_insn_vaddr(insn);
		/* First site at this address (sites are sorted; one address may have several). */
		size_t lo = 0, hi = nsites;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (sites[mid].addr < addr) lo = mid + 1;
			else hi = mid;
		}
		/* Callbacks first: an instruction's inline add then runs after them, so a record holds
		 * the instructions executed before this one. */
		for (size_t s = lo; s < nsites && sites[s].addr == addr; s++) {
			void *udata = (void *)(uintptr_t)sites[s].id;
			switch (sites[s].kind) {
			case 'e':
				qemu_plugin_register_vcpu_insn_exec_cb(insn, on_event, QEMU_PLUGIN_CB_NO_REGS, udata);
				break;
			case 'm':
				qemu_plugin_register_vcpu_insn_exec_cb(insn, on_keyed, QEMU_PLUGIN_CB_NO_REGS, udata);
				qemu_plugin_register_vcpu_mem_cb(insn, on_access, QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_MEM_RW, udata);
				break;
			case 'w':
				qemu_plugin_register_vcpu_insn_exec_cb(insn, on_window, QEMU_PLUGIN_CB_NO_REGS, udata);
				break;
			case 'c':
				qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &counters[sites[s].id], 1);
				break;
			}
		}
		qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &hdr->executed, 1);
	}
}

static void on_atexit(qemu_plugin_id_t id, void *udata)
{
	(void)id;
	(void)udata;
	/* A boot stopped gracefully: what the counters gathered since the last window. */
	on_window(0, (void *)(uintptr_t)UINT32_MAX);
	msync(hdr, sizeof *hdr, MS_ASYNC);
}

/* A plugin that fails to install ends QEMU, and the boot with it: stay loaded but idle instead.
 * tandem finds no valid output file and says the probe did not start. */
static int fail(const char *what)
{
	char line[512];
	snprintf(line, sizeof line, "tandem-probe: %s\n", what);
	qemu_plugin_outs(line);
	return 0;
}

/* Arguments: plan=<file> out=<file> records=<capacity>. */
__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
	(void)info;
	const char *plan = NULL, *out = NULL;
	uint64_t capacity = 1u << 20;
	for (int i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "plan=", 5)) plan = argv[i] + 5;
		else if (!strncmp(argv[i], "out=", 4)) out = argv[i] + 4;
		else if (!strncmp(argv[i], "records=", 8)) capacity = strtoull(argv[i] + 8, NULL, 10);
	}
	if (!plan || !out) return fail("needs plan= and out=");
	FILE *f = fopen(plan, "r");
	if (!f) return fail("cannot open the plan");
	size_t room = 64;
	uint64_t ncounters = 0;
	sites = malloc(room * sizeof *sites);
	char kind;
	unsigned long long addr;
	unsigned int sid;
	while (fscanf(f, " %c %llx %u", &kind, &addr, &sid) == 3) {
		if (nsites == room) sites = realloc(sites, (room *= 2) * sizeof *sites);
		if (!sites) return fail("out of memory");
		sites[nsites] = (struct site){ .addr = addr, .id = sid, .order = (uint32_t)nsites, .kind = kind };
		nsites++;
		if (kind == 'c' && sid + 1u > ncounters) ncounters = sid + 1u;
	}
	fclose(f);
	qsort(sites, nsites, sizeof *sites, by_addr);

	size_t bytes = sizeof *hdr + ncounters * sizeof(uint64_t) + capacity * sizeof(struct record);
	int fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)bytes) != 0) return fail("cannot create the output file");
	void *map = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED) return fail("cannot map the output file");
	hdr = map;
	counters = (uint64_t *)(hdr + 1);
	records = (struct record *)(counters + ncounters);
	flushed = calloc(ncounters ? ncounters : 1, sizeof *flushed);
	hdr->capacity = capacity;
	hdr->counters = ncounters;
	hdr->magic = MAGIC;

	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, on_atexit, NULL);
	return 0;
}
