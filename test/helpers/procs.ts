// Finding the processes a test started, straight from /proc: every process a test spawns inherits
// its TANDEM_TEST_TAG, so processes of other runs on this machine (other checkouts, other helpers'
// emulators) are never counted, and never killed.
import { readFileSync, readdirSync } from 'node:fs';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { REPO_ROOT } from '../../harness/version.js';

export const TANDEM = join(REPO_ROOT, 'bin/tandem.js');

export interface Tagged {
  tag: string;
  env: NodeJS.ProcessEnv;
}

export function newTag(name: string): Tagged {
  const tag = `${name}-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
  return { tag, env: { ...process.env, TANDEM_TEST_TAG: tag } };
}

export interface Proc {
  pid: number;
  cmdline: string;
}

/** Live (not zombie) processes carrying the tag whose command line matches. */
export function taggedProcesses(t: Tagged, match: RegExp = /./): Proc[] {
  const mark = `TANDEM_TEST_TAG=${t.tag}`;
  const found: Proc[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim();
      if (!match.test(cmdline)) continue;
      if (/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'latin1'))) continue;
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(mark)) found.push({ pid: Number(pid), cmdline });
    } catch {
      // ended while we looked
    }
  }
  return found;
}

/** Whether a (console) log exists and holds `text` yet. */
export function logHas(file: string, text: string): boolean {
  try {
    return readFileSync(file, 'latin1').includes(text);
  } catch {
    return false;
  }
}

/** The parent pid of a live process; undefined once it is gone. */
export function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** Whether `ancestor` started `pid`, itself or through a helper of its own (tandem's spawn helper). */
export function descendsFrom(pid: number, ancestor: number): boolean {
  for (let p = parentOf(pid), depth = 0; p !== undefined && p > 1 && depth < 8; p = parentOf(p), depth++) {
    if (p === ancestor) return true;
  }
  return false;
}

/** SIGKILLs whatever a failed test left behind; only processes carrying this tag. */
export function killTagged(t: Tagged): void {
  for (const p of taggedProcesses(t)) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const run = promisify(execFile);

export interface Outcome {
  code: number | null;
  signal?: string | null;
  stdout: string;
  stderr: string;
}

export async function tandemCli(t: Tagged, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [TANDEM, ...args], { maxBuffer: 64 << 20, env: { ...t.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; signal?: string; stdout: string; stderr: string };
    return { code: typeof e.code === 'number' ? e.code : null, signal: e.signal ?? null, stdout: e.stdout, stderr: e.stderr };
  }
}

/** `tandem args` in the background, output collected; `done` settles with its exit. */
export function tandemChild(t: Tagged, args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [TANDEM, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...t.env, ...env } });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const done = new Promise<{ code: number | null; signal: string | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  return { child, done, output: () => output };
}
