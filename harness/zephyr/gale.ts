// What tandem knows about gale (github.com/pulseengine/gale): its wasm-LTO modules, the Kconfig
// they need, the suites that exercise them, the configurations their shims cannot handle, and
// how its release objects and manifest are named (zephyr/CMakeLists.txt, zephyr/Kconfig,
// scripts/build-wasm-dist.sh, docs/wasm-module-distribution.md).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isEnabled, type KconfigValues } from './kconfig.js';

export type GaleModule = 'sem' | 'mutex' | 'msgq';

export interface GaleModuleFacts {
  /** The switch that links the released wasm object. */
  wasmLto: string;
  /** The gale kernel module the switch depends on (Kconfig drops the switch without it). */
  kernel: string;
  /** The kernel function the object replaces. */
  replaces: string;
  /** Suites under tests/kernel that exercise the replaced path. */
  suites: string[];
}

export const GALE_MODULES: Record<GaleModule, GaleModuleFacts> = {
  sem: {
    wasmLto: 'CONFIG_GALE_WASM_LTO_SEM',
    kernel: 'CONFIG_GALE_KERNEL_SEM',
    replaces: 'z_impl_k_sem_give',
    suites: ['semaphore/semaphore', 'semaphore/sys_sem', 'poll'],
  },
  mutex: {
    wasmLto: 'CONFIG_GALE_WASM_LTO_MUTEX',
    kernel: 'CONFIG_GALE_KERNEL_MUTEX',
    replaces: 'z_impl_k_mutex_unlock',
    suites: ['mutex/mutex_api', 'mutex/sys_mutex', 'mutex/mutex_error_case'],
  },
  msgq: {
    wasmLto: 'CONFIG_GALE_WASM_LTO_MSGQ',
    kernel: 'CONFIG_GALE_KERNEL_MSGQ',
    replaces: 'z_impl_k_msgq_put',
    suites: ['msgq/msgq_api', 'msgq/msgq_usage'],
  },
};

/** The 33 tests/kernel suites gale's CI runs on qemu_cortex_m3 (.github/workflows/zephyr-tests.yml). */
export const GALE_CI_KERNEL_SUITES = [
  'semaphore/semaphore', 'mutex/mutex_api', 'condvar/condvar_api', 'msgq/msgq_api', 'stack/stack',
  'pipe/pipe_api', 'timer/timer_api', 'events/event_api', 'mem_slab/mslab', 'fifo/fifo_api',
  'lifo/lifo_api', 'queue', 'mbox/mbox_api', 'sched/schedule_api', 'mem_heap/k_heap_api',
  'sched/preempt', 'threads/thread_apis', 'mutex/sys_mutex', 'msgq/msgq_usage', 'fifo/fifo_usage',
  'lifo/lifo_usage', 'mbox/mbox_usage', 'mem_slab/mslab_api', 'mem_slab/mslab_concept',
  'mem_slab/mslab_threadsafe', 'events/sys_event', 'sched/deadline', 'sched/metairq',
  'threads/thread_init', 'pending', 'sleep', 'context', 'common',
] as const;

/**
 * Options under which a wasm-LTO image is wrong even if it links: the shims hard-code the !SMP
 * layouts of Zephyr v4.4.0's kernel objects (zephyr/wasm/*_shim.c).
 */
export const WASM_INCOMPATIBLE: readonly { option: string; why: string }[] = [
  {
    option: 'CONFIG_SMP',
    why: "the wasm shims model k_spinlock as the 0-byte uniprocessor lock and share one irq_lock critical section with native code; under SMP that is no lock at all",
  },
  {
    option: 'CONFIG_SPIN_VALIDATE',
    why: 'spinlock validation gives struct k_spinlock an owner field, so every field after an embedded lock moves and the offsets hard-coded in the shims read the wrong memory',
  },
  {
    option: 'CONFIG_WAITQ_SCALABLE',
    why: "the shims take _wait_q_t to be WAITQ_DUMB's two-pointer sys_dlist_t; WAITQ_SCALABLE makes it a red-black tree",
  },
];

export function wasmModulesIn(config: KconfigValues): GaleModule[] {
  return (Object.keys(GALE_MODULES) as GaleModule[]).filter((m) => isEnabled(config, GALE_MODULES[m].wasmLto));
}

/** Why this build's image must not be run, or undefined. Pure. */
export function wasmConfigProblem(config: KconfigValues): string | undefined {
  const modules = wasmModulesIn(config);
  if (modules.length === 0) return undefined;
  const switches = modules.map((m) => `${GALE_MODULES[m].wasmLto}=y`).join(', ');
  const bad = WASM_INCOMPATIBLE.filter((o) => isEnabled(config, o.option));
  if (bad.length === 0) return undefined;
  const first = bad[0]!;
  const more = bad.length > 1 ? ` (also ${bad.slice(1).map((b) => `${b.option}=y`).join(', ')})` : '';
  return `invalid wasm-LTO image: ${first.option}=y with ${switches}: ${first.why}; set ${first.option}=n${more}`;
}

/** Entries of a CMakeCache.txt (`NAME:TYPE=value`). Pure. */
export function parseCMakeCache(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('#') || line.startsWith('//')) continue;
    const m = /^([A-Za-z0-9_.+-]+)(?::[A-Z_]+)?=(.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

/** `-DNAME=value` arguments as a map (last wins, as in CMake). Pure. */
export function cmakeDefines(args: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of args) {
    const m = /^-D([A-Za-z0-9_.+-]+)(?::[A-Z_]+)?=(.*)$/.exec(a);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

export interface WasmObjectFacts {
  module: GaleModule;
  file: string;
  sha256: string;
  /** How the object relates to gale's release manifest. */
  manifest: 'match' | 'mismatch' | 'not listed' | 'no manifest';
}

export interface GaleManifestFacts {
  file: string;
  sha256: string;
  version?: string;
  tools?: unknown;
  /** `<manifest>.sig` next to it; tandem does not verify it (that is sigil's job). */
  signature: 'present' | 'absent';
}

export interface GaleProvenance {
  wasmModules: GaleModule[];
  objects: WasmObjectFacts[];
  manifest?: GaleManifestFacts;
  /** Modules switched on whose object could not be found from the build's settings. */
  missing?: GaleModule[];
}

/** gale's CMake glob for a module's release object in GALE_WASM_LTO_OBJ_DIR. */
export function isReleaseObject(name: string, module: GaleModule): boolean {
  return name.startsWith(`gale-wasm-${module}-`) && name.endsWith('cortex-m4f.o');
}

/**
 * The objects a wasm image linked and what gale's manifest says about them. `settings` are the
 * build's CMake variables (its CMakeCache.txt, else the -D arguments): the same inputs gale's
 * CMakeLists.txt resolves the objects from.
 */
export function galeProvenance(config: KconfigValues, settings: Map<string, string>): GaleProvenance | undefined {
  const wasmModules = wasmModulesIn(config);
  if (wasmModules.length === 0) return undefined;
  const objDir = settings.get('GALE_WASM_LTO_OBJ_DIR');
  const objects: WasmObjectFacts[] = [];
  const missing: GaleModule[] = [];
  let manifestFile: string | undefined;
  for (const module of wasmModules) {
    let file = settings.get(`GALE_WASM_LTO_${module.toUpperCase()}_OBJ`);
    if (!file && objDir && existsSync(objDir)) {
      const hits = readdirSync(objDir).filter((n) => isReleaseObject(n, module)).sort();
      if (hits.length === 1) file = join(objDir, hits[0]!);
    }
    if (!file || !existsSync(file)) {
      missing.push(module);
      continue;
    }
    manifestFile ??= findManifest(dirname(file));
    objects.push({ module, file, sha256: sha256Of(file), manifest: 'no manifest' });
  }
  if (!manifestFile && objDir && existsSync(objDir)) manifestFile = findManifest(objDir);
  const out: GaleProvenance = { wasmModules, objects };
  // Without any GALE_WASM_LTO_* setting this is not a gale build (tandem's demo firmware has the
  // switches but no objects), and "missing" would be noise.
  const galeBuild = [...settings.keys()].some((k) => k.startsWith('GALE_WASM_LTO_'));
  if (missing.length && galeBuild) out.missing = missing;
  if (manifestFile) {
    const text = readFileSync(manifestFile, 'utf8');
    let parsed: { version?: string; tools?: unknown; artifacts?: Record<string, string> } = {};
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      // A manifest that is not JSON is recorded by hash only.
    }
    out.manifest = {
      file: manifestFile,
      sha256: createHash('sha256').update(text).digest('hex'),
      signature: existsSync(`${manifestFile}.sig`) ? 'present' : 'absent',
      ...(parsed.version !== undefined ? { version: parsed.version } : {}),
      ...(parsed.tools !== undefined ? { tools: parsed.tools } : {}),
    };
    for (const o of objects) {
      const listed = parsed.artifacts?.[basename(o.file)];
      o.manifest = listed === undefined ? 'not listed' : listed === o.sha256 ? 'match' : 'mismatch';
    }
  }
  return out;
}

function findManifest(dir: string): string | undefined {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return undefined;
  const hits = readdirSync(dir).filter((n) => /^gale-wasm-manifest-.*\.json$/.test(n)).sort();
  // Several releases in one folder: the newest name sorts last.
  return hits.length ? join(dir, hits[hits.length - 1]!) : undefined;
}

function sha256Of(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Kconfig switches worth keeping with a result: what makes this image this variant. */
export function notableKconfig(config: KconfigValues): Record<string, string> {
  const out: Record<string, string> = {};
  const keep = /^CONFIG_(GALE_|SMP$|SPIN_VALIDATE$|WAITQ_|FPU$|BOARD$|CPU_CORTEX_M\d|SRAM_SIZE$)/;
  for (const [k, v] of config.values) if (keep.test(k)) out[k] = v;
  for (const k of config.unset) if (keep.test(k)) out[k] = 'n';
  return out;
}
