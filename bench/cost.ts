// `npm run bench -- cost [--images <elf>…] [--platform P] [--rounds N] [--functions a,b]`: the whole
// `tandem run` (a child process) with `measure:` against the same run without it, interleaved, on
// the demo scenario or on the ELFs given (one suite each, gale's surfaces measured unless
// --functions says otherwise). Prints the medians and the ratio (target ≤ 1.5).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { RunRecord } from '../harness/domain.js';
import { GALE_MODULES } from '../harness/zephyr/gale.js';
import { REPO_ROOT } from '../harness/version.js';

const TANDEM = join(REPO_ROOT, 'bin/tandem');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** The scenario twice: as given (or over the ELFs) with `measure:`, and without it. */
function scenarios(dir: string, elfs: string[], platform: string, functions: string[]): { measured: string; plain: string } {
  let text: string;
  if (elfs.length) {
    mkdirSync(join(dir, 'img'), { recursive: true });
    const names = elfs.map((elf, i) => {
      symlinkSync(resolve(elf), join(dir, 'img', `i${i}.elf`));
      return `i${i}`;
    });
    text = `name: cost\nplatforms: [${platform}]\nsuites:\n${names.map((n) => `  - { name: ${n} }`).join('\n')}\nvariants: [{ name: native }]\nimages: ${join(dir, 'img')}/{suite}.elf\ntimeouts: { wall: 120, silence: 30, crash_grace: 1 }\n`;
  } else {
    // The demo as `tandem demo` runs it, on one platform, its builds where `tandem demo` keeps them.
    text = readFileSync(join(REPO_ROOT, 'scenarios/demo.yaml'), 'utf8')
      .replace(/^platforms: .*$/m, `platforms: [${platform}]`)
      .replace(/path: \.\.\/firmware/g, `path: ${REPO_ROOT}/firmware`)
      .replace(/^measure:\n(  .*\n)+/m, '')
      .replace(/^build:\n/m, `build:\n  build_root: ${REPO_ROOT}/build/demo\n`);
  }
  const plain = join(dir, 'plain.yaml');
  const measured = join(dir, 'measured.yaml');
  writeFileSync(plain, text);
  writeFileSync(measured, `${text}measure: { functions: [${functions.join(', ')}] }\n`);
  return { measured, plain };
}

function timeRun(file: string, out: string): { ms: number; record: RunRecord } {
  rmSync(out, { recursive: true, force: true });
  const t0 = performance.now();
  spawnSync(TANDEM, ['run', file, '--out', out, '-q'], { stdio: 'ignore', env: process.env });
  const ms = performance.now() - t0;
  return { ms, record: JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunRecord };
}

export async function costBench(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: { images: { type: 'string', multiple: true }, platform: { type: 'string' }, rounds: { type: 'string' }, functions: { type: 'string' } }, allowPositionals: true, strict: false });
  const platform = (values.platform as string | undefined) ?? 'qemu_cortex_m3';
  const elfs = [...((values.images as string[] | undefined) ?? []), ...positionals.filter((p) => p.endsWith('.elf'))];
  const functions = typeof values.functions === 'string' ? values.functions.split(',') : elfs.length ? Object.values(GALE_MODULES).map((m) => m.replaces) : ['k_sem_give', 'k_mutex_unlock', 'k_msgq_put'];
  const rounds = Number(values.rounds ?? 5);
  const dir = join(tmpdir(), `tandem-bench-cost-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    const { measured, plain } = scenarios(dir, elfs, platform, functions);
    // Builds, the plugin's first compile, Renode's models: once, outside the rounds.
    // Each run in a folder of its own: `tandem run` reads the run.json files beside its --out (longest first).
    timeRun(measured, join(dir, 'warm', 'out'));
    const a: number[] = [];
    const b: number[] = [];
    let last: RunRecord | undefined;
    for (let i = 0; i < rounds; i++) {
      a.push(timeRun(plain, join(dir, `plain${i}`, 'out')).ms);
      const m = timeRun(measured, join(dir, `measured${i}`, 'out'));
      b.push(m.ms);
      last = m.record;
    }
    const calls = (last?.results ?? []).reduce((n, r) => n + (r.cost?.cases ?? []).reduce((k, c) => k + Object.values(c.functions).reduce((j, s) => j + s.calls, 0), 0), 0);
    const jobs = (last?.results ?? []).filter((r) => r.cost).length;
    const [pm, mm] = [median(a), median(b)];
    console.log(`cost: ${elfs.length ? `${elfs.length} images` : 'the demo scenario'} on ${platform}, measuring ${functions.join(', ')}; median of ${rounds} interleaved rounds`);
    console.log(`  tandem run, unmeasured                 ${(pm / 1000).toFixed(2)} s`);
    console.log(`  tandem run, measured (${jobs} jobs, ${calls} calls counted) ${(mm / 1000).toFixed(2)} s`);
    console.log(`  ratio measured / unmeasured            ${(mm / pm).toFixed(3)}  (target ≤ 1.5)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
