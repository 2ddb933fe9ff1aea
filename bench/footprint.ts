// `npm run bench footprint [--images <elf>…]`: what reading an image's footprint (ELF tables and
// zephyr.map, harness/run/footprint.ts) adds to a run: per new image (target ≤ 50 ms) and per
// image seen before (a later run finds it in the cache). Each figure is from processes of their
// own (bench/footprint-child.ts), the new images' in three rounds with empty caches (per image the
// fastest, so a busy machine's pauses are not the reader's); the demo's images on every platform
// plus any given (real Zephyr images with their maps).
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadScenario } from '../harness/scenario/scenario.js';
import { expandJobs } from '../harness/scenario/expand.js';
import { buildDirOf, createBuilder } from '../harness/build/index.js';
import { REPO_ROOT } from '../harness/version.js';

const exec = promisify(execFile);
const ROUNDS = 3;

async function demoImages(work: string): Promise<string[]> {
  const scenario = loadScenario(join(REPO_ROOT, 'scenarios/demo.yaml'), { platformDirs: [join(REPO_ROOT, 'platforms')] });
  if (scenario.build.kind !== 'prebuilt') scenario.build.buildRoot = join(REPO_ROOT, 'build/bench');
  const builder = createBuilder(scenario);
  const out: string[] = [];
  for (const job of expandJobs(scenario)) {
    const built = await builder.build({ job, buildDir: buildDirOf(scenario, job.platform.name, job.variant.name, job.suite.name)!, logFile: join(work, 'footprint-build.log'), signal: new AbortController().signal });
    if (built.ok) out.push(built.image.path);
  }
  return out;
}

type Times = Array<{ wall: number; cpu: number }>;

async function child(cacheDir: string, images: string[]): Promise<Times> {
  const { stdout } = await exec(process.execPath, [join(REPO_ROOT, 'dist/bench/footprint-child.js'), cacheDir, ...images], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as Times;
}

export async function footprintBench(work: string, args: string[]): Promise<void> {
  const given = args.indexOf('--images') >= 0 ? args.slice(args.indexOf('--images') + 1) : [];
  const images = [...(await demoImages(work)), ...given];
  const rounds: Times[] = [];
  let cacheDir = '';
  for (let r = 0; r < ROUNDS; r++) rounds.push(await child((cacheDir = mkdtempSync(join(work, 'footprint-cache-'))), images));
  const fastest = (i: number, k: 'wall' | 'cpu') => Math.min(...rounds.map((t) => t[i]![k]));
  const fresh = images.map((_, i) => ({ wall: fastest(i, 'wall'), cpu: fastest(i, 'cpu') }));
  const later = await child(cacheDir, images);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const ms = (x: number) => `${x.toFixed(1)} ms`.padStart(8);
  const name = (i: number) => images[i]!.split('/').slice(-5, -2).join('/');
  const line = (label: string, t: Times, from: number) => {
    const wall = t.map((x) => x.wall);
    const cpu = t.map((x) => x.cpu);
    return `  ${label.padEnd(38)} wall median ${ms(median(wall))}, max ${ms(Math.max(...wall))} (${name(wall.indexOf(Math.max(...wall)) + from)}) · cpu median ${ms(median(cpu))}, max ${ms(Math.max(...cpu))}`;
  };
  console.log(`footprint: ${images.length} images (${images.length - given.length} demo${given.length ? `, ${given.length} given` : ''}): ELF tables + zephyr.map; sha256 known, as in a run; fastest of ${ROUNDS} processes`);
  console.log(`  first image of a process (loading, compiling): wall ${ms(fresh[0]!.wall)} · cpu ${ms(fresh[0]!.cpu)}`);
  console.log(`${line('new, each image after the first', fresh.slice(1), 1)}   target ≤ 50 ms`);
  if (given.length) console.log(line('new, the given images', fresh.slice(-given.length), images.length - given.length));
  console.log(line('seen before (a later run, the cache)', later, 0));
}
