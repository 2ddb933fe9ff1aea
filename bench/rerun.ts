// `npm run bench rerun`: how soon `tandem rerun --failed` starts its first boot (goal: < 1 s), as a
// user runs it: the CLI as a child process on a demo run, the time it prints, median of 5.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../harness/version.js';

const exec = promisify(execFile);
const TANDEM = join(REPO_ROOT, 'bin/tandem.js');

async function cli(args: string[]): Promise<string> {
  try {
    return (await exec(process.execPath, [TANDEM, ...args], { maxBuffer: 16 << 20 })).stdout;
  } catch (err) {
    return (err as { stdout: string }).stdout;
  }
}

export async function rerunStartup(work: string): Promise<void> {
  const runDir = join(work, 'rerun-base');
  await cli(['run', join(REPO_ROOT, 'scenarios/demo.yaml'), '--platform', 'qemu_cortex_m3', '--out', runDir, '-q']);
  const process: number[] = [];
  const command: number[] = [];
  for (let i = 0; i < 5; i++) {
    const out = await cli(['rerun', runDir, '--failed', '--out', join(work, `rerun-${i}`), '-q']);
    const m = /first boot started (\d+\.\d+) s after the process \((\d+\.\d+) s after the command began\)/.exec(out);
    if (!m) throw new Error(`tandem rerun printed no start time:\n${out}`);
    process.push(Number(m[1]));
    command.push(Number(m[2]));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`rerun --failed (3 demo jobs): first boot after process start: median ${median(process).toFixed(2)} s, max ${Math.max(...process).toFixed(2)} s (target < 1 s); after the command began: median ${median(command).toFixed(2)} s`);
}
