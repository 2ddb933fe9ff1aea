// `npm run bench -- short [--repeat N] [--rounds N]` and `npm run bench -- pool [--images <elf>…]
// [--platform P] [--repeat N] [--rounds N]`: the whole `tandem run` (bin/tandem as a child process:
// start-up, planning, boots, every report) against a bare pool of the same QEMU command lines
// (bare-pool-main.ts, also a child process), both timed and both charged their CPU (user + sys of
// the process and everything it started, from /proc/self/stat once each has been reaped). Rounds
// alternate bare, tandem, bare, … so that a busy moment of a shared machine hits both alike; the
// ratios are medians of the rounds' ratios. `short` runs the demo images (short suites, ~35 ms of
// QEMU each) five times over; `pool` the ELFs given, once.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadPlatform } from '../harness/scenario/platform.js';
import { defaultConcurrency } from '../harness/run/run.js';
import { qemuArgs, qemuBinary } from '../harness/emulators/qemu.js';
import type { RunRecord } from '../harness/domain.js';
import { REPO_ROOT } from '../harness/version.js';

// The command as a user runs it (bin/tandem, the launcher package.json names).
const TANDEM = join(REPO_ROOT, 'bin/tandem');
const BARE = fileURLToPath(new URL('./bare-pool-main.js', import.meta.url));
/** Demo images that end with a verdict line (the hang never does: a bare pool could not end it). */
const DEMO = ['native/basic', 'native/sem', 'native/mutex', 'native/msgq', 'wasm/basic', 'wasm/sem', 'wasm/mutex'];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
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

/** CPU (user + sys, ms) of every reaped child of this process and their descendants, so far. */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'latin1');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) * 10;
}

/** Runs a command to its end: its wall time and the CPU it and everything it started used. */
function measure(file: string, args: string[]): { ms: number; cpuMs: number } {
  const c0 = childrenCpuMs();
  const t0 = performance.now();
  spawnSync(file, args, { stdio: 'ignore' });
  return { ms: performance.now() - t0, cpuMs: childrenCpuMs() - c0 };
}

function runTandem(file: string, out: string, repeat: number): { ms: number; cpuMs: number; record: RunRecord } {
  rmSync(out, { recursive: true, force: true });
  const m = measure(TANDEM, ['run', file, '--out', out, '-q', ...(repeat > 1 ? ['--repeat', String(repeat)] : [])]);
  return { ...m, record: JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunRecord };
}

export async function poolBench(argv: string[], which: 'pool' | 'short'): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: { images: { type: 'string', multiple: true }, platform: { type: 'string' }, rounds: { type: 'string' }, repeat: { type: 'string' } }, allowPositionals: true, strict: false });
  const platformName = (values.platform as string | undefined) ?? 'qemu_cortex_m3';
  const platform = loadPlatform(join(REPO_ROOT, 'platforms', `${platformName}.yaml`));
  // `--images a.elf b.elf …`: the values after the flag arrive as positionals.
  const given = [...((values.images as string[] | undefined) ?? []), ...positionals.filter((p) => p.endsWith('.elf'))];
  const elfs = given.length ? given : demoImages(platformName);
  const rounds = Number(values.rounds ?? (which === 'short' ? 7 : 5));
  const repeat = Number(values.repeat ?? (which === 'short' && !given.length ? 5 : 1));
  const slots = defaultConcurrency();
  if (elfs.length === 0) {
    console.log(`${which}: skipped: no images (build the demo, or pass --images <elf>…)`);
    return;
  }
  const dir = join(tmpdir(), `tandem-bench-pool-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  try {
    const file = scenarioFor(dir, elfs, platformName);
    // Two warm-up runs: the page cache, tandem's caches, and each image's duration, so that tandem
    // (from the earlier runs beside it) and the bare pool both start the longest first.
    runTandem(file, join(dir, 'warm0'), repeat);
    const warm = runTandem(file, join(dir, 'warm1'), repeat).record;
    const wallOf = (i: number) => Math.max(0, ...warm.results.filter((r) => r.job.suite === `i${i}`).map((r) => r.wallMs));
    const order = elfs.map((_, i) => i).sort((a, b) => wallOf(b) - wallOf(a));
    const commands = order.flatMap((i) => Array.from({ length: repeat }, () => [qemuBinary(), ...qemuArgs({ path: resolve(elfs[i]!), origin: 'prebuilt' }, platform)]));
    const commandFile = join(dir, 'bare.json');
    writeFileSync(commandFile, JSON.stringify(commands));
    const bare: Array<{ ms: number; cpuMs: number }> = [];
    const tandem: Array<{ ms: number; cpuMs: number; inRun: number }> = [];
    const load0 = loadavg()[0]!;
    for (let i = 0; i < rounds; i++) {
      bare.push(measure(process.execPath, [BARE, String(slots), commandFile]));
      const t = runTandem(file, join(dir, `run${i}`), repeat);
      tandem.push({ ms: t.ms, cpuMs: t.cpuMs, inRun: t.record.wallMs });
    }
    const load1 = loadavg()[0]!;
    // Start-up alone, median of three: one sample on a busy machine says little.
    const startup = median([0, 1, 2].map(() => measure(TANDEM, ['--version']).ms));
    const nodeAlone = median([0, 1, 2].map(() => measure(process.execPath, ['-e', '0']).ms));
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    const b = { ms: median(bare.map((x) => x.ms)), cpu: median(bare.map((x) => x.cpuMs)) };
    const t = { ms: median(tandem.map((x) => x.ms)), cpu: median(tandem.map((x) => x.cpuMs)), inRun: median(tandem.map((x) => x.inRun)) };
    const wallRatio = median(tandem.map((x, i) => x.ms / bare[i]!.ms));
    const cpuRatio = median(tandem.map((x, i) => x.cpuMs / bare[i]!.cpuMs));
    const boots = commands.length;
    const what = given.length ? `${elfs.length} images` : `${elfs.length} demo images (short suites)`;
    console.log(`${which}: ${boots} boots (${what}${repeat > 1 ? ` × ${repeat}` : ''}) on ${platformName}, ${slots} slots, median of ${rounds} interleaved rounds; load average ${load0.toFixed(1)} → ${load1.toFixed(1)}`);
    console.log(`                                          wall      CPU user+sys`);
    console.log(`  bare qemu pool of ${slots} (child process)     ${s(b.ms).padStart(7)}   ${s(b.cpu).padStart(7)}`);
    console.log(`  tandem run (child process, all reports) ${s(t.ms).padStart(7)}   ${s(t.cpu).padStart(7)}`);
    console.log(`  ratio tandem / bare pool                ${wallRatio.toFixed(3).padStart(7)}   ${cpuRatio.toFixed(3).padStart(7)}   (targets ≤ 1.10 wall, ≤ 1.15 CPU)`);
    console.log(`  tandem's extra CPU: ${((t.cpu - b.cpu) / boots).toFixed(1)} ms per boot, fixed costs included`);
    console.log(`  where tandem's time goes: start-up ${s(startup)} (tandem --version; node alone ${s(nodeAlone)}${process.env.NODE_EXTRA_CA_CERTS ? ', with NODE_EXTRA_CA_CERTS read, which bin/tandem skips' : ''}), the run itself ${s(t.inRun)}, planning, reports and exit ${s(t.ms - t.inRun - startup)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
