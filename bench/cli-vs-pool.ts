// `npm run bench -- pool [--images <elf>…] [--platform P] [--rounds N]`: the whole `tandem run`
// (a child process: start-up, module loading, planning, boots, every report) against a bare pool
// of the same QEMU command lines, side by side, on the demo images or the ELFs given; prints the
// ratio and where tandem's extra time goes.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadPlatform } from '../harness/scenario/platform.js';
import { defaultConcurrency } from '../harness/run/run.js';
import type { Image, Platform, RunRecord } from '../harness/domain.js';
import { REPO_ROOT } from '../harness/version.js';
import { barePool } from './bare-pool.js';

// The command as a user runs it (bin/tandem, the launcher package.json names).
const TANDEM = join(REPO_ROOT, 'bin/tandem');
/** Demo images that end with a verdict line (the hang never does: a bare pool could not end it). */
const DEMO = ['native/basic', 'native/sem', 'native/mutex', 'native/msgq', 'wasm/basic', 'wasm/sem', 'wasm/mutex'];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function demoImages(platform: string): string[] {
  const paths = DEMO.map((d) => join(REPO_ROOT, 'build/demo', platform, d, 'zephyr/zephyr.elf'));
  if (paths.some((p) => !existsSync(p))) {
    // Build them the way a user would (the demo scenario, this platform only).
    spawnSync(TANDEM, ['run', join(REPO_ROOT, 'scenarios/demo.yaml'), '--platform', platform, '--out', join(tmpdir(), `tandem-bench-demo-${process.pid}`), '-q'], { stdio: 'ignore' });
  }
  return paths.filter((p) => existsSync(p));
}

/** A prebuilt scenario over the ELFs: one suite per image, no builds. */
function scenarioFor(dir: string, elfs: string[], platform: string): string {
  mkdirSync(join(dir, 'img'), { recursive: true });
  const names = elfs.map((elf, i) => {
    const name = `i${i}`;
    symlinkSync(resolve(elf), join(dir, 'img', `${name}.elf`));
    return name;
  });
  const file = join(dir, 'pool.yaml');
  writeFileSync(file, `name: pool\nplatforms: [${platform}]\nsuites:\n${names.map((n) => `  - { name: ${n} }`).join('\n')}\nvariants: [{ name: native }]\nimages: ${join(dir, 'img')}/{suite}.elf\n`);
  return file;
}

function timeTandem(file: string, out: string): { ms: number; record: RunRecord } {
  rmSync(out, { recursive: true, force: true });
  const t0 = performance.now();
  spawnSync(TANDEM, ['run', file, '--out', out, '-q'], { stdio: 'ignore' });
  const ms = performance.now() - t0;
  return { ms, record: JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunRecord };
}

export async function poolBench(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: { images: { type: 'string', multiple: true }, platform: { type: 'string' }, rounds: { type: 'string' } }, allowPositionals: true, strict: false });
  const platformName = (values.platform as string | undefined) ?? 'qemu_cortex_m3';
  const platform: Platform = loadPlatform(join(REPO_ROOT, 'platforms', `${platformName}.yaml`));
  // `--images a.elf b.elf …`: the values after the flag arrive as positionals.
  const given = [...((values.images as string[] | undefined) ?? []), ...positionals.filter((p) => p.endsWith('.elf'))];
  const elfs = given.length ? given : demoImages(platformName);
  const rounds = Number(values.rounds ?? 5);
  const cores = defaultConcurrency();
  if (elfs.length === 0) {
    console.log('pool: skipped: no images (build the demo, or pass --images <elf>…)');
    return;
  }
  const dir = join(tmpdir(), `tandem-bench-pool-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  try {
    const file = scenarioFor(dir, elfs, platformName);
    const boots: Array<[Image, Platform]> = elfs.map((p) => [{ path: resolve(p), origin: 'prebuilt' }, platform]);
    // Warm the page cache and node's compile cache once, then interleave the two so that a busy
    // moment of this shared machine hits both alike.
    timeTandem(file, join(dir, 'warm'));
    const bare: number[] = [];
    const tandem: number[] = [];
    const inRun: number[] = [];
    for (let i = 0; i < rounds; i++) {
      bare.push(await barePool(boots, cores));
      const t = timeTandem(file, join(dir, `run${i}`));
      tandem.push(t.ms);
      inRun.push(t.record.wallMs);
    }
    const t0 = performance.now();
    spawnSync(TANDEM, ['--version'], { stdio: 'ignore' });
    const startup = performance.now() - t0;
    const n0 = performance.now();
    spawnSync(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    const nodeAlone = performance.now() - n0;
    const b = median(bare);
    const t = median(tandem);
    const r = median(inRun);
    console.log(`pool: ${elfs.length} images on ${platformName}, ${cores} slots, median of ${rounds} interleaved rounds${given.length ? '' : ' (the demo images that end with a verdict)'}`);
    console.log(`  bare qemu pool of ${cores}                 ${(b / 1000).toFixed(2)} s`);
    console.log(`  tandem run (child process, all reports) ${(t / 1000).toFixed(2)} s`);
    console.log(`  ratio tandem / bare pool              ${(t / b).toFixed(3)}  (target ≤ 1.10)`);
    console.log(`  where tandem's time goes: start-up ${(startup / 1000).toFixed(2)} s (tandem --version; node alone ${(nodeAlone / 1000).toFixed(2)} s${process.env.NODE_EXTRA_CA_CERTS ? ', with NODE_EXTRA_CA_CERTS read, which bin/tandem skips' : ''}), the run itself ${(r / 1000).toFixed(2)} s, planning, reports and exit ${((t - r - startup) / 1000).toFixed(2)} s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
