// The demo firmware as a scenario for tests that drive `tandem run` for real.
import { join } from 'node:path';
import { REPO_ROOT } from '../../harness/version.js';

/** Shared with the other end-to-end tests and kept between runs: builds are incremental. */
export const DEMO_BUILD_ROOT = join(REPO_ROOT, 'build/test-e2e');

export interface DemoOptions {
  suites?: string[];
  silence?: number;
  wall?: number;
  buildRoot?: string;
  /** Extra top-level YAML. */
  extra?: string;
}

export function demoScenario(o: DemoOptions = {}): string {
  const suites = o.suites ?? ['basic', 'sem', 'mutex', 'msgq'];
  return `name: faults
platforms: [qemu_cortex_m3]
suites:
${suites.map((s) => `  - { name: ${s}, path: ${REPO_ROOT}/firmware/tests/${s} }`).join('\n')}
variants:
  - name: native
  - name: wasm
    kconfig: [CONFIG_GALE_WASM_LTO_SEM=y, CONFIG_GALE_WASM_LTO_MUTEX=y, CONFIG_GALE_WASM_LTO_MSGQ=y]
build:
  kind: cmake
  build_root: ${o.buildRoot ?? DEMO_BUILD_ROOT}
timeouts: { wall: ${o.wall ?? 60}, silence: ${o.silence ?? 3}, crash_grace: 0.5 }
${o.extra ?? ''}`;
}
