// Runs the real CLI as a child process, its emulators tagged through TANDEM_TEST_TAG, and finds
// the processes a test started (and only those) in /proc.
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../harness/version.js';

const run = promisify(execFile);
export const TANDEM = join(REPO_ROOT, 'bin/tandem.js');

export function testTag(): { tag: string; env: NodeJS.ProcessEnv } {
  const tag = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
  return { tag, env: { ...process.env, TANDEM_TEST_TAG: tag } };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function tandemCli(args: string[], env: NodeJS.ProcessEnv, cwd = REPO_ROOT): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [TANDEM, ...args], { maxBuffer: 16 << 20, env, cwd });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Live (not zombie) processes whose command line contains `name` and whose environment has the tag. */
export function taggedProcesses(tag: string, name: string): Array<{ pid: number; cmdline: string }> {
  const found: Array<{ pid: number; cmdline: string }> = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim();
      if (!cmdline.includes(name)) continue;
      if (/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'latin1'))) continue;
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`TANDEM_TEST_TAG=${tag}`)) found.push({ pid: Number(pid), cmdline });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}
