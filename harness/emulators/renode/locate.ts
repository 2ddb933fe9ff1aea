// Where Renode is and which one it is. `TANDEM_RENODE` (the `renode` launcher, or a folder holding
// it) wins over PATH; nothing else is searched, so a run uses exactly the Renode it reports.
import { join } from 'node:path';
import { execa } from '../../lazy-execa.js';
import { executable, findOnPath } from '../executable.js';

export const NOT_FOUND = 'renode not found (set TANDEM_RENODE or put renode on PATH)';

/** The Renode launcher to run, or undefined. Pure apart from file-system checks. */
export function locateRenode(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const override = env.TANDEM_RENODE;
  if (override) {
    if (executable(override)) return override;
    const inside = join(override, 'renode');
    return executable(inside) ? inside : undefined;
  }
  return findOnPath('renode', env);
}

/**
 * `Renode v1.16.1.7629` + `runtime: Mono 4.0.30319.42000` → `1.16.1.7629 (Mono 4.0.30319.42000)`.
 * Falls back to the first line when the format is unknown.
 */
export function parseRenodeVersion(output: string): string | undefined {
  const version = /Renode,?\s+(?:version\s+)?v?(\d+\.\d+\.\d+(?:\.\d+)?)/i.exec(output)?.[1];
  const runtime = /runtime:\s*(.+)/i.exec(output)?.[1]?.trim();
  if (version) return runtime ? `${version} (${runtime})` : version;
  const first = output.split(/\r?\n/).find((l) => l.trim());
  return first?.trim();
}

export interface Probe {
  ok: boolean;
  binary?: string;
  version?: string;
  reason?: string;
}

/** Finds Renode and asks it for its version (`renode --version` starts no emulation). */
export async function probeRenode(env: NodeJS.ProcessEnv = process.env): Promise<Probe> {
  const binary = locateRenode(env);
  if (!binary) return { ok: false, reason: NOT_FOUND };
  const r = await execa(binary, ['--version'], { reject: false, timeout: 60_000, env, extendEnv: false, stdin: 'ignore' });
  const out = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
  if (r.exitCode !== 0) {
    const why = out.split(/\r?\n/).find((l) => l.trim()) ?? `exit code ${r.exitCode ?? '-'}`;
    return { ok: false, binary, reason: `renode at ${binary} does not run: ${why.trim()}` };
  }
  return { ok: true, binary, version: parseRenodeVersion(out) };
}
