// The demo firmware as a scenario for tests that drive `tandem run` for real.
import { join } from 'node:path';
import { REPO_ROOT } from '../../harness/version.js';

/** Shared with the other end-to-end tests and kept between runs: builds are incremental. */
export const DEMO_BUILD_ROOT = join(REPO_ROOT, 'build/test-e2e');

export interface DemoOptions {
  /** Scenario name (default `faults`). */
  name?: string;
  suites?: string[];
  /** Kconfig lines of the `wasm` variant (default: all three gale modules). */
  wasm?: string[];
  clock?: 'guest' | 'host';
  silence?: number;
  wall?: number;
  buildRoot?: string;
  /** Extra top-level YAML. */
  extra?: string;
}

export function demoScenario(o: DemoOptions = {}): string {
  const suites = o.suites ?? ['basic', 'sem', 'mutex', 'msgq'];
  const wasm = o.wasm ?? ['CONFIG_GALE_WASM_LTO_SEM=y', 'CONFIG_GALE_WASM_LTO_MUTEX=y', 'CONFIG_GALE_WASM_LTO_MSGQ=y'];
  return `name: ${o.name ?? 'faults'}
platforms: [qemu_cortex_m3]
suites:
${suites.map((s) => `  - { name: ${s}, path: ${REPO_ROOT}/firmware/tests/${s} }`).join('\n')}
variants:
  - name: native
  - name: wasm
    kconfig: [${wasm.join(', ')}]
build:
  kind: cmake
  build_root: ${o.buildRoot ?? DEMO_BUILD_ROOT}
timeouts: { wall: ${o.wall ?? 60}, silence: ${o.silence ?? 3}, crash_grace: 0.5${o.clock ? `, clock: ${o.clock}` : ''} }
${o.extra ?? ''}`;
}

/** Builds (or finds in the shared build root) one demo image and returns its path. */
export async function demoImage(suite: string, variant: 'native' | 'wasm', scratchDir: string): Promise<string> {
  const { writeFileSync, mkdirSync } = await import('node:fs');
  const { loadScenario } = await import('../../harness/scenario/scenario.js');
  const { buildAll } = await import('./build.js');
  mkdirSync(DEMO_BUILD_ROOT, { recursive: true });
  const file = join(scratchDir, `demo-${suite}-${variant}.yaml`);
  writeFileSync(file, demoScenario({ suites: [suite] }));
  const scenario = loadScenario(file, { platformDirs: [join(REPO_ROOT, 'platforms')] });
  const [built] = await buildAll(scenario, scratchDir, { variants: [variant] });
  if (!built?.outcome.ok) throw new Error(`demo ${suite}/${variant} did not build: ${built?.outcome.ok === false ? built.outcome.message : 'no job'}\n${built?.log ?? ''}`);
  return built.outcome.image.path;
}
