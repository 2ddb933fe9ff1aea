// `tandem demo`: the built-in demo from wherever tandem is installed. The scenario and firmware
// sources are read from the package; builds and reports go under the current folder, because an
// installed package (node_modules/…) is no place to write.
import { join, resolve } from 'node:path';
import { REPO_ROOT } from '../version.js';
import { EXIT } from './common.js';
import { cmdRun } from './run.js';

export const DEMO_SCENARIO = join(REPO_ROOT, 'scenarios', 'demo.yaml');

export async function cmdDemo(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) return cmdRun(['--help']);
  const buildRoot = argv.includes('--build-root') ? [] : ['--build-root', resolve('build', '{scenario}')];
  const code = await cmdRun([DEMO_SCENARIO, ...buildRoot, ...argv]);
  // The demo's wasm variant regresses on purpose: finding that is the demo working.
  if (code === EXIT.regressed) {
    console.log('demo: tandem exited 1 because the wasm candidate regressed — which is what this demo shows');
    return EXIT.ok;
  }
  if (code === EXIT.ok) console.log('demo: no regression found (unexpected for this demo: its wasm variant is built to regress)');
  return code;
}
