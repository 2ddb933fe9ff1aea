// `npm run bench hang`: how soon the demo's deadlock (wasm msgq) is a verdict under the demo's own
// limits (60 s of guest silence, 60 s in all), on QEMU and, when present, Renode. Target: ≤ 3 s
// of wall time from the guest going silent. Run as a user runs it: `bin/tandem run` on a scenario
// of that one job, the image built (or taken from the build cache) by a first run.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../harness/domain.js';
import { locateRenode } from '../harness/emulators/renode/locate.js';
import { REPO_ROOT } from '../harness/version.js';

const TANDEM = join(REPO_ROOT, 'bin/tandem');

export async function hangLatency(work: string): Promise<void> {
  const platforms = ['qemu_cortex_m3', ...(locateRenode() ? ['nucleo_g474re'] : [])];
  const file = join(work, 'hang.yaml');
  writeFileSync(file, `name: hang
platforms: [${platforms.join(', ')}]
suites:
  - { name: msgq, path: ${REPO_ROOT}/firmware/tests/msgq }
variants:
  - { name: wasm, kconfig: [CONFIG_GALE_WASM_LTO_MSGQ=y] }
build: { kind: cmake, build_root: ${REPO_ROOT}/build/bench }
timeouts: { wall: 60, silence: 60, crash_grace: 0.5 }
`);
  const samples = new Map<string, Array<{ wall: number; reason: string }>>();
  // The first run builds and starts Renode cold; the rounds after it are what a user sees again.
  for (let round = 0; round < 4; round++) {
    const out = join(work, `hang-${round}`);
    spawnSync(TANDEM, ['run', file, '--out', out, '-q', '--no-snapshot'], { stdio: 'ignore' });
    const record = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunRecord;
    if (round === 0) continue;
    for (const r of record.results) {
      if (r.verdict !== 'timeout') throw new Error(`${r.job.id}: expected a hang, got ${r.verdict}`);
      const host = 'hostMs' in r.end ? r.end.hostMs : undefined;
      const list = samples.get(r.job.id) ?? [];
      list.push({ wall: host ?? r.wallMs, reason: r.reason ?? r.end.kind });
      samples.set(r.job.id, list);
    }
  }
  console.log('hang: the demo deadlock (wasm msgq) under 60 s guest silence / 60 s guest wall, boot → verdict (host ms the limit took), median of 3 runs');
  for (const [id, list] of samples) {
    const sorted = [...list].sort((a, b) => a.wall - b.wall);
    const mid = sorted[sorted.length >> 1]!;
    console.log(`  ${id.padEnd(28)} ${(mid.wall / 1000).toFixed(2)} s  ${mid.wall <= 3000 ? 'ok' : 'OVER'} (≤ 3 s)  ${mid.reason}`);
  }
  if (platforms.length === 1) console.log('  nucleo_g474re: skipped (needs Renode: TANDEM_RENODE or renode on PATH)');
}
