// Runs the real CLI as a child process, its emulators tagged through TANDEM_TEST_TAG, and finds
// the processes a test started (and only those) in /proc.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../harness/version.js';
import { taggedProcesses as tagged } from './procs.js';
import { escapeRegExp } from './tagged-processes.js';

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
  return tagged({ tag, env: {} }, new RegExp(escapeRegExp(name)));
}
