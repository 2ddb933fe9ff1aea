// `npm run bench`: measures tandem against the brief's targets on this machine and prints numbers.
//   1. throughput: tandem's wall time on a set of images vs Σ(bare QEMU wall time) / cores
//   2. crash latency: fatal-error line on the console → verdict
//   2b. hang: the demo deadlock under the demo's limits, QEMU and Renode (bench/hang.ts)
//   3. memory: tandem's heap and RSS as the job count grows (logs stream to disk)
//   4. renode: boot → verdict of each demo suite on nucleo_g474re, first boot vs a reused process
//   5. rerun: `tandem rerun --failed` start-up to its first boot (bench/rerun.ts)
//   6. hammer: what a guest's writes to addresses with no model cost it on Renode (bench/hammer.ts)
//   7. short: `tandem run` on short suites (the demo images × 5) against a bare pool of the same
//      QEMU command lines, wall and CPU (bench/cli-vs-pool.ts); `pool` the same on given ELFs
//   8. footprint: reading each image's footprint, new and seen before (bench/footprint.ts)
//   9. cost: a run with `measure:` against the same run without (bench/cost.ts)
// Bare QEMU here means the same command line, read until the image's last verdict line, then killed:
// the least any harness must do.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir, cpus } from 'node:os';
import { spawn } from 'node:child_process';
import { loadScenario, type Scenario } from '../harness/scenario/scenario.js';
import { expandJobs } from '../harness/scenario/expand.js';
import { buildDirOf, createBuilder } from '../harness/build/index.js';
import { createEmulators, closeEmulators } from '../harness/emulators/registry.js';
import { executeRun, defaultConcurrency } from '../harness/run/run.js';
import { runJob } from '../harness/run/run-job.js';
import { qemuArgs, qemuBinary } from '../harness/emulators/qemu.js';
import { createRenodeEmulator } from '../harness/emulators/renode/index.js';
import type { Emulator, Session } from '../harness/emulators/emulator.js';
import type { Image, Job, Platform } from '../harness/domain.js';
import { REPO_ROOT, TANDEM_VERSION } from '../harness/version.js';
import { rerunStartup } from './rerun.js';
import { bareQemu, barePool } from './bare-pool.js';
import { poolBench } from './cli-vs-pool.js';
import { hangLatency } from './hang.js';
import { hammerBench } from './hammer.js';
import { footprintBench } from './footprint.js';
import { costBench } from './cost.js';

const cores = defaultConcurrency();
const work = join(tmpdir(), `tandem-bench-${process.pid}`);
mkdirSync(work, { recursive: true });
const VERDICT = /PROJECT EXECUTION (SUCCESSFUL|FAILED)|Halting system/;

function scenarioFile(name: string, repeatSuites: string[]): string {
  const file = join(work, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}
platforms: [qemu_cortex_m3]
suites:
${repeatSuites.map((s) => `  - { name: ${s}, path: ${REPO_ROOT}/firmware/tests/${s} }`).join('\n')}
variants:
  # CONFIG_BUSY_ROUNDS sizes the busy suite to a real kernel suite's run time (~0.5 s).
  - name: native
    kconfig: [CONFIG_BUSY_ROUNDS=300]
  - name: wasm
    kconfig: [CONFIG_GALE_WASM_LTO_SEM=y, CONFIG_GALE_WASM_LTO_MUTEX=y, CONFIG_BUSY_ROUNDS=300]
build:
  kind: cmake
  build_root: ${REPO_ROOT}/build/bench
timeouts: { wall: 60, silence: 5, crash_grace: 0.5 }
`,
  );
  return file;
}

function load(file: string): Scenario {
  return loadScenario(file, { platformDirs: [join(REPO_ROOT, 'platforms')] });
}

async function run(scenario: Scenario, repeat: number, label: string) {
  const emulators = createEmulators({ workers: cores, repoRoot: REPO_ROOT });
  const runDir = join(work, label);
  try {
    return await executeRun(scenario, {
      runDir,
      runId: label,
      jobs: cores,
      buildJobs: 1,
      selection: { repeat },
      signal: new AbortController().signal,
      builder: createBuilder(scenario),
      emulators,
    });
  } finally {
    await closeEmulators(emulators);
  }
}

async function throughput(): Promise<void> {
  // `busy` runs ~0.5 s of guest work like a real kernel suite; `mutex` is a short one.
  const scenario = load(scenarioFile('throughput', ['busy', 'mutex']));
  const warm = await run(scenario, 1, 'warm-up');
  const platforms = new Map(expandJobs(scenario).map((j) => [j.id, j.platform] as const));
  const repeat = 6;
  const boots: Array<[Image, Platform]> = [];
  for (let i = 0; i < repeat; i++) {
    for (const r of warm.results) boots.push([{ path: String(r.provenance.image), origin: 'cached' }, platforms.get(r.job.id)!]);
  }
  let bare = 0;
  for (const [image, platform] of boots) bare += await bareQemu(image, platform);
  const pool = await barePool(boots, cores);
  const t0 = performance.now();
  const rec = await run(scenario, repeat, 'throughput');
  const tandemMs = performance.now() - t0;
  const bound = bare / cores;
  console.log(`throughput: ${rec.results.length} boots (${warm.results.length} images × ${repeat}), ${cores} cores`);
  console.log(`  Σ bare qemu wall, one at a time   ${(bare / 1000).toFixed(2)} s  → Σ/cores ${(bound / 1000).toFixed(2)} s`);
  console.log(`  bare qemu pool of ${cores}               ${(pool / 1000).toFixed(2)} s`);
  console.log(`  tandem run (builds cached)         ${(tandemMs / 1000).toFixed(2)} s`);
  console.log(`  ratio tandem / (Σ bare / cores)    ${(tandemMs / bound).toFixed(3)}  (target ≤ 1.10)`);
  console.log(`  ratio tandem / bare pool           ${(tandemMs / pool).toFixed(3)}`);
}

/** Wraps the real QEMU emulator to timestamp the chunk that carries the fatal line. */
function timestamping(inner: Emulator, onFatal: (t: number) => void): Emulator {
  return {
    ...inner,
    kind: inner.kind,
    available: () => inner.available(),
    close: () => inner.close(),
    async boot(image, platform, options): Promise<Session> {
      const session = await inner.boot(image, platform, options);
      const source = session.console;
      return {
        ...session,
        stop: () => session.stop(),
        console: {
          async *[Symbol.asyncIterator]() {
            // QEMU writes the UART a few bytes at a time: look for the line across chunks.
            let recent = '';
            let seen = false;
            for await (const chunk of source) {
              recent = (recent + Buffer.from(chunk).toString('latin1')).slice(-256);
              if (!seen && recent.includes('ZEPHYR FATAL ERROR')) {
                seen = true;
                onFatal(performance.now());
              }
              yield chunk;
            }
          },
        },
      };
    },
  };
}

async function crashLatency(): Promise<void> {
  const scenario = load(scenarioFile('crash', ['sem']));
  const built = await run(scenario, 1, 'crash-build');
  const job = expandJobs(scenario).find((j) => j.variant.name === 'wasm')!;
  const imagePath = String(built.results.find((r) => r.job.id === job.id)!.provenance.image);
  const emulators = createEmulators({ workers: 1, repoRoot: REPO_ROOT });
  const samples: number[] = [];
  try {
    for (let i = 0; i < 5; i++) {
      let fatalAt = 0;
      const emu = timestamping(emulators.get('qemu')!, (t) => (fatalAt = t));
      const withImage: Job = { ...job, image: { path: imagePath, origin: 'cached' } };
      const result = await runJob(withImage, emu, {
        runDir: join(work, `crash-${i}`),
        signal: new AbortController().signal,
        provenance: { tandemVersion: TANDEM_VERSION, host: 'bench' },
      });
      const verdictAt = performance.now();
      if (result.verdict !== 'crashed') throw new Error(`expected a crash, got ${result.verdict}`);
      samples.push(verdictAt - fatalAt);
    }
  } finally {
    await closeEmulators(emulators);
  }
  samples.sort((a, b) => a - b);
  console.log(`crash latency: fatal line → verdict over ${samples.length} boots: median ${samples[2]!.toFixed(0)} ms, max ${samples[4]!.toFixed(0)} ms (target ≤ 1000 ms; grace for the dump 500 ms, ended early by 'Halting system')`);
}

async function memory(): Promise<void> {
  const scenario = load(scenarioFile('memory', ['basic']));
  await run(scenario, 1, 'memory-build');
  console.log('memory: heap and RSS after runs of growing size (basic image, both variants):');
  for (const repeat of [5, 20, 60]) {
    globalThis.gc?.();
    const before = process.memoryUsage();
    const rec = await run(scenario, repeat, `memory-${repeat}`);
    globalThis.gc?.();
    const after = process.memoryUsage();
    console.log(
      `  ${String(rec.results.length).padStart(4)} jobs: heap ${(after.heapUsed / 2 ** 20).toFixed(1)} MiB (Δ ${((after.heapUsed - before.heapUsed) / 2 ** 20).toFixed(1)}), rss ${(after.rss / 2 ** 20).toFixed(1)} MiB`,
    );
  }
}

/**
 * Renode: `runJob` on each demo suite for nucleo_g474re (fast timing, one worker), as a run does.
 * The first boot pays for starting Renode and compiling the board's C# models; every later boot
 * reuses that process and, for the same board, its machine (reset, new ELF). For comparison the
 * same boots on a new machine each time (same process). Suites that hang are left out: their time
 * is their silence timeout, not a boot.
 */
async function renode(): Promise<void> {
  const probe = createRenodeEmulator({ repoRoot: REPO_ROOT, workers: 1 });
  const availability = await probe.available();
  await probe.close();
  if (!availability.ok) {
    console.log(`renode: skipped: ${availability.reason ?? 'not available'}`);
    return;
  }
  const scenario = load(join(REPO_ROOT, 'scenarios/demo.yaml'));
  const jobs = expandJobs(scenario, { platforms: ['nucleo_g474re'] }).map((job) => ({
    ...job,
    platform: { ...job.platform, renode: { ...job.platform.renode!, timing: 'fast' as const } },
  }));
  const builder = createBuilder(scenario);
  for (const job of jobs) {
    const out = await builder.build({
      job,
      buildDir: buildDirOf(scenario, job.platform.name, job.variant.name, job.suite.name)!,
      logFile: join(work, `renode-build-${job.variant.name}-${job.suite.name}.log`),
      signal: new AbortController().signal,
    });
    if (!out.ok) {
      console.log(`renode: skipped: ${job.id} does not build: ${out.message}`);
      return;
    }
    job.image = out.image;
  }
  let n = 0;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const rounds = 5;
  const measure = async (reuseMachines: boolean) => {
    const emulator = createRenodeEmulator({ repoRoot: REPO_ROOT, workers: 1, reuseMachines });
    const once = async (job: Job) => {
      const t0 = performance.now();
      const result = await runJob(job, emulator, {
        runDir: join(work, `renode-${n++}`),
        signal: new AbortController().signal,
        provenance: { tandemVersion: TANDEM_VERSION, host: 'bench' },
      });
      return { result, ms: performance.now() - t0 };
    };
    try {
      const first = await once(jobs[0]!);
      const verdicts = new Map<string, string>();
      const left: string[] = [];
      const timed: Job[] = [];
      for (const job of jobs) {
        const { result } = job === jobs[0] ? first : await once(job);
        verdicts.set(job.id, result.verdict);
        if (result.end.kind === 'silence' || result.end.kind === 'wall') left.push(`${job.id} (${result.end.kind})`);
        else timed.push(job);
      }
      const samples = new Map<string, number[]>(timed.map((j) => [j.id, []]));
      for (let r = 0; r < rounds; r++) {
        for (const job of timed) {
          const { result, ms } = await once(job);
          if (result.verdict !== verdicts.get(job.id)) throw new Error(`${job.id}: ${result.verdict} on a later boot, ${verdicts.get(job.id)} on the first`);
          samples.get(job.id)!.push(ms);
        }
      }
      return { first: first.ms, timed, verdicts, left, medians: new Map([...samples].map(([id, xs]) => [id, median(xs)])), stats: emulator.stats() };
    } finally {
      await emulator.close();
    }
  };
  const reused = await measure(true);
  const recreated = await measure(false);
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(`renode ${availability.version ?? ''}: runJob from call to result (boot, verdict, stop), nucleo_g474re, fast timing, 1 worker`);
  console.log(`  first boot: start Renode, compile models, ${jobs[0]!.id}   ${s(reused.first)}`);
  console.log(`  later boots, median of ${rounds}:           reused machine   new machine   target`);
  for (const job of reused.timed) {
    const m = reused.medians.get(job.id)!;
    const c = recreated.medians.get(job.id);
    console.log(`    ${job.id.padEnd(28)} ${reused.verdicts.get(job.id)!.padEnd(8)} ${s(m).padStart(10)}   ${(c === undefined ? '-' : s(c)).padStart(11)}   ${m <= 300 ? 'ok' : 'OVER'} (≤ 0.30 s)`);
  }
  for (const l of reused.left) console.log(`    left out (a hang lasts its timeout): ${l}`);
  console.log(`  machines: ${reused.stats.created} created, ${reused.stats.reused} reused (reset); without reuse ${recreated.stats.created} created`);
}

async function main(): Promise<void> {
  console.log(`tandem ${TANDEM_VERSION} bench on ${cpus()[0]?.model ?? 'cpu'} × ${cores}`);
  const which = process.argv[2];
  try {
    if (!which || which === 'throughput') await throughput();
    if (!which || which === 'crash') await crashLatency();
    if (!which || which === 'hang') await hangLatency(work);
    if (!which || which === 'memory') await memory();
    if (!which || which === 'renode') await renode();
    if (!which || which === 'rerun') await rerunStartup(work);
    if (!which || which === 'hammer') await hammerBench(work);
    if (!which || which === 'short') await poolBench(process.argv.slice(3), 'short');
    if (which === 'pool') await poolBench(process.argv.slice(3), 'pool');
    if (!which || which === 'footprint') await footprintBench(work, process.argv.slice(3));
    if (!which || which === 'cost') await costBench(process.argv.slice(3));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
